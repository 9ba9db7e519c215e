"""Inputs and helpers shared by the differential tests of the native kernels."""

import warnings

import numpy as np

DTS = (np.float64, np.float32, np.int64, np.int32, np.bool_, np.complex128)


def data(dtype, shape, seed=0):
    r = np.random.default_rng(seed)
    x = r.standard_normal(shape) * 50
    if np.dtype(dtype).kind == "c":
        return (x + 1j * r.standard_normal(shape)).astype(dtype)
    return (x > 10 if dtype == np.bool_ else x).astype(dtype)


def outcome(fn):
    """("raised", type, message) or ("returned", value, [warning messages]) of fn()."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = fn()
        except Exception as e:  # noqa: BLE001 - the exception is the outcome compared
            return ("raised", type(e), str(e))
    return ("returned", value, sorted(f"{w.category.__name__}: {w.message}" for w in caught))
