"""Native jobs size their OpenMP teams with job_threads(): the whole team when a job runs
alone, one thread inside a parallel loop or next to another heavy node (no team inside a
task, BLAS on one thread). Checked from the largest team each kernel module recorded."""

import native_kernels
import numpy as np
import pytest
from native_kernels import spin_reference

import phylanx.runtime as rt
from phylanx.ir.parser import parse_physl
from phylanx.runtime import _matvec, _reduce, _threads, lower


@pytest.fixture
def two_threads():
    before, threshold = rt.num_threads(), rt.get_task_threshold()
    rt.set_num_threads(2)
    native_kernels.load().register()
    yield
    native_kernels.load().unregister()
    rt.set_num_threads(before)
    rt.set_task_threshold(threshold)


BODY = """body(%z: f64, %yy: f64) {
      %one = const {value = 1.0} : float
      %nz = negative %z : f64
      %e = exp %nz : f64
      %d = add %one, %e : f64
      %p = true_divide %one, %d : f64
      %r = subtract %p, %yy : f64
      yield %r
    }"""

MATVEC_ALONE = f"""
func @f(%X: f64[?,?], %w: f64[?], %y: f64[?]) -> f64[?] {{
  %g = matvec_pair %X, %w, %y : f64[?] {BODY}
  return %g
}}
"""

SUM_ALONE = """
func @f(%X: f64[?,?]) -> f64 {
  %s = sum %X : f64
  return %s
}
"""

# Every iteration: a matvec_pair and a sum over all of X; acc[i] = sum(X) + sum(g).
PARLOOP = f"""
func @f(%X: f64[?,?], %w: f64[?], %y: f64[?], %acc: f64[?], %count: int) -> f64[?] {{
  %0 = const {{value = 0}} : int
  %1 = const {{value = 1}} : int
  %res = for_range %0, %count, %1, %acc {{parallel = true}} : f64[?] body(%i: int, %a: f64[?]) {{
    %g = matvec_pair %X, %w, %y : f64[?] {BODY}
    %s = sum %X : f64
    %q = sum %g : f64
    %u = add %s, %q : f64
    %b = setitem %a, %i, %u {{index = ("i",)}} : f64[?]
    yield %b
  }}
  return %res
}}
"""

# A long spin next to the kernels: both heavy nodes are in flight at once.
BESIDE_SPIN = f"""
func @f(%X: f64[?,?], %w: f64[?], %y: f64[?], %m: int) -> tuple<f64[?], f64, float> {{
  %x = const {{value = 0.0}} : float
  %spin = test.spin %x, %m : float
  %g = matvec_pair %X, %w, %y : f64[?] {BODY}
  %s = sum %X : f64
  %t = tuple %g, %s, %spin : tuple<f64[?], f64, float>
  return %t
}}
"""


def data():
    r = np.random.default_rng(3)
    X = r.standard_normal((8192, 96))
    return X, r.standard_normal(96) * 0.1, (r.random(8192) > 0.5).astype(float)


def reference(X, w, y):
    return X.T @ (1 / (1 + np.exp(-(X @ w))) - y)


def reset_teams():
    _matvec.team_stats(reset=True)
    _reduce.team_stats(reset=True)


def test_jobs_running_alone_get_the_whole_team(two_threads):
    X, w, y = data()
    mv, sm = lower(parse_physl(MATVEC_ALONE)), lower(parse_physl(SUM_ALONE))
    for n in (2, 1):
        rt.set_num_threads(n)
        reset_teams()
        np.testing.assert_allclose(mv.run((X, w, y)), reference(X, w, y), rtol=1e-10)
        assert sm.run((X,)) == pytest.approx(X.sum(), rel=1e-12)
        assert _matvec.team_stats() == (1, int(n > 1), n)
        assert _reduce.team_stats() == (1, int(n > 1), n)


def test_jobs_inside_a_parallel_loop_run_on_one_thread(two_threads):
    """The loop's first iteration is a probe that runs alone (it may use the whole team);
    once the iterations spread over the pool, every job runs on one thread."""
    X, w, y = data()
    ex = lower(parse_physl(PARLOOP))
    assert ex.notes == ()
    blas = _threads.blas_threads()
    reset_teams()
    got = ex.run((X, w, y, np.zeros(24), 24), profile=True)
    np.testing.assert_allclose(got, X.sum() + reference(X, w, y).sum(), rtol=1e-10)
    assert {r.thread for r in ex.last_profile() if r.op == "matvec_pair"} == {0, 1}
    for module in (_matvec, _reduce):
        runs, with_team, _ = module.team_stats()
        assert runs == (24 if module is _matvec else 48) and with_team <= 1, module
    assert _threads.blas_threads() == blas and _threads.concurrent_sections() == 0


def test_jobs_beside_another_heavy_node_run_on_one_thread(two_threads):
    X, w, y = data()
    rt.set_task_threshold(0)
    ex = lower(parse_physl(BESIDE_SPIN))
    m = 30_000_000      # tens of ms: the spin is still in flight while the kernels run
    reset_teams()
    g, s, spin = ex.run((X, w, y, m), profile=True)
    np.testing.assert_allclose(g, reference(X, w, y), rtol=1e-10)
    assert s == pytest.approx(X.sum(), rel=1e-12)
    assert spin == spin_reference(0.0, m)
    # Three heavy nodes are queued at once: whichever kernel starts while another node is in
    # flight runs on one thread; only one that runs after both others ended may have a team.
    records = {r.op: r for r in ex.last_profile()}
    for op, module in (("matvec_pair", _matvec), ("sum", _reduce)):
        rec = records[op]
        others = [r for o, r in records.items() if o != op and o in ("matvec_pair", "sum",
                                                                       "test.spin")]
        alone = all(r.t1 <= rec.t0 for r in others)
        assert module.team_stats()[:2] == (1, int(alone)), (op, records)
