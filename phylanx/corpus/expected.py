"""Today's record of the corpus kernels phylanx does not compile, with why.

tests/test_corpus.py asserts the runner finds exactly these (a kernel that newly compiles,
or newly fails, must be recorded here); asv_bench/bench_corpus.py times every other kernel.
Update both lists when a change makes a kernel compile or fail.
"""

from __future__ import annotations

_TYPE_CHANGE = "a variable that changes type in a loop ({} = 0, then += floats)"
_LIST_ARGUMENT = ("a list argument raises TypeError ('unsupported argument of type list') at "
                  "the call instead of a CompileError")

# kernel name -> the reason (the CompileError's first line, shortened)
REFUSED: dict[str, str] = {
    "numba:kde_logsumexp": _TYPE_CHANGE.format("exps"),
    "numba:allocation_in_loop": _TYPE_CHANGE.format("acc"),
    "numba:tuple_in_loop": "a tuple indexed by a loop variable",
    "numba:list_of_arrays": "assignment into list items",
    "numba:negative_ranges": _TYPE_CHANGE.format("acc"),
    "numba:nested_sum": _TYPE_CHANGE.format("acc"),
    "numba:mandelbrot": "complex() with two arguments",
    "numba:ufunc_out": "a ufunc's out as a second positional argument (np.cos(a, out))",
    "numba:fibonacci": "recursion",
    "numba:mutual_factorial": "recursion",
    "numba:list_getitem": "list() of a range",
    "numba:list_setitem": "list() of a range",
    "numba:list_pop": "list() of a range",
    "numba:list_extend": "list.extend",
    "numba:histogram": "*args parameters",
    "numba:sqrt_sum": _TYPE_CHANGE.format("acc"),
    "numba:clifford_map": "object() (a call Numba's test makes to force object mode)",
    "numba:pixel_rows": "a list assigned into an array row (empty[i] = [h, h, h])",
    "pyperformance:fannkuch": "a function that may end without a return (after 'while 1:')",
    "pyperformance:go_to_xy": "divmod",
}

# Kernels that raise another error than CompileError where Python returns: bugs to fix.
CRASHES: dict[str, str] = {
    "numba:convolve": "a str default argument (mode='full') raises TypeError ('unsupported "
                      "argument of type str') at the call instead of a CompileError",
    "pyperformance:nbody_advance": _LIST_ARGUMENT,
    "pyperformance:nbody_energy": _LIST_ARGUMENT,
    "pyperformance:nbody_offset_momentum": _LIST_ARGUMENT,
    "pyperformance:spectral_norm_A_times_u": _LIST_ARGUMENT + " (a tuple holding a list)",
    "pyperformance:spectral_norm_At_times_u": _LIST_ARGUMENT + " (a tuple holding a list)",
    "pyperformance:meteor_rotate": _LIST_ARGUMENT,
    "pyperformance:meteor_convert": _LIST_ARGUMENT,
    "pyperformance:meteor_permute": _LIST_ARGUMENT,
}
