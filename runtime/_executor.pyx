# cython: language_level=3
"""Dataflow executor of PhySL modules (see docs/runtime.md).

API: `lower(module) -> Executable`; `Executable.run(args, *, profile=False, function=None)`,
`last_profile()`, `graphs()`, `function_graph(name)`, `function_names`, `n_nodes`, `notes`.

`lower(module)` turns every block of every function into a `Graph` of C `Node`s once per
compiled kernel (the plan comes from `_lowering.Planner`; edges are explained there);
`Executable.run(args)` then runs the entry function. The caller caches the Executable.

Values live in a per-call frame: a Python list with one slot per SSA value of the function.
Frames are only read and written with the GIL held. A node runs one of:
  * a native job (F_NATIVE): `preparer(*operands)` with the GIL gives a Job (or the result);
    `job.run()` runs without the GIL (inline, or in a pool task); `job.finish()` with it;
  * the NumPy reference (F_FALLBACK), called with the GIL (vectorcall; Python operators on
    scalars go straight to PyNumber_*);
  * control flow (if, for_range, while), run here on its region graphs; a call runs the
    callee's graph on a fresh frame (no Python call in between).

Scheduling. A graph runs sequentially on the calling thread (a ready queue, as cheap as the v1
executor) unless it may run two heavy nodes at once (Graph.par) and more than one thread is
configured: then it is a dataflow execution (_sched.pyx) where ready nodes whose cost reaches
the task threshold are tasks of the pool (_threads / pool.h) and cheaper ones run inline on the
thread that made them ready. `for_range {parallel = true}` claims iterations dynamically on
every pool thread. Threads hold the GIL only for Python work: it is released for a native
job's run(), inside NumPy's own GIL-free sections and while waiting; a thread holding it checks
about every 0.2 ms for signals and for threads asking for it, as CPython's eval loop does
(pace_check).

Errors: the first failing node's exception is kept in the call's RunState; every thread stops
starting nodes of that call (cancellation), waits for what is already running, and the caller
raises the exception with one note naming the kernel's source line of the failing op and of
each call site (_notes.py). Floating-point reports (np.errstate's warn, print, log and call
modes) of nodes that run concurrently are kept the same way, per position, and made in
program order when the concurrent execution ends (_fpe.recording_state).
"""

from libc.stdlib cimport calloc, free, malloc, realloc
from libc.string cimport memcpy
from posix.time cimport CLOCK_MONOTONIC, clock_gettime, timespec

cimport numpy as cnp

import threading

import numpy as _np

from phylanx.runtime import _fpe, _lowering
from phylanx.runtime._notes import add_kernel_note
from phylanx.runtime._threads cimport (
    gil_threshold, num_threads, run_destroy, set_serial, task_threshold, team_threshold,
)
from phylanx.runtime.native cimport Job
from phylanx.runtime._mempool cimport pool_adopt, pool_enter, pool_exit
from phylanx.runtime.tasks cimport phx_load, phx_load_ssize, phx_store, phx_store_ssize

cnp.import_array()

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
    PyObject *PyList_GetSlice(PyObject *l, Py_ssize_t lo, Py_ssize_t hi)
    PyObject *PyNumber_Add(PyObject *a, PyObject *b)
    PyObject *PyNumber_Subtract(PyObject *a, PyObject *b)
    PyObject *PyNumber_Multiply(PyObject *a, PyObject *b)
    PyObject *PyNumber_TrueDivide(PyObject *a, PyObject *b)
    PyObject *PyNumber_FloorDivide(PyObject *a, PyObject *b)
    PyObject *PyNumber_Remainder(PyObject *a, PyObject *b)
    PyObject *PyNumber_Negative(PyObject *a)
    PyObject *PyNumber_Positive(PyObject *a)
    PyObject *PyObject_RichCompare(PyObject *a, PyObject *b, int op)
    int PyObject_TypeCheck(PyObject *o, void *t)
    Py_ssize_t PY_SSIZE_T_MAX

cdef enum:
    _STACK_ARGS = 16      # operands + attributes passed without a malloc
    _STACK_SCRATCH = 256  # scratch ints of a call kept on the C stack
    _RETURNED = RUN_RETURNED
    _FAILED = RUN_FAILED
    _PACE_CHECK_NS = 200000   # a thread holding the GIL checks for signals and GIL requests
    _PACE_MAX = 256           # about this often, and after at most this many graph runs
_MAX_DEPTH = 800         # nested kernel calls before RecursionError (C stack guard)

for _name, _value in (("K_PRIM", K_PRIM), ("K_IF", K_IF), ("K_FOR", K_FOR),
                      ("K_WHILE", K_WHILE), ("K_CALL", K_CALL), ("K_YIELD", K_YIELD),
                      ("K_RETURN", K_RETURN), ("F_NATIVE", F_NATIVE), ("F_SEQRES", F_SEQRES),
                      ("F_HEAVY", F_HEAVY), ("F_PARLOOP", F_PARLOOP), ("F_NOINDEX", F_NOINDEX),
                      ("C_CONTROL", C_CONTROL),
                      ("C_MATMUL", C_MATMUL), ("C_CUBIC", C_CUBIC), ("C_ELEM", C_ELEM),
                      ("C_REST", C_REST), ("C_NONE", C_NONE)):
    if getattr(_lowering, _name) != _value:
        raise ImportError(f"phylanx.runtime: {_name} differs between _lowering and _executor")


cdef run_par_fn _run_par = NULL   # set by _sched (the concurrent scheduler)
cdef parfor_fn _parfor = NULL


cdef void set_scheduler(run_par_fn run_par, parfor_fn parfor) noexcept:
    global _run_par, _parfor
    _run_par, _parfor = run_par, parfor


def lower(module, *, natives=True):
    """Lower a `phylanx.ir.core.Module` to an `Executable` (do it once per kernel, then reuse).
    natives=False runs every primitive on its NumPy reference (for tests and comparisons)."""
    return Executable(module, natives=natives)


# ---------------------------------------------------------------------------------------------
# Small helpers on frame slots. Slots are only ever written with these, with the GIL held, so
# each slot owns one reference; reads are borrowed (nothing else writes the slot meanwhile).

cdef inline void _put(PyObject *slots, int i, PyObject *v) noexcept:
    """Store v (a new reference, stolen) in slot i, releasing the old value."""
    cdef PyObject *old = _list_get(slots, i)
    _list_set(slots, i, v)
    _xdecref(old)


cdef int copy_slots(PyObject *src_slots, const int *src, PyObject *dst_slots, const int *dst,
                    int n) except -1:
    """dst[k] = src[k] for all k at once (src and dst may overlap, e.g. swapped carries)."""
    cdef PyObject *stack[_STACK_ARGS]
    cdef PyObject **tmp = stack
    cdef int k
    if n > _STACK_ARGS:
        tmp = <PyObject **> malloc(n * sizeof(PyObject *))
        if tmp == NULL:
            raise MemoryError()
    for k in range(n):
        tmp[k] = _list_get(src_slots, src[k])
        _incref(tmp[k])
    for k in range(n):
        _put(dst_slots, dst[k], tmp[k])
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


cdef long long now_ns() noexcept nogil:
    cdef timespec ts
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return <long long> ts.tv_sec * 1000000000LL + ts.tv_nsec


cdef int _truth(PyObject *v) except -1:
    """bool(v) as 0/1; -1 with the exception set (e.g. arrays of size != 1)."""
    return PyObject_IsTrue(v)


cdef Py_ssize_t _index(PyObject *v) except? -1:
    return <Py_ssize_t> (<object> v)


cdef PyObject *_pyop(int code, PyObject *a, PyObject *b) noexcept:
    """The Python operator `code` (see _lowering.PYOPS); NULL with an exception set."""
    if code == 1:
        return PyNumber_Add(a, b)
    if code == 2:
        return PyNumber_Subtract(a, b)
    if code == 3:
        return PyNumber_Multiply(a, b)
    if code == 4:
        return PyNumber_TrueDivide(a, b)
    if code == 5:
        return PyNumber_FloorDivide(a, b)
    if code == 6:
        return PyNumber_Remainder(a, b)
    if code <= 12:
        return PyObject_RichCompare(a, b, (0, 1, 4, 5, 2, 3)[code - 7])
    if code == 13:
        return PyNumber_Negative(a)
    return PyNumber_Positive(a)


# -- failures ---------------------------------------------------------------------------------
# A call raises what running it sequentially would raise: the failure that comes first in
# program order (loop iterations in order), not the first in time. Each concurrent execution
# (a GExec's nodes, a parallel loop's iterations) is a Scope that keeps the failure at its
# lowest position (key); positions after it are cancelled, positions before it still run (one
# of them may fail too, and then wins). When the execution ends, its failure becomes a failure
# of its position in the enclosing scope, up to the call, whose failure is final (abort: every
# thread stops). Signals and other exceptions that are not Exceptions (KeyboardInterrupt,
# SystemExit) abort at once.

cdef int fail(TCtx *tc, object exc, int op_id, Frame *fr) except -1:
    """Node op_id failed with exc, at tc's position: keep it (with the call sites) and cancel
    what comes after it."""
    return fail_at(tc.run, tc.scope, tc.key, exc, op_id, fr)


cdef int fail_at(RunState *run, Scope *scope, Py_ssize_t key, object exc, int op_id,
                 Frame *fr) except -1:
    cdef Frame *f = fr
    notes = [op_id]
    while f != NULL:
        if f.site >= 0:
            notes.append(f.site)
        f = f.parent
    return _keep_failure(run, scope, key, exc, notes)


cdef int _keep_failure(RunState *run, Scope *scope, Py_ssize_t key, object exc,
                       object notes) except -1:
    if scope != NULL and isinstance(exc, Exception):
        if key < scope.fail_key:
            _xdecref(scope.exc)
            _xdecref(scope.notes)
            scope.exc, scope.notes = <PyObject *> exc, <PyObject *> notes
            _incref(scope.exc)
            _incref(scope.notes)
            phx_store_ssize(&scope.fail_key, key)
    else:
        if run.exc == NULL:
            run.exc, run.notes = <PyObject *> exc, <PyObject *> notes
            _incref(run.exc)
            _incref(run.notes)
        phx_store(&run.abort, 1)
    phx_store(&run.failed, 1)
    return _FAILED


cdef bint cancelled(RunState *run, Scope *scope, Py_ssize_t key) noexcept nogil:
    """Should work at this position stop? Only after a failure (one load until then): after
    the call's failure is decided, or at or after a failed position of an enclosing scope."""
    if not phx_load(&run.failed):
        return False
    if phx_load(&run.abort):
        return True
    while scope != NULL:
        if key >= phx_load_ssize(&scope.fail_key):
            return True
        key, scope = scope.parent_key, scope.parent
    return False


cdef void scope_open(Scope *s, TCtx *tc) noexcept nogil:
    """A concurrent execution starts at tc's position."""
    s.parent, s.parent_key = tc.scope, tc.key
    s.fail_key = PY_SSIZE_T_MAX
    s.exc = s.notes = s.reports = NULL


cdef int scope_close(RunState *run, Scope *s) noexcept:
    """The execution ended (nothing of it runs any more), GIL held: its floating-point reports
    (_fp_close), then its failure, if any, become ones of its position in the enclosing
    scope. 1 if it had a failure."""
    if s.reports != NULL:
        _fp_close(run, s)
    if s.exc == NULL:
        return 0
    try:
        _keep_failure(run, s.parent, s.parent_key, <object> s.exc, <object> s.notes)
    except BaseException:   # out of memory: the call still fails
        phx_store(&run.abort, 1)
        phx_store(&run.failed, 1)
    _decref(s.exc)
    _decref(s.notes)
    s.exc = s.notes = NULL
    return 1


# -- floating-point reports of concurrent executions ------------------------------------------
# NumPy reports floating-point errors as they happen (np.errstate). Nodes that run
# concurrently would make their reports in the order they happen to run: instead, while a call
# runs nodes concurrently, its threads use a recording error state (_fpe.recording_state)
# whose callback object, an _FpRecorder, keeps every report with the position this thread
# works at (phx_fp_cur: set by the scheduler around each node, iteration and preparer) in that
# execution's Scope. When the execution ends, its reports, sorted by position and cut at its
# failure, become reports of its position in the enclosing execution, or, at the top, are made
# then under the caller's error state. The cost while nothing is reported: setting the
# thread-local position per node, and the error state per concurrent execution.

cdef extern from *:
    """
    typedef struct { void *tc; int op; } phx_fp_pos;
    static __thread phx_fp_pos phx_fp_cur = {0, -1};
    """
    ctypedef struct phx_fp_pos:
        void *tc
        int op
    phx_fp_pos phx_fp_cur


cdef FpPos fp_enter(TCtx *tc, int op_id) noexcept nogil:
    """This thread's reports now belong to tc's position (node op_id); returns the previous."""
    cdef FpPos prev
    prev.tc, prev.op_id = <TCtx *> phx_fp_cur.tc, phx_fp_cur.op
    phx_fp_cur.tc, phx_fp_cur.op = <void *> tc, op_id
    return prev


cdef void fp_leave(FpPos prev) noexcept nogil:
    phx_fp_cur.tc, phx_fp_cur.op = <void *> prev.tc, prev.op_id


cdef class _FpRecorder:
    """np.errstate's callback object in the recording error state: called in "call" mode,
    written to in "log" mode (the caller's warn, print and log); keeps each report."""
    cdef object original        # the caller's error state

    def __init__(self, original):
        self.original = original

    def __call__(self, kind, flags):
        self._keep(("call", kind, "", flags))

    def write(self, text):
        self._keep(_fpe.recorded_log(text))

    cdef _keep(self, event):
        cdef TCtx *tc = <TCtx *> phx_fp_cur.tc
        cdef Scope *s
        if tc == NULL or tc.scope == NULL:      # not in a concurrent execution: now
            token = _np_errstate_var.set(self.original)
            try:
                _fpe.replay(event)
            finally:
                _np_errstate_var.reset(token)
            return
        s = tc.scope
        if s.reports == NULL:
            reports = []
            s.reports = <PyObject *> reports
            _incref(s.reports)
        (<list> s.reports).append((tc.key, phx_fp_cur.op, event))


def _position(report):
    return report[0]


cdef void _fp_close(RunState *run, Scope *s) noexcept:
    """The execution s ended, GIL held: its reports in program order (a position's in the
    order they were made), up to its failure, go to its position in the enclosing execution,
    or are made now under the caller's error state; one that raises (a warning filter
    "error", a callback) is the failure of its position."""
    cdef Py_ssize_t key
    reports = <list> s.reports
    _decref(s.reports)
    s.reports = NULL
    try:
        reports.sort(key=_position)
        if s.parent != NULL:
            if s.parent.reports == NULL:
                outer = []
                s.parent.reports = <PyObject *> outer
                _incref(s.parent.reports)
            outer = <list> s.parent.reports
            for key, op_id, event in reports:
                if key > s.fail_key:
                    break
                outer.append((s.parent_key, op_id, event))
            return
        token = _np_errstate_var.set(<object> run.fpstate)
        try:
            for key, op_id, event in reports:
                if key > s.fail_key:
                    break
                try:
                    _fpe.replay(event)
                except Exception as exc:
                    _xdecref(s.exc)
                    _xdecref(s.notes)
                    notes = [op_id]
                    s.exc, s.notes = <PyObject *> exc, <PyObject *> notes
                    _incref(s.exc)
                    _incref(s.notes)
                    phx_store_ssize(&s.fail_key, key)
                    phx_store(&run.failed, 1)
                    break
        finally:
            _np_errstate_var.reset(token)
    except BaseException as exc:    # Ctrl-C, out of memory: the call fails
        try:
            _keep_failure(run, NULL, 0, exc, [])
        except BaseException:
            phx_store(&run.abort, 1)
            phx_store(&run.failed, 1)


cdef int fp_begin(RunState *run, PyObject **saved) except -1:
    """This thread starts to run nodes of the call concurrently: it takes the recording error
    state (made once per call). saved: the state fp_end restores (NULL: none changed)."""
    saved[0] = NULL
    if not run.fprec_built:
        run.fprec_built = 1
        if run.fpstate != NULL:
            state = _fpe.recording_state(<object> run.fpstate, _FpRecorder)
            if state is not None:
                run.fprec = <PyObject *> state
                _incref(run.fprec)
    if run.fprec == NULL:
        return 0
    current = _np_errstate_var.get()
    if <PyObject *> current != run.fprec:
        _np_errstate_var.set(<object> run.fprec)
        saved[0] = <PyObject *> current
        _incref(saved[0])
    return 0


cdef void fp_end(PyObject *saved) noexcept:
    if saved == NULL:
        return
    try:
        _np_errstate_var.set(<object> saved)
    except BaseException:
        pass
    _decref(saved)


# A Python function: calling it runs one RESUME instruction, where CPython's eval loop handles
# what is pending for this thread (an eval-breaker check): Python-level signal handlers (Ctrl-C),
# pending calls, and a request to drop the GIL from a thread that has waited the switch interval.
_checkpoint = eval("lambda: None")


cdef void tctx_init(TCtx *tc, RunState *run, int tid, int seq, int intask,
                    int pparent) noexcept nogil:
    tc.run, tc.tid, tc.seq, tc.intask, tc.pparent, tc.probe = run, tid, seq, intask, pparent, -1.0
    # The first look comes with the second graph run (a call without control flow has one):
    # from then on a loop of slow iterations looks at every one, a fast one every 256.
    tc.pace.tick, tc.pace.period = 2, 1
    tc.pace.t_check = 0
    tc.scope, tc.key = NULL, 0


cdef int pace_check(TCtx *tc) except -1:
    """Every tc.pace.period graph runs, with the GIL: do what CPython's eval loop does between
    bytecodes (_checkpoint): run signal handlers (Ctrl-C raises here) and hand the GIL over if
    a thread has waited sys.getswitchinterval() for it, so that other threads run as often as
    beside plain Python code. Releasing the GIL on a timer instead would not do: every release
    wakes a waiting thread, which then starts its switch interval again and never asks for the
    GIL while the releases come more often than that. The period adapts so that looks come
    about every _PACE_CHECK_NS whether a graph run takes 20 ns (a scalar loop iteration: one
    look per 256) or milliseconds (one look per run)."""
    cdef Pacer *p = &tc.pace
    cdef long long dt, now = now_ns()
    if p.t_check:
        dt = now - p.t_check
        if dt < _PACE_CHECK_NS // 2:
            if p.period < _PACE_MAX:
                p.period *= 2
        elif dt > 2 * _PACE_CHECK_NS:
            p.period = max(1, <int> (p.period * (<double> _PACE_CHECK_NS / dt)))
    p.tick = p.period
    _checkpoint()
    p.t_check = now_ns()    # time spent by other threads holding the GIL is not ours
    return 0


cdef double _size(PyObject *v) noexcept:
    if cnp.PyArray_Check(<object> v):
        return <double> cnp.PyArray_SIZE(<cnp.ndarray> v)
    return 1.0


cdef double estimate(Node *nd, PyObject *slots) noexcept:
    """Cost in element-operations of a fallback node from its operands (GIL held)."""
    cdef double c = 0.0
    cdef PyObject *a
    cdef PyObject *b
    cdef int k
    if nd.cost == C_CONTROL:
        return 1e300
    if nd.cost == C_REST:
        for k in range(1, nd.n_in):
            c += _size(_list_get(slots, nd.ins[k]))
        return c
    if (nd.cost == C_MATMUL or nd.cost == C_CUBIC) and nd.n_in >= 1:
        a = _list_get(slots, nd.ins[0])
        if cnp.PyArray_Check(<object> a) and cnp.PyArray_NDIM(<cnp.ndarray> a) >= 1:
            c = <double> cnp.PyArray_SIZE(<cnp.ndarray> a)
            b = _list_get(slots, nd.ins[1]) if nd.cost == C_MATMUL and nd.n_in >= 2 else a
            if cnp.PyArray_Check(<object> b) and cnp.PyArray_NDIM(<cnp.ndarray> b) >= 2:
                c *= <double> cnp.PyArray_DIMS(<cnp.ndarray> b)[
                    cnp.PyArray_NDIM(<cnp.ndarray> b) - 1]
            return c
    for k in range(nd.n_in):
        c += _size(_list_get(slots, nd.ins[k]))
    return c


# ---------------------------------------------------------------------------------------------
# The executable.

cdef class Executable:
    """A lowered module. `run(args)` runs the entry function (or `function=`) on a tuple."""

    def __cinit__(self, *args, **kwargs):
        self._graphs, self._nodes, self._funcs, self._ints, self._ptrs = \
            NULL, NULL, NULL, NULL, NULL

    def __dealloc__(self):
        free(self._graphs)
        free(self._nodes)
        free(self._funcs)
        free(self._ints)
        free(self._ptrs)

    def __init__(self, module, *, natives=True):
        if self._graphs != NULL:
            raise RuntimeError("Executable is already initialised")
        plan = _lowering.Planner(module, natives=natives)
        self.function_names = tuple(module.functions)
        self.notes = tuple(plan.notes)
        self._func_index = {name: i for i, name in enumerate(module.functions)}
        self._ops = plan.ops
        self._templates = [f[4] for f in plan.funcs]
        self._keep = []
        self._profiles = threading.local()
        self._last_profile = None
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
            g.scratch_off, g.par = gp["scratch_off"], gp["par"]
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
                nd.callee, nd.cost, nd.pyop = ndp["callee"], ndp["cost"], ndp["pyop"]
                nd.impl = nd.kwnames = nd.native = NULL
                nd.n_kw, nd.kwvalues = len(ndp["kwvalues"]), pp
                self._keep.append((ndp["impl"], ndp["kwnames"], ndp["kwvalues"], ndp["native"]))
                if ndp["impl"] is not None:
                    nd.impl = <PyObject *> ndp["impl"]
                if ndp["kwnames"] is not None:
                    nd.kwnames = <PyObject *> ndp["kwnames"]
                if ndp["native"] is not None:
                    nd.native = <PyObject *> ndp["native"]
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
        cdef RunState run
        cdef TCtx tc
        if self._funcs == NULL:
            raise RuntimeError("Executable was not initialised: use lower(module)")
        fidx = 0 if function is None else self._func_index[function]
        run.failed, run.abort, run.exc, run.notes, run.profile = 0, 0, NULL, NULL, profile
        fpstate = _np_errstate_var.get()     # kept alive by this frame for the whole call
        run.fpstate = <PyObject *> fpstate
        run.fprec, run.fprec_built = NULL, 0
        run.prof, run.n_prof, run.cap_prof = NULL, 0, 0
        run.wait.ready = 0
        tctx_init(&tc, &run, 0, 0, 0, -1)
        cdef long long start = now_ns() if profile else 0
        previous_allocator = pool_enter()     # arrays made by this call: the memory pool
        try:
            result = self._call_entry(fidx, tuple(args), &tc)
            if profile:
                self._keep_profile(&run, start, fidx)
            if run.failed:
                if run.exc == NULL:
                    raise MemoryError("phylanx: the kernel call failed and its error was lost")
                exc = <object> run.exc
                add_kernel_note(exc, [self._ops[op_id] for op_id in <object> run.notes
                                      if op_id >= 0])
                raise exc
            return result
        finally:
            pool_exit(previous_allocator)
            _xdecref(run.exc)
            _xdecref(run.notes)
            run.exc = run.notes = NULL
            _xdecref(run.fprec)
            run.fprec = NULL
            free(run.prof)
            run_destroy(&run.wait)

    def __call__(self, *args):
        return self.run(args)

    cdef object _call_entry(self, int fidx, tuple args, TCtx *tc):
        cdef Func *fn = &self._funcs[fidx]
        cdef PyObject *stack[_STACK_ARGS]
        cdef PyObject **argv = stack
        cdef PyObject *res = NULL
        cdef Py_ssize_t k, n = len(args)
        if n != fn.n_args:
            noun = "argument" if fn.n_args == 1 else "arguments"
            raise TypeError(f"@{self.function_names[fidx]} takes {fn.n_args} {noun}, got {n}")
        if n > _STACK_ARGS:
            argv = <PyObject **> malloc(n * sizeof(PyObject *))
            if argv == NULL:
                raise MemoryError()
        try:
            for k in range(n):
                argv[k] = <PyObject *> args[k]
            self._call(fidx, argv, -1, NULL, tc, &res)
        finally:
            if argv != stack:
                free(argv)
        if res == NULL:
            return None   # failed: run() raises the kept exception
        result = <object> res
        _decref(res)
        return result

    cdef int _call(self, int fidx, PyObject **argv, int site, Frame *parent, TCtx *tc,
                   PyObject **result) except -1:
        """Run function fidx on argv (borrowed); result: a new reference, NULL if it failed."""
        cdef Func *fn = &self._funcs[fidx]
        cdef int stack[_STACK_SCRATCH]
        cdef Frame fr
        cdef int k, rc
        cdef PyObject *slots
        if parent != NULL and parent.depth + 1 >= _MAX_DEPTH:
            raise RecursionError("maximum kernel call depth exceeded")
        slots = PyList_GetSlice(<PyObject *> self._templates[fidx], 0, fn.n_slots)
        if slots == NULL:
            raise MemoryError()
        for k in range(fn.n_args):
            _incref(argv[k])
            _put(slots, k, argv[k])
        fr.slots, fr.ret_slot, fr.scratch, fr.n_scratch = slots, -1, stack, fn.scratch
        fr.site, fr.parent = site, parent
        fr.depth = 0 if parent == NULL else parent.depth + 1
        if fn.scratch > _STACK_SCRATCH:
            fr.scratch = <int *> malloc(fn.scratch * sizeof(int))
            if fr.scratch == NULL:
                _decref(slots)
                raise MemoryError()
        try:
            rc = self._run_graph(fn.body, &fr, tc)
            if rc != _FAILED:
                result[0] = _list_get(slots, fr.ret_slot)
                _incref(result[0])
        finally:
            _decref(slots)
            if fr.scratch != stack:
                free(fr.scratch)
        return 0

    cdef int _run_graph(self, int gi, Frame *fr, TCtx *tc) except -1:
        """Run one block to its terminator: 0, _RETURNED if a `return` ran, _FAILED."""
        cdef Graph *g = &self._graphs[gi]
        tc.pace.tick -= 1
        if tc.pace.tick <= 0:    # every loop iteration, region and call comes through here
            pace_check(tc)
        if g.par and not tc.seq and _run_par != NULL and num_threads() > 1:
            return _run_par(self, gi, fr, tc)
        return self._run_seq(g, fr, tc)

    cdef int _run_seq(self, Graph *g, Frame *fr, TCtx *tc) except -1:
        """The sequential path, on this thread with the GIL held: the nodes in program order,
        which is a topological order of the graph (every edge goes from an earlier node to a
        later one, see _lowering), so no dependency counting is needed here."""
        cdef int k, rc = 0
        cdef int parent = tc.pparent, rec = -1
        cdef Node *nd = NULL
        cdef bint prof = tc.run.profile
        try:
            for k in range(g.n_nodes):
                nd = &g.nodes[k]
                if tc.run.failed and cancelled(tc.run, tc.scope, tc.key):
                    return _FAILED   # a failure before this position: stop (cancellation)
                if prof:   # nodes run by this one (regions, callee) record it as parent
                    rec = self._prof_begin(tc, nd, now_ns(), parent, 0)
                    tc.pparent = rec
                rc = self._exec(nd, fr, tc)
                if prof:
                    tc.pparent = parent
                    self._prof_end(tc, rec)
                if rc != 0:
                    return rc
        except BaseException as exc:
            tc.pparent = parent
            return fail(tc, exc, nd.op_id, fr)
        return 0

    cdef int _exec(self, Node *nd, Frame *fr, TCtx *tc) except -1:
        cdef int kind = nd.kind
        if kind == K_PRIM:
            return self._exec_prim(nd, fr, tc)
        if kind == K_FOR:
            return self._exec_for(nd, fr, tc)
        if kind == K_IF:
            return self._exec_if(nd, fr, tc)
        if kind == K_WHILE:
            return self._exec_while(nd, fr, tc)
        if kind == K_CALL:
            return self._exec_call(nd, fr, tc)
        if kind == K_RETURN:
            fr.ret_slot = nd.ins[0]
            return _RETURNED
        return 0

    cdef int _exec_prim(self, Node *nd, Frame *fr, TCtx *tc) except -1:
        # Vectorcall with borrowed operands: no argument tuple or kwargs dict per call.
        cdef PyObject *stack[_STACK_ARGS + 1]
        cdef PyObject **argv = stack
        cdef PyObject *res
        cdef int k, n = nd.n_in + nd.n_kw
        cdef double c
        if nd.pyop:
            res = _pyop(nd.pyop, _list_get(fr.slots, nd.ins[0]),
                        _list_get(fr.slots, nd.ins[nd.n_in - 1]))
            if res == NULL:
                return -1
            _put(fr.slots, nd.outs[0], res)
            return 0
        if n > _STACK_ARGS:
            argv = <PyObject **> malloc((n + 1) * sizeof(PyObject *))
            if argv == NULL:
                raise MemoryError()
        for k in range(nd.n_in):
            argv[1 + k] = _list_get(fr.slots, nd.ins[k])
        if nd.native != NULL:
            res = PyObject_Vectorcall(nd.native, argv + 1, <size_t> nd.n_in
                                      | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL)
        else:
            for k in range(nd.n_kw):
                argv[1 + nd.n_in + k] = nd.kwvalues[k]
            res = PyObject_Vectorcall(nd.impl, argv + 1, <size_t> nd.n_in
                                      | PY_VECTORCALL_ARGUMENTS_OFFSET, nd.kwnames)
        if argv != stack:
            free(argv)
        if res == NULL:
            return -1
        if tc.probe >= 0 and nd.native == NULL and nd.flags & F_HEAVY:
            c = estimate(nd, fr.slots)
            if c >= gil_threshold():   # NumPy releases the GIL for work this large
                tc.probe += c
        if nd.native != NULL and PyObject_TypeCheck(res, <void *> Job):
            job = <object> res
            _decref(res)
            out = self._run_job(job, tc)
            res = <PyObject *> out
            _incref(res)
        return store_result(nd, fr.slots, res)

    cdef object _run_job(self, object job, TCtx *tc):
        """Run a prepared job on this thread (GIL released if it is costly); its result."""
        cdef Job j = <Job> job
        cdef int serial
        # A job below the team threshold is too small for a team of threads: job_threads()
        # is 1 while it runs (waking a fork-join team costs more than it saves, and on a
        # loaded machine it waits for team threads that do not get a core).
        serial = set_serial(1) if j.cost < team_threshold() else set_serial(0)
        if j.cost >= gil_threshold():
            if tc.probe >= 0:
                tc.probe += j.cost
            with nogil:
                j.run()
        else:
            j.run()
        set_serial(serial)
        return j.finish()

    cdef int _exec_if(self, Node *nd, Frame *fr, TCtx *tc) except -1:
        cdef int gi = nd.sub0 if _truth(_list_get(fr.slots, nd.ins[0])) else nd.sub1
        cdef Graph *g = &self._graphs[gi]
        cdef int rc = self._run_graph(gi, fr, tc)
        if rc != 0:
            return rc
        copy_slots(fr.slots, g.nodes[g.term].ins, fr.slots, nd.outs, nd.n_out)
        return 0

    cdef int _exec_for(self, Node *nd, Frame *fr, TCtx *tc) except -1:
        cdef Graph *body = &self._graphs[nd.sub0]
        cdef const int *yields = body.nodes[body.term].ins
        cdef Py_ssize_t lo = _index(_list_get(fr.slots, nd.ins[0]))
        cdef Py_ssize_t hi = _index(_list_get(fr.slots, nd.ins[1]))
        cdef Py_ssize_t step = _index(_list_get(fr.slots, nd.ins[2]))
        cdef Py_ssize_t n, it
        cdef PyObject *i
        cdef int rc
        if step == 0:
            raise ValueError("range() arg 3 must not be zero")
        # Python's len(range(lo, hi, step)).
        n = (hi - lo + step - 1) // step if step > 0 else (lo - hi - step - 1) // (-step)
        # Carried values live in the body's argument slots; the loop index in args[0].
        copy_slots(fr.slots, nd.ins + 3, fr.slots, body.args + 1, nd.n_out)
        if nd.flags & F_PARLOOP and n > 1 and not tc.seq and _parfor != NULL \
                and num_threads() > 1:
            return _parfor(self, nd, fr, tc, lo, step, n)
        for it in range(n):
            if tc.run.failed and cancelled(tc.run, tc.scope, tc.key):
                return _FAILED
            if not nd.flags & F_NOINDEX:
                i = PyLong_FromSsize_t(lo + it * step)
                if i == NULL:
                    return -1
                _put(fr.slots, body.args[0], i)
            rc = self._run_graph(nd.sub0, fr, tc)
            if rc != 0:
                return rc
            copy_slots(fr.slots, yields, fr.slots, body.args + 1, nd.n_out)
        copy_slots(fr.slots, body.args + 1, fr.slots, nd.outs, nd.n_out)
        return 0

    cdef int _exec_while(self, Node *nd, Frame *fr, TCtx *tc) except -1:
        cdef Graph *cond = &self._graphs[nd.sub0]
        cdef Graph *body = &self._graphs[nd.sub1]
        cdef int rc
        # Carried values live in the op's result slots between iterations.
        copy_slots(fr.slots, nd.ins, fr.slots, nd.outs, nd.n_out)
        while True:
            if tc.run.failed and cancelled(tc.run, tc.scope, tc.key):
                return _FAILED
            copy_slots(fr.slots, nd.outs, fr.slots, cond.args, nd.n_out)
            rc = self._run_graph(nd.sub0, fr, tc)
            if rc != 0:
                return rc
            if not _truth(_list_get(fr.slots, cond.nodes[cond.term].ins[0])):
                return 0
            copy_slots(fr.slots, nd.outs, fr.slots, body.args, nd.n_out)
            rc = self._run_graph(nd.sub1, fr, tc)
            if rc != 0:
                return rc
            copy_slots(fr.slots, body.nodes[body.term].ins, fr.slots, nd.outs, nd.n_out)

    cdef int _exec_call(self, Node *nd, Frame *fr, TCtx *tc) except -1:
        cdef PyObject *stack[_STACK_ARGS]
        cdef PyObject **argv = stack
        cdef PyObject *res = NULL
        cdef int k
        if nd.n_in > _STACK_ARGS:
            argv = <PyObject **> malloc(nd.n_in * sizeof(PyObject *))
            if argv == NULL:
                raise MemoryError()
        try:
            for k in range(nd.n_in):
                argv[k] = _list_get(fr.slots, nd.ins[k])
            self._call(nd.callee, argv, nd.op_id, fr, tc, &res)
        finally:
            if argv != stack:
                free(argv)
        if res == NULL:
            return _FAILED
        if nd.n_out:
            _put(fr.slots, nd.outs[0], res)
        else:
            _decref(res)
        return 0

    # -- profiling and introspection ------------------------------------------------------------
    cdef int _prof_begin(self, TCtx *tc, Node *nd, long long t0, int parent, int task) noexcept:
        """Append the record of a node starting at t0 (GIL held); its index, -1 if out of
        memory. Its end is t0 until _prof_end (a node that raised keeps a zero duration)."""
        cdef RunState *run = tc.run
        cdef ProfRec *r
        cdef Py_ssize_t cap
        if run.n_prof == run.cap_prof:
            cap = 256 if run.cap_prof < 128 else 2 * run.cap_prof
            r = <ProfRec *> realloc(run.prof, cap * sizeof(ProfRec))
            if r == NULL:
                return -1   # out of memory: the record is dropped
            run.prof, run.cap_prof = r, cap
        r = &run.prof[run.n_prof]
        r.op_id, r.tid, r.parent = nd.op_id, tc.tid, parent
        r.flags = (1 if nd.flags & F_FALLBACK else 0) | (2 if task or tc.intask else 0)
        r.t0 = r.t1 = t0
        run.n_prof += 1
        return <int> (run.n_prof - 1)

    cdef void _prof_end(self, TCtx *tc, int rec) noexcept:
        if rec >= 0:
            tc.run.prof[rec].t1 = now_ns()

    cdef _keep_profile(self, RunState *run, long long start, int fidx):
        # One copy of the C records: converting them is left to whoever reads the profile.
        raw = (<char *> run.prof)[:run.n_prof * sizeof(ProfRec)] if run.n_prof else b""
        kept = (raw, start, now_ns(), fidx)
        self._profiles.last = kept
        self._last_profile = kept

    def last_profile_data(self):
        """The raw form of last_profile(): (records, start, end, function index). records are
        bytes of PROFILE_DTYPE entries (op_id, tid, flags, parent, t0, t1) in the order nodes
        started to be recorded; parent is the index of the control node's record (if, for,
        while, call) whose region or callee the node ran in, -1 at the top level; start and end
        bound the whole call (ns, CLOCK_MONOTONIC). None before any profiled run."""
        return getattr(self._profiles, "last", self._last_profile)

    def profile_op(self, int op_id):
        """The IR op of a profile record's op_id (name, location, operands)."""
        return self._ops[op_id]

    def last_profile(self):
        """Nodes of the calling thread's last run(profile=True) (else of the last one), by
        start time: NodeRecord(op, loc, t0, t1, thread, fallback, task): start and end in ns
        (CLOCK_MONOTONIC), pool thread (0: the calling thread), ran the GIL fallback, ran as a
        pool task (else inline). Control nodes span their regions; a call spans its callee."""
        kept = self.last_profile_data()
        if kept is None:
            return []
        out = []
        for op_id, tid, flags, _, t0, t1 in _np.frombuffer(kept[0], PROFILE_DTYPE).tolist():
            op = self._ops[op_id]
            out.append(NodeRecord(op.name, str(op.loc), t0, t1, tid, bool(flags & 1),
                                  bool(flags & 2)))
        out.sort(key=lambda t: t[2])
        return out

    def graphs(self):
        """Every graph as a list of nodes (op name, kind, flags, n_deps, successors, regions).
        Graph 0 is the body of the entry function; see function_graph()."""
        cdef Graph *g
        out = []
        for gi in range(self._n_graphs):
            g = &self._graphs[gi]
            out.append([(self._ops[g.nodes[j].op_id].name, _lowering.KIND_NAME[g.nodes[j].kind],
                         g.nodes[j].flags, g.nodes[j].n_deps,
                         tuple(g.nodes[j].succ[k] for k in range(g.nodes[j].n_succ)),
                         tuple(s for s in (g.nodes[j].sub0, g.nodes[j].sub1) if s >= 0))
                        for j in range(g.n_nodes)])
        return out

    def concurrent_graphs(self):
        """Indices of the graphs that run as dataflow executions when threads > 1."""
        return [gi for gi in range(self._n_graphs) if self._graphs[gi].par]

    def function_graph(self, name=None):
        """Index (into graphs()) of the body of function `name` (default: the entry)."""
        return self._funcs[0 if name is None else self._func_index[name]].body

    @property
    def n_nodes(self):
        return sum(self._graphs[gi].n_nodes for gi in range(self._n_graphs))


try:   # NumPy 2 keeps np.errstate in a context variable: per thread (and per context)
    from numpy._core._ufunc_config import _extobj_contextvar as _np_errstate_var
except ImportError:   # pragma: no cover - other NumPy layouts: pool threads keep their default
    import contextvars as _contextvars
    _np_errstate_var = _contextvars.ContextVar("phylanx_no_errstate", default=None)


cdef int adopt_fpstate(RunState *run) except -1:
    """On a pool thread, with the GIL: take the calling thread's np.errstate for this call
    (its recording form: a pool thread runs nodes concurrently), so fallback nodes and native
    finish() warn or raise as they would on the caller, in program order, and the memory pool
    as NumPy's allocator (once per thread)."""
    pool_adopt()        # and the caller's array allocator (the memory pool)
    cdef PyObject *state = run.fprec if run.fprec != NULL else run.fpstate
    if state == NULL:
        return 0
    current = _np_errstate_var.get()
    if <PyObject *> current != state:
        _np_errstate_var.set(<object> state)
    return 0


cdef int store_result(Node *nd, PyObject *slots, PyObject *res) except -1:
    """Store a kernel's result (a new reference, stolen) into the node's output slots."""
    cdef PyObject *item
    cdef int k
    if nd.n_out == 1 and not (nd.flags & F_SEQRES):
        _put(slots, nd.outs[0], res)
        return 0
    try:
        for k in range(nd.n_out):  # several results come back as a sequence
            item = PySequence_GetItem(res, k)
            if item == NULL:
                return -1
            _put(slots, nd.outs[k], item)
    finally:
        _decref(res)
    return 0


from collections import namedtuple

NodeRecord = namedtuple("NodeRecord", "op loc t0 t1 thread fallback task")
# Layout of ProfRec (_executor.pxd); checked against sizeof(ProfRec) below.
PROFILE_DTYPE = _np.dtype([("op_id", "i4"), ("tid", "i4"), ("flags", "i4"), ("parent", "i4"),
                           ("t0", "i8"), ("t1", "i8")])
if PROFILE_DTYPE.itemsize != sizeof(ProfRec):
    raise ImportError("phylanx.runtime: PROFILE_DTYPE does not match ProfRec")

