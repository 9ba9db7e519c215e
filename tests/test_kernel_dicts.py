"""Dicts in kernels: read-only records with constant keys (phylanx/frontend/records.py)."""

from __future__ import annotations

import numpy as np
import pytest

import phylanx
from phylanx.testing import check_kernel


def reads_a_config(x, n):
    cfg = {"alpha": 0.5, "iters": n, 3: x}
    y = x.copy()
    for _ in range(cfg["iters"]):
        y = y * cfg["alpha"] + cfg[3]
    total = 0.0
    for _k, v in {"a": 1.0, "b": 2.0}.items():
        total += v
    keys = 0
    for _k in cfg:
        keys += 1
    values = 0.0
    for v in {"p": 1.5, "q": 2.5}.values():
        values += v
    has = "alpha" in cfg and "beta" not in cfg
    return y, total, keys, values, has, len(cfg), cfg.get("beta", -1.0), cfg.get("alpha")


def sees_in_place_updates(x):
    d = {"x": x}
    x[0] = 7.0
    x += 1.0
    return d["x"]


def picks_by_branch(x, flag):
    d = {"lo": x.min(), "hi": x.max()}
    if flag:
        return d["hi"]
    return d["lo"]


@pytest.mark.parametrize("func, args", [
    (reads_a_config, (np.arange(3.0), 3)),
    (reads_a_config, (np.arange(4, dtype=np.float32), 0)),
    (sees_in_place_updates, (np.arange(3.0),)),
    (picks_by_branch, (np.array([3.0, -1.0, 2.0]), True)),
    (picks_by_branch, (np.array([3.0, -1.0, 2.0]), False)),
])
def test_dicts_as_python(func, args):
    check_kernel(func, *args)


def reads_a_missing_key(x):
    d = {"a": x}
    return d["b"]


def assigns_an_item(x):
    d = {"a": x}
    d["b"] = x
    return d["a"]


def returns_a_dict(x):
    return {"a": x}


def has_a_computed_key(x, k):
    d = {"a": x}
    return d[k]


def updates(x):
    d = {"a": x}
    d.update({"b": x})
    return d


@pytest.mark.parametrize("func, args, fragment, python_error", [
    (reads_a_missing_key, (np.ones(2),), "KeyError: 'b'", KeyError),
    (assigns_an_item, (np.ones(2),), "assignment into dict items is not supported", None),
    (returns_a_dict, (np.ones(2),), "cannot return them", None),
    (has_a_computed_key, (np.ones(2), 1), "must be a constant", None),
    (updates, (np.ones(2),), "dict.update() is not supported", None),
])
def test_dict_uses_that_are_refused(func, args, fragment, python_error):
    with pytest.raises(phylanx.CompileError, match=fragment.replace("(", "\\(")
                       .replace(")", "\\)")) as e:
        phylanx.kernel(func)(*args)
    if python_error is not None:
        assert isinstance(e.value, python_error)
