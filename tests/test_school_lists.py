"""Lists in 输入 学校: validated like a teacher's, read from the school record, counted in group checks 按 学校."""

from __future__ import annotations

import json
from pathlib import Path

import trainrules
from trainrules.records import read_schools

HEAD = """方案 甲 { 标题 "学校列表" 期间 2023-01-01 至 2023-12-31 }
输入 学校 {
  类别: 标签 {中学, 小学} 依据 X1-01
  听课材料: 列表 依据 X1-01 {
    上传时间: 时刻
  }
}
对照表 次数 依据 X1-02 { 中学: 2  小学: 1 }
假设 下班时间 = 17:00 "下班前指当地 17:00" 依据 G4
"""
CHECK = """核查 听课材料按时 按 学校
    要求 计数(听课材料, 上传时间 早于 2023-05-08 下班前) 不少于 次数[学校.类别]
    依据 X1-02
"""


def codes(text: str) -> list[str]:
    """The errors and warnings of ``text`` other than W601 (a list nothing reads: the E328 cases read none)."""
    return [d.code for d in trainrules.checks(text) if d.code != "W601"]


def school(name: str, kind: str, *times: str) -> dict[str, object]:
    return {"school": name, "facts": {"类别": kind}, "lists": {"听课材料": [{"上传时间": t} for t in times]}}


TEACHERS = [{"id": "T1", "school": "一中"}, {"id": "T2", "school": "一中"}, {"id": "T3", "school": "一小"}]


def test_a_school_list_in_a_group_check_by_school_checks_clean() -> None:
    assert codes(HEAD + CHECK) == []


def test_the_count_is_per_school_and_the_deadline_is_exclusive_at_17_00() -> None:
    pol = trainrules.loads(HEAD + CHECK)
    schools = [
        school("一中", "中学", "2023-05-08 16:59", "2023-05-08 17:00"),  # 17:00 整 is late: 1 of 2
        school("一小", "小学", "2023-05-01 09:00"),
    ]
    results = pol.evaluate(TEACHERS, schools)
    by_school = {dict(f.group)["学校"]: f for f in results.groups}
    assert by_school["一中"].passed is False
    assert by_school["一小"].passed is True
    assert dict(by_school["一中"].values)["计数(听课材料, 上传时间 早于 2023-05-08 下班前)"] == "1"
    assert len(results.groups) == 2  # one finding per school, not per teacher


def test_an_empty_or_absent_school_list_counts_zero() -> None:
    pol = trainrules.loads(HEAD + CHECK)
    results = pol.evaluate([{"id": "T3", "school": "一小"}], [{"school": "一小", "facts": {"类别": "小学"}}])
    assert [f.passed for f in results.groups] == [False]


def test_a_bad_school_entry_is_an_error_naming_entry_and_field_for_its_teachers_only() -> None:
    pol = trainrules.loads(HEAD + CHECK)
    schools = [school("一中", "中学", "2023-04-31 09:00"), school("一小", "小学", "2023-05-01 09:00")]
    results = pol.evaluate(TEACHERS, schools)
    status = {d.id: d.status for d in results.decisions}
    assert status == {"T1": "error", "T2": "error", "T3": "assessed"}
    reason = next(d.reason_zh for d in results.decisions if d.id == "T1")
    assert "听课材料第 1 条" in reason
    assert "上传时间" in reason
    assert [dict(f.group)["学校"] for f in results.groups] == ["一小"]  # 一中 is not counted from broken data


def test_a_school_list_read_outside_a_group_check_by_school_is_e328() -> None:
    assert codes(HEAD + "合格 当 计数(听课材料) >= 1 依据 X1-03\n") == ["E328"]
    assert codes(HEAD + "输入 教师 { 组: 文本 依据 X1-01 }\n核查 甲 按 组 要求 计数(听课材料) >= 1 依据 X1-03\n") == [
        "E328"
    ]
    filtered = HEAD + "筛选 按时 取自 听课材料 依据 X1-03 { 凡 上传时间 早于 2023-05-08 下班前 }\n"
    assert codes(filtered + "定义 按时数 = 计数(按时) 依据 X1-03\n合格 当 按时数 >= 1 依据 X1-03\n") == ["E328"]
    assert codes(filtered + "核查 乙 按 学校 要求 计数(按时) >= 1 依据 X1-03\n") == []


def test_school_lists_are_read_from_nested_json_school_records(tmp_path: Path) -> None:
    path = tmp_path / "schools.json"
    path.write_text(json.dumps([school("一小", "小学", "2023-05-08 16:00")], ensure_ascii=False), encoding="utf-8")
    pol = trainrules.loads(HEAD + CHECK)
    results = pol.evaluate([{"id": "T3", "school": "一小"}], read_schools(path, separate=True))
    assert [f.passed for f in results.groups] == [True]


def test_a_school_list_given_as_a_table_column_is_an_error_not_an_empty_list(tmp_path: Path) -> None:
    path = tmp_path / "schools.csv"
    path.write_text("学校,类别,听课材料\n一小,小学,3\n", encoding="utf-8")
    pol = trainrules.loads(HEAD + CHECK)
    results = pol.evaluate([{"id": "T3", "school": "一小"}], read_schools(path, separate=True))
    assert [d.status for d in results.decisions] == ["error"]
    assert "学校的列表" in results.decisions[0].reason_zh
    assert list(results.groups) == []


# ---------- 按 全体: one group of every teacher of the run ----------

WHOLE = """方案 甲 { 标题 "全体" 期间 2023-01-01 至 2023-12-31 }
输入 教师 {
  骨干级别: 标签 {校级 < 区级 < 市级} 可缺 依据 X1-01
}
核查 骨干总数 按 全体 要求 计数(有值(骨干级别)) 不少于 3 依据 X1-02
核查 市级以上 按 全体 要求 计数(骨干级别 不低于 "市级" 且 有值(骨干级别)) 不少于 1 依据 X1-02
"""


def test_whole_run_is_one_group_across_schools() -> None:
    assert codes(WHOLE) == []
    teachers = [
        {"id": "A", "school": "一中", "facts": {"骨干级别": "市级"}},
        {"id": "B", "school": "二中", "facts": {"骨干级别": "校级"}},
        {"id": "C", "school": "二中"},
    ]
    results = trainrules.loads(WHOLE).evaluate(teachers)
    found = {f.check: f for f in results.groups}
    assert len(results.groups) == 2  # one finding per check, not per school
    assert found["骨干总数"].group == (("全体", "全体"),)
    assert found["骨干总数"].passed is False
    assert dict(found["骨干总数"].values)["计数(有值(骨干级别))"] == "2"
    assert found["市级以上"].passed is True
    teachers.append({"id": "D", "school": "三中", "facts": {"骨干级别": "区级"}})
    assert {f.check: f.passed for f in trainrules.loads(WHOLE).evaluate(teachers).groups}["骨干总数"] is True


def test_whole_run_with_other_keys_is_e329_and_school_facts_are_not_readable() -> None:
    assert codes(WHOLE.replace("按 全体 要求 计数(有值", "按 全体, 学校 要求 计数(有值")) == ["E329"]
    text = HEAD + "核查 丙 按 全体 要求 计数(听课材料) >= 1 依据 X1-03\n"
    assert "E328" in codes(text)  # a school list needs 按 学校
    assert codes(HEAD + '核查 丁 按 全体 要求 学校.类别 == "中学" 依据 X1-03\n') == ["E310"]  # no one school


# ---------- 核查 … 适用 当: a check about some teachers only ----------

SCOPED = """方案 甲 { 标题 "适用" 期间 2023-01-01 至 2023-12-31 }
输入 教师 {
  学历: 标签 {专科 < 本科 < 研究生} 可缺 依据 X1-01
}
核查 学历达标 要求 学历 不低于 "本科" 适用 当 学段 == "小学" 或 学段 == "初中" 依据 X1-02
核查 小学本科人数 按 学校 要求 计数(学历 不低于 "本科") 不少于 人数() 适用 当 学段 == "小学" 依据 X1-02
"""
SCOPED_TEACHERS = [
    {"id": "A", "school": "一小", "stage": "小学", "facts": {"学历": "专科"}},
    {"id": "B", "school": "一小", "stage": "小学", "facts": {"学历": "本科"}},
    {"id": "C", "school": "一小", "stage": "高中", "facts": {"学历": "专科"}},
    {"id": "D", "school": "二中", "stage": "高中", "facts": {"学历": "专科"}},
]


def test_a_per_teacher_check_outside_its_scope_is_not_applicable() -> None:
    assert codes(SCOPED) == []
    results = trainrules.loads(SCOPED).evaluate(SCOPED_TEACHERS)
    checks = {d.id: d.checks[0] for d in results.decisions}
    assert [checks[t].passed for t in "AB"] == [False, True]
    assert checks["C"].applicable is False
    assert checks["C"].passed is None
    assert checks["C"].to_dict() == {"name": "学历达标", "passed": None, "applicable": False}
    assert checks["A"].to_dict() == {"name": "学历达标", "passed": False}  # unchanged JSON for applicable checks
    explained = trainrules.loads(SCOPED).evaluate(SCOPED_TEACHERS[2:3], explain=True).decisions[0]
    assert explained.steps is not None
    step = next(s for s in explained.steps if s.kind == "核查" and s.subject == "学历达标")
    assert step.result == "不适用"
    assert "高中" in step.detail_zh


def test_a_grouped_check_counts_only_the_teachers_it_applies_to() -> None:
    results = trainrules.loads(SCOPED).evaluate(SCOPED_TEACHERS)
    found = {dict(f.group)["学校"]: f for f in results.groups}
    assert set(found) == {"一小"}  # 二中 has no 小学 teacher: no group
    assert dict(found["一小"].values)["人数()"] == "2"  # C (高中) is not counted
    assert found["一小"].passed is False
    fixed = [t if t["id"] != "A" else {**t, "facts": {"学历": "研究生"}} for t in SCOPED_TEACHERS]
    assert [f.passed for f in trainrules.loads(SCOPED).evaluate(fixed).groups] == [True]


def test_the_scope_condition_must_be_a_yes_or_no() -> None:
    assert "E303" in codes(SCOPED.replace('适用 当 学段 == "小学" 依据', "适用 当 学段 依据"))
