"""Source text and spans: decode a policy file and map offsets to lines, columns and display cells."""

from __future__ import annotations

import bisect
import unicodedata

import attrs

__all__ = ["Source", "Span", "display_width"]


def display_width(text: str) -> int:
    """Return how many terminal cells ``text`` takes (East Asian wide and full-width count 2).

    Args:
        text: a line fragment without newlines.

    Returns:
        The number of display cells.
    """
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


@attrs.frozen(eq=False)
class Source:
    """A named policy text; spans point into it by code-point offsets."""

    name: str
    text: str
    #: The SHA-256 of the file's bytes as read (hex), for text read from a file; None for text given as a string.
    sha256: str | None = attrs.field(default=None, kw_only=True)
    _line_starts: tuple[int, ...] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        starts = [0]
        starts.extend(i + 1 for i, ch in enumerate(self.text) if ch == "\n")
        object.__setattr__(self, "_line_starts", tuple(starts))

    def line_col(self, offset: int) -> tuple[int, int]:
        """Return the 1-based line and 1-based code-point column of ``offset``."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def line_text(self, line: int) -> str:
        """Return the text of 1-based ``line`` without its newline."""
        start = self._line_starts[line - 1]
        end = self._line_starts[line] - 1 if line < len(self._line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r")

    def span(self, start: int, end: int | None = None) -> Span:
        """Return the span ``[start, end)`` of this source."""
        return Span(source=self, start=start, end=start if end is None else end)


@attrs.frozen(eq=False)
class Span:
    """A range ``[start, end)`` of code points in one :class:`Source`."""

    source: Source = attrs.field(repr=False)
    start: int
    end: int

    @property
    def line(self) -> int:
        """1-based line of the start."""
        return self.source.line_col(self.start)[0]

    @property
    def column(self) -> int:
        """1-based code-point column of the start."""
        return self.source.line_col(self.start)[1]

    @property
    def text(self) -> str:
        """The source text the span covers."""
        return self.source.text[self.start : self.end]

    def join(self, other: Span) -> Span:
        """Return the smallest span covering both."""
        return Span(source=self.source, start=min(self.start, other.start), end=max(self.end, other.end))

    def __repr__(self) -> str:
        line, col = self.source.line_col(self.start)
        return f"Span({self.source.name}:{line}:{col})"
