"""What a new user meets first on the command line: the help, NumPy's spelling of --types and
usage errors for bad ones, --args-from for `physl`, dumps and diffs on stdout (or a file),
the stage diff that ignores SSA renumbering, and the demo's report."""

import os
import subprocess
import sys
import textwrap

import pytest

from phylanx.__main__ import main
from phylanx.ir.types import ArrayType, ScalarType, parse_types
from phylanx.passes.testing import filecheck

KERNEL = textwrap.dedent("""\
    import numpy as np


    def logreg(X, y, alpha, iterations):
        w = np.zeros(X.shape[1])
        for _ in range(iterations):
            pred = 1.0 / (1.0 + np.exp(-(X @ w)))
            w = w - alpha * (X.T @ (pred - y))
        return w


    def als(R, X, Y, lam, iterations):
        n_users = R.shape[0]
        k = X.shape[1]
        for _ in range(iterations):
            for u in range(n_users):
                A = Y.T @ Y + lam * np.eye(k)
                b = Y.T @ R[u, :]
                X[u, :] = np.linalg.solve(A, b)
        return X
""")

ARGS = textwrap.dedent("""\
    import numpy as np


    def logreg_args():
        rng = np.random.default_rng(0)
        return rng.normal(size=(20, 3)), rng.random(20), 0.1, 3


    def logreg_kwargs():
        rng = np.random.default_rng(0)
        return {"X": rng.normal(size=(20, 3)), "y": rng.random(20), "alpha": 0.1,
                "iterations": 3}
""")

LOGREG_TYPES = "f64[?,?], f64[?], float, int"
ALS_TYPES = "f64[?,?], f64[?,?], f64[?,?], float, int"


@pytest.fixture
def files(tmp_path, monkeypatch):
    (tmp_path / "kernels_fh.py").write_text(KERNEL)
    (tmp_path / "args_fh.py").write_text(ARGS)
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def cli(tmp_path, *argv, stdout=subprocess.PIPE):
    return subprocess.run([sys.executable, "-m", "phylanx", *argv], stdout=stdout,
                          stderr=subprocess.PIPE, text=True, cwd=tmp_path, check=False,
                          env={**os.environ, "PYTHONPATH": str(tmp_path),
                               "PHYLANX_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "1"})


def test_no_command_prints_the_help(capsys):
    assert main([]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("usage: python -m phylanx") and err == ""
    for command in ("demo", "physl", "explain", "ops", "opt", "profile"):
        assert f"    {command}" in out, command
    assert "(the final IR: what runs)" in " ".join(out.split())


@pytest.mark.parametrize("numpy_spelling, physl", [
    ("float64[:, :], float64[:], float, int", LOGREG_TYPES),
    ("float64[:,:], np.float64[::1], float, int", LOGREG_TYPES),
    ("numpy.float64[:, ::1], float64[3], float64, np.int64", "f64[?,?], f64[3], f64, i64"),
    ("bool_[:], bool, intp, uint8[:, :], complex128, float32[]",
     "bool[?], bool, i64, u8[?,?], c128, f32[]"),
    ("tuple<float64[:], int>, list<int32[:]>", "tuple<f64[?], int>, list<i32[?]>"),
])
def test_types_in_numpy_and_numba_spelling(numpy_spelling, physl):
    assert parse_types(numpy_spelling) == parse_types(physl)


def test_numpy_scalar_names_are_numpy_scalars():
    """`float64` without brackets is np.float64 (strong in NEP 50); `float` is Python's."""
    assert parse_types("float64, float, f64[:]") == [
        ScalarType("f64"), ScalarType("float"), ArrayType("f64", (None,))]


@pytest.mark.parametrize("types, message", [
    ("flaot64[:, :], int", "column 1: unknown dtype 'flaot64'"),
    ("float64[:, :], intt", "column 16: unknown type 'intt'"),
    ("float128[:]", "column 1: unsupported dtype 'float128'"),
    ("float64[:::]", "column 9: expected ':' or '::1' for an extent"),
    ("f64[?,", "column 7: expected an extent (a non-negative integer) or '?', found 'end of input' "
     "in 'f64[?,'"),
])
def test_bad_types_are_usage_errors(files, capsys, types, message):
    with pytest.raises(SystemExit) as e:
        main(["physl", f"{files}/kernels_fh.py:logreg", "--types", types])
    assert e.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "usage: python -m phylanx physl" in err
    assert f"error: argument --types: {message}" in err, err
    assert "expected PhySL's" in err and "float64[:, :]" in err


def test_a_type_per_parameter(files, capsys):
    for argv in (["physl", f"{files}/kernels_fh.py:logreg", "--types", "float64[:, :]"],
                 ["explain", f"{files}/kernels_fh.py:logreg", "--types", LOGREG_TYPES + ", int"]):
        with pytest.raises(SystemExit) as e:
            main(argv)
        assert e.value.code == 2
    err = capsys.readouterr().err
    assert "python -m phylanx physl: error: argument --types: 1 type for the 4 parameters " \
           "of logreg(X, y, alpha, iterations)" in err
    assert "python -m phylanx explain: error: argument --types: 5 types for the 4 " \
           "parameters of logreg(X, y, alpha, iterations)" in err


def test_bad_types_exit_2_without_a_traceback(files):
    r = cli(files, "physl", "kernels_fh.py:logreg", "--types", "float64[:,:], float64[:], flot")
    assert r.returncode == 2 and r.stdout == ""
    assert "Traceback" not in r.stderr and "unknown type 'flot'" in r.stderr
    ok = cli(files, "physl", "kernels_fh.py:logreg", "--types", "float64[:,:], float64[:], "
                                                                 "float, int")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("func @logreg(%X: f64[?,?], %y: f64[?], %alpha: float, "
                                "%iterations: int)")


def test_physl_types_from_args(files, capsys):
    assert main(["physl", f"{files}/kernels_fh.py:logreg", "--types", LOGREG_TYPES]) == 0
    expected = capsys.readouterr().out
    for make in ("args_fh:logreg_args", "args_fh:logreg_kwargs", f"{files}/args_fh.py:"
                                                                 "logreg_args"):
        assert main(["physl", f"{files}/kernels_fh.py:logreg", "--args-from", make]) == 0
        assert capsys.readouterr().out == expected, make
    with pytest.raises(SystemExit) as e:      # one of --types / --args-from, not both
        main(["physl", f"{files}/kernels_fh.py:logreg", "--types", LOGREG_TYPES,
              "--args-from", "args_fh:logreg_args"])
    assert e.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_dumps_go_to_stdout_so_a_redirect_keeps_them(files):
    with open(files / "dump.txt", "w") as f:
        r = cli(files, "physl", "kernels_fh.py:logreg", "--types", LOGREG_TYPES,
                "--print-ir-after=licm", "--diagnostics", stdout=f)
    assert r.returncode == 0 and r.stderr == ""
    filecheck((files / "dump.txt").read_text(), """
        CHECK: # *** IR Dump After licm ***
        CHECK: func @logreg
        CHECK: Optimization report
        CHECK: --- fuse-matvec-pair (1 fused)
        CHECK: # *** final IR (after the pipeline: what runs) ***
        CHECK-NEXT: func @logreg
        CHECK: matvec_pair %X
    """)


def test_dump_file_option(files, capsys):
    dump = files / "stages.txt"
    assert main(["physl", f"{files}/kernels_fh.py:logreg", "--types", LOGREG_TYPES,
                 "--print-ir-after-all", "--time-passes", "--dump-file", str(dump)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("func @logreg") and "IR Dump" not in out and err == ""
    text = dump.read_text()
    assert text.count("# *** IR Dump After") == 10 and "pass execution timing report" in text


def test_diff_lines_values_up_by_name_and_location(files, capsys):
    """licm hoists the Gram matrix out of the ALS loops, which renumbers the values of the
    loop body: a text diff marks those lines changed, the stage diff does not."""
    argv = ["physl", f"{files}/kernels_fh.py:als", "--types", ALS_TYPES]
    assert main([*argv, "--diff", "canonicalize,licm"]) == 0
    diff = capsys.readouterr().out
    assert diff.startswith("--- canonicalize\n+++ licm\n@@ ")
    assert "final IR" not in diff
    lines = diff.splitlines()
    getitem = [ln for ln in lines if "= getitem %R" in ln]
    assert len(getitem) == 1 and getitem[0].startswith(" "), getitem  # context: not changed
    assert any(ln.startswith("+") and "= eye %k" in ln for ln in lines)   # hoisted
    assert any(ln.startswith("-") and "= eye %k" in ln for ln in lines)

    from phylanx.compiler import compile_function
    from phylanx.passes import run_pipeline

    plain = run_pipeline(compile_function(_load(files, "als"), parse_types(ALS_TYPES))).diff(
        "canonicalize", "licm")
    assert [ln[0] for ln in plain.splitlines() if "= getitem %R" in ln] == ["-", "+"]

    assert main([*argv, "--diff", "final,final", "--no-locations"]) == 0
    assert capsys.readouterr().out == "# stages final and final are the same\n"
    assert main([*argv, "--diff", "input,nosuch"]) == 1
    assert "no stage 'nosuch'; stages: input, inline, canonicalize" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main([*argv, "--diff", "input"])
    assert e.value.code == 2
    assert "expected two stage names A,B" in capsys.readouterr().err


def _load(files, name):
    import importlib.util

    spec = importlib.util.spec_from_file_location("kernels_fh", files / "kernels_fh.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def test_opt_diff(files, capsys):
    assert main(["physl", f"{files}/kernels_fh.py:logreg", "--types", LOGREG_TYPES,
                 "--passes", ""]) == 0
    (files / "lr.physl").write_text(capsys.readouterr().out)
    assert main(["opt", str(files / "lr.physl"), "--diff", "input,final"]) == 0
    diff = capsys.readouterr().out
    assert diff.startswith("--- input\n+++ final\n") and "+    %3 = matvec_pair" in diff


def test_demo_shows_compile_time_warm_calls_speedup_and_a_profile(files):
    r = cli(files, "demo", "--rows", "400", "--cols", "20", "--iterations", "5",
            "--repeats", "3")
    assert r.returncode == 0, r.stderr
    filecheck(r.stdout, """
        CHECK: LogReg on X of 400 x 20 (0 MB), 5 iterations. phylanx runtime: 2 threads
        CHECK: The final PhySL (after the optimizer: what runs):
        CHECK: func @logreg(
        CHECK: compiling (once per argument types): {{[0-9]+}} ms
        CHECK-NEXT: warm calls, median of 3 (interleaved): phylanx {{[0-9.]+}} ms, NumPy {{[0-9.]+}} ms: phylanx is {{[0-9.]+}}x {{faster|slower}}
        CHECK: kernel: logreg(f64[?,?], f64[?], float, int)
        CHECK: per node:
        CHECK: matvec_pair
        CHECK-NOT: per source line:
        CHECK: matches NumPy: yes
    """)
    assert r.stdout.count("logreg(f64[?,?], f64[?], float, int)") == 1


def test_a_closed_pipe_ends_quietly():
    """`python -m phylanx ops | head -1`: no BrokenPipeError traceback when the reader leaves."""
    proc = subprocess.Popen([sys.executable, "-m", "phylanx", "ops"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()          # the reader goes away after one line
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
