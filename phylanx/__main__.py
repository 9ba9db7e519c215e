"""Command line: `python -m phylanx demo | physl FILE.py:FUNC --types "..." | ops`."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path


def load_function(spec: str):
    """`path/to/file.py:func` -> the function object (the file is imported as a module)."""
    path, sep, name = spec.rpartition(":")
    if not sep or not path:
        raise SystemExit(f"expected FILE.py:FUNCTION, got {spec!r}")
    file = Path(path)
    if not file.is_file():
        raise SystemExit(f"no such file: {path}")
    mod_spec = importlib.util.spec_from_file_location(file.stem, file)
    module = importlib.util.module_from_spec(mod_spec)
    sys.modules[file.stem] = module
    mod_spec.loader.exec_module(module)
    try:
        func = getattr(module, name)
    except AttributeError:
        raise SystemExit(f"{path} has no function {name!r}") from None
    return getattr(func, "py_func", func)


def cmd_physl(args) -> int:
    from phylanx import CompileError
    from phylanx.kernel import Kernel

    func = load_function(args.target)
    try:
        text = Kernel(func).physl(types=args.types, locations=not args.no_locations)
    except CompileError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(text, end="")
    return 0


def cmd_demo(args) -> int:
    from phylanx.demo import main

    return main(n=args.rows, d=args.cols, iterations=args.iterations)


def cmd_ops(args) -> int:
    from phylanx.ir.registry import op_table_markdown

    print(op_table_markdown())
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m phylanx")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="compile and run a LogReg kernel, check it vs NumPy")
    demo.add_argument("--rows", type=int, default=2000)
    demo.add_argument("--cols", type=int, default=100)
    demo.add_argument("--iterations", type=int, default=100)
    demo.set_defaults(run=cmd_demo)
    physl = sub.add_parser("physl", help="print the PhySL of FILE.py:FUNC")
    physl.add_argument("target", help="path/to/file.py:function")
    physl.add_argument("--types", required=True,
                       help='argument types, e.g. "f64[?,?], f64[?], float, int"')
    physl.add_argument("--no-locations", action="store_true", help="hide source locations")
    physl.set_defaults(run=cmd_physl)
    ops = sub.add_parser("ops", help="print the op table (markdown)")
    ops.set_defaults(run=cmd_ops)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
