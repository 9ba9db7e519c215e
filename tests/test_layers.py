"""The package's layers import only downwards (checked on the source files with ast).

    phylanx.ir         the IR, types and the op registry
    phylanx.analysis   facts about IR programs (effects, aliasing, raising, parallel loops)
    phylanx.ops        op declarations
    phylanx.frontend   Python -> IR                 phylanx.passes   IR -> IR
    phylanx.runtime    IR -> executable graphs
    phylanx.compiler, phylanx.kernel, ...           everything above, for the user

The runtime imports neither the frontend nor the passes; the passes do not import the runtime;
the frontend does not import kernel.py; analysis imports only the IR; phylanx.errors imports
nothing of phylanx.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOPS = {"phylanx": "phylanx", "passes": "phylanx.passes", "runtime": "phylanx.runtime"}

# layer -> packages it must not import
FORBIDDEN = {
    "phylanx.runtime": ("phylanx.frontend", "phylanx.passes", "phylanx.kernel",
                        "phylanx.compiler"),
    "phylanx.passes": ("phylanx.runtime", "phylanx.frontend", "phylanx.kernel",
                       "phylanx.compiler"),
    "phylanx.frontend": ("phylanx.kernel", "phylanx.passes", "phylanx.runtime",
                         "phylanx.compiler"),
}
# layer -> the only phylanx packages it may import (phylanx.errors, the exception classes,
# imports nothing of phylanx: every layer may use it)
ONLY = {
    "phylanx.analysis": ("phylanx.analysis", "phylanx.ir", "phylanx.errors"),
    "phylanx.ops": ("phylanx.ops", "phylanx.ir", "phylanx.analysis", "phylanx.errors"),
    # ops: the registry's loader of declarations
    "phylanx.ir": ("phylanx.ir", "phylanx.ops", "phylanx.errors"),
    "phylanx.errors": (),
}
# A benchmark driver (`python -m phylanx.runtime bench`) measures whole kernels: a client of
# the package, not a module the runtime itself imports.
CLIENTS = {"runtime/_bench.py"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    names = [TOPS[parts[0]], *parts[1:]]
    if names[-1] == "__init__":
        names.pop()
    return ".".join(names)


def _sources():
    for top in TOPS:
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix in (".py", ".pyx", ".pxd") and "__pycache__" not in path.parts:
                yield path


_CYTHON_IMPORT = re.compile(r"^\s*(?:from\s+([\w.]+)\s+c?import|c?import\s+([\w.]+))", re.MULTILINE)


def imports_of(path: Path) -> set[str]:
    """The phylanx modules a source file imports (absolute names; `from a import b` gives a
    and a.b). Cython files are read line by line."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    if path.suffix != ".py":
        for m in _CYTHON_IMPORT.finditer(path.read_text()):
            found.add(m.group(1) or m.group(2))
        return {n for n in found if n.startswith("phylanx")}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return {n for n in found if n.startswith("phylanx")}


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _layer_files(layer: str):
    return [p for p in _sources() if _within(_module_name(p), layer)
            and str(p.relative_to(ROOT)) not in CLIENTS]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_does_not_import_upwards(layer):
    files = _layer_files(layer)
    assert files
    bad = [f"{p.relative_to(ROOT)} imports {name}" for p in files for name in imports_of(p)
           if any(_within(name, f) for f in FORBIDDEN[layer])]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("layer", sorted(ONLY))
def test_layer_imports_only_what_is_below(layer):
    files = _layer_files(layer)
    assert files
    bad = [f"{p.relative_to(ROOT)} imports {name}" for p in files for name in imports_of(p)
           if not any(_within(name, a) for a in ONLY[layer])]
    assert not bad, "\n".join(bad)


def test_the_checker_sees_imports():
    """The rules above are not vacuous: the checker finds the imports that exist."""
    assert "phylanx.analysis" in imports_of(ROOT / "runtime" / "_lowering.py")
    assert "phylanx.analysis" in imports_of(ROOT / "passes" / "cse.py")
    assert "phylanx.ir.registry" in imports_of(ROOT / "phylanx" / "frontend" / "calls.py")
    assert "phylanx.passes.manager" in imports_of(ROOT / "passes" / "cse.py")
    assert "phylanx.runtime._threads" in imports_of(ROOT / "runtime" / "_loopkernel.pyx")
