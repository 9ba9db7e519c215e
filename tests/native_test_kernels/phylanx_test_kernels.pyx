# cython: language_level=3
"""Test-only native kernels: `register()` declares and registers them, `unregister()` removes
them again (so the op registry and docs of other tests stay untouched).

    %y = test.spin %x, %n : float
        n steps of y = y * (1 + 1e-9) + 1e-9 starting from x: busy work without the GIL
        (Job.cost = n); a negative n fails in run() (ValueError raised by finish()).
    %t = test.team %x, %n : float
        after n busy steps: 100 * job_threads() + the thread count of the first BLAS library,
        as seen inside run() (shows what a native kernel sees inside concurrent sections).
    %y = test.spin_gil %x, %n : float
        the same computation, always holding the GIL (no native kernel: a fallback node).

The scheduler tests use them to show that independent native nodes overlap in time, that a
failing job cancels the call, and to measure the per-task overhead (n = 0).
"""

from phylanx.ir.registry import OPS, TypeRuleError, declare
from phylanx.ir.types import FLOAT, ScalarType
from phylanx.runtime._threads cimport blas_num_threads, job_threads
from phylanx.runtime.native cimport Job
from phylanx.runtime import natives


cdef double _spin(double x, long long n) noexcept nogil:
    cdef long long i
    for i in range(n):
        x = x * (1.0 + 1e-9) + 1e-9
    return x


def spin_reference(x, n):
    """The reference of test.spin (holds the GIL)."""
    if n < 0:
        raise ValueError("test.spin: negative step count")
    return _spin(x, n)


cdef class SpinJob(Job):
    cdef double x
    cdef long long n

    cdef int run(self) noexcept nogil:
        if self.n < 0:
            self.status = 1
            return -1
        self.x = _spin(self.x, self.n)
        return 0

    cpdef object finish(self):
        if self.status:
            raise ValueError("test.spin: negative step count")
        return self.x


def _prepare_spin(x, n):
    cdef SpinJob job = SpinJob(None, max(float(n), 0.0))
    job.x, job.n = float(x), int(n)
    return job


cdef class TeamJob(Job):
    cdef double x
    cdef long long n

    cdef int run(self) noexcept nogil:
        self.x = _spin(self.x, self.n)
        self.x = 100.0 * job_threads() + blas_num_threads()
        return 0

    cpdef object finish(self):
        return self.x


def _prepare_team(x, n):
    cdef TeamJob job = TeamJob(None, max(float(n), 0.0))
    job.x, job.n = float(x), int(n)
    return job


def _team_reference(x, n):
    raise NotImplementedError("test.team has no reference")


def _spin_type(types, attrs):
    x, n = types
    if not (isinstance(x, ScalarType) and isinstance(n, ScalarType)):
        raise TypeRuleError("test.spin takes two scalars")
    return FLOAT


_NAMES = ("test.spin", "test.spin_gil", "test.team")


def register():
    if "test.spin" in OPS:
        return
    declare("test.spin", operands=("x", "n"), infer=_spin_type, traits=("pure",),
            impl=spin_reference, doc="Test only: n busy steps without the GIL.")
    declare("test.spin_gil", operands=("x", "n"), infer=_spin_type, traits=("pure",),
            impl=spin_reference, doc="Test only: n busy steps holding the GIL.")
    declare("test.team", operands=("x", "n"), infer=_spin_type, traits=("pure",),
            impl=_team_reference, doc="Test only: what a native job sees of the threads.")
    natives.register("test.spin")(lambda op: _prepare_spin)
    natives.register("test.team")(lambda op: _prepare_team)


def unregister():
    for name in _NAMES:
        OPS.pop(name, None)
        natives.FACTORIES.pop(name, None)
