# cython: language_level=3
"""Native elementwise kernels: `fused`, `fused_reduce` and single elementwise ops on the blocked
evaluator.

The factory (registered per op name) compiles the op into a register program once
(runtime/_ew_program.py); the preparer, per execution, checks the operands, broadcasts,
allocates the outputs with NumPy's allocator (np.empty: hugepages for big arrays) and fills
the C program (pointers, strides, constants); `EwJob.run()` executes it without the GIL
(runtime/ew_exec.h). Whatever the program cannot take (another dtype than the one compiled
for, operands that do not broadcast, a Python int out of range of the loop dtype, ...) goes
to the op's NumPy reference, which returns NumPy's result or raises NumPy's error.

fused_reduce (sum, mean, min, max, any, all; prod of integers) over every axis, the trailing
axes or the leading axes reduces the body's values block by block without materialising them,
in NumPy's summation order (ew_exec.h, pairwise.h), so float sums agree with NumPy bit for bit.

This is the runtime's one elementwise engine: `EwProgram` (a compiled program packed for
ew_exec.h) and the C entry points of _elementwise.pxd (ew_layout, ew_thread_start, ew_eval,
ew_run_here) let other kernels run a program over their own blocks on their own threads:
matvec_pair's body (_matvec.pyx) and the loop kernel's elementwise ops (_loopkernel.pyx) give
the same bits as a fused op. Floating-point flags go to runtime/_fpe.py's policy.

`set_isa("sse2" | "avx2" | "avx512" | None)` pins the instruction set (tests, benchmarks).
"""

from libc.stdint cimport int64_t, uint64_t
from libc.stdlib cimport calloc, free
from libc.string cimport memcpy

from functools import partial

import numpy as np

cimport numpy as cnp

from phylanx.runtime._threads cimport job_threads
from phylanx.runtime.native cimport Job

from phylanx.ir.types import DTYPES, ArrayType, dtype_of
from phylanx.runtime import _ew_program as ewp
from phylanx.runtime._fpe import NOT_REDONE, reported_bits
from phylanx.runtime._fpe import handle as handle_fpe
from phylanx.runtime.natives import Decline, register

cdef extern from "fpe.h" nogil:
    void phx_fpe_start(int want)
    void phx_fpe_collect(int *acc)
    int phx_fpe_bits(int f)
    int phx_fpe_from_bits(int b)

cnp.import_array()

cdef extern from "ew_exec.h" nogil:
    size_t phx_layout(phx_prog *P)
    int phx_ew_run(const phx_prog *P)
    int phx_ew_reduce(const phx_prog *P, int kind, phx_value *out)
    int phx_ew_reduce_axis(const phx_prog *P, int kind, int mode, Py_ssize_t nkeep,
                           Py_ssize_t rlen, phx_value *out)
    int phx_detect_isa()
    char *phx_ew_thread_start(const phx_prog *P)
    void phx_ew_eval(const phx_prog *P, char *scr, Py_ssize_t start, Py_ssize_t n,
                     void **bind)

OPCODES = {phx_op_names[i].decode(): i for i in range(PHX_NOPS)}
_ISAS = ("sse2", "avx2", "avx512")
cdef int _best_isa = phx_detect_isa()
cdef int _isa = _best_isa

# counters for tests and benchmarks: runs of the native path, declines to the reference
STATS = {"native": 0, "declined": 0, "last_decline": "", "small": 0}

# A single cheap op on fewer elements than this runs NumPy's ufunc: preparing a program costs
# ~1.5 us, a ufunc call ~0.4 us. (Fused programs save one ufunc call per op: always native.)
SMALL_SINGLE = 4096

cdef Py_ssize_t _TILE_MAX = 4 * PHX_BLOCK   # periodic inputs up to this period: tiled
_PARALLEL_WORK = 32768        # elements * weight below which one thread runs the program
_INLINE_WORK = 2048           # ... and below which the preparer runs it itself
# outputs of at least this many bytes in total are written with streaming (non-temporal)
# stores: they will not stay in cache for their consumer anyway (see ew_block.h)
STREAM_BYTES = 16 << 20
# outputs of at least this many bytes are page-faulted in a pass of their own first (see
# phx_prefault in ew_exec.h)
PREFAULT_BYTES = 16 << 20


def set_isa(name=None):
    """Pin the instruction set of the block executor (None: the best this CPU has).
    Returns the previous setting's name."""
    global _isa
    prev = _ISAS[_isa]
    level = _best_isa if name is None else _ISAS.index(name)
    if level > _best_isa:
        raise ValueError(f"this CPU does not support {name}")
    _isa = level
    return prev


def get_isa():
    return _ISAS[_isa]


def available_isas():
    return _ISAS[:_best_isa + 1]


cdef class EwJob(Job):
    """One execution of an elementwise program (the outputs are already allocated), or of a
    fused_reduce (the result is made by finish())."""

    cdef phx_prog prog
    cdef bint parallel      # enough work for a team (its size is decided when it runs)
    cdef int red_kind       # fused_reduce: ew_exec.h's PHX_RED_* (else -1)
    cdef int red_mode       # 0: every axis (red_out); 1 rows, 2 cols: red_buf (see ew_exec.h)
    cdef Py_ssize_t nkeep, rlen
    cdef phx_value red_out
    cdef phx_value *red_buf
    cdef object keep        # operands and the preparer (owner of the code array)

    def __dealloc__(self):
        free(self.prog.regs)

    cdef int run(self) noexcept nogil:
        # job_threads() is 1 while the executor runs nodes concurrently
        self.prog.nthreads = job_threads() if self.parallel else 1
        self.prog.fpe = 0
        phx_fpe_start(self.prog.fpe_want)   # teams start and collect their own threads too
        if self.red_kind >= 0 and self.red_mode:
            if phx_ew_reduce_axis(&self.prog, self.red_kind, self.red_mode, self.nkeep,
                                  self.rlen, self.red_buf) != 0:
                self.status = 1
        elif self.red_kind >= 0:
            if phx_ew_reduce(&self.prog, self.red_kind, &self.red_out) != 0:
                self.status = 1
        elif phx_ew_run(&self.prog) != 0:
            self.status = 1
        phx_fpe_collect(&self.prog.fpe)
        return self.status

    cpdef object finish(self):
        if self.status != 0:
            raise MemoryError("elementwise kernel: no memory for its per-thread scratch")
        if self.prog.fpe:
            # NumPy would report: its reference does, op by op with their names
            args, prep = self.keep
            redone = handle_fpe(phx_fpe_bits(self.prog.fpe),
                                redo=partial((<EwPreparer> prep).reference, *args))
            if redone is not NOT_REDONE:
                return redone
        if self.red_kind >= 0 and self.red_mode:
            args, prep = self.keep
            return (<EwPreparer> prep)._axis_result(self.result, self.rlen, args)
        if self.red_kind >= 0:
            args, prep = self.keep
            return (<EwPreparer> prep)._reduce_result(self.red_out, self.prog.size,
                                                      self.prog.ret_type, args)
        return self.result


cdef class EwProgram:
    """A compiled program (_ew_program.Program) packed for ew_exec.h: its code, a template of
    its registers (body constants converted once), where each register's operand comes from,
    and the operand checks. Owned by the preparers (and by the other kernels that run it)."""

    def __cinit__(self):
        self.code = NULL
        self.template = NULL
        self.operand = NULL

    def __dealloc__(self):
        free(self.code)
        free(self.template)
        free(self.operand)

    def __init__(self, program):
        cdef int k
        cdef phx_reg *t
        self.program = program
        self.kinds = [kind for kind, _ in program.operands]
        self.dtypes = [DTYPES[d] if kind == "array" else _is_none if kind == "none"
                       else _scalar_check(d) for kind, d in program.operands]
        self.nout = len(program.results)
        self.weight = program.weight
        self.nreg = len(program.regs)
        self.nins = len(program.code)
        self.code = <phx_ins *> calloc(max(self.nins, 1), sizeof(phx_ins))
        self.template = <phx_reg *> calloc(max(self.nreg, 1), sizeof(phx_reg))
        self.operand = <int *> calloc(max(self.nreg, 1), sizeof(int))
        if self.code == NULL or self.template == NULL or self.operand == NULL:
            raise MemoryError()
        for j, (opname, rt, d, a, b, c, aux) in enumerate(program.code):
            self.code[j].op = OPCODES[opname]
            self.code[j].t, self.code[j].dst, self.code[j].a = rt, d, a
            self.code[j].b, self.code[j].c, self.code[j].aux = b, c, aux
        arrays = frozenset(i for i, kind in enumerate(self.kinds) if kind == "array")
        self.partial_results = [(k, sorted(d)) for k, d in enumerate(program.result_deps)
                                if d != arrays]
        # body constants are converted once; operand and prelude scalars per call
        self.scalar_consts = []
        for k, r in enumerate(program.regs):
            t = &self.template[k]
            t.kind, t.rtype, t.stype = r.kind, r.rtype, r.stype
            self.operand[k] = -1
            if r.kind == PHX_R_IN or r.kind == PHX_R_OUT:
                self.operand[k] = r.src
            elif r.kind == PHX_R_CONST:
                key, dtype = r.src
                if key[0] == "lit":
                    _set_value(t, _convert(key[1], dtype))
                else:
                    if key[0] == "arg":
                        self.operand[k] = key[1]
                    self.scalar_consts.append((k, key, dtype))

    cdef int start(self, phx_prog *P) except -1:
        """P's code and a fresh copy of the register template (P.regs: the caller frees it),
        on the instruction set set_isa() chose."""
        P.regs = <phx_reg *> calloc(max(self.nreg, 1), sizeof(phx_reg))
        if P.regs == NULL:
            raise MemoryError()
        memcpy(P.regs, self.template, self.nreg * sizeof(phx_reg))
        P.nreg, P.nins, P.code, P.isa = self.nreg, self.nins, self.code, _isa
        P.ret = self.program.ret
        return 0

    cdef object check(self, tuple args):
        """The indices of the array operands, after checking that every operand is what the
        program was compiled for (Decline otherwise)."""
        cdef int nargs = len(args), i
        if nargs != len(self.kinds):
            raise Decline("operand count")
        arrays = []
        for i in range(nargs):
            v = args[i]
            if self.kinds[i] == "array":
                if type(v) is not np.ndarray or (<cnp.ndarray> v).dtype != self.dtypes[i]:
                    raise Decline(f"operand {i}: not an ndarray of {self.dtypes[i]}")
                if not cnp.PyArray_ISALIGNED(<cnp.ndarray> v):
                    # vectorised loops may use aligned moves once they peeled to alignment
                    raise Decline(f"operand {i}: unaligned data")
                arrays.append(i)
            elif not self.dtypes[i](v):
                raise Decline(f"operand {i}: {type(v).__name__} is not the scalar compiled for")
        for group in self.program.size1_declines:
            if all((<cnp.ndarray> args[i]).size == 1 for i in group):
                raise Decline("clip with size-1 array bounds (NumPy's scalar-bound rules)")
        return arrays

    cdef int check_shapes(self, tuple args, tuple shape) except -1:
        """Decline unless every result has the broadcast shape of all array operands (NumPy
        gives a result computed from some of them only their broadcast shape)."""
        for k, deps in self.partial_results:
            if np.broadcast_shapes(*[args[i].shape for i in deps]) != shape:
                raise Decline(f"result {k} has another shape")
        return 0

    cdef int set_scalars(self, phx_prog *P, tuple args) except -1:
        """The constants that come from scalar operands, and from scalar-only body ops (run
        with the op's own reference: exact Python semantics), converted as NumPy's loop sees
        them (Decline when NumPy would not take them)."""
        if not self.scalar_consts:
            return 0
        scalars = []
        for op, srcs in self.program.prelude:
            operands = [None if s is None else _scalar_value(s.key, args, scalars) for s in srcs]
            kw = dict(op.attrs)
            if op.decl.needs_result_types:
                kw["result_types"] = [res.type for res in op.results]
            scalars.append(op.decl.impl(*operands, **kw))
        for k, key, dtype in self.scalar_consts:
            value = _convert(_scalar_value(key, args, scalars), dtype)
            if P != NULL:      # NULL: only convert (an empty result still warns as NumPy)
                _set_value(&P.regs[k], value)
        return 0


cdef class EwPreparer:
    """preparer(*operands) -> EwJob | result for one compiled op (see module doc)."""

    cdef readonly object op, program
    cdef EwProgram prog
    cdef object reference, results, red_dtype, red_rank
    cdef bint cheap_single   # one op whose NumPy loop is as fast as ours: small -> NumPy

    def __init__(self, op, program):
        self.op = op
        self.program = program
        self.prog = EwProgram(program)
        self.reference = _reference(op)
        self.results = [(DTYPES[d], is_array) for d, is_array in program.results]
        if program.reduce:
            rtype = op.results[0].type
            self.red_dtype = DTYPES[dtype_of(rtype)]
            self.red_rank = rtype.rank if isinstance(rtype, ArrayType) else -1   # -1: scalar
        self.cheap_single = op.name not in ("fused", "fused_reduce") and program.weight <= 4

    def __call__(self, *args):
        try:
            return self._prepare(args)
        except Decline as e:
            STATS["declined"] += 1
            STATS["last_decline"] = str(e)
        # outside the except clause: NumPy's own error must not show the Decline as its cause
        return self.reference(*args)

    cdef object _prepare(self, tuple args):
        cdef int i, k, d, nd = 0
        cdef cnp.ndarray arr
        cdef Py_ssize_t size = 1
        cdef Py_ssize_t shape[64]
        cdef EwProgram prog = self.prog
        arrays = prog.check(args)
        for i in arrays:
            nd = max(nd, (<cnp.ndarray> args[i]).ndim)
        # broadcast shape
        for d in range(nd):
            shape[d] = 1
        for i in arrays:
            arr = <cnp.ndarray> args[i]
            for d in range(arr.ndim):
                k = nd - arr.ndim + d
                if arr.shape[d] != 1:
                    if shape[k] != 1 and shape[k] != arr.shape[d]:
                        raise Decline("shapes do not broadcast")   # NumPy's error: reference
                    shape[k] = arr.shape[d]
        for d in range(nd):
            size *= shape[d]
        if size < SMALL_SINGLE and self.cheap_single:
            STATS["small"] += 1
            return self.reference(*args)
        pyshape = tuple([shape[d] for d in range(nd)])
        if prog.partial_results:
            prog.check_shapes(args, pyshape)
        # axes outer -> inner, the result's memory order: NumPy's order K for elementwise
        # results; reductions keep C order, or F for F-ordered operands (summation order)
        fortran = False
        if self.program.reduce:
            fortran = nd >= 2 and _prefer_fortran(args, arrays, pyshape)
            perm = list(range(nd - 1, -1, -1)) if fortran else list(range(nd))
        else:
            perm = _k_order(args, arrays, nd) if nd >= 2 else list(range(nd))
        outs = [_alloc(pyshape, perm, dt) for dt, _ in self.results]
        result = outs[0] if prog.nout == 1 else outs
        if size == 0:
            if self.program.reduce:
                raise Decline("reduction of an empty array")   # NumPy's identity or error
            prog.set_scalars(NULL, args)    # NumPy converts (and warns) even so
            return result

        cdef EwJob job = EwJob.__new__(EwJob)
        job.result, job.cost, job.keep = result, size * prog.weight, (args, self)
        job.prog.fpe_want = phx_fpe_from_bits(reported_bits())
        job.red_kind = self.program.reduce[0] if self.program.reduce else -1
        if self.program.reduce and self.program.reduce[3]:
            self._axis_setup(job, pyshape, fortran)
        cdef phx_prog *P = &job.prog
        prog.start(P)
        prog.set_scalars(P, args)
        out_bytes = sum([o.nbytes for o in outs])
        P.stream = out_bytes >= STREAM_BYTES
        P.prefault = out_bytes >= PREFAULT_BYTES
        P.ret_type = ewp.RTYPE[self.program.reduce[1]] if self.program.reduce else 0
        # iteration shape and input strides in output memory order (axes in the order perm)
        cdef Py_ssize_t cshape[64]
        cdef Py_ssize_t strides[64][64]    # per IN register: byte strides (broadcast: 0)
        cdef int nin = 0
        cdef phx_reg *r
        for k in range(prog.nreg):
            r = &P.regs[k]
            if r.kind == PHX_R_IN:
                if nin >= 64:
                    raise Decline("more than 64 array inputs")
                arr = <cnp.ndarray> args[prog.operand[k]]
                r.data = <char *> cnp.PyArray_DATA(arr)
                for d in range(nd):
                    i = perm[d] - (nd - arr.ndim)   # operand axis of iteration axis d
                    strides[nin][d] = 0 if i < 0 or arr.shape[i] == 1 else arr.strides[i]
                nin += 1
            elif r.kind == PHX_R_OUT:
                r.data = <char *> cnp.PyArray_DATA(<cnp.ndarray> outs[prog.operand[k]])
        for d in range(nd):
            cshape[d] = shape[perm[d]]
        ew_layout(P, nd, cshape, strides, nin, NULL)
        STATS["native"] += 1
        work = size * prog.weight
        job.parallel = work >= _PARALLEL_WORK
        if work < _INLINE_WORK:
            return job.run_now()
        return job

    cdef _axis_setup(self, EwJob job, tuple shape, bint fortran):
        """Rows/cols layout of an axis reduction; job.result becomes the 64-bit buffer."""
        _, dtype, rank, mode, naxes = self.program.reduce
        if fortran:
            raise Decline("axis reduction of F-ordered operands (NumPy's order differs)")
        split = len(shape) - naxes if mode == 1 else naxes
        outer, inner = int(np.prod(shape[:split])), int(np.prod(shape[split:]))
        job.rlen, job.nkeep = (inner, outer) if mode == 1 else (outer, inner)
        if job.rlen == 0 or job.nkeep == 0 or mode == 1 and job.rlen > 65536:
            raise Decline("empty or very long rows")
        job.red_mode = mode
        buf = np.empty(job.nkeep, np.float64 if dtype in ("f64", "f32") and
                       job.red_kind not in (ewp.REDUCE_ANY, ewp.REDUCE_ALL) else np.uint64)
        job.red_buf = <phx_value *> cnp.PyArray_DATA(<cnp.ndarray> buf)
        kept = shape[:split] if mode == 1 else shape[split:]
        job.result = (buf, kept, shape)

    cdef object _axis_result(self, buf_kept_shape, Py_ssize_t rlen, tuple args):
        """NumPy's result of an axis reduction from the 64-bit buffer ew_exec.h filled."""
        buf, kept, shape = buf_kept_shape
        kind, dtype, rank, mode, naxes = self.program.reduce
        rdt = self.red_dtype
        if buf.dtype == np.uint64 and rdt.kind == "i":
            buf = buf.view(np.int64)                     # (narrow values are sign-extended)
        if kind in (ewp.REDUCE_MIN, ewp.REDUCE_MAX) and buf.dtype == np.float64 \
                and not (buf != 0).all():
            return self.reference(*args)                 # which zero: NumPy's SIMD order
        out = buf.astype(rdt).reshape(kept)
        if self.op.attrs["reduce"] == "mean":            # as numpy's _mean divides
            out = np.true_divide(out, rlen, out=out, casting="unsafe", subok=False)
        if self.red_rank >= 0 and self.red_rank == len(shape) and len(kept) != len(shape):
            split = len(kept) if mode == 1 else 0        # keepdims: 1 at each reduced axis
            full = list(shape)
            for a in range(split, split + naxes):
                full[a] = 1
            out = out.reshape(full)
        return out

    cdef object _reduce_result(self, phx_value out, Py_ssize_t n, int rtype, tuple args):
        """The NumPy result of the reduction from ew_exec.h's partial (see _ew_program)."""
        kind, dtype = self.program.reduce[:2]
        name = self.op.attrs["reduce"]
        rdt = self.red_dtype
        if kind == ewp.REDUCE_SUMCHUNK:                  # mean of integers: f64 sum / n
            value = np.float64(out.f64)
        elif dtype in ("f64", "f32") and kind in (ewp.REDUCE_SUM, ewp.REDUCE_MIN,
                                                  ewp.REDUCE_MAX):
            dt = DTYPES[dtype].type
            value = dt(out.f64)
            if kind == ewp.REDUCE_SUM:
                value = dt(0) + value                    # NumPy: identity + pairwise sum
            elif value == 0:
                return self.reference(*args)             # which zero: NumPy's SIMD order
        elif kind in (ewp.REDUCE_ANY, ewp.REDUCE_ALL):
            value = np.bool_(out.u64 != 0)
        elif rtype == PHX_I64 and kind in (ewp.REDUCE_MIN, ewp.REDUCE_MAX):
            value = rdt.type(out.i64)
        else:                                            # integer sums and products: bits
            value = np.array(out.u64, np.uint64).view(np.int64 if rdt.kind == "i"
                                                      else np.uint64).astype(rdt)[()]
        if name == "mean":
            value = value.dtype.type(value / n)          # as numpy's _mean divides
        value = rdt.type(value)
        if self.red_rank >= 0:                           # keepdims: a (1, ..., 1) array
            return np.full((1,) * self.red_rank, value, dtype=rdt)
        return value

def _reference(op):
    if op.name in ("fused", "fused_reduce"):
        evaluate = op.decl.evaluate
        if len(op.results) == 1:
            return lambda *values: evaluate(op, list(values))[0]
        return lambda *values: evaluate(op, list(values))
    impl, kw = op.decl.impl, dict(op.attrs)
    if op.decl.needs_result_types:
        kw["result_types"] = [r.type for r in op.results]
    return (lambda *values: impl(*values, **kw)) if kw else impl


_PY_KINDS = {"float": (float,), "int": (int,), "bool": (bool, np.bool_)}


def _is_none(v):
    return v is None


def _scalar_check(t):
    """A predicate accepting runtime values of scalar IR type t."""
    if t.kind in _PY_KINDS:
        kinds = _PY_KINDS[t.kind]
        if t.kind == "bool":
            return lambda v: type(v) in kinds
        return lambda v: type(v) in kinds
    dt = DTYPES[t.kind]
    return lambda v: isinstance(v, np.generic) and v.dtype == dt


def _scalar_value(key, args, prelude):
    tag = key[0]
    if tag == "lit":
        return key[1]
    if tag == "arg":
        return args[key[1]]
    return prelude[key[1]]


_F32_MAX = float(np.finfo(np.float32).max)


def _convert(value, dtype):
    """`value` as NumPy's loops see it in dtype. A conversion NumPy rejects, or warns about
    under the caller's np.errstate (OverflowError, 1e300 -> f32 "overflow encountered in
    cast", ...), declines: the reference then converts, warns or raises as NumPy does."""
    t = type(value)
    if dtype == "f64" and (t is float or t is np.float64):       # the common cases, fast
        return value
    if dtype == "f32" and (t is np.float32 or t is float and abs(value) <= _F32_MAX):
        return np.float32(value)
    if dtype == "i64" and (t is np.int64 or t is int and -2**63 <= value < 2**63):
        return value
    if dtype == "bool" and type(value) is int and not -2**63 <= value < 2**63:
        raise Decline("NumPy converts a Python int to bool through a C long")
    # raise where the caller's np.errstate reports (the reference then warns or raises as
    # NumPy does), ignore where it ignores (the native loop may run)
    state = {k: "ignore" if v == "ignore" else "raise" for k, v in np.geterr().items()}
    try:
        with np.errstate(**state):
            return np.asarray(value).astype(DTYPES[dtype], casting="unsafe")[()] \
                if isinstance(value, (np.ndarray, np.generic)) \
                else np.array(value, dtype=DTYPES[dtype])[()]
    except (OverflowError, ValueError, TypeError, FloatingPointError) as e:
        raise Decline(f"scalar {value!r} as {dtype}: {e}") from None


cdef void _set_value(phx_reg *r, v) except *:
    if r.rtype == PHX_F64:
        r.value.f64 = <double> v
    elif r.rtype == PHX_F32:
        r.value.f32 = <float> v
    elif r.rtype == PHX_B8:
        r.value.b8 = 1 if v else 0
    elif r.rtype == PHX_U64:
        r.value.u64 = <uint64_t> int(v)
    else:
        r.value.i64 = <int64_t> int(v)


cdef bint _prefer_fortran(tuple args, list arrays, tuple shape):
    """NumPy gives an F-ordered result when the full-shape inputs are F- but not C-ordered."""
    f = False
    for i in arrays:
        a = args[i]
        if a.shape != shape:
            continue
        c_ok, f_ok = a.flags.c_contiguous, a.flags.f_contiguous
        if c_ok and not f_ok:
            return False
        if f_ok and not c_ok:
            f = True
    return f


cdef list _k_order(tuple args, list arrays, int nd):
    """The result's axes, outer to inner, as NumPy's iterator orders them for order K
    (npyiter_find_best_axis_ordering): a stable insertion sort from the innermost axis by
    |stride|; an operand decides a pair of axes only where it steps along both (broadcast
    and extent-1 axes count as stride 0), the first deciding operand may move an axis
    outward, and on conflicts C order wins. Single ops match NumPy exactly (a fuzz of 400
    random 2-d/3-d layouts); a fused program is ordered from its inputs, while NumPy orders
    each temporary from its own operands, so when broadcasting leaves a temporary ambiguous
    (C) and an input is F-like, NumPy's result can be C where this one is F (7 of 400 such
    fuzzed a * b - c). Values never depend on it."""
    cdef int i0, i1, ipos, j0, j1, d, off
    cdef bint ambig, swap
    ops = []
    for i in arrays:
        a = <cnp.ndarray> args[i]
        off = nd - a.ndim
        ops.append([0 if d < off or a.shape[d - off] == 1 else a.strides[d - off]
                    for d in range(nd)])
    perm = list(range(nd - 1, -1, -1))          # innermost first
    for i0 in range(1, nd):
        ipos, j0 = i0, perm[i0]
        for i1 in range(i0 - 1, -1, -1):
            j1 = perm[i1]
            ambig, swap = True, False
            for st in ops:
                if st[j0] != 0 and st[j1] != 0:
                    if abs(st[j1]) <= abs(st[j0]):
                        swap = False
                    elif ambig:
                        swap = True
                    ambig = False
            if not ambig:
                if swap:
                    ipos = i1
                else:
                    break
        if ipos != i0:
            perm.insert(ipos, perm.pop(i0))
    perm.reverse()
    return perm


cdef object _alloc(tuple shape, list perm, dt):
    """An empty array of `shape` whose memory runs through the axes in the order perm."""
    cdef int d, n = len(perm)
    for d in range(n):
        if perm[d] != d:
            break
    else:
        return np.empty(shape, dt)
    inverse = [0] * n
    for d in range(n):
        inverse[perm[d]] = d
    return np.empty(tuple([shape[p] for p in perm]), dt).transpose(inverse)


cdef int _coalesce(Py_ssize_t *shape, Py_ssize_t (*strides)[64], int nin,
                   int nd) noexcept nogil:
    """Drop extent-1 axes and merge neighbours that every input steps through contiguously;
    returns the new rank (>= 1; a 0-d problem becomes shape (1,))."""
    cdef int d, k, m = 0, ok
    for d in range(nd):                       # drop extent-1 axes
        if shape[d] != 1:
            shape[m] = shape[d]
            for k in range(nin):
                strides[k][m] = strides[k][d]
            m += 1
    if m == 0:
        shape[0] = 1
        for k in range(nin):
            strides[k][0] = 0
        return 1
    nd, m = m, 0
    for d in range(1, nd):
        ok = 1
        for k in range(nin):
            if strides[k][m] != strides[k][d] * shape[d]:
                ok = 0
                break
        if ok:
            shape[m] *= shape[d]
            for k in range(nin):
                strides[k][m] = strides[k][d]
        else:
            m += 1
            shape[m] = shape[d]
            for k in range(nin):
                strides[k][m] = strides[k][d]
    return m + 1


cdef int _input_mode(phx_reg *r, phx_prog *P, int stype) noexcept nogil:
    """Direct pointer if the input is contiguous in output order and needs no conversion;
    pre-tiled if it repeats with a short period (leading axes broadcast); else gathered."""
    cdef int d, q = 0
    cdef Py_ssize_t period = 1
    if P.ndim == 1 and stype == r.rtype and r.strides[0] == phx_esize[stype]:
        return PHX_IN_DIRECT
    while q < P.ndim and r.strides[q] == 0:
        q += 1
    if q > 0:
        for d in range(q, P.ndim):
            period *= P.shape[d]
        if period <= _TILE_MAX:
            r.period = period
            return PHX_IN_TILE
    return PHX_IN_GATHER


# --- the engine for other native kernels (_elementwise.pxd) -----------------------------------

cdef int ew_layout(phx_prog *P, int nd, Py_ssize_t *shape, Py_ssize_t (*strides)[64],
                   int nin, void **bound) noexcept nogil:
    """P's iteration space: `shape` (nd axes, outer to inner in memory order of the outputs,
    whose registers already point at element 0), strides[i] the byte strides of the i-th IN
    register along those axes (0: broadcast). Coalesces the axes, picks each input's mode,
    lays out the scratch. Modifies shape and strides. `bound` (NULL, or per register): the
    registers whose blocks the caller will bind (ew_eval) need no memory of their own."""
    cdef int d, k, i = 0, ndim_c
    cdef Py_ssize_t size = 1
    cdef phx_reg *r
    for d in range(nd):
        size *= shape[d]
    ndim_c = _coalesce(shape, strides, nin, nd)
    P.ndim, P.size = ndim_c, size
    for d in range(ndim_c):
        P.shape[d] = shape[d]
    for k in range(P.nreg):
        r = &P.regs[k]
        if r.kind == PHX_R_IN:
            for d in range(ndim_c):
                r.strides[d] = strides[i][d]
            r.mode = PHX_IN_DIRECT if bound and bound[k] else _input_mode(r, P, r.stype)
            i += 1
    P.scratch = phx_layout(P)
    return 0


cdef int current_isa() noexcept nogil:
    """The instruction set set_isa() chose (phx_prog.isa)."""
    return _isa


cdef char *ew_thread_start(const phx_prog *P) noexcept nogil:
    """phx_ew_thread_start (ew_exec.h): this thread's FP flags cleared, its scratch for P."""
    return phx_ew_thread_start(P)


cdef void ew_eval(const phx_prog *P, char *scr, Py_ssize_t start, Py_ssize_t n,
                  void **bind) noexcept nogil:
    """phx_ew_eval (ew_exec.h): P over elements [start, start + n) on this thread."""
    phx_ew_eval(P, scr, start, n, bind)


cdef int ew_run_here(phx_prog *P) noexcept nogil:
    """P over its whole iteration space on the calling thread; the FP flags it raised in
    P.fpe. 0, or -1 when there was no memory for the scratch."""
    cdef int rc
    P.nthreads = 1
    P.fpe = 0
    phx_fpe_start(P.fpe_want)
    rc = phx_ew_run(P)
    phx_fpe_collect(&P.fpe)
    return rc


# --- test support: glibc's scalar functions as the accuracy reference ------------------------

ctypedef double (*_d1)(double) noexcept nogil
ctypedef float (*_f1)(float) noexcept nogil
ctypedef long double (*_l1)(long double) noexcept nogil

cdef extern from "math.h" nogil:
    double exp(double)
    double exp2(double)
    double expm1(double)
    double log(double)
    double log2(double)
    double log10(double)
    double log1p(double)
    double sin(double)
    double cos(double)
    double tanh(double)
    double sinh(double)
    double cosh(double)
    float expf(float)
    float exp2f(float)
    float expm1f(float)
    float logf(float)
    float log2f(float)
    float log10f(float)
    float log1pf(float)
    float sinf(float)
    float cosf(float)
    float tanhf(float)
    float sinhf(float)
    float coshf(float)
    long double expl(long double)
    long double exp2l(long double)
    long double expm1l(long double)
    long double logl(long double)
    long double log2l(long double)
    long double log10l(long double)
    long double log1pl(long double)
    long double sinl(long double)
    long double cosl(long double)
    long double tanhl(long double)
    long double sinhl(long double)
    long double coshl(long double)

VMATH_FUNCTIONS = ("exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos",
                   "tanh", "sinh", "cosh")


def _libm_ref(str name, x, bint long_double=False):
    """glibc's name(x) elementwise (x: f64 or f32 array), or with long_double, the long double
    function rounded to x's dtype (a reference accurate to well below 1 ulp)."""
    cdef _d1[12] fd = [exp, exp2, expm1, log, log2, log10, log1p, sin, cos, tanh, sinh, cosh]
    cdef _f1[12] ff = [expf, exp2f, expm1f, logf, log2f, log10f, log1pf, sinf, cosf, tanhf,
                       sinhf, coshf]
    cdef _l1[12] fl = [expl, exp2l, expm1l, logl, log2l, log10l, log1pl, sinl, cosl, tanhl,
                       sinhl, coshl]
    cdef int k = VMATH_FUNCTIONS.index(name)
    cdef Py_ssize_t i, n
    cdef double[::1] xd, yd
    cdef float[::1] xf, yf
    x = np.ascontiguousarray(x)
    out = np.empty_like(x)
    n = x.size
    if x.dtype == np.float64:
        xd, yd = x, out
        with nogil:
            for i in range(n):
                yd[i] = <double> fl[k](xd[i]) if long_double else fd[k](xd[i])
    elif x.dtype == np.float32:
        xf, yf = x, out
        with nogil:
            for i in range(n):
                yf[i] = <float> fl[k](xf[i]) if long_double else ff[k](xf[i])
    else:
        raise TypeError("f64 or f32 arrays only")
    return out


def _factory(op):
    # raises Decline for what it cannot compile, also for a body constant the loop's dtype
    # cannot hold (-128 in a u8 comparison): NumPy's own rules apply to it on every call
    return EwPreparer(op, ewp.compile_op(op))


register("fused", "fused_reduce", *ewp.SUPPORTED_OPS)(_factory)
