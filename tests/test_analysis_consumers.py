"""The optimizer and the runtime's lowering apply one effects analysis (phylanx.analysis) and
agree on every kernel of a corpus: the lowering's task graphs order every pair of ops the
analysis says may conflict, and no loop the optimizer marks parallel is refused by the
lowering. Also: arguments of functions other than the entry may alias."""

from __future__ import annotations

import numpy as np
import pytest

import phylanx
from phylanx.analysis import Effects, function_effects, parallel_loop_refusal
from phylanx.bench.workloads import WORKLOADS, make_case
from phylanx.compiler import compile_function
from phylanx.ir.parser import parse_physl
from phylanx.passes import run_pipeline
from phylanx.runtime._lowering import Planner

# --- a corpus of kernels -----------------------------------------------------------------------


def writes_its_argument(a, i, v):
    a[i] = v
    return a


def reads_two(a, b):
    return a[0] + b[0]


def views_and_writes(a, b):
    t = a * 2.0
    v = a[0:2]
    v[0] = 9.0
    u = a + t
    u += 1.0
    d = a - b
    r = np.random.rand(3)
    r2 = np.random.rand(3)
    return u, np.max(np.abs(d)), r + r2, v


def calls_that_write(a, b):
    s = reads_two(a, b)
    writes_its_argument(a, 0, s)
    c = b.copy()
    writes_its_argument(c, 1, 2.0)
    return reads_two(a, c) + s


def loops(X, y, n):
    out = np.zeros(X.shape[0])
    total = 0.0
    for i in range(X.shape[0]):
        out[i] = X[i, :] @ y
    for k in range(n):
        total = total + np.sum(out) * k
        if total > 1e9:
            return out, total
    rows = []
    for i in range(3):
        rows.append(X[i, :] * 2.0)
    return out + np.stack(rows)[0, 0], total


def random_loop(x, n):
    out = np.zeros(n)
    for i in range(n):
        out[i] = x[i] + np.random.rand()
    return out


_KERNELS = [
    (views_and_writes, "f64[?], f64[?]"),
    (calls_that_write, "f64[?], f64[?]"),
    (loops, "f64[?,?], f64[?], int"),
    (random_loop, "f64[?], int"),
]


def _corpus():
    """(name, optimized module, unoptimized module) of the kernels above and of the bench
    workloads (which include every phylanx.examples kernel)."""
    from phylanx.ir.types import parse_types

    out = []
    for func, types in _KERNELS:
        module = compile_function(func, list(parse_types(types)))
        out.append((func.__name__, run_pipeline(module).module, module))
    for name, w in WORKLOADS.items():
        for size in (w.sizes if name == "compile" else list(w.sizes)[:1]):
            case = make_case(name, size)
            k = case.phylanx
            compiled = k.compile(k._types(k._bind(case.args, {})))
            out.append((f"{name}/{size}", compiled.module, compiled.unoptimized))
    return out


CORPUS = _corpus()


def _reach(graph) -> list[int]:
    """Bit sets: reach[j] has bit i when node i runs before node j (i < j)."""
    nodes = graph["nodes"]
    preds = [[] for _ in nodes]
    for i, node in enumerate(nodes):
        for j in node["succ"]:
            preds[j].append(i)
    reach = []
    for j in range(len(nodes)):
        r = 0
        for i in preds[j]:
            r |= reach[i] | (1 << i)
        reach.append(r)
    return reach


def _check_memory_edges(module) -> int:
    """Every pair of ops of one block that may conflict is ordered in the lowering's graph,
    under the optimizer's view of aliasing and under the lowering's own. Returns the number
    of conflicting pairs checked."""
    planner = Planner(module, natives=False)
    function_of = {op: f for f in module.functions.values() for op in f.walk()}
    views = {f: (Effects(f, module), Effects(f, module, args_may_alias=True))
             for f in module.functions.values()}
    checked = 0
    for graph in planner.graphs:
        ops = [planner.ops[n["op_id"]] for n in graph["nodes"]]
        if not ops:
            continue
        reach = _reach(graph)
        for eff in views[function_of[ops[0]]]:
            for j, b in enumerate(ops):
                for i in range(j):
                    if eff.conflict(ops[i], b):
                        checked += 1
                        assert (reach[j] >> i) & 1, (
                            f"{ops[i].name} @{ops[i].loc} and {b.name} @{b.loc} may conflict "
                            "but the lowering does not order them")
    return checked


@pytest.mark.parametrize("name, optimized, unoptimized", CORPUS,
                         ids=[c[0] for c in CORPUS])
def test_lowering_orders_every_conflict_the_analysis_finds(name, optimized, unoptimized):
    _check_memory_edges(optimized)
    _check_memory_edges(unoptimized)


def test_the_corpus_has_conflicts():
    """The check above is not vacuous: the corpus has ops that write what others read."""
    assert sum(_check_memory_edges(m) for _, m, _ in CORPUS) > 20


@pytest.mark.parametrize("name, optimized, unoptimized", CORPUS,
                         ids=[c[0] for c in CORPUS])
def test_loops_the_optimizer_parallelizes_run_in_parallel(name, optimized, unoptimized):
    planner = Planner(optimized, natives=True)
    refused = "\n".join(n for n in planner.notes if "runs sequentially" in n)
    assert not refused
    for f in optimized.functions.values():
        eff = Effects(f, optimized, args_may_alias=True)
        for op in f.walk():
            if op.name == "for_range" and op.attrs["parallel"]:
                assert parallel_loop_refusal(op, eff) is None


def test_some_corpus_loops_are_parallel():
    parallel = [op for _, m, _ in CORPUS for op in m.walk()
                if op.name == "for_range" and op.attrs["parallel"]]
    assert len(parallel) >= 3


# --- arguments of called functions may alias ------------------------------------------------

def _write_between_reads(a, b, n):
    t = b[0] * 2.0
    a[0] = 5.0
    u = b[0] * 2.0
    s = 0.0
    for _ in range(n):   # enough ops that the call is not inlined
        s = s + np.sum(a * b) + np.sum(a - b) + np.sum(a + b) + np.max(a) + np.min(b)
        s = s + np.sum(a * a) + np.sum(b * b) + np.mean(a) + np.mean(b) + np.std(a)
    return t + u + 0.0 * s


def _same_array_twice(x, n):
    return _write_between_reads(x, x, n)


def test_a_callee_sees_one_array_passed_twice():
    """g(x, x): the callee's parameters share memory; the read of b[0] after the write to a[0]
    must not be merged with the one before it."""
    f = phylanx.kernel(_same_array_twice)
    x = np.ones(4)
    assert "call" in f.physl(x, 1)   # the callee stays a function of its own
    want = _same_array_twice(x.copy(), 1)
    got_x = x.copy()
    assert f(got_x, 1) == want == 12.0
    np.testing.assert_array_equal(got_x, [5.0, 1.0, 1.0, 1.0])


def test_only_an_entry_nothing_calls_has_distinct_arguments():
    callee = parse_physl("""func @f(%a: f64[?], %b: f64[?]) -> f64[?] {
  %0 = call %a, %b {callee = g} : f64[?]
  return %0
}

func @g(%a: f64[?], %b: f64[?]) -> f64[?] {
  return %a
}
""")
    f, g = callee.functions["f"], callee.functions["g"]
    eff = Effects(g, callee)
    assert eff.cls(g.args[0]) is eff.cls(g.args[1])
    called_entry = parse_physl("""func @f(%a: f64[?], %b: f64[?]) -> f64[?] {
  %0 = call %a {callee = h} : f64[?]
  return %b
}

func @h(%a: f64[?]) -> f64[?] {
  %0 = call %a, %a {callee = f} : f64[?]
  return %0
}
""")
    f = called_entry.entry
    eff = Effects(f, called_entry)     # h calls f again, with one array twice
    assert eff.cls(f.args[0]) is eff.cls(f.args[1])
    single = parse_physl("""func @f(%a: f64[?], %b: f64[?]) -> f64[?] {
  return %a
}
""")
    eff = Effects(single.entry, single)
    assert eff.cls(single.entry.args[0]) is not eff.cls(single.entry.args[1])


def test_function_effects_are_a_fixpoint_over_recursion():
    m = parse_physl("""func @f(%a: f64[?], %n: int) -> f64[?] {
  %0 = call %a, %n {callee = g} : f64[?]
  return %0
}

func @g(%a: f64[?], %n: int) -> f64[?] {
  %0 = call %a, %n {callee = f} : f64[?]
  %1 = const {value = 0} : int
  %2 = const {value = 1.0} : float
  %3 = setitem %0, %1, %2 {index = (i,)} : f64[?]
  return %3
}

func @h(%n: int) -> int {
  %0 = call %n {callee = h} : int
  return %0
}
""")
    summary = function_effects(m)
    assert summary["f"].writes and summary["g"].writes
    assert not summary["f"].global_state and not summary["f"].pure
    assert summary["h"].pure and not summary["h"].writes
