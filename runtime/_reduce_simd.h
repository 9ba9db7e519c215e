/* Min/max kernels of phylanx.runtime._reduce with SSE2 (every x86-64 CPU has it).
 *
 * GCC does not vectorize a NaN-aware `v > acc ? v : acc` reduction written in Cython (it emits
 * scalar maxsd), which left min/max 2-3x slower than NumPy's SIMD loops; these are written with
 * intrinsics instead. Semantics: MAXPD(x, y) is exactly (x > y) ? x : y, so NaNs never enter an
 * accumulator except through its initial value; NaNs are detected separately and the caller
 * rescans for the first one (NumPy propagates NaN). Other targets use the plain C loops.
 */
#ifndef PHYLANX_REDUCE_SIMD_H
#define PHYLANX_REDUCE_SIMD_H

#include <stddef.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define PHX_EXT_BODY(T, p, n, is_max, has_nan)                                   \
    T best = p[0];                                                               \
    int nan = 0;                                                                 \
    for (ptrdiff_t i = 0; i < n; ++i) {                                          \
        T v = p[i];                                                              \
        nan |= v != v;                                                           \
        best = (is_max ? v > best : v < best) ? v : best;                        \
    }                                                                            \
    *has_nan = nan;                                                              \
    return best;

/* max (is_max) or min of p[0:n], n >= 1, ignoring NaN; *has_nan: a NaN was met. */
static inline double phx_ext_f64(const double *p, ptrdiff_t n, int is_max, int *has_nan)
{
#if defined(__SSE2__)
    if (n >= 8) {
        __m128d a0 = _mm_loadu_pd(p), a1 = _mm_loadu_pd(p + 2);
        __m128d a2 = _mm_loadu_pd(p + 4), a3 = _mm_loadu_pd(p + 6);
        __m128d nn = _mm_or_pd(_mm_or_pd(_mm_cmpunord_pd(a0, a0), _mm_cmpunord_pd(a1, a1)),
                               _mm_or_pd(_mm_cmpunord_pd(a2, a2), _mm_cmpunord_pd(a3, a3)));
        ptrdiff_t i = 8, m = n - n % 8;
        for (; i < m; i += 8) {
            __m128d v0 = _mm_loadu_pd(p + i), v1 = _mm_loadu_pd(p + i + 2);
            __m128d v2 = _mm_loadu_pd(p + i + 4), v3 = _mm_loadu_pd(p + i + 6);
            if (is_max) {
                a0 = _mm_max_pd(v0, a0); a1 = _mm_max_pd(v1, a1);
                a2 = _mm_max_pd(v2, a2); a3 = _mm_max_pd(v3, a3);
            } else {
                a0 = _mm_min_pd(v0, a0); a1 = _mm_min_pd(v1, a1);
                a2 = _mm_min_pd(v2, a2); a3 = _mm_min_pd(v3, a3);
            }
            nn = _mm_or_pd(nn, _mm_or_pd(_mm_or_pd(_mm_cmpunord_pd(v0, v0),
                                                   _mm_cmpunord_pd(v1, v1)),
                                         _mm_or_pd(_mm_cmpunord_pd(v2, v2),
                                                   _mm_cmpunord_pd(v3, v3))));
        }
        double lanes[8], best;
        _mm_storeu_pd(lanes, a0); _mm_storeu_pd(lanes + 2, a1);
        _mm_storeu_pd(lanes + 4, a2); _mm_storeu_pd(lanes + 6, a3);
        int nan = _mm_movemask_pd(nn) != 0;
        best = lanes[0];
        for (int j = 1; j < 8; ++j)
            best = (is_max ? lanes[j] > best : lanes[j] < best) ? lanes[j] : best;
        for (; i < n; ++i) {
            double v = p[i];
            nan |= v != v;
            best = (is_max ? v > best : v < best) ? v : best;
        }
        *has_nan = nan;
        return best;
    }
#endif
    PHX_EXT_BODY(double, p, n, is_max, has_nan)
}

static inline float phx_ext_f32(const float *p, ptrdiff_t n, int is_max, int *has_nan)
{
#if defined(__SSE2__)
    if (n >= 16) {
        __m128 a0 = _mm_loadu_ps(p), a1 = _mm_loadu_ps(p + 4);
        __m128 a2 = _mm_loadu_ps(p + 8), a3 = _mm_loadu_ps(p + 12);
        __m128 nn = _mm_or_ps(_mm_or_ps(_mm_cmpunord_ps(a0, a0), _mm_cmpunord_ps(a1, a1)),
                              _mm_or_ps(_mm_cmpunord_ps(a2, a2), _mm_cmpunord_ps(a3, a3)));
        ptrdiff_t i = 16, m = n - n % 16;
        for (; i < m; i += 16) {
            __m128 v0 = _mm_loadu_ps(p + i), v1 = _mm_loadu_ps(p + i + 4);
            __m128 v2 = _mm_loadu_ps(p + i + 8), v3 = _mm_loadu_ps(p + i + 12);
            if (is_max) {
                a0 = _mm_max_ps(v0, a0); a1 = _mm_max_ps(v1, a1);
                a2 = _mm_max_ps(v2, a2); a3 = _mm_max_ps(v3, a3);
            } else {
                a0 = _mm_min_ps(v0, a0); a1 = _mm_min_ps(v1, a1);
                a2 = _mm_min_ps(v2, a2); a3 = _mm_min_ps(v3, a3);
            }
            nn = _mm_or_ps(nn, _mm_or_ps(_mm_or_ps(_mm_cmpunord_ps(v0, v0),
                                                   _mm_cmpunord_ps(v1, v1)),
                                         _mm_or_ps(_mm_cmpunord_ps(v2, v2),
                                                   _mm_cmpunord_ps(v3, v3))));
        }
        float lanes[16], best;
        _mm_storeu_ps(lanes, a0); _mm_storeu_ps(lanes + 4, a1);
        _mm_storeu_ps(lanes + 8, a2); _mm_storeu_ps(lanes + 12, a3);
        int nan = _mm_movemask_ps(nn) != 0;
        best = lanes[0];
        for (int j = 1; j < 16; ++j)
            best = (is_max ? lanes[j] > best : lanes[j] < best) ? lanes[j] : best;
        for (; i < n; ++i) {
            float v = p[i];
            nan |= v != v;
            best = (is_max ? v > best : v < best) ? v : best;
        }
        *has_nan = nan;
        return best;
    }
#endif
    PHX_EXT_BODY(float, p, n, is_max, has_nan)
}

/* acc = max(row, acc) column by column (min with is_max = 0), as MAXPD does: a NaN already in
   acc stays, a NaN of the row is not taken. Returns nonzero when the row held a NaN: the
   caller then redoes the columns with NumPy's rule (acc >= v || isnan(acc)) ? acc : v. */
static inline int phx_colext_f64(double *acc, const double *row, ptrdiff_t w, int is_max)
{
    ptrdiff_t c = 0;
    int nan = 0;
#if defined(__SSE2__)
    __m128d nn = _mm_setzero_pd();
    if (is_max) {
        for (; c + 2 <= w; c += 2) {
            __m128d v = _mm_loadu_pd(row + c);
            _mm_storeu_pd(acc + c, _mm_max_pd(v, _mm_loadu_pd(acc + c)));
            nn = _mm_or_pd(nn, _mm_cmpunord_pd(v, v));
        }
    } else {
        for (; c + 2 <= w; c += 2) {
            __m128d v = _mm_loadu_pd(row + c);
            _mm_storeu_pd(acc + c, _mm_min_pd(v, _mm_loadu_pd(acc + c)));
            nn = _mm_or_pd(nn, _mm_cmpunord_pd(v, v));
        }
    }
    nan = _mm_movemask_pd(nn) != 0;
#endif
    for (; c < w; ++c) {
        double v = row[c];
        nan |= v != v;
        acc[c] = (is_max ? v > acc[c] : v < acc[c]) ? v : acc[c];
    }
    return nan;
}

static inline int phx_colext_f32(float *acc, const float *row, ptrdiff_t w, int is_max)
{
    ptrdiff_t c = 0;
    int nan = 0;
#if defined(__SSE2__)
    __m128 nn = _mm_setzero_ps();
    if (is_max) {
        for (; c + 4 <= w; c += 4) {
            __m128 v = _mm_loadu_ps(row + c);
            _mm_storeu_ps(acc + c, _mm_max_ps(v, _mm_loadu_ps(acc + c)));
            nn = _mm_or_ps(nn, _mm_cmpunord_ps(v, v));
        }
    } else {
        for (; c + 4 <= w; c += 4) {
            __m128 v = _mm_loadu_ps(row + c);
            _mm_storeu_ps(acc + c, _mm_min_ps(v, _mm_loadu_ps(acc + c)));
            nn = _mm_or_ps(nn, _mm_cmpunord_ps(v, v));
        }
    }
    nan = _mm_movemask_ps(nn) != 0;
#endif
    for (; c < w; ++c) {
        float v = row[c];
        nan |= v != v;
        acc[c] = (is_max ? v > acc[c] : v < acc[c]) ? v : acc[c];
    }
    return nan;
}

#endif /* PHYLANX_REDUCE_SIMD_H */
