"""Dtype queries answered at compile time from the operand types: np.finfo, np.iinfo,
np.issubdtype, np.isdtype, np.can_cast, np.promote_types, np.result_type, np.dtype.

Each op's static_value gives the result (a constant or a compile-time object such as
np.finfo(np.float32), whose attributes are constants); the op itself never runs.
"""

from __future__ import annotations

import numpy as np

from phylanx.analysis.raising import always
from phylanx.ir.registry import REQUIRED, Attr, NumpyFunction, Params, TypeRuleError, declare
from phylanx.ir.types import BOOL, DTYPES, NONE, ArrayType, ScalarType, Type


def _np_dtype_of(t: Type):
    """The NumPy dtype of an array or NumPy scalar type; a Python scalar stands for itself
    (a value: weak under NEP 50, np.result_type(f32_array, 1.0) is float32)."""
    if isinstance(t, ArrayType):
        return DTYPES[t.dtype]
    if isinstance(t, ScalarType):
        weak = {"bool": True, "int": 1, "float": 1.0, "complex": 1j}
        return weak[t.kind] if t.kind in weak else DTYPES[t.kind]
    raise TypeRuleError(f"needs an array, a scalar or a dtype, got {t}", TypeError)


def _static(fn):
    """static_value calling `fn(*operand dtypes, **attrs)`; its errors are compile errors."""
    def static(types, attrs):
        try:
            return fn(*[_np_dtype_of(t) for t in types], **attrs)
        except (TypeError, ValueError) as e:
            raise TypeRuleError(str(e), type(e)) from None

    return static


def _never_runs(*args, **kw):
    raise AssertionError("a compile-time dtype query reached the runtime")


def _infer_from(fn):
    """The result's type: bool, or none for a compile-time object (which the frontend keeps
    as such: the static value always exists)."""
    def infer(types, attrs):
        value = _static(fn)(types, attrs)
        return BOOL if isinstance(value, (bool, np.bool_)) else NONE

    return infer


def _query(name, operands, fn, doc, attrs=()):
    declare(name, operands=operands, attrs=attrs, infer=_infer_from(fn), traits=("pure",),
            impl=_never_runs, static_value=_static(fn), quiet_when=always, doc=doc,
            bindings=(NumpyFunction("np." + name),))


def _finfo(dtype):
    return np.finfo(dtype)


def _iinfo(int_type):
    return np.iinfo(int_type)


def _issubdtype(arg1, arg2):
    return bool(np.issubdtype(arg1, arg2))


def _isdtype(dtype, kind):
    return bool(np.isdtype(dtype, kind))


def _can_cast(from_, to, casting="safe"):
    return bool(np.can_cast(from_, to, casting))


def _promote_types(type1, type2):
    return np.promote_types(type1, type2)


def _dtype(dtype):
    return np.dtype(dtype)


_query("finfo", (), _finfo, "Machine limits of a float dtype (eps, max, tiny...).",
       attrs=(Attr("dtype", REQUIRED, "any"),))
_query("iinfo", (), _iinfo, "Machine limits of an integer dtype (min, max, bits).",
       attrs=(Attr("int_type", REQUIRED, "any"),))
_query("issubdtype", (), _issubdtype, "Whether arg1 is a kind of arg2 (np.floating...).",
       attrs=(Attr("arg1", REQUIRED, "any"), Attr("arg2", REQUIRED, "any")))
_query("isdtype", (), _isdtype, "Whether dtype is of kind ('real floating'...).",
       attrs=(Attr("dtype", REQUIRED, "any"), Attr("kind", REQUIRED, "any")))
_query("can_cast", (), _can_cast, "Whether from_ casts to `to` under the casting rule.",
       attrs=(Attr("from_", REQUIRED, "any"), Attr("to", REQUIRED, "any"),
              Attr("casting", "safe", "str")))
_query("promote_types", (), _promote_types, "The smallest dtype both cast to safely.",
       attrs=(Attr("type1", REQUIRED, "any"), Attr("type2", REQUIRED, "any")))
_query("dtype", (), _dtype, "A dtype object (as a dtype= argument).",
       attrs=(Attr("dtype", REQUIRED, "any"),))
declare("result_type", operands=("arrays_and_dtypes*",), infer=_infer_from(np.result_type),
        traits=("pure",), impl=_never_runs, static_value=_static(np.result_type),
        quiet_when=always, bindings=(NumpyFunction("np.result_type"),),
        params=Params(packed="arrays_and_dtypes"),
        doc="The dtype NumPy's promotion gives the array and scalar operands.")
