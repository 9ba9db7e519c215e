"""Lowering of calls and attributes: NumPy functions, array methods, builtins, kernels.

Which Python spelling lowers to which op comes from the op declarations' bindings
(phylanx.ir.registry: NumpyFunction, Method, Attribute, Builtin, Operator); `bindings()`
indexes them once.
"""

from __future__ import annotations

import ast
import builtins
import types as pytypes

import numpy as np

from phylanx.frontend.external import CompiledFunction, is_fixed_holder, is_library_function
from phylanx.frontend.local_functions import LocalFunction
from phylanx.frontend.records import DictView, KernelDict
from phylanx.frontend.scope import EMPTY_LIST, Static
from phylanx.frontend.unbound import CHECK_BOUND
from phylanx.ir.core import Value
from phylanx.ir.registry import (
    Attribute,
    Builtin,
    Method,
    NumpyFunction,
    OpDecl,
    Operator,
    TypeRuleError,
    all_ops,
    lookup,
)
from phylanx.ir.types import (
    DTYPES,
    INT,
    PY_KINDS,
    ArrayType,
    ListType,
    NoneType,
    ObjectType,
    ScalarType,
    TupleType,
    dtype_name,
    same_kind_of_value,
)


class BoundMethod:
    """`x.name` before the call: the receiver and the method name."""

    def __init__(self, receiver: Value, name: str):
        self.receiver, self.name = receiver, name


def function_key(obj) -> object:
    """The key of a NumPy function or builtin in `Bindings.functions`: its id, except for a
    ufunc method (`np.add.reduce` is a new bound method at each attribute read), which is
    keyed by its ufunc and name."""
    owner = getattr(obj, "__self__", None)
    if isinstance(owner, np.ufunc) and isinstance(obj, pytypes.BuiltinMethodType):
        return (id(owner), obj.__name__)
    return id(obj)


class Bindings:
    """The Python spellings of the registered ops, indexed for the frontend."""

    def __init__(self, ops: dict[str, OpDecl]):
        self.functions: dict[object, OpDecl] = {}   # function_key of a NumPy function/builtin
        self.methods: dict[str, tuple[OpDecl, Method]] = {}
        self.object_methods: dict[tuple[type, str], OpDecl] = {}   # (receiver class, name)
        self.attributes: dict[str, tuple[OpDecl, Attribute]] = {}
        self.operators: dict[tuple[str, int], OpDecl] = {}   # (symbol, number of operands)
        for decl in ops.values():
            for b in decl.bindings:
                if isinstance(b, NumpyFunction):
                    self.functions[function_key(b.target)] = decl
                elif isinstance(b, Builtin):
                    self.functions[id(getattr(builtins, b.name))] = decl
                elif isinstance(b, Method) and b.on is not np.ndarray:
                    self.object_methods[(b.on, b.name)] = decl
                elif isinstance(b, Method):
                    self.methods[b.name] = (decl, b)
                elif isinstance(b, Attribute):
                    self.attributes[b.name] = (decl, b)
                elif isinstance(b, Operator):
                    self.operators[(b.symbol, len(decl.operands))] = decl


_bindings: Bindings | None = None


def bindings() -> Bindings:
    """The index of every op's bindings, built once."""
    global _bindings
    if _bindings is None:
        _bindings = Bindings(all_ops())
    return _bindings


def _display(obj) -> str:
    mod = getattr(obj, "__module__", None) or ""
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", repr(obj))
    if mod.startswith("numpy"):
        return "np" + mod[len("numpy"):] + "." + name
    return name if mod in ("builtins", "") else f"{mod}.{name}"


class CallsMixin:
    # -- attributes ----------------------------------------------------------------------
    def attribute(self, node: ast.Attribute):
        base = self.expr(node.value)
        name = node.attr
        if isinstance(base, Static) and isinstance(base.obj, KernelDict):
            return BoundMethod(base.obj, name)
        if isinstance(base, Static):
            try:
                obj = getattr(base.obj, name)
            except AttributeError:
                raise self.error(f"{_display(base.obj)} has no attribute '{name}'", node,
                                 AttributeError) from None
            read = None if is_fixed_holder(base.obj) else ("attr", base.obj, name)
            return self.global_value(obj, node, read, name)
        if base is EMPTY_LIST:
            return BoundMethod(base, name)
        v = self.value(base, node.value)
        t = v.type
        if isinstance(t, ArrayType):
            if name == "shape":
                return self.emit_op("tuple", [self.dim(v, k) for k in range(t.rank)]).result
            if name == "ndim":
                return self.const(t.rank)
            if name == "dtype":
                return Static(np.dtype(_np_dtype(t.dtype)))
        bound = bindings().attributes.get(name)
        if bound is not None and (isinstance(t, ArrayType) or
                                  bound[1].scalars and isinstance(t, ScalarType)):
            try:
                return self.emit_bound(bound[0], [v], {})
            except TypeRuleError as e:
                raise self.error(f".{name}: {e}", node, e.error_class) from None
        if isinstance(t, ScalarType) and t.kind not in ("int", "float", "complex"):
            # NumPy scalars have array attributes (0-d)
            if name == "dtype":
                return Static(np.dtype(_np_dtype(t.dtype)))
            if name in ("ndim", "size"):
                return self.const(0 if name == "ndim" else 1)
            if name == "shape":
                return self.emit_op("tuple", []).result
        return BoundMethod(v, name)

    def dim(self, v: Value, axis: int) -> Value:
        extent = v.type.shape[axis]
        if extent is not None:
            return self.const(extent)
        return self.emit("dim", v, axis=axis)

    # -- calls ---------------------------------------------------------------------------
    def call(self, node: ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id == CHECK_BOUND:
            return self.check_bound(*node.args)
        callee = self.expr(node.func)
        if isinstance(callee, BoundMethod):
            return self.method_call(callee, node)
        if isinstance(callee, Static):
            return self.call_object(callee.obj, node)
        raise self.error("this value is not callable", node.func, TypeError)

    def check_bound(self, flag: ast.Name, name: ast.Name):
        """A read of variable `name` that may be unbound (frontend/unbound.py): its value, or
        UnboundLocalError at run time when `flag` says no assignment bound it."""
        bound = self.expr(flag)
        x = self.expr(name)
        if self.constant_of(bound) is True:
            return x
        value = self.value(x, name)
        checked = self.emit_op("check_bound", [bound, value], {"name": name.id}).result
        self.mark_either(checked, self.either_type(value))
        return checked

    def method_call(self, m: BoundMethod, node: ast.Call):
        recv, name = m.receiver, m.name
        if isinstance(recv, KernelDict):
            return self.dict_method(recv, name, node)
        if recv is EMPTY_LIST or isinstance(recv.type, ListType):
            if name != "append":
                raise self.error(f"list method '{name}' is not supported (only append)", node)
            if len(node.args) != 1 or node.keywords:
                raise self.error("append() takes exactly one argument", node, TypeError)
            item = self.value(self.expr(node.args[0]), node.args[0])
            if recv is EMPTY_LIST:
                new = self.emit_op("list_new", [item]).result
            else:
                item = self.convert_item(item, recv.type.elem, node.args[0])
                new = self.emit("list_append", recv, item)
            self.rebind_list(recv, new, node)
            return Static(None)
        if isinstance(recv.type, ObjectType):
            decl = bindings().object_methods.get((recv.type.pyclass, name))
            if decl is None:
                raise self.error(f"unsupported method '{name}' of a "
                                 f"{recv.type.pyclass.__name__}", node.func)
            return self.bind_and_emit(decl, node, f"{name}()", receiver=recv)
        bound = bindings().methods.get(name)
        if bound is None or not isinstance(recv.type, ArrayType) and not (
                bound[1].scalars and isinstance(recv.type, ScalarType)
                and recv.type.kind not in PY_KINDS):
            raise self.error(f"unsupported method '{name}' of a value of type {recv.type}",
                             node.func)
        return self.bind_and_emit(bound[0], node, f"{name}()", receiver=recv)

    def convert_item(self, item: Value, t, node) -> Value:
        if item.type != t:
            merged = self.merge_type("list item", item.type, t, "in one list")
            if merged != t:
                raise self.error(f"cannot append {item.type} to a list of {t}", node)
        return self.convert(item, t)

    def rebind_list(self, old, new: Value, node) -> None:
        target = node.func.value
        if not isinstance(target, ast.Name):
            raise self.error("append() to a list that is not in a variable", node)
        if old is EMPTY_LIST:
            self.bind(target.id, new)
        else:
            self.rebind_aliases(old, new)

    def call_object(self, obj, node: ast.Call):
        if obj is np.where and len(node.args) == 1 and not node.keywords:
            # np.where(condition) is np.nonzero(condition)
            return self.bind_and_emit(lookup("nonzero"), node, "np.where()")
        decl = bindings().functions.get(function_key(obj))
        if decl is not None:
            return self.bind_and_emit(decl, node, f"{_display(obj)}()")
        special = _BUILTINS.get(id(obj))
        if special is not None:
            return getattr(self, special)(node)
        if isinstance(obj, type) and issubclass(obj, np.generic):
            return self.scalar_constructor(obj, node)
        if isinstance(obj, LocalFunction):
            return self.call_local_function(obj, node)
        if isinstance(obj, CompiledFunction):
            obj = obj.py_func
        if isinstance(obj, pytypes.FunctionType) and not is_library_function(obj):
            return self.call_function(obj, node)  # the user's own code: compiled too
        written, resolved = ast.unparse(node.func), _display(obj)
        what = written if written == resolved else f"{written} ({resolved})"
        raise self.error(f"{what} is not supported in a kernel (phylanx compiles NumPy "
                         "functions it knows and the functions of your own code)", node.func)

    def bind_and_emit(self, decl, node: ast.Call, display: str, receiver: Value | None = None):
        params = decl.param_names
        operands = decl.operand_names
        variadic = decl.operands[-1].rstrip("*") if decl.variadic else None
        attr_specs = {a.name: a for a in decl.attrs}
        bound: dict[str, object] = {}
        positional = len(params) if decl.params.positional is None else decl.params.positional
        if receiver is not None:
            bound[params[0]] = receiver
            params = params[1:]
            positional -= 1
        args = list(node.args)
        if any(isinstance(a, ast.Starred) for a in args):
            raise self.error("*args in calls are not supported", node)
        packed = decl.params.packed
        if packed and packed in params:
            # f(x, 2, 3) -> f(x, (2, 3)): the arguments from `packed` on form one tuple
            at = params.index(packed)
            # a variadic operand packs one argument too: np.einsum('ii', a)
            if len(args) > at + 1 or len(args) == at + 1 and packed == variadic:
                rest = args[at:]
                args = args[:at] + [ast.copy_location(ast.Tuple(elts=rest, ctx=ast.Load()),
                                                      rest[0])]
        if len(args) > positional:
            raise self.error(f"{display} takes at most {_count(positional, 'positional argument')} "
                             f"here, got {len(args)}", node)
        for p, a in zip(params, args):
            bound[p] = a
        aliases = decl.params.aliases
        for kw in node.keywords:
            if kw.arg is None:
                raise self.error("**kwargs in calls are not supported", node)
            kw = ast.keyword(arg=aliases.get(kw.arg, kw.arg), value=kw.value,
                             lineno=kw.lineno, col_offset=kw.col_offset,
                             end_lineno=kw.end_lineno, end_col_offset=kw.end_col_offset)
            if kw.arg not in params:
                raise self.error(f"{display} got an unsupported keyword argument '{kw.arg}'",
                                 kw)
            if kw.arg in bound:
                raise self.error(f"{display} got multiple values for '{kw.arg}'", kw.value,
                                 TypeError)
            bound[kw.arg] = kw.value
        values, attrs = [], {}
        defaults = decl.params.defaults
        for name in operands:
            if name not in bound:
                if name in defaults:
                    values.append(self.const(defaults[name]))
                    continue
                if name == variadic:
                    continue
                raise self.error(f"{display} missing required argument '{name}'", node,
                                 TypeError)
            x = bound[name]
            if name == variadic:
                values.extend(self.spread(x))
            else:
                values.append(x if isinstance(x, Value) else self.value(self.expr(x), x))
        for name, spec in attr_specs.items():
            if name in bound:
                attrs[name] = self.attr_value(bound[name], spec, display)
        try:
            return self.emit_bound(decl, values, attrs)
        except TypeRuleError as e:
            raise self.error(f"{display}: {e}", node, e.error_class) from None

    def emit_bound(self, decl: OpDecl, values: list[Value], attrs: dict):
        """The op a Python spelling binds to, on bound operands and attributes: a constant
        when the operand types alone give the result (the declaration's static_value; a
        compile-time object such as a dtype or np.finfo(...) stays static). An `inplace` op
        (x.sort(), np.put(x, ...)) updates operand 0, whose names then see the new value; the
        Python call gives None."""
        complete = decl.complete_attrs(attrs)
        results = decl.result_types([v.type for v in values], complete)
        if decl.static_value is not None:
            static = decl.static_value([v.type for v in values], complete)
            if static is not None:
                if isinstance(static, (bool, int, float, complex, np.generic, tuple)):
                    return self.const(static)
                return Static(static)
        if not results:
            self.emit_op(decl.name, values, attrs)
            return Static(None)
        if "inplace" in decl.traits:
            # NumPy's in-place functions (np.random.shuffle(x)) return None; every name of
            # the buffer sees the updated value
            updated = self.emit(decl.name, *values, **attrs)
            self.rebind_aliases(values[0], updated)
            return Static(None)
        return self.emit(decl.name, *values, **attrs)

    def spread(self, x) -> list[Value]:
        if isinstance(x, (ast.Tuple, ast.List)):
            return [self.value(self.expr(e), e) for e in x.elts]
        v = self.value(self.expr(x), x)
        if isinstance(v.type, TupleType):
            return [self.tuple_item(v, i) for i in range(len(v.type.elems))]
        if isinstance(v.type, ListType):
            return [v]  # a list built at run time: the op takes it whole
        raise self.error(f"expected a tuple or list of arrays, got {v.type}", x)

    def attr_value(self, node, spec, display: str):
        x = self.expr(node)
        c = self.attr_constant(x)
        from phylanx.frontend.lower import _NOT_CONST

        if c is _NOT_CONST:
            raise self.error(f"argument '{spec.name}' of {display} must be a compile-time "
                             "constant", node)
        try:
            return convert_attr(c, spec.kind)
        except (TypeError, ValueError, KeyError) as e:
            raise self.error(f"bad value for '{spec.name}' of {display}: {e}", node) from None

    def attr_constant(self, x):
        """The constant value of an attribute argument: constants, and tuples and lists of
        them as tuples (`axes=([1], [0])`, `repeats=[1, 2, 0]`), or _NOT_CONST."""
        from phylanx.frontend.lower import _NOT_CONST

        op = x.defining_op if isinstance(x, Value) else None
        if op is not None and op.name in ("tuple", "list_new"):
            items = [self.attr_constant(v) for v in op.operands]
            if _NOT_CONST in items:
                return _NOT_CONST
            return tuple(items)
        return self.constant_of(x)

    def scalar_constructor(self, scalar_type, node):
        if len(node.args) != 1 or node.keywords:
            raise self.error(f"{scalar_type.__name__}() takes one argument here", node)
        v = self.value(self.expr(node.args[0]), node.args[0])
        name = dtype_name(np.dtype(scalar_type))
        if scalar_type is np.bool_ and not (isinstance(v.type, ArrayType) and v.type.rank):
            return self.emit("numpy_bool", v)
        if isinstance(v.type, ArrayType) and v.type.rank:
            return self.emit("astype", v, dtype=name)
        return self.convert(v, ScalarType(name))

    # -- builtins ------------------------------------------------------------------------
    def builtin_len(self, node):
        (arg,) = self._args(node, 1, "len")
        x = self.expr(arg)
        if isinstance(x, Static) and isinstance(x.obj, (KernelDict, DictView)):
            return self.const(len(x.obj))
        v = self.value(x, arg)
        if isinstance(v.type, TupleType):
            return self.const(len(v.type.elems))
        if isinstance(v.type, ArrayType) and v.type.rank and v.type.shape[0] is not None:
            return self.const(v.type.shape[0])
        return self.emit("len", v)

    def builtin_scalar(self, node, kind: str):
        args = self._args(node, None, kind)
        if not args:
            return self.const({"int": 0, "float": 0.0, "bool": False, "complex": 0j}[kind])
        if len(args) > 1:
            raise self.error(f"{kind}() with more than one argument is not supported", node)
        x = self.expr(args[0])
        if isinstance(x, Static) and isinstance(x.obj, str):
            return self.const({"int": int, "float": float, "bool": bool,
                               "complex": complex}[kind](x.obj))
        return self.emit("to_scalar", self.value(x, args[0]), kind=kind)

    def builtin_int(self, node):
        return self.builtin_scalar(node, "int")

    def builtin_float(self, node):
        return self.builtin_scalar(node, "float")

    def builtin_bool(self, node):
        return self.builtin_scalar(node, "bool")

    def builtin_complex(self, node):
        return self.builtin_scalar(node, "complex")

    def builtin_min(self, node):
        return self._extremum(node, "min", "less")

    def builtin_max(self, node):
        return self._extremum(node, "max", "greater")

    def _extremum(self, node, name, better):
        if node.keywords:
            raise self.error(f"{name}() keyword arguments are not supported", node)
        args = [self.value(self.expr(a), a) for a in node.args]
        if not args:
            raise self.error(f"{name} expected at least 1 argument, got 0", node, TypeError)
        if len(args) == 1:
            v = args[0]
            if isinstance(v.type, ListType):
                v = self.emit("array", v)
            if not isinstance(v.type, ArrayType) or v.type.rank != 1:
                raise self.error(f"{name}() of a single argument needs a 1-d array or a list, "
                                 f"got {v.type}", node)
            return self.emit(name, v)
        best = args[0]
        for b in args[1:]:
            if isinstance(b.type, ArrayType) or isinstance(best.type, ArrayType):
                raise self.error(f"{name}() of arrays is ambiguous; use np.{name}imum", node,
                                 ValueError)
            if not same_kind_of_value(best.type, b.type):
                raise self.error(f"{name}() of {best.type} and {b.type}: Python returns the "
                                 f"{'smallest' if name == 'min' else 'largest'} argument with "
                                 "its own type, which phylanx cannot do; convert the arguments "
                                 "to one type first", node)
            t = self.merge_type(name, best.type, b.type, f"in {name}()")
            weak = self.merged_either(t, best, b)
            best, b = self.convert(best, t), self.convert(b, t)
            best = self.emit("select", self.emit(better, b, best), b, best)
            self.mark_either(best, weak)
        return best

    def builtin_sum(self, node):
        (arg,) = self._args(node, 1, "sum")
        v = self.value(self.expr(arg), arg)
        if isinstance(v.type, ListType):
            v = self.emit("array", v)
        if not isinstance(v.type, ArrayType) or v.type.rank == 0:
            raise self.error(f"sum() needs an array or a list, got {v.type}", node)
        return self.emit("sum", v, axis=0)

    def builtin_isinstance(self, node):
        """isinstance(x, C) is decided at compile time from x's type: a kernel is compiled per
        argument type, so it is a constant of each specialisation."""
        obj, spec = self._args(node, 2, "isinstance")
        items = [self.expr(e) for e in spec.elts] if isinstance(spec, ast.Tuple) \
            else [self.expr(spec)]
        if len(items) == 1 and isinstance(items[0], Static) \
                and isinstance(items[0].obj, tuple):
            items = [Static(c) for c in items[0].obj]
        if not all(isinstance(c, Static) and isinstance(c.obj, type) for c in items):
            raise self.error("isinstance() arg 2 must be a type or a tuple of types known "
                             "when the kernel is compiled", spec, TypeError)
        classes = tuple(c.obj for c in items)
        x = self.expr(obj)
        if isinstance(x, Static):
            return self.const(isinstance(x.obj, classes))
        v = self.value(x, obj)
        pyclass = self._python_class(v)
        if pyclass is None:
            why = "Python's bool and np.bool_ have the same type here" \
                if v.type == ScalarType("bool") else \
                "it is a Python scalar on some paths and a NumPy scalar on others"
            raise self.error(f"isinstance() of a value of type {v.type} is not supported: "
                             f"{why}", node)
        return self.const(issubclass(pyclass, classes))

    def _python_class(self, v: Value) -> type | None:
        """The Python class every value of `v` has at run time, or None if it is not known."""
        t = v.type
        if isinstance(t, ArrayType):
            return np.ndarray
        if isinstance(t, TupleType):
            return tuple
        if isinstance(t, ListType):
            return list
        if isinstance(t, NoneType):
            return type(None)
        if isinstance(t, ObjectType):
            return t.pyclass
        if isinstance(t, ScalarType) and self.either_type(v) is None:
            if t.kind in ("int", "float", "complex"):
                return {"int": int, "float": float, "complex": complex}[t.kind]
            if t.kind != "bool":   # Python's bool and np.bool_ share this kind
                return DTYPES[t.dtype].type
        return None

    def builtin_iterator(self, node):
        name = getattr(node.func, "id", "this function")
        raise self.error(f"{name}() is supported only as the iterable of a 'for' loop or "
                         "comprehension", node)

    def _args(self, node, n, name):
        if node.keywords:
            raise self.error(f"{name}() takes no keyword arguments here", node)
        if n is not None and len(node.args) != n:
            raise self.error(f"{name}() takes exactly {_count(n, 'argument')} "
                             f"({len(node.args)} given)", node, TypeError)
        return node.args

    # -- calls to other Python functions and kernels -------------------------------------
    def call_function(self, func, node: ast.Call):
        import inspect

        try:
            sig = inspect.signature(func)
        except (TypeError, ValueError):
            raise self.error(f"cannot inspect the signature of {_display(func)}", node) \
                from None
        positional = [self.expr(a) for a in node.args]
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise self.error("*args in calls are not supported", node)
        keywords = {k.arg: self.expr(k.value) for k in node.keywords}
        if None in keywords:
            raise self.error("**kwargs in calls are not supported", node)
        try:
            bound = sig.bind(*positional, **keywords)
        except TypeError as e:
            raise self.error(f"{func.__name__}(): {e}", node, TypeError) from None
        bound.apply_defaults()
        # each argument's own expression, for errors about it (defaults: the call)
        arg_nodes = sig.bind(*node.args, **{k.arg: k.value for k in node.keywords}).arguments
        args = [self.value(x if isinstance(x, (Value, Static)) else Static(x),
                           arg_nodes.get(name, node))
                for name, x in bound.arguments.items()]
        callee = self.compiler.lower_callee(func, [a.type for a in args], self, node,
                                            [self.either_type(a) for a in args])
        # Python looks the function's code and defaults up at each call
        self.reads.guard("attr", func, "__code__", func.__code__)
        self.reads.guard("attr", func, "__defaults__", func.__defaults__)
        for k in self.compiler.hidden[callee.name]:  # the arrays the callee reads from outside
            args.append(self.hidden_argument(k, callee.args[len(args)].hint, node))
        result = self.emit_op("call", args, {"callee": callee.name},
                              result_types=[callee.result_type]).result
        self.mark_either(result, self.compiler.returns_either[callee.name])
        return result


_BUILTINS = {
    id(len): "builtin_len", id(int): "builtin_int", id(float): "builtin_float",
    id(bool): "builtin_bool", id(complex): "builtin_complex", id(min): "builtin_min",
    id(max): "builtin_max", id(sum): "builtin_sum", id(range): "builtin_iterator",
    id(enumerate): "builtin_iterator", id(zip): "builtin_iterator",
    id(isinstance): "builtin_isinstance", id(print): "builtin_print",
}


def _count(n: int, noun: str) -> str:
    """'1 argument', '2 arguments'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def convert_attr(value, kind: str):
    if kind == "dtype_or_builtin":
        builtin = next((t for t in (int, float, complex, bool) if value is t), None)
        if builtin is not None:
            return f"builtins.{builtin.__name__}"
        kind = "dtype"
    if kind == "dtype":
        if value is None:
            return None
        if isinstance(value, str) and value in ("f64", "f32", "i64", "i32", "bool"):
            return value
        return dtype_name(np.dtype(value))
    if kind == "axis":
        if value is None:
            return None
        if isinstance(value, tuple):
            return tuple(int(operator_index(v)) for v in value)
        return int(operator_index(value))
    if kind == "int":
        return None if value is None else int(operator_index(value))
    if kind == "bool":
        return bool(value)
    if kind == "float":
        return None if value is None else float(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def operator_index(v):
    import operator

    return operator.index(v)


def _np_dtype(name: str):
    from phylanx.ir.types import DTYPES

    return DTYPES[name]


__all__ = ["INT", "CallsMixin"]
