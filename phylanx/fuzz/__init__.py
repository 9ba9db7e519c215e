"""Differential fuzzer: random well-typed kernels, each run as plain Python/NumPy and as a
compiled kernel (1 thread, 2 threads, 2 threads with every scheduling threshold at 0, several
threads at once, a second call), compared on values, NaN positions, dtypes, shapes, exception
classes, warnings, mutated arguments and results that later calls must not overwrite.

    generator.py  random programs (checked expression by expression with NumPy)
    inputs.py     random arguments (dtypes, 0-d, empty, non-contiguous, NaN/inf, extreme ints)
    runner.py     running and comparing one program; failure categories
    minimize.py   delta debugging of a failing program
    pool.py       worker processes with a timeout per program (hangs and crashes are caught)
    __main__.py   python -m phylanx.fuzz: many seeds, a summary by category

Usage and the comparison rules: docs/fuzzing.md."""

from phylanx.fuzz.generator import Program, generate
from phylanx.fuzz.runner import CATEGORIES, CONFIGS, Result, check_program

__all__ = ["CATEGORIES", "CONFIGS", "Program", "Result", "check_program", "generate"]
