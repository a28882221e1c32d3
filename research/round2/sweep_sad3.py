import itertools, sys
import sad2
from pipeline2 import evaluate, sad_vs_union
def run(grid, top=10):
    res = []
    for v in itertools.product(*grid.values()):
        p = dict(zip(grid, v))
        if p.get("frac_lo", 0) >= p.get("frac_hi", 1): continue
        a, b, _ = evaluate(p)
        M, FA, SP, _ = sad_vs_union(p)
        res.append((a["der"], b["der"], M, FA, p))
    res.sort(key=lambda r: r[0])
    for r in res[:top]:
        print("%.3f %.3f miss %.1f fa %.1f %s" % r, flush=True)
if sys.argv[1] == "pct":
    run(dict(vgate=[0.35], smooth=[11, 31], frac_hi=[0.4, 0.5, 0.6], frac_lo=[0.2, 0.3, 0.4], gap=[1.0, 1.5, 2.0]))
if sys.argv[1] == "ctx":
    run(dict(vgate=[0.35], sad=["ctx"], frac_hi=[0.5, 0.6], frac_lo=[0.3, 0.4], ctx_len=[31, 51, 101], ctx_frac=[0.2, 0.35, 0.5], gap=[1.0, 1.5]))
if sys.argv[1] == "post":
    run(dict(vgate=[0.35], frac_hi=[0.6], frac_lo=[0.3, 0.4], gap=[0.5, 1.0, 1.5], post_gap=[0.0, 1.5, 2.0, 2.5]), top=12)
