"""Regression tests for bugs the differential fuzzer (phylanx.fuzz) found and that were fixed
at their root; each compares a kernel with its plain function."""

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
