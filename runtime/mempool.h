/* mempool.h: the data allocator NumPy uses for arrays made while a kernel runs (NEP 49).
 *
 * A large array that is new to the process costs more than its own computation: the kernel
 * maps fresh pages and zeroes each on first touch (clear_page was 25% of a fused 1e7-element
 * kernel's profile), and glibc returns blocks above 32 MB to the kernel on free, so a loop
 * calling the kernel pays it on every call. This allocator keeps freed blocks of at least
 * PHX_POOL_MIN bytes (up to a byte limit and PHX_POOL_SLOTS blocks; the oldest make room for
 * new ones) and hands them out again for requests that fit (a block is used for sizes down to
 * 4/5 of its capacity).
 * What it keeps is memory the process holds without using it, so it is bounded twice: by the
 * byte limit, and in time: a trimmer thread frees every kept block once the pool has handed
 * out or kept no block for the idle delay (default 1 s; a loop calling a kernel reuses its
 * blocks long before that). Its blocks are pages of their own (mmap), so a block it frees
 * leaves the process at once. Smaller blocks go to malloc. Every block carries a 64-byte header (its capacity), so free
 * and realloc work whatever size NumPy reports. The functions take a mutex: NumPy frees
 * arrays on whichever thread drops the last reference.
 */
#ifndef PHX_MEMPOOL_H
#define PHX_MEMPOOL_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

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
static uint64_t phx_pool_hits = 0, phx_pool_misses = 0, phx_pool_trims = 0;
static long long phx_pool_last_use = 0;           /* CLOCK_MONOTONIC ns of the last take/keep */
static long long phx_pool_idle_ns = 1000000000LL; /* trim after this long unused; < 0: never */
static pthread_cond_t phx_pool_cv;                /* wakes the trimmer (CLOCK_MONOTONIC) */
static int phx_pool_trimmer_started = 0;

static inline long long phx_pool_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

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
    phx_pool_last_use = phx_pool_now();
    return base;
}

/* A fresh block of at least `size` bytes of data: its own zeroed pages (mmap), so that freeing
 * it gives them back to the system at once (glibc may serve a large request from its heap,
 * which keeps freed pages mapped). Its capacity fills the last page. */
static char *phx_pool_map(size_t size, size_t *cap)
{
    size_t len = (size + PHX_POOL_HDR + 4095) & ~(size_t) 4095;
    void *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
#ifdef MADV_HUGEPAGE
    /* as NumPy's default allocator: fewer page faults for big arrays */
    if (len >= ((size_t) 4 << 20))
        madvise(base, len, MADV_HUGEPAGE);
#endif
    *cap = len - PHX_POOL_HDR;
    return (char *) base;
}

/* Gives a block back to the system: blocks of the pool's sizes are mapped, others malloc'd. */
static void phx_pool_unmap(char *base, size_t cap)
{
    if (cap >= PHX_POOL_MIN)
        munmap(base, cap + PHX_POOL_HDR);
    else
        free(base);
}

/* A block for `size` >= PHX_POOL_MIN: a kept one that fits, else a fresh one (zeroed). */
static char *phx_pool_large(size_t size, size_t *cap, int *fresh)
{
    pthread_mutex_lock(&phx_pool_lock);
    char *base = phx_pool_take_locked(size, cap);
    if (base) phx_pool_hits++; else phx_pool_misses++;
    pthread_mutex_unlock(&phx_pool_lock);
    *fresh = base == NULL;
    return base ? base : phx_pool_map(size, cap);
}

static void *phx_pool_malloc(void *ctx, size_t size)
{
    (void) ctx;
    size_t cap = size ? size : 1;
    char *base;
    int fresh;
    if (size > SIZE_MAX - PHX_POOL_HDR - 4096)
        return NULL;
    if (size >= PHX_POOL_MIN)
        base = phx_pool_large(size, &cap, &fresh);
    else
        base = (char *) malloc(cap + PHX_POOL_HDR);
    return base ? phx_pool_finish(base, cap) : NULL;
}

static void *phx_pool_calloc(void *ctx, size_t nelem, size_t elsize)
{
    (void) ctx;
    if (elsize && nelem > (SIZE_MAX - PHX_POOL_HDR - 4096) / elsize)
        return NULL;
    size_t size = nelem * elsize, cap = size ? size : 1;
    char *base;
    int fresh;
    if (size >= PHX_POOL_MIN) {
        base = phx_pool_large(size, &cap, &fresh);
        if (base && !fresh)
            memset(base + PHX_POOL_HDR, 0, size);
    } else {
        base = (char *) calloc(1, cap + PHX_POOL_HDR);
    }
    return base ? phx_pool_finish(base, cap) : NULL;
}

/* The trimmer thread: frees what the pool keeps once it has been idle for phx_pool_idle_ns,
 * then sleeps until a block is kept again. It never runs Python and holds the lock only to
 * look and to empty the list. */
static void *phx_pool_trimmer(void *arg)
{
    char *blocks[PHX_POOL_SLOTS];
    size_t caps[PHX_POOL_SLOTS];
    (void) arg;
    pthread_mutex_lock(&phx_pool_lock);
    for (;;) {
        if (phx_pool_count == 0 || phx_pool_idle_ns < 0) {
            pthread_cond_wait(&phx_pool_cv, &phx_pool_lock);
            continue;
        }
        long long due = phx_pool_last_use + phx_pool_idle_ns;
        if (phx_pool_now() < due) {
            struct timespec ts = {(time_t) (due / 1000000000LL), (long) (due % 1000000000LL)};
            pthread_cond_timedwait(&phx_pool_cv, &phx_pool_lock, &ts);
            continue;
        }
        int n = phx_pool_count;
        memcpy(blocks, phx_pool_blocks, (size_t) n * sizeof(char *));
        memcpy(caps, phx_pool_caps, (size_t) n * sizeof(size_t));
        phx_pool_count = 0;
        phx_pool_bytes = 0;
        phx_pool_trims++;
        pthread_mutex_unlock(&phx_pool_lock);
        for (int k = 0; k < n; k++)
            phx_pool_unmap(blocks[k], caps[k]);
        pthread_mutex_lock(&phx_pool_lock);
    }
    return NULL;
}

/* The pool keeps its first block (again): start the trimmer, or wake it. Lock held. */
static void phx_pool_wake_trimmer_locked(void)
{
    if (phx_pool_trimmer_started) {
        pthread_cond_signal(&phx_pool_cv);
        return;
    }
    pthread_t thread;
    pthread_attr_t attr;
    sigset_t all, old;
    if (pthread_attr_init(&attr) != 0)
        return;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, (size_t) 256 << 10);
    sigfillset(&all);       /* signals go to the threads that handle them, never here */
    pthread_sigmask(SIG_BLOCK, &all, &old);
    if (pthread_create(&thread, &attr, phx_pool_trimmer, NULL) == 0)
        phx_pool_trimmer_started = 1;   /* else no trim: the byte limit still holds */
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
}

/* Keeps a freed block, making room by dropping the oldest kept ones (the sizes a program
 * uses now are the likeliest to come again); a block larger than the limit is freed. */
static void phx_pool_release(char *base, size_t cap)
{
    char *evicted[PHX_POOL_SLOTS];
    size_t evicted_caps[PHX_POOL_SLOTS];
    int n_evicted = 0;
    if (cap >= PHX_POOL_MIN) {
        pthread_mutex_lock(&phx_pool_lock);
        if (cap <= phx_pool_limit) {
            while (phx_pool_count > 0 && (phx_pool_count == PHX_POOL_SLOTS ||
                                          phx_pool_bytes + cap > phx_pool_limit)) {
                evicted[n_evicted] = phx_pool_blocks[0];
                evicted_caps[n_evicted++] = phx_pool_caps[0];
                phx_pool_remove_locked(0);
            }
            phx_pool_blocks[phx_pool_count] = base;
            phx_pool_caps[phx_pool_count] = cap;
            phx_pool_count++;
            phx_pool_bytes += cap;
            phx_pool_last_use = phx_pool_now();
            if (phx_pool_count == 1)
                phx_pool_wake_trimmer_locked();
            base = NULL;
        }
        pthread_mutex_unlock(&phx_pool_lock);
    }
    for (int k = 0; k < n_evicted; k++)
        phx_pool_unmap(evicted[k], evicted_caps[k]);
    if (base)
        phx_pool_unmap(base, cap);
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
static int phx_pool_cv_init(void)
{
    pthread_condattr_t attr;
    int rc = pthread_condattr_init(&attr);
    if (rc == 0)
        rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(&phx_pool_cv, &attr);
    pthread_condattr_destroy(&attr);
    return rc;
}

/* The child has no trimmer thread: the next block kept starts one. */
static void phx_pool_fork_child(void)
{
    pthread_mutex_init(&phx_pool_lock, NULL);
    phx_pool_cv_init();
    phx_pool_trimmer_started = 0;
}

static int phx_pool_init(void)
{
    if (phx_pool_cv_init() != 0)
        return -1;
    return pthread_atfork(phx_pool_fork_prepare, phx_pool_fork_parent, phx_pool_fork_child);
}

/* Sets the idle delay after which kept blocks are freed (< 0: never). */
static void phx_pool_set_idle(long long ns)
{
    pthread_mutex_lock(&phx_pool_lock);
    phx_pool_idle_ns = ns;
    if (phx_pool_trimmer_started)
        pthread_cond_signal(&phx_pool_cv);   /* it may sleep on the old delay */
    pthread_mutex_unlock(&phx_pool_lock);
}

/* Sets the byte limit and frees kept blocks beyond it (0: frees them all). */
static void phx_pool_set_limit(size_t limit)
{
    pthread_mutex_lock(&phx_pool_lock);
    phx_pool_limit = limit;
    while (phx_pool_count > 0 && phx_pool_bytes > limit) {
        char *oldest = phx_pool_blocks[0];
        size_t cap = phx_pool_caps[0];
        phx_pool_remove_locked(0);
        phx_pool_unmap(oldest, cap);
    }
    pthread_mutex_unlock(&phx_pool_lock);
}

static void phx_pool_stats(size_t *kept_bytes, int *kept_blocks, size_t *limit,
                           uint64_t *hits, uint64_t *misses, uint64_t *trims,
                           long long *idle_ns)
{
    pthread_mutex_lock(&phx_pool_lock);
    *kept_bytes = phx_pool_bytes;
    *kept_blocks = phx_pool_count;
    *limit = phx_pool_limit;
    *hits = phx_pool_hits;
    *misses = phx_pool_misses;
    *trims = phx_pool_trims;
    *idle_ns = phx_pool_idle_ns;
    pthread_mutex_unlock(&phx_pool_lock);
}

#endif
