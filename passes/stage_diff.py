"""A diff of two PhySL texts that lines values up by name and source location, not SSA numbers.

Passes renumber values: after `licm` hoists one op, every `%7` of the loop body becomes `%6`,
and a plain text diff marks each of those lines changed. Here each line is compared through a
key in which every value is replaced by a label that does not depend on numbering: its hint
(without the `_2` suffix the printer adds), the op that defines it and that op's source
location (`exp@17:29`), or for a block argument the op owning the block (positions only for
values without a hint). Lines whose keys are
equal are shown as context (in the second text's spelling); the rest as removed / added.

    print(stage_diff(result.stage("canonicalize"), result.stage("final"), "canonicalize",
                     "final"))
"""

from __future__ import annotations

import difflib
import re

from phylanx.ir.core import Op, Value
from phylanx.ir.parser import parse_physl
from phylanx.ir.printer import Namer, Printer

_SUFFIX = re.compile(r"_\d+$")


def _where(op: Op) -> str:
    loc = op.loc
    return f"{op.name}@{loc.line}:{loc.col}" if loc.line > 0 else op.name


class _LabelNamer(Namer):
    """Names every value by its label (see the module doc), made unique by `#2`, `#3`..."""

    def name(self, value: Value) -> str:
        if value in self.names:
            return self.names[value]
        hint = _SUFFIX.sub("", value.hint or "")
        owner = value.owner
        # The position of a result or block argument only when there is no hint: passes drop
        # loop-carried values, which shifts the positions of the others.
        position = "" if hint else str(value.index)
        if isinstance(owner, Op):
            label = _where(owner) + (f".{position}" if position and len(owner.results) > 1
                                     else "")
        elif isinstance(getattr(owner, "parent", None), Op):
            block_op = owner.parent
            region = next(k for k, b in enumerate(block_op.regions) if b is owner)
            label = f"arg{position}.{region}<{_where(block_op)}>"
        else:           # a function argument: its own name is stable
            label = ""
        base = f"{hint}={label}" if hint and label else hint or label
        name, k = base, 1
        while name in self.used:
            k += 1
            name = f"{base}#{k}"
        self.used.add(name)
        self.names[value] = name
        return name


class _KeyPrinter(Printer):
    """The printer with label names and no location suffixes (locations are in the labels)."""

    def __init__(self):
        super().__init__(locations=False)

    def function(self, f) -> None:
        namer = _LabelNamer()
        args = ", ".join(f"%{namer.name(a)}: {a.type}" for a in f.args)
        self.lines.append(f"func @{f.name}({args}) -> {f.result_type} {{")
        self.block_ops(f.body, namer, 1, f.file)
        self.lines.append("}")


def _lines_and_keys(text: str, locations: bool) -> tuple[list[str], list[str]]:
    """The lines of `text` as printed, and the key of each (same count, same order)."""
    module = parse_physl(text)
    shown, keys = Printer(locations=locations), _KeyPrinter()
    for f in module.functions.values():
        shown.function(f)
        keys.function(f)
    return shown.lines, keys.lines


def stage_diff(text_a: str, text_b: str, name_a: str = "a", name_b: str = "b",
               context: int = 3, locations: bool = True) -> str:
    """Unified diff of two PhySL texts, matching lines by their value labels ("" if equal);
    `locations=False` hides the source locations of the lines shown (not of the keys)."""
    a_lines, a_keys = _lines_and_keys(text_a, locations)
    b_lines, b_keys = _lines_and_keys(text_b, locations)
    matcher = difflib.SequenceMatcher(None, a_keys, b_keys, autojunk=False)
    out = []
    for group in matcher.get_grouped_opcodes(context):
        if not out:
            out += [f"--- {name_a}", f"+++ {name_b}"]
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        out.append(f"@@ -{i1 + 1},{i2 - i1} +{j1 + 1},{j2 - j1} @@")
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                out += [" " + line for line in b_lines[b1:b2]]
                continue
            out += ["-" + line for line in a_lines[a1:a2]]
            out += ["+" + line for line in b_lines[b1:b2]]
    return "\n".join(out) + "\n" if out else ""
