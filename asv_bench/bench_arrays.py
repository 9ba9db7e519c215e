"""Array-level workloads: elementwise fusion (compute- and memory-bound), dispatch overhead,
reductions, two independent matmuls, creation/indexing/joins/scans."""

from typing import ClassVar

from asv_bench._common import _Pair


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
