"""Rubric bands: overlaps (E401), undeclared gaps (E402) and bands beyond an item's range (E403).

A band's upper bound is inclusive (``12 至 17.9``: adjacent to 18 at the table's precision) or excluded
(``12 至 低于 18``: adjacent to 18 exactly).
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from trainrules.diagnostics import Collector
from trainrules.ir import CheckedPolicy
from trainrules.source import Span
from trainrules.syntax import ast

__all__ = ["check_against", "check_bands", "precision"]

#: (low, high, label, span, high excluded)
Range = tuple[Decimal, Decimal, str, Span, bool]


def precision(table: ast.BandTable) -> Decimal:
    """The score step the table is written in: declared with 精度, else the finest bound (17.9 -> 0.1)."""
    if table.precision is not None:
        return table.precision
    places = 0
    for low, high in [(b.low, b.high) for b in table.bands] + [(g.low, g.high) for g in table.gaps]:
        for v in (low, high):
            exp = v.as_tuple().exponent
            places = max(places, -exp if isinstance(exp, int) else 0)
    return Decimal(1).scaleb(-places)


def _ranges(table: ast.BandTable) -> list[Range]:
    rs = [(b.low, b.high, b.label, b.span, b.high_open) for b in table.bands]
    rs += [(g.low, g.high, g.label or "空档", g.span, g.high_open) for g in table.gaps]
    return sorted(rs, key=lambda r: (r[0], r[1]))


def _shown(r: Range) -> str:
    return f"低于 {r[1]}" if r[4] else str(r[1])


def check_bands(policy: CheckedPolicy, out: Collector) -> None:
    """Check each band table alone, then against each item that uses it."""
    for table in policy.band_tables.values():
        step = precision(table)
        rs = _ranges(table)
        for prev, cur in itertools.pairwise(rs):
            if cur[0] < prev[1] or (cur[0] == prev[1] and not prev[4]):
                high = prev if (prev[1], not prev[4]) <= (cur[1], not cur[4]) else cur
                out.add("E401", cur[3], a=prev[2], b=cur[2], low=cur[0], high=_shown(high))
            elif prev[4] and cur[0] > prev[1]:
                out.add("E402", cur[3], low=prev[1], high=cur[0], gap_low=prev[1], gap_high=f"低于 {cur[0]}")
            elif not prev[4] and cur[0] - prev[1] > step:
                out.add("E402", cur[3], low=prev[1], high=cur[0], gap_low=prev[1] + step, gap_high=cur[0] - step)
    for item in policy.items.values():
        used = policy.band_tables.get(item.bands or "")
        if used is None or item.max_points is None:
            continue
        check_against(used, item.name, item.max_points, item.bands_span or item.span, out)
    for part in policy.parts:  # 档次 on a part: the table covers 0 … the part's 满分
        used = policy.band_tables.get(part.bands or "")
        if used is not None and part.max_points is not None:
            check_against(used, part.name, part.max_points, part.bands_span or part.span, out)


def check_against(
    used: ast.BandTable,
    name: str,
    max_points: Decimal,
    span: Span,
    out: Collector,
    low: Decimal = Decimal(0),
    beyond: bool = True,
) -> None:
    """A band table against the range ``low`` … ``max_points`` of what it grades: gaps in it E402, and
    (``beyond``: for points with a 满分) bands beyond it E403."""
    step = precision(used)
    rs = _ranges(used)
    for r in rs:
        if beyond and (r[0] < 0 or r[1] > max_points):
            out.add("E403", span, band=r[2], low=r[0], high=_shown(r), item=name, max=max_points)
    if rs and rs[0][0] > low:
        out.add("E402", span, low=low, high=rs[0][0], gap_low=low, gap_high=f"低于 {rs[0][0]}")
    top = max(rs, key=lambda r: (r[1], not r[4])) if rs else None
    if top is not None and (top[1] < max_points or top[4]):
        gap_low = top[1] if top[4] else top[1] + step
        out.add("E402", span, low=_shown(top), high=max_points, gap_low=gap_low, gap_high=max_points)
