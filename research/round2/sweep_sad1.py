import itertools, sys
from pipeline2 import evaluate, sad_vs_union
grid = dict(smooth=[11, 31, 51], frac_hi=[0.5, 0.6], frac_lo=[0.2, 0.3, 0.4], gap=[0.5, 1.0, 1.5])
res = []
for v in itertools.product(*grid.values()):
    p = dict(zip(grid, v))
    if p["frac_lo"] >= p["frac_hi"]: continue
    a, b, _ = evaluate(p)
    M, FA, SP, _ = sad_vs_union(p)
    res.append((a["der"], b["der"], M, FA, p))
res.sort(key=lambda r: r[0])
for r in res[:12]:
    print("%.3f %.3f miss %.1f fa %.1f %s" % r)
