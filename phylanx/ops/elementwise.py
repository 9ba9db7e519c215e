"""Elementwise ops: Python operators, NumPy ufuncs and a few ufunc-like functions.

Python operators (`a + b`) and their NumPy spellings (`np.add(a, b)`) agree on everything
except when every operand is a Python scalar: `1 + 2` is the Python int 3, `np.add(1, 2)` is
np.int64(3) (and `1 / 0` raises where `np.true_divide(1, 0)` gives inf). So each operator op
(`add`, bound to `+`) has a twin `np.add` bound to the NumPy name; the twin's `extra['same_as']`
names the operator op, whose kernels it may share whenever any operand is an array or a NumPy
scalar. Likewise `builtin.abs` / `builtin.round` are the Python builtins next to `absolute` and
`round`.

All type rules run the reference implementation on samples (see `_sample.py`), so result dtypes
follow NumPy's NEP 50 promotion exactly.
"""

from __future__ import annotations

import operator

import numpy as np

from phylanx.ir.registry import Attr, declare
from phylanx.ops._sample import infer_by_sample

_EW = ("pure", "allocates", "elementwise")
_OPERANDS = {1: ("x",), 2: ("x1", "x2")}


def _traits(commutative: bool) -> tuple:
    return _EW + (("commutative",) if commutative else ())


def _ufunc(name: str, impl, nargs: int, doc: str, numpy=None, commutative=False, **extra):
    """Declare a NumPy-only elementwise function."""
    return declare(name, operands=_OPERANDS[nargs], infer=infer_by_sample(impl, numeric=True),
                   traits=_traits(commutative), impl=impl, doc=doc,
                   numpy=tuple(numpy or (name,)), **extra)


# --- Python operators and their NumPy twins ------------------------------------------------

# name, operator symbol, Python operator, ufunc, NumPy names, commutative
def _python_power(a, b):
    """`a ** b`; a negative exponent on Python ints would give a float, which the int type
    rule cannot express, so it is an error (NumPy raises for integer arrays too)."""
    if type(a) is int and type(b) is int and b < 0:
        raise ValueError("int ** negative int gives a float in Python; phylanx types "
                         "int ** int as int: write a float base (2.0 ** n)")
    return a ** b


_BINARY_OPERATORS = [
    ("add", "+", operator.add, np.add, ("add",), True),
    ("subtract", "-", operator.sub, np.subtract, ("subtract",), False),
    ("multiply", "*", operator.mul, np.multiply, ("multiply",), True),
    ("true_divide", "/", operator.truediv, np.true_divide, ("true_divide", "divide"), False),
    ("floor_divide", "//", operator.floordiv, np.floor_divide, ("floor_divide",), False),
    ("remainder", "%", operator.mod, np.remainder, ("remainder", "mod"), False),
    ("power", "**", _python_power, np.power, ("power", "pow"), False),
    ("bitwise_and", "&", operator.and_, np.bitwise_and, ("bitwise_and",), True),
    ("bitwise_or", "|", operator.or_, np.bitwise_or, ("bitwise_or",), True),
    ("bitwise_xor", "^", operator.xor, np.bitwise_xor, ("bitwise_xor",), True),
    ("left_shift", "<<", operator.lshift, np.left_shift, ("left_shift", "bitwise_left_shift"),
     False),
    ("right_shift", ">>", operator.rshift, np.right_shift,
     ("right_shift", "bitwise_right_shift"), False),
    ("equal", "==", operator.eq, np.equal, ("equal",), True),
    ("not_equal", "!=", operator.ne, np.not_equal, ("not_equal",), True),
    ("less", "<", operator.lt, np.less, ("less",), False),
    ("less_equal", "<=", operator.le, np.less_equal, ("less_equal",), False),
    ("greater", ">", operator.gt, np.greater, ("greater",), False),
    ("greater_equal", ">=", operator.ge, np.greater_equal, ("greater_equal",), False),
]

_UNARY_OPERATORS = [
    ("negative", "-", operator.neg, np.negative, ("negative",)),
    ("positive", "+", operator.pos, np.positive, ("positive",)),
    ("invert", "~", operator.invert, np.invert, ("invert", "bitwise_not", "bitwise_invert")),
]

for _name, _sym, _py, _uf, _np_names, _comm in _BINARY_OPERATORS:
    declare(_name, operands=("x1", "x2"), infer=infer_by_sample(_py, numeric=True),
            traits=_traits(_comm), impl=_py, operator=_sym,
            fold=operator.pow if _name == "power" else None,
            doc=f"x1 {_sym} x2 (Python operator semantics for Python scalars).")
    declare("np." + _name, operands=("x1", "x2"), infer=infer_by_sample(_uf, numeric=True),
            traits=_traits(_comm), impl=_uf, numpy=_np_names, same_as=_name,
            doc=f"np.{_np_names[0]}(x1, x2); as '{_name}' except on Python scalars.")

for _name, _sym, _py, _uf, _np_names in _UNARY_OPERATORS:
    declare(_name, operands=("x",), infer=infer_by_sample(_py, numeric=True), traits=_EW,
            impl=_py, operator=_sym, doc=f"{_sym}x (Python operator semantics for scalars).")
    declare("np." + _name, operands=("x",), infer=infer_by_sample(_uf, numeric=True),
            traits=_EW, impl=_uf, numpy=_np_names, same_as=_name,
            doc=f"np.{_np_names[0]}(x); as '{_name}' except on Python scalars.")


# --- NumPy unary functions -----------------------------------------------------------------

_UNARY = [
    ("exp", np.exp, (), "e**x."),
    ("exp2", np.exp2, (), "2**x."),
    ("expm1", np.expm1, (), "exp(x) - 1, accurate near 0."),
    ("log", np.log, (), "Natural logarithm."),
    ("log2", np.log2, (), "Base-2 logarithm."),
    ("log10", np.log10, (), "Base-10 logarithm."),
    ("log1p", np.log1p, (), "log(1 + x), accurate near 0."),
    ("sqrt", np.sqrt, (), "Non-negative square root."),
    ("cbrt", np.cbrt, (), "Cube root."),
    ("square", np.square, (), "x*x."),
    ("sin", np.sin, (), "Sine."),
    ("cos", np.cos, (), "Cosine."),
    ("tan", np.tan, (), "Tangent."),
    ("arcsin", np.arcsin, ("arcsin", "asin"), "Inverse sine."),
    ("arccos", np.arccos, ("arccos", "acos"), "Inverse cosine."),
    ("arctan", np.arctan, ("arctan", "atan"), "Inverse tangent."),
    ("sinh", np.sinh, (), "Hyperbolic sine."),
    ("cosh", np.cosh, (), "Hyperbolic cosine."),
    ("tanh", np.tanh, (), "Hyperbolic tangent."),
    ("arcsinh", np.arcsinh, ("arcsinh", "asinh"), "Inverse hyperbolic sine."),
    ("arccosh", np.arccosh, ("arccosh", "acosh"), "Inverse hyperbolic cosine."),
    ("arctanh", np.arctanh, ("arctanh", "atanh"), "Inverse hyperbolic tangent."),
    ("absolute", np.absolute, ("absolute", "abs"), "np.abs(x): absolute value (modulus)."),
    ("fabs", np.fabs, (), "Absolute value of real numbers, as floats."),
    ("sign", np.sign, (), "Sign of x (-1, 0, 1; x/|x| for complex)."),
    ("floor", np.floor, (), "Round down."),
    ("ceil", np.ceil, (), "Round up."),
    ("trunc", np.trunc, (), "Round towards zero."),
    ("rint", np.rint, (), "Round to the nearest integer (half to even)."),
    ("isnan", np.isnan, (), "True where x is NaN."),
    ("isinf", np.isinf, (), "True where x is +-inf."),
    ("isfinite", np.isfinite, (), "True where x is neither inf nor NaN."),
    ("logical_not", np.logical_not, (), "Elementwise logical not."),
    ("reciprocal", np.reciprocal, (), "1/x (integer division for integers)."),
    ("deg2rad", np.deg2rad, ("deg2rad", "radians"), "Degrees to radians."),
    ("rad2deg", np.rad2deg, ("rad2deg", "degrees"), "Radians to degrees."),
]

for _name, _impl, _np_names, _doc in _UNARY:
    _ufunc(_name, _impl, 1, _doc, numpy=_np_names or None)

_ufunc("conj", np.conjugate, 1, "Complex conjugate.", numpy=("conj", "conjugate"),
       method=("conj", "conjugate"))


# --- NumPy binary functions ----------------------------------------------------------------

_BINARY = [
    ("logical_and", np.logical_and, (), True, "Elementwise logical and."),
    ("logical_or", np.logical_or, (), True, "Elementwise logical or."),
    ("logical_xor", np.logical_xor, (), True, "Elementwise logical xor."),
    ("maximum", np.maximum, (), True, "Elementwise maximum (NaN propagates)."),
    ("minimum", np.minimum, (), True, "Elementwise minimum (NaN propagates)."),
    ("fmax", np.fmax, (), True, "Elementwise maximum ignoring NaN."),
    ("fmin", np.fmin, (), True, "Elementwise minimum ignoring NaN."),
    ("arctan2", np.arctan2, ("arctan2", "atan2"), False, "Quadrant-correct arctan(x1/x2)."),
    ("hypot", np.hypot, (), True, "sqrt(x1**2 + x2**2)."),
    ("copysign", np.copysign, (), False, "Magnitude of x1 with the sign of x2."),
    ("heaviside", np.heaviside, (), False, "Heaviside step of x1; x2 where x1 == 0."),
]

for _name, _impl, _np_names, _comm, _doc in _BINARY:
    _ufunc(_name, _impl, 2, _doc, numpy=_np_names or None, commutative=_comm)


# --- Other elementwise functions -----------------------------------------------------------

def _where(condition, x, y):
    return np.where(condition, x, y)


def _clip(a, a_min=None, a_max=None):
    return np.clip(a, a_min, a_max)


def _round(a, decimals=0):
    return np.round(a, decimals)


def _builtin_round(number, ndigits=None):
    return round(number, ndigits)


declare("where", operands=("condition", "x", "y"), infer=infer_by_sample(_where, numeric=True),
        traits=_EW, impl=_where, numpy=("where",),
        doc="x where condition else y (always an array, 0-d for scalar operands).")
declare("clip", operands=("a", "a_min", "a_max"), infer=infer_by_sample(_clip, numeric=True),
        traits=_EW, impl=_clip, numpy=("clip",), method=("clip",),
        defaults={"a_min": None, "a_max": None}, aliases={"min": "a_min", "max": "a_max"},
        doc="Limit a to [a_min, a_max]; a None bound is not applied.")
declare("round", operands=("a",), attrs=(Attr("decimals", 0, "int"),),
        infer=infer_by_sample(_round, numeric=True), traits=_EW, impl=_round,
        numpy=("round", "around"), method=("round",), params=("a", "decimals"),
        doc="np.round(a, decimals): round half to even.")
declare("builtin.round", operands=("number",), attrs=(Attr("ndigits", None, "int"),),
        infer=infer_by_sample(_builtin_round, numeric=True), traits=("pure",),
        impl=_builtin_round, builtin=("round",), params=("number", "ndigits"),
        doc="Python's round(number, ndigits): an int without ndigits; arrays are rejected.")
declare("builtin.abs", operands=("x",), infer=infer_by_sample(abs, numeric=True), traits=_EW,
        impl=abs, builtin=("abs",), same_as="absolute",
        doc="Python's abs(x); as 'absolute' except on Python scalars.")
declare("real", operands=("val",), infer=infer_by_sample(np.real, numeric=True),
        traits=("pure", "view"), impl=np.real, numpy=("real",), attribute=("real",),
        doc="Real part (a view for complex arrays, the operand itself for real ones).")
declare("imag", operands=("val",), infer=infer_by_sample(np.imag, numeric=True),
        traits=("pure", "view"), impl=np.imag, numpy=("imag",), attribute=("imag",),
        doc="Imaginary part (a view for complex arrays, zeros for real ones).")
