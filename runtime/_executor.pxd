# C-level form of a lowered PhySL module; cimport these to add a scheduler or native kernels
# (e.g. the OpenMP task pool) without touching the lowering.
cimport cython
from cpython.object cimport PyObject


cdef enum NodeKind:
    K_PRIM      # primitive op; runs decl.impl with the GIL unless `native` is set
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
    PyObject *impl       # borrowed: kept alive by Executable._keep
    PyObject *kwnames    # tuple of attribute names, or NULL
    PyObject **kwvalues  # n_kw borrowed attribute values
    void *native         # reserved for a nogil kernel; NULL: fallback to impl


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


ctypedef struct Func:
    int n_args           # slots 0..n_args-1 hold the arguments
    int n_slots
    int body             # graph index
    int scratch          # ints of scratch (counters + ready queue) per call


ctypedef struct Frame:
    PyObject *slots      # borrowed: the call's list of values, one per SSA value
    int *scratch
    int ret_slot


ctypedef struct ProfRec:
    int op_id
    int tid
    int fallback
    long long t0
    long long t1


ctypedef struct RunCtx:
    bint profile
    int cur              # op id of the innermost node started (names the failing op)
    int depth            # nesting of calls


@cython.final
cdef class Executable:
    cdef Graph *_graphs
    cdef int _n_graphs
    cdef Node *_nodes
    cdef Func *_funcs
    cdef int _n_funcs
    cdef int *_ints
    cdef PyObject **_ptrs
    cdef ProfRec *_prof
    cdef Py_ssize_t _n_prof
    cdef Py_ssize_t _cap_prof
    cdef list _templates     # per function: the initial frame (constants preset, else None)
    cdef list _ops           # op_id -> Op
    cdef list _keep          # owners of the borrowed pointers in the nodes
    cdef dict _func_index
    cdef readonly tuple function_names

    cdef int _emit(self, plan) except -1
    cdef object _call(self, int fidx, tuple args, int site, RunCtx *ctx)
    cdef int _run_graph(self, int gi, Frame *fr, RunCtx *ctx) except -1
    cdef int _exec_prim(self, Node *nd, Frame *fr) except -1
    cdef int _exec_if(self, Node *nd, Frame *fr, RunCtx *ctx) except -1
    cdef int _exec_for(self, Node *nd, Frame *fr, RunCtx *ctx) except -1
    cdef int _exec_while(self, Node *nd, Frame *fr, RunCtx *ctx) except -1
    cdef int _exec_call(self, Node *nd, Frame *fr, RunCtx *ctx) except -1
    cdef int _record(self, Node *nd, long long t0) except -1
