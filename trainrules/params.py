"""Assumption parameters: values a policy leaves open (``假设 名 = 值``), replaced at evaluation (``--set 名=值``).

A new value is written into the policy text in place of the old literal, and the text is read and checked
again, so every check (bounds, reachability, dates) sees the new value. The value must be one literal of
the declared kind (a number, a percentage, a date, a time of day or a text); anything else is refused
before a record is read. A percentage needs its ``%`` (``0.5`` could mean 0.5 % or 50 %). A number with a unit
(``假设 年度上限 = 120 学时``) is read in that unit, or in another unit written after it that converts exactly
(``10 天`` when ``单位 天 = 6 学时``). The assumption's own text gains a note of the change, so every explanation
step that relies on it says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from trainrules.check.names import did_you_mean
from trainrules.errors import BilingualError
from trainrules.ir import CheckedPolicy
from trainrules.syntax import ast

__all__ = ["ParamError", "parse_settings", "shown", "substitute"]

_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")
_WITH_UNIT = re.compile(r"(?P<number>[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>[^\s0-9.%％]\S*)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
_TIME = re.compile(r"[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?")


class ParamError(BilingualError):
    """A parameter that cannot be set: an unknown name, an assumption without a value, or a value of the wrong kind."""


def parse_settings(settings: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``名=值`` pairs (from ``--set``) as a mapping; a pair without ``=`` or named twice is a ParamError."""
    out: dict[str, str] = {}
    for s in settings:
        name, eq, value = s.partition("=")
        name, value = name.strip(), value.strip()
        if not eq or not name:
            raise ParamError(f"--set 应写成 名=值，这里是“{s}”", f"--set takes NAME=VALUE, not '{s}'")
        if name in out:
            raise ParamError(f"假设“{name}”被 --set 设了两次", f"the assumption '{name}' is set twice")
        out[name] = value
    return out


def _literal(checked: CheckedPolicy, decl: ast.Assumption, old: ast.Value, raw: object) -> str:
    """The new value as policy text of the old value's kind; refuse anything else."""
    name = decl.name
    text = (format(raw, "f") if isinstance(raw, Decimal) else str(raw)).strip()
    if isinstance(old, ast.Number):
        percent = text.endswith(("%", "％"))
        body = text[:-1].strip() if percent else text
        if old.percent and not percent and _NUMBER.fullmatch(body):
            raise ParamError(
                f"假设“{name}”是百分数，新值须带 %：写成 {_readings(body)}（原值 {old.span.text}）",
                f"the assumption '{name}' is a percentage; write the % sign: {_readings(body, ' or ')}"
                f" (it was {old.span.text})",
            )
        if _NUMBER.fullmatch(body) and percent == old.percent:
            return f"{body}%" if old.percent else body
        m = _WITH_UNIT.fullmatch(text)
        if m and decl.unit is not None and not old.percent:
            return _converted(checked, decl, m["number"], m["unit"])
    elif isinstance(old, ast.DateLit):
        if _DATE.fullmatch(text):
            return text
    elif isinstance(old, ast.TimeLit):
        if _TIME.fullmatch(text):
            return text
    elif not any(q in text for q in ('"', "“", "”", "\n")):
        return f'"{text}"'
    return _bad(decl, old, text)


def _readings(body: str, sep: str = " 或 ") -> str:
    """What a percentage written without % may have meant: ``0.5`` -> ``50% 或 0.5%``; ``5`` -> ``5%``."""
    if Decimal(body) >= 1:
        return f"{body}%"
    return f"{format((Decimal(body) * 100).normalize(), 'f')}%{sep}{body}%"


def _converted(checked: CheckedPolicy, decl: ast.Assumption, number: str, unit: str) -> str:
    """``10 天`` for an assumption in 学时: the number in the assumption's unit, when the units convert exactly."""
    assert decl.unit is not None  # only numbers with a unit come here
    table = checked.units.table
    have, want = table.get(unit), table.get(decl.unit)
    if unit == decl.unit:
        return number
    if have is None:
        raise ParamError(
            f"假设“{decl.name}”按 {decl.unit} 计，“{unit}”不是声明过的单位（写成 {number} 表示 {number} {decl.unit}）",
            f"the assumption '{decl.name}' is in {decl.unit}; '{unit}' is not a declared unit"
            f" (write {number} for {number} {decl.unit})",
        )
    if want is None or have[0] != want[0]:
        raise ParamError(
            f"假设“{decl.name}”按 {decl.unit} 计，“{number} {unit}”不能换算为 {decl.unit}"
            f"（写成 {number} 表示 {number} {decl.unit}）",
            f"the assumption '{decl.name}' is in {decl.unit}; '{number} {unit}' does not convert to {decl.unit}"
            f" (write {number} for {number} {decl.unit})",
        )
    value = Fraction(Decimal(number)) * Fraction(have[1]) / Fraction(want[1])
    if not _terminates(value.denominator):
        raise ParamError(
            f"假设“{decl.name}”按 {decl.unit} 计，{number} {unit} 换算为 {decl.unit} 不是有限小数："
            f"直接写 {decl.unit} 数",
            f"the assumption '{decl.name}' is in {decl.unit}; {number} {unit} is not a finite decimal in"
            f" {decl.unit}: write the number of {decl.unit}",
        )
    return format((Decimal(value.numerator) / Decimal(value.denominator)).normalize(), "f")


def _terminates(denominator: int) -> bool:
    """Whether 1/denominator is a finite decimal (only 2s and 5s)."""
    for p in (2, 5):
        while denominator % p == 0:
            denominator //= p
    return denominator == 1


_KINDS = {
    ast.Number: ("不小于 0 的数（如 12 或 12.5）", "a number of at least 0 (e.g. 12 or 12.5)"),
    ast.DateLit: ("日期（如 2024-06-30）", "a date (e.g. 2024-06-30)"),
    ast.TimeLit: ("钟点（如 17:00）", "a time of day (e.g. 17:00)"),
    ast.Text: ("不含引号的文字", "text without quotes"),
}


def _bad(decl: ast.Assumption, old: ast.Value, text: str) -> str:
    zh, en = _KINDS.get(type(old), ("同类型的值", "a value of the same kind"))
    if isinstance(old, ast.Number) and old.percent:
        zh, en = "百分数（如 50% 或 0.5%）", "a percentage (e.g. 50% or 0.5%)"
    elif decl.unit is not None:
        zh, en = f"{zh}，按 {decl.unit} 计", f"{en}, in {decl.unit}"
    raise ParamError(
        f"假设“{decl.name}”的值应为{zh}，这里是“{text}”（原值 {shown(decl, old.span.text)}）",
        f"the assumption '{decl.name}' takes {en}, not '{text}' (it was {shown(decl, old.span.text)})",
    )


def shown(decl: ast.Assumption, value: str) -> str:
    """An assumption's value as written, with its unit (``120 学时``)."""
    return f"{value} {decl.unit}" if decl.unit is not None else value


def substitute(checked: CheckedPolicy, params: Mapping[str, object]) -> tuple[str, dict[str, tuple[str, str]]]:
    """The policy text with each parameter's literal replaced, and what changed: name -> (old text, new text)."""
    source = checked.module.span.source
    edits: list[tuple[int, int, str]] = []
    changed: dict[str, tuple[str, str]] = {}
    for name, raw in params.items():
        decl = checked.assumptions.get(name)
        if decl is None:
            zh, en = did_you_mean(name, checked.assumptions)
            raise ParamError(
                f"本策略没有名为“{name}”的假设{('：' + zh) if zh else ''}",
                f"this policy has no assumption '{name}'{(': ' + en) if en else ''}",
            )
        if decl.value is None:
            raise ParamError(
                f'假设“{name}”只是一条说明，没有可设置的值（写成 假设 {name} = 值 "…" 才能用 --set）',
                f"the assumption '{name}' is a ruling without a value (write 假设 {name} = VALUE \"…\" to set it)",
            )
        old = decl.value.span.text
        new = _literal(checked, decl, decl.value, raw)
        changed[name] = (shown(decl, old), shown(decl, new))
        edits.append((decl.value.span.start, decl.value.span.end, new))
        text_span = _text_span(source.text, decl)
        if text_span is not None:
            note = f"（已用 --set 改为 {shown(decl, new).strip(chr(34))}，原值 {shown(decl, old).strip(chr(34))}）"
            edits.append((text_span, text_span, note))
    text = source.text
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text, changed


def _text_span(text: str, decl: ast.Assumption) -> int | None:
    """Where the assumption's quoted text ends (just before its closing quote), to append a note."""
    assert decl.value is not None  # only assumptions with a value are set
    start = decl.value.span.end
    for open_q, close_q in (('"', '"'), ("“", "”")):
        i = text.find(open_q, start, decl.span.end)
        if i != -1:
            j = text.find(close_q, i + 1, decl.span.end)
            if j != -1 and text[i + 1 : j] == decl.text:
                return j
    return None
