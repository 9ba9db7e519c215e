"""Native linear algebra kernels (phylanx.runtime._linalg, _matvec) agree with NumPy.

The factories and preparers are called directly (ops come from PhySL text): a preparer returns
a Job (run here with run_now()) or, for the cases it hands to NumPy, the result itself.
"""

import numpy as np
import pytest

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
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * (np.abs(want).max(initial=0)))


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
            np.testing.assert_allclose(op.decl.extra["evaluate"](op, [X, w, y])[0], want,
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
@pytest.mark.parametrize("isa", [0, 1, 2])
def test_matvec_pair_blocking(threads, block_bytes, isa):
    """Small and large blocks, every row-kernel variant: ragged last block, groups of fewer
    than 4 rows, column counts that are not a multiple of the vector width."""
    from phylanx.runtime import _matvec
    p = preparer_for(op_of(LOGREG, "matvec_pair"))
    r = rng()
    set_num_threads(threads)
    saved = (_matvec._block_bytes, _matvec._isa)
    _matvec.set_tuning(block_bytes, isa)
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
        _matvec.set_tuning(*saved)
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
    text = LOGREG.replace("%e = exp %n : f64", "%e = sin %n : f64")
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
