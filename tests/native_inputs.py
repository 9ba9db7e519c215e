"""Inputs shared by the differential tests of the creation, shape and indexing natives."""

import numpy as np

DTS = (np.float64, np.float32, np.int64, np.int32, np.bool_, np.complex128)


def data(dtype, shape, seed=0):
    r = np.random.default_rng(seed)
    x = r.standard_normal(shape) * 50
    if np.dtype(dtype).kind == "c":
        return (x + 1j * r.standard_normal(shape)).astype(dtype)
    return (x > 10 if dtype == np.bool_ else x).astype(dtype)
