"""cse: common subexpression elimination of pure ops.

Two ops are the same expression when they have the same name, operands, attributes and
result types (operands of commutative ops compared as a set when they are integers or bools;
floating-point operand order is kept, so NaN payloads stay bit-exact). The later op is
replaced by the earlier one when the earlier one dominates it (same block or an enclosing
one). Never merged: random ops, in-place ops, calls of impure functions, ops with regions.

Memory: an op reading a buffer is not merged across an op that may write that buffer (alias
classes, see effects.py); entering a loop forgets the expressions whose buffers the loop may
write. An op whose result is a buffer is merged only if no in-place write in the function may
touch either result, and a fresh allocation only if the removed one is not returned: two
names must never share a buffer one of them then modifies.
"""

from __future__ import annotations

import numpy as np

from phylanx.analysis import Effects, is_pure, is_reference
from phylanx.ir.core import Block, Module, Op
from phylanx.ir.types import ArrayType, ScalarType

from .ir_utils import erase
from .manager import Pass, PassContext, register


def _hashable(v):
    if isinstance(v, float):
        return ("float", repr(v))
    if isinstance(v, complex):
        return ("complex", repr(v.real), repr(v.imag))
    if isinstance(v, np.ndarray):
        return ("array", str(v.dtype), v.shape, v.tobytes())
    if isinstance(v, (tuple, list)):
        return (type(v).__name__,) + tuple(_hashable(x) for x in v)
    return (type(v).__name__, v)


def _exact_commutative(op: Op) -> bool:
    if "commutative" not in op.decl.traits:
        return False
    for v in op.operands:
        t = v.type
        kind = t.dtype if isinstance(t, (ArrayType, ScalarType)) else ""
        if not kind or kind[0] in "fc":
            return False
    return True


def expression_key(op: Op) -> tuple:
    operands = list(op.operands)
    if _exact_commutative(op):
        operands.sort(key=id)
    attrs = tuple(sorted((k, _hashable(v)) for k, v in op.attrs.items()))
    return (op.name, tuple(operands), attrs, tuple(r.type for r in op.results))


@register
class CSE(Pass):
    """Merge identical pure expressions (see module doc)."""

    name = "cse"

    def run(self, module: Module, ctx: PassContext) -> None:
        self.module, self.ctx = module, ctx
        for f in module.functions.values():
            self.eff = Effects(f, module)
            self.mapping: dict = {}
            self._block(f.body, [])

    def _final(self, v):
        while v in self.mapping:
            v = self.mapping[v]
        return v

    def _block(self, block: Block, scopes: list) -> None:
        scopes.append({})
        for op in list(block.ops):
            if any(v in self.mapping for v in op.operands):
                op.operands = [self._final(v) for v in op.operands]
            written = self.eff.writes(op)
            if written:
                self._invalidate(scopes, written)
            if op.regions:
                for region in op.regions:
                    self._block(region, scopes)
                continue
            if not op.results or not self._eligible(op):
                continue
            key = expression_key(op)
            prev = next((s[key][0] for s in reversed(scopes) if key in s), None)
            if prev is not None and self._merge_ok(prev, op):
                self.mapping.update(zip(op.results, prev.results))
                erase(op)
                self.ctx.count("ops-merged")
            else:
                scopes[-1][key] = (op, frozenset(self.eff.reads(op)))
        scopes.pop()

    def _eligible(self, op: Op) -> bool:
        if not is_pure(op, self.module):
            return False
        refs = [r for r in op.results if is_reference(r.type)]
        return not refs or not self.eff.is_written(*refs)

    def _merge_ok(self, prev: Op, op: Op) -> bool:
        if "view" in op.decl.traits:
            return True
        return not any(is_reference(r.type) and self.eff.is_returned(r) for r in op.results)

    def _invalidate(self, scopes: list, written) -> None:
        roots = {self.eff.find(c) for c in written}
        for scope in scopes:
            for key in [k for k, (_, reads) in scope.items() if reads & roots]:
                del scope[key]
