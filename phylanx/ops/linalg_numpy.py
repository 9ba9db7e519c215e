"""More of numpy.linalg, and the vector/matrix gufuncs, run by NumPy: eigenvalues, slogdet,
rank, condition number, matrix powers, chained products, tensor inverses and solves, the array
API spellings (matrix_norm, vector_norm, vecdot, linalg.trace, linalg.outer, linalg.matmul)
and np.vecdot/np.matvec/np.vecmat.

np.linalg.eig and eigvals of a real matrix give a real result when every eigenvalue is real
and a complex one otherwise: the compiled type is the sample's (real), and a run whose
eigenvalues are complex raises TypeError instead of returning another type. A complex matrix
always gives complex results.
"""

from __future__ import annotations

import numpy as np

from phylanx.ir.registry import Attr, Params, TypeRuleError
from phylanx.ir.types import ArrayType
from phylanx.ops._fallback import numpy_op


def _rank_at_least(low: int):
    def check(types, attrs):
        t = types[0]
        if not isinstance(t, ArrayType) or t.rank < low:
            raise TypeRuleError(f"needs an array of rank >= {low}, got {t}",
                                np.linalg.LinAlgError)

    return check


_MATRIX = _rank_at_least(2)
# the array API spellings take their options by keyword only
_ONLY_X, _ONLY_X1_X2 = Params(positional=1), Params(positional=2)


def _eigvalsh(a, UPLO="L"):
    return np.linalg.eigvalsh(a, UPLO)


def _cond(x, p=None):
    return np.linalg.cond(x, p)


def _matrix_power(a, n):
    return np.linalg.matrix_power(a, n)


def _matrix_rank(A, tol=None, hermitian=False, rtol=None):
    return np.linalg.matrix_rank(A, tol, hermitian, rtol=rtol)


def _multi_dot(*arrays):
    return np.linalg.multi_dot(arrays)


def _tensorinv(a, ind=2):
    return np.linalg.tensorinv(a, ind)


def _tensorsolve(a, b, axes=None):
    return np.linalg.tensorsolve(a, b, axes)


def _matrix_norm(x, keepdims=False, ord="fro"):
    return np.linalg.matrix_norm(x, keepdims=keepdims, ord=ord)


def _vector_norm(x, axis=None, keepdims=False, ord=2):
    return np.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)


def _linalg_trace(x, offset=0, dtype=None):
    return np.linalg.trace(x, offset=offset, dtype=dtype)


def _linalg_vecdot(x1, x2, axis=-1):
    return np.linalg.vecdot(x1, x2, axis=axis)


def _gufunc(fn):
    def run(x1, x2):
        return fn(x1, x2)

    run.__name__ = fn.__name__
    return run


def _linalg(name, operands, impl, doc, **kw):
    numpy_op("linalg." + name, operands, impl, doc, numpy=("np.linalg." + name,), **kw)


_linalg("eig", ("a",), np.linalg.eig, "(eigenvalues, right eigenvectors) of square matrices.",
        check=_MATRIX)
_linalg("eigvals", ("a",), np.linalg.eigvals, "Eigenvalues of square matrices.",
        check=_MATRIX)
_linalg("eigvalsh", ("a",), _eigvalsh,
        "Eigenvalues (ascending, real) of Hermitian matrices.",
        attrs=(Attr("UPLO", "L", "str"),), check=_MATRIX)
_linalg("svdvals", ("x",), np.linalg.svdvals, "Singular values, descending.", check=_MATRIX)
_linalg("slogdet", ("a",), np.linalg.slogdet, "(sign, log|det|) of square matrices.",
        check=_MATRIX)
_linalg("cond", ("x",), _cond, "Condition number (in norm p; 2-norm by default).",
        attrs=(Attr("p", None, "any"),), check=_MATRIX)
_linalg("matrix_power", ("a",), _matrix_power, "a @ a @ ... (n times; inverse for n < 0).",
        attrs=(Attr("n", None, "int"),), check=_MATRIX)
_linalg("matrix_rank", ("A",), _matrix_rank, "Rank by SVD (singular values above tol).",
        attrs=(Attr("tol", None, "any"), Attr("hermitian", False, "bool"),
               Attr("rtol", None, "any")), params=Params(positional=3))
_linalg("multi_dot", ("arrays*",), _multi_dot,
        "Chained matrix product in the cheapest order (first/last may be 1-d).")
_linalg("tensorinv", ("a",), _tensorinv, "Inverse of a tensor for np.linalg.tensordot.",
        attrs=(Attr("ind", 2, "int"),))
_linalg("tensorsolve", ("a", "b"), _tensorsolve, "Solve tensordot(a, x, b.ndim) = b for x.",
        attrs=(Attr("axes", None, "any"),))
_linalg("matrix_norm", ("x",), _matrix_norm, "Norm of the matrices of the last two axes.",
        attrs=(Attr("keepdims", False, "bool"), Attr("ord", "fro", "any")), check=_MATRIX,
        params=_ONLY_X)
_linalg("vector_norm", ("x",), _vector_norm, "Vector norm over axis (all axes by default).",
        attrs=(Attr("axis", None, "axis"), Attr("keepdims", False, "bool"),
               Attr("ord", 2, "any")), params=_ONLY_X)
_linalg("trace", ("x",), _linalg_trace, "Sum of the diagonal of the last two axes.",
        attrs=(Attr("offset", 0, "int"), Attr("dtype", None, "any")), check=_MATRIX,
        params=_ONLY_X)
_linalg("vecdot", ("x1", "x2"), _linalg_vecdot,
        "Dot product of vectors along axis (conjugating x1).",
        attrs=(Attr("axis", -1, "int"),), params=_ONLY_X1_X2)
_linalg("outer", ("x1", "x2"), np.linalg.outer, "Outer product of two 1-d arrays.")
for _fn, _doc in [(np.vecdot, "Dot product of the vectors of the last axis (conjugating x1)."),
                  (np.matvec, "Matrix-vector products of the last axes."),
                  (np.vecmat, "Vector-matrix products of the last axes (conjugating x1).")]:
    numpy_op(_fn.__name__, ("x1", "x2"), _gufunc(_fn), _doc)


def _linalg_matmul(x1, x2):
    return np.linalg.matmul(x1, x2)


_linalg("matmul", ("x1", "x2"), _linalg_matmul, "Matrix product (no scalar operands).")
