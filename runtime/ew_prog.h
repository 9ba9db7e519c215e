/* ew_prog.h: the register programs of the elementwise engine (ew_exec.h) as data.
 *
 * The one definition of the engine's codes: opcodes, register and storage types, register
 * kinds, input modes and fused_reduce kinds. runtime/_ew_program.py (which builds programs)
 * gets them by name through phylanx.runtime.native (ENGINE_CODES), _elementwise.pyx (which
 * packs and runs programs) and the modules that run programs over their own blocks (_matvec,
 * _loopkernel) from this header; the name tables below are what makes the names.
 */
#ifndef PHX_EW_PROG_H
#define PHX_EW_PROG_H

#include <stddef.h>
#include <stdint.h>

#define PHX_BLOCK 1024          /* elements per block: 8 KiB per f64 register */
#define PHX_MAXDIM 64
#define PHX_MAXREG 256

/* Storage types: X(C name, dtype name, bytes, register type). The first five are also the
 * register types; narrower integers are held in I64 registers (sign- or zero-extended). */
#define PHX_STYPES(X)                                                                        \
    X(F64, "f64", 8, PHX_F64) X(F32, "f32", 4, PHX_F32) X(I64, "i64", 8, PHX_I64)            \
    X(U64, "u64", 8, PHX_U64) X(B8, "bool", 1, PHX_B8) X(S_I32, "i32", 4, PHX_I64)           \
    X(S_I16, "i16", 2, PHX_I64) X(S_I8, "i8", 1, PHX_I64) X(S_U32, "u32", 4, PHX_I64)        \
    X(S_U16, "u16", 2, PHX_I64) X(S_U8, "u8", 1, PHX_I64)
#define PHX_ENUM4(n, name, size, rt) PHX_##n,
enum { PHX_STYPES(PHX_ENUM4) PHX_NST };
#undef PHX_ENUM4
enum { PHX_NRT = PHX_S_I32 };   /* register types: PHX_F64 .. PHX_B8 */

#define PHX_KINDS(X) X(TEMP) X(CONST) X(IN) X(OUT)
#define PHX_INMODES(X) X(DIRECT) X(GATHER) X(TILE)
/* fused_reduce kinds: SUMCHUNK is an integer mean (f64 sums of NumPy's 8192-element cast
 * buffers, added in order) */
#define PHX_REDS(X) X(SUM) X(SUMCHUNK) X(MIN) X(MAX) X(PROD) X(ANY) X(ALL)

#define PHX_OPS(X) \
    X(COPY) X(ADD) X(SUB) X(MUL) X(DIV) X(NEG) X(ABS) X(SQUARE) X(SQRT) X(RECIP)            \
    X(MAX) X(MIN) X(FMAX) X(FMIN) X(CLIPLO) X(CLIPHI) X(COPYSIGN) X(FLOOR) X(CEIL) X(TRUNC) \
    X(RINT) X(SIGN) X(HEAVISIDE) X(FLOORDIV) X(REMAINDER) X(POW) X(ATAN2) X(HYPOT)          \
    X(EQ) X(NE) X(LT) X(LE) X(GT) X(GE) X(ISNAN) X(ISINF) X(ISFINITE)                       \
    X(AND) X(OR) X(XOR) X(NOT) X(WHERE) X(BAND) X(BOR) X(BXOR) X(BNOT) X(WRAP)              \
    X(CVT_F64) X(CVT_F32) X(CVT_I64) X(CVT_B8)                                             \
    X(EXP) X(EXP2) X(EXPM1) X(LOG) X(LOG2) X(LOG10) X(LOG1P) X(SIN) X(COS) X(TANH)          \
    X(SINH) X(COSH) X(TAN) X(ASIN) X(ACOS) X(ATAN) X(ASINH) X(ACOSH) X(ATANH) X(CBRT)

#define PHX_R_ENUM(n) PHX_R_##n,
#define PHX_IN_ENUM(n) PHX_IN_##n,
#define PHX_RED_ENUM(n) PHX_RED_##n,
#define PHX_OP_ENUM(n) PHX_OP_##n,
enum { PHX_KINDS(PHX_R_ENUM) PHX_NKINDS };
enum { PHX_INMODES(PHX_IN_ENUM) PHX_NINMODES };
enum { PHX_REDS(PHX_RED_ENUM) PHX_NREDS };
enum { PHX_OPS(PHX_OP_ENUM) PHX_NOPS };
#undef PHX_R_ENUM
#undef PHX_IN_ENUM
#undef PHX_RED_ENUM
#undef PHX_OP_ENUM

/* names (for Python), sizes and register types, indexed by the codes above */
#define PHX_NAME(n) #n,
#define PHX_SNAME(n, name, size, rt) name,
#define PHX_SSIZE(n, name, size, rt) size,
#define PHX_SREG(n, name, size, rt) rt,
static const char *const phx_op_names[] = { PHX_OPS(PHX_NAME) };
static const char *const phx_kind_names[] = { PHX_KINDS(PHX_NAME) };
static const char *const phx_red_names[] = { PHX_REDS(PHX_NAME) };
static const char *const phx_stype_names[] = { PHX_STYPES(PHX_SNAME) };
static const int phx_esize[PHX_NST] = { PHX_STYPES(PHX_SSIZE) };
static const int phx_reg_of_storage[PHX_NST] = { PHX_STYPES(PHX_SREG) };
#undef PHX_NAME
#undef PHX_SNAME
#undef PHX_SSIZE
#undef PHX_SREG

typedef struct {
    int16_t op, t;              /* opcode; register type the operation works in */
    int16_t dst, a, b, c;       /* register indices (unused: -1) */
    int32_t aux;                /* WRAP: the storage type to wrap to */
} phx_ins;

typedef union { double f64; float f32; int64_t i64; uint64_t u64; uint8_t b8; } phx_value;

typedef struct {
    int kind, rtype, stype;
    int mode;                   /* PHX_R_IN: PHX_IN_* */
    char *data;                 /* IN/OUT: base pointer (element 0 of the broadcast view) */
    ptrdiff_t strides[PHX_MAXDIM];  /* IN: byte strides over the coalesced output shape */
    ptrdiff_t period;           /* IN tile: the input repeats every `period` flat elements */
    size_t off;                 /* byte offset of the register's buffer in thread scratch */
    phx_value value;            /* CONST */
} phx_reg;

typedef struct {
    int nreg, nins, ndim, isa, nthreads;
    int fpe;                 /* FE_* flags the team raised (fpe.h); set by the run */
    int fpe_want;            /* FE_* flags NumPy's error state asks about (fpe.h) */
    int stream;                     /* outputs written with non-temporal stores (big outputs) */
    int prefault;                   /* touch every page of the outputs before computing */
    int ret, ret_type;              /* fused_reduce: register and type of the mapped value */
    phx_reg *regs;
    phx_ins *code;
    ptrdiff_t shape[PHX_MAXDIM];    /* coalesced output shape */
    ptrdiff_t size;
    size_t scratch;                 /* bytes of scratch per thread */
} phx_prog;

#endif
