"""kernel.explain(*args) / `python -m phylanx explain`: NumPy fallbacks and why, parallel loops
and how the runtime ran them, loops left sequential and refused fusions, by source line."""

import dataclasses
import os
import subprocess
import sys

import numpy as np
import pytest

import phylanx
import phylanx.explain
from phylanx.examples.als import als_implicit
from phylanx.explain import explain_types

FILE = os.path.basename(__file__)


@pytest.fixture
def threads():
    before = phylanx.get_num_threads()

    def use(n):
        phylanx.set_num_threads(n)

    yield use
    phylanx.set_num_threads(before)


def line_of(fragment):
    with open(__file__) as f:
        for no, text in enumerate(f, 1):
            if fragment in text and "line_of(" not in text:
                return no
    raise AssertionError(fragment)


@phylanx.kernel
def fallbacks(A, B):
    d = ((A[:, None, :] - B[None, :, :]) ** 2).sum(axis=1)
    s = np.sort(d, axis=0)
    t = A * 2.0
    v = A[0:2]
    v[0] = 9.0
    u = A + t
    return s, u


def test_fallbacks_and_a_refused_fusion_by_source_line():
    A = np.random.default_rng(0).normal(size=(30, 4))
    report = fallbacks.explain(A, A[:5].copy())
    text = str(report)
    (reduce_, sort_) = report.of("fallback")
    assert (reduce_.op, reduce_.line, sort_.op, sort_.line) == (
        "fused_reduce", line_of("d = ((A"), "sort", line_of("s = np.sort"))
    assert ("runs as a NumPy fallback holding the GIL: the native elementwise kernel does "
            "not take it: fused_reduce over axes 1 of rank 3 (1 execution, ") in reduce_.message
    assert "no native kernel for 'sort' (1 execution, " in sort_.message
    (refused,) = report.of("refused")
    assert refused.op == "add" and refused.line == line_of("u = A + t")
    assert "not fused with 'multiply' @" in refused.message and \
        "in-place write 'setitem'" in refused.message
    lines = text.splitlines()
    assert lines[0].startswith(f"phylanx explain: fallbacks(f64[?,?], f64[?,?])  [{__file__}]")
    assert lines[1].startswith("ran once: ") and \
        "2 NumPy fallbacks, 0 parallel loops (0 ran on several threads, 0 as native loop " \
        "kernels), 0 sequential loops, 1 fusion refused" in lines[1]
    at = lines.index(f"{FILE}:{line_of('d = ((A')}: d = ((A[:, None, :] - B[None, :, :]) ** 2)"
                     f".sum(axis=1)")
    assert lines[at + 1].startswith(f"  {FILE}:{line_of('d = ((A')}:9 fused_reduce: fallback: ")
    # every entry names file:line:col and the op, under its source line
    entries = [ln for ln in lines if ln.startswith("  ")]
    assert len(entries) == 3 and all(ln.split()[0].startswith(f"{FILE}:") for ln in entries)


def mandelbrot(h, w, max_iter):
    out = np.zeros((h, w), dtype=np.int64)
    for j in range(h):
        for i in range(w):
            c = (-2.0 + 3.0 * i / w) + (-1.5 + 3.0 * j / h) * 1j
            z = 0j
            n = 0
            while n < max_iter:
                if abs(z) > 2.0:
                    break
                z = z * z + c
                n += 1
            out[j, i] = n
    return out


def test_parallel_loops_that_ran_sequentially_say_why(threads):
    """Both Mandelbrot loops are proved parallel, and neither runs in parallel: the runtime
    runs nested parallel loops sequentially, and the outer loop's body holds the GIL."""
    threads(2)
    kern = phylanx.kernel(mandelbrot)
    report = kern.explain(6, 5, 20)
    outer, inner = report.of("parallel")
    assert (outer.line, inner.line) == (line_of("for j in range(h)"), line_of("for i in range(w)"))
    assert outer.outcome == inner.outcome == "one thread"
    assert outer.message.startswith("loop over %j marked parallel; ran sequentially "
                                    "(1 execution, 6 iterations): ")
    assert "ms holding it (16 of its 17 ops hold it: multiply, true_divide, add, not, " \
           "less, builtin.abs, greater)" in outer.message, outer.message
    assert inner.message.startswith("loop over %i marked parallel; ran sequentially "
                                    "(6 executions, 30 iterations): it is nested in the "
                                    f"parallel loop at line {outer.line}")
    threads(1)
    (outer, _) = kern.explain(6, 5, 20).of("parallel")
    assert outer.message.endswith("the runtime has one thread (phylanx.runtime.set_num_threads, "
                                  "PHYLANX_NUM_THREADS)")
    assert kern(6, 5, 20).tolist() == mandelbrot(6, 5, 20).tolist()


def columns(A, X, B):
    for i in range(B.shape[1]):
        B[:, i] = (A @ X[:, i]) * 0.5 + B[:, i]
    return B


def test_a_loop_with_work_without_the_gil(threads):
    """Each iteration does a 200 x 200 product without the GIL, below the task threshold:
    the probe keeps the loop on one thread, and the report gives the first iteration's times."""
    from phylanx.runtime import get_task_threshold, set_task_threshold

    threads(2)
    before = get_task_threshold()
    set_task_threshold(2e5)   # the default (PHYLANX_TASK_THRESHOLD may have changed it)
    try:
        _loop_with_work_without_the_gil()
    finally:
        set_task_threshold(before)


def _loop_with_work_without_the_gil():
    rng = np.random.default_rng(0)
    A, X, B = rng.normal(size=(200, 200)), rng.normal(size=(200, 24)), rng.normal(size=(200, 24))
    expected = columns(A, X, B.copy())
    got = B.copy()
    (loop,) = phylanx.kernel(columns).explain(A, X, got).of("parallel")
    np.testing.assert_array_equal(got, expected)   # explain ran it (and mutated B)
    assert loop.outcome == "one thread"
    assert loop.message.startswith("loop over %i marked parallel; ran sequentially "
                                   "(1 execution, 24 iterations): no helper thread ran an "
                                   "iteration: its first iteration (the runtime's probe) spent ")
    assert "ms holding it (0 of its 6 ops hold it); helpers join only when the probe's work " \
           "without the GIL reaches the task threshold (2e+05 element-operations" \
           in loop.message


def test_iterations_run_by_helper_threads_are_counted(threads):
    """The records of a call in which helper threads (pool tasks on thread 1) ran every
    iteration after the first, as the runtime records them, read as a parallel run."""
    threads(2)
    kern = phylanx.kernel(columns)
    rng = np.random.default_rng(0)
    args = rng.normal(size=(8, 8)), rng.normal(size=(8, 5)), rng.normal(size=(8, 5))
    with phylanx.profile() as prof:
        kern(*args)
    call = prof.calls[0]
    records = call.records.copy()
    names = [call.executable.profile_op(i).name for i in records["op_id"]]
    loop = names.index("for_range")
    first_yield = names.index("yield")
    later = np.arange(len(records)) > first_yield
    later &= records["parent"] == loop
    assert later.sum() == 4 * 7            # 4 iterations of 7 recorded nodes (yield included)
    records["tid"][later] = 1
    records["flags"][later] |= 2
    compiled = kern.compile(kern._types(args))
    report = phylanx.explain._explain(kern, compiled, compiled.module,
                                      dataclasses.replace(call, records=records))
    (entry,) = report.of("parallel")
    assert entry.outcome == "threads"
    assert entry.message == ("loop over %i marked parallel; ran in parallel (1 execution, "
                             "5 iterations; helper threads ran 4 of the iterations in 1 of the "
                             "executions)")
    assert "1 parallel loop (1 ran on several threads, 0 as native loop kernels)" in str(report)


def test_native_loop_kernels_and_sequential_loops():
    rng = np.random.default_rng(0)
    R = (rng.random((30, 20)) > 0.7) * 3.0
    report = als_implicit.explain(R, rng.normal(size=(30, 4)), rng.normal(size=(20, 4)),
                                  40.0, 0.1, 2)
    loops = report.of("parallel")
    assert [e.outcome for e in loops] == ["native", "native"]
    assert all("runs as one native loop kernel (GIL released" in e.message and
               "(2 executions, " in e.message for e in loops)
    (seq,) = report.of("sequential")
    assert seq.op == "for_range" and "stays sequential: 'setitem' @" in seq.message
    assert "writes %X[%u], not at this loop's index %_" in seq.message


def test_compiled_only_report():
    report = explain_types(phylanx.kernel(mandelbrot), "int, int, int")
    text = str(report)
    assert "compiled, not run" in text.splitlines()[1]
    assert all("the runtime decides at run time" in e.message for e in report.of("parallel"))


def test_cli(tmp_path):
    (tmp_path / "explain_args.py").write_text(
        "def make():\n    return 6, 5, 20\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "PHYLANX_NUM_THREADS": "2"}
    ran = subprocess.run([sys.executable, "-m", "phylanx", "explain", f"{__file__}:mandelbrot",
                          "--args-from", "explain_args:make"], capture_output=True, text=True,
                         env=env, cwd=tmp_path, check=False)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith("phylanx explain: mandelbrot(int, int, int)")
    assert f"{FILE}:{line_of('for j in range(h)')}:5 for_range: parallel: loop over %j " \
           "marked parallel; ran sequentially" in ran.stdout
    static = subprocess.run([sys.executable, "-m", "phylanx", "explain",
                             f"{__file__}:mandelbrot", "--types", "int, int, int"],
                            capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
    assert static.returncode == 0 and "compiled, not run" in static.stdout


def scale_rows(A, B):
    for i in range(A.shape[0]):
        A[i, :] = B[i, :] * 2.0
    return A


def test_overlapping_arguments_run_the_unoptimized_kernel():
    kern = phylanx.kernel(scale_rows)
    X = np.arange(12.0).reshape(3, 4)
    report = kern.explain(X, X)
    assert "array arguments overlap, so the kernel ran its unoptimized PhySL" in str(report)
    assert report.of("parallel") == [] and report.of("sequential") == []
    assert X.tolist() == scale_rows(*[np.arange(12.0).reshape(3, 4)] * 2).tolist()
    (loop,) = kern.explain(X, X.copy()).of("parallel")   # distinct: the optimized kernel
    assert loop.message.startswith("loop over %i marked parallel")
