"""The array memory pool (runtime/mempool.h, _mempool.pyx): NumPy's allocator during a call.

Arrays a kernel makes come from the pool and go back to it when freed; large blocks are reused
by later calls instead of fresh (page-faulting, zeroed-by-the-kernel) memory.
"""

import threading

import numpy as np
import pytest
from numpy._core.multiarray import get_handler_name

import phylanx
from phylanx.runtime import _mempool

MB = 1 << 20


@phylanx.kernel
def scaled(x, a):
    return x * a + 1.0


@phylanx.kernel
def zeros_then_add(n, v):
    z = np.zeros(n)
    z[0] = v
    return z


@phylanx.kernel
def with_temporaries(x):
    y = np.sort(x)          # a fallback node: NumPy allocates inside the call
    return y[::-1] - x


@pytest.fixture
def pool():
    before = _mempool.pool_stats()["limit"]
    _mempool.set_pool_limit(256 * MB)
    yield
    _mempool.set_pool_limit(before)


def test_results_use_the_pool_and_inputs_do_not(pool):
    x = np.arange(300_000, dtype=np.float64)
    y = scaled(x, 2.0)
    assert get_handler_name(y) == "phylanx_pool"
    assert get_handler_name(x) == "default_allocator"
    assert y.flags.owndata
    np.testing.assert_array_equal(y, x * 2.0 + 1.0)
    # outside a call NumPy's default allocator is back
    assert get_handler_name(np.empty(10)) == "default_allocator"


def test_large_blocks_are_reused_without_aliasing(pool):
    x = np.random.default_rng(0).random(400_000)      # 3.2 MB results
    scaled(x, 1.0)
    hits = _mempool.pool_stats()["hits"]
    for k in range(5):
        np.testing.assert_array_equal(scaled(x, float(k)), x * k + 1.0)  # freed right after
    assert _mempool.pool_stats()["hits"] >= hits + 4
    kept = [scaled(x, float(k)) for k in range(3)]   # alive at once: distinct buffers
    assert len({a.ctypes.data for a in kept}) == 3
    for k, a in enumerate(kept):
        np.testing.assert_array_equal(a, x * k + 1.0)


def test_a_full_pool_makes_room_for_the_sizes_in_use(pool):
    _mempool.set_pool_limit(0)
    _mempool.set_pool_limit(256 * MB)
    alive = [scaled(np.ones(140_000), 1.0) for _ in range(20)]   # all alive: 20 misses
    del alive                                 # 16 kept, of a size not used again
    assert _mempool.pool_stats()["kept_blocks"] == 16
    x = np.ones(1_200_000)
    scaled(x, 1.0)
    hits = _mempool.pool_stats()["hits"]
    for _ in range(3):
        scaled(x, 1.0)
    assert _mempool.pool_stats()["hits"] == hits + 3


def test_zeros_from_a_reused_dirty_block_are_zero(pool):
    n = 300_000
    x = np.full(n, np.nan)
    del x
    for v in (3.0, 4.0):
        scaled(np.full(n, 7.0), 1.0)              # leaves a dirty block in the pool
        z = zeros_then_add(n, v)
        assert z[0] == v and not z[1:].any()


def test_resize_and_temporaries_of_fallback_nodes(pool):
    x = np.random.default_rng(1).random(200_000)
    y = with_temporaries(x)
    np.testing.assert_array_equal(y, np.sort(x)[::-1] - x)
    y.resize(300_000, refcheck=False)             # realloc through the pool's handler
    np.testing.assert_array_equal(y[:200_000], np.sort(x)[::-1] - x)
    assert not y[200_000:].any()
    y.resize(10, refcheck=False)
    np.testing.assert_array_equal(y, (np.sort(x)[::-1] - x)[:10])


def test_limit_bounds_what_is_kept_and_zero_turns_it_off(pool):
    x = np.ones(300_000)
    _mempool.set_pool_limit(3 * MB)
    outs = [scaled(x, 1.0) for _ in range(4)]
    del outs
    stats = _mempool.pool_stats()
    assert stats["kept_bytes"] <= 3 * MB and stats["kept_blocks"] <= 1
    _mempool.set_pool_limit(0)
    assert _mempool.pool_stats()["kept_bytes"] == 0
    assert get_handler_name(scaled(x, 1.0)) == "default_allocator"
    with pytest.raises(ValueError):
        _mempool.set_pool_limit(-1)


def test_concurrent_callers_get_correct_results(pool):
    rng = np.random.default_rng(2)
    xs = [rng.random(250_000 + 1000 * t) for t in range(4)]
    errors = []

    def work(t):
        try:
            for k in range(30):
                np.testing.assert_array_equal(scaled(xs[t], float(k)), xs[t] * k + 1.0)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors


def test_many_large_calls_keep_memory_bounded(pool):
    import resource

    x = np.ones(1_000_000)                        # 8 MB results
    for _ in range(20):
        scaled(x, 1.0)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(2000):
        scaled(x, 1.0)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0
    assert grown_kb < 64 * 1024, grown_kb
    assert _mempool.pool_stats()["kept_bytes"] <= 256 * MB
