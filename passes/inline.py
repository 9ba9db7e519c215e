"""inline: replace calls of small functions by a copy of the callee's body.

A `call` is inlined when its callee has at most `max_ops` ops (terminators not counted).
Arguments are substituted for the callee's parameters (through a `convert` when the caller's
type is more precise, which at run time returns the same object, so in-place writes in the
callee still reach the caller's buffer); the returned value replaces the call's result.
Copied ops keep their source locations, which name the callee's file when it is another one
(printed as @"file.py":line:col). Calls inside inlined bodies are considered in turn, up to
`max_rounds` times; functions no longer called (other than the entry) are removed.
"""

from __future__ import annotations

from phylanx.ir.core import Function, Module, Op

from .ir_utils import clone_op, count_ops, erase, function_of, insert_before, new_op, replace_uses
from .manager import Pass, PassContext, register


def inline_call(call: Op, callee: Function) -> None:
    f = function_of(call)
    new: list[Op] = []
    mapping = {}
    for param, arg in zip(callee.args, call.operands):
        if arg.type != param.type:
            conv = new_op("convert", [arg], [param.type], loc=call.loc, hints=(param.hint,))
            new.append(conv)
            arg = conv.results[0]
        mapping[param] = arg
    term = callee.body.terminator
    for op in callee.body.ops:
        if op is not term:
            new.append(clone_op(op, mapping))
    result = mapping.get(term.operands[0], term.operands[0])
    (r,) = call.results
    if result.type != r.type:
        conv = new_op("convert", [result], [r.type], loc=call.loc, hints=(r.hint,))
        new.append(conv)
        result = conv.results[0]
    elif r.hint and not result.hint:
        result.hint = r.hint
    insert_before(call, new)
    erase(call)
    replace_uses(f, {r: result})


@register
class Inline(Pass):
    """Inline calls of functions of at most `max_ops` ops (see module doc)."""

    name = "inline"
    max_ops: int = 40
    max_rounds: int = 4

    def run(self, module: Module, ctx: PassContext) -> None:
        refused = set()
        for _ in range(self.max_rounds):
            changed = False
            for f in list(module.functions.values()):
                for op in list(f.walk()):
                    if op.name != "call" or op.parent is None:
                        continue
                    callee = module.functions.get(op.attrs["callee"])
                    if callee is None or callee is f:
                        continue
                    n = count_ops(callee)
                    if any(o.name == "return" and o.parent is not callee.body
                           for o in callee.walk()):
                        continue  # a return inside a region: not a single exit
                    if n > self.max_ops:
                        if (id(op), callee.name) not in refused:
                            refused.add((id(op), callee.name))
                            ctx.remark("not-inlined", op.loc, f"call of @{callee.name} kept: "
                                       f"{n} ops > max-ops={self.max_ops}")
                        continue
                    inline_call(op, callee)
                    ctx.count("calls-inlined")
                    ctx.remark("inlined", op.loc, f"call of @{callee.name} inlined ({n} ops)")
                    changed = True
            if not changed:
                break
        reachable, todo = set(), [module.entry.name]
        while todo:
            name = todo.pop()
            if name in reachable or name not in module.functions:
                continue
            reachable.add(name)
            todo.extend(op.attrs["callee"] for op in module.functions[name].walk()
                        if op.name == "call")
        for name in list(module.functions):
            if name not in reachable:
                del module.functions[name]
                ctx.count("functions-removed")
