"""parallelize-loops: mark `for_range` loops whose iterations are independent `parallel = true`.

A loop `for i in range(lo, hi, step)` is parallel when
  1. its indices are distinct and non-negative: the step is a positive constant and `lo` is
     known to be >= 0 (a non-negative constant, or a dim/len/size result), so A[i] of two
     iterations never name the same row;
  2. every loop-carried array reaches the yield from its block argument only through writes
     of row i: `setitem A[i, ...], ...`, possibly inside an `if` (both branches)
     or an inner for_range carrying the array (still writing row i of the outer index);
  3. the carried arrays (and their aliases) are otherwise only read at row i (getitem with
     first index i) or for their shape (dim, len, size);
  4. every other op of the body is pure: no other in-place write, no random draw (the order of
     draws would change), no call of a function with side effects;
  5. no value from outside the loop that may alias a carried array is read in the body;
  6. other carried values do not depend on the previous iteration (such as Python's loop
     variable, carried out of the loop): each is the last iteration's value ("lastprivate").
Otherwise the loop stays sequential and a remark says which condition failed. If an
iteration raises, which other iterations have already written their rows is unspecified.
"""

from __future__ import annotations

from phylanx.ir.core import Block, Module, Op, Value

from .diagnostics import describe
from .effects import Effects, is_pure, nonneg
from .ir_utils import const_value, is_inside, is_reference
from .manager import Pass, PassContext, register


class _Sequential(Exception):
    pass


def _name(v: Value) -> str:
    return f"%{v.hint}" if v.hint else "a value"


@register
class ParallelizeLoops(Pass):
    """Mark independent for_range loops parallel (see module doc)."""

    name = "parallelize-loops"

    def run(self, module: Module, ctx: PassContext) -> None:
        self.module, self.ctx = module, ctx
        for f in module.functions.values():
            self.file, self.eff = f.file, Effects(f, module)
            for op in list(f.walk()):
                if op.name == "for_range":
                    try:
                        writers = self._check(op)
                    except _Sequential as e:
                        ctx.remark("sequential", op.loc, f"loop {describe(op)} stays "
                                                         f"sequential: {e}")
                        continue
                    op.attrs["parallel"] = True
                    ctx.count("loops-parallelized")
                    what = ", ".join(describe(w, self.file) for w in writers) or "no writes"
                    ctx.remark("parallel", op.loc, f"loop {describe(op)} is parallel: "
                                                   f"iterations write only row i ({what})")

    def _check(self, loop: Op) -> list[Op]:
        lo, _, step = loop.operands[:3]
        s = const_value(step)
        if not (isinstance(s, int) and s > 0):
            raise _Sequential("the step is not a positive constant")
        if not nonneg(lo):
            raise _Sequential("the lower bound is not known to be >= 0 (A[i] of two "
                              "iterations could be the same row)")
        body = loop.regions[0]
        if any(o.name == "return" for o in body.walk()):
            raise _Sequential("the body may return from the function")
        i, carried = body.args[0], body.args[1:]
        yields = body.terminator.operands
        writers, chain_ops, chain_values = [], set(), set()
        for c, y in zip(carried, yields):
            if not is_reference(c.type):
                if self._depends(y, set(carried), body):
                    raise _Sequential(f"{_name(c)} is carried from one iteration to the next "
                                      "(a reduction or recurrence)")
                continue
            start, ws = self._back(y, body, i, chain_ops, chain_values)
            if start is not c:
                raise _Sequential(f"the carried array {_name(c)} is not updated by writing "
                                  "rows of itself")
            chain_values.add(c)
            writers += ws
        self._check_uses(loop, body, i, chain_ops, chain_values)
        return writers

    def _depends(self, v: Value, carried: set, body: Block) -> bool:
        todo, seen = [v], set()
        while todo:
            u = todo.pop()
            if u in carried:
                return True
            op = u.defining_op
            if op is None or u in seen or not is_inside(u, body.parent):
                continue
            seen.add(u)
            todo.extend(op.operands)
            for block in op.regions:
                for inner in block.walk():
                    todo.extend(inner.operands)
        return False

    def _back(self, val: Value, block: Block, i: Value, chain_ops: set, chain_values: set):
        """Walk back from `val` through row-i writers of `block`: (start value, writers)."""
        writers = []
        while True:
            op = val.defining_op
            if op is None or op.parent is not block:
                return val, writers
            chain_values.add(val)
            chain_ops.add(op)
            if op.name == "setitem":
                if op.attrs["index"][:1] != ("i",):
                    raise _Sequential(f"{describe(op, self.file)} writes "
                                      f"{_name(op.operands[0])} at more than one row")
                if op.operands[1] is not i:
                    raise _Sequential(f"{describe(op, self.file)} writes row "
                                      f"[{_name(op.operands[1])}] of {_name(op.operands[0])}, "
                                      f"not row [{_name(i)}] of this loop's index")
                writers.append(op)
                val = op.operands[0]
            elif op.name == "for_range":
                k = op.results.index(val)
                inner = op.regions[0]
                start, ws = self._back(inner.terminator.operands[k], inner, i, chain_ops,
                                       chain_values)
                if start is not inner.args[k + 1]:
                    raise _Sequential(f"inner loop {describe(op, self.file)} replaces the array")
                chain_values.add(start)
                writers += ws
                val = op.operands[3 + k]
            elif op.name == "if":
                k = op.results.index(val)
                starts = []
                for branch in op.regions:
                    start, ws = self._back(branch.terminator.operands[k], branch, i, chain_ops,
                                           chain_values)
                    starts.append(start)
                    writers += ws
                if starts[0] is not starts[1]:
                    raise _Sequential(f"the branches of {describe(op, self.file)} yield "
                                      "different arrays")
                val = starts[0]
            else:
                raise _Sequential(f"{describe(op, self.file)} computes the carried array "
                                  "(only row writes A[i, ...] = ... keep iterations independent)")

    def _check_uses(self, loop: Op, body: Block, i: Value, chain_ops: set, chain_values: set):
        classes = {self.eff.cls(c) for c in chain_values if self.eff.cls(c) is not None}
        for op in body.walk():
            for pos, v in enumerate(op.operands):
                if v in chain_values:
                    self._chain_use(op, pos, v, i, body, chain_ops)
                elif is_reference(v.type) and not is_inside(v, loop) \
                        and self.eff.cls(v) in classes:
                    raise _Sequential(f"{describe(op, self.file)} reads {_name(v)}, which may "
                                      "alias the array the loop writes")
            if op in chain_ops or op.regions or "terminator" in op.decl.traits:
                continue
            if not is_pure(op, self.module):
                if "random" in op.decl.traits:
                    why = "draws random numbers (parallel order would change them)"
                elif "inplace" in op.decl.traits:
                    why = f"writes {_name(op.operands[0])}, which is not row i of a carried array"
                else:
                    why = "has side effects"
                raise _Sequential(f"{describe(op, self.file)} {why}")

    def _chain_use(self, op: Op, pos: int, v: Value, i: Value, body: Block,
                   chain_ops: set) -> None:
        if op.name == "yield" and (op.parent is body or op.parent.parent in chain_ops):
            return
        if op in chain_ops and (pos == 0 or op.name == "for_range"):
            return
        if op.name in ("dim", "len", "size"):
            return
        if op.name == "getitem" and op.attrs["index"][:1] == ("i",) and pos == 0 \
                and op.operands[1] is i:
            return
        raise _Sequential(f"{describe(op, self.file)} uses {_name(v)} other than at row "
                          f"[{_name(i)}] (a dependence between iterations)")
