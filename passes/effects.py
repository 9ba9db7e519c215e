"""Effects: purity, aliasing (which buffers an op reads and writes) and which ops may raise.

Aliasing. Values of reference types (arrays, lists, tuples holding them) are put in alias
classes with a union-find: a result joins operand 0 for `view` and `inplace` ops; a result
of any other op that does not allocate a fresh array (convert, select, tuple, tuple_get, list
ops, calls, ...) joins all its reference operands; control ops join, position by position,
their init operands, block arguments, yielded values and results. A `const` array, and the
result of an allocating op, starts its own class.

The no-alias argument rule: distinct array arguments of the entry function are assumed not to
share memory (as Fortran does and as Numba's parallel loops assume); `arguments_overlap`
checks it for actual arguments, so that a caller can fall back to the unoptimized module.
With `args_may_alias=True` every reference argument starts in one class instead.

May raise or warn. `may_raise_or_warn(op)` is False only for ops that can neither raise nor
warn for any input of their types under any np.errstate: a floating-point flag (overflow,
invalid, divide by zero, underflow) is a RuntimeWarning by default and a FloatingPointError
under errstate(all="raise"), so nearly all floating-point arithmetic may warn (`x + y` and
`x * y` overflow, `np.sqrt` and `np.log` of negatives, `np.sum` of floats, even `X.T @ X`).
Quiet: constants, shape queries, views and copies, basic slicing without integer indices
(slices clip; a constant non-zero step), creation with sizes known non-negative, casts that
keep every value; elementwise ops on operands whose extents provably broadcast and that set
no flag (comparisons and min/max of reals, `isnan`, `floor`, `where`, `negative`, `abs`, ...;
integer `+ - *` on arrays, which wrap silently; bitwise ops), Python-operator semantics on
Python scalars for `+ - *`, comparisons and bitwise ops; `any`/`all`/`count_nonzero` and
integer sums and products; Gram products `matmul_t(A, A)` of integers. Everything else (linear
algebra, indexing with integers, means of maybe-empty arrays, calls, ...) may raise or warn.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence

import numpy as np

from phylanx.ir.core import Function, Module, Op, Value
from phylanx.ir.types import (
    DTYPES,
    PY_KINDS,
    ArrayType,
    ListType,
    NoneType,
    ScalarType,
    TupleType,
    broadcast_shapes,
)

from .ir_utils import NOT_CONST, const_value, is_reference, uses

# --- purity ------------------------------------------------------------------------------------


def function_is_pure(module: Module | None, name: str, _seen=None) -> bool:
    """No in-place writes, random draws or impure calls anywhere in function `name`."""
    if module is None or name not in module.functions:
        return False
    seen = _seen if _seen is not None else set()
    if name in seen:
        return False
    seen.add(name)
    for op in module.functions[name].walk():
        if "terminator" in op.decl.traits:
            continue
        if op.name == "call":
            if not function_is_pure(module, op.attrs["callee"], seen):
                return False
        elif not op.regions and not is_pure(op, module):
            return False
    return True


def is_pure(op: Op, module: Module | None = None) -> bool:
    """No side effects: removable when unused, movable, duplicable (reads aside)."""
    traits = op.decl.traits
    if traits & {"terminator", "random", "inplace"}:
        return False
    if op.name == "call":
        return function_is_pure(module, op.attrs["callee"])
    if op.regions:
        return all(inner.name == "yield" or is_pure(inner, module)
                   for block in op.regions for inner in block.ops)
    return "pure" in traits


# --- aliasing ----------------------------------------------------------------------------------

class Effects:
    """Alias classes of a function's values and the classes each op reads and writes."""

    def __init__(self, function: Function, module: Module | None = None,
                 args_may_alias: bool = False):
        self.function = function
        self.module = module
        self.parent: dict[Value, Value] = {}
        self._writes: dict[Op, frozenset] = {}
        refs = [a for a in function.args if is_reference(a.type)]
        if args_may_alias:
            for a in refs[1:]:
                self.union(refs[0], a)
        users = uses(function)
        # A tuple only returned does not make its elements aliases of each other.
        self._returned_tuples = {
            op for op in function.walk() if op.name == "tuple" and users.get(op.results[0])
            and all(u.name == "return" for u in users[op.results[0]])}
        for op in function.walk():
            if op not in self._returned_tuples:
                self._join(op)
        self.written: set = set()
        self.returned: set = set()
        for op in function.walk():
            if "inplace" in op.decl.traits or op.name == "call":
                self.written |= self.writes(op)
            if op.name == "return":
                self.returned |= self._returned_classes(op.operands[0])

    def _returned_classes(self, v: Value) -> set:
        op = v.defining_op
        if op is not None and op in self._returned_tuples:
            out = set()
            for e in op.operands:
                out |= self._returned_classes(e)
            return out
        return self.classes([v])

    def find(self, v: Value) -> Value:
        root = v
        while self.parent.get(root, root) is not root:
            root = self.parent[root]
        while v is not root:
            v, self.parent[v] = self.parent.get(v, v), root
        return root

    def union(self, a: Value, b: Value) -> None:
        if is_reference(a.type) and is_reference(b.type):
            ra, rb = self.find(a), self.find(b)
            if ra is not rb:
                self.parent[rb] = ra

    def cls(self, v: Value) -> Value | None:
        return self.find(v) if is_reference(v.type) else None

    def classes(self, values: Iterable[Value]) -> set:
        return {self.find(v) for v in values if is_reference(v.type)}

    def _join(self, op: Op) -> None:
        traits = op.decl.traits
        name = op.name
        if name == "for_range":
            body = op.regions[0]
            for k, init in enumerate(op.operands[3:]):
                self._join_all(init, body.args[k + 1], op.results[k], _yielded(body, k))
        elif name == "while":
            cond, body = op.regions
            for k, init in enumerate(op.operands):
                self._join_all(init, cond.args[k], body.args[k], op.results[k],
                               _yielded(body, k))
        elif name == "if":
            for k, r in enumerate(op.results):
                self._join_all(r, *[_yielded(b, k) for b in op.regions])
        elif traits & {"view", "inplace"}:
            for r in op.results:
                self.union(op.operands[0], r)
        elif "allocates" in traits and not any(
                isinstance(r.type, (ListType, TupleType)) for r in op.results):
            return
        else:
            for r in op.results:
                for v in op.operands:
                    self.union(r, v)

    def _join_all(self, *values) -> None:
        values = [v for v in values if v is not None]
        for v in values[1:]:
            self.union(values[0], v)

    def writes(self, op: Op) -> frozenset:
        """Alias classes op may write (nested ops and callees included)."""
        got = self._writes.get(op)
        if got is not None:
            return got
        out = set()
        if "inplace" in op.decl.traits:
            out |= self.classes(op.operands[:1])
        elif op.name == "call":
            callee = self.module.functions.get(op.attrs["callee"]) if self.module else None
            if callee is None or any("inplace" in o.decl.traits or o.name == "call"
                                     for o in callee.walk()):
                out |= self.classes(op.operands)
        for block in op.regions:
            for inner in block.ops:
                out |= self.writes(inner)
        got = frozenset(self.find(c) for c in out)
        self._writes[op] = got
        return got

    def reads(self, op: Op) -> set:
        """Alias classes op may read (operands of op and of its nested ops)."""
        out = self.classes(op.operands)
        for block in op.regions:
            for inner in block.walk():
                out |= self.classes(inner.operands)
        return out

    def is_written(self, *values: Value) -> bool:
        """True if some in-place write anywhere in the function may touch these values."""
        written = {self.find(c) for c in self.written}
        return bool(self.classes(values) & written)

    def is_returned(self, v: Value) -> bool:
        returned = {self.find(c) for c in self.returned}
        return self.cls(v) in returned


def _yielded(block, k):
    term = block.terminator
    if term is not None and term.name == "yield" and k < len(term.operands):
        return term.operands[k]
    return None


def written_arguments(module: Module) -> tuple[int, ...]:
    """Positions of the entry's array arguments that the module may write in place."""
    f = module.entry
    eff = Effects(f, module)
    written = {eff.find(c) for c in eff.written}
    return tuple(i for i, a in enumerate(f.args) if eff.cls(a) in written)


def arguments_overlap(module: Module | tuple, args: Sequence) -> bool:
    """True if an array argument the entry may write shares memory with another array
    argument: the no-alias rule the optimized module relies on does not hold for `args`.
    `module` may also be the `written_arguments` of the module (cheap per call)."""
    written = module if isinstance(module, tuple) else written_arguments(module)
    for i in written:
        x = args[i]
        if not isinstance(x, np.ndarray):
            continue
        for j, y in enumerate(args):
            if j != i and isinstance(y, np.ndarray) and np.may_share_memory(x, y):
                return True
    return False


# --- may raise or warn ------------------------------------------------------------------------

_QUIET = frozenset({
    "const", "undef", "dim", "size", "len", "tuple", "tuple_get", "not", "select", "list_new",
    "list_empty", "list_append", "real", "imag", "copy", "zeros_like", "ones_like",
    "empty_like", "yield",
})
# views and copies whose axes the type rule has checked: nothing is left to fail at run time
_QUIET_SHAPE_OPS = frozenset({"transpose", "ravel", "flatten", "expand_dims", "swapaxes",
                              "atleast_1d", "atleast_2d"})
# reductions that set no floating-point flag and have an identity (integer and bool inputs only
# for the sums and products: NumPy wraps integers silently, floats may overflow)
_QUIET_REDUCTIONS = frozenset({"any", "all", "count_nonzero"})
_INT_QUIET_REDUCTIONS = frozenset({"sum", "prod", "nansum", "cumsum", "cumprod"})
# elementwise ops (NumPy semantics) that set no floating-point flag for any real input: NaN and
# inf included (NumPy's comparisons are quiet; complex ones are not, so complex is excluded)
_QUIET_REAL = frozenset({
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "isnan", "isinf",
    "isfinite", "logical_and", "logical_or", "logical_xor", "logical_not", "maximum",
    "minimum", "fmax", "fmin", "floor", "ceil", "trunc", "rint", "copysign", "heaviside",
    "clip", "where", "positive", "conj", "sign", "negative", "absolute", "fabs",
})
# on integers and bools: NumPy's array loops wrap around silently; NumPy scalars warn on
# overflow, except for the bitwise ops
_QUIET_INT_ARRAYS = frozenset({"add", "subtract", "multiply", "negative", "absolute",
                               "square", "maximum", "minimum"})
_QUIET_INT = frozenset({"bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift",
                        "right_shift"})
# Python-operator semantics on Python scalars: no exception, no warning (floats overflow to inf
# silently, ints are unbounded)
_PY_QUIET = frozenset({
    "add", "subtract", "multiply", "negative", "positive", "equal", "not_equal", "less",
    "less_equal", "greater", "greater_equal", "bitwise_and", "bitwise_or", "bitwise_xor",
})


def nonneg(v: Value) -> bool:
    """True if integer value `v` is known to be >= 0 (or a tuple of such)."""
    c = const_value(v)
    if c is not NOT_CONST:
        items = c if isinstance(c, tuple) else (c,)
        return all(isinstance(x, (int, np.integer)) and x >= 0 for x in items)
    op = v.defining_op
    if op is None:
        return False
    if op.name == "tuple":
        return all(nonneg(x) for x in op.operands)
    return op.name in ("dim", "len", "size", "range_len", "count_nonzero")


def may_raise_or_warn(op: Op, module: Module | None = None, _seen=None) -> bool:
    """False only if `op` can neither raise nor warn for any input of its types, under any
    np.errstate (a floating-point flag is a warning by default and an exception under
    errstate(all="raise")). Removing, hoisting or reordering an op for which this is True
    may change what the program raises or warns."""
    name, traits = op.name, op.decl.traits
    if name in _QUIET:
        return False
    if name in _QUIET_SHAPE_OPS:
        return not isinstance(op.operands[0].type, ArrayType)
    if name == "getitem":
        return not _slicing_is_safe(op)
    if name == "range_len":
        step = const_value(op.operands[2])
        return step is NOT_CONST or step == 0
    if name == "convert":
        src, dst = op.operands[0].type, op.results[0].type
        return not (src == dst or isinstance(src, ArrayType) and isinstance(dst, ArrayType))
    if name in ("asarray", "astype"):
        src, dst = op.operands[0].type, op.results[0].type
        return not (isinstance(src, ArrayType) and isinstance(dst, ArrayType)
                    and _quiet_cast(src.dtype, dst.dtype))
    if name == "truth":
        return not isinstance(op.operands[0].type, ScalarType)
    if name in ("zeros", "ones", "empty", "identity"):
        return not nonneg(op.operands[0])
    if name == "eye":
        m = op.operands[1]
        return not (nonneg(op.operands[0]) and (isinstance(m.type, NoneType) or nonneg(m)))
    if name == "matmul_t":
        a, b = op.operands
        gram = a is b and op.attrs["transpose_a"] != op.attrs["transpose_b"]
        return not (gram and _int_or_bool(a.type))
    if "reduction" in traits or name in ("cumsum", "cumprod"):
        return not _reduction_is_quiet(op)
    if "elementwise" in traits and not op.regions:
        return _elementwise_may_raise_or_warn(op)
    if name == "if":
        return any(may_raise_or_warn(inner, module, _seen) for b in op.regions
                   for inner in b.ops)
    if name == "for_range":
        step = const_value(op.operands[2])
        return not (isinstance(step, int) and step != 0) or any(
            may_raise_or_warn(inner, module, _seen) for inner in op.regions[0].ops)
    if name == "call":
        return _call_may_raise_or_warn(op.attrs["callee"], module, _seen)
    return True


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


def _int_or_bool(t) -> bool:
    return isinstance(t, (ArrayType, ScalarType)) and t.dtype[0] in "iub"


def _quiet_cast(src: str, dst: str) -> bool:
    """A cast that keeps every value (NumPy's "safe" casting): no overflow, no invalid value,
    no discarded imaginary part."""
    return np.can_cast(DTYPES[src], DTYPES[dst], "safe")


def _reduction_is_quiet(op: Op) -> bool:
    if op.name in _QUIET_REDUCTIONS:
        return True
    if op.name in _INT_QUIET_REDUCTIONS:
        acc = op.attrs.get("dtype")
        return _int_or_bool(op.operands[0].type) and (acc is None or acc[0] in "iub")
    return False


def _slicing_is_safe(op: Op) -> bool:
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


def _elementwise_may_raise_or_warn(op: Op) -> bool:
    types = [v.type for v in op.operands]
    if not all(isinstance(t, (ArrayType, ScalarType)) for t in types):
        return True
    distinct = {v: v.type for v in op.operands if isinstance(v.type, ArrayType) and v.type.rank}
    arrays = list(distinct.values())
    if len(arrays) > 1:
        if any(None in t.shape for t in arrays):
            return True
        try:
            broadcast_shapes(*[t.shape for t in arrays])
        except ValueError:
            return True
    base = op.decl.extra.get("same_as", op.name)
    python_semantics = "operator" in op.decl.extra and all(
        isinstance(t, ScalarType) and t.kind in PY_KINDS for t in types)
    if python_semantics:
        return base not in _PY_QUIET
    dtypes = [t.dtype for t in types if not (isinstance(t, ScalarType) and t.kind in PY_KINDS)]
    if _python_scalar_may_not_fit(op, types, dtypes):
        return True
    if any(d[0] == "c" for d in dtypes) or any(
            isinstance(t, ScalarType) and t.kind == "complex" for t in types):
        return True
    integral = all(d[0] in "iub" for d in dtypes) and all(
        not (isinstance(t, ScalarType) and t.kind == "float") for t in types)
    on_arrays = any(isinstance(t, ArrayType) for t in types)  # NumPy's array loops
    if base in _QUIET_REAL:
        # -x and abs(x) of the most negative NumPy integer scalar warn (overflow)
        return integral and not on_arrays and base in ("negative", "absolute")
    if integral and (base in _QUIET_INT or base in _QUIET_INT_ARRAYS and on_arrays):
        return False
    if base == "power" and integral:
        exponent = const_value(op.operands[1]) if len(op.operands) > 1 else NOT_CONST
        return not (isinstance(exponent, (int, np.integer)) and not isinstance(exponent, bool)
                    and exponent >= 0)
    return True


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
