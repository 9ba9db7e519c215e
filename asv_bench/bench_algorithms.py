"""The paper's algorithms (LogReg, both ALS forms) and the smaller examples, small sizes.

Sizes are the named sizes of ``phylanx.bench.workloads.WORKLOADS`` (``python -m phylanx.bench
--list`` shows them).
"""

from typing import ClassVar

from asv_bench._common import _Pair


class LogReg(_Pair):
    """Logistic regression, 750 gradient steps."""

    workload = "logreg"
    params: ClassVar[list] = ["s", "m"]
    repeats = 3


class ALSImplicit(_Pair):
    """Implicit-feedback ALS on a dense users x most-rated-movies matrix."""

    workload = "als"
    params: ClassVar[list] = ["xs", "s"]
    repeats = 3
    blas_threads = 1


class ALSExplicit(_Pair):
    """Explicit ALS on CSR/CSC ratings; ml1m: a synthetic set of MovieLens-1M's shape (6,040
    users x 3,706 items x 1,000,209 ratings), k = 10, 1 iteration (the size of the runtime's
    ALS target)."""

    workload = "als_explicit"
    params: ClassVar[list] = ["xs", "s", "ml1m"]
    repeats = 3
    blas_threads = 1


class KMeans(_Pair):
    workload = "kmeans"
    params: ClassVar[list] = ["s"]


class LinReg(_Pair):
    workload = "linreg"
    params: ClassVar[list] = ["s"]
