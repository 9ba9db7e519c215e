"""fuse-elementwise: fused groups, multi-output, reductions and refusals, each also run by the
oracle before and after (the cases that only check the IR are in tests/passes/fuse-elementwise/)."""

import numpy as np

from phylanx.ir.parser import parse_physl
from phylanx.oracle import evaluate
from phylanx.passes import run_pipeline
from phylanx.passes.testing import filecheck, run_opt, run_opt_result
from phylanx.testing import assert_same


def check_same(text: str, pipeline: str, *args) -> str:
    module = parse_physl(text)
    r = run_pipeline(module, pipeline)
    a1 = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    a2 = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    assert_same(evaluate(r.module, *a2), evaluate(module, *a1))
    for x, y in zip(a1, a2):
        assert_same(y, x)
    return str(r.module)


CHAIN = """func @f(%x: f64[?,?], %v: f64[?], %alpha: float) -> f64[?,?] @"k.py":1:1 {
  %0 = negative %x : f64[?,?] @2:8
  %1 = exp %0 : f64[?,?] @2:12
  %c = const {value = 1.0} : float @2:20
  %2 = add %c, %1 : f64[?,?] @2:18
  %3 = multiply %alpha, %v : f64[?] @3:8
  %4 = true_divide %3, %2 : f64[?,?] @3:14
  return %4 @4:4
}
"""


def test_chain_with_scalars_and_broadcast_becomes_one_op():
    out = run_opt(CHAIN, "fuse-elementwise,dce", locations=True)
    filecheck(out, """
        CHECK: func @f
        CHECK-NEXT: %0 = fused %x, %alpha, %v : f64[?,?] @3:14 body(%x_1: f64, %alpha_1: float, %v_1: f64) {
        CHECK-NEXT: %1 = negative %x_1 : f64 @2:8
        CHECK-NEXT: %2 = exp %1 : f64 @2:12
        CHECK-NEXT: %c = const {value = 1.0} : float @2:20
        CHECK-NEXT: %3 = add %c, %2 : f64 @2:18
        CHECK-NEXT: %4 = multiply %alpha_1, %v_1 : f64 @3:8
        CHECK-NEXT: %5 = true_divide %4, %3 : f64 @3:14
        CHECK-NEXT: yield %5
        CHECK-NEXT: }
        CHECK-NEXT: return %0
    """)
    rng = np.random.default_rng(0)
    check_same(CHAIN, "fuse-elementwise", rng.normal(size=(3, 4)), rng.normal(size=4), 0.5)


def test_weak_scalars_stay_weak_in_the_body():
    text = """func @f(%x: f32[?], %a: float) -> f32[?] {
  %0 = multiply %x, %a : f32[?]
  %1 = sqrt %0 : f32[?]
  return %1
}
"""
    out = check_same(text, "fuse-elementwise", np.arange(4, dtype=np.float32), 2.5)
    filecheck(out, """
        CHECK: fused %x, %a : f32[?] body(%x_1: f32, %a_1: float)
        CHECK-NEXT: multiply %x_1, %a_1 : f32
        CHECK-NEXT: sqrt %2 : f32
    """.replace("%2", "{{%[0-9]+}}"))


def test_values_with_outside_users_become_extra_results():
    text = """func @f(%a: f64[?], %b: f64[?]) -> tuple<f64[?], f64[?], f64> {
  %t = multiply %a, %b : f64[?]
  %c = const {value = 1.0} : float
  %u = add %t, %c : f64[?]
  %v = exp %u : f64[?]
  %s = sum %t : f64
  %r = tuple %t, %v, %s : tuple<f64[?], f64[?], f64>
  return %r
}
"""
    out = check_same(text, "fuse-elementwise", np.arange(3.0), np.ones(3))
    filecheck(out, """
        CHECK: %t, %v = fused %a, %b : f64[?], f64[?] body
        CHECK: yield %t_1, %v_1
        CHECK: %s = sum %t
    """)


def test_no_fusion_across_an_in_place_write():
    text = """func @f(%a: f64[?]) -> f64[?] {
  %0 = const {value = 2.0} : float
  %t = multiply %a, %0 : f64[?]
  %1 = const {value = 0} : int
  %2 = const {value = 2} : int
  %v = getitem %a, %1, %2 {index = (s110,)} : f64[?]
  %3 = const {value = 9.0} : float
  %v_1 = setitem %v, %1, %3 {index = (i,)} : f64[?]
  %u = add %a, %t : f64[?]
  return %u
}
"""
    r = run_opt_result(text, "fuse-elementwise")
    filecheck(str(r.module), "CHECK-NOT: fused\nCHECK: %t = multiply\nCHECK: %u = add")
    (note,) = r.diagnostics.of("fuse-elementwise", "refused")
    assert "in-place write 'setitem'" in note.message
    check_same(text, "fuse-elementwise", np.arange(4.0))


def test_reductions_absorb_their_producers():
    text = """func @f(%a: f64[?,?], %b: f64[?,?]) -> tuple<f64, f64, f64, f64[?]> {
  %0 = multiply %a, %a : f64[?,?]
  %1 = sum %0 : f64
  %2 = subtract %a, %b : f64[?,?]
  %3 = mean %2 : f64
  %4 = absolute %a : f64[?,?]
  %5 = max %4 : f64
  %6 = multiply %a, %b : f64[?,?]
  %7 = exp %6 : f64[?,?]
  %8 = sum %7 {axis = 0, keepdims = true} : f64[1,?]
  %9 = squeeze %8 {axis = 0} : f64[?]
  %r = tuple %1, %3, %5, %9 : tuple<f64, f64, f64, f64[?]>
  return %r
}
"""
    rng = np.random.default_rng(1)
    out = check_same(text, "fuse-elementwise", rng.normal(size=(3, 2)), rng.normal(size=(3, 2)))
    filecheck(out, """
        CHECK: fused_reduce %a {reduce = sum} : f64 body(%a_1: f64)
        CHECK-NEXT: multiply %a_1, %a_1
        CHECK: fused_reduce %a, %b {reduce = mean} : f64
        CHECK-NEXT: subtract
        CHECK: fused_reduce %a {reduce = max} : f64
        CHECK-NEXT: absolute
        CHECK: fused_reduce %a, %b {reduce = sum, axis = 0, keepdims = true} : f64[1,?]
        CHECK-NEXT: multiply
        CHECK-NEXT: exp
        CHECK-NOT: = sum
    """)


def test_fusion_inside_loop_bodies():
    text = """func @f(%w: f64[?], %a: float, %n: int) -> f64[?] {
  %lo = const {value = 0} : int
  %one = const {value = 1} : int
  %r = for_range %lo, %n, %one, %w : f64[?] body(%i: int, %c: f64[?]) {
    %0 = multiply %a, %c : f64[?]
    %1 = subtract %c, %0 : f64[?]
    yield %1
  }
  return %r
}
"""
    out = check_same(text, "fuse-elementwise", np.ones(3), 0.5, 3)
    filecheck(out, "CHECK: for_range\nCHECK-NEXT: fused %a, %c")


def test_outputs_of_different_shapes():
    text = """func @f(%a: f64[?], %B: f64[?,?]) -> tuple<f64[?], f64[?,?]> {
  %c = const {value = 2.0} : float
  %t = multiply %a, %c : f64[?]
  %u = add %t, %B : f64[?,?]
  %v = exp %u : f64[?,?]
  %r = tuple %t, %v : tuple<f64[?], f64[?,?]>
  return %r
}
"""
    out = check_same(text, "fuse-elementwise", np.arange(3.0), np.ones((2, 3)))
    # a fused op computes its results over the group's shape: %t (of a's shape) is computed
    # apart and is an input of the group that needs B's shape
    filecheck(out, "CHECK: %t = multiply %a, %c\nCHECK-NEXT: %v = fused %t, %B : f64[?,?]")
