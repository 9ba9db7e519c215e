/* vmath.h: vectorisable double-precision math for the elementwise engine (pure C, static).
 *
 * Each function `phx_vNAME(const double *x, double *y, n)` computes y[i] = NAME(x[i]) with a
 * `#pragma omp simd` loop; x == y (in place) is allowed. The per-element kernels
 * `phx_NAME1(x)` are branch-free (every path is computed, then selected), so the loops
 * if-convert and vectorise for whatever ISA the *caller* is compiled for: the engine includes
 * its block executor once per ISA (SSE2 / AVX2+FMA / AVX-512) and these always-inline kernels
 * are compiled into each. Needs -fno-trapping-math -fno-math-errno (set by ew_exec.h with
 * `#pragma GCC optimize`): otherwise GCC will not speculate the unselected paths.
 *
 * Algorithms are fdlibm / FreeBSD msun's (public domain: "Developed at SunPro ... Permission
 * to use, copy, modify, and distribute this software is freely granted"), rewritten without
 * branches and without integer<->double conversions, which SSE2/AVX2 lack for 64-bit lanes:
 * rounding to an integer uses the 1.5*2^52 "magic number" add, and 2^k is built by shifting
 * the bits of (k + 1023 + 2^52). Accuracy (tests/test_vmath.py, vs glibc): <= 1 ulp for
 * exp/log/sin/cos-family kernels in practice; special values (NaN, inf, +-0, subnormals,
 * overflow, underflow) exactly as glibc gives them. sin/cos with |x| > 1e6 (and NaN/inf) are
 * handed to glibc's scalar sin/cos in a second pass (Payne-Hanek reduction is not worth
 * vectorising for arguments that large).
 */
#ifndef PHX_VMATH_H
#define PHX_VMATH_H

#include <fenv.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fpe.h"

#define PHX_AI static inline __attribute__((always_inline))

PHX_AI uint64_t phx_bits(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
PHX_AI double phx_dbl(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }

#define PHX_SHIFT 0x1.8p52   /* x + SHIFT - SHIFT rounds x (|x| < 2^51) to an integer */

/* rint for |x| < 2^51 (round half to even, the default rounding mode). */
PHX_AI double phx_rint_small(double x) { return (x + PHX_SHIFT) - PHX_SHIFT; }

/* 2^m for an integer-valued double m in [-1022, 1023]. */
PHX_AI double phx_pow2i(double m) {
    return phx_dbl(phx_bits(m + (0x1p52 + 1023.0)) << 52);
}

/* x * 2^k for integer-valued k in [-2044, 2046]: two factors, so that 2^k itself never
 * overflows or underflows and the product is rounded once (gradual underflow is right). */
PHX_AI double phx_ldexp2(double x, double k) {
    double k1 = phx_rint_small(k * 0.5);
    return x * phx_pow2i(k1) * phx_pow2i(k - k1);
}

PHX_AI double phx_copysign(double x, double s) {
    return phx_dbl((phx_bits(x) & 0x7fffffffffffffffULL) | (phx_bits(s) & 0x8000000000000000ULL));
}

static const double phx_ln2_hi = 6.93147180369123816490e-01;  /* 0x3fe62e42 fee00000 */
static const double phx_ln2_lo = 1.90821492927058770002e-10;  /* 0x3dea39ef 35793c76 */
static const double phx_invln2 = 1.44269504088896338700e+00;

/* ---- exp ------------------------------------------------------------------------------- */

/* exp(r) - 1 - r for |r| <= ln2/2, as r^2 * q(r): Taylor to r^13 (truncation 4e-18). */
PHX_AI double phx_exp_tail(double r) {
    double q = 1.0 / 6227020800.0;                 /* 1/13! */
    q = q * r + 1.0 / 479001600.0;
    q = q * r + 1.0 / 39916800.0;
    q = q * r + 1.0 / 3628800.0;
    q = q * r + 1.0 / 362880.0;
    q = q * r + 1.0 / 40320.0;
    q = q * r + 1.0 / 5040.0;
    q = q * r + 1.0 / 720.0;
    q = q * r + 1.0 / 120.0;
    q = q * r + 1.0 / 24.0;
    q = q * r + 1.0 / 6.0;
    q = q * r + 0.5;
    return (r * r) * q;
}

/* exp(x) * 2^s for an integer-valued s in [-200, 200] (s = -1: sinh/cosh without overflow
 * before the halving). */
PHX_AI double phx_exp_scaled(double x, double s) {
    /* Clamping keeps k in range; beyond +-800 the result is 0 or inf anyway. A NaN fails both
     * comparisons and propagates through the arithmetic. */
    double xc = x < -800.0 ? -800.0 : x;
    xc = xc > 800.0 ? 800.0 : xc;
    double k = (xc * phx_invln2 + PHX_SHIFT) - PHX_SHIFT;
    double hi = xc - k * phx_ln2_hi;               /* exact: k*ln2_hi has <= 43 bits */
    double lo = k * phx_ln2_lo;
    double r = hi - lo;
    /* 1 + (r + tail) with r kept as hi - lo: the only big rounding is the final add. */
    double p = 1.0 + (hi - (lo - phx_exp_tail(r)));
    return phx_ldexp2(p, k + s);
}

PHX_AI double phx_exp1(double x) { return phx_exp_scaled(x, 0.0); }

PHX_AI double phx_exp2_1(double x) {
    double xc = x < -1076.0 ? -1076.0 : x;
    xc = xc > 1025.0 ? 1025.0 : xc;
    double k = phx_rint_small(xc);
    double f = xc - k;                              /* exact, |f| <= 1/2 */
    /* r = f*ln2 as hi + lo: f*ln2_hi is exact when f has <= 21 significant bits; otherwise the
     * error is < ulp(r)/2, which costs at most ~0.35 ulp in the result. */
    double hi = f * phx_ln2_hi;
    double lo = -(f * phx_ln2_lo);
    double r = hi - lo;
    double p = 1.0 + (hi - (lo - phx_exp_tail(r)));
    return phx_ldexp2(p, k);
}

/* ---- expm1 (fdlibm s_expm1.c, all branches computed and selected) ------------------------ */

PHX_AI double phx_expm1_1(double x) {
    const double Q1 = -3.33333333333331316428e-02, Q2 = 1.58730158725481460165e-03,
                 Q3 = -7.93650757867487942473e-05, Q4 = 4.00821782732936239552e-06,
                 Q5 = -2.01099218183624371326e-07;
    double ax = fabs(x);
    double xc = x > 710.0 ? 710.0 : (x < -40.0 ? -40.0 : x);   /* NaN passes */
    double k = phx_rint_small(xc * phx_invln2);
    k = fabs(xc) <= 0.5 * 0.6931471805599453 ? 0.0 : k;
    double hi = xc - k * phx_ln2_hi;
    double lo = k * phx_ln2_lo;
    double r = hi - lo;
    double c = (hi - r) - lo;
    double hfx = 0.5 * r;
    double hxs = r * hfx;
    double r1 = 1.0 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
    double t = 3.0 - r1 * hfx;
    double e = hxs * ((r1 - t) / (6.0 - r * t));
    double y0 = r - (r * e - hxs);                 /* k == 0 */
    e = (r * (e - c) - c) - hxs;
    double ym1 = 0.5 * (r - e) - 0.5;              /* k == -1 */
    double yp1 = r < -0.25 ? -2.0 * (e - (r + 0.5)) : 1.0 + 2.0 * (r - e);   /* k == 1 */
    /* general k: 2^k * (1 - (e - r)) - 1, or with 1 - 2^-k folded in for precision */
    double yg = phx_ldexp2(1.0 - (e - r), k) - 1.0;
    double tk = phx_pow2i(k > 60.0 ? -60.0 : -k);  /* 2^-k, only used for 2 <= k <= 56 */
    double ym = k < 20.0 ? (1.0 - tk) - (e - r) : (r - (e + tk)) + 1.0;
    ym = phx_ldexp2(ym, k);
    /* (two selects: a compound condition stops GCC 12 from vectorising the loop) */
    double y = k <= 56.0 ? ym : yg;
    y = k <= -2.0 ? yg : y;
    y = k == 1.0 ? yp1 : y;
    y = k == -1.0 ? ym1 : y;
    y = k == 0.0 ? y0 : y;
    y = x < -38.816242111356935 ? -1.0 : y;        /* x < -56 ln2: -1 (also -inf) */
    y = x > 7.09782712893383973096e+02 ? INFINITY : y;
    y = ax < 0x1p-54 ? x : y;                      /* keeps -0 and subnormals */
    return x != x ? x + x : y;
}

/* ---- log family (FreeBSD msun e_log.c / e_log2.c / e_log10.c / s_log1p.c) ---------------- */

/* Splits x > 0 (finite, normal or subnormal) into k and f = m - 1, m in [sqrt(2)/2, sqrt(2)),
 * and returns k; *f_out gets f. Subnormals are scaled by 2^54 first. */
PHX_AI double phx_log_reduce(double x, double *f_out) {
    int sub = x < 0x1p-1022;
    double xs = sub ? x * 0x1p54 : x;
    uint64_t v = phx_bits(xs) + ((uint64_t)(0x3ff00000 - 0x3fe6a09e) << 32);
    /* exponent field as a double: (v >> 52) is in [0, 0x7ff] */
    double k = phx_dbl((v >> 52) | 0x4330000000000000ULL) - (0x1p52 + 1023.0);
    k = sub ? k - 54.0 : k;
    double m = phx_dbl((v & 0x000fffffffffffffULL) + ((uint64_t)0x3fe6a09e << 32));
    *f_out = m - 1.0;
    return k;
}

/* s * (hfsq + R(s^2)) with s = f / (2 + f): log(1 + f) = f - hfsq + this. */
PHX_AI double phx_k_log1p(double f, double hfsq) {
    const double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01,
                 Lg3 = 2.857142874366239149e-01, Lg4 = 2.222219843214978396e-01,
                 Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                 Lg7 = 1.479819860511658591e-01;
    double s = f / (2.0 + f);
    double z = s * s, w = z * z;
    double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
    double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
    return s * (hfsq + (t2 + t1));
}

/* The results glibc gives for x <= 0, inf and NaN (log, log2, log10 alike). */
PHX_AI double phx_log_special(double x, double y) {
    y = x < 0.0 ? NAN : y;
    y = x == 0.0 ? -INFINITY : y;
    y = x == INFINITY ? INFINITY : y;
    return x != x ? x + x : y;
}

PHX_AI double phx_log1(double x) {
    double f;
    double k = phx_log_reduce(x, &f);
    double hfsq = 0.5 * f * f;
    double r = phx_k_log1p(f, hfsq);
    double y = k * phx_ln2_hi - ((hfsq - (r + k * phx_ln2_lo)) - f);
    return phx_log_special(x, y);
}

PHX_AI double phx_log2_1(double x) {
    const double ivln2hi = 1.44269504072144627571e+00, ivln2lo = 1.67517131648865118353e-10;
    double f;
    double k = phx_log_reduce(x, &f);
    double hfsq = 0.5 * f * f;
    double r = phx_k_log1p(f, hfsq);
    /* hi: f - hfsq with its low 32 bits cleared, so hi*ivln2hi is exact */
    double hi = phx_dbl(phx_bits(f - hfsq) & 0xffffffff00000000ULL);
    double lo = (f - hi) - hfsq + r;
    double val_hi = hi * ivln2hi;
    double val_lo = (lo + hi) * ivln2lo + lo * ivln2hi;
    double w = k + val_hi;
    val_lo += (k - w) + val_hi;
    return phx_log_special(x, val_lo + w);
}

PHX_AI double phx_log10_1(double x) {
    const double ivln10hi = 4.34294481878168880939e-01, ivln10lo = 2.50829467116452752298e-11,
                 log10_2hi = 3.01029995663611771306e-01, log10_2lo = 3.69423907715893078616e-13;
    double f;
    double k = phx_log_reduce(x, &f);
    double hfsq = 0.5 * f * f;
    double r = phx_k_log1p(f, hfsq);
    double hi = phx_dbl(phx_bits(f - hfsq) & 0xffffffff00000000ULL);
    double lo = (f - hi) - hfsq + r;
    double val_hi = hi * ivln10hi;
    double y2 = k * log10_2hi;
    double val_lo = k * log10_2lo + (lo + hi) * ivln10lo + lo * ivln10hi;
    double w = y2 + val_hi;
    val_lo += (y2 - w) + val_hi;
    return phx_log_special(x, val_lo + w);
}

PHX_AI double phx_log1p_1(double x) {
    double u = 1.0 + x;
    /* c: the rounding error of 1 + x, relative to u (0 once x is so big that u == x) */
    double c = u >= 2.0 ? 1.0 - (u - x) : x - (u - 1.0);
    c = x < 0x1p53 ? c / u : 0.0;
    double f;
    double k = phx_log_reduce(u > 0.0 ? u : 1.0, &f);
    double hfsq = 0.5 * f * f;
    double r = phx_k_log1p(f, hfsq);
    double y = k * phx_ln2_hi - ((hfsq - (r + (k * phx_ln2_lo + c))) - f);
    y = fabs(x) < 0x1p-54 ? x : y;                 /* keeps -0 and subnormals */
    y = x < -1.0 ? NAN : y;
    y = x == -1.0 ? -INFINITY : y;
    y = x == INFINITY ? INFINITY : y;
    return x != x ? x + x : y;
}

/* ---- sin / cos (fdlibm k_sin.c, FreeBSD k_cos.c; Cody-Waite reduction in double-double) -- */

#define PHX_TRIG_MAX 1e6    /* beyond: glibc's scalar sin/cos (Payne-Hanek reduction) */

/* x = n*pi/2 + (rh + rl) for |x| <= PHX_TRIG_MAX; returns n (integer-valued double).
 * pi/2 = P1 + P2 + P3 + P4, P1..P3 with 33 significant bits, so n*Pi is exact (n < 2^20);
 * x - n*P1 is exact (Sterbenz) and the rest is summed with TwoSum, which keeps r to ~2^-100
 * relative even for the x closest to a multiple of pi/2. */
PHX_AI double phx_rem_pio2(double x, double *rh, double *rl) {
    const double P1 = 0x1.921fb54400000p+0, P2 = 0x1.0b4611a600000p-34,
                 P3 = 0x1.3198a2e000000p-69, P4 = 0x1.b839a252049c1p-104;
    double xc = fabs(x) <= PHX_TRIG_MAX ? x : 0.0;  /* big/NaN lanes: fixed up later */
    double n = phx_rint_small(xc * 0.63661977236758134308);
    double a1 = xc - n * P1;
    double p2 = n * P2, p3 = n * P3;
    double a2 = a1 - p2;                            /* TwoSum(a1, -p2) */
    double bb = a2 - a1;
    double e2 = (a1 - (a2 - bb)) + (-p2 - bb);
    double a3 = a2 - p3;                            /* TwoSum(a2, -p3) */
    bb = a3 - a2;
    double e3 = (a2 - (a3 - bb)) + (-p3 - bb);
    double lo = (e2 + e3) - n * P4;
    double h = a3 + lo;
    *rh = h;
    *rl = (a3 - h) + lo;
    return n;
}

PHX_AI double phx_k_sin(double x, double y) {
    const double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03,
                 S3 = -1.98412698298579493134e-04, S4 = 2.75573137070700676789e-06,
                 S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
    double z = x * x, w = z * z;
    double r = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
    double v = z * x;
    return x - ((z * (0.5 * y - v * r) - y) - v * S1);
}

PHX_AI double phx_k_cos(double x, double y) {
    const double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03,
                 C3 = 2.48015872894767294178e-05, C4 = -2.75573143513906633035e-07,
                 C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
    double z = x * x, w = z * z;
    double r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
    double hz = 0.5 * z;
    w = 1.0 - hz;
    return w + (((1.0 - w) - hz) + (z * r - x * y));
}

/* sin (cos_shift 0) or cos (cos_shift 1) of x, |x| <= PHX_TRIG_MAX. Quadrant q = n mod 4:
 * sin(r + q pi/2) = sin r, cos r, -sin r, -cos r; cos is sin shifted by one quadrant. */
PHX_AI double phx_sincos1(double x, int cos_shift) {
    double rh, rl;
    double n = phx_rem_pio2(x, &rh, &rl);
    uint64_t q = phx_bits(n + PHX_SHIFT) + (uint64_t)cos_shift;
    double s = phx_k_sin(rh, rl), c = phx_k_cos(rh, rl);
    double y = (q & 1) ? c : s;
    return phx_dbl(phx_bits(y) ^ ((q & 2) << 62));
}

/* The second pass for sin/cos: lanes the vector loop could not do hold x itself, recognisable
 * as |y| > 2 (a computed sin/cos is in [-1, 1]) or NaN. */
#define PHX_TRIG_LOOP(NAME, FN, SHIFT, TINY_IS_X)                                           \
PHX_AI void NAME(const double *x, double *y, ptrdiff_t n) {                                 \
    ptrdiff_t nbig = 0;                                                                       \
    _Pragma("omp simd reduction(+:nbig)")                                                    \
    for (ptrdiff_t i = 0; i < n; i++) {                                                       \
        double xi = x[i];                                                                     \
        int big = !(fabs(xi) <= PHX_TRIG_MAX);                                               \
        double v = phx_sincos1(xi, SHIFT);                                                    \
        if (TINY_IS_X) v = fabs(xi) < 0x1p-26 ? xi : v;                                       \
        y[i] = big ? xi : v;                                                                  \
        nbig += big;                                                                          \
    }                                                                                         \
    if (nbig)                                                                                 \
        for (ptrdiff_t i = 0; i < n; i++)                                                     \
            if (!(fabs(y[i]) <= 2.0)) y[i] = FN(y[i]);                                        \
}
PHX_TRIG_LOOP(phx_vsin, sin, 0, 1)
PHX_TRIG_LOOP(phx_vcos, cos, 1, 0)

/* ---- hyperbolic (fdlibm s_tanh.c, e_sinh.c, e_cosh.c) ------------------------------------ */

/* tanh(x) = x + x^3 g(x^2) for |x| < 0.55, g a relative-minimax fit (|err| < 3e-17; fitted
 * in long double, see tests/test_vmath.py for the accuracy check). fdlibm's -t/(t+2) with
 * t = expm1(-2|x|) amplifies the error of t up to ~3 ulp there. */
PHX_AI double phx_tanh_small(double x) {
    double y = x * x;
    double g = -2.0657188982720263e-05;
    g = g * y + 8.5195246855919e-05;
    g = g * y - 0.00023468715886067505;
    g = g * y + 0.0005889544421452524;
    g = g * y - 0.0014556656792761894;
    g = g * y + 0.0035921108655444602;
    g = g * y - 0.00886323443349813;
    g = g * y + 0.02186948849499605;
    g = g * y - 0.05396825396744963;
    g = g * y + 0.13333333333332698;
    g = g * y - 0.3333333333333333;
    return x + x * (y * g);
}

PHX_AI double phx_tanh1(double x) {
    double a = fabs(x);
    /* |x| >= 0.55: 1 - 2/(t+2), t = expm1(2|x|); the subtraction is exact (result >= 1/2) */
    double t = phx_expm1_1(2.0 * (a > 22.0 ? 22.0 : a));
    double z = 1.0 - 2.0 / (t + 2.0);
    z = a < 0.55 ? phx_tanh_small(a) : z;
    z = a >= 22.0 ? 1.0 : z;                       /* also inf */
    z = phx_copysign(z, x);
    return x != x ? x + x : z;
}

/* sinh(x) = x + x^3 (1/3! + x^2/5! + ... + x^16/19!) for |x| < 1 (Taylor, truncation 8e-18). */
PHX_AI double phx_sinh_small(double x) {
    double y = x * x;
    double g = 1.0 / 121645100408832000.0;          /* 1/19! */
    g = g * y + 1.0 / 355687428096000.0;
    g = g * y + 1.0 / 1307674368000.0;
    g = g * y + 1.0 / 6227020800.0;
    g = g * y + 1.0 / 39916800.0;
    g = g * y + 1.0 / 362880.0;
    g = g * y + 1.0 / 5040.0;
    g = g * y + 1.0 / 120.0;
    g = g * y + 1.0 / 6.0;
    return x + x * (y * g);
}

PHX_AI double phx_sinh1(double x) {
    double a = fabs(x);
    double t = phx_expm1_1(a > 22.0 ? 22.0 : a);
    double y = 0.5 * (t + t / (t + 1.0));          /* 1 <= |x| < 22 */
    y = a < 1.0 ? phx_sinh_small(a) : y;
    y = a < 22.0 ? y : phx_exp_scaled(a, -1.0);
    y = phx_copysign(y, x);
    return x != x ? x + x : y;
}

PHX_AI double phx_cosh1(double x) {
    double a = fabs(x);
    double t = phx_expm1_1(a > 1.0 ? 1.0 : a);
    double w = 1.0 + t;
    double tiny = 1.0 + (t * t) / (w + w);          /* |x| < ln2/2 */
    double e = phx_exp1(a > 22.0 ? 22.0 : a);
    double mid = 0.5 * e + 0.5 / e;
    double y = a < 22.0 ? mid : phx_exp_scaled(a, -1.0);
    y = a < 0.5 * 0.6931471805599453 ? tiny : y;
    return x != x ? x * x : y;
}

/* ---- array loops ------------------------------------------------------------------------- */

/* IEEE flags for inputs whose result is out of range. The kernels above build inf, -inf, NaN
 * and 0 with selects (and AVX-512 code may even skip the overflowing multiply), so the flags
 * NumPy's error state reports (runtime/fpe.h, _fpe.py) are raised here, from the inputs, with
 * quiet comparisons in the same loop (no flag for NaN inputs): x < LO raises LO_FLAG, x > HI
 * raises HI_FLAG, x == EQ raises EQ_FLAG. Only flags the job's error state asks about are
 * checked (phx_fpe_want): none under np.errstate(all="ignore"), only overflow for exp by
 * default; measured cost of a full check: exp +8%, log +4% (AVX-512), exp +22% (AVX2). A flag
 * raised where NumPy would not warn only costs a NumPy rerun of the op. */
#define PHX_FL_DIV FE_DIVBYZERO
#define PHX_FL_OVER FE_OVERFLOW
#define PHX_FL_UNDER FE_UNDERFLOW
#define PHX_FL_INVALID FE_INVALID

#define PHX_VLOOP(NAME, KERNEL, LO, LO_FLAG, HI, HI_FLAG, EQ, EQ_FLAG)                        \
PHX_AI void NAME(const double *x, double *y, ptrdiff_t n) {                                 \
    int want = phx_fpe_want;                                                                 \
    if (want & ((LO_FLAG) | (EQ_FLAG))) {                                                    \
        double below = 0.0, above = 0.0, equal = 0.0;  /* masked moves: cheaper than ints */ \
        _Pragma("omp simd reduction(max:below, above, equal)")                               \
        for (ptrdiff_t i = 0; i < n; i++) {                                                  \
            double v = x[i];                                                                 \
            below = __builtin_isless(v, LO) ? 1.0 : below;                                   \
            above = __builtin_isgreater(v, HI) ? 1.0 : above;                                \
            equal = v == (EQ) ? 1.0 : equal;                                                 \
            y[i] = KERNEL(v);                                                                \
        }                                                                                    \
        if (below + above + equal != 0.0)                                                    \
            feraiseexcept((below != 0.0 ? (LO_FLAG) : 0) | (above != 0.0 ? (HI_FLAG) : 0)   \
                          | (equal != 0.0 ? (EQ_FLAG) : 0));                                 \
    } else if (want & (HI_FLAG)) {                                                           \
        double above = 0.0;                                                                  \
        _Pragma("omp simd reduction(max:above)")                                             \
        for (ptrdiff_t i = 0; i < n; i++) {                                                  \
            double v = x[i];                                                                 \
            above = __builtin_isgreater(v, HI) ? 1.0 : above;                                \
            y[i] = KERNEL(v);                                                                \
        }                                                                                    \
        if (above != 0.0)                                                                    \
            feraiseexcept(HI_FLAG);                                                          \
    } else {                                                                                 \
        _Pragma("omp simd")                                                                  \
        for (ptrdiff_t i = 0; i < n; i++) y[i] = KERNEL(x[i]);                                \
    }                                                                                        \
}
/* exp(x) is subnormal below -708.39..., inf above 709.78...; sinh/cosh overflow past 710.47... */
PHX_VLOOP(phx_vexp, phx_exp1, -708.3964185322641, PHX_FL_UNDER, 709.782712893384, PHX_FL_OVER,
          NAN, 0)
PHX_VLOOP(phx_vexp2, phx_exp2_1, -1022.0, PHX_FL_UNDER, 1023.9999999999999, PHX_FL_OVER, NAN, 0)
PHX_VLOOP(phx_vexpm1, phx_expm1_1, -INFINITY, 0, 709.782712893384, PHX_FL_OVER, NAN, 0)
PHX_VLOOP(phx_vlog, phx_log1, 0.0, PHX_FL_INVALID, INFINITY, 0, 0.0, PHX_FL_DIV)
PHX_VLOOP(phx_vlog2, phx_log2_1, 0.0, PHX_FL_INVALID, INFINITY, 0, 0.0, PHX_FL_DIV)
PHX_VLOOP(phx_vlog10, phx_log10_1, 0.0, PHX_FL_INVALID, INFINITY, 0, 0.0, PHX_FL_DIV)
PHX_VLOOP(phx_vlog1p, phx_log1p_1, -1.0, PHX_FL_INVALID, INFINITY, 0, -1.0, PHX_FL_DIV)
PHX_VLOOP(phx_vtanh, phx_tanh1, -INFINITY, 0, INFINITY, 0, NAN, 0)
PHX_VLOOP(phx_vsinh, phx_sinh1, -710.4758600739439, PHX_FL_OVER, 710.4758600739439, PHX_FL_OVER,
          NAN, 0)
PHX_VLOOP(phx_vcosh, phx_cosh1, -710.4758600739439, PHX_FL_OVER, 710.4758600739439, PHX_FL_OVER,
          NAN, 0)

#endif
