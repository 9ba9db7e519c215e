"""Reference evaluator: runs PhySL op by op with NumPy.

This is the test oracle for differential tests of the frontend, the passes and the runtime.
It is deliberately simple and is not the product's execution path (that is phylanx.runtime).
"""

from __future__ import annotations

from phylanx.ir.core import Block, Function, Module, Op


class _Return(Exception):
    def __init__(self, value):
        self.value = value


def evaluate(module: Module, *args, function: str | None = None):
    """Run `function` (default: the entry) of `module` on `args` and return its result."""
    f = module.functions[function] if function else module.entry
    return _call(module, f, args)


def _call(module: Module, f: Function, args):
    if len(args) != len(f.args):
        count = f"{len(f.args)} argument" + ("" if len(f.args) == 1 else "s")
        raise TypeError(f"@{f.name} takes {count}, got {len(args)}")
    env = dict(zip(f.args, args))
    try:
        _run_block(module, f.body, env)
    except _Return as r:
        return r.value
    raise RuntimeError(f"@{f.name} ended without return")


def _run_block(module: Module, block: Block, env: dict):
    """Run the ops of `block`; returns the operands of its `yield` (or None)."""
    for op in block.ops:
        name = op.name
        if name == "yield":
            return [env[v] for v in op.operands]
        if name == "return":
            raise _Return(env[op.operands[0]])
        values = [env[v] for v in op.operands]
        evaluate_regions = op.decl.evaluate
        if evaluate_regions is not None and "control" not in op.decl.traits:
            results = evaluate_regions(op, values)  # e.g. fused ops: their body is the compute
        elif op.regions or name == "call":
            results = _control(module, op, values, env)
        else:
            results = _primitive(op, values)
        for r, v in zip(op.results, results):
            env[r] = v
    return None


def _region(module, block: Block, args, env):
    env.update(zip(block.args, args))
    return _run_block(module, block, env)


def _control(module: Module, op: Op, values, env):
    name = op.name
    if name == "if":
        return _region(module, op.regions[0 if values[0] else 1], (), env)
    if name == "for_range":
        lo, hi, step, *carried = values
        for i in range(lo, hi, step):
            carried = _region(module, op.regions[0], [i, *carried], env)
        return carried
    if name == "while":
        carried = values
        cond, body = op.regions
        while _region(module, cond, carried, env)[0]:
            carried = _region(module, body, carried, env)
        return carried
    if name == "call":
        return [_call(module, module.functions[op.attrs["callee"]], values)]
    raise NotImplementedError(f"oracle: control op {name}")


def _primitive(op: Op, values):
    decl = op.decl
    if decl.impl is None:
        raise NotImplementedError(f"oracle: op '{op.name}' has no reference implementation")
    kwargs = dict(op.attrs)
    if decl.needs_result_types:
        kwargs["result_types"] = [r.type for r in op.results]
    out = decl.impl(*values, **kwargs)
    if len(op.results) == 1:
        return [out]
    if not op.results:
        return []
    return list(out)
