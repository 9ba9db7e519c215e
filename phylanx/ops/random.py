"""numpy.random: the global (legacy) generator and RandomState objects.

Every op calls NumPy's own function or method, so a kernel draws bit-identical streams to
NumPy's for the same seed: `random.<name>` is `np.random.<name>` (the global RandomState that
np.random.seed reseeds), `random_state.<name>` is the method `rs.<name>(...)` of a
RandomState value (`np.random.RandomState(seed)`, or one passed in: the caller's object
advances). Generator methods live in phylanx/ops/generator.py; both are declared from NumPy's
own signatures by `declare_draws`.

Draws carry the 'random' trait: never CSE'd, folded, hoisted or reordered (the runtime orders
them in program order). Type rules run the reference on sample values (the global state is
restored afterwards; methods draw from a fresh object), so results have NumPy's exact types:
a Python float or int when every parameter is a scalar and `size` is None.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np

from phylanx.ir.registry import (
    REQUIRED,
    Attr,
    Method,
    NumpyFunction,
    Params,
    TypeRuleError,
    declare,
)
from phylanx.ir.types import (
    DTYPES,
    RANDOM_STATE,
    ArrayType,
    NoneType,
    ObjectType,
    ScalarType,
    TupleType,
    broadcast_shapes,
    dtype_name,
)
from phylanx.ops._sample import (
    infer_by_sample,
    is_int_type,
    require_numeric,
    sample_value,
    shape_of,
    shape_rank,
)

_DRAW = ("random", "allocates")

# Parameters that are attributes (compile-time constants: they decide the result's type or are
# strings, which are not values in PhySL), by attribute kind. Any other parameter is an operand.
_ATTR_KINDS = {"dtype": "dtype", "axis": "axis", "method": "str", "check_valid": "str",
               "legacy": "bool"}
# NumPy's random integers are Python ints for dtype=int: the attribute keeps the builtin.
_BUILTIN_DTYPES = {"randint", "integers"}
_UNSUPPORTED = frozenset({"out"})   # left out: passing them is refused at compile time

# Draws whose result is not the broadcast of scalar-distribution parameters and `size`: the
# sample gives the rank and the extents stay unknown (or follow x: `_same_shape`).
_NOT_BROADCAST = frozenset({"choice", "dirichlet", "multinomial", "multivariate_normal",
                            "multivariate_hypergeometric", "bytes", "get_state"})
_SAME_SHAPE = frozenset({"permutation", "shuffle", "permuted"})

# Sample values where 1 is outside a distribution's domain, by parameter name (the type rule
# runs the reference on them).
_FILLS = {"zipf": {"a": 2}, "logseries": {"p": 0.5},
          "triangular": {"left": 0, "mode": 0.5, "right": 1}}


def numpy_dtype(name):
    """The dtype argument of a dtype attribute: a PhySL dtype name, "builtins.int"..., None."""
    if name is None:
        return None
    if name.startswith("builtins."):
        return {"builtins.int": int, "builtins.float": float, "builtins.complex": complex,
                "builtins.bool": bool}[name]
    return DTYPES[name]


def _attr_default(value, kind: str):
    """NumPy's default of a parameter, as the attribute holds it."""
    if kind == "dtype_or_builtin" and value in (int, float, complex, bool):
        return f"builtins.{value.__name__}"
    if kind in ("dtype", "dtype_or_builtin") and value is not None:
        return dtype_name(np.dtype(value))
    return value


def _summary(fn) -> str:
    """The first sentence of a NumPy docstring (Cython ones start with the signature)."""
    lines = [line.strip() for line in (fn.__doc__ or "").splitlines()]
    for k, line in enumerate(lines):
        if line and not (k == 0 and line.endswith(")")) and "(" not in line[:1]:
            return line.split(". ")[0].rstrip(".") + "."
    return ""


# --- shape rules and samples ----------------------------------------------------------------

def _broadcast_shape(names: list[str], receiver: str | None) -> Callable:
    """Extents of a scalar distribution's draws: `size`, else the broadcast parameters."""
    size_at = names.index("size")
    params = [k for k, n in enumerate(names) if n not in ("size", receiver)]

    def shape(types, attrs):
        values = [types[k] for k in params]
        require_numeric(values, allow_none=True)
        size = types[size_at]
        if isinstance(size, NoneType):
            try:
                return broadcast_shapes(*[t.shape for t in values if isinstance(t, ArrayType)])
            except ValueError as e:
                raise TypeRuleError(str(e), ValueError) from None
        return (None,) * shape_rank(size, "size")

    return shape


def _same_shape(names: list[str]) -> Callable:
    """permutation / shuffle / permuted of an array keep its shape (of an int: (?,))."""
    at = names.index("x")

    def shape(types, attrs):
        x = types[at]
        require_numeric([x])
        if isinstance(x, ArrayType) and x.rank == 0:
            raise TypeRuleError("x must be an integer or at least 1-dimensional")
        return shape_of(x) if isinstance(x, ArrayType) else (None,)

    return shape


def _sampler(short: str, names: list[str]) -> Callable:
    """Sample values for the type rule: valid for the distribution whatever the dtype."""
    fills = dict(_FILLS.get(short, {}))

    def sample(types):
        own = dict(fills)
        if "high" in names and "low" in names:  # [0, 1), or [0, low) = [0, 1) without high
            own["low"] = 1 if isinstance(types[names.index("high")], NoneType) else 0
        return [sample_value(t, own.get(n, 1)) for n, t in zip(names, types)]

    return sample


# --- declarations from NumPy's signatures --------------------------------------------------

def _caller(fn, names: list[str], receiver: str | None) -> Callable:
    """impl(*operands, **attrs) calling `fn`: the receiver by position (a method's receiver
    cannot be a keyword), every other operand by keyword."""

    def impl(*values, **attrs):
        args = dict(zip(names, values))
        head = (args.pop(receiver),) if receiver is not None else ()
        if "dtype" in attrs:
            attrs["dtype"] = numpy_dtype(attrs["dtype"])
        return fn(*head, **args, **attrs)

    impl.__name__ = getattr(fn, "__name__", "draw")
    return impl


def _returns_x(call: Callable) -> Callable:
    """impl of an in-place shuffle: operand 0 is x, which the op returns."""

    def impl(x, *rest, **attrs):
        call(x, *rest, **attrs)
        return x

    impl.__name__ = "shuffle"
    return impl


def declare_draws(prefix: str, short: str, fn, signature_of, bindings: tuple,
                  receiver: str | None = None, packed: bool = False) -> None:
    """Declare op `prefix.short` calling NumPy's `fn`, with operands, attributes and defaults
    from NumPy's signature of `signature_of` (for a method, the unbound one: its first
    parameter is the receiver, named `receiver`)."""
    parameters = list(inspect.signature(signature_of).parameters.values())
    if receiver is not None:
        parameters[0] = parameters[0].replace(name=receiver)
    order, operands, attrs, defaults, n_positional = [], [], [], {}, 0
    for p in parameters:
        if p.name in _UNSUPPORTED:
            continue
        order.append(p.name)
        if p.kind is p.POSITIONAL_OR_KEYWORD:
            n_positional += 1
        kind = _ATTR_KINDS.get(p.name)
        if kind == "dtype" and short in _BUILTIN_DTYPES:
            kind = "dtype_or_builtin"
        if kind is not None:
            default = REQUIRED if p.default is p.empty else _attr_default(p.default, kind)
            attrs.append(Attr(p.name, default, kind))
        else:
            operands.append(p.name)
            if p.default is not p.empty:
                defaults[p.name] = p.default
    inplace = short == "shuffle"
    if inplace:   # operand 0 is the buffer written in place
        operands.sort(key=lambda n: n != "x")
    impl = _caller(fn, operands, receiver)
    if inplace:
        impl = _returns_x(impl)
    if short in _SAME_SHAPE:
        shape = _same_shape(operands)
    elif "size" in operands and short not in _NOT_BROADCAST:
        shape = _broadcast_shape(operands, receiver)
    else:
        shape = None
    params = Params(tuple(order), defaults, packed=order[-1] if packed else None,
                    positional=n_positional if n_positional < len(order) else None)
    declare(f"{prefix}.{short}", operands=operands, attrs=attrs,
            infer=infer_by_sample(impl, shape=shape, check=shape, random=receiver is None,
                                  sampler=_sampler(short, operands)),
            traits=("random", "inplace") if inplace else _DRAW, impl=impl,
            bindings=bindings, params=params, doc=_summary(fn))


# --- the global generator: np.random.<name> ---------------------------------------------------

def _infer_seed(types, attrs):
    t = types[-1]
    if not (isinstance(t, NoneType) or is_int_type(t) or isinstance(t, ArrayType)
            and t.dtype[0] in "iu"):
        raise TypeRuleError(f"seed must be None or an integer, got {t}")
    return ()


def _infer_set_state(types, attrs):
    state = types[-1]
    fields = state.elems if isinstance(state, TupleType) else ()
    if not (len(fields) in (3, 5) and fields[0] == ObjectType("str")
            and isinstance(fields[1], ArrayType) and fields[1].rank == 1
            and all(is_int_type(t) for t in fields[2:4])
            and (len(fields) == 3 or isinstance(fields[4], ScalarType))):
        raise TypeRuleError(f"state must be a tuple (str, key array, pos[, has_gauss, "
                            f"cached_gaussian]) such as get_state() returns, got {state}",
                            TypeError)
    return ()


def _state_op(prefix: str, name: str, fn, infer, bindings, receiver=None, operand="seed",
              default=None, doc=""):
    """seed / set_state: no result."""
    operands = ((receiver,) if receiver else ()) + (operand,)

    def impl(*values):
        fn(*values)

    defaults = {operand: default} if default is not REQUIRED else {}
    declare(f"{prefix}.{name}", operands=operands, infer=infer, traits=("random",), impl=impl,
            results=0, bindings=bindings, params=Params(operands, defaults), doc=doc)


def _legacy_names() -> list[str]:
    """The functions of np.random that draw from (or set) the global generator: its
    RandomState methods, and ranf and sample (aliases of random_sample)."""
    return sorted({n for n in dir(np.random.RandomState)
                   if not n.startswith("_") and callable(getattr(np.random, n, None))}
                  | {"ranf", "sample"})


_PACKED = {"rand", "randn"}   # rand(d0, d1, ...): the dimensions form one `shape` operand


def _rand_like(method_name: str, receiver: str | None):
    def impl(*values):
        *obj, shape = values
        fn = getattr(obj[0], method_name) if obj else getattr(np.random, method_name)
        return fn(*shape) if isinstance(shape, tuple) else fn(shape)

    impl.__name__ = method_name
    return impl


def _declare_rand(prefix, name, bindings, receiver=None):
    operands = ((receiver,) if receiver else ()) + ("shape",)
    impl = _rand_like(name, receiver)

    def shape(types, attrs):
        return (None,) * shape_rank(types[-1], "dimensions")

    declare(f"{prefix}.{name}", operands=operands,
            infer=infer_by_sample(impl, shape=shape, check=shape, random=receiver is None),
            traits=_DRAW, impl=impl, bindings=bindings,
            params=Params(operands, {"shape": ()}, packed="shape"),
            doc=_summary(getattr(np.random.RandomState, name)))


def _declare_legacy() -> None:
    seed_doc = "Reseed the generator (no result)."
    set_doc = "Set the generator's state from a get_state() tuple (no result)."
    for name in _legacy_names():
        binding = (NumpyFunction("np.random." + name),)
        if name in _PACKED:
            _declare_rand("random", name, binding)
        elif name == "seed":
            _state_op("random", name, np.random.seed, _infer_seed, binding, doc=seed_doc)
        elif name == "set_state":
            _state_op("random", name, np.random.set_state, _infer_set_state, binding,
                      operand="state", default=REQUIRED, doc=set_doc)
        else:
            fn = getattr(np.random, name)
            # ranf and sample take (*args, **kwargs) and call random_sample
            sig = np.random.random_sample if name in ("ranf", "sample") else fn
            declare_draws("random", name, fn, sig, binding)
    for name in sorted(set(dir(np.random.RandomState)) - {"__init__"}):
        if name.startswith("_"):
            continue
        method = getattr(np.random.RandomState, name)
        binding = (Method(name, on=np.random.RandomState),)
        if name in _PACKED:
            _declare_rand("random_state", name, binding, receiver="rs")
        elif name == "seed":
            _state_op("random_state", name, method, _infer_seed, binding, receiver="rs",
                      doc=seed_doc)
        elif name == "set_state":
            _state_op("random_state", name, method, _infer_set_state, binding,
                      receiver="rs", operand="state", default=REQUIRED, doc=set_doc)
        else:
            declare_draws("random_state", name, method, method, binding, receiver="rs")


def _random_state(seed=None):
    return np.random.RandomState(seed)


def _infer_random_state(types, attrs):
    _infer_seed(types, attrs)
    return RANDOM_STATE


_declare_legacy()
declare("random.RandomState", operands=("seed",), infer=_infer_random_state, traits=("random",),
        impl=_random_state, bindings=(NumpyFunction("np.random.RandomState"),),
        params=Params(defaults={"seed": None}),
        doc="A new legacy generator (a RandomState object) seeded with seed.")

__all__ = ["declare_draws", "numpy_dtype"]
