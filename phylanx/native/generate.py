"""Final PhySL of a kernel -> the C source of a CPython extension module running it natively.

The module has one function, `run(*args)`, taking the entry function's arguments. It returns
the kernel's result, or `NotImplemented` when this call must run on the interpreter instead:
the arguments are not what the code was specialised for, or the code met a case whose
Python/NumPy behaviour it does not reproduce itself (an exception, a warning, a Python int
beyond 64 bits; see runtime.h). What the generator cannot translate raises `Unsupported` with
the reason and source position; the kernel then stays on the interpreter.
"""

from __future__ import annotations

import numpy as np

from phylanx.analysis import written_arguments
from phylanx.ir.core import Block, Location, Module, Op, Value
from phylanx.ir.types import ArrayType, ScalarType, TupleType, Type

# C type and NumPy type number of each supported scalar dtype
_C = {"bool": "npy_bool", "i8": "int8_t", "i16": "int16_t", "i32": "int32_t", "i64": "int64_t",
      "u8": "uint8_t", "u16": "uint16_t", "u32": "uint32_t", "u64": "uint64_t",
      "f32": "float", "f64": "double"}
_NUM = {"bool": "NPY_BOOL", "i8": "NPY_INT8", "i16": "NPY_INT16", "i32": "NPY_INT32",
        "i64": "NPY_INT64", "u8": "NPY_UINT8", "u16": "NPY_UINT16", "u32": "NPY_UINT32",
        "u64": "NPY_UINT64", "f32": "NPY_FLOAT32", "f64": "NPY_FLOAT64"}
_ARITH = {"add": "+", "subtract": "-", "multiply": "*"}
_OVERFLOW = {"add": "add", "subtract": "sub", "multiply": "mul"}
_COMPARE = {"equal": "==", "not_equal": "!=", "less": "<", "less_equal": "<=",
            "greater": ">", "greater_equal": ">="}
# quiet (non-signalling) float comparisons: NaN operands set no flag, as in NumPy and Python
_QUIET_COMPARE = {"less": "isless", "less_equal": "islessequal", "greater": "isgreater",
                  "greater_equal": "isgreaterequal"}
_BITWISE = {"bitwise_and": "&", "bitwise_or": "|", "bitwise_xor": "^"}
_SIGNED_RANGE = {"i8": (-2**7, 2**7 - 1), "i16": (-2**15, 2**15 - 1),
                 "i32": (-2**31, 2**31 - 1), "i64": (-2**63, 2**63 - 1)}
_UNSIGNED_MAX = {"u8": 2**8 - 1, "u16": 2**16 - 1, "u32": 2**32 - 1, "u64": 2**64 - 1}
_EXACT_INT_IN_DOUBLE = 2**53


class Unsupported(Exception):
    """The kernel (or this specialisation) has something the native tier does not translate."""

    def __init__(self, reason: str, loc: Location | None = None):
        self.reason = reason
        self.loc = loc
        super().__init__(f"{loc}: {reason}" if loc is not None and loc.line else reason)


def _dtype(t: Type) -> str:
    """The dtype a scalar type computes in (`int` -> i64, `float` -> f64)."""
    return t.dtype


def _is_python(t: Type) -> bool:
    """A Python int or float (unbounded int, Python operator semantics)."""
    return isinstance(t, ScalarType) and t.kind in ("int", "float")


def _is_int(dt: str) -> bool:
    return dt[0] in "iu"


def _is_float(dt: str) -> bool:
    return dt[0] == "f"


def _int_literal(value: int, dt: str) -> str:
    if dt[0] == "u":
        return f"UINT64_C({value})"
    if value == -2**63:
        return "INT64_MIN"
    return f"INT64_C({value})"


def _float_literal(value: float, dt: str) -> str:
    if np.isnan(value):
        text = "NAN"
    elif np.isinf(value):
        text = "INFINITY" if value > 0 else "(-INFINITY)"
    else:
        text = float(value).hex()
    return f"(({_C[dt]}){text})"


class _Generator:
    def __init__(self, module: Module):
        self.module = module
        self.f = module.entry
        self.names: dict[int, str] = {}
        self.decls: list[str] = []
        self.lines: list[str] = []
        self.depth = 1
        self.loop_depth = 0
        self.tuples: dict[int, list[Value]] = {}
        self.written = set(written_arguments(module))

    # --- names and declarations ------------------------------------------------------------

    def name(self, v: Value) -> str:
        key = id(v)
        if key not in self.names:
            raise Unsupported(f"value %{v.hint or '?'} of type {v.type} is not available")
        return self.names[key]

    def define(self, v: Value, op: Op | None = None) -> str:
        t = v.type
        loc = op.loc if op is not None else None
        n = f"v{len(self.names)}"
        if isinstance(t, ScalarType):
            if _dtype(t) not in _C:
                raise Unsupported(f"scalars of type {t}", loc)
            self.decls.append(f"{_C[_dtype(t)]} {n} = 0;")
        elif isinstance(t, ArrayType):
            if t.rank not in (1, 2) or t.dtype not in _C:
                raise Unsupported(f"arrays of type {t} (1-D and 2-D arrays of integer, float "
                                  "and bool dtypes are translated)", loc)
            self.decls.append(f"pa_arr {n} = {{0}};")
        else:
            raise Unsupported(f"values of type {t}", loc)
        self.names[id(v)] = n
        return n

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.depth + line)

    # --- conversions -----------------------------------------------------------------------

    def coerce(self, v: Value, dt: str, op: Op) -> str:
        """C expression of scalar `v` as dtype `dt` (an operand promoted to the type an op
        computes in). A Python int that does not fit a NumPy integer dtype bails (NumPy
        raises OverflowError)."""
        t = v.type
        if not isinstance(t, ScalarType) or _dtype(t) not in _C:
            raise Unsupported(f"operand of type {t}", op.loc)
        if dt not in _C:
            raise Unsupported(f"conversion of {t} to {dt}", op.loc)
        src = _dtype(t)
        expr = self.name(v)
        if src == dt:
            return expr
        if _is_float(src) and not _is_float(dt):
            raise Unsupported(f"float to integer conversion ({t} to {dt})", op.loc)
        if t.kind == "int" and _is_int(dt) and dt != "i64":
            self.range_check(expr, dt)
        elif _is_int(src) and _is_int(dt) and not _widens(src, dt):
            raise Unsupported(f"narrowing integer conversion ({t} to {dt})", op.loc)
        if dt == "bool":
            return f"(({expr}) != 0)"
        return f"(({_C[dt]})({expr}))"

    def range_check(self, expr: str, dt: str) -> None:
        if dt in _SIGNED_RANGE:
            lo, hi = _SIGNED_RANGE[dt]
            self.emit(f"if ({expr} < {lo} || {expr} > {hi}) goto bail;")
        else:
            hi = _UNSIGNED_MAX[dt]
            cond = f"{expr} < 0" + ("" if dt == "u64" else f" || {expr} > {hi}")
            self.emit(f"if ({cond}) goto bail;")

    def check_weak_ints(self, op: Op) -> None:
        """NEP 50: a Python int combined with a NumPy integer scalar takes that dtype; one
        that does not fit raises OverflowError (bail), whatever the result dtype."""
        if len(op.operands) != 2:
            return
        for weak, strong in (op.operands, op.operands[::-1]):
            wt, st = weak.type, strong.type
            if isinstance(wt, ScalarType) and isinstance(st, ScalarType) and wt.kind == "int" \
                    and st.kind in _C and _is_int(st.kind) and st.kind != "i64":
                self.range_check(self.name(weak), st.kind)

    def as_int64(self, v: Value, op: Op) -> str:
        """C expression of integer scalar `v` as int64_t (u64 beyond int64 bails)."""
        t = v.type
        if not isinstance(t, ScalarType) or not (_is_int(_dtype(t)) or _dtype(t) == "bool"):
            raise Unsupported(f"index or size of type {t}", op.loc)
        expr = self.name(v)
        if _dtype(t) == "u64":
            self.emit(f"if ({expr} > (uint64_t)INT64_MAX) goto bail;")
        return f"((int64_t)({expr}))"

    # --- blocks ----------------------------------------------------------------------------

    def block(self, block: Block, targets: list[str] | None = None) -> None:
        for op in block.ops:
            if op.name == "yield":
                if targets is None:
                    raise Unsupported("unexpected yield", op.loc)
                for target, v in zip(targets, op.operands):
                    self.emit(f"{target} = {self.name(v)};")
            else:
                self.op(op)

    def op(self, op: Op) -> None:
        name = op.name
        base = name.removeprefix("np.")
        handler = getattr(self, "op_" + base.replace(".", "_"), None)
        if handler is None and base in _ARITH:
            handler = self.op_arith
        elif handler is None and base in _COMPARE:
            handler = self.op_compare
        elif handler is None and base in _BITWISE:
            handler = self.op_bitwise
        if handler is None:
            raise Unsupported(f"op '{name}' is not translated", op.loc)
        handler(op, base)

    # --- values ----------------------------------------------------------------------------

    def op_const(self, op: Op, base: str) -> None:
        t = op.result.type
        if not isinstance(t, ScalarType):
            raise Unsupported(f"constant of type {t}", op.loc)
        n = self.define(op.result, op)
        dt, value = _dtype(t), op.attrs["value"]
        if dt == "bool":
            lit = "1" if value else "0"
        elif _is_int(dt):
            if not -2**63 <= int(value) < 2**64 or (dt != "u64" and int(value) >= 2**63):
                raise Unsupported(f"integer constant {value} beyond 64 bits", op.loc)
            lit = _int_literal(int(value), dt)
        else:
            lit = _float_literal(float(value), dt)
        self.emit(f"{n} = {lit};")

    def op_undef(self, op: Op, base: str) -> None:
        if not isinstance(op.result.type, ScalarType):
            raise Unsupported(f"undefined value of type {op.result.type}", op.loc)
        self.define(op.result, op)   # declared as 0: what the interpreter's undef gives

    def op_tuple(self, op: Op, base: str) -> None:
        # kept symbolic: only shapes of new arrays and the returned value use tuples
        self.tuples[id(op.result)] = list(op.operands)

    def op_convert(self, op: Op, base: str) -> None:
        (x,) = op.operands
        src, dst = x.type, op.result.type
        if isinstance(src, ArrayType) and isinstance(dst, ArrayType) \
                and src.dtype == dst.dtype and src.rank == dst.rank:
            n = self.define(op.result, op)
            self.emit(f"{n} = {self.name(x)};")
            return
        if not (isinstance(src, ScalarType) and isinstance(dst, ScalarType)):
            raise Unsupported(f"conversion of {src} to {dst}", op.loc)
        expr = self.coerce(x, _dtype(dst), op)
        n = self.define(op.result, op)
        self.emit(f"{n} = {expr};")

    def op_to_scalar(self, op: Op, base: str) -> None:
        (x,) = op.operands
        kind = op.attrs["kind"]
        if not isinstance(x.type, ScalarType) or _dtype(x.type) not in _C:
            raise Unsupported(f"{kind}() of {x.type}", op.loc)
        src, expr = _dtype(x.type), self.name(x)
        n = self.define(op.result, op)
        if kind == "bool":
            self.emit(f"{n} = ({expr}) != 0;")
        elif kind == "float":
            self.emit(f"{n} = (double)({expr});")
        elif kind == "int":
            if _is_float(src):
                # int() of NaN, inf or beyond 64 bits: the interpreter raises or makes a big int
                self.emit(f"if (!((double)({expr}) >= -0x1p63 && (double)({expr}) < 0x1p63)) "
                          "goto bail;")
                self.emit(f"{n} = (int64_t)({expr});")
            else:
                self.emit(f"{n} = {self.as_int64(x, op)};")
        else:
            raise Unsupported(f"{kind}() conversion", op.loc)

    def op_select(self, op: Op, base: str) -> None:
        c, a, b = op.operands
        if not isinstance(op.result.type, ScalarType):
            raise Unsupported(f"select of {op.result.type}", op.loc)
        n = self.define(op.result, op)
        self.emit(f"{n} = {self.name(c)} ? {self.name(a)} : {self.name(b)};")

    def op_not(self, op: Op, base: str) -> None:
        (x,) = op.operands
        n = self.define(op.result, op)
        self.emit(f"{n} = !{self.name(x)};")

    # --- arithmetic ------------------------------------------------------------------------

    def _result_dtype(self, op: Op) -> str:
        t = op.result.type
        if not isinstance(t, ScalarType):
            raise Unsupported(f"'{op.name}' on arrays (only scalar arithmetic is translated)",
                              op.loc)
        dt = _dtype(t)
        if dt not in _C or dt == "bool":
            raise Unsupported(f"'{op.name}' giving {t}", op.loc)
        return dt

    def op_arith(self, op: Op, base: str) -> None:
        dt = self._result_dtype(op)
        self.check_weak_ints(op)
        a, b = (self.coerce(v, dt, op) for v in op.operands)
        n = self.define(op.result, op)
        if _is_int(dt):
            # Python ints beyond 64 bits and NumPy scalar overflow (which warns) bail
            self.emit(f"if (__builtin_{_OVERFLOW[base]}_overflow({a}, {b}, &{n})) goto bail;")
        else:
            self.emit(f"{n} = {a} {_ARITH[base]} {b};")

    def op_true_divide(self, op: Op, base: str) -> None:
        dt = self._result_dtype(op)
        self.check_weak_ints(op)
        x, y = op.operands
        python = _is_python(op.result.type) and all(
            isinstance(v.type, ScalarType) and v.type.kind in ("int", "float", "bool")
            for v in op.operands)
        if python:
            # Python divides ints exactly; as doubles only when both are exact in a double
            for v in (x, y):
                if v.type.kind == "int":
                    self.emit(f"if ({self.name(v)} > {_EXACT_INT_IN_DOUBLE} || "
                              f"{self.name(v)} < -{_EXACT_INT_IN_DOUBLE}) goto bail;")
        a, b = self.coerce(x, dt, op), self.coerce(y, dt, op)
        if python:
            self.emit(f"if ({b} == 0) goto bail;")   # ZeroDivisionError
        n = self.define(op.result, op)
        self.emit(f"{n} = {a} / {b};")

    def op_floor_divide(self, op: Op, base: str) -> None:
        self._divmod(op, floor=True)

    def op_remainder(self, op: Op, base: str) -> None:
        self._divmod(op, floor=False)

    def _divmod(self, op: Op, floor: bool) -> None:
        dt = self._result_dtype(op)
        self.check_weak_ints(op)
        a, b = (self.coerce(v, dt, op) for v in op.operands)
        n = self.define(op.result, op)
        c = _C[dt]
        # division by zero: Python raises, NumPy warns; either way the interpreter reports it
        self.emit(f"if ({b} == 0) goto bail;")
        if _is_float(dt):
            suffix = "f" if dt == "f32" else ""
            fn = "pa_floordiv_" if floor else "pa_mod_"
            self.emit(f"{n} = {fn}{suffix}({a}, {b});")
            return
        self.emit("{")
        self.emit(f"    {c} pa_a = {a}, pa_b = {b};")
        if dt[0] == "i":
            # the most negative value // -1 overflows (and C's % is undefined there)
            self.emit(f"    if (pa_b == -1 && pa_a == ({c})(({c})1 << {8 * _bits(dt) - 1})) "
                      "goto bail;")
            if floor:
                self.emit(f"    {n} = ({c})(pa_a / pa_b);")
                self.emit(f"    if ((pa_a % pa_b != 0) && ((pa_a < 0) != (pa_b < 0))) {n} -= 1;")
            else:
                self.emit(f"    {n} = ({c})(pa_a % pa_b);")
                self.emit(f"    if ({n} != 0 && (({n} < 0) != (pa_b < 0))) {n} += pa_b;")
        else:
            self.emit(f"    {n} = ({c})({'pa_a / pa_b' if floor else 'pa_a % pa_b'});")
        self.emit("}")

    def op_negative(self, op: Op, base: str) -> None:
        dt = self._result_dtype(op)
        a = self.coerce(op.operands[0], dt, op)
        n = self.define(op.result, op)
        if dt[0] == "u":
            raise Unsupported("negation of unsigned integers", op.loc)
        if _is_int(dt):
            self.emit(f"if (__builtin_sub_overflow(({_C[dt]})0, {a}, &{n})) goto bail;")
        else:
            self.emit(f"{n} = -{a};")

    def op_positive(self, op: Op, base: str) -> None:
        dt = self._result_dtype(op)
        a = self.coerce(op.operands[0], dt, op)
        n = self.define(op.result, op)
        self.emit(f"{n} = {a};")

    def op_absolute(self, op: Op, base: str) -> None:
        dt = self._result_dtype(op)
        a = self.coerce(op.operands[0], dt, op)
        n = self.define(op.result, op)
        if dt[0] == "i":
            self.emit(f"if ({a} < 0) {{ if (__builtin_sub_overflow(({_C[dt]})0, {a}, &{n})) "
                      f"goto bail; }} else {n} = {a};")
        elif dt[0] == "u":
            self.emit(f"{n} = {a};")
        else:
            self.emit(f"{n} = {'fabsf' if dt == 'f32' else 'fabs'}({a});")

    def op_builtin_abs(self, op: Op, base: str) -> None:
        self.op_absolute(op, base)

    def op_compare(self, op: Op, base: str) -> None:
        x, y = op.operands
        dt = self._compare_dtype(op)
        n = self.define(op.result, op)
        if dt == "exact":
            # Python compares an int with a float exactly; doubles hold ints up to 2**53
            for v in (x, y):
                if v.type.kind == "int":
                    self.emit(f"if ({self.name(v)} > {_EXACT_INT_IN_DOUBLE} || "
                              f"{self.name(v)} < -{_EXACT_INT_IN_DOUBLE}) goto bail;")
            dt = "f64"
        a, b = self.coerce(x, dt, op), self.coerce(y, dt, op)
        if _is_float(dt) and base in _QUIET_COMPARE:
            self.emit(f"{n} = {_QUIET_COMPARE[base]}({a}, {b});")
        else:
            self.emit(f"{n} = {a} {_COMPARE[base]} {b};")

    def _compare_dtype(self, op: Op) -> str:
        """The dtype two scalars are compared in."""
        x, y = (v.type for v in op.operands)
        for t in (x, y):
            if not isinstance(t, ScalarType) or _dtype(t) not in _C:
                raise Unsupported(f"comparison of {t}", op.loc)
        kinds = {x.kind, y.kind}
        if kinds <= {"int", "float", "bool"}:      # Python semantics
            if kinds == {"int", "float"}:
                return "exact"
            return "f64" if "float" in kinds else "i64"
        for weak, strong in ((x, y), (y, x)):
            if weak.kind in ("int", "float") and strong.kind not in ("int", "float"):
                # NEP 50: the Python scalar takes the NumPy operand's dtype (a float with an
                # integer dtype gives float64)
                sd = _dtype(strong)
                if weak.kind == "float" and not _is_float(sd):
                    return "f64"
                if weak.kind == "int" and sd == "bool":
                    return "i64"
                return sd
        dt = np.result_type(np.dtype(_np(x)), np.dtype(_np(y)))
        name = {np.dtype(v): k for k, v in _NP.items()}.get(dt)
        if name is None or (_is_float(name) and not (_is_float(_dtype(x))
                                                       or _is_float(_dtype(y)))):
            raise Unsupported(f"comparison of {x} with {y}", op.loc)
        return name

    def op_bitwise(self, op: Op, base: str) -> None:
        t = op.result.type
        if not isinstance(t, ScalarType) or _is_float(_dtype(t)) or _dtype(t) not in _C:
            raise Unsupported(f"'{op.name}' giving {t}", op.loc)
        dt = _dtype(t)
        self.check_weak_ints(op)
        a, b = (self.coerce(v, dt, op) for v in op.operands)
        n = self.define(op.result, op)
        self.emit(f"{n} = ({_C[dt]})({a} {_BITWISE[base]} {b});")

    # --- arrays ----------------------------------------------------------------------------

    def _array(self, v: Value, op: Op) -> ArrayType:
        t = v.type
        if not isinstance(t, ArrayType) or t.rank not in (1, 2) or t.dtype not in _C:
            raise Unsupported(f"'{op.name}' of {t}", op.loc)
        return t

    def op_dim(self, op: Op, base: str) -> None:
        t = self._array(op.operands[0], op)
        axis = op.attrs["axis"]
        axis = axis + t.rank if axis < 0 else axis
        n = self.define(op.result, op)
        self.emit(f"{n} = (int64_t){self.name(op.operands[0])}.{'n0' if axis == 0 else 'n1'};")

    def op_len(self, op: Op, base: str) -> None:
        self._array(op.operands[0], op)
        n = self.define(op.result, op)
        self.emit(f"{n} = (int64_t){self.name(op.operands[0])}.n0;")

    def op_size(self, op: Op, base: str) -> None:
        if op.attrs.get("axis") is not None:
            raise Unsupported("size with an axis", op.loc)
        self._array(op.operands[0], op)
        a = self.name(op.operands[0])
        n = self.define(op.result, op)
        self.emit(f"{n} = (int64_t)({a}.n0 * {a}.n1);")

    def _element(self, op: Op, array: Value, indices: list[Value]) -> str:
        t = self._array(array, op)
        index = op.attrs["index"]
        if any(c != "i" for c in index) or len(index) != t.rank:
            raise Unsupported("indexing other than one integer per dimension", op.loc)
        a = self.name(array)
        parts = []
        for axis, v in enumerate(indices):
            i = self.as_int64(v, op)
            p = f"pa_i{axis}"
            self.emit(f"if (pa_wrap({i}, {a}.n{axis}, &{p})) goto bail;  /* IndexError */")
            parts.append(f"{p} * {a}.s{axis}")
        return f"(*({_C[t.dtype]} *)({a}.data + {' + '.join(parts)}))"

    def op_getitem(self, op: Op, base: str) -> None:
        array, *indices = op.operands
        self.emit("{")
        self.depth += 1
        ref = self._element(op, array, indices)
        n = self.define(op.result, op)
        self.emit(f"{n} = {ref};")
        self.depth -= 1
        self.emit("}")

    def op_setitem(self, op: Op, base: str) -> None:
        array, *indices, value = op.operands
        t = self._array(array, op)
        vt = value.type
        if not isinstance(vt, ScalarType) or _dtype(vt) not in _C:
            raise Unsupported(f"assigning {vt} to array elements", op.loc)
        src, dst = _dtype(vt), t.dtype
        allowed = (src == dst or _is_float(dst)
                   or (_is_int(dst) and (vt.kind == "int" or (src != "bool" and _is_int(src)
                                                              and _widens(src, dst))
                                         or src == "bool")))
        if not allowed:
            raise Unsupported(f"assigning {vt} to elements of {t}", op.loc)
        a = self.name(array)
        self.emit("{")
        self.depth += 1
        ref = self._element(op, array, indices[:])
        if _is_float(t.dtype):
            expr = f"(({_C[t.dtype]}){self.name(value)})"
        else:
            expr = self.coerce(value, t.dtype, op)
        if self.written:
            itemsize = np.dtype(_NP[t.dtype]).itemsize
            self.emit(f"if ({a}.arg >= 0 && pa_backup(&pa_ctx_, &{a}, {itemsize})) goto error;")
        self.emit(f"{ref} = {expr};")
        self.depth -= 1
        self.emit("}")
        n = self.define(op.result, op)
        self.emit(f"{n} = {a};")

    def _creation(self, op: Op, zeros: bool) -> None:
        if self.loop_depth:
            raise Unsupported("array creation inside a loop", op.loc)
        t = self._array(op.result, op)
        (shape,) = op.operands
        dims = self.tuples.get(id(shape), [shape])
        if len(dims) != t.rank:
            raise Unsupported(f"shape of rank {len(dims)}", op.loc)
        exprs = []
        for d in dims:
            e = self.as_int64(d, op)
            self.emit(f"if ({e} < 0) goto bail;  /* negative dimensions */")
            exprs.append(e)
        if len(exprs) == 1:
            exprs.append("1")
        n = self.define(op.result, op)
        self.emit(f"if (pa_new_array(&pa_ctx_, &{n}, {t.rank}, {exprs[0]}, {exprs[1]}, "
                  f"{_NUM[t.dtype]}, {int(zeros)})) goto error;")

    def op_zeros(self, op: Op, base: str) -> None:
        self._creation(op, zeros=True)

    def op_empty(self, op: Op, base: str) -> None:
        self._creation(op, zeros=False)

    # --- control flow ----------------------------------------------------------------------

    def op_if(self, op: Op, base: str) -> None:
        results = [self.define(r, op) for r in op.results]
        then, other = op.regions
        self.emit(f"if ({self.name(op.operands[0])}) {{")
        self.depth += 1
        self.block(then, results)
        self.depth -= 1
        self.emit("} else {")
        self.depth += 1
        self.block(other, results)
        self.depth -= 1
        self.emit("}")

    def periodic_check(self) -> None:
        self.emit("if (__builtin_expect(--pa_budget == 0, 0)) {")
        self.emit("    int pa_check = pa_periodic();  /* flags and Ctrl-C */")
        self.emit("    pa_budget = PA_CHECK_EVERY;")
        self.emit("    if (pa_check > 0) goto bail;")
        self.emit("    if (pa_check < 0) goto error;")
        self.emit("}")

    def op_for_range(self, op: Op, base: str) -> None:
        lo, hi, step = (self.as_int64(v, op) for v in op.operands[:3])
        carried = [self.define(r, op) for r in op.results]
        for r, v in zip(carried, op.operands[3:]):
            self.emit(f"{r} = {self.name(v)};")
        (body,) = op.regions
        index, *args = body.args
        i = self.define(index, op)
        args = [self.define(a, op) for a in args]
        self.emit("{")
        self.depth += 1
        self.emit(f"int64_t pa_lo = {lo}, pa_hi = {hi}, pa_step = {step};")
        self.emit("uint64_t pa_n, pa_k, pa_iu;")
        self.emit("if (pa_step == 0) goto bail;  /* ValueError */")
        # Python's len(range(...)), in unsigned arithmetic so that no bound overflows
        self.emit("if (pa_step > 0) pa_n = pa_lo < pa_hi ? ((uint64_t)pa_hi - (uint64_t)pa_lo "
                  "- 1) / (uint64_t)pa_step + 1 : 0;")
        self.emit("else pa_n = pa_lo > pa_hi ? ((uint64_t)pa_lo - (uint64_t)pa_hi - 1) / "
                  "(0 - (uint64_t)pa_step) + 1 : 0;")
        self.emit("pa_iu = (uint64_t)pa_lo;")
        self.emit("for (pa_k = 0; pa_k < pa_n; pa_k++, pa_iu += (uint64_t)pa_step) {")
        self.depth += 1
        self.loop_depth += 1
        self.periodic_check()
        self.emit(f"{i} = (int64_t)pa_iu;")
        for a, r in zip(args, carried):
            self.emit(f"{a} = {r};")
        self.block(body, carried)
        self.loop_depth -= 1
        self.depth -= 1
        self.emit("}")
        self.depth -= 1
        self.emit("}")

    def op_while(self, op: Op, base: str) -> None:
        carried = [self.define(r, op) for r in op.results]
        for r, v in zip(carried, op.operands):
            self.emit(f"{r} = {self.name(v)};")
        cond, body = op.regions
        cond_args = [self.define(a, op) for a in cond.args]
        body_args = [self.define(a, op) for a in body.args]
        keep = f"{carried[0]}_keep" if carried else f"v{len(self.names)}_keep"
        self.decls.append(f"npy_bool {keep} = 0;")
        self.emit("for (;;) {")
        self.depth += 1
        self.loop_depth += 1
        self.periodic_check()
        for a, r in zip(cond_args, carried):
            self.emit(f"{a} = {r};")
        self.block(cond, [keep])
        self.emit(f"if (!{keep}) break;")
        for a, r in zip(body_args, carried):
            self.emit(f"{a} = {r};")
        self.block(body, carried)
        self.loop_depth -= 1
        self.depth -= 1
        self.emit("}")

    def op_return(self, op: Op, base: str) -> None:
        (v,) = op.operands
        self.emit("if (PA_FP_FLAGS()) goto bail;  /* a flag NumPy may report */")
        self.emit(f"pa_result = {self.box(v, op)};")
        self.emit("if (pa_result == NULL) goto error;")
        self.emit("goto done;")

    def box(self, v: Value, op: Op) -> str:
        """C expression of a new reference to `v` as a Python object."""
        t = v.type
        if isinstance(t, TupleType):
            items = self.tuples.get(id(v))
            if items is None:
                raise Unsupported("returning a tuple not built in the kernel", op.loc)
            boxed = [self.box(x, op) for x in items]
            return f"pa_tuple({len(boxed)}, " + ", ".join(boxed) + ")"
        if isinstance(t, ArrayType):
            return f"pa_incref((PyObject *){self.name(v)}.obj)"
        if isinstance(t, ScalarType):
            n = self.name(v)
            if t.kind == "int":
                return f"PyLong_FromLongLong({n})"
            if t.kind == "float":
                return f"PyFloat_FromDouble({n})"
            if t.kind == "bool":
                # the IR type does not say whether this is a Python or a NumPy bool
                raise Unsupported("returning a bool scalar", op.loc)
            return f"pa_npscalar(&{n}, {_NUM[_dtype(t)]})"
        raise Unsupported(f"returning {t}", op.loc)

    # --- arguments -------------------------------------------------------------------------

    def arguments(self) -> None:
        if len(self.f.args) > 64:
            raise Unsupported("more than 64 arguments", self.f.loc)
        self.emit(f"if (pa_nargs != {len(self.f.args)}) goto fallback;")
        for pos, v in enumerate(self.f.args):
            t = v.type
            n = self.define(v, None)
            src = f"pa_args[{pos}]"
            if isinstance(t, ArrayType):
                written = int(pos in self.written)
                self.emit(f"if (pa_arg_array({src}, &{n}, {t.rank}, {_NUM[t.dtype]}, "
                          f"{written}, {pos})) goto fallback;")
                for axis, extent in enumerate(t.shape):
                    if extent is not None:
                        self.emit(f"if ({n}.n{axis} != {extent}) goto fallback;")
            elif t.kind == "int":
                self.emit(f"if (!PyLong_CheckExact({src})) goto fallback;")
                self.emit("{ int pa_over = 0;")
                self.emit(f"  {n} = PyLong_AsLongLongAndOverflow({src}, &pa_over);")
                self.emit("  if (pa_over) goto fallback; }")  # beyond 64 bits
            elif t.kind == "float":
                self.emit(f"if (!PyFloat_CheckExact({src})) goto fallback;")
                self.emit(f"{n} = PyFloat_AS_DOUBLE({src});")
            elif t.kind == "bool":
                self.emit(f"if (PyBool_Check({src})) {n} = {src} == Py_True;")
                self.emit(f"else if (pa_arg_npscalar({src}, &{n}, NPY_BOOL)) goto fallback;")
            else:
                self.emit(f"if (pa_arg_npscalar({src}, &{n}, {_NUM[_dtype(t)]})) goto fallback;")

    def generate(self, module_name: str, key: str) -> str:
        if len(self.module.functions) != 1:
            raise Unsupported("calls between functions", self.f.loc)
        self.arguments()
        self.block(self.f.body)
        body = "\n".join(self.lines)
        decls = "\n".join("    " + d for d in self.decls)
        return _TEMPLATE.format(name=module_name, key=key, decls=decls, body=body,
                                function=self.f.name)


def _bits(dt: str) -> int:
    return np.dtype(_NP[dt]).itemsize


def _widens(src: str, dst: str) -> bool:
    """Whether every value of integer dtype `src` is one of `dst` (bool counts as u1)."""
    if src == "bool":
        return True
    s, d = np.dtype(_NP[src]), np.dtype(_NP[dst])
    return np.can_cast(s, d, "safe")


_NP = {"bool": np.bool_, "i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64,
       "u8": np.uint8, "u16": np.uint16, "u32": np.uint32, "u64": np.uint64,
       "f32": np.float32, "f64": np.float64}


def _np(t: ScalarType):
    return _NP[_dtype(t)]


_TEMPLATE = """\
/* Generated by phylanx.native from the final PhySL of kernel '{function}'. */
#include "runtime.h"

static PyObject *pa_incref(PyObject *o) {{ Py_INCREF(o); return o; }}

static PyObject *pa_tuple(int n, ...) {{
    va_list ap;
    PyObject *t = PyTuple_New(n), *item;
    int i, failed = t == NULL;
    va_start(ap, n);
    for (i = 0; i < n; i++) {{
        item = va_arg(ap, PyObject *);
        if (item == NULL || failed) {{ failed = 1; Py_XDECREF(item); continue; }}
        PyTuple_SET_ITEM(t, i, item);
    }}
    va_end(ap);
    if (failed) {{ Py_XDECREF(t); return NULL; }}
    return t;
}}

static PyObject *pa_run(PyObject *self, PyObject *const *pa_args, Py_ssize_t pa_nargs) {{
    pa_ctx pa_ctx_;
    fexcept_t pa_saved_flags;
    PyObject *pa_result = NULL;
    long pa_budget = PA_CHECK_EVERY;
    npy_intp pa_i0 = 0, pa_i1 = 0;
{decls}
    (void)self; (void)pa_i0; (void)pa_i1; (void)pa_budget;
    memset(&pa_ctx_, 0, sizeof pa_ctx_);
    fegetexceptflag(&pa_saved_flags, FE_ALL_EXCEPT);
    feclearexcept(FE_ALL_EXCEPT);
{body}
    goto bail;  /* no return reached */
done:
    pa_release(&pa_ctx_, 0);
    fesetexceptflag(&pa_saved_flags, FE_ALL_EXCEPT);
    return pa_result;
fallback:
bail:
    pa_release(&pa_ctx_, 1);
    fesetexceptflag(&pa_saved_flags, FE_ALL_EXCEPT);
    Py_RETURN_NOTIMPLEMENTED;
error:
    pa_release(&pa_ctx_, 0);
    fesetexceptflag(&pa_saved_flags, FE_ALL_EXCEPT);
    return NULL;
}}

static PyMethodDef pa_methods[] = {{
    {{"run", (PyCFunction)(void (*)(void))pa_run, METH_FASTCALL,
     "Run the kernel; NotImplemented: run this call on the interpreter."}},
    {{NULL, NULL, 0, NULL}}
}};

static struct PyModuleDef pa_module = {{
    PyModuleDef_HEAD_INIT, "{name}", NULL, -1, pa_methods
}};

PyMODINIT_FUNC PyInit_{name}(void) {{
    PyObject *m;
    import_array();
    m = PyModule_Create(&pa_module);
    if (m != NULL && PyModule_AddStringConstant(m, "KEY", "{key}") < 0) {{
        Py_DECREF(m);
        return NULL;
    }}
    return m;
}}
"""


def generate_c(module: Module, module_name: str, key: str = "") -> str:
    """The C source of extension module `module_name` running `module`'s entry function;
    raises Unsupported naming what it cannot translate."""
    return _Generator(module).generate(module_name, key)
