# Strided copies with dtype conversion, run without the GIL (move.h): the job shared by the
# native creation, shape, conversion and indexing kernels.
cimport numpy as cnp

from phylanx.runtime.native cimport Job

cdef extern from "move.h" nogil:
    enum:
        PHX_MOVE_MAXD
    ctypedef struct phx_move:
        char *src
        char *dst
        int st, dt, nd
        Py_ssize_t shape[8]
        Py_ssize_t ss[8]
        Py_ssize_t ds[8]
        Py_ssize_t rows, rpu, cpr, units
    void phx_move_plan(phx_move *m)
    int phx_moves_run(const phx_move *moves, int n, int nt, int indep)
    void phx_copy_1d(int size, const char *s, Py_ssize_t ss, char *d, Py_ssize_t ds,
                     Py_ssize_t n)


cdef int ptype(cnp.ndarray a)          # PT_* code of a's dtype, -1 when unsupported
cdef int copy_threads(double cost) noexcept nogil   # team size of a copy-like job
# One strided 1-d cast (move.h's phx_cast_1d). Other modules call it through this function
# instead of the header, so its dtype-pair loops are compiled once, here.
cdef void cast_1d(int st, int dt, const char *s, Py_ssize_t ss, char *d, Py_ssize_t ds,
                  Py_ssize_t n) noexcept nogil

cdef class MoveJob(Job):
    cdef phx_move *moves
    cdef int n, cap
    cdef int fpe                       # FP exception flags raised by the casts
    cdef public bint indep             # moves write disjoint memory: may run concurrently
    cdef public object keep            # arrays whose buffers the moves use
    cdef int add(self, cnp.ndarray dst, cnp.ndarray src) except -1
    cdef int add_raw(self, char *dst, int dt, object shape, object dstrides, char *src, int st,
                     object sstrides, object keep) except -1
    cdef int run_moves(self) noexcept nogil
    cdef object raise_fpe(self)
