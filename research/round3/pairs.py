import sys
import numpy as np
from sep import oracle_windows
for f in sys.argv[1:]:
    E, y, t = oracle_windows(f, 1.5)
    Z = (E - E.mean(0)) / E.std(0); Zn = Z / np.linalg.norm(Z, axis=1, keepdims=True)
    ks = np.unique(y)
    D = 1 - Zn @ Zn.T
    M = np.array([[D[np.ix_(y == a, y == b)].mean() for b in ks] for a in ks])
    np.set_printoptions(precision=2, suppress=True, linewidth=150)
    print(f, "counts", [int((y == k).sum()) for k in ks]); print(M)
