"""Per-file feature cache (npz in research/round2/cache, not committed): MFCC, band energy, extra SAD cues."""
import round1path  # noqa: F401  (round 1 modules)
import os
import numpy as np
from features import load_wav, extract, power_spectrum, SR
from common import DATA, FILES

CDIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cache")
os.makedirs(CDIR, exist_ok=True)
_MEM = {}


def voicing(x, n):
    """Normalised autocorrelation peak (lag 2.5-16 ms = 62.5-400 Hz) on 40 ms frames, hop 10 ms,
    centred on the 25 ms frame centre. Returns (peak value, lag of peak in samples)."""
    L = 640
    xp = np.concatenate([np.zeros(120), x, np.zeros(L)])
    idx = np.arange(L)[None, :] + 160 * np.arange(n)[:, None]
    fr = xp[idx]
    fr = fr - fr.mean(1, keepdims=True)
    fr = fr * np.hanning(L)[None, :]
    nf = 2048
    S = np.abs(np.fft.rfft(fr, nf, axis=1)) ** 2
    ac = np.fft.irfft(S, nf, axis=1)[:, :L]
    w = np.hanning(L)
    wac = np.fft.irfft(np.abs(np.fft.rfft(w, nf)) ** 2, nf)[:L]  # window autocorr normalisation
    acn = ac / (ac[:, :1] + 1e-12) / (wac / wac[0] + 1e-3)
    lo, hi = 40, 256
    seg = acn[:, lo:hi]
    k = seg.argmax(1)
    return seg[np.arange(n), k], k + lo


def feats(f):
    if f in _MEM:
        return _MEM[f]
    p = f"{CDIR}/{f}.npz"
    if not os.path.exists(p):
        x = load_wav(f"{DATA}/{f}.wav")
        F = extract(x, n_mels=40, n_mfcc=20)
        P0, _ = power_spectrum(x, 0.0)
        fr = np.linspace(0, SR / 2, P0.shape[1])
        band = (fr >= 300) & (fr < 3400)
        sad_e = 10 * np.log10(P0[:, band].sum(1) + 1e-10)
        Pb = P0[:, band] + 1e-12
        flat = np.exp(np.log(Pb).mean(1)) / Pb.mean(1)
        pn = Pb / Pb.sum(1, keepdims=True)
        ent = -(pn * np.log(pn)).sum(1) / np.log(Pb.shape[1])
        low = 10 * np.log10(P0[:, fr < 300].sum(1) + 1e-10)
        vp, vl = voicing(x, len(sad_e))
        np.savez(p, mfcc=F["mfcc"], logmel=F["logmel"], sad_e=sad_e, flat=flat, ent=ent, low=low,
                 vp=vp, vl=vl, dur=len(x) / SR)
    d = dict(np.load(p))
    d["dur"] = float(d["dur"])
    _MEM[f] = d
    return d


if __name__ == "__main__":
    import time
    t = time.time()
    for f in FILES:
        d = feats(f)
        print(f, d["mfcc"].shape, d["vp"][:3], time.time() - t)
