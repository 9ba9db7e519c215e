# cython: language_level=3
"""Threads of the runtime: team size, the task pool, BLAS limits, and OpenMP demos.

`set_num_threads(n)` sets the number of threads every part of phylanx uses: the executor's
task pool (n - 1 workers plus the calling thread), OpenMP teams of native kernels
(`job_threads()`), and BLAS outside of concurrent sections. While nodes run concurrently
(two heavy nodes in flight: `work_begin()` .. `work_end()`, or a parallel loop spreading its
iterations: `par_enter()` .. `par_exit()`), BLAS is limited to one thread and `job_threads()` is 1. See docs/runtime.md.
"""

import array
import atexit
import operator
import os
import threading

cimport openmp
from cython.parallel cimport prange
from libc.stddef cimport ptrdiff_t

from phylanx.runtime.tasks cimport phx_omp_fn, phx_run, phx_run_tasks, phx_task

cdef extern from "pool.h" nogil:
    void phx_pool_submit(phx_task *t)
    void phx_pool_lock()
    void phx_pool_unlock()
    phx_task *phx_pool_take_locked(void *owner)
    int phx_run_wait_locked(phx_run *r, int ms)
    void phx_run_wake_locked(phx_run *r)
    int phx_run_init(phx_run *r)
    void phx_run_destroy(phx_run *r)
    int phx_pool_resize(int n_workers)
    void phx_pool_shutdown()
    int phx_pool_started()

cdef extern from "pthread.h" nogil:
    ctypedef struct pthread_mutex_t:
        pass
    int pthread_mutex_init(pthread_mutex_t *m, void *attr)
    int pthread_mutex_lock(pthread_mutex_t *m)
    int pthread_mutex_unlock(pthread_mutex_t *m)

cdef extern from "Python.h" nogil:
    unsigned long PyThread_get_thread_ident()

# Team size for every parallel region this package starts. It is passed explicitly to each
# region because omp_set_num_threads only changes the calling thread's setting.
cdef int _n_threads = 1
cdef double _task_threshold = 2e5   # element-operations (~0.1 ms): below, a node runs inline
cdef double _gil_threshold = 2e4    # a native job this costly runs with the GIL released
# A job cheaper than this runs on one thread: waking a sleeping OpenMP team (passive wait
# policy) costs tens of microseconds, more than a short memory-bound job gains from a second
# core (measured: logreg 1000x100, 750 iterations, 32 ms on 1 thread, 70 ms with a team).
cdef double _team_threshold = 5e5
cdef int _par_active = 0            # parallel loops spreading their iterations  } guarded by
cdef int _inflight = 0              # heavy nodes queued as tasks or running     } _par_lock
cdef pthread_mutex_t _par_lock
pthread_mutex_init(&_par_lock, NULL)
cdef unsigned long _main_ident = threading.main_thread().ident

# BLAS libraries whose thread count is limited inside concurrent sections: OpenBLAS builds
# found by threadpoolctl (NumPy's and SciPy's), as C function pointers (found once).
ctypedef void (*_set_fn)(int) noexcept nogil
ctypedef int (*_get_fn)() noexcept nogil
cdef enum:
    _MAX_BLAS = 8
cdef _set_fn _blas_set[_MAX_BLAS]
cdef _get_fn _blas_get[_MAX_BLAS]
cdef int _blas_saved[_MAX_BLAS]
cdef int _n_blas = -1               # -1: not looked up yet
_blas_info = []


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


def set_num_threads(n, *, blas=False):
    """Set the number of threads phylanx uses: the task pool (n - 1 workers and the calling
    thread) and the OpenMP teams of native kernels. With blas=True also the thread count of
    the BLAS libraries (NumPy's and SciPy's OpenBLAS) outside concurrent sections; by default
    BLAS keeps what its environment set (inside concurrent sections it always runs on one
    thread). At import the count comes from PHYLANX_NUM_THREADS or the available cores."""
    global _n_threads
    cdef int k
    n = operator.index(n)
    if n < 1:
        raise ValueError(f"number of threads must be >= 1, got {n}")
    _n_threads = n
    openmp.omp_set_num_threads(n)
    if phx_pool_started():
        phx_pool_resize(n - 1)
    if blas:
        if _n_blas < 0:
            _find_blas()
        pthread_mutex_lock(&_par_lock)
        for k in range(_n_blas):
            if _concurrent():
                _blas_saved[k] = n     # restored to this when the concurrent section ends
            else:
                _blas_set[k](n)
        pthread_mutex_unlock(&_par_lock)


def get_num_threads():
    """Number of threads phylanx uses."""
    return _n_threads


def set_task_threshold(double cost):
    """Nodes whose estimated cost (element-operations; Job.cost for native nodes) is at least
    `cost` run as tasks of the pool when other nodes may run at the same time; cheaper nodes
    run inline on the thread that made them ready. 0 makes every array node a task."""
    global _task_threshold
    if not cost >= 0:
        raise ValueError(f"task threshold must be >= 0, got {cost}")
    _task_threshold = cost


def get_task_threshold():
    return _task_threshold


def set_team_threshold(double cost):
    """Native jobs costing less than `cost` (Job.cost, element-operations) run on one thread;
    costlier ones may use the whole team when nothing else runs. 0: always a team."""
    global _team_threshold
    if not cost >= 0:
        raise ValueError(f"team threshold must be >= 0, got {cost}")
    _team_threshold = cost


def get_team_threshold():
    return _team_threshold


def set_gil_threshold(double cost):
    """Native jobs costing at least `cost` release the GIL while they run."""
    global _gil_threshold
    if not cost >= 0:
        raise ValueError(f"GIL threshold must be >= 0, got {cost}")
    _gil_threshold = cost


def openmp_max_threads():
    """omp_get_max_threads() as seen from the calling thread."""
    return openmp.omp_get_max_threads()


def pool_threads():
    """Worker threads started so far (the pool starts them on first concurrent use)."""
    return phx_pool_started()


def concurrent_sections():
    """Parallel loops spreading iterations + heavy nodes in flight right now (0 when idle)."""
    return _par_active + _inflight


# -- C API (see _threads.pxd) --------------------------------------------------------------

cdef int num_threads() noexcept nogil:
    return _n_threads


cdef inline bint _concurrent() noexcept nogil:
    return _par_active > 0 or _inflight >= 2


cdef extern from *:
    """
    static __thread int phx_serial = 0;   /* this thread runs a cheap job: no team for it */
    """
    int phx_serial


cdef int job_threads() noexcept nogil:
    if phx_serial or _concurrent():
        return 1
    return _n_threads


cdef int set_serial(int on) noexcept nogil:
    global phx_serial
    cdef int old = phx_serial
    phx_serial = on
    return old


cdef double task_threshold() noexcept nogil:
    return _task_threshold


cdef double team_threshold() noexcept nogil:
    return _team_threshold


cdef double gil_threshold() noexcept nogil:
    return _gil_threshold


cdef void _blas_limit() noexcept nogil:
    cdef int k
    for k in range(_n_blas):
        _blas_saved[k] = _blas_get[k]()
        if _blas_saved[k] != 1:
            _blas_set[k](1)


cdef void _blas_restore() noexcept nogil:
    cdef int k
    for k in range(_n_blas):
        if _blas_saved[k] != 1:
            _blas_set[k](_blas_saved[k])


cdef void _change(int *counter, int delta) noexcept nogil:
    """counter += delta; limit BLAS when work starts to run concurrently, restore after."""
    cdef bint was
    pthread_mutex_lock(&_par_lock)
    was = _concurrent()
    counter[0] += delta
    if _concurrent() != was:
        if was:
            _blas_restore()
        else:
            _blas_limit()
    pthread_mutex_unlock(&_par_lock)


cdef void par_enter() noexcept nogil:
    _change(&_par_active, 1)


cdef void par_exit() noexcept nogil:
    _change(&_par_active, -1)


cdef void work_begin() noexcept nogil:
    _change(&_inflight, 1)


cdef void work_end() noexcept nogil:
    _change(&_inflight, -1)


cdef int pool_ready() except -1:
    if _n_blas < 0:
        _find_blas()
    if phx_pool_started() < _n_threads - 1:
        if phx_pool_resize(_n_threads - 1) != 0 and phx_pool_started() == 0:
            raise RuntimeError("phylanx: could not start worker threads")
    return 0


cdef void pool_submit(phx_task *t) noexcept nogil:
    phx_pool_submit(t)


cdef void pool_lock() noexcept nogil:
    phx_pool_lock()


cdef void pool_unlock() noexcept nogil:
    phx_pool_unlock()


cdef phx_task *pool_take_locked(void *owner) noexcept nogil:
    return phx_pool_take_locked(owner)


cdef int run_wait_locked(phx_run *r, int ms) noexcept nogil:
    return phx_run_wait_locked(r, ms)


cdef void run_wake_locked(phx_run *r) noexcept nogil:
    phx_run_wake_locked(r)


cdef int run_init(phx_run *r) noexcept nogil:
    return phx_run_init(r)


cdef void run_destroy(phx_run *r) noexcept nogil:
    phx_run_destroy(r)


cdef bint is_main_thread() noexcept nogil:
    return PyThread_get_thread_ident() == _main_ident


cdef int blas_num_threads() noexcept nogil:
    if _n_blas <= 0:
        return -1
    return _blas_get[0]()


def _find_blas():
    """Look up the OpenBLAS libraries loaded in this process (once)."""
    global _n_blas
    import ctypes
    _n_blas = 0
    import importlib
    try:   # load the OpenBLAS that native kernels use (scipy.linalg.cython_blas) first; not
        # `import scipy.linalg.cython_blas`, which imports the scipy package for its name
        importlib.import_module("scipy.linalg.cython_blas")
    except ImportError:
        pass
    try:
        from threadpoolctl import ThreadpoolController
        controllers = ThreadpoolController().lib_controllers
    except Exception:   # threadpoolctl missing or failing: leave BLAS alone
        return
    cdef size_t addr_set, addr_get
    for lc in controllers:
        if _n_blas >= _MAX_BLAS or lc.internal_api != "openblas":
            continue
        if getattr(lc, "threading_layer", None) == "openmp":
            continue   # per-thread limits through OpenMP: nothing to do from here
        setter = getter = None
        for prefix in ("", "scipy_"):
            for suffix in ("", "64_", "_64"):
                name = f"{prefix}openblas_set_num_threads{suffix}"
                if hasattr(lc.dynlib, name):
                    setter = getattr(lc.dynlib, name)
                    getter = getattr(lc.dynlib, f"{prefix}openblas_get_num_threads{suffix}",
                                     None)
        if setter is None or getter is None:
            continue
        addr_set = ctypes.cast(setter, ctypes.c_void_p).value
        addr_get = ctypes.cast(getter, ctypes.c_void_p).value
        _blas_set[_n_blas] = <_set_fn> addr_set
        _blas_get[_n_blas] = <_get_fn> addr_get
        _blas_info.append(lc.filepath)
        _n_blas += 1


def blas_libraries():
    """Paths of the BLAS libraries limited to one thread inside concurrent sections."""
    if _n_blas < 0:
        _find_blas()
    return list(_blas_info)


def blas_threads():
    """Current thread count of each library in blas_libraries()."""
    if _n_blas < 0:
        _find_blas()
    return [_blas_get[k]() for k in range(_n_blas)]


def set_blas_threads(counts):
    """Set the thread count of each library in blas_libraries() (a list, as blas_threads())."""
    cdef int k
    if _n_blas < 0:
        _find_blas()
    for k in range(min(_n_blas, len(counts))):
        _blas_set[k](int(counts[k]))


def _shutdown():
    with nogil:
        phx_pool_shutdown()


atexit.register(_shutdown)


# -- OpenMP demos ---------------------------------------------------------------------------

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
if os.environ.get("PHYLANX_TEAM_THRESHOLD", "").strip():
    set_team_threshold(float(os.environ["PHYLANX_TEAM_THRESHOLD"]))
if os.environ.get("PHYLANX_TASK_THRESHOLD", "").strip():
    set_task_threshold(float(os.environ["PHYLANX_TASK_THRESHOLD"]))
