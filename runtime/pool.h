/* The runtime's task pool: persistent worker threads, one FIFO queue, no spinning.
 *
 * Included by _threads.pyx only (one pool per process). Workers sleep on a condition
 * variable while the queue is empty; a submit wakes one sleeping worker only when no wake-up
 * is already on its way. Threads that wait for their own tasks (the owner of a graph or of a
 * parallel loop) help: they take queued tasks of their own kernel call (phx_pool_take), and
 * otherwise sleep on the call's condition variable with a timeout (so the main thread can
 * look at signals). There are no barriers: a waiter's condition is a counter it owns.
 *
 * Each worker holds a Python thread state for its whole life (created once), so taking the
 * GIL in a task is PyGILState_Ensure on an existing state: no allocation per task.
 */
#ifndef PHYLANX_RUNTIME_POOL_H
#define PHYLANX_RUNTIME_POOL_H

#include <Python.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "tasks.h"

#define PHX_MAX_WORKERS 255
#define PHX_WORKER_STACK (16u << 20)

typedef struct {
    pthread_mutex_t m;
    pthread_cond_t cv;          /* active workers sleep here while the queue is empty */
    pthread_cond_t cv_park;     /* workers beyond n_active (fewer threads were asked for) */
    phx_task *head, *tail;
    int n_started;              /* worker threads created (tids 1..n_started) */
    int n_active;               /* workers allowed to take tasks: tid <= n_active */
    int n_idle, n_wake;         /* sleeping workers; signals sent and not yet consumed */
    int shutdown;
    int n_queued;
    pthread_t threads[PHX_MAX_WORKERS + 1];
} phx_pool_t;

static phx_pool_t phx_pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                              PTHREAD_COND_INITIALIZER, NULL, NULL, 0, 0, 0, 0, 0, 0, {0}};
static int phx_pool_atfork_done = 0;

static inline void phx_pool_lock(void) { pthread_mutex_lock(&phx_pool.m); }
static inline void phx_pool_unlock(void) { pthread_mutex_unlock(&phx_pool.m); }

static inline void phx_q_unlink(phx_task *t)
{
    if (t->prev) t->prev->next = t->next; else phx_pool.head = t->next;
    if (t->next) t->next->prev = t->prev; else phx_pool.tail = t->prev;
    t->prev = t->next = NULL;
    phx_pool.n_queued--;
}

static inline void phx_run_wake_locked(phx_run *r)
{
    if (r != NULL && r->n_waiting > 0) {
        pthread_cond_broadcast(&r->cv);
    }
}

/* Queue t (its fn and owner set). Wakes a sleeping worker and the call's waiting owners. */
static inline void phx_pool_submit(phx_task *t)
{
    phx_pool_lock();
    t->next = NULL;
    t->prev = phx_pool.tail;
    if (phx_pool.tail) phx_pool.tail->next = t; else phx_pool.head = t;
    phx_pool.tail = t;
    phx_pool.n_queued++;
    if (phx_pool.n_active > 0 && phx_pool.n_idle > phx_pool.n_wake) {
        phx_pool.n_wake++;
        pthread_cond_signal(&phx_pool.cv);
    }
    phx_run_wake_locked((phx_run *) t->owner);
    phx_pool_unlock();
}

/* With the lock held: remove and return the oldest queued task of `owner`, or NULL. */
static inline phx_task *phx_pool_take_locked(void *owner)
{
    phx_task *t = phx_pool.head;
    while (t != NULL && t->owner != owner) t = t->next;
    if (t != NULL) phx_q_unlink(t);
    return t;
}

/* With the lock held: sleep on r until woken or `ms` milliseconds passed; 1 on timeout. */
static inline int phx_run_wait_locked(phx_run *r, int ms)
{
    struct timespec ts;
    int rc;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long) (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) { ts.tv_sec += 1; ts.tv_nsec -= 1000000000L; }
    r->n_waiting++;
    rc = pthread_cond_timedwait(&r->cv, &phx_pool.m, &ts);
    r->n_waiting--;
    return rc == ETIMEDOUT;
}

static inline int phx_run_init(phx_run *r)
{
    pthread_condattr_t a;
    r->n_waiting = 0;
    r->ready = 0;
    if (pthread_condattr_init(&a) != 0) return -1;
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    if (pthread_cond_init(&r->cv, &a) != 0) { pthread_condattr_destroy(&a); return -1; }
    pthread_condattr_destroy(&a);
    r->ready = 1;
    return 0;
}

static inline void phx_run_destroy(phx_run *r)
{
    if (r->ready) {
        pthread_cond_destroy(&r->cv);
        r->ready = 0;
    }
}

static void *phx_worker_main(void *arg)
{
    int tid = (int) (intptr_t) arg;
    PyGILState_STATE gs = PyGILState_Ensure();
    PyThreadState *ts = PyEval_SaveThread();
    phx_task *t;
    phx_pool_lock();
    for (;;) {
        if (phx_pool.shutdown) break;
        if (tid > phx_pool.n_active) {       /* parked: must not absorb wake-ups */
            pthread_cond_wait(&phx_pool.cv_park, &phx_pool.m);
            continue;
        }
        if (phx_pool.head == NULL) {
            phx_pool.n_idle++;
            pthread_cond_wait(&phx_pool.cv, &phx_pool.m);
            phx_pool.n_idle--;
            if (phx_pool.n_wake > 0) phx_pool.n_wake--;
            continue;
        }
        t = phx_pool.head;
        phx_q_unlink(t);
        phx_pool_unlock();
        t->fn(t, tid);
        phx_pool_lock();
    }
    phx_pool_unlock();
    PyEval_RestoreThread(ts);
    PyGILState_Release(gs);
    return NULL;
}

static void phx_pool_atfork_child(void)
{
    /* Only the forking thread exists in the child: forget the workers (their Python thread
       states are cleared by the interpreter) and start afresh on first use. */
    pthread_mutex_init(&phx_pool.m, NULL);
    pthread_cond_init(&phx_pool.cv, NULL);
    pthread_cond_init(&phx_pool.cv_park, NULL);
    phx_pool.head = phx_pool.tail = NULL;
    phx_pool.n_started = phx_pool.n_idle = phx_pool.n_wake = phx_pool.n_queued = 0;
    phx_pool.shutdown = 0;
}

/* Allow `n_workers` workers to take tasks, creating threads as needed. Call with the GIL
   held (new workers block on it until the caller releases it). 0 on success. */
static inline int phx_pool_resize(int n_workers)
{
    int rc = 0;
    pthread_attr_t attr;
    if (n_workers > PHX_MAX_WORKERS) n_workers = PHX_MAX_WORKERS;
    if (n_workers < 0) n_workers = 0;
    if (!phx_pool_atfork_done) {
        pthread_atfork(NULL, NULL, phx_pool_atfork_child);
        phx_pool_atfork_done = 1;
    }
    phx_pool_lock();
    if (n_workers > phx_pool.n_started) {
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, PHX_WORKER_STACK);
        while (phx_pool.n_started < n_workers) {
            int tid = phx_pool.n_started + 1;
            if (pthread_create(&phx_pool.threads[tid], &attr, phx_worker_main,
                               (void *) (intptr_t) tid) != 0) {
                rc = -1;
                break;
            }
            phx_pool.n_started = tid;
        }
        pthread_attr_destroy(&attr);
    }
    phx_pool.n_active = phx_pool.n_started < n_workers ? phx_pool.n_started : n_workers;
    pthread_cond_broadcast(&phx_pool.cv);
    pthread_cond_broadcast(&phx_pool.cv_park);
    phx_pool_unlock();
    return rc;
}

/* Stop and join every worker (call without the GIL: exiting workers take it once). */
static inline void phx_pool_shutdown(void)
{
    int k, n;
    phx_pool_lock();
    phx_pool.shutdown = 1;
    n = phx_pool.n_started;
    pthread_cond_broadcast(&phx_pool.cv);
    pthread_cond_broadcast(&phx_pool.cv_park);
    phx_pool_unlock();
    for (k = 1; k <= n; ++k) pthread_join(phx_pool.threads[k], NULL);
    phx_pool_lock();
    phx_pool.n_started = phx_pool.n_active = 0;
    phx_pool.shutdown = 0;
    phx_pool_unlock();
}

static inline int phx_pool_started(void) { return phx_pool.n_started; }

#endif /* PHYLANX_RUNTIME_POOL_H */
