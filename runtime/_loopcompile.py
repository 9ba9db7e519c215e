"""Compile the body of a `for_range {parallel = true}` into a register program for the native
loop kernel (runtime/_loopkernel.pyx), so its iterations run without the GIL.

A parallel loop whose body is built only from the ops below runs as one native node: every
thread claims iterations and executes the body's ops on small per-thread registers (scalars,
array views, scratch arrays), calling BLAS/LAPACK directly. Without this, each op of the body
is a node whose preparer takes the GIL, and two threads spend their time handing it over.

Supported (f64 arithmetic; int64/int32 index arrays; arrays of rank <= 2):
  * scalars: add/subtract/multiply of ints and floats, dim, len, int/float constants;
  * getitem with integer and slice components (views; NumPy's bounds and slice rules);
  * gather x[idx] with a 1-d integer array (rows of a 2-d x, or elements of a 1-d x);
  * elementwise ops and `fused` elementwise bodies with an array operand (f64, int64, int32
    and bool arrays, int and float scalars; unary and binary ops): programs of the
    elementwise engine (runtime/_ew_program.py, ew_exec.h), the same code and bits as outside
    loops, broadcasting as NumPy;
  * matmul_t / matmul / dot (gemm, gemv, dot); z.T @ z and z.T @ v of a gathered z run as one
    product (the gather appends v to z's rows);
  * linalg.solve (Cholesky when the matrix is known symmetric, e.g. x.T @ x + c * I, and
    LU if that fails, so a matrix that is not positive definite gets LU's answer);
  * diag of a 1-d f64 array, astype to f64;
  * setitem into a loop-carried array with integer/slice components (the iteration's own rows:
    the parallelize-loops pass proved the writes independent).
Anything else: `compile_loop` returns None and the loop runs through the graph executor.
"""

from __future__ import annotations

from dataclasses import dataclass

from phylanx.ir.types import ArrayType, ScalarType
from phylanx.runtime import _ew_program as ewp
from phylanx.runtime.native import LOOP_CODES
from phylanx.runtime.natives import Decline

# The kernel's codes (loop_codes.h, through phylanx.runtime.native): register kinds, array
# dtypes, instructions, scalar operators and instruction flags.
_C = LOOP_CODES
R_INT, R_FLOAT, R_ARRAY = _C["R_INT"], _C["R_FLOAT"], _C["R_ARRAY"]
DT = _C["DT"]
DT_F64 = DT["f64"]
(I_SCALAR, I_DIM, I_VIEW, I_GATHER, I_EW, I_GEMM, I_SOLVE, I_SETITEM, I_DIAG, I_ASTYPE) = (
    _C[k] for k in ("I_SCALAR", "I_DIM", "I_VIEW", "I_GATHER", "I_EW", "I_GEMM", "I_SOLVE",
                    "I_SETITEM", "I_DIAG", "I_ASTYPE"))
SCALAR_OPS = {"add": _C["S_ADD"], "subtract": _C["S_SUB"], "multiply": _C["S_MUL"]}
F_TA, F_TB, F_SYM, F_AUG = _C["F_TA"], _C["F_TB"], _C["F_SYM"], _C["F_AUG"]


@dataclass
class LoopEw:
    """An I_EW instruction's elementwise program and where its values live."""

    program: object                 # _ew_program.Program
    operands: list                  # loop register of each operand
    results: list                   # loop register of each result
    shapes: list                    # (source a, source b, op index) per op, in order: how
                                    # NumPy broadcasts op by op (sources: operand i, or
                                    # len(operands) + j for op j's result; -1: a constant)


class Program:
    """The compiled body: registers, instructions and where the inputs come from."""

    def __init__(self, op):
        self.op = op
        self.kinds: list[int] = []         # per register
        self.dtypes: list[int] = []        # per register (arrays)
        self.consts: list[tuple[int, object]] = []
        self.free: list = []               # values defined outside the loop, in operand order
        self.free_regs: list[int] = []
        self.carried_regs: list[int] = []
        self.instrs: list[tuple] = []      # (code, op_index, out, args tuple, flags)
        self.ew: list[LoopEw] = []         # I_EW: args[0] indexes this
        self.ops: list = []                # op_index -> Op (error locations)
        self.reg: dict = {}
        self.symmetric: set = set()        # registers known to hold symmetric matrices
        self.iv_reg = -1

    def new_reg(self, kind: int, dtype: int = DT_F64) -> int:
        self.kinds.append(kind)
        self.dtypes.append(dtype)
        return len(self.kinds) - 1


def _kind_of(t):
    if isinstance(t, ScalarType):
        if t.dtype == "f64":
            return R_FLOAT, DT_F64
        if t.dtype in ("i64", "i32", "i16", "i8", "u8", "u16", "u32"):
            return R_INT, DT_F64
    if isinstance(t, ArrayType) and t.dtype in DT and t.rank in (1, 2):
        return R_ARRAY, DT[t.dtype]
    raise Decline(f"value of type {t}")


def _symmetric_outside(value, depth=0) -> bool:
    """Is a value defined outside the loop a symmetric matrix by construction (identity,
    square eye, and sums, differences and scalar multiples of those)?"""
    op = value.defining_op
    if op is None or depth > 8:
        return False
    if op.name == "identity":
        return True
    if op.name == "eye":
        m = op.operands[1] if len(op.operands) > 1 else None
        return (m is None or m is op.operands[0] or str(m.type) == "none") and \
            not op.attrs.get("k")
    if op.name in ("multiply", "add", "subtract"):
        return all(isinstance(v.type, ScalarType) or _symmetric_outside(v, depth + 1)
                   for v in op.operands)
    return False


class _Compiler:
    def __init__(self, op):
        self.p = Program(op)
        self.body = op.regions[0]
        self.inside = set(self.body.args)
        for o in self.body.ops:
            self.inside.update(o.results)

    def value(self, v) -> int:
        """The register of v (a free value gets one on first use)."""
        p = self.p
        r = p.reg.get(v)
        if r is None:
            if v in self.inside:
                raise Decline("use before definition")
            kind, dt = _kind_of(v.type)
            r = p.new_reg(kind, dt)
            p.reg[v] = r
            p.free.append(v)
            p.free_regs.append(r)
            if kind == R_ARRAY and _symmetric_outside(v):
                p.symmetric.add(r)
        return r

    def result(self, v) -> int:
        kind, dt = _kind_of(v.type)
        r = self.p.new_reg(kind, dt)
        self.p.reg[v] = r
        return r

    def emit(self, code, op, out, args=(), flags=0):
        p = self.p
        p.instrs.append((code, len(p.ops), out, tuple(args), flags))
        p.ops.append(op)

    def _gram_and_rhs(self) -> dict:
        """Gathers z = x[idx] whose only users are z.T @ z and, after it, z.T @ v (v 1-d f64,
        defined before the gather): {gather op: v}. Explicit ALS's per-user Gram matrix and
        right-hand side. The gather then appends v to z's rows, and one product aug.T @ z
        gives both (at k = 40 the separate dgemv took 3.5k TSC cycles per user beside the
        21k of the dgemm; the kernel keeps the plain path below 16 columns, where appending
        costs more)."""
        ops = list(self.body.ops)
        pos = {o: k for k, o in enumerate(ops)}
        users: dict = {}
        for o in ops:
            for v in dict.fromkeys(o.operands):
                users.setdefault(v, []).append(o)
        found = {}
        for g in ops:
            if g.name != "gather" or getattr(g.results[0].type, "rank", 0) != 2:
                continue
            z = g.results[0]
            us = users.get(z, [])
            if len(us) != 2 or any(u.name != "matmul_t" or u.operands[0] is not z or
                                   not u.attrs.get("transpose_a") or u.attrs.get("transpose_b")
                                   for u in us):
                continue
            gram, rhs = us if us[0].operands[1] is z else us[::-1]
            v = rhs.operands[1]
            if gram.operands[1] is not z or v is z or pos[gram] > pos[rhs] or not (
                    isinstance(v.type, ArrayType) and v.type.rank == 1 and v.type.dtype == "f64"):
                continue
            if v.defining_op in pos and pos[v.defining_op] > pos[g]:
                continue
            found[g] = v
        return found

    def compile(self):
        p, body, op = self.p, self.body, self.p.op
        self.aug = self._gram_and_rhs()
        self.aug_regs: dict = {}       # gathered z -> (its augmented rows, the joint product)
        iv = body.args[0]
        if _kind_of(iv.type)[0] != R_INT:
            raise Decline("induction variable")
        p.iv_reg = p.new_reg(R_INT)
        p.reg[iv] = p.iv_reg
        for arg in body.args[1:]:
            kind, dt = _kind_of(arg.type)
            if kind != R_ARRAY or dt != DT_F64:
                raise Decline("carried value that is not an f64 array")
            r = p.new_reg(kind, dt)
            p.reg[arg] = r
            p.carried_regs.append(r)
        self.carried = {arg: arg for arg in body.args[1:]}  # value -> carried block arg
        for o in body.ops:
            if o.regions and o.name != "fused":
                raise Decline(f"nested region ({o.name})")
            handler = getattr(self, "op_" + o.name.replace(".", "_"), None)
            if handler is None and (o.name == "fused" or "elementwise" in o.decl.traits):
                handler = self.elementwise
            (handler or self.unsupported)(o)
        term = body.terminator
        for k, v in enumerate(term.operands):
            if self.carried.get(v) is not body.args[k + 1]:
                raise Decline("carried value not updated in place")
        for o in body.ops:   # carried buffers are only written, never read
            for i, v in enumerate(o.operands):
                if v in self.carried and not (o.name == "setitem" and i == 0) and \
                        o is not term:
                    raise Decline("body reads a carried array")
        for v in op.operands[:3]:
            if _kind_of(v.type)[0] != R_INT:
                raise Decline("loop bounds")
        return p

    def unsupported(self, o):
        raise Decline(f"op {o.name}")

    def op_yield(self, o):
        pass

    def op_const(self, o):
        value = o.attrs.get("value")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Decline("constant")
        r = self.result(o.results[0])
        self.p.consts.append((r, value))

    def elementwise(self, o):
        """An elementwise op or a `fused` body: Python scalar arithmetic when every operand is
        a scalar, else a program of the elementwise engine (I_EW)."""
        regs = [self.value(v) for v in o.operands]
        if all(self.p.kinds[r] != R_ARRAY for r in regs):
            self.scalar_op(o, regs)
            return
        program = ewp.compile_op(o)
        if program.prelude or program.reduce or program.size1_declines:
            raise Decline("elementwise op that needs Python per call")
        arrays = frozenset(i for i, (kind, _) in enumerate(program.operands) if kind == "array")
        if any(d != arrays for d in program.result_deps):
            raise Decline("a result of some of the array operands only (its own shape)")
        for i, (kind, t) in enumerate(program.operands):
            r = regs[i]
            if kind == "array":
                if self.p.kinds[r] != R_ARRAY or self.p.dtypes[r] != DT.get(t):
                    raise Decline("elementwise operand of another dtype")
            elif kind != "scalar" or self.p.kinds[r] == R_ARRAY:
                raise Decline("elementwise operand")
        for reg in program.regs:
            if reg.kind == ewp.CONST and reg.src[0][0] == "arg":
                r, dtype = regs[reg.src[0][1]], reg.src[1]
                if not (dtype == "f64" or (dtype == "i64" and self.p.kinds[r] == R_INT)):
                    raise Decline(f"scalar operand as {dtype}")
        outs = [self.result(v) for v in o.results]
        if any(self.p.kinds[r] != R_ARRAY for r in outs):
            raise Decline("elementwise result that is not an array")
        if o.name in ("add", "subtract", "multiply") and all(
                self.p.kinds[r] != R_ARRAY or r in self.p.symmetric for r in regs):
            self.p.symmetric.add(outs[0])
        self.p.ew.append(LoopEw(program, regs, outs, self.shape_steps(o)))
        self.emit(I_EW, o, outs[0], (len(self.p.ew) - 1,))

    def shape_steps(self, o) -> list:
        """LoopEw.shapes of op o (errors name the op of the body that fails)."""
        if o.name != "fused":
            if len(o.operands) > 2:
                raise Decline("elementwise op of three operands")
            return [(0, 1 if len(o.operands) == 2 else -1, len(self.p.ops))]
        body = o.regions[0]
        src = {arg: i for i, arg in enumerate(body.args)}
        steps = []
        for b in body.ops[:-1]:
            if b.name == "const":
                src[b.results[0]] = -1
                continue
            if len(b.operands) > 2:
                raise Decline("elementwise op of three operands")
            ins = [src[v] for v in b.operands]
            self.p.ops.append(b)
            steps.append((ins[0], ins[1] if len(ins) == 2 else -1, len(self.p.ops) - 1))
            src[b.results[0]] = len(body.args) + len(steps) - 1
        return steps

    def scalar_op(self, o, regs):
        if o.name not in SCALAR_OPS or len(regs) != 2:
            raise Decline(f"scalar {o.name}")      # Python and NumPy disagree on x/0, ...
        out = self.result(o.results[0])
        kinds = tuple(self.p.kinds[r] for r in regs)
        if self.p.kinds[out] == R_INT and kinds != (R_INT, R_INT):
            raise Decline("int result of float operands")
        self.emit(I_SCALAR, o, out, (*regs, SCALAR_OPS[o.name]))

    def op_dim(self, o):
        r = self.value(o.operands[0])
        if self.p.kinds[r] != R_ARRAY:
            raise Decline("dim of a scalar")
        rank, axis = o.operands[0].type.rank, int(o.attrs["axis"])
        if not -rank <= axis < rank:
            raise Decline("dim axis")
        self.emit(I_DIM, o, self.result(o.results[0]), (r, axis % rank))

    def op_len(self, o):
        r = self.value(o.operands[0])
        if self.p.kinds[r] != R_ARRAY:
            raise Decline("len of a scalar")
        self.emit(I_DIM, o, self.result(o.results[0]), (r, 0))

    def basic_index(self, x, index, operands):
        """Per-axis (kind, start, stop, step) registers: kind 0 int, 1 slice; -1 absent."""
        rank = x.type.rank
        comps, it = [], iter(operands)
        for comp in index:
            if comp == "i":
                v = next(it)
                r = self.value(v)
                if self.p.kinds[r] != R_INT:
                    raise Decline("index")
                comps.append((0, r, -1, -1))
            elif comp[0] == "s":
                regs = []
                for bit in comp[1:]:
                    if bit == "1":
                        v = next(it)
                        if str(v.type) == "none":
                            regs.append(-1)
                            continue
                        r = self.value(v)
                        if self.p.kinds[r] != R_INT:
                            raise Decline("slice bound")
                        regs.append(r)
                    else:
                        regs.append(-1)
                comps.append((1, *regs))
            else:
                raise Decline(f"index component {comp!r}")
        if len(comps) > rank:
            raise Decline("too many indices")
        while len(comps) < rank:
            comps.append((1, -1, -1, -1))
        flat = [c for comp in comps for c in comp]
        flat += [1, -1, -1, -1] * (2 - rank)
        return flat

    def op_getitem(self, o):
        x = o.operands[0]
        if x in self.carried:
            raise Decline("getitem on a carried array")
        rx = self.value(x)
        if self.p.kinds[rx] != R_ARRAY:
            raise Decline("getitem of a scalar")
        comps = self.basic_index(x, o.attrs["index"], o.operands[1:])
        self.emit(I_VIEW, o, self.result(o.results[0]), (rx, *comps))

    def op_gather(self, o):
        x, *idx = o.operands
        if o.attrs["index"] != ("a",) or len(idx) != 1:
            raise Decline("gather index")
        rx, ri = self.value(x), self.value(idx[0])
        if self.p.kinds[ri] != R_ARRAY or self.p.dtypes[ri] not in (DT["i64"], DT["i32"]) or \
                idx[0].type.rank != 1 or self.p.kinds[rx] != R_ARRAY:
            raise Decline("gather operands")
        out = self.result(o.results[0])
        v = self.aug.get(o)
        if v is not None and self.p.dtypes[rx] == DT_F64:
            aug, joint = self.p.new_reg(R_ARRAY), self.p.new_reg(R_ARRAY)
            self.aug_regs[o.results[0]] = (aug, joint)
            self.emit(I_GATHER, o, out, (rx, ri, self.value(v), aug), F_AUG)
            return
        self.emit(I_GATHER, o, out, (rx, ri))

    def product(self, o, ta, tb):
        a, b = o.operands
        ra, rb = self.value(a), self.value(b)
        for r in (ra, rb):
            if self.p.kinds[r] != R_ARRAY or self.p.dtypes[r] != DT_F64:
                raise Decline("product operands")
        res = o.results[0]
        if isinstance(res.type, ArrayType) and res.type.dtype != "f64":
            raise Decline("product result")
        out = self.result(res)
        flags = (F_TA if ta else 0) | (F_TB if tb else 0)
        if ra == rb and ta != tb and a.type.rank == 2:
            flags |= F_SYM
            self.p.symmetric.add(out)
        joint = self.aug_regs.get(a)
        if joint is not None:       # z.T @ z or z.T @ v of an augmented gather
            self.emit(I_GEMM, o, out, (ra, rb, *joint), flags | F_AUG)
            return
        self.emit(I_GEMM, o, out, (ra, rb), flags)

    def op_matmul_t(self, o):
        self.product(o, bool(o.attrs.get("transpose_a")), bool(o.attrs.get("transpose_b")))

    def op_matmul(self, o):
        self.product(o, False, False)

    op_dot = op_matmul

    def op_linalg_solve(self, o):
        a, b = o.operands
        ra, rb = self.value(a), self.value(b)
        for r in (ra, rb):
            if self.p.kinds[r] != R_ARRAY or self.p.dtypes[r] != DT_F64:
                raise Decline("solve operands")
        flags = F_SYM if ra in self.p.symmetric else 0
        self.emit(I_SOLVE, o, self.result(o.results[0]), (ra, rb), flags)

    def op_diag(self, o):
        (v,) = o.operands
        rv = self.value(v)
        if self.p.kinds[rv] != R_ARRAY or self.p.dtypes[rv] != DT_F64 or v.type.rank != 1 \
                or o.attrs.get("k", 0):
            raise Decline("diag operand")
        out = self.result(o.results[0])
        self.p.symmetric.add(out)
        self.emit(I_DIAG, o, out, (rv,))

    def op_astype(self, o):
        (x,) = o.operands
        rx = self.value(x)
        res = o.results[0]
        if self.p.kinds[rx] != R_ARRAY or not (isinstance(res.type, ArrayType)
                                               and res.type.dtype == "f64"):
            raise Decline("astype")
        self.emit(I_ASTYPE, o, self.result(res), (rx,))

    def op_setitem(self, o):
        x, *rest = o.operands
        *idx, value = rest
        arg = self.carried.get(x)
        if arg is None:
            raise Decline("setitem on a value that is not loop-carried")
        rv = self.value(value)
        if self.p.kinds[rv] == R_ARRAY and self.p.dtypes[rv] != DT_F64:
            raise Decline("setitem value")
        comps = self.basic_index(x, o.attrs["index"], idx)
        rx = self.p.reg[arg]
        self.emit(I_SETITEM, o, rx, (rx, rv, *comps))
        self.p.reg[o.results[0]] = rx
        self.carried[o.results[0]] = arg


def compile_loop(op) -> Program | None:
    """The register program of a parallel for_range's body, or None if it has ops the loop
    kernel does not run."""
    if op.name != "for_range" or not op.attrs.get("parallel") or len(op.regions) != 1:
        return None
    try:
        return _Compiler(op).compile()
    except (Decline, KeyError, StopIteration):
        return None
