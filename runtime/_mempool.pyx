# cython: language_level=3
"""The array memory pool: a NumPy data allocator (NEP 49 handler) that keeps freed large
blocks for reuse (runtime/mempool.h says why and how).

It is active on the calling thread for the duration of a kernel call, and permanently on the
runtime's pool threads; arrays made elsewhere keep NumPy's default allocator. An array made
during a call keeps the pool as its allocator for its whole life, so whenever and wherever it
is freed its block goes back to the pool (or to the system when the pool is full).

`set_pool_limit(nbytes)` bounds the bytes kept (0 turns the pool off and frees what it
holds); the default is min(1 GiB, 1/8 of the machine's memory), or `PHYLANX_POOL_BYTES`.
`pool_stats()` reports what is kept and the hits and misses of large requests.
"""

import os

cimport numpy as cnp
from cpython.pycapsule cimport PyCapsule_New
from libc.stdint cimport uint64_t

cnp.import_array()

cdef extern from "mempool.h" nogil:
    size_t PHX_POOL_MIN
    int phx_pool_init()
    void phx_pool_set_limit(size_t limit)
    void phx_pool_stats(size_t *kept_bytes, int *kept_blocks, size_t *limit, uint64_t *hits,
                        uint64_t *misses)

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


def pool_stats() -> dict:
    """Bytes and blocks kept now, the limit, and hits / misses of requests >= 1 MiB."""
    cdef size_t kept, limit
    cdef int blocks
    cdef uint64_t hits, misses
    phx_pool_stats(&kept, &blocks, &limit, &hits, &misses)
    return {"kept_bytes": kept, "kept_blocks": blocks, "limit": limit, "hits": hits,
            "misses": misses, "min_block": PHX_POOL_MIN}


def _default_limit() -> int:
    env = os.environ.get("PHYLANX_POOL_BYTES")
    if env is not None:
        try:
            return max(0, int(float(env)))
        except ValueError:
            raise ValueError(f"PHYLANX_POOL_BYTES={env!r} is not a byte count") from None
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        ram = 8 << 30
    return min(1 << 30, ram // 8)


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
