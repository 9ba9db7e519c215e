"""np.ndindex loops and indexing with a tuple of integers."""

from __future__ import annotations

import numpy as np
import pytest

import phylanx
from phylanx.testing import check_kernel


def weighted_sum_over_all_indices(x):
    s = 0.0
    for idx in np.ndindex(x.shape):
        s += x[idx] * (idx[0] + 1)
    return s


def writes_through_an_index_tuple(x):
    out = np.zeros_like(x)
    for i, j in np.ndindex(x.shape[0], x.shape[1]):
        out[i, j] = x[i, j] * 2 + i - j
    for idx in np.ndindex(x.shape):
        out[idx] += 1
    return out


def counts_with_a_break(x):
    c = 0
    for idx in np.ndindex(x.shape):
        if x[idx] > 5:
            break
        c += 1
    return c


@pytest.mark.parametrize("x", [np.arange(12.0).reshape(3, 4),
                               np.arange(12.0).reshape(2, 3, 2),
                               np.zeros((0, 3)), np.arange(5.0),
                               np.arange(24.0).reshape(4, 6)[::2, 1::2]])
def test_ndindex_as_numpy(x):
    check_kernel(weighted_sum_over_all_indices, x)
    check_kernel(counts_with_a_break, x)
    if x.ndim == 2:
        check_kernel(writes_through_an_index_tuple, x)


def extents_from_an_argument(x, n):
    c = 0
    for _ in np.ndindex(n, 2):
        c += 1
    return c


def test_extents_that_may_be_negative_are_refused():
    # NumPy raises ValueError for a negative extent where a range() would just be empty
    with pytest.raises(phylanx.CompileError, match="may be negative"):
        phylanx.kernel(extents_from_an_argument)(np.ones(2), 3)
