"""Compiled runtime of phylanx (installed as ``phylanx.runtime``); see docs/runtime.md."""

import os as _os

# libgomp reads its wait policy once, when it is loaded (by the first import below): idle
# OpenMP threads of native kernels then sleep at once instead of spinning ~1 ms after every
# parallel region, which on a shared machine takes a core from whoever else runs (see
# docs/runtime.md). OMP_WAIT_POLICY / GOMP_SPINCOUNT set by the user win.
if "OMP_WAIT_POLICY" not in _os.environ and "GOMP_SPINCOUNT" not in _os.environ:
    _os.environ["OMP_WAIT_POLICY"] = "passive"

from phylanx.runtime._executor import Executable, NodeRecord, lower  # noqa: E402
from phylanx.runtime._executor import lower as lower_module  # noqa: E402
from phylanx.runtime import _sched  # noqa: E402,F401  (registers the concurrent scheduler)
from phylanx.runtime._threads import get_num_threads as num_threads  # noqa: E402
from phylanx.runtime._threads import (  # noqa: E402
    blas_libraries,
    get_task_threshold,
    openmp_max_threads,
    set_gil_threshold,
    set_num_threads,
    set_task_threshold,
)


def fallback_ops():
    """Ops without a native kernel: they run their NumPy reference holding the GIL."""
    from phylanx.runtime._lowering import fallback_ops as _f

    return _f()


__all__ = ["Executable", "NodeRecord", "blas_libraries", "fallback_ops", "get_task_threshold",
           "lower", "lower_module", "num_threads", "openmp_max_threads", "set_gil_threshold",
           "set_num_threads", "set_task_threshold"]
