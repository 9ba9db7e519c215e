"""k-means clustering (Lloyd's algorithm) for a fixed number of iterations.

``X`` is ``n x d``, ``centroids`` the ``k x d`` starting centres (e.g. ``k`` rows of ``X``).
Each iteration assigns every point to its nearest centre and moves every centre to the mean of
its points; a centre without points stays where it is. Returns ``(centroids, labels)``.
"""

from __future__ import annotations

import numpy as np

import phylanx


@phylanx.kernel
def kmeans(X, centroids, iterations=10):
    """Centres and labels after `iterations` rounds of Lloyd's algorithm."""
    C = centroids.copy()
    k = C.shape[0]
    labels = np.zeros(X.shape[0], dtype=np.int64)
    for _ in range(iterations):
        dist = ((X[:, None, :] - C[None, :, :]) ** 2).sum(axis=2)
        labels = np.argmin(dist, axis=1)
        for j in range(k):
            members = X[labels == j]
            if members.shape[0] > 0:
                C[j] = members.mean(axis=0)
    return C, labels


def kmeans_numpy(X: np.ndarray, centroids: np.ndarray,
                 iterations: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """NumPy reference of `kmeans`."""
    C = centroids.copy()
    k = C.shape[0]
    labels = np.zeros(X.shape[0], dtype=np.int64)
    for _ in range(iterations):
        dist = ((X[:, None, :] - C[None, :, :]) ** 2).sum(axis=2)
        labels = np.argmin(dist, axis=1)
        for j in range(k):
            members = X[labels == j]
            if members.shape[0] > 0:
                C[j] = members.mean(axis=0)
    return C, labels


def inertia(X: np.ndarray, centroids: np.ndarray, labels: np.ndarray) -> float:
    """Sum of squared distances of the points to their assigned centres."""
    return float(((X - centroids[labels]) ** 2).sum())
