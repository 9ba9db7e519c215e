"""parallelize-loops: independent row-writing loops are marked; the others say why not."""

import pytest

from phylanx.passes.testing import filecheck, run_opt_result


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
    assert "iterations write only row i ('setitem'" in note.message


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
""", "other than at row"),
    ("""\
    %0 = getitem %c, %s {index = (i, s000)} : f64[?]
    %1 = setitem %c, %i, %0 {index = (i, s000)} : f64[?,?]
    yield %1
""", "other than at row"),
    ("""\
    %1 = setitem %c, %s, %z {index = (i, s000)} : f64[?,?]
    yield %1
""", "writes row [%s] of %c, not row [%i]"),
    ("""\
    %1 = setitem %c, %z {index = (s000, s000)} : f64[?,?]
    yield %1
""", "at more than one row"),
    ("""\
    %0 = exp %c : f64[?,?]
    yield %0
""", "computes the carried array"),
    ("""\
    %0 = random.rand %s : f64[?]
    %1 = setitem %c, %i, %0 {index = (i, s000)} : f64[?,?]
    yield %1
""", "draws random numbers"),
    ("""\
    %0 = setitem %B, %i, %z {index = (i, s000)} : f64[?,?]
    %1 = setitem %c, %i, %z {index = (i, s000)} : f64[?,?]
    yield %1
""", "which is not row i of a carried array"),
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
