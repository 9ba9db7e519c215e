"""Selecting, searching, sorting and set operations, run by NumPy: take/put and their
relatives, index helpers (argwhere, tril_indices, unravel_index...), searchsorted/digitize,
partitions, unique with its options and the 1-d set operations.

The `inplace` ops (np.put, np.putmask, np.place, np.copyto, np.fill_diagonal, np.add.at,
x.fill, x.sort, x.partition) write into operand 0 and give it back; the frontend rebinds the
names of that array and the Python call gives None.
"""

from __future__ import annotations

import numpy as np

from phylanx.ir.registry import (
    REQUIRED,
    Attr,
    Method,
    NumpyFunction,
    Params,
    TypeRuleError,
    declare,
)
from phylanx.ir.types import ArrayType
from phylanx.ops._fallback import SHARES, VIEW, numpy_op
from phylanx.ops._sample import infer_by_sample, sample_value

# --- take and put --------------------------------------------------------------------------


def _take(a, indices, axis=None, mode="raise"):
    return np.take(a, indices, axis, mode=mode)


def _take_along_axis(arr, indices, axis):
    return np.take_along_axis(arr, indices, axis)


def _compress(condition, a, axis=None):
    return np.compress(condition, a, axis)


def _choose(a, choices, mode="raise"):
    return np.choose(a, choices, mode=mode)


def _select(condlist, choicelist, default=0):
    return np.select(condlist, choicelist, default)


def _diagonal(a, offset=0, axis1=0, axis2=1):
    return np.diagonal(a, offset, axis1, axis2)


_MODE = Attr("mode", "raise", "str")
numpy_op("take", ("a", "indices"), _take, "Elements of a at indices (of the flattened a "
         "when axis is None); mode 'raise', 'wrap' or 'clip'.",
         attrs=(Attr("axis", None, "int"), _MODE), fills={1: 0}, numeric=False,
         methods=("take",), params=Params(positional=3))
numpy_op("take_along_axis", ("arr", "indices"), _take_along_axis,
         "Elements of arr at indices along axis (indices from argsort/argpartition).",
         attrs=(Attr("axis", REQUIRED, "int"),), fills={1: 0})
numpy_op("compress", ("condition", "a"), _compress,
         "The slices of a where condition is true (of the flattened a when axis is None).",
         attrs=(Attr("axis", None, "int"),), numeric=False)


def _compress_method(a, condition, axis=None):
    return np.compress(condition, a, axis)


numpy_op("compress_method", ("a", "condition"), _compress_method,
         "x.compress(condition, axis): the slices of x where condition is true.",
         attrs=(Attr("axis", None, "int"),), numeric=False, numpy=(),
         methods=("compress",))
numpy_op("extract", ("condition", "arr"), np.extract,
         "The elements of the flattened arr where condition is true.", numeric=False)
numpy_op("choose", ("a", "choices"), _choose,
         "Elements chosen from the arrays of choices by the indices a.",
         attrs=(_MODE,), fills={0: 0}, numeric=False, methods=("choose",),
         params=Params(positional=2))
numpy_op("select_choices", ("condlist", "choicelist", "default"), _select,
         "From the first choice whose condition is true, else default.", numeric=False,
         params=Params(defaults={"default": 0}), numpy=("select",))
numpy_op("diagonal", ("a",), _diagonal, "The diagonal at offset of the axes axis1, axis2 "
         "(a read-only view).",
         attrs=(Attr("offset", 0, "int"), Attr("axis1", 0, "int"), Attr("axis2", 1, "int")),
         methods=("diagonal",), traits=VIEW)


def _linalg_diagonal(x, offset=0):
    return np.linalg.diagonal(x, offset=offset)


numpy_op("linalg.diagonal", ("x",), _linalg_diagonal,
         "The diagonal of the last two axes at offset (a read-only view).",
         attrs=(Attr("offset", 0, "int"),), numpy=("np.linalg.diagonal",), traits=VIEW,
         params=Params(positional=1))


def _same_as_operand0(check):
    """Type rule of an inplace op: operand 0's type, after `check` accepted the operands."""
    def infer(types, attrs):
        if not isinstance(types[0], ArrayType):
            raise TypeRuleError(f"needs an array to write into, got {types[0]}", TypeError)
        check(types, attrs)
        return types[0]

    return infer


def _inplace(name, operands, impl, doc, attrs=(), paths=None, methods=(), fills=None,
             params=None):
    """An op that writes into operand 0 (`impl` mutates it and returns None)."""
    def run(target, *args, **kw):
        impl(target, *args, **kw)
        return target

    run.__name__ = impl.__name__
    fills = fills or {}
    sample_check = infer_by_sample(
        impl, shape=None,
        sampler=lambda ts: [sample_value(t, fills.get(i, 1)) for i, t in enumerate(ts)])
    declare(name, operands=operands, attrs=attrs, traits=("inplace",),
            infer=_same_as_operand0(sample_check), impl=run, doc=doc, params=params,
            bindings=tuple(NumpyFunction(p) for p in (("np." + name,) if paths is None else paths))
            + tuple(Method(m) for m in methods))


def _put(a, ind, v, mode="raise"):
    np.put(a, ind, v, mode=mode)


def _put_along_axis(arr, indices, values, axis):
    np.put_along_axis(arr, indices, values, axis)


def _fill_diagonal(a, val, wrap=False):
    np.fill_diagonal(a, val, wrap)


def _fill(a, value):
    a.fill(value)


def _copyto(dst, src, casting="same_kind"):
    np.copyto(dst, src, casting=casting)


def _add_at(a, indices, b):
    np.add.at(a, indices, b)


_inplace("put", ("a", "ind", "v"), _put, "a.flat[ind] = v in place (mode 'raise', 'wrap', "
         "'clip').", attrs=(_MODE,), methods=("put",), fills={1: 0})
_inplace("put_along_axis", ("arr", "indices", "values"), _put_along_axis,
         "Write values into arr at indices along axis, in place.",
         attrs=(Attr("axis", REQUIRED, "int"),), fills={1: 0})
_inplace("putmask", ("a", "mask", "values"), np.putmask,
         "a[mask] = values (repeated as needed), in place.")
_inplace("place", ("arr", "mask", "vals"), np.place,
         "Write vals, in order and repeated, where mask is true, in place.")
_inplace("copyto", ("dst", "src"), _copyto, "Copy src into dst (broadcast), in place.",
         attrs=(Attr("casting", "same_kind", "str"),))
_inplace("fill_diagonal", ("a", "val"), _fill_diagonal,
         "Write val on the main diagonal, in place.", attrs=(Attr("wrap", False, "bool"),))
_inplace("fill", ("a", "value"), _fill, "Set every element to value, in place (x.fill).",
         paths=(), methods=("fill",))
_inplace("ufunc_add_at", ("a", "indices", "b"), _add_at,
         "a[indices] += b unbuffered (repeated indices add up), in place.",
         paths=("np.add.at",), fills={1: 0})


def _sort_inplace(a, axis=-1, kind=None):
    a.sort(axis, kind)


def _partition_inplace(a, kth, axis=-1):
    a.partition(kth, axis)
    return a


_inplace("sort_inplace", ("a",), _sort_inplace, "Sort a along axis, in place (x.sort()).",
         attrs=(Attr("axis", -1, "int"), Attr("kind", None, "any")), paths=(),
         methods=("sort",))


def _same_type_like(dtype=None):
    """Rule of partition-like ops: operand 0's shape, its dtype (or `dtype`)."""
    def infer(types, attrs):
        t = types[0]
        if not isinstance(t, ArrayType) or t.rank == 0:
            raise TypeRuleError(f"needs an array of rank >= 1, got {t}", np.exceptions.AxisError)
        if not isinstance(attrs.get("kth"), (int, tuple, list)) or isinstance(attrs["kth"],
                                                                             bool):
            raise TypeRuleError(f"kth must be an int or a sequence of ints, got "
                                f"{attrs.get('kth')!r}", TypeError)
        return ArrayType(dtype or t.dtype, t.shape)

    return infer


def _partition(a, kth, axis=-1):
    return np.partition(a, kth, axis)


def _argpartition(a, kth, axis=-1):
    return np.argpartition(a, kth, axis)


_PART = (Attr("kth", REQUIRED, "any"), Attr("axis", -1, "int"))
declare("partition", operands=("a",), attrs=_PART, infer=_same_type_like(),
        traits=("pure", "allocates"), impl=_partition, bindings=(NumpyFunction("np.partition"),),
        doc="A copy with the kth element in its sorted place, smaller ones before it.")
declare("argpartition", operands=("a",), attrs=_PART, infer=_same_type_like("i64"),
        traits=("pure", "allocates"), impl=_argpartition,
        bindings=(NumpyFunction("np.argpartition"), Method("argpartition")),
        doc="Indices that partition a around its kth element.")
declare("partition_inplace", operands=("a",), attrs=_PART, infer=_same_type_like(),
        traits=("inplace",), impl=_partition_inplace,
        bindings=(Method("partition"),), doc="Partition a around its kth element, in place.")


# --- where things are ------------------------------------------------------------------------

def _ravel_multi_index(multi_index, dims, mode="raise", order="C"):
    return np.ravel_multi_index(multi_index, dims, mode, order)


def _unravel_index(indices, shape, order="C"):
    return np.unravel_index(indices, shape, order)


def _diag_indices(n, ndim=2):
    return np.diag_indices(n, ndim)


def _tri_indices(fn):
    def indices(n, k=0, m=None):
        return fn(n, k, m)

    indices.__name__ = fn.__name__
    return indices


def _tri_indices_from(fn):
    def indices(arr, k=0):
        return fn(arr, k)

    indices.__name__ = fn.__name__
    return indices


numpy_op("flatnonzero", ("a",), np.flatnonzero,
         "Indices of the non-zero elements of the flattened a.")
numpy_op("argwhere", ("a",), np.argwhere,
         "The indices of the non-zero elements, one row per element.")
numpy_op("ix_", ("args*",), np.ix_, "Open-mesh index arrays from 1-d sequences (a tuple).",
         params=Params(packed="args"), traits=SHARES)
numpy_op("ravel_multi_index", ("multi_index",), _ravel_multi_index,
         "Flat indices of a tuple of index arrays into an array of shape dims.",
         attrs=(Attr("dims", REQUIRED, "any"), Attr("mode", "raise", "any"),
                Attr("order", "C", "str")), fills={0: 0}, numeric=False)
numpy_op("unravel_index", ("indices",), _unravel_index,
         "Tuple of index arrays of flat indices into an array of the given shape.",
         attrs=(Attr("shape", REQUIRED, "any"), Attr("order", "C", "str")), fills={0: 0})
numpy_op("diag_indices", ("n",), _diag_indices,
         "Tuple of ndim index arrays of the main diagonal of an n x ... x n array.",
         attrs=(Attr("ndim", 2, "int"),))
numpy_op("diag_indices_from", ("arr",), np.diag_indices_from,
         "Index arrays of the main diagonal of arr (all extents equal).")
numpy_op("tril_indices", ("n",), _tri_indices(np.tril_indices),
         "Row and column indices of the lower triangle (diagonal offset k) of an n x m array.",
         attrs=(Attr("k", 0, "int"), Attr("m", None, "int")))
numpy_op("triu_indices", ("n",), _tri_indices(np.triu_indices),
         "Row and column indices of the upper triangle (diagonal offset k) of an n x m array.",
         attrs=(Attr("k", 0, "int"), Attr("m", None, "int")))
numpy_op("tril_indices_from", ("arr",), _tri_indices_from(np.tril_indices_from),
         "Indices of the lower triangle of the 2-d arr.", attrs=(Attr("k", 0, "int"),))
numpy_op("triu_indices_from", ("arr",), _tri_indices_from(np.triu_indices_from),
         "Indices of the upper triangle of the 2-d arr.", attrs=(Attr("k", 0, "int"),))


# --- searching and sorting ------------------------------------------------------------------

def _searchsorted(a, v, sorter=None, side="left"):
    return np.searchsorted(a, v, side, sorter)


def _digitize(x, bins, right=False):
    return np.digitize(x, bins, right)


def _lexsort(keys, axis=-1):
    return np.lexsort(keys, axis)


numpy_op("searchsorted", ("a", "v", "sorter"), _searchsorted,
         "Indices where v would be inserted into the sorted a (side 'left' or 'right').",
         attrs=(Attr("side", "left", "str"),), methods=("searchsorted",), numeric=False,
         params=Params(order=("a", "v", "side", "sorter"), defaults={"sorter": None}),
         fills={2: 0})
numpy_op("digitize", ("x", "bins"), _digitize,
         "Index of the bin of each x (bins increasing or decreasing).",
         attrs=(Attr("right", False, "bool"),))
numpy_op("lexsort", ("keys",), _lexsort,
         "Indices sorting by the last key, then the one before...", numeric=False,
         attrs=(Attr("axis", -1, "int"),))
numpy_op("sort_complex", ("a",), np.sort_complex,
         "A copy sorted by real part, then imaginary part (complex result).")
numpy_op("nanargmax", ("a",), np.nanargmax, "Index of the largest element ignoring NaN.",
         attrs=(Attr("axis", None, "int"),))
numpy_op("nanargmin", ("a",), np.nanargmin, "Index of the smallest element ignoring NaN.",
         attrs=(Attr("axis", None, "int"),))


# --- unique and sets -------------------------------------------------------------------------

def _unique_values(x):
    return np.unique_values(x)


for _name, _doc in [("unique_values", "The unique elements (any order; NaNs counted once)."),
                    ("unique_counts", "(values, counts) of the unique elements."),
                    ("unique_inverse", "(values, inverse_indices) of the unique elements."),
                    ("unique_all", "(values, indices, inverse_indices, counts).")]:
    numpy_op(_name, ("x",), getattr(np, _name), _doc)


def _intersect1d(ar1, ar2, assume_unique=False, return_indices=False):
    return np.intersect1d(ar1, ar2, assume_unique, return_indices)


def _union1d(ar1, ar2):
    return np.union1d(ar1, ar2)


def _setdiff1d(ar1, ar2, assume_unique=False):
    return np.setdiff1d(ar1, ar2, assume_unique)


def _setxor1d(ar1, ar2, assume_unique=False):
    return np.setxor1d(ar1, ar2, assume_unique)


def _isin(element, test_elements, assume_unique=False, invert=False, kind=None):
    return np.isin(element, test_elements, assume_unique, invert, kind=kind)


_UNIQ = Attr("assume_unique", False, "bool")
numpy_op("intersect1d", ("ar1", "ar2"), _intersect1d,
         "Sorted unique values in both (and their indices with return_indices).",
         attrs=(_UNIQ, Attr("return_indices", False, "bool")), numeric=False)
numpy_op("union1d", ("ar1", "ar2"), _union1d, "Sorted unique values in either.",
         numeric=False)
numpy_op("setdiff1d", ("ar1", "ar2"), _setdiff1d,
         "Sorted unique values of ar1 not in ar2.", attrs=(_UNIQ,), numeric=False)
numpy_op("setxor1d", ("ar1", "ar2"), _setxor1d,
         "Sorted unique values in exactly one of them.", attrs=(_UNIQ,), numeric=False)
numpy_op("isin", ("element", "test_elements"), _isin,
         "Boolean array: element is in test_elements (not in, with invert).",
         attrs=(_UNIQ, Attr("invert", False, "bool"), Attr("kind", None, "any")),
         numeric=False, params=Params(positional=4))
