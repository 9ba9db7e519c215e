"""phylanx.profile(): counters' arithmetic, per-line rows, CSV, Trace Event JSON, DOT, Newick,
thread isolation, @kernel(performance=True)."""

import csv
import importlib
import io
import json
import re
import threading
import time

import numpy as np
import pytest

import phylanx
from phylanx.profiling.table import LINE_COLUMNS, NODE_COLUMNS


@phylanx.kernel
def nested(x, n, m):
    s = x * 0.0
    for i in range(n):
        for j in range(m):
            s = s + x[j % 3]
        if i % 2 == 0:
            s = np.sqrt(s * s + 1.0)
    return s


@phylanx.kernel
def two_products(a, b, n):
    s = a * 0.0
    for _ in range(n):
        s = (a @ s) * 1e-3 + (b @ s) * 1e-3 + a
    return s


@pytest.fixture
def one_thread():
    before = phylanx.get_num_threads()
    phylanx.set_num_threads(1)
    yield
    phylanx.set_num_threads(before)


@pytest.fixture
def two_threads():
    before = phylanx.get_num_threads()
    phylanx.set_num_threads(2)
    yield
    phylanx.set_num_threads(before)


X = np.arange(6.0).reshape(3, 2)


def node(tree, op, line):
    found = [n for n in tree.nodes if n.op == op and n.line == line]
    assert len(found) == 1, (op, line, found)
    return found[0]


def line_of(fragment):
    """Line number of `fragment` in this file (the kernel's source)."""
    with open(__file__) as f:
        for no, text in enumerate(f, 1):
            if fragment in text:
                return no
    raise AssertionError(fragment)


def test_counts_equal_trip_counts_and_exclusive_sums_to_total(one_thread):
    nested(X, 2, 2)   # compile outside the profile
    n, m, calls = 5, 4, 2
    t_start = time.monotonic_ns()
    with phylanx.profile() as prof:
        for _ in range(calls):
            got = nested(X, n, m)
    wall = time.monotonic_ns() - t_start
    np.testing.assert_allclose(got, nested.py_func(X, n, m))
    tree = prof.tree()
    assert len(prof.calls) == calls and len(tree.roots) == 1
    root = tree.roots[0]
    assert root.count == calls and root.inclusive == tree.total <= wall
    outer = node(tree, "for_range", line_of("for i in range(n):"))
    inner = node(tree, "for_range", line_of("for j in range(m):"))
    branch = node(tree, "if", line_of("if i % 2 == 0:"))
    body = node(tree, "add", line_of("s = s + x[j % 3]"))
    sqrt_line = line_of("s = np.sqrt(s * s + 1.0)")
    then = [nd for nd in tree.nodes if nd.line == sqrt_line]
    assert outer.count == calls
    assert inner.count == calls * n and branch.count == calls * n
    assert body.count == calls * n * m
    assert then and all(nd.count == calls * len(range(0, n, 2)) for nd in then)
    # Tree structure: the loop body's nodes hang under their loop.
    assert inner.parent == outer.id and body.parent == inner.id and branch.parent == outer.id
    # One thread: nodes of a region run one after the other, so exclusive times add up to the
    # calls' wall time, and a parent's inclusive time covers its children's.
    assert sum(nd.exclusive for nd in tree.nodes) == tree.total
    assert sum(r.exclusive for r in tree.lines()) == tree.total
    for nd in tree.nodes:
        assert 0 <= nd.exclusive <= nd.inclusive
        kids = [tree.nodes[c] for c in nd.children]
        if nd.kind == "op":
            assert not kids and nd.exclusive == nd.inclusive
        else:
            assert nd.exclusive == nd.inclusive - sum(k.inclusive for k in kids)
    # Records: one per node execution, counted once in the tree.
    assert sum(len(c.records) for c in prof.calls) == sum(nd.count for nd in tree.nodes) - calls
    # Sorted by exclusive time, largest first.
    excl = [nd.exclusive for nd in prof.nodes()]
    assert excl == sorted(excl, reverse=True)
    # Fallback nodes are marked: getitem on a row runs the NumPy reference here or not, but
    # the counts agree with the records.
    assert sum(nd.fallbacks for nd in tree.nodes) == sum(
        int((c.records["flags"] & 1).sum()) for c in prof.calls)


def test_records_nest_inside_their_parents_with_tasks(two_threads):
    a = np.random.default_rng(0).random((300, 300))
    b = np.random.default_rng(1).random((300, 300))
    two_products(a, b, 1)
    with phylanx.profile() as prof:
        got = two_products(a, b, 3)
    np.testing.assert_allclose(got, two_products.py_func(a, b, 3))
    (call,) = prof.calls
    rec = call.records
    for i, p in enumerate(rec["parent"].tolist()):
        assert p < i   # a parent's record is made when it starts: before its children's
        lo, hi = (call.start, call.end) if p < 0 else (rec["t0"][p], rec["t1"][p])
        assert lo <= rec["t0"][i] <= rec["t1"][i] <= hi
    tree = prof.tree()
    products = [nd for nd in tree.nodes if nd.op in ("matmul", "dot")]
    assert len(products) == 2 and all(nd.count == 3 for nd in products)
    for nd in tree.nodes:
        assert 0 <= nd.exclusive <= nd.inclusive
    # Products this large are tasks (the scheduler decides by cost), so the flag is seen.
    assert sum(nd.tasks for nd in tree.nodes) == int(((rec["flags"] & 2) > 0).sum()) > 0


def test_calls_outside_or_on_other_threads_are_not_collected(one_thread):
    nested(X, 1, 1)
    nested(X, 1, 1)   # before the profile: not in it
    seen = {}

    def other():
        nested(X, 3, 3)            # no profile on this thread
        with phylanx.profile() as mine:
            nested(X, 2, 2)
        seen["mine"] = mine

    with phylanx.profile() as outer:
        with phylanx.profile() as inner:
            nested(X, 1, 1)
        t = threading.Thread(target=other)
        t.start()
        t.join()
        nested(X, 1, 2)
    nested(X, 1, 1)   # after: not in it
    assert len(inner.calls) == 1 and len(outer.calls) == 2
    assert len(seen["mine"].calls) == 1
    assert node(seen["mine"].tree(), "add", line_of("s = s + x[j % 3]")).count == 4
    assert phylanx.profiling.collect.ACTIVE == 0


def test_performance_kernel_collects_every_call():
    @phylanx.kernel(performance=True)
    def scaled(x, k):
        return x * k

    assert scaled.profile is not None and not scaled.profile.calls
    threads = [threading.Thread(target=scaled, args=(X, 2.0)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_array_equal(scaled(X, 3.0), X * 3.0)
    assert len(scaled.profile.calls) == 4
    assert node(scaled.profile.tree(), "multiply", scaled.py_func.__code__.co_firstlineno + 2)\
        .count == 4


def test_failed_call_is_recorded_and_raises():
    @phylanx.kernel
    def picks(x, i):
        return x[i] * 2.0

    picks(X, 0)
    with phylanx.profile() as prof, pytest.raises(IndexError):
        picks(X, 7)
    (call,) = prof.calls
    assert call.failed and len(call.records) >= 1
    assert "picks" in prof.table()


def test_physl_lines_point_at_the_ops(one_thread):
    nested(X, 2, 2)
    with phylanx.profile() as prof:
        nested(X, 2, 2)
    tree = prof.tree()
    ((title, text),) = tree.physl
    assert title == "nested(f64[?,?], int, int)"
    assert text == nested.physl(X, 2, 2)
    lines = text.split("\n")
    for nd in tree.nodes:
        if nd.kind != "kernel":   # "%r = op ..." or "yield ..." / "return ..."
            line = lines[nd.physl_line - 1]
            assert re.match(rf"\s*(%\S+ = )?{nd.op}\b", line), (nd.op, line)
            assert line.endswith(f"@{nd.line}:{nd.col}") or f"@{nd.line}:{nd.col} " in line


def test_csv_header_matches_columns(one_thread, tmp_path):
    nested(X, 2, 2)
    with phylanx.profile() as prof:
        nested(X, 3, 2)
    text = prof.to_csv(tmp_path / "c.csv")
    assert (tmp_path / "c.csv").read_text() == text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == NODE_COLUMNS
    assert all(len(r) == len(NODE_COLUMNS) for r in rows[1:])
    assert len(rows) - 1 == len(prof.tree().nodes)
    by_name = [dict(zip(rows[0], r)) for r in rows[1:]]
    add = next(r for r in by_name if r["op"] == "add")
    assert int(add["count"]) == 6 and int(add["inline"]) + int(add["tasks"]) == 6
    total_ms = sum(float(r["exclusive_ms"]) for r in by_name)
    assert total_ms == pytest.approx(prof.total_ns / 1e6, abs=1e-5 * len(by_name))
    lines = list(csv.reader(io.StringIO(prof.to_csv(by="line"))))
    assert lines[0] == LINE_COLUMNS and all(len(r) == len(LINE_COLUMNS) for r in lines[1:])
    with pytest.raises(ValueError, match="by"):
        prof.to_csv(by="thread")


def validate_trace(doc):
    """The Trace Event format's rules this exporter relies on."""
    assert isinstance(doc, dict) and isinstance(doc["traceEvents"], list)
    named = set()
    stacks = {}
    for e in doc["traceEvents"]:
        for key in ("ph", "ts", "pid", "tid"):
            assert key in e, (key, e)
        assert isinstance(e["ts"], (int, float)) and isinstance(e["pid"], int)
        assert isinstance(e["tid"], int) and e["ph"] in ("X", "M")
        if e["ph"] == "M":
            assert e["name"] in ("process_name", "thread_name", "thread_sort_index")
            if e["name"] == "thread_name":
                named.add(e["tid"])
                assert isinstance(e["args"]["name"], str)
            continue
        assert isinstance(e["name"], str) and e["dur"] >= 0 and e["ts"] >= 0
        # Complete events on one track nest (viewers draw them as a flame chart).
        stack = stacks.setdefault(e["tid"], [])
        while stack and stack[-1] <= e["ts"]:
            stack.pop()
        end = e["ts"] + e["dur"]
        assert not stack or end <= stack[-1] + 0.002, (e, stack)
        stack.append(end)
    assert set(stacks) <= named   # every track has a name


def test_chrome_trace_follows_the_trace_event_format(two_threads, tmp_path):
    a = np.random.default_rng(0).random((200, 200))
    two_products(a, a, 1)
    with phylanx.profile() as prof:
        two_products(a, a, 2)
        nested(X, 2, 3)
    text = prof.to_chrome_trace(tmp_path / "t.json")
    doc = json.loads((tmp_path / "t.json").read_text())
    assert json.loads(text) == doc
    validate_trace(doc)
    complete = [e for e in doc["traceEvents"] if e["ph"] == "X"]
    assert len(complete) == len(prof.calls) + sum(len(c.records) for c in prof.calls)
    assert {e["name"] for e in complete if e["cat"] == "kernel"} == {"two_products", "nested"}
    validate_trace(json.loads(phylanx.profile().to_chrome_trace()))   # empty profile


def test_dot_and_newick(one_thread, tmp_path):
    nested(X, 2, 2)
    with phylanx.profile() as prof:
        nested(X, 2, 2)
    tree = prof.tree()
    dot = prof.to_dot(tmp_path / "t.dot")
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    assert dot.count("->") == len(tree.nodes) - len(tree.roots)
    assert dot.count("[label=") == len(tree.nodes)
    assert dot.count("peripheries=2") == sum(1 for nd in tree.nodes if nd.fallbacks)
    newick = prof.to_newick(tmp_path / "t.nwk")
    assert newick.count(";") == len(tree.roots) and newick.count("(") == newick.count(")")
    assert newick.count(":") == len(tree.nodes)
    assert "'add@" in newick and "'nested(" in newick


def test_table_lists_nodes_and_lines(one_thread):
    nested(X, 2, 2)
    with phylanx.profile() as prof:
        nested(X, 2, 2)
    text = prof.table()
    assert "per node:" in text and "per source line:" in text
    assert "for_range" in text and f"test_profile.py:{line_of('s = s + x[j % 3]')}" in text
    rows = text.split("\n")
    assert rows[1] == "kernel: nested(f64[?,?], int, int)"
    assert "exclusive" in rows[4] and " kernel" not in rows[4] and " k " not in rows[4]
    assert text.count("f64[?,?], int, int") == 1       # the signature once, not on every row
    short = prof.table(limit=2)
    assert "more nodes" in short
    assert "per source line:" not in prof.table(lines=False)


def test_table_numbers_several_kernels(one_thread):
    a = np.eye(3)
    with phylanx.profile() as prof:
        nested(X, 2, 2)
        two_products(a, a[0], 2)
        nested(X[:, 0], 1, 1)
    rows = prof.table(limit=None).split("\n")
    assert rows[1:5] == ["kernels:", "  [1] nested(f64[?,?], int, int)",
                         "  [2] two_products(f64[?,?], f64[?], int)",
                         "  [3] nested(f64[?], int, int)"], rows[:6]
    header = rows[7].split()
    assert header[-3:] == ["k", "op", "line"]
    node_rows = rows[8:rows.index("per source line:") - 1]
    k_of = {r.split()[-2]: r.split()[-3] for r in node_rows}
    assert k_of["two_products"] == "2" and k_of["matmul"] == "2"


def test_calls_outside_profiles_take_the_plain_path(monkeypatch):
    """Without a profile or a performance kernel, a call tests one global and runs unprofiled."""
    from phylanx import profiling

    kernel_module = importlib.import_module("phylanx.kernel")   # not the decorator
    monkeypatch.setattr(profiling.collect, "_PERFORMANCE_KERNELS", 0)
    profiling.collect._update_hook()
    try:
        assert kernel_module._profile_hook is False
        with phylanx.profile() as prof:
            assert kernel_module._profile_hook is True
            with phylanx.profile():
                pass
            assert kernel_module._profile_hook is True
            nested(X, 1, 1)
        assert kernel_module._profile_hook is False and len(prof.calls) == 1
        ran = []
        monkeypatch.setattr(profiling.collect, "run_profiled",
                            lambda *a: ran.append(a) or pytest.fail("profiled"))
        np.testing.assert_allclose(nested(X, 2, 2), nested.py_func(X, 2, 2))
        assert ran == []
    finally:
        monkeypatch.undo()
        profiling.collect._update_hook()
