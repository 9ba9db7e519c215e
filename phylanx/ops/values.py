"""Constants, undefined values, truth tests, tuples and lists."""

from __future__ import annotations

import numpy as np

from phylanx.analysis.raising import always, nonzero_step, same_or_array_conversion, scalar_operand
from phylanx.ir.registry import Attr, TypeRuleError, declare
from phylanx.ir.types import (
    BOOL,
    DTYPES,
    INT,
    PY_KINDS,
    ArrayType,
    ListType,
    ScalarType,
    TupleType,
    Type,
    unify,
)


def materialize(value, t: Type):
    """Convert a Python value to the runtime representation of type `t`."""
    if isinstance(t, ScalarType):
        if t.kind in PY_KINDS:
            return {"bool": bool, "int": int, "float": float, "complex": complex}[t.kind](value)
        return DTYPES[t.kind].type(value)
    if isinstance(t, ArrayType):
        arr = np.array(value, dtype=DTYPES[t.dtype])
        arr.flags.writeable = False  # constants are shared between calls
        return arr
    if isinstance(t, TupleType):
        return tuple(materialize(v, et) for v, et in zip(value, t.elems))
    if isinstance(t, ListType):
        return [materialize(v, t.elem) for v in value]
    return None


def materializes_as_itself(value, t: Type) -> bool:
    """Whether a constant of type `t` holding `value` comes back as the same Python types
    (a folded result must): `bool` types both Python's bool and np.bool_, and a constant
    materializes as the former."""
    back = materialize(value, t)

    def same(a, b) -> bool:
        if isinstance(a, tuple) or isinstance(b, tuple):
            return isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b) and \
                all(map(same, a, b))
        return type(a) is type(b)

    return same(back, value)


def zero_of(t: Type):
    """The value an `undef` of type `t` takes: zeros, empty arrays, empty lists."""
    if isinstance(t, ScalarType):
        return materialize(0, t)
    if isinstance(t, ArrayType):
        return np.zeros((0,) * t.rank, DTYPES[t.dtype])
    if isinstance(t, TupleType):
        return tuple(zero_of(e) for e in t.elems)
    if isinstance(t, ListType):
        return []
    return None


def _verify_const(op, f, module) -> None:
    (t,) = [r.type for r in op.results]
    value = op.attrs["value"]
    try:
        materialize(value, t)
    except (TypeError, ValueError, OverflowError) as e:
        raise TypeRuleError(f"value {value!r} is not a {t}: {e}") from None
    if isinstance(t, ArrayType) and np.shape(value) != t.shape:
        raise TypeRuleError(f"constant of shape {np.shape(value)} typed {t}")


def _truth(x):
    if isinstance(x, np.ndarray) and x.size != 1:
        raise ValueError("The truth value of an array with more than one element is ambiguous. "
                         "Use a.any() or a.all()")
    return bool(x)


def _infer_tuple_get(types, attrs):
    (t,) = types
    if not isinstance(t, TupleType):
        raise TypeRuleError(f"tuple_get needs a tuple, got {t}")
    i = attrs["index"]
    if not -len(t.elems) <= i < len(t.elems):
        raise TypeRuleError(f"tuple index {i} out of range for {t}")
    return t.elems[i]


def _infer_list_new(types, attrs):
    if not types:
        raise TypeRuleError("an empty list literal has no element type")
    elem = types[0]
    for t in types[1:]:
        if t != elem:
            raise TypeRuleError(f"list elements have different types {elem} and {t}")
    return ListType(elem)


def _infer_list_append(types, attrs):
    lst, item = types
    if not isinstance(lst, ListType) or item != lst.elem:
        raise TypeRuleError(f"cannot append {item} to {lst}")
    return lst


def _infer_list_get(types, attrs):
    lst, index = types
    if not isinstance(lst, ListType):
        raise TypeRuleError(f"list_get needs a list, got {lst}")
    if not (isinstance(index, ScalarType) and index.dtype.startswith(("i", "u"))):
        raise TypeRuleError(f"list index must be an integer, got {index}")
    return lst.elem


def _infer_len(types, attrs):
    (t,) = types
    if isinstance(t, ArrayType) and t.rank > 0 or isinstance(t, (ListType, TupleType)):
        return INT
    raise TypeRuleError(f"len() of {t}", TypeError)  # Python: "len() of unsized object"


def _list_get(lst, i):
    return lst[i]


def _infer_to_scalar(types, attrs):
    (t,) = types
    if isinstance(t, ArrayType) and t.rank > 0 and t.shape != (1,) * t.rank \
            and None not in t.shape:
        raise TypeRuleError(f"only size-1 arrays convert to Python scalars, got {t}")
    if not isinstance(t, (ArrayType, ScalarType)):
        raise TypeRuleError(f"cannot convert {t} to {attrs['kind']}")
    return ScalarType(attrs["kind"])


def _to_scalar(x, kind):
    if isinstance(x, np.ndarray) and x.ndim:
        if x.size != 1:
            raise TypeError("only length-1 arrays can be converted to Python scalars")
        x = x.reshape(())[()]
    return {"bool": bool, "int": int, "float": float, "complex": complex}[kind](x)


declare("const", attrs=(Attr("value"),), traits=("pure",), verify=_verify_const,
        doc="A compile-time constant of the result type.", needs_result_types=True,
        quiet_when=always,
        impl=lambda value, result_types: materialize(value, result_types[0]))
declare("undef", traits=("pure",), verify=lambda op, f, m: None, needs_result_types=True,
        quiet_when=always,
        impl=lambda result_types: zero_of(result_types[0]),
        doc="A variable with no value on this path (reads give zeros / empty arrays).")
def _check_bound(bound, value, name):
    if not bound:
        raise UnboundLocalError(
            f"cannot access local variable '{name}' where it is not associated with a value")
    return value


def _infer_check_bound(types, attrs):
    bound, value = types
    if bound != BOOL:
        raise TypeRuleError(f"check_bound needs a bool flag, got {bound}")
    return value


declare("check_bound", operands=("bound", "value"), attrs=(Attr("name", kind="str"),),
        traits=("pure",), infer=_infer_check_bound, impl=_check_bound,
        doc="A read of variable `name`: `value`, or UnboundLocalError when `bound` is False "
            "(no assignment on the path taken bound it).")
declare("truth", operands=("x",), traits=("pure",), infer=lambda ts, a: BOOL, impl=_truth,
        quiet_when=scalar_operand,
        doc="Python's bool(x); raises ValueError for arrays of size != 1.")
declare("to_scalar", operands=("x",), attrs=(Attr("kind", kind="str"),), traits=("pure",),
        infer=_infer_to_scalar, impl=_to_scalar, doc="int(x), float(x), bool(x), complex(x).")


def _infer_numpy_bool(types, attrs):
    (t,) = types
    if isinstance(t, ScalarType) or isinstance(t, ArrayType) and t.rank == 0:
        return BOOL
    raise TypeRuleError(f"np.bool_() of {t}: a scalar or 0-d array is needed here")


# The type `bool` holds Python's bool and np.bool_ alike (a value keeps its own class): this
# op makes the run-time value an np.bool_ (np.bool_(x), np.True_); it is never folded, as a
# folded constant would be a Python bool.
declare("numpy_bool", operands=("x",), traits=("pure",), infer=_infer_numpy_bool,
        needs_result_types=True, impl=lambda x, result_types: np.bool_(x), quiet_when=always,
        doc="np.bool_(x): the truth of a scalar as a NumPy bool.")
declare("tuple", operands=("elems*",), traits=("pure",),
        infer=lambda ts, a: TupleType(tuple(ts)), impl=lambda *xs: tuple(xs), quiet_when=always,
        doc="Build a tuple.")
declare("tuple_get", operands=("t",), attrs=(Attr("index", kind="int"),), traits=("pure",),
        infer=_infer_tuple_get, impl=lambda t, index: t[index], quiet_when=always,
        doc="t[index], static index.")
declare("list_new", operands=("elems*",), traits=("pure", "allocates"), infer=_infer_list_new,
        impl=lambda *xs: list(xs), quiet_when=always, doc="A list literal (elements of one type).")
declare("list_empty", attrs=(), traits=("pure", "allocates"), verify=lambda op, f, m: None,
        needs_result_types=True, impl=lambda result_types: [], quiet_when=always,
        doc="An empty list of the result type.")
declare("list_append", operands=("list", "item"), traits=("pure", "allocates"),
        infer=_infer_list_append, impl=lambda lst, x: lst + [x], quiet_when=always,
        doc="A new list: `list` followed by `item`.")
declare("list_get", operands=("list", "index"), traits=("pure",), infer=_infer_list_get,
        impl=_list_get, doc="list[index] (negative indices count from the end).")
declare("len", operands=("x",), traits=("pure", "nonneg"), infer=_infer_len, impl=len,
        quiet_when=always,
        doc="len(x): first extent of an array, length of a list or tuple.")



def _convert(x, result_types):
    (t,) = result_types
    if isinstance(t, ArrayType):
        return np.asarray(x).astype(DTYPES[t.dtype], copy=False)
    if isinstance(t, ListType):
        return [_convert(v, [t.elem]) for v in x]
    if isinstance(t, TupleType):
        return tuple(_convert(v, [e]) for v, e in zip(x, t.elems))
    return materialize(x, t)


def _verify_convert(op, f, module) -> None:
    src, dst = op.operands[0].type, op.results[0].type
    if unify(src, dst) is None and not (isinstance(src, ScalarType)
                                         and isinstance(dst, ScalarType)):
        raise TypeRuleError(f"cannot convert {src} to {dst}")


def _infer_select(types, attrs):
    cond, a, b = types
    if cond != BOOL:
        raise TypeRuleError(f"select condition must be bool, got {cond}")
    if a != b:
        raise TypeRuleError(f"select operands differ: {a} and {b}")
    return a


declare("convert", operands=("x",), traits=("pure",), verify=_verify_convert,
        needs_result_types=True, impl=_convert, quiet_when=same_or_array_conversion, doc="Convert to the result type (branch merges, loop carries, casts).")
declare("select", operands=("cond", "a", "b"), traits=("pure",), infer=_infer_select,
        impl=lambda c, a, b: a if c else b, quiet_when=always, doc="`a if cond else b` for scalars (both computed).")
declare("range_len", operands=("start", "stop", "step"), traits=("pure", "nonneg"),
        infer=lambda ts, a: INT, impl=lambda lo, hi, st: len(range(lo, hi, st)),
        quiet_when=nonzero_step(2),
        doc="len(range(start, stop, step)).")
declare("not", operands=("x",), traits=("pure",), infer=lambda ts, a: BOOL,
        impl=lambda x: not x, quiet_when=always, doc="Python's `not x` of a bool.")

__all__ = ["materialize", "materializes_as_itself", "unify", "zero_of"]
