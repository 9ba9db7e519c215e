"""Floating-point warnings of native kernels follow np.errstate as NumPy's do: the same
RuntimeWarnings under "warn", FloatingPointError under "raise", nothing under "ignore"."""

import importlib.util
import pathlib
import warnings

import numpy as np
import pytest

import phylanx.runtime as rt

_spec = importlib.util.spec_from_file_location(
    "fpe_kernels", pathlib.Path(__file__).with_name("fpe_kernels.py"))
K = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(K)

N = 50_000      # large enough for the native engine (and a team with 2 threads)


def with_first(value, fill=1.0, n=N):
    a = np.full(n, fill)
    a[n // 2] = value
    return a


def logreg_inputs():
    r = np.random.default_rng(0)
    X = r.standard_normal((600, 40))
    w = np.zeros(40)
    w[0] = -2000.0                     # X @ w reaches -1e3: exp(-z) overflows
    return X, w, (r.random(600) > 0.5).astype(float)


CASES = {
    "divide by zero": (K.divide, lambda: (np.ones(N), with_first(0.0))),
    "zero by zero": (K.divide, lambda: (with_first(0.0), with_first(0.0))),
    "overflow": (K.scaled, lambda: (with_first(1e300), 1e10)),
    "sqrt of negative": (K.root, lambda: (with_first(-1.0),)),
    "sin of inf": (K.wave, lambda: (with_first(np.inf), np.ones(N))),
    "nan inputs: no warning": (K.divide, lambda: (with_first(np.nan), np.ones(N))),
    "clean": (K.scaled, lambda: (np.ones(N), 3.0)),
    "matvec_pair exp overflow": (K.gradient, logreg_inputs),
}


def outcome(f, args, mode, under="ignore"):
    """(warning messages, exception type or None, result) of f(*args) under errstate."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(all=mode, under=under):
        warnings.simplefilter("always")
        try:
            result = f(*args)
        except FloatingPointError:
            return None, FloatingPointError, None
    messages = sorted({str(w.message) for w in caught if w.category is RuntimeWarning})
    return messages, None, result


@pytest.fixture(params=[1, 2])
def threads(request):
    before = rt.num_threads()
    rt.set_num_threads(request.param)
    yield
    rt.set_num_threads(before)


@pytest.mark.parametrize("mode", ["warn", "raise", "ignore"])
@pytest.mark.parametrize("case", list(CASES))
def test_warnings_follow_numpy(case, mode, threads):
    kernel, make = CASES[case]
    args = make()
    want = outcome(kernel.py_func, args, mode)
    got = outcome(kernel, args, mode)
    assert got[:2] == want[:2]
    if want[2] is not None:
        np.testing.assert_allclose(got[2], want[2], rtol=1e-12, equal_nan=True)
    if mode == "warn" and case not in ("clean", "nan inputs: no warning"):
        assert want[0], "the case must make NumPy warn"


VMATH = [(K.exp_twice, 1000.0), (K.exp_twice, -1000.0), (K.exp_twice, np.inf),
         (K.exp_twice, np.nan), (K.log_plus, 0.0), (K.log_plus, -0.0), (K.log_plus, -1.0),
         (K.log_plus, -np.inf), (K.log_plus, np.nan), (K.log_family, 0.0),
         (K.log_family, -2.0), (K.log1p_plus, -1.0), (K.log1p_plus, -3.0),
         (K.exp_family, 1100.0), (K.exp_family, 709.0), (K.hyperbolic, 800.0),
         (K.hyperbolic, -800.0), (K.hyperbolic, np.nan)]


@pytest.mark.parametrize("mode", ["warn", "raise"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kernel,value", VMATH)
def test_vectorised_math_reports_out_of_range_results(kernel, value, dtype, mode):
    """exp/log family of the fused engine (vmath.h): the flags come from a range check of
    the inputs; NumPy decides the messages."""
    args = (with_first(value).astype(dtype),)
    for under in ("ignore", mode):
        got, want = outcome(kernel, args, mode, under), outcome(kernel.py_func, args, mode, under)
        assert got[:2] == want[:2], under


def matrix_with(value, dtype=np.float64):
    a = np.ones((4000, 3), dtype)
    with np.errstate(over="ignore"):          # 1e300 is inf in float32
        a[:2, 1] = value
    return a


@pytest.mark.parametrize("mode", ["warn", "raise", "ignore"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("value", [1e300, np.inf, np.nan, -1.0, 1e30])
def test_reductions_report_as_numpy(value, dtype, mode, threads):
    """sum/prod/mean/var/std that overflow or meet inf - inf warn as NumPy's; NaN inputs do
    not; the results are NumPy's."""
    args = (matrix_with(value, dtype),)
    got, want = outcome(K.reductions, args, mode), outcome(K.reductions.py_func, args, mode)
    assert got[:2] == want[:2]
    if want[2] is not None:
        for g, w in zip(got[2], want[2]):
            np.testing.assert_allclose(g, w, rtol=1e-5 if dtype == np.float32 else 1e-12,
                                       equal_nan=True)


@pytest.mark.parametrize("mode", ["warn", "raise", "ignore"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("value", [1e200, np.inf, np.nan, 3.0])
def test_products_report_as_numpy(value, dtype, mode):
    """matmul/dot/outer: overflow and inf * 0 warn as NumPy's; the results are NumPy's."""
    r = np.random.default_rng(1)
    A, B, v = (r.standard_normal(s).astype(dtype) for s in ((90, 90), (90, 90), 90))
    with np.errstate(over="ignore"):          # 1e200 is inf in float32
        A[3, :] = value
        v[5] = value
    A[4, 7] = 0.0
    got, want = outcome(K.products, (A, B, v), mode), outcome(K.products.py_func, (A, B, v), mode)
    assert got[:2] == want[:2]
    if want[2] is not None:
        for g, w in zip(got[2], want[2]):
            np.testing.assert_allclose(g, w, rtol=1e-4 if dtype == np.float32 else 1e-10,
                                       equal_nan=True)
