"""The corpus table of ``python -m phylanx.bench --corpus``: the corpus kernels that compile
and match NumPy, each timed against its plain Python/NumPy function, and the geomean.

The kernels are the real code of `phylanx.corpus` (fetched from published packages into the
corpus cache); the timings are `phylanx.corpus.runner.time_case`'s (medians of interleaved
warm runs on fresh copies of the inputs).
"""

from __future__ import annotations

from collections.abc import Callable

import phylanx
from phylanx.corpus.compare import WORKS
from phylanx.corpus.runner import check, geomean, load_cases, time_case


def run(size: str, threads: int, selection: str = "", budget: float = 1.0,
        progress: Callable[[str], None] = lambda text: None) -> list[dict]:
    """One row per selected corpus kernel: its outcome at `size`, and for those that compile
    and match, the median times and the speedup (NumPy time / phylanx time)."""
    previous = phylanx.get_num_threads()
    phylanx.set_num_threads(threads)
    rows = []
    try:
        cases = load_cases(selection)
        for k, case in enumerate(cases, 1):
            progress(f"[{k}/{len(cases)}] corpus {case.name} {size}")
            outcome = check(case, size)
            row = {"kernel": case.name, "status": outcome.status}
            if outcome.status == WORKS and not outcome.detail:  # detail: both raised
                row["phylanx"], row["numpy"] = time_case(case, size, budget)
                row["speedup"] = row["numpy"] / row["phylanx"]
            rows.append(row)
    finally:
        phylanx.set_num_threads(previous)
    return rows


def format_table(rows: list[dict], size: str, threads: int) -> str:
    """The timed rows as a markdown table, then the geometric mean and the other outcomes."""
    timed = [r for r in rows if "speedup" in r]
    lines = [f"corpus, size {size}, {threads} thread(s)", "",
             "| kernel | numpy ms | phylanx ms | speedup |", "|---|---|---|---|"]
    lines += [f"| {r['kernel']} | {r['numpy'] * 1e3:.3g} | {r['phylanx'] * 1e3:.3g} | "
              f"{r['speedup']:.2f}x |" for r in timed]
    lines.append("")
    lines.append(f"geometric-mean speedup over {len(timed)} kernels: "
                 f"{geomean([r['speedup'] for r in timed]):.2f}x")
    others = {}
    for r in rows:
        if "speedup" not in r:
            others.setdefault(r["status"], []).append(r["kernel"])
    for status, names in sorted(others.items()):
        lines.append(f"{status} ({len(names)}): {', '.join(names)}")
    return "\n".join(lines)
