#!/usr/bin/env bash
# Coverage-guided fuzzing (docs/RELIABILITY.md): afl-fuzz (Debian's afl++) drives bench/StreamDiarize.Fuzz --afl TARGET,
# whose readers run from assemblies instrumented by SharpFuzz (dotnet tool SharpFuzz.CommandLine 2.3.0).
# Usage: bench/fuzz-afl.sh TARGET [SECONDS]     TARGET: wav (AudioLoader.LoadWav), raw (AudioLoader.LoadRaw), config (SessionConfigReader)
# Needs: apt-get install afl++; dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${1:?wav, raw or config}"
SECONDS_TOTAL="${2:-600}"
export PATH="$PATH:$HOME/.dotnet/tools"
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install afl++"; exit 2; }
command -v sharpfuzz >/dev/null || { echo "sharpfuzz not found: dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0"; exit 2; }
WORK="${WORK:-$(mktemp -d)}"
mkdir -p "$WORK"
[ -n "${SKIP_BUILD:-}" ] || dotnet build -c Release bench/StreamDiarize.Fuzz -v q -nologo >/dev/null   # SKIP_BUILD=1: several targets at once
rm -rf "$WORK/bin" && cp -r bench/StreamDiarize.Fuzz/bin/Release/net10.0 "$WORK/bin"   # instrumented copies, never the build's own
# Seeds from the uninstrumented build: instrumented code only runs under afl-fuzz.
dotnet bench/StreamDiarize.Fuzz/bin/Release/net10.0/StreamDiarize.Fuzz.dll --write-seeds "$WORK/seeds"
case "$TARGET" in
  wav|raw) instrument=(StreamDiarize.Audio.dll NAudio.Core.dll) ;;
  config) instrument=(StreamDiarize.Server.dll Google.Protobuf.dll) ;;
  *) echo "TARGET must be wav, raw or config"; exit 2 ;;
esac
for dll in "${instrument[@]}"; do sharpfuzz "$WORK/bin/$dll"; done
# A shared machine: no CPU pinning, no core-dump or governor checks; AFL's own screen off.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
afl-fuzz -i "$WORK/seeds/$TARGET" -o "$WORK/out-$TARGET" -t 5000 -m none -V "$SECONDS_TOTAL" -- \
  dotnet "$WORK/bin/StreamDiarize.Fuzz.dll" --afl "$TARGET" > "$WORK/afl-$TARGET.log" 2>&1 || { tail -n 40 "$WORK/afl-$TARGET.log"; exit 1; }
stats="$WORK/out-$TARGET/default/fuzzer_stats"
echo "target $TARGET, $(date -u +%FT%TZ), work dir $WORK"
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|edges_found|total_edges|bitmap_cvg|saved_crashes|saved_hangs|stability)' "$stats"
ls "$WORK/out-$TARGET/default/crashes" "$WORK/out-$TARGET/default/hangs" 2>/dev/null | grep -v README || true
