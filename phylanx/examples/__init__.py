"""Algorithms written as phylanx kernels, each beside its NumPy reference.

- ``logreg``: ``logreg(X, y, alpha, iterations)`` / ``logreg_numpy``
- ``als``: ``als_implicit`` (dense R) / ``als_implicit_numpy``;
  ``als_explicit`` (CSR + CSC) / ``als_explicit_numpy``
- ``kmeans``: ``kmeans(X, centroids, iterations)`` / ``kmeans_numpy``
- ``linreg``: ``linreg(X, y, alpha, iterations)`` / ``linreg_numpy``

Kernel and reference are the same code; the reference is what a data scientist would run
with NumPy (Python loops over users), so it is both the correctness check and the baseline
of the benchmarks (``python -m phylanx.bench``, ``asv_bench/``). Data: ``phylanx.data``.
"""

from phylanx.examples.als import (
                                  als_explicit,
                                  als_explicit_numpy,
                                  als_implicit,
                                  als_implicit_numpy,
                                  init_factors,
)
from phylanx.examples.kmeans import kmeans, kmeans_numpy
from phylanx.examples.linreg import linreg, linreg_numpy
from phylanx.examples.logreg import logreg, logreg_numpy

__all__ = ["als_explicit", "als_explicit_numpy", "als_implicit", "als_implicit_numpy",
           "init_factors", "kmeans", "kmeans_numpy", "linreg", "linreg_numpy", "logreg",
           "logreg_numpy"]
