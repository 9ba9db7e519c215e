"""Python AST -> PhySL: the lowering driver, values, statements and control flow.

Expressions live in `expressions.py`, calls and attributes in `calls.py`; the three are
mixins of one `Lowerer` per function being compiled.
"""

from __future__ import annotations

import ast
import builtins
import warnings
from contextlib import contextmanager

import numpy as np

from phylanx.errors import CompileError
from phylanx.frontend.calls import CallsMixin
from phylanx.frontend.desugar import RET, desugar
from phylanx.frontend.expressions import ExpressionsMixin
from phylanx.frontend.liveness import Liveness
from phylanx.frontend.local_functions import LocalFunction, LocalFunctionsMixin
from phylanx.frontend.messages import MessagesMixin
from phylanx.frontend.records import KernelDict, RecordsMixin
from phylanx.frontend.scope import DEAD, EMPTY_LIST, UNKNOWN, NeedsType, Static, hint_for
from phylanx.frontend.source import read_source
from phylanx.frontend.statements import StatementsMixin
from phylanx.frontend.strength import StrengthMixin, weak_twin
from phylanx.frontend.unbound import guard_unbound_reads
from phylanx.ir.core import Block, Function, Location, Module, Value
from phylanx.ir.registry import Builder, TypeRuleError, lookup
from phylanx.ir.types import (
    BOOL,
    COMPLEX,
    DTYPES,
    FLOAT,
    INT,
    NONE,
    ArrayType,
    ListType,
    ScalarType,
    TupleType,
    Type,
    dtype_name,
    refines,
    same_kind_of_value,
    type_of_value,
    unify,
)
from phylanx.ops.values import materialize, materializes_as_itself

_FOLDABLE_SKIP = {"random", "io", "inplace", "view", "control", "terminator"}


class Lowerer(StatementsMixin, MessagesMixin, LocalFunctionsMixin, RecordsMixin, ExpressionsMixin,
              CallsMixin, StrengthMixin):
    def __init__(self, func, arg_types: list[Type], module: Module, compiler, name: str,
                 either_args: tuple = ()):
        self.func = func
        self.compiler = compiler
        self.module = module
        self.src = read_source(func)
        self.file = self.src.file
        self.node: ast.AST = self.src.fdef
        fdef = desugar(self.src, guard_unbound_reads(self.src.fdef))
        self.fdef = fdef
        self.liveness = Liveness(fdef)
        self.array_only_lists = _array_only_lists(fdef)
        args = fdef.args
        if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs:
            raise self.error("*args, **kwargs, keyword-only and positional-only parameters "
                             "are not supported", fdef)
        names = [a.arg for a in args.args]
        if len(names) != len(arg_types):
            count = f"{len(names)} argument" + ("" if len(names) == 1 else "s")
            raise self.error(f"'{fdef.name}' takes {count}, got {len(arg_types)}", fdef,
                             TypeError)
        self.function = Function(name, arg_types, names, None, self.file, self.loc(fdef))
        self.builder = Builder(self.function.body, self.function.loc)
        self.env: dict[str, object] = dict(zip(names, self.function.args))
        code = getattr(func, "__code__", None)
        self.cells = dict(zip(code.co_freevars, func.__closure__ or ())) if code else {}
        self.globals = getattr(func, "__globals__", {})
        self.reads = compiler.reads
        # arrays read from outside: hidden arguments of this function, by ExternalReads index
        self.hidden: dict[int, Value] = {}
        self.hidden_order: list[int] = []
        self.return_value: Value | None = None
        self.bind_sites: dict[tuple, tuple] = {}  # (name, id(value)) -> (value, node)
        # values that are Python scalars on some paths (see strength.py): id -> (value, type)
        self.either: dict[int, tuple] = {}
        for arg, weak in zip(self.function.args, either_args):
            self.mark_either(arg, weak)
        self.return_either = None  # the Python scalar type the result has on some paths
        self.probing = 0  # > 0 while lowering loop bodies only to discover carried types
        self.inlining: list = []   # the nested functions whose bodies are being lowered
        self.nested_locals: frozenset = frozenset()   # names local to the innermost of them

    # -- locations and errors --------------------------------------------------------------
    def loc(self, node: ast.AST) -> Location:
        line = getattr(node, "lineno", None)
        if line is None:
            return self.builder.loc if hasattr(self, "builder") else Location(self.file, 0, 0)
        return Location(self.file, line + self.src.line_offset, node.col_offset + 1
                        + self.src.col_offset)

    def error(self, message: str, node: ast.AST | None = None,
              python_error: type[BaseException] | None = None) -> CompileError:
        """A CompileError at `node` (default: the node being lowered); also an instance of
        `python_error`, the exception the plain function would raise there, if given."""
        return self.src.error(message, node or self.node, python_error)

    @contextmanager
    def at(self, node: ast.AST):
        saved = self.node, self.builder.loc
        if getattr(node, "lineno", None) is not None:
            self.node = node
            self.builder.loc = self.loc(node)
        try:
            yield
        finally:
            self.node, self.builder.loc = saved

    # -- building ops ----------------------------------------------------------------------
    def emit_op(self, name: str, operands=(), attrs=None, hint: str = "", result_types=None,
                regions=()):
        for v in operands:
            if not isinstance(v, Value):
                raise self.error(f"internal: operand {v!r} of '{name}' is not a value")
        weak = self.check_either_operands(name, operands, attrs) if self.either else None
        try:
            op = self.builder.create(name, operands, attrs, regions, (hint,),
                                     result_types=result_types)
        except TypeRuleError as e:
            raise self.error(str(e), python_error=e.error_class) from None
        if name == "convert" and self.either_type(operands[0]) is not None:
            self.mark_either(op.result, weak_twin(op.result.type),
                             self.either_origin(operands[0]))
        if weak is not None:
            for r, w in zip(op.results, weak[0]):
                self.mark_either(r, w, weak[1])
        return op

    def emit(self, name: str, *operands: Value, hint: str = "", **attrs) -> Value:
        """Create a one-result op, folding it when every operand is a scalar constant."""
        decl = lookup(name)
        if decl.impl is not None and not (decl.traits & _FOLDABLE_SKIP) \
                and not decl.needs_result_types and operands:
            consts = [self.constant_of(v) for v in operands]
            if all(c is not _NOT_CONST for c in consts) and all(
                    not isinstance(v.type, (ArrayType, ListType)) for v in operands):
                folded = self._try_fold(decl, operands, consts, attrs)
                if folded is not None:
                    return folded
        return self.emit_op(name, operands, attrs, hint).result

    def _try_fold(self, decl, operands, consts, attrs):
        try:
            attrs = decl.complete_attrs(attrs)
            (t,) = decl.result_types([v.type for v in operands], attrs)
        except (TypeRuleError, ValueError):
            return None
        if not isinstance(t, (ScalarType, type(NONE))):
            return None
        try:
            # a warning (floating-point or NumPy's own, e.g. "Mean of empty slice") must be
            # issued by every call, so an op that warns is not folded
            with np.errstate(all="raise"), warnings.catch_warnings():
                warnings.simplefilter("error")
                value = (decl.fold or decl.impl)(*consts, **attrs)
        except Exception:  # noqa: BLE001  (the runtime raises or warns, at the right time)
            return None
        try:
            # Known operands give the exact result kind, even where the type rule cannot
            # (Python's 2 ** -1 is a float).
            t = type_of_value(value)
        except TypeError:
            return None
        if not materializes_as_itself(value, t):
            return None  # np.bool_ (`bool` types Python's too): computed at run time
        return self.const(value, t)

    def const(self, value, t: Type | None = None, hint: str = "") -> Value:
        if t is None:
            t = self.type_of_constant(value)
        if isinstance(t, TupleType):
            return self.emit_op("tuple", [self.const(v, et) for v, et in zip(value, t.elems)],
                                hint=hint).result
        if isinstance(value, np.ndarray):
            value = value.copy()
        elif isinstance(value, np.bool_):    # np.True_: a NumPy bool at run time
            return self.emit_op("numpy_bool", [self.const(bool(value), t)], hint=hint).result
        elif isinstance(value, np.generic):
            value = value.item()
        return self.emit_op("const", (), {"value": value}, hint, result_types=[t]).result

    def type_of_constant(self, value) -> Type:
        if isinstance(value, np.ndarray):
            if value.size > 100_000:
                raise self.error(f"array constant of {value.size} elements is too large to "
                                 "embed; pass it as an argument")
            try:
                return ArrayType(dtype_name(value.dtype), value.shape)
            except KeyError:
                raise self.error(f"arrays of dtype {value.dtype} are not supported") from None
        try:
            return type_of_value(value)
        except (TypeError, KeyError):
            raise self.error(f"cannot use {type(value).__name__} {value!r:.60} as a value") \
                from None

    def constant_of(self, v):
        """The Python value of a constant `v`, or _NOT_CONST."""
        if isinstance(v, Static):
            return v.obj
        op = v.defining_op if isinstance(v, Value) else None
        if op is None:
            return _NOT_CONST
        if op.name == "const" and not isinstance(v.type, ArrayType):
            return materialize(op.attrs["value"], v.type)  # np.float32 stays np.float32
        if op.name == "tuple":
            items = [self.constant_of(x) for x in op.operands]
            return _NOT_CONST if _NOT_CONST in items else tuple(items)
        return _NOT_CONST

    def value(self, x, node: ast.AST | None = None) -> Value:
        """`x` as a PhySL value (constants become `const` ops)."""
        if isinstance(x, Value):
            return x
        if x is EMPTY_LIST:
            raise self.error("cannot infer the element type of an empty list here; "
                             "append to it first or build it with a list literal", node)
        if isinstance(x, Static):
            obj = x.obj
            if obj is None or isinstance(obj, (bool, int, float, complex, np.generic,
                                                np.ndarray, tuple)):
                return self.const(obj)
            kind = next((k for t, k in _UNSUPPORTED_KINDS.items() if isinstance(obj, t)), None)
            if kind is not None:
                raise self.error(f"{kind} arguments and values are not supported: a kernel "
                                 "computes with numbers, NumPy arrays and tuples of them", node)
            raise self.error(f"{_describe(obj)} cannot be used as a value", node)
        from phylanx.frontend.calls import BoundMethod

        if isinstance(x, BoundMethod):
            what = "a list" if x.receiver is EMPTY_LIST else f"a value of type {x.receiver.type}"
            raise self.error(f"{what} has no attribute '{x.name}' usable here (methods must "
                             "be called)", node)
        raise self.error(f"internal: unexpected value {x!r}", node)

    def convert(self, v: Value, t: Type) -> Value:
        if v.type == t:
            return v
        return self.emit_op("convert", [v], result_types=[t], hint=v.hint).result

    def materialize_for(self, x, t: Type) -> Value:
        """`x` (possibly missing or an empty list) as a value of type `t`."""
        if x is None or x is UNKNOWN or x is DEAD:
            return self.emit_op("undef", result_types=[t]).result
        if x is EMPTY_LIST:
            return self.emit_op("list_empty", result_types=[t]).result
        return self.convert(self.value(x), t)

    def bind(self, name: str, x) -> None:
        if isinstance(x, Value):
            if not x.hint:
                x.hint = hint_for(name)
            self.bind_sites[(name, id(x))] = (x, self.node)  # for errors about `name`
        self.env[name] = x

    def rebind_aliases(self, old: Value, new: Value) -> None:
        """After an in-place update, every name of the old value sees the new one."""
        for name, x in list(self.env.items()):
            if x is old:
                self.env[name] = new
        self.rebind_in_records(old, new)

    # -- name resolution -------------------------------------------------------------------
    def lookup_name(self, name: str, node: ast.AST):
        if name in self.env:
            x = self.env[name]
            if x is UNKNOWN:
                raise NeedsType(name)
            if x is DEAD:
                raise self.error(f"internal: '{name}' is read where liveness found it dead",
                                 node)
            return x
        if name.startswith("__phx_it"):
            raise self.error("internal: loop variable unbound", node)
        if name in self.nested_locals:
            raise self.error(f"cannot access local variable '{name}' where it is not "
                             "associated with a value", node, UnboundLocalError)
        if name in self.cells:
            cell = self.cells[name]
            try:
                obj = cell.cell_contents
            except ValueError:
                raise self.error(f"free variable '{name}' referenced before assignment in "
                                 "enclosing scope", node) from None
            return self.global_value(obj, node, ("cell", cell, None), name)
        if name in self.globals:
            return self.global_value(self.globals[name], node, ("global", self.globals, name),
                                     name)
        if hasattr(builtins, name):
            # a global of that name defined later would take precedence
            self.reads.guard_absent(self.globals, name)
            return Static(getattr(builtins, name))
        raise self.error(f"name '{name}' is not defined", node, NameError)

    def global_value(self, obj, node, read=None, hint: str = ""):
        """The value of `obj`, read from outside the function by `read` (kind, holder, key):
        arrays become hidden arguments, anything else a constant the call checks."""
        if read is not None:
            if isinstance(obj, np.ndarray):
                return self.hidden_array(obj, read, hint or str(read[2]), node)
            if isinstance(obj, tuple) and any(_holds_array(v) for v in obj):
                self.reads.guard(*read, obj)
                return self.emit_op("tuple", [
                    self.value(self.global_value(v, node, ("item", obj, k), f"{hint}{k}"), node)
                    for k, v in enumerate(obj)]).result
            if read[0] != "item":  # a tuple's items change only with the tuple
                self.reads.guard(*read, obj)
        if isinstance(obj, (bool, int, float, complex, np.generic, type(None))) or (
                isinstance(obj, tuple) and all(isinstance(v, (bool, int, float, np.generic))
                                               for v in obj)):
            return self.const(obj)
        if isinstance(obj, np.ndarray):
            return self.const(obj)
        return Static(obj)

    def hidden_array(self, obj: np.ndarray, read, hint: str, node) -> Value:
        """The hidden argument that passes array `obj`, read by `read`, at every call."""
        k = self.reads.array(*read, obj)
        return self.hidden_argument(k, hint, node)

    def hidden_argument(self, k: int, hint: str, node) -> Value:
        v = self.hidden.get(k)
        if v is None:
            _, _, dtype, shape = self.reads.arrays[k]
            try:
                t = ArrayType(dtype_name(dtype), shape)
            except KeyError:
                raise self.error(f"arrays of dtype {dtype} are not supported", node) from None
            v = self.function.body.add_arg(t, hint)
            self.hidden[k] = v
            self.hidden_order.append(k)
        return v

    # -- regions -----------------------------------------------------------------------------
    def lower_region(self, block: Block, bindings: dict, body):
        """Lower `body()` into `block` with `bindings` added; returns the env at the end."""
        saved_env, saved_block = self.env, self.builder.block
        self.env = dict(saved_env)
        self.env.update(bindings)
        self.builder.block = block
        try:
            body()
            return self.env
        finally:
            self.env, self.builder.block = saved_env, saved_block

    def merge_type(self, name: str, a: Type | None, b: Type | None, what: str,
                   changed=None, dead: bool = False) -> Type | None:
        """The type of variable `name` where paths giving types `a` and `b` meet.

        A merge that would change a dtype (int meeting float, i32 meeting i64, ...) is
        refused: Python's value keeps the type of the path taken, a merged variable cannot.
        `changed` is None when the variable is not read after the meeting point (the merge
        is then harmless); else the value whose type differs from the one the variable had
        before (or True when no single value is to blame): the error points at where it was
        assigned. A `dead` variable (never read again) whose types do not unify gets None.
        """
        if a is None:
            return b
        if b is None:
            return a
        t = unify(a, b)
        if t is None:
            if dead:
                return None  # never read again: it needs no type here
            if name is None:
                raise self.error(f"this expression has type {a} on one path and {b} on the "
                                 "other; phylanx needs one type per value")
            raise self.error(f"variable '{hint_for(name)}' has type {a} and {b} {what}; "
                             "phylanx needs one type per variable")
        if changed is not None and not same_kind_of_value(a, b):
            raise self.type_change_error(name, a, b, t, what, changed)
        if changed is not None and not isinstance(t, ScalarType) and not (
                refines(a, t) and refines(b, t)):
            # a Python scalar meeting a NumPy one inside a tuple or list: not tracked
            raise self.type_change_error(name, a, b, t, what, changed)
        return t

    def type_change_error(self, name: str, a: Type, b: Type, t: Type, what: str,
                          changed) -> CompileError:
        site = self.bind_site(name, changed) if isinstance(changed, Value) else None
        if name is None:
            return self.error(f"this expression has type {a} on one path and {b} on the other; "
                              "phylanx needs one type per value (Python's would depend on the "
                              f"path taken): convert, e.g. {_conversion_hint('', t, call=True)}")
        fix = _conversion_hint(hint_for(name), t)
        if site is not None:
            a, b = (a if changed.type == b else b), changed.type  # from a to b
        if name == RET:
            return self.error(f"'{self.fdef.name}' returns {a} on one path and {b} on another; "
                              f"phylanx needs one return type (Python's would depend on the "
                              f"path taken): convert the returned values, e.g. "
                              f"{_conversion_hint('', t, call=True)}", site)
        if site is not None:
            return self.error(f"variable '{hint_for(name)}' changes type from {a} to "
                              f"{b} {what}; phylanx needs one type per variable "
                              f"(Python's would depend on the path taken): give it one type "
                              f"on every path, e.g. {fix} {_before(what)}", site)
        return self.error(f"'{hint_for(name)}' has type {a} on one path and {b} on another "
                          f"{what}; phylanx needs one type per variable (Python's would depend "
                          f"on the path taken): convert, e.g. {fix}")

    def bind_site(self, name: str, v: Value) -> ast.AST | None:
        """The node where `v` was last bound to `name`, if known."""
        entry = self.bind_sites.get((name, id(v)))
        return entry[1] if entry is not None and entry[0] is v else None

    # -- entry -----------------------------------------------------------------------------
    def lower(self) -> Function:
        self.lower_block(self.fdef.body)
        if self.function.body.terminator is None:
            with self.at(self.fdef.body[-1]):
                self.emit_return(self.const(None))
        return self.function

    def emit_return(self, v: Value) -> None:
        self.function.result_type = v.type
        self.return_either = self.either_type(v)
        self.emit_op("return", [v])


def _before(what: str) -> str:
    return "before the loop" if "loop" in what else "before the 'if'" if "'if'" in what \
        else "first"


_PYTHON_KIND_OF = {"i64": "int", "f64": "float", "c128": "complex"}


def _conversion_hint(name: str, t: Type, call: bool = False) -> str:
    """Python code giving `name` type `t` (for error messages); with `call`, an expression."""
    target = name or "..."
    if isinstance(t, ArrayType):
        code = f"{target}.astype(np.{DTYPES[t.dtype].name})"
    elif isinstance(t, ScalarType) and t.kind in ("int", "float", "complex", "bool"):
        code = f"{t.kind}({target})"
    elif isinstance(t, ScalarType) and t.kind in _PYTHON_KIND_OF:
        code = f"{_PYTHON_KIND_OF[t.kind]}({target})"  # merges with the NumPy scalar
    elif isinstance(t, ScalarType):
        code = f"np.{DTYPES[t.kind].name}({target})"
    else:
        return f"one type ({t}) on every path"
    return code if call or not name else f"{name} = {code}"


def _holds_array(v) -> bool:
    return isinstance(v, np.ndarray) or isinstance(v, tuple) and any(map(_holds_array, v))


class _NotConst:
    def __repr__(self):
        return "<not a constant>"


_NOT_CONST = _NotConst()


_TO_ARRAY = frozenset({"array", "asarray"})


def _array_only_lists(fdef: ast.FunctionDef) -> set[int]:
    """ids of the list literals whose only reader is np.array()/np.asarray(): a direct first
    argument, or the value of the one assignment of a name read only as such an argument."""
    def to_array(call) -> bool:
        return isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) \
            and call.func.attr in _TO_ARRAY and bool(call.args)

    calls = [n for n in ast.walk(fdef) if to_array(n)]
    found = {id(c.args[0]) for c in calls if isinstance(c.args[0], ast.List)}
    as_argument = {id(c.args[0]) for c in calls if isinstance(c.args[0], ast.Name)}
    loads: dict[str, list] = {}
    stores: dict[str, list] = {}
    for n in ast.walk(fdef):
        if isinstance(n, ast.Name):
            (loads if isinstance(n.ctx, ast.Load) else stores).setdefault(n.id, []).append(n)
    for n in ast.walk(fdef):
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and \
                isinstance(n.targets[0], ast.Name) and isinstance(n.value, ast.List):
            name = n.targets[0].id
            if len(stores.get(name, ())) == 1 and loads.get(name) and \
                    all(id(x) in as_argument for x in loads[name]):
                found.add(id(n.value))
    return found


_UNSUPPORTED_KINDS = {str: "string", bytes: "bytes", dict: "dict", set: "set", list: "list",
                      frozenset: "set"}


def _describe(obj) -> str:
    if isinstance(obj, KernelDict):
        return ("a dict (a kernel's dicts are read-only records of constant keys: it cannot "
                "return them or pass them on)")
    if isinstance(obj, LocalFunction):
        return (f"the nested function '{obj.name}' (a kernel calls its lambdas and nested "
                "functions; it cannot return them, store them or pass them on)")
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    mod = getattr(obj, "__module__", None)
    if isinstance(obj, type(np)):
        return f"module '{obj.__name__}'"
    if name:
        return f"'{mod + '.' if mod and mod != 'builtins' else ''}{name}'"
    return f"{type(obj).__name__} object"


__all__ = ["BOOL", "COMPLEX", "FLOAT", "INT", "NONE", "Lowerer", "materialize"]
