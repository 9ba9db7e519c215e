"""Python scalars meeting NumPy scalars of the same dtype where paths meet.

`s = 0.0; for v in x: s += v` (x float64): Python's s is a float before the loop and an
np.float64 after an iteration. The kernel gives s one type, np.float64, holding the same
value; that differs from Python only where a Python float and an np.float64 behave
differently: NEP 50 (`s * np.float32(2)` is float32 for a Python float, float64 for an
np.float64) and Python's own scalar rules (`1 / s` raises ZeroDivisionError for a float,
gives inf for an np.float64). Values that may be either ("either values") are tracked; an
operation on them whose result type or behaviour would differ is refused, any other compiles
(and its result may be an either value in turn). A kernel returning an either value returns
the NumPy scalar.
"""

from __future__ import annotations

from phylanx.ir.core import Value
from phylanx.ir.registry import TypeRuleError, lookup
from phylanx.ir.types import ScalarType, Type, same_kind_of_value

_PYTHON_KIND = {"i64": "int", "f64": "float", "c128": "complex"}
# ops where Python scalars raise (ZeroDivisionError, OverflowError) and NumPy's do not
_PYTHON_ERRORS = frozenset({"true_divide", "floor_divide", "remainder", "divmod", "power"})
# ops that move values without computing on them
_MOVES = frozenset({"yield", "return", "if", "while", "for_range", "tuple", "call"})
_NUMPY_NAME = {"int": "np.int64", "float": "np.float64", "complex": "np.complex128"}


def _nonzero(c) -> bool:
    """Whether the compile-time constant `c` is a nonzero number (a divisor that cannot
    raise)."""
    return isinstance(c, (int, float, complex)) and c != 0


def weak_twin(t: Type) -> ScalarType | None:
    """The Python scalar type of a NumPy scalar type's dtype (f64 -> float), or None."""
    if isinstance(t, ScalarType) and t.kind in _PYTHON_KIND:
        return ScalarType(_PYTHON_KIND[t.kind])
    return None


class StrengthMixin:
    def either_type(self, v) -> ScalarType | None:
        """The Python scalar type `v` has on some paths (its type says the NumPy one)."""
        entry = self.either.get(id(v)) if isinstance(v, Value) else None
        return entry[1] if entry is not None and entry[0] is v else None

    def mark_either(self, v: Value, weak: ScalarType | None, origin: str = "") -> None:
        """Record that `v` is a `weak` Python scalar on some paths; `origin`: the variable
        whose paths met (for messages; default: v's own name)."""
        if weak is not None:
            self.either[id(v)] = (v, weak, origin or v.hint or "this value")

    def either_origin(self, v: Value) -> str:
        return self.either[id(v)][2]

    def merged_either(self, t: Type, *incoming) -> ScalarType | None:
        """The Python scalar type a value of merged type `t` may have, given the values or
        types that met (None when it has `t` on every path)."""
        weak = weak_twin(t)
        if weak is None:
            return None
        for x in incoming:
            if isinstance(x, Value) and self.either_type(x) is not None:
                return weak
            xt = x.type if isinstance(x, Value) else x
            if xt == weak:
                return weak
        return None

    def check_either_operands(self, name: str, operands, attrs) -> tuple | None:
        """For an op with either operands: None when its results do not depend on which the
        operands are, else (the Python-scalar type each result may have or None, the variable
        it comes from); raises when the result type or behaviour would differ."""
        weak = [self.either_type(v) for v in operands]
        if not any(weak) or name in _MOVES:
            return None
        decl = lookup(name)
        culprit = next(v for v, w in zip(operands, weak) if w is not None)
        try:
            attrs = decl.complete_attrs(dict(attrs or {}))
            strong_types = decl.result_types([v.type for v in operands], attrs)
            weak_types = decl.result_types([w or v.type for v, w in zip(operands, weak)], attrs)
        except TypeRuleError as e:
            raise self.strength_error(culprit, f"on that path this raises: {e}") from None
        if name in _PYTHON_ERRORS and all(
                isinstance(t, ScalarType) and t.weak for t in
                (w or v.type for v, w in zip(operands, weak))) and not (
                name != "power" and _nonzero(self.constant_of(operands[-1]))):
            raise self.strength_error(culprit, f"'{name}' of Python scalars raises where "
                                               "NumPy's gives inf or 0 (division by zero, "
                                               "overflow)")
        if strong_types == weak_types:
            return None
        if not all(map(same_kind_of_value, strong_types, weak_types)):
            raise self.strength_error(
                culprit, "the result type depends on which: "
                f"{', '.join(map(str, weak_types))} for the Python scalar, "
                f"{', '.join(map(str, strong_types))} for the NumPy one")
        return ([w if w != s else None for w, s in zip(weak_types, strong_types)],
                self.either_origin(culprit))

    def strength_error(self, v: Value, why: str):
        weak = self.either_type(v)
        name = self.either_origin(v)
        np_name = _NUMPY_NAME[weak.kind]
        return self.error(
            f"'{name}' is a Python {weak} on one path and an {np_name} on another (where paths "
            f"meet, phylanx keeps the {np_name}); {why}. Give it one type on every path, e.g. "
            f"{name} = {np_name}({name}) where it is first assigned",
            python_error=None)
