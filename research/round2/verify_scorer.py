"""Verify scorer against the reference figures in the brief."""
import glob, os
from scorer import read_rttm, score, total, _merge_intervals
from common import DATA as D
files = sorted(os.path.basename(p)[:-5] for p in glob.glob(D + "/*.rttm"))
for c in (0.25, 0.0):
    r1, r2 = [], []
    for f in files:
        ref = read_rttm(f"{D}/{f}.rttm")[f]
        r1.append(score(ref, [(0.0, 30.0, "A")], c))
        u = _merge_intervals([(s, e) for s, e, _ in ref])
        r2.append(score(ref, [(s, e, "A") for s, e in u], c))
    print(f"collar {c}: whole-clip {100*total(r1)['der']:.1f}%  union-of-ref {100*total(r2)['der']:.1f}%")
