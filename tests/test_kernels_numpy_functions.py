"""Frontend kernels: NumPy functions, builtins, creation, where/clip, dtypes, scalars, random.

Covers np.X, numpy.X and `from numpy import` spellings of ufuncs, NaN handling, creation and
*_like functions, where/clip/maximum, dtype propagation (int32, float32, bool, complex), NumPy
scalar constructors, module-level array constants and the seeded global generator. Every kernel
is a module-level function checked with `check_kernel` (compile, PhySL round trip, oracle and
runtime compared with plain Python). Array methods, reductions and linear algebra are in
test_kernels_numpy_arrays.py; indexing and writes in test_kernels_numpy_indexing.py.
"""

import numpy
import numpy as np
import pytest
from numpy import exp

import phylanx
from phylanx.testing import check_kernel


def rng():
    return np.random.default_rng(12345)


# --- np.X, numpy.X, from numpy import ---------------------------------------------------------


@phylanx.kernel
def ufuncs(x):
    a = np.exp(x) + numpy.log1p(np.abs(x))
    b = exp(-x * x)
    c = np.sqrt(np.abs(x)) * np.sign(x)
    d = np.tanh(x) - numpy.cos(x) + np.sin(x) ** 2
    e = np.floor(x) + np.ceil(x) + np.round(x, 1)
    return a, b, c, d, e


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_ufuncs(dtype):
    x = rng().normal(size=10).astype(dtype)
    # float32: NumPy's SIMD tanh/sin/cos are up to 1 ulp off the correctly rounded values the
    # native engine gives, and d = tanh - cos + sin**2 cancels (|d| << |terms|): absolute tol
    f32 = dtype is np.float32
    check_kernel(ufuncs, x, rtol=1e-6 if f32 else 1e-10, atol=1e-6 if f32 else 1e-12)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # sin/cos of inf
def test_ufuncs_edge_inputs():
    check_kernel(ufuncs, np.array([np.nan, -np.inf, np.inf, 0.0, -0.0]))
    check_kernel(ufuncs, np.zeros(0))
    check_kernel(ufuncs, np.array(0.25))
    check_kernel(ufuncs, rng().normal(size=(4, 5)).T)
    check_kernel(ufuncs, rng().normal(size=20)[::-3])


@phylanx.kernel
def ufuncs_on_ints(n, x):
    return np.exp(n), np.sqrt(x), np.abs(x), np.square(x), np.negative(n)


def test_ufuncs_on_int_inputs():
    check_kernel(ufuncs_on_ints, 2, np.array([1, 4, 9], dtype=np.int32))
    check_kernel(ufuncs_on_ints, 0, np.array([0, 16]))


@phylanx.kernel
def nan_handling(x):
    mask = np.isnan(x)
    clean = np.where(mask, 0.0, x)
    return mask, clean, np.nansum(x), np.nanmax(x), np.isfinite(x).sum(), np.sum(x)


def test_nan_handling():
    x = rng().normal(size=8)
    x[[1, 5]] = np.nan
    check_kernel(nan_handling, x)
    check_kernel(nan_handling, x.astype(np.float32), rtol=1e-6)


@phylanx.kernel
def numpy_scalar_functions(a, b):
    return np.add(a, b), np.maximum(a, b), np.floor_divide(a, b), np.power(a, 2)


def test_numpy_functions_on_python_scalars():
    # np.add(1, 2) is np.int64(3), unlike 1 + 2
    check_kernel(numpy_scalar_functions, 7, 2)
    check_kernel(numpy_scalar_functions, 7.5, -2.0)


@phylanx.kernel
def binary_ufuncs(x, y):
    return (np.logical_or(x > 0, y > 0), np.logical_not(x > 0), np.logical_xor(x > 0, y > 0),
            np.fmax(x, y), np.hypot(x, y), np.arctan2(x, y), np.copysign(x, y))


def test_binary_ufuncs():
    check_kernel(binary_ufuncs, np.array([1.0, -1.0, np.nan]), np.array([0.0, 2.0, 1.0]))


# --- builtins ---------------------------------------------------------------------------------


@phylanx.kernel
def builtins_kernel(x, a, b):
    # (a * 0: zero of a's type; max(a, b, 0) is an int or a float depending on the values)
    return len(x), min(a, b), max(a, b, a * 0), abs(a - b), min(x), max(x), abs(x), \
        round(a * 1.5)


@pytest.mark.parametrize("a,b", [(3, -4), (2.5, 2.25), (-1, -1)])
def test_builtins(a, b):
    check_kernel(builtins_kernel, rng().normal(size=5), a, b)


# --- creation, where, clip, maximum -----------------------------------------------------------


@phylanx.kernel
def creation(n, m):
    return (np.zeros(n), np.ones((n, m)), np.zeros((n, m), dtype=np.int32), np.eye(n),
            np.arange(n), np.arange(1, n, 2), np.linspace(0.0, 1.0, m), np.full((m, n), 7.5),
            np.identity(m), np.eye(n, m, 1), np.ones(n, dtype=bool), np.empty((0, m)).shape)


@pytest.mark.parametrize("n,m", [(3, 4), (1, 1), (0, 2)])
def test_creation(n, m):
    check_kernel(creation, n, m)


@phylanx.kernel
def like_functions(x):
    return np.zeros_like(x), np.ones_like(x), np.full_like(x, 2), np.zeros_like(x, dtype=float)


def test_like_functions():
    check_kernel(like_functions, rng().integers(0, 5, size=(2, 3)).astype(np.int32))
    check_kernel(like_functions, rng().normal(size=4).astype(np.float32))


@phylanx.kernel
def ranges(n):
    return (np.arange(n), np.arange(0.0, 1.0, 0.25), np.arange(n, dtype=np.float32),
            np.linspace(0, 1, n), np.arange(n, 0, -1))


@pytest.mark.parametrize("n", [4, 0])
def test_arange_linspace(n):
    check_kernel(ranges, n)


@phylanx.kernel
def creation_dtypes(x, n):
    return (np.zeros(n, dtype=int), np.zeros(n, dtype=bool), np.ones(n, dtype=x.dtype),
            np.array([x[0] > 0, True]), x.astype(int), np.full(n, True), np.zeros(n, np.float32),
            np.sum(x, dtype=np.float32), np.empty(n).shape)


def test_creation_dtypes():
    check_kernel(creation_dtypes, np.arange(3, dtype=np.int32), 2)


@phylanx.kernel
def views_and_copies(x):
    return (np.asarray(x), np.array(x), np.array(x, dtype=np.float32), np.copy(x),
            np.atleast_2d(x), np.broadcast_to(x, (2, 3)), np.expand_dims(x, axis=(0, 2)))


def test_views_and_copies():
    check_kernel(views_and_copies, np.arange(3.0))


@phylanx.kernel
def where_clip_maximum(x, y, lo, hi):
    return (np.where(x > y, x, y), np.where(x > 0, 1.0, -1.0), np.clip(x, lo, hi),
            x.clip(lo, hi), np.maximum(x, y), np.minimum(x, 0), np.maximum(x, lo))


def test_where_clip_maximum():
    r = rng()
    check_kernel(where_clip_maximum, r.normal(size=8), r.normal(size=8), -0.5, 0.5)
    x = np.array([np.nan, 1.0, -3.0])
    check_kernel(where_clip_maximum, x, np.array([0.0, np.nan, 1.0]), -1.0, 1.0)
    xi = r.integers(-5, 5, size=6).astype(np.int32)
    check_kernel(where_clip_maximum, xi, xi[::-1], -2, 2)


@phylanx.kernel
def where_three_arg_only(c, x, y):
    return np.where(c, x, y)


def test_where_broadcast_scalar_and_0d():
    check_kernel(where_three_arg_only, np.array([True, False, True]), 1, np.arange(3.0))
    check_kernel(where_three_arg_only, True, 1.5, 2)


@phylanx.kernel
def clip_keywords(x):
    # ndarray.clip(min=None, max=None); np.clip also takes min=/max= since NumPy 2.1
    return x.clip(max=2.0), x.clip(min=0.5), x.clip(min=0.5, max=1.0), np.clip(x, max=1.0)


def test_clip_keywords():
    check_kernel(clip_keywords, np.arange(5.0) * 0.6)


# --- dtypes -----------------------------------------------------------------------------------


@phylanx.kernel
def dtype_follow(x):
    acc = np.zeros(x.shape, dtype=x.dtype)
    acc += x
    acc *= 2
    y = acc + np.ones(len(x), dtype=x.dtype)
    return acc, y


@phylanx.kernel
def dtype_compare(x):
    # dtypes are compile-time objects: comparing them is a constant
    return x.dtype == np.float32, x.astype(np.int64).dtype == np.int64, x.dtype != np.int32


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32])
def test_dtype_comparison(dtype):
    check_kernel(dtype_compare, np.arange(3).astype(dtype))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.int64])
def test_dtype_follows_argument(dtype):
    check_kernel(dtype_follow, rng().integers(-5, 5, size=6).astype(dtype))


@phylanx.kernel
def astype_variants(x):
    return x.astype(np.float32), x.astype(np.int32), x.astype(float), x.astype(bool)


def test_astype():
    check_kernel(astype_variants, np.array([1.7, -2.2, 0.0, 3.9]))
    check_kernel(astype_variants, np.array([1, 0, -3], dtype=np.int32))


@phylanx.kernel
def bool_arrays(m, n):
    both = m & n
    either = m | n
    return both, either, ~m, m ^ n, m.sum(), np.logical_and(m, n), m.astype(np.int32) * 3, \
        np.any(m), m == n


def test_bool_arrays():
    r = rng()
    check_kernel(bool_arrays, r.random(7) > 0.5, r.random(7) > 0.3)
    check_kernel(bool_arrays, np.zeros(0, dtype=bool), np.zeros(0, dtype=bool))


@phylanx.kernel
def int32_overflow_semantics(x):
    return x * x, x + np.int32(1), x // 3, x.sum(), x.mean()


def test_int32_arithmetic():
    check_kernel(int32_overflow_semantics, np.array([2**30, -7, 5], dtype=np.int32))


@phylanx.kernel
def scalar_constructors(x):
    a = np.float32(1.5)
    b = np.float32(x)
    c = int(x[0])
    d = np.int32(3) * 2
    return a, b, c, d, float(x[1]), bool(x[0])


def test_scalar_constructors():
    check_kernel(scalar_constructors, np.arange(3.0))


@phylanx.kernel
def complex_arrays(x):
    return x * 2, x.real, x.imag, np.abs(x), x.conj(), x.sum(), x * 1j


def test_complex_arrays():
    check_kernel(complex_arrays, np.array([1 + 2j, 3 - 1j]))
    check_kernel(complex_arrays, np.array([1 + 2j, 3 - 1j], dtype=np.complex64), rtol=1e-6)


# --- module-level array constants, the global random generator --------------------------------

LOOKUP = np.array([1.0, 2.0, 4.0])


@phylanx.kernel
def global_array(x):
    return LOOKUP * x[:3], LOOKUP.sum(), LOOKUP[x.shape[0] % 3]


def test_module_level_array_constant():
    check_kernel(global_array, np.ones(4))


@phylanx.kernel
def seeded_random(n, seed):
    np.random.seed(seed)
    a = np.random.rand(n)
    b = np.random.normal(0.0, 1.0, size=(n, 2))
    c = np.random.randint(0, 10, size=n)
    s = 0.0
    for i in range(n):
        s += np.random.random()
    d = np.random.uniform(-1, 1, n)
    return a, b, c, s, d


def test_seeded_random_draws_in_program_order():
    # the global generator's draws must happen in the order of the source
    for n in [5, 50]:
        check_kernel(seeded_random, n, 3)
