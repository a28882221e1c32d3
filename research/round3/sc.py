import sys, ast
import numpy as np
import r3common as C
import pipeline2 as P
import clus2
from bicclus import evaluate
P.ref_of = C.ref_of
p = dict(clus="sc", max_spk=10)
for a in sys.argv[1:]:
    k, v = a.split("=", 1); p[k] = ast.literal_eval(v)
for name, fs in [("AMI", C.FILES), ("SYN", C.SYN_FILES), ("HELD", C.HELD_FILES)]:
    t25, t0, rows = evaluate(p, fs, fn=P.diarize_frames)
    print(name, " ".join(f"{r[0]}={100*r[1]['der']:.1f}/{r[3]}" for r in rows), f"TOTAL {100*t25['der']:.2f} / {100*t0['der']:.2f}")
