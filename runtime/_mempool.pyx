# cython: language_level=3
"""The array memory pool: a NumPy data allocator (NEP 49 handler) that keeps freed large
blocks for reuse (runtime/mempool.h says why and how).

It is active on the calling thread for the duration of a kernel call, and permanently on the
runtime's pool threads; arrays made elsewhere keep NumPy's default allocator. An array made
during a call keeps the pool as its allocator for its whole life, so whenever and wherever it
is freed its block goes back to the pool (or to the system when the pool is full).

`set_pool_limit(nbytes)` bounds the bytes kept (0 turns the pool off and frees what it
holds); the default is min(256 MiB, 1/16 of the machine's memory), or `PHYLANX_POOL_BYTES`.
`set_pool_idle_trim(seconds)` frees everything kept once the pool has been unused that long
(default 1 s, or `PHYLANX_POOL_IDLE_TRIM`; inf: never). `pool_stats()` reports what is kept,
the hits and misses of large requests and the idle trims.
"""

import math

import os

cimport numpy as cnp
from cpython.pycapsule cimport PyCapsule_New
from libc.stdint cimport uint64_t

cnp.import_array()

cdef extern from "mempool.h" nogil:
    size_t PHX_POOL_MIN
    int phx_pool_init()
    void phx_pool_set_limit(size_t limit)
    void phx_pool_set_idle(long long ns)
    void phx_pool_stats(size_t *kept_bytes, int *kept_blocks, size_t *limit, uint64_t *hits,
                        uint64_t *misses, uint64_t *trims, long long *idle_ns)

cdef extern from *:
    """
    #include "mempool.h"
    static PyDataMem_Handler phx_pool_handler = {
        "phylanx_pool", 1,
        {NULL, phx_pool_malloc, phx_pool_calloc, phx_pool_realloc, phx_pool_free}
    };
    static __thread int phx_pool_adopted = 0;
    """
    cnp.PyDataMem_Handler phx_pool_handler
    int phx_pool_adopted

cdef object _handler = PyCapsule_New(&phx_pool_handler, "mem_handler", NULL)
cdef bint _on = False


def set_pool_limit(nbytes: int) -> None:
    """Keep at most `nbytes` of freed large arrays for reuse (0: no pool; frees what it holds).
    Takes effect for the next kernel call."""
    global _on
    if nbytes < 0:
        raise ValueError("the pool limit must be >= 0")
    phx_pool_set_limit(<size_t> nbytes)
    _on = nbytes > 0


def set_pool_idle_trim(seconds: float) -> None:
    """Free every block the pool keeps once it has handed out or kept none for `seconds`
    (math.inf: never). A thread of the pool does it, also while no kernel runs."""
    seconds = float(seconds)
    if not seconds >= 0:
        raise ValueError("the pool's idle trim delay must be >= 0 seconds")
    phx_pool_set_idle(-1 if seconds >= 1e9 else <long long> (seconds * 1e9))   # 1e9 s: never


def pool_stats() -> dict:
    """Bytes and blocks kept now, the limit, hits / misses of requests >= 1 MiB, the idle
    trim delay in seconds (inf: never) and how many idle trims emptied the pool."""
    cdef size_t kept, limit
    cdef int blocks
    cdef uint64_t hits, misses, trims
    cdef long long idle_ns
    phx_pool_stats(&kept, &blocks, &limit, &hits, &misses, &trims, &idle_ns)
    return {"kept_bytes": kept, "kept_blocks": blocks, "limit": limit, "hits": hits,
            "misses": misses, "min_block": PHX_POOL_MIN,
            "idle_trim": math.inf if idle_ns < 0 else idle_ns / 1e9, "idle_trims": trims}


def _env_number(name: str, what: str):
    env = os.environ.get(name)
    if env is None:
        return None
    try:
        return float(env)
    except ValueError:
        raise ValueError(f"{name}={env!r} is not {what}") from None


def _default_limit() -> int:
    env = _env_number("PHYLANX_POOL_BYTES", "a byte count")
    if env is not None:
        return max(0, int(env))
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        ram = 8 << 30
    return min(256 << 20, ram // 16)


def _default_idle_trim() -> float:
    env = _env_number("PHYLANX_POOL_IDLE_TRIM", "a number of seconds")
    return 1.0 if env is None else env


cdef object pool_enter():
    if not _on:
        return None
    return cnp.PyDataMem_SetHandler(_handler)


cdef int pool_exit(object previous) except -1:
    if previous is not None:
        cnp.PyDataMem_SetHandler(previous)
    return 0


cdef int pool_adopt() except -1:
    global phx_pool_adopted
    if _on and not phx_pool_adopted:
        cnp.PyDataMem_SetHandler(_handler)
        phx_pool_adopted = 1
    return 0


if phx_pool_init() != 0:
    raise RuntimeError("phylanx: pthread_atfork failed for the memory pool")
set_pool_limit(_default_limit())
set_pool_idle_trim(_default_idle_trim())
