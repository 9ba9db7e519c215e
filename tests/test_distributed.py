"""Kernels called with Dask arrays run on a Dask cluster (phylanx.distributed).

One LocalCluster (2 worker processes x 1 thread, as in the docs' measurements) serves every
test of the module; each test compares with the plain NumPy function on the same data. Skipped
when dask.distributed is not installed (`pip install ".[distributed]"`).
"""

import os
import signal
import sys
import warnings

import numpy as np
import pytest

pytest.importorskip("distributed", reason="needs dask.distributed: pip install "
                                          "'phylanx[distributed]'")
da = pytest.importorskip("dask.array", reason="needs dask.array: pip install "
                                              "'phylanx[distributed]'")

import phylanx
from phylanx import distributed as pd
from phylanx.distributed import worker as W
from phylanx.examples.als import (
    als_explicit,
    als_explicit_numpy,
    als_implicit,
    als_implicit_numpy,
    init_factors,
)
from phylanx.examples.kmeans import kmeans, kmeans_numpy
from phylanx.examples.linreg import linreg, linreg_numpy
from phylanx.examples.logreg import logreg, logreg_numpy

TIMEOUT = 60.0       # seconds: the longest any one wait for the cluster may take in a test


@pytest.fixture(scope="module")
def client():
    import cloudpickle
    from distributed import Client, LocalCluster

    # the helpers below run on the workers, which cannot import this test module
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    cluster = LocalCluster(processes=True, n_workers=2, threads_per_worker=1,
                           dashboard_address=None, silence_logs=40)
    c = Client(cluster, timeout=TIMEOUT)
    try:
        c.wait_for_workers(2, timeout=TIMEOUT)
        with pd.using(c, timeout=TIMEOUT):
            yield c
    finally:
        c.close(timeout=TIMEOUT)
        cluster.close(timeout=TIMEOUT)


def test_no_client_is_a_clear_error():
    """Runs first, before the module's client exists."""
    Xn = np.ones((4, 2))
    from distributed import get_client

    try:
        get_client()
    except ValueError:
        with pytest.raises(RuntimeError, match="needs a Dask client"):
            logreg(da.from_array(Xn), np.ones(4), 1e-3, 1)
    else:
        pytest.skip("a default Dask client exists in this process")


def test_unaligned_arrays_are_copied_before_the_runtime_sees_them():
    """Arrays unpickled from network frames may start at any byte."""
    x = np.arange(12.0).reshape(3, 4)
    buf = np.empty(x.nbytes + 1, np.uint8)
    unaligned = np.frombuffer(buf[1:].data, dtype=np.float64).reshape(x.shape)
    unaligned[...] = x
    assert not unaligned.flags.aligned
    got = W.aligned(unaligned)
    assert got.flags.aligned and got.dtype == x.dtype
    np.testing.assert_array_equal(got, x)
    assert W.aligned(x) is x


def _regression_data(n=600, d=7, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = (rng.random(n) > 0.5).astype(np.float64)
    return X, y


def _no_warnings(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args)


@pytest.mark.parametrize("chunks", [150, 97, 600])
def test_logreg_matches_numpy(client, chunks):
    Xn, yn = _regression_data()
    X = da.from_array(Xn, chunks=(chunks, -1))
    y = da.from_array(yn, chunks=chunks)
    got = _no_warnings(logreg, X, y, 1e-3, 12)
    assert isinstance(got, np.ndarray)
    want = logreg_numpy(Xn, yn, 1e-3, 12)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_logreg_chunks_of_y_differ_from_X(client):
    """y's blocks are regrouped by X's rows."""
    Xn, yn = _regression_data(n=300)
    got = logreg(da.from_array(Xn, chunks=(100, -1)), da.from_array(yn, chunks=75), 1e-3, 5)
    np.testing.assert_allclose(got, logreg_numpy(Xn, yn, 1e-3, 5), rtol=1e-12, atol=1e-14)


def test_linreg_matches_numpy(client):
    Xn, yn = _regression_data(seed=1)
    X = da.from_array(Xn, chunks=(200, -1))
    y = da.from_array(yn, chunks=200)
    got = _no_warnings(linreg, X, y, 0.05, 15)
    np.testing.assert_allclose(got, linreg_numpy(Xn, yn, 0.05, 15), rtol=1e-12, atol=1e-14)


def test_kmeans_matches_numpy_and_labels_stay_partitioned(client):
    rng = np.random.default_rng(2)
    centres = np.array([[0.0, 0.0], [5.0, 5.0], [-5.0, 5.0]])
    Xn = np.concatenate([c + rng.standard_normal((100, 2)) for c in centres])
    rng.shuffle(Xn)
    C0 = Xn[:3].copy()
    X = da.from_array(Xn, chunks=(70, -1))
    C, labels = _no_warnings(kmeans, X, C0, 6)
    want_C, want_labels = kmeans_numpy(Xn, C0, 6)
    assert isinstance(C, np.ndarray)
    np.testing.assert_allclose(C, want_C, rtol=1e-12, atol=1e-14)
    assert isinstance(labels, da.Array)          # partitioned: its blocks stay on the workers
    assert labels.chunks == ((70, 70, 70, 70, 20),)
    got_labels = labels.compute()
    assert got_labels.dtype == want_labels.dtype
    np.testing.assert_array_equal(got_labels, want_labels)


def test_explicit_als_matches_numpy(client):
    sp = pytest.importorskip("scipy.sparse")
    R = sp.random(20, 15, density=0.3, random_state=1, format="csr")
    Rc = R.tocsc()
    csr = (R.indptr.astype(np.int64), R.indices.astype(np.int64), R.data)
    csc = (Rc.indptr.astype(np.int64), Rc.indices.astype(np.int64), Rc.data)
    X0, Y0 = init_factors(20, 15, 3)
    want = als_explicit_numpy(*csr, *csc, X0, Y0, 0.1, 3)
    with pytest.warns(pd.GatherWarning, match=r"als\.py:\d+:\d+: .*%X is gathered .*once"):
        got = als_explicit(*csr, *csc, da.from_array(X0, chunks=(5, -1)), Y0, 0.1, 3)
    for g, w in zip(got, want):
        g = g.compute() if isinstance(g, da.Array) else g
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


def test_implicit_als_matches_numpy(client):
    rng = np.random.default_rng(3)
    Rn = np.where(rng.random((12, 9)) < 0.3, rng.integers(1, 5, (12, 9)), 0).astype(float)
    X0, Y0 = init_factors(12, 9, 3)
    want = als_implicit_numpy(Rn, X0, Y0, 40.0, 0.1, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.GatherWarning)
        got = als_implicit(da.from_array(Rn, chunks=(4, -1)), X0, Y0, 40.0, 0.1, 2)
    for g, w in zip(got, want):
        g = g.compute() if isinstance(g, da.Array) else g
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


@phylanx.kernel
def _scaled_rows(X, c):
    return X * c + 1.0, (X * X).sum(axis=1), X.max()


def test_partitioned_results_are_dask_arrays(client):
    rng = np.random.default_rng(4)
    Xn = rng.standard_normal((50, 3)).astype(np.float32)
    X = da.from_array(Xn, chunks=(20, -1))
    Y, sq, top = _no_warnings(_scaled_rows, X, 2.0)
    wY, wsq, wtop = _scaled_rows.py_func(Xn, 2.0)
    assert isinstance(Y, da.Array) and isinstance(sq, da.Array)
    assert Y.chunks == ((20, 20, 10), (3,))
    assert Y.dtype == wY.dtype and sq.dtype == wsq.dtype
    np.testing.assert_allclose(Y.compute(), wY, rtol=1e-6)
    np.testing.assert_allclose(sq.compute(), wsq, rtol=1e-6)
    assert np.asarray(top).dtype == np.asarray(wtop).dtype and top == wtop


@phylanx.kernel
def _argmin_of(x):
    return np.argmin(x)


def test_gather_warning_names_the_source_line(client):
    xn = np.array([3.0, 1.0, 2.0, -4.0, 5.0])
    line = _argmin_of.py_func.__code__.co_firstlineno + 2
    with pytest.warns(pd.GatherWarning, match=rf"test_distributed\.py:{line}:\d+: .*%x is "
                                              r"gathered.*argmin"):
        got = _argmin_of(da.from_array(xn, chunks=2))
    assert got == np.argmin(xn)


def test_physl_shows_the_layouts(client):
    Xn, yn = _regression_data(n=40)
    text = logreg.physl(da.from_array(Xn, chunks=(10, -1)), da.from_array(yn, chunks=10),
                        1e-3, 3)
    import re

    found = re.search(r'(%\w+) = matvec_pair %X, %\w+, %y \{dist\.layout = "partial\(sum\)"\}',
                      text)
    assert found, text
    assert re.search(rf"= dist_reduce {found.group(1)} ", text), text


def test_workers_compile_the_shipped_physl(client):
    """What reaches a worker is PhySL text, compiled there once per text."""
    Xn, yn = _regression_data(n=40)
    logreg(da.from_array(Xn, chunks=(10, -1)), da.from_array(yn, chunks=10), 1e-3, 2)
    texts = client.run(lambda: sorted(W._compiled))
    assert texts and all(texts.values())
    for found in texts.values():
        for text in found:
            assert text.startswith("func @segment(")


def _pretend_other_version():
    import phylanx as worker_phylanx

    worker_phylanx.__version__, old = "0.0.0-other", worker_phylanx.__version__
    W.fingerprint.cache_clear()
    return old


def _restore_version(old):
    import phylanx as worker_phylanx

    worker_phylanx.__version__ = old
    W.fingerprint.cache_clear()


def test_version_mismatch_is_a_clear_error(client):
    Xn, yn = _regression_data(n=40)
    X, y = da.from_array(Xn, chunks=(10, -1)), da.from_array(yn, chunks=10)
    olds = client.run(_pretend_other_version)
    try:
        pd._checked_clients.discard(client)
        with pytest.raises(pd.VersionMismatch, match=r"0\.0\.0-other"):
            logreg(X, y, 1e-3, 2)
        # each task checks again (a worker may join after the first check)
        pd._checked_clients.add(client)
        with pytest.raises(pd.VersionMismatch, match=r"runs phylanx 0\.0\.0-other"):
            logreg(X, y, 1e-3, 2)
    finally:
        for addr, old in olds.items():
            client.run(_restore_version, old, workers=[addr])
        pd._checked_clients.discard(client)
    np.testing.assert_allclose(logreg(X, y, 1e-3, 2), logreg_numpy(Xn, yn, 1e-3, 2),
                               rtol=1e-12, atol=1e-14)


def test_killed_worker_gives_the_right_result_or_a_clear_error(client, monkeypatch):
    """A worker process killed in the middle of a run (at the 5th of 20 iterations' block
    tasks): Dask recomputes its blocks on the other worker (the result is right) or the call
    fails with an error; the timeout bounds every wait, so it never hangs."""
    from distributed import KilledWorker

    from phylanx.distributed import driver

    Xn, yn = _regression_data(n=800, d=10, seed=5)
    X, y = da.from_array(Xn, chunks=(100, -1)), da.from_array(yn, chunks=100)
    want = logreg_numpy(Xn, yn, 1e-4, 20)
    logreg(X, y, 1e-4, 1)                  # compiled on the workers beforehand
    victim = min(client.run(os.getpid).values())
    calls = []
    blocks = driver.Run.blocks

    def blocks_then_kill(self, seg, env):
        calls.append(seg)
        if len(calls) == 5:
            os.kill(victim, signal.SIGKILL)
        return blocks(self, seg, env)

    monkeypatch.setattr(driver.Run, "blocks", blocks_then_kill)
    try:
        got = logreg(X, y, 1e-4, 20)
    except (KilledWorker, TimeoutError, OSError) as e:
        assert str(e)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-14)
    finally:
        client.wait_for_workers(2, timeout=TIMEOUT)     # the nanny restarts it
    assert len(calls) == 20
    assert victim not in client.run(os.getpid).values()
