"""Reads of local variables that may be unbound on the path taken, made to raise Python's
UnboundLocalError at run time; on the Python AST, before desugaring.

A forward "definitely bound" analysis over the structured statements (with break, continue
and return) finds each read of a local variable that some path reaches without binding it.
Each such variable `v` gets a flag, `__phx_bound_v`: False at the function's start, True after
every statement that binds `v`. The read becomes `__phx_check_bound(__phx_bound_v, v)`, which
the lowering turns into the op `check_bound` (the value, or UnboundLocalError when the flag
is False). `v += e` with `v` maybe unbound first checks `v` in a statement of its own. Flags
are ordinary variables, so the lowering carries them through branches and loops like any
other; a read bound on every path costs nothing.

A variable bound on no path at all stays as it is: the lowering refuses reading it.
"""

from __future__ import annotations

import ast
import copy

from phylanx.frontend.liveness import target_names

CHECK_BOUND = "__phx_check_bound"
FLAG_PREFIX = "__phx_bound_"


def _bound_by(s: ast.stmt) -> set[str]:
    """Names statement `s` itself binds (not its nested statements)."""
    if isinstance(s, ast.Assign):
        return set().union(*map(target_names, s.targets))
    if isinstance(s, ast.AnnAssign) and s.value is not None:
        return target_names(s.target)
    if isinstance(s, ast.AugAssign):
        return target_names(s.target)
    return set()


def _locals_of(fdef: ast.FunctionDef) -> set[str]:
    names = set()
    for node in _walk_scope(fdef.body):
        if isinstance(node, ast.stmt):
            names |= _bound_by(node)
            if isinstance(node, ast.For):
                names |= target_names(node.target)
    return names


def _walk_scope(nodes):
    """ast.walk of `nodes` that does not enter nested scopes (lambdas, comprehensions)."""
    stack = list(nodes)[::-1]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
                             ast.GeneratorExp, ast.FunctionDef, ast.ClassDef)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


class _Analysis:
    """Finds the maybe-unbound reads: `Name` loads (and `AugAssign` targets) of locals.

    States are sets of names bound on every path, None for "no path gets here".
    """

    def __init__(self, local_names: set[str]):
        self.local_names = local_names
        self.reads: list[ast.AST] = []  # maybe-unbound reads, in source order
        self.loop_exits: list[list] = []   # per enclosing loop: states at its breaks
        self.loop_continues: list[list] = []

    def block(self, stmts: list[ast.stmt], state):
        for s in stmts:
            if state is None:
                return None
            state = self.stmt(s, state)
        return state

    def expr(self, node: ast.AST | None, state) -> None:
        if node is None or state is None:
            return
        for n in _walk_scope([node]):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) \
                    and n.id in self.local_names and n.id not in state:
                self.reads.append(n)
            elif isinstance(n, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
                own = set().union(*(target_names(g.target) for g in n.generators))
                inner = [n.generators[0].iter]
                for g in n.generators:
                    inner += [*g.ifs] + ([g.iter] if g is not n.generators[0] else [])
                inner += [n.key, n.value] if isinstance(n, ast.DictComp) else [n.elt]
                for x in inner:
                    for m in _walk_scope([x]):
                        if isinstance(m, ast.Name) and isinstance(m.ctx, ast.Load) \
                                and m.id in self.local_names and m.id not in state \
                                and (m.id not in own or x is n.generators[0].iter):
                            self.reads.append(m)

    def stmt(self, s: ast.stmt, state):
        if isinstance(s, ast.Assign):
            self.expr(s.value, state)
            for t in s.targets:
                if not isinstance(t, ast.Name):
                    self.expr(t, state)
            return state | _bound_by(s)
        if isinstance(s, ast.AnnAssign):
            self.expr(s.value, state)
            return state | _bound_by(s)
        if isinstance(s, ast.AugAssign):
            if isinstance(s.target, ast.Name):
                if s.target.id in self.local_names and s.target.id not in state:
                    self.reads.append(s)
            else:
                self.expr(s.target, state)
            self.expr(s.value, state)
            return state | _bound_by(s)
        if isinstance(s, ast.If):
            self.expr(s.test, state)
            return _meet(self.block(s.body, state), self.block(s.orelse, state))
        if isinstance(s, (ast.For, ast.While)):
            return self.loop(s, state)
        if isinstance(s, ast.Return):
            self.expr(s.value, state)
            return None
        if isinstance(s, ast.Break):
            self.loop_exits[-1].append(state)
            return None
        if isinstance(s, ast.Continue):
            self.loop_continues[-1].append(state)
            return None
        self.expr(s, state)
        return state

    def loop(self, s, state):
        if isinstance(s, ast.For):
            self.expr(s.iter, state)
        # the head is reached from before the loop and from the end of every iteration:
        # iterate to the fixpoint (states only shrink), recording reads on the final pass
        head = state
        while True:
            mark = len(self.reads)
            self.loop_exits.append([])
            self.loop_continues.append([])
            if isinstance(s, ast.While):
                self.expr(s.test, head)
            entry = head | target_names(s.target) if isinstance(s, ast.For) else head
            end = self.block(s.body, entry)
            exits = self.loop_exits.pop()
            continues = self.loop_continues.pop()
            new = _meet(state, _meet(end, *continues))
            if new == head:
                break
            head = new
            del self.reads[mark:]
        after = head  # the loop ends at its head (condition false, iterator exhausted)
        if s.orelse:
            after = self.block(s.orelse, after)
        if isinstance(s, ast.While) and isinstance(s.test, ast.Constant) and s.test.value:
            after = None  # `while True` leaves only by break
        return _meet(after, *exits)


def _meet(*states):
    known = [x for x in states if x is not None]
    if not known:
        return None
    return frozenset(set.intersection(*map(set, known)))


def guard_unbound_reads(fdef: ast.FunctionDef) -> ast.FunctionDef:
    """`fdef`, or a changed copy of it whose maybe-unbound reads of locals raise
    UnboundLocalError."""
    params = {a.arg for a in fdef.args.args}
    local_names = _locals_of(fdef) - params
    analysis = _Analysis(local_names)
    analysis.block(fdef.body, frozenset(params))
    if not analysis.reads:
        return fdef
    fdef = copy.deepcopy(fdef)  # the copy's nodes come in the same order: analyse it again
    analysis = _Analysis(local_names)
    analysis.block(fdef.body, frozenset(params))
    guarded = {n.id if isinstance(n, ast.Name) else n.target.id for n in analysis.reads}
    fdef = _Rewrite({id(n) for n in analysis.reads}, guarded).visit(fdef)
    first = fdef.body[0]
    fdef.body[:0] = [_set_flag(name, False, first) for name in sorted(guarded)]
    return ast.fix_missing_locations(fdef)


def _flag(name: str, ctx=ast.Load) -> ast.Name:
    return ast.Name(id=FLAG_PREFIX + name, ctx=ctx())


def _set_flag(name: str, value: bool, like: ast.AST) -> ast.Assign:
    node = ast.Assign(targets=[_flag(name, ast.Store)], value=ast.Constant(value=value))
    return ast.fix_missing_locations(ast.copy_location(node, like))


def _check(name: str, like: ast.AST) -> ast.Call:
    call = ast.Call(func=ast.Name(id=CHECK_BOUND, ctx=ast.Load()),
                    args=[_flag(name), ast.Name(id=name, ctx=ast.Load())], keywords=[])
    for n in ast.walk(call):
        ast.copy_location(n, like)
    return call


class _Rewrite(ast.NodeTransformer):
    def __init__(self, reads: set[int], guarded: set[str]):
        self.reads, self.guarded = reads, guarded

    def visit_Name(self, node: ast.Name):
        return _check(node.id, node) if id(node) in self.reads else node

    def _bound_after(self, s: ast.stmt):
        names = sorted(_bound_by(s) & self.guarded)
        return [s] + [_set_flag(n, True, s) for n in names] if names else s

    def visit_Assign(self, node: ast.Assign):
        return self._bound_after(self.generic_visit(node))

    def visit_AnnAssign(self, node: ast.AnnAssign):
        return self._bound_after(self.generic_visit(node))

    def visit_AugAssign(self, node: ast.AugAssign):
        checked = id(node) in self.reads
        node = self.generic_visit(node)
        if not checked:
            return node
        target = node.target
        check = ast.copy_location(ast.Expr(value=_check(target.id, target)), node)
        return [check, node]

    def visit_For(self, node: ast.For):
        node = self.generic_visit(node)
        names = sorted(target_names(node.target) & self.guarded)
        node.body[:0] = [_set_flag(n, True, node.target) for n in names]
        return node
