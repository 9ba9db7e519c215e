"""A running kernel is a good citizen of its process: other Python threads and Ctrl-C get in
while it holds the GIL for its Python work (pace_check in runtime/_executor.pyx).

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

import phylanx
import phylanx.runtime as rt
from phylanx.ir.parser import parse_physl
from phylanx.runtime import _testkernels, lower


@pytest.fixture(scope="module", autouse=True)
def test_kernels():
    _testkernels.register()
    yield
    _testkernels.unregister()


@pytest.fixture
def one_thread():
    before = rt.num_threads()
    rt.set_num_threads(1)
    yield
    rt.set_num_threads(before)


# n iterations of test.spin_gil (m busy steps holding the GIL: about 1 ms for m = 800_000).
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


def test_other_threads_run_while_iterations_hold_the_gil(one_thread):
    ex = lower(parse_physl(GIL_LOOP))
    m = 800_000
    assert ex.run((1.0, 3, m)) == pytest.approx(_testkernels.spin_reference(1.0, 3 * m))
    python = _largest_gap(lambda: _python_loop(0.3))
    gap = _largest_gap(lambda: ex.run((1.0, 300, m)))
    assert gap < python + 0.05, (gap, python)


def test_other_threads_run_while_a_scalar_loop_runs(one_thread):
    assert scalar_loop(1.0, 10) == scalar_loop.py_func(1.0, 10)
    python = _largest_gap(lambda: _python_loop(0.3))
    gap = _largest_gap(lambda: scalar_loop(1.0, 1_000_000))
    assert gap < python + 0.05, (gap, python)


def _interrupt_from_a_timer(seconds, run):
    """Ctrl-C as a threading.Timer delivers it (_thread.interrupt_main): the timer thread
    needs the GIL to fire. Returns the time from the start of run() to KeyboardInterrupt."""
    timer = threading.Timer(seconds, _thread.interrupt_main)
    t0 = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            run()
        return time.monotonic() - t0
    finally:
        timer.cancel()
        timer.join()


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                    reason="Ctrl-C goes to the main thread")
def test_ctrl_c_from_a_timer_thread_stops_a_loop_holding_the_gil(one_thread):
    ex = lower(parse_physl(GIL_LOOP))
    scalar_loop(1.0, 10)     # compiled before the timer starts
    python = _interrupt_from_a_timer(0.1, lambda: _python_loop(100))
    elapsed = _interrupt_from_a_timer(0.1, lambda: ex.run((1.0, 10**6, 800_000)))
    assert elapsed < python + 0.05, (elapsed, python)
    elapsed = _interrupt_from_a_timer(0.1, lambda: scalar_loop(1.0, 10**12))
    assert elapsed < python + 0.05, (elapsed, python)
    assert ex.run((1.0, 2, 10)) == _testkernels.spin_reference(1.0, 20)   # still usable
