"""Frontend kernels: array attributes and methods, basic slicing, reductions, shapes, linalg.

Inputs include NaN, empty arrays, 0-d arrays, non-contiguous views (X[::2], X.T) and
int32/float32/bool dtypes. Also compiles these kernels for explicit signatures with known
extents, specialises one kernel per argument types and round-trips PhySL text through the
parser. Every kernel is a module-level function checked with `check_kernel` (compile, PhySL
round trip, oracle and runtime compared with plain Python). NumPy functions and dtypes are in
test_kernels_numpy_functions.py; indexing and writes in test_kernels_numpy_indexing.py.
"""

import textwrap

import numpy
import numpy as np
import pytest

import phylanx
from phylanx.testing import check_kernel


def rng():
    return np.random.default_rng(12345)


def matrices():
    r = rng()
    X = r.normal(size=(6, 4))
    return {
        "c": X,
        "T": r.normal(size=(4, 6)).T,
        "rows_step": r.normal(size=(12, 4))[::2],
        "cols_step": r.normal(size=(6, 8))[:, ::2],
        "f32": X.astype(np.float32),
    }


# --- array attributes and methods -------------------------------------------------------------


@phylanx.kernel
def attributes(X):
    n, m = X.shape
    out = np.zeros(n, dtype=X.dtype)
    for i in range(n):
        out[i] = X[i, 0]
    return X.shape, X.ndim, X.size, X.T, out, X.shape[0] * X.shape[1], len(X)


@pytest.mark.parametrize("case", list(matrices()))
def test_attributes(case):
    check_kernel(attributes, matrices()[case])


def test_attributes_int_and_bool():
    check_kernel(attributes, rng().integers(0, 9, size=(3, 2)).astype(np.int32))
    check_kernel(attributes, rng().random((3, 2)) > 0.5)
    check_kernel(attributes, np.zeros((0, 3)))


@phylanx.kernel
def methods(X):
    a = X.sum(axis=0)
    b = X.mean()
    c = X.reshape(-1)
    d = X.reshape(X.shape[1], X.shape[0])
    e = X.astype(np.float32)
    f = X.copy()
    f[0, 0] = 100.0
    g = X.max(axis=1, keepdims=True)
    h = X.T.dot(X[:, 0])
    return a, b, c, d, e, f, g, h, X.min(), X.std(), X.argmax(), X.cumsum()


@pytest.mark.parametrize("case", list(matrices()))
def test_methods(case):
    X = matrices()[case]
    check_kernel(methods, X, rtol=1e-5 if X.dtype == np.float32 else 1e-10)


@phylanx.kernel
def array_methods(x):
    return (x.max(), x.argmax(axis=0), x.any(axis=0), x.all(), x.prod(axis=0), x.cumsum(axis=0),
            x.cumprod(), x.var(), x.round(1), x.trace(), x.flatten(), x.ravel(), x.dot(x),
            x.clip(0, 1))


def test_array_methods():
    check_kernel(array_methods, np.arange(4.0).reshape(2, 2) * 0.7)
    check_kernel(array_methods, np.arange(4.0).reshape(2, 2).T)


@phylanx.kernel
def spellings(X):
    return (X.astype('float32'), np.zeros(3, 'int32'), np.ones(2, dtype="float"), X.sum(0),
            np.transpose(X, (1, 0)), X.transpose(1, 0), X.T.T, X.reshape((3, 2)), np.mean(X, 0),
            X.mean(axis=0, dtype=np.float32), np.sum(X, 1, keepdims=True))


def test_alternative_spellings():
    check_kernel(spellings, np.arange(6.0).reshape(2, 3))


@phylanx.kernel
def shape_tuples(x, y):
    t = x.shape
    return t == y.shape, t != (1, 2), len(t), x.shape + (1,), x.shape[0] == 2


def test_shape_tuple_comparison():
    check_kernel(shape_tuples, np.zeros((2, 3)), np.zeros((2, 3)))
    check_kernel(shape_tuples, np.zeros((2, 3)), np.zeros((3, 2)))


# --- basic slicing ----------------------------------------------------------------------------


@phylanx.kernel
def slicing(x, X):
    return (x[::-1], x[-3:], x[:-2], x[1:5:2], x[-1], x[-4:-1:2], X[1:-1, ::2], X[-1],
            X[:, -1], X[::-1, 1:], X[1], X[..., 0], X[2:, :][0, :])


def test_basic_slicing():
    r = rng()
    check_kernel(slicing, r.normal(size=9), r.normal(size=(5, 6)))
    check_kernel(slicing, r.normal(size=20)[::2], r.normal(size=(6, 5)).T)
    check_kernel(slicing, np.arange(9, dtype=np.int32), np.arange(30).reshape(5, 6))


@phylanx.kernel
def dynamic_slicing(x, a, b, s):
    return x[a:b], x[a:b:s], x[a:], x[:b], x[b:a:-1], x[-a:]


@pytest.mark.parametrize("a,b,s", [(1, 6, 2), (0, 0, 1), (3, 100, 3), (-5, -1, 1)])
def test_dynamic_slicing(a, b, s):
    check_kernel(dynamic_slicing, np.arange(10.0), a, b, s)


@phylanx.kernel
def newaxis(x, y):
    outer = x[:, np.newaxis] * y[None, :]
    col = x[:, None]
    return outer, col, x[np.newaxis], col.shape


def test_newaxis_indexing():
    r = rng()
    check_kernel(newaxis, r.normal(size=4), r.normal(size=3))
    check_kernel(newaxis, r.normal(size=0), r.normal(size=3))


# --- reductions -------------------------------------------------------------------------------


@phylanx.kernel
def reductions(X):
    return (X.sum(), np.sum(X, axis=0), np.sum(X, axis=1, keepdims=True), np.mean(X, axis=0),
            np.prod(X, axis=1), np.max(X, axis=(0, 1)), np.min(X, axis=0, keepdims=True),
            np.argmin(X, axis=1), np.any(X > 1), np.all(X > -5, axis=0),
            np.var(X, axis=0, ddof=1), np.median(X, axis=1), np.count_nonzero(X > 0))


@pytest.mark.parametrize("case", list(matrices()))
def test_reductions(case):
    X = matrices()[case]
    check_kernel(reductions, X, rtol=1e-5 if X.dtype == np.float32 else 1e-10)


def test_reductions_int32_and_bool():
    check_kernel(reductions, rng().integers(-3, 4, size=(4, 3)).astype(np.int32))
    check_kernel(reductions, rng().random((4, 3)) > 0.5)


@phylanx.kernel
def empty_reductions(x):
    return x.sum(), np.prod(x), np.any(x > 0), np.all(x > 0), x.cumsum(), len(x), x.size


def test_reductions_of_empty_arrays():
    check_kernel(empty_reductions, np.zeros(0))
    check_kernel(empty_reductions, np.zeros(0, dtype=np.int32))


@phylanx.kernel
def zero_d(a, s):
    b = a * 2 + s  # a NumPy scalar, as in NumPy
    return b, a.ndim, a.shape, a.size, a.sum(), np.sqrt(a), float(a), a[()], a[...]


def test_zero_d_arrays():
    check_kernel(zero_d, np.array(3.0), 1.5)
    check_kernel(zero_d, np.array(4, dtype=np.int32), 1)


@phylanx.kernel
def scalar_attributes(a, s):
    b = a * 2 + s  # 0-d array arithmetic gives a NumPy scalar, which has ndim/shape/size
    return b.ndim, b.shape, b.size, b


def test_numpy_scalar_attributes():
    check_kernel(scalar_attributes, np.array(3.0), 1.5)


@phylanx.kernel
def scans(x, X):
    return np.cumsum(x), np.cumsum(X, axis=0), np.cumsum(X, axis=1), np.cumprod(x), np.cumsum(X)


def test_cumsum():
    r = rng()
    check_kernel(scans, r.normal(size=5), r.normal(size=(3, 4)))
    check_kernel(scans, np.arange(1, 6, dtype=np.int32), np.ones((2, 3), dtype=bool))
    check_kernel(scans, np.zeros(0), np.zeros((0, 2)))


@phylanx.kernel
def one_d_reductions(x):
    return (x.sum(axis=0), np.mean(x, axis=0, keepdims=True), x.min(axis=-1), x.T,
            x.reshape(1, -1).T)


def test_one_d_reductions():
    check_kernel(one_d_reductions, np.arange(4.0))
    check_kernel(one_d_reductions, np.arange(8.0)[::2])


@phylanx.kernel
def empty_matrix(X):
    return (X.sum(axis=0), X.sum(axis=1), X.T @ X, X @ X.T, np.concatenate([X, X]),
            X.max(axis=1) if X.shape[0] else np.zeros(0))


def test_empty_matrix():
    check_kernel(empty_matrix, np.zeros((0, 3)))


@phylanx.kernel
def nan_reductions(x):
    return np.nanmean(x), np.nanmin(x), np.argmax(x), np.max(x), np.nanmax(x), np.median(x)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_nan_reductions():
    check_kernel(nan_reductions, np.array([1.0, np.nan, 3.0]))
    check_kernel(nan_reductions, np.array([np.nan, np.nan]))  # all-NaN slices


@phylanx.kernel
def statistics(x):
    return (np.average(x), np.average(x, weights=np.arange(1.0, 4.0)), np.std(x, ddof=1),
            np.var(x), np.median(x), x.std())


def test_statistics():
    check_kernel(statistics, np.array([1.0, 2.0, 4.0]))


@phylanx.kernel
def negative_constants(X):
    # a negative literal is a constant wherever a constant is needed
    return X.shape[-1], np.sum(X, axis=-1), np.tril(X, -1), np.cumsum(X, axis=-2), X.shape[-2:]


def test_negative_literals_as_constants():
    check_kernel(negative_constants, rng().normal(size=(3, 4)))


# --- joining, shapes, reordering --------------------------------------------------------------


@phylanx.kernel
def joining(a, b, X):
    return (np.concatenate((a, b)), np.concatenate([X, X * 2], axis=1), np.stack((a, a)),
            np.stack([a, b[: len(a)]], axis=1), np.vstack((X, X[:1])), np.vstack([a, a]),
            np.hstack((a, b)), np.concatenate((X, X), axis=None))


def test_concatenate_stack_vstack():
    r = rng()
    check_kernel(joining, r.normal(size=3), r.normal(size=5), r.normal(size=(2, 3)))
    check_kernel(joining, np.arange(3, dtype=np.int32), np.arange(5.0), np.ones((2, 3)))
    check_kernel(joining, np.zeros(0), np.ones(2), np.zeros((0, 3)))


@phylanx.kernel
def more_joining(x, y):
    return (np.concatenate((x, y), 0), np.column_stack((x, y)),
            np.hstack([x[:, None], y[:, None]]), np.stack((x, y), -1), np.vstack((x, y)).T)


def test_more_joining():
    check_kernel(more_joining, np.arange(3.0), np.ones(3))


@phylanx.kernel
def shapes(X):
    return (X.reshape((X.shape[1], -1)), np.transpose(X), X.ravel(), X.flatten(),
            np.expand_dims(X, 0), np.squeeze(X[:1], axis=0), np.flip(X, 0), np.swapaxes(X, 0, 1))


def test_shape_functions():
    r = rng()
    check_kernel(shapes, r.normal(size=(3, 4)))
    check_kernel(shapes, r.normal(size=(4, 3)).T)


@phylanx.kernel
def sorting(x):
    return (np.sort(x), np.argsort(x), np.unique(x), np.flip(x), np.roll(x, 1), np.tile(x, 2),
            np.repeat(x, 2), np.nonzero(x > 1.5), x.nonzero())


def test_sorting_and_reordering():
    check_kernel(sorting, np.array([3.0, 1.0, 2.0, 1.0]))


# --- linear algebra ---------------------------------------------------------------------------


@phylanx.kernel
def linalg(A, b):
    x = np.linalg.solve(A, b)
    Ainv = np.linalg.inv(A)
    d = np.linalg.det(A)
    X = numpy.linalg.solve(A, np.eye(A.shape[0]))
    return x, Ainv, d, X, np.linalg.norm(b), A @ x - b, np.dot(A, b), np.outer(b, b), \
        np.trace(A)


def test_linalg():
    r = rng()
    A = r.normal(size=(4, 4)) + 4 * np.eye(4)
    check_kernel(linalg, A, r.normal(size=4), rtol=1e-9)
    check_kernel(linalg, A.T, r.normal(size=4), rtol=1e-9)
    check_kernel(linalg, A.astype(np.float32), r.normal(size=4).astype(np.float32), rtol=1e-4,
                 atol=1e-5)


@phylanx.kernel
def diag_functions(v, A):
    return np.diag(v), np.diag(A), np.triu(A, 1), np.tril(A), np.diag(v, 1)


def test_diag():
    r = rng()
    check_kernel(diag_functions, r.normal(size=3), r.normal(size=(3, 3)))


@phylanx.kernel
def decompositions(A):
    q, r = np.linalg.qr(A)
    w, v = np.linalg.eigh(A.T @ A)
    return (q @ r, w, np.linalg.norm(A), np.linalg.norm(A, axis=1),
            np.linalg.inv(A.T @ A + np.eye(A.shape[1])))


def test_decompositions():
    A = np.arange(6.0).reshape(3, 2) + np.eye(3, 2)
    check_kernel(decompositions, A, rtol=1e-9)


# --- specialisation and recompilation ---------------------------------------------------------


@phylanx.kernel
def poly(x, c):
    return c * x * x + x


def test_same_kernel_two_argument_types():
    r = rng()
    x64 = r.normal(size=5)
    x32 = x64.astype(np.float32)
    res64 = check_kernel(poly, x64, 0.5)
    res32 = check_kernel(poly, x32, 0.5, rtol=1e-6)
    assert res64.dtype == np.float64 and res32.dtype == np.float32
    p64, p32 = poly.physl(x64, 0.5), poly.physl(x32, 0.5)
    assert p64 != p32
    assert "f64[?]" in p64 and "f32[?]" in p32
    # the specialisations are cached: asking again gives the same module text
    assert poly.physl(x64, 0.5) == p64


def test_physl_roundtrip_through_parser():
    r = rng()
    for args in [(r.normal(size=4), 2.0), (np.arange(3, dtype=np.int32), 3)]:
        text = poly.physl(*args)
        again = phylanx.parse_physl(text)
        assert phylanx.print_module(again) == text
    text = methods.physl(r.normal(size=(3, 2)))
    assert phylanx.print_module(phylanx.parse_physl(text)) == text
    plain = methods.physl(r.normal(size=(3, 2)), locations=False)
    assert phylanx.print_module(phylanx.parse_physl(plain), locations=False) == plain


def test_physl_signature_string():
    text = poly.physl(types="f64[?], float")
    assert text == poly.physl(np.zeros(3), 1.0)


_SOURCE_V1 = """
import numpy as np
import phylanx


@phylanx.kernel
def changing(x):
    return x + 1.0
"""

_SOURCE_V2 = """
import numpy as np
import phylanx


@phylanx.kernel
def changing(x):
    y = x * 10.0
    return y - 1.0
"""


def _exec_kernel(path, text, name):
    with open(path, "w") as f:
        f.write(textwrap.dedent(text))
    namespace = {"__name__": "phylanx_test_generated_" + name}
    with open(path) as f:
        code = compile(f.read(), path, "exec")
    exec(code, namespace)  # noqa: S102
    return namespace[name]


def test_changed_source_recompiles(tmp_path):
    path = str(tmp_path / "generated_kernel.py")
    x = np.arange(4.0)
    k1 = _exec_kernel(path, _SOURCE_V1, "changing")
    r1 = check_kernel(k1, x)
    text1 = k1.physl(x)
    k2 = _exec_kernel(path, _SOURCE_V2, "changing")
    r2 = check_kernel(k2, x)
    text2 = k2.physl(x)
    np.testing.assert_array_equal(r1, x + 1.0)
    np.testing.assert_array_equal(r2, x * 10.0 - 1.0)
    assert text1 != text2 and "multiply" in text2 and "multiply" not in text1


def test_unsupported_argument_type_is_type_error():
    with pytest.raises(TypeError, match="argument 'x'"):
        poly([1.0, 2.0], 1.0)
    with pytest.raises(TypeError):
        poly.physl({"a": 1}, 1.0)


# --- arrays with known extents (module-level constants, explicit signatures) ------------------

M_CONST = np.arange(12.0).reshape(3, 4)
V_CONST = np.array([1, 2, 3], dtype=np.int32)
E_CONST = np.zeros((0, 2))
B_CONST = np.array([True, False, True])


def _shape_helper(a):
    n, m = a.shape
    s = 0.0
    for i in range(n):
        s += a[i, m - 1]
    return s, len(a), a.shape[-1], a.size


@phylanx.kernel
def known_extents(x):
    M, V, E, B = M_CONST, V_CONST, E_CONST, B_CONST
    return (_shape_helper(M), M.T @ V, M[1:, ::2], M[:, -1], M[B], M[V - 1], M.reshape(-1)[::5],
            np.diag(M), np.triu(M, 1), M.sum(axis=0), M.mean(axis=(0, 1)), E.sum(axis=0),
            E.shape, len(E), V[::-1], V[-1], M[..., None].shape,
            np.concatenate((M, M), axis=1).shape, np.stack((V, V)).shape, M @ np.ones(4),
            M[1] * x, x + M.sum(), M.T[1:3, 0:2], np.squeeze(M[None]).shape,
            M[np.newaxis, :, 1].shape, np.expand_dims(V, 1).shape, np.outer(V, V), M.size,
            M.ndim, M[:, :2] @ M[:2, :2], np.linalg.det(M[:, :3] @ M[:, :3].T + np.eye(3)),
            np.diag(V, -1), np.tril(M, -1), M.flatten()[7], np.broadcast_to(V, (2, 3)),
            np.tile(V, (2, 1)), np.repeat(M, 2, axis=0).shape, np.flip(M, 1)[0],
            np.sort(V)[::-1], np.argsort(-V))


def test_known_extents_fold_consistently():
    check_kernel(known_extents, 2.0, rtol=1e-9)


_STATIC_CASES = [
    (attributes, "f64[3,2]", (np.arange(6.0).reshape(3, 2),)),
    (methods, "f64[3,2]", (np.arange(6.0).reshape(3, 2),)),
    (reductions, "f64[3,2]", (np.arange(6.0).reshape(3, 2),)),
    (slicing, "f64[9], f64[5,6]", (np.arange(9.0), np.arange(30.0).reshape(5, 6))),
    (shapes, "f64[3,4]", (np.arange(12.0).reshape(3, 4),)),
    (joining, "f64[3], f64[5], f64[2,3]", (np.arange(3.0), np.arange(5.0), np.ones((2, 3)))),
    (newaxis, "f64[4], f64[3]", (np.arange(4.0), np.arange(3.0))),
    (empty_reductions, "f64[0]", (np.zeros(0),)),
    (linalg, "f64[4,4], f64[4]", (np.eye(4) * 2, np.ones(4))),
    (zero_d, "f64[], float", (np.array(3.0), 1.5)),
]


@pytest.mark.parametrize("kernel,types,args", _STATIC_CASES,
                         ids=[c[0].__name__ for c in _STATIC_CASES])
def test_signature_with_known_extents(kernel, types, args):
    from phylanx.oracle import evaluate
    from phylanx.testing import assert_same, check_roundtrip

    compiled = kernel.compile(types)
    text = check_roundtrip(compiled.module)
    assert types.split(",")[0].strip() in text
    expected = kernel.py_func(*args)
    assert_same(evaluate(phylanx.parse_physl(text), *args), expected, 1e-9, 1e-12)
    assert_same(compiled.run(args), expected, 1e-9, 1e-12)
