"""Which variables may still be read after a statement: backward liveness on the (desugared)
Python AST of a kernel.

The lowering asks it where paths meet: after an `if` and at the head of a loop. A variable
whose type would differ between the paths matters only if it is live there; a dead one (say,
reassigned before its next read) may take either type.
"""

from __future__ import annotations

import ast


def _loads(node: ast.AST | None) -> set[str]:
    if node is None:
        return set()
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Load)}


def target_names(target: ast.AST) -> set[str]:
    """Names a target binds (x, (a, b), [a, *b]); subscripts and attributes bind none."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*map(target_names, target.elts)) if target.elts else set()
    if isinstance(target, ast.Starred):
        return target_names(target.value)
    return set()


def _target_loads(target: ast.AST) -> set[str]:
    """Names a target reads: the base and index of `x[i] = ...`, `obj.attr = ...`."""
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*map(_target_loads, target.elts)) if target.elts else set()
    if isinstance(target, ast.Starred):
        return _target_loads(target.value)
    if isinstance(target, (ast.Subscript, ast.Attribute)):
        return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return set()


class Liveness:
    """live_after(stmt): names that may be read after `stmt` runs (before being assigned
    again); live_at_head(loop): names that may be read at the head of a loop, by a later
    iteration or after the loop. Statements the analysis has not seen give None."""

    def __init__(self, fdef: ast.FunctionDef):
        self._after: dict[int, frozenset] = {}
        self._head: dict[int, frozenset] = {}
        self._block(fdef.body, set())

    def live_after(self, stmt: ast.stmt) -> frozenset | None:
        return self._after.get(id(stmt))

    def live_at_head(self, loop: ast.stmt) -> frozenset | None:
        return self._head.get(id(loop))

    def _block(self, stmts: list[ast.stmt], after: set[str]) -> set[str]:
        live = set(after)
        for stmt in reversed(stmts):
            live = self._stmt(stmt, live)
        return live

    def _stmt(self, s: ast.stmt, after: set[str]) -> set[str]:
        self._after[id(s)] = frozenset(after)
        if isinstance(s, ast.Assign):
            bound = set().union(*map(target_names, s.targets))
            loads = set().union(*map(_target_loads, s.targets))
            return (after - bound) | loads | _loads(s.value)
        if isinstance(s, ast.AnnAssign):
            return (after - target_names(s.target)) | _target_loads(s.target) | _loads(s.value)
        if isinstance(s, ast.AugAssign):
            return after | _loads(s.target) | _target_loads(s.target) | _loads(s.value) | \
                target_names(s.target)
        if isinstance(s, ast.If):
            return _loads(s.test) | self._block(s.body, after) | self._block(s.orelse, after)
        if isinstance(s, ast.For):
            head = set(after)
            while True:  # the head reaches itself through the body: iterate to the fixpoint
                body = self._block(s.body, head)
                new = after | (body - target_names(s.target)) | _target_loads(s.target)
                if s.orelse:
                    new |= self._block(s.orelse, after)
                if new == head:
                    break
                head = new
            self._head[id(s)] = frozenset(head)
            return head | _loads(s.iter)
        if isinstance(s, ast.While):
            head = set(after) | _loads(s.test)
            while True:
                new = after | _loads(s.test) | self._block(s.body, head)
                if s.orelse:
                    new |= self._block(s.orelse, after)
                if new == head:
                    break
                head = new
            self._head[id(s)] = frozenset(head)
            return head
        if isinstance(s, ast.Return):
            return _loads(s.value)
        # expressions, pass, and statements the lowering refuses: assume they read all
        return after | _loads(s)
