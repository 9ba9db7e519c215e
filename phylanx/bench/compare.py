"""The main table: phylanx kernels timed against their NumPy twins and the installed peers.

For every workload, size and thread count, `measure` gives one row: the median time of the
NumPy twin and of the kernel, the speedup (NumPy time / phylanx time, > 1 means phylanx is
faster), the share of the kernel's primitive ops the runtime ran through its NumPy fallback
(from its profile) and whether both gave the same result; NumExpr, Numba, JAX and Dask times
when those packages are installed. A thread count t means ``phylanx.set_num_threads(t)`` and
BLAS/OpenMP pools limited to t (threadpoolctl) for every tool in that row.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from threadpoolctl import threadpool_limits

import phylanx
from phylanx.bench.workloads import (
    WORKLOADS,
    alternatives,
    cached_case,
    fallback_share,
    same_result,
    settle,
)

DEFAULT_SIZES = "xs,s,m"


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def measure(case, threads: int, repeat: int, max_time: float) -> dict:
    """Median times (seconds) of phylanx, NumPy and the alternatives for one case."""
    phylanx.set_num_threads(threads)
    row = {"workload": case.workload, "size": case.size, "problem": case.problem,
           "threads": threads}
    with threadpool_limits(limits=threads):
        others = alternatives(case, threads)
        runners: dict[str, Callable[[], object]] = {"phylanx": case.run_phylanx,
                                                    "numpy": case.run_numpy, **others}
        expected = case.run_numpy()
        got = case.run_phylanx()  # warm-up: compiles the kernel
        row["check"] = "ok" if same_result(got, expected, case.rtol) else "DIFF"
        row["fallback"] = fallback_share(case)
        times: dict[str, list[float]] = {name: [] for name in runners}
        for name, fn in list(runners.items())[2:]:
            try:
                fn()  # warm-up (JIT compiles)
            except Exception as e:  # noqa: BLE001 - optional tools must not stop the bench
                print(f"\n{name} failed on {case.workload} {case.size}: {e!r}", file=sys.stderr)
                runners.pop(name)
                row[name] = None
        start = time.perf_counter()
        for i in range(repeat):  # interleaved, so drift affects all tools alike
            for name, fn in runners.items():
                settle()     # the previous tool's busy-waiting threads are not billed here
                times[name].append(timed(fn))
            if i >= 2 and time.perf_counter() - start > max_time:
                break
    for name in runners:
        row[name] = statistics.median(times[name])
    row["speedup"] = row["numpy"] / row["phylanx"] if row["phylanx"] > 0 else float("nan")
    return row


def format_table(rows: list[dict]) -> str:
    """The rows as one markdown table (times in ms)."""
    tools = [t for t in ("numexpr", "numba", "jax", "dask") if any(t in r for r in rows)]
    head = ["workload", "size", "problem", "threads", "numpy ms", "phylanx ms",
            "speedup"] + [f"{t} ms" for t in tools] + ["NumPy fallback", "check"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["workload"], r["size"], r["problem"], str(r["threads"]), _ms(r["numpy"]),
                 _ms(r["phylanx"]),
                 "-" if r["workload"] == "compile" else f"{r['speedup']:.2f}x"]
        cells += [_ms(r.get(t, "")) if t in r else "" for t in tools]
        share = r.get("fallback")
        cells.append("?" if share is None else f"{share:.0%}")
        lines.append("| " + " | ".join(cells + [r["check"]]) + " |")
    return "\n".join(lines)


def _ms(seconds) -> str:
    if seconds is None:
        return "err"
    if seconds == "":
        return ""
    ms = seconds * 1e3
    return f"{ms:.3g}" if ms < 100 else f"{ms:.0f}"


def run(workloads: list[str], sizes: list[str], threads: list[int], repeat: int = 7,
        max_time: float = 2.0,
        progress: Callable[[str], None] = lambda text: None) -> list[dict]:
    """Measure every (workload, size, threads); sizes a workload lacks are skipped."""
    plan = [(w, s) for w in workloads for s in sizes if s in WORKLOADS[w].sizes]
    total, done, rows = len(plan) * len(threads), 0, []
    previous = phylanx.get_num_threads()
    try:
        for w, s in plan:
            progress(f"[{done + 1}/{total}] {w} {s}: building inputs")
            case = cached_case(w, s)
            for t in threads:
                done += 1
                progress(f"[{done}/{total}] {w} {s} ({case.problem}), {t} thread(s)")
                rows.append(measure(case, t, repeat, max_time))
    finally:
        phylanx.set_num_threads(previous)
    return rows



