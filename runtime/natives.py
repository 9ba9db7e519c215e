"""Registry of native kernels: op name -> factory(op) -> preparer | None (see native.pxd).

Modules defining native kernels register their factories with `@register("exp", ...)`;
`preparer_for(op)` is what the executor asks when it lowers an op. An op without a native
factory, or whose factory declines (returns None or raises `Decline`) for the op's types, runs
as a GIL-holding fallback node that calls the op's NumPy reference implementation.
`decline_reason(op)` says why (for `phylanx.explain`): a `Decline` carries its reason.

`Decline` is the runtime's one "not natively" exception: factories and the compilers behind them
(`_ew_program`, `_loopcompile`) raise it for ops they have no code for, and preparers and the
helpers they call (the moves of `_move`) for operands they cannot take, each then handing the
work to NumPy.
"""

from __future__ import annotations

import importlib
import os

FACTORIES: dict = {}


class Decline(Exception):
    """A native kernel cannot take this op or these operands: NumPy's reference runs instead."""



def runtime_modules() -> dict[str, tuple[str, ...]]:
    """The runtime's extension modules and their tags, from modules.txt beside this file (the
    list meson.build builds): {"_linalg": ("natives",), "_threads": (), ...}."""
    with open(os.path.join(os.path.dirname(__file__), "modules.txt"), encoding="utf-8") as f:
        lines = [line.split("#", 1)[0].split() for line in f]
    return {words[0]: tuple(words[1:]) for words in lines if words}


# Modules with native kernels, imported on first use (each registers its factories).
_MODULES = tuple(f"phylanx.runtime.{name}" for name, tags in runtime_modules().items()
                 if "natives" in tags)
_loaded = False


def register(*names: str):
    def deco(factory):
        for name in names:
            if name in FACTORIES:
                raise ValueError(f"native kernel for {name!r} registered twice")
            FACTORIES[name] = factory
        return factory

    return deco


def _load() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for mod in _MODULES:
            importlib.import_module(mod)


def _factory(op):
    factory = FACTORIES.get(op.name)
    if factory is None:
        same_as = op.decl.same_as  # np.add -> add on arrays
        factory = FACTORIES.get(same_as) if same_as else None
    return factory


def native_op_names() -> frozenset:
    """The op names with a native kernel factory (which may still decline some operands)."""
    _load()
    return frozenset(FACTORIES)


def preparer_for(op):
    """The preparer of a native kernel for `op`, or None (fallback to the NumPy reference)."""
    _load()
    factory = _factory(op)
    if factory is None:
        return None
    try:
        return factory(op)
    except Decline:
        return None


def decline_reason(op) -> str | None:
    """Why `op` runs as the GIL-holding NumPy fallback, or None if a native kernel takes it
    (asks its factory again: for reports, not for lowering)."""
    _load()
    factory = _factory(op)
    if factory is None:
        return f"no native kernel for '{op.name}'"
    try:
        if factory(op) is not None:
            return None
    except Decline as e:
        kernel = factory.__module__.rsplit(".", 1)[-1].lstrip("_")     # _elementwise: elementwise
        return f"the native {kernel} kernel does not take it: {e}"
    operands = ", ".join(str(v.type) for v in op.operands)
    return f"its native kernel does not take these operands ({operands}) or attributes"
