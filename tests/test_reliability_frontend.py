"""A kernel computes what the plain function computes, or is refused with a CompileError that
says why (found by differential fuzzing): globals and attributes read at call time, the source
Python runs, types that depend on the path taken, NumPy's exception classes."""

import importlib
import sys
import textwrap
import types
import warnings

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


# --- a variable has the type Python gives it on the path taken, or the kernel is refused ----


def _refused(kernel, args, fragment):
    """The kernel is refused at compile time with `fragment` in the message, naming a place
    inside the kernel's source."""
    with pytest.raises(phylanx.CompileError, match=fragment) as info:
        kernel(*args)
    code = kernel.py_func.__code__
    assert info.value.file == code.co_filename and info.value.line >= code.co_firstlineno
    return info.value


@phylanx.kernel
def centred_n_times(x, n):
    for i in range(n):
        x = x - x.mean()
    return x


@phylanx.kernel
def halved_if(x, c):
    if c:
        x = x * 0.5
    return x


@phylanx.kernel
def python_scalar_sum(n):
    s = 0
    for i in range(n):
        s = s + 0.5
    return s


@phylanx.kernel
def while_halving(x):
    while x.sum() > 100:
        x = x / 2
    return x


def test_dtype_changed_in_a_loop_is_refused_at_the_assignment():
    e = _refused(centred_n_times, (np.arange(3), 0), "'x' changes type from i64.* to f64")
    first = centred_n_times.py_func.__code__.co_firstlineno
    assert (e.line, e.col) == (first + 3, 9)
    assert "x = x.astype(np.float64) before the loop" in e.message
    e = _refused(python_scalar_sum, (0,), "'s' changes type from int to float")
    assert "s = float(s)" in e.message
    _refused(while_halving, (np.arange(300),), "'x' changes type from i64")


def test_dtype_changed_in_one_branch_is_refused():
    e = _refused(halved_if, (np.arange(3), False), "'x' changes type from i64.* to f64")
    first = halved_if.py_func.__code__.co_firstlineno
    assert (e.line, e.col) == (first + 3, 9)


def test_same_dtype_on_every_path_still_compiles():
    check_kernel(centred_n_times, np.arange(3.0), 0)
    check_kernel(centred_n_times, np.arange(3.0), 2)
    check_kernel(halved_if, np.arange(3.0), False)
    check_kernel(halved_if, np.arange(3.0), True)
    check_kernel(while_halving, np.arange(300.0))


@phylanx.kernel
def dead_after_type_change(x, n):
    t = 0
    for i in range(n):
        t = x * 0.5  # an int before the loop, an array in it: never read after
        x = x + t
    t = 1
    return x, t


def test_type_change_of_a_variable_not_read_afterwards_compiles():
    check_kernel(dead_after_type_change, np.arange(3.0), 0)
    check_kernel(dead_after_type_change, np.arange(3.0), 3)


@phylanx.kernel
def returns_int_or_float(c):
    if c:
        return 1
    return 2.5


@phylanx.kernel
def conditional_expression(c, x):
    y = 1 if c else 2.5
    return y * x


@phylanx.kernel
def larger_of(a, b):
    return max(a, b)


def test_results_whose_type_depends_on_the_path_are_refused():
    _refused(returns_int_or_float, (True,), "returns int on one path and float on another")
    _refused(conditional_expression, (True, np.arange(3)), "int on one path and float")
    _refused(larger_of, (3, 2.5), "max\\(\\) of int and float")


@phylanx.kernel
def conditional_expression_of_one_type(c, x):
    y = 1.0 if c else 2.5
    return y * x, (x if c else -x)


def test_conditional_expressions_of_one_type_compile():
    check_kernel(conditional_expression_of_one_type, True, np.arange(3))
    check_kernel(conditional_expression_of_one_type, False, np.arange(3))
    check_kernel(larger_of, 3.0, 2.5)
    check_kernel(larger_of, 3, 4)
    check_kernel(larger_of, np.float64(3.0), 2.5)


# --- type errors are the exceptions Python and NumPy raise, and CompileErrors ----------------


@phylanx.kernel
def int_plus_equals_float(x):
    x += 1.5
    return x


@phylanx.kernel
def bitwise_and(x, y):
    return x & y


@phylanx.kernel
def subtract(x, y):
    return x - y


@phylanx.kernel
def none_plus(x):
    return None + x


@phylanx.kernel
def too_many_indices(x):
    return x[0, 0]


@phylanx.kernel
def undefined_name(x):
    return x + not_defined_anywhere  # noqa: F821


_TYPE_ERRORS = [
    (int_plus_equals_float, (np.arange(3),), 2),
    (bitwise_and, (np.ones(3), np.ones(3)), 2),
    (subtract, (np.ones(3, bool), np.ones(3, bool)), 2),
    (none_plus, (np.ones(3),), 2),
    (too_many_indices, (np.ones(3),), 2),
    (undefined_name, (np.ones(3),), 2),
]


@pytest.mark.parametrize("kernel,args,line", _TYPE_ERRORS,
                         ids=[k.__name__ for k, _, _ in _TYPE_ERRORS])
def test_compile_error_is_also_the_exception_python_raises(kernel, args, line):
    with pytest.raises(Exception) as python:
        kernel.py_func(*args)
    with pytest.raises(type(python.value)) as info:
        kernel(*args)
    e = info.value
    assert isinstance(e, phylanx.CompileError)
    code = kernel.py_func.__code__
    assert str(e).startswith(f"{code.co_filename}:{code.co_firstlineno + line}:{e.col}: ")
    assert e.col > 0


def test_numpy_ufunc_type_error_is_caught_as_type_error():
    try:
        int_plus_equals_float(np.arange(3))
    except TypeError as e:  # NumPy's UFuncTypeError is a TypeError
        assert "casting rule 'same_kind'" in str(e)
    else:
        raise AssertionError("no TypeError")


def test_compile_errors_pickle_with_their_class():
    import pickle

    with pytest.raises(TypeError) as info:
        none_plus(np.ones(2))
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is type(info.value) and str(again) == str(info.value)


# --- NumPy's rules for setitem values and concatenate(axis=None) ----------------------------


@phylanx.kernel
def assign_all(a, b):
    a[...] = b
    return a


@phylanx.kernel
def assign_rows(a, i, b):
    a[i] = b
    return a


@phylanx.kernel
def assign_tail(a, b):
    a[1:] = b
    return a


@phylanx.kernel
def assign_element(a, b):
    a[0] = b
    return a


@phylanx.kernel
def assign_masked(a, b):
    a[a > 0.5] = b
    return a


@phylanx.kernel
def concatenate_flat(a, b):
    return np.concatenate((a, b), axis=None)


def test_setitem_value_may_have_leading_unit_axes():
    check_kernel(assign_all, np.zeros(3), np.ones((1, 3)))
    check_kernel(assign_all, np.zeros(300), np.arange(300.0).reshape(1, 1, 300))
    check_kernel(assign_tail, np.zeros(3000), np.ones((1, 2999)))
    check_kernel(assign_rows, np.zeros((3, 3)), np.array([0, 2]), np.ones((1, 2, 3)))
    check_kernel(assign_rows, np.zeros((3000, 3)), np.arange(2000), np.ones((1, 2000, 3)))
    check_kernel(assign_element, np.zeros(3), np.array(2.0))


def _same_error(kernel, *args):
    """The kernel raises what the plain function raises (at compile or at run time)."""
    with pytest.raises(Exception) as python:
        kernel.py_func(*[a.copy() for a in args])
    with pytest.raises(type(python.value)):
        kernel(*args)


def test_setitem_values_numpy_refuses():
    _same_error(assign_all, np.zeros(3), np.ones((2, 3)))           # ValueError at run time
    _same_error(assign_element, np.zeros(3), np.ones(1))            # an element, a sequence
    _same_error(assign_masked, np.linspace(0, 1, 5), np.ones((1, 1)))  # mask: 0-d or 1-d


def test_concatenate_without_axis_flattens_any_ranks():
    check_kernel(concatenate_flat, np.zeros(3), np.ones((2, 2)))
    check_kernel(concatenate_flat, np.array(5.0), np.arange(6.0).reshape(2, 3))
    check_kernel(concatenate_flat, np.zeros(3000), np.ones((200, 20), dtype=np.int32))


# --- calls of functions phylanx does not compile, message grammar ----------------------------


@phylanx.kernel
def uses_scipy(x, k):
    import_free = scipy_signal.convolve(x, k, mode="valid")
    return import_free


scipy_signal = pytest.importorskip("scipy.signal")


def test_library_function_is_not_supported_at_the_call():
    with pytest.raises(phylanx.CompileError,
                       match="scipy_signal.convolve .*is not supported in a kernel") as info:
        uses_scipy(np.ones(5), np.ones(2))
    first = uses_scipy.py_func.__code__.co_firstlineno
    assert (info.value.line, info.value.col) == (first + 2, 19)


def test_argument_count_grammar():
    from phylanx.compiler import compile_function
    from phylanx.ir.types import INT

    with pytest.raises(phylanx.CompileError, match="'none_plus' takes 1 argument, got 2"):
        compile_function(none_plus.py_func, [INT, INT])


# --- a Python scalar meeting the NumPy scalar of its dtype -----------------------------------


@phylanx.kernel
def float_sum(x):
    s = 0.0
    for v in x:
        s += v
    return s


@phylanx.kernel
def float_sum_times_float32(x):
    s = 0.0
    for v in x:
        s += v
    return (s + 1.0) * np.float32(2)  # float32 if s is a Python float, float64 if not


@phylanx.kernel
def reciprocal_of_sum(x):
    s = 0.0
    for v in x:
        s += v
    return 1 / s  # ZeroDivisionError for the Python float 0.0, inf for np.float64(0.0)


def _reciprocal(v):
    return 1.0 / v


@phylanx.kernel
def helper_of_either(x, c):
    s = 0.0
    if c:
        s = x[0]
    return _reciprocal(s)


def test_python_float_accumulator_over_float64_elements_compiles():
    check_kernel(float_sum, np.arange(4.0))
    got = float_sum(np.zeros(0))
    assert got == 0.0 and np.asarray(got).dtype == np.float64


def test_operations_telling_a_python_float_from_a_numpy_one_are_refused():
    e = _refused(float_sum_times_float32, (np.arange(3.0),),
                 "'s' is a Python float on one path and an np.float64 on another")
    assert "f32 for the Python scalar, f64 for the NumPy one" in e.message
    _refused(reciprocal_of_sum, (np.arange(3.0),), "'true_divide' of Python scalars raises")
    with pytest.raises(phylanx.CompileError, match="'v' is a Python float on one path") as info:
        helper_of_either(np.arange(3.0), True)  # refused in the helper, where it divides
    assert info.value.line == _reciprocal.__code__.co_firstlineno + 1


def test_physl_follows_a_rebound_global():
    global SCALE
    x = np.array([1, 1])
    saved = SCALE
    try:
        scaled_plus_offsets(x)
        SCALE = 11
        assert "11" in scaled_plus_offsets.physl(x, locations=False)
    finally:
        SCALE = saved


def test_identical_functions_in_two_files_keep_their_own_source(tmp_path):
    """Code objects of identical functions in two files compare equal (the file name is not
    compared): each kernel must still read, and name, its own file."""
    import importlib.util

    modules = []
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        path = tmp_path / folder / "k.py"
        path.write_text("def f(x):\n    return x + 1.0\n")
        spec = importlib.util.spec_from_file_location(f"k_{folder}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules.append(module)
    assert modules[0].f.__code__ == modules[1].f.__code__
    for folder, module in zip("ab", modules):
        text = phylanx.kernel(module.f).physl(1.0)
        assert f'{tmp_path / folder / "k.py"}"' in text, text


# --- list literals, unsupported argument kinds, loop conditions of array type ---------------

def mixed_list(n):
    items = [1, 2.5]
    return items[0] + n


def test_list_literal_of_mixed_scalar_types_is_refused():
    with pytest.raises(phylanx.CompileError, match="list items of types int and float"):
        phylanx.kernel(mixed_list)(1)


def mixed_list_read_by_np_array_only(a):
    items = [1, 2.5, a]
    return np.array(items), np.asarray([a, 1, True])


def test_mixed_list_read_only_by_np_array_converts_as_numpy_does():
    check_kernel(mixed_list_read_by_np_array_only, 3)
    check_kernel(mixed_list_read_by_np_array_only, 0.5)


def two_arrays_in_a_list(a, b):
    items = [a, b]
    return items[1]


def test_list_literal_of_arrays_of_one_dtype_compiles():
    assert_same(phylanx.kernel(two_arrays_in_a_list)(np.arange(3.0), np.ones(2)), np.ones(2))


def takes_anything(x, mode):
    return x * 2


def passes_a_string(x):
    return takes_anything(x, "fast")


@pytest.mark.parametrize("value", ["fast", {"fast": 1}, [1, 2]])
def test_string_dict_and_list_arguments_are_refused_by_kind(value):
    with pytest.raises(TypeError) as info:
        phylanx.kernel(takes_anything)(np.arange(2.0), value)
    kind = {str: "string", dict: "dict", list: "list"}[type(value)]
    assert f"argument 'mode': {kind} arguments are not supported" in str(info.value)


def test_string_passed_to_a_helper_is_refused_at_the_argument():
    with pytest.raises(phylanx.CompileError, match="string arguments and values are not "
                                                   "supported") as info:
        phylanx.kernel(passes_a_string)(np.arange(2.0))
    line = passes_a_string.__code__.co_firstlineno + 1
    column = "    return takes_anything(x, ".__len__() + 1
    assert f":{line}:{column}:" in str(info.value)


def while_with_break(limit, n):
    k = 0
    while k < limit:
        if k == n:
            break
        k += 1
    return k


@pytest.mark.parametrize("limit", [np.array([3]), np.array(2), np.array([1, 2])])
def test_loop_condition_of_array_type_with_break(limit):
    kernel = phylanx.kernel(while_with_break)
    try:
        expected = while_with_break(limit, 5)
    except ValueError as e:
        with pytest.raises(ValueError, match="truth value of an array"):
            kernel(limit, 5)
        assert "truth value of an array" in str(e)
        return
    assert_same(kernel(limit, 5), expected)


def iterate(x):
    total = 0
    for v in x:
        total += 1
    return total


def length(x):
    return len(x)


def set_one_element(x, v):
    x[0] = v
    return x


@pytest.mark.parametrize(("func", "args"), [
    (iterate, (np.array(1.0),)), (iterate, (3,)), (length, (np.array(2),)),
    (length, (np.complex128(1j),)),
    (set_one_element, (np.zeros(3, np.complex128), np.ones((1, 2)))),
    (set_one_element, (np.zeros(3, np.complex64), np.ones(1))),
    (set_one_element, (np.float64(1.0), 2.0)), (set_one_element, ((1, 2), 3)),
], ids=["iterate-0d", "iterate-int", "len-0d", "len-scalar", "complex-element-2d",
        "complex-element-1d", "setitem-numpy-scalar", "setitem-tuple"])
def test_refusals_where_python_raises_type_error_are_type_errors(func, args):
    with pytest.raises(TypeError):
        func(*args)
    with pytest.raises(phylanx.CompileError) as info:
        phylanx.kernel(func)(*args)
    assert isinstance(info.value, TypeError)


# --- x op= y: the result may not grow beyond x's shape (NumPy's ValueError) -------------------

def add_in_place(x, y):
    x += y
    return x


def add_in_place_to_rows(x, y):
    x[0] += y
    return x


@pytest.mark.parametrize(("func", "x", "y"), [
    (add_in_place, np.arange(3.0), np.ones((1, 3))),
    (add_in_place, np.arange(3.0), np.ones((2, 3))),
    (add_in_place, np.zeros((1, 3)), np.ones((2, 3))),
    (add_in_place, np.zeros((0,)), np.ones((1, 0))),
    (add_in_place_to_rows, np.zeros((2, 3)), np.ones((1, 3))),
    (add_in_place_to_rows, np.zeros((2, 1)), np.ones(3)),
], ids=["rank-grows-by-1", "rank-grows", "extent-grows", "empty", "row-rank-grows",
        "row-extent-grows"])
def test_in_place_result_that_does_not_fit_raises_numpy_value_error(func, x, y):
    with pytest.raises(ValueError, match="non-broadcastable output operand") as expected:
        func(x.copy(), y)
    with pytest.raises(ValueError) as got:
        phylanx.kernel(func)(x.copy(), y)
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize(("x", "y"), [
    (np.arange(3.0), np.ones(3)), (np.arange(6.0).reshape(2, 3), np.ones(3)),
    (np.arange(6.0).reshape(2, 3), np.ones((2, 1))), (np.arange(3.0), np.ones(1)),
    (np.arange(3.0), 2.0), (np.arange(3.0), np.array(2.0)),
])
def test_in_place_results_that_fit_are_written(x, y):
    check_kernel(add_in_place, x, y)


def constant_condition_that_warns(a, n):
    a = n
    if np.nanmean(np.nan, axis=None) >= 0.5:
        a = n + 1
    return a


def test_constant_expression_that_warns_warns_on_every_call():
    kernel = phylanx.kernel(constant_condition_that_warns)
    for _ in range(3):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert kernel(np.arange(3), 3) == 3
        assert [str(w.message) for w in caught] == ["Mean of empty slice"]


# --- NumPy bool scalars of constant operands stay NumPy bools ---------------------------------

def any_of_a_constant(x):
    return np.any(2), x


def compare_with_a_numpy_constant(x):
    return 1 >= np.sign(-np.inf), x


def modulo_by_a_numpy_false(t):
    return t % np.trunc(False)


@pytest.mark.parametrize(("func", "arg"), [
    (any_of_a_constant, 1), (compare_with_a_numpy_constant, 1), (modulo_by_a_numpy_false, 2.5),
])
def test_constant_numpy_bool_results_keep_their_type(func, arg):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = func(arg)
        got = phylanx.kernel(func)(arg)
    assert_same(got, expected)
    first = lambda r: r[0] if isinstance(r, tuple) else r
    assert type(first(got)) is type(first(expected))
