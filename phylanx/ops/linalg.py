"""Linear algebra: matmul, dot, inner/outer products and numpy.linalg.

Type rules check ranks and known extents the way NumPy does (matmul's 1-d promotion and batch
broadcasting, dot's sum over the last axis of `a` and the second-to-last of `b`, square matrices
for solve/inv/det, ...); dtypes come from running the reference implementation on samples.
Ops of numpy.linalg are named like their NumPy function: `linalg.solve`.
"""

from __future__ import annotations

import numpy as np

from phylanx.ir.registry import Attr, Method, NumpyFunction, Operator, TypeRuleError, declare
from phylanx.ir.types import ArrayType, Type, broadcast_shapes
from phylanx.ops._sample import (
    infer_by_sample,
    normalize_axis,
    np_dtype,
    product,
    require_numeric,
    same_extent,
    shape_of,
)
from phylanx.ops.reductions import reduced_shape

_LA = ("pure", "allocates")
_PRODUCT = ("pure", "allocates", "matmul")


def _broadcast(*shapes) -> tuple:
    try:
        return broadcast_shapes(*shapes)
    except ValueError as e:
        raise TypeRuleError(str(e)) from None


def _min_extent(m, n):
    return None if m is None or n is None else min(m, n)


def _need_rank(t: Type, what: str, low: int, high: int | None = None) -> tuple:
    """Shape of array `t`, checking low <= rank (<= high)."""
    if not isinstance(t, ArrayType):
        raise TypeRuleError(f"{what} needs an array, got {t}")
    rank = t.rank
    if rank < low or high is not None and rank > high:
        want = f"{low}-d" if high == low else f"at least {low}-d" if high is None \
            else f"{low}-d or {high}-d"
        raise TypeRuleError(f"{what} needs a {want} array, got {t}")
    return t.shape


def _square(t: Type, what: str) -> tuple:
    shape = _need_rank(t, what, 2)
    same_extent(shape[-2], shape[-1], f"{what} needs square matrices, got {t}; extents")
    return shape


# --- products --------------------------------------------------------------------------------

def matmul_shape(a: tuple, b: tuple) -> tuple:
    """Result shape of a @ b under NumPy's rules (raises TypeRuleError)."""
    if not a or not b:
        raise TypeRuleError("matmul does not take scalar (0-d) operands")
    am = a if len(a) >= 2 else (1,) + a
    bm = b if len(b) >= 2 else b + (1,)
    same_extent(am[-1], bm[-2], "matmul: inner extents differ")
    out = _broadcast(am[:-2], bm[:-2])
    if len(a) >= 2:
        out += (am[-2],)
    if len(b) >= 2:
        out += (bm[-1],)
    return out


def _matmul_shape(types, attrs):
    require_numeric(types, "matmul")
    return matmul_shape(shape_of(types[0]), shape_of(types[1]))


def _dot_shape(types, attrs):
    a, b = shape_of(types[0]), shape_of(types[1])
    if not a or not b:
        return _broadcast(a, b)  # a scalar operand: plain multiplication
    if len(b) == 1:
        same_extent(a[-1], b[0], "dot: summed extents differ")
        return a[:-1]
    same_extent(a[-1], b[-2], "dot: summed extents differ")
    return a[:-1] + b[:-2] + b[-1:]


def _inner_shape(types, attrs):
    a, b = shape_of(types[0]), shape_of(types[1])
    if not a or not b:
        return _broadcast(a, b)
    same_extent(a[-1], b[-1], "inner: last extents differ")
    return a[:-1] + b[:-1]


def _vdot_check(types, attrs):
    require_numeric(types, "vdot")
    same_extent(product(shape_of(types[0])), product(shape_of(types[1])), "vdot: sizes differ")


def _outer_shape(types, attrs):
    return (product(shape_of(types[0])), product(shape_of(types[1])))


def _numeric(name):
    return lambda types, attrs: require_numeric(types, name)


declare("matmul", operands=("x1", "x2"),
        infer=infer_by_sample(np.matmul, shape=_matmul_shape, check=_matmul_shape),
        traits=_PRODUCT, impl=np.matmul,
        bindings=(Operator("@"), NumpyFunction("np.matmul")),
        doc="Matrix product with NumPy's 1-d promotion and batch broadcasting.")
declare("dot", operands=("a", "b"),
        infer=infer_by_sample(np.dot, shape=_dot_shape, check=_numeric("dot")),
        traits=_PRODUCT, impl=np.dot, bindings=(NumpyFunction("np.dot"), Method("dot")),
        doc="np.dot: sum over the last axis of a and the second-to-last of b.")
declare("vdot", operands=("a", "b"), infer=infer_by_sample(np.vdot, check=_vdot_check),
        traits=_PRODUCT, impl=np.vdot, bindings=(NumpyFunction("np.vdot"),),
        doc="Dot product of the flattened operands, conjugating the first.")
declare("inner", operands=("a", "b"),
        infer=infer_by_sample(np.inner, shape=_inner_shape, check=_numeric("inner")),
        traits=_PRODUCT, impl=np.inner, bindings=(NumpyFunction("np.inner"),),
        doc="Inner product over the last axes.")
declare("outer", operands=("a", "b"),
        infer=infer_by_sample(np.outer, shape=_outer_shape, check=_numeric("outer")),
        traits=_PRODUCT, impl=np.outer, bindings=(NumpyFunction("np.outer"),),
        doc="Outer product of the flattened operands.")


def _trace(a, offset=0, axis1=0, axis2=1, dtype=None):
    return np.trace(a, offset, axis1, axis2, dtype=np_dtype(dtype))


def _trace_shape(types, attrs):
    shape = _need_rank(types[0], "trace", 2)
    ax1 = normalize_axis(attrs["axis1"], len(shape))
    ax2 = normalize_axis(attrs["axis2"], len(shape))
    if ax1 == ax2:
        raise TypeRuleError("trace: axis1 and axis2 cannot be the same")
    return tuple(d for i, d in enumerate(shape) if i not in (ax1, ax2))


declare("trace", operands=("a",),
        attrs=(Attr("offset", 0, "int"), Attr("axis1", 0, "int"), Attr("axis2", 1, "int"),
               Attr("dtype", None, "dtype")),
        infer=infer_by_sample(_trace, shape=_trace_shape, check=_trace_shape), traits=_LA,
        impl=_trace, bindings=(NumpyFunction("np.trace"), Method("trace")),
        doc="Sum along a diagonal (of axes axis1, axis2).")


# --- numpy.linalg ----------------------------------------------------------------------------

def _solve_shape(types, attrs):
    a = _square(types[0], "linalg.solve")
    b = _need_rank(types[1], "linalg.solve", 1)
    if len(b) == 1:
        same_extent(a[-1], b[0], "linalg.solve: extents of a and b differ")
        return a[:-1]
    same_extent(a[-1], b[-2], "linalg.solve: extents of a and b differ")
    return _broadcast(a[:-2], b[:-2]) + (a[-1], b[-1])


def _same_square(types, attrs):
    return _square(types[0], "this op")


def _det_shape(types, attrs):
    return _square(types[0], "linalg.det")[:-2]


def _cholesky(a, upper=False):
    return np.linalg.cholesky(a, upper=upper)


def _lstsq(a, b, rcond=None):
    return np.linalg.lstsq(a, b, rcond=rcond)


def _lstsq_shape(types, attrs):
    m, n = _need_rank(types[0], "linalg.lstsq", 2, 2)
    b = _need_rank(types[1], "linalg.lstsq", 1, 2)
    same_extent(m, b[0], "linalg.lstsq: rows of a and b differ")
    x = (n,) + b[1:]
    return (x, (None,), (), (_min_extent(m, n),))


def _norm(x, ord=None, axis=None, keepdims=False):
    return np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)


def _eigh(a, UPLO="L"):
    return np.linalg.eigh(a, UPLO=UPLO)


def _eigh_shape(types, attrs):
    a = _square(types[0], "linalg.eigh")
    return (a[:-1], a)


def _qr(a, mode="reduced"):
    return np.linalg.qr(a, mode=mode)


def _qr_shape(types, attrs):
    a = _need_rank(types[0], "linalg.qr", 2)
    batch, m, n = a[:-2], a[-2], a[-1]
    k = _min_extent(m, n)
    mode = attrs.get("mode", "reduced")
    if mode == "reduced":
        return (batch + (m, k), batch + (k, n))
    if mode == "complete":
        return (batch + (m, m), batch + (m, n))
    if mode == "r":
        return batch + (k, n)
    return None


def _svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    return np.linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv,
                         hermitian=hermitian)


def _svd_shape(types, attrs):
    a = _need_rank(types[0], "linalg.svd", 2)
    batch, m, n = a[:-2], a[-2], a[-1]
    k = _min_extent(m, n)
    if not attrs.get("compute_uv", True):
        return batch + (k,)
    if attrs.get("full_matrices", True):
        return (batch + (m, m), batch + (k,), batch + (n, n))
    return (batch + (m, k), batch + (k,), batch + (k, n))


def _pinv(a, rcond=None, hermitian=False):
    if rcond is None:
        return np.linalg.pinv(a, hermitian=hermitian)
    return np.linalg.pinv(a, rcond, hermitian=hermitian)


def _pinv_shape(types, attrs):
    a = _need_rank(types[0], "linalg.pinv", 2)
    return a[:-2] + (a[-1], a[-2])


def _linalg(name, operands, impl, shape, doc, attrs=()):
    declare("linalg." + name, operands=operands, attrs=attrs,
            infer=infer_by_sample(impl, shape=shape, check=shape), traits=_LA, impl=impl,
            doc=doc, bindings=(NumpyFunction("np.linalg." + name),))


_linalg("solve", ("a", "b"), np.linalg.solve, _solve_shape,
        "Solve a @ x = b (b is a vector only when 1-d).")
_linalg("inv", ("a",), np.linalg.inv, _same_square, "Inverse of square matrices.")
_linalg("det", ("a",), np.linalg.det, _det_shape, "Determinant of square matrices.")
_linalg("cholesky", ("a",), _cholesky, _same_square,
        "Cholesky factor (lower, or upper with upper=True) of Hermitian positive-definite a.",
        attrs=(Attr("upper", False, "bool"),))
_linalg("lstsq", ("a", "b"), _lstsq, _lstsq_shape, attrs=(Attr("rcond", None, "any"),),
        doc="Least squares: tuple (solution, residuals, rank, singular values).")
_linalg("eigh", ("a",), _eigh, _eigh_shape, attrs=(Attr("UPLO", "L", "str"),),
        doc="Eigenvalues (ascending) and eigenvectors of Hermitian matrices, as a tuple.")
_linalg("qr", ("a",), _qr, _qr_shape, attrs=(Attr("mode", "reduced", "str"),),
        doc="QR factorisation: tuple (Q, R); mode='r' gives R alone.")
_linalg("svd", ("a",), _svd, _svd_shape,
        attrs=(Attr("full_matrices", True, "bool"), Attr("compute_uv", True, "bool"),
               Attr("hermitian", False, "bool")),
        doc="Singular value decomposition: tuple (U, S, Vh); S alone without compute_uv.")
_linalg("pinv", ("a",), _pinv, _pinv_shape,
        attrs=(Attr("rcond", None, "any"), Attr("hermitian", False, "bool")),
        doc="Moore-Penrose pseudo-inverse.")


def _norm_shape(types, attrs):
    require_numeric(types, "linalg.norm")
    return reduced_shape(types, attrs)


_linalg("norm", ("x",), _norm, _norm_shape,
        attrs=(Attr("ord", None, "any"), Attr("axis", None, "axis"),
               Attr("keepdims", False, "bool")),
        doc="Vector or matrix norm (over all axes, one axis or an axis pair).")
