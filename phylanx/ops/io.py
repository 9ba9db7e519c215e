"""Output: Python's print to stdout, in program order with other output and random draws."""

from __future__ import annotations

from phylanx.ir.registry import Attr, declare


def _print(*values, template: str, end: str = "\n", flush: bool = False):
    print(template.format(*values), end=end, flush=flush)


declare("print", operands=("values*",),
        attrs=(Attr("template", kind="str"), Attr("end", "\n", kind="str"),
               Attr("flush", False, kind="bool")),
        traits=("io",), infer=lambda types, attrs: [], impl=_print, results=0,
        doc="Python's print to stdout: `template` is a str.format template of the operands "
            "(the printed items joined by `sep`), followed by `end`.")
