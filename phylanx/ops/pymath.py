"""Python's math module on scalars: `math.sqrt(x)` runs math.sqrt itself, so results are
Python floats (ints for floor/ceil/trunc) and errors are math's (`ValueError: math domain
error`, `OverflowError`), not NumPy's NaN and warnings. Array operands are refused: math
converts only one-element arrays, a difference phylanx does not imitate."""

from __future__ import annotations

import math

from phylanx.ir.registry import NumpyFunction, Params, TypeRuleError, declare
from phylanx.ir.types import BOOL, FLOAT, INT, NONE, ScalarType

_UNARY = ("sqrt", "exp", "expm1", "log10", "log2", "log1p", "sin", "cos", "tan", "asin",
          "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "fabs", "floor",
          "ceil", "trunc", "isnan", "isinf", "isfinite", "erf", "erfc", "gamma", "lgamma",
          "degrees", "radians", "cbrt", "exp2")
_BINARY = ("atan2", "hypot", "copysign", "pow", "fmod", "remainder", "ldexp", "isclose")


_RESULT = {**{n: BOOL for n in ("isnan", "isinf", "isfinite", "isclose")},
           **{n: INT for n in ("floor", "ceil", "trunc")}}


def _rule(name: str):
    """The result type of math.`name`: a Python float (int for floor/ceil/trunc, bool for
    the tests) for real scalar operands; anything else is refused."""
    def infer(types, attrs):
        for t in types:
            if t == NONE and name == "log":
                continue
            if not isinstance(t, ScalarType) or t.kind in ("complex", "c64", "c128"):
                raise TypeRuleError(f"math.{name}() takes real scalars here, got {t} (use "
                                    f"the NumPy function for arrays)")
        return _RESULT.get(name, FLOAT)
    return infer


for _name in _UNARY + _BINARY:
    _fn = getattr(math, _name, None)
    if _fn is None:          # math.cbrt and math.exp2 are Python 3.11+
        continue
    declare(f"math.{_name}", operands=("x",) if _name in _UNARY else ("x", "y"),
            infer=_rule(_name),
            traits=("pure",), impl=_fn, bindings=(NumpyFunction(f"math.{_name}"),),
            doc=f"Python's math.{_name} on scalars (its result type and its errors).")

def _log(x, base=None):
    return math.log(x) if base is None else math.log(x, base)


declare("math.log", operands=("x", "base"), params=Params(defaults={"base": None}),
        infer=_rule("log"), traits=("pure",),
        impl=_log, bindings=(NumpyFunction("math.log"),),
        doc="Python's math.log(x[, base]) on scalars.")
