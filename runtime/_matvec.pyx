# cython: language_level=3
"""Native `matvec_pair`: g = X.T @ f(X @ w, inputs...) reading each row block of X once.

Per row block X_b (a few hundred KB, so it is still in L2 when read the second time):
    z = X_b @ w            (from memory)
    fz = f(z, inputs_b)    (the body, run by a small register program over the block)
    g_t += X_b.T @ fz      (from L2; no copy of X_b.T)
Blocks are claimed dynamically by the threads of an OpenMP team; each thread accumulates its own
partial g_t, summed at the end in thread order. NumPy's X.T @ f(X @ w) streams X from memory
twice, this streams it once: the whole point when X does not fit in cache. The in-cache pass of
one block runs in the same sweep as the memory pass of the next (see run()): for row-major X
the row kernels of mvp_kernel.h do both products of 4 + 4 rows per sweep over the columns;
column-major X (strided blocks) uses two dgemv calls per block.

The team has job_threads() threads (1 while the executor runs nodes concurrently). Inside it
BLAS must be single-threaded (two pools on the same cores are slow): run() opens a concurrent
section of the runtime (par_enter/par_exit: OpenBLAS -> 1 thread, nested jobs -> 1 thread)
around its team.

The body is compiled at lowering time into instructions over "slots" (one vector of block
length each): slot 0 is z; per-row inputs point into their operand; scalars (constants, scalar
operands, 0-d or length-1 arrays, and ops on scalars only, which the preparer evaluates with the
op's NumPy reference) are broadcast into a slot once per thread. Only f64 bodies with the ops in
_UNARY/_BINARY are native; anything else declines to the NumPy reference (fused.py's evaluate).
Differences from the reference: rounding of the final sum (another grouping of the rows) and
exp/log from libm instead of NumPy's SIMD versions (both within a few ulp). Floating-point
flags raised by the team make finish() hand the op to NumPy when np.errstate asks for a
warning or an error (runtime/_fpe.py).
"""

import numpy as np

cimport numpy as cnp
from cython.parallel cimport parallel, threadid
from libc.math cimport exp, expm1, fabs, log, log1p, sqrt, tanh
from libc.stdlib cimport calloc, free, malloc
from scipy.linalg.cython_blas cimport dgemv

from phylanx.runtime._threads cimport job_threads, par_enter, par_exit
from phylanx.runtime.native cimport Job
from phylanx.runtime._fpe import numpy_reports
from phylanx.runtime.natives import register

cdef extern from "fpe.h" nogil:
    void phx_fpe_clear()
    void phx_fpe_collect(int *acc)
    int phx_fpe_bits(int f)

cnp.import_array()

cdef enum:
    I_ADD = 1
    I_SUB
    I_MUL
    I_DIV
    I_NEG
    I_EXP
    I_LOG
    I_LOG1P
    I_EXPM1
    I_TANH
    I_SQRT
    I_ABS
    I_SQUARE

_BINARY = {"add": I_ADD, "subtract": I_SUB, "multiply": I_MUL, "true_divide": I_DIV}
_UNARY = {"negative": I_NEG, "exp": I_EXP, "log": I_LOG, "log1p": I_LOG1P, "expm1": I_EXPM1,
          "tanh": I_TANH, "sqrt": I_SQRT, "absolute": I_ABS, "square": I_SQUARE}

cdef extern from "mvp_kernel.h" nogil:
    ctypedef void (*phx_mvp_fn)(const double *const *a, const double *const *b,
                                const double *f, const double *w, double *g, Py_ssize_t k,
                                double *s) noexcept nogil
    phx_mvp_fn phx_mvp_pick(int max_isa)
    phx_mvp_fn phx_mvp_plain, phx_mvp_avx2, phx_mvp_avx512

# Bytes of X per row block: small enough to stay in L2 between its two passes, big enough that
# per-block overhead (the body, BLAS calls for column-major X) stays small. Tunable for
# benchmarks, as is the instruction set of the row kernels (tests run every variant).
_block_bytes = 320 * 1024
_isa = 2
cdef phx_mvp_fn _mvp_fn = phx_mvp_pick(2)


def set_tuning(block_bytes=None, isa=None):
    """Block size in bytes of X; isa: highest instruction set of the row-major kernels
    (0 plain C, 1 AVX2, 2 AVX-512; the best one the CPU has up to that)."""
    global _block_bytes, _isa, _mvp_fn
    if block_bytes is not None:
        _block_bytes = max(1, int(block_bytes))
    if isa is not None:
        _isa = min(2, max(0, int(isa)))
        _mvp_fn = phx_mvp_pick(_isa)


def kernel_variant():
    """Name of the row-major kernel in use."""
    if _mvp_fn == phx_mvp_avx512:
        return "avx512"
    if _mvp_fn == phx_mvp_avx2:
        return "avx2"
    return "plain"


cdef extern from *:
    """
    static inline int phx_claim(int *next) { return __atomic_fetch_add(next, 1, __ATOMIC_RELAXED); }
    """
    int _claim "phx_claim"(int *next) nogil


cdef extern from "team_stats.h":   # runs, team runs, largest team of this module's jobs
    void _note_team "phx_note_team"(int nt) nogil
    int _team_stat "phx_team_stat"(int i, int reset) nogil


def team_stats(reset=False):
    """(jobs run, jobs that started a team of more than one thread, largest team) of this
    module since the last reset: tests check that jobs honour job_threads()."""
    return tuple([_team_stat(i, 1 if reset else 0) for i in range(3)])


cdef enum:
    S_VEC = 0       # z or a temporary: a thread-local buffer
    S_ROW = 1       # a per-row operand: points into the array at the block's first row
    S_SCALAR = 2    # broadcast once per thread from sval


cdef class _MvpJob(Job):
    cdef const double *X
    cdef bint row_major
    cdef int n, k, ld, incw, L, nslots, nins, yslot
    cdef double *zero         # a row of k zeros (row-major, n % 4 != 0), during run()
    cdef int fpe              # FE_* flags raised by the team (fpe.h)
    cdef object redo          # (preparer, operands): NumPy's run if NumPy would warn
    cdef const double *w
    cdef double *g
    cdef int *prog            # nins x (opcode, dst, a, b)
    cdef int *kind            # per slot
    cdef double *sval         # per slot (scalars)
    cdef const double **rows  # per slot (per-row operands)
    cdef object keep

    def __dealloc__(self):
        free(self.zero)
        free(self.kind)
        free(self.sval)
        free(self.rows)
        free(self.prog)

    cdef int run(self) noexcept nogil:
        """Each thread claims blocks in order (an atomic counter: dynamic, no spinning, and the
        threads stay on neighbouring blocks of X). Per block b, after z_b = X_b @ w and the body,
        g_t += X_b.T @ f(z_b) (X_b from L2) runs interleaved with z_next = X_next @ w (from
        memory) for the block claimed next, so the core keeps streaming X while it does the
        in-cache pass: row-major X in one sweep per 4 rows of each block (mvp_kernel.h),
        column-major X in column slices of dgemv calls."""
        cdef int nt = job_threads(), t, nblocks, b, nb, q, counter = 0
        cdef Py_ssize_t j
        cdef double *partial
        cdef double *buf
        cdef double **ptr
        cdef double *zc
        cdef double *zn
        cdef double *tmp
        cdef double *gt
        nblocks = (self.n + self.L - 1) // self.L
        nt = max(1, min(nt, nblocks))
        _note_team(nt)
        partial = <double *> calloc(<size_t> nt * self.k, sizeof(double))
        if partial == NULL:
            self.status = 1
            return 1
        if self.row_major and self.n % 4:      # stands in for the rows missing from a group
            self.zero = <double *> calloc(self.k, sizeof(double))
            if self.zero == NULL:
                free(partial)
                self.status = 1
                return 1
        if nt > 1:
            par_enter()
        self.fpe = 0
        with parallel(num_threads=nt):
            t = threadid()
            phx_fpe_clear()
            gt = partial + <Py_ssize_t> t * self.k
            buf = <double *> malloc(sizeof(double) * (self.nslots + 1) * self.L)
            ptr = <double **> malloc(sizeof(double *) * self.nslots)
            b = nblocks
            if buf == NULL or ptr == NULL:
                self.status = 1
            else:
                self._setup_slots(buf, ptr)
                zc, zn = ptr[0], buf + <Py_ssize_t> self.nslots * self.L
                b = _claim(&counter)
                if b < nblocks:
                    if self.row_major:
                        self._rows(-1, NULL, b, zc, gt)
                    else:
                        self._z(b, zc, 0, self.k)
            while b < nblocks:
                nb = _claim(&counter)
                ptr[0] = zc
                self._body(b, ptr)
                if self.row_major:
                    self._rows(b, ptr[self.yslot], nb if nb < nblocks else -1, zn, gt)
                else:
                    self._gemv_pass(b, ptr[self.yslot], nb, nb < nblocks, zn, gt)
                tmp = zc
                zc = zn
                zn = tmp
                b = nb
            free(buf)
            free(ptr)
            phx_fpe_collect(&self.fpe)
        if nt > 1:
            par_exit()
        for q in range(nt):
            for j in range(self.k):
                self.g[j] += partial[<Py_ssize_t> q * self.k + j]
        free(partial)
        free(self.zero)
        self.zero = NULL
        return self.status

    cpdef object finish(self):
        if self.status:
            raise MemoryError("matvec_pair: out of memory")
        if self.fpe and numpy_reports(phx_fpe_bits(self.fpe)):
            prep, values = self.redo      # NumPy warns (or raises) with its own messages
            return (<_MvpPrep> prep)._fallback(values)
        return self.result

    cdef void _setup_slots(self, double *buf, double **ptr) noexcept nogil:
        cdef int s, i
        for s in range(self.nslots):
            ptr[s] = buf + <Py_ssize_t> s * self.L
            if self.kind[s] == S_SCALAR:
                for i in range(self.L):
                    ptr[s][i] = self.sval[s]

    cdef inline const double *_xb(self, int b, int c0) noexcept nogil:
        """X[b*L, c0]: the start of columns c0.. of block b."""
        if self.row_major:
            return self.X + <Py_ssize_t> b * self.L * self.ld + c0
        return self.X + <Py_ssize_t> b * self.L + <Py_ssize_t> c0 * self.ld

    cdef void _z(self, int b, double *z, int c0, int w) noexcept nogil:
        """z (+)= X_b[:, c0:c0+w] @ w[c0:c0+w]  (= when c0 == 0)."""
        cdef int m = min(self.L, self.n - b * self.L), one = 1
        cdef double d1 = 1.0, beta = 0.0 if c0 == 0 else 1.0
        cdef char tn = b'N', tt = b'T'
        cdef double *x = <double *> self._xb(b, c0)
        cdef double *v = <double *> self.w + <Py_ssize_t> c0 * self.incw
        if self.row_major:      # column-major view of X_b is X_b.T (w x m)
            dgemv(&tt, &w, &m, &d1, x, &self.ld, v, &self.incw, &beta, z, &one)
        else:
            dgemv(&tn, &m, &w, &d1, x, &self.ld, v, &self.incw, &beta, z, &one)

    cdef void _g(self, int b, const double *fz, double *gt, int c0, int w) noexcept nogil:
        """gt[c0:c0+w] += X_b[:, c0:c0+w].T @ fz."""
        cdef int m = min(self.L, self.n - b * self.L), one = 1
        cdef double d1 = 1.0
        cdef char tn = b'N', tt = b'T'
        cdef double *x = <double *> self._xb(b, c0)
        if self.row_major:
            dgemv(&tn, &w, &m, &d1, x, &self.ld, <double *> fz, &one, &d1, gt + c0, &one)
        else:
            dgemv(&tt, &m, &w, &d1, x, &self.ld, <double *> fz, &one, &d1, gt + c0, &one)

    cdef void _body(self, int b, double **ptr) noexcept nogil:
        """The body over block b: ptr[0] holds z_b, ptr[yslot] receives f(z_b)."""
        cdef int r0 = b * self.L, m = min(self.L, self.n - b * self.L), s, i
        for s in range(self.nslots):
            if self.kind[s] == S_ROW:
                ptr[s] = <double *> (self.rows[s] + r0)
        for i in range(self.nins):
            _apply(self.prog + 4 * i, ptr, m)

    cdef void _rows(self, int pb, const double *fz, int nb, double *zn, double *gt) noexcept nogil:
        """Row-major X: gt += X_pb.T @ fz and zn = X_nb @ w in one sweep per group of 4 rows
        (pb < 0: no product with X.T; nb < 0: no X @ w)."""
        cdef const double *a[4]
        cdef const double *bb[4]
        cdef double f[4]
        cdef double s[4]
        cdef int mp = 0, mn = 0, groups, q, j, r
        if pb >= 0:
            mp = min(self.L, self.n - pb * self.L)
        if nb >= 0:
            mn = min(self.L, self.n - nb * self.L)
        groups = (max(mp, mn) + 3) // 4
        for q in range(groups):
            for j in range(4):
                r = 4 * q + j
                if r < mn:
                    a[j] = self.X + (<Py_ssize_t> nb * self.L + r) * self.ld
                else:
                    a[j] = self.zero
                if r < mp:
                    bb[j] = self.X + (<Py_ssize_t> pb * self.L + r) * self.ld
                    f[j] = fz[r]
                else:
                    bb[j], f[j] = self.zero, 0.0
            _mvp_fn(&a[0] if 4 * q < mn else NULL, &bb[0] if 4 * q < mp else NULL, f, self.w,
                    gt, self.k, s)
            for j in range(min(4, mn - 4 * q)):
                zn[4 * q + j] = s[j]

    cdef void _gemv_pass(self, int b, const double *fz, int nb, bint has_next, double *zn,
                         double *gt) noexcept nogil:
        """Column-major X (blocks are strided, no sweep per row): gt += X_b.T @ fz, then
        zn = X_nb @ w, each one dgemv."""
        self._g(b, fz, gt, 0, self.k)
        if has_next:
            self._z(nb, zn, 0, self.k)


cdef void _apply(const int *ins, double **ptr, int m) noexcept nogil:
    cdef double *d = ptr[ins[1]]
    cdef const double *a = ptr[ins[2]]
    cdef const double *b = ptr[ins[3]] if ins[3] >= 0 else NULL
    cdef int i, opc = ins[0]
    if opc == I_ADD:
        for i in range(m):
            d[i] = a[i] + b[i]
    elif opc == I_SUB:
        for i in range(m):
            d[i] = a[i] - b[i]
    elif opc == I_MUL:
        for i in range(m):
            d[i] = a[i] * b[i]
    elif opc == I_DIV:
        for i in range(m):
            d[i] = a[i] / b[i]
    elif opc == I_NEG:
        for i in range(m):
            d[i] = -a[i]
    elif opc == I_EXP:
        for i in range(m):
            d[i] = exp(a[i])
    elif opc == I_LOG:
        for i in range(m):
            d[i] = log(a[i])
    elif opc == I_LOG1P:
        for i in range(m):
            d[i] = log1p(a[i])
    elif opc == I_EXPM1:
        for i in range(m):
            d[i] = expm1(a[i])
    elif opc == I_TANH:
        for i in range(m):
            d[i] = tanh(a[i])
    elif opc == I_SQRT:
        for i in range(m):
            d[i] = sqrt(a[i])
    elif opc == I_ABS:
        for i in range(m):
            d[i] = fabs(a[i])
    elif opc == I_SQUARE:
        for i in range(m):
            d[i] = a[i] * a[i]


_DOUBLE_KINDS = {"f64", "float", "int"}     # computed in double exactly as NumPy would


def _compile(op):
    """The body as (slot kinds, scalar-op list, instructions, yield slot), or None."""
    from phylanx.ir.types import ArrayType, ScalarType
    body = op.regions[0]
    x, w, *rest = [v.type for v in op.operands]
    if not (isinstance(x, ArrayType) and x.dtype == "f64" and x.rank == 2
            and isinstance(w, ArrayType) and w.dtype == "f64" and w.rank == 1):
        return None
    slot, kinds = {body.args[0]: 0}, [S_VEC]
    inputs = []                                  # (slot, operand index, is per-row)
    for i, (arg, t) in enumerate(zip(body.args[1:], rest)):
        if isinstance(t, ArrayType):
            if t.dtype != "f64" or t.rank > 1:
                return None
            row = t.rank == 1
        elif isinstance(t, ScalarType) and t.kind in _DOUBLE_KINDS:
            row = False
        else:
            return None
        slot[arg] = len(kinds)
        kinds.append(S_ROW if row else S_SCALAR)
        inputs.append((slot[arg], i, row))
    scalar_ops, prog, yslot = [], [], None
    for inner in body.ops:
        if inner.name == "yield":
            if len(inner.operands) != 1 or inner.operands[0] not in slot:
                return None
            yslot = slot[inner.operands[0]]
            break
        res = inner.results[0]
        if not (isinstance(res.type, ScalarType) and res.type.kind in _DOUBLE_KINDS):
            return None
        if inner.name == "const":
            slot[res] = len(kinds)
            kinds.append(S_SCALAR)
            scalar_ops.append((slot[res], None, inner))
            continue
        srcs = [slot.get(v) for v in inner.operands]
        if None in srcs:
            return None                           # a value from outside the body
        if all(kinds[s] == S_SCALAR for s in srcs):
            slot[res] = len(kinds)
            kinds.append(S_SCALAR)
            scalar_ops.append((slot[res], srcs, inner))
            continue
        if res.type.kind != "f64":
            return None
        if inner.name in _BINARY and len(srcs) == 2:
            code = _BINARY[inner.name]
        elif inner.name in _UNARY and len(srcs) == 1:
            code, srcs = _UNARY[inner.name], srcs + [-1]
        else:
            return None
        slot[res] = len(kinds)
        kinds.append(S_VEC)
        prog.append((code, slot[res], srcs[0], srcs[1]))
    if yslot is None:
        return None
    return kinds, inputs, scalar_ops, prog, yslot


_blas_found = False


def _find_blas():
    """Look the BLAS libraries up once (threadpoolctl: ~25 ms, so not before a job needs it)."""
    global _blas_found
    if not _blas_found:
        from phylanx.runtime._threads import blas_libraries
        blas_libraries()
        _blas_found = True


cdef class _MvpPrep:
    cdef object op, evaluate, kinds, inputs, scalar_ops, prog
    cdef int yslot

    def __call__(self, X, w, *rest):
        values = (X, w) + rest
        if not (cnp.PyArray_CheckExact(X) and cnp.PyArray_CheckExact(w)
                and X.dtype == np.float64 and w.dtype == np.float64
                and X.ndim == 2 and w.ndim == 1 and X.shape[1] == w.shape[0]
                and X.shape[0] > 0 and X.shape[1] > 0 and max(X.shape) < 2 ** 31
                and X.flags.aligned and w.flags.aligned):
            return self._fallback(values)
        cdef Py_ssize_t n = X.shape[0], k = X.shape[1], s0 = X.strides[0], s1 = X.strides[1]
        cdef _MvpJob job = _MvpJob.__new__(_MvpJob)
        if s1 == 8 and s0 >= 8 * k and s0 % 8 == 0:
            job.row_major, job.ld = True, <int> (s0 // 8)
        elif s0 == 8 and s1 >= 8 * n and s1 % 8 == 0:
            job.row_major, job.ld = False, <int> (s1 // 8)
        else:
            X = np.ascontiguousarray(X)
            job.row_major, job.ld = True, <int> k
        if w.strides[0] <= 0 or w.strides[0] % 8 or (job.row_major and w.strides[0] != 8):
            w = np.ascontiguousarray(w)     # the row kernels read w contiguously
        job.incw = <int> (w.strides[0] // 8)
        nslots = len(self.kinds)
        job.nslots, job.nins, job.yslot = nslots, len(self.prog), self.yslot
        job.kind = <int *> calloc(nslots, sizeof(int))
        job.sval = <double *> calloc(nslots, sizeof(double))
        job.rows = <const double **> calloc(nslots, sizeof(double *))
        job.prog = <int *> calloc(4 * max(1, job.nins), sizeof(int))
        if not (job.kind and job.sval and job.rows and job.prog):
            raise MemoryError()
        keep = [X, w]
        env = {}
        for s, i, row in self.inputs:
            v = rest[i]
            job.kind[s] = self.kinds[s]
            if row:
                v = np.asarray(v)
                if v.ndim != 1 or v.dtype != np.float64 or v.shape[0] not in (1, n):
                    return self._fallback(values)     # NumPy's broadcasting error
                if v.shape[0] == 1 and n != 1:
                    job.kind[s], job.sval[s] = S_SCALAR, float(v[0])
                    continue
                v = np.ascontiguousarray(v)
                keep.append(v)
                job.rows[s] = <const double *> cnp.PyArray_DATA(<cnp.ndarray> v)
            else:
                env[s] = v
        # scalar-only ops: NumPy's own semantics, once per execution
        for s, srcs, inner in self.scalar_ops:
            if srcs is None:
                env[s] = inner.attrs["value"]
            else:
                env[s] = inner.decl.impl(*[env[q] for q in srcs], **inner.attrs)
        for s, v in env.items():
            job.kind[s], job.sval[s] = S_SCALAR, float(v)
        for i, ins in enumerate(self.prog):
            for j in range(4):
                job.prog[4 * i + j] = ins[j]
        g = np.zeros(k, np.float64)
        job.X = <const double *> cnp.PyArray_DATA(<cnp.ndarray> X)
        job.w = <const double *> cnp.PyArray_DATA(<cnp.ndarray> w)
        job.g = <double *> cnp.PyArray_DATA(<cnp.ndarray> g)
        job.n, job.k = <int> n, <int> k
        # block rows: _block_bytes of X (row-major); column-major blocks are strided, so give
        # them at least 64 contiguous rows
        job.L = <int> max(4, min(4096, _block_bytes // (8 * k)))
        job.L -= job.L % 4              # the row kernels take 4 rows at a time
        if not job.row_major:
            job.L = max(job.L, 64)
        job.keep = keep
        job.redo = (self, values)
        job.result = g
        job.cost = 2.0 * n * k
        if not job.row_major and n > job.L:
            _find_blas()        # a team may call dgemv: par_enter limits BLAS, found with the GIL
        return job

    def _fallback(self, values):
        return self.evaluate(self.op, list(values))[0]


@register("matvec_pair")
def _matvec_pair_factory(op):
    spec = _compile(op)
    if spec is None:
        return None
    cdef _MvpPrep p = _MvpPrep.__new__(_MvpPrep)
    p.op, p.evaluate = op, op.decl.evaluate
    p.kinds, p.inputs, p.scalar_ops, p.prog, p.yslot = spec
    return p
