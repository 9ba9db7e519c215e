"""Test the installed phylanx, never the source folders at the repo root.

The source ``phylanx/`` lacks the compiled runtime (``runtime/`` installs as ``phylanx.runtime``),
so the repo root must not be on sys.path, where ``python -m pytest`` puts it.
"""

import os
import sys

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
