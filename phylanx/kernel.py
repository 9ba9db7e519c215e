"""The `@kernel` decorator: specialise on argument types, compile once, run on the runtime."""

from __future__ import annotations

import functools
import inspect
import threading
import types
from collections import OrderedDict

import numpy as np

from phylanx import native as _native
from phylanx.compiler import Compiler
from phylanx.frontend.external import CompiledFunction
from phylanx.frontend.source import read_source
from phylanx.ir.types import parse_types, type_of_value
from phylanx.profiling import collect as _collect


class CompiledKernel:
    """One specialisation: the optimized PhySL module, the optimizer's record of it
    (`pipeline`: a phylanx.passes.PipelineResult with every stage, statistics and
    diagnostics) and its runtime executable."""

    def __init__(self, module, signature, pipeline=None, unoptimized=None, reads=None):
        self.module = module
        self.signature = signature
        # what the kernel read from outside its arguments (phylanx.frontend.external); None:
        # nothing, so calls skip the check
        self.reads = reads or None
        self.pipeline = pipeline
        self.unoptimized = unoptimized if unoptimized is not None else module
        self._executable = None
        self._fallback = None
        self._written = None
        self._lower_lock = threading.Lock()
        # the native tier (phylanx.native): its state, and the entry once compiled
        self.native_state = None
        self.native = None

    @property
    def executable(self):
        """The runtime's Executable of `module`, lowered once (threads calling the kernel for
        the first time at once wait for one lowering)."""
        if self._executable is None:
            with self._lower_lock:
                if self._executable is None:
                    from phylanx.runtime import lower_module

                    self._executable = lower_module(self.module)
        return self._executable

    def executable_for(self, args):
        """(Executable, its module) that runs these arguments: the optimized one, or the
        unoptimized one when array arguments the kernel writes overlap."""
        if self.unoptimized is not self.module:
            from phylanx.analysis import arguments_overlap, written_arguments

            if self._written is None:
                self._written = written_arguments(self.module)
            if self._written and arguments_overlap(self._written, args):
                # The optimizer assumed distinct array arguments do not overlap.
                if self._fallback is None:
                    from phylanx.runtime import lower_module

                    self._fallback = lower_module(self.unoptimized)
                return self._fallback, self.unoptimized
        return self.executable, self.module

    def hidden_arguments(self) -> tuple:
        """The arrays the kernel reads from outside its arguments (globals, attributes), as
        they are now: the entry function's arguments after the declared ones."""
        if self.reads is None:
            return ()
        hidden = self.reads.fetch_arrays()
        if hidden is None:
            raise TypeError("an array the kernel reads from outside its arguments changed "
                            "type or shape since it was compiled")
        return hidden

    def run(self, args):
        """Run on the declared arguments `args` (the hidden ones are fetched now)."""
        args = tuple(args) + self.hidden_arguments()
        return self.executable_for(args)[0].run(args)

    def stale(self) -> bool:
        """Whether something read from outside the arguments changed since compiling."""
        return self.reads is not None and self.reads.current() is None


def _switch_to_native(compiled: CompiledKernel, state) -> None:
    """Let calls of `compiled` run its native entry (called when it is ready)."""
    run = state.run
    if len(compiled.module.entry.args) > 1:
        from phylanx.analysis import arguments_overlap, written_arguments

        written = written_arguments(compiled.module)
        if written:
            entry = run

            def run(*values):
                # the native code relies on the optimizer's no-alias rule, as `module` does
                if arguments_overlap(written, values):
                    return NotImplemented
                return entry(*values)
    compiled.native = run


_SCALARS = (float, int, bool, complex)

# True while some thread is inside `phylanx.profile()` or a kernel has performance=True
# (phylanx.profiling.collect keeps it up to date).
_profile_hook = False


def _set_profile_hook(on: bool) -> None:
    global _profile_hook
    _profile_hook = on


def _fast_key(value):
    """A cheap stand-in for the argument's type (dispatch without building Types), or None."""
    t = type(value)
    if t is np.ndarray:
        return (value.dtype, value.ndim)
    if t in _SCALARS or isinstance(value, np.generic):
        return t
    return None


def _is_dask_array(value) -> bool:
    """A dask.array.Array (told without importing dask)."""
    t = type(value)
    return t.__name__ == "Array" and t.__module__.startswith("dask.array")


class Kernel(CompiledFunction):
    """A Python function compiled to PhySL per argument signature and run by the runtime.

    Parameters:

    - ``passes``: the optimizer pipeline (``phylanx.passes``; None: the default one).
    - ``debug``: print the final PhySL (what runs) of each new specialisation, when it is
      compiled, to stdout.
    - ``performance``: profile every call into ``self.profile`` (``phylanx.profiling``).
    """

    def __init__(self, py_func, passes: str | None = None, debug: bool = False,
                 performance: bool = False):
        if isinstance(py_func, Kernel):
            py_func = py_func.py_func      # kernel(kernel(f)): f, with these options
        if not isinstance(py_func, types.FunctionType):
            raise TypeError("phylanx.kernel expects a Python function defined with def, got "
                            f"{type(py_func).__name__} {py_func!r:.60}")
        self.py_func = py_func
        self.passes = passes
        self.debug = debug
        # performance=True: every call is profiled into self.profile (phylanx.profiling).
        self.profile = _collect.Profile() if performance else None
        if performance:
            _collect.performance_kernel_created()
        read_source(py_func, decorating=True)  # now: compile the code Python runs
        self.signature = inspect.signature(py_func)
        self._n_params = len(self.signature.parameters)
        self._simple = all(p.kind == p.POSITIONAL_OR_KEYWORD
                           for p in self.signature.parameters.values())
        self._cache: dict[tuple, CompiledKernel] = {}
        self._fast: dict[tuple, CompiledKernel] = {}  # cheap per-argument keys -> compiled
        self._code = py_func.__code__
        self._lock = threading.Lock()
        functools.update_wrapper(self, py_func)

    def _bind(self, args, kwargs) -> tuple:
        if not kwargs and self._simple and len(args) == self._n_params:
            return args  # the common case, without inspect's binding
        try:
            bound = self.signature.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"{self.py_func.__name__}(): {e}") from None
        bound.apply_defaults()
        return tuple(bound.arguments.values())

    def _types(self, values) -> tuple:
        types = []
        for name, v in zip(self.signature.parameters, values):
            try:
                types.append(type_of_value(v))
            except (TypeError, KeyError) as e:
                raise TypeError(f"{self.py_func.__name__}(): argument '{name}': {e}") from None
        return tuple(types)

    def compile(self, types) -> CompiledKernel:
        """The specialisation for `types` (a tuple of Types or a string like "f64[?], int")."""
        if isinstance(types, str):
            types = tuple(parse_types(types))
        types = tuple(types)
        if self.py_func.__code__ is not self._code:
            # The function's code was replaced (e.g. reloaded): its old compilations are stale.
            self._cache.clear()
            self._fast.clear()
            self._code = self.py_func.__code__
        compiled = self._cache.get(types)
        if compiled is None or compiled.stale():  # stale: a global it read has changed
            with self._lock:
                compiled = self._cache.get(types)
                if compiled is None or compiled.stale():
                    compiled = self._compile(types)
        return compiled

    def _compile(self, types: tuple) -> CompiledKernel:
        from phylanx.passes import run_pipeline

        compiler = Compiler()
        module = compiler.compile(self.py_func, list(types))
        result = run_pipeline(module, self.passes)
        compiled = CompiledKernel(result.module, types, result, module, compiler.reads)
        if self.debug:
            print(result.stage("final"), end="", flush=True)
        compiled.native_state = _native.start(compiled, functools.partial(_switch_to_native,
                                                                          compiled))
        self._cache[types] = compiled
        return compiled

    def _recompile(self, stale: CompiledKernel) -> CompiledKernel:
        """Compile again what `stale` compiled: a global or attribute it read changed."""
        with self._lock:
            compiled = self._cache.get(stale.signature)
            if compiled is None or compiled is stale or compiled.stale():
                compiled = self._compile(stale.signature)
            for key, value in list(self._fast.items()):
                if value is stale:
                    self._fast[key] = compiled
        return compiled

    def __call__(self, *args, **kwargs):
        values = self._bind(args, kwargs)
        key = tuple(map(_fast_key, values))
        compiled = self._fast.get(key)
        if compiled is None or self.py_func.__code__ is not self._code:
            if None in key and any(map(_is_dask_array, values)):
                from phylanx.distributed import run

                return run(self, values)     # on the Dask cluster (phylanx.distributed)
            compiled = self.compile(self._types(values))
            if None not in key:
                self._fast[key] = compiled
        if compiled.reads is not None:
            compiled, values = self._with_hidden(compiled, values)
        if _profile_hook:   # one global test: calls outside any profile pay nothing more
            targets = _collect.active_profiles()
            if self.profile is not None:
                targets.append(self.profile)
            if targets:
                return _collect.run_profiled(compiled, values, self, targets)
        native = compiled.native
        if native is not None:
            result = native(*values)
            if result is not NotImplemented:  # else: a call the interpreter must run
                return result
        return compiled.executable_for(values)[0].run(values)

    def _with_hidden(self, compiled: CompiledKernel, values: tuple):
        """(compiled, values and hidden arguments), compiling again if what `compiled` read
        from outside its arguments changed."""
        hidden = compiled.reads.current()
        if hidden is None:
            compiled = self._recompile(compiled)
            hidden = () if compiled.reads is None else compiled.reads.fetch_arrays()
            if hidden is None:
                raise RuntimeError("a global array the kernel reads changed while it was "
                                   "being compiled")
        return compiled, values + hidden

    def physl(self, *args, types: str | None = None, locations: bool = True,
              stage: str = "final", **kwargs) -> str:
        """The PhySL text for these arguments (or for a signature string `types`) at `stage`:
        "input" (as lowered), the name of a pass of the pipeline ("cse#2": its second run),
        or "final" (what runs)."""
        if types is None:
            values = self._bind(args, kwargs)
            if any(map(_is_dask_array, values)):
                from phylanx.distributed import physl

                return physl(self, values, locations)   # with the layouts, on a cluster
            types = self._types(values)
        return self.compile(types).pipeline.stage(stage, locations=locations)

    def physl_stages(self, *args, types: str | None = None, locations: bool = True,
                     **kwargs) -> dict[str, str]:
        """Every stage's PhySL in pipeline order: {"input": ..., "inline": ..., "final": ...}."""
        if types is None:
            types = self._types(self._bind(args, kwargs))
        result = self.compile(types).pipeline
        return OrderedDict((name, result.stage(name, locations)) for name in result.stages)

    def physl_diff(self, *args, a: str = "input", b: str = "final", types: str | None = None,
                   **kwargs) -> str:
        """Unified diff between the PhySL of stages `a` and `b`."""
        if types is None:
            types = self._types(self._bind(args, kwargs))
        return self.compile(types).pipeline.diff(a, b)

    def c_source(self, *args, types: str | None = None, **kwargs) -> str:
        """The C source the native tier compiles for these arguments (or for a signature
        string `types`); raises phylanx.native.Unsupported saying what it cannot translate."""
        if types is None:
            types = self._types(self._bind(args, kwargs))
        return _native.c_source(self.compile(types).module)

    def explain(self, *args, **kwargs):
        """Report, per source line, NumPy fallbacks, parallel loops and how they ran, and
        refused fusions; RUNS the kernel once on these arguments (see phylanx.explain)."""
        from phylanx.explain import explain

        return explain(self, *args, **kwargs)

    def __repr__(self) -> str:
        return f"<phylanx.kernel {self.py_func.__qualname__}>"


def kernel(func=None, *, passes: str | None = None, debug: bool = False,
           performance: bool = False, target: str = "PhySL"):
    """Decorate a Python/NumPy function to compile it: `@kernel` or `@kernel(passes=...)`.

    debug=True prints the final PhySL of each new specialisation when it is compiled;
    performance=True profiles every call into `f.profile` (a phylanx.profiling.Profile);
    target="PhySL" (the only target) is accepted for scripts written for the original
    Phylanx's `@Phylanx(target="PhySL")`."""
    if target != "PhySL":
        raise ValueError(f"phylanx.kernel: unknown target {target!r} (the one target is "
                         "'PhySL')")
    if func is None:
        return lambda f: Kernel(f, passes=passes, debug=debug, performance=performance)
    return Kernel(func, passes=passes, debug=debug, performance=performance)
