"""numpy.random.Generator: `rng = np.random.default_rng(seed)` and the methods of `rng`.

`random.default_rng` makes a real NumPy Generator (a value of object type 'generator');
`generator.<name>` calls its method `rng.<name>(...)`, so a kernel draws bit-identical streams
to NumPy's for the same seed, and a Generator passed in as an argument advances as it would in
Python. The ops are declared from NumPy's own signatures by phylanx.ops.random.declare_draws;
every one carries the 'random' trait (program order, never merged, moved or removed).
"""

from __future__ import annotations

import numpy as np

from phylanx.ir.registry import Method, NumpyFunction, Params, TypeRuleError, declare
from phylanx.ir.types import GENERATOR, ArrayType, NoneType
from phylanx.ops._sample import is_int_type
from phylanx.ops.random import declare_draws

# Not declared: `bit_generator` is an attribute, and `spawn` returns a list of Generators.
_LEFT_OUT = frozenset({"bit_generator", "spawn"})


def _default_rng(seed=None):
    return np.random.default_rng(seed)


def _infer_default_rng(types, attrs):
    (seed,) = types
    if not (isinstance(seed, NoneType) or seed == GENERATOR or is_int_type(seed)
            and seed.kind != "bool" or isinstance(seed, ArrayType) and seed.dtype[0] in "iu"):
        raise TypeRuleError(f"default_rng needs None, a non-negative integer (or an integer "
                            f"array) or a Generator as seed, got {seed}", TypeError)
    return GENERATOR


def generator_methods() -> list[str]:
    """The Generator methods kernels may call."""
    return [n for n in dir(np.random.Generator)
            if not n.startswith("_") and n not in _LEFT_OUT]


declare("random.default_rng", operands=("seed",), infer=_infer_default_rng, traits=("random",),
        impl=_default_rng, bindings=(NumpyFunction("np.random.default_rng"),),
        params=Params(defaults={"seed": None}),
        doc="A new Generator (PCG64) seeded with seed; a Generator seed is returned as is.")

for _name in generator_methods():
    _method = getattr(np.random.Generator, _name)
    declare_draws("generator", _name, _method, _method,
                  (Method(_name, on=np.random.Generator),), receiver="rng")

__all__ = ["generator_methods"]
