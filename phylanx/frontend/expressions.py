"""Lowering of expressions: operators, subscripts, literals, comprehensions, iteration."""

from __future__ import annotations

import ast

import numpy as np

from phylanx.analysis import nonneg
from phylanx.frontend.calls import bindings
from phylanx.frontend.records import DictView, KernelDict
from phylanx.frontend.scope import EMPTY_LIST, Static
from phylanx.ir.core import Value
from phylanx.ir.types import (
    BOOL,
    INT,
    PY_KINDS,
    ArrayType,
    ListType,
    ScalarType,
    TupleType,
    refines,
    unify,
)

# Python's operators; the op each lowers to is the one whose declaration binds the symbol
# (phylanx.ir.registry.Operator)
BINARY_SYMBOLS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
    ast.Pow: "**", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
    ast.LShift: "<<", ast.RShift: ">>",
}
COMPARISON_SYMBOLS = {
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
}
UNARY_SYMBOLS = {ast.USub: "-", ast.UAdd: "+", ast.Invert: "~"}

_UNSUPPORTED_EXPR = {
    ast.Set: "set literals",
    ast.DictComp: "dict comprehensions", ast.SetComp: "set comprehensions",
    ast.GeneratorExp: "generator expressions", ast.JoinedStr: "f-strings",
    ast.NamedExpr: "the walrus operator ':='", ast.Await: "await", ast.Yield: "yield",
    ast.YieldFrom: "yield from", ast.Starred: "starred expressions",
}


class ExpressionsMixin:
    def expr(self, node: ast.expr):
        with self.at(node):
            return self._expr(node)

    def _expr(self, node):
        if isinstance(node, _Bound):
            return node.bound
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (str, bytes)) or node.value is Ellipsis:
                return Static(node.value)
            return self.const(node.value)
        if isinstance(node, ast.Name):
            return self.lookup_name(node.id, node)
        if isinstance(node, ast.Lambda):
            return self.define_local_function(node)
        if isinstance(node, ast.Dict):
            return self.dict_literal(node)
        if isinstance(node, ast.BinOp):
            name = self.binop_name(node.op, node)
            left, right = self.value(self.expr(node.left)), self.value(self.expr(node.right))
            if isinstance(left.type, TupleType) or isinstance(right.type, TupleType):
                return self.tuple_binop(node, left, right)
            return self.emit(name, left, right)
        if isinstance(node, ast.UnaryOp):
            operand = self.expr(node.operand)
            if isinstance(node.op, ast.Not):
                return self.emit("not", self.truth(operand))
            return self.emit(self.operator_op(UNARY_SYMBOLS[type(node.op)], 1, node),
                             self.value(operand))
        if isinstance(node, ast.BoolOp):
            return self.bool_op(node)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.IfExp):
            return self.if_exp(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        if isinstance(node, ast.Tuple):
            items = [self.value(self.expr(e), e) for e in self._no_star(node.elts)]
            return self.emit_op("tuple", items).result
        if isinstance(node, ast.List):
            if not node.elts:
                return EMPTY_LIST
            items = [self.value(self.expr(e), e) for e in self._no_star(node.elts)]
            return self.emit_op("list_new", self.unify_items(items, node)).result
        if isinstance(node, ast.ListComp):
            return self.list_comp(node)
        what = _UNSUPPORTED_EXPR.get(type(node), f"'{type(node).__name__}' expressions")
        raise self.error(f"unsupported construct: {what} cannot be compiled", node)

    def _no_star(self, elts):
        for e in elts:
            if isinstance(e, ast.Starred):
                raise self.error("starred expressions are not supported", e)
        return elts

    def unify_items(self, items: list[Value], node) -> list[Value]:
        """The items of a list literal, of one type: a list holds one type, so items may
        differ only in the extents their types know (Python keeps each item's own type:
        `[1, 2.5][0]` is the int 1). Items of other types that unify are converted only in
        a list that nothing but np.array()/np.asarray() reads (`array_only_lists`), where
        the conversion is what NumPy does too."""
        t = items[0].type
        for v in items[1:]:
            u = unify(t, v.type)
            if u is None or not (refines(t, u) and refines(v.type, u)) \
                    and id(node) not in self.array_only_lists:
                raise self.error(f"list items of types {t} and {v.type}: a phylanx list holds "
                                 "items of one type (Python keeps each item's own type); "
                                 "convert them to one type", node)
            t = u
        return [self.convert(v, t) for v in items]

    def binop_name(self, op: ast.operator, node) -> str:
        symbol = BINARY_SYMBOLS.get(type(op))
        if symbol is None:
            raise self.error(f"unsupported operator {type(op).__name__}", node)
        return self.operator_op(symbol, 2, node)

    def operator_op(self, symbol: str, arity: int, node) -> str:
        """The op a Python operator lowers to (the one bound to the symbol)."""
        decl = bindings().operators.get((symbol, arity))
        if decl is None:
            raise self.error(f"unsupported operator {symbol}", node)
        return decl.name

    def truth(self, x) -> Value:
        v = self.value(x)
        if v.type == BOOL:
            return v
        return self.emit("truth", v)

    # -- short-circuit operators ---------------------------------------------------------
    def bool_op(self, node: ast.BoolOp):
        is_and = isinstance(node.op, ast.And)
        first, rest = node.values[0], node.values[1:]
        left = self.expr(first)
        if not rest:
            return left
        static = self.constant_of(left)
        if static is not _not_const():
            # `a and b` is b when a is true; `a or b` is a when a is true
            if bool(static) == is_and:
                return self.bool_op(ast.copy_location(ast.BoolOp(node.op, rest), rest[0])) \
                    if len(rest) > 1 else self.expr(rest[0])
            return left
        left = self.value(left)
        rest_node = rest[0] if len(rest) == 1 else ast.copy_location(
            ast.BoolOp(node.op, rest), rest[0])

        def right():
            if getattr(node, "phx_condition", False):  # a loop condition desugaring made
                return self.truth(self.expr(rest_node))
            return self.value(self.expr(rest_node))

        def keep():
            return left

        then_fn, else_fn = (right, keep) if is_and else (keep, right)
        return self.select_lazy(self.truth(left), then_fn, else_fn)

    def select_lazy(self, cond: Value, then_fn, else_fn) -> Value:
        """An `if` op yielding then_fn() or else_fn(), each computed only on its branch."""
        from phylanx.ir.core import Block

        blocks, values = [], []
        for fn in (then_fn, else_fn):
            block = Block()
            out = {}
            self.lower_region(block, {}, lambda fn=fn, out=out: out.setdefault("v", fn()))
            blocks.append(block)
            values.append(out["v"])
        t = self.merge_type(None, values[0].type, values[1].type,
                            "in the two arms of this expression", changed=True)
        for block, v in zip(blocks, values):
            saved = self.builder.block
            self.builder.block = block
            try:
                self.emit_op("yield", [self.convert(v, t)])
            finally:
                self.builder.block = saved
        result = self.emit_op("if", [cond], result_types=[t], regions=blocks).result
        self.mark_either(result, self.merged_either(t, *values), "this conditional value")
        return result

    def if_exp(self, node: ast.IfExp):
        cond = self.expr(node.test)
        static = self.constant_of(cond)
        if static is not _not_const():
            return self.expr(node.body if static else node.orelse)
        return self.select_lazy(self.truth(cond), lambda: self.value(self.expr(node.body)),
                                lambda: self.value(self.expr(node.orelse)))

    def compare(self, node: ast.Compare):
        operands = [node.left, *node.comparators]
        left = self.expr(node.left)
        results = []
        for i, (op, right_node) in enumerate(zip(node.ops, node.comparators)):
            right = self.expr(right_node)
            if isinstance(op, (ast.Is, ast.IsNot)):
                results.append(self.identity_test(left, right, op, node))
            elif isinstance(op, (ast.In, ast.NotIn)):
                if not (isinstance(right, Static) and isinstance(right.obj, KernelDict)):
                    raise self.error("'in' tests are supported only on dicts", node)
                found = self.constant_of(self.dict_contains(operands[i], right.obj))
                results.append(self.const(found == isinstance(op, ast.In)))
            elif isinstance(op, (ast.Eq, ast.NotEq)) and any(
                    isinstance(x, Value) and isinstance(x.type, TupleType) for x in (left, right)):
                results.append(self.tuple_equal(self.value(left), self.value(right), op, node))
            elif isinstance(left, Static) or isinstance(right, Static):
                results.append(self.static_compare(left, right, op, node))
            else:
                name = self.operator_op(COMPARISON_SYMBOLS[type(op)], 2, node)
                results.append(self.emit(name, self.value(left), self.value(right)))
            left = right
            if len(node.ops) > 1 and i < len(node.ops) - 1:
                # chained: a < b < c is (a < b) and (b < c), b evaluated once
                rest = ast.copy_location(ast.Compare(left=_Bound(right), ops=node.ops[i + 1:],
                                                     comparators=node.comparators[i + 1:]),
                                         operands[i + 1])
                first = results[-1]
                return self.select_lazy(self.truth(first),
                                        lambda rest=rest: self.value(self.expr(rest)),
                                        lambda first=first: first)
        return results[0]

    def tuple_binop(self, node, left: Value, right: Value) -> Value:
        """Python tuple arithmetic: `t + u` concatenates, `t * k` repeats (k constant)."""
        if isinstance(node.op, ast.Add) and isinstance(left.type, TupleType) \
                and isinstance(right.type, TupleType):
            items = [self.tuple_item(left, i) for i in range(len(left.type.elems))]
            items += [self.tuple_item(right, i) for i in range(len(right.type.elems))]
            return self.emit_op("tuple", items).result
        if isinstance(node.op, ast.Mult):
            t, k = (left, right) if isinstance(left.type, TupleType) else (right, left)
            count = self.constant_of(k)
            if isinstance(count, int) and not isinstance(count, bool):
                items = [self.tuple_item(t, i) for i in range(len(t.type.elems))]
                return self.emit_op("tuple", items * max(count, 0)).result
        raise self.error(f"unsupported operation on tuples: {left.type} "
                         f"{type(node.op).__name__} {right.type}", node)

    def tuple_equal(self, left: Value, right: Value, op, node) -> Value:
        """`t == u` for tuples: same length and equal items (decided item by item)."""
        equal = isinstance(op, ast.Eq)
        if not (isinstance(left.type, TupleType) and isinstance(right.type, TupleType)) or \
                len(left.type.elems) != len(right.type.elems):
            return self.const(not equal)
        result = self.const(True)
        for i in range(len(left.type.elems)):
            a, b = self.tuple_item(left, i), self.tuple_item(right, i)
            if isinstance(a.type, TupleType) or isinstance(b.type, TupleType):
                item = self.tuple_equal(a, b, ast.Eq(), node)
            else:
                item = self.truth(self.emit("equal", a, b))
            result = self.emit("select", item, result, self.const(False))
        return result if equal else self.emit("not", result)

    def static_compare(self, left, right, op, node):
        """Comparisons of compile-time objects (dtypes, types, strings) fold to constants."""
        import operator

        a, b = self.constant_of(left), self.constant_of(right)
        if a is _not_const() or b is _not_const():
            raise self.error("cannot compare a run-time value with this compile-time object",
                             node)
        fn = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
              ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}[type(op)]
        try:
            return self.const(bool(fn(a, b)))
        except TypeError as e:
            raise self.error(str(e), node) from None

    def identity_test(self, left, right, op, node):
        """`x is None` / `x is not None`: decided by types, at compile time."""
        def is_none(x):
            return self.constant_of(x) is None or (isinstance(x, Value)
                                                   and str(x.type) == "none")

        if not (is_none(left) or is_none(right)):
            raise self.error("'is' is supported only for comparisons with None", node)
        same = is_none(left) and is_none(right)
        return self.const(same == isinstance(op, ast.Is))

    # -- subscripts ----------------------------------------------------------------------
    def subscript(self, node: ast.Subscript):
        if isinstance(node.value, ast.Attribute) and node.value.attr == "shape" \
                and not isinstance(node.slice, (ast.Slice, ast.Tuple)):
            # x.shape[k]: one `dim`, not the whole shape tuple
            owner = self.expr(node.value.value)
            k = node.slice.value if isinstance(node.slice, ast.Constant) \
                else self.constant_of(self.expr(node.slice))
            if isinstance(owner, Value) and isinstance(owner.type, ArrayType) \
                    and isinstance(k, int) and -owner.type.rank <= k < owner.type.rank:
                return self.dim(owner, k % owner.type.rank)
        base = self.expr(node.value)
        if isinstance(base, Static) and isinstance(base.obj, KernelDict):
            return self.dict_item(base.obj, node)
        if isinstance(base, Static) and isinstance(base.obj, tuple):
            base = self.value(base)
        if not isinstance(base, Value):
            raise self.error("this object is not subscriptable in a kernel", node.value)
        t = base.type
        if isinstance(t, TupleType):
            if isinstance(node.slice, ast.Slice):
                parts = [None if p is None else self.constant_of(self.expr(p))
                         for p in (node.slice.lower, node.slice.upper, node.slice.step)]
                if any(p is _not_const() for p in parts):
                    raise self.error("tuple slices need constant bounds", node.slice)
                items = [self.tuple_item(base, i) for i in range(len(t.elems))[slice(*parts)]]
                return self.emit_op("tuple", items).result
            index = self.constant_of(self.expr(node.slice))
            if isinstance(index, int):
                if not -len(t.elems) <= index < len(t.elems):
                    raise self.error(f"tuple index {index} out of range", node.slice, IndexError)
                return self.tuple_item(base, index % len(t.elems))
            if isinstance(index, slice):
                items = [self.tuple_item(base, i) for i in range(len(t.elems))[index]]
                return self.emit_op("tuple", items).result
            raise self.error("tuples can only be indexed by constant integers", node.slice)
        if isinstance(t, ListType):
            i = self.value(self.expr(node.slice))
            return self.emit("list_get", base, i)
        if not isinstance(t, ArrayType):
            # a Python scalar: TypeError; a NumPy scalar: IndexError ("invalid index to scalar")
            numpy_scalar = isinstance(t, ScalarType) and t.kind not in PY_KINDS
            raise self.error(f"a value of type {t} is not subscriptable", node.value,
                             IndexError if numpy_scalar else TypeError)
        index, operands = self.index_operands(node.slice)
        return self.emit("gather" if "a" in index else "getitem", base, *operands,
                         index=index, hint="")

    def index_operands(self, node: ast.expr):
        """The `index` attribute and operands for a subscript (see phylanx.ops.indexing)."""
        elts = node.elts if isinstance(node, ast.Tuple) else [node]
        index, operands = [], []
        for e in elts:
            if isinstance(e, ast.Slice):
                bits = ""
                for part in (e.lower, e.upper, e.step):
                    if part is None or (isinstance(part, ast.Constant) and part.value is None):
                        bits += "0"
                    else:
                        bits += "1"
                        operands.append(self.value(self.expr(part), part))
                index.append("s" + bits)
                continue
            x = self.expr(e)
            c = self.constant_of(x)
            if c is None:
                index.append("n")
            elif c is Ellipsis:
                index.append("e")
            else:
                v = self.value(x, e)
                if isinstance(v.type, TupleType) and len(elts) == 1 and all(
                        isinstance(t, ScalarType) and t.dtype[0] in "iu"
                        for t in v.type.elems):
                    # x[idx] with a tuple of integers: x[idx[0], idx[1], ...]
                    for k in range(len(v.type.elems)):
                        index.append("i")
                        operands.append(self.tuple_item(v, k))
                    continue
                if isinstance(v.type, TupleType):
                    raise self.error("indexing with a tuple value is supported only for a "
                                     "tuple of integers; write the indices out", e)
                if isinstance(v.type, ListType):
                    v = self.emit("array", v)
                index.append("a" if isinstance(v.type, ArrayType) else "i")
                operands.append(v)
        return tuple(index), operands

    # -- comprehensions and iteration ----------------------------------------------------
    def list_comp(self, node: ast.ListComp):
        self.counter = getattr(self, "counter", 0) + 1
        acc = f"__phx_list{self.counter}"
        append = ast.Expr(ast.Call(
            func=ast.Attribute(value=ast.Name(acc, ast.Load()), attr="append", ctx=ast.Load()),
            args=[node.elt], keywords=[]))
        stmt = append
        for gen in reversed(node.generators):
            if gen.is_async:
                raise self.error("async comprehensions are not supported", node)
            for cond in reversed(gen.ifs):
                stmt = ast.If(test=cond, body=[stmt], orelse=[])
            stmt = ast.For(target=gen.target, iter=gen.iter, body=[stmt], orelse=[],
                           type_comment=None)
        for n in ast.walk(stmt):
            if not hasattr(n, "lineno") and isinstance(n, (ast.stmt, ast.expr)):
                ast.copy_location(n, node)
        targets = {t.id for g in node.generators for t in ast.walk(g.target)
                   if isinstance(t, ast.Name)}
        saved = {n: self.env[n] for n in targets if n in self.env}
        self.env[acc] = EMPTY_LIST
        outer_fdef = self.fdef
        # the accumulator is read after the loop: make it visible to the carried-name analysis
        self.fdef = ast.Module(body=[stmt, ast.Expr(ast.Name(acc, ast.Load()))],
                               type_ignores=[])
        try:
            self.lower_stmt(stmt)
        finally:
            self.fdef = outer_fdef
        result = self.env.pop(acc)
        for n in targets:
            self.env.pop(n, None)
        self.env.update(saved)
        if result is EMPTY_LIST:
            raise self.error("cannot infer the element type of this comprehension", node)
        return result

    def lower_iteration(self, node, target, iter_node, lower_body) -> None:
        it = self.iter_spec(iter_node)
        if it[0] == "ndindex":
            self.lower_ndindex(node, target, it[1], lower_body)
            return
        if it[0] == "unroll":
            for item in it[1]:
                self.assign(target, item)
                lower_body()
            return
        _, lo, hi, step, element = it
        self.for_range_op(node, lo, hi, step, lambda i: self.assign(target, element(i)),
                          lower_body)

    def iter_spec(self, node):
        """('range', lo, hi, step, element(i)) or ('unroll', items)."""
        with self.at(node):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                callee = self.constant_of(self.lookup_name(node.func.id, node.func))
                if callee is range:
                    return self.range_spec(node)
                if callee is enumerate:
                    return self.enumerate_spec(node)
                if callee is zip:
                    return self.zip_spec(node)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                callee = self.expr(node.func)
                if isinstance(callee, Static) and callee.obj is np.ndindex:
                    return self.ndindex_spec(node)
            x = self.expr(node)
            if isinstance(x, Static) and isinstance(x.obj, KernelDict):
                return "unroll", [Static(k) for k in x.obj]
            if isinstance(x, Static) and isinstance(x.obj, DictView):
                return "unroll", list(x.obj)
            if isinstance(x, Static) and isinstance(x.obj, tuple):
                x = self.value(x)
            v = self.value(x, node)
            return self.value_spec(v, node)

    def value_spec(self, v: Value, node):
        t = v.type
        if isinstance(t, TupleType):
            return ("unroll", [self.tuple_item(v, i) for i in range(len(t.elems))])
        zero, one = self.const(0), self.const(1)
        if isinstance(t, ArrayType) and t.rank > 0:
            return ("range", zero, self.emit("len", v), one,
                    lambda i: self.emit("getitem", v, i, index=("i",)))
        if isinstance(t, ListType):
            return ("range", zero, self.emit("len", v), one,
                    lambda i: self.emit("list_get", v, i))
        # Python: "'int' object is not iterable", "iteration over a 0-d array"
        raise self.error(f"cannot iterate over a value of type {t}", node, TypeError)

    def range_spec(self, node: ast.Call):
        args = [self.value(self.expr(a), a) for a in node.args]
        for a, v in zip(node.args, args):
            if not (isinstance(v.type, ScalarType) and v.type.dtype[0] in "iub"):
                raise self.error(f"range() arguments must be integers, got {v.type}", a,
                                 TypeError)
        if len(args) == 1:
            return ("range", self.const(0), args[0], self.const(1), lambda i: i)
        if len(args) == 2:
            return ("range", args[0], args[1], self.const(1), lambda i: i)
        if len(args) == 3:
            step = self.constant_of(args[2])
            if step == 0:
                raise self.error("range() arg 3 must not be zero", node.args[2], ValueError)
            return ("range", *args, lambda i: i)
        raise self.error(f"range expected 1 to 3 arguments, got {len(args)}", node, TypeError)

    def ndindex_spec(self, node: ast.Call):
        """np.ndindex(shape) or np.ndindex(d0, d1, ...): ('ndindex', extents)."""
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.error("np.ndindex takes the extents or one shape tuple", node)
        args = [self.value(self.expr(a), a) for a in node.args]
        if len(args) == 1 and isinstance(args[0].type, TupleType):
            extents = [self.tuple_item(args[0], k) for k in range(len(args[0].type.elems))]
        else:
            extents = args
        for v in extents:
            if not (isinstance(v.type, ScalarType) and v.type.dtype[0] in "iu"):
                raise self.error(f"np.ndindex() extents must be integers, got {v.type}", node,
                                 TypeError)
        return "ndindex", extents

    def lower_ndindex(self, node, target, extents, lower_body) -> None:
        """One for_range per axis, the last innermost (C order, as np.ndindex); the target
        takes the tuple of indices. A negative extent counts as 0, as in NumPy."""
        for e in extents:
            c = self.constant_of(e)
            if c is not _not_const() and c < 0:
                raise self.error("negative dimensions are not allowed", node, ValueError)
            if c is _not_const() and not nonneg(e):
                # NumPy raises ValueError for a negative extent; range() would not
                raise self.error("np.ndindex() of extents that may be negative is not "
                                 "supported: use a shape (x.shape) or constants", node)
        extents = [self.convert(e, INT) for e in extents]
        indices: list = []

        def level(k):
            if k == len(extents):
                self.assign(target, self.emit_op("tuple", list(indices)).result)
                lower_body()
                return

            def bind(i):
                del indices[k:]
                indices.append(i)
            self.for_range_op(node, self.const(0), extents[k], self.const(1), bind,
                              lambda: level(k + 1))
        level(0)

    def _counted(self, spec):
        """(count, element(k)) for k in range(count) of a 'range' spec."""
        _, lo, hi, step, element = spec
        if self.constant_of(lo) == 0 and self.constant_of(step) == 1:
            return self.convert(hi, INT), element
        count = self.emit("range_len", *(self.convert(v, INT) for v in (lo, hi, step)))
        return count, lambda k: element(self.emit("add", lo, self.emit("multiply", k, step)))

    def enumerate_spec(self, node: ast.Call):
        if len(node.args) != 1 or any(k.arg != "start" for k in node.keywords) \
                or len(node.keywords) > 1:
            raise self.error("enumerate(iterable[, start=k]) expected", node)
        start = self.value(self.expr(node.keywords[0].value)) if node.keywords else None
        inner = self.iter_spec(node.args[0])
        if inner[0] == "unroll":
            items = [self.emit_op("tuple", [self.const(k) if start is None else
                                            self.emit("add", start, self.const(k)), x]).result
                     for k, x in enumerate(inner[1])]
            return ("unroll", items)
        count, element = self._counted(inner)

        def item(k):
            index = k if start is None else self.emit("add", k, start)
            return self.emit_op("tuple", [index, self.value(element(k))]).result

        return ("range", self.const(0), count, self.const(1), item)

    def zip_spec(self, node: ast.Call):
        specs = [self.iter_spec(a) for a in node.args]
        if not specs:
            raise self.error("zip() needs at least one iterable", node)
        if any(s[0] == "unroll" for s in specs):
            if not all(s[0] == "unroll" for s in specs):
                raise self.error("zip() of a tuple with an array or range is not supported",
                                 node)
            n = min(len(s[1]) for s in specs)
            return ("unroll", [self.emit_op("tuple", [s[1][k] for s in specs]).result
                               for k in range(n)])
        counted = [self._counted(s) for s in specs]
        count = counted[0][0]
        for c, _ in counted[1:]:
            count = self.emit("select", self.emit("less", c, count), c, count)
        return ("range", self.const(0), count, self.const(1),
                lambda k: self.emit_op("tuple", [self.value(el(k)) for _, el in counted]).result)


class _Bound(ast.expr):
    """An already-lowered value inside a synthesized AST (chained comparisons)."""

    _fields = ()

    def __init__(self, value):
        super().__init__()
        self.bound = value


def _not_const():
    from phylanx.frontend.lower import _NOT_CONST

    return _NOT_CONST


__all__ = ["INT", "ExpressionsMixin"]
