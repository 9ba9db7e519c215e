"""phylanx.examples: every kernel equals its NumPy reference, and the references are right."""

import numpy as np
import pytest

import phylanx
from phylanx.data.synthetic import blobs, linreg_data, logreg_data, movielens_like
from phylanx.examples.als import (
    als_explicit,
    als_explicit_numpy,
    als_implicit,
    als_implicit_numpy,
    explicit_rmse,
    implicit_loss,
    init_factors,
)
from phylanx.examples.kmeans import inertia, kmeans, kmeans_numpy
from phylanx.examples.linreg import linreg, linreg_numpy
from phylanx.examples.logreg import accuracy, logreg, logreg_numpy
from phylanx.testing import assert_same, check_kernel


def close(got, expected, rtol=1e-9):
    assert_same(got, expected, rtol=rtol, atol=1e-12)


# -- logistic regression ------------------------------------------------------------------------

@pytest.mark.parametrize("n, d, iterations", [(20, 3, 0), (50, 4, 1), (200, 10, 60)])
def test_logreg_equals_numpy(n, d, iterations):
    X, y = logreg_data(n, d, seed=n)
    close(logreg(X, y, 1e-2, iterations), logreg_numpy(X, y, 1e-2, iterations))


def test_logreg_defaults_are_the_papers():
    X, y = logreg_data(40, 5, seed=1)
    close(logreg(X, y), logreg_numpy(X, y, 1e-5, 750))
    check_kernel(logreg, X, y, 1e-3, 5)  # oracle and PhySL round trip too


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@phylanx.kernel
def logreg_with_helper(X, y, alpha, iterations):
    w = np.zeros(X.shape[1])
    for _ in range(iterations):
        pred = sigmoid(X @ w)
        w -= alpha * (X.T @ (pred - y))
    return w


def test_logreg_with_a_helper_from_the_callers_module():
    X, y = logreg_data(60, 4, seed=4)
    close(logreg_with_helper(X, y, 1e-2, 20), logreg_numpy(X, y, 1e-2, 20))


def test_logreg_learns():
    X, y = logreg_data(400, 8, seed=2, noise=0.1)
    w = logreg(X, y, 1e-3, 300)
    assert accuracy(X, y, w) > 0.9


# -- implicit ALS ---------------------------------------------------------------------------------

def _implicit_data(n_users=12, n_items=8, k=3, seed=0):
    rng = np.random.default_rng(seed)
    R = rng.integers(1, 6, size=(n_users, n_items)).astype(float)
    R[rng.random(R.shape) < 0.6] = 0.0
    return (R, *init_factors(n_users, n_items, k, seed=seed))


@pytest.mark.parametrize("iterations", [0, 1, 3])
def test_als_implicit_equals_numpy(iterations):
    R, X0, Y0 = _implicit_data(seed=iterations)
    got = als_implicit(R, X0, Y0, 40.0, 0.1, iterations)
    close(got, als_implicit_numpy(R, X0, Y0, 40.0, 0.1, iterations))


def test_als_implicit_check_kernel_with_empty_user_and_item():
    R, X0, Y0 = _implicit_data(7, 5, 2, seed=4)
    R[3] = 0.0
    R[:, 1] = 0.0
    check_kernel(als_implicit, R, X0, Y0, 10.0, 0.5, 2)


def test_als_implicit_reference_solves_hu_koren_normal_equations():
    """After an iteration, every item factor solves its normal equations (Hu et al., eq. 4)."""
    R, X0, Y0 = _implicit_data(seed=7)
    alpha, lam = 40.0, 0.1
    X, Y = als_implicit_numpy(R, X0, Y0, alpha, lam, 1)
    C, P = 1.0 + alpha * R, (R > 0).astype(float)
    for i in range(R.shape[1]):
        A = X.T @ (C[:, i][:, None] * X) + lam * np.eye(X.shape[1])
        np.testing.assert_allclose(A @ Y[i], X.T @ (C[:, i] * P[:, i]), rtol=1e-9, atol=1e-12)


def test_als_implicit_lowers_the_loss():
    R, X0, Y0 = _implicit_data(20, 10, 4, seed=3)
    X, Y = als_implicit(R, X0, Y0, 40.0, 0.1, 3)
    assert implicit_loss(R, X, Y) < implicit_loss(R, X0, Y0)


def test_als_implicit_on_movielens_like_subset():
    dense = movielens_like(0.001, seed=3).most_rated(10).dense()
    R = dense.matrix[:25]
    X0, Y0 = init_factors(*R.shape, 4, seed=1)
    close(als_implicit(R, X0, Y0, 40.0, 0.1, 1), als_implicit_numpy(R, X0, Y0, 40.0, 0.1, 1),
          rtol=1e-8)


# -- explicit ALS ---------------------------------------------------------------------------------

def _explicit_data(scale=0.001, n_items=15, k=3, seed=0):
    csr = movielens_like(scale, seed=seed).most_rated(n_items).csr()
    X0, Y0 = init_factors(*csr.shape, k, seed=seed)
    return csr, X0, Y0


@pytest.mark.parametrize("iterations", [0, 1, 2])
def test_als_explicit_equals_numpy(iterations):
    csr, X0, Y0 = _explicit_data(seed=iterations)
    args = (*csr.arrays(), X0, Y0, 0.1, iterations)
    close(als_explicit(*args), als_explicit_numpy(*args))


def test_als_explicit_int32_indices_and_empty_rows():
    R = np.array([[5.0, 0.0, 3.0, 0.0], [0.0, 0.0, 0.0, 0.0], [1.0, 2.0, 0.0, 4.0]])
    rows, cols = np.nonzero(R)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=3))]).astype(np.int32)
    order = np.lexsort((rows, cols))
    indptr_t = np.concatenate([[0], np.cumsum(np.bincount(cols, minlength=4))]).astype(np.int32)
    args = (indptr, cols.astype(np.int32), R[rows, cols], indptr_t,
            rows[order].astype(np.int32), R[rows[order], cols[order]],
            *init_factors(3, 4, 2, seed=5), 0.5, 2)
    X, Y = check_kernel(als_explicit, *args)
    close((X, Y), als_explicit_numpy(*args))
    assert np.all(X[1] == 0.0)  # a user without ratings gets the zero vector


def test_als_explicit_reference_is_ridge_regression_per_user():
    csr, X0, Y0 = _explicit_data(seed=2)
    lam = 0.3
    X, Y = als_explicit_numpy(*csr.arrays(), X0, Y0, lam, 1)
    R = csr.toarray()
    # the last pass was over items: each item factor is the ridge solution over its raters
    for i in range(R.shape[1]):
        raters = np.flatnonzero(R[:, i])
        A = X[raters].T @ X[raters] + lam * np.eye(X.shape[1])
        np.testing.assert_allclose(Y[i], np.linalg.solve(A, X[raters].T @ R[raters, i]),
                                   rtol=1e-9, atol=1e-12)


def test_als_explicit_fits_the_ratings():
    csr, X0, Y0 = _explicit_data(0.002, 20, 5, seed=1)
    before = explicit_rmse(csr.indptr, csr.indices, csr.data, X0, Y0)
    X, Y = als_explicit(*csr.arrays(), X0, Y0, 0.1, 5)
    assert explicit_rmse(csr.indptr, csr.indices, csr.data, X, Y) < 0.5 * before


# -- k-means and linear regression ---------------------------------------------------------------

def test_kmeans_equals_numpy():
    X, start = blobs(300, 2, 4, seed=1)
    C, labels = kmeans(X, start, 6)
    C_ref, labels_ref = kmeans_numpy(X, start, 6)
    close(C, C_ref)
    close(labels, labels_ref)
    nearest = np.argmin(((X[:, None, :] - start[None]) ** 2).sum(axis=2), axis=1)
    assert inertia(X, C, labels) < inertia(X, start, nearest)


def test_kmeans_empty_cluster_keeps_its_centre():
    X, start = blobs(50, 2, 2, seed=2)
    start = np.vstack([start, [[1e6, 1e6]]])
    C, labels = check_kernel(kmeans, X, start, 3)
    np.testing.assert_array_equal(C[2], [1e6, 1e6])
    assert not np.any(labels == 2)


def test_kmeans_zero_iterations():
    X, start = blobs(20, 3, 2, seed=3)
    check_kernel(kmeans, X, start, 0)


@pytest.mark.parametrize("iterations", [0, 1, 50])
def test_linreg_equals_numpy(iterations):
    X, y, _ = linreg_data(100, 5, seed=iterations)
    close(linreg(X, y, 0.05, iterations), linreg_numpy(X, y, 0.05, iterations))


def test_linreg_converges_to_least_squares():
    X, y, _ = linreg_data(200, 4, seed=1)
    w = check_kernel(linreg, X, y, 0.5, 300)
    np.testing.assert_allclose(w, np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-6, atol=1e-8)
