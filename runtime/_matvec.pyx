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

The body f is a program of the elementwise engine (runtime/_ew_program.py, compiled once at
lowering): each thread runs it over its row block through ew_eval (_elementwise.pxd) with z_b
and the block of f(z_b) in its own buffers and the per-row operands read where they are, so it
computes with the same instructions and vector math (exp, log, tanh, ...) as a fused op, bit
for bit, on the instruction set set_isa() chose. Whatever the program does not take (dtypes,
shapes) goes to NumPy's twin of the op, X.T @ f(X @ w), run as the user's code runs it (which
also raises NumPy's errors). The result differs from the twin's only by the rounding of the
two products (another grouping of the sums). Floating-point flags raised by the team are
handled as NumPy's twin would (runtime/_fpe.py: when np.errstate asks about them, the twin
runs and reports).
"""

from functools import partial

import numpy as np

cimport numpy as cnp
from cython.parallel cimport parallel, threadid
from libc.stdlib cimport calloc, free, malloc
from scipy.linalg.cython_blas cimport dgemv

from phylanx.runtime._elementwise cimport (PHX_R_IN, PHX_R_OUT, EwProgram, ew_eval, ew_layout,
                                           ew_thread_start, phx_prog, phx_reg)
from phylanx.runtime._threads cimport job_threads, par_enter, par_exit
from phylanx.runtime.native cimport Job

from phylanx.ir.types import ArrayType
from phylanx.ops.fused import evaluate_body
from phylanx.runtime import _ew_program as ewp
from phylanx.runtime._fpe import NOT_REDONE, reported_bits
from phylanx.runtime._fpe import handle as handle_fpe
from phylanx.runtime.natives import Decline, register

cdef extern from "fpe.h" nogil:
    void phx_fpe_collect(int *acc)
    int phx_fpe_bits(int f)
    int phx_fpe_from_bits(int b)

cnp.import_array()

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


cdef class _MvpJob(Job):
    cdef const double *X
    cdef bint row_major
    cdef int n, k, ld, incw, L
    cdef double *zero         # a row of k zeros (row-major, n % 4 != 0), during run()
    cdef int fpe              # FE_* flags raised by the team (fpe.h)
    cdef object redo          # (preparer, operands): NumPy's twin if NumPy would report
    cdef const double *w
    cdef double *g
    cdef phx_prog prog        # the body over the rows (iteration space: the n rows)
    cdef int zreg, outreg     # its registers bound per block: z (-1: unused), f(z)
    cdef object keep

    def __dealloc__(self):
        free(self.zero)
        free(self.prog.regs)

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
        cdef void **bind
        cdef char *scr
        cdef double *zc
        cdef double *zn
        cdef double *fz
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
            scr = ew_thread_start(&self.prog)      # clears this thread's FP flags too
            gt = partial + <Py_ssize_t> t * self.k
            buf = <double *> malloc(sizeof(double) * 3 * self.L)
            bind = <void **> calloc(self.prog.nreg, sizeof(void *))
            b = nblocks
            if buf == NULL or bind == NULL or scr == NULL:
                self.status = 1
            else:
                zc, zn, fz = buf, buf + self.L, buf + 2 * self.L
                bind[self.outreg] = fz
                b = _claim(&counter)
                if b < nblocks:
                    if self.row_major:
                        self._rows(-1, NULL, b, zc, gt)
                    else:
                        self._z(b, zc, 0, self.k)
            while b < nblocks:
                nb = _claim(&counter)
                if self.zreg >= 0:
                    bind[self.zreg] = zc
                ew_eval(&self.prog, scr, <Py_ssize_t> b * self.L, min(self.L, self.n - b * self.L),
                        bind)
                if self.row_major:
                    self._rows(b, fz, nb if nb < nblocks else -1, zn, gt)
                else:
                    self._gemv_pass(b, fz, nb, nb < nblocks, zn, gt)
                tmp = zc
                zc = zn
                zn = tmp
                b = nb
            free(buf)
            free(bind)
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
        if self.fpe:
            prep, values = self.redo      # NumPy reports (warns, raises, ...) in its own words
            redone = handle_fpe(phx_fpe_bits(self.fpe),
                                redo=partial((<_MvpPrep> prep).twin, values))
            if redone is not NOT_REDONE:
                return redone
        return self.result

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


_blas_found = False


def _find_blas():
    """Look the BLAS libraries up once (threadpoolctl: ~25 ms, so not before a job needs it)."""
    global _blas_found
    if not _blas_found:
        from phylanx.runtime._threads import blas_libraries
        blas_libraries()
        _blas_found = True


_Z_STANDIN = np.empty(0)     # operand 0 of the body (z) in EwProgram.check: an f64 array


cdef class _MvpPrep:
    cdef object op
    cdef EwProgram body
    cdef int zreg, outreg

    def __call__(self, X, w, *rest):
        values = (X, w) + rest
        if not (cnp.PyArray_CheckExact(X) and cnp.PyArray_CheckExact(w)
                and X.dtype == np.float64 and w.dtype == np.float64
                and X.ndim == 2 and w.ndim == 1 and X.shape[1] == w.shape[0]
                and X.shape[0] > 0 and X.shape[1] > 0 and max(X.shape) < 2 ** 31
                and X.flags.aligned and w.flags.aligned):
            return self.twin(values)
        cdef Py_ssize_t n = X.shape[0], k = X.shape[1], s0 = X.strides[0], s1 = X.strides[1]
        operands = (_Z_STANDIN,) + rest
        try:
            arrays = self.body.check(operands)
        except Decline:
            arrays = None
        if arrays is None:      # (outside the except clause: NumPy's error has no Decline cause)
            return self.twin(values)
        for i in arrays:
            v = operands[i]
            if i and not (v.ndim == 0 or (v.ndim == 1 and v.shape[0] in (1, n))):
                return self.twin(values)           # NumPy's broadcasting error
        if self.body.partial_results:              # f(z) of other shape than z: NumPy's error
            try:
                self.body.check_shapes((np.broadcast_to(0.0, (n,)),) + rest, (n,))
                declined = False
            except Decline:
                declined = True
            if declined:
                return self.twin(values)
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
        # the body over the n rows: per-row operands read in place (stride 0: one value)
        cdef phx_prog *P = &job.prog
        cdef phx_reg *r
        cdef Py_ssize_t shape[1]
        cdef Py_ssize_t strides[64][64]
        cdef void *bound[256]
        cdef int nin = 0, j
        self.body.start(P)
        try:
            self.body.set_scalars(P, operands)
            declined = False
        except Decline:
            declined = True
        if declined:
            return self.twin(values)
        P.fpe_want = phx_fpe_from_bits(reported_bits())
        for j in range(P.nreg):
            r = &P.regs[j]
            bound[j] = NULL
            if r.kind == PHX_R_IN:
                if nin >= 64:
                    return self.twin(values)
                v = operands[self.body.operand[j]]
                if j == self.zreg:
                    strides[nin][0] = 8
                    bound[j] = <void *> &bound        # any non-NULL: run() binds z per block
                else:
                    r.data = <char *> cnp.PyArray_DATA(<cnp.ndarray> v)
                    strides[nin][0] = v.strides[0] if v.ndim == 1 and v.shape[0] == n else 0
                nin += 1
            elif r.kind == PHX_R_OUT:
                bound[j] = <void *> &bound
        shape[0] = n
        ew_layout(P, 1, shape, strides, nin, bound)
        job.zreg, job.outreg = self.zreg, self.outreg
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
        job.keep = (X, w, operands)
        job.redo = (self, values)
        job.result = g
        job.cost = 2.0 * n * k
        if not job.row_major and n > job.L:
            _find_blas()        # a team may call dgemv: par_enter limits BLAS, found with the GIL
        return job

    def twin(self, values):
        """NumPy's twin of the op, as the user's code runs it: X.T @ f(X @ w, inputs)."""
        X, w, *rest = values
        (fz,) = evaluate_body(self.op.regions[0], [X @ w, *rest])
        return X.T @ fz


@register("matvec_pair")
def _matvec_pair_factory(op):
    """A preparer when X and w are f64 matrix and vector, the result f64 and the body a
    program of the elementwise engine (Decline otherwise: the executor runs the reference)."""
    x, w, *rest = [v.type for v in op.operands]
    res = op.results[0].type
    if not (isinstance(x, ArrayType) and x.dtype == "f64" and x.rank == 2
            and isinstance(w, ArrayType) and w.dtype == "f64" and w.rank == 1
            and isinstance(res, ArrayType) and res.dtype == "f64"):
        raise Decline("matvec_pair of other than an f64 matrix and vector")
    program = ewp.compile_body(op.regions[0], [ArrayType("f64", (x.shape[0],)), *rest],
                               [ArrayType("f64", (x.shape[0],))])
    cdef _MvpPrep p = _MvpPrep.__new__(_MvpPrep)
    p.op, p.body = op, EwProgram(program)
    p.zreg, p.outreg = -1, -1
    for j, reg in enumerate(program.regs):
        if reg.kind == ewp.IN and reg.src == 0:
            p.zreg = j
        elif reg.kind == ewp.OUT:
            p.outreg = j
    return p
