"""Reading a Python function's source: AST, file, line and column offsets, a content hash.

The source is read once per code object (for a kernel: when it is decorated) and checked
against the code object Python runs: compiling the text must give the same bytecode, names
and constants. Editing the file afterwards does not change what a kernel compiles, and a
function whose file no longer matches its code (edited after import, or defined by `exec`)
is refused instead of silently compiling other code.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import linecache
import re
import textwrap
import types
import weakref
from dataclasses import dataclass

from phylanx.errors import CompileError, compile_error_class


@dataclass
class Source:
    fdef: ast.FunctionDef
    file: str
    line_offset: int  # add to ast line numbers to get file line numbers
    col_offset: int   # add to ast columns (removed indentation)
    digest: str
    text_lines: list  # the lines read, as read (file line line_offset + 1 first)

    def lines(self) -> list[str]:
        return list(self.text_lines)

    def line(self, file_line: int) -> str | None:
        """The text of file line `file_line` as it was read (None outside the function)."""
        k = file_line - self.line_offset - 1
        if 0 <= k < len(self.text_lines):
            return self.text_lines[k].rstrip("\n")
        return None

    def error(self, message: str, node: ast.AST,
              python_error: type[BaseException] | None = None) -> CompileError:
        """A CompileError at `node` (a node of `fdef` or of its desugared form); also a
        `python_error` when that is what the plain function raises there."""
        line = getattr(node, "lineno", None) or self.fdef.lineno
        col = getattr(node, "col_offset", 0)
        end = getattr(node, "end_col_offset", None)
        if getattr(node, "end_lineno", line) != line:
            end = None
        file_line = line + self.line_offset
        return compile_error_class(python_error)(
            message, self.file, file_line, col + 1 + self.col_offset,
                            None if end is None else end + self.col_offset,
                            source_line=self.line(file_line))


# id(code object) -> (a weak reference to it, its Source). Keyed by identity: code objects
# compare equal across files (the file name is not compared), so two identical functions in
# two files would share one Source in a WeakKeyDictionary.
_SOURCES: dict[int, tuple[weakref.ref, Source]] = {}


_SNAPSHOTS: dict[str, list[str]] = {}  # file -> its lines when a kernel in it was decorated


def read_source(func, decorating: bool = False) -> Source:
    """The checked source of `func`, read once per code object.

    `decorating`: `func` is being decorated, so its module is (normally) being imported and
    its file holds what Python compiled; the file's text is kept, and functions of that file
    read later (helpers a kernel calls) are read from this copy, not from the file as it is
    then.
    """
    code = getattr(func, "__code__", None)
    if code is None:
        return _read(func, decorating)
    key = id(code)
    entry = _SOURCES.get(key)
    if entry is not None and entry[0]() is code:
        return entry[1]
    src = _read(func, decorating)
    # the callback runs while the code object dies, before its id can be reused
    _SOURCES[key] = (weakref.ref(code, lambda _, key=key: _SOURCES.pop(key, None)), src)
    return src


def _refuse(message: str, code, token: str = "") -> CompileError:
    file = getattr(code, "co_filename", "<unknown>")
    line = getattr(code, "co_firstlineno", 0)
    text = linecache.getline(file, line)
    col = text.find(token) + 1 if token and token in text else 1
    return CompileError(message, file, line, col, col - 1 + len(token) if col > 1 else None)


def _read(func, decorating: bool) -> Source:
    name = getattr(func, "__qualname__", repr(func))
    code = func.__code__
    if code.co_name == "<lambda>":
        raise _refuse("phylanx compiles functions defined with 'def'; this is a lambda "
                      "(write it as 'def name(...): return ...')", code, "lambda")
    try:
        file = inspect.getsourcefile(func) or inspect.getfile(func)
        file_lines = None if decorating else _SNAPSHOTS.get(file)
        if file_lines is None:
            file_lines = inspect.findsource(func)[0]
        first = _first_line(file_lines, code)
        lines = inspect.getblock(file_lines[first - 1:])
    except (OSError, TypeError) as e:
        raise _refuse(f"cannot read the source of {name} ({e}): kernels and the functions "
                      "they call must be defined with 'def' in a file (not by exec or at the "
                      "interactive prompt)", code) from None
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
        raise CompileError(f"{name} is not defined by a 'def' statement", file, first,
                           indent + 1)
    fdef = fdefs[0]
    if isinstance(fdef, ast.AsyncFunctionDef):
        raise CompileError("async functions are not supported", file, first + fdef.lineno - 1,
                           indent + 1)
    # (assert statements are refused when lowering; import hooks such as pytest's rewrite
    # them, so their code never matches)
    if not any(isinstance(n, ast.Assert) for n in ast.walk(fdef)) and not _compiles_to(
            file_lines, code, file):
        raise _refuse(f"the source of {name} in {file} is not the code Python runs (the file "
                      "changed after the module was imported, or an import hook rewrote "
                      "it); reload the module (importlib.reload) or restart Python", code)
    if decorating:
        _SNAPSHOTS[file] = file_lines
    digest = hashlib.sha1(text.encode()).hexdigest()
    return Source(fdef, file, first - 1, indent, digest, list(lines))


_DEF = re.compile(r"^(\s*def\s)|(\s*async\s+def\s)|(.*(?<!\w)lambda(:|\s))|^(\s*@)")


def _first_line(file_lines: list[str], code: types.CodeType) -> int:
    """The (1-based) line where the definition of `code` starts, as inspect finds it."""
    k = code.co_firstlineno - 1
    if not 0 <= k < len(file_lines):
        raise OSError("the function's line is beyond the end of its file")
    while k > 0 and not _DEF.match(file_lines[k]):
        k -= 1
    return k + 1


def _compiles_to(file_lines: list[str], code: types.CodeType, file: str) -> bool:
    """Whether compiling the file's text gives `code` (same place, bytecode, constants)."""
    text = "".join(file_lines)
    key = (file, hash(text))
    module = _COMPILED.get(key)
    if module is None:
        try:
            # the file's own __future__ imports only (compile would inherit this module's)
            module = compile(text, file, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return False
        _COMPILED.clear()  # one file at a time: decorating goes file by file
        _COMPILED[key] = module
    return any(c == code for c in _code_objects(module)
               if c.co_name == code.co_name and c.co_firstlineno == code.co_firstlineno)


_COMPILED: dict = {}


def _code_objects(code: types.CodeType):
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            yield c
            yield from _code_objects(c)
