"""Lowering of a PhySL module to the plan of an executable graph (plain Python, once per kernel).

`Planner(module)` builds, per block of every function, the nodes of its graph: kind, frame
slots read and written, dependency count, successors, the kernel to call (a native preparer
from `phylanx.runtime.natives`, or the NumPy reference), the cost model, and static facts
the scheduler uses (may the node be heavy? may the graph run nodes concurrently? may a
`for_range {parallel = true}` spread its iterations?). `_executor.Executable` copies the
plan into C structures.

Edges of a block's graph (node j waits for node i, i earlier in program order):
  * data: j, or an op nested in j's regions, uses a result of i;
  * memory: the alias classes and the classes each op reads and writes are those of
    phylanx.analysis.Effects (the optimizer's analysis too), with all of a function's
    arguments in one class (a caller may pass one array twice, and the lowering does not know
    whether the caller checked). A writer waits for the class's last writer and for every
    reader since then; a reader waits for the last writer. So `setitem` on v runs after every
    earlier op that reads v or a view of v, and every later reader of v, of a view of v, or of
    the setitem result runs after it;
  * global state: every op that draws random numbers or prints (or contains or calls such an
    op) writes a pseudo class "global state", so draws and output keep program order;
  * early return: an op whose regions contain `return` waits for every earlier node, and every
    later node waits for it;
  * every sink feeds into the block's terminator, so a finished terminator means a finished block.
"""

from __future__ import annotations

import operator

from phylanx.analysis import Effects, outside_uses, parallel_loop_refusal
from phylanx.ir.types import ArrayType

# Node kinds and flags: the values of the enums in _executor.pxd (checked at import there).
K_PRIM, K_IF, K_FOR, K_WHILE, K_CALL, K_YIELD, K_RETURN = range(7)
F_FALLBACK = 1    # runs the NumPy reference implementation (needs the GIL)
F_INPLACE = 2     # writes into the buffer of operand 0
F_RANDOM = 4      # draws from the global random generator
F_VIEW = 8        # result may share memory with operand 0
F_NATIVE = 16     # has a native preparer (Job ABI, native.pxd)
F_SEQRES = 32     # the kernel returns a sequence of results even for one result
F_HEAVY = 64      # may be costly (arrays, or a region/callee containing such nodes)
F_PARLOOP = 128   # for_range whose iterations may run concurrently
F_NOINDEX = 256   # for_range whose body never reads the loop index

# Cost models of a node whose cost is measured when it becomes ready (see _cost_kind).
C_NONE, C_ELEM, C_MATMUL, C_CUBIC, C_CONTROL, C_REST = range(6)

# Python operators called directly (PyNumber_*) instead of through operator.* (same code).
PYOPS = {operator.add: 1, operator.sub: 2, operator.mul: 3, operator.truediv: 4,
         operator.floordiv: 5, operator.mod: 6, operator.lt: 7, operator.le: 8,
         operator.gt: 9, operator.ge: 10, operator.eq: 11, operator.ne: 12,
         operator.neg: 13, operator.pos: 14}

KIND = {"if": K_IF, "for_range": K_FOR, "while": K_WHILE, "call": K_CALL, "yield": K_YIELD,
        "return": K_RETURN}
KIND_NAME = {K_PRIM: "prim", K_IF: "if", K_FOR: "for_range", K_WHILE: "while", K_CALL: "call",
             K_YIELD: "yield", K_RETURN: "return"}
_GLOBAL_STATE = "global state"   # pseudo alias class of NumPy's random state and stdout


def _error(op, exc):
    """exc with the note naming op's kernel line (as runtime errors get it)."""
    from phylanx.runtime._notes import add_kernel_note

    add_kernel_note(exc, [op])
    return exc


def _region_evaluator(op):
    """Fallback of an op with non-control regions (fused, ...): decl.evaluate(op, values)."""
    evaluate = op.decl.evaluate
    if evaluate is None:
        raise _error(op, NotImplementedError(f"op '{op.name}' has regions but no evaluator"))

    def run(*values):
        return evaluate(op, list(values))

    return run


class Planner:
    """Builds a Python plan of every graph (nodes, slots, edges); Executable copies it to C."""

    def __init__(self, module, natives=True):
        self.module = module
        self.use_natives = natives
        self.fidx = {name: i for i, name in enumerate(module.functions)}
        self.graphs, self.ops, self.funcs, self.notes = [], [], [], []
        self.heavy_memo, self.fheavy, self.preparers = {}, {}, {}
        self.loop_kernels = []   # parallel for_range ops run by the native loop kernel
        self._function_heaviness()
        for f in module.functions.values():
            self._function(f)

    # -- whole-module facts ---------------------------------------------------------------
    def _callee(self, op):
        name = op.attrs.get("callee")
        if name not in self.fidx:
            raise _error(op, ValueError(f"call to unknown function @{name}"))
        return name

    def _function_heaviness(self):
        """Which functions contain (directly or through calls) a possibly heavy node."""
        self.fheavy = {name: False for name in self.module.functions}
        changed = True
        while changed:
            changed = False
            self.heavy_memo = {}
            for name, f in self.module.functions.items():
                h = any(self._heavy(op) for op in f.body.ops)
                if h != self.fheavy[name]:
                    self.fheavy[name], changed = h, True
        self.heavy_memo = {}

    def _heavy(self, op):
        """May this op be costly? Array operands or results, or such ops in its regions."""
        h = self.heavy_memo.get(op)
        if h is None:
            kind = KIND.get(op.name, K_PRIM)
            if kind == K_CALL:
                h = self.fheavy.get(op.attrs.get("callee"), False)
            elif kind in (K_IF, K_FOR, K_WHILE):
                h = any(self._heavy(o) for b in op.regions for o in b.ops)
            elif kind == K_PRIM:
                h = self._preparer(op) is not None or (
                    self._cost_kind(op) != C_NONE and
                    any(isinstance(v.type, ArrayType) for v in (*op.operands, *op.results)))
            else:
                h = False
            self.heavy_memo[op] = h
        return h

    # -- per function ---------------------------------------------------------------------
    def _function(self, f):
        self.slot, self.template = {}, []
        self.uses_memo, self.writes_memo = {}, {}
        for v in f.args:
            self._new_slot(v)
        for op in f.walk():
            for r in op.results:
                self._new_slot(r)
            for b in op.regions:
                for a in b.args:
                    self._new_slot(a)
        self.eff = Effects(f, self.module, args_may_alias=True)
        term = f.body.terminator
        if term is None or term.name != "return":
            raise ValueError(f"function @{f.name} does not end with 'return'")
        self.scratch = 0
        body = self._block(f.body)
        self.funcs.append((len(f.args), len(self.template), body, self.scratch, self.template))

    def _new_slot(self, v):
        self.slot[v] = len(self.template)
        self.template.append(None)

    def _uses(self, op):
        """Values op (or an op in its regions) reads that are defined outside op."""
        return outside_uses(op, self.uses_memo)

    def _writes(self, op):
        """Alias classes op (or an op in its regions, or a callee) writes, and the pseudo
        class of the global state if it draws random numbers or prints."""
        w = self.writes_memo.get(op)
        if w is None:
            w = set(self.eff.writes(op))
            if self.eff.uses_global_state(op):
                w.add(_GLOBAL_STATE)
            self.writes_memo[op] = w
        return w

    def _block(self, block):
        gi = len(self.graphs)
        self.graphs.append(None)  # parents get lower indices than their regions
        ops = []
        for op in block.ops:
            if op.name == "const":
                self._const(op)
            else:
                ops.append(op)
        n = len(ops)
        if not n or "terminator" not in ops[n - 1].decl.traits:
            raise ValueError("a block does not end with 'yield' or 'return'")
        nodes = [self._node(op) for op in ops]
        preds = [set() for _ in range(n)]
        producer = {r: i for i, op in enumerate(ops) for r in op.results}
        for j, op in enumerate(ops):
            for v in self._uses(op):
                i = producer.get(v)
                if i is not None:
                    preds[j].add(i)
        self._memory_edges(ops, preds)
        for j, op in enumerate(ops[:n - 1]):
            if any(o.name == "return" for b in op.regions for o in b.walk()):
                preds[j].update(range(j))
                for k in range(j + 1, n):
                    preds[k].add(j)
        succ = [[] for _ in range(n)]
        for j in range(n):
            for i in sorted(preds[j]):
                succ[i].append(j)
        for i in range(n - 1):
            if not succ[i]:
                succ[i].append(n - 1)
                preds[n - 1].add(i)
        for i, node in enumerate(nodes):
            node["succ"], node["deps"] = succ[i], len(preds[i])
        self.graphs[gi] = {"nodes": nodes, "args": [self.slot[a] for a in block.args],
                           "term": n - 1, "scratch_off": self.scratch,
                           "par": self._concurrent(nodes, preds)}
        self.scratch += 2 * n  # counters + ready queue
        return gi

    @staticmethod
    def _concurrent(nodes, preds):
        """True if two possibly heavy nodes are unordered (neither reaches the other)."""
        reach = []
        heavy = []
        for j, node in enumerate(nodes):
            r = 0
            for i in preds[j]:
                r |= reach[i] | (1 << i)
            reach.append(r)
            if node["flags"] & F_HEAVY:
                if any(not (r >> i) & 1 for i in heavy):
                    return True
                heavy.append(j)
        return False

    def _memory_edges(self, ops, preds):
        writes = [self._writes(op) for op in ops]
        written = set().union(*writes)
        if not written:
            return
        last_writer, readers = {}, {}
        for j, op in enumerate(ops):
            reads = self.eff.classes(self._uses(op)) & written
            for c in reads | writes[j]:
                if c in last_writer:
                    preds[j].add(last_writer[c])
            for c in writes[j]:
                preds[j].update(readers.get(c, ()))
                last_writer[c], readers[c] = j, []
            for c in reads - writes[j]:
                readers.setdefault(c, []).append(j)
        for j in range(len(ops)):
            preds[j].discard(j)

    def _const(self, op):
        try:
            self.template[self.slot[op.results[0]]] = op.decl.impl(
                **op.attrs, result_types=[r.type for r in op.results])
        except Exception as e:  # noqa: BLE001 (re-raised with the kernel line)
            raise _error(op, e)

    def _node(self, op):
        kind = KIND.get(op.name, K_PRIM)
        ins = [self.slot[v] for v in op.operands]
        outs = [self.slot[r] for r in op.results]
        self._check(op, kind)
        refusal = loop_kernel = None
        if kind == K_FOR and op.attrs.get("parallel"):
            refusal = parallel_loop_refusal(op, self.eff, self.uses_memo)
            loop_kernel = None if refusal else self._native_loop(op)
        if loop_kernel is not None:   # one native node runs the whole loop
            kind, ins = K_PRIM, ins + [self.slot[v] for v in loop_kernel.program.free]
        subs = ([self._block(b) for b in op.regions] if kind != K_PRIM else []) + [-1, -1]
        traits = op.decl.traits
        node = {"kind": kind, "ins": ins, "outs": outs, "sub0": subs[0], "sub1": subs[1],
                "callee": self.fidx[self._callee(op)] if kind == K_CALL else -1,
                "op_id": len(self.ops), "impl": None, "kwnames": None, "kwvalues": (),
                "native": None, "cost": C_NONE, "pyop": 0,
                "flags": (F_INPLACE if "inplace" in traits else 0)
                | (F_RANDOM if "random" in traits else 0) | (F_VIEW if "view" in traits else 0)
                | (F_HEAVY if self._heavy(op) else 0)}
        self.ops.append(op)
        if kind in (K_IF, K_FOR, K_WHILE, K_CALL) and node["flags"] & F_HEAVY:
            node["cost"] = C_CONTROL
        if refusal:
            self.notes.append(f"{op.loc}: parallel for_range runs sequentially: {refusal}")
        elif loop_kernel is not None:
            node.update(native=loop_kernel, cost=C_CONTROL)
            node["flags"] |= F_NATIVE | F_HEAVY | F_SEQRES
            return node
        elif kind == K_FOR and op.attrs.get("parallel"):
            node["flags"] |= F_PARLOOP
        if kind == K_FOR and not any(op.regions[0].args[0] in self._uses(o)
                                     for o in op.regions[0].ops):
            node["flags"] |= F_NOINDEX
        if kind == K_PRIM:
            self._prim(op, node)
        return node

    def _native_loop(self, op):
        """The native loop kernel (runtime/_loopkernel.pyx) of a parallel for_range whose body
        it compiles, or None. Such a loop is one native node with operands lo, hi, step, the
        carried values, then the values from outside the loop its body reads."""
        if not self.use_natives:
            return None
        from phylanx.runtime._loopkernel import loop_kernel
        try:
            kernel = loop_kernel(op)
        except Exception as e:  # noqa: BLE001 (re-raised with the kernel line)
            raise _error(op, e)
        if kernel is not None:
            self.loop_kernels.append(op)
            self.notes.append(f"{op.loc}: parallel for_range runs as a native loop kernel "
                              f"(GIL released)")
        return kernel

    def _preparer(self, op):
        """The native preparer of op (phylanx.runtime.natives), or None; asked once."""
        if op not in self.preparers:
            preparer = None
            if self.use_natives:
                from phylanx.runtime.natives import preparer_for
                try:
                    preparer = preparer_for(op)
                except Exception as e:  # noqa: BLE001 (re-raised with the kernel line)
                    raise _error(op, e)
            self.preparers[op] = preparer
        return self.preparers[op]

    @staticmethod
    def _cost_kind(op):
        """How the cost of a fallback node is estimated from its operands when it is ready:
        allocating ops by the sizes of their operands (m*k*n for products, n^3 for linalg.*),
        views and in-place writes by the operands after the first (index arrays, the written
        value), and the rest (dim, len, list and tuple ops...) are never tasks."""
        traits = op.decl.traits
        if "matmul" in traits:
            return C_MATMUL
        if op.name.startswith("linalg."):
            return C_CUBIC
        if "view" in traits or "inplace" in traits:
            return C_REST
        if "allocates" in traits:
            return C_ELEM
        return C_NONE

    def _prim(self, op, node):
        preparer = self._preparer(op)
        if node["flags"] & F_HEAVY:
            node["cost"] = self._cost_kind(op)
        if preparer is not None:
            node["native"] = preparer
            node["flags"] |= F_NATIVE | F_HEAVY
            if node["cost"] == C_NONE:
                node["cost"] = C_ELEM
            return
        if op.regions:
            impl, kw = _region_evaluator(op), {}
            node["flags"] |= F_SEQRES
        else:
            impl, kw = op.decl.impl, dict(op.attrs)
            if impl is None:
                raise _error(op, NotImplementedError(f"op '{op.name}' has no implementation"))
            if op.decl.needs_result_types:
                kw["result_types"] = [r.type for r in op.results]
        node.update(impl=impl, kwnames=tuple(kw) or None, kwvalues=tuple(kw.values()))
        node["flags"] |= F_FALLBACK
        if not kw and len(op.results) == 1:
            try:
                node["pyop"] = PYOPS.get(impl, 0)
            except TypeError:   # unhashable impl
                pass

    def _check(self, op, kind):
        """Shapes the C code relies on (it does no bounds checks)."""
        n_in, n_out, r = len(op.operands), len(op.results), op.regions

        def hands_back(block, n):  # a region ending in `return` hands nothing back
            t = block.terminator
            return t is not None and (t.name == "return" or len(t.operands) == n)

        if kind == K_IF:
            ok = n_in == 1 and len(r) == 2 and not (r[0].args or r[1].args) \
                and hands_back(r[0], n_out) and hands_back(r[1], n_out)
        elif kind == K_FOR:
            ok = n_in >= 3 and len(r) == 1 and len(r[0].args) == n_in - 2 \
                and n_out == n_in - 3 and hands_back(r[0], n_out)
        elif kind == K_WHILE:
            ok = len(r) == 2 and n_out == n_in == len(r[0].args) == len(r[1].args) \
                and hands_back(r[0], 1) and hands_back(r[1], n_out)
        elif kind == K_CALL:
            ok = n_out <= 1
        elif kind == K_RETURN:
            ok = n_in == 1
        else:
            ok = True   # yield, primitives (regions of primitives are their kernels' business)
        if not ok:
            raise _error(op, ValueError(f"malformed '{op.name}' (operands, results or "
                                        f"regions do not match)"))


def fallback_ops():
    """Names of the registered ops that have no native factory (they always run the NumPy
    reference with the GIL), except control flow, consts and terminators."""
    from phylanx.ir.registry import all_ops
    from phylanx.runtime import natives

    natives._load()
    out = []
    for name, decl in sorted(all_ops().items()):
        if name in KIND or name == "const" or "terminator" in decl.traits:
            continue
        same_as = decl.same_as
        if name not in natives.FACTORIES and not (same_as and same_as in natives.FACTORIES):
            out.append(name)
    return out
