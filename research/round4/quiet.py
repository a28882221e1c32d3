# Real-dev with one quiet voice: in every conversation in SRC (WAV + RTTM) the second-most-speaking voice's turns are
# attenuated by DB decibels (20-ms ramps; the room noise under its turns drops with it), into OUT/real-dev (and an empty
# OUT/ami, as the sweep expects). Round 21: a voice far from the microphone. Same voices, same RTTM.
# Usage: /usr/bin/python3 research/round4/quiet.py ../shared/data/real-dev /tmp/quiet12 12   (needs numpy)
import sys, shutil, collections
import numpy as np
from wavsets import conversations, write_wav
src, out, db = sys.argv[1], sys.argv[2], float(sys.argv[3])
for b, rate, x, rows in conversations(src, out):
    x = x.astype(np.float64)
    talk = collections.Counter()
    for r in rows: talk[r[7]] += float(r[4])
    quiet = talk.most_common()[1][0]
    gain = np.ones(len(x))
    for r in rows:
        if r[7] != quiet: continue
        s = int(float(r[3]) * rate); e = min(len(x), int((float(r[3]) + float(r[4])) * rate))
        gain[s:e] = 10 ** (-db / 20)
    ramp = int(0.02 * rate)
    gain = np.convolve(gain, np.ones(ramp) / ramp, mode="same")
    write_wav(f"{out}/real-dev/{b}.wav", rate, x * gain)
    shutil.copy(f"{src}/{b}.rttm", f"{out}/real-dev/")
    print(f"{b}: {quiet} ({talk[quiet]:.0f} s) {-db:+.0f} dB")
