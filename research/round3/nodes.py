"""Dendrogram nodes of every file: split statistics against whether the split separates different speakers."""
import sys
import numpy as np
from scipy.cluster.hierarchy import linkage, to_tree
from scipy.spatial.distance import squareform
import r3common as C
import pipeline2 as P
P.ref_of = C.ref_of


def window_truth(f, mask, cents, n, p):
    spk = -np.ones(n, int); cnt = np.zeros(n, int); names = {}
    for s, e, k in C.ref_of(f):
        a, b = int(s / 0.01), int(e / 0.01)
        spk[a:b] = names.setdefault(k, len(names)); cnt[a:b] += 1
    spk[cnt != 1] = -1
    wl = int(p["win"] / 0.01)
    y = []
    for c in cents:
        a = c - wl // 2; lab = spk[a:a + wl][mask[a:a + wl]]; lab = lab[lab >= 0]
        y.append(np.bincount(lab).argmax() if len(lab) else -1)
    return np.array(y)


def stats(En, E, A, B):
    DA = 1 - En[A] @ En[A].T; DB = 1 - En[B] @ En[B].T; DAB = 1 - En[A] @ En[B].T
    wA = DA.sum() / max(1, len(A) * (len(A) - 1)); wB = DB.sum() / max(1, len(B) * (len(B) - 1))
    r1 = DAB.mean() / ((wA + wB) / 2)
    # re-standardised over A u B
    idx = np.concatenate([A, B]); Rn = P.normalise_embeddings(E[idx]); a = len(A)
    R = 1 - Rn @ Rn.T
    r2 = R[:a, a:].mean()
    # Fisher-like: centroid distance over pooled within std along the centroid direction (standardised space)
    Z = (E - E.mean(0)) / (E.std(0) + 1e-8)
    u = Z[A].mean(0) - Z[B].mean(0); un = u / (np.linalg.norm(u) + 1e-12)
    pa, pb = Z[A] @ un, Z[B] @ un
    fisher = (pa.mean() - pb.mean()) / np.sqrt(0.5 * (pa.var() + pb.var()) + 1e-12)
    return r1, r2, fisher, DAB.mean()


def walk(f, p, m=8, maxdepth=4):
    d = C.feats(f)
    mask = P.run_sad(d, p, f)
    if mask.sum() < 10:
        return []
    X = P.cmvn_mfcc(d, mask)
    E, cents = P.window_embeddings(X, mask, p)
    if len(E) < 2 * m:
        return []
    En = P.normalise_embeddings(E)
    y = window_truth(f, mask, cents, len(mask), p)
    D = np.clip(1 - En @ En.T, 0, 2); np.fill_diagonal(D, 0)
    root = to_tree(linkage(squareform(D, checks=False), method="average"))
    out = []
    stack = [(root, 0)]
    while stack:
        nd, dep = stack.pop()
        if nd.is_leaf() or dep > maxdepth:
            continue
        A = np.array(nd.left.pre_order()); B = np.array(nd.right.pre_order())
        if len(A) >= m and len(B) >= m:
            ya, yb = y[A][y[A] >= 0], y[B][y[B] >= 0]
            if len(ya) and len(yb):
                ma, mb = np.bincount(ya).argmax(), np.bincount(yb).argmax()
                pa, pb = (ya == ma).mean(), (yb == mb).mean()
                # a "true" split: the two sides are led by different speakers
                truth = ma != mb
                out.append((f, dep, len(A), len(B), nd.dist, truth, pa, pb) + stats(En, E, A, B))
        stack += [(nd.left, dep + 1), (nd.right, dep + 1)]
    return out


if __name__ == "__main__":
    p = dict(P.PARAMS)
    files = sys.argv[1:] or (C.FILES + C.SYN_FILES)
    print("file  dep  nA  nB  height truth purA purB   r1    r2  fisher dAB")
    for f in files:
        for r in walk(f, p):
            print(f"{r[0]:6s} {r[1]:2d} {r[2]:4d} {r[3]:4d} {r[4]:6.3f} {int(r[5]):3d} {r[6]:.2f} {r[7]:.2f} {r[8]:5.2f} {r[9]:5.2f} {r[10]:6.2f} {r[11]:5.2f}")
