"""The array memory pool (runtime/mempool.h, _mempool.pyx): NumPy's allocator during a call.

Arrays a kernel makes come from the pool and go back to it when freed; large blocks are reused
by later calls instead of fresh (page-faulting, zeroed-by-the-kernel) memory.
"""

import gc
import math
import threading
import time

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
    before = _mempool.pool_stats()
    _mempool.set_pool_limit(256 * MB)
    _mempool.set_pool_idle_trim(math.inf)    # the tests below look at what is kept
    yield
    _mempool.set_pool_limit(before["limit"])
    _mempool.set_pool_idle_trim(before["idle_trim"])


def _rss():
    """Resident set size in bytes."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def _hold_then_free(n_results, n_elements):
    """Make n_results results of n_elements doubles through a kernel, all alive at once, then
    free them; the RSS growth over the start while they were alive and after. Starts from
    an empty pool."""
    x = np.ones(n_elements)
    scaled(x, 1.0)
    gc.collect()
    limit = _mempool.pool_stats()["limit"]
    _mempool.set_pool_limit(0)      # frees what is kept
    _mempool.set_pool_limit(limit)
    start = _rss()
    held = [scaled(x, float(k)) for k in range(n_results)]
    alive = _rss() - start
    del held
    gc.collect()
    return alive, _rss() - start


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


needs_proc = pytest.mark.skipif(not __import__("os").path.exists("/proc/self/statm"),
                                reason="reads the RSS from /proc/self/statm (Linux)")


@needs_proc
def test_freed_results_leave_at_most_the_default_limit_resident():
    before = _mempool.pool_stats()
    _mempool.set_pool_limit(_mempool._default_limit())
    _mempool.set_pool_idle_trim(math.inf)
    try:
        assert _mempool.pool_stats()["limit"] <= 256 * MB
        alive, after = _hold_then_free(20, 3_200_000)      # 20 results of 25.6 MB
        assert alive > 400 * MB                             # they were resident
        assert after <= _mempool.pool_stats()["limit"] + 32 * MB, after / MB
        assert _mempool.pool_stats()["kept_bytes"] <= _mempool.pool_stats()["limit"]
    finally:
        _mempool.set_pool_limit(before["limit"])
        _mempool.set_pool_idle_trim(before["idle_trim"])


@needs_proc
def test_an_idle_pool_gives_its_memory_back(pool):
    _mempool.set_pool_idle_trim(0.05)
    trims = _mempool.pool_stats()["idle_trims"]
    alive, _ = _hold_then_free(9, 3_200_000)                # fits the 256 MB limit: all kept
    assert alive > 150 * MB
    deadline = time.monotonic() + 10    # the trimmer runs 0.05 s after the last free
    while _mempool.pool_stats()["kept_bytes"] and time.monotonic() < deadline:
        time.sleep(0.01)
    stats = _mempool.pool_stats()
    assert stats["kept_bytes"] == 0 and stats["idle_trims"] > trims
    x = np.ones(3_200_000)
    gc.collect()
    start = _rss()
    del x
    # Back to about the start of _hold_then_free (NumPy's own x is freed too now).
    assert _rss() - start <= 32 * MB
    hits = _mempool.pool_stats()["hits"]
    _mempool.set_pool_idle_trim(math.inf)
    y = np.ones(3_200_000)
    for _ in range(3):
        scaled(y, 1.0)
    assert _mempool.pool_stats()["hits"] >= hits + 2       # the pool works after a trim


def test_idle_trim_delay_is_checked_and_reported(pool):
    _mempool.set_pool_idle_trim(2.5)
    assert _mempool.pool_stats()["idle_trim"] == 2.5
    _mempool.set_pool_idle_trim(math.inf)
    assert _mempool.pool_stats()["idle_trim"] == math.inf
    for bad in (-1.0, math.nan):
        with pytest.raises(ValueError):
            _mempool.set_pool_idle_trim(bad)


def test_environment_sets_the_defaults(monkeypatch):
    monkeypatch.setenv("PHYLANX_POOL_BYTES", "64e6")
    monkeypatch.setenv("PHYLANX_POOL_IDLE_TRIM", "0.5")
    assert _mempool._default_limit() == 64_000_000
    assert _mempool._default_idle_trim() == 0.5
    monkeypatch.setenv("PHYLANX_POOL_IDLE_TRIM", "soon")
    with pytest.raises(ValueError, match="PHYLANX_POOL_IDLE_TRIM"):
        _mempool._default_idle_trim()
