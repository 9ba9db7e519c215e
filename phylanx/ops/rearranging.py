"""Rearranging and building arrays, run by NumPy: axis moves, flips and rotations, splits,
insertion and deletion, padding, resizing, meshgrid/logspace/vander/indices and friends, shape
queries (np.shape, np.ndim) and ndarray methods such as x.item(), x.tolist(), x.view().

Splits give a list of arrays of the operand's dtype and rank. Ops returning views of their
operand are declared as views, so writes through the result are seen by the alias analysis.
"""

from __future__ import annotations

import numpy as np

from phylanx.analysis.raising import always
from phylanx.ir.registry import (
    REQUIRED,
    Attr,
    Attribute,
    NumpyFunction,
    Params,
    TypeRuleError,
    declare,
)
from phylanx.ir.types import DTYPES, ArrayType, ListType
from phylanx.ops._fallback import SHARES, VIEW, numpy_op
from phylanx.ops._sample import normalize_axis, np_dtype, require_numeric, shape_of

# --- axes, flips, rotations ----------------------------------------------------------------


def _moveaxis(a, source, destination):
    return np.moveaxis(a, source, destination)


def _rollaxis(a, axis, start=0):
    return np.rollaxis(a, axis, start)


def _rot90(m, k=1, axes=(0, 1)):
    return np.rot90(m, k, axes)


def _matrix_transpose(x):
    return np.matrix_transpose(x)


numpy_op("moveaxis", ("a",), _moveaxis, "Move axes to new positions (a view).",
         attrs=(Attr("source", REQUIRED, "axis"), Attr("destination", REQUIRED, "axis")),
         traits=VIEW)
numpy_op("rollaxis", ("a",), _rollaxis, "Roll an axis back to position start (a view).",
         attrs=(Attr("axis", REQUIRED, "int"), Attr("start", 0, "int")), traits=VIEW)
numpy_op("matrix_transpose", ("x",), _matrix_transpose,
         "Swap the last two axes (a view; also x.mT).",
         numpy=("matrix_transpose", "np.linalg.matrix_transpose"), traits=VIEW,
         bindings=(Attribute("mT"),))
numpy_op("atleast_3d", ("a",), np.atleast_3d, "View a as an array of rank at least 3.",
         traits=VIEW)
numpy_op("fliplr", ("m",), np.fliplr, "Reverse the columns (axis 1; a view).", traits=VIEW)
numpy_op("flipud", ("m",), np.flipud, "Reverse the rows (axis 0; a view).", traits=VIEW)
numpy_op("rot90", ("m",), _rot90, "Rotate by k * 90 degrees in the plane of axes (a view).",
         attrs=(Attr("k", 1, "int"), Attr("axes", (0, 1), "axis")), traits=VIEW)


def _broadcast_arrays(*args):
    return np.broadcast_arrays(*args)


numpy_op("broadcast_arrays", ("args*",), _broadcast_arrays,
         "Tuple of read-only views of the operands broadcast to one shape.", traits=SHARES,
         params=Params(packed="args"))


# --- shape queries -----------------------------------------------------------------------------

def _static_ndim(types, attrs):
    require_numeric(types, "ndim")
    return len(shape_of(types[0]))


def _static_shape(types, attrs):
    require_numeric(types, "shape")
    shape = shape_of(types[0])
    return None if None in shape else tuple(shape)


numpy_op("ndim", ("a",), np.ndim, "Number of axes, a Python int (from the type).",
         traits=("pure",), quiet_when=always, static_value=_static_ndim)
numpy_op("shape", ("a",), np.shape, "The shape as a tuple of Python ints.",
         traits=("pure",), quiet_when=always, static_value=_static_shape)


# --- splitting ---------------------------------------------------------------------------------

_SPLIT_MIN_RANK = {"split": 1, "array_split": 1, "hsplit": 1, "vsplit": 2, "dsplit": 3}


def _split_rule(name):
    def infer(types, attrs):
        require_numeric(types[:1], name)
        t = types[0]
        rank = len(shape_of(t))
        if rank < _SPLIT_MIN_RANK[name]:
            raise TypeRuleError(f"{name} needs an array of rank >= {_SPLIT_MIN_RANK[name]}, "
                                f"got {t}", ValueError)
        if "axis" in attrs:
            normalize_axis(attrs["axis"], rank)
        sections = attrs["indices_or_sections"]
        if isinstance(sections, bool) or not isinstance(sections, (int, tuple, list)):
            raise TypeRuleError(f"{name}: indices_or_sections must be an int or a sequence "
                                f"of ints, got {sections!r}")
        if isinstance(sections, int) and sections <= 0:
            raise TypeRuleError("number sections must be larger than 0.", ValueError)
        return ListType(ArrayType(t.dtype, (None,) * rank))

    return infer


def _declare_split(name, impl, with_axis):
    attrs = (Attr("indices_or_sections", REQUIRED, "any"),)
    if with_axis:
        attrs += (Attr("axis", 0, "int"),)
    declare(name, operands=("ary",), attrs=attrs, infer=_split_rule(name), traits=VIEW,
            impl=impl, bindings=(NumpyFunction("np." + name),),
            doc="A list of views of ary cut into sections (equal ones, or at the indices).")


def _split(ary, indices_or_sections, axis=0):
    return np.split(ary, indices_or_sections, axis)


def _array_split(ary, indices_or_sections, axis=0):
    return np.array_split(ary, indices_or_sections, axis)


def _hsplit(ary, indices_or_sections):
    return np.hsplit(ary, indices_or_sections)


def _vsplit(ary, indices_or_sections):
    return np.vsplit(ary, indices_or_sections)


def _dsplit(ary, indices_or_sections):
    return np.dsplit(ary, indices_or_sections)


_declare_split("split", _split, True)
_declare_split("array_split", _array_split, True)
_declare_split("hsplit", _hsplit, False)
_declare_split("vsplit", _vsplit, False)
_declare_split("dsplit", _dsplit, False)


# --- inserting, deleting, padding, resizing ----------------------------------------------------

def _append(arr, values, axis=None):
    return np.append(arr, values, axis)


def _delete(arr, obj, axis=None):
    return np.delete(arr, obj, axis)


def _insert(arr, obj, values, axis=None):
    return np.insert(arr, obj, values, axis)


def _resize(a, new_shape):
    return np.resize(a, new_shape)


def _trim_zeros(filt, trim="fb"):
    return np.trim_zeros(filt, trim)


def _pad(array, pad_width, mode="constant", constant_values=0):
    if mode == "constant":
        return np.pad(array, pad_width, mode, constant_values=constant_values)
    return np.pad(array, pad_width, mode)


numpy_op("append", ("arr", "values"), _append,
         "arr and values joined (both flattened when axis is None).",
         attrs=(Attr("axis", None, "int"),), numeric=False)
numpy_op("delete", ("arr", "obj"), _delete,
         "A copy of arr without the entries at obj (flattened when axis is None).",
         attrs=(Attr("axis", None, "int"),), fills={1: 0}, numeric=False)
numpy_op("insert", ("arr", "obj", "values"), _insert,
         "A copy of arr with values inserted before the indices obj.",
         attrs=(Attr("axis", None, "int"),), fills={1: 0}, numeric=False)
numpy_op("resize", ("a",), _resize, "A new array of new_shape repeating a's elements.",
         attrs=(Attr("new_shape", REQUIRED, "any"),))
numpy_op("trim_zeros", ("filt",), _trim_zeros,
         "filt without its leading and/or trailing zeros (trim 'f', 'b' or 'fb').",
         attrs=(Attr("trim", "fb", "str"),), traits=VIEW)
numpy_op("pad", ("array",), _pad,
         "array padded by pad_width (mode 'constant' with constant_values, 'edge', "
         "'reflect', 'symmetric', 'wrap', ...).",
         attrs=(Attr("pad_width", REQUIRED, "any"), Attr("mode", "constant", "str"),
                Attr("constant_values", 0, "any")), params=Params(positional=3))


# --- building arrays from others -------------------------------------------------------------

def _meshgrid(*xi, indexing="xy", sparse=False):
    return np.meshgrid(*xi, indexing=indexing, sparse=sparse)


def _logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    return np.logspace(start, stop, num, endpoint, base, np_dtype(dtype), axis)


def _geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    return np.geomspace(start, stop, num, endpoint, np_dtype(dtype), axis)


def _diagflat(v, k=0):
    return np.diagflat(v, k)


def _vander(x, N=None, increasing=False):
    return np.vander(x, N, increasing)


def _indices(dimensions, dtype=int):
    return np.indices(dimensions, np_dtype(dtype) if isinstance(dtype, str) else dtype)


def _seq(arrays) -> list:
    """The arrays of a variadic operand: a single list operand stands for its elements."""
    if len(arrays) == 1 and isinstance(arrays[0], list):
        return arrays[0]
    return list(arrays)


def _dstack(*tup):
    return np.dstack(_seq(tup))


def _block(*arrays):
    return np.block(_seq(arrays))


def _layout(fn):
    def run(a, dtype=None):
        return fn(a, dtype=np_dtype(dtype))

    run.__name__ = fn.__name__
    return run


def _packbits(a, axis=None, bitorder="big"):
    return np.packbits(a, axis, bitorder)


def _unpackbits(a, axis=None, count=None, bitorder="big"):
    return np.unpackbits(a, axis, count, bitorder)


numpy_op("meshgrid", ("xi*",), _meshgrid,
         "Coordinate matrices from coordinate vectors (a tuple; indexing 'xy' or 'ij').",
         attrs=(Attr("indexing", "xy", "str"), Attr("sparse", False, "bool")),
         params=Params(order=("xi", "indexing", "sparse"), packed="xi"))
_SPACE = (Attr("num", 50, "int"), Attr("endpoint", True, "bool"))
numpy_op("logspace", ("start", "stop"), _logspace, "base ** linspace(start, stop, num).",
         attrs=(*_SPACE, Attr("base", 10.0, "float"), Attr("dtype", None, "dtype"),
                Attr("axis", 0, "int")))
numpy_op("geomspace", ("start", "stop"), _geomspace,
         "num numbers spaced evenly on a log scale from start to stop.",
         attrs=(*_SPACE, Attr("dtype", None, "dtype"), Attr("axis", 0, "int")))
numpy_op("diagflat", ("v",), _diagflat, "2-d array with the flattened v on diagonal k.",
         attrs=(Attr("k", 0, "int"),))
numpy_op("vander", ("x",), _vander, "Vandermonde matrix of the 1-d x (N columns).",
         attrs=(Attr("N", None, "int"), Attr("increasing", False, "bool")))
numpy_op("indices", (), _indices, "Index grids of an array of shape dimensions.",
         attrs=(Attr("dimensions", REQUIRED, "any"), Attr("dtype", "i64", "dtype")))
numpy_op("dstack", ("tup*",), _dstack, "Join arrays along the third axis.", numeric=False)
numpy_op("block", ("arrays*",), _block,
         "Join a flat list of arrays along the last axis (nested lists are not supported).",
         numeric=False)
numpy_op("ascontiguousarray", ("a",), _layout(np.ascontiguousarray),
         "a in C order (a itself when it is already).", attrs=(Attr("dtype", None, "dtype"),),
         traits=VIEW)
numpy_op("asfortranarray", ("a",), _layout(np.asfortranarray),
         "a in Fortran order (a itself when it is already).",
         attrs=(Attr("dtype", None, "dtype"),), traits=VIEW)
numpy_op("packbits", ("a",), _packbits, "Pack booleans or integers into uint8 bits.",
         attrs=(Attr("axis", None, "int"), Attr("bitorder", "big", "str")))
numpy_op("unpackbits", ("a",), _unpackbits, "Unpack uint8 elements into bits.",
         attrs=(Attr("axis", None, "int"), Attr("count", None, "int"),
                Attr("bitorder", "big", "str")))


def _broadcast_shapes(*args):
    return np.broadcast_shapes(*args)


numpy_op("broadcast_shapes", ("args*",), _broadcast_shapes,
         "The shape the given shapes broadcast to (a tuple of ints).",
         params=Params(packed="args"), numeric=False, traits=("pure",))


# --- ndarray methods and attributes NumPy runs ------------------------------------------------

def _item(a, *args):
    return a.item(*args)


def _tolist(a):
    return a.tolist()


def _view(a, dtype):
    return a.view(np_dtype(dtype))


def _byteswap(a):
    return a.byteswap()


def _static_itemsize(types, attrs):
    t = types[0]
    return DTYPES[t.dtype].itemsize if isinstance(t, ArrayType) else None


def _nbytes(a):
    return a.nbytes


def _itemsize(a):
    return a.itemsize


numpy_op("item", ("a", "args*"), _item,
         "x.item(*index): one element as a Python scalar (the only one with no index).",
         numpy=(), methods=("item",), params=Params(packed="args"), fills={1: 0},
         traits=("pure",))
numpy_op("tolist", ("a",), _tolist, "x.tolist(): nested lists of Python scalars.",
         numpy=(), methods=("tolist",))
numpy_op("view", ("a",), _view, "x.view(dtype): the same memory read as another dtype.",
         attrs=(Attr("dtype", REQUIRED, "dtype"),), numpy=(), methods=("view",), traits=VIEW,
         extent=8)   # 8 elements of any dtype fill whole elements of any other
numpy_op("byteswap", ("a",), _byteswap, "x.byteswap(): a copy with the bytes of each "
         "element reversed.", numpy=(), methods=("byteswap",))
numpy_op("itemsize", ("a",), _itemsize, "x.itemsize: bytes per element (from the type).",
         numpy=(), bindings=(Attribute("itemsize"),), traits=("pure",), quiet_when=always,
         static_value=_static_itemsize)
numpy_op("nbytes", ("a",), _nbytes, "x.nbytes: bytes of the elements.", numpy=(),
         bindings=(Attribute("nbytes"),), traits=("pure",), quiet_when=always)
