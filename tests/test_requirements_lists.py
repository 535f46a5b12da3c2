"""A requirement over filtered list entries says which entries did not count and why (issue 11)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import trainrules
from trainrules.explain import explain, render_explanation
from trainrules.records import iter_records_from_dicts

POLICY = Path(__file__).parent / "law_policies" / "requirement-over-filters.policy"


def _teacher(entries: list[dict[str, object]]) -> dict[str, object]:
    return {"id": "T1", "name": "甲", "school": "一中", "lists": {"培训记录": entries}}


ENTRIES = [
    {"学时": 60, "类别": "校本", "机构认定": True},
    {"学时": 36, "类别": "校本", "机构认定": True},
    {"学时": 20, "类别": "校本", "机构认定": False},
    {"学时": 10, "类别": "校本", "机构认定": False},
    {"学时": 30, "类别": "集中", "机构认定": True},
]


def test_the_requirement_reports_credited_owed_and_what_did_not_count() -> None:
    d = trainrules.load(POLICY).evaluate([_teacher(ENTRIES)]).decisions[0]
    (q,) = d.requirements
    assert (False, "96", "120", "24") == (q.met, str(q.lines[0].credited), str(q.lines[0].needed), str(q.lines[0].owed))
    assert [("有效记录", "培训机构未经认定", 2)] == [(n.source, n.reason, n.count) for n in q.not_counted]
    assert "已计 96，需 120，欠 24（未达到）；未计入 2 条：培训机构未经认定（有效记录）" == q.reason_zh


def test_explain_names_the_entries_left_out_and_does_not_claim_no_change_helps() -> None:
    policy = trainrules.load(POLICY)
    (raw,) = list(iter_records_from_dicts([_teacher(ENTRIES)]))
    text = render_explanation(explain(policy.evaluator(), raw))  # type: ignore[arg-type]  # a RawRecord here
    assert "要求 校本学时: 已计 96，需 120，欠 24（未达到）\n  未计入 2 条：培训机构未经认定（筛选 有效记录）" in text
    assert "第 3 条：机构认定 否、第 4 条：机构认定 否" in text
    assert "没有任何单项改变能使其合格。" not in text
    assert "未搜索：培训记录" in text


@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "学时": st.integers(0, 100),
                "类别": st.sampled_from(["校本", "集中"]),
                "机构认定": st.booleans(),
            }
        ),
        max_size=8,
    )
)
def test_law_shortfall_is_required_minus_credited_and_credited_at_most_the_entries(
    entries: list[dict[str, object]],
) -> None:
    """owed = max(0, 120 − credited); credited ≤ the sum of all entries' hours; not-counted = unaccredited 校本
    entries (an unaccredited 集中 entry is not of the line's kind: 凡 类别 == "校本" would leave it out anyway)."""
    d = trainrules.load(POLICY).evaluate([_teacher(entries)]).decisions[0]
    (q,) = d.requirements
    line = q.lines[0]
    assert line.owed == max(0, 120 - line.credited)
    assert line.credited <= sum(int(e["学时"]) for e in entries)  # type: ignore[call-overload]  # ints drawn above
    unaccredited = sum(1 for e in entries if not e["机构认定"] and e["类别"] == "校本")
    assert unaccredited == sum(n.count for n in q.not_counted)


def test_explain_searches_a_labels_vocabulary() -> None:
    """学历 专科 fails `学历 不低于 "本科"`: the search tries every word and offers 本科 (it used to skip labels)."""
    policy = trainrules.loads(
        '方案 示例 {\n  标题 "学历要求"\n}\n'
        "输入 教师 {\n  学历: 标签 {专科 < 本科 < 研究生} 依据 X1-01\n  成绩: 数 0 至 100 依据 X1-01\n}\n"
        '合格 当 学历 不低于 "本科" 且 成绩 不少于 60 依据 X1-02\n',
        name="p.policy",
    )
    (raw,) = list(iter_records_from_dicts([{"id": "A", "facts": {"学历": "专科", "成绩": 70}}]))
    text = render_explanation(explain(policy.evaluator(), raw))  # type: ignore[arg-type]  # a RawRecord here
    assert "若“学历”为 本科（现为 专科）" in text
    assert "学历（试过词表中的每个词）" in text


def test_a_formula_step_shows_the_value_its_lookup_found() -> None:
    """`基础积分 + 获奖分[获奖] = 390` reads 370 and 市级: the step also shows 获奖分[获奖] = 20."""
    policy = trainrules.loads(
        '方案 示例 {\n  标题 "获奖加分"\n}\n'
        "输入 教师 {\n  基础积分: 数 0 至 400 依据 X1-01\n  获奖: 标签 {县级, 市级} 依据 X1-01\n}\n"
        "对照表 获奖分 依据 X1-02 {\n  县级: 10\n  市级: 20\n}\n"
        "结果 积分 = 基础积分 + 获奖分[获奖] 依据 X1-03\n",
        name="p.policy",
    )
    (raw,) = list(iter_records_from_dicts([{"id": "A", "facts": {"基础积分": 370, "获奖": "市级"}}]))
    text = render_explanation(explain(policy.evaluator(), raw))  # type: ignore[arg-type]  # a RawRecord here
    assert "读取: 基础积分 = 370；获奖 = 市级；获奖分[获奖] = 20" in text
