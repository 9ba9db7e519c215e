"""Frontend kernels: if/elif/else, for and while loops, break/continue, for/while-else.

Also loop-carried variables, loops over tuples (unrolled) and small loop algorithms. Every
kernel is a module-level function checked with `check_kernel` (compile, PhySL round trip,
oracle and runtime compared with plain Python). Early returns, lists, comprehensions, calls and
aliasing are in test_kernels_control_calls.py.
"""

import numpy as np
import pytest

import phylanx
from phylanx.testing import check_kernel


def rng():
    return np.random.default_rng(7)


# --- if / elif / else -------------------------------------------------------------------------


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


@phylanx.kernel
def guarded_index(x, i):
    return x[i] if i < len(x) else -1.0


@pytest.mark.parametrize("i", [1, 5])
def test_ternary_guards_index(i):
    check_kernel(guarded_index, np.arange(3.0), i)


# --- for loops over ranges --------------------------------------------------------------------


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


def test_python_float_accumulator():
    check_kernel(accumulate, np.arange(5, dtype=np.float64))
    check_kernel(accumulate, np.zeros(0))
    # 0.0 + np.float32(v) is np.float32 (NEP 50: the Python float is weak), so Python's s is
    # a float after no iteration and an np.float32 after one: refused
    with pytest.raises(phylanx.CompileError, match="'s' changes type from float to f32"):
        accumulate(np.arange(5, dtype=np.float32))


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


# --- while, break, continue -------------------------------------------------------------------


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


# --- more loop shapes -------------------------------------------------------------------------


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
    check_kernel(continue_and_for_else, np.arange(1))
    # total is an int until it adds an np.int32 element
    with pytest.raises(phylanx.CompileError, match="'total' changes type from int to i32"):
        continue_and_for_else(np.arange(3, dtype=np.int32))


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


# --- variables first assigned inside a loop and read in a later iteration ---------------------


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


# --- unrolled loops over tuples ---------------------------------------------------------------

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


# --- small algorithms -------------------------------------------------------------------------


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
