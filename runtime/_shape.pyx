# cython: language_level=3, wraparound=True
"""Native shape ops, copies and conversions.

Views (transpose, swapaxes, expand_dims, squeeze, broadcast_to, flip, atleast_1d/2d, 2-d diag,
and reshape/ravel where NumPy gives a view): the preparer returns NumPy's view (O(1) metadata
work, with the GIL; no job). Copies (flatten, copy, astype, convert, reshape/ravel of arrays
NumPy has to copy, concatenate/stack/hstack/vstack/column_stack, 1-d diag): the preparer
allocates with NumPy's allocator in NumPy's memory order (order="K" where NumPy uses it) and
the copying and casting run in MoveJob.run() without the GIL (move.h: casts as NumPy's C
loops, its cast warnings).
Declined (NumPy's reference runs): outputs under SMALL elements, non-array operands (Python
scalars), object/f16 dtypes, complex -> real casts (NumPy's ComplexWarning), concatenate with
dtype= or axis=None of non-contiguous arrays, inputs whose layouts give NumPy a mixed memory
order, and every case NumPy rejects (it then raises its own error).
"""

import numpy as np

cimport numpy as cnp

from phylanx.ir.types import DTYPES, ArrayType
from phylanx.runtime._move cimport MoveJob, ptype
from phylanx.runtime._move import supported
from phylanx.runtime.natives import Decline, register

cnp.import_array()

cdef enum:
    SMALL = 4096


cdef inline bint _arr(x):
    return cnp.PyArray_CheckExact(x) and ptype(<cnp.ndarray> x) >= 0


cdef object _copy_job(src, out, result):
    """A job copying src into out (same shape) and giving `result`; None if declined."""
    cdef MoveJob job = MoveJob.__new__(MoveJob)
    try:
        job.add(out, src)
    except Decline:
        return None
    job.result = result
    return job


# --- views ---------------------------------------------------------------------------------------

cdef class _ViewPrep:
    """An O(1) NumPy view made in the preparer (the same call as the reference)."""
    cdef object impl, kw

    def __call__(self, *args):
        return self.impl(*args, **self.kw)


@register("transpose", "swapaxes", "expand_dims", "squeeze", "broadcast_to", "flip",
          "atleast_1d", "atleast_2d")
def _view_factory(op):
    cdef _ViewPrep p = _ViewPrep.__new__(_ViewPrep)
    p.impl, p.kw = op.decl.impl, dict(op.attrs)
    return p


cdef class _ReshapePrep:
    cdef object impl
    cdef bint ravel

    def __call__(self, a, shape=-1):
        if not _arr(a):
            return self.impl(a) if self.ravel else self.impl(a, shape)
        if cnp.PyArray_IS_C_CONTIGUOUS(<cnp.ndarray> a):
            return a.reshape(shape)              # a view
        if not self.ravel:
            try:
                return np.reshape(a, shape, copy=False)
            except ValueError:
                pass                             # a copy is needed (or NumPy raises below)
        out = np.empty(a.shape, a.dtype)
        res = out.reshape(shape)                 # NumPy's own error for a bad shape
        if out.size < SMALL:
            return self.impl(a) if self.ravel else self.impl(a, shape)
        job = _copy_job(a, out, res)
        if job is None:
            return self.impl(a) if self.ravel else self.impl(a, shape)
        return job


@register("reshape", "ravel")
def _reshape_factory(op):
    cdef _ReshapePrep p = _ReshapePrep.__new__(_ReshapePrep)
    p.impl, p.ravel = op.decl.impl, op.name == "ravel"
    return p


# --- copies and casts ------------------------------------------------------------------------------

cdef class _CopyPrep:
    """flatten, copy, astype, convert: a new array (order "K" except flatten) of dtype."""
    cdef object impl, kw, dtype
    cdef int kind                 # 0 flatten, 1 copy, 2 astype, 3 convert

    def __call__(self, a):
        if self.kind == 3 and cnp.PyArray_CheckExact(a) and a.dtype == self.dtype:
            return a                              # astype(copy=False): nothing to do
        if not _arr(a) or cnp.PyArray_SIZE(<cnp.ndarray> a) < SMALL:
            return self.impl(a, **self.kw)
        dtype = a.dtype if self.dtype is None else self.dtype
        if a.dtype.kind == "c" and dtype.kind != "c":
            return self.impl(a, **self.kw)        # NumPy warns ComplexWarning
        if self.kind == 0:
            out = np.empty(a.size, dtype)
            job = _copy_job(a, out.reshape(a.shape), out)
        else:
            out = np.empty_like(a, dtype=dtype)   # order "K", as copy and astype use
            job = _copy_job(a, out, out)
        return self.impl(a, **self.kw) if job is None else job


def _copy_factory(kind):
    def factory(op):
        cdef _CopyPrep p = _CopyPrep.__new__(_CopyPrep)
        p.impl, p.kw, p.kind, p.dtype = op.decl.impl, dict(op.attrs), kind, None
        if kind >= 2:
            t = op.results[0].type
            if not isinstance(t, ArrayType) or not supported(DTYPES.get(t.dtype, object)):
                return None
            p.dtype = DTYPES[t.dtype]
            if kind == 3:
                p.kw = {"result_types": [t]}
        return p
    return factory


register("flatten")(_copy_factory(0))
register("copy")(_copy_factory(1))
register("astype")(_copy_factory(2))
register("convert")(_copy_factory(3))


# --- joining -------------------------------------------------------------------------------------

cdef object _layout(list arrays):
    """NumPy's memory order for an output made from `arrays`: "C", "F" or None (other)."""
    order = None
    for a in arrays:
        strides = [abs(s) for s, n in zip(a.strides, a.shape) if n > 1]
        if strides == sorted(strides, reverse=True):
            o = "C"
        elif strides == sorted(strides):
            o = "F"
        else:
            return None
        if len(strides) <= 1:
            continue                              # any order
        if order is None:
            order = o
        elif order != o:
            return None
    return order or "C"


cdef object _join(list arrays, int axis, bint new_axis):
    """concatenate (new_axis False) or stack of ndarrays; None when declined."""
    if not arrays:
        return None
    for a in arrays:
        if not _arr(a):
            return None
    first = arrays[0]
    nd = first.ndim
    if new_axis:
        shape = first.shape
        for a in arrays:
            if a.shape != shape:
                return None                       # NumPy raises its ValueError
        if axis < -nd - 1 or axis > nd:
            return None
        axis = axis % (nd + 1)
        out_shape = shape[:axis] + (len(arrays),) + shape[axis:]
    else:
        if nd == 0 or axis < -nd or axis >= nd:
            return None
        axis = axis % nd
        total = 0
        for a in arrays:
            if a.ndim != nd or a.shape[:axis] != first.shape[:axis] or \
                    a.shape[axis + 1:] != first.shape[axis + 1:]:
                return None
            total += a.shape[axis]
        out_shape = first.shape[:axis] + (total,) + first.shape[axis + 1:]
    size = 1
    for d in out_shape:
        size *= d
    if size < SMALL:
        return None
    dtype = np.result_type(*arrays)
    order = _layout(arrays)
    if order is None or not supported(dtype) or any(
            a.dtype.kind == "c" and dtype.kind != "c" for a in arrays):
        return None
    out = np.empty(out_shape, dtype, order)
    cdef MoveJob job = MoveJob.__new__(MoveJob)
    job.indep = True
    lead = (slice(None),) * axis
    off = 0
    try:
        for k, a in enumerate(arrays):
            if new_axis:
                job.add(out[lead + (k,)], a)
            else:
                n = a.shape[axis]
                job.add(out[lead + (slice(off, off + n),)], a)
                off += n
    except Decline:
        return None
    job.result = out
    return job


cdef list _seq(tuple arrays):
    if len(arrays) == 1 and isinstance(arrays[0], list):
        return list(arrays[0])
    return list(arrays)


cdef class _JoinPrep:
    cdef object impl, kw
    cdef int kind                 # 0 concatenate, 1 stack, 2 hstack, 3 vstack, 4 column_stack
    cdef object axis

    def __call__(self, *arrays):
        cdef list arrs = _seq(arrays)
        res = None
        if self.kind == 0:
            if self.axis is None:
                if all(_arr(a) and cnp.PyArray_IS_C_CONTIGUOUS(<cnp.ndarray> a) for a in arrs):
                    res = _join([a.reshape(-1) for a in arrs], 0, False)
            else:
                res = _join(arrs, self.axis, False)
        elif self.kind == 1:
            res = _join(arrs, self.axis, True)
        elif all(_arr(a) for a in arrs):
            if self.kind == 2:
                arrs = [a.reshape(1) if a.ndim == 0 else a for a in arrs]
                res = _join(arrs, 0 if arrs and arrs[0].ndim == 1 else 1, False)
            elif self.kind == 3:
                arrs = [a.reshape(1, 1) if a.ndim == 0 else a[None] if a.ndim == 1 else a
                        for a in arrs]
                res = _join(arrs, 0, False)
            else:
                arrs = [a.reshape(1, 1) if a.ndim == 0 else a[:, None] if a.ndim == 1 else a
                        for a in arrs]
                res = _join(arrs, 1, False)
        return self.impl(*arrays, **self.kw) if res is None else res


@register("concatenate", "stack", "hstack", "vstack", "column_stack")
def _join_factory(op):
    if op.attrs.get("dtype") is not None:
        return None
    cdef _JoinPrep p = _JoinPrep.__new__(_JoinPrep)
    p.impl, p.kw = op.decl.impl, dict(op.attrs)
    p.kind = ("concatenate", "stack", "hstack", "vstack", "column_stack").index(op.name)
    p.axis = op.attrs.get("axis", 0)
    if p.axis is not None and not isinstance(p.axis, int):
        return None
    return p


# --- diag ------------------------------------------------------------------------------------------

cdef class _DiagPrep:
    cdef object impl
    cdef Py_ssize_t k

    def __call__(self, v):
        if not _arr(v) or v.ndim != 1:
            return self.impl(v, k=self.k)         # 2-d: NumPy's read-only diagonal view
        cdef Py_ssize_t n = v.shape[0] + abs(self.k), off
        if n * n < SMALL or v.shape[0] == 0:
            return self.impl(v, k=self.k)
        out = np.zeros((n, n), v.dtype)           # calloc; then the diagonal
        off = self.k if self.k >= 0 else -self.k * n
        cdef Py_ssize_t isz = v.itemsize
        cdef MoveJob job = MoveJob.__new__(MoveJob)
        cdef int dt = ptype(<cnp.ndarray> v)
        job.add_raw(<char *> cnp.PyArray_DATA(<cnp.ndarray> out) + off * isz, dt, v.shape,
                    ((n + 1) * isz,), <char *> cnp.PyArray_DATA(<cnp.ndarray> v), dt,
                    v.strides, (out, v))
        job.result = out
        return job


@register("diag")
def _diag_factory(op):
    cdef _DiagPrep p = _DiagPrep.__new__(_DiagPrep)
    p.impl, p.k = op.decl.impl, int(op.attrs.get("k", 0))
    return p
