#!/bin/bash
# Real-dev through a channel of real use, into OUT/real-dev (and an empty OUT/ami, as the sweep expects); same RTTM.
# Round 22. sox runs repeatable (-R: the same dither every run). Needs sox, and opus-tools for opus (apt-get install opus-tools).
#   recode.sh SRC OUT opus KBPS    Opus at KBPS kbit/s, 20-ms frames, decoded at 48 kHz, then sox to 16 kHz mono 16-bit
#                                  (a meeting app's or WebRTC client's audio)
#   recode.sh SRC OUT rate48       48 kHz stereo 16-bit (a microphone's rate; the product resamples it)
#   recode.sh SRC OUT rate48back   48 kHz and back to 16 kHz by sox (the resampling round trip alone)
# Example: bash research/round4/recode.sh ../shared/data/real-dev /tmp/opus24 opus 24
set -e
src=$1; out=$2; how=$3; kbps=$4
mkdir -p "$out/real-dev" "$out/ami"
for f in "$src"/*.wav; do
  b=$(basename "$f" .wav)
  case "$how" in
    opus) opusenc --quiet --bitrate "$kbps" --framesize 20 "$f" "$out/$b.opus"
          opusdec --quiet --rate 48000 "$out/$b.opus" "$out/$b.48.wav"
          sox -R "$out/$b.48.wav" -c 1 -r 16000 -b 16 "$out/real-dev/$b.wav"
          rm -f "$out/$b.opus" "$out/$b.48.wav" ;;
    rate48) sox -R "$f" -r 48000 -c 2 -b 16 "$out/real-dev/$b.wav" ;;
    rate48back) sox -R "$f" -r 48000 -c 2 -b 16 "$out/$b.48.wav"
                sox -R "$out/$b.48.wav" -c 1 -r 16000 -b 16 "$out/real-dev/$b.wav"
                rm -f "$out/$b.48.wav" ;;
    *) echo "usage: recode.sh SRC OUT opus KBPS | rate48 | rate48back" >&2; exit 2 ;;
  esac
  cp "$src/$b.rttm" "$out/real-dev/"
done
