"""Native shape ops, copies, casts and scans (runtime/_shape.pyx, _scan.pyx) against NumPy.

Results must equal NumPy's bit for bit, with NumPy's dtype, shape, memory order and view/copy
behaviour, over dtypes, layouts (F order, negative and non-unit strides), empty and 0-d
inputs, NaN and out-of-range casts (NumPy's warnings), and NumPy's errors. Sizes are above the
kernels' SMALL threshold so that the native jobs run; tiny inputs check the NumPy path.
"""

import warnings

import numpy as np
import pytest
from native_inputs import DTS, data

import phylanx
from phylanx.runtime import _lowering

pytestmark = pytest.mark.usefixtures("copy_teams")   # tests/conftest.py




def layouts(x):
    yield x
    yield np.asfortranarray(x)
    yield x[::-1, ::2]
    yield x[:0]


def same(got, ref, layout=True):
    assert got.dtype == ref.dtype and got.shape == ref.shape
    np.testing.assert_array_equal(got, ref)
    if layout and got.size > 1:
        assert got.strides == ref.strides


def test_natives_registered():
    names = set(_lowering.fallback_ops())
    for op in ("reshape", "ravel", "flatten", "transpose", "swapaxes", "expand_dims", "squeeze",
               "broadcast_to", "concatenate", "stack", "hstack", "vstack", "diag", "copy",
               "astype", "convert", "cumsum", "cumprod", "flip", "atleast_1d", "atleast_2d",
               "column_stack"):
        assert op not in names


@phylanx.kernel
def reshapes(x):
    n = x.shape[0] * x.shape[1]
    return (x.reshape((n,)), np.ravel(x), x.flatten(), x.T, np.swapaxes(x, 0, 1),
            np.expand_dims(x, 1), np.squeeze(x[:, :1], axis=1), x.reshape((x.shape[1], -1)))


@pytest.mark.parametrize("dtype", DTS)
def test_reshape_family(dtype):
    for x in layouts(data(dtype, (300, 120))):
        got = reshapes(x)
        n = x.shape[0] * x.shape[1]
        ref = (x.reshape(n), np.ravel(x), x.flatten(), x.T, np.swapaxes(x, 0, 1),
               np.expand_dims(x, 1), np.squeeze(x[:, :1], axis=1),
               x.reshape((x.shape[1], -1)))
        for g, r in zip(got, ref):
            same(g, r)
            assert np.shares_memory(g, x) == np.shares_memory(r, x)


def test_reshape_error():
    with pytest.raises(ValueError, match="cannot reshape array of size 36000 into shape"):
        bad_reshape(np.zeros((300, 120)))


@phylanx.kernel
def bad_reshape(x):
    return x.reshape((7, -1))


@phylanx.kernel
def copies(x):
    return (np.copy(x), x.astype(np.float32), x.astype(np.int32), x.astype(np.bool_),
            x.astype(np.int64), x.astype(np.float64))


@pytest.mark.parametrize("dtype", DTS[:5])
def test_copy_astype(dtype):
    for x in layouts(data(dtype, (300, 120))):
        x = x.copy() if x.size == 0 else x
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = copies(x)
            ref = (np.copy(x), x.astype(np.float32), x.astype(np.int32), x.astype(np.bool_),
                   x.astype(np.int64), x.astype(np.float64))
        for g, r in zip(got, ref):
            same(g, r)
            assert not np.shares_memory(g, x)


def test_astype_nan_inf_warnings():
    x = data(np.float64, (300, 120))
    x[::7, ::3] = np.nan
    x[1::11] = np.inf
    x[2::13] = 1e300
    for kind in ("invalid", "overflow"):
        with warnings.catch_warnings(record=True) as wg:
            warnings.simplefilter("always")
            got = copies(x)
        with warnings.catch_warnings(record=True) as wr:
            warnings.simplefilter("always")
            ref = (np.copy(x), x.astype(np.float32), x.astype(np.int32), x.astype(np.bool_),
                   x.astype(np.int64), x.astype(np.float64))
        for g, r in zip(got, ref):
            same(g, r)
        assert sorted({str(w.message) for w in wg}) == sorted({str(w.message) for w in wr})
        assert any(kind in str(w.message) for w in wg)
    # np.errstate of the thread that finishes the job decides (pool threads: NumPy's default)
    from phylanx.runtime import _move
    out = np.empty(x.shape, np.int64)
    job = _move.new_job(out)
    _move.add_move(job, out, x)
    with np.errstate(invalid="raise"), pytest.raises(FloatingPointError, match="invalid value"):
        job.run_now()


@phylanx.kernel
def joins(a, b):
    return (np.concatenate([a, b]), np.concatenate([a, b], axis=1), np.stack([a, b]),
            np.stack([a, b], axis=2), np.hstack([a, b]), np.vstack([a, b]),
            np.concatenate([a, b], axis=None))


@pytest.mark.parametrize("da,db", [(np.float64, np.float64), (np.float32, np.int32),
                                   (np.int64, np.bool_), (np.bool_, np.bool_),
                                   (np.int32, np.complex128), (np.float32, np.int64)])
def test_joins(da, db):
    for a, b in zip(layouts(data(da, (200, 90), 1)), layouts(data(db, (200, 90), 2))):
        got = joins(a, b)
        ref = (np.concatenate([a, b]), np.concatenate([a, b], axis=1), np.stack([a, b]),
               np.stack([a, b], axis=2), np.hstack([a, b]), np.vstack([a, b]),
               np.concatenate([a, b], axis=None))
        for g, r in zip(got, ref):
            same(g, r, layout=False)


@phylanx.kernel
def join_1d(u, v):
    return np.hstack([u, v]), np.vstack([u, v]), np.stack([u, v], axis=1)


def test_join_1d_and_errors():
    u, v = np.arange(5000.0), np.arange(5000.0)[::-1]
    for g, r in zip(join_1d(u, v), (np.hstack([u, v]), np.vstack([u, v]),
                                    np.stack([u, v], axis=1))):
        same(g, r, layout=False)
    with pytest.raises(ValueError, match="input array dimensions except for the concatenation"):
        join_1d(u, v[:10])
    with pytest.raises(ValueError, match="all the input array dimensions"):
        joins(np.zeros((200, 90)), np.zeros((200, 91)))


@phylanx.kernel
def diags(v, x):
    return np.diag(v), np.diag(v, k=3), np.diag(v, k=-5), np.diag(x), np.diag(x, k=-2)


@pytest.mark.parametrize("dtype", DTS)
def test_diag(dtype):
    v = data(dtype, 400, 3)
    x = data(dtype, (300, 200), 4)
    for vv in (v, v[::-2]):
        got = diags(vv, x)
        ref = (np.diag(vv), np.diag(vv, k=3), np.diag(vv, k=-5), np.diag(x), np.diag(x, k=-2))
        for g, r in zip(got, ref):
            same(g, r)


@phylanx.kernel
def scans(x):
    return (np.cumsum(x), np.cumsum(x, axis=0), np.cumsum(x, axis=1), np.cumprod(x, axis=0),
            np.cumprod(x, axis=-1))


@pytest.mark.parametrize("dtype", DTS)
def test_cumsum_cumprod(dtype):
    x = data(dtype, (300, 200)) / (20 if dtype in (np.float64, np.float32) else 1)
    x = x.astype(dtype)
    if np.dtype(dtype).kind == "f":
        x[5, 7] = np.nan
        x[9, 1] = np.inf
    for xv in (x, np.asfortranarray(x), x[::-2, 1::3], x[:0]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = scans(xv)
            ref = (np.cumsum(xv), np.cumsum(xv, axis=0), np.cumsum(xv, axis=1),
                   np.cumprod(xv, axis=0), np.cumprod(xv, axis=-1))
        for g, r in zip(got, ref):
            same(g, r, layout=False)


def test_scan_integer_wrap_and_warnings():
    x = np.full((100, 100), 3, np.int64)
    got = scans(x)
    for g, r in zip(got, (np.cumsum(x), np.cumsum(x, 0), np.cumsum(x, 1), np.cumprod(x, 0),
                          np.cumprod(x, -1))):
        same(g, r, layout=False)
    y = np.full((100, 100), 10.0, np.float32)
    with pytest.warns(RuntimeWarning, match="overflow encountered in accumulate"):
        scans(y)


def prepared(kernel, args, opname, operands, nth=0):
    """What the native preparer of the nth `opname` op of kernel(*args) returns for operands."""
    from phylanx.runtime.natives import preparer_for
    module = phylanx.parse_physl(kernel.physl(*args, locations=False))
    op = [o for o in module.walk() if o.name == opname][nth]
    return preparer_for(op)(*operands)


def test_native_jobs_are_used():
    from phylanx.runtime.native import Job
    x = np.ones((300, 120))
    xs = np.ones((300, 130))[:, :120]
    assert isinstance(prepared(reshapes, (x,), "reshape", (xs, (36000,))), Job)
    assert not isinstance(prepared(reshapes, (x,), "reshape", (x, (36000,))), Job)   # view
    assert isinstance(prepared(reshapes, (x,), "flatten", (x,)), Job)
    assert isinstance(prepared(copies, (x,), "copy", (x,)), Job)
    assert isinstance(prepared(copies, (x,), "astype", (x,)), Job)
    assert isinstance(prepared(joins, (x, x), "concatenate", ([x, x],)), Job)
    assert isinstance(prepared(joins, (x, x), "stack", ([x, x],)), Job)
    v = np.ones(300)
    assert isinstance(prepared(diags, (v, x), "diag", (v,)), Job)
    assert isinstance(prepared(scans, (x,), "cumsum", (x,), 1), Job)


@phylanx.kernel
def small_things(x):
    return (np.copy(x), x.astype(np.int32), np.reshape(x, (1, 1)), np.ravel(x), np.cumsum(x),
            np.expand_dims(x, 0), x.flatten())


@pytest.mark.parametrize("x", [np.array(2.5), np.array(np.nan), np.array(7, np.int64)])
def test_zero_d(x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = small_things(x)
        ref = (np.copy(x), x.astype(np.int32), np.reshape(x, (1, 1)), np.ravel(x),
               np.cumsum(x), np.expand_dims(x, 0), x.flatten())
    for g, r in zip(got, ref):
        same(g, r)


@phylanx.kernel
def more_views(x, u):
    return np.flip(x), np.flip(x, axis=1), np.atleast_2d(u), np.atleast_1d(x), \
        np.column_stack([u, x[:, 0], x])


@pytest.mark.parametrize("dtype", DTS)
def test_flip_atleast_column_stack(dtype):
    for x in layouts(data(dtype, (300, 120))):
        u = data(dtype, x.shape[0], 5)
        got = more_views(x, u)
        ref = (np.flip(x), np.flip(x, axis=1), np.atleast_2d(u), np.atleast_1d(x),
               np.column_stack([u, x[:, 0], x]))
        for g, r in zip(got, ref):
            same(g, r, layout=False)
        assert np.shares_memory(got[0], x) or x.size == 0


@phylanx.kernel
def many(a, b, c, d, e):
    return (np.concatenate([a, b, c, d, e, e, d, c, b, a], axis=1),
            np.stack([a, b, c, d, e, a, b, c, d, e]))


def test_join_many_arrays():
    """Ten moves with disjoint destinations: a team may take one each (the `indep` path)."""
    arrs = [data(t, (200, 40), k) for k, t in
            enumerate((np.float64, np.float32, np.int32, np.bool_, np.int64))]
    arrs[2] = np.asarray(arrs[2])[::-1]
    got = many(*arrs)
    a, b, c, d, e = arrs
    ref = (np.concatenate([a, b, c, d, e, e, d, c, b, a], axis=1),
           np.stack([a, b, c, d, e, a, b, c, d, e]))
    for g, r in zip(got, ref):
        same(g, r, layout=False)


def run_both(kernel, *args):
    """kernel(*args) and its Python body run by NumPy (the reference), asserting that both
    raise the same set of (category, message) warnings."""
    with warnings.catch_warnings(record=True) as wg:
        warnings.simplefilter("always")
        got = kernel(*args)
    with warnings.catch_warnings(record=True) as wr:
        warnings.simplefilter("always")
        ref = kernel.py_func(*args)
    assert {(w.category, str(w.message)) for w in wg} == \
        {(w.category, str(w.message)) for w in wr}
    return got, ref


@phylanx.kernel
def zero_d_shapes(x, y):
    return (np.transpose(x), x.T, np.squeeze(x), np.hstack([x, y]), np.vstack([x, y]),
            np.cumprod(x), np.cumsum(x), np.concatenate([np.atleast_1d(x), np.atleast_1d(y)]),
            np.column_stack([x, y]), np.transpose(x, ()))


@pytest.mark.parametrize("x,y", [(np.array(2.5), np.array(-1.0)),
                                 (np.array(np.nan), np.array(3, np.int32)),
                                 (np.array(7, np.int64), np.array(True)),
                                 (np.array(True), np.array(False)),
                                 (np.array(1 + 2j), np.array(np.inf, np.float32))])
def test_zero_d_transpose_squeeze_stack_cumprod(x, y):
    """0-d inputs: views stay 0-d views, hstack/vstack promote through atleast_1d/2d (shape
    (2,) and (2, 1), NumPy's result dtype), cumprod/cumsum give shape (1,)."""
    got = zero_d_shapes(x, y)
    ref = (np.transpose(x), x.T, np.squeeze(x), np.hstack([x, y]), np.vstack([x, y]),
           np.cumprod(x), np.cumsum(x), np.concatenate([np.atleast_1d(x), np.atleast_1d(y)]),
           np.column_stack([x, y]), np.transpose(x, ()))
    for g, r in zip(got, ref):
        assert isinstance(g, np.ndarray)
        same(g, r)
    for g in got[:3] + got[-1:]:
        assert g.ndim == 0 and np.shares_memory(g, x)


@phylanx.kernel
def zero_d_cumprod_axis0(x):
    return np.cumprod(x, axis=0)


@phylanx.kernel
def zero_d_cumsum_axis_m1(x):
    return np.cumsum(x, axis=-1)


@phylanx.kernel
def zero_d_squeeze_axis0(x):
    return np.squeeze(x, axis=0)


@pytest.mark.parametrize("kernel,ref", [
    (zero_d_cumprod_axis0, lambda x: np.cumprod(x, axis=0)),
    (zero_d_cumsum_axis_m1, lambda x: np.cumsum(x, axis=-1)),
    (zero_d_squeeze_axis0, lambda x: np.squeeze(x, axis=0))])
def test_zero_d_axis_zero_like_numpy(kernel, ref):
    x = np.array(2.0)
    same(kernel(x), ref(x))


@phylanx.kernel
def zero_d_bad_axis(x):
    return np.cumprod(x, axis=1)


def test_zero_d_cumprod_axis_error():
    """Statically out of bounds: a compile error carrying NumPy's AxisError message."""
    with pytest.raises(np.exceptions.AxisError) as ref:
        np.cumprod(np.array(2.0), axis=1)
    with pytest.raises(phylanx.CompileError, match="np.cumprod") as got:
        zero_d_bad_axis(np.array(2.0))
    assert str(ref.value) in str(got.value)


@phylanx.kernel
def stack_scalars(a, u, c):
    return np.hstack([a, u, a]), np.vstack([c, a, c]), np.hstack([u, a.astype(np.int32)])


@pytest.mark.parametrize("dtype", DTS)
def test_hstack_vstack_zero_d_with_big_arrays(dtype):
    """A 0-d operand next to 5000-element arrays: the join runs natively after NumPy's
    atleast_1d/atleast_2d promotion of the 0-d array (and the dtype promotion)."""
    u = data(dtype, 5000, 1)
    c = data(np.float32, (5000, 1), 2)
    for a in (np.array(7, np.int64), np.array(np.nan), np.array(True)):
        got, ref = run_both(stack_scalars, a, u, c)
        for g, r in zip(got, ref):
            same(g, r, layout=False)


def test_hstack_zero_d_is_a_native_job():
    from phylanx.runtime.native import Job
    a, u, c = np.array(2.0), np.ones(5000), np.ones((5000, 1))
    job = prepared(stack_scalars, (a, u, c), "hstack", ([a, u, a],))
    assert isinstance(job, Job)
    job.run_now()
    same(job.result, np.hstack([a, u, a]))


@phylanx.kernel
def perms(x):
    return (np.transpose(x, (2, 0, 1)), np.transpose(x, (1, 2, 0)), np.transpose(x),
            np.transpose(x, (0, 2, 1)), np.ravel(np.transpose(x, (2, 0, 1))),
            np.transpose(x, (1, 0, 2)).flatten(), np.copy(np.transpose(x, (2, 1, 0))),
            np.transpose(x, (1, 2, 0)).reshape((x.shape[1], x.shape[0] * x.shape[2])),
            np.swapaxes(x, 0, 2).astype(np.float32))


def layouts_3d(x):
    yield x
    yield np.asfortranarray(x)
    yield x[::-2, :, 1::2]
    yield np.repeat(x, 2, axis=1)[:, ::-2]
    yield x[:, :0]


@pytest.mark.parametrize("dtype", DTS)
def test_3d_transpose_permutations(dtype):
    """Axes permutations of 3-d arrays (views with NumPy's strides) and the native copies of
    those views (ravel, flatten, copy, reshape, astype over permuted strides)."""
    for x in layouts_3d(data(dtype, (30, 40, 50))):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")      # complex -> float32: NumPy's ComplexWarning
            got = perms(x)
            ref = (np.transpose(x, (2, 0, 1)), np.transpose(x, (1, 2, 0)), np.transpose(x),
                   np.transpose(x, (0, 2, 1)), np.ravel(np.transpose(x, (2, 0, 1))),
                   np.transpose(x, (1, 0, 2)).flatten(), np.copy(np.transpose(x, (2, 1, 0))),
                   np.transpose(x, (1, 2, 0)).reshape((x.shape[1], x.shape[0] * x.shape[2])),
                   np.swapaxes(x, 0, 2).astype(np.float32))
        for k, (g, r) in enumerate(zip(got, ref)):
            same(g, r)
            assert np.shares_memory(g, x) == np.shares_memory(r, x), k


def test_3d_transpose_copies_are_native_jobs():
    from phylanx.runtime.native import Job
    x = data(np.float64, (30, 40, 50))[::-1, :, ::2]
    t = np.transpose(x, (2, 0, 1))
    for op, operands, ref in (("ravel", (t,), np.ravel(t)),
                              ("flatten", (np.transpose(x, (1, 0, 2)),),
                               np.transpose(x, (1, 0, 2)).flatten()),
                              ("copy", (t,), np.copy(t))):
        job = prepared(perms, (x,), op, operands)
        assert isinstance(job, Job), op
        job.run_now()
        same(job.result, ref)
    with pytest.raises(phylanx.CompileError, match="repeated axis in transpose"):
        bad_perm(x)           # NumPy's ValueError message, found when compiling


@phylanx.kernel
def bad_perm(x):
    return np.transpose(x, (0, 0, 1))


@phylanx.kernel
def diag_ks(x):
    return (np.diag(x), np.diag(x, k=3), np.diag(x, k=-5), np.diag(x, k=150),
            np.diag(x, k=-299), np.diag(x, k=1000), np.diag(x, k=-1000))


@pytest.mark.parametrize("dtype", DTS)
def test_diag_offsets_non_square_strided(dtype):
    """2-d diag: NumPy's (read-only) view, for k inside and beyond a non-square matrix, on C,
    F, strided and negative-stride inputs."""
    base = data(dtype, (300, 200), 6)
    for x in (base, base.T, np.asfortranarray(base), base[::2, ::-3],
              np.repeat(base, 2, axis=0)[::-2, 1:]):
        got = diag_ks(x)
        ref = (np.diag(x), np.diag(x, k=3), np.diag(x, k=-5), np.diag(x, k=150),
               np.diag(x, k=-299), np.diag(x, k=1000), np.diag(x, k=-1000))
        for g, r in zip(got, ref):
            same(g, r)
            assert g.flags.writeable == r.flags.writeable
            assert np.shares_memory(g, x) == np.shares_memory(r, x)


@pytest.mark.parametrize("dtype", DTS)
def test_diag_empty(dtype):
    """Empty vectors build (|k|, |k|) zero matrices; empty matrices give empty diagonals."""
    for v in (np.zeros(0, dtype), data(dtype, 10)[5:5], data(dtype, (300, 200))[0, :0]):
        got = diags(v, data(dtype, (300, 200))[:0])
        ref = (np.diag(v), np.diag(v, k=3), np.diag(v, k=-5),
               np.diag(np.zeros((0, 200), dtype)), np.diag(np.zeros((0, 200), dtype), k=-2))
        for g, r in zip(got, ref):
            same(g, r)
    for x in (np.zeros((0, 5000), dtype), np.zeros((5000, 0), dtype), np.zeros((0, 0), dtype)):
        for g, r in zip(diag_ks(x), (np.diag(x), np.diag(x, k=3), np.diag(x, k=-5),
                                     np.diag(x, k=150), np.diag(x, k=-299),
                                     np.diag(x, k=1000), np.diag(x, k=-1000))):
            same(g, r)


@phylanx.kernel
def complex_casts(x):
    return (x.astype(np.complex128), x.astype(np.complex64), x.astype(np.float64),
            x.astype(np.float32), x.astype(np.int32), x.astype(np.bool_))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.bool_, np.complex128,
                                   np.complex64])
def test_astype_complex_source_and_target(dtype):
    """Real -> complex and complex -> complex64 run natively (overflow to inf with NumPy's
    warning); complex -> real gives NumPy's ComplexWarning and NumPy's values."""
    x = data(dtype, (300, 120))
    if np.dtype(dtype).kind in "fc":
        x[::7, ::3] = np.nan
        x[1::11, 5] = np.inf
    if np.dtype(dtype).kind == "c":
        x[2::13, 1] = 1 + 1e300j if dtype == np.complex128 else 1 + 3e38j
        x[3::17, 2] = -np.inf + 1j
    for xv in layouts(x):
        got, ref = run_both(complex_casts, xv)
        for g, r in zip(got, ref):
            same(g, r)


def test_astype_complex_to_real_warns_complexwarning():
    x = data(np.complex128, (300, 120))
    with pytest.warns(np.exceptions.ComplexWarning, match="discards the imaginary part"):
        got = complex_casts(x)
    same(got[2], x.real.copy())
    from phylanx.runtime.native import Job
    assert isinstance(prepared(complex_casts, (x,), "astype", (x,), 1), Job)   # c128 -> c64
    assert isinstance(prepared(complex_casts, (x.real.copy(),), "astype", (x.real.copy(),)),
                      Job)                                                        # f64 -> c128


@phylanx.kernel
def narrow_casts(x):
    return (x.astype(np.int8), x.astype(np.uint8), x.astype(np.int16), x.astype(np.uint16),
            x.astype(np.uint32), x.astype(np.uint64))


def test_astype_narrow_integers_wrap_like_numpy():
    """int64 -> narrow (u)ints wrap modulo 2**bits, as C conversions and NumPy do."""
    rng = np.random.default_rng(11)
    x = rng.integers(-2**40, 2**40, (300, 120))
    x[0, :8] = (-1, 200, 300, -129, 255, 256, -2**63, 2**63 - 1)
    for xv in layouts(x):
        got, ref = run_both(narrow_casts, xv)
        for g, r in zip(got, ref):
            same(g, r)
    assert narrow_casts(x)[0][0, 1] == -56 and narrow_casts(x)[1][0, 0] == 255


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_astype_float_to_narrow_unsigned_like_numpy(dtype):
    """Out-of-range float -> (u)int8/16/32/64 (negative values, > max, NaN, inf) is undefined
    in C. NumPy's x86-64 loops go through a wider signed conversion (-1.0 -> 255, 300.0 -> 44,
    NaN -> 0 with "invalid value encountered in cast"); the native moves must match it."""
    vals = np.array([-1.0, -3.7, 255.5, 256.0, 300.0, -129.0, 1e10, np.nan, np.inf, -0.5,
                     127.9, 128.0, -1e10, 4e9, -np.inf, 65535.9], dtype)
    x = np.tile(vals, (300, 8))
    for xv in layouts(x):
        got, ref = run_both(narrow_casts, xv)
        for g, r in zip(got, ref):
            same(g, r)


def test_narrow_casts_are_native_jobs():
    from phylanx.runtime.native import Job
    x = np.ones((300, 120))
    for nth in range(6):
        assert isinstance(prepared(narrow_casts, (x,), "astype", (x,), nth), Job)
