"""Pass tests written as text files (tests/passes/**/*.physl, run by phylanx.passes.lit through
`python -m phylanx opt`), and the tests of that runner and of its FileCheck subset."""

import pathlib
import subprocess
import sys
import textwrap

import pytest

from phylanx.passes.filecheck import CheckError, filecheck
from phylanx.passes.lit import CaseFailure, collect, read_cases, run_case

ROOT = pathlib.Path(__file__).resolve().parent / "passes"
CASES = collect([ROOT])


@pytest.mark.parametrize("case", CASES,
                         ids=[f"{c.path.relative_to(ROOT)}:{c.number}" for c in CASES])
def test_pass_case(case):
    run_case(case)


def test_every_pass_has_text_tests():
    from phylanx.passes import available_passes

    folders = {p.name for p in ROOT.iterdir() if p.is_dir()}
    missing = [n for n in available_passes() if not n.startswith("test-") and n not in folders]
    assert not missing, f"no tests/passes/<pass>/ folder for {missing}"


# --- the runner --------------------------------------------------------------------------------

PHYSL = """\
func @f(%x: f64[?]) -> f64[?] {
  %0 = exp %x : f64[?]
  %1 = exp %x : f64[?]
  %2 = add %0, %1 : f64[?]
  return %2
}
"""


def write(tmp_path, text: str, name: str = "t.physl") -> pathlib.Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def failure(path) -> str:
    (case,) = read_cases(path)
    with pytest.raises(CaseFailure) as info:
        run_case(case)
    return str(info.value)


def test_a_failure_names_the_check_line_and_shows_input_and_output(tmp_path):
    path = write(tmp_path, "# RUN: opt -p cse\n# CHECK: %0 = exp %x\n"
                           "# CHECK-NEXT: %1 = add %0, %1\n" + PHYSL)
    message = failure(path)
    first, second, third = message.splitlines()[:3]
    assert first == f"{path}:1: RUN: opt -p cse"
    assert second == f"{path}:3: error: CHECK-NEXT: not found on the line after the previous match"
    assert third == "  CHECK-NEXT: %1 = add %0, %1"
    assert f"--- input ({path}:1):\n   1 | # RUN: opt -p cse" in message
    assert "   5 |   %0 = exp %x : f64[?]" in message
    assert ">    3 |   %1 = add %0, %0 : f64[?]" in message     # the output, where it failed


def test_cases_keep_the_file_line_numbers_and_inherit_run_lines(tmp_path):
    path = write(tmp_path, """\
        # RUN: opt -p cse --verify-diagnostics
        # CHECK: add %0, %0
        func @f(%x: f64[?]) -> f64[?] {
          %0 = exp %x : f64[?]
          %1 = exp %x : f64[?]
          %2 = add %0, %1 : f64[?]
          return %2
        }
        # -----
        # EXPECT-ERROR: line 12, column 12: %y is used before it is defined
        func @f(%x: f64[?]) -> f64[?] {
          %0 = exp %y : f64[?]
          return %0
        }
        # -----
        # RUN: opt -p dce | filecheck
        # CHECK: func @g
        # CHECK-NOT: exp
        func @g(%x: f64[?]) -> f64[?] {
          %0 = isnan %x : bool[?]
          return %x
        }
        """)
    cases = read_cases(path)
    assert [c.number for c in cases] == [1, 2, 3]
    assert [c.first_line for c in cases] == [1, 10, 16]
    assert cases[1].run_lines == cases[0].run_lines == ((1, "opt -p cse --verify-diagnostics"),)
    assert cases[2].run_lines == ((16, "opt -p dce | filecheck"),)
    for case in cases:
        run_case(case)


@pytest.mark.parametrize("checks, message", [
    ("# RUN: opt -p cse --verify-diagnostics\n# EXPECT-REMARK: cse: merged",
     "t.physl:2: expected remark not produced (in this order): cse: merged"),
    ("# RUN: opt -p nosuch --verify-diagnostics\n# CHECK: exp",
     "unexpected error: unknown pass 'nosuch'"),
    ("# RUN: opt -p nosuch --verify-diagnostics\n# EXPECT-ERROR: unknown pass 'other'",
     "t.physl:2: the error does not match: unknown pass 'other'"),
    ("# RUN: opt -p cse --verify-diagnostics\n# EXPECT-ERROR: unknown pass",
     "t.physl:2: expected error not produced: unknown pass"),
])
def test_expected_diagnostics_that_do_not_hold(tmp_path, checks, message):
    path = write(tmp_path, checks + "\n" + PHYSL)
    text = failure(path)
    assert "opt exited with 1" in text and message in text, text


def test_remarks_are_matched_in_order(tmp_path):
    body = """\
        func @f(%a: f64[?], %b: f64[?], %n: int) -> f64[?] @"k.py":1:1 {
          %lo = const {value = 0} : int @2:1
          %one = const {value = 1} : int @2:1
          %r = for_range %lo, %n, %one, %a : f64[?] @2:5 body(%i: int, %c: f64[?]) {
            %0 = exp %a : f64[?] @3:9
            %1 = add %c, %0 : f64[?] @3:9
            yield %1 @3:9
          }
          %s = for_range %lo, %n, %one, %b : f64[?] @5:5 body(%j: int, %d: f64[?]) {
            %2 = exp %a : f64[?] @6:9
            %3 = add %d, %2 : f64[?] @6:9
            yield %3 @6:9
          }
          return %s @7:5
        }
        """
    head = "# RUN: opt -p licm --verify-diagnostics\n# CHECK: for_range\n"
    first, second = "# EXPECT-REMARK: k.py:2:5: licm: hoisted\n", \
        "# EXPECT-REMARK: k.py:5:5: licm: hoisted\n"
    (case,) = read_cases(write(tmp_path, head + first + second + textwrap.dedent(body)))
    run_case(case)
    path = write(tmp_path, head + second + first + textwrap.dedent(body))
    assert "t.physl:4: expected remark not produced (in this order): k.py:2:5" in failure(path)
    # each remark satisfies one EXPECT-REMARK line only
    path = write(tmp_path, head + first + first + textwrap.dedent(body))
    assert "t.physl:4: expected remark not produced (in this order): k.py:2:5" in failure(path)


@pytest.mark.parametrize("text, message", [
    ("# RUN: opt -p cse\n", "t.physl:1: nothing to check: no CHECK: lines and no EXPECT- lines"),
    ("# RUN: opt -p cse\n# EXPECT-REMARK: cse\n",
     "t.physl:1: nothing to check: no CHECK: lines for `RUN: opt -p cse`"),
    ("# RUN: opt -p cse\n# CHECK: exp\n# EXPECT-REMARK: cse\n",
     "t.physl:3: EXPECT- lines need a RUN line with --verify-diagnostics"),
    ("# RUN: opt -p cse\n# CHECK: exp\n# CSE: exp\n",
     "t.physl:3: no RUN line reads CSE: lines (`| filecheck --check-prefix=CSE`)"),
    ("# RUN: opt -p cse\n# CHECK-NXET: exp\n", "t.physl:2: unknown directive 'CHECK-NXET:'"),
    ("# RUN: opt -p cse\n# CHECK:\n", "t.physl:2: 'CHECK:' has an empty pattern"),
    ("# RUN: cse\n# CHECK: exp\n", "t.physl:1: a RUN line is `opt ARGS"),
    ("# RUN: opt -p cse | grep exp\n# CHECK: exp\n", "only `| filecheck [--check-prefix=NAME]`"),
    ("# RUN: opt -p cse | filecheck --check-prefix=low\n# CHECK: exp\n",
     "a check prefix is a word in capitals"),
    ("# RUN: opt -p cse | filecheck --strict-whitespace\n# CHECK: exp\n",
     "only `| filecheck [--check-prefix=NAME]`"),
    ("# CHECK: exp\n", "t.physl: no RUN: line"),
    ("# RUN: opt -p cse\n# CHECK-NEXT: exp\n", "CHECK-NEXT: no previous match to follow"),
    ("# RUN: opt -p cse\n# CHECK: [[X]]\n", "t.physl:2: error: CHECK: undefined variable X"),
])
def test_cases_that_would_check_nothing_or_are_malformed(tmp_path, text, message):
    path = write(tmp_path, text + PHYSL)
    got = failure(path)
    assert got.startswith(f"{tmp_path}/{message}") or message in got, got


def test_opt_verify_diagnostics_by_hand(tmp_path, capsys):
    from phylanx.__main__ import main

    path = write(tmp_path, "# EXPECT-ERROR: unknown pass 'nosuch'\n" + PHYSL)
    assert main(["opt", str(path), "-p", "nosuch", "--verify-diagnostics"]) == 0
    assert capsys.readouterr() == ("", "")
    assert main(["opt", str(path), "-p", "cse", "--verify-diagnostics"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and f"error: {path}:1: expected error not produced" in err
    assert main(["opt", str(path), "-p", "cse"]) == 0      # without the flag: ignored comments
    assert "add %0, %0" in capsys.readouterr().out


def test_smoke_in_subprocesses(tmp_path):
    """A case through `python -m phylanx opt` in a subprocess gives what it gives in process;
    `python -m phylanx.passes.lit` runs files by hand."""
    case = read_cases(ROOT / "licm" / "guard.physl")[2]     # --verify-diagnostics, a remark
    assert "--verify-diagnostics" in case.run_lines[0][1]
    assert run_case(case, in_process=False) == run_case(case)
    good = write(tmp_path, "# RUN: opt -p cse\n# CHECK: %1 = add %0, %0\n" + PHYSL, "a.physl")
    bad = write(tmp_path, "# RUN: opt -p cse\n# CHECK: %0 = log %x\n" + PHYSL, "b.physl")
    p = subprocess.run([sys.executable, "-m", "phylanx.passes.lit", str(tmp_path)],
                       capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 1, p.stdout + p.stderr
    assert p.stdout.startswith(f"PASS: {good}:1\nFAIL: {bad}:1\n{bad}:1: RUN: opt -p cse\n"
                               f"{bad}:2: error: CHECK: expected string not found"), p.stdout
    assert p.stdout.endswith("\n1 passed, 1 failed\n")


# --- the FileCheck subset ----------------------------------------------------------------------

OUT = """\
func @f(%x) {
  %0 = exp %x
  %1 = add %0, %0
  return %1
}
func @g(%y) {
  %0 = log %y
  %1 = exp %0
  return %1
}"""


@pytest.mark.parametrize("checks", [
    "CHECK: exp\nCHECK-NEXT: add\nCHECK-NOT: log\nCHECK: }",
    "CHECK: {{[ab]}}dd\nCHECK-SAME: %0,\nCHECK-SAME: %0",
    "CHECK-COUNT-2: exp\nCHECK-NOT: exp",
    "CHECK: %[[A:[0-9]]] = add %[[B:[0-9]]], %[[B]]\nCHECK: return %[[A]]",
    "CHECK: %[[E:.*]] = exp %x\nCHECK: add %[[E]], %[[E]]",
    "CHECK-LABEL: func @f\nCHECK-NOT: log\nCHECK-LABEL: func @g\nCHECK-NOT: add",
    "CHECK-LABEL: func @f\nCHECK: %[[V:.*]] = exp\nCHECK-LABEL: func @g\nCHECK: %[[V:.*]] = log",
    "CHECK-DAG: %0 = log\nCHECK-DAG: %0 = exp\nCHECK: exp %0",
    "CHECK-LABEL: func @g\nCHECK-DAG: exp %[[L:[0-9]]]\nCHECK-DAG: %[[L]] = log %y",
    "CHECK: log\nCHECK-DAG: exp\nCHECK-DAG: return\nCHECK-NOT: exp",
    "CHECK: {{[0-9]{1}}} = add",
    "// CHECK: func @f\n# CHECK: func @g\nnot a check: anything",
])
def test_filecheck_accepts(checks):
    filecheck(OUT, checks)


@pytest.mark.parametrize("checks, line, message", [
    ("CHECK: exp\nCHECK-NEXT: return", 2, "CHECK-NEXT: not found on the line after"),
    ("CHECK: exp\nCHECK-NOT: add\nCHECK: return", 2, "CHECK-NOT: excluded string found"),
    ("CHECK: exp\nCHECK-SAME: %y", 2, "CHECK-SAME: not found on the line of the previous"),
    ("CHECK: sqrt", 1, "CHECK: expected string not found"),
    ("CHECK-COUNT-4: exp", 1, "expected match 3 of 4 not found"),
    # a label bounds the checks before the next one: log is in @g only
    ("CHECK-LABEL: func @f\nCHECK: log\nCHECK-LABEL: func @g", 2, "expected string not found"),
    ("CHECK-LABEL: func @h", 1, "label not found"),
    # variables are forgotten at a label
    ("CHECK-LABEL: func @f\nCHECK: %[[E:.*]] = exp\nCHECK-LABEL: func @g\nCHECK: %[[E]]",
     4, "undefined variable E"),
    ("CHECK: %[[A:[0-9]]] = add %[[A]], %[[A]]", 1, "expected string not found"),
    ("CHECK: %[[A:[0-9]]] = add\nCHECK: return %[[A]]0", 2, "expected string not found"),
    # two DAG lines never match the same text
    ("CHECK-DAG: %0 = exp\nCHECK-DAG: %0 = exp", 2, "apart from the other CHECK-DAG matches"),
    ("CHECK: log\nCHECK-NOT: exp\nCHECK-DAG: return", 2, "CHECK-NOT: excluded string found"),
    ("CHECK: {{[0-9}}", 1, "bad regular expression"),
    ("CHECK-LABEL: func @[[F:.]]", 1, "no variables in labels"),
])
def test_filecheck_rejects(checks, line, message):
    with pytest.raises(CheckError) as info:
        filecheck(OUT, checks, source="c.txt")
    first = str(info.value).splitlines()[0]
    assert first.startswith(f"c.txt:{line}: ") and message in first, first


def test_filecheck_prefixes_and_no_checks():
    filecheck(OUT, "CHECK: sqrt\nOTHER: log %y\nOTHER-NEXT: exp %0", prefix="OTHER")
    with pytest.raises(CheckError, match="no OTHER: lines to check"):
        filecheck(OUT, "CHECK: exp", prefix="OTHER")
