"""parallelize-loops on kernels written in Python: the remarks name the loop variable and the
subscripts, and the loops marked parallel give Python's result when run in shuffled orders (the
IR-only cases are in tests/passes/parallelize-loops/)."""

import numpy as np
import pytest

import phylanx
from phylanx.compiler import compile_function
from phylanx.ir.types import parse_types
from phylanx.oracle import evaluate
from phylanx.passes import run_pipeline
from phylanx.passes.testing import shuffled_parallel_loops
from phylanx.testing import assert_same


# Kernels as a user writes them, checked against Python with their parallel loops run in
# shuffled orders by the oracle, and by the runtime.
def mandelbrot(h, w, max_iter):
    out = np.zeros((h, w), dtype=np.int64)
    for j in range(h):
        for i in range(w):
            c = (-2.0 + 3.0 * i / w) + (-1.5 + 3.0 * j / h) * 1j
            z = 0j
            n = 0
            while n < max_iter:
                if abs(z) > 2.0:
                    break
                z = z * z + c
                n += 1
            out[j, i] = n
    return out


def mandelbrot_floats(h, w, max_iter):
    out = np.zeros((h, w), dtype=np.int64)
    for j in range(h):
        for i in range(w):
            cr = -2.0 + 3.0 * i / w
            ci = -1.5 + 3.0 * j / h
            zr = 0.0
            zi = 0.0
            n = 0
            while n < max_iter:
                if zr * zr + zi * zi > 4.0:
                    break
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                n += 1
            out[j, i] = n
    return out


def columns(A, B):
    for i in range(B.shape[1]):
        B[:, i] = A[:, i] * 2.0 + B[:, i]
    return B


def transposed_fill(A):
    for i in range(A.shape[1]):
        for j in range(A.shape[0]):
            A[j, i] = A[j, i] + i - j
    return A


def row_from_column(A):
    for i in range(A.shape[0]):
        A[i, :] = A[:, i] + 1.0
    return A


def _remarks(func, types):
    r = run_pipeline(compile_function(func, list(parse_types(types))))
    return r, [str(d) for d in r.diagnostics.of("parallelize-loops")]


@pytest.mark.parametrize("func, store_line", [(mandelbrot, 12), (mandelbrot_floats, 14)])
def test_mandelbrot_loops_are_parallel_and_named(func, store_line):
    r, remarks = _remarks(func, "int, int, int")
    first = func.__code__.co_firstlineno
    write = f"%out[%j, %i] = ... ('setitem' @{first + store_line}:13)"
    assert remarks == [
        f"{__file__}:{first + 2}:5: parallelize-loops: parallel: loop over %j is parallel: "
        f"each iteration writes only its own elements: {write}",
        f"{__file__}:{first + 3}:9: parallelize-loops: parallel: loop over %i is parallel: "
        f"each iteration writes only its own elements: {write}",
    ], remarks
    expected = func(7, 9, 30)
    for seed in range(3):
        with shuffled_parallel_loops(seed):
            assert_same(evaluate(r.module, 7, 9, 30), expected)
    assert_same(phylanx.kernel(func)(7, 9, 30), expected)


@pytest.mark.parametrize("func, shapes, n_parallel", [
    (columns, [(5, 6), (5, 6)], 1),
    (transposed_fill, [(5, 6)], 2),
    (row_from_column, [(6, 6)], 0),
])
def test_other_axes_against_python_in_shuffled_order(func, shapes, n_parallel):
    r, remarks = _remarks(func, ", ".join(["f64[?,?]"] * len(shapes)))
    assert sum(": parallel: " in m for m in remarks) == n_parallel, remarks
    rng = np.random.default_rng(1)
    args = [rng.normal(size=s) for s in shapes]
    expected = func(*[a.copy() for a in args])
    for seed in range(3):
        with shuffled_parallel_loops(seed):
            assert_same(evaluate(r.module, *[a.copy() for a in args]), expected)
    assert_same(phylanx.kernel(func)(*[a.copy() for a in args]), expected)
