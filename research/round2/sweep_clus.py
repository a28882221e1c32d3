import itertools, sys
import clus2
import pipeline2 as PL
from pipeline2 import evaluate
def run(grid, oracle, top=8):
    res = []
    for v in itertools.product(*grid.values()):
        p = dict(zip(grid, v))
        a, b, rows = evaluate(p, oracle)
        res.append((a["der"], b["der"], "".join(str(r[3]) for r in rows), p))
    res.sort(key=lambda r: r[0])
    for r in res[:top]:
        print("%.3f %.3f nspk %s %s" % r, flush=True)
for oracle in (True, False):
    print("oracle" if oracle else "real SAD")
    if sys.argv[1] == "sc":
        run(dict(clus=["sc"], sc_sigma=[0.0, 1.0, 2.0, 3.0], sc_p=[0.8, 0.9, 0.95]), oracle)
    if sys.argv[1] == "bic":
        run(dict(clus=["ahc"], ahc_thr=[1.0, 1.1, 1.2], bic_lam=[0.5, 1.0, 1.5, 2.0, 3.0], bic_full=[True, False]), oracle)
