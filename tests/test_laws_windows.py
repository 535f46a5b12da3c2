"""Law on date windows, on the shipped policy 002: an entry dated outside every window of its requirements changes
nothing but the list of entries not counted.

002's windows: the cycle 本周期 (2017-01-01 to 2020-12-31 by its assumptions), the class teacher's 班主任周期
(2016-01-01 to 2020-12-31), and a new teacher's 适应期 (岗前月数 = 6 months before 入职日期 to the end of the
first year). Teachers are generated with 入职日期 absent or inside the cycle, so every 适应期 lies between
2016-07-01 and 2021-12-31, and the added entry is dated before 2016-01-01 or after 2021-12-31: outside all of them.
The added entry is otherwise as valid as can be (考核合格, 认定, 主办 区级以上), so only its date keeps it out.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

import trainrules
from trainrules.results import Decision

POLICY = Path(__file__).resolve().parents[1] / "policies" / "district_2016-2020_13th-five-year-training.policy"
LAWS = settings(max_examples=60, deadline=None)

_KINDS = ("集中", "远程", "校本")
_MODULES = ("师德修养", "教育技术能力", "地方课程与校本研训课程")
_LEVELS = ("校级", "区级", "市级", "省级", "国家级")
_TOPICS = ("班主任", "心理健康", "安全教育")


def _dates(start: dt.date, end: dt.date) -> st.SearchStrategy[str]:
    return st.dates(start, end).map(dt.date.isoformat)


#: Dates inside the windows (and a little around them), for the entries a teacher already has.
INSIDE = _dates(dt.date(2015, 6, 1), dt.date(2022, 6, 30))
#: Dates outside every window of 002 for the teachers generated here.
OUTSIDE = st.one_of(
    _dates(dt.date(2000, 1, 1), dt.date(2015, 12, 31)), _dates(dt.date(2022, 1, 1), dt.date(2035, 12, 31))
)


@st.composite
def entries(draw: st.DrawFn, date: st.SearchStrategy[str], *, valid: bool = False) -> dict[str, Any]:
    """One 培训记录 entry; ``valid`` makes it pass every filter but its date's."""
    kind = draw(st.sampled_from(_KINDS))
    entry: dict[str, Any] = {
        "日期": draw(date),
        "学时": str(draw(st.integers(1, 120))),
        "类别": kind,
        "模块": draw(st.sampled_from(_MODULES)),
        "专题": draw(st.lists(st.sampled_from(_TOPICS), unique=True, max_size=2)),
        "考核合格": True if valid else draw(st.booleans()),
    }
    if kind == "校本":
        entry["学校认定"] = True if valid else draw(st.booleans())
    else:
        entry["主办"] = draw(st.sampled_from(_LEVELS[1:] if valid else _LEVELS))
        entry["机构认定"] = True if valid else draw(st.booleans())
    return entry


@st.composite
def teachers(draw: st.DrawFn) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "在编": draw(st.booleans()),
        "角色": draw(st.lists(st.sampled_from(("班主任", "专职培训者", "校长")), unique=True, max_size=3)),
        "学历": draw(st.sampled_from(("专科", "本科", "研究生"))),
    }
    if draw(st.booleans()):
        facts["入职日期"] = draw(_dates(dt.date(2017, 1, 1), dt.date(2020, 12, 31)))
    records = draw(st.lists(entries(INSIDE), max_size=6))
    return {
        "id": "T",
        "school": "一中",
        "stage": draw(st.sampled_from(("小学", "初中", "高中"))),
        "facts": facts,
        "lists": {"培训记录": records},
    }


def _verdict(d: Decision) -> Decision:
    """The decision without what names the entries not counted (their list and the reason's words)."""
    requirements = tuple(attrs.evolve(r, not_counted=()) for r in d.requirements)
    return attrs.evolve(d, requirements=requirements, reason_zh="", reason_en="")


_POLICY = trainrules.load(POLICY)


def _decide(record: dict[str, Any]) -> Decision:
    (d,) = _POLICY.evaluate([record]).decisions
    return d


@LAWS
@given(teachers(), st.lists(entries(OUTSIDE, valid=True), min_size=1, max_size=3), st.randoms(use_true_random=False))
def test_law_an_entry_outside_every_window_changes_nothing(
    teacher: dict[str, Any], extra: list[dict[str, Any]], rnd: Any
) -> None:
    before = _decide(teacher)
    entries_after = list(teacher["lists"]["培训记录"]) + extra
    rnd.shuffle(entries_after)  # where the entry stands in the list does not matter either
    after = _decide({**teacher, "lists": {"培训记录": entries_after}})
    assert before.status == after.status
    assert _verdict(before) == _verdict(after)
    cycle = next(r for r in after.requirements if r.name == "周期培训")
    if cycle.applicable and after.status == "assessed":  # reported as not counted, by its date
        late = sum(n.count for n in cycle.not_counted if n.reason == "不在本周期内" and n.line is None)
        was = next(r for r in before.requirements if r.name == "周期培训")
        assert late == len(extra) + sum(
            n.count for n in was.not_counted if n.reason == "不在本周期内" and n.line is None
        )


def test_the_generated_outside_entry_would_count_inside_the_cycle() -> None:
    """The law has teeth: the same valid entry dated inside the cycle raises the cycle total."""
    entry = {
        "日期": "2019-05-05",
        "学时": "40",
        "类别": "集中",
        "模块": "师德修养",
        "专题": [],
        "主办": "区级",
        "机构认定": True,
        "考核合格": True,
    }
    teacher = {
        "id": "T",
        "school": "一中",
        "stage": "初中",
        "facts": {"在编": True, "角色": [], "学历": "本科"},
        "lists": {"培训记录": []},
    }
    inside = _decide({**teacher, "lists": {"培训记录": [entry]}})
    outside = _decide({**teacher, "lists": {"培训记录": [{**entry, "日期": "2015-12-31"}]}})
    empty = _decide(teacher)
    assert [d.status for d in (inside, outside, empty)] == ["assessed"] * 3
    cycle = [{r.name: r.value for r in d.results}["周期学分"] for d in (inside, outside, empty)]
    assert cycle == [40, 0, 0]
