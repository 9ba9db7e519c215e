"""The native elementwise engine (phylanx.runtime._elementwise) against NumPy.

Factories and preparers are called directly (ops built from the registry, or parsed PhySL for
`fused`): results must equal the op's NumPy reference in type, dtype, shape, memory order and
value (NaN positions and signs of zeros included); functions NumPy computes with its own
SIMD/SVML code are compared within a few ulp. Operands the program does not take must come
back as the reference's result or exception.
"""

import numpy as np
import pytest

import phylanx
from phylanx.ir.core import Op, Value
from phylanx.ir.registry import TypeRuleError, lookup
from phylanx.ir.types import parse_types
from phylanx.runtime import _elementwise as ew
from phylanx.runtime import natives, set_num_threads
from phylanx.runtime._threads import get_num_threads
from phylanx.runtime.native import Job

RNG = np.random.default_rng(1234)


@pytest.fixture(autouse=True)
def _native_at_every_size(monkeypatch):
    """Small single ops normally go to NumPy's ufunc (cheaper); test the native path."""
    monkeypatch.setattr(ew, "SMALL_SINGLE", 0)
FLOATS = ("f64", "f32")
INTS = ("i64", "i32", "i16", "i8", "u64", "u32", "u16", "u8")
DTYPES = FLOATS + INTS + ("bool",)
NP = {d: np.dtype(t) for d, t in [("f64", "f8"), ("f32", "f4"), ("i64", "i8"), ("i32", "i4"),
                                  ("i16", "i2"), ("i8", "i1"), ("u64", "u8"), ("u32", "u4"),
                                  ("u16", "u2"), ("u8", "u1"), ("bool", "?")]}
# NumPy computes these with its own SIMD code (SVML, Highway): a few ulp from glibc
APPROX = {"exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "arcsin",
          "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "cbrt",
          "power", "np.power", "arctan2", "hypot"}


def make_op(name, types, **attrs):
    decl = lookup(name)
    ts = parse_types(types) if isinstance(types, str) else list(types)
    return Op(decl, [Value(t) for t in ts], decl.result_types(ts, attrs), attrs)


def run(prep, *args):
    r = prep(*args)
    return r.run_now() if isinstance(r, Job) else r


def reference(op, *args):
    if op.name in ("fused", "fused_reduce"):
        out = op.decl.evaluate(op, list(args))
        return out[0] if len(out) == 1 else out
    return op.decl.impl(*args, **op.attrs)


def native(op, *args, expect_native=True):
    prep = natives.preparer_for(op)
    assert prep is not None, f"no native kernel for {op.name}"
    before = ew.STATS["native"]
    got = run(prep, *args)
    if expect_native:
        assert ew.STATS["native"] == before + 1, ew.STATS["last_decline"]
    return got


def ulps(a, b):
    a, b = np.asarray(a), np.asarray(b)
    it = np.int64 if a.dtype == np.float64 else np.int32
    sign = it(np.iinfo(it).min)

    def ordered(v):
        bits = v.view(it).astype(np.int64)
        return np.where(bits < 0, np.int64(sign) - bits, bits)
    d = np.abs(ordered(a) - ordered(b)).astype(np.float64)
    d[np.isnan(a) & np.isnan(b)] = 0
    d[np.isnan(a) ^ np.isnan(b)] = np.inf
    return d


def assert_same(got, want, approx=0, close=False):
    """Same type, dtype, shape and order; values equal (within `approx` ulp, or with `close`
    within a few ulp of the largest magnitude: sums of terms that cancel)."""
    if isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want)
        for g, w in zip(got, want):
            assert_same(g, w, approx, close)
        return
    assert type(got) is type(want), (type(got), type(want))
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype and got.shape == want.shape
    if want.ndim >= 2 and want.size > 1:
        assert got.flags.f_contiguous == want.flags.f_contiguous
    if want.dtype.kind == "f":
        if close:
            eps = np.finfo(want.dtype).eps
            scale = max(1.0, float(np.nanmax(np.abs(want), initial=0)))
            np.testing.assert_allclose(got, want, rtol=4 * eps, atol=4 * eps * scale)
        elif approx:
            assert ulps(got, want).max(initial=0) <= approx
        else:
            same = (got == want) & (np.signbit(got) == np.signbit(want))
            assert (same | np.isnan(got) & np.isnan(want)).all(), (got, want)
    else:
        np.testing.assert_array_equal(got, want)


def values(dtype, shape, special=True):
    """Random values of a PhySL dtype, with the edge cases of its kind mixed in."""
    dt = NP[dtype]
    n = int(np.prod(shape))
    if dt.kind == "f":
        v = RNG.standard_normal(n) * 10.0 ** RNG.integers(-3, 4, n)
        if special and n >= 8:
            v[:8] = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5][:8]
            RNG.shuffle(v)
        return v.astype(dt).reshape(shape)
    if dt.kind == "b":
        return (RNG.random(n) < 0.5).reshape(shape)
    info = np.iinfo(dt)
    v = RNG.integers(info.min, info.max, n, dtype=dt, endpoint=True)
    if n >= 4:
        v[:4] = [0, 1, info.max, info.min]
    return v.reshape(shape)


def scalar_of(dtype, kind):
    """A scalar operand: a NumPy scalar of the dtype, or a Python scalar of its kind."""
    v = values(dtype, (1,), special=False)[0]
    if kind == "np":
        return v, dtype
    py = {"f": float, "i": int, "u": int, "b": bool}[NP[dtype].kind]
    return py(v), {"f": "float", "i": "int", "u": "int", "b": "bool"}[NP[dtype].kind]


SHAPES = [((257,), (257,)), ((9, 130), (130,)), ((9, 130), (9, 1)), ((3, 1, 5), (4, 1)),
          ((257,), "np"), ((257,), "py")]
PAIRS = [(d, d) for d in DTYPES] + [
    ("f32", "f64"), ("i8", "f32"), ("i16", "f32"), ("i32", "f32"), ("u8", "i8"), ("u64", "i64"),
    ("bool", "f64"), ("i64", "f64"), ("u64", "f64"), ("i8", "u16")]
BINARY = ["add", "subtract", "multiply", "true_divide", "floor_divide", "remainder", "power",
          "maximum", "minimum", "fmax", "fmin", "copysign", "heaviside", "arctan2", "hypot",
          "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and",
          "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor", "np.add",
          "np.multiply", "np.power", "np.less"]


def _binary_cases(name):
    for d1, d2 in PAIRS:
        for s1, s2 in SHAPES:
            for swap in (False, True):
                x = values(d1, s1)
                if isinstance(s2, str):
                    y, t2 = scalar_of(d2, s2)
                else:
                    y, t2 = values(d2, s2), f"{d2}[{','.join('?' * len(s2))}]"
                t1 = f"{d1}[{','.join('?' * len(s1))}]"
                args, types = ([y, x], f"{t2}, {t1}") if swap else ([x, y], f"{t1}, {t2}")
                try:
                    op = make_op(name, types)
                except TypeRuleError:
                    continue
                yield op, args


@pytest.mark.parametrize("name", BINARY)
def test_binary_ops(name):
    done = 0
    for op, args in _binary_cases(name):
        with np.errstate(all="ignore"):
            try:
                want = reference(op, *args)
            except (OverflowError, ValueError, TypeError) as e:
                prep = natives.preparer_for(op)
                if prep is not None:
                    with pytest.raises(type(e)):
                        run(prep, *args)
                continue
            prep = natives.preparer_for(op)
            floats = all(str(v.type)[:3] in ("f64", "f32", "flo") for v in op.operands)
            assert prep is not None or not floats, f"{name} declined float operands"
            if prep is None:
                continue
            got = run(prep, *args)
        assert_same(got, want, approx=4 if name in APPROX else 0)
        done += 1
    assert done > 0


UNARY = ["negative", "positive", "absolute", "fabs", "square", "sqrt", "reciprocal", "sign",
         "floor", "ceil", "trunc", "rint", "isnan", "isinf", "isfinite", "logical_not", "invert",
         "deg2rad", "rad2deg", "conj", "round", "builtin.abs", "np.negative", "exp", "exp2",
         "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "arcsin", "arccos",
         "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "cbrt"]


@pytest.mark.parametrize("name", UNARY)
def test_unary_ops(name):
    done = 0
    for d in DTYPES:
        for shape in ((1000,), (7, 33), ()):
            x = values(d, shape)
            try:
                op = make_op(name, f"{d}[{','.join('?' * len(shape))}]")
            except TypeRuleError:
                continue
            prep = natives.preparer_for(op)
            if prep is None:
                continue
            with np.errstate(all="ignore"):
                want, got = reference(op, x), run(prep, x)
            assert_same(got, want, approx=4 if name in APPROX else 0)
            done += 1
    assert done > 0


def test_where_and_clip():
    x, y = values("f64", (40, 50)), values("f32", (50,))
    for cond in (values("bool", (40, 50)), values("f64", (40, 1)), values("i8", (50,))):
        tc = {np.bool_: "bool", np.float64: "f64", np.int8: "i8"}[cond.dtype.type]
        op = make_op("where", f"{tc}[{','.join('?' * cond.ndim)}], f64[?,?], f32[?]")
        assert_same(native(op, cond, x, y), reference(op, cond, x, y))
    op = make_op("where", "bool[?], float, i16[?]")
    c, z = values("bool", (300,)), values("i16", (300,))
    assert_same(native(op, c, 2.5, z), reference(op, c, 2.5, z))
    a = np.array([-0.0, 0.0, np.nan, -5.0, 5.0, 0.5, -np.inf, np.inf] * 40)
    for lo, hi, types in [(0.0, 1.0, "float, float"), (-0.0, 0.0, "float, float"),
                          (np.nan, 1.0, "float, float"), (0.0, np.nan, "float, float"),
                          (None, 1.0, "none, float"), (-1.0, None, "float, none"),
                          (np.float32(0.5), None, "f32, none")]:
        op = make_op("clip", "f64[?], " + types)
        assert_same(native(op, a, lo, hi), reference(op, a, lo, hi))
    # ties between signed zeros: NumPy keeps x for scalar(-like) bounds, else gives the bound
    zeros = np.array([-0.0, 0.0, np.nan, -1.0, 1.0])
    x, lo, hi = (v.ravel() for v in np.meshgrid(zeros, zeros, zeros, indexing="ij"))
    for types, args in [("f64[?], f64[?], f64[?]", (x, lo, hi)), ("f64[?], float, f64[?]",
                        (x, -0.0, hi)), ("f64[?], f64[?], none", (x, lo, None)),
                        ("f64[?], f64[?], f64", (x, lo, np.float64(0.0)))]:
        op = make_op("clip", types)
        assert_same(native(op, *args), reference(op, *args))
    op = make_op("clip", "f64[?], f64[?], float")
    assert_same(native(op, x, np.array([0.0]), -0.0, expect_native=False),
                reference(op, x, np.array([0.0]), -0.0))


# --- fused ------------------------------------------------------------------------------------

def fused_op(text):
    return next(o for o in phylanx.parse_physl(text).walk() if o.name == "fused")


GAUSS_SIN = """func @f(%x: f64[?], %a: float, %b: float) -> f64[?] {
  %0 = fused %x, %a, %b : f64[?] body(%x_1: f64, %a_1: float, %b_1: float) {
    %1 = negative %x_1 : f64
    %2 = multiply %1, %x_1 : f64
    %3 = const {value = 2} : int
    %4 = true_divide %2, %3 : f64
    %5 = exp %4 : f64
    %6 = multiply %5, %a_1 : f64
    %7 = sin %x_1 : f64
    %8 = multiply %b_1, %7 : f64
    %9 = add %6, %8 : f64
    yield %9
  }
  return %0
}
"""

MIXED = """func @h(%x: f32[?,?], %y: i16[?]) -> tuple<f32[?,?], bool[?,?]> {
  %0, %1 = fused %x, %y : f32[?,?], bool[?,?] body(%x_1: f32, %y_1: i16) {
    %2 = const {value = 0} : int
    %3 = greater %x_1, %2 : bool
    %4 = const {value = 2.0} : f32
    %5 = multiply %y_1, %4 : f32
    %t = where %3, %x_1, %5 : f32[]
    %6 = const {value = 1} : int
    %7 = add %t, %6 : f32
    %8 = const {value = 3} : int
    %9 = less %t, %8 : bool
    yield %7, %9
  }
  %10 = tuple %0, %1 : tuple<f32[?,?], bool[?,?]>
  return %10
}
"""

WRAP = """func @w(%x: i8[?], %y: i8[?], %k: int) -> tuple<i8[?], bool[?], f64[?], i8[?]> {
  %0, %1, %2, %3 = fused %x, %y, %k : i8[?], bool[?], f64[?], i8[?] body(%x_1: i8, %y_1: i8, %k_1: int) {
    %4 = add %x_1, %y_1 : i8
    %5 = multiply %4, %k_1 : i8
    %6 = const {value = 0} : int
    %7 = greater %5, %6 : bool
    %8 = const {value = 0.5} : float
    %9 = multiply %5, %8 : f64
    yield %5, %7, %9, %x_1
  }
  %t = tuple %0, %1, %2, %3 : tuple<i8[?], bool[?], f64[?], i8[?]>
  return %t
}
"""

PRELUDE = """func @p(%x: f32[?], %a: float, %b: float) -> tuple<f32[?], f32[?]> {
  %0, %1 = fused %x, %a, %b : f32[?], f32[?] body(%x_1: f32, %a_1: float, %b_1: float) {
    %2 = true_divide %a_1, %b_1 : float
    %3 = multiply %2, %x_1 : f32
    %4 = power %3, %2 : f32
    %5 = const {value = 2} : int
    %6 = power %3, %5 : f32
    yield %3, %6
  }
  %t = tuple %0, %1 : tuple<f32[?], f32[?]>
  return %t
}
"""


@pytest.mark.filterwarnings("ignore::RuntimeWarning")   # the reference's sin(inf)
def test_fused_gauss_sin():
    op = fused_op(GAUSS_SIN)
    for x in (values("f64", (100_001,)), values("f64", (5,)), values("f64", (0,))):
        assert_same(native(op, x, 1.5, 0.5, expect_native=x.size > 0),
                    reference(op, x, 1.5, 0.5), close=True)
    x = np.linspace(-8, 8, 20001)
    want = np.exp(-x * x / 2) * 1.5 + 0.5 * np.sin(x)
    assert np.abs(native(op, x, 1.5, 0.5) - want).max() < 1e-15


def test_fused_mixed_dtypes_multi_output():
    op = fused_op(MIXED)
    x, y = values("f32", (37, 300)), values("i16", (300,))
    assert_same(native(op, x, y), reference(op, x, y))


def test_fused_integer_wraparound_and_yielded_input():
    op = fused_op(WRAP)
    x, y = values("i8", (5000,)), values("i8", (5000,))
    for k in (3, -7, 127):
        assert_same(native(op, x, y, k), reference(op, x, y, k))
    with pytest.raises(OverflowError):       # NumPy 2: Python int out of range of int8
        run(natives.preparer_for(op), x, y, 1000)


def test_fused_scalar_prelude_and_power_fast_paths():
    op = fused_op(PRELUDE)
    x = np.abs(values("f32", (2000,)))
    for a, b in ((3.0, 1.5), (1.0, 2.0), (1.0, 1.0), (2.0, -2.0)):
        with np.errstate(all="ignore"):
            assert_same(native(op, x, a, b), reference(op, x, a, b), approx=2)
    with pytest.raises(ZeroDivisionError):   # the Python scalar op raises as unfused
        run(natives.preparer_for(op), x, 1.0, 0.0)


def test_layouts_and_broadcasting():
    op = make_op("add", "f64[?,?], f64[?,?]")
    base = values("f64", (60, 80))
    cases = [(base, base.T.copy().T), (base.T, base.T), (base[::2, ::3], base[1::2, :27]),
             (base[::-1], base[:, ::-1]), (base[:, :1], base[:1, :]), (base[:1, :1], base),
             (np.asfortranarray(base), np.asfortranarray(base))]
    for a, b in cases:
        assert_same(native(op, a, b), reference(op, a, b))
    op = make_op("multiply", "f32[?,?,?], f32[?]")
    a, b = values("f32", (4, 50, 70)), values("f32", (70,))
    assert_same(native(op, a, b), reference(op, a, b))
    assert_same(native(op, a[:, ::2, ::5], b[::5]), reference(op, a[:, ::2, ::5], b[::5]))
    op = make_op("subtract", "f64[], f64[?]")
    a0, b = np.array(2.5), values("f64", (1000,))
    assert_same(native(op, a0, b), reference(op, a0, b))
    op = make_op("maximum", "f64[?,?], f64[?,?]")
    for a, b in ((np.ones((0, 5)), np.ones((1, 5))), (np.ones((3, 0)), np.ones((3, 1)))):
        assert_same(native(op, a, b, expect_native=False), reference(op, a, b))
    with pytest.raises(ValueError, match="broadcast"):
        run(natives.preparer_for(op), np.ones((3, 4)), np.ones((3, 5)))


def test_division_by_powers_of_two_is_exact():
    x = np.concatenate([values("f64", (1000,)), [5e-324, 1e-310, 1.7976931348623157e308]])
    for c in (2, 0.5, -4.0, 2.0 ** -1022, 2.0 ** 1023, 2.0 ** -1074, 3.0, 1e-310):
        for dt, t in (("f64", "float"), ("f32", "float"), ("f64", "f64")):
            op = make_op("true_divide", f"{dt}[?], {t}")
            with np.errstate(all="ignore"):
                xs = x.astype(NP[dt])
                cv = float(c) if t == "float" else np.float64(c)
                assert_same(native(op, xs, cv), reference(op, xs, cv))


def test_zero_dim_fused_result():
    text = """func @z(%x: f64[], %y: f64[]) -> f64[] {
  %0 = fused %x, %y : f64[] body(%x_1: f64, %y_1: f64) {
    %1 = add %x_1, %y_1 : f64
    %2 = sqrt %1 : f64
    yield %2
  }
  return %0
}
"""
    op = fused_op(text)
    x, y = np.array(2.0), np.array(7.0)
    assert_same(native(op, x, y), reference(op, x, y))


def test_operands_the_program_does_not_take_go_to_numpy():
    op = make_op("add", "f64[?], f64[?]")
    prep = natives.preparer_for(op)
    unaligned = np.frombuffer(b"x" + np.arange(5.0).tobytes(), np.float64, offset=1)
    for a, b in ((np.ones(5, np.float32), np.ones(5)), (np.ones(5), np.ones(5).astype(">f8")),
                 (np.ones(5), np.ma.ones(5)), (unaligned, np.ones(5))):
        before = ew.STATS["declined"]
        assert_same(run(prep, a, b), np.add(a, b))
        assert ew.STATS["declined"] == before + 1


def test_factories_decline_what_they_cannot_do():
    for name, types in (("add", "c128[?], c128[?]"), ("floor_divide", "i64[?], i64[?]"),
                        ("left_shift", "i64[?], i64[?]"), ("add", "f64, f64"),
                        ("remainder", "i32[?], i32[?]"), ("less", "i64[?], u64[?]")):
        assert natives.preparer_for(make_op(name, types)) is None, (name, types)


@pytest.fixture(params=ew.available_isas())
def each_isa(request):
    prev = ew.set_isa(request.param)
    yield request.param
    ew.set_isa(prev)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("threads", [1, 2])
def test_parallel_and_every_isa(each_isa, threads):
    prev = get_num_threads()
    set_num_threads(threads)
    try:
        op = fused_op(GAUSS_SIN)
        x = values("f64", (300_007,))
        assert_same(native(op, x, 1.5, 0.5), reference(op, x, 1.5, 0.5), close=True)
        op = fused_op(MIXED)
        x, y = values("f32", (301, 1000)), values("i16", (1000,))
        assert_same(native(op, x, y), reference(op, x, y))
        op = make_op("floor", "f32[?,?]")
        x = values("f32", (200, 1001)) * np.float32(1e3)
        assert_same(native(op, x.T), reference(op, x.T))
    finally:
        set_num_threads(prev)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("threads", [1, 2])
def test_streaming_stores_and_prefault(each_isa, monkeypatch, threads):
    monkeypatch.setattr(ew, "STREAM_BYTES", 0)        # every output streamed and pre-faulted
    monkeypatch.setattr(ew, "PREFAULT_BYTES", 0)
    prev = get_num_threads()
    set_num_threads(threads)
    monkeypatch.setattr(ew, "_PARALLEL_WORK", 0)
    try:
        _streaming_cases()
    finally:
        set_num_threads(prev)


def _streaming_cases():
    op = fused_op(WRAP)
    x, y = values("i8", (50_001,)), values("i8", (50_001,))
    assert_same(native(op, x, y, 5), reference(op, x, y, 5))
    op = make_op("multiply", "f32[?], f32[?]")
    for off in range(4):                           # outputs at every 4-byte alignment
        a = values("f32", (10_000 + off,))[off:]
        assert_same(native(op, a, a), reference(op, a, a))
    op = fused_op(GAUSS_SIN)
    x = values("f64", (100_003,))
    assert_same(native(op, x, 1.5, 0.5), reference(op, x, 1.5, 0.5), close=True)


# --- fused_reduce -----------------------------------------------------------------------------

def reduce_op(reduce, dtype, rank=1, extra=""):
    """fused_reduce of (x * y) over arrays x (rank `rank`) and y (1-d, broadcast)."""
    shape = ",".join("?" * rank)
    out = {"sum": dtype, "mean": "f64" if dtype not in FLOATS else dtype, "any": "bool",
           "all": "bool"}.get(reduce, dtype)
    if reduce in ("sum", "prod") and dtype in INTS + ("bool",):
        out = "u64" if dtype[0] == "u" else "i64"
    mul = "logical_and" if dtype == "bool" else "multiply"
    rtype = out if "keepdims = true" not in extra else f"{out}[{','.join('1' * rank)}]"
    text = f"""func @r(%x: {dtype}[{shape}], %y: {dtype}[?]) -> {rtype} {{
  %0 = fused_reduce %x, %y {{reduce = {reduce}{extra}}} : {rtype} body(%a: {dtype}, %b: {dtype}) {{
    %1 = {mul} %a, %b : {dtype}
    yield %1
  }}
  return %0
}}
"""
    return next(o for o in phylanx.parse_physl(text).walk() if o.name == "fused_reduce")


def reduce_cases():
    for red in ("sum", "mean", "min", "max", "prod", "any", "all"):
        for dt in ("f64", "f32", "i64", "i32", "i8", "u16", "bool"):
            if red == "prod" and dt in FLOATS:
                continue
            yield red, dt


@pytest.mark.parametrize("red,dt", list(reduce_cases()))
def test_fused_reduce(red, dt):
    op = reduce_op(red, dt)
    for n in (1, 7, 129, 1025, 16385, 70_001):
        x, y = values(dt, (n,)), values(dt, (n,))
        if dt in FLOATS:
            x, y = np.nan_to_num(x, posinf=3.0, neginf=-3.0), np.abs(y) + 0.5
        if red == "prod" and dt not in FLOATS + ("bool",):
            x, y = x % 3 + (dt[0] != "u"), np.ones_like(y)      # small factors, no zeros
        with np.errstate(all="ignore"):
            want = reference(op, x, y)
            assert_same(native(op, x, y), want)
    x2, y2 = values(dt, (301, 170)), values(dt, (170,))
    if dt in FLOATS:
        x2 = np.nan_to_num(x2, posinf=3.0, neginf=-3.0)
    with np.errstate(all="ignore"):
        op2 = reduce_op(red, dt, rank=2)
        for a in (x2, np.asfortranarray(x2), x2[::2, ::3]):
            b = y2[: a.shape[1]]
            assert_same(native(op2, a, b), reference(op2, a, b))
        op3 = reduce_op(red, dt, rank=2, extra=", keepdims = true")
        assert_same(native(op3, x2, y2), reference(op3, x2, y2))


AXIS_CASES = [(2, "axis = 1"), (2, "axis = -1"), (2, "axis = 0"), (3, "axis = 2"),
              (3, "axis = (1, 2)"), (3, "axis = (0, 1)"), (3, "axis = 0"),
              (2, "axis = 1, keepdims = true"), (3, "axis = (0, 1), keepdims = true")]


@pytest.mark.parametrize("red,dt", [(r, d) for r, d in reduce_cases() if (r, d) != ("mean", "i8")
                                    and not (r == "mean" and d not in FLOATS)])
def test_fused_reduce_over_axes(red, dt):
    for rank, extra in AXIS_CASES:
        op = reduce_op(red, dt, rank, ", " + extra)
        for shape in ((37, 5, 3)[:rank], (300, 70, 9)[:rank], (3, 1, 20000)[:rank]):
            x, y = values(dt, shape), values(dt, shape[-1:])
            if dt in FLOATS:
                x = np.nan_to_num(x, posinf=3.0, neginf=-3.0)
            if red == "prod" and dt not in FLOATS + ("bool",):
                x, y = x % 3 + (dt[0] != "u"), np.ones_like(y)
            with np.errstate(all="ignore"):
                assert_same(native(op, x, y), reference(op, x, y))
    op = reduce_op(red, dt, 2, ", axis = 0")                     # F order: NumPy's own order
    x, y = np.asfortranarray(values(dt, (40, 30))), values(dt, (30,))
    with np.errstate(all="ignore"):
        assert_same(native(op, x, y, expect_native=False), reference(op, x, y))


def test_kmeans_distances():
    text = """func @d(%a: f64[?,1,?], %c: f64[1,?,?]) -> f64[?,?] {
  %0 = fused_reduce %a, %c {reduce = sum, axis = 2} : f64[?,?] body(%x: f64, %y: f64) {
    %1 = subtract %x, %y : f64
    %2 = const {value = 2} : int
    %3 = power %1, %2 : f64
    yield %3
  }
  return %0
}
"""
    op = next(o for o in phylanx.parse_physl(text).walk() if o.name == "fused_reduce")
    X, C = values("f64", (5000, 7)), values("f64", (12, 7))
    X, C = np.nan_to_num(X, posinf=1, neginf=1), np.nan_to_num(C, posinf=1, neginf=1)
    got = native(op, X[:, None, :], C[None, :, :])
    assert_same(got, reference(op, X[:, None, :], C[None, :, :]))
    assert_same(got, np.sum((X[:, None, :] - C[None, :, :]) ** 2, axis=2))


def test_fused_reduce_special_values_and_empty():
    op = reduce_op("max", "f64")
    x = np.array([1.0, np.nan, 2.0] * 1000)
    assert np.isnan(native(op, x, np.ones_like(x)))
    for zeros in ([-0.0, 0.0] * 40, [0.0, -0.0] * 40):          # NumPy's own choice of zero
        z = np.array(zeros)
        assert_same(native(op, z, np.ones_like(z)), reference(op, z, np.ones_like(z)))
    with pytest.raises(ValueError, match="zero-size"):
        run(natives.preparer_for(op), np.ones(0), np.ones(0))
    op = reduce_op("mean", "f32")
    with pytest.warns(RuntimeWarning):
        assert np.isnan(run(natives.preparer_for(op), np.ones(0, np.float32),
                            np.ones(0, np.float32)))


def test_fused_reduce_same_bits_for_any_thread_count():
    op = reduce_op("sum", "f64")
    x, y = values("f64", (3_000_001,)), values("f64", (3_000_001,))
    x, y = np.nan_to_num(x, posinf=1.0, neginf=1.0), np.nan_to_num(y, posinf=1.0, neginf=1.0)
    prev = get_num_threads()
    try:
        results = []
        for threads in (1, 2):
            set_num_threads(threads)
            results.append(native(op, x, y))
    finally:
        set_num_threads(prev)
    assert results[0] == results[1] == reference(op, x, y)


def test_small_work_runs_inline_big_work_returns_a_job(monkeypatch):
    prep = natives.preparer_for(make_op("add", "f64[?], f64[?]"))
    assert isinstance(prep(np.ones(10), np.ones(10)), np.ndarray)
    monkeypatch.setattr(ew, "SMALL_SINGLE", 4096)
    before = ew.STATS["small"]
    assert_same(prep(np.ones(10), np.ones(10)), np.full(10, 2.0))
    assert ew.STATS["small"] == before + 1
    job = prep(np.ones(100_000), np.ones(100_000))
    assert isinstance(job, Job) and job.cost >= 100_000
    assert_same(job.run_now(), np.full(100_000, 2.0))
