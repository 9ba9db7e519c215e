"""Dicts inside kernels: compile-time records of values.

    cfg = {"alpha": 0.1, "iters": n}     # binds `cfg` to a KernelDict; nothing is emitted
    for it in range(cfg["iters"]): ...   # a constant key reads the value it holds
    for name, v in cfg.items(): ...      # iteration is unrolled, in insertion order

Keys are constants (str, int, bool); values are any kernel values. Reading (`d[k]`,
`d.get(k, default)`, `k in d`, `len(d)`, iteration over `d`, `d.keys()`, `d.values()`,
`d.items()`) is supported; changing a dict (item assignment, `update`, `pop`, ...), a key
that is not a constant, and a dict as an argument or a result are CompileErrors.
"""

from __future__ import annotations

import ast

from phylanx.frontend.scope import Static
from phylanx.ir.core import Value


class KernelDict(dict):
    """The entries of a dict literal of a kernel: constant key -> value or Static."""

    __hash__ = object.__hash__   # identity, as Static compares it

    def __eq__(self, other):
        return self is other


class DictView(tuple):
    """What d.keys(), d.values() and d.items() return: items to unroll over."""


_KEY_TYPES = (str, int, bool)
_READERS = {"keys", "values", "items", "get"}


class RecordsMixin:
    def dict_literal(self, node: ast.Dict) -> Static:
        entries = KernelDict()
        for k, v in zip(node.keys, node.values):
            if k is None:
                raise self.error("'**' in a dict literal is not supported in a kernel", v)
            entries[self.dict_key(k)] = self.expr(v)
        return Static(entries)

    def dict_key(self, node: ast.expr):
        x = self.expr(node)
        key = x.obj if isinstance(x, Static) else self.constant_of(x)
        if not isinstance(key, _KEY_TYPES):
            raise self.error("a dict key in a kernel must be a constant string or integer",
                             node)
        return key

    def dict_item(self, d: KernelDict, node: ast.Subscript):
        key = self.dict_key(node.slice)
        if key not in d:
            raise self.error(f"KeyError: {key!r} (the dict has keys "
                             f"{', '.join(map(repr, d)) or 'none'})", node.slice, KeyError)
        return d[key]

    def dict_method(self, d: KernelDict, name: str, node: ast.Call):
        if name not in _READERS:
            raise self.error(f"dict.{name}() is not supported in a kernel: its dicts are "
                             "read-only records", node)
        if name == "get":
            if node.keywords or not 1 <= len(node.args) <= 2:
                raise self.error("d.get() takes a key and an optional default", node,
                                 TypeError)
            key = self.dict_key(node.args[0])
            if key in d:
                return d[key]
            return self.expr(node.args[1]) if len(node.args) == 2 else self.const(None)
        if node.args or node.keywords:
            raise self.error(f"d.{name}() takes no arguments", node, TypeError)
        if name == "keys":
            return Static(DictView(Static(k) for k in d))
        if name == "values":
            return Static(DictView(d.values()))
        return Static(DictView(Static((Static(k), v)) for k, v in d.items()))

    def dict_contains(self, key_node: ast.expr, d: KernelDict) -> Value:
        return self.const(self.dict_key(key_node) in d)

    def rebind_in_records(self, old: Value, new: Value) -> None:
        """After an in-place update of `old`, dicts holding it hold `new` (copies: other
        paths of the kernel keep theirs)."""
        for name, x in list(self.env.items()):
            if isinstance(x, Static) and isinstance(x.obj, KernelDict) \
                    and any(v is old for v in x.obj.values()):
                copy = KernelDict({k: new if v is old else v for k, v in x.obj.items()})
                for other, y in list(self.env.items()):
                    if y is x or (isinstance(y, Static) and y.obj is x.obj):
                        self.env[other] = Static(copy)
