/* Row kernels of the native matvec_pair (runtime/_matvec.pyx) for a row-major X.
 *
 * One call handles two groups of 4 rows in a single sweep over the k columns:
 *     s[j]  = a[j] . w                 (the next group: X streamed from memory)
 *     g    += sum_j f[j] * b[j]        (the previous group: X read again, now from L2)
 * Either group may be absent (a == NULL: last sweep; b == NULL: first sweep). Doing both in
 * one loop keeps the memory stream of the next rows running while the in-cache pass of the
 * previous rows is computed: the second read of X costs almost nothing (measured on a 10^4 x
 * 10^4 X: 1.17x the time of X @ w alone, vs 1.3x for two dgemv calls per block).
 * Rows missing from a group point at a row of zeros with f[j] = 0 (adding +0.0 leaves g
 * unchanged: g starts at +0.0). This is not a GEMM: per element it is one FMA of each product,
 * and the point is the order in which X is read.
 *
 * Variants: AVX-512, AVX2+FMA, plain C; chosen once at run time (phx_mvp_pick).
 */
#ifndef PHX_MVP_KERNEL_H
#define PHX_MVP_KERNEL_H

#include <stddef.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PHX_MVP_X86 1
#endif

typedef void (*phx_mvp_fn)(const double *const *a, const double *const *b, const double *f,
                           const double *w, double *g, ptrdiff_t k, double *s);

/* The vector loop, then a scalar tail. V: vector type, VL: its lanes. */
#define PHX_MVP_DEFINE(NAME, ATTR, V, VL, LD, ST, FMA, SET1, ZERO, HSUM)                     \
ATTR static void NAME(const double *const *a, const double *const *b, const double *f,        \
                      const double *w, double *g, ptrdiff_t k, double *s) {                    \
    ptrdiff_t c = 0, kv = k - k % (VL);                                                        \
    if (a && b) {                                                                              \
        const double *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3];                           \
        const double *b0 = b[0], *b1 = b[1], *b2 = b[2], *b3 = b[3];                           \
        V s0 = ZERO(), s1 = ZERO(), s2 = ZERO(), s3 = ZERO();                                  \
        V f0 = SET1(f[0]), f1 = SET1(f[1]), f2 = SET1(f[2]), f3 = SET1(f[3]);                  \
        for (; c < kv; c += (VL)) {                                                            \
            V wv = LD(w + c), gv = LD(g + c);                                                  \
            s0 = FMA(LD(a0 + c), wv, s0);                                                      \
            s1 = FMA(LD(a1 + c), wv, s1);                                                      \
            s2 = FMA(LD(a2 + c), wv, s2);                                                      \
            s3 = FMA(LD(a3 + c), wv, s3);                                                      \
            gv = FMA(LD(b0 + c), f0, gv);                                                      \
            gv = FMA(LD(b1 + c), f1, gv);                                                      \
            gv = FMA(LD(b2 + c), f2, gv);                                                      \
            gv = FMA(LD(b3 + c), f3, gv);                                                      \
            ST(g + c, gv);                                                                     \
        }                                                                                      \
        s[0] = HSUM(s0); s[1] = HSUM(s1); s[2] = HSUM(s2); s[3] = HSUM(s3);                    \
    } else if (a) {                                                                            \
        const double *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3];                           \
        V s0 = ZERO(), s1 = ZERO(), s2 = ZERO(), s3 = ZERO();                                  \
        for (; c < kv; c += (VL)) {                                                            \
            V wv = LD(w + c);                                                                  \
            s0 = FMA(LD(a0 + c), wv, s0);                                                      \
            s1 = FMA(LD(a1 + c), wv, s1);                                                      \
            s2 = FMA(LD(a2 + c), wv, s2);                                                      \
            s3 = FMA(LD(a3 + c), wv, s3);                                                      \
        }                                                                                      \
        s[0] = HSUM(s0); s[1] = HSUM(s1); s[2] = HSUM(s2); s[3] = HSUM(s3);                    \
    } else if (b) {                                                                            \
        const double *b0 = b[0], *b1 = b[1], *b2 = b[2], *b3 = b[3];                           \
        V f0 = SET1(f[0]), f1 = SET1(f[1]), f2 = SET1(f[2]), f3 = SET1(f[3]);                  \
        for (; c < kv; c += (VL)) {                                                            \
            V gv = LD(g + c);                                                                  \
            gv = FMA(LD(b0 + c), f0, gv);                                                      \
            gv = FMA(LD(b1 + c), f1, gv);                                                      \
            gv = FMA(LD(b2 + c), f2, gv);                                                      \
            gv = FMA(LD(b3 + c), f3, gv);                                                      \
            ST(g + c, gv);                                                                     \
        }                                                                                      \
    }                                                                                          \
    for (; c < k; c++) {                                                                       \
        if (a) {                                                                               \
            s[0] += a[0][c] * w[c]; s[1] += a[1][c] * w[c];                                    \
            s[2] += a[2][c] * w[c]; s[3] += a[3][c] * w[c];                                    \
        }                                                                                      \
        if (b)                                                                                 \
            g[c] = (((g[c] + b[0][c] * f[0]) + b[1][c] * f[1]) + b[2][c] * f[2])               \
                   + b[3][c] * f[3];                                                           \
    }                                                                                          \
}

#define PHX_MVP_S_LD(p) (*(p))
#define PHX_MVP_S_ST(p, v) (*(p) = (v))
#define PHX_MVP_S_FMA(x, y, z) ((x) * (y) + (z))
#define PHX_MVP_S_SET1(x) (x)
#define PHX_MVP_S_ZERO() 0.0
#define PHX_MVP_S_HSUM(x) (x)
PHX_MVP_DEFINE(phx_mvp_plain, , double, 1, PHX_MVP_S_LD, PHX_MVP_S_ST, PHX_MVP_S_FMA,
               PHX_MVP_S_SET1, PHX_MVP_S_ZERO, PHX_MVP_S_HSUM)

#ifdef PHX_MVP_X86
__attribute__((target("avx2,fma")))
static inline double phx_mvp_hsum4(__m256d v) {
    __m128d lo = _mm256_castpd256_pd128(v), hi = _mm256_extractf128_pd(v, 1);
    lo = _mm_add_pd(lo, hi);
    return _mm_cvtsd_f64(_mm_add_sd(lo, _mm_unpackhi_pd(lo, lo)));
}
PHX_MVP_DEFINE(phx_mvp_avx2, __attribute__((target("avx2,fma"))), __m256d, 4, _mm256_loadu_pd,
               _mm256_storeu_pd, _mm256_fmadd_pd, _mm256_set1_pd, _mm256_setzero_pd,
               phx_mvp_hsum4)
PHX_MVP_DEFINE(phx_mvp_avx512, __attribute__((target("avx512f,avx2,fma"))), __m512d, 8,
               _mm512_loadu_pd, _mm512_storeu_pd, _mm512_fmadd_pd, _mm512_set1_pd,
               _mm512_setzero_pd, _mm512_reduce_add_pd)
#else
#define phx_mvp_avx2 phx_mvp_plain      /* names _matvec.pyx refers to, on other CPUs */
#define phx_mvp_avx512 phx_mvp_plain
#endif

/* The best variant this CPU runs (0: plain C, 1: AVX2, 2: AVX-512 unless max_isa forbids). */
static inline phx_mvp_fn phx_mvp_pick(int max_isa) {
#ifdef PHX_MVP_X86
    __builtin_cpu_init();
    if (max_isa >= 2 && __builtin_cpu_supports("avx512f"))
        return phx_mvp_avx512;
    if (max_isa >= 1 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return phx_mvp_avx2;
#endif
    (void) max_isa;
    return phx_mvp_plain;
}

#endif
