"""`python -m phylanx demo`: the paper's logistic regression as a kernel, against NumPy.

It prints the final PhySL (what runs), the compile time on its own, then the median of warm
calls of the kernel and of the same code under NumPy (interleaved, so both see the same
machine), the speedup, a short profile of one call (where the time went) and whether the
results match. The default size (X of 100,000 x 50 doubles, 40 MB: more than a typical L3
cache, 20 iterations) shows what the kernel's one pass over X per iteration buys against
NumPy's two, and finishes in a few seconds; whatever the numbers are, they are printed.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import phylanx

DEFAULTS = {"n": 100_000, "d": 50, "iterations": 20, "repeats": 5}


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


def _threads() -> str:
    from threadpoolctl import threadpool_info

    from phylanx.runtime import num_threads

    blas = sorted({i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"})
    ours = num_threads()
    return (f"phylanx runtime: {ours} thread{'s' if ours != 1 else ''} (PHYLANX_NUM_THREADS); "
            f"NumPy's BLAS: {'/'.join(map(str, blas)) or '?'} "
            f"thread{'s' if blas != [1] else ''}")


def main(n: int = DEFAULTS["n"], d: int = DEFAULTS["d"],
         iterations: int = DEFAULTS["iterations"], repeats: int = DEFAULTS["repeats"]) -> int:
    from phylanx.ir.types import type_of_value

    X, y = make_data(n, d)
    alpha = 1e-3
    args = (X, y, alpha, iterations)
    print(f"LogReg on X of {n} x {d} ({X.nbytes / 1e6:.0f} MB), {iterations} iterations. "
          f"{_threads()}.")
    t0 = time.perf_counter()
    compiled = logreg.compile(tuple(type_of_value(a) for a in args))
    compiled.executable   # noqa: B018 (the property lowers it to the runtime's graph)
    compile_s = time.perf_counter() - t0
    print("\nThe final PhySL (after the optimizer: what runs):\n")
    print(logreg.physl(*args))
    print(f"compiling (once per argument types): {compile_s * 1e3:.0f} ms")
    w = logreg(*args)                      # first run: the runtime's buffers and threads start
    ours, numpys = [], []
    for _ in range(max(repeats, 1)):
        t0 = time.perf_counter()
        w = logreg(*args)
        t1 = time.perf_counter()
        w_ref = logreg_numpy(*args)
        t2 = time.perf_counter()
        ours.append(t1 - t0)
        numpys.append(t2 - t1)
    ours_s, numpy_s = statistics.median(ours), statistics.median(numpys)
    print(f"warm calls, median of {len(ours)} (interleaved): phylanx {ours_s * 1e3:.1f} ms, "
          f"NumPy {numpy_s * 1e3:.1f} ms: phylanx is {numpy_s / ours_s:.2f}x "
          f"{'faster' if ours_s <= numpy_s else 'slower'}")
    with phylanx.profile() as prof:
        logreg(*args)
    print("\nWhere the time of one call went (python -m phylanx profile, prof.table()):\n")
    print(prof.table(limit=5, lines=False))
    ok = np.allclose(w, w_ref, rtol=1e-9, atol=1e-12)
    accuracy = np.mean(((X @ w) > 0) == (y > 0.5))
    print(f"training accuracy {accuracy:.3f}; matches NumPy: {'yes' if ok else 'NO'}")
    return 0 if ok else 1
