"""Shared setup of the asv benchmarks: thread pinning, warm-up and the speedup measurement."""

from __future__ import annotations

import statistics
import time
from typing import ClassVar

from threadpoolctl import threadpool_limits

import phylanx
from phylanx.bench.workloads import Case, make_case

# phylanx's own pool is pinned; NumPy's BLAS keeps its default (recorded by bench_env).
PHYLANX_THREADS = 2


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def speedup(case: Case, repeats: int) -> float:
    """Median NumPy time / median phylanx time, runs interleaved, measured here and now."""
    t_phx, t_np = [], []
    for _ in range(repeats):
        t_phx.append(timed(case.run_phylanx))
        t_np.append(timed(case.run_numpy))
    return statistics.median(t_np) / statistics.median(t_phx)


class _Pair:
    """time_phylanx, time_numpy and track_speedup of one workload (subclasses set it)."""

    workload = ""
    params: ClassVar[list] = ["s"]
    param_names: ClassVar[list] = ["size"]
    repeats = 5
    timeout = 300
    # BLAS threads for the whole benchmark (None: the default). The ALS loops multiply and
    # solve k x k matrices: BLAS threads only slow them down (50x at k = 40 next to other work).
    blas_threads: int | None = None

    def setup(self, size):
        phylanx.set_num_threads(PHYLANX_THREADS)
        self._blas = (None if self.blas_threads is None else
                      threadpool_limits(limits=self.blas_threads, user_api="blas"))
        self.case = make_case(self.workload, (size,) if isinstance(size, int) else size)
        self.case.run_phylanx()  # warm-up: compiles the kernel, loads what it imports
        self.case.run_numpy()

    def teardown(self, size):
        if self._blas is not None:
            self._blas.restore_original_limits()

    def time_phylanx(self, size):
        self.case.run_phylanx()

    def time_numpy(self, size):
        self.case.run_numpy()

    def track_speedup(self, size):
        return speedup(self.case, self.repeats)

    track_speedup.unit = "x (numpy time / phylanx time)"
