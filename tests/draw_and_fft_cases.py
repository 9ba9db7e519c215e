"""Type-rule cases (for tests/test_ops_decls.py) of the numpy.random, Generator and numpy.fft
ops: real, valid arguments for every draw (its parameters as scalars and as arrays, `size`
None, an int and a tuple) and for every transform (dtypes, ranks, n/s, axes, norm)."""

from __future__ import annotations

import itertools

import numpy as np

from phylanx.ir.registry import all_ops
from phylanx.ir.types import FLOAT, INT, NONE, ScalarType, TupleType, array
from phylanx.ops._sample import type_of_result

# Valid arguments of each distribution (scalar parameters), by parameter name.
DRAW_ARGS: dict[str, dict] = {
    "beta": {"a": 2.0, "b": 3.0}, "binomial": {"n": 10, "p": 0.3}, "chisquare": {"df": 2.0},
    "dirichlet": {"alpha": np.array([1.0, 2.0, 3.0])}, "exponential": {"scale": 2.0},
    "f": {"dfnum": 3.0, "dfden": 5.0}, "gamma": {"shape": 2.0, "scale": 1.5},
    "geometric": {"p": 0.3}, "gumbel": {"loc": 0.5}, "laplace": {"loc": 0.5},
    "hypergeometric": {"ngood": 5, "nbad": 7, "nsample": 4}, "logistic": {"scale": 2.0},
    "lognormal": {"mean": 0.5}, "logseries": {"p": 0.5},
    "multinomial": {"n": 10, "pvals": np.array([0.2, 0.3, 0.5])},
    "multivariate_hypergeometric": {"colors": np.array([3, 4, 5]), "nsample": 6},
    "multivariate_normal": {"mean": np.array([0.0, 1.0]),
                            "cov": np.array([[1.0, 0.2], [0.2, 1.0]])},
    "negative_binomial": {"n": 3, "p": 0.4}, "noncentral_chisquare": {"df": 3.0, "nonc": 1.0},
    "noncentral_f": {"dfnum": 3.0, "dfden": 5.0, "nonc": 1.0}, "normal": {"loc": 1.0},
    "pareto": {"a": 3.0}, "poisson": {"lam": 3.0}, "power": {"a": 3.0},
    "rayleigh": {"scale": 1.0}, "standard_gamma": {"shape": 2.0}, "standard_t": {"df": 5.0},
    "triangular": {"left": 0.0, "mode": 0.5, "right": 1.0}, "uniform": {"low": -1.0},
    "vonmises": {"mu": 0.0, "kappa": 1.0}, "wald": {"mean": 1.0, "scale": 2.0},
    "weibull": {"a": 1.5}, "zipf": {"a": 2.0}, "randint": {"low": 0, "high": 10},
    "integers": {"low": 0, "high": 10}, "random_integers": {"low": 1, "high": 6},
    "choice": {"a": 10}, "bytes": {"length": 4}, "permutation": {"x": 6},
    "shuffle": {"x": np.arange(6.0)}, "permuted": {"x": np.arange(6.0).reshape(2, 3)},
    "rand": {"shape": (2, 3)}, "randn": {"shape": 4}, "seed": {"seed": 3},
}
# Draws whose dtype attribute takes these values.
DTYPE_ATTRS = {"randint": ("i32", "u8", "builtins.int"), "integers": ("i32", "u8"),
               "random": ("f32",), "standard_normal": ("f32",), "standard_gamma": ("f32",),
               "standard_exponential": ("f32",)}
RECEIVERS = {"rs": lambda: np.random.RandomState(0), "rng": lambda: np.random.default_rng(0)}


def _draw_cases(name: str) -> list:
    decl = all_ops()[name]
    short = name.split(".", 1)[1]
    given = dict(DRAW_ARGS.get(short, {}))
    if short == "set_state":
        given["state"] = np.random.RandomState(0).get_state()
    base = {}
    for n in decl.operand_names:
        base[n] = RECEIVERS[n]() if n in RECEIVERS else given.get(n, decl.params.defaults.get(n))
    variants = [base]
    if "size" in base:
        variants += [{**base, "size": 3}, {**base, "size": (2, 2)}]
    scalar = next((n for n in decl.operand_names if n in given
                   and type(given[n]) in (int, float)), None)
    if scalar is not None and short not in ("choice", "permutation", "bytes", "seed"):
        for dtype in (np.float64, np.float32) if isinstance(given[scalar], float) else (None,):
            variants.append({**base, scalar: np.full(3, given[scalar], dtype=dtype)})
    has_dtype = any(a.name == "dtype" for a in decl.attrs)
    attr_sets = [{}] + [{"dtype": d} for d in DTYPE_ATTRS.get(short, ()) if has_dtype]
    out = []
    for values, attrs in itertools.product(variants, attr_sets):
        args = [values[n] for n in decl.operand_names]
        out.append(([type_of_result(v) for v in args], attrs, args))
    return out


def _fft_cases(name: str) -> list:
    short = name.split(".", 1)[1]
    dtypes = ("bool", "i64", "f32", "f64", "c64", "c128")
    if short in ("fftfreq", "rfftfreq"):
        return [([n, d], {}, None) for n in (INT, ScalarType("i64"))
                for d in (FLOAT, INT, ScalarType("f32"))]
    if short in ("fftshift", "ifftshift"):
        return [([array(d, r)], a, None) for d in dtypes for r in (0, 1, 2)
                for a in ({}, {"axes": 0}, {"axes": (0, -1)})]
    if short in ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft"):
        lengths, attr_sets = (NONE, INT), ({}, {"axis": 0}, {"norm": "ortho"})
    else:
        lengths = (NONE, TupleType((INT, INT)))
        attr_sets = ({}, {"axes": (0, -1)}, {"norm": "forward"}, {"axes": None})
    return [([array(d, r), n], a, None) for d in dtypes for r in (1, 2, 3) for n in lengths
            for a in attr_sets]


def draw_and_fft_cases() -> dict[str, list]:
    out = {}
    for name in all_ops():
        family = name.split(".", 1)[0]
        if name in ("random.RandomState", "random.default_rng"):
            out[name] = [([INT], {}, [3]), ([NONE], {}, [None]),
                         ([array("i64", 1)], {}, [np.arange(3)])]
        elif family in ("random", "random_state", "generator"):
            out[name] = _draw_cases(name)
        elif family == "fft":
            out[name] = _fft_cases(name)
    return out
