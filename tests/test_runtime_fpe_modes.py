"""Every np.errstate mode (ignore, warn, raise, call, print, log) on every native engine that
raises floating-point flags: the elementwise engine, reductions, casts (_move), scans,
matvec_pair (native and its blocked reference), BLAS products, parallel loops (the native loop
kernel and the executor's) and dataflow graphs report exactly what NumPy reports for the same
code: the same warnings in the same order, the same exception, the same calls of the error
callback, the same printed and logged lines (runtime/_fpe.py), on one thread and on two with
every node a task (reports of concurrent nodes come in program order)."""

import importlib.util
import pathlib
import warnings

import numpy as np
import pytest

import phylanx.runtime as rt

_spec = importlib.util.spec_from_file_location(
    "fpe_kernels", pathlib.Path(__file__).with_name("fpe_kernels.py"))
K = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(K)

N = 50_000      # large enough for the native engines (and a team with 2 threads)


def with_values(values, fill=1.0, n=N):
    a = np.full(n, fill)
    a[n // 2:n // 2 + len(values)] = values
    return a


def logreg_inputs(rows=3000):
    """exp(-z) overflows; more rows than one block of fused.py's blocked evaluation."""
    r = np.random.default_rng(0)
    X = r.standard_normal((rows, 40))
    w = np.zeros(40)
    w[0] = -2000.0
    return X, w, (r.random(rows) > 0.5).astype(float)


def tiny_rows(n=300, where=slice(-5, None), fill=1e-200, dtype=np.float64):
    """A matrix of ones with some rows of tiny values, and a tiny vector: whether a BLAS
    product raises "underflow" depends on its kernel's order of sums (and OpenBLAS's threads)."""
    A = np.ones((n, n), dtype)
    A[where] = fill
    return A, np.full(n, fill, dtype)


def loop_inputs(rows=20000, zeros=None):
    """Rows of ones, a few zeros in a and b: log(0) and x / 0 in some iterations, early and
    late (a team of two threads runs the late ones)."""
    a, b = np.ones((rows, 8)), np.ones((rows, 8))
    if zeros is None:
        zeros = ((3, 2), (7, 1), (rows * 3 // 4, 4), (rows - 10, 0))
    for k, (i, j) in enumerate(zeros):
        (a if k % 2 else b)[i, j] = 0.0
    a[7, 1] = b[7, 1] = 0.0             # log(0) and -inf / 0 in one iteration
    return a, b


def tiny_row_products(rows=20000):
    """Rows of ones, a few with an element 1e-10, and 1e-300s: (a[i] * b[i]) @ c underflows
    (1e-310) in those rows only, early and late."""
    a, b = loop_inputs(rows, zeros=())
    a[[2, 9, rows // 2, rows - 4], [1, 0, 7, 3]] = 1e-10
    return a, b, np.full(8, 1e-300)


def zero_rows(rows):
    """a / b of row sums, some 1 / 0 and 0 / 0 (scalar divides), early and late."""
    a, b = np.ones((rows, 8)), np.ones((rows, 8))
    b[[3, 7, rows - 20, rows - 3]] = 0.0
    a[[7, rows - 3]] = 0.0
    return a, b


def slow_then_fast(n=2_000_000):
    """Iterations 0 and 1 sum all of a, the others a thousandth of it: iteration 1 (1 / 0)
    ends after iteration 2 (0 / 0) when another thread runs iteration 2."""
    a = np.zeros(n)
    a[-1] = 1.0
    b = np.ones(16)
    b[1:3] = 0.0
    return a, b


CASES = {
    "elementwise divide": (K.divide, lambda: (np.ones(N), with_values([0.0]))),
    "elementwise 0/0 and x/0": (K.divide, lambda: (with_values([0.0, 1.0]),
                                                   with_values([0.0, 0.0]))),
    "elementwise exp overflow": (K.exp_twice, lambda: (with_values([1000.0]),)),
    "reduce overflow": (K.total, lambda: (np.full(N, 1e305),)),
    "reduce underflow": (K.product, lambda: (with_values([1e-200, 1e-200]),)),
    "reduce var": (K.variance, lambda: (np.full((4000, 3), 1e300),)),
    "cast overflow": (K.as_f32, lambda: (with_values([1e300]),)),
    "cast underflow": (K.as_f32, lambda: (with_values([1e-50]),)),
    "cast invalid": (K.as_i32, lambda: (with_values([np.nan]),)),
    "scan overflow": (K.running_sum, lambda: (np.full(N, 1e305),)),
    "scan underflow": (K.running_product, lambda: (with_values([1e-200, 1e-200]),)),
    "matvec_pair exp overflow": (K.gradient, logreg_inputs),
    "matvec_pair reference f32": (K.gradient, lambda: tuple(
        v.astype(np.float32) for v in logreg_inputs())),
    "reductions in program order": (K.reductions, lambda: (np.full((4000, 3), 1e300),)),
    "products underflow": (K.products, lambda: (np.full((90, 90), 1e-200),) * 2
                           + (np.full(90, 1e-200),)),
    "products f32 underflow": (K.products, lambda: (np.full((90, 90), 1e-30, np.float32),) * 2
                               + (np.full(90, 1e-30, np.float32),)),
    "products overflow": (K.products, lambda: (np.full((90, 90), 1e200),) * 2
                          + (np.full(90, 1e200),)),
    "product forms, tiny last rows": (K.matvec_forms, tiny_rows),
    "product forms, tiny first rows": (K.matvec_forms, lambda: tiny_rows(where=slice(0, 5))),
    "product forms f32": (K.matvec_forms, lambda: tiny_rows(fill=1e-30, dtype=np.float32)),
    "native parallel loop": (K.rows_log_ratio, loop_inputs),
    "native parallel loop, products": (K.rows_scaled_products, tiny_row_products),
    "parallel loop of the executor": (K.rows_total_ratio, lambda: zero_rows(400)),
    "parallel loop, slow iteration first": (K.shrinking_sum_ratio, slow_then_fast),
}


class _Log:
    def __init__(self, sink):
        self.sink = sink

    def write(self, text):
        self.sink.append(("log", text))


def outcome(f, args, mode, capfd):
    """What f(*args) reports under np.errstate(all=mode): (RuntimeWarnings in order, the
    exception, the error callback's calls or the log's lines, what went to stderr, result)."""
    calls = []
    handler = _Log(calls) if mode == "log" else (lambda kind, flags: calls.append((kind, flags)))
    capfd.readouterr()
    exc, result = None, None
    with warnings.catch_warnings(record=True) as caught, np.errstate(all=mode, call=handler):
        warnings.simplefilter("always")
        try:
            result = f(*args)
        except FloatingPointError as e:
            exc = str(e)
    printed = capfd.readouterr().err
    messages = [str(w.message) for w in caught if w.category is RuntimeWarning]
    return messages, exc, calls, printed, result


@pytest.fixture(params=["1thread", "2threads", "2threads-eager"])
def threads(request):
    """One thread; two; two with every node a task and every job a team (thresholds 0)."""
    before = rt.num_threads(), rt.get_task_threshold(), rt.get_team_threshold()
    rt.set_num_threads(1 if request.param == "1thread" else 2)
    if request.param.endswith("eager"):
        rt.set_task_threshold(0)
        rt.set_team_threshold(0)
    yield
    rt.set_num_threads(before[0])
    rt.set_task_threshold(before[1])
    rt.set_team_threshold(before[2])


@pytest.mark.parametrize("mode", ["ignore", "warn", "raise", "call", "print", "log"])
@pytest.mark.parametrize("case", list(CASES))
def test_every_mode_on_every_engine(case, mode, threads, capfd):
    kernel, make = CASES[case]
    args = make()
    with np.errstate(all="ignore"):
        kernel(*args)                       # compiled outside the error state under test
    want = outcome(kernel.py_func, args, mode, capfd)
    got = outcome(kernel, args, mode, capfd)
    assert got[:4] == want[:4]
    if mode != "ignore":
        assert any(want[:4]), "the case must make NumPy report"
    if want[4] is not None:
        for g, w in zip(*(v if isinstance(v, tuple) else (v,) for v in (got[4], want[4]))):
            rtol = 1e-4 if np.asarray(w).dtype == np.float32 else 1e-6
            np.testing.assert_allclose(g, w, rtol=rtol, equal_nan=True)
