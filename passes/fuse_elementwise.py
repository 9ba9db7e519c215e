"""fuse-elementwise: groups of elementwise ops become one `fused` op; with the elementwise
ops feeding a reduction, one `fused_reduce` op.

Candidates: pure ops with the `elementwise` trait whose result is an array of rank >= 1 and
whose operands are arrays or scalars (broadcasting included). Groups are grown in program
order: an op joins the group(s) of its candidate producers in the same block when the union
can be placed as one op (fusion.BlockView.check: no cycle through an outside op, no in-place
write to a buffer a member reads between its place and the fused op's). Names do not matter:
fusion goes through Python temporaries such as `pred`. Scalar constants are copied into the
body; other operands become inputs.

Cost rule for values with several users: a group value used outside the group is stored once,
as one more result of the fused op (multi-output); nothing is ever recomputed, so fusion never
adds arithmetic. A fused op computes every result over the group's broadcast shape, so a value
used outside whose own shape may be smaller (`c = a + 1` next to `c * b`, `b` of more axes or
of extent-1 axes where `a` has others) is not a result of that group: the ops it is computed
from are fused as a group of their own, whose results the rest of the group takes as inputs. A reduction (sum, mean, max, ... of one operand) absorbs its group only when
the group's single output is used by nothing else: then that temporary array is never
materialised. Groups of fewer than `min_ops` ops without such a reduction are left alone.
"""

from __future__ import annotations

from phylanx.analysis import Effects
from phylanx.ir.core import Block, Module, Op
from phylanx.ir.registry import lookup
from phylanx.ir.types import ArrayType, ScalarType

from .diagnostics import describe
from .fusion import BlockView, Refused, build_body, narrow_outputs, replace_group
from .ir_utils import walk_blocks
from .manager import Pass, PassContext, register

_REDUCE_ATTRS = {"axis", "keepdims", "dtype", "ddof"}


def is_candidate(op: Op) -> bool:
    return {"elementwise", "pure"} <= op.decl.traits and not op.regions \
        and len(op.results) == 1 and isinstance(op.results[0].type, ArrayType) \
        and op.results[0].type.rank >= 1 \
        and all(isinstance(v.type, (ArrayType, ScalarType)) for v in op.operands)


def is_fusable_reduction(op: Op) -> bool:
    return "reduction" in op.decl.traits and list(op.decl.operands) == ["a"] \
        and len(op.operands) == 1 and len(op.results) == 1 \
        and set(op.attrs) <= _REDUCE_ATTRS


def _ancestors(members: list[Op], value) -> list[Op]:
    """The members `value` is computed from, and its own op, in program order."""
    wanted = {value.owner}
    for m in reversed(members):
        if m in wanted:
            wanted.update(v.owner for v in m.operands if isinstance(v.owner, Op))
    return [m for m in members if m in wanted]


class _Group:
    def __init__(self, op: Op):
        self.members = [op]


@register
class FuseElementwise(Pass):
    """Fuse elementwise groups and their reductions (see module doc)."""

    name = "fuse-elementwise"
    min_ops: int = 2
    reductions: bool = True

    def run(self, module: Module, ctx: PassContext) -> None:
        self.ctx = ctx
        for f in module.functions.values():
            self.file = f.file
            eff = Effects(f, module)
            for block in list(walk_blocks(f.body)):
                self._block(block, eff)

    def _block(self, block: Block, eff: Effects) -> None:
        view = BlockView(block, eff)
        group_of: dict[Op, _Group] = {}
        groups: list[_Group] = []
        for op in view.ops:
            if not is_candidate(op):
                continue
            producers: list[_Group] = []
            for v in op.operands:
                g = group_of.get(v.owner) if isinstance(v.owner, Op) else None
                if g is not None and all(g is not p for p in producers):
                    producers.append(g)
            chosen = self._choose(view, op, producers)
            merged = _Group(op)
            for g in chosen:
                merged.members = g.members + merged.members
                groups.remove(g)
            merged.members.sort(key=view.pos.get)
            for m in merged.members:
                group_of[m] = merged
            groups.append(merged)
        groups.sort(key=lambda g: view.pos[g.members[0]])
        for g in groups:
            self._build(BlockView(block, eff), g.members)

    def _choose(self, view: BlockView, op: Op, producers: list) -> list:
        if not producers:
            return []
        trials = [producers] if len(producers) == 1 else \
            [producers] + [[g] for g in sorted(producers, key=lambda g: -len(g.members))]
        why = ""
        for trial in trials:
            members = sorted([m for g in trial for m in g.members] + [op], key=view.pos.get)
            try:
                view.check(members)
                return trial
            except Refused as e:
                why = why or str(e)
        names = ", ".join(describe(g.members[-1], self.file) for g in producers)
        self.ctx.remark("refused", op.loc, f"{describe(op, self.file)} not fused with {names}: "
                                           f"{why}")
        return []

    def _build(self, view: BlockView, members: list[Op]) -> None:
        mset = set(members)
        outputs = [r for m in members for r in m.results if view.outside_users(r, mset)]
        if not outputs:
            return
        narrow = narrow_outputs(members, outputs)
        if narrow:
            # the ops a narrow output is computed from form a group of their own (it depends on
            # all of that group's inputs); the rest, using its results as inputs, another. The
            # output with the most ops behind it keeps the most together.
            heads = [_ancestors(members, v) for v in narrow]
            k = max(range(len(heads)), key=lambda i: len(heads[i]))
            head = heads[k]
            self.ctx.remark("split", narrow[k].owner.loc,
                            f"{describe(narrow[k].owner, self.file)} is used outside its group "
                            f"and may have a smaller shape than the group: fused apart")
            self._build(BlockView(view.block, view.eff), head)
            self._build(BlockView(view.block, view.eff), [m for m in members if m not in head])
            return
        if self.reductions and len(outputs) == 1:
            users = view.outside_users(outputs[0], mset)
            red = users[0]
            if len(users) == 1 and is_fusable_reduction(red) and red.operands[0] is outputs[0]:
                try:
                    self._fuse_reduce(view, members, red)
                    return
                except Refused as e:
                    self.ctx.remark("refused", red.loc, f"{describe(red, self.file)} not fused "
                                                        f"with its producers: {e}")
        elif self.reductions:
            for v in outputs:
                for u in view.outside_users(v, mset):
                    if is_fusable_reduction(u):
                        self.ctx.remark("refused", u.loc, f"{describe(u, self.file)} not fused "
                                        f"with its producers: its operand is also used "
                                        f"elsewhere, so it is stored (no recomputation)")
        if len(members) < self.min_ops:
            return
        try:
            at = view.check(members)
            inputs, body = build_body(members, outputs)
        except Refused as e:
            self.ctx.remark("refused", members[-1].loc, f"group of {len(members)} ops ending "
                                                        f"at {describe(members[-1])}: {e}")
            return
        fused = Op(lookup("fused"), inputs, [v.type for v in outputs], {}, [body],
                   members[-1].loc, [v.hint for v in outputs])
        replace_group(view, members, at, fused, outputs)
        self._report(members, fused, "fused", len(outputs))

    def _fuse_reduce(self, view: BlockView, members: list[Op], red: Op) -> None:
        group = members + [red]
        at = view.check(group)
        inputs, body = build_body(members, [red.operands[0]])
        attrs = {"reduce": red.name, "axis": None, "keepdims": False, "dtype": None, "ddof": 0}
        attrs.update(red.attrs)
        fused = Op(lookup("fused_reduce"), inputs, [red.results[0].type], attrs, [body],
                   red.loc, [red.results[0].hint])
        replace_group(view, group, at, fused, [red.results[0]])
        self._report(group, fused, "fused_reduce", 1)

    def _report(self, group: list[Op], fused: Op, kind: str, n_out: int) -> None:
        self.ctx.count("ops-fused", len(group))
        self.ctx.count(f"{kind}-created")
        ops = ", ".join(describe(m, self.file) for m in group)
        outs = f", {n_out} outputs" if n_out > 1 else ""
        self.ctx.remark("fused", fused.loc, f"{len(group)} ops -> '{kind}' "
                                            f"({len(fused.operands)} inputs{outs}): {ops}")
