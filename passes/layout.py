"""layout: where every value of a kernel lives when it runs on a Dask cluster.

The entry function's partitioned arguments (Dask arrays: blocks of rows held by the workers;
the option `partitioned=X+y` names them, phylanx.distributed passes them) start the analysis.
Every value then gets one layout, from the traits its op declares:

    replicated       the whole value, small: held by the client, sent to every worker
    partitioned(a)   blocks along axis a, each on the worker holding the matching rows of the
                     partitioned arguments; `ragged`: the block extents are known only at run
                     time (a boolean-mask selection)
    partial(c)       one result per block, of the whole value's shape, that combine (c: sum,
                     max, min, first) into the value: `X.T @ r` with X's rows split

Rules: elementwise ops (and `fused` ones) keep the partitioned axis, replicated operands that
reach it are partitioned alike; reductions keep it or, over it, give partials by their
partial_* trait (a mean becomes a partial sum and a count); products by the operands' split
axes (`matmul`/`matmul_t`/`dot`: rows of A -> rows of the result; the contracted axis ->
partial sum; `matvec_pair` -> partial sum); transposes, views and `[:, None, :]` indexing map
the axis; a boolean mask of the same rows selects a ragged partition; `blockwise` ops keep
it. Loops and `if`s run at the client: a loop-carried value takes one layout for every
iteration (partitioned wins over replicated, unless the body would gather it: then it is
carried replicated, gathered once before the loop). Where no rule applies, the partitioned
value is gathered, with a remark `gather` naming the source line (the driver warns with it).

The pass makes the moves explicit: `dist_reduce` (partials -> replicated), `dist_gather`
(partitioned -> replicated), `dist_partition` (replicated -> partitioned), each placed right
after the value's definition (hoisted out of the loops that use it), and writes each op's
result layouts into its `dist.layout` annotation (a tuple for several results; loops and
`if`s: their carried values). It is the last pass, run by the driver on the optimized IR.
"""

from __future__ import annotations

from dataclasses import dataclass

from phylanx.ir.core import Block, Function, Module, Op, Value
from phylanx.ir.registry import PARTIAL_TRAITS, lookup
from phylanx.ir.types import ArrayType, ScalarType

from .ir_utils import new_op, replace_uses
from .manager import Pass, PassContext, register

LAYOUT_ATTR = "dist.layout"
SPLIT_ATTR = "dist.split"
ROWS = "rows"       # the grid of the partitioned arguments: their blocks of rows
_BEFORE_LOOP = " inside the loop (gathered once, before it)"


@dataclass(frozen=True)
class Layout:
    """A value's layout: kind 'replicated', 'partitioned' (axis, ragged) or 'partial'
    (combine); 'tuple' holds the layouts of a tuple's elements."""

    kind: str
    axis: int = 0
    ragged: bool = False
    combine: str = ""
    elements: tuple = ()
    grid: str = ROWS

    def __str__(self) -> str:
        if self.kind == "partitioned":
            extra = ("" if self.grid == ROWS else f", {self.grid}") + (
                ", ragged" if self.ragged else "")
            return f"partitioned({self.axis}{extra})"
        if self.kind == "partial":
            return f"partial({self.combine})"
        if self.kind == "tuple":
            return f"tuple({', '.join(map(str, self.elements))})"
        return self.kind

    def along(self, axis: int) -> Layout:
        """Partitioned like self (grid, raggedness) along another axis."""
        return Layout("partitioned", axis, self.ragged, grid=self.grid)

    @property
    def is_replicated(self) -> bool:
        return self.kind == "replicated" or (
            self.kind == "tuple" and all(e.is_replicated for e in self.elements))

    @staticmethod
    def parse(text: str) -> Layout:
        """The layout printed as `text` (inverse of str())."""
        text = text.strip()
        if text == "replicated":
            return REPLICATED
        head, _, rest = text.partition("(")
        inner = rest[:-1] if rest.endswith(")") else None
        if inner is None:
            raise ValueError(f"not a layout: {text!r}")
        if head == "partitioned":
            parts = [p.strip() for p in inner.split(",")]
            grids = [p for p in parts[1:] if p != "ragged"]
            return Layout("partitioned", int(parts[0]), ragged="ragged" in parts[1:],
                          grid=grids[0] if grids else ROWS)
        if head == "partial":
            return Layout("partial", combine=inner.strip())
        if head == "tuple":
            return Layout("tuple", elements=tuple(Layout.parse(p) for p in _split_top(inner)))
        raise ValueError(f"not a layout: {text!r}")


REPLICATED = Layout("replicated")


def partitioned(axis: int, ragged: bool = False, grid: str = ROWS) -> Layout:
    return Layout("partitioned", axis, ragged, grid=grid)


def partial(combine: str) -> Layout:
    return Layout("partial", combine=combine)


def _split_top(text: str) -> list[str]:
    parts, depth, cur = [], 0, []
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur))
    return parts


def op_layouts(op: Op) -> list[Layout]:
    """The layouts of `op`'s results written by the pass (replicated when not annotated)."""
    note = op.attrs.get(LAYOUT_ATTR)
    if note is None:
        return [REPLICATED] * len(op.results)
    if isinstance(note, tuple):
        return [Layout.parse(n) for n in note]
    return [Layout.parse(note)]


def _rank(v: Value) -> int:
    return v.type.rank if isinstance(v.type, ArrayType) else 0


def _join(a: Layout, b: Layout) -> Layout:
    """The layout a value takes where paths with layouts a and b meet (loops, if)."""
    if a == b:
        return a
    if a.kind == "partial":
        a = REPLICATED
    if b.kind == "partial":
        b = REPLICATED
    if a.kind == "tuple" and b.kind == "tuple" and len(a.elements) == len(b.elements):
        return Layout("tuple", elements=tuple(map(_join, a.elements, b.elements)))
    if a.kind == "partitioned" and b.kind == "replicated":
        return a
    if b.kind == "partitioned" and a.kind == "replicated":
        return b
    if a.kind == b.kind == "partitioned" and a.axis == b.axis and a.grid == b.grid:
        return partitioned(a.axis, a.ragged or b.ragged, a.grid)
    return REPLICATED


# --- the analysis ------------------------------------------------------------------------------

class _Analysis:
    """Layouts of every value of one function and the conversions its uses need."""

    def __init__(self, function: Function, arg_layouts: dict[Value, Layout]):
        self.function = function
        self.layout: dict[Value, Layout] = dict(arg_layouts)
        self.args = set(arg_layouts)
        # (op, operand index) -> the layout the operand must be converted to
        self.needs: dict[tuple[Op, int], Layout] = {}
        # (op, operand index) -> why a partitioned value is gathered there
        self.gathers: dict[tuple[Op, int], str] = {}
        self.rewrite_mean: set[Op] = set()

    def of(self, v: Value) -> Layout:
        return self.layout.get(v, REPLICATED)

    def run(self) -> None:
        self.block(self.function.body)

    # -- recording ------------------------------------------------------------------------------
    def need(self, op: Op, k: int, want: Layout, reason: str | None = None) -> None:
        have = self.of(op.operands[k])
        if have == want:
            return
        self.needs[(op, k)] = want
        if reason is not None and have.kind == "partitioned" and want.kind == "replicated":
            self.gathers[(op, k)] = reason

    def replicate(self, op: Op, k: int, reason: str) -> None:
        """Operand k must be replicated: partials are reduced, partitioned values gathered
        (with `reason` in the remark)."""
        have = self.of(op.operands[k])
        if have.kind == "tuple":
            if not have.is_replicated:
                self.needs[(op, k)] = REPLICATED
                self.gathers[(op, k)] = reason
            return
        self.need(op, k, REPLICATED, reason)

    def replicate_all(self, op: Op, reason: str) -> list[Layout]:
        for k in range(len(op.operands)):
            self.replicate(op, k, reason)
        return [REPLICATED] * len(op.results)

    def clear(self, op: Op) -> None:
        for k in range(len(op.operands)):
            self.needs.pop((op, k), None)
            self.gathers.pop((op, k), None)
        self.rewrite_mean.discard(op)

    # -- blocks and control flow ----------------------------------------------------------------
    def block(self, block: Block) -> None:
        for op in block.ops:
            self.clear(op)
            if op.name in ("yield", "return"):
                if op.name == "return":
                    for k, v in enumerate(op.operands):
                        if self.of(v).kind == "partial":
                            self.need(op, k, REPLICATED)
                continue
            if op.name == "for_range":
                self.loop(op, op.operands[3:], op.regions[0], bounds=3)
            elif op.name == "while":
                self.loop(op, op.operands, op.regions[1], bounds=0, cond=op.regions[0])
            elif op.name == "if":
                self.branches(op)
            else:
                layouts = self.rule(op)
                for r, lay in zip(op.results, layouts):
                    self.layout[r] = lay

    def loop(self, op: Op, inits, body: Block, bounds: int, cond: Block | None = None) -> None:
        for k in range(bounds):
            self.replicate(op, k, "a loop bound must be replicated")
        skip = 1 if op.name == "for_range" else 0     # the loop index
        # carried values the body gathers: carried replicated, gathered once before the loop
        # rather than on every iteration
        whole: dict[int, str] = {}      # carried index -> why the body gathers it
        for _ in range(len(inits) + 1):
            carried = self._carried_fixpoint(op, inits, body, cond, skip, set(whole))
            if carried is None:
                break
            more = {}
            for (user, j), reason in self.gathers.items():
                for block in (cond, body):
                    args = [] if block is None else block.args[skip if block is body else 0:]
                    v = user.operands[j]
                    if v in args and carried[args.index(v)].kind == "partitioned":
                        more.setdefault(args.index(v), reason)
            if not more.keys() - whole.keys():
                break
            whole.update((k, r) for k, r in more.items() if k not in whole)
        if carried is None:
            carried = [REPLICATED] * len(inits)
            for block in (cond, body):
                if block is not None:
                    for a in block.args[skip if block is body else 0:]:
                        self.layout[a] = REPLICATED
                    self.block(block)
        if cond is not None:
            self.replicate(cond.terminator, 0, "a loop condition must be replicated")
        term = body.terminator
        for k, lay in enumerate(carried):
            why = whole.get(k, "a loop-carried value changes its layout")
            self._convert_to(term, k, lay, why)
            if k in whole and not why.endswith(_BEFORE_LOOP):
                why += _BEFORE_LOOP
            self._convert_to(op, bounds + k, lay, why)
        for r, lay in zip(op.results, carried):
            self.layout[r] = lay

    def _carried_fixpoint(self, op: Op, inits, body: Block, cond: Block | None, skip: int,
                          whole: set[int]) -> list[Layout] | None:
        """The carried values' layouts (the indices in `whole` replicated), None if they do
        not settle."""
        carried = [REPLICATED if k in whole else self._carried_start(self.of(v))
                   for k, v in enumerate(inits)]
        for _ in range(8):
            for block in (cond, body):
                if block is None:
                    continue
                for a, lay in zip(block.args[skip if block is body else 0:], carried):
                    self.layout[a] = lay
                if op.name == "for_range":
                    self.layout[body.args[0]] = REPLICATED
                self.block(block)
            yielded = [self.of(v) for v in body.terminator.operands]
            new = [REPLICATED if k in whole else _join(c, y)
                   for k, (c, y) in enumerate(zip(carried, yielded))]
            if new == carried:
                return carried
            carried = new
        return None

    @staticmethod
    def _carried_start(lay: Layout) -> Layout:
        return REPLICATED if lay.kind == "partial" else lay

    def _convert_to(self, op: Op, k: int, want: Layout, reason: str) -> None:
        have = self.of(op.operands[k])
        if have == want:
            return
        if want.kind == "partitioned" and have.kind == "partitioned" and (
                have.axis == want.axis):
            return                  # ragged and regular blocks of one axis: the same layout
        if want.kind == "replicated" or want.kind == "tuple":
            self.replicate(op, k, reason)
        else:
            self.need(op, k, want)

    def branches(self, op: Op) -> None:
        self.replicate(op, 0, "an if condition must be replicated")
        for block in op.regions:
            self.block(block)
        joined = None
        for block in op.regions:
            lays = [self.of(v) for v in block.terminator.operands]
            joined = lays if joined is None else list(map(_join, joined, lays))
        joined = [self._carried_start(j) for j in joined or []]
        for block in op.regions:
            for k, lay in enumerate(joined):
                self._convert_to(block.terminator, k, lay, "the branches of an if differ")
        for r, lay in zip(op.results, joined):
            self.layout[r] = lay

    # -- op rules -------------------------------------------------------------------------------
    def rule(self, op: Op) -> list[Layout]:
        ins = [self.of(v) for v in op.operands]
        if all(lay.kind == "replicated" for lay in ins) and not (
                op.regions and "control" in op.decl.traits):
            return [REPLICATED] * len(op.results)
        name, traits = op.name, op.decl.traits
        if name == "dim":
            return [self.dim(op, ins[0])]
        if name == "tuple":
            for k, lay in enumerate(ins):
                if lay.kind == "partial":
                    self.need(op, k, REPLICATED)
            return [Layout("tuple", elements=tuple(
                REPLICATED if lay.kind == "partial" else lay for lay in ins))]
        if name == "tuple_get" and ins[0].kind == "tuple":
            return [ins[0].elements[op.attrs["index"]]]
        if name == "matvec_pair":
            return self.matvec_pair(op, ins)
        if name in ("matmul", "dot", "matmul_t"):
            return self.matmul(op, ins)
        if name == "fused":
            return [self.elementwise(op, ins)]
        if name == "fused_reduce":
            return [self.fused_reduce(op, ins)]
        if "elementwise" in traits:
            return [self.elementwise(op, ins)]
        if "reduction" in traits and op.decl.operand_names == ["a"]:
            return [self.reduction(op, ins[0], op.attrs.get("axis"),
                                   op.attrs.get("keepdims", False), op.decl)]
        if "blockwise" in traits:
            if ins[0].kind == "partial":
                self.need(op, 0, REPLICATED)
                return [REPLICATED]
            return [ins[0]]
        if name == "transpose":
            return [self.transpose(op, ins[0])]
        if name == "getitem":
            return [self.getitem(op, ins)]
        if name == "gather":
            return [self.gather_op(op, ins)]
        if name == "setitem":
            return [self.setitem(op, ins)]
        what = f"'{name}' has no rule for a partitioned operand"
        if name == "call":
            what = f"the call of @{op.attrs['callee']} takes replicated operands"
        return self.replicate_all(op, what)

    def dim(self, op: Op, lay: Layout) -> Layout:
        if lay.kind != "partitioned":
            return REPLICATED           # a partial has the whole value's shape
        if op.operands[0] in self.args:
            return REPLICATED           # the driver knows the arguments' shapes
        axis = op.attrs["axis"] % max(_rank(op.operands[0]), 1)
        return partial("sum" if axis == lay.axis else "first")

    def elementwise(self, op: Op, ins: list[Layout], rank: int | None = None) -> Layout:
        """Broadcasting keeps the partitioned axis (counted from the right); `rank`: of the
        broadcast result (default: of the op's result)."""
        if rank is None:
            rank = max((_rank(r) for r in op.results), default=0)
        for k, lay in enumerate(ins):
            if lay.kind == "partial":
                self.need(op, k, REPLICATED)
        axis, first = None, None
        for k, lay in enumerate(ins):
            if lay.kind == "partitioned":
                a = lay.axis + rank - _rank(op.operands[k])
                if axis is None:
                    axis, first = a, lay
                elif a != axis or lay.grid != first.grid:
                    self.replicate(op, k, f"'{op.name}' combines blocks of different axes")
        if axis is None:
            return REPLICATED
        for k, v in enumerate(op.operands):
            lay = ins[k]
            if lay.kind == "partitioned" or _rank(v) == 0:
                continue
            own = axis - (rank - _rank(v))
            if own < 0 or v.type.shape[own] == 1:
                continue                # broadcast along the partitioned axis: replicated
            if first.ragged:
                for j, other in enumerate(ins):
                    if other.kind == "partitioned":
                        self.replicate(op, j, "a replicated array cannot be split as the "
                                              "blocks of a boolean selection")
                return REPLICATED
            self.need(op, k, first.along(own))
        return first.along(axis)

    def reduction(self, op: Op, lay: Layout, axis, keepdims: bool, decl) -> Layout:
        if lay.kind == "partial":
            self.need(op, 0, REPLICATED)
            return REPLICATED
        rank = _rank(op.operands[0])
        axes = tuple(range(rank)) if axis is None else tuple(
            a % rank for a in (axis if isinstance(axis, tuple) else (axis,)))
        if lay.axis not in axes:
            before = sum(1 for a in axes if a < lay.axis)
            return lay.along(lay.axis if keepdims else lay.axis - before)
        combine = next((c for t, c in PARTIAL_TRAITS.items() if t in decl.traits), None)
        if combine is None:
            self.replicate(op, 0, f"'{decl.name}' over the partitioned axis has no partial "
                                  "form")
            return REPLICATED
        if combine == "mean":
            if op.name == "mean" and _dtype(op.results[0].type) in ("f64", "c128"):
                self.rewrite_mean.add(op)
                return REPLICATED
            self.replicate(op, 0, f"'{decl.name}' of {op.results[0].type} over the "
                                  "partitioned axis has no partial form")
            return REPLICATED
        return partial(combine)

    def fused_reduce(self, op: Op, ins: list[Layout]) -> Layout:
        # the body's result has the broadcast shape of the operands; then the reduction
        rank = max(_rank(v) for v in op.operands)
        inner = self.elementwise(op, ins, rank)
        if inner.kind != "partitioned":
            return REPLICATED
        axes = _axes(op.attrs["axis"], rank)
        if inner.axis not in axes:
            before = sum(1 for a in axes if a < inner.axis)
            keep = op.attrs.get("keepdims", False)
            return inner.along(inner.axis if keep else inner.axis - before)
        decl = lookup(op.attrs["reduce"])
        combine = next((c for t, c in PARTIAL_TRAITS.items() if t in decl.traits), None)
        if combine in (None, "mean"):
            for k, lay in enumerate(ins):
                if lay.kind == "partitioned":
                    self.replicate(op, k, f"'{decl.name}' over the partitioned axis has no "
                                          "partial form here")
            return REPLICATED
        return partial(combine)

    def matvec_pair(self, op: Op, ins: list[Layout]) -> list[Layout]:
        """X.T @ f(X @ w, inputs...): X's rows split -> a partial sum."""
        x = ins[0]
        if x.kind == "partitioned" and x.axis == 0 and not x.ragged and _rank(
                op.operands[0]) == 2:
            self.replicate(op, 1, "'matvec_pair' takes a replicated vector")
            for k in range(2, len(op.operands)):
                v, lay = op.operands[k], ins[k]
                if lay.kind == "partial":
                    self.need(op, k, REPLICATED)
                elif lay.kind == "replicated" and _rank(v) == 1:
                    self.need(op, k, x.along(0))
                elif lay.kind == "partitioned" and lay != x:
                    self.replicate(op, k, "'matvec_pair' operands split otherwise than X")
            return [partial("sum")]
        return self.replicate_all(op, f"'{op.name}' with these operand layouts has no rule")

    def matmul(self, op: Op, ins: list[Layout]) -> list[Layout]:
        a, b = op.operands
        ra, rb = _rank(a), _rank(b)
        ta = op.attrs.get("transpose_a", False) and ra == 2
        tb = op.attrs.get("transpose_b", False) and rb == 2
        if ra == 0 or rb == 0 or ra > 2 or rb > 2:
            return self.replicate_all(op, f"'{op.name}' of rank {ra} and {rb} operands has "
                                          "no rule for partitioned operands")
        for k, lay in enumerate(ins):
            if lay.kind == "partial":
                self.need(op, k, REPLICATED)
        ins = [REPLICATED if lay.kind == "partial" else lay for lay in ins]
        if any(lay.ragged for lay in ins):
            return self.replicate_all(op, f"'{op.name}' of a boolean selection")

        def effective(lay: Layout, transposed: bool) -> int | None:
            if lay.kind != "partitioned":
                return None
            return 1 - lay.axis if transposed else lay.axis

        def stored(axis: int, transposed: bool) -> int:
            return 1 - axis if transposed else axis

        pa, pb = effective(ins[0], ta), effective(ins[1], tb)
        split = ins[0] if pa is not None else ins[1]
        if pa is not None and pb is not None and ins[0].grid != ins[1].grid:
            self.replicate(op, 1, f"'{op.name}': operands split by different grids")
            pb = None
        a_rows = 0 if ra == 2 else None
        a_inner = ra - 1
        b_inner = 0
        b_cols = 1 if rb == 2 else None
        rank = _rank(op.results[0])
        if pa is not None and pa == a_rows and pb is None:
            return [split.along(0)]
        if pa is None and pb is not None and pb == b_cols:
            return [split.along(rank - 1)]
        if pa == a_inner and pb == b_inner:
            return [partial("sum")]
        if pa == a_inner and pb is None:
            self.need(op, 1, split.along(stored(b_inner, tb)))
            return [partial("sum")]
        if pa is None and pb == b_inner:
            self.need(op, 0, split.along(stored(a_inner, ta)))
            return [partial("sum")]
        if pa == a_rows and pb is not None:
            self.replicate(op, 1, f"'{op.name}': both operands split")
            return [split.along(0)]
        return self.replicate_all(op, f"'{op.name}' with these operand layouts has no rule")

    def transpose(self, op: Op, lay: Layout) -> Layout:
        if lay.kind != "partitioned":
            self.need(op, 0, REPLICATED)
            return REPLICATED
        rank = _rank(op.operands[0])
        perm = op.attrs.get("axes") or tuple(reversed(range(rank)))
        return lay.along(list(perm).index(lay.axis))

    def _subscript_axis(self, op: Op, lay: Layout) -> tuple[int | None, bool]:
        """(the result axis of the partitioned axis, whether a subscript takes it whole)."""
        rank = _rank(op.operands[0])
        index = op.attrs["index"]
        consuming = sum(1 for c in index if c != "n" and c != "e")
        axis_in = out = 0
        for comp in index:
            if comp == "e":
                span = rank - consuming
                if axis_in <= lay.axis < axis_in + span:
                    return out + lay.axis - axis_in, True
                axis_in += span
                out += span
            elif comp == "n":
                out += 1
            elif comp in ("i", "a"):
                if axis_in == lay.axis:
                    return None, False
                axis_in += 1
                out += comp == "a"
            else:
                if axis_in == lay.axis:
                    return out, comp == "s000"
                axis_in += 1
                out += 1
        return out + lay.axis - axis_in, True     # axes after the subscript are kept whole

    def getitem(self, op: Op, ins: list[Layout]) -> Layout:
        for k in range(1, len(ins)):
            self.replicate(op, k, "an index must be replicated")
        lay = ins[0]
        if lay.kind == "partial":
            self.need(op, 0, REPLICATED)
            return REPLICATED
        if lay.kind != "partitioned":
            return REPLICATED
        axis, whole = self._subscript_axis(op, lay)
        if axis is None or not whole:
            self.replicate(op, 0, "indexing along the partitioned axis")
            return REPLICATED
        return lay.along(axis)

    def gather_op(self, op: Op, ins: list[Layout]) -> Layout:
        lay, index = ins[0], op.attrs["index"]
        mask = op.operands[1] if len(op.operands) == 2 else None
        if (lay.kind == "partitioned" and lay.axis == 0 and not lay.ragged and index == ("a",)
                and mask is not None and _rank(op.operands[0]) >= 1
                and getattr(mask.type, "dtype", "") == "bool" and _rank(mask) == 1
                and ins[1] == lay):
            return partitioned(0, ragged=True, grid=lay.grid)
        return self.replicate_all(op, "selecting with an index array along the partitioned "
                                      "axis")[0]

    def setitem(self, op: Op, ins: list[Layout]) -> Layout:
        target, value = ins[0], ins[-1]
        for k in range(1, len(ins) - 1):
            self.replicate(op, k, "an index must be replicated")
        if value.kind == "partial":
            self.need(op, len(ins) - 1, REPLICATED)
            value = REPLICATED
        if target.kind == "partial":
            self.need(op, 0, REPLICATED)
            target = REPLICATED
        split = target if target.kind == "partitioned" else value
        if split.kind != "partitioned" or split.ragged:
            return self.replicate_all(op, "a write into a boolean selection")[0] \
                if split.kind == "partitioned" else REPLICATED
        axis = split.axis if target.kind == "partitioned" else None
        if axis is None:
            # a partitioned value written into a replicated array: split the target alike
            # when the subscript keeps every axis whole (`w[...] = v`, `w[:] = v`)
            if all(c in ("s000", "e") for c in op.attrs["index"]) and (
                    _rank(op.operands[0]) == _rank(op.operands[-1])):
                self.need(op, 0, value)
                return value
            return self.replicate_all(op, "a partitioned value written into part of a "
                                          "replicated array")[0]
        out_axis, whole = self._subscript_axis(op, target)
        if not whole:
            return self.replicate_all(op, "a write along the partitioned axis")[0]
        v = op.operands[-1]
        rank_sel = _rank(op.operands[0]) - sum(1 for c in op.attrs["index"] if c == "i")
        own = out_axis - (rank_sel - _rank(v))
        if value.kind == "partitioned":
            if value.axis != own:
                self.replicate(op, len(ins) - 1, "a write of blocks along another axis")
        elif own >= 0 and _rank(v) > 0:
            self.need(op, len(ins) - 1, target.along(own))
        return target


def _dtype(t) -> str:
    return t.dtype if isinstance(t, ArrayType) else t.kind


def _axes(axis, rank: int) -> tuple:
    if axis is None:
        return tuple(range(rank))
    return tuple(a % rank for a in (axis if isinstance(axis, tuple) else (axis,)))


# --- the rewrite -------------------------------------------------------------------------------

def _defining_block(v: Value) -> tuple[Block, int]:
    """(the block defining v, the index before which an op placed right after v goes)."""
    if isinstance(v.owner, Op):
        block = v.owner.parent
        return block, block.ops.index(v.owner) + 1
    return v.owner, 0


def _conversion_ops(v: Value, have: Layout, want: Layout, loc) -> list[Op]:
    """The dist_* ops that turn v from layout `have` into `want`."""
    ops = []

    def add(name: str, attrs: dict) -> None:
        nonlocal v
        ops.append(new_op(name, [v], [v.type], attrs, loc=loc, hints=(v.hint,)))
        v = ops[-1].results[0]

    if have.kind == "tuple":
        raise ValueError(f"{loc}: a tuple holding partitioned values is used whole; only its "
                         "elements can be")
    if have.kind == "partial":
        add("dist_reduce", {"combine": have.combine})
    elif have.kind == "partitioned" and want != have:
        add("dist_gather", {"axis": have.axis})
    if want.kind == "partitioned":
        add("dist_partition", {"axis": want.axis, LAYOUT_ATTR: str(want)})
    return ops


def _rewrite_mean(op: Op, analysis: _Analysis) -> None:
    """mean(x, axis) of a partitioned x -> sum (partial) / count, reduced and divided."""
    x = op.operands[0]
    lay = analysis.of(x)
    rtype = op.results[0].type
    attrs = {"axis": op.attrs["axis"], "keepdims": op.attrs.get("keepdims", False),
             "dtype": _dtype(rtype)}
    block = op.parent
    at = block.ops.index(op)
    s = new_op("sum", [x], [rtype], attrs, loc=op.loc)
    s.attrs[LAYOUT_ATTR] = str(partial("sum"))
    ops = [s]
    counts = []
    int_t = ScalarType("int")
    for axis in _axes(op.attrs["axis"], _rank(x)):
        d = new_op("dim", [x], [int_t], {"axis": axis}, loc=op.loc)
        d.attrs[LAYOUT_ATTR] = str(partial("sum" if axis == lay.axis else "first"))
        r = new_op("dist_reduce", [d.results[0]], [int_t],
                   {"combine": "sum" if axis == lay.axis else "first"}, loc=op.loc)
        ops += [d, r]
        counts.append(r.results[0])
    count = counts[0]
    for c in counts[1:]:
        m = new_op("multiply", [count, c], [int_t], loc=op.loc)
        ops.append(m)
        count = m.results[0]
    total = new_op("dist_reduce", [s.results[0]], [rtype], {"combine": "sum"}, loc=op.loc)
    div = new_op("true_divide", [total.results[0], count], [rtype], loc=op.loc,
                 hints=(op.results[0].hint,))
    ops += [total, div]
    for k, new in enumerate(ops):
        new.parent = block
        block.ops.insert(at + k, new)
    replace_uses(analysis.function, {op.results[0]: div.results[0]})
    block.ops.remove(op)
    op.parent = None


def _note(layouts: list[Layout]):
    if len(layouts) == 1:
        return str(layouts[0])
    return tuple(str(lay) for lay in layouts)


def assign_layouts(function: Function, partitioned_args, ctx: PassContext | None = None) -> None:
    """Analyse `function` with the arguments `partitioned_args` (indices) split by rows, and
    rewrite it in place: conversions, mean rewrites, `dist.layout` annotations."""
    arg_layouts = {function.args[i]: partitioned(0) for i in partitioned_args
                   if _rank(function.args[i]) >= 1}
    analysis = _Analysis(function, arg_layouts)
    analysis.run()
    # annotate first (conversions and rewrites add their own annotations)
    for op in list(function.walk()):
        if op.results and not _inside_computation(op):
            layouts = [analysis.of(r) for r in op.results]
            if not all(lay.kind == "replicated" for lay in layouts):
                op.attrs[LAYOUT_ATTR] = _note(layouts)
    conversions: dict[tuple[Value, Layout], Value] = {}
    for (op, k), want in sorted(analysis.needs.items(), key=lambda item: _order(item[0][0])):
        v = op.operands[k]
        key = (v, want)
        if key not in conversions:
            ops = _conversion_ops(v, analysis.of(v), want, op.loc)
            block, at = _defining_block(v)
            for j, new in enumerate(ops):
                new.parent = block
                block.ops.insert(at + j, new)
            conversions[key] = ops[-1].results[0] if ops else v
        op.operands[k] = conversions[key]
        reason = analysis.gathers.get((op, k))
        if reason is not None and ctx is not None:
            ctx.remark("gather", op.loc, f"%{v.hint or 'value'} is gathered from the workers: "
                                         f"{reason}")
            ctx.count("values-gathered")
    for op in analysis.rewrite_mean:
        _rewrite_mean(op, analysis)
    if ctx is not None:
        ctx.count("conversions", len(conversions))


def _inside_computation(op: Op) -> bool:
    """Whether op sits in the body of a computation op (fused, matvec_pair): no layout."""
    parent = op.parent.parent if op.parent is not None else None
    while isinstance(parent, Op):
        if "control" not in parent.decl.traits:
            return True
        parent = parent.parent.parent if parent.parent is not None else None
    return False


def _order(op: Op) -> tuple:
    """A stable order of ops: by source position."""
    return (op.loc.line, op.loc.col)


@register
class LayoutPass(Pass):
    """Assign distribution layouts (see the module doc); `partitioned`: the entry function's
    arguments split by rows, by name, joined by '+' (`layout{partitioned=X+y}`)."""

    name = "layout"
    partitioned: str = ""

    def run(self, module: Module, ctx: PassContext) -> None:
        entry = module.entry
        names = [n for n in self.partitioned.split("+") if n]
        hints = [a.hint for a in entry.args]
        for n in names:
            if n not in hints:
                raise ValueError(f"layout: @{entry.name} has no argument %{n}; arguments: "
                                 f"{', '.join('%' + h for h in hints)}")
        assign_layouts(entry, [hints.index(n) for n in names], ctx)
