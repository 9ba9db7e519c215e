"""The op registry: one declaration per primitive, every field typed and checked at import.

`declare(...)` creates an `OpDecl`; declarations live in `phylanx/ops/`. Fields:

    name, operands, attrs  operand names (a last name ending in '*' takes any number) and
                           attributes (`Attr`: compile-time constants of the op)
    infer                  result-type rule: (operand types, attrs) -> Type | tuple of Types
    traits                 effects and kinds (below)
    regions, results       region names; number of results (-1: given by `infer`/the verifier)
    impl                   NumPy reference: impl(*values, **attrs) -> value(s); the test oracle
                           and the runtime's GIL-holding fallback nodes run it
    needs_result_types     `impl` also takes `result_types=` (constants, conversions)
    evaluate               reference of an op whose regions are its computation (fused ops):
                           evaluate(op, values) -> list of results
    verify                 check of the op in place of the type rule: verify(op, function, module)
    fold                   constant folding: fold(*constant values, **attrs) -> value (default
                           `impl`)
    static_value           (operand types, attrs) -> the result when the types alone give it
                           (`x.size` of known extents), else None
    quiet_when             op -> True when the op can neither raise nor warn for its operands
                           (predicates in phylanx.analysis.raising); None: it may
    bindings               the Python spellings the frontend lowers to the op:
                           NumpyFunction("np.add"), Method("sum"), Attribute("T"), Operator("+"),
                           Builtin("abs")
    params                 how a Python call's arguments bind to operands and attributes
    same_as                the op whose kernels this twin shares on arrays (`np.add` -> `add`:
                           they differ only on Python scalars)

Traits:
    pure         no side effects; may be CSE'd, hoisted, or removed when unused
    allocates    returns a fresh buffer
    view         result may share memory with operand 0 (basic slicing, transpose, reshape)
    random       draws from a random generator (never CSE'd or folded)
    io           writes to stdout; keeps program order with other io and random ops
    inplace      writes into the buffer of operand 0 and returns it; every other use of that
                 operand must come before it in program order
    control      has regions (structured control flow)
    terminator   ends a block (`yield`, `return`)
    elementwise  maps elements independently with broadcasting (fusion candidate)
    reduction    reduces along axes
    commutative  operands may be swapped
    matmul       a contraction (matrix products): costs about m*k*n
    nonneg       its integer results are >= 0 (sizes, lengths, counts)

A misspelled key, trait, NumPy path, method, attribute, operator or builtin is an error when
the declaring module is imported.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

import numpy as np

from .core import UNKNOWN_LOC, Block, Location, Op, Value
from .types import OBJECT_KINDS, Type

REQUIRED = object()
TRAITS = frozenset(
    {"pure", "allocates", "view", "random", "io", "inplace", "control", "terminator", "elementwise",
     "reduction", "commutative", "matmul", "nonneg"}
)
ATTR_KINDS = frozenset({"any", "int", "float", "bool", "str", "dtype", "dtype_or_builtin",
                        "axis"})
BINARY_OPERATORS = frozenset({"+", "-", "*", "/", "//", "%", "**", "@", "&", "|", "^", "<<",
                              ">>", "==", "!=", "<", "<=", ">", ">="})
UNARY_OPERATORS = frozenset({"-", "+", "~"})


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
    'f32'), 'dtype_or_builtin' (as 'dtype', but the Python types int, float, complex and bool
    give "builtins.int", ...: NumPy's random integers are Python scalars for them), 'axis'
    (None, an int, or a tuple of ints).
    """

    name: str
    default: object = REQUIRED
    kind: str = "any"

    def __post_init__(self):
        if self.kind not in ATTR_KINDS:
            raise ValueError(f"Attr {self.name!r}: unknown kind {self.kind!r}; known: "
                             f"{', '.join(sorted(ATTR_KINDS))}")


# --- Python bindings ---------------------------------------------------------------------------

class Binding:
    """A Python spelling the frontend lowers to an op."""

    __slots__ = ()

    def spelling(self) -> str:
        raise NotImplementedError


_LIBRARY_ROOTS = {"np": np, "math": math}


@dataclass(frozen=True)
class NumpyFunction(Binding):
    """A NumPy function, by its path: `NumpyFunction("np.linalg.solve")`; also a function of
    Python's math module (`NumpyFunction("math.sqrt")`)."""

    path: str
    target: object = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        parts = self.path.split(".")
        if len(parts) < 2 or parts[0] not in _LIBRARY_ROOTS:
            raise ValueError(f"NumpyFunction({self.path!r}): expected a path like 'np.add' "
                             "or 'math.sqrt'")
        obj = _LIBRARY_ROOTS[parts[0]]
        for i, part in enumerate(parts[1:], 1):
            try:
                obj = getattr(obj, part)
            except AttributeError:
                raise ValueError(f"NumpyFunction({self.path!r}): "
                                 f"{'.'.join(parts[:i])} has no attribute {part!r}") from None
        if not callable(obj):
            raise TypeError(f"NumpyFunction({self.path!r}) is not callable")
        object.__setattr__(self, "target", obj)

    def spelling(self) -> str:
        return f"{self.path}()"


@dataclass(frozen=True)
class Method(Binding):
    """An array method `x.name(...)`; with `scalars`, NumPy scalars have it too. `on`: the
    class of the receiver when it is not an array, one of the object types of
    phylanx.ir.types (`Method("normal", on=np.random.Generator)` is `rng.normal(...)`)."""

    name: str
    scalars: bool = False
    on: type = np.ndarray

    def __post_init__(self):
        if self.on is not np.ndarray and (self.on not in OBJECT_KINDS.values() or self.scalars):
            raise ValueError(f"Method({self.name!r}, on={self.on.__name__}): not an object "
                             "type of phylanx.ir.types (or scalars=True)")
        if not hasattr(self.on, self.name):
            raise ValueError(f"Method({self.name!r}): {_class_name(self.on)} has no such method")
        if not callable(getattr(self.on, self.name)):
            raise TypeError(f"Method({self.name!r}) is an attribute: use Attribute")

    def spelling(self) -> str:
        receiver = "x" if self.on is np.ndarray else _RECEIVERS.get(self.on, "obj")
        return f"{receiver}.{self.name}()"


# How the op table spells the receiver of a method of an object type.
_RECEIVERS = {np.random.Generator: "rng", np.random.RandomState: "rs"}


def _class_name(cls: type) -> str:
    return "np.ndarray" if cls is np.ndarray else f"{cls.__module__}.{cls.__qualname__}"


@dataclass(frozen=True)
class Attribute(Binding):
    """An array attribute `x.name` (operand 0 is x); with `scalars`, scalars have it too."""

    name: str
    scalars: bool = False

    def __post_init__(self):
        if not hasattr(np.ndarray, self.name):
            raise ValueError(f"Attribute({self.name!r}): np.ndarray has no such attribute")
        if callable(getattr(np.ndarray, self.name)):
            raise TypeError(f"Attribute({self.name!r}) is a method: use Method")

    def spelling(self) -> str:
        return f"x.{self.name}"


@dataclass(frozen=True)
class Operator(Binding):
    """A Python operator: binary (`+`, `@`, `<`, ...) or unary (`-`, `+`, `~`) by the op's
    number of operands."""

    symbol: str

    def __post_init__(self):
        if self.symbol not in BINARY_OPERATORS | UNARY_OPERATORS:
            raise ValueError(f"Operator({self.symbol!r}): not a Python operator")

    def spelling(self) -> str:
        return self.symbol


@dataclass(frozen=True)
class Builtin(Binding):
    """A Python builtin function: `Builtin("abs")`."""

    name: str

    def __post_init__(self):
        if not hasattr(builtins, self.name):
            raise ValueError(f"Builtin({self.name!r}): no such builtin function")
        if not callable(getattr(builtins, self.name)):
            raise TypeError(f"Builtin({self.name!r}) is not callable")

    def spelling(self) -> str:
        return f"{self.name}()"


_CALLS = (NumpyFunction, Method, Builtin)


@dataclass(frozen=True, eq=False)
class Params:
    """How a Python call (a NumpyFunction, Method or Builtin binding) binds its arguments.

    order     the parameters in positional order; None: the operands, then the attributes
    defaults  values of operands the call may omit (they become constants)
    aliases   keyword spellings of parameters: {"min": "a_min"}
    packed    a parameter that takes the rest of the positional arguments as one tuple:
              `np.random.rand(2, 3)` binds (2, 3) to `shape`
    positional how many parameters a call may pass by position (None: all of them), where
              NumPy's next positional parameter is one phylanx does not take (`np.sum(a,
              axis, dtype, out)`: 3, so a fourth positional argument is refused, not bound to
              keepdims)
    A method call binds its receiver to the first parameter."""

    order: tuple[str, ...] | None = None
    defaults: Mapping[str, object] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)
    packed: str | None = None
    positional: int | None = None


NO_PARAMS = Params()


# --- declarations ------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class OpDecl:
    """An op's declaration: see the module doc for each field."""

    name: str
    operands: tuple[str, ...] = ()
    attrs: tuple[Attr, ...] = ()
    infer: Callable | None = None
    traits: frozenset[str] = frozenset()
    regions: tuple[str, ...] = ()
    impl: Callable | None = None
    fold: Callable | None = None
    doc: str = ""
    results: int = 1
    bindings: tuple[Binding, ...] = ()
    params: Params = NO_PARAMS
    same_as: str | None = None
    evaluate: Callable | None = None
    verify: Callable | None = None
    needs_result_types: bool = False
    quiet_when: Callable | None = None
    static_value: Callable | None = None

    @property
    def variadic(self) -> bool:
        return bool(self.operands) and self.operands[-1].endswith("*")

    @property
    def operand_names(self) -> list[str]:
        return [o.rstrip("*") for o in self.operands]

    @property
    def param_names(self) -> list[str]:
        """Python call parameters in positional order."""
        if self.params.order is not None:
            return list(self.params.order)
        return self.operand_names + [a.name for a in self.attrs]

    @property
    def operator(self) -> str | None:
        """The Python operator the op implements (Python-operator semantics), or None."""
        for b in self.bindings:
            if isinstance(b, Operator):
                return b.symbol
        return None

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
            fold=None, doc: str = "", results: int = 1, *, bindings=(),
            params: Params | None = None, same_as: str | None = None, evaluate=None,
            verify=None, needs_result_types: bool = False, quiet_when=None, static_value=None,
            **unknown) -> OpDecl:
    """Create, check and register an op declaration (see the module doc for each field)."""
    if unknown:
        raise TypeError(f"op {name!r}: unknown declaration keys {sorted(unknown)}")
    if name in OPS:
        raise ValueError(f"op {name!r} declared twice")
    attrs = tuple(a if isinstance(a, Attr) else Attr(*a) if isinstance(a, tuple) else Attr(a)
                  for a in attrs)
    decl = OpDecl(name, tuple(operands), attrs, infer, frozenset(traits), tuple(regions), impl,
                  fold, doc, results, tuple(bindings), params or NO_PARAMS, same_as, evaluate,
                  verify, needs_result_types, quiet_when, static_value)
    _check(decl)
    OPS[name] = decl
    return decl


def _check(d: OpDecl) -> None:
    def fail(message: str):
        raise ValueError(f"op {d.name!r}: {message}")

    bad = d.traits - TRAITS
    if bad:
        fail(f"unknown traits {sorted(bad)}")
    if "pure" in d.traits and d.traits & {"random", "io", "inplace", "terminator"}:
        fail(f"'pure' contradicts {sorted(d.traits & {'random', 'io', 'inplace', 'terminator'})}")
    for what, names in (("operand", d.operand_names), ("attribute", [a.name for a in d.attrs])):
        if len(set(names)) != len(names):
            fail(f"{what} names repeat: {names}")
    if any(o.endswith("*") for o in d.operands[:-1]):
        fail("only the last operand may be variadic ('name*')")
    for hook in ("infer", "impl", "fold", "evaluate", "verify", "quiet_when", "static_value"):
        value = getattr(d, hook)
        if value is not None and not callable(value):
            fail(f"{hook}= must be callable")
    if d.regions and "control" not in d.traits and d.evaluate is None:
        fail("an op whose regions are its computation needs evaluate=")
    if d.evaluate is not None and not d.regions:
        fail("evaluate= is for ops with regions")
    if d.same_as is not None:
        twin = OPS.get(d.same_as)
        if twin is None:
            fail(f"same_as={d.same_as!r} names no declared op")
        if twin.operands != d.operands:
            fail(f"same_as={d.same_as!r} has other operands {twin.operands}")
    _check_bindings(d, fail)


def _check_bindings(d: OpDecl, fail) -> None:
    for b in d.bindings:
        if not isinstance(b, Binding):
            fail(f"bindings= holds {b!r}, not a Binding (NumpyFunction, Method, Attribute, "
                 "Operator, Builtin)")
        if isinstance(b, Operator):
            arity = len(d.operands) if not d.variadic else -1
            symbols = BINARY_OPERATORS if arity == 2 else UNARY_OPERATORS if arity == 1 else ()
            if b.symbol not in symbols:
                fail(f"Operator({b.symbol!r}) does not take {len(d.operands)} operands")
        if isinstance(b, Attribute) and not d.operands:
            fail(f"Attribute({b.name!r}) needs an operand (the object)")
        for other in OPS.values():
            if any(_same_spelling(b, c, d, other) for c in other.bindings):
                fail(f"{b.spelling()} is bound to {other.name!r} already")
    p = d.params
    if p is not NO_PARAMS and not any(isinstance(b, _CALLS) for b in d.bindings):
        fail("params= without a call binding (NumpyFunction, Method, Builtin)")
    names = d.operand_names + [a.name for a in d.attrs]
    if any(isinstance(b, _CALLS) for b in d.bindings) and len(set(names)) != len(names):
        fail(f"a Python call cannot bind operands and attributes of one name: {names}")
    if p.order is not None and sorted(p.order) != sorted(names):
        fail(f"params order {p.order} is not a permutation of {names}")
    for key in p.defaults:
        if key not in d.operand_names:
            fail(f"params default for {key!r}, which is not an operand")
    for spelling, target in p.aliases.items():
        if target not in names:
            fail(f"params alias {spelling!r} -> {target!r}, which is not a parameter")
    if p.packed is not None and p.packed not in names:
        fail(f"params packed={p.packed!r} is not a parameter")
    if p.positional is not None and not 0 < p.positional <= len(names):
        fail(f"params positional={p.positional} is not in 1..{len(names)}")


def _same_spelling(a: Binding, b: Binding, da: OpDecl, db: OpDecl) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, NumpyFunction):
        return a.target == b.target     # equal, not identical: np.add.reduce is made per read
    if isinstance(a, Operator):
        return a.symbol == b.symbol and len(da.operands) == len(db.operands)
    if isinstance(a, Method):
        return a.name == b.name and a.on is b.on
    return a == b or getattr(a, "name", None) == getattr(b, "name", None)


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


def op_table_markdown(native: Collection[str] = ()) -> str:
    """The op list of docs/physl.md: name, operands, attributes, traits, how it runs, Python
    bindings, summary. `native`: the ops the runtime has a native kernel for (the others run
    as NumPy fallbacks; control flow is the executor's)."""
    rows = ["| op | operands | attributes | traits | runs | Python | what it does |",
            "|---|---|---|---|---|---|---|"]
    for name, decl in sorted(all_ops().items()):
        attrs = ", ".join(a.name if a.default is REQUIRED else f"{a.name}={a.default!r}"
                          for a in decl.attrs)
        spelled = ", ".join(f"`{_table_spelling(b, decl)}`" for b in decl.bindings)
        if decl.traits & {"control", "terminator"}:
            runs = "executor"
        elif name in native or decl.same_as in native:
            runs = "native"
        else:
            runs = "NumPy fallback"
        rows.append(f"| `{name}` | {', '.join(decl.operands)} | {attrs} | "
                    f"{', '.join(sorted(decl.traits))} | {runs} | {spelled} | {decl.doc} |")
    return "\n".join(rows)


def _table_spelling(b: Binding, decl: OpDecl) -> str:
    if isinstance(b, Operator):
        text = f"x {b.symbol} y" if len(decl.operands) == 2 else f"{b.symbol}x"
    else:
        text = b.spelling()
    return text.replace("|", "\\|")   # a pipe would end the table cell
