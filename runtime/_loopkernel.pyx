# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The native loop kernel: a `for_range {parallel = true}` whose body _loopcompile could
compile runs as one node. Threads claim iterations dynamically (an atomic counter: a busy core
simply claims fewer) and run the body's register program without the GIL, each on its own
registers and scratch buffers, calling BLAS/LAPACK directly (one BLAS thread: par_enter).

The work goes in chunks of about 20 ms; between chunks the calling thread takes the GIL to look
at signals, so Ctrl-C stops a long loop. The first failing iteration (lowest index) decides
the exception, raised with NumPy's type and message; the executor's note names the kernel
line of the op that failed (note_origin).

Floating-point errors. Python would run the iterations in order, and every NumPy op of every
iteration would report the flags it raised under the caller's np.errstate (a warning, a
callback call, a printed or logged line per op and iteration; under "raise", the first op that
raises one ends the loop). The native body cannot make those reports itself: a fused
elementwise program is several ufuncs, each reporting under its own name; the vector math and
the BLAS kernels do not raise exactly NumPy's flags (another order of the sums underflows
elsewhere). So the native run only finds the iterations that need NumPy: after every
instruction that may raise flags (float scalar arithmetic, elementwise programs, products) a
thread tests its flags, and an iteration that raised one the error state asks about is
flagged (a product is also flagged when it may underflow in NumPy's order of the sums: fpe.h's
phx_may_underflow, tested only while underflow is reported). An iteration whose flag
has mode "raise" stops at that instruction, as an error does (E_FPE), and the loop claims no
further iterations. Then, with the GIL, the flagged and failed iterations are settled in
iteration order: each flagged one is run again by the NumPy reference of the body's ops
(_replay: its reports, in op order, are NumPy's own; its writes, the iteration's own elements,
are NumPy's values); the first real error is raised (after replaying its iteration if it was
flagged too, so that the reports before it come first); an E_FPE iteration whose replay did
not raise (the native flags over-approximate NumPy's) is complete after its replay, and the
native loop resumes at the first iteration not yet claimed. Running an iteration again is
sound because the body reads no array it writes: it writes only the loop-carried arrays, at
the iteration's own elements, and reads neither them (_loopcompile declines such bodies) nor
any value that may alias them (parallelize-loops, condition 5; the executor checks arguments
for overlap), so an iteration's inputs are the same after the loop as when it first ran. The
cost when nothing is flagged: one fetestexcept after each such instruction (nothing at all
under np.errstate(all="ignore")); a loop where every iteration reports runs each one twice.
As the executor documents for errors, when an iteration raises, the iterations after it that
already ran have written their elements; the failing iteration has not written past its
failing op unless the report that raised was a warning turned error by a filter or an
exception of the error callback (those modes do not stop the native run).
"""

import numpy as np

cimport numpy as cnp
from cpython.exc cimport PyErr_CheckSignals
from posix.time cimport CLOCK_MONOTONIC, clock_gettime, timespec
from libc.math cimport INFINITY, fabs
from libc.stdlib cimport free, malloc, realloc, calloc
from libc.string cimport memcpy, memset
from libc.stdint cimport int32_t, int64_t
from cython.parallel cimport parallel
cimport openmp
from scipy.linalg.cython_blas cimport ddot, dgemm, dgemv, dsyrk
from scipy.linalg.cython_lapack cimport dgesv, dpotrf, dpotrs

from phylanx.runtime._elementwise cimport (PHX_F64, PHX_R_CONST, PHX_R_IN, PHX_R_OUT,
                                           EwProgram, current_isa, ew_layout, ew_run_here,
                                           phx_prog, phx_reg)
from phylanx.runtime._threads cimport job_threads, par_enter, par_exit
from phylanx.runtime.tasks cimport phx_fetch_add

from phylanx.errors import note_origin
from phylanx.runtime import _threads as _threads_py
from phylanx.runtime._fpe import _KINDS as _FPE_KINDS
from phylanx.runtime._fpe import reported_bits
from phylanx.runtime.natives import Decline

cnp.import_array()

cdef extern from "fpe.h" nogil:
    enum: PHX_FPE_ALL
    enum: FE_UNDERFLOW
    int fetestexcept(int)
    int feclearexcept(int)
    int phx_fpe_from_bits(int b)
    int phx_may_underflow(double min_a, double min_b, int f32)

cdef extern from *:
    """
    static inline int phx_add_ovf(long long a, long long b, long long *r) { return __builtin_add_overflow(a, b, r); }
    static inline int phx_sub_ovf(long long a, long long b, long long *r) { return __builtin_sub_overflow(a, b, r); }
    static inline int phx_mul_ovf(long long a, long long b, long long *r) { return __builtin_mul_overflow(a, b, r); }
    """
    int phx_add_ovf(long long a, long long b, long long *r) nogil
    int phx_sub_ovf(long long a, long long b, long long *r) nogil
    int phx_mul_ovf(long long a, long long b, long long *r) nogil

cdef extern from "loop_small.h" nogil:
    enum: PHX_SMALL_CHOL
    int phx_chol_small(double *A, int n, double *inv)
    void phx_chol_solve_small(const double *L, const double *inv, int n, double *b)
    void phx_copy_row(double *dst, const double *src, Py_ssize_t n)
    enum: PHX_SHORT_GEMV
    void phx_gemv_short(const double *A, Py_ssize_t lda, Py_ssize_t m, Py_ssize_t n,
                        const double *x, Py_ssize_t incx, double *y)
    Py_ssize_t phx_gather_rows(double *dst, Py_ssize_t dst_ld, const char *x, Py_ssize_t rs,
                               Py_ssize_t n, Py_ssize_t cols, const char *ix,
                               Py_ssize_t ix_stride, int ix32, Py_ssize_t m, const char *v,
                               Py_ssize_t v_stride)

cdef extern from "loop_codes.h" nogil:     # the codes _loopcompile.py builds programs with
    enum:
        R_INT, R_FLOAT, R_ARRAY
        DT_F64, DT_I64, DT_I32, DT_BOOL
        I_SCALAR, I_DIM, I_VIEW, I_GATHER, I_EW, I_GEMM, I_SOLVE, I_SETITEM, I_DIAG, I_ASTYPE
        S_ADD, S_SUB, S_MUL
        F_TA, F_TB, F_SYM, F_AUG
    const int *phx_loop_itemsize

cdef enum:
    MAX_ARGS = 10

cdef double SERIAL_NS = 300e3     # a loop shorter than this runs on the calling thread alone
cdef double CHUNK_NS = 20e6       # team chunks: Ctrl-C is noticed within about this long

# Error codes (messages in _MESSAGES).
cdef enum:
    E_INDEX = 1        # v: index, axis, size
    E_STEP = 2
    E_BCAST = 3        # v: shapes of the two operands (2 x 2)
    E_MATMUL = 4       # v: the mismatching sizes
    E_SQUARE = 5
    E_SINGULAR = 6
    E_SOLVE = 7        # v: sizes
    E_SETITEM = 8      # v: value shape, target shape
    E_NOMEM = 9
    E_OVERFLOW = 10
    E_FPE = 11         # a floating-point flag whose np.errstate mode is "raise": settled by
                       # running the iteration as NumPy (LoopKernel._settle)


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


ctypedef struct LoopEw:        # an I_EW instruction (_loopcompile.LoopEw)
    phx_prog prog              # the engine's program: code, register template (per thread: a
                               # copy, bound to the iteration's arrays)
    const int *operand         # per engine register: operand (IN, CONST) or result (OUT) index
    int n_ops, n_out, n_steps
    int *op_reg                # loop register of each operand, then of each result
    int *steps                 # (source a, source b, op index) per op: NumPy's broadcasting
                               # op by op, for its error message


ctypedef struct Ctx:           # one thread
    Reg *regs
    Tmp *tmp                   # 3 per instruction
    phx_prog *ew               # per I_EW program: this thread's copy
    Err err
    int fpe_want               # FE_* flags np.errstate reports (0: no test at all)
    int fpe_stop               # of those, the ones whose mode is "raise"
    int flagged                # the running iteration raised one of fpe_want
    long long *flagged_its     # the iterations that did, in the order they ran (ascending)
    Py_ssize_t n_flagged, cap_flagged


ctypedef struct Prog:
    Ins *ins
    int n_ins
    int n_regs
    int iv
    int *kinds
    int *dtypes                # array registers: DT_*
    LoopEw *ew
    int n_ew


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


include "_loop_ops.pxi"   # the instructions: _iteration(prog, ctx, iv) runs one iteration


# -- running a loop ----------------------------------------------------------------------------

ctypedef struct Loop:
    Prog *prog
    Ctx *ctx
    long long lo
    long long step
    Py_ssize_t next           # next unclaimed iteration (atomic)
    Py_ssize_t end            # end of the current chunk
    int stop


cdef int _run_one(Prog *prog, Ctx *c, long long lo, long long step, Py_ssize_t it) noexcept nogil:
    """Iteration it on this thread: 0, or -1 when it failed (c.err; the loop stops)."""
    cdef int rc = _iteration(prog, c, lo + it * step)
    cdef long long *grown
    if c.flagged:
        c.flagged = 0
        if c.n_flagged == c.cap_flagged:
            grown = <long long *> realloc(c.flagged_its,
                                          (2 * c.cap_flagged + 16) * sizeof(long long))
            if grown == NULL:
                rc = _fail(c, E_NOMEM, 0)
            else:
                c.flagged_its, c.cap_flagged = grown, 2 * c.cap_flagged + 16
        if c.n_flagged < c.cap_flagged:
            c.flagged_its[c.n_flagged] = it
            c.n_flagged += 1
    if rc < 0 and (c.err.it < 0 or it < c.err.it):
        c.err.it = it
    return rc


cdef void _claim(Loop *L, Ctx *c) noexcept nogil:
    # the loop's constants in locals: the other thread's fetch_add on L.next takes the cache
    # line they share away on every claim
    cdef Prog *prog = L.prog
    cdef long long lo = L.lo, step = L.step
    cdef Py_ssize_t it, end = L.end
    if c.fpe_want:
        feclearexcept(PHX_FPE_ALL)
    while not L.stop:
        it = phx_fetch_add(&L.next, 1)
        if it >= end:
            break
        if _run_one(prog, c, lo, step, it) < 0:
            L.stop = 1
            break


cdef void _serial_until(Loop *L, Ctx *c, long long deadline) noexcept nogil:
    """Iterations on this thread alone until L.end, a failure, or the deadline (ns)."""
    cdef Py_ssize_t it
    if c.fpe_want:
        feclearexcept(PHX_FPE_ALL)
    while L.next < L.end and not L.stop:
        it = L.next
        L.next += 1
        if _run_one(L.prog, c, L.lo, L.step, it) < 0:
            L.stop = 1
            break
        if _now_ns() >= deadline:
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


# NumPy's messages; {0}..{3} are the error's values, {s01} / {s23} shapes made of two of them
_MESSAGES = {
    E_INDEX: "index {0} is out of bounds for axis {1} with size {2}",
    E_STEP: "slice step cannot be zero",
    E_BCAST: "operands could not be broadcast together with shapes {s01} {s23} ",
    E_MATMUL: "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
              "signature (n?,k),(k,m?)->(n?,m?) (size {1} is different from {0})",
    E_SQUARE: "Last 2 dimensions of the array must be square",
    E_SINGULAR: "Singular matrix",
    E_SOLVE: "solve: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
             "signature (m,m),(m)->(m) (size {1} is different from {0})",
    E_SETITEM: "could not broadcast input array from shape {s01} into shape {s23}",
    E_NOMEM: "out of memory in a loop kernel",
    E_OVERFLOW: "integer overflow in a loop index computation",
}


def _message(int code, v):
    return _MESSAGES[code].format(*v, s01=_shape(v[0], v[1]), s23=_shape(v[2], v[3]))


cdef int _ndim_ok(object a, int dtype, int ndim):
    cdef int typenum = (cnp.NPY_FLOAT64, cnp.NPY_INT64, cnp.NPY_INT32, cnp.NPY_BOOL)[dtype]
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
    cdef list ew_programs          # EwProgram per I_EW instruction (owners of code, template)
    cdef readonly object program

    def __cinit__(self, program):
        cdef int k, j
        cdef LoopEw *e
        cdef EwProgram ewprog
        # par_enter() limits the BLAS libraries found so far: look them up now (once)
        _threads_py.blas_libraries()
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
        self.prog.iv, self.prog.kinds, self.prog.dtypes = program.iv_reg, self.kinds, self.dtypes
        self.prog.ew = <LoopEw *> calloc(max(1, len(program.ew)), sizeof(LoopEw))
        if self.prog.ew == NULL:
            raise MemoryError()
        self.prog.n_ew = len(program.ew)
        self.ew_programs = []
        for k, spec in enumerate(program.ew):
            ewprog = EwProgram(spec.program)
            self.ew_programs.append(ewprog)
            e = &self.prog.ew[k]
            e.prog.code, e.prog.nins, e.prog.nreg = ewprog.code, ewprog.nins, ewprog.nreg
            e.prog.regs = ewprog.template
            e.operand = ewprog.operand
            e.n_ops, e.n_out, e.n_steps = len(spec.operands), len(spec.results), len(spec.shapes)
            e.op_reg = <int *> calloc(e.n_ops + e.n_out, sizeof(int))
            e.steps = <int *> calloc(3 * max(1, e.n_steps), sizeof(int))
            if e.op_reg == NULL or e.steps == NULL:
                raise MemoryError()
            for j, r in enumerate([*spec.operands, *spec.results]):
                e.op_reg[j] = r
            for j, step in enumerate(spec.shapes):
                e.steps[3 * j], e.steps[3 * j + 1], e.steps[3 * j + 2] = step
        self.free_regs, self.carried_regs = program.free_regs, program.carried_regs
        self.consts, self.ops = program.consts, program.ops

    def __dealloc__(self):
        cdef int k
        if self.prog.ew != NULL:
            for k in range(self.prog.n_ew):
                free(self.prog.ew[k].op_reg)
                free(self.prog.ew[k].steps)
        free(self.prog.ew)
        free(self.ins)
        free(self.kinds)
        free(self.dtypes)
        free(self.ndims)

    cdef int _start_ew(self, Ctx *c, int want) except -1:
        """This thread's copies of the elementwise programs (on the current instruction set;
        the vector math raises the flags `want` asks about, as outside loops)."""
        cdef int k
        cdef LoopEw *e
        c.ew = <phx_prog *> calloc(max(1, self.prog.n_ew), sizeof(phx_prog))
        if c.ew == NULL:
            raise MemoryError()
        for k in range(self.prog.n_ew):
            e = &self.prog.ew[k]
            c.ew[k] = e.prog
            c.ew[k].isa = current_isa()
            c.ew[k].fpe_want = want
            c.ew[k].regs = <phx_reg *> malloc(max(1, e.prog.nreg) * sizeof(phx_reg))
            if c.ew[k].regs == NULL:
                raise MemoryError()
            memcpy(c.ew[k].regs, e.prog.regs, e.prog.nreg * sizeof(phx_reg))
        return 0

    cdef int _load(self, Reg *regs, int r, object v, list keep) except -1:
        if self.kinds[r] == R_INT:
            regs[r].i = v
        elif self.kinds[r] == R_FLOAT:
            regs[r].f = v
        else:
            if not _ndim_ok(v, self.dtypes[r], self.ndims[r]):
                v = np.require(v, dtype=(np.float64, np.int64, np.int32, np.bool_)[self.dtypes[r]],
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
        cdef int threads, t, k, want, stop
        cdef Py_ssize_t n
        cdef Reg *template = NULL
        cdef Ctx *ctx = NULL
        cdef Loop L
        cdef long long dt = 0
        cdef list keep = []
        n = len(range(lo, hi, step))
        carried, free_values = values[:n_carried], values[n_carried:]
        if n == 0:
            return tuple(carried)
        writes_back = []
        live = []                   # the carried arrays the iterations write
        threads = job_threads()
        if threads > n:
            threads = <int> n
        want, stop = _fpe_bits()
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
                live.append(v)
                self._load(template, r, v, keep)
            for t in range(threads):
                ctx[t].regs = <Reg *> malloc(n_regs * sizeof(Reg))
                ctx[t].tmp = <Tmp *> calloc(3 * max(1, self.prog.n_ins), sizeof(Tmp))
                if ctx[t].regs == NULL or ctx[t].tmp == NULL:
                    raise MemoryError()
                memcpy(ctx[t].regs, template, n_regs * sizeof(Reg))
                ctx[t].err.it = -1
                ctx[t].fpe_want, ctx[t].fpe_stop = want, stop
                self._start_ew(&ctx[t], want)
            L.prog, L.ctx, L.lo, L.step, L.next, L.stop = &self.prog, ctx, lo, step, 0, 0
            L.end = n
            while True:
                self._run(&L, threads, n, &dt)
                if not self._settle(ctx, threads, lo, step, free_values, live):
                    break       # nothing to settle: the loop ran to its end
                if L.next >= n:
                    break
                L.stop = 0      # flagged iterations settled: on with the rest
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
                    if ctx[t].ew != NULL:
                        for k in range(self.prog.n_ew):
                            free(ctx[t].ew[k].regs)
                    free(ctx[t].ew)
                    free(ctx[t].flagged_its)
            free(ctx)
            free(template)

    cdef int _run(self, Loop *L, int threads, Py_ssize_t n, long long *dt) except -1:
        """Run iterations from L.next until the end or a failure (L.stop); L.next is then the
        first iteration not claimed. The first time (dt[0] == 0), the caller runs iterations
        alone for up to SERIAL_NS: a short loop never wakes a team (that costs more than it
        saves). Then chunks of about CHUNK_NS, sized from the time per iteration so far (dt:
        the time spent, kept across calls), run on the team; between chunks the caller looks
        at signals (Ctrl-C)."""
        cdef long long t0, t1, chunk
        cdef double per_it
        par_enter()     # BLAS at one thread: its calls here are small (and concurrent)
        try:
            if dt[0] == 0:
                with nogil:
                    t0 = _now_ns()
                    _serial_until(L, &L.ctx[0], t0 + <long long> SERIAL_NS)
                    dt[0] = _now_ns() - t0 + 1
                PyErr_CheckSignals()
            while L.next < n and not L.stop:
                per_it = dt[0] / L.next if L.next > 0 else dt[0]
                chunk = <long long> (CHUNK_NS / per_it) if per_it > 0 else n
                if chunk < threads:
                    chunk = threads
                L.end = L.next + chunk if L.next + chunk < n else n
                with nogil:
                    t1 = _now_ns()
                    _run_chunk(L, threads)
                    dt[0] += _now_ns() - t1
                if L.next > L.end:      # claims past the chunk's end (one per thread)
                    L.next = L.end
                PyErr_CheckSignals()
        finally:
            par_exit()
        return 0

    cdef bint _settle(self, Ctx *ctx, int threads, lo, step, free_values, live) except -1:
        """With the GIL, after a run: the flagged and failed iterations, in iteration order
        (see the module doc). Raises the first error, or the first report that raises;
        returns whether there was anything to settle (then the loop goes on)."""
        cdef int t
        cdef Py_ssize_t j
        flagged = set()
        failed = {}
        for t in range(threads):
            for j in range(ctx[t].n_flagged):
                flagged.add(ctx[t].flagged_its[j])
            ctx[t].n_flagged = 0
            if ctx[t].err.code:
                failed[ctx[t].err.it] = t
        if not flagged and not failed:
            return False
        for it in sorted(flagged | failed.keys()):
            t = failed.get(it, -1)
            if t >= 0 and ctx[t].err.code != E_FPE:
                if it in flagged:       # its reports first; NumPy raises the same error
                    self._replay(lo + it * step, free_values, live)
                self._raise(&ctx[t].err)
            self._replay(lo + it * step, free_values, live)
            if t >= 0:                  # it did not raise: the iteration is complete now
                ctx[t].err.code, ctx[t].err.it = 0, -1
        return True

    def _replay(self, iv, free_values, live):
        """Run one iteration with the NumPy reference of each op of the body, in order: it
        reports (or raises) exactly as NumPy does, and writes its own elements of the carried
        arrays `live` (reading neither them nor anything they alias)."""
        body = self.program.op.regions[0]
        env = dict(zip(self.program.free, free_values))
        env[body.args[0]] = iv
        env.update(zip(body.args[1:], live))
        for o in body.ops:
            if o.name == "yield":
                break
            try:
                if o.regions:
                    out = o.decl.evaluate(o, [env[v] for v in o.operands])
                else:
                    kw = dict(o.attrs)
                    if o.decl.needs_result_types:
                        kw["result_types"] = [r.type for r in o.results]
                    out = [o.decl.impl(*[env[v] for v in o.operands], **kw)]
            except Exception as e:  # noqa: BLE001 (re-raised with the body op's line)
                note_origin(e, o.loc, o.name)
                raise
            env.update(zip(o.results, out))

    cdef _raise(self, Err *e):
        v = [e.v[0], e.v[1], e.v[2], e.v[3]]
        exc = _EXC[e.code](_message(e.code, v))
        op = self.ops[e.op]
        note_origin(exc, op.loc, op.name)   # the executor's note names this op's line
        raise exc


cdef tuple _fpe_bits():
    """(FE_* flags np.errstate reports, those of them whose mode is "raise")."""
    cdef int want = phx_fpe_from_bits(reported_bits()), stop = 0
    if want:
        err = np.geterr()
        for bit, key, _ in _FPE_KINDS:
            if err[key] == "raise":
                stop |= phx_fpe_from_bits(bit)
    return want, stop


def loop_kernel(op):
    """The native preparer of a parallel for_range, or None (see _loopcompile)."""
    from phylanx.runtime import _loopcompile as lc     # it imports this module's codes
    program = lc.compile_loop(op)
    if program is None:
        return None
    try:
        return LoopKernel(program)
    except Decline:             # a constant of an elementwise program NumPy would not take
        return None
