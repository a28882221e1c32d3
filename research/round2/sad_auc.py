"""Frame AUC of candidate SAD cues vs union of reference speech."""
import round1path  # noqa: F401  (round 1 modules)
import numpy as np
from cache import feats
from common import FILES, ref_union
from pipeline2 import frame_mask
from sad import moving_average as ma


def auc(s, y):
    r = np.argsort(np.argsort(s)) + 1
    n1 = y.sum(); n0 = len(y) - n1
    if n1 == 0 or n0 == 0: return np.nan
    return (r[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)


rows = []
for f in FILES:
    d = feats(f)
    y = frame_mask(ref_union(f), len(d["sad_e"]))
    e = ma(d["sad_e"], 11)
    vp = ma(np.clip(d["vp"], 0, 1), 11)
    fl = ma(np.log(d["flat"]), 11)
    en = ma(d["ent"], 11)
    lowr = ma(d["sad_e"] - d["low"], 11)
    e50 = ma(d["sad_e"], 51)
    cues = dict(e=e, e51=e50, vp=vp, flat=-fl, ent=-en, band_minus_low=lowr,
                e_x_vp=(e - np.percentile(e, 10)) * vp)
    rows.append((f, y.mean(), {k: auc(v, y) for k, v in cues.items()}))
ks = list(rows[0][2])
print("file  sp%  " + " ".join(f"{k:>8s}" for k in ks))
for f, sp, a in rows:
    print(f"{f} {100*sp:4.0f} " + " ".join(f"{a[k]:8.3f}" for k in ks))
