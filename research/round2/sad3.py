"""SAD variant 'pctv': percentile hysteresis where the low threshold is relaxed on voiced frames."""
import round1path  # noqa: F401  (round 1 modules)
import numpy as np
from sad import moving_average as ma, hysteresis
import pipeline2 as PL


def sad_pctv(d, p):
    e = ma(d["sad_e"], p["smooth"])
    floor, peak = np.percentile(e, p["p_floor"]), np.percentile(e, p["p_peak"])
    rng = peak - floor
    hi = floor + max(p["min_delta"], p["frac_hi"] * rng)
    lo = floor + max(p["min_delta"] - 3, p["frac_lo"] * rng)
    lov = floor + p["frac_v"] * rng
    v = ma(np.clip(d["vp"], 0, 1), p["smooth"])
    e2 = np.where((v > p["v_thr"]) & (e >= lov), np.maximum(e, lo), e)   # voiced frames pass the low threshold
    m = hysteresis(e2, lo, hi)
    return PL.fill_gaps(m, int(round(p["gap"] / 0.01)), int(round(p["min_isl"] / 0.01)))


PL.SAD_FUNCS["pctv"] = sad_pctv
