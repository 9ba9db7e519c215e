"""Test the installed phylanx, never the source folders at the repo root.

The source ``phylanx/`` lacks the compiled runtime (``runtime/`` installs as ``phylanx.runtime``),
so the repo root must not be on sys.path, where ``python -m pytest`` puts it.

The suite runs with 2 runtime threads and single-threaded OpenBLAS unless the environment says
otherwise: the same on every machine, and no BLAS pool competing with the runtime's threads.
Both are read when the libraries load, so they are set before any test imports them.
"""

import os
import sys

os.environ.setdefault("PHYLANX_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pytest

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _ROOT]
# Helper modules of the tests (native_inputs.py) import by name.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(params=["one thread", "teams"])
def copy_teams(request):
    """Copy-like native jobs on one thread (the default) and in OpenMP teams: the tests of the
    creation, shape and indexing natives run both ways (pytestmark usefixtures)."""
    from phylanx.runtime import _move
    old = _move.set_copy_parallel_min(float("inf") if request.param == "one thread" else 0.0)
    yield
    _move.set_copy_parallel_min(old)


@pytest.fixture(scope="module")
def native_test_ops():
    """The suite's native test ops (test.spin, test.spin_gil, test.team: tests/native_kernels.py)
    registered for the module's tests."""
    import native_kernels

    native_kernels.load().register()
    yield
    native_kernels.load().unregister()
