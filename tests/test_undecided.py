"""A missing value never decides a scope, an exception, a group sum or a top-N group by default (no silent verdicts).

A comparison with a missing value is false; where that false would decide whether a rule counts
(适用 当, 例外 … 当), be summed as 0 in a group check, or put unrelated entries into one 前 N group,
the record (or the group) is an error naming the value instead.
"""

from __future__ import annotations

import trainrules

HEAD = '方案 示例 {\n  标题 "未判定"\n}\n'


def _one(text: str, record: dict[str, object]) -> trainrules.Decision:
    return trainrules.loads(HEAD + text, name="p.policy").evaluate([record]).decisions[0]


def test_a_scope_that_reads_a_missing_field_is_an_error_not_a_met_requirement() -> None:
    text = (
        "输入 教师 {\n  在编: 是否 可缺 依据 X1-01\n  总学时: 数 0 至 1000 依据 X1-01\n}\n"
        "要求 周期培训 适用 当 在编 依据 X1-02 {\n  须 总学时 不少于 240\n}\n"
        "合格 当 周期培训 依据 X1-03\n"
    )
    d = _one(text, {"id": "T1", "facts": {"总学时": 100}})
    assert "error" == d.status
    assert "“在编”缺失，无法判定" in d.reason_zh
    assert "error" != _one(text, {"id": "T2", "facts": {"总学时": 100, "在编": False}}).status


def test_not_and_not_equal_agree_on_a_missing_value() -> None:
    """`年度 ≠ 2021` and `非 (年度 == 2021)` are the same condition: both are undecided without 年度."""
    fields = "输入 教师 {\n  年度: 数 2000 至 2100 可缺 依据 X1-01\n}\n"
    for cond in ("年度 ≠ 2021", "非 (年度 == 2021)"):
        d = _one(fields + f"结果 甲 = 1 适用 当 {cond} 依据 X1-02\n", {"id": "T1"})
        assert "error" == d.status, cond


def test_a_guarded_scope_decides_with_a_missing_field() -> None:
    """有值/取值 say what a missing value means: then the scope is decided."""
    fields = "输入 教师 {\n  年度: 数 2000 至 2100 可缺 依据 X1-01\n}\n"
    d = _one(fields + "结果 甲 = 1 适用 当 取值(年度, 0) ≠ 2021 依据 X1-02\n", {"id": "T1"})
    assert ("assessed", "1") == (d.status, str(d.results[0].value))


def test_an_exception_whose_condition_reads_a_missing_field_is_an_error() -> None:
    text = (
        "输入 教师 {\n  年度: 数 2000 至 2100 可缺 依据 X1-01\n}\n"
        "定义 截止月 = 3 依据 X1-02\n例外 截止月 = 4 当 年度 == 2021 依据 X1-03\n"
        "结果 报送月 = 截止月 依据 X1-04\n"
    )
    assert "error" == _one(text, {"id": "T1"}).status
    assert "4" == str(_one(text, {"id": "T2", "facts": {"年度": 2021}}).results[0].value)


def test_a_group_sum_with_a_missing_value_is_undecided_not_a_sum_with_0() -> None:
    text = (
        "输入 教师 {\n  学时: 数 0 至 100 可缺 依据 X1-01\n}\n"
        "核查 学时总量 按 学校 要求 合计(学时) 不超过 100 依据 X1-02\n"
    )
    policy = trainrules.loads(HEAD + text, name="p.policy")
    results = policy.evaluate([{"id": "T1", "school": "一中", "facts": {"学时": 90}}, {"id": "T2", "school": "一中"}])
    (g,) = results.groups
    assert g.passed is None
    assert "缺失，不能按 0 计入合计" in (g.error_zh or "")


def test_a_late_item_without_late_points_and_without_a_score_is_an_error_not_0() -> None:
    text = (
        "部分 甲 满分 10 依据 X1-01 {\n  项目 作业 满分 10 依据 X1-02 {\n    截止 2024-10-15 24:00 前\n  }\n}\n"
        "合格 当 总分 不少于 6 依据 X1-03\n"
    )
    d = _one(text, {"id": "T1", "items": {"作业": {"submitted_at": "2024-10-20 09:00"}}})
    assert "error" == d.status
    assert "逾期提交，方案未写逾期得分，而分数缺失" in (d.reason_zh or "")
    scored = _one(text, {"id": "T2", "items": {"作业": {"submitted_at": "2024-10-20 09:00", "score": 7}}})
    assert ("assessed", True) == (scored.status, scored.passed)
