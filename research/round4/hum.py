# Real-dev with mains hum: every conversation in SRC (WAV + RTTM) with a hum of HZ (50 or 60) and its harmonics up to
# 1 kHz (amplitude 1/k, odd harmonics twice the even ones, as a rectifier's buzz) added at DB decibels below the
# conversation's speech level (the RMS over its reference turns), into OUT/real-dev (and an empty OUT/ami, as the sweep
# expects). Round 22: a cheap microphone or a ground loop in a meeting room. Same voices, same RTTM.
# Usage: /usr/bin/python3 research/round4/hum.py ../shared/data/real-dev /tmp/hum50 50 30   (needs numpy)
import sys, shutil
import numpy as np
from wavsets import conversations, write_wav
src, out, hz, db = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
for b, rate, x, rows in conversations(src, out):
    x = x.astype(np.float64)
    speech = np.zeros(len(x), dtype=bool)
    for r in rows:
        s = int(float(r[3]) * rate); e = min(len(x), int((float(r[3]) + float(r[4])) * rate))
        speech[s:e] = True
    level = np.sqrt(np.mean(x[speech] ** 2))
    t = np.arange(len(x)) / rate
    hum = np.zeros(len(x))
    for k in range(1, int(1000 // hz) + 1):
        hum += (2.0 if k % 2 else 1.0) / k * np.sin(2 * np.pi * hz * k * t + 0.7 * k)
    hum *= level * 10 ** (-db / 20) / np.sqrt(np.mean(hum ** 2))
    write_wav(f"{out}/real-dev/{b}.wav", rate, x + hum)
    shutil.copy(f"{src}/{b}.rttm", f"{out}/real-dev/")
    print(f"{b}: speech RMS {20 * np.log10(level / 32768):.1f} dBFS, hum {hz:.0f} Hz at {-db:+.0f} dB")
