"""Lowering of what writes messages: `raise` and `assert` (the `raise` op) and `print`.

    raise ValueError(f"bad n: {n!r}")   ->  raise %n {exception = ValueError, message = "bad n: {0!r}"}
    assert x.ndim == 2, "need a matrix" ->  if not (x.ndim == 2): raise AssertionError("need a matrix")
    print("sum", s, sep=": ")           ->  print %s {template = "sum: {0}"}

Messages are str.format templates of the values, formatted by Python when the op runs, so
they read as Python's f-strings and str() would.

The message is evaluated where Python evaluates it: only on the path that raises. A branch
that ends in `raise` does not continue, so where branches meet, the variables take the values
of the paths that do (phylanx.frontend.statements.lower_branches).
"""

from __future__ import annotations

import ast
import sys

from phylanx.frontend.scope import Static
from phylanx.ir.types import TupleType
from phylanx.ops.control import exception_name


def ends_in_raise(block) -> bool:
    """Does this block end by raising (no statement after it runs)?"""
    return bool(block.ops) and block.ops[-1].name == "raise"


class MessagesMixin:
    def lower_raise(self, s: ast.Raise) -> None:
        if s.cause is not None:
            raise self.error("'raise ... from ...' is not supported in a kernel", s)
        if s.exc is None:   # outside an except clause, Python raises this
            self.emit_op("raise", [], {"exception": "RuntimeError",
                                       "message": "No active exception to reraise"},
                         result_types=[])
            return
        exc, args = s.exc, []
        if isinstance(exc, ast.Call):
            if exc.keywords or any(isinstance(a, ast.Starred) for a in exc.args):
                raise self.error("an exception raised in a kernel takes positional arguments "
                                 "only", exc)
            exc, args = exc.func, exc.args
        cls = self.expr(exc)
        if not (isinstance(cls, Static) and isinstance(cls.obj, type)
                and issubclass(cls.obj, BaseException)):
            raise self.error("a kernel can raise an exception class (ValueError, ...) or a "
                             "call of one, known when the kernel is compiled", exc)
        if len(args) > 1:
            raise self.error("an exception raised in a kernel takes at most one argument, a "
                             "message", args[1])
        values: list = []
        attrs = {"exception": exception_name(cls.obj)}
        if args and isinstance(args[0], ast.BinOp) and isinstance(args[0].op, ast.Mod) \
                and isinstance(args[0].left, ast.Constant) and isinstance(args[0].left.value, str):
            attrs.update(message=args[0].left.value, percent=True)   # "... %s" % (a, b)
            right = args[0].right
            for item in (right.elts if isinstance(right, ast.Tuple) else [right]):
                v = self.value(self.expr(item), item)
                if isinstance(v.type, TupleType):
                    raise self.error("a %-formatted message in a kernel takes a tuple written "
                                     "out: '...' % (a, b)", item)
                values.append(v)
        else:
            attrs["message"] = self.template_of(args[0], values) if args else None
        self.emit_op("raise", values, attrs, result_types=[])

    def lower_assert(self, s: ast.Assert) -> None:
        if sys.flags.optimize:   # python -O: Python compiled the function without it
            return
        fail = ast.Raise(exc=ast.Call(func=ast.Name("AssertionError", ast.Load()),
                                      args=[s.msg] if s.msg is not None else [], keywords=[]),
                         cause=None)
        test = ast.UnaryOp(ast.Not(), s.test)
        node = ast.If(test=test, body=[fail], orelse=[])
        for n in (fail, fail.exc, fail.exc.func, test, node):
            ast.copy_location(n, s)
        self.lower_if(node)

    def template_of(self, node: ast.expr, values: list, what: str = "the message of an "
                    "exception raised in a kernel") -> str:
        """The str.format template of a string constant or an f-string; the fields of an
        f-string become operands appended to `values` (formatted by Python at run time)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return _escape(node.value)
        if not isinstance(node, ast.JoinedStr):
            x = self.expr(node)
            if isinstance(x, Static) and isinstance(x.obj, str):
                return _escape(x.obj)
            raise self.error(f"{what} must be a string or an f-string", node)
        parts = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                parts.append(_escape(part.value))
                continue
            spec = ""
            if part.format_spec is not None:
                if not all(isinstance(p, ast.Constant) for p in part.format_spec.values):
                    raise self.error("a computed format spec in a kernel's message is not "
                                     "supported", part.format_spec)
                spec = ":" + "".join(p.value for p in part.format_spec.values)
            conversion = "" if part.conversion == -1 else "!" + chr(part.conversion)
            parts.append(self.field_of(part.value, values, conversion + spec))
        return "".join(parts)

    def field_of(self, node: ast.expr, values: list, spec: str = "") -> str:
        """`{k<spec>}` for the value of `node` (appended to `values`); a constant folds in."""
        x = self.expr(node)
        if isinstance(x, Static):
            if not isinstance(x.obj, (str, int, float, complex, bool, type(None))):
                raise self.error("this value cannot be formatted into a message in a kernel",
                                 node)
            return _escape(("{0" + spec + "}").format(x.obj))
        values.append(self.value(x, node))
        return "{" + str(len(values) - 1) + spec + "}"

    def builtin_print(self, node: ast.Call):
        """print(*objects, sep=' ', end='\\n', flush=False) to stdout, in program order."""
        options = {"sep": " ", "end": "\n", "flush": False}
        for k in node.keywords:
            if k.arg not in options:
                raise self.error(f"print({k.arg}=...) is not supported in a kernel (it prints "
                                 "to stdout)", k.value)
            c = self.expr(k.value)
            c = c.obj if isinstance(c, Static) else self.constant_of(c)
            want = bool if k.arg == "flush" else (str, type(None))
            if not isinstance(c, want):
                raise self.error(f"print({k.arg}=...) must be a constant "
                                 f"{'bool' if k.arg == 'flush' else 'string'} in a kernel",
                                 k.value)
            if c is not None:
                options[k.arg] = c
        values: list = []
        items = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.error("print(*args) is not supported in a kernel", arg)
            if isinstance(arg, (ast.JoinedStr, ast.Constant)) and (
                    isinstance(arg, ast.JoinedStr) or isinstance(arg.value, str)):
                items.append(self.template_of(arg, values, "a printed string"))
            else:
                items.append(self.field_of(arg, values))
        template = _escape(options["sep"]).join(items)
        self.emit_op("print", values, {"template": template, "end": options["end"],
                                       "flush": options["flush"]}, result_types=[])
        return self.const(None)


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")
