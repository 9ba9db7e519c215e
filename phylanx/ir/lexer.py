"""Tokenizer for PhySL text, and the parser of types shared by the IR parser."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .types import (
    DTYPES,
    NONE,
    OBJECT_KINDS,
    PY_KINDS,
    ArrayType,
    ListType,
    ObjectType,
    ScalarType,
    TupleType,
    Type,
)

_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r]+|\#[^\n]*)
  | (?P<newline>\n)
  | (?P<value>%[A-Za-z0-9_.]+)
  | (?P<symbol>@[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<number>[-+]?(?:\d+\.\d*(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+|\.\d+(?:[eE][-+]?\d+)?|\d+)
               (?![A-Za-z_]))
  | (?P<ident>-?[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<arrow>->)
  | (?P<punct>\.\.\.|[()\[\]{}<>,:=?@|])
""", re.VERBOSE)

# Deepest nesting of regions, tuple/list types and attribute tuples the parser accepts: far
# beyond what a program needs, well within Python's recursion limit.
MAX_NESTING = 100


class ParseError(ValueError):
    """Malformed PhySL text; the message gives line and column."""


@dataclass(slots=True)
class Token:
    kind: str
    text: str
    line: int
    col: int


def iter_tokens(text: str) -> Iterator[Token]:
    """The tokens of `text`, produced as the parser asks for them (so an error near the start
    of a huge text is found without tokenizing the rest), ending with an "eof" token."""
    pos, line, line_start = 0, 1, 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ParseError(f"line {line}, column {pos - line_start + 1}: "
                             f"unexpected character {text[pos]!r}")
        kind = m.lastgroup
        if kind == "newline":
            yield Token("newline", "\n", line, pos - line_start + 1)
            line, line_start = line + 1, m.end()
        elif kind != "ws":
            yield Token(kind, m.group(), line, pos - line_start + 1)
        pos = m.end()
    yield Token("eof", "", line, pos - line_start + 1)


def tokenize(text: str) -> list[Token]:
    return list(iter_tokens(text))


class TokenStream:
    def __init__(self, tokens: Iterable[Token]):
        self._source = iter(tokens)
        self.tokens: list[Token] = []   # read so far
        self.pos = 0
        self.depth = 0

    def _fill(self) -> None:
        while len(self.tokens) <= self.pos:
            tok = next(self._source, None)
            if tok is None:     # past the end: the eof token again
                self.pos = len(self.tokens) - 1
                return
            self.tokens.append(tok)

    def enter(self, tok: Token, what: str) -> None:
        """One level deeper into `what` (opened at `tok`); ParseError beyond MAX_NESTING."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ParseError(f"line {tok.line}, column {tok.col}: {what} nested more than "
                             f"{MAX_NESTING} levels deep")

    def leave(self) -> None:
        self.depth -= 1

    def integer(self, what: str) -> int:
        """A non-negative integer token (line numbers, extents)."""
        tok = self.peek
        if tok.kind != "number" or not tok.text.isdigit():
            self.error(f"expected {what}")
        self.next()
        return int(tok.text)

    @property
    def peek(self) -> Token:
        self._fill()
        return self.tokens[self.pos]

    def next(self) -> Token:
        tok = self.peek
        self.pos += 1
        return tok

    def at(self, text: str) -> bool:
        return self.peek.text == text and self.peek.kind in ("punct", "ident", "arrow")

    def accept(self, text: str) -> bool:
        if self.at(text):
            self.pos += 1
            return True
        return False

    def expect(self, text: str) -> Token:
        if not self.at(text):
            self.error(f"expected '{text}'")
        return self.next()

    def expect_kind(self, kind: str, what: str) -> Token:
        if self.peek.kind != kind:
            self.error(f"expected {what}")
        return self.next()

    def skip_newlines(self) -> None:
        while self.peek.kind == "newline":
            self.pos += 1

    def error(self, message: str):
        tok = self.peek
        found = "end of line" if tok.kind == "newline" else (tok.text or "end of input")
        raise ParseError(f"line {tok.line}, column {tok.col}: {message}, found '{found}'")

    # -- types ---------------------------------------------------------------------------
    def parse_type(self) -> Type:
        tok = self.expect_kind("ident", "a type")
        name = tok.text
        if name == "none":
            return NONE
        if name in ("tuple", "list"):
            self.expect("<")
            self.enter(tok, "types")
            elems = []
            if not self.at(">"):
                elems.append(self.parse_type())
                while self.accept(","):
                    elems.append(self.parse_type())
            self.expect(">")
            self.leave()
            if name == "list":
                if len(elems) != 1:
                    raise ParseError(f"line {tok.line}: list<...> takes one element type")
                return ListType(elems[0])
            return TupleType(tuple(elems))
        if self.at("["):
            if name not in DTYPES:
                raise ParseError(f"line {tok.line}, column {tok.col}: unknown dtype '{name}'")
            self.next()
            dims = []
            while not self.at("]"):
                if self.accept("?"):
                    dims.append(None)
                else:
                    dims.append(self.integer("an extent (a non-negative integer) or '?'"))
                if not self.accept(","):
                    break
            self.expect("]")
            return ArrayType(name, tuple(dims))
        if name in DTYPES or name in PY_KINDS:
            return ScalarType(name)
        if name in OBJECT_KINDS:
            return ObjectType(name)
        raise ParseError(f"line {tok.line}, column {tok.col}: unknown type '{name}'")


class TypeParser(TokenStream):
    def __init__(self, text: str, rewrite: Callable[[list[Token]], list[Token]] | None = None):
        """`rewrite` maps the whole token list first (types.parse_types reads NumPy's
        spelling that way); without it, tokens are read lazily."""
        tokens = (t for t in iter_tokens(text) if t.kind != "newline")
        super().__init__(rewrite(list(tokens)) if rewrite else tokens)

    def parse_single(self) -> Type:
        t = self.parse_type()
        self.expect_kind("eof", "end of type")
        return t

    def parse_list(self) -> list[Type]:
        out = []
        if self.peek.kind != "eof":
            out.append(self.parse_type())
            while self.accept(","):
                out.append(self.parse_type())
        self.expect_kind("eof", "',' or end of types")
        return out
