"""Binary logistic regression by batch gradient descent (the paper's LogReg benchmark).

The model has no bias term: ``X`` is ``n x d``, ``y`` holds 0/1 labels, ``w`` starts at zero and
every step does ``pred = sigmoid(X @ w); w -= alpha * X.T @ (pred - y)`` (Phylanx's LRA example).
``logreg`` is the kernel, ``logreg_numpy`` the same code run by NumPy (the baseline).

    >>> from phylanx.data.synthetic import logreg_data
    >>> from phylanx.examples.logreg import logreg
    >>> X, y = logreg_data(200, 10)
    >>> w = logreg(X, y, 1e-3, 100)
"""

from __future__ import annotations

import numpy as np

import phylanx

ALPHA = 1e-5
ITERATIONS = 750


def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z))."""
    return 1.0 / (1.0 + np.exp(-z))


@phylanx.kernel
def logreg(X, y, alpha=1e-5, iterations=750):
    """Weights of a logistic regression fitted by `iterations` gradient steps of size `alpha`."""
    w = np.zeros(X.shape[1])
    for _ in range(iterations):
        pred = sigmoid(X @ w)
        w -= alpha * (X.T @ (pred - y))
    return w


def logreg_numpy(X: np.ndarray, y: np.ndarray, alpha: float = ALPHA,
                 iterations: int = ITERATIONS) -> np.ndarray:
    """NumPy reference of `logreg` (same steps, run by the Python interpreter)."""
    w = np.zeros(X.shape[1])
    for _ in range(iterations):
        pred = sigmoid(X @ w)
        w -= alpha * (X.T @ (pred - y))
    return w


def accuracy(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """Fraction of rows whose predicted class (X @ w > 0) equals the label."""
    return float(np.mean((X @ w > 0) == (y > 0.5)))
