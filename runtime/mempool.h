/* mempool.h: the data allocator NumPy uses for arrays made while a kernel runs (NEP 49).
 *
 * A large array that is new to the process costs more than its own computation: the kernel
 * maps fresh pages and zeroes each on first touch (clear_page was 25% of a fused 1e7-element
 * kernel's profile), and glibc returns blocks above 32 MB to the kernel on free, so a loop
 * calling the kernel pays it on every call. This allocator keeps freed blocks of at least
 * PHX_POOL_MIN bytes (up to a byte limit and PHX_POOL_SLOTS blocks; the oldest make room for
 * new ones) and hands them out again for requests that fit (a block is used for sizes down to
 * 4/5 of its capacity).
 * Smaller blocks go to malloc. Every block carries a 64-byte header (its capacity), so free
 * and realloc work whatever size NumPy reports. The functions take a mutex: NumPy frees
 * arrays on whichever thread drops the last reference.
 */
#ifndef PHX_MEMPOOL_H
#define PHX_MEMPOOL_H

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define PHX_POOL_MIN ((size_t) 1 << 20)     /* smaller blocks: plain malloc/free */
#define PHX_POOL_SLOTS 16
#define PHX_POOL_HDR 64                     /* keeps the data 64-byte aligned */
#define PHX_POOL_MAGIC 0x70686c78706f6f6cULL

typedef struct { size_t cap; uint64_t magic; } phx_pool_hdr;

static pthread_mutex_t phx_pool_lock = PTHREAD_MUTEX_INITIALIZER;
static char *phx_pool_blocks[PHX_POOL_SLOTS];     /* bases of kept blocks */
static size_t phx_pool_caps[PHX_POOL_SLOTS];
static int phx_pool_count = 0;
static size_t phx_pool_bytes = 0;                 /* kept */
static size_t phx_pool_limit = 0;                 /* 0: keep nothing */
static uint64_t phx_pool_hits = 0, phx_pool_misses = 0;

static inline void *phx_pool_finish(char *base, size_t cap)
{
    phx_pool_hdr *h = (phx_pool_hdr *) base;
    h->cap = cap;
    h->magic = PHX_POOL_MAGIC;
    return base + PHX_POOL_HDR;
}

/* Drops entry k from the kept list (oldest first; the order is kept). Lock held. */
static inline void phx_pool_remove_locked(int k)
{
    phx_pool_bytes -= phx_pool_caps[k];
    phx_pool_count--;
    memmove(phx_pool_blocks + k, phx_pool_blocks + k + 1,
            (size_t) (phx_pool_count - k) * sizeof(char *));
    memmove(phx_pool_caps + k, phx_pool_caps + k + 1, (size_t) (phx_pool_count - k) * sizeof(size_t));
}

/* A kept block of capacity in [size, size * 5/4] (the smallest), or NULL. Lock held. */
static inline char *phx_pool_take_locked(size_t size, size_t *cap)
{
    int best = -1;
    for (int k = 0; k < phx_pool_count; k++)
        if (phx_pool_caps[k] >= size && phx_pool_caps[k] - size <= size / 4 &&
                (best < 0 || phx_pool_caps[k] < phx_pool_caps[best]))
            best = k;
    if (best < 0)
        return NULL;
    char *base = phx_pool_blocks[best];
    *cap = phx_pool_caps[best];
    phx_pool_remove_locked(best);
    return base;
}

static void *phx_pool_malloc(void *ctx, size_t size)
{
    (void) ctx;
    size_t cap = size ? size : 1;
    char *base = NULL;
    if (size > SIZE_MAX - PHX_POOL_HDR - 64)
        return NULL;
    if (size >= PHX_POOL_MIN) {
        pthread_mutex_lock(&phx_pool_lock);
        base = phx_pool_take_locked(size, &cap);
        if (base) phx_pool_hits++; else phx_pool_misses++;
        pthread_mutex_unlock(&phx_pool_lock);
        if (base)
            return base + PHX_POOL_HDR;
        cap = size;
        if (posix_memalign((void **) &base, 64, cap + PHX_POOL_HDR) != 0)
            return NULL;
#ifdef MADV_HUGEPAGE
        /* as NumPy's default allocator: fewer page faults for big arrays */
        if (cap >= ((size_t) 4 << 20)) {
            uintptr_t lo = ((uintptr_t) base + 4095) & ~(uintptr_t) 4095;
            uintptr_t hi = ((uintptr_t) base + cap + PHX_POOL_HDR) & ~(uintptr_t) 4095;
            if (hi > lo)
                madvise((void *) lo, hi - lo, MADV_HUGEPAGE);
        }
#endif
        return phx_pool_finish(base, cap);
    }
    base = (char *) malloc(cap + PHX_POOL_HDR);
    return base ? phx_pool_finish(base, cap) : NULL;
}

static void *phx_pool_calloc(void *ctx, size_t nelem, size_t elsize)
{
    (void) ctx;
    if (elsize && nelem > SIZE_MAX / elsize - PHX_POOL_HDR)
        return NULL;
    size_t size = nelem * elsize, cap = size ? size : 1;
    char *base = NULL;
    if (size >= PHX_POOL_MIN) {
        pthread_mutex_lock(&phx_pool_lock);
        base = phx_pool_take_locked(size, &cap);
        pthread_mutex_unlock(&phx_pool_lock);
        if (base) {
            memset(base + PHX_POOL_HDR, 0, size);
            return base + PHX_POOL_HDR;
        }
        cap = size;
    }
    /* fresh zeroed memory: calloc gets it from mmap without writing it */
    base = (char *) calloc(1, cap + PHX_POOL_HDR);
    return base ? phx_pool_finish(base, cap) : NULL;
}

/* Keeps a freed block, making room by dropping the oldest kept ones (the sizes a program
 * uses now are the likeliest to come again); a block larger than the limit is freed. */
static void phx_pool_release(char *base, size_t cap)
{
    char *evicted[PHX_POOL_SLOTS];
    int n_evicted = 0;
    if (cap >= PHX_POOL_MIN) {
        pthread_mutex_lock(&phx_pool_lock);
        if (cap <= phx_pool_limit) {
            while (phx_pool_count > 0 && (phx_pool_count == PHX_POOL_SLOTS ||
                                          phx_pool_bytes + cap > phx_pool_limit)) {
                evicted[n_evicted++] = phx_pool_blocks[0];
                phx_pool_remove_locked(0);
            }
            phx_pool_blocks[phx_pool_count] = base;
            phx_pool_caps[phx_pool_count] = cap;
            phx_pool_count++;
            phx_pool_bytes += cap;
            base = NULL;
        }
        pthread_mutex_unlock(&phx_pool_lock);
    }
    for (int k = 0; k < n_evicted; k++)
        free(evicted[k]);
    free(base);
}

static void phx_pool_free(void *ctx, void *ptr, size_t size)
{
    (void) ctx; (void) size;
    if (ptr == NULL)
        return;
    char *base = (char *) ptr - PHX_POOL_HDR;
    phx_pool_release(base, ((phx_pool_hdr *) base)->cap);
}

static void *phx_pool_realloc(void *ctx, void *ptr, size_t new_size)
{
    if (ptr == NULL)
        return phx_pool_malloc(ctx, new_size);
    size_t cap = ((phx_pool_hdr *) ((char *) ptr - PHX_POOL_HDR))->cap;
    if (new_size <= cap && (cap < PHX_POOL_MIN || cap - new_size <= new_size / 4))
        return ptr;
    void *fresh = phx_pool_malloc(ctx, new_size);
    if (fresh == NULL)
        return NULL;        /* ptr stays valid, as realloc's contract says */
    memcpy(fresh, ptr, new_size < cap ? new_size : cap);
    phx_pool_free(ctx, ptr, cap);
    return fresh;
}

/* fork() while another thread holds the lock would leave the child's copy locked forever:
 * take it around fork, as glibc does for malloc's own locks. */
static void phx_pool_fork_prepare(void) { pthread_mutex_lock(&phx_pool_lock); }
static void phx_pool_fork_parent(void) { pthread_mutex_unlock(&phx_pool_lock); }
static void phx_pool_fork_child(void) { pthread_mutex_init(&phx_pool_lock, NULL); }

static int phx_pool_init(void)
{
    return pthread_atfork(phx_pool_fork_prepare, phx_pool_fork_parent, phx_pool_fork_child);
}

/* Sets the byte limit and frees kept blocks beyond it (0: frees them all). */
static void phx_pool_set_limit(size_t limit)
{
    pthread_mutex_lock(&phx_pool_lock);
    phx_pool_limit = limit;
    while (phx_pool_count > 0 && phx_pool_bytes > limit) {
        char *oldest = phx_pool_blocks[0];
        phx_pool_remove_locked(0);
        free(oldest);
    }
    pthread_mutex_unlock(&phx_pool_lock);
}

static void phx_pool_stats(size_t *kept_bytes, int *kept_blocks, size_t *limit,
                           uint64_t *hits, uint64_t *misses)
{
    pthread_mutex_lock(&phx_pool_lock);
    *kept_bytes = phx_pool_bytes;
    *kept_blocks = phx_pool_count;
    *limit = phx_pool_limit;
    *hits = phx_pool_hits;
    *misses = phx_pool_misses;
    pthread_mutex_unlock(&phx_pool_lock);
}

#endif
