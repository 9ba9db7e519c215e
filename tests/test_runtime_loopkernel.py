"""The native loop kernel: parallel for_range bodies run without the GIL (runtime/_loopkernel).

Each case is a PhySL function with a `for_range {parallel = true}`; the runtime's result is
compared with the NumPy oracle evaluating the same PhySL sequentially, with 1 and 2 threads.
"""

import numpy as np
import pytest

import phylanx.runtime as rt
from phylanx.ir.parser import parse_physl
from phylanx.oracle import evaluate
from phylanx.runtime import lower


@pytest.fixture(params=[1, 2], ids=["1thread", "2threads"])
def threads(request):
    before = rt.num_threads()
    rt.set_num_threads(request.param)
    yield request.param
    rt.set_num_threads(before)


def loop_kernel_used(ex):
    return any("native loop kernel" in n for n in ex.notes)


def check(text, args, *, native=True):
    module = parse_physl(text)
    ex = lower(module)
    assert loop_kernel_used(ex) == native, ex.notes
    fresh = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    want = evaluate(module, *[a.copy() if isinstance(a, np.ndarray) else a for a in args])
    got = ex.run(tuple(fresh))
    if isinstance(want, tuple):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    return got


RIDGE = """
func @f(%indptr: i64[?], %indices: i64[?], %data: f64[?], %Y: f64[?,?], %X0: f64[?,?], %lam: float) -> f64[?,?] @"k.py":1:1 {
  %n = dim %X0 {axis = 0} : int @2:5
  %k = dim %X0 {axis = 1} : int @3:5
  %X = copy %X0 : f64[?,?] @4:5
  %none = const {value = none} : none @5:5
  %I = eye %k, %none : f64[?,?] @5:5
  %lI = multiply %lam, %I : f64[?,?] @6:5
  %0 = const {value = 0} : int @7:5
  %1 = const {value = 1} : int @7:5
  %r = for_range %0, %n, %1, %X {parallel = true} : f64[?,?] @7:5 body(%u: int, %Xc: f64[?,?]) {
    %a = getitem %indptr, %u {index = (i,)} : i64 @8:9
    %u1 = add %u, %1 : int @8:9
    %b = getitem %indptr, %u1 {index = (i,)} : i64 @8:9
    %items = getitem %indices, %a, %b {index = (s110,)} : i64[?] @8:9
    %rr = getitem %data, %a, %b {index = (s110,)} : f64[?] @9:9
    %Yu = gather %Y, %items {index = (a,)} : f64[?,?] @10:9
    %G = matmul_t %Yu, %Yu {transpose_a = true} : f64[?,?] @11:9
    %A = add %G, %lI : f64[?,?] @11:9
    %rhs = matmul_t %Yu, %rr {transpose_a = true} : f64[?] @11:9
    %x = linalg.solve %A, %rhs : f64[?] @11:9
    %Xn = setitem %Xc, %u, %x {index = (i,)} : f64[?,?] @12:9
    yield %Xn @7:5
  }
  return %r @13:5
}
"""


def csr(n_rows, n_cols, density, rng):
    dense = np.where(rng.random((n_rows, n_cols)) < density, rng.integers(1, 6, (n_rows, n_cols)),
                     0).astype(np.float64)
    indptr = np.concatenate([[0], np.cumsum((dense != 0).sum(1))]).astype(np.int64)
    indices = np.nonzero(dense)[1].astype(np.int64)
    return indptr, indices, dense[dense != 0]


@pytest.mark.parametrize("k", [1, 3, 10, 40])
def test_ridge_rows_like_explicit_als(threads, k):
    rng = np.random.default_rng(k)
    indptr, indices, data = csr(60, 50, 0.3, rng)
    Y, X0 = rng.random((50, k)), rng.random((60, k))
    check(RIDGE, [indptr, indices, data, Y, X0, 0.1])


def test_ridge_with_empty_rows_and_noncontiguous_inputs(threads):
    rng = np.random.default_rng(0)
    indptr, indices, data = csr(30, 40, 0.2, rng)
    indptr[5:8] = indptr[5]           # rows 5..6 empty: lam * I x = 0
    indices = indices.astype(np.int64)
    Y = np.asfortranarray(rng.random((40, 6)))          # Fortran order
    Ywide = rng.random((40, 12))[:, ::2]                 # strided columns
    X0 = rng.random((30, 6))
    for y in (Y, Ywide):
        check(RIDGE, [indptr, indices, data, y, X0, 0.5])


@pytest.mark.parametrize("k", [7, 70])
def test_huge_rows_gram_in_k_slices_or_syrk(threads, k):
    # k = 7: a small output, the Gram product runs as dgemm over slices of K (loop_ops'
    # CHUNK_MNK); k = 70 (> 64 x 64 outputs) with 2500 rows takes dsyrk
    rng = np.random.default_rng(3)
    n_items = 3000
    indptr = np.array([0, 2500, 2500 + 1200], np.int64)
    indices = np.concatenate([rng.choice(n_items, 2500, replace=False),
                              rng.choice(n_items, 1200, replace=False)]).astype(np.int64)
    data = rng.random(3700)
    Y, X0 = rng.random((n_items, k)), np.zeros((2, k))
    check(RIDGE, [indptr, indices, data, Y, X0, 0.1])


K_SLICES = """
func @f(%A1: f64[?,?], %B1: f64[?,?], %A2: f64[?,?], %B2: f64[?,?], %out: f64[?,?]) -> f64[?,?] @"k.py":1:1 {
  %n = dim %out {axis = 0} : int @2:5
  %0 = const {value = 0} : int @3:5
  %1 = const {value = 1} : int @3:5
  %r = for_range %0, %n, %1, %out {parallel = true} : f64[?,?] @3:5 body(%i: int, %o: f64[?,?]) {
    %P = matmul_t %A1, %B1 {transpose_a = true} : f64[?,?] @4:9
    %Q = matmul_t %A2, %B2 {transpose_b = true} : f64[?,?] @5:9
    %R = matmul %A2, %B1 : f64[?,?] @6:9
    %T = matmul_t %A1, %B2 {transpose_a = true, transpose_b = true} : f64[?,?] @7:9
    %PQ = add %P, %Q : f64[?,?] @8:9
    %RT = subtract %R, %T : f64[?,?] @8:9
    %S = add %PQ, %RT : f64[?,?] @8:9
    %row = getitem %S, %i {index = (i,)} : f64[?] @9:9
    %o2 = setitem %o, %i, %row {index = (i,)} : f64[?,?] @10:9
    yield %o2 @3:5
  }
  return %r @11:5
}
"""


@pytest.mark.parametrize("order", ["C", "F", "strided"])
def test_products_over_k_slices_every_transpose_and_layout(threads, order):
    # 20 x 30 outputs over K = 2999: 19 slices of K (the last one short), for every
    # combination of transposes and memory layouts
    rng = np.random.default_rng(4)
    K, m, n = 2999, 20, 30
    mats = [rng.random((K, m)), rng.random((K, n)), rng.random((m, K)), rng.random((n, K))]
    if order == "F":
        mats = [np.asfortranarray(x) for x in mats]
    elif order == "strided":
        mats = [np.repeat(x, 2, axis=1)[:, ::2] for x in mats]
    check(K_SLICES, [*mats, np.zeros((m, n))])


@pytest.mark.parametrize("k", [2, 10, 64, 65, 80])
def test_small_and_large_systems_and_lu_fallback(threads, k):
    # k <= 64: the runtime's own Cholesky (loop_small.h); above: LAPACK potrf/potrs. A negative
    # lambda makes the systems indefinite (Cholesky fails) but regular: LU as NumPy does.
    rng = np.random.default_rng(k)
    indptr, indices, data = csr(12, 3 * k, 0.6, rng)
    Y, X0 = rng.random((3 * k, k)), np.zeros((12, k))
    for lam in (0.1, -0.37):
        check(RIDGE, [indptr, indices, data, Y, X0, lam])


def test_systems_with_several_right_hand_sides(threads):
    # solve(A, G) with a k x k right-hand side: the Cholesky solve runs per column (k <= 64)
    text = RIDGE.replace(
        "%x = linalg.solve %A, %rhs : f64[?] @11:9",
        "%S = linalg.solve %A, %G : f64[?,?] @11:9\n"
        "    %last = const {value = -1} : int @11:9\n"
        "    %x = getitem %S, %last {index = (i,)} : f64[?] @11:9")
    for k in (3, 12, 70):
        rng = np.random.default_rng(k)
        indptr, indices, data = csr(10, 2 * k, 0.7, rng)
        check(text, [indptr, indices, data, rng.random((2 * k, k)), np.zeros((10, k)), 0.3])


def _loop_programs(text):
    from phylanx.runtime import _loopcompile as lc

    module = parse_physl(text)
    loops = [o for o in module.walk() if o.name == "for_range"]
    return [lc.compile_loop(o) for o in loops], lc


def test_gram_and_right_hand_side_share_one_product(threads):
    # z = Y[items]; z.T @ z and z.T @ r: the gather appends r to z's rows (F_AUG) and one
    # dgemm gives both, from 16 columns on; fewer columns, Fortran-ordered Y or a third user
    # of z keep the plain path
    (prog,), lc = _loop_programs(RIDGE)
    flags = {prog.ops[i].name: f for code, i, _, _, f in prog.instrs
             if code in (lc.I_GATHER, lc.I_GEMM)}
    assert flags["gather"] & lc.F_AUG and flags["matmul_t"] & lc.F_AUG
    third_user = RIDGE.replace(
        "%x = linalg.solve %A, %rhs : f64[?] @11:9",
        "%x0 = linalg.solve %A, %rhs : f64[?] @11:9\n"
        "    %s = getitem %Yu, %0, %0 {index = (i, i)} : f64 @11:9\n"
        "    %x = multiply %x0, %s : f64[?] @11:9")
    (prog3,), lc = _loop_programs(third_user)
    assert prog3 is not None and not any(f & lc.F_AUG for *_, f in prog3.instrs)
    for k, order in ((24, "C"), (24, "F"), (9, "C"), (40, "C")):
        rng = np.random.default_rng(k)
        indptr, indices, data = csr(30, 3 * k, 0.5, rng)
        Y = rng.random((3 * k, k))
        check(RIDGE, [indptr, indices, data, np.asfortranarray(Y) if order == "F" else Y,
                      np.zeros((30, k)), 0.2])


def test_right_hand_side_of_the_wrong_length_is_numpys_error(threads):
    # r one element longer than the gathered rows: no augmented rows for that user, the
    # separate product raises NumPy's error at its own line
    text = RIDGE.replace(
        "%rr = getitem %data, %a, %b {index = (s110,)} : f64[?] @9:9",
        "%b1 = add %b, %1 : int @9:9\n"
        "    %rr = getitem %data, %a, %b1 {index = (s110,)} : f64[?] @9:9").replace(
        "%rhs = matmul_t %Yu, %rr {transpose_a = true} : f64[?] @11:9",
        "%rhs = matmul_t %Yu, %rr {transpose_a = true} : f64[?] @12:7")
    rng = np.random.default_rng(8)
    indptr, indices, data = csr(6, 40, 0.5, rng)
    data = np.concatenate([data, [1.0]])
    ex = lower(parse_physl(text))
    with pytest.raises(ValueError, match="matmul: Input operand 1 has a mismatch") as info:
        ex.run((indptr, indices, data, rng.random((40, 20)), np.zeros((6, 20)), 0.1))
    assert info.value.__notes__ == [
        "  File \"k.py\", line 12, col 7, in kernel 'f':\n    op: matmul_t"]


def test_nan_in_a_system_gives_nan_like_numpy(threads):
    rng = np.random.default_rng(1)
    indptr, indices, data = csr(6, 20, 0.7, rng)
    Y = rng.random((20, 5))
    Y[3, 2] = np.nan
    got = check(RIDGE, [indptr, indices, data, Y, np.zeros((6, 5)), 0.1])
    touched = [u for u in range(6) if 3 in indices[indptr[u]:indptr[u + 1]]]
    assert touched and np.isnan(got[touched]).all()


def test_int32_and_strided_gather_indices(threads):
    rng = np.random.default_rng(2)
    indptr, indices, data = csr(20, 30, 0.4, rng)
    text = RIDGE.replace("%indices: i64[?]", "%indices: i32[?]").replace(
        "%items = getitem %indices, %a, %b {index = (s110,)} : i64[?]",
        "%items = getitem %indices, %a, %b {index = (s110,)} : i32[?]")
    Y, X0 = rng.random((30, 4)), np.zeros((20, 4))
    check(text, [indptr, indices.astype(np.int32), data, Y, X0, 0.1])
    spread = np.zeros(2 * len(indices), np.int64)
    spread[::2] = indices - 30          # negative: from the end
    check(RIDGE, [indptr, spread[::2], data, Y, X0, 0.1])


VECMAT = """
func @f(%M: f64[?,?], %v: f64[?], %out: f64[?,?]) -> f64[?,?] @"k.py":1:1 {
  %n = dim %out {axis = 0} : int @2:5
  %0 = const {value = 0} : int @3:5
  %1 = const {value = 1} : int @3:5
  %r = for_range %0, %n, %1, %out {parallel = true} : f64[?,?] @3:5 body(%i: int, %o: f64[?,?]) {
    %y = matmul %v, %M : f64[?] @4:9
    %z = matmul_t %M, %v {transpose_a = true} : f64[?] @5:9
    %w = add %y, %z : f64[?] @6:9
    %o2 = setitem %o, %i, %w {index = (i,)} : f64[?,?] @7:9
    yield %o2 @3:5
  }
  return %r @8:5
}
"""


@pytest.mark.parametrize("cols", [1, 3, 8, 16, 17, 40])
@pytest.mark.parametrize("layout", ["C", "F", "strided"])
def test_vector_times_matrix_short_and_long_outputs(threads, cols, layout):
    # v @ M and M.T @ v with up to 16 columns use the runtime's short gemv, else dgemv
    rng = np.random.default_rng(cols)
    M, v = rng.random((37, cols)), rng.random(74)[::2]
    if layout == "F":
        M = np.asfortranarray(M)
    elif layout == "strided":
        M = rng.random((37, 2 * cols))[:, ::2]
    M[5, 0] = np.nan if cols == 3 else M[5, 0]
    check(VECMAT, [M, v, np.zeros((3, cols))])


def test_singular_system_raises_linalg_error_naming_the_line(threads):
    rng = np.random.default_rng(0)
    indptr, indices, data = csr(10, 8, 0.5, rng)
    ex = lower(parse_physl(RIDGE))
    with pytest.raises(np.linalg.LinAlgError, match="Singular matrix") as info:
        ex.run((indptr, indices, data, np.zeros((8, 3)), np.zeros((10, 3)), 0.0))
    assert info.value.__notes__ == [
        "  File \"k.py\", line 11, col 9, in kernel 'f':\n    op: linalg.solve"]
    # the executable stays usable
    ex.run((indptr, indices, data, rng.random((8, 3)), np.zeros((10, 3)), 0.1))


def test_out_of_bounds_gather_is_an_index_error(threads):
    rng = np.random.default_rng(0)
    indptr, indices, data = csr(10, 8, 0.5, rng)
    indices[-1] = 8          # Y has 8 rows
    ex = lower(parse_physl(RIDGE))
    with pytest.raises(IndexError, match="index 8 is out of bounds for axis 0 with size 8") \
            as info:
        ex.run((indptr, indices, data, rng.random((8, 3)), np.zeros((10, 3)), 0.1))
    assert info.value.__notes__ == [
        "  File \"k.py\", line 10, col 9, in kernel 'f':\n    op: gather"]
    indices[-1] = -3         # negative indices count from the end, as in NumPy
    check(RIDGE, [indptr, indices, data, rng.random((8, 3)), np.zeros((10, 3)), 0.1])


def test_first_failing_iteration_decides_the_error(threads):
    rng = np.random.default_rng(0)
    indptr, indices, data = csr(40, 8, 0.5, rng)
    bad = indices.copy()
    bad[indptr[30]] = 100    # row 30: IndexError
    Y = rng.random((8, 3))
    ex = lower(parse_physl(RIDGE))
    X0 = np.zeros((40, 3))
    Yz = Y.copy()
    with pytest.raises(IndexError, match="index 100"):
        ex.run((indptr, bad, data, Yz, X0, 0.1))


INDEXING = """
func @f(%A: f64[?,?], %v: f64[?], %out: f64[?,?], %lo: int, %st: int) -> f64[?,?] @"k.py":1:1 {
  %n = dim %out {axis = 0} : int @2:5
  %0 = const {value = 0} : int @3:5
  %1 = const {value = 1} : int @3:5
  %r = for_range %0, %n, %1, %out {parallel = true} : f64[?,?] @3:5 body(%i: int, %o: f64[?,?]) {
    %row = getitem %A, %i {index = (i,)} : f64[?] @4:9
    %neg = const {value = -1} : int @4:9
    %last = getitem %A, %i, %neg {index = (i, i)} : f64 @4:9
    %part = getitem %v, %lo, %st {index = (s101,)} : f64[?] @5:9
    %col = getitem %A, %lo {index = (s000, i)} : f64[?] @5:9
    %s = multiply %last, %row : f64[?] @6:9
    %t = add %s, %part : f64[?] @6:9
    %d = true_divide %t, %col : f64[?] @6:9
    %o2 = setitem %o, %i, %d {index = (i,)} : f64[?,?] @7:9
    yield %o2 @3:5
  }
  return %r @8:5
}
"""


@pytest.mark.parametrize("lo, st", [(0, 1), (1, 2), (-1, -1), (3, -3)])
def test_views_slices_and_broadcasting(threads, lo, st):
    rng = np.random.default_rng(1)
    n = 4
    A = rng.random((n, n)) + 0.5
    m = len(range(*slice(lo, None, st).indices(12)))
    v = rng.random(12)
    if m != n:     # broadcasting fails like NumPy: shapes (4,) and (m,)
        with pytest.raises(ValueError, match="could not be broadcast"):
            lower(parse_physl(INDEXING)).run((A, v, np.zeros((n, n)), lo, st))
        return
    check(INDEXING, [A, v, np.zeros((n, n)), lo, st])


def test_view_of_a_transposed_input(threads):
    rng = np.random.default_rng(2)
    A = rng.random((12, 12)).T[::3, ::3] + 0.5      # strided, transposed
    v = rng.random(16)
    check(INDEXING, [A, v, np.zeros((4, 4)), 0, 4])


def test_nan_and_inf_flow_through(threads):
    A = np.array([[1.0, np.nan], [np.inf, 2.0]])
    v = np.array([-np.inf, np.nan])
    with np.errstate(invalid="ignore"):      # inf - inf: NumPy's warning is not the point
        check(INDEXING, [A, v, np.zeros((2, 2)), 0, 1])


PRODUCTS = """
func @f(%A: f64[?,?], %B: f64[?,?], %w: f64[?], %out: f64[?]) -> f64[?] @"k.py":1:1 {
  %n = dim %out {axis = 0} : int @2:5
  %0 = const {value = 0} : int @3:5
  %1 = const {value = 1} : int @3:5
  %r = for_range %0, %n, %1, %out {parallel = true} : f64[?] @3:5 body(%i: int, %o: f64[?]) {
    %P = matmul_t %A, %B {transpose_b = true} : f64[?,?] @4:9
    %Q = matmul_t %A, %P {transpose_a = true} : f64[?,?] @4:9
    %R = matmul %Q, %B : f64[?,?] @4:9
    %y = matmul %R, %w : f64[?] @5:9
    %z = matmul_t %R, %w {transpose_a = true} : f64[?] @5:9
    %s = dot %y, %z : f64 @6:9
    %fi = const {value = 1.5} : float @6:9
    %s2 = multiply %s, %fi : float @6:9
    %o2 = setitem %o, %i, %s2 {index = (i,)} : f64[?] @7:9
    yield %o2 @3:5
  }
  return %r @8:5
}
"""


@pytest.mark.parametrize("order", ["C", "F", "strided"])
def test_products_every_transpose_and_layout(threads, order):
    rng = np.random.default_rng(3)
    A, B, w = rng.random((5, 4)), rng.random((3, 4)), rng.random(4)
    if order == "F":
        A, B = np.asfortranarray(A), np.asfortranarray(B)
    elif order == "strided":
        A, B = rng.random((10, 8))[::2, ::2], rng.random((6, 8))[::2, 1::2]
    check(PRODUCTS, [A, B, w, np.zeros(6)])


def test_product_shape_mismatch_is_a_value_error(threads):
    rng = np.random.default_rng(3)
    ex = lower(parse_physl(PRODUCTS))
    with pytest.raises(ValueError, match="matmul: Input operand 1 has a mismatch"):
        ex.run((rng.random((5, 4)), rng.random((3, 4)), rng.random(3), np.zeros(2)))


def test_empty_and_negative_ranges(threads):
    rng = np.random.default_rng(0)
    indptr, indices, data = csr(5, 8, 0.5, rng)
    got = check(RIDGE, [indptr, indices, data, rng.random((8, 3)), np.zeros((0, 3)), 0.1])
    assert got.shape == (0, 3)


def test_one_and_two_threads_agree_bitwise():
    rng = np.random.default_rng(5)
    indptr, indices, data = csr(200, 80, 0.2, rng)
    Y, X0 = rng.random((80, 10)), rng.random((200, 10))
    ex = lower(parse_physl(RIDGE))
    before = rt.num_threads()
    try:
        outs = []
        for n in (1, 2):
            rt.set_num_threads(n)
            outs.append(ex.run((indptr, indices, data, Y, X0.copy(), 0.1)))
    finally:
        rt.set_num_threads(before)
    np.testing.assert_array_equal(outs[0], outs[1])


def test_bodies_with_other_ops_stay_on_the_graph_executor():
    text = RIDGE.replace("%A = add %G, %lI : f64[?,?] @11:9",
                         "%A0 = add %G, %lI : f64[?,?] @11:9\n"
                         "    %A = transpose %A0 : f64[?,?] @11:9")
    ex = lower(parse_physl(text))
    assert not loop_kernel_used(ex)


def test_explicit_als_example_uses_the_loop_kernel_and_matches_numpy(threads):
    from phylanx.data import movielens_like
    from phylanx.examples import als

    ratings = movielens_like(n_users=120, n_movies=60, n_ratings=2000, seed=1).csr()
    X0, Y0 = als.init_factors(ratings.shape[0], ratings.shape[1], 5, seed=2)
    args = (*ratings.arrays(), X0, Y0, 0.1, 3)
    want = als.als_explicit_numpy(*args)
    got = als.als_explicit(*args)
    compiled = als.als_explicit.compile(als.als_explicit._types(args))
    notes = compiled._executable.notes
    assert sum("native loop kernel" in n for n in notes) == 2, notes
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12)
    X0c = X0.copy()
    als.als_explicit(*args)
    np.testing.assert_array_equal(X0, X0c)   # the kernel copies, never writes its inputs


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGALRM"),
                    reason="the test raises Ctrl-C in the running kernel with signal.setitimer (SIGALRM), which this platform lacks")
def test_keyboard_interrupt_stops_a_long_loop_kernel(threads):
    """Chunks of about 20 ms: the calling thread looks at signals between them."""
    from phylanx.bench.scheduler import _ctrl_c_latency

    rng = np.random.default_rng(0)
    n = 200_000
    A, B, w = rng.random((60, 60)), rng.random((60, 60)), rng.random(60)
    ex = lower(parse_physl(PRODUCTS))
    latency = _ctrl_c_latency(lambda: ex.run((A, B, w, np.zeros(n))))
    assert latency < 0.1, latency
    assert not rt._threads.concurrent_sections()
    small = ex.run((A, B, w, np.zeros(3)))        # still usable
    assert small.shape == (3,)


IMPLICIT = """
func @f(%conf: f64[?,?], %Y: f64[?,?], %YtY: f64[?,?], %lI: f64[?,?], %Ii: f64[?,?], %X: f64[?,?], %c: float) -> f64[?,?] @"k.py":1:1 {
  %n = dim %X {axis = 0} : int @2:5
  %0 = const {value = 0} : int @3:5
  %1 = const {value = 1} : int @3:5
  %r = for_range %0, %n, %1, %X {parallel = true} : f64[?,?] @3:5 body(%u: int, %Xc: f64[?,?]) {
    %row = getitem %conf, %u {index = (i,)} : f64[?] @4:9
    %Cu = diag %row : f64[?,?] @4:9
    %m = not_equal %row, %0 : bool[?] @5:9
    %g = greater %row, %c : bool[?] @5:9
    %pu = astype %m {dtype = f64} : f64[?] @5:9
    %gu = astype %g {dtype = f64} : f64[?] @5:9
    %t = matmul_t %Y, %Cu {transpose_a = true} : f64[?,?] @6:9
    %YCY = matmul %t, %Y : f64[?,?] @6:9
    %A = fused %YtY, %YCY, %lI : f64[?,?] @6:9 body(%a: f64, %b: f64, %d: f64) {
      %e = add %a, %b : f64 @6:9
      %h = const {value = 2.0} : float @6:9
      %f = multiply %d, %h : f64 @6:9
      %s = subtract %e, %f : f64 @6:9
      yield %s @6:9
    }
    %CI = add %Cu, %Ii : f64[?,?] @7:9
    %t2 = matmul_t %Y, %CI {transpose_a = true} : f64[?,?] @7:9
    %b0 = matmul %t2, %pu : f64[?] @7:9
    %gk = matmul_t %Y, %gu {transpose_a = true} : f64[?] @7:9
    %bv = add %b0, %gk : f64[?] @7:9
    %x = linalg.solve %A, %bv : f64[?] @8:9
    %X2 = setitem %Xc, %u, %x {index = (i,)} : f64[?,?] @8:9
    yield %X2 @3:5
  }
  return %r @9:5
}
"""


def test_diag_comparisons_astype_and_fused_bodies(threads):
    rng = np.random.default_rng(7)
    n_items, k = 12, 3
    conf = np.where(rng.random((9, n_items)) < 0.4, 40.0 * rng.integers(1, 5, (9, n_items)),
                    0.0)
    Y = rng.random((n_items, k))
    check(IMPLICIT, [conf, Y, Y.T @ Y, 5.0 * np.eye(k), np.eye(n_items), np.zeros((9, k)),
                     60.0])


def test_implicit_als_example_uses_the_loop_kernel_and_matches_numpy(threads):
    from phylanx.examples import als

    rng = np.random.default_rng(3)
    R = np.where(rng.random((25, 18)) < 0.3, rng.integers(1, 6, (25, 18)), 0).astype(float)
    X0, Y0 = als.init_factors(25, 18, 4, seed=1)
    args = (R, X0, Y0, 40.0, 0.1, 2)
    want = als.als_implicit_numpy(*args)
    got = als.als_implicit(*args)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12)
    notes = als.als_implicit.compile(als.als_implicit._types(args))._executable.notes
    assert sum("native loop kernel" in n for n in notes) == 2, notes
