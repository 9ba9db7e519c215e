"""Rewrites that must not change what a program does: exceptions, warnings, dtypes and shapes
stay NumPy's after every pass; failing folds leave the op for run time; pass failures write
reproducers only on request."""

import os
import tempfile
import warnings

import numpy as np
import pytest

import phylanx
from phylanx.errors import PassError
from phylanx.ir.printer import print_module
from phylanx.passes import run_pipeline
from phylanx.passes.testing import filecheck, run_opt
from phylanx.testing import assert_same


def outcome(fn, *args, errstate="warn", copy=True):
    """("raised", type, message) or ("returned", value, {warning messages}) of fn(*args)
    under np.errstate(all=errstate); array arguments are copied unless copy=False."""
    if copy:
        args = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    with warnings.catch_warnings(record=True) as caught, np.errstate(all=errstate):
        warnings.simplefilter("always")
        try:
            value = fn(*args)
        except Exception as e:  # noqa: BLE001 - the exception is the outcome compared
            return ("raised", type(e), str(e))
    return ("returned", value, {f"{w.category.__name__}: {w.message}" for w in caught})


def assert_same_outcome(func, *args, errstates=("warn", "raise", "ignore")):
    """The kernel of `func` raises, warns and returns exactly as `func` does."""
    kernel = phylanx.kernel(func)
    for errstate in errstates:
        want = outcome(func, *args, errstate=errstate)
        got = outcome(kernel, *args, errstate=errstate)
        assert got[0] == want[0], f"errstate={errstate}: kernel {got}, Python {want}"
        if want[0] == "raised":
            assert got[1:] == want[1:], f"errstate={errstate}"
        else:
            assert_same(got[1], want[1])
            assert got[2] == want[2], f"errstate={errstate}: warnings"


def assert_same_outcome_on_oracle(func, *args):
    """The optimized module, run by the oracle (op by op, in program order), raises, warns and
    returns as `func` does: the passes' semantics, apart from how the runtime schedules."""
    from phylanx.oracle import evaluate

    kernel = phylanx.kernel(func)
    module = kernel.compile(kernel._types(kernel._bind(args, {}))).module
    for errstate in ("warn", "raise"):
        py_args = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        ph_args = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        want = outcome(func, *py_args, errstate=errstate, copy=False)
        got = outcome(lambda *a: evaluate(module, *a), *ph_args, errstate=errstate, copy=False)
        assert got[0] == want[0], f"errstate={errstate}: {got} != {want}"
        if want[0] == "raised":
            assert got[1:] == want[1:], f"errstate={errstate}"
        else:
            assert_same(got[1], want[1])
            assert got[2] == want[2], f"errstate={errstate}: warnings"
        for x, y in zip(ph_args, py_args):   # arguments written before an error, or not
            assert_same(x, y)
    return module


# --- constant exponents and folds that raise -------------------------------------------------

def power_inf(x):
    return x ** np.inf


def power_nan(x):
    return x ** np.nan


def np_power_inf(a):
    return np.power(a, np.inf)


def np_power_neg_inf(a):
    return np.power(a, -np.inf)


def float_power_inf(x):
    return x ** float("inf")


@pytest.mark.parametrize("func", [power_inf, power_nan, np_power_inf, np_power_neg_inf])
def test_non_finite_constant_exponents_compile_and_match_numpy(func):
    assert_same_outcome(func, np.array([0.5, 2.0, 1.0, -1.0, 0.0, np.nan]))
    assert_same_outcome(func, np.array([0.5, 2.0], dtype=np.float32))


def test_non_finite_exponent_of_a_python_float():
    for x in (0.5, 2.0, 1.0, -1.0, 0.0):
        assert_same_outcome(float_power_inf, x)


POWER_TEXT = """func @f(%x: {t}) -> {r} {{
  %0 = const {{value = {c}}} : float
  %1 = power %x, %0 : {r}
  return %1
}}
"""


@pytest.mark.parametrize("c", ["inf", "-inf", "nan", "1e308", "2.5", "-0.0"])
@pytest.mark.parametrize("t", ["f64[?]", "f32[?]", "i64[?]", "f64", "float"])
def test_canonicalize_never_fails_on_a_constant_exponent(t, c):
    r = t if t[0] == "f" else "f64[?]"
    if t == "float":
        r = "float"
    text = POWER_TEXT.format(t=t, r=r, c=c)
    out = run_opt(text, "canonicalize,fold,dce")
    filecheck(out, "CHECK: power %x")


def test_pass_failure_writes_no_file_unless_asked(monkeypatch, tmp_path):
    from phylanx.ir.parser import parse_physl
    from phylanx.passes.manager import PASSES, Pass, register

    if "test-explode-quietly" not in PASSES:
        @register
        class _Explode(Pass):
            name = "test-explode-quietly"

            def run(self, module, ctx):
                raise RuntimeError("boom")

    module = parse_physl(POWER_TEXT.format(t="f64[?]", r="f64[?]", c="2.5"))
    monkeypatch.delenv("PHYLANX_REPRODUCER_DIR", raising=False)
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    with pytest.raises(PassError) as info:
        run_pipeline(module, "cse,test-explode-quietly")
    assert os.listdir(temp) == []
    assert info.value.reproducer is None
    assert "PHYLANX_REPRODUCER_DIR" in str(info.value)
    # asked for through the environment: written there
    wanted = tmp_path / "wanted"
    monkeypatch.setenv("PHYLANX_REPRODUCER_DIR", str(wanted))
    with pytest.raises(PassError) as info:
        run_pipeline(module, "cse,test-explode-quietly")
    assert os.path.dirname(info.value.reproducer) == str(wanted)
    assert os.listdir(wanted) == [os.path.basename(info.value.reproducer)]
    assert os.listdir(temp) == []


# --- folding every constant op: the optimized program raises, warns and returns as before ----

_SCALAR_VALUES = {
    "int": [0, 1, -1, 2, 3, -7, 2**31, 2**63, -2**63 - 1, 2**100],
    "float": [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e308, -1e308, 5e-324, float("inf"),
              float("-inf"), float("nan")],
    "bool": [True, False],
    "complex": [0j, 1 + 1j, complex(float("inf"), 0.0), complex(float("nan"), 1.0),
                complex(1e308, 1e308)],
    "f64": [0.0, -0.0, 1.0, -1.5, 1e308, 5e-324, float("inf"), float("nan")],
    "f32": [0.0, -0.0, 1.0, -1.5, 3e38, 1e-45, float("-inf"), float("nan")],
    "i64": [0, 1, -1, 7, 2**63 - 1, -2**63],
    "i32": [0, 1, -1, 2**31 - 1, -2**31],
    "i8": [0, 1, -1, 127, -128],
    "u8": [0, 1, 255],
    "u64": [0, 1, 2**64 - 1],
    "bool_": [True, False],
}


def _fold_candidates():
    from phylanx.ir.registry import OPS, REQUIRED, lookup

    lookup("add")
    out = []
    for name, decl in sorted(OPS.items()):
        if decl.regions or not decl.operands or any(o.endswith("*") for o in decl.operands):
            continue
        if decl.traits & {"random", "inplace", "control", "terminator"} or name in (
                "const", "call"):
            continue
        if any(a.default is REQUIRED for a in decl.attrs):
            continue
        out.append(decl)
    return out


def _same_value(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b))
    if a is None:
        return True
    x, y = np.asarray(a), np.asarray(b)
    return x.dtype == y.dtype and x.shape == y.shape and bool(np.all(
        (x == y) & (np.signbit(x.real) == np.signbit(y.real)) | ((x != x) & (y != y))
        if x.dtype.kind in "fc" else x == y))


def test_constant_ops_fold_or_stay_exactly():
    """Every pure op on constant scalars of every kind, special values included: canonicalize,
    fold and dce never fail, and the optimized program's outcome (value and its type, the
    exception class, the warnings, under warn and raise) is the unoptimized one's."""
    from phylanx.ir.core import Function, Module
    from phylanx.ir.registry import TypeRuleError
    from phylanx.ir.types import ScalarType
    from phylanx.oracle import evaluate
    from phylanx.passes.ir_utils import make_const, new_op

    rng = np.random.default_rng(4)
    kinds = list(_SCALAR_VALUES)
    decls = _fold_candidates()
    checked = 0
    for _ in range(2500):
        decl = decls[rng.integers(len(decls))]
        arity = len(decl.operands)
        chosen = [kinds[rng.integers(len(kinds))] for _ in range(arity)]
        types = [ScalarType("bool" if k == "bool_" else k) for k in chosen]
        attrs = decl.complete_attrs({})
        try:
            rtypes = decl.result_types(types, attrs)
        except (TypeRuleError, TypeError, ValueError, KeyError):
            continue
        if len(rtypes) != 1 or not isinstance(rtypes[0], ScalarType):
            continue
        values = [_SCALAR_VALUES[k][rng.integers(len(_SCALAR_VALUES[k]))] for k in chosen]
        f = Function("f", [], [], rtypes[0], "t.py")
        consts = [make_const(v, t) for v, t in zip(values, types)]
        for c in consts:
            f.body.append(c)
        op = new_op(decl.name, [c.results[0] for c in consts], rtypes, attrs)
        f.body.append(op)
        f.body.append(new_op("return", [op.results[0]], []))
        module = Module([f])
        try:
            optimized = run_pipeline(module, "canonicalize,fold,dce").module
        except PassError as e:
            raise AssertionError(f"{decl.name}{tuple(values)} {types}: {e}") from None
        for errstate in ("warn", "raise"):
            want = outcome(evaluate, module, errstate=errstate)
            got = outcome(evaluate, optimized, errstate=errstate)
            where = f"{decl.name}{tuple(values)} {[str(t) for t in types]} ({errstate})"
            assert got[0] == want[0], f"{where}: {got} != {want}"
            if want[0] == "raised":
                assert got[1] is want[1], f"{where}: {got} != {want}"
            else:
                assert _same_value(got[1], want[1]), f"{where}: {got} != {want}"
                assert got[2] == want[2], f"{where}: {got} != {want}"
        checked += 1
    assert checked > 800


# --- unused ops that raise or warn are kept; hoisting neither adds nor reorders them ----------

def unused_gather(a):
    a[np.array([5])]
    return a + 1.0


def unused_index(a, i):
    a[i]
    return a


def unused_sqrt(x):
    np.sqrt(x)
    return x


def unused_sqrt_array(a):
    np.sqrt(a)
    return a


def unused_log_and_divide(a, b):
    np.log(a)
    a / b
    return b


def unused_mean(a):
    np.mean(a)
    return a


def unused_var(a):
    np.var(a, ddof=1)
    return a


def unused_exp_overflow(a):
    np.exp(a) * 2.0
    return a


def unused_int_division(a, b):
    a // b
    return a


def unused_matmul(A, B):
    A @ B
    return A


@pytest.mark.parametrize("func, args", [
    (unused_gather, (np.arange(5.0),)),
    (unused_index, (np.arange(5.0), 7)),
    (unused_sqrt, (-1.0,)),
    (unused_sqrt, (4.0,)),
    (unused_sqrt_array, (np.array([-1.0, 4.0]),)),
    (unused_log_and_divide, (np.array([0.0, -1.0]), np.array([0.0, 1.0]))),
    (unused_mean, (np.zeros(0),)),
    (unused_mean, (np.zeros((0, 3)),)),
    (unused_var, (np.ones(1),)),
    (unused_exp_overflow, (np.array([1000.0, 1.0]),)),
    (unused_int_division, (np.array([1, 2]), np.array([0, 1]))),
    (unused_matmul, (np.ones((2, 3)), np.ones((4, 2)))),
    (unused_matmul, (np.full((2, 2), 1e300), np.full((2, 2), 1e300))),
])
def test_unused_ops_still_raise_and_warn(func, args):
    assert_same_outcome(func, *args)


def invariant_sqrt_in_loop(x, n):
    s = 0.0
    for _ in range(n):
        s = s + np.sqrt(x)
    return s


def invariant_exp_in_loop(a, n):
    out = a
    for _ in range(n):
        out = np.exp(a) * 2.0
    return out


def invariant_gram_in_loop(Y, n):
    out = np.zeros((Y.shape[1], Y.shape[1]))
    for _ in range(n):
        out = Y.T @ Y
    return out


def variant_then_invariant(a, x, n):
    out = a
    for i in range(n):
        out = a / (a - i)          # divide by zero in iteration 1 only
        t = np.sqrt(x)             # invariant: invalid for negative x
        out = out + t
    return out


@pytest.mark.parametrize("func, args", [
    (invariant_sqrt_in_loop, (-1.0, 0)),
    (invariant_sqrt_in_loop, (-1.0, 3)),
    (invariant_exp_in_loop, (np.array([1000.0]), 0)),
    (invariant_exp_in_loop, (np.array([1000.0]), 2)),
    (invariant_gram_in_loop, (np.full((2, 2), 1e300), 0)),
    (invariant_gram_in_loop, (np.full((2, 2), 1e300), 2)),
    (variant_then_invariant, (np.array([1.0, 2.0]), -1.0, 3)),
    (variant_then_invariant, (np.array([1.0, 2.0]), -1.0, 0)),
])
def test_hoisting_neither_adds_nor_reorders_errors_and_warnings(func, args):
    assert_same_outcome_on_oracle(func, *args)
    assert_same_outcome(func, *args, errstates=("warn", "ignore"))


def test_dce_keeps_a_false_while_whose_condition_may_raise():
    text = """func @f(%x: f64[?]) -> f64[?] {
  %w = while %x : f64[?] cond(%c: f64[?]) {
    %0 = sqrt %c : f64[?]
    %1 = const {value = false} : bool
    yield %1
  } body(%b: f64[?]) {
    yield %b
  }
  return %w
}
"""
    filecheck(run_opt(text, "dce"), "CHECK: while\nCHECK: sqrt")


def test_canonicalize_keeps_unused_ops_that_may_warn():
    text = """func @f(%x: f64[?]) -> f64[?] {
  %0 = exp %x : f64[?]
  %1 = isnan %x : bool[?]
  return %x
}
"""
    out = run_opt(text, "canonicalize")
    filecheck(out, "CHECK: exp %x\nCHECK-NOT: isnan")


# --- the PhySL parser: ParseError with a line and column, and nothing else -------------------

GOOD = """func @f(%x: f64[?,?], %i: int, %n: int, %m: bool[?,?], %k: i64[?]) -> tuple<f64[?], f64[?,?], f64, f64[1,?,?]> @"k.py":1:1 {
  %0 = const {value = 1} : int @2:5
  %a = getitem %x[%i, :] : f64[?] @3:5
  %b = getitem %x[%0:%n, ::%0] : f64[?,?] @4:5
  %c = getitem %x[%i, %0] : f64 @5:5
  %d = getitem %x[None, ..., :%n] : f64[1,?,?] @6:5
  %e = gather %x[%m] : f64[?] @7:5
  %f = gather %x[%k, %0:] : f64[?,?] @8:5
  %g = setitem %x[%i, %0:%n:%0], %c : f64[?,?] @9:5
  %h = getitem %x[()] : f64[?,?] @10:5
  %r = for_range %0, %n, %0, %a : f64[?] @11:5 body(%j: int, %acc: f64[?]) {
    %y = add %acc, %acc : f64[?] @12:9
    yield %y @11:5
  }
  %t = tuple %r, %g, %c, %d : tuple<f64[?], f64[?,?], f64, f64[1,?,?]> @13:5
  return %t @14:5
}
"""


def test_subscripts_print_like_python_and_round_trip():
    from phylanx.ir.parser import parse_physl
    from phylanx.ir.printer import print_module
    from phylanx.ir.verifier import verify_module

    text = GOOD
    m = parse_physl(text)
    verify_module(m)
    assert print_module(m) == text
    ops = {op.results[0].hint: op for op in m.entry.body.ops if op.results}
    assert ops["a"].attrs["index"] == ("i", "s000")
    assert ops["b"].attrs["index"] == ("s110", "s001")
    assert ops["d"].attrs["index"] == ("n", "e", "s010")
    assert ops["e"].attrs["index"] == ("a",)
    assert ops["g"].attrs["index"] == ("i", "s111")
    assert ops["h"].attrs["index"] == ()
    # the attribute spelling still parses, to the same module
    old = text.replace("getitem %x[%i, :] :", "getitem %x, %i {index = (i, s000)} :")
    assert print_module(parse_physl(old)) == text


def test_kernel_subscripts_match_numpy():
    def rows(x, n):
        return x[1:n, ::2], x[n - 1], x[None, ..., :n], x[:, n - 2]

    from phylanx.testing import check_kernel

    check_kernel(phylanx.kernel(rows), np.arange(24.0).reshape(4, 6), 3)


@pytest.mark.parametrize("text, where, message", [
    (GOOD.replace("@3:5", "@1.0:2", 1), "line 3", "line number"),
    (GOOD.replace("@3:5", "@3:-5", 1), "line 3", "column number"),
    (GOOD + "\n" + GOOD.replace("@\"k.py\":1:1", ""), "line 19", "@f is defined twice"),
    (GOOD.replace("f64[?,?], %i", "f64[?,1.5], %i", 1), "line 1", "extent"),
    (GOOD.replace("value = 1}", "value = 1" + "0" * 5000 + "}", 1), "line 2", "number"),
    (GOOD.replace('@"k.py"', '@"k\\q.py"', 1), "line 1", "invalid string"),
    (GOOD.replace("%a = getitem %x[%i, :]", "%a = getitem %x[%i, :", 1), "line 3", "']'"),
    (GOOD.replace("%a = getitem %x[%i, :]", "%a = getitem %x[%i, :] {index = (i,)}", 1),
     "line 3", "twice"),
    (GOOD.replace("{value = 1}", "{value = dense<f64[2]: [1.0]>}", 1), "line 2", "dense"),
    (GOOD.replace("{value = 1}", "{value = dense<f64[?]: [1.0]>}", 1), "line 2", "dense"),
    (GOOD.replace("{value = 1}", "{value = complex(\"a\", 1)}", 1), "line 2", "complex"),
    (GOOD.replace("{value = 1}", "{value = 1, value = 2}", 1), "line 2", "twice"),
])
def test_malformed_text_raises_parse_error_with_position(text, where, message):
    from phylanx.ir.lexer import ParseError
    from phylanx.ir.parser import parse_physl

    with pytest.raises(ParseError) as info:
        parse_physl(text)
    assert where in str(info.value) and "column" in str(info.value)
    assert message in str(info.value)


@pytest.mark.parametrize("make", [
    lambda n: f"func @f(%x: {'tuple<' * n}int{'>' * n}) -> int {{\n  return %x\n}}\n",
    lambda n: f"func @f() -> int {{\n  %0 = const {{value = {'(' * n}1{')' * n}}} : int\n}}\n",
    lambda n: "func @f(%c: bool) -> int {\n" + "if %c then {\n" * n + "}\n" * (n + 1),
])
@pytest.mark.parametrize("depth", [101, 100_000])
def test_deep_nesting_is_a_parse_error(make, depth):
    from phylanx.ir.lexer import MAX_NESTING, ParseError
    from phylanx.ir.parser import parse_physl

    with pytest.raises(ParseError, match=f"nested more than {MAX_NESTING} levels"):
        parse_physl(make(depth))


def test_nesting_up_to_the_limit_parses():
    from phylanx.ir.lexer import MAX_NESTING
    from phylanx.ir.parser import parse_physl
    from phylanx.ir.printer import print_module

    n = MAX_NESTING
    text = f"func @f(%x: {'tuple<' * n}int{'>' * n}) -> int {{\n  return %x\n}}\n"
    assert print_module(parse_physl(text), locations=False) == text


def _mutations(text: str, rng) -> list[str]:
    tokens = ["%x", "%0", "[", "]", "(", ")", "{", "}", "<", ">", ":", ",", "=", "@", "@1.5:2",
              "...", "None", "-", "1e999", "9" * 30, '"\\u12"', "f64[?]", "tuple<", "dense<",
              "complex(", "\n", "func @f() -> int {", "yield", "index = (i,)", "s0", "?"]
    out = []
    for _ in range(400):
        t = text
        for _ in range(rng.integers(1, 4)):
            pos = int(rng.integers(len(t) + 1))
            kind = rng.integers(3)
            if kind == 0:
                t = t[:pos] + tokens[rng.integers(len(tokens))] + t[pos:]
            elif kind == 1:
                t = t[:pos] + t[pos + int(rng.integers(1, 8)):]
            else:
                j = int(rng.integers(len(t) + 1))
                t = t[:pos] + t[j:j + 12] + t[pos:]
        out.append(t)
    return out


def test_mutated_modules_raise_only_parse_errors():
    """Random insertions, deletions and duplications in printed modules: parsing either
    succeeds (and verifying raises only VerifyError) or raises ParseError with a position."""
    from phylanx.ir.lexer import ParseError
    from phylanx.ir.parser import parse_physl
    from phylanx.ir.printer import print_module
    from phylanx.ir.verifier import VerifyError, verify_module

    rng = np.random.default_rng(3)
    parsed = 0
    for text in _mutations(GOOD, rng) + _mutations(print_module(parse_physl(GOOD), False), rng):
        try:
            m = parse_physl(text)
        except ParseError as e:
            assert str(e).startswith("line ") and ", column " in str(e), str(e)
            continue
        parsed += 1
        try:
            verify_module(m)
        except VerifyError:
            continue
        again = print_module(m)
        assert print_module(parse_physl(again)) == again
    assert parsed > 0


# --- fused groups: every output keeps its own shape -------------------------------------------

def intermediate_and_result(a, b):
    c = a + 1.0
    d = c * b
    return c, d


def bool_intermediate(a, b):
    c = np.logical_not(a)
    d = c & b
    return c, d


def two_levels(a, b, x):
    t = a * 2.0
    c = t - 1.0
    d = c * b
    e = d + x
    return c, e, t


def with_scalar_and_0d(a, s, z):
    c = a * s
    d = c + z
    return c, d


@pytest.mark.parametrize("func, args", [
    (intermediate_and_result, (np.arange(4.0), np.ones((5, 4)))),
    (intermediate_and_result, (np.arange(4.0), np.ones((3, 5, 4)))),
    (intermediate_and_result, (np.arange(1.0), np.arange(5.0))),        # size-1 extent
    (intermediate_and_result, (np.ones((5, 1)), np.ones((1, 4)))),
    (intermediate_and_result, (np.ones((5, 4)), np.ones((5, 4)))),
    (intermediate_and_result, (np.ones((5, 4)), np.arange(4.0))),
    (intermediate_and_result, (np.array(2.0), np.arange(3.0))),          # 0-d
    (intermediate_and_result, (np.zeros((0, 4)), np.ones((3, 1, 4)))),   # empty
    (bool_intermediate, (np.array([True, False]), np.ones((3, 2), bool))),
    (bool_intermediate, (np.array([True]), np.array([True, False, True]))),
    (two_levels, (np.arange(3.0), np.ones((2, 3)), np.ones((4, 1, 1)))),
    (with_scalar_and_0d, (np.arange(3.0), 2.0, np.array(1.0))),
    (with_scalar_and_0d, (np.arange(3.0), 2.0, np.ones((2, 1)))),
])
def test_fused_outputs_keep_their_own_shape(func, args):
    assert_same_outcome(func, *args, errstates=("warn",))


def test_an_output_that_may_be_smaller_than_its_group_is_not_fused_into_it():
    text = """func @f(%a: f64[?], %b: f64[?], %s: float, %z: f64[]) -> tuple<f64[?], f64[?], f64[?], f64[?]> {
  %c = multiply %a, %s : f64[?]
  %d = add %c, %z : f64[?]
  %e = sqrt %d : f64[?]
  %g = multiply %e, %b : f64[?]
  %t = tuple %c, %d, %e, %g : tuple<f64[?], f64[?], f64[?], f64[?]>
  return %t
}
"""
    out = run_opt(text, "fuse-elementwise")
    # c, d, e depend on a (a 0-d array and a scalar cannot enlarge them) and are one group;
    # g also depends on b, whose extent may exceed a's (a of extent 1): not in that group
    filecheck(out, """
        CHECK: %c, %d, %e = fused %a, %s, %z : f64[?], f64[?], f64[?]
        CHECK: yield
        CHECK: %g = multiply %e, %b
    """)


# --- rewrites keep NumPy's warning messages; fusion does not reorder errors -------------------

def dot_of_transpose(A, B):
    return np.dot(A.T, B)


def square_of_array(a):
    return a ** 2


@pytest.mark.parametrize("func, args", [
    (dot_of_transpose, (np.full((2, 2), 1e300), np.full((2, 2), 1e300))),
    (square_of_array, (np.array([1e300, 2.0]),)),
    (square_of_array, (np.array([1e30, 2.0], dtype=np.float32),)),
])
def test_rewritten_products_warn_like_numpy(func, args):
    assert_same_outcome(func, *args)


def overflow_then_index(a, b, i):
    c = a * 1e308
    x = b[i]
    d = c + 1.0
    return d, x


def overflow_then_write(a, b):
    c = a * 1e308
    b[0] = 5.0
    d = c + 1.0
    return d


def index_then_overflow(a, b, i):
    x = b[i]
    c = a * 1e308
    d = c + x
    return d


@pytest.mark.parametrize("func, args", [
    (overflow_then_index, (np.array([10.0]), np.arange(3.0), 7)),
    (overflow_then_write, (np.array([10.0]), np.arange(3.0))),
    (index_then_overflow, (np.array([10.0]), np.arange(3.0), 7)),
])
def test_fusion_keeps_the_first_error_first(func, args):
    # on the oracle: which of two independent ops raises first when the runtime runs them at
    # once is the runtime's business; here the optimized program's order is checked
    assert_same_outcome_on_oracle(func, *args)


# --- may_raise_or_warn: an op it calls quiet is quiet on every extreme input -----------------

def _extremes(dtype: str, n: int = 13) -> np.ndarray:
    np_dtype = np.dtype({"bool": "bool"}.get(dtype, dtype.replace("f", "float").replace(
        "i", "int").replace("u", "uint").replace("c", "complex")))
    if np_dtype.kind == "f":
        info = np.finfo(np_dtype)
        vals = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, info.max, -info.max,
                info.smallest_subnormal, 2.5, -2.5, info.tiny]
    elif np_dtype.kind in "iu":
        info = np.iinfo(np_dtype)
        vals = [0, 1, info.max, info.min, 2, 7, info.max - 1, 3, 5, info.min + 1, 0, 1, 2]
        if np_dtype.kind == "i":
            vals[4:6] = [-1, -7]
    elif np_dtype.kind == "c":
        vals = [0, 1j, complex(np.inf, 0), complex(np.nan, 1), complex(1e308, 1e308), -1, 2.5]
    else:
        vals = [True, False]
    return np.resize(np.array(vals, dtype=np_dtype), n)


_PY = {"int": [0, 1, -1, 2**62, -2**63, 2**64 + 5, 300],
       "float": [0.0, -0.0, 1e308, -1e308, float("inf"), float("nan"), 5e-324, 3e38, 1e5],
       "bool": [True, False]}


def test_ops_called_quiet_never_raise_or_warn():
    from phylanx.analysis import may_raise_or_warn
    from phylanx.ir.core import Function
    from phylanx.ir.registry import OPS, TypeRuleError, lookup
    from phylanx.ir.types import ArrayType, ScalarType
    from phylanx.passes.ir_utils import infer_op

    lookup("add")
    kinds = [ArrayType("f64", (13,)), ArrayType("f32", (13,)), ArrayType("i64", (13,)),
             ArrayType("i8", (13,)), ArrayType("u8", (13,)), ArrayType("bool", (13,)),
             ArrayType("c128", (13,)), ArrayType("f64", ()), ScalarType("f64"),
             ScalarType("i64"), ScalarType("f32"), ScalarType("int"), ScalarType("float"),
             ScalarType("bool")]
    quiet = 0
    for name, decl in sorted(OPS.items()):
        if "elementwise" not in decl.traits or decl.regions:
            continue
        arity = len(decl.operands)
        combos = [(a,) for a in kinds] if arity == 1 else [
            (a, b) for a in kinds for b in kinds] if arity == 2 else [
            (a, b, b) for a in kinds for b in kinds]
        for types in combos:
            f = Function("f", list(types), [], types[0], "t.py")
            try:
                op = infer_op(name, list(f.args), {})
            except (TypeRuleError, TypeError, ValueError, KeyError):
                continue
            if may_raise_or_warn(op):
                continue
            quiet += 1
            values = []
            for k, t in enumerate(types):
                if isinstance(t, ArrayType):
                    values.append([np.roll(_extremes(t.dtype), k)[:t.shape[0]] if t.shape
                                   else _extremes(t.dtype)[k]])
                elif t.kind in _PY:
                    values.append(_PY[t.kind])
                else:
                    arr = _extremes(t.kind)
                    values.append([arr.dtype.type(x) for x in arr])
            import itertools
            for args in itertools.product(*values):
                args = [np.array(a) if isinstance(t, ArrayType) and not t.shape else a
                        for a, t in zip(args, types)]
                with np.errstate(all="raise"), warnings.catch_warnings():
                    warnings.simplefilter("error")
                    try:
                        op.decl.impl(*args, **op.attrs)
                    except Exception as e:  # noqa: BLE001
                        raise AssertionError(f"{name}{tuple(str(t) for t in types)} is called "
                                             f"quiet but {args!r}: {type(e).__name__}: {e}")
    assert quiet > 200


@pytest.mark.parametrize("name, attrs", [
    ("sum", {}), ("sum", {"axis": 0}), ("prod", {}), ("cumsum", {}), ("cumprod", {"axis": 0}),
    ("nansum", {}), ("any", {}), ("all", {"axis": 0}), ("count_nonzero", {}),
    ("astype", {"dtype": "f64"}), ("astype", {"dtype": "i64"}), ("astype", {"dtype": "f32"}),
    ("asarray", {"dtype": "c128"}), ("transpose", {}), ("ravel", {}), ("flatten", {}),
])
def test_reductions_and_casts_called_quiet_are_quiet(name, attrs):
    from phylanx.analysis import may_raise_or_warn
    from phylanx.ir.core import Function
    from phylanx.ir.registry import TypeRuleError
    from phylanx.ir.types import ArrayType
    from phylanx.passes.ir_utils import infer_op

    quiet = 0
    for dtype in ("f64", "f32", "i64", "i8", "u8", "bool", "c128"):
        for shape in ((13,), (0,), (2, 0), (13, 2)):
            t = ArrayType(dtype, (None,) * len(shape))
            f = Function("f", [t], [], t, "t.py")
            try:
                op = infer_op(name, list(f.args), attrs)
            except (TypeRuleError, TypeError, ValueError, KeyError):
                continue
            if may_raise_or_warn(op):
                continue
            quiet += 1
            x = np.resize(_extremes(dtype), shape)
            with np.errstate(all="raise"), warnings.catch_warnings():
                warnings.simplefilter("error")
                op.decl.impl(x, **op.attrs)
    expect_quiet = name in ("any", "all", "count_nonzero", "transpose", "ravel", "flatten") \
        or name in ("sum", "prod", "cumsum", "cumprod", "nansum", "asarray") \
        or attrs.get("dtype") in ("f64", "i64")
    assert quiet > 0 or not expect_quiet


# --- an invariant op behind an op that may raise stays in the loop ---------------------------

def indexed_then_invariant(a, idx, lam, lo, hi):
    out = np.zeros(3)
    for i in range(lo, hi):
        x = a[idx[i]]                       # may raise IndexError (in iteration 0 too)
        m = lam * np.eye(3)                 # invariant; inf * 0: invalid value
        out = out + m[0] * x
    return out


def indexed_then_invariant_backwards(a, idx, lam, lo, hi):
    out = np.zeros(3)
    for i in range(hi, lo, -2):
        x = a[idx[i]]
        m = lam * np.eye(3)
        out = out + m[0] * x
    return out


@pytest.mark.parametrize("func", [indexed_then_invariant, indexed_then_invariant_backwards])
@pytest.mark.parametrize("idx, lam, lo, hi", [
    ([0, 1, 2, 3], 2.0, 0, 3),
    ([0, 1, 2, 3], np.inf, 0, 3),
    ([9, 9, 1, 9], np.inf, 0, 3),           # IndexError before invalid, first iteration
    ([1, 1, 9, 9], np.inf, 0, 3),           # invalid, then IndexError in a later one
    ([0, 1, 2, 3], np.inf, 0, 0),           # zero trips
    ([0, 1, 2, 3], np.inf, 2, 3),           # one trip
])
def test_invariants_behind_an_op_that_may_raise_keep_their_order(func, idx, lam, lo, hi):
    args = (np.arange(5.0), np.array(idx), lam, lo, hi)
    module = assert_same_outcome_on_oracle(func, *args)
    text = print_module(module, locations=False)
    assert text.index("multiply %lam") > text.index("for_range")   # not hoisted


def nested_loops_of_zero_iterations(a, n):
    v = np.abs(a)
    for _ in range(0):
        for _ in range(0):
            v = v + 1
        for _ in range(n):
            v = v * 2
    return v * 2.0, a


def test_dce_removes_nested_zero_trip_loops():
    a = np.array([-1.5, 2.0, 3.0])
    kernel = phylanx.kernel(nested_loops_of_zero_iterations)
    got, expected = kernel(a.copy(), 2), nested_loops_of_zero_iterations(a.copy(), 2)
    assert_same(got, expected)
