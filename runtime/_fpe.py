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
