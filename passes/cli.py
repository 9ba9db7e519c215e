"""Command-line parts of the optimizer: pass flags of `physl` and the `opt` subcommand.

    python -m phylanx physl file.py:func --types "..." --print-ir-after-all
    python -m phylanx opt file.physl -p cse,dce --print-ir-before=cse --print-ir-after-change \\
        --time-passes --diagnostics

IR dumps, timing tables and diagnostics go to stderr; the optimized PhySL to stdout (or -o).
`opt` reads the pipeline from a `# pipeline: ...` line of its input (as reproducer files have)
when -p is not given, else uses the default pipeline.
"""

from __future__ import annotations

import argparse
import re
import sys

from .manager import DEFAULT_PIPELINE, run_pipeline

_PASS_FLAGS = ("passes", "print_ir_before", "print_ir_after", "print_ir_after_all",
               "print_ir_after_change", "time_passes", "diagnostics", "no_verify")


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


def wants_passes(args) -> bool:
    """True if any optimizer flag was given to `physl`."""
    return any(bool(getattr(args, name, None)) for name in _PASS_FLAGS) or \
        getattr(args, "passes", None) is not None


def _names(values) -> list[str]:
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


def _run(module, pipeline: str, args, out=None):
    out = out if out is not None else sys.stderr
    result = run_pipeline(module, pipeline, verify=not args.no_verify,
                          print_before=_names(args.print_ir_before),
                          print_after=_names(args.print_ir_after),
                          print_after_all=args.print_ir_after_all,
                          print_after_change=args.print_ir_after_change,
                          time_passes=args.time_passes, out=out,
                          locations=not getattr(args, "no_locations", False))
    if args.diagnostics:
        out.write(result.diagnostics.report())
    return result


def physl_with_passes(func, args) -> int:
    """`physl` with optimizer flags: compile `func`, run the pipeline, print the result."""
    from phylanx.compiler import compile_function
    from phylanx.errors import PassError
    from phylanx.ir.printer import print_module
    from phylanx.ir.types import parse_types

    module = compile_function(func, list(parse_types(args.types)))
    try:
        result = _run(module, DEFAULT_PIPELINE if args.passes is None else args.passes, args)
    except (PassError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(print_module(result.module, locations=not args.no_locations), end="")
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
        module = parse_physl(text)
        verify_module(module)
    except (ParseError, VerifyError) as e:
        print(f"error: {args.file}: {e}", file=sys.stderr)
        return 1
    try:
        result = _run(module, pipeline, args)
    except (PassError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    out = print_module(result.module, locations=not args.no_locations)
    if args.output:
        with open(args.output, "w") as f:
            f.write(out)
    else:
        print(out, end="")
    return 0


def add_opt_command(sub) -> None:
    """Register `python -m phylanx opt FILE.physl [-p PIPELINE] [flags]`."""
    opt = sub.add_parser("opt", help="run optimizer passes on a PhySL file")
    opt.add_argument("file", help="PhySL file ('-': standard input)")
    add_pass_flags(opt, "--pipeline")
    opt.add_argument("-o", "--output", help="write the result here instead of stdout")
    opt.add_argument("--no-locations", action="store_true", help="hide source locations")
    opt.set_defaults(run=cmd_opt)
