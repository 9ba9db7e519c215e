# cython: language_level=3
"""Dataflow executor of PhySL modules (runtime v1: one thread, GIL held).

API: `lower(module) -> Executable`; `Executable.run(args, *, profile=False, function=None)`,
`last_profile()`, `graphs()`, `function_graph(name)`, `function_names`, `n_nodes`.

`lower(module)` turns every block of every function into a `Graph` of C `Node`s once per
compiled kernel; `Executable.run(args)` then runs the entry function. The caller caches the
Executable: lowering walks the IR in Python, running does not.

Values live in a per-call frame: a Python list with one slot per SSA value of the function
(arguments first; region arguments and op results after). `const` ops are evaluated at lowering
time into the frame template and produce no node. Block-local nodes are run from a ready queue
seeded with the nodes that have no predecessor; finishing a node decrements its successors'
counters. Control ops run their region graphs in this file (loops never return to Python per
iteration); a call runs the callee's graph on a fresh frame.

Edges of a block's graph (node j waits for node i, i earlier in program order):
  * data: j, or an op nested in j's regions, uses a result of i;
  * memory: values that may share a buffer are put in one alias class (views, in-place
    results, loop-carried values, containers, non-allocating results, call results and
    arguments, and all of a function's arguments: a caller may pass one array twice). An op
    writes a class if it is `inplace` on it, contains such an op in its regions, or calls a
    function that writes its arguments. A writer waits for the class's last writer
    and for every reader since then; a reader waits for the last writer. So `setitem` on v runs
    after every earlier op that reads v or a view of v, and every later reader of v, of a view
    of v, or of the setitem result runs after it;
  * random: every op that draws (or contains or calls an op that draws) writes a pseudo class
    "rng", so draws keep program order;
  * early return: an op whose regions contain `return` waits for every earlier node, and every
    later node waits for it;
  * every sink feeds into the block's terminator, so a finished terminator means a finished block.
"""

from libc.stdlib cimport calloc, free, malloc, realloc
from libc.string cimport memcpy
from posix.time cimport CLOCK_MONOTONIC, clock_gettime, timespec
cimport openmp

cdef extern from "Python.h":
    void _incref "Py_INCREF"(PyObject *o)
    void _decref "Py_DECREF"(PyObject *o)
    void _xdecref "Py_XDECREF"(PyObject *o)
    PyObject *_list_get "PyList_GET_ITEM"(PyObject *l, Py_ssize_t i)
    void _list_set "PyList_SET_ITEM"(PyObject *l, Py_ssize_t i, PyObject *o)
    PyObject *PyObject_Vectorcall(PyObject *f, PyObject **args, size_t nargsf, PyObject *kwnames)
    size_t PY_VECTORCALL_ARGUMENTS_OFFSET
    int PyObject_IsTrue(PyObject *o)
    PyObject *PySequence_GetItem(PyObject *o, Py_ssize_t i)
    PyObject *PyLong_FromSsize_t(Py_ssize_t v)
    int PyErr_CheckSignals()

cdef enum:
    _STACK_ARGS = 16      # operands + attributes passed without a malloc
    _STACK_SCRATCH = 256  # scratch ints of a call kept on the C stack
    _RETURNED = 1         # status of a graph that ran a `return`
_MAX_DEPTH = 800         # nested kernel calls before RecursionError (C stack guard)

_KIND = {"if": K_IF, "for_range": K_FOR, "while": K_WHILE, "call": K_CALL, "yield": K_YIELD,
         "return": K_RETURN}
_KIND_NAME = {K_PRIM: "prim", K_IF: "if", K_FOR: "for_range", K_WHILE: "while", K_CALL: "call",
              K_YIELD: "yield", K_RETURN: "return"}
_RNG = "rng"   # pseudo alias class of the global random state


def lower(module):
    """Lower a `phylanx.ir.core.Module` to an `Executable` (do it once per kernel, then reuse)."""
    return Executable(module)


# ---------------------------------------------------------------------------------------------
# Small helpers on frame slots. Slots are only ever written with these, so each slot owns one
# reference; reads are borrowed (nothing else writes the slot while a node runs).

cdef inline void _put(PyObject *slots, int i, PyObject *v) noexcept:
    """Store v (a new reference, stolen) in slot i, releasing the old value."""
    cdef PyObject *old = _list_get(slots, i)
    _list_set(slots, i, v)
    _xdecref(old)


cdef int _copy(PyObject *slots, const int *src, const int *dst, int n) except -1:
    """dst[k] = src[k] for all k at once (src and dst may overlap, e.g. swapped carries)."""
    cdef PyObject *stack[_STACK_ARGS]
    cdef PyObject **tmp = stack
    cdef int k
    if n > _STACK_ARGS:
        tmp = <PyObject **> malloc(n * sizeof(PyObject *))
        if tmp == NULL:
            raise MemoryError()
    for k in range(n):
        tmp[k] = _list_get(slots, src[k])
        _incref(tmp[k])
    for k in range(n):
        _put(slots, dst[k], tmp[k])
    if tmp != stack:
        free(tmp)
    return 0


cdef int *_take(int *base, Py_ssize_t *pos, values) except NULL:
    """Append values to the int block at base[pos]; returns where they start."""
    cdef int *start = base + pos[0]
    for v in values:
        base[pos[0]] = v
        pos[0] += 1
    return start


cdef inline long long _now() noexcept nogil:
    cdef timespec ts
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return <long long> ts.tv_sec * 1000000000LL + ts.tv_nsec


cdef int _truth(PyObject *v) except -1:
    """bool(v) as 0/1; -1 with the exception set (e.g. arrays of size != 1)."""
    return PyObject_IsTrue(v)


# ---------------------------------------------------------------------------------------------
# Lowering: plain Python, runs once per kernel.

class _Planner:
    """Builds a Python plan of every graph (nodes, slots, edges); Executable copies it to C."""

    def __init__(self, module):
        from phylanx.ir.types import ArrayType, ScalarType
        self.ArrayType, self.ScalarType = ArrayType, ScalarType
        self.module = module
        self.fidx = {name: i for i, name in enumerate(module.functions)}
        self.graphs, self.ops, self.funcs = [], [], []
        self.effects = self._call_effects()
        for f in module.functions.values():
            self._function(f)

    # -- whole-module facts ---------------------------------------------------------------
    def _callee(self, op):
        name = op.attrs.get("callee")
        if name not in self.fidx:
            raise self._error(op, ValueError(f"call to unknown function @{name}"))
        return name

    def _call_effects(self):
        """Per function: bit 1 writes a buffer in place, bit 2 draws random numbers, including
        through the functions it calls (fixpoint over the call graph, recursion allowed)."""
        eff, calls = {}, {}
        for name, f in self.module.functions.items():
            e, cs = 0, set()
            for op in f.walk():
                e |= (1 if "inplace" in op.decl.traits else 0) | \
                     (2 if "random" in op.decl.traits else 0)
                if op.name == "call":
                    cs.add(self._callee(op))
            eff[name], calls[name] = e, cs
        changed = True
        while changed:
            changed = False
            for name, cs in calls.items():
                e = eff[name]
                for c in cs:
                    e |= eff[c]
                if e != eff[name]:
                    eff[name], changed = e, True
        return eff

    @staticmethod
    def _error(op, exc):
        exc.add_note(f"in kernel line {op.loc}: {op.name}")
        return exc

    # -- per function ---------------------------------------------------------------------
    def _function(self, f):
        self.slot, self.template = {}, []
        self.parent, self.uses_memo, self.writes_memo = {}, {}, {}
        for v in f.args:
            self._new_slot(v)
        for op in f.walk():
            for r in op.results:
                self._new_slot(r)
            for b in op.regions:
                for a in b.args:
                    self._new_slot(a)
        self._union(f.args)  # a caller may pass one array twice: f(x, x)
        for op in f.walk():
            self._alias(op)
        term = f.body.terminator
        if term is None or term.name != "return":
            raise ValueError(f"function @{f.name} does not end with 'return'")
        self.scratch = 0
        body = self._block(f.body)
        self.funcs.append((len(f.args), len(self.template), body, self.scratch, self.template))

    def _new_slot(self, v):
        self.slot[v] = len(self.template)
        self.template.append(None)

    def _bufferish(self, v):
        return not isinstance(v.type, self.ScalarType)   # scalars are immutable: never alias

    def _root(self, v):
        p = self.parent.get(v, v)
        while p is not v:
            v, p = p, self.parent.get(p, p)
        return v

    def _union(self, values):
        roots = [self._root(v) for v in values if self._bufferish(v)]
        for r in roots[1:]:
            if r is not roots[0]:
                self.parent[r] = roots[0]

    def _alias(self, op):
        """Merge the alias classes of values that may share a buffer (conservative)."""
        name, ops_ = op.name, op.operands
        yields = [b.terminator.operands if b.terminator is not None else [] for b in op.regions]
        if name == "if":
            groups = zip(op.results, *yields)
        elif name == "for_range":
            groups = zip(op.results, ops_[3:], op.regions[0].args[1:], yields[0])
        elif name == "while":
            groups = zip(op.results, ops_, op.regions[0].args, op.regions[1].args, yields[1])
        elif op.regions:
            raise self._error(op, NotImplementedError(f"control op '{name}'"))
        else:
            fresh = "allocates" in op.decl.traits and name != "call"
            groups = [[r, *ops_] for r in op.results
                      if not (fresh and isinstance(r.type, self.ArrayType))]
        for g in groups:
            self._union(g)

    def _uses(self, op):
        """Values op (or an op in its regions) reads that are defined outside op."""
        r = self.uses_memo.get(op)
        if r is None:
            r = set(op.operands)
            for b in op.regions:
                inner, defined = set(), set(b.args)
                for o in b.ops:
                    inner |= self._uses(o)
                    defined.update(o.results)
                r |= inner - defined
            self.uses_memo[op] = r
        return r

    def _writes(self, op):
        """Alias classes op (or an op in its regions, or a callee) writes."""
        w = self.writes_memo.get(op)
        if w is None:
            w, traits = set(), op.decl.traits
            if "inplace" in traits:
                w.add(self._root(op.operands[0]))
            if "random" in traits:
                w.add(_RNG)
            if op.name == "call":
                e = self.effects[self._callee(op)]
                if e & 1:
                    w.update(self._root(v) for v in op.operands if self._bufferish(v))
                if e & 2:
                    w.add(_RNG)
            for b in op.regions:
                for o in b.ops:
                    w |= self._writes(o)
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
        n = len(ops)  # (no negative indices here: this module is compiled with wraparound=False)
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
                           "term": n - 1, "scratch_off": self.scratch}
        self.scratch += 2 * n  # counters + ready queue
        return gi

    def _memory_edges(self, ops, preds):
        writes = [self._writes(op) for op in ops]
        written = set().union(*writes)
        if not written:
            return
        last_writer, readers = {}, {}
        for j, op in enumerate(ops):
            reads = {self._root(v) for v in self._uses(op) if self._bufferish(v)} & written
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
        except Exception as e:
            raise self._error(op, e)

    def _node(self, op):
        kind = _KIND.get(op.name, K_PRIM)
        ins = [self.slot[v] for v in op.operands]
        outs = [self.slot[r] for r in op.results]
        self._check(op, kind)
        subs = [self._block(b) for b in op.regions] + [-1, -1]
        traits = op.decl.traits
        node = {"kind": kind, "ins": ins, "outs": outs, "sub0": subs[0], "sub1": subs[1],
                "callee": self.fidx[self._callee(op)] if kind == K_CALL else -1,
                "op_id": len(self.ops), "impl": None, "kwnames": None, "kwvalues": (),
                "flags": (F_INPLACE if "inplace" in traits else 0)
                | (F_RANDOM if "random" in traits else 0) | (F_VIEW if "view" in traits else 0)}
        self.ops.append(op)
        if kind == K_PRIM:
            if op.decl.impl is None:
                raise self._error(op, NotImplementedError(f"op '{op.name}' has no implementation"))
            kw = dict(op.attrs)
            if op.decl.extra.get("needs_types"):
                kw["result_types"] = [r.type for r in op.results]
            node.update(impl=op.decl.impl, kwnames=tuple(kw) or None, kwvalues=tuple(kw.values()))
            node["flags"] |= F_FALLBACK
        return node

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
            ok = kind == K_YIELD or not r
        if not ok:
            raise self._error(op, ValueError(f"malformed '{op.name}' (operands, results or "
                                             f"regions do not match)"))


# ---------------------------------------------------------------------------------------------
# The executable.

cdef class Executable:
    """A lowered module. `run(args)` runs the entry function (or `function=`) on a tuple."""

    def __cinit__(self, *args, **kwargs):
        self._graphs, self._nodes, self._funcs, self._ints, self._ptrs, self._prof = \
            NULL, NULL, NULL, NULL, NULL, NULL
        self._n_prof = self._cap_prof = 0

    def __dealloc__(self):
        free(self._graphs)
        free(self._nodes)
        free(self._funcs)
        free(self._ints)
        free(self._ptrs)
        free(self._prof)

    def __init__(self, module):
        if self._graphs != NULL:
            raise RuntimeError("Executable is already initialised")
        plan = _Planner(module)
        self.function_names = tuple(module.functions)
        self._func_index = {name: i for i, name in enumerate(module.functions)}
        self._ops = plan.ops
        self._templates = [f[4] for f in plan.funcs]
        self._keep = []
        self._emit(plan)

    cdef int _emit(self, plan) except -1:
        """Copy the plan into C arrays: one block each for graphs, nodes, ints and pointers."""
        cdef Py_ssize_t n_ints = 0, n_nodes = 0, n_ptrs = 0
        for gp in plan.graphs:
            n_ints += len(gp["args"]) + 2 * len(gp["nodes"])
            for ndp in gp["nodes"]:
                n_nodes += 1
                n_ints += len(ndp["ins"]) + len(ndp["outs"]) + len(ndp["succ"])
                n_ptrs += len(ndp["kwvalues"])
        self._n_graphs, self._n_funcs = len(plan.graphs), len(plan.funcs)
        self._graphs = <Graph *> calloc(max(self._n_graphs, 1), sizeof(Graph))
        self._nodes = <Node *> calloc(max(n_nodes, 1), sizeof(Node))
        self._funcs = <Func *> calloc(max(self._n_funcs, 1), sizeof(Func))
        self._ints = <int *> malloc(max(n_ints, 1) * sizeof(int))
        self._ptrs = <PyObject **> malloc(max(n_ptrs, 1) * sizeof(PyObject *))
        if not (self._graphs and self._nodes and self._funcs and self._ints and self._ptrs):
            raise MemoryError()
        cdef Py_ssize_t pos = 0, gi, k
        cdef int *base = self._ints
        cdef PyObject **pp = self._ptrs
        cdef Node *np_ = self._nodes
        cdef Graph *g
        cdef Node *nd

        for gi, gp in enumerate(plan.graphs):
            g = &self._graphs[gi]
            g.n_nodes, g.nodes, g.term = len(gp["nodes"]), np_, gp["term"]
            g.scratch_off = gp["scratch_off"]
            g.n_args, g.args = len(gp["args"]), _take(base, &pos, gp["args"])
            g.deps = _take(base, &pos, [nd_["deps"] for nd_ in gp["nodes"]])
            roots = [i for i, nd_ in enumerate(gp["nodes"]) if nd_["deps"] == 0]
            g.n_roots, g.roots = len(roots), _take(base, &pos, roots)
            for ndp in gp["nodes"]:
                nd = np_
                np_ += 1
                nd.kind, nd.flags, nd.op_id = ndp["kind"], ndp["flags"], ndp["op_id"]
                nd.n_in, nd.ins = len(ndp["ins"]), _take(base, &pos, ndp["ins"])
                nd.n_out, nd.outs = len(ndp["outs"]), _take(base, &pos, ndp["outs"])
                nd.n_succ, nd.succ = len(ndp["succ"]), _take(base, &pos, ndp["succ"])
                nd.n_deps, nd.sub0, nd.sub1 = ndp["deps"], ndp["sub0"], ndp["sub1"]
                nd.callee, nd.native = ndp["callee"], NULL
                nd.impl = nd.kwnames = NULL
                nd.n_kw, nd.kwvalues = len(ndp["kwvalues"]), pp
                if ndp["impl"] is not None:
                    self._keep.append((ndp["impl"], ndp["kwnames"], ndp["kwvalues"]))
                    nd.impl = <PyObject *> ndp["impl"]
                    if ndp["kwnames"] is not None:
                        nd.kwnames = <PyObject *> ndp["kwnames"]
                for k in range(nd.n_kw):
                    pp[0] = <PyObject *> ndp["kwvalues"][k]
                    pp += 1
        for k, (n_args, n_slots, body, scratch, _) in enumerate(plan.funcs):
            self._funcs[k].n_args, self._funcs[k].n_slots = n_args, n_slots
            self._funcs[k].body, self._funcs[k].scratch = body, scratch
        return 0

    # -- running ------------------------------------------------------------------------------
    def run(self, args=(), *, bint profile=False, function=None):
        """Run a function (default: the entry) on the tuple `args`; returns its result.

        With profile=True, every node's run is recorded; see last_profile().
        """
        cdef RunCtx ctx
        if self._funcs == NULL:
            raise RuntimeError("Executable was not initialised: use lower(module)")
        ctx.profile, ctx.cur, ctx.depth = profile, -1, 0
        if profile:
            self._n_prof = 0
        fidx = 0 if function is None else self._func_index[function]
        return self._call(fidx, tuple(args), -1, &ctx)

    def __call__(self, *args):
        return self.run(args)

    cdef object _call(self, int fidx, tuple args, int site, RunCtx *ctx):
        cdef Func *fn = &self._funcs[fidx]
        cdef int stack[_STACK_SCRATCH]
        cdef Frame fr
        cdef Py_ssize_t k
        if len(args) != fn.n_args:
            raise TypeError(f"@{self.function_names[fidx]} takes {fn.n_args} arguments, "
                            f"got {len(args)}")
        if ctx.depth >= _MAX_DEPTH:
            raise RecursionError("maximum kernel call depth exceeded")
        cdef list frame = list(<list> self._templates[fidx])
        for k in range(fn.n_args):
            frame[k] = args[k]
        fr.slots, fr.ret_slot, fr.scratch = <PyObject *> frame, -1, stack
        if fn.scratch > _STACK_SCRATCH:
            fr.scratch = <int *> malloc(fn.scratch * sizeof(int))
            if fr.scratch == NULL:
                raise MemoryError()
        ctx.depth += 1
        try:
            self._run_graph(fn.body, &fr, ctx)
            return <object> _list_get(fr.slots, fr.ret_slot)
        except BaseException as e:
            # The innermost failing node is named first, then each call site on the way out.
            if ctx.cur >= 0:
                op = self._ops[ctx.cur]
                e.add_note(f"in kernel line {op.loc}: {op.name}")
            ctx.cur = site
            raise
        finally:
            ctx.depth -= 1
            if fr.scratch != stack:
                free(fr.scratch)

    cdef int _run_graph(self, int gi, Frame *fr, RunCtx *ctx) except -1:
        """Run one block to its terminator; returns _RETURNED if a `return` ran."""
        cdef Graph *g = &self._graphs[gi]
        cdef int *count = fr.scratch + g.scratch_off
        cdef int *queue = count + g.n_nodes   # each node is queued once: a plain array suffices
        cdef int head = 0, tail = 0, k, s, rc = 0
        cdef long long t0 = 0
        cdef Node *nd
        memcpy(count, g.deps, g.n_nodes * sizeof(int))
        for k in range(g.n_roots):
            queue[tail] = g.roots[k]
            tail += 1
        while head < tail:
            nd = &g.nodes[queue[head]]
            head += 1
            ctx.cur = nd.op_id
            if ctx.profile:
                t0 = _now()
            if nd.kind == K_PRIM:
                self._exec_prim(nd, fr)
            elif nd.kind == K_FOR:
                rc = self._exec_for(nd, fr, ctx)
            elif nd.kind == K_IF:
                rc = self._exec_if(nd, fr, ctx)
            elif nd.kind == K_WHILE:
                rc = self._exec_while(nd, fr, ctx)
            elif nd.kind == K_CALL:
                self._exec_call(nd, fr, ctx)
            elif nd.kind == K_RETURN:
                fr.ret_slot = nd.ins[0]
                rc = _RETURNED
            if ctx.profile:
                self._record(nd, t0)
            if rc == _RETURNED:
                return rc
            for k in range(nd.n_succ):
                s = nd.succ[k]
                count[s] -= 1
                if count[s] == 0:
                    queue[tail] = s
                    tail += 1
        return 0

    cdef int _exec_prim(self, Node *nd, Frame *fr) except -1:
        # Vectorcall with borrowed operands: no argument tuple or kwargs dict per call.
        cdef PyObject *stack[_STACK_ARGS + 1]
        cdef PyObject **argv = stack
        cdef PyObject *res
        cdef PyObject *item
        cdef int k, n = nd.n_in + nd.n_kw
        if n > _STACK_ARGS:
            argv = <PyObject **> malloc((n + 1) * sizeof(PyObject *))
            if argv == NULL:
                raise MemoryError()
        for k in range(nd.n_in):
            argv[1 + k] = _list_get(fr.slots, nd.ins[k])
        for k in range(nd.n_kw):
            argv[1 + nd.n_in + k] = nd.kwvalues[k]
        res = PyObject_Vectorcall(nd.impl, argv + 1, <size_t> nd.n_in
                                  | PY_VECTORCALL_ARGUMENTS_OFFSET, nd.kwnames)
        if argv != stack:
            free(argv)
        if res == NULL:
            return -1
        if nd.n_out == 1:
            _put(fr.slots, nd.outs[0], res)
            return 0
        for k in range(nd.n_out):  # several results come back as a sequence
            item = PySequence_GetItem(res, k)
            if item == NULL:
                _decref(res)
                return -1
            _put(fr.slots, nd.outs[k], item)
        _decref(res)
        return 0

    cdef int _exec_if(self, Node *nd, Frame *fr, RunCtx *ctx) except -1:
        cdef int gi = nd.sub0 if _truth(_list_get(fr.slots, nd.ins[0])) else nd.sub1
        cdef Graph *g = &self._graphs[gi]
        if self._run_graph(gi, fr, ctx) == _RETURNED:
            return _RETURNED
        _copy(fr.slots, g.nodes[g.term].ins, nd.outs, nd.n_out)
        return 0

    cdef int _exec_for(self, Node *nd, Frame *fr, RunCtx *ctx) except -1:
        cdef Graph *body = &self._graphs[nd.sub0]
        cdef const int *yields = body.nodes[body.term].ins
        cdef Py_ssize_t lo = <object> _list_get(fr.slots, nd.ins[0])
        cdef Py_ssize_t hi = <object> _list_get(fr.slots, nd.ins[1])
        cdef Py_ssize_t step = <object> _list_get(fr.slots, nd.ins[2])
        cdef Py_ssize_t n, it
        cdef PyObject *i
        if step == 0:
            raise ValueError("range() arg 3 must not be zero")
        # Python's len(range(lo, hi, step)).
        n = (hi - lo + step - 1) // step if step > 0 else (lo - hi - step - 1) // (-step)
        # Carried values live in the body's argument slots; the loop index in args[0].
        _copy(fr.slots, nd.ins + 3, body.args + 1, nd.n_out)
        for it in range(n):
            if PyErr_CheckSignals() < 0:   # Ctrl-C stops a long loop
                ctx.cur = nd.op_id
                return -1
            i = PyLong_FromSsize_t(lo + it * step)
            if i == NULL:
                return -1
            _put(fr.slots, body.args[0], i)
            if self._run_graph(nd.sub0, fr, ctx) == _RETURNED:
                return _RETURNED
            _copy(fr.slots, yields, body.args + 1, nd.n_out)
        _copy(fr.slots, body.args + 1, nd.outs, nd.n_out)
        return 0

    cdef int _exec_while(self, Node *nd, Frame *fr, RunCtx *ctx) except -1:
        cdef Graph *cond = &self._graphs[nd.sub0]
        cdef Graph *body = &self._graphs[nd.sub1]
        # Carried values live in the op's result slots between iterations.
        _copy(fr.slots, nd.ins, nd.outs, nd.n_out)
        while True:
            if PyErr_CheckSignals() < 0:
                ctx.cur = nd.op_id
                return -1
            _copy(fr.slots, nd.outs, cond.args, nd.n_out)
            if self._run_graph(nd.sub0, fr, ctx) == _RETURNED:
                return _RETURNED
            ctx.cur = nd.op_id
            if not _truth(_list_get(fr.slots, cond.nodes[cond.term].ins[0])):
                return 0
            _copy(fr.slots, nd.outs, body.args, nd.n_out)
            if self._run_graph(nd.sub1, fr, ctx) == _RETURNED:
                return _RETURNED
            _copy(fr.slots, body.nodes[body.term].ins, nd.outs, nd.n_out)

    cdef int _exec_call(self, Node *nd, Frame *fr, RunCtx *ctx) except -1:
        args = tuple([<object> _list_get(fr.slots, nd.ins[k]) for k in range(nd.n_in)])
        res = self._call(nd.callee, args, nd.op_id, ctx)
        if nd.n_out:
            _incref(<PyObject *> res)
            _put(fr.slots, nd.outs[0], <PyObject *> res)
        return 0

    # -- profiling and introspection ------------------------------------------------------------
    cdef int _record(self, Node *nd, long long t0) except -1:
        cdef ProfRec *r
        cdef Py_ssize_t cap
        if self._n_prof == self._cap_prof:
            cap = max(256, 2 * self._cap_prof)
            r = <ProfRec *> realloc(self._prof, cap * sizeof(ProfRec))
            if r == NULL:
                raise MemoryError()
            self._prof, self._cap_prof = r, cap
        r = &self._prof[self._n_prof]
        r.op_id, r.fallback, r.tid = nd.op_id, (nd.flags & F_FALLBACK) != 0, \
            openmp.omp_get_thread_num()
        r.t0, r.t1 = t0, _now()
        self._n_prof += 1
        return 0

    def last_profile(self):
        """Nodes of the last run(profile=True), by start time: (op name, source location,
        start ns, end ns, OpenMP thread id, ran the GIL fallback). Control nodes span their
        regions; a call spans its callee."""
        cdef ProfRec r
        out = []
        for k in range(self._n_prof):
            r = self._prof[k]
            op = self._ops[r.op_id]
            out.append((op.name, str(op.loc), r.t0, r.t1, r.tid, bool(r.fallback)))
        out.sort(key=lambda t: t[2])
        return out

    def graphs(self):
        """Every graph as a list of nodes (op name, kind, flags, n_deps, successors, regions).
        Graph 0 is the body of the entry function; see function_graph()."""
        cdef Graph *g
        out = []
        for gi in range(self._n_graphs):
            g = &self._graphs[gi]
            out.append([(self._ops[g.nodes[j].op_id].name, _KIND_NAME[g.nodes[j].kind],
                         g.nodes[j].flags, g.nodes[j].n_deps,
                         tuple(g.nodes[j].succ[k] for k in range(g.nodes[j].n_succ)),
                         tuple(s for s in (g.nodes[j].sub0, g.nodes[j].sub1) if s >= 0))
                        for j in range(g.n_nodes)])
        return out

    def function_graph(self, name=None):
        """Index (into graphs()) of the body of function `name` (default: the entry)."""
        return self._funcs[0 if name is None else self._func_index[name]].body

    @property
    def n_nodes(self):
        return sum(self._graphs[gi].n_nodes for gi in range(self._n_graphs))
