# cython: language_level=3, wraparound=True
"""Native array creation: zeros, ones, empty, full, *_like, eye, identity, tri, tril, triu,
arange, linspace.

Outputs come from NumPy's allocator in the preparer (with the GIL: an O(1) call); the filling
runs in Job.run() without the GIL. Special cases, as documented in the Job ABI:
  * zeros / zeros_like / empty / empty_like return NumPy's array from the preparer: np.zeros is
    calloc (the kernel hands out zeroed pages lazily), so there is nothing left to run;
  * outputs under SMALL elements are made by NumPy's own call in the preparer (cheaper than a
    job), as are the cases listed as declined below.
Fill values are converted by NumPy itself (np.copyto(..., casting="unsafe") into a 0-d array,
as np.full does), so NaN into an integer array, overflow and NEP 50 rules are NumPy's.
*_like follow NumPy's order="K" for C- and F-contiguous prototypes (others: NumPy).
arange and linspace fill like NumPy (arange: start + i * delta in the result dtype with delta
= (start + step) - start as NumPy's fill functions do; linspace: i * step + start, the last
value set to stop) for f64/f32/i64/i32 results.
Declined: array fill values (broadcast fills), tril/triu of stacks (ndim != 2), arange/linspace
of other dtypes, linspace with array bounds, retstep or axis != 0.
"""

import math

import numpy as np

cimport numpy as cnp
from cython.parallel cimport prange
from libc.stdint cimport int32_t, int64_t
from libc.string cimport memset

from phylanx.ir.types import DTYPES, ArrayType
from phylanx.runtime._move cimport MoveJob, copy_threads, phx_copy_1d, ptype
from phylanx.runtime._move import supported
from phylanx.runtime.native cimport Job
from phylanx.runtime.natives import Decline, register

cnp.import_array()

cdef enum:
    SMALL = 4096

cdef enum:
    K_ZEROS, K_ONES, K_EMPTY, K_FULL


def _result_dtype(op):
    t = op.results[0].type
    if not isinstance(t, ArrayType) or t.dtype not in DTYPES:
        return None
    dt = DTYPES[t.dtype]
    return dt if supported(dt) else None


cdef object _like_order(a):
    """NumPy's order="K" for a prototype: "C", "F", or None (NumPy decides)."""
    if not cnp.PyArray_CheckExact(a):
        return None
    if cnp.PyArray_IS_C_CONTIGUOUS(<cnp.ndarray> a):
        return "C"
    if cnp.PyArray_IS_F_CONTIGUOUS(<cnp.ndarray> a):
        return "F"
    return None


cdef bint _small(shape):
    """Is a shape (an int or a tuple of ints) certainly under SMALL elements?"""
    cdef Py_ssize_t n = 1
    if type(shape) is int:
        return shape < SMALL
    if type(shape) is not tuple:
        return False
    for d in shape:
        if type(d) is not int or d < 0:
            return False
        n *= d
        if n >= SMALL:
            return False
    return True


cdef class _FillPrep:
    cdef object impl, kw, dtype
    cdef int kind
    cdef bint like

    def __call__(self, *args):
        order = "C"
        if self.like:
            order = _like_order(args[0])
            if order is None:
                return self.impl(*args, **self.kw)
            shape = args[0].shape
        else:
            shape = args[0]
        if self.kind == K_ZEROS:
            return np.zeros(shape, self.dtype, order)     # calloc: nothing left to fill
        if self.kind == K_EMPTY:
            return np.empty(shape, self.dtype, order)
        if _small(shape):
            return self.impl(*args, **self.kw)
        out = np.empty(shape, self.dtype, order)
        if out.size < SMALL:
            return self.impl(*args, **self.kw)
        tmp = np.empty((), self.dtype)
        if self.kind == K_ONES:
            np.copyto(tmp, 1, casting="unsafe")
        else:
            fill = args[1]
            if isinstance(fill, np.ndarray) and fill.ndim:
                return self.impl(*args, **self.kw)
            np.copyto(tmp, fill, casting="unsafe")
        cdef MoveJob job = MoveJob.__new__(MoveJob)
        job.add(out, tmp)
        job.result = out
        return job


def _fill_factory(kind, like):
    def factory(op):
        dtype = _result_dtype(op)
        if dtype is None:
            return None
        cdef _FillPrep p = _FillPrep.__new__(_FillPrep)
        p.impl, p.kw, p.dtype, p.kind, p.like = op.decl.impl, dict(op.attrs), dtype, kind, like
        return p
    return factory


register("zeros")(_fill_factory(K_ZEROS, False))
register("ones")(_fill_factory(K_ONES, False))
register("empty")(_fill_factory(K_EMPTY, False))
register("full")(_fill_factory(K_FULL, False))
register("zeros_like")(_fill_factory(K_ZEROS, True))
register("ones_like")(_fill_factory(K_ONES, True))
register("empty_like")(_fill_factory(K_EMPTY, True))
register("full_like")(_fill_factory(K_FULL, True))


# --- eye, identity ---------------------------------------------------------------------------

cdef class _EyePrep:
    cdef object impl, kw, dtype
    cdef bint square          # identity(n)
    cdef Py_ssize_t k

    def __call__(self, *args):
        N = args[0]
        M = N if self.square or args[1] is None else args[1]
        if _small((N, M)):
            return self.impl(*args, **self.kw)
        out = np.zeros((N, M), self.dtype)            # NumPy validates N and M
        if out.size < SMALL:
            return self.impl(*args, **self.kw)
        cdef Py_ssize_t n = out.shape[0], m = out.shape[1], k = self.k, length, off
        if k >= 0:
            length, off = max(0, min(n, m - k)), k
        else:
            length, off = max(0, min(n + k, m)), -k * m
        if length == 0:
            return out
        one = np.ones((), self.dtype)
        cdef MoveJob job = MoveJob.__new__(MoveJob)
        cdef int dt = ptype(<cnp.ndarray> out)
        cdef Py_ssize_t isz = out.itemsize
        cdef char *base = <char *> cnp.PyArray_DATA(<cnp.ndarray> out)
        job.add_raw(base + off * isz, dt,
                    (length,), ((m + 1) * isz,), <char *> cnp.PyArray_DATA(
                        <cnp.ndarray> one), dt, (0,), (out, one))
        job.result = out
        return job


@register("eye", "identity")
def _eye_factory(op):
    dtype = _result_dtype(op)
    if dtype is None:
        return None
    cdef _EyePrep p = _EyePrep.__new__(_EyePrep)
    p.impl, p.kw, p.dtype = op.decl.impl, dict(op.attrs), dtype
    p.square = op.name == "identity"
    p.k = int(op.attrs.get("k", 0))
    return p


# --- tri, tril, triu: one row at a time --------------------------------------------------------

cdef class _TriJob(Job):
    cdef char *src
    cdef char *dst
    cdef Py_ssize_t n, m, k, s0, s1, isz
    cdef bint lower
    cdef object keep

    cdef int run(self) noexcept nogil:
        cdef Py_ssize_t i
        cdef int nt = copy_threads(self.cost)
        for i in prange(self.n, num_threads=nt, schedule="dynamic", chunksize=16):
            self._row(i)
        return 0

    cdef int _row(self, Py_ssize_t i) noexcept nogil:
        # tril keeps columns j <= i + k; triu keeps j >= i + k
        cdef Py_ssize_t c = i + self.k + 1 if self.lower else i + self.k
        cdef char *d = self.dst + i * self.m * self.isz
        cdef const char *s = self.src + i * self.s0
        c = 0 if c < 0 else (self.m if c > self.m else c)
        if self.lower:
            phx_copy_1d(<int> self.isz, s, self.s1, d, self.isz, c)
            memset(d + c * self.isz, 0, (self.m - c) * self.isz)
        else:
            memset(d, 0, c * self.isz)
            phx_copy_1d(<int> self.isz, s + c * self.s1, self.s1, d + c * self.isz, self.isz,
                        self.m - c)
        return 0

    cpdef object finish(self):
        self.keep = None
        return self.result


cdef class _TriPrep:
    cdef object impl, kw, dtype
    cdef Py_ssize_t k
    cdef int which            # 0 tri, 1 tril, 2 triu

    def __call__(self, *args):
        cdef _TriJob job = _TriJob.__new__(_TriJob)
        if self.which == 0:
            N = args[0]
            M = N if args[1] is None else args[1]
            if N < 0 or M < 0 or _small((N, M)):
                return self.impl(*args, **self.kw)  # np.tri(-1) gives an empty array
            src = np.ones((), self.dtype)
            out = np.empty((N, M), self.dtype)
            job.s0 = job.s1 = 0
            job.lower = True
        else:
            src = args[0]
            if not (cnp.PyArray_CheckExact(src) and src.ndim == 2 and
                    ptype(<cnp.ndarray> src) >= 0 and src.size >= SMALL):
                return self.impl(*args, **self.kw)
            out = np.empty(src.shape, src.dtype)
            job.s0, job.s1 = src.strides
            job.lower = self.which == 1
        if out.size < SMALL:
            return self.impl(*args, **self.kw)
        job.src = <char *> cnp.PyArray_DATA(<cnp.ndarray> src)
        job.dst = <char *> cnp.PyArray_DATA(<cnp.ndarray> out)
        job.n, job.m = out.shape
        job.k, job.isz = self.k, out.itemsize
        job.keep = src
        job.result = out
        job.cost = <double> out.size
        return job


@register("tri", "tril", "triu")
def _tri_factory(op):
    dtype = _result_dtype(op)
    if dtype is None:
        return None
    cdef _TriPrep p = _TriPrep.__new__(_TriPrep)
    p.impl, p.kw, p.dtype = op.decl.impl, dict(op.attrs), dtype
    p.k = int(op.attrs.get("k", 0))
    p.which = ("tri", "tril", "triu").index(op.name)
    return p


# --- arange, linspace --------------------------------------------------------------------------

cdef class _RangeJob(Job):
    cdef char *out
    cdef Py_ssize_t n
    cdef int code             # 0 f64, 1 f32, 2 i64, 3 i32; 4: linspace
    cdef double lstart, lstep, ldelta, ldiv, lstop
    cdef bint lzero, lend

    cdef int run(self) noexcept nogil:
        cdef Py_ssize_t i, n = self.n
        cdef double *d = <double *> self.out
        cdef float *f = <float *> self.out
        cdef int64_t *l = <int64_t *> self.out
        cdef int32_t *w = <int32_t *> self.out
        cdef double ds, dd
        cdef float fs, fd
        cdef int64_t ls, ld
        cdef int32_t ws, wd
        cdef int nt = copy_threads(n)
        if self.code == 4:          # numpy.linspace: arange(num) * step + start
            if self.lzero:
                for i in prange(n, num_threads=nt, schedule="static"):
                    d[i] = (<double> i / self.ldiv) * self.ldelta + self.lstart
            else:
                for i in prange(n, num_threads=nt, schedule="static"):
                    d[i] = <double> i * self.lstep + self.lstart
            if self.lend and n > 1:
                d[n - 1] = self.lstop
            return 0
        # NumPy's @NAME@_fill: start + i * delta, delta = buffer[1] - buffer[0]
        if self.code == 0:
            ds, dd = d[0], d[1] - d[0]
            for i in prange(2, n, num_threads=nt, schedule="static"):
                d[i] = ds + i * dd
        elif self.code == 1:
            fs, fd = f[0], f[1] - f[0]
            for i in prange(2, n, num_threads=nt, schedule="static"):
                f[i] = fs + i * fd
        elif self.code == 2:
            ls, ld = l[0], l[1] - l[0]
            for i in prange(2, n, num_threads=nt, schedule="static"):
                l[i] = ls + i * ld
        else:
            ws, wd = w[0], w[1] - w[0]
            for i in prange(2, n, num_threads=nt, schedule="static"):
                w[i] = <int32_t> (ws + i * wd)
        return 0


_CODES = {np.dtype(np.float64): 0, np.dtype(np.float32): 1, np.dtype(np.int64): 2,
          np.dtype(np.int32): 3}
_PLAIN = (int, float)


cdef class _ArangePrep:
    cdef object impl, kw, dtype
    cdef int code

    def __call__(self, start, stop=None, step=None):
        if stop is None:
            start, stop = 0, start
        if step is None:
            step = 1
        if not (type(start) in _PLAIN and type(stop) in _PLAIN and type(step) in _PLAIN) \
                or step == 0:
            return self.impl(start, stop, step, **self.kw)
        value = (stop - start) / step           # NumPy's _calc_length, on the same objects
        if not math.isfinite(value):
            return self.impl(start, stop, step, **self.kw)
        n = max(0, math.ceil(value))
        if n < SMALL:
            return self.impl(start, stop, step, **self.kw)
        out = np.empty(n, self.dtype)
        out[0] = start
        out[1] = start + step
        cdef _RangeJob job = _RangeJob.__new__(_RangeJob)
        job.out = <char *> cnp.PyArray_DATA(<cnp.ndarray> out)
        job.n, job.code = n, self.code
        job.result = out
        job.cost = <double> n
        return job


@register("arange")
def _arange_factory(op):
    dtype = _result_dtype(op)
    if dtype is None or dtype not in _CODES:
        return None
    cdef _ArangePrep p = _ArangePrep.__new__(_ArangePrep)
    p.impl, p.kw, p.dtype, p.code = op.decl.impl, dict(op.attrs), dtype, _CODES[dtype]
    return p


cdef class _LinspacePrep:
    cdef object impl, kw
    cdef bint endpoint

    def __call__(self, start, stop, num=50):
        if not (type(start) in _PLAIN and type(stop) in _PLAIN and type(num) is int) \
                or num < SMALL:
            return self.impl(start, stop, num, **self.kw)
        cdef _RangeJob job = _RangeJob.__new__(_RangeJob)
        div = num - 1 if self.endpoint else num
        job.lstart, job.lstop = float(start), float(stop)
        job.ldelta = job.lstop - job.lstart
        job.ldiv = div
        job.lstep = job.ldelta / div
        job.lzero = job.lstep == 0
        job.lend = self.endpoint
        out = np.empty(num, np.float64)
        job.out = <char *> cnp.PyArray_DATA(<cnp.ndarray> out)
        job.n, job.code = num, 4
        job.result = out
        job.cost = <double> num
        return job


@register("linspace")
def _linspace_factory(op):
    a = op.attrs
    if a.get("retstep") or a.get("axis", 0) != 0 or a.get("dtype") not in (None, "f64") \
            or _result_dtype(op) != np.float64:
        return None
    cdef _LinspacePrep p = _LinspacePrep.__new__(_LinspacePrep)
    p.impl, p.kw, p.endpoint = op.decl.impl, dict(a), bool(a.get("endpoint", True))
    return p
