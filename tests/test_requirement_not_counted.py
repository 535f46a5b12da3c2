"""Which entries did not count toward a requirement line: only those the line itself would have counted."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import trainrules
from trainrules.explain import explain, render_explanation
from trainrules.records import iter_records_from_dicts

HERE = Path(__file__).parent
POLICY = HERE / "law_policies" / "requirement-line-condition.policy"
P002 = HERE.parent / "policies" / "district_2016-2020_13th-five-year-training.policy"
P002_RECORDS = HERE.parent / "policies" / "examples" / "district_2016-2020_13th-five-year-training" / "records.json"


def _teacher(entries: list[dict[str, object]]) -> dict[str, object]:
    return {"id": "T1", "name": "甲", "school": "一中", "lists": {"培训记录": entries}}


ENTRIES = [
    {"学时": 40, "年份": 2019, "类别": "集中", "机构认定": True},
    {"学时": 20, "年份": 2019, "类别": "校本", "机构认定": True},
    {"学时": 9, "年份": 2019, "类别": "集中", "机构认定": False},  # dropped, of the year: main line only
    {"学时": 7, "年份": 2019, "类别": "校本", "机构认定": False},  # dropped, of the year: both lines
    {"学时": 5, "年份": 2018, "类别": "校本", "机构认定": False},  # dropped, another year: neither line
]


def test_each_line_lists_only_the_dropped_entries_it_would_have_counted() -> None:
    d = trainrules.load(POLICY).evaluate([_teacher(ENTRIES)]).decisions[0]
    (q,) = d.requirements
    assert [(None, "有效记录", "培训机构未经认定", 2), ("校本", "有效记录", "培训机构未经认定", 1)] == [
        (n.line, n.source, n.reason, n.count) for n in q.not_counted
    ]
    assert {"line": "校本", "filter": "有效记录", "reason": "培训机构未经认定", "count": 1} == q.not_counted[
        1
    ].to_dict()
    assert q.reason_zh.endswith(
        "；未计入 2 条：培训机构未经认定（有效记录）；未计入 1 条（其中 校本）：培训机构未经认定（有效记录）"
    )


def test_the_requirement_step_lists_its_lines_not_counted_and_the_applies_step_shows_the_condition() -> None:
    policy = trainrules.load(POLICY)
    (raw,) = list(iter_records_from_dicts([_teacher(ENTRIES)]))
    text = render_explanation(explain(policy.evaluator(), raw))  # type: ignore[arg-type]  # a RawRecord here
    assert "未计入 1 条：培训机构未经认定（见筛选 有效记录）" in text
    assert "未计入 1 条（其中 校本）：培训机构未经认定（筛选 有效记录）" in text


def test_002_yearly_requirements_no_longer_report_another_years_entry() -> None:
    """The yearly 72-hour requirements list a dropped entry only in the year it is of (each used to list it)."""
    policy = trainrules.load(P002)
    result = policy.evaluate(trainrules.read_records(P002_RECORDS))
    yearly = [q for d in result.decisions for q in d.requirements if q.name == "专职培训者逐年研修" and q.applicable]
    assert yearly  # the example has a full-time trainer
    # the unconfirmed 校本 entry (2019) is of the cycle's third year: only that year's line names it
    assert [(("第几年", "3"),)] == [n.each for q in yearly for n in q.not_counted], [q.reason_zh for q in yearly]
    cycle = [q for d in result.decisions for q in d.requirements if q.name == "周期培训" and q.not_counted]
    assert any(n.reason == "校本研训未经学校认定" and n.line == "校本研训" for q in cycle for n in q.not_counted)


def test_002_applies_step_shows_the_condition_and_its_value() -> None:
    policy = trainrules.load(P002)
    records = list(trainrules.read_records(P002_RECORDS))
    texts = [render_explanation(explain(policy.evaluator(), r)) for r in records]  # type: ignore[arg-type]  # raw
    assert any("适用：在编 = 是" in t for t in texts)


ENTRY = st.fixed_dictionaries(
    {
        "学时": st.integers(0, 100),
        "年份": st.integers(2018, 2020),
        "类别": st.sampled_from(["校本", "集中"]),
        "机构认定": st.booleans(),
    }
)


@given(st.lists(ENTRY, max_size=8))
def test_law_not_counted_is_within_the_dropped_and_within_the_lines_own_choice(
    entries: list[dict[str, object]],
) -> None:
    """For each line: not-counted ⊆ dropped by its filters, exactly the dropped ones passing its condition (and
    kind), and credited + their hours ≤ the hours of all entries passing the line's condition."""
    d = trainrules.load(POLICY).evaluate([_teacher(entries)]).decisions[0]
    (q,) = d.requirements
    dropped = [e for e in entries if not e["机构认定"]]
    for line in q.lines:
        mine = [n for n in q.not_counted if n.line == line.label]
        assert all(n.source == "有效记录" for n in mine)
        assert sum(n.count for n in mine) <= len(dropped)

        def passes(e: dict[str, object], label: str | None = line.label) -> bool:
            return e["年份"] == 2019 and (label is None or e["类别"] == "校本")

        left_out = [e for e in dropped if passes(e)]
        assert len(left_out) == sum(n.count for n in mine)
        hours = sum((Decimal(str(e["学时"])) for e in left_out), Decimal(0))
        passing = sum((Decimal(str(e["学时"])) for e in entries if passes(e)), Decimal(0))
        assert line.credited + hours <= passing
