"""Parser for PhySL text: the inverse of `printer` (print(parse(print(m))) == print(m)).

Every malformed input raises ParseError with a line and column, never another exception:
nesting deeper than lexer.MAX_NESTING (regions, tuple types, attribute tuples) included.
"""

from __future__ import annotations

import json

import numpy as np

from .core import Block, Function, Location, Module, Op, Value
from .lexer import ParseError, Token, TokenStream, iter_tokens
from .printer import SUBSCRIPT_OPS
from .registry import TypeRuleError, lookup
from .types import DTYPES, ArrayType


class _Scope:
    def __init__(self):
        self.values: dict[str, Value] = {}

    def define(self, name: str, value: Value, tok) -> None:
        if name in self.values:
            raise ParseError(f"line {tok.line}, column {tok.col}: %{name} is defined twice")
        self.values[name] = value


def _hint(name: str) -> str:
    return "" if name.isdigit() else name


def _at(tok: Token, message: str) -> ParseError:
    return ParseError(f"line {tok.line}, column {tok.col}: {message}")


class Parser(TokenStream):
    def __init__(self, text: str):
        super().__init__(iter_tokens(text))

    def module(self) -> Module:
        m = Module()
        self.skip_newlines()
        while self.peek.kind != "eof":
            tok = self.peek
            f = self.function()
            if f.name in m.functions:
                raise _at(tok, f"function @{f.name} is defined twice")
            m.add(f)
            self.skip_newlines()
        if not m.functions:
            raise _at(self.peek, "no function in PhySL text")
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
            file = self.string(self.next())
            self.expect(":")
        line = self.integer("a line number")
        self.expect(":")
        col = self.integer("a column number")
        return Location(file, line, col)

    def string(self, tok: Token) -> str:
        try:
            return json.loads(tok.text)
        except ValueError as e:
            raise _at(tok, f"invalid string {tok.text}: {e}") from None

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
            raise _at(name_tok, f"unknown op '{name_tok.text}'") from None
        operands = []
        subscript = None
        if self.peek.kind == "value":
            operands.append(self.use(scope))
            if decl.name in SUBSCRIPT_OPS and self.at("["):
                subscript, index_operands = self.subscript(scope)
                operands.extend(index_operands)
            while self.accept(","):
                operands.append(self.use(scope))
        attrs = {}
        if self.accept("{"):
            while not self.at("}"):
                key_tok = self.expect_kind("ident", "an attribute name")
                if key_tok.text in attrs or key_tok.text == "index" and subscript is not None:
                    raise _at(key_tok, f"attribute '{key_tok.text}' is given twice")
                self.expect("=")
                attrs[key_tok.text] = self.attr_value()
                if not self.accept(","):
                    break
            self.expect("}")
        if subscript is not None:
            attrs["index"] = subscript
        types = []
        if self.accept(":"):
            types.append(self.parse_type())
            while self.accept(","):
                types.append(self.parse_type())
        loc = Location(file, 0, 0)
        if self.at("@"):
            loc = self.location(file)
        if len(types) != len(result_toks):
            raise _at(name_tok, f"{len(result_toks)} results but {len(types)} result types")
        try:
            decl.check_arity(len(operands))
            attrs = decl.complete_attrs(attrs)
        except TypeRuleError as e:
            raise _at(name_tok, str(e)) from None
        regions = []
        for label in decl.regions:
            label_tok = self.expect_kind("ident", f"region '{label}'")
            if label_tok.text != label:
                raise _at(label_tok, f"expected region '{label}' of '{decl.name}', found "
                                     f"'{label_tok.text}'")
            self.enter(label_tok, "regions")
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
            self.leave()
        op = Op(decl, operands, types, attrs, [b for b, _ in regions], loc,
                [_hint(t.text[1:]) for t in result_toks])
        for tok, v in zip(result_toks, op.results):
            scope.define(tok.text[1:], v, tok)
        if self.peek.kind not in ("newline", "eof"):
            self.error("expected end of line")
        return op

    def subscript(self, scope: _Scope) -> tuple[tuple, list]:
        """`[comp, ...]` after an indexed operand: the `index` attribute and its operands.
        comp := %v | [%v] ':' [%v] [':' [%v]] | 'None' | '...' ; `[()]` is the empty index.
        An operand's type tells an integer ("i") from an index array ("a")."""
        self.expect("[")
        index, operands = [], []
        if self.accept("("):
            self.expect(")")
            self.expect("]")
            return (), []
        while True:
            if self.accept("None"):
                index.append("n")
            elif self.accept("..."):
                index.append("e")
            else:
                start = self.use(scope) if self.peek.kind == "value" else None
                if start is not None and not self.at(":"):
                    index.append("a" if isinstance(start.type, ArrayType) else "i")
                    operands.append(start)
                else:
                    parts = [start]
                    self.expect(":")
                    parts.append(self.use(scope) if self.peek.kind == "value" else None)
                    parts.append(None)
                    if self.accept(":") and self.peek.kind == "value":
                        parts[2] = self.use(scope)
                    index.append("s" + "".join("0" if p is None else "1" for p in parts))
                    operands.extend(p for p in parts if p is not None)
            if not self.accept(","):
                break
        self.expect("]")
        return tuple(index), operands

    def use(self, scope: _Scope) -> Value:
        tok = self.expect_kind("value", "an operand like %x")
        try:
            return scope.values[tok.text[1:]]
        except KeyError:
            raise _at(tok, f"{tok.text} is used before it is defined") from None

    def attr_value(self):
        tok = self.peek
        if tok.kind == "number":
            self.next()
            text = tok.text
            try:
                return float(text) if any(c in text for c in ".eE") else int(text)
            except ValueError as e:
                raise _at(tok, f"invalid number {text[:20]}: {e}") from None
        if tok.kind == "string":
            self.next()
            return self.string(tok)
        if self.accept("("):
            self.enter(tok, "attribute tuples")
            items = []
            while not self.at(")"):
                items.append(self.attr_value())
                if not self.accept(","):
                    break
            self.expect(")")
            self.leave()
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
                if not all(isinstance(x, (int, float)) and not isinstance(x, bool)
                           for x in (re_, im)):
                    raise _at(tok, "complex(re, im) takes two numbers")
                return complex(re_, im)
            if word == "dense":
                return self.dense(tok)
            return word
        self.error("expected an attribute value")

    def dense(self, tok: Token):
        self.expect("<")
        t = self.parse_type()
        self.expect(":")
        self.expect("[")
        items = []
        while not self.at("]"):
            item_tok = self.peek
            item = self.attr_value()
            if isinstance(item, (str, tuple, np.ndarray)) or item is None:
                raise _at(item_tok, "a dense<...> element must be a number or a bool")
            items.append(item)
            if not self.accept(","):
                break
        self.expect("]")
        self.expect(">")
        if not isinstance(t, ArrayType) or None in t.shape:
            raise _at(tok, f"dense<...> needs an array type of known extents, got {t}")
        try:
            return np.array(items, dtype=DTYPES[t.dtype]).reshape(t.shape)
        except (ValueError, TypeError, OverflowError) as e:
            raise _at(tok, f"invalid dense<{t}> constant: {e}") from None


def parse_physl(text: str) -> Module:
    """Parse PhySL text (one or more functions) into a Module; ParseError if malformed."""
    parser = Parser(text)
    try:
        return parser.module()
    except ParseError:
        raise
    except (RecursionError, ValueError, TypeError, KeyError, IndexError, OverflowError) as e:
        # a safety net: the checks above should leave nothing for it
        tok = parser.tokens[min(parser.pos, len(parser.tokens) - 1)] if parser.tokens else None
        where = f"line {tok.line}, column {tok.col}" if tok is not None else "line 1, column 1"
        raise ParseError(f"{where}: invalid PhySL ({type(e).__name__}: {e})") from None
