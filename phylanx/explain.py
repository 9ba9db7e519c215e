"""What keeps a kernel from being fast, per source line: `kernel.explain(*args)`,
`python -m phylanx explain FILE.py:FUNC --args-from MODULE:MAKE_ARGS` (or `--types`).

In the spirit of Numba's parallel diagnostics, for one specialisation of a kernel:
  * fallback    an op the runtime runs as its NumPy reference, holding the GIL, and why
                (phylanx.runtime.natives.decline_reason); scalar ops, which always run as
                Python operations, are counted in the loops they keep sequential instead;
  * parallel    a loop the optimizer marked `parallel = true`, and how the runtime ran it: as
                a native loop kernel, with iterations on several threads, or sequentially and
                why (one thread, one iteration, nested in another parallel loop, a body that
                holds the GIL throughout, or a first iteration, the runtime's probe, with too
                little work without the GIL for a second thread to pay off);
  * sequential  a loop the optimizer left sequential, and why;
  * refused     a fusion the optimizer refused, and why.
Entries are grouped by source line; each names file:line:col and the op.

`explain(kernel, *args)` runs the kernel once on the arguments (under `phylanx.profile()`;
the arguments are mutated as the function mutates them) so it can say what the runtime did;
`explain_types(kernel, types)` only compiles, and says what the runtime decided when lowering.
"""

from __future__ import annotations

import linecache
import os
from dataclasses import dataclass, field

from phylanx.runtime._lowering import F_FALLBACK, F_HEAVY, F_NATIVE, F_PARLOOP, K_CALL, K_PRIM

_FLAG_FALLBACK, _FLAG_TASK = 1, 2      # profile record flags (phylanx.runtime._executor)
_CONTROL = ("if", "for_range", "while", "call")


@dataclass(frozen=True)
class Entry:
    file: str
    line: int
    col: int
    op: str
    kind: str        # "fallback", "parallel", "sequential" or "refused"
    message: str
    outcome: str = ""   # a parallel loop: "native", "threads", "one thread" or "" (not known)

    def where(self) -> str:
        return f"{os.path.basename(self.file)}:{self.line}:{self.col}"


@dataclass
class Explanation:
    """The report: `str(explanation)`; entries are sorted by source position."""

    kernel: str                    # "name(types)"
    file: str
    entries: list = field(default_factory=list)
    ran: bool = False              # the kernel ran once (explain), else compiled only
    wall_ns: int = 0
    threads: int = 1
    note: str = ""
    tier: str = ""                 # the native tier's state (phylanx.native.NativeState)

    def of(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]

    def report(self) -> str:
        loops = self.of("parallel")
        outcomes = [e.outcome for e in loops]
        head = [f"phylanx explain: {self.kernel}  [{self.file}]"]
        counts = (f"{_plural(len(self.of('fallback')), 'NumPy fallback')}, "
                  f"{_plural(len(loops), 'parallel loop')}"
                  + (f" ({outcomes.count('threads')} ran on several threads, "
                     f"{outcomes.count('native')} as native loop kernels)" if self.ran else "")
                  + f", {_plural(len(self.of('sequential')), 'sequential loop')}, "
                    f"{_plural(len(self.of('refused')), 'fusion')} refused")
        if self.ran:
            head.append(f"ran once: {self.wall_ns / 1e6:.3f} ms on {self.threads} "
                        f"thread{'s' if self.threads != 1 else ''}; {counts}")
        else:
            head.append(f"compiled, not run (what the runtime does at run time needs "
                        f"arguments: explain(*args) or --args-from); {counts}")
        if self.tier:
            head.append(f"tier: {self.tier}")
        out = head + ([self.note] if self.note else [])
        current = None
        for e in self.entries:
            if (e.file, e.line) != current:
                current = (e.file, e.line)
                text = linecache.getline(e.file, e.line).strip() if e.line > 0 else ""
                out += ["", f"{os.path.basename(e.file)}:{e.line}: {text}" if e.line > 0
                        else "<no source location>"]
            out.append(f"  {e.where()} {e.op}: {e.kind}: {e.message}")
        if not self.entries:
            out += ["", "nothing to report: no fallback, no parallel loop, no refused fusion"]
        return "\n".join(out) + "\n"

    __str__ = report


def explain(kernel, *args, **kwargs) -> Explanation:
    """Compile `kernel` for these arguments, run it once on them under a profile, and report
    (the run mutates the arguments as the function would)."""
    import phylanx

    values = kernel._bind(args, kwargs)
    compiled = kernel.compile(kernel._types(values))
    _, module = compiled.executable_for(values)
    with phylanx.profile() as prof:
        kernel(*args, **kwargs)
    return _explain(kernel, compiled, module, prof.calls[-1] if prof.calls else None)


def explain_types(kernel, types) -> Explanation:
    """The report of the specialisation for `types` (Types or a string), without running."""
    compiled = kernel.compile(types)
    return _explain(kernel, compiled, compiled.module, None)


# -- building the report ------------------------------------------------------------------------

class _Run:
    """The profile records of one call, indexed for the questions asked below."""

    def __init__(self, call):
        rec = call.records
        self.duration = max(call.duration, 1)
        self.op_ids = rec["op_id"].tolist()
        self.tids = rec["tid"].tolist()
        self.flags = rec["flags"].tolist()
        self.parent = rec["parent"].tolist()
        t0, t1 = rec["t0"].tolist(), rec["t1"].tolist()
        self.span = [b - a for a, b in zip(t0, t1)]
        ops = call.executable.profile_op
        self.op = [ops(i) for i in self.op_ids]
        self.by_op: dict = {}
        for k, op in enumerate(self.op):
            self.by_op.setdefault(id(op), []).append(k)
        self.children: dict = {}
        for k, p in enumerate(self.parent):
            self.children.setdefault(p, []).append(k)

    def records(self, op) -> list[int]:
        return self.by_op.get(id(op), [])


def _explain(kernel, compiled, module, call) -> Explanation:
    from phylanx.runtime import get_task_threshold, num_threads
    from phylanx.runtime._lowering import Planner

    code = kernel.py_func.__code__
    signature = ", ".join(map(str, compiled.signature))
    report = Explanation(f"{kernel.py_func.__name__}({signature})", code.co_filename,
                         ran=call is not None, threads=num_threads())
    run = _Run(call) if call is not None else None
    if run is not None:
        report.wall_ns = call.duration
    planner = Planner(module)
    entries = report.entries
    nodes = [(node, planner.ops[node["op_id"]]) for g in planner.graphs for node in g["nodes"]]
    parloops = {id(op) for node, op in nodes if _is_parloop(node, op, planner)}
    for node, op in nodes:
        if node["flags"] & F_FALLBACK and node["flags"] & F_HEAVY:
            entries.append(_entry(op, "fallback", _fallback_message(op, run)))
        elif op.name == "for_range" and op.attrs.get("parallel"):
            outcome, message = _loop_message(node, op, planner, run, parloops,
                                             get_task_threshold(), report.threads)
            entries.append(_entry(op, "parallel", message, outcome))
    if compiled.native_state is not None:
        report.tier = compiled.native_state.describe()
    if module is not compiled.module:
        report.note = ("array arguments overlap, so the kernel ran its unoptimized PhySL (the "
                       "optimizer assumes distinct array arguments do not overlap)")
    for d in compiled.pipeline.diagnostics if module is compiled.module else ():
        if d.kind in ("sequential", "refused"):
            entries.append(Entry(d.loc.file, d.loc.line, d.loc.col, _remark_op(d), d.kind,
                                 d.message))
    entries.sort(key=lambda e: (e.file != report.file, e.file, e.line, e.col, e.kind))
    return report


def _entry(op, kind: str, message: str, outcome: str = "") -> Entry:
    return Entry(op.loc.file, op.loc.line, op.loc.col, op.name, kind, message, outcome)


def _remark_op(d) -> str:
    """The op a remark is about: the first quoted op name of its message, else its pass."""
    if d.pass_name == "parallelize-loops":
        return "for_range"
    start = d.message.find("'")
    end = d.message.find("'", start + 1)
    return d.message[start + 1:end] if 0 <= start < end else d.pass_name


def _share(run, records: list[int]) -> str:
    total = sum(run.span[k] for k in records)
    return (f"{_plural(len(records), 'execution')}, {total / 1e6:.3f} ms, "
            f"{100 * total / run.duration:.0f}% of the call")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _fallback_message(op, run) -> str:
    from phylanx.runtime.natives import decline_reason

    why = decline_reason(op) or "the runtime chose the NumPy reference"
    text = f"runs as a NumPy fallback holding the GIL: {why}"
    if run is not None:
        records = run.records(op)
        text += f" ({_share(run, records)})" if records else " (did not run)"
    return text


def _is_parloop(node, op, planner) -> bool:
    return op.name == "for_range" and (node["flags"] & F_PARLOOP or op in
                                       planner.loop_kernels)


def _body_ops(planner, gi: int) -> list:
    """The primitive ops of graph gi and its nested graphs (not control, not terminators)."""
    out = []
    for node in planner.graphs[gi]["nodes"]:
        op = planner.ops[node["op_id"]]
        if node["kind"] == K_PRIM and "terminator" not in op.decl.traits:
            out.append((node, op))
        for sub in (node["sub0"], node["sub1"]):
            if sub >= 0 and node["kind"] != K_CALL:
                out += _body_ops(planner, sub)
    return out


def _enclosing_parloop(op, parloops):
    block = op.parent
    while block is not None:
        outer = block.parent
        if outer is None or not hasattr(outer, "regions"):
            return None
        if id(outer) in parloops:
            return outer
        block = outer.parent
    return None


def _loop_message(node, op, planner, run, parloops, threshold, threads) -> tuple[str, str]:
    """(outcome, message) of a loop marked parallel (outcome: see Entry)."""
    index = op.regions[0].args[0]
    head = f"loop over %{index.hint or '?'} marked parallel"
    if op in planner.loop_kernels:
        text = (f"{head}: runs as one native loop kernel (GIL released; the team joins once "
                "the calling thread has run 0.3 ms of iterations)")
        if run is not None:
            records = run.records(op)
            text += f" ({_share(run, records)})" if records else " (did not run)"
        return "native", text
    if not node["flags"] & F_PARLOOP:
        prefix = f"{op.loc}: parallel for_range runs sequentially: "
        why = next((n[len(prefix):] for n in planner.notes if n.startswith(prefix)),
                   "the runtime refused it")
        return "one thread", f"{head}; the runtime runs it sequentially: {why}"
    if run is None:
        return "", (f"{head}; the runtime decides at run time (its first iteration is a "
                    "probe): run explain(*args) to see what it did")
    records = run.records(op)
    if not records:
        return "", f"{head}; did not run"
    iterations = helped = parallel_runs = 0
    for r in records:
        mine = (run.tids[r], run.flags[r] & _FLAG_TASK)
        yields = [k for k in run.children.get(r, ()) if run.op[k].name == "yield"]
        by_helpers = sum((run.tids[k], run.flags[k] & _FLAG_TASK) != mine for k in yields)
        iterations += len(yields)
        helped += by_helpers
        parallel_runs += by_helpers > 0
    runs = f"{_plural(len(records), 'execution')}, {_plural(iterations, 'iteration')}"
    if parallel_runs:
        return "threads", (f"{head}; ran in parallel ({runs}; helper threads ran {helped} of "
                           f"the iterations in {parallel_runs} of the executions)")
    return "one thread", f"{head}; ran sequentially ({runs}): " + _why_sequential(
        op, planner, node, parloops, run, records, iterations, threshold, threads)


def _why_sequential(op, planner, node, parloops, run, records, iterations, threshold,
                    threads) -> str:
    if threads <= 1:
        return "the runtime has one thread (phylanx.runtime.set_num_threads, " \
               "PHYLANX_NUM_THREADS)"
    if iterations <= len(records):
        return "no execution had more than one iteration"
    outer = _enclosing_parloop(op, parloops)
    if outer is not None:
        return (f"it is nested in the parallel loop at line {outer.loc.line}, and the "
                "iterations of a parallel loop run their nested loops sequentially")
    body = _body_ops(planner, node["sub0"])
    holding = [o.name for n, o in body if not n["flags"] & F_NATIVE]
    names = ", ".join(dict.fromkeys(holding))
    if body and len(holding) == len(body):
        return (f"all {len(body)} ops of its body hold the GIL ({names}): a second thread "
                "could only wait for it")
    free, held = _first_iteration(run, max(records, key=lambda r: len(run.children.get(r, ()))))
    return (f"no helper thread ran an iteration: its first iteration (the runtime's probe) "
            f"spent {free / 1e6:.3f} ms without the GIL and {held / 1e6:.3f} ms holding it "
            f"({len(holding)} of its {len(body)} ops hold it" + (f": {names}" if holding else "")
            + "); helpers join only when the probe's work without the GIL reaches the task "
            f"threshold ({threshold:.3g} element-operations, "
            "phylanx.runtime.set_task_threshold) and a core is free for them")


def _first_iteration(run, loop: int) -> tuple[int, int]:
    """ns spent in ops without / with the GIL by the first iteration of the loop execution
    whose record is `loop` (the probe runs it alone: its records follow the loop's, up to
    the body's first yield)."""
    yields = [k for k in run.children.get(loop, ()) if run.op[k].name == "yield"]
    free = held = 0
    inside = {loop}
    for k in range(loop + 1, (yields[0] if yields else loop) + 1):
        if run.parent[k] not in inside:
            continue
        inside.add(k)
        op = run.op[k]
        if op.name in _CONTROL or "terminator" in op.decl.traits:
            continue
        if run.flags[k] & _FLAG_FALLBACK:      # a primitive is native or a fallback
            held += run.span[k]
        else:
            free += run.span[k]
    return free, held
