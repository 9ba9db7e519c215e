"""numpy.random: draws from NumPy's global (legacy) generator, so np.random.seed reproduces.

Ops are named like their NumPy function (`random.normal`) and carry the 'random' trait: they
are never CSE'd, hoisted or folded. Type inference samples the reference implementation but
restores the global random state afterwards. A `size` operand is None (a Python scalar result
for scalar parameters), an integer or a tuple of integers, as in NumPy.
"""

from __future__ import annotations

import numpy as np

from phylanx.ir.registry import Attr, NumpyFunction, Params, TypeRuleError, declare
from phylanx.ir.types import ArrayType, NoneType, broadcast_shapes
from phylanx.ops._sample import (
    infer_by_sample,
    is_int_type,
    np_dtype,
    require_numeric,
    sample_value,
    shape_of,
    shape_rank,
)

_RANDOM = ("random", "allocates")


def _size_shape(types, attrs):
    """Extents of a result: from the `size` operand (the last), else broadcast parameters."""
    *params, size = types
    require_numeric(params, allow_none=True)
    if isinstance(size, NoneType):
        try:
            return broadcast_shapes(*[t.shape for t in params if isinstance(t, ArrayType)])
        except ValueError as e:
            raise TypeRuleError(str(e)) from None
    return (None,) * shape_rank(size, "size")


def _dims_shape(types, attrs):
    return (None,) * shape_rank(types[0], "dimensions")


def _random_op(name, operands, impl, shape, doc, attrs=(), sampler=None, numpy=None,
               params=None):
    """Declare random.<name>, bound to np.random.<name> (or the NumPy names `numpy`)."""
    declare("random." + name, operands=operands, attrs=attrs,
            infer=infer_by_sample(impl, shape=shape, check=shape, random=True, sampler=sampler),
            traits=_RANDOM, impl=impl, doc=doc, params=params,
            bindings=tuple(NumpyFunction("np." + n) for n in numpy or ("random." + name,)))


def _infer_seed(types, attrs):
    (t,) = types
    if not (isinstance(t, NoneType) or is_int_type(t) or isinstance(t, ArrayType)
            and t.dtype[0] in "iu"):
        raise TypeRuleError(f"seed must be None or an integer, got {t}")
    return ()


def _seed(seed=None):
    np.random.seed(seed)


declare("random.seed", operands=("seed",), infer=_infer_seed, traits=("random",), impl=_seed,
        results=0, bindings=(NumpyFunction("np.random.seed"),),
        params=Params(defaults={"seed": None}),
        doc="Reseed the global generator (no result).")


def _rand(shape=()):
    return np.random.rand(*shape) if isinstance(shape, tuple) else np.random.rand(shape)


def _randn(shape=()):
    return np.random.randn(*shape) if isinstance(shape, tuple) else np.random.randn(shape)


def _random(size=None):
    return np.random.random(size)


def _uniform(low=0.0, high=1.0, size=None):
    return np.random.uniform(low, high, size)


def _normal(loc=0.0, scale=1.0, size=None):
    return np.random.normal(loc, scale, size)


def _randint(low, high=None, size=None, dtype=None):
    if dtype is None:
        return np.random.randint(low, high, size)
    return np.random.randint(low, high, size, dtype=np_dtype(dtype))


def _randint_sampler(types):
    """Bounds valid for every dtype: [0, 1) (the default samples would give [1, 1))."""
    low, high, size = types
    if isinstance(high, NoneType):
        return [sample_value(low, 1), None, sample_value(size)]
    return [sample_value(low, 0), sample_value(high, 1), sample_value(size)]


def _choice(a, size=None, p=None, replace=True):
    return np.random.choice(a, size, replace, p)


def _choice_shape(types, attrs):
    a, size, p = types
    require_numeric([a])
    require_numeric([p], allow_none=True)
    if isinstance(a, ArrayType) and a.rank != 1:
        raise TypeRuleError(f"choice needs an integer or a 1-d array, got {a}")
    return () if isinstance(size, NoneType) else (None,) * shape_rank(size, "size")


def _permutation(x):
    return np.random.permutation(x)


def _permutation_shape(types, attrs):
    (x,) = types
    require_numeric(types)
    return shape_of(x) if isinstance(x, ArrayType) else (None,)


# rand(d0, d1, ...): the dimensions are packed into one shape operand (a tuple, or one int).
_random_op("rand", ("shape",), _rand, _dims_shape,
           params=Params(defaults={"shape": ()}, packed="shape"),
           doc="Uniform [0, 1) samples of the given shape (a Python float for ()).")
_random_op("randn", ("shape",), _randn, _dims_shape,
           params=Params(defaults={"shape": ()}, packed="shape"),
           doc="Standard normal samples of the given shape (a Python float for ()).")
_random_op("random", ("size",), _random, _size_shape, params=Params(defaults={"size": None}),
           numpy=("random.random", "random.random_sample"),
           doc="Uniform [0, 1) samples (a Python float when size is None).")
_random_op("uniform", ("low", "high", "size"), _uniform, _size_shape,
           params=Params(defaults={"low": 0.0, "high": 1.0, "size": None}),
           doc="Uniform [low, high) samples.")
_random_op("normal", ("loc", "scale", "size"), _normal, _size_shape,
           params=Params(defaults={"loc": 0.0, "scale": 1.0, "size": None}),
           doc="Normal samples with mean loc and standard deviation scale.")
_random_op("randint", ("low", "high", "size"), _randint, _size_shape,
           attrs=(Attr("dtype", None, "dtype"),), sampler=_randint_sampler,
           params=Params(("low", "high", "size", "dtype"), defaults={"high": None, "size": None}),
           doc="Integers in [low, high) ([0, low) without high); Python int when scalar.")
_random_op("choice", ("a", "size", "p"), _choice, _choice_shape,
           attrs=(Attr("replace", True, "bool"),),
           params=Params(("a", "size", "replace", "p"), defaults={"size": None, "p": None}),
           doc="Random sample from a (or from range(a) for an integer a).")
_random_op("permutation", ("x",), _permutation, _permutation_shape,
           doc="A shuffled copy of x along its first axis, or of range(x) for an integer.")
