"""`python -m phylanx demo`: the paper's logistic regression as a kernel, checked vs NumPy."""

from __future__ import annotations

import time

import numpy as np

import phylanx


@phylanx.kernel
def logreg(X, y, alpha, iterations):
    w = np.zeros(X.shape[1])
    for _ in range(iterations):
        pred = 1.0 / (1.0 + np.exp(-(X @ w)))
        w = w - alpha * (X.T @ (pred - y))
    return w


def logreg_numpy(X, y, alpha, iterations):
    w = np.zeros(X.shape[1])
    for _ in range(iterations):
        pred = 1.0 / (1.0 + np.exp(-(X @ w)))
        w = w - alpha * (X.T @ (pred - y))
    return w


def make_data(n: int, d: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    true_w = rng.normal(size=d)
    y = (X @ true_w + 0.5 * rng.normal(size=n) > 0).astype(np.float64)
    return X, y


def main(n: int = 2000, d: int = 100, iterations: int = 100) -> int:
    X, y = make_data(n, d)
    alpha = 1e-3
    t0 = time.perf_counter()
    w = logreg(X, y, alpha, iterations)
    t1 = time.perf_counter()
    w_ref = logreg_numpy(X, y, alpha, iterations)
    t2 = time.perf_counter()
    ok = np.allclose(w, w_ref, rtol=1e-9, atol=1e-12)
    accuracy = np.mean(((X @ w) > 0) == (y > 0.5))
    print(logreg.physl(X, y, alpha, iterations))
    print(f"LogReg {n} x {d}, {iterations} iterations: phylanx {t1 - t0:.3f} s (first call, "
          f"includes compiling), NumPy {t2 - t1:.3f} s")
    print(f"training accuracy {accuracy:.3f}; matches NumPy: {'yes' if ok else 'NO'}")
    return 0 if ok else 1
