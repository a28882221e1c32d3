"""Evaluate the pipeline on all clips: per-file table at collar 0.25 and 0, plus totals.

usage: /usr/bin/python3 run_eval.py [--oracle-sad] [key=value ...]
"""
import sys, ast
from features import load_wav
from common import FILES, DATA, ref_of, ref_union
from scorer import score, total
import pipeline as PL

_FEAT = {}


def evaluate(p, oracle=False, files=FILES, verbose=False):
    """Run + score all files; returns (total25, total0, per-file list)."""
    rows, r25, r0 = [], [], []
    pp = dict(PL.PARAMS, **p)
    for f in files:
        key = (f, pp["n_mels"], pp["n_mfcc"], pp["sad_band"])
        if key not in _FEAT:
            x = load_wav(f"{DATA}/{f}.wav")
            _FEAT[key] = (x, PL.frame_features(x, pp))
        x, F = _FEAT[key]
        fn = PL.diarize_bic if pp["algo"] == "bic" else PL.diarize
        hyp = fn(x, pp, oracle_sad=ref_union(f) if oracle else None, F=F)
        ref = ref_of(f)
        a, b = score(ref, hyp, 0.25), score(ref, hyp, 0.0)
        r25.append(a); r0.append(b)
        rows.append((f, a, b, len({k for *_, k in hyp}), len({k for *_, k in ref})))
    t25, t0 = total(r25), total(r0)
    if verbose:
        print("file   nref nhyp | c=.25 miss   fa  conf   DER | c=0 miss   fa  conf   DER")
        for f, a, b, nh, nr in rows + [("TOTAL", t25, t0, "", "")]:
            print(f"{f:6s} {nr!s:>4} {nh!s:>4} | {a['miss']:9.2f} {a['fa']:5.2f} {a['conf']:5.2f} {100*a['der']:5.1f}"
                  f" | {b['miss']:8.2f} {b['fa']:5.2f} {b['conf']:5.2f} {100*b['der']:5.1f}")
    return t25, t0, rows


if __name__ == "__main__":
    oracle = "--oracle-sad" in sys.argv
    p = {}
    for a in sys.argv[1:]:
        if "=" in a:
            k, v = a.split("=", 1)
            try:
                p[k] = ast.literal_eval(v)
            except Exception:
                p[k] = v
    evaluate(p, oracle, verbose=True)
