"""The runtime's target figures (``phylanx.bench.targets``, the same code as ``python -m
phylanx.bench --targets``) tracked over commits, with 2 threads: dispatch cost per scalar node,
cost per forced task, the memory-bound a*x+b*y-c against np.copyto's bandwidth, the overlap of
two independent 2000x2000 matmuls, compile time and import time. Each is measured against its
reference (CPython, the inline graph, np.copyto, ...) in the same process.

The speedups over NumPy of the other figures (fused exp/sin at 1e7, explicit ALS on the
MovieLens-1M-shaped set) are the `track_speedup` of bench_arrays.Fused and
bench_algorithms.ALSExplicit; LogReg at the paper's 10,000 x 10,000 is left to the script (its
800 MB input takes half a minute to generate, in each benchmark's process).
"""

from threadpoolctl import threadpool_limits

import phylanx
from asv_bench._common import PHYLANX_THREADS as _THREADS
from phylanx.bench import targets as _targets


def _figure(name: str, repeat: int = 5, max_time: float = 5.0) -> float:
    phylanx.set_num_threads(_THREADS)
    with threadpool_limits(limits=_THREADS):
        (figure, *_) = _targets.MEASUREMENTS[name](_THREADS, repeat, max_time)
    return figure.value


class RuntimeFigures:
    timeout = 600

    def track_dispatch_ns_per_node(self):
        """A 20,000-iteration scalar loop (target <= 30 ns per node)."""
        return _figure("dispatch")

    track_dispatch_ns_per_node.unit = "ns per node"

    def track_forced_task_us(self):
        """Independent tiny native nodes forced to be pool tasks (target <= 2 us per task)."""
        return _figure("forced-tasks")

    track_forced_task_us.unit = "us per task"

    def track_memory_bound_percent_of_copy_bound(self):
        """a*x + b*y - c on 1e7 doubles vs np.copyto's bandwidth (target >= 80%)."""
        return _figure("memory-bound")

    track_memory_bound_percent_of_copy_bound.unit = "% of bound"

    def track_matmul_overlap_percent(self):
        """Two independent 2000^3 products in one kernel, from profile timestamps."""
        return _figure("matmul-overlap", repeat=3)

    track_matmul_overlap_percent.unit = "% of the shorter"

    def track_first_call_ms(self):
        """First call of a fresh LogReg kernel on 8x3 data (target <= 30 ms)."""
        return _figure("compile")

    track_first_call_ms.unit = "ms"

    def track_import_ms(self):
        """`import phylanx` in a fresh interpreter (target <= 200 ms)."""
        return _figure("import")

    track_import_ms.unit = "ms"
