"""Run a kernel and its plain Python function on the same inputs and classify the outcome.

Shared by the corpus runner (`python -m phylanx.corpus`) and the NumPy API probe
(`python -m phylanx.api_coverage`). Outcomes:

- "works":   both returned equal results (values with NaN positions, dtype, shape, the same
             sequence types; array, list and dict arguments are compared after the call too,
             as the code may mutate them), or both raised the same exception class;
- "refused": phylanx raised CompileError (the message's first line is kept);
- "wrong":   phylanx returned something else, raised another exception class than Python,
             or returned where Python raised: a silent difference, a bug;
- "crash":   phylanx raised (not CompileError) where Python returned.

Floats compare with a tolerance scaled to the dtype (rounding order may differ); integers,
booleans, strings and random streams (`exact=True`) compare exactly; a scalar must be of the
same type (np.float64 vs float, np.bool_ vs bool). Warnings are not compared.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass

import numpy as np

from phylanx.errors import CompileError

WORKS, REFUSED, WRONG, CRASH = "works", "refused", "wrong", "crash"
STATUSES = (WORKS, REFUSED, WRONG, CRASH)


@dataclass
class Outcome:
    status: str
    detail: str = ""


class Mismatch(AssertionError):
    pass


def _tolerance(dtype: np.dtype) -> tuple[float, float]:
    if dtype in (np.float16, np.float32, np.complex64):
        return 1e-4, 1e-5
    return 1e-7, 1e-10


def _type_name(value) -> str:
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"


def same(got, expected, exact: bool = False, path: str = "result") -> None:
    """Raise Mismatch naming the first difference between `got` and `expected`."""
    if isinstance(expected, (tuple, list)):
        if type(got) is not type(expected):
            raise Mismatch(f"{path}: {type(got).__name__} != {type(expected).__name__}")
        if len(got) != len(expected):
            raise Mismatch(f"{path}: length {len(got)} != {len(expected)}")
        for i, (g, e) in enumerate(zip(got, expected)):
            same(g, e, exact, f"{path}[{i}]")
        return
    if isinstance(expected, dict):
        if not isinstance(got, dict) or list(got) != list(expected):
            raise Mismatch(f"{path}: {got!r:.80} != {expected!r:.80}")
        for key in expected:
            same(got[key], expected[key], exact, f"{path}[{key!r}]")
        return
    if expected is None or isinstance(expected, (str, bytes, np.dtype, type)):
        if type(got) is not type(expected) or got != expected:
            raise Mismatch(f"{path}: {got!r:.80} != {expected!r:.80}")
        return
    if isinstance(got, (tuple, list, dict, str, bytes)) or got is None:
        raise Mismatch(f"{path}: {type(got).__name__} != {type(expected).__name__}")
    if isinstance(expected, (np.generic, bool, int, float, complex)) and \
            type(got) is not type(expected):  # a Python bool is not a np.bool_
        raise Mismatch(f"{path}: {_type_name(got)} != {_type_name(expected)}")
    g, e = np.asarray(got), np.asarray(expected)
    if g.dtype != e.dtype:
        raise Mismatch(f"{path}: dtype {g.dtype} != {e.dtype}")
    if g.shape != e.shape:
        raise Mismatch(f"{path}: shape {g.shape} != {e.shape}")
    if isinstance(got, np.ndarray) != isinstance(expected, np.ndarray):
        raise Mismatch(f"{path}: {type(got).__name__} != {type(expected).__name__}")
    if e.dtype.kind in "fc" and not exact:
        rtol, atol = _tolerance(e.dtype)
        finite = np.abs(e[np.isfinite(e)]) if e.size else e
        scale = float(finite.max()) if finite.size else 1.0
        close = np.isclose(g, e, rtol=rtol, atol=atol * max(1.0, scale), equal_nan=True)
        if not np.all(close):
            bad = np.argwhere(~np.atleast_1d(close))[0]
            raise Mismatch(f"{path}: values differ at {tuple(int(i) for i in bad)}: "
                           f"{np.atleast_1d(g)[tuple(bad)]!r} != {np.atleast_1d(e)[tuple(bad)]!r}")
    elif e.dtype.kind == "O":
        if isinstance(expected, np.ndarray):
            same(got.tolist(), expected.tolist(), exact, path)
        elif type(got) is not type(expected) or not bool(got == expected):
            raise Mismatch(f"{path}: {got!r:.80} != {expected!r:.80}")
    elif not np.array_equal(g, e, equal_nan=e.dtype.kind in "fc"):
        raise Mismatch(f"{path}: values differ: {got!r:.80} != {expected!r:.80}")


def _call(func, args: tuple, seed: int | None):
    if seed is not None:
        np.random.seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return "returned", func(*args)
        except CompileError as e:
            return "refused", e
        except Exception as e:  # noqa: BLE001 - the exception is the outcome compared
            return "raised", e


def first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0] if text else ''}"


def compare(kernel, plain, args: tuple, seed: int | None = None, exact: bool = False) -> Outcome:
    """Run `plain` and `kernel` on deep copies of `args` (NumPy's global random state seeded
    with `seed` before each when given) and classify the outcome."""
    plain_args, kernel_args = copy.deepcopy(args), copy.deepcopy(args)
    p_kind, p_value = _call(plain, plain_args, seed)
    k_kind, k_value = _call(kernel, kernel_args, seed)
    if k_kind == "refused":
        text = str(k_value.message if hasattr(k_value, "message") else k_value)
        return Outcome(REFUSED, text.splitlines()[0] if text else "")
    if p_kind == "raised":
        if k_kind == "raised" and type(k_value) is type(p_value):
            return Outcome(WORKS, f"both raised {type(p_value).__name__}")
        got = first_line(k_value) if k_kind == "raised" else f"returned {k_value!r:.60}"
        return Outcome(WRONG, f"Python raised {first_line(p_value)}; phylanx {got}")
    if k_kind == "raised":
        return Outcome(CRASH, first_line(k_value))
    try:
        same(k_value, p_value, exact)
        for i, (k_arg, p_arg) in enumerate(zip(kernel_args, plain_args)):
            if isinstance(p_arg, (np.ndarray, list, dict)):
                same(k_arg, p_arg, exact, f"argument {i} after the call")
    except Mismatch as e:
        return Outcome(WRONG, str(e))
    return Outcome(WORKS)
