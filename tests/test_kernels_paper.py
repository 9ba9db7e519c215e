"""The paper's two kernels: logistic regression and implicit-feedback ALS (Hu, Koren, Volinsky).

Both are written in plain NumPy style and checked with `check_kernel` against plain Python.
"""

import numpy as np
import pytest

import phylanx
from phylanx.testing import check_kernel


@phylanx.kernel
def logistic_regression(X, y, alpha, iterations):
    w = np.zeros(X.shape[1])
    for _ in range(iterations):
        pred = 1.0 / (1.0 + np.exp(-(X @ w)))
        w = w - alpha * (X.T @ (pred - y))
    return w


def _logreg_data(n=30, d=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    true_w = rng.normal(size=d)
    y = (X @ true_w + 0.3 * rng.normal(size=n) > 0).astype(float)
    return X, y


@pytest.mark.parametrize("iterations", [0, 1, 10, 50])
def test_logistic_regression(iterations):
    X, y = _logreg_data()
    check_kernel(logistic_regression, X, y, 0.01, iterations, rtol=1e-9)


def test_logistic_regression_views():
    X, y = _logreg_data(n=40)
    check_kernel(logistic_regression, X[::2], y[::2], 0.05, 20, rtol=1e-9)
    Xt = np.ascontiguousarray(X.T)
    check_kernel(logistic_regression, Xt.T, y, 0.05, 20, rtol=1e-9)


def test_logistic_regression_fits():
    X, y = _logreg_data(n=200, seed=3)
    w = check_kernel(logistic_regression, X, y, 0.01, 200, rtol=1e-9)
    accuracy = ((X @ w > 0) == (y > 0.5)).mean()
    assert accuracy > 0.85


@phylanx.kernel
def logistic_regression_f32(X, y, alpha, iterations):
    w = np.zeros(X.shape[1], dtype=X.dtype)
    for _ in range(iterations):
        pred = 1 / (1 + np.exp(-(X @ w)))
        w = w - alpha * (X.T @ (pred - y))
    return w


def test_logistic_regression_float32_stays_float32():
    X, y = _logreg_data()
    w = check_kernel(logistic_regression_f32, X.astype(np.float32), y.astype(np.float32), 0.01,
                     10, rtol=1e-5, atol=1e-6)
    assert w.dtype == np.float32


@phylanx.kernel
def als(R, alpha, lam, k, iterations, seed_factors):
    n_users, n_items = R.shape
    conf = alpha * R
    X = seed_factors[:n_users, :k].copy()
    Y = seed_factors[n_users:n_users + n_items, :k].copy()
    I_items = np.eye(n_items)
    I_users = np.eye(n_users)
    for _ in range(iterations):
        YtY = Y.T @ Y
        for u in range(n_users):
            Cu = np.diag(1 + conf[u])
            pu = (conf[u] != 0).astype(float)
            A = YtY + Y.T @ (Cu - I_items) @ Y + lam * np.eye(k)
            b = Y.T @ (Cu @ pu)
            X[u] = np.linalg.solve(A, b)
        XtX = X.T @ X
        for i in range(n_items):
            Ci = np.diag(1 + conf[:, i])
            pi = (conf[:, i] != 0).astype(float)
            A = XtX + X.T @ (Ci - I_users) @ X + lam * np.eye(k)
            b = X.T @ (Ci @ pi)
            Y[i] = np.linalg.solve(A, b)
    return X, Y


def _als_data(n_users=8, n_items=6, k=3, seed=1):
    rng = np.random.default_rng(seed)
    R = rng.integers(0, 5, size=(n_users, n_items)).astype(float)
    R[rng.random((n_users, n_items)) < 0.5] = 0.0
    factors = 0.1 * rng.normal(size=(n_users + n_items, k))
    return R, factors


def test_als_paper_sizes():
    R, factors = _als_data()
    X, Y = check_kernel(als, R, 40.0, 0.1, 3, 2, factors, rtol=1e-9)
    assert X.shape == (8, 3) and Y.shape == (6, 3)


@pytest.mark.parametrize("iterations", [0, 1, 3])
def test_als_iterations(iterations):
    R, factors = _als_data(seed=5)
    check_kernel(als, R, 10.0, 0.5, 3, iterations, factors, rtol=1e-9)


def test_als_lower_rank_and_empty_user():
    R, factors = _als_data(n_users=5, n_items=4, k=2, seed=9)
    R[2] = 0.0  # a user with no interactions
    check_kernel(als, R, 5.0, 1.0, 2, 2, factors, rtol=1e-9)


@phylanx.kernel
def als_loss(R, X, Y, alpha, lam):
    conf = 1 + alpha * R
    P = (R > 0).astype(float)
    err = P - X @ Y.T
    return (conf * err * err).sum() + lam * ((X * X).sum() + (Y * Y).sum())


def test_als_decreases_loss():
    R, factors = _als_data()
    X0, Y0 = factors[:8, :3], factors[8:14, :3]
    before = check_kernel(als_loss, R, X0, Y0, 40.0, 0.1)
    X, Y = check_kernel(als, R, 40.0, 0.1, 3, 2, factors, rtol=1e-9)
    after = check_kernel(als_loss, R, X, Y, 40.0, 0.1, rtol=1e-9)
    assert after < before
