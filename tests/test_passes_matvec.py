"""fuse-matvec-pair: X.T @ f(X @ w) in one op, run by the oracle before and after, and matmul_t's
reference implementation (the refusals are in tests/passes/fuse-matvec-pair/)."""

import numpy as np
import pytest

from phylanx.ir.parser import parse_physl
from phylanx.ops.fused import BLOCK_ROWS
from phylanx.oracle import evaluate
from phylanx.passes import run_pipeline
from phylanx.passes.testing import filecheck
from phylanx.testing import assert_same

GRADIENT = """func @g(%X: f64[?,?], %w: f64[?], %y: f64[?]) -> f64[?] @"lr.py":1:1 {
  %one = const {value = 1.0} : float @5:16
  %0 = matmul %X, %w : f64[?] @5:38
  %1 = negative %0 : f64[?] @5:36
  %2 = exp %1 : f64[?] @5:29
  %3 = add %one, %2 : f64[?] @5:23
  %pred = true_divide %one, %3 : f64[?] @5:16
  %4 = transpose %X : f64[?,?] @6:26
  %5 = subtract %pred, %y : f64[?] @6:33
  %6 = matmul %4, %5 : f64[?] @6:26
  return %6 @7:4
}
"""


@pytest.mark.parametrize("pipeline", ["canonicalize,fuse-matvec-pair,dce", "fuse-matvec-pair,dce"])
def test_logreg_gradient_becomes_one_pair(pipeline):
    module = parse_physl(GRADIENT)
    r = run_pipeline(module, pipeline)
    filecheck(r.stages["final"], """
        CHECK: func @g
        CHECK-NEXT: %0 = matvec_pair %X, %w, %y : f64[?] @6:26 body(%z: f64, %y_1: f64) {
        CHECK-NEXT: %1 = negative %z : f64 @5:36
        CHECK-NEXT: %2 = exp %1 : f64 @5:29
        CHECK-NEXT: %one = const {value = 1.0} : float @5:16
        CHECK-NEXT: %3 = add %one, %2 : f64 @5:23
        CHECK-NEXT: %pred = true_divide %one, %3 : f64 @5:16
        CHECK-NEXT: %4 = subtract %pred, %y_1 : f64 @6:33
        CHECK-NEXT: yield %4
        CHECK-NEXT: }
        CHECK-NEXT: return %0
    """)
    assert "transpose" not in r.stages["final"]
    rng = np.random.default_rng(0)
    for n in (7, BLOCK_ROWS + 5, 2 * BLOCK_ROWS):
        X, w, y = rng.normal(size=(n, 4)), rng.normal(size=4), (rng.random(n) > .5) * 1.0
        assert_same(evaluate(r.module, X, w, y), evaluate(module, X, w, y), rtol=1e-12)


def test_identity_f_and_broadcast_inputs():
    module = parse_physl("""func @g(%X: f64[?,?], %w: f64[?], %y: f64[?]) -> f64[?] {
  %0 = matmul %X, %w : f64[?]
  %2 = multiply %0, %y : f64[?]
  %3 = matmul_t %X, %2 {transpose_a = true} : f64[?]
  return %3
}
""")
    r = run_pipeline(module, "fuse-matvec-pair")
    filecheck(r.stages["final"], "CHECK: matvec_pair %X, %w, %y")
    rng = np.random.default_rng(1)
    X, w = rng.normal(size=(BLOCK_ROWS + 3, 3)), rng.normal(size=3)
    for y in (rng.normal(size=BLOCK_ROWS + 3), np.array([2.0])):
        assert_same(evaluate(r.module, X, w, y), evaluate(module, X, w, y), rtol=1e-12)
    with pytest.raises(ValueError):
        evaluate(r.module, X, w, np.ones(2))
    ident = parse_physl("""func @g(%X: f64[?,?], %w: f64[?]) -> f64[?] {
  %0 = matmul %X, %w : f64[?]
  %1 = matmul_t %X, %0 {transpose_a = true} : f64[?]
  return %1
}
""")
    r = run_pipeline(ident, "fuse-matvec-pair")
    filecheck(r.stages["final"], "CHECK: matvec_pair %X, %w : f64[?] body(%z: f64)\n"
                                 "CHECK-NEXT: yield %z")
    assert_same(evaluate(r.module, X, w), X.T @ (X @ w), rtol=1e-12)


def test_matmul_t_reference():
    text = """func @g(%A: f64[?,?], %B: f64[?,?]) -> f64[?,?] {
  %0 = matmul_t %A, %B {transpose_a = true, transpose_b = true} : f64[?,?]
  return %0
}
"""
    rng = np.random.default_rng(2)
    A, B = rng.normal(size=(3, 2)), rng.normal(size=(4, 3))
    assert_same(evaluate(parse_physl(text), A, B), A.T @ B.T)
