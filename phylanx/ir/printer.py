"""Text form of PhySL (grammar in docs/physl.md).

    func @logreg(%X: f64[?,?], %y: f64[?], %alpha: float, %iterations: int) -> f64[?] @"lr.py":4:0 {
      %0 = dim %X {axis = 1} : int @5:8
      %w = zeros %0 {dtype = f64} : f64[?] @5:8
      ...
    }

Value names are chosen here from each value's hint, made unique within the function.
"""

from __future__ import annotations

import json
import re

import numpy as np

from .core import Block, Function, Module, Op, Value

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*$")
# ops whose `index` attribute is printed as a Python subscript of their first operand:
# `getitem %x[%i, :, None, ...]`, `setitem %x[%a:%b], %v`
SUBSCRIPT_OPS = frozenset({"getitem", "gather", "setitem"})
# bare words the attribute parser reads as something other than a string
_KEYWORDS = {"true", "false", "none", "inf", "nan", "complex", "dense"}


class Namer:
    def __init__(self):
        self.names: dict[Value, str] = {}
        self.used: set[str] = set()
        self.counter = 0

    def name(self, value: Value) -> str:
        if value in self.names:
            return self.names[value]
        hint = value.hint if _IDENT.match(value.hint or "") else ""
        if hint:
            name, k = hint, 0
            while name in self.used:
                k += 1
                name = f"{hint}_{k}"
        else:
            while str(self.counter) in self.used:
                self.counter += 1
            name = str(self.counter)
            self.counter += 1
        self.used.add(name)
        self.names[value] = name
        return name

    def ref(self, value: Value) -> str:
        try:
            return "%" + self.names[value]
        except KeyError:
            return f"%<undefined {value.hint or id(value)}>"


def format_attr(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (complex, np.complexfloating)):
        return f"complex({value.real!r}, {value.imag!r})"
    if isinstance(value, str):
        return value if _IDENT.match(value) and value not in _KEYWORDS else json.dumps(value)
    if isinstance(value, (tuple, list)):
        inner = ", ".join(format_attr(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, np.ndarray):
        from .types import dtype_name

        dims = ",".join(str(d) for d in value.shape)
        flat = ", ".join(format_attr(v) for v in value.ravel().tolist())
        return f"dense<{dtype_name(value.dtype)}[{dims}]: [{flat}]>"
    raise TypeError(f"cannot print attribute value {value!r}")


def _non_default_attrs(op: Op) -> dict:
    """Attributes to print: those differing from the declared default (the parser fills
    defaults back in)."""
    from .registry import REQUIRED

    defaults = {a.name: a.default for a in op.decl.attrs}
    out = {}
    for key, value in op.attrs.items():
        default = defaults.get(key, REQUIRED)
        if default is not REQUIRED and type(value) is type(default) and (
                value is default or value == default):
            continue
        out[key] = value
    return out


def _subscript(op: Op, namer: Namer) -> str | None:
    """`%x[...]` then the other operands, for an op with an `index` attribute (encoding in
    phylanx/ops/indexing.py); None if the attribute is malformed (printed as it is)."""
    index = op.attrs.get("index")
    if not isinstance(index, tuple) or not op.operands:
        return None
    values = iter(op.operands[1:])
    parts = []
    try:
        for comp in index:
            if comp in ("i", "a"):
                parts.append(namer.ref(next(values)))
            elif comp == "n":
                parts.append("None")
            elif comp == "e":
                parts.append("...")
            elif isinstance(comp, str) and len(comp) == 4 and comp[0] == "s" and set(
                    comp[1:]) <= {"0", "1"}:
                start, stop, step = (namer.ref(next(values)) if bit == "1" else ""
                                     for bit in comp[1:])
                parts.append(f"{start}:{stop}" + (f":{step}" if step else ""))
            else:
                return None
    except StopIteration:
        return None
    rest = list(values)
    text = f"{namer.ref(op.operands[0])}[{', '.join(parts) if parts else '()'}]"
    return ", ".join([text] + [namer.ref(v) for v in rest])


class Printer:
    def __init__(self, locations: bool = True, indent: str = "  "):
        self.locations = locations
        self.indent = indent
        self.lines: list[str] = []

    def loc_suffix(self, loc, file: str) -> str:
        if not self.locations or loc.line <= 0:
            return ""
        if loc.file == file:
            return f" @{loc.line}:{loc.col}"
        return f" @{json.dumps(loc.file)}:{loc.line}:{loc.col}"

    def function(self, f: Function) -> None:
        namer = Namer()
        args = ", ".join(f"%{namer.name(a)}: {a.type}" for a in f.args)
        loc = ""
        if self.locations:
            loc = f" @{json.dumps(f.file)}:{f.loc.line}:{f.loc.col}"
        self.lines.append(f"func @{f.name}({args}) -> {f.result_type}{loc} {{")
        self.block_ops(f.body, namer, 1, f.file)
        self.lines.append("}")

    def block_ops(self, block: Block, namer: Namer, depth: int, file: str) -> None:
        for op in block.ops:
            self.op(op, namer, depth, file)

    def op(self, op: Op, namer: Namer, depth: int, file: str) -> None:
        pad = self.indent * depth
        text = op.name
        shown = _non_default_attrs(op)
        subscript = _subscript(op, namer) if op.name in SUBSCRIPT_OPS else None
        if subscript is not None:
            text += f" {subscript}"
            shown.pop("index")
        elif op.operands:
            text += " " + ", ".join(namer.ref(v) for v in op.operands)
        if shown:
            text += " {" + ", ".join(f"{k} = {format_attr(v)}" for k, v in shown.items()) + "}"
        if op.results:
            text += " : " + ", ".join(str(r.type) for r in op.results)
        text += self.loc_suffix(op.loc, file)
        # Results are named after the operands are printed: an op never uses its own results.
        if op.results:
            text = ", ".join("%" + namer.name(r) for r in op.results) + " = " + text
        for label, block in zip(op.decl.regions, op.regions):
            args = ""
            if block.args:
                args = "(" + ", ".join(f"%{namer.name(a)}: {a.type}" for a in block.args) + ")"
            if text.endswith("}"):
                text += f" {label}{args} {{"
                self.lines.append(pad + text)
            else:
                self.lines.append(pad + text + f" {label}{args} {{")
            self.block_ops(block, namer, depth + 1, file)
            text = "}"
        if op.regions:
            self.lines.append(pad + "}")
        else:
            self.lines.append(pad + text)


def print_function(f: Function, locations: bool = True) -> str:
    p = Printer(locations)
    p.function(f)
    return "\n".join(p.lines) + "\n"


def print_module(m: Module, locations: bool = True) -> str:
    return "\n".join(print_function(f, locations) for f in m.functions.values())
