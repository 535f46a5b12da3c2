"""``逐 名 取自 式`` in 要求 and 核查, and ``序列(甲, 乙)`` (issue 11): parse, check, evaluate, explain, laws."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

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
