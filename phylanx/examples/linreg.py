"""Linear regression (least squares, no bias term) by batch gradient descent.

Minimises ``|X @ w - y|^2 / (2 n)``: every step does ``w -= alpha * X.T @ (X @ w - y) / n``.
For the exact solution compare with ``np.linalg.lstsq(X, y)``.
"""

from __future__ import annotations

import numpy as np

import phylanx


@phylanx.kernel
def linreg(X, y, alpha=0.01, iterations=100):
    """Weights after `iterations` gradient steps of size `alpha` on the mean squared error."""
    n = X.shape[0]
    w = np.zeros(X.shape[1])
    for _ in range(iterations):
        grad = X.T @ (X @ w - y) / n
        w -= alpha * grad
    return w


def linreg_numpy(X: np.ndarray, y: np.ndarray, alpha: float = 0.01,
                 iterations: int = 100) -> np.ndarray:
    """NumPy reference of `linreg`."""
    n = X.shape[0]
    w = np.zeros(X.shape[1])
    for _ in range(iterations):
        grad = X.T @ (X @ w - y) / n
        w -= alpha * grad
    return w
