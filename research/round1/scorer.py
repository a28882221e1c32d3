"""NIST md-eval style DER scorer (event-based on the union of boundaries).

Conventions
-----------
* Collar c: +-c seconds around EVERY reference segment boundary (start and end of each
  RTTM line, no merging of same-speaker segments) are removed from scoring.
* Overlapped speech is scored: in each elementary interval with Nref reference speakers
  and Nhyp hypothesis speakers,
      scored   += d * Nref
      miss     += d * max(0, Nref - Nhyp)
      FA       += d * max(0, Nhyp - Nref)
      conf     += d * (min(Nref, Nhyp) - Ncorrect)
  where Ncorrect is the number of ref speakers whose mapped hyp speaker is also active.
* Speaker mapping: optimal one-to-one mapping maximising total overlap time (scored
  region only), Hungarian algorithm (scipy.optimize.linear_sum_assignment).
* Total DER over files = sum of errors / sum of scored reference time.
"""
import numpy as np
from scipy.optimize import linear_sum_assignment


def read_rttm(path):
    """Read an RTTM file -> dict file_id -> list of (start, end, speaker). UTF-8."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.split()
            if not p or p[0] != "SPEAKER":
                continue
            st, du = float(p[3]), float(p[4])
            out.setdefault(p[1], []).append((st, st + du, p[7]))
    return out


def write_rttm(path, file_id, segs):
    """Write list of (start, end, speaker) as RTTM."""
    with open(path, "w", encoding="utf-8") as f:
        for s, e, spk in segs:
            f.write(f"SPEAKER {file_id} 1 {s:.3f} {e - s:.3f} <NA> <NA> {spk} <NA> <NA>\n")


def _merge_intervals(iv):
    iv = sorted(iv)
    out = []
    for s, e in iv:
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return out


def score(ref, hyp, collar=0.25, uem=None):
    """Score one file.

    ref, hyp : lists of (start, end, speaker)
    collar   : seconds removed on each side of every reference boundary
    uem      : optional (start, end) scoring region; default = whole timeline spanned by ref/hyp
    returns dict(scored, miss, fa, conf, der)
    """
    ref = [(s, e, k) for s, e, k in ref if e > s]
    hyp = [(s, e, k) for s, e, k in hyp if e > s]
    pts = set()
    for s, e, _ in ref + hyp:
        pts.add(s); pts.add(e)
    nocol = []
    if collar > 0:
        for s, e, _ in ref:
            nocol.append((s - collar, s + collar))
            nocol.append((e - collar, e + collar))
        nocol = _merge_intervals(nocol)
        for s, e in nocol:
            pts.add(s); pts.add(e)
    if uem is not None:
        pts.add(uem[0]); pts.add(uem[1])
    pts = np.array(sorted(pts))
    if len(pts) < 2:
        return dict(scored=0.0, miss=0.0, fa=0.0, conf=0.0, der=0.0)
    a, b = pts[:-1], pts[1:]
    mid = 0.5 * (a + b)
    dur = b - a
    keep = dur > 0
    if uem is not None:
        keep &= (mid >= uem[0]) & (mid <= uem[1])
    for s, e in nocol:
        keep &= ~((mid > s) & (mid < e))
    mid, dur = mid[keep], dur[keep]
    rspk = sorted({k for _, _, k in ref}); hspk = sorted({k for _, _, k in hyp})
    R = np.zeros((len(rspk), len(mid)), bool)
    H = np.zeros((len(hspk), len(mid)), bool)
    ri = {k: i for i, k in enumerate(rspk)}; hi = {k: i for i, k in enumerate(hspk)}
    for s, e, k in ref:
        R[ri[k]] |= (mid > s) & (mid < e)
    for s, e, k in hyp:
        H[hi[k]] |= (mid > s) & (mid < e)
    nref = R.sum(0); nhyp = H.sum(0)
    ncorr = np.zeros(len(mid))
    if len(rspk) and len(hspk):
        ov = (R[:, None, :] & H[None, :, :]).astype(float) @ dur  # (nr, nh)
        ri_, ci_ = linear_sum_assignment(-ov)
        for r, h in zip(ri_, ci_):
            ncorr += (R[r] & H[h])
    scored = float((nref * dur).sum())
    miss = float((np.maximum(0, nref - nhyp) * dur).sum())
    fa = float((np.maximum(0, nhyp - nref) * dur).sum())
    conf = float(((np.minimum(nref, nhyp) - ncorr) * dur).sum())
    der = (miss + fa + conf) / scored if scored > 0 else 0.0
    return dict(scored=scored, miss=miss, fa=fa, conf=conf, der=der)


def total(results):
    """Aggregate a list of per-file score dicts."""
    t = {k: sum(r[k] for r in results) for k in ("scored", "miss", "fa", "conf")}
    t["der"] = (t["miss"] + t["fa"] + t["conf"]) / t["scored"]
    return t
