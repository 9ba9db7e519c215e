"""Array creation: zeros, full, *_like, eye, arange, linspace, array, copy, astype, diag, tri.

A shape operand (np.zeros(shape), np.ones((n, k))) is one operand typed as an integer scalar or
a tuple of integer scalars; the result's rank is the tuple's length (1 for a scalar) and its
extents are unknown. Missing optional operands (arange's stop and step, eye's M) are passed as
the Python None constant (type `none`).
"""

from __future__ import annotations

import numpy as np

from phylanx.analysis.raising import always, safe_cast, shapes_known_nonneg
from phylanx.ir.registry import (
    REQUIRED,
    Attr,
    Method,
    NumpyFunction,
    Params,
    TypeRuleError,
    declare,
)
from phylanx.ir.types import (
    ArrayType,
    ListType,
    NoneType,
    ScalarType,
    TupleType,
    Type,
    broadcast_shapes,
)
from phylanx.ops._sample import (
    infer_by_sample,
    is_int_type,
    normalize_axis,
    np_dtype,
    require_numeric,
    same_extent,
    sample_value,
    shape_of,
    shape_rank,
)

_NEW = ("pure", "allocates")
_DTYPE = Attr("dtype", None, "dtype")
_DTYPE_F64 = Attr("dtype", "f64", "dtype")


def _shape_result(types, attrs):
    """Unknown extents, rank given by the shape operand 0."""
    return (None,) * shape_rank(types[0])


def _like_shape(types, attrs):
    require_numeric(types[:1])
    return shape_of(types[0])


def _zeros(shape, dtype="f64"):
    return np.zeros(shape, dtype=np_dtype(dtype))


def _ones(shape, dtype="f64"):
    return np.ones(shape, dtype=np_dtype(dtype))


def _empty(shape, dtype="f64"):
    return np.empty(shape, dtype=np_dtype(dtype))


def _full(shape, fill_value, dtype=None):
    return np.full(shape, fill_value, dtype=np_dtype(dtype))


def _zeros_like(a, dtype=None):
    return np.zeros_like(a, dtype=np_dtype(dtype))


def _ones_like(a, dtype=None):
    return np.ones_like(a, dtype=np_dtype(dtype))


def _empty_like(a, dtype=None):
    return np.empty_like(a, dtype=np_dtype(dtype))


def _full_like(a, fill_value, dtype=None):
    return np.full_like(a, fill_value, dtype=np_dtype(dtype))


def _creator(name, operands, impl, shape, doc, attrs=(), traits=_NEW, sampler=None,
             methods=(), params=None, quiet_when=None, numpy=None):
    """Declare `name`, bound to np.<name> (or the np.<names> of `numpy`) and to the array
    methods `methods`."""
    declare(name, operands=operands, attrs=attrs,
            infer=infer_by_sample(impl, shape=shape, check=shape, sampler=sampler),
            traits=traits, impl=impl, doc=doc, params=params, quiet_when=quiet_when,
            bindings=(*(NumpyFunction("np." + n) for n in numpy or (name,)),
                      *(Method(m) for m in methods)))


_SIZE_0_NONNEG = shapes_known_nonneg(0)   # np.zeros(n): quiet when n is known >= 0


_creator("zeros", ("shape",), _zeros, _shape_result, "A new array of zeros.",
         attrs=(_DTYPE_F64,), quiet_when=_SIZE_0_NONNEG)
_creator("ones", ("shape",), _ones, _shape_result, "A new array of ones.", attrs=(_DTYPE_F64,),
         quiet_when=_SIZE_0_NONNEG)
_creator("empty", ("shape",), _empty, _shape_result, "A new uninitialised array.",
         attrs=(_DTYPE_F64,), quiet_when=_SIZE_0_NONNEG)
_creator("full", ("shape", "fill_value"), _full, _shape_result, attrs=(_DTYPE,),
         doc="A new array filled with fill_value (dtype None: that of fill_value).")
_creator("zeros_like", ("a",), _zeros_like, _like_shape, "Zeros of a's shape and dtype.",
         attrs=(_DTYPE,), quiet_when=always)
_creator("ones_like", ("a",), _ones_like, _like_shape, "Ones of a's shape and dtype.",
         attrs=(_DTYPE,), quiet_when=always)
_creator("empty_like", ("a",), _empty_like, _like_shape,
         "An uninitialised array of a's shape and dtype.", attrs=(_DTYPE,), quiet_when=always)
_creator("full_like", ("a", "fill_value"), _full_like, _like_shape,
         "An array of a's shape and dtype filled with fill_value.", attrs=(_DTYPE,))


# --- eye, identity, tri ------------------------------------------------------------------------

def _check_ints(types, what):
    for t in types:
        if not (isinstance(t, NoneType) or is_int_type(t) and t.kind != "bool"):
            raise TypeRuleError(f"{what} must be integers, got {t}")


def _matrix(types, attrs):
    _check_ints(types, "matrix extents")
    return (None, None)


def _eye(N, M=None, k=0, dtype="f64"):
    return np.eye(N, M, k, dtype=np_dtype(dtype))


def _identity(n, dtype="f64"):
    return np.identity(n, dtype=np_dtype(dtype))


def _tri(N, M=None, k=0, dtype="f64"):
    return np.tri(N, M, k, dtype=np_dtype(dtype))


_creator("eye", ("N", "M"), _eye, _matrix, "2-d array with ones on diagonal k.",
         attrs=(Attr("k", 0, "int"), _DTYPE_F64),
         params=Params(("N", "M", "k", "dtype"), defaults={"M": None}),
         quiet_when=shapes_known_nonneg(0, 1))
_creator("identity", ("n",), _identity, _matrix, "The n x n identity matrix.",
         attrs=(_DTYPE_F64,), quiet_when=_SIZE_0_NONNEG)
_creator("tri", ("N", "M"), _tri, _matrix, "Ones at and below diagonal k, zeros elsewhere.",
         attrs=(Attr("k", 0, "int"), _DTYPE_F64),
         params=Params(("N", "M", "k", "dtype"), defaults={"M": None}))


def _triu(m, k=0):
    return np.triu(m, k)


def _tril(m, k=0):
    return np.tril(m, k)


def _tri_shape(types, attrs):
    require_numeric(types)
    shape = shape_of(types[0])
    return shape * 2 if len(shape) == 1 else shape


_creator("triu", ("m",), _triu, _tri_shape, "Copy of m with elements below diagonal k zeroed.",
         attrs=(Attr("k", 0, "int"),))
_creator("tril", ("m",), _tril, _tri_shape, "Copy of m with elements above diagonal k zeroed.",
         attrs=(Attr("k", 0, "int"),))


def _diag(v, k=0):
    return np.diag(v, k)


def _diag_shape(types, attrs):
    require_numeric(types)
    shape, k = shape_of(types[0]), attrs.get("k", 0)
    if len(shape) == 1:
        n = None if shape[0] is None else shape[0] + abs(k)
        return (n, n)
    if len(shape) == 2:
        m, n = shape
        if m is None or n is None:
            return (None,)
        return (max(0, min(m, n - k) if k >= 0 else min(m + k, n)),)
    raise TypeRuleError(f"diag needs a 1-d or 2-d array, got {types[0]}")


_creator("diag", ("v",), _diag, _diag_shape,
         "Diagonal k of a 2-d array, or a 2-d array with v on diagonal k.",
         attrs=(Attr("k", 0, "int"),))


# --- ranges ------------------------------------------------------------------------------------

def _arange(start, stop=None, step=None, dtype=None):
    return np.arange(start, stop, step, dtype=np_dtype(dtype))


def _arange_shape(types, attrs):
    for t in types:
        if not (isinstance(t, (ScalarType, NoneType)) or isinstance(t, ArrayType) and t.rank == 0):
            raise TypeRuleError(f"arange needs scalar bounds, got {t}")
    return (None,)


def _linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    return np.linspace(start, stop, num, endpoint=endpoint, retstep=retstep,
                       dtype=np_dtype(dtype), axis=axis)


def _linspace_sampler(types):
    """num = 2: with num = 1 the step is a Python float NaN, otherwise a NumPy scalar."""
    start, stop, num = types
    return [sample_value(start), sample_value(stop), sample_value(num, 2)]


def _linspace_shape(types, attrs):
    require_numeric(types[:2])
    if not is_int_type(types[2]):
        raise TypeRuleError(f"linspace: num must be an integer, got {types[2]}")
    try:
        bounds = broadcast_shapes(shape_of(types[0]), shape_of(types[1]))
    except ValueError as e:
        raise TypeRuleError(str(e)) from None
    axis = normalize_axis(attrs.get("axis", 0), len(bounds) + 1)
    out = bounds[:axis] + (None,) + bounds[axis:]
    return (out, bounds) if attrs.get("retstep") else out


_creator("arange", ("start", "stop", "step"), _arange, _arange_shape, attrs=(_DTYPE,),
         params=Params(("start", "stop", "step", "dtype"), defaults={"stop": None, "step": None}),
         doc="Evenly spaced values in [start, stop); one bound means [0, start).")
_creator("linspace", ("start", "stop", "num"), _linspace, _linspace_shape,
         attrs=(Attr("endpoint", True, "bool"), Attr("retstep", False, "bool"), _DTYPE,
                Attr("axis", 0, "int")),
         sampler=_linspace_sampler,
         params=Params(("start", "stop", "num", "endpoint", "retstep", "dtype", "axis"),
                       defaults={"num": 50}),
         doc="num evenly spaced values from start to stop; with retstep, (values, step).")


# --- conversion and copies -----------------------------------------------------------------

def nested_shape(t: Type) -> tuple:
    """Shape of np.array(value) for a value of type `t` (nested tuples/lists of scalars)."""
    if isinstance(t, ScalarType):
        return ()
    if isinstance(t, ArrayType):
        return t.shape
    if isinstance(t, ListType):
        return (None,) + nested_shape(t.elem)
    if isinstance(t, TupleType):
        inner = [nested_shape(e) for e in t.elems]
        if any(len(s) != len(inner[0]) for s in inner):
            raise TypeRuleError(f"cannot make an array of the ragged sequence {t}")
        common = inner[0] if inner else ()
        for s in inner[1:]:
            common = tuple(same_extent(x, y, f"cannot make an array of the ragged sequence {t}")
                           for x, y in zip(common, s))
        return (len(t.elems),) + common
    raise TypeRuleError(f"cannot make an array of {t}")


def _array(object, dtype=None, copy=True):
    return np.array(object, dtype=np_dtype(dtype), copy=copy)


def _only_copies(types, attrs):
    if attrs.get("copy", True) is not True:
        raise TypeRuleError("np.array(..., copy=False/None) is not supported; np.asarray(x) "
                            "gives x itself when no copy is needed")


def _asarray(a, dtype=None):
    return np.asarray(a, dtype=np_dtype(dtype))


def _array_shape(types, attrs):
    return nested_shape(types[0])


def _astype(x, dtype):
    return x.astype(np_dtype(dtype))


def _array_copy_shape(types, attrs):
    _only_copies(types, attrs)
    return nested_shape(types[0])


_creator("array", ("object",), _array, _array_copy_shape,
         attrs=(_DTYPE, Attr("copy", True, "any")), params=Params(positional=2),
         doc="A new array from an array, scalar or nested tuples/lists (copy=True only).")
_creator("asarray", ("a",), _asarray, _array_shape, attrs=(_DTYPE,),
         numpy=("asarray", "asanyarray"),
         traits=("pure", "view"), quiet_when=safe_cast,
         doc="Like array, but returns an array operand unchanged.")
_creator("copy", ("a",), np.copy, _like_shape, methods=("copy",), quiet_when=always,
         doc="A copy of a (0-d array for scalars).")
declare("astype", operands=("x",), attrs=(Attr("dtype", REQUIRED, "dtype"),),
        infer=infer_by_sample(_astype, shape=_like_shape, check=_like_shape), traits=_NEW,
        impl=_astype, bindings=(Method("astype", scalars=True), NumpyFunction("np.astype")),
        quiet_when=safe_cast,
        doc="A copy of x cast to dtype (x.astype(dtype) / np.astype(x, dtype)).")
