"""Declaring ops that NumPy itself runs: the runtime has no native kernel for them, so each
runs as a GIL-holding fallback node calling its NumPy reference (the op table marks them).

`numpy_op(...)` declares one: the type rule samples the reference (`infer_by_sample`), so the
result's dtype, rank, scalar kind and tuple structure are NumPy's; extents are unknown unless
a shape rule gives them. Sampled operands are arrays of extent `extent` (1 unless the op needs
more elements) and scalars holding `fill` (per operand: 0 for index operands, which must be in
bounds). Where NumPy's result type depends on operand values or extents (np.cov of a single
variable is 0-d), the sample cannot know: every run checks the result against the compiled
type and raises TypeError on a difference, never returning a value of another type.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from phylanx.ir.registry import Method, NumpyFunction, Params, TypeRuleError, declare
from phylanx.ir.types import ArrayType, ListType, NoneType, ScalarType, TupleType, Type
from phylanx.ops._sample import infer_by_sample, sample_value, type_of_result

FRESH = ("pure", "allocates")        # a new array (or tuple of new arrays)
VIEW = ("pure", "view")              # may share memory with operand 0
SHARES = ("pure",)                   # may share memory with any operand


def _sampler(fills: dict[int, object], extent: int) -> Callable:
    def sample(types):
        values = [sample_value(t, fills.get(i, 1)) for i, t in enumerate(types)]
        if extent != 1:
            values = [np.broadcast_to(v, (extent,) * v.ndim).copy()
                      if isinstance(v, np.ndarray) else v for v in values]
        return values

    return sample


def _array_like(t: Type) -> bool:
    if isinstance(t, (ArrayType, ScalarType, NoneType)):
        return True
    if isinstance(t, ListType):
        return _array_like(t.elem)
    return isinstance(t, TupleType) and all(_array_like(e) for e in t.elems)


def _require_array_like(name: str, check: Callable | None) -> Callable:
    """Operands must be arrays, scalars, None or lists/tuples of them (as NumPy takes)."""
    def run(types, attrs):
        for t in types:
            if not _array_like(t):
                raise TypeRuleError(f"'{name}' needs array, scalar or sequence operands, "
                                    f"got {t}")
        if check is not None:
            check(types, attrs)

    return run


def _same_kind(value, t: Type) -> bool:
    """Whether a run-time value has the compiled type `t` (extents aside)."""
    if isinstance(t, ArrayType):
        return (isinstance(value, np.ndarray) and value.ndim == t.rank
                and type_of_result(value).dtype == t.dtype)
    if isinstance(t, TupleType):
        return (isinstance(value, tuple) and len(value) == len(t.elems)
                and all(_same_kind(v, e) for v, e in zip(value, t.elems)))
    if isinstance(t, ListType):
        return isinstance(value, list) and all(_same_kind(v, t.elem) for v in value)
    return type_of_result(value) == t


def checked(name: str, impl: Callable) -> Callable:
    """`impl` taking `result_types=`: a result of another type than compiled raises."""
    def run(*args, result_types=None, **kw):
        value = impl(*args, **kw)
        if result_types is not None and len(result_types) == 1 \
                and not _same_kind(value, result_types[0]):
            raise TypeError(f"{name}: NumPy's result for these values has another type "
                            f"than the compiled {result_types[0]}; phylanx cannot give it")
        return value

    run.__name__ = getattr(impl, "__name__", name)
    return run


def numpy_op(name: str, operands: tuple, impl: Callable, doc: str, *, attrs=(),
             shape: Callable | None = None, numpy: tuple | None = None, methods=(),
             bindings=(), traits=FRESH, params: Params | None = None,
             check: Callable | None = None, fills: dict[int, object] | None = None,
             extent: int = 1, numeric: bool = True, quiet_when=None,
             static_value=None) -> None:
    """Declare `name` run by `impl`, bound to np.<name> (or the paths `numpy`) and methods.

    With `numeric`, every operand is an array, a scalar, None or a list/tuple of them;
    `check(types, attrs)` may refuse more before sampling; `fills` and `extent` shape the
    sampled operands (module doc)."""
    paths = (name,) if numpy is None else numpy
    declare(name, operands=operands, attrs=attrs,
            infer=infer_by_sample(impl, shape=shape,
                                  check=_require_array_like(name, check) if numeric else check,
                                  sampler=_sampler(fills or {}, extent)),
            traits=traits, impl=checked(name, impl), needs_result_types=True, doc=doc,
            params=params, quiet_when=quiet_when, static_value=static_value,
            bindings=tuple(NumpyFunction(p if p.startswith("np.") else "np." + p)
                           for p in paths)
            + tuple(Method(m) for m in methods) + tuple(bindings))
