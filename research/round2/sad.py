"""Adaptive energy speech activity detection (SAD).

Per-frame (10 ms) decision from the frame log-energy (dB) relative to a per-clip noise floor
and speech peak level:
    floor = percentile(loge, P_FLOOR)          (offline; streaming: running P_FLOOR percentile
                                                 over the last ~10-30 s, or running minimum
                                                 of a 0.5 s smoothed energy with slow rise)
    peak  = percentile(loge, P_PEAK)
    thr_hi = max(floor + max(MIN_DELTA, FRAC_HI * (peak - floor)), peak - D_PEAK)
    thr_lo = floor + max(MIN_DELTA - 3, FRAC_LO * (peak - floor))   (hysteresis)
Energy is first smoothed with a centred moving average of SMOOTH frames.
Hysteresis: a run of frames >= thr_lo becomes speech if it contains a frame >= thr_hi.
Post-processing: fill gaps < GAP s, then drop islands < MIN_ISL s, then pad each segment by PAD s.
"""
import numpy as np

DEFAULT = dict(p_floor=10, p_peak=95, frac_hi=0.45, frac_lo=0.35, min_delta=9.0,
               d_peak=99.0, smooth=5, gap=0.5, min_isl=0.2, pad=0.0)


def moving_average(v, n):
    """Centred moving average of odd length n (edges use the available samples)."""
    if n <= 1:
        return v.copy()
    k = np.ones(n)
    num = np.convolve(v, k, mode="same")
    den = np.convolve(np.ones_like(v), k, mode="same")
    return num / den


def hysteresis(v, lo, hi):
    """Boolean mask: runs of v >= lo that contain at least one v >= hi."""
    above = v >= lo
    out = np.zeros(len(v), bool)
    i = 0
    n = len(v)
    while i < n:
        if above[i]:
            j = i
            while j < n and above[j]:
                j += 1
            if (v[i:j] >= hi).any():
                out[i:j] = True
            i = j
        else:
            i += 1
    return out


def mask_to_segments(mask, hop=0.01, offset=0.0):
    """Convert a frame mask to [(start, end)] in seconds; frame i spans [i*hop, (i+1)*hop) + offset."""
    segs = []
    d = np.diff(np.concatenate([[0], mask.astype(int), [0]]))
    st = np.where(d == 1)[0]
    en = np.where(d == -1)[0]
    for a, b in zip(st, en):
        segs.append([a * hop + offset, b * hop + offset])
    return segs


def postprocess(segs, gap, min_isl, pad, total_dur):
    """Fill gaps shorter than gap, drop islands shorter than min_isl, pad by pad seconds."""
    out = []
    for s, e in segs:
        if out and s - out[-1][1] < gap:
            out[-1][1] = e
        else:
            out.append([s, e])
    out = [[s, e] for s, e in out if e - s >= min_isl]
    out = [[max(0.0, s - pad), min(total_dur, e + pad)] for s, e in out]
    merged = []
    for s, e in out:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return merged


def sad(loge, total_dur, **kw):
    """Run SAD on frame log-energies (dB). Returns (segments [(s,e)], frame mask after post-proc)."""
    p = dict(DEFAULT); p.update(kw)
    v = moving_average(loge, p["smooth"])
    floor = np.percentile(v, p["p_floor"])
    peak = np.percentile(v, p["p_peak"])
    rng = peak - floor
    hi = max(floor + max(p["min_delta"], p["frac_hi"] * rng), peak - p["d_peak"])
    lo = floor + max(p["min_delta"] - 3.0, p["frac_lo"] * rng)
    m = hysteresis(v, lo, hi)
    segs = mask_to_segments(m, 0.01, 0.0)
    segs = postprocess(segs, p["gap"], p["min_isl"], p["pad"], total_dur)
    t = np.arange(len(loge)) * 0.01 + 0.0125
    mask = np.zeros(len(loge), bool)
    for s, e in segs:
        mask |= (t >= s) & (t < e)
    return segs, mask
