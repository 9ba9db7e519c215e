"""Reliability of a running kernel.

Other Python threads and Ctrl-C get in while it holds the GIL for its Python work (pace_check
in runtime/_executor.pyx). A runtime error keeps the class and message NumPy or Python gives,
with one thread or two, and gets one note naming the kernel's source line (runtime/_notes.py).

Each bound is what plain Python code gets in the same situation, measured just before, plus a
generous 50 ms (CPython's own switch interval is 5 ms): the machines running the tests are
shared. Without pace_check's clock a loop offered the GIL only every
256 iterations, which is 0.25 s and more when an iteration holds the GIL for 1 ms.
"""

import _thread
import threading
import time

import numpy as np
import pytest
from native_kernels import spin_reference

import phylanx
import phylanx.runtime as rt
from phylanx.ir.parser import parse_physl
from phylanx.runtime import lower

pytestmark = pytest.mark.usefixtures("native_test_ops")   # tests/conftest.py


@pytest.fixture
def one_thread():
    before = rt.num_threads()
    rt.set_num_threads(1)
    yield
    rt.set_num_threads(before)


# n iterations of test.spin_gil (m busy steps holding the GIL: about 1 ms for m = 200_000).
GIL_LOOP = """
func @f(%x: float, %n: int, %m: int) -> float {
  %0 = const {value = 0} : int
  %1 = const {value = 1} : int
  %r = for_range %0, %n, %1, %x : float body(%i: int, %u: float) {
    %v = test.spin_gil %u, %m : float
    yield %v
  }
  return %r
}
"""


@phylanx.kernel
def scalar_loop(x, n):
    for i in range(n):
        x = x * 0.5 + i
    return x


def _largest_gap(run):
    """Run `run()` while another thread stamps time.monotonic() in a loop that yields at
    every step; the longest time (s) the stamping thread was kept out during the run."""
    stamps, started, stop = [], threading.Event(), [False]

    def stamp():
        while not stop[0]:
            stamps.append(time.monotonic())
            started.set()
            time.sleep(0)

    thread = threading.Thread(target=stamp)
    thread.start()
    try:
        started.wait()
        t0 = time.monotonic()
        run()
        t1 = time.monotonic()
    finally:
        stop[0] = True
        thread.join()
    inside = [s for s in stamps if t0 <= s <= t1]
    return float(np.diff([t0, *inside, t1]).max())


def _python_loop(seconds):
    """Plain Python busy for `seconds`: what the tests compare with (CPython's own hand-over,
    and whatever the machine's load adds to it)."""
    end = time.monotonic() + seconds
    x = 0.0
    while time.monotonic() < end:
        x = x * 0.5 + 1.0


def _best_of_three(measure):
    """(kernel, plain Python) from measure() with the least excess of the kernel: a machine
    shared with other jobs can delay any one measurement; the code under test delays all."""
    return min((measure() for _ in range(3)), key=lambda pair: pair[0] - pair[1])


def test_other_threads_run_while_iterations_hold_the_gil(one_thread):
    ex = lower(parse_physl(GIL_LOOP))
    m = 200_000     # about 1 ms per iteration; 256 of them took 0.3 s
    assert ex.run((1.0, 3, m)) == pytest.approx(spin_reference(1.0, 3 * m))
    gap, python = _best_of_three(lambda: (_largest_gap(lambda: ex.run((1.0, 300, m))),
                                          _largest_gap(lambda: _python_loop(0.3))))
    assert gap < python + 0.05, (gap, python)


def test_other_threads_run_while_a_scalar_loop_runs(one_thread):
    assert scalar_loop(1.0, 10) == scalar_loop.py_func(1.0, 10)
    gap, python = _best_of_three(lambda: (_largest_gap(lambda: scalar_loop(1.0, 1_000_000)),
                                          _largest_gap(lambda: _python_loop(0.3))))
    assert gap < python + 0.05, (gap, python)


def _interrupt_from_a_timer(seconds, run):
    """Ctrl-C as a threading.Timer delivers it (_thread.interrupt_main): the timer thread
    needs the GIL to fire. Returns the time from the start of run() to KeyboardInterrupt.
    Should an interrupt be lost, another follows every second, so the test fails on the
    time it took instead of hanging the suite."""
    done = threading.Event()

    def fire():
        if done.wait(seconds):
            return
        while True:
            _thread.interrupt_main()
            if done.wait(1.0):
                return

    timer = threading.Thread(target=fire, daemon=True)
    t0 = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            run()
        return time.monotonic() - t0
    finally:
        done.set()
        timer.join()


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                    reason="Ctrl-C goes to the main thread")
@pytest.mark.parametrize("tier", ["0", "force"])
def test_ctrl_c_from_a_timer_thread_stops_a_loop_holding_the_gil(one_thread, tier, monkeypatch):
    # Each tier on its own kernel, compiled before the timer starts: a native compile still
    # running in the background would compete for the two cores with the loop and the timer.
    monkeypatch.setenv("PHYLANX_NATIVE", tier)
    loop = phylanx.kernel(scalar_loop.py_func)
    ex = lower(parse_physl(GIL_LOOP))
    loop(1.0, 10)
    # The interpreter hands the GIL over as CPython's eval loop does: as fast as plain
    # Python. Native code (phylanx/native) checks every 65536 iterations and lets a waiting
    # thread in at the switch interval, which the timer thread needs several times: measured
    # 0.06-0.15 s later than Python; the bound says it stops, not how fast.
    slack = 0.05 if tier == "0" else 1.0
    for run in (lambda: ex.run((1.0, 10**6, 200_000)), lambda: loop(1.0, 10**12)):
        elapsed, python = _best_of_three(
            lambda run=run: (_interrupt_from_a_timer(0.1, run),
                     _interrupt_from_a_timer(0.1, lambda: _python_loop(100))))
        assert elapsed < python + slack, (elapsed, python)
    assert ex.run((1.0, 2, 10)) == spin_reference(1.0, 20)   # still usable


# -- runtime errors: class, message, and the note naming the kernel line -----------------------

@pytest.fixture(params=["1 thread", "2 threads, every node a task"])
def thread_modes(request):
    """One thread, and the dataflow path with every heavy node a pool task."""
    before, threshold = rt.num_threads(), rt.get_task_threshold()
    if request.param == "1 thread":
        rt.set_num_threads(1)
    else:
        rt.set_num_threads(2)
        rt.set_task_threshold(0)
    yield request.param
    rt.set_num_threads(before)
    rt.set_task_threshold(threshold)


def entry(function, source_line, underlined):
    """The note's entry for `source_line` (unique in this file), caret under `underlined`."""
    with open(__file__) as f:
        lines = [line.rstrip("\n") for line in f]
    (number,) = [k + 1 for k, line in enumerate(lines) if line.strip() == source_line]
    text = lines[number - 1]
    col = text.index(underlined)
    indent = len(text) - len(text.lstrip())
    return (f'  File "{__file__}", line {number}, col {col + 1}, in kernel \'{function}\':\n'
            f"    {source_line}\n    {' ' * (col - indent)}{'^' * len(underlined)}")


def raises_like_python(kernel, *args):
    """Call the kernel and its plain Python function: both raise the same class and message;
    the kernel's exception (with its notes)."""
    with pytest.raises(Exception) as want:
        kernel.py_func(*args)
    with pytest.raises(Exception) as got:
        kernel(*args)
    assert type(got.value) is type(want.value)
    assert str(got.value) == str(want.value)
    return got.value


@phylanx.kernel
def add_vectors(a, b):
    c = a * 2.0
    d = c + b
    return d


@phylanx.kernel
def pick(x, i):
    y = x * 2.0
    return y[i] + 1.0


@phylanx.kernel
def ratio(a, b):
    q = a / b
    return q + 1


@phylanx.kernel
def inverse(m):
    return np.linalg.inv(m) * 2.0


@phylanx.kernel
def looped_sum(x, idx):
    s = 0.0
    for k in range(len(idx)):
        s = s + x[idx[k]] * 2.0
    return s


def helper_sum(a, b):
    total = a + b
    return total


@phylanx.kernel
def calls_helper(a, b):          # the call is inlined: the note names the helper's line
    c = a * 2.0
    return helper_sum(c, b)


@phylanx.kernel(passes="canonicalize,dce,cse")     # no inlining: the call stays a call
def keeps_the_call(a, b):
    c = a * 2.0
    d = helper_sum(c, b)
    return d


@phylanx.kernel
def eigenvalues(m):
    w, v = np.linalg.eigh(m * 2.0)
    return w


@phylanx.kernel
def sorted_windows(x, starts, ends, w):
    out = np.zeros((len(starts), 3))
    for i in range(len(starts)):
        out[i] = np.sort(x[starts[i]:ends[i]]) * w[i]
    return out


@phylanx.kernel
def two_failures(m, a, b):
    p = np.linalg.inv(m)
    q = a + b
    return p, q


def test_broadcast_error_names_the_line(thread_modes):
    exc = raises_like_python(add_vectors, np.ones(3), np.ones(4))
    assert isinstance(exc, ValueError)
    assert exc.__notes__ == [entry("add_vectors", "d = c + b", "c + b")]


def test_index_error_names_the_line(thread_modes):
    exc = raises_like_python(pick, np.ones(5), 7)
    assert isinstance(exc, IndexError)
    assert exc.__notes__ == [entry("pick", "return y[i] + 1.0", "y[i]")]


def test_zero_division_of_python_scalars_names_the_line(thread_modes):
    for a, b in ((1.0, 0.0), (3, 0), (2.5, 0)):
        exc = raises_like_python(ratio, a, b)
        assert isinstance(exc, ZeroDivisionError)
        assert exc.__notes__ == [entry("ratio", "q = a / b", "a / b")]


def test_linalg_error_names_the_line(thread_modes):
    exc = raises_like_python(inverse, np.zeros((4, 4)))
    assert isinstance(exc, np.linalg.LinAlgError)
    assert exc.__notes__ == [entry("inverse", "return np.linalg.inv(m) * 2.0",
                                   "np.linalg.inv(m)")]


def test_error_inside_a_loop_names_the_line(thread_modes):
    x = np.arange(10.0)
    assert looped_sum(x, np.array([1, 2, 3])) == looped_sum.py_func(x, np.array([1, 2, 3]))
    exc = raises_like_python(looped_sum, x, np.array([1, 2, 30, 4]))
    assert isinstance(exc, IndexError)
    assert exc.__notes__ == [entry("looped_sum", "s = s + x[idx[k]] * 2.0", "x[idx[k]]")]


def test_error_inside_a_called_function_names_its_line_and_the_call_chain(thread_modes):
    for kernel in (calls_helper, keeps_the_call):
        np.testing.assert_array_equal(kernel(np.ones(3), np.ones(3)), np.full(3, 3.0))
    exc = raises_like_python(calls_helper, np.ones(3), np.ones(4))
    assert isinstance(exc, ValueError)
    assert exc.__notes__ == [entry("helper_sum", "total = a + b", "a + b")]
    exc = raises_like_python(keeps_the_call, np.ones(3), np.ones(4))
    assert isinstance(exc, ValueError)
    assert exc.__notes__ == ["\n".join([
        entry("keeps_the_call", "d = helper_sum(c, b)", "helper_sum(c, b)"),
        entry("helper_sum", "total = a + b", "a + b")])]


def test_the_first_failure_in_program_order_wins_with_any_thread_count(thread_modes):
    """Sequentially inv fails first (LinAlgError); with two threads the add, cheap, ran inline
    before the inverse finished as a task, and its ValueError used to win."""
    for _ in range(5):
        exc = raises_like_python(two_failures, np.zeros((60, 60)), np.ones(3), np.ones(4))
        assert isinstance(exc, np.linalg.LinAlgError)
        assert exc.__notes__ == [entry("two_failures", "p = np.linalg.inv(m)",
                                       "np.linalg.inv(m)")]


def test_error_of_a_numpy_fallback_names_the_line(thread_modes):
    assert "linalg.eigh" in rt.fallback_ops()
    exc = raises_like_python(eigenvalues, np.ones((3, 4)))
    assert isinstance(exc, np.linalg.LinAlgError)
    assert exc.__notes__ == [entry("eigenvalues", "w, v = np.linalg.eigh(m * 2.0)",
                                   "np.linalg.eigh(m * 2.0)")]


def test_the_first_failing_iteration_of_a_parallel_loop_wins(thread_modes):
    """Iteration 5 fails (ValueError) after sorting 2e6 numbers; iteration 6 fails at once
    (IndexError). With two threads, 6 used to fail first and win."""
    assert "parallel = true" in sorted_windows.physl(np.ones(3), np.arange(1), np.arange(1),
                                                     np.ones(1))
    x = np.random.default_rng(0).random(2_000_000)
    starts = np.arange(10)
    ends = starts + 3
    np.testing.assert_array_equal(sorted_windows(x, starts, ends, np.ones(10)),
                                  sorted_windows.py_func(x, starts, ends, np.ones(10)))
    ends[5] = len(x)
    for _ in range(3):
        exc = raises_like_python(sorted_windows, x, starts, ends, np.ones(6))
        assert isinstance(exc, ValueError)
        assert exc.__notes__ == [entry("sorted_windows",
                                       "out[i] = np.sort(x[starts[i]:ends[i]]) * w[i]",
                                       "out[i]")]


def test_notes_are_added_once_and_the_kernel_stays_usable(thread_modes):
    for _ in range(3):
        exc = raises_like_python(add_vectors, np.ones(3), np.ones(4))
        assert len(exc.__notes__) == 1
    np.testing.assert_array_equal(add_vectors(np.ones(3), np.ones(3)), np.full(3, 3.0))
