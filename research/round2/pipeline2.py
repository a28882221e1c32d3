"""StreamDiarize features-only pipeline, research v2.

Stages (each selectable through PARAMS):
  SAD:        'pct'  (colleague's percentile + hysteresis)  |  'gmm' (per-clip 2-component GMM)
  gap filling: before clustering (SAD level) and/or after clustering (same-speaker bridging)
  clustering: 'ahc' (cosine average linkage)  |  'sc' (spectral clustering, Wang et al. 2018)
  resegmentation: optional per-speaker Gaussian / GMM + Viterbi
"""
import round1path  # noqa: F401  (round 1 modules)
import numpy as np
from scipy.cluster.hierarchy import linkage, fcluster
import sad as S
from cache import feats
from common import FILES, ref_of, ref_union
from scorer import score, total

PARAMS = dict(
    sad="pct", p_floor=10, p_peak=99, frac_hi=0.6, frac_lo=0.4, min_delta=6.0, smooth=11,
    gap=1.5, min_isl=0.4,
    win=1.5, hop=0.25, min_speech=0.3,
    clus="ahc", ahc_thr=1.2, max_spk=4,
    post_gap=0.0, vgate=0.35, vgate_vp=0.6,
)


def frame_mask(segs, n):
    t = np.arange(n) * 0.01 + 0.0125
    m = np.zeros(n, bool)
    for s, e in segs:
        m |= (t >= s) & (t < e)
    return m


# ----------------------------------------------------------------------------- SAD
def runs(mask):
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.where(d == 1)[0], np.where(d == -1)[0]))


def fill_gaps(mask, gap_frames, min_frames):
    """Fill non-speech gaps shorter than gap_frames (between two speech runs), then drop runs < min_frames."""
    m = mask.copy()
    r = runs(m)
    for (a0, b0), (a1, b1) in zip(r[:-1], r[1:]):
        if a1 - b0 < gap_frames:
            m[b0:a1] = True
    for a, b in runs(m):
        if b - a < min_frames:
            m[a:b] = False
    return m


def sad_pct(d, p):
    _, m = S.sad(d["sad_e"], d["dur"], p_floor=p["p_floor"], p_peak=p["p_peak"], frac_hi=p["frac_hi"],
                 frac_lo=p["frac_lo"], min_delta=p["min_delta"], d_peak=99.0, smooth=p["smooth"],
                 gap=p["gap"], min_isl=p["min_isl"], pad=0.0)
    return m


def run_sad(d, p, f=None, oracle=False):
    n = len(d["sad_e"])
    if oracle:
        return frame_mask(ref_union(f), n)
    fn = SAD_FUNCS[p["sad"]]
    m = fn(d, p)
    if p.get("vgate", 0) > 0:
        m = voicing_gate(m, d["vp"], p["vgate_vp"], p["vgate"])
    return m


def voicing_gate(m, vp, vthr, frac):
    """Drop every SAD segment in which fewer than `frac` of the frames have voicing peak > vthr."""
    m = m.copy()
    for a, b in runs(m):
        if (vp[a:b] > vthr).mean() < frac:
            m[a:b] = False
    return m


SAD_FUNCS = {"pct": sad_pct}


# ----------------------------------------------------------------------------- embeddings
def cmvn_mfcc(d, mask):
    X = d["mfcc"][:, 1:]
    sp = X[mask] if mask.sum() >= 10 else X
    return (X - sp.mean(0)) / (sp.std(0) + 1e-8)


def window_embeddings(X, mask, p):
    wl = int(round(p["win"] / 0.01)); hp = int(round(p["hop"] / 0.01))
    embs, cents, idxs = [], [], []
    n = len(X)
    for st in range(0, max(1, n - wl + 1), hp):
        m = mask[st:st + wl]
        if m.sum() < p["min_speech"] * wl:
            continue
        seg = X[st:st + wl][m]
        embs.append(np.concatenate([seg.mean(0), seg.std(0)])); cents.append(st + wl // 2)
    return np.array(embs), np.array(cents, int)


def normalise_embeddings(E):
    E = (E - E.mean(0)) / (E.std(0) + 1e-8)
    return E / (np.linalg.norm(E, axis=1, keepdims=True) + 1e-8)


def cluster_ahc(En, p):
    from scipy.spatial.distance import squareform
    D = np.clip(1.0 - En @ En.T, 0.0, 2.0)
    np.fill_diagonal(D, 0.0)
    Z = linkage(squareform(D, checks=False), method="average")
    lab = fcluster(Z, t=p["ahc_thr"], criterion="distance") - 1
    if lab.max() + 1 > p["max_spk"]:
        lab = fcluster(Z, t=p["max_spk"], criterion="maxclust") - 1
    return lab


CLUS_FUNCS = {"ahc": cluster_ahc}


def frames_to_labels(mask, cents, lab):
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


def post_gap_fill(fl, gap_frames):
    """Bridge non-speech gaps < gap_frames whose two neighbouring frames carry the same speaker."""
    fl = fl.copy()
    sp = np.where(fl >= 0)[0]
    if len(sp) < 2:
        return fl
    for a, b in zip(sp[:-1], sp[1:]):
        if 1 < b - a <= gap_frames and fl[a] == fl[b]:
            fl[a + 1:b] = fl[a]
    return fl


def labels_to_segments(fl):
    segs = []
    n = len(fl); i = 0
    while i < n:
        if fl[i] < 0:
            i += 1; continue
        j = i
        while j < n and fl[j] == fl[i]:
            j += 1
        segs.append((i * 0.01, j * 0.01, f"spk{fl[i]}"))
        i = j
    return segs


def diarize_frames(d, p, f=None, oracle=False):
    """Returns frame labels (-1 non-speech, k speaker)."""
    mask = run_sad(d, p, f, oracle)
    if mask.sum() < 10:
        return -np.ones(len(mask), int)
    X = cmvn_mfcc(d, mask)
    E, cents = window_embeddings(X, mask, p)
    if len(E) < 3:
        lab = np.zeros(len(E), int)
    else:
        lab = CLUS_FUNCS[p["clus"]](normalise_embeddings(E), p)
    fl = frames_to_labels(mask, cents, lab)
    if p.get("bic_lam", 0) > 0:
        fl = BIC_MERGE(X, fl, p)
    if p.get("reseg"):
        fl = RESEG(d, X, fl, p)
    if p["post_gap"] > 0:
        fl = post_gap_fill(fl, int(round(p["post_gap"] / 0.01)))
    return fl


RESEG = None
BIC_MERGE = None


def evaluate(p=None, oracle=False, files=FILES, verbose=False, fn=None):
    pp = dict(PARAMS, **(p or {}))
    rows, r25, r0 = [], [], []
    for f in files:
        d = feats(f)
        fl = (fn or diarize_frames)(d, pp, f, oracle)
        hyp = labels_to_segments(fl)
        ref = ref_of(f)
        a, b = score(ref, hyp, 0.25), score(ref, hyp, 0.0)
        r25.append(a); r0.append(b)
        rows.append((f, a, b, len({k for *_, k in hyp}), len({k for *_, k in ref})))
    t25, t0 = total(r25), total(r0)
    if verbose:
        print(table(rows, t25, t0))
    return t25, t0, rows


def table(rows, t25, t0):
    out = ["file   nref nhyp | c=.25 miss    fa  conf   DER | c=0 miss    fa  conf   DER"]
    for f, a, b, nh, nr in rows + [("TOTAL", t25, t0, "", "")]:
        out.append(f"{f:6s} {nr!s:>4} {nh!s:>4} | {a['miss']:9.2f} {a['fa']:5.2f} {a['conf']:5.2f} {100*a['der']:6.1f}"
                   f" | {b['miss']:8.2f} {b['fa']:5.2f} {b['conf']:5.2f} {100*b['der']:6.1f}")
    return "\n".join(out)


def sad_vs_union(p, files=FILES):
    """SAD miss / FA (s) vs union of reference speech, collar 0."""
    pp = dict(PARAMS, **(p or {}))
    M = FA = SP = 0.0
    per = []
    for f in files:
        d = feats(f)
        m = run_sad(d, pp, f)
        r = frame_mask(ref_union(f), len(m))
        mi, fa, sp = 0.01 * (r & ~m).sum(), 0.01 * (~r & m).sum(), 0.01 * r.sum()
        per.append((f, sp, mi, fa)); M += mi; FA += fa; SP += sp
    return M, FA, SP, per


if __name__ == "__main__":
    import sys, ast
    p = {}
    for a in sys.argv[1:]:
        if "=" in a:
            k, v = a.split("=", 1)
            try:
                p[k] = ast.literal_eval(v)
            except Exception:
                p[k] = v
    evaluate(p, "--oracle-sad" in sys.argv, verbose=True)
    M, FA, SP, _ = sad_vs_union(p)
    print(f"SAD vs union: miss {M:.1f}s ({100*M/SP:.1f}%) FA {FA:.1f}s ({100*FA/SP:.1f}%) of {SP:.1f}s")
