"""NumPy's errors raised by a kernel carry no internal exception as their context: the
traceback a user reads starts at the kernel call ("During handling of the above exception"
would show the runtime's internal `Decline`)."""

from __future__ import annotations

import numpy as np
import pytest

import phylanx


def adds_scaled(a, b):
    return a + b * 2.0


def matvec_then_exp(X, w, c):
    return np.exp(X @ w) + c


@pytest.mark.parametrize("func, args", [
    (adds_scaled, (np.ones(3), np.ones(4))),
    (matvec_then_exp, (np.ones((5, 3)), np.ones(3), np.ones(4))),
])
def test_a_broadcast_error_has_no_internal_context(func, args):
    with pytest.raises(ValueError, match="could not be broadcast") as info:
        phylanx.kernel(func)(*args)
    e = info.value
    assert e.__context__ is None or e.__suppress_context__, repr(e.__context__)
    assert e.__cause__ is None
