"""Compile time: the first call of a fresh Kernel object on tiny data (frontend, passes,
lowering to the runtime, one run). The NumPy twin is the plain function's first call. No
track_speedup here: NumPy compiles nothing, so the ratio would say nothing; bench_runtime tracks
the first call against its 30 ms target instead."""

from typing import ClassVar

import phylanx
from asv_bench._common import PHYLANX_THREADS as _THREADS
from phylanx.bench.workloads import make_case as _make_case


class Compile:
    params: ClassVar[list] = ["logreg", "als"]
    param_names: ClassVar[list] = ["kernel"]

    def setup(self, kernel):
        phylanx.set_num_threads(_THREADS)
        self.case = _make_case("compile", "s" if kernel == "logreg" else "m")
        self.case.run_phylanx()  # loads the frontend and the runtime once
        self.case.run_numpy()

    def time_phylanx_first_call(self, kernel):
        self.case.run_phylanx()  # a new Kernel object each time: compiles again

    def time_numpy_first_call(self, kernel):
        self.case.run_numpy()
