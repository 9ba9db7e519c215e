"""Alternating least squares for recommendation, in the two forms the benchmarks use.

Implicit feedback (Hu, Koren, Volinsky 2008; the Phylanx paper's ALS): ``R`` is a dense
``users x items`` matrix of interaction counts or ratings, ``conf = alpha * R`` and the
preference ``p = (conf != 0)``. Every iteration solves, for each user ``u``::

    C_u = diag(conf[u])
    X[u] = solve(Y.T @ Y + Y.T @ C_u @ Y + lam * I, Y.T @ (C_u + I) @ p_u)

and then the same for every item with ``X`` in place of ``Y``.

Explicit ratings on a sparse matrix (``als_explicit``): ``R`` in CSR form (``indptr``,
``indices``, ``data``) for the user pass and CSC form for the item pass. Each user solves the
ridge problem over only the items it rated::

    Y_u = Y[items rated by u]
    X[u] = solve(Y_u.T @ Y_u + lam * I, Y_u.T @ r_u)

Each kernel has a NumPy reference (``*_numpy``): the same code, a Python loop over users, run by
the interpreter. Initial factors are arguments (``init_factors`` makes seeded ones) so both give
the same result.
"""

from __future__ import annotations

import numpy as np

import phylanx

ALPHA = 40.0
LAMBDA = 0.1
FACTORS = 10
ITERATIONS = 10


def init_factors(n_users: int, n_items: int, k: int = FACTORS,
                 seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded initial user and item factors (uniform in [0, 0.1)), shapes (users, k), (items, k)."""
    rng = np.random.default_rng(seed)
    return 0.1 * rng.random((n_users, k)), 0.1 * rng.random((n_items, k))


# -- implicit feedback, dense R -----------------------------------------------------------------

@phylanx.kernel
def als_implicit(R, X0, Y0, alpha=40.0, lam=0.1, iterations=10):
    """Implicit-feedback ALS on a dense R: returns the factors (X, Y) after `iterations`."""
    n_users, n_items = R.shape
    k = X0.shape[1]
    conf = alpha * R
    X = X0.copy()
    Y = Y0.copy()
    I_k = np.eye(k)
    I_items = np.eye(n_items)
    I_users = np.eye(n_users)
    for _ in range(iterations):
        YtY = Y.T @ Y
        for u in range(n_users):
            Cu = np.diag(conf[u])
            pu = (conf[u] != 0).astype(np.float64)
            A = YtY + Y.T @ Cu @ Y + lam * I_k
            b = Y.T @ (Cu + I_items) @ pu
            X[u] = np.linalg.solve(A, b)
        XtX = X.T @ X
        for i in range(n_items):
            Ci = np.diag(conf[:, i])
            pi = (conf[:, i] != 0).astype(np.float64)
            A = XtX + X.T @ Ci @ X + lam * I_k
            b = X.T @ (Ci + I_users) @ pi
            Y[i] = np.linalg.solve(A, b)
    return X, Y


def als_implicit_numpy(R: np.ndarray, X0: np.ndarray, Y0: np.ndarray, alpha: float = ALPHA,
                       lam: float = LAMBDA,
                       iterations: int = ITERATIONS) -> tuple[np.ndarray, np.ndarray]:
    """NumPy reference of `als_implicit`."""
    n_users, n_items = R.shape
    k = X0.shape[1]
    conf = alpha * R
    X = X0.copy()
    Y = Y0.copy()
    I_k = np.eye(k)
    I_items = np.eye(n_items)
    I_users = np.eye(n_users)
    for _ in range(iterations):
        YtY = Y.T @ Y
        for u in range(n_users):
            Cu = np.diag(conf[u])
            pu = (conf[u] != 0).astype(np.float64)
            A = YtY + Y.T @ Cu @ Y + lam * I_k
            b = Y.T @ (Cu + I_items) @ pu
            X[u] = np.linalg.solve(A, b)
        XtX = X.T @ X
        for i in range(n_items):
            Ci = np.diag(conf[:, i])
            pi = (conf[:, i] != 0).astype(np.float64)
            A = XtX + X.T @ Ci @ X + lam * I_k
            b = X.T @ (Ci + I_users) @ pi
            Y[i] = np.linalg.solve(A, b)
    return X, Y


def implicit_loss(R: np.ndarray, X: np.ndarray, Y: np.ndarray, alpha: float = ALPHA,
                  lam: float = LAMBDA) -> float:
    """The objective implicit ALS minimises: sum c_ui (p_ui - x_u.y_i)^2 + lam (|X|^2 + |Y|^2)."""
    conf = 1.0 + alpha * R
    err = (R != 0) - X @ Y.T
    return float((conf * err * err).sum() + lam * ((X * X).sum() + (Y * Y).sum()))


# -- explicit ratings, sparse R (CSR for users, CSC for items) ----------------------------------

@phylanx.kernel
def als_explicit(indptr, indices, data, indptr_t, indices_t, data_t, X0, Y0, lam=0.1,
                 iterations=10):
    """Explicit ALS on sparse ratings: R as CSR (users) and as CSC (items); returns (X, Y)."""
    n_users = X0.shape[0]
    n_items = Y0.shape[0]
    k = X0.shape[1]
    X = X0.copy()
    Y = Y0.copy()
    I_k = np.eye(k)
    for _ in range(iterations):
        for u in range(n_users):
            items = indices[indptr[u]:indptr[u + 1]]
            r = data[indptr[u]:indptr[u + 1]]
            Yu = Y[items]
            X[u] = np.linalg.solve(Yu.T @ Yu + lam * I_k, Yu.T @ r)
        for i in range(n_items):
            users = indices_t[indptr_t[i]:indptr_t[i + 1]]
            r = data_t[indptr_t[i]:indptr_t[i + 1]]
            Xi = X[users]
            Y[i] = np.linalg.solve(Xi.T @ Xi + lam * I_k, Xi.T @ r)
    return X, Y


def als_explicit_numpy(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray,
                       indptr_t: np.ndarray, indices_t: np.ndarray, data_t: np.ndarray,
                       X0: np.ndarray, Y0: np.ndarray, lam: float = LAMBDA,
                       iterations: int = ITERATIONS) -> tuple[np.ndarray, np.ndarray]:
    """NumPy reference of `als_explicit`."""
    n_users = X0.shape[0]
    n_items = Y0.shape[0]
    k = X0.shape[1]
    X = X0.copy()
    Y = Y0.copy()
    I_k = np.eye(k)
    for _ in range(iterations):
        for u in range(n_users):
            items = indices[indptr[u]:indptr[u + 1]]
            r = data[indptr[u]:indptr[u + 1]]
            Yu = Y[items]
            X[u] = np.linalg.solve(Yu.T @ Yu + lam * I_k, Yu.T @ r)
        for i in range(n_items):
            users = indices_t[indptr_t[i]:indptr_t[i + 1]]
            r = data_t[indptr_t[i]:indptr_t[i + 1]]
            Xi = X[users]
            Y[i] = np.linalg.solve(Xi.T @ Xi + lam * I_k, Xi.T @ r)
    return X, Y


def explicit_rmse(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, X: np.ndarray,
                  Y: np.ndarray) -> float:
    """Root mean squared error of X @ Y.T on the stored ratings of a CSR matrix."""
    rows = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    pred = np.einsum("ij,ij->i", X[rows], Y[indices])
    return float(np.sqrt(np.mean((pred - data) ** 2))) if len(data) else 0.0
