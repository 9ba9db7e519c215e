"""``python -m phylanx.bench``: time phylanx kernels against their NumPy twins.

    python -m phylanx.bench                                  # every workload, sizes xs,s,m
    python -m phylanx.bench --workloads logreg,als --sizes s,m --threads 1,2 --plot out.png
    python -m phylanx.bench --workloads none --issue6             # the runtime issue's figures
    python -m phylanx.bench --issue6 --plot docs/performance.png --update-doc docs/performance.md

For every workload, size and thread count it prints one row of a markdown table: the median
time of the NumPy twin and of the kernel, the speedup (NumPy time / phylanx time, > 1 means
phylanx is faster), the share of the kernel's primitive ops the runtime ran through its NumPy
fallback (from its profile) and whether both gave the same result; NumExpr, Numba, JAX and
Dask columns appear when those packages are installed. A thread count t means
``phylanx.set_num_threads(t)`` and BLAS/OpenMP pools limited to t (threadpoolctl) for every tool
in that row. Progress goes to stderr. ``--plot`` draws the paper's figures: time vs threads for
LogReg and ALS, and the speedup over NumPy per problem size. ``--issue6`` adds a second table:
the runtime issue's performance figures at its sizes, each beside its target (see
`phylanx.bench_issue6`). ``--update-doc`` writes both tables into the marked sections of a
markdown file (docs/performance.md), so the committed tables are what this script printed.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import phylanx
from phylanx import bench_issue6
from phylanx.bench_workloads import (
    WORKLOADS,
    alternatives,
    cached_case,
    clear_cases,
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


def load_average() -> str:
    """The 1-minute load average (other processes compete for the cores), or "?"."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def machine_facts() -> list[str]:
    """Cores, Python/NumPy versions and the thread pools (BLAS, OpenMP) threadpoolctl sees."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    pools = [" ".join(filter(None, [p.get("internal_api"), p.get("version")]))
             + f" ({p.get('user_api')}, {p.get('num_threads')} threads, "
             f"{os.path.basename(p.get('filepath', ''))})" for p in threadpool_info()]
    import scipy

    return [f"machine: {_cpu_model()}, {cores} cores ({platform.machine()})",
            (f"python {platform.python_version()}, numpy {np.__version__}, "
             f"scipy {scipy.__version__}, phylanx {phylanx.__version__}"),
            f"numpy's BLAS: {_numpy_blas()}",
            "thread pools (default): " + "; ".join(pools)]


def _numpy_blas() -> str:
    """NumPy's BLAS as its build reports it (np.show_config)."""
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return blas.get("openblas configuration") or f"{blas['name']} {blas.get('version', '')}"
    except Exception:  # noqa: BLE001 - show_config's layout is not a stable API
        return "unknown"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


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


def progress(text: str) -> None:
    if sys.stderr.isatty():
        print(f"\r\033[K{text}", end="", file=sys.stderr, flush=True)
    else:
        print(text, file=sys.stderr, flush=True)


def run(workloads: list[str], sizes: list[str], threads: list[int], repeat: int = 7,
        max_time: float = 2.0) -> list[dict]:
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
    if sys.stderr.isatty():
        print(file=sys.stderr)
    return rows


SIZE_ORDER = ("xs", "s", "m", "l", "paper", "ml1m", "ml1m-k40")


def plot(rows: list[dict], path: str) -> None:
    """The paper's figures: time vs threads (LogReg, ALS) and speedup over NumPy per size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [w for w in ("logreg", "als", "als_explicit") if any(r["workload"] == w
                                                                 for r in rows)]
    n = len(panels) + 1
    ncols = 1 if n == 1 else 2
    nrows = (n + ncols - 1) // ncols
    fig, grid = plt.subplots(nrows, ncols, figsize=(6.4 * ncols, 4.6 * nrows), squeeze=False)
    axes = list(grid.flat)
    for ax in axes[n:]:
        ax.set_visible(False)
    for ax, w in zip(axes, panels):
        sizes = _ordered({r["size"] for r in rows if r["workload"] == w})
        for k, size in enumerate(sizes):
            sel = sorted((r for r in rows if r["workload"] == w and r["size"] == size),
                         key=lambda r: r["threads"])
            t = [r["threads"] for r in sel]
            color = f"C{k}"
            ax.plot(t, [r["phylanx"] for r in sel], "o-", color=color,
                    label=f"phylanx {sel[0]['problem']}")
            ax.plot(t, [r["numpy"] for r in sel], "s--", color=color, alpha=0.7,
                    label=f"NumPy {sel[0]['problem']}")
        ax.set(title=f"{w}: execution time vs threads", xlabel="threads",
               ylabel="median time (s)", yscale="log")
        _plain_log_labels(ax, "")
        ax.set_xticks(sorted({r["threads"] for r in rows}))
        ax.legend(fontsize=7)
    ax = axes[n - 1]
    tmax = max(r["threads"] for r in rows)
    order = _ordered({r["size"] for r in rows})
    for k, w in enumerate(dict.fromkeys(r["workload"] for r in rows)):
        if w == "compile":  # NumPy has nothing to compile: the ratio says nothing
            continue
        sel = [r for r in rows if r["workload"] == w and r["threads"] == tmax]
        sel.sort(key=lambda r: order.index(r["size"]))
        ax.plot([order.index(r["size"]) for r in sel], [r["speedup"] for r in sel], "o-",
                color=f"C{k % 10}", label=w)
    ax.axhline(1.0, color="gray", linestyle=":", linewidth=1)
    ax.set_xticks(range(len(order)), order)
    ax.set(title=f"speedup over NumPy per problem size ({tmax} threads)",
           xlabel="problem size (see the table)", ylabel="NumPy time / phylanx time",
           yscale="log")
    _plain_log_labels(ax, "x")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plain_log_labels(ax, suffix: str) -> None:
    """Log-axis labels as plain numbers; minor ticks labelled when the range is small."""
    import math

    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}{suffix}"))
    lo, hi = ax.get_ylim()
    span = hi / lo if lo > 0 else math.inf

    def minor(v, _):
        mantissa = round(v / 10 ** math.floor(math.log10(v) + 1e-9), 6) if v > 0 else 0
        shown = span < 20 or (span < 1000 and mantissa in (2, 5))
        return f"{v:g}{suffix}" if shown else ""

    ax.yaxis.set_minor_formatter(FuncFormatter(minor))
    ax.tick_params(axis="y", which="minor", labelsize=7)


def _ordered(sizes: set[str]) -> list[str]:
    return sorted(sizes, key=lambda s: (SIZE_ORDER.index(s) if s in SIZE_ORDER else 99, s))


def update_doc(path: str, sections: dict[str, str]) -> None:
    """Replace the text between ``<!-- phylanx.bench:NAME -->`` and ``<!-- /phylanx.bench:NAME
    -->`` in the markdown file at `path` by sections[NAME]; a missing marker is an error."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for name, body in sections.items():
        pattern = re.compile(rf"(<!-- phylanx\.bench:{name} -->\n).*?"
                             rf"(<!-- /phylanx\.bench:{name} -->)", re.DOTALL)
        if not pattern.search(text):
            raise ValueError(f"{path} has no '<!-- phylanx.bench:{name} -->' ... "
                             f"'<!-- /phylanx.bench:{name} -->' section")
        replacement = body.rstrip("\n") + "\n"
        text = pattern.sub(lambda m, r=replacement: m.group(1) + r + m.group(2), text)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def doc_tables(text: str) -> dict[str, list[list[str]]]:
    """The markdown tables inside the ``phylanx.bench:NAME`` sections of a document: NAME ->
    rows of cells (the header first, the |---| line left out)."""
    out = {}
    for m in re.finditer(r"<!-- phylanx\.bench:(\w+) -->\n(.*?)<!-- /phylanx\.bench:\1 -->",
                         text, re.DOTALL):
        rows = [[c.strip() for c in line.strip().strip("|").split("|")]
                for line in m.group(2).splitlines() if line.startswith("| ")]
        out[m.group(1)] = rows
    return out


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10,
                               check=False).stdout.strip()
        return out.stdout.strip() + (" + uncommitted changes" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown commit"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(prog="python -m phylanx.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workloads", default=",".join(WORKLOADS),
                        help=f"comma-separated, from: {', '.join(WORKLOADS)} (default: all); "
                             "'none' for no main table")
    parser.add_argument("--sizes", default=DEFAULT_SIZES,
                        help=f"comma-separated size names xs,s,m,l (default {DEFAULT_SIZES}); "
                             "see --list")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per case (median)")
    parser.add_argument("--max-time", type=float, default=2.0,
                        help="stop repeating a case after this many seconds (>= 3 runs)")
    parser.add_argument("--issue6", nargs="?", const="all", metavar="FIGURES",
                        help="also measure the runtime issue's figures at its sizes with 2 "
                             "threads (or the largest --threads) and print them beside their "
                             "targets; optionally a comma-separated subset of: "
                             + ", ".join(bench_issue6.MEASUREMENTS))
    parser.add_argument("--plot", metavar="PNG", help="draw the figures into this file")
    parser.add_argument("--update-doc", metavar="MD",
                        help="write the tables into the marked sections of this markdown file")
    parser.add_argument("--list", action="store_true", help="list workloads and sizes")
    args = parser.parse_args(argv)
    if args.list:
        for w in WORKLOADS.values():
            sizes = ", ".join(f"{k}={'x'.join(map(str, v))}" for k, v in w.sizes.items())
            print(f"{w.name:13s} {w.doc}\n{'':13s} sizes: {sizes}")
        print("issue6 figures: " + ", ".join(bench_issue6.MEASUREMENTS))
        return 0
    workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]
    if workloads == ["none"]:
        workloads = []
    unknown = [w for w in workloads if w not in WORKLOADS]
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    bad_sizes = [s for s in sizes if workloads and not any(
        s in WORKLOADS[w].sizes for w in workloads if w in WORKLOADS)]
    if unknown or bad_sizes:
        parser.error(f"unknown workloads {unknown} or sizes {bad_sizes} (see --list)")
    try:
        threads = [int(t) for t in args.threads.split(",") if t.strip()]
    except ValueError:
        parser.error(f"--threads must be integers, got {args.threads!r}")
    if not threads or min(threads) < 1:
        parser.error("--threads must be >= 1")
    figures_wanted = None
    if args.issue6 not in (None, "all"):
        figures_wanted = [f.strip() for f in args.issue6.split(",") if f.strip()]
        bad = [f for f in figures_wanted if f not in bench_issue6.MEASUREMENTS]
        if bad:
            parser.error(f"unknown --issue6 figures {bad}; known: "
                         + ", ".join(bench_issue6.MEASUREMENTS))
    if not workloads and args.issue6 is None:
        parser.error("nothing to measure: --workloads none without --issue6")
    if args.plot and not workloads:
        parser.error("--plot needs the main table's workloads")
    if args.update_doc and not os.path.exists(args.update_doc):
        parser.error(f"--update-doc: no file {args.update_doc}")
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = load_average()
    try:
        rows = (run(workloads, sizes, threads, max(1, args.repeat), args.max_time)
                if workloads else [])
        figures = None
        if args.issue6 is not None:
            figures = bench_issue6.run(2 if 2 in threads else max(threads), max(1, args.repeat),
                                       max(args.max_time, 10.0), figures_wanted, progress)
            if sys.stderr.isatty():
                print(file=sys.stderr)
    finally:
        clear_cases()
    facts = machine_facts()  # after the run: every library's thread pool is loaded by now
    facts.append(f"load average (1 min): {load_before} before the run, {load_average()} after")
    elapsed = (datetime.datetime.now(datetime.timezone.utc) - started).total_seconds()
    command = " ".join(["python -m phylanx.bench", *argv])
    facts.append(f"{started:%Y-%m-%d %H:%M} UTC, {_git_commit()}, {elapsed:.0f} s: {command}")
    print("\n".join(facts) + "\n")
    sections = {"machine": "```\n" + "\n".join(facts) + "\n```\n"}
    if rows:
        sections["table"] = format_table(rows) + "\n"
        print(sections["table"])
    if figures is not None:
        sections["issue6"] = bench_issue6.format_table(figures) + "\n"
        print(sections["issue6"])
    if args.plot:
        plot(rows, args.plot)
        print(f"plot written to {args.plot}", file=sys.stderr)
    if args.update_doc:
        update_doc(args.update_doc, sections)
        print(f"tables written to {args.update_doc} ({', '.join(sections)})", file=sys.stderr)
    ok = all(r["check"] == "ok" for r in rows) and all(
        f.check != "DIFF" for f in figures or [])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
