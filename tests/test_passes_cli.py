"""`python -m phylanx opt` and the optimizer flags of `python -m phylanx physl`."""

import textwrap

import pytest

from phylanx.__main__ import main
from phylanx.passes import DEFAULT_PIPELINE
from phylanx.passes.testing import filecheck

PHYSL = """\
func @f(%x: f64[?]) -> f64[?] @"k.py":1:1 {
  %0 = exp %x : f64[?] @2:8
  %1 = exp %x : f64[?] @3:8
  %2 = add %0, %1 : f64[?] @4:8
  %3 = negative %x : f64[?] @5:8
  return %2 @6:4
}
"""

KERNEL = textwrap.dedent("""\
    import numpy as np


    def logreg(X, y, alpha, iterations):
        w = np.zeros(X.shape[1])
        for _ in range(iterations):
            pred = 1.0 / (1.0 + np.exp(-(X @ w)))
            w = w - alpha * (X.T @ (pred - y))
        return w
""")


@pytest.fixture
def physl_file(tmp_path):
    path = tmp_path / "k.physl"
    path.write_text(PHYSL)
    return str(path)


def test_opt_dumps_and_timing(physl_file, capsys):
    """What the flags ask for goes to stdout in pipeline order, then the final PhySL."""
    rc = main(["opt", physl_file, "-p", "cse,dce", "--print-ir-before=cse",
               "--print-ir-after-change", "--time-passes"])
    out, err = capsys.readouterr()
    assert rc == 0 and err == ""
    filecheck(out, """
        CHECK: # *** IR Dump Before cse ***
        CHECK: # *** IR Dump After cse ***
        CHECK: # *** IR Dump After dce ***
        CHECK: pass execution timing report
        CHECK: cse
        CHECK: dce
        CHECK: # *** final IR (after the pipeline: what runs) ***
        CHECK-NEXT: func @f
        CHECK-NEXT: %0 = exp %x : f64[?] @2:8
        CHECK-NEXT: %1 = add %0, %0 : f64[?] @4:8
        CHECK-NEXT: return %1
    """)
    assert out.index("final IR") > out.index("timing report")


def test_opt_repeatable_flags_and_no_locations(physl_file, capsys):
    rc = main(["opt", physl_file, "--pipeline", "cse,dce,cse", "--print-ir-after", "dce",
               "--print-ir-after=cse#2", "--no-locations"])
    out, err = capsys.readouterr()
    assert rc == 0 and "@" not in out.replace("func @f", "")
    assert out.count("IR Dump After") == 2 and "After cse#2" in out and err == ""


def test_opt_reads_the_pipeline_of_a_reproducer(tmp_path, capsys):
    path = tmp_path / "repro.physl"
    path.write_text("# pipeline: dce\n" + PHYSL)
    assert main(["opt", str(path), "--print-ir-after-all"]) == 0
    out, _ = capsys.readouterr()
    assert "After dce" in out and "After cse" not in out
    final = out.split("# *** final IR")[1]
    assert "exp %x" in final and "negative" not in final


def test_opt_errors(tmp_path, capsys):
    bad = tmp_path / "bad.physl"
    bad.write_text("func @f( -> {")
    assert main(["opt", str(bad)]) == 1
    assert "error:" in capsys.readouterr().err
    good = tmp_path / "good.physl"
    good.write_text(PHYSL)
    assert main(["opt", str(good), "-p", "nosuch"]) == 1
    assert "unknown pass 'nosuch'" in capsys.readouterr().err


def test_opt_output_file_and_diagnostics(physl_file, tmp_path, capsys):
    target = tmp_path / "out.physl"
    assert main(["opt", physl_file, "-o", str(target), "--diagnostics"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and "final IR" not in out
    assert "exp %x" in target.read_text() and "IR" not in target.read_text()
    assert "Optimization report" in out or "no optimization remarks" in out


def test_physl_with_pass_flags(tmp_path, capsys):
    src = tmp_path / "lr_kernel.py"
    src.write_text(KERNEL)
    types = "f64[?,?], f64[?], float, int"
    rc = main(["physl", f"{src}:logreg", "--types", types, "--print-ir-after-all",
               "--diagnostics", "--time-passes"])
    out, err = capsys.readouterr()
    assert rc == 0 and err == ""
    for name in DEFAULT_PIPELINE.split(","):
        assert f"IR Dump After {name}" in out
    final = out.split("# *** final IR (after the pipeline: what runs) ***\n")[1]
    assert "matvec_pair %X" in final and "transpose" not in final
    assert "fuse-matvec-pair (1 fused)" in out
    assert "pass execution timing report" in out
    rc = main(["physl", f"{src}:logreg", "--types", types, "--passes", "", "--no-locations"])
    out, _ = capsys.readouterr()
    assert rc == 0 and "transpose %X" in out and "@" not in out.replace("func @logreg", "")
