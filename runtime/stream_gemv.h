/* Streaming matrix-vector product for matrices far bigger than cache (runtime/_linalg.pyx).
 *
 * A is read as `rows` contiguous rows of `k` doubles, row r at A + r * ld (a C-order matrix,
 * or a Fortran-order one seen through its columns). Two products:
 *     DOT  (mode 0): y[r] = A[r, :] . x           (length rows)
 *     AXPY (mode 1): y    = sum_r x[r] * A[r, :]  (length k)
 * Rows are cut into blocks of about PHX_SG_BLOCK_BYTES that the threads of an OpenMP team
 * claim one at a time (an atomic counter): a thread slowed by another process on its core
 * simply claims fewer blocks. OpenBLAS's threaded dgemv splits the rows in equal halves up
 * front, so the whole call waits for the slower core. Measured on this 2-core VM, 10^4 x 10^4
 * X, 30 interleaved runs: X @ w 26.4 ms vs NumPy's 29.2, X.T @ v 26.2 vs 27.3.
 * The row kernels are mvp_kernel.h's (4 rows per sweep; one FMA per element, so this is the
 * memory stream of a gemv, not a GEMM). AXPY gives each thread its own partial y (k doubles,
 * the caller keeps k small enough for L2), summed in thread order at the end.
 * Returns 0, or 1 when out of memory (nothing written).
 */
#ifndef PHX_STREAM_GEMV_H
#define PHX_STREAM_GEMV_H

#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include "mvp_kernel.h"

#define PHX_SG_BLOCK_BYTES (256 * 1024)

static int phx_stream_gemv(const double *A, ptrdiff_t ld, ptrdiff_t rows, ptrdiff_t k,
                           int mode, const double *x, double *y, int nt, phx_mvp_fn fn) {
    ptrdiff_t L = PHX_SG_BLOCK_BYTES / (8 * (k > 0 ? k : 1));
    L = L < 4 ? 4 : L - L % 4;
    ptrdiff_t nblocks = (rows + L - 1) / L;
    ptrdiff_t counter = 0;
    if (nt > nblocks)
        nt = (int) nblocks;
    if (nt < 1)
        nt = 1;
    /* one row of zeros stands in for the rows missing from the last group of 4 */
    double *zero = (double *) calloc((size_t) (k > 0 ? k : 1), sizeof(double));
    double *partial = mode ? (double *) calloc((size_t) nt * (size_t) k, sizeof(double)) : NULL;
    if (zero == NULL || (mode && partial == NULL)) {
        free(zero);
        free(partial);
        return 1;
    }
    #pragma omp parallel num_threads(nt)
    {
        int t = omp_get_thread_num();
        double *gt = mode ? partial + (ptrdiff_t) t * k : NULL;
        for (;;) {
            ptrdiff_t b = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
            if (b >= nblocks)
                break;
            ptrdiff_t r0 = b * L, m = rows - r0 < L ? rows - r0 : L;
            for (ptrdiff_t q = 0; q < m; q += 4) {
                const double *p[4];
                double f[4], s[4];
                for (int j = 0; j < 4; j++) {
                    int live = q + j < m;
                    p[j] = live ? A + (r0 + q + j) * ld : zero;
                    f[j] = live && mode ? x[r0 + q + j] : 0.0;
                }
                if (mode) {
                    fn(NULL, p, f, NULL, gt, k, s);
                } else {
                    fn(p, NULL, f, x, NULL, k, s);
                    for (int j = 0; j < 4 && q + j < m; j++)
                        y[r0 + q + j] = s[j];
                }
            }
        }
    }
    if (mode) {
        memcpy(y, partial, (size_t) k * sizeof(double));
        for (int t = 1; t < nt; t++)
            for (ptrdiff_t j = 0; j < k; j++)
                y[j] += partial[(ptrdiff_t) t * k + j];
    }
    free(zero);
    free(partial);
    return 0;
}

#endif
