"""Kernels that draw random numbers: NumPy's global generator (np.random.seed and every legacy
distribution), RandomState objects and `np.random.default_rng` Generators give streams
bit-identical to NumPy's for the same seed, with NumPy's types (a Python float for a scalar
draw, np.int64 from rng.integers, the dtype= asked for) and errors. check_kernel runs each
kernel through the oracle after every single pass and through the 2-thread runtime, so a pass
that reordered, merged, hoisted or removed a draw, or a runtime that ran two at once, fails."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import phylanx
from phylanx.testing import check_kernel


def assert_identical(got, expected, path="result"):
    """Same values bit for bit, same types (Python vs NumPy scalars), dtypes and shapes."""
    assert type(got) is type(expected), f"{path}: {type(got).__name__} != {type(expected).__name__}"
    if isinstance(expected, (tuple, list)):
        assert len(got) == len(expected), path
        for k, (g, e) in enumerate(zip(got, expected)):
            assert_identical(g, e, f"{path}[{k}]")
    elif isinstance(expected, np.random.Generator):    # advanced just as far
        assert got.bit_generator.state == expected.bit_generator.state, path
    elif isinstance(expected, np.random.RandomState):
        assert_identical(got.get_state(), expected.get_state(), path)
    elif isinstance(expected, np.ndarray):
        assert got.dtype == expected.dtype and got.shape == expected.shape, path
        np.testing.assert_array_equal(got, expected, err_msg=path)
    else:
        assert got == expected or got != got and expected != expected, path


def run_both(plain, *args):
    """The kernel's result and Python's on copies of args, after checking every pass."""
    check_kernel(plain, *copy.deepcopy(args), rtol=0, atol=0)
    kernel_args, plain_args = copy.deepcopy(args), copy.deepcopy(args)
    got = phylanx.kernel(plain)(*kernel_args)
    expected = plain(*plain_args)
    assert_identical(got, expected)
    assert_identical(kernel_args, plain_args, "arguments")
    return got


# --- the global generator ----------------------------------------------------------------------

def legacy_uniform_family(s, x):
    np.random.seed(s)
    return (np.random.rand(2, 3), np.random.rand(), np.random.randn(4), np.random.random(3),
            np.random.random_sample((2, 2)), np.random.ranf(2), np.random.sample(),
            np.random.randint(0, 10, 5), np.random.randint(3, size=(2, 2), dtype=np.uint8),
            np.random.randint(4, dtype=int), np.random.randint(2, 9),
            np.random.random_integers(1, 6, 3), np.random.choice(x, 3),
            np.random.choice(5, 3, replace=False), np.random.choice(4, 2, p=[0.1, 0.2, 0.3, 0.4]),
            np.random.permutation(x), np.random.permutation(5), np.random.bytes(5),
            np.random.uniform(-1.0, 2.0, 3), np.random.uniform(x, x + 1.0),
            np.random.normal(), np.random.normal(x, 2.0))


def legacy_distributions(s, scale):
    np.random.seed(s)
    return (np.random.beta(2.0, 3.0, 4), np.random.binomial(10, 0.3, 4),
            np.random.chisquare(2.0, 4), np.random.dirichlet((1.0, 2.0, 3.0), 2),
            np.random.exponential(scale), np.random.exponential(scale, 3),
            np.random.f(3.0, 5.0, 4), np.random.gamma(2.0, scale, 4),
            np.random.geometric(0.3, 4), np.random.gumbel(0.0, scale, 4),
            np.random.hypergeometric(5, 7, 4, 4), np.random.laplace(0.0, scale, 4),
            np.random.logistic(0.0, scale, 4), np.random.lognormal(0.0, scale, 4),
            np.random.logseries(0.5, 4), np.random.multinomial(10, [0.2, 0.3, 0.5], 2),
            np.random.multivariate_normal([0.0, 1.0], [[1.0, 0.2], [0.2, 1.0]], 3),
            np.random.negative_binomial(3, 0.4, 4), np.random.noncentral_chisquare(3.0, 1.0, 4),
            np.random.noncentral_f(3.0, 5.0, 1.0, 4), np.random.pareto(3.0, 4),
            np.random.poisson(3.0, 4), np.random.poisson(), np.random.power(3.0, 4),
            np.random.rayleigh(scale, 4), np.random.standard_cauchy(4),
            np.random.standard_exponential(4), np.random.standard_gamma(2.0, 4),
            np.random.standard_normal((2, 2)), np.random.standard_t(5.0, 4),
            np.random.triangular(0.0, 0.5, 1.0, 4), np.random.vonmises(0.0, 1.0, 4),
            np.random.wald(1.0, 2.0, 4), np.random.weibull(1.5, 4), np.random.zipf(2.0, 4))


@pytest.mark.filterwarnings("ignore:This function is deprecated:DeprecationWarning")
def test_legacy_draws_are_numpys():
    x = np.arange(12.0)[::3]    # non-contiguous
    run_both(legacy_uniform_family, 7, x)
    run_both(legacy_uniform_family, 123, np.float32([1.0, 2.5, -3.0]))
    run_both(legacy_distributions, 3, 1.5)
    run_both(legacy_distributions, 11, np.float32(0.5))


def draws_with_array_parameters(s, loc, scale, n, p):
    np.random.seed(s)
    return (np.random.normal(loc, scale), np.random.normal(loc[:, None], scale, (loc.shape[0], 4)),
            np.random.binomial(n, p), np.random.uniform(loc, 2 * loc + 1.0))


def test_parameters_broadcast_like_numpy():
    run_both(draws_with_array_parameters, 5, np.arange(4.0), np.float32([1.0, 2.0, 0.5, 3.0]),
             np.arange(1, 5), 0.25)


def draws_of_empty_shape(s, loc):
    np.random.seed(s)
    return np.random.normal(loc, 1.0), np.random.rand(0), np.random.default_rng(s).random((2, 0))


def draws_with_0d_parameters(s, lam):
    np.random.seed(s)
    rng = np.random.default_rng(s)
    return (np.random.normal(lam), np.random.poisson(lam), rng.normal(lam, size=()),
            rng.integers(lam.astype(np.int64) + 1), rng.exponential(lam, (2,)))


def test_empty_and_0d_draws():
    run_both(draws_of_empty_shape, 5, np.zeros(0))
    run_both(draws_with_0d_parameters, 5, np.array(2.5))
    run_both(draws_with_0d_parameters, 5, np.float32(2.5))


def shuffle_a_view(s, x):
    np.random.seed(s)
    every_other = x[::2]
    np.random.shuffle(every_other)    # writes x through the view
    return x[0] + x[2], every_other


def shuffle_rows(s, m):
    np.random.seed(s)
    alias = m
    np.random.shuffle(m)
    return alias[0], np.random.rand()


def test_shuffle_is_in_place_and_seen_through_every_name():
    run_both(shuffle_a_view, 1, np.arange(8.0))
    run_both(shuffle_rows, 4, np.arange(12.0).reshape(4, 3))
    run_both(shuffle_rows, 4, np.arange(6, dtype=np.int8))


def reseed_and_state(s):
    np.random.seed(s)
    first = np.random.rand(3)
    state = np.random.get_state()
    second = np.random.rand(3)
    np.random.set_state(state)
    again = np.random.rand(3)
    np.random.seed(s)
    return first, second, again, np.random.rand(3)


def test_seed_and_state_round_trip():
    got = run_both(reseed_and_state, 9)
    assert np.array_equal(got[1], got[2]) and np.array_equal(got[0], got[3])


def unseeded_continues_the_callers_stream(n):
    return np.random.rand(n), np.random.randint(0, 100)


def test_kernel_draws_continue_the_global_stream():
    kernel = phylanx.kernel(unseeded_continues_the_callers_stream)
    np.random.seed(42)
    np.random.rand()
    got = kernel(3)
    after = np.random.rand()
    np.random.seed(42)
    np.random.rand()
    expected = unseeded_continues_the_callers_stream(3)
    assert_identical(got, expected)
    assert after == np.random.rand()


# --- draws keep program order: no pass or thread may move, merge or drop one -----------------

def draws_in_program_order(s, x, n):
    np.random.seed(s)
    first = np.random.rand(64)
    y = np.sin(x) * 2.0                     # independent work between the draws
    second = np.random.rand(64)             # same call: CSE must not merge it with `first`
    np.random.normal(0.0, 1.0, 64)          # unused: DCE must keep it (it advances the state)
    acc = np.zeros(64)
    for _ in range(n):
        acc = acc + np.random.rand(64)      # loop-invariant call: must not be hoisted
    z = np.cos(x) + y
    third = np.random.standard_normal(64)
    return third, z, acc, second, first     # results in the reverse order of the draws


def generator_draws_in_program_order(s, x, n):
    rng = np.random.default_rng(s)
    other = np.random.default_rng(s)        # same seed: must stay a separate generator
    a = rng.random(64)
    b = other.random(64)
    rng.normal(size=64)
    acc = np.zeros(64)
    for _ in range(n):
        acc = acc + rng.standard_normal(64) + x
    return rng.integers(0, 1000, 8), acc, b, a


@pytest.fixture
def two_threads():
    before = phylanx.get_num_threads()
    phylanx.set_num_threads(2)
    yield
    phylanx.set_num_threads(before)


def draws_in_an_independent_loop(s, n):
    np.random.seed(s)
    rng = np.random.default_rng(s)
    out = np.zeros(n)
    for i in range(n):     # iterations independent but for the draws: must not run in parallel
        out[i] = rng.random() * 2.0 + np.random.rand()
    return out


def test_draws_keep_program_order_with_two_threads(two_threads):
    assert phylanx.get_num_threads() == 2
    x = np.linspace(0.0, 1.0, 64)
    for seed in range(6):   # a race would show in some run
        run_both(draws_in_program_order, seed, x, 3)
        got = run_both(generator_draws_in_program_order, seed, x, 3)
        assert np.array_equal(got[2], got[3])   # two generators, one seed: the same stream
        run_both(draws_in_an_independent_loop, seed, 500)


# --- Generator and RandomState objects --------------------------------------------------------

def generator_methods(s, x):
    rng = np.random.default_rng(s)
    y = x.copy()
    rng.shuffle(y)
    return (rng.random(), rng.random(3, dtype=np.float32), rng.integers(5),
            rng.integers(0, 10, size=(2, 2), dtype=np.uint8), rng.integers(1, 6, 3, endpoint=True),
            rng.choice(x, 2, replace=False), rng.choice(5, (2, 2)), rng.bytes(3), y,
            rng.permutation(x), rng.permuted(x.reshape(2, -1), axis=1), rng.normal(x, 1.0),
            rng.standard_normal(2, dtype=np.float32), rng.standard_exponential(2, method="inv"),
            rng.standard_gamma(2.0, 3), rng.beta(2.0, 3.0, 2), rng.binomial(10, 0.5, 2),
            rng.chisquare(2.0, 2), rng.dirichlet([1.0, 2.0]), rng.exponential(2.0, 2),
            rng.f(3.0, 5.0, 2), rng.gamma(2.0, 1.5, 2), rng.geometric(0.3, 2),
            rng.gumbel(0.0, 1.0, 2), rng.hypergeometric(5, 7, 4, 2), rng.laplace(0.0, 1.0, 2),
            rng.logistic(0.0, 1.0, 2), rng.lognormal(0.0, 1.0, 2), rng.logseries(0.5, 2),
            rng.multinomial(10, [0.2, 0.3, 0.5]), rng.multivariate_hypergeometric([3, 4, 5], 6),
            rng.multivariate_normal([0.0, 1.0], [[1.0, 0.2], [0.2, 1.0]], 2),
            rng.negative_binomial(3, 0.4, 2), rng.noncentral_chisquare(3.0, 1.0, 2),
            rng.noncentral_f(3.0, 5.0, 1.0, 2), rng.pareto(3.0, 2), rng.poisson(3.0, 2),
            rng.power(3.0, 2), rng.rayleigh(1.0, 2), rng.standard_cauchy(2),
            rng.standard_t(5.0, 2), rng.triangular(0.0, 0.5, 1.0, 2), rng.uniform(-1.0, 1.0),
            rng.vonmises(0.0, 1.0, 2), rng.wald(1.0, 2.0, 2), rng.weibull(1.5, 2),
            rng.zipf(2.0, 2))


def test_generator_methods_are_numpys():
    run_both(generator_methods, 2024, np.arange(6.0))
    run_both(generator_methods, 1, np.arange(12, dtype=np.int32)[::2])


def draw_from_a_given_generator(rng, n):
    return rng.normal(size=n), rng.integers(0, 5)


def draw_from_a_given_random_state(rs, n):
    rs.shuffle(np.arange(3))
    return rs.rand(n), rs.randint(0, 5), rs.normal(1.0, 2.0, (2, n))


def test_argument_generators_advance_like_in_python():
    kernel = phylanx.kernel(draw_from_a_given_generator)
    mine, theirs = np.random.default_rng(8), np.random.default_rng(8)
    for _ in range(2):
        assert_identical(kernel(mine, 4), draw_from_a_given_generator(theirs, 4))
    assert mine.random() == theirs.random()
    run_both(draw_from_a_given_generator, np.random.default_rng(3), 0)
    run_both(draw_from_a_given_random_state, np.random.RandomState(3), 3)


def random_state_inside(s):
    rs = np.random.RandomState(s)
    return rs.random_sample(2), rs.randn(), rs.choice(4, 2, replace=False)


def default_rng_of_a_generator(rng):
    same = np.random.default_rng(rng)    # NumPy returns the Generator itself
    return same.random(), rng.random()


def test_random_state_and_default_rng_of_generator():
    run_both(random_state_inside, 6)
    run_both(default_rng_of_a_generator, np.random.default_rng(0))


# --- errors: NumPy's, raised when NumPy raises them -------------------------------------------

def negative_scale(s, scale):
    np.random.seed(s)
    return np.random.normal(0.0, scale, 3)


def empty_range(s, low, high):
    return np.random.default_rng(s).integers(low, high)


def too_many_without_replacement(s, n):
    return np.random.default_rng(s).choice(n, n + 1, replace=False)


def bad_probabilities(s):
    np.random.seed(s)
    return np.random.choice(3, 2, p=[0.5, 0.6, 0.1])


@pytest.mark.parametrize("func, args", [(negative_scale, (1, -1.0)), (empty_range, (1, 5, 2)),
                                        (too_many_without_replacement, (1, 3)),
                                        (bad_probabilities, (1,))])
def test_runtime_errors_are_numpys(func, args):
    with pytest.raises(ValueError) as expected:
        func(*args)
    with pytest.raises(ValueError) as got:
        phylanx.kernel(func)(*args)
    assert str(got.value) == str(expected.value)


def float_seed(x):
    np.random.seed(x)
    return np.random.rand()


def out_argument(s, x):
    rng = np.random.default_rng(s)
    return rng.random(3, out=x)


def unknown_method(s):
    return np.random.default_rng(s).spawn(2)


@pytest.mark.parametrize("func, args, message", [
    (float_seed, (1.5,), "seed must be None or an integer"),
    (out_argument, (1, np.zeros(3)), "out"),
    (unknown_method, (1,), "unsupported method 'spawn' of a Generator")])
def test_refused_with_a_location(func, args, message):
    with pytest.raises(phylanx.CompileError, match=message) as e:
        phylanx.kernel(func)(*args)
    assert "test_kernels_random.py:" in str(e.value)
