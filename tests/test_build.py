"""The installed package has a working compiled OpenMP runtime."""

import os
import re
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


def _installed_extension_modules():
    import importlib.machinery

    folder = os.path.dirname(rt.__file__)
    return {f.split(".", 1)[0] for f in os.listdir(folder)
            if f.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))}


def test_runtime_modules_are_listed_once():
    """runtime/modules.txt is the one list of the runtime's Cython modules: meson.build builds
    them and natives imports those tagged `natives`; nothing else is built into the runtime but
    the shared Cython utility code (the test kernels are no part of an install)."""
    import importlib

    from phylanx.runtime import natives

    listed = natives.runtime_modules()
    assert {"_threads", "_executor", "_elementwise"} <= set(listed)
    for name, tags in listed.items():
        assert set(tags) <= {"natives"}, (name, tags)
        module = importlib.import_module(f"phylanx.runtime.{name}")
        assert module.__file__.endswith((".so", ".pyd")), module
    assert set(natives._MODULES) == {f"phylanx.runtime.{n}" for n, t in listed.items()
                                     if "natives" in t}
    if not _editable_install():
        assert _installed_extension_modules() - set(listed) == {"_cyutility"}


def test_natives_modules_register_kernels():
    """Each module tagged `natives` registers at least one native kernel on import."""
    from phylanx.runtime import natives

    natives._load()
    modules = {getattr(factory, "__module__", None) for factory in natives.FACTORIES.values()}
    for name in natives._MODULES:
        assert name in modules, f"{name} is tagged `natives` in modules.txt but registers none"


def test_benchmarks_are_not_in_the_runtime():
    with pytest.raises(ModuleNotFoundError):
        __import__("phylanx.runtime._bench")


def test_runtime_installs_its_declarations():
    """The .pxd files and the headers they name are installed (get_include()), the .pyx/.c
    sources are not."""
    folder = rt.get_include()
    names = set(os.listdir(folder))
    assert {"native.pxd", "_threads.pxd", "tasks.pxd", "_move.pxd", "tasks.h", "move.h"} <= names
    if not _editable_install():
        assert not {n for n in names if n.endswith((".pyx", ".pxi", ".c"))}


def test_test_kernels_compile_against_the_installed_runtime():
    """The suite's native test kernels are compiled outside the package (a cached build), and
    their cdef class derives from the installed runtime's Job."""
    import native_kernels

    from phylanx.runtime import native

    module = native_kernels.load()
    assert module.__name__ == "phylanx_test_kernels"
    assert not os.path.realpath(module.__file__).startswith(os.path.realpath(rt.get_include()))
    assert issubclass(module.SpinJob, native.Job)
    assert native_kernels.load() is module


def test_cast_loops_are_compiled_once():
    """move.h's dtype-pair cast loops (phx_cast_1d) are compiled into _move only: _indexing
    calls them through _move.cast_1d instead of compiling its own copy."""
    from phylanx.runtime import _indexing, _move

    def has_symbol(module):
        with open(module.__file__, "rb") as f:
            return b"phx_cast_1d" in f.read()

    if not has_symbol(_move):
        pytest.skip("stripped build: no symbol names to check")
    assert not has_symbol(_indexing)


def _readme_commands():
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
        return set(re.findall(r"^    (\S.*)$", f.read(), re.MULTILINE))


def test_ci_runs_the_readme_commands():
    """.ci/run's install, test and docs commands are the README's, character for character, and
    none of them rebuilds phylanx after the install."""
    with open(os.path.join(REPO, ".ci", "run"), encoding="utf-8") as f:
        ci = f.read()
    commands = dict(re.findall(r"^(INSTALL_CMD|TEST_CMD|DOCS_CMD)='(.*)'$", ci, re.MULTILINE))
    assert set(commands) == {"INSTALL_CMD", "TEST_CMD", "DOCS_CMD"}
    readme = _readme_commands()
    for name, command in commands.items():
        assert command in readme, command
        assert f'eval "${name}"' in ci
    assert commands["INSTALL_CMD"].startswith("pip install . ")
    for name in ("TEST_CMD", "DOCS_CMD"):
        installs = re.findall(r"pip install ([^&]*)", commands[name])
        assert installs and all(i.startswith("-r requirements/") for i in installs), installs
    assert "sphinx-build -W" in commands["DOCS_CMD"]


def test_requirement_files_exist_for_every_readme_install():
    """Every `pip install -r FILE` the README shows names a file of the checkout."""
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
        files = re.findall(r"pip install -r ([\w./-]+)", f.read())
    assert files
    for name in files:
        assert os.path.isfile(os.path.join(REPO, name)), name
