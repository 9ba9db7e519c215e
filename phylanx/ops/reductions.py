"""Reductions and scans: sum, mean, min, argmax, var, cumsum, median, ...

Attributes follow NumPy: `axis` (None, an int or a tuple; kind 'axis'), `keepdims` and, where
NumPy has it, `dtype` (a PhySL dtype name or None). Reducing every axis gives a NumPy scalar, as
in NumPy. Result dtypes come from running the reference implementation on samples; extents are
those of the operand with the reduced axes removed (or set to 1 with keepdims).
"""

from __future__ import annotations

import numpy as np

from phylanx.analysis.raising import always, integer_accumulation
from phylanx.ir.registry import Attr, Method, NumpyFunction, Params, TypeRuleError, declare
from phylanx.ir.types import ArrayType
from phylanx.ops._sample import (
    infer_by_sample,
    normalize_axes,
    normalize_axis,
    np_dtype,
    product,
    require_numeric,
    shape_of,
)

_RED = ("pure", "allocates", "reduction")
_AXIS = Attr("axis", None, "axis")
_KEEPDIMS = Attr("keepdims", False, "bool")
_DTYPE = Attr("dtype", None, "dtype")
_DDOF = Attr("ddof", 0, "int")


def _check_first(types, attrs):
    require_numeric(types[:1])
    require_numeric(types[1:], allow_none=True)


def reduced_shape(types, attrs):
    """Shape of reducing operand 0 over attrs['axis'] (keepdims: reduced extents become 1)."""
    shape = shape_of(types[0])
    axes = normalize_axes(attrs.get("axis"), len(shape))
    if attrs.get("keepdims"):
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _scan_shape(types, attrs):
    shape = shape_of(types[0])
    if attrs.get("axis") is None:
        return (product(shape),)
    # NumPy scans a 0-d array as a 1-element vector: axis 0 or -1 gives shape (1,)
    normalize_axis(attrs["axis"], max(1, len(shape)))
    return shape or (1,)


def _reduction(name, impl, attrs, doc, numpy=None, method=None, shape=None, traits=_RED,
               quiet_when=None):
    """Declare reduction `name` of operand `a`, bound to np.<name> (or the NumPy names `numpy`)
    and the array method <name> (or the methods `method`). Its parameters are a and `attrs`
    in NumPy's order; NumPy's `out` comes after axis (and dtype), so only those are taken by
    position."""
    if method is None:
        method = (name,)
    by_position = [a.name for a in attrs[:2]]
    positional = 1 + (2 if by_position == ["axis", "dtype"] else 1)
    declare(name, operands=("a",), attrs=attrs,
            infer=infer_by_sample(impl, shape=shape or reduced_shape, check=_check_first),
            traits=traits, impl=impl, doc=doc, quiet_when=quiet_when,
            params=Params(positional=positional),
            bindings=tuple(NumpyFunction("np." + n) for n in numpy or (name,))
            + tuple(Method(m) for m in method))


# --- sums, products, means: (a, axis, dtype, keepdims) -------------------------------------

def _sum(a, axis=None, dtype=None, keepdims=False):
    return np.sum(a, axis=axis, dtype=np_dtype(dtype), keepdims=keepdims)


def _prod(a, axis=None, dtype=None, keepdims=False):
    return np.prod(a, axis=axis, dtype=np_dtype(dtype), keepdims=keepdims)


def _mean(a, axis=None, dtype=None, keepdims=False):
    return np.mean(a, axis=axis, dtype=np_dtype(dtype), keepdims=keepdims)


def _nansum(a, axis=None, dtype=None, keepdims=False):
    return np.nansum(a, axis=axis, dtype=np_dtype(dtype), keepdims=keepdims)


def _nanmean(a, axis=None, dtype=None, keepdims=False):
    return np.nanmean(a, axis=axis, dtype=np_dtype(dtype), keepdims=keepdims)


_ADK = (_AXIS, _DTYPE, _KEEPDIMS)
# integer sums and products wrap silently (floats may overflow)
_reduction("sum", _sum, _ADK, "Sum over axes.", quiet_when=integer_accumulation,
           traits=_RED + ("partial_sum",))
_reduction("prod", _prod, _ADK, "Product over axes.", quiet_when=integer_accumulation)
_reduction("mean", _mean, _ADK, "Arithmetic mean over axes (f64 for integers).",
           traits=_RED + ("partial_mean",))
_reduction("nansum", _nansum, _ADK, "Sum over axes treating NaN as zero.", method=(),
           quiet_when=integer_accumulation)
_reduction("nanmean", _nanmean, _ADK, "Mean over axes ignoring NaN.", method=())


# --- extrema, tests: (a, axis, keepdims) ---------------------------------------------------

def _min(a, axis=None, keepdims=False):
    return np.min(a, axis=axis, keepdims=keepdims)


def _max(a, axis=None, keepdims=False):
    return np.max(a, axis=axis, keepdims=keepdims)


def _nanmin(a, axis=None, keepdims=False):
    return np.nanmin(a, axis=axis, keepdims=keepdims)


def _nanmax(a, axis=None, keepdims=False):
    return np.nanmax(a, axis=axis, keepdims=keepdims)


def _argmin(a, axis=None, keepdims=False):
    return np.argmin(a, axis=axis, keepdims=keepdims)


def _argmax(a, axis=None, keepdims=False):
    return np.argmax(a, axis=axis, keepdims=keepdims)


def _any(a, axis=None, keepdims=False):
    return np.any(a, axis=axis, keepdims=keepdims)


def _all(a, axis=None, keepdims=False):
    return np.all(a, axis=axis, keepdims=keepdims)


def _count_nonzero(a, axis=None, keepdims=False):
    return np.count_nonzero(a, axis=axis, keepdims=keepdims)


def _median(a, axis=None, keepdims=False):
    return np.median(a, axis=axis, keepdims=keepdims)


_AK = (_AXIS, _KEEPDIMS)
_reduction("min", _min, _AK, "Minimum over axes (NaN propagates).", numpy=("min", "amin"),
           traits=_RED + ("partial_min",))
_reduction("max", _max, _AK, "Maximum over axes (NaN propagates).", numpy=("max", "amax"),
           traits=_RED + ("partial_max",))
_reduction("nanmin", _nanmin, _AK, "Minimum over axes ignoring NaN.", method=())
_reduction("nanmax", _nanmax, _AK, "Maximum over axes ignoring NaN.", method=())
_reduction("argmin", _argmin, _AK, "Index of the minimum (flat index when axis is None).")
_reduction("argmax", _argmax, _AK, "Index of the maximum (flat index when axis is None).")
# tests and counts set no floating-point flag and have an identity
_reduction("any", _any, _AK, "True if any element along the axes is true.", quiet_when=always)
_reduction("all", _all, _AK, "True if every element along the axes is true.",
           quiet_when=always)
_reduction("count_nonzero", _count_nonzero, _AK, method=(), quiet_when=always,
           traits=_RED + ("nonneg", "partial_sum"),
           doc="Number of non-zero elements along the axes.")
_reduction("median", _median, _AK, "Median over axes.", method=())


# --- variance and standard deviation: (a, axis, dtype, ddof, keepdims) ---------------------

def _var(a, axis=None, dtype=None, ddof=0, keepdims=False):
    return np.var(a, axis=axis, dtype=np_dtype(dtype), ddof=ddof, keepdims=keepdims)


def _std(a, axis=None, dtype=None, ddof=0, keepdims=False):
    return np.std(a, axis=axis, dtype=np_dtype(dtype), ddof=ddof, keepdims=keepdims)


_reduction("var", _var, (_AXIS, _DTYPE, _DDOF, _KEEPDIMS),
           "Variance over axes; ddof is the delta degrees of freedom.")
_reduction("std", _std, (_AXIS, _DTYPE, _DDOF, _KEEPDIMS),
           "Standard deviation over axes; ddof is the delta degrees of freedom.")


# --- scans: (a, axis, dtype); axis None scans the flattened array --------------------------

def _cumsum(a, axis=None, dtype=None):
    return np.cumsum(a, axis=axis, dtype=np_dtype(dtype))


def _cumprod(a, axis=None, dtype=None):
    return np.cumprod(a, axis=axis, dtype=np_dtype(dtype))


_reduction("cumsum", _cumsum, (_AXIS, _DTYPE), "Cumulative sum (flattened when axis is None).",
           shape=_scan_shape, traits=("pure", "allocates"), quiet_when=integer_accumulation)
_reduction("cumprod", _cumprod, (_AXIS, _DTYPE),
           "Cumulative product (flattened when axis is None).", shape=_scan_shape,
           traits=("pure", "allocates"), quiet_when=integer_accumulation)


# --- weighted average ----------------------------------------------------------------------

def _average(a, weights=None, axis=None, returned=False, keepdims=False):
    return np.average(a, axis=axis, weights=weights, returned=returned, keepdims=keepdims)


def _average_shape(types, attrs):
    shape = reduced_shape(types, attrs)
    return (shape, shape) if attrs.get("returned") else shape


def _check_average(types, attrs):
    _check_first(types, attrs)
    w = types[1]
    if isinstance(w, ArrayType) and isinstance(types[0], ArrayType) and w.rank not in (
            1, types[0].rank):
        raise TypeRuleError(f"weights {w} must be 1-d or have the rank of {types[0]}")


declare("average", operands=("a", "weights"),
        attrs=(_AXIS, Attr("returned", False, "bool"), _KEEPDIMS),
        infer=infer_by_sample(_average, shape=_average_shape, check=_check_average),
        traits=_RED, impl=_average, bindings=(NumpyFunction("np.average"),),
        params=Params(("a", "axis", "weights", "returned", "keepdims"),
                      defaults={"weights": None}, positional=4),
        doc="Weighted mean over axes; with returned, a tuple (average, sum of weights).")
