"""A profile as Trace Event format JSON (chrome://tracing, https://ui.perfetto.dev).

Every node execution is a complete event ("ph": "X", ts and dur in microseconds from the
first profiled call); every kernel call is one too, on the track of the Python thread that
made it. Tracks: one per Python thread that called kernels (the runtime's thread 0 of its
calls) and one per pool worker, named by "thread_name" metadata events.
"""

from __future__ import annotations

import json
import os

_WORKER_TID_BASE = 1000   # pool worker k is tid 1000 + k; calling Python threads are 1, 2, ...


def trace_events(prof) -> list[dict]:
    calls = prof.calls
    pid = os.getpid()
    if not calls:
        return [{"ph": "M", "ts": 0, "pid": pid, "tid": 0, "name": "process_name",
                 "args": {"name": "phylanx"}}]
    origin = min(c.start for c in calls)
    callers: dict[int, int] = {}
    names: dict[int, str] = {}
    events = []

    def us(ns: int) -> float:
        return round((ns - origin) / 1e3, 3)

    for call in calls:
        caller = callers.setdefault(call.thread, len(callers) + 1)
        names[caller] = f"Python thread {call.thread_name}"
        executable = call.executable
        events.append({"name": call.kernel, "cat": "kernel", "ph": "X", "ts": us(call.start),
                       "dur": round((call.end - call.start) / 1e3, 3), "pid": pid,
                       "tid": caller, "args": {"signature": call.signature,
                                               "failed": call.failed}})
        rec = call.records
        for op_id, tid, flags, _, t0, t1 in zip(
                rec["op_id"].tolist(), rec["tid"].tolist(), rec["flags"].tolist(),
                rec["parent"].tolist(), rec["t0"].tolist(), rec["t1"].tolist()):
            op = executable.profile_op(op_id)
            track = caller if tid == 0 else _WORKER_TID_BASE + tid
            if tid:
                names[track] = f"pool worker {tid}"
            events.append({
                "name": op.name, "cat": "task" if flags & 2 else "inline", "ph": "X",
                "ts": us(t0), "dur": round(max(t1 - t0, 0) / 1e3, 3), "pid": pid,
                "tid": track,
                "args": {"location": str(op.loc), "kernel": call.kernel,
                         "task": bool(flags & 2), "gil_fallback": bool(flags & 1)}})
    # Parents before children when they start together: viewers nest by order.
    events.sort(key=lambda e: (e["ts"], -e["dur"]))
    meta = [{"ph": "M", "ts": 0, "pid": pid, "tid": 0, "name": "process_name",
             "args": {"name": "phylanx"}}]
    for tid, name in sorted(names.items()):
        meta.append({"ph": "M", "ts": 0, "pid": pid, "tid": tid, "name": "thread_name",
                     "args": {"name": name}})
        meta.append({"ph": "M", "ts": 0, "pid": pid, "tid": tid, "name": "thread_sort_index",
                     "args": {"sort_index": tid}})
    return meta + events


def to_chrome_trace(prof) -> str:
    return json.dumps({"traceEvents": trace_events(prof), "displayTimeUnit": "ns"})
