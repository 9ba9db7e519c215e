"""docs/architecture.md's worked example holds: a unary ufunc with a native kernel (np.cbrt)
is named in four source files, and they are the ones the page lists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("phylanx", "passes", "runtime")
SUFFIXES = {".py", ".pyx", ".pxd", ".pxi", ".h", ".c"}
# The fuzzer's vocabulary and the NumPy API list name ops to generate and to probe: optional
# for a new op.
# phylanx/ops/pymath.py declares Python's math.cbrt, another function of the same name.
OPTIONAL = ("phylanx/fuzz/", "phylanx/api_coverage/", "phylanx/ops/pymath.py")
WALK = ["phylanx/ops/elementwise.py", "runtime/_ew_program.py", "runtime/ew_block.h",
        "runtime/ew_prog.h"]


def _files_naming(pattern: re.Pattern) -> list[str]:
    found = []
    for top in SOURCES:
        for path in (ROOT / top).rglob("*"):
            rel = path.relative_to(ROOT).as_posix()
            if path.suffix in SUFFIXES and not rel.startswith(OPTIONAL) \
                    and pattern.search(path.read_text(encoding="utf-8", errors="replace")):
                found.append(rel)
    return sorted(found)


def test_a_unary_ufunc_with_a_native_kernel_is_four_source_files():
    assert _files_naming(re.compile(r"\bcbrt\b|\bCBRT\b")) == WALK


def test_the_page_names_the_same_files():
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    walk = page.split("## A worked example", 1)[1].split("\n## ", 1)[0]
    assert sorted(re.findall(r"^\d\. \*\*`([^`]+)`\*\*", walk, re.MULTILINE)) == WALK
