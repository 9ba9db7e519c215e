"""May an op raise or warn? And the predicates op declarations state it with (`quiet_when=`).

`may_raise_or_warn(op)` is False only for ops that can neither raise nor warn for any input of
their types under any np.errstate: a floating-point flag (overflow, invalid, divide by zero,
underflow) is a RuntimeWarning by default and a FloatingPointError under
errstate(all="raise"), so nearly all floating-point arithmetic may warn (`x + y` and `x * y`
overflow, `np.sqrt` and `np.log` of negatives, `np.sum` of floats, even `X.T @ X`).

Each op's declaration says when it is quiet with `quiet_when=` (a predicate on the op; no
predicate: it may always raise or warn). The predicates here are the building blocks:
`always` (constants, shape queries, tuples, copies, ...), `operand_is_array` (views whose axes
the type rule checked), `shapes_known_nonneg` (creation with sizes known non-negative),
`basic_slicing` (slices without integer indices: slices clip), `safe_cast`,
`integer_accumulation` (integer sums and products wrap silently), `elementwise_quiet(...)`
(per class of operands: see its doc). Control flow is structural: an `if` may raise when an op
of a branch may, a `for_range` when its step is not a non-zero constant or its body may, a
call when its callee may (a recursive call always may: RecursionError).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from phylanx.ir.core import Module, Op
from phylanx.ir.types import DTYPES, PY_KINDS, ArrayType, NoneType, ScalarType, broadcast_shapes

from .values import NOT_CONST, const_value, nonneg

QuietWhen = Callable[[Op], bool]


def may_raise_or_warn(op: Op, module: Module | None = None, _seen=None) -> bool:
    """False only if `op` can neither raise nor warn for any input of its types, under any
    np.errstate (a floating-point flag is a warning by default and an exception under
    errstate(all="raise")). Removing, hoisting or reordering an op for which this is True
    may change what the program raises or warns."""
    name = op.name
    if name == "if":
        return any(may_raise_or_warn(inner, module, _seen) for b in op.regions
                   for inner in b.ops)
    if name == "for_range":
        step = const_value(op.operands[2])
        return not (isinstance(step, int) and step != 0) or any(
            may_raise_or_warn(inner, module, _seen) for inner in op.regions[0].ops)
    if name == "call":
        return _call_may_raise_or_warn(op.attrs["callee"], module, _seen)
    quiet = op.decl.quiet_when
    return quiet is None or not quiet(op)


def _call_may_raise_or_warn(name: str, module: Module | None, seen) -> bool:
    """A call may raise or warn when its callee's ops may; a recursive call always may
    (RecursionError)."""
    if module is None or name not in module.functions:
        return True
    seen = set() if seen is None else seen
    if name in seen:
        return True
    seen = seen | {name}
    return any(may_raise_or_warn(o, module, seen) for o in module.functions[name].body.ops
               if o.name != "return")


# --- predicates for `quiet_when=` ---------------------------------------------------------------

def always(op: Op) -> bool:
    """Never raises or warns (the type rule has checked everything that could fail)."""
    return True


def operand_is_array(op: Op) -> bool:
    """Views and copies whose axes the type rule has checked: quiet on an array operand."""
    return isinstance(op.operands[0].type, ArrayType)


def shapes_known_nonneg(*positions: int) -> QuietWhen:
    """Creation: quiet when the size operands at `positions` are known non-negative (or an
    omitted optional operand, the constant None)."""
    def quiet(op: Op) -> bool:
        return all(isinstance(op.operands[k].type, NoneType) and k > 0 or nonneg(op.operands[k])
                   for k in positions)

    return quiet


def nonzero_step(position: int) -> QuietWhen:
    """range_len: quiet when the step is a non-zero constant."""
    def quiet(op: Op) -> bool:
        step = const_value(op.operands[position])
        return step is not NOT_CONST and step != 0

    return quiet


def scalar_operand(op: Op) -> bool:
    """Truth tests: quiet on a scalar (an array's truth value may be ambiguous)."""
    return isinstance(op.operands[0].type, ScalarType)


def basic_slicing(op: Op) -> bool:
    """Basic indexing without integer components: slices clip, so only a zero step raises."""
    values = iter(op.operands[1:])
    for comp in op.attrs["index"]:
        if comp == "i":
            return False
        if comp[0] == "s":
            parts = [next(values) if bit == "1" else None for bit in comp[1:]]
            step = parts[2]
            if step is not None and not (isinstance(const_value(step), int)
                                         and const_value(step) != 0):
                return False
    return True


def same_or_array_conversion(op: Op) -> bool:
    """convert: quiet to the same type, or from one array type to another."""
    src, dst = op.operands[0].type, op.results[0].type
    return src == dst or isinstance(src, ArrayType) and isinstance(dst, ArrayType)


def safe_cast(op: Op) -> bool:
    """asarray/astype: quiet when an array is cast keeping every value (NumPy's "safe"
    casting: no overflow, no invalid value, no discarded imaginary part)."""
    src, dst = op.operands[0].type, op.results[0].type
    return isinstance(src, ArrayType) and isinstance(dst, ArrayType) and np.can_cast(
        DTYPES[src.dtype], DTYPES[dst.dtype], "safe")


def integer_accumulation(op: Op) -> bool:
    """Sums, products and their scans: NumPy wraps integers silently (floats may overflow)."""
    acc = op.attrs.get("dtype")
    return _int_or_bool(op.operands[0].type) and (acc is None or acc[0] in "iub")


def integer_gram(op: Op) -> bool:
    """matmul_t(A, A) with one side transposed, on integers: wraps silently."""
    a, b = op.operands
    gram = a is b and op.attrs["transpose_a"] != op.attrs["transpose_b"]
    return gram and _int_or_bool(a.type)


def nonneg_constant_exponent(op: Op) -> bool:
    """Integer power with a constant exponent >= 0 (a negative one raises for integers)."""
    exponent = const_value(op.operands[1]) if len(op.operands) > 1 else NOT_CONST
    return isinstance(exponent, (int, np.integer)) and not isinstance(exponent, bool) \
        and exponent >= 0


def _int_or_bool(t) -> bool:
    return isinstance(t, (ArrayType, ScalarType)) and t.dtype[0] in "iub"


# --- elementwise ops ---------------------------------------------------------------------------

_CLASSES = ("real", "int_arrays", "int_scalars", "python")


def elementwise_quiet(**when: bool | QuietWhen) -> QuietWhen:
    """Quiet predicate of an elementwise op, by the class of its operands:

      real         NumPy semantics, no complex operand, some floating-point operand (NaN and
                   inf included; NumPy's comparisons of reals are quiet, of complex are not);
      int_arrays   integer and bool operands, some of them an array (NumPy's array loops
                   wrap around silently);
      int_scalars  integer and bool NumPy scalars only (they warn on overflow);
      python       Python-operator semantics on Python scalars only (an op bound to a Python
                   operator: floats overflow to inf silently, ints are unbounded).

    Each class maps to True (quiet) or to a predicate on the op. Whatever the class, the op
    may fail when the extents of its array operands are not known to broadcast, or a Python
    scalar operand may not fit the NumPy dtype it is cast to."""
    bad = set(when) - set(_CLASSES)
    if bad:
        raise ValueError(f"elementwise_quiet: unknown operand classes {sorted(bad)}; "
                         f"known: {', '.join(_CLASSES)}")
    for cls, rule in when.items():
        if rule is not True and not callable(rule):
            raise TypeError(f"elementwise_quiet: {cls}= must be True or a predicate")

    def quiet(op: Op) -> bool:
        cls = _operand_class(op)
        if cls is None:
            return False
        rule = when.get(cls, False)
        return rule is True or (rule is not False and rule(op))

    quiet.classes = tuple(sorted(when))
    return quiet


def _operand_class(op: Op) -> str | None:
    """The class of op's operands (see `elementwise_quiet`), or None if the op may fail
    whatever its class says."""
    types = [v.type for v in op.operands]
    if not all(isinstance(t, (ArrayType, ScalarType)) for t in types):
        return None
    distinct = {v: v.type for v in op.operands if isinstance(v.type, ArrayType) and v.type.rank}
    arrays = list(distinct.values())
    if len(arrays) > 1:
        if any(None in t.shape for t in arrays):
            return None
        try:
            broadcast_shapes(*[t.shape for t in arrays])
        except ValueError:
            return None
    if op.decl.operator is not None and all(
            isinstance(t, ScalarType) and t.kind in PY_KINDS for t in types):
        return "python"
    dtypes = [t.dtype for t in types if not (isinstance(t, ScalarType) and t.kind in PY_KINDS)]
    if _python_scalar_may_not_fit(op, types, dtypes):
        return None
    if any(d[0] == "c" for d in dtypes) or any(
            isinstance(t, ScalarType) and t.kind == "complex" for t in types):
        return None
    integral = all(d[0] in "iub" for d in dtypes) and all(
        not (isinstance(t, ScalarType) and t.kind == "float") for t in types)
    if not integral:
        return "real"
    return "int_arrays" if any(isinstance(t, ArrayType) for t in types) else "int_scalars"


def _python_scalar_may_not_fit(op: Op, types, dtypes) -> bool:
    """NEP 50: a Python scalar operand is cast to the NumPy dtype of the other operands; an int
    out of an integer dtype's range raises OverflowError, a float beyond a narrow float dtype's
    range overflows (a warning)."""
    # a Python int becomes each operand dtype (a bool array's, or with no NumPy operand at
    # all: the default integer)
    int_targets = {"i64" if d == "bool" else d for d in dtypes} or {"i64"}
    narrow_floats = [d for d in dtypes if d in ("f16", "f32", "c64")]
    for v, t in zip(op.operands, types):
        if not (isinstance(t, ScalarType) and t.kind in PY_KINDS) or t.kind == "bool":
            continue
        c = const_value(v)
        targets = int_targets if t.kind == "int" else narrow_floats
        if not all(dtypes_hold(c, d) for d in targets):
            return True
    return False


def dtypes_hold(c, dtype: str) -> bool:
    """True if constant `c` (NOT_CONST: unknown) converts to `dtype` without an error or a
    floating-point flag."""
    if c is NOT_CONST:
        return False
    np_dtype = DTYPES[dtype]
    if np_dtype.kind in "iu":
        info = np.iinfo(np_dtype)
        return isinstance(c, int) and info.min <= c <= info.max
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            np.asarray(np.array(c, dtype=complex if isinstance(c, complex) else float)).astype(
                np_dtype)
        except (FloatingPointError, OverflowError, ValueError, TypeError, Warning):
            return False
    return True
