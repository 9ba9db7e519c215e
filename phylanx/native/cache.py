"""The C compiler driver and the on-disk cache of compiled kernels.

Cache folder: ``$PHYLANX_NATIVE_CACHE`` if set, else ``$XDG_CACHE_HOME/phylanx/native`` (by
default ``~/.cache/phylanx/native``). An entry is ``<key>.so`` where the key hashes the kernel's
final PhySL, the generator's own sources, the compiler (path and version), its flags, the CPU
and the phylanx, Python and NumPy versions. Each compile writes a private temporary file and
renames it into place (atomic), so processes compiling the same kernel at once each end up
with a complete library. An entry that does not load, or loads but names another key, is
deleted and rebuilt.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.machinery
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import tempfile

import numpy as np

_HERE = os.path.dirname(os.path.abspath(__file__))

# -fwrapv: no C undefined behaviour on signed overflow anywhere; -ffp-contract=off: no fused
# multiply-add (the bits of every float op are NumPy's); no -march=native (portable cache)
FLAGS = ("-O2", "-fPIC", "-shared", "-fwrapv", "-fno-strict-aliasing", "-ffp-contract=off",
         "-fno-math-errno", "-w")


class CompilerMissing(RuntimeError):
    """No working C compiler."""


def cache_dir() -> str:
    """The folder of compiled kernels (created on demand)."""
    path = os.environ.get("PHYLANX_NATIVE_CACHE")
    if not path:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        path = os.path.join(base, "phylanx", "native")
    return path


@functools.cache
def compiler() -> tuple[str, str]:
    """(path, version line) of the C compiler: $CC, else cc, gcc or clang on PATH."""
    candidates = [os.environ["CC"]] if os.environ.get("CC") else ["cc", "gcc", "clang"]
    for name in candidates:
        path = shutil.which(name.split()[0])
        if path is None:
            continue
        try:
            out = subprocess.run([path, "--version"], check=False, capture_output=True,
                                 text=True,
                                 timeout=30)
        except (OSError, subprocess.SubprocessError):
            continue
        if out.returncode == 0:
            return path, (out.stdout.splitlines() or [""])[0]
    raise CompilerMissing("no C compiler found (set CC, or install cc/gcc/clang)")


@functools.cache
def _environment_fingerprint() -> str:
    import phylanx

    sources = []
    for name in ("generate.py", "runtime.h", "cache.py"):
        with open(os.path.join(_HERE, name), "rb") as f:
            sources.append(hashlib.sha256(f.read()).hexdigest())
    path, version = compiler()
    parts = [path, version, " ".join(FLAGS), platform.machine(), platform.processor(),
             getattr(phylanx, "__version__", "?"), sys.version, np.__version__,
             sysconfig.get_config_var("EXT_SUFFIX") or "", *sources]
    return "\n".join(parts)


def cache_key(physl: str) -> str:
    """The cache key of a kernel whose final PhySL (with locations) is `physl`."""
    h = hashlib.sha256()
    h.update(_environment_fingerprint().encode())
    h.update(b"\0")
    h.update(physl.encode())
    return h.hexdigest()[:32]


def module_name(key: str) -> str:
    return "phylanx_native_" + key


def _load(path: str, key: str):
    """The extension module at `path`, or None if it is not a loadable library of `key`."""
    name = module_name(key)
    try:
        loader = importlib.machinery.ExtensionFileLoader(name, path)
        spec = importlib.util.spec_from_file_location(name, path, loader=loader)
        module = importlib.util.module_from_spec(spec)
        loader.exec_module(module)
    except (ImportError, OSError):
        return None
    if getattr(module, "KEY", None) != key or not callable(getattr(module, "run", None)):
        return None
    return module


def _compile(source: str, key: str, folder: str) -> str:
    """Compile `source` into `<folder>/<key>.so` (atomic rename); its path."""
    path, _ = compiler()
    include = [sysconfig.get_paths()["include"], np.get_include(), _HERE]
    fd, c_file = tempfile.mkstemp(prefix=key + ".", suffix=".c", dir=folder)
    so_tmp = c_file[:-2] + ".so.tmp"
    try:
        with os.fdopen(fd, "w") as f:
            f.write(source)
        cmd = [path, *FLAGS, *(f"-I{d}" for d in include), c_file, "-o", so_tmp, "-lm"]
        out = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            raise RuntimeError(f"C compiler failed ({' '.join(cmd)}):\n{out.stderr[-4000:]}")
        final = os.path.join(folder, key + ".so")
        os.replace(so_tmp, final)
        return final
    finally:
        for leftover in (c_file, so_tmp):
            try:
                os.unlink(leftover)
            except FileNotFoundError:
                pass


def build(physl: str, source_for) -> tuple[object, bool]:
    """(loaded extension module, whether it was compiled now) for the kernel whose final
    PhySL is `physl`; `source_for(module_name, key)` writes its C source (called only when
    compiling)."""
    key = cache_key(physl)
    folder = cache_dir()
    os.makedirs(folder, exist_ok=True)
    final = os.path.join(folder, key + ".so")
    if os.path.exists(final):
        module = _load(final, key)
        if module is not None:
            return module, False
        try:        # corrupt or foreign: never use it, rebuild it
            os.unlink(final)
        except FileNotFoundError:
            pass
    path = _compile(source_for(module_name(key), key), key, folder)
    module = _load(path, key)
    if module is None:
        raise RuntimeError(f"the compiled library {path} does not load")
    return module, True
