"""Unsupported or wrong kernel code raises phylanx.CompileError at the right place.

Each bad kernel marks the offending line with a `# <-` comment; the expected line comes from
inspect.getsourcelines and the expected column from the construct's text on that line.
"""

import functools
import inspect
import linecache

import numpy as np
import pytest

import phylanx
from phylanx.testing import check_kernel

COUNTER = 0


def _where(func, token, marker="# <-"):
    """(file, line, col) of `token` on the line of `func` carrying `marker` (1-based)."""
    func = getattr(func, "py_func", func)
    lines, first = inspect.getsourcelines(func)
    hits = [i for i, text in enumerate(lines) if marker in text]
    assert len(hits) == 1, f"marker {marker!r} must appear once in {func.__name__}"
    text = lines[hits[0]]
    col = text.index(token) + 1
    return inspect.getsourcefile(func), first + hits[0], col


def check_error(kernel, args, token, fragment, marker="# <-", where_func=None):
    """Compile `kernel` for `args`; assert a CompileError at `token` on the marked line."""
    file, line, col = _where(where_func or kernel, token, marker)
    with pytest.raises(phylanx.CompileError) as info:
        kernel.physl(*args)
    e = info.value
    assert fragment in e.message, f"message {e.message!r} lacks {fragment!r}"
    assert (e.file, e.line, e.col) == (file, line, col), \
        f"reported {e.file}:{e.line}:{e.col}, expected {file}:{line}:{col} ({e.message})"
    text = str(e)
    assert text.startswith(f"{file}:{line}:{col}: "), text
    rendered = text.splitlines()
    assert len(rendered) == 3, text
    source_line = linecache.getline(file, line)
    assert rendered[1].strip() and rendered[1].strip() == source_line.strip(), text
    caret = rendered[2]
    assert caret.strip() and set(caret.strip()) == {"^"}, text
    assert caret.index("^") == 4 + col - 1, text
    return e


X = np.arange(6.0)


# --- statements ------------------------------------------------------------------------------


@phylanx.kernel
def uses_try(x):
    try:  # <-
        y = x + 1
    except ValueError:
        y = x
    return y


def test_try_except():
    check_error(uses_try, (X,), "try", "'try'")


@phylanx.kernel
def uses_with(x):
    with np.errstate(all="ignore"):  # <-
        y = x / 0
    return y


def test_with():
    check_error(uses_with, (X,), "with", "'with'")


@phylanx.kernel
def uses_recursive_nested_def(x):
    def inner(v):
        return inner(v)  # <-

    return inner(x)


def test_recursive_nested_def():
    # nested functions are inlined (tests/test_local_functions.py); recursion is refused
    check_error(uses_recursive_nested_def, (X,), "inner(v)", "calls itself")


@phylanx.kernel
def uses_yield(x):
    for v in x:
        yield v  # <-


def test_yield():
    check_error(uses_yield, (X,), "yield", "yield")


@phylanx.kernel
def uses_del(x):
    y = x * 2
    del y  # <-
    return x


def test_del():
    check_error(uses_del, (X,), "del", "'del'")


@phylanx.kernel
def uses_global(x):
    global COUNTER  # <-
    COUNTER = 1
    return x


def test_global():
    check_error(uses_global, (X,), "global", "'global'")


@phylanx.kernel
def uses_relative_import(x):
    from . import conftest  # <-
    return x * conftest


def test_relative_import_inside_kernel():
    # absolute imports inside a kernel work (tests/test_python_constructs.py)
    check_error(uses_relative_import, (X,), "from", "relative import")


# --- expressions -----------------------------------------------------------------------------


@phylanx.kernel
def returns_lambda(x):
    return lambda v: v + 1  # <-


def test_returned_lambda():
    check_error(returns_lambda, (X,), "lambda", "cannot return them")


@phylanx.kernel
def returns_dict(x):
    d = {"a": x}
    return d  # <-


def test_returned_dict():
    check_error(returns_dict, (X,), "d", "cannot return them")


@phylanx.kernel
def uses_set(x):
    s = {1, 2}  # <-
    return s


def test_set_literal():
    check_error(uses_set, (X,), "{", "set literals")


@phylanx.kernel
def uses_fstring(x):
    s = f"value {x}"  # <-
    return s


def test_fstring():
    check_error(uses_fstring, (X,), 'f"', "f-strings")


@phylanx.kernel
def uses_walrus(x):
    if (n := len(x)) > 2:  # <-
        return n
    return 0


def test_walrus():
    check_error(uses_walrus, (X,), "n :=", "walrus")


@phylanx.kernel
def uses_shares_memory(x):
    return np.shares_memory(x, x)  # <-


def test_unsupported_numpy_function():
    e = check_error(uses_shares_memory, (X,), "np.shares_memory",
                    "np.shares_memory is not supported in a kernel")
    assert "shares_memory" in e.message


@phylanx.kernel
def uses_undefined(x):
    y = x + undefined_name  # <-  # noqa: F821
    return y


def test_undefined_name():
    check_error(uses_undefined, (X,), "undefined_name", "name 'undefined_name' is not defined")


@phylanx.kernel
def uses_dumps(x):
    return x.dumps()  # <-


def test_unsupported_method():
    check_error(uses_dumps, (X,), "x.dumps", "unsupported method 'dumps'")


@phylanx.kernel
def uses_starred(x):
    a, *rest = x  # <-
    return a


def test_starred_assignment():
    check_error(uses_starred, (X,), "a, *rest", "starred assignment")


@phylanx.kernel
def assigns_attribute(x):
    x.shape = (2, 3)  # <-
    return x


def test_assignment_to_attribute():
    check_error(assigns_attribute, (X,), "x.shape", "assignment to an attribute")


@phylanx.kernel
def sum_with_out(x, y):
    return np.sum(x, out=y)  # <-


def test_numpy_keyword_not_accepted():
    # the caret is under the keyword argument
    check_error(sum_with_out, (X, np.zeros(())), "out=y",
                "unsupported keyword argument 'out'")


@phylanx.kernel
def dynamic_axis(x, k):
    return np.sum(x, axis=k)  # <-


def test_non_constant_axis():
    check_error(dynamic_axis, (X.reshape(2, 3), 1), "k)", "compile-time constant")


@phylanx.kernel
def rank_changes(x, flag):
    y = x
    if flag:  # <-
        y = x.reshape(2, 3)
    return y


def test_variable_changes_rank_between_branches():
    check_error(rank_changes, (X, True), "if", "phylanx needs one type per variable")


@phylanx.kernel
def rank_changes_in_loop(x, n):
    y = x
    for _ in range(n):  # <-
        y = np.outer(y, y)
    return y


def test_variable_changes_rank_in_loop():
    check_error(rank_changes_in_loop, (X, 2), "for", "phylanx needs one type per variable")


@phylanx.kernel
def recursive(n):
    if n <= 1:
        return 1
    return n * recursive(n - 1)  # <-


def test_recursion():
    check_error(recursive, (5,), "recursive(n - 1)", "recursive call of 'recursive'")


@phylanx.kernel
def uses_is(x, y):
    if x is y:  # <-
        return 1
    return 0


def test_is_with_non_none():
    check_error(uses_is, (X, X), "x is y", "'is' is supported only for comparisons with None")


@phylanx.kernel
def uses_in(x):
    if 3.0 in x:  # <-
        return 1
    return 0


def test_in_test():
    check_error(uses_in, (X,), "3.0 in x", "'in' tests are supported only on dicts")


@phylanx.kernel
def tuple_dynamic_index(x, i):
    return x.shape[i]  # <-


def test_tuple_index_must_be_constant():
    check_error(tuple_dynamic_index, (X, 0), "i]", "tuples can only be indexed by constant")


@phylanx.kernel
def missing_return_path(x):  # <-
    if x.sum() > 0:
        return x * 2
    x[0] = 1.0


def test_value_returned_on_some_paths_only():
    check_error(missing_return_path, (X,), "def", "does not return a value on every path")


def _bad_helper(v):
    d = {1: v}
    return d  # <-


@phylanx.kernel
def calls_bad_helper(x):
    return _bad_helper(x)


def test_error_in_helper_points_into_helper():
    check_error(calls_bad_helper, (X,), "d", "cannot return them", where_func=_bad_helper)


def _two_args(a, b):
    return a + b


@phylanx.kernel
def wrong_helper_arity(x):
    return _two_args(x, 1, 2)  # <-


def test_helper_called_with_wrong_arity():
    check_error(wrong_helper_arity, (X,), "_two_args(", "too many positional arguments")


@phylanx.kernel
def list_pop(x):
    xs = [x[0], x[1]]
    return xs.pop()  # <-


def test_unsupported_list_method():
    check_error(list_pop, (X,), "xs.pop()", "list method 'pop' is not supported")


@phylanx.kernel
def string_value(x):
    s = "abc"
    return x + s  # <-


def test_string_used_as_value():
    with pytest.raises(phylanx.CompileError) as info:
        string_value.physl(X)
    file, line, _ = _where(string_value, "x + s")
    assert (info.value.file, info.value.line) == (file, line)


def test_lambda_as_kernel_is_refused_when_decorated():
    with pytest.raises(phylanx.CompileError) as info:
        phylanx.kernel(lambda x: x + 1)  # <-lambda
    e = info.value
    assert "lambda" in e.message and "def" in e.message
    with open(__file__) as f:
        source = f.read().splitlines()
    expected = next(i for i, t in enumerate(source, 1) if t.endswith("# <-lambda"))
    assert (e.file, e.line, e.col) == (__file__, expected, source[expected - 1].index("lambda") + 1)


@phylanx.kernel
def unknown_array_attribute(x):
    return x.foo  # <-


def test_unknown_array_attribute():
    check_error(unknown_array_attribute, (X,), "x.foo", "foo")


@phylanx.kernel
def unknown_numpy_attribute(x):
    return np.foo(x)  # <-


def test_unknown_numpy_attribute():
    check_error(unknown_numpy_attribute, (X,), "np.foo", "has no attribute 'foo'")


@phylanx.kernel
def module_as_value(x):
    return np  # <-


def test_module_used_as_value():
    check_error(module_as_value, (X,), "np", "module 'numpy' cannot be used as a value")


@phylanx.kernel
def inplace_bad_cast(x):
    x += 0.5  # <-
    return x


def test_inplace_operation_that_numpy_refuses():
    check_error(inplace_bad_cast, (np.arange(3),), "x +=", "casting rule 'same_kind'")


@phylanx.kernel
def axis_out_of_bounds(x):
    return np.sum(x, axis=2)  # <-


def test_axis_out_of_bounds():
    check_error(axis_out_of_bounds, (X,), "np.sum", "axis 2 is out of bounds")


@phylanx.kernel
def too_many_indices(x):
    return x[1, 2, 3]  # <-


def test_too_many_indices():
    check_error(too_many_indices, (X.reshape(2, 3),), "x[1", "too many indices")


@phylanx.kernel
def range_as_value(n):
    r = range(n)  # <-
    return r


def test_range_outside_for():
    check_error(range_as_value, (3,), "range(n)", "only as the iterable of a 'for' loop")


@phylanx.kernel
def keyword_only(x, *, k=1):  # <-
    return x * k


def test_keyword_only_parameters():
    check_error(keyword_only, (X,), "def", "keyword-only")


@phylanx.kernel
def unpack_mismatch(x):
    a, b = (1, 2, 3)  # <-
    return a + b + x


def test_unpack_length_mismatch():
    check_error(unpack_mismatch, (1.0,), "a, b", "cannot unpack 3 values into 2 names")


@phylanx.kernel
def class_inside(x):
    class Point:  # <-
        pass

    return x


def test_class_inside_kernel():
    check_error(class_inside, (X,), "class", "'class'")


def _make_indented_kernels():
    @phylanx.kernel
    def indented_set(x):
        y = x + {1}  # <-
        return y

    @phylanx.kernel
    def indented_missing_return(x):  # <-
        if x > 0:
            return x
        x = 2

    return indented_set, indented_missing_return


def test_errors_in_indented_kernels_have_file_columns():
    k1, k2 = _make_indented_kernels()
    check_error(k1, (1.0,), "{", "set literals")
    check_error(k2, (1.0,), "def", "does not return a value on every path")


@phylanx.kernel
def error_after_break(x):
    for i in range(3):
        if i == 1:
            break
        y = {i, 1}  # <-  # noqa: F841
    return x


@phylanx.kernel
def error_in_while_condition(x):
    i = 0
    while i < undefined_bound:  # <-  # noqa: F821
        i += 1
    return i


@phylanx.kernel
def error_in_comprehension(x):
    return [v + undefined_offset for v in x]  # <-  # noqa: F821


def test_errors_in_desugared_code_keep_locations():
    check_error(error_after_break, (X,), "{", "set literals")
    check_error(error_in_while_condition, (X,), "undefined_bound", "'undefined_bound'")
    check_error(error_in_comprehension, (X,), "undefined_offset", "'undefined_offset'")


# --- argument types are checked when calling, not compiling ----------------------------------


@phylanx.kernel
def plain(x):
    return x * 2


def test_python_list_argument_is_type_error():
    with pytest.raises(TypeError, match="argument 'x'") as info:
        plain([1.0, 2.0, 3.0])
    assert not isinstance(info.value, phylanx.CompileError)
    with pytest.raises(TypeError):
        check_kernel(plain, [1.0, 2.0])
    with pytest.raises(TypeError):
        plain.physl("text")


def test_wrong_number_of_arguments_is_type_error():
    with pytest.raises(TypeError, match="plain"):
        plain(X, X)
    with pytest.raises(TypeError):
        plain()


def test_good_kernel_next_to_bad_ones():
    check_kernel(plain, X)


def test_decorating_a_kernel_again_compiles_the_function():
    twice = phylanx.kernel(plain)
    assert twice.py_func is plain.py_func
    np.testing.assert_array_equal(twice(X), X * 2)
    profiled = phylanx.kernel(passes="", debug=True)(plain)
    np.testing.assert_array_equal(profiled(X), X * 2)


@pytest.mark.parametrize("thing", [42, np.sin, len, "x * 2", functools.partial(max, 1)])
def test_decorating_a_non_function_is_type_error(thing):
    with pytest.raises(TypeError, match="expects a Python function defined with def"):
        phylanx.kernel(thing)
