"""Optimization remarks: what a pass did (fused, hoisted, parallelised...) and what it refused.

Each remark has the pass, a kind, the source location of the op concerned and a message.
`Diagnostics.report()` groups them by pass, like Numba's parallel diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass

from phylanx.ir.core import Location, Op


@dataclass(frozen=True)
class Diagnostic:
    pass_name: str
    kind: str        # e.g. "fused", "refused", "parallel", "sequential", "hoisted", "inlined"
    loc: Location
    message: str

    def where(self) -> str:
        if self.loc.line <= 0:
            return "<unknown>"
        return f"{self.loc.file}:{self.loc.line}:{self.loc.col}"

    def __str__(self) -> str:
        return f"{self.where()}: {self.pass_name}: {self.kind}: {self.message}"


class Diagnostics(list):
    """A list of Diagnostic with a readable report."""

    def of(self, pass_name: str | None = None, kind: str | None = None) -> list[Diagnostic]:
        return [d for d in self if (pass_name is None or d.pass_name == pass_name)
                and (kind is None or d.kind == kind)]

    def report(self) -> str:
        if not self:
            return "no optimization remarks\n"
        bar = "=" * 78
        lines = [bar, " Optimization report (phylanx.passes)", bar]
        seen: list[str] = []
        for d in self:
            if d.pass_name not in seen:
                seen.append(d.pass_name)
        for name in seen:
            group = self.of(name)
            counts = {}
            for d in group:
                counts[d.kind] = counts.get(d.kind, 0) + 1
            summary = ", ".join(f"{n} {k}" for k, n in counts.items())
            lines.append(f"--- {name} ({summary})")
            for d in group:
                lines.append(f"  {d.where()}: {d.kind}: {d.message}")
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.report()


def describe(op: Op, file: str | None = None) -> str:
    """`name @line:col` for messages (the file too when it differs from `file`)."""
    loc = op.loc
    if loc.line <= 0:
        return f"'{op.name}'"
    if file is not None and loc.file != file:
        return f"'{op.name}' @{loc.file}:{loc.line}:{loc.col}"
    return f"'{op.name}' @{loc.line}:{loc.col}"
