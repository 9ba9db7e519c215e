"""Random kernel arguments: arrays of several dtypes and ranks (0-d, empty, non-contiguous,
NaN/inf, negative and large integers) and Python/NumPy scalars, all drawn from one seed.

Arrays of one call share trailing extents (an array of rank r has the last r extents of one
base shape), so most generated expressions broadcast; now and then one extent differs, so
broadcasting errors are exercised too."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import numpy as np

# dtype name -> weight. Kernels specialise on dtype, so each is a different compiled kernel.
ARRAY_DTYPES = {"float64": 8, "float32": 3, "int64": 6, "int32": 2, "uint8": 1, "int8": 1,
                "bool": 3, "complex128": 1}
EXTENTS = [0, 1, 2, 3, 3, 4, 4, 5, 6]


@dataclass(frozen=True)
class ArgSpec:
    """What one parameter receives: kind is 'array', 'int', 'small_int' (0..4, for loop bounds
    and indices), 'float', 'bool' or 'npscalar'; dtype for arrays and NumPy scalars."""

    name: str
    kind: str
    dtype: str = ""
    ndim: int = 0

    def describe(self) -> str:
        if self.kind == "array":
            return f"{self.name}: {self.dtype}[{self.ndim}-d]"
        if self.kind == "npscalar":
            return f"{self.name}: np.{self.dtype} scalar"
        return f"{self.name}: {self.kind}"


def choose_specs(rng: random.Random) -> list[ArgSpec]:
    """The parameters of one program: 1-4 arrays and 0-3 scalars."""
    specs = []
    names = iter("abcd")
    for _ in range(rng.choice([1, 2, 2, 2, 3, 3, 4])):
        dtype = rng.choices(list(ARRAY_DTYPES), weights=list(ARRAY_DTYPES.values()))[0]
        ndim = rng.choices([0, 1, 2, 3], weights=[1, 6, 4, 1])[0]
        specs.append(ArgSpec(next(names), "array", dtype, ndim))
    if rng.random() < 0.6:
        specs.append(ArgSpec("n", "small_int"))
    for name in ("s", "t"):
        if rng.random() < 0.4:
            kind = rng.choices(["float", "int", "bool", "npscalar"], weights=[5, 3, 1, 1])[0]
            dtype = rng.choice(["float32", "float64", "int64", "int32"]) if kind == "npscalar" else ""
            specs.append(ArgSpec(name, kind, dtype))
    return specs


def _values(rng: np.random.Generator, dtype: np.dtype, size: int, special: bool) -> np.ndarray:
    if dtype.kind == "b":
        return rng.random(size) < 0.5
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        lo, hi = max(info.min, -5), min(info.max, 9)
        v = rng.integers(lo, hi + 1, size=size, dtype=np.int64)
        if special and size:
            # large magnitudes near the dtype's limits: overflow and wrap-around
            extremes = np.array([info.min, info.max, info.max - 1, info.min + 1] if dtype.kind == "i"
                                else [info.max, info.max - 1, 0], dtype=np.int64)
            at = rng.random(size) < 0.2
            v[at] = rng.choice(extremes, size=int(at.sum()))
        return v.astype(dtype)
    if dtype.kind == "c":
        v = rng.normal(size=size) * 2 + 1j * rng.normal(size=size)
    else:
        v = np.round(rng.normal(size=size) * 3, 2)
    if special and size:
        specials = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e30, -1e-30])
        at = rng.random(size) < 0.2
        v[at] = rng.choice(specials, size=int(at.sum()))
    return v.astype(dtype)


def make_array(rng: np.random.Generator, dtype: str, shape: tuple, special: bool,
               layout: str) -> np.ndarray:
    """An array of `shape` in one of the layouts 'C', 'F', 'strided' (every other element of
    a larger array along each axis) or 'reversed' (negative strides)."""
    dt = np.dtype(dtype)
    if layout == "strided" and shape:
        big = _values(rng, dt, int(np.prod([2 * e for e in shape])), special)
        return big.reshape([2 * e for e in shape])[tuple(slice(None, None, 2) for _ in shape)]
    base = _values(rng, dt, int(np.prod(shape)), special).reshape(shape)
    if layout == "F":
        return np.asfortranarray(base)
    if layout == "reversed" and shape:
        return base[tuple(slice(None, None, -1) for _ in shape)].copy()[
            tuple(slice(None, None, -1) for _ in shape)]
    return base


def make_args(specs: list[ArgSpec], seed: int, base_shape: tuple | None = None) -> tuple:
    """Arguments for `specs` from `seed` (the same seed gives the same values)."""
    rng = np.random.default_rng(seed)
    prng = random.Random(seed)
    if base_shape is None:
        base_shape = tuple(prng.choice(EXTENTS) for _ in range(3))
    args = []
    for spec in specs:
        if spec.kind == "array":
            shape = base_shape[len(base_shape) - spec.ndim:] if spec.ndim else ()
            if spec.ndim and prng.random() < 0.04:   # a broadcasting mismatch now and then
                shape = (prng.choice(EXTENTS),) + shape[1:]
            layout = prng.choices(["C", "F", "strided", "reversed"], weights=[5, 1, 2, 1])[0]
            args.append(make_array(rng, spec.dtype, shape, prng.random() < 0.35, layout))
        elif spec.kind == "small_int":
            args.append(prng.choice([0, 1, 2, 2, 3, 4]))
        elif spec.kind == "int":
            args.append(prng.choice([0, 1, 2, 3, -1, -7, 5, 2**31, -2**40, 2**62]))
        elif spec.kind == "float":
            args.append(prng.choice([0.5, 1.5, -2.25, 0.0, -0.0, 3.0, 1e300, float("nan"),
                                     float("inf"), -1e-300]))
        elif spec.kind == "bool":
            args.append(prng.random() < 0.5)
        else:
            value = prng.choice([0.5, 1.0, -2.0, 3.0, 0.0]) if "float" in spec.dtype else \
                prng.choice([0, 1, -3, 7])
            args.append(np.dtype(spec.dtype).type(value))
    return tuple(args)


def base_shape_of(specs: list[ArgSpec], args: tuple) -> tuple:
    """The base shape `args` were drawn with (for second calls with other values)."""
    shape = [1, 1, 1]
    for spec, a in zip(specs, args):
        if spec.kind == "array" and spec.ndim:
            shape[3 - spec.ndim:] = a.shape
    return tuple(shape)


def describe_arg(value) -> str:
    """One argument as Python text plus its layout (for failure reports)."""
    if isinstance(value, np.ndarray):
        layout = ("C" if value.flags.c_contiguous else "F" if value.flags.f_contiguous
                  else f"strides={value.strides}")
        items = _finite_repr(value.ravel().tolist())
        return f"np.array({items}, dtype=np.{value.dtype}).reshape({value.shape})  # {layout}"
    if isinstance(value, np.generic):
        return f"np.{value.dtype}({_finite_repr(value.item())})"
    return _finite_repr(value)


def _finite_repr(value) -> str:
    """repr() that spells NaN and infinities as np.nan / np.inf (valid Python)."""
    return re.sub(r"\b(nan|inf)\b", r"np.\1", repr(value))
