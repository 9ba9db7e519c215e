"""What the Dask workers run: the tasks the driver submits, by reference to these functions.

A segment arrives as PhySL text (never pickled user code). A worker parses, verifies,
optimises and lowers it once per text and keeps the Executable (`compiled`); the runtime
runs it without the GIL with as many threads as the worker has. Every task first checks that
the worker's phylanx matches the client's (`check_version`).
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
import time

import numpy as np

import phylanx

_lock = threading.Lock()
_compiled: dict[str, object] = {}
_threads_set = False


class VersionMismatch(RuntimeError):
    """A worker runs another phylanx than the client (version or op set)."""


@functools.cache
def fingerprint() -> str:
    """phylanx's version and a digest of its op set (names, operands, attributes, traits):
    what a worker must share with the client to run its IR."""
    from phylanx.ir.registry import all_ops

    h = hashlib.sha1()
    for name, decl in sorted(all_ops().items()):
        h.update(repr((name, decl.operands, tuple(a.name for a in decl.attrs),
                       sorted(decl.traits))).encode())
    return f"{phylanx.__version__}+ops.{h.hexdigest()[:12]}"


def check_version(expected: str) -> None:
    mine = fingerprint()
    if mine != expected:
        raise VersionMismatch(
            f"worker pid {os.getpid()} runs phylanx {mine}, the client {expected}: install the "
            "same phylanx on the workers as on the client")


def worker_fingerprint() -> str:
    """Run on every worker at connect (Client.run)."""
    return fingerprint()


def _set_threads() -> None:
    """The runtime uses the worker's threads (LocalCluster(threads_per_worker=...)), not every
    core of the machine: workers sharing a box would oversubscribe it."""
    global _threads_set
    if _threads_set:
        return
    _threads_set = True
    try:
        from distributed import get_worker

        n = get_worker().state.nthreads
    except (ImportError, ValueError, AttributeError):
        return
    from phylanx.runtime import set_num_threads

    set_num_threads(max(1, int(n)))


def compiled(text: str):
    """The Executable of a segment's PhySL text, compiled once per worker process."""
    exe = _compiled.get(text)
    if exe is None:
        with _lock:
            exe = _compiled.get(text)
            if exe is None:
                from phylanx.ir.parser import parse_physl
                from phylanx.ir.verifier import verify_module
                from phylanx.passes import run_pipeline
                from phylanx.runtime import lower_module

                _set_threads()
                module = parse_physl(text)
                verify_module(module)
                exe = lower_module(run_pipeline(module).module)
                _compiled[text] = exe
    return exe


def _value(spec):
    """An argument as sent: (value,) or (tuple of results, index)."""
    return spec[0] if len(spec) == 1 else spec[0][spec[1]]


def aligned(value):
    """`value`, copied if it is an array whose data are not aligned for its dtype (arrays
    unpickled from Dask's network frames can start at any byte; the runtime's native kernels
    want aligned data and take a much slower path otherwise)."""
    if isinstance(value, np.ndarray) and not value.flags.aligned:
        return value.copy()
    return value


def run_segment(text: str, version: str, specs: list, profile: bool = False):
    """Run a segment on one block; with `profile`, (result, (records, t0, t1, pid))."""
    check_version(version)
    exe = compiled(text)
    args = tuple(aligned(_value(s)) for s in specs)
    if not profile:
        return exe.run(args)
    start = time.monotonic_ns()
    result = exe.run(args, profile=True)
    end = time.monotonic_ns()
    kept = exe.last_profile_data()
    raw = bytes(kept[0]) if kept is not None else b""
    return result, (raw, start, end, os.getpid())


def combine(kind: str, specs: list):
    """Combine per-block partial results (a level of a tree reduction)."""
    parts = [_value(s) for s in specs]
    if kind == "first":
        return parts[0]
    total = parts[0]
    for p in parts[1:]:
        if kind == "sum":
            total = total + p
        elif kind == "max":
            total = np.maximum(total, p)
        elif kind == "min":
            total = np.minimum(total, p)
        else:
            raise ValueError(f"unknown combine {kind!r}")
    return total


def concatenate(axis: int, specs: list):
    """The blocks of a partitioned value, joined: a replicated value."""
    return np.concatenate([_value(s) for s in specs], axis=axis)


def take_block(spec, axis: int, lo: int, hi: int, total: int):
    """Rows lo:hi along `axis` of a replicated value whose extent there is `total`; a value
    of another extent (1: broadcast) is passed whole, as NumPy would broadcast or refuse it."""
    value = _value(spec)
    if np.ndim(value) <= axis or np.shape(value)[axis] != total:
        return value
    index = (slice(None),) * axis + (slice(lo, hi),)
    return value[index]


def shape_of(spec) -> tuple:
    """(shape, dtype string) of a block."""
    value = np.asarray(_value(spec))
    return value.shape, value.dtype.str


def pick(spec):
    return _value(spec)
