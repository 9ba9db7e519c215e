"""Command-line parts of the optimizer: pass flags of `physl` and the `opt` subcommand.

    python -m phylanx physl file.py:func --types "..." --print-ir-after-all
    python -m phylanx physl file.py:func --types "..." --diff canonicalize,final
    python -m phylanx opt file.physl -p cse,dce --print-ir-before=cse --print-ir-after-change \\
        --time-passes --diagnostics
    python -m phylanx opt test.physl -p licm --verify-diagnostics

What the flags ask for (IR dumps, the timing table, the remarks, a diff of two stages) goes to
stdout, or to --dump-file, in pipeline order; then the final PhySL (what runs), under a
`# *** final IR ***` header when something came before it (`opt -o FILE` writes it to FILE).
`--diff A,B` prints a diff of two stages that lines values up by name and source location
(passes.stage_diff) instead of the final PhySL. `opt` reads the pipeline from a
`# pipeline: ...` line of its input (as reproducer files have) when -p is not given, else uses
the default pipeline. `--verify-diagnostics` checks the remarks and the error against the
input's `# EXPECT-REMARK:` / `# EXPECT-ERROR:` lines (passes.filecheck), for pass tests written
as text files (passes.lit).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys

from .manager import DEFAULT_PIPELINE, run_pipeline

_PASS_FLAGS = ("passes", "print_ir_before", "print_ir_after", "print_ir_after_all",
               "print_ir_after_change", "time_passes", "diagnostics", "no_verify", "diff",
               "dump_file")
FINAL_HEADER = "# *** final IR (after the pipeline: what runs) ***\n"


def add_pass_flags(parser: argparse.ArgumentParser, pipeline_flag: str = "--passes") -> None:
    names = ("-p", pipeline_flag) if pipeline_flag == "--pipeline" else (pipeline_flag,)
    parser.add_argument(*names, dest="passes", metavar="PIPELINE", default=None,
                        help=f"pass pipeline (default: {DEFAULT_PIPELINE})")
    parser.add_argument("--print-ir-before", action="append", default=[], metavar="PASS",
                        help="dump the IR before these passes (repeat or comma-separate)")
    parser.add_argument("--print-ir-after", action="append", default=[], metavar="PASS",
                        help="dump the IR after these passes (repeat or comma-separate)")
    parser.add_argument("--print-ir-after-all", action="store_true",
                        help="dump the IR after every pass")
    parser.add_argument("--print-ir-after-change", action="store_true",
                        help="dump the IR after every pass that changed it")
    parser.add_argument("--time-passes", action="store_true",
                        help="print wall time and statistics of each pass")
    parser.add_argument("--diagnostics", action="store_true",
                        help="print what was fused, hoisted, parallelised, and what was not")
    parser.add_argument("--no-verify", action="store_true",
                        help="do not verify the IR after each pass")
    parser.add_argument("--diff", metavar="A,B", type=_stage_pair,
                        help="print a diff of stages A and B (input, a pass name, cse#2, "
                             "final) lining values up by name and location, not SSA numbers")
    parser.add_argument("--dump-file", metavar="FILE",
                        help="write dumps, timings, remarks and diffs to FILE (default: stdout)")


def _stage_pair(text: str) -> tuple[str, str]:
    names = [n.strip() for n in text.split(",")]
    if len(names) != 2 or not all(names):
        raise argparse.ArgumentTypeError(f"expected two stage names A,B, got {text!r}")
    return names[0], names[1]


def wants_passes(args) -> bool:
    """True if any optimizer flag was given to `physl`."""
    return any(bool(getattr(args, name, None)) for name in _PASS_FLAGS) or \
        getattr(args, "passes", None) is not None


def _names(values) -> list[str]:
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


def _run(module, pipeline: str, args, out):
    result = run_pipeline(module, pipeline, verify=not args.no_verify,
                          print_before=_names(args.print_ir_before),
                          print_after=_names(args.print_ir_after),
                          print_after_all=args.print_ir_after_all,
                          print_after_change=args.print_ir_after_change,
                          time_passes=args.time_passes, out=out,
                          locations=not getattr(args, "no_locations", False))
    if args.diagnostics:
        out.write(result.diagnostics.report())
    if args.diff:
        from .stage_diff import stage_diff

        a, b = args.diff
        try:
            texts = result.stage(a), result.stage(b)
        except KeyError as e:
            raise ValueError(e.args[0]) from None
        out.write(stage_diff(*texts, a, b, locations=not getattr(args, "no_locations", False))
                  or f"# stages {a} and {b} are the same\n")
    return result


@contextlib.contextmanager
def _dump_stream(args):
    """Where dumps go: --dump-file, else a buffer printed to stdout before the result."""
    if args.dump_file:
        with open(args.dump_file, "w") as f:
            yield f
    else:
        buf = io.StringIO()
        try:
            yield buf
        finally:
            sys.stdout.write(buf.getvalue())


def _optimize(module, pipeline: str, args):
    """Run the pipeline with the flags' dumps; (result, the header the final PhySL needs on
    stdout after them: "" when nothing came before it)."""
    with _dump_stream(args) as out:
        result = _run(module, pipeline, args, out)
        text = "" if args.dump_file else out.getvalue()
    header = "" if not text else ("" if text.endswith("\n\n") else "\n") + FINAL_HEADER
    return result, header


def physl_with_passes(module, args) -> int:
    """`physl` with optimizer flags: run the pipeline on `module`, print what was asked."""
    from phylanx.errors import PassError
    from phylanx.ir.printer import print_module

    try:
        result, header = _optimize(module, DEFAULT_PIPELINE if args.passes is None
                                   else args.passes, args)
    except (PassError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if not args.diff:
        sys.stdout.write(header + print_module(result.module, locations=not args.no_locations))
    return 0


_PIPELINE_LINE = re.compile(r"^#\s*pipeline:\s*(.*)$", re.MULTILINE)


def cmd_opt(args) -> int:
    from phylanx.errors import PassError
    from phylanx.ir.lexer import ParseError
    from phylanx.ir.parser import parse_physl
    from phylanx.ir.printer import print_module
    from phylanx.ir.verifier import VerifyError, verify_module

    if args.file == "-":
        text = sys.stdin.read()
    else:
        with open(args.file) as f:
            text = f.read()
    pipeline = args.passes
    if pipeline is None:
        m = _PIPELINE_LINE.search(text)
        pipeline = m.group(1).strip() if m else DEFAULT_PIPELINE
    try:
        try:
            module = parse_physl(text)
            verify_module(module)
        except (ParseError, VerifyError) as e:
            raise ValueError(f"{args.file}: {e}") from None
        result, header = _optimize(module, pipeline, args)
    except (PassError, ValueError) as e:
        if args.verify_diagnostics:
            return _verify_diagnostics(text, args.file, [], str(e))
        print(f"error: {e}", file=sys.stderr)
        return 1
    if args.verify_diagnostics and _verify_diagnostics(text, args.file, result.diagnostics):
        return 1
    out = print_module(result.module, locations=not args.no_locations)
    if args.output:
        with open(args.output, "w") as f:
            f.write(out)
    elif not args.diff:
        sys.stdout.write(header + out)
    return 0


def _verify_diagnostics(text: str, file: str, remarks, error: str | None = None) -> int:
    """Check the input's EXPECT-REMARK / EXPECT-ERROR lines: 0 if all hold (an expected error
    then is no failure), else 1 with what does not match on stderr."""
    from .filecheck import diagnostic_mismatches, expected_diagnostics

    expected = expected_diagnostics(text)
    remarks = [str(r) for r in remarks]
    problems = diagnostic_mismatches(expected, remarks, error, file)
    if error is not None and not any(e.kind == "ERROR" for e in expected):
        problems = [f"unexpected error: {error}"]
    elif problems:
        problems.append(f"the error: {error}" if error is not None else
                        "the remarks:" + "".join(f"\n  {r}" for r in remarks) if remarks
                        else "no remarks")
    for p in problems[:-1] if len(problems) > 1 else problems:
        print(f"error: {p}", file=sys.stderr)
    if len(problems) > 1:
        print(f"note: {problems[-1]}", file=sys.stderr)
    return 1 if problems else 0


def add_opt_command(sub) -> None:
    """Register `python -m phylanx opt FILE.physl [-p PIPELINE] [flags]`."""
    opt = sub.add_parser("opt", help="run optimizer passes on a PhySL file")
    opt.add_argument("file", help="PhySL file ('-': standard input)")
    add_pass_flags(opt, "--pipeline")
    opt.add_argument("-o", "--output", help="write the result here instead of stdout")
    opt.add_argument("--no-locations", action="store_true", help="hide source locations")
    opt.add_argument("--verify-diagnostics", action="store_true",
                     help="check the remarks and the error against the input's "
                          "`# EXPECT-REMARK: pattern` and `# EXPECT-ERROR: pattern` lines "
                          "(exit 0 when an expected error happens)")
    opt.set_defaults(run=cmd_opt)
