/* ew_block.h: the block executor, included by ew_exec.h once per ISA with PHX_ISA_NAME (the
 * function's name) and PHX_ISA_ATTR (its target attribute) defined. It runs the program over
 * elements [start, start + n) (n <= PHX_BLOCK) of the output's flat index range; `bind`
 * (NULL, or one pointer per register) hands it blocks of registers the caller holds itself
 * (n contiguous elements of the register's type; output registers of full-width type only). The vmath.h kernels are
 * always-inline, so each copy vectorises them for its own ISA.
 *
 * Integer registers compute in uint64_t: NumPy's integer add/sub/mul/neg wrap modulo 2^width,
 * and for every width the low bits of the 64-bit result are the wrapped result (WRAP
 * re-extends a narrow result before anything that looks at its value). */

#ifndef PHX_BLOCK_HELPERS
#define PHX_BLOCK_HELPERS

/* rint/floor/ceil/trunc without SSE4.1 roundpd: |x| + 2^52 - 2^52 rounds |x| < 2^52 to the
 * nearest integer (ties to even, the default rounding mode); larger |x|, inf and NaN are
 * returned as they are. copysign keeps the sign of zero results (floor(-0.0) = -0.0,
 * ceil(-0.5) = -0.0, rint(-0.2) = -0.0). */
PHX_AI double phx_round_d(double x, int mode) {
    double ax = fabs(x);
    double ra = (ax + 0x1p52) - 0x1p52;                        /* rint(|x|) */
    double t = phx_copysign(ra, x);                            /* rint(x) */
    t = mode == 1 ? (t > x ? t - 1.0 : t) : t;                 /* floor */
    t = mode == 2 ? (t < x ? t + 1.0 : t) : t;                 /* ceil */
    double fa = ra > ax ? ra - 1.0 : ra;                       /* trunc: floor(|x|), signed */
    t = mode == 3 ? fa : t;
    t = phx_copysign(t, x);
    return ax < 0x1p52 ? t : x;
}

PHX_AI float phx_copysignf(float x, float s) {
    uint32_t u, v;
    memcpy(&u, &x, 4);
    memcpy(&v, &s, 4);
    u = (u & 0x7fffffffu) | (v & 0x80000000u);
    memcpy(&x, &u, 4);
    return x;
}

PHX_AI float phx_round_f(float x, int mode) {
    float ax = fabsf(x);
    float ra = (ax + 0x1p23f) - 0x1p23f;
    float t = phx_copysignf(ra, x);
    t = mode == 1 ? (t > x ? t - 1.0f : t) : t;
    t = mode == 2 ? (t < x ? t + 1.0f : t) : t;
    float fa = ra > ax ? ra - 1.0f : ra;
    t = mode == 3 ? fa : t;
    t = phx_copysignf(t, x);
    return ax < 0x1p23f ? t : x;
}

/* NumPy's npy_divmod (floor_divide and remainder with Python's sign conventions). */
#define PHX_DIVMOD(NAME, T, FMOD, FLOOR, COPYSIGN)                                           \
static inline T NAME(T a, T b, T *modulus) {                                                  \
    T mod = FMOD(a, b);                                                                       \
    if (!b) { *modulus = mod; return a / b; }                                                 \
    T div = (a - mod) / b;                                                                    \
    if (mod) {                                                                                \
        if ((b < 0) != (mod < 0)) { mod += b; div -= 1; }                                     \
    } else {                                                                                  \
        mod = COPYSIGN(0, b);                                                                 \
    }                                                                                         \
    T floordiv;                                                                               \
    if (div) {                                                                                \
        floordiv = FLOOR(div);                                                                \
        if (div - floordiv > (T)0.5) floordiv += 1;                                           \
    } else {                                                                                  \
        floordiv = COPYSIGN(0, a / b);                                                        \
    }                                                                                         \
    *modulus = mod;                                                                           \
    return floordiv;                                                                          \
}
PHX_DIVMOD(phx_divmod_d, double, fmod, floor, copysign)
PHX_DIVMOD(phx_divmod_f, float, fmodf, floorf, copysignf)

static inline double phx_floordiv_d(double a, double b) {
    double m;
    return b ? phx_divmod_d(a, b, &m) : a / b;
}
static inline float phx_floordiv_f(float a, float b) {
    float m;
    return b ? phx_divmod_f(a, b, &m) : a / b;
}
static inline double phx_remainder_d(double a, double b) {
    double m;
    if (!b) return fmod(a, b);
    phx_divmod_d(a, b, &m);
    return m;
}
static inline float phx_remainder_f(float a, float b) {
    float m;
    if (!b) return fmodf(a, b);
    phx_divmod_f(a, b, &m);
    return m;
}
#endif

#define PHX_LOOP(BODY) _Pragma("omp simd") for (ptrdiff_t i = 0; i < n; i++) { BODY; }
#define PHX_D(T) T *d = (T *)R[in->dst]
#define PHX_A(T) const T *pa = (const T *)R[in->a]
#define PHX_B(T) const T *pb = (const T *)R[in->b]
/* unary / binary / ternary loops: x, y, z name the operands' elements */
#define U1(T, E) { PHX_D(T); PHX_A(T); PHX_LOOP(T x = pa[i]; d[i] = (E)) } break
#define B1(T, E) { PHX_D(T); PHX_A(T); PHX_B(T); PHX_LOOP(T x = pa[i]; T y = pb[i]; d[i] = (E)) } break
#define C1(T, E) { uint8_t *d = (uint8_t *)R[in->dst]; PHX_A(T); PHX_B(T);                     \
                   PHX_LOOP(T x = pa[i]; T y = pb[i]; d[i] = (E)) } break
#define P1(T, E) { uint8_t *d = (uint8_t *)R[in->dst]; PHX_A(T); PHX_LOOP(T x = pa[i]; d[i] = (E)) } break
/* the same expression for float and double */
#define FU(E) case PHX_F64: U1(double, E); case PHX_F32: U1(float, E)
#define FB(E) case PHX_F64: B1(double, E); case PHX_F32: B1(float, E)
#define IB(E) case PHX_I64: case PHX_U64: B1(uint64_t, E)
#define CMP(OP) case PHX_F64: C1(double, x OP y); case PHX_F32: C1(float, x OP y);           \
                case PHX_I64: C1(int64_t, x OP y); case PHX_U64: C1(uint64_t, x OP y);        \
                case PHX_B8: C1(uint8_t, (x != 0) OP (y != 0))
/* vector math on doubles (each kernel in a function of its own, per ISA: one giant function
 * with every kernel inlined takes minutes to compile); float registers go through the double
 * scratch */
#define PHX_VFN(FN) PHX_CAT(PHX_ISA_NAME, FN)
#define VMATH(FN) case PHX_F64: PHX_VFN(FN)((const double *)R[in->a], (double *)R[in->dst], n); \
    break;                                                                                   \
    case PHX_F32: { const float *pa = (const float *)R[in->a]; float *d = (float *)R[in->dst]; \
        PHX_LOOP(fs[i] = pa[i]) PHX_VFN(FN)(fs, fs, n); PHX_LOOP(d[i] = (float)fs[i]) } break
/* scalar libm loops (not vectorised) */
#define LIBM1(FD, FF) case PHX_F64: { PHX_D(double); PHX_A(double); for (ptrdiff_t i = 0; i < n; i++) d[i] = FD(pa[i]); } break; \
    case PHX_F32: { PHX_D(float); PHX_A(float); for (ptrdiff_t i = 0; i < n; i++) d[i] = FF(pa[i]); } break
#define LIBM2(FD, FF) case PHX_F64: { PHX_D(double); PHX_A(double); PHX_B(double); for (ptrdiff_t i = 0; i < n; i++) d[i] = FD(pa[i], pb[i]); } break; \
    case PHX_F32: { PHX_D(float); PHX_A(float); PHX_B(float); for (ptrdiff_t i = 0; i < n; i++) d[i] = FF(pa[i], pb[i]); } break

/* n bytes from scratch to the output with non-temporal stores: a big output is not read again
 * soon, and streaming skips the read-for-ownership of every output line (a third less memory
 * traffic for y = a*x + b). Unaligned head and tail bytes go through memcpy. */
#define PHX_STREAM_FN PHX_CAT(PHX_ISA_NAME, _stream)
#define PHX_CAT(a, b) PHX_CAT2(a, b)
#define PHX_CAT2(a, b) a##b
PHX_ISA_ATTR static void PHX_STREAM_FN(char *dst, const char *src, size_t n) {
#if PHX_ISA_LEVEL == 2
    typedef __m512i V;
#define PHX_SV(p, v) _mm512_stream_si512((void *)(p), v)
#define PHX_LV(p) _mm512_loadu_si512((const void *)(p))
#elif PHX_ISA_LEVEL == 1
    typedef __m256i V;
#define PHX_SV(p, v) _mm256_stream_si256((__m256i *)(p), v)
#define PHX_LV(p) _mm256_loadu_si256((const __m256i *)(p))
#else
    typedef __m128i V;
#define PHX_SV(p, v) _mm_stream_si128((__m128i *)(p), v)
#define PHX_LV(p) _mm_loadu_si128((const __m128i *)(p))
#endif
    size_t head = (sizeof(V) - ((uintptr_t)dst & (sizeof(V) - 1))) & (sizeof(V) - 1);
    if (head > n) head = n;
    memcpy(dst, src, head);
    size_t i = head;
    for (; i + sizeof(V) <= n; i += sizeof(V)) PHX_SV(dst + i, PHX_LV(src + i));
    memcpy(dst + i, src + i, n - i);
#undef PHX_SV
#undef PHX_LV
}

#define PHX_OUTLINE(FN) \
    PHX_ISA_ATTR __attribute__((noinline)) static void PHX_VFN(FN)(const double *x, double *y, \
                                                                   ptrdiff_t n) { FN(x, y, n); }
PHX_OUTLINE(phx_vexp)
PHX_OUTLINE(phx_vexp2)
PHX_OUTLINE(phx_vexpm1)
PHX_OUTLINE(phx_vlog)
PHX_OUTLINE(phx_vlog2)
PHX_OUTLINE(phx_vlog10)
PHX_OUTLINE(phx_vlog1p)
PHX_OUTLINE(phx_vsin)
PHX_OUTLINE(phx_vcos)
PHX_OUTLINE(phx_vtanh)
PHX_OUTLINE(phx_vsinh)
PHX_OUTLINE(phx_vcosh)
#undef PHX_OUTLINE

PHX_ISA_ATTR static const void *PHX_ISA_NAME(const phx_prog *P, char *scr, ptrdiff_t start,
                                             ptrdiff_t n, void *const *bind) {
    void *R[PHX_MAXREG];
    double *fs = (double *)(scr + P->scratch - PHX_BLOCK * 8);   /* f32 math scratch */
    for (int k = 0; k < P->nreg; k++) {
        const phx_reg *r = &P->regs[k];
        char *buf = scr + r->off;
        if (bind && bind[k]) {          /* the caller's block of this register */
            R[k] = bind[k];
        } else if (r->kind == PHX_R_IN) {
            if (r->mode == PHX_IN_DIRECT) {
                R[k] = r->data + start * phx_esize[r->stype];
            } else if (r->mode == PHX_IN_TILE) {
                R[k] = buf + (start % r->period) * phx_esize[r->rtype];
            } else {
                phx_gather(P, r, buf, start, n);
                R[k] = buf;
            }
        } else if (r->kind == PHX_R_OUT && r->stype == r->rtype && !P->stream) {
            R[k] = r->data + start * phx_esize[r->stype];
        } else {
            R[k] = buf;
        }
    }
    for (int j = 0; j < P->nins; j++) {
        const phx_ins *in = &P->code[j];
        switch (in->op) {
        case PHX_OP_COPY:
            if (R[in->dst] != R[in->a])
                memcpy(R[in->dst], R[in->a], n * phx_esize[in->t]);
            break;
        case PHX_OP_ADD: switch (in->t) { FB(x + y); IB(x + y); } break;
        case PHX_OP_SUB: switch (in->t) { FB(x - y); IB(x - y); } break;
        case PHX_OP_MUL: switch (in->t) { FB(x * y); IB(x * y); } break;
        case PHX_OP_DIV: switch (in->t) { FB(x / y); } break;
        case PHX_OP_NEG: switch (in->t) {
            FU(-x);
            case PHX_I64: case PHX_U64: U1(uint64_t, 0 - x); } break;
        case PHX_OP_ABS: switch (in->t) {
            case PHX_F64: U1(double, fabs(x));
            case PHX_F32: U1(float, fabsf(x));
            case PHX_I64: U1(uint64_t, (int64_t)x < 0 ? 0 - x : x); } break;
        case PHX_OP_SQUARE: switch (in->t) {
            FU(x * x);
            case PHX_I64: case PHX_U64: U1(uint64_t, x * x); } break;
        case PHX_OP_SQRT: switch (in->t) {
            case PHX_F64: U1(double, sqrt(x));
            case PHX_F32: U1(float, sqrtf(x)); } break;
        case PHX_OP_RECIP: switch (in->t) { FU(1 / x); } break;
        case PHX_OP_MAX: switch (in->t) {           /* NumPy: NaN propagates, ties give y */
            case PHX_F64: B1(double, x != x ? x : (x > y ? x : y));
            case PHX_F32: B1(float, x != x ? x : (x > y ? x : y));
            case PHX_I64: B1(int64_t, x > y ? x : y);
            case PHX_U64: B1(uint64_t, x > y ? x : y);
            case PHX_B8: B1(uint8_t, (x != 0) | (y != 0)); } break;
        case PHX_OP_MIN: switch (in->t) {
            case PHX_F64: B1(double, x != x ? x : (x < y ? x : y));
            case PHX_F32: B1(float, x != x ? x : (x < y ? x : y));
            case PHX_I64: B1(int64_t, x < y ? x : y);
            case PHX_U64: B1(uint64_t, x < y ? x : y);
            case PHX_B8: B1(uint8_t, (x != 0) & (y != 0)); } break;
        case PHX_OP_FMAX: switch (in->t) { FB(y != y ? x : (x > y ? x : y)); } break;
        case PHX_OP_FMIN: switch (in->t) { FB(y != y ? x : (x < y ? x : y)); } break;
        /* clip(x, lo, hi) = CLIPHI(CLIPLO(x, lo), hi): a NaN bound gives NaN, ties keep x */
        case PHX_OP_CLIPLO: switch (in->t) {
            FB(y != y ? y : (x < y ? y : x));
            case PHX_I64: B1(int64_t, x < y ? y : x);
            case PHX_U64: B1(uint64_t, x < y ? y : x); } break;
        case PHX_OP_CLIPHI: switch (in->t) {
            FB(y != y ? y : (x > y ? y : x));
            case PHX_I64: B1(int64_t, x > y ? y : x);
            case PHX_U64: B1(uint64_t, x > y ? y : x); } break;
        case PHX_OP_COPYSIGN: switch (in->t) {
            case PHX_F64: B1(double, phx_copysign(x, y));
            case PHX_F32: B1(float, phx_copysignf(x, y)); } break;
        case PHX_OP_FLOOR: case PHX_OP_CEIL: case PHX_OP_TRUNC: case PHX_OP_RINT: {
            int mode = in->op == PHX_OP_FLOOR ? 1 : in->op == PHX_OP_CEIL ? 2
                     : in->op == PHX_OP_TRUNC ? 3 : 0;
            switch (in->t) {
            case PHX_F64: U1(double, phx_round_d(x, mode));
            case PHX_F32: U1(float, phx_round_f(x, mode)); }
        } break;
        case PHX_OP_SIGN: switch (in->t) {          /* sign(-0.0) = +0.0, sign(NaN) = NaN */
            FU(x > 0 ? 1 : (x < 0 ? -1 : (x == 0 ? 0 : x)));
            case PHX_I64: U1(int64_t, (x > 0) - (x < 0)); } break;
        case PHX_OP_HEAVISIDE: switch (in->t) {
            FB(x < 0 ? 0 : (x > 0 ? 1 : (x == 0 ? y : x))); } break;
        case PHX_OP_FLOORDIV: switch (in->t) { LIBM2(phx_floordiv_d, phx_floordiv_f); } break;
        case PHX_OP_REMAINDER: switch (in->t) { LIBM2(phx_remainder_d, phx_remainder_f); } break;
        case PHX_OP_POW: switch (in->t) { LIBM2(pow, powf); } break;
        case PHX_OP_ATAN2: switch (in->t) { LIBM2(atan2, atan2f); } break;
        case PHX_OP_HYPOT: switch (in->t) { LIBM2(hypot, hypotf); } break;
        case PHX_OP_EQ: switch (in->t) { CMP(==); } break;
        case PHX_OP_NE: switch (in->t) { CMP(!=); } break;
        case PHX_OP_LT: switch (in->t) { CMP(<); } break;
        case PHX_OP_LE: switch (in->t) { CMP(<=); } break;
        case PHX_OP_GT: switch (in->t) { CMP(>); } break;
        case PHX_OP_GE: switch (in->t) { CMP(>=); } break;
        case PHX_OP_ISNAN: switch (in->t) {
            case PHX_F64: P1(double, x != x);
            case PHX_F32: P1(float, x != x); } break;
        case PHX_OP_ISINF: switch (in->t) {
            case PHX_F64: P1(double, fabs(x) == INFINITY);
            case PHX_F32: P1(float, fabsf(x) == INFINITY); } break;
        case PHX_OP_ISFINITE: switch (in->t) {
            case PHX_F64: P1(double, fabs(x) < INFINITY);
            case PHX_F32: P1(float, fabsf(x) < INFINITY); } break;
        case PHX_OP_AND: B1(uint8_t, (x != 0) & (y != 0)); break;
        case PHX_OP_OR: B1(uint8_t, (x != 0) | (y != 0)); break;
        case PHX_OP_XOR: B1(uint8_t, (x != 0) ^ (y != 0)); break;
        case PHX_OP_NOT: U1(uint8_t, x == 0); break;
        case PHX_OP_WHERE: {
            const uint8_t *pc = (const uint8_t *)R[in->a];
#define PHX_WHERE(T) { T *d = (T *)R[in->dst]; const T *px = (const T *)R[in->b],               \
                       *py = (const T *)R[in->c];                \
                       PHX_LOOP(T xv = px[i]; T yv = py[i]; d[i] = pc[i] ? xv : yv) } break
            switch (in->t) {
            case PHX_F64: case PHX_I64: case PHX_U64: PHX_WHERE(uint64_t);
            case PHX_F32: PHX_WHERE(uint32_t);
            case PHX_B8: PHX_WHERE(uint8_t);
            }
#undef PHX_WHERE
        } break;
        case PHX_OP_BAND: switch (in->t) { IB(x & y); } break;
        case PHX_OP_BOR: switch (in->t) { IB(x | y); } break;
        case PHX_OP_BXOR: switch (in->t) { IB(x ^ y); } break;
        case PHX_OP_BNOT: switch (in->t) { case PHX_I64: case PHX_U64: U1(uint64_t, ~x); } break;
        case PHX_OP_WRAP: switch (in->aux) {
            case PHX_S_I32: U1(int64_t, (int32_t)x);
            case PHX_S_I16: U1(int64_t, (int16_t)x);
            case PHX_S_I8: U1(int64_t, (int8_t)x);
            case PHX_S_U32: U1(int64_t, (uint32_t)x);
            case PHX_S_U16: U1(int64_t, (uint16_t)x);
            case PHX_S_U8: U1(int64_t, (uint8_t)x); } break;
#define PHX_CVT(ST, DT, E) { DT *d = (DT *)R[in->dst]; const ST *pa = (const ST *)R[in->a];      \
                             PHX_LOOP(ST x = pa[i]; d[i] = (DT)(E)) } break
        case PHX_OP_CVT_F64: switch (in->t) {
            case PHX_F32: PHX_CVT(float, double, x);
            case PHX_I64: PHX_CVT(int64_t, double, x);
            case PHX_U64: PHX_CVT(uint64_t, double, x);
            case PHX_B8: PHX_CVT(uint8_t, double, x != 0); } break;
        case PHX_OP_CVT_F32: switch (in->t) {
            case PHX_F64: PHX_CVT(double, float, x);
            case PHX_I64: PHX_CVT(int64_t, float, x);
            case PHX_U64: PHX_CVT(uint64_t, float, x);
            case PHX_B8: PHX_CVT(uint8_t, float, x != 0); } break;
        case PHX_OP_CVT_I64: switch (in->t) {
            case PHX_B8: PHX_CVT(uint8_t, int64_t, x != 0); } break;
        case PHX_OP_CVT_B8: switch (in->t) {
            case PHX_F64: PHX_CVT(double, uint8_t, x != 0);
            case PHX_F32: PHX_CVT(float, uint8_t, x != 0);
            case PHX_I64: case PHX_U64: PHX_CVT(uint64_t, uint8_t, x != 0);
            case PHX_B8: PHX_CVT(uint8_t, uint8_t, x != 0); } break;
#undef PHX_CVT
        case PHX_OP_EXP: switch (in->t) { VMATH(phx_vexp); } break;
        case PHX_OP_EXP2: switch (in->t) { VMATH(phx_vexp2); } break;
        case PHX_OP_EXPM1: switch (in->t) { VMATH(phx_vexpm1); } break;
        case PHX_OP_LOG: switch (in->t) { VMATH(phx_vlog); } break;
        case PHX_OP_LOG2: switch (in->t) { VMATH(phx_vlog2); } break;
        case PHX_OP_LOG10: switch (in->t) { VMATH(phx_vlog10); } break;
        case PHX_OP_LOG1P: switch (in->t) { VMATH(phx_vlog1p); } break;
        case PHX_OP_SIN: switch (in->t) { VMATH(phx_vsin); } break;
        case PHX_OP_COS: switch (in->t) { VMATH(phx_vcos); } break;
        case PHX_OP_TANH: switch (in->t) { VMATH(phx_vtanh); } break;
        case PHX_OP_SINH: switch (in->t) { VMATH(phx_vsinh); } break;
        case PHX_OP_COSH: switch (in->t) { VMATH(phx_vcosh); } break;
        case PHX_OP_TAN: switch (in->t) { LIBM1(tan, tanf); } break;
        case PHX_OP_ASIN: switch (in->t) { LIBM1(asin, asinf); } break;
        case PHX_OP_ACOS: switch (in->t) { LIBM1(acos, acosf); } break;
        case PHX_OP_ATAN: switch (in->t) { LIBM1(atan, atanf); } break;
        case PHX_OP_ASINH: switch (in->t) { LIBM1(asinh, asinhf); } break;
        case PHX_OP_ACOSH: switch (in->t) { LIBM1(acosh, acoshf); } break;
        case PHX_OP_ATANH: switch (in->t) { LIBM1(atanh, atanhf); } break;
        case PHX_OP_CBRT: switch (in->t) { LIBM1(cbrt, cbrtf); } break;
        }
    }
    /* outputs not written in place: streamed, or narrow integers truncated from I64 */
    for (int k = 0; k < P->nreg; k++) {
        const phx_reg *r = &P->regs[k];
        if (r->kind != PHX_R_OUT || (r->stype == r->rtype && !P->stream) || (bind && bind[k]))
            continue;
        char *o = r->data + start * phx_esize[r->stype];
        if (r->stype == r->rtype) {
            PHX_STREAM_FN(o, (const char *)R[k], n * phx_esize[r->stype]);
            continue;
        }
        const int64_t *s = (const int64_t *)R[k];
#define PHX_ST(T) { T *d = (T *)o; PHX_LOOP(d[i] = (T)s[i]) } break
        switch (r->stype) {
        case PHX_S_I32: case PHX_S_U32: PHX_ST(uint32_t);
        case PHX_S_I16: case PHX_S_U16: PHX_ST(uint16_t);
        case PHX_S_I8: case PHX_S_U8: PHX_ST(uint8_t);
        }
#undef PHX_ST
    }
    return P->ret >= 0 ? R[P->ret] : NULL;
}

#undef PHX_LOOP
#undef PHX_D
#undef PHX_A
#undef PHX_B
#undef U1
#undef B1
#undef C1
#undef P1
#undef FU
#undef FB
#undef IB
#undef CMP
#undef VMATH
#undef LIBM1
#undef LIBM2
#undef PHX_ISA_NAME
#undef PHX_ISA_ATTR
#undef PHX_ISA_LEVEL
#undef PHX_STREAM_FN
#undef PHX_VFN
