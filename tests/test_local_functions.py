"""lambda and nested def inside kernels: inlined at each call with Python's scoping (late
binding of enclosing variables, own locals, defaults evaluated at definition)."""

from __future__ import annotations

import numpy as np
import pytest

import phylanx
from phylanx.testing import check_kernel

K = 100.0


def lambda_reads_the_enclosing_variable_at_call_time(x):
    k = 3.0
    f = lambda v: v * k
    k = 4.0
    return f(x) + (lambda a, b=2: a * b)(x)  # noqa: PLC3002


def nested_def_with_loop_break_and_keyword(x):
    def weighted_prefix(v, c=2.0):
        s = 0.0
        for i in range(v.shape[0]):
            if v[i] < 0:
                break
            s += v[i] * c
        return s
    return weighted_prefix(x) + weighted_prefix(x, c=10.0)


def nested_def_with_early_return(x, t):
    def first_above(v):
        for i in range(v.shape[0]):
            if v[i] > t:
                return i
        return -1
    return first_above(x)


def nested_def_with_its_own_global_name(x):
    def h(v):
        K = 2.0
        return v * K
    return h(x) + K


def nested_in_nested(x):
    a = 2.0

    def outer(v):
        def inner(w):
            return w + a
        return inner(v) * 2
    return outer(x)


def default_bound_at_definition(x):
    c = 5.0

    def g(v, c=c):
        return v * c
    c = 7.0
    return g(x) + c


def nested_def_raises(x):
    def check(v):
        if v.min() < 0:
            raise ValueError("negative")
        return v
    return check(x) * 2


def nested_def_writes_its_argument(x):
    def g(v):
        v[0] = 9.0
    r = g(x)
    return x, r


def writes_an_enclosing_array_in_a_loop(x):
    y = x.copy()

    def bump(i):
        y[i] = y[i] + 1.0
    for i in range(x.shape[0]):
        bump(i)
        bump(0)
    return y.sum(), y


def writes_its_parameter_in_a_loop(x):
    def bump(v, i):
        v[i] += 1.0
    for i in range(x.shape[0]):
        bump(x, i)
    return x


X = np.array([1.0, 2.0, -1.0, 4.0])


@pytest.mark.parametrize("func, args", [
    (lambda_reads_the_enclosing_variable_at_call_time, (X,)),
    (lambda_reads_the_enclosing_variable_at_call_time, (np.arange(5, dtype=np.int32),)),
    (nested_def_with_loop_break_and_keyword, (X,)),
    (nested_def_with_early_return, (X, 1.5)),
    (nested_def_with_early_return, (X, 10.0)),
    (nested_def_with_its_own_global_name, (X,)),
    (nested_in_nested, (X[::2],)),
    (default_bound_at_definition, (X,)),
    (nested_def_raises, (np.abs(X),)),
    (nested_def_writes_its_argument, (X.copy(),)),
    (writes_an_enclosing_array_in_a_loop, (X,)),
    (writes_its_parameter_in_a_loop, (X.copy(),)),
])
def test_local_functions_as_python(func, args):
    check_kernel(func, *args)


def test_a_nested_function_that_raises():
    with pytest.raises(ValueError, match="negative"):
        phylanx.kernel(nested_def_raises)(X)


def reads_its_local_before_assigning(x):
    def h(v):
        y = K * v  # noqa: F823  (the point of the test)
        K = 2.0  # noqa: F841
        return y
    return h(x)


def calls_itself(n):
    def fact(m):
        if m <= 1:
            return 1
        return m * fact(m - 1)
    return fact(n)


def returns_a_lambda(x):
    return lambda v: v


def assigns_nonlocal(x):
    total = 0.0

    def add(v):
        nonlocal total
        total += v.sum()
    add(x)
    return total


def appends_to_the_callers_list(x):
    acc = [0]

    def add(v):
        acc.append(v * 2)
    for i in range(x.shape[0]):
        add(i)
    return acc


@pytest.mark.parametrize("func, python_error, fragment", [
    (appends_to_the_callers_list, None, "appends to the caller's list 'acc'"),
    (reads_its_local_before_assigning, UnboundLocalError, "cannot access local variable 'K'"),
    (calls_itself, None, "calls itself"),
    (returns_a_lambda, None, "cannot return them"),
    (assigns_nonlocal, None, "'nonlocal' in a nested function"),
])
def test_local_functions_refused_with_a_reason(func, python_error, fragment):
    with pytest.raises(phylanx.CompileError, match=fragment) as e:
        phylanx.kernel(func)(X if func is not calls_itself else 4)
    if python_error is not None:
        assert isinstance(e.value, python_error)
        with pytest.raises(python_error):
            func(X)
