"""Decision to explanation: the outcome, the shortfall, the smallest single changes that pass, and the derivation."""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal
from typing import Literal

import attrs
import pendulum

from trainrules.compile import Compiled, FieldSpec, Plan
from trainrules.evaluate import Evaluator, Recorder, fmt_value
from trainrules.records import RawRecord, ReadProblem
from trainrules.results import STATUS_WORDS, TIMELINESS_WORDS, VERDICT_WORDS, Decision, Step, each_text
from trainrules.values import decimal_text

__all__ = ["Change", "Explanation", "InputChange", "Searched", "change_lines", "explain", "render_explanation"]

Lang = Literal["zh", "en"]
_STATUS = STATUS_WORDS
_STEP = {
    "参训": "enrolment",
    "免修": "exemption",
    "项目": "item",
    "部分": "part",
    "取消": "cancellation",
    "总分": "total",
    "合格": "pass",
    "授予": "grant",
    "定义": "definition",
    "证书": "certificate",
    "核查": "check",
    "日历": "calendar",
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
    #: When the item's time is the school's (提交时间 取自 学校.…): that expression; the change is the school's to make.
    school: str | None = None
    scored: bool = True  # False for a 不计分 item: only being on time matters
    timed: bool = True  # False for an item without a deadline: only its points matter


@attrs.frozen
class InputChange:
    """One single change of a record field (a teacher's or the school's) that would make the teacher pass."""

    input: str  # as the policy names it: 视频总时长, 学校.计划报送时间
    key: str  # the record key
    school: bool  # a school fact: only the school can change it
    current: str  # displayed values
    value: str
    new_total: Decimal | None


@attrs.frozen
class Searched:
    """One input the pass rule depends on, and how it was searched (or why it was not)."""

    input: str
    searched: bool
    how_zh: str
    how_en: str


@attrs.frozen
class Explanation:
    """A decision with its derivation, its shortfall and the changes that would have passed."""

    decision: Decision
    needed: Decimal | None = None
    actual: Decimal | None = None
    shortfall: Decimal | None = None
    comparison: str | None = None
    changes: tuple[Change, ...] = ()
    input_changes: tuple[InputChange, ...] = ()
    searched: tuple[Searched, ...] = ()
    #: The plan's clauses declared 不编码: (text, rule ids), listed at the end of the explanation.
    unencoded: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def render(self, lang: Lang = "zh") -> str:
        """The readable account, as ``trainrules explain`` prints it (:func:`render_explanation`)."""
        return render_explanation(self, lang)

    def to_dict(self, lang: Lang | None = None) -> dict[str, object]:
        """JSON form: the decision (with its explanation steps) plus shortfall, changes and what was searched.

        ``lang``: the decision's words in one language (``Decision.to_dict``); None: both.
        """
        return {
            "decision": self.decision.to_dict(explanation=True, lang=lang),
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
                    "reported_by_school": c.school,
                }
                for c in self.changes
            ],
            "input_changes": [
                {
                    "input": c.input,
                    "key": c.key,
                    "school": c.school,
                    "current": c.current,
                    "value": c.value,
                    "new_total": None if c.new_total is None else decimal_text(c.new_total),
                }
                for c in self.input_changes
            ],
            "searched": [
                {"input": s.input, "searched": s.searched, "how": s.how_zh, "how_en": s.how_en} for s in self.searched
            ],
        } | (  # only for a plan that declares clauses 不编码
            {"unencoded": [{"text": t, "rule_ids": list(ids)} for t, ids in self.unencoded]} if self.unencoded else {}
        )


_CENTS = Decimal("0.01")
_SECOND = pendulum.duration(seconds=1)


def _grid(ev: Evaluator, item: str) -> Decimal:
    it = ev.plan.items[item]
    return it.band_step if it.band_step is not None else _CENTS


def _smallest_passing(ev: Evaluator, raw: RawRecord, item: str) -> tuple[Decimal, Decision] | None:
    top = ev.plan.items[item].max_points
    if top is None:  # a 不计分 item: only its being on time can matter
        d = ev.decide(raw, overrides={item: Decimal(0)})
        return (Decimal(0), d) if d.passed else None
    if top <= 0:
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


# ---------- what the pass rule depends on ----------


@attrs.frozen
class _Deps:
    items: tuple[str, ...]  # items whose timeliness and points the pass rule reads
    inputs: tuple[tuple[str, str, bool], ...]  # (label, record key, is a school fact) read outside their item


def _dependencies(plan: Plan, cond: Compiled) -> _Deps:
    """Every item and record field the condition depends on, through parts, the total and definitions."""
    items: dict[str, None] = {}
    inputs: dict[tuple[str, bool], str] = {}
    seen: set[str] = set()
    parts = {p.name: p for p in plan.parts}

    def visit(c: Compiled | None, own: str = "") -> None:
        if c is None:
            return
        for label, key in c.reads:
            read(label, key, own)

    def read(label: str, key: str, own: str) -> None:
        if key:
            if own and key.startswith(f"items.{own}."):
                return  # the item's own inputs: covered by supposing the item on time (and valid) with a score
            kind, dot, _ = label.partition(".")
            school = kind == "学校" and key.startswith("facts.")
            if dot and key.startswith("facts.") and not school:
                return  # another group's fact (县.名额): neither the teacher's nor the school's to change
            inputs.setdefault((key, school), label)
        elif label == "总分":
            for p in plan.parts:
                part(p.name)
        elif label.endswith(".按时"):
            item(label[:-3])
        elif label in plan.defines:
            if "定义:" + label not in seen:
                seen.add("定义:" + label)
                visit(plan.defines[label])
                for x in plan.exceptions.get(label, ()):
                    visit(x.value)
                    visit(x.cond)
                for r in plan.results:
                    if r.name == label:
                        visit(r.applies)
        elif label in plan.requirements or label.partition(".")[0] in plan.requirements:
            name = label if label in plan.requirements else label.partition(".")[0]
            if "要求:" + name not in seen:
                seen.add("要求:" + name)
                req = plan.requirements[name]
                visit(req.applies)
                visit(req.each.source if req.each is not None else None)
                for line in req.lines:
                    visit(line.credited)
                    visit(line.needed)
        elif label in plan.items:
            item(label)
        elif label in parts:
            part(label)

    def item(name: str) -> None:
        if "项目:" + name in seen:
            return
        seen.add("项目:" + name)
        it = plan.items[name]
        items[name] = None
        for c in (it.valid, it.score, it.late, it.missing, it.applies):
            visit(c, name)
        visit(parts[it.part].cancel)
        visit(parts[it.part].applies)

    def part(name: str) -> None:
        if "部分:" + name in seen:
            return
        seen.add("部分:" + name)
        p = parts[name]
        visit(p.cancel)
        visit(p.score)
        visit(p.applies)
        for it in p.items:
            if it.max_points is not None and p.score is None:  # a formula names the items it reads itself
                item(it.name)

    visit(cond)
    return _Deps(tuple(items), tuple((label, key, school) for (key, school), label in inputs.items()))


# ---------- searching one input ----------


def _spec(plan: Plan, key: str, school: bool) -> FieldSpec | None:
    return next((f for f in (plan.school_fields if school else plan.teacher_fields) if f.key == key), None)


def _try(ev: Evaluator, raw: RawRecord, key: str, school: bool, value: object) -> Decision:
    return ev.decide(raw, values=None if school else {key: value}, school_values={key: value} if school else None)


def _number_grid(spec: FieldSpec, current: object) -> Decimal:
    if spec.type == "整数":
        return Decimal(1)
    places = [_CENTS] + [
        Decimal(1).scaleb(v.as_tuple().exponent)  # type: ignore[arg-type]  # a finite Decimal's exponent is an int
        for v in (spec.low, spec.high, current)
        if isinstance(v, Decimal) and v.is_finite()
    ]
    return min(places)


def _search_number(
    ev: Evaluator, raw: RawRecord, spec: FieldSpec, school: bool, current: object
) -> tuple[object, Decision] | None:
    """The passing value on the grid nearest the current one: every value of a small whole-number range,
    else bisection towards each end of the range that passes (exact when more, or less, never hurts)."""
    assert spec.low is not None  # only ranged numbers are searched
    assert spec.high is not None
    low, high = spec.low, spec.high
    step = _number_grid(spec, current)
    n = int((high - low) / step)

    def at(k: int) -> Decimal:
        return low + k * step

    def test(k: int) -> Decision | None:
        d = _try(ev, raw, spec.key, school, at(k))
        return d if d.passed else None

    here = None if not isinstance(current, Decimal) else (current - low) / step
    found: list[tuple[Decimal, int, Decision]] = []
    if n <= 200:
        for k in range(n + 1):
            if here is not None and k == here:
                continue
            d = test(k)
            if d is not None:
                found.append((abs(at(k) - current) if isinstance(current, Decimal) else at(k) - low, k, d))
    else:
        start = 0 if here is None else math.floor(here) + 1
        if start <= n and (top := test(n)) is not None:  # upwards: the least passing k in [start, n]
            lo, hi, best = start, n, top
            while lo < hi:
                mid = (lo + hi) // 2
                if (d := test(mid)) is not None:
                    hi, best = mid, d
                else:
                    lo = mid + 1
            found.append((abs(at(hi) - current) if isinstance(current, Decimal) else at(hi) - low, hi, best))
        end = None if here is None else math.ceil(here) - 1
        if end is not None and end >= 0 and (bottom := test(0)) is not None:  # downwards: the greatest in [0, end]
            lo, hi, best = 0, end, bottom
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if (d := test(mid)) is not None:
                    lo, best = mid, d
                else:
                    hi = mid - 1
            found.append((abs(at(lo) - current) if isinstance(current, Decimal) else at(lo) - low, lo, best))
    if not found:
        return None
    _, k, d = min(found, key=lambda f: (f[0], f[1]))
    return at(k), d


def _search_instant(
    ev: Evaluator, raw: RawRecord, key: str, school: bool, current: object
) -> tuple[object, Decision] | None:
    """The passing instant nearest the current one among the plan's own instants and one second either side
    (exact when the input is compared only with the plan's instants: between them nothing changes)."""
    candidates = sorted({t + d for t in ev.plan.instants for d in (-_SECOND, pendulum.duration(), _SECOND)})
    passing = []
    for t in candidates:
        if t == current:
            continue
        d = _try(ev, raw, key, school, t)
        if d.passed:
            passing.append((t, d))
    if not passing:
        return None
    if isinstance(current, pendulum.DateTime):
        return min(passing, key=lambda p: abs((p[0] - current).total_seconds()))
    return passing[-1]  # missing now: the latest instant that still passes


def _search_inputs(
    ev: Evaluator, raw: RawRecord, deps: _Deps, rec: dict[str, object], school_values: dict[str, object]
) -> Iterator[tuple[Searched, InputChange | None]]:
    for label, key, school in deps.inputs:
        spec = _spec(ev.plan, key, school)
        current = (school_values if school else rec).get(key)
        found: tuple[object, Decision] | None = None
        if spec is None:
            kind = "项目的记录" if key.startswith("items.") else "内置字段"
            kind_en = "an item's record" if key.startswith("items.") else "a built-in field"
            yield Searched(label, False, f"{kind}，没有声明的取值范围", f"{kind_en} without a declared range"), None
            continue
        if spec.type in ("数", "整数") and spec.low is not None and spec.high is not None:
            grid = decimal_text(_number_grid(spec, current))
            found = _search_number(ev, raw, spec, school, current)
            bounds = f"{decimal_text(spec.low)} 至 {decimal_text(spec.high)}"
            zh = f"在 {bounds} 内以 {grid} 为单位搜索"
            en = f"searched {decimal_text(spec.low)} to {decimal_text(spec.high)} in steps of {grid}"
        elif spec.type == "是否" or (spec.type == "标签" and spec.vocab):
            words = spec.vocab if spec.type == "标签" else (True, False)
            for v in (w for w in words if w != current):  # a label: every other word, in the vocabulary's order
                d = _try(ev, raw, key, school, v)
                if d.passed:
                    found = (v, d)
                    break
            zh, en = (
                ("试过另一取值", "tried the other value")
                if spec.type == "是否"
                else ("试过词表中的每个词", "tried every word of its vocabulary")
            )
        elif spec.type == "时刻":
            found = _search_instant(ev, raw, key, school, current)
            zh, en = (
                "在方案写明的各时刻及其前后 1 秒处搜索",
                "searched the plan's own instants and one second either side",
            )
        else:
            why = "未声明取值范围" if spec.type in ("数", "整数") else f"{spec.type}类型"
            why_en = "no declared range" if spec.type in ("数", "整数") else f"a {spec.type} field"
            yield Searched(label, False, why, why_en), None
            continue
        searched = Searched(label, True, zh, en)
        if found is None:
            yield searched, None
            continue
        value, d = found
        yield searched, InputChange(label, key, school, fmt_value(current), fmt_value(value), d.total)


def explain(ev: Evaluator, raw: RawRecord | ReadProblem) -> Explanation:
    """Evaluate ``raw`` with a recorder and, for a failed teacher, find the shortfall and passing changes.

    Args:
        ev: an evaluator of the policy (with its school records).
        raw: the teacher's record.

    Returns:
        The explanation (see ``_explain``), with the plan's clauses declared 不编码.
    """
    ex = _explain(ev, raw)
    unencoded = tuple((text, citing.rule_ids) for text, citing in ev.plan.unencoded)
    return attrs.evolve(ex, unencoded=unencoded) if unencoded else ex


def _explain(ev: Evaluator, raw: RawRecord | ReadProblem) -> Explanation:
    """The explanation without the plan-wide notes.

    Args:
        ev: an evaluator of the policy (with its school records).
        raw: the teacher's record.

    Returns:
        The explanation; the changes are computed by re-evaluating the record under the policy, one
        item or one input the pass rule depends on at a time, never from per-plan templates.
    """
    decision = ev.decide(raw, Recorder(), overrides={})
    outcome = ev.plan.outcome
    if decision.status != "assessed" or decision.passed is not False or outcome is None:
        return Explanation(decision=decision)
    assert isinstance(raw, RawRecord)  # assessed
    needed = actual = short = None
    comparison = None
    gap = ev.pass_sides(raw)
    if ev.plan.pass_sides is not None and gap is not None:
        actual, needed = gap
        short = needed - actual
        comparison = outcome.cond.text
    deps = _dependencies(ev.plan, outcome.cond)
    searched: list[Searched] = []
    changes = []
    for item in decision.items:
        if item.name not in deps.items:
            continue
        plan_item = ev.plan.items[item.name]
        school = ev.school_sources.get(item.name)
        who = "学校按时报送" if school else "按时提交" if plan_item.deadline is not None else "无截止"
        who_en = (
            "reported on time by the school"
            if school
            else "on time"
            if plan_item.deadline is not None
            else "no deadline"
        )
        if item.timeliness == "not_applicable":
            searched.append(
                Searched(item.name, True, "不适用于该教师：任何分数都不计", "does not apply: no score counts")
            )
            continue
        if item.timeliness == "cancelled":
            searched.append(
                Searched(item.name, True, "所在部分已取消：任何分数都不计", "its part is cancelled: no score counts")
            )
            continue
        if plan_item.max_points is None:
            searched.append(Searched(item.name, True, f"试过{who}", f"tried {who_en}"))
        else:
            grid = decimal_text(_grid(ev, item.name))
            searched.append(
                Searched(
                    item.name,
                    True,
                    f"{who}，得分在 0 至 {decimal_text(plan_item.max_points)} 内以 {grid} 为单位二分查找",
                    f"{who_en}, points bisected from 0 to {decimal_text(plan_item.max_points)} in steps of {grid}",
                )
            )
        found = _smallest_passing(ev, raw, item.name)
        if found is None:
            continue
        score, new = found
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
                school=school,
                scored=plan_item.max_points is not None,
                timed=plan_item.deadline is not None,
            )
        )
    changes.sort(key=lambda c: (c.score - c.current_points, c.item))
    rec, _ = ev.validator.teacher(raw.fields, track_ids=False)
    school_values = ev.schools.get(str(rec.get("school")), {})
    input_changes = []
    for s, change in _search_inputs(ev, raw, deps, rec, school_values):
        searched.append(s)
        if change is not None:
            input_changes.append(change)
    for spec in ev.plan.lists:  # entries are not searched: never claim that no change to them helps
        searched.append(
            Searched(
                spec.name,
                False,
                "列表的条目：未搜索增加、删除或修改条目",
                "a list's entries: adding, removing or changing entries was not searched",
            )
        )
    return Explanation(
        decision=decision,
        needed=needed,
        actual=actual,
        shortfall=short,
        comparison=comparison,
        changes=tuple(changes),
        input_changes=tuple(input_changes),
        searched=tuple(searched),
    )


# ---------- the text for people ----------


def _change_lines(ex: Explanation, zh: bool) -> list[str]:
    lines = []
    for c in ex.changes:
        unit = ""  # the band table's unit, when the search went by it rather than by 0.01
        if c.step != _CENTS:
            unit = f"（以 {_num(c.step)} 分为单位）" if zh else f" (in steps of {_num(c.step)})"
        now = TIMELINESS_WORDS.get(c.current_timeliness, (c.current_timeliness,) * 2)[0 if zh else 1]
        extra = (f"，且满足“{c.needs_valid}”" if zh else f", and meeting '{c.needs_valid}'") if c.needs_valid else ""
        also = "且" if c.timed or c.school else ""
        score_zh = f"{also}得分不低于 {_num(c.score)}{unit}" if c.scored else ""
        score_en = f" with at least {_num(c.score)}{unit}" if c.scored else ""
        total_zh, total_en = f"，总分将为 {_num(c.new_total)}", f", total would be {_num(c.new_total)}"
        if zh and c.school:
            lines.append(
                f"  - 若学校按时报送“{c.item}”（{c.school}）{score_zh}{extra}"
                f"（现为 {_num(c.current_points)} 分，{now}）{total_zh}"
            )
        elif zh:
            done = "按时提交" if c.timed else ""
            lines.append(f"  - “{c.item}”{done}{score_zh}{extra}（现为 {_num(c.current_points)} 分，{now}）{total_zh}")
        elif c.school:
            lines.append(
                f"  - if the school had reported '{c.item}' on time ({c.school}){score_en}{extra}"
                f" (now {_num(c.current_points)}, {now}){total_en}"
            )
        else:
            done = " on time" if c.timed else ""
            lines.append(f"  - '{c.item}'{done}{score_en}{extra} (now {_num(c.current_points)}, {now}){total_en}")
    for i in ex.input_changes:
        value, current = (_value_word(v, zh) for v in (i.value, i.current))
        if zh:
            who = "若学校的" if i.school else "若"
            total = f"，总分将为 {_num(i.new_total)}" if i.new_total is not None else ""  # no total without parts
            lines.append(f"  - {who}“{i.input.removeprefix('学校.')}”为 {value}（现为 {current}）{total}")
        else:
            who = "if the school's" if i.school else "if"
            total = f", total would be {_num(i.new_total)}" if i.new_total is not None else ""
            lines.append(f"  - {who} '{i.input.removeprefix('学校.')}' were {value} (now {current}){total}")
    return lines


def change_lines(ex: Explanation, lang: Lang = "zh") -> list[str]:
    """The smallest single changes that pass, one sentence each, as ``explain`` words them (the workbook's
    明细); when there are none, why not (what was searched and what was not)."""
    zh = lang == "zh"
    lines = [line.removeprefix("  - ") for line in _change_lines(ex, zh)]
    return lines or _search_lines(ex, zh)


def _search_lines(ex: Explanation, zh: bool) -> list[str]:
    done = [s for s in ex.searched if s.searched]
    skipped = [s for s in ex.searched if not s.searched]
    sep = "；" if zh else "; "
    lines = []
    if not ex.changes and not ex.input_changes:
        if skipped:
            lines.append(
                "在已搜索的输入中，没有任何单项改变能使其合格；“未搜索”所列的输入无法断言。"
                if zh
                else "No single change of the inputs searched would make this teacher pass;"
                " nothing is claimed about the inputs listed as not searched."
            )
        else:
            lines.append("没有任何单项改变能使其合格。" if zh else "No single change would make this teacher pass.")
    for head, group in (("已搜索：" if zh else "Searched: ", done), ("未搜索：" if zh else "Not searched: ", skipped)):
        merged: dict[str, list[str]] = {}  # one "how" for several inputs: 队伍建设、师德师风、信息技术（…）
        for s in group:
            merged.setdefault(s.how_zh if zh else s.how_en, []).append(s.input)
        if merged:
            lines.append(
                head
                + sep.join(
                    f"{'、'.join(names)}（{how}）" if zh else f"{', '.join(names)} ({how})"
                    for how, names in merged.items()
                )
            )
    return lines


def _identity(s: Step) -> bool:
    """A step that only passes one value on ("25 = 25"): a part that is its single item, a total of one part."""
    return s.kind in ("部分", "总分") and len(s.inputs) == 1 and s.detail_zh == f"{s.result} = {s.result}"


def _matters(d: Decision) -> set[str]:
    """The items without points worth showing: those another rule reads (a certificate, a check, the pass rule)."""
    unscored = {i.name for i in d.items if i.max_points is None}
    read = set()
    for s in d.steps or ():
        for label, _ in s.inputs:
            name = label.split(".")[0]
            if name in unscored and not (s.kind == "项目" and s.subject == name):
                read.add(name)
    return read | {i.name for i in d.items if i.max_points is not None}


def _outcome_lines(d: Decision, zh: bool) -> list[str]:
    """The named results and the requirements of a decision, one line each (nothing when the plan has none)."""
    out = []
    for r in d.results:
        if not r.applicable:
            shown = "不适用" if zh else "not applicable"
        else:
            unit = f" {r.unit}" if r.unit and isinstance(r.value, Decimal) else ""
            shown = fmt_value(r.value) + unit
            shown += f"（{r.band}）" if zh and r.band else f" ({r.band})" if r.band else ""
        out.append(f"{'结果' if zh else 'Result'} {r.name}: {shown}")
    for q in d.requirements:
        if not q.applicable:
            out.append(
                f"{'要求' if zh else 'Requirement'} {q.name}: {'不适用（视为达到）' if zh else 'not applicable (met)'}"
            )
            continue
        if q.each is not None and not q.lines:
            out.append(
                f"要求 {q.name}: 逐 {q.each[0]} 没有要核对的值（视为达到）"
                if zh
                else f"Requirement {q.name}: 逐 {q.each[0]} has no values to check (met)"
            )
        for line in q.lines:
            label = f"{q.name}" + (f"·{line.label}" if line.label else "")
            label += "".join(f" {each_text(k, v)}" if zh else f" ({k} = {v})" for k, v in line.each)
            unit = f" {line.unit}" if line.unit else ""
            c, n = _num(line.credited) + unit, _num(line.needed) + unit
            if line.owed is not None:
                gap = f"欠 {_num(line.owed)}{unit}" if zh else f"{_num(line.owed)}{unit} owed"
            else:
                gap = f"超出 {_num(line.over)}{unit}" if zh else f"{_num(line.over)}{unit} over"
            met = ("达到" if line.met else "未达到") if zh else ("met" if line.met else "not met")
            if zh:
                out.append(f"要求 {label}: 已计 {c}，需 {n}，{gap}（{met}）")
            else:
                out.append(f"Requirement {label}: credited {c}, needed {n}, {gap} ({met})")
        for nc in q.not_counted:  # which entries did not count, and why (the filter's step lists them)
            which = (f"（其中 {nc.line}）" if zh else f" (of which {nc.line})") if nc.line else ""
            which = "".join(f"（{each_text(k, v)}）" if zh else f" ({k} = {v})" for k, v in nc.each) + which
            out.append(
                f"  未计入 {nc.count} 条{which}：{nc.reason}（筛选 {nc.source}）"
                if zh
                else f"  {nc.count} entries not counted{which}: {nc.reason} (filter {nc.source})"
            )
    return out


def render_explanation(ex: Explanation, lang: Lang = "zh") -> str:
    """A readable account: the outcome first, then the shortfall and changes, then the derivation.

    Shorter than the JSON form: each assumption is listed once (with the steps that use it), a part
    that is its one item is one line, and items without points appear only where a rule reads them.
    """
    d = ex.decision
    zh = lang == "zh"
    who = " ".join(x for x in (d.id, d.name) if x) or f"#{d.index}"
    where = ("，" if zh else ", ").join(x for x in (d.school, d.subject) if x)
    lines = [
        f"{'教师' if zh else 'Teacher'} {who}" + (f"（{where}）" if where and zh else f" ({where})" if where else "")
    ]
    status = _STATUS[d.status][0 if zh else 1]
    if d.status == "assessed":
        verdict = VERDICT_WORDS[d.passed][0 if zh else 1]
        if d.passed is None and d.total is None:  # nothing scored and no pass rule: the results are the outcome
            verdict = "已评估（本方案没有合格规则）" if zh else "assessed (the plan has no pass rule)"
        total = f"; {'总分' if zh else 'total'} {_num(d.total)} / {_num(d.max_total)}" if d.total is not None else ""
        lines.append(
            f"{'结论' if zh else 'Outcome'}: {verdict}{total}"
            + (f"; {'认定' if zh else 'granted'} {_num(d.hours)} {d.unit}" if d.passed and d.unit else "")
        )
        if d.certificates:
            lines.append(f"{'证书' if zh else 'Certificates'}: {'、'.join(d.certificates)}")
        lines += _outcome_lines(d, zh)
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
    if d.status == "assessed" and d.passed is False:
        if ex.changes or ex.input_changes:
            lines.append("最小的单项改变（任一项即可合格）：" if zh else "Smallest single changes (any one passes):")
            lines += _change_lines(ex, zh)
        lines += _search_lines(ex, zh)
    if d.problems:
        lines.append("记录问题：" if zh else "Record problems:")
        lines += [f"  - {p.field}: {p.message_zh if zh else p.message_en}" for p in d.problems]
    shown = _matters(d)
    if d.items:
        lines.append("各项目：" if zh else "Items:")
        for i in d.items:
            if i.name not in shown:
                continue
            score = f"{_num(i.points)}/{_num(i.max_points)}  " if i.max_points is not None else ""
            lines.append(f"  {i.name}: {score}{i.reason_zh if zh else i.reason_en}")
    steps = [s for s in d.steps or () if not (s.kind == "项目" and s.subject not in shown)]
    used: dict[tuple[str, str], list[int]] = {}
    if steps:
        lines.append("推导过程：" if zh else "Derivation:")
        for n, s in enumerate(steps, 1):
            kind = s.kind if zh else _STEP.get(s.kind, s.kind)
            sec = f"《{s.section}》" if s.section and zh else f' "{s.section}"' if s.section else ""
            cite = f"{'依据' if zh else 'per'} {', '.join(s.rule_ids)}{sec}" if s.rule_ids else ""
            for a in s.assumptions:
                used.setdefault(a, []).append(n)
            if _identity(s):
                lines.append(f"  {n}. [{kind}] {s.subject} = {s.inputs[0][0]} → {_value_word(s.result, zh)}")
                if cite:
                    lines.append(f"     {cite}")
                continue
            lines.append(f"  {n}. [{kind}] {s.subject} → {_value_word(s.result, zh)}")
            lines.append(f"     {s.detail_zh if zh else s.detail_en}")
            if cite:
                lines.append(f"     {cite}")
            if s.inputs:
                lines.append(
                    f"     {'读取' if zh else 'read'}: "
                    + ("；" if zh else "; ").join(f"{k} = {_value_word(v, zh)}" for k, v in s.inputs)
                )
    if used:
        lines.append("所用假设（括号内为用到它的步骤）：" if zh else "Assumptions (and the steps that use them):")
        for (name, text), where_used in used.items():
            lines.append(
                f"  - {name}（{'、'.join(map(str, where_used))}）: {text}"
                if zh
                else f"  - {name} (steps {', '.join(map(str, where_used))}): {text}"
            )
    if ex.unencoded:
        lines.append("本策略未编码的条文：" if zh else "Clauses of the plan not encoded:")
        lines += [
            f"  - {text}（依据 {', '.join(ids)}）" if zh else f"  - {text} ({', '.join(ids)})"
            for text, ids in ex.unencoded
        ]
    return "\n".join(lines)


#: The engine's own words for values (fmt_value), in English.
_VALUE_EN = {"是": "yes", "否": "no", "缺失": "missing", "（空）": "(empty)", "无法计算": "cannot be computed"}


def _value_word(value: str, zh: bool) -> str:
    return value if zh else _VALUE_EN.get(value, value)
