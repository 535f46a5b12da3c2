"""Rubric bands: overlaps (E401), undeclared gaps (E402) and bands beyond an item's range (E403)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from trainrules.diagnostics import Collector
from trainrules.ir import CheckedPolicy
from trainrules.source import Span
from trainrules.syntax import ast

__all__ = ["check_bands", "precision"]

Range = tuple[Decimal, Decimal, str, Span]


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
    rs = [(b.low, b.high, b.label, b.span) for b in table.bands]
    rs += [(g.low, g.high, g.label or "空档", g.span) for g in table.gaps]
    return sorted(rs, key=lambda r: (r[0], r[1]))


def check_bands(policy: CheckedPolicy, out: Collector) -> None:
    """Check each band table alone, then against each item that uses it."""
    for table in policy.band_tables.values():
        step = precision(table)
        rs = _ranges(table)
        for prev, cur in itertools.pairwise(rs):
            if cur[0] <= prev[1]:
                out.add("E401", cur[3], a=prev[2], b=cur[2], low=cur[0], high=min(prev[1], cur[1]))
            elif cur[0] - prev[1] > step:
                out.add("E402", cur[3], low=prev[1], high=cur[0], gap_low=prev[1] + step, gap_high=cur[0] - step)
    for item in policy.items.values():
        used = policy.band_tables.get(item.bands or "")
        if used is None or item.max_points is None:
            continue
        step = precision(used)
        rs = _ranges(used)
        span = item.bands_span or item.span
        for low, high, label, _ in rs:
            if low < 0 or high > item.max_points:
                out.add("E403", span, band=label, low=low, high=high, item=item.name, max=item.max_points)
        if rs and rs[0][0] > 0:
            out.add("E402", span, low=0, high=rs[0][0], gap_low=0, gap_high=rs[0][0] - step)
        top = max(r[1] for r in rs) if rs else None
        if top is not None and top < item.max_points:
            out.add("E402", span, low=top, high=item.max_points, gap_low=top + step, gap_high=item.max_points)
