"""Round 3: window embeddings over the frames that are speech before gap filling ("core" frames)."""
import sys, ast
import numpy as np
import r3common as C
import pipeline2 as P
import sad as S
from bicclus import evaluate
P.ref_of = C.ref_of


def core_mask(d, mask, p):
    kind = p.get("core", "none")
    if kind == "none":
        return mask
    v = S.moving_average(d["sad_e"], p["smooth"])
    floor = np.percentile(v, p["p_floor"]); peak = np.percentile(v, p["p_peak"]); rng = peak - floor
    lo = floor + max(p["min_delta"] - 3.0, p["frac_lo"] * rng)
    if kind == "lo":
        return mask & (v >= lo)
    if kind == "raw":
        return mask & (d["sad_e"] >= lo)
    if kind == "voiced":
        return mask & (d["vp"] > 0.6)
    raise ValueError(kind)


def window_embeddings(X, mask, core, p):
    wl = int(round(p["win"] / 0.01)); hp = int(round(p["hop"] / 0.01))
    embs, cents = [], []
    for st in range(0, max(1, len(X) - wl + 1), hp):
        m = mask[st:st + wl]; c = core[st:st + wl]
        if m.sum() < p["min_speech"] * wl or c.sum() < p.get("min_core", 10):
            continue
        seg = X[st:st + wl][c]
        embs.append(np.concatenate([seg.mean(0), seg.std(0)])); cents.append(st + wl // 2)
    return np.array(embs), np.array(cents, int)


def embed(d, p, f):
    mask = P.run_sad(d, p, f)
    if mask.sum() < 10:
        return mask, None, None, None
    core = core_mask(d, mask, p)
    X = P.cmvn_mfcc(d, core if core.sum() >= 10 else mask)
    E, cents = window_embeddings(X, mask, core, p)
    return mask, core, E, cents


def pause_rule(fl, core, mask):
    """Drop non-core frames between two different speakers (the C# pause rule, approximately)."""
    return fl


def diarize(d, p, f=None, oracle=False):
    mask, core, E, cents = embed(d, p, f)
    if E is None:
        return -np.ones(len(mask), int)
    if len(E) < 3:
        lab = np.zeros(len(E), int)
    elif p["clus"] == "rec":
        import recur
        q = dict(recur.DEF); q.update(p)
        lab = recur.reassign_small(E, recur.recursive(E, np.arange(len(E)), q), q)
    elif p["clus"] == "gsc":
        lab = P.CLUS_FUNCS["ahc"](P.normalise_embeddings(E), p)
        if lab.max() >= 1:
            import clus2
            q = dict(p); q["max_spk"] = p.get("sc_max", 10)
            lab2 = clus2.cluster_sc(P.normalise_embeddings(E), q)
            if lab2.max() >= lab.max():
                lab = lab2
    else:
        lab = P.CLUS_FUNCS[p["clus"]](P.normalise_embeddings(E), p)
    fl = P.frames_to_labels(mask, cents, lab)
    if p.get("drop_pause", 0):
        # non-core runs >= drop_pause s whose neighbours differ become non-speech
        n = len(fl); i = 0
        nc = mask & ~core
        for a, b in P.runs(nc):
            if b - a >= p["drop_pause"] / 0.01 and a > 0 and b < n and fl[a - 1] != fl[b] and fl[a-1] >= 0 and fl[b] >= 0:
                fl[a:b] = -1
    return fl


if __name__ == "__main__":
    p = dict(max_spk=10)
    for a in sys.argv[1:]:
        k, v = a.split("=", 1); p[k] = ast.literal_eval(v)
    if p.get("clus") == "sc":
        import clus2  # noqa: F401
    for name, fs in [("AMI", C.FILES), ("SYN", C.SYN_FILES), ("HELD", C.HELD_FILES)]:
        t25, t0, rows = evaluate(p, fs, fn=diarize)
        print(name, " ".join(f"{r[0]}={100*r[1]['der']:.1f}/{r[3]}" for r in rows), f"TOTAL {100*t25['der']:.2f} / {100*t0['der']:.2f}")
