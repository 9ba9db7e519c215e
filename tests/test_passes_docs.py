"""docs/passes.md shows the LogReg and ALS dumps the default pipeline really produces."""

import pathlib

import numpy as np

from phylanx.compiler import compile_function
from phylanx.ir.types import parse_types
from phylanx.passes import available_passes, run_pipeline

DOC = pathlib.Path(__file__).resolve().parent.parent / "docs" / "passes.md"


def logreg(X, y, alpha, iterations):
    w = np.zeros(X.shape[1])
    for _ in range(iterations):
        pred = 1.0 / (1.0 + np.exp(-(X @ w)))
        w = w - alpha * (X.T @ (pred - y))
    return w


def als(R, X, Y, lam, iterations):
    n_users = R.shape[0]
    k = X.shape[1]
    for _ in range(iterations):
        for u in range(n_users):
            A = Y.T @ Y + lam * np.eye(k)
            b = Y.T @ R[u, :]
            X[u, :] = np.linalg.solve(A, b)
    return X


def dumps(func, types):
    r = run_pipeline(compile_function(func, list(parse_types(types))), locations=False)
    return r.stages["input"], r.stages["final"]


def test_doc_dumps_are_current():
    doc = DOC.read_text()
    for func, types in ((logreg, "f64[?,?], f64[?], float, int"),
                        (als, "f64[?,?], f64[?,?], f64[?,?], float, int")):
        before, after = dumps(func, types)
        assert before in doc, f"docs/passes.md: update the input dump of {func.__name__}"
        assert after in doc, f"docs/passes.md: update the final dump of {func.__name__}"


def test_doc_lists_every_pass():
    doc = DOC.read_text()
    for name in available_passes():
        if not name.startswith("test-"):
            assert f"`{name}`" in doc, name
