"""Structured control flow, calls and constants.

    %r... = if %cond : T... then { ... yield %a... } else { ... yield %b... }
    %r... = for_range %lo, %hi, %step, %init... : T... body(%i: int, %c...: T...) {
                ... yield %next... }
    %r... = while %init... : T... cond(%c...: T...) { ... yield %keep_going }
                                  body(%c...: T...) { ... yield %next... }
    %r = call %args... {callee = name} : T
Regions may use values of enclosing blocks; loop-carried values are explicit block arguments.
"""

from __future__ import annotations

from phylanx.analysis.raising import always
from phylanx.ir.registry import Attr, TypeRuleError, declare
from phylanx.ir.types import BOOL, INT, ScalarType, Type, refines


def _yielded(block, what: str) -> list[Type]:
    term = block.terminator
    if term is None or term.name != "yield":
        raise TypeRuleError(f"{what} region does not end with 'yield'")
    return [v.type for v in term.operands]


def _check_types(got: list, want: list, what: str) -> None:
    if len(got) != len(want) or not all(refines(g, w) for g, w in zip(got, want)):
        raise TypeRuleError(f"{what} has types ({', '.join(map(str, got))}), "
                            f"expected ({', '.join(map(str, want))})")


def _is_int(t: Type) -> bool:
    return isinstance(t, ScalarType) and t.kind in ("int", "i8", "i16", "i32", "i64", "u8",
                                                     "u16", "u32", "u64", "bool")


def _verify_if(op, f, module) -> None:
    if op.operands[0].type != BOOL:
        raise TypeRuleError(f"condition must be bool, got {op.operands[0].type}")
    want = [r.type for r in op.results]
    for label, block in zip(("then", "else"), op.regions):
        if block.args:
            raise TypeRuleError(f"'{label}' region takes no arguments")
        _check_types(_yielded(block, label), want, f"'{label}' yield")


def _verify_for(op, f, module) -> None:
    for v, what in zip(op.operands[:3], ("lower bound", "upper bound", "step")):
        if not _is_int(v.type):
            raise TypeRuleError(f"{what} must be an integer scalar, got {v.type}")
    init = [v.type for v in op.operands[3:]]
    _check_types([r.type for r in op.results], init, "results")
    (body,) = op.regions
    _check_types([a.type for a in body.args], [INT] + init, "body arguments")
    _check_types(_yielded(body, "body"), init, "body yield")


def _verify_while(op, f, module) -> None:
    init = [v.type for v in op.operands]
    _check_types([r.type for r in op.results], init, "results")
    cond, body = op.regions
    _check_types([a.type for a in cond.args], init, "cond arguments")
    _check_types(_yielded(cond, "cond"), [BOOL], "cond yield")
    _check_types([a.type for a in body.args], init, "body arguments")
    _check_types(_yielded(body, "body"), init, "body yield")


def _verify_call(op, f, module) -> None:
    if module is None:
        return
    callee = module.functions.get(op.attrs["callee"])
    if callee is None:
        raise TypeRuleError(f"no function @{op.attrs['callee']} in the module")
    _check_types([v.type for v in op.operands], [a.type for a in callee.args], "call arguments")
    _check_types([r.type for r in op.results], [callee.result_type], "call result")


def _verify_return(op, f, module) -> None:
    if len(op.operands) != 1:
        raise TypeRuleError("return takes exactly one value")
    _check_types([op.operands[0].type], [f.result_type], "returned value")


declare("if", operands=("cond",), regions=("then", "else"), traits=("control",), results=-1,
        verify=_verify_if, doc="Run one of two regions; results are the yielded values.")
declare("for_range", operands=("lower", "upper", "step", "init*"), regions=("body",),
        attrs=(Attr("parallel", False, kind="bool"),), traits=("control",), results=-1,
        verify=_verify_for,
        doc="Python's `for i in range(lower, upper, step)` with loop-carried values; "
            "`parallel = true` when iterations are independent (set by parallelize-loops).")
declare("while", operands=("init*",), regions=("cond", "body"), traits=("control",), results=-1,
        verify=_verify_while, doc="Loop while the cond region yields true.")
declare("yield", operands=("values*",), traits=("terminator",), results=0,
        verify=lambda op, f, m: None, quiet_when=always, doc="Hand values back to the enclosing op.")
declare("return", operands=("value",), traits=("terminator",), results=0,
        verify=_verify_return, doc="Return from the function.")
declare("call", operands=("args*",), attrs=(Attr("callee", kind="str"),), results=-1,
        verify=_verify_call, doc="Call another function of the module.")


# --- raise ---------------------------------------------------------------------------------

def exception_class(name: str) -> type[BaseException]:
    """The exception class an op's `exception` attribute names: a builtin (`ValueError`) or
    `module:qualname` (`numpy.linalg:LinAlgError`)."""
    import builtins
    import importlib

    module, _, qualname = name.rpartition(":")
    obj = importlib.import_module(module) if module else builtins
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
    if not (isinstance(obj, type) and issubclass(obj, BaseException)):
        raise TypeRuleError(f"'{name}' is not an exception class")
    return obj


def exception_name(cls: type[BaseException]) -> str:
    """The inverse of exception_class."""
    return cls.__qualname__ if cls.__module__ == "builtins" \
        else f"{cls.__module__}:{cls.__qualname__}"


def _raise(*values, exception: str, message: str | None, percent: bool = False):
    cls = exception_class(exception)
    if message is None:
        raise cls()
    raise cls(message % values if percent else message.format(*values))


def _infer_raise(types, attrs):
    exception_class(attrs["exception"])   # an unknown class fails here, at compile time
    return []


declare("raise", operands=("values*",),
        attrs=(Attr("exception", kind="str"), Attr("message", None, kind="any"),
               Attr("percent", False, kind="bool")),
        infer=_infer_raise, impl=_raise, results=0,
        doc="Raise `exception` (a builtin name or `module:qualname`) with `message`, a "
            "str.format template of the operands (Python's f-string formatting; with "
            "`percent`, a %-format string: `message % operands`), or without arguments when "
            "`message` is none. Python's `raise E(...)` and `assert`.")
