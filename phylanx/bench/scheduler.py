"""Measurements of the scheduler (`python -m phylanx.runtime bench`; numbers in docs/runtime.md).

Per-node overhead of the sequential path (a scalar loop), per-task overhead (independent tiny
native nodes forced to be tasks), Ctrl-C latency, and 1 vs 2 threads on a few kernels.
The tiny native nodes are the test op `test.spin` of the test suite's native kernels, compiled
from a checkout's tests/native_test_kernels when needed (see `load_test_kernels`).
"""

from __future__ import annotations

import os
import signal
import statistics
import sys
import time

import numpy as np

import phylanx
import phylanx.runtime as rt
from phylanx.ir.parser import parse_physl
from phylanx.runtime import _threads, lower

TEST_KERNELS = os.path.join("tests", "native_test_kernels")   # of a phylanx checkout
TEST_KERNELS_MISSING = (
    "the test kernels (ops test.spin, test.team) are compiled from the source folder "
    f"{TEST_KERNELS} of a phylanx checkout: run this from the checkout's root folder, with "
    "meson, ninja and Cython installed (pip install -r requirements/bench.txt)")


def load_test_kernels(source_dir: str | None = None):
    """The test-kernel module (ops test.spin, test.spin_gil, test.team), compiled from
    `source_dir` (default: tests/native_test_kernels of the checkout in the current folder)
    against the installed runtime on first use, then cached (phylanx.runtime.extbuild).
    A missing source folder or build tool is a ModuleNotFoundError saying what to do."""
    from phylanx.runtime import extbuild

    source_dir = source_dir or TEST_KERNELS
    name = "phylanx_test_kernels"
    if name not in sys.modules and not os.path.isdir(source_dir):
        raise ModuleNotFoundError(f"{TEST_KERNELS_MISSING} (no folder {os.path.abspath(source_dir)})",
                                  name=name)
    try:
        return extbuild.load(source_dir)
    except extbuild.BuildError as e:
        raise ModuleNotFoundError(f"{TEST_KERNELS_MISSING}\n{e}", name=name) from None


TWO = """
func @f(%x: float, %n: int) -> float {
  %a = test.spin %x, %n : float
  %b = test.spin %x, %n : float
  %c = add %a, %b : float
  return %c
}
"""

PARLOOP = """
func @f(%a: f64[?], %n: int, %m: int) -> f64[?] {
  %0 = const {value = 0} : int
  %1 = const {value = 1} : int
  %r = for_range %0, %n, %1, %a {parallel = true} : f64[?] body(%i: int, %acc: f64[?]) {
    %y = test.spin %i, %m : float
    %z = setitem %acc, %i, %y {index = ("i",)} : f64[?]
    yield %z
  }
  return %r
}
"""


def scalar_loop(x, n):
    for i in range(n):
        x = x * 1.0001 + 0.5
    return x


def two_products(a, b):
    return a @ b, b @ a


def small_arrays(x, y, n):
    for i in range(n):
        u = np.exp(-x) + y
        v = np.sin(y) * x
        x = u * 0.5 + v * 0.25
    return x


def _best(fn, repeat):
    ts = []
    for _ in range(repeat):
        t = time.perf_counter_ns()
        fn()
        ts.append(time.perf_counter_ns() - t)
    return min(ts), statistics.median(ts)


def independent_nodes(k: int) -> str:
    """PhySL of k independent tiny native test nodes summed up (no fusion can merge them)."""
    lines = [f"  %s{j} = test.spin %x, %n : float" for j in range(k)]
    acc = "%s0"
    for j in range(1, k):
        lines.append(f"  %a{j} = add {acc}, %s{j} : float")
        acc = f"%a{j}"
    return "func @f(%x: float, %n: int) -> float {\n" + "\n".join(lines) + \
        f"\n  return {acc}\n}}\n"


def _ctrl_c_latency(run):
    fired = []

    def handler(signum, frame):
        fired.append(time.perf_counter())
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        try:
            run()
        except KeyboardInterrupt:
            return time.perf_counter() - fired[0]
        return float("nan")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def main(out=print):
    testkernels = load_test_kernels()
    testkernels.register()
    threads0, threshold0 = rt.num_threads(), rt.get_task_threshold()
    blas0 = _threads.blas_threads()
    try:
        _run(out)
    finally:
        rt.set_num_threads(threads0)
        _threads.set_blas_threads(blas0)
        rt.set_task_threshold(threshold0)
        testkernels.unregister()


def _run(out):
    out(f"load average {os.getloadavg()}")
    n = 20_000
    loop = phylanx.kernel(scalar_loop)
    compiled = loop.compile(loop._types((1.0, n)))
    for t in (1, 2):
        rt.set_num_threads(t, blas=True)
        b, med = _best(lambda: compiled.run((1.0, n)), 15)
        out(f"scalar loop, {t} thread(s): {b / n / 3:.1f} ns/node (median {med / n / 3:.1f})")

    k = 64
    ex = lower(parse_physl(independent_nodes(k)))
    rt.set_num_threads(2)
    res = {}
    for label, threshold in (("inline", 1e300), ("tasks", 0.0)):
        rt.set_task_threshold(threshold)
        res[label] = _best(lambda: ex.run((1.0, 0)), 200)
    out(f"{k} independent tiny native nodes: inline {res['inline'][0] / 1e3:.1f} us, as tasks "
        f"{res['tasks'][0] / 1e3:.1f} us per call; per-task overhead "
        f"{(res['tasks'][0] - res['inline'][0]) / k:.0f} ns "
        f"(median {(res['tasks'][1] - res['inline'][1]) / k:.0f} ns)")
    rt.set_task_threshold(2e5)

    ex_two, ex_loop = lower(parse_physl(TWO)), lower(parse_physl(PARLOOP))
    for name, run in (("sequential loop", lambda: compiled.run((1.0, 10**12))),
                      ("parallel loop", lambda: ex_loop.run((np.zeros(10**6), 10**6,
                                                             300_000)))):
        rt.set_num_threads(2)
        out(f"Ctrl-C latency, {name}: {_ctrl_c_latency(run) * 1e3:.1f} ms")

    prods, arrays = phylanx.kernel(two_products), phylanx.kernel(small_arrays)
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((1000, 1000)), rng.standard_normal((1000, 1000))
    xs, ys = rng.standard_normal(200), rng.standard_normal(200)
    cases = [
        ("two native nodes, 2 x 3e7 steps", lambda: ex_two.run((1.0, 30_000_000)), 5),
        ("parallel loop, 32 x 2e6 steps", lambda: ex_loop.run((np.zeros(32), 32, 2_000_000)),
         5),
        ("two 1000x1000 matmuls", lambda: prods(a, b), 5),
        ("200-element arrays, 2000 iterations", lambda: arrays(xs, ys, 2000), 7),
        ("scalar loop, 20000 iterations", lambda: compiled.run((1.0, n)), 15),
    ]
    for name, fn, repeat in cases:
        times = {1: [], 2: []}
        for t in (1, 2):
            rt.set_num_threads(t, blas=True)
            fn()
        for _ in range(repeat):   # interleaved: a change of load hits both alike
            for t in (1, 2):
                rt.set_num_threads(t, blas=True)
                t0 = time.perf_counter_ns()
                fn()
                times[t].append(time.perf_counter_ns() - t0)
        b1, b2 = min(times[1]), min(times[2])
        m1, m2 = statistics.median(times[1]), statistics.median(times[2])
        out(f"{name:38s} 1 thread {b1 / 1e6:8.2f} ms (median {m1 / 1e6:8.2f})"
            f"  2 threads {b2 / 1e6:8.2f} ms (median {m2 / 1e6:8.2f})"
            f"  ratio {b2 / b1:.2f} (medians {m2 / m1:.2f})")
    out(f"load average {os.getloadavg()}")
