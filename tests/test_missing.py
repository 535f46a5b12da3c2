"""A missing value never becomes a number or a verdict by default (review 11, findings 1, 2, 3, 3b).

A top-level teacher field in a record, an entry condition that reads a missing teacher value, a lookup
whose key has no row, and a group 计数 whose condition a missing value decides are each an error that
names the value, never a quiet 0, a dropped field or a false condition.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

import trainrules
from trainrules.cli import main

HEAD = '方案 示例 {\n  标题 "缺失"\n}\n'


def _policy(text: str) -> trainrules.Policy:
    return trainrules.loads(HEAD + text, name="p.policy")


def _one(text: str, record: dict[str, object]) -> trainrules.Decision:
    return _policy(text).evaluate([record]).decisions[0]


# ---------- 3b: a group 计数 whose condition a missing value decides ----------

QUOTA = (
    "输入 教师 {\n  县: 文本 可缺 依据 X1\n  推荐: 是否 可缺 依据 X1\n  在编: 是否 可缺 依据 X1\n}\n"
    "核查 名额 按 县 要求 计数(推荐) 不超过 1 依据 X1\n"
)


def _quota(text: str, second: dict[str, object]) -> trainrules.GroupFinding:
    first = {"id": "T0", "facts": {"县": "甲", "推荐": True, "在编": True}}
    (g,) = _policy(text).evaluate([first, {"id": "T1", "facts": {"县": "甲", **second}}]).groups
    return g


def test_a_group_count_whose_condition_is_missing_is_undecided_naming_the_teacher() -> None:
    g = _quota(QUOTA, {})
    assert g.passed is None
    assert "编号 T1" in (g.error_zh or "")
    assert "“推荐”缺失" in (g.error_zh or "")
    assert _quota(QUOTA, {"推荐": False}).passed is True


def test_a_group_count_is_decided_where_the_missing_value_does_not_decide_it() -> None:
    """Kleene: 推荐 且 在编 is false for a teacher not 在编, whatever 推荐 is; 有值 says what missing means."""
    both = QUOTA.replace("计数(推荐)", "计数(推荐 且 在编)")
    assert _quota(both, {"在编": False}).passed is True
    assert _quota(both, {"在编": True}).passed is None
    guarded = QUOTA.replace("计数(推荐)", "计数(有值(推荐) 且 推荐)")
    assert _quota(guarded, {}).passed is True


# ---------- 2: an entry condition that reads a missing teacher value ----------

FIRST_YEAR = (
    '假设 月末对齐 "目标月没有的日子取该月最后一天" 依据 X1\n'
    "输入 教师 {\n  入职日期: 日期 可缺 依据 X1\n  类别要求: 文本 可缺 依据 X1\n"
    "  培训记录: 列表 依据 X1 {\n    日期: 日期\n    学时: 数 0 至 500\n    类别: 文本\n  }\n}\n"
)
ENTRY = {"日期": "2021-03-01", "学时": 80, "类别": "集中"}


def _first_year(text: str, facts: dict[str, object]) -> trainrules.Decision:
    return _one(FIRST_YEAR + text, {"id": "B", "facts": facts, "lists": {"培训记录": [ENTRY]}})


def test_an_aggregate_condition_reading_a_missing_teacher_value_is_an_error_not_0() -> None:
    text = "结果 首年学时 = 合计(培训记录.学时, 日期 属于 首年(入职日期)) 依据 X1\n"
    d = _first_year(text, {})
    assert "error" == d.status
    assert "“入职日期”缺失，无法判定" in d.problems[0].message_zh
    assert "facts.入职日期" == d.problems[0].field
    given = _first_year(text, {"入职日期": "2021-01-01"})
    assert ("assessed", "80") == (given.status, str(given.results[0].value))


def test_a_count_and_any_condition_reading_a_missing_teacher_value_are_errors() -> None:
    for call in ("计数(培训记录, 日期 属于 首年(入职日期))", "任一(培训记录, 日期 属于 首年(入职日期))"):
        d = _first_year(f"结果 甲 = {call} 依据 X1\n", {})
        assert "error" == d.status, call


def test_a_filter_step_reading_a_missing_teacher_value_is_an_error() -> None:
    for step in ("凡 类别 == 类别要求", '须 类别 == 类别要求 否则 "类别不符"'):
        text = f"筛选 合要求 取自 培训记录 依据 X1 {{\n  {step}\n}}\n结果 甲 = 合计(合要求.学时) 依据 X1\n"
        d = _first_year(text, {})
        assert "error" == d.status, step
        assert "“类别要求”缺失" in d.problems[0].message_zh
        assert "80" == str(_first_year(text, {"类别要求": "集中"}).results[0].value)


def test_an_entry_condition_is_decided_where_the_missing_value_does_not_decide_it() -> None:
    """Kleene: the entry's own false part decides 且 whatever the teacher value; 有值/取值 say what missing means."""
    decided = '结果 甲 = 合计(培训记录.学时, 类别 == "远程" 且 日期 属于 首年(入职日期)) 依据 X1\n'
    assert ("assessed", "0") == (lambda d: (d.status, str(d.results[0].value)))(_first_year(decided, {}))
    guarded = "结果 甲 = 合计(培训记录.学时, 有值(入职日期) 且 日期 属于 首年(入职日期)) 依据 X1\n"
    assert "0" == str(_first_year(guarded, {}).results[0].value)
    negated = "结果 甲 = 合计(培训记录.学时, 非 (日期 属于 首年(入职日期))) 依据 X1\n"
    assert "error" == _first_year(negated, {}).status


# ---------- 3: a lookup whose key is missing or has no row ----------

LOOKUP = (
    '对照表 听课级别 依据 X1 { 初中: "县级"  小学: "县级"  高中: "校级" }\n'
    "输入 教师 {\n  培训记录: 列表 依据 X1 {\n    级别: 文本\n    学时: 数 0 至 500\n  }\n}\n"
)


def _stage(text: str, stage: str | None) -> trainrules.Decision:
    record: dict[str, object] = {"id": "X", "lists": {"培训记录": [{"级别": "校级", "学时": 6}]}}
    if stage is not None:
        record["stage"] = stage
    return _one(LOOKUP + text, record)


def test_a_lookup_with_a_key_without_a_row_is_an_error_naming_the_table_and_the_key() -> None:
    text = "结果 听课 = 合计(培训记录.学时, 级别 == 听课级别[学段]) 依据 X1\n"
    d = _stage(text, "职高")
    assert "error" == d.status
    assert "学段“职高”不在对照表“听课级别”中（有：初中、小学、高中）" in d.problems[0].message_zh
    assert "学段缺失，无法查对照表“听课级别”" in _stage(text, None).problems[0].message_zh
    assert "6" == str(_stage(text, "高中").results[0].value)


def test_a_lookup_outside_lists_is_an_error_too_unless_written_with_a_default() -> None:
    strict = "结果 应为 = 听课级别[学段] 依据 X1\n"
    assert "error" == _stage(strict, "职高").status
    defaulted = '结果 应为 = 取值(听课级别[学段], "无") 依据 X1\n'
    assert "无" == _stage(defaulted, "职高").results[0].value
    assert "校级" == _stage(defaulted, "高中").results[0].value
    tested = "结果 有 = 有值(听课级别[学段]) 依据 X1\n"
    assert False is _stage(tested, None).results[0].value


# ---------- 1: teacher fields at the top level of a record; near-miss keys and columns ----------

FIELDS = (
    "输入 教师 {\n  县: 文本 可缺 依据 X1\n  入职日期: 日期 可缺 依据 X1\n}\n"
    '结果 县名 = 取值(县, "无") 依据 X1\n结果 入职 = 有值(入职日期) 依据 X1\n'
)


def test_a_declared_field_at_the_top_level_is_read_as_under_facts() -> None:
    d = _one(FIELDS, {"id": "A", "县": "甲县", "入职日期": "2021-01-01"})
    assert "assessed" == d.status
    assert ["甲县", True] == [r.value for r in d.results]


def test_a_field_given_at_the_top_level_and_under_facts_is_an_error_naming_both() -> None:
    d = _one(FIELDS, {"id": "A", "县": "甲县", "facts": {"县": "乙县"}})
    assert "error" == d.status
    assert "“县”写了两处：facts 里的“县”和顶层的“县”" in d.problems[0].message_zh


def test_a_top_level_near_miss_of_a_declared_field_is_an_error_with_the_suggestion() -> None:
    for record in ({"id": "A", "入职时间": "2021-01-01"}, {"id": "A", "facts": {"入职时间": "2021-01-01"}}):
        d = _one(FIELDS, record)
        assert "error" == d.status
        assert "本方案没有字段“入职时间”：是不是“入职日期”？" in d.problems[0].message_zh
    assert "assessed" == _one(FIELDS, {"id": "A", "备注": "x"}).status  # not close to any field: allowed


def _evaluate_csv(tmp_path: Path, header: str) -> Result:
    policy = tmp_path / "p.policy"
    policy.write_text(HEAD + FIELDS, encoding="utf-8")
    records = tmp_path / "r.csv"
    records.write_text(f"编号,县,{header}\nA,甲县,2021-01-01\n", encoding="utf-8")
    return CliRunner().invoke(main, ["evaluate", str(policy), str(records), "-o", str(tmp_path / "o.json")])


def test_a_csv_column_that_is_a_near_miss_of_a_declared_field_is_a_file_error(tmp_path: Path) -> None:
    result = _evaluate_csv(tmp_path, "入职时间")
    assert 2 == result.exit_code
    assert "列“入职时间”不是本方案的字段：是不是“入职日期”？" in result.output
    assert not (tmp_path / "o.json").exists()


def test_other_unknown_csv_columns_are_listed_once_on_stderr_and_in_the_run(tmp_path: Path) -> None:
    result = _evaluate_csv(tmp_path, "备注")
    assert 0 == result.exit_code
    assert 1 == result.stderr.count("未使用的列：备注")
    run = json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))["run"]
    assert ["备注"] == run["unused_columns"]
    assert 0 == _evaluate_csv(tmp_path, "入职日期").exit_code
    assert [] == json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))["run"]["unused_columns"]


def test_a_per_entry_definition_that_is_a_condition_over_a_missing_teacher_value_is_an_error() -> None:
    text = (
        "定义 培训记录.首年内 = 日期 属于 首年(入职日期) 依据 X1\n结果 首年学时 = 合计(培训记录.学时, 首年内) 依据 X1\n"
    )
    assert "error" == _first_year(text, {}).status
    assert "80" == str(_first_year(text, {"入职日期": "2021-01-01"}).results[0].value)
