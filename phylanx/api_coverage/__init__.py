"""How much of the NumPy API a kernel can call: a deliberate list of names, each with a
probe kernel, classified as works (matches NumPy) / refused / wrong / crash.

    python -m phylanx.api_coverage             # summary by category
    python -m phylanx.api_coverage --list refused,wrong

`names.API` is the table (spelling, category, probe, inputs); `inputs.INPUTS` the input sets;
`probe.run_all()` runs it.
"""

from phylanx.api_coverage.names import API, CATEGORIES
from phylanx.api_coverage.probe import NameResult, format_summary, run_all

__all__ = ["API", "CATEGORIES", "NameResult", "format_summary", "run_all"]
