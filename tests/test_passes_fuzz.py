"""Random kernels (elementwise chains, in-place writes through views, reductions, loops, row
writes, X.T @ f(X @ w)) give the oracle's result after every pass and the default pipeline;
loops marked parallel are run with their iterations in a shuffled order."""

import copy
import importlib.util
import random

import numpy as np
import pytest

from phylanx.compiler import compile_function
from phylanx.errors import CompileError
from phylanx.ir.types import parse_types
from phylanx.oracle import evaluate
from phylanx.passes import DEFAULT_PIPELINE, run_pipeline
from phylanx.passes.testing import shuffled_parallel_loops
from phylanx.testing import assert_same

PIPELINES = ["fold", "canonicalize", "cse", "dce", "licm", "inline",
             "fuse-elementwise", "fuse-matvec-pair", "parallelize-loops",
             DEFAULT_PIPELINE]
CONSTS = ["1", "0", "2", "2.0", "1.0", "-0.0", "0.0", "0.5", "3"]
UNARY = ["-{}", "np.exp({})", "np.abs({})", "({}) ** 2", "({}) ** 1", "({}) * 1", "({}) + 0.0",
         "({}) - 0", "np.sqrt(np.abs({}))", "-(-({}))"]
BINARY = ["{} + {}", "{} - {}", "{} * {}", "{} / ({} + 3.0)", "np.maximum({}, {})",
          "np.where({} > {}, 1.0, -1.0)"]


def generate(rng: random.Random) -> str:
    vecs = ["a", "b"]
    lines = ["def k(a, b, M, s, n):", "    acc = a * 0.0"]
    for i in range(rng.randint(3, 9)):
        r, name = rng.random(), f"t{i}"
        mine = vecs[2:] or ["acc"]
        if r < 0.35:
            x, y = rng.choice(vecs + [rng.choice(CONSTS)]), rng.choice(vecs + ["s"])
            lines.append(f"    {name} = {rng.choice(BINARY).format(x, y)}")
            vecs.append(name)
        elif r < 0.55:
            lines.append(f"    {name} = {rng.choice(UNARY).format(rng.choice(vecs))}")
            vecs.append(name)
        elif r < 0.62:
            lines.append(f"    {rng.choice(mine)}[{rng.randint(0, 2)}] = {rng.choice(CONSTS)}")
        elif r < 0.68:
            lines += [f"    w{i} = {rng.choice(mine)}[1:3]", f"    w{i}[0] = 7.0"]
        elif r < 0.74:
            lines.append(f"    {rng.choice(mine)} += {rng.choice(vecs)}")
        elif r < 0.82:
            lines += ["    for i in range(n):",
                      (f"        acc = acc + {rng.choice(vecs)} * {rng.choice(CONSTS)}"
                       f" + np.sum({rng.choice(vecs)} * s)")]
        elif r < 0.88:
            lines += ["    for i in range(M.shape[0]):",
                      f"        M[i, :] = M[i, :] * {rng.choice(vecs)} + {rng.choice(CONSTS)}"]
        elif r < 0.94:
            lines += [f"    {name} = M.T @ (M @ {rng.choice(vecs)} - {rng.choice(vecs)})",
                      f"    {name} = {name}[0:1] + {rng.choice(vecs)}"]
            vecs.append(name)
        else:
            lines += [(f"    {name} = np.mean({rng.choice(vecs)} - {rng.choice(vecs)})"
                       f" + np.max(np.abs({rng.choice(vecs)}))"),
                      f"    {name} = {name} + {rng.choice(vecs)}"]
            vecs.append(name)
    lines.append(f"    return acc, M, {', '.join(rng.sample(vecs, min(3, len(vecs))))}")
    return "import numpy as np\n\n\n" + "\n".join(lines) + "\n"


def _run(module, args):
    args = copy.deepcopy(args)
    try:
        with np.errstate(all="ignore"):
            return ("ok", evaluate(module, *args), args)
    except Exception as e:  # noqa: BLE001
        return ("raised", type(e), None)


def _compile(seed: int, tmp_path):
    """The first generated kernel of this seed that compiles (some assign into scalars)."""
    rng = random.Random(seed)
    for attempt in range(50):
        path = tmp_path / f"fuzz_{seed}_{attempt}.py"
        path.write_text(generate(rng))
        spec = importlib.util.spec_from_file_location(path.stem, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        try:
            return compile_function(mod.k, list(parse_types("f64[?], f64[?], f64[?,?], float, int")))
        except CompileError:
            continue
    raise AssertionError("no kernel compiled")


@pytest.mark.parametrize("seed", range(40))
def test_random_kernel(seed, tmp_path):
    module = _compile(seed, tmp_path)
    rng = np.random.default_rng(seed)
    args = [rng.normal(size=5), rng.normal(size=5), rng.normal(size=(3, 5)), 0.7, 2]
    expected = _run(module, args)
    for pipeline in PIPELINES:
        r = run_pipeline(module, pipeline)
        with shuffled_parallel_loops(seed):
            got = _run(r.module, args)
        assert got[0] == expected[0], (pipeline, got[1], expected[1])
        if got[0] == "raised":
            assert got[1] is expected[1], pipeline
            continue
        assert_same(got[1], expected[1], path=pipeline)
        for g, e in zip(got[2], expected[2]):
            if isinstance(e, np.ndarray):
                assert_same(g, e, path=f"{pipeline}: arguments")
