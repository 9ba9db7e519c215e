"""Lowering of statements: assignment, if, for, while, return."""

from __future__ import annotations

import ast
import importlib
import sys

import numpy as np

from phylanx.frontend.messages import ends_in_raise
from phylanx.frontend.scope import DEAD, EMPTY_LIST, UNKNOWN, NeedsType, Static, hint_for
from phylanx.ir.core import Block, Value
from phylanx.ir.types import (
    BOOL,
    INT,
    ArrayType,
    ListType,
    ScalarType,
    TupleType,
    result_dtype,
)
from phylanx.ops._sample import sample_value

UNSUPPORTED_STATEMENTS = {
    ast.With: "'with' statements", ast.Try: "'try' statements", ast.Global: "'global'", ast.Nonlocal: "'nonlocal'",
    ast.Delete: "'del'",
    ast.ClassDef: "'class' inside a kernel", ast.AsyncFor: "'async for'",
    ast.AsyncWith: "'async with'", ast.Match: "'match' statements",
}


def unsupported_statement(s: ast.stmt) -> str:
    """The message refusing statement `s`."""
    what = UNSUPPORTED_STATEMENTS.get(type(s), f"'{type(s).__name__}' statements")
    return f"unsupported construct: {what} cannot be compiled"


class StatementsMixin:
    def lower_block(self, stmts: list[ast.stmt]) -> None:
        for stmt in stmts:
            if self.builder.block.terminator is not None or ends_in_raise(self.builder.block):
                return  # code after `return` or `raise` never runs
            with self.at(stmt):
                try:
                    self.lower_stmt(stmt)
                except NeedsType:
                    if not self.probing:
                        raise
                    # Probing a loop body: skip what reads a not-yet-typed variable; a later
                    # statement may assign it and so reveal its type.

    def lower_stmt(self, s: ast.stmt) -> None:
        if isinstance(s, ast.Assign):
            value = self.expr(s.value)
            if not isinstance(value, (Value, Static)) and value is not EMPTY_LIST:
                value = self.value(value, s.value)  # e.g. a method that was not called
            for target in s.targets:
                self.assign(target, value)
        elif isinstance(s, ast.AnnAssign):
            if s.value is None:
                raise self.error("annotation without a value", s)
            self.assign(s.target, self.expr(s.value))
        elif isinstance(s, ast.AugAssign):
            self.aug_assign(s)
        elif isinstance(s, ast.Expr):
            if isinstance(s.value, ast.Constant) and isinstance(s.value.value, str):
                return  # docstring
            self.expr(s.value)
        elif isinstance(s, ast.If):
            self.lower_if(s)
        elif isinstance(s, ast.For):
            self.lower_for(s)
        elif isinstance(s, ast.While):
            self.lower_while(s)
        elif isinstance(s, ast.Return):
            v = self.value(self.expr(s.value), s.value) if s.value is not None \
                else self.const(None)
            self.emit_return(v)
        elif isinstance(s, ast.Pass):
            pass
        elif isinstance(s, (ast.Import, ast.ImportFrom)):
            self.lower_import(s)
        elif isinstance(s, ast.FunctionDef):
            self.bind(s.name, self.define_local_function(s))
        elif isinstance(s, ast.Raise):
            self.lower_raise(s)
        elif isinstance(s, ast.Assert):
            self.lower_assert(s)
        else:
            raise self.error(unsupported_statement(s), s)

    # -- assignment --------------------------------------------------------------------------
    def assign(self, target: ast.expr, value) -> None:
        with self.at(target):
            if isinstance(target, ast.Name):
                self.bind(target.id, value)
            elif isinstance(target, (ast.Tuple, ast.List)):
                self.unpack(target, value)
            elif isinstance(target, ast.Subscript):
                self.store_subscript(target, value)
            elif isinstance(target, ast.Attribute):
                raise self.error("assignment to an attribute is not supported", target)
            else:
                raise self.error(f"cannot assign to {type(target).__name__}", target)

    def lower_import(self, s: ast.Import | ast.ImportFrom) -> None:
        """`import m`, `import m as n`, `from m import x as y` bind names as Python would at
        this point. What `from m import x` binds is read from the module at every call, as a
        global is (an array of a module stays its current contents)."""
        if isinstance(s, ast.Import):
            for alias in s.names:
                module = self._import_module(alias.name, s)
                if alias.asname:
                    self.bind(alias.asname, Static(module))
                else:  # `import a.b` binds `a`
                    top = alias.name.split(".", 1)[0]
                    self.bind(top, Static(sys.modules[top]))
            return
        if s.level:
            raise self.error("a relative import inside a kernel is not supported: import the "
                             "module at the top of its file", s)
        module = self._import_module(s.module, s)
        for alias in s.names:
            if alias.name == "*":
                raise self.error("'from ... import *' is not allowed inside a function", s,
                                 SyntaxError)
            if not hasattr(module, alias.name):
                try:  # a submodule not imported yet
                    importlib.import_module(f"{s.module}.{alias.name}")
                except ImportError:
                    raise self.error(f"cannot import name '{alias.name}' from '{s.module}'", s,
                                     ImportError) from None
            obj = getattr(module, alias.name)
            self.bind(alias.asname or alias.name,
                      self.global_value(obj, s, ("global", vars(module), alias.name),
                                        alias.asname or alias.name))

    def _import_module(self, name: str, node: ast.stmt):
        try:
            return importlib.import_module(name)
        except ImportError as e:
            raise self.error(f"cannot import '{name}': {e}", node, type(e)) from None

    def unpack(self, target, value) -> None:
        if any(isinstance(e, ast.Starred) for e in target.elts):
            raise self.error("starred assignment (a, *b = ...) is not supported", target)
        n = len(target.elts)
        if isinstance(value, Static) and isinstance(value.obj, tuple) and len(value.obj) == n \
                and any(isinstance(x, Static) for x in value.obj):   # (key, value) of a dict
            for elt, item in zip(target.elts, value.obj):
                self.assign(elt, item)
            return
        items = self.unpack_values(value, n, target)
        for elt, item in zip(target.elts, items):
            self.assign(elt, item)

    def unpack_values(self, value, n: int, node) -> list:
        if isinstance(value, Static) and isinstance(value.obj, tuple):
            value = self.value(value)
        v = self.value(value, node)
        t = v.type
        if isinstance(t, TupleType):
            if len(t.elems) != n:
                raise self.error(f"cannot unpack {len(t.elems)} values into {n} names", node,
                                 ValueError)
            return [self.tuple_item(v, i) for i in range(n)]
        if isinstance(t, ArrayType) and t.rank > 0:
            if t.shape[0] is not None and t.shape[0] != n:
                raise self.error(f"cannot unpack an array of length {t.shape[0]} into {n} "
                                 "names", node, ValueError)
            return [self.emit("getitem", v, self.const(i), index=("i",)) for i in range(n)]
        raise self.error(f"cannot unpack a value of type {t}", node, TypeError)

    def tuple_item(self, v: Value, i: int):
        op = v.defining_op
        if op is not None and op.name == "tuple":
            return op.operands[i]
        return self.emit("tuple_get", v, index=i)

    def store_subscript(self, target: ast.Subscript, value) -> None:
        if not isinstance(target.value, ast.Name):
            raise self.error("assignment into a subscript of an expression is not supported; "
                             "assign to a variable's subscript (x[i, j] = v)", target)
        base = self.lookup_name(target.value.id, target.value)
        if isinstance(base, Static) and isinstance(base.obj, dict):
            raise self.error("assignment into dict items is not supported in a kernel: its "
                             "dicts are read-only records (build the dict with every key)",
                             target)
        base = self.value(base, target.value)
        if isinstance(base.type, ListType):
            raise self.error("assignment into list items is not supported; use an array",
                             target)
        if not isinstance(base.type, ArrayType):
            raise self.error(f"'{base.type}' does not support item assignment", target,
                             TypeError)
        index, operands = self.index_operands(target.slice)
        v = self.value(value, target)
        new = self.emit("setitem", base, *operands, v, index=index, hint=base.hint)
        self.rebind_aliases(base, new)

    def aug_assign(self, s: ast.AugAssign) -> None:
        op = self.binop_name(s.op, s)
        if isinstance(s.target, ast.Name):
            old = self.lookup_name(s.target.id, s.target)
            rhs = self.value(self.expr(s.value))
            new = self.emit(op, self.value(old), rhs)
            if isinstance(old, Value) and isinstance(old.type, ArrayType):
                # NumPy's `x += y` writes into x's buffer (aliases see it) with same_kind casting
                self.check_inplace_cast(op, new, old.type, rhs.type, s)
                new = self.check_fits(old, rhs, new)
                updated = self.emit("setitem", old, new, index=("e",), hint=old.hint)
                self.rebind_aliases(old, updated)
            else:
                self.bind(s.target.id, new)
        elif isinstance(s.target, ast.Subscript):
            current = self.expr(s.target)
            rhs = self.value(self.expr(s.value))
            new = self.emit(op, self.value(current), rhs)
            if isinstance(current, Value) and isinstance(current.type, ArrayType):
                self.check_inplace_cast(op, new, current.type, rhs.type, s)
                new = self.check_fits(current, rhs, new)
            self.store_subscript(s.target, new)
        else:
            raise self.error("augmented assignment to this target is not supported", s.target)

    def check_fits(self, target: Value, operand: Value, new: Value) -> Value:
        """`new`, the result of `target op= operand`, checked to have target's shape at run
        time (NumPy's ValueError otherwise: an in-place result cannot grow), unless the
        types prove it: an operand of no more axes whose extents are all 1 or target's."""
        t, o = target.type, operand.type
        if not isinstance(o, ArrayType) or o.rank == 0:
            return new
        if o.rank <= t.rank and all(e == 1 or (e is not None and e == te)
                                    for e, te in zip(o.shape[::-1], t.shape[::-1])):
            return new
        return self.emit_op("check_fits", [target, new]).result

    def check_inplace_cast(self, op: str, new: Value, t: ArrayType, value_type, node) -> None:
        """Refuse `x op= value` where NumPy refuses to cast the result into x, with NumPy's
        exception (UFuncTypeError)."""
        src = result_dtype(new.type)
        if np.can_cast(np.dtype(_np_name(src)), np.dtype(_np_name(t.dtype)), "same_kind"):
            return
        message = f"Cannot cast {src} to {t.dtype} with casting rule 'same_kind'"
        error_class = TypeError
        ufunc = getattr(np, op, None)
        if isinstance(ufunc, np.ufunc):
            target = sample_value(t)
            try:
                with np.errstate(all="ignore"):
                    ufunc(target, sample_value(value_type), out=target)
            except Exception as e:  # noqa: BLE001  (NumPy's own class and words)
                message, error_class = str(e), type(e)
        raise self.error(f"in-place operation refused by NumPy: {message}", node, error_class)

    # -- if ----------------------------------------------------------------------------------
    def lower_if(self, s: ast.If) -> None:
        try:
            cond = self.expr(s.test)
        except NeedsType:
            if not self.probing:
                raise
            # probing: the branches may still reveal types, whatever the condition
            cond = self.emit_op("undef", result_types=[BOOL]).result
        static = self.constant_of(cond)
        if static is not _not_const():
            self.lower_block(s.body if static else s.orelse)
            return
        cond = self.truth(cond)
        outside = self.loaded_outside(s)
        live = self.liveness.live_after(s)
        self.lower_branches(cond, lambda: self.lower_block(s.body),
                            lambda: self.lower_block(s.orelse), outside,
                            outside if live is None else live)

    def loaded_outside(self, node: ast.AST) -> set[str]:
        """Names read anywhere in the function outside `node`."""
        inside = {id(n) for n in ast.walk(node)}
        if isinstance(node, ast.For):
            inside -= {id(n) for n in ast.walk(node.iter)}
        return {n.id for n in ast.walk(self.fdef) if isinstance(n, ast.Name)
                and isinstance(n.ctx, ast.Load) and id(n) not in inside}

    def lower_branches(self, cond: Value, then_fn, else_fn, live: set[str],
                       read_after: set[str]) -> None:
        """Lower an `if`; variables it changes that are live afterwards become its results.

        A name is live after the `if` when it existed before it (a loop may carry it) or is
        read somewhere outside the statement. Only one in `read_after` (may be read before
        being assigned again) must have the same dtype on both paths.
        """
        before = self.env
        blocks, envs = [], []
        for fn in (then_fn, else_fn):
            block = Block()
            envs.append(self.lower_region(block, {}, fn))
            blocks.append(block)
        returned = [b.terminator is not None and b.terminator.name == "return" for b in blocks]
        if any(returned):
            raise self.error("internal: return inside a branch was not desugared")
        raises = [ends_in_raise(b) for b in blocks]
        if raises[0] != raises[1]:   # only the other path goes on: its variables win
            envs = [envs[1], envs[1]] if raises[0] else [envs[0], envs[0]]
        names = [n for n in dict.fromkeys([*envs[0], *envs[1]])
                 if (envs[0].get(n) is not before.get(n) or envs[1].get(n) is not before.get(n))
                 and (n in before or n in live)]
        merged, types = [], []
        for name in names:
            a, b = envs[0].get(name), envs[1].get(name)
            if isinstance(a, Static) or isinstance(b, Static):
                if a == b:
                    self.env[name] = a
                    continue
                a, b = (self.value(x) if isinstance(x, Static) else x for x in (a, b))
            if a is EMPTY_LIST and b is EMPTY_LIST:
                self.env[name] = EMPTY_LIST
                continue
            ta = a.type if isinstance(a, Value) else None
            tb = b.type if isinstance(b, Value) else None
            if ta is None and tb is None:
                continue
            read = name in read_after
            t = None if DEAD in (a, b) else self.merge_type(
                name, ta, tb, "in a branch of this 'if'",
                _changed(before.get(name), a, b) if read else None, dead=not read)
            if t is None:
                self.env[name] = DEAD
                continue
            types.append(t)
            merged.append((name, a, b))
        for block, idx, raising in zip(blocks, (1, 2), raises):
            saved = self.builder.block
            self.builder.block = block
            try:
                if raising:   # never reached: placeholders of the right types
                    vals = [self.emit_op("undef", result_types=[t]).result for t in types]
                else:
                    vals = [self.materialize_for(m[idx], t) for m, t in zip(merged, types)]
                self.emit_op("yield", vals)
            finally:
                self.builder.block = saved
        op = self.emit_op("if", [cond], result_types=types, regions=blocks)
        for (name, a, b), r in zip(merged, op.results):
            self.mark_either(r, self.merged_either(r.type, a, b), hint_for(name))
            self.bind(name, r)

    # -- loops -------------------------------------------------------------------------------
    def live_in_loop(self, loop: ast.stmt) -> set[str]:
        """Names whose value at the loop's head may be read: after the loop or before being
        assigned in an iteration."""
        live = self.liveness.live_at_head(loop)
        if live is not None:
            return live
        # a loop the lowering made up (comprehensions): any read outside the loop counts
        live = self.loaded_outside(loop) | _read_before_write(loop.body, set(_stored_names(loop)))
        if isinstance(loop, ast.While):
            live |= _loads(loop.test)
        return live

    def carried_names(self, loop: ast.stmt) -> list[str]:
        """Names a loop may rebind that are visible outside it (or aliased)."""
        stored = _stored_names(loop)
        outside = self.loaded_outside(loop)
        early = _read_before_write(loop.body, set(stored))
        if isinstance(loop, ast.While):
            early |= _loads(loop.test)
        names = [n for n in stored if n in self.env or n in outside or n in early]
        # names sharing a value with an updated array (aliases) are updated too
        for n in list(names):
            v = self.env.get(n)
            if isinstance(v, Value):
                names += [m for m, x in self.env.items() if x is v and m not in names]
        # loop variables of enclosing loops that desugaring introduced stay outside
        return [n for n in names if n in self.env or n in outside or n in early]

    def lower_loop(self, node, carried: list[str], index_type, lower_body):
        """Find loop-carried types by lowering the body until they are stable.

        Returns (block, carried names, types, init values, the Python scalar type each carried
        value has on some paths or None). The block's first argument is the loop index when
        `index_type` is given.
        """
        init = {n: self.env.get(n) for n in carried}
        live_names = self.live_in_loop(node)
        types = {n: (init[n].type if isinstance(init[n], Value) else None) for n in carried}
        dead: list[str] = []
        weak_of: dict[str, ScalarType] = {}  # carried names that are Python scalars on some paths
        for _ in range(6):
            live = [n for n in carried if types[n] is not None or init[n] is EMPTY_LIST]
            self.probing += 1
            try:
                block, env = self._loop_pass(live, types, init, index_type, lower_body,
                                             unknown=[n for n in carried if n not in live],
                                             weak_of=weak_of)
            finally:
                self.probing -= 1
            changed = False
            for n in carried:
                end = env.get(n)
                if isinstance(end, Static):
                    end = self.value(end)
                t_end = end.type if isinstance(end, Value) else None
                read = n in live_names
                culprit = (end if isinstance(end, Value) else True) if read else None
                t = self.merge_type(n, types[n], t_end, "in this loop", culprit, dead=not read)
                if t is None:  # not read again, and of another kind in the loop: not carried
                    dead.append(n)
                    changed = True
                    continue
                if t != types[n]:
                    types[n], changed = t, True
                weak = self.merged_either(t, init[n], end, *([weak_of[n]] if n in weak_of else []))
                if weak is not None and weak_of.get(n) != weak:
                    weak_of[n], changed = weak, True
            carried = [n for n in carried if n not in dead]
            if not changed:
                break
        else:
            raise self.error("loop-carried types did not settle", node)
        for n in dead:
            self.env[n] = DEAD
        final = [n for n in carried if types[n] is not None]
        block, env = self._loop_pass(final, types, init, index_type, lower_body, weak_of=weak_of)
        saved = self.builder.block
        self.builder.block = block
        try:
            self.emit_op("yield", [self.materialize_for(env.get(n), types[n]) for n in final])
        finally:
            self.builder.block = saved
        inits = [self.materialize_for(init[n], types[n]) for n in final]
        either = [weak_of.get(n) for n in final]
        return block, final, [types[n] for n in final], inits, either

    def _loop_pass(self, live, types, init, index_type, lower_body, unknown=(), weak_of=None):
        arg_types = ([index_type] if index_type is not None else []) + [
            types[n] for n in live if types[n] is not None]
        block = Block(arg_types)
        args = block.args[1:] if index_type is not None else block.args
        bindings = {}
        typed = [n for n in live if types[n] is not None]
        for n, a in zip(typed, args):
            a.hint = n.replace("__phx_", "")
            bindings[n] = a
            self.mark_either(a, (weak_of or {}).get(n))
        for n in live:
            if types[n] is None:
                bindings[n] = EMPTY_LIST
        for n in init:
            if n not in bindings:
                bindings[n] = None
        index = block.args[0] if index_type is not None else None
        bindings = {k: v for k, v in bindings.items() if v is not None}
        for n in unknown:
            bindings[n] = UNKNOWN
        saved = dict(self.env)
        for n in init:
            self.env.pop(n, None)
        try:
            env = self.lower_region(block, bindings, lambda: lower_body(index))
        finally:
            self.env = saved
        return block, env

    def finish_loop(self, names, op, either: list) -> None:
        for n, r, weak in zip(names, op.results, either):
            self.mark_either(r, weak, hint_for(n))
            self.bind(n, r)

    def lower_for(self, s: ast.For) -> None:
        if s.orelse:
            raise self.error("internal: for-else was not desugared", s)
        self.lower_iteration(s, s.target, s.iter, lambda: self.lower_block(s.body))

    def lower_while(self, s: ast.While) -> None:
        if s.orelse:
            raise self.error("'while ... else' is not supported", s)
        carried = self.carried_names(s)
        holder = {}

        def body(_index):
            holder["cond_env"] = None
            self.lower_block(s.body)

        block, names, types, inits, either = self.lower_loop(s, carried, None, body)
        cond_block = Block(types)
        for n, a, weak in zip(names, cond_block.args, either):
            a.hint = n.replace("__phx_", "")
            self.mark_either(a, weak)

        def cond():
            with self.at(s.test):
                self.emit_op("yield", [self.truth(self.expr(s.test))])

        self.lower_region(cond_block, dict(zip(names, cond_block.args)), cond)
        op = self.emit_op("while", inits, result_types=types, regions=[cond_block, block])
        self.finish_loop(names, op, either)

    def for_range_op(self, node, lo, hi, step, bind_index, lower_body):
        carried = self.carried_names(node)

        def body(index):
            bind_index(index)
            lower_body()

        block, names, types, inits, either = self.lower_loop(node, carried, INT, body)
        block.args[0].hint = block.args[0].hint or "i"
        op = self.emit_op("for_range", [lo, hi, step, *inits], result_types=types,
                          regions=[block])
        self.finish_loop(names, op, either)


def _changed(prior, a, b):
    """Of the values `a` and `b` a variable has after the two branches of an `if`, the one
    whose type differs from the variable's before (True: no single one)."""
    if isinstance(prior, Value):
        if isinstance(a, Value) and a.type == prior.type:
            return b if isinstance(b, Value) else True
        if isinstance(b, Value) and b.type == prior.type:
            return a if isinstance(a, Value) else True
    return True


def _np_name(dtype: str) -> str:
    from phylanx.ir.types import DTYPES

    return DTYPES[dtype].name


def _not_const():
    from phylanx.frontend.lower import _NOT_CONST

    return _NOT_CONST


def _loads(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Load)}


def _read_before_write(stmts: list[ast.stmt], candidates: set[str]) -> set[str]:
    """Names of `candidates` a loop body may read before assigning them in the same
    iteration: their value comes from the previous iteration, so the loop must carry them."""
    found: set[str] = set()

    def block(body, assigned: set[str]) -> set[str]:
        for st in body:
            assigned = stmt(st, assigned)
        return assigned

    def stmt(st, assigned: set[str]) -> set[str]:
        if isinstance(st, ast.If):
            found.update((_loads(st.test) & candidates) - assigned)
            return block(st.body, set(assigned)) & block(st.orelse, set(assigned))
        if isinstance(st, (ast.For, ast.While)):
            head = st.iter if isinstance(st, ast.For) else st.test
            found.update((_loads(head) & candidates) - assigned)
            inner = set(assigned)
            if isinstance(st, ast.For):
                inner |= {n.id for n in ast.walk(st.target) if isinstance(n, ast.Name)}
            block(st.body, inner)
            return assigned  # the body may run zero times
        value_parts = [v for f, v in ast.iter_fields(st) if f not in ("targets", "target")]
        for part in value_parts:
            for node in part if isinstance(part, list) else [part]:
                if isinstance(node, ast.AST):
                    found.update((_loads(node) & candidates) - assigned)
        if isinstance(st, (ast.AugAssign, ast.Assign, ast.AnnAssign)):
            targets = st.targets if isinstance(st, ast.Assign) else [st.target]
            for t in targets:  # subscript targets read their base and index: x[i] = ...
                found.update((_loads(t) & candidates) - assigned)
            return assigned | {n.id for t in targets for n in ast.walk(t)
                               if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        return assigned

    block(stmts, set())
    return found


def _stored_names(node: ast.AST) -> list[str]:
    names = []

    def add(n):
        if n not in names:
            names.append(n)

    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            add(n.id)
        elif isinstance(n, (ast.Subscript,)) and isinstance(n.ctx, ast.Store) \
                and isinstance(n.value, ast.Name):
            add(n.value.id)
        elif isinstance(n, ast.AugAssign):
            t = n.target
            while isinstance(t, ast.Subscript):
                t = t.value
            if isinstance(t, ast.Name):
                add(t.id)
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) \
                and isinstance(n.func.value, ast.Name) and n.func.attr in ("append", "extend"):
            add(n.func.value.id)
    # comprehension variables are local to the comprehension
    for n in ast.walk(node):
        if isinstance(n, (ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)):
            for gen in n.generators:
                for t in ast.walk(gen.target):
                    if isinstance(t, ast.Name) and t.id in names:
                        names.remove(t.id)
    return names


__all__ = ["ScalarType", "StatementsMixin"]
