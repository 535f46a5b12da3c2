"""Decisions as data: per-record results, the run's summary, and their versioned JSON form."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Literal

import attrs
import pendulum

__all__ = [
    "SCHEMA",
    "CheckResult",
    "Decision",
    "GroupFinding",
    "ItemResult",
    "PartResult",
    "Problem",
    "Results",
    "Step",
]

#: The version of :meth:`Decision.to_dict`'s layout (docs/results.md). Bump on any incompatible change.
SCHEMA = "trainrules.decision/1"

Status = Literal["assessed", "not_enrolled", "exempt", "error"]
Timeliness = Literal["on_time", "late", "missing", "invalid", "cancelled"]


def _dec(v: Decimal | None) -> str | None:
    return None if v is None else str(v)


@attrs.frozen
class Problem:
    """Why a record could not be evaluated: the field and the problem, in Chinese and English."""

    field: str
    message_zh: str
    message_en: str

    def to_dict(self) -> dict[str, object]:
        """JSON form."""
        return {"field": self.field, "problem": self.message_zh, "problem_en": self.message_en}


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

    def to_dict(self) -> dict[str, object]:
        """JSON form."""
        return {
            "kind": self.kind,
            "subject": self.subject,
            "rule_ids": list(self.rule_ids),
            "section": self.section,
            "inputs": dict(self.inputs),
            "result": self.result,
            "detail": self.detail_zh,
            "detail_en": self.detail_en,
            "assumptions": [{"name": n, "text": t} for n, t in self.assumptions],
        }


@attrs.frozen
class ItemResult:
    """One item for one teacher: points, timeliness, band and why."""

    name: str
    part: str
    points: Decimal
    max_points: Decimal | None
    timeliness: Timeliness
    band: str | None
    submitted_at: pendulum.DateTime | None
    reason_zh: str
    reason_en: str

    def to_dict(self) -> dict[str, object]:
        """JSON form."""
        return {
            "part": self.part,
            "points": _dec(self.points),
            "max": _dec(self.max_points),
            "timeliness": self.timeliness,
            "band": self.band,
            "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None,
            "reason": self.reason_zh,
            "reason_en": self.reason_en,
        }


@attrs.frozen
class PartResult:
    """One part for one teacher."""

    name: str
    points: Decimal
    max_points: Decimal
    cancelled: bool
    reason_zh: str
    reason_en: str

    def to_dict(self) -> dict[str, object]:
        """JSON form."""
        return {
            "points": _dec(self.points),
            "max": _dec(self.max_points),
            "cancelled": self.cancelled,
            "reason": self.reason_zh,
            "reason_en": self.reason_en,
        }


@attrs.frozen
class CheckResult:
    """A per-teacher check (核查) and whether it held."""

    name: str
    passed: bool | None

    def to_dict(self) -> dict[str, object]:
        """JSON form."""
        return {"name": self.name, "passed": self.passed}


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
    passed: bool = False
    hours: Decimal = Decimal(0)
    unit: str | None = None
    certificates: tuple[str, ...] = ()
    checks: tuple[CheckResult, ...] = ()
    problems: tuple[Problem, ...] = ()
    reason_zh: str = ""
    reason_en: str = ""
    location: str = ""
    steps: tuple[Step, ...] | None = attrs.field(default=None, eq=False)

    def item(self, name: str) -> ItemResult:
        """The result of one item by name."""
        return next(i for i in self.items if i.name == name)

    def to_dict(self, *, explanation: bool = False) -> dict[str, object]:
        """The documented, versioned JSON form (docs/results.md); Decimals are strings, exact."""
        out: dict[str, object] = {
            "schema": SCHEMA,
            "index": self.index,
            "location": self.location,
            "id": self.id,
            "name": self.name,
            "school": self.school,
            "subject": self.subject,
            "status": self.status,
            "reason": self.reason_zh,
            "reason_en": self.reason_en,
            "total": _dec(self.total),
            "max_total": _dec(self.max_total),
            "passed": self.passed,
            "hours": _dec(self.hours),
            "unit": self.unit,
            "items": {i.name: i.to_dict() for i in self.items},
            "parts": {p.name: p.to_dict() for p in self.parts},
            "certificates": list(self.certificates),
            "checks": [c.to_dict() for c in self.checks],
            "problems": [p.to_dict() for p in self.problems],
        }
        if explanation and self.steps is not None:
            out["explanation"] = [s.to_dict() for s in self.steps]
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

    def to_dict(self) -> dict[str, object]:
        """JSON form."""
        return {
            "check": self.check,
            "group": dict(self.group),
            "passed": self.passed,
            "values": dict(self.values),
            "rule_ids": list(self.rule_ids),
            "section": self.section,
        }


@attrs.define
class Results:
    """All decisions of a run plus its group findings; iterable over the decisions."""

    decisions: list[Decision]
    groups: list[GroupFinding] = attrs.field(factory=list)

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
