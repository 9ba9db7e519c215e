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
# (error state object, its bits): one tuple, read and replaced whole (threads share it)
_last_state: tuple = (None, sum(k[0] for k in _KINDS))


def reported_bits() -> int:
    """The flags NumPy's current error state asks about (cached per error-state object: this
    runs for every elementwise job, whose vectorised math checks its inputs only for those)."""
    global _last_state
    state = _errstate_var.get() if _errstate_var is not None else None
    cached = _last_state
    if state is not None and state is cached[0]:
        return cached[1]
    err = np.geterr()
    bits = sum(bit for bit, key, _ in _KINDS if err[key] != "ignore")
    if state is not None:
        _last_state = (state, bits)
    return bits


# --- reports of nodes that run concurrently, in program order (runtime/_executor.pyx) ---------
# While a call runs nodes concurrently, its threads run under a "recording" error state: the
# modes whose reports are side effects (warn, print, log: as NumPy's "log" mode; call: as
# "call") go to a recorder instead, which keeps them with the position of the node that made
# them; when the concurrent execution ends they are replayed in program order under the
# caller's error state. "raise" and "ignore" stay as they are (an exception is ordered as a
# failure); with "call" or "log" but no callback object (NumPy's NameError) nothing is
# recorded.

_KEY_OF = {kind: key for _, key, kind in _KINDS}
_recording: tuple = (None, None)    # (caller's error state object, its recording state)


def recording_state(original: object, make_recorder: Callable[[object], object]) -> object:
    """The error state (the value of NumPy's error-state context variable) under which nodes
    of a call whose caller has error state `original` run concurrently; None when no mode
    needs recording. make_recorder(original) gives the callback object: recorder(kind, flags)
    in "call" mode, recorder.write(text) in "log" mode. Cached for the last `original`."""
    global _recording
    if _errstate_var is None:
        return None
    cached = _recording
    if cached[0] is original:
        return cached[1]
    token = _errstate_var.set(original)
    try:
        err, call = np.geterr(), np.geterrcall()
        modes = {key: "log" if err[key] in ("warn", "print") else err[key]
                 for _, key, _ in _KINDS}
        recorded = any(m in ("log", "call") for m in modes.values())
        state = None
        if recorded and (call is not None or all(err[key] not in ("log", "call")
                                                 for _, key, _ in _KINDS)):
            with np.errstate(**modes, call=make_recorder(original)):
                state = _errstate_var.get()
    finally:
        _errstate_var.reset(token)
    _recording = (original, state)
    return state


def recorded_log(text: str) -> tuple:
    """A report NumPy wrote in "log" mode ("Warning: <kind> encountered in <name>\\n") as a
    recorded event: ("log", kind, name, 0)."""
    kind, _, name = text[len("Warning: "):].rstrip("\n").partition(" encountered in ")
    return ("log", kind, name, 0)


def replay(event: tuple) -> None:
    """Make a recorded report (("log", kind, name, 0) or ("call", kind, "", flags)) under the
    current error state (the caller's), as NumPy would have made it."""
    via, kind, name, bits = event
    mode = "call" if via == "call" else np.geterr()[_KEY_OF[kind]]
    _report(mode, kind, name, bits)
