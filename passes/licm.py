"""licm: hoist loop-invariant pure ops out of `for_range` and `while` loops.

An op at the top level of a loop body (or of a while's cond region) is invariant when it is
pure (ops with regions: every nested op pure), all the values it uses are defined outside the
loop or by ops already hoisted, and the loop writes none of the buffers it reads (alias
classes, effects.py). Ops inside an `if` branch of the body are never hoisted on their own.
A freshly allocated array is hoisted only if nothing in the function writes it in place and
it is not returned (all iterations then share one buffer).

The rule for ops that may raise or warn (effects.may_raise_or_warn: floating-point arithmetic,
which warns, or raises under np.errstate(all="raise"), on overflow or invalid values; linear
algebra, indexing, broadcasts of unknown extents, ...): hoisting must not raise or warn where
the loop would not, nor raise or warn about something else first. Such an op is hoisted only if
  - the loop certainly runs its body at least once, and
  - every op before it in the body is hoisted too, or cannot raise and writes nothing,
where "certainly runs once" is: a for_range of constant bounds with a trip count >= 1, the
cond region of a while, or, with `guard=true` (default), a for_range of constant step whose
hoisted ops are then placed in `if lower < upper` (`>` for a negative step), yielding `undef`
when the loop does not run. Ops that can neither raise nor warn are hoisted unconditionally.
A hoisted op that warns does so once instead of once per iteration. Inner loops
are processed first, so invariants move out of a whole loop nest step by step.
"""

from __future__ import annotations

from phylanx.analysis import Effects, const_value, is_pure, is_reference, may_raise_or_warn
from phylanx.ir.core import Block, Module, Op

from .ir_utils import erase, function_of, infer_op, insert_before, is_inside, new_op
from .manager import Pass, PassContext, register


def _used_values(op: Op) -> list:
    out = list(op.operands)
    for block in op.regions:
        for inner in block.walk():
            out.extend(v for v in inner.operands if not is_inside(v, op))
    return out


@register
class LICM(Pass):
    """Hoist loop-invariant pure ops (see module doc for the rule on ops that may raise)."""

    name = "licm"
    guard: bool = True

    def run(self, module: Module, ctx: PassContext) -> None:
        self.module, self.ctx = module, ctx
        for f in module.functions.values():
            self.eff = Effects(f, module)
            self._block(f.body)

    def _block(self, block: Block) -> None:
        for op in list(block.ops):
            for region in op.regions:
                self._block(region)
            if op.name == "for_range":
                self._hoist(op, op.regions[0], self._for_mode(op))
            elif op.name == "while":
                self._hoist(op, op.regions[0], "once")
                self._hoist(op, op.regions[1], "safe")

    def _for_mode(self, loop: Op) -> str:
        bounds = [const_value(v) for v in loop.operands[:3]]
        if all(isinstance(b, int) for b in bounds) and bounds[2] != 0:
            return "once" if len(range(*bounds)) >= 1 else "safe"
        step = bounds[2]
        return "guard" if self.guard and isinstance(step, int) and step != 0 else "safe"

    def _invariant(self, op: Op, loop: Op, hoisted: set, loop_writes: set) -> str | None:
        """None if `op` can move out of `loop` as far as values and memory go; else why not."""
        if "terminator" in op.decl.traits or not is_pure(op, self.module):
            return "has side effects"
        if any(is_inside(v, loop) and v not in hoisted for v in _used_values(op)):
            return ""  # variant: not worth a remark
        if self.eff.reads(op) & loop_writes or any(
                self.eff.cls(r) in loop_writes for r in op.results):
            return "reads or defines a buffer the loop writes"
        fresh = "allocates" in op.decl.traits and "view" not in op.decl.traits
        if fresh and any(is_reference(r.type) and (self.eff.is_written(r) or self.eff.is_returned(r))
                         for r in op.results):
            return "its fresh buffer is written in place or returned"
        return None

    def _hoist(self, loop: Op, body: Block, mode: str) -> None:
        loop_writes = {self.eff.find(c) for c in self.eff.writes(loop)}
        hoisted: set = set()
        guarded_values: set = set()
        plain, guarded = [], []
        blocked = False
        for op in [o for o in body.ops if o is not body.terminator]:
            why = self._invariant(op, loop, hoisted, loop_writes)
            raises = why is None and may_raise_or_warn(op, self.module)
            needs_guard = why is None and (
                raises and mode == "guard" or any(v in guarded_values for v in _used_values(op)))
            if why is None and raises and (blocked or mode == "safe"):
                why = ("may raise or warn and an earlier op of the body may raise, warn or write first"
                       if blocked else "may raise or warn and the loop may run zero times")
            if why is None and needs_guard and mode != "guard":
                why = "depends on a guarded op"
            if why is None:
                hoisted.update(op.results)
                (guarded if needs_guard else plain).append(op)
                if needs_guard:
                    guarded_values.update(op.results)
                continue
            if why and why != "has side effects":
                self.ctx.remark("not-hoisted", op.loc, f"'{op.name}' stays in the loop: {why}")
            if may_raise_or_warn(op, self.module) or not is_pure(op, self.module):
                blocked = True
        if not plain and not guarded:
            return
        for op in plain:
            erase(op)
        insert_before(loop, plain)
        if guarded:
            self._guard(loop, guarded)
        n = len(plain) + len(guarded)
        self.ctx.count("ops-hoisted", n)
        self.ctx.count("ops-hoisted-guarded", len(guarded))
        extra = f" ({len(guarded)} behind a trip-count guard)" if guarded else ""
        what = "op" if n == 1 else "ops"
        self.ctx.remark("hoisted", loop.loc, f"{n} invariant {what} hoisted out of the "
                                             f"'{loop.name}' loop{extra}")

    def _guard(self, loop: Op, ops: list) -> None:
        """Move `ops` into `if lower < upper` before the loop; uses get the if's results."""
        lo, hi, step = loop.operands[:3]
        cond = infer_op("less" if const_value(step) > 0 else "greater", [lo, hi], loc=loop.loc)
        f = function_of(loop)
        produced = {v: k for k, op in enumerate(ops) for v in op.results}
        inside = {id(o) for op in ops for o in op.walk()}
        outside: list = []
        for user in f.walk():
            if id(user) not in inside:
                outside.extend(v for v in user.operands if v in produced and v not in outside)
        outside.sort(key=lambda v: (produced[v], v.index))
        then, other = Block(), Block()
        for op in ops:
            erase(op)
            then.append(op)
        then.append(new_op("yield", outside, [], loc=loop.loc))
        undefs = [new_op("undef", (), [v.type], loc=loop.loc) for v in outside]
        for u in undefs:
            other.append(u)
        other.append(new_op("yield", [u.results[0] for u in undefs], [], loc=loop.loc))
        guard = new_op("if", cond.results, [v.type for v in outside], regions=(then, other),
                       loc=loop.loc, hints=[v.hint for v in outside])
        insert_before(loop, [cond, guard])
        inside.update(id(o) for o in guard.walk())
        mapping = dict(zip(outside, guard.results))
        for user in f.walk():
            if id(user) not in inside and any(v in mapping for v in user.operands):
                user.operands = [mapping.get(v, v) for v in user.operands]
