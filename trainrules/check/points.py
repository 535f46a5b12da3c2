"""Points: items add up to their part (E404), parts to the total (E404), and the pass mark is reachable (E405)."""

from __future__ import annotations

from decimal import Decimal

from trainrules.diagnostics import Collector
from trainrules.ir import CheckedPolicy
from trainrules.syntax import ast

__all__ = ["bounds", "check_points", "max_total"]

Interval = tuple[Decimal, Decimal]
_ZERO = Decimal(0)


def bounds(policy: CheckedPolicy, e: ast.Expr, item: ast.Item | None = None) -> Interval | None:
    """The smallest and largest value a numeric expression can take, when that is knowable statically."""
    if isinstance(e, ast.Number):
        return e.value, e.value
    if isinstance(e, ast.Ref):
        if len(e.path) == 1 and e.path[0] in policy.items:
            mx = policy.items[e.path[0]].max_points or _ZERO
            return _ZERO, mx
        if len(e.path) == 1 and any(p.name == e.path[0] for p in policy.parts):
            part = next(p for p in policy.parts if p.name == e.path[0])
            return _ZERO, part.max_points
        name = e.path[-1]
        target = item if len(e.path) == 1 else policy.items.get(e.path[0])
        if target is not None and target.max_points is not None and name in ("分数", "满分"):
            return (target.max_points, target.max_points) if name == "满分" else (_ZERO, target.max_points)
        return None
    if isinstance(e, ast.Unary) and e.op == "neg":
        b = bounds(policy, e.operand, item)
        return None if b is None else (-b[1], -b[0])
    if isinstance(e, ast.Chain):
        acc = bounds(policy, e.first, item)
        for op, x in e.rest:
            b = bounds(policy, x, item)
            if acc is None or b is None:
                return None
            if op == "+":
                acc = (acc[0] + b[0], acc[1] + b[1])
            elif op == "-":
                acc = (acc[0] - b[1], acc[1] - b[0])
            elif op == "*":
                prods = [acc[0] * b[0], acc[0] * b[1], acc[1] * b[0], acc[1] * b[1]]
                acc = (min(prods), max(prods))
            else:
                if b[0] <= 0 <= b[1]:
                    return None
                quots = [acc[0] / b[0], acc[0] / b[1], acc[1] / b[0], acc[1] / b[1]]
                acc = (min(quots), max(quots))
        return acc
    if isinstance(e, ast.Call) and e.func in ("最小", "最大") and e.args:
        bs = [bounds(policy, a, item) for a in e.args]
        if any(b is None for b in bs):
            return None
        lows = [b[0] for b in bs if b is not None]
        highs = [b[1] for b in bs if b is not None]
        return (min(lows), min(highs)) if e.func == "最小" else (max(lows), max(highs))
    if isinstance(e, ast.If):
        a, b = bounds(policy, e.then, item), bounds(policy, e.otherwise, item)
        return None if a is None or b is None else (min(a[0], b[0]), max(a[1], b[1]))
    return None


def max_total(policy: CheckedPolicy) -> Decimal:
    """The highest total a teacher can reach: the sum of the parts' maxima."""
    return sum((p.max_points for p in policy.parts), _ZERO)


def _threshold_checks(policy: CheckedPolicy, e: ast.Expr, out: Collector) -> None:
    if isinstance(e, ast.BoolChain) and e.op == "and":
        for x in e.operands:
            _threshold_checks(policy, x, out)
        return
    if not isinstance(e, ast.Compare) or e.op not in (">=", ">"):
        return
    reach = (
        bounds(policy, e.left)
        if not (isinstance(e.left, ast.Ref) and e.left.path == ("总分",))
        else (_ZERO, policy.total if policy.total is not None else max_total(policy))
    )
    need = bounds(policy, e.right)
    if reach is None or need is None:
        return
    if need[0] > reach[1] or (e.op == ">" and need[0] >= reach[1]):
        out.add("E405", e.span, threshold=need[0], reachable=reach[1])


def check_points(policy: CheckedPolicy, out: Collector) -> None:
    """Check the arithmetic of the plan's point allocation."""
    for part in policy.parts:
        scored = [it for it in part.items if it.max_points is not None]
        items_sum = sum((it.max_points for it in scored if it.max_points is not None), _ZERO)
        if part.score is not None:
            b = bounds(policy, part.score.expr)
            if b is not None and b[1] > part.max_points:
                out.add(
                    "E404",
                    part.score.span,
                    what=f"“{part.name}”的得分最高可达 {b[1]}，超过满分 {part.max_points}",
                    what_en=f"the score of '{part.name}' can reach {b[1]}, over its maximum {part.max_points}",
                    hint=f"用 最小(…, {part.max_points}) 封顶，或核对折算式。",
                    hint_en="Cap it with 最小(…) or check the formula.",
                )
        elif part.scaled:
            if items_sum == 0:
                out.add(
                    "E404",
                    part.span,
                    what=f"“{part.name}”按比例折算，但没有计分的项目",
                    what_en=f"'{part.name}' is scaled but has no scored item",
                    hint="给这个部分加上有满分的项目，或去掉“按比例折算”。",
                    hint_en="Give the part an item with a maximum, or drop 按比例折算.",
                )
        elif items_sum != part.max_points:
            out.add(
                "E404",
                part.span,
                what=f"“{part.name}”各项目满分之和为 {items_sum}，而部分满分为 {part.max_points}",
                what_en=f"the items of '{part.name}' add up to {items_sum}, but the part's max is {part.max_points}",
                hint="核对各项目的满分；若原文把原始分折算到部分满分，写“按比例折算”。",
                hint_en="Check the items' maxima; if the plan scales raw points to the part, write 按比例折算.",
            )
    parts_sum = max_total(policy)
    total_fact = policy.plan.fact("总分")
    if policy.total is not None and total_fact is not None and parts_sum != policy.total:
        out.add(
            "E404",
            total_fact.span,
            what=f"各部分满分之和为 {parts_sum}，而总分为 {policy.total}",
            what_en=f"the parts add up to {parts_sum}, but the total is {policy.total}",
            hint="核对各部分的满分和方案的总分。",
            hint_en="Check the parts' maxima and the plan's total.",
        )
    for d in policy.module.decls:
        if isinstance(d, ast.Outcome):
            _threshold_checks(policy, d.cond, out)
    for item in policy.items.values():
        top = item.max_points
        for clause, what in ((item.late, "逾期"), (item.missing, "缺交")):
            b = bounds(policy, clause.expr, item) if clause is not None and top is not None else None
            if clause is None or top is None or b is None:
                continue
            for wrong, zh, en, hint, hint_en in (
                (
                    b[1] > top,
                    f"可得 {b[1]} 分，超过满分 {top}",
                    f"can earn {b[1]} when {what}, over its maximum {top}",
                    "逾期或缺交得分不能高于满分。",
                    "Late or missing work cannot earn more than the maximum.",
                ),
                (
                    b[0] < 0,
                    f"可得 {b[0]} 分，低于 0",
                    f"can earn {b[0]} when {what}, below 0",
                    "得分在 0 至满分之间；扣分请从部分或总分的公式里减，并用 最大(…, 0) 兜底。",
                    "Points lie between 0 and the maximum; subtract in a part formula, floored with 最大(…, 0)",
                ),
            ):
                if wrong:
                    what_zh, what_en = f"“{item.name}”{what}{zh}", f"'{item.name}' {en}"
                    out.add("E404", clause.span, what=what_zh, what_en=what_en, hint=hint, hint_en=hint_en)
