"""Clustering variants: spectral clustering (Wang et al. 2018) and delta-BIC split validation."""
import numpy as np
from scipy.ndimage import gaussian_filter1d
import pipeline2 as PL


def kmeans(Y, k, iters=50):
    """Deterministic k-means: farthest-point init from the row with largest norm."""
    c = [Y[np.argmax((Y ** 2).sum(1))]]
    for _ in range(1, k):
        d2 = np.min([((Y - ci) ** 2).sum(1) for ci in c], 0)
        c.append(Y[np.argmax(d2)])
    C = np.array(c)
    for _ in range(iters):
        lab = np.argmin(((Y[:, None, :] - C[None]) ** 2).sum(2), 1)
        Cn = np.array([Y[lab == j].mean(0) if (lab == j).any() else C[j] for j in range(k)])
        if np.allclose(Cn, C):
            break
        C = Cn
    return lab


def refined_affinity(En, p):
    A = (En @ En.T + 1.0) / 2.0
    n = len(A)
    np.fill_diagonal(A, 0.0)
    np.fill_diagonal(A, A.max(1))                                # crop diagonal
    if p.get("sc_sigma", 1.0) > 0:
        A = gaussian_filter1d(gaussian_filter1d(A, p.get("sc_sigma", 1.0), 0, mode="nearest"),
                              p.get("sc_sigma", 1.0), 1, mode="nearest")
    thr = np.percentile(A, 100 * p.get("sc_p", 0.9), axis=1)[:, None]   # row-wise threshold
    A = np.where(A >= thr, A, 0.01 * A)
    A = np.maximum(A, A.T)                                       # symmetrize
    A = A @ A.T                                                  # diffuse
    A = A / A.max(1, keepdims=True)                              # row-normalise
    return 0.5 * (A + A.T)


def cluster_sc(En, p):
    A = refined_affinity(En, p)
    w, V = np.linalg.eigh(A)
    w, V = w[::-1], V[:, ::-1]
    kmax = min(p["max_spk"], len(A) - 1)
    gaps = w[:kmax] / np.maximum(w[1:kmax + 1], 1e-10)
    k = int(np.argmax(gaps)) + 1
    if k == 1:
        lab = np.zeros(len(A), int)
    else:
        Y = V[:, :k]
        Y = Y / (np.linalg.norm(Y, axis=1, keepdims=True) + 1e-10)
        lab = kmeans(Y, k)
    return lab


PL.CLUS_FUNCS["sc"] = cluster_sc


def gauss_ld(X, full):
    n = len(X)
    if full:
        C = np.cov(X.T, bias=True) + 1e-3 * np.eye(X.shape[1])
        return n * np.linalg.slogdet(C)[1]
    return n * np.log(X.var(0) + 1e-3).sum()


def delta_bic(X1, X2, lam, full=True):
    """> 0 favours two models."""
    X = np.vstack([X1, X2]); d = X.shape[1]
    P = d + d * (d + 1) / 2 if full else 2 * d
    return 0.5 * (gauss_ld(X, full) - gauss_ld(X1, full) - gauss_ld(X2, full)) - lam * 0.5 * P * np.log(len(X))


def bic_merge(X, fl, p):
    """Repeatedly merge the pair of clusters with the smallest delta-BIC while it is < 0."""
    fl = fl.copy()
    while True:
        ks = sorted(set(fl[fl >= 0]))
        if len(ks) < 2:
            return fl
        best = None
        for i in range(len(ks)):
            for j in range(i + 1, len(ks)):
                a, b = X[fl == ks[i]], X[fl == ks[j]]
                if min(len(a), len(b)) < p.get("bic_min", 50):
                    db = -1e9
                else:
                    db = delta_bic(a, b, p["bic_lam"], p.get("bic_full", True))
                if best is None or db < best[0]:
                    best = (db, ks[i], ks[j])
        if best[0] >= 0:
            return fl
        fl[fl == best[2]] = best[1]

PL.BIC_MERGE = bic_merge
