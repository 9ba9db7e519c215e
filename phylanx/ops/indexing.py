"""Indexing: basic slicing (views), advanced indexing (gather) and assignment (setitem).

The `index` attribute describes each component of the Python subscript, in order:
    "i"     an integer scalar operand            x[i]
    "sABC"  a slice; A, B, C are 1 when start, stop, step are operands, else 0
    "n"     np.newaxis / None
    "e"     Ellipsis
    "a"     an integer or boolean array operand  (gather / setitem only)
Operands: the array, then one operand per "i"/"a" and per present slice part, in order
(setitem takes the assigned value last).
"""

from __future__ import annotations

import numpy as np

from phylanx.analysis.raising import basic_slicing
from phylanx.ir.registry import Attr, TypeRuleError, declare
from phylanx.ir.types import (
    DTYPES,
    ArrayType,
    ScalarType,
    Type,
    broadcast_shapes,
    rank_of,
    result_dtype,
)


def operand_count(index: tuple) -> int:
    n = 0
    for comp in index:
        n += comp[1:].count("1") if comp[0] == "s" else comp in ("i", "a")
    return n


def build_index(index: tuple, values) -> tuple:
    """The Python subscript tuple for `index` given the operand values."""
    values = iter(values)
    out = []
    for comp in index:
        kind = comp[0]
        if kind in "ia":
            out.append(next(values))
        elif kind == "s":
            out.append(slice(*[next(values) if bit == "1" else None for bit in comp[1:]]))
        elif kind == "n":
            out.append(None)
        else:
            out.append(Ellipsis)
    return tuple(out)


def _is_integer_scalar(t: Type) -> bool:
    return isinstance(t, ScalarType) and t.dtype[0] in "iu" or t == ScalarType("bool")


def _check_components(index, types, allow_arrays: bool) -> None:
    it = iter(types)
    for comp in index:
        if comp[0] == "s":
            for bit in comp[1:]:
                if bit == "1":
                    t = next(it)
                    if not (_is_integer_scalar(t) or str(t) == "none"):
                        raise TypeRuleError(f"slice indices must be integers or None, got {t}",
                                            TypeError)
        elif comp == "i":
            t = next(it)
            if not _is_integer_scalar(t):
                raise TypeRuleError(f"only integers, slices, None, Ellipsis and integer or "
                                    f"boolean arrays are valid indices; got {t}", IndexError)
        elif comp == "a":
            t = next(it)
            if not allow_arrays:
                raise TypeRuleError("array index in basic indexing")
            if not (isinstance(t, ArrayType) and (t.dtype[0] in "iu" or t.dtype == "bool")):
                raise TypeRuleError(f"arrays used as indices must be of integer or boolean "
                                    f"type, got {t}", IndexError)


def _basic_result(x: ArrayType, index: tuple, operand_types) -> Type:
    consumed = sum(comp == "i" or comp[0] == "s" for comp in index)
    if consumed > x.rank:
        raise TypeRuleError(f"too many indices for array: array is {x.rank}-dimensional, "
                            f"but {consumed} were indexed", IndexError)
    shape, axis = [], 0
    for comp in index:
        if comp == "i":
            axis += 1
        elif comp[0] == "s":
            shape.append(x.shape[axis] if comp == "s000" else None)
            axis += 1
        elif comp == "n":
            shape.append(1)
        else:  # Ellipsis covers the axes no other component consumes
            n = x.rank - consumed
            shape.extend(x.shape[axis:axis + n])
            axis += n
    shape.extend(x.shape[axis:])
    if not shape:
        return ScalarType(x.dtype)
    return ArrayType(x.dtype, tuple(shape))


def _infer_getitem(types, attrs):
    x, *idx = types
    index = attrs["index"]
    if not isinstance(x, ArrayType):
        raise TypeRuleError(f"'{x}' object is not subscriptable as an array")
    if operand_count(index) != len(idx):
        raise TypeRuleError(f"index {index} needs {operand_count(index)} operands")
    if index.count("e") > 1:
        raise TypeRuleError("an index can only have a single ellipsis ('...')", IndexError)
    _check_components(index, idx, allow_arrays=False)
    return _basic_result(x, index, idx)


def _sample_index(index, types, x_rank):
    """Sample subscript for shape inference of advanced indexing."""
    it = iter(types)
    out = []
    for comp in index:
        if comp == "i":
            next(it)
            out.append(0)
        elif comp == "a":
            t = next(it)
            if t.dtype == "bool":
                out.append(np.ones((2,) * t.rank, bool))
            else:
                out.append(np.zeros((1,) * t.rank, np.intp))
        elif comp[0] == "s":
            for bit in comp[1:]:
                if bit == "1":
                    next(it)
            out.append(slice(None))
        else:
            out.append(None if comp == "n" else Ellipsis)
    return tuple(out)


def _infer_gather(types, attrs):
    x, *idx = types
    index = attrs["index"]
    if not isinstance(x, ArrayType):
        raise TypeRuleError(f"'{x}' object is not subscriptable as an array")
    if operand_count(index) != len(idx):
        raise TypeRuleError(f"index {index} needs {operand_count(index)} operands")
    _check_components(index, idx, allow_arrays=True)
    sample = np.zeros((2,) * x.rank, DTYPES[x.dtype])
    try:
        result = sample[_sample_index(index, idx, x.rank)]
    except IndexError as e:
        raise TypeRuleError(str(e), type(e)) from None
    if np.ndim(result) == 0:
        return ScalarType(x.dtype)
    return ArrayType(x.dtype, (None,) * np.ndim(result))


def _infer_setitem(types, attrs):
    x, *idx, value = types
    index = attrs["index"]
    if not isinstance(x, ArrayType):
        raise TypeRuleError(f"'{x}' object does not support item assignment", TypeError)
    target = (_infer_gather if "a" in index else _infer_getitem)([x, *idx], attrs)
    if not isinstance(value, (ArrayType, ScalarType)):
        raise TypeRuleError(f"cannot assign {value} into an array", TypeError)
    if index.count("i") == x.rank and len(index) == x.rank and rank_of(value) > 0:
        # one element (every axis indexed by an integer): NumPy takes scalars and 0-d arrays;
        # a complex element converts the value as a Python scalar (TypeError)
        if x.dtype in ("c64", "c128"):
            raise TypeRuleError("only 0-dimensional arrays can be converted to Python scalars "
                                f"({value} into one element of {x})", TypeError)
        raise TypeRuleError(f"setting an array element with a sequence ({value})", ValueError)
    if index == ("a",) and idx[0].dtype == "bool" and rank_of(value) > 1:
        raise TypeRuleError("NumPy boolean array indexing assignment requires a 0 or "
                            f"1-dimensional input, got {value}", TypeError)
    # NumPy broadcasts the value to the indexed shape; extra leading axes must have extent 1
    extra = rank_of(value) - rank_of(target)
    if extra > 0 and any(d is not None and d != 1 for d in value.shape[:extra]):
        raise TypeRuleError(f"could not broadcast {value} into the indexed {target}",
                            ValueError)
    if isinstance(target, ArrayType) and isinstance(value, ArrayType):
        try:
            broadcast_shapes(target.shape, value.shape[max(extra, 0):])
        except ValueError as e:
            raise TypeRuleError(str(e), ValueError) from None
    if value.dtype.startswith("c") and not x.dtype.startswith("c"):
        raise TypeRuleError(f"cannot assign complex values into a {x.dtype} array", TypeError)
    result_dtype(value)  # validates the dtype
    return x


def _getitem(x, *values, index):
    return x[build_index(index, values)]


def _setitem(x, *values, index):
    *idx, value = values
    x[build_index(index, idx)] = value
    return x


def _numpy_shape(shape: tuple) -> str:
    return "(" + ",".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _check_fits(target, value):
    if np.shape(value) != np.shape(target):
        raise ValueError(f"non-broadcastable output operand with shape "
                         f"{_numpy_shape(np.shape(target))} doesn't match the broadcast shape "
                         f"{_numpy_shape(np.shape(value))}")
    return value


def _infer_check_fits(types, attrs):
    target, value = types
    if not isinstance(target, ArrayType):
        raise TypeRuleError(f"check_fits needs an array target, got {target}")
    return value


declare("getitem", operands=("x", "index*"), attrs=(Attr("index"),),
        traits=("pure", "view"), infer=_infer_getitem, impl=_getitem, quiet_when=basic_slicing,
        doc="Basic indexing x[i, a:b:c, None, ...]: a view (or a NumPy scalar).")
declare("gather", operands=("x", "index*"), attrs=(Attr("index"),),
        traits=("pure", "allocates"), infer=_infer_gather, impl=_getitem,
        doc="Advanced indexing with integer or boolean arrays: a copy.")
declare("check_fits", operands=("target", "value"), traits=("pure",), infer=_infer_check_fits,
        impl=_check_fits,
        doc="`value`, the result of `target op= y` computed over the broadcast shape; NumPy's "
            "ValueError when that is not target's shape (an in-place result cannot grow).")
declare("setitem", operands=("x", "args*"), attrs=(Attr("index"),),
        traits=("inplace",), infer=_infer_setitem, impl=_setitem,
        doc="x[index] = value, in place; returns x.")
