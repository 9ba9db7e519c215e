/* loop_small.h: small-matrix helpers of the native loop kernel (_loop_ops.pxi).
 *
 * A parallel loop body such as explicit ALS's `solve(Y_u.T @ Y_u + lam * I, Y_u.T @ r)` calls
 * these once per iteration on k x k systems (k = 10..40). At that size LAPACK's dpotrf/dpotrs
 * cost more in call overhead than in flops, and OpenBLAS takes a process-wide allocation lock in
 * each of them, so two threads solving at once wait on each other (measured at k = 10: 1.8k
 * cycles per solve on one thread, 3.3k with two). The runtime therefore factors systems up to
 * PHX_SMALL_CHOL on its own: an unblocked Cholesky (as LAPACK's dpotf2) with the same pivot
 * test (a non-positive or NaN pivot means "not positive definite", and the caller falls back to
 * LU like numpy.linalg.solve). Matrix products stay with BLAS.
 */
#ifndef PHX_LOOP_SMALL_H
#define PHX_LOOP_SMALL_H

#include <math.h>
#include <stddef.h>
#include <string.h>

#define PHX_SMALL_CHOL 64

/* In-place Cholesky A = L L^T of a symmetric n x n row-major matrix (row stride n, n <=
 * PHX_SMALL_CHOL): reads the lower triangle, writes L there and 1 / L[j][j] to inv[j].
 * Left-looking by rows: each entry is one dot product of two row prefixes of L, and the dots
 * of one column are independent of each other (measured faster at k = 10..40 than the
 * right-looking rank-1 form, whose many short update loops cost more than their flops).
 * Returns 0, or j + 1 when pivot j is not positive (or NaN). */
static inline int phx_chol_small(double *A, int n, double *inv)
{
    for (int j = 0; j < n; j++) {
        const double *Lj = A + (size_t) j * n;
        double s = Lj[j];
        #pragma omp simd reduction(-:s)
        for (int k = 0; k < j; k++)
            s -= Lj[k] * Lj[k];
        if (!(s > 0.0))
            return j + 1;
        double d = sqrt(s);
        A[(size_t) j * n + j] = d;
        double iv = inv[j] = 1.0 / d;
        int i = j + 1;
        /* four rows at a time share the loads of row j (from n ~ 24 on this pays) */
        for (; n >= 24 && i + 4 <= n; i += 4) {
            double *L0 = A + (size_t) i * n, *L1 = L0 + n, *L2 = L1 + n, *L3 = L2 + n;
            double t0 = L0[j], t1 = L1[j], t2 = L2[j], t3 = L3[j];
            #pragma omp simd reduction(-:t0, t1, t2, t3)
            for (int k = 0; k < j; k++) {
                double l = Lj[k];
                t0 -= L0[k] * l;
                t1 -= L1[k] * l;
                t2 -= L2[k] * l;
                t3 -= L3[k] * l;
            }
            L0[j] = t0 * iv;
            L1[j] = t1 * iv;
            L2[j] = t2 * iv;
            L3[j] = t3 * iv;
        }
        for (; i < n; i++) {
            double *Li = A + (size_t) i * n;
            double t = Li[j];
            #pragma omp simd reduction(-:t)
            for (int k = 0; k < j; k++)
                t -= Li[k] * Lj[k];
            Li[j] = t * inv[j];
        }
    }
    return 0;
}

/* Solves L L^T x = b in place for one right-hand side b (length n, unit stride), with L and
 * inv from phx_chol_small. Both passes read L by rows: L y = b by dot products, then
 * L^T x = y column by column of L^T (= rows of L). */
static inline void phx_chol_solve_small(const double *L, const double *inv, int n, double *b)
{
    for (int i = 0; i < n; i++) {
        const double *Li = L + (size_t) i * n;
        double t = b[i];
        #pragma omp simd reduction(-:t)
        for (int k = 0; k < i; k++)
            t -= Li[k] * b[k];
        b[i] = t * inv[i];
    }
    for (int i = n - 1; i >= 0; i--) {
        const double *Li = L + (size_t) i * n;
        double x = b[i] * inv[i];
        b[i] = x;
        #pragma omp simd
        for (int k = 0; k < i; k++)
            b[k] -= Li[k] * x;
    }
}

/* dst[0:n] = src[0:n] for a short row of doubles, without a libc call per row. */
static inline void phx_copy_row(double *dst, const double *src, ptrdiff_t n)
{
    ptrdiff_t k = 0;
    for (; k + 4 <= n; k += 4)
        memcpy(dst + k, src + k, 4 * sizeof(double));
    for (; k < n; k++)
        dst[k] = src[k];
}

/* Gathers rows: dst[j, :] = x[ix[j], :] for m indices (int64, or int32 when ix32), each row
 * `cols` contiguous doubles, rows `rs` bytes apart, n rows in x, dst rows dst_ld doubles apart;
 * with v, v[j] (vs bytes apart) goes after row j's values. Negative indices count from the end. Returns -1, or the position j of the first index out
 * of range. */
static inline ptrdiff_t phx_gather_rows(double *dst, ptrdiff_t dst_ld, const char *x,
                                        ptrdiff_t rs, ptrdiff_t n, ptrdiff_t cols,
                                        const char *ix, ptrdiff_t is, int ix32, ptrdiff_t m,
                                        const char *v, ptrdiff_t vs)
{
    for (ptrdiff_t j = 0; j < m; j++) {
        long long idx = ix32 ? *(const int *) (ix + j * is) : *(const long long *) (ix + j * is);
        if (idx < 0)
            idx += n;
        if (idx < 0 || idx >= n)
            return j;
        phx_copy_row(dst + j * dst_ld, (const double *) (x + idx * rs), cols);
        if (v)
            dst[j * dst_ld + cols] = *(const double *) (v + j * vs);
    }
    return -1;
}

/* y[0:n] = x @ A for an m x n matrix A with contiguous rows (row stride lda doubles) and a
 * short output (n <= PHX_SHORT_GEMV): one axpy per row, y stays in L1. OpenBLAS's dgemv
 * kernels block the output by 4 and the rows by 8 and are built for long outputs; at n = 10,
 * m = 205 (an ALS user's Y_u.T @ r) they ran at 1.3 multiply-adds per cycle. */
#define PHX_SHORT_GEMV 16
static inline void phx_gemv_short(const double *A, ptrdiff_t lda, ptrdiff_t m, ptrdiff_t n,
                                  const double *x, ptrdiff_t incx, double *y)
{
    ptrdiff_t i = 0;
    for (ptrdiff_t k = 0; k < n; k++)
        y[k] = 0.0;
    /* eight rows per pass over y: the y[k] update chain runs through memory (store, reload),
     * so it is paid once per eight rows */
    for (; i + 8 <= m; i += 8) {
        const double *xi = x + i * incx, *A0 = A + i * lda;
        const double x0 = xi[0], x1 = xi[incx], x2 = xi[2 * incx], x3 = xi[3 * incx],
                     x4 = xi[4 * incx], x5 = xi[5 * incx], x6 = xi[6 * incx], x7 = xi[7 * incx];
        #pragma omp simd
        for (ptrdiff_t k = 0; k < n; k++)
            y[k] += ((x0 * A0[k] + x1 * A0[lda + k]) + (x2 * A0[2 * lda + k] + x3 * A0[3 * lda + k]))
                  + ((x4 * A0[4 * lda + k] + x5 * A0[5 * lda + k])
                     + (x6 * A0[6 * lda + k] + x7 * A0[7 * lda + k]));
    }
    for (; i < m; i++) {
        const double xi = x[i * incx], *Ai = A + i * lda;
        #pragma omp simd
        for (ptrdiff_t k = 0; k < n; k++)
            y[k] += xi * Ai[k];
    }
}

#endif
