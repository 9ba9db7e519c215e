"""Rewrite patterns of `canonicalize` (the algebra and its exactness rules are stated in
canonicalize.py). Each function looks at one op and returns a replacement or None."""

from __future__ import annotations

import math

from phylanx.analysis import NOT_CONST, const_value, is_reference
from phylanx.ir.core import Op, Value
from phylanx.ir.registry import TypeRuleError
from phylanx.ir.types import INT, PY_KINDS, ArrayType, ScalarType, refines

from .ir_utils import infer_op, make_const


def _kind(t) -> str:
    """'i' integer, 'f' float, 'c' complex, 'b' bool, 'w' Python float, '' other."""
    if isinstance(t, ScalarType):
        if t.kind == "float":
            return "w"
        return {"int": "i", "complex": "c", "bool": "b"}.get(t.kind, t.kind[0])
    if isinstance(t, ArrayType):
        return "b" if t.dtype == "bool" else t.dtype[0].replace("u", "i")
    return ""


def _numpy_scalar(t, kinds: str) -> bool:
    """A NumPy scalar (not an array, not a Python scalar) of a dtype kind in `kinds`."""
    return isinstance(t, ScalarType) and t.kind not in PY_KINDS and t.kind[0] in kinds


def _num(v: Value):
    c = const_value(v)
    if isinstance(c, bool) or c is NOT_CONST or not isinstance(c, (int, float, complex)):
        return NOT_CONST
    return c


def _neg_zero(c) -> bool:
    if isinstance(c, complex):
        return _neg_zero(c.real) and _neg_zero(c.imag)
    return isinstance(c, float) and c == 0 and math.copysign(1.0, c) < 0


def _pos_zero(c) -> bool:
    if isinstance(c, complex):
        return _pos_zero(c.real) and _pos_zero(c.imag)
    return isinstance(c, (int, float)) and c == 0 and math.copysign(1.0, c) > 0


def _base(op: Op) -> str:
    return op.decl.same_as or op.name


def _perm(op: Op, rank: int) -> tuple:
    axes = op.attrs.get("axes")
    if axes is None:
        return tuple(range(rank))[::-1]
    return tuple(a % rank for a in (axes if isinstance(axes, (tuple, list)) else (axes,)))


def identity_of(op: Op) -> Value | None:
    """The operand value `op`'s result equals exactly, if an identity applies."""
    base, ops = _base(op), op.operands
    kind = _kind(op.operands[0].type) if ops else ""
    if base == "multiply":
        for x, c in ((ops[0], ops[1]), (ops[1], ops[0])):
            if _kind(x.type) in "ifw" and _num(c) == 1:
                return x
    elif base == "true_divide" and kind in "ifw" and _num(ops[1]) == 1 or base == "subtract" and kind in "ifwc" and _pos_zero(_num(ops[1])):
        return ops[0]
    elif base == "add":
        for x, c in ((ops[0], ops[1]), (ops[1], ops[0])):
            k, v = _kind(x.type), _num(c)
            if k in "fwc" and _neg_zero(v) or k == "i" and v is not NOT_CONST and v == 0 \
                    and not isinstance(v, float) and not isinstance(v, complex):
                return x
    elif base == "negative":
        inner = ops[0].defining_op
        # -x of the most negative NumPy integer scalar warns (overflow): keep it
        if inner is not None and _base(inner) == "negative" and not _numpy_scalar(
                ops[0].type, "iu"):
            return inner.operands[0]
    elif base == "positive" and kind in "ifwc":
        return ops[0]
    elif base == "power" and kind in "ifw" and _num(ops[1]) == 1 and not _numpy_scalar(
            ops[0].type, "f"):
        return ops[0]  # a NumPy float scalar's x**1 is libm's pow: underflow on subnormals
    elif op.name == "transpose":
        rank = op.operands[0].type.rank if isinstance(ops[0].type, ArrayType) else 0
        if rank <= 1:
            return ops[0]
        inner = ops[0].defining_op
        if inner is not None and inner.name == "transpose":
            p, q = _perm(inner, rank), _perm(op, rank)
            if tuple(p[i] for i in q) == tuple(range(rank)):
                return inner.operands[0]
    elif op.name == "not":
        inner = ops[0].defining_op
        if inner is not None and inner.name == "not":
            return inner.operands[0]
    elif op.name in ("convert", "truth") and not is_reference(ops[0].type) or op.name == "convert" and isinstance(ops[0].type, ArrayType):
        return ops[0]
    elif op.name == "select":
        c = const_value(ops[0])
        if isinstance(c, bool):
            return ops[1] if c else ops[2]
    return None


def power_expansion(op: Op, max_int_power: int) -> list[Op] | None:
    if _base(op) != "power":
        return None
    x, n = op.operands
    k, c = _kind(x.type), _num(n)
    if not isinstance(c, (int, float)) or isinstance(c, float) and not c.is_integer() \
            or op.results[0].type != x.type:
        return None  # a non-integral exponent, inf and nan included, stays a power
    c = int(c)
    if k == "f" and c == 2:
        # `array ** 2` is NumPy's np.square (its warnings say "square"); a Python int 2 only:
        # `array ** 2.0`, np.power and NumPy scalars go through power (and say so)
        if op.name != "power" or not isinstance(x.type, ArrayType) or n.type != INT:
            return None
        out = [infer_op("square", [x], loc=op.loc)]
        out[-1].results[0].hint = op.results[0].hint
        return out
    # modular arithmetic is exact on integer arrays and Python ints; NumPy integer scalars
    # wrap silently in power but warn on overflow in multiply
    if not (k == "i" and 2 <= c <= max_int_power) or _numpy_scalar(x.type, "iu"):
        return None
    mul = "np.multiply" if op.name.startswith("np.") else "multiply"
    out = [infer_op(mul, [x, x], loc=op.loc)]
    if c == 3:
        out.append(infer_op(mul, [out[0].result, x], loc=op.loc))
    elif c == 4:
        out.append(infer_op(mul, [out[0].result, out[0].result], loc=op.loc))
    elif c > 4:
        for _ in range(c - 2):
            out.append(infer_op(mul, [out[-1].result, x], loc=op.loc))
    out[-1].results[0].hint = op.results[0].hint
    return out


def _transposed_2d(v: Value) -> Value | None:
    op = v.defining_op
    if op is not None and op.name == "transpose" and isinstance(op.operands[0].type, ArrayType) \
            and op.operands[0].type.rank == 2 and _perm(op, 2) == (1, 0):
        return op.operands[0]
    return None


def matmul_rewrite(op: Op) -> list[Op] | None:
    # not np.dot: its values are matmul's for 2-d operands, but its warnings say "dot"
    if op.name == "matmul_t":
        ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
    elif op.name == "matmul":
        ta = tb = False
    else:
        return None
    a, b = op.operands
    changed = False
    if _transposed_2d(a) is not None:
        a, ta, changed = _transposed_2d(a), not ta, True
    if _transposed_2d(b) is not None:
        b, tb, changed = _transposed_2d(b), not tb, True
    if op.name == "matmul_t" and not (ta or tb):
        changed = True
    if not changed:
        return None
    try:
        if ta or tb:
            new = infer_op("matmul_t", [a, b], {"transpose_a": ta, "transpose_b": tb},
                           loc=op.loc, hints=(op.results[0].hint,))
        else:
            new = infer_op("matmul", [a, b], loc=op.loc, hints=(op.results[0].hint,))
    except TypeRuleError:
        return None
    if not refines(op.results[0].type, new.results[0].type):
        return None
    new.results[0].type = op.results[0].type
    return [new]


def static_extent(op: Op) -> Op | None:
    if op.name not in ("dim", "len") or not isinstance(op.operands[0].type, ArrayType):
        return None
    shape = op.operands[0].type.shape
    axis = op.attrs.get("axis", 0) if op.name == "dim" else 0
    if op.results[0].type != INT or not shape or shape[axis % len(shape)] is None:
        return None
    return make_const(shape[axis % len(shape)], INT, op.loc, op.results[0].hint)
