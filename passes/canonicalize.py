"""canonicalize: constant folding, exact algebraic identities, transposes into products.

Rewrites, each applied only when the result type equals the type of the value that replaces
it (so `x * 1` with x an int array and 1.0 a float is left alone) and only when exact for
every input, -0.0, infinities and NaN included:

    x * 1, 1 * x -> x      real dtypes (complex: (a+bi)*(1+0i) is NaN for b = inf)
    x / 1 -> x             real dtypes
    x - 0 -> x             x - (+0.0) == x for every x, -0.0 too; integer 0 likewise
    x + (-0.0) -> x        only the negative zero: -0.0 + 0.0 is +0.0, so `x + 0.0` stays
    x + 0 -> x             integer dtypes only
    -(-x), +x, x**1 -> x   (x**1: real dtypes, not NumPy float scalars, whose pow sets the
                           underflow flag on subnormals; -(-x): not NumPy integer scalars,
                           whose -x warns on overflow)
    x**2 -> square(x)      float arrays, the operator with a Python int 2: NumPy computes it as
                           np.square (same values and warnings, "overflow encountered in
                           square"); not np.power, `x**2.0` or scalars (their warnings say power)
    x**n -> x*x*...        integer arrays and Python ints, 2 <= n <= max_int_power (modular
                           arithmetic is exact; NumPy integer scalars would warn in multiply)
    transpose(transpose(x)) -> x when the permutations compose to the identity; transpose of
                           a 1-d array -> x; not(not(x)) -> x; convert to its own type -> x
    select(constant, a, b) -> a or b; dim/len of a known extent -> constant
    matmul(A.T, B), matmul(A, B.T) (A, B 2-d) -> matmul_t {transpose_a/b}, so no
                           transposed copy is made (BLAS reads the operand transposed); not
                           np.dot, whose warnings name "dot"

Replacing a freshly allocated array result by an existing array (x * 1 -> x) would make two
names share a buffer: it is done only when no in-place write in the function may touch either
value and the result is not returned. Unused pure ops that can neither raise nor warn
(effects.may_raise_or_warn) are removed at the end, as `dce` does.
"""

from __future__ import annotations

from phylanx.analysis import Effects, is_pure, is_reference, may_raise_or_warn
from phylanx.ir.core import Function, Module, Op, Value

from .fold import fold_op
from .ir_utils import erase, function_of, insert_before, replace_uses
from .manager import Pass, PassContext, register
from .patterns import identity_of, matmul_rewrite, power_expansion, static_extent


def _forward_ok(op: Op, x: Value, eff: Effects) -> bool:
    r = op.results[0]
    if r.type != x.type:
        return False
    if not is_reference(r.type) or "view" in op.decl.traits or op.name == "convert":
        return True
    return not eff.is_written(r, x) and not eff.is_returned(r)


def remove_dead(f: Function, module: Module | None, ctx: PassContext | None = None) -> int:
    """Erase unused pure ops without regions that cannot raise; returns the count."""
    removed = 0
    while True:
        used = {v for op in f.walk() for v in op.operands}
        dead = [op for op in f.walk() if not op.regions and op.results
                and not any(r in used for r in op.results) and is_pure(op, module)
                and not may_raise_or_warn(op, module)]
        if not dead:
            return removed
        for op in dead:
            erase(op)
        removed += len(dead)


@register
class Canonicalize(Pass):
    """Folding, exact identities and matmul_t formation (see module doc)."""

    name = "canonicalize"
    max_int_power: int = 4
    max_iterations: int = 8

    def run(self, module: Module, ctx: PassContext) -> None:
        for f in module.functions.values():
            for _ in range(self.max_iterations):
                changed = self._sweep(f, module, ctx)
                removed = remove_dead(f, module)
                ctx.count("ops-dead-removed", removed)
                if not changed and not removed:
                    break

    def _sweep(self, f: Function, module: Module, ctx: PassContext) -> bool:
        eff = Effects(f, module)
        changed = False
        for op in list(f.walk()):
            if op.parent is None or op.regions or not op.results:
                continue
            if fold_op(op) is not None:
                ctx.count("ops-folded")
                changed = True
                continue
            x = identity_of(op) if len(op.results) == 1 else None
            if x is not None and _forward_ok(op, x, eff):
                replace_uses(function_of(op), {op.results[0]: x})
                erase(op)
                ctx.count("identities")
                changed = True
                continue
            new = power_expansion(op, self.max_int_power) or matmul_rewrite(op)
            if new is None:
                const = static_extent(op)
                new = [const] if const is not None else None
            if new is not None:
                insert_before(op, new)
                replace_uses(function_of(op), {op.results[0]: new[-1].results[0]})
                erase(op)
                ctx.count("ops-rewritten")
                changed = True
        return changed
