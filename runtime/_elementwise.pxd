# The elementwise engine as other native kernels use it: a program (runtime/_ew_program.py)
# packed for ew_exec.h (EwProgram), bound to the caller's operands, and run over the caller's own
# blocks on the caller's threads (ew_thread_start / ew_eval), or whole on the calling thread
# (ew_run_here). matvec_pair's body and the native loop kernel's elementwise ops run this way:
# the same instructions and vector math as fused ops, hence the same bits.
from libc.stdint cimport int16_t, int32_t, int64_t, uint8_t, uint64_t

cdef extern from "ew_prog.h" nogil:
    enum:
        PHX_BLOCK
        PHX_MAXDIM
        PHX_MAXREG
        PHX_NOPS
        PHX_NST
        PHX_F64
        PHX_F32
        PHX_I64
        PHX_U64
        PHX_B8
        PHX_R_TEMP
        PHX_R_CONST
        PHX_R_IN
        PHX_R_OUT
        PHX_IN_DIRECT
        PHX_IN_GATHER
        PHX_IN_TILE
    ctypedef struct phx_ins:
        int16_t op, t, dst, a, b, c
        int32_t aux
    ctypedef union phx_value:
        double f64
        float f32
        int64_t i64
        uint64_t u64
        uint8_t b8
    ctypedef struct phx_reg:
        int kind, rtype, stype, mode
        char *data
        Py_ssize_t strides[64]
        Py_ssize_t period
        size_t off
        phx_value value
    ctypedef struct phx_prog:
        int nreg, nins, ndim, isa, nthreads, fpe, fpe_want, stream, prefault, ret, ret_type
        phx_reg *regs
        phx_ins *code
        Py_ssize_t shape[64]
        Py_ssize_t size
        size_t scratch
    const char **phx_op_names
    const int *phx_esize


cdef class EwProgram:
    """A compiled program packed for ew_exec.h (see _elementwise.pyx)."""
    cdef readonly object program
    cdef phx_ins *code
    cdef phx_reg *template      # per register: kind and types; body constants converted
    cdef int *operand           # per register: operand index (IN, CONST of an operand), output
                                # index (OUT), else -1
    cdef int nins, nreg, nout
    cdef readonly double weight
    cdef object kinds, dtypes   # per operand: "array" / "scalar" / "none", and its check
    cdef list scalar_consts     # (register, source, dtype) of constants set per call
    cdef list partial_results   # (result, its array operands) of results that do not depend
                                # on every array operand
    cdef int start(self, phx_prog *P) except -1
    cdef object check(self, tuple args)
    cdef int check_shapes(self, tuple args, tuple shape) except -1
    cdef int set_scalars(self, phx_prog *P, tuple args) except -1


cdef int ew_layout(phx_prog *P, int nd, Py_ssize_t *shape, Py_ssize_t (*strides)[64],
                   int nin, void **bound) noexcept nogil
cdef int current_isa() noexcept nogil
cdef char *ew_thread_start(const phx_prog *P) noexcept nogil
cdef void ew_eval(const phx_prog *P, char *scr, Py_ssize_t start, Py_ssize_t n,
                  void **bind) noexcept nogil
cdef int ew_run_here(phx_prog *P) noexcept nogil
