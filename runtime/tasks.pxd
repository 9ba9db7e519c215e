# Declarations for tasks.h: the task and per-call wait types of the runtime's pool (pool.h,
# reached through phylanx.runtime._threads) and the OpenMP task demo phx_run_tasks.
from libc.stddef cimport ptrdiff_t


cdef extern from "tasks.h" nogil:
    ctypedef struct phx_task:
        phx_task *prev
        phx_task *next
        void (*fn)(phx_task *t, int tid) noexcept nogil
        void *owner

    ctypedef struct phx_run:
        int n_waiting
        int ready

    Py_ssize_t phx_fetch_add(Py_ssize_t *p, Py_ssize_t v)
    int phx_load(int *p)
    Py_ssize_t phx_load_ssize "phx_load"(Py_ssize_t *p)
    void phx_store(int *p, int v)
    void phx_store_ssize "phx_store"(Py_ssize_t *p, Py_ssize_t v)

    ctypedef void (*phx_omp_fn)(void *ctx, ptrdiff_t i) noexcept nogil
    void phx_run_tasks(int n_threads, ptrdiff_t n_tasks, phx_omp_fn fn, void *ctx)
