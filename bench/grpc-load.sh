#!/usr/bin/env bash
# Re-runs the "gRPC daemon: concurrent real-time streams" benchmark of docs/BENCHMARKS.md:
# starts `streamdiarize serve` (Release) on loopback, drives it with StreamDiarize.LoadGen, stops it.
# Usage: bench/grpc-load.sh [LEVELS] [SECONDS]    e.g. bench/grpc-load.sh 50,100,200,300 30
set -euo pipefail
cd "$(dirname "$0")/.."
LEVELS="${1:-50,100,200,300,400}"
SECONDS_PER_LEVEL="${2:-30}"
GRPC_PORT="${GRPC_PORT:-50551}"
HTTP_PORT="${HTTP_PORT:-8581}"
dotnet build -c Release src/StreamDiarize.Cli -v q -nologo >/dev/null
dotnet build -c Release bench/StreamDiarize.LoadGen -v q -nologo >/dev/null
STREAMDIARIZE__Logging__LogLevel__Default=Warning \
  src/StreamDiarize.Cli/bin/Release/net10.0/streamdiarize serve --grpc-port "$GRPC_PORT" --http-port "$HTTP_PORT" --Server:MaxSessions=2000 &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null && break; sleep 0.2; done
bench/StreamDiarize.LoadGen/bin/Release/net10.0/StreamDiarize.LoadGen \
  --server "http://127.0.0.1:$GRPC_PORT" --metrics "http://127.0.0.1:$HTTP_PORT/metrics" \
  --streams "$LEVELS" --seconds "$SECONDS_PER_LEVEL" --wav ../shared/data/ami/dev00.wav
