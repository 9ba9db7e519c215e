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


@_rule("a returned intermediate of a fused group comes back with the group's broadcast shape "
       "(and later uses of it see that shape)")
def _fused_shape(r):
    return _first(r).get("category") in ("shape", "value", "nan", "spurious error",
                                          "exception class") and \
        "fuse-elementwise" in r.get("blame", "")


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


@_rule("variable dtype widened on paths never taken (also min()/max() of int and float)")
def _widened(r):
    first = _first(r)
    if first.get("category") == "type" and re.search(r": float \S+ != int ", first["detail"]):
        return True
    return bool(r.get("features", {}).get("retype variable")) and \
        first.get("category") in ("dtype", "value", "type", "nan")


@_rule("x ** inf (or nan) fails at compile time in canonicalize")
def _pow_inf(r):
    first = _first(r)
    return first.get("category") == "internal error" and "canonicalize" in first["detail"] and \
        re.search(r"convert float (NaN|infinity) to integer", first["detail"]) is not None


def known_class(result: dict) -> str | None:
    """The known bug class of a failing result, or None."""
    for label, rule in KNOWN_CLASSES:
        if rule(result):
            return label
    return None


@_rule("a variable unbound on the path taken reads as zeros/empty instead of UnboundLocalError")
def _unbound(r):
    return "UnboundLocalError" in r.get("python", "") or any(
        "UnboundLocalError" in f.get("detail", "") for f in r.get("failures", []))


@_rule("np.bool_ results come back as Python bool (one PhySL type for both), and so does "
       "arithmetic on them")
def _np_bool(r):
    first = _first(r)
    return first.get("category") == "type" and r.get("blame", "").startswith("frontend") and \
        re.search(r": (bool|int|float) \S+ != numpy\.", first["detail"]) is not None


@_rule("a constant if-condition is evaluated at compile time: its warnings on the first call "
       "only (probably)")
def _folded_if(r):
    first = _first(r)
    return first.get("category") == "warnings" and first["detail"].startswith("kernel [] ") and \
        r.get("blame", "").startswith("frontend or runtime") and \
        re.search(r"\n\s*if [^\n]*np\.\w+\((np\.nan|np\.inf|-?[\d.]+|True|False)[,)]",
                  r.get("source", "")) is not None


@_rule("LICM hoists warning/raising ops out of loops that do not run")
def _licm(r):
    return "pass 'licm'" in r.get("blame", "") and \
        set(r.get("categories", [])) <= {"warnings", "spurious error", "exception class"}


@_rule("a native kernel's _Decline escapes instead of falling back to NumPy")
def _decline(r):
    return any("_Decline" in f.get("detail", "") for f in r.get("failures", []))


@_rule("dce crashes ('NoneType' object has no attribute 'parent') on loops of 0 iterations")
def _dce_crash(r):
    first = _first(r)
    return first.get("category") == "internal error" and "pass 'dce' failed" in first["detail"] \
        and "'parent'" in first["detail"]


@_rule("x op= y whose broadcast result does not fit x: computed (and warns) before NumPy's "
       "ValueError, or no error at all")
def _inplace_broadcast(r):
    return any("non-broadcastable output operand" in f.get("detail", "")
               for f in r.get("failures", [])) or \
        "non-broadcastable output operand" in r.get("python", "")
