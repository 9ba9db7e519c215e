"""Run phylanx kernels on a Dask.distributed cluster (the `distributed` extra).

    from dask.distributed import Client
    import dask.array as da
    client = Client()                          # a LocalCluster, or Client("tcp://host:8786")
    X = da.from_array(Xnp, chunks=(5000, -1)); y = da.from_array(ynp, chunks=5000)
    w = logreg(X, y, 1e-5, 100)                # the same @phylanx.kernel

A kernel called with Dask arrays runs on the default client (`distributed.get_client()`), or
on the one named by `with phylanx.distributed.using(client):`. Dask arrays of the first one's
number of rows are partitioned by its blocks of rows; the layout pass
(phylanx.passes.layout) decides every other value's layout; the driver
(phylanx.distributed.driver) runs control flow here and each straight-line partitioned segment
as one task per block on the worker holding it (phylanx.distributed.worker). Small results
come back as NumPy values, partitioned ones as Dask arrays over the workers' blocks.
See docs/distributed.md.
"""

from __future__ import annotations

import contextlib
import threading
import warnings
import weakref

import numpy as np

from phylanx.distributed.worker import VersionMismatch, fingerprint

__all__ = ["GatherWarning", "VersionMismatch", "is_dask_array", "physl", "run", "using"]

_local = threading.local()
_checked_clients: weakref.WeakSet = weakref.WeakSet()
_plans: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # CompiledKernel -> plans
_plans_lock = threading.Lock()


class GatherWarning(UserWarning):
    """A partitioned value is gathered from the workers: no layout rule applies where it is
    used (the message names the source line)."""


def is_dask_array(value) -> bool:
    t = type(value)
    return t.__name__ == "Array" and t.__module__.startswith("dask.array")


DEFAULT_TIMEOUT = 300.0      # seconds: the longest wait for the cluster before an error


@contextlib.contextmanager
def using(client, timeout: float | None = None):
    """Kernels called inside run on `client` when given Dask arrays; `timeout`: the longest
    wait (seconds) for any one answer of the cluster (a task, a transfer), DEFAULT_TIMEOUT if
    None. Past it the call raises TimeoutError: a lost cluster never hangs the caller."""
    stack = getattr(_local, "clients", None)
    if stack is None:
        stack = _local.clients = []
    stack.append((client, DEFAULT_TIMEOUT if timeout is None else float(timeout)))
    try:
        yield client
    finally:
        stack.pop()


def _client() -> tuple:
    """(the client to run on, the timeout in seconds)."""
    stack = getattr(_local, "clients", None)
    if stack:
        return stack[-1]
    try:
        from distributed import get_client
    except ImportError:
        raise ImportError("phylanx.distributed needs dask.distributed: pip install "
                          "'phylanx[distributed]'") from None
    try:
        return get_client(), DEFAULT_TIMEOUT
    except ValueError:
        raise RuntimeError("a kernel called with Dask arrays needs a Dask client: start one "
                           "(dask.distributed.Client()) or use phylanx.distributed.using("
                           "client)") from None


def check_workers(client, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Every worker runs the client's phylanx (version and op set); VersionMismatch otherwise.
    Checked once per client; each task checks again (workers may join later)."""
    if client in _checked_clients:
        return
    from phylanx.distributed.worker import worker_fingerprint

    mine = fingerprint()
    try:
        found = client.sync(client._run, worker_fingerprint, callback_timeout=timeout)
    except TimeoutError:
        raise TimeoutError(f"phylanx.distributed: the workers did not answer within "
                           f"{timeout:g} s") from None
    bad = {addr: fp for addr, fp in found.items() if fp != mine}
    if bad:
        listed = ", ".join(f"{a}: {fp}" for a, fp in sorted(bad.items()))
        raise VersionMismatch(f"the workers must run the client's phylanx {mine}; {listed}")
    _checked_clients.add(client)


# --- arguments and plans -----------------------------------------------------------------------

def _argument_layouts(values) -> tuple[list[int], int | None]:
    """Indices of the Dask arguments to partition by rows, and the number of rows (those of
    the first Dask argument; Dask arguments of other lengths are replicated)."""
    rows = None
    split = []
    for i, v in enumerate(values):
        if is_dask_array(v) and v.ndim >= 1:
            if rows is None:
                rows = v.shape[0]
            if v.shape[0] == rows:
                split.append(i)
    return split, rows


def _types(kernel, values):
    from phylanx.ir.types import ArrayType, dtype_name, type_of_value

    out = []
    for name, v in zip(kernel.signature.parameters, values):
        if is_dask_array(v):
            out.append(ArrayType(dtype_name(v.dtype), (None,) * v.ndim))
        else:
            try:
                out.append(type_of_value(v))
            except (TypeError, KeyError) as e:
                raise TypeError(f"{kernel.py_func.__name__}(): argument '{name}': {e}") from None
    return tuple(out)


class _Planned:
    def __init__(self, module, plan, remarks):
        self.module = module
        self.plan = plan
        self.remarks = remarks


def _plan(kernel, values):
    """(compiled kernel, planned) for these arguments, cached per signature and layouts."""
    from phylanx.distributed.segments import build_plan
    from phylanx.passes import run_pipeline
    from phylanx.passes.layout import partitioned

    types = _types(kernel, values)
    compiled = kernel.compile(types)
    split, _ = _argument_layouts(values)
    key = tuple(split)
    with _plans_lock:
        per = _plans.setdefault(compiled, {})
        planned = per.get(key)
        if planned is None:
            names = "+".join(compiled.module.entry.args[i].hint for i in split)
            result = run_pipeline(compiled.module, f"layout{{partitioned={names}}}")
            entry = result.module.entry
            layouts = {entry.args[i]: partitioned(0) for i in split}
            plan = build_plan(result.module, layouts)
            planned = per[key] = _Planned(result.module, plan,
                                          result.diagnostics.of("layout", "gather"))
    for remark in planned.remarks:
        warnings.warn(GatherWarning(f"{remark.where()}: {remark.message}"), stacklevel=4)
    return compiled, planned


def physl(kernel, values, locations: bool = True) -> str:
    """The PhySL the cluster runs for these arguments: every value's layout in `dist.layout`."""
    from phylanx.ir.printer import print_module

    _, planned = _plan(kernel, values)
    return print_module(planned.module, locations)


def run(kernel, values: tuple):
    """Call `kernel` (a phylanx.Kernel) with arguments some of which are Dask arrays."""
    client, timeout = _client()
    check_workers(client, timeout)
    compiled, planned = _plan(kernel, values)
    plan = planned.plan
    split, _ = _argument_layouts(values)
    hidden = compiled.hidden_arguments()
    values = tuple(values) + tuple(hidden)
    entry = plan.function
    env = {}
    grid = None
    arg_shapes = {}
    from phylanx.distributed.driver import Blocks, Remote, execute
    from phylanx.passes.layout import partitioned

    first = values[split[0]] if split else None
    for i, v in enumerate(values):
        arg = entry.args[i]
        if i in split:
            v = _blocks_of_rows(v, first.chunks[0])
            if grid is None:
                grid = tuple(int(c) for c in first.chunks[0])
            persisted = client.persist(v)
            env[arg] = Blocks([(_future(client, k),) for k in _block_keys(persisted)],
                              partitioned(0))
            env[arg].keep = persisted
            arg_shapes[arg] = v.shape
        elif is_dask_array(v):
            env[arg] = Remote(client.compute(v))
        else:
            env[arg] = v
    if grid is None:
        grid = (1,)
    result, run_state = execute(plan, client, env, grid, arg_shapes, timeout)
    return _result(result, run_state)


def _blocks_of_rows(array, row_chunks):
    """The array in blocks of the given rows, each holding every column."""
    chunks = (tuple(row_chunks),) + tuple((n,) for n in array.shape[1:])
    if array.chunks != chunks:
        array = array.rechunk(chunks)
    return array


def _block_keys(array) -> list:
    keys = array.__dask_keys__()
    out = []
    for k in keys:
        while isinstance(k, list):
            k = k[0]
        out.append(k)
    return out


def _future(client, key):
    from distributed import Future

    return Future(key, client)


def _result(value, run_state):
    """The value the kernel returns, for the caller: NumPy for replicated values, a Dask
    array over the workers' blocks for partitioned ones."""
    from phylanx.distributed.driver import Blocks, Remote

    if isinstance(value, tuple):
        return tuple(_result(v, run_state) for v in value)
    if isinstance(value, Remote):
        return run_state.fetch(value)
    if isinstance(value, Blocks):
        return _dask_array(value, run_state)
    return value


def _dask_array(value, run_state):
    import dask.array as da
    from dask.highlevelgraph import HighLevelGraph

    from phylanx.distributed import worker as W

    client = run_state.client
    futures = [p[0] if len(p) == 1 else client.submit(W.pick, p, pure=False)
               for p in value.parts]
    found = run_state.gather([client.submit(W.shape_of, (f,), pure=False) for f in futures])
    shapes = [s for s, _ in found]
    axis = value.layout.axis
    ndim = len(shapes[0])
    for s in shapes:
        if len(s) != ndim:
            raise RuntimeError("phylanx.distributed: blocks of different ranks")
    chunks = []
    for d in range(ndim):
        if d == axis:
            chunks.append(tuple(int(s[d]) for s in shapes))
        else:
            chunks.append((int(shapes[0][d]),))
    dtype = np.dtype(found[0][1])
    name = f"phylanx-{futures[0].key if futures else 'empty'}"
    graph = {}
    for i, f in enumerate(futures):
        index = [0] * ndim
        index[axis] = i
        graph[(name, *index)] = f
    hlg = HighLevelGraph.from_collections(name, graph, dependencies=[])
    return da.Array(hlg, name, chunks=tuple(chunks), dtype=dtype)
