"""Shape manipulation: reshape, transpose, concatenate/stack, flips, tiles, sorts, dim/size.

Shape operands (reshape, broadcast_to) are an integer scalar or a tuple of integer scalars.
Joining ops take their arrays as a variadic operand `arrays*`; they also accept a single
operand of list type (a list built at run time), whose length is then unknown.
`dim` and `size` give Python ints: they are how x.shape[k], len(x) and x.size are lowered.
"""

from __future__ import annotations

import numpy as np

from phylanx.analysis.raising import always, operand_is_array
from phylanx.ir.registry import (
    REQUIRED,
    Attr,
    Attribute,
    Method,
    NumpyFunction,
    Params,
    TypeRuleError,
    declare,
)
from phylanx.ir.types import INT, ArrayType, ListType, Type
from phylanx.ops._sample import (
    infer_by_sample,
    normalize_axes,
    normalize_axis,
    np_dtype,
    product,
    require_numeric,
    same_extent,
    shape_of,
    shape_rank,
)

_NEW = ("pure", "allocates")
_VIEW = ("pure", "view")


def _first_numeric(types, attrs):
    require_numeric(types[:1])


def _op(name, operands, impl, shape, doc, attrs=(), traits=_NEW, numpy=None, methods=(),
        bindings=(), params=None, quiet_when=None):
    """Declare `name`, bound to np.<name> (or to the NumPy names `numpy`) and to `methods`."""
    declare(name, operands=operands, attrs=attrs,
            infer=infer_by_sample(impl, shape=shape, check=_first_numeric), traits=traits,
            impl=impl, doc=doc, params=params, quiet_when=quiet_when,
            bindings=tuple(NumpyFunction("np." + n) for n in ((name,) if numpy is None
                                                                else numpy))
            + tuple(Method(m) for m in methods) + tuple(bindings))


# --- reshaping ---------------------------------------------------------------------------------

def _reshape(a, shape):
    return np.reshape(a, shape)


def _reshape_shape(types, attrs):
    return (None,) * shape_rank(types[1])


def _transpose(a, axes=None):
    return np.transpose(a, axes)


def _transpose_shape(types, attrs):
    shape = shape_of(types[0])
    axes = attrs.get("axes")
    if axes is None:
        return shape[::-1]
    axes = tuple(axes) if isinstance(axes, (tuple, list)) else (axes,)
    if len(axes) != len(shape):
        raise TypeRuleError(f"transpose: axes {axes} don't match array of rank {len(shape)}",
                            ValueError)
    perm = [normalize_axis(a, len(shape)) for a in axes]
    if sorted(perm) != list(range(len(shape))):
        raise TypeRuleError(f"transpose: axes {axes} are not a permutation", ValueError)
    return tuple(shape[p] for p in perm)


def _flat_shape(types, attrs):
    return (product(shape_of(types[0])),)


def _flatten(a):
    return a.flatten()


def _expand_dims(a, axis):
    return np.expand_dims(a, axis)


def _expand_shape(types, attrs):
    shape = shape_of(types[0])
    axis = attrs["axis"]
    n = len(axis) if isinstance(axis, (tuple, list)) else 1
    new = normalize_axes(axis, len(shape) + n)
    it = iter(shape)
    return tuple(1 if i in new else next(it) for i in range(len(shape) + n))


def _squeeze(a, axis=None):
    return np.squeeze(a, axis)


def _squeeze_axes(t: Type, axis) -> tuple:
    shape = shape_of(t)
    if axis is None:
        if None in shape:
            raise TypeRuleError(f"squeeze without axis needs known extents, got {t}; "
                                "pass axis=")
        return tuple(i for i, d in enumerate(shape) if d == 1)
    if not shape:       # NumPy accepts axis 0 / -1 on a 0-d array and returns it unchanged
        normalize_axes(axis, 1)
        return ()
    axes = normalize_axes(axis, len(shape))
    for i in axes:
        if shape[i] is not None and shape[i] != 1:
            raise TypeRuleError(f"cannot squeeze axis {i} of extent {shape[i]} ({t})",
                                ValueError)
    return axes



def _infer_squeeze(types, attrs):
    require_numeric(types)
    axes = _squeeze_axes(types[0], attrs.get("axis"))
    shape = tuple(d for i, d in enumerate(shape_of(types[0])) if i not in axes)
    return infer_by_sample(_squeeze, shape=lambda ts, a: shape)(types, {"axis": axes})


def _broadcast_to(array, shape):
    return np.broadcast_to(array, shape)


def _broadcast_to_shape(types, attrs):
    rank = shape_rank(types[1])
    if rank < len(shape_of(types[0])):
        raise TypeRuleError(f"cannot broadcast {types[0]} to rank {rank}", ValueError)
    return (None,) * rank


def _swapaxes(a, axis1, axis2):
    return np.swapaxes(a, axis1, axis2)


def _swap_shape(types, attrs):
    shape = list(shape_of(types[0]))
    i = normalize_axis(attrs["axis1"], len(shape))
    j = normalize_axis(attrs["axis2"], len(shape))
    shape[i], shape[j] = shape[j], shape[i]
    return tuple(shape)


def _same_shape(types, attrs):
    return shape_of(types[0])


def _atleast_1d(a):
    return np.atleast_1d(a)


def _atleast_2d(a):
    return np.atleast_2d(a)


def _at_least(shape: tuple, rank: int) -> tuple:
    if len(shape) >= rank:
        return shape
    if rank == 2 and len(shape) == 1:
        return (1,) + shape
    return (1,) * rank


_op("reshape", ("a", "shape"), _reshape, _reshape_shape, traits=_VIEW, methods=("reshape",),
    params=Params(packed="shape"), doc="a with a new shape (-1: inferred extent); a view when possible.")
_op("transpose", ("a",), _transpose, _transpose_shape, attrs=(Attr("axes", None, "axis"),),
    traits=_VIEW, numpy=("transpose", "permute_dims"), methods=("transpose",),
    params=Params(packed="axes"), bindings=(Attribute("T"),), quiet_when=operand_is_array,
    doc="Permute axes (reverse them when axes is None; also x.T).")
_op("ravel", ("a",), np.ravel, _flat_shape, traits=_VIEW, methods=("ravel",),
    quiet_when=operand_is_array,
    doc="Flattened 1-d array; a view when possible.")
_op("flatten", ("a",), _flatten, _flat_shape, numpy=(), methods=("flatten",),
    quiet_when=operand_is_array,
    doc="A flattened 1-d copy (x.flatten()).")
_op("expand_dims", ("a",), _expand_dims, _expand_shape,
    attrs=(Attr("axis", REQUIRED, "axis"),), traits=_VIEW, quiet_when=operand_is_array,
    doc="Insert extent-1 axes at the given positions of the result.")
declare("squeeze", operands=("a",), attrs=(Attr("axis", None, "axis"),),
        infer=_infer_squeeze, traits=_VIEW, impl=_squeeze,
        bindings=(NumpyFunction("np.squeeze"), Method("squeeze")),
        doc="Remove extent-1 axes (all of them only when every extent is known).")
_op("broadcast_to", ("array", "shape"), _broadcast_to, _broadcast_to_shape, traits=_VIEW,
    doc="A read-only broadcast view of array with the given shape.")
_op("swapaxes", ("a",), _swapaxes, _swap_shape,
    attrs=(Attr("axis1", REQUIRED, "int"), Attr("axis2", REQUIRED, "int")), traits=_VIEW,
    methods=("swapaxes",), quiet_when=operand_is_array, doc="Interchange two axes.")
_op("atleast_1d", ("a",), _atleast_1d, lambda ts, a: _at_least(shape_of(ts[0]), 1),
    traits=_VIEW, quiet_when=operand_is_array, doc="View a as an array of rank at least 1 (one operand only).")
_op("atleast_2d", ("a",), _atleast_2d, lambda ts, a: _at_least(shape_of(ts[0]), 2),
    traits=_VIEW, quiet_when=operand_is_array, doc="View a as an array of rank at least 2 (one operand only).")


# --- joining ---------------------------------------------------------------------------------

def _seq(arrays) -> list:
    """The arrays of a variadic operand: a single list operand stands for its elements."""
    if len(arrays) == 1 and isinstance(arrays[0], list):
        return arrays[0]
    return list(arrays)


def _join_inputs(types: list, what: str) -> tuple[list, bool]:
    """(static shapes of the joined values, whether their number is known)."""
    if len(types) == 1 and isinstance(types[0], ListType):
        require_numeric([types[0].elem], what)
        return [shape_of(types[0].elem)], False
    if not types:
        raise TypeRuleError(f"{what} needs at least one array", ValueError)
    require_numeric(types, what)
    return [shape_of(t) for t in types], True


def _concat_shapes(shapes: list, counted: bool, axis, what: str) -> tuple:
    if axis is None:  # every array flattened first: any ranks, 0-d included
        sizes = [product(s) for s in shapes]
        return (sum(sizes) if counted and None not in sizes else None,)
    rank = len(shapes[0])
    if any(len(s) != rank for s in shapes):
        raise TypeRuleError(f"{what}: all arrays must have the same rank, got "
                            f"{', '.join(map(str, shapes))}", ValueError)
    if rank == 0:
        raise TypeRuleError(f"{what}: zero-dimensional arrays cannot be concatenated",
                            ValueError)
    ax = normalize_axis(axis, rank)
    out = []
    for i in range(rank):
        dims = [s[i] for s in shapes]
        if i == ax:
            out.append(sum(dims) if counted and None not in dims else None)
        else:
            d = dims[0]
            for e in dims[1:]:
                d = same_extent(d, e, f"{what}: extents along axis {i} differ")
            out.append(d)
    return tuple(out)


def _concatenate(*arrays, axis=0, dtype=None):
    return np.concatenate(_seq(arrays), axis=axis, dtype=np_dtype(dtype))


def _concatenate_shape(types, attrs):
    shapes, counted = _join_inputs(types, "concatenate")
    return _concat_shapes(shapes, counted, attrs.get("axis", 0), "concatenate")


def _stack(*arrays, axis=0):
    return np.stack(_seq(arrays), axis=axis)


def _stack_shape(types, attrs):
    shapes, counted = _join_inputs(types, "stack")
    shape = shapes[0]
    for s in shapes[1:]:
        if len(s) != len(shape):
            raise TypeRuleError("stack: all input arrays must have the same shape", ValueError)
        shape = tuple(same_extent(x, y, "stack: extents differ") for x, y in zip(shape, s))
    ax = normalize_axis(attrs.get("axis", 0), len(shape) + 1)
    return shape[:ax] + (len(shapes) if counted else None,) + shape[ax:]


def _hstack(*arrays):
    return np.hstack(_seq(arrays))


def _hstack_shape(types, attrs):
    shapes, counted = _join_inputs(types, "hstack")
    shapes = [_at_least(s, 1) for s in shapes]
    return _concat_shapes(shapes, counted, 0 if len(shapes[0]) == 1 else 1, "hstack")


def _vstack(*arrays):
    return np.vstack(_seq(arrays))


def _vstack_shape(types, attrs):
    shapes, counted = _join_inputs(types, "vstack")
    return _concat_shapes([_at_least(s, 2) for s in shapes], counted, 0, "vstack")


def _column_stack(*arrays):
    return np.column_stack(_seq(arrays))


def _column_stack_shape(types, attrs):
    shapes, counted = _join_inputs(types, "column_stack")
    cols = [s + (1,) if len(s) == 1 else _at_least(s, 2) for s in shapes]
    return _concat_shapes(cols, counted, 1, "column_stack")


def _join(name, impl, shape, doc, attrs=(), numpy=None, params=None):
    declare(name, operands=("arrays*",), attrs=attrs,
            infer=infer_by_sample(impl, shape=shape, check=shape), traits=_NEW, impl=impl,
            doc=doc, bindings=tuple(NumpyFunction("np." + n) for n in numpy or (name,)),
            params=params)


_join("concatenate", _concatenate, _concatenate_shape,
      "Join arrays along an existing axis (flattened when axis is None).",
      attrs=(Attr("axis", 0, "axis"), Attr("dtype", None, "dtype")),
      numpy=("concatenate", "concat"),
      params=Params(positional=2))   # np.concatenate(arrays, axis, out, *, dtype)
_join("stack", _stack, _stack_shape, "Join same-shaped arrays along a new axis.",
      attrs=(Attr("axis", 0, "int"),))
_join("hstack", _hstack, _hstack_shape, "Join arrays column-wise (along axis 1; 0 for 1-d).")
_join("vstack", _vstack, _vstack_shape, "Join arrays row-wise after making them 2-d.")
_join("column_stack", _column_stack, _column_stack_shape,
      "Stack 1-d arrays as columns (and 2-d arrays as they are) into a 2-d array.")


# --- reordering and repetition -----------------------------------------------------------------

def _flip(m, axis=None):
    return np.flip(m, axis)


def _flip_shape(types, attrs):
    shape = shape_of(types[0])
    normalize_axes(attrs.get("axis"), len(shape))
    return shape


def _tile(A, reps):
    return np.tile(A, reps)


def _tile_shape(types, attrs):
    reps = attrs["reps"]
    reps = tuple(reps) if isinstance(reps, (tuple, list)) else (reps,)
    shape = shape_of(types[0])
    rank = max(len(shape), len(reps))
    shape = (1,) * (rank - len(shape)) + shape
    reps = (1,) * (rank - len(reps)) + reps
    return tuple(None if d is None else d * r for d, r in zip(shape, reps))


def _repeat(a, repeats, axis=None):
    return np.repeat(a, repeats, axis)


def _repeat_shape(types, attrs):
    shape, n, axis = shape_of(types[0]), attrs["repeats"], attrs.get("axis")
    if isinstance(n, tuple):     # one count per element: the result's extent is their sum
        if len(n) == 1:
            n = n[0]
        else:
            if axis is None:
                return (None,)
            ax = normalize_axis(axis, len(shape))
            return tuple(None if i == ax else d for i, d in enumerate(shape))
    if axis is None:
        size = product(shape)
        return (None if size is None else size * n,)
    ax = normalize_axis(axis, len(shape))
    return tuple((None if d is None else d * n) if i == ax else d for i, d in enumerate(shape))


def _roll(a, shift, axis=None):
    return np.roll(a, shift, axis)


def _sort(a, axis=-1, kind=None, stable=None):
    return np.sort(a, axis, kind, stable=stable)


def _argsort(a, axis=-1, kind=None, stable=None):
    return np.argsort(a, axis, kind, stable=stable)


def _sort_shape(types, attrs):
    shape = shape_of(types[0])
    if attrs.get("axis", -1) is None:
        return (product(shape),)
    if shape:
        normalize_axis(attrs["axis"], len(shape))
    return shape


def _unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None,
            equal_nan=True):
    return np.unique(ar, return_index, return_inverse, return_counts, axis,
                     equal_nan=equal_nan)


def _unique_shape(types, attrs):
    """Extents unknown; without the return_* flags and axis, a 1-d array."""
    flags = [attrs.get(k) for k in ("return_index", "return_inverse", "return_counts")]
    if any(flags) or attrs.get("axis") is not None:
        return None
    return (None,)


def _nonzero_shape(types, attrs):
    return tuple((None,) for _ in shape_of(types[0]))


_op("flip", ("m",), _flip, _flip_shape, attrs=(Attr("axis", None, "axis"),), traits=_VIEW,
    doc="Reverse the order of elements along the axes (all when axis is None).")
_op("tile", ("A",), _tile, _tile_shape, attrs=(Attr("reps", REQUIRED, "any"),),
    doc="Repeat A reps times per axis (reps: an int or a tuple of ints).")
def _infer_repeat(types, attrs):
    """dtype and rank from a sample, which has one element per axis: one count for it."""
    require_numeric(types[:1])
    repeats = attrs["repeats"]
    counts = repeats if isinstance(repeats, tuple) else (repeats,)
    if not counts or any(isinstance(n, bool) or not isinstance(n, int) for n in counts):
        raise TypeRuleError(f"repeats must be an int or a sequence of ints, got {repeats!r}",
                            TypeError)
    if any(n < 0 for n in counts):
        raise TypeRuleError("repeats may not contain negative values.", ValueError)
    shape = _repeat_shape(types, attrs)
    return infer_by_sample(_repeat, shape=lambda ts, a: shape)(
        types, {**attrs, "repeats": counts[0]})


declare("repeat", operands=("a",),
        attrs=(Attr("repeats", REQUIRED, "any"), Attr("axis", None, "int")),
        infer=_infer_repeat, traits=_NEW, impl=_repeat,
        bindings=(NumpyFunction("np.repeat"), Method("repeat")),
        doc="Repeat each element repeats times (an int, or one count per element; flattened "
            "when axis is None).")
_op("roll", ("a",), _roll, _same_shape,
    attrs=(Attr("shift", REQUIRED, "any"), Attr("axis", None, "axis")),
    doc="Shift elements cyclically along axes (of the flattened array when axis is None).")
_SORT_KIND = (Attr("kind", None, "any"), Attr("stable", None, "any"))
_op("sort", ("a",), _sort, _sort_shape, attrs=(Attr("axis", -1, "axis"), *_SORT_KIND),
    params=Params(positional=3),
    doc="A sorted copy along axis (flattened when axis is None); x.sort() sorts in place.")
_op("argsort", ("a",), _argsort, _sort_shape, attrs=(Attr("axis", -1, "axis"), *_SORT_KIND),
    methods=("argsort",), params=Params(positional=3),
    doc="Indices that sort a along axis (kind='stable': equal elements keep their order).")
_op("unique", ("ar",), _unique, _unique_shape,
    attrs=(Attr("return_index", False, "bool"), Attr("return_inverse", False, "bool"),
           Attr("return_counts", False, "bool"), Attr("axis", None, "int"),
           Attr("equal_nan", True, "bool")), params=Params(positional=5),
    doc="The sorted unique elements of the flattened array (or of the slices along axis), "
        "with first indices, inverse indices and counts on request.")
_op("nonzero", ("a",), np.nonzero, _nonzero_shape, methods=("nonzero",),
    doc="Tuple with one i64 index array per axis of the non-zero elements.")


# --- static queries ----------------------------------------------------------------------------

def _infer_dim(types, attrs):
    (t,) = types
    if not isinstance(t, ArrayType) or t.rank == 0:
        raise TypeRuleError(f"dim needs an array of rank >= 1, got {t}")
    normalize_axis(attrs["axis"], t.rank)
    return INT


def _dim(x, axis):
    return x.shape[axis]


def _size(a, axis=None):
    return np.size(a, axis)


def _infer_size(types, attrs):
    require_numeric(types, "size")
    if attrs.get("axis") is not None:
        normalize_axis(attrs["axis"], len(shape_of(types[0])))
    return INT


def _static_size(types, attrs):
    """x.size of known extents."""
    (t,) = types
    if attrs.get("axis") is None and isinstance(t, ArrayType) and None not in t.shape:
        return int(np.prod(t.shape, dtype=np.int64))
    return None


declare("dim", operands=("x",), attrs=(Attr("axis", REQUIRED, "int"),), infer=_infer_dim,
        traits=("pure", "nonneg"), impl=_dim, quiet_when=always,
        doc="x.shape[axis] as a Python int.")
declare("size", operands=("a",), attrs=(Attr("axis", None, "int"),), infer=_infer_size,
        traits=("pure", "nonneg"), impl=_size, bindings=(NumpyFunction("np.size"), Attribute("size")),
        static_value=_static_size, quiet_when=always,
        doc="Number of elements (along axis if given) as a Python int.")
