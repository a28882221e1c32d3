"""Evaluate SAD vs union of reference speech (time-based miss/FA), plus 1-speaker DER."""
import sys, itertools
import numpy as np
from features import load_wav, extract
from common import FILES, DATA, ref_of, ref_union
from scorer import score, total, _merge_intervals
import sad as S

CACHE = {}


def feats(f):
    """Cached feature extraction per file."""
    if f not in CACHE:
        x = load_wav(f"{DATA}/{f}.wav")
        CACHE[f] = (extract(x), len(x) / 16000.0)
    return CACHE[f]


def seg_overlap(a, b):
    """Total overlap duration between two lists of disjoint intervals."""
    tot = 0.0
    for s, e in a:
        for s2, e2 in b:
            tot += max(0.0, min(e, e2) - max(s, s2))
    return tot


def sad_stats(params, files=FILES):
    """Return (miss_s, fa_s, ref_speech_s, nonspeech_s, der25, der0) for 1-speaker-over-SAD."""
    miss = fa = sp = ns = 0.0
    r25, r0 = [], []
    for f in files:
        F, dur = feats(f)
        segs, _ = S.sad(F["loge"], dur, **params)
        u = ref_union(f)
        usp = sum(e - s for s, e in u)
        hsp = sum(e - s for s, e in segs)
        ov = seg_overlap(u, segs)
        miss += usp - ov; fa += hsp - ov; sp += usp; ns += dur - usp
        hyp = [(s, e, "A") for s, e in segs]
        r25.append(score(ref_of(f), hyp, 0.25)); r0.append(score(ref_of(f), hyp, 0.0))
    return miss, fa, sp, ns, total(r25)["der"], total(r0)["der"]


if __name__ == "__main__":
    grid = dict(p_floor=[5, 10, 20], frac_hi=[0.3, 0.4, 0.5], frac_lo=[0.2, 0.3],
                min_delta=[6, 10], gap=[0.3, 0.5, 0.7], min_isl=[0.1, 0.3], smooth=[5])
    keys = list(grid)
    res = []
    for vals in itertools.product(*grid.values()):
        p = dict(zip(keys, vals))
        if p["frac_lo"] > p["frac_hi"]:
            continue
        m, fa, sp, ns, d25, d0 = sad_stats(p)
        res.append((d25, d0, m / sp, fa / sp, p))
    res.sort(key=lambda r: r[0])
    for r in res[:15]:
        print("DER1spk %.3f %.3f  miss %.3f fa %.3f (of ref speech)  %s" % r)
