"""Registry of native kernels: op name -> factory(op) -> preparer | None (see native.pxd).

Modules defining native kernels register their factories with `@register("exp", ...)`;
`factory_for(op)` is what the executor asks when it lowers an op. An op without a native
factory, or whose factory declines (returns None) for the op's types, runs as a GIL-holding
fallback node that calls the op's NumPy reference implementation. `decline_reason(op)` says
why (for `phylanx.explain`); a module may register a function giving a factory's reasons with
`@reason_for("exp", ...)`.
"""

from __future__ import annotations

import importlib
import os

FACTORIES: dict = {}
REASONS: dict = {}     # op name -> reason(op): why its factory declines op (str), or None


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


def reason_for(*names: str):
    """Register `reason(op) -> str | None`: why the native factory of `names` declines op."""
    def deco(reason):
        for name in names:
            REASONS[name] = reason
        return reason

    return deco


def _load() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for mod in _MODULES:
            importlib.import_module(mod)
        from phylanx.runtime import _ew_program

        reason_for("fused", "fused_reduce", *_ew_program.SUPPORTED_OPS)(_elementwise_reason)


def _elementwise_reason(op) -> str | None:
    """The elementwise factory declines what its program compiler does not take."""
    from phylanx.runtime import _ew_program

    try:
        _ew_program.compile_op(op)
    except _ew_program.Unsupported as e:
        return f"the native elementwise kernel does not take it: {e}"
    return None


def _factory(op):
    factory = FACTORIES.get(op.name)
    if factory is None:
        same_as = op.decl.extra.get("same_as")  # np.add -> add on arrays
        factory = FACTORIES.get(same_as) if same_as else None
    return factory


def preparer_for(op):
    """The preparer of a native kernel for `op`, or None (fallback to the NumPy reference)."""
    _load()
    factory = _factory(op)
    return None if factory is None else factory(op)


def decline_reason(op) -> str | None:
    """Why `op` runs as the GIL-holding NumPy fallback, or None if a native kernel takes it
    (asks its factory again: for reports, not for lowering)."""
    _load()
    factory = _factory(op)
    if factory is None:
        return f"no native kernel for '{op.name}'"
    if factory(op) is not None:
        return None
    reason = REASONS.get(op.name) or REASONS.get(op.decl.extra.get("same_as"))
    why = reason(op) if reason is not None else None
    if why:
        return why
    operands = ", ".join(str(v.type) for v in op.operands)
    return f"its native kernel does not take these operands ({operands}) or attributes"
