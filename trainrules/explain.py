"""Decision to explanation: the outcome, the shortfall, the smallest single changes that pass, and the derivation."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import attrs

from trainrules.evaluate import Evaluator, Recorder
from trainrules.records import RawRecord
from trainrules.results import TIMELINESS_WORDS, Decision
from trainrules.values import decimal_text

__all__ = ["Change", "Explanation", "explain", "render_explanation"]

Lang = Literal["zh", "en"]
_STATUS = {
    "assessed": ("已考核", "assessed"),
    "not_enrolled": ("未参训", "not enrolled"),
    "exempt": ("免修", "exempt"),
    "error": ("记录有误", "record error"),
}
_STEP = {
    "参训": "enrolment",
    "免修": "exemption",
    "项目": "item",
    "部分": "part",
    "取消": "cancellation",
    "总分": "total",
    "合格": "pass",
    "证书": "certificate",
    "核查": "check",
}


def _num(v: Decimal | None) -> str:
    return "—" if v is None else decimal_text(v)


@attrs.frozen
class Change:
    """One single change that would make the teacher pass: an item on time with at least ``score`` points."""

    item: str
    score: Decimal
    current_points: Decimal
    current_timeliness: str
    new_total: Decimal | None
    needs_valid: str | None
    step: Decimal  # the grid searched: the band table's smallest unit, else _CENTS


@attrs.frozen
class Explanation:
    """A decision with its derivation, its shortfall and the changes that would have passed."""

    decision: Decision
    needed: Decimal | None = None
    actual: Decimal | None = None
    shortfall: Decimal | None = None
    comparison: str | None = None
    changes: tuple[Change, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """JSON form: the decision (with its explanation steps) plus shortfall and changes."""
        return {
            "decision": self.decision.to_dict(explanation=True),
            "shortfall": None
            if self.shortfall is None
            else {
                "actual": _num(self.actual),
                "needed": _num(self.needed),
                "short_by": decimal_text(self.shortfall),
                "comparison": self.comparison,
            },
            "changes": [
                {
                    "item": c.item,
                    "at_least": decimal_text(c.score),
                    "current_points": decimal_text(c.current_points),
                    "current": c.current_timeliness,
                    "new_total": None if c.new_total is None else decimal_text(c.new_total),
                    "also_required": c.needs_valid,
                    "in_steps_of": decimal_text(c.step),
                }
                for c in self.changes
            ],
        }


_CENTS = Decimal("0.01")


def _grid(ev: Evaluator, item: str) -> Decimal:
    it = ev.plan.items[item]
    return it.band_step if it.band_step is not None else _CENTS


def _smallest_passing(ev: Evaluator, raw: RawRecord, item: str) -> tuple[Decimal, Decision] | None:
    top = ev.plan.items[item].max_points
    if top is None or top <= 0:
        return None
    best = ev.decide(raw, overrides={item: top})
    if not best.passed:
        return None
    step = _grid(ev, item)
    lo, hi = 0, int(top / step)  # invariant: hi passes; find the least k with k * step passing
    while lo < hi:
        mid = (lo + hi) // 2
        d = ev.decide(raw, overrides={item: mid * step})
        if d.passed:
            hi, best = mid, d
        else:
            lo = mid + 1
    return hi * step, ev.decide(raw, overrides={item: hi * step}) if hi * step != top else best


def explain(ev: Evaluator, raw: RawRecord) -> Explanation:
    """Evaluate ``raw`` with a recorder and, for a failed teacher, find the shortfall and passing changes.

    Args:
        ev: an evaluator of the policy (with its school records).
        raw: the teacher's record.

    Returns:
        The explanation; the changes are computed by re-evaluating the record under the policy,
        one item at a time, never from per-plan templates.
    """
    decision = ev.decide(raw, Recorder(), overrides={})
    if decision.status != "assessed" or decision.passed:
        return Explanation(decision=decision)
    needed = actual = short = None
    comparison = None
    sides = ev.plan.pass_sides
    gap = ev.pass_sides(raw)
    if sides is not None and gap is not None:
        actual, needed = gap
        short = needed - actual
        comparison = ev.plan.outcome.cond.text if ev.plan.outcome is not None else None
    changes = []
    for item in decision.items:
        if item.max_points is None or item.timeliness == "cancelled":
            continue
        found = _smallest_passing(ev, raw, item.name)
        if found is None:
            continue
        score, new = found
        plan_item = ev.plan.items[item.name]
        # The counterfactual supposes the item on time *and valid*: say so unless it already is (late, missing too).
        needs = plan_item.valid.text if plan_item.valid is not None and item.timeliness != "on_time" else None
        changes.append(
            Change(
                item=item.name,
                score=score,
                current_points=item.points,
                current_timeliness=item.timeliness,
                new_total=new.total,
                needs_valid=needs,
                step=_grid(ev, item.name),
            )
        )
    changes.sort(key=lambda c: (c.score - c.current_points, c.item))
    return Explanation(
        decision=decision, needed=needed, actual=actual, shortfall=short, comparison=comparison, changes=tuple(changes)
    )


def render_explanation(ex: Explanation, lang: Lang = "zh") -> str:
    """A readable account: the outcome first, then the shortfall and changes, then the derivation."""
    d = ex.decision
    zh = lang == "zh"
    who = " ".join(x for x in (d.id, d.name) if x) or f"#{d.index}"
    where = ("，" if zh else ", ").join(x for x in (d.school, d.subject) if x)
    lines = [
        f"{'教师' if zh else 'Teacher'} {who}" + (f"（{where}）" if where and zh else f" ({where})" if where else "")
    ]
    status = _STATUS[d.status][0 if zh else 1]
    if d.status == "assessed":
        verdict = ("合格" if d.passed else "不合格") if zh else ("passed" if d.passed else "not passed")
        lines.append(
            f"{'结论' if zh else 'Outcome'}: {verdict}; {'总分' if zh else 'total'} "
            f"{_num(d.total)} / {_num(d.max_total)}"
            + (f"; {'认定' if zh else 'granted'} {_num(d.hours)} {d.unit or ''}" if d.passed else "")
        )
        if d.certificates:
            lines.append(f"{'证书' if zh else 'Certificates'}: {'、'.join(d.certificates)}")
    else:
        lines.append(f"{'结论' if zh else 'Outcome'}: {status} —— {d.reason_zh if zh else d.reason_en}")
    if ex.shortfall is not None:
        if zh:
            lines.append(
                f"缺口：{ex.comparison} 不成立：{_num(ex.actual)} < {_num(ex.needed)}，差 {_num(ex.shortfall)} 分"
            )
        else:
            lines.append(
                f"Shortfall: {ex.comparison} fails: {_num(ex.actual)} < {_num(ex.needed)}, {_num(ex.shortfall)} short"
            )
    if d.status == "assessed" and not d.passed:
        if ex.changes:
            lines.append("最小的单项改变（任一项即可合格）：" if zh else "Smallest single changes (any one passes):")
            for c in ex.changes:
                unit = ""  # the band table's unit, when the search went by it rather than by 0.01
                if c.step != _CENTS:
                    unit = f"（以 {_num(c.step)} 分为单位）" if zh else f" (in steps of {_num(c.step)})"
                now = TIMELINESS_WORDS.get(c.current_timeliness, (c.current_timeliness,) * 2)[0 if zh else 1]
                extra = (
                    (f"，且满足“{c.needs_valid}”" if zh else f", and meeting '{c.needs_valid}'")
                    if c.needs_valid
                    else ""
                )
                if zh:
                    lines.append(
                        f"  - “{c.item}”按时提交且得分不低于 {_num(c.score)}{unit}{extra}"
                        f"（现为 {_num(c.current_points)} 分，{now}）"
                        f"，总分将为 {_num(c.new_total)}"
                    )
                else:
                    lines.append(
                        f"  - '{c.item}' on time with at least {_num(c.score)}{unit}{extra}"
                        f" (now {_num(c.current_points)}, {now}),"
                        f" total would be {_num(c.new_total)}"
                    )
        else:
            lines.append("没有任何单项改变能使其合格。" if zh else "No single change would make this teacher pass.")
    if d.problems:
        lines.append("记录问题：" if zh else "Record problems:")
        lines += [f"  - {p.field}: {p.message_zh if zh else p.message_en}" for p in d.problems]
    if d.items:
        lines.append("各项目：" if zh else "Items:")
        for i in d.items:
            score = f"{_num(i.points)}/{_num(i.max_points)}  " if i.max_points is not None else ""
            lines.append(f"  {i.name}: {score}{i.reason_zh if zh else i.reason_en}")
    if d.steps:
        lines.append("推导过程：" if zh else "Derivation:")
        for n, s in enumerate(d.steps, 1):
            kind = s.kind if zh else _STEP.get(s.kind, s.kind)
            lines.append(f"  {n}. [{kind}] {s.subject} → {_value_word(s.result, zh)}")
            lines.append(f"     {s.detail_zh if zh else s.detail_en}")
            if s.rule_ids:
                sec = f"《{s.section}》" if s.section and zh else f' "{s.section}"' if s.section else ""
                lines.append(f"     {'依据' if zh else 'per'} {', '.join(s.rule_ids)}{sec}")
            if s.inputs:
                lines.append(
                    f"     {'读取' if zh else 'read'}: "
                    + ("；" if zh else "; ").join(f"{k} = {_value_word(v, zh)}" for k, v in s.inputs)
                )
            for name, text in s.assumptions:
                lines.append(f"     {'假设' if zh else 'assumes'} {name}: {text}")
    return "\n".join(lines)


#: The engine's own words for values (fmt_value), in English.
_VALUE_EN = {"是": "yes", "否": "no", "缺失": "missing", "（空）": "(empty)"}


def _value_word(value: str, zh: bool) -> str:
    return value if zh else _VALUE_EN.get(value, value)
