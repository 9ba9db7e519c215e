"""Statistics, differences, histograms, convolutions, contractions and polynomials, run by
NumPy: percentiles and quantiles, the NaN-ignoring reductions, diff/gradient/trapezoid,
cov/corrcoef, histograms and bincount, interp, convolve/correlate, cross/tensordot/einsum/kron,
the np.poly* functions and the ufunc methods (np.add.reduce, np.multiply.outer...).
"""

from __future__ import annotations

import numpy as np

from phylanx.ir.registry import REQUIRED, Attr, Params, TypeRuleError
from phylanx.ir.types import ArrayType
from phylanx.ops._fallback import numpy_op

_AXIS = Attr("axis", None, "axis")
_KEEP = Attr("keepdims", False, "bool")

# --- order statistics ----------------------------------------------------------------------


def _quantile_like(fn):
    def run(a, q, axis=None, keepdims=False, method="linear"):
        return fn(a, q, axis, keepdims=keepdims, method=method)

    run.__name__ = fn.__name__
    return run


for _fn, _doc in [(np.percentile, "The q-th percentiles (q in 0..100) along axis."),
                  (np.quantile, "The q-th quantiles (q in 0..1) along axis."),
                  (np.nanpercentile, "Percentiles ignoring NaN."),
                  (np.nanquantile, "Quantiles ignoring NaN.")]:
    numpy_op(_fn.__name__, ("a", "q"), _quantile_like(_fn), _doc,
             attrs=(_AXIS, _KEEP, Attr("method", "linear", "str")), numeric=False,
             params=Params(order=("a", "q", "axis", "keepdims", "method"), positional=3))


def _nanmedian(a, axis=None, keepdims=False):
    return np.nanmedian(a, axis, keepdims=keepdims)


def _ptp(a, axis=None, keepdims=False):
    return np.ptp(a, axis, keepdims=keepdims)


def _nan_moment(fn):
    def run(a, axis=None, dtype=None, ddof=0, keepdims=False):
        return fn(a, axis, dtype, ddof=ddof, keepdims=keepdims)

    run.__name__ = fn.__name__
    return run


def _nan_reduce(fn):
    def run(a, axis=None, dtype=None, keepdims=False):
        return fn(a, axis, dtype, keepdims=keepdims)

    run.__name__ = fn.__name__
    return run


def _nan_scan(fn):
    def run(a, axis=None, dtype=None):
        return fn(a, axis, dtype)

    run.__name__ = fn.__name__
    return run


def _cumulative(fn):
    def run(x, axis=None, dtype=None, include_initial=False):
        return fn(x, axis=axis, dtype=dtype, include_initial=include_initial)

    run.__name__ = fn.__name__
    return run


_DTYPE = Attr("dtype", None, "any")
numpy_op("nanmedian", ("a",), _nanmedian, "Median ignoring NaN.", attrs=(_AXIS, _KEEP),
         params=Params(positional=2))
numpy_op("ptp", ("a",), _ptp, "max - min along axis.", attrs=(_AXIS, _KEEP),
         params=Params(positional=2))
for _fn, _doc in [(np.nanstd, "Standard deviation ignoring NaN."),
                  (np.nanvar, "Variance ignoring NaN.")]:
    numpy_op(_fn.__name__, ("a",), _nan_moment(_fn), _doc,
             attrs=(_AXIS, _DTYPE, Attr("ddof", 0, "any"), _KEEP), params=Params(positional=3))
numpy_op("nanprod", ("a",), _nan_reduce(np.nanprod), "Product treating NaN as 1.",
         attrs=(_AXIS, _DTYPE, _KEEP), params=Params(positional=3))
for _fn, _doc in [(np.nancumsum, "Cumulative sum treating NaN as 0."),
                  (np.nancumprod, "Cumulative product treating NaN as 1.")]:
    numpy_op(_fn.__name__, ("a",), _nan_scan(_fn), _doc, attrs=(Attr("axis", None, "int"),
                                                                  _DTYPE),
             params=Params(positional=3))
for _fn, _doc in [(np.cumulative_sum, "Cumulative sum (optionally with the initial 0)."),
                  (np.cumulative_prod, "Cumulative product (optionally with the initial 1).")]:
    numpy_op(_fn.__name__, ("x",), _cumulative(_fn), _doc,
             attrs=(Attr("axis", None, "int"), _DTYPE, Attr("include_initial", False, "bool")),
             params=Params(positional=1))


# --- differences and integrals --------------------------------------------------------------

def _diff(a, n=1, axis=-1):
    return np.diff(a, n, axis)


def _ediff1d(ary):
    return np.ediff1d(ary)


def _gradient(f, axis=None, edge_order=1):
    return np.gradient(f, axis=axis, edge_order=edge_order)


def _trapezoid(y, x=None, dx=1.0, axis=-1):
    return np.trapezoid(y, x, dx, axis)


def _unwrap(p, discont=None, axis=-1, period=2 * np.pi):
    return np.unwrap(p, discont, axis, period=period)


numpy_op("diff", ("a",), _diff, "n-th discrete difference along axis.",
         attrs=(Attr("n", 1, "int"), Attr("axis", -1, "int")))
numpy_op("ediff1d", ("ary",), _ediff1d, "Differences of consecutive elements (flattened).")
numpy_op("gradient", ("f",), _gradient,
         "Central-difference gradient (unit spacing): one array per axis (a tuple for rank "
         "> 1).", attrs=(_AXIS, Attr("edge_order", 1, "int")), extent=3,
         params=Params(positional=1))   # np.gradient(f, *varargs): spacings not taken
numpy_op("trapezoid", ("y", "x"), _trapezoid, "Integral by the trapezoidal rule along axis.",
         attrs=(Attr("dx", 1.0, "float"), Attr("axis", -1, "int")),
         params=Params(order=("y", "x", "dx", "axis"), defaults={"x": None}))
numpy_op("unwrap", ("p",), _unwrap, "Unwrap phase jumps larger than discont along axis.",
         attrs=(Attr("discont", None, "any"), Attr("axis", -1, "int"),
                Attr("period", 2 * np.pi, "float")), params=Params(positional=3))


# --- covariance, correlation, convolution ---------------------------------------------------

def _cov(m, y=None, rowvar=True, bias=False, ddof=None):
    return np.cov(m, y, rowvar, bias, ddof)


def _corrcoef(x, y=None, rowvar=True):
    return np.corrcoef(x, y, rowvar)


def _convolve(a, v, mode="full"):
    return np.convolve(a, v, mode)


def _correlate(a, v, mode="valid"):
    return np.correlate(a, v, mode)


numpy_op("cov", ("m", "y"), _cov, "Covariance matrix of the rows (columns: rowvar=False).",
         attrs=(Attr("rowvar", True, "bool"), Attr("bias", False, "bool"),
                Attr("ddof", None, "any")),
         params=Params(order=("m", "y", "rowvar", "bias", "ddof"), defaults={"y": None}),
         extent=2)
numpy_op("corrcoef", ("x", "y"), _corrcoef, "Pearson correlation coefficients.",
         attrs=(Attr("rowvar", True, "bool"),),
         params=Params(order=("x", "y", "rowvar"), defaults={"y": None}), extent=2)
numpy_op("convolve", ("a", "v"), _convolve, "Discrete linear convolution of 1-d arrays.",
         attrs=(Attr("mode", "full", "str"),))
numpy_op("correlate", ("a", "v"), _correlate, "Cross-correlation of 1-d arrays.",
         attrs=(Attr("mode", "valid", "str"),))


# --- histograms, counting, interpolation ----------------------------------------------------

def _histogram(a, weights=None, bins=10, range=None, density=None):
    return np.histogram(a, bins, range, density, weights)


def _histogram_bin_edges(a, weights=None, bins=10, range=None):
    return np.histogram_bin_edges(a, bins, range, weights)


def _histogram2d(x, y, weights=None, bins=10, range=None, density=None):
    return np.histogram2d(x, y, bins, range, density, weights)


def _histogramdd(sample, weights=None, bins=10, range=None, density=None):
    return np.histogramdd(sample, bins, range, density, weights)


def _bincount(x, weights=None, minlength=0):
    return np.bincount(x, weights, minlength)


def _interp(x, xp, fp, left=None, right=None, period=None):
    return np.interp(x, xp, fp, left, right, period)


def _int_bins(types, attrs):
    bins = attrs.get("bins")
    if isinstance(bins, bool) or not isinstance(bins, (int, str, tuple, list)):
        raise TypeRuleError(f"bins must be an int, a string or a sequence, got {bins!r}",
                            TypeError)


_BINS = (Attr("bins", 10, "any"), Attr("range", None, "any"))
numpy_op("histogram", ("a", "weights"), _histogram, "(counts, bin edges) of a.",
         attrs=(*_BINS, Attr("density", None, "any")), check=_int_bins,
         params=Params(order=("a", "bins", "range", "density", "weights"),
                       defaults={"weights": None}))
numpy_op("histogram_bin_edges", ("a", "weights"), _histogram_bin_edges,
         "The bin edges np.histogram would use.", attrs=_BINS, check=_int_bins,
         params=Params(order=("a", "bins", "range", "weights"), defaults={"weights": None}))
numpy_op("histogram2d", ("x", "y", "weights"), _histogram2d,
         "(counts, x edges, y edges) of the points (x, y).",
         attrs=(*_BINS, Attr("density", None, "any")), check=_int_bins,
         params=Params(order=("x", "y", "bins", "range", "density", "weights"),
                       defaults={"weights": None}))
def _histogramdd_check(types, attrs):
    _int_bins(types, attrs)
    if not (isinstance(types[0], ArrayType) and types[0].rank == 1):
        # the counts have one axis per column of sample: a rank the type cannot give
        raise TypeRuleError("np.histogramdd is supported on a 1-d sample only (the result's "
                            "rank is the number of columns)")


numpy_op("histogramdd", ("sample", "weights"), _histogramdd,
         "(counts, list of edges) of a 1-d sample (the rank of the counts would be the number "
         "of columns of a 2-d one).",
         attrs=(*_BINS, Attr("density", None, "any")), check=_histogramdd_check,
         params=Params(order=("sample", "bins", "range", "density", "weights"),
                       defaults={"weights": None}))
numpy_op("bincount", ("x", "weights"), _bincount,
         "Number of occurrences of each non-negative integer (weighted sums with weights).",
         attrs=(Attr("minlength", 0, "int"),), fills={0: 0},
         params=Params(order=("x", "weights", "minlength"), defaults={"weights": None}))
numpy_op("interp", ("x", "xp", "fp", "left", "right", "period"), _interp,
         "Piecewise-linear interpolation of (xp, fp) at x.",
         params=Params(defaults={"left": None, "right": None, "period": None}))


# --- products and contractions --------------------------------------------------------------

def _cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    return np.cross(a, b, axisa, axisb, axisc, axis)


def _tensordot(a, b, axes=2):
    return np.tensordot(a, b, axes)


def _einsum(*operands, subscripts, optimize=False):
    return np.einsum(subscripts, *operands, optimize=optimize)


def _linalg_cross(x1, x2, axis=-1):
    return np.linalg.cross(x1, x2, axis=axis)


def _linalg_tensordot(x1, x2, axes=2):
    return np.linalg.tensordot(x1, x2, axes=axes)


numpy_op("cross", ("a", "b"), _cross, "Cross product of 3- (or 2-) vectors.",
         attrs=(Attr("axisa", -1, "int"), Attr("axisb", -1, "int"), Attr("axisc", -1, "int"),
                Attr("axis", None, "int")), extent=3)
numpy_op("linalg.cross", ("x1", "x2"), _linalg_cross, "Cross product of 3-vectors.",
         attrs=(Attr("axis", -1, "int"),), extent=3, numpy=("np.linalg.cross",),
         params=Params(positional=2))
numpy_op("tensordot", ("a", "b"), _tensordot, "Sum of products over the given axes.",
         attrs=(Attr("axes", 2, "any"),))
numpy_op("linalg.tensordot", ("x1", "x2"), _linalg_tensordot,
         "Sum of products over the given axes.", attrs=(Attr("axes", 2, "any"),),
         numpy=("np.linalg.tensordot",), params=Params(positional=2))
numpy_op("kron", ("a", "b"), np.kron, "Kronecker product.")


def _einsum_check(types, attrs):
    if not isinstance(attrs.get("subscripts"), str):
        raise TypeRuleError("np.einsum needs its subscripts as a constant string", TypeError)


numpy_op("einsum", ("operands*",), _einsum,
         "Einstein summation over the operands as the subscripts string says.",
         attrs=(Attr("subscripts", REQUIRED, "str"), Attr("optimize", False, "any")),
         check=_einsum_check, params=Params(order=("subscripts", "operands", "optimize"),
                                            packed="operands"))


# --- polynomials -------------------------------------------------------------------------

def _polyfit(x, y, deg):
    return np.polyfit(x, y, deg)


def _polyder(p, m=1):
    return np.polyder(p, m)


def _polyint(p, m=1):
    return np.polyint(p, m)


numpy_op("polyval", ("p", "x"), np.polyval, "Value of the polynomial p (highest power first) "
         "at x.")
numpy_op("polyfit", ("x", "y"), _polyfit, "Least-squares polynomial coefficients of degree "
         "deg.", attrs=(Attr("deg", REQUIRED, "int"),), extent=4)
numpy_op("polyadd", ("a1", "a2"), np.polyadd, "Sum of two polynomials.")
numpy_op("polymul", ("a1", "a2"), np.polymul, "Product of two polynomials.")
numpy_op("polyder", ("p",), _polyder, "m-th derivative of a polynomial.",
         attrs=(Attr("m", 1, "int"),))
numpy_op("polyint", ("p",), _polyint, "m-th antiderivative of a polynomial.",
         attrs=(Attr("m", 1, "int"),))


# --- ufunc methods -----------------------------------------------------------------------

def _ufunc_method(ufunc, method):
    bound = getattr(ufunc, method)
    if method in ("reduce", "accumulate"):
        def run(array, axis=0, dtype=None):
            return bound(array, axis, dtype)
    else:
        def run(a, b):
            return bound(a, b)
    run.__name__ = f"{ufunc.__name__}_{method}"
    return run


for _uf, _method in [(np.add, "reduce"), (np.add, "accumulate"), (np.multiply, "reduce"),
                     (np.multiply, "accumulate"), (np.maximum, "reduce"),
                     (np.minimum, "reduce"), (np.logical_and, "reduce"),
                     (np.logical_or, "reduce"), (np.maximum, "accumulate"),
                     (np.minimum, "accumulate")]:
    numpy_op(f"{_uf.__name__}.{_method}", ("array",), _ufunc_method(_uf, _method),
             f"np.{_uf.__name__}.{_method} along axis.",
             attrs=(Attr("axis", 0, "axis"), _DTYPE), numpy=(f"np.{_uf.__name__}.{_method}",))
for _uf in (np.add, np.subtract, np.multiply, np.divide, np.maximum, np.minimum, np.power,
            np.equal, np.less, np.greater):
    numpy_op(f"{_uf.__name__}.outer", ("a", "b"), _ufunc_method(_uf, "outer"),
             f"np.{_uf.__name__} of every pair (a[i], b[j]).",
             numpy=(f"np.{_uf.__name__}.outer",))


# --- piecewise ------------------------------------------------------------

def _piecewise(x, condlist, funclist):
    return np.piecewise(x, condlist, list(funclist))


def _constant_pieces(types, attrs):
    pieces = attrs["funclist"]
    if not isinstance(pieces, tuple) or not all(
            isinstance(p, (bool, int, float, complex)) for p in pieces):
        raise TypeRuleError("np.piecewise takes a list of numbers here (functions are not "
                            f"supported), got {pieces!r}")


numpy_op("piecewise", ("x", "condlist"), _piecewise,
         "The value of the first true condition's piece (numbers only); 0 elsewhere.",
         attrs=(Attr("funclist", REQUIRED, "any"),), check=_constant_pieces, numeric=False)
