"""The published packages the corpus kernels come from, each pinned to one file by its sha256.

The repository holds no kernel code: `phylanx.corpus.fetch` downloads these files once from
PyPI with pip (into the corpus cache), checks their sha256 and reads the kernels out of them.
A platform wheel is pinned by its tags (`pip download --platform ... --abi ...`), so the same
file is fetched whatever machine and Python run the corpus.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Archive:
    """One file of a package release on PyPI."""

    project: str       # the PyPI project
    version: str
    filename: str      # the exact file of the release
    sha256: str
    licence: str       # SPDX identifier of the package's licence
    home: str          # where the package's authors publish it (for the docs)
    platform: str = ""  # for a platform wheel: its platform tag; "" for a pure wheel
    python: str = ""    # with `platform`: the interpreter tags, e.g. "3.11", "cp311"

    @property
    def requirement(self) -> str:
        return f"{self.project}=={self.version}"

    def pip_download_args(self) -> list[str]:
        """`pip download` arguments that select exactly this file (no build, no deps)."""
        args = ["--no-deps", "--only-binary=:all:", "--no-cache-dir"]
        if self.platform:
            version, abi = self.python.split(",")
            args += ["--platform", self.platform, "--python-version", version,
                     "--implementation", "cp", "--abi", abi]
        else:
            # a pure wheel: any interpreter version the release accepts
            args += ["--python-version", "3.11"]
        return [*args, self.requirement]


ARCHIVES: dict[str, Archive] = {
    # Numba's test suite ships inside the wheel (numba/tests): NumPy kernels written to test
    # a NumPy compiler, run by its authors as plain Python to get the expected results.
    "numba": Archive(
        project="numba", version="0.68.1",
        filename="numba-0.68.1-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
        sha256="58fe7a3810261cf13797d8aa94c018cfe91e1e8adf634df60eb60ef834f9367b",
        licence="BSD-2-Clause", home="numba.pydata.org",
        platform="manylinux_2_28_x86_64", python="3.11,cp311"),
    # The Python Performance Benchmark Suite: pure-Python benchmarks (lists, tuples, ints).
    "pyperformance": Archive(
        project="pyperformance", version="1.14.0",
        filename="pyperformance-1.14.0-py3-none-any.whl",
        sha256="94068ac2935b6952ccb5e8a302eb9cebc26e82454494bef6e53822738adf0049",
        licence="MIT", home="pyperformance.readthedocs.io"),
}
