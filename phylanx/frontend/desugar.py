"""Rewrite `break`, `continue` and early `return` into flags, on the Python AST.

PhySL has structured control flow only (`if`, `for_range`, `while` with explicit loop-carried
values), so exits become boolean variables the lowering carries like any other:

    for T in ITER:            __phx_brk1 = False
        A                     for __phx_it1 in ITER:
        if c: break     ->        if not __phx_brk1:
        B                             T = __phx_it1
                                      A
                                      if c: __phx_brk1 = True
                                      if not __phx_brk1: B

`while` loops test the flags before their condition; statements after a possible exit are
guarded; `return e` not in tail position stores into `__phx_ret` and sets `__phx_retf`, and
the function ends with `return __phx_ret`. Every new node keeps the source location of the
statement it came from.
"""

from __future__ import annotations

import ast

from phylanx.errors import CompileError
from phylanx.frontend.source import Source

RET, RET_FLAG = "__phx_ret", "__phx_retf"


def _name(id_: str, ctx=ast.Load) -> ast.Name:
    return ast.Name(id=id_, ctx=ctx())


def _assign(target: str, value: ast.expr, like: ast.AST) -> ast.Assign:
    node = ast.Assign(targets=[_name(target, ast.Store)], value=value)
    return ast.fix_missing_locations(ast.copy_location(node, like))


def _const(value, like: ast.AST) -> ast.Constant:
    return ast.copy_location(ast.Constant(value=value), like)


def _none_set(flags: list[str], like: ast.AST) -> ast.expr:
    """`not (f1 or f2 ...)`"""
    names = [ast.copy_location(_name(f), like) for f in flags]
    test = names[0] if len(names) == 1 else ast.copy_location(ast.BoolOp(ast.Or(), names), like)
    return ast.copy_location(ast.UnaryOp(ast.Not(), test), like)


class _Loop:
    def __init__(self, k: int):
        self.brk = f"__phx_brk{k}"
        self.cont = f"__phx_cont{k}"


class Desugar:
    def __init__(self, src: Source):
        self.src = src
        self.loops: list[_Loop] = []
        self.counter = 0
        self.rewrote_return = False

    def error(self, node: ast.AST, message: str) -> CompileError:
        return self.src.error(message, node)

    def function(self, fdef: ast.FunctionDef) -> ast.FunctionDef:
        body = fdef.body
        returns = [n for n in own_nodes(fdef.body) if isinstance(n, ast.Return)]
        tail_only = all(n is body[-1] for n in returns)
        if tail_only:
            new_body, _ = self.block(body, in_function_tail=True)
        else:
            self.rewrote_return = True
            new_body, _ = self.block(body)
            if not _always_returns(body) and _returns_value(fdef):
                self.refuse_unsupported(body)  # the path analysis knows only if and loops
                raise self.error(fdef, f"function '{fdef.name}' does not return a value on "
                                       "every path (phylanx needs one return type)")
            first = body[0]
            # __phx_ret stays unbound until a return sets it: branch merges then type it.
            new_body = [_assign(RET_FLAG, _const(False, first), first)] + new_body
            ret = ast.copy_location(ast.Return(value=_name(RET)), body[-1])
            new_body.append(ast.fix_missing_locations(ret))
        out = ast.FunctionDef(name=fdef.name, args=fdef.args, body=new_body, decorator_list=[],
                              returns=None, type_comment=None, type_params=[])
        return ast.fix_missing_locations(ast.copy_location(out, fdef))

    def refuse_unsupported(self, stmts: list[ast.stmt]) -> None:
        """Raise at the first statement (in source order) that no kernel may contain."""
        from phylanx.frontend.statements import UNSUPPORTED_STATEMENTS, unsupported_statement

        found = [n for s in stmts for n in ast.walk(s)
                 if isinstance(n, tuple(UNSUPPORTED_STATEMENTS))]
        if found:
            first = min(found, key=lambda n: (n.lineno, n.col_offset))
            raise self.error(first, unsupported_statement(first))

    def block(self, stmts: list[ast.stmt], in_function_tail: bool = False):
        """Returns (new statements, flags the block may set)."""
        out, flags = [], []
        for k, stmt in enumerate(stmts):
            new, sets = self.stmt(stmt)
            out.extend(new)
            for f in sets:
                if f not in flags:
                    flags.append(f)
            rest = stmts[k + 1:]
            if sets and rest:
                guarded, more = self.block(rest)
                for f in more:
                    if f not in flags:
                        flags.append(f)
                guard = ast.If(test=_none_set(sets, stmt), body=guarded, orelse=[])
                out.append(ast.fix_missing_locations(ast.copy_location(guard, rest[0])))
                return out, flags
        return out, flags

    def stmt(self, s: ast.stmt):
        if isinstance(s, ast.Return):
            if not self.rewrote_return:
                return [s], []
            value = s.value if s.value is not None else _const(None, s)
            return [_assign(RET, value, s), _assign(RET_FLAG, _const(True, s), s)], [RET_FLAG]
        if isinstance(s, (ast.Break, ast.Continue)):
            if not self.loops:
                raise self.error(s, f"'{type(s).__name__.lower()}' outside a loop")
            loop = self.loops[-1]
            flag = loop.brk if isinstance(s, ast.Break) else loop.cont
            return [_assign(flag, _const(True, s), s)], [flag]
        if isinstance(s, ast.If):
            body, f1 = self.block(s.body)
            orelse, f2 = self.block(s.orelse)
            new = ast.copy_location(ast.If(test=s.test, body=body or [ast.Pass()],
                                           orelse=orelse), s)
            return [ast.fix_missing_locations(new)], f1 + [f for f in f2 if f not in f1]
        if isinstance(s, (ast.For, ast.While)):
            return self.loop(s)
        return [s], []

    def loop(self, s):
        self.counter += 1
        loop = _Loop(self.counter)
        self.loops.append(loop)
        body, flags = self.block(s.body)
        self.loops.pop()
        broke = loop.brk in flags
        stops = [f for f in (loop.brk, RET_FLAG) if f in flags]
        if loop.cont in flags:
            body = [_assign(loop.cont, _const(False, s), s)] + body
        pre = [_assign(loop.brk, _const(False, s), s)] if broke else []
        if isinstance(s, ast.While):
            test = s.test
            if stops:
                test = ast.copy_location(ast.BoolOp(ast.And(), [_none_set(stops, s), s.test]),
                                         s.test)
                test.phx_condition = True  # the user's test is used for its truth value
            new = ast.While(test=test, body=body or [ast.Pass()], orelse=[])
        else:
            target, it_name = s.target, f"__phx_it{self.counter}"
            if stops:
                bind = ast.copy_location(
                    ast.Assign(targets=[target], value=_name(it_name)), s.target)
                guard = ast.copy_location(ast.If(test=_none_set(stops, s), body=[bind] + body,
                                                 orelse=[]), s)
                body, target = [guard], ast.copy_location(_name(it_name, ast.Store), s.target)
            new = ast.For(target=target, iter=s.iter, body=body or [ast.Pass()], orelse=[],
                          type_comment=None)
        out = pre + [ast.fix_missing_locations(ast.copy_location(new, s))]
        if s.orelse:
            orelse, more = self.block(s.orelse)
            if broke:
                orelse = [ast.fix_missing_locations(ast.copy_location(
                    ast.If(test=_none_set([loop.brk], s), body=orelse, orelse=[]), s.orelse[0]))]
            out.extend(orelse)
            flags = flags + more
        return out, [f for f in flags if f == RET_FLAG]


def _always_returns(stmts: list[ast.stmt]) -> bool:
    for s in stmts:
        if isinstance(s, ast.Return):
            return True
        if isinstance(s, ast.If) and _always_returns(s.body) and _always_returns(s.orelse):
            return True
        if isinstance(s, ast.While) and isinstance(s.test, ast.Constant) and s.test.value \
                and not any(isinstance(n, ast.Break) for n in ast.walk(s)):
            return True
    return False


def _returns_value(fdef: ast.FunctionDef) -> bool:
    return any(isinstance(n, ast.Return) and n.value is not None
               and not (isinstance(n.value, ast.Constant) and n.value.value is None)
               for n in own_nodes(fdef.body))


def own_nodes(body):
    """The nodes of `body`, not descending into nested functions, lambdas or comprehensions
    (their names are their own)."""
    todo = list(body)
    while todo:
        n = todo.pop()
        yield n
        for child in ast.iter_child_nodes(n):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
                                  ast.ClassDef, ast.ListComp, ast.SetComp, ast.DictComp,
                                  ast.GeneratorExp)):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    yield child        # its name is bound here
                continue
            todo.append(child)


def desugar(src: Source, fdef: ast.FunctionDef | None = None) -> ast.FunctionDef:
    """The function of `src` (or `fdef`, a rewritten form of it) with break, continue and
    early return rewritten."""
    return Desugar(src).function(src.fdef if fdef is None else fdef)
