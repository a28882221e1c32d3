import itertools, sys
import reseg as RS
from pipeline2 import evaluate
def run(grid, oracle, fn=None, top=8):
    res = []
    for v in itertools.product(*grid.values()):
        p = dict(zip(grid, v))
        a, b, rows = evaluate(p, oracle, fn=fn)
        res.append((a["der"], b["der"], "".join(str(r[3]) for r in rows), p))
    res.sort(key=lambda r: r[0])
    for r in res[:top]:
        print("%.3f %.3f nspk %s %s" % r, flush=True)
for oracle in (True, False):
    print("oracle" if oracle else "real SAD")
    if sys.argv[1] == "reseg":
        run(dict(reseg=[1], reseg_win=[21, 51, 101], reseg_dims=[12, 19], reseg_iter=[1, 3]), oracle)
    if sys.argv[1] == "f2":
        run(dict(f2_lam=[1.0, 1.5, 2.0, 3.0, 4.0], reseg_win=[51, 101], reseg_dims=[12, 19]), oracle, fn=RS.forced2, top=12)
