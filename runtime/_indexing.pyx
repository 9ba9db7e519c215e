# cython: language_level=3, wraparound=True
"""Native indexing: getitem (basic indices: views), gather and setitem.

getitem builds NumPy's view in the preparer (O(1) metadata work with the GIL, no job).
gather (x[idx], x[:, idx], x[mask]) and setitem (x[a:b] = v, x[u, :] = v, x[mask] = s) apply
the basic components of the index as a NumPy view V (O(1)), then copy with a job whose run()
holds no GIL:
  * one integer array index: its entries are checked (IndexError with NumPy's message, before
    anything is written) and turned into byte offsets along V's indexed axis in run();
  * one boolean mask over k axes of V: the preparer counts it and lists the byte offsets of its
    True entries in C order (GIL released for the scan), as NumPy's nonzero does.
V must have at most one axis before the indexed one(s) and at most one after, once adjacent axes
are merged (true for 1-d and 2-d arrays and contiguous arrays). setitem casts the value like
NumPy's setitem (unsafe casting, scalars converted by NumPy itself, so `int_array[m] = nan`
raises NumPy's ValueError), broadcasts it, keeps NumPy's last-write-wins order for repeated
indices, and lets NumPy handle a value that may share memory with x.
Integer scalars next to the array index (x[i, u], x[u, 0]) are applied first as basic indices,
which gives NumPy's result when they and the array form one run of components.
Declined (NumPy's reference runs): integer scalars apart from the array index (x[0, :, u]),
several array indices, 0-d array indices, setitem with a multi-dimensional integer index,
object/f16 dtypes, small outputs (below SMALL elements, where a job costs more than NumPy's own call).
"""

import numpy as np

cimport numpy as cnp
from cython.parallel cimport prange
from libc.stdint cimport int64_t, uint8_t, uint32_t, uint64_t
from libc.string cimport memcpy

from phylanx.runtime._move cimport MoveJob, cast_1d, copy_threads, phx_copy_1d, ptype
from phylanx.runtime.native cimport Job
from phylanx.runtime.natives import Decline, register

cnp.import_array()

cdef extern from "fpe.h" nogil:
    int feclearexcept(int)
    int fetestexcept(int)
    enum:
        PHX_FPE_ALL     # the flags NumPy reports (divide, over, under, invalid)

cdef enum:
    SMALL = 4096         # elements below which NumPy's own indexing is cheaper than a job
    CHUNK = 8192         # elements per claimed unit
    MCH = 32768          # mask entries per claimed unit

cdef int FPE = PHX_FPE_ALL


cdef tuple _build(tuple index, tuple vals, Py_ssize_t skip_array):
    """The subscript tuple; the array component (operand position skip_array) -> slice(None)."""
    cdef list out = []
    cdef Py_ssize_t k = 0
    for comp in index:
        c = comp[0]
        if c == "i":
            out.append(vals[k])
            k += 1
        elif c == "a":
            out.append(slice(None) if k == skip_array else vals[k])
            k += 1
        elif c == "s":
            parts = []
            for bit in comp[1:]:
                if bit == "1":
                    parts.append(vals[k])
                    k += 1
                else:
                    parts.append(None)
            out.append(slice(parts[0], parts[1], parts[2]))
        elif c == "n":
            out.append(None)
        else:
            out.append(Ellipsis)
    return tuple(out)


# --- getitem: a view -------------------------------------------------------------------------

cdef class _GetitemPrep:
    cdef tuple index
    cdef bint ints            # every component an integer: the operands are the subscript

    def __call__(self, x, *vals):
        return x[vals if self.ints else _build(self.index, vals, -1)]


@register("getitem")
def _getitem_factory(op):
    cdef _GetitemPrep p = _GetitemPrep.__new__(_GetitemPrep)
    p.index = tuple(op.attrs["index"])
    p.ints = all(c == "i" for c in p.index)
    return p


cdef inline void _put1(int isz, char *d, const char *s) noexcept nogil:
    """Copy one item of isz bytes."""
    if isz == 8:
        (<uint64_t *> d)[0] = (<const uint64_t *> s)[0]
    elif isz == 4:
        (<uint32_t *> d)[0] = (<const uint32_t *> s)[0]
    elif isz == 1:
        d[0] = s[0]
    else:
        memcpy(d, s, isz)


# --- gather and setitem: the job ---------------------------------------------------------------

cdef class _IdxJob(MoveJob):
    cdef char *base          # V's data
    cdef char *out           # gather: contiguous output; setitem: unused
    cdef char *val           # setitem: the value's data
    cdef int isz, xt, vt
    cdef bint scatter, mask
    cdef Py_ssize_t no, so, nj, ni, si     # outer extent/stride, selected count, inner extent/stride
    cdef Py_ssize_t vo, vj, vi             # value strides over (outer, selected, inner)
    cdef Py_ssize_t nax, sax               # integer index: axis extent and stride
    cdef const cnp.npy_intp *idx
    cdef int64_t *offs
    cdef Py_ssize_t bad                    # first out-of-bounds entry (-1: none)
    cdef int xaxis
    cdef object hold
    # a mask over axes that merge into one (stride sx): compacted chunk by chunk, entries of
    # chunk c starting at pref[c] (counted by the preparer)
    cdef bint mask1d
    cdef const uint8_t *mp
    cdef Py_ssize_t L, sx, nmc
    cdef const int64_t *pref
    cdef Py_ssize_t ich                    # integer-index scatter: inner columns per unit
    cdef Py_ssize_t dsj                    # gather: output rows between selected entries

    cdef int _offsets(self) noexcept nogil:
        """Integer index -> byte offsets; 1 if an entry is out of bounds."""
        cdef Py_ssize_t j
        cdef cnp.npy_intp v
        cdef bint bad = False
        for j in range(self.nj):
            v = self.idx[j]
            if v < 0:
                v = v + self.nax
            if v < 0 or v >= self.nax:
                bad = True
                break
            self.offs[j] = v * self.sax
        if bad:
            self.bad = j
            return 1
        return 0

    cdef int run(self) noexcept nogil:
        cdef Py_ssize_t u, units, nch, j, j0, j1, i0, n, o
        cdef int nt = copy_threads(self.cost)
        cdef int flags = 0, f
        if self.mask1d:
            units = self.no * self.nmc
            for u in prange(units, num_threads=nt, schedule="dynamic"):
                f = self._mask_unit(u)
                flags |= f
            self.fpe = flags
            return 0
        if not self.mask and self._offsets():
            self.status = 2
            return 2
        if not self.scatter:
            # units: (outer row, run of selected entries)
            nch = max(1, CHUNK // max(1, self.ni))
            nch = (self.nj + nch - 1) // nch
            units = self.no * nch
            for u in prange(units, num_threads=nt, schedule="dynamic"):
                self._gather_unit(u, nch)
            return 0
        if self.mask:        # distinct offsets: entries may be written concurrently
            nch = max(1, CHUNK // max(1, self.ni))
            nch = (self.nj + nch - 1) // nch
            units = self.no * nch
            for u in prange(units, num_threads=nt, schedule="dynamic"):
                f = self._scatter_unit(u, nch, True)
                flags |= f
        else:                # repeated indices: every chunk of a row takes the entries in order
            # (columns split so that a team has work even when there is one outer row)
            nch = max((self.ni + CHUNK - 1) // CHUNK, min(nt, self.ni // 512))
            self.ich = (self.ni + nch - 1) // nch
            units = self.no * nch
            for u in prange(units, num_threads=nt, schedule="dynamic"):
                f = self._scatter_unit(u, nch, False)
                flags |= f
        self.fpe = flags
        return 0

    cdef int _mask_unit(self, Py_ssize_t u) noexcept nogil:
        cdef Py_ssize_t o = u // self.nmc, c = u % self.nmc
        cdef Py_ssize_t i, i0 = c * MCH, i1 = min(self.L, (c + 1) * MCH), k = self.pref[c]
        cdef const uint8_t *m = self.mp
        cdef char *xb = self.base + o * self.so
        cdef Py_ssize_t rowb = self.ni * self.isz, sx = self.sx, step
        cdef int isz = self.isz, check
        cdef char *d
        cdef const char *src
        if not self.scatter:
            d = self.out + (o + k * self.dsj) * rowb
            step = self.dsj * rowb
            if self.ni == 1:
                for i in range(i0, i1):
                    if m[i]:
                        _put1(isz, d, xb + i * sx)
                        d += step
            else:
                for i in range(i0, i1):
                    if m[i]:
                        phx_copy_1d(isz, xb + i * sx, self.si, d, isz, self.ni)
                        d += step
            return 0
        src = self.val + o * self.vo + k * self.vj
        if self.ni == 1 and self.vt == self.xt:
            for i in range(i0, i1):
                if m[i]:
                    _put1(isz, xb + i * sx, src)
                    src += self.vj
            return 0
        check = self.vt != self.xt and self.vt >= 9
        if check:
            feclearexcept(FPE)
        for i in range(i0, i1):
            if m[i]:
                cast_1d(self.vt, self.xt, src, self.vi, xb + i * sx, self.si, self.ni)
                src += self.vj
        return fetestexcept(FPE) if check else 0

    cdef int _gather_unit(self, Py_ssize_t u, Py_ssize_t nch) noexcept nogil:
        cdef Py_ssize_t o = u // nch, c = u % nch, per = (self.nj + nch - 1) // nch, j
        cdef Py_ssize_t j0 = c * per, j1 = min(self.nj, j0 + per)
        cdef char *src = self.base + o * self.so
        cdef Py_ssize_t rowb = self.ni * self.isz, step = self.dsj * rowb
        cdef char *dst = self.out + o * rowb
        if self.ni == 1:
            for j in range(j0, j1):
                _put1(self.isz, dst + j * step, src + self.offs[j])
            return 0
        for j in range(j0, j1):
            phx_copy_1d(self.isz, src + self.offs[j], self.si, dst + j * step, self.isz, self.ni)
        return 0

    cdef int _scatter_unit(self, Py_ssize_t u, Py_ssize_t nch, bint by_entries) noexcept nogil:
        cdef Py_ssize_t o = u // nch, c = u % nch, j, j0, j1, i0, n, per
        cdef char *dst = self.base + o * self.so
        cdef char *src = self.val + o * self.vo
        cdef int check = self.vt != self.xt and self.vt >= 9     # float source (PT_F32..)
        if check:
            feclearexcept(FPE)
        if by_entries:
            per = (self.nj + nch - 1) // nch
            j0, j1, i0, n = c * per, min(self.nj, c * per + per), 0, self.ni
        else:
            j0, j1, i0 = 0, self.nj, c * self.ich
            n = min(self.ich, self.ni - i0)
        for j in range(j0, j1):
            cast_1d(self.vt, self.xt, src + j * self.vj + i0 * self.vi, self.vi,
                        dst + self.offs[j] + i0 * self.si, self.si, n)
        return fetestexcept(FPE) if check else 0

    cpdef object finish(self):
        if self.status == 2:
            v = self.idx[self.bad]
            raise IndexError(f"index {v} is out of bounds for axis {self.xaxis} with size "
                             f"{self.nax}")
        self.raise_fpe()
        self.hold = None
        return self.result


cdef bint _merge(list dims):
    """Merge adjacent (extent, stride) pairs in place where the strides allow."""
    cdef Py_ssize_t k = len(dims) - 1
    dims[:] = [d for d in dims if d[0] != 1]
    k = len(dims) - 1
    while k > 0:
        if dims[k - 1][1] == dims[k][0] * dims[k][1]:
            dims[k - 1:k + 1] = [(dims[k - 1][0] * dims[k][0], dims[k][1])]
        k -= 1
    return True


cdef class _IdxPrep:
    cdef tuple index
    cdef object impl
    cdef int arr_pos            # operand position (after x) of the array index
    cdef int before_s, before_n, before_i, n_s, n_a, n_i
    cdef tuple int_pos          # operand positions of integer scalar components
    cdef bint e_before, scatter
    cdef int nidx

    def __call__(self, x, *vals):
        try:
            res = self._prepare(x, vals)
        except Decline:
            res = None
        if res is None:
            return self.impl(x, *vals, index=self.index)
        return res

    cdef object _prepare(self, x, tuple vals):
        cdef cnp.ndarray xa, ia, va
        if not cnp.PyArray_CheckExact(x):
            return None
        xa = <cnp.ndarray> x
        idx = vals[self.arr_pos]
        # small for sure (an upper bound of the selected elements): NumPy at once
        if cnp.PyArray_SIZE(xa) < SMALL and (cnp.PyArray_CheckExact(idx) and (
                cnp.PyArray_TYPE(<cnp.ndarray> idx) == cnp.NPY_BOOL or
                cnp.PyArray_SIZE(<cnp.ndarray> idx) <= 1)):
            return None
        if (cnp.PyArray_CheckExact(idx) and cnp.PyArray_NDIM(xa) > 0 and
                cnp.PyArray_SIZE(<cnp.ndarray> idx) * (
                    cnp.PyArray_SIZE(xa) // max(1, min(x.shape))) < SMALL):
            return None
        cdef int xt = ptype(xa)
        if xt < 0 or (self.scatter and not cnp.PyArray_ISWRITEABLE(xa)):
            return None                       # NumPy: "assignment destination is read-only"
        idx = vals[self.arr_pos]
        if not cnp.PyArray_CheckExact(idx) or cnp.PyArray_NDIM(<cnp.ndarray> idx) == 0:
            return None
        ia = <cnp.ndarray> idx
        ismask = cnp.PyArray_TYPE(ia) == cnp.NPY_BOOL
        if not ismask and not cnp.PyArray_ISINTEGER(ia):
            return None
        value = vals[len(vals) - 1] if self.scatter else None
        for k in self.int_pos:
            if isinstance(vals[k], (bool, np.bool_)):
                return None                   # a boolean scalar index adds an axis
        V = x[_build(self.index, vals[:self.nidx], self.arr_pos)]
        cdef int nd = x.ndim
        e_dims = nd - self.n_s - self.n_a - self.n_i
        p = self.before_s + self.before_n + (e_dims if self.e_before else 0)
        xaxis = self.before_s + self.before_i + (e_dims if self.e_before else 0)
        k = idx.ndim if ismask else 1
        vshape, vstr = V.shape, V.strides
        if p + k > len(vshape):
            return None                       # NumPy raises (too many indices)
        if ismask and tuple(idx.shape) != tuple(vshape[p:p + k]):
            return None                       # NumPy raises its IndexError
        outer = [(vshape[a], vstr[a]) for a in range(p)]
        inner = [(vshape[a], vstr[a]) for a in range(p + k, len(vshape))]
        if self.scatter:
            if len(outer) > 1 or len(inner) > 1 or (not ismask and idx.ndim != 1):
                return None
        else:
            _merge(outer)
            _merge(inner)
            if len(outer) > 1 or len(inner) > 1:
                return None
        cdef _IdxJob job = _IdxJob.__new__(_IdxJob)
        job.no, job.so = outer[0] if outer else (1, 0)
        job.ni, job.si = inner[0] if inner else (1, 0)
        job.isz, job.xt = x.itemsize, xt
        job.base = <char *> cnp.PyArray_DATA(<cnp.ndarray> V)
        job.xaxis = xaxis
        mdims = [(vshape[p + d], vstr[p + d]) for d in range(k)]
        _merge(mdims)
        if ismask and len(mdims) <= 1:
            m = np.ascontiguousarray(idx)
            pref = _chunk_counts(m)
            job.mask1d = job.mask = True
            job.mp = <const uint8_t *> cnp.PyArray_DATA(<cnp.ndarray> m)
            job.L, job.sx = m.size, (mdims[0][1] if mdims else 0)
            job.nmc = len(pref) - 1
            job.pref = <const int64_t *> cnp.PyArray_DATA(<cnp.ndarray> pref)
            job.nj = pref[job.nmc]
            sel_shape = (job.nj,)
            idx = (m, pref)
            offs = None
        elif ismask:
            offs = _mask_offsets(idx, vstr[p:p + k])
            job.nj = len(offs)
            job.mask = True
            sel_shape = (job.nj,)
        else:
            if cnp.PyArray_TYPE(ia) != cnp.NPY_INTP or not cnp.PyArray_IS_C_CONTIGUOUS(ia):
                idx = np.ascontiguousarray(idx, dtype=np.intp)
            job.nj = idx.size
            job.nax, job.sax = vshape[p], vstr[p]
            job.idx = <const cnp.npy_intp *> cnp.PyArray_DATA(<cnp.ndarray> idx)
            offs = np.empty(job.nj, np.int64)
            sel_shape = idx.shape
        if offs is not None:
            job.offs = <int64_t *> cnp.PyArray_DATA(<cnp.ndarray> offs)
        gshape = tuple(vshape[:p]) + tuple(sel_shape) + tuple(vshape[p + k:])
        size = job.no * job.nj * job.ni
        job.cost = <double> size
        if not self.scatter:
            if size < SMALL:
                return None
            # NumPy's layout: selected axes first in memory, moved to position p
            ls = len(sel_shape)
            buf = np.empty(tuple(sel_shape) + tuple(vshape[:p]) + tuple(vshape[p + k:]), x.dtype)
            job.out = <char *> cnp.PyArray_DATA(<cnp.ndarray> buf)
            job.dsj = job.no
            job.result = buf.transpose(list(range(ls, ls + p)) + list(range(ls)) +
                                       list(range(ls + p, buf.ndim))) if p else buf
            job.hold = (x, V, idx, offs)
            return job
        if size < SMALL:
            return None
        # the value, broadcast over (outer, selected, inner)
        if not cnp.PyArray_CheckExact(value):
            tmp = np.empty((), x.dtype)
            tmp[()] = value                   # NumPy's scalar conversion and its errors
            value = tmp
        va = <cnp.ndarray> value
        job.vt = ptype(va)
        if job.vt < 0 or (value.dtype.kind == "c" and x.dtype.kind != "c"):
            return None
        if np.may_share_memory(x, value):
            return None                       # NumPy copies an overlapping value first
        vshape_v = list(value.shape)
        vstr_v = list(value.strides)
        while len(vshape_v) > len(gshape) and vshape_v[0] == 1:
            vshape_v.pop(0)
            vstr_v.pop(0)
        if len(vshape_v) > len(gshape):
            return None
        pad = len(gshape) - len(vshape_v)
        bstr = [0] * pad
        for a in range(len(vshape_v)):
            if vshape_v[a] == gshape[pad + a]:
                bstr.append(vstr_v[a])
            elif vshape_v[a] == 1:
                bstr.append(0)
            else:
                return None                   # NumPy raises its broadcast error
        job.vo = bstr[0] if p else 0
        job.vj = bstr[p]
        job.vi = bstr[p + 1] if len(bstr) > p + 1 else 0
        job.val = <char *> cnp.PyArray_DATA(va)
        job.scatter = True
        job.result = x
        job.hold = (x, V, idx, offs, value)
        return job


def _chunk_counts(m):
    """Prefix sums of the True entries of contiguous mask m per MCH-entry chunk (len nmc + 1)."""
    cdef const uint8_t *mp = <const uint8_t *> cnp.PyArray_DATA(<cnp.ndarray> m)
    cdef Py_ssize_t n = m.size, nmc = (n + MCH - 1) // MCH, c, i, i1, cnt
    pref = np.empty(nmc + 1, np.int64)
    cdef int64_t *pp = <int64_t *> cnp.PyArray_DATA(<cnp.ndarray> pref)
    cdef int nt = copy_threads(n)
    with nogil:
        for c in prange(nmc, num_threads=nt, schedule="static"):
            i1 = min(n, (c + 1) * MCH)
            cnt = 0
            for i in range(c * MCH, i1):
                cnt = cnt + (mp[i] != 0)
            pp[c + 1] = cnt
        pp[0] = 0
        for c in range(nmc):
            pp[c + 1] += pp[c]
    return pref


def _mask_offsets(mask, strides):
    """Byte offsets (C order) of the True entries of a k-d mask over axes with `strides`."""
    m = np.ascontiguousarray(mask)
    cdef cnp.ndarray ma = <cnp.ndarray> m
    cdef const uint8_t *mp = <const uint8_t *> cnp.PyArray_DATA(ma)
    cdef Py_ssize_t n = m.size, i, c = 0, r, off
    cdef int k = m.ndim, d
    cdef Py_ssize_t ext[32]
    cdef Py_ssize_t st[32]
    if k > 32:
        raise Decline("rank")
    for d in range(k):
        ext[d] = m.shape[d]
        st[d] = strides[d]
    with nogil:
        for i in range(n):
            c += mp[i] != 0
    offs = np.empty(c, np.int64)
    cdef int64_t *op = <int64_t *> cnp.PyArray_DATA(<cnp.ndarray> offs)
    c = 0
    with nogil:
        for i in range(n):
            if mp[i]:
                r, off = i, 0
                for d in range(k - 1, -1, -1):
                    off += (r % ext[d]) * st[d]
                    r = r // ext[d]
                op[c] = off
                c += 1
    return offs


def _index_factory(op, scatter):
    index = tuple(op.attrs["index"])
    kinds = [c[0] for c in index]
    if kinds.count("a") != 1:
        return None
    # Integer scalars next to the array index (x[i, u], x[u, 0]) are advanced indices NumPy
    # broadcasts with it; when they and the array form one run of components, the result is
    # that of applying the integers first as basic indices (their axes vanish, the array's
    # axes stay in place). Integers elsewhere (x[0, :, u]) move the axes: NumPy's reference.
    run = [k for k, c in enumerate(kinds) if c in "ia"]
    if run != list(range(run[0], run[0] + len(run))):
        return None
    cdef _IdxPrep p = _IdxPrep.__new__(_IdxPrep)
    p.index, p.impl, p.scatter = index, op.decl.impl, scatter
    pos, seen_a, ints = 0, False, []
    for comp in index:
        if comp[0] == "a":
            p.arr_pos, seen_a = pos, True
        if comp[0] == "i":
            ints.append(pos)
        if not seen_a:
            p.before_s += comp[0] == "s"
            p.before_n += comp[0] == "n"
            p.before_i += comp[0] == "i"
            p.e_before = p.e_before or comp[0] == "e"
        pos += comp[1:].count("1") if comp[0] == "s" else comp in ("i", "a")
    p.nidx = pos
    p.n_s, p.n_a, p.n_i = kinds.count("s"), 1, len(ints)
    p.int_pos = tuple(ints)
    return p


@register("gather")
def _gather_factory(op):
    return _index_factory(op, False)


@register("setitem")
def _setitem_factory(op):
    index = tuple(op.attrs["index"])
    if "a" in [c[0] for c in index]:
        return _index_factory(op, True)
    cdef _BasicSetPrep p = _BasicSetPrep.__new__(_BasicSetPrep)
    p.index, p.impl = index, op.decl.impl
    p.ints = all(c == "i" for c in index)
    return p


cdef class _BasicSetPrep:
    """x[basic index] = value: a move into NumPy's view of the target."""
    cdef tuple index
    cdef object impl
    cdef bint ints            # every component an integer: one element, NumPy's fast path

    def __call__(self, x, *vals):
        cdef tuple idx = vals[:len(vals) - 1]
        value = vals[len(vals) - 1]
        if self.ints:
            x[idx] = value
            return x
        if cnp.PyArray_CheckExact(x) and cnp.PyArray_SIZE(<cnp.ndarray> x) < SMALL:
            x[_build(self.index, idx, -1)] = value      # a small target: NumPy at once
            return x
        if cnp.PyArray_CheckExact(x) and cnp.PyArray_ISWRITEABLE(<cnp.ndarray> x):
            target = x[_build(self.index, idx, -1)]
            if (cnp.PyArray_CheckExact(target) and cnp.PyArray_SIZE(<cnp.ndarray> target)
                    >= SMALL):
                try:
                    job = self._job(x, target, value)
                except Decline:
                    job = None
                if job is not None:
                    return job
        return self.impl(x, *vals, index=self.index)

    cdef object _job(self, x, target, value):
        if not cnp.PyArray_CheckExact(value):
            tmp = np.empty((), x.dtype)
            tmp[()] = value
            value = tmp
        elif value.dtype.kind == "c" and x.dtype.kind != "c":
            return None
        elif np.may_share_memory(x, value):
            return None                       # NumPy copies an overlapping value first
        vshape = value.shape
        tshape = target.shape
        k = 0
        while len(vshape) - k > len(tshape) and vshape[k] == 1:
            k += 1
        if k:
            value = value.reshape(vshape[k:])
            vshape = value.shape
        if len(vshape) > len(tshape):
            return None
        for a in range(1, len(vshape) + 1):
            if vshape[-a] != 1 and vshape[-a] != tshape[-a]:
                return None                   # NumPy raises its broadcast error
        cdef MoveJob job = MoveJob.__new__(MoveJob)
        job.add(target, value)
        job.result = x
        return job
