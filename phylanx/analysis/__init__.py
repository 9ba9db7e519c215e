"""phylanx.analysis: facts about PhySL programs shared by the optimizer and the runtime.

    values   constants, reference types, known-non-negative integers, use lists
    effects  purity, alias classes, reads/writes/random draws of ops and of called functions
    raising  may an op raise or warn, and the `quiet_when=` predicates ops declare it with
    loops    what running the iterations of a `for_range` concurrently needs

Layering: this package imports only phylanx.ir; phylanx.passes and phylanx.runtime both import
it (and never each other), so the rules they apply are one.
"""

from .effects import (
    Effects,
    FunctionEffects,
    arguments_overlap,
    function_effects,
    function_is_pure,
    is_pure,
    written_arguments,
)
from .loops import hands_back, parallel_loop_refusal
from .raising import may_raise_or_warn
from .values import NOT_CONST, const_value, is_reference, nonneg, outside_uses, uses

__all__ = [
    "NOT_CONST",
    "Effects",
    "FunctionEffects",
    "arguments_overlap",
    "const_value",
    "function_effects",
    "function_is_pure",
    "hands_back",
    "is_pure",
    "is_reference",
    "may_raise_or_warn",
    "nonneg",
    "outside_uses",
    "parallel_loop_refusal",
    "uses",
    "written_arguments",
]
