"""The pass manager: pipelines, stages, dumps, statistics, verification, reproducers."""

import io
import os

import pytest

from phylanx.errors import PassError
from phylanx.ir.parser import parse_physl
from phylanx.ir.printer import print_module
from phylanx.passes import (
    DEFAULT_PIPELINE,
    Pass,
    available_passes,
    clone_module,
    parse_pipeline,
    register,
    run_pipeline,
)
from phylanx.passes.testing import filecheck

SRC = """\
func @f(%x: f64[?], %n: int) -> f64[?] @"k.py":1:1 {
  %0 = exp %x : f64[?] @2:8
  %1 = exp %x : f64[?] @3:8
  %2 = add %0, %1 : f64[?] @4:8
  %3 = const {value = 2} : int @5:8
  %4 = const {value = 3} : int @5:12
  %5 = add %3, %4 : int @5:10
  %6 = negative %x : f64[?] @6:4
  return %2 @7:4
}
"""


@pytest.fixture
def module():
    return parse_physl(SRC)


def test_available_passes_have_names_and_docs():
    passes = available_passes()
    for name in ("fold", "canonicalize", "cse", "dce", "licm", "inline", "fuse-elementwise",
                 "fuse-matvec-pair", "parallelize-loops"):
        assert name in passes
        assert passes[name].__doc__
    for name in DEFAULT_PIPELINE.split(","):
        assert name in passes


def test_parse_pipeline_options():
    p = parse_pipeline("inline{max-ops=3},licm{guard=false},cse")
    assert [x.name for x in p] == ["inline", "licm", "cse"]
    assert p[0].max_ops == 3 and p[1].guard is False
    p = parse_pipeline(" canonicalize{max_int_power=2 max-iterations=1} , dce ")
    assert p[0].max_int_power == 2 and p[0].max_iterations == 1


@pytest.mark.parametrize("bad", ["nosuchpass", "cse{x=1}", "inline{max-ops=many}",
                                 "licm{guard=maybe}"])
def test_parse_pipeline_errors(bad):
    with pytest.raises(ValueError):
        parse_pipeline(bad)


def test_input_not_mutated_and_stages(module):
    before = print_module(module)
    r = run_pipeline(module, "cse,dce,cse")
    assert print_module(module) == before
    assert list(r.stages) == ["input", "cse", "dce", "cse#2", "final"]
    assert r.stages["input"] == before
    assert r.stages["final"] == print_module(r.module)
    assert r.stats["cse"]["changed"] and r.stats["dce"]["changed"]
    assert not r.stats["cse#2"]["changed"]
    assert r.changed() == ["cse", "dce"]
    assert r.stats["cse"]["ops-merged"] == 1
    assert r.stats["dce"]["ops-removed"] == 4
    assert set(r.timings) == {"cse", "dce", "cse#2"}
    assert all(t >= 0 for t in r.timings.values())


def test_diff(module):
    r = run_pipeline(module, "cse")
    d = r.diff("input", "cse")
    assert d.startswith("--- input\n+++ cse\n")
    assert "-  %1 = exp %x : f64[?] @3:8" in d
    assert "+  %1 = add %0, %0 : f64[?] @4:8" in d
    assert r.diff("cse", "final") == ""
    with pytest.raises(KeyError, match="stages: input, cse, final"):
        r.diff("input", "dce")


def test_print_options(module):
    out = io.StringIO()
    run_pipeline(module, "cse,dce,cse", print_before=["dce"], print_after=["cse#2"], out=out)
    text = out.getvalue()
    filecheck(text, """
        CHECK: # *** IR Dump Before dce ***
        CHECK-NEXT: func @f
        CHECK: # *** IR Dump After cse#2 ***
        CHECK-NOT: IR Dump
    """)
    out = io.StringIO()
    run_pipeline(module, "cse,dce", print_before="cse,dce", out=out)
    assert out.getvalue().count("IR Dump Before") == 2
    out = io.StringIO()
    run_pipeline(module, "cse,dce,cse", print_after_change=True, out=out)
    assert "After cse ***" in out.getvalue() and "After dce ***" in out.getvalue()
    assert "After cse#2" not in out.getvalue()
    out = io.StringIO()
    run_pipeline(module, "cse,dce", print_after_all=True, time_passes=True, out=out)
    filecheck(out.getvalue(), """
        CHECK: IR Dump After cse
        CHECK: IR Dump After dce
        CHECK: pass execution timing report
        CHECK: pass {{ +}}wall ms
        CHECK: cse {{.*}} ops-merged=1
        CHECK: dce {{.*}} ops-removed=4
        CHECK: total
    """)


def test_stage_texts_without_locations(module):
    r = run_pipeline(module, "cse", locations=False)
    assert "@" not in r.stages["final"].replace("func @f", "")
    r = run_pipeline(module, "cse")
    assert "@2:8" in r.stage("cse")
    assert r.stage("cse", locations=False) == print_module(r.module, locations=False)


@register
class _Explode(Pass):
    """Test pass that raises."""

    name = "test-explode"

    def run(self, module, ctx):
        raise RuntimeError("boom")


@register
class _Corrupt(Pass):
    """Test pass that leaves invalid IR (a use before its definition)."""

    name = "test-corrupt"

    def run(self, module, ctx):
        ops = module.entry.body.ops
        ops[0], ops[2] = ops[2], ops[0]


def test_failing_pass_writes_reproducer(module, tmp_path):
    with pytest.raises(PassError) as info:
        run_pipeline(module, "cse,test-explode,dce", reproducer_dir=str(tmp_path))
    msg = str(info.value)
    assert "pass 'test-explode' failed: RuntimeError: boom" in msg
    path = msg.split("reproducer: ")[1].strip()
    assert info.value.pass_name == "test-explode" and info.value.reproducer == path
    assert os.path.dirname(path) == str(tmp_path)
    with open(path) as f:
        text = f.read()
    assert "# pipeline: test-explode,dce" in text
    # the IR given to the failing pass (after cse), which parses back
    body = parse_physl(text)
    assert print_module(body) == run_pipeline(module, "cse").stages["final"]


def test_invalid_ir_is_reported(module, tmp_path):
    with pytest.raises(PassError, match="pass 'test-corrupt' produced invalid IR"):
        run_pipeline(module, "test-corrupt", reproducer_dir=str(tmp_path))
    run_pipeline(module, "test-corrupt", verify=False)  # no verification, no error


def test_clone_module_is_deep(module):
    copy = clone_module(module)
    assert print_module(copy) == print_module(module)
    copy.entry.body.ops.pop(0)
    assert print_module(copy) != print_module(module)
    assert all(a is not b for a, b in zip(copy.walk(), module.walk()))


def test_default_pipeline_runs(module):
    r = run_pipeline(module)
    assert r.pipeline == DEFAULT_PIPELINE
    names = list(r.stages)
    assert names[0] == "input" and names[-1] == "final"

