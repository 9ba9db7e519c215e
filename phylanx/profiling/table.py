"""Text tables and CSV of a profile: rows per node of the execution tree and per source line.

Columns (times in milliseconds):
  count          executions (a loop body's node: the iterations of all calls)
  inclusive_ms   the node's span (a control node: with its regions / callee)
  exclusive_ms   the node alone (inclusive minus the nodes it ran)
  exclusive_pct  exclusive share of the profiled calls' wall time
  mean_ms        inclusive_ms / count
  tasks, inline  executions that ran as pool tasks / inline on the thread that readied them
  gil_fallback   executions that ran the GIL-holding NumPy fallback
"""

from __future__ import annotations

import csv
import io
import os

NODE_COLUMNS = ["id", "parent", "kernel", "op", "kind", "location", "physl_line", "depth",
                "count", "inclusive_ms", "exclusive_ms", "exclusive_pct", "mean_ms", "tasks",
                "inline", "gil_fallback", "threads"]
LINE_COLUMNS = ["file", "line", "ops", "count", "inclusive_ms", "exclusive_ms",
                "exclusive_pct", "tasks", "inline", "gil_fallback"]


def _ms(ns: int) -> float:
    return round(ns / 1e6, 6)


def node_rows(prof) -> list[dict]:
    tree = prof.tree()
    total = max(tree.total, 1)
    rows = []
    for n in tree.by_exclusive():
        rows.append({
            "id": n.id, "parent": n.parent, "kernel": n.kernel, "op": n.op, "kind": n.kind,
            "location": n.location, "physl_line": n.physl_line, "depth": n.depth,
            "count": n.count, "inclusive_ms": _ms(n.inclusive), "exclusive_ms": _ms(n.exclusive),
            "exclusive_pct": round(100 * n.exclusive / total, 3),
            "mean_ms": _ms(n.inclusive // max(n.count, 1)), "tasks": n.tasks,
            "inline": n.inline, "gil_fallback": n.fallbacks,
            "threads": " ".join(map(str, sorted(n.threads))),
        })
    return rows


def line_rows(prof) -> list[dict]:
    tree = prof.tree()
    total = max(tree.total, 1)
    return [{
        "file": r.file, "line": r.line, "ops": " ".join(r.ops), "count": r.count,
        "inclusive_ms": _ms(r.inclusive), "exclusive_ms": _ms(r.exclusive),
        "exclusive_pct": round(100 * r.exclusive / total, 3), "tasks": r.tasks,
        "inline": r.count - r.tasks, "gil_fallback": r.fallbacks,
    } for r in tree.lines()]


def to_csv(prof, by: str = "node") -> str:
    if by not in ("node", "line"):
        raise ValueError(f"to_csv(by=...) must be 'node' or 'line', got {by!r}")
    columns, rows = (NODE_COLUMNS, node_rows(prof)) if by == "node" else \
        (LINE_COLUMNS, line_rows(prof))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _fmt(rows: list[dict], columns: list[tuple[str, str]]) -> list[str]:
    """Rows as aligned text: columns are (key, header); numbers right-aligned."""
    cells = [[h for _, h in columns]]
    for r in rows:
        cells.append([f"{r[k]:.3f}" if isinstance(r[k], float) else str(r[k])
                      for k, _ in columns])
    widths = [max(len(c[i]) for c in cells) for i in range(len(columns))]
    out = []
    for row in cells:
        parts = []
        for i, c in enumerate(row):
            numeric = row is not cells[0] and isinstance(rows[0][columns[i][0]], (int, float))
            parts.append(c.rjust(widths[i]) if numeric else c.ljust(widths[i]))
        out.append("  ".join(parts).rstrip())
    return out


def format_table(prof, limit: int | None = 30, lines: bool = True) -> str:
    """Per node (and with `lines`, per source line) rows by exclusive time; each kernel
    specialization's signature is printed once above the rows (several: numbered, and a
    `k` column gives each node's)."""
    tree = prof.tree()
    calls = len(prof.calls)
    head = [(f"phylanx profile: {calls} kernel call{'s' if calls != 1 else ''}, "
             f"{tree.total / 1e6:.3f} ms (times in ms, sorted by exclusive time)")]
    nodes = node_rows(prof)
    kernels = list(dict.fromkeys(r.kernel for r in tree.roots))   # in order of first call
    if len(kernels) == 1:
        head.append(f"kernel: {kernels[0]}")
    else:
        head += ["kernels:"] + [f"  [{k}] {name}" for k, name in enumerate(kernels, 1)]
    for r in nodes:
        file, _, rest = r["location"].rpartition(":")[0].rpartition(":")
        r["where"] = f"{os.path.basename(file)}:{rest}" if file else r["location"]
        r["k"] = kernels.index(r["kernel"]) + 1
    shown_nodes = nodes if limit is None else nodes[:limit]
    out = head + ["", "per node:"]
    if shown_nodes:
        out += _fmt(shown_nodes, [
            ("exclusive_ms", "exclusive"), ("exclusive_pct", "excl%"),
            ("inclusive_ms", "inclusive"), ("count", "count"), ("mean_ms", "mean"),
            ("tasks", "tasks"), ("inline", "inline"), ("gil_fallback", "fallback"),
            *([("k", "k")] if len(kernels) > 1 else []), ("op", "op"), ("where", "line")])
    if limit is not None and len(nodes) > limit:
        out.append(f"... {len(nodes) - limit} more nodes (to_csv() has them all)")
    if not lines:
        return "\n".join(out) + "\n"
    line_stats = line_rows(prof)
    for r in line_stats:
        r["where"] = f"{os.path.basename(r['file'])}:{r['line']}"
    shown_lines = line_stats if limit is None else line_stats[:limit]
    out += ["", "per source line:"]
    if shown_lines:
        out += _fmt(shown_lines, [
            ("exclusive_ms", "exclusive"), ("exclusive_pct", "excl%"),
            ("inclusive_ms", "inclusive"), ("count", "count"), ("tasks", "tasks"),
            ("inline", "inline"), ("gil_fallback", "fallback"), ("where", "line"),
            ("ops", "ops")])
    if limit is not None and len(line_stats) > limit:
        out.append(f"... {len(line_stats) - limit} more lines (to_csv(by='line') has them all)")
    return "\n".join(out) + "\n"
