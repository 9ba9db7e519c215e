/* OpenMP task pool helpers for Cython (cython.parallel has no task construct). */
#ifndef PHYLANX_RUNTIME_TASKS_H
#define PHYLANX_RUNTIME_TASKS_H

#include <stddef.h>
#include <omp.h>

/* Callback run once per task; must not touch Python objects (it runs without the GIL). */
typedef void (*phx_task_fn)(void *ctx, ptrdiff_t i);

/* Run fn(ctx, i) for i in [0, n_tasks) as OpenMP tasks on a team of n_threads threads;
   returns once every task has finished. */
static inline void phx_run_tasks(int n_threads, ptrdiff_t n_tasks, phx_task_fn fn, void *ctx)
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
