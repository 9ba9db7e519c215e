"""Loading what a command line names: `MODULE:NAME` or `path/to/file.py:NAME`, and the
arguments a `MODULE:MAKE_ARGS` function returns (used by `python -m phylanx` and its
subcommands)."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path


def load_attr(spec: str, what: str):
    """`module.name:attr` or `path/to/file.py:attr` -> the attribute."""
    target, sep, name = spec.rpartition(":")
    if not sep or not target or not name:
        raise SystemExit(f"{what}: expected MODULE:NAME or FILE.py:NAME, got {spec!r}")
    if target.endswith(".py") or "/" in target:
        file = Path(target)
        if not file.is_file():
            raise SystemExit(f"{what}: no such file: {target}")
        mod_spec = importlib.util.spec_from_file_location(file.stem, file)
        module = importlib.util.module_from_spec(mod_spec)
        sys.modules[file.stem] = module
        mod_spec.loader.exec_module(module)
    else:
        try:
            module = importlib.import_module(target)
        except ImportError as e:
            raise SystemExit(f"{what}: cannot import {target}: {e}") from None
    try:
        return getattr(module, name)
    except AttributeError:
        raise SystemExit(f"{what}: {target} has no attribute {name!r}") from None


def load_args(spec: str) -> tuple[tuple, dict]:
    """`MODULE:MAKE_ARGS` -> (positional, keyword) arguments: MAKE_ARGS() returns a tuple (or
    list) of positional arguments or a dict of keyword arguments."""
    made = load_attr(spec, "--args-from")()
    if isinstance(made, dict):
        return (), made
    if isinstance(made, (tuple, list)):
        return tuple(made), {}
    raise SystemExit("--args-from: the function must return a tuple of arguments or a "
                     f"dict of keyword arguments, not {type(made).__name__}")
