"""Shared machinery of the fusion passes.

`BlockView` answers where a group of pure ops of one block can be replaced by a single op:
the new op goes before the op at index P, where P is after every input's definition and no
later than the first op outside the group that uses a group value (else the group depends on
itself through that op: fusing would make a cycle). Every member moves from its place to P,
so no op in between may write (in place, through any alias) a buffer the member reads; a
member reading another member's result must not see a write to it in between either; and a
member that may raise or warn (effects.may_raise_or_warn) does not move across an op that may
raise, warn, write or draw random numbers (the program's first error stays first, and an
error leaves the arguments written exactly as far as the program had).

`build_body` turns the group into a body region computing one element: block arguments for
the inputs (element types, see phylanx.ops.fused), scalar constants copied in, each member
copied with its scalar result type and source location. `narrow_outputs` finds the group
values whose own shape may be smaller than the group's (they cannot be results of one op
computing over the group's shape).
"""

from __future__ import annotations

from phylanx.analysis import Effects, is_pure, is_reference, may_raise_or_warn
from phylanx.ir.core import Block, Op, Value
from phylanx.ir.registry import TypeRuleError
from phylanx.ir.types import ArrayType, broadcast_shapes, dtype_of
from phylanx.ops.fused import element_type

from .diagnostics import describe
from .ir_utils import (
    clone_op,
    erase,
    function_of,
    is_scalar_const,
    new_op,
    replace_uses,
)


class Refused(Exception):
    """A group cannot be fused; the message says why."""


class BlockView:
    """Positions, users and writes of the ops of one block."""

    def __init__(self, block: Block, eff: Effects):
        self.block = block
        self.eff = eff
        self.ops = list(block.ops)
        self.pos = {op: i for i, op in enumerate(self.ops)}
        self.users: dict[Value, list[Op]] = {}
        for op in self.ops:
            for inner in op.walk():
                for v in inner.operands:
                    lst = self.users.setdefault(v, [])
                    if not lst or lst[-1] is not op:
                        lst.append(op)
        self.writes = [{eff.find(c) for c in eff.writes(op)} for op in self.ops]

    def def_index(self, v: Value) -> int:
        owner = v.owner
        return self.pos.get(owner, -1) if isinstance(owner, Op) else -1

    def outside_users(self, v: Value, members) -> list[Op]:
        return [u for u in self.users.get(v, ()) if u not in members]

    def check(self, members: list[Op], leading=()) -> int:
        """Insertion index for the fused op; raises Refused. `leading`: inputs the new op
        computes itself (e.g. a product it absorbs) and so need no definition."""
        mset = set(members)
        produced = {r: m for m in members for r in m.results}
        idx = [self.pos[m] for m in members]
        ext_users = [self.pos[u] for v in produced for u in self.outside_users(v, mset)]
        hi = min(ext_users, default=len(self.ops) - 1)
        inputs = [(m, v) for m in members for v in m.operands
                  if v not in produced and v not in leading and not is_scalar_const(v)]
        lo, lo_op = -1, None
        for _, v in inputs:
            if self.def_index(v) > lo:
                lo, lo_op = self.def_index(v), self.ops[self.def_index(v)]
        if lo >= hi:
            user = self.ops[hi]
            raise Refused(f"{describe(lo_op)} needs a group value through {describe(user)} "
                          "and feeds the group: fusing would make a cycle")
        at = min(hi, max(idx) + 1)
        for m, v in inputs:
            self._no_write(v, self.pos[m], at, mset, "move it")
        for m in members:
            self._keep_order(m, at, mset)
        for m in members:
            for v in m.operands:
                if v in produced:
                    self._no_write(v, self.pos[produced[v]], self.pos[m] + 1, mset, "read it")
        return at

    def _keep_order(self, m: Op, at: int, mset) -> None:
        """A member that may raise or warn must not move across an op that may raise or warn,
        writes or draws: the first error, the warnings' order and what was written before an
        error are the program's."""
        if not may_raise_or_warn(m, self.eff.module):
            return
        start = self.pos[m]
        lo, hi = (start + 1, at) if at > start else (at, start)
        for j in range(lo, hi):
            op = self.ops[j]
            if op not in mset and (may_raise_or_warn(op, self.eff.module)
                                   or not is_pure(op, self.eff.module)):
                raise Refused(f"{describe(m)} may raise or warn and would move across "
                              f"{describe(op)}, which may raise, warn or write")

    def _no_write(self, v: Value, start: int, at: int, mset, what: str) -> None:
        if not is_reference(v.type):
            return
        c = self.eff.find(v)
        lo, hi = (start + 1, at) if at > start else (at, start)
        for j in range(lo, hi):
            op = self.ops[j]
            if op not in mset and c in self.writes[j]:
                name = f"%{v.hint}" if v.hint else "an operand"
                raise Refused(f"in-place write {describe(op)} to {name} (or an alias) between "
                              f"its definition and use: fusion would {what} across the write")


def narrow_outputs(members: list[Op], outputs: list[Value]) -> list[Value]:
    """The outputs whose shape may be smaller than the group's broadcast shape: a fused op
    computes every output over the whole group's shape, so such an output (an intermediate
    `c = a + 1` of shape (4,) beside `c * b` of shape (5, 4)) must not be one of its results.
    An output's own shape is the broadcast of the inputs it depends on; another input cannot
    enlarge it when, axis by axis from the right, it has no more axes and each of its extents
    is 1 or meets a known extent other than 1 (size-1 extents of unknown arrays broadcast)."""
    produced = {r for m in members for r in m.results}
    deps: dict[Value, set] = {}
    inputs: set = set()
    for m in members:
        used: set = set()
        for v in m.operands:
            if v in produced:
                used |= deps[v]
            elif not is_scalar_const(v):
                used.add(v)
                inputs.add(v)
        for r in m.results:
            deps[r] = used
    out = []
    for v in outputs:
        own = [w.type.shape for w in deps[v] if isinstance(w.type, ArrayType)]
        try:
            shape = broadcast_shapes(*own)
        except ValueError:
            out.append(v)
            continue
        if not all(_cannot_enlarge(w.type, shape) for w in inputs - deps[v]):
            out.append(v)
    return out


def _cannot_enlarge(t, shape: tuple) -> bool:
    if not isinstance(t, ArrayType):
        return True
    if t.rank > len(shape):
        return False
    return all(d == 1 or s is not None and s != 1
               for d, s in zip(t.shape[::-1], shape[::-1]))


def build_body(members: list[Op], outputs: list[Value], leading=()) -> tuple[list, Block]:
    """(inputs, body): the body computes `outputs` from leading values then inputs."""
    produced = {r for m in members for r in m.results}
    inputs: list[Value] = []
    for m in members:
        for v in m.operands:
            if v not in produced and v not in leading and not is_scalar_const(v) \
                    and v not in inputs:
                inputs.append(v)
    args = list(leading) + inputs
    body = Block([element_type(v.type) for v in args], [v.hint for v in args])
    mapping = dict(zip(args, body.args))
    for m in members:
        for v in m.operands:
            if v not in mapping and is_scalar_const(v):
                body.append(clone_op(v.defining_op, mapping))
        operands = [mapping[v] for v in m.operands]
        try:
            types = m.decl.result_types([v.type for v in operands], m.attrs)
        except TypeRuleError as e:
            raise Refused(f"{describe(m)} has no scalar form: {e}") from None
        if [dtype_of(t) for t in types] != [dtype_of(r.type) for r in m.results]:
            raise Refused(f"{describe(m)} computes another dtype on scalars")
        copy = Op(m.decl, operands, types, dict(m.attrs), (), m.loc, [r.hint for r in m.results])
        body.append(copy)
        mapping.update(zip(m.results, copy.results))
    body.append(new_op("yield", [mapping[v] for v in outputs], [], loc=members[-1].loc))
    return inputs, body


def replace_group(view: BlockView, members: list[Op], at: int, fused: Op,
                  replaced: list[Value]) -> None:
    """Insert `fused` before index `at`, drop the members; `replaced`[k] -> result k."""
    block = view.block
    anchor = view.ops[at] if at < len(view.ops) else None
    f = function_of(members[0])
    for m in members:
        erase(m)
    fused.parent = block
    block.ops.insert(block.ops.index(anchor) if anchor is not None else len(block.ops), fused)
    mapping = dict(zip(replaced, fused.results))
    for old, new in mapping.items():
        view.eff.union(old, new)
    replace_uses(f, mapping)
