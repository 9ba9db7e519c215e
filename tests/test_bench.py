"""The benchmark package: workloads, `python -m phylanx.bench`, the asv suite and its config."""

import importlib
import importlib.machinery
import importlib.util
import inspect
import json
import re
import subprocess
import sys
import types
from pathlib import Path

import native_kernels
import numpy as np
import pytest

from phylanx.bench import cli, compare, report, targets
from phylanx.bench.scheduler import TEST_KERNELS_MISSING
from phylanx.bench.workloads import WORKLOADS, alternatives, make_case, same_result

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", list(WORKLOADS))
def test_every_workload_matches_its_numpy_twin(name):
    size = "xs" if "xs" in WORKLOADS[name].sizes else "s"
    case = make_case(name, size)
    assert same_result(case.run_phylanx(), case.run_numpy(), case.rtol)
    assert case.problem and case.workload == name


def test_make_case_errors_and_explicit_params():
    with pytest.raises(ValueError, match="unknown workload"):
        make_case("nope")
    with pytest.raises(ValueError, match="no size"):
        make_case("fused", "xxl")
    case = make_case("fused", (1000,))
    assert case.size == "1000" and case.args[0].shape == (1000,)


def test_same_result():
    a = np.arange(3.0)
    assert same_result((a, 1.0), (a + 1e-12, 1.0))
    assert not same_result((a, 1.0), (a, 2.0))
    assert not same_result(a, a[:2])
    assert not same_result((a,), a)


def test_bench_prints_one_table(capsys):
    rc = cli.main(["--workloads", "fused,dispatch", "--sizes", "xs", "--threads", "1,2",
                     "--repeat", "3"])
    out, err = capsys.readouterr()
    assert rc == 0
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| workload | size | problem | threads | numpy ms | phylanx ms")
    assert len(rows) == 1 + 4 and all(r.endswith("| ok |") for r in rows[1:])
    assert all("% | ok |" in r for r in rows[1:])  # the runtime's fallback share
    assert "cores" in out and "thread pools" in out
    assert "[4/4] dispatch xs" in err  # progress on stderr


def test_bench_runs_as_a_module(tmp_path):
    out = subprocess.run([sys.executable, "-m", "phylanx.bench", "--workloads", "dispatch",
                          "--sizes", "xs", "--threads", "1", "--repeat", "1"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    assert "| dispatch | xs | 2000 steps | 1 |" in out.stdout
    assert "[1/1] dispatch xs" in out.stderr


def test_bench_list_and_bad_arguments(capsys):
    assert cli.main(["--list"]) == 0
    assert "als_explicit" in capsys.readouterr().out
    for argv in (["--workloads", "nope"], ["--sizes", "huge"], ["--threads", "0"],
                 ["--threads", "two"]):
        with pytest.raises(SystemExit):
            cli.main(argv)


def test_bench_plot(tmp_path):
    pytest.importorskip("matplotlib")
    rows = compare.run(["logreg", "als", "fused", "compile"], ["xs", "s"], [1, 2], repeat=1,
                     max_time=0.0)
    path = tmp_path / "fig.png"
    report.plot(rows, str(path))
    assert path.stat().st_size > 10_000


def _fake_numexpr(monkeypatch):
    fake = types.ModuleType("numexpr")
    fake.__spec__ = importlib.machinery.ModuleSpec("numexpr", None)
    fake.set_num_threads = lambda n: None
    fake.evaluate = lambda expr, local_dict: eval(
        expr, {"exp": np.exp, "sin": np.sin}, local_dict)
    monkeypatch.setitem(sys.modules, "numexpr", fake)


def test_alternative_columns_appear_when_installed(monkeypatch):
    _fake_numexpr(monkeypatch)
    case = make_case("fused", "xs")
    tools = alternatives(case, 1)
    assert "numexpr" in tools
    assert same_result(tools["numexpr"](), case.run_numpy())
    row = compare.measure(case, 1, repeat=2, max_time=0.0)
    assert row["numexpr"] > 0
    assert "numexpr ms" in compare.format_table([row])
    assert "numexpr" not in alternatives(make_case("dispatch", "xs"), 1)


def test_compile_rows_have_no_speedup():
    row = {"workload": "compile", "size": "s", "problem": "p", "threads": 1, "numpy": 1e-5,
           "phylanx": 0.02, "speedup": 5e-4, "check": "ok"}
    assert "| 0.01 | 20 | - |" in compare.format_table([row])  # NumPy compiles nothing


def test_targets_blas_limit_covers_numpy_and_peers(monkeypatch):
    from threadpoolctl import threadpool_info

    seen = {}

    def blas_threads():
        return max((p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"),
                   default=1)

    def fake_peers(case, threads):
        return {"peer": lambda: seen.setdefault("peer", blas_threads())}

    monkeypatch.setattr(targets, "_peers", fake_peers)
    case = make_case("als_explicit", "xs")
    numpy_twin = case.numpy
    case.numpy = lambda *a: (seen.setdefault("numpy", blas_threads()), numpy_twin(*a))[1]
    t, check = targets._versus_numpy(case, 2, 3, 0.0, numpy_blas_threads=1)
    assert check == "ok" and set(t) == {"phylanx", "numpy", "peer"}
    assert seen == {"numpy": 1, "peer": 1}


def test_format_table_marks_failures():
    row = {"workload": "w", "size": "s", "problem": "p", "threads": 1, "numpy": 0.002,
           "phylanx": 0.001, "speedup": 2.0, "check": "ok", "jax": None}
    table = compare.format_table([row])
    assert "| 2 | 1 | 2.00x | err | ? | ok |" in table


# -- asv ------------------------------------------------------------------------------------------

def _import_asv_suite():
    spec = importlib.util.spec_from_file_location(
        "asv_bench", ROOT / "asv_bench" / "__init__.py",
        submodule_search_locations=[str(ROOT / "asv_bench")])
    package = importlib.util.module_from_spec(spec)
    sys.modules["asv_bench"] = package
    spec.loader.exec_module(package)
    names = sorted(p.stem for p in (ROOT / "asv_bench").glob("bench_*.py"))
    return [importlib.import_module(f"asv_bench.{n}") for n in names]


def test_asv_config_works_offline():
    conf = json.loads((ROOT / "asv.conf.json").read_text())
    # a branch every checkout has (a clone of a feature branch has no "main" or "master")
    assert conf["branches"] == ["HEAD"]
    assert conf["environment_type"] == "existing"
    assert conf["benchmark_dir"] == "asv_bench"
    assert conf["results_dir"].startswith(".asv") and conf["html_dir"].startswith(".asv")
    assert (ROOT / "asv_bench" / "__init__.py").is_file()


def test_asv_suite_pairs_every_phylanx_benchmark_with_numpy():
    modules = _import_asv_suite()
    classes = [c for m in modules for n, c in vars(m).items()
               if inspect.isclass(c) and not n.startswith("_") and c.__module__ == m.__name__]
    pair = importlib.import_module("asv_bench._common")._Pair
    workloads = set()
    for cls in classes:
        phx = [n for n in dir(cls) if n.startswith("time_phylanx")]
        assert phx or cls.__name__ == "RuntimeFigures", cls
        for n in phx:
            assert hasattr(cls, n.replace("phylanx", "numpy")), (cls, n)
        if issubclass(cls, pair):
            assert callable(cls.track_speedup)
        if phx:
            workloads.add(getattr(cls, "workload", "compile"))
    assert {"fused", "axpby", "dispatch", "reductions", "matmuls", "logreg", "als",
            "als_explicit", "compile"} <= workloads
    figures = next(c for c in classes if c.__name__ == "RuntimeFigures")
    tracks = {n for n in dir(figures) if n.startswith("track_")}
    assert {"track_dispatch_ns_per_node", "track_forced_task_us",
            "track_memory_bound_percent_of_copy_bound", "track_matmul_overlap_percent",
            "track_first_call_ms", "track_import_ms"} <= tracks


@pytest.fixture
def keep_threads():
    import phylanx

    before = phylanx.get_num_threads()
    yield
    phylanx.set_num_threads(before)


def test_asv_benchmark_runs_like_asv_does(keep_threads):
    modules = {m.__name__.rsplit(".", 1)[1]: m for m in _import_asv_suite()}
    bench_ = modules["bench_algorithms"].ALSImplicit()
    bench_.setup("xs")
    bench_.time_phylanx("xs")
    bench_.time_numpy("xs")
    assert 0 < bench_.track_speedup("xs") < 100
    compile_ = modules["bench_compile"].Compile()
    compile_.setup("logreg")
    compile_.time_phylanx_first_call("logreg")
    assert modules["bench_env"].track_phylanx_threads() == 2
    assert modules["bench_env"].track_numpy_blas_threads() >= 0


# -- the target figures (--targets) and the committed docs -----------------------------------


def _test_kernels():
    return native_kernels.load()


def test_cheap_target_figures_beside_their_targets(keep_threads):
    _test_kernels()   # the forced-tasks figure runs test.spin nodes
    figures = targets.run(2, 3, 0.0, only=["dispatch", "forced-tasks", "compile"])
    assert [f.name for f in figures] == [targets.DISPATCH, targets.FORCED_TASKS,
                                         targets.FIRST_CALL]
    limits = {targets.DISPATCH: 30, targets.FORCED_TASKS: 2, targets.FIRST_CALL: 30}
    for f in figures:
        assert f.name in targets.FIGURE_NAMES
        assert np.isfinite(f.value), f
        # forced tasks is a difference of two medians (tasks - inline): on a busy machine the
        # tasks' median may come out lower, so only the durations must be positive.
        assert f.value > 0 or f.name == targets.FORCED_TASKS, f
        assert f.met is (f.value <= limits[f.name]), f
        assert f.check in ("ok", "-"), f
    table = targets.format_table(figures)
    assert table.splitlines()[0] == "| " + " | ".join(targets.HEADER) + " |"
    assert "| dispatch, ns per scalar node |" in table and "| <= 30 ns/node |" in table


def test_forced_tasks_keeps_a_callers_test_ops(keep_threads):
    from phylanx.ir.registry import OPS

    testkernels = _test_kernels()
    targets.forced_tasks(2, 1, 0.0)
    assert "test.spin" not in OPS  # registered for the measurement only
    testkernels.register()
    try:
        targets.forced_tasks(2, 1, 0.0)
        assert "test.spin" in OPS
    finally:
        testkernels.unregister()


def test_forced_tasks_without_test_kernels_says_how_to_build_them(monkeypatch, tmp_path,
                                                                    keep_threads):
    """Outside a checkout (no tests/native_test_kernels here) the figure is reported as failed
    with the remedy."""
    monkeypatch.delitem(sys.modules, "phylanx_test_kernels", raising=False)
    monkeypatch.chdir(tmp_path)
    (figure,) = targets.run(2, 1, 0.0, only=["forced-tasks"])
    assert figure.result == "failed" and figure.met is None
    assert TEST_KERNELS_MISSING in figure.detail
    assert "requirements/bench.txt" in figure.detail


def test_target_failure_lands_in_its_row(monkeypatch):
    def broken(threads, repeat, max_time):
        raise RuntimeError("no such thing")

    monkeypatch.setitem(targets.MEASUREMENTS, "broken", broken)
    (figure,) = targets.run(1, 1, 0.0, only=["broken"])
    assert figure.result == "failed" and figure.met is None and "no such thing" in figure.detail
    assert "| ? |" in targets.format_table([figure])


def test_target_workload_sizes():
    explicit = WORKLOADS["als_explicit"].sizes
    assert explicit["ml1m"] == (6040, 3706, 10, 1, 1_000_209)
    assert explicit["ml1m-k40"] == (6040, 3706, 40, 1, 1_000_209)
    assert WORKLOADS["logreg"].sizes["paper"] == (10_000, 10_000, 10)
    assert WORKLOADS["matmuls"].sizes["paper"] == (2000,)
    assert WORKLOADS["fused"].sizes["l"] == WORKLOADS["axpby"].sizes["l"] == (10**7,)
    case = make_case("als_explicit", "ml1m")
    indptr, indices = case.args[0], case.args[1]
    assert len(indptr) == 6041 and 990_000 < len(indices) <= 1_000_209
    assert case.args[6].shape == (6040, 10) and case.args[9] == 1


MARKED = """# doc
<!-- phylanx.bench:machine -->
old facts
<!-- /phylanx.bench:machine -->
text kept
<!-- phylanx.bench:targets -->
| old |
<!-- /phylanx.bench:targets -->
tail kept
"""


def test_update_doc_rewrites_only_marked_sections(tmp_path, capsys, keep_threads):
    doc = tmp_path / "perf.md"
    doc.write_text(MARKED)
    rc = cli.main(["--workloads", "none", "--targets", "dispatch", "--update-doc", str(doc)])
    out = capsys.readouterr().out
    assert rc == 0
    text = doc.read_text()
    assert "old facts" not in text and "| old |" not in text
    assert "text kept" in text and text.endswith("tail kept\n")
    tables = report.doc_tables(text)
    assert tables["targets"][0] == list(targets.HEADER)
    assert [r[0] for r in tables["targets"][1:]] == [targets.DISPATCH]
    assert "--workloads none --targets dispatch --update-doc" in text  # the command, recorded
    assert f"| {targets.DISPATCH} |" in out
    # a main table needs its own section
    with pytest.raises(ValueError, match="phylanx.bench:table"):
        cli.main(["--workloads", "dispatch", "--sizes", "xs", "--threads", "1",
                    "--repeat", "1", "--update-doc", str(doc)])


def test_targets_arguments(tmp_path):
    for argv in (["--workloads", "none"], ["--targets", "nope"],
                 ["--workloads", "none", "--targets", "--plot", str(tmp_path / "x.png")],
                 ["--targets", "dispatch", "--update-doc", str(tmp_path / "missing.md")]):
        with pytest.raises(SystemExit):
            cli.main(argv)


def test_committed_doc_has_the_tables_the_script_makes():
    """docs/performance.md's generated tables have the rows and columns of today's script
    (regenerate with the command at the top of the file when this fails)."""
    text = (ROOT / "docs" / "performance.md").read_text()
    command = re.search(r"^    (python -m phylanx\.bench .*)$", text, re.MULTILINE).group(1)
    assert "--targets" in command and "--update-doc docs/performance.md" in command
    assert "--plot docs/performance.png" in command
    assert command in text.split("<!-- /phylanx.bench:machine -->")[0].split(
        "<!-- phylanx.bench:machine -->")[1]  # what made the committed numbers
    sizes = re.search(r"--sizes (\S+)", command)
    sizes = (sizes.group(1) if sizes else compare.DEFAULT_SIZES).split(",")
    tables = report.doc_tables(text)
    assert tables["targets"][0] == list(targets.HEADER)
    assert [r[0] for r in tables["targets"][1:]] == list(targets.FIGURE_NAMES)
    header = tables["table"][0]
    peers = [f"{t} ms" for t in ("numexpr", "numba", "jax", "dask")]
    assert [c for c in header if c not in peers] == compare.format_table(
        [_fake_row()]).splitlines()[0].strip("| ").split(" | ")
    expected = [(w, s, str(t)) for w in WORKLOADS for s in sizes
                if s in WORKLOADS[w].sizes for t in (1, 2)]
    assert [tuple(r[:2]) + (r[3],) for r in tables["table"][1:]] == expected
    problems = {(w, s): make_case(w, s).problem for w, s, _ in expected  # the cheap ones
                if w in ("fused", "axpby", "dispatch", "als_explicit") and s in ("xs", "s")}
    for r in tables["table"][1:]:
        if (r[0], r[1]) in problems:
            assert r[2] == problems[r[0], r[1]], r
    assert (ROOT / "docs" / "performance.png").stat().st_size > 10_000


def _fake_row():
    return {"workload": "w", "size": "s", "problem": "p", "threads": 1, "numpy": 0.002,
            "phylanx": 0.001, "speedup": 2.0, "check": "ok"}


ISSUE_TALK = re.compile(r"issue[ _-]?\d|\bthe \w+ issue\b|--issue", re.IGNORECASE)


def _product_text_files():
    for folder in ("phylanx", "passes", "runtime", "asv_bench", "docs"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".py", ".pyx", ".pxd", ".h", ".md", ".txt") and \
                    "_build" not in path.parts:
                yield path
    yield ROOT / "README.md"


def test_no_issue_talk_in_product_text():
    """Figures are named by what they measure ("dispatch, ns per scalar node"), never by the
    issue that asked for them: no file, flag or text of the product speaks of issues."""
    hits = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
            for p in _product_text_files()
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if ISSUE_TALK.search(line)]
    assert not hits, "\n".join(hits)
    assert not list(ROOT.glob("phylanx/*issue*"))
