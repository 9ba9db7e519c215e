"""Named input sets for the API probes: each is (parameter names, list of argument tuples).

A probe runs once per argument tuple (several dtypes where the name is dtype-generic) and
works only if every run matches NumPy. Values avoid domain errors unless a probe wants one.
"""

from __future__ import annotations

import numpy as np

_F = np.array([0.5, -1.25, 2.0, 3.5, -0.75, 0.0])
_G = np.array([1.5, 0.25, -2.0, 0.5, 4.0, -3.0])
_I = np.array([3, -1, 4, 1, -5, 9], dtype=np.int64)
_J = np.array([2, 7, -3, 1, 5, -2], dtype=np.int64)
_M = np.array([[1.0, -2.0, 3.5, 0.25], [4.0, 0.5, -1.0, 2.0], [-0.5, 3.0, 1.0, -2.5]])
_MI = np.array([[3, 1, 4, 1], [5, 9, 2, 6], [5, 3, 5, 8]], dtype=np.int64)
_SQ = np.array([[4.0, -2.0, 1.0], [3.0, 6.0, -4.0], [2.0, 1.0, 8.0]])
_SPD = _SQ @ _SQ.T + 3 * np.eye(3)
_POS = np.array([0.5, 1.25, 2.0, 3.5, 0.75, 10.0])
_UNIT = np.array([-0.9, -0.5, 0.0, 0.25, 0.5, 0.75])
_C = _F + 1j * _G
_B = np.array([True, False, True, True, False, False])
_B2 = np.array([True, True, False, True, False, True])
_U8 = np.array([3, 200, 17, 1, 255, 0], dtype=np.uint8)
_SMALL = np.array([0, 1, 2, 3, 1, 2], dtype=np.int64)
_NANF = np.array([1.0, np.nan, -2.0, 4.0, np.nan, 0.5])
_SORTED = np.array([-1.0, 0.0, 0.5, 2.0, 3.0])
_IDX = np.array([0, 2, 5, 1], dtype=np.int64)
_SEEDS = [(0,), (12345,)]
_EMPTY = np.zeros(0)
_STRIDED = np.arange(24.0).reshape(4, 6)[::2, 1::2]  # not contiguous
_ZERO_D = np.array(2.5)


def _copy(*xs):
    return tuple(x.copy() if isinstance(x, np.ndarray) else x for x in xs)


INPUTS: dict[str, tuple[tuple[str, ...], list[tuple]]] = {
    "none": ((), [()]),
    # one numeric array, several dtypes and ranks
    # (edge cases too: empty, non-contiguous, NaN; 0-d where the operation is elementwise)
    "x": (("a",), [(_F,), (_I,), (_F.astype(np.float32),), (_M,), (_EMPTY,), (_STRIDED,)]),
    "xc": (("a",), [(_F,), (_I,), (_F.astype(np.float32),), (_M,), (_C,)]),
    "xf": (("a",), [(_F,), (_F.astype(np.float32),), (_M,), (_NANF,), (_EMPTY,), (_STRIDED,)]),
    "pos": (("a",), [(_POS,), (_POS.astype(np.float32),), (np.array([1, 2, 8, 5]),)]),
    "unit": (("a",), [(_UNIT,), (_UNIT.astype(np.float32),)]),
    "ge1": (("a",), [(_POS + 1,), ((_POS + 1).astype(np.float32),)]),
    "int": (("a",), [(_I,), (_U8,), (_I.astype(np.int32),)]),
    "bool": (("a",), [(_B,), (_I,), (_F,)]),
    "nan": (("a",), [(_NANF,), (_F,)]),
    "m": (("a",), [(_M,), (_MI,)]),
    "mf": (("a",), [(_M,)]),
    "sq": (("a",), [(_SQ,)]),
    "spd": (("a",), [(_SPD,)]),
    "c": (("a",), [(_C,), (_F,)]),
    "small": (("a",), [(_SMALL,)]),
    # two operands: same dtype, mixed dtypes, broadcasting, a Python scalar
    "xy": (("a", "b"), [(_F, _G), (_I, _J), (_F.astype(np.float32), _G), (_M, _M[0]),
                        (_F, 2.5), (_I, 3), (_NANF, _F), (_STRIDED, _STRIDED.T.copy().T),
                        (_EMPTY, _EMPTY), (_ZERO_D, _F), (_U8, _U8[::-1]), (_U8, _I)]),
    "xyf": (("a", "b"), [(_F, _G), (_F.astype(np.float32), _G.astype(np.float32)),
                         (_M, _M[1])]),
    "xypos": (("a", "b"), [(_POS, np.abs(_G) + 0.5), (_POS, 2.0)]),
    "ij": (("a", "b"), [(_I, _J), (_I.astype(np.int32), _J.astype(np.int32)), (_U8, _U8[::-1]),
                        (_I.astype(np.int8) * 40, _J.astype(np.int8)), (_U8, _I)]),
    "shift": (("a", "b"), [(_I, _SMALL), (_U8, _SMALL)]),
    "bb": (("a", "b"), [(_B, _B2), (_I, _J)]),
    "mm": (("a", "b"), [(_SQ, _SPD), (_M, _M.T)]),
    "sqv": (("a", "b"), [(_SQ, _G[:3])]),
    "vv": (("a", "b"), [(_F, _G), (_I, _J)]),
    "v3": (("a", "b"), [(_F[:3], _G[:3]), (_I[:3], _J[:3])]),
    "sorted": (("a", "b"), [(_SORTED, _F)]),
    "xi": (("a", "b"), [(_F, _IDX), (_M, _IDX[:2])]),
    "xs": (("a", "b"), [(_F, _SMALL)]),
    "fi": (("a", "b"), [(_F, _SMALL)]),
    "seed": (("s",), _SEEDS),
}


def cases(name: str) -> tuple[tuple[str, ...], list[tuple]]:
    """Parameter names and fresh copies of the argument tuples of input set `name`."""
    params, rows = INPUTS[name]
    return params, [_copy(*row) for row in rows]
