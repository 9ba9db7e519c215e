# cython: language_level=3
"""Base class of native jobs (see native.pxd for the ABI)."""


cdef class Job:
    """A prepared native node: `run()` without the GIL, then `finish()` with it."""

    def __init__(self, result=None, double cost=0.0):
        self.result = result
        self.cost = cost
        self.status = 0

    cdef int run(self) noexcept nogil:
        return 0

    cpdef object finish(self):
        """The node's result; subclasses raise the exception matching a failed run()."""
        if self.status != 0:
            raise RuntimeError(f"native kernel failed with status {self.status}")
        return self.result

    def run_now(self):
        """Run and finish in the calling thread (tests and the sequential path)."""
        with nogil:
            self.run()
        return self.finish()
