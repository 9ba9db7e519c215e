/* Strided n-d copies with dtype conversion: the engine behind the runtime's native creation,
 * shape, conversion and indexing kernels (_move.pyx, _creation.pyx, _shape.pyx, _indexing.pyx).
 *
 * A phx_move copies src to dst over one shape (strides in bytes, per side; a stride of 0
 * broadcasts, as np.broadcast_to gives). Casts are the C conversions NumPy's own cast loops
 * use ((npy_int)double, (npy_bool)(x != 0), real part of a complex...), so results agree
 * bit for bit, and the floating-point flags they raise (FE_INVALID for NaN -> int, FE_OVERFLOW
 * for 1e300 -> f32, FE_UNDERFLOW for 1e-50 -> f32) are collected so that the caller can
 * report them as NumPy does ("invalid value encountered in cast").
 *
 * Work is cut into units of about PHX_MOVE_CHUNK elements (whole rows, or chunks of one long
 * row) claimed dynamically by an OpenMP team.
 */
#ifndef PHX_MOVE_H
#define PHX_MOVE_H

#include <Python.h>
#include <complex.h>
#include "fpe.h"
#include <stdint.h>
#include <string.h>

enum { PT_BOOL, PT_I8, PT_I16, PT_I32, PT_I64, PT_U8, PT_U16, PT_U32, PT_U64, PT_F32, PT_F64,
       PT_C64, PT_C128, PT_N };

#define PHX_MOVE_MAXD 8
#define PHX_MOVE_CHUNK 16384

typedef struct {
    char *src, *dst;
    int st, dt, nd;                      /* dtypes (PT_*), dimensions (>= 1) */
    Py_ssize_t shape[PHX_MOVE_MAXD], ss[PHX_MOVE_MAXD], ds[PHX_MOVE_MAXD];
    Py_ssize_t rows, rpu, cpr, units;    /* outer rows, rows per unit, chunks per row */
} phx_move;

typedef float _Complex phx_c64;
typedef double _Complex phx_c128;

#define PHX_LOOP(ST, DT, EXPR)                                                               \
    if (ss == (Py_ssize_t)sizeof(ST) && ds == (Py_ssize_t)sizeof(DT)) {                      \
        const ST *sp = (const ST *)s; DT *dp = (DT *)d;                                      \
        for (i = 0; i < n; i++) { ST v = sp[i]; dp[i] = (DT)(EXPR); }                        \
    } else if (ss == 0) {                                                                    \
        ST v = *(const ST *)s; DT c = (DT)(EXPR);                                            \
        if (ds == (Py_ssize_t)sizeof(DT)) { DT *dp = (DT *)d; for (i = 0; i < n; i++) dp[i] = c; } \
        else for (i = 0; i < n; i++) *(DT *)(d + i * ds) = c;                                \
    } else {                                                                                 \
        for (i = 0; i < n; i++) { ST v = *(const ST *)(s + i * ss); *(DT *)(d + i * ds) = (DT)(EXPR); } \
    }

#define PHX_CASE(SID, ST, DID, DT, EXPR) case SID * PT_N + DID: { PHX_LOOP(ST, DT, EXPR) } break;
#define PHX_DSTS(SID, ST)                                   \
    PHX_CASE(SID, ST, PT_BOOL, uint8_t, v != 0)            \
    PHX_CASE(SID, ST, PT_I8, int8_t, v)                    \
    PHX_CASE(SID, ST, PT_I16, int16_t, v)                  \
    PHX_CASE(SID, ST, PT_I32, int32_t, v)                  \
    PHX_CASE(SID, ST, PT_I64, int64_t, v)                  \
    PHX_CASE(SID, ST, PT_U8, uint8_t, v)                   \
    PHX_CASE(SID, ST, PT_U16, uint16_t, v)                 \
    PHX_CASE(SID, ST, PT_U32, uint32_t, v)                 \
    PHX_CASE(SID, ST, PT_U64, uint64_t, v)                 \
    PHX_CASE(SID, ST, PT_F32, float, v)                    \
    PHX_CASE(SID, ST, PT_F64, double, v)                   \
    PHX_CASE(SID, ST, PT_C64, phx_c64, v)                  \
    PHX_CASE(SID, ST, PT_C128, phx_c128, v)

static const int phx_itemsize[PT_N] = {1, 1, 2, 4, 8, 1, 2, 4, 8, 4, 8, 8, 16};

/* Same dtype: a copy of n items of `size` bytes. */
static void phx_copy_1d(int size, const char *s, Py_ssize_t ss, char *d, Py_ssize_t ds,
                        Py_ssize_t n)
{
    Py_ssize_t i;
    if (ss == size && ds == size) {
        memcpy(d, s, (size_t)(n * size));
        return;
    }
    switch (size) {
    case 1: { PHX_LOOP(uint8_t, uint8_t, v) } break;
    case 2: { PHX_LOOP(uint16_t, uint16_t, v) } break;
    case 4: { PHX_LOOP(uint32_t, uint32_t, v) } break;
    case 8: { PHX_LOOP(uint64_t, uint64_t, v) } break;
    default:
        for (i = 0; i < n; i++)
            memcpy(d + i * ds, s + i * ss, (size_t)size);
    }
}

/* n items from type st to type dt. noinline: the FP flags it raises are tested after it. */
static __attribute__((noinline)) void phx_cast_1d(int st, int dt, const char *s, Py_ssize_t ss,
                                                  char *d, Py_ssize_t ds, Py_ssize_t n)
{
    Py_ssize_t i;
    if (st == dt || (st == PT_BOOL && dt == PT_U8)) {
        phx_copy_1d(phx_itemsize[st], s, ss, d, ds, n);
        return;
    }
    switch (st * PT_N + dt) {
    PHX_DSTS(PT_BOOL, uint8_t)
    PHX_DSTS(PT_I8, int8_t)
    PHX_DSTS(PT_I16, int16_t)
    PHX_DSTS(PT_I32, int32_t)
    PHX_DSTS(PT_I64, int64_t)
    PHX_DSTS(PT_U8, uint8_t)
    PHX_DSTS(PT_U16, uint16_t)
    PHX_DSTS(PT_U32, uint32_t)
    PHX_DSTS(PT_U64, uint64_t)
    PHX_DSTS(PT_F32, float)
    PHX_DSTS(PT_F64, double)
    PHX_DSTS(PT_C64, phx_c64)
    PHX_DSTS(PT_C128, phx_c128)
    default: break;
    }
}

/* Cut a move into units (called once it is filled in). */
static void phx_move_plan(phx_move *m)
{
    Py_ssize_t inner = m->shape[m->nd - 1], rows = 1;
    int k;
    for (k = 0; k < m->nd - 1; k++)
        rows *= m->shape[k];
    m->rows = rows;
    if (inner >= PHX_MOVE_CHUNK) {
        m->rpu = 1;
        m->cpr = (inner + PHX_MOVE_CHUNK - 1) / PHX_MOVE_CHUNK;
        m->units = rows * m->cpr;
    } else {
        m->rpu = inner ? PHX_MOVE_CHUNK / inner : rows;
        if (m->rpu < 1) m->rpu = 1;
        m->cpr = 1;
        m->units = (rows + m->rpu - 1) / m->rpu;
    }
    if (inner == 0 || rows == 0)
        m->units = 0;
}

/* Byte offsets of outer row r (C order over shape[:nd-1]). */
static inline void phx_row_offsets(const phx_move *m, Py_ssize_t r, Py_ssize_t *so, Py_ssize_t *dof)
{
    Py_ssize_t a = 0, b = 0, c;
    int k;
    for (k = m->nd - 2; k >= 0; k--) {
        c = r % m->shape[k];
        r /= m->shape[k];
        a += c * m->ss[k];
        b += c * m->ds[k];
    }
    *so = a;
    *dof = b;
}

static void phx_move_unit(const phx_move *m, Py_ssize_t u)
{
    Py_ssize_t inner = m->shape[m->nd - 1], so, dof, r, r1, lo = 0, n = inner;
    Py_ssize_t iss = m->ss[m->nd - 1], ids = m->ds[m->nd - 1];
    if (m->cpr > 1) {
        r = u / m->cpr;
        lo = (u % m->cpr) * PHX_MOVE_CHUNK;
        n = inner - lo < PHX_MOVE_CHUNK ? inner - lo : PHX_MOVE_CHUNK;
        r1 = r + 1;
    } else {
        r = u * m->rpu;
        r1 = r + m->rpu < m->rows ? r + m->rpu : m->rows;
    }
    for (; r < r1; r++) {
        phx_row_offsets(m, r, &so, &dof);
        phx_cast_1d(m->st, m->dt, m->src + so + lo * iss, iss, m->dst + dof + lo * ids, ids, n);
    }
}

/* Run moves[0..n) with up to nt threads; returns the FP exception flags the casts raised.
 * Moves run one after the other (a later move may overwrite an earlier one's output: setitem
 * after a fill), the units of one move concurrently; `indep` moves (disjoint destinations) may
 * also run concurrently. */
static int phx_moves_run(const phx_move *moves, int n, int nt, int indep)
{
    int flags = 0, j;
    if (indep && nt > 1 && n >= 4 * nt) {   /* many small disjoint moves: one per claim */
        #pragma omp parallel num_threads(nt) reduction(|: flags)
        {
            Py_ssize_t u;
            feclearexcept(PHX_FPE_ALL);
            #pragma omp for schedule(dynamic, 1)
            for (j = 0; j < n; j++)
                for (u = 0; u < moves[j].units; u++)
                    phx_move_unit(&moves[j], u);
            flags |= fetestexcept(PHX_FPE_ALL);
        }
        return flags;
    }
    for (j = 0; j < n; j++) {
        const phx_move *m = &moves[j];
        int check = m->st != m->dt && m->st >= PT_F32;
        Py_ssize_t u, units = m->units;
        if (units <= 1 || nt <= 1) {
            if (check) feclearexcept(PHX_FPE_ALL);
            for (u = 0; u < units; u++)
                phx_move_unit(m, u);
            if (check) flags |= fetestexcept(PHX_FPE_ALL);
            continue;
        }
        #pragma omp parallel num_threads(nt) reduction(|: flags)
        {
            if (check) feclearexcept(PHX_FPE_ALL);
            #pragma omp for schedule(dynamic, 1)
            for (u = 0; u < units; u++)
                phx_move_unit(m, u);
            if (check) flags |= fetestexcept(PHX_FPE_ALL);
        }
    }
    return flags;
}

#endif
