"""The corpus: which functions of which published files are kernels, and our inputs for them.

Each `Kernel` names a function in a file of an archive of `phylanx.corpus.archives` by its
qualified name (a function nested in a test method included; `name[k]` is the k-th function
of that name in its scope; a part with `*` is a pattern, `*` alone any one name, where the
whole name matches one function), the changes extraction makes to it (`phylanx.corpus.extract`:
decorators dropped, `prange -> range`; checked against what extraction reports), and
`make_args(size)`, written here: the inputs for the sizes "xs" (tiny: the tests), "s" (the
timings) and "m". `seed` seeds NumPy's global generator before each side runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from phylanx.corpus.extract import PRANGE


@dataclass(frozen=True)
class Kernel:
    name: str                  # "<source>:<short name>", unique
    source: str                # a key of phylanx.corpus.archives.ARCHIVES
    path: str                  # the file inside the archive
    qualname: str
    make_args: Callable[[str], tuple]
    changes: tuple[str, ...] = ()
    seed: int | None = None


def _n(size: str, xs: int, s: int, m: int) -> int:
    return {"xs": xs, "s": s, "m": m}[size]


def _rng() -> np.random.Generator:
    return np.random.default_rng(20240601)


def _drop(decorator: str, function: str) -> str:
    return f"drops the decorator @{decorator} of {function}"


# -- Numba's tests (numba/tests in the wheel) ----------------------------------------------------

PARFORS = "numba/tests/test_parfors.py"
STENCILS = "numba/tests/test_stencils.py"
DOCS = "numba/tests/doc_examples/test_examples.py"


def _blackscholes_args(size):
    n = _n(size, 16, 100_000, 1_000_000)
    r = _rng()
    return (r.uniform(10, 50, n), r.uniform(10, 50, n), r.uniform(0.01, 0.1, n),
            r.uniform(0.1, 0.5, n), r.uniform(0.2, 2.0, n))


def _logreg_args(size):
    n, d = _n(size, 12, 5_000, 50_000), _n(size, 3, 20, 50)
    r = _rng()
    x = r.standard_normal((n, d))
    y = np.where(x @ r.standard_normal(d) > 0, 1.0, -1.0)
    return y, x, np.zeros(d), 5


def _kmeans_args(size):
    n, d = _n(size, 12, 400, 2_000), 4
    r = _rng()
    a = r.random((n, d))
    return a, 3, 3, a[:3].copy()


def _vector(size, xs=10, s=100_000, m=1_000_000):
    return _rng().random(_n(size, xs, s, m))


def _square(size, xs=6, s=200, m=700):
    n = _n(size, xs, s, m)
    return _rng().random((n, n))


def _gather_args(size):
    n = _n(size, 6, 2_000, 20_000)
    r = _rng()
    return r.standard_normal((n, 2)), r.integers(0, n, (n, 2))


def _chunk_args(size):
    p = _n(size, 3, 300, 1_000)
    return np.arange(2 * p, dtype=np.float64), _rng().random(p), 2


def _quadratic_args(size):
    r = _rng()
    n = _n(size, 10, 100_000, 1_000_000)
    return r.uniform(1, 2, n), r.uniform(-10, 10, n), r.uniform(-2, 2, n)


def _mandelbrot_args(size):
    h, w = _n(size, 6, 100, 300), _n(size, 9, 150, 450)
    return -2.0, 1.0, -1.0, 1.0, np.zeros((h, w), dtype=np.uint8), 20


NUMBA = [
    Kernel("numba:blackscholes", "numba", PARFORS, "blackscholes_impl", _blackscholes_args),
    Kernel("numba:logistic_regression", "numba", PARFORS, "lr_impl", _logreg_args),
    Kernel("numba:kmeans", "numba", PARFORS, "example_kmeans_test", _kmeans_args),
    Kernel("numba:monte_carlo_pi", "numba", PARFORS, "TestParforNumericalMisc.test_pi.test_impl",
           lambda size: (_n(size, 100, 100_000, 1_000_000),), seed=0),
    Kernel("numba:kde_logsumexp", "numba", PARFORS,
           "TestPrangeSpecific.test_kde_example.test_impl",
           lambda size: (_vector(size, 16, 20_000, 200_000),)),
    Kernel("numba:ndvi", "numba", PARFORS, "TestParforsMisc.*.ndvi_njit",
           lambda size: (_square(size) + 0.5, _square(size)), changes=(PRANGE,)),
    Kernel("numba:nearest_shift", "numba", PARFORS, "TestParforsMisc.*.f",
           lambda size: (_rng().standard_normal((_n(size, 8, 3_000, 20_000), 3)),), changes=(_drop("njit(parallel=True)", "f"), PRANGE)),
    Kernel("numba:red_black_sweep", "numba", PARFORS, "TestParfors.test_prange_index_calc1.test_impl",
           lambda size: (_square(size), _n(size, 6, 200, 700)), changes=(PRANGE,)),
    Kernel("numba:gather_pairs", "numba", PARFORS, "TestPrangeBasic.test_prange28.test_impl",
           _gather_args),
    Kernel("numba:chunked_outer", "numba", PARFORS, "TestPrangeBasic.test_prange30.test_impl",
           _chunk_args),
    Kernel("numba:two_reductions", "numba", PARFORS,
           "TestParforsLeaks.test_multiple_reduction_vars.test_impl",
           lambda size: (_vector(size),), changes=(PRANGE,)),
    Kernel("numba:three_loops", "numba", PARFORS, "TestParfors.test_untraced_value_parfor.test_impl",
           lambda size: (np.arange(_n(size, 10, 100_000, 1_000_000), dtype=np.int64),),
           changes=(PRANGE,)),
    Kernel("numba:conditional_reduction", "numba", PARFORS,
           "TestParfors.test_if_not_else_reduction.test_impl",
           lambda size: (_vector(size), _vector(size) > 0.5), changes=(PRANGE,)),
    Kernel("numba:allocation_in_loop", "numba", PARFORS,
           "TestParforsDiagnostics.test_allocation_hoisting.test_impl", lambda size: (),
           changes=(PRANGE,)),
    Kernel("numba:tuple_in_loop", "numba", PARFORS,
           "TestParfors.test_prange_parfor_index_const_tuple_fusion.test_impl",
           lambda size: (np.zeros(_n(size, 10, 10, 10)), tuple(_vector(size, 10, 10, 10)),
                         _n(size, 10, 10, 10)), changes=(PRANGE,)),
    Kernel("numba:array_reduction", "numba", PARFORS, "TestParfors.test_two_d_array_reduction.test_impl",
           lambda size: (_n(size, 3, 1_000, 10_000),), changes=(PRANGE,)),
    Kernel("numba:list_of_arrays", "numba", PARFORS, "TestPrangeBasic.test_prange25.test_impl",
           lambda size: (_vector(size, 4, 300, 1_000),)),
    Kernel("numba:negative_ranges", "numba", PARFORS, "TestPrangeBasic.test_prange19.test_impl",
           lambda size: (_n(size, 4, 200, 700),)),
    Kernel("numba:nested_sum", "numba", PARFORS, "TestParforsDiagnostics.test_user_varname.test_impl",
           lambda size: (), changes=(PRANGE,)),
    # the plain-Python loops the stencil tests compare numba.stencil with
    Kernel("numba:stencil_4point", "numba", STENCILS, "TestStencil.test_stencil1.test_impl_seq",
           lambda size: (_n(size, 6, 300, 1_000),)),
    Kernel("numba:stencil_window", "numba", STENCILS, "TestStencil.test_stencil2.test_impl_seq",
           lambda size: (_n(size, 12, 20_000, 200_000),)),
    Kernel("numba:stencil_window_w", "numba", STENCILS, "TestStencil.test_stencil2.test_impl_seq[1]",
           lambda size: (_n(size, 12, 20_000, 200_000), 3)),
    Kernel("numba:stencil_weights_1d", "numba", STENCILS,
           "TestStencil.test_stencil_standard_indexing_1d.test_impl_seq",
           lambda size: (_n(size, 12, 100_000, 1_000_000),)),
    Kernel("numba:stencil_weights_2d", "numba", STENCILS,
           "TestStencil.test_stencil_standard_indexing_2d.test_impl_seq",
           lambda size: (_n(size, 6, 300, 1_000),)),
    Kernel("numba:stencil_two_inputs", "numba", STENCILS,
           "TestStencil.test_stencil_multiple_inputs.test_impl_seq",
           lambda size: (_n(size, 6, 300, 1_000),)),
    Kernel("numba:stencil_select", "numba", STENCILS,
           "TestStencil.test_stencil_mixed_types.test_impl_seq",
           lambda size: (_n(size, 6, 300, 1_000),)),
    Kernel("numba:stencil_3point", "numba", STENCILS, "TestStencil.test_stencil_call_1D.test_impl_seq",
           lambda size: (_n(size, 12, 100_000, 1_000_000),)),
    Kernel("numba:stencil_shift", "numba", STENCILS, "TestStencil.test_stencil_nested1.test_impl_seq",
           lambda size: (np.arange(_n(size, 10, 100_000, 1_000_000)),)),
    Kernel("numba:blackscholes_arrayexpr", "numba", "numba/tests/test_blackscholes.py",
           "blackscholes_arrayexpr",
           lambda size: (*_blackscholes_args(size)[:3], 0.02, 0.30),
           changes=(_drop("njit", "blackscholes_arrayexpr"),
                    _drop("register_jitable", "cnd_array"))),
    Kernel("numba:blackscholes_loop", "numba", "numba/tests/test_blackscholes.py",
           "blackscholes_scalar",
           lambda size: (np.zeros(_n(size, 16, 20_000, 200_000)),
                         np.zeros(_n(size, 16, 20_000, 200_000)),
                         *[a[:_n(size, 16, 20_000, 200_000)]
                           for a in _blackscholes_args(size)[:3]], 0.02, 0.30),
           changes=(_drop("register_jitable", "cnd"), _drop("njit", "blackscholes_scalar"))),
    Kernel("numba:mandelbrot", "numba", DOCS, "DocsExamplesTest.test_mandelbrot.create_fractal",
           _mandelbrot_args,
           changes=(_drop("jit(nopython=True)", "mandel"),
                    _drop("jit(nopython=True)", "create_fractal"))),
    Kernel("numba:moving_mean", "numba", DOCS, "DocsExamplesTest.test_moving_average.move_mean",
           lambda size: (_vector(size, 10, 100_000, 1_000_000), np.array([3]),
                         np.zeros(_n(size, 10, 100_000, 1_000_000))),
           changes=(_drop("guvectorize(['void(float64[:], intp[:], float64[:])'], "
                          "'(n),()->(n)')", "move_mean"),)),
    Kernel("numba:exp_loop", "numba", DOCS, "DocsExamplesTest.test_nogil.inner_func_nb",
           lambda size: (np.zeros(_n(size, 10, 100_000, 1_000_000)), _vector(size),
                         _vector(size)),
           changes=(_drop("jit('void(double[:], double[:], double[:])', nopython=True, "
                          "nogil=True)", "inner_func_nb"),)),
    Kernel("numba:exp_numpy", "numba", DOCS, "DocsExamplesTest.test_nogil.func_np",
           lambda size: (_vector(size), _vector(size))),
    Kernel("numba:mandelbrot_point", "numba", "numba/tests/test_mandelbrot.py",
           "is_in_mandelbrot", lambda size: (complex(-0.5, 0.5),)),
    Kernel("numba:distance_matrix", "numba", "numba/tests/test_array_exprs.py", "distance_matrix",
           lambda size: (_rng().random((_n(size, 5, 150, 400), 3)),)),
    Kernel("numba:quadratic_root", "numba", "numba/tests/test_array_exprs.py",
           "neg_root_common_subexpr", _quadratic_args),
    Kernel("numba:quadratic_root_complex", "numba", "numba/tests/test_array_exprs.py",
           "neg_root_complex_subexpr", _quadratic_args),
    Kernel("numba:ufunc_out", "numba", "numba/tests/test_array_exprs.py", "explicit_output",
           lambda size: (_vector(size), _vector(size), np.zeros(_n(size, 10, 100_000, 1_000_000)))),
    Kernel("numba:sum2d", "numba", "numba/tests/usecases.py", "sum2d",
           lambda size: (0, _n(size, 10, 300, 1_000))),
    Kernel("numba:while_count", "numba", "numba/tests/usecases.py", "while_count",
           lambda size: (0, _n(size, 10, 100_000, 1_000_000))),
    Kernel("numba:normal_cdf", "numba", "numba/tests/usecases.py", "blackscholes_cnd",
           lambda size: (0.3,)),
    Kernel("numba:copy_2d", "numba", "numba/tests/usecases.py", "copy_arrays2d",
           lambda size: (_square(size), np.zeros_like(_square(size)))),
    Kernel("numba:fibonacci", "numba", "numba/tests/recursion_usecases.py", "fib3",
           lambda size: (_n(size, 10, 18, 22),),
           changes=(_drop("jit(nopython=True)", "fib3"),)),
    Kernel("numba:mutual_factorial", "numba", "numba/tests/recursion_usecases.py", "outer_fac",
           lambda size: (_n(size, 5, 15, 20),),
           changes=(_drop("jit(nopython=True)", "inner_fac"),
                    _drop("jit(nopython=True)", "outer_fac"))),
    Kernel("numba:for_else", "numba", "numba/tests/test_flow_control.py", "for_loop_usecase9",
           lambda size: (_n(size, 5, 1_000, 10_000), 3)),
    Kernel("numba:for_break_else", "numba", "numba/tests/test_flow_control.py",
           "for_loop_usecase10", lambda size: (_n(size, 5, 1_000, 10_000), 3)),
    Kernel("numba:while_nested", "numba", "numba/tests/test_flow_control.py",
           "while_loop_usecase3",  # ends only when y >= x: the inner loop moves i too
           lambda size: (_n(size, 5, 1_000, 10_000), _n(size, 7, 1_000, 10_000))),
    Kernel("numba:for_enumerate", "numba", "numba/tests/test_flow_control.py",
           "for_loop_usecase2", lambda size: (_n(size, 10, 10_000, 100_000), 0)),
    Kernel("numba:list_getitem", "numba", "numba/tests/test_lists.py", "list_getitem",
           lambda size: (_n(size, 10, 10_000, 100_000),)),
    Kernel("numba:list_setitem", "numba", "numba/tests/test_lists.py", "list_setitem",
           lambda size: (_n(size, 10, 10_000, 100_000),)),
    Kernel("numba:list_pop", "numba", "numba/tests/test_lists.py", "list_pop0",
           lambda size: (_n(size, 10, 10_000, 100_000),)),
    Kernel("numba:list_append", "numba", "numba/tests/test_lists.py", "list_append",
           lambda size: (_n(size, 10, 10_000, 100_000),)),
    Kernel("numba:list_extend", "numba", "numba/tests/test_lists.py", "list_extend",
           lambda size: (_n(size, 10, 10_000, 100_000),)),
    Kernel("numba:bincount_weights", "numba", "numba/tests/test_np_functions.py", "bincount2",
           lambda size: (_rng().integers(0, 20, _n(size, 10, 100_000, 1_000_000)), _vector(size))),
    Kernel("numba:histogram", "numba", "numba/tests/test_np_functions.py", "histogram",
           lambda size: (_vector(size),)),
    Kernel("numba:convolve", "numba", "numba/tests/test_np_functions.py", "convolve",
           lambda size: (_vector(size, 10, 10_000, 100_000), _vector(size, 3, 50, 200))),
]


def _stable_fit_args(size):
    r = _rng()
    n, k = _n(size, 10, 60, 120), _n(size, 5, 200, 1_000)
    y = r.random((n, k))
    y[r.random((n, k)) < 0.05] = np.nan  # missing observations, dropped per column
    return r.random((n, 4)), y


def _zz_args(size):
    """zz[0, t] is a scalar added to every element of lh, of length len(tc)."""
    n = _n(size, 4, 300, 1_000)
    return _rng().standard_normal((n, n)), np.full(n, n)


PARFORS_PASSES = "numba/tests/test_parfors_passes.py"
LOOPLIFTING = "numba/tests/test_looplifting.py"

NUMBA += [
    Kernel("numba:stable_fit", "numba", "numba/tests/parfor_iss9490_usecase.py", "stable_fit",
           _stable_fit_args,
           changes=(_drop("numba.jit(nopython=True, parallel=True)", "stable_fit"), PRANGE)),
    Kernel("numba:euclidean", "numba", PARFORS, "TestParforsMisc.*.euclidean",
           lambda size: (_vector(size), _vector(size)), changes=(_drop("njit", "euclidean"),)),
    Kernel("numba:sqrt_in_place", "numba", PARFORS,
           "TestParforsVectorizer.test_unsigned_refusal_to_vectorize.will_vectorize",
           lambda size: (_vector(size),)),
    Kernel("numba:sqrt_negative_index", "numba", PARFORS,
           "TestParforsVectorizer.test_unsigned_refusal_to_vectorize.will_not_vectorize",
           lambda size: (_vector(size),)),
    Kernel("numba:sqrt_sum", "numba", PARFORS,
           "TestParforsVectorizer.test_vectorizer_fastmath_asm.will_vectorize",
           lambda size: (_vector(size),)),
    Kernel("numba:clifford_map", "numba", LOOPLIFTING,
           "TestLoopLiftingInAction.test_*4223.foo",
           lambda size: (-1.4, 1.6, 1.0, 0.7, 0.1, 0.1, _n(size, 10, 100_000, 1_000_000)),
           changes=(_drop("jit(forceobj=True)", "foo"),)),
    Kernel("numba:copy_until", "numba", LOOPLIFTING,
           "TestLoopLiftingInAction.test_*812.test",
           lambda size: (np.concatenate([_vector(size), [10.0], _vector(size)]),),
           changes=(_drop("jit('f8[:](f8[:])', forceobj=True)", "test"),)),
    Kernel("numba:reshape_divide", "numba", PARFORS,
           "TestParforNumPy.test_reshape_with_neg_one.test_impl",
           lambda size: (_vector(size, 8, 1_000, 3_000) + 0.5, _n(size, 6, 500, 1_500))),
    Kernel("numba:fused_matvec", "numba", PARFORS, "TestParfors.test_parfor_generate_fuse.test_impl",
           lambda size: (_n(size, 10, 20_000, 200_000), _n(size, 3, 20, 50))),
    Kernel("numba:gather_control_flow", "numba", PARFORS,
           "TestParfors.test_2array_2_control_flow.test_impl",
           lambda size: (_vector(size), 1, False)),
    Kernel("numba:triangle_counts", "numba", PARFORS, "TestParfors.test_*8515.test_impl",
           lambda size: (_n(size, 8, 1_000, 3_000),), changes=(PRANGE,)),
    Kernel("numba:row_broadcast", "numba", PARFORS, "TestParforsMisc.test_*5942_2.test_impl",
           lambda size: (_n(size, 5, 1_000, 5_000), _n(size, 4, 100, 300)), changes=(PRANGE,)),
    Kernel("numba:exp_accumulate", "numba", PARFORS,
           "TestPrangeSpecific.test_copy_global_for_parfor.test_impl", _zz_args),
    Kernel("numba:cos_sum_fill", "numba", PARFORS, "TestPrangeSpecific.test_*7578.test_impl",
           lambda size: (_vector(size, 10, 2_000, 10_000),)),
    Kernel("numba:alias_rows_3d", "numba", PARFORS, "TestPrangeSpecific.test_parfor_alias3.test_impl",
           lambda size: (_n(size, 4, 60, 150),)),
    Kernel("numba:random_sum", "numba", PARFORS, "TestParforNumPy.test_randoms.test_impl",
           lambda size: (_n(size, 4, 300, 1_000),), seed=0),
    Kernel("numba:pixel_rows", "numba", PARFORS,
           "TestPrangeSpecific.test_ssa_false_reduction.test_impl",
           lambda size: (_rng().random((_n(size, 6, 10_000, 100_000), 3)) * 255, 0, 1)),
    Kernel("numba:mask_assign", "numba", PARFORS_PASSES,
           "TestConvertSetItemPass.test_setitem_gather_if_array.test_impl", lambda size: ()),
    Kernel("numba:prange_step", "numba", PARFORS_PASSES,
           "TestConvertLoopPass.test_prange_three_args.test_impl", lambda size: (),
           changes=(PRANGE,)),
]

# -- pyperformance (its benchmarks in the wheel's data files) -------------------------------------

BENCHMARKS = "pyperformance/data-files/benchmarks"


def _bodies(size):
    """n bodies as bm_nbody lays them out: ([x, y, z], [vx, vy, vz], mass)."""
    r = _rng()
    n = _n(size, 4, 20, 60)
    return [(list(r.standard_normal(3) * 10), list(r.standard_normal(3)), float(r.random()))
            for _ in range(n)]


def _pairs(bodies):
    return [(bodies[i], bodies[j]) for i in range(len(bodies)) for j in range(i + 1, len(bodies))]


def _advance_args(size):
    bodies = _bodies(size)
    return 0.01, _n(size, 3, 20, 100), bodies, _pairs(bodies)


def _energy_args(size):
    bodies = _bodies(size)
    return bodies, _pairs(bodies), 0.0


def _u(size):
    return [float(x) for x in _vector(size, 8, 500, 2_000)]


# direction offsets of bm_meteor_contest's board (E, SE, SW, W, NW, NE)
_METEOR_PIECE = [2, 51.0, 49.0, -2, 2, 2]


PYPERFORMANCE = [
    Kernel("pyperformance:nbody_advance", "pyperformance", f"{BENCHMARKS}/bm_nbody/run_benchmark.py",
           "advance", _advance_args),
    Kernel("pyperformance:nbody_energy", "pyperformance", f"{BENCHMARKS}/bm_nbody/run_benchmark.py",
           "report_energy", _energy_args),
    Kernel("pyperformance:nbody_offset_momentum", "pyperformance",
           f"{BENCHMARKS}/bm_nbody/run_benchmark.py", "offset_momentum",
           lambda size: (_bodies(size)[0], _bodies(size), 0.0, 0.0, 0.0)),
    Kernel("pyperformance:spectral_norm_eval_A", "pyperformance",
           f"{BENCHMARKS}/bm_spectral_norm/run_benchmark.py", "eval_A", lambda size: (3, 7)),
    Kernel("pyperformance:spectral_norm_A_times_u", "pyperformance",
           f"{BENCHMARKS}/bm_spectral_norm/run_benchmark.py", "part_A_times_u",
           lambda size: ((2, _u(size)),)),
    Kernel("pyperformance:spectral_norm_At_times_u", "pyperformance",
           f"{BENCHMARKS}/bm_spectral_norm/run_benchmark.py", "part_At_times_u",
           lambda size: ((2, _u(size)),)),
    Kernel("pyperformance:fannkuch", "pyperformance", f"{BENCHMARKS}/bm_fannkuch/run_benchmark.py",
           "fannkuch", lambda size: (_n(size, 5, 7, 8),)),
    Kernel("pyperformance:pidigits_compose", "pyperformance",
           f"{BENCHMARKS}/bm_pidigits/run_benchmark.py", "compose",
           lambda size: ((1, 0, 0, 1), (2, 10, 0, 5))),
    Kernel("pyperformance:pidigits_extract", "pyperformance",
           f"{BENCHMARKS}/bm_pidigits/run_benchmark.py", "extract",
           lambda size: ((10, -30, 0, 1), 3)),
    Kernel("pyperformance:meteor_rotate", "pyperformance",
           f"{BENCHMARKS}/bm_meteor_contest/run_benchmark.py", "rotate",
           lambda size: (list(_METEOR_PIECE),)),
    Kernel("pyperformance:meteor_convert", "pyperformance",
           f"{BENCHMARKS}/bm_meteor_contest/run_benchmark.py", "convert",
           lambda size: (list(_METEOR_PIECE),)),
    Kernel("pyperformance:meteor_permute", "pyperformance",
           f"{BENCHMARKS}/bm_meteor_contest/run_benchmark.py", "permute",
           lambda size: (list(_METEOR_PIECE), list(reversed(_METEOR_PIECE)))),
]

SCIMARK = f"{BENCHMARKS}/bm_scimark/run_benchmark.py"


def _fft_data(size):
    """2N floats (N complex numbers, interleaved), N a power of 2; bm_scimark passes an
    array('d'), any mutable sequence of floats does."""
    return _rng().standard_normal(2 * _n(size, 8, 1024, 16384))


PYPERFORMANCE += [
    Kernel("pyperformance:scimark_fft", "pyperformance", SCIMARK, "FFT_transform",
           lambda size: (2 * _n(size, 8, 1024, 16384), _fft_data(size))),
    Kernel("pyperformance:scimark_fft_inverse", "pyperformance", SCIMARK, "FFT_inverse",
           lambda size: (2 * _n(size, 8, 1024, 16384), _fft_data(size))),
    Kernel("pyperformance:scimark_bitreverse", "pyperformance", SCIMARK, "FFT_bitreverse",
           lambda size: (2 * _n(size, 8, 1024, 16384), _fft_data(size))),
    Kernel("pyperformance:scimark_int_log2", "pyperformance", SCIMARK, "int_log2",
           lambda size: (_n(size, 8, 1024, 16384),)),
    Kernel("pyperformance:go_to_xy", "pyperformance", f"{BENCHMARKS}/bm_go/run_benchmark.py",
           "to_xy", lambda size: (40,)),
    Kernel("pyperformance:go_to_pos", "pyperformance", f"{BENCHMARKS}/bm_go/run_benchmark.py",
           "to_pos", lambda size: (4, 4)),
]

KERNELS: list[Kernel] = NUMBA + PYPERFORMANCE
BY_NAME: dict[str, Kernel] = {k.name: k for k in KERNELS}
