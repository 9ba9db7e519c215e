"""phylanx.passes: the optimizer.

    from phylanx.passes import run_pipeline, DEFAULT_PIPELINE
    result = run_pipeline(module)                  # or run_pipeline(module, "cse,dce")
    result.module, result.stages, result.stats, result.timings, result.diagnostics
    print(result.diff("input", "final"))

Each pass is one module here with a `name` and its options as dataclass fields; see
docs/passes.md for what each does and `available_passes()` for the list.
"""

from .diagnostics import Diagnostic, Diagnostics
from .ir_utils import clone_module
from .manager import (
    DEFAULT_PIPELINE,
    Pass,
    PassContext,
    PipelineResult,
    available_passes,
    parse_pipeline,
    register,
    run_pipeline,
)

__all__ = [
    "DEFAULT_PIPELINE",
    "Diagnostic",
    "Diagnostics",
    "Pass",
    "PassContext",
    "PipelineResult",
    "available_passes",
    "clone_module",
    "parse_pipeline",
    "register",
    "run_pipeline",
]
