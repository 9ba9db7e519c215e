# cython: language_level=3, wraparound=True
"""MoveJob: a list of strided n-d copies with dtype conversion (move.h), run without the GIL.

The preparers of the native creation, shape, conversion and indexing kernels validate their
operands and allocate outputs with the GIL (NumPy's allocator), describe the element copies as
moves (`job.add(dst, src)`, src already broadcast to dst's shape) and hand the job to the
executor; run() copies and converts with an OpenMP team, finish() reports the floating-point
flags the casts raised as NumPy's casts do ("invalid value encountered in cast", per
np.errstate: runtime/_fpe.py).

Shapes are put in destination memory order and adjacent axes merged, as NumPy's iterator does,
so a contiguous copy is one memcpy. More than 8 axes left after merging raise Decline: the
caller then lets NumPy do the work.
"""

import numpy as np

cimport numpy as cnp
from libc.stdlib cimport free, realloc

from phylanx.runtime._threads cimport job_threads
from phylanx.runtime.native cimport Job

from phylanx.runtime._fpe import handle as handle_fpe
from phylanx.runtime.natives import Decline

cnp.import_array()

cdef extern from "move.h" nogil:
    enum:
        PT_BOOL, PT_I8, PT_I16, PT_I32, PT_I64, PT_U8, PT_U16, PT_U32, PT_U64, PT_F32, PT_F64,
        PT_C64, PT_C128
    void phx_cast_1d(int st, int dt, const char *s, Py_ssize_t ss, char *d, Py_ssize_t ds,
                     Py_ssize_t n)

cdef extern from "fpe.h" nogil:
    int phx_fpe_bits(int f)

# Copies, fills, gathers and scans are memory-bound: on the 2-core machine this runtime was
# measured on, one thread saturates memory bandwidth (a prefaulted 128 MB copy: 41 ms on 1
# thread, 43 ms on 2; fresh pages: 80 / 71 ms; a fill of fresh pages: 50 / 56 ms) and a team
# loses whenever another process holds a core (a kernel of zeros + strided setitem +
# concatenate on 4000x4000: 111-125 ms on 1 thread, 172-192 ms on 2 under load). So these
# jobs use one thread unless they are at least `copy_par_min` elements
# (set_copy_parallel_min; default: never). They still run without the GIL, concurrently with
# other nodes.
cdef double copy_par_min = 1e300


cdef int copy_threads(double cost) noexcept nogil:
    return job_threads() if cost >= copy_par_min else 1


def set_copy_parallel_min(double elements) -> float:
    """Team size for copy-like native jobs: all job_threads() from `elements` elements on
    (inf: always one thread, the default). Returns the previous value."""
    global copy_par_min
    old = copy_par_min
    copy_par_min = elements
    return old


_PT = {np.dtype(t).num: code for t, code in (
    (np.bool_, PT_BOOL), (np.int8, PT_I8), (np.int16, PT_I16), (np.int32, PT_I32),
    (np.int64, PT_I64), (np.uint8, PT_U8), (np.uint16, PT_U16), (np.uint32, PT_U32),
    (np.uint64, PT_U64), (np.float32, PT_F32), (np.float64, PT_F64), (np.complex64, PT_C64),
    (np.complex128, PT_C128))}
# np.intc/np.int_ share numbers with the sized types on this platform; longlong may not
_PT.setdefault(np.dtype(np.longlong).num, PT_I64)
_PT.setdefault(np.dtype(np.ulonglong).num, PT_U64)


cdef void cast_1d(int st, int dt, const char *s, Py_ssize_t ss, char *d, Py_ssize_t ds,
                  Py_ssize_t n) noexcept nogil:
    phx_cast_1d(st, dt, s, ss, d, ds, n)


cdef int ptype(cnp.ndarray a):
    if not (cnp.PyArray_ISALIGNED(a) and cnp.PyArray_ISNOTSWAPPED(a)):
        return -1
    return _PT.get(cnp.PyArray_TYPE(a), -1)


def supported(dtype) -> bool:
    """Can moves read and write this dtype?"""
    dtype = np.dtype(dtype)
    return dtype.isnative and dtype.num in _PT


cdef class MoveJob(Job):
    """Copies (with casts) described by add(); result set by the preparer."""

    def __dealloc__(self):
        free(self.moves)

    cdef int add(self, cnp.ndarray dst, cnp.ndarray src) except -1:
        """dst[...] = src (cast to dst's dtype); src broadcasts to dst's shape."""
        cdef int nd = cnp.PyArray_NDIM(dst), ns = cnp.PyArray_NDIM(src), k
        cdef int st = ptype(src), dt = ptype(dst)
        if st < 0 or dt < 0:
            raise Decline("dtype")
        cdef object odst = dst, osrc = src
        dshape, sshape, sstr = odst.shape, osrc.shape, osrc.strides
        if ns > nd:
            raise ValueError("move: source has more axes than the destination")
        strides = [0] * nd
        for k in range(ns):
            n = sshape[ns - 1 - k]
            if n == dshape[nd - 1 - k]:
                strides[nd - 1 - k] = sstr[ns - 1 - k]
            elif n != 1:
                raise ValueError("move: shapes do not broadcast")
        return self.add_raw(<char *> cnp.PyArray_DATA(dst), dt, dshape, odst.strides,
                            <char *> cnp.PyArray_DATA(src), st, strides, (dst, src))

    cdef int add_raw(self, char *dst, int dt, object shape, object dstrides, char *src, int st,
                     object sstrides, object keep) except -1:
        """A move given by pointers and byte strides; `keep` holds the buffers alive."""
        cdef int nd = len(shape), k
        cdef phx_move *m
        cdef Py_ssize_t size = 1
        for k in range(nd):
            size *= <Py_ssize_t> shape[k]
        if size == 0:
            return 0
        dims = sorted([(shape[k], sstrides[k], dstrides[k]) for k in range(nd) if shape[k] != 1],
                      key=lambda d: -abs(d[2]))
        merged = []
        for d in dims:
            if merged and merged[-1][1] == d[0] * d[1] and merged[-1][2] == d[0] * d[2]:
                last = merged.pop()
                d = (last[0] * d[0], d[1], d[2])
            merged.append(d)
        if len(merged) > PHX_MOVE_MAXD:
            raise Decline("rank")
        if not merged:
            merged = [(1, 0, 0)]
        if self.n == self.cap:
            self.cap = 4 if self.cap == 0 else 2 * self.cap
            m = <phx_move *> realloc(self.moves, self.cap * sizeof(phx_move))
            if m == NULL:
                raise MemoryError()
            self.moves = m
        m = &self.moves[self.n]
        m.src, m.dst = src, dst
        m.st, m.dt, m.nd = st, dt, len(merged)
        for k, d in enumerate(merged):
            m.shape[k], m.ss[k], m.ds[k] = d
        phx_move_plan(m)
        self.n += 1
        self.cost += <double> size
        if keep is not None:
            if self.keep is None:
                self.keep = []
            self.keep.append(keep)
        return 0

    cdef int run_moves(self) noexcept nogil:
        cdef int nt = copy_threads(self.cost)
        self.fpe = phx_moves_run(self.moves, self.n, nt, self.indep)
        return 0

    cdef int run(self) noexcept nogil:
        return self.run_moves()

    cdef object raise_fpe(self):
        """Report the FP flags the casts raised as NumPy's casts do (runtime/_fpe.py)."""
        if self.fpe:
            handle_fpe(phx_fpe_bits(self.fpe), "cast")
        return None

    cpdef object finish(self):
        self.raise_fpe()
        if self.status:
            raise MemoryError("native copy: out of memory")
        self.keep = None
        return self.result


def new_job(result=None) -> MoveJob:
    cdef MoveJob job = MoveJob.__new__(MoveJob)
    job.result = result
    return job


def add_move(MoveJob job, dst, src) -> None:
    """Python access to job.add (tests)."""
    job.add(dst, src)
