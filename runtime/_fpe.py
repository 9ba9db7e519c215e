"""NumPy's floating-point error handling (np.errstate) for native jobs: one policy for all.

A native job records the IEEE flags (divide by zero, overflow, underflow, invalid) its threads
raised (runtime/fpe.h gives them as NumPy's flag bits, umath.FPE_*). Its finish()
then calls `handle(bits, name, redo)`, which does what NumPy does after a loop raised them under
the current error state, for every mode (ignore, warn, raise, call, print, log):

  * without `redo` (the job ran exactly the C operations of NumPy's loop: casts, accumulate),
    it reports each flag itself, as NumPy's ufunc machinery does, with NumPy's message
    "<kind> encountered in <name>";
  * with `redo` (the job's flags may differ from NumPy's: a fused body of several ufuncs each
    reporting under its own name, vectorised math, reductions whose NumPy twin is several
    ufunc calls), it runs NumPy's reference instead whenever the error state asks about any of
    the flags, and that run reports (and returns NumPy's result). Flags may over-approximate
    (a comparison with a NaN raises "invalid" in C where NumPy's loops stay quiet): the only
    cost is the NumPy run, never a report NumPy would not give.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable

import numpy as np
from numpy._core import umath

# NumPy's flag bits (phx_fpe_bits() gives them) -> (np.geterr() key, NumPy's name of the error),
# in the order NumPy reports them
_KINDS = ((umath.FPE_DIVIDEBYZERO, "divide", "divide by zero"),
          (umath.FPE_OVERFLOW, "over", "overflow"), (umath.FPE_UNDERFLOW, "under", "underflow"),
          (umath.FPE_INVALID, "invalid", "invalid value"))
NOT_REDONE = object()       # handle(): the native result stands


def numpy_reports(bits: int) -> bool:
    """Whether NumPy's current error state asks for anything about these flags."""
    if not bits:
        return False
    err = np.geterr()
    return any(bits & bit and err[key] != "ignore" for bit, key, _ in _KINDS)


def handle(bits: int, name: str = "", redo: Callable[[], object] | None = None) -> object:
    """Do what NumPy does when a loop called `name` raised the flags `bits` (see the module
    doc). Returns redo()'s result when NumPy's reference ran, else NOT_REDONE."""
    if not numpy_reports(bits):
        return NOT_REDONE
    if redo is not None:
        return redo()
    err = np.geterr()
    for bit, key, kind in _KINDS:
        if bits & bit:
            _report(err[key], kind, name, bits)
    return NOT_REDONE


def _report(mode: str, kind: str, name: str, bits: int) -> None:
    """One flag under one mode, as numpy/_core/src/umath/extobj.c's _error_handler."""
    if mode == "warn":
        warnings.warn(f"{kind} encountered in {name}", RuntimeWarning, stacklevel=3)
    elif mode == "raise":
        raise FloatingPointError(f"{kind} encountered in {name}")
    elif mode == "print":           # C stdio's stderr, not sys.stderr
        os.write(2, f"Warning: {kind} encountered in {name}\n".encode())
    elif mode == "call":
        func = np.geterrcall()
        if func is None:
            raise NameError(f"python callback specified for {kind} (in  {name}) but no "
                            "function found.")
        func(kind, bits)
    elif mode == "log":
        log = np.geterrcall()
        if log is None:
            raise NameError(f"log specified for {kind} (in {name}) but no object with write "
                            "method found.")
        log.write(f"Warning: {kind} encountered in {name}\n")


try:    # NumPy 2 keeps the error state in a context variable: a new object per np.errstate
    from numpy._core._ufunc_config import _extobj_contextvar as _errstate_var
except ImportError:     # pragma: no cover - another NumPy layout: ask np.geterr() each time
    _errstate_var = None
_last_state: list = [None, sum(k[0] for k in _KINDS)]   # (error state object, its bits)


def reported_bits() -> int:
    """The flags NumPy's current error state asks about (cached per error-state object: this
    runs for every elementwise job, whose vectorised math checks its inputs only for those)."""
    state = _errstate_var.get() if _errstate_var is not None else None
    if state is not None and state is _last_state[0]:
        return _last_state[1]
    err = np.geterr()
    bits = sum(bit for bit, key, _ in _KINDS if err[key] != "ignore")
    if state is not None:
        _last_state[:] = [state, bits]
    return bits
