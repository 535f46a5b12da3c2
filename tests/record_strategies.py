"""Hypothesis strategies for teacher and school records of the shipped 004 and 000 policies.

Records come in the nested JSON shape (docs: ``{"id", "name", "school", …, "items": {…}, "facts": {…}}``)
with exact values: scores are decimal strings on the grid the policy grades (0.1 inside a band table,
0.01 elsewhere), instants are local wall times in Asia/Shanghai placed on either side of each deadline
(the deadline instant itself counts as late), before an item's window opens, or absent.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

__all__ = [
    "PLAN_000",
    "PLAN_004",
    "ItemSpec",
    "PlanSpec",
    "bad_records",
    "high_scores",
    "on_time_text",
    "runs",
    "school_records",
    "scores",
    "teacher_records",
]

_FORMAT = "%Y-%m-%d %H:%M:%S"


@attrs.frozen
class ItemSpec:
    """A teacher-submitted item: its name, points (None = no points), grading grid, window and length rule."""

    name: str
    top: int | None
    grid: Decimal
    due: dt.datetime  # local wall time; on time iff strictly before
    opens: dt.datetime | None = None
    has_length: bool = False
    graded: bool = False  # carries a grade (等级) instead of a score


@attrs.frozen
class PlanSpec:
    """What the strategies need to know of one policy: its items, deadlines, school part and labels."""

    policy: str
    items: tuple[ItemSpec, ...]
    enrol_by: dt.datetime
    plan_by: dt.datetime
    results_by: dt.datetime
    school_item: str
    school_top: int
    schools: tuple[str, ...]
    subjects: tuple[str, ...]
    exempt_flags: tuple[str, ...] = ()

    def item(self, name: str) -> ItemSpec:
        """The item spec by name."""
        return next(i for i in self.items if i.name == name)


def _t(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, _FORMAT)  # noqa: DTZ007 -- local wall time in the policy's zone


PLAN_004 = PlanSpec(
    policy="lanxi_2019-2020_term1_online-school",
    items=(
        ItemSpec("队伍建设", 20, Decimal("0.1"), _t("2019-12-16 00:00:00"), _t("2019-12-09 00:00:00")),
        ItemSpec("师德师风", 20, Decimal("0.1"), _t("2019-12-23 00:00:00"), _t("2019-12-16 00:00:00")),
        ItemSpec("信息技术", 20, Decimal("0.1"), _t("2019-12-30 00:00:00"), _t("2019-12-23 00:00:00")),
    ),
    enrol_by=_t("2019-12-09 00:00:00"),
    plan_by=_t("2019-12-14 00:00:00"),
    results_by=_t("2019-12-30 00:00:00"),
    school_item="校本成绩",
    school_top=40,
    schools=("兰西县第一中学", "兰西县实验小学", "兰西县红光镇中心小学"),
    subjects=("语文", "数学", "英语"),
    exempt_flags=("国培送教", "校园长培训", "三学活动", "新教材培训", "新教师培训", "十三五已完成360学时"),
)
PLAN_000 = PlanSpec(
    policy="lanxi_2021-2022_term1_career-identity",
    items=(
        ItemSpec("作业一", 50, Decimal("0.01"), _t("2021-10-22 12:00:00")),
        ItemSpec("作业二", 50, Decimal("0.1"), _t("2021-11-20 12:00:00"), has_length=True),
        ItemSpec(
            "教学设计实地考核", None, Decimal(1), _t("2021-11-06 00:00:00"), _t("2021-10-23 00:00:00"), graded=True
        ),
        ItemSpec("微课评选", None, Decimal(1), _t("2021-11-20 00:00:00"), _t("2021-11-08 00:00:00"), graded=True),
    ),
    enrol_by=_t("2021-10-01 00:00:00"),
    plan_by=_t("2021-10-01 00:00:00"),
    results_by=_t("2021-11-06 00:00:00"),
    school_item="校本成绩",
    school_top=30,
    schools=("兰西县第三中学", "兰西县第四小学", "兰西县远大镇中心学校"),
    subjects=("语文", "数学", "物理"),
)


@functools.cache
def scores(top: int, grid: Decimal) -> st.SearchStrategy[Decimal]:
    """Exact scores from 0 to ``top`` on ``grid`` (0.1 → 17.9, 18; 0.01 → 23.31), edges included.

    Half the draws come from the top 40%, so that totals land near the pass mark often enough.
    """
    return st.one_of(_grid(0, top, grid), high_scores(top, grid))


@functools.cache
def high_scores(top: int, grid: Decimal) -> st.SearchStrategy[Decimal]:
    """Exact scores in the top 40% of 0 to ``top`` on ``grid``: a diligent teacher's."""
    return _grid(top * 6 // 10, top, grid)


def _grid(low: int, top: int, grid: Decimal) -> st.SearchStrategy[Decimal]:
    return st.integers(int(low / grid), int(top / grid)).map(lambda k: k * grid)


def _shift(at: dt.datetime, seconds: int) -> str:
    return (at + dt.timedelta(seconds=seconds)).strftime(_FORMAT)


def on_time_text(item: ItemSpec) -> str:
    """A fixed instant safely on time for ``item`` (one hour before it is due)."""
    return _shift(item.due, -3600)


@functools.cache
def _instant(due: dt.datetime, opens: dt.datetime | None, state: str) -> st.SearchStrategy[str | None]:
    """An instant on time (up to 6 days before, down to one second before), late (at or after), early or none."""
    week = 6 * 24 * 3600
    if state == "on_time":
        return st.integers(1, week).map(lambda s: _shift(due, -s))
    if state == "late":
        return st.integers(0, week).map(lambda s: _shift(due, s))
    if state == "early" and opens is not None:
        return st.integers(1, week).map(lambda s: _shift(opens, -s))
    return st.none()


@functools.cache
def _states(item: ItemSpec, diligent: bool) -> st.SearchStrategy[str]:
    on_time = ("on_time",) * (8 if diligent else 4)
    return st.sampled_from((*on_time, "late", "missing", *(("early",) if item.opens else ())))


_NAMES = st.sampled_from(("张丽华", "王建国", "李秀英", "刘洋", "陈静"))
_LENGTHS = st.one_of(st.sampled_from((0, 599, 600, 601)), st.integers(0, 3000))
_GRADES = st.sampled_from(("优秀", "良好", "合格"))
_WORKS = st.one_of(st.none(), st.integers(0, 4))
_LATE_OR_NEVER = st.sampled_from(("late", "missing"))
_SCHOOL_STATES = st.sampled_from(("on_time", "on_time", "on_time", "late", "missing"))
_COURSES = st.integers(0, 4)


@functools.cache
def _item(item: ItemSpec, diligent: bool) -> st.SearchStrategy[dict[str, Any] | None]:
    """One item of a teacher record (built once per item: strategies are cached, draws are not)."""
    return _item_values(item, diligent)


@st.composite
def _item_values(draw: st.DrawFn, item: ItemSpec, diligent: bool) -> dict[str, Any] | None:
    state = draw(_states(item, diligent))
    at = draw(_instant(item.due, item.opens, state))
    if at is None and draw(st.booleans()):
        return None
    out: dict[str, Any] = {} if at is None else {"submitted_at": at}
    if at is None and item.due is not None:  # no time, no result: a score without a time is a record error
        return out
    if item.top is not None:
        out["score"] = str(draw((high_scores if diligent else scores)(item.top, item.grid)))
    if item.has_length:
        out["length"] = draw(_LENGTHS)
    if item.graded:
        out["grade"] = draw(_GRADES)
    return out


@functools.cache
def _choice(values: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.sampled_from(values)


@functools.cache
def _flags(exempt: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from((*exempt, "骨干教师")), max_size=2, unique=True)


@st.composite
def teacher_records(
    draw: st.DrawFn,
    spec: PlanSpec,
    teacher_id: str = "T0001",
    *,
    enrolled: bool | None = None,
    diligent: bool | None = False,
) -> dict[str, Any]:
    """A valid teacher record of ``spec``'s policy.

    Args:
        spec: The policy's spec (PLAN_004 or PLAN_000).
        teacher_id: The id to give the record.
        enrolled: True: joined in time (assessed); False: joined late or never; None: either.
        diligent: True: mostly on time with high scores (totals near the pass mark); None: either.
    """
    joined = draw(st.booleans()) if enrolled is None else enrolled
    keen = draw(st.booleans()) if diligent is None else diligent
    rec: dict[str, Any] = {
        "id": teacher_id,
        "name": draw(_NAMES),
        "school": draw(_choice(spec.schools)),
        "subject": draw(_choice(spec.subjects)),
    }
    at = draw(_instant(spec.enrol_by, None, "on_time" if joined else draw(_LATE_OR_NEVER)))
    if at is not None:
        rec["enrolled_at"] = at
    if spec.exempt_flags:
        rec["flags"] = draw(_flags(spec.exempt_flags))
    items = {}
    for item in spec.items:
        value = draw(_item(item, keen))
        if value is not None:
            items[item.name] = value
    # The school's score for this teacher (reported with the school's 成绩报送时间).
    items[spec.school_item] = {"score": str(draw((high_scores if keen else scores)(spec.school_top, Decimal("0.01"))))}
    rec["items"] = items
    works = draw(_WORKS)
    if works is not None:
        rec["facts"] = {"校本作业数": works}
    return rec


@st.composite
def school_records(draw: st.DrawFn, spec: PlanSpec, name: str) -> dict[str, Any]:
    """A valid school record: plan sent on time, late or never; results reported on time, late or never."""
    facts: dict[str, Any] = {}
    plan = draw(_instant(spec.plan_by, None, draw(_SCHOOL_STATES)))
    results = draw(_instant(spec.results_by, None, draw(_SCHOOL_STATES)))
    if plan is not None:
        facts["计划报送时间"] = plan
    if results is not None:
        facts["成绩报送时间"] = results
    facts["培训课程数"] = draw(_COURSES)
    return {"school": name, "facts": facts}


@st.composite
def runs(
    draw: st.DrawFn,
    spec: PlanSpec,
    *,
    min_size: int = 1,
    max_size: int = 12,
    enrolled: bool | None = None,
    diligent: bool | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A run: teachers with distinct ids T0001… and one school record per school of the spec."""
    size = draw(st.integers(min_size, max_size))
    teachers = [draw(teacher_records(spec, f"T{n + 1:04d}", enrolled=enrolled, diligent=diligent)) for n in range(size)]
    schools = [draw(school_records(spec, name)) for name in spec.schools]
    return teachers, schools


@st.composite
def bad_records(draw: st.DrawFn, spec: PlanSpec, teacher_id: str = "T9001") -> object:
    """A record that must become an error decision: a bad value, an unknown item or school, no id, not an object."""
    rec = draw(teacher_records(spec, teacher_id))
    scored = next(i for i in spec.items if i.top is not None)
    kind = draw(
        st.sampled_from(("above_max", "negative", "unknown_item", "bad_time", "no_id", "no_school", "not_object"))
    )
    if kind == "not_object":
        return draw(st.sampled_from(([], "T0001", 42, None)))
    item = rec["items"].setdefault(scored.name, {"submitted_at": on_time_text(scored)})
    if kind == "above_max":
        item["score"] = str(Decimal(scored.top or 0) + draw(st.sampled_from((Decimal("0.1"), Decimal(1), Decimal(80)))))
    elif kind == "negative":
        item["score"] = draw(st.sampled_from(("-1", "-0.1", "-50")))
    elif kind == "unknown_item":
        rec["items"]["网络作业"] = {"score": "10"}
    elif kind == "bad_time":
        item["submitted_at"] = draw(st.sampled_from(("2019-02-30 10:00", "昨天", "2021-10-22 25:00", "12/15")))
    elif kind == "no_id":
        del rec["id"]
    else:
        rec["school"] = "兰西县平山镇中学"
    return rec
