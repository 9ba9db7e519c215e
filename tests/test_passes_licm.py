"""licm: invariant pure ops leave loops; ops that may raise only when the loop surely runs."""

from phylanx.passes.testing import filecheck, run_opt, run_opt_result


def loop(body: str, bounds: str = "%lo, %n, %one", args: str = "") -> str:
    return f"""func @f(%a: f64[?], %B: f64[?,?], %n: int{args}) -> f64[?] {{
  %lo = const {{value = 0}} : int
  %one = const {{value = 1}} : int
  %r = for_range {bounds}, %a : f64[?] body(%i: int, %c: f64[?]) {{
{body}  }}
  return %r
}}
"""


def test_hoists_ops_that_cannot_raise():
    out = run_opt(loop("""\
    %0 = isnan %a : bool[?]
    %1 = count_nonzero %0 : i64
    %2 = multiply %c, %1 : f64[?]
    yield %2
"""), "licm")
    filecheck(out, """
        CHECK: %0 = isnan %a
        CHECK-NEXT: %1 = count_nonzero %0
        CHECK-NEXT: %r = for_range
        CHECK-NEXT: multiply %c, %1
    """)


def test_ops_that_may_warn_go_behind_a_trip_count_guard():
    # exp and a float sum may overflow: a RuntimeWarning, or FloatingPointError under
    # np.errstate(all="raise"), which a loop that runs zero times never gives
    out = run_opt(loop("""\
    %0 = exp %a : f64[?]
    %1 = sum %0 : f64
    %2 = multiply %c, %1 : f64[?]
    yield %2
"""), "licm")
    filecheck(out, """
        CHECK: %0 = less %lo, %n : bool
        CHECK-NEXT: %1 = if %0 : f64 then {
        CHECK-NEXT: %2 = exp %a
        CHECK-NEXT: %3 = sum %2
        CHECK-NEXT: yield %3
        CHECK: %r = for_range
        CHECK-NEXT: multiply %c, %1
    """)


def test_ops_that_may_raise_go_behind_a_trip_count_guard():
    out = run_opt(loop("""\
    %0 = linalg.inv %B : f64[?,?]
    %1 = matmul %0, %c : f64[?]
    yield %1
"""), "licm")
    filecheck(out, """
        CHECK: %0 = less %lo, %n : bool
        CHECK-NEXT: %1 = if %0 : f64[?,?] then {
        CHECK-NEXT: %2 = linalg.inv %B
        CHECK-NEXT: yield %2
        CHECK-NEXT: } else {
        CHECK-NEXT: %3 = undef : f64[?,?]
        CHECK-NEXT: yield %3
        CHECK: %r = for_range
        CHECK-NEXT: matmul %1, %c
    """)


def test_without_guard_ops_that_may_raise_stay():
    r = run_opt_result(loop("""\
    %0 = linalg.inv %B : f64[?,?]
    %1 = matmul %0, %c : f64[?]
    yield %1
"""), "licm{guard=false}")
    filecheck(str(r.module), "CHECK: for_range\nCHECK-NEXT: linalg.inv")
    assert "may run zero times" in r.diagnostics.report()


def test_constant_trip_count_needs_no_guard():
    text = loop("""\
    %0 = linalg.inv %B : f64[?,?]
    %1 = matmul %0, %c : f64[?]
    yield %1
""", bounds="%lo, %three, %one").replace(
        "  %one = const", "  %three = const {value = 3} : int\n  %one = const")
    out = run_opt(text, "licm")
    filecheck(out, "CHECK-NOT: if\nCHECK: linalg.inv %B\nCHECK-NEXT: for_range")


def test_never_hoists_out_of_a_branch():
    out = run_opt(loop("""\
    %0 = less %i, %n : bool
    %1 = if %0 : f64[?] then {
      %2 = exp %a : f64[?]
      yield %2
    } else {
      yield %c
    }
    yield %1
"""), "licm")
    filecheck(out, "CHECK: for_range\nCHECK: if\nCHECK-NEXT: exp %a")


def test_reads_of_buffers_the_loop_writes_stay():
    out = run_opt(loop("""\
    %0 = sum %a : f64
    %k = const {value = 0} : int
    %1 = setitem %c, %k, %0 {index = (i,)} : f64[?]
    yield %1
"""), "licm")
    # %c is %a (carried): the sum must be recomputed every iteration.
    filecheck(out, "CHECK: %k = const\nCHECK: for_range\nCHECK-NEXT: sum %a")


def test_exception_order_is_kept():
    out = run_opt(loop("""\
    %0 = getitem %a, %i {index = (i,)} : f64
    %1 = linalg.inv %B : f64[?,?]
    %2 = multiply %1, %0 : f64[?,?]
    %3 = sum %2 : f64
    %4 = add %c, %3 : f64[?]
    yield %4
"""), "licm")
    # a[i] may raise IndexError first: inv(B) (LinAlgError) must not be hoisted before it
    filecheck(out, "CHECK-NOT: if\nCHECK: for_range\nCHECK-NEXT: getitem\nCHECK-NEXT: linalg.inv")


def test_written_allocations_stay():
    out = run_opt(loop("""\
    %0 = zeros %n : f64[?]
    %k = const {value = 0} : int
    %v = const {value = 1.0} : float
    %1 = setitem %0, %k, %v {index = (i,)} : f64[?]
    %2 = add %c, %1 : f64[?]
    yield %2
"""), "licm")
    filecheck(out, "CHECK: for_range\nCHECK-NEXT: zeros %n")


def test_while_cond_runs_once_and_nested_loops():
    out = run_opt("""func @f(%B: f64[?,?], %x: f64, %n: int) -> f64 {
  %lo = const {value = 0} : int
  %one = const {value = 1} : int
  %w = while %x : f64 cond(%y: f64) {
    %0 = linalg.det %B : f64
    %1 = less %y, %0 : bool
    yield %1
  } body(%z: f64) {
    %2 = negative %x : f64
    %3 = add %z, %2 : f64
    yield %3
  }
  %r = for_range %lo, %n, %one, %w : f64 body(%i: int, %c: f64) {
    %s = for_range %lo, %n, %one, %c : f64 body(%j: int, %d: f64) {
      %4 = exp %x : f64
      %5 = add %d, %4 : f64
      yield %5
    }
    yield %s
  }
  return %r
}
""", "licm")
    # exp may warn: it leaves the nest behind one trip-count guard per loop
    filecheck(out, """
        CHECK: %0 = linalg.det %B
        CHECK-NEXT: %1 = negative %x
        CHECK-NEXT: %w = while
        CHECK: %6 = if %5 : f64 then {
        CHECK-NEXT: %7 = if %4 : f64 then {
        CHECK-NEXT: %8 = exp %x
        CHECK: %r = for_range
        CHECK-NEXT: %s = for_range
        CHECK-NEXT: add %d, %6
    """)


def test_remarks():
    r = run_opt_result(loop("""\
    %0 = exp %a : f64[?]
    %1 = add %c, %0 : f64[?]
    yield %1
"""), "licm")
    assert r.diagnostics.of("licm", "hoisted")
    assert r.stats["licm"]["ops-hoisted"] == 1
