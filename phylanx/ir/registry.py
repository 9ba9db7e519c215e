"""The op registry: one declaration per primitive.

A declaration states the op's name, operand and attribute signature, result-type rule, traits,
regions, an optional constant-fold hook and a NumPy reference implementation (used by the test
oracle and by the runtime's GIL-holding fallback nodes). Declarations live in `phylanx/ops/`.

Traits:
    pure         no side effects; may be CSE'd, hoisted, or removed when unused
    allocates    returns a fresh buffer
    view         result may share memory with operand 0 (basic slicing, transpose, reshape)
    random       draws from a random generator (never CSE'd or folded)
    inplace      writes into the buffer of operand 0 and returns it; every other use of that
                 operand must come before it in program order
    control      has regions (structured control flow)
    terminator   ends a block (`yield`, `return`)
    elementwise  maps elements independently with broadcasting (fusion candidate)
    reduction    reduces along axes
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .core import UNKNOWN_LOC, Block, Location, Op, Value
from .types import Type

REQUIRED = object()
TRAITS = frozenset(
    {"pure", "allocates", "view", "random", "inplace", "control", "terminator", "elementwise",
     "reduction", "commutative"}
)


class TypeRuleError(Exception):
    """A type rule rejected its operands; the frontend adds the source location.

    `error_class`: the exception Python or NumPy raise for such operands, when known (the
    frontend's CompileError is then an instance of it too)."""

    def __init__(self, message: str, error_class: type[BaseException] | None = None):
        super().__init__(message)
        self.error_class = error_class


@dataclass(frozen=True)
class Attr:
    """An attribute: a compile-time constant of the op.

    `kind` tells the frontend how to read a Python argument into it: 'any', 'int', 'float',
    'bool', 'str', 'dtype' (np.float32, "f4", float, x.dtype -> a PhySL dtype name such as
    'f32'), 'axis' (None, an int, or a tuple of ints).
    """

    name: str
    default: object = REQUIRED
    kind: str = "any"


@dataclass(frozen=True)
class OpDecl:
    name: str
    operands: tuple = ()          # names; a last name ending in '*' takes any number
    attrs: tuple = ()             # Attr specs
    infer: Callable | None = None  # (operand types, attrs) -> Type | tuple of Types
    traits: frozenset = frozenset()
    regions: tuple = ()           # region names, e.g. ('then', 'else')
    impl: Callable | None = None  # NumPy reference: impl(*values, **attrs) -> value(s)
    fold: Callable | None = None  # fold(*constant values, **attrs) -> value, or None
    doc: str = ""
    results: int = 1              # number of results; -1: given by `infer`
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def variadic(self) -> bool:
        return bool(self.operands) and self.operands[-1].endswith("*")

    def check_arity(self, n: int) -> None:
        fixed = len(self.operands) - (1 if self.variadic else 0)
        if (n < fixed) if self.variadic else (n != fixed):
            want = f"at least {fixed}" if self.variadic else str(fixed)
            raise TypeRuleError(f"'{self.name}' takes {want} operands, got {n}")

    def complete_attrs(self, attrs: dict) -> dict:
        """Attributes with defaults filled in; raises TypeRuleError on unknown/missing ones."""
        known = {a.name for a in self.attrs}
        for key in attrs:
            if key not in known:
                raise TypeRuleError(f"'{self.name}' has no attribute '{key}'")
        out = {}
        for a in self.attrs:
            if a.name in attrs:
                out[a.name] = attrs[a.name]
            elif a.default is REQUIRED:
                raise TypeRuleError(f"'{self.name}' needs attribute '{a.name}'")
            else:
                out[a.name] = a.default
        return out

    def result_types(self, operand_types: list, attrs: dict) -> list:
        self.check_arity(len(operand_types))
        if self.infer is None:
            return []
        res = self.infer(list(operand_types), attrs)
        if isinstance(res, Type):
            return [res]
        return list(res)


OPS: dict[str, OpDecl] = {}


def declare(name: str, operands=(), attrs=(), infer=None, traits=(), regions=(), impl=None,
            fold=None, doc: str = "", results: int = 1, **extra) -> OpDecl:
    """Create and register an op declaration."""
    if name in OPS:
        raise ValueError(f"op {name!r} declared twice")
    bad = set(traits) - TRAITS
    if bad:
        raise ValueError(f"op {name!r}: unknown traits {sorted(bad)}")
    attrs = tuple(a if isinstance(a, Attr) else Attr(*a) if isinstance(a, tuple) else Attr(a)
                  for a in attrs)
    decl = OpDecl(name, tuple(operands), attrs, infer, frozenset(traits), tuple(regions), impl,
                  fold, doc, results, extra)
    OPS[name] = decl
    return decl


def lookup(name: str) -> OpDecl:
    _load_ops()
    try:
        return OPS[name]
    except KeyError:
        raise KeyError(f"unknown op '{name}'") from None


def all_ops() -> dict[str, OpDecl]:
    _load_ops()
    return OPS


_loaded = False


def _load_ops() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        import phylanx.ops  # noqa: F401  (registers every declaration)


class Builder:
    """Appends ops to a block, running each declaration's type rule."""

    def __init__(self, block: Block, loc: Location = UNKNOWN_LOC):
        self.block = block
        self.loc = loc

    def create(self, name: str, operands=(), attrs=None, regions=(), hints=(),
               result_types=None, loc: Location | None = None) -> Op:
        decl = lookup(name)
        attrs = decl.complete_attrs(attrs or {})
        for v in operands:
            if not isinstance(v, Value):
                raise TypeError(f"operand of {name} is not a Value: {v!r}")
        if result_types is None:
            result_types = decl.result_types([v.type for v in operands], attrs)
        op = Op(decl, operands, result_types, attrs, regions, loc or self.loc, hints)
        return self.block.append(op)

    def value(self, name: str, *operands: Value, hint: str = "", **attrs) -> Value:
        """Create a single-result op and return its result."""
        return self.create(name, operands, attrs, hints=(hint,)).result


def op_table_markdown() -> str:
    """The op list of docs/physl.md: name, operands, attributes, traits, summary."""
    rows = ["| op | operands | attributes | traits | what it does |", "|---|---|---|---|---|"]
    for name, decl in sorted(all_ops().items()):
        attrs = ", ".join(a.name if a.default is REQUIRED else f"{a.name}={a.default!r}"
                          for a in decl.attrs)
        rows.append(f"| `{name}` | {', '.join(decl.operands)} | {attrs} | "
                    f"{', '.join(sorted(decl.traits))} | {decl.doc} |")
    return "\n".join(rows)
