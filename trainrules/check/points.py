"""Points: items add up to their part and parts to the total (E404), the pass mark is reachable (E405), and
every points formula stays within 0..满分 (E406, E407; W513 when its bound cannot be known)."""

from __future__ import annotations

from decimal import Decimal

from trainrules.check.intervals import Bounder, End, derivation, fmt
from trainrules.diagnostics import Collector
from trainrules.ir import CheckedPolicy
from trainrules.syntax import ast

__all__ = ["check_points", "max_total"]

_ZERO = Decimal(0)


def max_total(policy: CheckedPolicy) -> Decimal | None:
    """The highest total a teacher can reach: the sum of the parts' maxima (None when a part has none)."""
    tops = [p.max_points for p in policy.parts]
    return None if None in tops else sum((t for t in tops if t is not None), _ZERO)


def _threshold_checks(bounder: Bounder, e: ast.Expr, out: Collector) -> None:
    if isinstance(e, ast.BoolChain) and e.op == "and":
        for x in e.operands:
            _threshold_checks(bounder, x, out)
        return
    if not isinstance(e, ast.Compare) or e.op not in (">=", ">"):
        return
    reach, need = bounder.bound(e.left), bounder.bound(e.right)
    if reach is None or need is None or not (reach.hi.known and need.lo.known):
        return
    if need.lo.value > reach.hi.value or (e.op == ">" and need.lo.value >= reach.hi.value):
        out.add("E405", e.span, threshold=need.lo.value, reachable=reach.hi.value)


def _notes(end: End, en: bool) -> str:
    if not end.notes:
        return ""
    if en:
        return " (" + "; ".join(n[1] for n in end.notes) + ")"
    return "（" + "；".join(n[0] for n in end.notes) + "）"


def _derivation(text: str, end: End, rel: str) -> dict[str, str]:
    """The message fields showing how an end arose; nothing for a bare literal (``逾期 得 30``)."""
    d = derivation(text, end, rel)
    if d == fmt(end.value):
        return {"derivation": "", "derivation_en": ""}
    return {"derivation": "：" + d, "derivation_en": ": " + d}


def _check_formula(
    bounder: Bounder,
    clause: ast.Clause,
    item: ast.Item | None,
    top: Decimal | None,
    subject: tuple[str, str],
    out: Collector,
) -> None:
    """A points formula lies in 0..top: above is E406, below 0 is E407, an end that cannot be known is W513."""
    b = bounder.bound(clause.expr, item)
    if b is None:
        return
    text = clause.expr.span.text if clause.expr.span else ""
    zh, en = subject
    if top is not None and b.hi.known and b.hi.value > top:
        out.add(
            "E406",
            clause.expr.span,
            subject=zh,
            subject_en=en,
            high=fmt(b.hi.value),
            max=fmt(top),
            **_derivation(text, b.hi, "≤"),
            notes=_notes(b.hi, False),
            notes_en=_notes(b.hi, True),
        )
    if b.lo.known and b.lo.value < 0:
        out.add(
            "E407",
            clause.expr.span,
            subject=zh,
            subject_en=en,
            low=fmt(b.lo.value),
            **_derivation(text, b.lo, "≥"),
            notes=_notes(b.lo, False),
            notes_en=_notes(b.lo, True),
        )
    unknown = [(end, side) for end, side in ((b.hi, "上限"), (b.lo, "下限")) if not end.known and top is not None]
    if unknown:
        why = next(end.why for end, _ in unknown if end.why is not None)
        caps = []
        if not b.hi.known:
            caps.append((f"用 最小(…, {fmt(top or _ZERO)}) 封顶", f"cap it with 最小(…, {fmt(top or _ZERO)})"))
        if not b.lo.known:
            caps.append(("用 最大(…, 0) 兜底", "floor it with 最大(…, 0)"))
        out.add(
            "W513",
            clause.expr.span,
            subject=zh,
            subject_en=en,
            side="和".join(s for _, s in unknown),
            side_en=" and ".join({"上限": "upper bound", "下限": "lower bound"}[s] for _, s in unknown),
            why=why.zh,
            why_en=why.en,
            fix=why.fix + "，或" + "、".join(c[0] for c in caps),
            fix_en=why.fix_en + ", or " + " and ".join(c[1] for c in caps),
        )


def check_points(policy: CheckedPolicy, out: Collector) -> None:
    """Check the arithmetic of the plan's point allocation, and bound every points formula."""
    bounder = Bounder(policy)
    for part in policy.parts:
        scored = [it for it in part.items if it.max_points is not None]
        items_sum = sum((it.max_points for it in scored if it.max_points is not None), _ZERO)
        if part.score is not None:
            _check_formula(
                bounder, part.score, None, part.max_points, (f"“{part.name}”的得分", f"the score of '{part.name}'"), out
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
        elif part.max_points is not None and items_sum != part.max_points:
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
    if policy.total is not None and total_fact is not None and parts_sum is not None and parts_sum != policy.total:
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
            _threshold_checks(bounder, d.cond, out)
            if d.grant is not None:
                amount = d.grant.expr if isinstance(d.grant, ast.Quantity) else d.grant  # 36 学时: the number
                grant = ast.Clause(expr=amount, cite=d.cite, span=amount.span)
                _check_formula(bounder, grant, None, None, ("授予的数量", "the amount granted"), out)
    for item in policy.items.values():
        top = item.max_points
        if top is None:
            continue
        for clause, zh, en in (
            (item.score, "的得分", "the score of"),
            (item.late, "逾期的得分", "the late points of"),
            (item.missing, "缺交的得分", "the missing points of"),
        ):
            if clause is not None:
                _check_formula(bounder, clause, item, top, (f"“{item.name}”{zh}", f"{en} '{item.name}'"), out)
