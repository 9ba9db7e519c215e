"""A distributed plan: the layout-annotated entry function cut into steps the driver runs.

Straight-line runs of ops become *segments*, each a PhySL function printed as text:
  - local segments (every result replicated) run at the client on the phylanx runtime;
  - block segments (partitioned or partial results) run as one task per block, on the
    worker holding the block.
Control flow whose body holds partitioned values stays at the client (`Control` steps, run
by the driver); a loop or `if` computing only replicated values is one op of a local
segment. `dist_*` ops are `Convert` steps; tuples of mixed layouts `Struct` steps; the
extent of a partitioned argument a `Meta` step (the driver knows the arguments' shapes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from phylanx.ir.core import Block, Function, Module, Op, Value
from phylanx.ir.printer import print_module
from phylanx.ir.registry import is_annotation
from phylanx.ir.types import ArrayType, TupleType
from phylanx.passes.ir_utils import clone_op, new_op
from phylanx.passes.layout import REPLICATED, Layout, op_layouts


@dataclass(eq=False)
class Segment:
    kind: str                  # "local" or "blocks"
    text: str                  # PhySL module; its entry function is the segment
    inputs: list[Value]        # arguments, in order
    outputs: list[Value]       # results, in order (one result or a tuple of them)
    ops: list[Op]
    lines: str = ""            # source lines of its ops, for profiles and errors

    @property
    def loc(self):
        return self.ops[0].loc


@dataclass(eq=False)
class Control:
    op: Op
    regions: list[list]        # the steps of each region


@dataclass(eq=False)
class Step:
    kind: str                  # "convert", "struct", "meta", "const", "yield", "return"
    op: Op


@dataclass(eq=False)
class Plan:
    """The steps of the entry function and every value's layout."""

    function: Function
    steps: list
    layouts: dict[Value, Layout] = field(default_factory=dict)
    segments: list[Segment] = field(default_factory=list)


def _all_replicated(op: Op) -> bool:
    """Whether op and everything nested in it hold replicated values only."""
    for inner in op.walk():
        if inner.name.startswith("dist_") or any(
                lay != REPLICATED for lay in op_layouts(inner)):
            return False
    return True


def _classify(op: Op, layouts: dict) -> str:
    name = op.name
    if name in ("yield", "return"):
        return name
    if name == "const":
        return "const"
    if name.startswith("dist_"):
        return "convert"
    if op.regions and "control" in op.decl.traits:
        return "local" if _all_replicated(op) else "control"
    results = op_layouts(op)
    if name in ("tuple", "tuple_get") and any(lay != REPLICATED for lay in results):
        return "struct"
    if name == "tuple_get" and layouts.get(op.operands[0], REPLICATED) != REPLICATED:
        return "struct"
    if name == "dim" and layouts.get(op.operands[0], REPLICATED).kind == "partitioned" and (
            results[0] == REPLICATED):
        return "meta"
    return "local" if all(lay == REPLICATED for lay in results) else "blocks"


def build_plan(module: Module, layouts: dict[Value, Layout]) -> Plan:
    """Cut the annotated entry function of `module` into steps; `layouts`: of the entry
    function's arguments (the others are read from the annotations)."""
    f = module.entry
    all_layouts = dict(layouts)
    for op in f.walk():
        for r, lay in zip(op.results, op_layouts(op)):
            all_layouts[r] = lay
    _block_arg_layouts(f.body, all_layouts)
    plan = Plan(f, [], all_layouts)
    users = _users(f)
    plan.steps = _plan_block(f.body, module, all_layouts, users, plan)
    return plan


def _block_arg_layouts(block: Block, layouts: dict) -> None:
    """Carried values inside loops and ifs: the layouts of the op's results."""
    for op in block.ops:
        if op.regions and "control" in op.decl.traits:
            results = op_layouts(op)
            for region in op.regions:
                args = region.args
                if op.name == "for_range":
                    layouts[args[0]] = REPLICATED
                    args = args[1:]
                for a, lay in zip(args, results):
                    layouts[a] = lay
                _block_arg_layouts(region, layouts)


def _users(f: Function) -> dict[Value, list[Op]]:
    users: dict[Value, list[Op]] = {}
    for op in f.walk():
        for v in op.operands:
            users.setdefault(v, []).append(op)
    return users


def _top(op: Op, block: Block) -> Op | None:
    """The op of `block` that is op or holds it."""
    while op is not None and op.parent is not block:
        parent = op.parent.parent if op.parent is not None else None
        op = parent if isinstance(parent, Op) else None
    return op


def _plan_block(block: Block, module: Module, layouts: dict, users: dict, plan: Plan) -> list:
    steps: list = []
    run: list[Op] = []
    run_kind = None

    def flush():
        nonlocal run, run_kind
        if run:
            seg = _segment(run, run_kind, block, module, layouts, users)
            steps.append(seg)
            plan.segments.append(seg)
        run, run_kind = [], None

    for op in block.ops:
        kind = _classify(op, layouts)
        if kind in ("local", "blocks"):
            if run_kind not in (None, kind):
                flush()
            run.append(op)
            run_kind = kind
            continue
        flush()
        if kind == "control":
            steps.append(Control(op, [_plan_block(r, module, layouts, users, plan)
                                      for r in op.regions]))
        else:
            steps.append(Step(kind, op))
    flush()
    return steps


def _segment(ops: list[Op], kind: str, block: Block, module: Module, layouts: dict,
             users: dict) -> Segment:
    inside = set(ops)
    defined: set[Value] = set()
    for op in ops:
        for inner in op.walk():
            defined.update(inner.results)
            for region in inner.regions:
                defined.update(region.args)
    inputs: list[Value] = []
    consts: list[Op] = []
    for op in ops:
        for inner in op.walk():
            for v in inner.operands:
                if v in defined or v in inputs:
                    continue
                d = v.defining_op
                if d is not None and d.name == "const":
                    if d not in consts:
                        consts.append(d)
                    continue
                inputs.append(v)
    outputs = [r for op in ops for r in op.results
               if any(_top(u, block) not in inside for u in users.get(r, ()))]

    def chunk_type(v: Value):
        lay = layouts.get(v, REPLICATED)
        t = v.type
        if kind == "blocks" and lay.kind == "partitioned" and isinstance(t, ArrayType):
            shape = list(t.shape)
            shape[lay.axis] = None
            return ArrayType(t.dtype, tuple(shape))
        return t

    entry = block
    while not isinstance(entry.parent, Function):
        entry = entry.parent.parent
    source = entry.parent
    f = Function("segment", [chunk_type(v) for v in inputs], [v.hint for v in inputs],
                 None, source.file, ops[0].loc)
    mapping: dict = dict(zip(inputs, f.args))
    for c in consts:
        f.body.append(clone_op(c, mapping))
    for op in ops:
        copy = clone_op(op, mapping)
        for inner in copy.walk():
            for key in [k for k in inner.attrs if is_annotation(k)]:
                del inner.attrs[key]
        if kind == "blocks":
            for old, new in zip(op.results, copy.results):
                new.type = chunk_type(old)
        f.body.append(copy)
    results = [mapping[v] for v in outputs]
    if len(results) == 1:
        out = results[0]
    else:
        out = f.body.append(new_op("tuple", results, [TupleType(tuple(r.type for r in results))],
                                   loc=ops[-1].loc)).results[0]
    f.result_type = out.type
    f.body.append(new_op("return", [out], [], loc=ops[-1].loc))
    m = Module([f])
    if kind == "local":
        for other in module.functions.values():
            if other is not module.entry:
                m.add(other)
    lines = sorted({op.loc.line for op in ops if op.loc.line > 0})
    return Segment(kind, print_module(m), inputs, outputs, ops,
                   ",".join(map(str, lines)))
