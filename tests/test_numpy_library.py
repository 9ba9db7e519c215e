"""NumPy functions, methods and linalg that NumPy itself runs inside a kernel (the fallback
ops of phylanx/ops/{rearranging,selecting,statistics,linalg_numpy,dtypes}.py): results equal
NumPy's on real inputs (dtypes, empty, NaN, 0-d, non-contiguous), errors of the same class,
in-place calls that update the caller's arrays, views that write through, np.bool_ values, and
a TypeError (never another type) where NumPy's result type depends on the values."""

import numpy as np
import pytest

import phylanx
from phylanx.corpus.compare import WORKS, compare

F = np.array([0.5, -1.25, 2.0, 3.5, -0.75, 0.0])
I32 = np.array([3, -1, 4, 1, -5, 9], dtype=np.int32)
M = np.arange(12.0).reshape(3, 4)
STRIDED = np.arange(24.0).reshape(4, 6)[::2, 1::2]
NANS = np.array([1.0, np.nan, -2.0, np.inf, np.nan, 0.5])
EMPTY = np.zeros(0)


def same_as_numpy(fn, *args):
    outcome = compare(phylanx.kernel(fn), fn, args)
    assert outcome.status == WORKS, outcome.detail


# --- the three wrong answers: np.bool_ values -------------------------------------------------

def bools(a):
    return np.bool_(a[0]), np.True_, np.False_, np.bool_(3), a[0] > 0


def test_np_bool_values_are_numpy_bools():
    got = phylanx.kernel(bools)(F)
    assert got == bools(F)
    assert [type(v) for v in got] == [np.bool_] * 5


# --- one-of-each: values, dtypes, shapes, on edge inputs ---------------------------------------

def diffs(a):
    return np.diff(a), np.diff(a, n=2), np.ediff1d(a)


def stats(a):
    return np.percentile(a, 30), np.quantile(a, [0.25, 0.75]), np.ptp(a), np.nanmedian(a)


def sets(a, b):
    return np.unique(a, return_counts=True, return_inverse=True), np.isin(a, b), \
        np.setdiff1d(a, b), np.intersect1d(a, b, return_indices=True)


def searches(a, b):
    s = np.sort(a)
    return np.searchsorted(s, b, side="right"), np.digitize(b, s), np.argsort(a, kind="stable")


def rearranged(m):
    return np.moveaxis(m, 0, -1), np.rot90(m), np.fliplr(m), np.flipud(m), \
        np.pad(m, 1, mode="edge"), np.delete(m, 1, axis=1), np.insert(m, 0, 7.5, axis=0), \
        np.append(m, m, axis=0), np.split(m, 2, axis=1), np.tile(m, (2, 1)), \
        np.repeat(m, [1, 2, 0], axis=0), np.shape(m), np.ndim(m)


def linalg_extra(m):
    sq = m[:2, :2] @ m[:2, :2].T + np.eye(2)
    return np.linalg.slogdet(sq), np.linalg.matrix_rank(m), np.linalg.matrix_power(sq, 3), \
        np.linalg.multi_dot([m, m.T, m]), np.linalg.cond(sq), np.linalg.eigvalsh(sq), \
        np.linalg.norm(m, ord=1, axis=0), np.tensordot(m, m, axes=([1], [1])), \
        np.einsum("ij,kj->ik", m, m), np.einsum("ii", sq), np.cross(m[0, :3], m[1, :3])


def histograms(a):
    return np.histogram(a, bins=3, range=(0, 4)), np.bincount(np.abs(a).astype(np.int64)), \
        np.interp(a, [0.0, 1.0, 2.0], [1.0, 3.0, 2.0])


@pytest.mark.parametrize("fn, args", [
    (diffs, (F,)), (diffs, (I32,)), (diffs, (EMPTY,)), (diffs, (STRIDED[0],)),
    (stats, (F,)), (stats, (I32,)), (stats, (F.astype(np.float32),)), (stats, (NANS,)),
    (sets, (I32, I32[::-2])), (sets, (F, F[:2])),
    (searches, (F, NANS)), (searches, (I32, F)),
    (rearranged, (M,)), (rearranged, (M.astype(np.int32),)), (rearranged, (STRIDED[:, :2].T,)),
    (linalg_extra, (M,)), (linalg_extra, (M.astype(np.float32),)),
    (histograms, (F,)), (histograms, (I32,)),
])
def test_matches_numpy(fn, args):
    same_as_numpy(fn, *args)


def take_out_of_bounds(a):
    return np.take(a, [0, 10])


def split_unequal(a):
    return np.split(a, 4)


def percentile_of_nothing(a):
    return np.percentile(a, 50)


@pytest.mark.parametrize("fn, args", [(take_out_of_bounds, (F,)), (split_unequal, (F,)),
                                      (percentile_of_nothing, (EMPTY,))])
def test_errors_are_numpys(fn, args):
    same_as_numpy(fn, *args)       # both raise, the same exception class


# --- in place and views ----------------------------------------------------------------------

def in_place(a, m):
    b = a
    np.put(a, [0, 2], [9.0, 8.0])
    first = b[0]
    a.sort()
    np.fill_diagonal(m, -1.0)
    np.add.at(a, [1, 1], 1.0)
    m.fill(m[0, 0]) if a[0] > 100 else None
    return first, b, a.sum()


def test_in_place_calls_update_the_callers_arrays_and_their_aliases():
    a1, m1, a2, m2 = F.copy(), M.copy(), F.copy(), M.copy()
    got = phylanx.kernel(in_place)(a1, m1)
    want = in_place(a2, m2)
    assert got[0] == want[0] and got[2] == want[2]
    np.testing.assert_array_equal(got[1], want[1])
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(m1, m2)


def write_through_view(m):
    v = np.moveaxis(m, 0, -1)
    v[0, 0] = 100.0
    d = np.diagonal(m)
    return m, d


def test_views_write_through_like_numpys():
    m1, m2 = M.copy(), M.copy()
    got = phylanx.kernel(write_through_view)(m1)
    want = write_through_view(m2)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
    np.testing.assert_array_equal(m1, m2)


# --- spellings -----------------------------------------------------------------------------------

def where_one_argument(a):
    return np.where(a > 0)


def dtype_queries(a):
    eps = np.finfo(np.float32).eps
    big = np.iinfo(np.int16).max
    z = np.zeros(2, dtype=np.result_type(a, 1.0))
    return eps, big, np.issubdtype(a.dtype, np.floating), z, np.can_cast(np.int32, np.int8)


def methods(a):
    return a.item(1), a.tolist(), a.take([0, 2]), a.view(np.uint8), a.argsort(kind="stable"), \
        a.searchsorted(0.5)


@pytest.mark.parametrize("fn, args", [
    (where_one_argument, (M,)), (where_one_argument, (F,)),
    (dtype_queries, (F.astype(np.float32),)), (dtype_queries, (I32,)),
    (methods, (F,)), (methods, (I32,)),
])
def test_spellings(fn, args):
    same_as_numpy(fn, *args)


def mT(m):
    return m.mT


def test_mT_is_a_view():
    m = M.copy()
    assert phylanx.kernel(mT)(m).base is not None


# --- result types that depend on the values -----------------------------------------------------

def covariance(m):
    return np.cov(m)


def eigenvalues(m):
    return np.linalg.eigvals(m)


def test_value_dependent_result_types_raise_instead_of_differing():
    k = phylanx.kernel(covariance)
    np.testing.assert_allclose(k(M), np.cov(M))
    with pytest.raises(TypeError, match="another type than the compiled f64"):
        k(M[:1])                # NumPy gives a 0-d array for one variable
    e = phylanx.kernel(eigenvalues)
    np.testing.assert_allclose(e(np.diag([1.0, 2.0])), [1.0, 2.0])
    with pytest.raises(TypeError, match="another type"):
        e(np.array([[0.0, -1.0], [1.0, 0.0]]))     # complex eigenvalues


def squeeze_all(a):
    return np.squeeze(a)


def piecewise_of_functions(a):
    return np.piecewise(a, [a < 0], [np.abs])


@pytest.mark.parametrize("fn", [squeeze_all, piecewise_of_functions])
def test_refused_where_the_type_is_unknown(fn):
    with pytest.raises(phylanx.CompileError):
        phylanx.kernel(fn)(M[None])


def gradient_with_spacing(a):
    return np.gradient(a, 2)


def pad_with_fourth_positional(a):
    return np.pad(a, 1, "constant", 5)


@pytest.mark.parametrize("fn", [gradient_with_spacing, pad_with_fourth_positional])
def test_positional_arguments_numpy_reads_otherwise_are_refused(fn):
    # np.gradient's second positional argument is a spacing, not the axis attribute
    with pytest.raises(phylanx.CompileError, match="positional"):
        phylanx.kernel(fn)(F)
