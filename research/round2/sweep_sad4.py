import itertools
import sad3
from pipeline2 import evaluate, sad_vs_union
res = []
grid = dict(sad=["pctv"], frac_v=[0.15, 0.25, 0.3], v_thr=[0.6, 0.7, 0.8], frac_lo=[0.4], gap=[1.0, 1.5])
for v in itertools.product(*grid.values()):
    p = dict(zip(grid, v))
    a, b, _ = evaluate(p); M, FA, SP, _ = sad_vs_union(p)
    res.append((a["der"], b["der"], M, FA, p))
res.sort(key=lambda r: r[0])
for r in res[:8]:
    print("%.3f %.3f miss %.1f fa %.1f %s" % r)
