"""Native linear algebra kernels (phylanx.runtime._linalg, _matvec) agree with NumPy.

The factories and preparers are called directly (ops come from PhySL text): a preparer returns
a Job (run here with run_now()) or, for the cases it hands to NumPy, the result itself.
"""

from functools import partial

import numpy as np
import pytest
from native_inputs import outcome

import phylanx
from phylanx.ir.registry import lookup
from phylanx.runtime import set_num_threads
from phylanx.runtime.native import Job
from phylanx.runtime.natives import preparer_for

LinAlgError = np.linalg.LinAlgError


def op_of(text, name):
    return next(op for op in phylanx.parse_physl(text).walk() if op.name == name)


def rtype(name, types, **attrs):
    decl = lookup(name)
    full = {a.name: a.default for a in decl.attrs}
    full.update(attrs)
    res = decl.result_types(types, full)
    return ", ".join(map(str, res))


def binop(name, ta, tb, **attrs):
    """An op `name` on operands of PhySL types ta, tb (result type from the type rule)."""
    from phylanx.ir.types import parse_type
    a = ", ".join(f"{k} = {str(v).lower()}" for k, v in attrs.items())
    res = rtype(name, [parse_type(ta), parse_type(tb)], **attrs)
    return op_of(f"""
func @f(%a: {ta}, %b: {tb}) -> none {{
  %c = {name} %a, %b {{{a}}} : {res}
  return %c
}}""".replace(" {}", ""), name)


def unop(name, ta, **attrs):
    from phylanx.ir.types import parse_type
    a = ", ".join(f"{k} = {str(v).lower()}" for k, v in attrs.items())
    res = rtype(name, [parse_type(ta)], **attrs)
    return op_of(f"""
func @f(%a: {ta}) -> none {{
  %c = {name} %a {{{a}}} : {res}
  return %c
}}""".replace(" {}", ""), name)


def run(prep, *args):
    r = prep(*args)
    return r.run_now() if isinstance(r, Job) else r


def same(got, want, rtol):
    assert type(got) is type(want), (type(got), type(want))
    if isinstance(want, tuple):
        for g, w in zip(got, want):
            same(g, w, rtol)
        return
    assert np.asarray(got).dtype == np.asarray(want).dtype
    assert np.shape(got) == np.shape(want)
    finite = np.abs(want)[np.isfinite(want)]      # NaN results: positions compared, not scale
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * finite.max(initial=0))


def rng():
    return np.random.default_rng(7)


def layouts(a):
    """a (2-d) as C, F, row-sliced, column-sliced (BLAS cannot: copied) and transposed views."""
    r = rng()
    m, n = a.shape
    big = r.standard_normal((2 * m, 2 * n)).astype(a.dtype)
    big[::2, :n] = a
    return {"C": a, "F": np.asfortranarray(a), "rstep": big[::2, :n],
            "cstep": _cstep(a), "T": np.ascontiguousarray(a.T).T,
            "neg": a[::-1].copy()[::-1], "negcols": a[:, ::-1].copy()[:, ::-1]}


def _cstep(a):
    big = np.zeros((a.shape[0], 2 * a.shape[1]), a.dtype)
    big[:, ::2] = a
    return big[:, ::2]


# --- products ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dt,rtol", [("f64", 1e-12), ("f32", 2e-5)])
def test_matmul_layouts_and_ranks(dt, rtol):
    npdt = np.float64 if dt == "f64" else np.float32
    r = rng()
    A = r.standard_normal((7, 5)).astype(npdt)
    B = r.standard_normal((5, 6)).astype(npdt)
    for name in ("matmul", "dot"):
        p = preparer_for(binop(name, f"{dt}[?,?]", f"{dt}[?,?]"))
        assert p is not None
        for la, a in layouts(A).items():
            for lb, b in layouts(B).items():
                same(run(p, a, b), np.matmul(a, b), rtol)
        pv = preparer_for(binop(name, f"{dt}[?,?]", f"{dt}[?]"))
        vp = preparer_for(binop(name, f"{dt}[?]", f"{dt}[?,?]"))
        vv = preparer_for(binop(name, f"{dt}[?]", f"{dt}[?]"))
        x = r.standard_normal(10).astype(npdt)
        for a in layouts(A).values():
            same(run(pv, a, x[:5]), a @ x[:5], rtol)
            same(run(pv, a, x[::2]), a @ x[::2], rtol)
            same(run(pv, a, x[4::-1]), a @ x[4::-1], rtol)
            same(run(vp, x[:7], a), x[:7] @ a, rtol)
            same(run(vp, x[::-1][:7], a), x[::-1][:7] @ a, rtol)
        got = run(vv, x[:5], x[5:])
        assert type(got) is npdt
        np.testing.assert_allclose(got, x[:5] @ x[5:], rtol=rtol)


def test_matmul_edge_cases():
    p = preparer_for(binop("matmul", "f64[?,?]", "f64[?,?]"))
    for a, b in [(np.ones((0, 3)), np.ones((3, 4))), (np.ones((3, 0)), np.ones((0, 4))),
                 (np.ones((2, 3)), np.ones((3, 0))), (np.ones((1, 1)), np.ones((1, 1)))]:
        same(run(p, a, b), a @ b, 0)
    with pytest.raises(ValueError) as e:
        run(p, np.ones((2, 3)), np.ones((4, 2)))
    with pytest.raises(ValueError) as want:
        np.ones((2, 3)) @ np.ones((4, 2))
    assert str(e.value) == str(want.value)
    assert "mismatch in its core dimension 0" in str(e.value)
    pd = preparer_for(binop("dot", "f64[?,?]", "f64[?]"))
    with pytest.raises(ValueError, match="not aligned"):
        run(pd, np.ones((2, 3)), np.ones(4))
    # a value of another dtype than declared goes to NumPy instead of misreading memory
    same(run(p, np.ones((2, 2), np.float32), np.ones((2, 2))), np.ones((2, 2)) * 2, 0)


def test_products_decline():
    for ta, tb in [("i64[?,?]", "i64[?,?]"), ("f64[?,?,?]", "f64[?,?]"), ("f32[?,?]", "f64[?,?]"),
                   ("c128[?,?]", "c128[?,?]")]:
        assert preparer_for(binop("matmul", ta, tb)) is None


@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_matmul_t(ta, tb):
    p = preparer_for(binop("matmul_t", "f64[?,?]", "f64[?,?]", transpose_a=ta, transpose_b=tb))
    r = rng()
    A = r.standard_normal((4, 6) if ta else (6, 4))
    B = r.standard_normal((3, 4) if tb else (4, 3))
    for a in layouts(A).values():
        for b in layouts(B).values():
            same(run(p, a, b), (a.T if ta else a) @ (b.T if tb else b), 1e-12)
    pv = preparer_for(binop("matmul_t", "f64[?,?]", "f64[?]", transpose_a=True))
    same(run(pv, A, np.arange(6.0) if not ta else np.arange(4.0)),
         A.T @ (np.arange(6.0) if not ta else np.arange(4.0)), 1e-12)


def test_outer():
    p = preparer_for(binop("outer", "f64[?]", "f64[?,?]"))
    r = rng()
    a, b = r.standard_normal(5), r.standard_normal((3, 4))
    same(run(p, a[::-1], b.T), np.outer(a[::-1], b.T), 0)
    same(run(p, a[:0], b), np.outer(a[:0], b), 0)
    p32 = preparer_for(binop("outer", "f32[?]", "f32[?]"))
    same(run(p32, a.astype(np.float32), a[:3].astype(np.float32)),
         np.outer(a.astype(np.float32), a[:3].astype(np.float32)), 0)


# --- numpy.linalg --------------------------------------------------------------------------

def spd(n, dtype=np.float64):
    r = rng()
    a = r.standard_normal((n, n))
    return (a @ a.T + n * np.eye(n)).astype(dtype)


@pytest.mark.parametrize("dt", ["f64", "f32", "i64"])
def test_solve(dt):
    npdt = {"f64": np.float64, "f32": np.float32, "i64": np.int64}[dt]
    r = rng()
    A = (r.standard_normal((6, 6)) * 10).astype(npdt) + 20 * np.eye(6, dtype=npdt)
    B = (r.standard_normal((6, 3)) * 10).astype(npdt)
    pm = preparer_for(binop("linalg.solve", f"{dt}[?,?]", f"{dt}[?,?]"))
    pv = preparer_for(binop("linalg.solve", f"{dt}[?,?]", f"{dt}[?]"))
    rtol = 1e-12
    for a in layouts(A).values():
        for b in layouts(B).values():
            same(run(pm, a, b), np.linalg.solve(a, b), rtol)
        same(run(pv, a, B[:, 1]), np.linalg.solve(a, B[:, 1]), rtol)
        same(run(pv, a, B[::-1, 0]), np.linalg.solve(a, B[::-1, 0]), rtol)
    x = run(pm, A, B)
    assert x.flags.c_contiguous


def test_solve_errors():
    pm = preparer_for(binop("linalg.solve", "f64[?,?]", "f64[?,?]"))
    pv = preparer_for(binop("linalg.solve", "f64[?,?]", "f64[?]"))
    sing = np.array([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(LinAlgError, match="^Singular matrix$"):
        run(pv, sing, np.ones(2))
    with pytest.raises(LinAlgError, match="^Singular matrix$"):
        run(pm, np.zeros((3, 3)), np.ones((3, 2)))
    with pytest.raises(LinAlgError, match="square"):
        run(pm, np.ones((2, 3)), np.ones((2, 2)))
    with pytest.raises(ValueError) as e:
        run(pv, np.eye(3), np.ones(4))
    with pytest.raises(ValueError) as want:
        np.linalg.solve(np.eye(3), np.ones(4))
    assert str(e.value) == str(want.value)
    same(run(pm, np.ones((0, 0)), np.ones((0, 2))), np.linalg.solve(np.ones((0, 0)),
                                                                   np.ones((0, 2))), 0)
    assert preparer_for(binop("linalg.solve", "f64[?,?,?]", "f64[?,?,?]")) is None


@pytest.mark.parametrize("dt", ["f64", "f32"])
def test_inv_det(dt):
    npdt = np.float64 if dt == "f64" else np.float32
    pi = preparer_for(unop("linalg.inv", f"{dt}[?,?]"))
    pd = preparer_for(unop("linalg.det", f"{dt}[?,?]"))
    r = rng()
    for n in (1, 2, 5, 40):
        A = r.standard_normal((n, n)).astype(npdt)
        for a in layouts(A).values():
            same(run(pi, a), np.linalg.inv(a), 1e-10 if dt == "f64" else 1e-4)
            same(run(pd, a), np.linalg.det(a), 1e-12 if dt == "f64" else 1e-5)
    sing = np.array([[1.0, 2.0], [2.0, 4.0]], npdt)
    with pytest.raises(LinAlgError, match="^Singular matrix$"):
        run(pi, sing)
    same(run(pd, sing), np.linalg.det(sing), 0)
    assert run(pd, sing) == 0.0
    perm = np.eye(3, dtype=npdt)[[1, 0, 2]]
    same(run(pd, perm), npdt(-1.0), 0)


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky(upper):
    p = preparer_for(unop("linalg.cholesky", "f64[?,?]", upper=upper))
    A = spd(7)
    A[0, 6] += 0.5          # not symmetric: NumPy reads one triangle only; so must we
    for a in layouts(A).values():
        same(run(p, a), np.linalg.cholesky(a, upper=upper), 1e-12)
    with pytest.raises(LinAlgError, match="^Matrix is not positive definite$"):
        run(p, -np.eye(3))
    p32 = preparer_for(unop("linalg.cholesky", "f32[?,?]", upper=upper))
    same(run(p32, spd(5, np.float32)), np.linalg.cholesky(spd(5, np.float32), upper=upper), 1e-5)


@pytest.mark.parametrize("m,n", [(8, 3), (3, 8), (5, 5)])
def test_lstsq(m, n):
    r = rng()
    A = r.standard_normal((m, n))
    b2 = r.standard_normal((m, 2))
    p2 = preparer_for(binop("linalg.lstsq", "f64[?,?]", "f64[?,?]"))
    p1 = preparer_for(binop("linalg.lstsq", "f64[?,?]", "f64[?]"))
    for a in layouts(A).values():
        same(run(p2, a, b2), np.linalg.lstsq(a, b2), 1e-10)
        same(run(p1, a, b2[:, 0]), np.linalg.lstsq(a, b2[:, 0]), 1e-10)
    deficient = np.column_stack([A[:, 0], A[:, 0]] + [A[:, 1]] * (n > 2))
    same(run(p2, deficient, b2), np.linalg.lstsq(deficient, b2), 1e-10)
    p = preparer_for(binop("linalg.lstsq", "f32[?,?]", "f32[?]"))
    a32, b32 = A.astype(np.float32), b2[:, 0].astype(np.float32)
    same(run(p, a32, b32), np.linalg.lstsq(a32, b32), 1e-5)


def test_lstsq_rcond():
    p = preparer_for(binop("linalg.lstsq", "f64[?,?]", "f64[?]", rcond=0.5))
    a = np.diag([1.0, 0.1, 3.0])
    same(run(p, a, np.ones(3)), np.linalg.lstsq(a, np.ones(3), rcond=0.5), 1e-12)


# --- matvec_pair -------------------------------------------------------------------------------

LOGREG = """
func @f(%X: f64[?,?], %w: f64[?], %y: f64[?]) -> f64[?] {
  %g = matvec_pair %X, %w, %y : f64[?] body(%z: f64, %yy: f64) {
    %one = const {value = 1.0} : float
    %n = negative %z : f64
    %e = exp %n : f64
    %d = add %one, %e : f64
    %p = true_divide %one, %d : f64
    %r = subtract %p, %yy : f64
    yield %r
  }
  return %g
}
"""


def logreg_ref(X, w, y):
    return X.T @ (1 / (1 + np.exp(-(X @ w))) - y)


@pytest.mark.parametrize("threads", [1, 2])
def test_matvec_pair_logreg(threads):
    op = op_of(LOGREG, "matvec_pair")
    p = preparer_for(op)
    assert p is not None
    r = rng()
    set_num_threads(threads)
    try:
        for n, k in [(1, 1), (7, 3), (1000, 50), (3001, 700), (5, 2000)]:
            X = r.standard_normal((n, k))
            w, y = r.standard_normal(k) * 0.1, (r.random(n) > 0.5).astype(float)
            want = logreg_ref(X, w, y)
            for x in (X, np.asfortranarray(X)):
                got = run(p, x, w, y)
                assert got.dtype == np.float64 and got.shape == (k,)
                np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-11 * abs(want).max())
            # the reference evaluation of the op agrees too
            np.testing.assert_allclose(op.decl.evaluate(op, [X, w, y])[0], want,
                                       rtol=1e-11, atol=1e-11 * abs(want).max())
        Xs = r.standard_normal((40, 12))
        for x in (Xs[::2], Xs[:, ::2], Xs.T[::-1]):
            w = r.standard_normal(x.shape[1])
            y = r.random(x.shape[0])
            np.testing.assert_allclose(run(p, x, w[::-1], y), logreg_ref(x, w[::-1], y),
                                       rtol=1e-12)
    finally:
        set_num_threads(phylanx.runtime._threads._default_num_threads())


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("block_bytes", [4096, 20000, 10 ** 6])
@pytest.mark.parametrize("isa", ["sse2", "avx2", "avx512"])
def test_matvec_pair_blocking(threads, block_bytes, isa):
    """Small and large blocks, every row-kernel variant (the elementwise engine's instruction
    set picks it): ragged last block, groups of fewer than 4 rows, column counts that are not
    a multiple of the vector width."""
    from phylanx.runtime import _elementwise as ew
    from phylanx.runtime import _matvec
    if isa not in ew.available_isas():
        pytest.skip(f"this CPU has no {isa}")
    p = preparer_for(op_of(LOGREG, "matvec_pair"))
    r = rng()
    set_num_threads(threads)
    saved = _matvec._block_bytes, ew.set_isa(isa)
    _matvec.set_tuning(block_bytes)
    assert _matvec.kernel_variant() == {"sse2": "plain"}.get(isa, isa)
    try:
        for n, k in [(501, 301), (1, 7), (6, 9), (13, 1), (4, 16)]:
            X = r.standard_normal((n, k))
            w, y = r.standard_normal(k) * 0.1, (r.random(n) > 0.5).astype(float)
            want = logreg_ref(X, w, y)
            for x in (X, np.asfortranarray(X)):
                np.testing.assert_allclose(run(p, x, w, y), want, rtol=1e-12,
                                           atol=1e-12 * abs(want).max())
        # inf/NaN in X: the rows standing in for missing ones must not add 0 * inf
        X = r.standard_normal((7, 10))
        X[6, 3], X[2, 5] = np.inf, np.nan
        w, y = r.standard_normal(10) * 0.1, r.random(7)
        with np.errstate(all="ignore"):
            want = logreg_ref(X, w, y)
            got = run(p, X, w, y)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
        np.testing.assert_allclose(got[~np.isnan(want)], want[~np.isnan(want)], rtol=1e-12)
    finally:
        _matvec.set_tuning(saved[0])
        ew.set_isa(saved[1])
        set_num_threads(phylanx.runtime._threads._default_num_threads())


SCALARS = """
func @f(%X: f64[?,?], %w: f64[?], %a: float, %b: f64[], %c: f64[?]) -> f64[?] {
  %g = matvec_pair %X, %w, %a, %b, %c : f64[?] body(%z: f64, %aa: float, %bb: f64, %cc: f64) {
    %two = const {value = 2} : int
    %s = multiply %aa, %two : float
    %t = multiply %z, %s : f64
    %u = add %t, %bb : f64
    %v = multiply %u, %cc : f64
    %q = tanh %v : f64
    yield %q
  }
  return %g
}
"""


def test_matvec_pair_scalars_and_broadcast():
    p = preparer_for(op_of(SCALARS, "matvec_pair"))
    assert p is not None
    r = rng()
    X, w = r.standard_normal((300, 20)), r.standard_normal(20)
    for c in (r.standard_normal(300), np.array([0.5])):
        want = X.T @ np.tanh((X @ w * (0.25 * 2) + np.float64(1.5)) * c)
        got = run(p, X, w, 0.25, np.array(1.5), c)
        np.testing.assert_allclose(got, want, rtol=1e-12)
    with pytest.raises(ValueError):
        run(p, X, w, 0.25, np.array(1.5), np.ones(7))      # NumPy's broadcasting error
    with pytest.raises(ValueError):
        run(p, X, w[:5], 0.25, np.array(1.5), np.ones(300))


def test_matvec_pair_declines_other_bodies():
    text = LOGREG.replace("%e = exp %n : f64", "%e = round %n {decimals = 2} : f64")
    assert preparer_for(op_of(text, "matvec_pair")) is None
    text32 = LOGREG.replace("f64", "f32")
    assert preparer_for(op_of(text32, "matvec_pair")) is None


def test_matvec_pair_restores_blas_threads():
    from phylanx.runtime import _threads
    p = preparer_for(op_of(LOGREG, "matvec_pair"))
    set_num_threads(2)
    try:
        before = _threads.blas_threads()
        job = p(np.ones((4096, 8)), np.ones(8), np.ones(4096))
        job.run_now()     # its own team: BLAS at 1 thread inside, restored after
        assert _threads.blas_threads() == before
    finally:
        set_num_threads(phylanx.runtime._threads._default_num_threads())


# --- edge cases: empty, 0-d, stacked, integer, NaN --------------------------------------------

def same_outcome(got_fn, want_fn, rtol=1e-12):
    """NumPy's exception (type and message), or its value (type, dtype, shape, NaN positions)
    and its warnings."""
    got, want = outcome(got_fn), outcome(want_fn)
    assert got[0] == want[0], (got, want)
    if want[0] == "raised":
        assert got[1:] == want[1:]
        return
    same(got[1], want[1], rtol)
    assert got[2] == want[2]


@pytest.mark.parametrize("dt", ["f64", "f32"])
@pytest.mark.parametrize("name", ["matmul", "dot"])
def test_products_empty(dt, name):
    """gemv, vec @ mat and dot with a zero extent: k = 0 gives zeros, n = 0 an empty result,
    NumPy's dtype and shape (the preparer hands these to NumPy)."""
    npdt = np.float64 if dt == "f64" else np.float32
    pv = preparer_for(binop(name, f"{dt}[?,?]", f"{dt}[?]"))
    vp = preparer_for(binop(name, f"{dt}[?]", f"{dt}[?,?]"))
    vv = preparer_for(binop(name, f"{dt}[?]", f"{dt}[?]"))
    mm = preparer_for(binop(name, f"{dt}[?,?]", f"{dt}[?,?]"))
    r = rng()
    full = r.standard_normal((180, 160)).astype(npdt)
    ref = getattr(np, name)
    x = r.standard_normal(200).astype(npdt)
    for m, k in [(0, 80), (90, 0), (0, 0)]:
        a = full[:m, :k]
        for v in (a, np.asfortranarray(a), full[: 2 * m : 2, :k], full[:m, : 2 * k : 2]):
            same_outcome(partial(run, pv, v, x[:k]), partial(ref, v, x[:k]), 0)
            same_outcome(partial(run, pv, v, x[: 2 * k : 2]), partial(ref, v, x[: 2 * k : 2]), 0)
            same_outcome(partial(run, vp, x[:m], v), partial(ref, x[:m], v), 0)
            same_outcome(partial(run, mm, v, full[:k, :7]), partial(ref, v, full[:k, :7]), 0)
        if k == 0 and m:
            assert (run(pv, a, x[:0]) == 0).all() and run(pv, a, x[:0]).shape == (m,)
    got = run(vv, x[:0], x[100:100])
    assert type(got) is npdt and got == 0
    # a mismatched empty operand: NumPy's ValueError, word for word
    same_outcome(partial(run, pv, full[:0, :3], x[:4]), partial(ref, full[:0, :3], x[:4]))


def k_matmul(a, b):
    return a @ b


def k_dot(a, b):
    return np.dot(a, b)


def k_outer(a, b):
    return np.outer(a, b)


MATMUL, DOT, OUTER = (phylanx.kernel(f) for f in (k_matmul, k_dot, k_outer))


def test_stacked_matmul_through_kernel():
    """Batched operands are declined natively: the runtime's fallback node must give NumPy's
    result (broadcast batch dimensions, integer dtypes) and NumPy's errors."""
    assert preparer_for(binop("matmul", "f64[?,?,?]", "f64[?,?,?]")) is None
    r = rng()
    a = r.standard_normal((3, 40, 50))
    b = r.standard_normal((3, 50, 20))
    cases = [(a, b), (a[:1], b), (a, b[0]), (a[::-1, ::2], b[:, ::2]), (a.astype(np.float32),
             b.astype(np.float32)), ((a * 9).astype(np.int64), (b * 9).astype(np.int64)),
             (a[:, :0], b), (a[:, :, :0], b[:, :0])]
    for x, y in cases:
        same_outcome(partial(MATMUL, x, y), partial(np.matmul, x, y), 1e-12)
    same_outcome(partial(MATMUL, a, b[:, :7]), partial(np.matmul, a, b[:, :7]))


def test_dot_with_scalar_operand():
    """np.dot with a 0-d or Python scalar operand multiplies (NumPy's dtype rules)."""
    assert preparer_for(binop("dot", "f64[]", "f64[?,?]")) is None
    r = rng()
    m = r.standard_normal((70, 80))
    for x, y in [(np.array(2.5), m), (m, np.array(-1.5)), (np.array(3.0), np.array(4.0)),
                 (2.5, m[:, 3]), (m.T, 3), (np.array(2, np.int64), m[::2]),
                 (np.array(2.5, np.float32), m.astype(np.float32))]:
        same_outcome(partial(DOT, x, y), partial(np.dot, x, y), 0)


def test_outer_0d_and_int():
    """outer ravels 0-d and n-d operands; integer and mixed dtypes follow NumPy's promotion
    (these are declined natively and run as the fallback node)."""
    assert preparer_for(binop("outer", "f64[]", "f64[?]")) is None
    assert preparer_for(binop("outer", "i64[?]", "i64[?]")) is None
    r = rng()
    f = r.standard_normal(90)
    i = (f * 50).astype(np.int64)
    for x, y in [(np.array(2.5), f), (f, np.array(-3.0)), (np.array(2.0), np.array(3.0)),
                 (i, i[::-1]), (i.astype(np.int32), i[:7].astype(np.int32)), (i, f[:5]),
                 (i > 0, i[:9] < 0), (np.array(4, np.int64), i), (i.astype(np.uint8), i[:3]),
                 (i.reshape(9, 10), i[:0])]:
        same_outcome(partial(OUTER, x, y), partial(np.outer, x, y), 0)


def test_matvec_pair_empty():
    """matvec_pair over n = 0 rows or k = 0 columns is X.T @ f(X @ w, y): zeros(k) or an empty
    vector, like NumPy (the preparer hands these to the reference evaluation)."""
    op = op_of(LOGREG, "matvec_pair")
    p = preparer_for(op)
    r = rng()
    for n, k in [(0, 50), (70, 0), (0, 0)]:
        X = r.standard_normal((n, k))
        w, y = r.standard_normal(k), r.random(n)
        for x in (X, np.asfortranarray(X)):
            with np.errstate(all="raise"):
                want = logreg_ref(x, w, y)
                got = run(p, x, w, y)
            assert type(got) is np.ndarray and got.dtype == want.dtype and got.shape == (k,)
            np.testing.assert_array_equal(got, want, strict=True)
            assert not got.any()


def _with_nan(a, *where):
    a = a.copy()
    for w in where:
        a[w] = np.nan
    return a


@pytest.mark.parametrize("dt", ["f64", "f32"])
def test_lapack_nan(dt):
    """NaN operands: NaN results where NumPy has them, or NumPy's LinAlgError (lstsq: NaN in a
    makes the SVD fail), same warnings; cholesky ignores a NaN in the triangle it does not
    read. (det's warning: test_det_nan_warns_like_numpy)"""
    npdt = np.float64 if dt == "f64" else np.float32
    r = rng()
    A = (r.standard_normal((6, 6)) + 6 * np.eye(6)).astype(npdt)
    S = spd(6, npdt)
    b, B = np.ones(6, npdt), r.standard_normal((6, 2)).astype(npdt)
    solve_v = preparer_for(binop("linalg.solve", f"{dt}[?,?]", f"{dt}[?]"))
    solve_m = preparer_for(binop("linalg.solve", f"{dt}[?,?]", f"{dt}[?,?]"))
    inv = preparer_for(unop("linalg.inv", f"{dt}[?,?]"))
    det = preparer_for(unop("linalg.det", f"{dt}[?,?]"))
    lstsq = preparer_for(binop("linalg.lstsq", f"{dt}[?,?]", f"{dt}[?]"))
    rtol = 1e-10 if dt == "f64" else 1e-4
    for where in ([(0, 0)], [(2, 3)], [(5, 5)], [(3, 1), (1, 3)]):
        An = _with_nan(A, *where)
        for a in (An, np.asfortranarray(An), An.T):
            assert isinstance(solve_v(a, b), Job)
            same_outcome(partial(run, solve_v, a, b), partial(np.linalg.solve, a, b), rtol)
            same_outcome(partial(run, solve_m, a, B), partial(np.linalg.solve, a, B), rtol)
            same_outcome(partial(run, inv, a), partial(np.linalg.inv, a), rtol)
            same_outcome(partial(run, lstsq, a[:, :4], b), partial(np.linalg.lstsq, a[:, :4], b),
                         rtol)
            with np.errstate(invalid="ignore"):
                same(run(det, a), np.linalg.det(a), rtol)
                assert np.isnan(run(det, a))
        bn = _with_nan(b, *[w[0] for w in where])
        same_outcome(partial(run, solve_v, A, bn), partial(np.linalg.solve, A, bn), rtol)
        same_outcome(partial(run, lstsq, A[:, :4], bn), partial(np.linalg.lstsq, A[:, :4], bn),
                     rtol)
    for upper in (False, True):
        chol = preparer_for(unop("linalg.cholesky", f"{dt}[?,?]", upper=upper))
        for where in ([(0, 0)], [(3, 3)], [(4, 1)], [(1, 4)], [(5, 0), (0, 5)]):
            Sn = _with_nan(S, *where)
            for s in (Sn, np.asfortranarray(Sn)):
                same_outcome(partial(run, chol, s), partial(np.linalg.cholesky, s, upper=upper),
                             rtol)


def test_det_nan_warns_like_numpy():
    """NumPy warns 'invalid value encountered in det' (raises under errstate) for NaN; so
    does the runtime, for NaN and inf, and stays silent for finite results."""
    a = _with_nan(np.eye(6), (2, 3))
    det = preparer_for(unop("linalg.det", "f64[?,?]"))
    same_outcome(partial(run, det, a), partial(np.linalg.det, a))
    with np.errstate(invalid="raise"):
        same_outcome(partial(run, det, a), partial(np.linalg.det, a))
    b = np.eye(6)
    b[1, 4] = np.inf
    same_outcome(partial(run, det, b), partial(np.linalg.det, b))
    with np.errstate(all="raise"):
        same_outcome(partial(run, det, 2 * np.eye(6)), partial(np.linalg.det, 2 * np.eye(6)))


@pytest.mark.parametrize("dt", ["f64", "f32", "i64"])
def test_lapack_empty(dt):
    """(0, 0) matrices and lstsq with m = 0 or n = 0 rows/columns: NumPy's results (det of
    (0, 0) is 1, inv and cholesky are (0, 0), lstsq's x is zeros) and dtypes."""
    npdt = {"f64": np.float64, "f32": np.float32, "i64": np.int64}[dt]
    e = np.ones((0, 0), npdt)
    for name, fn in (("linalg.inv", np.linalg.inv), ("linalg.det", np.linalg.det),
                     ("linalg.cholesky", np.linalg.cholesky)):
        p = preparer_for(unop(name, f"{dt}[?,?]"))
        same_outcome(partial(run, p, e), partial(fn, e), 0)
        same_outcome(partial(run, p, np.ones((0, 3), npdt)), partial(fn, np.ones((0, 3), npdt)))
    assert run(preparer_for(unop("linalg.det", f"{dt}[?,?]")), e) == 1.0
    p1 = preparer_for(binop("linalg.lstsq", f"{dt}[?,?]", f"{dt}[?]"))
    p2 = preparer_for(binop("linalg.lstsq", f"{dt}[?,?]", f"{dt}[?,?]"))
    for m, n in [(0, 3), (4, 0), (0, 0)]:
        a = np.ones((m, n), npdt)
        same_outcome(partial(run, p1, a, np.ones(m, npdt)),
                     partial(np.linalg.lstsq, a, np.ones(m, npdt)), 0)
        same_outcome(partial(run, p2, a, np.ones((m, 2), npdt)),
                     partial(np.linalg.lstsq, a, np.ones((m, 2), npdt)), 0)
    ps = preparer_for(binop("linalg.solve", f"{dt}[?,?]", f"{dt}[?]"))
    same_outcome(partial(run, ps, e, np.ones(0, npdt)), partial(np.linalg.solve, e,
                                                                 np.ones(0, npdt)), 0)


@pytest.mark.parametrize("dt", ["i64", "i32", "u8", "bool"])
def test_inv_det_int(dt):
    """Integer and bool matrices: numpy.linalg computes in float64; so must the native path
    (it converts the operand), singular ones included."""
    npdt = {"i64": np.int64, "i32": np.int32, "u8": np.uint8, "bool": np.bool_}[dt]
    r = rng()
    if dt == "bool":
        A = (r.random((6, 6)) > 0.5) | np.eye(6, dtype=bool)
    else:
        A = (r.integers(0, 9, (6, 6)) + 30 * np.eye(6, dtype=np.int64)).astype(npdt)
    sing = np.array([[1, 2], [2, 4]]).astype(npdt) if dt != "bool" else np.ones((2, 2), bool)
    pi = preparer_for(unop("linalg.inv", f"{dt}[?,?]"))
    pd = preparer_for(unop("linalg.det", f"{dt}[?,?]"))
    assert isinstance(pi(A), Job) and isinstance(pd(A), Job)
    for a in (A, np.asfortranarray(A), A[::-1], A.T):
        same_outcome(partial(run, pi, a), partial(np.linalg.inv, a), 1e-12)
        same_outcome(partial(run, pd, a), partial(np.linalg.det, a), 1e-12)
    same_outcome(partial(run, pi, sing), partial(np.linalg.inv, sing))
    same_outcome(partial(run, pd, sing), partial(np.linalg.det, sing), 0)
    assert run(pd, sing) == 0.0
