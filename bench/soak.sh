#!/usr/bin/env bash
# The soak of docs/RELIABILITY.md: 100 real-time Diarize streams for 30 minutes against a fresh `serve` on loopback,
# the daemon's resident memory (VmRSS) sampled every 30 s, and the drift from after the warm-up to the end.
# Usage: bench/soak.sh [STREAMS] [SECONDS] [RSS_EVERY]    (defaults 100 1800 30)
set -euo pipefail
cd "$(dirname "$0")/.."
STREAMS="${1:-100}"
SECONDS_TOTAL="${2:-1800}"
RSS_EVERY="${3:-30}"
GRPC_PORT="${GRPC_PORT:-50571}"
HTTP_PORT="${HTTP_PORT:-8591}"
dotnet build -c Release src/StreamDiarize.Cli -v q -nologo >/dev/null
dotnet build -c Release bench/StreamDiarize.LoadGen -v q -nologo >/dev/null
# Run copies, so rebuilding the tree while the soak runs does not swap the binaries under it.
BIN=$(mktemp -d)
cp -r src/StreamDiarize.Cli/bin/Release/net10.0 "$BIN/cli"
cp -r bench/StreamDiarize.LoadGen/bin/Release/net10.0 "$BIN/loadgen"
STREAMDIARIZE__Logging__LogLevel__Default=Warning \
  "$BIN/cli/streamdiarize" serve --grpc-port "$GRPC_PORT" --http-port "$HTTP_PORT" &
SERVER_PID=$!
trap 'kill -TERM "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true; rm -rf "$BIN"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null && break; sleep 0.2; done
echo "# $(date -u +%FT%TZ) soak: $STREAMS streams x $SECONDS_TOTAL s, server pid $SERVER_PID, $(nproc) cores, commit $(git rev-parse --short HEAD)"
"$BIN/loadgen/StreamDiarize.LoadGen" \
  --server "http://127.0.0.1:$GRPC_PORT" --metrics "http://127.0.0.1:$HTTP_PORT/metrics" \
  --streams "$STREAMS" --seconds "$SECONDS_TOTAL" --wav ../shared/data/ami/dev00.wav \
  --rss-pid "$SERVER_PID" --rss-every "$RSS_EVERY" || true
curl -s "http://127.0.0.1:$HTTP_PORT/metrics" | grep -E '^streamdiarize_(processing_lag_max_seconds|refusals_total|sessions_ended_total|active_sessions)' || true
echo "# $(date -u +%FT%TZ) done"
