"""The only diagnostic formatter: diagnostics to compiler-style text or to JSON-ready data.

Imports run one way: :mod:`trainrules.diagnostics` (the values, and ``PolicyError``, whose
text is rendered here) imports this module, and this module knows a diagnostic only by the
fields it shows (:class:`Shown`), so it imports nothing of the diagnostics.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

from trainrules.limits import MAX_DIAGNOSTICS_SHOWN
from trainrules.source import Span, display_width

__all__ = ["Lang", "Shown", "diagnostic_to_dict", "render_one", "render_text", "summary_line"]

Lang = Literal["zh", "en"]


class _Level(Protocol):
    @property
    def value(self) -> str: ...


class Shown(Protocol):
    """What rendering reads of a diagnostic (:class:`trainrules.diagnostics.Diagnostic` has all of it)."""

    @property
    def code(self) -> str: ...
    @property
    def severity(self) -> _Level: ...
    @property
    def span(self) -> Span | None: ...
    @property
    def message(self) -> str: ...
    @property
    def hint(self) -> str: ...
    @property
    def message_en(self) -> str: ...
    @property
    def hint_en(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def title(self) -> str: ...


_LEVEL = {
    ("zh", "error"): "错误",
    ("zh", "warning"): "警告",
    ("en", "error"): "error",
    ("en", "warning"): "warning",
}


def _expand_tabs(text: str) -> str:
    return text.replace("\t", "    ")


_WINDOW = 100


def _window(text: str, start: int, stop: int) -> tuple[str, int]:
    """A slice of a long line around ``[start, stop)``, at most ``_WINDOW`` characters, and where it begins."""
    if len(text) <= _WINDOW:
        return text, 0
    begin = max(0, min(start - 20, len(text) - _WINDOW))
    return text[begin : begin + _WINDOW], begin


def render_one(d: Shown, lang: Lang = "zh") -> str:
    """Render one diagnostic: ``file:line:col: level CODE: message``, the line, a caret, the hint."""
    message, hint = (d.message, d.hint) if lang == "zh" else (d.message_en, d.hint_en)
    level = _LEVEL[(lang, d.severity.value)]
    if d.span is None:
        head = f"{d.path}: {level} {d.code}: {message}"
        lines = [head]
    else:
        src = d.span.source
        line, col = src.line_col(d.span.start)
        lines = [f"{d.path}:{line}:{col}: {level} {d.code}: {message}"]
        text = src.line_text(line)
        gutter = str(line)
        pad = " " * len(gutter)
        end_line, end_col = src.line_col(max(d.span.start, d.span.end))
        stop = end_col - 1 if end_line == line else len(text)
        shown, start = _window(text, col - 1, stop)
        before = _expand_tabs(shown[: col - 1 - start])
        covered = shown[col - 1 - start : stop - start]
        width = min(max(1, display_width(_expand_tabs(covered))), _WINDOW)
        lines.append(f" {gutter} | {_expand_tabs(shown)}")
        lines.append(f" {pad} | {' ' * display_width(before)}{'^' * width}")
    if hint:
        lines.append(f"  {'提示' if lang == 'zh' else 'hint'}: {hint}")
    return "\n".join(lines)


def summary_line(diagnostics: Sequence[Shown], lang: Lang = "zh") -> str:
    """One line counting errors and warnings."""
    errors = sum(d.severity.value == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    if lang == "zh":
        return f"{errors} 个错误，{warnings} 个警告"
    return f"{errors} error(s), {warnings} warning(s)"


def render_text(diagnostics: Sequence[Shown], lang: Lang = "zh", limit: int = MAX_DIAGNOSTICS_SHOWN) -> str:
    """Render diagnostics for a terminal, at most ``limit`` of them, then "… and N more".

    Past the limit the errors are shown before any warning (each kept in source order), so a
    thousand warnings never hide the one error that stops the policy.
    """
    if len(diagnostics) > limit:
        first = set(sorted(range(len(diagnostics)), key=lambda i: (diagnostics[i].code.startswith("W"), i))[:limit])
        diagnostics = [d for i, d in enumerate(diagnostics) if i in first] + [
            d for i, d in enumerate(diagnostics) if i not in first
        ]
    shown = [render_one(d, lang) for d in diagnostics[:limit]]
    rest = len(diagnostics) - limit
    if rest > 0:
        shown.append(f"…… 另有 {rest} 条未显示" if lang == "zh" else f"… and {rest} more")
    return "\n\n".join(shown)


def diagnostic_to_dict(d: Shown) -> dict[str, object]:
    """The JSON form of a diagnostic for editors (stable keys; lines and columns 1-based)."""
    out: dict[str, object] = {
        "code": d.code,
        "severity": d.severity.value,
        "title": d.title,
        "message": d.message,
        "hint": d.hint,
        "message_en": d.message_en,
        "hint_en": d.hint_en,
        "file": d.path,
    }
    if d.span is not None:
        line, col = d.span.source.line_col(d.span.start)
        end_line, end_col = d.span.source.line_col(d.span.end)
        out["span"] = {"start": {"line": line, "column": col}, "end": {"line": end_line, "column": end_col}}
    else:
        out["span"] = None
    return out
