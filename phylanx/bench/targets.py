"""The runtime's performance targets: named figures, each measured at its size and printed
beside its target (``python -m phylanx.bench --targets``).

Each figure is measured with `threads` threads (default 2), NumPy and the peers (NumExpr,
Numba, JAX, Dask when installed) in the same process, medians of interleaved runs:

- dispatch, ns per scalar node: a kernel looping 20,000 times over ``x = x*1.0001 + 0.5``;
- forced tasks, us per pool task: independent tiny native nodes forced to run as pool tasks
  (uses the test suite's native kernels, compiled from a checkout's tests/native_test_kernels);
- fused exp/sin, speedup over NumPy: ``np.exp(-x*x/2)*a + b*np.sin(x)`` on 1e7 doubles;
- memory-bound ``a*x + b*y - c`` on 1e7 doubles, share of the bound from np.copyto's bandwidth;
- matmul overlap: two independent 2000x2000 matmuls, their overlap in the runtime's profile;
- LogReg 10,000 x 10,000, 10 iterations, with and without the fused matvec pair;
- explicit ALS on a MovieLens-1M-shaped set, k = 10 and k = 40, 1 iteration;
- first call of the LogReg kernel (compile) and ``import phylanx`` (in a subprocess), in ms.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

import phylanx
from phylanx.bench.workloads import Case, alternatives, cached_case, same_result, settle


@dataclass
class Figure:
    """One row of the targets table: a named figure, its value and its target."""

    name: str        # what the figure is, with its unit: "dispatch, ns per scalar node"
    problem: str
    result: str      # the figure itself, with its unit
    target: str
    met: bool | None  # None: no target could be checked (e.g. the measurement failed)
    detail: str = ""  # the times behind it, NumPy and the peers
    check: str = "ok"  # phylanx's result equals NumPy's ("ok"/"DIFF"), or "-"
    value: float = float("nan")  # the figure as a number in the unit of `result` (for asv)

    @property
    def verdict(self) -> str:
        return "?" if self.met is None else ("yes" if self.met else "**no**")


HEADER = ("figure", "problem", "result", "target", "met", "measured (medians)", "check")
# The table's rows, in order (each measurement below makes one or two of them).
DISPATCH = "dispatch, ns per scalar node"
FORCED_TASKS = "forced tasks, us per pool task"
FUSED = "fused exp/sin, speedup over NumPy"
MEMORY_BOUND = "memory-bound a*x+b*y-c, share of the copy bound"
MATMUL_OVERLAP = "two matmuls, overlap of the shorter"
LOGREG = "LogReg with the fused matvec pair, speedup over NumPy"
LOGREG_UNFUSED = "LogReg without the pair, speedup over NumPy"
ALS_K10 = "explicit ALS k = 10, speedup over the NumPy loop"
ALS_K40 = "explicit ALS k = 40, speedup over the NumPy loop"
FIRST_CALL = "first call (compile), ms"
IMPORT = "import phylanx, ms"
FIGURE_NAMES = (DISPATCH, FORCED_TASKS, FUSED, MEMORY_BOUND, MATMUL_OVERLAP, LOGREG,
                LOGREG_UNFUSED, ALS_K10, ALS_K40, FIRST_CALL, IMPORT)


def format_table(figures: list[Figure]) -> str:
    """The figures as one markdown table."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for f in figures:
        cells = (f.name, f.problem, f.result, f.target, f.verdict, f.detail, f.check)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def medians(runners: dict[str, Callable[[], object]], repeat: int,
            max_time: float) -> dict[str, float]:
    """Median seconds of each runner, runs interleaved (drift hits all alike), >= 3 rounds;
    each run starts after the previous tool's threads settled (see `settle`)."""
    times: dict[str, list[float]] = {name: [] for name in runners}
    start = time.perf_counter()
    for i in range(repeat):
        for name, fn in runners.items():
            if len(runners) > 1:
                settle()
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
        if i >= 2 and time.perf_counter() - start > max_time:
            break
    return {name: statistics.median(ts) for name, ts in times.items()}


def _ms(seconds: float) -> str:
    ms = seconds * 1e3
    return f"{ms:.3g} ms" if ms < 100 else f"{ms:.0f} ms"


def _peers(case: Case, threads: int) -> dict[str, Callable[[], object]]:
    """The installed peers that run (a warm-up call compiles them); failures are left out."""
    out = {}
    for name, fn in alternatives(case, threads).items():
        try:
            fn()
            out[name] = fn
        except Exception as e:  # noqa: BLE001 - an optional tool must not stop the bench
            print(f"\n{name} failed on {case.workload} {case.size}: {e!r}", file=sys.stderr)
    return out


def _versus_numpy(case: Case, threads: int, repeat: int, max_time: float,
                  extra: dict[str, Callable[[], object]] | None = None,
                  numpy_blas_threads: int | None = None) -> tuple[dict[str, float], str]:
    """Medians of phylanx, NumPy, `extra` and the peers on `case`, and the result check.
    `numpy_blas_threads` limits BLAS for the NumPy twin and the peers (default: `threads`)."""
    def blas_limited(fn: Callable[[], object]) -> Callable[[], object]:
        if numpy_blas_threads is None:
            return fn

        def run():
            with threadpool_limits(limits=numpy_blas_threads, user_api="blas"):
                return fn()
        return run

    run_numpy = blas_limited(case.run_numpy)
    expected = run_numpy()
    check = "ok" if same_result(case.run_phylanx(), expected, case.rtol) else "DIFF"
    peers = {name: blas_limited(fn) for name, fn in _peers(case, threads).items()}
    runners = {"phylanx": case.run_phylanx, "numpy": run_numpy, **(extra or {}), **peers}
    for fn in (extra or {}).values():
        fn()  # warm-up: compiles
    return medians(runners, repeat, max_time), check


def _speedups(t: dict[str, float], skip: tuple = ()) -> str:
    """'NumPy 120 ms; phylanx 20 ms; numba 40 ms (3.0x)': the times, peers' speedups."""
    parts = [f"NumPy {_ms(t['numpy'])}", f"phylanx {_ms(t['phylanx'])}"]
    parts += [f"{name} {_ms(v)} ({t['numpy'] / v:.2f}x)" for name, v in t.items()
              if name not in ("numpy", "phylanx", *skip)]
    return "; ".join(parts)


# -- the figures ----------------------------------------------------------------------------------

_CONTROL = {"for_range", "while", "if", "call", "yield", "return"}


def _profile(case: Case) -> list:
    """The runtime's node records of one profiled run of the case's kernel."""
    kernel = case.phylanx
    values = kernel._bind(case.args, {})
    executable = kernel.compile(kernel._types(values)).executable
    executable.run(tuple(values), profile=True)
    return executable.last_profile()


def dispatch(threads: int, repeat: int, max_time: float) -> list[Figure]:
    case = cached_case("dispatch", "s")
    n = case.args[1]
    nodes = sum(r[0] not in _CONTROL for r in _profile(case))
    per_iteration = nodes / n if nodes >= n else 2.0  # the profile may be capped
    ones = np.ones(1)
    t, check = _versus_numpy(case, threads, repeat, max_time,
                             {"numpy_1elem": lambda: case.numpy(ones, n)})
    ns = t["phylanx"] / (n * per_iteration) * 1e9
    detail = (f"{_ms(t['phylanx'])} per call, {per_iteration:g} nodes/iteration; CPython float "
              f"loop {t['numpy'] / (2 * n) * 1e9:.0f} ns/op; NumPy 1-element arrays "
              f"{t['numpy_1elem'] / (2 * n) * 1e9:.0f} ns/op")
    return [Figure(DISPATCH, f"{n:,} iterations of x = x*1.0001 + 0.5 (float)",
                   f"{ns:.0f} ns/node", "<= 30 ns/node", ns <= 30, detail, check, ns)]


def forced_tasks(threads: int, repeat: int, max_time: float) -> list[Figure]:
    """Per-task cost: k independent nodes run inline vs forced to be tasks (threshold 0)."""
    import phylanx.runtime as rt
    from phylanx.bench.scheduler import independent_nodes, load_test_kernels
    from phylanx.ir.parser import parse_physl
    from phylanx.ir.registry import OPS

    testkernels = load_test_kernels()  # the test op `test.spin`

    k = 64
    registered_here = "test.spin" not in OPS  # leave a caller's registration in place
    testkernels.register()
    threshold = rt.get_task_threshold()
    try:
        executable = rt.lower(parse_physl(independent_nodes(k)))

        def with_threshold(value: float) -> Callable[[], object]:
            def run():
                rt.set_task_threshold(value)
                executable.run((1.0, 0))
            return run

        t = medians({"inline": with_threshold(1e300), "tasks": with_threshold(0.0)},
                    max(repeat, 200), max_time)
    finally:
        rt.set_task_threshold(threshold)
        if registered_here:
            testkernels.unregister()
    us = (t["tasks"] - t["inline"]) / k * 1e6
    detail = (f"{k} nodes per call: inline {t['inline'] * 1e6:.1f} us, as tasks "
              f"{t['tasks'] * 1e6:.1f} us")
    return [Figure(FORCED_TASKS, f"{k} independent tiny native nodes as pool tasks",
                   f"{us:.2f} us/task", "<= 2 us/task", us <= 2, detail, "-", us)]


def fused(threads: int, repeat: int, max_time: float) -> list[Figure]:
    case = cached_case("fused", "l")
    t, check = _versus_numpy(case, threads, repeat, max_time)
    s = t["numpy"] / t["phylanx"]
    return [Figure(FUSED, "np.exp(-x*x/2)*a + b*np.sin(x), 1e7 float64",
                   f"{s:.2f}x NumPy", ">= 6x NumPy", s >= 6, _speedups(t), check, s)]


def copy_bandwidth(n: int, repeat: int) -> float:
    """Bytes per second np.copyto moves (n doubles read + n written), median of `repeat`."""
    src, dst = np.random.default_rng(1).standard_normal(n), np.empty(n)
    np.copyto(dst, src)
    t = medians({"copy": lambda: np.copyto(dst, src)}, repeat, 5.0)["copy"]
    return 2 * 8 * n / t


def memory_bound(threads: int, repeat: int, max_time: float) -> list[Figure]:
    case = cached_case("axpby", "l")
    n = case.args[0].size
    t, check = _versus_numpy(case, threads, repeat, max_time)
    bandwidth = copy_bandwidth(n, max(repeat, 7))
    bound = 4 * 8 * n / bandwidth  # x, y, c read, the result written
    share = bound / t["phylanx"]
    detail = (f"np.copyto {bandwidth / 1e9:.1f} GB/s, bound {_ms(bound)}; "
              + _speedups(t) + f"; NumPy at {bound / t['numpy']:.0%} of the bound")
    return [Figure(MEMORY_BOUND, "1e7 float64, a, b scalars",
                   f"{share:.0%} of bound", ">= 80% of the np.copyto bound", share >= 0.8,
                   detail, check, 100 * share)]


def matmul_overlap(threads: int, repeat: int, max_time: float) -> list[Figure]:
    """Two independent 2000^3 products: how much of the shorter one ran while the other ran."""
    case = cached_case("matmuls", "paper")
    t, check = _versus_numpy(case, threads, repeat, max_time)
    records = [r for r in _profile(case) if r[0] in ("matmul", "dot")]
    if len(records) != 2:
        return [Figure(MATMUL_OVERLAP, "two independent 2000x2000 matmuls", "?",
                       "both run at once", None,
                       f"profile shows {len(records)} matmul nodes; " + _speedups(t), check)]
    (_, _, a0, a1, ta, *_), (_, _, b0, b1, tb, *_) = records
    overlap = max(0, min(a1, b1) - max(a0, b0)) / min(a1 - a0, b1 - b0)
    detail = (f"threads {ta} and {tb}, {(a1 - a0) / 1e6:.0f} and {(b1 - b0) / 1e6:.0f} ms; "
              + _speedups(t))
    return [Figure(MATMUL_OVERLAP, "two independent 2000x2000 matmuls in one kernel",
                   f"{overlap:.0%} overlap", "both run at once (> 50% overlap)", overlap > 0.5,
                   detail, check, 100 * overlap)]


def logreg_paper(threads: int, repeat: int, max_time: float) -> list[Figure]:
    from phylanx.passes import DEFAULT_PIPELINE

    case = cached_case("logreg", "paper")
    pipeline = ",".join(p for p in DEFAULT_PIPELINE.split(",") if p != "fuse-matvec-pair")
    unfused = phylanx.Kernel(case.phylanx.py_func, passes=pipeline)
    t, check = _versus_numpy(case, threads, repeat, max_time,
                             {"unfused": lambda: unfused(*case.args)})
    s, s_unfused = t["numpy"] / t["phylanx"], t["numpy"] / t["unfused"]
    problem = "10,000 x 10,000, 10 iterations"
    return [
        Figure(LOGREG, problem, f"{s:.2f}x NumPy", ">= 1.8x NumPy",
               s >= 1.8, _speedups(t, skip=("unfused",)), check, s),
        Figure(LOGREG_UNFUSED, problem, f"{s_unfused:.2f}x NumPy",
               ">= 1.0x NumPy", s_unfused >= 1.0,
               f"NumPy {_ms(t['numpy'])}; phylanx without fuse-matvec-pair "
               f"{_ms(t['unfused'])}", check, s_unfused),
    ]


def als_ml1m(threads: int, repeat: int, max_time: float) -> list[Figure]:
    figures = []
    for size, name, target in (("ml1m", ALS_K10, 10.0), ("ml1m-k40", ALS_K40, 5.0)):
        case = cached_case("als_explicit", size)
        # The NumPy loop's k x k products and solves are too small for BLAS threads: with 2,
        # next to other work, k = 40 ran 50x slower here. One BLAS thread is its best.
        t, check = _versus_numpy(case, threads, repeat, max_time, numpy_blas_threads=1)
        s = t["numpy"] / t["phylanx"]
        figures.append(Figure(name,
                              "MovieLens-1M-shaped: " + case.problem.replace("nnz", "ratings"),
                              f"{s:.2f}x NumPy", f">= {target:g}x NumPy loop", s >= target,
                              "NumPy loop and peers with 1 BLAS thread; " + _speedups(t), check, s))
        del case
    return figures


def compile_time(threads: int, repeat: int, max_time: float) -> list[Figure]:
    case = cached_case("compile", "s")  # a fresh Kernel object on every call
    case.run_phylanx()  # loads the frontend, passes and runtime modules once
    t = medians({"phylanx": case.run_phylanx}, max(repeat, 11), max_time)["phylanx"]
    return [Figure(FIRST_CALL, "LogReg kernel: parse, passes, lowering, run on 8x3",
                   _ms(t), "<= 30 ms", t <= 0.030, "a fresh Kernel per call", "-", t * 1e3)]


_IMPORT = ("import time; t = time.perf_counter(); import {0}; "
           "print(time.perf_counter() - t)")


def import_seconds(module: str, repeat: int = 5) -> float:
    """Median seconds of `import module` in a fresh interpreter (outside any source tree)."""
    times = []
    with tempfile.TemporaryDirectory() as cwd:
        for _ in range(repeat):
            out = subprocess.run([sys.executable, "-c", _IMPORT.format(module)], cwd=cwd,
                                 capture_output=True, text=True, timeout=300, check=True)
            times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def import_time(threads: int, repeat: int, max_time: float) -> list[Figure]:
    import importlib.util

    import_seconds("phylanx", 1)  # the first import may compile .pyc files
    t = import_seconds("phylanx")
    peers = [f"{m} {_ms(import_seconds(m))}" for m in ("numpy", "numba", "jax")
             if importlib.util.find_spec(m) is not None]
    return [Figure(IMPORT, "fresh interpreter (subprocess)", _ms(t), "<= 200 ms",
                   t <= 0.2, "; ".join(peers), "-", t * 1e3)]


MEASUREMENTS: dict[str, Callable[[int, int, float], list[Figure]]] = {
    "dispatch": dispatch,
    "forced-tasks": forced_tasks,
    "fused": fused,
    "memory-bound": memory_bound,
    "matmul-overlap": matmul_overlap,
    "logreg": logreg_paper,
    "als-ml1m": als_ml1m,
    "compile": compile_time,
    "import": import_time,
}


def run(threads: int = 2, repeat: int = 7, max_time: float = 10.0,
        only: list[str] | None = None,
        progress: Callable[[str], None] = lambda text: None) -> list[Figure]:
    """Measure the target figures (all, or the `only` ones) with `threads` threads."""
    names = list(MEASUREMENTS) if only is None else only
    figures: list[Figure] = []
    previous = phylanx.get_num_threads()
    try:
        phylanx.set_num_threads(threads)
        with threadpool_limits(limits=threads):
            for i, name in enumerate(names, 1):
                progress(f"[targets {i}/{len(names)}] {name}")
                try:
                    figures += MEASUREMENTS[name](threads, repeat, max_time)
                except Exception as e:  # noqa: BLE001 - report the failure in its row
                    figures.append(Figure(name, "", "failed", "", None,
                                          f"{type(e).__name__}: {e}", "-"))
    finally:
        phylanx.set_num_threads(previous)
    return figures
