"""Edge inputs of the native elementwise engine against NumPy: non-contiguous operands
(strided, reversed, F-order transposed), empty and 0-d arrays, NaN/inf, for single ops, where,
clip, `fused` programs and `fused_reduce`.

Helpers and conventions are those of test_runtime_elementwise.py: `native` asserts the native
program ran (STATS); operands it is not given (size 0, a failing broadcast) must come back as
NumPy's exact result or exception. Inputs are above the engine's small-input cutoff (4096
elements) where the path matters, and the cutoff is patched away for the rest.
"""

import re
import warnings

import numpy as np
import pytest
from test_runtime_elementwise import (
    APPROX,
    BINARY,
    NP,
    UNARY,
    assert_same,
    fused_op,
    make_op,
    native,
    reduce_op,
    reference,
    run,
    values,
)

import phylanx
from phylanx.ir.registry import TypeRuleError
from phylanx.runtime import _elementwise as ew
from phylanx.runtime import natives, set_num_threads
from phylanx.runtime._threads import get_num_threads


@pytest.fixture(autouse=True)
def _native_at_every_size(monkeypatch):
    monkeypatch.setattr(ew, "SMALL_SINGLE", 0)


RNG_MASK = np.random.default_rng(7).random((70, 80)) < 0.1


def specials(dtype, shape):
    """values() with NaN, +inf, -inf and -0.0 each at about 1 in 16 places (floats): every
    strided or reversed view of it still holds them."""
    v = values(dtype, shape)
    if v.dtype.kind == "f":
        flat = v.reshape(-1)
        pick = np.random.default_rng(flat.size).integers(0, 16, flat.size)
        for k, special in enumerate((np.nan, np.inf, -np.inf, -0.0)):
            flat[pick == k] = special
    return v


def assert_values(got, want, approx=0):
    """assert_same, plus NumPy's memory order (axis order by |stride|) for n-d results."""
    if isinstance(want, np.ndarray) and isinstance(got, np.ndarray) and want.ndim >= 2:
        assert _axis_order(got) == _axis_order(want), (got.strides, want.strides)
        got, want = np.ascontiguousarray(got), np.ascontiguousarray(want)
    assert_same(got, want, approx=approx)


def typed(dtype, rank):
    return f"{dtype}[{','.join('?' * rank)}]"


def numpy_error(fn, *args):
    """The exception NumPy raises for fn(*args) (the test fails if it raises none)."""
    with pytest.raises(Exception) as info:
        fn(*args)
    return info.value


# --- single binary ops ------------------------------------------------------------------------

def _layout_pairs(d1, d2):
    """(a, b) pairs of non-contiguous operands with a (70, 80) (or 5600-element) result."""
    a, b = specials(d1, (140, 240)), specials(d2, (80, 70))
    a2, b1 = specials(d2, (140, 240)), specials(d1, (80, 70))
    row, col = specials(d2, (160,)), specials(d2, (70, 2))
    flat1, flat2 = specials(d1, (16800,)), specials(d2, (16800,))
    cube1, cube2 = specials(d1, (8, 20, 70)), specials(d2, (20, 70, 8))
    return [
        (a[::2, ::3], b.T),                      # strided vs F-order transposed
        (a[::-2, ::-3], a2[1::2, 2::3]),         # reversed vs strided
        (a[:70, :80].T.T, b.T[::-1]),            # C vs transposed, reversed rows
        (a[::2, ::-3], row[::2]),                # reversed columns vs a strided row
        (b1.T, col[:, :1]),                      # transposed vs a column
        (a[:70, :80], np.broadcast_to(row[:80], (70, 80))),     # zero strides, full shape
        (flat1[::3], flat2[::-3]),               # 1-d strided vs reversed
        (cube1.transpose(1, 2, 0)[::-1], cube2[:, ::-1, ::-1]),  # 3-d permuted vs reversed
    ]


def _check_binary(name, d1, d2):
    ran = 0
    for a, b in _layout_pairs(d1, d2):
        try:
            op = make_op(name, f"{typed(d1, a.ndim)}, {typed(d2, b.ndim)}")
        except TypeRuleError:
            return ran
        if natives.preparer_for(op) is None:
            return ran
        with np.errstate(all="ignore"):
            want = reference(op, a, b)
            got = native(op, a, b)
        assert_values(got, want, approx=4 if name in APPROX else 0)
        ran += 1
    return ran


@pytest.mark.parametrize("name", BINARY)
def test_binary_ops_on_non_contiguous_operands(name):
    """Every native binary op, on floats with NaN/inf/signed zeros and on integers/bools, of
    one dtype and mixed."""
    ran = sum(_check_binary(name, d1, d2) for d1, d2 in (
        ("f64", "f64"), ("f32", "f32"), ("i32", "i32"), ("bool", "bool"), ("i8", "f32"),
        ("u8", "i8"), ("f32", "f64"), ("i64", "f64")))
    assert ran >= 8


@pytest.fixture(params=ew.available_isas())
def each_isa(request):
    prev = ew.set_isa(request.param)
    yield request.param
    ew.set_isa(prev)


@pytest.mark.parametrize("threads", [1, 2])
def test_non_contiguous_operands_in_teams_with_streaming_stores(each_isa, threads, monkeypatch):
    """Every program split over a team, its outputs streamed and pre-faulted, on each vector
    ISA: the split points and vector tails of strided, reversed and transposed operands."""
    monkeypatch.setattr(ew, "_PARALLEL_WORK", 0)
    monkeypatch.setattr(ew, "STREAM_BYTES", 0)
    monkeypatch.setattr(ew, "PREFAULT_BYTES", 0)
    prev = get_num_threads()
    set_num_threads(threads)
    try:
        for name in ("add", "true_divide", "maximum", "less_equal", "arctan2"):
            assert _check_binary(name, "f64", "f64") == 8
            assert _check_binary(name, "i8", "f32") == 8
        op = make_op("sqrt", "f32[?,?]")
        x = specials("f32", (300, 401))
        for v in (x[::-2, ::3], x.T[::2], x[::2, ::-1].T):
            with np.errstate(all="ignore"):
                assert_values(native(op, v), reference(op, v))
    finally:
        set_num_threads(prev)


EMPTY_PAIRS = [((0,), (0,)), ((0, 50), (50,)), ((0, 50), (0, 1)), ((30, 0), (30, 1)),
               ((1, 0), (5000, 1))]


@pytest.mark.parametrize("name", BINARY)
def test_binary_ops_on_empty_operands(name):
    ran = 0
    for d1, d2 in (("f64", "f64"), ("i8", "f32"), ("i32", "i32"), ("bool", "bool")):
        for s1, s2 in EMPTY_PAIRS:
            x, y = values(d1, s1), values(d2, s2)
            try:
                op = make_op(name, f"{typed(d1, len(s1))}, {typed(d2, len(s2))}")
            except TypeRuleError:
                continue
            if natives.preparer_for(op) is None:
                continue
            want = reference(op, x, y)
            got = native(op, x, y, expect_native=False)
            assert_same(got, want)
            ran += 1
    assert ran >= len(EMPTY_PAIRS)
    # an empty axis does not broadcast against a longer one: NumPy's error, verbatim
    dt = "i32" if name.startswith("bitwise") else "f64"
    op = make_op(name, f"{dt}[?,?], {dt}[?]")
    x, y = values(dt, (0, 50)), values(dt, (49,))
    err = numpy_error(reference, op, x, y)
    with pytest.raises(type(err), match=re.escape(str(err))):
        run(natives.preparer_for(op), x, y)


@pytest.mark.parametrize("name", ["maximum", "minimum", "fmax", "fmin"])
def test_min_max_native_size_empty_and_nan_layouts(name, monkeypatch):
    """Empty results of a native-sized operand: without the small cutoff patched away too."""
    for small in (0, 4096):
        monkeypatch.setattr(ew, "SMALL_SINGLE", small)
        op = make_op(name, "f64[?,?], f64[?]")
        for x, y in ((np.ones((0, 5000)), values("f64", (5000,))),
                     (np.ones((0, 5000)).T, values("f64", (0,)))):
            assert_same(native(op, x, y, expect_native=False), reference(op, x, y))
    x = np.where(RNG_MASK, np.nan, values("f64", (70, 80)))
    y = np.where(RNG_MASK.T, np.nan, values("f64", (80, 70)))
    op = make_op(name, "f64[?,?], f64[?,?]")
    for a, b in ((x, y.T), (x[::-1], y.T[:, ::-1]), (np.asfortranarray(x), x[::-1, ::-1])):
        got = native(op, a, b)
        assert_values(got, reference(op, a, b))
        assert np.isnan(got).any()


# --- single unary ops -------------------------------------------------------------------------

@pytest.mark.parametrize("name", UNARY)
def test_unary_ops_on_empty_strided_and_reversed(name, each_isa):
    """NaN/inf among strided and reversed inputs, through each ISA's vector math."""
    ran = 0
    for d in ("f64", "f32", "i32", "u8", "bool"):
        flat, mat = specials(d, (15_000,)), specials(d, (140, 160))
        cases = [flat[::3], flat[::-1], flat[::-2], mat[::-2, ::2], mat[::2, ::-2].T,
                 values(d, (0,)), values(d, (0, 70)), values(d, (70, 0)).T]
        for x in cases:
            try:
                op = make_op(name, typed(d, x.ndim))
            except TypeRuleError:
                break
            if natives.preparer_for(op) is None:
                break
            with np.errstate(all="ignore"):
                want, got = reference(op, x), native(op, x, expect_native=x.size > 0)
            assert_values(got, want, approx=4 if name in APPROX else 0)
            ran += 1
    assert ran >= len(cases)


# --- memory order of the result ---------------------------------------------------------------

_T = np.ones((160, 140)).T          # (140, 160), F-ordered
_CUBE = np.ones((8, 20, 70))
ORDER_CASES = {
    "F-like strided": (_T[::2, ::2], _T[1::2, 1::2]),
    "F-like reversed": (_T[::-1], _T[:, ::-1]),
    "F-like strided vs row": (_T[::2, ::2], np.ones(80)),
    "C-like strided vs F": (np.ones((140, 240))[::2, ::3], np.ones((80, 70)).T),
    "F vs C-like reversed": (np.ones((80, 70)).T, np.ones((70, 80))[::-1]),
    "unary of F-like strided": (_T[::2, ::2],),
    "unary of a 3-d permutation": (_CUBE.transpose(1, 2, 0),),
    "3-d permutations": (_CUBE.transpose(2, 0, 1), _CUBE.transpose(2, 0, 1)[::-1]),
}


def _axis_order(a):
    """The result's axes of extent > 1 from the largest |stride| to the smallest (C order:
    0, 1, ...); extent-1 and empty results have no order to compare."""
    if a.size == 0:
        return ()
    return tuple(d for d in np.argsort([-abs(s) for s in a.strides], kind="stable")
                 if a.shape[d] > 1)


@pytest.mark.parametrize("case", list(ORDER_CASES))
def test_result_order_of_non_contiguous_operands(case):
    """NumPy (order K) lays the result out in the operands' common axis order by |stride|:
    F, or a 3-d permutation, for non-contiguous operands too."""
    args = ORDER_CASES[case]
    op = make_op("add" if len(args) == 2 else "negative",
                 ", ".join(typed("f64", v.ndim) for v in args))
    want = reference(op, *args)
    got = native(op, *args)
    assert_values(got, want)
    assert _axis_order(got) == _axis_order(want), case


# --- fused programs on non-contiguous operands ------------------------------------------------

ROWS_COLS = """func @g(%x: f64[?,?], %r: f64[?], %c: f64[?,1], %a: float) -> tuple<f64[?,?], bool[?,?]> {
  %0, %1 = fused %x, %r, %c, %a : f64[?,?], bool[?,?] body(%x_1: f64, %r_1: f64, %c_1: f64, %a_1: float) {
    %2 = multiply %x_1, %c_1 : f64
    %3 = add %2, %r_1 : f64
    %4 = greater %x_1, %r_1 : bool
    %5 = subtract %r_1, %a_1 : f64
    %t = where %4, %3, %5 : f64[]
    %6 = maximum %t, %c_1 : f64
    %7 = const {value = 2} : int
    %8 = true_divide %6, %7 : f64
    %9 = isnan %8 : bool
    yield %8, %9
  }
  %10 = tuple %0, %1 : tuple<f64[?,?], bool[?,?]>
  return %10
}
"""


def _fused_layouts():
    x, xt = specials("f64", (140, 240)), specials("f64", (80, 70))
    r, c = specials("f64", (160,)), specials("f64", (140, 1))
    xs = [x[:70, :80], np.asfortranarray(x[:70, :80]), xt.T, x[::-2, ::3], x[::2, ::-3]]
    rows = [r[:80], r[::-2], r[1::2]]
    cols = [c[:70], c[::-2], c[1::2]]
    for i, xv in enumerate(xs):
        yield xv, rows[i % 3], cols[(i + 1) % 3]


@pytest.mark.parametrize("a", [1.5, -0.0, float("nan"), float("inf")])
def test_fused_program_on_non_contiguous_operands(a):
    op = fused_op(ROWS_COLS)
    for x, r, c in _fused_layouts():
        with np.errstate(all="ignore"):
            want = reference(op, x, r, c, a)
            got = native(op, x, r, c, a)
        for g, w in zip(got, want):
            assert_values(g, w)
        assert want[1].any()                    # NaN reached the results


def test_fused_program_on_empty_and_zero_dim_operands():
    op = fused_op(ROWS_COLS)
    for x, r, c in ((np.ones((0, 80)), np.ones(80), np.ones((0, 1))),
                    (np.ones((70, 0)), np.ones(0), np.ones((70, 1))),
                    (np.ones((0, 0)), np.ones(1), np.ones((1, 1)))):
        assert_same(native(op, x, r, c, 1.5, expect_native=False), reference(op, x, r, c, 1.5))
    text = ROWS_COLS.replace("%r: f64[?]", "%r: f64[]")
    op = fused_op(text)
    x, c = specials("f64", (70, 80)), specials("f64", (70, 1))
    for r in (np.array(0.5), np.array(np.nan), np.array(-np.inf)):
        with np.errstate(all="ignore"):
            assert_same(native(op, x.T.T, r, c, 2.0), reference(op, x, r, c, 2.0))
            assert_values(native(op, x[::-1], r, c[::-1], 2.0),
                          reference(op, x[::-1], r, c[::-1], 2.0))


PARTIAL = """func @g(%a: f64[?], %b: f64[?,?]) -> tuple<f64[?], f64[?,?]> {
  %0, %1 = fused %a, %b : f64[?], f64[?,?] body(%a_1: f64, %b_1: f64) {
    %2 = const {value = 1.0} : float
    %3 = add %a_1, %2 : f64
    %4 = multiply %3, %b_1 : f64
    yield %3, %4
  }
  %5 = tuple %0, %1 : tuple<f64[?], f64[?,?]>
  return %5
}
"""


def test_fused_results_of_some_operands_keep_their_own_shape():
    """c = a + 1; d = c * b fused with both results used: c has a's shape, not c * b's."""
    op = fused_op(PARTIAL)
    a, b = values("f64", (3000,)), values("f64", (4, 3000))
    with np.errstate(all="ignore"):
        assert_same(native(op, a, b, expect_native=False), reference(op, a, b))
        b1 = values("f64", (1, 3000))        # every result has the full shape: native
        assert_same(native(op, a[None], b1), reference(op, a[None], b1))


# --- where ------------------------------------------------------------------------------------

def test_where_empty_zero_dim_and_non_contiguous():
    op = make_op("where", "bool[?], f64[?], float")
    c, x = values("bool", (0,)), values("f64", (0,))
    assert_same(native(op, c, x, 2.5, expect_native=False), reference(op, c, x, 2.5))
    op = make_op("where", "bool[?,?], f64[?], i16[?,?]")
    c, x, y = values("bool", (0, 80)), values("f64", (80,)), values("i16", (0, 1))
    assert_same(native(op, c, x, y, expect_native=False), reference(op, c, x, y))
    # 0-d condition and branches among arrays, and all 0-d
    x, y = specials("f64", (70, 80)), specials("f32", (80,))
    for cond in (np.array(True), np.array(False)):
        op = make_op("where", "bool[], f64[?,?], f32[?]")
        assert_same(native(op, cond, x, y), reference(op, cond, x, y))
        op = make_op("where", "bool[], f64[], f64[?,?]")
        assert_same(native(op, cond, np.array(2.0), x), reference(op, cond, np.array(2.0), x))
        op = make_op("where", "bool[], f64[], f64[]")
        assert_same(native(op, cond, np.array(2.0), np.array(np.nan)),
                    reference(op, cond, np.array(2.0), np.array(np.nan)))
    op = make_op("where", "bool[?,?], f64[], f64[?,?]")
    c = values("bool", (70, 80))
    assert_same(native(op, c, np.array(-0.0), x), reference(op, c, np.array(-0.0), x))
    # strided, reversed and transposed condition and branches
    big_c, big_x = values("bool", (140, 240)), specials("f64", (140, 240))
    yt = specials("f32", (80, 70)).T
    op = make_op("where", "bool[?,?], f64[?,?], f32[?,?]")
    for c, x, y in ((big_c[::2, ::3], big_x[::-2, ::-3], yt), (big_c[::-2, 1::3].T.T,
                    big_x[1::2, ::3], yt[::-1]), (big_c[:70, :80].T.T, big_x[:70, :80], yt)):
        assert_values(native(op, c, x, y), reference(op, c, x, y))
    op = make_op("where", "f64[?], f64[?], f64[?]")          # a float condition, NaN is True
    c, x = specials("f64", (15000,)), specials("f64", (15000,))
    assert_same(native(op, c[::-3], x[::3], x[1::3]), reference(op, c[::-3], x[::3], x[1::3]))


# --- clip -------------------------------------------------------------------------------------

CLIP_SCALAR_BOUNDS = [   # x dtype, bound types, bounds, NumPy 2 (NEP 50) result dtype
    ("f32", "float, float", (-0.5, 0.5), "f32"),                   # Python floats are weak
    ("f32", "f64, none", (np.float64(-0.5), None), "f64"),         # np.float64 is not
    ("f32", "f32, f32", (np.float32(-0.5), np.float32(0.5)), "f32"),
    ("i32", "float, float", (-100.5, 1e9), "f64"),                 # int array, float bounds
    ("i64", "float, none", (-1e18, None), "f64"),
    ("i8", "f32, f32", (np.float32(-3.5), np.float32(60.0)), "f32"),
    ("u16", "f64, f64", (np.float64(10.0), np.float64(6e4)), "f64"),
]


@pytest.mark.parametrize("dt,types,bounds,result", CLIP_SCALAR_BOUNDS)
def test_clip_dtypes_with_scalar_bounds(dt, types, bounds, result):
    op = make_op("clip", f"{dt}[?], {types}")
    base = specials(dt, (15000,))
    for x in (base, base[::-3], base[::2], base[:0]):
        want = reference(op, x, *bounds)
        got = native(op, x, *bounds, expect_native=x.size > 0)
        assert_same(got, want)
        assert got.dtype == NP[result]


@pytest.mark.parametrize("dt", ["f64", "f32", "i32"])
@pytest.mark.parametrize("bdt", ["f64", "f32"])
def test_clip_array_bounds_broadcast(dt, bdt):
    x2 = specials(dt, (140, 160))
    lo_row, hi_col = specials(bdt, (160,)) - 1, specials(bdt, (140, 1)) + 1
    for x, lo, hi in ((x2[:70, :80], lo_row[:80], hi_col[:70]),
                      (x2[::2, ::2], lo_row[::-2], hi_col[::2]),
                      (x2[::-2, ::-2].T, lo_row[:140:2], hi_col[:80]),
                      (x2[:0, :80], lo_row[:80], hi_col[:0])):
        op = make_op("clip", f"{dt}[?,?], {bdt}[?], {bdt}[?,?]")
        with np.errstate(all="ignore"):
            want = reference(op, x, lo, hi)
            assert_values(native(op, x, lo, hi, expect_native=x.size > 0), want)
        op = make_op("clip", f"{dt}[?,?], none, {bdt}[?,?]")
        assert_values(native(op, x, None, hi, expect_native=x.size > 0),
                      reference(op, x, None, hi))


def test_clip_zero_dim_and_integer_operands():
    x = specials("f64", (70, 80))
    # 0-d (size-1) bounds follow NumPy's scalar-bound rules: the reference runs
    op = make_op("clip", "f64[?,?], f64[], f64[]")
    for lo, hi in ((np.array(-0.0), np.array(0.0)), (np.array(np.nan), np.array(1.0))):
        assert_same(native(op, x, lo, hi, expect_native=False), reference(op, x, lo, hi))
    op = make_op("clip", "f64[], float, float")      # a 0-d operand is a scalar op: no kernel
    assert natives.preparer_for(op) is None
    # integer clips keep NumPy's rules for out-of-range bounds: no native kernel
    for types in ("i32[?], int, int", "i64[?], i64[?], i64[?]", "i32[?], i32, none"):
        assert natives.preparer_for(make_op("clip", types)) is None


@pytest.mark.parametrize("dt", ["i32", "i64", "u8", "i8"])
def test_clip_integer_kernels_match_numpy(dt):
    """Integer clips run NumPy's loop (no native kernel): the compiled kernel keeps NumPy 2's
    result dtypes for Python-int bounds, in and out of the dtype's range."""
    @phylanx.kernel
    def clip_ints(x):
        return np.clip(x, 3, 200), np.clip(x[::-2], -5, None)

    x = specials(dt, (6000,))
    got = clip_ints(x)
    assert len(got) == 2
    for g, want in zip(got, (np.clip(x, 3, 200), np.clip(x[::-2], -5, None))):
        assert_same(g, want)


# --- fused_reduce: NaN, empty axes, 0-d -------------------------------------------------------

NAN_REDUCTIONS = ("sum", "mean", "min", "max", "any", "all")


def _nan_operands(dt, shape, nan_every):
    """x finite but for NaN at every `nan_every`-th place (a few at most), y > 0."""
    x = np.nan_to_num(values(dt, shape), posinf=3.0, neginf=-3.0)
    flat = x.reshape(-1)
    flat[nan_every // 2::nan_every] = np.nan
    y = np.abs(values(dt, shape[-1:], special=False)) + np.asarray(0.5, x.dtype)
    return x, y


@pytest.mark.parametrize("dt", ["f64", "f32"])
@pytest.mark.parametrize("red", NAN_REDUCTIONS)
def test_fused_reduce_with_nan(red, dt, each_isa):
    """NumPy propagates NaN through sum/mean/min/max; any/all count NaN as true (each ISA's
    vector min/max and compares)."""
    op = reduce_op(red, dt)
    for n, every in ((70_001, 69_000), (70_001, 1000), (5000, 7), (5000, 1)):
        x, y = _nan_operands(dt, (n,), every)
        want = reference(op, x, y)
        assert_same(native(op, x, y), want)
        if red not in ("any", "all"):
            assert np.isnan(want)
        assert_same(native(op, x[::-3], y[::3]), reference(op, x[::-3], y[::3]))
    for n, where in ((70_001, -1), (5003, -1), (5003, 0), (4099, -3)):   # vector tails, heads
        x, y = _nan_operands(dt, (n,), 10 * n)
        x[where] = np.nan
        assert_same(native(op, x, y), reference(op, x, y))
    # NaN among zeros: any is true; all of NaN is true, of NaN and one zero false
    x = np.zeros(9000, NP[dt])
    x[4321] = np.nan
    y = np.ones_like(x)
    assert_same(native(op, x, y), reference(op, x, y))
    x[:] = np.nan
    assert_same(native(op, x, y), reference(op, x, y))
    x[77] = 0
    assert_same(native(op, x, y), reference(op, x, y))
    for extra in (", axis = 0", ", axis = 1", ", axis = 1, keepdims = true"):
        op2 = reduce_op(red, dt, 2, extra)
        x2, y2 = _nan_operands(dt, (300, 70), 997)
        for a in (x2, x2[::-2, ::3]):
            b = y2[: a.shape[1]]
            assert_same(native(op2, a, b), reference(op2, a, b))


@pytest.mark.parametrize("red", NAN_REDUCTIONS)
def test_fused_reduce_nan_in_one_thread_partial(red, monkeypatch):
    """A NaN in one thread's share only must reach the merged result as in NumPy."""
    monkeypatch.setattr(ew, "_PARALLEL_WORK", 0)
    prev = get_num_threads()
    set_num_threads(2)
    try:
        op, op_rows = reduce_op(red, "f64"), reduce_op(red, "f64", 2, ", axis = 0")
        for where in (3, 40_000, 79_999):
            x, y = _nan_operands("f64", (80_000,), 10 ** 6)
            x[where] = np.nan
            assert_same(native(op, x, y), reference(op, x, y))
            x2, y2 = x.reshape(400, 200), y[:200]
            assert_same(native(op_rows, x2, y2), reference(op_rows, x2, y2))
    finally:
        set_num_threads(prev)


@phylanx.kernel
def _prod_of_product(x, y):
    return np.prod(x * y), np.prod(x * y, axis=0), np.prod(x * y, axis=1)


@pytest.mark.parametrize("dt", ["f64", "f32"])
def test_fused_reduce_float_prod_in_a_kernel(dt):
    """No native float product (the factory declines, NumPy's own order of multiplications
    runs): a kernel's fused x * y product equals NumPy's, near 1 (no overflow), with NaN/inf."""
    assert natives.preparer_for(reduce_op("prod", dt)) is None
    rng = np.random.default_rng(5)
    x = (1 + 1e-3 * rng.standard_normal((700, 90))).astype(NP[dt])
    y = (1 + 1e-3 * rng.standard_normal(90)).astype(NP[dt])
    for xv in (x, x[::-2, ::3], np.asfortranarray(x)):
        yv = y[: xv.shape[1]]
        want = (np.prod(xv * yv), np.prod(xv * yv, axis=0), np.prod(xv * yv, axis=1))
        got = _prod_of_product(xv, yv)
        for g, w in zip(got, want):
            assert_same(g, w)
        assert 1e-3 < want[0] < 1e3
    x[5, 7], x[9, 8] = np.nan, np.inf
    with np.errstate(invalid="ignore"):
        for g, w in zip(_prod_of_product(x, y), (np.prod(x * y), np.prod(x * y, axis=0),
                                                 np.prod(x * y, axis=1))):
            assert_same(g, w)


@pytest.mark.parametrize("red,dt", [(r, d) for r in ("sum", "mean", "min", "max", "prod", "any",
                                                     "all") for d in ("f64", "i32", "bool")
                                    if (r, d) != ("prod", "f64")])    # no native float prod
def test_fused_reduce_over_an_empty_axis(red, dt):
    """Empty operands decline to NumPy: identities, empty results or its ValueError verbatim."""
    ran = 0
    for shape, extra in (((0,), ""), ((0, 50), ", axis = 0"), ((0, 50), ", axis = 1"),
                         ((50, 0), ", axis = 0"), ((50, 0), ", axis = 1"), ((0, 50), ""),
                         ((0, 50), ", axis = 0, keepdims = true")):
        rank = len(shape)
        if red == "mean" and dt != "f64" and extra:
            continue                    # no native integer mean over some axes
        op = reduce_op(red, dt, rank, extra)
        prep = natives.preparer_for(op)
        if prep is None:
            continue
        x, y = values(dt, shape), values(dt, shape[-1:])
        try:
            want, want_warnings = _with_warnings(reference, op, x, y)
        except ValueError as err:
            with pytest.raises(ValueError, match=re.escape(str(err))):
                run(prep, x, y)
            assert "zero-size array" in str(err)
            ran += 1
            continue
        got, got_warnings = _with_warnings(run, prep, x, y)
        assert_same(got, want)
        assert got_warnings == want_warnings        # mean of nothing: NumPy's RuntimeWarnings
        ran += 1
    assert ran == (2 if red == "mean" and dt != "f64" else 7)


def _with_warnings(fn, *args):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*args)
    return out, [(w.category, str(w.message)) for w in caught]


ZERO_DIM_REDUCE = """func @z(%x: {t}[], %y: {t}[]) -> {r} {{
  %0 = fused_reduce %x, %y {{reduce = {red}}} : {r} body(%a: {t}, %b: {t}) {{
    %1 = {mul} %a, %b : {t}
    yield %1
  }}
  return %0
}}
"""


@pytest.mark.parametrize("red", ["sum", "mean", "min", "max", "any", "all"])
@pytest.mark.parametrize("dt", ["f64", "f32", "i64", "bool"])
def test_fused_reduce_of_zero_dim_operands(red, dt):
    r = {"any": "bool", "all": "bool", "mean": "f64" if dt in ("i64", "bool") else dt,
         "sum": "i64" if dt == "bool" else dt}.get(red, dt)
    text = ZERO_DIM_REDUCE.format(t=dt, r=r, red=red,
                                  mul="logical_and" if dt == "bool" else "multiply")
    op = next(o for o in phylanx.parse_physl(text).walk() if o.name == "fused_reduce")
    if natives.preparer_for(op) is None:
        pytest.skip(f"no native fused_reduce of {red} on {dt}")
    specials_0d = [1, 0] if dt in ("i64", "bool") else [2.5, -0.0, np.nan, -np.inf]
    for a in specials_0d:
        x, y = np.array(a, NP[dt]), np.array(3 if dt != "bool" else True, NP[dt])
        assert_same(native(op, x, y), reference(op, x, y))
