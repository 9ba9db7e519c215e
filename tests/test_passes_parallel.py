"""parallelize-loops: loops whose iterations write disjoint elements are marked; the others
say why not, naming the loop variable and the subscripts concerned."""

import numpy as np
import pytest

import phylanx
from phylanx.compiler import compile_function
from phylanx.ir.types import parse_types
from phylanx.passes import run_pipeline
from phylanx.passes.testing import evaluate, filecheck, run_opt_result, shuffled_parallel_loops
from phylanx.testing import assert_same


def loop(body: str, lo: str = "%lo", extra_init: str = "", extra_types: str = "",
         extra_args: str = "") -> str:
    return f"""func @f(%A: f64[?,?], %B: f64[?,?], %n: int, %s: int) -> f64[?,?] {{
  %lo = const {{value = 0}} : int
  %one = const {{value = 1}} : int
  %z = const {{value = 0.0}} : float
  %r{extra_types} = for_range {lo}, %n, %one, %A{extra_init} : f64[?,?]{extra_types and ", int"} body(%i: int, %c: f64[?,?]{extra_args}) {{
{body}  }}
  return %r
}}
"""


ALS_BODY = """\
    %0 = getitem %B, %i {index = (i, s000)} : f64[?]
    %1 = matmul_t %B, %0 {transpose_a = true} : f64[?]
    %2 = dim %c {axis = 1} : int
    %3 = getitem %c, %i {index = (i, s000)} : f64[?]
    %4 = add %1, %3 : f64[?]
    %5 = setitem %c, %i, %4 {index = (i, s000)} : f64[?,?]
    yield %5
"""


def parallel(text: str) -> bool:
    r = run_opt_result(text, "parallelize-loops")
    marked = "parallel = true" in r.stages["final"]
    assert marked == bool(r.diagnostics.of("parallelize-loops", "parallel"))
    return marked, r.diagnostics.report()


def test_row_writes_are_parallel():
    r = run_opt_result(loop(ALS_BODY), "parallelize-loops")
    filecheck(r.stages["final"], "CHECK: for_range %lo, %n, %one, %A {parallel = true}")
    (note,) = r.diagnostics.of("parallelize-loops", "parallel")
    assert note.message.startswith("loop over %i is parallel: each iteration writes only its "
                                   "own elements: %c[%i, :] = ... ('setitem'"), note.message


def test_conditional_writes_inner_loops_and_lastprivate():
    body = """\
    %0 = less %i, %s : bool
    %1 = if %0 : f64[?,?] then {
      %2 = setitem %c, %i, %z {index = (i, s000)} : f64[?,?]
      yield %2
    } else {
      yield %c
    }
    %3 = dim %B {axis = 1} : int
    %4 = for_range %lo, %3, %one, %1 : f64[?,?] body(%j: int, %d: f64[?,?]) {
      %5 = getitem %B, %i, %j {index = (i, i)} : f64
      %6 = setitem %d, %i, %j, %5 {index = (i, i)} : f64[?,?]
      yield %6
    }
    yield %4, %i
"""
    ok, report = parallel(loop(body, extra_init=", %s", extra_types=", %k",
                               extra_args=", %prev: int"))
    assert ok, report


@pytest.mark.parametrize("body, why", [
    ("""\
    %0 = subtract %i, %one : int
    %1 = getitem %c, %0 {index = (i, s000)} : f64[?]
    %2 = setitem %c, %i, %1 {index = (i, s000)} : f64[?,?]
    yield %2
""", "reads %c[subtract(%i, %one), :], not at this loop's index %i"),
    ("""\
    %0 = getitem %c, %s {index = (i, s000)} : f64[?]
    %1 = setitem %c, %i, %0 {index = (i, s000)} : f64[?,?]
    yield %1
""", "reads %c[%s, :], not at this loop's index %i"),
    ("""\
    %1 = setitem %c, %s, %z {index = (i, s000)} : f64[?,?]
    yield %1
""", "writes %c[%s, :], not at this loop's index %i"),
    ("""\
    %1 = setitem %c, %z {index = (s000, s000)} : f64[?,?]
    yield %1
""", "writes %c[:, :], not at this loop's index %i"),
    ("""\
    %0 = exp %c : f64[?,?]
    yield %0
""", "computes the carried array (iterations are independent only if they write it at "
    "A[..., %i, ...])"),
    ("""\
    %0 = random.rand %s : f64[?]
    %1 = setitem %c, %i, %0 {index = (i, s000)} : f64[?,?]
    yield %1
""", "draws random numbers"),
    ("""\
    %0 = setitem %B, %i, %z {index = (i, s000)} : f64[?,?]
    %1 = setitem %c, %i, %z {index = (i, s000)} : f64[?,?]
    yield %1
""", "writes %B in place, which is not a loop-carried array"),
])
def test_dependences_keep_loops_sequential(body, why):
    ok, report = parallel(loop(body))
    assert not ok
    assert why in report, report


def test_carried_scalar_and_bounds():
    ok, report = parallel(loop("""\
    %0 = add %prev, %i : int
    %1 = setitem %c, %i, %z {index = (i, s000)} : f64[?,?]
    yield %1, %0
""", extra_init=", %s", extra_types=", %k", extra_args=", %prev: int"))
    assert not ok and "a reduction or recurrence" in report
    ok, report = parallel(loop(ALS_BODY, lo="%s"))
    assert not ok and "lower bound is not known to be >= 0" in report


def test_reading_an_alias_of_the_written_array():
    text = loop(ALS_BODY.replace("%3 = getitem %c, %i", "%3 = getitem %v, %i")).replace(
        "  %r = for_range", "  %v = getitem %A, %lo {index = (s100, s000)} : f64[?,?]\n"
                            "  %r = for_range")
    ok, report = parallel(text)
    assert not ok and "may alias the array the loop writes" in report


def _other_axis_body(setitem_index: str, getitem_index: str) -> str:
    return f"""\
    %0 = getitem %c, %i {{index = {getitem_index}}} : f64[?]
    %1 = setitem %c, %i, %0 {{index = {setitem_index}}} : f64[?,?]
    yield %1
"""


def test_the_loop_index_on_any_axis_but_one_axis_per_loop():
    ok, report = parallel(loop(_other_axis_body("(s000, i)", "(s000, i)")))
    assert ok and "%c[:, %i] = ..." in report, report
    ok, report = parallel(loop(_other_axis_body("(s000, i)", "(i, s000)")))
    assert not ok, report
    assert ("'setitem' writes %c[:, %i] but 'getitem' reads %c[%i, :]: %i selects different "
            "axes") in report, report
    # after a newaxis a component's position is no longer its axis: not proved
    ok, report = parallel(loop("""\
    %1 = setitem %c, %i, %z {index = (n, i)} : f64[?,?]
    yield %1
"""))
    assert not ok and "writes %c[None, %i], not at this loop's index %i" in report, report


# Kernels as a user writes them, checked against Python with their parallel loops run in
# shuffled orders by the oracle, and by the runtime.
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


def mandelbrot_floats(h, w, max_iter):
    out = np.zeros((h, w), dtype=np.int64)
    for j in range(h):
        for i in range(w):
            cr = -2.0 + 3.0 * i / w
            ci = -1.5 + 3.0 * j / h
            zr = 0.0
            zi = 0.0
            n = 0
            while n < max_iter:
                if zr * zr + zi * zi > 4.0:
                    break
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                n += 1
            out[j, i] = n
    return out


def columns(A, B):
    for i in range(B.shape[1]):
        B[:, i] = A[:, i] * 2.0 + B[:, i]
    return B


def transposed_fill(A):
    for i in range(A.shape[1]):
        for j in range(A.shape[0]):
            A[j, i] = A[j, i] + i - j
    return A


def row_from_column(A):
    for i in range(A.shape[0]):
        A[i, :] = A[:, i] + 1.0
    return A


def _remarks(func, types):
    r = run_pipeline(compile_function(func, list(parse_types(types))))
    return r, [str(d) for d in r.diagnostics.of("parallelize-loops")]


@pytest.mark.parametrize("func, store_line", [(mandelbrot, 12), (mandelbrot_floats, 14)])
def test_mandelbrot_loops_are_parallel_and_named(func, store_line):
    r, remarks = _remarks(func, "int, int, int")
    first = func.__code__.co_firstlineno
    write = f"%out[%j, %i] = ... ('setitem' @{first + store_line}:13)"
    assert remarks == [
        f"{__file__}:{first + 2}:5: parallelize-loops: parallel: loop over %j is parallel: "
        f"each iteration writes only its own elements: {write}",
        f"{__file__}:{first + 3}:9: parallelize-loops: parallel: loop over %i is parallel: "
        f"each iteration writes only its own elements: {write}",
    ], remarks
    expected = func(7, 9, 30)
    for seed in range(3):
        with shuffled_parallel_loops(seed):
            assert_same(evaluate(r.module, 7, 9, 30), expected)
    assert_same(phylanx.kernel(func)(7, 9, 30), expected)


@pytest.mark.parametrize("func, shapes, n_parallel", [
    (columns, [(5, 6), (5, 6)], 1),
    (transposed_fill, [(5, 6)], 2),
    (row_from_column, [(6, 6)], 0),
])
def test_other_axes_against_python_in_shuffled_order(func, shapes, n_parallel):
    r, remarks = _remarks(func, ", ".join(["f64[?,?]"] * len(shapes)))
    assert sum(": parallel: " in m for m in remarks) == n_parallel, remarks
    rng = np.random.default_rng(1)
    args = [rng.normal(size=s) for s in shapes]
    expected = func(*[a.copy() for a in args])
    for seed in range(3):
        with shuffled_parallel_loops(seed):
            assert_same(evaluate(r.module, *[a.copy() for a in args]), expected)
    assert_same(phylanx.kernel(func)(*[a.copy() for a in args]), expected)
