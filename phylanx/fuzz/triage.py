"""Sorting failures into known bug classes, so that new ones stand out in a large run.

Each rule looks at one failing result (as the worker reports it: categories, failures, blame,
features, program text) and names a class, or None. The classes are bugs already filed;
a rule whose bug is fixed simply stops matching. Everything unmatched is "unexplained"."""

from __future__ import annotations

import re

# (label, rule) in order; the first match wins.
KNOWN_CLASSES = []


def _rule(label: str):
    def register(func):
        KNOWN_CLASSES.append((label, func))
        return func
    return register


def _first(r: dict) -> dict:
    return r["failures"][0] if r.get("failures") else {}


@_rule("NumPy TypeError refused as a CompileError that is not a TypeError")
def _type_error_class(r):
    return _first(r).get("category") == "refused, not the Python class"


@_rule("DCE drops errors/warnings of unused ops")
def _dce(r):
    blame = r.get("blame", "")
    return set(r.get("categories", [])) <= {"warnings", "missing error"} and (
        "pass 'dce'" in blame or blame.startswith("optimizer passes"))


@_rule("globals read at first compile")
def _globals(r):
    return bool(r.get("features", {}).get("global")) and _first(r).get("config") == "second call"


@_rule("variable dtype widened on paths never taken")
def _widened(r):
    return bool(r.get("features", {}).get("retype variable")) and \
        _first(r).get("category") in ("dtype", "value", "type", "nan")


@_rule("x ** inf (or nan) fails at compile time in canonicalize")
def _pow_inf(r):
    return _first(r).get("category") == "internal error" and re.search(
        r"(\*\*\s*-?np\.(inf|nan))|power\(.*np\.(inf|nan)", r.get("source", "")) is not None


def known_class(result: dict) -> str | None:
    """The known bug class of a failing result, or None."""
    for label, rule in KNOWN_CLASSES:
        if rule(result):
            return label
    return None
