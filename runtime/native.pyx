# cython: language_level=3
"""Base class of native jobs (see native.pxd for the ABI), and the codes the runtime's Python
compilers share with its C engines.

The codes are defined once, in C headers (ew_prog.h: the elementwise engine's programs;
loop_codes.h: the native loop kernel's); the engines include the headers, and the compilers
(_ew_program.py, _loopcompile.py) read the tables below, built from the headers' name tables.
"""


cdef class Job:
    """A prepared native node: `run()` without the GIL, then `finish()` with it."""

    def __init__(self, result=None, double cost=0.0):
        self.result = result
        self.cost = cost
        self.status = 0

    cdef int run(self) noexcept nogil:
        return 0

    cpdef object finish(self):
        """The node's result; subclasses raise the exception matching a failed run()."""
        if self.status != 0:
            raise RuntimeError(f"native kernel failed with status {self.status}")
        return self.result

    def run_now(self):
        """Run and finish in the calling thread (tests and the sequential path)."""
        with nogil:
            self.run()
        return self.finish()


# --- codes shared with the C engines ---------------------------------------------------------

cdef extern from "ew_prog.h":
    enum:
        PHX_NOPS
        PHX_NST
        PHX_NRT
        PHX_NKINDS
        PHX_NREDS
        PHX_BLOCK
    const char **phx_op_names
    const char **phx_kind_names
    const char **phx_red_names
    const char **phx_stype_names
    const int *phx_esize
    const int *phx_reg_of_storage

cdef extern from "loop_codes.h":
    ctypedef struct phx_loop_code:
        const char *name
        int value
    const phx_loop_code *phx_loop_codes
    enum:
        PHX_LOOP_NDT
    const char **phx_loop_dtype_names
    const int *phx_loop_itemsize


cdef dict _names(const char **names, int n):
    return {names[i].decode(): i for i in range(n)}


cdef dict _loop_codes():
    cdef int i = 0
    codes = {}
    while phx_loop_codes[i].name != NULL:
        codes[phx_loop_codes[i].name.decode()] = phx_loop_codes[i].value
        i += 1
    codes["DT"] = _names(phx_loop_dtype_names, PHX_LOOP_NDT)
    codes["ITEMSIZE"] = {phx_loop_dtype_names[i].decode(): phx_loop_itemsize[i]
                         for i in range(PHX_LOOP_NDT)}
    return codes


# The elementwise engine (ew_prog.h): opcodes, register kinds and fused_reduce kinds by their C
# names; storage types by dtype name, with their register type and item size.
ENGINE_CODES = {
    "opcodes": _names(phx_op_names, PHX_NOPS),
    "kinds": _names(phx_kind_names, PHX_NKINDS),
    "reductions": _names(phx_red_names, PHX_NREDS),
    "storage": _names(phx_stype_names, PHX_NST),
    "register_of": {phx_stype_names[i].decode(): phx_reg_of_storage[i] for i in range(PHX_NST)},
    "itemsize": {phx_stype_names[i].decode(): phx_esize[i] for i in range(PHX_NST)},
    "register_types": PHX_NRT,
    "block": PHX_BLOCK,
}

# The native loop kernel (loop_codes.h): every code by its C name; "DT" and "ITEMSIZE": array
# dtypes by name.
LOOP_CODES = _loop_codes()
