"""Leave-one-out over a small grid: choose params on 11 clips (min total DER c=.25), test on the 12th."""
import itertools
import numpy as np
from run_eval import evaluate
from common import FILES

GRID = dict(ahc_thr=[1.1, 1.15, 1.2, 1.25, 99.0], frac_hi=[0.5, 0.6, 0.7], gap=[0.7, 1.0, 1.5])

if __name__ == "__main__":
    confs = [dict(zip(GRID, v)) for v in itertools.product(*GRID.values())]
    per = []  # per config: arrays (12, 4) of [err25, scored25, err0, scored0]
    for p in confs:
        _, _, rows = evaluate(p)
        per.append(np.array([[a["miss"] + a["fa"] + a["conf"], a["scored"], b["miss"] + b["fa"] + b["conf"], b["scored"]]
                             for _, a, b, _, _ in rows]))
    per = np.array(per)
    tot = per.sum(1)
    ib = int(np.argmin(tot[:, 0] / tot[:, 1]))
    print("in-sample best on grid: %s  DER25 %.1f DER0 %.1f" % (confs[ib], 100 * tot[ib, 0] / tot[ib, 1], 100 * tot[ib, 2] / tot[ib, 3]))
    held = np.zeros(4)
    for i, f in enumerate(FILES):
        rest = tot - per[:, i]
        j = int(np.argmin(rest[:, 0] / rest[:, 1]))
        held += per[j, i]
        print(f"{f}: chose {confs[j]}  held-out DER25 {100*per[j,i,0]/per[j,i,1]:.1f}")
    print("LOO total DER25 %.1f  DER0 %.1f" % (100 * held[0] / held[1], 100 * held[2] / held[3]))
