"""IR helpers shared by the passes: cloning, replacement, erasure and new constants.

The IR keeps no use lists; passes compute them (phylanx.analysis.uses) when they need them and
replace values in one sweep (`replace_uses`) with a mapping, which is linear in the size of the
function. Facts about values (constants, reference types) are in phylanx.analysis.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from phylanx.ir.core import Block, Function, Location, Module, Op, Value
from phylanx.ir.registry import lookup
from phylanx.ir.types import NoneType, ScalarType, Type

# --- cloning -----------------------------------------------------------------------------------

def clone_op(op: Op, mapping: dict) -> Op:
    """A deep copy of `op` (regions included) whose operands are looked up in `mapping`.

    Values defined outside `op` and missing from `mapping` are used as they are; the copy's
    results and block arguments are added to `mapping`.
    """
    regions = []
    for block in op.regions:
        new = Block([a.type for a in block.args], [a.hint for a in block.args])
        mapping.update(zip(block.args, new.args))
        for inner in block.ops:
            new.append(clone_op(inner, mapping))
        regions.append(new)
    copy = Op(op.decl, [mapping.get(v, v) for v in op.operands], [r.type for r in op.results],
              dict(op.attrs), regions, op.loc, [r.hint for r in op.results])
    mapping.update(zip(op.results, copy.results))
    return copy


def clone_function(f: Function) -> Function:
    new = Function(f.name, [a.type for a in f.args], [a.hint for a in f.args], f.result_type,
                   f.file, f.loc)
    mapping = dict(zip(f.args, new.args))
    for op in f.body.ops:
        new.body.append(clone_op(op, mapping))
    return new


def clone_module(module: Module) -> Module:
    """A structural copy of `module` sharing nothing mutable with it."""
    return Module([clone_function(f) for f in module.functions.values()])


# --- walking, uses, replacement ----------------------------------------------------------------

def walk_blocks(block: Block) -> Iterator[Block]:
    """`block` and every block nested in it."""
    yield block
    for op in block.ops:
        for region in op.regions:
            yield from walk_blocks(region)


def replace_uses(root: Function | Block, mapping: dict) -> None:
    """Replace every use of a key of `mapping` by its value (chains are followed)."""
    if not mapping:
        return
    block = root.body if isinstance(root, Function) else root

    def final(v):
        seen = 0
        while v in mapping and seen < 1000:
            v = mapping[v]
            seen += 1
        return v

    for op in block.walk():
        if any(v in mapping for v in op.operands):
            op.operands = [final(v) for v in op.operands]


def is_inside(value: Value, op: Op) -> bool:
    """True if `value` is defined inside one of `op`'s regions (or is a result of `op`)."""
    owner = value.owner
    block = owner if isinstance(owner, Block) else owner.parent
    if isinstance(owner, Op) and owner is op:
        return True
    while block is not None:
        parent = block.parent
        if parent is op:
            return True
        if not isinstance(parent, Op):
            return False
        block = parent.parent
    return False


def function_of(op: Op) -> Function:
    """The function containing `op`."""
    block = op.parent
    while not isinstance(block.parent, Function):
        block = block.parent.parent
    return block.parent


def erase(op: Op) -> None:
    op.parent.ops.remove(op)
    op.parent = None


def insert_before(anchor: Op, ops: Iterable[Op]) -> None:
    block = anchor.parent
    i = block.ops.index(anchor)
    for k, op in enumerate(ops):
        op.parent = block
        block.ops.insert(i + k, op)


def count_ops(module_or_function: Module | Function) -> int:
    """Ops in a module or function, terminators excluded."""
    return sum(1 for op in module_or_function.walk() if "terminator" not in op.decl.traits)


def new_op(name: str, operands, result_types, attrs=None, regions=(), loc: Location | None = None,
           hints=()) -> Op:
    """An op not yet in a block; attributes completed with the declaration's defaults."""
    decl = lookup(name)
    from phylanx.ir.core import UNKNOWN_LOC

    return Op(decl, operands, result_types, decl.complete_attrs(attrs or {}), regions,
              loc or UNKNOWN_LOC, hints)


def infer_op(name: str, operands, attrs=None, loc: Location | None = None, hints=()) -> Op:
    """An op whose result types come from its declaration's type rule."""
    decl = lookup(name)
    attrs = decl.complete_attrs(attrs or {})
    types = decl.result_types([v.type for v in operands], attrs)
    return new_op(name, operands, types, attrs, (), loc, hints)


# --- constants ---------------------------------------------------------------------------------

def is_scalar_const(v: Value) -> bool:
    op = v.defining_op
    return op is not None and op.name == "const" and isinstance(v.type, (ScalarType, NoneType))


def attr_value(value: object) -> object:
    """A Python value as a `const` attribute (NumPy scalars become Python scalars)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, np.generic):
        return value.item()
    return value


def make_const(value, t: Type, loc: Location | None = None, hint: str = "") -> Op:
    return new_op("const", (), [t], {"value": attr_value(value)}, loc=loc, hints=(hint,))
