"""A Python gRPC client of the StreamDiarize daemon, used by PythonClientTests.

Uses the repository's client package (clients/python: its stubs generated from protos/, its WAV reader and turn
ledger), checks grpc.health.v1 and server reflection, streams a WAV in 100 ms chunks, and writes the final
segments as RTTM (Relabel and Merge applied). Prints one JSON line with what it saw.
"""
import argparse
import json
import os
import sys

import grpc


def load_client(protos_dir):
    client_dir = os.path.join(os.path.dirname(os.path.abspath(protos_dir)), "clients", "python")
    sys.path.insert(0, client_dir)
    import generate_stubs
    generate_stubs.generate(protos_dir)
    import streamdiarize_client
    return streamdiarize_client


def health(channel):
    # grpc.health.v1.Health/Check with an empty HealthCheckRequest; SERVING is status = 1 (field 1, varint).
    check = channel.unary_unary("/grpc.health.v1.Health/Check", request_serializer=lambda b: b, response_deserializer=lambda b: b)
    return "SERVING" if check(b"", timeout=10) == b"\x08\x01" else "NOT_SERVING"


def reflection_names(channel):
    # ServerReflectionRequest{list_services: ""} is field 7 (tag 0x3a) with length 0; the names are in the raw reply.
    info = channel.stream_stream("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                                 request_serializer=lambda b: b, response_deserializer=lambda b: b)
    reply = next(iter(info(iter([b"\x3a\x00"]), timeout=10)))
    return [n for n in ("streamdiarize.v1.Diarizer", "grpc.health.v1.Health") if n.encode() in reply]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True, help="host:port of the gRPC endpoint")
    ap.add_argument("--protos", required=True, help="the repository's protos/ folder")
    ap.add_argument("--wav", required=True)
    ap.add_argument("--rttm", required=True)
    ap.add_argument("--file-id", required=True)
    args = ap.parse_args()

    client = load_client(args.protos)
    pb = client.pb
    encoding, rate, channels, pcm = client.read_wav(args.wav)
    width = 2 if encoding == pb.PCM_S16LE else 4

    with grpc.insecure_channel(args.server) as channel:
        status = health(channel)
        services = reflection_names(channel)
        stub = client.pb_grpc.DiarizerStub(channel)

        def requests():
            yield pb.DiarizeRequest(config=pb.SessionConfig(
                format=pb.AudioFormat(encoding=encoding, sample_rate_hz=rate, channels=channels)))
            step = rate // 10 * width * channels
            for i in range(0, len(pcm), step):
                yield pb.DiarizeRequest(audio=pb.AudioChunk(data=pcm[i:i + step]))

        ledger, counts, session = client.TurnLedger(), {}, None
        for ev in stub.Diarize(requests(), timeout=600):
            kind = ev.WhichOneof("event")
            counts[kind] = counts.get(kind, 0) + 1
            ledger.apply(ev)
            if kind == "session_started":
                session = ev.session_started.session_id
        final = ledger.final

    with open(args.rttm, "w") as out:
        for s, e, spk in sorted(final):
            out.write("SPEAKER %s 1 %.3f %.3f <NA> <NA> %s <NA> <NA>\n" % (args.file_id, s, e - s, spk))
    print(json.dumps({"session": session, "health": status, "services": services, "events": counts, "segments": len(final)}))


if __name__ == "__main__":
    main()
