"""Native reductions (phylanx.runtime._reduce) agree with NumPy, bit for bit.

Preparers are called directly on ops built from PhySL text. Float results must be identical to
NumPy's (the kernels follow NumPy's pairwise / buffered / in-order summation), on 1 and 2
threads, over dtypes, axes, keepdims and memory layouts.
"""

import warnings
from functools import partial

import numpy as np
import pytest
from native_inputs import outcome

import phylanx
from phylanx.ir.registry import lookup
from phylanx.ir.types import DTYPES, ArrayType
from phylanx.runtime import set_num_threads
from phylanx.runtime.native import Job
from phylanx.runtime.natives import preparer_for

NP = {"sum": np.sum, "prod": np.prod, "mean": np.mean, "min": np.min, "max": np.max,
      "argmin": np.argmin, "argmax": np.argmax, "any": np.any, "all": np.all, "var": np.var,
      "std": np.std}
DTS = ("f64", "f32", "i64", "i32", "bool")
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")


def fmt(v):
    if v is None:
        return "none"
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, tuple):
        return "(" + ", ".join(map(str, v)) + ("," if len(v) == 1 else "") + ")"
    return str(v)


def red_op(name, dt, rank, **attrs):
    decl = lookup(name)
    full = {a.name: a.default for a in decl.attrs}
    full.update(attrs)
    (res,) = decl.result_types([ArrayType(dt, (None,) * rank)], full)
    a = ", ".join(f"{k} = {fmt(v)}" for k, v in attrs.items())
    text = f"""
func @f(%a: {dt}[{",".join("?" * rank)}]) -> none {{
  %c = {name} %a {{{a}}} : {res}
  return %c
}}""".replace(" {}", "")
    return next(op for op in phylanx.parse_physl(text).walk() if op.name == name)


def run(prep, x):
    r = prep(x)
    return r.run_now() if isinstance(r, Job) else r


def data(dt, shape, seed=0, big=False):
    r = np.random.default_rng(seed)
    x = r.standard_normal(shape) * 100
    if dt == "bool":
        return x > 30
    if dt in ("i64", "i32"):
        return (x * (1e15 if big and dt == "i64" else 1)).astype(DTYPES[dt])
    return x.astype(DTYPES[dt])


def views(x):
    out = [x]
    if x.ndim >= 2:
        out += [np.asfortranarray(x), x[::2], x[:, ::3], x.T, x[::-1]]
    else:
        out += [x[::-3], x[5:]]
    return [v for v in out if v.size]


def check(name, x, got, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want = NP[name](x, **kw)
    assert type(got) is type(want), (name, kw, type(got), type(want))
    assert np.shape(got) == np.shape(want) and np.asarray(got).dtype == np.asarray(want).dtype
    np.testing.assert_array_equal(got, want, strict=True)


def same_outcome(got_fn, want_fn):
    """got_fn() raises what want_fn() raises, or returns the same value, type, dtype and shape
    with the same warnings."""
    got, want = outcome(got_fn), outcome(want_fn)
    assert got[0] == want[0], (got, want)
    if want[0] == "raised":
        assert got[1:] == want[1:]
        return
    assert type(got[1]) is type(want[1]), (type(got[1]), type(want[1]))
    np.testing.assert_array_equal(got[1], want[1], strict=True)
    assert got[2] == want[2]


def axes_of(nd, name):
    axes = [None] + list(range(nd)) + [-1]
    if nd > 1 and name not in ("argmin", "argmax"):
        axes += [(0, nd - 1)]
    if nd == 3 and name not in ("argmin", "argmax"):
        axes += [(0, 1), (1, 2)]
    return axes


@pytest.fixture(params=[1, 2], ids=["1thread", "2threads"])
def threads(request):
    set_num_threads(request.param)
    yield request.param
    set_num_threads(phylanx.runtime._threads._default_num_threads())


@pytest.mark.parametrize("name", list(NP))
@pytest.mark.parametrize("dt", DTS)
def test_matches_numpy(name, dt, threads):
    native = {True: 0, False: 0}
    for shape in ((1000,), (40003,), (37, 300), (3, 20000), (20000, 3), (4, 5, 6)):
        base = data(dt, shape, big=name in ("mean", "var", "std"))
        for axis in axes_of(len(shape), name):
            for keep in (False, True) if len(shape) != 2 else (False,):
                p = preparer_for(red_op(name, dt, len(shape), axis=axis, keepdims=keep))
                assert p is not None
                for x in views(base):
                    job = p(x)
                    native[isinstance(job, Job)] += 1
                    check(name, x, job.run_now() if isinstance(job, Job) else job, axis=axis,
                          keepdims=keep)
    # most of these layouts run natively (the rest: unmergeable strides, argmax of F order)
    assert native[True] > 3 * native[False], native


@pytest.mark.parametrize("name", ["min", "max", "argmin", "argmax", "sum", "mean", "var", "std"])
@pytest.mark.parametrize("dt", ["f64", "f32"])
def test_nan(name, dt, threads):
    x = data(dt, (50000,))
    for pos in ([7], [30000, 49999], [0], [49999]):
        y = x.copy()
        y[pos] = np.nan
        p = preparer_for(red_op(name, dt, 1))
        assert isinstance(p(y), Job)            # the native kernel, not NumPy, sees the NaN
        check(name, y, run(p, y))
        m = np.tile(y[:4000], (3, 1)).copy()
        m[1, 5] = np.nan
        for axis in (0, 1):
            for v in (m, np.asfortranarray(m), m[:, ::2]):
                check(name, v, run(preparer_for(red_op(name, dt, 2, axis=axis)), v), axis=axis)
    inf = np.full(100, -np.inf, DTYPES[dt])       # var/std: NumPy's "invalid value" warning
    same_outcome(partial(run, preparer_for(red_op(name, dt, 1)), inf), partial(NP[name], inf))


@pytest.mark.parametrize("dt", ["f64", "f32"])
def test_nan_any_all(dt, threads):
    """NaN is truthy: any() of zeros with one NaN is True, all() of ones with a NaN stays True,
    on every axis and layout."""
    for fill, name in ((0.0, "any"), (1.0, "all"), (0.0, "all"), (1.0, "any")):
        for pos in ((0, 0), (69, 79), (33, 5)):
            m = np.full((70, 80), fill, DTYPES[dt])
            m[pos] = np.nan
            for axis in (None, 0, 1):
                p = preparer_for(red_op(name, dt, 2, axis=axis))
                for v in (m, np.asfortranarray(m)):
                    job = p(v)
                    assert isinstance(job, Job)
                    check(name, v, job.run_now(), axis=axis)
                for v in (m[::-1], m[:, 1::2]):
                    check(name, v, run(p, v), axis=axis)
        flat = np.full(50000, fill, DTYPES[dt])
        flat[-1] = np.nan
        check(name, flat, run(preparer_for(red_op(name, dt, 1)), flat))


def test_empty_errors():
    p = preparer_for(red_op("min", "f64", 1))
    with pytest.raises(ValueError, match="^zero-size array to reduction operation minimum "
                                         "which has no identity$"):
        run(p, np.array([]))
    with pytest.raises(ValueError, match="argmax of an empty sequence"):
        run(preparer_for(red_op("argmax", "f64", 1)), np.array([]))
    check("sum", np.ones((0, 3)), run(preparer_for(red_op("sum", "f64", 2, axis=0)),
                                      np.ones((0, 3))), axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = run(preparer_for(red_op("mean", "f64", 2, axis=1)), np.ones((2, 0)))
    check("mean", np.ones((2, 0)), got, axis=1)
    check("max", np.ones((3, 0)), run(preparer_for(red_op("max", "f64", 2, axis=0)),
                                      np.ones((3, 0))), axis=0)


@pytest.mark.parametrize("name", list(NP))
@pytest.mark.parametrize("dt", ["f64", "f32", "i64", "bool"])
def test_empty(name, dt):
    """Empty operands: the preparer hands them to NumPy, so the result, or NumPy's error
    (min/max/argmin/argmax: ValueError with NumPy's message), or mean/var/std's NaN and
    RuntimeWarnings are exactly NumPy's, on every axis, with and without keepdims."""
    for shape in ((0,), (0, 50), (50, 0)):
        x = np.zeros(shape, DTYPES[dt])
        for axis in (None,) + tuple(range(len(shape))) + (-1,):
            for keep in (False, True):
                kw = {"axis": axis, "keepdims": keep}
                p = preparer_for(red_op(name, dt, len(shape), **kw))
                assert p is not None
                for v in (x, np.asfortranarray(x), x[::-1]):
                    same_outcome(partial(run, p, v), partial(NP[name], v, **kw))
    # sum/prod/any/all over an empty axis: the identity, NumPy's dtype and shape
    e = np.zeros((0, 50), DTYPES[dt])
    for name0, want in (("sum", 0), ("prod", 1), ("any", False), ("all", True)):
        got = run(preparer_for(red_op(name0, dt, 2, axis=0)), e)
        assert got.shape == (50,) and (got == want).all()


@pytest.mark.parametrize("name", ["min", "max", "argmin", "argmax"])
def test_empty_raises_numpys_error(name):
    p = preparer_for(red_op(name, "f64", 2, axis=1))
    with pytest.raises(ValueError) as got:
        run(p, np.ones((50, 0)))
    with pytest.raises(ValueError) as want:
        NP[name](np.ones((50, 0)), axis=1)
    assert str(got.value) == str(want.value)
    assert ("zero-size array" if name in ("min", "max") else "empty sequence") in str(got.value)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_empty_mean_is_nan_with_numpys_warning():
    p = preparer_for(red_op("mean", "f64", 2, axis=0))
    with pytest.warns(RuntimeWarning, match="Mean of empty slice"):
        got = run(p, np.ones((0, 50)))
    assert got.shape == (50,) and got.dtype == np.float64 and np.isnan(got).all()
    with pytest.warns(RuntimeWarning, match="Mean of empty slice"):
        got = run(preparer_for(red_op("mean", "f64", 2)), np.ones((50, 0)))
    assert type(got) is np.float64 and np.isnan(got)


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
def test_var_ddof():
    x = data("f64", (30, 40))
    for ddof in (0, 1, 5):
        for axis in (None, 0, 1):
            for name in ("var", "std"):
                p = preparer_for(red_op(name, "f64", 2, axis=axis, ddof=ddof))
                check(name, x, run(p, x), axis=axis, ddof=ddof)
    p = preparer_for(red_op("var", "f64", 2, axis=1, ddof=40))
    with pytest.warns(RuntimeWarning, match="Degrees of freedom"):
        got = run(p, x)
    assert np.isinf(got).all() or np.isnan(got).all()


@pytest.mark.parametrize("name", ["sum", "mean"])
@pytest.mark.parametrize("dt", ["f32", "i64", "i32", "bool"])
def test_dtype_f64(name, dt, threads):
    for shape in ((100003,), (3, 20000), (300, 301)):
        x = data(dt, shape, big=True)
        for axis in (None, 0, len(shape) - 1):
            p = preparer_for(red_op(name, dt, len(shape), axis=axis, dtype="f64"))
            assert p is not None
            for v in views(x):
                check(name, v, run(p, v), axis=axis, dtype=np.float64)


def test_integer_wraparound_and_bool():
    x = np.array([2 ** 62, 2 ** 62, 2 ** 62, 7], np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for name in ("sum", "prod"):
            check(name, x, run(preparer_for(red_op(name, "i64", 1)), x))
    b = np.zeros((5, 7), bool)
    b[2, 3] = True
    for name in ("any", "all", "sum", "mean", "min", "max", "argmax"):
        for axis in (None, 0, 1):
            check(name, b, run(preparer_for(red_op(name, "bool", 2, axis=axis)), b), axis=axis)


# Whole kernels for what the native factory declines (0-d operands, other integer dtypes): the
# runtime then runs the op as a NumPy fallback node, and the kernel's result must be NumPy's.
def k_sum(x):
    return np.sum(x)


def k_prod(x):
    return np.prod(x)


def k_mean(x):
    return np.mean(x)


def k_min(x):
    return np.min(x)


def k_max(x):
    return np.max(x)


def k_argmin(x):
    return np.argmin(x)


def k_argmax(x):
    return np.argmax(x)


def k_any(x):
    return np.any(x)


def k_all(x):
    return np.all(x)


def k_var(x):
    return np.var(x)


def k_std(x):
    return np.std(x)


def k_axes(x):
    return (np.sum(x, axis=0), np.prod(x, axis=1), np.min(x, axis=0), np.max(x, axis=1),
            np.mean(x, axis=0), np.sum(x, axis=1, keepdims=True))


WHOLE = {name: phylanx.kernel(globals()[f"k_{name}"]) for name in NP}
AXES = phylanx.kernel(k_axes)


@pytest.mark.parametrize("name", list(NP))
def test_0d_through_kernel(name):
    assert preparer_for(red_op(name, "f64", 0)) is None     # the factory declines 0-d
    k = WHOLE[name]
    for x in (np.array(3.25), np.array(-2.5, np.float32), np.array(np.nan),
              np.array(-7, np.int64), np.array(5, np.int32), np.array(0, np.int8),
              np.array(True), np.array(200, np.uint8)):
        got, want = k(x), NP[name](x)
        assert type(got) is type(want) and np.shape(got) == () and got.dtype == want.dtype, \
            (name, x.dtype, type(got), type(want))
        np.testing.assert_array_equal(got, want, strict=True)


@pytest.mark.parametrize("dt", ["i8", "i16", "u8", "u32"])
def test_other_int_dtypes_through_kernel(dt):
    """NumPy's promotion on the declined dtypes: sum/prod of int8 -> int64, of uint8/uint32 ->
    uint64, min/max keep the dtype, mean -> float64 (with wrap-around where NumPy wraps)."""
    assert preparer_for(red_op("sum", dt, 1)) is None
    info = np.iinfo(DTYPES[dt])
    r = np.random.default_rng(3)
    x = r.integers(info.min, info.max, (70, 80), endpoint=True).astype(DTYPES[dt])
    x[3, 4], x[60, 70] = info.min, info.max
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for v in (x, x[:, ::3], x.T, x[:, 1:3]):
            for name in ("sum", "prod", "min", "max", "mean", "argmin", "argmax"):
                got, want = WHOLE[name](v), NP[name](v)
                assert type(got) is type(want), (name, type(got), type(want))
                np.testing.assert_array_equal(got, want, strict=True)
            got = AXES(v)
            want = k_axes(v)
            for g, w in zip(got, want, strict=True):
                np.testing.assert_array_equal(g, w, strict=True)
    assert WHOLE["sum"](x).dtype == (np.uint64 if dt[0] == "u" else np.int64)


def test_declines():
    assert preparer_for(red_op("sum", "c128", 1)) is None
    assert preparer_for(red_op("sum", "u8", 1)) is None
    assert preparer_for(red_op("prod", "f64", 1, dtype="f32")) is None


def test_other_layouts_fall_back():
    # non-mergeable strides (a 3-d slice reduced over axes 0 and 2): NumPy's result
    x = data("f64", (6, 7, 8))[:, ::2, ::3]
    p = preparer_for(red_op("sum", "f64", 3, axis=(0, 2)))
    check("sum", x, run(p, x), axis=(0, 2))
    # argmax of an F-ordered array over all axes: C-order flat index
    y = np.asfortranarray(data("f64", (30, 40)))
    check("argmax", y, run(preparer_for(red_op("argmax", "f64", 2)), y))
    # broadcast (stride 0) input
    z = np.broadcast_to(np.arange(5.0), (4, 5))
    check("sum", z, run(preparer_for(red_op("sum", "f64", 2, axis=0)), z), axis=0)
