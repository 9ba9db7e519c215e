"""Facts about single values of the IR: constants, reference types, known-non-negative integers,
use lists."""

from __future__ import annotations

import numpy as np

from phylanx.ir.core import Block, Function, Op, Value
from phylanx.ir.types import ArrayType, ListType, TupleType, Type

NOT_CONST = object()


def const_value(v: Value) -> object:
    """The Python value of a scalar (or none, or tuple of such) constant; else NOT_CONST."""
    op = v.defining_op
    if op is None:
        return NOT_CONST
    if op.name == "const" and not isinstance(v.type, (ArrayType, ListType)):
        return op.attrs["value"]
    if op.name == "tuple":
        items = [const_value(x) for x in op.operands]
        return NOT_CONST if any(i is NOT_CONST for i in items) else tuple(items)
    return NOT_CONST


def is_reference(t: Type) -> bool:
    """True for types whose values are mutable or may hold mutable buffers."""
    if isinstance(t, (ArrayType, ListType)):
        return True
    if isinstance(t, TupleType):
        return any(is_reference(e) for e in t.elems)
    return False


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
    return "nonneg" in op.decl.traits


def uses(root: Function | Block) -> dict[Value, list[Op]]:
    """Every op (nested ones too) using each value, in program order."""
    block = root.body if isinstance(root, Function) else root
    out: dict[Value, list[Op]] = {}
    for op in block.walk():
        for v in op.operands:
            out.setdefault(v, []).append(op)
    return out


def outside_uses(op: Op, memo: dict | None = None) -> set[Value]:
    """Values `op` (or an op in its regions) reads that are defined outside `op`."""
    if memo is not None and op in memo:
        return memo[op]
    used = set(op.operands)
    for block in op.regions:
        inner, defined = set(), set(block.args)
        for o in block.ops:
            inner |= outside_uses(o, memo)
            defined.update(o.results)
        used |= inner - defined
    if memo is not None:
        memo[op] = used
    return used
