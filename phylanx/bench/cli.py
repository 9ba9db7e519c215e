"""``python -m phylanx.bench``: time phylanx kernels against their NumPy twins.

    python -m phylanx.bench                                  # every workload, sizes xs,s,m
    python -m phylanx.bench --workloads logreg,als --sizes s,m --threads 1,2 --plot out.png
    python -m phylanx.bench --workloads none --targets       # the runtime's target figures
    python -m phylanx.bench --targets --plot docs/performance.png --update-doc docs/performance.md
    python -m phylanx.bench --workloads none --corpus s      # the corpus kernels at size s

For every workload, size and thread count it prints one row of a markdown table (see
`phylanx.bench.compare`): the median times of the NumPy twin and of the kernel, the speedup
(NumPy time / phylanx time), the share of ops run through the NumPy fallback and the result
check; NumExpr, Numba, JAX and Dask columns appear when those packages are installed. Progress
goes to stderr. ``--plot`` draws the paper's figures: time vs threads for LogReg and ALS, and
the speedup over NumPy per problem size. ``--targets`` adds a second table: the runtime's
performance figures at their sizes, each beside its target (see `phylanx.bench.targets`).
``--corpus SIZE`` adds the corpus table: every kernel of `phylanx.corpus` (real code written by
others) that compiles and matches NumPy, timed at that size with the largest --threads, its
speedup and the geometric mean (see `phylanx.bench.corpus`). ``--update-doc`` writes the tables into the marked sections of a markdown file
(docs/performance.md), so the committed tables are what this script printed.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys

from phylanx.bench import compare, report, targets
from phylanx.bench import corpus as corpus_table
from phylanx.bench.workloads import WORKLOADS, clear_cases
from phylanx.corpus.fetch import CorpusUnavailable


def main(argv: list[str] | None = None) -> int:
    """Run the command line; 0 when every phylanx result matched NumPy's."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(prog="python -m phylanx.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workloads", default=",".join(WORKLOADS),
                        help=f"comma-separated, from: {', '.join(WORKLOADS)} (default: all); "
                             "'none' for no main table")
    parser.add_argument("--sizes", default=compare.DEFAULT_SIZES,
                        help="comma-separated size names xs,s,m,l (default "
                             f"{compare.DEFAULT_SIZES}); see --list")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per case (median)")
    parser.add_argument("--max-time", type=float, default=2.0,
                        help="stop repeating a case after this many seconds (>= 3 runs)")
    parser.add_argument("--targets", nargs="?", const="all", metavar="FIGURES",
                        help="also measure the runtime's target figures at their sizes with 2 "
                             "threads (or the largest --threads) and print each beside its "
                             "target; optionally a comma-separated subset of: "
                             + ", ".join(targets.MEASUREMENTS))
    parser.add_argument("--corpus", nargs="?", const="s", metavar="SIZE",
                        choices=("xs", "s", "m"),
                        help="also time the corpus kernels at this size (default s) and print "
                             "each speedup and the geometric mean")
    parser.add_argument("--corpus-kernels", default="", metavar="NAMES",
                        help="with --corpus: only kernels whose name contains one of these "
                             "comma-separated parts")
    parser.add_argument("--plot", metavar="PNG", help="draw the figures into this file")
    parser.add_argument("--update-doc", metavar="MD",
                        help="write the tables into the marked sections of this markdown file")
    parser.add_argument("--list", action="store_true", help="list workloads and sizes")
    args = parser.parse_args(argv)
    if args.list:
        for w in WORKLOADS.values():
            sizes = ", ".join(f"{k}={'x'.join(map(str, v))}" for k, v in w.sizes.items())
            print(f"{w.name:13s} {w.doc}\n{'':13s} sizes: {sizes}")
        print("target figures (--targets): " + ", ".join(targets.MEASUREMENTS))
        return 0
    workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]
    if workloads == ["none"]:
        workloads = []
    unknown = [w for w in workloads if w not in WORKLOADS]
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    bad_sizes = [s for s in sizes if workloads and not any(
        s in WORKLOADS[w].sizes for w in workloads if w in WORKLOADS)]
    if unknown or bad_sizes:
        parser.error(f"unknown workloads {unknown} or sizes {bad_sizes} (see --list)")
    try:
        threads = [int(t) for t in args.threads.split(",") if t.strip()]
    except ValueError:
        parser.error(f"--threads must be integers, got {args.threads!r}")
    if not threads or min(threads) < 1:
        parser.error("--threads must be >= 1")
    figures_wanted = None
    if args.targets not in (None, "all"):
        figures_wanted = [f.strip() for f in args.targets.split(",") if f.strip()]
        bad = [f for f in figures_wanted if f not in targets.MEASUREMENTS]
        if bad:
            parser.error(f"unknown --targets figures {bad}; known: "
                         + ", ".join(targets.MEASUREMENTS))
    if not workloads and args.targets is None and args.corpus is None:
        parser.error("nothing to measure: --workloads none without --targets or --corpus")
    if args.plot and not workloads:
        parser.error("--plot needs the main table's workloads")
    if args.update_doc and not os.path.exists(args.update_doc):
        parser.error(f"--update-doc: no file {args.update_doc}")
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = report.load_average()
    try:
        rows = (compare.run(workloads, sizes, threads, max(1, args.repeat), args.max_time,
                            report.progress) if workloads else [])
        figures = None
        if args.targets is not None:
            figures = targets.run(2 if 2 in threads else max(threads), max(1, args.repeat),
                                  max(args.max_time, 10.0), figures_wanted, report.progress)
        corpus_rows = None
        if args.corpus is not None:
            try:
                corpus_rows = corpus_table.run(args.corpus, max(threads), args.corpus_kernels,
                                               min(args.max_time, 1.0), report.progress)
            except CorpusUnavailable as e:
                parser.exit(2, f"--corpus: the corpus cannot be fetched: {e}\n")
        if sys.stderr.isatty():
            print(file=sys.stderr)  # ends the progress line
    finally:
        clear_cases()
    facts = report.machine_facts()  # after the run: every library's thread pool is loaded by now
    facts.append(f"load average (1 min): {load_before} before the run, "
                 f"{report.load_average()} after")
    elapsed = (datetime.datetime.now(datetime.timezone.utc) - started).total_seconds()
    command = " ".join(["python -m phylanx.bench", *argv])
    facts.append(f"{started:%Y-%m-%d %H:%M} UTC, {report.git_commit()}, {elapsed:.0f} s: {command}")
    print("\n".join(facts) + "\n")
    sections = {"machine": "```\n" + "\n".join(facts) + "\n```\n"}
    if rows:
        sections["table"] = compare.format_table(rows) + "\n"
        print(sections["table"])
    if figures is not None:
        sections["targets"] = targets.format_table(figures) + "\n"
        print(sections["targets"])
    if corpus_rows is not None:
        sections["corpus"] = corpus_table.format_table(corpus_rows, args.corpus,
                                                       max(threads)) + "\n"
        print(sections["corpus"])
    if args.plot:
        report.plot(rows, args.plot)
        print(f"plot written to {args.plot}", file=sys.stderr)
    if args.update_doc:
        report.update_doc(args.update_doc, sections)
        print(f"tables written to {args.update_doc} ({', '.join(sections)})", file=sys.stderr)
    ok = all(r["check"] == "ok" for r in rows) and all(
        f.check != "DIFF" for f in figures or []) and all(
        r["status"] in ("works", "refused") for r in corpus_rows or [])
    return 0 if ok else 1
