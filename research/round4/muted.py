# Real-dev with a muted microphone: GAP seconds of digital silence (16-bit zeros) inserted after every EVERY seconds of
# each conversation in SRC (WAV + RTTM), the RTTM moved to match (a turn across a mute becomes two), into OUT/real-dev
# (and an empty OUT/ami, as the sweep expects). FADE seconds (optional, 0 by default) of linear fade out and in at each
# mute, as some applications do. Round 21.
# Usage: /usr/bin/python3 research/round4/muted.py ../shared/data/real-dev /tmp/muted 100 20 [0.05]   (needs numpy)
import sys
import numpy as np
from wavsets import conversations, write_wav
src, out, every, gap = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
fade = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
for b, rate, x, rows in conversations(src, out):
    n, k = int(every * rate), int(fade * rate)
    parts = []
    for i in range(0, len(x), n):
        piece = x[i:i + n].astype(np.float64)
        if k > 0:
            ramp = np.linspace(0, 1, k)
            if i > 0: piece[:k] *= ramp[:len(piece[:k])]
            if i + n < len(x): piece[-k:] *= ramp[::-1][:len(piece[-k:])]
        parts.append(piece.astype(np.int16))
        if i + n < len(x): parts.append(np.zeros(int(gap * rate), np.int16))
    write_wav(f"{out}/real-dev/{b}.wav", rate, np.concatenate(parts))
    shift = lambda t: t + (t // every) * gap
    with open(f"{out}/real-dev/{b}.rttm", "w") as o:
        for r in rows:
            s, e = float(r[3]), float(r[3]) + float(r[4])
            while s < e:
                cut = min(e, (s // every + 1) * every)
                o.write(f"SPEAKER {b} 1 {shift(s):.3f} {cut - s:.3f} <NA> <NA> {r[7]} <NA> <NA>\n")
                s = cut
    print(f"{b}: {gap:g} s muted every {every:g} s" + (f", {fade:g} s fades" if fade else ""))
