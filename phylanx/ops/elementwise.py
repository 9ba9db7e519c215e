"""Elementwise ops: Python operators, NumPy ufuncs and a few ufunc-like functions.

Python operators (`a + b`) and their NumPy spellings (`np.add(a, b)`) agree on everything
except when every operand is a Python scalar: `1 + 2` is the Python int 3, `np.add(1, 2)` is
np.int64(3) (and `1 / 0` raises where `np.true_divide(1, 0)` gives inf). So each operator op
(`add`, bound to `+`) has a twin `np.add` bound to the NumPy name; the twin's `same_as` names
the operator op, whose kernels it may share whenever any operand is an array or a NumPy
scalar. Likewise `builtin.abs` / `builtin.round` are the Python builtins next to `absolute` and
`round`.

All type rules run the reference implementation on samples (see `_sample.py`), so result dtypes
follow NumPy's NEP 50 promotion exactly. `quiet_when` says for which classes of operands an op
can neither raise nor warn (see phylanx.analysis.raising.elementwise_quiet).
"""

from __future__ import annotations

import operator

import numpy as np

from phylanx.analysis.raising import always, elementwise_quiet, nonneg_constant_exponent
from phylanx.ir.registry import (
    Attr,
    Attribute,
    Builtin,
    Method,
    NumpyFunction,
    Operator,
    Params,
    TypeRuleError,
    declare,
)
from phylanx.ir.types import BOOL, ArrayType, ScalarType
from phylanx.ops._sample import broadcast_rule, infer_by_sample, require_numeric

_EW = ("pure", "allocates", "elementwise")
_OPERANDS = {1: ("x",), 2: ("x1", "x2")}

# Operand classes on which an op neither raises nor warns (phylanx.analysis.raising):
# comparisons, min/max of reals, rounding, tests, sign changes... set no floating-point flag
# for any real input, NaN and inf included (complex ones may)
_QUIET_REAL = elementwise_quiet(real=True, int_arrays=True, int_scalars=True)
# and with Python-operator semantics on Python scalars too
_QUIET_REAL_PY = elementwise_quiet(real=True, int_arrays=True, int_scalars=True, python=True)
# bitwise ops on integers never overflow
_QUIET_INT = elementwise_quiet(int_arrays=True, int_scalars=True)
_QUIET_INT_PY = elementwise_quiet(int_arrays=True, int_scalars=True, python=True)
# integer + - * on arrays wrap around silently (NumPy scalars warn on overflow); Python ints
# are unbounded and Python floats overflow to inf silently
_QUIET_WRAPPING_PY = elementwise_quiet(int_arrays=True, python=True)
# -x and abs(x) of the most negative NumPy integer scalar warn (overflow)
_QUIET_SIGN = elementwise_quiet(real=True, int_arrays=True)
_QUIET_SIGN_PY = elementwise_quiet(real=True, int_arrays=True, python=True)
_QUIET_INT_ARRAYS = elementwise_quiet(int_arrays=True)


def _traits(commutative: bool) -> tuple:
    return _EW + (("commutative",) if commutative else ())


def _numpy(*paths: str) -> tuple:
    return tuple(NumpyFunction("np." + p) for p in paths)


def _ufunc(name: str, impl, nargs: int, doc: str, numpy=None, commutative=False, bindings=(),
           quiet_when=None):
    """Declare a NumPy-only elementwise function."""
    return declare(name, operands=_OPERANDS[nargs], infer=infer_by_sample(impl, numeric=True),
                   traits=_traits(commutative), impl=impl, doc=doc,
                   bindings=_numpy(*(numpy or (name,))) + tuple(bindings),
                   quiet_when=quiet_when)


# --- Python operators and their NumPy twins ------------------------------------------------

# The one documented run-time difference (docs/semantics.md); the fuzzer knows it by this text.
INT_NEGATIVE_POWER = ("int ** negative int gives a float in Python; phylanx types int ** int "
                      "as int: write a float base (2.0 ** n)")


def _python_power(a, b):
    """`a ** b`; a negative exponent on Python ints would give a float, which the int type
    rule cannot express, so it is an error (NumPy raises for integer arrays too)."""
    if type(a) is int and type(b) is int and b < 0:
        raise ValueError(INT_NEGATIVE_POWER)
    return a ** b


_QUIET_POWER = elementwise_quiet(int_arrays=nonneg_constant_exponent,
                                 int_scalars=nonneg_constant_exponent)

# name, operator symbol, Python operator, ufunc, NumPy names, commutative, quiet when
_BINARY_OPERATORS = [
    ("add", "+", operator.add, np.add, ("add",), True, _QUIET_WRAPPING_PY),
    ("subtract", "-", operator.sub, np.subtract, ("subtract",), False, _QUIET_WRAPPING_PY),
    ("multiply", "*", operator.mul, np.multiply, ("multiply",), True, _QUIET_WRAPPING_PY),
    ("true_divide", "/", operator.truediv, np.true_divide, ("true_divide", "divide"), False,
     None),
    ("floor_divide", "//", operator.floordiv, np.floor_divide, ("floor_divide",), False, None),
    ("remainder", "%", operator.mod, np.remainder, ("remainder", "mod"), False, None),
    ("power", "**", _python_power, np.power, ("power", "pow"), False, _QUIET_POWER),
    ("bitwise_and", "&", operator.and_, np.bitwise_and, ("bitwise_and",), True, _QUIET_INT_PY),
    ("bitwise_or", "|", operator.or_, np.bitwise_or, ("bitwise_or",), True, _QUIET_INT_PY),
    ("bitwise_xor", "^", operator.xor, np.bitwise_xor, ("bitwise_xor",), True, _QUIET_INT_PY),
    ("left_shift", "<<", operator.lshift, np.left_shift, ("left_shift", "bitwise_left_shift"),
     False, _QUIET_INT),
    ("right_shift", ">>", operator.rshift, np.right_shift,
     ("right_shift", "bitwise_right_shift"), False, _QUIET_INT),
    ("equal", "==", operator.eq, np.equal, ("equal",), True, _QUIET_REAL_PY),
    ("not_equal", "!=", operator.ne, np.not_equal, ("not_equal",), True, _QUIET_REAL_PY),
    ("less", "<", operator.lt, np.less, ("less",), False, _QUIET_REAL_PY),
    ("less_equal", "<=", operator.le, np.less_equal, ("less_equal",), False, _QUIET_REAL_PY),
    ("greater", ">", operator.gt, np.greater, ("greater",), False, _QUIET_REAL_PY),
    ("greater_equal", ">=", operator.ge, np.greater_equal, ("greater_equal",), False,
     _QUIET_REAL_PY),
]

_UNARY_OPERATORS = [
    ("negative", "-", operator.neg, np.negative, ("negative",), _QUIET_SIGN_PY),
    ("positive", "+", operator.pos, np.positive, ("positive",), _QUIET_REAL_PY),
    ("invert", "~", operator.invert, np.invert, ("invert", "bitwise_not", "bitwise_invert"),
     _QUIET_INT),
]

for _name, _sym, _py, _uf, _np_names, _comm, _quiet in _BINARY_OPERATORS:
    declare(_name, operands=("x1", "x2"), infer=infer_by_sample(_py, numeric=True),
            traits=_traits(_comm), impl=_py, bindings=(Operator(_sym),), quiet_when=_quiet,
            fold=operator.pow if _name == "power" else None,
            doc=f"x1 {_sym} x2 (Python operator semantics for Python scalars).")
    declare("np." + _name, operands=("x1", "x2"), infer=infer_by_sample(_uf, numeric=True),
            traits=_traits(_comm), impl=_uf, bindings=_numpy(*_np_names), same_as=_name,
            quiet_when=_quiet,
            doc=f"np.{_np_names[0]}(x1, x2); as '{_name}' except on Python scalars.")

for _name, _sym, _py, _uf, _np_names, _quiet in _UNARY_OPERATORS:
    declare(_name, operands=("x",), infer=infer_by_sample(_py, numeric=True), traits=_EW,
            impl=_py, bindings=(Operator(_sym),), quiet_when=_quiet,
            doc=f"{_sym}x (Python operator semantics for scalars).")
    declare("np." + _name, operands=("x",), infer=infer_by_sample(_uf, numeric=True),
            traits=_EW, impl=_uf, bindings=_numpy(*_np_names), same_as=_name,
            quiet_when=_quiet,
            doc=f"np.{_np_names[0]}(x); as '{_name}' except on Python scalars.")


# --- NumPy unary functions -----------------------------------------------------------------

_UNARY = [
    ("exp", np.exp, (), "e**x.", None),
    ("exp2", np.exp2, (), "2**x.", None),
    ("expm1", np.expm1, (), "exp(x) - 1, accurate near 0.", None),
    ("log", np.log, (), "Natural logarithm.", None),
    ("log2", np.log2, (), "Base-2 logarithm.", None),
    ("log10", np.log10, (), "Base-10 logarithm.", None),
    ("log1p", np.log1p, (), "log(1 + x), accurate near 0.", None),
    ("sqrt", np.sqrt, (), "Non-negative square root.", None),
    ("cbrt", np.cbrt, (), "Cube root.", None),
    ("square", np.square, (), "x*x.", _QUIET_INT_ARRAYS),
    ("sin", np.sin, (), "Sine.", None),
    ("cos", np.cos, (), "Cosine.", None),
    ("tan", np.tan, (), "Tangent.", None),
    ("arcsin", np.arcsin, ("arcsin", "asin"), "Inverse sine.", None),
    ("arccos", np.arccos, ("arccos", "acos"), "Inverse cosine.", None),
    ("arctan", np.arctan, ("arctan", "atan"), "Inverse tangent.", None),
    ("sinh", np.sinh, (), "Hyperbolic sine.", None),
    ("cosh", np.cosh, (), "Hyperbolic cosine.", None),
    ("tanh", np.tanh, (), "Hyperbolic tangent.", None),
    ("arcsinh", np.arcsinh, ("arcsinh", "asinh"), "Inverse hyperbolic sine.", None),
    ("arccosh", np.arccosh, ("arccosh", "acosh"), "Inverse hyperbolic cosine.", None),
    ("arctanh", np.arctanh, ("arctanh", "atanh"), "Inverse hyperbolic tangent.", None),
    ("absolute", np.absolute, ("absolute", "abs"), "np.abs(x): absolute value (modulus).",
     _QUIET_SIGN),
    ("fabs", np.fabs, (), "Absolute value of real numbers, as floats.", _QUIET_REAL),
    ("sign", np.sign, (), "Sign of x (-1, 0, 1; x/|x| for complex).", _QUIET_REAL),
    ("floor", np.floor, (), "Round down.", _QUIET_REAL),
    ("ceil", np.ceil, (), "Round up.", _QUIET_REAL),
    ("trunc", np.trunc, (), "Round towards zero.", _QUIET_REAL),
    ("rint", np.rint, (), "Round to the nearest integer (half to even).", _QUIET_REAL),
    ("isnan", np.isnan, (), "True where x is NaN.", _QUIET_REAL),
    ("isinf", np.isinf, (), "True where x is +-inf.", _QUIET_REAL),
    ("isfinite", np.isfinite, (), "True where x is neither inf nor NaN.", _QUIET_REAL),
    ("logical_not", np.logical_not, (), "Elementwise logical not.", _QUIET_REAL),
    ("reciprocal", np.reciprocal, (), "1/x (integer division for integers).", None),
    ("deg2rad", np.deg2rad, ("deg2rad", "radians"), "Degrees to radians.", None),
    ("rad2deg", np.rad2deg, ("rad2deg", "degrees"), "Radians to degrees.", None),
]

for _name, _impl, _np_names, _doc, _quiet in _UNARY:
    _ufunc(_name, _impl, 1, _doc, numpy=_np_names or None, quiet_when=_quiet)

_ufunc("conj", np.conjugate, 1, "Complex conjugate.", numpy=("conj", "conjugate"),
       bindings=(Method("conj"), Method("conjugate")), quiet_when=_QUIET_REAL)


# --- NumPy binary functions ----------------------------------------------------------------

_BINARY = [
    ("logical_and", np.logical_and, (), True, "Elementwise logical and.", _QUIET_REAL),
    ("logical_or", np.logical_or, (), True, "Elementwise logical or.", _QUIET_REAL),
    ("logical_xor", np.logical_xor, (), True, "Elementwise logical xor.", _QUIET_REAL),
    ("maximum", np.maximum, (), True, "Elementwise maximum (NaN propagates).", _QUIET_REAL),
    ("minimum", np.minimum, (), True, "Elementwise minimum (NaN propagates).", _QUIET_REAL),
    ("fmax", np.fmax, (), True, "Elementwise maximum ignoring NaN.", _QUIET_REAL),
    ("fmin", np.fmin, (), True, "Elementwise minimum ignoring NaN.", _QUIET_REAL),
    ("arctan2", np.arctan2, ("arctan2", "atan2"), False, "Quadrant-correct arctan(x1/x2).",
     None),
    ("hypot", np.hypot, (), True, "sqrt(x1**2 + x2**2).", None),
    ("copysign", np.copysign, (), False, "Magnitude of x1 with the sign of x2.", _QUIET_REAL),
    ("heaviside", np.heaviside, (), False, "Heaviside step of x1; x2 where x1 == 0.",
     _QUIET_REAL),
]

for _name, _impl, _np_names, _comm, _doc, _quiet in _BINARY:
    _ufunc(_name, _impl, 2, _doc, numpy=_np_names or None, commutative=_comm,
           quiet_when=_quiet)


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
        traits=_EW, impl=_where, bindings=_numpy("where"), quiet_when=_QUIET_REAL,
        doc="x where condition else y (always an array, 0-d for scalar operands).")
declare("clip", operands=("a", "a_min", "a_max"), infer=infer_by_sample(_clip, numeric=True),
        traits=_EW, impl=_clip, bindings=(*_numpy("clip"), Method("clip")),
        params=Params(defaults={"a_min": None, "a_max": None},
                      aliases={"min": "a_min", "max": "a_max"}),
        quiet_when=_QUIET_REAL, doc="Limit a to [a_min, a_max]; a None bound is not applied.")
declare("round", operands=("a",), attrs=(Attr("decimals", 0, "int"),),
        infer=infer_by_sample(_round, numeric=True), traits=_EW, impl=_round,
        bindings=(*_numpy("round", "around"), Method("round")),
        doc="np.round(a, decimals): round half to even.")
declare("builtin.round", operands=("number",), attrs=(Attr("ndigits", None, "int"),),
        infer=infer_by_sample(_builtin_round, numeric=True), traits=("pure",),
        impl=_builtin_round, bindings=(Builtin("round"),),
        doc="Python's round(number, ndigits): an int without ndigits; arrays are rejected.")
declare("builtin.abs", operands=("x",), infer=infer_by_sample(abs, numeric=True), traits=_EW,
        impl=abs, bindings=(Builtin("abs"),), same_as="absolute", quiet_when=_QUIET_SIGN,
        doc="Python's abs(x); as 'absolute' except on Python scalars.")
declare("real", operands=("val",), infer=infer_by_sample(np.real, numeric=True),
        traits=("pure", "view"), impl=np.real,
        bindings=(*_numpy("real"), Attribute("real", scalars=True)), quiet_when=always,
        doc="Real part (a view for complex arrays, the operand itself for real ones).")
declare("imag", operands=("val",), infer=infer_by_sample(np.imag, numeric=True),
        traits=("pure", "view"), impl=np.imag,
        bindings=(*_numpy("imag"), Attribute("imag", scalars=True)), quiet_when=always,
        doc="Imaginary part (a view for complex arrays, zeros for real ones).")


# --- more ufuncs ---------------------------------------------------------------------------
# The elementwise engine (runtime/_ew_program.py) computes these natively; an elementwise op
# it lacks would make every fused group holding it run NumPy's reference instead.

_UNARY_MORE = [
    ("signbit", np.signbit, "True where the sign bit is set (-0.0 too).", _QUIET_REAL),
]
_BINARY_MORE = [
    ("float_power", np.float_power, False, "x1 ** x2 computed in float64 (or complex128).",
     None),
    ("fmod", np.fmod, False, "C remainder of x1 / x2: the sign of x1.", None),
    ("logaddexp", np.logaddexp, True, "log(exp(x1) + exp(x2)) without overflow.", None),
    ("logaddexp2", np.logaddexp2, True, "log2(2**x1 + 2**x2) without overflow.", None),
    ("gcd", np.gcd, True, "Greatest common divisor of |x1| and |x2| (integers).", None),
    ("lcm", np.lcm, True, "Least common multiple of |x1| and |x2| (integers).", None),
]

for _name, _impl, _doc, _quiet in _UNARY_MORE:
    _ufunc(_name, _impl, 1, _doc, quiet_when=_quiet)
for _name, _impl, _comm, _doc, _quiet in _BINARY_MORE:
    _ufunc(_name, _impl, 2, _doc, commutative=_comm, quiet_when=_quiet)


# Ufuncs the engine does not compute: NumPy's loops run them (no 'elementwise' trait, so
# fusion leaves their neighbours native).
_NEW = ("pure", "allocates")

for _name, _impl, _nargs, _doc in [
    ("nextafter", np.nextafter, 2, "The next float after x1 towards x2."),
    ("spacing", np.spacing, 1, "Distance from x to the next float of larger magnitude."),
    ("ldexp", np.ldexp, 2, "x1 * 2**x2 (x2 an integer)."),
    ("bitwise_count", np.bitwise_count, 1, "Number of 1 bits in |x| (integers)."),
]:
    declare(_name, operands=_OPERANDS[_nargs], infer=infer_by_sample(_impl, numeric=True),
            traits=_NEW, impl=_impl, doc=_doc, bindings=_numpy(_name))


def _two_results(types, attrs):
    shape = broadcast_rule(types, attrs)
    return (shape, shape)


for _name, _impl, _nargs, _doc in [
    ("divmod", np.divmod, 2, "(x1 // x2, x1 % x2) as a tuple of arrays."),
    ("modf", np.modf, 1, "(fractional part, integral part) of x, as a tuple."),
    ("frexp", np.frexp, 1, "(mantissa, exponent) with x = mantissa * 2**exponent, a tuple."),
]:
    declare(_name, operands=_OPERANDS[_nargs],
            infer=infer_by_sample(_impl, shape=_two_results, numeric=True), traits=_NEW,
            impl=_impl, doc=_doc, bindings=_numpy(_name))


# --- elementwise functions that are not ufuncs ---------------------------------------------

def _isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return np.isclose(a, b, rtol, atol, equal_nan)


def _allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return np.allclose(a, b, rtol, atol, equal_nan)


def _array_equal(a1, a2, equal_nan=False):
    return np.array_equal(a1, a2, equal_nan=equal_nan)


def _nan_to_num(x, nan=0.0, posinf=None, neginf=None, copy=True):
    return np.nan_to_num(x, copy=copy, nan=nan, posinf=posinf, neginf=neginf)


def _angle(z, deg=False):
    return np.angle(z, deg)


def _check_copy(types, attrs):
    if not attrs.get("copy", True):
        raise TypeRuleError("copy=False (in place) is not supported; assign the result: "
                            "x = np.nan_to_num(x)")


_TOLERANCES = Params(("a", "b", "rtol", "atol", "equal_nan"),
                     defaults={"rtol": 1e-05, "atol": 1e-08})
declare("isclose", operands=("a", "b", "rtol", "atol"), attrs=(Attr("equal_nan", False, "bool"),),
        infer=infer_by_sample(_isclose, numeric=True), traits=_NEW, impl=_isclose,
        bindings=_numpy("isclose"), params=_TOLERANCES,
        doc="|a - b| <= atol + rtol * |b| elementwise (NaNs equal with equal_nan).")
declare("allclose", operands=("a", "b", "rtol", "atol"),
        attrs=(Attr("equal_nan", False, "bool"),),
        infer=infer_by_sample(_allclose, shape=None, numeric=True), traits=("pure",),
        impl=_allclose, bindings=_numpy("allclose"), params=_TOLERANCES,
        doc="Python bool: isclose(a, b) everywhere.")
declare("array_equal", operands=("a1", "a2"), attrs=(Attr("equal_nan", False, "bool"),),
        infer=infer_by_sample(_array_equal, shape=None, numeric=True), traits=("pure",),
        impl=_array_equal, bindings=_numpy("array_equal"),
        doc="Python bool: same shape and elements (False for other shapes).")
declare("array_equiv", operands=("a1", "a2"),
        infer=infer_by_sample(np.array_equiv, shape=None, numeric=True), traits=("pure",),
        impl=np.array_equiv, bindings=_numpy("array_equiv"),
        doc="Python bool: the operands broadcast to one shape and are equal there.")
declare("nan_to_num", operands=("x", "nan", "posinf", "neginf"),
        attrs=(Attr("copy", True, "bool"),),
        infer=infer_by_sample(_nan_to_num, check=_check_copy, numeric=True),
        traits=_NEW, impl=_nan_to_num, bindings=_numpy("nan_to_num"),
        params=Params(("x", "copy", "nan", "posinf", "neginf"),
                      defaults={"nan": 0.0, "posinf": None, "neginf": None}),
        doc="x with NaN and infinities replaced (by 0 and the dtype's extremes by default).")
declare("angle", operands=("z",), attrs=(Attr("deg", False, "bool"),),
        infer=infer_by_sample(_angle, numeric=True), traits=_NEW, impl=_angle,
        bindings=_numpy("angle"), doc="Argument of complex numbers (radians, or degrees).")

for _name, _doc in [
    ("fix", "Round towards zero (floats stay floats)."),
    ("sinc", "sin(pi x) / (pi x), 1 at 0."),
    ("i0", "Modified Bessel function of the first kind, order 0."),
    ("isneginf", "True where x is -inf."),
    ("isposinf", "True where x is +inf."),
    ("isreal", "True where the imaginary part is zero."),
    ("iscomplex", "True where the imaginary part is not zero."),
]:
    declare(_name, operands=("x",), infer=infer_by_sample(getattr(np, _name), numeric=True),
            traits=_NEW, impl=getattr(np, _name), bindings=_numpy(_name), doc=_doc)


def _static_obj_kind(test):
    """static_value of np.isrealobj / np.iscomplexobj / np.isscalar: from the type alone."""
    def static(types, attrs):
        return test(types[0])

    return static


def _bool_of_numeric(types, attrs):
    require_numeric(types)
    return BOOL


def _is_complex_type(t) -> bool:
    return isinstance(t, (ArrayType, ScalarType)) and t.dtype in ("c64", "c128")


for _name, _test, _doc in [
    ("isrealobj", lambda t: not _is_complex_type(t), "Python bool: x's dtype is not complex."),
    ("iscomplexobj", _is_complex_type, "Python bool: x's dtype is complex."),
    ("isscalar", lambda t: isinstance(t, ScalarType), "Python bool: x is a scalar, not an array."),
]:
    declare(_name, operands=("x",), infer=_bool_of_numeric, traits=("pure",),
            impl=getattr(np, _name), bindings=_numpy(_name), quiet_when=always,
            static_value=_static_obj_kind(_test), doc=_doc + " (From the type.)")
