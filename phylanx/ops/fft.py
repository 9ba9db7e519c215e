"""numpy.fft: discrete Fourier transforms, sample frequencies and shifts, run by NumPy.

Ops are named like their NumPy function (`fft.rfft2`) and call it (NumPy's pocketfft), so
values, dtypes (float32 in, complex64 out, as NumPy 2 does) and errors are NumPy's. The length
arguments `n` and `s` are operands (runtime values); `axis`, `axes` and `norm` are
compile-time attributes. Type rules run NumPy on samples of extent 2 (a one-point inverse real
transform has no valid default length); a transform keeps the rank, and the extents it
changes are computed when `n`/`s` are absent and unknown otherwise.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from phylanx.ir.registry import Attr, NumpyFunction, Params, TypeRuleError, declare
from phylanx.ir.types import DTYPES, ArrayType, NoneType, Type
from phylanx.ops._sample import infer_by_sample, normalize_axis, sample_value, shape_of

_FFT = ("pure", "allocates")

# How a transform changes the extent m of a transformed axis (all but the last axis of a
# multi-axis real transform keep theirs): complex-to-complex keeps it, a forward real
# transform halves it, an inverse one doubles it.
_HALF, _SAME, _DOUBLE = "half", "same", "double"
_ONE_AXIS = {"fft": _SAME, "ifft": _SAME, "rfft": _HALF, "irfft": _DOUBLE, "hfft": _DOUBLE,
             "ihfft": _HALF}
_MANY_AXES = {"fft2": _SAME, "ifft2": _SAME, "fftn": _SAME, "ifftn": _SAME, "rfft2": _HALF,
              "irfft2": _DOUBLE, "rfftn": _HALF, "irfftn": _DOUBLE}


def _new_extent(m: int | None, change: str) -> int | None:
    if m is None or change == _SAME:
        return m
    return m // 2 + 1 if change == _HALF else 2 * (m - 1)


def _sample_extent_2(types: list[Type]) -> list:
    """Arrays of extent 2 along every axis; other operands as sample_value gives them."""
    out = []
    for t in types:
        if isinstance(t, ArrayType):
            out.append(np.ones((2,) * t.rank, dtype=DTYPES[t.dtype]))
        else:
            out.append(sample_value(t))
    return out


def _transform_shape(change: str, many: bool) -> Callable:
    def shape(types, attrs):
        a, length = types[0], types[1]
        if not isinstance(a, ArrayType):
            return None
        dims = list(shape_of(a))
        if not isinstance(length, NoneType):   # n or s: the new extents are runtime values
            axes = range(a.rank) if many else [attrs["axis"]]
            for ax in axes:
                dims[normalize_axis(ax, a.rank)] = None
            return tuple(dims)
        if many:
            axes = attrs["axes"]
            axes = tuple(range(a.rank)) if axes is None else axes
        else:
            axes = (attrs["axis"],)
        if not axes:
            return tuple(dims)
        last = normalize_axis(axes[-1], a.rank)
        for ax in axes:
            at = normalize_axis(ax, a.rank)
            dims[at] = _new_extent(dims[at], change if at == last else _SAME)
        return tuple(dims)

    return shape


def _caller(fn, length: str) -> Callable:
    def impl(a, length_value=None, **attrs):
        return fn(a, **{length: length_value}, **attrs)

    impl.__name__ = fn.__name__
    return impl


def _check_norm(types, attrs):
    if attrs.get("norm") not in (None, "backward", "ortho", "forward"):
        raise TypeRuleError(f'Invalid norm value {attrs["norm"]!r}; should be "backward", '
                            '"ortho" or "forward".', ValueError)


def _declare_transform(name: str, change: str, many: bool) -> None:
    fn = getattr(np.fft, name)
    length = "s" if many else "n"
    if many:
        axes_default = (-2, -1) if name.endswith("2") else None
        attrs = (Attr("axes", axes_default, "axis"), Attr("norm", None, "str"))
    else:
        attrs = (Attr("axis", -1, "int"), Attr("norm", None, "str"))
    shape = _transform_shape(change, many)
    declare(f"fft.{name}", operands=("a", length), attrs=attrs,
            infer=infer_by_sample(_caller(fn, length), shape=shape, check=_check_norm,
                                  sampler=_sample_extent_2),
            traits=_FFT, impl=_caller(fn, length), bindings=(NumpyFunction(f"np.fft.{name}"),),
            params=Params(("a", length, attrs[0].name, "norm"), {length: None}),
            doc=_first_line(fn))


def _first_line(fn) -> str:
    return (fn.__doc__ or "").strip().splitlines()[0].rstrip(".") + "."


for _name, _change in _ONE_AXIS.items():
    _declare_transform(_name, _change, many=False)
for _name, _change in _MANY_AXES.items():
    _declare_transform(_name, _change, many=True)


def _freq_shape(types, attrs):
    return (None,)


for _name in ("fftfreq", "rfftfreq"):
    _fn = getattr(np.fft, _name)

    def _freq(n, d=1.0, _fn=_fn):
        return _fn(n, d)

    _freq.__name__ = _name
    declare(f"fft.{_name}", operands=("n", "d"),
            infer=infer_by_sample(_freq, shape=_freq_shape, numeric=True),
            traits=_FFT, impl=_freq, bindings=(NumpyFunction(f"np.fft.{_name}"),),
            params=Params(defaults={"d": 1.0}), doc=_first_line(_fn))


def _shift_shape(types, attrs):
    (x,) = types
    return shape_of(x) if isinstance(x, ArrayType) else None


for _name in ("fftshift", "ifftshift"):
    _fn = getattr(np.fft, _name)
    declare(f"fft.{_name}", operands=("x",), attrs=(Attr("axes", None, "axis"),),
            infer=infer_by_sample(_fn, shape=_shift_shape),
            traits=_FFT, impl=_fn, bindings=(NumpyFunction(f"np.fft.{_name}"),),
            doc=_first_line(_fn))

__all__: list[str] = []
