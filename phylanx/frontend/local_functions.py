"""Functions defined inside a kernel (`lambda`, nested `def`), inlined where they are called.

    scale = lambda v: v * k        # binds `scale` to a LocalFunction (nothing is emitted)
    def norm2(v):                  # the same for a nested def; its defaults are evaluated here
        return (v * v).sum()
    y = scale(x) + norm2(x)        # each call lowers the function's body at the call site

Python's scoping is kept: the function's own names (parameters and every name its body
assigns) are local to it; any other name it reads is the enclosing function's variable *at
the time of the call* (closures bind late), then a global or a builtin. A nested function
that assigns an enclosing variable (`nonlocal`) or a global, calls itself, or is passed to
another function or returned is refused with a CompileError.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from phylanx.frontend.desugar import Desugar, own_nodes
from phylanx.frontend.liveness import Liveness
from phylanx.frontend.scope import EMPTY_LIST, Static
from phylanx.ir.core import Value
from phylanx.ir.types import ListType


@dataclass(eq=False)
class LocalFunction:
    """A lambda or nested def of the kernel: its AST, parameters, defaults (values evaluated
    where it was defined) and the names local to it."""

    node: ast.Lambda | ast.FunctionDef
    name: str
    params: list[str]
    defaults: dict[str, object]
    local_names: frozenset[str]
    desugared: ast.FunctionDef | None = field(default=None, repr=False)
    liveness: Liveness | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"<local function {self.name}>"


def _assigned_names(body) -> set[str]:
    names = set()
    for n in own_nodes(body):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            names.add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in n.names)
    return names


def _is_list(x) -> bool:
    return x is EMPTY_LIST or isinstance(x, Value) and isinstance(x.type, ListType)


class LocalFunctionsMixin:
    def define_local_function(self, node: ast.Lambda | ast.FunctionDef) -> Static:
        """The value of a lambda expression or a nested def statement."""
        args = node.args
        if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs:
            raise self.error("*args, **kwargs, keyword-only and positional-only parameters "
                             "of a nested function are not supported", node)
        if isinstance(node, ast.FunctionDef):
            if node.decorator_list:
                raise self.error("a decorated nested function is not supported",
                                 node.decorator_list[0])
            for n in own_nodes(node.body):
                if isinstance(n, (ast.Global, ast.Nonlocal)):
                    kind = "global" if isinstance(n, ast.Global) else "nonlocal"
                    raise self.error(f"'{kind}' in a nested function is not supported: a "
                                     "kernel's nested function cannot assign variables "
                                     "outside it", n)
                if isinstance(n, (ast.Yield, ast.YieldFrom)):
                    raise self.error("a nested generator function is not supported", n)
        params = [a.arg for a in args.args]
        # defaults are evaluated once, where the function is defined (as Python does)
        defaults = {p: self.expr(d) for p, d in
                    zip(params[len(params) - len(args.defaults):], args.defaults)}
        body = [ast.Return(node.body)] if isinstance(node, ast.Lambda) else node.body
        name = "<lambda>" if isinstance(node, ast.Lambda) else node.name
        return Static(LocalFunction(node, name, params, defaults,
                                    frozenset(params) | frozenset(_assigned_names(body))))

    def call_local_function(self, fn: LocalFunction, node: ast.Call):
        """Lower the body of `fn` at this call, with its arguments bound to its parameters."""
        if fn in self.inlining:
            raise self.error(f"the nested function '{fn.name}' calls itself: recursion of "
                             "nested functions is not supported (define it at module level)",
                             node)
        if any(isinstance(a, ast.Starred) for a in node.args) or \
                any(k.arg is None for k in node.keywords):
            raise self.error("*args and **kwargs in calls are not supported", node)
        if len(node.args) > len(fn.params):
            raise self.error(f"{fn.name}() takes {len(fn.params)} positional arguments but "
                             f"{len(node.args)} were given", node, TypeError)
        bound = dict(zip(fn.params, (self.expr(a) for a in node.args)))
        for k in node.keywords:
            if k.arg not in fn.params:
                raise self.error(f"{fn.name}() got an unexpected keyword argument '{k.arg}'",
                                 k.value, TypeError)
            if k.arg in bound:
                raise self.error(f"{fn.name}() got multiple values for argument '{k.arg}'",
                                 k.value, TypeError)
            bound[k.arg] = self.expr(k.value)
        for p in fn.params:
            if p not in bound:
                if p not in fn.defaults:
                    raise self.error(f"{fn.name}() missing required argument: '{p}'", node,
                                     TypeError)
                bound[p] = fn.defaults[p]
        # names the function reads from the enclosing scope must not be shadowed by the
        # function whose body we are in (closures read their own enclosing scope)
        if self.inlining:
            outer = self.inlining[-1]
            shadowed = (self.free_names(fn) & outer.local_names) - fn.local_names
            if shadowed:
                raise self.error(f"the nested function '{fn.name}' reads "
                                 f"'{min(shadowed)}', which the calling nested "
                                 f"function '{outer.name}' also defines: not supported", node)
        saved_env, saved_locals = self.env, self.nested_locals
        self.env = {k: v for k, v in saved_env.items() if k not in fn.local_names}
        self.env.update(bound)
        self.nested_locals = fn.local_names - set(fn.params)
        self.inlining.append(fn)
        try:
            result = self._lower_local_body(fn)
            # In-place updates (a[i] = v, xs.append(v)) of the caller's values give them new
            # SSA values: the caller's names must see those.
            for name, x in self.env.items():
                if name in saved_env and name not in fn.local_names and x is not saved_env[name]:
                    if _is_list(x) or _is_list(saved_env[name]):
                        # lists are values in PhySL: a loop around the call would not carry
                        # the new one
                        raise self.error(f"the nested function '{fn.name}' appends to the "
                                         f"caller's list '{name}': not supported; return the "
                                         "item and append it in the caller", node)
                    saved_env[name] = x
            return result
        finally:
            self.inlining.pop()
            self.env, self.nested_locals = saved_env, saved_locals

    def free_names(self, fn: LocalFunction) -> set[str]:
        body = [fn.node.body] if isinstance(fn.node, ast.Lambda) else fn.node.body
        return {n.id for n in own_nodes(body) if isinstance(n, ast.Name)
                and isinstance(n.ctx, ast.Load)} - fn.local_names

    def _lower_local_body(self, fn: LocalFunction):
        if isinstance(fn.node, ast.Lambda):
            return self.expr(fn.node.body)
        if fn.desugared is None:
            fn.desugared = Desugar(self.src).function(fn.node)
            fn.liveness = Liveness(fn.desugared)
        body = fn.desugared.body
        tail = body[-1] if body and isinstance(body[-1], ast.Return) else None
        # the analyses of which names are read where look at this function's body
        saved = self.fdef, self.liveness
        self.fdef, self.liveness = fn.desugared, fn.liveness
        try:
            self.lower_block(body[:-1] if tail is not None else body)
            if tail is None or tail.value is None:
                return self.const(None)
            with self.at(tail):
                return self.expr(tail.value)
        finally:
            self.fdef, self.liveness = saved
