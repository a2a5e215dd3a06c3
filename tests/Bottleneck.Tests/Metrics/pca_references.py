# Reference values for PcaTests.cs. Run with /usr/bin/python3 (Debian bookworm: numpy 1.24.2,
# python3-sklearn 1.2.1). numpy.linalg.eigh (LAPACK) is the oracle; sklearn's PCA (full SVD) is
# checked to agree with it. Components are signed like Bottleneck's (largest-|value| entry positive).
import numpy as np
from sklearn.decomposition import PCA

M = 0xFFFFFFFF
def u(i):
    x = (i * 2654435761) & M
    x ^= x >> 16
    x = (x * 0x45d9f3b) & M
    x ^= x >> 16
    return x / 4294967296.0

def orient(v):
    # as the C# side: the first entry within 1e-6 (relative) of the largest magnitude decides
    at = np.nonzero(np.abs(v) >= np.max(np.abs(v)) * (1 - 1e-6))[0][0]
    return v if v[at] > 0 else -v

def lit(a, fmt=repr):
    return "[" + ", ".join(fmt(float(v)) for v in a) + "]"

# 1. The eigensolver on an exact double matrix: A[i, j] = ((7i + 7j + 3ij) mod 19 − 9) / 9, n = 12.
n = 12
A = np.array([[((7 * i + 7 * j + 3 * i * j) % 19 - 9) / 9.0 for j in range(n)] for i in range(n)])
w, V = np.linalg.eigh(A)
w, V = w[::-1], V[:, ::-1]
print("eigh values =", lit(w))
for c in range(3):
    print(f"eigh vector {c} =", lit(orient(V[:, c])))

# 2. PCA of 200x50 data: x[i, j] = float32((u(50 i + j) − 0.5)(1 + 0.05 j)).
N, D, K = 200, 50, 5
X = np.array([[(u(D * i + j) - 0.5) * (1 + 0.05 * j) for j in range(D)] for i in range(N)], dtype=np.float32)
X64 = X.astype(np.float64)
mu = X64.mean(axis=0)
C = np.cov(X64, rowvar=False, ddof=1)
w, V = np.linalg.eigh(C)
w, V = w[::-1], V[:, ::-1]
comps = np.array([orient(V[:, c]) for c in range(K)])
sk = PCA(n_components=K, svd_solver="full").fit(X64)
skc = np.array([orient(c) for c in sk.components_])
assert np.allclose(sk.explained_variance_, w[:K], rtol=1e-12), "sklearn and eigh disagree on variances"
assert np.allclose(skc, comps, atol=1e-10), "sklearn and eigh disagree on components"
print("pca variances =", lit(w[:K]))
print("pca ratios =", lit(w[:K] / np.trace(C)))
print("pca total variance =", repr(float(np.trace(C))))
print("smallest gap between the first 6 eigenvalues =", float(np.min(-np.diff(w[:K + 1]))))
for c in range(3):
    print(f"pca component {c} =", lit(comps[c]))
codes = (X64 - mu) @ comps.T
print("codes row 0 =", lit(codes[0]))
print("codes row 199 =", lit(codes[199]))
recon = codes @ comps + mu
err = ((X64 - recon) ** 2).sum(axis=1)
print("reconstruction errors rows 0..4 =", lit(err[:5]))
