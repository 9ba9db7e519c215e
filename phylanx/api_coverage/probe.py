"""Run the probes of `names.API` through phylanx.kernel and the plain function.

Each probe becomes a small kernel `def probe_N(<params>): <statements>; return <last>`
whose source is registered with linecache (CompileError can then point into it). It runs on
every argument tuple of its input set; seeded probes (input set "seed") seed NumPy's global
generator with the argument before each side and must return bit-identical streams.
"""

from __future__ import annotations

import linecache
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

import phylanx
from phylanx.api_coverage.inputs import cases
from phylanx.api_coverage.names import API, CATEGORIES
from phylanx.corpus.compare import CRASH, REFUSED, WORKS, WRONG, Outcome, compare

# The order a name's status takes when its probes disagree: the worst one wins.
_SEVERITY = {WORKS: 0, REFUSED: 1, CRASH: 2, WRONG: 3}


@dataclass
class NameResult:
    name: str
    category: str
    status: str = WORKS
    details: list[str] = field(default_factory=list)


def probe_source(index: int, params: tuple[str, ...], body: str) -> str:
    *statements, last = [s.strip() for s in body.split(";")]
    lines = [f"def probe_{index}({', '.join(params)}):"]
    lines += [f"    {s}" for s in statements]
    lines.append(f"    return {last}")
    return "\n".join(lines) + "\n"


def make_probe(index: int, name: str, params: tuple[str, ...], body: str):
    """(kernel, plain function) of one probe."""
    source = probe_source(index, params, body)
    filename = f"<api probe {index}: {name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"np": np, "__name__": "phylanx.api_coverage.probes"}
    # dont_inherit: compiled like a file of its own (not with this module's __future__ flags)
    exec(compile(source, filename, "exec", dont_inherit=True), namespace)  # noqa: S102
    plain = namespace[f"probe_{index}"]
    return phylanx.kernel(plain), plain


def run_probe(index: int, name: str, body: str, inputs: str) -> list[Outcome]:
    params, arg_rows = cases(inputs)
    kernel, plain = make_probe(index, name, params, body)
    seeded = inputs == "seed"
    outcomes = []
    for args in arg_rows:
        outcome = compare(kernel, plain, args, seed=args[0] if seeded else None, exact=seeded)
        outcomes.append(outcome)
        if outcome.status == REFUSED:
            break  # the same refusal for the other dtypes adds nothing
    return outcomes


def run_all(categories: tuple[str, ...] = CATEGORIES, names: set[str] | None = None
            ) -> dict[str, NameResult]:
    """Every name of the table (in table order), with its worst outcome over its probes."""
    results: dict[str, NameResult] = {}
    for index, (name, category, body, inputs) in enumerate(API):
        if category not in categories or (names is not None and name not in names):
            continue
        result = results.setdefault(name, NameResult(name, category))
        for k, outcome in enumerate(run_probe(index, name, body, inputs)):
            if _SEVERITY[outcome.status] > _SEVERITY[result.status]:
                result.status = outcome.status
            if outcome.status != WORKS:
                result.details.append(f"{outcome.status}: `{body}` (inputs {inputs}[{k}]): "
                                      f"{outcome.detail}")
    return results


def summary(results: dict[str, NameResult]) -> list[tuple[str, Counter]]:
    """(category, Counter of statuses) per category in table order, then ("total", ...)."""
    by_category: dict[str, Counter] = {c: Counter() for c in CATEGORIES}
    for r in results.values():
        by_category[r.category][r.status] += 1
    rows = [(c, n) for c, n in by_category.items() if n]
    total = Counter()
    for _, n in rows:
        total.update(n)
    return [*rows, ("total", total)]


def format_summary(results: dict[str, NameResult]) -> str:
    lines = ["| category | names | works | refused | wrong | crash | works % |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for category, n in summary(results):
        names = sum(n.values())
        lines.append(f"| {category} | {names} | {n[WORKS]} | {n[REFUSED]} | {n[WRONG]} | "
                     f"{n[CRASH]} | {100 * n[WORKS] / max(names, 1):.0f}% |")
    return "\n".join(lines)
