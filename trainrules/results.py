"""Decisions as data: per-record results, the run's summary, and their versioned JSON form."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

import attrs
import pendulum
from pendulum import FixedTimezone

from trainrules.records import ReadProblem
from trainrules.values import decimal_text

if TYPE_CHECKING:  # run.py builds on this module; the annotation only names its class
    from trainrules.run import RunSummary

__all__ = [
    "GROUP_SCHEMA",
    "SCHEMA",
    "STATUS_WORDS",
    "TIMELINESS_WORDS",
    "VERDICT_WORDS",
    "CheckResult",
    "Decision",
    "GroupFinding",
    "ItemResult",
    "LineResult",
    "NotCounted",
    "PartResult",
    "Problem",
    "RequirementResult",
    "ResultValue",
    "Results",
    "Step",
    "Words",
    "each_text",
]

#: The version of :meth:`Decision.to_dict`'s layout (docs/results.md). Bump on any incompatible change.
SCHEMA = "trainrules.decision/3"
#: The version of :meth:`GroupFinding.to_dict`'s layout.
GROUP_SCHEMA = "trainrules.group/1"


def each_text(name: str, value: str) -> str:
    """How a 逐 value is named in words: "2019 年" (value, then the variable); a variable written 第几X
    ("第几年") reads as an ordinal: "第 1 年"."""
    if name.startswith("第几") and len(name) > 2:
        return f"第 {value} {name[2:]}"
    return f"{value} {name}"


#: The language of the words in a JSON form: one of them, or None for both (``reason`` + ``reason_en``).
Words = Literal["zh", "en"] | None

Status = Literal["assessed", "not_enrolled", "exempt", "error"]
Timeliness = Literal["on_time", "late", "missing", "invalid", "cancelled", "not_applicable"]


_ZERO = Decimal(0)


def _dec(v: Decimal | None) -> str | None:
    return None if v is None else decimal_text(v)


@attrs.frozen
class Problem:
    """Why a record could not be evaluated: the field and the problem, in Chinese and English."""

    field: str
    message_zh: str
    message_en: str

    def to_dict(self, lang: Words = None) -> dict[str, object]:
        """JSON form: ``problem`` in ``lang`` (with ``problem_en`` too when ``lang`` is None)."""
        out: dict[str, object] = {"field": self.field, "problem": self.message_en if lang == "en" else self.message_zh}
        if lang is None:
            out["problem_en"] = self.message_en
        return out


@attrs.frozen
class Step:
    """One step of a derivation: the rule, its citation, the inputs it read, its result, its assumptions."""

    kind: str
    subject: str
    rule_ids: tuple[str, ...]
    section: str | None
    inputs: tuple[tuple[str, str], ...]
    result: str
    detail_zh: str
    detail_en: str
    assumptions: tuple[tuple[str, str], ...] = ()

    def to_dict(self, lang: Words = None) -> dict[str, object]:
        """JSON form: ``detail`` in ``lang`` (with ``detail_en`` too when ``lang`` is None)."""
        out: dict[str, object] = {
            "kind": self.kind,
            "subject": self.subject,
            "rule_ids": list(self.rule_ids),
            "section": self.section,
            "inputs": dict(self.inputs),
            "result": self.result,
            "detail": self.detail_en if lang == "en" else self.detail_zh,
            "detail_en": self.detail_en,
            "assumptions": [{"name": n, "text": t} for n, t in self.assumptions],
        }
        if lang is not None:
            del out["detail_en"]
        return out


def fmt_instant(v: pendulum.DateTime | None) -> str:
    """An instant as an auditor reads it, in the policy's wall time; missing as 缺失."""
    if v is None:
        return "缺失"
    # %-formatting the fields is 3x faster than strftime, which consults the zone for every call
    return "%04d-%02d-%02d %02d:%02d:%02d" % (v.year, v.month, v.day, v.hour, v.minute, v.second)  # noqa: UP031


@functools.lru_cache(maxsize=64)
def _offset_text(seconds: int) -> str:
    sign, seconds = ("-", -seconds) if seconds < 0 else ("+", seconds)
    return "%s%02d:%02d" % (sign, seconds // 3600, seconds // 60 % 60)  # noqa: UP031


def iso_instant(v: pendulum.DateTime) -> str:
    """ISO 8601 with the instant's own UTC offset, as ``isoformat`` writes it (which is 5x slower here)."""
    zone = v.tzinfo
    if not isinstance(zone, FixedTimezone) or zone.offset % 60:
        return v.isoformat()
    micro = ".%06d" % v.microsecond if v.microsecond else ""  # noqa: UP031
    return "%04d-%02d-%02dT%02d:%02d:%02d%s%s" % (  # noqa: UP031
        v.year,
        v.month,
        v.day,
        v.hour,
        v.minute,
        v.second,
        micro,
        _offset_text(zone.offset),
    )


#: An item's reason per language and timeliness; the fields are filled in by ``ItemResult._reason``.
_ITEM_REASONS = {
    "zh": {
        "on_time": "按时提交（{t}，截止 {dl}）{note}，{p}{band}",
        "late": "逾期提交（{t}，截止 {dl}），{p}",
        "invalid": "提交不符合要求（{rule}），按未提交计，{p}",
        "cancelled": "“{part}”已取消，计 0 分",
        "not_applicable": "不适用（{rule} 不成立），不计分、不计满分",
        "missing": "未提交，{p}",
        "untimed": "已记录结果（无截止，不需提交时间），{p}{band}",
        "school_on_time": "学校按时报送（{src} {t}，截止 {dl}）{note}，{p}{band}",
        "school_late": "学校逾期报送（{src} {t}，截止 {dl}），{p}",
        "school_missing": "学校未报送（{src} 缺失，截止 {dl}），{p}",
    },
    "en": {
        "on_time": "on time ({t}, due {dl}){note}: {p}{band}",
        "late": "late ({t}, due {dl}): {p}",
        "invalid": "the submission does not meet '{rule}': counted as missing, {p}",
        "cancelled": "'{part}' is cancelled: 0 points",
        "not_applicable": "does not apply ({rule} does not hold): no points, no maximum",
        "missing": "not submitted: {p}",
        "untimed": "result recorded (no deadline, no submission time needed): {p}{band}",
        "school_on_time": "the school reported on time ({src} {t}, due {dl}){note}: {p}{band}",
        "school_late": "the school reported late ({src} {t}, due {dl}): {p}",
        "school_missing": "the school did not report ({src} missing, due {dl}): {p}",
    },
}
_ITEM_WORDS = {
    "zh": {
        "no_deadline": "（无截止）",
        "not_scored": "不计分",
        "points": "得 {} 分",
        "band": "，档次“{}”",
        "early": "（早于开放时间，按时计）",
        "supposed": "（假设按时提交）",
    },
    "en": {
        "no_deadline": "(no deadline)",
        "not_scored": "not scored",
        "points": "{} points",
        "band": ", band '{}'",
        "early": " (before the window opened: on time)",
        "supposed": " (supposing it on time)",
    },
}


#: An assessed teacher's verdict in words (Chinese, English): ``Decision.passed`` True, False, or None when
#: the plan has no pass rule (a score-only plan: the points are the outcome, nobody passes or fails).
VERDICT_WORDS: dict[bool | None, tuple[str, str]] = {
    True: ("合格", "passed"),
    False: ("不合格", "not passed"),
    None: ("已评分（本方案没有合格规则）", "scored (the plan has no pass rule)"),
}

#: Each decision status in words (Chinese, English).
STATUS_WORDS: dict[str, tuple[str, str]] = {
    "assessed": ("已考核", "assessed"),
    "not_enrolled": ("未参训", "not enrolled"),
    "exempt": ("免修", "exempt"),
    "error": ("记录有误", "record error"),
}

#: Each timeliness in words (Chinese, English), for sentences about an item.
TIMELINESS_WORDS: dict[str, tuple[str, str]] = {
    "on_time": ("按时", "on time"),
    "late": ("逾期", "late"),
    "missing": ("未提交", "missing"),
    "invalid": ("无效", "invalid"),
    "cancelled": ("已取消", "cancelled"),
    "not_applicable": ("不适用", "not applicable"),
}


@attrs.frozen
class ItemResult:
    """One item for one teacher: points, timeliness, band and why (the sentences are built only when read)."""

    name: str
    part: str
    points: Decimal
    max_points: Decimal | None
    timeliness: Timeliness
    band: str | None
    submitted_at: pendulum.DateTime | None
    deadline_text: str = attrs.field(default="", eq=False)
    note: str = attrs.field(default="", eq=False)  # "early" (before opening, G8) or "supposed" (a what-if)
    rule_text: str = attrs.field(default="", eq=False)  # the 有效 condition, for invalid work
    #: Where the time came from when the school reports it (学校.成绩报送时间): lateness is then the school's.
    source: str = attrs.field(default="", eq=False)

    @property
    def reason_zh(self) -> str:
        """Why these points, in Chinese."""
        return self._reasons(("zh",))[0]

    @property
    def reason_en(self) -> str:
        """Why these points, in English (the policy's own words stay as written)."""
        return self._reasons(("en",))[0]

    def _reasons(self, langs: tuple[str, ...]) -> list[str]:
        """The reason in each language, the shared pieces formatted once."""
        t = fmt_instant(self.submitted_at)
        shown = None if self.max_points is None else decimal_text(self.points)
        out = []
        key: str = self.timeliness
        if self.note == "untimed":
            key = "untimed"
        elif self.source and key in ("on_time", "late", "missing"):
            key = "school_" + key
        for lang in langs:
            words = _ITEM_WORDS[lang]
            out.append(
                _ITEM_REASONS[lang][key].format(
                    src=self.source,
                    t=t,
                    dl=self.deadline_text or words["no_deadline"],
                    p=words["not_scored"] if shown is None else words["points"].format(shown),
                    note=words.get(self.note, ""),
                    band=words["band"].format(self.band) if self.band else "",
                    rule=self.rule_text,
                    part=self.part,
                )
            )
        return out

    def to_dict(self, lang: Words = None, *, reasons: bool = True) -> dict[str, object]:
        """JSON form; ``reason`` in ``lang`` (and ``reason_en`` when ``lang`` is None) unless ``reasons`` is False."""
        out: dict[str, object] = {
            "part": self.part,
            "points": _dec(self.points),
            "max": _dec(self.max_points),
            "timeliness": self.timeliness,
            "band": self.band,
            "submitted_at": iso_instant(self.submitted_at) if self.submitted_at else None,
        }
        if reasons:
            words = self._reasons(("zh", "en") if lang is None else (lang,))
            out["reason"] = words[0]
            if lang is None:
                out["reason_en"] = words[1]
        return out


@attrs.frozen
class PartResult:
    """One part for one teacher: its points and how they were computed (sentences built when read)."""

    name: str
    points: Decimal
    max_points: Decimal | None  # None: the part has no maximum
    cancelled: bool
    how: str = attrs.field(default="sum", eq=False)  # sum, scaled, formula, cancelled or not_applicable
    terms: tuple[Decimal, ...] = attrs.field(default=(), eq=False)  # the scored items' points
    text: str = attrs.field(default="", eq=False)  # the formula or the cancelling condition as written
    scale_from: Decimal = attrs.field(default=Decimal(0), eq=False)  # the items' maxima, when scaled
    band: str | None = None  # 档次 on the part
    applicable: bool = True  # False: 适用 当 does not hold for this teacher (no points, no maximum)

    @property
    def reason_zh(self) -> str:
        """How the points came about, in Chinese."""
        if self.how == "cancelled":
            return f"取消（{self.text}），计 0 分"
        if self.how == "not_applicable":
            return f"不适用（{self.text} 不成立），不计分、不计满分"
        if self.how == "formula":
            return f"{self.text} = {decimal_text(self.points)}"
        terms = " + ".join(decimal_text(t) for t in self.terms) or "0"
        if self.how == "scaled":
            return f"（{terms}）× {self._scaling}"
        return f"{terms} = {decimal_text(self.points)}"

    @property
    def _scaling(self) -> str:
        top, base, points = (decimal_text(v) for v in (self.max_points or _ZERO, self.scale_from, self.points))
        return f"{top} / {base} = {points}"

    @property
    def reason_en(self) -> str:
        """How the points came about, in English."""
        if self.how == "cancelled":
            return f"cancelled ({self.text}): 0 points"
        if self.how == "not_applicable":
            return f"does not apply ({self.text} does not hold): no points, no maximum"
        if self.how == "scaled":
            terms = " + ".join(decimal_text(t) for t in self.terms) or "0"
            return f"({terms}) × {self._scaling}"
        return self.reason_zh

    def to_dict(self, lang: Words = None, *, reasons: bool = True) -> dict[str, object]:
        """JSON form; ``reason`` in ``lang`` (and ``reason_en`` when ``lang`` is None) unless ``reasons`` is False."""
        out: dict[str, object] = {
            "points": _dec(self.points),
            "max": _dec(self.max_points),
            "cancelled": self.cancelled,
        }
        if reasons:
            out["reason"] = self.reason_en if lang == "en" else self.reason_zh
            if lang is None:
                out["reason_en"] = self.reason_en
        if self.band is not None:  # only a part graded with 档次 has one
            out["band"] = self.band
        if not self.applicable:  # only a part with 适用 当 can be left out
            out["applicable"] = False
        return out


@attrs.frozen
class CheckResult:
    """A per-teacher check (核查) and whether it held."""

    name: str
    passed: bool | None
    applicable: bool = True  # False: the check's 适用 当 does not hold for this teacher (passed is None)
    #: With ``逐``: the variable and the value this result is for (``(("月", "3"),)``); empty otherwise.
    each: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, object]:
        """JSON form (``applicable`` only when the check does not apply, ``each`` only with 逐)."""
        out: dict[str, object] = {"name": self.name, "passed": self.passed}
        if not self.applicable:
            out["applicable"] = False
        if self.each:
            out["each"] = dict(self.each)
        return out


@attrs.frozen
class ResultValue:
    """A named outcome (结果) for one teacher: its value (None when it does not apply), band, applicability."""

    name: str
    value: object
    band: str | None = None
    applicable: bool = True
    unit: str | None = None  # the unit of a number (学时, 天), else None

    def to_dict(self) -> dict[str, object]:
        """JSON form: numbers as exact strings, instants in ISO 8601, yes/no as booleans."""
        v = self.value
        shown: object
        if isinstance(v, Decimal):
            shown = decimal_text(v)
        elif isinstance(v, pendulum.DateTime):
            shown = iso_instant(v)
        elif isinstance(v, pendulum.Date):
            shown = v.isoformat()
        elif isinstance(v, tuple):
            shown = [decimal_text(x) if isinstance(x, Decimal) else str(x) for x in v]
        else:
            shown = v
        return {"value": shown, "band": self.band, "applicable": self.applicable, "unit": self.unit}


@attrs.frozen
class NotCounted:
    """Entries a filter left out of what one requirement line would have credited, by reason.

    ``line`` is the line's label (其中 …), None for the main line.
    """

    source: str
    reason: str
    count: int
    line: str | None = None
    #: With ``逐``: the value of the line it was left out of (``(("年", "2019"),)``); empty otherwise.
    each: tuple[tuple[str, str], ...] = ()

    @property
    def text_zh(self) -> str:
        """未计入 1 条（其中 校本研训）：校本研训未经学校认定（有效记录）; with 逐 "（2019 年）" after 条."""
        which = "".join(f"（{each_text(k, v)}）" for k, v in self.each) + (f"（其中 {self.line}）" if self.line else "")
        return f"未计入 {self.count} 条{which}：{self.reason}（{self.source}）"

    def to_dict(self) -> dict[str, object]:
        """JSON form (``each`` only with 逐)."""
        out: dict[str, object] = {"line": self.line, "filter": self.source, "reason": self.reason, "count": self.count}
        if self.each:
            out["each"] = dict(self.each)
        return out


@attrs.frozen
class LineResult:
    """One line of a requirement: credited against needed; ``owed`` for a minimum, ``over`` for a maximum."""

    label: str | None
    credited: Decimal
    needed: Decimal
    comparison: str  # ">=" (a minimum) or "<=" (a maximum)
    met: bool
    #: With ``逐``: the variable and the value this line is for (``(("年", "2018"),)``); empty otherwise.
    each: tuple[tuple[str, str], ...] = ()
    unit: str | None = None  # the unit credited and needed are in, if any

    @property
    def head_zh(self) -> str:
        """How a reason names the line: "2018 年：", "其中 校本（2018 年）：", or "" for the main line without 逐."""
        value = "".join(each_text(k, v) for k, v in self.each)
        if self.label:
            return f"其中 {self.label}（{value}）：" if value else f"其中 {self.label}："
        return f"{value}：" if value else ""

    @property
    def owed(self) -> Decimal | None:
        """What is still owed on a minimum: exactly max(0, needed − credited); None for a maximum."""
        return max(Decimal(0), self.needed - self.credited) if self.comparison == ">=" else None

    @property
    def over(self) -> Decimal | None:
        """How far a maximum is exceeded: exactly max(0, credited − needed); None for a minimum."""
        return max(Decimal(0), self.credited - self.needed) if self.comparison == "<=" else None

    def to_dict(self) -> dict[str, object]:
        """JSON form."""
        return {
            "label": self.label,
            "credited": _dec(self.credited),
            "needed": _dec(self.needed),
            "owed": _dec(self.owed),
            "over": _dec(self.over),
            "comparison": self.comparison,
            "met": self.met,
            "unit": self.unit,
        } | ({"each": dict(self.each)} if self.each else {})


@attrs.frozen
class RequirementResult:
    """A requirement (要求) for one teacher: met, applicable, each line, and what was not counted."""

    name: str
    met: bool
    applicable: bool
    lines: tuple[LineResult, ...] = ()
    rule_ids: tuple[str, ...] = ()
    not_counted: tuple[NotCounted, ...] = ()
    #: With ``逐``: the variable's name and how many values it ran over (``lines`` has each line per value).
    each: tuple[str, int] | None = None

    def amount(self, what: str) -> Decimal | None:
        """``名.已计`` / ``名.需`` / ``名.欠``: the main line's credited, needed or owed amount.

        With ``逐``, the sums over the values of the main line's amounts (0 over no values).
        """
        if self.each is not None:
            mains = [line for line in self.lines if line.label is None]
            if not self.applicable:
                return None
            if what == "已计":
                return sum((m.credited for m in mains), Decimal(0))
            if what == "需":
                return sum((m.needed for m in mains), Decimal(0))
            return sum((m.owed if m.owed is not None else m.over or Decimal(0) for m in mains), Decimal(0))
        if not self.lines:
            return None
        main = self.lines[0]
        if what == "已计":
            return main.credited
        if what == "需":
            return main.needed
        return main.owed if main.owed is not None else main.over

    @property
    def vacuous(self) -> bool:
        """Met only because its ``逐`` had no values for this record: nothing was checked."""
        return self.applicable and self.each is not None and not self.lines

    def totals(self, label: str | None = None) -> tuple[Decimal, Decimal, Decimal | None] | None:
        """Credited, needed and owed (or over, for an upper limit) of the line ``label`` (None: the main line),
        as the flat CSV/xlsx columns show them: with ``逐`` the sums over the values, as ``名.已计/需/欠`` are
        (0 over no values); None when the requirement does not apply or has no such line."""
        lines = [line for line in self.lines if line.label == label]
        if not self.applicable or (self.each is None and not lines):
            return None
        if self.each is None:
            line = lines[0]
            return line.credited, line.needed, line.owed if line.owed is not None else line.over
        zero = Decimal(0)
        return (
            sum((x.credited for x in lines), zero),
            sum((x.needed for x in lines), zero),
            sum((x.owed if x.owed is not None else x.over or zero for x in lines), zero),
        )

    @property
    def reason_zh(self) -> str:
        """The requirement in one line: 已计 96，需 120，欠 24 …"""
        if not self.applicable:
            return "不适用"
        if self.each is not None and not self.lines:
            return f"逐 {self.each[0]}：没有要核对的值（达到）"
        out = []
        for line in self.lines:
            head = line.head_zh
            gap = (
                f"欠 {decimal_text(line.owed)}" if line.owed is not None else f"超出 {decimal_text(line.over or _ZERO)}"
            )
            out.append(f"{head}已计 {decimal_text(line.credited)}，需 {decimal_text(line.needed)}，{gap}")
        left_out = "".join(f"；{n.text_zh}" for n in self.not_counted)
        return "；".join(out) + ("（达到）" if self.met else "（未达到）") + left_out

    @property
    def reason_en(self) -> str:
        """The requirement in one line, in English: credited 96, needed 120, owed 24 …"""
        if not self.applicable:
            return "does not apply"
        out = []
        for line in self.lines:
            head = f"of which {line.label}: " if line.label else ""
            gap = (
                f"owed {decimal_text(line.owed)}"
                if line.owed is not None
                else f"over by {decimal_text(line.over or _ZERO)}"
            )
            out.append(f"{head}credited {decimal_text(line.credited)}, needed {decimal_text(line.needed)}, {gap}")
        left_out = "".join(
            f"; {n.count} not counted{f' (of which {n.line})' if n.line else ''}: {n.reason} ({n.source})"
            for n in self.not_counted
        )
        return "; ".join(out) + (" (met)" if self.met else " (not met)") + left_out

    def to_dict(self, lang: Words = None, *, reasons: bool = True) -> dict[str, object]:
        """JSON form; ``reason`` in ``lang`` (Chinese when ``lang`` is None) unless ``reasons`` is False."""
        out: dict[str, object] = {
            "met": self.met,
            "applicable": self.applicable,
            "lines": [line.to_dict() for line in self.lines],
            "not_counted": [n.to_dict() for n in self.not_counted],
            "rule_ids": list(self.rule_ids),
        }
        if self.each is not None:
            out["each"] = {"name": self.each[0], "values": self.each[1]}
        if self.vacuous:
            out["vacuous"] = True
        if reasons:
            out["reason"] = self.reason_en if lang == "en" else self.reason_zh
        return out


@attrs.frozen
class Decision:
    """The outcome for one input record."""

    index: int
    id: str | None
    name: str | None
    school: str | None
    subject: str | None
    status: Status
    items: tuple[ItemResult, ...] = ()
    parts: tuple[PartResult, ...] = ()
    total: Decimal | None = None
    max_total: Decimal | None = None
    #: True or False under the plan's pass rule; None when the plan has none (a score-only plan).
    passed: bool | None = False
    #: False when the pass rule's scope (合格 … 适用 当 …) does not hold for this teacher: ``passed`` is then
    #: False ("合格规则不适用") but the teacher is no failure, and pass rates leave them out.
    pass_applicable: bool = attrs.field(default=True, eq=False)
    hours: Decimal = Decimal(0)
    unit: str | None = None
    certificates: tuple[str, ...] = ()
    checks: tuple[CheckResult, ...] = ()
    results: tuple[ResultValue, ...] = ()
    requirements: tuple[RequirementResult, ...] = ()
    problems: tuple[Problem, ...] = ()
    reason_zh: str = ""
    reason_en: str = ""
    location: str = ""
    steps: tuple[Step, ...] | None = attrs.field(default=None, eq=False)

    def item(self, name: str) -> ItemResult:
        """The result of one item by name."""
        return next(i for i in self.items if i.name == name)

    def to_dict(self, *, explanation: bool = False, lang: Words = None) -> dict[str, object]:
        """The documented, versioned JSON form (docs/results.md); Decimals are strings, exact.

        Args:
            explanation: add the derivation (``explanation``) and every item's, part's and requirement's ``reason``.
            lang: ``zh`` or ``en``: the compact form, its words in that language only, and the ``reason`` of
                items, parts and requirements only with ``explanation``. None (the default): every word in
                both languages (``reason`` + ``reason_en`` …) and every reason.
        """
        reasons = explanation or lang is None
        out: dict[str, object] = {
            "schema": SCHEMA,
            "index": self.index,
            "location": self.location,
            "id": self.id,
            "name": self.name,
            "school": self.school,
            "subject": self.subject,
            "status": self.status,
            "reason": self.reason_en if lang == "en" else self.reason_zh,
            "reason_en": self.reason_en,
            "total": _dec(self.total),
            "max_total": _dec(self.max_total),
            "passed": self.passed,
            "hours": _dec(self.hours),
            "unit": self.unit,
            "items": {i.name: i.to_dict(lang, reasons=reasons) for i in self.items},
            "parts": {p.name: p.to_dict(lang, reasons=reasons) for p in self.parts},
            "certificates": list(self.certificates),
            "checks": [c.to_dict() for c in self.checks],
            "results": {r.name: r.to_dict() for r in self.results},
            "requirements": {r.name: r.to_dict(lang, reasons=reasons) for r in self.requirements},
            "problems": [p.to_dict(lang) for p in self.problems],
        }
        if lang is not None:
            del out["reason_en"]
        if not self.pass_applicable:  # only then: the pass rule has a scope and it does not hold for this teacher
            out["pass_applicable"] = False
        if explanation and self.steps is not None:
            out["explanation"] = [s.to_dict(lang) for s in self.steps]
        return out


@attrs.frozen
class GroupFinding:
    """A group check (核查 … 按 …) for one group: the group, whether it held, and the aggregates it used."""

    check: str
    group: tuple[tuple[str, str], ...]
    passed: bool | None
    values: tuple[tuple[str, str], ...]
    rule_ids: tuple[str, ...]
    section: str | None
    #: Why the check could not be decided for this group (``passed`` is then None), e.g. an
    #: aggregate that divides by 0 for one record: which record, which expression, what failed.
    error_zh: str = ""
    error_en: str = ""
    #: With ``逐``: the variable and the value this finding is for (``(("月", "3"),)``); empty otherwise.
    each: tuple[tuple[str, str], ...] = ()
    #: ``values`` in words, in the same order: (Chinese label, English label, value), e.g.
    #: ("提交了“微课评选”的人数", "teachers who submitted '微课评选'", "2") and ("上限 向下取整(5% × 7)", …, "0").
    described: tuple[tuple[str, str, str], ...] = attrs.field(default=(), eq=False)
    #: Who makes up each 计数: (Chinese label, English label, the teachers' ids, at most
    #: ``limits.MAX_GROUP_MEMBERS_SHOWN`` of them; the count itself is in ``values``).
    members: tuple[tuple[str, str, tuple[str, ...]], ...] = attrs.field(default=(), eq=False)

    def to_dict(self, lang: Words = None) -> dict[str, object]:
        """JSON form (``trainrules.group/1``): ``error`` in ``lang`` (with ``error_en`` too when ``lang`` is None)."""
        out: dict[str, object] = {
            "schema": GROUP_SCHEMA,
            "check": self.check,
            "group": dict(self.group),
            "passed": self.passed,
            "values": dict(self.values),
            "rule_ids": list(self.rule_ids),
            "section": self.section,
            "error": (self.error_en if lang == "en" else self.error_zh) or None,
            "error_en": self.error_en or None,
        }
        if lang is not None:
            del out["error_en"]
        if self.each:
            out["each"] = dict(self.each)
        en = lang == "en"
        out["described"] = [
            {"label": label_en if en else label_zh, "value": value} | ({"label_en": label_en} if lang is None else {})
            for label_zh, label_en, value in self.described
        ]
        # sorted, so the output does not depend on the records' order (up to MAX_GROUP_MEMBERS_SHOWN ids are kept)
        out["members"] = {label_en if en else label_zh: sorted(ids) for label_zh, label_en, ids in self.members}
        return out


@attrs.define
class Results:
    """All decisions of a run plus its group findings and its summary; iterable over the decisions."""

    decisions: list[Decision]
    groups: list[GroupFinding] = attrs.field(factory=list)
    #: School records that could not be used (unreadable, or without a school name), as ReadProblems.
    school_problems: list[ReadProblem] = attrs.field(factory=list)
    #: Entries in long format whose teacher no record has (one per entry), as ReadProblems.
    entry_problems: list[ReadProblem] = attrs.field(factory=list)
    #: The run's summary (policy and its SHA-256, counts, pass rates, findings, errors), as the outputs carry it.
    run: RunSummary | None = None

    def to_dict(self, lang: Words = None, *, explanation: bool = False) -> dict[str, object]:
        """The results envelope (``results.schema.json``): ``decisions``, ``groups``, then ``run``."""
        return {
            "decisions": [d.to_dict(explanation=explanation, lang=lang) for d in self.decisions],
            "groups": [g.to_dict(lang) for g in self.groups],
            "run": None if self.run is None else self.run.to_dict(),
        }

    def __iter__(self) -> Iterator[Decision]:
        return iter(self.decisions)

    def __len__(self) -> int:
        return len(self.decisions)

    def by_id(self, teacher_id: str) -> Decision:
        """The decision for one teacher id."""
        return next(d for d in self.decisions if d.id == teacher_id)

    def counts(self) -> dict[str, int]:
        """How many decisions have each status."""
        out = {"assessed": 0, "not_enrolled": 0, "exempt": 0, "error": 0}
        for d in self.decisions:
            out[d.status] += 1
        return out
