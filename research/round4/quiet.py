# Real-dev with one quiet voice: in every conversation in SRC (WAV + RTTM) the second-most-speaking voice's turns are
# attenuated by DB decibels (20-ms ramps; the room noise under its turns drops with it), into OUT/real-dev (and an empty
# OUT/ami, as the sweep expects). Round 21: a voice far from the microphone. Same voices, same RTTM.
# Usage: /usr/bin/python3 research/round4/quiet.py ../shared/data/real-dev /tmp/quiet12 12   (needs numpy)
import sys, os, shutil, wave, collections
import numpy as np
src, out, db = sys.argv[1], sys.argv[2], float(sys.argv[3])
os.makedirs(out + "/real-dev", exist_ok=True); os.makedirs(out + "/ami", exist_ok=True)
for f in sorted(os.listdir(src)):
    if not f.endswith(".wav"): continue
    b = f[:-4]
    with wave.open(f"{src}/{f}") as w:
        rate = w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64)
    rows = [l.split() for l in open(f"{src}/{b}.rttm") if l.startswith("SPEAKER")]
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
    with wave.open(f"{out}/real-dev/{b}.wav", "w") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate)
        w.writeframes(np.clip(x * gain, -32768, 32767).astype(np.int16).tobytes())
    shutil.copy(f"{src}/{b}.rttm", f"{out}/real-dev/")
    print(f"{b}: {quiet} ({talk[quiet]:.0f} s) {-db:+.0f} dB")
