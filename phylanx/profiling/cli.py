"""`python -m phylanx profile FILE.py:FUNC --args-from MODULE:MAKE_ARGS [--html ...] ...`

Calls the kernel on MAKE_ARGS()'s arguments (a tuple of positional arguments, or a dict of
keyword arguments) inside `phylanx.profile()`, prints the table and writes the views asked for.
A first call outside the profile compiles the kernel (--warmup 0 to profile it cold: compiling
is not a runtime node, so it shows only in the wall time around the table).
"""

from __future__ import annotations

import sys

from phylanx._loading import load_args, load_attr


def add_profile_command(sub) -> None:
    p = sub.add_parser("profile", help="profile a kernel call: table, HTML tree, trace, CSV")
    p.add_argument("target", help="path/to/file.py:function (or module:function)")
    p.add_argument("--args-from", required=True, metavar="MODULE:MAKE_ARGS",
                   help="a function returning the arguments (tuple) or keyword arguments (dict)")
    p.add_argument("--repeat", type=int, default=1, help="profiled calls (default 1)")
    p.add_argument("--warmup", type=int, default=1,
                   help="unprofiled calls first, to compile (default 1)")
    p.add_argument("--html", metavar="FILE", help="write the interactive execution tree")
    p.add_argument("--trace", metavar="FILE", help="write Trace Event JSON (Perfetto)")
    p.add_argument("--csv", metavar="FILE", help="write the per-node counters")
    p.add_argument("--lines-csv", metavar="FILE", help="write the per-line counters")
    p.add_argument("--dot", metavar="FILE", help="write the tree as Graphviz DOT")
    p.add_argument("--newick", metavar="FILE", help="write the tree as Newick")
    p.add_argument("--limit", type=int, default=30, help="table rows (0: all)")
    p.add_argument("--quiet", action="store_true", help="do not print the table")
    p.set_defaults(run=cmd_profile)


def cmd_profile(args) -> int:
    import phylanx
    from phylanx import CompileError
    from phylanx.kernel import Kernel

    func = load_attr(args.target, "target")
    kern = func if isinstance(func, Kernel) else Kernel(getattr(func, "py_func", func))
    pos, kw = load_args(args.args_from)
    try:
        for _ in range(args.warmup):
            kern(*pos, **kw)
        with phylanx.profile() as prof:
            for _ in range(args.repeat):
                kern(*pos, **kw)
    except CompileError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(prof.table(limit=args.limit or None), end="")
    for path, write in ((args.html, prof.to_html), (args.trace, prof.to_chrome_trace),
                        (args.csv, prof.to_csv), (args.dot, prof.to_dot),
                        (args.newick, prof.to_newick)):
        if path:
            write(path)
            print(f"wrote {path}", file=sys.stderr)
    if args.lines_csv:
        prof.to_csv(args.lines_csv, by="line")
        print(f"wrote {args.lines_csv}", file=sys.stderr)
    return 0
