"""Division that may not come out even (W502): arithmetic is exact except there, so say so."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from trainrules.check.walk import children, sites
from trainrules.diagnostics import Collector
from trainrules.functions import ROUNDING
from trainrules.ir import CheckedPolicy
from trainrules.syntax import ast

__all__ = ["check_division", "terminates"]


def terminates(ratio: Fraction) -> bool:
    """Whether multiplying any finite decimal by ``ratio`` gives a finite decimal (its denominator is 2s and 5s)."""
    n = ratio.denominator
    for p in (2, 5):
        while n % p == 0:
            n //= p
    return n == 1


def _even_divisor(x: ast.Expr) -> bool:
    """A literal divisor that every decimal divides by evenly (0 is a record error of its own)."""
    if not isinstance(x, ast.Number) or not isinstance(x.value, Decimal):
        return False
    return x.value == 0 or terminates(1 / Fraction(x.value))


def check_division(policy: CheckedPolicy, out: Collector) -> None:
    """Warn where a quotient may not terminate outside a rounding function, and where a scaled part may not."""
    for s in sites(policy):
        stack: list[tuple[ast.Expr, bool]] = [(s.expr, False)]
        while stack:
            e, rounded = stack.pop()
            if isinstance(e, ast.Chain) and not rounded:
                for op, x in e.rest:
                    if op == "/" and not _even_divisor(x):
                        out.add("W502", x.span, divisor=x.span.text if x.span else "…")
            inner = rounded or (isinstance(e, ast.Call) and e.func in ROUNDING)
            stack.extend((c, inner) for c in children(e))
    for part in policy.parts:
        if not part.scaled:
            continue
        base = sum((it.max_points for it in part.items if it.max_points is not None), Decimal(0))
        if base and not terminates(Fraction(part.max_points) / Fraction(base)):
            out.add("W502", part.span, divisor=f"{base}（{part.name}各项目满分之和）")
