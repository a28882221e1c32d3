"""SAD variants: per-clip GMM (1-D energy or 2-D energy+voicing), long-context majority."""
import round1path  # noqa: F401  (round 1 modules)
import numpy as np
from sad import moving_average as ma, hysteresis
import pipeline2 as PL


def gmm_em(X, k=2, iters=50, init=None):
    """Full-covariance GMM by EM on X (n, d). init: initial means (k, d). Returns (w, mu, cov)."""
    n, d = X.shape
    mu = init.copy()
    cov = np.array([np.cov(X.T).reshape(d, d) + 1e-3 * np.eye(d)] * k)
    w = np.ones(k) / k
    for _ in range(iters):
        ll = np.stack([np.log(w[j]) + logpdf(X, mu[j], cov[j]) for j in range(k)], 1)
        m = ll.max(1, keepdims=True)
        g = np.exp(ll - m); g /= g.sum(1, keepdims=True)
        nk = g.sum(0) + 1e-9
        w = nk / n
        mu = (g.T @ X) / nk[:, None]
        for j in range(k):
            D = X - mu[j]
            cov[j] = (g[:, j, None] * D).T @ D / nk[j] + 1e-2 * np.eye(d)
    return w, mu, cov


def logpdf(X, mu, C):
    D = X - mu
    Ci = np.linalg.inv(C)
    return -0.5 * (np.einsum("ij,jk,ik->i", D, Ci, D) + np.linalg.slogdet(C)[1] + len(mu) * np.log(2 * np.pi))


def sad_gmm(d, p):
    """Two-class GMM on smoothed band energy (+ optional smoothed voicing). Speech = component with
    the higher energy mean. Frame speech if log posterior ratio > p['gmm_llr'] (hysteresis with
    p['gmm_llr_lo']). Then gap filling and island removal."""
    e = ma(d["sad_e"], p["smooth"])
    cols = [e]
    if p.get("gmm_vp"):
        cols.append(20 * ma(np.clip(d["vp"], 0, 1), p["smooth"]))
    X = np.stack(cols, 1)
    lo, hi = np.percentile(e, 10), np.percentile(e, 90)
    init = np.array([X[e <= lo].mean(0), X[e >= hi].mean(0)])
    w, mu, cov = gmm_em(X, 2, 40, init)
    ll0 = np.log(w[0]) + logpdf(X, mu[0], cov[0])
    ll1 = np.log(w[1]) + logpdf(X, mu[1], cov[1])
    if mu[0, 0] > mu[1, 0]:
        ll0, ll1 = ll1, ll0
    llr = ll1 - ll0
    # guard: speech component must be at least min_sep dB above the noise component
    sep = abs(mu[0, 0] - mu[1, 0])
    m = hysteresis(llr, p.get("gmm_llr_lo", 0.0), p.get("gmm_llr", 0.0))
    m = PL.fill_gaps(m, int(round(p["gap"] / 0.01)), int(round(p["min_isl"] / 0.01)))
    return m


def sad_ctx(d, p):
    """Percentile thresholds on 11-frame smoothed energy, then long-context majority:
    frame is speech if > ctx_frac of the frames in a ctx_len window are >= thr."""
    e = ma(d["sad_e"], p["smooth"])
    floor, peak = np.percentile(e, p["p_floor"]), np.percentile(e, p["p_peak"])
    rng = peak - floor
    thr = floor + max(p["min_delta"], p["frac_hi"] * rng)
    thr_lo = floor + max(p["min_delta"] - 3, p["frac_lo"] * rng)
    hard = hysteresis(e, thr_lo, thr).astype(float)
    frac = ma(hard, p["ctx_len"])
    m = frac > p["ctx_frac"]
    m = PL.fill_gaps(m, int(round(p["gap"] / 0.01)), int(round(p["min_isl"] / 0.01)))
    return m


PL.SAD_FUNCS["gmm"] = sad_gmm
PL.SAD_FUNCS["ctx"] = sad_ctx
