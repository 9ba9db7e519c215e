"""Python constructs inside kernels: imports in the function body, isinstance on arguments, and
the decorator's keywords (Phylanx's own included), each compared with the plain function.

PYTEST_DONT_REWRITE: the plain functions' `assert`s must raise what Python raises.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import phylanx
from phylanx.testing import check_kernel

# --- import inside the function ----------------------------------------------------------


def imports_numpy_as_np(x):
    import numpy as np
    return np.sin(x) * 2.0


def imports_names_from_numpy(x):
    from numpy import cos as c
    from numpy import sin
    return sin(x) + c(x)


def imports_a_submodule(x):
    import numpy.linalg
    from numpy.linalg import norm
    return numpy.linalg.norm(x) + norm(x)


def imports_from_math(x):
    import math
    from math import pi
    return x * pi + math.e


def imports_in_one_branch(x, flag):
    if flag:
        import numpy as q
        return q.cos(x)
    return x


@pytest.mark.parametrize("func", [imports_numpy_as_np, imports_names_from_numpy,
                                  imports_a_submodule, imports_from_math])
def test_import_inside_the_function(func):
    check_kernel(func, np.linspace(-1.0, 1.0, 7))
    check_kernel(func, np.linspace(-1.0, 1.0, 6)[::2].astype(np.float32), rtol=1e-6)


def test_import_inside_a_branch():
    check_kernel(imports_in_one_branch, np.arange(3.0), True)
    check_kernel(imports_in_one_branch, np.arange(3.0), False)


def test_an_array_imported_by_name_is_read_at_every_call(tmp_path, monkeypatch):
    (tmp_path / "phylanx_test_table.py").write_text(
        "import numpy as np\n"
        "TABLE = np.arange(3.0)\n"
        "def adds_table(x):\n"
        "    from phylanx_test_table import TABLE\n"
        "    return x + TABLE\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import phylanx_test_table as mod
    try:
        k = phylanx.kernel(mod.adds_table)
        x = np.ones(3)
        np.testing.assert_array_equal(k(x), mod.adds_table(x))
        mod.TABLE[:] = 10.0          # changed in place
        np.testing.assert_array_equal(k(x), [11.0, 11.0, 11.0])
        mod.TABLE = np.full(3, 2.0)  # rebound
        np.testing.assert_array_equal(k(x), [3.0, 3.0, 3.0])
    finally:
        del sys.modules["phylanx_test_table"]


def imports_a_missing_module(x):
    import phylanx_no_such_module  # noqa: F401
    return x


def imports_a_missing_name(x):
    from numpy import no_such_function  # noqa: F401
    return x


def test_a_failed_import_is_a_compile_error_of_the_same_class():
    with pytest.raises(ModuleNotFoundError, match="phylanx_no_such_module") as e:
        phylanx.kernel(imports_a_missing_module)(np.ones(2))
    assert isinstance(e.value, phylanx.CompileError)
    assert "test_python_constructs.py:" in str(e.value)
    with pytest.raises(ImportError, match="cannot import name 'no_such_function'") as e:
        phylanx.kernel(imports_a_missing_name)(np.ones(2))
    assert isinstance(e.value, phylanx.CompileError)


# --- isinstance --------------------------------------------------------------------------


def dispatches_on_type(x, n):
    if isinstance(n, int):
        return x * n
    elif isinstance(n, (float, np.floating)):
        return x + n
    return x - 1


def sums_if_array(x):
    if isinstance(x, np.ndarray):
        return x.sum()
    return x


@pytest.mark.parametrize("n", [3, 2.5, np.float32(2.5), np.int64(4), np.float64(1.5)])
def test_isinstance_of_a_scalar_argument(n):
    check_kernel(dispatches_on_type, np.arange(3.0), n)


@pytest.mark.parametrize("x", [np.arange(4.0), 3.0, np.float64(2.0), np.int32(5)])
def test_isinstance_of_an_array_or_a_scalar(x):
    check_kernel(sums_if_array, x)


def isinstance_with_a_value(x):
    return isinstance(x, 3)


def test_isinstance_needs_types_known_at_compile_time():
    with pytest.raises(TypeError, match="isinstance\\(\\) arg 2") as e:
        phylanx.kernel(isinstance_with_a_value)(np.ones(2))
    assert isinstance(e.value, phylanx.CompileError)


def test_isinstance_of_a_bool_is_refused_rather_than_guessed():
    # A bool argument and np.bool_ have one PhySL type; isinstance(b, int) differs for them.
    with pytest.raises(phylanx.CompileError, match="np.bool_"):
        phylanx.kernel(dispatches_on_type)(np.ones(2), True)


# --- decorator keywords ------------------------------------------------------------------


def doubles(x):
    return x * 2.0


def test_phylanx_decorator_keywords():
    x = np.arange(3.0)
    k = phylanx.Phylanx(target="PhySL")(doubles)
    np.testing.assert_array_equal(k(x), doubles(x))
    with pytest.raises(ValueError, match="unknown target 'OpenSCoP'"):
        phylanx.kernel(target="OpenSCoP")
    with pytest.raises(TypeError, match="unexpected keyword argument 'fast'"):
        phylanx.kernel(fast=True)
    with pytest.raises(TypeError, match="expects a Python function defined with def"):
        phylanx.kernel("PhySL")


def test_debug_prints_the_final_physl(capsys):
    phylanx.kernel(debug=True)(doubles)(np.arange(3.0))
    out = capsys.readouterr().out
    assert "func @doubles" in out or "doubles" in out


# --- raise and assert --------------------------------------------------------------------


def outcome(func, *args):
    """('ok', result) or ('raises', exception class, message) of calling func."""
    try:
        return "ok", func(*args)
    except Exception as e:  # noqa: BLE001
        return "raises", type(e), str(e)


def assert_same_outcome(func, *args):
    want = outcome(func, *args)
    got = outcome(phylanx.kernel(func), *args)
    if want[0] == "ok":
        assert got[0] == "ok", got
        check_kernel(func, *args)
    else:
        assert got == want


def asserts_rows(x):
    assert x.shape[0] > 2, f"need more than 2 rows, got {x.shape[0]}"
    return x * 2


def asserts_without_message(x, n):
    assert n > 0
    return x * n


def raises_on_negative_sum(x):
    if x.sum() < 0:
        raise ValueError(f"negative sum {x.sum():.3f} of {x.size} items ({x[0]!r} first)")
    return x


def raises_in_the_else_of_a_chain(x):
    if x.ndim == 1:
        y = x * 2.0
    elif x.ndim == 2:
        y = x.sum(axis=0)
    else:
        raise ValueError("need 1 or 2 dimensions")
    return y


def raises_in_a_loop(x):
    s = 0.0
    for i in range(x.shape[0]):
        if x[i] < 0:
            raise IndexError(f"negative at {i}: {x[i]!r}")
        s += x[i]
    return s


def raises_a_class(n):
    if n > 3:
        raise KeyError
    return n


def raises_a_numpy_exception(a):
    if a.shape[0] != a.shape[1]:
        raise np.linalg.LinAlgError("not square")
    return a


def reraises_outside_except(n):
    if n:
        raise  # noqa: PLE0704  (Python: RuntimeError)
    return n


def raises_with_braces(n):
    if n > 1:
        raise ValueError(f"{{n}} = {n} and {{}}")
    return n


def raises_with_a_percent_message(n, x):
    if n > 2:
        raise ValueError("n=%d x=%.2f (limit %%)" % (n, x))  # noqa: UP031  (the form tested)
    if n < 0:
        raise Exception("negative: %s" % n)  # noqa: UP031, TRY002
    return n


def writes_then_raises(x):
    for i in range(x.shape[0]):
        if x[i] < 0:
            raise ValueError(f"negative at {i}")
        x[i] = x[i] * 10.0
    return x


@pytest.mark.parametrize("func, args", [
    (asserts_rows, (np.arange(4.0),)), (asserts_rows, (np.arange(2.0),)),
    (asserts_without_message, (np.arange(3.0), 2)), (asserts_without_message, (np.arange(3), 0)),
    (raises_on_negative_sum, (np.arange(4.0),)), (raises_on_negative_sum, (-np.arange(4.0),)),
    (raises_in_the_else_of_a_chain, (np.arange(4.0),)),
    (raises_in_the_else_of_a_chain, (np.arange(4.0).reshape(2, 2),)),
    (raises_in_the_else_of_a_chain, (np.arange(4.0).reshape(1, 2, 2),)),
    (raises_in_a_loop, (np.arange(4.0),)), (raises_in_a_loop, (np.array([1.0, 2, -3, -4]),)),
    (raises_a_class, (2,)), (raises_a_class, (5,)),
    (raises_a_numpy_exception, (np.ones((2, 2)),)), (raises_a_numpy_exception, (np.ones((2, 3)),)),
    (reraises_outside_except, (0,)), (reraises_outside_except, (1,)),
    (raises_with_braces, (0,)), (raises_with_braces, (3,)),
    (raises_with_a_percent_message, (1, 2.0)), (raises_with_a_percent_message, (5, 2.5)),
    (raises_with_a_percent_message, (-4, 2.5)),
])
def test_raise_and_assert_as_python(func, args):
    assert_same_outcome(func, *args)


def test_raise_names_the_kernel_line():
    with pytest.raises(ValueError, match="negative sum") as e:
        phylanx.kernel(raises_on_negative_sum)(-np.arange(3.0))
    assert any("raise ValueError" in note for note in e.value.__notes__)


def test_writes_before_the_raise_stay_as_in_python():
    x = np.array([1.0, 2.0, -1.0, 4.0])
    y = x.copy()
    with pytest.raises(ValueError, match="negative at 2"):
        writes_then_raises(x)
    with pytest.raises(ValueError, match="negative at 2"):
        phylanx.kernel(writes_then_raises)(y)
    np.testing.assert_array_equal(y, x)


def test_the_first_failing_iteration_raises_with_two_threads():
    x = np.abs(np.random.default_rng(0).random(200_000)) + 1.0
    x[[100, 150_000, 199_999]] = -1.0
    k = phylanx.kernel(raises_in_a_loop)
    before = phylanx.get_num_threads()
    phylanx.set_num_threads(2)
    try:
        for _ in range(3):
            with pytest.raises(IndexError, match="negative at 100:"):
                k(x)
    finally:
        phylanx.set_num_threads(before)


def raises_from(n):
    if n:
        raise ValueError("a") from None
    return n


def raises_a_value(n):
    if n:
        raise ValueError(n)
    return n


def raises_a_non_exception(n):
    if n:
        raise int
    return n


@pytest.mark.parametrize("func, fragment", [
    (raises_from, "'raise ... from ...' is not supported"),
    (raises_a_value, "must be a string or an f-string"),
    (raises_a_non_exception, "can raise an exception class"),
])
def test_raise_forms_that_are_refused(func, fragment):
    with pytest.raises(phylanx.CompileError, match=fragment):
        phylanx.kernel(func)(1)


# --- print -------------------------------------------------------------------------------


def prints_as_it_goes(x):
    print("sum", x.sum())
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i]
        print(f"i={i} s={s:.2f} {x[i]!r}", x[i], sep=" | ", end=";\n")
    print(x)
    print()
    print("done", None, 3, flush=True)
    return s


def prints_between_draws(n):
    np.random.seed(n)
    a = np.random.rand()
    print("a", a)
    b = np.random.rand(3)
    print("b", b)
    return a + b


def prints_before_a_write(x):
    print(x)
    x[0] = 100.0
    print(x[0:2])
    return x


def prints_then_raises(n):
    print("before", n)
    if n > 1:
        raise ValueError("too big")
    print("after")
    return n


@pytest.mark.parametrize("func, make_args", [
    (prints_as_it_goes, lambda: (np.arange(3.0),)),
    (prints_as_it_goes, lambda: (np.arange(4, dtype=np.int32)[::2],)),
    (prints_between_draws, lambda: (7,)),
    (prints_before_a_write, lambda: (np.arange(4.0),)),
    (prints_then_raises, lambda: (0,)),
    (prints_then_raises, lambda: (5,)),
])
def test_print_writes_what_python_writes(func, make_args, capsys):
    want = outcome(func, *make_args())
    want_out = capsys.readouterr().out
    got = outcome(phylanx.kernel(func), *make_args())
    got_out = capsys.readouterr().out
    assert got_out == want_out
    assert got[0] == want[0]
    if want[0] == "ok":
        np.testing.assert_array_equal(got[1], want[1])
    else:
        assert got[1:] == want[1:]


def prints_to_a_file(x):
    print(x, file=sys.stderr)
    return x


def test_print_to_a_file_is_refused():
    with pytest.raises(phylanx.CompileError, match="print\\(file=...\\) is not supported"):
        phylanx.kernel(prints_to_a_file)(np.ones(2))
