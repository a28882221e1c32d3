"""Round 3: recursive (divisive) re-clustering. Each cluster is re-standardised over its own windows and
clustered again with the same calibrated rule; recursion stops when a cluster does not split."""
import sys
import numpy as np
from scipy.cluster.hierarchy import linkage, fcluster
from scipy.spatial.distance import squareform
import r3common as C
import pipeline2 as P
from bicclus import evaluate
P.ref_of = C.ref_of


def ahc(En, thr):
    if len(En) < 3:
        return np.zeros(len(En), int)
    D = np.clip(1 - En @ En.T, 0, 2); np.fill_diagonal(D, 0)
    Z = linkage(squareform(D, checks=False), method="average")
    return fcluster(Z, t=thr, criterion="distance") - 1


def recursive(E, idx, p, depth=0):
    """E raw window embeddings; idx indices of this cluster. Returns (groups, leftover indices)."""
    if (depth > 0 and len(idx) < p["min_win"]) or depth >= p["max_depth"]:
        return [idx], []
    lab = ahc(P.normalise_embeddings(E[idx]), p["ahc_thr"] if depth == 0 else p.get("rthr", p["ahc_thr"]))
    ks, cnt = np.unique(lab, return_counts=True)
    big = ks if depth == 0 else ks[cnt >= p["min_keep"]]
    if len(big) < 2:
        return [idx], []
    groups, left = [], list(idx[~np.isin(lab, big)])
    for k in big:
        g, l = recursive(E, idx[lab == k], p, depth + 1)
        groups += g; left += l
    return groups, left


def reassign_small(E, res, p):
    """Leftover windows go to the nearest group centroid (in the session-normalised space)."""
    groups, left = res
    En = P.normalise_embeddings(E)
    lab = -np.ones(len(E), int)
    for c, g in enumerate(groups):
        lab[g] = c
    if len(left):
        Cn = np.array([En[g].mean(0) for g in groups]); Cn /= np.linalg.norm(Cn, axis=1, keepdims=True) + 1e-12
        left = np.array(left)
        lab[left] = (En[left] @ Cn.T).argmax(1)
    return lab


def diarize(d, p, f=None, oracle=False):
    mask = P.run_sad(d, p, f, oracle)
    if mask.sum() < 10:
        return -np.ones(len(mask), int)
    X = P.cmvn_mfcc(d, mask)
    E, cents = P.window_embeddings(X, mask, p)
    if len(E) < 3:
        lab = np.zeros(len(E), int)
    else:
        groups = recursive(E, np.arange(len(E)), p)
        lab = reassign_small(E, groups, p)
        if p.get("refine", 0):
            from cutk import refine
            lab = refine(P.normalise_embeddings(E), lab, p["refine"])
    return P.frames_to_labels(mask, cents, lab)


DEF = dict(min_win=20, max_depth=4, min_keep=8, max_spk=99)

if __name__ == "__main__":
    import ast
    p = dict(DEF)
    for a in sys.argv[1:]:
        k, v = a.split("=", 1); p[k] = ast.literal_eval(v)
    for name, fs in [("AMI", C.FILES), ("SYN", C.SYN_FILES), ("HELD", C.HELD_FILES)]:
        t25, t0, rows = evaluate(p, fs, fn=diarize, verbose=("-v" in p))
        print(name, " ".join(f"{r[0]}={100*r[1]['der']:.1f}/{r[3]}" for r in rows), f"TOTAL {100*t25['der']:.2f} / {100*t0['der']:.2f}")
