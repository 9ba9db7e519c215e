"""cse (pure ops only, memory-aware) and dce (dead ops, constant ifs, zero-trip loops)."""

from phylanx.passes.testing import filecheck, run_opt


def test_cse_merges_pure_ops_and_constants():
    out = run_opt("""func @f(%x: f64[?]) -> f64[?] {
  %0 = exp %x : f64[?]
  %1 = const {value = 2.0} : float
  %2 = exp %x : f64[?]
  %3 = const {value = 2.0} : float
  %4 = multiply %0, %1 : f64[?]
  %5 = multiply %2, %3 : f64[?]
  %6 = add %4, %5 : f64[?]
  return %6
}
""", "cse")
    filecheck(out, """
        CHECK: %0 = exp %x
        CHECK-NEXT: %1 = const {value = 2.0}
        CHECK-NEXT: %2 = multiply %0, %1
        CHECK-NEXT: %3 = add %2, %2
    """)


def test_cse_never_merges_random_or_inplace_ops():
    out = run_opt("""func @f(%a: f64[?], %n: int) -> tuple<f64[?], f64[?], f64[?]> {
  %0 = random.rand %n : f64[?]
  %1 = random.rand %n : f64[?]
  %2 = const {value = 0} : int
  %3 = const {value = 1.0} : float
  %4 = setitem %a, %2, %3 {index = (i,)} : f64[?]
  %5 = setitem %4, %2, %3 {index = (i,)} : f64[?]
  %6 = tuple %0, %1, %5 : tuple<f64[?], f64[?], f64[?]>
  return %6
}
""", "cse")
    filecheck(out, """
        CHECK: %0 = random.rand %n
        CHECK-NEXT: %1 = random.rand %n
        CHECK: setitem %a
        CHECK-NEXT: setitem
    """)


def test_cse_respects_writes_through_views():
    out = run_opt("""func @f(%a: f64[?]) -> f64 {
  %0 = sum %a : f64
  %1 = const {value = 0} : int
  %2 = const {value = 2} : int
  %v = getitem %a, %1, %2 {index = (s110,)} : f64[?]
  %3 = const {value = 9.0} : float
  %v_1 = setitem %v, %1, %3 {index = (i,)} : f64[?]
  %4 = sum %a : f64
  %5 = add %0, %4 : f64
  return %5
}
""", "cse")
    filecheck(out, "CHECK: %0 = sum %a\nCHECK: setitem\nCHECK: = sum %a\nCHECK: add %0,")


def test_cse_does_not_share_written_buffers():
    out = run_opt("""func @f(%n: int) -> tuple<f64[?], f64[?]> {
  %0 = zeros %n : f64[?]
  %1 = zeros %n : f64[?]
  %2 = const {value = 0} : int
  %3 = const {value = 1.0} : float
  %4 = setitem %0, %2, %3 {index = (i,)} : f64[?]
  %5 = tuple %4, %1 : tuple<f64[?], f64[?]>
  return %5
}
""", "cse")
    filecheck(out, "CHECK: %0 = zeros %n\nCHECK-NEXT: %1 = zeros %n")


def test_cse_across_regions_and_loop_writes():
    out = run_opt("""func @f(%a: f64[?], %b: f64[?], %n: int) -> f64[?] {
  %0 = sum %a : f64
  %1 = sum %b : f64
  %2 = const {value = 0} : int
  %3 = const {value = 1} : int
  %r = for_range %2, %n, %3, %a : f64[?] body(%i: int, %c: f64[?]) {
    %4 = sum %a : f64
    %5 = sum %b : f64
    %6 = const {value = 0} : int
    %7 = add %4, %5 : f64
    %8 = setitem %c, %6, %7 {index = (i,)} : f64[?]
    yield %8
  }
  return %r
}
""", "cse")
    # %a is written by the loop (it is the carried array): its sum is recomputed inside;
    # %b is not: the outer sum is reused, as is the constant 0.
    filecheck(out, """
        CHECK: %1 = sum %b
        CHECK: for_range
        CHECK-NEXT: %4 = sum %a
        CHECK-NEXT: %5 = add %4, %1
        CHECK-NEXT: setitem %c[%2], %5
    """)


def test_cse_commutative_only_when_exact():
    out = run_opt("""func @f(%i: int, %j: int, %x: float, %y: float) -> tuple<int, int, float, float> {
  %0 = add %i, %j : int
  %1 = add %j, %i : int
  %2 = add %x, %y : float
  %3 = add %y, %x : float
  %4 = tuple %0, %1, %2, %3 : tuple<int, int, float, float>
  return %4
}
""", "cse")
    filecheck(out, """
        CHECK: %0 = add %i, %j
        CHECK-NEXT: %1 = add %x, %y
        CHECK-NEXT: %2 = add %y, %x
        CHECK-NEXT: tuple %0, %0, %1, %2
    """)


def test_cse_keeps_signed_zeros_apart_and_skips_regions():
    out = run_opt("""func @f(%c: bool) -> tuple<float, float, int, int> {
  %0 = const {value = 0.0} : float
  %1 = const {value = -0.0} : float
  %2 = if %c : int then {
    %3 = const {value = 1} : int
    yield %3
  } else {
    %4 = const {value = 2} : int
    yield %4
  }
  %5 = if %c : int then {
    %6 = const {value = 1} : int
    yield %6
  } else {
    %7 = const {value = 2} : int
    yield %7
  }
  %8 = tuple %0, %1, %2, %5 : tuple<float, float, int, int>
  return %8
}
""", "cse")
    filecheck(out, "CHECK: {value = 0.0}\nCHECK-NEXT: {value = -0.0}\nCHECK: if\nCHECK: if")


def test_dce_removes_dead_pure_ops_keeps_effects():
    out = run_opt("""func @f(%a: f64[?], %n: int) -> f64[?] {
  %0 = isnan %a : bool[?]
  %1 = any %0 : bool
  %e = exp %a : f64[?]
  %2 = random.rand %n : f64[?]
  %3 = const {value = 0} : int
  %4 = const {value = 1.0} : float
  %5 = setitem %a, %3, %4 {index = (i,)} : f64[?]
  return %a
}
""".replace("return %a", "return %5"), "dce")
    # exp may overflow: a warning (an error under np.errstate(all="raise")), so it stays
    filecheck(out, """
        CHECK-NOT: isnan
        CHECK-NOT: any
        CHECK: exp %a
        CHECK: random.rand %n
        CHECK: setitem %a
    """)


def test_dce_constant_if_inlines_taken_region():
    out = run_opt("""func @f(%x: f64) -> f64 @"k.py":1:1 {
  %c = const {value = false} : bool @2:4
  %r = if %c : f64 @2:4 then {
    %0 = exp %x : f64 @3:8
    yield %0 @2:4
  } else {
    %1 = log %x : f64 @5:8
    %2 = negative %1 : f64 @5:7
    yield %2 @2:4
  }
  return %r @6:4
}
""", "dce", locations=True)
    filecheck(out, """
        CHECK-NOT: if
        CHECK-NOT: exp
        CHECK: %0 = log %x : f64 @5:8
        CHECK-NEXT: %1 = negative %0 : f64 @5:7
        CHECK-NEXT: return %1
    """)


def test_dce_zero_trip_loops_and_dead_loops():
    out = run_opt("""func @f(%a: f64[?], %x: f64) -> tuple<f64[?], f64, f64> {
  %0 = const {value = 5} : int
  %1 = const {value = 2} : int
  %2 = const {value = 1} : int
  %r = for_range %0, %1, %2, %a : f64[?] body(%i: int, %c: f64[?]) {
    %3 = const {value = 0} : int
    %4 = setitem %c, %3, %x {index = (i,)} : f64[?]
    yield %4
  }
  %w = while %x : f64 cond(%y: f64) {
    %5 = const {value = false} : bool
    yield %5
  } body(%z: f64) {
    %6 = exp %z : f64
    yield %6
  }
  %d = for_range %1, %0, %2, %x : f64 body(%j: int, %e: f64) {
    %7 = negative %e : f64
    yield %7
  }
  %s = while %x : f64 cond(%p: f64) {
    %8 = less %p, %x : bool
    yield %8
  } body(%q: f64) {
    yield %q
  }
  %9 = tuple %r, %w, %x : tuple<f64[?], f64, f64>
  return %9
}
""", "dce")
    # the zero-trip loop, the never-entered while and the dead pure loop go; a dead while
    # is kept (it might not terminate), without the value it passes through unchanged.
    filecheck(out, """
        CHECK-NOT: for_range
        CHECK: while cond {
        CHECK-NEXT: less %x, %x
        CHECK: } body {
        CHECK-NEXT: yield
        CHECK: tuple %a, %x, %x
    """)


def test_dce_forwards_values_a_loop_passes_through():
    out = run_opt("""func @f(%a: f64[?], %x: f64[?], %n: int) -> tuple<f64[?], f64[?]> {
  %0 = const {value = 0} : int
  %1 = const {value = 1} : int
  %r, %s = for_range %0, %n, %1, %a, %x : f64[?], f64[?] body(%i: int, %c: f64[?], %d: f64[?]) {
    %2 = add %c, %d : f64[?]
    yield %2, %d
  }
  %3 = tuple %r, %s : tuple<f64[?], f64[?]>
  return %3
}
""", "dce")
    filecheck(out, """
        CHECK: %r = for_range %0, %n, %1, %a : f64[?] body(%i: int, %c: f64[?]) {
        CHECK-NEXT: add %c, %x
        CHECK: tuple %r, %x
    """)


def test_dce_drops_unused_loop_carried_values():
    out = run_opt("""func @f(%a: f64, %n: int) -> f64 {
  %0 = const {value = 0} : int
  %1 = const {value = 1} : int
  %u = const {value = 0} : int
  %r, %k = for_range %0, %n, %1, %a, %u : f64, int body(%i: int, %c: f64, %d: int) {
    %2 = exp %c : f64
    yield %2, %i
  }
  return %r
}
""", "dce")
    filecheck(out, """
        CHECK: %r = for_range %0, %n, %1, %a : f64 body(%i: int, %c: f64) {
        CHECK-NEXT: exp %c
        CHECK-NEXT: yield %2
    """)


def test_dce_removes_unused_pure_calls_only():
    out = run_opt("""func @f(%a: f64[?]) -> f64[?] {
  %0 = call %a {callee = g} : f64[?]
  %1 = call %a {callee = h} : f64[?]
  %2 = call %a {callee = e} : f64[?]
  return %a
}

func @g(%x: f64[?]) -> f64[?] {
  %0 = negative %x : f64[?]
  return %0
}

func @e(%x: f64[?]) -> f64[?] {
  %0 = exp %x : f64[?]
  return %0
}

func @h(%x: f64[?]) -> f64[?] {
  %0 = const {value = 0} : int
  %1 = const {value = 1.0} : float
  %2 = setitem %x, %0, %1 {index = (i,)} : f64[?]
  return %2
}
""", "dce")
    # @e may warn (exp overflows): its call stays like the impure one
    filecheck(out, "CHECK-NOT: callee = g\nCHECK: call %a {callee = h}\nCHECK: {callee = e}")
