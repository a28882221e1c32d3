"""Frame-level resegmentation: per-speaker full-covariance Gaussians on CMVN MFCC, smoothed
log-likelihoods, a few iterations; optional forced 2-way initial split validated by delta-BIC."""
import round1path  # noqa: F401  (round 1 modules)
import numpy as np
from scipy.cluster.hierarchy import linkage, fcluster
from scipy.spatial.distance import squareform
import pipeline2 as PL
import clus2
from sad import moving_average as ma


def gauss_ll(X, Y):
    mu = Y.mean(0)
    C = np.cov(Y.T, bias=True) + 1e-2 * np.eye(Y.shape[1])
    Ci = np.linalg.inv(C)
    D = X - mu
    return -0.5 * (np.einsum("ij,jk,ik->i", D, Ci, D) + np.linalg.slogdet(C)[1])


def reseg(d, X, fl, p):
    """Iterate: fit one Gaussian per speaker on its frames, smooth frame LL over reseg_win frames
    (speech frames only, moving average), relabel each speech frame by argmax."""
    X = X[:, :p.get("reseg_dims", 19)]
    sp = np.where(fl >= 0)[0]
    for _ in range(p.get("reseg_iter", 3)):
        ks = sorted(set(fl[sp]))
        ks = [k for k in ks if (fl == k).sum() >= p.get("reseg_min", 100)]
        if len(ks) < 2:
            fl[sp] = ks[0] if ks else fl[sp]
            return fl
        L = np.stack([ma(gauss_ll(X[sp], X[fl == k]), p.get("reseg_win", 51)) for k in ks], 1)
        new = np.array(ks)[L.argmax(1)]
        if (new == fl[sp]).all():
            break
        fl[sp] = new
    return fl


PL.RESEG = reseg


def forced2(d, p, f=None, oracle=False):
    """SAD -> windows -> AHC cut at 2 clusters -> reseg -> keep split only if delta-BIC > 0."""
    mask = PL.run_sad(d, p, f, oracle)
    if mask.sum() < 10:
        return -np.ones(len(mask), int)
    X = PL.cmvn_mfcc(d, mask)
    E, cents = PL.window_embeddings(X, mask, p)
    if len(E) < 4:
        fl = mask.astype(int) - 1
        return fl
    En = PL.normalise_embeddings(E)
    D = np.clip(1.0 - En @ En.T, 0, 2); np.fill_diagonal(D, 0)
    Z = linkage(squareform(D, checks=False), method=p.get("f2_link", "average"))
    lab = fcluster(Z, t=2, criterion="maxclust") - 1
    fl = PL.frames_to_labels(mask, cents, lab)
    fl = reseg(d, X, fl, p)
    ks = sorted(set(fl[fl >= 0]))
    if len(ks) == 2:
        a, b = X[fl == ks[0]][:, :p.get("reseg_dims", 19)], X[fl == ks[1]][:, :p.get("reseg_dims", 19)]
        if min(len(a), len(b)) < p.get("bic_min", 50) or clus2.delta_bic(a, b, p["f2_lam"], True) < 0:
            fl[fl >= 0] = 0
    if p["post_gap"] > 0:
        fl = PL.post_gap_fill(fl, int(round(p["post_gap"] / 0.01)))
    return fl
