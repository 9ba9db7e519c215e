"""Compile a Python function for given argument types into a verified PhySL module."""

from __future__ import annotations

from phylanx.frontend.external import ExternalReads
from phylanx.ir.core import Function, Module
from phylanx.ir.types import Type
from phylanx.ir.verifier import VerifyError, verify_module


class Compiler:
    def __init__(self):
        self.module = Module()
        self.lowered: dict[tuple, Function] = {}
        self.in_progress: list = []
        self.reads = ExternalReads()  # what the functions read from outside their arguments
        self.hidden: dict[str, list[int]] = {}  # function name -> its hidden array arguments
        self.returns_either: dict[str, object] = {}  # name -> Python scalar type it may return

    def compile(self, func, arg_types: list[Type], verify: bool = True) -> Module:
        """The module for `func` and `arg_types`. Its entry function takes, after the declared
        arguments, the arrays `self.reads.arrays` fetches (in that order)."""
        entry = self._lower(func, list(arg_types), func.__name__)
        self.reads.order_arrays(self.hidden[entry.name])
        if verify:
            try:
                verify_module(self.module)
            except VerifyError as e:
                raise RuntimeError(f"phylanx internal error: lowering produced invalid IR: {e}"
                                   ) from None
        return self.module

    def lower_callee(self, func, arg_types: list[Type], caller, node,
                     either_args: tuple = ()) -> Function:
        """The function `func` lowered for `arg_types`; `either_args`: for each argument, the
        Python scalar type it has on some paths, or None (see frontend/strength.py)."""
        either_args = tuple(either_args) if any(either_args) else ()
        key = (func, tuple(arg_types), either_args)
        if key in self.lowered:
            return self.lowered[key]
        if func in self.in_progress:
            raise caller.error(f"recursive call of '{func.__name__}' is not supported", node)
        name, k = func.__name__, 0
        while name in self.module.functions:
            k += 1
            name = f"{func.__name__}_{k}"
        return self._lower(func, list(arg_types), name, either_args)

    def _lower(self, func, arg_types, name, either_args: tuple = ()) -> Function:
        from phylanx.frontend.lower import Lowerer

        lowerer = Lowerer(func, arg_types, self.module, self, name, either_args)
        self.module.add(lowerer.function)
        self.in_progress.append(func)
        try:
            f = lowerer.lower()
        finally:
            self.in_progress.pop()
        self.lowered[(func, tuple(arg_types), either_args)] = f
        self.hidden[f.name] = lowerer.hidden_order
        self.returns_either[f.name] = lowerer.return_either
        return f


def compile_function(func, arg_types: list[Type], verify: bool = True) -> Module:
    return Compiler().compile(func, arg_types, verify)
