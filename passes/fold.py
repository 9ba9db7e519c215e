"""fold: constant folding.

An op folds when every operand is a scalar constant (or `none`, or a tuple of those) and
every result is a scalar: first through its declaration's `fold` hook, else through its NumPy
reference implementation when the op is pure and deterministic (not `random`, not `inplace`,
no regions). Values are computed exactly as at run time, so NumPy's dtype rules, integer
wrap-around and NaN propagation are the runtime's; but an evaluation that raises (1 // 0 on
Python ints, an out-of-range conversion) or that sets a floating-point flag (overflow,
invalid, divide by zero: NumPy would warn) is left for run time, where it raises or warns.
The folded constant keeps the op's location and result name.
"""

from __future__ import annotations

import warnings

import numpy as np

from phylanx.analysis import NOT_CONST, const_value
from phylanx.ir.core import Module, Op
from phylanx.ir.types import NONE, ScalarType
from phylanx.ops._sample import type_of_result
from phylanx.ops.values import materialize, materializes_as_itself

from .ir_utils import (
    erase,
    function_of,
    insert_before,
    make_const,
    replace_uses,
)
from .manager import Pass, PassContext, register

_FOLD_BLOCKLIST = frozenset({"const", "undef", "list_empty"})


def foldable(op: Op) -> bool:
    decl = op.decl
    if op.regions or not op.operands or op.name in _FOLD_BLOCKLIST:
        return False
    if decl.traits & {"random", "io", "inplace", "terminator", "control"}:
        return False
    if decl.fold is None and (decl.impl is None or "pure" not in decl.traits):
        return False
    return all(isinstance(r.type, ScalarType) or r.type == NONE for r in op.results) \
        and bool(op.results)


def fold_values(op: Op) -> list | None:
    """The constant values of op's results, or None if it does not fold."""
    if not foldable(op):
        return None
    consts = [const_value(v) for v in op.operands]
    if any(c is NOT_CONST for c in consts):
        return None
    try:
        args = [_materialize(c, v.type) for c, v in zip(consts, op.operands)]
        kwargs = dict(op.attrs)
        if op.decl.needs_result_types:
            kwargs["result_types"] = [r.type for r in op.results]
        with np.errstate(all="raise"), warnings.catch_warnings():
            warnings.simplefilter("error")
            value = None
            if op.decl.fold is not None:
                value = op.decl.fold(*args, **op.attrs)
            if value is None:
                if op.decl.impl is None or "pure" not in op.decl.traits:
                    return None
                value = op.decl.impl(*args, **kwargs)
    except Exception:  # noqa: BLE001  left for run time, where it raises or warns
        return None
    values = [value] if len(op.results) == 1 else list(value)
    for v, r in zip(values, op.results):
        try:
            # The constant must come back as this very value and Python type
            if type_of_result(v) != r.type or not materializes_as_itself(v, r.type):
                return None
        except Exception:  # noqa: BLE001
            return None
    return values


def _materialize(value, t):
    if isinstance(value, tuple):
        return tuple(_materialize(v, et) for v, et in zip(value, t.elems))
    return materialize(value, t)


def fold_op(op: Op) -> list[Op] | None:
    """Replace `op` by constants if it folds; returns the new const ops."""
    values = fold_values(op)
    if values is None:
        return None
    consts = [make_const(v, r.type, op.loc, r.hint) for v, r in zip(values, op.results)]
    insert_before(op, consts)
    mapping = {r: c.results[0] for r, c in zip(op.results, consts)}
    replace_uses(function_of(op), mapping)
    erase(op)
    return consts


@register
class Fold(Pass):
    """Constant folding through fold hooks and reference implementations (see module doc)."""

    name = "fold"

    def run(self, module: Module, ctx: PassContext) -> None:
        for f in module.functions.values():
            for op in list(f.walk()):
                if op.parent is not None and fold_op(op) is not None:
                    ctx.count("ops-folded")
