"""Read one function out of a Python file by its AST and write it into a module of its own.

A corpus kernel is a function in a file of a published package, often nested in a test
method (`TestParfors.test_kde_example.test_impl`; a part with `*` is a pattern such as
`test_*42`). `extract` finds it by its qualified name and
builds a small module: the function, and everything it needs from the file, each copied
verbatim from the file (nested code dedented):

- the functions it calls that the file defines (in an enclosing function or at module level),
- the module-level (or enclosing-function) assignments it reads, such as constants,
- its imports, only of the standard modules in `IMPORTABLE` and NumPy.

The only edits, each reported in `Extracted.changes`, are the ones `extract` is told to make:
decorators are dropped (`@njit`, `@jit(nopython=True)`, `@register_jitable`: the module must
import without Numba), and `prange` (Numba's parallel range) becomes `range` where it was
imported from numba. A name the function reads that resolves to nothing of that kind is an
`ExtractionError`, as is a function that reads a variable of an enclosing function that the
function's own scope would not see as a constant (closures over loop variables, `self`).
"""

from __future__ import annotations

import ast
import builtins
import fnmatch
import symtable
from dataclasses import dataclass, field

# Modules an extracted kernel may import (what a NumPy kernel uses; no third-party code).
IMPORTABLE = frozenset({"numpy", "math", "cmath", "operator", "itertools", "functools",
                        "collections", "array", "random", "heapq", "bisect"})
PRANGE = "prange -> range"


class ExtractionError(ValueError):
    """The manifest names something the file does not hold as a self-contained function."""


@dataclass
class Extracted:
    text: str                      # the module's source
    function: str                  # the kernel's name in it
    changes: list[str] = field(default_factory=list)


@dataclass
class _Scope:
    node: ast.AST                  # Module or FunctionDef
    table: symtable.SymbolTable


def _qualname_part(part: str) -> tuple[str, int]:
    """'name' or 'name[k]' (the k-th definition of that name in its scope, from 0)."""
    if part.endswith("]") and "[" in part:
        name, index = part[:-1].split("[")
        return name, int(index)
    return part, 0


def _statements(body: list[ast.stmt]):
    """The statements of a scope, including those in if/for/while/with/try blocks, but not
    in nested functions or classes."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        for name in ("body", "orelse", "finalbody"):
            yield from _statements(getattr(stmt, name, []) or [])
        for handler in getattr(stmt, "handlers", []) or []:
            yield from _statements(handler.body)
        for case in getattr(stmt, "cases", []) or []:
            yield from _statements(case.body)


def _child_table(table: symtable.SymbolTable, node: ast.AST) -> symtable.SymbolTable:
    # symtable numbers a decorated definition by its first decorator's line or by its
    # 'def'/'class' line, depending on the Python version
    decorators = getattr(node, "decorator_list", [])
    lines = {node.lineno, decorators[0].lineno if decorators else node.lineno}
    for child in table.get_children():
        if child.get_name() == node.name and child.get_lineno() in lines:
            return child
    raise ExtractionError(f"no symbol table for {node.name} at line {node.lineno}")


def _def_line(node: ast.AST) -> int:
    """The first line of a definition: its first decorator's."""
    decorators = getattr(node, "decorator_list", [])
    return decorators[0].lineno if decorators else node.lineno


class _Extractor:
    def __init__(self, text: str, path: str):
        self.text = text
        self.path = path
        self.lines = text.splitlines(keepends=True)
        self.tree = ast.parse(text, path)
        self.module_table = symtable.symtable(text, path, "exec")
        self.emitted: dict[int, tuple[ast.stmt, list[_Scope]]] = {}  # id(node) -> ...
        self.imports: dict[str, str] = {}  # bound name -> import statement text
        self.changes: list[str] = []
        self.prange_names: set[str] = set()

    # -- locating ----------------------------------------------------------------------------

    def find(self, qualname: str) -> tuple[ast.FunctionDef, list[_Scope]]:
        """The def of `qualname` and its enclosing function scopes (module first; classes
        are no scopes for the code nested in their methods, as in Python). A part with `*`
        is a pattern (`*` any one definition, `test_*42` any whose name ends in 42); the whole
        name must then match exactly one function."""
        found = self._find(qualname.split("."), self.tree, self.module_table,
                           [_Scope(self.tree, self.module_table)])
        if len(found) != 1:
            what = "no" if not found else f"{len(found)} definitions of"
            raise ExtractionError(f"{self.path}: {what} {qualname}")
        node, scopes = found[0]
        if not isinstance(node, ast.FunctionDef):
            raise ExtractionError(f"{self.path}: {qualname} is not a function")
        return node, scopes

    def _find(self, parts: list[str], node: ast.AST, table: symtable.SymbolTable,
              scopes: list[_Scope]) -> list[tuple[ast.AST, list[_Scope]]]:
        name, index = _qualname_part(parts[0])
        defs = [s for s in _statements(node.body)
                if isinstance(s, (ast.FunctionDef, ast.ClassDef))]
        if "*" in name:  # a pattern: every definition whose name it matches
            matches = [s for s in defs if fnmatch.fnmatchcase(s.name, name)]
        else:
            matches = [s for s in defs if s.name == name]
            matches = matches[index:index + 1]
        found = []
        for match in matches:
            if len(parts) == 1:
                found.append((match, scopes))
                continue
            child = _child_table(table, match)
            inner = scopes + [_Scope(match, child)] if isinstance(match, ast.FunctionDef) \
                else scopes
            found += self._find(parts[1:], match, child, inner)
        return found

    # -- resolving the names a statement reads ------------------------------------------------

    def _bindings(self, scope: _Scope, name: str) -> list[ast.stmt]:
        found = []
        for stmt in _statements(scope.node.body):
            if isinstance(stmt, (ast.FunctionDef, ast.ClassDef)) and stmt.name == name:
                found.append(stmt)
            elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
                if any((a.asname or a.name.split(".")[0]) == name for a in stmt.names):
                    found.append(stmt)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For,
                                   ast.With)):
                targets = (stmt.targets if isinstance(stmt, ast.Assign) else
                           [stmt.target] if not isinstance(stmt, ast.With) else
                           [i.optional_vars for i in stmt.items if i.optional_vars])
                if any(isinstance(n, ast.Name) and n.id == name
                       for t in targets for n in ast.walk(t)):
                    found.append(stmt)
        return found

    def resolve(self, name: str, scopes: list[_Scope], user: str) -> None:
        """Bring along what binds `name` in the innermost of `scopes` that binds it."""
        for depth in range(len(scopes) - 1, -1, -1):
            bindings = self._bindings(scopes[depth], name)
            if not bindings:
                if depth and _is_local(scopes[depth].table, name):
                    raise ExtractionError(f"{self.path}: {user} reads {name!r}, a parameter "
                                          f"of the enclosing {scopes[depth].node.name}")
                continue
            if len(bindings) > 1:
                lines = ", ".join(str(b.lineno) for b in bindings)
                raise ExtractionError(f"{self.path}: {user} reads {name!r}, bound more than "
                                      f"once (lines {lines})")
            self._take(bindings[0], name, scopes[:depth + 1], user)
            return
        if hasattr(builtins, name):
            return
        raise ExtractionError(f"{self.path}: {user} reads {name!r}, which the file does not "
                              "define")

    def _take(self, stmt: ast.stmt, name: str, scopes: list[_Scope], user: str) -> None:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self._take_import(stmt, name, user)
            return
        if isinstance(stmt, ast.ClassDef):
            raise ExtractionError(f"{self.path}: {user} uses the class {name}")
        if isinstance(stmt, (ast.AugAssign, ast.For, ast.With)):
            raise ExtractionError(f"{self.path}: {user} reads {name!r}, which line "
                                  f"{stmt.lineno} changes")
        if id(stmt) in self.emitted:
            return
        self.emitted[id(stmt)] = (stmt, scopes)
        if isinstance(stmt, ast.FunctionDef):
            self._visit_function(stmt, scopes)
        else:
            for read in sorted(_names_read(stmt)):
                self.resolve(read, scopes, f"line {stmt.lineno}")

    def _take_import(self, stmt: ast.stmt, name: str, user: str) -> None:
        for alias in stmt.names:
            bound = alias.asname or alias.name.split(".")[0]
            if bound != name:
                continue
            module = stmt.module if isinstance(stmt, ast.ImportFrom) else alias.name
            root = (module or "").split(".")[0]
            if isinstance(stmt, ast.ImportFrom) and root == "numba" and alias.name == "prange":
                self.prange_names.add(bound)
                return
            if root not in IMPORTABLE or (isinstance(stmt, ast.ImportFrom) and stmt.level):
                raise ExtractionError(f"{self.path}: {user} uses {name!r}, imported from "
                                      f"{module!r}")
            as_text = f" as {alias.asname}" if alias.asname else ""
            self.imports[bound] = (f"from {module} import {alias.name}{as_text}"
                                   if isinstance(stmt, ast.ImportFrom)
                                   else f"import {alias.name}{as_text}")
            return

    def _visit_function(self, fdef: ast.FunctionDef, scopes: list[_Scope]) -> None:
        table = _child_table(scopes[-1].table, fdef)
        # names read from outside: implicit globals and free (enclosing-function) variables,
        # and those the default values read (evaluated where the def runs); the decorators
        # are dropped, so what they read is not needed
        outside = set(table.get_globals()) | set(table.get_frees())
        outside |= _frees_of_children(table)
        for expr in [*fdef.args.defaults, *[d for d in fdef.args.kw_defaults if d]]:
            outside |= _names_read(expr)
        for name in sorted(outside):
            if name == "numba" and self._numba_prange_only(fdef):
                self.prange_names.add("numba.prange")
            else:
                self.resolve(name, scopes, fdef.name)

    @staticmethod
    def _numba_prange_only(fdef: ast.FunctionDef) -> bool:
        """`numba` is read only as `numba.prange` (which becomes `range`) or in the
        decorators (which are dropped)."""
        kept = [fdef.args, *fdef.body]
        nodes = [n for part in kept for n in ast.walk(part)]
        uses = [n for n in nodes if isinstance(n, ast.Name) and n.id == "numba"]
        pranges = [n for n in nodes if isinstance(n, ast.Attribute)
                   and n.attr == "prange" and isinstance(n.value, ast.Name)
                   and n.value.id == "numba"]
        return len(uses) == len(pranges)

    # -- writing the module ---------------------------------------------------------------------

    def _segment(self, stmt: ast.stmt) -> str:
        """The statement's text, dedented, decorators dropped, prange replaced."""
        first = _def_line(stmt) if isinstance(stmt, ast.FunctionDef) else stmt.lineno
        start = stmt.lineno if isinstance(stmt, ast.FunctionDef) else first
        indent = stmt.col_offset
        lines = self.lines[start - 1:stmt.end_lineno]
        edits: dict[int, list[tuple[int, int, str]]] = {}
        if isinstance(stmt, ast.FunctionDef):
            for d in stmt.decorator_list:
                self.changes.append(f"drops the decorator @{ast.unparse(d)} of {stmt.name}")
            for node in ast.walk(stmt):
                if self._is_prange(node):
                    edits.setdefault(node.lineno, []).append(
                        (node.col_offset, node.end_col_offset, "range"))
                    if PRANGE not in self.changes:
                        self.changes.append(PRANGE)
        out = []
        for k, line in enumerate(lines):
            lineno = start + k
            for col, end, new in sorted(edits.get(lineno, []), reverse=True):
                line = line[:col] + new + line[end:]
            if line[:indent].strip() == "":
                line = line[indent:]
            out.append(line)
        return "".join(out).rstrip() + "\n"

    def _is_prange(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name) and node.id in self.prange_names:
            return isinstance(node.ctx, ast.Load)
        return (isinstance(node, ast.Attribute) and node.attr == "prange"
                and isinstance(node.value, ast.Name) and node.value.id == "numba"
                and "numba.prange" in self.prange_names)

    def module_text(self) -> str:
        body = [self._segment(stmt) for stmt, _ in
                sorted(self.emitted.values(), key=lambda e: e[0].lineno)]
        imports = sorted(set(self.imports.values()))
        parts = []
        if imports:
            parts.append("\n".join(imports) + "\n")
        parts += body
        return "\n\n".join(parts)


def _is_local(table: symtable.SymbolTable, name: str) -> bool:
    try:
        symbol = table.lookup(name)
    except KeyError:
        return False
    return symbol.is_local() or symbol.is_parameter()


def _frees_of_children(table: symtable.SymbolTable) -> set[str]:
    """Names that functions and comprehensions nested in `table` read from outside it."""
    names = set()
    for child in table.get_children():
        names |= set(child.get_globals()) if hasattr(child, "get_globals") else set()
        names |= _frees_of_children(child)
    local = {s.get_name() for s in table.get_symbols() if s.is_local() or s.is_parameter()}
    return names - local


def _names_read(node: ast.AST) -> set[str]:
    """Names an expression or a simple statement reads (minus those its comprehensions and
    lambdas bind)."""
    loads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
             and isinstance(n.ctx, ast.Load)}
    bound = set()
    for n in ast.walk(node):
        if isinstance(n, ast.comprehension):
            bound |= {t.id for t in ast.walk(n.target) if isinstance(t, ast.Name)}
        elif isinstance(n, ast.Lambda):
            bound |= {a.arg for a in n.args.args}
    return loads - bound


def extract(text: str, path: str, qualname: str) -> Extracted:
    """The module holding `qualname` of the file `path` (whose source is `text`) with what it
    needs."""
    extractor = _Extractor(text, path)
    fdef, scopes = extractor.find(qualname)
    extractor._take(fdef, fdef.name, scopes, fdef.name)
    module = extractor.module_text()
    ast.parse(module)  # the edits keep it Python
    return Extracted(module, fdef.name, extractor.changes)
