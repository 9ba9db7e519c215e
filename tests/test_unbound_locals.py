"""Reading a local variable that no assignment on the path taken has bound raises Python's
UnboundLocalError (with Python's message and the kernel's source line), also from the
oracle; on paths where it is bound the kernel computes what Python computes."""

import numpy as np
import pytest

import phylanx
from phylanx.testing import assert_same, check_kernel

MESSAGE = "cannot access local variable '{}' where it is not associated with a value"


def assigned_in_a_loop(a, n):
    for _ in range(n):
        v = a * 2
    return v


def assigned_in_one_branch(a, flag):
    if flag:
        v = a + 1
    return v.sum()


def read_in_an_expression(a, n):
    for i in range(n):
        last = i
    return a + last


def augmented_before_bound(a, n):
    for _ in range(n):
        total = a.sum()
    total += 1.0
    return total


def bound_after_the_first_iteration(a, n, first=1):
    out = 0.0
    for i in range(n):
        if i >= first:
            out = out + prev  # noqa: F821  (bound by an earlier iteration)
        prev = a[i]  # noqa: F841
    return out


def read_after_break(a, n):
    for i in range(n):
        if i == 2:
            break
        v = a[i]
    return v


def read_in_a_while_loop(a, n):
    k = 0
    while k < n:
        w = a[k]
        k += 1
    return w * 2


def short_circuit_skips_the_read(a, n):
    for _ in range(n):
        v = a.sum()
    return n > 0 and v > 0


def early_return_guards_the_read(a, n):
    if n == 0:
        return a.sum()
    for _ in range(n):
        v = a.sum()
    return v


CASES = [
    (assigned_in_a_loop, (np.arange(3.0), 0), "v"),
    (assigned_in_one_branch, (np.arange(3), False), "v"),
    (read_in_an_expression, (np.arange(3.0), 0), "last"),
    (augmented_before_bound, (np.arange(3.0), 0), "total"),
    (bound_after_the_first_iteration, (np.arange(3.0), 3, 0), "prev"),
    (read_after_break, (np.arange(5.0), 0), "v"),
    (read_in_a_while_loop, (np.arange(5.0), 0), "w"),
]


@pytest.mark.parametrize(("func", "args", "name"), CASES, ids=[c[0].__name__ for c in CASES])
def test_unbound_read_raises_unbound_local_error(func, args, name):
    with pytest.raises(UnboundLocalError, match=MESSAGE.format(name)):
        func(*args)
    kernel = phylanx.kernel(func)
    with pytest.raises(UnboundLocalError, match=MESSAGE.format(name)) as info:
        kernel(*args)
    note = "\n".join(getattr(info.value, "__notes__", []))
    assert func.__code__.co_filename in note, note


BOUND = [
    (assigned_in_a_loop, (np.arange(3.0), 2)),
    (assigned_in_one_branch, (np.arange(3), True)),
    (read_in_an_expression, (np.arange(3.0), 4)),
    (augmented_before_bound, (np.arange(3.0), 1)),
    (bound_after_the_first_iteration, (np.arange(3.0), 0, 0)),
    (bound_after_the_first_iteration, (np.arange(3.0), 3, 1)),
    (read_after_break, (np.arange(5.0), 4)),
    (read_in_a_while_loop, (np.arange(5.0), 3)),
    (short_circuit_skips_the_read, (np.arange(3.0), 0)),
    (short_circuit_skips_the_read, (np.arange(3.0), 2)),
    (early_return_guards_the_read, (np.arange(3.0), 0)),
    (early_return_guards_the_read, (np.arange(3.0), 2)),
]


@pytest.mark.parametrize(("func", "args"), BOUND,
                         ids=[f"{c[0].__name__}-{c[1][1]}" for c in BOUND])
def test_bound_read_computes_what_python_computes(func, args):
    check_kernel(func, *args)


def test_the_oracle_raises_too():
    from phylanx.ir.parser import parse_physl
    from phylanx.ir.printer import print_module
    from phylanx.oracle import evaluate

    kernel = phylanx.kernel(assigned_in_a_loop)
    compiled = kernel.compile(kernel._types(kernel._bind((np.arange(3.0), 0), {})))
    module = parse_physl(print_module(compiled.module))
    with pytest.raises(UnboundLocalError, match=MESSAGE.format("v")):
        evaluate(module, np.arange(3.0), 0)
    assert_same(evaluate(module, np.arange(3.0), 1), np.arange(3.0) * 2)
