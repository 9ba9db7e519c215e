"""Delta debugging over a failing program's statements and expressions.

Greedy and simple: try each smaller variant (a statement deleted, an `if`/loop replaced by its
body, an expression replaced by one of its operands, a returned tuple shortened) and keep the
first that still fails the same way, until no variant does or the budget of checks is spent.
While-loop counters (`wN = 0`, `wN += 1`) are never touched, so no variant loops forever
(the runner also bounds the plain Python run of each variant)."""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Callable, Iterator

_COUNTER = re.compile(r"^w\d+$")


def _is_counter(stmt: ast.stmt) -> bool:
    target = getattr(stmt, "target", None) or (stmt.targets[0] if isinstance(stmt, ast.Assign)
                                               and len(stmt.targets) == 1 else None)
    return isinstance(target, ast.Name) and bool(_COUNTER.match(target.id))


def _statement_lists(tree: ast.AST) -> list[list[ast.stmt]]:
    """Every statement list inside the kernel `f`, outermost first."""
    fdef = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "f")
    lists = []
    for node in ast.walk(fdef):
        for name in ("body", "orelse"):
            stmts = getattr(node, name, None)
            if isinstance(stmts, list) and stmts and isinstance(stmts[0], ast.stmt):
                lists.append(stmts)
    return lists


def _statement_edits(tree: ast.Module) -> Iterator[Callable[[ast.Module], None]]:
    n_lists = len(_statement_lists(tree))
    for li in range(n_lists):
        stmts = _statement_lists(tree)[li]
        for si in range(len(stmts)):
            stmt = stmts[si]
            if _is_counter(stmt) or (li == 0 and isinstance(stmt, ast.Return)):
                continue

            def delete(t, li=li, si=si):
                lst = _statement_lists(t)[li]
                del lst[si]
                if not lst:
                    lst.append(ast.Pass())
            yield delete
            if isinstance(stmt, (ast.If, ast.For, ast.While)):
                for part in ("body", "orelse"):
                    if not getattr(stmt, part):
                        continue

                    def unwrap(t, li=li, si=si, part=part):
                        lst = _statement_lists(t)[li]
                        s = lst[si]
                        inner = [x for x in getattr(s, part) if not isinstance(
                            x, (ast.Break, ast.Continue))]
                        if isinstance(s, ast.For) and isinstance(s.target, ast.Name):
                            inner = [ast.Assign([ast.Name(s.target.id, ast.Store())],
                                                ast.Constant(0))] + inner
                        lst[si:si + 1] = inner or [ast.Pass()]
                    yield unwrap
                if isinstance(stmt, ast.If) and stmt.orelse:
                    def drop_else(t, li=li, si=si):
                        _statement_lists(t)[li][si].orelse = []
                    yield drop_else


def _expressions(tree: ast.Module) -> list[ast.expr]:
    fdef = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "f")
    return [n for n in ast.walk(fdef) if isinstance(n, ast.expr)
            and not isinstance(getattr(n, "ctx", None), (ast.Store, ast.Del))]


def _replacements(node: ast.expr) -> list[ast.expr]:
    out = []
    if isinstance(node, ast.Tuple) and len(node.elts) > 1:
        for i in range(len(node.elts)):
            out.append(ast.Tuple(node.elts[:i] + node.elts[i + 1:], ast.Load()))
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.expr) and not isinstance(child, ast.Attribute) and \
                not (isinstance(node, ast.Call) and child is node.func):
            out.append(child)
    for kw in getattr(node, "keywords", []):
        out.append(ast.Call(node.func, node.args, [k for k in node.keywords if k is not kw]))
    return out


def _expression_edits(tree: ast.Module) -> Iterator[Callable[[ast.Module], None]]:
    for ei, node in enumerate(_expressions(tree)):
        for ri in range(len(_replacements(node))):
            def replace(t, ei=ei, ri=ri):
                target = _expressions(t)[ei]
                new = _replacements(target)[ri]
                for parent in ast.walk(t):
                    for field, value in ast.iter_fields(parent):
                        if value is target:
                            setattr(parent, field, new)
                            return
                        if isinstance(value, list):
                            for i, v in enumerate(value):
                                if v is target:
                                    value[i] = new
                                    return
            yield replace


def minimize(source: str, still_fails: Callable[[str], bool],
             budget: int = 300) -> tuple[str, int]:
    """The smallest variant of `source` found for which `still_fails(text)` holds, and the
    number of checks made."""
    tree = ast.parse(source)
    checks = 0
    progress = True
    while progress and checks < budget:
        progress = False
        for edits in (_statement_edits, _expression_edits):
            for edit in edits(tree):
                candidate = copy.deepcopy(tree)
                try:
                    edit(candidate)
                    ast.fix_missing_locations(candidate)
                    text = ast.unparse(candidate)
                except (IndexError, StopIteration):
                    continue
                checks += 1
                if still_fails(text + "\n"):
                    tree = candidate
                    progress = True
                    break
                if checks >= budget:
                    break
            if progress or checks >= budget:
                break
    return ast.unparse(tree) + "\n", checks
