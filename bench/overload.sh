#!/usr/bin/env bash
# Overload with admission control (docs/RELIABILITY.md): a fresh `serve` on loopback, then StreamDiarize.LoadGen opens
# one more real-time stream every RAMP_MS until STREAMS were tried, each running SECONDS; prints admitted and refused
# streams and the admitted streams' send lag. ADMISSION=false runs the same load with admission control off.
# SERVER_CPUS / LOAD_CPUS (taskset lists, e.g. 0 and 1) pin the daemon and the load generator to separate cores, so the
# generator does not starve before the daemon does (one machine standing in for two).
# Usage: bench/overload.sh [STREAMS] [RAMP_MS] [SECONDS]     (defaults 300 100 40)
set -euo pipefail
cd "$(dirname "$0")/.."
STREAMS="${1:-300}"
RAMP_MS="${2:-100}"
SECONDS_EACH="${3:-40}"
ADMISSION="${ADMISSION:-true}"
SERVER_PIN=(); LOAD_PIN=()
[ -z "${SERVER_CPUS:-}" ] || SERVER_PIN=(taskset -c "$SERVER_CPUS")
[ -z "${LOAD_CPUS:-}" ] || LOAD_PIN=(taskset -c "$LOAD_CPUS")
GRPC_PORT="${GRPC_PORT:-50581}"
HTTP_PORT="${HTTP_PORT:-8601}"
[ -n "${SKIP_BUILD:-}" ] || { dotnet build -c Release src/StreamDiarize.Cli -v q -nologo >/dev/null; dotnet build -c Release bench/StreamDiarize.LoadGen -v q -nologo >/dev/null; }
STREAMDIARIZE__Logging__LogLevel__Default=Warning \
  "${SERVER_PIN[@]}" src/StreamDiarize.Cli/bin/Release/net10.0/streamdiarize serve --grpc-port "$GRPC_PORT" --http-port "$HTTP_PORT" \
  --Server:MaxSessions=2000 --Server:MaxSessionsPerTenant=2000 --Server:Admission:Enabled="$ADMISSION" ${SERVE_ARGS:-} > /dev/null &
SERVER_PID=$!
trap 'kill -TERM "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null && break; sleep 0.2; done
echo "# $(date -u +%FT%TZ) overload: admission $ADMISSION, $STREAMS streams one every $RAMP_MS ms, $SECONDS_EACH s each, $(nproc) cores (daemon on ${SERVER_CPUS:-all}, load on ${LOAD_CPUS:-all}), commit $(git rev-parse --short HEAD)"
"${LOAD_PIN[@]}" bench/StreamDiarize.LoadGen/bin/Release/net10.0/StreamDiarize.LoadGen \
  --server "http://127.0.0.1:$GRPC_PORT" --metrics "http://127.0.0.1:$HTTP_PORT/metrics" --warmup 0 \
  --streams "$STREAMS" --ramp "$RAMP_MS" --seconds "$SECONDS_EACH" --wav ../shared/data/ami/dev00.wav || true
curl -s "http://127.0.0.1:$HTTP_PORT/metrics" | grep -E '^streamdiarize_(refusals_total|session_lag_seconds.*max|processing_lag_max_seconds)' | sort -t' ' -k2 -g | tail -5 || true
