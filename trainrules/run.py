"""The run: what one evaluation read, decided and found, as one summary every output carries.

A :class:`RunSummary` is filled one decision at a time (so it works on a stream of any size), then
finished with the run's group findings and unusable records. The JSON and JSON Lines outputs,
the workbook (汇总/核查/记录有误/假设) and the HTML report all read this one object, so their counts
agree by construction; ``in = evaluated + errors`` holds for every output.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

import attrs

from trainrules.diagnostics import Diagnostic
from trainrules.records import ReadProblem
from trainrules.results import Decision, GroupFinding, Words
from trainrules.values import decimal_text

if TYPE_CHECKING:
    from trainrules.api import Policy

__all__ = [
    "RUN_SCHEMA",
    "Losses",
    "PolicyInfo",
    "RecordError",
    "RunSummary",
    "Spread",
    "Tally",
    "policy_info",
    "tool_version",
]

#: Version of the run summary's JSON form (docs/results.md); bumped on any incompatible change.
RUN_SCHEMA = "trainrules.run/1"


@attrs.frozen
class PolicyInfo:
    """Which policy produced a run: enough to tie every output file to one exact policy text."""

    name: str
    title: str
    source_document: str | None
    period: str | None
    file: str
    sha256: str
    time_zone: str
    #: Assumption values replaced for this run: name -> (value in the policy, value used).
    overrides: tuple[tuple[str, str, str], ...]
    #: The policy's warnings, one line each ("W501 3:5 …").
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON form."""
        return {
            "name": self.name,
            "title": self.title,
            "source_document": self.source_document,
            "period": self.period,
            "file": self.file,
            "sha256": self.sha256,
            "time_zone": self.time_zone,
            "overrides": [{"name": n, "was": old, "used": new} for n, old, new in self.overrides],
            "warnings": list(self.warnings),
        }


def policy_info(policy: Policy) -> PolicyInfo:
    """Describe ``policy``: its plan facts, its file name and the SHA-256 of the file's bytes as read (of the
    text as UTF-8 for a policy given as text), before any ``--set`` replaced values (``overrides`` lists those)."""
    checked = policy.checked
    source = policy.original or checked.module.span.source
    facts = {name: checked.plan.fact(name) for name in ("来源", "期间")}
    origin = facts["来源"]
    period = facts["期间"]
    return PolicyInfo(
        name=policy.name,
        title=policy.title,
        source_document=str(origin.values[0]) if origin else None,
        period=" 至 ".join(str(v) for v in period.values) if period else None,
        file=source.name,
        sha256=source.sha256 or hashlib.sha256(source.text.encode("utf-8")).hexdigest(),
        time_zone=policy.time_zone,
        overrides=tuple((n, old, new) for n, (old, new) in policy.overrides.items()),
        warnings=tuple(_warning_line(d) for d in policy.warnings),
    )


def tool_version() -> str:
    """This tool's installed version (the package metadata's), or ``unknown`` when run from a bare source tree."""
    try:
        return importlib.metadata.version("trainrules")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _warning_line(d: Diagnostic) -> str:
    """One warning as a line: code, line:column (when known) and the message."""
    where = f" {d.span.line}:{d.span.column}" if d.span is not None else ""
    return f"{d.code}{where} {d.message}"


@attrs.define
class Tally:
    """Assessed teachers and how many of them passed, for one school, subject or requirement."""

    assessed: int = 0
    passed: int = 0

    @property
    def rate(self) -> Decimal | None:
        """The pass rate as a fraction (exact to 4 places, half-up), or None with nobody assessed."""
        if not self.assessed:
            return None
        return (Decimal(self.passed) / Decimal(self.assessed)).quantize(Decimal("0.0001"))

    def to_dict(self) -> dict[str, object]:
        """JSON form (the rate as an exact decimal string)."""
        rate = self.rate
        return {"assessed": self.assessed, "passed": self.passed, "rate": None if rate is None else str(rate)}


@attrs.define
class Losses:
    """How many assessed teachers lost points to each cause (a teacher may count under several)."""

    late: int = 0
    missing: int = 0
    invalid: int = 0
    #: Lateness or missing work that the school reported (the school's fault, not the teacher's).
    school: int = 0

    def add(self, d: Decision) -> None:
        """Count the causes of ``d``'s lost points (items with a maximum that scored below it)."""
        causes = set()
        for item in d.items:
            if item.max_points is None or item.points >= item.max_points:
                continue
            if item.source and item.timeliness in ("late", "missing"):
                causes.add("school")
            elif item.timeliness in ("late", "missing", "invalid"):
                causes.add(item.timeliness)
        self.late += "late" in causes
        self.missing += "missing" in causes
        self.invalid += "invalid" in causes
        self.school += "school" in causes

    def to_dict(self) -> dict[str, int]:
        """JSON form."""
        return attrs.asdict(self)


@attrs.define
class Spread:
    """The distribution of one number over teachers (a result such as 转化学时, or what is owed on a requirement):
    how many, sum, least, most, and how many teachers have each exact value."""

    unit: str | None = None
    values: Counter[Decimal] = attrs.field(factory=Counter)

    def add(self, value: Decimal, unit: str | None = None) -> None:
        """One teacher's value."""
        self.values[value] += 1
        self.unit = self.unit or unit

    @property
    def teachers(self) -> int:
        """How many teachers have a value."""
        return sum(self.values.values())

    @property
    def total(self) -> Decimal:
        """The exact sum."""
        return sum((v * n for v, n in self.values.items()), Decimal(0))

    @property
    def mean(self) -> Decimal | None:
        """The mean, rounded half-up to 2 places (None for nobody)."""
        n = self.teachers
        return (self.total / n).quantize(Decimal("0.01"), ROUND_HALF_UP) if n else None

    def to_dict(self) -> dict[str, object]:
        """JSON form: exact decimal strings (the mean rounded to 2 places)."""
        mean = self.mean
        return {
            "unit": self.unit,
            "teachers": self.teachers,
            "sum": decimal_text(self.total),
            "min": decimal_text(min(self.values)) if self.values else None,
            "max": decimal_text(max(self.values)) if self.values else None,
            "mean": None if mean is None else decimal_text(mean),
        }


@attrs.frozen
class RecordError:
    """One input that could not be evaluated: a teacher record, a school record or an orphan entry."""

    kind: str  # "teacher", "school" or "entry"
    index: int | None
    location: str
    id: str | None
    message_zh: str
    message_en: str
    #: The record fields the problems name (``items.作业一.score`` …), when known.
    fields: tuple[str, ...] = ()

    def to_dict(self, lang: Words = None) -> dict[str, object]:
        """JSON form: ``message`` in ``lang`` (with ``message_en`` too when ``lang`` is None)."""
        out: dict[str, object] = {
            "kind": self.kind,
            "index": self.index,
            "location": self.location,
            "id": self.id,
            "fields": list(self.fields),
            "message": self.message_en if lang == "en" else self.message_zh,
        }
        if lang is None:
            out["message_en"] = self.message_en
        return out


@attrs.define
class RunSummary:
    """The run: policy, tool, time, counts, pass rates, totals, requirements, findings, errors.

    Fill with :meth:`add` (one decision at a time, in any order), then :meth:`finish`.
    """

    policy: PolicyInfo
    tool_version: str
    started_at: str = attrs.field(factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    finished_at: str | None = None
    records_file: str | None = None
    #: The xlsx sheet the records were read from (None for other formats).
    records_sheet: str | None = None
    #: The language of the outputs' words (None: both, as ``Decision.to_dict()`` writes by default).
    lang: Words = None
    #: Whether the decisions carry their derivation (``--explain``).
    explanation: bool = False
    counts: Counter[str] = attrs.field(
        factory=lambda: Counter({"assessed": 0, "not_enrolled": 0, "exempt": 0, "error": 0})
    )
    passed: int = 0
    #: Assessed teachers the pass rule does not apply to (合格 … 适用 当 … does not hold): no failures, and
    #: left out of every pass rate.
    pass_not_applicable: int = 0
    #: Whether the plan has a pass rule (a score-only plan has no pass rate).
    pass_rule: bool = True
    by_school: dict[str, Tally] = attrs.field(factory=dict)
    by_subject: dict[str, Tally] = attrs.field(factory=dict)
    requirements: dict[str, Tally] = attrs.field(factory=dict)
    #: Totals of assessed teachers: exact value -> how many teachers have it.
    totals: Counter[Decimal] = attrs.field(factory=Counter)
    #: Each numeric result (结果) of assessed teachers it applies to, by name.
    results: dict[str, Spread] = attrs.field(factory=dict)
    #: What teachers still owe on each minimum line of a requirement, by "要求" or "要求 / 其中 行" (0 when met).
    owed: dict[str, Spread] = attrs.field(factory=dict)
    losses: Losses = attrs.field(factory=Losses)
    groups: list[GroupFinding] = attrs.field(factory=list)
    errors: list[RecordError] = attrs.field(factory=list)
    #: Columns of a .csv/.xlsx records file that the plan does not read (by header name).
    unused_columns: tuple[str, ...] = ()

    @classmethod
    def start(
        cls,
        policy: Policy,
        *,
        records_file: str | None = None,
        records_sheet: str | None = None,
        lang: Words = None,
        explanation: bool = False,
    ) -> RunSummary:
        """A run of ``policy`` starting now, with this tool's installed version."""
        return cls(
            policy=policy_info(policy),
            tool_version=tool_version(),
            records_file=records_file,
            records_sheet=records_sheet,
            lang=lang,
            explanation=explanation,
            pass_rule=policy.plan.outcome is not None,
        )

    def add(self, d: Decision) -> None:
        """Account for one decision."""
        self.counts[d.status] += 1
        if d.status == "error":
            fields = tuple(dict.fromkeys(p.field for p in d.problems if p.field))
            message_zh = "；".join(p.message_zh for p in d.problems) or d.reason_zh
            message_en = "; ".join(p.message_en for p in d.problems) or d.reason_en
            self.errors.append(RecordError("teacher", d.index, d.location, d.id, message_zh, message_en, fields))
            return
        for q in d.requirements:
            tally = self.requirements.setdefault(q.name, Tally())
            tally.assessed += q.applicable
            tally.passed += q.met and q.applicable
        if d.status != "assessed":
            return
        for q in d.requirements:
            if not q.applicable:
                continue
            owed: dict[str, tuple[Decimal, str | None]] = {}  # per line; with 逐 summed over the values, as 名称.欠
            for line in q.lines:
                if line.owed is not None:
                    key = q.name if line.label is None else f"{q.name} / {line.label}"
                    owed[key] = (owed.get(key, (Decimal(0), None))[0] + line.owed, line.unit)
            for key, (amount, unit) in owed.items():
                self.owed.setdefault(key, Spread()).add(amount, unit)
        for r in d.results:
            if r.applicable and isinstance(r.value, Decimal) and not isinstance(r.value, bool):
                self.results.setdefault(r.name, Spread()).add(r.value, r.unit)
        if d.total is not None:
            self.totals[d.total] += 1
        self.losses.add(d)
        if d.passed is None:
            return
        if not d.pass_applicable:
            self.pass_not_applicable += 1
            return
        self.passed += d.passed
        for key, table in ((d.school or "（无学校）", self.by_school), (d.subject or "（无学科）", self.by_subject)):
            tally = table.setdefault(key, Tally())
            tally.assessed += 1
            tally.passed += d.passed

    def add_problems(self, kind: str, problems: Iterable[ReadProblem]) -> None:
        """Account for school records or entries that could not be used (each is an error of the run)."""
        for p in problems:
            self.errors.append(RecordError(kind, p.index, p.location, None, p.message_zh, p.message_en))

    def finish(self, groups: Iterable[GroupFinding]) -> None:
        """Record the group findings and the time the run ended."""
        self.groups = list(groups)
        self.finished_at = datetime.now(UTC).isoformat(timespec="seconds")

    @property
    def judged(self) -> int:
        """Assessed teachers the pass rule applies to: the pass rate's denominator."""
        return self.counts["assessed"] - self.pass_not_applicable

    @property
    def pass_rate(self) -> Decimal | None:
        """Passed / judged (exact to 4 places), or None without a pass rule or with nobody judged."""
        return Tally(self.judged, self.passed).rate if self.pass_rule else None

    @property
    def records_in(self) -> int:
        """Teacher records read (every one is evaluated or an error)."""
        return sum(self.counts.values())

    @property
    def undecided_groups(self) -> int:
        """Group findings that could not be decided (each counts as an error of the run)."""
        return sum(1 for g in self.groups if g.error_zh)

    @property
    def error_count(self) -> int:
        """Everything that went wrong: bad teacher records, unusable school records and entries, undecided groups."""
        return len(self.errors) + self.undecided_groups

    def to_dict(self) -> dict[str, object]:
        """The documented JSON form (``trainrules.run/1``); exact numbers are decimal strings."""
        rate = self.pass_rate
        return {
            "schema": RUN_SCHEMA,
            "tool": {"name": "trainrules", "version": self.tool_version},
            "policy": self.policy.to_dict(),
            "records_file": self.records_file,
            "records_sheet": self.records_sheet,
            "unused_columns": list(self.unused_columns),
            "lang": self.lang,
            "explanation": self.explanation,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "counts": {
                "in": self.records_in,
                "evaluated": self.records_in - self.counts["error"],
                "errors": self.counts["error"],
                **dict(self.counts),
            },
            "pass_rule": self.pass_rule,
            "passed": self.passed if self.pass_rule else None,
            "pass_not_applicable": self.pass_not_applicable if self.pass_rule else None,
            "pass_rate": None if rate is None else str(rate),
            "by_school": {k: v.to_dict() for k, v in sorted(self.by_school.items())},
            "by_subject": {k: v.to_dict() for k, v in sorted(self.by_subject.items())},
            "requirements": {k: v.to_dict() for k, v in self.requirements.items()},
            "totals": [{"total": decimal_text(t), "teachers": n} for t, n in sorted(self.totals.items())],
            "results": {k: v.to_dict() for k, v in self.results.items()},
            "owed": {k: v.to_dict() for k, v in self.owed.items()},
            "losses": self.losses.to_dict(),
            "groups": {
                "checked": len(self.groups),
                "passed": sum(1 for g in self.groups if g.passed is True),
                "failed": sum(1 for g in self.groups if g.passed is False),
                "undecided": self.undecided_groups,
            },
            "errors": [e.to_dict(self.lang) for e in self.errors],
        }

    def summary_text(self, lang: Words = "zh") -> str:
        """The run in a few lines for the terminal: counts, pass rate per school, requirements, overrides.

        The problems themselves (bad school records, failed group checks) are printed where they are found.
        """
        zh = lang != "en"
        names = {"assessed": "已考核", "not_enrolled": "未参训", "exempt": "免修", "error": "记录有误"}
        parts = [f"{names[k] if zh else k} {self.counts[k]}" for k in names]
        lines = []
        if self.records_sheet is not None:
            lines.append(f"读取的工作表：{self.records_sheet}" if zh else f"sheet read: {self.records_sheet}")
        if self.policy.warnings:
            count = len(self.policy.warnings)
            lines.append(
                f"注意：方案有 {count} 个警告（见上），结果可能受其影响"
                if zh
                else f"note: the policy had {count} warning(s) (above); the results may be affected"
            )
        total = self.records_in
        lines.append((f"共 {total} 条记录：" if zh else f"{total} records: ") + ("，" if zh else ", ").join(parts))
        lines.append(f"  evaluated = {total - self.counts['error']}, errors = {self.counts['error']}, in = {total}")
        if not self.pass_rule:  # a score-only plan: no verdicts, so no pass rate
            lines.append(
                "本方案没有合格规则：只评分，不判合格，无合格率" if zh else "no pass rule: scored only, no pass rate"
            )
        else:
            rate = self.pass_rate
            shown = "—" if rate is None else f"{(rate * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"
            lines.append(
                f"合格 {self.passed}/{self.judged} {shown}" if zh else f"passed {self.passed}/{self.judged} {shown}"
            )
            if self.pass_not_applicable:
                lines[-1] += (
                    f"（另有 {self.pass_not_applicable} 人合格规则不适用，不计入合格率）"
                    if zh
                    else f" ({self.pass_not_applicable} more: the pass rule does not apply to them, not counted)"
                )
        if self.pass_rule and self.by_school:
            lines.append("各校合格率（已考核者）：" if zh else "Pass rate by school (assessed teachers):")
            for school, tally in sorted(self.by_school.items()):
                shown = "—"
                if tally.assessed:
                    percent = Decimal(100 * tally.passed) / Decimal(tally.assessed)
                    shown = f"{percent.quantize(Decimal('0.1'), ROUND_HALF_UP)}%"
                lines.append(f"  {school}: {tally.passed}/{tally.assessed} {shown}")
        for name, tally in self.requirements.items():
            lines.append(
                f"要求 {name}：达到 {tally.passed}/{tally.assessed}"
                if zh
                else f"requirement {name}: met {tally.passed}/{tally.assessed}"
            )
        for name, old, new in self.policy.overrides:
            lines.append(
                f"假设 {name} = {new}（--set，原值 {old}）" if zh else f"assumption {name} = {new} (--set; was {old})"
            )
        return "\n".join(lines)
