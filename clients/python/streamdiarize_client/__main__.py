"""streamdiarize-client: stream a WAV file to a StreamDiarize daemon and print who spoke when.

    python3 -m streamdiarize_client stream meeting.wav --server 127.0.0.1:50051 [--rttm out.rttm]
"""
import argparse
import os
import sys

import grpc

from . import TurnLedger, WavError, stream_wav


def main(argv=None):
    parser = argparse.ArgumentParser(prog="streamdiarize-client", description="Stream a WAV file to a StreamDiarize daemon and print its speaker turns.")
    sub = parser.add_subparsers(dest="command", required=True)
    stream = sub.add_parser("stream", help="stream a WAV file as one session; print the final turns")
    stream.add_argument("wav", help="a 16-bit PCM or 32-bit float WAV, any rate from 8000 to 48000 Hz, 1 to 8 channels")
    stream.add_argument("--server", default="127.0.0.1:50051", help="host:port of the daemon's gRPC endpoint (default %(default)s)")
    stream.add_argument("--api-key", default=os.environ.get("STREAMDIARIZE_API_KEY"), help="the daemon's API key, if it has keys (or STREAMDIARIZE_API_KEY)")
    stream.add_argument("--speakers", type=int, help="the exact number of speakers, when known")
    stream.add_argument("--latency", type=float, help="seconds until a turn is final (0.25 to 10)")
    stream.add_argument("--realtime", action="store_true", help="send at the speed of speech, as a live source would")
    stream.add_argument("--events", action="store_true", help="also print every event as it arrives")
    stream.add_argument("--rttm", help="write the final turns to this RTTM file")
    args = parser.parse_args(argv)

    ledger, session = TurnLedger(), None
    try:
        for event in stream_wav(args.wav, args.server, api_key=args.api_key, speakers=args.speakers,
                                latency_seconds=args.latency, realtime=args.realtime):
            kind = event.WhichOneof("event")
            ledger.apply(event)
            if kind == "session_started":
                session = event.session_started.session_id
                print(f"session {session} started", file=sys.stderr)
            elif kind == "session_ended":
                e = event.session_ended
                print(f"session ended: {e.speakers} speaker(s), {e.speech_seconds:.1f} s of speech", file=sys.stderr)
            if args.events:
                body = str(getattr(event, kind)).replace("\n", " ").strip()
                print(f"{event.stream_time_seconds:8.2f}  {kind}  {body}", file=sys.stderr)
    except WavError as e:
        sys.exit(str(e))
    except OSError as e:
        sys.exit(f"{args.wav}: {e.strerror}")
    except grpc.RpcError as e:
        sys.exit(f"the daemon at {args.server} answered {e.code().name}: {e.details()}")

    turns = ledger.turns()
    print(f"{'start':>8} {'end':>8}  speaker")
    for start, end, speaker in turns:
        print(f"{start:8.2f} {end:8.2f}  {speaker}")
    if args.rttm:
        file_id = os.path.splitext(os.path.basename(args.wav))[0]
        with open(args.rttm, "w") as out:
            for start, end, speaker in turns:
                out.write(f"SPEAKER {file_id} 1 {start:.3f} {end - start:.3f} <NA> <NA> {speaker} <NA> <NA>\n")
        print(f"{len(turns)} turn(s) -> {args.rttm}", file=sys.stderr)


if __name__ == "__main__":
    main()
