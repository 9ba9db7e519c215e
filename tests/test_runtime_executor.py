"""The dataflow executor (phylanx.runtime._executor) agrees with the reference oracle."""

import copy
import signal
import sys
import time
import tracemalloc

import numpy as np
import pytest

from phylanx.ir.parser import parse_physl
from phylanx.oracle import evaluate
from phylanx.runtime import Executable, lower

LOOP = """
func @f(%x: f64[?], %n: int) -> f64[?] {
  %0 = const {value = 0} : int
  %1 = const {value = 1} : int
  %r = for_range %0, %n, %1, %x : f64[?] body(%i: int, %acc: f64[?]) {
    %y = add %acc, %acc : f64[?]
    yield %y
  }
  return %r
}
"""


def check(text, *args, function=None):
    """Run on the executor and on the oracle (each on its own copy of args); compare both the
    results and the arguments afterwards (in-place updates must match too)."""
    module = parse_physl(text)
    ex = lower(module)
    rt_args, or_args = copy.deepcopy(args), copy.deepcopy(args)
    got = ex.run(rt_args, function=function)
    want = evaluate(module, *or_args, function=function)
    assert_same(got, want)
    for a, b in zip(rt_args, or_args):
        assert_same(a, b)
    return got


def assert_same(got, want):
    assert type(got) is type(want), (got, want)
    if isinstance(want, np.ndarray):
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert_same(g, w)
    else:
        assert got == want


def node_names(ex, gi):
    return [n[0] for n in ex.graphs()[gi]]


def test_for_range_doubles():
    got = check(LOOP, np.arange(4.0), 5)
    np.testing.assert_array_equal(got, np.arange(4.0) * 32)
    check(LOOP, np.arange(4.0), 0)   # zero iterations: the init value
    check(LOOP, np.arange(4.0), -2)


def test_lower_once_run_many():
    ex = lower(parse_physl(LOOP))
    assert isinstance(ex, Executable)
    assert ex.function_names == ("f",)
    for n in range(4):
        np.testing.assert_array_equal(ex.run((np.ones(3), n)), np.ones(3) * 2 ** n)
    np.testing.assert_array_equal(ex(np.ones(2), 1), np.full(2, 2.0))
    # const ops are preset slots, not nodes: for_range + return, add + yield.
    assert [len(g) for g in ex.graphs()] == [2, 2]
    assert ex.n_nodes == 4


RANGE = """
func @f(%lo: int, %hi: int, %st: int) -> list<int> {
  %0 = const {value = 0} : int
  %e = list_new %0 : list<int>
  %r = for_range %lo, %hi, %st, %e : list<int> body(%i: int, %acc: list<int>) {
    %a = list_append %acc, %i : list<int>
    yield %a
  }
  return %r
}
"""


@pytest.mark.parametrize("lo,hi,st", [(0, 5, 1), (5, 0, -1), (2, 11, 3), (10, -7, -4),
                                      (0, 0, 1), (3, 1, 1), (1, 3, -1), (-4, 4, 2)])
def test_range_semantics(lo, hi, st):
    assert check(RANGE, lo, hi, st) == [0, *range(lo, hi, st)]


def test_range_numpy_bounds():
    assert check(RANGE, np.int64(1), np.int32(4), np.int64(1)) == [0, 1, 2, 3]


def test_range_step_zero_names_line():
    m = parse_physl(RANGE.replace("body(", "@9:2 body(", 1))
    with pytest.raises(ValueError, match="must not be zero") as info:
        lower(m).run((0, 3, 0))
    assert info.value.__notes__ == [
        "  File \"<unknown>\", line 9, col 2, in kernel 'f':\n    op: for_range"]


def test_nested_loops():
    text = """
func @f(%n: int, %m: int) -> list<int> {
  %0 = const {value = 0} : int
  %1 = const {value = 1} : int
  %e = list_new %0 : list<int>
  %r = for_range %0, %n, %1, %e : list<int> body(%i: int, %acc: list<int>) {
    %s = for_range %0, %m, %1, %acc : list<int> body(%j: int, %acc2: list<int>) {
      %p = multiply %i, %j : int
      %q = add %p, %j : int
      %a = list_append %acc2, %q : list<int>
      yield %a
    }
    yield %s
  }
  return %r
}
"""
    got = check(text, 4, 3)
    assert got == [0] + [i * j + j for i in range(4) for j in range(3)]
    check(text, 0, 3)
    check(text, 3, 0)


IF_IN_LOOP = """
func @f(%n: int) -> int {
  %0 = const {value = 0} : int
  %m1 = const {value = -1} : int
  %two = const {value = 2} : int
  %r = for_range %n, %0, %m1, %0 : int body(%i: int, %acc: int) {
    %rem = remainder %i, %two : int
    %c = equal %rem, %0 : bool
    %v = if %c : int then {
      %a = add %acc, %i : int
      yield %a
    } else {
      %b = subtract %acc, %i : int
      yield %b
    }
    yield %v
  }
  return %r
}
"""


@pytest.mark.parametrize("n", [0, 1, 7, 10, -3])
def test_if_in_loop(n):
    assert check(IF_IN_LOOP, n) == sum(i if i % 2 == 0 else -i for i in range(n, 0, -1))


COLLATZ = """
func @f(%x: int) -> int {
  %0 = const {value = 0} : int
  %1 = const {value = 1} : int
  %2 = const {value = 2} : int
  %3 = const {value = 3} : int
  %r, %k = while %x, %0 : int, int cond(%a: int, %c: int) {
    %t = not_equal %a, %1 : bool
    yield %t
  } body(%b: int, %d: int) {
    %rem = remainder %b, %2 : int
    %odd = equal %rem, %1 : bool
    %nx = if %odd : int then {
      %m = multiply %b, %3 : int
      %p = add %m, %1 : int
      yield %p
    } else {
      %h = floor_divide %b, %2 : int
      yield %h
    }
    %d1 = add %d, %1 : int
    yield %nx, %d1
  }
  return %k
}
"""


@pytest.mark.parametrize("x", [1, 2, 6, 27])
def test_while(x):
    steps, y = 0, x
    while y != 1:
        y, steps = (3 * y + 1 if y % 2 else y // 2), steps + 1
    assert check(COLLATZ, x) == steps


def test_while_swapped_carries():
    text = """
func @f(%a: int, %b: int, %n: int) -> tuple<int, int> {
  %0 = const {value = 0} : int
  %1 = const {value = 1} : int
  %x, %y, %k = while %a, %b, %0 : int, int, int cond(%p: int, %q: int, %c: int) {
    %go = less %c, %n : bool
    yield %go
  } body(%u: int, %v: int, %w: int) {
    %w1 = add %w, %1 : int
    yield %v, %u, %w1
  }
  %t = tuple %x, %y : tuple<int, int>
  return %t
}
"""
    assert check(text, 1, 2, 3) == (2, 1)
    assert check(text, 1, 2, 4) == (1, 2)


CALLS = """
func @main(%n: int) -> int {
  %r = call %n {callee = fact} : int
  %s = call %r, %n {callee = addf} : int
  return %s
}
func @fact(%n: int) -> int {
  %1 = const {value = 1} : int
  %c = less_equal %n, %1 : bool
  %r = if %c : int then {
    yield %1
  } else {
    %m = subtract %n, %1 : int
    %f = call %m {callee = fact} : int
    %p = multiply %n, %f : int
    yield %p
  }
  return %r
}
func @addf(%a: int, %b: int) -> int {
  %s = add %a, %b : int
  return %s
}
"""


def test_calls_and_recursion():
    assert check(CALLS, 10) == 3628800 + 10
    assert check(CALLS, 25) == 15511210043330985984000000 + 25
    assert check(CALLS, 3, 4, function="addf") == 7
    ex = lower(parse_physl(CALLS))
    assert ex.function_names == ("main", "fact", "addf")
    assert "call" in node_names(ex, ex.function_graph("main"))


def test_deep_recursion_is_a_recursion_error():
    ex = lower(parse_physl(CALLS))
    with pytest.raises(RecursionError):
        ex.run((100_000,))
    assert ex.run((5,)) == 125


def test_early_return_from_loop():
    text = """
func @find(%l: list<int>, %t: int) -> int {
  %0 = const {value = 0} : int
  %1 = const {value = 1} : int
  %m1 = const {value = -1} : int
  %n = len %l : int
  %r = for_range %0, %n, %1, %0 : int body(%i: int, %acc: int) {
    %v = list_get %l, %i : int
    %c = equal %v, %t : bool
    %u = if %c : int then {
      return %i
    } else {
      yield %acc
    }
    yield %u
  }
  return %m1
}
"""
    assert check(text, [5, 3, 8, 3], 3) == 1
    assert check(text, [5, 3, 8, 3], 8) == 2
    assert check(text, [5, 3, 8, 3], 4) == -1
    assert check(text, [], 4) == -1


SETITEM_LOOP = """
func @f(%x: f64[?], %n: int) -> f64[?] {
  %0 = const {value = 0} : int
  %1 = const {value = 1} : int
  %r = for_range %0, %n, %1, %x : f64[?] body(%i: int, %acc: f64[?]) {
    %sq = multiply %i, %i : int
    %y = setitem %acc, %i, %sq {index = ("i",)} : f64[?]
    %z = getitem %y, %i {index = ("i",)} : f64
    %w = setitem %y, %0, %z {index = ("i",)} : f64[?]
    yield %w
  }
  return %r
}
"""


def test_setitem_in_loop_on_carried_array():
    x = np.zeros(6)
    got = check(SETITEM_LOOP, x, 6)
    np.testing.assert_array_equal(got, [25.0, 1, 4, 9, 16, 25])
    # The argument is updated in place, as in Python (and the oracle).
    ex = lower(parse_physl(SETITEM_LOOP))
    y = np.zeros(4)
    assert ex.run((y, 4)) is y
    np.testing.assert_array_equal(y, [9.0, 1, 4, 9])


VIEW_THEN_WRITE = """
func @f(%x: f64[?]) -> f64 {
  %0 = const {value = 0} : int
  %1 = const {value = 1} : int
  %v = getitem %x, %1 {index = ("s100",)} : f64[?]
  %a = getitem %v, %0 {index = ("i",)} : f64
  %nine = const {value = 9.0} : float
  %s = setitem %x, %1, %nine {index = ("i",)} : f64[?]
  %b = getitem %v, %0 {index = ("i",)} : f64
  %t = add %a, %b : f64
  return %t
}
"""


def test_inplace_ordering_edges():
    # Without memory edges the ready queue would run the setitem (no data inputs but %x)
    # before %a reads x[1] through the view %v, and %b could run before the write.
    assert check(VIEW_THEN_WRITE, np.array([1.0, 2.0, 3.0])) == 11.0
    ex = lower(parse_physl(VIEW_THEN_WRITE))
    g = ex.graphs()[0]
    names = [n[0] for n in g]
    v, a, s, b = 0, 1, 2, 3
    assert names[:4] == ["getitem", "getitem", "setitem", "getitem"]
    assert s in g[v][4] and s in g[a][4]      # the write waits for the view and its reader
    assert b in g[s][4]                       # the later reader of the view waits for the write
    assert g[s][2] & 2                        # F_INPLACE


def test_random_ops_keep_program_order():
    text = """
func @f(%n: int) -> f64[?] {
  %0 = const {value = 0} : int
  %s = const {value = 42} : int
  random.seed %s
  %n2 = add %n, %0 : int
  %a = random.rand %n2 : f64[?]
  %b = random.rand %n : f64[?]
  %c = subtract %a, %b : f64[?]
  return %c
}
"""
    got = check(text, 5)
    np.random.seed(42)
    a = np.random.rand(5)
    np.testing.assert_array_equal(got, a - np.random.rand(5))
    ex = lower(parse_physl(text))
    g = ex.graphs()[0]
    seed, a_, b_ = (i for i, n in enumerate(g) if n[0].startswith("random."))
    assert a_ in g[seed][4] and b_ in g[a_][4]
    assert all(g[i][2] & 4 for i in (seed, a_, b_))   # F_RANDOM


ERR = """
func @main(%l: list<int>, %n: int) -> int @"k.py":1:0 {
  %r = call %l, %n {callee = g} : int @3:4
  return %r
}
func @g(%l: list<int>, %n: int) -> int @"k.py":5:0 {
  %0 = const {value = 0} : int
  %1 = const {value = 1} : int
  %r = for_range %0, %n, %1, %0 : int @7:4 body(%i: int, %acc: int) {
    %v = list_get %l, %i : int @8:8
    %s = add %acc, %v : int
    yield %s
  }
  return %r
}
"""


def test_error_names_kernel_line_and_executable_stays_usable():
    m = parse_physl(ERR)
    ex = lower(m)
    assert ex.run(([1, 2, 3], 3)) == 6
    with pytest.raises(IndexError) as info:
        ex.run(([1, 2, 3], 5))
    assert info.value.__notes__ == [  # one note: the call site, then the failing node
        "  File \"k.py\", line 3, col 4, in kernel 'main':\n    op: call\n"
        "  File \"k.py\", line 8, col 8, in kernel 'g':\n    op: list_get"]
    with pytest.raises(IndexError):
        evaluate(m, [1, 2, 3], 5)
    for _ in range(3):   # and again: no state left behind by the failed run
        assert ex.run(([1, 2, 3], 3)) == 6
        assert ex.run(([4], 1)) == 4
    with pytest.raises(IndexError) as info:
        ex.run(([1, 2, 3], 4))
    assert len(info.value.__notes__) == 1


def test_arity_error():
    ex = lower(parse_physl(ERR))
    with pytest.raises(TypeError, match="takes 2 arguments, got 1"):
        ex.run(([1],))


def test_unknown_callee_fails_at_lowering():
    text = """
func @f(%n: int) -> int {
  %r = call %n {callee = nope} : int
  return %r
}
"""
    with pytest.raises(ValueError, match="unknown function @nope"):
        lower(parse_physl(text))


def test_malformed_region_fails_at_lowering():
    text = """
func @f(%n: int) -> int {
  %0 = const {value = 0} : int
  %1 = const {value = 1} : int
  %r = for_range %0, %n, %1, %0 : int body(%i: int, %acc: int) {
    yield %acc, %i
  }
  return %r
}
"""
    with pytest.raises(ValueError, match="malformed 'for_range'"):
        lower(parse_physl(text))


def test_profile():
    ex = lower(parse_physl(LOOP), natives=False)   # every primitive on its NumPy reference
    ex.run((np.ones(3), 3), profile=True)
    prof = ex.last_profile()
    assert [p[0] for p in prof] == ["for_range"] + ["add", "yield"] * 3 + ["return"]
    for name, loc, t0, t1, tid, fallback, task in prof:
        assert isinstance(loc, str) and 0 < t0 <= t1 and tid == 0 and not task
        assert fallback == (name == "add")
    loop = prof[0]
    assert all(loop[2] <= p[2] and p[3] <= loop[3] for p in prof[1:-1])
    ex.run((np.ones(3), 2), profile=True)
    assert len(ex.last_profile()) == 1 + 2 * 2 + 1


def test_keyboard_interrupt_stops_long_loop():
    text = """
func @f(%n: int) -> int {
  %0 = const {value = 0} : int
  %1 = const {value = 1} : int
  %r = while %0 : int cond(%a: int) {
    %c = less %a, %n : bool
    yield %c
  } body(%b: int) {
    %d = add %b, %1 : int
    yield %d
  }
  return %r
}
"""
    ex = lower(parse_physl(text))

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        t = time.perf_counter()
        with pytest.raises(KeyboardInterrupt):
            ex.run((10**15,))
        assert time.perf_counter() - t < 10
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert ex.run((1000,)) == 1000


def test_many_calls_do_not_grow_memory():
    ex_loop = lower(parse_physl(SETITEM_LOOP))
    ex_calls = lower(parse_physl(CALLS))
    ex_err = lower(parse_physl(ERR))

    def batch(n):
        for _ in range(n):
            ex_loop.run((np.zeros(8), 8))
            ex_calls.run((6,))
            try:
                ex_err.run(([1], 2))
            except IndexError:
                pass

    batch(200)   # warm up caches (small ints, type caches, ...)
    tracemalloc.start()
    try:
        batch(1000)
        current1, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        batch(1000)
        _, peak1 = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        batch(10_000)
        current2, peak2 = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert current2 - current1 < 64 * 1024, (current1, current2)
    assert peak2 - peak1 < 64 * 1024, (peak1, peak2)


def test_reference_counts_are_balanced():
    ex = lower(parse_physl(SETITEM_LOOP))
    x = np.zeros(5)
    before = sys.getrefcount(x)
    for _ in range(100):
        assert ex.run((x, 5)) is x
    assert sys.getrefcount(x) == before
    ex_err = lower(parse_physl(ERR))
    lst = [1]
    before = sys.getrefcount(lst)
    for _ in range(100):
        try:
            ex_err.run((lst, 2))
        except IndexError:
            pass
    assert sys.getrefcount(lst) == before
