"""Generic parameter sweep: python3 sweep.py [--oracle-sad] 'key=[v1,v2]' ... (cartesian product)."""
import sys, ast, itertools
from run_eval import evaluate

if __name__ == "__main__":
    oracle = "--oracle-sad" in sys.argv
    grid = {}
    for a in sys.argv[1:]:
        if "=" in a:
            k, v = a.split("=", 1)
            grid[k] = ast.literal_eval(v)
    for vals in itertools.product(*grid.values()):
        p = dict(zip(grid, vals))
        t25, t0, rows = evaluate(p, oracle)
        ns = " ".join(str(r[3]) for r in rows)
        print(f"{100*t25['der']:5.1f} {100*t0['der']:5.1f}  conf25 {t25['conf']:5.1f}  nspk[{ns}]  {p}", flush=True)
