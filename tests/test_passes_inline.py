"""inline: small callees are copied into their callers, keeping their own source locations."""

import numpy as np

from phylanx.ir.parser import parse_physl
from phylanx.oracle import evaluate
from phylanx.passes import run_pipeline
from phylanx.passes.testing import filecheck, run_opt, run_opt_result

TEXT = """\
func @main(%x: f64[?], %n: int) -> f64[?] @"main.py":1:1 {
  %0 = call %x {callee = sigmoid} : f64[?] @2:8
  %1 = call %0 {callee = big} : f64[?] @3:8
  return %1 @4:4
}

func @sigmoid(%z: f64[?]) -> f64[?] @"lib.py":10:1 {
  %0 = const {value = 1.0} : float @11:11
  %1 = negative %z : f64[?] @11:30
  %2 = exp %1 : f64[?] @11:23
  %3 = add %0, %2 : f64[?] @11:17
  %4 = true_divide %0, %3 : f64[?] @11:11
  return %4 @11:4
}

func @big(%z: f64[?]) -> f64[?] @"main.py":20:1 {
  %0 = exp %z : f64[?] @21:8
  %1 = exp %0 : f64[?] @22:8
  %2 = exp %1 : f64[?] @23:8
  %3 = exp %2 : f64[?] @24:8
  %4 = exp %3 : f64[?] @25:8
  %5 = exp %4 : f64[?] @26:8
  return %5 @27:4
}
"""


def test_inlined_ops_keep_callee_locations():
    out = run_opt(TEXT, "inline{max-ops=5}", locations=True)
    filecheck(out, """
        CHECK: func @main
        CHECK-NEXT: %0 = const {value = 1.0} : float @"lib.py":11:11
        CHECK-NEXT: %1 = negative %x : f64[?] @"lib.py":11:30
        CHECK: %3 = add %0, %2 : f64[?] @"lib.py":11:17
        CHECK-NEXT: %4 = true_divide %0, %3 : f64[?] @"lib.py":11:11
        CHECK-NEXT: %5 = call %4 {callee = big} : f64[?] @3:8
        CHECK-NOT: func @sigmoid
        CHECK: func @big
    """)


def test_max_ops_and_removal_of_dead_functions():
    r = run_opt_result(TEXT, "inline")
    assert list(r.module.functions) == ["main"]
    assert r.stats["inline"]["calls-inlined"] == 2
    assert r.stats["inline"]["functions-removed"] == 2
    r = run_opt_result(TEXT, "inline{max-ops=2}")
    assert list(r.module.functions) == ["main", "sigmoid", "big"]
    notes = r.diagnostics.of("inline", "not-inlined")
    assert len(notes) == 2 and "5 ops > max-ops=2" in notes[0].message


def test_inlining_keeps_results_and_in_place_writes():
    text = """\
func @main(%x: f64[?]) -> f64[?] {
  %0 = const {value = dense<f64[3]: [1.0, 2.0, 3.0]>} : f64[3]
  %1 = call %0 {callee = scale} : f64[?]
  %2 = call %x {callee = poke} : f64[?]
  %3 = add %1, %2 : f64[?]
  return %3
}

func @scale(%v: f64[?]) -> f64[?] {
  %0 = const {value = 2.0} : float
  %1 = multiply %v, %0 : f64[?]
  return %1
}

func @poke(%v: f64[?]) -> f64[?] {
  %0 = const {value = 0} : int
  %1 = const {value = 7.0} : float
  %2 = setitem %v, %0, %1 {index = (i,)} : f64[?]
  return %2
}
"""
    module = parse_physl(text)
    r = run_pipeline(module, "inline")
    filecheck(str(r.module), "CHECK: convert %0 : f64[?]\nCHECK-NOT: call")
    a, b = np.ones(3), np.ones(3)
    np.testing.assert_array_equal(evaluate(module, a), evaluate(r.module, b))
    np.testing.assert_array_equal(a, b)
    assert b[0] == 7.0
