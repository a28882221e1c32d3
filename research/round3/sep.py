"""How separable are the speakers of a meeting with window MFCC statistics? Oracle diagnostics."""
import sys
import numpy as np
import r3common as C
import pipeline2 as P
P.ref_of = C.ref_of


def oracle_windows(f, win=1.5, hop=0.25, feat="mfcc", dims=19):
    d = C.feats(f)
    mask = P.run_sad(d, P.PARAMS, f)
    n = len(mask)
    spk = -np.ones(n, int); names = {}
    cnt = np.zeros(n, int)
    for s, e, k in C.ref_of(f):
        a, b = int(s / 0.01), int(e / 0.01)
        spk[a:b] = names.setdefault(k, len(names)); cnt[a:b] += 1
    spk[cnt != 1] = -1
    if feat == "mfcc":
        X = P.cmvn_mfcc(d, mask)[:, :dims]
    else:
        L = d["logmel"]; sp = L[mask]; X = (L - sp.mean(0)) / (sp.std(0) + 1e-8)
    wl, hp = int(win / 0.01), int(hop / 0.01)
    E, y, t = [], [], []
    for st in range(0, n - wl, hp):
        m = mask[st:st + wl]
        lab = spk[st:st + wl][m]
        if m.sum() < 0.3 * wl or len(lab) == 0 or (lab != lab[0]).any() or lab[0] < 0:
            continue
        seg = X[st:st + wl][m]
        E.append(np.concatenate([seg.mean(0), seg.std(0)])); y.append(lab[0]); t.append(st)
    return np.array(E), np.array(y), np.array(t)


def ncc(Etr, ytr, Ete, yte):
    ks = np.unique(ytr)
    Cn = np.array([Etr[ytr == k].mean(0) for k in ks])
    Cn /= np.linalg.norm(Cn, axis=1, keepdims=True)
    return (ks[(Ete @ Cn.T).argmax(1)] == yte).mean()


def lda(E, y, k=None):
    mu = E.mean(0); ks = np.unique(y)
    Sw = sum(np.cov(E[y == c].T, bias=True) * (y == c).sum() for c in ks if (y == c).sum() > 1) / len(E)
    Sb = sum((y == c).sum() * np.outer(E[y == c].mean(0) - mu, E[y == c].mean(0) - mu) for c in ks) / len(E)
    from scipy.linalg import eigh
    w, V = eigh(Sb, Sw + 1e-6 * np.eye(len(mu)))
    return V[:, ::-1][:, :k or len(ks) - 1]


if __name__ == '__main__':
  for f in sys.argv[1:]:
      for win in (1.5, 3.0):
          E, y, t = oracle_windows(f, win)
          Z = (E - E.mean(0)) / E.std(0)
          Zn = Z / np.linalg.norm(Z, axis=1, keepdims=True)
          half = t < np.median(t)
          acc = ncc(Zn[half], y[half], Zn[~half], y[~half])
          W = lda(Z[half], y[half])
          Ln = Z @ W; Ln -= Ln[half].mean(0); Ln /= np.linalg.norm(Ln, axis=1, keepdims=True)
          acc2 = ncc(Ln[half], y[half], Ln[~half], y[~half])
          # average within/between cosine distance
          D = 1 - Zn @ Zn.T; same = y[:, None] == y[None, :]
          print(f"{f} win {win}: n={len(y)} spk={len(np.unique(y))} NCC cos {acc:.3f}  NCC LDA {acc2:.3f}  "
                f"cos within {D[same].mean():.2f} between {D[~same].mean():.2f}")
