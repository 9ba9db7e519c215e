"""Every np.errstate mode (ignore, warn, raise, call, print, log) on every native engine that
raises floating-point flags: the elementwise engine, reductions, casts (_move), scans and
matvec_pair report exactly what NumPy reports for the same code: the same warnings in the same
order, the same exception, the same calls of the error callback, the same printed and logged
lines (runtime/_fpe.py)."""

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


@pytest.fixture(params=[1, 2], ids=["1thread", "2threads"])
def threads(request):
    before = rt.num_threads()
    rt.set_num_threads(request.param)
    yield
    rt.set_num_threads(before)


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
            np.testing.assert_allclose(g, w, rtol=1e-6, equal_nan=True)
