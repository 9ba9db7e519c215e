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
