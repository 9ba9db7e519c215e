"""PhySL text form, types, verifier, docs and CLI."""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import phylanx
from phylanx.__main__ import op_table
from phylanx.ir.lexer import ParseError
from phylanx.ir.registry import all_ops
from phylanx.ir.types import (
    ArrayType,
    ListType,
    ScalarType,
    TupleType,
    parse_type,
    parse_types,
    result_dtype,
    unify,
)
from phylanx.ir.verifier import VerifyError, verify_module

REPO = Path(__file__).resolve().parent.parent

LOOP = """\
func @f(%x: f64[?], %n: int) -> tuple<f64[?], int> @"k.py":1:1 {
  %0 = const {value = 0} : int @2:5
  %1 = const {value = 1} : int @2:5
  %r, %c = for_range %0, %n, %1, %x, %0 : f64[?], int @3:5 body(%i: int, %acc: f64[?], %k: int) {
    %y = add %acc, %acc : f64[?] @4:9
    %k_1 = add %k, %1 : int @5:9
    yield %y, %k_1 @3:5
  }
  %t = tuple %r, %c : tuple<f64[?], int> @6:5
  return %t @6:5
}
"""


def test_roundtrip_exact_text():
    m = phylanx.parse_physl(LOOP)
    verify_module(m)
    assert phylanx.print_module(m) == LOOP


def test_roundtrip_without_locations():
    m = phylanx.parse_physl(LOOP)
    bare = phylanx.print_module(m, locations=False)
    assert "@" not in bare.replace("func @f", "")
    assert phylanx.print_module(phylanx.parse_physl(bare), locations=False) == bare


def test_parsed_module_runs_on_oracle_and_runtime():
    from phylanx.oracle import evaluate
    from phylanx.runtime import lower_module

    m = phylanx.parse_physl(LOOP)
    x = np.array([1.0, -2.0])
    out, count = evaluate(m, x, 3)
    np.testing.assert_array_equal(out, x * 8)
    assert count == 3
    out2, count2 = lower_module(m).run((x, 3))
    np.testing.assert_array_equal(out2, out)
    assert count2 == 3


@pytest.mark.parametrize("text", [
    "f64[?,?]", "f64[3,?]", "bool[]", "i32", "float", "int", "bool", "complex", "none",
    "tuple<f64[?], int>", "tuple<>", "list<f32[?]>", "tuple<list<int>, tuple<c128>>",
])
def test_type_text_roundtrip(text):
    assert str(parse_type(text)) == text


def test_signature_strings():
    assert parse_types("f64[?,?], f64[?], f64, i64") == [
        ArrayType("f64", (None, None)), ArrayType("f64", (None,)), ScalarType("f64"),
        ScalarType("i64")]
    with pytest.raises(ParseError, match="unknown type 'f65'"):
        parse_type("f65")


def test_nep50_promotion_rules():
    f32 = ArrayType("f32", (None,))
    assert result_dtype(f32, ScalarType("float")) == "f32"   # Python float is weak
    assert result_dtype(f32, ScalarType("f64")) == "f64"     # NumPy scalar is not
    assert result_dtype(ScalarType("int"), ScalarType("i32")) == "i32"
    assert unify(ScalarType("float"), ScalarType("f32")) == ScalarType("f32")
    assert unify(ScalarType("int"), ScalarType("float")) == ScalarType("float")
    assert unify(ArrayType("f64", (3,)), ArrayType("f64", (4,))) == ArrayType("f64", (None,))
    assert unify(ArrayType("f64", (None,)), ArrayType("f64", (None, None))) is None
    assert unify(TupleType((ScalarType("int"),)), TupleType((ScalarType("float"),))) == \
        TupleType((ScalarType("float"),))
    assert unify(ListType(ScalarType("int")), ScalarType("int")) is None


@pytest.mark.parametrize("text, message", [
    ("func @f(%x: f64[?]) -> f64[?] {\n  return %y\n}\n", "%y is used before it is defined"),
    ("func @f(%x: f64[?]) -> f64[?] {\n  %a = frobnicate %x : f64[?]\n  return %a\n}\n",
     "unknown op 'frobnicate'"),
    ("func @f(%x: f64[?]) -> f64[?] {\n  %a = add %x : f64[?]\n  return %a\n}\n",
     "takes 2 operands"),
    ("func @f(%x: f64[?]) -> f64[?] {\n  %a = sum %x {axes = 1} : f64\n  return %a\n}\n",
     "has no attribute 'axes'"),
    ("func @f(%x: f64[?]) -> f64[?] {\n  %x = negative %x : f64[?]\n  return %x\n}\n",
     "defined twice"),
    ("func @f(%x: f64[?]) -> f64[?] {\n  %a = negative %x : f64[?\n}\n", "expected"),
    ("func @f(%x: f64[?]) -> f64[?] {\n  %a = negative %x : f64[?] @3\n}\n", "expected ':'"),
])
def test_parse_errors_name_line(text, message):
    with pytest.raises(ParseError, match="line [0-9]+") as info:
        phylanx.parse_physl(text)
    assert message in str(info.value)


@pytest.mark.parametrize("body, message", [
    ("  %a = negative %x : f64[?,?]\n  return %a\n", "does not match the type rule"),
    ("  %a = negative %x : f64[?]\n  return %x\n  return %a\n", "terminator is not the last"),
    ("  %t = const {value = 1} : bool\n"
     "  %a = if %t : f64[?] then {\n    yield %x\n  } else {\n    %b = negative %x : f64[?]\n"
     "    yield %b\n  }\n  return %b\n", "does not dominate"),
    ("  %t = const {value = 1} : int\n"
     "  %a = if %t : f64[?] then {\n    yield %x\n  } else {\n    yield %x\n  }\n"
     "  return %a\n", "condition must be bool"),
    ("  %a = sum %x : f64\n  return %a\n", "returned value has types (f64)"),
])
def test_verifier_rejects(body, message):
    m = phylanx.parse_physl("func @f(%x: f64[?]) -> f64[?] {\n" + body + "}\n")
    with pytest.raises(VerifyError, match="'") as info:
        verify_module(m)
    assert message in str(info.value)


def test_every_op_has_a_doc_and_is_listed_in_docs():
    doc = (REPO / "docs" / "physl.md").read_text()
    assert op_table() in doc, "docs/physl.md is stale: python -m phylanx ops --update"
    for name, decl in all_ops().items():
        assert decl.doc, f"op {name} has no doc"


def test_kernel_physl_for_a_signature_string():
    from phylanx.demo import logreg

    text = logreg.physl(types="f64[?,?], f64[?], f64, i64")
    assert "func @logreg(%X: f64[?,?], %y: f64[?], %alpha: f64, %iterations: i64)" in text
    assert "for_range" in text and "matvec_pair" in text and "transpose" not in text
    assert phylanx.print_module(phylanx.parse_physl(text)) == text


def test_every_op_carries_its_source_line():
    from phylanx.demo import logreg

    m = logreg.compile("f64[?,?], f64[?], float, int").module
    src_lines = Path(logreg.py_func.__code__.co_filename).read_text().splitlines()
    for op in m.walk():
        assert op.loc.line > 0, op
        assert op.loc.file == logreg.py_func.__code__.co_filename
        assert src_lines[op.loc.line - 1].strip(), op


def test_cli_physl(tmp_path):
    src = tmp_path / "k.py"
    src.write_text(textwrap.dedent("""\
        import numpy as np

        def f(x, n):
            return np.sum(x) * n
        """))
    out = subprocess.run([sys.executable, "-m", "phylanx", "physl", f"{src}:f", "--types",
                          "f64[?], int"], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("func @f(%x: f64[?], %n: int) -> f64")
    assert "sum %x" in out.stdout
    bad = subprocess.run([sys.executable, "-m", "phylanx", "physl", f"{src}:f", "--types",
                          "list<int>, int"], capture_output=True, text=True, cwd=tmp_path)
    assert bad.returncode == 1 and "error:" in bad.stderr


def test_cli_demo_runs_and_checks_against_numpy(tmp_path):
    out = subprocess.run([sys.executable, "-m", "phylanx", "demo", "--rows", "300", "--cols",
                          "20", "--iterations", "20"], capture_output=True, text=True,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "matches NumPy: yes" in out.stdout
    assert "func @logreg(" in out.stdout
