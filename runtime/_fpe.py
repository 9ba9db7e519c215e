"""NumPy's floating-point error handling (np.errstate) for native jobs.

A native job records the IEEE flags (divide by zero, overflow, underflow, invalid) its
threads raised (runtime/fpe.h). When NumPy's error state asks for something about one of them
(anything but "ignore": warn, raise, call, print, log), the job's finish() hands the operation
to its NumPy reference, which then warns or raises exactly as NumPy does, with NumPy's
messages; otherwise the native result stands. The flags may over-approximate (a comparison
with a NaN raises "invalid" in C where NumPy's loops stay quiet): then the only cost is the
NumPy run, never a warning NumPy would not give.
"""

from __future__ import annotations

import numpy as np

# bits of phx_fpe_bits() -> np.geterr() keys
_KINDS = ((1, "divide"), (2, "over"), (4, "under"), (8, "invalid"))


def numpy_reports(bits: int) -> bool:
    """Whether NumPy's current error state asks for anything about these flags."""
    err = np.geterr()
    return any(bits & bit and err[kind] != "ignore" for bit, kind in _KINDS)


try:    # NumPy 2 keeps the error state in a context variable: a new object per np.errstate
    from numpy._core._ufunc_config import _extobj_contextvar as _errstate_var
except ImportError:     # pragma: no cover - another NumPy layout: ask np.geterr() each time
    _errstate_var = None
_last_state: list = [None, 15]      # (error state object, its bits)


def reported_bits() -> int:
    """The flags (bits as in numpy_reports) NumPy's current error state asks about (cached
    per error-state object: this runs for every elementwise job)."""
    state = _errstate_var.get() if _errstate_var is not None else None
    if state is not None and state is _last_state[0]:
        return _last_state[1]
    err = np.geterr()
    bits = sum(bit for bit, kind in _KINDS if err[kind] != "ignore")
    if state is not None:
        _last_state[:] = [state, bits]
    return bits
