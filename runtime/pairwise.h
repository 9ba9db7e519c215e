/* pairwise.h: NumPy's pairwise summation, the runtime's one implementation (the native
 * reductions of _reduce.pyx and fused_reduce in ew_exec.h both use it).
 *
 * numpy/_core/src/umath/loops_utils.h.src, @TYPE@_pairwise_sum: fewer than 8 elements are
 * added in order from 0; up to PHX_PAIRWISE_LEAF (128) go through 8 accumulators (element j
 * into r[j % 8]) combined as ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)), then the
 * remainder in order; longer runs are split at phx_pairwise_split(n) and the two halves
 * added. Same additions in the same order: float sums agree with NumPy bit for bit (NumPy's
 * reduction then adds the result to the identity, 0 + sum, which callers do).
 *
 * Callers that sum a subtree per thread cut the tree with phx_pairwise_split and add the
 * subtree sums back up in the tree's shape, which gives the same result.
 *
 * Included before any `#pragma GCC optimize("fp-contract=fast")`: var's (x - mean)^2 must be
 * rounded before it is added, as NumPy's temporary is.
 */
#ifndef PHX_PAIRWISE_H
#define PHX_PAIRWISE_H

#include <stddef.h>
#include <stdint.h>

#define PHX_PAIRWISE_LEAF 128

/* Where NumPy splits a run of n > PHX_PAIRWISE_LEAF elements: the left part's length. */
static inline ptrdiff_t phx_pairwise_split(ptrdiff_t n) {
    ptrdiff_t n2 = n / 2;
    return n2 - n2 % 8;
}

/* Element transforms: the element as T, or (as numpy's _var) its squared deviation. */
#define PHX_PW_PLAIN(T, x, mean) ((T)(x))
#define PHX_PW_SQDEV(T, x, mean) phx_pw_sq_##T((T)(x) - (mean))
static inline double phx_pw_sq_double(double d) { return d * d; }
static inline float phx_pw_sq_float(float d) { return d * d; }

/* T NAME(const S *p, ptrdiff_t n, ptrdiff_t s, T mean): the pairwise sum, in T, of
 * LOAD(T, x, mean) over x = p[0], p[s], ..., p[(n - 1) s] (s in elements). */
#define PHX_PAIRWISE_DEFINE(NAME, T, S, LOAD)                                                \
__attribute__((unused)) static T NAME(const S *p, ptrdiff_t n, ptrdiff_t s, T mean) {         \
    (void)mean;                                                                               \
    if (n < 8) {                                                                              \
        T res = 0;                                                                            \
        for (ptrdiff_t i = 0; i < n; i++) res += LOAD(T, p[i * s], mean);                     \
        return res;                                                                           \
    }                                                                                         \
    if (n <= PHX_PAIRWISE_LEAF) {                                                             \
        T r[8];                                                                               \
        ptrdiff_t i, m = n - n % 8;                                                           \
        if (s == 1) {                     /* contiguous: the 8 lanes vectorise */             \
            for (int j = 0; j < 8; j++) r[j] = LOAD(T, p[j], mean);                           \
            for (i = 8; i < m; i += 8)                                                        \
                for (int j = 0; j < 8; j++) r[j] += LOAD(T, p[i + j], mean);                  \
        } else {                                                                              \
            for (int j = 0; j < 8; j++) r[j] = LOAD(T, p[j * s], mean);                       \
            for (i = 8; i < m; i += 8)                                                        \
                for (int j = 0; j < 8; j++) r[j] += LOAD(T, p[(i + j) * s], mean);            \
        }                                                                                     \
        T res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));            \
        for (; i < n; i++) res += LOAD(T, p[i * s], mean);                                    \
        return res;                                                                           \
    }                                                                                         \
    ptrdiff_t n2 = phx_pairwise_split(n);                                                     \
    return NAME(p, n2, s, mean) + NAME(p + n2 * s, n - n2, s, mean);                          \
}

/* phx_pw_<source><accumulator>[_sq]: d double, f float, l int64, i int32, b bool (uint8) */
PHX_PAIRWISE_DEFINE(phx_pw_dd, double, double, PHX_PW_PLAIN)
PHX_PAIRWISE_DEFINE(phx_pw_ff, float, float, PHX_PW_PLAIN)
PHX_PAIRWISE_DEFINE(phx_pw_fd, double, float, PHX_PW_PLAIN)
PHX_PAIRWISE_DEFINE(phx_pw_ld, double, int64_t, PHX_PW_PLAIN)
PHX_PAIRWISE_DEFINE(phx_pw_id, double, int32_t, PHX_PW_PLAIN)
PHX_PAIRWISE_DEFINE(phx_pw_bd, double, uint8_t, PHX_PW_PLAIN)
PHX_PAIRWISE_DEFINE(phx_pw_dd_sq, double, double, PHX_PW_SQDEV)
PHX_PAIRWISE_DEFINE(phx_pw_ff_sq, float, float, PHX_PW_SQDEV)
PHX_PAIRWISE_DEFINE(phx_pw_fd_sq, double, float, PHX_PW_SQDEV)
PHX_PAIRWISE_DEFINE(phx_pw_ld_sq, double, int64_t, PHX_PW_SQDEV)
PHX_PAIRWISE_DEFINE(phx_pw_id_sq, double, int32_t, PHX_PW_SQDEV)
PHX_PAIRWISE_DEFINE(phx_pw_bd_sq, double, uint8_t, PHX_PW_SQDEV)

#endif
