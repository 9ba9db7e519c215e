/* Helpers for the C that phylanx.native.generate writes (included by every generated file).

   Semantics are Python's and NumPy's. Whenever an operation would raise, warn or need a
   result outside the fast representation (Python int overflow, division by zero, an index
   out of range, a floating-point flag NumPy would report), the generated code jumps to its
   `bail` label: the call is then re-run by the interpreter, which raises or warns exactly as
   it always does. Argument arrays written before the bail are restored first. */
#ifndef PHYLANX_NATIVE_RUNTIME_H
#define PHYLANX_NATIVE_RUNTIME_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_2_0_API_VERSION
#include <numpy/arrayobject.h>
#include <numpy/arrayscalars.h>
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <stdarg.h>
#include <string.h>

typedef struct {
    char *data;
    npy_intp n0, n1;       /* extents (n1 = 1 for 1-D) */
    npy_intp s0, s1;       /* byte strides */
    PyArrayObject *obj;    /* borrowed: an argument, or owned by the call's arena */
    int arg;               /* argument position, -1 for arrays the call created */
} pa_arr;

/* Floating-point flags NumPy may report (invalid, divide, overflow, underflow); the inexact
   and denormal-operand flags are never reported. */
#if defined(__x86_64__) && defined(__SSE__)
#define PA_FP_FLAGS() (__builtin_ia32_stmxcsr() & 0x1D)
#else
#define PA_FP_FLAGS() fetestexcept(FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW | FE_UNDERFLOW)
#endif

/* Iterations between checks for Ctrl-C and floating-point flags. */
#define PA_CHECK_EVERY 65536

/* The slow path of the periodic check, out of line: reading the flags register is slow and
   must not be hoisted into the loop. It also lets other Python threads take the GIL (a
   thread waiting for it gets it within the switch interval, as with Python code) and
   handles signals: Ctrl-C, and the _thread.interrupt_main of a timer thread, which needs
   the GIL to fire. 1: a flag is set (bail); -1: KeyboardInterrupt (error); 0: go on. */
static __attribute__((noinline, cold)) int pa_periodic(void) {
    PyThreadState *ts;
    if (PA_FP_FLAGS()) return 1;
    ts = PyEval_SaveThread();
    PyEval_RestoreThread(ts);
    if (PyErr_CheckSignals()) return -1;
    return 0;
}

#define PA_MAX_ARGS 64

typedef struct {
    /* backups of argument arrays taken before their first write */
    void *backup[PA_MAX_ARGS];
    pa_arr backed[PA_MAX_ARGS];
    int order[PA_MAX_ARGS];
    int n_backed;
    /* arrays the call created */
    PyObject **arena;
    int n_arena, cap_arena;
} pa_ctx;

static void pa_copy_elements(char *dst, const pa_arr *a, int itemsize, int to_array) {
    npy_intp i, j;
    for (i = 0; i < a->n0; i++)
        for (j = 0; j < a->n1; j++) {
            char *p = a->data + i * a->s0 + j * a->s1;
            if (to_array) memcpy(p, dst, itemsize); else memcpy(dst, p, itemsize);
            dst += itemsize;
        }
}

/* Before the first write to argument array `a`: keep a copy. 0 on success, -1 (MemoryError
   set) on failure. */
static int pa_backup(pa_ctx *ctx, const pa_arr *a, int itemsize) {
    void *buf;
    if (a->arg < 0 || ctx->backup[a->arg] != NULL) return 0;
    buf = malloc((size_t)(a->n0 * a->n1 * itemsize) + 1);
    if (buf == NULL) { PyErr_NoMemory(); return -1; }
    pa_copy_elements((char *)buf, a, itemsize, 0);
    ctx->backup[a->arg] = buf;
    ctx->backed[a->arg] = *a;
    ctx->order[ctx->n_backed++] = a->arg;
    return 0;
}

static void pa_release(pa_ctx *ctx, int restore) {
    int k, i;
    for (k = ctx->n_backed - 1; k >= 0; k--) {
        i = ctx->order[k];
        if (restore)
            pa_copy_elements((char *)ctx->backup[i], &ctx->backed[i],
                             (int)PyArray_ITEMSIZE(ctx->backed[i].obj), 1);
        free(ctx->backup[i]);
        ctx->backup[i] = NULL;
    }
    ctx->n_backed = 0;
    for (k = 0; k < ctx->n_arena; k++) Py_DECREF(ctx->arena[k]);
    free(ctx->arena);
    ctx->arena = NULL;
    ctx->n_arena = ctx->cap_arena = 0;
}

/* A new array (zeros or uninitialised) owned by the call; 0, or -1 with an exception. */
static int pa_new_array(pa_ctx *ctx, pa_arr *out, int nd, npy_intp n0, npy_intp n1,
                        int type_num, int zeros) {
    npy_intp dims[2] = {n0, n1};
    PyObject *o;
    if (ctx->n_arena == ctx->cap_arena) {
        int cap = ctx->cap_arena ? 2 * ctx->cap_arena : 8;
        PyObject **grown = (PyObject **)realloc(ctx->arena, sizeof(PyObject *) * cap);
        if (grown == NULL) { PyErr_NoMemory(); return -1; }
        ctx->arena = grown;
        ctx->cap_arena = cap;
    }
    o = zeros ? PyArray_ZEROS(nd, dims, type_num, 0) : PyArray_EMPTY(nd, dims, type_num, 0);
    if (o == NULL) return -1;
    ctx->arena[ctx->n_arena++] = o;
    out->obj = (PyArrayObject *)o;
    out->data = PyArray_BYTES(out->obj);
    out->n0 = n0;
    out->n1 = nd == 2 ? n1 : 1;
    out->s0 = PyArray_STRIDES(out->obj)[0];
    out->s1 = nd == 2 ? PyArray_STRIDES(out->obj)[1] : 0;
    out->arg = -1;
    return 0;
}

/* An argument array of `nd` dimensions and dtype `type_num`; 0, or 1 if this call cannot run
   natively (then the interpreter runs it). */
static int pa_arg_array(PyObject *o, pa_arr *out, int nd, int type_num, int written, int pos) {
    PyArrayObject *a;
    if (!PyArray_CheckExact(o)) return 1;
    a = (PyArrayObject *)o;
    if (PyArray_NDIM(a) != nd || PyArray_TYPE(a) != type_num || !PyArray_ISALIGNED(a)
            || !PyArray_ISNOTSWAPPED(a) || (written && !PyArray_ISWRITEABLE(a)))
        return 1;
    out->obj = a;
    out->data = PyArray_BYTES(a);
    out->n0 = PyArray_DIM(a, 0);
    out->n1 = nd == 2 ? PyArray_DIM(a, 1) : 1;
    out->s0 = PyArray_STRIDE(a, 0);
    out->s1 = nd == 2 ? PyArray_STRIDE(a, 1) : 0;
    out->arg = pos;
    return 0;
}

/* A NumPy scalar argument of dtype `type_num` into *dst; 0, or 1 if not one. */
static int pa_arg_npscalar(PyObject *o, void *dst, int type_num) {
    PyArray_Descr *d;
    int ok;
    if (!PyArray_IsScalar(o, Generic)) return 1;
    d = PyArray_DescrFromScalar(o);
    if (d == NULL) { PyErr_Clear(); return 1; }
    ok = d->type_num == type_num && PyDataType_ISNOTSWAPPED(d);
    Py_DECREF(d);
    if (!ok) return 1;
    PyArray_ScalarAsCtype(o, dst);
    return 0;
}

static PyObject *pa_npscalar(void *value, int type_num) {
    PyArray_Descr *d = PyArray_DescrFromType(type_num);
    PyObject *r;
    if (d == NULL) return NULL;
    r = PyArray_Scalar(value, d, NULL);
    Py_DECREF(d);
    return r;
}

/* Index `i` of an extent `n` after Python's negative wrap; 0, or 1 if out of range. */
static inline int pa_wrap(int64_t i, npy_intp n, npy_intp *out) {
    if (i < 0) i += n;
    if (i < 0 || i >= n) return 1;
    *out = (npy_intp)i;
    return 0;
}

/* Floor division and remainder of floats as NumPy's npy_floor_divide / npy_remainder and
   Python's float // and % (the divisor is known to be non-zero). */
#define PA_FLOAT_DIVMOD(T, SUF)                                                        \
    static inline T pa_floordiv_##SUF(T a, T b) {                                      \
        T mod = fmod##SUF(a, b), div = (a - mod) / b, floordiv;                        \
        if (mod && ((b < 0) != (mod < 0))) div -= 1;                                   \
        if (div) {                                                                     \
            floordiv = floor##SUF(div);                                                \
            if (div - floordiv > (T)0.5) floordiv += 1;                                \
        } else {                                                                       \
            floordiv = copysign##SUF((T)0, a / b);                                     \
        }                                                                              \
        return floordiv;                                                               \
    }                                                                                  \
    static inline T pa_mod_##SUF(T a, T b) {                                           \
        T mod = fmod##SUF(a, b);                                                       \
        if (mod) { if ((b < 0) != (mod < 0)) mod += b; }                               \
        else mod = copysign##SUF((T)0, b);                                             \
        return mod;                                                                    \
    }
PA_FLOAT_DIVMOD(double, )
PA_FLOAT_DIVMOD(float, f)

#endif
