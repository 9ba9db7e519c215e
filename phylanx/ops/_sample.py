"""Type rules by sampling: run the NumPy reference implementation on tiny stand-in values.

`infer_by_sample(impl)` builds a type rule that calls `impl` on one small value of each operand
type (arrays of shape (1,)*rank, 0-d arrays, NumPy scalars, Python 1 / 1.0 / True / 1j, fresh
random generators) and reads the result's type. This gives NumPy's exact dtype, NEP 50 and
scalar-vs-array rules for free; extents the sample cannot know (it uses extent 1) come from a
separate shape rule, by default broadcasting the operands' static shapes.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from phylanx.ir.registry import TypeRuleError
from phylanx.ir.types import (
    BOOL,
    COMPLEX,
    DTYPES,
    FLOAT,
    INT,
    NONE,
    OBJECT_KINDS,
    ArrayType,
    ListType,
    NoneType,
    ObjectType,
    ScalarType,
    TupleType,
    Type,
    broadcast_shapes,
    dtype_name,
)

# Python scalars of the weak kinds holding `fill` (complex: fill * 1j, so the sample is 1j).
_PY_MAKE = {"bool": bool, "int": int, "float": float, "complex": lambda f: complex(0, f)}
INT_KINDS = frozenset({"int", "bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"})


def np_dtype(name):
    """The NumPy dtype of a PhySL dtype attribute (None stays None)."""
    return None if name is None else DTYPES[name]


def sample_value(t: Type, fill=1):
    """A small value of type `t` whose elements are `fill` (fresh on every call)."""
    if isinstance(t, ScalarType):
        if t.kind in _PY_MAKE:
            return _PY_MAKE[t.kind](fill)
        return DTYPES[t.kind].type(fill)
    if isinstance(t, ArrayType):
        return np.full((1,) * t.rank, fill, DTYPES[t.dtype])
    if isinstance(t, TupleType):
        return tuple(sample_value(e, fill) for e in t.elems)
    if isinstance(t, ListType):
        return [sample_value(t.elem, fill)]
    if isinstance(t, NoneType):
        return None
    if isinstance(t, ObjectType):
        return _OBJECT_SAMPLES[t.kind]()
    raise TypeRuleError(f"no sample value for type {t}")


# Fresh objects: a sample generator's draws must not advance any other.
_OBJECT_SAMPLES = {"generator": lambda: np.random.default_rng(0),
                   "random_state": lambda: np.random.RandomState(0),
                   "bytes": lambda: b"\x01", "str": lambda: "1"}


def type_of_result(value) -> Type:
    """The PhySL type of a runtime value (NumPy scalars checked before Python ones)."""
    try:
        if isinstance(value, np.ndarray):
            return ArrayType(dtype_name(value.dtype), (None,) * value.ndim)
        if isinstance(value, np.generic):
            if isinstance(value, np.bool_):
                return BOOL
            return ScalarType(dtype_name(value.dtype))
    except KeyError:
        raise TypeRuleError(f"unsupported result dtype {value.dtype}") from None
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, float):
        return FLOAT
    if isinstance(value, complex):
        return COMPLEX
    if isinstance(value, tuple):
        return TupleType(tuple(type_of_result(v) for v in value))
    if isinstance(value, list):
        if not value:
            raise TypeRuleError("cannot type an empty list")
        return ListType(type_of_result(value[0]))
    if value is None:
        return NONE
    for kind, cls in OBJECT_KINDS.items():
        if type(value) is cls:
            return ObjectType(kind)
    raise TypeRuleError(f"unsupported result of type {type(value).__name__}")


def run_sample(impl: Callable, types: list, attrs: dict, random: bool = False,
               sampler: Callable | None = None):
    """Call `impl` on sample values of `types`; errors become TypeRuleError.

    `sampler(types)` may supply the values instead of `sample_value`. With `random`, the
    global NumPy random state is restored afterwards, so type inference never changes the
    numbers a seeded program draws.
    """
    args = sampler(types) if sampler is not None else [sample_value(t) for t in types]
    state = np.random.get_state() if random else None
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return impl(*args, **attrs)
    except TypeRuleError:
        raise
    except Exception as e:  # noqa: BLE001  (TypeError, ValueError, AxisError, LinAlgError...)
        operands = ", ".join(map(str, types))
        raise TypeRuleError(f"invalid operands ({operands}): {e}", type(e)) from None
    finally:
        if state is not None:
            np.random.set_state(state)


def with_shape(t: Type, shape) -> Type:
    """`t` with the extents of `shape` if `t` is an array of that rank; else `t` unchanged."""
    if isinstance(t, ArrayType) and isinstance(shape, tuple) and len(shape) == t.rank and all(
            d is None or isinstance(d, int) for d in shape):
        return ArrayType(t.dtype, shape)
    return t


def broadcast_rule(types: list, attrs: dict):
    """Static broadcast shape of the array operands (scalars broadcast as rank 0)."""
    shapes = [t.shape for t in types if isinstance(t, ArrayType)]
    try:
        return broadcast_shapes(*shapes)
    except ValueError as e:
        raise TypeRuleError(str(e), ValueError) from None


def require_numeric(types: list, name: str = "", allow_none: bool = False) -> None:
    for t in types:
        if isinstance(t, (ArrayType, ScalarType)) or allow_none and isinstance(t, NoneType):
            continue
        what = f"'{name}' " if name else ""
        raise TypeRuleError(f"{what}needs array or scalar operands, got {t}")


def infer_by_sample(impl: Callable, shape: Callable | None = broadcast_rule,
                    check: Callable | None = None, random: bool = False,
                    numeric: bool = False, sampler: Callable | None = None) -> Callable:
    """A type rule: dtype, rank and scalar kind from running `impl` on samples.

    `shape(types, attrs)` gives the static shape of an array result (or None: unknown
    extents); `check(types, attrs)` may raise TypeRuleError before sampling; with `numeric`
    every operand must be an array or a scalar (None allowed); `random` and `sampler` are
    passed on to `run_sample`.
    """

    def compute(types: list, attrs: dict) -> Type:
        if numeric:
            require_numeric(types, getattr(impl, "__name__", ""), allow_none=True)
        if check is not None:
            check(types, attrs)
        result = type_of_result(run_sample(impl, types, attrs, random, sampler))
        if shape is None:
            return result
        if isinstance(result, TupleType):
            shapes = shape(types, attrs)
            if shapes is None:
                return result
            return TupleType(tuple(with_shape(e, s) for e, s in zip(result.elems, shapes)))
        if isinstance(result, ArrayType):
            return with_shape(result, shape(types, attrs))
        return result

    cache: dict = {}  # the verifier re-runs every rule: remember successful answers

    def infer(types: list, attrs: dict) -> Type:
        try:
            key = (tuple(types), tuple(sorted(attrs.items())))
            hash(key)
        except TypeError:
            return compute(types, attrs)
        if key not in cache:
            if len(cache) >= 4096:
                cache.clear()
            cache[key] = compute(types, attrs)
        return cache[key]

    return infer


def normalize_axis(axis: int, rank: int) -> int:
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeRuleError(f"axis must be an integer, got {axis!r}")
    if not -rank <= axis < rank:
        raise TypeRuleError(f"axis {axis} is out of bounds for array of dimension {rank}",
                            np.exceptions.AxisError)
    return int(axis) % rank


def normalize_axes(axis, rank: int) -> tuple:
    """Axis attribute (None, int or tuple) -> sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(rank))
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    out = tuple(normalize_axis(a, rank) for a in axes)
    if len(set(out)) != len(out):
        raise TypeRuleError(f"repeated axis in {axis!r}")
    return tuple(sorted(out))


def shape_of(t: Type) -> tuple:
    """Static shape of an array (scalars: ())."""
    return t.shape if isinstance(t, ArrayType) else ()


def is_int_type(t: Type) -> bool:
    return isinstance(t, ScalarType) and t.kind in INT_KINDS


def shape_rank(t: Type, what: str = "shape") -> int:
    """Rank given by a shape operand: an integer scalar or a tuple of integer scalars."""
    if is_int_type(t) and t.kind != "bool":
        return 1
    if isinstance(t, TupleType) and all(is_int_type(e) and e.kind != "bool" for e in t.elems):
        return len(t.elems)
    raise TypeRuleError(f"{what} must be an integer or a tuple of integers, got {t}")


def product(dims) -> int | None:
    """Product of extents, None if any is unknown."""
    out = 1
    for d in dims:
        if d is None:
            return None
        out *= d
    return out


def same_extent(a, b, what: str):
    """Unify two extents; raises TypeRuleError if both are known and differ."""
    if a is not None and b is not None and a != b:
        raise TypeRuleError(f"{what}: {a} != {b}", ValueError)
    return a if a is not None else b


__all__ = [
    "FLOAT",
    "INT",
    "INT_KINDS",
    "broadcast_rule",
    "infer_by_sample",
    "is_int_type",
    "normalize_axes",
    "normalize_axis",
    "np_dtype",
    "product",
    "require_numeric",
    "run_sample",
    "same_extent",
    "sample_value",
    "shape_of",
    "shape_rank",
    "type_of_result",
    "with_shape",
]
