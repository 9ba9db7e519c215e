"""What running the iterations of a `for_range` concurrently needs, whoever checks it.

`parallel_loop_refusal(loop, effects)` states the conditions the runtime relies on when it
spreads iterations over threads: no early return, no random draws (their order would change)
and each loop-carried value either updated in place (every iteration hands back the buffer it
got) or not depending on the previous iteration at all (the last iteration's value is the
result). The parallelize-loops pass checks these first and proves independence of the
elements written on top; the runtime's lowering checks them again for loops marked parallel
in hand-written PhySL.
"""

from __future__ import annotations

from phylanx.ir.core import Block, Op, Value

from .effects import Effects
from .values import outside_uses


def parallel_loop_refusal(loop: Op, effects: Effects, memo: dict | None = None) -> str | None:
    """Why the iterations of `loop` cannot run concurrently, or None (see module doc).
    `memo` caches the values each op reads from outside it, across calls."""
    memo = {} if memo is None else memo
    body = loop.regions[0]
    for o in body.walk():
        if o.name == "return":
            return "its body returns from the function"
        if effects.uses_global_state(o):
            return "its body draws random numbers or prints"
    term = body.terminator
    for k, v in enumerate(term.operands):
        arg = body.args[k + 1]
        if not (hands_back(v, arg) or v not in _tainted(body, arg, memo)):
            return (f"loop-carried value {k} depends on the previous iteration and is not "
                    f"updated in place")
    return None


def _tainted(block: Block, value: Value, memo: dict) -> set[Value]:
    """Values of `block` (and its nested blocks) computed from `value`, with `value`."""
    out = {value}
    for o in block.walk():
        if any(u in out for u in outside_uses(o, memo)):
            out.update(o.results)
            for b in o.regions:
                out.update(b.args)
    return out


def hands_back(v: Value, arg: Value, depth: int = 0) -> bool:
    """Is v the carried block argument `arg` itself, or an in-place update of it?"""
    if v is arg:
        return True
    op = v.defining_op
    if op is None or depth > 64:
        return False
    if "inplace" in op.decl.traits and v is op.results[0]:
        return hands_back(op.operands[0], arg, depth + 1)
    if op.name == "if":
        return all(b.terminator is not None and b.terminator.name == "yield" and
                   hands_back(b.terminator.operands[v.index], arg, depth + 1)
                   for b in op.regions)
    if op.name == "for_range":   # an inner loop carrying the buffer
        inner = op.regions[0]
        return hands_back(op.operands[3 + v.index], arg, depth + 1) and \
            hands_back(inner.terminator.operands[v.index], inner.args[v.index + 1], depth + 1)
    return False
