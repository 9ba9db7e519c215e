"""Array-level workloads: elementwise fusion (compute- and memory-bound), dispatch overhead,
reductions, two independent matmuls, creation/indexing/joins/scans."""

from typing import ClassVar

import numpy as np

import phylanx
from asv_bench._common import PHYLANX_THREADS, _Pair, timed
from phylanx.bench.workloads import settle
from phylanx.passes import DEFAULT_PIPELINE
from phylanx.runtime import _linalg


class Fused(_Pair):
    """np.exp(-x*x/2)*a + b*np.sin(x): one loop for a fusing runtime, 8 ops for NumPy."""

    workload = "fused"
    params: ClassVar[list] = [10**6, 10**7]
    param_names: ClassVar[list] = ["n"]
    repeats = 5


class MemoryBound(_Pair):
    """a*x + b*y - c: bound by memory bandwidth (bench_runtime tracks it against np.copyto)."""

    workload = "axpby"
    params: ClassVar[list] = [10**6, 10**7]
    param_names: ClassVar[list] = ["n"]


class Dispatch(_Pair):
    """20,000 iterations of x = x*1.0001 + 0.5 on a Python float: cost per op."""

    workload = "dispatch"
    params: ClassVar[list] = [20000]
    param_names: ClassVar[list] = ["steps"]


class Reductions(_Pair):
    """sum, mean(axis=0), max(axis=1) and a norm of an n x n matrix."""

    workload = "reductions"
    params: ClassVar[list] = [1000, 2000]
    param_names: ClassVar[list] = ["n"]


class TwoMatmuls(_Pair):
    """A @ B and C @ D, independent (a task-parallel runtime may overlap them)."""

    workload = "matmuls"
    params: ClassVar[list] = [300, 600]
    param_names: ClassVar[list] = ["n"]


class Indexing(_Pair):
    """zeros, Z[::2] = X[::2], concatenate, X[u], X[mask], cumsum(axis=0) of an n x n matrix."""

    workload = "indexing"
    params: ClassVar[list] = [1000, 4000]
    param_names: ClassVar[list] = ["n"]



def _two_passes(X, w, v):
    """LogReg's two passes over X (the second needs the first: each gets the whole team)."""
    return X.T @ (X @ w - v)


# without the fuse-matvec-pair pass, which would read X once instead
two_passes = phylanx.Kernel(_two_passes, passes=",".join(
    p for p in DEFAULT_PIPELINE.split(",") if p != "fuse-matvec-pair"))


class StreamingGemv:
    """X @ w and X.T @ v over a matrix beyond twice the L3 cache: the runtime's team claims
    row blocks dynamically, where OpenBLAS's threaded gemv splits the rows in halves."""

    params: ClassVar[list] = [8000]
    param_names: ClassVar[list] = ["rows"]
    timeout = 300

    def setup(self, rows):
        if rows * 10000 * 8 < _linalg.get_stream_gemv_bytes():
            raise NotImplementedError("the matrix is not beyond twice this machine's L3")
        phylanx.set_num_threads(PHYLANX_THREADS)
        self.X = np.random.default_rng(0).random((rows, 10000))
        self.w, self.v = np.ones(10000), np.ones(rows)
        two_passes(self.X, self.w, self.v)

    def time_phylanx(self, rows):
        two_passes(self.X, self.w, self.v)

    def time_numpy(self, rows):
        two_passes.py_func(self.X, self.w, self.v)

    def track_speedup(self, rows):
        t_phx, t_np = [], []
        for _ in range(7):      # settle: OpenBLAS's threads spin ~0.12 s after NumPy's calls
            settle()
            t_phx.append(timed(lambda: two_passes(self.X, self.w, self.v)))
            settle()
            t_np.append(timed(lambda: two_passes.py_func(self.X, self.w, self.v)))
        return sorted(t_np)[3] / sorted(t_phx)[3]

    track_speedup.unit = "x NumPy"
