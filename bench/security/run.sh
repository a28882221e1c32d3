#!/usr/bin/env bash
# Runs probe.py against a fresh `serve` (idle timeout 2 s), then SIGTERMs it with a silent call open and times the exit.
# Usage: bench/security/run.sh (from the repository root, after `dotnet build -c Release`).
set -euo pipefail
cd "$(dirname "$0")/../.."
dll=src/StreamDiarize.Cli/bin/Release/net10.0/streamdiarize.dll
work=$(mktemp -d)
mkfifo "$work/fifo"
printf 'not a model' > "$work/model.onnx"
dotnet "$dll" serve --grpc-port 50151 --http-port 50152 --Server:IdleTimeoutSeconds=2 --Logging:LogLevel:Default=Warning 2> "$work/serve.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:50152/healthz > /dev/null && break; sleep 0.2; done
echo "| case | answer | time |"
echo "| --- | --- | --- |"
/usr/bin/python3 bench/security/probe.py --server 127.0.0.1:50151 --pid "$pid" --fifo "$work/fifo" --existing "$work/model.onnx"
printf '| /metrics on the gRPC port (HTTP/2) | %s | |\n' "$(curl -s -o /dev/null -w 'HTTP %{http_code}' --http2-prior-knowledge http://127.0.0.1:50151/metrics)"
printf '| page with Host: attacker.example | %s | |\n' "$(curl -s -o /dev/null -w 'HTTP %{http_code}' -H 'Host: attacker.example' http://127.0.0.1:50152/api/sessions)"
# A call that never sends a config, then SIGTERM.
/usr/bin/python3 - <<'PY' &
import grpc, time
ch = grpc.insecure_channel("127.0.0.1:50151")
call = ch.stream_stream("/streamdiarize.v1.Diarizer/Diarize", request_serializer=lambda b: b, response_deserializer=lambda b: b)
def never():
    time.sleep(120)
    yield b""
try:
    for _ in call(never(), timeout=120):
        pass
except grpc.RpcError as e:
    print(f"| silent call at SIGTERM | {e.code().name}: {e.details()} | |", flush=True)
PY
sleep 2
start=$(date +%s.%N)
kill -TERM "$pid"
wait "$pid"; code=$?
printf '| SIGTERM with a silent call open | exit %s | %.2f s |\n' "$code" "$(echo "$(date +%s.%N) - $start" | bc)"
wait
grep -c ' fail: \|Exception' "$work/serve.log" | sed 's/^/error-level lines or exceptions in the log: /'
