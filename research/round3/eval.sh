#!/bin/bash
# Scores one configuration of the product on AMI (collar 0.25 / 0) and on the synthetic meetings (collar 0.25 per file
# and total, then collar 0 totals). Usage, from the repository root after a Release build:
#   research/round3/eval.sh TAG [file options, e.g. --streaming or --set Default:Split:DistanceThreshold=1.15]
# SYN and HELD name the folders of synN / heldN meetings (streamdiarize synth, docs/ACCURACY.md "Synthetic meetings").
set -e
C="dotnet src/StreamDiarize.Cli/bin/Release/net10.0/streamdiarize.dll"
SYN=${SYN:-out/synth}; HELD=${HELD:-out/held}
T=$1; shift
O=out/eval/$T; rm -rf "$O"; mkdir -p "$O"
$C file ../shared/data/ami/*.wav --out "$O/ami" "$@" >/dev/null
$C file "$SYN"/*.wav --out "$O/syn" "$@" >/dev/null
$C file "$HELD"/*.wav --out "$O/held" "$@" >/dev/null
total() { $C score --ref "$1" --hyp "$2" --collar "$3" 2>/dev/null | grep TOTAL | awk '{print $6}'; }
files() { $C score --ref "$1" --hyp "$2" --collar 0.25 2>/dev/null | tail -n +2 | awk '{printf "%s=%s ", $1, $6}'; }
echo "$T AMI $(total ../shared/data/ami "$O/ami" 0.25) / $(total ../shared/data/ami "$O/ami" 0) | $(files "$SYN" "$O/syn")| $(files "$HELD" "$O/held")| c0 syn $(total "$SYN" "$O/syn" 0) held $(total "$HELD" "$O/held" 0)"
