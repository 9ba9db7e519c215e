"""What a Python name can stand for while lowering."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Static:
    """A compile-time object that is not a PhySL value: a module, a function, a dtype, ..."""

    obj: object

    def __eq__(self, other):
        return isinstance(other, Static) and self.obj is other.obj

    def __hash__(self):
        return id(self.obj)


class _EmptyList:
    """`[]` whose element type is not known yet; becomes a list value on first use."""

    def __repr__(self) -> str:
        return "[]"


EMPTY_LIST = _EmptyList()


class _Unknown:
    """A loop-carried variable whose type the loop body has not revealed yet."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = _Unknown()


class _Dead:
    """A variable that is never read again and has different types on paths that met."""

    def __repr__(self) -> str:
        return "<dead>"


DEAD = _Dead()


class NeedsType(Exception):
    """Raised while probing a loop body when a statement reads an UNKNOWN variable."""


def hint_for(name: str) -> str:
    return name.removeprefix("__phx_")
