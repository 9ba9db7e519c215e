"""Differential tests: every kernel gives the oracle's result before and after the default
pipeline and after each single pass; mutated arguments agree too; exceptions stay the same.
Also: optimized IR verifies and round-trips, and every op keeps a source location."""

import copy
import importlib.util
import sys

import numpy as np
import pytest

from phylanx.compiler import compile_function
from phylanx.ir.parser import parse_physl
from phylanx.ir.printer import print_module
from phylanx.ir.types import parse_types
from phylanx.ir.verifier import verify_module
from phylanx.oracle import evaluate
from phylanx.passes import DEFAULT_PIPELINE, run_pipeline
from phylanx.testing import assert_same

PASSES = ["fold", "canonicalize", "cse", "dce", "licm", "inline", "fuse-elementwise",
          "fuse-matvec-pair", "parallelize-loops"]


# --- kernels ---------------------------------------------------------------------------------

def logreg(X, y, alpha, iterations):
    w = np.zeros(X.shape[1])
    for _ in range(iterations):
        pred = 1.0 / (1.0 + np.exp(-(X @ w)))
        w = w - alpha * (X.T @ (pred - y))
    return w


def als(R, X, Y, lam, iters):
    n_users = R.shape[0]
    k = X.shape[1]
    for it in range(iters):
        for u in range(n_users):
            A = Y.T @ Y + lam * np.eye(k)
            b = Y.T @ R[u, :]
            X[u, :] = np.linalg.solve(A, b)
    return X


def reductions(a, b):
    s = np.sum(a * a)
    m = np.mean(a - b)
    x = np.max(np.abs(a - b))
    col = np.sum(np.exp(a) * b, axis=0)
    return s, m, x, col


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def square(v):
    return v * v


def calls(x, n):
    t = sigmoid(x)
    s = 0.0
    for i in range(n):
        s = s + np.sum(square(t))
    return s, t


def views_and_writes(a, b):
    t = a * 2.0
    v = a[0:2]
    v[0] = 9.0
    u = a + t
    u += 1.0
    d = a - b
    m = np.max(np.abs(d))
    r = np.random.rand(3)
    r2 = np.random.rand(3)
    return u, m, r + r2, np.mean(d), a ** 2, d


def constants(x, n):
    k = 2 + 3 * 4
    if k > 10:
        y = x * 1 + (-0.0)
    else:
        y = x - 1
    for i in range(5, 2):
        y = y + i
    z = -(-y) ** 2
    w = x.T.T
    return z + k, w - 0.0, x + 0.0


def float32_weak(x, a):
    y = x * a + 1.0
    return np.sqrt(y * y) / 2, (x ** 2).astype(np.float64)


def integers(i, a):
    j = i ** 3 + i ** 2
    b = a ** 3 - a ** 4
    c = a // 3 + a % 5
    return j, b, c


def products(A, B, v):
    p = A.T @ B
    q = A @ B.T
    r = A.T @ v
    return p, q, r, np.dot(A.T, A)


def guarded(B, x, n):
    s = x
    for i in range(n):
        s = s + np.linalg.inv(B) @ x
    return s


def loops(a, n):
    total = 0.0
    i = 0
    while i < n:
        if a[i % a.shape[0]] > 0.5:
            total = total + a[i % a.shape[0]]
        else:
            total = total - 1.0
        i += 1
        if total > 100:
            break
    out = np.empty(n)
    for j in range(n):
        out[j] = a[j % a.shape[0]] * 2.0 + total
    return total, out


def rows(M, v):
    out = np.zeros(M.shape)
    for i in range(M.shape[0]):
        out[i, :] = M[i, :] * v + np.sum(v)
    for i in range(1, M.shape[0]):
        M[i, :] = M[i - 1, :] + 1.0
    return out, M


def select_clip(a, b):
    m = np.where(a > b, a - b, 0.5 * b)
    return np.clip(m * 2.0, 0.0, 1.0), np.sum((a > 0.5) & (b < 0.5)), np.mean(-m)


rng = np.random.default_rng(42)
_X = rng.normal(size=(30, 4))
_S = rng.normal(size=(3, 3)) + 3 * np.eye(3)

CASES = [
    (logreg, "f64[?,?], f64[?], float, int", (_X, (rng.random(30) > .5) * 1.0, 0.1, 4)),
    (logreg, "f64[?,?], f64[?], float, int", (_X, (rng.random(30) > .5) * 1.0, 0.1, 0)),
    (als, "f64[?,?], f64[?,?], f64[?,?], float, int",
     (rng.random((6, 5)), rng.random((6, 3)), rng.random((5, 3)), 0.1, 2)),
    (reductions, "f64[?,?], f64[?,?]", (rng.normal(size=(4, 3)), rng.normal(size=(4, 3)))),
    (calls, "f64[?,?], int", (rng.normal(size=(3, 4)), 3)),
    (views_and_writes, "f64[?], f64[?]", (rng.random(5), rng.random(5))),
    (constants, "f64[?,?], int", (rng.normal(size=(2, 3)), 2)),
    (float32_weak, "f32[?], float", (np.arange(5, dtype=np.float32), 0.25)),
    (integers, "int, i32[?]", (7, np.arange(-3, 4, dtype=np.int32))),
    (products, "f64[?,?], f64[?,?], f64[?]", (_X[:5, :3], _X[5:10, :3], _X[:5, 0])),
    (guarded, "f64[?,?], f64[?], int", (_S, np.ones(3), 3)),
    (guarded, "f64[?,?], f64[?], int", (np.zeros((3, 3)), np.ones(3), 0)),   # singular, no trip
    (guarded, "f64[?,?], f64[?], int", (np.zeros((3, 3)), np.ones(3), 2)),   # raises
    (loops, "f64[?], int", (rng.random(4), 9)),
    (rows, "f64[?,?], f64[?]", (rng.normal(size=(4, 3)), rng.normal(size=3))),
    (select_clip, "f64[?], f64[?]", (rng.random(6), rng.random(6))),
]


def _run(module, args):
    args = copy.deepcopy(list(args))
    np.random.seed(0)
    try:
        return ("ok", evaluate(module, *args), args)
    except Exception as e:  # noqa: BLE001
        return ("raised", type(e), None)


def _compare(got, expected, what):
    assert got[0] == expected[0], f"{what}: {got[0]} != {expected[0]}"
    if got[0] == "raised":
        assert got[1] is expected[1], what
        return
    assert_same(got[1], expected[1], path=f"{what}: result")
    for i, (g, e) in enumerate(zip(got[2], expected[2])):
        if isinstance(e, np.ndarray):
            assert_same(g, e, path=f"{what}: argument {i}")


def _check_ir(module, original):
    text = print_module(module)
    again = parse_physl(text)
    verify_module(again)
    assert print_module(again) == text
    if all(op.loc.line > 0 for op in original.walk()):
        missing = [op for op in module.walk() if op.loc.line <= 0]
        assert not missing, f"ops without a source location: {missing}"


@pytest.mark.parametrize("func, types, args", CASES,
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)])
@pytest.mark.parametrize("pipeline", [DEFAULT_PIPELINE] + PASSES)
def test_same_result(func, types, args, pipeline):
    module = compile_function(func, list(parse_types(types)))
    expected = _run(module, args)
    if func is not guarded or args[2] != 2:
        python = copy.deepcopy(list(args))
        np.random.seed(0)
        assert_same(expected[1], func(*python), path="oracle vs Python")
    r = run_pipeline(module, pipeline)
    _check_ir(r.module, module)
    _compare(_run(r.module, args), expected, pipeline)


# --- the acceptance dumps ----------------------------------------------------------------------

def _count(module, name):
    return sum(1 for op in module.walk() if op.name == name)


def test_logreg_final_ir():
    module = compile_function(logreg, list(parse_types("f64[?,?], f64[?], float, int")))
    r = run_pipeline(module)
    (loop,) = [op for op in r.module.walk() if op.name == "for_range"]
    body_ops = [op.name for op in loop.regions[0].ops]
    assert body_ops == ["matvec_pair", "fused", "yield"]
    assert _count(r.module, "matvec_pair") == 1
    assert _count(r.module, "transpose") == 0 and _count(r.module, "matmul") == 0


def test_als_per_user_loop_is_parallel():
    module = compile_function(als, list(parse_types("f64[?,?], f64[?,?], f64[?,?], float, int")))
    r = run_pipeline(module)
    loops = [op for op in r.module.walk() if op.name == "for_range"]
    assert [op.attrs.get("parallel", False) for op in loops] == [False, True]
    assert any("is parallel" in d.message for d in r.diagnostics)
    assert any("stays sequential" in d.message for d in r.diagnostics)
    inner = loops[1].regions[0]
    assert [op.name for op in inner.ops] == ["getitem", "matmul_t", "linalg.solve", "setitem",
                                             "yield"]


def test_inlined_callee_from_another_file_keeps_its_locations(tmp_path):
    (tmp_path / "plx_lib.py").write_text(
        "import numpy as np\n\n\ndef act(z):\n    return np.tanh(z) * 2.0\n")
    (tmp_path / "plx_main.py").write_text(
        "from plx_lib import act\n\n\ndef kern(x):\n    return act(x) + 1.0\n")
    sys.path.insert(0, str(tmp_path))
    try:
        spec = importlib.util.spec_from_file_location("plx_main", tmp_path / "plx_main.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        module = compile_function(mod.kern, list(parse_types("f64[?]")))
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("plx_lib", None)
    r = run_pipeline(module, "inline")
    text = r.stages["final"]
    assert f'tanh %x : f64[?] @"{tmp_path / "plx_lib.py"}":5:' in text
    assert list(r.module.functions) == ["kern"]
    x = np.linspace(-1, 1, 5)
    assert_same(evaluate(r.module, x), evaluate(module, x))
