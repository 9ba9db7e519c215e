"""Pass tests as text files, in the manner of LLVM's lit and FileCheck: PhySL input, the
`python -m phylanx opt` command lines to run on it and the checks of their output.

    # RUN: opt -p licm
    # RUN: opt -p licm{guard=false} --verify-diagnostics | filecheck --check-prefix=NOGUARD
    # CHECK-LABEL: func @f
    # CHECK: %[[INV:.*]] = linalg.inv %B
    # CHECK-NEXT: for_range
    # NOGUARD: for_range
    # NOGUARD-NEXT: linalg.inv
    # EXPECT-REMARK: licm: not-hoisted: {{.*}}may run zero times
    func @f(...) -> ... { ... }
    # -----
    (another case: independent input, checks and, optionally, RUN lines)

A `# -----` line splits a file into cases. Each RUN line runs `python -m phylanx opt CASE
ARGS` on its case (the case alone, at its own line numbers) and checks the output against the
case's CHECK lines (passes.filecheck), or those of the prefix named by `| filecheck
--check-prefix=NAME`; it must exit 0 (`--verify-diagnostics` makes opt check the EXPECT-REMARK
and EXPECT-ERROR lines). A case without RUN lines takes the first case's. A case checks
something or is an error: every RUN line needs CHECK lines of its prefix or EXPECT lines with
--verify-diagnostics, and every directive needs a RUN line that reads it.

    python -m phylanx.passes.lit tests/passes/licm/guard.physl   # or a folder; -v: outputs
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .filecheck import CheckError, expected_diagnostics, filecheck

_SEPARATOR = re.compile(r"^\s*#\s*-----\s*$")
_RUN = re.compile(r"^\s*#\s*RUN:(.*)$")
# `# WORD:` or `# WORD-SUFFIX:` comments are directives: their prefix must be read by a RUN line
_DIRECTIVE = re.compile(r"^\s*#\s*([A-Z][A-Z0-9_]*)(?:-[A-Z0-9-]+)?:")
_PREFIX = re.compile(r"[A-Z][A-Z0-9_]*")


class CaseFailure(AssertionError):
    pass


@dataclass(frozen=True)
class Run:
    line: int
    command: str        # as written after `RUN:`
    args: tuple[str, ...]   # of `opt`, after the input file
    prefix: str


@dataclass(frozen=True)
class Case:
    path: Path
    number: int         # 1-based
    first_line: int     # of the case in the file (1-based)
    text: str           # the case, preceded by blank lines: line numbers are the file's
    run_lines: tuple[tuple[int, str], ...]   # (line, command) of its own or the first case's

    @property
    def id(self) -> str:
        return f"{self.path}:{self.number}"

    @property
    def source(self) -> str:
        """The case's own lines, numbered as in the file."""
        lines = self.text.splitlines()[self.first_line - 1:]
        return "\n".join(f"{self.first_line + i:4d} | {s}" for i, s in enumerate(lines))


def read_cases(path: str | os.PathLike) -> list[Case]:
    """The cases of a test file (split at `# -----` lines)."""
    path = Path(path)
    lines = path.read_text().splitlines()
    bounds, start = [], 0
    for i, line in enumerate(lines):
        if _SEPARATOR.match(line):
            bounds.append((start, i))
            start = i + 1
    bounds.append((start, len(lines)))
    cases, inherited = [], ()
    for number, (lo, hi) in enumerate(bounds, 1):
        runs = tuple((i + 1, m.group(1).strip()) for i in range(lo, hi)
                     if (m := _RUN.match(lines[i])))
        if number == 1:
            inherited = runs
        text = "\n" * lo + "\n".join(lines[lo:hi]) + "\n"
        cases.append(Case(path, number, lo + 1, text, runs or inherited))
    return cases


def collect(paths: list[str | os.PathLike]) -> list[Case]:
    """The cases of these files and of the `*.physl` files under these folders, in order."""
    files: list[Path] = []
    for p in map(Path, paths):
        files.extend(sorted(p.rglob("*.physl")) if p.is_dir() else [p])
    return [case for f in files for case in read_cases(f)]


def parse_run(line: int, command: str, where: str) -> Run:
    """`opt ARGS [| filecheck [--check-prefix=NAME]]`."""
    opt_part, pipe, check_part = command.partition("|")
    try:
        args, check = shlex.split(opt_part), shlex.split(check_part)
    except ValueError as e:
        raise CaseFailure(f"{where}:{line}: bad RUN line: {e}") from None
    if not args or args[0] != "opt":
        raise CaseFailure(f"{where}:{line}: a RUN line is `opt ARGS [| filecheck "
                          f"[--check-prefix=NAME]]`, got {command!r}")
    option = re.fullmatch(r"(?:--check-prefix[= ](\S+))?", " ".join(check[1:]))
    if pipe and (check[:1] != ["filecheck"] or option is None):
        raise CaseFailure(f"{where}:{line}: only `| filecheck [--check-prefix=NAME]` may "
                          f"follow opt, got {check_part.strip()!r}")
    prefix = option.group(1) if pipe and option.group(1) else "CHECK"
    if not _PREFIX.fullmatch(prefix) or prefix in ("RUN", "EXPECT"):
        raise CaseFailure(f"{where}:{line}: a check prefix is a word in capitals (not RUN or "
                          f"EXPECT), got {prefix!r}")
    return Run(line, command, tuple(args[1:]), prefix)


def _has_directives(text: str, prefix: str) -> bool:
    return any((m := _DIRECTIVE.match(s)) and m.group(1) == prefix for s in text.splitlines())


def _validate(case: Case, runs: list[Run]) -> None:
    """Every RUN line checks something; every directive is read by a RUN line."""
    expects = expected_diagnostics(case.text)
    verifying = [r for r in runs if "--verify-diagnostics" in r.args]
    for r in runs:
        if not _has_directives(case.text, r.prefix) and not (expects and r in verifying):
            raise CaseFailure(f"{case.path}:{r.line}: nothing to check: no {r.prefix}: lines"
                              f"{'' if expects else ' and no EXPECT- lines'} for "
                              f"`RUN: {r.command}`")
    if expects and not verifying:
        raise CaseFailure(f"{case.path}:{expects[0].line}: EXPECT- lines need a RUN line "
                          f"with --verify-diagnostics")
    prefixes = {r.prefix for r in runs} | {"RUN", "EXPECT"}
    for number, line in enumerate(case.text.splitlines(), 1):
        m = _DIRECTIVE.match(line)
        if m and m.group(1) not in prefixes:
            raise CaseFailure(f"{case.path}:{number}: no RUN line reads {m.group(1)}: lines "
                              f"(`| filecheck --check-prefix={m.group(1)}`)")


def run_opt_command(args: list[str], in_process: bool = True) -> tuple[int, str, str]:
    """`python -m phylanx opt ARGS`: (exit code, stdout, stderr); in this process (through
    the same entry point) or in a subprocess."""
    if not in_process:
        p = subprocess.run([sys.executable, "-m", "phylanx", "opt", *args], text=True,
                           capture_output=True, check=False, cwd=tempfile.gettempdir())
        return p.returncode, p.stdout, p.stderr
    from phylanx.__main__ import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["opt", *args])
        except SystemExit as e:     # argparse's usage errors
            code = e.code if isinstance(e.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def run_case(case: Case, in_process: bool = True) -> list[str]:
    """Run every RUN line of `case` and check its output; the outputs, or CaseFailure with
    the input, the output and the first failing check."""
    if not case.run_lines:
        raise CaseFailure(f"{case.path}: no RUN: line")
    runs = [parse_run(line, command, str(case.path)) for line, command in case.run_lines]
    _validate(case, runs)
    outputs = []
    with tempfile.TemporaryDirectory(prefix="phylanx-lit-") as tmp:
        input_file = os.path.join(tmp, case.path.name)
        with open(input_file, "w") as f:
            f.write(case.text)
        for run in runs:
            code, out, err = run_opt_command([input_file, *run.args], in_process)
            outputs.append(out)
            where = f"{case.path}:{run.line}: RUN: {run.command}\n"
            given = f"--- input ({case.id}):\n{case.source}\n"
            if code != 0:
                raise CaseFailure(f"{where}opt exited with {code}\n{given}--- stderr:\n{err}"
                                  f"--- stdout:\n{out}")
            if _has_directives(case.text, run.prefix):
                try:
                    filecheck(out, case.text, run.prefix, str(case.path))
                except CheckError as e:
                    error, _, context = str(e).partition("\n--- ")
                    raise CaseFailure(f"{where}{error}\n{given}--- {context}") from None
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m phylanx.passes.lit",
        description="Run pass tests written as text files (RUN: opt ..., CHECK: ...).")
    parser.add_argument("paths", nargs="+", help="test files, or folders of *.physl files")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print the output of every RUN line")
    args = parser.parse_args(argv)
    failed = 0
    cases = collect(args.paths)
    for case in cases:
        try:
            outputs = run_case(case)
        except CaseFailure as e:
            failed += 1
            print(f"FAIL: {case.id}\n{e}\n")
            continue
        print(f"PASS: {case.id}")
        if args.verbose:
            for (line, command), out in zip(case.run_lines, outputs):
                print(f"--- {case.path}:{line}: RUN: {command}\n{out}")
    print(f"{len(cases) - failed} passed, {failed} failed")
    return 1 if failed or not cases else 0


if __name__ == "__main__":
    sys.exit(main())
