"""Reading a Python function's source: AST, file, line and column offsets, a content hash."""

from __future__ import annotations

import ast
import hashlib
import inspect
import textwrap
from dataclasses import dataclass

from phylanx.errors import CompileError


@dataclass
class Source:
    func: object
    fdef: ast.FunctionDef
    file: str
    line_offset: int  # add to ast line numbers to get file line numbers
    col_offset: int   # add to ast columns (removed indentation)
    digest: str

    def lines(self) -> list[str]:
        return inspect.getsourcelines(self.func)[0]


def read_source(func) -> Source:
    name = getattr(func, "__qualname__", repr(func))
    try:
        lines, first = inspect.getsourcelines(func)
        file = inspect.getsourcefile(func) or inspect.getfile(func)
    except (OSError, TypeError) as e:
        code = getattr(func, "__code__", None)
        raise CompileError(f"cannot read the source of {name} ({e}): kernels must be defined "
                           "in a file", getattr(code, "co_filename", "<unknown>"),
                           getattr(code, "co_firstlineno", 0), 1) from None
    text = "".join(lines)
    dedented = textwrap.dedent(text)
    first_line = next((ln for ln in lines if ln.strip()), "")
    indent = len(first_line) - len(first_line.lstrip())
    try:
        tree = ast.parse(dedented)
    except SyntaxError as e:
        raise CompileError(f"cannot parse the source of {name}: {e.msg}", file,
                           (e.lineno or 1) + first - 1, (e.offset or 1) + indent) from None
    fdefs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if not fdefs:
        raise CompileError(f"{name} is not defined by a 'def' statement (lambdas are not "
                           "supported)", file, first, indent + 1)
    fdef = fdefs[0]
    if isinstance(fdef, ast.AsyncFunctionDef):
        raise CompileError("async functions are not supported", file, first + fdef.lineno - 1,
                           indent + 1)
    digest = hashlib.sha1(text.encode()).hexdigest()
    return Source(func, fdef, file, first - 1, indent, digest)
