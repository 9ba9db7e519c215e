"""IR verifier: SSA dominance, arity, attributes, types and terminators.

Runs after lowering and, optionally, after every pass. Raises VerifyError naming the op and
its source location.
"""

from __future__ import annotations

from .core import Block, Function, Module, Op, Value
from .registry import TypeRuleError
from .types import refines


class VerifyError(Exception):
    pass


def _fail(op: Op, message: str):
    raise VerifyError(f"{op.loc}: '{op.name}': {message}")


def verify_module(module: Module) -> None:
    for f in module.functions.values():
        verify_function(f, module)


def verify_function(f: Function, module: Module | None = None) -> None:
    visible: set[Value] = set(f.args)
    _verify_block(f.body, visible, f, module)
    term = f.body.terminator
    if term is None or term.name != "return":
        raise VerifyError(f"{f.loc}: function @{f.name} does not end with 'return'")


def _verify_block(block: Block, visible: set, f: Function, module) -> None:
    defined: list[Value] = []
    for i, op in enumerate(block.ops):
        if op.parent is not block:
            _fail(op, "op's parent link does not point to its block")
        for v in op.operands:
            if v not in visible:
                _fail(op, f"operand %{v.hint or '?'} does not dominate this use")
        if "terminator" in op.decl.traits and i != len(block.ops) - 1:
            _fail(op, "terminator is not the last op of its block")
        _verify_op(op, f, module)
        if len(op.regions) != len(op.decl.regions):
            _fail(op, f"has {len(op.regions)} regions, expected {len(op.decl.regions)}")
        for region in op.regions:
            if region.parent is not op:
                _fail(op, "region's parent link does not point to its op")
            inner = set(visible)
            inner.update(region.args)
            _verify_block(region, inner, f, module)
        for r in op.results:
            if r in visible:
                _fail(op, "result defined twice")
            visible.add(r)
            defined.append(r)
    # Values defined in this block are not visible after it ends.
    for v in defined:
        visible.discard(v)


def _verify_op(op: Op, f: Function, module) -> None:
    decl = op.decl
    try:
        decl.check_arity(len(op.operands))
        attrs = decl.complete_attrs(op.attrs)
    except TypeRuleError as e:
        _fail(op, str(e))
    if attrs != op.attrs and set(attrs) != set(op.attrs):
        _fail(op, "attributes do not match the declaration")
    check = decl.verify
    if check is not None:
        try:
            check(op, f, module)
        except TypeRuleError as e:
            _fail(op, str(e))
        return
    if decl.infer is None:
        return
    try:
        expected = decl.result_types([v.type for v in op.operands], op.attrs)
    except TypeRuleError as e:
        _fail(op, f"type rule rejects operands: {e}")
    got = [r.type for r in op.results]
    if len(expected) != len(got):
        _fail(op, f"has {len(got)} results, the type rule gives {len(expected)}")
    for e_t, g_t in zip(expected, got):
        # A result may be more precise than the rule (shapes the frontend knows) but not wider.
        if not refines(g_t, e_t):
            _fail(op, f"result type {g_t} does not match the type rule's {e_t}")
