"""Test helpers for passes: a FileCheck-style matcher, text-in/text-out pass runs, the oracle
(optionally running `parallel` loops in a shuffled iteration order).

    out = run_opt(text, "cse")                      # parse, run the pipeline, print (no locs)
    filecheck(out, '''
        CHECK: %0 = exp %x
        CHECK-NOT: exp
        CHECK: return
    ''')

Check lines (leading whitespace ignored, other lines ignored):
    CHECK: pat        the next line containing pat at or after the current position
    CHECK-NEXT: pat   exactly the line after the previous match
    CHECK-SAME: pat   on the same line as the previous match, after it
    CHECK-NOT: pat    no line between the previous match and the next match (or the end)
    CHECK-COUNT-n: pat  n consecutive matching lines from the current position onwards
A pattern is matched literally, except `{{regex}}` parts, which are regular expressions.
"""

from __future__ import annotations

import contextlib
import random
import re

from phylanx.ir.core import Module
from phylanx.ir.parser import parse_physl
from phylanx.ir.printer import print_module
from phylanx.ir.verifier import verify_module

from .manager import PipelineResult, run_pipeline


class CheckError(AssertionError):
    pass


def _regex(pattern: str) -> re.Pattern:
    parts = re.split(r"\{\{(.*?)\}\}", pattern.strip())
    return re.compile("".join(p if i % 2 else re.escape(p) for i, p in enumerate(parts)))


_DIRECTIVE = re.compile(r"^\s*(?://|#)?\s*(CHECK(?:-NEXT|-NOT|-SAME|-COUNT-\d+)?):(.*)$")


def filecheck(output: str, checks: str) -> None:
    """Match `output` against CHECK lines; raises CheckError with context on failure."""
    lines = output.splitlines()
    directives = []
    for raw in checks.splitlines():
        m = _DIRECTIVE.match(raw)
        if m:
            directives.append((m.group(1), m.group(2).strip(), _regex(m.group(2))))
    pos = 0            # next line to search
    last = -1          # line of the previous match
    col = 0            # end of the previous match on that line
    pending_not: list = []

    def fail(msg: str, at: int) -> None:
        lo, hi = max(0, at - 3), min(len(lines), at + 4)
        context = "\n".join(f"{'>' if i == at else ' '} {i + 1:4d} | {lines[i]}"
                            for i in range(lo, hi))
        raise CheckError(f"{msg}\n--- output around line {at + 1}:\n{context}\n"
                         f"--- full output:\n{output}")

    def check_nots(upto: int) -> None:
        for text, rx in pending_not:
            for i in range(max(last, 0) if last >= 0 else 0, upto):
                start = col if i == last else 0
                if rx.search(lines[i], start):
                    fail(f"CHECK-NOT: '{text}' found", i)
        pending_not.clear()

    for kind, text, rx in directives:
        if kind == "CHECK-NOT":
            pending_not.append((text, rx))
            continue
        if kind == "CHECK-SAME":
            m = rx.search(lines[last], col) if last >= 0 else None
            if not m:
                fail(f"CHECK-SAME: '{text}' not found on the matched line", max(last, 0))
            col = m.end()
            continue
        if kind == "CHECK-NEXT":
            i = last + 1
            m = rx.search(lines[i]) if i < len(lines) else None
            if not m:
                fail(f"CHECK-NEXT: '{text}' not on the line after the previous match", i)
            check_nots(i)
            last, col, pos = i, m.end(), i + 1
            continue
        count = int(kind.rsplit("-", 1)[1]) if kind.startswith("CHECK-COUNT") else 1
        found = None
        for i in range(pos, len(lines)):
            if rx.search(lines[i]):
                found = i
                break
        if found is None:
            fail(f"{kind}: '{text}' not found", min(pos, max(len(lines) - 1, 0)))
        check_nots(found)
        for k in range(count):
            i = found + k
            m = rx.search(lines[i]) if i < len(lines) else None
            if not m:
                fail(f"{kind}: line {k + 1} of {count} does not match '{text}'", i)
            last, col, pos = i, m.end(), i + 1
    check_nots(len(lines))


def run_opt(text: str, pipeline: str, locations: bool = False, **kwargs) -> str:
    """Parse PhySL, run `pipeline` (verifying after each pass), print the result."""
    return print_module(run_opt_result(text, pipeline, **kwargs).module, locations)


def run_opt_result(text: str, pipeline: str, **kwargs) -> PipelineResult:
    module = parse_physl(text)
    verify_module(module)
    return run_pipeline(module, pipeline, **kwargs)


# --- oracle ------------------------------------------------------------------------------------

_PROBE = """func @probe(%x: f64[?]) -> f64[?] {
  %0 = fused %x : f64[?] body(%a: f64) {
    %1 = negative %a : f64
    yield %1
  }
  return %0
}
"""


def ensure_oracle_dispatch() -> None:
    """Make the oracle run ops with `extra["evaluate"]` (fused ops) if it does not already."""
    import numpy as np

    from phylanx import oracle

    try:
        oracle.evaluate(parse_physl(_PROBE), np.ones(1))
        return
    except NotImplementedError:
        pass
    control = oracle._control

    def _control(module, op, values, env):
        fn = op.decl.extra.get("evaluate")
        if fn is not None and "control" not in op.decl.traits:
            return list(fn(op, values))
        return control(module, op, values, env)

    oracle._control = _control


def evaluate(module: Module, *args: object) -> object:
    """The oracle's result of `module` on `args` (fused ops supported)."""
    from phylanx import oracle

    ensure_oracle_dispatch()
    return oracle.evaluate(module, *args)


@contextlib.contextmanager
def shuffled_parallel_loops(seed: int):
    """Make the oracle run `parallel` for_range loops in a shuffled iteration order (carried
    arrays shared, other carried values the last iteration's): a loop wrongly marked parallel
    then gives another result."""
    import numpy as np

    from phylanx import oracle

    ensure_oracle_dispatch()
    control, rng = oracle._control, random.Random(seed)

    def _control(module, op, values, env):
        if op.name != "for_range" or not op.attrs.get("parallel"):
            return control(module, op, values, env)
        lo, hi, step, *carried = values
        order = list(range(lo, hi, step))
        rng.shuffle(order)
        last = list(carried)
        for i in order:
            out = oracle._region(module, op.regions[0], [i, *carried], env)
            carried = [o if isinstance(o, np.ndarray) else c for o, c in zip(out, carried)]
            if i == max(order):
                last = out
        return [c if isinstance(c, np.ndarray) else x for c, x in zip(carried, last)]

    oracle._control = _control
    try:
        yield
    finally:
        oracle._control = control
