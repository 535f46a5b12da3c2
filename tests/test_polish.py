"""Rough edges mended on the polish branch: one test (or a few) per mend, each failing before it."""

from __future__ import annotations

import functools
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

import trainrules

HEAD = '方案 示例 {\n  标题 "打磨"\n}\n'


def _one(text: str, record: dict[str, object]) -> trainrules.Decision:
    return trainrules.loads(HEAD + text, name="p.policy").evaluate([record]).decisions[0]


# ---------- 1. a plan that scores nothing has no total ----------

UNSCORED = (
    "输入 教师 {\n  学时: 数 0 至 100 依据 X1-01\n}\n"
    "部分 材料 依据 X1-02 {\n  项目 心得 不计分 依据 X1-03 {\n    截止 2024-10-15 24:00 前\n  }\n}\n"
    "结果 转化学时 = 学时 依据 X1-04\n"
    "要求 年度学时 依据 X1-05 {\n  须 转化学时 不少于 36\n}\n"
)


def test_a_plan_whose_items_are_all_unscored_has_no_total() -> None:
    d = _one(UNSCORED, {"id": "T1", "facts": {"学时": 30}})
    assert ("assessed", None, None, None) == (d.status, d.total, d.max_total, d.passed)
    assert "已评估：转化学时 30；要求 年度学时 未达到（欠 6）（本方案没有合格规则）" == d.reason_zh
    assert "assessed: 转化学时 30; requirement 年度学时 not met (6 owed) (the plan has no pass rule)" == d.reason_en
    met = _one(UNSCORED, {"id": "T2", "facts": {"学时": 40}})
    assert "已评估：转化学时 40；要求 年度学时 达到（本方案没有合格规则）" == met.reason_zh
    assert None is met.to_dict()["total"]


def test_a_plan_with_a_scored_item_still_has_a_total() -> None:
    text = UNSCORED.replace("项目 心得 不计分", "项目 心得 满分 10").replace("部分 材料", "部分 材料 满分 10")
    d = _one(text, {"id": "T1", "facts": {"学时": 30}, "items": {"心得": {"submitted_at": "2024-10-01", "score": 8}}})
    assert d.total is not None
    assert "8" == str(d.total)
    assert d.reason_zh.startswith("已评分：总分 8")


def test_the_001_plan_reports_its_hours_not_a_total_of_0() -> None:
    from pathlib import Path

    from trainrules.records import read_records, read_schools

    root = Path(__file__).resolve().parents[1]
    records = root / "policies" / "examples" / "lanxi_2023_research-training" / "records.json"
    policy = trainrules.load(root / "policies" / "lanxi_2023_research-training.policy")
    for d in policy.evaluate(read_records(records), read_schools(records)):
        if d.status == "assessed":
            assert (None, None) == (d.total, d.max_total)
            assert d.reason_zh.startswith("已评估：")
            assert "总分" not in d.reason_zh
            assert "要求 年度学时转化 " in d.reason_zh


# ---------- 2. three-valued (Kleene) logic for scope and exception conditions ----------

FLAGS = "输入 教师 {\n  甲: 是否 可缺 依据 X1-01\n  乙: 是否 可缺 依据 X1-01\n  丙: 是否 可缺 依据 X1-01\n}\n"


def test_a_true_or_decides_a_scope_whatever_the_missing_side_is() -> None:
    text = FLAGS + "结果 奖励 = 1 适用 当 甲 或 乙 依据 X1-02\n"
    d = _one(text, {"id": "T1", "facts": {"甲": True}})
    assert ("assessed", True) == (d.status, d.results[0].applicable)
    assert "error" == _one(text, {"id": "T2", "facts": {"甲": False}}).status


def test_a_false_and_decides_a_scope_whatever_the_missing_side_is() -> None:
    text = FLAGS + "结果 奖励 = 1 适用 当 乙 且 甲 依据 X1-02\n"
    d = _one(text, {"id": "T1", "facts": {"甲": False}})
    assert ("assessed", False) == (d.status, d.results[0].applicable)
    undecided = _one(text, {"id": "T2", "facts": {"甲": True}})
    assert "error" == undecided.status
    assert "“乙”缺失，无法判定" in undecided.reason_zh


def test_not_keeps_a_missing_value_undecided() -> None:
    text = FLAGS + "结果 奖励 = 1 适用 当 非 乙 或 非 甲 依据 X1-02\n"
    assert "error" == _one(text, {"id": "T1", "facts": {"甲": True}}).status
    assert _one(text, {"id": "T2", "facts": {"甲": False}}).results[0].applicable


def test_an_exception_decided_by_its_present_operand() -> None:
    text = (
        "输入 教师 {\n  年度: 数 2000 至 2100 可缺 依据 X1-01\n  在编: 是否 可缺 依据 X1-01\n}\n"
        "定义 截止月 = 3 依据 X1-02\n例外 截止月 = 4 当 在编 且 年度 == 2021 依据 X1-03\n"
        "结果 报送月 = 截止月 依据 X1-04\n"
    )
    assert "3" == str(_one(text, {"id": "T1", "facts": {"在编": False}}).results[0].value)
    assert "error" == _one(text, {"id": "T2", "facts": {"在编": True}}).status


def test_validity_decided_by_a_present_operand_is_not_an_error() -> None:
    """An on-time item whose 有效 is false because of a present input is invalid, even with another input missing."""
    text = (
        "部分 甲 满分 10 依据 X1-01 {\n  项目 心得 满分 10 依据 X1-02 {\n"
        "    截止 2024-10-15 24:00 前\n    有效 当 分数 不少于 6 且 字数 不少于 1000\n    缺交 得 0\n  }\n}\n"
    )
    item = {"submitted_at": "2024-10-01 09:00"}
    d = _one(text, {"id": "T1", "items": {"心得": {**item, "score": 5}}})
    assert ("assessed", "invalid") == (d.status, d.items[0].timeliness)
    undecided = _one(text, {"id": "T2", "items": {"心得": {**item, "score": 8}}})
    assert "error" == undecided.status
    assert "“心得.字数”缺失" in undecided.reason_zh


Tree = str | tuple[str, "Tree"] | tuple[str, "Tree", "Tree"]
_NAMES = ("甲", "乙", "丙")


def _trees() -> st.SearchStrategy[Tree]:
    leaves: st.SearchStrategy[Tree] = st.sampled_from(_NAMES)
    return st.recursive(
        leaves,
        lambda sub: st.one_of(
            st.tuples(st.just("非"), sub),
            st.tuples(st.sampled_from(("且", "或")), sub, sub),
        ),
        max_leaves=5,
    )


def _text(t: Tree) -> str:
    if isinstance(t, str):
        return t
    if len(t) == 2:
        return f"(非 {_text(t[1])})"
    return f"({_text(t[1])} {t[0]} {_text(t[2])})"


def _truth(t: Tree, facts: dict[str, bool | None]) -> bool | None:
    """Kleene's strong three-valued logic, None for unknown: the oracle."""
    if isinstance(t, str):
        return facts[t]
    if len(t) == 2:
        inner = _truth(t[1], facts)
        return None if inner is None else not inner
    left, right = _truth(t[1], facts), _truth(t[2], facts)
    decisive = t[0] == "或"
    if decisive in (left, right):
        return decisive
    return None if None in (left, right) else not decisive


@functools.cache
def _scoped(cond: str) -> trainrules.Policy:
    return trainrules.loads(HEAD + FLAGS + f"结果 奖励 = 1 适用 当 {cond} 依据 X1-02\n", name="p.policy")


@settings(max_examples=60)
@given(_trees())
def test_law_a_scope_is_an_error_only_when_a_missing_value_decides_it(tree: Tree) -> None:
    """For every assignment of yes / no / missing to 甲乙丙: never an error when the present operands decide
    the condition, and the two-valued answer whenever every operand is present."""
    values = itertools.product((True, False, None), repeat=len(_NAMES))
    assignments = [dict(zip(_NAMES, v, strict=True)) for v in values]
    present = [{k: v for k, v in a.items() if v is not None} for a in assignments]
    records = [{"id": f"T{i}", "facts": facts} for i, facts in enumerate(present)]
    for facts, d in zip(assignments, _scoped(_text(tree)).evaluate(records).decisions, strict=True):
        expected = _truth(tree, facts)
        if expected is None:
            assert "error" == d.status, facts
            assert "缺失，无法判定" in d.reason_zh
        else:
            assert "assessed" == d.status, (facts, d.reason_zh)
            assert expected == d.results[0].applicable, facts


# ---------- 3. a filter's 须 over a missing entry field ----------

RECORDS_LIST = (
    "输入 教师 {\n  活动记录: 列表 依据 X1-01 {\n    活动: 标签 {钉钉研培, 推门听课}\n"
    "    级别: 标签 {校级 < 县级} 可缺\n    学时: 数 0 至 100\n  }\n}\n"
)


def _filtered(cond: str, entries: list[dict[str, object]]) -> trainrules.Decision:
    text = (
        RECORDS_LIST
        + f'筛选 听课 取自 活动记录 依据 X1-02 {{\n  须 {cond} 否则 "活动级别与学段不符"\n}}\n'
        + "结果 听课学时 = 合计(听课.学时) 依据 X1-03\n"
    )
    return _one(text, {"id": "T1", "lists": {"活动记录": entries}})


def test_a_filter_condition_decided_by_a_missing_entry_field_is_a_record_error() -> None:
    d = _filtered('级别 == "县级"', [{"活动": "推门听课", "学时": 6}])
    assert "error" == d.status
    assert '“活动记录”第 1 条的“级别”缺失，无法判定 须 级别 == "县级"（否则“活动级别与学段不符”）' in d.reason_zh
    assert "有值(级别)" in d.reason_zh
    assert "lists.活动记录[1].级别" == d.problems[0].field


def test_a_filter_condition_decided_by_present_fields_drops_or_keeps_as_before() -> None:
    cond = '活动 == "钉钉研培" 或 级别 == "县级"'
    entries = [{"活动": "钉钉研培", "学时": 6}, {"活动": "推门听课", "级别": "校级", "学时": 3}]
    d = _filtered(cond, entries)
    assert ("assessed", "6") == (d.status, str(d.results[0].value))


def test_a_filter_condition_that_says_what_missing_means_drops_the_entry() -> None:
    d = _filtered(
        '有值(级别) 且 级别 == "县级"',
        [{"活动": "推门听课", "学时": 6}, {"活动": "推门听课", "级别": "县级", "学时": 2}],
    )
    assert ("assessed", "2") == (d.status, str(d.results[0].value))


def test_a_filter_condition_may_keep_an_entry_without_the_field() -> None:
    d = _filtered(
        '缺失(级别) 或 级别 不低于 "县级"',
        [{"活动": "推门听课", "学时": 6}, {"活动": "推门听课", "级别": "校级", "学时": 2}],
    )
    assert ("assessed", "6") == (d.status, str(d.results[0].value))


# ---------- 4. one did-you-mean ----------


def test_one_did_you_mean_ranks_spellings_then_falls_back_to_containment() -> None:
    from trainrules.check import labels
    from trainrules.check.names import did_you_mean

    assert not hasattr(labels, "suggest")  # folded into did_you_mean
    assert ("是不是“县级”？", "did you mean '县级'?") == did_you_mean("县纪", ("校级", "县级", "市级"), containing=True)
    words = ("区级以上", "市县两级")
    assert ("是不是“区级以上”、“市县两级”？", "did you mean '区级以上', '市县两级'?") == did_you_mean(
        "级", words, containing=True
    )
    assert ("", "") == did_you_mean("级", words)
    assert ("", "") == did_you_mean("县纪", ("校级",), containing=True, shown=10**6)


def test_a_record_label_outside_its_vocabulary_gets_the_same_hint() -> None:
    text = "输入 教师 {\n  级别: 标签 {校级 < 县级} 依据 X1-01\n}\n结果 甲 = 1 依据 X1-02\n"
    d = _one(text, {"id": "T1", "facts": {"级别": "县纪"}})
    assert "error" == d.status
    assert "是不是“县级”？" in d.reason_zh
    assert "did you mean '县级'?" in d.reason_en


# ---------- 5, 6. a field named after a keyword; 或者 and a trailing full stop ----------

PLAN = '方案 示例 {\n  标题 "打磨"\n  期间 2024-09-01 至 2024-12-31\n  总分 100\n}\n'


def _codes(text: str) -> list[str]:
    return [d.code for d in trainrules.checks(PLAN + text, name="p.policy")]


def test_a_list_field_named_after_a_keyword_is_e125_with_a_rename() -> None:
    (d,) = trainrules.checks(PLAN + "输入 教师 {\n  记录: 列表 依据 X1-01 {\n    须: 数\n  }\n}\n", name="p.policy")
    assert ("E125", 8, "须") == (d.code, d.span.line if d.span else 0, "须")
    assert "“须数”" in d.hint
    assert "'须数'" in d.hint_en


def test_a_keyword_field_read_in_an_expression_is_e125_and_elsewhere_is_fine() -> None:
    fields = "输入 教师 {\n  非: 数 0 至 10 依据 X1-01\n}\n"
    assert ["E125"] == _codes(fields + "结果 甲 = 最小(非, 3) 依据 X1-02\n")
    assert not [
        c
        for c in _codes("输入 教师 {\n  得分: 数 0 至 10 依据 X1-01\n}\n结果 甲 = 得分 + 1 依据 X1-02\n")
        if c.startswith("E1")
    ]


def test_a_keyword_field_after_a_cited_field_is_e125_not_a_bare_e111() -> None:
    """``得分`` after a field with a citation is read as the item clause keyword: say so, with a rename."""
    text = "输入 教师 {\n  学时: 数 0 至 10 依据 X1-01\n  得分: 数 0 至 10 依据 X1-01\n}\n"
    (d,) = trainrules.checks(PLAN + text, name="p.policy")
    assert ("E125", "“得分”是关键词，在这里不能用作字段名") == (d.code, d.message)
    assert "“得分数”" in d.hint


def test_wordy_keywords_are_e126_with_the_keyword() -> None:
    fields = "输入 教师 {\n  甲: 是否 依据 X1-01\n  乙: 是否 依据 X1-01\n}\n"
    for word, keyword in (("或者", "或"), ("并且", "且"), ("而且", "且")):
        (d,) = trainrules.checks(PLAN + fields + f"合格 当 甲 {word} 乙 依据 X1-02\n", name="p.policy")
        assert ("E126", f"“{word}”不是关键词，这里应写“{keyword}”") == (d.code, d.message)


def test_a_full_stop_ending_a_rule_line_is_e127_and_only_there() -> None:
    rule = "合格 当 总分 不少于 60 依据 X1-02"
    assert ["E127"] == _codes(rule + "。\n")
    assert ["E127"] == _codes(rule + "。  # 原文如此\n")
    assert ["E127"] == _codes(rule + "．")
    assert "E127" not in _codes(rule + ' "四、考核。"\n')  # inside quoted text it is text
    assert "E127" not in _codes("合格 当 总分 不少于 60。5 依据 X1-02\n")  # inside a number: E121
