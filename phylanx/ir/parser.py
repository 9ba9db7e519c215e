"""Parser for PhySL text: the inverse of `printer` (print(parse(print(m))) == print(m))."""

from __future__ import annotations

import json

import numpy as np

from .core import Block, Function, Location, Module, Op, Value
from .lexer import ParseError, TokenStream, tokenize
from .registry import TypeRuleError, lookup
from .types import DTYPES


class _Scope:
    def __init__(self):
        self.values: dict[str, Value] = {}

    def define(self, name: str, value: Value, tok) -> None:
        if name in self.values:
            raise ParseError(f"line {tok.line}, column {tok.col}: %{name} is defined twice")
        self.values[name] = value


def _hint(name: str) -> str:
    return "" if name.isdigit() else name


class Parser(TokenStream):
    def __init__(self, text: str):
        super().__init__(tokenize(text))

    def module(self) -> Module:
        m = Module()
        self.skip_newlines()
        while self.peek.kind != "eof":
            m.add(self.function())
            self.skip_newlines()
        if not m.functions:
            raise ParseError("no function in PhySL text")
        return m

    def function(self) -> Function:
        self.expect("func")
        name = self.expect_kind("symbol", "a function name like @f").text[1:]
        self.expect("(")
        names, types, toks = [], [], []
        while not self.at(")"):
            tok = self.expect_kind("value", "an argument like %x")
            self.expect(":")
            names.append(tok.text[1:])
            toks.append(tok)
            types.append(self.parse_type())
            if not self.accept(","):
                break
        self.expect(")")
        self.expect("->")
        result = self.parse_type()
        file, loc = "<unknown>", Location("<unknown>", 0, 0)
        if self.at("@") or self.peek.kind == "symbol":
            loc = self.location("<unknown>")
            file = loc.file
        f = Function(name, types, [_hint(n) for n in names], result, file, loc)
        scope = _Scope()
        for n, v, tok in zip(names, f.args, toks):
            scope.define(n, v, tok)
        self.expect("{")
        self.block_body(f.body, scope, file)
        return f

    def location(self, file: str) -> Location:
        # '@' [STRING ':'] LINE ':' COL ; '@12' lexes as punct '@' then a number.
        self.expect("@")
        if self.peek.kind == "string":
            file = json.loads(self.next().text)
            self.expect(":")
        line = int(self.expect_kind("number", "a line number").text)
        self.expect(":")
        col = int(self.expect_kind("number", "a column number").text)
        return Location(file, line, col)

    def block_body(self, block: Block, scope: _Scope, file: str) -> None:
        """Ops up to and including the closing '}'."""
        self.expect_kind("newline", "a new line after '{'")
        while True:
            self.skip_newlines()
            if self.accept("}"):
                return
            if self.peek.kind == "eof":
                self.error("expected '}'")
            block.append(self.op(scope, file))

    def op(self, scope: _Scope, file: str) -> Op:
        result_toks = []
        if self.peek.kind == "value":
            result_toks.append(self.next())
            while self.accept(","):
                result_toks.append(self.expect_kind("value", "a result name"))
            self.expect("=")
        name_tok = self.expect_kind("ident", "an op name")
        try:
            decl = lookup(name_tok.text)
        except KeyError:
            raise ParseError(f"line {name_tok.line}, column {name_tok.col}: "
                             f"unknown op '{name_tok.text}'") from None
        operands = []
        if self.peek.kind == "value":
            operands.append(self.use(scope))
            while self.accept(","):
                operands.append(self.use(scope))
        attrs = {}
        if self.accept("{"):
            while not self.at("}"):
                key = self.expect_kind("ident", "an attribute name").text
                self.expect("=")
                attrs[key] = self.attr_value()
                if not self.accept(","):
                    break
            self.expect("}")
        types = []
        if self.accept(":"):
            types.append(self.parse_type())
            while self.accept(","):
                types.append(self.parse_type())
        loc = Location(file, 0, 0)
        if self.at("@"):
            loc = self.location(file)
        if len(types) != len(result_toks):
            raise ParseError(f"line {name_tok.line}: {len(result_toks)} results but "
                             f"{len(types)} result types")
        try:
            decl.check_arity(len(operands))
            attrs = decl.complete_attrs(attrs)
        except TypeRuleError as e:
            raise ParseError(f"line {name_tok.line}, column {name_tok.col}: {e}") from None
        regions = []
        for label in decl.regions:
            label_tok = self.expect_kind("ident", f"region '{label}'")
            if label_tok.text != label:
                raise ParseError(f"line {label_tok.line}: expected region '{label}' of "
                                 f"'{decl.name}', found '{label_tok.text}'")
            block = Block()
            arg_names = []
            if self.accept("("):
                while not self.at(")"):
                    tok = self.expect_kind("value", "a block argument")
                    self.expect(":")
                    arg_names.append((tok, block.add_arg(self.parse_type(), _hint(tok.text[1:]))))
                    if not self.accept(","):
                        break
                self.expect(")")
            self.expect("{")
            for tok, v in arg_names:
                scope.define(tok.text[1:], v, tok)
            regions.append((block, arg_names))
            self.block_body(block, scope, file)
        op = Op(decl, operands, types, attrs, [b for b, _ in regions], loc,
                [_hint(t.text[1:]) for t in result_toks])
        for tok, v in zip(result_toks, op.results):
            scope.define(tok.text[1:], v, tok)
        if self.peek.kind not in ("newline", "eof"):
            self.error("expected end of line")
        return op

    def use(self, scope: _Scope) -> Value:
        tok = self.expect_kind("value", "an operand like %x")
        try:
            return scope.values[tok.text[1:]]
        except KeyError:
            raise ParseError(f"line {tok.line}, column {tok.col}: "
                             f"{tok.text} is used before it is defined") from None

    def attr_value(self):
        tok = self.peek
        if tok.kind == "number":
            self.next()
            text = tok.text
            return float(text) if any(c in text for c in ".eE") else int(text)
        if tok.kind == "string":
            self.next()
            return json.loads(tok.text)
        if self.accept("("):
            items = []
            while not self.at(")"):
                items.append(self.attr_value())
                if not self.accept(","):
                    break
            self.expect(")")
            return tuple(items)
        if tok.kind == "ident":
            self.next()
            word = tok.text
            simple = {"true": True, "false": False, "none": None, "inf": float("inf"),
                      "-inf": float("-inf"), "nan": float("nan"), "-nan": float("nan")}
            if word in simple:
                return simple[word]
            if word == "complex":
                self.expect("(")
                re_, _, im = self.attr_value(), self.expect(","), self.attr_value()
                self.expect(")")
                return complex(re_, im)
            if word == "dense":
                return self.dense()
            return word
        self.error("expected an attribute value")

    def dense(self):
        self.expect("<")
        t = self.parse_type()
        self.expect(":")
        self.expect("[")
        items = []
        while not self.at("]"):
            items.append(self.attr_value())
            if not self.accept(","):
                break
        self.expect("]")
        self.expect(">")
        return np.array(items, dtype=DTYPES[t.dtype]).reshape(t.shape)


def parse_physl(text: str) -> Module:
    """Parse PhySL text (one or more functions) into a Module."""
    return Parser(text).module()
