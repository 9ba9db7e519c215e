"""User-facing errors."""

from __future__ import annotations

import linecache


class CompileError(Exception):
    """A kernel uses something phylanx cannot compile, or uses it wrongly.

    `str(err)` is `file:line:col: message` (line and column 1-based) followed by the source line with a caret under
    the construct. The pieces are also attributes: file, line, col, message.
    """

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
        super().__init__(self._format())

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


class PassError(Exception):
    """An optimizer pass failed; the message names the pass (and a reproducer file when one
    was asked for: PHYLANX_REPRODUCER_DIR or run_pipeline(reproducer_dir=...))."""
