"""Native gather / setitem / getitem (phylanx.runtime._indexing) agree with NumPy.

Sizes are above the kernels' SMALL threshold so that the native job runs (small cases go to
NumPy's own call), over dtypes, layouts (transposed, strided, negative steps), negative and
repeated indices, masks, broadcasting and casting of the assigned value, NaN, empty selections
and errors.
"""

import warnings

import numpy as np
import pytest
from native_inputs import DTS, data

import phylanx
from phylanx.runtime import _lowering

pytestmark = pytest.mark.usefixtures("copy_teams")   # tests/conftest.py




def layouts(x):
    yield "c", x
    yield "f", np.asfortranarray(x)
    big = np.zeros((x.shape[0] * 2, x.shape[1] + 3), x.dtype)
    big[::2, 1:-2] = x
    yield "strided", big[::2, 1:-2]
    yield "reversed", x[::-1].copy()[::-1]


def test_natives_registered():
    names = set(_lowering.fallback_ops())
    for op in ("getitem", "gather", "setitem"):
        assert op not in names


@phylanx.kernel
def take(X, u, m):
    return X[u], X[:, u[:50]], X[m], X[u, 1:]


@pytest.mark.parametrize("dtype", DTS)
def test_gather(dtype):
    rng = np.random.default_rng(3)
    for name, X in layouts(data(dtype, (400, 120))):
        u = rng.integers(-120, 120, 700)
        m = rng.random(X.shape) > 0.3
        got = take(X, u, m)
        ref = (X[u], X[:, u[:50]], X[m], X[u, 1:])
        for g, r in zip(got, ref):
            assert g.dtype == r.dtype and g.shape == r.shape, name
            np.testing.assert_array_equal(g, r)


@phylanx.kernel
def take_1d(x, u, m):
    return x[u], x[m]


@pytest.mark.parametrize("dtype", DTS)
def test_gather_1d_and_2d_index(dtype):
    rng = np.random.default_rng(4)
    x = data(dtype, 50000)
    x[::7] = 0
    for u in (rng.integers(-50000, 50000, 20000), rng.integers(0, 50000, (100, 80)),
              rng.integers(0, 50000, 20000).astype(np.int32), np.zeros(0, np.int64)):
        m = rng.random(50000) > 0.5
        for xv in (x, x[::-1]):
            g, gm = take_1d(xv, u, m)
            np.testing.assert_array_equal(g, xv[u])
            np.testing.assert_array_equal(gm, xv[m])


def test_gather_nan_and_empty_mask():
    x = np.full((300, 300), np.nan)
    x[::3] = 1.5
    m = np.zeros(x.shape, bool)
    g, _, gm, _ = take(x, np.arange(-300, 300, 1), m)
    np.testing.assert_array_equal(g, x[np.arange(-300, 300)])
    assert gm.shape == (0,) and gm.dtype == np.float64


def test_gather_out_of_bounds():
    X = np.zeros((300, 50))
    u = np.arange(1000) % 300
    u[700] = 300
    with pytest.raises(IndexError, match="index 300 is out of bounds for axis 0 with size 300"):
        take(X, u, X > 0)
    u[700] = -301
    with pytest.raises(IndexError, match="index -301 is out of bounds for axis 0 with size 300"):
        take(X, u, X > 0)
    with pytest.raises(IndexError):   # NumPy's own message for a mask of the wrong shape
        take(X, np.arange(10), np.ones((299, 50), bool))


@phylanx.kernel
def put_rows(X, u, v):
    X[u, :] = v
    return X


@phylanx.kernel
def put_cols(X, u, v):
    X[:, u] = v
    return X


@phylanx.kernel
def put_mask(X, m, s):
    X[m] = s
    return X


@phylanx.kernel
def put_slice(X, v):
    X[1:-1, ::-2] = v
    return X


@pytest.mark.parametrize("dtype", DTS)
def test_setitem_rows_cols(dtype):
    rng = np.random.default_rng(5)
    for name, X in layouts(data(dtype, (300, 90))):
        u = rng.integers(-300, 300, 500)          # repeated indices: the last write wins
        for v in (data(dtype, 90, 1), data(dtype, (500, 90), 2), data(dtype, (500, 1), 3),
                  data(np.float64, 90, 4).astype(np.float32) if dtype != np.complex128
                  else data(dtype, 90, 4)):
            ref = X.copy()
            ref[u, :] = v
            got = put_rows(X.copy(), u, v)
            np.testing.assert_array_equal(got, ref, err_msg=name)
        uc = rng.integers(-90, 90, 60)
        v = data(dtype, (300, 60), 6)
        ref = X.copy()
        ref[:, uc] = v
        np.testing.assert_array_equal(put_cols(X.copy(), uc, v), ref)


def test_setitem_in_place_and_scalar():
    X = np.zeros((400, 30))
    out = put_rows(X, np.arange(0, 400, 2), 7.0)
    assert out is X and np.all(X[::2] == 7) and np.all(X[1::2] == 0)


@pytest.mark.parametrize("dtype", DTS)
def test_setitem_mask(dtype):
    rng = np.random.default_rng(7)
    for name, X in layouts(data(dtype, (200, 80))):
        m = rng.random(X.shape) > 0.4
        for s in (1, 0.5, True, data(dtype, int(m.sum()), 8)):
            if np.dtype(dtype).kind != "c" and isinstance(s, np.ndarray) and s.dtype.kind == "c":
                continue
            ref = X.copy()
            ref[m] = s
            np.testing.assert_array_equal(put_mask(X.copy(), m, s), ref, err_msg=name)


def test_setitem_casts_like_numpy():
    X = np.zeros((300, 40), np.int32)
    m = np.ones(X.shape, bool)
    with pytest.raises(ValueError, match="cannot convert float NaN to integer"):
        put_mask(X, m, np.nan)
    v = np.full(m.sum(), np.nan)
    ref = X.copy()
    with warnings.catch_warnings(record=True) as wref:
        warnings.simplefilter("always")
        ref[m] = v
    with warnings.catch_warnings(record=True) as wgot:
        warnings.simplefilter("always")
        got = put_mask(X.copy(), m, v)
    np.testing.assert_array_equal(got, ref)
    assert [str(w.message) for w in wgot] == [str(w.message) for w in wref]
    # 2.7 -> 2, -1.5 -> -1: unsafe casting of an array value
    Y = np.zeros((300, 40), np.int64)
    v = np.linspace(-3, 3, 40)
    ref = Y.copy()
    ref[np.arange(300), :] = v
    np.testing.assert_array_equal(put_rows(Y, np.arange(300), v), ref)


@pytest.mark.parametrize("dtype", DTS)
def test_setitem_slice(dtype):
    for name, X in layouts(data(dtype, (300, 100))):
        for v in (data(dtype, 50, 1), data(dtype, (298, 50), 2), data(dtype, (298, 1), 3),
                  np.ones((), dtype)):
            ref = X.copy()
            ref[1:-1, ::-2] = v
            np.testing.assert_array_equal(put_slice(X.copy(), v), ref, err_msg=name)


def test_setitem_errors():
    X = np.zeros((300, 100))
    with pytest.raises(ValueError, match="could not broadcast"):
        put_slice(X, np.ones(49))
    with pytest.raises(IndexError, match="index 300 is out of bounds for axis 0 with size 300"):
        put_rows(X, np.array([1, 2, 300] * 200), 1.0)
    assert not X.any()          # nothing written before the bounds check failed


def test_setitem_overlap():
    X = np.arange(90000.0).reshape(300, 300)
    ref = X.copy()
    ref[1:-1, ::-2] = ref[1:-1, :150]
    np.testing.assert_array_equal(put_slice(X, X[1:-1, :150]), ref)


@phylanx.kernel
def views(X):
    a = X[1:, ::-3]
    b = X[..., None, 2]
    c = X[-1]
    d = X[3, 4]
    return a, b, c, d


@pytest.mark.parametrize("dtype", DTS)
def test_getitem_views(dtype):
    for name, X in layouts(data(dtype, (30, 20))):
        got = views(X)
        ref = (X[1:, ::-3], X[..., None, 2], X[-1], X[3, 4])
        for g, r in zip(got, ref):
            np.testing.assert_array_equal(g, r)
        assert np.shares_memory(got[0], X)


def test_getitem_errors():
    with pytest.raises(IndexError, match="index 3 is out of bounds for axis 0 with size 3"):
        views(np.zeros((3, 20)))


@phylanx.kernel
def put_readonly(x, u):
    y = np.broadcast_to(x, (300, 300))
    y[u, :] = 1.0
    return y


@phylanx.kernel
def put_readonly_slice(x):
    y = np.broadcast_to(x, (300, 300))
    y[1:] = 1.0
    return y


def test_setitem_read_only():
    with pytest.raises(ValueError, match="read-only"):
        put_readonly(np.zeros(300), np.arange(300))
    with pytest.raises(ValueError, match="read-only"):
        put_readonly_slice(np.zeros(300))


@phylanx.kernel
def put_self_element(X):
    X[:, 1:] = X[..., 3, 4, None]
    return X


def test_setitem_value_aliases_target():
    X = np.arange(90000.0).reshape(300, 300)
    ref = X.copy()
    ref[:, 1:] = ref[..., 3, 4, None]
    np.testing.assert_array_equal(put_self_element(X), ref)


def prepared(kernel, args, opname, operands, nth=0):
    """What the native preparer of the nth `opname` op of kernel(*args) returns for operands."""
    from phylanx.runtime.natives import preparer_for
    module = phylanx.parse_physl(kernel.physl(*args, locations=False))
    op = [o for o in module.walk() if o.name == opname][nth]
    return preparer_for(op)(*operands)


def test_native_jobs_are_used():
    from phylanx.runtime.native import Job
    X = np.zeros((300, 300))
    Xs = np.zeros((600, 300))[::2]
    u = np.arange(300)
    m = X > -1
    assert isinstance(prepared(take, (X, u, m), "gather", (X, u)), Job)
    assert isinstance(prepared(take, (X, u, m), "gather", (X, m), 2), Job)      # compaction
    assert isinstance(prepared(take, (Xs, u, m), "gather", (Xs, m), 2), Job)    # offsets
    assert isinstance(prepared(put_rows, (X, u, 1.0), "setitem", (X, u, 1.0)), Job)
    assert isinstance(prepared(put_mask, (X, m, 1.0), "setitem", (X, m, 1.0)), Job)
    assert isinstance(prepared(put_slice, (X, 1.0), "setitem", (X, 1, -1, -2, 1.0)), Job)
    # tiny: NumPy's own call in the preparer
    assert not isinstance(prepared(take, (X, u, m), "gather", (X[:3], u[:3])), Job)


@phylanx.kernel
def take3(Y, u, m):
    return Y[:, u], Y[..., u], Y[u], Y[:, m], Y[:, :, u[:5]]


def test_gather_layout_like_numpy():
    """NumPy puts the selected axes first in memory and moves them in place: same strides
    (for C-ordered inputs; other layouts: same values, NumPy's order may differ)."""
    Y = data(np.float64, (40, 40, 50))
    u = np.arange(39, -1, -3)
    m = Y[0] > 0
    for Yv in (Y, np.asfortranarray(Y)):
        for g, r in zip(take3(Yv, u, m), (Yv[:, u], Yv[..., u], Yv[u], Yv[:, m],
                                          Yv[:, :, u[:5]])):
            assert g.shape == r.shape
            assert g.strides == r.strides or not Yv.flags.c_contiguous
            np.testing.assert_array_equal(g, r)


@phylanx.kernel
def take_mixed(Y, i, u, m):
    return Y[i, u], Y[:, i, u], Y[u, i], Y[i, m], Y[i, :, u], Y[..., i, u]


@pytest.mark.parametrize("dtype", DTS)
def test_gather_with_integer_scalars(dtype):
    rng = np.random.default_rng(9)
    Y = data(dtype, (40, 50, 60))
    u = rng.integers(-40, 40, 3000)
    m = rng.random((50, 60)) > 0.5
    for Yv in (Y, np.asfortranarray(Y), np.repeat(Y, 2, axis=2)[::-1, :, ::2]):
        for i in (3, -7):
            got = take_mixed(Yv, i, u, m)
            ref = (Yv[i, u], Yv[:, i, u], Yv[u, i], Yv[i, m], Yv[i, :, u], Yv[..., i, u])
            for g, r in zip(got, ref):
                assert g.shape == r.shape
                np.testing.assert_array_equal(g, r)


@phylanx.kernel
def put_mixed(Y, i, u, v):
    Y[i, u] = v
    Y[u, i, 1:] = v[0, 1:]
    return Y


def test_setitem_with_integer_scalars():
    rng = np.random.default_rng(10)
    Y = data(np.float64, (40, 50, 60))
    u = rng.integers(-40, 40, 300)
    v = data(np.float32, (300, 60), 2)
    ref = Y.copy()
    ref[5, u] = v
    ref[u, 5, 1:] = v[0, 1:]
    np.testing.assert_array_equal(put_mixed(Y.copy(), 5, u, v), ref)
    with pytest.raises(IndexError, match="index 50 is out of bounds for axis 0 with size 40"):
        put_mixed(Y.copy(), 50, u, v)
    with pytest.raises(IndexError, match="index 50 is out of bounds for axis 1 with size 50"):
        take_iu(Y, 3, np.arange(51)[::-1].repeat(100))


@phylanx.kernel
def take_iu(Y, i, u):
    return Y[i, u]


def test_native_job_with_integer_scalars():
    from phylanx.runtime.native import Job
    Y = np.zeros((40, 50, 60))
    u = np.arange(50).repeat(3)
    assert isinstance(prepared(take_iu, (Y, 3, u), "gather", (Y, 3, u)), Job)


def same(got, ref):
    assert isinstance(got, np.ndarray)
    assert got.dtype == ref.dtype and got.shape == ref.shape
    np.testing.assert_array_equal(got, ref)


@phylanx.kernel
def take_pairs(X, u, w):
    return X[u[:, None], w], X[u, w], X[u[:, None], 3:], X[u[:, None], w[None, :5]]


@pytest.mark.parametrize("dtype", DTS)
def test_gather_two_index_arrays_broadcast(dtype):
    """X[u[:, None], w]: two integer arrays broadcast together (NumPy's reference runs, the
    native gather takes one array index)."""
    rng = np.random.default_rng(12)
    u = rng.integers(-300, 300, 100)
    w = rng.integers(-90, 90, 100)
    for name, X in layouts(data(dtype, (300, 90))):
        got = take_pairs(X, u, w)
        ref = (X[u[:, None], w], X[u, w], X[u[:, None], 3:], X[u[:, None], w[None, :5]])
        for g, r in zip(got, ref):
            same(g, r)
    assert got[0].shape == (100, 100) and got[2].shape == (100, 1, 87)


def test_gather_two_index_arrays_errors():
    X = np.zeros((300, 90))
    u = np.arange(100)
    w = np.arange(150) % 90     # in bounds: only X[u, w] fails (100 vs 150 indices)
    with pytest.raises(IndexError) as ref:
        X[u, w]
    with pytest.raises(IndexError) as got:
        take_pairs(X, u, w)
    assert "shape mismatch: indexing arrays could not be broadcast" in str(ref.value)
    assert str(ref.value) in str(got.value)
    with pytest.raises(IndexError, match="index 90 is out of bounds for axis 1 with size 90"):
        take_pairs(X, u, np.arange(1, 101))
    from phylanx.runtime.natives import preparer_for
    module = phylanx.parse_physl(take_pairs.physl(X, u, u, locations=False))
    two = [op for op in module.walk() if op.name == "gather"
           and [c[0] for c in op.attrs["index"]].count("a") == 2]
    assert len(two) == 3 and all(preparer_for(op) is None for op in two)


@phylanx.kernel
def take_0d(X, i):
    return X[i], X[:, i], X[i, 2:], X[..., i]


@pytest.mark.parametrize("dtype", DTS)
def test_gather_zero_d_index_array(dtype):
    """A 0-d integer index array removes its axis like an integer (NumPy's reference)."""
    for name, X in layouts(data(dtype, (300, 200))):
        for i in (np.array(5), np.array(-1, np.int32), np.array(199, np.uint8)):
            got = take_0d(X, i)
            ref = (X[i], X[:, i], X[i, 2:], X[..., i])
            for g, r in zip(got, ref):
                same(g, r)
            assert got[0].shape == (200,) and got[1].shape == (300,)
    with pytest.raises(IndexError, match="index 300 is out of bounds for axis 0 with size 300"):
        take_0d(np.zeros((300, 400)), np.array(300))


@pytest.mark.parametrize("dtype", DTS)
def test_gather_from_empty_source(dtype):
    """Empty sources: an empty index gives NumPy's empty result; any index is out of bounds
    along an empty axis (NumPy's IndexError), while an empty non-indexed axis is fine."""
    e = np.zeros(0, np.intp)
    for X in (np.zeros((0, 5000), dtype), np.zeros((5000, 0), dtype).T, np.zeros((0, 0), dtype)):
        for u in (e, np.zeros((0, 3), np.int32)):
            got = take(X, u, np.zeros(X.shape, bool))
            for g, r in zip(got, (X[u], X[:, u[:50]], X[np.zeros(X.shape, bool)], X[u, 1:])):
                same(g, r)
        with pytest.raises(IndexError, match="index 0 is out of bounds for axis 0 with size 0"):
            take(X, np.array([0, 0]), np.zeros(X.shape, bool))
        with pytest.raises(IndexError, match="index -1 is out of bounds for axis 0 with size 0"):
            take_1d(X[:, 0] if X.shape[1] else X.ravel(), np.array([-1]), np.zeros(0, bool))
    X = np.zeros((6000, 0), dtype)
    u = np.arange(-6000, 6000, 2)
    for g, r in zip(take_rows(X, u), (X[u], X[u, 1:], X[u[:, None], :])):
        same(g, r)
    with pytest.raises(IndexError, match="index 6000 is out of bounds for axis 0 with size 6000"):
        take_rows(X, np.array([6000]))


@phylanx.kernel
def take_rows(X, u):
    return X[u], X[u, 1:], X[u[:, None], :]


@phylanx.kernel
def take_masks(X, m, r):
    return X[m], X[r], X[:, r[:X.shape[1]]], X[r, :]


@pytest.mark.parametrize("dtype", DTS)
def test_boolean_mask_on_empty_arrays(dtype):
    for shape in ((0, 80), (6000, 0), (0, 0)):
        X = np.zeros(shape, dtype)
        m = np.zeros(shape, bool)
        r = np.ones(shape[0], bool)
        r[::3] = False
        got = take_masks(X, m, r)
        ref = (X[m], X[r], X[:, r[:X.shape[1]]], X[r, :])
        for g, rr in zip(got, ref):
            same(g, rr)
    with pytest.raises(IndexError) as ref:
        np.zeros((0, 80))[np.zeros((1, 80), bool)]
    with pytest.raises(IndexError) as got:
        take_masks(np.zeros((0, 80)), np.zeros((1, 80), bool), np.zeros(0, bool))
    assert str(ref.value) in str(got.value)


@pytest.mark.parametrize("dtype", DTS)
def test_setitem_empty_index_and_all_false_mask(dtype):
    """Nothing selected: the target is returned in place, unchanged; values that broadcast to
    the empty selection are accepted, others raise NumPy's errors."""
    X = data(dtype, (300, 90))
    e = np.zeros(0, np.intp)
    for v in (1, np.nan if np.dtype(dtype).kind in "fc" else 2, np.zeros(90, dtype),
              np.zeros((0, 90), dtype), np.zeros((1, 90), dtype)):
        Y = X.copy()
        out = put_rows(Y, e, v)
        assert out is Y
        same(out, X)
    same(put_cols(X.copy(), e, np.zeros((300, 0), dtype)), X)
    none = np.zeros(X.shape, bool)
    for s in (1, True, np.zeros(0, dtype), np.zeros(1, dtype)):
        Y = X.copy()
        out = put_mask(Y, none, s)
        assert out is Y
        same(out, X)
    for call, ref_call in ((lambda Z: put_mask(Z, none, np.ones(5, dtype)),
                            lambda Z: Z.__setitem__(none, np.ones(5, dtype))),
                           (lambda Z: put_rows(Z, e, np.ones((2, 90), dtype)),
                            lambda Z: Z.__setitem__((e, slice(None)), np.ones((2, 90), dtype)))):
        with pytest.raises(ValueError) as ref:
            ref_call(X.copy())
        with pytest.raises(ValueError) as got:
            call(X.copy())
        assert str(ref.value) in str(got.value)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
def test_setitem_nan_values(dtype):
    """NaN (and -0.0, inf) scattered into float targets land where NumPy puts them, through
    the native jobs (rows, columns, masks; f64 values into f32 targets)."""
    rng = np.random.default_rng(13)
    nanv = np.where(rng.random(90) > 0.5, np.nan, -0.0)
    nanv[::7] = -np.inf
    for name, X in layouts(data(dtype, (300, 90))):
        u = rng.integers(-300, 300, 400)
        m = rng.random(X.shape) > 0.6
        uc = rng.integers(-90, 90, 60)
        vm = np.full(int(m.sum()), np.nan)
        vm[1::2] = -0.0
        vc = np.tile(nanv[:60], (300, 1))
        cases = ((put_rows, u, nanv), (put_rows, u, np.nan), (put_mask, m, np.nan),
                 (put_mask, m, vm), (put_cols, uc, vc), (put_cols, uc, nanv[:60].astype(dtype)))
        for kernel, idx, v in cases:
            ref = X.copy()
            ref[(idx,) if kernel is put_mask else
                (idx, slice(None)) if kernel is put_rows else (slice(None), idx)] = v
            got = kernel(X.copy(), idx, v)
            same(got, ref)
            assert np.array_equal(np.isnan(got), np.isnan(ref)), name
            assert np.array_equal(np.signbit(got.real), np.signbit(ref.real)), name
    from phylanx.runtime.native import Job
    Xf = np.zeros((300, 90), dtype)
    assert isinstance(prepared(put_rows, (Xf, u, nanv), "setitem", (Xf, u, nanv)), Job)
    assert isinstance(prepared(put_mask, (Xf, m, np.nan), "setitem", (Xf, m, np.nan)), Job)


@phylanx.kernel
def empty_views(X):
    return X[1:, ::-3], X[5:2], X[:, 3:3], X[..., None, :0], X[::-1][:0], X[-1:-1, ::2]


@pytest.mark.parametrize("dtype", DTS)
def test_getitem_empty_views(dtype):
    """Empty slices and slices of empty arrays: NumPy's (empty) views, same shape/strides."""
    for X in (data(dtype, (300, 200)), np.zeros((0, 20), dtype), np.zeros((30, 0), dtype),
              np.asfortranarray(np.zeros((0, 7), dtype)), data(dtype, (300, 200))[::-2, 10:10]):
        got = empty_views(X)
        ref = (X[1:, ::-3], X[5:2], X[:, 3:3], X[..., None, :0], X[::-1][:0], X[-1:-1, ::2])
        for g, r in zip(got, ref):
            same(g, r)
            assert g.strides == r.strides
        if X.size:
            assert np.shares_memory(got[0], X)


@phylanx.kernel
def put_empty_slices(X, v):
    X[5:2] = v
    X[:, 3:3] = v
    X[-1:-1, ::2] = v
    return X


@pytest.mark.parametrize("dtype", DTS)
def test_setitem_empty_slices(dtype):
    X = data(dtype, (300, 200))
    for v in (1, np.zeros((), dtype), np.zeros((1, 1), dtype)):
        Y = X.copy()
        out = put_empty_slices(Y, v)
        assert out is Y
        same(out, X)
    E = np.zeros((0, 200), dtype)
    assert put_empty_slices(E, 2) is E
    with pytest.raises(ValueError) as ref:
        put_empty_slices.py_func(X.copy(), np.zeros(5, dtype))
    assert "could not broadcast input array from shape (5,)" in str(ref.value)
    with pytest.raises(ValueError) as got:
        put_empty_slices(X.copy(), np.zeros(5, dtype))
    assert str(ref.value) in str(got.value)
