"""Regression tests for bugs the differential fuzzer (phylanx.fuzz) found and that were fixed
at their root; each compares a kernel with its plain function."""

import warnings

import numpy as np
import pytest

import phylanx
from phylanx.testing import assert_same


def _where_negative_bound(b, n):
    return np.where(-128 > b, n, 100)


def _compare_with_out_of_range_constant(a):
    return np.arctan2(255 < a, 2)


@pytest.mark.parametrize("func, args", [
    # a fused body constant the operands' dtype cannot hold (-128 as u8, 255 as i8): NumPy 2
    # compares Python ints with any integer dtype; the native loop must leave it to NumPy
    (_where_negative_bound, (np.array([0, 7, 255], dtype=np.uint8), 3)),
    (_where_negative_bound, (np.array([], dtype=np.uint8), 3)),
    (_compare_with_out_of_range_constant, (np.array([-128, 0, 127], dtype=np.int8),)),
    (_compare_with_out_of_range_constant, (np.arange(6, dtype=np.int8).reshape(2, 3)[:, ::2],)),
])
def test_fused_constant_outside_the_operand_dtype(func, args):
    assert_same(phylanx.kernel(func)(*args), func(*args))


def _compare_with_scalar(a, s):
    return a != (a < s)


def _scale_by_scalar(a, s):
    return np.exp(a) * s + 1.0


@pytest.mark.parametrize("func, args", [
    # a Python float beyond f32: NumPy converts it with "overflow encountered in cast"; the
    # fused native loop converted it silently
    (_compare_with_scalar, (np.zeros(3, np.float32), 1e300)),
    (_compare_with_scalar, (np.zeros((0, 4, 3), np.float32), -1e300)),
    (_scale_by_scalar, (np.arange(4, dtype=np.float32)[::-1], 1e300)),
    (_compare_with_scalar, (np.zeros(3, np.float32), 3.0)),
])
def test_fused_scalar_conversion_warns_like_numpy(func, args):
    with warnings.catch_warnings(record=True) as expected_warnings:
        warnings.simplefilter("always")
        expected = func(*args)
    kernel = phylanx.kernel(func)
    for _ in range(2):          # compiled on the first call: the second must warn as well
        with warnings.catch_warnings(record=True) as got_warnings:
            warnings.simplefilter("always")
            got = kernel(*args)
        assert_same(got, expected)
        assert {(w.category, str(w.message)) for w in got_warnings} == \
            {(w.category, str(w.message)) for w in expected_warnings}
