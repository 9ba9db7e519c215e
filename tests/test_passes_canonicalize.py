"""canonicalize: exact identities only (-0.0, NaN, types), powers, transposes into matmul_t."""

import pytest

from phylanx.passes.testing import filecheck, run_opt


def unary(x_type: str, const: str, op: str, result: str, swap: bool = False) -> str:
    """exp(x <op> c) for x of `x_type`, c = const line's value and type."""
    value, ctype = const.split(":")
    a, b = ("%c", "%x") if swap else ("%x", "%c")
    return (f"func @f(%x: {x_type}) -> {result} {{\n"
            f"  %c = const {{value = {value.strip()}}} : {ctype.strip()}\n"
            f"  %y = {op} {a}, {b} : {result}\n"
            f"  %z = negative %y : {result}\n"
            f"  return %z\n}}\n")


@pytest.mark.parametrize("x_type, const, op, swap", [
    ("f64[?]", "1 : int", "multiply", False),
    ("f64[?]", "1.0 : float", "multiply", True),
    ("i32[?]", "1 : int", "multiply", False),
    ("f32[?]", "1.0 : float", "true_divide", False),
    ("f64[?]", "0.0 : float", "subtract", False),
    ("f64[?]", "0 : int", "subtract", False),
    ("f64[?]", "-0.0 : float", "add", False),
    ("f64[?]", "-0.0 : float", "add", True),
    ("i64[?]", "0 : int", "add", True),
    ("f64", "1.0 : float", "multiply", False),
    ("float", "1 : int", "multiply", False),
    ("float", "-0.0 : float", "add", False),
    ("c128[?]", "0.0 : float", "subtract", False),
    ("f64[?]", "1 : int", "power", False),
])
def test_exact_identities_apply(x_type, const, op, swap):
    out = run_opt(unary(x_type, const, op, x_type, swap), "canonicalize")
    filecheck(out, f"""
        CHECK-NOT: {op}
        CHECK: %z = negative %x
    """)


@pytest.mark.parametrize("x_type, const, op, result", [
    ("f64[?]", "0.0 : float", "add", "f64[?]"),        # -0.0 + 0.0 is +0.0
    ("f64[?]", "0 : int", "add", "f64[?]"),            # the int 0 becomes +0.0
    ("f64", "0.0 : float", "add", "f64"),
    ("f64[?]", "-0.0 : float", "subtract", "f64[?]"),  # x - (-0.0) is x + 0.0
    ("f64[?]", "0.0 : float", "multiply", "f64[?]"),   # NaN, inf, -0.0
    ("c128[?]", "1 : int", "multiply", "c128[?]"),     # (a + inf j) * (1 + 0j) has NaN
    ("i32[?]", "1.0 : float", "multiply", "f64[?]"),   # the type changes
    ("f32[?]", "1.0 : f64", "multiply", "f64[?]"),     # a strong f64 scalar promotes
    ("bool[?]", "1 : int", "multiply", "i64[?]"),
    ("i64[?]", "1 : int", "true_divide", "f64[?]"),
    ("f64[?]", "nan : float", "multiply", "f64[?]"),
])
def test_inexact_identities_do_not_apply(x_type, const, op, result):
    out = run_opt(unary(x_type, const, op, result), "canonicalize")
    filecheck(out, f"""
        CHECK: %y = {op}
        CHECK: %z = negative %y
    """)


def test_nan_and_negative_zero_constants_untouched():
    text = """func @f(%x: f64[?]) -> f64[?] {
  %0 = const {value = -0.0} : f64
  %1 = const {value = nan} : f64
  %2 = subtract %x, %0 : f64[?]
  %3 = add %2, %1 : f64[?]
  %4 = multiply %3, %0 : f64[?]
  return %4
}
"""
    out = run_opt(text, "canonicalize")
    filecheck(out, """
        CHECK: %0 = const {value = -0.0} : f64
        CHECK: %1 = const {value = nan} : f64
        CHECK: %2 = subtract %x, %0
        CHECK: %3 = add %2, %1
        CHECK: %4 = multiply %3, %0
    """)


def test_double_negation_and_transpose():
    out = run_opt("""func @f(%x: f64[?,?], %v: f64[?]) -> tuple<f64[?,?], f64[?]> {
  %0 = negative %x : f64[?,?]
  %1 = negative %0 : f64[?,?]
  %2 = transpose %1 : f64[?,?]
  %3 = transpose %2 : f64[?,?]
  %4 = exp %3 : f64[?,?]
  %5 = transpose %v : f64[?]
  %6 = exp %5 : f64[?]
  %7 = tuple %4, %6 : tuple<f64[?,?], f64[?]>
  return %7
}
""", "canonicalize")
    filecheck(out, """
        CHECK-NOT: negative
        CHECK-NOT: transpose
        CHECK: %0 = exp %x : f64[?,?]
        CHECK-NEXT: %1 = exp %v : f64[?]
    """)


def test_transpose_permutations_compose():
    out = run_opt("""func @f(%x: f64[?,?,?]) -> f64[?,?,?] {
  %0 = transpose %x {axes = (1, 2, 0)} : f64[?,?,?]
  %1 = transpose %0 {axes = (2, 0, 1)} : f64[?,?,?]
  %2 = transpose %x {axes = (1, 0, 2)} : f64[?,?,?]
  %3 = transpose %2 {axes = (1, 2, 0)} : f64[?,?,?]
  %4 = add %1, %3 : f64[?,?,?]
  return %4
}
""", "canonicalize")
    filecheck(out, """
        CHECK: transpose %x {axes = (1, 0, 2)}
        CHECK: transpose
        CHECK: add %x,
    """)


@pytest.mark.parametrize("x_type, n, expect", [
    # NumPy computes `array ** 2` as np.square: the same values and warnings
    ("f64[?]", "2 : int", ["%y = square %x : f64[?]", "negative %y"]),
    ("f32[?]", "2 : int", ["%y = square %x : f32[?]", "negative %y"]),
    ("i64[?]", "2 : int", ["%y = multiply %x, %x : i64[?]"]),
    ("i64[?]", "3 : int", ["%0 = multiply %x, %x", "%y = multiply %0, %x"]),
    ("i32[?]", "4 : int", ["%0 = multiply %x, %x", "%y = multiply %0, %0"]),
    ("int", "2 : int", ["%y = multiply %x, %x : int"]),
])
def test_small_integer_powers(x_type, n, expect):
    out = run_opt(unary(x_type, n, "power", x_type), "canonicalize")
    filecheck(out, "CHECK-NOT: power\n" + "\n".join(f"CHECK: {e}" for e in expect))


@pytest.mark.parametrize("x_type, n, result", [
    ("float", "2 : int", "float"),     # Python float: x**2 raises OverflowError, x*x is inf
    ("f64[?]", "3 : int", "f64[?]"),   # not exact in floating point
    ("c128[?]", "2 : int", "c128[?]"),
    ("i64[?]", "5 : int", "i64[?]"),   # beyond max-int-power
    ("i64[?]", "2.0 : float", "f64[?]"),
    ("f64[?]", "0.5 : float", "f64[?]"),
    ("f32[?]", "2.0 : float", "f32[?]"),  # NumPy's warnings for `x ** 2.0` say power
    ("f64", "2 : int", "f64"),            # NumPy scalars: "scalar power", not "multiply"
    ("i64", "3 : int", "i64"),            # i64 scalar power wraps quietly, multiply warns
])
def test_powers_left_alone(x_type, n, result):
    out = run_opt(unary(x_type, n, "power", result), "canonicalize")
    filecheck(out, "CHECK: %y = power %x, %c")


def test_max_int_power_option():
    out = run_opt(unary("i64[?]", "5 : int", "power", "i64[?]"), "canonicalize{max-int-power=6}")
    filecheck(out, "CHECK-NOT: power\nCHECK-COUNT-4: multiply")


def test_transposes_fold_into_matmul_t():
    out = run_opt("""func @f(%X: f64[?,?], %Y: f64[?,?], %v: f64[?]) -> tuple<f64[?], f64[?,?], f64[?,?]> @"k.py":1:1 {
  %0 = transpose %X : f64[?,?] @2:4
  %1 = matmul %0, %v : f64[?] @2:8
  %2 = transpose %Y : f64[?,?] @3:4
  %3 = matmul %X, %2 : f64[?,?] @3:8
  %4 = matmul %0, %2 : f64[?,?] @4:8
  %5 = tuple %1, %3, %4 : tuple<f64[?], f64[?,?], f64[?,?]> @5:4
  return %5 @5:4
}
""", "canonicalize", locations=True)
    filecheck(out, """
        CHECK-NOT: transpose
        CHECK: %0 = matmul_t %X, %v {transpose_a = true} : f64[?] @2:8
        CHECK-NEXT: %1 = matmul_t %X, %Y {transpose_b = true} : f64[?,?] @3:8
        CHECK-NEXT: %2 = matmul_t %X, %Y {transpose_a = true, transpose_b = true} : f64[?,?] @4:8
    """)


def test_matmul_t_of_transpose_flips_back():
    out = run_opt("""func @f(%X: f64[?,?], %v: f64[?]) -> f64[?] {
  %0 = transpose %X : f64[?,?]
  %1 = matmul_t %0, %v {transpose_a = true} : f64[?]
  return %1
}
""", "canonicalize")
    filecheck(out, "CHECK: %0 = matmul %X, %v : f64[?]\nCHECK-NOT: transpose")


def test_no_alias_when_result_is_written_or_returned():
    out = run_opt("""func @f(%x: f64[?]) -> f64[?] {
  %0 = const {value = 1} : int
  %1 = multiply %x, %0 : f64[?]
  %2 = const {value = 0} : int
  %3 = const {value = 5.0} : float
  %4 = setitem %1, %2, %3 {index = (i,)} : f64[?]
  %5 = multiply %x, %0 : f64[?]
  %6 = tuple %4, %5 : tuple<f64[?], f64[?]>
  return %6
}
""".replace("-> f64[?]", "-> tuple<f64[?], f64[?]>"), "canonicalize")
    # %1 is written in place: replacing it by %x would write into the argument.
    # %5 is returned: replacing it by %x would return the argument itself.
    filecheck(out, "CHECK: %1 = multiply %x, %0\nCHECK: %5 = multiply %x, %0")


def test_select_and_static_extents():
    out = run_opt("""func @f(%a: f64[?,3], %b: int, %c: int) -> int {
  %0 = const {value = true} : bool
  %1 = select %0, %b, %c : int
  %2 = dim %a {axis = 1} : int
  %3 = len %a : int
  %4 = add %1, %2 : int
  %5 = add %4, %3 : int
  return %5
}
""", "canonicalize")
    filecheck(out, """
        CHECK-NOT: select
        CHECK: %0 = const {value = 3} : int
        CHECK-NEXT: %1 = len %a
        CHECK-NEXT: %2 = add %b, %0 : int
    """)
