"""Distributed LogReg: phylanx on a Dask cluster vs dask.array vs single-process phylanx.

    python -m phylanx.distributed.bench --rows 20000 --cols 5000 --chunks 8 --iterations 20

starts a LocalCluster (2 worker processes x 1 thread unless told otherwise; `--scheduler`
uses a running cluster), makes X (float64, rows split into `--chunks` blocks) and y on the
workers, and times, best of `--repeats` after a warm-up call:
  - phylanx.distributed: `logreg(X, y, ...)` with the Dask arrays (the same @phylanx.kernel);
  - dask.array: the plain NumPy function (`logreg_plain`: `logreg_numpy` with `w = w - ...`,
    as dask.array refuses to update a NumPy `w` in place) called with the same Dask arrays
    (dask.array builds and runs its task graph), on the same cluster;
  - phylanx in one process with `--threads` runtime threads on the NumPy arrays.
Prints one line per engine and the ratios (docs/performance.md, the distributed table).
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def make_data(client, rows: int, cols: int, chunks: int, seed: int = 0):
    """(X, y) as Dask arrays persisted on the workers: X standard normal, y in {0, 1}."""
    import dask.array as da
    from distributed import wait

    block = -(-rows // chunks)
    rng = da.random.default_rng(seed)
    X = rng.standard_normal((rows, cols), chunks=(block, cols))
    w_true = np.random.default_rng(seed + 1).standard_normal(cols) / np.sqrt(cols)
    y = (X @ w_true > 0).astype(np.float64)
    X, y = client.persist([X, y])
    wait([X, y], timeout=600)
    return X, y


def logreg_plain(X, y, alpha, iterations):
    """LogReg as a NumPy user writes it; with Dask arrays, dask.array runs it."""
    w = np.zeros(X.shape[1])
    for _ in range(iterations):
        pred = 1.0 / (1.0 + np.exp(-(X @ w)))
        w = w - alpha * (X.T @ (pred - y))
    return w


def _best(fn, repeats: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def measure(client, rows: int, cols: int, chunks: int, iterations: int, repeats: int = 3,
            threads: int = 2, alpha: float = 1e-5, single: bool = True) -> dict:
    """Seconds (best of `repeats`) per engine for `iterations` LogReg steps, and the largest
    difference of the results from phylanx.distributed's."""
    from phylanx.distributed import using
    from phylanx.distributed import worker as W
    from phylanx.examples.logreg import logreg
    from phylanx.runtime import num_threads, set_num_threads

    X, y = make_data(client, rows, cols, chunks)
    out: dict = {}
    with using(client):
        logreg(X, y, alpha, 1)                               # compiles on the workers
        out["phylanx.distributed"], w = _best(lambda: logreg(X, y, alpha, iterations),
                                              repeats)
    out["dask.array"], w_dask = _best(lambda: logreg_plain(X, y, alpha, iterations).compute(),
                                      repeats)
    out["max |w - w_dask.array|"] = float(np.max(np.abs(w - w_dask)))
    if single:
        Xn, yn = W.aligned(X.compute()), W.aligned(y.compute())   # as one process has them
        old = num_threads()
        set_num_threads(threads)
        try:
            logreg(Xn, yn, alpha, 1)
            out[f"phylanx, 1 process x {threads} threads"], w_one = _best(
                lambda: logreg(Xn, yn, alpha, iterations), repeats)
        finally:
            set_num_threads(old)
        out["max |w - w_1process|"] = float(np.max(np.abs(w - w_one)))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m phylanx.distributed.bench",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--cols", type=int, default=5000)
    ap.add_argument("--chunks", type=int, default=8)
    ap.add_argument("--iterations", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2,
                    help="runtime threads of the single-process run")
    ap.add_argument("--scheduler", default=None, help="address of a running Dask scheduler")
    ap.add_argument("--no-single", action="store_true", help="skip the single-process run")
    args = ap.parse_args(argv)
    from distributed import Client, LocalCluster

    cluster = None
    if args.scheduler:
        client = Client(args.scheduler, timeout=60)
    else:
        cluster = LocalCluster(processes=True, n_workers=args.workers, threads_per_worker=1,
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster, timeout=60)
    try:
        res = measure(client, args.rows, args.cols, args.chunks, args.iterations,
                      args.repeats, args.threads, single=not args.no_single)
    finally:
        client.close(timeout=60)
        if cluster is not None:
            cluster.close(timeout=60)
    print(f"LogReg {args.rows} x {args.cols} float64, {args.chunks} chunks, "
          f"{args.iterations} iterations, best of {args.repeats}")
    mine = res["phylanx.distributed"]
    for name, value in res.items():
        if name.startswith("max"):
            print(f"  {name:38s} {value:.2e}")
        else:
            print(f"  {name:38s} {value:8.3f} s   {value / mine:5.2f}x phylanx.distributed's time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
