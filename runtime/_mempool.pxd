# C-level API of the runtime's array memory pool (runtime/mempool.h, _mempool.pyx).
#
# Executable.run() brackets a kernel call with pool_enter()/pool_exit(): NumPy then allocates
# the arrays made during the call (results, temporaries, fallback nodes' outputs) through the
# pool. Pool threads call pool_adopt() when they take the GIL for a call's work.
cdef object pool_enter()          # the previous handler (None: the pool is off, nothing set)
cdef int pool_exit(object previous) except -1
cdef int pool_adopt() except -1
