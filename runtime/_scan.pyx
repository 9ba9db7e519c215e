# cython: language_level=3, wraparound=True
"""Native cumsum / cumprod (NumPy's add/multiply.accumulate), run without the GIL.

Result dtypes as NumPy 2 gives them: f64 -> f64, f32 -> f32, c128 -> c128, and i64, i32 and
bool -> i64 (the platform integer). Every element of the result is the previous one combined
with the next input, in order, exactly as NumPy's accumulate loops do (so float results agree
bit for bit and NaN/inf propagate the same way); integer overflow wraps. The scanned axis may
be any axis: the arrays are viewed as (outer, scanned, inner) and the scan runs row by row over
the inner axis, parallel over outer rows and chunks of inner columns. The floating-point flags
of those operations are NumPy's, reported as its accumulate does (runtime/_fpe.py).
Declined (NumPy's reference runs): other dtypes or dtype= arguments other than the default
result, axis=None of a non-contiguous array, layouts whose outer or inner axes do not merge
into one, and outputs under SMALL elements.
"""

import numpy as np

cimport numpy as cnp
from cython.parallel cimport prange
from libc.stdint cimport int32_t, int64_t, uint8_t, uint64_t

from phylanx.ir.types import ArrayType
from phylanx.runtime._fpe import handle as handle_fpe
from phylanx.runtime._move cimport copy_threads
from phylanx.runtime.native cimport Job
from phylanx.runtime.natives import register

cnp.import_array()

cdef extern from "fpe.h" nogil:
    int feclearexcept(int)
    int fetestexcept(int)
    int phx_fpe_bits(int f)
    enum:
        PHX_FPE_ALL     # the flags NumPy reports (divide, over, under, invalid)

cdef int FPE = PHX_FPE_ALL

cdef enum:
    SMALL = 4096
    CHUNK = 4096

ctypedef double complex c128

ctypedef fused src_t:
    double
    float
    int64_t
    int32_t
    uint8_t
    c128

ctypedef fused dst_t:
    double
    float
    int64_t
    c128


cdef inline dst_t _comb(dst_t acc, dst_t x, bint prod) noexcept nogil:
    cdef dst_t r
    if dst_t is int64_t:       # wrap on overflow, as NumPy's integer loops do
        if prod:
            return <int64_t> (<uint64_t> acc * <uint64_t> x)
        return <int64_t> (<uint64_t> acc + <uint64_t> x)
    elif dst_t is c128:        # NumPy's formula, not C99's Annex G inf/NaN recovery
        if not prod:
            return acc + x
        r = acc
        (<double *> &r)[0] = acc.real * x.real - acc.imag * x.imag
        (<double *> &r)[1] = acc.real * x.imag + acc.imag * x.real
        return r
    else:
        return acc * x if prod else acc + x


cdef int _scan_unit(const src_t *src, dst_t *dst, Py_ssize_t o, Py_ssize_t i0, Py_ssize_t i1,
                    Py_ssize_t n, Py_ssize_t ni, Py_ssize_t so, Py_ssize_t sj, Py_ssize_t si,
                    bint prod) noexcept nogil:
    """One block of rows; the FP flags it raised (floats: NumPy warns about them)."""
    cdef Py_ssize_t j, i
    cdef const src_t *s = src + o * so
    cdef dst_t *d = dst + o * n * ni
    cdef dst_t *prev
    if dst_t is not int64_t:
        feclearexcept(FPE)
    for i in range(i0, i1):
        d[i] = <dst_t> s[i * si]
    for j in range(1, n):
        prev = d + (j - 1) * ni
        for i in range(i0, i1):
            d[j * ni + i] = _comb(prev[i], <dst_t> s[j * sj + i * si], prod)
    if dst_t is not int64_t:
        return fetestexcept(FPE)
    return 0


cdef int _scan(const src_t *src, dst_t *dst, Py_ssize_t no, Py_ssize_t n, Py_ssize_t ni,
               Py_ssize_t so, Py_ssize_t sj, Py_ssize_t si, bint prod, int nt) noexcept nogil:
    cdef Py_ssize_t nch = (ni + CHUNK - 1) // CHUNK, u, units = no * nch, o, c
    cdef int flags = 0
    for u in prange(units, num_threads=nt, schedule="dynamic"):
        o = u // nch
        c = u % nch
        flags |= _scan_unit(src, dst, o, c * CHUNK, min(ni, c * CHUNK + CHUNK), n, ni, so, sj,
                            si, prod)
    return flags


cdef enum:
    S_F64, S_F32, S_I64, S_I32, S_BOOL, S_C128

_SRC = {np.dtype(np.float64): S_F64, np.dtype(np.float32): S_F32, np.dtype(np.int64): S_I64,
        np.dtype(np.int32): S_I32, np.dtype(np.bool_): S_BOOL, np.dtype(np.complex128): S_C128}
_DST = {S_F64: np.float64, S_F32: np.float32, S_I64: np.int64, S_I32: np.int64,
        S_BOOL: np.int64, S_C128: np.complex128}


cdef class _ScanJob(Job):
    cdef const void *src
    cdef void *dst
    cdef int code
    cdef bint prod
    cdef Py_ssize_t no, n, ni, so, sj, si
    cdef object keep
    cdef int fpe

    cdef int run(self) noexcept nogil:
        cdef int nt = copy_threads(self.cost)
        cdef Py_ssize_t no = self.no, n = self.n, ni = self.ni
        cdef Py_ssize_t so = self.so, sj = self.sj, si = self.si
        cdef bint p = self.prod
        if self.code == S_F64:
            self.fpe = _scan(<const double *> self.src, <double *> self.dst, no, n, ni, so, sj,
                             si, p, nt)
        elif self.code == S_F32:
            self.fpe = _scan(<const float *> self.src, <float *> self.dst, no, n, ni, so, sj,
                             si, p, nt)
        elif self.code == S_I64:
            self.fpe = _scan(<const int64_t *> self.src, <int64_t *> self.dst, no, n, ni, so, sj,
                             si, p, nt)
        elif self.code == S_I32:
            self.fpe = _scan(<const int32_t *> self.src, <int64_t *> self.dst, no, n, ni, so, sj,
                             si, p, nt)
        elif self.code == S_BOOL:
            self.fpe = _scan(<const uint8_t *> self.src, <int64_t *> self.dst, no, n, ni, so, sj,
                             si, p, nt)
        else:
            self.fpe = _scan(<const c128 *> self.src, <c128 *> self.dst, no, n, ni, so, sj, si,
                             p, nt)
        return 0

    cpdef object finish(self):
        self.keep = None
        if self.fpe:        # the additions/products of NumPy's accumulate loop: its flags
            handle_fpe(phx_fpe_bits(self.fpe), "accumulate")
        return self.result


cdef object _merged(list dims):
    """One (extent, stride) for C-order axes that merge; None when they do not."""
    dims = [d for d in dims if d[0] != 1]
    if not dims:
        return (1, 0)
    ext, st = dims[len(dims) - 1]
    for k in range(len(dims) - 2, -1, -1):
        if dims[k][1] != ext * st:
            return None
        ext *= dims[k][0]
    return (ext, st)


cdef class _ScanPrep:
    cdef object impl, kw, axis
    cdef bint prod

    def __call__(self, a):
        if not cnp.PyArray_CheckExact(a):
            return self.impl(a, **self.kw)
        code = _SRC.get(a.dtype)
        if code is None or not (cnp.PyArray_ISALIGNED(<cnp.ndarray> a) and
                                cnp.PyArray_ISNOTSWAPPED(<cnp.ndarray> a)) \
                or cnp.PyArray_SIZE(<cnp.ndarray> a) < SMALL:
            return self.impl(a, **self.kw)
        if self.kw.get("dtype") is not None and np.dtype(self.kw["dtype"]) != np.dtype(
                _DST[code]):
            return self.impl(a, **self.kw)
        axis = self.axis
        if axis is None:
            if not cnp.PyArray_IS_C_CONTIGUOUS(<cnp.ndarray> a):
                return self.impl(a, **self.kw)
            a = a.reshape(-1)
            axis = 0
        nd = a.ndim
        if not -nd <= axis < nd:
            return self.impl(a, **self.kw)        # NumPy's AxisError
        axis %= nd
        isz = a.itemsize
        dims = [(n, s // isz) for n, s in zip(a.shape, a.strides)]
        if any(s % isz for s in a.strides):
            return self.impl(a, **self.kw)
        outer, inner = _merged(dims[:axis]), _merged(dims[axis + 1:])
        if outer is None or inner is None:
            return self.impl(a, **self.kw)
        out = np.empty(a.shape, _DST[code])
        cdef _ScanJob job = _ScanJob.__new__(_ScanJob)
        job.src = cnp.PyArray_DATA(<cnp.ndarray> a)
        job.dst = cnp.PyArray_DATA(<cnp.ndarray> out)
        job.code, job.prod = code, self.prod
        job.no, job.so = outer
        job.ni, job.si = inner
        job.n, job.sj = dims[axis]
        job.keep = a
        job.result = out
        job.cost = <double> out.size
        return job


@register("cumsum", "cumprod")
def _scan_factory(op):
    axis = op.attrs.get("axis")
    if axis is not None and not isinstance(axis, int):
        return None
    if not isinstance(op.operands[0].type, ArrayType):
        return None
    cdef _ScanPrep p = _ScanPrep.__new__(_ScanPrep)
    p.impl, p.kw, p.axis, p.prod = op.decl.impl, dict(op.attrs), axis, op.name == "cumprod"
    return p
