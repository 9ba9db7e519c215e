/* Task types of phylanx's runtime, and a small OpenMP task demo.
 *
 * The dataflow pool itself (worker threads, queue, waiting) lives in pool.h, which only
 * _threads.pyx includes: there is one pool per process, reached from other modules through
 * the cdef functions of phylanx.runtime._threads (see _threads.pxd).
 */
#ifndef PHYLANX_RUNTIME_TASKS_H
#define PHYLANX_RUNTIME_TASKS_H

#include <stddef.h>
#include <pthread.h>
#include <omp.h>

/* A unit of work for the pool: embed it as the first member of a larger struct. `fn` runs
   on a pool thread (tid >= 1) or on a waiting owner that helps (tid 0), without the GIL. */
typedef struct phx_task phx_task;
typedef void (*phx_task_fn_t)(phx_task *t, int tid);
struct phx_task {
    phx_task *prev, *next;   /* queue links (owned by the pool while queued) */
    phx_task_fn_t fn;
    void *owner;             /* the phx_run it belongs to: owners help with their own tasks */
};

/* Per kernel call: where the threads waiting for this call's tasks sleep. */
typedef struct phx_run {
    pthread_cond_t cv;
    int n_waiting;
    int ready;               /* cv initialised */
} phx_run;

/* Relaxed atomics on flags and counters shared by the threads of a kernel call. */
#define phx_fetch_add(p, v) __atomic_fetch_add((p), (v), __ATOMIC_RELAXED)
#define phx_load(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define phx_store(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

/* Callback run once per task by phx_run_tasks; must not touch Python objects. */
typedef void (*phx_omp_fn)(void *ctx, ptrdiff_t i);

/* Run fn(ctx, i) for i in [0, n_tasks) as OpenMP tasks on a team of n_threads threads;
   returns once every task has finished. (A demo of OpenMP tasks; the executor uses pool.h.) */
static inline void phx_run_tasks(int n_threads, ptrdiff_t n_tasks, phx_omp_fn fn, void *ctx)
{
    if (n_tasks <= 0) {
        return;
    }
    #pragma omp parallel num_threads(n_threads)
    {
        #pragma omp single
        {
            for (ptrdiff_t i = 0; i < n_tasks; ++i) {
                #pragma omp task firstprivate(i) untied
                fn(ctx, i);
            }
            #pragma omp taskwait
        }
    }
}

#endif /* PHYLANX_RUNTIME_TASKS_H */
