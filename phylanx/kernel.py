"""The `@kernel` decorator: specialise on argument types, compile once, run on the runtime."""

from __future__ import annotations

import functools
import inspect
import threading

from phylanx.compiler import compile_function
from phylanx.frontend.source import read_source
from phylanx.ir.printer import print_module
from phylanx.ir.types import parse_types, type_of_value


class CompiledKernel:
    """One specialisation: the PhySL module and its runtime executable."""

    def __init__(self, module, signature):
        self.module = module
        self.signature = signature
        self._executable = None

    @property
    def executable(self):
        if self._executable is None:
            from phylanx.runtime import lower_module

            self._executable = lower_module(self.module)
        return self._executable

    def run(self, args):
        return self.executable.run(tuple(args))


class Kernel:
    """A Python function compiled to PhySL per argument signature and run by the runtime."""

    def __init__(self, py_func, passes: str | None = None, debug: bool = False):
        self.py_func = py_func
        self.passes = passes
        self.debug = debug
        self.signature = inspect.signature(py_func)
        self._cache: dict[tuple, CompiledKernel] = {}
        self._lock = threading.Lock()
        functools.update_wrapper(self, py_func)

    def _bind(self, args, kwargs) -> tuple:
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
        key = (read_source(self.py_func).digest, tuple(types))
        compiled = self._cache.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._cache.get(key)
                if compiled is None:
                    module = compile_function(self.py_func, list(types))
                    compiled = CompiledKernel(module, tuple(types))
                    self._cache[key] = compiled
        return compiled

    def __call__(self, *args, **kwargs):
        values = self._bind(args, kwargs)
        return self.compile(self._types(values)).run(values)

    def physl(self, *args, types: str | None = None, locations: bool = True, **kwargs) -> str:
        """The PhySL text for these arguments (or for a signature string `types`)."""
        if types is None:
            types = self._types(self._bind(args, kwargs))
        return print_module(self.compile(types).module, locations=locations)

    def __repr__(self) -> str:
        return f"<phylanx.kernel {self.py_func.__qualname__}>"


def kernel(func=None, *, passes: str | None = None, debug: bool = False):
    """Decorate a Python/NumPy function to compile it: `@kernel` or `@kernel(passes=...)`."""
    if func is None:
        return lambda f: Kernel(f, passes=passes, debug=debug)
    return Kernel(func, passes=passes, debug=debug)
