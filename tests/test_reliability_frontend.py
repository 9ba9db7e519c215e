"""A kernel computes what the plain function computes, or is refused with a CompileError that
says why (found by differential fuzzing): globals and attributes read at call time, the source
Python runs, types that depend on the path taken, NumPy's exception classes."""

import importlib
import sys
import textwrap
import types

import numpy as np
import pytest

import phylanx
from phylanx.testing import assert_same, check_kernel

# --- globals, closures and attributes are read when the kernel is called ---------------------

SCALE = 5
OFFSETS = np.array([1, 2])


@phylanx.kernel
def scaled_plus_offsets(x):
    return x * SCALE + OFFSETS


def test_rebound_global_scalar_and_global_array_changed_in_place():
    global SCALE
    x = np.array([10, 10])
    saved = SCALE, OFFSETS.copy()
    try:
        assert_same(scaled_plus_offsets(x), scaled_plus_offsets.py_func(x))
        SCALE = 7
        OFFSETS[:] = 0
        assert_same(scaled_plus_offsets(x), np.array([70, 70]))
        assert_same(scaled_plus_offsets.py_func(x), np.array([70, 70]))
    finally:
        SCALE = saved[0]
        OFFSETS[:] = saved[1]


TABLE = np.arange(3.0)


@phylanx.kernel
def lookup(i):
    return TABLE[i] * 2.0


def test_rebound_global_array_of_another_dtype_and_shape():
    global TABLE
    saved = TABLE
    try:
        assert lookup(1) == 2.0
        TABLE = np.array([5, 6, 7, 8], dtype=np.int32)
        got = lookup(3)
        assert_same(got, lookup.py_func(3))
        assert got == 16.0
    finally:
        TABLE = saved


COUNTS = np.zeros(3, dtype=np.int64)


@phylanx.kernel
def count_into_global(i):
    COUNTS[i] += 1
    return COUNTS.sum()


def test_kernel_writes_the_global_array_python_writes():
    COUNTS[:] = 0
    assert count_into_global(1) == 1
    assert count_into_global(1) == 2
    assert count_into_global(2) == 3
    assert_same(COUNTS, np.array([0, 2, 1]))


def _double(v):
    return v * 2


def _triple(v):
    return v * 3


helper = _double


@phylanx.kernel
def calls_helper(x):
    return helper(x) + 1


def test_rebound_helper_function():
    global helper
    x = np.arange(3.0)
    try:
        assert_same(calls_helper(x), x * 2 + 1)
        helper = _triple
        assert_same(calls_helper(x), x * 3 + 1)
    finally:
        helper = _double


WEIGHTS = np.ones(3)


def _weighted(v):
    return v * WEIGHTS  # a global array read by a helper


@phylanx.kernel
def calls_weighted(x):
    return _weighted(x) + _weighted(x * 2.0)


def test_global_array_read_by_a_helper_is_read_at_call_time():
    x = np.arange(3.0)
    try:
        assert_same(calls_weighted(x), calls_weighted.py_func(x))
        WEIGHTS[:] = [1.0, 10.0, 100.0]
        assert_same(calls_weighted(x), calls_weighted.py_func(x))
    finally:
        WEIGHTS[:] = 1.0


CFG = types.SimpleNamespace(factor=2.0, bias=np.zeros(2))


@phylanx.kernel
def uses_config(x):
    return x * CFG.factor + CFG.bias


def test_object_attributes_are_read_at_call_time():
    x = np.array([1.0, 2.0])
    saved = CFG.factor, CFG.bias
    try:
        assert_same(uses_config(x), uses_config.py_func(x))
        CFG.factor = 3.0
        CFG.bias = np.array([0.5, 0.25])
        assert_same(uses_config(x), np.array([3.5, 6.25]))
        CFG.bias[0] = 100.0
        assert_same(uses_config(x), uses_config.py_func(x))
    finally:
        CFG.factor, CFG.bias = saved


def test_closure_cells_are_read_at_call_time():
    k = 2

    @phylanx.kernel
    def add_k(x):
        return x + k

    assert add_k(1) == 3
    k = 10
    assert add_k(1) == 11


LIMITS = (np.array([1.0, 2.0]), 3.0)


@phylanx.kernel
def uses_tuple_of_arrays(x):
    low, high = LIMITS
    return np.clip(x, low, high)


def test_arrays_in_a_global_tuple_are_read_by_reference():
    x = np.array([0.0, 5.0])
    assert_same(uses_tuple_of_arrays(x), np.array([1.0, 3.0]))
    LIMITS[0][:] = [-1.0, 2.5]
    try:
        assert_same(uses_tuple_of_arrays(x), uses_tuple_of_arrays.py_func(x))
    finally:
        LIMITS[0][:] = [1.0, 2.0]


def test_equal_rebinding_does_not_recompile():
    global SCALE
    x = np.array([1, 1])
    scaled_plus_offsets(x)
    before = scaled_plus_offsets.compile(scaled_plus_offsets._types((x,)))
    saved = SCALE
    try:
        SCALE = int("5")  # another int object, equal value
        scaled_plus_offsets(x)
        assert scaled_plus_offsets.compile(scaled_plus_offsets._types((x,))) is before
    finally:
        SCALE = saved


def test_global_array_known_extents_are_checked():
    check_kernel(scaled_plus_offsets, np.array([3, 4]))


# --- the source compiled is the code Python runs ---------------------------------------------

_MODULE_V1 = """
import numpy as np
import phylanx


def helper(x):
    return x + 1


@phylanx.kernel
def k(x):
    return helper(x) * 2
"""

_MODULE_V2 = _MODULE_V1.replace("x + 1", "x - 7").replace("* 2", "* 1")


def _import_file(tmp_path, name, text):
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(text))
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(name, None)


def test_editing_the_file_after_import_does_not_change_what_runs(tmp_path):
    mod = _import_file(tmp_path, "phylanx_edited_after_import", _MODULE_V1)
    (tmp_path / "phylanx_edited_after_import.py").write_text(textwrap.dedent(_MODULE_V2))
    x = np.array([0, 0])
    assert_same(mod.k.py_func(x), np.array([2, 2]))
    assert_same(mod.k(x), np.array([2, 2]))


_HELPERS = """
def helper(x):
    return x + 1
"""

_USER = """
import phylanx
from phylanx_helpers_edited import helper


@phylanx.kernel
def k(x):
    return helper(x) * 2
"""


def test_helper_in_a_file_edited_after_import_is_refused(tmp_path):
    (tmp_path / "phylanx_helpers_edited.py").write_text(_HELPERS)
    sys.path.insert(0, str(tmp_path))
    try:
        mod = _import_file(tmp_path, "phylanx_helper_user", _USER)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("phylanx_helpers_edited", None)
    (tmp_path / "phylanx_helpers_edited.py").write_text(_HELPERS.replace("x + 1", "x - 7"))
    with pytest.raises(phylanx.CompileError, match="not the code Python runs") as info:
        mod.k(np.array([0, 0]))
    assert info.value.file.endswith("phylanx_helpers_edited.py")


def test_exec_defined_function_is_refused_when_decorated():
    namespace = {}
    exec("def f(x):\n    return x + 1\n", namespace)  # noqa: S102
    with pytest.raises(phylanx.CompileError, match="cannot read the source of f"):
        phylanx.kernel(namespace["f"])


# --- statements and calls phylanx does not compile -------------------------------------------


@phylanx.kernel
def returns_inside_try(x):
    try:
        return x + 1
    except ValueError:
        return x


def test_try_is_refused_at_the_try():
    with pytest.raises(phylanx.CompileError, match="'try' statements") as info:
        returns_inside_try(1.0)
    first = returns_inside_try.py_func.__code__.co_firstlineno
    assert (info.value.line, info.value.col) == (first + 2, 5)
