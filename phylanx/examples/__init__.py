"""Algorithms written as phylanx kernels, each beside its NumPy reference.

- ``logreg``: ``logreg(X, y, alpha, iterations)`` / ``logreg_numpy``
- ``als``: ``als_implicit`` (dense R) / ``als_implicit_numpy``;
  ``als_explicit`` (CSR + CSC) / ``als_explicit_numpy``
- ``kmeans``: ``kmeans(X, centroids, iterations)`` / ``kmeans_numpy``
- ``linreg``: ``linreg(X, y, alpha, iterations)`` / ``linreg_numpy``

Kernel and reference are the same code; the reference is what a data scientist would run
with NumPy (Python loops over users), so it is both the correctness check and the baseline
of the benchmarks (``python -m phylanx.bench``, ``asv_bench/``). Data: ``phylanx.data``.

Import from the modules (``from phylanx.examples.logreg import logreg``): the package does not
re-export the kernels, whose names would hide the modules of the same name.
"""
