"""Running a command-line entry point the way a shell pipeline expects."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable


def run_for_shell(main: Callable[[], int]) -> int:
    """main(), quiet when the reader of stdout goes away (`python -m phylanx physl ... | head`)."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout again at exit; point it at devnull so that flush cannot fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return code
