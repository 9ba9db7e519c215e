"""Python's math module in kernels: math's own result types and errors, on scalars."""

from __future__ import annotations

import math

import numpy as np
import pytest

import phylanx
from phylanx.testing import check_kernel


def uses_math(x, y):
    r = math.sqrt(x) + math.exp(y) + math.log(x) + math.log(x, 3) + math.atan2(y, x)
    return r, math.floor(y), math.ceil(x), math.isnan(x), math.hypot(x, y), math.fabs(-y)


def sums_sines(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += math.sin(a[i]) * math.pi
    return s


@pytest.mark.parametrize("args", [(2.0, 1.5), (np.float32(2.0), 3), (np.float64(2.5), np.int64(3)),
                                  (True, 2), (7, -1.25)])
def test_math_functions_as_python(args):
    check_kernel(uses_math, *args)


def test_math_in_a_loop():
    check_kernel(sums_sines, np.linspace(-2.0, 2.0, 9))


def square_root(x):
    return math.sqrt(x)


def exponential(x):
    return math.exp(x)


@pytest.mark.parametrize("func, arg, error", [(square_root, -1.0, ValueError),
                                              (exponential, 1000.0, OverflowError)])
def test_math_errors_are_maths(func, arg, error):
    with pytest.raises(error) as want:
        func(arg)
    with pytest.raises(error) as got:
        phylanx.kernel(func)(arg)
    assert str(got.value) == str(want.value)


def test_math_of_an_array_is_refused():
    with pytest.raises(phylanx.CompileError, match="takes real scalars here"):
        phylanx.kernel(square_root)(np.arange(3.0))
