# cython: language_level=3
"""Native reductions: sum, prod, mean, min, max, argmin, argmax, any, all, var, std.

Inputs f64, f32, i64, i32 and bool, any axis/keepdims, NumPy 2 result dtypes (integer sums and
products in int64, means and variances of integers in f64). The preparer views the operand in
memory order (axes sorted by stride, adjacent axes merged where the strides allow, as NumPy's
iterator does) and accepts it when that gives  outer-kept x reduced x inner-kept  (Ko, Rn, Ki)
with one stride each; other layouts, 0-d and empty inputs go to NumPy (which then also raises
its own errors, e.g. "zero-size array to reduction operation minimum which has no identity").

Summation order follows NumPy so float results agree bit for bit in the cases tests check:
  * reduced axis innermost (Ki == 1): 0 + pairwise(row), NumPy's pairwise summation
    (pairwise.h, the runtime's one implementation); when the input is cast (integer
    mean, sum(dtype=f64) of f32) NumPy sums through 8192-element buffers: pairwise per buffer,
    buffers added in order;
  * kept axis innermost (Ki > 1): out[i] += x[r, i] for r in order.
var/std follow numpy's _var: mean (as above, divided in double and cast), then the pairwise
sum of (x - mean)**2 computed in the input's float type (f64 for integers).
Parallel (OpenMP teams of job_threads(), dynamic claiming) over outputs, over column chunks
when Ki > 1, or for one long row over subtrees of the pairwise tree / chunks combined in order:
the same result as serial. Float products of one long row stay serial (their rounding depends
on the order). NaN-aware min/max of f64/f32 use the SSE2 kernels of _reduce_simd.h.
The floating-point flags of float sums, products, means and variances are collected from every
thread: when np.errstate asks about one, NumPy's reduction runs and reports (runtime/_fpe.py).
"""

from functools import partial

import numpy as np

cimport numpy as cnp
cimport openmp
from cython.parallel cimport parallel, prange
from libc.math cimport sqrt
from libc.stdint cimport int32_t, int64_t, uint8_t, uint64_t
from libc.stdlib cimport free, malloc

from phylanx.runtime._threads cimport job_threads

from phylanx.runtime.native cimport Job

from phylanx.runtime._fpe import NOT_REDONE
from phylanx.runtime._fpe import handle as handle_fpe
from phylanx.runtime.natives import register

cnp.import_array()

ctypedef fused num:
    double
    float
    int64_t
    int32_t
    uint8_t

ctypedef fused flt:
    double
    float

cdef extern from "pairwise.h" nogil:
    enum:
        PHX_PAIRWISE_LEAF
    Py_ssize_t phx_pairwise_split(Py_ssize_t n)
    double phx_pw_dd(const double *p, Py_ssize_t n, Py_ssize_t s, double mean)
    float phx_pw_ff(const float *p, Py_ssize_t n, Py_ssize_t s, float mean)
    double phx_pw_fd(const float *p, Py_ssize_t n, Py_ssize_t s, double mean)
    double phx_pw_ld(const int64_t *p, Py_ssize_t n, Py_ssize_t s, double mean)
    double phx_pw_id(const int32_t *p, Py_ssize_t n, Py_ssize_t s, double mean)
    double phx_pw_bd(const uint8_t *p, Py_ssize_t n, Py_ssize_t s, double mean)
    double phx_pw_dd_sq(const double *p, Py_ssize_t n, Py_ssize_t s, double mean)
    float phx_pw_ff_sq(const float *p, Py_ssize_t n, Py_ssize_t s, float mean)
    double phx_pw_fd_sq(const float *p, Py_ssize_t n, Py_ssize_t s, double mean)
    double phx_pw_ld_sq(const int64_t *p, Py_ssize_t n, Py_ssize_t s, double mean)
    double phx_pw_id_sq(const int32_t *p, Py_ssize_t n, Py_ssize_t s, double mean)
    double phx_pw_bd_sq(const uint8_t *p, Py_ssize_t n, Py_ssize_t s, double mean)

cdef extern from "fpe.h" nogil:
    void phx_fpe_clear()
    void phx_fpe_collect(int *acc)
    int phx_fpe_bits(int f)

cdef extern from "_reduce_simd.h" nogil:
    double phx_ext_f64(const double *p, Py_ssize_t n, int is_max, int *has_nan)
    float phx_ext_f32(const float *p, Py_ssize_t n, int is_max, int *has_nan)
    int phx_colext_f64(double *acc, const double *row, Py_ssize_t w, int is_max)
    int phx_colext_f32(float *acc, const float *row, Py_ssize_t w, int is_max)

cdef enum:
    R_SUM, R_PROD, R_MEAN, R_MIN, R_MAX, R_ARGMIN, R_ARGMAX, R_ANY, R_ALL, R_VAR, R_STD

cdef enum:
    T_F64, T_F32, T_I64, T_I32, T_BOOL

cdef enum:
    BUF = 8192           # NumPy's buffer size: casting reductions sum pairwise per buffer
    PAR_MIN = 32768      # elements below which a reduction runs on one thread
    LEAF_DEPTH = 5       # 1-d parallel sums: 32 subtrees of the pairwise tree

ctypedef struct Red:
    int op, dt
    bint cast            # sum/mean accumulate in f64 from another dtype (buffered in NumPy)
    const char *data
    char *out
    Py_ssize_t Ko, Rn, Ki, so, sr, si    # extents; strides in elements
    double div           # divisor of mean / var (n, or n - ddof)
    int *fpe             # FE_* flags raised by every thread (fpe.h), accumulated

ctypedef struct Part:
    double f             # float partials: sum, min/max, arg value
    int64_t i            # integer partials: sum, product, min/max, arg value
    Py_ssize_t idx       # arg index
    int flag             # any/all; a NaN was met


# --- pairwise summation (pairwise.h) ----------------------------------------------------------

cdef flt _pw(const num *p, Py_ssize_t n, Py_ssize_t s, flt mean, bint sq) noexcept nogil:
    """NumPy's pairwise sum of p[0], p[s], ... (n elements) in flt; with `sq`, of var's
    (x - mean)**2 computed in flt like NumPy's temporary."""
    if flt is float:
        if num is float:
            return phx_pw_ff_sq(p, n, s, mean) if sq else phx_pw_ff(p, n, s, mean)
        return 0            # not used: float accumulation is for float input only
    elif num is double:
        return phx_pw_dd_sq(p, n, s, mean) if sq else phx_pw_dd(p, n, s, mean)
    elif num is float:
        return phx_pw_fd_sq(p, n, s, mean) if sq else phx_pw_fd(p, n, s, mean)
    elif num is int64_t:
        return phx_pw_ld_sq(p, n, s, mean) if sq else phx_pw_ld(p, n, s, mean)
    elif num is int32_t:
        return phx_pw_id_sq(p, n, s, mean) if sq else phx_pw_id(p, n, s, mean)
    else:
        return phx_pw_bd_sq(p, n, s, mean) if sq else phx_pw_bd(p, n, s, mean)


cdef inline void _fpe_region_start(int *fpe) noexcept nogil:
    """At the start of a parallel region of a job: the calling thread (0) keeps the flags it
    raised so far, every thread then starts clean (team threads carry other jobs' flags)."""
    if openmp.omp_get_thread_num() == 0:
        phx_fpe_collect(fpe)
    phx_fpe_clear()


cdef double _pw_buffered(const num *p, Py_ssize_t n, Py_ssize_t s) noexcept nogil:
    """A casting sum: pairwise per 8192-element buffer, buffers added in order."""
    cdef double acc = 0.0
    cdef Py_ssize_t c = 0
    while c < n:
        acc += _pw(p + c * s, min(<Py_ssize_t> BUF, n - c), s, <double> 0, False)
        c += BUF
    return acc


cdef int _leaves(Py_ssize_t off, Py_ssize_t n, int depth, Py_ssize_t *offs, Py_ssize_t *lens,
                 int k) noexcept nogil:
    """Cut the pairwise tree of n elements at `depth`: its subtrees, left to right."""
    cdef Py_ssize_t n2
    if depth == 0 or n <= PHX_PAIRWISE_LEAF:
        offs[k] = off
        lens[k] = n
        return k + 1
    n2 = phx_pairwise_split(n)
    k = _leaves(off, n2, depth - 1, offs, lens, k)
    return _leaves(off + n2, n - n2, depth - 1, offs, lens, k)


cdef double _combine(const double *vals, Py_ssize_t n, int depth, int *k, bint f32) noexcept nogil:
    """Add the subtree sums back up in the tree's own shape (f32: rounded at every node)."""
    cdef Py_ssize_t n2
    cdef double v
    if depth == 0 or n <= PHX_PAIRWISE_LEAF:
        v = vals[k[0]]
        k[0] += 1
        return v
    n2 = phx_pairwise_split(n)
    v = _combine(vals, n2, depth - 1, k, f32)
    v = v + _combine(vals, n - n2, depth - 1, k, f32)
    return <float> v if f32 else v


# --- one row (Ki == 1): partial over [b, e), finished into the output ------------------------

cdef inline bint _isnan(num v) noexcept nogil:
    if num is double or num is float:
        return v != v
    else:
        return False


cdef num _ext(const num *p, Py_ssize_t n, bint ismax, bint *maybe_nan) noexcept nogil:
    """max (or min) of contiguous p[:n], n >= 1; maybe_nan: a NaN was met (floats: SSE2
    kernels of _reduce_simd.h; integers: 8 lanes GCC vectorizes itself)."""
    cdef num acc[8]
    cdef num best
    cdef Py_ssize_t i = 8, j, m = n - n % 8
    cdef int nan = 0
    if num is double:
        best = phx_ext_f64(p, n, ismax, &nan)
        maybe_nan[0] = nan
        return best
    elif num is float:
        best = phx_ext_f32(p, n, ismax, &nan)
        maybe_nan[0] = nan
        return best
    maybe_nan[0] = False
    best = p[0]
    if n >= 8:
        for j in range(8):
            acc[j] = p[j]
        while i < m:
            for j in range(8):
                if ismax:
                    acc[j] = p[i + j] if p[i + j] > acc[j] else acc[j]
                else:
                    acc[j] = p[i + j] if p[i + j] < acc[j] else acc[j]
            i += 8
        for j in range(8):
            best = acc[j] if (acc[j] > best if ismax else acc[j] < best) else best
    else:
        i = 1
    for i in range(i, n):
        best = p[i] if (p[i] > best if ismax else p[i] < best) else best
    return best


cdef Py_ssize_t _first_nan(const num *p, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t k
    for k in range(n):
        if _isnan(p[k]):
            return k
    return -1


cdef void _extreme_fast(int op, const num *p, Py_ssize_t b, Py_ssize_t e, Part *pt) noexcept nogil:
    """min/max/argmin/argmax of contiguous p[b:e] with NumPy's NaN rules, in blocks: the
    extreme of each block vectorizes; only the winning block is rescanned for the index."""
    cdef bint ismax = op == R_MAX or op == R_ARGMAX, nan
    cdef Py_ssize_t b0, bl, k, best_b = b
    cdef num bm, best = p[b]
    b0 = b
    while b0 < e:
        bl = min(<Py_ssize_t> 4096, e - b0)
        bm = _ext(p + b0, bl, ismax, &nan)
        if nan:
            k = _first_nan(p + b0, bl)
            if k >= 0:                 # the first NaN is the answer
                best, best_b = p[b0 + k], b0 + k
                break
        if bm > best if ismax else bm < best:
            best, best_b = bm, b0
        b0 += bl
    if op == R_ARGMAX or op == R_ARGMIN:
        if not _isnan(best):
            while p[best_b] != best:
                best_b += 1
        pt.idx = best_b
    if num is double or num is float:
        pt.f = best
    else:
        pt.i = best


cdef void _part(const Red *r, const num *p, Py_ssize_t b, Py_ssize_t e, Part *pt) noexcept nogil:
    """Order-independent (or order-kept) partial of x[b:e] for the non-pairwise ops."""
    cdef Py_ssize_t k, s = r.sr, best_i
    cdef num v, best
    cdef uint64_t acc
    cdef double facc
    cdef int op = r.op
    pt.f, pt.i, pt.idx, pt.flag = 0, 0, 0, 0
    if op == R_SUM or (op == R_PROD and not (num is double or num is float)):
        acc = 0 if op == R_SUM else 1
        for k in range(b, e):
            if op == R_SUM:
                acc += <uint64_t> <int64_t> p[k * s]      # wraps like NumPy's int64
            else:
                acc *= <uint64_t> <int64_t> p[k * s]
        pt.i = <int64_t> acc
    elif op == R_PROD:
        # in order; f32 rounds every step (a double product of two floats is exact)
        facc = 1.0
        for k in range(b, e):
            facc = facc * p[k * s]
            if num is float:
                facc = <float> facc
        pt.f = facc
    elif op == R_ANY or op == R_ALL:
        pt.flag = op == R_ALL
        for k in range(b, e):
            if (p[k * s] != 0) == (op == R_ANY):
                pt.flag = op == R_ANY
                break
    elif s == 1 and e - b >= 16:
        _extreme_fast(op, p, b, e, pt)
    else:
        best, best_i = p[b * s], b
        if op == R_MAX or op == R_MIN:
            # NumPy: the first NaN propagates; otherwise the extreme value
            if not _isnan(best):
                for k in range(b + 1, e):
                    v = p[k * s]
                    if (v > best) if op == R_MAX else (v < best):
                        best = v
                    elif _isnan(v):
                        best = v
                        break
        elif not _isnan(best):
            # argmax: !(v <= best) takes a larger value or a NaN, and a NaN ends the search
            for k in range(b + 1, e):
                v = p[k * s]
                if not (v <= best) if op == R_ARGMAX else not (v >= best):
                    best, best_i = v, k
                    if _isnan(v):
                        break
        pt.idx = best_i
        if num is double or num is float:
            pt.f = best
        else:
            pt.i = best


cdef void _merge(const Red *r, Part *acc, const Part *pt, bint is_float) noexcept nogil:
    """acc = acc (earlier elements) combined with pt (later ones), as a serial scan would."""
    cdef int op = r.op
    if op == R_SUM:
        acc.i = <int64_t> (<uint64_t> acc.i + <uint64_t> pt.i)
    elif op == R_PROD:
        acc.i = <int64_t> (<uint64_t> acc.i * <uint64_t> pt.i)
    elif op == R_ANY:
        acc.flag = acc.flag or pt.flag
    elif op == R_ALL:
        acc.flag = acc.flag and pt.flag
    elif is_float:
        if acc.f != acc.f:
            return
        if pt.f != pt.f or (pt.f > acc.f if op in (R_MAX, R_ARGMAX) else pt.f < acc.f):
            acc.f, acc.idx = pt.f, pt.idx
    elif pt.i > acc.i if op in (R_MAX, R_ARGMAX) else pt.i < acc.i:
        acc.i, acc.idx = pt.i, pt.idx


cdef void _store(const Red *r, Py_ssize_t j, const num *tag, const Part *pt) noexcept nogil:
    """Write a finished non-pairwise partial to output element j."""
    cdef int op = r.op
    if op == R_ANY or op == R_ALL:
        (<uint8_t *> r.out)[j] = pt.flag
    elif op == R_ARGMIN or op == R_ARGMAX:
        (<int64_t *> r.out)[j] = pt.idx
    elif num is double or num is float:
        (<num *> r.out)[j] = <num> pt.f
    elif op == R_MIN or op == R_MAX:
        (<num *> r.out)[j] = <num> pt.i
    else:
        (<int64_t *> r.out)[j] = pt.i


cdef double _pw_row(const num *p, Py_ssize_t n, Py_ssize_t s, double mean, bint sq, bint f32,
                    int nt, int *fpe) noexcept nogil:
    """Pairwise sum of one row (f32: in float), with nt > 1 split over subtrees of the
    pairwise tree: the same additions in the same shape, hence the same result."""
    cdef Py_ssize_t offs[1 << LEAF_DEPTH]
    cdef Py_ssize_t lens[1 << LEAF_DEPTH]
    cdef double vals[1 << LEAF_DEPTH]
    cdef int nl, l, k = 0
    if nt <= 1:
        if f32:
            return _pw(p, n, s, <float> mean, sq)
        return _pw(p, n, s, mean, sq)
    nl = _leaves(0, n, LEAF_DEPTH, offs, lens, 0)
    with parallel(num_threads=nt):
        _fpe_region_start(fpe)
        for l in prange(nl, schedule="dynamic"):
            if f32:
                vals[l] = _pw(p + offs[l] * s, lens[l], s, <float> mean, sq)
            else:
                vals[l] = _pw(p + offs[l] * s, lens[l], s, mean, sq)
        phx_fpe_collect(fpe)
    return _combine(vals, n, LEAF_DEPTH, &k, f32)


cdef int _pw_buffered_row(const num *p, Py_ssize_t n, Py_ssize_t s, int nt,
                          double *res, int *fpe) noexcept nogil:
    """_pw_buffered, its 8192-element buffers summed in parallel then added in order."""
    cdef Py_ssize_t nb = (n + BUF - 1) // BUF, b
    cdef double *vals
    if nt <= 1 or nb < 2:
        res[0] = _pw_buffered(p, n, s)
        return 0
    vals = <double *> malloc(nb * sizeof(double))
    if vals == NULL:
        return -1
    with parallel(num_threads=nt):
        _fpe_region_start(fpe)
        for b in prange(nb, schedule="dynamic"):
            vals[b] = _pw(p + b * BUF * s, min(<Py_ssize_t> BUF, n - b * BUF), s, <double> 0,
                          False)
        phx_fpe_collect(fpe)
    res[0] = 0.0
    for b in range(nb):
        res[0] += vals[b]
    free(vals)
    return 0


cdef int _sums(const Red *r, const num *p, Py_ssize_t o, int nt) noexcept nogil:
    """sum / mean / var / std of row o (pairwise, see the module docstring)."""
    cdef Py_ssize_t n = r.Rn, s = r.sr
    cdef double m, v
    cdef float mf
    cdef int op = r.op
    if num is float and not r.cast:
        mf = 0 + <float> _pw_row(p, n, s, 0, False, True, nt, r.fpe)
        if op == R_SUM:
            (<float *> r.out)[o] = mf
            return 0
        mf = <float> (<double> mf / n)
        if op == R_MEAN:
            (<float *> r.out)[o] = mf
            return 0
        mf = 0 + <float> _pw_row(p, n, s, mf, True, True, nt, r.fpe)
        mf = <float> (<double> mf / r.div)
        (<float *> r.out)[o] = <float> sqrt(mf) if op == R_STD else mf
        return 0
    if num is double:
        m = 0 + _pw_row(p, n, s, 0, False, False, nt, r.fpe)
    elif _pw_buffered_row(p, n, s, nt, &m, r.fpe) != 0:
        return -1
    m = 0 + m
    if op == R_SUM:
        (<double *> r.out)[o] = m
        return 0
    m = m / n
    if op != R_MEAN:
        # x - mean is a f64 temporary in NumPy: plain pairwise, no buffers
        v = (0 + _pw_row(p, n, s, m, True, False, nt, r.fpe)) / r.div
        m = sqrt(v) if op == R_STD else v
    (<double *> r.out)[o] = m
    return 0


cdef bint _pairwise_op(const Red *r) noexcept nogil:
    return r.op in (R_MEAN, R_VAR, R_STD) or (r.op == R_SUM and (r.cast or r.dt <= T_F32))


cdef void _row(const Red *r, const num *base, Py_ssize_t o) noexcept nogil:
    cdef const num *p = base + o * r.so
    cdef Part pt
    if _pairwise_op(r):
        _sums(r, p, o, 1)
    else:
        _part(r, p, 0, r.Rn, &pt)
        _store(r, o, p, &pt)


# --- kept axis innermost (Ki > 1): columns [c0, c1) of outer index o -----------------------

cdef int _cols(const Red *r, const num *base, Py_ssize_t o, Py_ssize_t c0,
               Py_ssize_t c1) noexcept nogil:
    cdef const num *p = base + o * r.so
    cdef Py_ssize_t w = c1 - c0, j0 = o * r.Ki + c0, k, c, si = r.si, sr = r.sr
    cdef int op = r.op
    cdef double *acc
    cdef float *accf
    cdef num *vals
    cdef num v
    cdef uint64_t *iacc
    cdef int nan = 0
    cdef bint fast
    if op == R_MIN or op == R_MAX or op == R_ARGMIN or op == R_ARGMAX:
        vals = <num *> malloc(w * sizeof(num))
        if vals == NULL:
            return -1
        fast = (op == R_MAX or op == R_MIN) and si == 1 and (num is double or num is float)
        for c in range(w):
            vals[c] = p[(c0 + c) * si]
            if op == R_ARGMIN or op == R_ARGMAX:
                (<int64_t *> r.out)[j0 + c] = 0
        if fast:
            # MAXPD-style steps that let a NaN of the row slip; when one was seen, redo the
            # chunk with NumPy's exact rule below (a NaN is rare, the fast path is the rule)
            nan = 0
            for k in range(1, r.Rn):
                if num is double:
                    nan |= phx_colext_f64(vals, p + k * sr + c0, w, op == R_MAX)
                elif num is float:
                    nan |= phx_colext_f32(vals, p + k * sr + c0, w, op == R_MAX)
            if nan:
                for c in range(w):
                    vals[c] = p[c0 + c]
        for k in range(1, r.Rn if not fast or nan else 1):
            for c in range(w):
                v = p[k * sr + (c0 + c) * si]
                if op == R_MAX:      # NumPy: (acc >= v || isnan(acc)) ? acc : v
                    if not (vals[c] >= v or _isnan(vals[c])):
                        vals[c] = v
                elif op == R_MIN:
                    if not (vals[c] <= v or _isnan(vals[c])):
                        vals[c] = v
                elif not _isnan(vals[c]) and (not (v <= vals[c]) if op == R_ARGMAX
                                              else not (v >= vals[c])):
                    vals[c] = v
                    (<int64_t *> r.out)[j0 + c] = k
        if op == R_MIN or op == R_MAX:
            for c in range(w):
                (<num *> r.out)[j0 + c] = vals[c]
        free(vals)
    elif op == R_ANY or op == R_ALL:
        for c in range(w):
            (<uint8_t *> r.out)[j0 + c] = op == R_ALL
        for k in range(r.Rn):
            for c in range(w):
                if (p[k * sr + (c0 + c) * si] != 0) == (op == R_ANY):
                    (<uint8_t *> r.out)[j0 + c] = op == R_ANY
    elif op == R_PROD or (op == R_SUM and not _pairwise_op(r)):
        if num is double or num is float:
            for c in range(w):
                (<num *> r.out)[j0 + c] = 1
            for k in range(r.Rn):
                for c in range(w):
                    (<num *> r.out)[j0 + c] *= p[k * sr + (c0 + c) * si]
        else:
            iacc = <uint64_t *> (<int64_t *> r.out + j0)
            for c in range(w):
                iacc[c] = 0 if op == R_SUM else 1
            for k in range(r.Rn):
                for c in range(w):
                    if op == R_SUM:
                        iacc[c] += <uint64_t> <int64_t> p[k * sr + (c0 + c) * si]
                    else:
                        iacc[c] *= <uint64_t> <int64_t> p[k * sr + (c0 + c) * si]
    elif num is float and not r.cast:
        _cols_sums(r, p, c0, w, <float *> r.out + j0)
    else:
        _cols_sums(r, p, c0, w, <double *> r.out + j0)
    return 0


cdef int _cols_sums(const Red *r, const num *p, Py_ssize_t c0, Py_ssize_t w,
                    flt *out) noexcept nogil:
    """Column sums in order (accumulating in out's type); mean, var, std from them."""
    cdef Py_ssize_t k, c, si = r.si, sr = r.sr
    cdef flt *mean
    cdef flt d
    for c in range(w):
        out[c] = 0
    for k in range(r.Rn):
        for c in range(w):
            out[c] += <flt> p[k * sr + (c0 + c) * si]
    if r.op == R_SUM:
        return 0
    for c in range(w):
        out[c] = <flt> (<double> out[c] / r.Rn)
    if r.op == R_MEAN:
        return 0
    mean = <flt *> malloc(w * sizeof(flt))
    if mean == NULL:
        return -1
    for c in range(w):
        mean[c] = out[c]
        out[c] = 0
    for k in range(r.Rn):
        for c in range(w):
            d = <flt> p[k * sr + (c0 + c) * si] - mean[c]
            d = d * d
            out[c] += d
    for c in range(w):
        out[c] = <flt> (<double> out[c] / r.div)
        if r.op == R_STD:
            out[c] = <flt> sqrt(out[c])
    free(mean)
    return 0


# --- scheduling ------------------------------------------------------------------------------

cdef int _run(Red *r, const num *p, int nt) noexcept nogil:
    cdef Py_ssize_t o, t, nc, cw, ntasks, chunk
    cdef int err = 0
    if r.Ki == 1:
        if r.Ko == 1:
            return _run_1d(r, p, nt)
        if nt <= 1:
            for o in range(r.Ko):
                _row(r, p, o)
        else:
            chunk = max(1, r.Ko // (8 * nt))
            with parallel(num_threads=nt):
                _fpe_region_start(r.fpe)
                for o in prange(r.Ko, schedule="dynamic", chunksize=chunk):
                    _row(r, p, o)
                phx_fpe_collect(r.fpe)
        return 0
    # column chunks of >= 256 elements (whole cache lines, prefetch-friendly), >= 4 per thread
    cw = r.Ki if nt <= 1 else max(256, (r.Ki // (4 * nt) + 7) // 8 * 8)
    nc = (r.Ki + cw - 1) // cw
    ntasks = r.Ko * nc
    cdef int *failed = &err
    if nt <= 1:
        for t in range(ntasks):
            err += _cols(r, p, t // nc, (t % nc) * cw, min(r.Ki, (t % nc + 1) * cw)) != 0
    else:
        with parallel(num_threads=nt):
            _fpe_region_start(r.fpe)
            for t in prange(ntasks, schedule="dynamic"):
                if _cols(r, p, t // nc, (t % nc) * cw, min(r.Ki, (t % nc + 1) * cw)) != 0:
                    failed[0] = 1
            phx_fpe_collect(r.fpe)
    return -1 if err else 0


cdef int _run_1d(Red *r, const num *p, int nt) noexcept nogil:
    """One output from one long row: pairwise subtrees, buffers or chunks in parallel."""
    cdef Part *parts
    cdef Py_ssize_t c, nch, n = r.Rn
    cdef bint is_float = r.dt <= T_F32
    if _pairwise_op(r):
        return _sums(r, p, 0, nt)
    if nt <= 1 or (r.op == R_PROD and is_float):
        _row(r, p, 0)
        return 0
    nch = min(<Py_ssize_t> 8 * nt, (n + 4095) // 4096)
    parts = <Part *> malloc(nch * sizeof(Part))
    if parts == NULL:
        return -1
    with parallel(num_threads=nt):
        _fpe_region_start(r.fpe)
        for c in prange(nch, schedule="dynamic"):
            _part(r, p, c * n // nch, (c + 1) * n // nch, &parts[c])
        phx_fpe_collect(r.fpe)
    for c in range(1, nch):
        _merge(r, &parts[0], &parts[c], is_float)
    _store(r, 0, p, &parts[0])
    free(parts)
    return 0


cdef extern from "team_stats.h":   # runs, team runs, largest team of this module's jobs
    void _note_team "phx_note_team"(int nt) nogil
    int _team_stat "phx_team_stat"(int i, int reset) nogil


def team_stats(reset=False):
    """(jobs run, jobs that started a team of more than one thread, largest team) of this
    module since the last reset: tests check that jobs honour job_threads()."""
    return tuple([_team_stat(i, 1 if reset else 0) for i in range(3)])


cdef class _RedJob(Job):
    cdef Red r
    cdef bint scalar     # every axis reduced, no keepdims: finish gives a NumPy scalar
    cdef object keep     # (operand, output buffer)
    cdef object redo     # float sum/prod/mean/var/std: (NumPy function, keywords), else None
    cdef int fpe         # FE_* flags raised (r.fpe points here)

    cdef int run(self) noexcept nogil:
        cdef Red *r = &self.r
        cdef int nt = job_threads(), rc = 0     # 1 while the executor runs nodes concurrently
        if r.Ko * r.Rn * r.Ki < PAR_MIN:
            nt = 1
        _note_team(nt)
        self.fpe = 0
        r.fpe = &self.fpe
        phx_fpe_clear()
        if r.dt == T_F64:
            rc = _run(r, <const double *> r.data, nt)
        elif r.dt == T_F32:
            rc = _run(r, <const float *> r.data, nt)
        elif r.dt == T_I64:
            rc = _run(r, <const int64_t *> r.data, nt)
        elif r.dt == T_I32:
            rc = _run(r, <const int32_t *> r.data, nt)
        else:
            rc = _run(r, <const uint8_t *> r.data, nt)
        phx_fpe_collect(&self.fpe)
        if rc:
            self.status = 1
        return self.status

    cpdef object finish(self):
        if self.status:
            raise MemoryError("native reduction: out of memory")
        # Overflow, underflow or an invalid operation (inf - inf, 0 * inf): NumPy's reduction
        # (several ufunc calls for mean, var, std) reports per np.errstate, in its own words
        if self.redo is not None and self.fpe:
            impl, kw = self.redo
            redone = handle_fpe(phx_fpe_bits(self.fpe), redo=partial(impl, self.keep[0], **kw))
            if redone is not NOT_REDONE:
                return redone
        return self.result[()] if self.scalar else self.result


# --- lowering --------------------------------------------------------------------------------

_OPS = {"sum": R_SUM, "prod": R_PROD, "mean": R_MEAN, "min": R_MIN, "max": R_MAX,
        "argmin": R_ARGMIN, "argmax": R_ARGMAX, "any": R_ANY, "all": R_ALL, "var": R_VAR,
        "std": R_STD}
_DT = {"f64": T_F64, "f32": T_F32, "i64": T_I64, "i32": T_I32, "bool": T_BOOL}
_NP = {T_F64: np.float64, T_F32: np.float32, T_I64: np.int64, T_I32: np.int32,
       T_BOOL: np.bool_}
# Kinds of the merged axis groups in memory order (True: reduced) that map onto (Ko, Rn, Ki).
_PATTERNS = {(): "", (False,): "o", (True,): "r", (False, True): "or", (True, False): "ri",
             (False, True, False): "ori", (False, False): "oi"}


def _result_dtype(code, dt, cast):
    if code in (R_ARGMIN, R_ARGMAX):
        return np.int64
    if code in (R_ANY, R_ALL):
        return np.bool_
    if code in (R_MIN, R_MAX):
        return _NP[dt]
    if cast or (dt > T_F32 and code in (R_MEAN, R_VAR, R_STD)):
        return np.float64
    return _NP[dt] if dt <= T_F32 else np.int64


cdef class _RedPrep:
    cdef object impl, kw, red, out_dtype
    cdef int op, dt, typenum, nd, ddof
    cdef bint cast, keepdims

    def __call__(self, a):
        if not (cnp.PyArray_CheckExact(a) and cnp.PyArray_TYPE(<cnp.ndarray> a) == self.typenum
                and cnp.PyArray_NDIM(<cnp.ndarray> a) == self.nd and self.nd > 0
                and cnp.PyArray_SIZE(<cnp.ndarray> a) > 0
                and cnp.PyArray_ISALIGNED(<cnp.ndarray> a)
                and cnp.PyArray_ISNOTSWAPPED(<cnp.ndarray> a)):
            return self.impl(a, **self.kw)
        cdef _RedJob job = _RedJob.__new__(_RedJob)
        cdef Red *r = &job.r
        shape, strides, isz = a.shape, a.strides, a.itemsize
        perm = sorted(range(self.nd), key=lambda ax: -abs(strides[ax]))
        groups = []      # [reduced, extent, stride] of merged axes, in memory order
        for ax in perm:
            n, st = shape[ax], strides[ax]
            if n == 1:
                continue
            if st == 0 or st % isz:
                return self.impl(a, **self.kw)
            st //= isz
            red = ax in self.red
            last = groups[len(groups) - 1] if groups else None
            if last is not None and last[0] == red and last[2] == st * n:
                last[1] *= n
                last[2] = st
            else:
                groups.append([red, n, st])
        pattern = _PATTERNS.get(tuple(g[0] for g in groups))
        if pattern is None:
            return self.impl(a, **self.kw)
        if self.op in (R_ARGMIN, R_ARGMAX) and len(self.red) > 1:
            # axis=None: the flat index is in C order, so memory order must be C order
            big = [ax for ax in perm if shape[ax] > 1]
            if big != sorted(big):
                return self.impl(a, **self.kw)
        r.Ko = r.Rn = r.Ki = 1
        r.so = r.sr = r.si = 0
        for ch, g in zip(pattern, groups):
            if ch == "o":
                r.Ko, r.so = g[1], g[2]
            elif ch == "r":
                r.Rn, r.sr = g[1], g[2]
            else:
                r.Ki, r.si = g[1], g[2]
        if pattern == "oi":
            r.Ki, r.si = groups[1][1], groups[1][2]
        r.div = r.Rn
        if self.op in (R_VAR, R_STD):
            r.div = r.Rn - self.ddof
            if r.div <= 0:
                return self.impl(a, **self.kw)    # NumPy warns "Degrees of freedom <= 0"
        kept = [ax for ax in range(self.nd) if ax not in self.red]
        kept_mem = [ax for ax in perm if ax not in self.red]
        out = np.empty([shape[ax] for ax in kept_mem], self.out_dtype)
        res = out.transpose([kept_mem.index(ax) for ax in kept]) if kept else out
        if self.keepdims:
            res = np.expand_dims(res, tuple(sorted(self.red)))
        r.op, r.dt, r.cast = self.op, self.dt, self.cast
        r.data = <const char *> cnp.PyArray_DATA(<cnp.ndarray> a)
        r.out = <char *> cnp.PyArray_DATA(<cnp.ndarray> out)
        job.scalar = not kept and not self.keepdims
        job.keep = (a, out)
        if self.dt <= T_F32 and self.op in (R_SUM, R_PROD, R_MEAN, R_VAR, R_STD):
            job.redo = (self.impl, self.kw)
        job.result = res
        job.cost = <double> r.Ko * r.Rn * r.Ki
        return job


@register("sum", "prod", "mean", "min", "max", "argmin", "argmax", "any", "all", "var", "std")
def _reduce_factory(op):
    from phylanx.ir.types import ArrayType, ScalarType
    t = op.operands[0].type
    if not (isinstance(t, ArrayType) and t.dtype in _DT and t.rank > 0):
        return None
    code, dt, nd = _OPS[op.name], _DT[t.dtype], t.rank
    axis = op.attrs.get("axis")
    if axis is None:
        red = tuple(range(nd))
    else:
        axes = axis if isinstance(axis, tuple) else (axis,)
        if code in (R_ARGMIN, R_ARGMAX) and isinstance(axis, tuple):
            return None
        if not all(isinstance(x, int) and -nd <= x < nd for x in axes):
            return None
        red = tuple(x % nd for x in axes)
        if len(set(red)) != len(red):
            return None                       # NumPy raises: let it
    cast = code == R_MEAN and dt > T_F32      # integer means sum in f64 through buffers
    dtype = op.attrs.get("dtype")
    if dtype is not None:
        want = np.dtype(dtype if dtype not in _DT else _NP[_DT[dtype]])
        if code in (R_SUM, R_MEAN) and want == np.float64 and dt != T_F64:
            cast = True
        elif want != np.dtype(_result_dtype(code, dt, cast)):
            return None
    out_dtype = np.dtype(_result_dtype(code, dt, cast))
    res = op.results[0].type
    got = res.dtype if isinstance(res, ArrayType) else res.kind if isinstance(
        res, ScalarType) else None
    if got not in _DT or np.dtype(_NP[_DT[got]]) != out_dtype:
        return None                           # the type rule disagrees: stay with NumPy
    cdef _RedPrep p = _RedPrep.__new__(_RedPrep)
    p.impl, p.kw = op.decl.impl, dict(op.attrs)
    p.op, p.dt, p.nd, p.cast = code, dt, nd, cast
    p.typenum = np.dtype(_NP[dt]).num
    p.red, p.out_dtype = frozenset(red), out_dtype
    p.keepdims = bool(op.attrs.get("keepdims", False))
    p.ddof = int(op.attrs.get("ddof", 0))
    return p
