"""The installed package has a working compiled OpenMP runtime."""

import os
import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose

import phylanx.runtime as rt
from phylanx.runtime import _threads

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _editable_install():
    return any(type(f).__module__.startswith("_phylanx_editable_loader") for f in sys.meta_path)


@pytest.fixture
def restore_threads():
    n = rt.num_threads()
    yield
    rt.set_num_threads(n)


def test_runtime_is_installed_copy():
    if _editable_install():
        pytest.skip("editable install: phylanx.runtime is loaded from the source runtime/")
    here = os.path.realpath(rt.__file__)
    assert not here.startswith(os.path.join(os.path.realpath(REPO), "runtime") + os.sep)
    assert os.path.basename(os.path.dirname(here)) == "runtime"
    assert os.path.basename(os.path.dirname(os.path.dirname(here))) == "phylanx"


def test_extension_module_name():
    assert _threads.__name__ == "phylanx.runtime._threads"
    assert _threads.__file__.endswith((".so", ".pyd"))


def test_num_threads_round_trip(restore_threads):
    for n in (1, 2, 3):
        rt.set_num_threads(n)
        assert rt.num_threads() == n
        assert rt.openmp_max_threads() == n


def test_set_num_threads_rejects_zero():
    with pytest.raises(ValueError):
        rt.set_num_threads(0)
    with pytest.raises(TypeError):
        rt.set_num_threads(1.5)


def test_parallel_thread_ids(restore_threads):
    rt.set_num_threads(2)
    ids = _threads.parallel_thread_ids(8)
    assert len(ids) == 8
    assert all(i in range(rt.num_threads()) for i in ids)
    assert _threads.parallel_thread_ids(0) == []


def test_parallel_sum():
    x = np.random.default_rng(0).standard_normal(100_001)
    assert_allclose(_threads.parallel_sum(x), np.sum(x), rtol=1e-10)
    assert _threads.parallel_sum(np.empty(0)) == 0.0
    x.flags.writeable = False
    assert_allclose(_threads.parallel_sum(x), np.sum(x), rtol=1e-10)


def _threads_in_subprocess(tmp_path, value):
    env = dict(os.environ, PHYLANX_NUM_THREADS=value)
    code = "import phylanx.runtime as r; print(r.num_threads())"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_default_threads_from_env(tmp_path):
    proc = _threads_in_subprocess(tmp_path, "3")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "3"
    proc = _threads_in_subprocess(tmp_path, "zero")
    assert proc.returncode != 0
    assert "PHYLANX_NUM_THREADS" in proc.stderr
