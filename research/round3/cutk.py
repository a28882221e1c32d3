"""Oracle-k partitions: is the average-linkage dendrogram (or a refinement of it) able to separate the voices?"""
import sys
import numpy as np
from scipy.cluster.hierarchy import linkage, fcluster
from scipy.spatial.distance import squareform
import r3common as C
import pipeline2 as P
from bicclus import evaluate
P.ref_of = C.ref_of


def emb(d, p, f):
    mask = P.run_sad(d, p, f)
    X = P.cmvn_mfcc(d, mask)
    E, cents = P.window_embeddings(X, mask, p)
    return mask, P.normalise_embeddings(E), cents


def refine(En, lab, iters):
    for _ in range(iters):
        ks = np.unique(lab)
        Cn = np.array([En[lab == k].mean(0) for k in ks]); Cn /= np.linalg.norm(Cn, axis=1, keepdims=True)
        new = ks[(En @ Cn.T).argmax(1)]
        if (new == lab).all():
            break
        lab = new
    return lab


def make(k_of, method="average", iters=0):
    def fn(d, p, f):
        mask, En, cents = emb(d, p, f)
        D = np.clip(1 - En @ En.T, 0, 2); np.fill_diagonal(D, 0)
        Z = linkage(squareform(D, checks=False), method=method)
        lab = fcluster(Z, t=k_of(f), criterion="maxclust") - 1
        lab = refine(En, lab, iters)
        fl = P.frames_to_labels(mask, cents, lab)
        return fl
    return fn


nspk = lambda f: len({k for *_, k in C.ref_of(f)})
for method in ("average", "complete", "ward"):
    for it in (0, 10):
        t25, t0, rows = evaluate({}, C.SYN_FILES, fn=make(nspk, method, it))
        print(method, "refine", it, " ".join(f"{r[0]}={100*r[1]['der']:.1f}" for r in rows), f"TOTAL {100*t25['der']:.2f}")
