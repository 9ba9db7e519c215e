"""dce: dead code and dead regions.

- An op is dead when none of its results is used, it is pure (no in-place write, no random
  draw, no call of a function that has either, and, for ops with regions, every nested op
  pure) and it can neither raise nor warn (effects.may_raise_or_warn: an unused `a[i]` out of
  bounds still raises IndexError, an unused `np.sqrt(-1.0)` still warns, or raises under
  np.errstate(all="raise"), an unused mean of an empty array still warns). Dead ops are
  removed, innermost and last first, to a fixed point. A dead `while` loop is kept (it might
  not terminate).
- `if` on a constant condition: the taken region's ops replace the `if`; its yielded values
  replace the results.
- A loop-carried value the body yields unchanged is the initial value in every iteration and
  after the loop: its uses take the initial value. A loop-carried value whose result is unused
  and whose block argument is used by nothing but the yield passing it on is dropped.
- `for_range` whose constant bounds give zero iterations, and `while` whose condition region
  yields the constant false and has no op that writes, draws, raises or warns (the condition
  runs once): the loop is removed and its results are the initial values.
"""

from __future__ import annotations

from phylanx.analysis import NOT_CONST, const_value, is_pure, may_raise_or_warn, uses
from phylanx.ir.core import Block, Function, Module, Op

from .ir_utils import erase, function_of, insert_before, replace_uses
from .manager import Pass, PassContext, register


def inline_region(op: Op, block: Block, args=()) -> None:
    """Replace `op` by the ops of `block` (moved, not copied); its results by the yields."""
    mapping = dict(zip(block.args, args))
    term = block.terminator
    body = [o for o in block.ops if o is not term]
    insert_before(op, body)
    yielded = list(term.operands) if term is not None else []
    mapping.update(zip(op.results, [mapping.get(v, v) for v in yielded]))
    f = function_of(op)
    erase(op)
    replace_uses(f, mapping)


def _trip_count(op: Op) -> int | None:
    bounds = [const_value(v) for v in op.operands[:3]]
    if any(b is NOT_CONST or not isinstance(b, int) for b in bounds) or bounds[2] == 0:
        return None
    return len(range(*bounds))


def _const_false_cond(op: Op, module: Module) -> bool:
    cond = op.regions[0]
    term = cond.terminator
    return const_value(term.operands[0]) is False and all(
        is_pure(o, module) and not may_raise_or_warn(o, module) for o in cond.ops if o is not term)


def simplify_control(f: Function, module: Module, ctx: PassContext | None = None) -> int:
    """Inline constant `if`s, drop zero-trip loops; returns how many ops were simplified."""
    n = 0
    for op in list(f.walk()):
        if _detached(op):  # inside an op removed or inlined earlier in this walk
            continue
        if op.name == "if":
            c = const_value(op.operands[0])
            taken = op.regions[0 if c else 1] if isinstance(c, bool) else None
            if taken is not None and taken.terminator is not None \
                    and taken.terminator.name == "yield":
                _remark(ctx, op, f"condition is constant {c}: "
                                 f"'{'then' if c else 'else'}' region inlined")
                inline_region(op, op.regions[0 if c else 1])
                n += 1
        elif op.name == "for_range" and _trip_count(op) == 0:
            _remark(ctx, op, "loop runs zero times: removed")
            _replace_by_init(op, op.operands[3:])
            n += 1
        elif op.name == "while" and _const_false_cond(op, module):
            _remark(ctx, op, "loop condition is constant false: removed")
            _replace_by_init(op, op.operands)
            n += 1
    return n


def _detached(op: Op) -> bool:
    """Whether `op`, or an op whose region holds it, is no longer in its function."""
    while op is not None:
        block = op.parent
        if block is None:
            return True
        if isinstance(block.parent, Function):
            return False
        op = block.parent
    return True


def _replace_by_init(op: Op, init) -> None:
    f = function_of(op)
    mapping = dict(zip(op.results, init))
    erase(op)
    replace_uses(f, mapping)


def _remark(ctx, op, message) -> None:
    if ctx is not None:
        ctx.remark("simplified", op.loc, message)


def forward_invariant_carried(f: Function) -> int:
    """Values a loop passes through unchanged: uses take the initial value."""
    users = uses(f)
    mapping = {}
    for op in f.walk():
        if op.name not in ("for_range", "while"):
            continue
        shift, first = (1, 3) if op.name == "for_range" else (0, 0)
        term = op.regions[-1].terminator
        if term is None or term.name != "yield":
            continue
        for k, r in enumerate(op.results):
            init = op.operands[first + k]
            args = [b.args[k + shift] for b in op.regions]
            if term.operands[k] is not args[-1] or r.type != init.type or any(
                    a.type != init.type or a in mapping for a in args):
                continue
            if any(u is not term for v in args + [r] for u in users.get(v, ())):
                mapping.update({a: init for a in args})
                mapping[r] = init
    replace_uses(f, mapping)
    return len(mapping)


def drop_dead_carried(f: Function) -> int:
    """Remove loop-carried values nobody reads; returns how many."""
    users = uses(f)
    n = 0
    for op in list(f.walk()):
        if op.name == "for_range":
            blocks, first = [op.regions[0]], 3
        elif op.name == "while":
            blocks, first = list(op.regions), 0
        else:
            continue
        body = op.regions[-1]
        term = body.terminator
        if term is None or term.name != "yield":
            continue
        for k in reversed(range(len(op.results))):
            shift = 1 if op.name == "for_range" else 0
            if users.get(op.results[k]) or any(
                    u is not term for b in blocks for u in users.get(b.args[k + shift], ())):
                continue
            if any(j != k and v is body.args[k + shift] for j, v in enumerate(term.operands)):
                continue
            del op.operands[first + k], op.results[k], term.operands[k]
            for b in blocks:
                del b.args[k + shift]
            n += 1
        for seq in [op.results] + [b.args for b in blocks]:
            for idx, v in enumerate(seq):
                v.index = idx
    return n


def remove_dead_ops(f: Function, module: Module) -> int:
    removed = 0
    while True:
        used = {v for op in f.walk() for v in op.operands}
        dead = [op for op in f.walk() if op.results and op.name != "while"
                and not any(r in used for r in op.results) and is_pure(op, module)
                and not may_raise_or_warn(op, module)]
        dead = [op for op in dead if not any(_inside(op, d) for d in dead if d is not op)]
        if not dead:
            return removed
        for op in dead:
            removed += sum(1 for _ in op.walk())
            erase(op)


def _inside(op: Op, other: Op) -> bool:
    block = op.parent
    while block is not None and isinstance(block.parent, Op):
        if block.parent is other:
            return True
        block = block.parent.parent
    return False


@register
class DCE(Pass):
    """Remove dead pure ops and dead regions (see module doc)."""

    name = "dce"

    def run(self, module: Module, ctx: PassContext) -> None:
        for f in module.functions.values():
            while True:
                simplified = simplify_control(f, module, ctx)
                forwarded = forward_invariant_carried(f)
                ctx.count("carried-values-forwarded", forwarded)
                dropped = drop_dead_carried(f)
                ctx.count("carried-values-dropped", dropped)
                removed = remove_dead_ops(f, module)
                ctx.count("regions-simplified", simplified)
                ctx.count("ops-dead-removed", removed)
                if not (simplified or removed or dropped or forwarded):
                    break
