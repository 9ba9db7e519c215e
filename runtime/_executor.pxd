# C-level form of a lowered PhySL module and of one kernel call's scheduling state.
# Values of the enums must match runtime/_lowering.py (checked when _executor is imported).
cimport cython
from cpython.object cimport PyObject

from phylanx.runtime.tasks cimport phx_run, phx_task


cdef enum NodeKind:
    K_PRIM      # primitive op: native job (F_NATIVE) or NumPy reference (F_FALLBACK)
    K_IF
    K_FOR
    K_WHILE
    K_CALL
    K_YIELD
    K_RETURN


cdef enum NodeFlag:
    F_FALLBACK = 1  # runs the NumPy reference implementation (needs the GIL)
    F_INPLACE = 2   # writes into the buffer of operand 0
    F_RANDOM = 4    # draws from the global random generator
    F_VIEW = 8      # result may share memory with operand 0
    F_NATIVE = 16   # has a native preparer: preparer(*operands) -> Job | result
    F_SEQRES = 32   # the kernel returns a sequence of results even for one result
    F_HEAVY = 64    # may be costly: a candidate for a task
    F_PARLOOP = 128 # for_range whose iterations may run concurrently
    F_NOINDEX = 256 # for_range whose body never reads the loop index (no int object per iteration)


cdef enum CostKind:
    C_NONE      # never a task (scalar work)
    C_ELEM      # sum of operand sizes
    C_MATMUL    # m*k*n of the first two operands
    C_CUBIC     # n^3 of the first operand (linalg.*)
    C_CONTROL   # a region or callee containing possibly heavy nodes: always a task candidate
    C_REST      # sum of the sizes of the operands after the first (views, in-place writes)


ctypedef struct Node:
    int kind
    int flags
    int op_id            # index into Executable._ops (name, location; for notes and profiles)
    int n_in
    int n_out
    int *ins             # frame slots read
    int *outs            # frame slots written
    int n_deps           # number of predecessors in the graph (initial dependency count)
    int n_succ
    int *succ            # nodes (same graph) that wait for this one
    int sub0             # graphs of the regions (then/else, body, cond/body), -1 if none
    int sub1
    int callee           # function index of a call
    int n_kw
    int cost             # CostKind
    int pyop             # Python operator called directly (PyNumber_*), 0 if none
    PyObject *impl       # borrowed: kept alive by Executable._keep
    PyObject *kwnames    # tuple of attribute names, or NULL
    PyObject **kwvalues  # n_kw borrowed attribute values
    PyObject *native     # borrowed native preparer, or NULL


ctypedef struct Graph:
    int n_nodes
    Node *nodes
    int n_args
    int *args            # slots of the block arguments
    int n_roots
    int *roots           # nodes with no predecessor: the initial ready set
    int *deps            # n_nodes initial dependency counts, copied per execution
    int term             # the terminator node (yield / return); every sink feeds into it
    int scratch_off      # offset of this graph's counters in its frame's scratch buffer
    int par              # two possibly heavy nodes are unordered: worth the task pool


ctypedef struct Func:
    int n_args           # slots 0..n_args-1 hold the arguments
    int n_slots
    int body             # graph index
    int scratch          # ints of scratch (counters + ready queue) per call


ctypedef struct Frame:
    PyObject *slots      # owned by the creator: the call's list of values, one per SSA value
    int *scratch
    int n_scratch
    int ret_slot
    int site             # op id of the call that made this frame (-1: the kernel call)
    int depth            # nesting of calls
    Frame *parent


ctypedef struct ProfRec:
    int op_id
    int tid
    int flags            # 1: GIL fallback, 2: ran as a pool task
    int parent           # record of the control node (if/for/while/call) it ran in, or -1
    long long t0
    long long t1


ctypedef struct Scope:      # a concurrent execution (GExec, ParLoop) and its failures
    Scope *parent        # the concurrent execution it runs in (NULL: none)
    Py_ssize_t parent_key  # its position there (node index, loop iteration)
    Py_ssize_t fail_key  # the lowest position of this execution that failed (atomic)
    PyObject *exc        # that failure: exception and notes (owned; GIL held)
    PyObject *notes
    PyObject *reports    # floating-point reports made at its positions, to be made in program
                         # order: list of (key, op id, event) (owned; GIL held), or NULL


ctypedef struct RunState:   # one kernel call (every thread working for it shares it)
    phx_run wait         # where threads waiting for this call's tasks sleep
    int failed           # some node failed: look at cancelled() before going on (atomic)
    int abort            # everything stops: the call's failure is decided (atomic)
    PyObject *exc        # the call's failure (owned)
    PyObject *notes      # list of op ids: the failing node, then the call sites (owned)
    int profile
    PyObject *fpstate    # the caller's NumPy error state (np.errstate), borrowed: pool threads
                         # adopt it before running Python for this call
    PyObject *fprec      # the error state recording reports of nodes that run concurrently
    int fprec_built      # (owned; NULL: none, nothing to record) once fprec_built
    ProfRec *prof        # appended with the GIL held
    Py_ssize_t n_prof
    Py_ssize_t cap_prof


ctypedef struct Pacer:      # when a thread holding the GIL next checks for signals and GIL requests
    int tick             # graph runs (loop iterations, regions, calls) left before the next look
    int period           # graph runs between looks, adapted to take about PACE_CHECK_NS
    long long t_check    # CLOCK_MONOTONIC ns of the last look (0: none yet)


ctypedef struct TCtx:       # one thread's view of a call
    RunState *run
    int tid              # 0: the thread that called the kernel (or a helping owner), k: worker k
    int seq              # run nested graphs sequentially (inside parallel-loop iterations)
    int intask           # running a pool task (profile records say so)
    Pacer pace           # signals and GIL hand-over while it holds the GIL
    Scope *scope         # the innermost concurrent execution it works in (NULL: none)
    Py_ssize_t key       # and its position there (a failure here is ordered by it)
    double probe         # >= 0: add up the cost of the work done without the GIL here
    int pparent          # profiling: record of the control node whose region runs here, or -1


ctypedef struct FpPos:      # whose floating-point reports this thread makes: a position
    TCtx *tc             # (tc.scope, tc.key; NULL: not in a concurrent execution)
    int op_id            # and the op of the node there (for the note of an exception)


ctypedef struct PTask:      # a node of a graph execution, submitted to the pool
    phx_task base        # first member: the pool sees a phx_task
    void *ge             # its GExec
    int node
    int is_job
    PyObject *prep       # prepared native Job or result (owned), or NULL


ctypedef struct GExec:      # one execution of a graph that may run nodes concurrently
    PyObject *ex
    Graph *g
    Frame *fr
    RunState *run
    int *count           # dependency counters (in the frame's scratch)
    PTask *tasks         # per node
    int outstanding      # tasks queued or running (changed under the pool lock)
    int rc               # _RETURNED once a `return` ran
    int seq
    int pparent          # profiling: record of the control node owning this graph, or -1
    Scope scope          # keys: node indices


ctypedef struct LoopTask:
    phx_task base
    void *pl


ctypedef struct ParLoop:    # a for_range {parallel = true} spreading its iterations
    PyObject *ex
    Node *nd
    Frame *fr            # the owner's frame: carried values, results
    RunState *run
    Py_ssize_t lo
    Py_ssize_t step
    Py_ssize_t n
    Py_ssize_t next      # next unclaimed iteration (atomic)
    int outstanding      # helper tasks not finished
    LoopTask *helpers
    int pparent          # profiling: record of the loop node
    Scope scope          # keys: iteration numbers


@cython.final
cdef class Executable:
    cdef Graph *_graphs
    cdef int _n_graphs
    cdef Node *_nodes
    cdef Func *_funcs
    cdef int _n_funcs
    cdef int *_ints
    cdef PyObject **_ptrs
    cdef list _templates     # per function: the initial frame (constants preset, else None)
    cdef list _ops           # op_id -> Op
    cdef list _keep          # owners of the borrowed pointers in the nodes
    cdef dict _func_index
    cdef object _profiles    # threading.local: .last = records of the thread's last profile
    cdef object _last_profile
    cdef readonly tuple function_names
    cdef readonly tuple notes   # lowering remarks (e.g. parallel loops that run sequentially)

    cdef int _emit(self, plan) except -1
    cdef object _call_entry(self, int fidx, tuple args, TCtx *tc)
    cdef int _call(self, int fidx, PyObject **argv, int site, Frame *parent, TCtx *tc,
                   PyObject **result) except -1
    cdef int _run_graph(self, int gi, Frame *fr, TCtx *tc) except -1
    cdef int _run_seq(self, Graph *g, Frame *fr, TCtx *tc) except -1
    cdef int _exec(self, Node *nd, Frame *fr, TCtx *tc) except -1
    cdef int _exec_prim(self, Node *nd, Frame *fr, TCtx *tc) except -1
    cdef object _run_job(self, object job, TCtx *tc)
    cdef int _exec_if(self, Node *nd, Frame *fr, TCtx *tc) except -1
    cdef int _exec_for(self, Node *nd, Frame *fr, TCtx *tc) except -1
    cdef int _exec_while(self, Node *nd, Frame *fr, TCtx *tc) except -1
    cdef int _exec_call(self, Node *nd, Frame *fr, TCtx *tc) except -1
    cdef int _prof_begin(self, TCtx *tc, Node *nd, long long t0, int parent, int task) noexcept
    cdef void _prof_end(self, TCtx *tc, int rec) noexcept
    cdef _keep_profile(self, RunState *run, long long start, int fidx)


cdef enum:
    RUN_RETURNED = 1     # status of a graph that ran a `return`
    RUN_FAILED = -2      # status of a graph whose call failed (exception kept in RunState)

# Shared with the concurrent scheduler (_sched.pyx), which registers itself with
# set_scheduler() when it is imported (phylanx.runtime imports it).
ctypedef int (*run_par_fn)(Executable ex, int gi, Frame *fr, TCtx *tc) except -1
ctypedef int (*parfor_fn)(Executable ex, Node *nd, Frame *fr, TCtx *tc, Py_ssize_t lo,
                          Py_ssize_t step, Py_ssize_t n) except -1
cdef void set_scheduler(run_par_fn run_par, parfor_fn parfor) noexcept
cdef int fail(TCtx *tc, object exc, int op_id, Frame *fr) except -1
cdef int fail_at(RunState *run, Scope *scope, Py_ssize_t key, object exc, int op_id,
                 Frame *fr) except -1
cdef bint cancelled(RunState *run, Scope *scope, Py_ssize_t key) noexcept nogil
cdef void scope_open(Scope *s, TCtx *tc) noexcept nogil
cdef int scope_close(RunState *run, Scope *s) noexcept
cdef int store_result(Node *nd, PyObject *slots, PyObject *res) except -1
cdef int copy_slots(PyObject *src_slots, const int *src, PyObject *dst_slots, const int *dst,
                    int n) except -1
cdef double estimate(Node *nd, PyObject *slots) noexcept
cdef long long now_ns() noexcept nogil
cdef void tctx_init(TCtx *tc, RunState *run, int tid, int seq, int intask,
                    int pparent) noexcept nogil
cdef int pace_check(TCtx *tc) except -1
cdef int adopt_fpstate(RunState *run) except -1
cdef int fp_begin(RunState *run, PyObject **saved) except -1
cdef void fp_end(PyObject *saved) noexcept
cdef FpPos fp_enter(TCtx *tc, int op_id) noexcept nogil
cdef void fp_leave(FpPos prev) noexcept nogil
