"""Round 3: AMI clips and synthetic meetings through round 2's features, SAD and scorer."""
import os
import sys
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(_HERE, "..", "round2"))
import round1path  # noqa: F401,E402
import numpy as np  # noqa: E402
import cache  # noqa: E402
from features import load_wav, extract, power_spectrum, SR  # noqa: E402
from common import DATA, FILES  # noqa: E402
from scorer import read_rttm  # noqa: E402

SYN = os.environ.get("SYN_DIRS", "/work/synth-meetings:/work/synth-held").split(":")
CDIR = os.path.join(_HERE, "cache")
os.makedirs(CDIR, exist_ok=True)


def path_of(f):
    if f in FILES:
        return f"{DATA}/{f}"
    for d in SYN:
        if os.path.exists(f"{d}/{f}.wav"):
            return f"{d}/{f}"
    raise FileNotFoundError(f)


def feats(f):
    if f in FILES:
        return cache.feats(f)
    p = f"{CDIR}/{f}.npz"
    if not os.path.exists(p):
        x = load_wav(path_of(f) + ".wav")
        F = extract(x, n_mels=40, n_mfcc=20)
        P0, _ = power_spectrum(x, 0.0)
        fr = np.linspace(0, SR / 2, P0.shape[1])
        band = (fr >= 300) & (fr < 3400)
        sad_e = 10 * np.log10(P0[:, band].sum(1) + 1e-10)
        vp, vl = cache.voicing(x, len(sad_e))
        np.savez(p, mfcc=F["mfcc"], logmel=F["logmel"], sad_e=sad_e, vp=vp, vl=vl, dur=len(x) / SR)
    d = dict(np.load(p))
    d["dur"] = float(d["dur"])
    return d


def ref_of(f):
    return read_rttm(path_of(f) + ".rttm")[f]


SYN_FILES = ["syn2", "syn4", "syn6", "syn8"]
HELD_FILES = ["held2", "held4", "held6", "held8"]
