"""python -m phylanx.corpus: fetch the corpus (once, into the corpus cache), compile each
kernel unchanged, compare it with NumPy, and (with --time) time both and print the speedup
per kernel and its geometric mean."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from phylanx._shell import run_for_shell
from phylanx.corpus.compare import REFUSED, STATUSES, WORKS
from phylanx.corpus.fetch import CorpusUnavailable, cache_dir
from phylanx.corpus.runner import (
    SIZES,
    check,
    geomean,
    load_cases,
    select,
    time_case,
)

LONG_RUN = 1e-3  # seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m phylanx.corpus",
        description="Run every corpus kernel (code written by others, unchanged) through "
                    "phylanx and as plain Python/NumPy: compiled and matching / refused (the "
                    "CompileError's first line) / wrong / crash. The kernels are read out of "
                    "published packages, downloaded once with pip into the corpus cache "
                    "($PHYLANX_CORPUS_CACHE, default ~/.cache/phylanx/corpus).")
    parser.add_argument("--size", choices=SIZES, default="xs",
                        help="input size of the comparison and the timings (default xs)")
    parser.add_argument("--time", action="store_true",
                        help="time the kernels that compile: medians of interleaved warm "
                             "runs, phylanx vs NumPy, and the geometric-mean speedup")
    parser.add_argument("--kernels", default="", metavar="NAMES",
                        help="only kernels whose name (source:kernel) contains one of these "
                             "comma-separated parts")
    parser.add_argument("--budget", type=float, default=1.0, metavar="SECONDS",
                        help="timing budget per kernel (at least 3 runs each; default 1)")
    args = parser.parse_args(argv)
    if not select(args.kernels):
        parser.error(f"no corpus kernel matches {args.kernels!r}")
    try:
        cases = load_cases(args.kernels)
    except CorpusUnavailable as e:
        print(f"the corpus is not in {cache_dir()} and cannot be fetched: {e}", file=sys.stderr)
        return 2
    counts: Counter = Counter()
    speedups, numpy_times = [], []
    width = max(len(c.name) for c in cases)
    for case in cases:
        outcome = check(case, args.size)
        counts[outcome.status] += 1
        line = f"{case.name:{width}}  {outcome.status:8}"
        if outcome.status == WORKS and args.time and not outcome.detail:  # detail: both raised
            t_phylanx, t_numpy = time_case(case, args.size, args.budget)
            speedups.append(t_numpy / t_phylanx)
            numpy_times.append(t_numpy)
            line += (f"  phylanx {t_phylanx * 1e3:9.3f} ms  numpy {t_numpy * 1e3:9.3f} ms  "
                     f"speedup {t_numpy / t_phylanx:6.2f}x")
        elif outcome.detail and outcome.status != WORKS:
            line += f"  {outcome.detail}"
        print(line, flush=True)
    total = len(cases)
    print(f"\n{total} kernels at size {args.size}: " + ", ".join(
        f"{counts[s]} {'compiled and match' if s == WORKS else s}" for s in STATUSES)
        + f" ({100 * counts[WORKS] / total:.0f}% compile unchanged and match NumPy)")
    if args.time and speedups:
        print(f"geometric-mean speedup over the {len(speedups)} kernels that compile: "
              f"{geomean(speedups):.2f}x (NumPy time / phylanx time)")
        long = [s for s, t in zip(speedups, numpy_times) if t >= LONG_RUN]
        print(f"  over the {len(long)} whose NumPy time is at least {LONG_RUN * 1e3:.0f} ms "
              f"(the others mostly measure call overhead): {geomean(long):.2f}x")
    return 0 if counts[REFUSED] + counts[WORKS] == total else 1


if __name__ == "__main__":
    sys.exit(run_for_shell(main))
