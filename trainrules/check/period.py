"""Time: deadlines and instants outside the plan period (W501)."""

from __future__ import annotations

from collections.abc import Iterator

import pendulum

from trainrules.check.walk import children, sites
from trainrules.diagnostics import Collector
from trainrules.ir import CheckedPolicy
from trainrules.source import Span
from trainrules.syntax import ast

__all__ = ["check_period"]


def _instants(policy: CheckedPolicy) -> Iterator[tuple[pendulum.DateTime, Span, str, str]]:
    for item in policy.items.values():
        if item.deadline is not None:
            yield (
                item.deadline.instant,
                item.deadline.span,
                f"“{item.name}”的截止时刻",
                f"the deadline of '{item.name}'",
            )
        if item.opens is not None:
            yield item.opens.value, item.opens.span, f"“{item.name}”的开放时刻", f"the opening of '{item.name}'"
    for s in sites(policy):
        stack: list[ast.Expr] = [s.expr]
        while stack:
            e = stack.pop()
            if isinstance(e, ast.InstantLit):
                yield e.value, e.span, f"{s.what}中的时刻", f"an instant in {s.what}"

            stack.extend(children(e))


def check_period(policy: CheckedPolicy, out: Collector) -> None:
    """Warn about instants before the period's first day or after its last day ends."""
    if policy.period is None:
        return
    first, last = policy.period
    start = pendulum.datetime(first.year, first.month, first.day, tz=policy.tz)
    end_day = last.add(days=1)
    end = pendulum.datetime(end_day.year, end_day.month, end_day.day, tz=policy.tz)
    for when, span, what, what_en in _instants(policy):
        if when < start or when > end:
            out.add(
                "W501",
                span,
                what=what,
                what_en=what_en,
                when=when.format("YYYY-MM-DD HH:mm"),
                start=first.isoformat(),
                end=last.isoformat(),
            )
