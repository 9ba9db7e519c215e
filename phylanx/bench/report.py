"""What the benchmarks print and write: machine facts, the paper's figures as a PNG, and the
generated sections of a markdown file (docs/performance.md)."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys

import numpy as np
from threadpoolctl import threadpool_info

import phylanx


def progress(text: str) -> None:
    """One progress line on stderr (rewritten in place on a terminal)."""
    if sys.stderr.isatty():
        print(f"\r\033[K{text}", end="", file=sys.stderr, flush=True)
    else:
        print(text, file=sys.stderr, flush=True)


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


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10,
                               check=False).stdout.strip()
        return out.stdout.strip() + (" + uncommitted changes" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown commit"
