"""Native creation kernels (phylanx.runtime._creation) agree with NumPy bit for bit.

Sizes above the kernels' SMALL threshold run the native job; small ones NumPy's call. Covers
dtypes, NaN and out-of-range fill values (NumPy's conversion and warnings), *_like layouts,
empty and degenerate shapes, diagonals beyond the matrix, and NumPy's errors.
"""

import warnings

import numpy as np
import pytest

import phylanx
from phylanx.runtime import _lowering

pytestmark = pytest.mark.usefixtures("copy_teams")   # tests/conftest.py


def same(got, ref):
    assert got.dtype == ref.dtype and got.shape == ref.shape
    np.testing.assert_array_equal(got, ref)


def test_natives_registered():
    names = set(_lowering.fallback_ops())
    for op in ("zeros", "ones", "empty", "full", "zeros_like", "ones_like", "empty_like",
               "full_like", "eye", "identity", "tri", "tril", "triu", "arange", "linspace"):
        assert op not in names


@phylanx.kernel
def fills(n, m):
    return (np.zeros((n, m)), np.ones((n, m), dtype=np.int32), np.full((n, m), 2.5),
            np.full((n, m), np.nan, dtype=np.float32), np.full(n * m, True),
            np.ones(n, dtype=np.complex128), np.empty((n, m)).shape)


@pytest.mark.parametrize("n,m", [(300, 200), (3, 4), (0, 5), (1, 1)])
def test_fills(n, m):
    got = fills(n, m)
    ref = (np.zeros((n, m)), np.ones((n, m), dtype=np.int32), np.full((n, m), 2.5),
           np.full((n, m), np.nan, dtype=np.float32), np.full(n * m, True),
           np.ones(n, dtype=np.complex128))
    for g, r in zip(got, ref):
        same(g, r)
    assert got[-1] == (n, m)


@phylanx.kernel
def full_int(n, v):
    return np.full((n, 100), v, dtype=np.int32)


def test_full_conversions_like_numpy():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        got = full_int(100, np.nan)
    with warnings.catch_warnings(record=True) as wr:
        warnings.simplefilter("always")
        ref = np.full((100, 100), np.nan, dtype=np.int32)
    same(got, ref)
    assert [str(x.message) for x in w] == [str(x.message) for x in wr]
    same(full_int(100, 3.9), np.full((100, 100), 3.9, dtype=np.int32))
    with pytest.raises(ValueError, match="negative dimensions"):
        full_int(-1, 1.0)


@phylanx.kernel
def likes(a):
    return np.zeros_like(a), np.ones_like(a), np.full_like(a, 7), np.empty_like(a).shape


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int32, np.bool_,
                                   np.complex128])
def test_likes(dtype):
    x = (np.random.default_rng(0).standard_normal((200, 150)) * 10).astype(dtype)
    for a in (x, np.asfortranarray(x), x[::2, ::-1], x[:0], x[5, 5]):
        got = likes(a)
        ref = (np.zeros_like(a), np.ones_like(a), np.full_like(a, 7))
        for g, r in zip(got, ref):
            same(g, r)
            assert g.flags.c_contiguous == r.flags.c_contiguous
            assert g.flags.f_contiguous == r.flags.f_contiguous
        assert got[-1] == a.shape


@phylanx.kernel
def eyes(n, m, x):
    return (np.eye(n), np.eye(n, m, k=5), np.eye(n, m, k=-7, dtype=np.int32),
            np.identity(m, dtype=np.bool_), np.tri(n, m, k=2), np.tril(x), np.triu(x, k=3),
            np.tril(x, k=-400), np.triu(x, k=1000))


@pytest.mark.parametrize("n,m", [(300, 200), (200, 300), (2, 3), (0, 4)])
def test_eye_tri(n, m):
    rng = np.random.default_rng(1)
    for x in (rng.standard_normal((n, m)), rng.integers(0, 9, (m, n)).astype(np.int32).T,
              (rng.standard_normal((n, 2 * m)) > 0)[:, ::2]):
        got = eyes(n, m, x)
        ref = (np.eye(n), np.eye(n, m, k=5), np.eye(n, m, k=-7, dtype=np.int32),
               np.identity(m, dtype=np.bool_), np.tri(n, m, k=2), np.tril(x), np.triu(x, k=3),
               np.tril(x, k=-400), np.triu(x, k=1000))
        for g, r in zip(got, ref):
            same(g, r)


@phylanx.kernel
def ranges(a, b, s):
    return np.arange(a, b, s), np.arange(b), np.linspace(a, b, 10001), \
        np.linspace(a, b, 5000, endpoint=False)


@pytest.mark.parametrize("a,b,s", [(0.0, 1000.0, 0.1), (-3.3, 77.7, 0.01), (5.0, -1000.0, -0.07),
                                   (1.0, 1.0, 0.5), (0.1, 1e4, 1.0 / 3.0)])
def test_float_ranges(a, b, s):
    got = ranges(a, b, s)
    ref = (np.arange(a, b, s), np.arange(b), np.linspace(a, b, 10001),
           np.linspace(a, b, 5000, endpoint=False))
    for g, r in zip(got, ref):
        same(g, r)


@phylanx.kernel
def int_ranges(a, b, s):
    return np.arange(a, b, s), np.arange(a, b, s, dtype=np.int32), \
        np.arange(a, b, s, dtype=np.float32)


@pytest.mark.parametrize("a,b,s", [(0, 100000, 3), (7, -50000, -7), (5, 5, 1), (-9, 10**6, 97)])
def test_int_ranges(a, b, s):
    got = int_ranges(a, b, s)
    ref = (np.arange(a, b, s), np.arange(a, b, s, dtype=np.int32),
           np.arange(a, b, s, dtype=np.float32))
    for g, r in zip(got, ref):
        same(g, r)
    with pytest.raises(ZeroDivisionError):
        int_ranges(0, 10, 0)


@phylanx.kernel
def lin(a, b):
    return np.linspace(a, b, 10001)


def test_linspace_degenerate():
    for a, b in ((2.0, 2.0), (0.0, np.inf), (np.nan, 1.0), (0, 7), (-1e308, 1e308)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            np.testing.assert_array_equal(lin(a, b), np.linspace(a, b, 10001))


@phylanx.kernel
def tri_only(n, m):
    return np.tri(n, m)


def test_tri_negative_extents():
    for n, m in ((-1, 5), (100, -3), (-2, -2)):
        same(tri_only(n, m), np.tri(n, m))


def prepared(kernel, args, opname, operands, nth=0):
    """What the native preparer of the nth `opname` op of kernel(*args) returns for operands."""
    from phylanx.runtime.natives import preparer_for
    module = phylanx.parse_physl(kernel.physl(*args, locations=False))
    op = [o for o in module.walk() if o.name == opname][nth]
    return preparer_for(op)(*operands)


def test_native_jobs_are_used():
    from phylanx.runtime.native import Job
    shape = (300, 200)
    assert isinstance(prepared(fills, shape, "ones", (shape,)), Job)
    assert isinstance(prepared(fills, shape, "full", (shape, 2.5)), Job)
    z = prepared(fills, shape, "zeros", (shape,))
    assert isinstance(z, np.ndarray) and not z.any()          # calloc, no job
    x = np.ones((300, 300))
    assert isinstance(prepared(eyes, (300, 300, x), "eye", (300, None)), Job)
    assert isinstance(prepared(eyes, (300, 300, x), "tril", (x,)), Job)
    assert isinstance(prepared(ranges, (0.0, 1000.0, 0.1), "arange", (0.0, 1000.0, 0.1)), Job)
    assert isinstance(prepared(ranges, (0.0, 1000.0, 0.1), "linspace", (0.0, 1.0, 10001)), Job)
    assert not isinstance(prepared(fills, shape, "ones", ((3, 4),)), Job)


@phylanx.kernel
def typed_fills(n, v):
    return (np.full((n, 50), v), np.full((n, 50), v, dtype=np.float32),
            np.full((n, 50), v, dtype=np.int32), np.full((n, 50), v, dtype=np.bool_),
            np.full((n, 50), v, dtype=np.complex128), np.ones((n, 50), dtype=np.float32),
            np.ones((n, 50), dtype=np.bool_), np.zeros((n, 50), dtype=np.int32))


@pytest.mark.parametrize("v", [2.5, -7, True, 0.0, 1e10, -0.0])
def test_fill_dtypes(v):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = typed_fills(200, v)
        ref = (np.full((200, 50), v), np.full((200, 50), v, dtype=np.float32),
               np.full((200, 50), v, dtype=np.int32), np.full((200, 50), v, dtype=np.bool_),
               np.full((200, 50), v, dtype=np.complex128), np.ones((200, 50), dtype=np.float32),
               np.ones((200, 50), dtype=np.bool_), np.zeros((200, 50), dtype=np.int32))
    for g, r in zip(got, ref):
        same(g, r)
        assert np.array_equal(np.signbit(g.real), np.signbit(r.real)) if g.dtype.kind in "fc" \
            else True


@phylanx.kernel
def zero_d_fills(v):
    return (np.zeros(()), np.ones((), dtype=np.int32), np.full((), v), np.empty(()).shape,
            np.full((), v, dtype=np.float32), np.zeros((), dtype=np.complex128),
            np.ones(()), np.full((), v, dtype=np.bool_))


@pytest.mark.parametrize("v", [2.5, np.nan, -0.0, 7])
def test_zero_d_fills(v):
    """Shape (): every fill declines to NumPy's own call; results are NumPy's 0-d arrays."""
    got = zero_d_fills(v)
    ref = (np.zeros(()), np.ones((), dtype=np.int32), np.full((), v), np.empty(()).shape,
           np.full((), v, dtype=np.float32), np.zeros((), dtype=np.complex128),
           np.ones(()), np.full((), v, dtype=np.bool_))
    for g, r in zip(got, ref):
        if isinstance(r, tuple):
            assert g == r
            continue
        assert isinstance(g, np.ndarray) and g.ndim == 0
        same(g, r)
        assert np.signbit(g.real) == np.signbit(r.real)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int32, np.bool_,
                                   np.complex128])
def test_likes_of_zero_d_arrays(dtype):
    a = np.array(5, dtype=dtype)
    got = likes(a)
    for g, r in zip(got, (np.zeros_like(a), np.ones_like(a), np.full_like(a, 7))):
        assert isinstance(g, np.ndarray)
        same(g, r)
    assert got[-1] == ()


@phylanx.kernel
def nan_likes(a):
    return np.full_like(a, np.nan), np.full_like(a, -np.inf)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.int32, np.int64,
                                   np.bool_])
def test_full_like_nan_fill(dtype):
    """NaN and -inf fills: NumPy's conversion (NaN -> INT_MIN with its warning for integers,
    True for bool) on the native job (C and F prototypes) and on NumPy's path (strided, 0-d)."""
    x = np.ones((300, 200), dtype)
    for a in (x, np.asfortranarray(x), x[::2, ::-3], np.array(1, dtype)):
        with warnings.catch_warnings(record=True) as wg:
            warnings.simplefilter("always")
            got = nan_likes(a)
        with warnings.catch_warnings(record=True) as wr:
            warnings.simplefilter("always")
            ref = (np.full_like(a, np.nan), np.full_like(a, -np.inf))
        for g, r in zip(got, ref):
            same(g, r)
            assert g.flags.f_contiguous == r.flags.f_contiguous
        assert sorted(str(w.message) for w in wg) == sorted(str(w.message) for w in wr)
    if np.dtype(dtype).kind == "f":
        assert np.isnan(got[0]).all() and got[0].dtype == dtype


def test_full_like_nan_is_a_native_job():
    from phylanx.runtime.native import Job
    x = np.ones((300, 200), np.float32)
    job = prepared(nan_likes, (x,), "full_like", (x, np.nan))
    assert isinstance(job, Job)
    job.run_now()
    same(job.result, np.full_like(x, np.nan))


@phylanx.kernel
def lins(a, b, n):
    return (np.linspace(a, b, n), np.linspace(a, b, n, endpoint=False),
            np.linspace(a, b, n, dtype=np.float64), np.linspace(a, b, n, dtype=np.float32),
            np.linspace(a, b, n, dtype=np.int64), np.linspace(a, b, n, endpoint=False,
                                                             dtype=np.int32))


@pytest.mark.parametrize("n", [0, 1, 2, 5000, 10007])
@pytest.mark.parametrize("a,b", [(-3.0, 7.0), (2.0, 2.0), (1e3, -1e3), (0, 255)])
def test_linspace_num_endpoint_dtype(n, a, b):
    """num=0 and 1 (NumPy's call), endpoint=False, dtype= (f64: native; others: NumPy's)."""
    got = lins(a, b, n)
    ref = (np.linspace(a, b, n), np.linspace(a, b, n, endpoint=False),
           np.linspace(a, b, n, dtype=np.float64), np.linspace(a, b, n, dtype=np.float32),
           np.linspace(a, b, n, dtype=np.int64),
           np.linspace(a, b, n, endpoint=False, dtype=np.int32))
    for g, r in zip(got, ref):
        same(g, r)


def test_linspace_native_jobs_endpoint_false_and_dtype():
    from phylanx.runtime.native import Job
    args = (-3.0, 7.0, 5000)
    for nth in (1, 2):                      # endpoint=False; dtype=np.float64
        job = prepared(lins, args, "linspace", args, nth)
        assert isinstance(job, Job)
        job.run_now()
        ref = np.linspace(*args, endpoint=nth != 1)
        same(job.result, ref)
    assert not isinstance(prepared(lins, args, "linspace", (-3.0, 7.0, 1), 1), Job)


@pytest.mark.parametrize("a,b,s", [(0.0, np.nan, 1.0), (np.nan, 5.0, 1.0), (0.0, 5.0, np.nan),
                                   (0.0, np.inf, 1.0), (-np.inf, 0.0, 1.0)])
def test_arange_errors_like_numpy(a, b, s):
    with pytest.raises(ValueError) as ref:
        np.arange(a, b, s)
    with pytest.raises(ValueError) as got:
        ar(a, b, s)
    assert str(ref.value) in str(got.value)


@phylanx.kernel
def ar(a, b, s):
    return np.arange(a, b, s)


@phylanx.kernel
def ar_typed(a, b, s):
    return (np.arange(a, b, s), np.arange(a, b, s, dtype=np.float32),
            np.arange(a, b, s, dtype=np.int64), np.arange(a, b, s, dtype=np.int32))


@pytest.mark.parametrize("a,b,s", [(0, 10000, 0.5), (-3, 3000, 0.5), (0.25, 1e4, 1.5),
                                   (5000.0, -5000.0, -0.75), (0, 7, 0.001), (-2, 2, 0.1)])
def test_arange_float_steps_all_dtypes(a, b, s):
    """Float steps into f64/f32/i64/i32: NumPy fills start + i * delta in the result dtype,
    with delta = (start + step) - start cast first (np.arange(0, n, 0.5, dtype=int) is zeros)."""
    got = ar_typed(a, b, s)
    ref = (np.arange(a, b, s), np.arange(a, b, s, dtype=np.float32),
           np.arange(a, b, s, dtype=np.int64), np.arange(a, b, s, dtype=np.int32))
    for g, r in zip(got, ref):
        same(g, r)


def test_arange_float_step_native_jobs():
    from phylanx.runtime.native import Job
    for nth, dtype in enumerate((np.float64, np.float32, np.int64, np.int32)):
        job = prepared(ar_typed, (-3, 3000, 0.5), "arange", (-3, 3000, 0.5), nth)
        assert isinstance(job, Job)
        job.run_now()
        same(job.result, np.arange(-3, 3000, 0.5, dtype=dtype))
