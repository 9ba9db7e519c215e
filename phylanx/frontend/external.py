"""Values a kernel reads from outside its arguments: module globals, closure cells and
attributes of objects, recorded while lowering and checked at every call.

Python reads them each time the function runs. A compiled kernel embeds the scalars, tuples,
functions and modules it read, so every call first checks that each read would still give
the same object (or, for a scalar or tuple rebound to another object, an equal value);
otherwise the kernel is compiled again. Arrays are never embedded: each becomes a hidden
argument after the declared ones, fetched at every call, so in-place changes are seen and
writes go to the array Python would write.

Reads of modules phylanx treats as fixed (NumPy, SciPy, the standard library) and of
builtins are not checked: rebinding `np.pi` or a builtin name after the first compile is not
seen.
"""

from __future__ import annotations

import operator
import sys
import types
from functools import partial

import numpy as np

MISSING = object()
_LIBRARY_ROOTS = frozenset({"numpy", "scipy", "builtins"}) | frozenset(
    sys.stdlib_module_names)
_SCALARS = (bool, int, float, complex, np.generic, type(None))


def _cell_contents(cell):
    try:
        return cell.cell_contents
    except ValueError:
        return MISSING


def fetcher(kind: str, holder, key):
    """A no-argument callable reading the current value (or MISSING)."""
    if kind == "global":
        return partial(holder.get, key, MISSING)
    if kind == "cell":
        return partial(_cell_contents, holder)
    if kind == "attr":
        return partial(getattr, holder, key, MISSING)
    if kind == "item":
        return partial(operator.getitem, holder, key)
    raise ValueError(f"unknown read kind {kind!r}")


def is_fixed_holder(obj) -> bool:
    """True when attributes of `obj` are treated as constants (library modules and types,
    dtypes, scalars, strings): reading them needs no check at call time."""
    if isinstance(obj, types.ModuleType):
        return obj.__name__.partition(".")[0] in _LIBRARY_ROOTS
    if isinstance(obj, type):
        return (obj.__module__ or "").partition(".")[0] in _LIBRARY_ROOTS
    return isinstance(obj, (np.dtype, str, bytes, *_SCALARS)) or obj is Ellipsis


def _plain_value(obj) -> bool:
    return isinstance(obj, _SCALARS) or isinstance(obj, tuple) and all(map(_plain_value, obj))


def _same_value(old, new) -> bool:
    """Whether `new`, another object than `old`, stands for the same compile-time value."""
    if _plain_value(old):
        # repr tells 0.0 from -0.0 and np.float32(1) from 1.0; types tell 1 from True
        return type(old) is type(new) and _plain_value(new) and repr(old) == repr(new)
    if isinstance(old, (types.MethodType, types.BuiltinMethodType)):
        return (old == new) is True  # a fresh bound method of the same object and function
    return False


class ExternalReads:
    """What one compilation read from outside its arguments.

    `guards`: [fetch, expected object] for everything embedded in the compiled code;
    `arrays`: (fetch, class, dtype, shape) of each hidden array argument, in order.
    """

    __slots__ = ("_array_keys", "_guard_keys", "arrays", "guards")

    def __init__(self):
        self.guards: list[list] = []
        self.arrays: list[tuple] = []
        self._guard_keys: set = set()
        self._array_keys: dict = {}

    def __bool__(self) -> bool:
        return bool(self.guards or self.arrays)

    def guard(self, kind: str, holder, key, expected) -> None:
        """Record that the compiled code assumes reading (kind, holder, key) gives `expected`."""
        k = (kind, id(holder), key)
        if k not in self._guard_keys:
            self._guard_keys.add(k)
            # holder is kept alive with the guard, so its id is not reused meanwhile
            self.guards.append([fetcher(kind, holder, key), expected, holder])

    def array(self, kind: str, holder, key, value: np.ndarray) -> int:
        """The position of the hidden argument reading this array (recorded once)."""
        k = (kind, id(holder), key)
        if k not in self._array_keys:
            self._array_keys[k] = len(self.arrays)
            self.arrays.append((fetcher(kind, holder, key), value.__class__, value.dtype,
                                value.shape, holder))
        return self._array_keys[k]

    def order_arrays(self, order: list[int]) -> None:
        """Keep the arrays the entry function takes, in the order of its hidden arguments."""
        self.arrays = [self.arrays[k] for k in order]
        self._array_keys = {}

    def current(self) -> tuple | None:
        """The hidden array arguments now, or None when something read no longer gives
        what this compilation assumed."""
        for g in self.guards:
            now = g[0]()
            if now is not g[1]:
                if not _same_value(g[1], now):
                    return None
                g[1] = now  # equal value: check by identity from now on
        return self.fetch_arrays()

    def fetch_arrays(self) -> tuple | None:
        """The hidden array arguments now (None if one changed class, dtype or shape)."""
        if not self.arrays:
            return ()
        out = []
        for fetch, cls, dtype, shape, _ in self.arrays:
            a = fetch()
            if a.__class__ is not cls or a.shape != shape or (
                    a.dtype is not dtype and a.dtype != dtype):
                return None
            out.append(a)
        return tuple(out)
