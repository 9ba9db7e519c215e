# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The native loop kernel: a `for_range {parallel = true}` whose body _loopcompile could
compile runs as one node. Threads claim iterations dynamically (an atomic counter: a busy core
simply claims fewer) and run the body's register program without the GIL, each on its own
registers and scratch buffers, calling BLAS/LAPACK directly (one BLAS thread: par_enter).

The work goes in chunks of about 20 ms; between chunks the calling thread takes the GIL to look
at signals, so Ctrl-C stops a long loop. The first failing iteration (lowest index) decides
the exception, raised with NumPy's type and message and a note naming the kernel line.
"""

import numpy as np

cimport numpy as cnp
from cpython.exc cimport PyErr_CheckSignals
from posix.time cimport CLOCK_MONOTONIC, clock_gettime, timespec
from libc.stdlib cimport free, malloc, realloc, calloc
from libc.string cimport memcpy, memset
from libc.stdint cimport int32_t, int64_t
from cython.parallel cimport parallel
cimport openmp
from scipy.linalg.cython_blas cimport ddot, dgemm, dgemv, dsyrk
from scipy.linalg.cython_lapack cimport dgesv, dpotrf, dpotrs

from phylanx.runtime._threads cimport job_threads, par_enter, par_exit
from phylanx.runtime.tasks cimport phx_fetch_add

from phylanx.runtime import _loopcompile as lc

cnp.import_array()

cdef extern from *:
    """
    static inline int phx_add_ovf(long long a, long long b, long long *r) { return __builtin_add_overflow(a, b, r); }
    static inline int phx_sub_ovf(long long a, long long b, long long *r) { return __builtin_sub_overflow(a, b, r); }
    static inline int phx_mul_ovf(long long a, long long b, long long *r) { return __builtin_mul_overflow(a, b, r); }
    """
    int phx_add_ovf(long long a, long long b, long long *r) nogil
    int phx_sub_ovf(long long a, long long b, long long *r) nogil
    int phx_mul_ovf(long long a, long long b, long long *r) nogil

# Must match _loopcompile.py.
DEF R_INT = 0
DEF R_FLOAT = 1
DEF R_ARRAY = 2
DEF DT_F64 = 0
DEF DT_I64 = 1
DEF DT_I32 = 2
DEF I_SCALAR = 0
DEF I_DIM = 1
DEF I_VIEW = 2
DEF I_GATHER = 3
DEF I_EW = 4
DEF I_GEMM = 5
DEF I_SOLVE = 6
DEF I_SETITEM = 7
DEF F_TA = 1
DEF F_TB = 2
DEF F_SYM = 4
DEF MAX_ARGS = 10

# Error codes (formatted by _raise).
DEF E_INDEX = 1        # v: index, axis, size
DEF E_STEP = 2
DEF E_BCAST = 3        # v: shapes of the two operands (2 x 2)
DEF E_MATMUL = 4       # v: the mismatching sizes
DEF E_SQUARE = 5
DEF E_SINGULAR = 6
DEF E_SOLVE = 7        # v: sizes
DEF E_SETITEM = 8      # v: value shape, target shape
DEF E_NOMEM = 9
DEF E_OVERFLOW = 10
DEF E_ZERODIV = 11


ctypedef struct Reg:
    char *data
    Py_ssize_t shape[2]
    Py_ssize_t strides[2]      # bytes
    int ndim                   # arrays: 0..2
    int dtype
    long long i
    double f
    char *buf                  # owned scratch (per thread)
    size_t cap


ctypedef struct Ins:
    int code
    int op
    int out
    int flags
    int n_args
    int args[MAX_ARGS]


ctypedef struct Tmp:
    char *p
    size_t cap


ctypedef struct Err:
    int code
    int op
    long long it               # iteration that failed (the lowest wins)
    long long v[4]


ctypedef struct Ctx:           # one thread
    Reg *regs
    Tmp *tmp                   # 3 per instruction
    Err err


ctypedef struct Prog:
    Ins *ins
    int n_ins
    int n_regs
    int iv
    int *kinds


cdef inline long long _now_ns() noexcept nogil:
    cdef timespec ts
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return ts.tv_sec * 1000000000LL + ts.tv_nsec


cdef inline int _fail(Ctx *c, int code, int op, long long a=0, long long b=0, long long d=0,
                      long long e=0) noexcept nogil:
    c.err.code, c.err.op = code, op
    c.err.v[0], c.err.v[1], c.err.v[2], c.err.v[3] = a, b, d, e
    return -1


cdef inline char *_scratch(Reg *r, size_t nbytes) noexcept nogil:
    cdef char *p
    if nbytes > r.cap:
        p = <char *> realloc(r.buf, nbytes + 64)
        if p == NULL:
            return NULL
        r.buf, r.cap = p, nbytes + 64
    return r.buf if r.buf != NULL else <char *> &r.cap   # 0 bytes: any non-NULL pointer


cdef inline char *_tmp(Tmp *t, size_t nbytes) noexcept nogil:
    cdef char *p
    if nbytes > t.cap:
        p = <char *> realloc(t.p, nbytes + 64)
        if p == NULL:
            return NULL
        t.p, t.cap = p, nbytes + 64
    return t.p if t.p != NULL else <char *> &t.cap


cdef inline void _contig(Reg *r, int ndim, Py_ssize_t n0, Py_ssize_t n1) noexcept nogil:
    r.ndim = ndim
    r.dtype = DT_F64
    r.shape[0], r.shape[1] = n0, n1
    r.strides[1] = 8
    r.strides[0] = 8 * n1 if ndim == 2 else 8
    r.data = r.buf


cdef inline double _fget(Reg *r, Py_ssize_t i, Py_ssize_t j) noexcept nogil:
    return (<double *> (r.data + i * r.strides[0] + j * r.strides[1]))[0]


cdef inline long long _iget(const char *p, int dtype) noexcept nogil:
    if dtype == DT_I64:
        return (<const int64_t *> p)[0]
    return (<const int32_t *> p)[0]


# -- instructions ------------------------------------------------------------------------------

cdef int _scalar(Ctx *c, Ins *ins, int *kinds) noexcept nogil:
    cdef Reg *a = &c.regs[ins.args[0]]
    cdef Reg *b = &c.regs[ins.args[1]]
    cdef Reg *o = &c.regs[ins.out]
    cdef int which = ins.args[2], ovf = 0
    cdef double x, y
    if kinds[ins.out] == R_INT:
        if which == 0:
            ovf = phx_add_ovf(a.i, b.i, &o.i)
        elif which == 1:
            ovf = phx_sub_ovf(a.i, b.i, &o.i)
        else:
            ovf = phx_mul_ovf(a.i, b.i, &o.i)
        if ovf:
            return _fail(c, E_OVERFLOW, ins.op)
        return 0
    x = a.f if kinds[ins.args[0]] == R_FLOAT else <double> a.i
    y = b.f if kinds[ins.args[1]] == R_FLOAT else <double> b.i
    if which == 0:
        o.f = x + y
    elif which == 1:
        o.f = x - y
    else:
        o.f = x * y
    return 0


cdef int _index(Ctx *c, Ins *ins, Reg *x, const int *comps, Reg *o, int *kinds,
                bint read) noexcept nogil:
    """o = x[comps]: a view (ndim 0 when every component is an int; with `read`, the element
    itself goes into o.i / o.f instead)."""
    cdef char *p = x.data
    cdef int ax, nd = 0, kind
    cdef long long idx, start, stop, step, n, length
    for ax in range(x.ndim):
        kind = comps[4 * ax]
        n = x.shape[ax]
        if kind == 0:
            idx = c.regs[comps[4 * ax + 1]].i
            if idx < 0:
                idx += n
            if idx < 0 or idx >= n:
                return _fail(c, E_INDEX, ins.op, c.regs[comps[4 * ax + 1]].i, ax, n)
            p += idx * x.strides[ax]
            continue
        step = 1 if comps[4 * ax + 3] < 0 else c.regs[comps[4 * ax + 3]].i
        if step == 0:
            return _fail(c, E_STEP, ins.op)
        # Python's slice.indices / PySlice_AdjustIndices
        if comps[4 * ax + 1] < 0:
            start = 0 if step > 0 else n - 1
        else:
            start = c.regs[comps[4 * ax + 1]].i
            if start < 0:
                start += n
                if start < 0:
                    start = 0 if step > 0 else -1
            elif start >= n:
                start = n if step > 0 else n - 1
        if comps[4 * ax + 2] < 0:
            stop = n if step > 0 else -1
        else:
            stop = c.regs[comps[4 * ax + 2]].i
            if stop < 0:
                stop += n
                if stop < 0:
                    stop = 0 if step > 0 else -1
            elif stop >= n:
                stop = n if step > 0 else n - 1
        if step > 0:
            length = (stop - start + step - 1) // step if stop > start else 0
        else:
            length = (start - stop - step - 1) // (-step) if start > stop else 0
        if length > 0:
            p += start * x.strides[ax]
        o.shape[nd] = length
        o.strides[nd] = x.strides[ax] * step
        nd += 1
    if nd == 0 and read:
        if kinds[ins.out] == R_FLOAT:
            o.f = (<double *> p)[0]
        else:
            o.i = _iget(p, x.dtype)
        return 0
    o.data, o.ndim, o.dtype = p, nd, x.dtype
    return 0


cdef int _gather(Ctx *c, Ins *ins) noexcept nogil:
    cdef Reg *x = &c.regs[ins.args[0]]
    cdef Reg *ix = &c.regs[ins.args[1]]
    cdef Reg *o = &c.regs[ins.out]
    cdef Py_ssize_t m = ix.shape[0], n = x.shape[0], cols = x.shape[1] if x.ndim == 2 else 1
    cdef Py_ssize_t j, k, isz = 8 if x.dtype != DT_I32 else 4
    cdef long long idx
    cdef char *src
    cdef char *dst
    if _scratch(o, m * cols * isz) == NULL:
        return _fail(c, E_NOMEM, ins.op)
    o.data, o.ndim, o.dtype = o.buf, x.ndim, x.dtype
    o.shape[0], o.shape[1] = m, cols
    o.strides[0], o.strides[1] = cols * isz, isz
    if x.ndim == 1:
        o.strides[0] = isz
    dst = o.data
    for j in range(m):
        idx = _iget(ix.data + j * ix.strides[0], ix.dtype)
        if idx < 0:
            idx += n
        if idx < 0 or idx >= n:
            return _fail(c, E_INDEX, ins.op, _iget(ix.data + j * ix.strides[0], ix.dtype), 0, n)
        src = x.data + idx * x.strides[0]
        if x.ndim == 1 or x.strides[1] == isz:
            memcpy(dst, src, cols * isz)
        else:
            for k in range(cols):
                memcpy(dst + k * isz, src + k * x.strides[1], isz)
        dst += cols * isz
    return 0


cdef int _elementwise(Ctx *c, Ins *ins, int *kinds) noexcept nogil:
    cdef Reg *a = &c.regs[ins.args[0]]
    cdef Reg *b = &c.regs[ins.args[1]]
    cdef Reg *o = &c.regs[ins.out]
    cdef int which = ins.args[2], k
    cdef Py_ssize_t sh[2]
    cdef Py_ssize_t sa[2]
    cdef Py_ssize_t sb[2]
    cdef Py_ssize_t da, db, i, j
    cdef double ca = 0.0, cb = 0.0, x, y
    cdef char *pa
    cdef char *pb
    cdef double *out
    cdef int na = a.ndim if kinds[ins.args[0]] == R_ARRAY else 0
    cdef int nb = b.ndim if kinds[ins.args[1]] == R_ARRAY else 0
    cdef int nd = na if na > nb else nb
    if na == 0:
        ca = a.f if kinds[ins.args[0]] == R_FLOAT else (<double> a.i if
                                                         kinds[ins.args[0]] == R_INT else
                                                         (<double *> a.data)[0])
    if nb == 0:
        cb = b.f if kinds[ins.args[1]] == R_FLOAT else (<double> b.i if
                                                         kinds[ins.args[1]] == R_INT else
                                                         (<double *> b.data)[0])
    # right-aligned broadcasting over at most 2 axes; stride 0 repeats an operand
    for k in range(2):
        sh[k], sa[k], sb[k] = 1, 0, 0
    for k in range(nd):
        da = a.shape[na - nd + k] if na - nd + k >= 0 else 1
        db = b.shape[nb - nd + k] if nb - nd + k >= 0 else 1
        if da != db and da != 1 and db != 1:
            return _fail(c, E_BCAST, ins.op, a.shape[0] if na else -1, a.shape[1] if na == 2
                         else -1, b.shape[0] if nb else -1, b.shape[1] if nb == 2 else -1)
        sh[2 - nd + k] = da if db == 1 else db
        if na - nd + k >= 0 and da != 1:
            sa[2 - nd + k] = a.strides[na - nd + k]
        if nb - nd + k >= 0 and db != 1:
            sb[2 - nd + k] = b.strides[nb - nd + k]
    if _scratch(o, sh[0] * sh[1] * 8) == NULL:
        return _fail(c, E_NOMEM, ins.op)
    _contig(o, nd, sh[0] if nd == 2 else sh[1], sh[1])
    out = <double *> o.buf
    for i in range(sh[0]):
        # a scalar operand is read through stride 0 from ca / cb
        pa = a.data + i * sa[0] if na else <char *> &ca
        pb = b.data + i * sb[0] if nb else <char *> &cb
        _ew_row(which, out, pa, sa[1] if na else 0, pb, sb[1] if nb else 0, sh[1])
        out += sh[1]
    return 0


cdef inline void _ew_row(int which, double *out, const char *pa, Py_ssize_t sa,
                         const char *pb, Py_ssize_t sb, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t j
    if which == 0:
        for j in range(n):
            out[j] = (<const double *> (pa + j * sa))[0] + (<const double *> (pb + j * sb))[0]
    elif which == 1:
        for j in range(n):
            out[j] = (<const double *> (pa + j * sa))[0] - (<const double *> (pb + j * sb))[0]
    elif which == 2:
        for j in range(n):
            out[j] = (<const double *> (pa + j * sa))[0] * (<const double *> (pb + j * sb))[0]
    else:
        for j in range(n):
            out[j] = (<const double *> (pa + j * sa))[0] / (<const double *> (pb + j * sb))[0]


cdef int _ld(Reg *r, int *trans) noexcept nogil:
    """Column-major view of a 2-d register for BLAS: leading dimension, and trans[0] = 1 when
    the column-major matrix is r's transpose (rows contiguous); 0 when BLAS cannot read it."""
    cdef Py_ssize_t s0 = r.strides[0], s1 = r.strides[1]
    cdef Py_ssize_t n0 = r.shape[0], n1 = r.shape[1]
    if (s1 == 8 or n1 <= 1) and s0 % 8 == 0 and s0 >= 8 * (n1 if n1 > 1 else 1):
        trans[0] = 1
        return <int> (s0 // 8) if n0 > 1 else <int> (n1 if n1 > 1 else 1)
    if (s0 == 8 or n0 <= 1) and s1 % 8 == 0 and s1 >= 8 * (n0 if n0 > 1 else 1):
        trans[0] = 0
        return <int> (s1 // 8) if n1 > 1 else <int> (n0 if n0 > 1 else 1)
    return 0


cdef Reg *_blas_ready(Ctx *c, Ins *ins, Reg *r, Tmp *t, Reg *copy) noexcept nogil:
    """r itself if BLAS can read it, else a C-contiguous copy in t (NULL: out of memory)."""
    cdef int tr
    cdef Py_ssize_t i, j, n
    cdef double *d
    if r.ndim == 2:
        if _ld(r, &tr):
            return r
        n = r.shape[0] * r.shape[1]
    else:
        if r.strides[0] > 0 and r.strides[0] % 8 == 0:
            return r
        n = r.shape[0]
    d = <double *> _tmp(t, n * 8)
    if d == NULL:
        return NULL
    copy[0] = r[0]
    copy.data = <char *> d
    if r.ndim == 2:
        for i in range(r.shape[0]):
            for j in range(r.shape[1]):
                d[i * r.shape[1] + j] = _fget(r, i, j)
        copy.strides[0], copy.strides[1] = 8 * r.shape[1], 8
    else:
        for i in range(n):
            d[i] = (<double *> (r.data + i * r.strides[0]))[0]
        copy.strides[0] = 8
    return copy


cdef int _product(Ctx *c, Ins *ins, int ti) noexcept nogil:
    cdef Reg ca, cb
    cdef Reg *a = _blas_ready(c, ins, &c.regs[ins.args[0]], &c.tmp[ti], &ca)
    cdef Reg *b = _blas_ready(c, ins, &c.regs[ins.args[1]], &c.tmp[ti + 1], &cb)
    cdef Reg *o = &c.regs[ins.out]
    cdef bint ta = ins.flags & F_TA and a != NULL and a.ndim == 2
    cdef bint tb = ins.flags & F_TB and b != NULL and b.ndim == 2
    cdef int M, N, K, lda, ldb, ldc, inca, incb, one_i = 1, tra, trb, i, j
    cdef double one = 1.0, zero = 0.0
    cdef char opa, opb
    cdef Py_ssize_t am, ak, bk, bn
    cdef double *out
    if a == NULL or b == NULL:
        return _fail(c, E_NOMEM, ins.op)
    # logical shapes after the transposes: a is (am, ak), b is (bk, bn)
    if a.ndim == 2:
        am, ak = (a.shape[1], a.shape[0]) if ta else (a.shape[0], a.shape[1])
    else:
        am, ak = 1, a.shape[0]
    if b.ndim == 2:
        bk, bn = (b.shape[1], b.shape[0]) if tb else (b.shape[0], b.shape[1])
    else:
        bk, bn = b.shape[0], 1
    if ak != bk:
        return _fail(c, E_MATMUL, ins.op, ak, bk)
    M, N, K = <int> am, <int> bn, <int> ak
    if a.ndim == 1 and b.ndim == 1:
        inca, incb = <int> (a.strides[0] // 8), <int> (b.strides[0] // 8)
        o.f = ddot(&K, <double *> a.data, &inca, <double *> b.data, &incb) if K else 0.0
        return 0
    if _scratch(o, <size_t> M * N * 8) == NULL:
        return _fail(c, E_NOMEM, ins.op)
    if a.ndim == 2 and b.ndim == 2:
        _contig(o, 2, M, N)
    else:
        _contig(o, 1, M if a.ndim == 2 else N, 1)
    out = <double *> o.data
    if M == 0 or N == 0:
        return 0
    if K == 0:
        memset(out, 0, <size_t> M * N * 8)
        return 0
    if a.ndim == 2 and b.ndim == 2:
        lda, ldb = _ld(a, &tra), _ld(b, &trb)
        if ins.flags & F_SYM and K >= 1024:
            # x.T @ x or x @ x.T: syrk (half the flops) writes one triangle, mirrored after.
            # Below ~1000 rows OpenBLAS's gemm (small-matrix kernels, no packing) is faster
            # despite twice the flops (measured at k = 40: 10.6 us vs 17.5 us for 165 rows).
            ldc = N
            opa = b'N' if (tra != 0) == (ta != 0) else b'T'
            dsyrk(b'U', &opa, &N, &K, &one, <double *> a.data, &lda, &zero, out, &ldc)
            for i in range(N):
                for j in range(i + 1, N):
                    out[i * N + j] = out[j * N + i]
            return 0
        # row-major out (M x N) is column-major out^T (N x M) = op(b)^T-ish: out^T = B^T A^T
        opb = b'N' if (trb != 0) != (tb != 0) else b'T'
        opa = b'N' if (tra != 0) != (ta != 0) else b'T'
        ldc = N
        dgemm(&opb, &opa, &N, &M, &K, &one, <double *> b.data, &ldb, <double *> a.data, &lda,
              &zero, out, &ldc)
        return 0
    if a.ndim == 2:    # (M x K) @ (K,) -> (M,)
        lda = _ld(a, &tra)
        incb = <int> (b.strides[0] // 8)
        # column-major A_cm is a (tra=0) or a^T (tra=1); we need op(a) @ x
        opa = b'N' if (tra == 0) != (ta != 0) else b'T'
        if tra:
            i, j = <int> a.shape[1], <int> a.shape[0]
        else:
            i, j = <int> a.shape[0], <int> a.shape[1]
        dgemv(&opa, &i, &j, &one, <double *> a.data, &lda, <double *> b.data, &incb, &zero,
              out, &one_i)
        return 0
    # (K,) @ (K x N) -> (N,) = op(b)^T @ x
    ldb = _ld(b, &trb)
    inca = <int> (a.strides[0] // 8)
    opb = b'T' if (trb == 0) != (tb != 0) else b'N'
    if trb:
        i, j = <int> b.shape[1], <int> b.shape[0]
    else:
        i, j = <int> b.shape[0], <int> b.shape[1]
    dgemv(&opb, &i, &j, &one, <double *> b.data, &ldb, <double *> a.data, &inca, &zero, out,
          &one_i)
    return 0


cdef int _solve(Ctx *c, Ins *ins, int ti) noexcept nogil:
    cdef Reg *a = &c.regs[ins.args[0]]
    cdef Reg *b = &c.regs[ins.args[1]]
    cdef Reg *o = &c.regs[ins.out]
    cdef int n, nrhs, info = 0, i, j, lda
    cdef double *A
    cdef double *B
    cdef int *piv
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        return _fail(c, E_SQUARE, ins.op)
    n = <int> a.shape[0]
    nrhs = <int> (b.shape[1] if b.ndim == 2 else 1)
    if b.shape[0] != n:
        return _fail(c, E_SOLVE, ins.op, n, b.shape[0])
    lda = n if n > 0 else 1
    A = <double *> _tmp(&c.tmp[ti], <size_t> n * n * 8)
    piv = <int *> _tmp(&c.tmp[ti + 1], <size_t> n * 4)
    if _scratch(o, <size_t> n * nrhs * 8) == NULL or A == NULL or piv == NULL:
        return _fail(c, E_NOMEM, ins.op)
    _contig(o, b.ndim, n, nrhs)
    if n == 0 or nrhs == 0:
        return 0
    B = <double *> _tmp(&c.tmp[ti + 2], <size_t> n * nrhs * 8) if b.ndim == 2 else \
        <double *> o.data
    if B == NULL:
        return _fail(c, E_NOMEM, ins.op)
    for j in range(nrhs):           # Fortran order
        for i in range(n):
            B[j * n + i] = _fget(b, i, j) if b.ndim == 2 else \
                (<double *> (b.data + i * b.strides[0]))[0]
    for j in range(n):
        for i in range(n):
            A[j * n + i] = _fget(a, i, j)
    if ins.flags & F_SYM:
        dpotrf(b'L', &n, A, &lda, &info)
        if info == 0:
            dpotrs(b'L', &n, &nrhs, A, &lda, B, &lda, &info)
        else:   # not positive definite: LU, like numpy.linalg.solve
            for j in range(n):
                for i in range(n):
                    A[j * n + i] = _fget(a, i, j)
            info = -1
    if not (ins.flags & F_SYM) or info == -1:
        dgesv(&n, &nrhs, A, &lda, piv, B, &lda, &info)
    if info > 0:
        return _fail(c, E_SINGULAR, ins.op)
    if b.ndim == 2:
        for i in range(n):
            for j in range(nrhs):
                (<double *> o.data)[i * nrhs + j] = B[j * n + i]
    return 0


cdef int _setitem(Ctx *c, Ins *ins, int *kinds) noexcept nogil:
    cdef Reg *x = &c.regs[ins.args[0]]
    cdef Reg *v = &c.regs[ins.args[1]]
    cdef Reg t
    cdef Py_ssize_t i, j, vi, vj, n0, n1
    cdef int vk = kinds[ins.args[1]], k
    cdef double s
    if _index(c, ins, x, &ins.args[2], &t, kinds, 0) < 0:
        return -1
    n0 = t.shape[0] if t.ndim >= 1 else 1
    n1 = t.shape[1] if t.ndim == 2 else 1
    if vk != R_ARRAY:
        s = v.f if vk == R_FLOAT else <double> v.i
        for i in range(n0):
            for j in range(n1):
                (<double *> (t.data + (i * t.strides[0] if t.ndim >= 1 else 0)
                             + (j * t.strides[1] if t.ndim == 2 else 0)))[0] = s
        return 0
    # NumPy: the value broadcasts to the target (right-aligned); leading 1s may be dropped
    if v.ndim > t.ndim:
        for k in range(v.ndim - t.ndim):
            if v.shape[k] != 1:
                return _fail(c, E_SETITEM, ins.op, v.shape[0], v.shape[1] if v.ndim == 2 else -1,
                             t.shape[0] if t.ndim else -1, -1)
    if t.ndim >= 1 and v.ndim >= 1:
        vi = v.shape[v.ndim - 1]
        if vi != (n1 if t.ndim == 2 else n0) and vi != 1:
            return _fail(c, E_SETITEM, ins.op, v.shape[0], v.shape[1] if v.ndim == 2 else -1,
                         t.shape[0], t.shape[1] if t.ndim == 2 else -1)
    if t.ndim == 2 and v.ndim == 2 and v.shape[0] != n0 and v.shape[0] != 1:
        return _fail(c, E_SETITEM, ins.op, v.shape[0], v.shape[1], t.shape[0], t.shape[1])
    for i in range(n0):
        for j in range(n1):
            if v.ndim == 0:
                s = (<double *> v.data)[0]
            elif v.ndim == 1:
                vj = (j if t.ndim == 2 else i)
                s = (<double *> (v.data + (vj if v.shape[0] > 1 else 0) * v.strides[0]))[0]
            else:
                vi = i if v.shape[0] > 1 and t.ndim == 2 else 0
                vj = (j if t.ndim == 2 else i) if v.shape[1] > 1 else 0
                s = _fget(v, vi, vj)
            (<double *> (t.data + (i * t.strides[0] if t.ndim >= 1 else 0)
                         + (j * t.strides[1] if t.ndim == 2 else 0)))[0] = s
    return 0


cdef int _iteration(Prog *p, Ctx *c, long long iv) noexcept nogil:
    cdef int k
    cdef Ins *ins
    cdef Reg *o
    cdef Reg *x
    c.regs[p.iv].i = iv
    for k in range(p.n_ins):
        ins = &p.ins[k]
        if ins.code == I_SCALAR:
            if _scalar(c, ins, p.kinds) < 0:
                return -1
        elif ins.code == I_DIM:
            x = &c.regs[ins.args[0]]
            c.regs[ins.out].i = x.shape[ins.args[1]] if ins.args[1] < x.ndim else 0
        elif ins.code == I_VIEW:
            if _index(c, ins, &c.regs[ins.args[0]], &ins.args[1], &c.regs[ins.out], p.kinds,
                      1) < 0:
                return -1
        elif ins.code == I_GATHER:
            if _gather(c, ins) < 0:
                return -1
        elif ins.code == I_EW:
            if _elementwise(c, ins, p.kinds) < 0:
                return -1
        elif ins.code == I_GEMM:
            if _product(c, ins, 3 * k) < 0:
                return -1
        elif ins.code == I_SOLVE:
            if _solve(c, ins, 3 * k) < 0:
                return -1
        elif ins.code == I_SETITEM:
            if _setitem(c, ins, p.kinds) < 0:
                return -1
    return 0


# -- running a loop ----------------------------------------------------------------------------

ctypedef struct Loop:
    Prog *prog
    Ctx *ctx
    long long lo
    long long step
    Py_ssize_t next           # next unclaimed iteration (atomic)
    Py_ssize_t end            # end of the current chunk
    int stop


cdef void _claim(Loop *L, Ctx *c) noexcept nogil:
    cdef Py_ssize_t it
    while not L.stop:
        it = phx_fetch_add(&L.next, 1)
        if it >= L.end:
            break
        if _iteration(L.prog, c, L.lo + it * L.step) < 0:
            if c.err.it < 0 or it < c.err.it:
                c.err.it = it
            L.stop = 1
            break


cdef void _run_chunk(Loop *L, int threads) noexcept nogil:
    cdef int tid
    if threads <= 1:
        _claim(L, &L.ctx[0])
        return
    with parallel(num_threads=threads):
        tid = openmp.omp_get_thread_num()
        _claim(L, &L.ctx[tid])


_EXC = {E_INDEX: IndexError, E_STEP: ValueError, E_BCAST: ValueError, E_MATMUL: ValueError,
        E_SQUARE: np.linalg.LinAlgError, E_SINGULAR: np.linalg.LinAlgError, E_SOLVE: ValueError,
        E_SETITEM: ValueError, E_NOMEM: MemoryError, E_OVERFLOW: OverflowError}


def _shape(a, b):
    return "(" + ",".join(str(v) for v in (a, b) if v >= 0) + ("," if b < 0 <= a else "") + ")"


def _message(int code, v):
    if code == E_INDEX:
        return f"index {v[0]} is out of bounds for axis {v[1]} with size {v[2]}"
    if code == E_STEP:
        return "slice step cannot be zero"
    if code == E_BCAST:
        return (f"operands could not be broadcast together with shapes {_shape(v[0], v[1])} "
                f"{_shape(v[2], v[3])}")
    if code == E_MATMUL:
        return (f"matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
                f"signature (n?,k),(k,m?)->(n?,m?) (size {v[1]} is different from {v[0]})")
    if code == E_SQUARE:
        return "Last 2 dimensions of the array must be square"
    if code == E_SINGULAR:
        return "Singular matrix"
    if code == E_SOLVE:
        return (f"solve: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
                f"signature (m,m),(m)->(m) (size {v[1]} is different from {v[0]})")
    if code == E_SETITEM:
        return (f"could not broadcast input array from shape {_shape(v[0], v[1])} into shape "
                f"{_shape(v[2], v[3])}")
    if code == E_OVERFLOW:
        return "integer overflow in a loop index computation"
    return "out of memory"


cdef int _ndim_ok(object a, int dtype, int ndim):
    cdef int typenum = cnp.NPY_FLOAT64 if dtype == DT_F64 else (
        cnp.NPY_INT64 if dtype == DT_I64 else cnp.NPY_INT32)
    return (cnp.PyArray_Check(a) and cnp.PyArray_NDIM(<cnp.ndarray> a) == ndim
            and cnp.PyArray_TYPE(<cnp.ndarray> a) == typenum
            and cnp.PyArray_ISALIGNED(<cnp.ndarray> a)
            and cnp.PyArray_ISNOTSWAPPED(<cnp.ndarray> a))


cdef class LoopKernel:
    """The native preparer of a parallel for_range: called as (lo, hi, step, *carried inits,
    *free values) with the GIL; runs the loop and returns the tuple of carried results."""
    cdef Prog prog
    cdef Ins *ins
    cdef int *kinds
    cdef int *dtypes
    cdef int *ndims
    cdef list free_regs, carried_regs, consts, ops
    cdef readonly object program

    def __cinit__(self, program):
        cdef int k, j
        self.program = program
        n_regs, n_ins = len(program.kinds), len(program.instrs)
        self.ins = <Ins *> calloc(max(1, n_ins), sizeof(Ins))
        self.kinds = <int *> calloc(max(1, n_regs), sizeof(int))
        self.dtypes = <int *> calloc(max(1, n_regs), sizeof(int))
        self.ndims = <int *> calloc(max(1, n_regs), sizeof(int))
        if not (self.ins and self.kinds and self.dtypes and self.ndims):
            raise MemoryError()
        for k, (code, op, out, args, flags) in enumerate(program.instrs):
            if len(args) > MAX_ARGS:
                raise ValueError("loop kernel instruction with too many arguments")
            self.ins[k].code, self.ins[k].op, self.ins[k].out = code, op, out
            self.ins[k].flags, self.ins[k].n_args = flags, len(args)
            for j, a in enumerate(args):
                self.ins[k].args[j] = a
        for k in range(n_regs):
            self.kinds[k] = program.kinds[k]
            self.dtypes[k] = program.dtypes[k]
        values = [*program.free, *[a for a in program.op.regions[0].args[1:]]]
        regs = [*program.free_regs, *program.carried_regs]
        for v, r in zip(values, regs):
            self.ndims[r] = getattr(v.type, "rank", 0)
        self.prog.ins, self.prog.n_ins, self.prog.n_regs = self.ins, n_ins, n_regs
        self.prog.iv, self.prog.kinds = program.iv_reg, self.kinds
        self.free_regs, self.carried_regs = program.free_regs, program.carried_regs
        self.consts, self.ops = program.consts, program.ops

    def __dealloc__(self):
        free(self.ins)
        free(self.kinds)
        free(self.dtypes)
        free(self.ndims)

    cdef int _load(self, Reg *regs, int r, object v, list keep) except -1:
        if self.kinds[r] == R_INT:
            regs[r].i = v
        elif self.kinds[r] == R_FLOAT:
            regs[r].f = v
        else:
            if not _ndim_ok(v, self.dtypes[r], self.ndims[r]):
                v = np.require(v, dtype=(np.float64, np.int64, np.int32)[self.dtypes[r]],
                               requirements="AC")
                if cnp.PyArray_NDIM(<cnp.ndarray> v) != self.ndims[r]:
                    raise TypeError("loop kernel operand has an unexpected rank")
            keep.append(v)
            regs[r].data = <char *> cnp.PyArray_DATA(<cnp.ndarray> v)
            regs[r].ndim = self.ndims[r]
            regs[r].dtype = self.dtypes[r]
            regs[r].shape[0] = cnp.PyArray_DIMS(<cnp.ndarray> v)[0]
            regs[r].strides[0] = cnp.PyArray_STRIDES(<cnp.ndarray> v)[0]
            regs[r].shape[1] = cnp.PyArray_DIMS(<cnp.ndarray> v)[1] if self.ndims[r] == 2 else 1
            regs[r].strides[1] = cnp.PyArray_STRIDES(<cnp.ndarray> v)[1] \
                if self.ndims[r] == 2 else 8
        return 0

    def __call__(self, lo, hi, step, *values):
        cdef int n_carried = len(self.carried_regs), n_regs = self.prog.n_regs
        cdef int threads, t, k
        cdef Py_ssize_t n
        cdef Reg *template = NULL
        cdef Ctx *ctx = NULL
        cdef Loop L
        cdef long long t0, dt, chunk
        cdef list keep = []
        n = len(range(lo, hi, step))
        carried, free_values = values[:n_carried], values[n_carried:]
        if n == 0:
            return tuple(carried)
        writes_back = []
        threads = job_threads()
        if threads > n:
            threads = <int> n
        template = <Reg *> calloc(n_regs, sizeof(Reg))
        ctx = <Ctx *> calloc(threads, sizeof(Ctx))
        try:
            if template == NULL or ctx == NULL:
                raise MemoryError()
            for r, v in zip(self.free_regs, free_values):
                self._load(template, r, v, keep)
            for r, v in self.consts:
                self._load(template, r, v, keep)
            for r, v in zip(self.carried_regs, carried):
                if not (_ndim_ok(v, DT_F64, self.ndims[r]) and
                        cnp.PyArray_ISWRITEABLE(<cnp.ndarray> v)):
                    if not isinstance(v, np.ndarray) or not v.flags.writeable:
                        raise ValueError("assignment destination is read-only")
                    work = np.array(v, dtype=np.float64)   # written here, copied back after
                    writes_back.append((v, work))
                    v = work
                self._load(template, r, v, keep)
            for t in range(threads):
                ctx[t].regs = <Reg *> malloc(n_regs * sizeof(Reg))
                ctx[t].tmp = <Tmp *> calloc(3 * max(1, self.prog.n_ins), sizeof(Tmp))
                if ctx[t].regs == NULL or ctx[t].tmp == NULL:
                    raise MemoryError()
                memcpy(ctx[t].regs, template, n_regs * sizeof(Reg))
                ctx[t].err.it = -1
            L.prog, L.ctx, L.lo, L.step, L.next, L.stop = &self.prog, ctx, lo, step, 0, 0
            chunk = threads
            if threads > 1:
                par_enter()
            try:
                while L.next < n and not L.stop:
                    L.end = L.next + chunk if L.next + chunk < n else n
                    with nogil:
                        t0 = _now_ns()
                        _run_chunk(&L, threads)
                        dt = _now_ns() - t0
                    L.next = L.end
                    # chunks of about 20 ms: Ctrl-C is noticed, a parallel region is cheap
                    chunk = chunk * 2 if dt < 10000000 else (chunk // 2 if dt > 40000000
                                                               else chunk)
                    if chunk < threads:
                        chunk = threads
                    PyErr_CheckSignals()
            finally:
                if threads > 1:
                    par_exit()
            self._raise_first_error(ctx, threads)
            for orig, work in writes_back:
                orig[...] = work
            return tuple(carried)   # setitem wrote into them in place
        finally:
            if ctx != NULL:
                for t in range(threads):
                    if ctx[t].regs != NULL:
                        for k in range(n_regs):
                            free(ctx[t].regs[k].buf)
                    if ctx[t].tmp != NULL:
                        for k in range(3 * max(1, self.prog.n_ins)):
                            free(ctx[t].tmp[k].p)
                    free(ctx[t].regs)
                    free(ctx[t].tmp)
            free(ctx)
            free(template)

    cdef _raise_first_error(self, Ctx *ctx, int threads):
        cdef int t, best = -1
        for t in range(threads):
            if ctx[t].err.code and (best < 0 or ctx[t].err.it < ctx[best].err.it):
                best = t
        if best < 0:
            return
        e = ctx[best].err
        v = [e.v[0], e.v[1], e.v[2], e.v[3]]
        exc = _EXC[e.code](_message(e.code, v))
        op = self.ops[e.op]
        exc.add_note(f"in kernel line {op.loc}: {op.name}")
        raise exc


def loop_kernel(op):
    """The native preparer of a parallel for_range, or None (see _loopcompile)."""
    program = lc.compile_loop(op)
    return None if program is None else LoopKernel(program)
