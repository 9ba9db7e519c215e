"""Thread counts in effect during the benchmarks, recorded with the results."""

import phylanx
from asv_bench._common import PHYLANX_THREADS as _THREADS


def _blas_threads() -> int:
    import numpy as np
    from threadpoolctl import threadpool_info

    np.ones((2, 2)) @ np.ones((2, 2))  # make sure NumPy's BLAS is loaded
    pools = [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]
    return max(pools) if pools else 0


def track_numpy_blas_threads():
    """NumPy's BLAS pool at its default size (the twins run with it)."""
    return _blas_threads()


track_numpy_blas_threads.unit = "threads"


def track_phylanx_threads():
    """phylanx.set_num_threads as the benchmarks pin it."""
    phylanx.set_num_threads(_THREADS)
    return phylanx.get_num_threads()


track_phylanx_threads.unit = "threads"
