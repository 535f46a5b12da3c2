"""Group facts keyed by any teacher field (输入 县 { … }, 县.字段, group records with a kind and a key) and
去重计数 over a group's teachers and over a list's entries."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trainrules
from trainrules.records import read_records, read_schools
from trainrules.results import GroupFinding, Results

HEAD = """方案 甲 { 标题 "县的组事实" 期间 2023-01-01 至 2023-12-31 }
输入 教师 {
  县: 文本 可缺                          依据 X1-01
}
输入 县 {
  学校名额: 整数 0 至 100                依据 X1-02
  督导: 列表 依据 X1-03 {
    校名: 文本 可缺
  }
}
"""
SCHOOLS_PER_COUNTY = """核查 每县学校数 按 县
    要求 去重计数(学校) 不超过 县.学校名额
    依据 X1-02
"""
VISITS = """核查 督导覆盖 按 县
    要求 去重计数(督导.校名, 有值(校名)) 不少于 去重计数(学校)
    依据 X1-03
"""


def codes(text: str) -> list[str]:
    return [d.code for d in trainrules.checks(text)]


def county(name: str, quota: int, visits: list[dict[str, object]] | None = None) -> dict[str, object]:
    return {"kind": "县", "key": name, "facts": {"学校名额": quota}, "lists": {"督导": visits or []}}


def teacher(tid: str, school: str, county_name: str | None) -> dict[str, object]:
    facts = {} if county_name is None else {"县": county_name}
    return {"id": tid, "school": school, "facts": facts}


def by_group(results: Results, check: str) -> dict[str, GroupFinding]:
    return {"，".join(v for _, v in f.group): f for f in results.groups if f.check == check}


# ---------- checking ----------


def test_group_facts_by_a_declared_teacher_field_check_clean() -> None:
    assert codes(HEAD + SCHOOLS_PER_COUNTY + VISITS) == []


def test_an_input_block_for_something_that_is_not_a_teacher_field_is_e345_with_a_suggestion() -> None:
    found = trainrules.checks(HEAD.replace("输入 县 {", "输入 县区 {") + "核查 甲 要求 县区.学校名额 >= 1 依据 X1-02\n")
    e345 = [d for d in found if d.code == "E345"]
    assert len(e345) == 1
    assert "县区" in e345[0].message
    assert "县" in e345[0].hint


def test_a_group_keyed_by_a_number_field_is_e346() -> None:
    text = HEAD.replace("县: 文本 可缺", "县: 整数 1 至 9 可缺")
    assert "E346" in codes(text + SCHOOLS_PER_COUNTY)


def test_a_county_fact_read_in_a_check_grouped_by_another_field_is_e310() -> None:
    text = HEAD + "核查 甲 按 学科 要求 人数() 不超过 县.学校名额 依据 X1-02\n"
    assert "E310" in codes(text)


def test_a_county_list_read_outside_a_check_by_county_is_e328_naming_the_county() -> None:
    found = trainrules.checks(HEAD + "核查 甲 按 学校 要求 计数(督导) >= 1 依据 X1-03\n")
    e328 = [d for d in found if d.code == "E328"]
    assert len(e328) == 1
    assert "县的列表" in e328[0].message


def test_a_county_fact_reads_per_teacher_too() -> None:
    pol = trainrules.loads(HEAD + "核查 名额够 要求 县.学校名额 >= 2 依据 X1-02\n")
    results = pol.evaluate([teacher("T1", "一小", "金寨县")], [county("金寨县", 2)])
    assert [c.passed for c in results.decisions[0].checks] == [True]


# ---------- evaluation: 去重计数 over a group's teachers ----------


def test_distinct_schools_per_county_two_teachers_of_one_school_count_once() -> None:
    pol = trainrules.loads(HEAD + SCHOOLS_PER_COUNTY)
    teachers = [
        teacher("T1", "岳西一小", "岳西县"),
        teacher("T2", "岳西二小", "岳西县"),
        teacher("T3", "岳西二小", "岳西县"),  # the same school again: still 2 schools
        teacher("T4", "金寨一小", "金寨县"),
        teacher("T5", "金寨二小", "金寨县"),
        teacher("T6", "金寨三小", "金寨县"),
    ]
    results = pol.evaluate(teachers, [county("岳西县", 2), county("金寨县", 2)])
    found = by_group(results, "每县学校数")
    assert found["岳西县"].passed is True
    assert dict(found["岳西县"].values)["去重计数(学校)"] == "2"
    assert dict(found["岳西县"].values)["县.学校名额"] == "2"
    assert found["金寨县"].passed is False
    assert dict(found["金寨县"].values)["去重计数(学校)"] == "3"


def test_a_teacher_without_a_county_is_left_out_and_the_check_says_how_many() -> None:
    pol = trainrules.loads(HEAD + SCHOOLS_PER_COUNTY)
    teachers = [teacher("T1", "一小", "金寨县"), teacher("T2", "二小", None), teacher("T3", "三小", None)]
    results = pol.evaluate(teachers, [county("金寨县", 3)])
    assert all(d.status == "assessed" for d in results.decisions)  # no county: in no group, not an error
    found = by_group(results, "每县学校数")
    assert found["金寨县"].passed is True
    assert dict(found["金寨县"].values)["去重计数(学校)"] == "1"
    left = found["（缺失）"]
    assert left.passed is None
    assert "2 名教师缺少“县”" in left.error_zh
    assert dict(left.values) == {"未分组人数": "2"}


def test_a_county_without_a_record_is_an_error_for_its_teachers_naming_it() -> None:
    pol = trainrules.loads(HEAD + SCHOOLS_PER_COUNTY)
    results = pol.evaluate([teacher("T1", "一小", "金寨县"), teacher("T2", "二小", "岳西县")], [county("金寨县", 3)])
    status = {d.id: d.status for d in results.decisions}
    assert status == {"T1": "assessed", "T2": "error"}
    t2 = next(d for d in results.decisions if d.id == "T2")
    assert "县“岳西县”没有县记录" in t2.reason_zh
    assert [dict(f.group)["县"] for f in results.groups] == ["金寨县"]


def test_a_bad_county_fact_is_an_error_for_that_county_only() -> None:
    pol = trainrules.loads(HEAD + SCHOOLS_PER_COUNTY)
    bad = {"kind": "县", "key": "岳西县", "facts": {"学校名额": 300}}  # outside 0 至 100
    results = pol.evaluate(
        [teacher("T1", "一小", "金寨县"), teacher("T2", "二小", "岳西县")], [county("金寨县", 3), bad]
    )
    status = {d.id: d.status for d in results.decisions}
    assert status == {"T1": "assessed", "T2": "error"}
    assert "学校名额" in next(d.reason_zh for d in results.decisions if d.id == "T2")


def test_two_records_for_one_county_and_a_kind_the_plan_has_not_are_reported() -> None:
    pol = trainrules.loads(HEAD + SCHOOLS_PER_COUNTY)
    results = pol.evaluate(
        [teacher("T1", "一小", "金寨县")],
        [county("金寨县", 3), county("金寨县", 4), {"kind": "乡", "key": "某乡", "facts": {}}],
    )
    assert "县“金寨县”有多条县记录" in results.decisions[0].reason_zh
    assert [p.message_zh for p in results.school_problems] == [
        "组记录的类别“乡”不是本方案声明的组（没有“输入 乡”），未使用"
    ]


def test_a_missing_value_is_not_a_distinct_value_unless_filtered() -> None:
    text = HEAD + "核查 县数 按 全体 要求 去重计数(县) >= 2 依据 X1-02\n"
    teachers = [teacher("T1", "一小", "金寨县"), teacher("T2", "二小", None)]
    results = trainrules.loads(text).evaluate(teachers, [county("金寨县", 3)])
    finding = results.groups[0]
    assert finding.passed is None
    assert "“县”缺失，不能计入去重计数" in finding.error_zh
    filtered = text.replace("去重计数(县)", "去重计数(县, 有值(县))")
    results = trainrules.loads(filtered).evaluate(teachers, [county("金寨县", 3)])
    assert (results.groups[0].passed, dict(results.groups[0].values)["去重计数(县, 有值(县))"]) == (False, "1")


# ---------- 去重计数 over a list's entries ----------


def test_distinct_count_over_a_county_list_counts_each_school_once() -> None:
    pol = trainrules.loads(HEAD + VISITS)
    visits = [
        {"校名": "一小"},
        {"校名": "一小"},  # visited twice: counts once
        {"校名": "二小"},
        {},  # no school: filtered out by 有值(校名)
    ]
    results = pol.evaluate(
        [teacher("T1", "一小", "金寨县"), teacher("T2", "二小", "金寨县"), teacher("T3", "三小", "金寨县")],
        [county("金寨县", 3, visits)],
    )
    finding = results.groups[0]
    assert dict(finding.values)["去重计数(督导.校名, 有值(校名))"] == "2"
    assert dict(finding.values)["去重计数(学校)"] == "3"
    assert finding.passed is False


def test_a_missing_entry_value_inside_distinct_count_is_an_error_naming_the_entry() -> None:
    pol = trainrules.loads(HEAD + VISITS.replace("去重计数(督导.校名, 有值(校名))", "去重计数(督导.校名)"))
    results = pol.evaluate([teacher("T1", "一小", "金寨县")], [county("金寨县", 3, [{}])])
    finding = results.groups[0]
    assert finding.passed is None
    assert "“督导”第 1 条的“校名”缺失" in finding.error_zh


TEACHER_LIST = """方案 乙 { 标题 "论文" 期间 2023-01-01 至 2023-12-31 }
输入 教师 {
  论文: 列表 依据 X2-01 {
    题目: 文本
    级别: 标签 {校级 < 县级 < 市级}
  }
}
筛选 去重论文 取自 论文 依据 X2-02 "同一论文只按最高一次计" {
  每 题目 前 1 按 级别
}
结果 论文篇数 = 去重计数(论文.题目) 依据 X2-02
结果 计入篇数 = 计数(去重论文) 依据 X2-02
结果 市级篇数 = 计数(去重论文, 级别 == "市级") 依据 X2-02
"""


def test_distinct_by_a_key_at_its_highest_level_is_a_top_one_filter_per_key() -> None:
    """One paper awarded twice counts once, at its highest level: 每 题目 前 1 按 级别 (the idiom, no new construct)."""
    pol = trainrules.loads(TEACHER_LIST)
    assert [d.code for d in pol.warnings] == []
    papers = [
        {"题目": "大概念教学", "级别": "县级"},
        {"题目": "单元设计", "级别": "校级"},
        {"题目": "大概念教学", "级别": "市级"},  # the same paper again, higher: it counts at 市级
    ]
    d = pol.evaluate([{"id": "T1", "lists": {"论文": papers}}]).decisions[0]
    results = {r.name: r.value for r in d.results}
    assert results == {"论文篇数": Decimal(2), "计入篇数": Decimal(2), "市级篇数": Decimal(1)}


# ---------- records ----------


def test_group_records_from_json_jsonl_and_csv(tmp_path: Path) -> None:
    doc = {
        "teachers": [teacher("T1", "一小", "金寨县")],
        "schools": [{"school": "一小"}],
        "groups": [county("金寨县", 3)],
    }
    (tmp_path / "r.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    lines = [{"kind": "teacher", **teacher("T1", "一小", "金寨县")}, county("金寨县", 3)]
    (tmp_path / "r.jsonl").write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    (tmp_path / "g.csv").write_text("kind,key,学校名额\n县,金寨县,3\n", encoding="utf-8")
    pol = trainrules.loads(HEAD + "核查 名额够 按 县 要求 人数() 不超过 县.学校名额 依据 X1-02\n")
    for records, groups in (("r.json", "r.json"), ("r.jsonl", "r.jsonl"), ("r.json", "g.csv")):
        read = read_schools(tmp_path / groups, separate=groups.endswith(".csv"))
        results = pol.evaluate(read_records(tmp_path / records), read)
        assert [(dict(f.group), f.passed) for f in results.groups] == [({"县": "金寨县"}, True)], (records, groups)
    assert len(list(read_records(tmp_path / "r.jsonl"))) == 1  # the county line is not a teacher


def test_school_records_still_read_with_kind_school_or_without_kind() -> None:
    text = """方案 丙 { 标题 "学校" 期间 2023-01-01 至 2023-12-31 }
输入 学校 { 课程数: 整数 0 至 9 依据 X1-01 }
核查 课程 按 学校 要求 学校.课程数 >= 2 依据 X1-01
"""
    pol = trainrules.loads(text)
    schools = [{"school": "一中", "facts": {"课程数": 2}}, {"kind": "学校", "key": "二中", "facts": {"课程数": 1}}]
    results = pol.evaluate([{"id": "T1", "school": "一中"}, {"id": "T2", "school": "二中"}], schools)
    assert [(dict(f.group)["学校"], f.passed) for f in results.groups] == [("一中", True), ("二中", False)]


# ---------- laws ----------

SCHOOL_NAMES = st.sampled_from(["一小", "二小", "三小", "四小"])
COUNTIES = st.sampled_from(["金寨县", "岳西县"])
ROSTER = st.lists(st.tuples(SCHOOL_NAMES, COUNTIES), min_size=1, max_size=12)


def _findings(pol: trainrules.Policy, roster: list[tuple[str, str]]) -> list[tuple[object, ...]]:
    teachers = [teacher(f"T{i}", s, c) for i, (s, c) in enumerate(roster)]
    results = pol.evaluate(teachers, [county("金寨县", 2), county("岳西县", 2)])
    return sorted((f.check, f.group, f.passed, f.values) for f in results.groups)


@settings(max_examples=40, deadline=None)
@given(roster=ROSTER, data=st.data())
def test_permuting_teachers_never_changes_a_group_finding(roster: list[tuple[str, str]], data: st.DataObject) -> None:
    pol = trainrules.loads(HEAD + SCHOOLS_PER_COUNTY)
    shuffled = data.draw(st.permutations(roster))
    assert _findings(pol, roster) == _findings(pol, list(shuffled))


@settings(max_examples=40, deadline=None)
@given(roster=ROSTER, data=st.data())
def test_duplicating_a_teachers_value_never_raises_the_distinct_count(
    roster: list[tuple[str, str]], data: st.DataObject
) -> None:
    pol = trainrules.loads(HEAD + SCHOOLS_PER_COUNTY)
    again = data.draw(st.sampled_from(roster))
    before = {
        f.group: dict(f.values)["去重计数(学校)"]
        for f in pol.evaluate(
            [teacher(f"T{i}", s, c) for i, (s, c) in enumerate(roster)], [county("金寨县", 2), county("岳西县", 2)]
        ).groups
    }
    grown = [*roster, again]
    after = {
        f.group: dict(f.values)["去重计数(学校)"]
        for f in pol.evaluate(
            [teacher(f"T{i}", s, c) for i, (s, c) in enumerate(grown)], [county("金寨县", 2), county("岳西县", 2)]
        ).groups
    }
    assert before == after


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.sampled_from(["一小", "二小", "三小"]), max_size=8), data=st.data())
def test_permuting_or_duplicating_entries_never_changes_the_distinct_count_of_a_list(
    values: list[str], data: st.DataObject
) -> None:
    pol = trainrules.loads(HEAD + VISITS)
    shuffled = list(data.draw(st.permutations(values)))
    extra = [*values, *values[:1]]

    def count(vs: list[str]) -> str:
        visits = [{"校名": v} for v in vs]
        results = pol.evaluate([teacher("T1", "一小", "金寨县")], [county("金寨县", 3, visits)])
        return dict(results.groups[0].values)["去重计数(督导.校名, 有值(校名))"]

    assert count(values) == count(shuffled) == count(extra) == str(len(set(values)))


@pytest.mark.parametrize("kind", ["学校", "school", None])
def test_a_school_record_kind_is_school(kind: str | None) -> None:
    from trainrules.evaluate import _record_kind  # the one place that tells a school record from another group's

    assert _record_kind({} if kind is None else {"kind": kind}) == "学校"


# ---------- exceptions on per-entry definitions (例外 列表.名称), as R003-07 uses them ----------

REPORTS = """方案 丁 { 标题 "报送" 时区 "Asia/Shanghai" 依据 G1 }
输入 教师 { 市: 文本 依据 X3-01 }
输入 市 {
  年度报告: 列表 依据 X3-01 {
    年度: 整数 2021 至 2025 可缺      依据 X3-01
    报送时间: 时刻                    依据 X3-01
  }
}
定义 年度报告.截止 = 月末(取值(年度, 2025) + 1, 2) 24:00     依据 X3-02
例外 年度报告.截止 = 2022-04-30 24:00 当 年度 == 2021        依据 X3-03
核查 按时 按 市 要求 计数(年度报告, 非 (报送时间 早于 截止)) == 0   依据 X3-02
"""


def _report_finding(text: str, *entries: dict[str, object]) -> GroupFinding:
    city = {"kind": "市", "key": "甲市", "lists": {"年度报告": list(entries)}}
    results = trainrules.loads(text).evaluate([{"id": "T1", "facts": {"市": "甲市"}}], [city])
    assert len(results.groups) == 1
    return results.groups[0]


def test_a_per_entry_exception_applies_to_its_entries_only() -> None:
    assert codes(REPORTS) == []
    on_time = _report_finding(REPORTS, {"年度": 2021, "报送时间": "2022-04-30 23:59"})
    assert on_time.passed is True
    late = _report_finding(REPORTS, {"年度": 2022, "报送时间": "2023-04-30 23:59"})
    assert late.passed is False


def test_a_per_entry_exception_to_no_such_definition_is_e330_and_a_wrong_type_e303() -> None:
    assert "E330" in codes(REPORTS.replace("例外 年度报告.截止", "例外 年度报告.截至"))
    assert "E303" in codes(REPORTS.replace("= 2022-04-30 24:00 当", "= 2022 当"))


def test_two_per_entry_exceptions_that_hold_at_once_are_an_error() -> None:
    text = REPORTS + "例外 年度报告.截止 = 2022-05-31 24:00 当 年度 属于 [2021, 2022]  依据 X3-03\n"
    finding = _report_finding(text, {"年度": 2021, "报送时间": "2022-04-01 09:00"})
    assert finding.passed is None
    assert "两条例外同时成立" in finding.error_zh


def test_a_missing_entry_field_never_decides_a_per_entry_exception() -> None:
    finding = _report_finding(REPORTS, {"报送时间": "2022-04-01 09:00"})  # no 年度: the exception is undecidable
    assert finding.passed is None
    assert "读到缺失的“年度”" in finding.error_zh


def test_group_records_from_an_xlsx_sheet_with_kind_and_key_columns(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = "教师"
    sheet.append(["编号", "学校", "县"])
    sheet.append(["T1", "一小", "金寨县"])
    groups = wb.create_sheet("学校")
    groups.append(["kind", "key", "学校名额"])
    groups.append(["县", "金寨县", 0])
    path = tmp_path / "r.xlsx"
    wb.save(path)
    wb.close()
    pol = trainrules.loads(HEAD + "核查 名额够 按 县 要求 人数() 不超过 县.学校名额 依据 X1-02\n")
    results = pol.evaluate(read_records(path), read_schools(path))
    assert [(dict(f.group), f.passed) for f in results.groups] == [({"县": "金寨县"}, False)]
