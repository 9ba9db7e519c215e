"""A FileCheck subset: match text (the printed IR) against CHECK lines, in the manner of LLVM's
FileCheck; and the EXPECT-REMARK / EXPECT-ERROR lines that `opt --verify-diagnostics` checks.

    filecheck(out, '''
        CHECK-LABEL: func @f
        CHECK: %[[E:.*]] = exp %x
        CHECK-NOT: exp
        CHECK: add %[[E]], %[[E]]
    ''')

Check lines (a leading `#` or `//` and whitespace are ignored, other lines are ignored):
    CHECK: pat        the first line at or after the current position containing pat
    CHECK-NEXT: pat   exactly the line after the previous match
    CHECK-SAME: pat   on the same line as the previous match, after it
    CHECK-NOT: pat    on no line between the previous match and the next one (or the end)
    CHECK-DAG: pat    consecutive CHECK-DAG lines match in any order (distinct matches) after
                      the previous match; the next check starts after the last line they matched
    CHECK-LABEL: pat  matched first, in order: splits the text into blocks, each checked by
                      the lines up to the next label on its own; variables are forgotten
    CHECK-COUNT-n: pat  n consecutive lines from the current position onwards
`CHECK` is the default prefix (`prefix=` selects another). A pattern is matched literally
(surrounding whitespace ignored), except `{{regex}}`, a regular expression, `[[NAME:regex]]`,
which matches regex and binds NAME to what it matched, and `[[NAME]]`, what NAME matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_SUFFIXES = ("NEXT", "NOT", "SAME", "DAG", "LABEL")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class CheckError(AssertionError):
    pass


@dataclass(frozen=True)
class Directive:
    kind: str       # "CHECK", "CHECK-NEXT", ... (with the prefix the caller chose)
    suffix: str     # "", "NEXT", "NOT", "SAME", "DAG", "LABEL", "COUNT"
    count: int      # lines of a COUNT directive, else 1
    pattern: str
    line: int       # 1-based line in the check text

    def __str__(self) -> str:
        return f"{self.kind}: {self.pattern}"


def directive_regex(prefix: str) -> re.Pattern:
    """`# PREFIX[-SUFFIX]: pattern` lines (any suffix: unknown ones are reported)."""
    return re.compile(rf"^\s*(?://|#)?\s*({re.escape(prefix)}(?:-([A-Z0-9-]+))?):(.*)$")


def parse_directives(checks: str, prefix: str = "CHECK", source: str = "<checks>"
                     ) -> list[Directive]:
    found = []
    for number, raw in enumerate(checks.splitlines(), 1):
        m = directive_regex(prefix).match(raw)
        if not m:
            continue
        kind, suffix, pattern = m.group(1), m.group(2) or "", m.group(3).strip()
        count = 1
        if suffix.startswith("COUNT-") and suffix[6:].isdigit() and int(suffix[6:]) > 0:
            suffix, count = "COUNT", int(suffix[6:])
        elif suffix not in ("",) + _SUFFIXES:
            raise CheckError(f"{source}:{number}: unknown directive '{kind}:'")
        if not pattern:
            raise CheckError(f"{source}:{number}: '{kind}:' has an empty pattern")
        found.append(Directive(kind, suffix, count, pattern, number))
    return found


def _closing(text: str, start: int, close: str) -> int:
    """Index of the `close`+`close` ending a {{...}} or [[...]] that starts at `start`;
    brackets of the same kind inside are balanced first (so `{{[0-9]{2}}}` works)."""
    opening = {"}": "{", "]": "["}[close]
    depth, i = 0, start
    while i < len(text):
        ch = text[i]
        if ch == opening:
            depth += 1
        elif ch == close:
            if depth == 0 and text.startswith(close * 2, i):
                return i
            depth -= 1
        i += 1
    return -1


def compile_pattern(pattern: str, variables: dict[str, str] | None = None) -> tuple[
        re.Pattern, list[str]]:
    """The regex of `pattern` and the variables it defines (`[[NAME:regex]]`); a use of a
    variable (`[[NAME]]`) matches its value in `variables`, or an earlier definition in the
    same pattern. Raises ValueError on a malformed pattern or an undefined variable."""
    variables = variables or {}
    out, defined, i = [], [], 0
    while i < len(pattern):
        if pattern.startswith("{{", i):
            end = _closing(pattern, i + 2, "}")
            if end < 0:
                raise ValueError("'{{' without '}}'")
            out.append(f"(?:{pattern[i + 2:end]})")
            i = end + 2
        elif pattern.startswith("[[", i):
            end = _closing(pattern, i + 2, "]")
            if end < 0:
                raise ValueError("'[[' without ']]'")
            name, colon, regex = pattern[i + 2:end].partition(":")
            if not _NAME.fullmatch(name):
                raise ValueError(f"bad variable name {name!r}")
            if colon:
                if name in defined:
                    raise ValueError(f"variable {name} defined twice in one pattern")
                out.append(f"(?P<{name}>{regex})")
                defined.append(name)
            elif name in defined:
                out.append(f"(?P={name})")
            elif name in variables:
                out.append(re.escape(variables[name]))
            else:
                raise ValueError(f"undefined variable {name}")
            i = end + 2
        else:
            nxt = [k for k in (pattern.find("{{", i), pattern.find("[[", i)) if k >= 0]
            stop = min(nxt) if nxt else len(pattern)
            out.append(re.escape(pattern[i:stop]))
            i = stop
    try:
        return re.compile("".join(out)), defined
    except re.error as e:
        raise ValueError(f"bad regular expression: {e}") from None


class _Matcher:
    """Runs the directives over the output lines; positions are (line index, column)."""

    def __init__(self, output: str, source: str):
        self.output, self.lines, self.source = output, output.splitlines(), source
        self.variables: dict[str, str] = {}

    def fail(self, d: Directive, msg: str, at: int) -> None:
        where = f"{self.source}:{d.line}: error: {d.kind}: {msg}\n  {d}\n"
        if not self.lines:
            raise CheckError(f"{where}--- output:\n{self.output}")
        at = min(max(at, 0), len(self.lines) - 1)
        lo, hi = max(0, at - 3), min(len(self.lines), at + 4)
        context = "\n".join(f"{'>' if i == at else ' '} {i + 1:4d} | {self.lines[i]}"
                            for i in range(lo, hi))
        raise CheckError(f"{where}--- output around line {at + 1}:\n{context}\n"
                         f"--- full output:\n{self.output}")

    def regex(self, d: Directive) -> tuple[re.Pattern, list[str]]:
        try:
            return compile_pattern(d.pattern, self.variables)
        except ValueError as e:
            raise CheckError(f"{self.source}:{d.line}: error: {d.kind}: {e}\n  {d}") from None

    def bind(self, m: re.Match, names: list[str]) -> None:
        for name in names:
            self.variables[name] = m.group(name)

    def search(self, rx: re.Pattern, start: tuple[int, int], hi: int,
               taken: Iterable[tuple[int, int, int]] = ()) -> tuple[int, re.Match] | None:
        """The first match at or after `start` before line `hi`, not overlapping `taken`
        spans (line, begin, end)."""
        line, col = start
        for i in range(line, hi):
            pos = col if i == line else 0
            while (m := rx.search(self.lines[i], pos)) is not None:
                if not any(t[0] == i and m.start() < t[2] and t[1] < m.end() for t in taken):
                    return i, m
                pos = m.start() + 1
                if pos > len(self.lines[i]):
                    break
        return None

    def check_nots(self, nots: list[Directive], start: tuple[int, int],
                   end: tuple[int, int]) -> None:
        for d in nots:
            rx, _ = self.regex(d)
            for i in range(start[0], min(end[0] + 1, len(self.lines))):
                text = self.lines[i][:end[1]] if i == end[0] else self.lines[i]
                m = rx.search(text, start[1] if i == start[0] else 0)
                if m:
                    self.fail(d, "excluded string found", i)

    def block(self, directives: list[Directive], start: tuple[int, int], hi: int,
              after_match: bool) -> None:
        """Check `directives` (no labels) over lines before `hi`, from `start` (the end of
        the previous match when `after_match`)."""
        last = start
        nots: list[Directive] = []
        k = 0
        while k < len(directives):
            d = directives[k]
            k += 1
            if d.suffix == "NOT":
                nots.append(d)
                continue
            if d.suffix == "DAG":
                group = [d]
                while k < len(directives) and directives[k].suffix == "DAG":
                    group.append(directives[k])
                    k += 1
                last, nots, after_match = self.dag(group, nots, last, hi), [], True
                continue
            if d.suffix in ("NEXT", "SAME") and not after_match:
                raise CheckError(f"{self.source}:{d.line}: error: {d.kind}: no previous match "
                                 f"to follow\n  {d}")
            rx, names = self.regex(d)
            line = last[0] + (d.suffix == "NEXT")
            for n in range(d.count):
                if d.suffix == "SAME":
                    m = rx.search(self.lines[line], last[1]) if line < hi else None
                    if m is None:
                        self.fail(d, "not found on the line of the previous match", line)
                elif d.suffix == "NEXT":
                    m = rx.search(self.lines[line]) if line < hi else None
                    if m is None:
                        self.fail(d, "not found on the line after the previous match", line)
                else:
                    hit = self.search(rx, last, hi)
                    if hit is None:
                        what = f"match {n + 1} of {d.count}" if d.count > 1 else "string"
                        self.fail(d, f"expected {what} not found", last[0])
                    line, m = hit
                if n == 0:
                    self.check_nots(nots, last, (line, m.start()))
                    nots = []
                self.bind(m, names)
                last, after_match = (line, m.end()), True
        if hi > 0:
            self.check_nots(nots, last, (hi - 1, len(self.lines[hi - 1])))

    def dag(self, group: list[Directive], nots: list[Directive], last: tuple[int, int],
            hi: int) -> tuple[int, int]:
        taken: list[tuple[int, int, int]] = []
        for d in group:
            rx, names = self.regex(d)
            hit = self.search(rx, last, hi, taken)
            if hit is None:
                self.fail(d, "expected string not found (after the previous match, "
                             "apart from the other CHECK-DAG matches)", last[0])
            i, m = hit
            taken.append((i, m.start(), m.end()))
            self.bind(m, names)
        first = min(taken)
        self.check_nots(nots, last, (first[0], first[1]))
        end = max(taken, key=lambda t: (t[0], t[2]))
        return end[0], end[2]


def filecheck(output: str, checks: str, prefix: str = "CHECK", source: str = "<checks>"
              ) -> None:
    """Match `output` against the `prefix` lines of `checks`; raises CheckError naming the
    failing check line (`source:line`) with the output around where it failed."""
    directives = parse_directives(checks, prefix, source)
    if not directives:
        raise CheckError(f"{source}: no {prefix}: lines to check")
    matcher = _Matcher(output, source)
    end = len(matcher.lines)
    labels = [k for k, d in enumerate(directives) if d.suffix == "LABEL"]
    # the labels first, in order: each block between two is then checked on its own
    starts: list[tuple[int, int]] = []
    line = 0
    for k in labels:
        d = directives[k]
        rx, names = matcher.regex(d)
        if names or "[[" in d.pattern:
            raise CheckError(f"{source}:{d.line}: error: {d.kind}: no variables in labels")
        hit = matcher.search(rx, (line, 0), end)
        if hit is None:
            matcher.fail(d, "label not found", line)
        starts.append((hit[0], hit[1].end()))
        line = hit[0] + 1
    ends = [s[0] for s in starts] + [end]
    matcher.block(directives[:labels[0]] if labels else directives, (0, 0), ends[0], False)
    for n, k in enumerate(labels):
        matcher.variables.clear()
        nxt = labels[n + 1] if n + 1 < len(labels) else len(directives)
        matcher.block(directives[k + 1:nxt], starts[n], ends[n + 1], True)


# --- expected diagnostics ----------------------------------------------------------------------

_EXPECT = re.compile(r"^\s*(?://|#)?\s*EXPECT-(REMARK|ERROR):(.*)$")


@dataclass(frozen=True)
class Expectation:
    kind: str       # "REMARK" or "ERROR"
    pattern: str
    line: int

    def matches(self, text: str) -> bool:
        return compile_pattern(self.pattern)[0].search(text) is not None


def expected_diagnostics(text: str) -> list[Expectation]:
    """The `# EXPECT-REMARK: pattern` and `# EXPECT-ERROR: pattern` lines of `text`."""
    return [Expectation(m.group(1), m.group(2).strip(), number)
            for number, raw in enumerate(text.splitlines(), 1)
            if (m := _EXPECT.match(raw))]


def diagnostic_mismatches(expected: list[Expectation], remarks: list[str], error: str | None,
                          source: str = "<input>") -> list[str]:
    """What does not match: every EXPECT-REMARK must match a remark (`file:line:col: pass:
    kind: message`), in the order they were emitted (other remarks may come between); every
    EXPECT-ERROR must match the error, and there must be one if any is expected."""
    problems, k = [], 0
    for e in (e for e in expected if e.kind == "REMARK"):
        while k < len(remarks) and not e.matches(remarks[k]):
            k += 1
        if k == len(remarks):
            problems.append(f"{source}:{e.line}: expected remark not produced (in this order): "
                            f"{e.pattern}")
        else:
            k += 1
    for e in (e for e in expected if e.kind == "ERROR"):
        if error is None:
            problems.append(f"{source}:{e.line}: expected error not produced: {e.pattern}")
        elif not e.matches(error):
            problems.append(f"{source}:{e.line}: the error does not match: {e.pattern}")
    return problems
