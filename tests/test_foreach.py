"""``逐 名 取自 式`` in 要求 and 核查, and ``序列(甲, 乙)`` (issue 11): parse, check, evaluate, explain, laws."""

from __future__ import annotations

import datetime
import json
import random
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import trainrules
from trainrules.errors import ComputeError
from trainrules.explain import explain, render_explanation
from trainrules.functions import sequence
from trainrules.limits import MAX_EACH_VALUES
from trainrules.records import iter_records_from_dicts
from trainrules.syntax import ast

D = Decimal

HEAD = """方案 示例 { 标题 "逐年" 时区 "Asia/Shanghai" 依据 G1 }
输入 教师 {
  起年: 整数 1900 至 2999 可缺 依据 X0-01
  止年: 整数 1900 至 2999 可缺 依据 X0-01
  培训记录: 列表 依据 X0-02 {
    日期: 日期
    学时: 数 0 至 100
  }
}
"""

YEARLY = (
    HEAD
    + """要求 年度研修 依据 X1-01 "每年不少于72学时" {
  逐 年 取自 序列(2017, 2020)
  须 合计(培训记录.学时, 年份(日期) == 年) 不少于 72
}
结果 欠学时 = 年度研修.欠 依据 X1-02
"""
)

#: The same rule written out once per year, as policies had to before 逐.
WRITTEN_OUT = HEAD + "".join(
    f"""要求 第{y}年 依据 X1-01 {{
  须 合计(培训记录.学时, 年份(日期) == {y}) 不少于 72
}}
"""
    for y in range(2017, 2021)
)


def _codes(text: str) -> list[str]:
    """The codes ``check`` reports, except W601 (the shared inputs are not all read by every test policy)."""
    return [d.code for d in trainrules.checks(text, name="t.policy") if d.code != "W601"]


def _teacher(entries: list[dict[str, object]], **facts: object) -> dict[str, object]:
    return {"id": "T1", "school": "一中", "facts": facts, "lists": {"培训记录": entries}}


def _one(policy_text: str, teacher: dict[str, object]) -> trainrules.Decision:
    return trainrules.loads(policy_text, name="t.policy").evaluate([teacher]).decisions[0]


# ---------- parse ----------


def test_parse_requirement_and_check_with_each() -> None:
    text = YEARLY + "核查 每月有记录 逐 月 取自 [3, 4] 要求 计数(培训记录, 月份(日期) == 月) 不少于 1 依据 X2-01\n"
    policy = trainrules.loads(text, name="t.policy")
    decls = policy.checked.module.decls
    (req,) = [d for d in decls if isinstance(d, ast.Requirement)]
    (chk,) = [d for d in decls if isinstance(d, ast.CheckRule)]
    assert req.each is not None
    assert req.each.name == "年"
    assert isinstance(req.each.source, ast.Call)
    assert chk.each is not None
    assert chk.each.name == "月"
    assert isinstance(chk.each.source, ast.ListExpr)
    assert req.each.key != chk.each.key  # each loop has its own variable


def test_each_must_come_first_and_once() -> None:
    late = HEAD + "要求 甲 依据 X1 {\n  须 1 不少于 0\n  逐 年 取自 序列(1, 2)\n}\n"
    assert _codes(late) == ["E353"]
    twice = HEAD + "要求 甲 依据 X1 {\n  逐 年 取自 序列(1, 2)\n  逐 月 取自 序列(1, 2)\n  须 年 不少于 月\n}\n"
    assert _codes(twice) == ["E353"]


# ---------- check ----------


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        ("要求 甲 依据 X1 { 逐 起年 取自 序列(1, 2) 须 起年 不少于 0 }", "E350"),  # a teacher field
        ("要求 甲 依据 X1 { 逐 学时 取自 序列(1, 2) 须 学时 不少于 0 }", "E350"),  # an entry field
        ("要求 甲 依据 X1 { 逐 年 取自 序列(2020, 2017) 须 年 不少于 0 }", "E351"),  # a written empty range
        ("要求 甲 依据 X1 { 逐 年 取自 [] 须 年 不少于 0 }", "E351"),
        ("要求 甲 依据 X1 { 逐 年 取自 序列(1, 5000) 须 年 不少于 0 }", "E352"),
        ("要求 甲 依据 X1 { 逐 年 取自 序列(1.5, 3) 须 年 不少于 0 }", "E354"),
        ("核查 甲 按 学校 逐 n 取自 序列(1, 人数()) 要求 n 大于 0 依据 X1", "E354"),
        ("要求 甲 依据 X1 { 逐 年 取自 序列(1, 3) 须 起年 不少于 0 }", "W555"),
        ("核查 甲 逐 年 取自 [2017, 2017] 要求 年 大于 0 依据 X1", "W556"),
        ("要求 甲 依据 X1 { 逐 年 取自 2017 须 年 不少于 0 }", "E303"),
    ],
)
def test_check_refuses(rule: str, code: str) -> None:
    assert code in _codes(HEAD + rule + "\n")


def test_the_variable_is_known_only_inside_its_rule() -> None:
    text = YEARLY + "核查 外面 要求 年 大于 0 依据 X2\n"
    diags = trainrules.checks(text, name="t.policy")
    assert [("E301", 15)] == [(d.code, d.span.line if d.span else 0) for d in diags if d.code != "W601"]


def test_two_rules_may_use_the_same_variable_name_with_different_types() -> None:
    text = YEARLY + '核查 标签 逐 年 取自 ["甲", "乙"] 要求 年 != "丙" 依据 X2\n'
    assert _codes(text) == []


def test_the_shipped_ports_check_clean() -> None:
    for name in ("district_2016-2020_13th-five-year-training", "lanxi_2023_research-training"):
        assert [d.code for d in trainrules.check(f"policies/{name}.policy")] == []


# ---------- evaluate ----------

ENTRIES = [
    {"日期": "2017-05-01", "学时": "72"},
    {"日期": "2018-05-01", "学时": "80"},
    {"日期": "2019-05-01", "学时": "60"},
    {"日期": "2020-05-01", "学时": "72"},
]


def test_one_line_per_value_and_the_amounts_are_sums() -> None:
    d = _one(YEARLY, _teacher(ENTRIES))
    (q,) = d.requirements
    assert not q.met
    per_year = [(dict(x.each)["年"], x.credited, x.owed) for x in q.lines]
    assert [("2017", D(72), D(0)), ("2018", D(80), D(0)), ("2019", D(60), D(12)), ("2020", D(72), D(0))] == per_year
    assert (D(284), D(288), D(12)) == (q.amount("已计"), q.amount("需"), q.amount("欠"))
    assert D(12) == d.results[0].value  # 年度研修.欠 read by a 结果
    out = q.to_dict()
    assert {"name": "年", "values": 4} == out["each"]
    assert {"年": "2019"} == out["lines"][2]["each"]  # type: ignore[index]  # a list of dicts
    assert "2019 年：已计 60，需 72，欠 12" in q.reason_zh


def test_explanation_has_one_step_per_value() -> None:
    policy = trainrules.loads(YEARLY, name="t.policy")
    (raw,) = list(iter_records_from_dicts([_teacher(ENTRIES)]))
    text = render_explanation(explain(policy.evaluator(), raw))  # type: ignore[arg-type]  # a RawRecord here
    for y, c, owed in (("2017", 72, 0), ("2018", 80, 0), ("2019", 60, 12), ("2020", 72, 0)):
        assert f"年度研修 {y} 年：已计 {c}，需 72，欠 {owed}" in text
        assert f"要求 年度研修 {y} 年: 已计 {c}，需 72，欠 {owed}" in text
    assert "读取: 年 = 2019" in text


RANGED = HEAD + (
    "要求 年度研修 依据 X1-01 {\n  逐 年 取自 序列(起年, 止年)\n"
    "  须 合计(培训记录.学时, 年份(日期) == 年) 不少于 72\n}\n"
)


def test_record_dependent_range() -> None:
    q = _one(RANGED, _teacher(ENTRIES, 起年="2018", 止年="2019")).requirements[0]
    assert ["2018", "2019"] == [dict(x.each)["年"] for x in q.lines]
    assert (False, D(12)) == (q.met, q.amount("欠"))


def test_missing_bound_is_an_error_naming_it() -> None:
    d = _one(RANGED, _teacher(ENTRIES, 止年="2019"))
    assert d.status == "error"
    (p,) = d.problems
    assert p.field == "facts.起年"
    assert "起年 缺失" in p.message_zh


def test_empty_range_at_run_time_is_met_and_says_so() -> None:
    """A computed range that is empty (止年 before 起年) checks nothing: met, with no values, and the reason says so."""
    q = _one(RANGED, _teacher(ENTRIES, 起年="2020", 止年="2019")).requirements[0]
    assert (True, (), ("年", 0)) == (q.met, q.lines, q.each)
    assert "没有要核对的值" in q.reason_zh
    assert D(0) == q.amount("欠")


def test_a_computed_range_over_the_limit_is_a_record_error_not_a_long_run() -> None:
    d = _one(RANGED, _teacher(ENTRIES, 起年="1900", 止年="2999"))
    assert d.status == "error"
    assert str(MAX_EACH_VALUES) in d.reason_zh
    with pytest.raises(ComputeError):
        sequence(D(1), D(MAX_EACH_VALUES + 1))
    assert (D(3), D(4)) == sequence(D(3), D(4))
    assert () == sequence(D(4), D(3))


def test_per_teacher_check_gives_one_result_per_value() -> None:
    text = HEAD + "核查 每年有记录 逐 年 取自 [2017, 2021] 要求 计数(培训记录, 年份(日期) == 年) 不少于 1 依据 X2\n"
    d = _one(text, _teacher(ENTRIES))
    assert [({"年": "2017"}, True), ({"年": "2021"}, False)] == [(dict(c.each), c.passed) for c in d.checks]
    assert {"name": "每年有记录", "passed": False, "each": {"年": "2021"}} == d.checks[1].to_dict()


def test_grouped_check_gives_one_finding_per_group_and_value_in_order() -> None:
    text = HEAD + (
        "核查 每月有人培训 按 学校 逐 月 取自 序列(9, 11)\n"
        "    要求 计数(计数(培训记录, 月份(日期) == 月) 大于 0) 不少于 1 依据 X2\n"
    )
    teachers = [
        _teacher([{"日期": "2017-10-01", "学时": "1"}]),
        {**_teacher([{"日期": "2017-11-01", "学时": "1"}]), "id": "T2"},
    ]
    groups = trainrules.loads(text, name="t.policy").evaluate(teachers).groups
    assert [("9", False), ("10", True), ("11", True)] == [(dict(g.each)["月"], g.passed) for g in groups]
    assert all(dict(g.group) == {"学校": "一中"} and dict(g.values)["月"] == dict(g.each)["月"] for g in groups)


# ---------- laws ----------

_entries = st.lists(
    st.fixed_dictionaries(
        {
            "日期": st.dates(datetime.date(2016, 6, 1), datetime.date(2021, 6, 30)).map(str),
            "学时": st.integers(0, 100).map(str),
        }
    ),
    max_size=10,
)


@given(_entries)
def test_law_each_is_the_conjunction_of_the_written_out_requirements(entries: list[dict[str, object]]) -> None:
    """(a) 逐 over 2017…2020 decides and reports exactly what four written-out requirements do."""
    each = _one(YEARLY, _teacher(entries)).requirements[0]
    written = _one(WRITTEN_OUT, _teacher(entries)).requirements
    assert each.met == all(q.met for q in written)
    assert [(x.credited, x.needed, x.owed, x.met) for x in each.lines] == [
        (q.lines[0].credited, q.lines[0].needed, q.lines[0].owed, q.lines[0].met) for q in written
    ]


@given(_entries)
def test_law_each_shortfall_is_exactly_max_zero_needed_minus_credited(entries: list[dict[str, object]]) -> None:
    """(b) per value, owed = max(0, needed − credited), and 名.欠 is their sum."""
    q = _one(YEARLY, _teacher(entries)).requirements[0]
    assert all(x.owed == max(D(0), x.needed - x.credited) for x in q.lines)
    assert q.amount("欠") == sum((max(D(0), x.needed - x.credited) for x in q.lines), D(0))


@given(_entries, st.randoms(use_true_random=False))
def test_law_permuting_entries_changes_nothing(entries: list[dict[str, object]], rnd: random.Random) -> None:
    """(c) the order of the entries changes no line, no verdict and no amount."""
    shuffled = list(entries)
    rnd.shuffle(shuffled)
    a = _one(YEARLY, _teacher(entries)).requirements[0]
    b = _one(YEARLY, _teacher(shuffled)).requirements[0]
    assert a.lines == b.lines
    assert a.met == b.met
    assert a.amount("欠") == b.amount("欠")


def test_a_label_set_input_is_a_source() -> None:
    text = HEAD.replace("  培训记录:", "  角色: 标签集 {班主任, 专职培训者} 依据 X0-03\n  培训记录:", 1) + (
        '核查 角色有记录 逐 职 取自 角色 要求 职 != "" 且 计数(培训记录) 不少于 1 依据 X2\n'
    )
    assert _codes(text) == []
    d = _one(text, {**_teacher(ENTRIES), "facts": {"角色": ["班主任", "专职培训者"]}})
    assert [{"职": "班主任"}, {"职": "专职培训者"}] == [dict(c.each) for c in d.checks]
    assert all(c.passed for c in d.checks)


def test_a_grouped_checks_source_reads_only_what_the_group_shares() -> None:
    text = HEAD + "核查 甲 按 学校 逐 年 取自 序列(起年, 2020) 要求 人数() 大于 年 依据 X2\n"
    assert "E310" in _codes(text)


# ---------- a sliding cap: "任意连续12个月内不超过 100 学时" ----------

SLIDING = """方案 示例 { 标题 "滑动" 时区 "Asia/Shanghai" 依据 G1 }
假设 起点 = 2017-01-01 "统计自 2017 年 1 月起" 依据 X0-01
假设 月末对齐 "加月时，目标月没有的日子取该月最后一天（起点是 1 日，不会用到）" 依据 X0-01
输入 教师 {
  培训记录: 列表 依据 X0-02 {
    日期: 日期
    学时: 数 0 至 100
  }
}
要求 任意连续十二个月 依据 X1-01 "任意连续12个月内登记不超过100学时" {
  逐 月序 取自 序列(0, 36)
  须 合计(培训记录.学时, 日期 属于 [加月(起点, 月序) 至 加日(加月(起点, 月序 + 12), -1)]) 不超过 100
}
"""


def _largest_twelve_months(entries: list[dict[str, object]]) -> Decimal:
    """The largest total over any 12 consecutive calendar months starting 2017-01 … 2020-01, by brute force."""
    per_month: dict[int, Decimal] = {}
    for e in entries:
        day = datetime.date.fromisoformat(str(e["日期"]))
        k = (day.year - 2017) * 12 + day.month - 1
        per_month[k] = per_month.get(k, D(0)) + D(str(e["学时"]))
    return max(sum((per_month.get(s + i, D(0)) for i in range(12)), D(0)) for s in range(37))


@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "日期": st.dates(datetime.date(2016, 6, 1), datetime.date(2021, 6, 30)).map(str),
                "学时": st.integers(0, 100),
            }
        ),
        max_size=8,
    )
)
def test_law_a_cap_over_every_window_is_a_cap_on_the_largest_window(entries: list[dict[str, object]]) -> None:
    """逐 over window starts states "the largest total over any 12 consecutive months is at most 100"."""
    q = _one(SLIDING, {"id": "T1", "lists": {"培训记录": entries}}).requirements[0]
    largest = _largest_twelve_months(entries)
    assert q.met == (largest <= 100)
    assert max(x.credited for x in q.lines) == largest


# ---------- review 11: bounded work, vacuous ranges, flat columns, ordinal names ----------


def _w559(text: str) -> list[str]:
    """The W559 messages ``check`` gives for ``text``."""
    return [d.message for d in trainrules.checks(text, name="t.policy") if d.code == "W559"]


GRANTS = RANGED + "合格 当 年度研修 授予 1 学时 依据 X3-01\n"


def test_w559_a_pass_rule_reading_a_computed_each_may_pass_on_nothing() -> None:
    (message,) = _w559(GRANTS)
    assert "合格规则读取要求“年度研修”" in message
    assert "可能没有任何值" in message
    (d,) = [d for d in trainrules.checks(GRANTS, name="t.policy") if d.code == "W559"]
    assert "且 年度研修.需 > 0" in d.hint
    assert "核查 … 要求 止年 不少于 起年" in d.hint


def test_w559_reaches_through_definitions_results_and_certificates() -> None:
    via = RANGED + "定义 达标 = 年度研修 依据 X3\n结果 逐年达标 = 达标 依据 X3\n证书 逐年证 当 达标 依据 X3\n"
    messages = _w559(via)
    assert 2 == len(messages)
    assert any(m.startswith("结果“逐年达标”") for m in messages)
    assert any(m.startswith("证书“逐年证”") for m in messages)


@pytest.mark.parametrize(
    "text",
    [
        RANGED + "合格 当 年度研修 且 年度研修.需 > 0 授予 1 学时 依据 X3-01\n",  # the fix the hint gives
        YEARLY + "合格 当 年度研修 授予 1 学时 依据 X3-01\n",  # a written range always has values (E351 otherwise)
        RANGED,  # nothing reads the requirement
    ],
)
def test_no_w559_when_the_range_is_written_or_the_condition_reads_its_need(text: str) -> None:
    assert [] == _w559(text)


def test_vacuous_requirement_is_marked_in_the_decision_and_validates() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from tests.conftest import REPO

    d = _one(GRANTS, _teacher(ENTRIES, 起年="2026", 止年="2025"))
    assert (True, D(1)) == (d.passed, d.hours)  # the documented semantics stay: met over no values …
    out = d.to_dict()
    req = out["requirements"]["年度研修"]  # type: ignore[index]  # a dict of dicts
    assert True is req["vacuous"]  # … and now say so in the JSON
    schema = json.loads((REPO / "trainrules" / "schemas" / "decision.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(json.dumps(out)), schema)
    checked = _one(GRANTS, _teacher(ENTRIES, 起年="2018", 止年="2019")).to_dict()
    assert "vacuous" not in checked["requirements"]["年度研修"]  # type: ignore[index]  # a dict of dicts


WINDOWS = HEAD + (
    "要求 窗口 依据 X1-01 {\n  逐 年 取自 序列(2017, 止年)\n  须 合计(培训记录.学时, 年份(日期) == 年) 不少于 1\n}\n"
)


def test_values_times_entries_over_the_bound_is_a_record_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 逐 whose rule reads every entry for each value refuses a record past MAX_EACH_WORK, naming the product;
    the other records are still evaluated, and a rule with no aggregate over a list is not bounded."""
    import trainrules.evaluate

    monkeypatch.setattr(trainrules.evaluate, "MAX_EACH_WORK", 12)
    teachers = [_teacher(ENTRIES, 止年="2020"), {**_teacher(ENTRIES, 止年="2019"), "id": "T2"}]  # 16 and 12 reads
    big, small = trainrules.loads(WINDOWS, name="t.policy").evaluate(teachers).decisions
    assert "error" == big.status
    (p,) = big.problems
    assert "4 个值，每个值都读取本记录的 4 条记录：共 16 次，多于上限 12" in p.message_zh
    assert "assessed" == small.status
    no_list = HEAD + "要求 数值 依据 X1 {\n  逐 年 取自 序列(起年, 止年)\n  须 年 不少于 1\n}\n"
    assert "assessed" == _one(no_list, _teacher(ENTRIES, 起年="2000", 止年="2999")).status  # 1,000 × 4


def test_w559_many_written_values_each_aggregating_over_a_list() -> None:
    many = (
        HEAD
        + "要求 窗口 依据 X1 {\n  逐 年 取自 序列(1, 101)\n  须 合计(培训记录.学时, 年份(日期) == 年) 不少于 1\n}\n"
    )
    (message,) = _w559(many)
    assert "101 个值，每个值都对列表合计一次" in message
    assert [] == _w559(many.replace("序列(1, 101)", "序列(1, 100)"))  # at the threshold: no warning
    assert [] == _w559(HEAD + "要求 数值 依据 X1 {\n  逐 年 取自 序列(1, 500)\n  须 年 不少于 1\n}\n")  # no list


def test_ordinal_variable_name_reads_as_an_ordinal() -> None:
    rule = "要求 年度 依据 X1 {\n  逐 第几年 取自 序列(1, 2)\n"
    text = HEAD + rule + "  须 合计(培训记录.学时, 年份(日期) == 2016 + 第几年) 不少于 72\n}\n"
    q = _one(text, _teacher(ENTRIES)).requirements[0]
    assert {"第几年": "2"} == dict(q.lines[1].each)  # the JSON keeps the name and the value
    assert q.reason_zh.startswith("第 1 年：已计 72，需 72，欠 0；第 2 年：已计 80")


def test_flat_csv_and_workbook_columns_are_the_sums_over_the_values(tmp_path: Path) -> None:
    """CSV and xlsx show the numbers 名称.已计/需/欠 read (sums over the values), not the first value's line."""
    import csv

    import openpyxl
    from click.testing import CliRunner

    from trainrules.cli import main

    policy, records = tmp_path / "t.policy", tmp_path / "r.json"
    policy.write_text(YEARLY.replace("结果 欠学时 = 年度研修.欠 依据 X1-02\n", ""), encoding="utf-8")
    entries = [{"日期": "2017-05-01", "学时": "80"}]  # 2017 met, 2018-2020 owe 72 each
    records.write_text(json.dumps([_teacher(entries)]), encoding="utf-8")
    run = CliRunner().invoke(main, ["evaluate", str(policy), str(records), "-o", str(tmp_path / "o.csv")])
    assert 0 == run.exit_code, run.output
    with (tmp_path / "o.csv").open(encoding="utf-8-sig", newline="") as f:
        (row,) = list(csv.DictReader(f))
    got = [row[f"requirements.年度研修.{k}"] for k in ("met", "credited", "needed", "owed")]
    assert ["false", "80", "288", "216"] == [x.lower() for x in got]
    run = CliRunner().invoke(main, ["evaluate", str(policy), str(records), "-o", str(tmp_path / "o.xlsx")])
    assert 0 == run.exit_code, run.output
    book = openpyxl.load_workbook(tmp_path / "o.xlsx", read_only=True)
    try:
        header, *rows = [list(r) for r in book["明细"].iter_rows(values_only=True)]
    finally:
        book.close()
    cells = dict(zip(header, rows[0], strict=True))
    assert [80, 288, 216] == [int(cells[f"年度研修 {w}（各值合计）"]) for w in ("已计", "需", "欠")]


@given(_entries)
def test_law_the_flat_columns_are_the_language_amounts(entries: list[dict[str, object]]) -> None:
    """(d) the CSV/xlsx numbers of a 逐 requirement (``totals``) are exactly 名.已计, 名.需 and 名.欠."""
    q = _one(YEARLY, _teacher(entries)).requirements[0]
    assert (q.amount("已计"), q.amount("需"), q.amount("欠")) == q.totals()


def test_the_run_summary_owes_a_loop_requirement_its_sum_over_the_values() -> None:
    """The run's `owed` for a 逐 requirement is what 名称.欠 reads: the per-value shortfalls summed (002's T4)."""
    from trainrules.records import read_records, read_schools

    root = Path(__file__).resolve().parents[1]
    records = root / "policies" / "examples" / "district_2016-2020_13th-five-year-training" / "records.json"
    policy = trainrules.load(root / "policies" / "district_2016-2020_13th-five-year-training.policy")
    results = policy.evaluate(read_records(records), read_schools(records))
    owed = {d.id: q.amount("欠") for d in results for q in d.requirements if q.each is not None and q.applicable}
    spread = results.run.owed["专职培训者逐年研修"]
    assert spread.teachers == len(owed) == 1
    assert spread.to_dict()["sum"] == str(sum(v for v in owed.values() if v is not None))
