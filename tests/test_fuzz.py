"""The differential fuzzer (phylanx.fuzz): a fixed-seed sample of generated kernels must match
plain Python in every thread configuration; and the fuzzer's own parts (comparison rules,
minimizer, worker pool) find what they are meant to find.

Seeds of the sample that fail on known bugs being fixed are strict xfails naming the bug."""

from __future__ import annotations

import sys
import textwrap
import warnings

import numpy as np
import pytest

from phylanx.fuzz import CONFIGS, check_program, generate
from phylanx.fuzz.inputs import make_args
from phylanx.fuzz.minimize import minimize
from phylanx.fuzz.pool import run_requests
from phylanx.fuzz.runner import (
    NOTES,
    Observation,
    compare,
    load,
    observe,
    value_difference,
)

SAMPLE = range(300)

# Known bugs the sample finds (being fixed; strict xfails: each entry goes with its fix)
KNOWN: dict[int, str] = {}


@pytest.mark.parametrize("seed", [
    pytest.param(s, marks=pytest.mark.xfail(strict=True, reason=KNOWN[s])) if s in KNOWN else s
    for s in SAMPLE])
def test_generated_program(seed):
    program = generate(seed)
    result = check_program(program)
    assert result.status != "fail", "\n".join(
        [program.source, f"Python: {result.python}", f"kernel: {result.kernel}"]
        + [f.line() for f in result.failures])


# ------------------------------------------------------------------ the generator and inputs
def test_generator_is_deterministic_and_valid_python():
    for seed in range(20):
        a, b = generate(seed), generate(seed)
        assert a.source == b.source
        compile(a.source, f"seed{seed}", "exec")


def test_inputs_cover_layouts_and_specials():
    arrays = []
    for seed in range(200):
        program = generate(seed)
        arrays += [a for a in program.first_args() if isinstance(a, np.ndarray)]
    assert any(a.ndim == 0 for a in arrays)
    assert any(a.size == 0 for a in arrays)
    assert any(not a.flags.c_contiguous and not a.flags.f_contiguous for a in arrays)
    assert any(a.ndim > 1 and a.flags.f_contiguous and not a.flags.c_contiguous for a in arrays)
    assert any(a.dtype.kind == "f" and np.isnan(a).any() for a in arrays)
    assert any(a.dtype.kind == "f" and np.isinf(a).any() for a in arrays)
    assert any(a.dtype == np.int64 and (a == np.iinfo(np.int64).max).any() for a in arrays)
    assert any(a.dtype.kind == "i" and (a < 0).any() for a in arrays)
    assert {a.dtype.name for a in arrays} >= {"bool", "int32", "int64", "float32", "float64"}


def test_first_args_are_fresh_copies_with_the_same_layout():
    program = next(p for p in map(generate, range(100)) if any(
        isinstance(a, np.ndarray) and a.ndim and not a.flags.contiguous for a in p.first_args()))
    one, two = program.first_args(), program.first_args()
    for x, y in zip(one, two):
        if isinstance(x, np.ndarray):
            assert x is not y and not np.shares_memory(x, y)
            assert x.strides == y.strides
            np.testing.assert_array_equal(x, y)


# ------------------------------------------------------------------ comparison rules
def _obs(value=None, error=None, warns=(), args=()):
    return Observation("raised" if error else "ok", value, error, frozenset(warns), args)


@pytest.mark.parametrize("got, expected, category", [
    (np.array([1.0, 2.0]), np.array([1.0, 2.5]), "value"),
    (np.array([1.0, np.nan]), np.array([1.0, 2.0]), "nan"),
    (np.array([1, 2], np.int32), np.array([1, 2], np.int64), "dtype"),
    (np.array([[1.0, 2.0]]), np.array([1.0, 2.0]), "shape"),
    (np.float64(1.0), 1.0, "type"),
    (np.array(1.0), np.float64(1.0), "type"),
    ((1.0, 2.0), 1.0, "type"),
    (np.array([np.inf]), np.array([-np.inf]), "value"),
])
def test_value_difference_categories(got, expected, category):
    assert value_difference(got, expected)[0] == category
    assert value_difference(expected, expected) is None


def test_value_difference_tolerates_rounding_only():
    x = np.array([1.0, 1e-300, np.nan, np.inf])
    assert value_difference(x * (1 + 1e-12), x) is None
    f32 = np.float32([1.0, 3.0])
    assert value_difference(f32 * np.float32(1 + 1e-6), f32) is None
    assert value_difference(f32 * np.float32(1.01), f32)[0] == "value"
    # f64 results of f32 computations: f32's tolerance at least
    assert value_difference(x * (1 + 1e-7), x)[0] == "value"
    assert value_difference(x * (1 + 1e-7), x, min_tol=1e-4) is None


def test_compare_categories():
    ok = _obs(np.array([1.0]))
    raised = _obs(error=ValueError("x"))
    assert [f.category for f in compare(raised, ok, "c")] == ["missing error"]
    assert [f.category for f in compare(ok, raised, "c")] == ["spurious error"]
    assert [f.category for f in compare(raised, _obs(error=IndexError("x")), "c")] == \
        ["exception class"]
    assert compare(raised, _obs(error=ValueError("other message")), "c") == []
    # the documented run-time error of Python `int ** negative int` is a note, not a failure
    from phylanx.ops.elementwise import INT_NEGATIVE_POWER
    documented = compare(_obs(0.5), _obs(error=ValueError(INT_NEGATIVE_POWER)), "c")
    assert [f.category for f in documented] == ["documented error"]
    assert all(f.category in NOTES for f in documented)
    warned = _obs(np.array([1.0]), warns=[("RuntimeWarning", "invalid value encountered in log")])
    assert [f.category for f in compare(ok, warned, "c")] == ["warnings"]
    assert compare(ok, warned, "c", check_warnings=False) == []
    a = np.zeros(3)
    mutated = _obs(np.array([1.0]), args=(np.ones(3),))
    assert [f.category for f in compare(_obs(np.array([1.0]), args=(a,)), mutated, "c")] == \
        ["mutated argument"]
    # after an error NumPy's own in-place outputs are unspecified: a note
    failed = Observation("raised", error=ValueError("x"), args=(np.ones(3),))
    assert [f.category for f in compare(Observation("raised", error=ValueError("y"), args=(a,)),
                                        failed, "c")] == ["arguments after an error"]


def test_compare_refusals():
    from phylanx.errors import CompileError

    refused = Observation("refused", error=CompileError("no"))
    assert compare(_obs(np.array([1.0])), refused, "compile") == []
    assert compare(_obs(error=ValueError("v")), refused, "compile") == []
    # Python's TypeError must stay catchable as TypeError
    assert [f.category for f in compare(_obs(error=TypeError("t")), refused, "compile")] == \
        ["refused, not the Python class"]

    class TypedRefusal(CompileError, TypeError):
        pass
    assert compare(_obs(error=TypeError("t")), Observation("refused", error=TypedRefusal("t")),
                   "compile") == []
    internal = Observation("internal", error=RuntimeError("boom"))
    assert [f.category for f in compare(_obs(1.0), internal, "compile")] == ["internal error"]


def test_memory_sharing_is_compared():
    a = np.arange(4.0)
    py = _obs(a[1:], args=(a,))
    copy_ = _obs(a[1:].copy(), args=(a,))
    assert [f.category for f in compare(py, copy_, "c")] == ["memory sharing"]


def test_observe_records_warnings_and_errors():
    with np.errstate(all="warn"):
        obs = observe(np.log, (np.array([-1.0, 0.0]),))
    assert obs.kind == "ok"
    assert obs.warnings == {("RuntimeWarning", "invalid value encountered in log"),
                            ("RuntimeWarning", "divide by zero encountered in log")}
    assert observe(lambda: 1 // 0, ()).kind == "raised"


# ------------------------------------------------------------------ whole programs
def _program_like(seed: int, source: str):
    program = generate(seed)
    program.source = textwrap.dedent(source)
    return program


def test_check_program_finds_a_wrong_result_and_a_refusal(monkeypatch):
    import phylanx

    program = generate(0)
    src = "import numpy as np\n\ndef f(" + ", ".join(s.name for s in program.specs) + \
        "):\n    return 1.0\n"
    assert check_program(program, source=src).status == "pass"
    original = phylanx.kernel

    def wrong_kernel(func, **options):
        k = original(func, **options)
        compiled_run = type(k).__call__

        class Wrong(type(k)):
            def __call__(self, *args, **kwargs):
                return compiled_run(self, *args, **kwargs) + 1.0
        k.__class__ = Wrong
        return k

    monkeypatch.setattr(phylanx, "kernel", wrong_kernel)
    result = check_program(program, source=src)
    assert result.status == "fail" and "value" in result.categories
    monkeypatch.setattr(phylanx, "kernel", original)
    refused = check_program(program, source=src.replace("return 1.0", "return {}"))
    assert refused.status == "refused" and refused.refusal


def test_result_overwritten_by_a_later_call_is_found(monkeypatch):
    import phylanx

    program = generate(0)
    src = "import numpy as np\n\ndef f(" + ", ".join(s.name for s in program.specs) + \
        "):\n    return np.zeros(3)\n"
    shared = np.zeros(3)
    original = phylanx.kernel

    def reusing_kernel(func, **options):
        k = original(func, **options)

        class Reusing(type(k)):
            calls = 0

            def __call__(self, *args, **kwargs):
                Reusing.calls += 1
                shared[...] = 0.0
                if Reusing.calls == 5:         # the second call of _second_call writes
                    shared[0] = 1.0
                return shared
        k.__class__ = Reusing
        return k

    monkeypatch.setattr(phylanx, "kernel", reusing_kernel)
    result = check_program(program, source=src, concurrent=False)
    assert "result overwritten" in result.categories


# ------------------------------------------------------------------ minimizer
def test_minimizer_keeps_what_makes_it_fail():
    source = textwrap.dedent("""\
        import numpy as np


        def f(a, n):
            v1 = a + 1
            v2 = np.exp(v1) * 2
            for i0 in range(n):
                v3 = v2 - np.log(a)
                v1 = v1 + 1
            w1 = 0
            while w1 < n:
                w1 += 1
                v4 = np.sum(v2)
            return v1, v2, v4
        """)
    small, checks = minimize(source, lambda text: "np.log(a)" in text)
    assert "np.log(a)" in small
    assert "np.exp" not in small and "np.sum" not in small
    assert len(small.splitlines()) < len(source.splitlines()) - 4
    assert 0 < checks <= 300
    assert "w1 += 1" in minimize(source, lambda text: "np.sum" in text)[0] or \
        "while" not in minimize(source, lambda text: "np.sum" in text)[0]


def test_minimizer_changes_nothing_when_no_variant_fails():
    import ast

    source = "import numpy as np\n\n\ndef f(a):\n    v1 = a * 2\n    return v1\n"
    small, checks = minimize(source, lambda text: False)
    assert ast.dump(ast.parse(small)) == ast.dump(ast.parse(source))
    assert checks > 0


# ------------------------------------------------------------------ worker pool
_FAKE_WORKER = textwrap.dedent("""\
    import json, os, sys, time
    for line in sys.stdin:
        r = json.loads(line)
        if r["seed"] == 1:
            time.sleep(60)
        if r["seed"] == 2:
            os.abort()
        print(json.dumps({"op": r["op"], "seed": r["seed"], "status": "pass"}), flush=True)
    """)


def test_pool_reports_hangs_and_crashes_with_their_seed(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(_FAKE_WORKER)
    answers = {}
    run_requests([{"op": "check", "seed": s} for s in range(5)], jobs=2, timeout=2.0,
                 on_answer=lambda a: answers.__setitem__(a["seed"], a),
                 command=[sys.executable, str(script)], startup=0.0)
    assert {s: a["status"] for s, a in answers.items()} == \
        {0: "pass", 1: "hang", 2: "crash", 3: "pass", 4: "pass"}


def test_configs_are_restored():
    from phylanx import runtime as rt
    from phylanx.fuzz.runner import configuration

    before = (rt.num_threads(), rt.get_task_threshold(), rt.get_team_threshold())
    for config in CONFIGS:
        with configuration(config):
            if config == "2 threads forced":
                assert rt.get_task_threshold() == 0 and rt.get_team_threshold() == 0
    assert (rt.num_threads(), rt.get_task_threshold(), rt.get_team_threshold()) == before


def test_load_gives_source_the_kernel_can_read():
    module = load("import numpy as np\n\n\ndef f(a):\n    return a + 1\n")
    import phylanx

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(phylanx.kernel(module.f)(np.arange(3)), np.arange(1, 4))
    assert make_args(generate(3).specs, 3) is not None


def test_plain_python_too_slow_is_skipped(monkeypatch):
    from phylanx.fuzz import runner

    monkeypatch.setattr(runner, "PYTHON_SECONDS", 0.3)
    program = generate(0)
    src = "import numpy as np\n\ndef f(" + ", ".join(s.name for s in program.specs) + \
        "):\n    while True:\n        pass\n    return 1.0\n"
    assert check_program(program, source=src).status == "skipped"


def test_failure_signatures_ignore_values_but_not_kinds():
    from phylanx.fuzz.runner import Failure, signature

    a = Failure("type", "1 thread", "result[0]: int 3 != numpy.int64 np.int64(3)")
    b = Failure("type", "2 threads", "result[2]: int 7 != numpy.int64 np.int64(7)")
    c = Failure("type", "1 thread", "result: bool True != numpy.bool np.True_")
    assert signature(a) == signature(b) != signature(c)
    w1 = Failure("warnings", "x", "kernel [] != Python [('RuntimeWarning', 'divide by zero "
                                  "encountered in log')]")
    w2 = Failure("warnings", "x", "kernel [] != Python [('RuntimeWarning', 'invalid value "
                                  "encountered in log')]")
    assert signature(w1) != signature(w2)


def test_triage_names_known_classes_and_leaves_the_rest():
    from phylanx.fuzz.triage import known_class

    refused = {"categories": ["refused, not the Python class"], "failures": [
        {"category": "refused, not the Python class", "config": "compile", "detail": "..."}]}
    assert "TypeError" in known_class(refused)
    value = {"categories": ["value"], "blame": "pass 'cse'", "failures": [
        {"category": "value", "config": "1 thread", "detail": "result: differs at [0]"}]}
    assert known_class(value) is None


def test_ill_conditioned_differences_are_notes_not_failures(monkeypatch):
    import phylanx

    program = generate(2420)            # a: i32 with -2**31, b: f64, both (6, 3)
    names = ", ".join(s.name for s in program.specs)
    original = phylanx.kernel

    def ulp_off_kernel(func, **options):
        k = original(func, **options)

        class UlpOff(type(k)):
            def __call__(self, *args, **kwargs):
                a, b = args[0], args[1]
                return a % np.nextafter(np.tanh(b), np.inf)     # tanh one ulp up
        k.__class__ = UlpOff
        return k

    monkeypatch.setattr(phylanx, "kernel", ulp_off_kernel)
    # -2**31 % t amplifies one ulp of t 2**31 times: Python's own result moves as much
    result = check_program(program, source=f"import numpy as np\n\ndef f({names}):\n"
                                           "    return a % np.tanh(b)\n")
    assert result.status == "pass" and "ill-conditioned" in result.categories
    # a well-conditioned result one ulp off is within the tolerance anyway; ten percent is not
    result = check_program(program, source=f"import numpy as np\n\ndef f({names}):\n"
                                           "    return a % np.tanh(b) * 1.1\n")
    assert result.status == "fail" and "value" in result.categories


def test_summary_of_report_folders(tmp_path, capsys):
    import json

    from phylanx.fuzz.__main__ import main

    for i, results in enumerate([
            [{"op": "check", "seed": 1, "status": "pass", "categories": [], "python": "ok"}],
            [{"op": "check", "seed": 2, "status": "fail", "categories": ["value"],
              "python": "ok", "kernel": "ok", "blame": "pass 'cse'", "source": "def f(): ...",
              "failures": [{"category": "value", "config": "1 thread", "detail": "differs"}]},
             {"op": "check", "seed": 3, "status": "refused", "categories": [],
              "python": "raised: ValueError: x", "refusal": "construct X"}]]):
        folder = tmp_path / f"run{i}"
        folder.mkdir()
        (folder / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in results))
    assert main(["--summarize", str(tmp_path / "run0"), str(tmp_path / "run1")]) == 1
    out = capsys.readouterr().out
    assert "3 programs" in out
    assert "- seed 2: value" in out and "construct X" in out and "ValueError 1" in out
