# cython: language_level=3
"""OpenMP thread-count control and small demos of the OpenMP pool (tasks and prange)."""

import array
import operator
import os

cimport openmp
from cython.parallel cimport prange
from libc.stddef cimport ptrdiff_t

from phylanx.runtime.tasks cimport phx_run_tasks

# Team size for every parallel region this package starts. It is passed explicitly to each
# region because omp_set_num_threads only changes the calling thread's setting.
cdef int _n_threads = 1


def _default_num_threads():
    """PHYLANX_NUM_THREADS if set, else the number of CPUs this process may run on."""
    env = os.environ.get("PHYLANX_NUM_THREADS", "").strip()
    if env:
        try:
            n = int(env)
        except ValueError:
            n = 0
        if n < 1:
            raise ValueError(f"PHYLANX_NUM_THREADS must be an integer >= 1, got {env!r}")
        return n
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def set_num_threads(n):
    """Set the number of OpenMP threads used by phylanx (and by OpenMP in this thread)."""
    global _n_threads
    n = operator.index(n)
    if n < 1:
        raise ValueError(f"number of threads must be >= 1, got {n}")
    _n_threads = n
    openmp.omp_set_num_threads(n)


def get_num_threads():
    """Number of OpenMP threads phylanx's parallel regions use."""
    return _n_threads


def openmp_max_threads():
    """omp_get_max_threads() as seen from the calling thread."""
    return openmp.omp_get_max_threads()


cdef void _record_thread(void *ctx, ptrdiff_t i) noexcept nogil:
    (<int *> ctx)[i] = openmp.omp_get_thread_num()


def parallel_thread_ids(Py_ssize_t n_tasks):
    """Run n_tasks OpenMP tasks; return the id of the thread that ran each one."""
    if n_tasks < 0:
        raise ValueError(f"n_tasks must be >= 0, got {n_tasks}")
    result = array.array("i", [-1]) * n_tasks
    cdef int[::1] ids = result
    cdef int *ptr = &ids[0] if n_tasks else NULL
    with nogil:
        phx_run_tasks(_n_threads, n_tasks, _record_thread, ptr)
    return result.tolist()


def parallel_sum(const double[::1] x):
    """Sum of x, computed with a GIL-free prange reduction."""
    cdef double total = 0.0
    cdef Py_ssize_t i, n = x.shape[0]
    with nogil:
        for i in prange(n, num_threads=_n_threads, schedule="static"):
            total += x[i]
    return total


set_num_threads(_default_num_threads())
