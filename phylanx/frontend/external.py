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

import os
import sys
import types

import numpy as np

MISSING = object()
_LIBRARY_ROOTS = frozenset({"numpy", "scipy", "builtins"}) | frozenset(
    sys.stdlib_module_names)
_SCALARS = (bool, int, float, complex, np.generic, type(None))


class CompiledFunction:
    """Base of objects that stand for a Python function (`py_func`) and that a kernel calling
    them compiles in their place: phylanx.Kernel."""

    py_func: types.FunctionType


def _cell_contents(cell):
    try:
        return cell.cell_contents
    except ValueError:
        return MISSING


def _fetch_expr(kind: str, holder: str, key) -> str:
    """Python expression reading the current value (or MISSING); `holder` names the holder."""
    if kind == "global":
        return f"{holder}.get({key!r}, MISSING)"
    if kind == "cell":
        return f"cell_contents({holder})"
    if kind == "attr":
        return f"getattr({holder}, {key!r}, MISSING)"
    if kind == "item":
        return f"{holder}[{int(key)}]"
    raise ValueError(f"unknown read kind {kind!r}")


def fetch(kind: str, holder, key):
    """The value read now (or MISSING); what _fetch_expr's expression computes."""
    if kind == "global":
        return holder.get(key, MISSING)
    if kind == "cell":
        return _cell_contents(holder)
    if kind == "attr":
        return getattr(holder, key, MISSING)
    return holder[key]


def is_fixed_holder(obj) -> bool:
    """True when attributes of `obj` are treated as constants (library modules and types,
    dtypes, scalars, strings): reading them needs no check at call time."""
    if isinstance(obj, types.ModuleType):
        return obj.__name__.partition(".")[0] in _LIBRARY_ROOTS
    if isinstance(obj, type):
        return (obj.__module__ or "").partition(".")[0] in _LIBRARY_ROOTS
    return isinstance(obj, (np.dtype, str, bytes, *_SCALARS)) or obj is Ellipsis


def _library_dirs() -> tuple[str, ...]:
    import site
    import sysconfig

    paths = sysconfig.get_paths()
    dirs = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    dirs.update(getattr(site, "getsitepackages", list)())
    dirs.add(site.getusersitepackages())
    return tuple(os.path.join(os.path.realpath(d), "") for d in dirs if d)


_LIBRARY_DIRS: tuple[str, ...] | None = None
_PHYLANX_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "")


def is_library_function(func) -> bool:
    """Whether `func` belongs to a library (NumPy, SciPy, the standard library, an installed
    package) rather than to the user's code: phylanx compiles only the latter's functions."""
    global _LIBRARY_DIRS
    module = getattr(func, "__module__", None) or ""
    if module.partition(".")[0] in _LIBRARY_ROOTS:
        return True
    file = os.path.realpath(getattr(getattr(func, "__code__", None), "co_filename", ""))
    if file.startswith(_PHYLANX_DIR):
        return False  # phylanx's own examples and helpers
    if _LIBRARY_DIRS is None:
        _LIBRARY_DIRS = _library_dirs()
    return file.startswith(_LIBRARY_DIRS)


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

    `guards`: [(kind, holder, key), expected object] for everything the compiled code
    embeds; `arrays`: ((kind, holder, key), class, dtype, shape) of each hidden array
    argument, in order. A read is ("global", globals dict, name), ("cell", cell, None),
    ("attr", object, name) or ("item", tuple, index).
    """

    __slots__ = ("_array_keys", "_check", "_guard_keys", "absent", "arrays", "guards")

    def __init__(self):
        self.guards: list[list] = []
        self.arrays: list[tuple] = []
        self.absent: dict[int, tuple[dict, set]] = {}  # id(globals) -> (globals, names)
        self._guard_keys: set = set()
        self._array_keys: dict = {}
        self._check = None

    def __bool__(self) -> bool:
        return bool(self.guards or self.arrays or self.absent)

    def guard_absent(self, globals_: dict, name: str) -> None:
        """Record that `name` is not a global (the code uses the builtin of that name)."""
        if id(globals_) not in self.absent:
            self.absent[id(globals_)] = (globals_, set())
            self._check = None
        names = self.absent[id(globals_)][1]
        if name not in names:
            names.add(name)
            self._check = None

    def guard(self, kind: str, holder, key, expected) -> None:
        """Record that the compiled code assumes reading (kind, holder, key) gives `expected`."""
        k = (kind, id(holder), key)  # the read keeps holder alive: its id is not reused
        if k not in self._guard_keys:
            self._guard_keys.add(k)
            self.guards.append([(kind, holder, key), expected])
            self._check = None

    def array(self, kind: str, holder, key, value: np.ndarray) -> int:
        """The position of the hidden argument reading this array (recorded once)."""
        k = (kind, id(holder), key)
        if k not in self._array_keys:
            self._array_keys[k] = len(self.arrays)
            self.arrays.append(((kind, holder, key), value.__class__, value.dtype, value.shape))
            self._check = None
        return self._array_keys[k]

    def order_arrays(self, order: list[int]) -> None:
        """Keep the arrays the entry function takes, in the order of its hidden arguments."""
        self.arrays = [self.arrays[k] for k in order]
        self._array_keys = {}
        self._check = None

    def current(self) -> tuple | None:
        """The hidden array arguments now, or None when something read no longer gives
        what this compilation assumed."""
        check = self._check
        if check is None:
            check = self._check = self._compile_check()
        return check()

    def _recheck(self) -> tuple | None:
        """current() after an identity test failed: equal values still pass."""
        if any(name in d for d, names in self.absent.values() for name in names):
            return None
        for g in self.guards:
            now = fetch(*g[0])
            if now is not g[1]:
                if not _same_value(g[1], now):
                    return None
                g[1] = now  # check by identity from now on
                self._check = None
        return self.fetch_arrays()

    def fetch_arrays(self) -> tuple | None:
        """The hidden array arguments now (None if one changed class, dtype or shape)."""
        out = []
        for read, cls, dtype, shape in self.arrays:
            a = fetch(*read)
            if a.__class__ is not cls or a.shape != shape or (
                    a.dtype is not dtype and a.dtype != dtype):
                return None
            out.append(a)
        return tuple(out)

    def _compile_check(self):
        """current() as straight-line code: every call of the kernel runs it, so it does
        one dict lookup (or getattr) and one identity test per read, nothing more."""
        env = {"MISSING": MISSING, "cell_contents": _cell_contents, "recheck": self._recheck}
        tests = []
        for i, ((kind, holder, key), _) in enumerate(self.guards):
            env[f"h{i}"] = holder
            env[f"e{i}"] = self.guards[i][1]
            tests.append(f"{_fetch_expr(kind, f'h{i}', key)} is not e{i}")
        for i, (d, names) in enumerate(self.absent.values()):
            env[f"g{i}"] = d
            tests.extend(f"{name!r} in g{i}" for name in sorted(names))
        lines = ["def current():"]
        if tests:
            lines.append(f"    if {' or '.join(tests)}:")
            lines.append("        return recheck()")
        names = []
        for j, ((kind, holder, key), cls, dtype, shape) in enumerate(self.arrays):
            env.update({f"a{j}_holder": holder, f"C{j}": cls, f"D{j}": dtype, f"S{j}": shape})
            a = f"a{j}"
            lines.append(f"    {a} = {_fetch_expr(kind, f'{a}_holder', key)}")
            lines.append(f"    if {a}.__class__ is not C{j} or {a}.dtype is not D{j} or "
                         f"{a}.shape != S{j}:")
            lines.append("        return recheck()  # (an equal dtype may be another object)")
            names.append(a)
        lines.append(f"    return ({''.join(n + ', ' for n in names)})")
        exec("\n".join(lines), env)  # noqa: S102  (generated from the reads above)
        return env["current"]
