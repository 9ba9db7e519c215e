"""PhySL value types.

Grammar of the text form (see docs/physl.md):

    type    := scalar | array | tuple | list | 'none' | object
    scalar  := 'bool' | 'int' | 'float' | 'complex'        (Python scalars: weak in NEP 50)
             | DTYPE                                       (NumPy scalars: strong)
    array   := DTYPE '[' [dim {',' dim}] ']'               e.g. f64[?,3], bool[?], f64[]
    dim     := '?' | INT
    tuple   := 'tuple<' [type {',' type}] '>'
    list    := 'list<' type '>'
    DTYPE   := 'bool' | 'i8' | 'i16' | 'i32' | 'i64' | 'u8' | 'u16' | 'u32' | 'u64'
             | 'f16' | 'f32' | 'f64' | 'c64' | 'c128'
    object  := 'generator' | 'random_state' | 'bytes' | 'str'   (Python objects: see ObjectType)

`bool` names both the Python/NumPy boolean scalar (NEP 50 treats them alike) and, with
brackets, a boolean array. `parse_types` (signatures given by a user) also takes NumPy's and
Numba's spelling: `float64[:, :]`, `np.int32[::1]`, `bool_`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DTYPES: dict[str, np.dtype] = {
    "bool": np.dtype(np.bool_),
    "i8": np.dtype(np.int8),
    "i16": np.dtype(np.int16),
    "i32": np.dtype(np.int32),
    "i64": np.dtype(np.int64),
    "u8": np.dtype(np.uint8),
    "u16": np.dtype(np.uint16),
    "u32": np.dtype(np.uint32),
    "u64": np.dtype(np.uint64),
    "f16": np.dtype(np.float16),
    "f32": np.dtype(np.float32),
    "f64": np.dtype(np.float64),
    "c64": np.dtype(np.complex64),
    "c128": np.dtype(np.complex128),
}
_NAME_OF_DTYPE = {dt: name for name, dt in DTYPES.items()}

# Python scalar kinds ("weak" in NEP 50) and the NumPy dtype their values take in arrays.
PY_KINDS: dict[str, str] = {"bool": "bool", "int": "i64", "float": "f64", "complex": "c128"}
_PY_SAMPLE = {"bool": False, "int": 0, "float": 0.0, "complex": 0j}


def dtype_name(dt) -> str:
    """Name of a NumPy dtype in PhySL (`f64`, `i32`, ...); raises KeyError if unsupported."""
    return _NAME_OF_DTYPE[np.dtype(dt)]


class Type:
    """Base of all PhySL types (immutable, hashable)."""

    __slots__ = ()

    @property
    def is_array(self) -> bool:
        return isinstance(self, ArrayType)


@dataclass(frozen=True)
class ScalarType(Type):
    """A scalar. `kind` is a Python kind (`int`, `float`, `complex`, `bool`) or a dtype name."""

    kind: str

    def __post_init__(self):
        if self.kind not in DTYPES and self.kind not in PY_KINDS:
            raise ValueError(f"unknown scalar kind {self.kind!r}")

    @property
    def weak(self) -> bool:
        return self.kind in PY_KINDS and self.kind != "bool"

    @property
    def dtype(self) -> str:
        return PY_KINDS.get(self.kind, self.kind)

    def __str__(self) -> str:
        return self.kind


@dataclass(frozen=True)
class ArrayType(Type):
    """An n-d array of `dtype`; each entry of `shape` is a known extent or None."""

    dtype: str
    shape: tuple

    def __post_init__(self):
        if self.dtype not in DTYPES:
            raise ValueError(f"unknown dtype {self.dtype!r}")

    @property
    def rank(self) -> int:
        return len(self.shape)

    def __str__(self) -> str:
        dims = ",".join("?" if d is None else str(d) for d in self.shape)
        return f"{self.dtype}[{dims}]"


@dataclass(frozen=True)
class TupleType(Type):
    elems: tuple

    def __str__(self) -> str:
        return "tuple<" + ", ".join(map(str, self.elems)) + ">"


@dataclass(frozen=True)
class ListType(Type):
    elem: Type

    def __str__(self) -> str:
        return f"list<{self.elem}>"


@dataclass(frozen=True)
class NoneType(Type):
    def __str__(self) -> str:
        return "none"


@dataclass(frozen=True)
class ObjectType(Type):
    """A Python object kernels pass around and call methods of, but never look into:
    'generator' (numpy.random.Generator) and 'random_state' (numpy.random.RandomState), whose
    methods draw random numbers and advance the object's state, and 'bytes' and 'str' (what
    np.random.bytes and np.random.get_state return)."""

    kind: str

    def __post_init__(self):
        if self.kind not in OBJECT_KINDS:
            raise ValueError(f"unknown object kind {self.kind!r}")

    @property
    def pyclass(self) -> type:
        return OBJECT_KINDS[self.kind]

    def __str__(self) -> str:
        return self.kind


OBJECT_KINDS: dict[str, type] = {"generator": np.random.Generator,
                                 "random_state": np.random.RandomState, "bytes": bytes,
                                 "str": str}
GENERATOR = ObjectType("generator")
RANDOM_STATE = ObjectType("random_state")
NONE = NoneType()
BOOL = ScalarType("bool")
INT = ScalarType("int")
FLOAT = ScalarType("float")
COMPLEX = ScalarType("complex")


def array(dtype: str, rank: int) -> ArrayType:
    return ArrayType(dtype, (None,) * rank)


def rank_of(t: Type) -> int:
    """Rank of an array type; 0 for scalars."""
    return t.rank if isinstance(t, ArrayType) else 0


def dtype_of(t: Type) -> str:
    if isinstance(t, ArrayType):
        return t.dtype
    if isinstance(t, ScalarType):
        return t.dtype
    raise TypeError(f"{t} has no dtype")


def _sample(t: Type):
    """A value standing for `t` in np.result_type (Python scalars stay weak)."""
    if isinstance(t, ScalarType):
        if t.kind in PY_KINDS:
            return _PY_SAMPLE[t.kind]
        return DTYPES[t.kind].type(0)
    return np.empty((0,) * max(t.rank, 1), DTYPES[t.dtype])


def result_dtype(*types: Type) -> str:
    """NEP 50 promotion of the operands' dtypes (Python scalars are weak)."""
    return dtype_name(np.result_type(*[_sample(t) for t in types]))


def broadcast_shapes(*shapes: tuple) -> tuple:
    """Broadcast static shapes (None = unknown extent). Raises ValueError on a known mismatch."""
    rank = max((len(s) for s in shapes), default=0)
    out = []
    for axis in range(rank):
        dims = [s[len(s) - rank + axis] for s in shapes if len(s) - rank + axis >= 0]
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            raise ValueError(f"shapes {' and '.join(_shape_str(s) for s in shapes)} do not broadcast")
        if known:
            out.append(known.pop())
        elif any(d is None for d in dims):
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def _shape_str(shape: tuple) -> str:
    return "(" + ", ".join("?" if d is None else str(d) for d in shape) + ")"


def unify(a: Type, b: Type) -> Type | None:
    """The least type holding values of `a` and `b` (branch merges, loop carries), or None."""
    if a == b:
        return a
    if isinstance(a, ScalarType) and isinstance(b, ScalarType):
        return ScalarType(_unify_scalar_kind(a, b))
    if isinstance(a, ArrayType) and isinstance(b, ArrayType) and a.rank == b.rank:
        shape = tuple(x if x == y else None for x, y in zip(a.shape, b.shape))
        return ArrayType(result_dtype(a, b), shape)
    if isinstance(a, TupleType) and isinstance(b, TupleType) and len(a.elems) == len(b.elems):
        elems = [unify(x, y) for x, y in zip(a.elems, b.elems)]
        return None if None in elems else TupleType(tuple(elems))
    if isinstance(a, ListType) and isinstance(b, ListType):
        elem = unify(a.elem, b.elem)
        return None if elem is None else ListType(elem)
    return None


def same_kind_of_value(a: Type, b: Type) -> bool:
    """Whether values of `a` and `b` have the same dtypes and ranks throughout (a Python
    scalar counts as its NumPy dtype: float as f64). Merging such types only forgets extents,
    or whether a scalar is a Python or a NumPy one; any other merge changes a dtype."""
    if isinstance(a, ScalarType) and isinstance(b, ScalarType):
        return a.dtype == b.dtype
    if isinstance(a, ArrayType) and isinstance(b, ArrayType):
        return a.dtype == b.dtype and a.rank == b.rank
    if isinstance(a, TupleType) and isinstance(b, TupleType):
        return len(a.elems) == len(b.elems) and all(map(same_kind_of_value, a.elems, b.elems))
    if isinstance(a, ListType) and isinstance(b, ListType):
        return same_kind_of_value(a.elem, b.elem)
    return a == b


def refines(a: Type, b: Type) -> bool:
    """True if `a` equals `b` except that `a` may know extents that `b` leaves open."""
    if a == b:
        return True
    if isinstance(a, ArrayType) and isinstance(b, ArrayType):
        return a.dtype == b.dtype and a.rank == b.rank and all(
            y is None or x == y for x, y in zip(a.shape, b.shape))
    if isinstance(a, TupleType) and isinstance(b, TupleType):
        return len(a.elems) == len(b.elems) and all(map(refines, a.elems, b.elems))
    if isinstance(a, ListType) and isinstance(b, ListType):
        return refines(a.elem, b.elem)
    return False


def _unify_scalar_kind(a: ScalarType, b: ScalarType) -> str:
    order = ["bool", "int", "float", "complex"]
    if a.kind in PY_KINDS and b.kind in PY_KINDS:
        return max(a.kind, b.kind, key=order.index)
    # a Python scalar meeting a NumPy one takes its dtype (NEP 50: Python scalars are weak)
    return result_dtype(a, b)


def type_of_value(value) -> Type:
    """The PhySL type a Python argument specialises to (raises TypeError if unsupported)."""
    if isinstance(value, (bool, np.bool_)):
        return BOOL
    if isinstance(value, np.generic):  # before float/complex: np.float64 subclasses float
        return ScalarType(dtype_name(value.dtype))
    if isinstance(value, int):
        return INT
    if isinstance(value, float):
        return FLOAT
    if isinstance(value, complex):
        return COMPLEX
    if isinstance(value, np.generic):
        return ScalarType(dtype_name(value.dtype))
    if isinstance(value, np.ndarray):
        return ArrayType(dtype_name(value.dtype), (None,) * value.ndim)
    if isinstance(value, tuple):
        return TupleType(tuple(type_of_value(v) for v in value))
    if value is None:
        return NONE
    if isinstance(value, np.random.Generator):
        return GENERATOR
    if isinstance(value, np.random.RandomState):
        return RANDOM_STATE
    kind = {str: "string", bytes: "bytes", dict: "dict", list: "list", set: "set"}.get(
        type(value), type(value).__name__)
    raise TypeError(f"{kind} arguments are not supported (a kernel takes numbers, NumPy arrays "
                    "of bool, integer, float or complex dtypes, NumPy random generators, tuples "
                    "of these and None)")


def parse_type(text: str) -> Type:
    """Parse one type from its text form."""
    from .lexer import TypeParser

    return TypeParser(text).parse_single()


def parse_types(text: str) -> list[Type]:
    """Parse a comma-separated list of types, e.g. `"f64[?,?], f64[?], float, int"`, also in
    NumPy's and Numba's spelling: `"float64[:, :], np.float64[::1], float, int"` (a NumPy
    name without brackets is a NumPy scalar; `:` and Numba's `::1` are any extent).
    Raises lexer.ParseError (a ValueError) naming the column."""
    from .lexer import TypeParser

    return TypeParser(text, rewrite=_numpy_spelling).parse_list()


_PHYSL_NAMES = {*DTYPES, *PY_KINDS, *OBJECT_KINDS, "none", "tuple", "list"}


def _numpy_spelling(tokens: list) -> list:
    """Tokens of a signature with NumPy dtype names (`float64`, `np.int32`, `bool_`) renamed
    to PhySL's and each `:` / `::1` extent inside brackets made `?`."""
    from dataclasses import replace

    from .lexer import ParseError

    out, depth, k = [], 0, 0
    while k < len(tokens):
        tok = tokens[k]
        k += 1
        if tok.kind == "ident":
            name = tok.text.removeprefix("np.").removeprefix("numpy.")
            if name not in _PHYSL_NAMES and len(name) > 3 and name in np.sctypeDict:
                try:
                    name = dtype_name(np.dtype(name))
                except KeyError:
                    raise ParseError(f"line {tok.line}, column {tok.col}: unsupported dtype "
                                     f"'{tok.text}'") from None
            tok = replace(tok, text=name if name in _PHYSL_NAMES else tok.text)
        elif tok.text in "[]" and tok.kind == "punct":
            depth += 1 if tok.text == "[" else -1
        elif depth and tok.text == ":":
            colons = 1
            while k < len(tokens) and tokens[k].text == ":":
                colons, k = colons + 1, k + 1
            if colons == 2 and k < len(tokens) and tokens[k].text == "1":
                k += 1          # Numba's C-contiguous '::1': PhySL types do not record layout
            elif colons != 1:
                raise ParseError(f"line {tok.line}, column {tok.col}: expected ':' or '::1' "
                                 "for an extent")
            tok = replace(tok, kind="punct", text="?")
        out.append(tok)
    return out
