"""User-facing errors."""

from __future__ import annotations

import functools
import linecache


class CompileError(Exception):
    """A kernel uses something phylanx cannot compile, or uses it wrongly.

    `str(err)` is `file:line:col: message` (line and column 1-based) followed by the source line with a caret under
    the construct. The pieces are also attributes: file, line, col, message.

    Where the plain function would raise an exception of its own (NumPy's UFuncTypeError for
    `int_array += 1.5`, TypeError for `None + x`, IndexError, ...), the error is also an
    instance of that class (see `compile_error_class`), so `except TypeError` catches both.
    """

    python_error: type[BaseException] | None = None  # the class Python/NumPy would raise

    def __init__(self, message: str, file: str = "<unknown>", line: int = 0, col: int = 0,
                 end_col: int | None = None, source_line: str | None = None):
        # end_col is ast's 0-based end offset on the same line (for the caret's width)
        self.message = message
        self.file = file
        self.line = line
        self.col = col
        self.end_col = end_col
        if source_line is None and line > 0:
            source_line = linecache.getline(file, line).rstrip("\n")
        self.source_line = source_line or ""
        # not super(): in subclasses the next base may be a NumPy error whose __init__ takes
        # other arguments
        Exception.__init__(self, self._format())

    def __str__(self) -> str:
        return self.args[0] if self.args else ""

    def __reduce__(self):
        return (_rebuild, (self.python_error, self.message, self.file, self.line, self.col,
                           self.end_col, self.source_line))

    def _format(self) -> str:
        text = f"{self.file}:{self.line}:{self.col}: {self.message}"
        if self.source_line:
            start = max(self.col - 1, 0)
            width = 1
            if self.end_col is not None and self.end_col > start:
                width = self.end_col - start
            width = min(width, max(1, len(self.source_line) - start))
            text += f"\n    {self.source_line}\n    {' ' * start}{'^' * width}"
        return text


def _rebuild(python_error, *args) -> CompileError:
    return compile_error_class(python_error)(*args)


@functools.cache
def compile_error_class(python_error: type[BaseException] | None) -> type[CompileError]:
    """CompileError that is also a `python_error` (CompileError itself for None)."""
    if python_error is None or issubclass(CompileError, python_error) or \
            not issubclass(python_error, Exception):
        return CompileError
    try:
        cls = type(f"CompileError({python_error.__name__})", (CompileError, python_error),
                   {"python_error": python_error, "__module__": __name__,
                    "__init__": CompileError.__init__, "__str__": CompileError.__str__})
    except TypeError:  # a base whose instance layout cannot be combined
        base = next((b for b in python_error.__mro__ if b.__module__ == "builtins"), None)
        return CompileError if base is python_error else compile_error_class(base)
    cls.__qualname__ = cls.__name__
    return cls


class PassError(Exception):
    """An optimizer pass failed; the message names the pass (and a reproducer file when one
    was asked for: PHYLANX_REPRODUCER_DIR or run_pipeline(reproducer_dir=...))."""


# Where inside a node an exception came from: set by evaluators that run several source ops as
# one node (a fused op's body, a native loop's body); read by the runtime's note
# (phylanx/runtime/_notes.py), which then names that op's line.
ORIGIN_ATTRIBUTE = "_phylanx_origin"


def note_origin(exc: BaseException, loc, op_name: str) -> None:
    """Record that `exc` was raised by the op `op_name` at `loc` (a phylanx.ir Location) inside
    a node; the innermost record wins."""
    if getattr(exc, ORIGIN_ATTRIBUTE, None) is None:
        try:
            setattr(exc, ORIGIN_ATTRIBUTE, (loc, op_name))
        except AttributeError:      # an exception type without a __dict__
            pass
