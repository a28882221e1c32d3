import numpy as np, sys
import r3common as C, pipeline2 as P
from recur import ahc
from nodes import window_truth
P.ref_of = C.ref_of
f = sys.argv[1]; p = dict(P.PARAMS)
d = C.feats(f); mask = P.run_sad(d, p, f); X = P.cmvn_mfcc(d, mask)
E, cents = P.window_embeddings(X, mask, p)
y = window_truth(f, mask, cents, len(mask), p)
lab = ahc(P.normalise_embeddings(E), 1.2)
wl = 150
spf = np.array([mask[c - 75:c + 75].mean() for c in cents])
for k in np.unique(lab):
    idx = np.where(lab == k)[0]
    print("top", k, len(idx), np.bincount(y[idx][y[idx] >= 0]))
    sub = ahc(P.normalise_embeddings(E[idx]), 1.2)
    for s in np.unique(sub):
        j = idx[sub == s]
        print("   sub", s, len(j), "truth", np.bincount(y[j][y[j] >= 0]), "speechfrac %.2f" % spf[j].mean(), "unk", (y[j] < 0).sum())
