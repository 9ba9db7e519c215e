"""The benchmark workloads shared by ``python -m phylanx.bench`` and ``asv_bench/``.

A workload makes a `Case` for a size: the inputs, the phylanx kernel and its NumPy twin (the
same code run by NumPy). Sizes are named (``xs``, ``s``, ``m``, ``l``) per workload, see
`WORKLOADS`; `make_case(name, params)` also takes explicit parameters (what asv uses).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

import phylanx
from phylanx.data.synthetic import blobs, linreg_data, logreg_data, movielens_like
from phylanx.examples.als import (
    als_explicit,
    als_explicit_numpy,
    als_implicit,
    als_implicit_numpy,
    init_factors,
)
from phylanx.examples.kmeans import kmeans, kmeans_numpy
from phylanx.examples.linreg import linreg, linreg_numpy
from phylanx.examples.logreg import logreg, logreg_numpy

# -- kernels that exist only for benchmarking ---------------------------------------------------


@phylanx.kernel
def fused(x, a, b):
    """An elementwise expression a fusing compiler turns into one loop."""
    return np.exp(-x * x / 2) * a + b * np.sin(x)


def fused_numpy(x, a, b):
    return np.exp(-x * x / 2) * a + b * np.sin(x)


@phylanx.kernel
def dispatch(x, n):
    """n tiny scalar steps: measures the cost of running one op."""
    for _ in range(n):
        x = x * 1.0001 + 0.5
    return x


def dispatch_numpy(x, n):
    for _ in range(n):
        x = x * 1.0001 + 0.5
    return x


@phylanx.kernel
def reductions(x):
    """Full, column and row reductions of a matrix."""
    return x.sum(), x.mean(axis=0), x.max(axis=1), np.sqrt((x * x).sum())


def reductions_numpy(x):
    return x.sum(), x.mean(axis=0), x.max(axis=1), np.sqrt((x * x).sum())


@phylanx.kernel
def two_matmuls(A, B, C, D):
    """Two independent matrix products (a task-parallel runtime can run them at once)."""
    return A @ B, C @ D


def two_matmuls_numpy(A, B, C, D):
    return A @ B, C @ D


@phylanx.kernel
def axpby(x, y, c, a, b):
    """a*x + b*y - c: memory-bound (3 arrays read, 1 written, 2 flops per element)."""
    return a * x + b * y - c


def axpby_numpy(x, y, c, a, b):
    return a * x + b * y - c


@phylanx.kernel
def indexing(X, u, m):
    """Creation, a strided setitem, a join, a gather, a boolean mask and a column scan."""
    Z = np.zeros((X.shape[0], X.shape[1]))
    Z[::2] = X[::2]
    return np.concatenate([Z, X]), X[u], X[m], np.cumsum(X, axis=0)


def indexing_numpy(X, u, m):
    Z = np.zeros((X.shape[0], X.shape[1]))
    Z[::2] = X[::2]
    return np.concatenate([Z, X]), X[u], X[m], np.cumsum(X, axis=0)


# -- cases ----------------------------------------------------------------------------------------


@dataclass
class Case:
    """One workload at one size: call `phylanx(*args)` and `numpy(*args)`."""

    workload: str
    size: str
    problem: str
    args: tuple
    phylanx: Callable
    numpy: Callable
    rtol: float = 1e-8
    fresh_kernel: bool = False  # compile time: a new Kernel object for every call
    extra: dict = field(default_factory=dict)

    def run_phylanx(self):
        if self.fresh_kernel:
            return phylanx.Kernel(self.phylanx.py_func)(*self.args)
        return self.phylanx(*self.args)

    def run_numpy(self):
        return self.numpy(*self.args)


def _fused(n):
    x = np.linspace(-5.0, 5.0, int(n))
    return f"n={int(n):.0e}".replace("e+0", "e"), (x, 1.5, 0.5), fused, fused_numpy


def _axpby(n):
    rng = np.random.default_rng(0)
    x, y, c = (rng.standard_normal(int(n)) for _ in range(3))
    return f"n={int(n):.0e}".replace("e+0", "e"), (x, y, c, 1.5, -0.5), axpby, axpby_numpy


def _dispatch(n):
    return f"{int(n)} steps", (1.0, int(n)), dispatch, dispatch_numpy


def _reductions(n):
    x = np.random.default_rng(0).standard_normal((int(n), int(n)))
    return f"{n}x{n}", (x,), reductions, reductions_numpy


def _matmuls(n):
    rng = np.random.default_rng(0)
    A, B, C, D = (rng.standard_normal((n, n)) for _ in range(4))
    return f"2 x {n}^3", (A, B, C, D), two_matmuls, two_matmuls_numpy


def _indexing(n):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((int(n), int(n)))
    return f"{n}x{n}", (X, rng.integers(0, n, n), X > 0.5), indexing, indexing_numpy


def _logreg(n, d, iterations):
    X, y = logreg_data(n, d, seed=0)
    return f"{n}x{d}, {iterations} it", (X, y, 1e-5, iterations), logreg, logreg_numpy


def _ratings(n_users, n_items):
    """MovieLens-like ratings restricted to the n_items most-rated movies and n_users users."""
    scale = max(n_users / 138_493, 2.0 * n_items / 27_278)
    ratings = movielens_like(scale, seed=0).most_rated(n_items)
    keep = np.isin(ratings.users, np.unique(ratings.users)[:n_users])
    return ratings.select(keep)


def _als(n_users, n_items, k=10, iterations=2):
    R = _ratings(n_users, n_items).dense().matrix
    X0, Y0 = init_factors(R.shape[0], R.shape[1], k, seed=0)
    problem = f"{R.shape[0]}x{R.shape[1]}, k={k}, {iterations} it"
    return problem, (R, X0, Y0, 40.0, 0.1, iterations), als_implicit, als_implicit_numpy


def _als_explicit(n_users, n_items, k=10, iterations=2, n_ratings=None):
    """Explicit ALS on CSR ratings: the n_users x n_items corner of a 20M-shaped set, or, given
    n_ratings, a whole synthetic set of that shape (ml1m: MovieLens-1M's 6,040 x 3,706 x 1M)."""
    if n_ratings is None:
        csr = _ratings(n_users, n_items).csr()
    else:
        csr = movielens_like(n_users=n_users, n_movies=n_items, n_ratings=n_ratings,
                             seed=0).csr()
    X0, Y0 = init_factors(csr.shape[0], csr.shape[1], k, seed=0)
    problem = f"{csr.shape[0]}x{csr.shape[1]} nnz={len(csr.data)}, k={k}, {iterations} it"
    return problem, (*csr.arrays(), X0, Y0, 0.1, iterations), als_explicit, als_explicit_numpy


def _kmeans(n, k, iterations=10):
    X, start = blobs(n, 4, k, seed=0)
    return f"{n}x4, k={k}, {iterations} it", (X, start, iterations), kmeans, kmeans_numpy


def _linreg(n, d, iterations=100):
    X, y, _ = linreg_data(n, d, seed=0)
    return f"{n}x{d}, {iterations} it", (X, y, 0.01, iterations), linreg, linreg_numpy


def _compile(kernel_name):
    """First call of a fresh Kernel on tiny data: compiling (frontend, passes, lowering)."""
    if kernel_name == "logreg":
        X, y = logreg_data(8, 3)
        return "logreg, 8x3", (X, y, 1e-5, 2), logreg, logreg_numpy
    R = np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 0.0]])
    X0, Y0 = init_factors(2, 3, 2)
    return "als_implicit, 2x3", (R, X0, Y0, 40.0, 0.1, 1), als_implicit, als_implicit_numpy


@dataclass
class Workload:
    name: str
    build: Callable
    sizes: dict[str, tuple]
    doc: str
    rtol: float = 1e-8


WORKLOADS: dict[str, Workload] = {w.name: w for w in [
    Workload("fused", _fused, {"xs": (10**5,), "s": (10**6,), "m": (3 * 10**6,),
                               "l": (10**7,)},
             "np.exp(-x*x/2)*a + b*np.sin(x) on n doubles (compute-bound)"),
    Workload("axpby", _axpby, {"xs": (10**5,), "s": (10**6,), "m": (3 * 10**6,),
                               "l": (10**7,)},
             "a*x + b*y - c on n doubles, a and b scalars (memory-bound)"),
    Workload("dispatch", _dispatch, {"xs": (2000,), "s": (20000,), "m": (50000,),
                                     "l": (200000,)},
             "x = x*1.0001 + 0.5 on a Python float, n times"),
    Workload("reductions", _reductions, {"xs": (200,), "s": (1000,), "m": (2000,),
                                         "l": (4000,)},
             "sum, mean(axis=0), max(axis=1), norm of an n x n matrix"),
    Workload("matmuls", _matmuls, {"xs": (100,), "s": (300,), "m": (600,), "l": (1000,),
                                     "paper": (2000,)},
             "A @ B and C @ D, independent, n x n"),
    Workload("indexing", _indexing, {"xs": (200,), "s": (1000,), "m": (2000,),
                                     "l": (4000,)},
             "zeros, Z[::2] = X[::2], concatenate, X[u], X[mask], cumsum(axis=0), n x n"),
    Workload("logreg", _logreg, {"xs": (200, 20, 100), "s": (1000, 100, 750),
                                 "m": (2000, 200, 750), "l": (3000, 300, 750),
                                 "paper": (10_000, 10_000, 10)},
             "logistic regression, 750 gradient steps (paper: the paper's 10,000 x 10,000, "
             "10 steps)", rtol=1e-6),
    Workload("als", _als, {"xs": (30, 20), "s": (100, 50), "m": (300, 100),
                           "l": (600, 200)},
             "implicit ALS on dense R (users x most-rated movies), k=10, 2 iterations",
             rtol=1e-6),
    Workload("als_explicit", _als_explicit, {"xs": (30, 20), "s": (200, 100),
                                             "m": (1000, 300), "l": (5000, 1000),
                                             "ml1m": (6040, 3706, 10, 1, 1_000_209),
                                             "ml1m-k40": (6040, 3706, 40, 1, 1_000_209)},
             "explicit ALS on CSR ratings, k=10, 2 iterations (ml1m*: a synthetic set of "
             "MovieLens-1M's shape, 1 iteration)", rtol=1e-6),
    Workload("kmeans", _kmeans, {"xs": (500, 3), "s": (5000, 5), "m": (20000, 8),
                                 "l": (100000, 8)},
             "k-means, 10 Lloyd iterations, 4 dimensions", rtol=1e-6),
    Workload("linreg", _linreg, {"xs": (200, 10), "s": (2000, 50), "m": (10000, 100),
                                 "l": (50000, 200)},
             "linear regression, 100 gradient steps", rtol=1e-6),
    Workload("compile", _compile, {"s": ("logreg",), "m": ("als",)},
             "first call of a fresh Kernel on tiny data (compile + run)"),
]}


def make_case(name: str, size: str | tuple = "s") -> Case:
    """The case of workload `name` at a named size or with explicit build parameters."""
    try:
        w = WORKLOADS[name]
    except KeyError:
        raise ValueError(f"unknown workload {name!r}; known: {', '.join(WORKLOADS)}") from None
    if isinstance(size, str):
        if size not in w.sizes:
            raise ValueError(f"workload {name!r} has no size {size!r}; known: "
                             f"{', '.join(w.sizes)}")
        label, params = size, w.sizes[size]
    else:
        label, params = "x".join(map(str, size)), tuple(size)
    problem, args, kernel, twin = w.build(*params)
    return Case(name, label, problem, args, kernel, twin, rtol=w.rtol,
                fresh_kernel=name == "compile")


_CASES: dict[tuple[str, str | tuple], Case] = {}


# OpenBLAS's worker threads busy-wait about 0.12 s after a threaded call before they sleep
# (measured here: 0.13 s of CPU after one X @ w). Timed back to back, the tool that runs next
# shares the two cores with them: LogReg's kernel took 325 ms right after NumPy's run, 285 ms
# after a pause or after itself (NumPy: 526 ms either way); NumPy's 2-thread 300^3 matmul took
# 31 ms instead of 1.7 right after phylanx's (SciPy's OpenBLAS spinning next to NumPy's).
SETTLE_POLL = 0.02    # the process CPU clock counts other running threads at scheduler ticks
SETTLE_MAX = 0.3


def settle() -> None:
    """Before timing a tool after a different one: wait (up to SETTLE_MAX) until this process's
    other threads are idle, so the previous tool's busy-waiting threads are not billed to this
    run. Idle means under 10% of a core busy over a SETTLE_POLL window."""
    deadline = time.perf_counter() + SETTLE_MAX
    cpu, wall = time.process_time(), time.perf_counter()
    while wall < deadline:
        time.sleep(SETTLE_POLL)
        cpu2, wall2 = time.process_time(), time.perf_counter()
        if cpu2 - cpu < 0.1 * (wall2 - wall):
            return
        cpu, wall = cpu2, wall2


def cached_case(name: str, size: str | tuple = "s") -> Case:
    """`make_case`, kept for the rest of the run: the main table and the target figures share
    the paper-size inputs (the 10,000 x 10,000 LogReg matrix takes 10-30 s to generate).
    `clear_cases()` frees them."""
    key = (name, size)
    if key not in _CASES:
        _CASES[key] = make_case(name, size)
    return _CASES[key]


def clear_cases() -> None:
    _CASES.clear()


_CONTROL = {"for_range", "while", "if", "call", "yield", "return"}


def fallback_share(case: Case) -> float | None:
    """Share of the primitive ops one run of the kernel executed through the runtime's
    GIL-holding NumPy fallback (from the runtime's profile), or None if it cannot tell."""
    try:
        kernel = case.phylanx
        values = kernel._bind(case.args, {})
        executable = kernel.compile(kernel._types(values)).executable
        executable.run(tuple(values), profile=True)
        records = [r for r in executable.last_profile() if r[0] not in _CONTROL]
        return sum(bool(r[5]) for r in records) / len(records) if records else None
    except Exception:  # noqa: BLE001 - the profile API belongs to the runtime and may change
        return None


def same_result(a, b, rtol: float = 1e-8) -> bool:
    """Results (arrays, scalars or tuples of them) equal up to rtol."""
    if isinstance(a, (tuple, list)):
        return isinstance(b, (tuple, list)) and len(a) == len(b) and all(
            same_result(x, y, rtol) for x, y in zip(a, b))
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=1e-12 + rtol * 1e-3))


# -- other tools, measured when installed (never required) -----------------------------------

ALTERNATIVES = ("numexpr", "numba", "jax", "dask")


def alternatives(case: Case, threads: int) -> dict[str, Callable[[], object]]:
    """Zero-argument callables running `case` with each installed alternative tool.

    A tool that does not apply to the workload is left out; one that fails to import or to
    build raises at call time (the bench shows "err").
    """
    import importlib.util

    out: dict[str, Callable[[], object]] = {}
    for tool in ALTERNATIVES:
        if importlib.util.find_spec(tool) is None or case.workload == "compile":
            continue
        maker = globals()[f"_with_{tool}"]
        try:
            fn = maker(case, threads)
        except Exception as e:  # noqa: BLE001 - a broken optional tool must not stop the bench
            fn = _raiser(e)
        if fn is not None:
            out[tool] = fn
    return out


def _raiser(exc: Exception) -> Callable[[], object]:
    def fail():
        raise exc
    return fail


def _with_numexpr(case: Case, threads: int):
    expression = _NUMEXPR.get(case.workload)
    if expression is None:
        return None
    import numexpr as ne

    ne.set_num_threads(threads)
    names = _NUMEXPR_ARGS[case.workload]
    local = dict(zip(names, case.args))
    return lambda: ne.evaluate(expression, local_dict=local)


_NUMEXPR = {"fused": "exp(-x*x/2)*a + b*sin(x)", "axpby": "a*x + b*y - c"}
_NUMEXPR_ARGS = {"fused": ("x", "a", "b"), "axpby": ("x", "y", "c", "a", "b")}


def _with_numba(case: Case, threads: int):
    import numba

    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    jitted = numba.njit(_with_globals(case.phylanx.py_func, numba.njit))
    args = case.args
    return lambda: jitted(*args)


def _with_globals(f: Callable, compile_kernel: Callable, **extra) -> Callable:
    """f with the kernels and helper functions of its own module that it calls (e.g. logreg's
    `sigmoid`) compiled by the peer's `compile_kernel` too, and `extra` globals (e.g. np ->
    jax.numpy) swapped in."""
    import types

    def helper(v) -> Callable | None:
        if isinstance(v, phylanx.Kernel):
            return v.py_func
        if isinstance(v, types.FunctionType) and v.__module__ == f.__module__:
            return v
        return None

    swapped = {name: compile_kernel(_with_globals(helper(v), compile_kernel, **extra))
               for name, v in f.__globals__.items()
               if name in f.__code__.co_names and helper(v) is not None}
    return types.FunctionType(f.__code__, {**f.__globals__, **extra, **swapped}, f.__name__,
                              f.__defaults__)


_JAX_WORKLOADS = {"fused", "axpby", "reductions", "matmuls", "logreg", "linreg"}


def _with_jax(case: Case, threads: int):
    if case.workload not in _JAX_WORKLOADS:
        return None
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    g = _with_globals(case.phylanx.py_func, lambda f: f, np=jnp)
    static = tuple(i for i, a in enumerate(case.args) if isinstance(a, int))
    jitted = jax.jit(g, static_argnums=static)
    args = tuple(a if isinstance(a, (int, float)) else jnp.asarray(a) for a in case.args)
    return lambda: jax.block_until_ready(jitted(*args))


def _with_dask(case: Case, threads: int):
    if case.workload not in ("fused", "axpby", "reductions", "matmuls"):
        return None
    import dask
    import dask.array as da

    args = tuple(da.from_array(a, chunks=max(1, a.shape[0] // (2 * threads)))
                 if isinstance(a, np.ndarray) else a for a in case.args)
    twin = case.numpy

    def run():
        out = twin(*args)
        return dask.compute(*out if isinstance(out, tuple) else (out,),
                            scheduler="threads", num_workers=threads)
    return run
