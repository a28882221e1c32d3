"""Round 3 experiment: full-covariance delta-BIC agglomerative clustering of short speech segments."""
import sys
import numpy as np
import r3common as C
import pipeline2 as P
from scorer import score, total

P.ref_of = C.ref_of


def chunks(mask, seg_frames):
    out = []
    for a, b in P.runs(mask):
        n = b - a
        k = max(1, int(round(n / seg_frames)))
        edges = np.linspace(a, b, k + 1).round().astype(int)
        out += [(edges[i], edges[i + 1]) for i in range(k)]
    return out


def stats(X, segs):
    d = X.shape[1]
    N = np.array([b - a for a, b in segs], float)
    S1 = np.array([X[a:b].sum(0) for a, b in segs])
    S2 = np.array([X[a:b].T @ X[a:b] for a, b in segs])
    return N, S1, S2


def logdet(N, S1, S2, reg):
    mu = S1 / N[..., None]
    cov = S2 / N[..., None, None] - mu[..., :, None] * mu[..., None, :]
    d = cov.shape[-1]
    cov = cov + reg * np.eye(d)
    return np.linalg.slogdet(cov)[1]


def bic_ahc(X, segs, lam, reg=1e-3, max_spk=None, min_spk=1):
    d = X.shape[1]
    N, S1, S2 = stats(X, segs)
    alive = list(range(len(segs)))
    labels = list(range(len(segs)))
    members = {i: [i] for i in alive}
    ld = logdet(N, S1, S2, reg)
    pen = 0.5 * (d + d * (d + 1) / 2)
    # pairwise delta-BIC
    n = len(segs)
    def dbic(i, j):
        Nm = N[i] + N[j]
        l = logdet(Nm, S1[i] + S1[j], S2[i] + S2[j], reg)
        return 0.5 * (Nm * l - N[i] * ld[i] - N[j] * ld[j]) - lam * pen * np.log(Nm)
    I, J = np.triu_indices(n, 1)
    Nm = N[I] + N[J]
    l = logdet(Nm, S1[I] + S1[J], S2[I] + S2[J], reg)
    D = np.full((n, n), np.inf)
    D[I, J] = 0.5 * (Nm * l - N[I] * ld[I] - N[J] * ld[J]) - lam * pen * np.log(Nm)
    D[J, I] = D[I, J]
    act = np.ones(n, bool)
    k = n
    while k > min_spk:
        Dm = np.where(act[:, None] & act[None, :], D, np.inf)
        i, j = np.unravel_index(np.argmin(Dm), Dm.shape)
        if Dm[i, j] >= 0 and (max_spk is None or k <= max_spk):
            break
        # merge j into i
        N[i] += N[j]; S1[i] += S1[j]; S2[i] += S2[j]
        ld[i] = logdet(N[i], S1[i], S2[i], reg)
        act[j] = False
        members[i] += members.pop(j)
        k -= 1
        others = np.where(act)[0]
        others = others[others != i]
        if len(others):
            Nm = N[i] + N[others]
            l = logdet(Nm, S1[i] + S1[others], S2[i] + S2[others], reg)
            v = 0.5 * (Nm * l - N[i] * ld[i] - N[others] * ld[others]) - lam * pen * np.log(Nm)
            D[i, others] = v; D[others, i] = v
    lab = np.zeros(n, int)
    for c, (root, mem) in enumerate(members.items()):
        lab[mem] = c
    return lab


def reseg(X, fl, iters=1, smooth=51, reg=1e-3):
    fl = fl.copy()
    sp = fl >= 0
    for _ in range(iters):
        ks = [k for k in np.unique(fl[sp])]
        if len(ks) < 2:
            return fl
        LL = []
        for k in ks:
            Y = X[fl == k]
            mu = Y.mean(0); cov = np.cov(Y.T) + reg * np.eye(X.shape[1])
            ci = np.linalg.inv(cov); s, ldt = np.linalg.slogdet(cov)
            Z = X - mu
            LL.append(-0.5 * (np.einsum('ij,jk,ik->i', Z, ci, Z) + ldt))
        LL = np.array(LL)
        if smooth > 1:
            ker = np.ones(smooth) / smooth
            LL = np.array([np.convolve(r, ker, mode="same") for r in LL])
        new = np.array(ks)[LL.argmax(0)]
        fl[sp] = new[sp]
    return fl


def diarize(d, p, f=None, oracle=False):
    mask = P.run_sad(d, p, f, oracle)
    if mask.sum() < 10:
        return -np.ones(len(mask), int)
    X = P.cmvn_mfcc(d, mask)[:, :p.get("dims", 19)]
    segs = chunks(mask, int(p["seg"] / 0.01))
    if len(segs) < 2:
        lab = np.zeros(len(segs), int)
    else:
        lab = bic_ahc(X, segs, p["lam"], p.get("reg", 1e-3))
    fl = -np.ones(len(mask), int)
    for (a, b), l in zip(segs, lab):
        fl[a:b] = l
    if p.get("reseg", 0):
        fl = reseg(X, fl, p["reseg"], p.get("rsmooth", 51))
    return fl


def evaluate(p, files, fn=diarize, verbose=False):
    pp = dict(P.PARAMS, **p)
    r25, r0, rows = [], [], []
    for f in files:
        d = C.feats(f)
        fl = fn(d, pp, f)
        hyp = P.labels_to_segments(fl)
        ref = C.ref_of(f)
        a, b = score(ref, hyp, 0.25), score(ref, hyp, 0.0)
        r25.append(a); r0.append(b)
        rows.append((f, a, b, len({k for *_, k in hyp}), len({k for *_, k in ref})))
    t25, t0 = total(r25), total(r0)
    if verbose:
        print(P.table(rows, t25, t0))
    return t25, t0, rows


if __name__ == "__main__":
    import ast
    p = {"seg": 1.0, "lam": 1.0}
    for a in sys.argv[1:]:
        k, v = a.split("=", 1); p[k] = ast.literal_eval(v)
    for name, fs in [("AMI", C.FILES), ("SYN", C.SYN_FILES)]:
        t25, t0, rows = evaluate(p, fs, verbose=True)
