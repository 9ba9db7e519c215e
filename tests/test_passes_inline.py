"""inline: an inlined program gives the same results and in-place writes (the IR checks are in
tests/passes/inline/)."""

import numpy as np

from phylanx.ir.parser import parse_physl
from phylanx.oracle import evaluate
from phylanx.passes import run_pipeline
from phylanx.passes.testing import filecheck


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
