# cython: language_level=3
"""Native linear algebra: matmul/dot/matmul_t/outer through scipy's cython_blas and
linalg.solve/inv/det/cholesky/lstsq through cython_lapack, run without the GIL (ABI: native.pxd).

Products (f64 and f32, operands of rank 1 or 2; batched matmul and other dtypes decline to the
NumPy fallback). Row-major C = A @ B is column-major C^T = B^T A^T, so C- and F-contiguous
operands (and row/column slices of them, e.g. X[::2]) go to BLAS as they are, with transpose
flags chosen per operand; other strides cost one copy in the preparer.

numpy.linalg computes in double even for f32 input and casts the result back (its
`_commonType`), and factors a Fortran-order copy: we do exactly the same (the copy converts to
double and happens in run(), without the GIL), so results and error cases follow NumPy's:
singular -> LinAlgError("Singular matrix"), not positive definite -> LinAlgError("Matrix is
not positive definite"). Anything unusual (empty, batched, complex, shape errors) is handed to
the NumPy reference by the preparer, which then raises NumPy's own exception.

Floating-point errors are reported as NumPy's product would (runtime/_fpe.py): np.outer is a
multiply per element, exactly our loop, so its flags are NumPy's ("... encountered in
multiply"). For the BLAS products NumPy reports what its own BLAS call raised on the calling
thread (not in OpenBLAS's worker threads), and that depends on the kernel, the order of the
sums and the thread split: NumPy's product runs instead (and reports) whenever the error state
asks about a flag the product may raise. May raise: the flags our BLAS call raised on this
thread; overflow and invalid when the result is not finite (an inf or NaN that another order
of the sums may avoid comes with a different result too); underflow when some product of two
operand elements is small enough to round in any order of the sums (fpe.h's
phx_may_underflow, from the smallest nonzero |element| of each operand), checked only while
underflow is reported (not by default).

BLAS threads are the scheduler's policy (runtime/_threads.pyx): these jobs call BLAS as they are
called, from one thread. One exception: an f64 matrix-vector product over a matrix far bigger
than cache runs on a team of job_threads() threads that claim row blocks dynamically
(stream_gemv.h), because OpenBLAS's threaded dgemv splits the rows statically and waits for
the slower core.
"""

import numpy as np

cimport numpy as cnp
from libc.math cimport exp, fabs, isfinite, log, INFINITY
from libc.stdlib cimport free, malloc
from libc.string cimport memset
from scipy.linalg.cython_blas cimport ddot, dgemm, dgemv, sdot, sgemm, sgemv
from scipy.linalg.cython_lapack cimport dgelsd, dgesv, dgetrf, dpotrf

from phylanx.runtime._elementwise cimport current_isa
from functools import partial

from phylanx.runtime._fpe import NOT_REDONE, reported_bits
from phylanx.runtime._fpe import handle as handle_fpe
from phylanx.runtime._threads cimport job_threads
from phylanx.runtime.native cimport Job
from phylanx.runtime.natives import register

cnp.import_array()

cdef extern from "fpe.h" nogil:
    void phx_fpe_clear()
    void phx_fpe_collect(int *acc)
    int phx_fpe_bits(int f)
    int phx_may_underflow(double min_a, double min_b, int f32)

from numpy._core.umath import FPE_INVALID, FPE_OVERFLOW, FPE_UNDERFLOW

cdef extern from "limits.h":
    int INT_MAX

LinAlgError = np.linalg.LinAlgError

# ---------------------------------------------------------------------------------------------
# Operand helpers

cdef enum:
    ROW = 1      # rows contiguous: column-major view is the transpose
    COL = 2      # columns contiguous: column-major view is the matrix itself


cdef inline bint _plain(object x, int typenum):
    """An exact, aligned ndarray of the given dtype (native byte order)."""
    return (cnp.PyArray_CheckExact(x) and cnp.PyArray_TYPE(<cnp.ndarray> x) == typenum
            and cnp.PyArray_ISALIGNED(<cnp.ndarray> x) and cnp.PyArray_ISNOTSWAPPED(<cnp.ndarray> x))


cdef int _mat_layout(Py_ssize_t r, Py_ssize_t c, Py_ssize_t s0, Py_ssize_t s1, int isz,
                     int *ld) noexcept:
    """ROW or COL with the BLAS leading dimension, or 0 when BLAS cannot read it in place."""
    if s0 % isz or s1 % isz:
        return 0
    s0 //= isz
    s1 //= isz
    if (c == 1 or s1 == 1) and (r == 1 or s0 >= c):
        ld[0] = max(1, c) if r == 1 else s0
        return ROW if ld[0] <= INT_MAX else 0
    if (r == 1 or s0 == 1) and (c == 1 or s1 >= r):
        ld[0] = max(1, r) if c == 1 else s1
        return COL if ld[0] <= INT_MAX else 0
    return 0


cdef int _vec_inc(Py_ssize_t n, Py_ssize_t s, int isz) noexcept:
    """Positive BLAS increment of a vector, or 0 (needs a copy)."""
    if n == 1:
        return 1
    if s <= 0 or s % isz or s // isz > INT_MAX:
        return 0
    return <int> (s // isz)


cdef void _copy2d(const char *src, Py_ssize_t s0, Py_ssize_t s1, bint src32,
                  char *dst, Py_ssize_t d0, Py_ssize_t d1, bint dst32,
                  Py_ssize_t rows, Py_ssize_t cols) noexcept nogil:
    """dst[i, j] = src[i, j] (byte strides), converting f32/f64. Tiles of 32x32 keep both
    sides in cache when the copy transposes (C order -> LAPACK's Fortran order)."""
    cdef Py_ssize_t ib, jb, i, j, ie, je
    cdef double v
    for ib in range(0, rows, 32):
        ie = min(ib + 32, rows)
        for jb in range(0, cols, 32):
            je = min(jb + 32, cols)
            if not src32 and not dst32:
                for i in range(ib, ie):
                    for j in range(jb, je):
                        (<double *> (dst + i * d0 + j * d1))[0] = \
                            (<const double *> (src + i * s0 + j * s1))[0]
                continue
            for i in range(ib, ie):
                for j in range(jb, je):
                    if src32:
                        v = (<const float *> (src + i * s0 + j * s1))[0]
                    else:
                        v = (<const double *> (src + i * s0 + j * s1))[0]
                    if dst32:
                        (<float *> (dst + i * d0 + j * d1))[0] = <float> v
                    else:
                        (<double *> (dst + i * d0 + j * d1))[0] = v


cdef inline char *_data(object a):
    return <char *> cnp.PyArray_DATA(<cnp.ndarray> a)


cdef inline Py_ssize_t _dim(object a, int i):
    return cnp.PyArray_DIMS(<cnp.ndarray> a)[i]


cdef inline Py_ssize_t _stride(object a, int i):
    return cnp.PyArray_STRIDES(<cnp.ndarray> a)[i]


# ---------------------------------------------------------------------------------------------
# Products: matmul, dot, matmul_t, outer

cdef extern from "mvp_kernel.h" nogil:
    ctypedef void (*phx_mvp_fn)(const double *const *a, const double *const *b,
                                const double *f, const double *w, double *g, Py_ssize_t k,
                                double *s) noexcept nogil
    phx_mvp_fn phx_mvp_pick(int max_isa)

cdef extern from "stream_gemv.h" nogil:
    int phx_stream_gemv(const double *A, Py_ssize_t ld, Py_ssize_t rows, Py_ssize_t k,
                        int mode, const double *x, double *y, int nt, phx_mvp_fn fn)

cdef extern from *:
    """
    #include <unistd.h>
    static long phx_l3_bytes(void) {
    #ifdef _SC_LEVEL3_CACHE_SIZE
        long v = sysconf(_SC_LEVEL3_CACHE_SIZE);
        return v > 0 ? v : 0;
    #else
        return 0;
    #endif
    }
    """
    long phx_l3_bytes()

# Matrix bytes from which an f64 gemv streams on the team (stream_gemv.h), when the job may
# use more than one thread: twice the last-level cache, so the matrix comes from memory. From
# memory the team's dynamic blocks win (10^4 x 10^4 on this VM: 1.09-1.15x OpenBLAS's gemv);
# when part of the matrix is still in L3 (4,000 x 10,000 here, L3 260 MiB) OpenBLAS's kernel
# is as fast or faster (0.79-1.11x in repeated runs), and for matrices of a few MB the
# passive team's wake-up alone costs more (0.55x at 8 MB). Rows must be long enough for the
# vector loop, and an X.T @ v product keeps one partial result per thread in L2.
cdef Py_ssize_t _stream_bytes = max(128 << 20, 2 * phx_l3_bytes())
cdef Py_ssize_t _STREAM_MIN_K = 32
cdef Py_ssize_t _STREAM_MAX_AXPY_K = 1 << 17
cdef long _stream_runs = 0


def set_stream_gemv_bytes(Py_ssize_t nbytes):
    """Matrix size in bytes from which f64 matrix-vector products stream on a team of
    threads (default: twice the L3 cache, at least 128 MiB); returns the previous value."""
    global _stream_bytes
    old = _stream_bytes
    _stream_bytes = max(0, nbytes)
    return old


def get_stream_gemv_bytes():
    """The matrix size in bytes from which f64 matrix-vector products stream on a team."""
    return _stream_bytes


def stream_gemv_runs(bint reset=False):
    """How many products took the streaming path since the last reset."""
    global _stream_runs
    n = _stream_runs
    if reset:
        _stream_runs = 0
    return n

cdef enum:
    P_GEMM = 0
    P_GEMV = 1
    P_DOT = 2
    P_OUTER = 3


cdef class _ProdJob(Job):
    cdef int kind
    cdef bint f32
    cdef char ta, tb
    cdef int M, N, K, lda, ldb, ldc, incx, incy
    cdef char *pa
    cdef char *pb
    cdef char *pc
    cdef Py_ssize_t sa, sb       # outer: byte strides of the two vectors
    cdef double dres
    cdef object keep             # operands (and copies) whose buffers pa/pb point into
    cdef object redo             # (NumPy function, a, b, keywords): NumPy's run if it reports
    cdef int fpe                 # FE_* flags the calling thread raised in run() (fpe.h)
    cdef bint stream             # gemv big enough for stream_gemv.h

    cdef int run(self) noexcept nogil:
        self.fpe = 0
        phx_fpe_clear()
        self._run()
        phx_fpe_collect(&self.fpe)      # this thread's flags (not those of BLAS's threads)
        return 0

    cdef void _run(self) noexcept nogil:
        cdef double one = 1.0, zero = 0.0
        cdef float onef = 1.0, zerof = 0.0
        cdef Py_ssize_t i, j
        cdef double ai
        if self.stream and job_threads() > 1 and self._stream() == 0:
            return
        if self.kind == P_GEMM:
            if self.f32:
                sgemm(&self.ta, &self.tb, &self.M, &self.N, &self.K, &onef, <float *> self.pa,
                      &self.lda, <float *> self.pb, &self.ldb, &zerof, <float *> self.pc,
                      &self.ldc)
            else:
                dgemm(&self.ta, &self.tb, &self.M, &self.N, &self.K, &one, <double *> self.pa,
                      &self.lda, <double *> self.pb, &self.ldb, &zero, <double *> self.pc,
                      &self.ldc)
        elif self.kind == P_GEMV:
            if self.f32:
                sgemv(&self.ta, &self.M, &self.N, &onef, <float *> self.pa, &self.lda,
                      <float *> self.pb, &self.incx, &zerof, <float *> self.pc, &self.incy)
            else:
                dgemv(&self.ta, &self.M, &self.N, &one, <double *> self.pa, &self.lda,
                      <double *> self.pb, &self.incx, &zero, <double *> self.pc, &self.incy)
        elif self.kind == P_DOT:
            if self.f32:
                self.dres = sdot(&self.K, <float *> self.pa, &self.incx, <float *> self.pb,
                                 &self.incy)
            else:
                self.dres = ddot(&self.K, <double *> self.pa, &self.incx, <double *> self.pb,
                                 &self.incy)
        else:
            # outer: a plain product per element (exactly what np.outer computes)
            for i in range(self.M):
                if self.f32:
                    for j in range(self.N):
                        (<float *> self.pc)[i * self.N + j] = \
                            (<float *> (self.pa + i * self.sa))[0] * \
                            (<float *> (self.pb + j * self.sb))[0]
                else:
                    ai = (<double *> (self.pa + i * self.sa))[0]
                    for j in range(self.N):
                        (<double *> self.pc)[i * self.N + j] = \
                            ai * (<double *> (self.pb + j * self.sb))[0]

    cdef int _stream(self) noexcept nogil:
        """The gemv on a team (stream_gemv.h): column j of the column-major M x N matrix is
        row j of the streamed one. 'T' is y = A^T x (one dot per row), 'N' y = A x (rows
        scaled and summed). 1 when it could not allocate (the caller then runs BLAS)."""
        global _stream_runs
        cdef int mode = 0 if self.ta == b'T' else 1
        cdef Py_ssize_t nx = self.M if mode == 0 else self.N, i
        cdef const double *x = <const double *> self.pb
        cdef double *xc = NULL
        cdef int rc
        if self.incx != 1:     # the row kernels read x contiguously
            xc = <double *> malloc(nx * sizeof(double))
            if xc == NULL:
                return 1
            for i in range(nx):
                xc[i] = x[i * self.incx]
            x = xc
        rc = phx_stream_gemv(<const double *> self.pa, self.lda, self.N, self.M, mode, x,
                             <double *> self.pc, job_threads(), phx_mvp_pick(current_isa()))
        free(xc)
        if rc == 0:
            _stream_runs += 1
        return rc

    cpdef object finish(self):
        cdef int bits = phx_fpe_bits(self.fpe), asked
        if self.kind == P_OUTER:        # np.outer: these multiplies, these flags
            if bits:
                handle_fpe(bits, "multiply")
            return self.result
        asked = reported_bits() if self.redo is not None else 0
        if asked:       # the flags NumPy's product may raise (see the module doc)
            if asked & (FPE_OVERFLOW | FPE_INVALID) and not self._finite():
                bits |= FPE_OVERFLOW | FPE_INVALID
            if asked & FPE_UNDERFLOW and self._may_underflow():
                bits |= FPE_UNDERFLOW
            if bits & asked:
                impl, a, b, kw = self.redo
                redone = handle_fpe(bits, redo=partial(impl, a, b, **kw))
                if redone is not NOT_REDONE:
                    return redone
        if self.kind == P_DOT:
            return np.float32(self.dres) if self.f32 else np.float64(self.dres)
        return self.result

    cdef bint _finite(self):
        if self.kind == P_DOT:
            return isfinite(self.dres)
        return np.isfinite(self.result).all()

    cdef bint _may_underflow(self):
        """Can some product of an element of a and one of b round into the subnormal range
        (in an FMA with any addend)? See the module doc."""
        a, b = self.keep
        return phx_may_underflow(_min_abs_nonzero(a), _min_abs_nonzero(b), self.f32)


cdef double _min_abs_nonzero(object x):
    """The smallest nonzero |element| of an f64 or f32 array of rank 1 or 2 (inf if none)."""
    cdef cnp.ndarray a = <cnp.ndarray> x
    cdef int nd = cnp.PyArray_NDIM(a)
    cdef Py_ssize_t n0 = cnp.PyArray_DIMS(a)[0], n1 = cnp.PyArray_DIMS(a)[1] if nd == 2 else 1
    cdef Py_ssize_t s0 = cnp.PyArray_STRIDES(a)[0], s1 = cnp.PyArray_STRIDES(a)[1] if nd == 2 \
        else 0
    cdef bint f32 = cnp.PyArray_TYPE(a) == cnp.NPY_FLOAT
    cdef const char *p = <const char *> cnp.PyArray_DATA(a)
    cdef Py_ssize_t i, j
    cdef double v, m = INFINITY
    with nogil:
        for i in range(n0):
            for j in range(n1):
                if f32:
                    v = fabs((<const float *> (p + i * s0 + j * s1))[0])
                else:
                    v = fabs((<const double *> (p + i * s0 + j * s1))[0])
                if v < m and v > 0:
                    m = v
    return m


cdef class _MatOperand:
    """A rank-1 or rank-2 operand as BLAS sees it (after an optional transpose)."""
    cdef object arr
    cdef int nd
    cdef Py_ssize_t r, c, s0, s1      # 2-d: extents and byte strides; 1-d: r = n, s0 = stride
    cdef int layout, ld, inc

    cdef int setup(self, object a, bint transpose, int isz) except -1:
        self.arr = a
        self.nd = cnp.PyArray_NDIM(<cnp.ndarray> a)
        if self.nd == 2:
            self.r, self.c = _dim(a, 0), _dim(a, 1)
            self.s0, self.s1 = _stride(a, 0), _stride(a, 1)
            if transpose:
                self.r, self.c, self.s0, self.s1 = self.c, self.r, self.s1, self.s0
            self.layout = _mat_layout(self.r, self.c, self.s0, self.s1, isz, &self.ld)
            if self.layout == 0:        # other strides: one C-contiguous copy
                self.setup(np.ascontiguousarray(a.T if transpose else a), False, isz)
        else:
            self.r, self.s0 = _dim(a, 0), _stride(a, 0)
            self.inc = _vec_inc(self.r, self.s0, isz)
            if self.inc == 0:
                self.setup(np.ascontiguousarray(a), False, isz)
        return 0


cdef class _ProdPrep:
    """Preparer of matmul / dot / matmul_t (operands of rank 1 or 2)."""
    cdef object impl, kw
    cdef int typenum, isz
    cdef bint f32, ta, tb

    def __call__(self, a, b):
        if not (_plain(a, self.typenum) and _plain(b, self.typenum)):
            return self.impl(a, b, **self.kw)
        cdef _MatOperand A = _MatOperand.__new__(_MatOperand)
        cdef _MatOperand B = _MatOperand.__new__(_MatOperand)
        cdef int nda = cnp.PyArray_NDIM(<cnp.ndarray> a), ndb = cnp.PyArray_NDIM(<cnp.ndarray> b)
        if not (1 <= nda <= 2 and 1 <= ndb <= 2):
            return self.impl(a, b, **self.kw)
        cdef Py_ssize_t m = _dim(a, 0) if nda == 2 else 1
        cdef Py_ssize_t ka = _dim(a, nda - 1), kb = _dim(b, 0), n = _dim(b, 1) if ndb == 2 else 1
        if self.ta:
            m, ka = ka, m
        if self.tb:
            kb, n = n, kb
        if ka != kb or m == 0 or n == 0 or ka == 0 or max(m, n, ka) > INT_MAX:
            return self.impl(a, b, **self.kw)    # NumPy's error message, or a trivial result
        A.setup(a, self.ta, self.isz)
        B.setup(b, self.tb, self.isz)
        cdef _ProdJob job = _ProdJob.__new__(_ProdJob)
        job.f32 = self.f32
        job.keep = (A.arr, B.arr)
        job.redo = (self.impl, a, b, self.kw)
        # in element-operations (the unit of the thresholds): a multiply-add of a BLAS product
        # costs about 1/16 of a memory-bound element operation, but every operand element is
        # read at least once
        job.cost = max(<double> m * n * ka / 16.0, <double> m * ka + <double> ka * n)
        cdef int dtype = self.typenum
        cdef cnp.npy_intp dims[2]
        cdef _MatOperand mat, vec
        if nda == 2 and ndb == 2:
            # C^T (n x m) = op(B-memory) @ op(A-memory), all column-major
            job.kind = P_GEMM
            job.M, job.N, job.K = <int> n, <int> m, <int> ka
            job.ta = b'N' if B.layout == ROW else b'T'
            job.tb = b'N' if A.layout == ROW else b'T'
            job.pa, job.lda, job.pb, job.ldb = _data(B.arr), B.ld, _data(A.arr), A.ld
            dims[0], dims[1] = m, n
            job.result = cnp.PyArray_EMPTY(2, dims, dtype, 0)
            job.ldc = <int> max(1, n)
        elif nda == 2 or ndb == 2:
            job.kind = P_GEMV
            mat, vec = (A, B) if nda == 2 else (B, A)
            job.pa, job.lda = _data(mat.arr), mat.ld
            job.pb, job.incx, job.incy = _data(vec.arr), vec.inc, 1
            # M, N: extents of the column-major matrix in memory (ROW: the transpose);
            # y = A @ x needs A itself, y = x @ B needs B^T: transpose iff they differ
            if mat.layout == ROW:
                job.M, job.N = <int> mat.c, <int> mat.r
            else:
                job.M, job.N = <int> mat.r, <int> mat.c
            job.ta = b'T' if (nda == 2) == (mat.layout == ROW) else b'N'
            job.stream = (not self.f32 and <double> job.M * job.N * 8 >= _stream_bytes
                          and job.M >= _STREAM_MIN_K
                          and (job.ta == b'T' or job.M <= _STREAM_MAX_AXPY_K))
            dims[0] = m if nda == 2 else n
            job.result = cnp.PyArray_EMPTY(1, dims, dtype, 0)
        else:
            job.kind = P_DOT
            job.K, job.pa, job.incx, job.pb, job.incy = <int> ka, _data(A.arr), A.inc, \
                _data(B.arr), B.inc
            return job
        job.pc = _data(job.result)
        return job


cdef class _OuterPrep:
    cdef object impl
    cdef int typenum
    cdef bint f32

    def __call__(self, a, b):
        if not (_plain(a, self.typenum) and _plain(b, self.typenum)):
            return self.impl(a, b)
        if cnp.PyArray_NDIM(<cnp.ndarray> a) != 1:
            a = np.ravel(a)
        if cnp.PyArray_NDIM(<cnp.ndarray> b) != 1:
            b = np.ravel(b)
        cdef Py_ssize_t m = _dim(a, 0), n = _dim(b, 0)
        cdef _ProdJob job = _ProdJob.__new__(_ProdJob)
        job.kind, job.f32, job.keep = P_OUTER, self.f32, (a, b)
        job.redo = (self.impl, a, b, {})
        job.M, job.N = <int> m, <int> n
        job.pa, job.sa, job.pb, job.sb = _data(a), _stride(a, 0), _data(b), _stride(b, 0)
        cdef cnp.npy_intp dims[2]
        dims[0], dims[1] = m, n
        job.result = cnp.PyArray_EMPTY(2, dims, self.typenum, 0)
        job.pc = _data(job.result)
        job.cost = <double> m * n
        if m * n == 0:
            return job.result
        return job


_FLOAT_TYPES = {"f64": (cnp.NPY_DOUBLE, 8, False), "f32": (cnp.NPY_FLOAT, 4, True)}


def _same_float(op, max_rank):
    """(typenum, itemsize, is_f32) when every operand and the result share one float dtype
    and the operands have rank 1..max_rank; else None."""
    from phylanx.ir.types import ArrayType
    ts = [v.type for v in op.operands]
    if not all(isinstance(t, ArrayType) and 1 <= t.rank <= max_rank for t in ts):
        return None
    dts = {t.dtype for t in ts}
    res = op.results[0].type
    want = res.dtype if isinstance(res, ArrayType) else getattr(res, "kind", None)
    if len(dts) != 1 or want not in dts or want not in _FLOAT_TYPES:
        return None
    return _FLOAT_TYPES[want]


@register("matmul", "dot", "matmul_t")
def _product_factory(op):
    spec = _same_float(op, 2)
    if spec is None:
        return None          # batched, integer, mixed or complex: NumPy's reference
    cdef _ProdPrep p = _ProdPrep.__new__(_ProdPrep)
    p.typenum, p.isz, p.f32 = spec
    p.impl = op.decl.impl
    p.ta = bool(op.attrs.get("transpose_a", False))
    p.tb = bool(op.attrs.get("transpose_b", False))
    p.kw = {k: op.attrs[k] for k in ("transpose_a", "transpose_b") if k in op.attrs}
    return p


@register("outer")
def _outer_factory(op):
    spec = _same_float(op, 32)
    if spec is None:
        return None
    cdef _OuterPrep p = _OuterPrep.__new__(_OuterPrep)
    p.typenum, _, p.f32 = spec
    p.impl = op.decl.impl
    return p


# ---------------------------------------------------------------------------------------------
# LAPACK: solve, inv, det, cholesky, lstsq (double precision, like numpy.linalg)

cdef enum:
    L_SOLVE = 0
    L_INV = 1
    L_DET = 2
    L_CHOL = 3
    L_LSTSQ = 4

cdef enum:
    E_SINGULAR = 1
    E_NOT_PD = 2
    E_LSTSQ = 3
    E_ARG = 4


cdef class _LapackJob(Job):
    cdef int kind
    cdef int m, n, nrhs, lda, ldb, lwork, rank, info
    cdef bint upper, out32
    cdef const char *a_src       # operand a, read through byte strides (f32 or f64)
    cdef Py_ssize_t as0, as1
    cdef bint a32
    cdef const char *b_src
    cdef Py_ssize_t bs0, bs1
    cdef bint b32
    cdef double *A               # Fortran-order work copies (double)
    cdef double *B
    cdef double *S
    cdef double *work
    cdef int *ipiv
    cdef char *out               # C-order result (NULL: the result is B itself)
    cdef double rcond, det
    cdef object keep, extra
    cdef object redo             # det: (NumPy function, operands, keywords)

    cdef int run(self) noexcept nogil:
        cdef int n = self.n, info = 0, i, j, swaps = 0
        cdef double sign = 1.0, logdet = 0.0, d
        _copy2d(self.a_src, self.as0, self.as1, self.a32, <char *> self.A, 8, 8 * self.lda,
                False, self.m, n)
        if self.kind == L_SOLVE or self.kind == L_LSTSQ:
            _copy2d(self.b_src, self.bs0, self.bs1, self.b32, <char *> self.B, 8, 8 * self.ldb,
                    False, self.m, self.nrhs)
        if self.kind == L_INV:
            memset(self.B, 0, sizeof(double) * n * n)
            for i in range(n):
                self.B[i * n + i] = 1.0
        if self.kind == L_SOLVE or self.kind == L_INV:
            dgesv(&self.n, &self.nrhs, self.A, &self.lda, self.ipiv, self.B, &self.ldb, &info)
        elif self.kind == L_DET:
            # numpy.linalg.det goes through slogdet: sign * exp(sum log|u_ii|)
            dgetrf(&self.n, &self.n, self.A, &self.lda, self.ipiv, &info)
            if info > 0:
                self.det = 0.0
                info = 0
            elif info == 0:
                for i in range(n):
                    if self.ipiv[i] != i + 1:
                        swaps += 1
                    d = self.A[i * self.lda + i]
                    if d < 0:
                        sign = -sign
                        d = -d
                    logdet += log(d)
                if swaps % 2:
                    sign = -sign
                self.det = sign * exp(logdet)
        elif self.kind == L_CHOL:
            dpotrf(b'U' if self.upper else b'L', &self.n, self.A, &self.lda, &info)
            if info == 0:        # zero the triangle LAPACK did not write
                for j in range(n):
                    for i in range(n):
                        if (i < j and not self.upper) or (i > j and self.upper):
                            self.A[j * self.lda + i] = 0.0
        else:
            dgelsd(&self.m, &self.n, &self.nrhs, self.A, &self.lda, self.B, &self.ldb,
                   self.S, &self.rcond, &self.rank, self.work, &self.lwork, self.ipiv, &info)
        self.info = info
        if info != 0:
            self.status = E_ARG if info < 0 else (
                E_SINGULAR if self.kind <= L_INV else E_NOT_PD if self.kind == L_CHOL
                else E_LSTSQ)
            return self.status
        if self.out != NULL:
            if self.kind == L_CHOL:
                _copy2d(<char *> self.A, 8, 8 * self.lda, False, self.out,
                        (4 if self.out32 else 8) * n, 4 if self.out32 else 8, self.out32, n, n)
            elif self.kind != L_DET:
                # x: the first n rows of B, as an (n, nrhs) C-order array
                _copy2d(<char *> self.B, 8, 8 * self.ldb, False, self.out,
                        (4 if self.out32 else 8) * self.nrhs, 4 if self.out32 else 8,
                        self.out32, n, self.nrhs)
        return 0

    cpdef object finish(self):
        if self.status == E_SINGULAR:
            raise LinAlgError("Singular matrix")
        if self.status == E_NOT_PD:
            raise LinAlgError("Matrix is not positive definite")
        if self.status == E_LSTSQ:
            raise LinAlgError("SVD did not converge in Linear Least Squares")
        if self.status:
            raise RuntimeError(f"LAPACK argument error (info = {self.info})")
        if self.kind == L_DET:
            # A NaN or inf determinant: NumPy's det warns "invalid value encountered in det"
            # (or raises, per np.errstate); its own run gives exactly its warnings
            if self.redo is not None and not isfinite(self.det) and reported_bits():
                impl, args, kw = self.redo
                return impl(*args, **kw)
            return np.float32(self.det) if self.out32 else np.float64(self.det)
        if self.kind == L_LSTSQ:
            return self._lstsq_result()
        return self.result

    cdef object _lstsq_result(self):
        cdef Py_ssize_t i, j
        cdef double acc, v
        rt = np.float32 if self.out32 else np.float64
        if self.rank == self.n and self.m > self.n:
            # residuals: squared norm of rows n..m-1 of each column (summed in order)
            res = np.empty(self.nrhs, np.float64)
            for j in range(self.nrhs):
                acc = 0.0
                for i in range(self.n, self.m):
                    v = self.B[j * self.ldb + i]
                    acc += v * v
                res[j] = acc
            res = res.astype(rt, copy=False)
        else:
            res = np.array([], rt)
        x = self.result
        if self.extra:               # 1-d b
            x = x.reshape(self.n)
        return (x, res, np.int32(self.rank), self.keep[2][:min(self.m, self.n)].astype(rt))


cdef inline bint _real_array(object x):
    return (cnp.PyArray_CheckExact(x) and cnp.PyArray_ISALIGNED(<cnp.ndarray> x)
            and cnp.PyArray_ISNOTSWAPPED(<cnp.ndarray> x)
            and cnp.PyArray_TYPE(<cnp.ndarray> x) in (cnp.NPY_DOUBLE, cnp.NPY_FLOAT))


cdef object _as_real(object x):
    """x itself when f32/f64; integers and bools become f64 (as numpy.linalg does)."""
    if _real_array(x):
        return x
    x = np.asarray(x)
    if x.dtype.kind in "biu":
        return np.ascontiguousarray(x, np.float64)
    return None


cdef class _LapackPrep:
    cdef object impl, kw
    cdef int kind
    cdef bint upper, out32

    def __call__(self, *args):
        cdef list ops = []
        for x in args:
            x = _as_real(x)
            if x is None:
                return self.impl(*args, **self.kw)
            ops.append(x)
        a = ops[0]
        b = ops[1] if len(ops) > 1 else None
        if not self._usable(a, b):
            return self.impl(*args, **self.kw)       # NumPy's errors and edge cases
        job = self._job(a, b)
        if self.kind == L_DET:
            job.redo = (self.impl, args, self.kw)
        return job

    cdef bint _usable(self, a, b):
        if cnp.PyArray_NDIM(<cnp.ndarray> a) != 2 or _dim(a, 0) == 0 or _dim(a, 1) == 0:
            return False
        if max(_dim(a, 0), _dim(a, 1)) > 46340:       # n * n fits in a LAPACK int
            return False
        if self.kind != L_LSTSQ and _dim(a, 0) != _dim(a, 1):
            return False
        if b is None:
            return True
        nd = cnp.PyArray_NDIM(<cnp.ndarray> b)
        return 1 <= nd <= 2 and _dim(b, 0) == _dim(a, 0) and (nd == 1 or 0 < _dim(b, 1) < 46340)

    cdef _LapackJob _job(self, a, b):
        cdef _LapackJob job = _LapackJob.__new__(_LapackJob)
        cdef Py_ssize_t m = _dim(a, 0), n = _dim(a, 1)
        cdef int lwork = -1, info = 0, nlvl
        cdef double wq
        cdef int iwq
        job.kind, job.upper, job.out32 = self.kind, self.upper, self.out32
        job.m, job.n, job.lda = <int> m, <int> n, <int> m
        job.a_src, job.as0, job.as1 = _data(a), _stride(a, 0), _stride(a, 1)
        job.a32 = cnp.PyArray_TYPE(<cnp.ndarray> a) == cnp.NPY_FLOAT
        job.cost = max(<double> m * n * n / 8.0, <double> m * n)   # LAPACK: flops / 8
        Aw = np.empty((n, m), np.float64)            # Fortran order (m, n)
        job.A = <double *> _data(Aw)
        ipiv = np.empty(max(m, n), np.intc)
        job.ipiv = <int *> _data(ipiv)
        job.nrhs = 1
        Bw = None
        if b is not None:
            bnd = cnp.PyArray_NDIM(<cnp.ndarray> b)
            job.extra = bnd == 1
            job.nrhs = <int> (1 if bnd == 1 else _dim(b, 1))
            job.b_src, job.bs0 = _data(b), _stride(b, 0)
            job.bs1 = 0 if bnd == 1 else _stride(b, 1)
            job.b32 = cnp.PyArray_TYPE(<cnp.ndarray> b) == cnp.NPY_FLOAT
        rt = np.float32 if self.out32 else np.float64
        if self.kind == L_SOLVE or self.kind == L_INV or self.kind == L_LSTSQ:
            job.ldb = <int> max(m, n)
            Bw = np.empty((job.nrhs if self.kind != L_INV else n, job.ldb), np.float64)
            job.B = <double *> _data(Bw)
        if self.kind == L_SOLVE:
            if job.extra and not self.out32:
                job.result = Bw.reshape(n)           # 1-d x: B is already the result
            else:
                job.result = np.empty([n] if job.extra else [n, job.nrhs], rt)
        elif self.kind == L_INV or self.kind == L_CHOL:
            job.nrhs = <int> n
            job.result = np.empty((n, n), rt)
        elif self.kind == L_LSTSQ:
            job.result = np.empty((n, job.nrhs), rt)
            rc = self.kw.get("rcond")
            job.rcond = np.finfo(np.float64).eps * max(m, n) if rc is None else float(rc)
            Sw = np.empty(max(1, min(m, n)), np.float64)
            job.S = <double *> _data(Sw)
            # workspace query (cheap; LAPACK reports both sizes)
            dgelsd(&job.m, &job.n, &job.nrhs, job.A, &job.lda, job.B, &job.ldb, job.S,
                   &job.rcond, &job.rank, &wq, &lwork, &iwq, &info)
            job.lwork = <int> wq + 1
            Ww = np.empty(job.lwork, np.float64)
            job.work = <double *> _data(Ww)
            ipiv = np.empty(max(1, iwq), np.intc)            # iwork
            job.ipiv = <int *> _data(ipiv)
            Bw = (Bw, Sw, Ww)
        if job.result is not None and not (self.kind == L_SOLVE and job.extra and not self.out32):
            job.out = _data(job.result)
        job.keep = (a, b, Bw[1] if self.kind == L_LSTSQ else None, Aw, Bw, ipiv)
        return job


def _lapack_factory(kind):
    def factory(op):
        from phylanx.ir.types import ArrayType
        ts = [v.type for v in op.operands]
        if not all(isinstance(t, ArrayType) and t.dtype in _REAL for t in ts):
            return None
        if ts[0].rank != 2 or (len(ts) > 1 and ts[1].rank not in (1, 2)):
            return None          # batched: NumPy
        cdef _LapackPrep p = _LapackPrep.__new__(_LapackPrep)
        p.kind = kind
        p.impl = op.decl.impl
        p.kw = dict(op.attrs)
        p.upper = bool(op.attrs.get("upper", False))
        p.out32 = all(t.dtype == "f32" for t in ts)
        return p
    return factory


_REAL = {"f64", "f32", "i64", "i32", "i16", "i8", "u64", "u32", "u16", "u8", "bool"}

register("linalg.solve")(_lapack_factory(L_SOLVE))
register("linalg.inv")(_lapack_factory(L_INV))
register("linalg.det")(_lapack_factory(L_DET))
register("linalg.cholesky")(_lapack_factory(L_CHOL))
register("linalg.lstsq")(_lapack_factory(L_LSTSQ))
