"""Frontend kernels: if/elif/else, loops, break/continue, early return, comprehensions, calls.

Every kernel is a module-level function checked with `check_kernel` (compile, PhySL round
trip, oracle and runtime compared with plain Python).
"""

import numpy as np
import pytest

import phylanx
from phylanx.testing import check_kernel


def rng():
    return np.random.default_rng(7)


# --- if / elif / else ------------------------------------------------------------------------


@phylanx.kernel
def classify(x):
    if x < 0:
        kind = -1
    elif x == 0:
        kind = 0
    elif x < 10:
        kind = 1
    else:
        kind = 2
    return kind


@pytest.mark.parametrize("x", [-3, 0, 5, 10, 99, -0.5, 0.0, 9.99])
def test_if_elif_else(x):
    check_kernel(classify, x)


@phylanx.kernel
def if_on_array_values(x):
    total = x.sum()
    if total > 0:
        y = x / total
    else:
        y = -x
    if x.size == 0:
        y = np.zeros(0)
    return y


def test_if_on_array_values():
    r = rng()
    check_kernel(if_on_array_values, np.abs(r.normal(size=5)))
    check_kernel(if_on_array_values, -np.abs(r.normal(size=5)))
    check_kernel(if_on_array_values, np.zeros(0))


@phylanx.kernel
def if_without_else_merges(x, flag):
    y = x
    if flag:
        y = x * 2
        z = 1
    else:
        z = 2
    return y, z


@pytest.mark.parametrize("flag", [True, False])
def test_if_merges_variables(flag):
    check_kernel(if_without_else_merges, rng().normal(size=4), flag)


# --- for loops over ranges -------------------------------------------------------------------


@phylanx.kernel
def range_loops(n, a, b):
    s1 = 0
    for i in range(n):
        s1 += i * i
    s2 = 0
    for i in range(a, b):
        s2 = s2 * 3 + i
    s3 = [0]
    for i in range(b, a, -1):
        s3.append(i)
    s4 = 0
    for i in range(a, b, 3):
        s4 += i
    s5 = 0
    for i in range(b, a, -2):
        s5 = s5 * 2 - i
    return s1, s2, np.array(s3), s4, s5


@pytest.mark.parametrize("n,a,b", [(5, 2, 9), (0, 3, 3), (1, -4, 4), (10, 7, 2)])
def test_range_loops(n, a, b):
    check_kernel(range_loops, n, a, b)


@phylanx.kernel
def loop_variable_after_loop(n):
    i = -1
    for i in range(n):
        pass
    return i


@pytest.mark.parametrize("n", [0, 1, 6])
def test_loop_variable_after_loop(n):
    check_kernel(loop_variable_after_loop, n)


@phylanx.kernel
def rows_of_matrix(X):
    norms = np.zeros(X.shape[0])
    k = 0
    for row in X:
        norms[k] = np.sqrt((row * row).sum())
        k += 1
    return norms


def test_for_over_rows():
    r = rng()
    X = r.normal(size=(5, 3))
    check_kernel(rows_of_matrix, X)
    check_kernel(rows_of_matrix, X.T)
    check_kernel(rows_of_matrix, X[::2])
    check_kernel(rows_of_matrix, np.zeros((0, 3)))


@phylanx.kernel
def zip_enumerate(a, b):
    dot = 0.0
    for x, y in zip(a, b):
        dot += x * y
    weighted = 0.0
    for i, (x, y) in enumerate(zip(a, b)):
        weighted += i * (x - y)
    first_based = 0.0
    for k, x in enumerate(a, start=1):
        first_based += k * x
    count = 0
    for i, x in enumerate(b):
        if x > 0:
            count += i
    return dot, weighted, first_based, count


def test_zip_and_enumerate():
    r = rng()
    check_kernel(zip_enumerate, r.normal(size=6), r.normal(size=6))
    # zip stops at the shorter iterable
    check_kernel(zip_enumerate, r.normal(size=4), r.normal(size=7))


@phylanx.kernel
def accumulate(x):
    s = 0.0
    for v in x:
        s += v
    return s


def test_python_float_accumulator_of_float32_elements():
    # 0.0 + np.float32(v) is np.float32 (NEP 50: the Python float is weak)
    check_kernel(accumulate, np.arange(5, dtype=np.float64))
    check_kernel(accumulate, np.arange(5, dtype=np.float32))


@phylanx.kernel
def zip_rows(X, w):
    out = np.zeros(len(w))
    for row, wi, i in zip(X, w, range(len(w))):
        out[i] = wi * row.sum()
    return out


def test_zip_of_three():
    r = rng()
    check_kernel(zip_rows, r.normal(size=(4, 3)), r.normal(size=4))


@phylanx.kernel
def nested_loops(n, m):
    table = np.zeros((n, m), dtype=np.int64)
    for i in range(n):
        for j in range(i, m):
            table[i, j] = i * 10 + j
    return table


def test_nested_loops():
    check_kernel(nested_loops, 4, 5)
    check_kernel(nested_loops, 0, 3)


# --- while, break, continue ------------------------------------------------------------------


@phylanx.kernel
def collatz_steps(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


@pytest.mark.parametrize("n", [1, 2, 7, 27])
def test_while(n):
    check_kernel(collatz_steps, n)


@phylanx.kernel
def while_break_continue(x, limit):
    i = 0
    total = 0.0
    skipped = 0
    while i < len(x):
        v = x[i]
        i += 1
        if v < 0:
            skipped += 1
            continue
        if total + v > limit:
            break
        total += v
    return total, i, skipped


@pytest.mark.parametrize("limit", [0.0, 1.0, 3.0, 1e9])
def test_while_break_continue(limit):
    check_kernel(while_break_continue, rng().normal(size=10), limit)


@phylanx.kernel
def for_break_continue(x):
    total = 0
    last = -1
    for i in range(len(x)):
        if x[i] % 3 == 0:
            continue
        if x[i] > 50:
            last = i
            break
        total += x[i]
    return total, last


def test_for_break_continue():
    r = rng()
    for _ in range(3):
        check_kernel(for_break_continue, r.integers(0, 60, size=12))
    check_kernel(for_break_continue, np.zeros(0, dtype=np.int64))


@phylanx.kernel
def nested_break(X, t):
    hits = 0
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            if X[i, j] > t:
                hits += 1
                break
            if X[i, j] < -t:
                continue
            hits += 100
    return hits


def test_nested_break_only_exits_inner_loop():
    check_kernel(nested_break, rng().normal(size=(5, 4)), 0.5)


@phylanx.kernel
def for_else(x, target):
    pos = -1
    for i in range(len(x)):
        if x[i] == target:
            pos = i
            break
    else:
        pos = -2
    return pos


@pytest.mark.parametrize("target", [3, 4, 100])
def test_for_else(target):
    check_kernel(for_else, np.array([1, 3, 5, 3, 4]), target)


@phylanx.kernel
def while_else(x, t):
    i = 0
    while i < len(x):
        if x[i] > t:
            break
        i += 1
    else:
        i = -1
    return i


@pytest.mark.parametrize("t", [-5.0, 0.0, 5.0])
def test_while_else(t):
    check_kernel(while_else, rng().normal(size=6), t)


@phylanx.kernel
def while_true_break(n):
    k = 0
    while True:
        k += 1
        if k * k > n:
            break
    return k


@pytest.mark.parametrize("n", [0, 1, 15, 16, 1000])
def test_while_true_break(n):
    check_kernel(while_true_break, n)


# --- early return ----------------------------------------------------------------------------


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
def tuple_return(x):
    return x.min(), x.max(), (x.argmin(), x.argmax())


def test_return_tuple():
    check_kernel(tuple_return, rng().normal(size=9))


@phylanx.kernel
def returns_none(x):
    x[0] = 1.0


def test_return_none_and_mutation():
    check_kernel(returns_none, np.zeros(3))


# --- lists and comprehensions ----------------------------------------------------------------


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


# --- calls: other kernels, helpers, defaults, keywords ---------------------------------------


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


# --- more loop shapes ------------------------------------------------------------------------


@phylanx.kernel
def while_and_condition(x, n):
    i = 0
    while i < n and x[i] > 0:  # x[i] is not evaluated once i == n
        i += 1
    return i


def test_while_with_short_circuit_condition():
    check_kernel(while_and_condition, np.array([1.0, 2.0, -1.0]), 3)
    check_kernel(while_and_condition, np.array([1.0, 2.0]), 2)
    check_kernel(while_and_condition, np.zeros(0), 0)


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
def continue_and_for_else(x):
    total = 0
    for i in range(len(x)):
        if i % 2:
            continue
        for j in range(i):
            if j == 3:
                break
            total += x[j]
        else:
            total += 100
    return total


def test_continue_with_inner_for_else():
    check_kernel(continue_and_for_else, np.arange(8))
    check_kernel(continue_and_for_else, np.arange(3, dtype=np.int32))


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
def running_max(x):
    if x.size == 0:
        return 0.0
    m = x[0]
    for v in x[1:]:
        m = max(m, v)
    return m


def test_iterate_over_slice():
    check_kernel(running_max, np.array([1.0, 5.0, 2.0]))
    check_kernel(running_max, np.zeros(0))


@phylanx.kernel
def comprehension_scope(n):
    i = 10
    z = [i * 2 for i in range(n)]
    return i, z


def test_comprehension_variable_does_not_leak():
    check_kernel(comprehension_scope, 3)


@phylanx.kernel
def guarded_index(x, i):
    return x[i] if i < len(x) else -1.0


@pytest.mark.parametrize("i", [1, 5])
def test_ternary_guards_index(i):
    check_kernel(guarded_index, np.arange(3.0), i)


# --- aliasing through control flow -------------------------------------------------------------


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


# --- variables first assigned inside a loop and read in a later iteration ----------------------


@phylanx.kernel
def carried_from_previous_iteration(n):
    total = 0
    for i in range(n):
        if i > 0:
            total += prev * i  # noqa: F821  (prev was set by the previous iteration)
        prev = i + 1  # noqa: F841
    return total


@phylanx.kernel
def argmax_with_guard(x):
    best = -1
    for i in range(len(x)):
        if i == 0 or x[i] > bestv:  # noqa: F821  (bestv exists from the 2nd iteration on)
            bestv = x[i]  # noqa: F841
            best = i
    return best


@phylanx.kernel
def while_carried_from_previous_iteration(n):
    i = 0
    last = -1
    while i < n:
        if i > 0:
            last = cur  # noqa: F821
        cur = i * 2  # noqa: F841
        i += 1
    return last


def test_variable_defined_in_earlier_iteration():
    check_kernel(carried_from_previous_iteration, 5)
    check_kernel(carried_from_previous_iteration, 0)
    check_kernel(argmax_with_guard, np.array([1.0, 3.0, 2.0, 5.0, 4.0]))
    check_kernel(argmax_with_guard, np.zeros(0))
    check_kernel(while_carried_from_previous_iteration, 4)


# --- unrolled loops over tuples, early exits with mutation ------------------------------------

WEIGHTS = (0.5, 2, True)


@phylanx.kernel
def loops_over_tuples(x):
    s = 0.0
    for w in WEIGHTS:
        s = s + w * x
        if s > 3:
            break
    t = 0.0
    for i, w in enumerate(WEIGHTS):
        t += i * w
    for a, b in zip(WEIGHTS, (1, 2, 3)):
        t += a * b
    return s, t


@pytest.mark.parametrize("x", [1.0, 10.0])
def test_loops_over_tuples_are_unrolled(x):
    check_kernel(loops_over_tuples, x)


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


# --- small algorithms -----------------------------------------------------------------------


@phylanx.kernel
def reassign_loop_variable(n):
    s = 0
    for i in range(n):
        i = i * 2  # does not change the iteration
        s += i
    return s, i


@phylanx.kernel
def while_continue_else(n):
    i = 0
    out = 0
    while i < n:
        i += 1
        if i % 2:
            continue
        out += i
    out = -out
    return out


@phylanx.kernel
def has_duplicate(x):
    for i in range(len(x)):
        for j in range(len(x)):
            if j > i:
                break
            if x[i] == x[j] and i != j:
                return True
    return False


@phylanx.kernel
def nested_continue_break_else(n):
    k = 0
    for i in range(n):
        for j in range(n):
            if (i + j) % 3 == 0:
                continue
            if j > 3:
                break
            k += 1
        else:
            k += 100
        if k > 150:
            break
    return k


@phylanx.kernel
def strip_trailing_zeros(x):
    i = len(x) - 1
    while i >= 0 and x[i] == 0:
        i -= 1
    return x[: i + 1]


@phylanx.kernel
def gcd(a, b):
    while b:
        a, b = b, a % b
    return a


@phylanx.kernel
def bisect_left(x, target):
    lo, hi = 0, len(x)
    while lo < hi:
        mid = (lo + hi) // 2
        if x[mid] < target:
            lo = mid + 1
        else:
            hi = mid
    return lo


def test_small_algorithms():
    check_kernel(reassign_loop_variable, 4)
    check_kernel(while_continue_else, 7)
    check_kernel(has_duplicate, np.array([1, 2, 3, 2]))
    check_kernel(has_duplicate, np.array([1, 2, 3]))
    check_kernel(nested_continue_break_else, 6)
    check_kernel(nested_continue_break_else, 2)
    check_kernel(strip_trailing_zeros, np.array([1, 2, 0, 0]))
    check_kernel(strip_trailing_zeros, np.array([0, 0]))
    check_kernel(gcd, 48, 18)
    check_kernel(gcd, 7, 0)
    for t in [-1, 0, 7, 8, 100]:
        check_kernel(bisect_left, np.arange(0, 20, 2), t)
    check_kernel(bisect_left, np.arange(0), 3)
