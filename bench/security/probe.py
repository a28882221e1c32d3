#!/usr/bin/python3
"""Hostile-client probe of a running `streamdiarize serve` (docs/SECURITY.md): each case prints one markdown row,
| case | what the server answered | time |. Start the daemon with --Server:IdleTimeoutSeconds=2 (run.sh does).
"""
import argparse
import os
import struct
import sys
import threading
import time

import grpc

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "StreamDiarize.Server.Tests", "python"))
from stream_client import generate_stubs  # noqa: E402

RAW = dict(request_serializer=lambda b: b, response_deserializer=lambda b: b)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def status_of(call_fn):
    start = time.monotonic()
    try:
        out = call_fn()
        return "OK", "", out, time.monotonic() - start
    except grpc.RpcError as e:
        return e.code().name, e.details() or "", None, time.monotonic() - start


def row(case, code, detail, seconds, extra=""):
    detail = detail if len(detail) <= 160 else detail[:157] + "..."
    print(f"| {case} | {code}: {detail}{extra} | {seconds:.2f} s |", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--server", default="127.0.0.1:50051")
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--fifo", required=True)
    p.add_argument("--existing", required=True)
    args = p.parse_args()
    import tempfile
    pb, rpc = generate_stubs(os.path.join(os.path.dirname(__file__), "..", "..", "protos"), tempfile.mkdtemp())
    channel = grpc.insecure_channel(args.server, options=[("grpc.max_receive_message_length", 8 << 20), ("grpc.max_send_message_length", 8 << 20)])
    stub = rpc.DiarizerStub(channel)
    fmt = pb.AudioFormat(encoding=pb.PCM_F32LE, sample_rate_hz=16000, channels=1)

    def diarize(requests, timeout=60):
        return list(stub.Diarize(iter(requests), timeout=timeout))

    def config(**kw):
        return pb.DiarizeRequest(config=pb.SessionConfig(format=fmt, **kw))

    def audio(samples):
        return pb.DiarizeRequest(audio=pb.AudioChunk(data=struct.pack(f"<{len(samples)}f", *samples)))

    for name, path in [("FIFO", args.fifo), ("existing model", args.existing), ("missing file", "/nonexistent/x.onnx"), ("/etc/shadow", "/etc/shadow")]:
        code, detail, _, t = status_of(lambda: diarize([config(embedder="onnx:" + path)]))
        row(f"embedder `onnx:` + {name}", code, detail, t)

    before = rss_kib(args.pid)
    start = time.monotonic()
    codes = {}
    for i in range(3000):
        code, _, _, _ = status_of(lambda: diarize([config(embedder="onnx:" + args.existing.replace("/", "/" + "./" * (i % 50 + 1), 1) + "/" * (i // 50))]))
        codes[code] = codes.get(code, 0) + 1
    after = rss_kib(args.pid)
    row("3,000 spellings of a model path", ", ".join(f"{k} x{v}" for k, v in codes.items()), "", time.monotonic() - start,
        f"; server RSS {before / 1024:.0f} -> {after / 1024:.0f} MB")

    code, detail, _, t = status_of(lambda: diarize([config(session_id="x" * (1 << 20))]))
    row("1 MiB session_id", code, f"{len(detail)}-character message", t)
    code, detail, _, t = status_of(lambda: list(stub.Watch(pb.WatchRequest(session_id="y" * (1 << 20)), timeout=30)))
    row("Watch a 1 MiB session id", code, f"{len(detail)}-character message", t)

    garbage = b"\x0a\x64\x01\x02\x03"
    code, detail, _, t = status_of(lambda: list(channel.stream_stream("/streamdiarize.v1.Diarizer/Diarize", **RAW)(iter([garbage]), timeout=30)))
    row("malformed protobuf to Diarize", code, detail, t)
    code, detail, _, t = status_of(lambda: channel.unary_unary("/streamdiarize.v1.Diarizer/ListSessions", **RAW)(garbage, timeout=30))
    row("malformed protobuf to ListSessions", code, detail, t)
    code, detail, _, t = status_of(lambda: list(channel.unary_stream("/streamdiarize.v1.Diarizer/Watch", **RAW)(garbage, timeout=30)))
    row("malformed protobuf to Watch", code, detail, t)

    code, detail, _, t = status_of(lambda: diarize([audio([0.0] * 160)]))
    row("audio before the config", code, detail, t)
    code, detail, _, t = status_of(lambda: diarize([config(), pb.DiarizeRequest(audio=pb.AudioChunk(data=b"\0" * (2 << 20)))]))
    row("2 MiB audio chunk", code, detail, t)

    events = []
    code, detail, _, t = status_of(lambda: events.extend(stub.Diarize(iter([config()] + [audio([float("nan") if j == 800 else 0.01 * ((j * 7919) % 200 - 100) for j in range(1600)]) for _ in range(100)]), timeout=120)))
    ended = [e.session_ended for e in events if e.WhichOneof("event") == "session_ended"]
    row("one NaN per 100 ms chunk, 10 s", code, f"SessionEnded non_finite_samples={ended[0].non_finite_samples if ended else '?'}", t)

    # Kestrel serves at most 100 streams per connection: spread the holders over channels as separate clients would.
    holders = [rpc.DiarizerStub(grpc.insecure_channel(args.server)) for _ in range(4)]

    def hold(results, holder):
        gate = threading.Event()

        def requests():
            yield config()
            gate.wait(60)
        seen = []
        code, detail, _, t = status_of(lambda: seen.extend(holder.Diarize(requests(), timeout=120)))
        gate.set()
        results.append((code + ("" if code != "RESOURCE_EXHAUSTED" else " " + detail), seen[-1].session_ended.reason if seen and seen[-1].WhichOneof("event") == "session_ended" else None, t))
    results = []
    threads = [threading.Thread(target=hold, args=(results, holders[i % 4])) for i in range(200)]
    start = time.monotonic()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    codes = sorted({r[0] for r in results})
    reasons = sorted({pb.EndReason.Name(r[1]) for r in results if r[1] is not None})
    row("200 config-only sessions held open", "/".join(codes), f"all ended by the idle timeout ({', '.join(reasons)}), longest {max(r[2] for r in results):.1f} s", time.monotonic() - start)
    code, detail, _, t = status_of(lambda: stub.ListSessions(pb.ListSessionsRequest(), timeout=10).sessions)
    row("ListSessions afterwards", code, "", t)


if __name__ == "__main__":
    main()
