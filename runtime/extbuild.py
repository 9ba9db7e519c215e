"""Compile a Cython extension module against the installed runtime's declarations.

The runtime installs its Cython declarations (``*.pxd``) and the C headers they name beside its
modules (`phylanx.runtime.get_include()`), so native kernels that are not part of the package
cimport them as the runtime's own modules do (``from phylanx.runtime.native cimport Job``).
`load(source_dir)` builds such a module with meson and imports it: the test suite's native
test kernels (``tests/native_test_kernels``) are compiled this way when the tests need them,
instead of being built into every install.

``source_dir`` holds one ``NAME.pyx`` and a ``meson.build`` that builds it as the extension
module ``NAME`` (see tests/native_test_kernels), reading two meson options:
``runtime_headers`` (the C headers) and ``runtime_pxd_root`` (a folder where ``phylanx/runtime``
holds the ``.pxd`` files). The build directory is cached per interpreter and source folder in
the system's temporary folder; a later call only re-runs ninja, which rebuilds nothing unless a
source or a ``.pxd``/header of the runtime changed. Needs meson, ninja, Cython and a C compiler
with OpenMP (``requirements/test.txt``).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.machinery
import importlib.util
import os
import subprocess
import sys
import sysconfig
import tempfile
from types import ModuleType

from phylanx.runtime import get_include


class BuildError(RuntimeError):
    """meson could not configure or compile the module (the message has its output)."""


def _cache_dir(source_dir: str) -> str:
    key = "\0".join([os.path.realpath(source_dir), sys.executable, sys.version, get_include()])
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return os.path.join(tempfile.gettempdir(), f"phylanx-ext-{user}", digest)


@contextlib.contextmanager
def _locked(path: str):
    """One build at a time per build directory (two test runs may share the cache)."""
    try:
        import fcntl
    except ImportError:         # not POSIX: no lock
        yield
        return
    with open(path, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _run(args: list[str], what: str) -> None:
    # meson, ninja and cython of this interpreter's environment, activated or not.
    env = dict(os.environ)
    env["PATH"] = sysconfig.get_path("scripts") + os.pathsep + env.get("PATH", "")
    proc = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BuildError(f"{what} failed ({' '.join(args)}):\n{proc.stdout}{proc.stderr}")


def _module_name(source_dir: str) -> str:
    sources = [f for f in os.listdir(source_dir) if f.endswith(".pyx")]
    if len(sources) != 1:
        raise BuildError(f"{source_dir} must hold one .pyx file (the module), not {sources}")
    return sources[0][:-4]


def build(source_dir: str, build_dir: str | None = None) -> str:
    """Configure (once) and compile the module of `source_dir`; returns the path of the built
    extension module."""
    source_dir = os.path.abspath(source_dir)
    root = build_dir or _cache_dir(source_dir)
    os.makedirs(root, exist_ok=True)
    builddir = os.path.join(root, "build")
    meson = [sys.executable, "-m", "mesonbuild.mesonmain"]
    with _locked(os.path.join(root, "lock")):
        # Cython finds `cimport phylanx.runtime.x` as <include>/phylanx/runtime/x.pxd.
        link = os.path.join(root, "cython-include", "phylanx", "runtime")
        if os.path.realpath(link) != os.path.realpath(get_include()):
            os.makedirs(os.path.dirname(link), exist_ok=True)
            if os.path.lexists(link):
                os.remove(link)
            os.symlink(get_include(), link, target_is_directory=True)
        if not os.path.exists(os.path.join(builddir, "build.ninja")):
            wipe = ["--wipe"] if os.path.isdir(builddir) else []   # a setup that failed
            _run(meson + ["setup", *wipe, builddir, source_dir,
                          f"-Druntime_headers={get_include()}",
                          f"-Druntime_pxd_root={os.path.join(root, 'cython-include')}"],
                 "meson setup")
        _run(meson + ["compile", "-C", builddir], "meson compile")
    name = _module_name(source_dir)
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = os.path.join(builddir, name + suffix)
        if os.path.exists(path):
            return path
    raise BuildError(f"meson built no extension module {name!r} in {builddir}")


def load(source_dir: str, build_dir: str | None = None) -> ModuleType:
    """Build the module of `source_dir` if needed and import it (once per process: a later
    call returns the same module object)."""
    name = _module_name(os.path.abspath(source_dir))
    if name in sys.modules:
        return sys.modules[name]
    path = build(source_dir, build_dir)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
