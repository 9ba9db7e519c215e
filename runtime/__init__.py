"""Compiled runtime of phylanx (installed as ``phylanx.runtime``); see docs/runtime.md."""

import os as _os

# libgomp reads its wait policy once, when it is loaded (by the first import below): idle
# OpenMP threads of native kernels then sleep at once instead of spinning ~1 ms after every
# parallel region, which on a shared machine takes a core from whoever else runs (see
# docs/runtime.md). OMP_WAIT_POLICY / GOMP_SPINCOUNT set by the user win.
if "OMP_WAIT_POLICY" not in _os.environ and "GOMP_SPINCOUNT" not in _os.environ:
    _os.environ["OMP_WAIT_POLICY"] = "passive"



def _load_scipy_cython_modules() -> None:
    """Load scipy.linalg.cython_blas/cython_lapack (the BLAS/LAPACK of the native kernels)
    without running scipy/linalg/__init__.py.

    Importing the extension modules the usual way imports the whole scipy.linalg package first:
    about 0.25 s (it pulls in numpy.f2py, numpy.testing, numpy.ma, ...), more than all the
    rest of a kernel's first call. Cython's cimport finds a module already in sys.modules and
    never imports the parent. A later `import scipy.linalg` works as usual and finds the same
    module objects."""
    import importlib.machinery
    import importlib.util
    import sys

    names = [n for n in ("cython_blas", "cython_lapack") if "scipy.linalg." + n not in sys.modules]
    if not names or "scipy.linalg" in sys.modules:
        return
    scipy_spec = importlib.util.find_spec("scipy")
    if scipy_spec is None or not scipy_spec.origin:
        return                  # no scipy: the import of the kernels reports it
    folder = _os.path.join(_os.path.dirname(scipy_spec.origin), "linalg")
    for name in names:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = _os.path.join(folder, name + suffix)
            if _os.path.exists(path):
                spec = importlib.util.spec_from_file_location("scipy.linalg." + name, path)
                module = importlib.util.module_from_spec(spec)
                sys.modules[spec.name] = module
                try:
                    spec.loader.exec_module(module)
                except BaseException:
                    del sys.modules[spec.name]     # the regular import then reports it
                    raise
                break


_load_scipy_cython_modules()

from phylanx.runtime import _sched  # noqa: F401  (registers the concurrent scheduler)
from phylanx.runtime._executor import Executable, NodeRecord, lower
from phylanx.runtime._executor import lower as lower_module
from phylanx.runtime._mempool import pool_stats, set_pool_idle_trim, set_pool_limit
from phylanx.runtime._threads import (
    blas_libraries,
    get_task_threshold,
    get_team_threshold,
    openmp_max_threads,
    set_gil_threshold,
    set_num_threads,
    set_task_threshold,
    set_team_threshold,
)
from phylanx.runtime._threads import get_num_threads as num_threads


def get_include() -> str:
    """The folder with the runtime's Cython declarations (``*.pxd``) and C headers: compile
    native kernels outside the package against it (`phylanx.runtime.extbuild`)."""
    return _os.path.dirname(_os.path.abspath(__file__))


def fallback_ops():
    """Ops without a native kernel: they run their NumPy reference holding the GIL."""
    from phylanx.runtime._lowering import fallback_ops as _f

    return _f()


__all__ = [
    "Executable",
    "NodeRecord",
    "blas_libraries",
    "fallback_ops",
    "get_include",
    "get_task_threshold",
    "get_team_threshold",
    "lower",
    "lower_module",
    "num_threads",
    "openmp_max_threads",
    "pool_stats",
    "set_gil_threshold",
    "set_num_threads",
    "set_pool_idle_trim",
    "set_pool_limit",
    "set_task_threshold",
    "set_team_threshold",
]
