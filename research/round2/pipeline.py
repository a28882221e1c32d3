"""Features-only diarization pipeline: SAD -> window MFCC statistics -> clustering -> labels.

All constants are in PARAMS (see FINDINGS.md for the chosen values).
"""
import numpy as np
from scipy.cluster.hierarchy import linkage, fcluster
from scipy.ndimage import median_filter
from features import load_wav, extract, power_spectrum, SR
import sad as S

PARAMS = dict(
    # SAD
    sad_band=(300.0, 3400.0), p_floor=10, p_peak=99, frac_hi=0.6, frac_lo=0.3, min_delta=6.0,
    d_peak=99.0, smooth=11, gap=1.0, min_isl=0.4, pad=0.0,
    # embeddings
    n_mels=40, n_mfcc=20, drop_c0=True, win=1.5, hop=0.25, use_std=True,
    # clustering
    method="ahc", ahc_thr=1.2, max_spk=4, min_cluster_frac=0.0,
    # count decision
    bic_lambda=1.0, chunk=1.0, bic_full=False, bic_dims=19, algo="ahc",
    # output
    smooth_frames=1, min_turn=0.0,
)


def band_energy_db(P, band):
    """Frame energy (dB) of the power spectrum restricted to [band[0], band[1]) Hz (no pre-emphasis)."""
    f = np.linspace(0, SR / 2, P.shape[1])
    b = (f >= band[0]) & (f < band[1])
    return 10 * np.log10(P[:, b].sum(1) + 1e-10)


def frame_features(x, p):
    """Compute MFCCs (pre-emphasised) and the SAD energy (raw spectrum) for a signal."""
    F = extract(x, n_mels=p["n_mels"], n_mfcc=p["n_mfcc"])
    P0, _ = power_spectrum(x, 0.0)
    F["sad_e"] = band_energy_db(P0, p["sad_band"])
    return F


def run_sad(F, dur, p, oracle=None):
    """Speech mask per 10 ms frame (oracle: list of (s,e) to use instead)."""
    n = len(F["sad_e"])
    t = np.arange(n) * 0.01 + 0.0125
    if oracle is not None:
        m = np.zeros(n, bool)
        for s, e in oracle:
            m |= (t >= s) & (t < e)
        return m
    keys = ("p_floor", "p_peak", "frac_hi", "frac_lo", "min_delta", "d_peak", "smooth", "gap", "min_isl", "pad")
    _, m = S.sad(F["sad_e"], dur, **{k: p[k] for k in keys})
    return m


def window_embeddings(mfcc, mask, p):
    """Per window (win s, hop s) over speech frames: mean (+std) of session-CMVN MFCCs.

    Windows whose speech-frame count < 30% of the window length are skipped.
    Returns (embeddings (W, D), centre frame index per window (W,)).
    """
    X = mfcc[:, 1:] if p["drop_c0"] else mfcc
    sp = X[mask]
    if len(sp) < 10:
        return np.zeros((0, X.shape[1])), np.zeros(0, int)
    X = (X - sp.mean(0)) / (sp.std(0) + 1e-8)
    wl = int(round(p["win"] / 0.01)); hp = int(round(p["hop"] / 0.01))
    embs, cents = [], []
    n = len(X)
    for st in range(0, max(1, n - wl + 1), hp):
        m = mask[st:st + wl]
        if m.sum() < 0.3 * wl:
            continue
        seg = X[st:st + wl][m]
        v = [seg.mean(0)]
        if p["use_std"]:
            v.append(seg.std(0))
        embs.append(np.concatenate(v)); cents.append(st + wl // 2)
    # last partial window
    return np.array(embs), np.array(cents, int)


def normalise_embeddings(E):
    """Session standardisation of window embeddings then L2 normalisation."""
    E = (E - E.mean(0)) / (E.std(0) + 1e-8)
    return E / (np.linalg.norm(E, axis=1, keepdims=True) + 1e-8)


def cluster(E, p):
    """Cluster window embeddings; returns integer labels (W,)."""
    W = len(E)
    if W < 3:
        return np.zeros(W, int)
    En = normalise_embeddings(E)
    if p["method"] == "ahc":
        Z = linkage(En, method="average", metric="cosine")
        lab = fcluster(Z, t=p["ahc_thr"], criterion="distance") - 1
        # keep at most max_spk clusters
        if lab.max() + 1 > p["max_spk"]:
            lab = fcluster(Z, t=p["max_spk"], criterion="maxclust") - 1
        return lab
    raise ValueError(p["method"])


def frames_to_labels(mask, cents, lab):
    """Assign each speech frame the label of the nearest window centre (-1 = non-speech)."""
    out = -np.ones(len(mask), int)
    if len(cents) == 0:
        out[mask] = 0
        return out
    idx = np.where(mask)[0]
    j = np.searchsorted(cents, idx)
    j0 = np.clip(j - 1, 0, len(cents) - 1); j1 = np.clip(j, 0, len(cents) - 1)
    near = np.where(np.abs(cents[j0] - idx) <= np.abs(cents[j1] - idx), j0, j1)
    out[idx] = lab[near]
    return out


def labels_to_segments(fl, hop=0.01, offset=0.0):
    """Frame labels -> list of (start, end, 'spkK'); frame i spans [i*hop, (i+1)*hop)."""
    segs = []
    n = len(fl); i = 0
    while i < n:
        if fl[i] < 0:
            i += 1; continue
        j = i
        while j < n and fl[j] == fl[i]:
            j += 1
        segs.append((i * hop + offset, j * hop + offset, f"spk{fl[i]}"))
        i = j
    return segs


def diarize(x, p=None, oracle_sad=None, F=None):
    """Full pipeline on a signal x; returns list of (start, end, speaker)."""
    p = dict(PARAMS, **(p or {}))
    dur = len(x) / SR
    if F is None:
        F = frame_features(x, p)
    mask = run_sad(F, dur, p, oracle_sad)
    E, cents = window_embeddings(F["mfcc"], mask, p)
    lab = cluster(E, p)
    fl = frames_to_labels(mask, cents, lab)
    return labels_to_segments(fl)


# ---------------------------------------------------------------------------
# BIC agglomerative clustering on diagonal-Gaussian segment models
# ---------------------------------------------------------------------------
def speech_chunks(mask, chunk):
    """Split speech runs into consecutive chunks of `chunk` frames (last piece merged if < chunk/2).

    Returns list of frame-index arrays.
    """
    out = []
    d = np.diff(np.concatenate([[0], mask.astype(int), [0]]))
    for a, b in zip(np.where(d == 1)[0], np.where(d == -1)[0]):
        st = a
        while st < b:
            en = min(b, st + chunk)
            if b - en < chunk // 2:
                en = b
            out.append(np.arange(st, en))
            st = en
    return out


def _logdet_diag(n, s, ss, floor=1e-3):
    """n * sum(log var) for a diagonal Gaussian from sufficient stats (n, sum, sum of squares)."""
    mu = s / n
    var = np.maximum(ss / n - mu * mu, floor)
    return n * np.log(var).sum()


def bic_ahc(X, chunks, lam, max_spk=4, full=False):
    """Agglomerative clustering of chunks with delta-BIC (diag or full Gaussian).

    Merge cost between clusters i, j:
        dBIC = 0.5 * (N log|S| - Ni log|Si| - Nj log|Sj|) - lam * 0.5 * P * log(N_total)
    with P = 2d (diag) or d + d(d+1)/2 (full). Repeatedly merge the pair of minimum dBIC while it is
    < 0 (or while more than max_spk clusters remain). Returns label per chunk.
    """
    d = X.shape[1]
    stats = []
    for c in chunks:
        Y = X[c]
        stats.append([len(Y), Y.sum(0), (Y * Y).sum(0) if not full else Y.T @ Y])
    Ntot = sum(s[0] for s in stats)
    P = 2 * d if not full else d + d * (d + 1) / 2
    pen = lam * 0.5 * P * np.log(Ntot)

    def ld(st):
        n, s, ss = st
        if not full:
            return _logdet_diag(n, s, ss)
        mu = s / n
        C = ss / n - np.outer(mu, mu) + 1e-3 * np.eye(d)
        return n * np.linalg.slogdet(C)[1]

    lds = [ld(s) for s in stats]
    members = [[i] for i in range(len(chunks))]
    alive = list(range(len(chunks)))
    cache = {}

    def cost(i, j):
        key = (min(i, j), max(i, j))
        if key not in cache:
            m = [stats[i][0] + stats[j][0], stats[i][1] + stats[j][1], stats[i][2] + stats[j][2]]
            cache[key] = 0.5 * (ld(m) - lds[i] - lds[j]) - pen
        return cache[key]

    while len(alive) > 1:
        best = None
        for a in range(len(alive)):
            for b in range(a + 1, len(alive)):
                c = cost(alive[a], alive[b])
                if best is None or c < best[0]:
                    best = (c, alive[a], alive[b])
        c, i, j = best
        if c >= 0 and len(alive) <= max_spk:
            break
        stats.append([stats[i][0] + stats[j][0], stats[i][1] + stats[j][1], stats[i][2] + stats[j][2]])
        lds.append(ld(stats[-1]))
        members.append(members[i] + members[j])
        k = len(stats) - 1
        alive = [a for a in alive if a not in (i, j)] + [k]
    lab = np.zeros(len(chunks), int)
    for ci, a in enumerate(alive):
        for m in members[a]:
            lab[m] = ci
    return lab


def diarize_bic(x, p=None, oracle_sad=None, F=None):
    """Pipeline variant: SAD -> chunks -> BIC-AHC on CMVN MFCC frames -> frame labels."""
    p = dict(PARAMS, **(p or {}))
    dur = len(x) / SR
    if F is None:
        F = frame_features(x, p)
    mask = run_sad(F, dur, p, oracle_sad)
    X = F["mfcc"][:, 1:] if p["drop_c0"] else F["mfcc"]
    if mask.sum() < 10:
        return []
    X = (X - X[mask].mean(0)) / (X[mask].std(0) + 1e-8)
    X = X[:, :p.get("bic_dims", X.shape[1])]
    chunks = speech_chunks(mask, int(round(p["chunk"] / 0.01)))
    lab = bic_ahc(X, chunks, p["bic_lambda"], p["max_spk"], p.get("bic_full", False))
    fl = -np.ones(len(mask), int)
    for c, l in zip(chunks, lab):
        fl[c] = l
    return labels_to_segments(fl)
