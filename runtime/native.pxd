# The native-kernel ABI of the runtime: how a primitive runs without the GIL.
#
# A native kernel is registered per op name in phylanx.runtime.natives with a *factory*:
#     factory(op) -> preparer or None        (called once, when a kernel is lowered)
# `op` is the phylanx.ir.core.Op; the factory looks at its operand/result types and attributes
# and returns None when it has no native code for them (the node then calls the op's NumPy
# reference with the GIL: a "fallback" node). The preparer is called for every execution of
# the node, with the GIL held and the operand values as positional arguments:
#     preparer(*operands) -> Job | result
# It validates the operands (raising NumPy's exception type on bad input), allocates the
# outputs with NumPy's allocator and returns a Job whose run() does the heavy work without the
# GIL. It may instead return the node's result directly (small or unsupported cases).
# The executor then calls job.run() (possibly in an OpenMP task, GIL released), and
# job.finish() with the GIL held, which raises the error run() recorded or returns the result.

cdef class Job:
    cdef public object result   # the node's result (set by the preparer)
    cdef public double cost     # estimated work in element-operations (inline vs task choice)
    cdef int status             # 0: ok; set by run() on failure (the subclass maps it in finish)
    cdef int run(self) noexcept nogil
    cpdef object finish(self)
