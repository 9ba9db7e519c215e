"""Test helpers for passes: text-in/text-out pass runs, the FileCheck-style matcher
(passes.filecheck), and the oracle (phylanx.oracle) running `parallel` loops in a shuffled
iteration order. Pass tests that need no Python are text files run by passes.lit
(tests/passes/).

    out = run_opt(text, "cse")                      # parse, run the pipeline, print (no locs)
    filecheck(out, '''
        CHECK: %0 = exp %x
        CHECK-NOT: exp
        CHECK: return
    ''')
"""

from __future__ import annotations

import contextlib
import random

from phylanx.ir.parser import parse_physl
from phylanx.ir.printer import print_module
from phylanx.ir.verifier import verify_module

from .filecheck import CheckError, filecheck
from .manager import PipelineResult, run_pipeline

__all__ = ["CheckError", "filecheck", "run_opt", "run_opt_result", "shuffled_parallel_loops"]


def run_opt(text: str, pipeline: str, locations: bool = False, **kwargs) -> str:
    """Parse PhySL, run `pipeline` (verifying after each pass), print the result."""
    return print_module(run_opt_result(text, pipeline, **kwargs).module, locations)


def run_opt_result(text: str, pipeline: str, **kwargs) -> PipelineResult:
    module = parse_physl(text)
    verify_module(module)
    return run_pipeline(module, pipeline, **kwargs)


# --- oracle ------------------------------------------------------------------------------------

@contextlib.contextmanager
def shuffled_parallel_loops(seed: int):
    """Make the oracle run `parallel` for_range loops in a shuffled iteration order (carried
    arrays shared, other carried values the last iteration's): a loop wrongly marked parallel
    then gives another result."""
    import numpy as np

    from phylanx import oracle

    control, rng = oracle._control, random.Random(seed)

    def _control(module, op, values, env):
        if op.name != "for_range" or not op.attrs.get("parallel"):
            return control(module, op, values, env)
        lo, hi, step, *carried = values
        order = list(range(lo, hi, step))
        rng.shuffle(order)
        last = list(carried)
        for i in order:
            out = oracle._region(module, op.regions[0], [i, *carried], env)
            carried = [o if isinstance(o, np.ndarray) else c for o, c in zip(out, carried)]
            if i == max(order):
                last = out
        return [c if isinstance(c, np.ndarray) else x for c, x in zip(carried, last)]

    oracle._control = _control
    try:
        yield
    finally:
        oracle._control = control
