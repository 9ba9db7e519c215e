"""The client side: run a kernel's distributed plan on a Dask cluster.

Values at the client are replicated (a Python/NumPy value, or `Remote`: a future of one held
by a worker) or `Blocks` (one future per block: partitioned values and partials). The driver
walks the plan's steps: a local segment runs here on the phylanx runtime; a block segment is
one task per block (`worker.run_segment`), submitted where Dask keeps the block; `dist_reduce`
is a tree of `worker.combine` tasks; control flow runs here, fetching only the replicated
scalars it branches on. Partitioned values never come to the client: a partitioned result is
returned as a Dask array over the workers' blocks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from phylanx.distributed import worker as W
from phylanx.distributed.segments import Control, Plan, Segment
from phylanx.ir.types import ArrayType
from phylanx.passes.layout import REPLICATED, Layout

SPLIT_EVERY = 8               # fan-in of the tree reductions
SCATTER_BYTES = 1 << 20       # replicated arrays larger than this go to the workers once


@dataclass(eq=False)
class Remote:
    """A replicated value held by a worker."""

    future: object


@dataclass(eq=False)
class Blocks:
    """One entry per block: (future,) or (future of a tuple, index)."""

    parts: list
    layout: Layout


class _Return(Exception):
    def __init__(self, value):
        self.value = value


class Run:
    """One call of a plan: the client, the grid of blocks and the values."""

    def __init__(self, plan: Plan, client, grid: tuple, arg_shapes: dict,
                 timeout: float, profile=None):
        self.plan = plan
        self.client = client
        self.timeout = timeout                            # seconds, for every wait
        self.grid = grid                                  # rows per block
        self.bounds = np.concatenate([[0], np.cumsum(grid)]).astype(int).tolist()
        self.arg_shapes = arg_shapes                      # partitioned argument -> shape
        self.version = W.fingerprint()
        self.scattered: dict[int, tuple] = {}             # id(array) -> (array, future)
        self.profile = profile
        self.records: list = []

    # -- values ---------------------------------------------------------------------------------
    def fetch(self, value):
        """The replicated value at the client."""
        if isinstance(value, Remote):
            return self.gather([value.future])[0]
        if isinstance(value, Blocks):
            raise TypeError("phylanx.distributed internal error: a partitioned value "
                            "reached the client")
        return value

    def gather(self, futures: list) -> list:
        """The values of `futures`, waiting at most the timeout; TimeoutError past it."""
        from distributed import wait

        try:
            wait(futures, timeout=self.timeout)
        except TimeoutError:
            raise TimeoutError(f"phylanx.distributed: no answer from the cluster within "
                               f"{self.timeout:g} s (workers lost or overloaded?)") from None
        return self.client.gather(futures)

    def spec(self, value) -> tuple:
        """How a replicated value is passed to a task."""
        if isinstance(value, Remote):
            return (value.future,)
        if isinstance(value, np.ndarray) and value.nbytes > SCATTER_BYTES:
            kept = self.scattered.get(id(value))
            if kept is None or kept[0] is not value:
                future = self.client.scatter(value, broadcast=True, hash=False,
                                             timeout=self.timeout)
                kept = self.scattered[id(value)] = (value, future)
            return (kept[1],)
        return (value,)

    # -- steps ----------------------------------------------------------------------------------
    def run_steps(self, steps: list, env: dict):
        for step in steps:
            if isinstance(step, Segment):
                if step.kind == "local":
                    self.local(step, env)
                else:
                    self.blocks(step, env)
            elif isinstance(step, Control):
                self.control(step, env)
            else:
                kind, op = step.kind, step.op
                if kind == "yield":
                    return [env[v] for v in op.operands]
                if kind == "return":
                    raise _Return(env[op.operands[0]])
                getattr(self, "step_" + kind)(op, env)
        return None

    def local(self, seg: Segment, env: dict) -> None:
        exe = W.compiled(seg.text)
        args = tuple(W.aligned(self.fetch(env[v])) for v in seg.inputs)
        t0 = time.monotonic_ns()
        result = exe.run(args)
        if self.profile is not None:
            self.records.append(("client", seg, t0, time.monotonic_ns()))
        self._bind(seg, result, env)

    def blocks(self, seg: Segment, env: dict) -> None:
        n = len(self.grid)
        per_block = []
        for v in seg.inputs:
            value = env[v]
            per_block.append(value.parts if isinstance(value, Blocks) else self.spec(value))
        submit = self.client.submit
        profile = self.profile is not None
        specs = [[p[i] if isinstance(p, list) else p for p in per_block] for i in range(n)]
        # one message to the scheduler for the n tasks
        futures = self.client.map(W.run_segment, [seg.text] * n, [self.version] * n, specs,
                                  [profile] * n, pure=False)
        if profile:
            self.records.append(("blocks", seg, futures))
            futures = [submit(W.pick, (f, 0), pure=False) for f in futures]
        outs = seg.outputs
        for k, r in enumerate(outs):
            lay = self.plan.layouts.get(r, REPLICATED)
            parts = [(f,) if len(outs) == 1 else (f, k) for f in futures]
            env[r] = Blocks(parts, lay)

    def _bind(self, seg: Segment, result, env: dict) -> None:
        if len(seg.outputs) == 1:
            env[seg.outputs[0]] = result
        else:
            for r, v in zip(seg.outputs, result):
                env[r] = v

    def control(self, step: Control, env: dict) -> None:
        op = step.op
        if op.name == "for_range":
            lo, hi, stride = (int(self.fetch(env[v])) for v in op.operands[:3])
            carried = [env[v] for v in op.operands[3:]]
            body = op.regions[0]
            for i in range(lo, hi, stride):
                env[body.args[0]] = i
                env.update(zip(body.args[1:], carried))
                carried = self.run_steps(step.regions[0], env)
        elif op.name == "while":
            carried = [env[v] for v in op.operands]
            cond, body = op.regions
            while True:
                env.update(zip(cond.args, carried))
                (keep_going,) = self.run_steps(step.regions[0], env)
                if not bool(self.fetch(keep_going)):
                    break
                env.update(zip(body.args, carried))
                carried = self.run_steps(step.regions[1], env)
        elif op.name == "if":
            taken = 0 if bool(self.fetch(env[op.operands[0]])) else 1
            carried = self.run_steps(step.regions[taken], env)
        else:
            raise NotImplementedError(f"phylanx.distributed: control op '{op.name}'")
        env.update(zip(op.results, carried))

    def step_const(self, op, env: dict) -> None:
        kwargs = {k: v for k, v in op.attrs.items() if "." not in k}
        env[op.results[0]] = op.decl.impl(**kwargs, result_types=[op.results[0].type]) \
            if op.decl.impl is not None else _const_value(op)

    def step_meta(self, op, env: dict) -> None:
        shape = self.arg_shapes[op.operands[0]]
        env[op.results[0]] = int(shape[op.attrs["axis"]])

    def step_struct(self, op, env: dict) -> None:
        if op.name == "tuple":
            env[op.results[0]] = tuple(env[v] for v in op.operands)
        else:
            env[op.results[0]] = self.fetch(env[op.operands[0]])[op.attrs["index"]] \
                if not isinstance(env[op.operands[0]], tuple) else \
                env[op.operands[0]][op.attrs["index"]]

    def step_convert(self, op, env: dict) -> None:
        value = env[op.operands[0]]
        submit = self.client.submit
        if op.name == "dist_reduce":
            if not isinstance(value, Blocks):
                env[op.results[0]] = value
                return
            parts = value.parts
            combine = op.attrs["combine"]
            if _rank(op.results[0]) <= 1 and len(parts) <= SPLIT_EVERY * SPLIT_EVERY and all(
                    len(p) == 1 for p in parts):
                # scalars and vectors combine here: fewer hops than a combine task whose
                # result the client fetches anyway (matrices combine on the workers)
                values = self.gather([p[0] for p in parts])
                env[op.results[0]] = W.combine(combine, [(v,) for v in values])
                return
            while len(parts) > 1:
                parts = [(submit(W.combine, combine, parts[k:k + SPLIT_EVERY], pure=False),)
                         for k in range(0, len(parts), SPLIT_EVERY)]
            env[op.results[0]] = Remote(parts[0][0] if len(parts[0]) == 1
                                        else submit(W.pick, parts[0], pure=False))
        elif op.name == "dist_gather":
            if not isinstance(value, Blocks):
                env[op.results[0]] = value
                return
            env[op.results[0]] = Remote(submit(W.concatenate, op.attrs["axis"], value.parts,
                                               pure=False))
        elif op.name == "dist_partition":
            env[op.results[0]] = self.partition(value, op.attrs["axis"])
        else:
            raise NotImplementedError(f"phylanx.distributed: '{op.name}'")

    def partition(self, value, axis: int) -> Blocks:
        lay = Layout("partitioned", axis)
        total = self.bounds[-1]
        if isinstance(value, Blocks):                      # another axis: via the client? no:
            value = Remote(self.client.submit(W.concatenate, value.layout.axis, value.parts,
                                              pure=False))
        if isinstance(value, Remote):
            parts = [(self.client.submit(W.take_block, (value.future,), axis, lo, hi, total,
                                         pure=False),)
                     for lo, hi in zip(self.bounds[:-1], self.bounds[1:])]
            return Blocks(parts, lay)
        if np.ndim(value) <= axis or np.shape(value)[axis] != total:
            spec = self.spec(value)
            return Blocks([spec] * len(self.grid), lay)
        index = (slice(None),) * axis
        pieces = [value[(*index, slice(lo, hi))]
                  for lo, hi in zip(self.bounds[:-1], self.bounds[1:])]
        futures = self.client.scatter(pieces, hash=False, timeout=self.timeout)
        return Blocks([(f,) for f in futures], lay)


def _rank(v) -> int:
    return v.type.rank if isinstance(v.type, ArrayType) else 0


def _const_value(op):
    return op.attrs["value"]


def execute(plan: Plan, client, env: dict, grid: tuple, arg_shapes: dict, timeout: float,
            profile=None):
    """Run `plan` with the entry arguments bound in `env`; the value the kernel returns and
    the Run (timeout: seconds, for every wait)."""
    run = Run(plan, client, grid, arg_shapes, timeout, profile)
    try:
        run.run_steps(plan.steps, env)
    except _Return as r:
        return r.value, run
    raise RuntimeError("phylanx.distributed: the kernel ended without return")

