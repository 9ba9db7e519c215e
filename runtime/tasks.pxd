# Declarations for tasks.h; cimport as `from phylanx.runtime.tasks cimport phx_run_tasks`.
from libc.stddef cimport ptrdiff_t


cdef extern from "tasks.h" nogil:
    ctypedef void (*phx_task_fn)(void *ctx, ptrdiff_t i) noexcept nogil
    void phx_run_tasks(int n_threads, ptrdiff_t n_tasks, phx_task_fn fn, void *ctx)
