"""Three-valued (Kleene) logic over a compiled condition, for conditions a missing value must not decide.

A piece of a condition that reads a missing value (outside 有值/缺失/取值) is *unknown*; ``非`` of unknown is
unknown; ``甲 或 乙`` is true as soon as one side is true and ``甲 且 乙`` false as soon as one side is false,
whatever the other side is. With nothing unknown the value is exactly the condition's two-valued value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

__all__ = ["Missing", "Piece", "kleene"]


class Piece(Protocol):
    """A compiled condition's shape (trainrules.compile.Compiled): its operator and its parts."""

    @property
    def op(self) -> str: ...
    @property
    def parts(self) -> tuple[Piece, ...]: ...


P = TypeVar("P", bound=Piece)

#: What made a piece unknown, as (label, where it is read): a field's name and record key, for the message.
Missing = tuple[str, str]

#: A piece that is neither 且, 或 nor 非: its value, or None with what is missing when a missing value reaches it.
Leaf = Callable[[P], tuple[bool | None, Missing]]

_KNOWN: Missing = ("", "")


def kleene(c: P, leaf: Leaf[P]) -> tuple[bool | None, Missing]:
    """``c`` in three-valued logic: True, False, or None (unknown) with the first missing value that decided it."""
    if c.op in ("and", "or"):
        decisive = c.op == "or"  # a true part decides 或, a false part decides 且
        unknown: Missing | None = None
        for part in c.parts:
            value, missing = kleene(part, leaf)  # type: ignore[arg-type]  # a part has its whole's type (Compiled)
            if value is decisive:
                return decisive, _KNOWN
            if value is None and unknown is None:
                unknown = missing
        return (None, unknown) if unknown is not None else (not decisive, _KNOWN)
    if c.op == "not":
        value, missing = kleene(c.parts[0], leaf)  # type: ignore[arg-type]  # a part has its whole's type
        return (None if value is None else not value), missing
    return leaf(c)
