"""Leave-one-out: choose params on 11 clips (min total DER c=.25), score the 12th."""
import round1path  # noqa: F401  (round 1 modules)
import itertools
import numpy as np
from pipeline2 import evaluate
from common import FILES

GRID = dict(vgate=[0.0, 0.3, 0.35, 0.4], frac_hi=[0.5, 0.6], frac_lo=[0.3, 0.4], gap=[1.0, 1.5],
            ahc_thr=[1.2, 99.0])

if __name__ == "__main__":
    confs = [dict(zip(GRID, v)) for v in itertools.product(*GRID.values())]
    per = []
    for p in confs:
        _, _, rows = evaluate(p)
        per.append([[a["miss"] + a["fa"] + a["conf"], a["scored"], b["miss"] + b["fa"] + b["conf"], b["scored"]]
                    for _, a, b, _, _ in rows])
    per = np.array(per); tot = per.sum(1)
    ib = int(np.argmin(tot[:, 0] / tot[:, 1]))
    print("in-sample best: %s  %.1f / %.1f" % (confs[ib], 100 * tot[ib, 0] / tot[ib, 1], 100 * tot[ib, 2] / tot[ib, 3]))
    held = np.zeros(4)
    for i, f in enumerate(FILES):
        rest = tot - per[:, i]
        j = int(np.argmin(rest[:, 0] / rest[:, 1]))
        held += per[j, i]
        print(f"{f}: chose {confs[j]}  held-out DER25 {100*per[j,i,0]/per[j,i,1]:.1f}")
    print("LOO total DER25 %.1f  DER0 %.1f" % (100 * held[0] / held[1], 100 * held[2] / held[3]))
