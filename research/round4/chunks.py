# Excerpts of every conversation in SRC (WAV + RTTM): L seconds each, one every STEP seconds from the start, into
# OUT/real-dev (and an empty OUT/ami, as the sweep expects). Round 16: short recordings of real voices.
# Usage: /usr/bin/python3 research/round4/chunks.py ../shared/data/real-dev /tmp/ch30 30 150   (needs sox)
import sys, os, subprocess
src, out, L, step = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
os.makedirs(out + "/real-dev", exist_ok=True); os.makedirs(out + "/ami", exist_ok=True)
for f in sorted(os.listdir(src)):
    if not f.endswith(".wav"): continue
    b = f[:-4]
    dur = float(subprocess.check_output(["soxi", "-D", f"{src}/{f}"]).decode())
    rows = [l.split() for l in open(f"{src}/{b}.rttm") if l.startswith("SPEAKER")]
    off = 0.0
    while off + L <= dur + 0.01:
        name = f"{b}_o{int(off)}"
        subprocess.check_call(["sox", f"{src}/{f}", f"{out}/real-dev/{name}.wav", "trim", str(off), str(L)])
        with open(f"{out}/real-dev/{name}.rttm", "w") as o:
            for r in rows:
                s, d = float(r[3]), float(r[4]); e = s + d
                s2, e2 = max(s, off), min(e, off + L)
                if e2 - s2 > 0.001:
                    r2 = list(r); r2[1] = name; r2[3] = f"{s2-off:.3f}"; r2[4] = f"{e2-s2:.3f}"
                    o.write(" ".join(r2) + "\n")
        off += step
