/* loop_codes.h: the codes of the native loop kernel's register programs, defined once.
 *
 * runtime/_loopcompile.py (which builds the programs) gets them by name through
 * phylanx.runtime.native (LOOP_CODES); _loopkernel.pyx (which runs them) from this header.
 */
#ifndef PHX_LOOP_CODES_H
#define PHX_LOOP_CODES_H

/* register kinds */
#define PHX_LOOP_KINDS(X) X(R_INT) X(R_FLOAT) X(R_ARRAY)
/* element types of array registers: X(code name, dtype name, bytes) */
#define PHX_LOOP_DTYPES(X) X(DT_F64, "f64", 8) X(DT_I64, "i64", 8) X(DT_I32, "i32", 4)           \
                           X(DT_BOOL, "bool", 1)
/* instructions (I_EW: an elementwise program of the elementwise engine, ew_exec.h) */
#define PHX_LOOP_INS(X) X(I_SCALAR) X(I_DIM) X(I_VIEW) X(I_GATHER) X(I_EW) X(I_GEMM)             \
                        X(I_SOLVE) X(I_SETITEM) X(I_DIAG) X(I_ASTYPE)
/* operators of I_SCALAR (Python int/float arithmetic) */
#define PHX_LOOP_SCALAR_OPS(X) X(S_ADD) X(S_SUB) X(S_MUL)
/* flags of an instruction; F_AUG: a gather whose rows also carry a vector, and the two
 * products that then run as one */
#define PHX_LOOP_FLAGS(X) X(F_TA, 1) X(F_TB, 2) X(F_SYM, 4) X(F_AUG, 8)

#define PHX_LOOP_ENUM(n) n,
#define PHX_LOOP_ENUM3(n, name, size) n,
#define PHX_LOOP_ENUM2(n, v) n = v,
enum { PHX_LOOP_KINDS(PHX_LOOP_ENUM) };
enum { PHX_LOOP_DTYPES(PHX_LOOP_ENUM3) PHX_LOOP_NDT };
enum { PHX_LOOP_INS(PHX_LOOP_ENUM) };
enum { PHX_LOOP_SCALAR_OPS(PHX_LOOP_ENUM) };
enum { PHX_LOOP_FLAGS(PHX_LOOP_ENUM2) };
#undef PHX_LOOP_ENUM
#undef PHX_LOOP_ENUM3
#undef PHX_LOOP_ENUM2

/* every code as (name, value), for Python */
typedef struct { const char *name; int value; } phx_loop_code;
#define PHX_LOOP_PAIR(n) {#n, n},
#define PHX_LOOP_PAIR3(n, name, size) {#n, n},
#define PHX_LOOP_PAIR2(n, v) {#n, n},
static const phx_loop_code phx_loop_codes[] = {
    PHX_LOOP_KINDS(PHX_LOOP_PAIR) PHX_LOOP_DTYPES(PHX_LOOP_PAIR3) PHX_LOOP_INS(PHX_LOOP_PAIR)
    PHX_LOOP_SCALAR_OPS(PHX_LOOP_PAIR) PHX_LOOP_FLAGS(PHX_LOOP_PAIR2) {0, 0}
};
#undef PHX_LOOP_PAIR
#undef PHX_LOOP_PAIR3
#undef PHX_LOOP_PAIR2

/* dtype names and item sizes of array registers, by DT_* */
#define PHX_LOOP_DTNAME(n, name, size) name,
#define PHX_LOOP_DTSIZE(n, name, size) size,
static const char *const phx_loop_dtype_names[] = { PHX_LOOP_DTYPES(PHX_LOOP_DTNAME) };
static const int phx_loop_itemsize[] = { PHX_LOOP_DTYPES(PHX_LOOP_DTSIZE) };
#undef PHX_LOOP_DTNAME
#undef PHX_LOOP_DTSIZE

#endif
