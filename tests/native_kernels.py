"""The test suite's native test kernels (ops test.spin, test.spin_gil, test.team).

Their source is tests/native_test_kernels: it is compiled against the installed runtime's .pxd
files and headers on first use and cached (phylanx.runtime.extbuild), so an install of phylanx
never needs a build option for the tests. A test that uses them calls `load()` in a fixture.
"""

import os
from types import ModuleType

from phylanx.bench.scheduler import load_test_kernels

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "native_test_kernels")


def load() -> ModuleType:
    """The compiled module (built on the first call of the process, then the same object)."""
    return load_test_kernels(SOURCE)


def spin_reference(x: float, n: int) -> float:
    """test.spin's result, computed holding the GIL."""
    return load().spin_reference(x, n)
