"""Frontend kernels: operators, scalars, assignment, augmented assignment, promotion.

Every kernel is a module-level function (the frontend reads its source) checked with
`check_kernel`, which compiles it, round-trips the PhySL text, runs the oracle and the runtime
and compares both with plain Python on the same inputs (arguments the kernel mutates included).
"""

import numpy
import numpy as np
import pytest

import phylanx
from phylanx.testing import check_kernel

RNG_SEED = 20240611

SCALE = 2.5          # module-level float
OFFSET = 3           # module-level int
WEIGHTS = (0.5, 0.25, 0.25)  # module-level tuple


def rng():
    return np.random.default_rng(RNG_SEED)


def float_arrays():
    r = rng()
    x = r.normal(size=12)
    y = r.normal(size=12) + 3.0
    return x, y


# --- arithmetic operators -------------------------------------------------------------------


@phylanx.kernel
def arith(x, y):
    return x + y, x - y, x * y, x / y, x ** 2, -x, +x


def _arith_inputs():
    r = rng()
    x64 = r.normal(size=10)
    y64 = r.uniform(1.0, 2.0, size=10)
    base = r.normal(size=20)
    return {
        "f64": (x64, y64),
        "f32": (x64.astype(np.float32), y64.astype(np.float32)),
        "i64": (r.integers(-20, 20, size=10), r.integers(1, 9, size=10)),
        "i32": (r.integers(-20, 20, size=10).astype(np.int32),
                r.integers(1, 9, size=10).astype(np.int32)),
        "mixed_i32_f64": (r.integers(-5, 5, size=10).astype(np.int32), y64),
        "strided": (base[::2], base[1::2] + 5.0),
        "2d_broadcast_row": (r.normal(size=(3, 4)), r.uniform(1, 2, size=4)),
        "empty": (np.zeros(0), np.ones(0)),
        "zero_d": (np.array(1.5), np.array(2.0)),
        "nan": (np.array([np.nan, 1.0, -2.0]), np.array([1.0, np.nan, 4.0])),
    }


@pytest.mark.parametrize("case", list(_arith_inputs()))
def test_arith(case):
    check_kernel(arith, *_arith_inputs()[case])


@phylanx.kernel
def floor_and_mod(x, y):
    return x // y, x % y


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float64, np.float32])
def test_floor_and_mod_negative_operands(dtype):
    x = np.array([7, -7, 7, -7, 0, 13, -1], dtype=dtype)
    y = np.array([2, 2, -2, -2, 3, 5, 4], dtype=dtype)
    check_kernel(floor_and_mod, x, y)


def test_floor_and_mod_scalars():
    check_kernel(floor_and_mod, -7, 3)
    check_kernel(floor_and_mod, 7, -3)
    check_kernel(floor_and_mod, -7.5, 2.0)


@phylanx.kernel
def matmul_ops(A, B, v):
    return A @ B, A @ v, (A @ v) @ (A @ v), v @ A.T


def test_matmul_operator():
    r = rng()
    A, B, v = r.normal(size=(4, 3)), r.normal(size=(3, 5)), r.normal(size=3)
    check_kernel(matmul_ops, A, B, r.normal(size=3))
    check_kernel(matmul_ops, A[::2, :], B[:, 1:], v)


@phylanx.kernel
def matmul_vec(A, v):
    return v @ A.T @ v


def test_matmul_vec_f32():
    r = rng()
    A = r.normal(size=(3, 3)).astype(np.float32)
    check_kernel(matmul_vec, A, r.normal(size=3).astype(np.float32), rtol=1e-5)


# --- bitwise operators ----------------------------------------------------------------------


@phylanx.kernel
def bitwise(a, b):
    return a & b, a | b, a ^ b, ~a


@phylanx.kernel
def shifts(a, k):
    return a << k, a >> k, a << 2, a >> 1


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_bitwise(dtype):
    r = rng()
    if dtype is np.bool_:
        a, b = r.random(9) > 0.5, r.random(9) > 0.5
    else:
        a = r.integers(-100, 100, size=9).astype(dtype)
        b = r.integers(-100, 100, size=9).astype(dtype)
    check_kernel(bitwise, a, b)


def test_bitwise_python_scalars():
    check_kernel(bitwise, 12, 10)
    check_kernel(bitwise, True, False)


def test_shifts():
    r = rng()
    check_kernel(shifts, r.integers(0, 1000, size=8), 3)
    check_kernel(shifts, r.integers(0, 1000, size=8).astype(np.int32), 1)
    check_kernel(shifts, 5, 4)


# --- scalar-only kernels: Python semantics ---------------------------------------------------


@phylanx.kernel
def python_int_semantics(a, b):
    return a // b, a % b, a ** b, -a // b, -a % b, a / b


@pytest.mark.parametrize("a,b", [(7, 2), (7, 3), (2, 10), (9, 4), (1, 1)])
def test_python_int_semantics(a, b):
    check_kernel(python_int_semantics, a, b)


@phylanx.kernel
def literal_semantics():
    return 7 // 2, -7 % 3, 2 ** 10, True + 1, -7 // 2, 7 % -3, 2 ** -1, 1 / 2, 10 ** 20


def test_literal_semantics():
    check_kernel(literal_semantics)


@phylanx.kernel
def bool_arith(flag, n):
    return flag + 1, flag * n, True + flag, flag + flag, -flag


@pytest.mark.parametrize("flag", [True, False])
def test_bool_arith(flag):
    check_kernel(bool_arith, flag, 5)


@phylanx.kernel
def mixed_scalars(i, x, flag):
    y = i * x + flag
    z = i // 2 + (x if flag else -x)
    return y, z, i + 0.0, float(i), int(x), bool(i)


@pytest.mark.parametrize("i,x,flag", [(3, 1.5, True), (-4, 2.25, False), (0, -0.5, True)])
def test_mixed_scalars(i, x, flag):
    check_kernel(mixed_scalars, i, x, flag)


@phylanx.kernel
def numpy_scalars(a, b):
    return a + b, a * 2, a / b, a + 1.5


def test_numpy_scalar_arguments():
    check_kernel(numpy_scalars, np.float32(1.5), np.float32(2.0))
    check_kernel(numpy_scalars, np.int32(7), np.int32(2))
    check_kernel(numpy_scalars, np.float64(3.0), np.int64(4))


# --- comparisons, chained comparisons, boolean operators -------------------------------------


@phylanx.kernel
def comparisons(x, y):
    return x < y, x <= y, x == y, x != y, x > y, x >= y


def test_comparisons():
    r = rng()
    x = r.integers(0, 4, size=12).astype(np.float64)
    y = r.integers(0, 4, size=12).astype(np.float64)
    check_kernel(comparisons, x, y)
    check_kernel(comparisons, x.astype(np.int32), 2)
    check_kernel(comparisons, np.array([np.nan, 1.0]), np.array([np.nan, 1.0]))
    check_kernel(comparisons, 3, 4.5)


@phylanx.kernel
def chained(a):
    return 1 < a < 3, 0 <= a <= a * 2 < 10, a == a != a + 1


@pytest.mark.parametrize("a", [0, 1, 2, 3, 5, 2.5, -1.0])
def test_chained_comparison(a):
    check_kernel(chained, a)


@phylanx.kernel
def chained_in_if(a, lo, hi):
    if lo <= a < hi:
        return 1
    elif a < lo:
        return 0
    else:
        return 2


@pytest.mark.parametrize("a", [-1, 0, 4, 9, 10, 12])
def test_chained_in_if(a):
    check_kernel(chained_in_if, a, 0, 10)


@phylanx.kernel
def boolean_operators(a, b):
    return a and b, a or b, not a, not (a and not b), (a or b) and not (a and b)


@pytest.mark.parametrize("a,b", [(True, False), (False, False), (True, True), (False, True)])
def test_boolean_operators(a, b):
    check_kernel(boolean_operators, a, b)


@phylanx.kernel
def and_or_values(n, m):
    return n and m, n or m, (n and m) or -1


@pytest.mark.parametrize("n,m", [(0, 5), (3, 0), (3, 4), (0, 0)])
def test_and_or_return_operands(n, m):
    check_kernel(and_or_values, n, m)


@phylanx.kernel
def short_circuit_and(x, i):
    return i < x.shape[0] and x[i] > 0


@phylanx.kernel
def short_circuit_or(x, i):
    return i >= len(x) or x[i] < 0


@pytest.mark.parametrize("i", [0, 1, 2, 3, 10])
def test_short_circuit(i):
    x = np.array([1.0, -2.0, 3.0])
    # i = 3 and i = 10 are out of bounds: x[i] must not be evaluated
    check_kernel(short_circuit_and, x, i)
    check_kernel(short_circuit_or, x, i)


@phylanx.kernel
def ternary(x, t):
    s = x.sum()
    sign = 1.0 if s > t else -1.0
    y = x * 2 if sign > 0 else x - 1
    return sign, y


@pytest.mark.parametrize("t", [-100.0, 0.0, 100.0])
def test_ternary(t):
    x, _ = float_arrays()
    check_kernel(ternary, x, t)


# --- assignment and tuple unpacking ----------------------------------------------------------


@phylanx.kernel
def swap_fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a, b


@pytest.mark.parametrize("n", [0, 1, 2, 10, 40])
def test_swap_fib(n):
    check_kernel(swap_fib, n)


def _divmod_helper(a, b):
    return a // b, a % b


@phylanx.kernel
def unpack_call_result(x, d):
    q, r = _divmod_helper(x, d)
    return q * d + r, q, r


def test_unpack_two_tuple_result():
    r = rng()
    check_kernel(unpack_call_result, r.integers(-50, 50, size=7), 4)
    check_kernel(unpack_call_result, 17, 5)


@phylanx.kernel
def unpack_shape_and_rows(X):
    n, m = X.shape
    first, second = X[0], X[1]
    a = b = n * m
    (p, q), r = (first, second), a + b
    return n, m, p - q, r


def test_unpack_shape_and_rows():
    X = rng().normal(size=(3, 4))
    check_kernel(unpack_shape_and_rows, X)
    check_kernel(unpack_shape_and_rows, X.T)


@phylanx.kernel
def unpack_array_rows(v):
    a, b, c = v
    return a * b - c


def test_unpack_array():
    check_kernel(unpack_array_rows, np.array([2.0, 3.0, 4.0]))
    check_kernel(unpack_array_rows, np.array([[1, 2], [3, 4], [5, 6]]))


@phylanx.kernel
def rebinding_changes_type(n):
    x = n
    x = x / 2
    x = x > 1.0
    return x


def test_rebinding_changes_type():
    check_kernel(rebinding_changes_type, 3)
    check_kernel(rebinding_changes_type, 1)


@phylanx.kernel
def annotated_assignment(x):
    y: float = x * 2.0
    return y


def test_annotated_assignment():
    check_kernel(annotated_assignment, 1.25)


# --- augmented assignment --------------------------------------------------------------------


@phylanx.kernel
def aug_scalars(a, b):
    s = a
    s += b
    s -= 1
    s *= 3
    t = s
    t //= 2
    u = float(s)
    u /= 4
    v = a
    v **= 2
    v %= 7
    w = a
    w &= 6
    w |= 1
    w ^= 3
    w <<= 2
    w >>= 1
    return s, t, u, v, w


@pytest.mark.parametrize("a,b", [(5, 3), (-4, 7), (0, 0)])
def test_aug_scalars(a, b):
    check_kernel(aug_scalars, a, b)


@phylanx.kernel
def aug_array_inplace(x, y):
    z = x          # an alias: NumPy's x += ... is seen through z
    x += 1
    x *= y
    x -= 0.5
    x /= 2
    return z


def test_aug_array_mutates_argument():
    x, y = float_arrays()
    check_kernel(aug_array_inplace, x, y)


def test_aug_array_inplace_f32_with_python_float():
    x, y = float_arrays()
    check_kernel(aug_array_inplace, x.astype(np.float32), y.astype(np.float32), rtol=1e-6)


@phylanx.kernel
def aug_int_array(x):
    x += 1
    x *= 3
    x //= 2
    x %= 5
    x <<= 1
    return x.sum()


def test_aug_int_array_mutates_argument():
    check_kernel(aug_int_array, rng().integers(-10, 10, size=9))
    check_kernel(aug_int_array, rng().integers(-10, 10, size=9).astype(np.int32))


@phylanx.kernel
def aug_rebind_not_inplace(x):
    y = x
    y = y + 1       # a new array: x unchanged
    y += 1          # in place on the new array only
    return x, y


def test_aug_after_rebinding():
    x, _ = float_arrays()
    check_kernel(aug_rebind_not_inplace, x)


@phylanx.kernel
def aug_subscripts(x, X, i, v):
    x[i] += v
    x[0] -= 1.0
    x[-1] *= 2
    X[:, 0] *= 2
    X[1] += x[: X.shape[1]]
    X[0, 1] /= 4
    return x.sum() + X.sum()


def test_aug_subscripts_mutate_arguments():
    r = rng()
    check_kernel(aug_subscripts, r.normal(size=6), r.normal(size=(3, 4)), 2, 10.0)


def test_aug_subscripts_on_views():
    r = rng()
    big = r.normal(size=(6, 8))
    # a non-contiguous 2-d argument, mutated in place
    check_kernel(aug_subscripts, r.normal(size=12)[::2], big[::2, ::2], 3, -1.5)


@phylanx.kernel
def aug_int_subscript(counts, idx):
    for k in range(len(idx)):
        counts[idx[k]] += 1
    return counts


def test_aug_subscript_histogram():
    r = rng()
    check_kernel(aug_int_subscript, np.zeros(5, dtype=np.int64), r.integers(0, 5, size=30))


# --- NEP 50 promotion ------------------------------------------------------------------------


@phylanx.kernel
def nep50(x, f):
    return x * 2.5, x + 1, x * f, x / 2, x + np.float64(1.0)


def test_nep50_float32_stays_float32():
    x = rng().normal(size=5).astype(np.float32)
    res = check_kernel(nep50, x, 0.5, rtol=1e-6)
    assert res[0].dtype == np.float32


def test_nep50_int32():
    x = rng().integers(-5, 5, size=5).astype(np.int32)
    res = check_kernel(nep50, x, 0.5)
    assert res[1].dtype == np.int32 and res[2].dtype == np.float64


def test_nep50_bool_array():
    check_kernel(nep50, rng().random(6) > 0.5, 2.0)


@phylanx.kernel
def nep50_numpy_scalar(x, s):
    return x * s, s * 2, s + 1.0


def test_nep50_numpy_scalar_is_strong():
    x = rng().normal(size=4).astype(np.float32)
    check_kernel(nep50_numpy_scalar, x, np.float64(0.5))
    check_kernel(nep50_numpy_scalar, x, np.float32(0.5))
    check_kernel(nep50_numpy_scalar, np.arange(4, dtype=np.int32), np.int64(3))


# --- module-level constants ------------------------------------------------------------------


@phylanx.kernel
def use_globals(x):
    w0, w1, w2 = WEIGHTS
    return SCALE * x + OFFSET, w0 * x[0] + w1 * x[1] + w2 * x[2], len(WEIGHTS), WEIGHTS[1]


def test_module_constants():
    x, _ = float_arrays()
    check_kernel(use_globals, x)
    check_kernel(use_globals, x.astype(np.float32), rtol=1e-6)


@phylanx.kernel
def numpy_module_constants(x):
    return x * np.pi + numpy.e, np.inf > x.max(), np.nan


def test_numpy_module_constants():
    check_kernel(numpy_module_constants, float_arrays()[0])


# --- unary operators on arrays and scalars ----------------------------------------------------


@phylanx.kernel
def unary(x, n):
    return -x, +x, -n, ~n, -(-x), abs(n)


def test_unary():
    check_kernel(unary, np.array([1, -2, 3]), -5)
    check_kernel(unary, np.array([1.5, -2.0]).astype(np.float32), 7)
    check_kernel(unary, np.array(2.0), 0)


# --- complex scalars and constants ------------------------------------------------------------


@phylanx.kernel
def complex_scalars(x):
    z = x + 1j
    w = x * (2 - 3j)
    return z, abs(x + 2j), (x * 1j).imag, z.real, w, complex(x)


@pytest.mark.parametrize("x", [1.5, -2.0, 0.0])
def test_complex_constants(x):
    check_kernel(complex_scalars, x)


# --- constants that must survive the PhySL text round trip ------------------------------------

BIG_INT = 2 ** 62
MIXED = (1, 2.5, True)


@phylanx.kernel
def special_constants(x):
    return (x * 0.1, x + 1e-300, x * 1e300, -0.0, np.inf, -np.inf, float("inf"), float("nan"),
            2 ** 62, -2 ** 63, BIG_INT, MIXED, 1 / 3, 0.1 + 0.2, 1e16, 123456789.123456789,
            5e-324)


def test_special_constants():
    check_kernel(special_constants, 1.0)


# --- augmented assignment on 0-d arrays is in place too ----------------------------------------


@phylanx.kernel
def aug_zero_d(a):
    b = a
    b *= 2
    a += 1
    return a, b


def test_aug_assign_zero_d_array_in_place():
    check_kernel(aug_zero_d, np.array(1.5))
    check_kernel(aug_zero_d, np.array(3, dtype=np.int32))


# --- NEP 50 through loop-carried variables ------------------------------------------------------


@phylanx.kernel
def accumulate_int_start(x):
    s = 0
    for v in x:
        s += v
    return s


@phylanx.kernel
def accumulate_float_start(x):
    s = 0.0
    for v in x:
        s = s + v * 2
    return s


@phylanx.kernel
def accumulate_rows_f32(X):
    s = np.zeros(X.shape[1], dtype=np.float32)
    for row in X:
        s = s + row
    return s


@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.bool_, np.float64, np.int64,
                                   np.uint8, np.float16])
def test_weak_python_scalar_accumulators(dtype):
    # s starts as a weak Python scalar; adding an element gives it the element's dtype or
    # keeps it (NEP 50). Where that changes s's dtype, Python's result after no iteration
    # and after some differ in type: the kernel is refused; else it matches on both.
    for kernel in (accumulate_int_start, accumulate_float_start):
        a = (np.arange(5) % 2).astype(dtype)
        empty, full = kernel.py_func(a[:0]), kernel.py_func(a)
        if np.asarray(empty).dtype == np.asarray(full).dtype:
            check_kernel(kernel, a)
            check_kernel(kernel, a[:0])
        else:
            with pytest.raises(phylanx.CompileError, match="'s' changes type"):
                kernel(a)


@pytest.mark.parametrize("dtype", [np.float64, np.int8, np.float32])
def test_array_accumulator_promotion(dtype):
    X = np.ones((3, 2), dtype=dtype)
    if dtype == np.float64:  # float32 zeros + float64 rows: float64 after one row
        with pytest.raises(phylanx.CompileError, match="changes type from f32"):
            accumulate_rows_f32(X)
    else:
        check_kernel(accumulate_rows_f32, X)
        check_kernel(accumulate_rows_f32, X[:0])


# --- source layout: annotations, continuation lines, one-line bodies, decorator arguments ----


@phylanx.kernel(debug=False)
def source_layout(x: np.ndarray,
                  n: int = 2,
                  s: float = SCALE) -> np.ndarray:
    """A docstring."""
    # a comment
    y = x * \
        n
    z = (y +
         s)  # trailing comment
    w = z; w = w * 1.0
    if w.sum() > 1e9: w = -w
    return w


def test_source_layout():
    check_kernel(source_layout, np.arange(3.0))
    check_kernel(source_layout, np.arange(3.0), 3, 1.5)


@phylanx.kernel
def one_liner(x): return x + 1  # noqa: E704


def test_one_line_kernel():
    check_kernel(one_liner, 1.0)
    check_kernel(one_liner, np.arange(2, dtype=np.int32))


class _Namespace:
    @staticmethod
    @phylanx.kernel
    def static_kernel(x):
        return x * 3


def test_kernel_defined_in_a_class_body():
    check_kernel(_Namespace.static_kernel, np.arange(2.0))


# --- small dtypes round like NumPy, step by step -----------------------------------------------


@phylanx.kernel
def low_precision_loop(x):
    s = np.float32(0)
    t = x.dtype.type(0)  # (0.0 would be a float before the loop, an x.dtype after)
    for v in x:
        s += v * v
        t = t * 0.5 + v
    return s, t, s / 3, np.sqrt(s)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_low_precision_scalar_loop_bit_exact(dtype):
    x = rng().normal(size=500).astype(dtype)
    check_kernel(low_precision_loop, x, rtol=0, atol=0)


@phylanx.kernel
def small_int_wraparound(x):
    s = x[0] * 0
    for v in x:
        s += v
    return s, x * x, x + 100, x - 1, 0 - x


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("values,dtype", [([100, 100, 27], np.int8), ([0, 1, 255], np.uint8)])
def test_small_int_wraparound(values, dtype):
    check_kernel(small_int_wraparound, np.array(values, dtype=dtype))


@phylanx.kernel
def complex_accumulate(z, x):
    s = z.dtype.type(0)
    for v in z:
        s += v * x
    return s, z * 1.5, z.real.astype(np.float32), np.exp(z)


def test_complex64_accumulate():
    z = np.array([1 + 1j, 2 - 1j, -0.5j], dtype=np.complex64)
    check_kernel(complex_accumulate, z, 2.0, rtol=1e-6)


def test_debug_prints_the_final_physl_of_each_new_specialisation(capsys):
    def scale(x, a):
        return x * a + 1.0

    quiet, loud = phylanx.kernel(scale), phylanx.kernel(scale, debug=True)
    x = np.arange(3.0)
    np.testing.assert_array_equal(loud(x, 2.0), scale(x, 2.0))
    first = capsys.readouterr().out
    assert first == loud.physl(x, 2.0)           # the final stage, with source locations
    assert first.startswith("func @scale(%x: f64[?], %a: float)")
    loud(x, 3.0)                                  # same types: compiled already
    assert capsys.readouterr().out == ""
    loud(x, 3)                                    # a new specialisation
    assert "func @scale(%x: f64[?], %a: int)" in capsys.readouterr().out
    quiet(x, 2.0)
    assert capsys.readouterr().out == ""
