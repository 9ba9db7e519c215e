"""Aggregating a profile's records into an execution tree, per-line rows, DOT and Newick.

The tree is a calling-context tree. Under a root per kernel specialization, a node stands for
one op in one context: the path of control nodes (if, for_range, while, call) it ran inside.
Every execution of the op in that context adds to the node, so a loop body's nodes count the
loop's iterations and their times add up over them.

Times (ns):
  * inclusive: the node's span, start to end; for a control node this covers its regions
    (or the callee of a call) and what it waited on;
  * exclusive: the inclusive time minus the time covered by the nodes it ran (the union of
    their spans, clipped to its own). A primitive's exclusive time is its inclusive time.
The root of a kernel counts its calls: its inclusive time is the calls' wall time and its
exclusive time the runtime's own work between nodes (frames, scheduling, argument checks).
With one thread, the exclusive times of all nodes add up to the calls' wall time; when nodes
run concurrently on several threads they add up to the busy time of all threads instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from phylanx.ir.printer import Printer

CONTROL_OPS = frozenset({"if", "for_range", "while", "call"})


@dataclass
class NodeStats:
    """One node of the execution tree (or a kernel root: kind == "kernel")."""

    id: int
    parent: int                  # -1 for a kernel root
    kernel: str                  # "name(types)" of the specialization it belongs to
    op: str                      # op name (the kernel's name for a root)
    kind: str                    # "kernel", "control" or "op"
    file: str
    line: int
    col: int
    physl: int                   # index of the PhySL text (Tree.physl)
    physl_line: int              # 1-based line of the op in that text (0: none)
    depth: int
    count: int = 0
    inclusive: int = 0           # ns
    exclusive: int = 0           # ns
    tasks: int = 0               # executions that ran as pool tasks (the rest ran inline)
    fallbacks: int = 0           # executions on the GIL-holding NumPy fallback
    threads: set = field(default_factory=set)
    children: list = field(default_factory=list)
    nested: list = field(default_factory=list)   # (file, line, physl_line) of region ops

    @property
    def inline(self) -> int:
        return self.count - self.tasks

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass
class LineStats:
    """All nodes of one source line: executions, inclusive (nested nodes of the same line
    counted once) and exclusive time."""

    file: str
    line: int
    ops: list
    count: int = 0
    inclusive: int = 0
    exclusive: int = 0
    tasks: int = 0
    fallbacks: int = 0


@dataclass
class Tree:
    nodes: list                  # NodeStats, parents before children; roots have parent -1
    physl: list                  # (title, text) per kernel specialization
    total: int                   # ns: wall time of the calls
    line_rows: list

    @property
    def roots(self) -> list:
        return [n for n in self.nodes if n.parent < 0]

    def by_exclusive(self) -> list:
        return sorted(self.nodes, key=lambda n: (-n.exclusive, n.id))

    def lines(self) -> list:
        return sorted(self.line_rows, key=lambda r: (-r.exclusive, r.file, r.line))


class _LinePrinter(Printer):
    """The PhySL printer, noting the line of every op."""

    def __init__(self):
        super().__init__(locations=True)
        self.line_of: dict[int, int] = {}

    def op(self, op, namer, depth, file):
        self.line_of[id(op)] = len(self.lines) + 1
        super().op(op, namer, depth, file)


def _physl_text(module) -> tuple[str, dict]:
    p = _LinePrinter()
    for f in module.functions.values():
        p.function(f)
    return "\n".join(p.lines) + "\n", p.line_of


def _covered(spans: list, lo: int, hi: int) -> int:
    """Length of the union of the spans, clipped to [lo, hi]."""
    total, cur_lo, cur_hi = 0, None, None
    for a, b in sorted(spans):
        a, b = max(a, lo), min(b, hi)
        if b <= a:
            continue
        if cur_hi is None or a > cur_hi:
            if cur_hi is not None:
                total += cur_hi - cur_lo
            cur_lo, cur_hi = a, b
        elif b > cur_hi:
            cur_hi = b
    if cur_hi is not None:
        total += cur_hi - cur_lo
    return total


def _exclusive_times(t0, t1, parent, start, end) -> tuple[list, int]:
    """Per record exclusive time, and the call's own (top-level) exclusive time."""
    kids: dict[int, list] = {}
    for i, p in enumerate(parent):
        kids.setdefault(p, []).append((t0[i], t1[i]))
    excl = [t1[i] - t0[i] - _covered(kids.get(i, ()), t0[i], t1[i]) for i in range(len(t0))]
    own = end - start - _covered(kids.get(-1, ()), start, end)
    return excl, own


def build_tree(calls) -> Tree:
    nodes: list[NodeStats] = []
    physl: list = []
    roots: dict = {}             # (kernel, signature, executable id) -> root id
    spec_info: dict = {}         # root id -> (physl index, op line map)
    child_of: dict = {}          # (parent node id, op_id) -> node id
    lines: dict = {}             # (file, line) -> LineStats
    total = 0
    for call in calls:
        total += call.duration
        key = (call.kernel, call.signature, id(call.executable))
        root = roots.get(key)
        if root is None:
            text, line_of = _physl_text(call.module)
            title = f"{call.kernel}({call.signature})"
            physl.append((title, text))
            code = getattr(call.py_func, "__code__", None)
            file = code.co_filename if code else "<unknown>"
            line = code.co_firstlineno if code else 0
            root = len(nodes)
            nodes.append(NodeStats(root, -1, title, call.kernel, "kernel", file, line, 0,
                                   len(physl) - 1, 1, 0))
            roots[key] = root
            spec_info[root] = (len(physl) - 1, line_of)
        physl_index, line_of = spec_info[root]
        rec = call.records
        t0, t1 = rec["t0"].tolist(), rec["t1"].tolist()
        parent, op_ids = rec["parent"].tolist(), rec["op_id"].tolist()
        flags, tids = rec["flags"].tolist(), rec["tid"].tolist()
        excl, own = _exclusive_times(t0, t1, parent, call.start, call.end)
        r = nodes[root]
        r.count += 1
        r.inclusive += call.duration
        r.exclusive += own
        r.threads.add(0)
        _add_line(lines, r.file, r.line, r.op, 1, call.duration, own, 0, 0)
        node_of = [0] * len(t0)
        for i in range(len(t0)):
            ctx = root if parent[i] < 0 else node_of[parent[i]]
            nid = child_of.get((ctx, op_ids[i]))
            if nid is None:
                nid = _new_node(nodes, ctx, call.executable.profile_op(op_ids[i]),
                                physl_index, line_of)
                child_of[(ctx, op_ids[i])] = nid
            node_of[i] = nid
            n = nodes[nid]
            dur = t1[i] - t0[i]
            task, fb = (flags[i] >> 1) & 1, flags[i] & 1
            n.count += 1
            n.inclusive += dur
            n.exclusive += excl[i]
            n.tasks += task
            n.fallbacks += fb
            n.threads.add(tids[i])
            # A node nested in a node of the same line adds to the line's exclusive time only.
            nested_same_line = False
            p = parent[i]
            while p >= 0:
                q = nodes[node_of[p]]
                if q.line == n.line and q.file == n.file:
                    nested_same_line = True
                    break
                p = parent[p]
            _add_line(lines, n.file, n.line, n.op, 1, 0 if nested_same_line else dur,
                      excl[i], task, fb)
    return Tree(nodes, physl, total, list(lines.values()))


def _add_line(lines, file, line, op, count, incl, excl, tasks, fallbacks) -> None:
    row = lines.get((file, line))
    if row is None:
        row = lines[(file, line)] = LineStats(file, line, [])
    if op not in row.ops:
        row.ops.append(op)
    row.count += count
    row.inclusive += incl
    row.exclusive += excl
    row.tasks += tasks
    row.fallbacks += fallbacks


def _new_node(nodes, ctx, op, physl_index, line_of) -> int:
    parent = nodes[ctx]
    kind = "control" if op.name in CONTROL_OPS else "op"
    nid = len(nodes)
    n = NodeStats(nid, ctx, parent.kernel, op.name, kind, op.loc.file, op.loc.line, op.loc.col,
                  physl_index, line_of.get(id(op), 0), parent.depth + 1)
    for region in op.regions:
        for inner in region.walk():
            if len(n.nested) < 200:
                n.nested.append((inner.loc.file, inner.loc.line, line_of.get(id(inner), 0)))
    nodes.append(n)
    parent.children.append(nid)
    return nid


# -- DOT and Newick -----------------------------------------------------------------------------
def _dot_quote(*parts: str) -> str:
    """A DOT string of `parts` on separate lines."""
    esc = [p.replace("\\", "\\\\").replace('"', '\\"') for p in parts]
    return '"' + "\\n".join(esc) + '"'


def to_dot(tree: Tree) -> str:
    """Nodes: ops (filled by exclusive share; solid border: ran as tasks, dotted: inline;
    red double border: GIL fallback); edges parent -> child."""
    out = ["digraph phylanx_profile {",
           '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];']
    total = max(tree.total, 1)
    for n in tree.nodes:
        share = min(n.exclusive / total, 1.0)
        style = "rounded,filled" + (",dotted" if n.kind != "kernel" and n.tasks == 0 else "")
        head = n.op if n.kind != "kernel" else n.kernel
        if n.line > 0:
            head += f"  line {n.line}"
        label = _dot_quote(head, f"{n.count}x  incl {n.inclusive / 1e6:.3f} ms  "
                                 f"excl {n.exclusive / 1e6:.3f} ms")
        attrs = [f"label={label}", f'style="{style}"', f'fillcolor="0.0 {share:.3f} 1.0"',
                 f"tooltip={_dot_quote(n.location)}"]
        if n.fallbacks:
            attrs += ["color=red", "peripheries=2"]
        out.append(f"  n{n.id} [{', '.join(attrs)}];")
    for n in tree.nodes:
        if n.parent >= 0:
            out.append(f"  n{n.parent} -> n{n.id};")
    out.append("}")
    return "\n".join(out) + "\n"


def _newick_name(n: NodeStats) -> str:
    name = f"{n.op}@{n.line}" if n.kind != "kernel" else n.kernel
    return "'" + name.replace("'", "''") + "'"


def to_newick(tree: Tree) -> str:
    """One Newick tree per kernel root (a forest: one per line); branch length = inclusive
    seconds of the child node."""
    def walk(nid: int) -> str:
        n = tree.nodes[nid]
        inner = ",".join(walk(c) for c in n.children)
        head = f"({inner})" if inner else ""
        return f"{head}{_newick_name(n)}:{n.inclusive / 1e9:.9f}"

    return "".join(walk(r.id) + ";\n" for r in tree.roots)
