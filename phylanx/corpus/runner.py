"""Load the corpus kernels, run each through phylanx.kernel and as plain Python, time them.

A kernel of the manifest (`phylanx.corpus.manifest`) is fetched and extracted into a module of
the corpus cache (`phylanx.corpus.fetch`); its function is the plain reference, and
`phylanx.kernel` of that same function is what is compared with it.
"""

from __future__ import annotations

import copy
import math
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import phylanx
from phylanx.corpus.compare import WORKS, Outcome, compare
from phylanx.corpus.fetch import CorpusError, kernel_module
from phylanx.corpus.manifest import KERNELS, Kernel
from phylanx.kernel import Kernel as CompiledKernel

SIZES = ("xs", "s", "m")


@dataclass
class Case:
    """One kernel of the corpus, loaded."""

    entry: Kernel
    kernel: CompiledKernel
    plain: Callable
    file: str  # the extracted module

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def seed(self) -> int | None:
        return self.entry.seed

    def make_args(self, size: str) -> tuple:
        return self.entry.make_args(size)


_LOADED: dict[str, Case] = {}


def load_case(entry: Kernel) -> Case:
    """The kernel `entry`, fetched and extracted (once per process)."""
    case = _LOADED.get(entry.name)
    if case is None:
        safe = entry.name.split(":", 1)[1]
        module, function, changes = kernel_module(entry.source, safe, entry.path,
                                                  entry.qualname)
        if sorted(changes) != sorted(entry.changes):
            raise CorpusError(f"{entry.name}: extraction made the changes {changes}, the "
                              f"manifest lists {list(entry.changes)}")
        plain = getattr(module, function)
        case = Case(entry, phylanx.kernel(plain), plain, module.__file__)
        _LOADED[entry.name] = case
    return case


def select(selection: str = "") -> list[Kernel]:
    """The manifest's kernels whose name contains one of the comma-separated parts of
    `selection` (all when it is empty)."""
    parts = [s for s in selection.split(",") if s]
    return [k for k in KERNELS if not parts or any(p in k.name for p in parts)]


def load_cases(selection: str = "") -> list[Case]:
    """The selected cases (see `select`), loaded; CorpusUnavailable when an archive is
    neither cached nor downloadable."""
    return [load_case(k) for k in select(selection)]


def check(case: Case, size: str = "xs") -> Outcome:
    return compare(case.kernel, case.plain, case.make_args(size), seed=case.seed)


def timed_call(func, args, seed) -> float:
    if seed is not None:
        import numpy as np

        np.random.seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        func(*args)
        return time.perf_counter() - start


def time_case(case: Case, size: str, budget: float = 1.0, min_runs: int = 3,
              max_runs: int = 25) -> tuple[float, float]:
    """(median phylanx seconds, median NumPy seconds) of warm runs, interleaved, each on a
    fresh copy of the inputs; at least `min_runs` each and as many as fit `budget` seconds."""
    args = case.make_args(size)
    timed_call(case.kernel, copy.deepcopy(args), case.seed)  # warm: compile, load
    timed_call(case.plain, copy.deepcopy(args), case.seed)
    t_phylanx, t_numpy = [], []
    start = time.perf_counter()
    while len(t_phylanx) < max_runs and (len(t_phylanx) < min_runs
                                         or time.perf_counter() - start < budget):
        t_phylanx.append(timed_call(case.kernel, copy.deepcopy(args), case.seed))
        t_numpy.append(timed_call(case.plain, copy.deepcopy(args), case.seed))
    return statistics.median(t_phylanx), statistics.median(t_numpy)


def geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def compiled_cases(cases: list[Case], size: str = "xs") -> list[Case]:
    """The cases that compile and match NumPy at `size`."""
    return [c for c in cases if check(c, size).status == WORKS]
