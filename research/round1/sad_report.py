"""SAD miss / false alarm of the final pipeline SAD against the union of reference speech (collar 0)."""
import numpy as np
from features import load_wav
from common import FILES, DATA, ref_union
import pipeline as PL

if __name__ == "__main__":
    M = FA = SP = 0.0
    for f in FILES:
        x = load_wav(f"{DATA}/{f}.wav"); F = PL.frame_features(x, PL.PARAMS)
        m = PL.run_sad(F, len(x) / 16000, PL.PARAMS)
        t = np.arange(len(m)) * 0.01 + 0.0125
        r = np.zeros(len(m), bool)
        for s, e in ref_union(f):
            r |= (t >= s) & (t < e)
        mi, fa, sp = 0.01 * (r & ~m).sum(), 0.01 * (~r & m).sum(), 0.01 * r.sum()
        M += mi; FA += fa; SP += sp
        print(f"{f}: ref speech {sp:5.1f}s  miss {mi:5.1f}s  FA {fa:5.1f}s")
    print(f"TOTAL: ref speech {SP:.1f}s  miss {M:.1f}s ({100*M/SP:.1f}%)  FA {FA:.1f}s ({100*FA/SP:.1f}% of ref speech)")
