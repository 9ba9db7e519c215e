"""Frontend kernels: integer-array and mask indexing, assignment, views and buffer hazards.

Writes through slices, masks, index arrays and views must reach the base array as in NumPy,
copies must not, and reads and writes of one buffer keep program order on 1 and 4 threads.
Every kernel is a module-level function checked with `check_kernel` (compile, PhySL round
trip, oracle and runtime compared with plain Python). Basic slicing is in
test_kernels_numpy_arrays.py.
"""

import numpy as np
import pytest

import phylanx
from phylanx.testing import check_kernel


def rng():
    return np.random.default_rng(12345)


# --- integer-array and mask indexing ----------------------------------------------------------


@phylanx.kernel
def fancy_indexing(x, idx, X):
    return x[idx], x[x > 0], X[idx[:2]], X[:, idx[:2]], X[X > 0], x[x > 0].sum()


def test_integer_array_and_mask_indexing():
    r = rng()
    x = r.normal(size=8)
    idx = np.array([3, 0, 7, 3, -1])
    check_kernel(fancy_indexing, x, idx, r.normal(size=(8, 8)))
    check_kernel(fancy_indexing, x, idx.astype(np.int32), r.normal(size=(8, 8))[::-1])
    check_kernel(fancy_indexing, -np.abs(x), idx, -np.ones((8, 8)))


@phylanx.kernel
def more_indexing(X):
    return (X[[0, 2]], X[np.array([1, 1]), 0], X[1:3][0], X[::-1][0], np.array([[1, 2], [3, 4]]),
            np.array((1.0, 2.0)), np.array([X[0], X[1]]), X[[True, False, True, False]])


def test_more_indexing():
    check_kernel(more_indexing, np.arange(12.0).reshape(4, 3))


@phylanx.kernel
def mixed_indexing(x, X):
    i = x.argmax()
    j = np.argmin(x)
    s = 0.0
    for k in range(i):
        s += x[k]
    return (x[i], X[i, j], X[i][j], s, X[x > 0.5, 0], X[1:, [0, 2]], X[[0, 1], [1, 2]],
            X[np.arange(2)], X[:, x > 1.5])


def test_mixed_indexing():
    check_kernel(mixed_indexing, np.array([1.0, 3.0, 2.0]), np.arange(9.0).reshape(3, 3))


# --- assignment through slices, masks and index arrays ----------------------------------------


@phylanx.kernel
def mask_assignment(x, t):
    y = x.copy()
    y[y > t] = t
    y[np.isnan(y)] = 0.0
    return y


def test_mask_assignment():
    x = rng().normal(size=10)
    x[3] = np.nan
    check_kernel(mask_assignment, x, 0.5)


@phylanx.kernel
def slice_assignment(X, v, u):
    X[u, :] = v
    X[0] = 0.0
    X[1:3, 1] = -1.0
    X[:, -1] = X[:, 0] * 2
    return X


def test_slice_assignment_mutates():
    r = rng()
    check_kernel(slice_assignment, r.normal(size=(5, 3)), r.normal(size=3), 4)
    check_kernel(slice_assignment, r.normal(size=(5, 3)), 7.0, 2)


def test_slice_assignment_on_view_argument():
    r = rng()
    check_kernel(slice_assignment, r.normal(size=(3, 5)).T, r.normal(size=3), 3)


@phylanx.kernel
def scatter(x, idx, vals):
    out = np.zeros(len(x))
    out[idx] = vals
    x[idx[0]] = 99
    return out


def test_integer_array_assignment():
    check_kernel(scatter, np.arange(6), np.array([4, 1, 2]), np.array([1.5, 2.5, 3.5]))


@phylanx.kernel
def mixed_assignment(X, v):
    X[X > 4] = v[:X[X > 4].size]
    X[[0, 2], 1] = -1.0
    X[:, [0]] = 7.0
    X[1, ...] = 3.0
    X[None, 0] = 2.0
    return X


def test_mixed_assignment():
    check_kernel(mixed_assignment, np.arange(9.0).reshape(3, 3), np.arange(10.0, 20.0))


# --- views share memory, as in NumPy ----------------------------------------------------------


@phylanx.kernel
def copy_is_independent(x):
    y = x.copy()
    y[0] = -1.0
    z = x
    z[1] = -2.0
    return x, y


def test_copy_and_alias():
    check_kernel(copy_is_independent, np.arange(4.0))


@phylanx.kernel
def write_through_slice(x):
    v = x[1:]
    v[0] = 100.0
    return x


@phylanx.kernel
def write_through_rows(X):
    for row in X:
        row *= 2
    for i in range(X.shape[0]):
        r = X[i]
        r[0] = i
    return X


@phylanx.kernel
def write_through_transpose_and_reshape(x):
    y = x.T
    y[0, 1] = 5.0
    z = x.reshape(-1)
    z[0] = -1.0
    return x


@phylanx.kernel
def swap_rows(X, i, j):
    X[i], X[j] = X[j], X[i]  # NumPy's aliasing: both rows end up equal to row j
    return X


@phylanx.kernel
def swap_rows_fancy(X, i, j):
    X[[i, j]] = X[[j, i]]
    return X


def test_writes_through_views_reach_the_base():
    check_kernel(write_through_slice, np.arange(4.0))
    check_kernel(write_through_rows, np.arange(6.0).reshape(3, 2))
    check_kernel(write_through_transpose_and_reshape, np.arange(6.0).reshape(2, 3))


def test_row_swap_semantics():
    check_kernel(swap_rows, np.arange(6.0).reshape(3, 2), 0, 2)
    check_kernel(swap_rows_fancy, np.arange(6.0).reshape(3, 2), 0, 2)


# --- reads and writes of the same buffer keep program order -----------------------------------


@phylanx.kernel
def write_after_read(x):
    a = x.sum()
    b = np.exp(x).mean()
    c = x[::2].copy()
    v = x[1:3]
    x[0] = 100.0
    x[:] = -x
    d = x.sum()
    return a, b, c, d, v


@phylanx.kernel
def read_after_write(x, y):
    y[:] = x * 2
    z = y + 1
    x += z
    w = y.sum()
    y *= 0
    return x.sum(), w, z


@pytest.mark.parametrize("threads", [1, 4])
def test_buffer_hazards(threads):
    before = phylanx.get_num_threads()
    phylanx.set_num_threads(threads)
    try:
        r = rng()
        for _ in range(5):
            check_kernel(write_after_read, r.normal(size=50_000), rtol=1e-9)
            check_kernel(read_after_write, r.normal(size=50_000), np.zeros(50_000), rtol=1e-9)
    finally:
        phylanx.set_num_threads(before)
