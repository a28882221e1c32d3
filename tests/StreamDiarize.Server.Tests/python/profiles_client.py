#!/usr/bin/python3
"""Known speakers from Python (docs/GRPC.md): enroll a person from a WAV, list the profiles, stream a recording with
known_speakers=["all"] and report who was identified, enroll that speaker a second time from the live session's last
two minutes (EnrollFromSession) while the session still runs, then delete the profile. Used by PythonClientTests;
prints one JSON line. WAVs must be 16 kHz mono 32-bit float or 16-bit PCM."""
import argparse
import json
import os
import sys
import threading

import grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stream_client import load_client  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--server", required=True)
    ap.add_argument("--protos", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--enroll-wav", required=True)
    ap.add_argument("--wav", required=True)
    args = ap.parse_args()
    client = load_client(args.protos)  # the repository's package (clients/python), stubs generated from protos/
    pb, rpc = client.pb, client.pb_grpc

    def pcm(path):
        encoding, rate, channels, body = client.read_wav(path)
        width = 2 if encoding == pb.PCM_S16LE else 4
        return pb.AudioFormat(encoding=encoding, sample_rate_hz=rate, channels=channels), body, rate * channels * width // 10

    with grpc.insecure_channel(args.server) as channel:
        profiles = rpc.SpeakerProfilesStub(channel)
        fmt, body, step = pcm(args.enroll_wav)

        def enroll_requests():
            yield pb.EnrollRequest(config=pb.EnrollConfig(name=args.name, format=fmt))
            for i in range(0, len(body), step):
                yield pb.EnrollRequest(audio=pb.AudioChunk(data=body[i:i + step]))

        enrolled = profiles.EnrollSpeaker(enroll_requests())
        listed = [p.name for p in profiles.ListProfiles(pb.ListProfilesRequest()).profiles]

        fmt, body, step = pcm(args.wav)

        enrolled_from_session = threading.Event()

        def session_requests():
            yield pb.DiarizeRequest(config=pb.SessionConfig(session_id="python-session", format=fmt, known_speakers=["all"]))
            for i in range(0, len(body), step):
                yield pb.DiarizeRequest(audio=pb.AudioChunk(data=body[i:i + step]))
            enrolled_from_session.wait(120)  # the session's voices go when it ends: keep it open until then

        identified, named_turns, from_session = [], 0, None
        for event in rpc.DiarizerStub(channel).Diarize(session_requests()):
            kind = event.WhichOneof("event")
            if kind == "speaker_identified":
                identified.append({"speaker": event.speaker_identified.speaker, "name": event.speaker_identified.name,
                                   "distance": event.speaker_identified.distance})
            elif kind == "segment" and event.segment.speaker_name:
                named_turns += 1
            if kind == "segment" and event.segment.is_final and identified and from_session is None:
                # Turns up to this one's end are final: "the identified speaker of this session in its last 2 minutes".
                end = event.segment.end_seconds
                try:
                    again = profiles.EnrollFromSession(pb.EnrollFromSessionRequest(
                        name=args.name, session_id="python-session", speaker=identified[0]["speaker"],
                        start_seconds=max(0.0, end - 120), end_seconds=end))
                    from_session = {"speech_seconds": again.speech_seconds, "clips": again.clips}
                except grpc.RpcError as e:
                    from_session = {"error": e.code().name, "detail": e.details()}
                enrolled_from_session.set()
        enrolled_from_session.set()

        profiles.DeleteProfile(pb.DeleteProfileRequest(name=args.name))
        try:
            profiles.DeleteProfile(pb.DeleteProfileRequest(name=args.name))
            second_delete = "OK"
        except grpc.RpcError as e:
            second_delete = e.code().name
    print(json.dumps({"enrolled": {"name": enrolled.name, "kind": enrolled.kind, "speech_seconds": enrolled.speech_seconds},
                      "listed": listed, "identified": identified, "named_turns": named_turns, "from_session": from_session,
                      "second_delete": second_delete}))


if __name__ == "__main__":
    main()
