"""Collecting profiles: `phylanx.profile()` and `@kernel(performance=True)`.

Each kernel call made while a profile is active on the calling thread runs with the runtime's
recording on (`Executable.run(args, profile=True)`): one C record per node execution (op, pool
thread, GIL fallback, task, start, end, enclosing control node). The call keeps a copy of the
records (`KernelCall`); the views (`table`, `to_csv`, `to_chrome_trace`, `to_html`, `to_dot`,
`to_newick`) aggregate them on demand.

Profiles belong to the thread that entered them: a call made by another Python thread is not
added to a `with phylanx.profile()` block it did not enter (each thread may have its own).
`@kernel(performance=True)` collects every call of that kernel, from any thread, into
`kernel.profile`.
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass, field

import numpy as np

# Profiles entered on any thread and not yet left, and kernels with performance=True: while
# both are 0, the kernel's call path tests one module global (phylanx.kernel._profile_hook).
ACTIVE = 0
_PERFORMANCE_KERNELS = 0
_active_lock = threading.Lock()
_local = threading.local()


def _update_hook() -> None:   # with _active_lock held
    # The module (`phylanx.kernel` the attribute is the decorator).
    kernel_module = importlib.import_module("phylanx.kernel")
    kernel_module._set_profile_hook(ACTIVE > 0 or _PERFORMANCE_KERNELS > 0)


def performance_kernel_created() -> None:
    global _PERFORMANCE_KERNELS
    with _active_lock:
        _PERFORMANCE_KERNELS += 1
        _update_hook()


@dataclass
class KernelCall:
    """One profiled kernel call: the runtime's records and what is needed to explain them."""

    kernel: str                 # the kernel function's name
    signature: str              # its argument types
    executable: object          # the phylanx.runtime Executable that ran (ops by op_id)
    module: object              # the PhySL module of that executable
    py_func: object             # the Python function (its source file)
    records: np.ndarray         # PROFILE_DTYPE: op_id, tid, flags, parent, t0, t1
    start: int                  # ns, CLOCK_MONOTONIC (the clock of the records)
    end: int
    thread: int                 # threading.get_ident() of the calling Python thread
    thread_name: str
    failed: bool = False
    # which tier this specialisation uses outside profiles, and why (profiled calls run on
    # the interpreter, whose records they need)
    tier: str = ""

    @property
    def duration(self) -> int:
        return self.end - self.start


@dataclass(eq=False)
class Profile:
    """Kernel calls collected by `with phylanx.profile() as prof:` (or by a kernel declared
    with performance=True), and their views."""

    calls: list[KernelCall] = field(default_factory=list)

    def __post_init__(self):
        self._lock = threading.Lock()
        self._tree = None

    # -- collecting -----------------------------------------------------------------------------
    def __enter__(self):
        global ACTIVE
        stack = getattr(_local, "stack", None)
        if stack is None:
            stack = _local.stack = []
        stack.append(self)
        with _active_lock:
            ACTIVE += 1
            _update_hook()
        return self

    def __exit__(self, *exc) -> None:
        global ACTIVE
        stack = _local.stack
        for k in range(len(stack) - 1, -1, -1):   # by identity: the innermost entry of self
            if stack[k] is self:
                del stack[k]
                break
        with _active_lock:
            ACTIVE -= 1
            _update_hook()

    def add(self, call: KernelCall) -> None:
        with self._lock:
            self.calls.append(call)
            self._tree = None

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()
            self._tree = None

    # -- aggregates -----------------------------------------------------------------------------
    def tree(self):
        """The execution tree (phylanx.profiling.tree.Tree): a node per kernel specialization
        and, under it, one per op in its calling context (loop bodies aggregated over their
        iterations), with count, inclusive and exclusive time."""
        from phylanx.profiling.tree import build_tree

        with self._lock:
            if self._tree is None:
                self._tree = build_tree(list(self.calls))
            return self._tree

    @property
    def total_ns(self) -> int:
        """Wall time of all the profiled calls (ns)."""
        return sum(c.duration for c in self.calls)

    def nodes(self):
        """Per node rows (tree.NodeStats), sorted by exclusive time (largest first)."""
        return self.tree().by_exclusive()

    def lines(self):
        """Per source line rows (tree.LineStats), sorted by exclusive time."""
        return self.tree().lines()

    # -- views ----------------------------------------------------------------------------------
    def table(self, limit: int | None = 30, lines: bool = True) -> str:
        """Text tables per node and (`lines`) per source line, sorted by exclusive time."""
        from phylanx.profiling.table import format_table

        return format_table(self, limit, lines)

    def to_csv(self, path=None, by: str = "node") -> str:
        """CSV of the per-node rows (by="node") or per-line rows (by="line"); the header names
        exactly the columns. Written to `path` if given; returns the text."""
        from phylanx.profiling.table import to_csv

        return _write(path, to_csv(self, by))

    def to_chrome_trace(self, path=None) -> str:
        """Trace Event format JSON (Perfetto, chrome://tracing): one track per thread."""
        from phylanx.profiling.trace import to_chrome_trace

        return _write(path, to_chrome_trace(self))

    def to_html(self, path=None, title: str | None = None) -> str:
        """A self-contained interactive execution tree beside the Python source and PhySL."""
        from phylanx.profiling.html import to_html

        return _write(path, to_html(self, title))

    def to_dot(self, path=None) -> str:
        """The execution tree in Graphviz DOT."""
        from phylanx.profiling.tree import to_dot

        return _write(path, to_dot(self.tree()))

    def to_newick(self, path=None) -> str:
        """The execution tree in Newick (branch lengths: inclusive seconds)."""
        from phylanx.profiling.tree import to_newick

        return _write(path, to_newick(self.tree()))

    def __repr__(self) -> str:
        return f"<phylanx.Profile: {len(self.calls)} calls, {self.total_ns / 1e6:.3f} ms>"


def _write(path, text: str) -> str:
    if path is not None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return text


def profile() -> Profile:
    """`with phylanx.profile() as prof:` records every kernel call this thread makes inside."""
    return Profile()


def active_profiles() -> list[Profile]:
    """The profiles the calling thread is inside (innermost last)."""
    return list(getattr(_local, "stack", ()))


def run_profiled(compiled, values, kernel, targets) -> object:
    """Run `compiled` (a CompiledKernel) on values with recording on; add the call to every
    profile in `targets`; return the result (or raise the call's error, still recorded)."""
    from phylanx.runtime._executor import PROFILE_DTYPE

    executable, module = compiled.executable_for(values)
    before = executable.last_profile_data()
    failed = True
    try:
        result = executable.run(tuple(values), profile=True)
        failed = False
        return result
    finally:
        kept = executable.last_profile_data()
        if kept is not None and kept is not before:
            raw, start, end, _ = kept
            thread = threading.current_thread()
            call = KernelCall(
                kernel=kernel.py_func.__name__,
                signature=", ".join(map(str, compiled.signature)),
                executable=executable, module=module, py_func=kernel.py_func,
                records=np.frombuffer(raw, PROFILE_DTYPE), start=start, end=end,
                thread=thread.ident, thread_name=thread.name, failed=failed,
                tier="" if compiled.native_state is None else compiled.native_state.describe())
            for target in targets:
                target.add(call)
