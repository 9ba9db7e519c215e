/* Floating-point exception flags of native jobs (NumPy's RuntimeWarnings / np.errstate).
 *
 * The flags are per thread: a job clears them where its work starts on each thread and ORs
 * what each thread raised into one int (phx_fpe_collect); finish() then reports them the way
 * NumPy would (runtime/_fpe.py). */
#ifndef PHX_FPE_H
#define PHX_FPE_H

#include <fenv.h>
#include <numpy/npy_math.h>     /* NPY_FPE_*: NumPy's flag bits (its error callback gets them) */

#define PHX_FPE_ALL (FE_DIVBYZERO | FE_OVERFLOW | FE_UNDERFLOW | FE_INVALID)

/* The flags NumPy's error state asks about (not "ignore") for the job this thread runs: the
 * vectorised math (vmath.h) checks its inputs only for those. Set per job and team thread. */
static __thread int phx_fpe_want = PHX_FPE_ALL;

static inline void phx_fpe_clear(void) { feclearexcept(PHX_FPE_ALL); }

static inline void phx_fpe_start(int want) {
    phx_fpe_want = want;
    feclearexcept(PHX_FPE_ALL);
}

/* *acc |= the flags this thread raised since phx_fpe_clear() (as FE_* bits). */
static inline void phx_fpe_collect(int *acc) {
    int f = fetestexcept(PHX_FPE_ALL);
    if (f) __atomic_fetch_or(acc, f, __ATOMIC_RELAXED);
}

/* NumPy's flag bits (NPY_FPE_*; runtime/_fpe.py: numpy's umath.FPE_*) as FE_* bits. */
static inline int phx_fpe_from_bits(int b) {
    return ((b & NPY_FPE_DIVIDEBYZERO) ? FE_DIVBYZERO : 0)
         | ((b & NPY_FPE_OVERFLOW) ? FE_OVERFLOW : 0)
         | ((b & NPY_FPE_UNDERFLOW) ? FE_UNDERFLOW : 0)
         | ((b & NPY_FPE_INVALID) ? FE_INVALID : 0);
}

/* The FE_* bits as NumPy's flag bits. */
static inline int phx_fpe_bits(int f) {
    return ((f & FE_DIVBYZERO) ? NPY_FPE_DIVIDEBYZERO : 0)
         | ((f & FE_OVERFLOW) ? NPY_FPE_OVERFLOW : 0)
         | ((f & FE_UNDERFLOW) ? NPY_FPE_UNDERFLOW : 0)
         | ((f & FE_INVALID) ? NPY_FPE_INVALID : 0);
}

/* May a dot product of elements whose smallest nonzero magnitudes are min_a and min_b raise
 * "underflow", whatever the order of its sums (BLAS kernels, FMAs, thread splits)? Every exact
 * product of two f64 elements with |a| |b| >= 2^-968 is a normal number and a multiple of
 * 2^-1074 (f32: 2^-101 and 2^-149), and so are the partial sums: a result in the subnormal
 * range is then exact, and an exact result raises no underflow. Below that an FMA may round
 * a product into the subnormal range: "may". (The test itself may raise flags: call it after
 * collecting them.) */
static inline int phx_may_underflow(double min_a, double min_b, int f32) {
    return min_a * min_b < (f32 ? 0x1p-101 : 0x1p-968);
}

#endif
