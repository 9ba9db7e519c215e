"""Core IR data structures: values, ops, blocks, functions, modules.

PhySL is SSA with structured control flow: every `Value` is defined exactly once, either as
the result of an `Op` or as an argument of a `Block`. Ops with regions (`if`, `for_range`,
`while`, ...) own one `Block` per region; a block may use any value defined earlier in an
enclosing block, and hands values back to its op through a terminator (`yield`).
Names are hints only: the printer makes them unique (as JAX does for jaxprs).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .types import Type


@dataclass(frozen=True)
class Location:
    """A source position: file, 1-based line, 0-based column (as Python's ast reports)."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


UNKNOWN_LOC = Location("<unknown>", 0, 0)


class Value:
    """An SSA value: a typed result of an op or argument of a block."""

    __slots__ = ("hint", "index", "owner", "type")

    def __init__(self, type: Type, hint: str = "", owner=None, index: int = 0):
        self.type = type
        self.hint = hint
        self.owner = owner  # the defining Op, or the Block whose argument this is
        self.index = index

    @property
    def defining_op(self) -> Op | None:
        return self.owner if isinstance(self.owner, Op) else None

    def __repr__(self) -> str:
        return f"<Value %{self.hint or '?'}: {self.type}>"


class Op:
    """One operation: a declaration from the registry applied to operands and attributes."""

    __slots__ = ("attrs", "decl", "loc", "operands", "parent", "regions", "results")

    def __init__(self, decl, operands, result_types, attrs=None, regions=(), loc=UNKNOWN_LOC,
                 hints=()):
        self.decl = decl
        self.operands: list[Value] = list(operands)
        self.attrs: dict = dict(attrs or {})
        self.results: list[Value] = [
            Value(t, hints[i] if i < len(hints) else "", self, i) for i, t in enumerate(result_types)
        ]
        self.regions: list[Block] = list(regions)
        for block in self.regions:
            block.parent = self
        self.loc = loc
        self.parent: Block | None = None

    @property
    def name(self) -> str:
        return self.decl.name

    @property
    def result(self) -> Value:
        if len(self.results) != 1:
            raise ValueError(f"op {self.name} has {len(self.results)} results")
        return self.results[0]

    def walk(self) -> Iterator[Op]:
        """This op, then every op nested in its regions, in program order."""
        yield self
        for block in self.regions:
            yield from block.walk()

    def __repr__(self) -> str:
        return f"<Op {self.name} @{self.loc}>"


class Block:
    """A straight-line list of ops with typed arguments; the body of one region."""

    __slots__ = ("args", "ops", "parent")

    def __init__(self, arg_types=(), hints=()):
        self.args: list[Value] = [
            Value(t, hints[i] if i < len(hints) else "", self, i) for i, t in enumerate(arg_types)
        ]
        self.ops: list[Op] = []
        self.parent: Op | Function | None = None

    def append(self, op: Op) -> Op:
        op.parent = self
        self.ops.append(op)
        return op

    def add_arg(self, type: Type, hint: str = "") -> Value:
        value = Value(type, hint, self, len(self.args))
        self.args.append(value)
        return value

    @property
    def terminator(self) -> Op | None:
        return self.ops[-1] if self.ops and "terminator" in self.ops[-1].decl.traits else None

    def walk(self) -> Iterator[Op]:
        for op in self.ops:
            yield from op.walk()


class Function:
    """A kernel specialised for one signature: typed arguments, a body, one result type."""

    def __init__(self, name: str, arg_types, arg_hints, result_type: Type | None = None,
                 file: str = "<unknown>", loc: Location = UNKNOWN_LOC):
        self.name = name
        self.body = Block(arg_types, arg_hints)
        self.body.parent = self
        self.result_type = result_type
        self.file = file
        self.loc = loc

    @property
    def args(self) -> list[Value]:
        return self.body.args

    def walk(self) -> Iterator[Op]:
        return self.body.walk()


class Module:
    """The functions of one compiled kernel: the entry first, then the functions it calls."""

    def __init__(self, functions=()):
        self.functions: dict[str, Function] = {}
        for f in functions:
            self.add(f)

    def add(self, function: Function) -> Function:
        if function.name in self.functions:
            raise ValueError(f"duplicate function @{function.name}")
        self.functions[function.name] = function
        return function

    @property
    def entry(self) -> Function:
        return next(iter(self.functions.values()))

    def walk(self) -> Iterator[Op]:
        for f in self.functions.values():
            yield from f.walk()

    def __str__(self) -> str:
        from .printer import print_module

        return print_module(self)
