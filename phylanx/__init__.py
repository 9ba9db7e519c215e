"""phylanx: compile Python/NumPy kernels into asynchronous task graphs.

    import phylanx

    @phylanx.kernel
    def f(x):
        return np.exp(-x * x)
"""

import os as _os
import sys as _sys

if not _os.path.isdir(_os.path.join(__path__[0], "runtime")):
    # Imported from a source checkout (`python -m phylanx` in the repo root shadows the
    # installed package): find the installed phylanx.runtime and phylanx.passes too.
    for _entry in _sys.path[1:]:
        _installed = _os.path.join(_entry or ".", "phylanx")
        if _os.path.isdir(_os.path.join(_installed, "runtime")) and \
                _os.path.realpath(_installed) != _os.path.realpath(__path__[0]):
            __path__.append(_installed)
            break

from phylanx.errors import CompileError
from phylanx.ir.parser import parse_physl
from phylanx.ir.printer import print_module
from phylanx.kernel import Kernel, kernel
from phylanx.profiling import Profile, profile

Phylanx = kernel  # the name Phylanx's own Python front end used

__version__ = "0.1.0"


def set_num_threads(n: int) -> None:
    """Threads the runtime uses (default: PHYLANX_NUM_THREADS or the available cores)."""
    from phylanx.runtime import set_num_threads as _set

    _set(n)


def get_num_threads() -> int:
    """Threads the runtime uses now (see `set_num_threads`)."""
    from phylanx.runtime import num_threads as _get

    return _get()


__all__ = [
    "CompileError",
    "Kernel",
    "Phylanx",
    "Profile",
    "get_num_threads",
    "kernel",
    "parse_physl",
    "print_module",
    "profile",
    "set_num_threads",
]
