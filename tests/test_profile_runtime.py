"""The runtime's profile records: every record names the control node it ran in (parent), for
sequential regions, recursive calls, while loops, pool tasks and parallel-loop helpers."""

import itertools

import numpy as np
import pytest

import phylanx.runtime as rt
from phylanx.bench.scheduler import PARLOOP  # PARLOOP: test.spin loop
from phylanx.ir.parser import parse_physl
from phylanx.runtime import lower
from phylanx.runtime._executor import PROFILE_DTYPE

CALLS = """
func @main(%n: int) -> int {
  %r = call %n {callee = fact} : int
  %0 = const {value = 0} : int
  %1 = const {value = 1} : int
  %k, %c = while %n, %0 : int, int cond(%a: int, %b: int) {
    %t = greater %a, %0 : bool
    yield %t
  } body(%a2: int, %b2: int) {
    %a3 = subtract %a2, %1 : int
    %b3 = add %b2, %1 : int
    yield %a3, %b3
  }
  %s = add %r, %c : int
  return %s
}
func @fact(%n: int) -> int {
  %1 = const {value = 1} : int
  %c = less_equal %n, %1 : bool
  %r = if %c : int then {
    yield %1
  } else {
    %m = subtract %n, %1 : int
    %f = call %m {callee = fact} : int
    %p = multiply %n, %f : int
    yield %p
  }
  return %r
}
"""



pytestmark = pytest.mark.usefixtures("native_test_ops")   # tests/conftest.py


@pytest.fixture
def threads():
    before = rt.num_threads()
    yield rt.set_num_threads
    rt.set_num_threads(before)


def records(ex):
    raw, start, end, _ = ex.last_profile_data()
    rec = np.frombuffer(raw, PROFILE_DTYPE)
    names = [ex.profile_op(int(i)).name for i in rec["op_id"]]
    return rec, names, start, end


def check_nesting(rec, start, end):
    for i, p in enumerate(rec["parent"].tolist()):
        assert -1 <= p < i
        lo, hi = (start, end) if p < 0 else (rec["t0"][p], rec["t1"][p])
        assert lo <= rec["t0"][i] <= rec["t1"][i] <= hi


def test_parents_through_calls_recursion_and_while():
    ex = lower(parse_physl(CALLS), natives=False)
    assert ex.run((5,), profile=True) == 120 + 5
    rec, names, start, end = records(ex)
    check_nesting(rec, start, end)
    parent = rec["parent"].tolist()
    # fact(5) -> fact(4) -> ... -> fact(1): each call runs inside the `if` of the previous one.
    calls = [i for i, n in enumerate(names) if n == "call"]
    assert len(calls) == 5 and parent[calls[0]] == -1
    for outer, inner in itertools.pairwise(calls):
        assert names[parent[inner]] == "if" and parent[parent[inner]] == outer
    # The while: 5 condition runs that go on, the one that stops, and 5 bodies.
    loop = names.index("while")
    inside = [names[i] for i, p in enumerate(parent) if p == loop]
    assert inside.count("greater") == 6 and inside.count("subtract") == 5
    assert names[-1] == "return" and parent[-1] == -1       # main's return
    assert [names[i] for i, p in enumerate(parent) if p == -1] == ["call", "while", "add",
                                                                   "return"]
    # Every record is in the tree exactly once: the depth of nesting is finite.
    for i in range(len(parent)):
        depth, p = 0, parent[i]
        while p >= 0:
            depth, p = depth + 1, parent[p]
        assert depth < len(parent)


def test_parents_of_pool_tasks_and_parallel_loop_helpers(threads):
    threads(2)
    ex = lower(parse_physl(PARLOOP))
    a = np.zeros(12)
    ex.run((a, 12, 3_000_000), profile=True)
    rec, names, start, end = records(ex)
    check_nesting(rec, start, end)
    loop = names.index("for_range")
    spins = [i for i, n in enumerate(names) if n == "test.spin"]
    assert len(spins) == 12
    assert all(rec["parent"][i] == loop for i in spins)
    assert {int(rec["tid"][i]) for i in spins} == {0, 1}   # helpers ran some iterations
    # Sequential run of the same loop: the same parents.
    threads(1)
    ex.run((a, 12, 10), profile=True)
    rec, names, start, end = records(ex)
    check_nesting(rec, start, end)
    loop = names.index("for_range")
    assert [int(rec["parent"][i]) for i, n in enumerate(names) if n != "for_range"
            and n != "return"] == [loop] * 36


def test_profile_off_keeps_nothing():
    ex = lower(parse_physl(CALLS), natives=False)
    assert ex.last_profile_data() is None and ex.last_profile() == []
    ex.run((3,))
    assert ex.last_profile_data() is None
    ex.run((3,), profile=True)
    kept = ex.last_profile_data()
    ex.run((4,))
    assert ex.last_profile_data() is kept   # an unprofiled run does not replace it
