"""Compile an elementwise op, or the body of a `fused` op, into a register program for the
blocked evaluator (runtime/ew_exec.h, driven by phylanx.runtime._elementwise).

Each SSA value of the body becomes a *source*: an array input (one element per output
position), a scalar (a body constant, a scalar operand, or a scalar-only body op evaluated per
call with the op's own reference implementation, so Python-scalar semantics stay exact), or a
virtual register computed by an instruction. Operand dtypes follow NumPy's loop resolution
(`ufunc.resolve_dtypes`, with Python scalars passed as weak `int`/`float`), which gives
exactly the casts NumPy applies; the loop's output dtype must equal the IR's result dtype.
Integers of every width compute in 64-bit registers (wrap-around arithmetic agrees modulo
2^width) and are re-extended (WRAP) after each op with a narrower result.

Anything outside the supported set raises `Decline` (runtime/natives.py): no native kernel,
the executor runs the op's NumPy reference instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from phylanx.ir.types import DTYPES, ArrayType, NoneType, ScalarType
from phylanx.runtime.native import ENGINE_CODES
from phylanx.runtime.natives import Decline

# The engine's codes (ew_prog.h): storage types by dtype name, the register type of each (the
# five full-width dtypes are the register types), register kinds.
STORAGE = ENGINE_CODES["storage"]
RTYPE = ENGINE_CODES["register_of"]
F64, F32, I64, U64, B8 = (STORAGE[d] for d in ("f64", "f32", "i64", "u64", "bool"))
INTS = {"i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"}
NARROW = {"i8", "i16", "i32", "u8", "u16", "u32"}
FLOATS = {"f64", "f32"}

TEMP, CONST, IN, OUT = (ENGINE_CODES["kinds"][k] for k in ("TEMP", "CONST", "IN", "OUT"))

_F, _I, _U, _B = frozenset({F64, F32}), frozenset({I64}), frozenset({U64}), frozenset({B8})
_FIU = _F | _I | _U
_ALL = _FIU | _B
# opcode -> register types it is implemented for (ew_block.h)
SUPPORT = {
    "COPY": _ALL, "ADD": _FIU, "SUB": _FIU, "MUL": _FIU, "DIV": _F, "NEG": _FIU,
    "ABS": _F | _I, "SQUARE": _FIU, "SQRT": _F, "RECIP": _F, "MAX": _ALL, "MIN": _ALL,
    "FMAX": _F, "FMIN": _F, "CLIPLO": _FIU, "CLIPHI": _FIU, "COPYSIGN": _F, "FLOOR": _F,
    "CEIL": _F, "TRUNC": _F, "RINT": _F, "SIGN": _F | _I, "HEAVISIDE": _F, "FLOORDIV": _F,
    "REMAINDER": _F, "POW": _F, "ATAN2": _F, "HYPOT": _F, "EQ": _ALL, "NE": _ALL, "LT": _ALL,
    "LE": _ALL, "GT": _ALL, "GE": _ALL, "ISNAN": _F, "ISINF": _F, "ISFINITE": _F, "AND": _B,
    "OR": _B, "XOR": _B, "NOT": _B, "WHERE": _ALL, "BAND": _I | _U, "BOR": _I | _U,
    "BXOR": _I | _U, "BNOT": _I | _U, "WRAP": _I,
    "CVT_F64": frozenset({F32, I64, U64, B8}), "CVT_F32": frozenset({F64, I64, U64, B8}),
    "CVT_I64": _B, "CVT_B8": _ALL,
}
VMATH = ("EXP", "EXP2", "EXPM1", "LOG", "LOG2", "LOG10", "LOG1P", "SIN", "COS", "TANH", "SINH",
         "COSH")
LIBM = ("TAN", "ASIN", "ACOS", "ATAN", "ASINH", "ACOSH", "ATANH", "CBRT")
for _m in VMATH + LIBM:
    SUPPORT[_m] = _F
if set(SUPPORT) != set(ENGINE_CODES["opcodes"]):    # an instruction set is one list
    raise ImportError("_ew_program.SUPPORT and ew_prog.h's opcodes differ: "
                      f"{sorted(set(SUPPORT) ^ set(ENGINE_CODES['opcodes']))}")

# relative cost per element (elements * weight decides whether to start threads)
WEIGHT = {**{m: 12.0 for m in VMATH}, **{m: 40.0 for m in LIBM},
          "POW": 60.0, "ATAN2": 40.0, "HYPOT": 20.0, "FLOORDIV": 30.0, "REMAINDER": 30.0}

_UNARY_SAME = {  # IR op name -> opcode, for every loop class it supports
    "exp": "EXP", "exp2": "EXP2", "expm1": "EXPM1", "log": "LOG", "log2": "LOG2",
    "log10": "LOG10", "log1p": "LOG1P", "sin": "SIN", "cos": "COS", "tan": "TAN",
    "arcsin": "ASIN", "arccos": "ACOS", "arctan": "ATAN", "sinh": "SINH", "cosh": "COSH",
    "tanh": "TANH", "arcsinh": "ASINH", "arccosh": "ACOSH", "arctanh": "ATANH", "cbrt": "CBRT",
    "sqrt": "SQRT", "square": "SQUARE", "negative": "NEG", "sign": "SIGN",
    "reciprocal": "RECIP", "isnan": "ISNAN", "isinf": "ISINF", "isfinite": "ISFINITE",
}
_BINARY_SAME = {
    "add": "ADD", "subtract": "SUB", "multiply": "MUL", "true_divide": "DIV",
    "floor_divide": "FLOORDIV", "remainder": "REMAINDER", "maximum": "MAX", "minimum": "MIN",
    "fmax": "FMAX", "fmin": "FMIN", "copysign": "COPYSIGN", "heaviside": "HEAVISIDE",
    "arctan2": "ATAN2", "hypot": "HYPOT", "equal": "EQ", "not_equal": "NE", "less": "LT",
    "less_equal": "LE", "greater": "GT", "greater_equal": "GE", "bitwise_and": "BAND",
    "bitwise_or": "BOR", "bitwise_xor": "BXOR",
}
_ROUNDING = {"floor": "FLOOR", "ceil": "CEIL", "trunc": "TRUNC", "rint": "RINT"}
_LOGICAL = {"logical_and": "AND", "logical_or": "OR", "logical_xor": "XOR"}
# on bool loops, arithmetic and bitwise ops are logical ones
_BOOL_LOOP = {"ADD": "OR", "MUL": "AND", "BAND": "AND", "BOR": "OR", "BXOR": "XOR"}

SUPPORTED_OPS = tuple(sorted(
    set(_UNARY_SAME) | set(_BINARY_SAME) | set(_ROUNDING) | set(_LOGICAL)
    | {"power", "positive", "absolute", "fabs", "logical_not", "invert", "deg2rad", "rad2deg",
       "conj", "where", "clip", "round"}))


_WIDENING = frozenset({"CVT_F64", "CVT_F32", "CVT_I64", "WHERE"})


@dataclass
class Reg:
    kind: int
    rtype: int = F64
    stype: int = 0
    src: object = None     # IN: operand index; CONST: ('lit', value) | ('arg', i, dt) | ...


@dataclass
class Program:
    """A compiled program; `regs` and `code` index physical registers."""

    operands: list          # per operand: ('array', dtype), ('scalar', ScalarType), ('none', _)
    regs: list              # Reg
    code: list              # (opcode, rtype, dst, a, b, c, aux)
    results: list           # (dtype, is_array) per result
    prelude: list = field(default_factory=list)   # (op, [sources]) evaluated per call
    weight: float = 1.0
    size1_declines: list = field(default_factory=list)  # operand groups: all of size 1 -> NumPy
    ret: int = -1           # fused_reduce: the register holding the mapped value
    reduce: tuple = ()      # fused_reduce: (reduction kind, mapped dtype, rank)
    # per result: the array operands it depends on. NumPy's result has the broadcast shape of
    # those; the program writes the broadcast shape of all array operands.
    result_deps: list = field(default_factory=list)


# --- sources ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Scalar:
    """A scalar value: ('lit', value) body constant, ('arg', i) operand, ('pre', k) prelude."""

    key: tuple
    type: object            # its IR type (ScalarType, or a rank-0 ArrayType)


@dataclass(frozen=True)
class _Vec:
    reg: int                # virtual register
    dtype: str


def _dtype_name(t) -> str:
    if isinstance(t, ArrayType):
        return t.dtype
    if isinstance(t, ScalarType):
        return t.dtype
    raise Decline(f"no dtype for {t}")


def _resolve_arg(t):
    """What ufunc.resolve_dtypes takes for a value of IR type t (Python scalars stay weak)."""
    if isinstance(t, ScalarType) and t.weak:
        return {"int": int, "float": float, "complex": complex}[t.kind]
    return DTYPES[_dtype_name(t)]


class _Compiler:
    def __init__(self, operand_types):
        self.operands = []
        self.regs: list[Reg] = []
        self.code: list[list] = []
        self.prelude: list = []
        self.consts: dict = {}
        self.inputs: dict = {}
        self.casts: dict = {}
        self.size1_declines: list = []
        self.weight = 0.0
        for t in operand_types:
            if isinstance(t, ArrayType):
                if t.dtype not in STORAGE:
                    raise Decline(f"dtype {t.dtype}")
                self.operands.append(("array", t.dtype))
            elif isinstance(t, ScalarType):
                self.operands.append(("scalar", t))
            elif isinstance(t, NoneType):            # clip's missing bound
                self.operands.append(("none", None))
            else:
                raise Decline(f"operand type {t}")

    # registers
    def new_reg(self, kind, rtype=F64, stype=0, src=None) -> int:
        self.regs.append(Reg(kind, rtype, stype, src))
        return len(self.regs) - 1

    def emit(self, opcode, rtype, dst, a=-1, b=-1, c=-1, aux=0):
        if rtype not in SUPPORT[opcode]:
            raise Decline(f"{opcode} on register type {rtype}")
        self.code.append([opcode, rtype, dst, a, b, c, aux])
        self.weight += WEIGHT.get(opcode, 1.0)

    def source_of_operand(self, i):
        kind, info = self.operands[i]
        if kind == "array":
            return ("array", i, info)
        if kind == "none":
            return None
        return _Scalar(("arg", i), info)

    def vec(self, src, dtype: str) -> int:
        """A register holding `src` as `dtype` (loads, constants and casts are memoised)."""
        if isinstance(src, _Scalar):
            key = (src.key, dtype)
            if key not in self.consts:
                if dtype not in STORAGE:
                    raise Decline(f"dtype {dtype}")
                self.consts[key] = self.new_reg(CONST, _rtype(dtype), STORAGE[dtype],
                                                (src.key, dtype))
            return self.consts[key]
        if isinstance(src, tuple) and src[0] == "array":
            _, i, dt = src
            if i not in self.inputs:
                self.inputs[i] = self.new_reg(IN, _rtype(dt), STORAGE[dt], i)
            return self.cast(_Vec(self.inputs[i], dt), dtype)
        return self.cast(src, dtype)

    def cast(self, v: _Vec, dtype: str) -> int:
        """NumPy's (same-kind or safe) cast of register v to dtype."""
        frm = v.dtype
        if frm == dtype:
            return v.reg
        key = (v.reg, frm, dtype)
        if key in self.casts:
            return self.casts[key]
        rf, rt = _rtype(frm), _rtype(dtype)
        if dtype == "bool":
            out = self.new_reg(TEMP)
            self.emit("CVT_B8", rf, out, v.reg)
        elif frm in INTS and dtype in INTS:
            # same bits in a 64-bit register; narrowing re-extends like a C cast
            if dtype in NARROW and _narrows(frm, dtype):
                out = self.new_reg(TEMP)
                self.emit("COPY", I64, out, v.reg)
                self.emit("WRAP", I64, out, out, aux=STORAGE[dtype])
            else:
                out = v.reg
        elif frm == "bool" and dtype in INTS:
            out = self.new_reg(TEMP)
            self.emit("CVT_I64", B8, out, v.reg)
        elif dtype in FLOATS and (frm in INTS or frm in FLOATS or frm == "bool"):
            out = self.new_reg(TEMP)
            self.emit("CVT_F64" if rt == F64 else "CVT_F32", rf, out, v.reg)
        else:
            raise Decline(f"cast {frm} -> {dtype}")
        self.casts[key] = out
        return out


def _rtype(dtype: str) -> int:
    if dtype not in STORAGE:
        raise Decline(f"dtype {dtype}")
    return RTYPE[dtype]


def _narrows(frm: str, to: str) -> bool:
    """Whether some value of integer dtype frm is not a value of `to`."""
    a, b = np.iinfo(DTYPES[frm]), np.iinfo(DTYPES[to])
    return a.min < b.min or a.max > b.max


def _canonical(op) -> str:
    return op.decl.same_as or op.name


def _loop_dtypes(name, types, result_dtype):
    """(operand loop dtypes, output dtype) of op `name` on operands of IR types `types`."""
    uf = getattr(np, name, None)
    if not isinstance(uf, np.ufunc):
        raise Decline(f"no ufunc for {name}")
    try:
        dts = uf.resolve_dtypes(tuple(_resolve_arg(t) for t in types) + (None,) * uf.nout)
    except Exception as e:  # noqa: BLE001  (no loop, or a cast NumPy would refuse)
        raise Decline(f"{name}: {e}") from None
    ins = [dtype_key(d) for d in dts[:uf.nin]]
    out = dtype_key(dts[uf.nin])
    if out != result_dtype:
        raise Decline(f"{name}: loop gives {out}, IR says {result_dtype}")
    return ins, out


def dtype_key(dt) -> str:
    for name, d in DTYPES.items():
        if d == dt:
            return name
    raise Decline(f"dtype {dt}")


# --- compiling ops ----------------------------------------------------------------------------

def _emit_op(cc: _Compiler, op, srcs, result_dtype: str) -> _Vec:
    """Instructions computing op (operand sources srcs) into a new register."""
    name = _canonical(op)
    types = [None if s is None else s.type if isinstance(s, _Scalar) else (
             ArrayType(s[2], ()) if isinstance(s, tuple) else ScalarType(s.dtype)) for s in srcs]
    dst = cc.new_reg(TEMP)
    rt = _rtype(result_dtype)

    def operands(dtypes):
        return [cc.vec(s, d) for s, d in zip(srcs, dtypes)]

    if name == "where":
        c, x, y = operands(["bool", result_dtype, result_dtype])
        cc.emit("WHERE", rt, dst, c, x, y)
        return _Vec(dst, result_dtype)
    if name == "clip":
        if result_dtype not in FLOATS:
            raise Decline("clip on integers (out-of-range bounds have special rules)")
        # NumPy: with two scalar(-like) bounds a tie (x == bound, e.g. -0.0 vs 0.0) keeps x;
        # otherwise clip is maximum then minimum, where a tie gives the bound
        bounds = srcs[1:]
        scalar = all(isinstance(b, _Scalar) for b in bounds)
        arrays = [b[1] for b in bounds if isinstance(b, tuple)]
        if arrays and all(isinstance(b, (_Scalar, tuple)) for b in bounds):
            cc.size1_declines.append(arrays)      # size-1 arrays behave as scalars there
        regs = [None if s is None else cc.vec(s, result_dtype) for s in srcs]
        cur = regs[0]
        lo_hi = ("CLIPLO", "CLIPHI") if scalar else ("MAX", "MIN")
        for opcode, bound in zip(lo_hi, regs[1:]):
            if bound is not None:
                cc.emit(opcode, rt, dst, cur, bound)
                cur = dst
        if cur is not dst:
            cc.emit("COPY", rt, dst, cur)
        return _Vec(dst, result_dtype)
    if name == "round":
        if op.attrs.get("decimals", 0) != 0:
            raise Decline("round with decimals")
        name = "rint"
    if name in ("logical_and", "logical_or", "logical_xor", "logical_not"):
        if result_dtype != "bool":
            raise Decline(f"{name} giving {result_dtype}")
        regs = operands(["bool"] * len(srcs))
        cc.emit(_LOGICAL.get(name, "NOT"), B8, dst, *regs)
        return _Vec(dst, "bool")

    ins, out = _loop_dtypes(name, types, result_dtype)
    if len(set(ins)) > 1:
        raise Decline(f"{name}: mixed loop {ins}")     # e.g. int64 < uint64
    lt = _rtype(ins[0])
    regs = operands(ins)
    if name in ("positive", "conj"):
        opcode = "COPY"
    elif name in ("absolute", "fabs"):
        opcode = "ABS" if lt in (F64, F32, I64) else "COPY"
    elif name in _ROUNDING:
        opcode = _ROUNDING[name] if lt in (F64, F32) else "COPY"
    elif name in ("deg2rad", "rad2deg"):
        # NumPy multiplies by the constant (pi/180 or 180/pi) of the loop's dtype
        factor = getattr(np, name)(DTYPES[ins[0]].type(1))
        k = cc.vec(_Scalar(("lit", factor), ScalarType(ins[0])), ins[0])
        cc.emit("MUL", lt, dst, regs[0], k)
        return _Vec(dst, out)
    elif name == "invert":
        opcode = "NOT" if lt == B8 else "BNOT"
    elif name == "power":
        opcode = _power_opcode(op, srcs, lt)
        if opcode != "POW":
            regs = regs[:1]
    elif name in ("fmax", "fmin") and lt not in (F64, F32):
        opcode = "MAX" if name == "fmax" else "MIN"
    elif name == "true_divide" and lt in (F64, F32) and _pow2_reciprocal(srcs[1], ins[1]):
        # x / 2^k is x * 2^-k exactly (same exact value, rounded once): a multiply is ~8x
        # cheaper than a vector divide
        k = cc.vec(_Scalar(("lit", _pow2_reciprocal(srcs[1], ins[1])), ScalarType(ins[1])),
                   ins[1])
        cc.emit("MUL", lt, dst, regs[0], k)
        return _Vec(dst, out)
    elif name in _UNARY_SAME:
        opcode = _UNARY_SAME[name]
    elif name in _BINARY_SAME:
        opcode = _BINARY_SAME[name]
    else:
        raise Decline(f"op {op.name}")
    if lt == B8:
        opcode = _BOOL_LOOP.get(opcode, opcode)
    if opcode in ("SIGN", "ABS") and lt == U64:
        raise Decline(f"{opcode} on u64")
    cc.emit(opcode, lt, dst, *regs)
    if out in NARROW and opcode not in ("EQ", "NE", "LT", "LE", "GT", "GE"):
        cc.emit("WRAP", I64, dst, dst, aux=STORAGE[out])
    return _Vec(dst, out)


def _pow2_reciprocal(src, dtype):
    """1/c as a NumPy scalar of dtype if src is a constant c = +-2^k whose reciprocal is a
    normal number of dtype; else None."""
    if not (isinstance(src, _Scalar) and src.key[0] == "lit"):
        return None
    try:
        with np.errstate(all="ignore"):
            c = np.asarray(src.key[1]).astype(DTYPES[dtype])[()]
    except (OverflowError, ValueError, TypeError):
        return None
    if not np.isfinite(c) or c == 0 or np.frexp(c)[0] not in (0.5, -0.5):
        return None
    with np.errstate(all="ignore"):
        r = c.dtype.type(1) / c
    return r if np.isfinite(r) and abs(r) >= np.finfo(c.dtype).tiny else None


def _power_opcode(op, srcs, lt) -> str:
    """ndarray ** scalar takes NumPy's fast paths (square, sqrt, ...) for float arrays;
    np.power (and integer bases) does not."""
    if lt not in (F64, F32):
        raise Decline("integer power")
    exp = srcs[1]
    if op.name == "power" and isinstance(exp, _Scalar) and exp.key[0] == "lit" \
            and not isinstance(srcs[0], _Scalar):
        fast = {2: "SQUARE", 0.5: "SQRT", 1: "COPY", -1: "RECIP"}
        value = exp.key[1]
        if not isinstance(value, (bool, np.bool_)) and value in fast:
            return fast[value]
    return "POW"


def _lit(op):
    """A body `const` as a scalar source (None for a `none` constant)."""
    t = op.results[0].type
    if isinstance(t, NoneType):
        return None
    if not isinstance(t, ScalarType):
        raise Decline(f"constant of type {t}")
    value = op.attrs["value"]
    if not t.weak and t.kind != "bool":       # a NumPy scalar of its dtype, as the op makes it
        try:
            value = DTYPES[t.kind].type(value)
        except (OverflowError, ValueError, TypeError):
            raise Decline(f"constant {value!r} of type {t}") from None
    return _Scalar(("lit", value), t)


def _compile(operand_types, ops, yields, result_types, body_args=None,
             reduce_dtype=None) -> Program:
    """`reduce_dtype`: compile a fused_reduce body, whose single yield (as that dtype) stays in
    a register (Program.ret) for the reduction instead of going to an output."""
    cc = _Compiler(operand_types)
    env, deps = {}, {}
    if body_args is not None:
        for i, a in enumerate(body_args):
            env[a] = cc.source_of_operand(i)
            deps[a] = frozenset({i} if cc.operands[i][0] == "array" else ())
    for op in ops:
        deps[op.results[0]] = frozenset().union(*[deps[v] for v in op.operands])
        if op.name == "const":
            env[op.results[0]] = _lit(op)
            continue
        if op.regions or len(op.results) != 1:
            raise Decline(f"op {op.name}")
        srcs = [env[v] for v in op.operands]
        rtype_ir = op.results[0].type
        if all(s is None or isinstance(s, _Scalar) for s in srcs):
            # only scalars: run the op's reference per call (exact Python-scalar semantics)
            cc.prelude.append((op, srcs))
            env[op.results[0]] = _Scalar(("pre", len(cc.prelude) - 1), rtype_ir)
            continue
        if _canonical(op) != "clip" and any(s is None for s in srcs):
            raise Decline(f"{op.name} with a none operand")
        env[op.results[0]] = _emit_op(cc, op, srcs, _dtype_name(rtype_ir))
    if reduce_dtype is not None:
        src = env[yields[0]]
        if src is None:
            raise Decline("none result")
        return _allocate(cc, [], ret=cc.vec(src, reduce_dtype))
    results = []
    for k, (v, t) in enumerate(zip(yields, result_types)):
        if not isinstance(t, ArrayType):
            raise Decline("scalar result")
        src = env[v]
        if src is None:
            raise Decline("none result")
        results.append((t.dtype, True))
        reg = cc.vec(src, t.dtype)
        out = cc.new_reg(OUT, _rtype(t.dtype), STORAGE[t.dtype], k)
        cc.emit("COPY", _rtype(t.dtype), out, reg)   # folded into the producer below
    program = _allocate(cc, results)
    program.result_deps = [deps[v] for v in yields]
    return program


def _allocate(cc: _Compiler, results, ret=None) -> Program:
    """Fold output copies into their producers, then map temporaries to few physical ones;
    `ret` (a reduced register) stays live to the end."""
    code = cc.code
    # an output COPY of a temp written once and not yielded elsewhere: write the output directly
    writes = {}
    for ins in code:
        writes[ins[2]] = writes.get(ins[2], 0) + 1
    for j, ins in enumerate(code):
        if ins[0] != "COPY" or cc.regs[ins[2]].kind != OUT:
            continue
        src = ins[3]
        if cc.regs[src].kind != TEMP or writes.get(src, 0) == 0:
            continue
        if any(o[0] == "COPY" and o[3] == src and cc.regs[o[2]].kind == OUT and o is not ins
               for o in code[:j]):
            continue
        out = ins[2]
        for other in code[:j]:
            for f in range(2, 6):
                if other[f] == src:
                    other[f] = out
        for other in code[j + 1:]:
            for f in range(3, 6):
                if other[f] == src:
                    other[f] = out
        ins[0] = None
    code = [ins for ins in code if ins[0] is not None]
    # linear-scan allocation of TEMP registers; an instruction may write the register of an
    # operand it reads for the last time (every loop is elementwise, so in place is safe)
    last = {}
    for j, ins in enumerate(code):
        for f in range(2, 6):
            if ins[f] >= 0:
                last[ins[f]] = j
    if ret is not None:
        last[ret] = len(code)
    phys, free, mapping = [], [], {}
    for k, r in enumerate(cc.regs):
        if r.kind != TEMP:
            mapping[k] = len(phys)
            phys.append(r)

    def release(v):
        if cc.regs[v].kind == TEMP and mapping[v] not in free:
            free.append(mapping[v])

    for j, ins in enumerate(code):
        reads = {ins[f] for f in (3, 4, 5) if ins[f] >= 0}
        if any(v not in mapping for v in reads):
            raise Decline("register read before it is written")
        # Writing wider elements than an operand's over that operand would clobber operand
        # elements before they are read (bool -> f64, f32 -> f64, where's bool condition).
        widening = ins[0] in _WIDENING
        if not widening:
            for v in reads:
                if last[v] == j and v != ins[2]:
                    release(v)
        d = ins[2]
        if d not in mapping:
            mapping[d] = free.pop() if free else len(phys)
            if mapping[d] == len(phys):
                phys.append(Reg(TEMP))
        if widening:
            for v in reads:
                if last[v] == j and v != d:
                    release(v)
        if last[d] == j:
            release(d)
    final = [(op, t, mapping[d], mapping[a] if a >= 0 else -1, mapping[b] if b >= 0 else -1,
              mapping[c] if c >= 0 else -1, aux) for op, t, d, a, b, c, aux in code]
    if len(phys) > 250:
        raise Decline("too many registers")
    return Program(cc.operands, phys, final, results, cc.prelude, max(cc.weight, 1.0),
                   cc.size1_declines, -1 if ret is None else mapping[ret])


# fused_reduce: (reduction, kind of mapped dtype) -> what ew_exec.h computes
REDUCE_SUM, REDUCE_SUMCHUNK, REDUCE_MIN, REDUCE_MAX, REDUCE_PROD, REDUCE_ANY, REDUCE_ALL = (
    ENGINE_CODES["reductions"][k] for k in ("SUM", "SUMCHUNK", "MIN", "MAX", "PROD", "ANY", "ALL"))


def _reduce_kind(name: str, dtype: str) -> int:
    floating, boolean = dtype in FLOATS, dtype == "bool"
    if name == "sum":
        return REDUCE_SUM
    if name == "mean":
        return REDUCE_SUM if floating else REDUCE_SUMCHUNK
    if name in ("min", "max"):
        if boolean:
            return REDUCE_ALL if name == "min" else REDUCE_ANY
        return REDUCE_MIN if name == "min" else REDUCE_MAX
    if name == "prod" and not floating:        # float products: NumPy's order is its own
        return REDUCE_PROD
    if name in ("any", "all"):
        return REDUCE_ANY if name == "any" else REDUCE_ALL
    raise Decline(f"fused_reduce of {name} on {dtype}")


def _compile_reduce(op) -> Program:
    """A fused_reduce over every axis (axis None, or all of them), default dtype, no ddof."""
    from phylanx.ops.fused import reduce_attrs

    attrs = reduce_attrs(op)
    body = op.regions[0]
    (mapped,) = [v.type for v in body.terminator.operands]
    dtype = _dtype_name(mapped)
    types = [v.type for v in op.operands]
    rank = max([t.rank for t in types if isinstance(t, ArrayType)], default=0)
    # mode 0: every axis; 1: trailing axes (rows of a C-order array); 2: leading axes
    mode, naxes = 0, rank
    axis = attrs.get("axis")
    if axis is not None:
        axes = sorted({a % rank if rank else a for a in
                       ((axis,) if isinstance(axis, int) else tuple(axis))})
        naxes = len(axes)
        if axes == list(range(rank)):
            mode = 0
        elif axes == list(range(rank - naxes, rank)):
            mode = 1
        elif axes == list(range(naxes)):
            mode = 2
        else:
            raise Decline(f"fused_reduce over axes {axis} of rank {rank}")
    if attrs.get("dtype") is not None:
        raise Decline("fused_reduce with a dtype")
    kind = _reduce_kind(op.attrs["reduce"], dtype)
    if mode and kind == REDUCE_SUMCHUNK:
        raise Decline("integer mean over some axes (NumPy's cast buffers split rows)")
    program = _compile(types, body.ops[:-1], body.terminator.operands, [], body.args,
                       reduce_dtype=dtype)
    if program.regs[program.ret].kind == IN:
        raise Decline("fused_reduce of an operand itself (its own memory order)")
    program.reduce = (kind, dtype, rank, mode, naxes)
    return program


def compile_body(body, operand_types, result_types) -> Program:
    """The program of a fused-style body (elementwise ops and constants ending in `yield`)
    whose arguments take operands of `operand_types`, its yields cast to `result_types`."""
    return _compile(list(operand_types), body.ops[:-1], body.terminator.operands,
                    list(result_types), body.args)


def compile_op(op) -> Program:
    """The program of a single elementwise op, or of a `fused` op's body."""
    if op.name == "fused_reduce":
        return _compile_reduce(op)
    if op.name == "fused":
        return compile_body(op.regions[0], [v.type for v in op.operands],
                            [r.type for r in op.results])
    if "elementwise" not in op.decl.traits or len(op.results) != 1:
        raise Decline(f"op {op.name}")
    cc_args = _Args(op)
    return _compile([v.type for v in op.operands], [cc_args.op], [cc_args.op.results[0]],
                    [op.results[0].type], cc_args.args)


class _Args:
    """A stand-in body for a single op: its operands are the body arguments."""

    def __init__(self, op):
        self.args = list(op.operands)
        self.op = op
