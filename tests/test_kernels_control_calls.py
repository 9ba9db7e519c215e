"""Frontend kernels: early return, lists and comprehensions, calls, aliasing through control flow.

Calls cover other kernels and plain Python helpers (defaults, keywords, nested helpers, helpers
that return early or mutate their arguments). Every kernel is a module-level function checked
with `check_kernel` (compile, PhySL round trip, oracle and runtime compared with plain
Python). Branches and loops are in test_kernels_control_loops.py.
"""

import numpy as np
import pytest

import phylanx
from phylanx.testing import check_kernel


def rng():
    return np.random.default_rng(7)


# --- early return -----------------------------------------------------------------------------


@phylanx.kernel
def find_first(x, t):
    for i in range(len(x)):
        if x[i] > t:
            return i
    return -1


@pytest.mark.parametrize("t", [-10.0, 0.0, 1.0, 10.0])
def test_early_return_in_loop(t):
    check_kernel(find_first, rng().normal(size=8), t)


@phylanx.kernel
def find_pair(x, total):
    n = len(x)
    for i in range(n):
        for j in range(i + 1, n):
            if x[i] + x[j] == total:
                return i, j
    return -1, -1


@pytest.mark.parametrize("total", [7, 9, 100, 2])
def test_early_return_in_nested_loops(total):
    check_kernel(find_pair, np.array([1, 5, 2, 7, 4]), total)


@phylanx.kernel
def early_return_in_while(x):
    i = 0
    while i < len(x):
        if np.isnan(x[i]):
            return i
        i += 1
    return -1


def test_early_return_in_while():
    check_kernel(early_return_in_while, np.array([1.0, 2.0, np.nan, 3.0]))
    check_kernel(early_return_in_while, np.array([1.0, 2.0]))
    check_kernel(early_return_in_while, np.zeros(0))


@phylanx.kernel
def guard_clauses(x, n):
    if n <= 0:
        return np.zeros(0)
    if n > len(x):
        return x.copy()
    return x[:n] * 2


@pytest.mark.parametrize("n", [-1, 0, 2, 5, 9])
def test_early_return_in_if(n):
    check_kernel(guard_clauses, np.arange(5.0), n)


@phylanx.kernel
def return_from_inner_while(x):
    for i in range(len(x)):
        j = 0
        while True:
            if j >= i:
                break
            j += 1
            if x[j] < 0:
                return -j
    return 1


def test_return_from_while_nested_in_for():
    check_kernel(return_from_inner_while, np.array([1.0, 2.0, -1.0, 3.0]))
    check_kernel(return_from_inner_while, np.array([1.0, 2.0]))


@phylanx.kernel
def return_row(X):
    for row in X:
        if row.sum() < 0:
            return row
    return X[0]


def test_early_return_of_a_row():
    check_kernel(return_row, np.array([[1.0, 2.0], [-3.0, 1.0]]))
    check_kernel(return_row, np.array([[1.0, 2.0], [3.0, 1.0]]))


@phylanx.kernel
def tuple_return(x):
    return x.min(), x.max(), (x.argmin(), x.argmax())


def test_return_tuple():
    check_kernel(tuple_return, rng().normal(size=9))


@phylanx.kernel
def returns_none(x):
    x[0] = 1.0


def test_return_none_and_mutation():
    check_kernel(returns_none, np.zeros(3))


# --- early exits with mutation ----------------------------------------------------------------


@phylanx.kernel
def return_after_mutation(x):
    for i in range(len(x)):
        x[i] = 0
        if i == 2:
            return x.sum()
    return -1.0


@phylanx.kernel
def bare_return(x):
    if x[0] > 0:
        return
    x[0] = 5.0


@phylanx.kernel
def mutate_tuple_items(x, y):
    for v in (x, y):
        v[0] = -1.0
    return x, y


def test_early_exits_with_mutation():
    check_kernel(return_after_mutation, np.ones(5))
    check_kernel(return_after_mutation, np.ones(2))
    check_kernel(bare_return, np.ones(2))
    check_kernel(bare_return, -np.ones(2))
    check_kernel(mutate_tuple_items, np.zeros(2), np.zeros(3))


# --- lists and comprehensions -----------------------------------------------------------------


@phylanx.kernel
def list_literal(a, b):
    xs = [a, b, a + b]
    ys = [1.0, 2, a]
    return np.array(xs), np.array(ys), len(xs), xs[1], xs[-1]


def test_list_literal():
    check_kernel(list_literal, 2.0, 3.5)
    check_kernel(list_literal, 2, 5)


@phylanx.kernel
def comprehensions(n, x):
    squares = [i * i for i in range(n)]
    evens = [i for i in range(n) if i % 2 == 0]
    pairs = [i * 10 + j for i in range(n) for j in range(i) if (i + j) % 3 != 0]
    pos = [v for v in x if v > 0]
    return (np.array(squares, dtype=np.int64), np.array(evens, dtype=np.int64),
            np.array(pairs, dtype=np.int64), np.array(pos, dtype=np.float64), len(pairs))


@pytest.mark.parametrize("n", [0, 1, 6])
def test_list_comprehensions(n):
    check_kernel(comprehensions, n, rng().normal(size=7))


@phylanx.kernel
def nested_comprehension(X):
    return np.array([[X[i, j] * (i + j) for j in range(X.shape[1])] for i in range(X.shape[0])])


def test_nested_comprehension_builds_2d():
    check_kernel(nested_comprehension, rng().normal(size=(3, 4)))


@phylanx.kernel
def comprehension_over_rows(X):
    return [row.sum() for row in X]


def test_comprehension_returns_list():
    check_kernel(comprehension_over_rows, rng().normal(size=(4, 2)))


@phylanx.kernel
def append_in_loop(x, t):
    out = []
    idx = []
    for i in range(len(x)):
        if x[i] > t:
            out.append(x[i] * 2)
            idx.append(i)
    out.append(0.0)
    idx.append(-1)
    return np.array(out), np.array(idx)


def test_append_then_array():
    r = rng()
    check_kernel(append_in_loop, r.normal(size=10), 0.0)
    check_kernel(append_in_loop, r.normal(size=10), 100.0)


@phylanx.kernel
def append_arrays(X):
    parts = []
    for row in X:
        parts.append(row * 2)
    return np.vstack(parts), np.concatenate(parts), np.stack(parts, axis=1)


def test_append_rows_then_stack():
    check_kernel(append_arrays, rng().normal(size=(3, 4)))


@phylanx.kernel
def iterate_list(xs):
    vals = [v * 2 for v in xs]
    s = 0.0
    for v in vals:
        s += v
    for i, v in enumerate(vals):
        s += i * v
    return s, sum(vals), max(vals), min(vals)


def test_iterate_list():
    check_kernel(iterate_list, rng().normal(size=6))


@phylanx.kernel
def collect_until(n):
    res = []
    for i in range(n):
        if i == 3:
            continue
        res.append(i)
        if len(res) > 4:
            break
    return res


@pytest.mark.parametrize("n", [10, 2])
def test_list_built_with_continue_and_break(n):
    check_kernel(collect_until, n)


@phylanx.kernel
def comprehension_scope(n):
    i = 10
    z = [i * 2 for i in range(n)]
    return i, z


def test_comprehension_variable_does_not_leak():
    check_kernel(comprehension_scope, 3)


# --- calls: other kernels, helpers, defaults, keywords ----------------------------------------


@phylanx.kernel
def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@phylanx.kernel
def uses_kernel(X, w):
    return sigmoid(X @ w), sigmoid(0.0)


def test_call_other_kernel():
    r = rng()
    check_kernel(uses_kernel, r.normal(size=(5, 3)), r.normal(size=3))


def scaled(x, factor=2.0, shift=0.0):
    return x * factor + shift


def norm2(v):
    return np.sqrt((v * v).sum())


@phylanx.kernel
def uses_helpers(x):
    a = scaled(x)
    b = scaled(x, 3.0)
    c = scaled(x, shift=1.0)
    d = scaled(factor=-1.0, x=x, shift=0.5)
    return a, b, c, d, norm2(x)


def test_call_plain_helpers_with_defaults_and_keywords():
    x = rng().normal(size=5)
    check_kernel(uses_helpers, x)
    check_kernel(uses_helpers, x.astype(np.float32), rtol=1e-6)


def _sum_to(n):
    s = 0
    for i in range(n):
        s += i
    return s


@phylanx.kernel
def helper_same_twice_different_types(n, x):
    return _sum_to(n), _sum_to(3), scaled(n), scaled(x)


def test_helper_specialised_per_type():
    check_kernel(helper_same_twice_different_types, 5, rng().normal(size=3))


@phylanx.kernel
def kernel_defaults(x, power=2, scale=1.0, clip=True):
    y = scale * x ** power
    if clip:
        y = np.minimum(y, 1.0)
    return y


def test_kernel_default_and_keyword_arguments():
    x = rng().uniform(0, 2, size=6)
    check_kernel(kernel_defaults, x)
    check_kernel(kernel_defaults, x, 3)
    check_kernel(kernel_defaults, x, scale=0.5)
    check_kernel(kernel_defaults, x, clip=False, power=1)
    check_kernel(kernel_defaults, power=3, x=x, scale=2.0, clip=False)


def _inner_helper(v):
    return v + 1


def _outer_helper(v):
    return _inner_helper(v) * _inner_helper(2 * v)


@phylanx.kernel
def nested_helper_calls(x):
    return _outer_helper(x), _outer_helper(3)


def test_helpers_calling_helpers():
    check_kernel(nested_helper_calls, rng().normal(size=4))


def _early_helper(x, t):
    for i in range(len(x)):
        if x[i] > t:
            return x[i]
    return t


@phylanx.kernel
def helper_with_early_return(x):
    return _early_helper(x, 0.5) + _early_helper(x, 100.0)


def test_helper_with_early_return():
    check_kernel(helper_with_early_return, rng().normal(size=8))


def _mutating_helper(buf, i):
    buf[i] = -1.0
    return buf.sum()


@phylanx.kernel
def helper_mutates_argument(x):
    s = _mutating_helper(x, 0)
    return s, x


def test_helper_mutates_caller_array():
    check_kernel(helper_mutates_argument, rng().normal(size=4))


@phylanx.kernel
def tuple_arguments(t, pair):
    a, b = pair
    return [v * 2 for v in t], len(t), t[1], a + b, pair


def test_tuple_arguments():
    check_kernel(tuple_arguments, (1.0, 2.0), (np.ones(2), 3.0))


@phylanx.kernel
def scaled_kernel(x, scale=1.0, shift=0):
    return x * scale + shift


@phylanx.kernel
def calls_kernel_with_keywords(x):
    return (scaled_kernel(x), scaled_kernel(x, scale=2.0), scaled_kernel(shift=1, x=x),
            scaled_kernel(x, 3.0, 4))


def test_call_kernel_with_keywords():
    check_kernel(calls_kernel_with_keywords, np.arange(3.0))


def _with_array_default(x, w=np.ones(3)):
    return x * w


@phylanx.kernel
def helper_array_default(x):
    return _with_array_default(x), _with_array_default(x, 2.0)


def test_helper_with_array_default():
    check_kernel(helper_array_default, np.arange(3.0))


# --- aliasing through control flow ------------------------------------------------------------


@phylanx.kernel
def alias_mutated_in_branch(x, flag):
    y = x
    if flag:
        y[0] = 100.0
    return x


@phylanx.kernel
def alias_or_copy(x, flag):
    if flag:
        y = x
    else:
        y = x.copy()
    y[0] = 5.0
    return x


@phylanx.kernel
def alias_through_loop(x, n):
    y = x
    for _ in range(n):
        y = y * 2
    y[0] = -1.0  # mutates x only when the loop did not run
    return x, y


@pytest.mark.parametrize("flag", [True, False])
def test_alias_in_branches(flag):
    check_kernel(alias_mutated_in_branch, np.zeros(3), flag)
    check_kernel(alias_or_copy, np.zeros(3), flag)


@pytest.mark.parametrize("n", [0, 2])
def test_alias_through_loop(n):
    check_kernel(alias_through_loop, np.ones(3), n)


@phylanx.kernel
def rebinding_breaks_alias(x):
    a = x
    b = a
    b[0] = 7
    a = a + 1
    a[1] = 9
    return x, a, b


def test_rebinding_breaks_alias():
    check_kernel(rebinding_breaks_alias, np.zeros(3))


def _increment_in_place(v):
    v += 1
    return 0


@phylanx.kernel
def helper_aug_assign(x):
    r = _increment_in_place(x)
    return x, r


def test_helper_aug_assign_mutates_caller_array():
    check_kernel(helper_aug_assign, np.zeros(2))
