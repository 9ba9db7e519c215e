# cython: language_level=3
"""Concurrent execution of graphs and parallel loops (registers itself with _executor).

A GExec is one execution of a graph that may run heavy nodes at the same time (Graph.par).
Its bookkeeping (dependency counters, prepared jobs, frame slots) is done with the GIL held;
the pool's queue and the `outstanding` counters are guarded by the pool lock (never take the
GIL while holding it). A thread that makes nodes ready keeps the cheap ones (cost below the
task threshold) in its own stack L and runs them inline; heavy ones go to H and are submitted
as pool tasks -- except a lone heavy node while nothing else of the graph is in flight, which
runs inline with every thread available to it (job_threads() is then the team size, not 1).
A native heavy node is prepared by the thread that made it ready (the preparer gives the cost),
its job runs without the GIL on whichever thread takes the task, and finish() runs with it.

The owner of a GExec (the thread that started it) waits for `outstanding` to drop to 0,
running queued tasks of its own kernel call meanwhile and sleeping on the call's condition
variable otherwise; the main thread wakes every 20 ms to look at signals (Ctrl-C cancels the
call). Failures are ordered as a sequential run would meet them (_executor: Scope): a node
after a failed one is not started, the ones before it still run. Floating-point reports are
ordered the same way: a thread running nodes of a concurrent execution records them under the
position it works at (fp_begin, fp_enter), and they are made in program order when the
execution ends.

`for_range {parallel = true}`: the owner and up to num_threads()-1 helper tasks claim
iterations one at a time from a shared counter (dynamic: a thread that does not get a core
claims nothing), each on its own copy of the frame, with nested graphs run sequentially and
BLAS limited to one thread. The iteration that comes last in the range hands the carried values
back (they are buffers updated in place: _lowering checks that).
"""

from cpython.object cimport PyObject
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memcpy

from phylanx.runtime._executor cimport (
    C_CONTROL, F_HEAVY, F_NATIVE, RUN_FAILED, RUN_RETURNED, Executable, Frame, GExec, Graph,
    FpPos, LoopTask, Node, ParLoop, PTask, RunState, Scope, TCtx, adopt_fpstate, cancelled,
    copy_slots, estimate, fail, fail_at, fp_begin, fp_end, fp_enter, fp_leave, now_ns,
    scope_close, scope_open, set_scheduler, store_result, tctx_init,
)
from phylanx.runtime._threads cimport (
    is_main_thread, num_threads, par_enter, par_exit, pool_lock, pool_ready, pool_submit,
    pool_take_locked, pool_unlock, run_init, run_wait_locked, run_wake_locked, task_threshold,
    work_begin, work_end,
)
from phylanx.runtime.native cimport Job
from phylanx.runtime.tasks cimport (
    phx_fetch_add, phx_load, phx_load_ssize, phx_run, phx_store, phx_task,
)

cdef extern from "Python.h":
    void _incref "Py_INCREF"(PyObject *o)
    void _decref "Py_DECREF"(PyObject *o)
    void _xdecref "Py_XDECREF"(PyObject *o)
    PyObject *_list_get "PyList_GET_ITEM"(PyObject *l, Py_ssize_t i)
    void _list_set "PyList_SET_ITEM"(PyObject *l, Py_ssize_t i, PyObject *o)
    Py_ssize_t _list_size "PyList_GET_SIZE"(PyObject *l)
    object _vectorcall "PyObject_Vectorcall"(PyObject *f, PyObject **args, size_t nargsf,
                                             PyObject *kwnames)
    size_t PY_VECTORCALL_ARGUMENTS_OFFSET
    PyObject *PyList_GetSlice(PyObject *l, Py_ssize_t lo, Py_ssize_t hi)
    PyObject *PyLong_FromSsize_t(Py_ssize_t v)
    int _check_signals "PyErr_CheckSignals"() except -1

cdef enum:
    _STACK_NODES = 64     # graphs this small keep their ready stacks on the C stack
    _STACK_ARGS = 16
    _WAIT_MS = 20         # the main thread looks at signals this often while it waits


cdef void _fail(TCtx *tc, object exc, int op_id, Frame *fr) noexcept:
    """fail() that cannot raise (if keeping the exception fails, the call still fails)."""
    try:
        fail(tc, exc, op_id, fr)
    except BaseException:
        phx_store(&tc.run.abort, 1)
        phx_store(&tc.run.failed, 1)


cdef void _fail_node(GExec *ge, int j, TCtx *tc, object exc) noexcept:
    """Node j of ge failed before it ran (its preparer raised)."""
    cdef Scope *outer = tc.scope
    cdef Py_ssize_t outer_key = tc.key
    tc.scope, tc.key = &ge.scope, j
    _fail(tc, exc, ge.g.nodes[j].op_id, ge.fr)
    tc.scope, tc.key = outer, outer_key


cdef void _abort(RunState *run, object exc, int op_id, Frame *fr) noexcept:
    """A failure that is not a node's (out of memory in the scheduler): the call fails."""
    try:
        fail_at(run, NULL, 0, exc, op_id, fr)
    except BaseException:
        phx_store(&run.abort, 1)
        phx_store(&run.failed, 1)


# -- pool entries (run on any pool thread, or on a helping owner: tid 0) ------------------------

cdef void _node_task(phx_task *t, int tid) noexcept nogil:
    """A node task: run its native job without the GIL, then finish and go on with it."""
    cdef PTask *pt = <PTask *> t
    cdef GExec *ge = <GExec *> pt.ge
    cdef RunState *run = ge.run
    cdef TCtx tc
    cdef long long t0 = 0
    tctx_init(&tc, run, tid, ge.seq, 0, ge.pparent)
    tc.scope, tc.key = &ge.scope, pt.node
    if run.profile:
        t0 = now_ns()
    if pt.is_job and not cancelled(run, &ge.scope, pt.node):
        (<Job> pt.prep).run()
    with gil:
        if tid:
            adopt_fpstate(run)
        _task_rest(<Executable> ge.ex, ge, pt, &tc, t0)
    _task_end(&ge.outstanding, &run.wait)   # ge may be gone after this


cdef void _loop_task(phx_task *t, int tid) noexcept nogil:
    """A parallel-loop helper: claim iterations until none is left."""
    cdef ParLoop *pl = <ParLoop *> (<LoopTask *> t).pl
    cdef TCtx tc
    tctx_init(&tc, pl.run, tid, 1, 1, pl.pparent)
    if phx_load_ssize(&pl.next) < pl.n and \
            not cancelled(pl.run, &pl.scope, phx_load_ssize(&pl.next)):
        with gil:
            if tid:
                adopt_fpstate(pl.run)
            _participate(<Executable> pl.ex, pl, &tc, 0, -1)
    _task_end(&pl.outstanding, &pl.run.wait)


cdef void _task_begin(int *counter) noexcept nogil:
    """One more task in flight for `counter` (the `outstanding` of a GExec or a loop)."""
    pool_lock()
    counter[0] += 1
    pool_unlock()


cdef void _task_end(int *counter, phx_run *w) noexcept nogil:
    pool_lock()
    counter[0] -= 1
    if counter[0] == 0:
        run_wake_locked(w)
    pool_unlock()


cdef int _start_pool(RunState *run) except -1:
    pool_ready()
    if not run.wait.ready and run_init(&run.wait) != 0:
        raise MemoryError()
    return 0


# -- graphs -----------------------------------------------------------------------------------

cdef int run_par(Executable ex, int gi, Frame *fr, TCtx *tc) except -1:
    """Run graph gi as a dataflow execution: 0, RUN_RETURNED or RUN_FAILED."""
    cdef Graph *g = &ex._graphs[gi]
    cdef RunState *run = tc.run
    cdef GExec ge
    cdef int n = g.n_nodes, k, c, nl = 0, nh = 0
    cdef int buf[2 * _STACK_NODES]
    cdef int *L = buf
    cdef int *H
    cdef PyObject *fp_saved = NULL
    _start_pool(run)
    if n > _STACK_NODES:
        L = <int *> malloc(2 * n * sizeof(int))
        if L == NULL:
            raise MemoryError()
    H = L + n
    ge.tasks = <PTask *> calloc(n, sizeof(PTask))
    if ge.tasks == NULL:
        if L != buf:
            free(L)
        raise MemoryError()
    try:
        fp_begin(run, &fp_saved)    # reports in program order (see _executor)
    except BaseException:
        free(ge.tasks)
        if L != buf:
            free(L)
        raise
    ge.ex, ge.g, ge.fr, ge.run = <PyObject *> ex, g, fr, run
    ge.count, ge.outstanding, ge.rc, ge.seq = fr.scratch + g.scratch_off, 0, 0, tc.seq
    ge.pparent = tc.pparent
    memcpy(ge.count, g.deps, n * sizeof(int))
    scope_open(&ge.scope, tc)
    try:
        for k in range(g.n_roots):
            c = _ready(&ge, g.roots[k], tc)
            if c == 0:
                L[nl] = g.roots[k]
                nl += 1
            elif c == 1:
                H[nh] = g.roots[k]
                nh += 1
        _drain(ex, &ge, L, nl, H, nh, tc, 0)
        _wait_for(&ge.outstanding, tc, -1, fr)
    finally:
        for k in range(n):
            _xdecref(ge.tasks[k].prep)
        free(ge.tasks)
        if L != buf:
            free(L)
        failed = scope_close(run, &ge.scope)
        fp_end(fp_saved)
    if failed or cancelled(run, ge.scope.parent, ge.scope.parent_key):
        return RUN_FAILED    # (some nodes may not have run)
    return ge.rc


cdef object _prepare(Node *nd, Frame *fr):
    cdef PyObject *argv[_STACK_ARGS + 1]
    cdef int k
    if nd.n_in > _STACK_ARGS:
        return (<object> nd.native)(*[<object> _list_get(fr.slots, nd.ins[k])
                                      for k in range(nd.n_in)])
    for k in range(nd.n_in):
        argv[1 + k] = _list_get(fr.slots, nd.ins[k])
    return _vectorcall(nd.native, argv + 1, <size_t> nd.n_in | PY_VECTORCALL_ARGUMENTS_OFFSET,
                       NULL)


cdef int _ready(GExec *ge, int s, TCtx *tc) noexcept:
    """Node s became ready: 0 run it inline, 1 it is heavy (a task candidate), -1 failed.
    A native heavy node is prepared here: Job.cost decides."""
    cdef Node *nd = &ge.g.nodes[s]
    cdef PTask *pt = &ge.tasks[s]
    cdef double cost
    cdef Scope *outer
    cdef Py_ssize_t outer_key
    cdef FpPos fp_prev
    if not (nd.flags & F_HEAVY) or ge.seq:
        return 0
    if nd.flags & F_NATIVE:
        outer, outer_key = tc.scope, tc.key
        tc.scope, tc.key = &ge.scope, s     # what the preparer reports is node s's
        fp_prev = fp_enter(tc, nd.op_id)
        try:
            prep = _prepare(nd, ge.fr)
        except BaseException as exc:
            _fail_node(ge, s, tc, exc)
            return -1
        finally:
            fp_leave(fp_prev)
            tc.scope, tc.key = outer, outer_key
        pt.prep = <PyObject *> prep
        _incref(pt.prep)
        if not isinstance(prep, Job):
            pt.is_job = 0
            return 0          # the preparer gave the result: nothing left to run
        pt.is_job = 1
        cost = (<Job> prep).cost
    else:
        cost = estimate(nd, ge.fr.slots)
    return 1 if cost >= task_threshold() else 0


cdef void _drain(Executable ex, GExec *ge, int *L, int nl, int *H, int nh, TCtx *tc,
                 int mine) noexcept:
    """Run the inline nodes in L and what they make ready; then hand the heavy ones in H to
    the pool, or run a lone one here when nothing else of the graph is in flight (`mine`:
    the calling task itself, still counted in ge.outstanding)."""
    cdef Node *nd
    cdef int j, k, rc, busy
    while True:
        while nl > 0:
            nl -= 1
            j = L[nl]
            if cancelled(ge.run, &ge.scope, j):
                continue      # after a failed node: drop it
            rc = _run_node(ex, ge, j, tc, 0, 0)
            if rc == 0:
                _advance(ge, j, L, &nl, H, &nh, tc)
            elif rc == RUN_RETURNED:
                ge.rc = RUN_RETURNED
        k = 0
        for j in range(nh):   # heavy nodes after a failed one are dropped, the others run
            if not cancelled(ge.run, &ge.scope, H[j]):
                H[k] = H[j]
                k += 1
        nh = k
        if nh == 0:
            return
        pool_lock()
        busy = ge.outstanding - mine
        pool_unlock()
        if nh == 1 and busy == 0:   # alone: keeps every thread (job_threads(), BLAS)
            j = H[0]
            nh = 0
            work_begin()
            rc = _run_node(ex, ge, j, tc, 0, 0)
            work_end()
            if rc == 0:
                _advance(ge, j, L, &nl, H, &nh, tc)
            elif rc == RUN_RETURNED:
                ge.rc = RUN_RETURNED
            continue
        for j in range(nh):   # all in flight before the first may start: it is not alone
            work_begin()
        for j in range(nh):
            _submit(ge, H[j])
        return


cdef void _advance(GExec *ge, int j, int *L, int *nl, int *H, int *nh, TCtx *tc) noexcept:
    """Node j finished: count down its successors; the ready ones go to L or H."""
    cdef Node *nd = &ge.g.nodes[j]
    cdef int k, s, c
    for k in range(nd.n_succ):
        s = nd.succ[k]
        ge.count[s] -= 1
        if ge.count[s] == 0:
            c = _ready(ge, s, tc)
            if c == 0:
                L[nl[0]] = s
                nl[0] += 1
            elif c == 1:
                H[nh[0]] = s
                nh[0] += 1


cdef void _submit(GExec *ge, int s) noexcept:
    cdef PTask *pt = &ge.tasks[s]
    pt.base.fn = _node_task
    pt.base.owner = &ge.run.wait
    pt.ge, pt.node = ge, s
    _task_begin(&ge.outstanding)
    pool_submit(&pt.base)


cdef int _run_node(Executable ex, GExec *ge, int j, TCtx *tc, long long t0, int task) noexcept:
    """Run node j (its job was prepared, and maybe run by a task): 0, RETURNED or FAILED."""
    cdef Node *nd = &ge.g.nodes[j]
    cdef PTask *pt = &ge.tasks[j]
    cdef PyObject *prep = pt.prep
    cdef int rc, rec = -1
    cdef Scope *outer = tc.scope
    cdef Py_ssize_t outer_key = tc.key
    cdef FpPos fp_prev = fp_enter(tc, nd.op_id)    # and its floating-point reports
    pt.prep = NULL
    tc.scope, tc.key = &ge.scope, j     # failures in this node are ordered by j
    if tc.run.profile:   # nodes run by this one (regions, callee) record it as parent
        rec = ex._prof_begin(tc, nd, t0 if task else now_ns(), ge.pparent, task)
        tc.pparent = rec
    try:
        if prep == NULL:
            rc = ex._exec(nd, ge.fr, tc)
        else:
            if not pt.is_job:
                res = <object> prep
            elif task:
                res = (<Job> prep).finish()
            else:
                res = ex._run_job(<object> prep, tc)
            _incref(<PyObject *> res)
            store_result(nd, ge.fr.slots, <PyObject *> res)
            rc = 0
    except BaseException as exc:
        _fail(tc, exc, nd.op_id, ge.fr)
        rc = RUN_FAILED
    finally:
        _xdecref(prep)
        tc.scope, tc.key = outer, outer_key
        fp_leave(fp_prev)
    if tc.run.profile:
        tc.pparent = ge.pparent
        ex._prof_end(tc, rec)
    return rc


cdef void _task_rest(Executable ex, GExec *ge, PTask *pt, TCtx *tc, long long t0) noexcept:
    """With the GIL: finish a task's node, then run or submit what it made ready."""
    cdef int n = ge.g.n_nodes, rc, nl = 0, nh = 0
    cdef int buf[2 * _STACK_NODES]
    cdef int *L = buf
    cdef int *H
    if cancelled(ge.run, &ge.scope, pt.node):
        _xdecref(pt.prep)
        pt.prep = NULL
        work_end()
        return
    rc = _run_node(ex, ge, pt.node, tc, t0, 1)
    work_end()
    if rc == RUN_RETURNED:
        ge.rc = RUN_RETURNED
    if rc != 0:
        return
    if n > _STACK_NODES:
        L = <int *> malloc(2 * n * sizeof(int))
        if L == NULL:
            _abort(ge.run, MemoryError(), ge.g.nodes[pt.node].op_id, ge.fr)
            return
    H = L + n
    _advance(ge, pt.node, L, &nl, H, &nh, tc)
    _drain(ex, ge, L, nl, H, nh, tc, 1)
    if L != buf:
        free(L)


cdef int _wait_for(int *counter, TCtx *tc, int op_id, Frame *fr) except -1:
    """Wait (GIL released) until counter is 0, running queued tasks of this call meanwhile.
    The main thread looks at signals after each task it ran and every _WAIT_MS."""
    cdef RunState *run = tc.run
    cdef phx_task *t
    cdef int check, left, tid = tc.tid
    cdef bint main = is_main_thread()
    pool_lock()
    left = counter[0]
    pool_unlock()
    while left:
        with nogil:
            check = 0
            pool_lock()
            while counter[0] > 0:
                t = pool_take_locked(&run.wait)
                if t != NULL:
                    pool_unlock()
                    t.fn(t, tid)
                    pool_lock()
                    if main:
                        check = 1
                        break
                elif run_wait_locked(&run.wait, _WAIT_MS) and main:
                    check = 1
                    break
            left = counter[0]
            pool_unlock()
        if check:
            try:
                _check_signals()
            except BaseException as exc:
                _fail(tc, exc, op_id, fr)
    return 0


# -- parallel loops ---------------------------------------------------------------------------

cdef int exec_parfor(Executable ex, Node *nd, Frame *fr, TCtx *tc, Py_ssize_t lo,
                     Py_ssize_t step, Py_ssize_t n) except -1:
    """Iterations of a parallel for_range (carried values already in the body's argument slots
    of fr): 0 or RUN_FAILED. The owner runs the first iteration alone and adds up the work
    it did without the GIL (native jobs, large NumPy calls); only if that reaches the task
    threshold do helpers join: a body that holds the GIL throughout gains nothing from a
    second thread and would lose to GIL hand-offs."""
    cdef ParLoop pl
    cdef RunState *run = tc.run
    cdef TCtx probe = tc[0]
    cdef int k, failed, n_help = num_threads() - 1
    cdef PyObject *fp_saved = NULL
    if n_help > n - 1:
        n_help = <int> (n - 1)
    pl.ex, pl.nd, pl.fr, pl.run = <PyObject *> ex, nd, fr, run
    pl.lo, pl.step, pl.n, pl.next, pl.outstanding = lo, step, n, 0, 0
    pl.helpers, pl.pparent = NULL, tc.pparent
    scope_open(&pl.scope, tc)
    probe.probe = 0.0
    _participate(ex, &pl, &probe, 1, 1)
    tc.pace = probe.pace
    if pl.scope.exc != NULL or cancelled(run, pl.scope.parent, pl.scope.parent_key):
        scope_close(run, &pl.scope)
        return RUN_FAILED
    if probe.probe < task_threshold() or n_help < 1:
        _participate(ex, &pl, tc, 1, -1)
    else:
        _start_pool(run)
        pl.helpers = <LoopTask *> calloc(n_help, sizeof(LoopTask))
        if pl.helpers == NULL:
            raise MemoryError()
        par_enter()
        try:
            fp_begin(run, &fp_saved)    # iterations report in order (see _executor)
            for k in range(n_help):
                pl.helpers[k].base.fn = _loop_task
                pl.helpers[k].base.owner = &run.wait
                pl.helpers[k].pl = &pl
                _task_begin(&pl.outstanding)
                pool_submit(&pl.helpers[k].base)
            _participate(ex, &pl, tc, 1, -1)
            _wait_for(&pl.outstanding, tc, nd.op_id, fr)
        finally:
            par_exit()
            free(pl.helpers)
            fp_end(fp_saved)
    failed = scope_close(run, &pl.scope)
    if failed or cancelled(run, pl.scope.parent, pl.scope.parent_key):
        return RUN_FAILED
    return 0


cdef void _participate(Executable ex, ParLoop *pl, TCtx *tc, int owner, int limit) noexcept:
    """Claim and run iterations of pl (GIL held) until none is left, the call failed, or
    `limit` (if >= 0) iterations ran. tc.probe and tc.pace are updated (running the body
    graph looks at signals and offers the GIL: pace_check)."""
    cdef Node *nd = pl.nd
    cdef Graph *body = &ex._graphs[nd.sub0]
    cdef const int *yields = body.nodes[body.term].ins
    cdef RunState *run = pl.run
    cdef Frame pf = pl.fr[0]
    cdef TCtx t2 = tc[0]
    cdef Py_ssize_t it
    cdef PyObject *i
    cdef int rc
    cdef FpPos fp_prev
    t2.seq, t2.scope = 1, &pl.scope
    if not owner:   # a private frame: the body's values are per iteration
        pf.slots = PyList_GetSlice(pl.fr.slots, 0, _list_size(pl.fr.slots))
        pf.scratch = <int *> malloc(pf.n_scratch * sizeof(int) + 1)
        if pf.slots == NULL or pf.scratch == NULL:
            _xdecref(pf.slots)
            free(pf.scratch)
            _abort(run, MemoryError(), nd.op_id, pl.fr)
            return
    fp_prev = fp_enter(&t2, nd.op_id)      # each iteration reports at its position
    try:
        while limit != 0:
            limit -= 1
            it = phx_fetch_add(&pl.next, 1)
            t2.key = it
            if it >= pl.n or cancelled(run, &pl.scope, it):
                break
            i = PyLong_FromSsize_t(pl.lo + it * pl.step)
            if i == NULL:
                raise MemoryError()
            _xdecref(_list_get(pf.slots, body.args[0]))
            _list_set(pf.slots, body.args[0], i)
            rc = ex._run_graph(nd.sub0, &pf, &t2)
            if rc == RUN_FAILED:
                break
            if it == pl.n - 1:
                copy_slots(pf.slots, yields, pl.fr.slots, nd.outs, nd.n_out)
    except BaseException as exc:
        _fail(&t2, exc, nd.op_id, pl.fr)
    finally:
        fp_leave(fp_prev)
        if not owner:
            _decref(pf.slots)
            free(pf.scratch)
    tc.probe, tc.pace = t2.probe, t2.pace


set_scheduler(run_par, exec_parfor)
