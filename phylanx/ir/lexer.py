"""Tokenizer for PhySL text, and the parser of types shared by the IR parser."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .types import (
    DTYPES,
    NONE,
    PY_KINDS,
    ArrayType,
    ListType,
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
  | (?P<punct>[()\[\]{}<>,:=?@|])
""", re.VERBOSE)


class ParseError(ValueError):
    """Malformed PhySL text; the message gives line and column."""


@dataclass
class Token:
    kind: str
    text: str
    line: int
    col: int


def tokenize(text: str) -> list[Token]:
    tokens, pos, line, line_start = [], 0, 1, 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ParseError(f"line {line}, column {pos - line_start + 1}: "
                             f"unexpected character {text[pos]!r}")
        kind = m.lastgroup
        if kind == "newline":
            tokens.append(Token("newline", "\n", line, pos - line_start + 1))
            line, line_start = line + 1, m.end()
        elif kind != "ws":
            tokens.append(Token(kind, m.group(), line, pos - line_start + 1))
        pos = m.end()
    tokens.append(Token("eof", "", line, pos - line_start + 1))
    return tokens


class TokenStream:
    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.pos = 0

    @property
    def peek(self) -> Token:
        return self.tokens[self.pos]

    def next(self) -> Token:
        tok = self.tokens[self.pos]
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
            elems = []
            if not self.at(">"):
                elems.append(self.parse_type())
                while self.accept(","):
                    elems.append(self.parse_type())
            self.expect(">")
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
                    dims.append(int(self.expect_kind("number", "an extent or '?'").text))
                if not self.accept(","):
                    break
            self.expect("]")
            return ArrayType(name, tuple(dims))
        if name in DTYPES or name in PY_KINDS:
            return ScalarType(name)
        raise ParseError(f"line {tok.line}, column {tok.col}: unknown type '{name}'")


class TypeParser(TokenStream):
    def __init__(self, text: str):
        super().__init__([t for t in tokenize(text) if t.kind != "newline"])

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
