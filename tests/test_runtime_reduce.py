"""Native reductions (phylanx.runtime._reduce) agree with NumPy, bit for bit.

Preparers are called directly on ops built from PhySL text. Float results must be identical to
NumPy's (the kernels follow NumPy's pairwise / buffered / in-order summation), on 1 and 2
threads, over dtypes, axes, keepdims and memory layouts.
"""

import warnings

import numpy as np
import pytest

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


@pytest.mark.parametrize("name", ["min", "max", "argmin", "argmax", "sum", "mean", "var"])
def test_nan(name, threads):
    x = data("f64", (50000,))
    for pos in ([7], [30000, 49999], [0], [49999]):
        y = x.copy()
        y[pos] = np.nan
        check(name, y, run(preparer_for(red_op(name, "f64", 1)), y))
        m = np.tile(y[:4000], (3, 1)).copy()
        m[1, 5] = np.nan
        for axis in (0, 1):
            check(name, m, run(preparer_for(red_op(name, "f64", 2, axis=axis)), m), axis=axis)
    inf = np.full(100, -np.inf)
    check(name, inf, run(preparer_for(red_op(name, "f64", 1)), inf))


def test_empty_and_0d():
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
    assert preparer_for(red_op("sum", "f64", 0)) is None        # 0-d: NumPy
    x = np.float64(3.0) * np.ones(())
    check("sum", x, run(preparer_for(red_op("sum", "f64", 0)) or (lambda v: np.sum(v)), x))


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
