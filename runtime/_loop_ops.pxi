# Instructions of the native loop kernel (included by _loopkernel.pyx): each reads and writes
# the registers of one thread, returns 0 or -1 after _fail() recorded the error. After each
# instruction that may raise floating-point flags NumPy reports (scalar float arithmetic,
# elementwise programs, products), _fp_after notes them (see _loopkernel's module doc).

# Products with small outputs (at most SMALL_OUT elements) go to dgemm in slices of K of at most
# CHUNK_MNK multiply-adds each, accumulated with beta = 1. OpenBLAS's small-matrix kernel
# streams all of K for every tile of the output, so once the operands outgrow L1 each tile
# re-reads them from L2; above 100^3 it switches to the packed path, whose copies cost 40% of
# its kernel time on ALS's Gram products (perf). Slices that fit L1 avoid both: explicit ALS
# at k = 40 went from 213 to 175 ms per iteration on one thread (k = 10: 32.4 -> 30.0 ms),
# faster than dsyrk's half-the-flops at every K measured, so syrk is left to bigger outputs.
cdef double CHUNK_MNK = 1e5
cdef int SMALL_OUT = 4096
# Gathers of fewer columns stay plain: appending v costs more than the dgemv it saves (explicit
# ALS, TSC cycles per user: k = 10 gather 1.8k -> 2.8k, product 3.3k -> 3.8k, dgemv 1.1k -> 0;
# k = 40 gather 6.6k -> 7.5k, product 20.9k -> 21.5k, dgemv 3.5k -> 0).
cdef Py_ssize_t AUG_MIN_COLS = 16


# -- instructions ------------------------------------------------------------------------------

cdef int _scalar(Ctx *c, Ins *ins, int *kinds) noexcept nogil:
    cdef Reg *a = &c.regs[ins.args[0]]
    cdef Reg *b = &c.regs[ins.args[1]]
    cdef Reg *o = &c.regs[ins.out]
    cdef int which = ins.args[2], ovf = 0
    cdef double x, y
    if kinds[ins.out] == R_INT:
        if which == S_ADD:
            ovf = phx_add_ovf(a.i, b.i, &o.i)
        elif which == S_SUB:
            ovf = phx_sub_ovf(a.i, b.i, &o.i)
        else:
            ovf = phx_mul_ovf(a.i, b.i, &o.i)
        if ovf:
            return _fail(c, E_OVERFLOW, ins.op)
        return 0
    x = a.f if kinds[ins.args[0]] == R_FLOAT else <double> a.i
    y = b.f if kinds[ins.args[1]] == R_FLOAT else <double> b.i
    if which == S_ADD:
        o.f = x + y
    elif which == S_SUB:
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


cdef int _gather_aug(Ctx *c, Ins *ins, int *kinds, Reg *x, Reg *ix, Reg *o, Py_ssize_t m,
                     Py_ssize_t n, Py_ssize_t cols) noexcept nogil:
    """F_AUG: o = x[ix] with the vector v = args[2] as an extra last column (rows of cols + 1
    doubles; o is the view without it, args[3] the whole), so one product aug.T @ o gives
    both o.T @ o and o.T @ v (_product_aug). 0 when done, 1 when v does not fit (the plain
    gather and products run instead, with their own errors), -1 on failure."""
    cdef Reg *v = &c.regs[ins.args[2]]
    cdef Reg *aug = &c.regs[ins.args[3]]
    cdef Py_ssize_t j, ld = (cols + 8) // 8 * 8     # cols + 1, rounded to whole cache lines
    cdef double *dst
    if kinds[ins.args[2]] != R_ARRAY or v.ndim != 1 or v.dtype != DT_F64 or \
            v.shape[0] != m or x.ndim != 2 or x.dtype != DT_F64 or x.strides[1] != 8 or \
            ix.dtype == DT_BOOL or m == 0 or cols < AUG_MIN_COLS:
        return 1
    if _scratch(o, <size_t> (m * ld * 8 + 64)) == NULL:      # + 64: aligned below
        return _fail(c, E_NOMEM, ins.op)
    dst = <double *> ((<size_t> o.buf + 63) & ~(<size_t> 63))
    j = phx_gather_rows(dst, ld, x.data, x.strides[0], n, cols, ix.data, ix.strides[0],
                        ix.dtype == DT_I32, m, v.data, v.strides[0])
    if j >= 0:
        return _fail(c, E_INDEX, ins.op, _iget(ix.data + j * ix.strides[0], ix.dtype), 0, n)
    o.data, o.ndim, o.dtype = <char *> dst, 2, DT_F64
    o.shape[0], o.shape[1], o.strides[0], o.strides[1] = m, cols, ld * 8, 8
    aug.data, aug.ndim, aug.dtype = <char *> dst, 2, DT_F64
    aug.shape[0], aug.shape[1], aug.strides[0], aug.strides[1] = m, ld, ld * 8, 8
    return 0


cdef int _gather(Ctx *c, Ins *ins, int *kinds) noexcept nogil:
    cdef Reg *x = &c.regs[ins.args[0]]
    cdef Reg *ix = &c.regs[ins.args[1]]
    cdef Reg *o = &c.regs[ins.out]
    cdef Py_ssize_t m = ix.shape[0], n = x.shape[0], cols = x.shape[1] if x.ndim == 2 else 1
    cdef Py_ssize_t j, k, isz = phx_loop_itemsize[x.dtype]
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
    if ins.flags & F_AUG:
        c.regs[ins.args[3]].ndim = 0        # no augmented rows unless built here
        j = _gather_aug(c, ins, kinds, x, ix, o, m, n, cols)
        if j <= 0:
            return j
    if isz == 8 and (x.ndim == 1 or x.strides[1] == 8) and ix.dtype != DT_BOOL:
        j = phx_gather_rows(<double *> dst, cols, x.data, x.strides[0], n, cols, ix.data,
                            ix.strides[0], ix.dtype == DT_I32, m, NULL, 0)
        if j < 0:
            return 0
        return _fail(c, E_INDEX, ins.op, _iget(ix.data + j * ix.strides[0], ix.dtype), 0, n)
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


cdef int _ew_broadcast(int n, const int *nds, const Py_ssize_t *shapes, Py_ssize_t *sh,
                       int *fail) noexcept nogil:
    """Right-aligned broadcasting of n shapes of rank <= 2 (nds[i] 0: a scalar; shapes: two
    extents per operand) into sh[2] (leading 1 for rank 1); the rank, or -1 with fail[0] the
    first operand that does not broadcast with the ones before it."""
    cdef int i, k, a, nd = 0
    cdef Py_ssize_t d
    sh[0] = sh[1] = 1
    for i in range(n):
        nd = max(nd, nds[i])
        for k in range(nds[i]):
            d = shapes[2 * i + k]
            a = 2 - nds[i] + k
            if d != 1:
                if sh[a] != 1 and sh[a] != d:
                    fail[0] = i
                    return -1
                sh[a] = d
    return nd


cdef int _ew_fail(Ctx *c, LoopEw *e, int *kinds) noexcept nogil:
    """NumPy's broadcasting error of the I_EW program e: the first op (in order) whose two
    operands do not broadcast, with their shapes."""
    cdef int n = e.n_ops + e.n_steps, i, j, fail = 0, src
    cdef int *nds = <int *> calloc(n, sizeof(int))
    cdef Py_ssize_t *shapes = <Py_ssize_t *> calloc(2 * n, sizeof(Py_ssize_t))
    cdef int two[2]
    cdef Py_ssize_t pair[4]
    cdef Py_ssize_t sh[2]
    cdef Reg *r
    if nds == NULL or shapes == NULL:
        free(nds)
        free(shapes)
        return _fail(c, E_NOMEM, e.steps[2])
    for i in range(e.n_ops):
        r = &c.regs[e.op_reg[i]]
        nds[i] = r.ndim if kinds[e.op_reg[i]] == R_ARRAY else 0
        shapes[2 * i], shapes[2 * i + 1] = r.shape[0], r.shape[1]
    for j in range(e.n_steps):
        for i in range(2):
            src = e.steps[3 * j + i]
            two[i] = nds[src] if src >= 0 else 0
            pair[2 * i] = shapes[2 * src] if src >= 0 else 1
            pair[2 * i + 1] = shapes[2 * src + 1] if src >= 0 else 1
        nds[e.n_ops + j] = _ew_broadcast(2, two, pair, sh, &fail)
        if nds[e.n_ops + j] < 0:
            _fail(c, E_BCAST, e.steps[3 * j + 2], pair[0] if two[0] else -1,
                  pair[1] if two[0] == 2 else -1, pair[2] if two[1] else -1,
                  pair[3] if two[1] == 2 else -1)
            break
        shapes[2 * (e.n_ops + j)] = sh[0] if nds[e.n_ops + j] == 2 else sh[1]
        shapes[2 * (e.n_ops + j) + 1] = sh[1]
    else:       # every result depends on every array operand (_loopcompile): not reached
        _fail(c, E_BCAST, e.steps[2], -1, -1, -1, -1)
    free(nds)
    free(shapes)
    return -1


cdef int _elementwise(Ctx *c, Ins *ins, Prog *p) noexcept nogil:
    """An elementwise program (the engine of fused ops, ew_exec.h) over the iteration's arrays:
    broadcast as NumPy, results in fresh C-contiguous registers."""
    cdef LoopEw *e = &p.ew[ins.args[0]]
    cdef phx_prog *P = &c.ew[ins.args[0]]
    cdef int *kinds = p.kinds
    cdef int i, k, d, nd, fail = 0, nin = 0, n_arr = 0, isz, off
    cdef int nds[64]
    cdef Py_ssize_t shapes[128]
    cdef Py_ssize_t sh[2]
    cdef Py_ssize_t strides[64][64]
    cdef Reg *r
    cdef Reg *o
    cdef phx_reg *g
    if e.n_ops > 64:
        return _fail(c, E_NOMEM, ins.op)
    for i in range(e.n_ops):
        r = &c.regs[e.op_reg[i]]
        nds[i] = r.ndim if kinds[e.op_reg[i]] == R_ARRAY else 0
        shapes[2 * i], shapes[2 * i + 1] = r.shape[0], r.shape[1]
    nd = _ew_broadcast(e.n_ops, nds, shapes, sh, &fail)
    if nd < 0:
        return _ew_fail(c, e, kinds)
    for i in range(e.n_out):
        o = &c.regs[e.op_reg[e.n_ops + i]]
        o.dtype = p.dtypes[e.op_reg[e.n_ops + i]]
        isz = phx_loop_itemsize[o.dtype]
        if _scratch(o, <size_t> (sh[0] * sh[1] * isz)) == NULL:
            return _fail(c, E_NOMEM, ins.op)
        o.data, o.ndim = o.buf, nd
        if nd == 2:
            o.shape[0], o.shape[1], o.strides[0], o.strides[1] = sh[0], sh[1], sh[1] * isz, isz
        else:
            o.shape[0], o.shape[1], o.strides[0], o.strides[1] = sh[1], 1, isz, isz
    for k in range(P.nreg):
        g = &P.regs[k]
        if g.kind == PHX_R_IN:
            if nin >= 64:
                return _fail(c, E_NOMEM, ins.op)
            i = e.operand[k]
            r = &c.regs[e.op_reg[i]]
            g.data = r.data
            off = 2 - r.ndim
            for d in range(2):      # the array's axis d - off, stride 0 where it broadcasts
                strides[nin][d] = 0 if d < off or r.shape[d - off] == 1 \
                    else r.strides[d - off]
            nin += 1
        elif g.kind == PHX_R_OUT:
            g.data = c.regs[e.op_reg[e.n_ops + e.operand[k]]].data
        elif g.kind == PHX_R_CONST and e.operand[k] >= 0:
            i = e.op_reg[e.operand[k]]
            if g.rtype == PHX_F64:
                g.value.f64 = c.regs[i].f if kinds[i] == R_FLOAT else <double> c.regs[i].i
            else:
                g.value.i64 = c.regs[i].i
    ew_layout(P, 2, sh, strides, nin, NULL)
    if ew_run_here(P) != 0:
        return _fail(c, E_NOMEM, ins.op)
    return 0


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


cdef Reg *_blas_ready(Reg *r, Tmp *t, Reg *copy) noexcept nogil:
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


cdef void _gemm_k_slices(char opb, char opa, int N, int M, int K, int kc, double *B, int ldb,
                         double *A, int lda, double *out) noexcept nogil:
    """out (column-major N x M, ld N) = op(B) @ op(A), summed over slices of K of kc."""
    cdef int k0 = 0, kk, ldc = N
    cdef double one = 1.0, beta = 0.0
    while k0 < K:
        kk = min(kc, K - k0)
        # a slice of K: columns of an 'N' operand (k0 * ld further on), rows of a 'T' one
        dgemm(&opb, &opa, &N, &M, &kk, &one, B + (<Py_ssize_t> k0 * ldb if opb == b'N' else k0),
              &ldb, A + (k0 if opa == b'N' else <Py_ssize_t> k0 * lda), &lda, &beta, out, &ldc)
        beta = 1.0
        k0 += kk


cdef int _product_aug(Ctx *c, Ins *ins) noexcept nogil:
    """F_AUG products of a gathered z whose rows carry v (_gather_aug): the Gram product
    z.T @ z computes P = aug.T @ z ((k+1) x k) in one dgemm and is its first k rows; the
    right-hand side z.T @ v is its last row (P from this iteration's Gram product, which the
    compiler placed first). Both results are views of P."""
    cdef Reg *z = &c.regs[ins.args[0]]
    cdef Reg *aug = &c.regs[ins.args[2]]
    cdef Reg *P = &c.regs[ins.args[3]]
    cdef Reg *o = &c.regs[ins.out]
    cdef int k = <int> z.shape[1], m = <int> z.shape[0], ld = <int> (aug.strides[0] // 8), kc
    if c.regs[ins.args[1]].ndim == 2:
        if _scratch(P, <size_t> (k + 1) * k * 8) == NULL:
            return _fail(c, E_NOMEM, ins.op)
        kc = m
        if (k + 1) * k <= SMALL_OUT and <double> (k + 1) * k * m > CHUNK_MNK:
            kc = max(1, <int> (CHUNK_MNK / (<double> (k + 1) * k)))
        _gemm_k_slices(b'N', b'T', k, k + 1, m, kc, <double *> z.data, ld, <double *> aug.data,
                       ld, <double *> P.buf)
        o.data, o.ndim, o.dtype = P.buf, 2, DT_F64
        o.shape[0], o.shape[1], o.strides[0], o.strides[1] = k, k, k * 8, 8
    else:
        o.data, o.ndim, o.dtype = P.buf + <Py_ssize_t> k * k * 8, 1, DT_F64
        o.shape[0], o.shape[1], o.strides[0], o.strides[1] = k, 1, 8, 8
    return 0


cdef int _product(Ctx *c, Ins *ins, int ti) noexcept nogil:
    cdef Reg ca, cb
    cdef Reg *a = _blas_ready(&c.regs[ins.args[0]], &c.tmp[ti], &ca)
    cdef Reg *b = _blas_ready(&c.regs[ins.args[1]], &c.tmp[ti + 1], &cb)
    cdef Reg *o = &c.regs[ins.out]
    cdef bint ta = ins.flags & F_TA and a != NULL and a.ndim == 2
    cdef bint tb = ins.flags & F_TB and b != NULL and b.ndim == 2
    cdef int M, N, K, lda, ldb, ldc, inca, incb, one_i = 1, tra, trb, i, j, kc
    cdef double one = 1.0, zero = 0.0
    cdef char opa, opb
    cdef Py_ssize_t am, ak, bk, bn
    cdef double *out
    if ins.flags & F_AUG and c.regs[ins.args[2]].ndim == 2:
        return _product_aug(c, ins)
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
        if ins.flags & F_SYM and K >= 1024 and M * N > SMALL_OUT:
            # x.T @ x or x @ x.T with a big output: syrk (half the flops) writes one
            # triangle, mirrored after
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
        kc = K
        if M * N <= SMALL_OUT and <double> M * N * K > CHUNK_MNK:
            kc = max(1, <int> (CHUNK_MNK / (<double> M * N)))
        _gemm_k_slices(opb, opa, N, M, K, kc, <double *> b.data, ldb, <double *> a.data, lda, out)
        return 0
    if a.ndim == 2:    # (M x K) @ (K,) -> (M,)
        lda = _ld(a, &tra)
        incb = <int> (b.strides[0] // 8)
        if tra and ta and M <= PHX_SHORT_GEMV:     # x.T @ v, x with contiguous rows
            phx_gemv_short(<double *> a.data, lda, K, M, <double *> b.data, incb, out)
            return 0
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
    if trb and not tb and N <= PHX_SHORT_GEMV:
        phx_gemv_short(<double *> b.data, ldb, K, N, <double *> a.data, inca, out)
        return 0
    opb = b'T' if (trb == 0) != (tb != 0) else b'N'
    if trb:
        i, j = <int> b.shape[1], <int> b.shape[0]
    else:
        i, j = <int> b.shape[0], <int> b.shape[1]
    dgemv(&opb, &i, &j, &one, <double *> b.data, &ldb, <double *> a.data, &inca, &zero, out,
          &one_i)
    return 0


cdef void _copy_square(Reg *a, double *A, bint fortran) noexcept nogil:
    """A = the n x n f64 register a, row-major (column-major with `fortran`)."""
    cdef Py_ssize_t n = a.shape[0], i, j
    if not fortran and a.strides[1] == 8:
        for i in range(n):
            phx_copy_row(A + i * n, <double *> (a.data + i * a.strides[0]), n)
        return
    for i in range(n):
        for j in range(n):
            A[(j * n + i) if fortran else (i * n + j)] = _fget(a, i, j)


cdef int _solve(Ctx *c, Ins *ins, int ti) noexcept nogil:
    cdef Reg *a = &c.regs[ins.args[0]]
    cdef Reg *b = &c.regs[ins.args[1]]
    cdef Reg *o = &c.regs[ins.out]
    cdef int n, nrhs, info = 0, i, j, lda
    cdef double *A
    cdef double *B
    cdef int *piv
    cdef double inv[PHX_SMALL_CHOL]
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
    if ins.flags & F_SYM:
        # symmetric by construction: the row-major copy is the column-major one
        _copy_square(a, A, 0)
        if n <= PHX_SMALL_CHOL:     # see loop_small.h: no LAPACK call (nor its lock)
            info = phx_chol_small(A, n, inv)
            if info == 0:
                for j in range(nrhs):
                    phx_chol_solve_small(A, inv, n, B + j * n)
        else:
            dpotrf(b'L', &n, A, &lda, &info)
            if info == 0:
                dpotrs(b'L', &n, &nrhs, A, &lda, B, &lda, &info)
        if info != 0:   # not positive definite: LU, like numpy.linalg.solve
            info = -1
    if not (ins.flags & F_SYM) or info == -1:
        _copy_square(a, A, 1)
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


cdef int _diag(Ctx *c, Ins *ins) noexcept nogil:
    """np.diag of a 1-d f64 array: the n x n matrix with it on the diagonal."""
    cdef Reg *v = &c.regs[ins.args[0]]
    cdef Reg *o = &c.regs[ins.out]
    cdef Py_ssize_t n = v.shape[0], i
    if _scratch(o, <size_t> n * n * 8) == NULL:
        return _fail(c, E_NOMEM, ins.op)
    _contig(o, 2, n, n)
    memset(o.data, 0, <size_t> n * n * 8)
    for i in range(n):
        (<double *> o.data)[i * n + i] = (<double *> (v.data + i * v.strides[0]))[0]
    return 0


cdef int _astype(Ctx *c, Ins *ins) noexcept nogil:
    """x.astype(np.float64) for f64, int64, int32 and bool arrays: a C-contiguous copy."""
    cdef Reg *x = &c.regs[ins.args[0]]
    cdef Reg *o = &c.regs[ins.out]
    cdef Py_ssize_t n0 = x.shape[0], n1 = x.shape[1] if x.ndim == 2 else 1, i, j
    cdef const char *p
    cdef double *out
    if _scratch(o, <size_t> n0 * n1 * 8) == NULL:
        return _fail(c, E_NOMEM, ins.op)
    _contig(o, x.ndim, n0, n1)
    out = <double *> o.data
    for i in range(n0):
        for j in range(n1):
            p = x.data + i * x.strides[0] + (j * x.strides[1] if x.ndim == 2 else 0)
            if x.dtype == DT_F64:
                out[i * n1 + j] = (<const double *> p)[0]
            elif x.dtype == DT_BOOL:
                out[i * n1 + j] = 1.0 if (<const unsigned char *> p)[0] else 0.0
            else:
                out[i * n1 + j] = <double> _iget(p, x.dtype)
    return 0


cdef double _min_abs_nonzero(Reg *r) noexcept nogil:
    """The smallest nonzero |element| of an f64 array register (inf if none)."""
    cdef Py_ssize_t n0 = r.shape[0] if r.ndim >= 1 else 1, n1 = r.shape[1] if r.ndim == 2 else 1
    cdef Py_ssize_t i, j
    cdef double v, m = INFINITY
    for i in range(n0):
        for j in range(n1):
            v = fabs((<double *> (r.data + (i * r.strides[0] if r.ndim >= 1 else 0)
                                  + (j * r.strides[1] if r.ndim == 2 else 0)))[0])
            if v < m and v > 0:
                m = v
    return m


cdef int _fp_after(Ctx *c, Ins *ins, bint product) noexcept nogil:
    """After an instruction that may raise floating-point flags: the iteration is flagged if
    it raised one np.errstate asks about (a product: or may raise underflow in NumPy's order of
    the sums), and stops there (-1, E_FPE) if its mode is "raise"."""
    cdef int f = fetestexcept(PHX_FPE_ALL), clear = f
    if product and c.fpe_want & FE_UNDERFLOW and not f & FE_UNDERFLOW:
        clear = 1       # (the test's own comparisons and product may raise flags)
        if phx_may_underflow(_min_abs_nonzero(&c.regs[ins.args[0]]),
                             _min_abs_nonzero(&c.regs[ins.args[1]]), 0):
            f |= FE_UNDERFLOW
    if clear:
        feclearexcept(PHX_FPE_ALL)
    f &= c.fpe_want
    if not f:
        return 0
    c.flagged = 1
    if f & c.fpe_stop:
        return _fail(c, E_FPE, ins.op)
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
            if c.fpe_want and p.kinds[ins.out] == R_FLOAT and _fp_after(c, ins, 0) < 0:
                return -1
        elif ins.code == I_DIM:
            x = &c.regs[ins.args[0]]
            c.regs[ins.out].i = x.shape[ins.args[1]] if ins.args[1] < x.ndim else 0
        elif ins.code == I_VIEW:
            if _index(c, ins, &c.regs[ins.args[0]], &ins.args[1], &c.regs[ins.out], p.kinds,
                      1) < 0:
                return -1
        elif ins.code == I_GATHER:
            if _gather(c, ins, p.kinds) < 0:
                return -1
        elif ins.code == I_EW:
            if _elementwise(c, ins, p) < 0:
                return -1
            if c.fpe_want and _fp_after(c, ins, 0) < 0:
                return -1
        elif ins.code == I_GEMM:
            if _product(c, ins, 3 * k) < 0:
                return -1
            if c.fpe_want and _fp_after(c, ins, 1) < 0:
                return -1
        elif ins.code == I_SOLVE:
            if _solve(c, ins, 3 * k) < 0:
                return -1
            if c.fpe_want:      # numpy.linalg sets its own error state: solve never reports
                feclearexcept(PHX_FPE_ALL)
        elif ins.code == I_SETITEM:
            if _setitem(c, ins, p.kinds) < 0:
                return -1
        elif ins.code == I_DIAG:
            if _diag(c, ins) < 0:
                return -1
        elif ins.code == I_ASTYPE:
            if _astype(c, ins) < 0:
                return -1
    return 0
