#!/usr/bin/python3
"""A Python gRPC client of the StreamDiarize daemon, used by PythonClientTests.

Generates stubs from protos/ into a temp dir, checks grpc.health.v1 and server reflection,
streams a 32-bit float WAV as PCM_F32LE in 100 ms chunks, and writes the final segments as RTTM
(applying Relabel and Merge). Prints one JSON line with what it saw.
"""
import argparse
import importlib
import json
import os
import re
import struct
import sys
import tempfile

import grpc
from grpc_tools import protoc


def generate_stubs(protos_dir, out_dir):
    well_known = os.path.join(os.path.dirname(protoc.__file__), "_proto")
    proto = "streamdiarize/v1/diarizer.proto"

    def compile_from(root):
        return protoc.main(["protoc", "-I" + root, "-I" + well_known, "--python_out=" + out_dir,
                            "--grpc_python_out=" + out_dir, os.path.join(root, proto)])

    if compile_from(protos_dir) != 0:
        # Debian 12's grpc_tools (1.14) predates proto3 'optional' (protoc 3.15). Dropping the label gives the
        # same wire format; only field presence on *sent* scalars is lost, and this client sends none of them.
        print("protoc rejected the proto (too old for proto3 optional?); retrying without 'optional' labels", file=sys.stderr)
        stripped = tempfile.mkdtemp(prefix="streamdiarize-proto-")
        os.makedirs(os.path.join(stripped, os.path.dirname(proto)))
        with open(os.path.join(protos_dir, proto)) as src, open(os.path.join(stripped, proto), "w") as dst:
            dst.write(re.sub(r"^(\s*)optional\s+", r"\1", src.read(), flags=re.M))
        if compile_from(stripped) != 0:
            sys.exit("protoc failed on " + proto)
    sys.path.insert(0, out_dir)
    return (importlib.import_module("streamdiarize.v1.diarizer_pb2"),
            importlib.import_module("streamdiarize.v1.diarizer_pb2_grpc"))


def read_wav(path):
    """(rate, channels, raw little-endian sample bytes, sample width) of a PCM or IEEE-float WAV."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        sys.exit(path + ": not a RIFF/WAVE file")
    pos, fmt = 12, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = data[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            fmt = struct.unpack("<HHIIHH", body[:16])
        elif cid == b"data":
            tag, channels, rate, _, _, bits = fmt
            return rate, channels, body, tag, bits
        pos += 8 + size + (size & 1)
    sys.exit(path + ": no data chunk")


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

    pb, pb_grpc = generate_stubs(args.protos, tempfile.mkdtemp(prefix="streamdiarize-py-"))
    rate, channels, pcm, tag, bits = read_wav(args.wav)
    if tag == 3 and bits == 32:
        encoding, width = pb.PCM_F32LE, 4
    elif tag == 1 and bits == 16:
        encoding, width = pb.PCM_S16LE, 2
    else:
        sys.exit("unsupported WAV: format %d, %d bits" % (tag, bits))

    with grpc.insecure_channel(args.server) as channel:
        status = health(channel)
        services = reflection_names(channel)
        stub = pb_grpc.DiarizerStub(channel)

        def requests():
            yield pb.DiarizeRequest(config=pb.SessionConfig(
                format=pb.AudioFormat(encoding=encoding, sample_rate_hz=rate, channels=channels)))
            step = rate // 10 * width * channels
            for i in range(0, len(pcm), step):
                yield pb.DiarizeRequest(audio=pb.AudioChunk(data=pcm[i:i + step]))

        final, counts, session = [], {}, None
        for ev in stub.Diarize(requests(), timeout=600):
            kind = ev.WhichOneof("event")
            counts[kind] = counts.get(kind, 0) + 1
            if kind == "session_started":
                session = ev.session_started.session_id
            elif kind == "segment" and ev.segment.is_final:
                final.append([ev.segment.start_seconds, ev.segment.end_seconds, ev.segment.speaker])
            elif kind == "relabel":
                r, parts = ev.relabel, []
                for s, e, spk in final:
                    if spk != r.from_speaker or e <= r.start_seconds or s >= r.end_seconds:
                        parts.append([s, e, spk])
                        continue
                    if s < r.start_seconds:
                        parts.append([s, r.start_seconds, spk])
                    parts.append([max(s, r.start_seconds), min(e, r.end_seconds), r.to_speaker])
                    if e > r.end_seconds:
                        parts.append([r.end_seconds, e, spk])
                final = parts
            elif kind == "merge":
                final = [[s, e, ev.merge.into_speaker if spk == ev.merge.from_speaker else spk] for s, e, spk in final]

    with open(args.rttm, "w") as out:
        for s, e, spk in sorted(final):
            out.write("SPEAKER %s 1 %.3f %.3f <NA> <NA> %s <NA> <NA>\n" % (args.file_id, s, e - s, spk))
    print(json.dumps({"session": session, "health": status, "services": services, "events": counts, "segments": len(final)}))


if __name__ == "__main__":
    main()
