"""parallelize-loops: mark `for_range` loops whose iterations are independent `parallel = true`.

A loop `for i in range(lo, hi, step)` is parallel when
  1. its indices are distinct and non-negative: the step is a positive constant and `lo` is
     known to be >= 0 (a non-negative constant, or a dim/len/size result), so two iterations
     never index one element with their own `i`;
  2. every loop-carried array reaches the yield from its block argument only through writes
     `setitem A[..., i, ...], ...` whose subscript has the loop index itself on
     some axis k (every component before it an integer or a slice, so its position is the
     axis), possibly inside an `if` (both branches) or an inner for_range carrying the array
     (`out[j, i] = ...` in `for j: for i:` has j on axis 0 for the outer loop, i on axis 1
     for the inner one);
  3. the carried arrays (and their aliases) are otherwise only read at the loop index on that
     same axis k (getitem) or for their shape (dim, len, size); every access of the loop uses
     one axis, so iteration i touches only elements whose coordinate k is i;
  4. every other op of the body is pure: no other in-place write, no random draw (the order of
     draws would change), no call of a function with side effects;
  5. no value from outside the loop that may alias a carried array is read in the body;
  6. other carried values do not depend on the previous iteration (such as Python's loop
     variable, carried out of the loop): each is the last iteration's value ("lastprivate");
  7. what the runtime relies on to run the iterations concurrently holds
     (phylanx.analysis.parallel_loop_refusal, which the runtime's lowering checks too).
Aliasing and purity come from phylanx.analysis.
Otherwise the loop stays sequential and a remark says which condition failed, naming the
variables and subscripts concerned. If an iteration raises, which other iterations have
already written their elements is unspecified.
"""

from __future__ import annotations

from phylanx.analysis import (
    NOT_CONST,
    Effects,
    const_value,
    is_pure,
    is_reference,
    nonneg,
    parallel_loop_refusal,
)
from phylanx.ir.core import Block, Module, Op, Value

from .diagnostics import describe
from .ir_utils import is_inside
from .manager import Pass, PassContext, register


class _Sequential(Exception):
    pass


def _name(v: Value) -> str:
    return f"%{v.hint}" if v.hint else "a value"


def _term(v: Value) -> str:
    """A value inside a subscript: its name, its constant, or its defining op one level deep."""
    if v.hint:
        return f"%{v.hint}"
    c = const_value(v)
    if c is not NOT_CONST:
        return repr(c)
    op = v.defining_op
    if op is None:
        return "?"
    args = ", ".join(f"%{u.hint}" if u.hint else (repr(const_value(u)) if const_value(u)
                     is not NOT_CONST else "...") for u in op.operands)
    return f"{op.name}({args})"


def subscript(op: Op) -> str:
    """`%out[%j, %i]`, `%X[%u, :]`, ... : the array and subscript of a getitem or setitem."""
    operands = iter(op.operands[1:])
    parts = []
    for comp in op.attrs["index"]:
        if comp in ("i", "a"):
            parts.append(_term(next(operands)))
        elif comp[0] == "s":
            bounds = [_term(next(operands)) if bit == "1" else "" for bit in comp[1:]]
            parts.append(":".join(bounds[:2]) + (f":{bounds[2]}" if bounds[2] else ""))
        else:
            parts.append("None" if comp == "n" else "...")
    return f"{_name(op.operands[0])}[{', '.join(parts)}]"


def index_axes(op: Op, i: Value) -> set[int]:
    """Axes of op's array that its subscript selects with exactly `i` (a getitem/setitem).
    Only components after integers and slices count: their position is then their axis."""
    axes, pos = set(), 1
    for k, comp in enumerate(op.attrs["index"]):
        if comp == "i":
            if op.operands[pos] is i:
                axes.add(k)
            pos += 1
        elif comp[0] == "s":
            pos += comp[1:].count("1")
        else:
            break
    return axes


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
                    loop = f"loop over {_name(op.regions[0].args[0])}"
                    try:
                        writers = self._check(op)
                    except _Sequential as e:
                        ctx.remark("sequential", op.loc, f"{loop} stays sequential: {e}")
                        continue
                    op.attrs["parallel"] = True
                    ctx.count("loops-parallelized")
                    what = ", ".join(f"{subscript(w)} = ... ({describe(w, self.file)})"
                                     for w in writers)
                    ctx.remark("parallel", op.loc, f"{loop} is parallel: " + (
                        f"each iteration writes only its own elements: {what}" if writers
                        else "no iteration writes a loop-carried array"))

    def _check(self, loop: Op) -> list[Op]:
        lo, _, step = loop.operands[:3]
        s = const_value(step)
        if not (isinstance(s, int) and s > 0):
            raise _Sequential("the step is not a positive constant")
        if not nonneg(lo):
            raise _Sequential("the lower bound is not known to be >= 0 (two iterations "
                              "could index the same element)")
        body = loop.regions[0]
        if any(o.name == "return" for o in body.walk()):
            raise _Sequential("the body may return from the function")
        i, carried = body.args[0], body.args[1:]
        yields = body.terminator.operands
        self.axes, self.first_access = None, None
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
                                  "elements of itself")
            chain_values.add(c)
            writers += ws
        self._check_uses(loop, body, i, chain_ops, chain_values)
        refusal = parallel_loop_refusal(loop, self.eff)   # what the runtime relies on
        if refusal is not None:
            raise _Sequential(refusal)
        return writers

    def _access(self, op: Op, i: Value, verb: str) -> None:
        """A getitem (verb "reads") or setitem ("writes") of a carried array: it must select
        with `i` on the axis every other access of this loop uses."""
        axes = index_axes(op, i)
        if not axes:
            hazard = "iterations would write the same elements" if verb == "writes" else \
                "a dependence between iterations"
            raise _Sequential(f"{describe(op, self.file)} {verb} {subscript(op)}, not at this "
                              f"loop's index {_name(i)} ({hazard})")
        common = axes if self.axes is None else self.axes & axes
        if not common:
            other, other_verb = self.first_access
            raise _Sequential(f"{describe(other, self.file)} {other_verb} "
                              f"{subscript(other)} but {describe(op, self.file)} {verb} "
                              f"{subscript(op)}: {_name(i)} selects different axes")
        self.axes = common
        if self.first_access is None:
            self.first_access = (op, verb)

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
        """Walk back from `val` through writers of `block` that select with `i`:
        (start value, writers)."""
        writers = []
        while True:
            op = val.defining_op
            if op is None or op.parent is not block:
                return val, writers
            chain_values.add(val)
            chain_ops.add(op)
            if op.name == "setitem":
                self._access(op, i, "writes")
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
                                  "(iterations are independent only if they write it at "
                                  f"A[..., {_name(i)}, ...])")

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
                    why = (f"writes {_name(op.operands[0])} in place, which is not a "
                           "loop-carried array")
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
        if op.name == "getitem" and pos == 0:
            self._access(op, i, "reads")
            return
        raise _Sequential(f"{describe(op, self.file)} uses {_name(v)} other than by a "
                          f"subscript at {_name(i)} (a dependence between iterations)")
