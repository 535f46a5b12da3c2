"""Division that may not come out even (W502), and a group aggregate that may divide by 0 (W503)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from trainrules.check.walk import children, entry_sites, sites
from trainrules.diagnostics import Collector
from trainrules.functions import AGGREGATES, ROUNDING
from trainrules.ir import CheckedPolicy, resolve
from trainrules.syntax import ast

__all__ = ["check_division", "divisor_range", "terminates"]

Interval = tuple[Decimal, Decimal]


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


def divisor_range(policy: CheckedPolicy, e: ast.Expr, item: ast.Item | None = None) -> Interval | None:
    """The values a numeric expression can take given the inputs' declared ranges; None when not bounded.

    Definitions are followed; the definitions pass has bounded their depth before this runs.
    """
    if isinstance(e, ast.Number) and isinstance(e.value, Decimal):
        return e.value, e.value
    if isinstance(e, ast.Unary) and e.op == "neg":
        b = divisor_range(policy, e.operand, item)
        return None if b is None else (-b[1], -b[0])
    if isinstance(e, ast.Ref):
        sym = resolve(policy, e.path, item)
        decl = sym.decl if sym is not None else None
        if sym is None:
            return None
        if sym.kind in ("field", "group_field") and isinstance(decl, ast.InputField):
            return (decl.low, decl.high) if decl.low is not None and decl.high is not None else None
        if sym.kind == "max_points" and isinstance(decl, ast.Item) and decl.max_points is not None:
            return decl.max_points, decl.max_points
        if sym.kind in ("item", "part") and isinstance(decl, ast.Item | ast.Part) and decl.max_points is not None:
            return Decimal(0), decl.max_points
        if sym.kind == "define" and isinstance(decl, ast.Define):
            return divisor_range(policy, decl.expr)
        if sym.kind == "assumption" and isinstance(decl, ast.Assumption) and isinstance(decl.value, ast.Number):
            return decl.value.value, decl.value.value
        return None
    if isinstance(e, ast.Chain):
        acc = divisor_range(policy, e.first, item)
        for op, x in e.rest:
            b = divisor_range(policy, x, item)
            if acc is None or b is None or op == "/":
                return None
            if op == "+":
                acc = (acc[0] + b[0], acc[1] + b[1])
            elif op == "-":
                acc = (acc[0] - b[1], acc[1] - b[0])
            else:
                products = [acc[0] * b[0], acc[0] * b[1], acc[1] * b[0], acc[1] * b[1]]
                acc = (min(products), max(products))
        return acc
    return None


def _zero_divisors(policy: CheckedPolicy, out: Collector) -> None:
    """W503: inside a group check's aggregate, a divisor whose declared range includes 0 (or is not declared)."""
    for s in sites(policy):
        if s.group is None:
            continue
        stack: list[tuple[ast.Expr, bool]] = [(s.expr, False)]
        while stack:
            e, inside = stack.pop()
            if inside and isinstance(e, ast.Chain):
                for op, x in e.rest:
                    if op != "/":
                        continue
                    b = divisor_range(policy, x)
                    if b is not None and not b[0] <= 0 <= b[1]:
                        continue
                    if b is None:
                        why, why_en = "它的取值范围没有声明", "its range is not declared"
                    else:
                        why, why_en = f"取值范围 {b[0]} 至 {b[1]} 含 0", f"its range {b[0]} to {b[1]} includes 0"
                    out.add(
                        "W503",
                        x.span,
                        check=s.what[3:-1],
                        divisor=x.span.text if x.span else "…",
                        why=why,
                        why_en=why_en,
                    )
            inner = inside or (isinstance(e, ast.Call) and e.func in AGGREGATES)
            stack.extend((c, inner) for c in children(e))


def check_division(policy: CheckedPolicy, out: Collector) -> None:
    """Warn where a group aggregate may divide by 0, and where a quotient or a scaled part may not terminate."""
    _zero_divisors(policy, out)
    for root in [*(s.expr for s in sites(policy)), *(es.expr for es in entry_sites(policy))]:
        stack: list[tuple[ast.Expr, bool]] = [(root, False)]
        while stack:
            e, rounded = stack.pop()
            if isinstance(e, ast.Chain) and not rounded:
                for op, x in e.rest:
                    if op == "/" and not _even_divisor(x):
                        out.add("W502", x.span, divisor=x.span.text if x.span else "…")
            inner = rounded or (isinstance(e, ast.Call) and e.func in ROUNDING)
            stack.extend((c, inner) for c in children(e))
    for part in policy.parts:
        if not part.scaled or part.max_points is None:
            continue
        base = sum((it.max_points for it in part.items if it.max_points is not None), Decimal(0))
        if base and not terminates(Fraction(part.max_points) / Fraction(base)):
            out.add("W502", part.span, divisor=f"{base}（{part.name}各项目满分之和）")
