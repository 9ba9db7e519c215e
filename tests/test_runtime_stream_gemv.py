"""The streaming f64 matrix-vector product (runtime/stream_gemv.h via _linalg's gemv job).

Matrices bigger than twice the L3 cache stream on a team that claims row blocks dynamically.
Here the size threshold is lowered to 0, so small matrices take that path and every layout,
stride, ragged block and group of fewer than 4 rows is compared with NumPy.
"""

import numpy as np
import pytest
from test_runtime_linalg import binop, layouts, run

import phylanx
from phylanx.runtime import _linalg, set_num_threads
from phylanx.runtime.natives import preparer_for


@pytest.fixture
def streaming():
    """Every f64 gemv streams (size threshold 0); restores the threshold and thread count."""
    old = _linalg.set_stream_gemv_bytes(0)
    _linalg.stream_gemv_runs(reset=True)
    try:
        yield
    finally:
        _linalg.set_stream_gemv_bytes(old)
        set_num_threads(phylanx.runtime._threads._default_num_threads())


def close(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * np.abs(want).max(initial=1))


# Row counts around the 4-row groups and the 256 KB blocks (1003 x 37: blocks of 884 rows,
# the last one ragged; k = 1000: blocks of 32 rows), column counts off the vector width.
SHAPES = [(1, 40), (3, 33), (5, 2000), (37, 65), (1003, 37), (130, 1000), (64, 64)]


@pytest.mark.parametrize("threads", [2, 3])
@pytest.mark.parametrize("shape", SHAPES)
def test_matrix_vector_every_layout(streaming, threads, shape):
    set_num_threads(threads)
    r = np.random.default_rng(3)
    A = r.standard_normal(shape)
    pv = preparer_for(binop("matmul", "f64[?,?]", "f64[?]"))
    vp = preparer_for(binop("matmul", "f64[?]", "f64[?,?]"))
    xs = r.standard_normal(2 * shape[1])
    ys = r.standard_normal(2 * shape[0])
    for name, a in layouts(A).items():
        for x in (xs[:shape[1]], xs[::2], xs[::-1][:shape[1]]):
            before = _linalg.stream_gemv_runs()
            close(run(pv, a, x), a @ x)
            # BLAS's column-major view: C-order rows (or F-order columns) of >= 32 doubles
            long_rows = shape[1] if a.strides[1] == 8 else shape[0]
            if long_rows >= 32 and name != "cstep":
                assert _linalg.stream_gemv_runs() == before + 1, name
        for y in (ys[:shape[0]], ys[::2]):
            close(run(vp, y, a), y @ a)


def test_transposed_operand(streaming):
    set_num_threads(2)
    r = np.random.default_rng(4)
    A = r.standard_normal((300, 200))
    p = preparer_for(binop("matmul_t", "f64[?,?]", "f64[?]", transpose_a=True))
    v = r.standard_normal(300)
    close(run(p, A, v), A.T @ v)
    close(run(p, np.asfortranarray(A), v), A.T @ v)
    assert _linalg.stream_gemv_runs() == 2


def test_nan_inf_propagate_like_numpy(streaming):
    set_num_threads(2)
    r = np.random.default_rng(5)
    A = r.standard_normal((50, 70))
    A[3, 10] = np.nan
    A[20, 5] = np.inf
    A[21, 5] = -np.inf
    x = r.standard_normal(70)
    v = r.standard_normal(50)
    pv = preparer_for(binop("matmul", "f64[?,?]", "f64[?]"))
    vp = preparer_for(binop("matmul", "f64[?]", "f64[?,?]"))
    with np.errstate(all="ignore"):
        for got, want in ((run(pv, A, x), A @ x), (run(vp, v, A), v @ A)):
            np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
            np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
            fin = np.isfinite(want)
            np.testing.assert_allclose(got[fin], want[fin], rtol=1e-12)
    assert _linalg.stream_gemv_runs() == 2


def test_overflow_follows_errstate(streaming):
    set_num_threads(2)
    A = np.full((40, 40), 1e300)
    x = np.full(40, 1e300)
    pv = preparer_for(binop("matmul", "f64[?,?]", "f64[?]"))
    with np.errstate(over="ignore"):
        got = run(pv, A, x)
    assert np.isinf(got).all()
    with np.errstate(over="raise"), pytest.raises(FloatingPointError):
        run(pv, A, x)


def test_when_it_does_not_stream(streaming):
    r = np.random.default_rng(6)
    pv = preparer_for(binop("matmul", "f64[?,?]", "f64[?]"))
    A, x = r.standard_normal((100, 100)), r.standard_normal(100)
    set_num_threads(1)                   # one thread: OpenBLAS's own gemv
    close(run(pv, A, x), A @ x)
    set_num_threads(2)
    close(run(pv, A[:, :20], x[:20]), A[:, :20] @ x[:20])     # rows shorter than 32
    pf = preparer_for(binop("matmul", "f32[?,?]", "f32[?]"))  # f32: sgemv
    close(run(pf, A.astype(np.float32), x.astype(np.float32)),
          A.astype(np.float32) @ x.astype(np.float32))
    _linalg.set_stream_gemv_bytes(100 * 100 * 8 + 1)         # below the size threshold
    close(run(pv, A, x), A @ x)
    assert _linalg.stream_gemv_runs() == 0
    _linalg.set_stream_gemv_bytes(100 * 100 * 8)
    close(run(pv, A, x), A @ x)
    assert _linalg.stream_gemv_runs() == 1


def test_default_threshold_is_above_cache():
    assert _linalg.get_stream_gemv_bytes() >= 128 << 20


def logreg_two_passes(X, y, w, iterations):
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(X @ w)))
        w = w - 0.01 * (X.T @ (p - y))
    return w


def test_kernel_logreg_without_the_pair(streaming):
    """Unfused LogReg through the executor: both products stream, results equal NumPy's."""
    from phylanx.passes import DEFAULT_PIPELINE
    from phylanx.runtime import _threads
    pipeline = ",".join(p for p in DEFAULT_PIPELINE.split(",") if p != "fuse-matvec-pair")
    kern = phylanx.Kernel(logreg_two_passes, passes=pipeline)
    r = np.random.default_rng(8)
    X = r.standard_normal((400, 300))
    y = (r.random(400) > 0.5).astype(float)
    set_num_threads(2)
    old_team = _threads.get_team_threshold()
    _threads.set_team_threshold(0)
    try:
        got = kern(X, y, np.zeros(300), 5)
    finally:
        _threads.set_team_threshold(old_team)
    close(got, logreg_two_passes(X, y, np.zeros(300), 5))
    assert _linalg.stream_gemv_runs() == 10
