# C-level API of the runtime's threads: team size, the task pool, BLAS limits.
#
# Native kernels size their own parallel loops with job_threads():
#     from phylanx.runtime._threads cimport job_threads
#     for i in prange(n, num_threads=job_threads(), schedule="static"): ...
# It is 1 while the runtime runs nodes concurrently (tasks, parallel loops), so a kernel
# running as one of several tasks does not start a team of its own.
from phylanx.runtime.tasks cimport phx_run, phx_task


cdef int num_threads() noexcept nogil        # set_num_threads / PHYLANX_NUM_THREADS
cdef int job_threads() noexcept nogil        # threads a native job may use right now
cdef int set_serial(int on) noexcept nogil   # this thread: job_threads() == 1 (returns old)
cdef double task_threshold() noexcept nogil  # cost at or above which a ready node is a task
cdef double team_threshold() noexcept nogil  # cost below which a job runs on one thread
cdef double gil_threshold() noexcept nogil   # cost at or above which a job runs without GIL
# Work runs concurrently (BLAS limited to one thread, job_threads() == 1) while a parallel loop
# spreads its iterations or at least two heavy nodes are in flight (queued or running).
cdef void par_enter() noexcept nogil         # a parallel loop starts spreading its iterations
cdef void par_exit() noexcept nogil
cdef void work_begin() noexcept nogil        # one more heavy node in flight
cdef void work_end() noexcept nogil
cdef int pool_ready() except -1              # with the GIL: workers exist for num_threads()
cdef void pool_submit(phx_task *t) noexcept nogil
cdef void pool_lock() noexcept nogil
cdef void pool_unlock() noexcept nogil
cdef phx_task *pool_take_locked(void *owner) noexcept nogil
cdef int run_wait_locked(phx_run *r, int ms) noexcept nogil   # 1 on timeout
cdef void run_wake_locked(phx_run *r) noexcept nogil
cdef int run_init(phx_run *r) noexcept nogil
cdef void run_destroy(phx_run *r) noexcept nogil
cdef bint is_main_thread() noexcept nogil
cdef int blas_num_threads() noexcept nogil   # threads of the first BLAS found (-1: none)
