"""python -m phylanx.api_coverage: probe every name of the NumPy API list and summarise."""

from __future__ import annotations

import argparse
import sys
import time

from phylanx._shell import run_for_shell
from phylanx.api_coverage.names import CATEGORIES
from phylanx.api_coverage.probe import format_summary, run_all
from phylanx.corpus.compare import STATUSES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m phylanx.api_coverage",
        description="Run each NumPy name's probe kernel through phylanx and NumPy; print how "
                    "many work (match NumPy), are refused (CompileError), are wrong or crash.")
    parser.add_argument("--list", default="", metavar="STATUSES",
                        help="also list the names with these outcomes, comma-separated "
                             f"({', '.join(STATUSES)}, or all)")
    parser.add_argument("--category", default="", metavar="NAMES",
                        help=f"only these categories, comma-separated ({', '.join(CATEGORIES)})")
    parser.add_argument("--name", default="", metavar="NAMES",
                        help="only these names, comma-separated (e.g. np.add,x.sum)")
    parser.add_argument("--details", action="store_true",
                        help="with --list: each failing probe and its first error line")
    args = parser.parse_args(argv)
    categories = tuple(c for c in args.category.split(",") if c) or CATEGORIES
    unknown = set(categories) - set(CATEGORIES)
    if unknown:
        parser.error(f"unknown category {', '.join(sorted(unknown))}")
    listed = set(STATUSES) if args.list == "all" else {s for s in args.list.split(",") if s}
    if listed - set(STATUSES):
        parser.error(f"unknown status {', '.join(sorted(listed - set(STATUSES)))}")
    names = {n for n in args.name.split(",") if n} or None
    start = time.perf_counter()
    results = run_all(categories, names)
    print(format_summary(results))
    print(f"\n{len(results)} names probed in {time.perf_counter() - start:.0f} s")
    for status in STATUSES:
        if status not in listed:
            continue
        chosen = [r for r in results.values() if r.status == status]
        print(f"\n{status} ({len(chosen)}):")
        for r in chosen:
            print(f"  {r.category:9} {r.name}")
            if args.details:
                for line in r.details:
                    print(f"      {line}")
    return 0


if __name__ == "__main__":
    sys.exit(run_for_shell(main))
