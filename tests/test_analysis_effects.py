"""Effects analysis (phylanx.analysis): purity, alias classes, may_raise_or_warn, the no-alias
argument check."""

import numpy as np
import pytest

from phylanx.analysis import (
    Effects,
    arguments_overlap,
    is_pure,
    may_raise_or_warn,
    written_arguments,
)
from phylanx.ir.parser import parse_physl
from phylanx.ops.fused import op_impl

TEXT = """func @f(%a: f64[?], %b: f64[?], %B: f64[?,?], %n: int, %x: float, %i: i8[?]) -> f64[?] {
  %v = getitem %a {index = (s000,)} : f64[?]
  %0 = const {value = 0} : int
  %1 = const {value = 1.0} : float
  %w = setitem %v, %0, %1 {index = (i,)} : f64[?]
  %e = exp %b : f64[?]
  %s = add %a, %b : f64[?]
  %t = add %a, %a : f64[?]
  %z = zeros %n : f64[?]
  %d = dim %B {axis = 0} : int
  %o = ones %d : f64[?]
  %inv = linalg.inv %B : f64[?,?]
  %g = getitem %a, %n {index = (i,)} : f64
  %q = true_divide %x, %x : float
  %m = multiply %x, %x : float
  %c = const {value = 300} : int
  %k = add %i, %c : i8[?]
  %ii = add %i, %i : i8[?]
  %nan = isnan %b : bool[?]
  %sf = sum %b : f64
  %si = sum %i : i64
  %mi = mean %i : f64
  %r = random.rand %n : f64[?]
  %tp = tuple %w, %e : tuple<f64[?], f64[?]>
  return %e
}
"""


@pytest.fixture
def ops():
    m = parse_physl(TEXT)
    return m, {op.results[0].hint: op for op in m.entry.body.ops if op.results}


def test_alias_classes_and_writes(ops):
    m, by = ops
    eff = Effects(m.entry, m)
    a, b = m.entry.args[:2]
    assert eff.cls(by["v"].results[0]) is eff.cls(a) is eff.cls(by["w"].results[0])
    assert eff.cls(b) is not eff.cls(a)
    assert eff.is_written(a) and not eff.is_written(b)
    assert eff.writes(by["w"]) == {eff.cls(a)}
    assert eff.is_returned(by["e"].results[0]) and not eff.is_returned(by["s"].results[0])
    # a tuple that is not only returned joins its elements
    assert eff.cls(by["tp"].results[0]) is eff.cls(a) is eff.cls(by["e"].results[0])
    eff2 = Effects(m.entry, m, args_may_alias=True)
    assert eff2.cls(a) is eff2.cls(b)


def test_purity(ops):
    _, by = ops
    assert is_pure(by["e"]) and is_pure(by["v"])
    assert not is_pure(by["w"]) and not is_pure(by["r"])


@pytest.mark.parametrize("name, raises", [
    # exp and float + overflow (a warning, FloatingPointError under errstate(all="raise"))
    ("v", False), ("e", True), ("s", True), ("t", True), ("z", True), ("o", False),
    ("inv", True), ("g", True), ("q", True), ("m", False), ("k", True), ("d", False),
    ("ii", False), ("nan", False), ("sf", True), ("si", False), ("mi", True),
])
def test_may_raise_or_warn(ops, name, raises):
    _, by = ops
    assert may_raise_or_warn(by[name]) is raises


def test_arguments_overlap():
    m = parse_physl("""func @f(%a: f64[?], %b: f64[?]) -> f64[?] {
  %0 = const {value = 0} : int
  %1 = const {value = 1.0} : float
  %2 = setitem %a, %0, %1 {index = (i,)} : f64[?]
  %3 = add %2, %b : f64[?]
  return %3
}
""")
    x = np.zeros(4)
    assert written_arguments(m) == (0,)
    assert arguments_overlap((0,), [x, x[1:]])
    assert arguments_overlap(m, [x, x[1:]])
    assert not arguments_overlap(m, [x, np.zeros(4)])
    ro = parse_physl(str(m).replace("%2 = setitem %a[%0], %1 : f64[?]",
                                    "%2 = exp %a : f64[?]"))
    assert not arguments_overlap(ro, [x, x])


def test_op_impl_for_runtime_fallbacks():
    m = parse_physl("""func @f(%x: f64[?]) -> f64[?] {
  %0, %1 = fused %x : f64[?], f64[?] body(%a: f64) {
    %2 = negative %a : f64
    %3 = exp %2 : f64
    yield %2, %3
  }
  return %1
}
""")
    op = m.entry.body.ops[0]
    neg, ex = op_impl(op)(np.arange(3.0))
    np.testing.assert_array_equal(neg, -np.arange(3.0))
    np.testing.assert_array_equal(ex, np.exp(-np.arange(3.0)))
