"""The paper's algorithms (LogReg, both ALS forms) and the smaller examples, small sizes.

Sizes are the named sizes of ``phylanx.bench_workloads.WORKLOADS`` (``python -m phylanx.bench
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


class ALSExplicit(_Pair):
    """Explicit ALS on CSR/CSC ratings."""

    workload = "als_explicit"
    params: ClassVar[list] = ["xs", "s"]
    repeats = 3


class KMeans(_Pair):
    workload = "kmeans"
    params: ClassVar[list] = ["s"]


class LinReg(_Pair):
    workload = "linreg"
    params: ClassVar[list] = ["s"]
