"""fold: constant folding with NumPy's exact semantics; what must be left for run time."""

import numpy as np
import pytest

from phylanx.passes.testing import filecheck, run_opt


def fn(body: str, result: str = "int", args: str = "") -> str:
    return f"func @f({args}) -> {result} {{\n{body}}}\n"


def test_python_int_arithmetic():
    out = run_opt(fn("""\
  %0 = const {value = 2} : int
  %1 = const {value = 3} : int
  %2 = add %0, %1 : int
  %3 = multiply %2, %2 : int
  %4 = power %3, %3 : int
  return %4
"""), "fold")
    filecheck(out, f"""
        CHECK: %4 = const {{value = {25 ** 25}}} : int
        CHECK-NEXT: return %4
    """)


def test_numpy_scalar_dtypes_are_exact():
    out = run_opt(fn("""\
  %0 = const {value = 0.1} : f32
  %1 = const {value = 3} : int
  %2 = multiply %0, %1 : f32
  return %2
""", "f32"), "fold")
    exact = float(np.float32(0.1) * 3)
    assert exact != 0.1 * 3
    filecheck(out, f"CHECK: %2 = const {{value = {exact!r}}} : f32")


def test_negative_zero_and_nan():
    out = run_opt(fn("""\
  %0 = const {value = 0.0} : f64
  %1 = const {value = -1.0} : f64
  %2 = multiply %0, %1 : f64
  %3 = const {value = nan} : f64
  %4 = add %3, %1 : f64
  %5 = tuple %2, %4 : tuple<f64, f64>
  return %5
""", "tuple<f64, f64>"), "fold")
    filecheck(out, """
        CHECK: %2 = const {value = -0.0} : f64
        CHECK: %4 = const {value = nan} : f64
    """)


def test_comparisons_conversions_tuples():
    out = run_opt(fn("""\
  %0 = const {value = 2} : int
  %1 = const {value = 1} : int
  %2 = greater %0, %1 : bool
  %3 = const {value = 0.0} : float
  %4 = convert %3 : f64
  %5 = tuple %0, %4 : tuple<int, f64>
  %6 = tuple_get %5 {index = 1} : f64
  %7 = tuple %2, %6 : tuple<bool, f64>
  return %7
""", "tuple<bool, f64>"), "fold")
    filecheck(out, """
        CHECK: %2 = const {value = true} : bool
        CHECK: %4 = const {value = 0.0} : f64
        CHECK: %6 = const {value = 0.0} : f64
    """)


@pytest.mark.parametrize("body, op", [
    # Python int division by zero raises at run time: not folded.
    (("%0 = const {value = 1} : int\n  %1 = const {value = 0} : int\n"
      "  %2 = floor_divide %0, %1 : int\n  return %2\n"), "floor_divide"),
    (("%0 = const {value = 1.0} : float\n  %1 = const {value = 0.0} : float\n"
      "  %2 = true_divide %0, %1 : float\n  return %2\n"), "true_divide"),
    # NumPy would warn (divide by zero, overflow): the warning stays at run time.
    (("%0 = const {value = 1.0} : f64\n  %1 = const {value = 0.0} : f64\n"
      "  %2 = true_divide %0, %1 : f64\n  return %2\n"), "true_divide"),
    (("%0 = const {value = 127} : i8\n  %1 = const {value = 1} : i8\n"
      "  %2 = add %0, %1 : i8\n  return %2\n"), "add"),
    # never fold random draws
    (("%0 = const {value = 0} : int\n  %1 = const {value = 10} : int\n"
      "  %2 = const {value = none} : none\n  %3 = random.randint %0, %1, %2 : int\n"
      "  return %3\n"), "random.randint"),
])
def test_left_for_run_time(body, op):
    result = body.split(": ")[-1].split("\n")[0]
    out = run_opt(fn("  " + body, result), "fold")
    filecheck(out, f"CHECK: = {op} ")


def test_folded_constant_keeps_location():
    out = run_opt("""\
func @f() -> int @"k.py":1:1 {
  %0 = const {value = 2} : int @2:5
  %1 = const {value = 3} : int @2:9
  %2 = add %0, %1 : int @2:7
  return %2 @3:1
}
""", "fold", locations=True)
    filecheck(out, "CHECK: %2 = const {value = 5} : int @2:7")


def test_arrays_are_not_folded():
    out = run_opt(fn("""\
  %0 = const {value = 3} : int
  %1 = zeros %0 : f64[?]
  return %1
""", "f64[?]"), "fold")
    filecheck(out, "CHECK: zeros %0")
