"""One elementwise engine: the same body gives the same bits through every path that runs it.

The body (exp, log, tanh, sin, expm1, log1p, sqrt, division, ...) runs as a `fused` op, as the
body of a `matvec_pair` (X the identity, so g = X.T @ f(X @ w) is f(w) exactly) and as a fused
op inside a parallel loop run by the native loop kernel, on each instruction set the CPU has
(set_isa), with 1 and 2 threads. All three are programs of runtime/_ew_program.py run by
ew_exec.h, so the results agree bit for bit.
"""

import numpy as np
import pytest

import phylanx.runtime as rt
from phylanx.ir.parser import parse_physl
from phylanx.runtime import _elementwise as ew
from phylanx.runtime import _matvec, lower

BODY = """
      %f_c1 = const {value = 1.0} : float
      %f_c3 = const {value = 3.0} : float
      %f_n = negative %a : f64
      %f_e = exp %f_n : f64
      %f_t = tanh %a : f64
      %f_d = add %f_c1, %f_t : f64
      %f_q = true_divide %f_e, %f_d : f64
      %f_zz = multiply %a, %a : f64
      %f_l = log1p %f_zz : f64
      %f_s = sin %a : f64
      %f_m = expm1 %f_s : f64
      %f_r = sqrt %f_zz : f64
      %f_lg = log %f_d : f64
      %f_u = add %f_q, %f_l : f64
      %f_v = subtract %f_u, %f_m : f64
      %f_a3 = add %a, %f_c3 : f64
      %f_yq = true_divide %b, %f_a3 : f64
      %f_w = multiply %f_v, %f_r : f64
      %f_x = subtract %f_w, %f_yq : f64
      %f_res = add %f_x, %f_lg : f64
      yield %f_res
"""

# LogReg's sigmoid(z) - y
SIGMOID = """
      %f_one = const {value = 1.0} : float
      %f_n = negative %a : f64
      %f_e = exp %f_n : f64
      %f_d = add %f_one, %f_e : f64
      %f_p = true_divide %f_one, %f_d : f64
      %f_r = subtract %f_p, %b : f64
      yield %f_r
"""

FUSED = """
func @f(%z: f64[?], %y: f64[?]) -> f64[?] {
  %r = fused %z, %y : f64[?] body(%a: f64, %b: f64) {BODY}
  return %r
}
"""

MATVEC = """
func @f(%X: f64[?,?], %w: f64[?], %y: f64[?]) -> f64[?] {
  %g = matvec_pair %X, %w, %y : f64[?] body(%a: f64, %b: f64) {BODY}
  return %g
}
"""

LOOP = """
func @f(%Z: f64[?,?], %Y: f64[?,?], %out: f64[?,?]) -> f64[?,?] {
  %n = dim %out {axis = 0} : int
  %0 = const {value = 0} : int
  %1 = const {value = 1} : int
  %r = for_range %0, %n, %1, %out {parallel = true} : f64[?,?] body(%i: int, %o: f64[?,?]) {
    %z = getitem %Z, %i {index = (i,)} : f64[?]
    %y = getitem %Y, %i {index = (i,)} : f64[?]
    %v = fused %z, %y : f64[?] body(%a: f64, %b: f64) {BODY}
    %o2 = setitem %o, %i, %v {index = (i,)} : f64[?,?]
    yield %o2
  }
  return %r
}
"""


def program(text, body=BODY):
    return lower(parse_physl(text.replace("{BODY}", "{" + body + "    }")))


@pytest.fixture(params=ew.available_isas())
def each_isa(request):
    prev = ew.set_isa(request.param)
    yield request.param
    ew.set_isa(prev)


@pytest.fixture(params=[1, 2], ids=["1thread", "2threads"])
def threads(request):
    before = rt.num_threads()
    rt.set_num_threads(request.param)
    yield request.param
    rt.set_num_threads(before)


def same_bits(a, b):
    """Equal values and NaN positions (+0.0 and -0.0 may differ: g sums in zeros)."""
    assert a.shape == b.shape and a.dtype == b.dtype
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_array_equal(a[~np.isnan(a)], b[~np.isnan(b)])


@pytest.mark.parametrize("body", [BODY, SIGMOID], ids=["math", "sigmoid"])
@pytest.mark.parametrize("block_bytes", [None, 8 * 1200 * 2048])   # blocks > PHX_BLOCK rows
def test_fused_matvec_pair_and_loop_kernel_give_the_same_bits(each_isa, threads, block_bytes,
                                                               body):
    rng = np.random.default_rng(11)
    rows, cols = 40, 30                      # n = 1200 elements
    n = rows * cols
    finite = rng.uniform(-2.5, 2.5, n)       # finite results: g = eye.T @ f sums in zeros
    z = finite.copy()
    z[:6] = [0.0, 1e-300, 20.0, -20.0, 700.0, np.nan]     # tiny, saturating, inf, NaN
    y = rng.standard_normal(n)

    before = ew.STATS["native"]
    with np.errstate(all="ignore"):
        fused = program(FUSED, body).run((z, y))
        fused_finite = program(FUSED, body).run((finite, y))
    assert ew.STATS["native"] == before + 2, ew.STATS["last_decline"]
    assert np.isfinite(fused_finite).all()

    saved = _matvec._block_bytes
    if block_bytes is not None:
        _matvec.set_tuning(block_bytes=block_bytes)
    try:
        _matvec.team_stats(reset=True)
        pair = program(MATVEC, body).run((np.eye(n), finite, y))
        assert _matvec.team_stats()[0] == 1          # the native matvec_pair ran
    finally:
        _matvec.set_tuning(saved)
    same_bits(pair, fused_finite)

    loop_ex = program(LOOP, body)
    assert any("native loop kernel" in note for note in loop_ex.notes), loop_ex.notes
    with np.errstate(all="ignore"):
        looped = loop_ex.run((z.reshape(rows, cols), y.reshape(rows, cols),
                              np.zeros((rows, cols))))

    same_bits(looped.reshape(-1), fused)
    with np.errstate(all="ignore"):                  # and the values are NumPy's, closely
        a, b = z, y
        if body is SIGMOID:
            want = 1.0 / (1.0 + np.exp(-a)) - b
        else:
            d = 1.0 + np.tanh(a)
            want = (((np.exp(-a) / d + np.log1p(a * a)) - np.expm1(np.sin(a)))
                    * np.sqrt(a * a) - b / (a + 3.0)) + np.log(d)
    np.testing.assert_allclose(fused, want, rtol=1e-13, atol=1e-13, equal_nan=True)


def test_loop_kernel_broadcasts_and_reports_numpys_error():
    """A fused body in a parallel loop broadcasts like NumPy (a scalar operand, a row against a
    vector) and a mismatch raises NumPy's message for the op of the body that fails."""
    text = """
func @f(%Z: f64[?,?], %v: f64[?], %c: float, %out: f64[?,?]) -> f64[?,?] {
  %n = dim %out {axis = 0} : int
  %0 = const {value = 0} : int
  %1 = const {value = 1} : int
  %r = for_range %0, %n, %1, %out {parallel = true} : f64[?,?] body(%i: int, %o: f64[?,?]) {
    %m = getitem %Z, %i {index = (i,)} : f64[?]
    %v2 = fused %m, %c, %v : f64[?] body(%a: f64, %b: float, %d: f64) {
      %p = multiply %a, %b : f64
      %q = add %p, %d : f64
      yield %q
    }
    %o2 = setitem %o, %i, %v2 {index = (i,)} : f64[?,?]
    yield %o2
  }
  return %r
}
"""
    ex = lower(parse_physl(text))
    assert any("native loop kernel" in note for note in ex.notes), ex.notes
    rng = np.random.default_rng(2)
    Z, v = rng.standard_normal((3, 4)), rng.standard_normal(4)
    got = ex.run((Z, v, 0.5, np.zeros((3, 4))))
    same_bits(got, Z * 0.5 + v)
    with pytest.raises(ValueError) as err:
        ex.run((Z, np.ones(5), 0.5, np.zeros((3, 4))))
    with pytest.raises(ValueError) as want:
        Z[0] * 0.5 + np.ones(5)
    assert str(err.value) == str(want.value)
