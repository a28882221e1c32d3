# Real-dev opened before the meeting: LEAD seconds of each conversation's own room sound (its stretches at least 0.3 s
# from any reference turn, looped) before it, the RTTM moved to match, into OUT/real-dev (and an empty OUT/ami). Round 21.
# Usage: /usr/bin/python3 research/round4/leadin.py ../shared/data/real-dev /tmp/leadnoise 90   (needs numpy)
import sys
import numpy as np
from wavsets import conversations, write_wav
src, out, lead = sys.argv[1], sys.argv[2], float(sys.argv[3])
for b, rate, x, rows in conversations(src, out):
    speech = np.zeros(len(x), bool)
    for r in rows:
        speech[max(0, int((float(r[3]) - 0.3) * rate)):min(len(x), int((float(r[3]) + float(r[4]) + 0.3) * rate))] = True
    room = x[~speech]
    n = int(lead * rate)
    write_wav(f"{out}/real-dev/{b}.wav", rate, np.concatenate([np.tile(room, int(np.ceil(n / max(1, len(room)))))[:n], x]))
    with open(f"{out}/real-dev/{b}.rttm", "w") as o:
        for r in rows:
            r[3] = f"{float(r[3]) + lead:.3f}"
            o.write(" ".join(r) + "\n")
    print(f"{b}: {lead:g} s of its {len(room) / rate:.1f} s of room sound before it")
