"""Effects: purity, alias classes (which buffers an op reads and writes) and random draws.

Both consumers use this one analysis: the optimizer (phylanx.passes: what may be removed,
merged, hoisted or run in parallel) and the runtime's lowering (the memory edges of its task
graphs). Facts come from the traits the op declarations state (`pure`, `view`, `inplace`,
`allocates`, `random`, `terminator`), never from op names.

Calls. `function_effects(module)` summarises each function by a fixpoint over the call graph
(recursion allowed): whether it may write a buffer in place, draw random numbers, or do
anything impure, itself or through the functions it calls. A call of an unknown function may
do anything.

Aliasing. Values of reference types (arrays, lists, tuples holding them) are put in alias
classes with a union-find: a result joins operand 0 for `view` and `inplace` ops; a result
of any other op that does not allocate a fresh array (convert, select, tuple, tuple_get, list
ops, calls, ...) joins all its reference operands; control ops join, position by position,
their init operands, block arguments, yielded values and results. A `const` array, and the
result of an allocating op, starts its own class. A tuple used only by `return` does not make
its elements aliases of each other.

Arguments. The entry function's distinct array arguments are assumed not to share memory
(as Fortran does and as Numba's parallel loops assume); `arguments_overlap` checks it for
actual arguments, so that a caller can fall back to the unoptimized module. The arguments of
any other function (and of an entry the module calls itself) may alias: a call may pass one
array twice, `g(x, x)`, and nothing checks it. With `args_may_alias=True` (the runtime's
lowering, which does not know whether the caller checked) every reference argument of every
function starts in one class.

An op writes the classes of operand 0 if it is `inplace`, the classes of its reference
operands if it calls a function that may write, and whatever the ops of its regions write. Two
ops of one block conflict (must keep their order) when one writes a class the other reads or
writes, or when both use global state: draw random numbers or print (ops with a trait of
GLOBAL_STATE_TRAITS: reordered, the draws or the output would change).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from phylanx.ir.core import Function, Module, Op, Value
from phylanx.ir.types import ListType, TupleType

from .values import is_reference, uses

# Traits of ops that use state outside the program: NumPy's global generator, stdout.
GLOBAL_STATE_TRAITS = frozenset({"random", "io"})

# --- functions ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class FunctionEffects:
    """What calling a function may do, itself or through its callees."""

    writes: bool   # write a buffer in place (an argument's, or one reached through them)
    global_state: bool   # draw random numbers or print (GLOBAL_STATE_TRAITS)
    pure: bool     # none of the above and no other side effect


UNKNOWN_FUNCTION = FunctionEffects(writes=True, global_state=True, pure=False)


def function_effects(module: Module | None, names: Iterable[str] | None = None
                     ) -> dict[str, FunctionEffects]:
    """Effects of the functions `names` (default: all) of `module` and of those they call."""
    if module is None:
        return {}
    todo = list(module.functions if names is None else names)
    local, callees = {}, {}
    while todo:
        name = todo.pop()
        if name in local or name not in module.functions:
            continue
        writes = draws = impure = False
        called = set()
        for op in module.functions[name].walk():
            traits = op.decl.traits
            if op.name == "call":
                called.add(op.attrs["callee"])
                continue
            writes |= "inplace" in traits
            draws |= bool(traits & GLOBAL_STATE_TRAITS)
            if not op.regions and "terminator" not in traits:
                impure |= bool(traits & (GLOBAL_STATE_TRAITS | {"inplace"})) \
                    or "pure" not in traits
        local[name] = [writes, draws, impure]
        callees[name] = called
        todo.extend(called)
    summary = {name: list(flags) for name, flags in local.items()}
    changed = True
    while changed:   # least fixpoint: a function has an effect if it or a callee has it
        changed = False
        for name, called in callees.items():
            flags = summary[name]
            for c in called:
                other = summary.get(c, (True, True, True))
                merged = [a or b for a, b in zip(flags, other)]
                if merged != flags:
                    flags[:] = merged
                    changed = True
    return {name: FunctionEffects(w, d, not i) for name, (w, d, i) in summary.items()}


def callee_effects(op: Op, module: Module | None,
                   summary: dict[str, FunctionEffects] | None = None) -> FunctionEffects:
    """Effects of the function a `call` op calls."""
    name = op.attrs["callee"]
    if summary is None:
        summary = function_effects(module, (name,))
    return summary.get(name, UNKNOWN_FUNCTION)


def function_is_pure(module: Module | None, name: str) -> bool:
    """No in-place writes, random draws or impure calls anywhere in function `name`."""
    return function_effects(module, (name,)).get(name, UNKNOWN_FUNCTION).pure


def is_pure(op: Op, module: Module | None = None) -> bool:
    """No side effects: removable when unused, movable, duplicable (reads aside)."""
    traits = op.decl.traits
    if traits & (GLOBAL_STATE_TRAITS | {"terminator", "inplace"}):
        return False
    if op.name == "call":
        return callee_effects(op, module).pure
    if op.regions:
        return all(inner.name == "yield" or is_pure(inner, module)
                   for block in op.regions for inner in block.ops)
    return "pure" in traits


# --- aliasing ----------------------------------------------------------------------------------

class Effects:
    """Alias classes of a function's values and the classes each op reads and writes."""

    def __init__(self, function: Function, module: Module | None = None,
                 args_may_alias: bool | None = None):
        self.function = function
        self.module = module
        self.parent: dict[Value, Value] = {}
        self._writes: dict[Op, frozenset] = {}
        self._draws: dict[Op, bool] = {}
        callees = {op.attrs["callee"] for op in function.walk() if op.name == "call"}
        self.callees = function_effects(module, callees)
        refs = [a for a in function.args if is_reference(a.type)]
        if args_may_alias is None:
            args_may_alias = not _checked_entry(function, module)
        if args_may_alias:
            for a in refs[1:]:
                self.union(refs[0], a)
        users = uses(function)
        # A tuple only returned does not make its elements aliases of each other.
        self._returned_tuples = {
            op for op in function.walk() if op.name == "tuple" and users.get(op.results[0])
            and all(u.name == "return" for u in users[op.results[0]])}
        for op in function.walk():
            if op not in self._returned_tuples:
                self._join(op)
        self.written: set = set()
        self.returned: set = set()
        for op in function.walk():
            if "inplace" in op.decl.traits or op.name == "call":
                self.written |= self.writes(op)
            if op.name == "return":
                self.returned |= self._returned_classes(op.operands[0])

    def _returned_classes(self, v: Value) -> set:
        op = v.defining_op
        if op is not None and op in self._returned_tuples:
            out = set()
            for e in op.operands:
                out |= self._returned_classes(e)
            return out
        return self.classes([v])

    def find(self, v: Value) -> Value:
        root = v
        while self.parent.get(root, root) is not root:
            root = self.parent[root]
        while v is not root:
            v, self.parent[v] = self.parent.get(v, v), root
        return root

    def union(self, a: Value, b: Value) -> None:
        if is_reference(a.type) and is_reference(b.type):
            ra, rb = self.find(a), self.find(b)
            if ra is not rb:
                self.parent[rb] = ra

    def cls(self, v: Value) -> Value | None:
        return self.find(v) if is_reference(v.type) else None

    def classes(self, values: Iterable[Value]) -> set:
        return {self.find(v) for v in values if is_reference(v.type)}

    def _join(self, op: Op) -> None:
        traits = op.decl.traits
        name = op.name
        if name == "for_range":
            body = op.regions[0]
            for k, init in enumerate(op.operands[3:]):
                self._join_all(init, body.args[k + 1], op.results[k], _yielded(body, k))
        elif name == "while":
            cond, body = op.regions
            for k, init in enumerate(op.operands):
                self._join_all(init, cond.args[k], body.args[k], op.results[k],
                               _yielded(body, k))
        elif name == "if":
            for k, r in enumerate(op.results):
                self._join_all(r, *[_yielded(b, k) for b in op.regions])
        elif traits & {"view", "inplace"}:
            for r in op.results:
                self.union(op.operands[0], r)
        elif "allocates" in traits and not any(
                isinstance(r.type, (ListType, TupleType)) for r in op.results):
            return
        else:
            for r in op.results:
                for v in op.operands:
                    self.union(r, v)

    def _join_all(self, *values) -> None:
        values = [v for v in values if v is not None]
        for v in values[1:]:
            self.union(values[0], v)

    def _callee(self, op: Op) -> FunctionEffects:
        return self.callees.get(op.attrs["callee"], UNKNOWN_FUNCTION)

    def writes(self, op: Op) -> frozenset:
        """Alias classes op may write (nested ops and callees included)."""
        got = self._writes.get(op)
        if got is not None:
            return got
        out = set()
        if "inplace" in op.decl.traits:
            out |= self.classes(op.operands[:1])
        elif op.name == "call" and self._callee(op).writes:
            out |= self.classes(op.operands)
        for block in op.regions:
            for inner in block.ops:
                out |= self.writes(inner)
        got = frozenset(self.find(c) for c in out)
        self._writes[op] = got
        return got

    def uses_global_state(self, op: Op) -> bool:
        """True if op (an op of its regions, or a function it calls) draws random numbers or
        prints."""
        got = self._draws.get(op)
        if got is None:
            got = bool(op.decl.traits & GLOBAL_STATE_TRAITS) or (
                op.name == "call" and self._callee(op).global_state) or any(
                self.uses_global_state(inner) for block in op.regions for inner in block.ops)
            self._draws[op] = got
        return got

    def reads(self, op: Op) -> set:
        """Alias classes op may read (operands of op and of its nested ops)."""
        out = self.classes(op.operands)
        for block in op.regions:
            for inner in block.walk():
                out |= self.classes(inner.operands)
        return out

    def conflict(self, a: Op, b: Op) -> bool:
        """True if ops a and b must keep their order: one may write what the other reads or
        writes, or both use global state (random draws, printing)."""
        wa = {self.find(c) for c in self.writes(a)}
        wb = {self.find(c) for c in self.writes(b)}
        ra = {self.find(c) for c in self.reads(a)}
        rb = {self.find(c) for c in self.reads(b)}
        return bool(wa & (rb | wb) or wb & ra) or (self.uses_global_state(a) and
                                                   self.uses_global_state(b))

    def is_written(self, *values: Value) -> bool:
        """True if some in-place write anywhere in the function may touch these values."""
        written = {self.find(c) for c in self.written}
        return bool(self.classes(values) & written)

    def is_returned(self, v: Value) -> bool:
        returned = {self.find(c) for c in self.returned}
        return self.cls(v) in returned


def _yielded(block, k):
    term = block.terminator
    if term is not None and term.name == "yield" and k < len(term.operands):
        return term.operands[k]
    return None


def _checked_entry(function: Function, module: Module | None) -> bool:
    """True if `function` is called only from outside the module, as its entry: the caller
    checks `arguments_overlap` for it."""
    if module is None:
        return True     # a function analysed on its own is taken as an entry
    return function is module.entry and not any(
        op.name == "call" and op.attrs["callee"] == function.name for op in module.walk())


def written_arguments(module: Module) -> tuple[int, ...]:
    """Positions of the entry's array arguments that the module may write in place."""
    f = module.entry
    eff = Effects(f, module)
    written = {eff.find(c) for c in eff.written}
    return tuple(i for i, a in enumerate(f.args) if eff.cls(a) in written)


def arguments_overlap(module: Module | tuple, args: Sequence) -> bool:
    """True if an array argument the entry may write shares memory with another array
    argument: the no-alias rule the optimized module relies on does not hold for `args`.
    `module` may also be the `written_arguments` of the module (cheap per call)."""
    written = module if isinstance(module, tuple) else written_arguments(module)
    for i in written:
        x = args[i]
        if not isinstance(x, np.ndarray):
            continue
        for j, y in enumerate(args):
            if j != i and isinstance(y, np.ndarray) and np.may_share_memory(x, y):
                return True
    return False
