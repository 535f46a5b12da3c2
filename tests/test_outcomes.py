"""The outcome side of the language: 结果, 要求, 例外, 适用 当, 档次 on parts and results, 不编码, parameters
(``with_params`` / ``--set``), optional 期间 and part 满分; the invented shapes 1 and 2 with hand-checked results."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import trainrules
from trainrules.cli import main
from trainrules.results import Decision

SHAPES = Path(__file__).resolve().parent / "shapes"
Golden = Any


def _codes(text: str) -> list[str]:
    return [d.code for d in trainrules.checks(text)]


def _one(policy: trainrules.Policy, facts: dict[str, object], **kw: Any) -> Decision:
    return policy.evaluate([{"id": "T1", "facts": facts}], **kw).decisions[0]


HEAD = '方案 示例 {\n  标题 "示例"\n}\n'

# ---------- 要求 ----------

REQUIREMENT = (
    HEAD
    + """
输入 教师 {
  总学时: 数 0 至 1000 依据 X1-01
  校本学时: 数 0 至 1000 依据 X1-01
  在编: 是否 可缺 依据 X1-01
  缺勤次数: 整数 0 至 30 可缺 依据 X1-01
}
要求 周期培训 适用 当 在编 依据 X1-02 "不少于240学时" {
  须 总学时 不少于 240                 依据 X1-02 "不少于240学时"
  其中 校本研训 须 校本学时 不少于 120   依据 X1-02 "其中校本研训不少于120学时"
}
要求 缺勤上限 依据 X1-03 {
  须 取值(缺勤次数, 0) 不超过 2
}
结果 欠学时 = 取值(周期培训.欠, 0) 依据 X1-02
合格 当 周期培训 且 缺勤上限 授予 总学时 学时 依据 X1-04
"""
)


@pytest.fixture(scope="module")
def requirement_policy() -> trainrules.Policy:
    return trainrules.loads(REQUIREMENT)


def test_requirement_reports_credited_needed_owed_per_line(requirement_policy: trainrules.Policy) -> None:
    d = _one(requirement_policy, {"总学时": "216", "校本学时": "96", "在编": True})
    req = d.to_dict()["requirements"]["周期培训"]
    assert req["met"] is False
    assert req["applicable"] is True
    main, part = req["lines"]
    assert (main["label"], main["credited"], main["needed"], main["owed"], main["met"]) == (
        None,
        "216",
        "240",
        "24",
        False,
    )
    assert (part["label"], part["credited"], part["needed"], part["owed"]) == ("校本研训", "96", "120", "24")
    assert d.passed is False
    assert d.to_dict()["results"]["欠学时"]["value"] == "24"  # 名.欠 reads the main line


def test_requirement_of_which_line_alone_fails_the_requirement(requirement_policy: trainrules.Policy) -> None:
    d = _one(requirement_policy, {"总学时": "300", "校本学时": "119.5", "在编": True})
    req = d.to_dict()["requirements"]["周期培训"]
    assert req["lines"][0]["met"] is True
    assert req["lines"][0]["owed"] == "0"
    assert req["lines"][1]["met"] is False
    assert req["lines"][1]["owed"] == "0.5"
    assert req["met"] is False
    assert d.passed is False


def test_requirement_met_passes_and_grants_an_expression(requirement_policy: trainrules.Policy) -> None:
    d = _one(requirement_policy, {"总学时": "250", "校本学时": "130", "在编": True, "缺勤次数": 1})
    assert d.passed is True
    assert d.hours == Decimal(250)
    assert d.unit == "学时"
    assert d.reason_zh.endswith("认定 250 学时")


def test_maximum_line_reports_over(requirement_policy: trainrules.Policy) -> None:
    d = _one(requirement_policy, {"总学时": "250", "校本学时": "130", "在编": True, "缺勤次数": 5})
    line = d.to_dict()["requirements"]["缺勤上限"]["lines"][0]
    assert (line["comparison"], line["over"], line["owed"], line["met"]) == ("<=", "3", None, False)
    assert d.passed is False


def test_requirement_out_of_scope_is_met_and_marked(requirement_policy: trainrules.Policy) -> None:
    d = _one(requirement_policy, {"总学时": "10", "校本学时": "0", "在编": False})
    req = d.to_dict()["requirements"]["周期培训"]
    assert req == {**req, "met": True, "applicable": False, "lines": []}
    assert d.passed is True  # 周期培训 reads as met when it does not apply
    assert d.to_dict()["results"]["欠学时"]["value"] == "0"  # 名.欠 is missing: 取值 gives 0


def test_requirement_explanation_steps(requirement_policy: trainrules.Policy) -> None:
    d = _one(requirement_policy, {"总学时": "216", "校本学时": "96", "在编": True}, explain=True)
    assert d.steps is not None
    texts = [s.detail_zh for s in d.steps if s.kind == "要求"]
    assert "周期培训：已计 216，需 240，欠 24（未达到）" in texts
    assert "其中 校本研训：已计 96，需 120，欠 24（未达到）" in texts
    step = next(s for s in d.steps if s.subject == "周期培训·校本研训")
    assert step.section == "其中校本研训不少于120学时"
    assert dict(step.inputs) == {"校本学时": "96"}


def test_requirement_line_must_be_a_minimum_or_maximum() -> None:
    bad = REQUIREMENT.replace("须 总学时 不少于 240", "须 总学时 == 240")
    assert "E331" in _codes(bad)
    assert "E332" in _codes(HEAD + "要求 空 依据 X1-01 {\n}\n")
    assert "E303" in _codes(REQUIREMENT.replace("须 总学时 不少于 240", '须 "甲" 不少于 "乙"'))


def test_requirement_needs_a_citation() -> None:
    assert "E308" in _codes(REQUIREMENT.replace("要求 缺勤上限 依据 X1-03 {", "要求 缺勤上限 {"))


@given(
    credited=st.decimals(min_value=0, max_value=1000, places=1, allow_nan=False),
    needed=st.decimals(min_value=0, max_value=1000, places=1, allow_nan=False),
)
def test_law_shortfall_is_max_zero_needed_minus_credited(credited: Decimal, needed: Decimal) -> None:
    text = (
        HEAD
        + "输入 教师 {\n  已计: 数 0 至 1000 依据 X1-01\n  需: 数 0 至 1000 依据 X1-01\n}\n"
        + "要求 甲 依据 X1-02 {\n  须 已计 不少于 需\n}\n"
    )
    d = _one(_law_policy(text), {"已计": str(credited), "需": str(needed)})
    line = d.requirements[0].lines[0]
    assert line.owed == max(Decimal(0), needed - credited)
    assert line.met == (credited >= needed)
    assert d.to_dict()["requirements"]["甲"]["lines"][0]["owed"] == trainrules.results.decimal_text(line.owed)


@given(
    base=st.decimals(min_value=0, max_value=500, places=1, allow_nan=False),
    extra=st.decimals(min_value=0, max_value=500, places=1, allow_nan=False),
)
def test_law_adding_a_qualifying_amount_never_lowers_credited(base: Decimal, extra: Decimal) -> None:
    policy = _law_policy(REQUIREMENT)
    before = _one(policy, {"总学时": str(base), "校本学时": str(base), "在编": True}).requirements[0]
    after = _one(policy, {"总学时": str(base + extra), "校本学时": str(base + extra), "在编": True}).requirements[0]
    for a, b in zip(before.lines, after.lines, strict=True):
        assert b.credited >= a.credited
        assert b.owed is not None
        assert a.owed is not None
        assert b.owed <= a.owed
    assert after.met or not before.met  # more credit never un-meets a requirement


_POLICIES: dict[str, trainrules.Policy] = {}


def _law_policy(text: str) -> trainrules.Policy:
    if text not in _POLICIES:
        _POLICIES[text] = trainrules.loads(text)
    return _POLICIES[text]


# ---------- 结果 ----------

RESULTS = (
    HEAD
    + """
输入 教师 {
  基础分: 数 0 至 90 依据 X2-01
  角色: 文本 依据 X2-01
}
档次表 等第 依据 X2-02 {
  优秀 90 至 100
  合格 60 至 89.9
  空档 0 至 59.9 记为 不合格
}
结果 总评 = 基础分 + 5 档次 等第 依据 X2-02
结果 班主任津贴 = 基础分 × 2 适用 当 角色 == "班主任" 依据 X2-03
结果 说明 = "按学年计" 依据 X2-04
"""
)


def test_results_are_reported_with_value_band_and_scope() -> None:
    policy = trainrules.loads(RESULTS)
    d = _one(policy, {"基础分": "85", "角色": "班主任"})
    out = d.to_dict()["results"]
    assert out["总评"] == {"value": "90", "band": "优秀", "applicable": True, "unit": None}
    assert out["班主任津贴"] == {"value": "170", "band": None, "applicable": True, "unit": None}
    assert out["说明"]["value"] == "按学年计"
    assert d.passed is None
    assert d.status == "assessed"
    assert d.total is None
    other = _one(policy, {"基础分": "50", "角色": "教师"}, explain=True)
    out = other.to_dict()["results"]
    assert out["总评"]["band"] == "不合格"  # a declared gap's label
    assert out["班主任津贴"] == {"value": None, "band": None, "applicable": False, "unit": None}
    assert other.steps is not None
    assert any(s.detail_zh == '不适用（角色 教师 ≠ "班主任"）' for s in other.steps)


def test_result_band_needs_a_number_and_a_declared_table() -> None:
    assert "E303" in _codes(RESULTS.replace('结果 说明 = "按学年计"', '结果 说明 = "按学年计" 档次 等第'))
    assert "E301" in _codes(RESULTS.replace("档次 等第 依据 X2-02", "档次 等级 依据 X2-02"))


def test_result_band_gap_against_the_reachable_range_is_found_at_check_time() -> None:
    text = RESULTS.replace("  空档 0 至 59.9 记为 不合格\n", "")  # 基础分 + 5 reaches 5 … 95: below 60 falls in no band
    assert "E402" in _codes(text)


def test_result_outside_every_band_is_a_record_error() -> None:
    text = (
        HEAD
        + "输入 教师 {\n  分: 数 依据 X2-01\n}\n"
        + "档次表 等第 依据 X2-02 {\n  优秀 90 至 100\n  合格 60 至 89.9\n}\n"
        + "结果 总评 = 分 档次 等第 依据 X2-02\n"
    )
    policy = trainrules.loads(text)  # the range of 分 is unknown: nothing to check against
    d = _one(policy, {"分": "120"})
    assert d.status == "error"
    assert "不在档次表“等第”的任何档次" in d.reason_zh


# ---------- 适用 当 on parts, items and 合格; 档次 on parts; parts without 满分 ----------

SCOPED = (
    '方案 示例 {\n  标题 "示例"\n  总分 100 依据 X3-00\n}\n'
    + """
输入 教师 {
  角色: 文本 依据 X3-01
  班会分: 数 0 至 20 依据 X3-01
  作业分: 数 0 至 80 依据 X3-01
  新教师: 是否 依据 X3-01
}
档次表 部分等第 依据 X3-05 {
  优秀 70 至 80
  合格 0 至 69.9
}
部分 班主任工作 满分 20 依据 X3-02 {
  适用 当 角色 == "班主任" 依据 X3-02 "仅班主任"
  得分 = 班会分
}
部分 作业 满分 80 依据 X3-03 {
  档次 部分等第 依据 X3-05
  得分 = 作业分
}
合格 当 总分 不少于 60 授予 40 学时 适用 当 非 新教师 依据 X3-04
"""
)


def test_part_out_of_scope_earns_nothing_and_lowers_the_maximum() -> None:
    policy = trainrules.loads(SCOPED)
    d = _one(policy, {"角色": "教师", "班会分": "20", "作业分": "75", "新教师": False}, explain=True)
    part = d.to_dict()["parts"]["班主任工作"]
    assert part["points"] == "0"
    assert part["applicable"] is False
    assert "不适用" in part["reason"]
    assert d.total == Decimal(75)
    assert d.max_total == Decimal(80)
    assert d.passed is True
    assert d.to_dict()["parts"]["作业"]["band"] == "优秀"
    head = _one(policy, {"角色": "班主任", "班会分": "20", "作业分": "30", "新教师": False})
    assert head.total == Decimal(50)
    assert head.max_total == Decimal(100)
    assert head.passed is False
    assert "applicable" not in head.to_dict()["parts"]["班主任工作"]


def test_part_band_table_must_cover_the_part() -> None:
    assert "E402" in _codes(SCOPED.replace("  合格 0 至 69.9\n", "  合格 10 至 69.9\n"))  # 0 … 9.9 in no band
    assert "E403" in _codes(SCOPED.replace("优秀 70 至 80", "优秀 70 至 90"))  # beyond the part's 满分


def test_pass_rule_out_of_scope_is_not_passed_with_the_reason() -> None:
    policy = trainrules.loads(SCOPED)
    d = _one(policy, {"角色": "教师", "班会分": "0", "作业分": "75", "新教师": True})
    assert d.passed is False
    assert d.hours == 0
    assert d.reason_zh == "不合格：合格规则不适用（非 新教师 不成立）"


def test_item_out_of_scope() -> None:
    text = (
        '方案 示例 {\n  标题 "示例"\n}\n'
        + "输入 教师 {\n  学段: 文本 依据 X4-01\n}\n"
        + "部分 研修 满分 20 依据 X4-02 {\n"
        + '  项目 听课 满分 10 依据 X4-03 {\n    适用 当 学段 == "小学" 依据 X4-03\n  }\n'
        + "  项目 反思 满分 10 依据 X4-04 {\n  }\n}\n"
    )
    assert "E302" in _codes(text)  # 学段 is a built-in field: declaring it again is refused
    text = text.replace("输入 教师 {\n  学段: 文本 依据 X4-01\n}\n", "")
    policy = trainrules.loads(text)
    rec = {"id": "T1", "stage": "初中", "items": {"听课": {"score": "9"}, "反思": {"score": "8"}}}
    d = policy.evaluate([rec]).decisions[0]
    assert d.item("听课").timeliness == "not_applicable"
    assert d.item("听课").points == 0
    assert d.total == Decimal(8)
    assert d.max_total == Decimal(10)
    assert "不适用" in d.item("听课").reason_zh


def test_part_without_maximum_and_plan_without_period() -> None:
    text = (
        '方案 学分 {\n  标题 "学分累计"\n}\n'
        + "输入 教师 {\n  学分: 数 0 至 1000 依据 X5-01\n}\n"
        + "部分 累计 依据 X5-02 {\n  得分 = 学分\n}\n"
        + "合格 当 总分 不少于 30 依据 X5-03\n"
    )
    assert trainrules.checks(text) == []  # no E404, E406 or E405 against a missing maximum; no 期间 needed
    d = _one(trainrules.loads(text), {"学分": "500"})
    assert d.total == Decimal(500)
    assert d.max_total is None
    assert d.passed is True
    assert d.to_dict()["parts"]["累计"]["max"] is None
    assert "E407" in _codes(text.replace("得分 = 学分", "得分 = 学分 - 5"))  # still bounded below


# ---------- 例外 ----------

EXCEPTIONS = (
    HEAD
    + """
输入 教师 {
  年度: 整数 2000 至 2100 依据 X6-01
  项目类别: 文本 依据 X6-01
}
定义 报送月 = 2 依据 X6-02 "次年2月底前报送"
例外 报送月 = 4 当 年度 == 2021 依据 X6-02 "其中2021年于4月底前报送"
例外 报送月 = 3 当 项目类别 == "试点" 依据 X6-03
结果 截止月 = 报送月 依据 X6-02
"""
)


def test_exception_overrides_and_the_general_rule_stays_visible() -> None:
    policy = trainrules.loads(EXCEPTIONS)
    d = _one(policy, {"年度": 2021, "项目类别": "常规"}, explain=True)
    assert d.to_dict()["results"]["截止月"]["value"] == "4"
    assert d.steps is not None
    step = next(s for s in d.steps if s.subject == "报送月")
    assert "一般规则 2 = 2，被例外取代（依据 X6-02，年度 == 2021 成立）→ 4 = 4" == step.detail_zh
    general = _one(policy, {"年度": 2022, "项目类别": "常规"}, explain=True)
    assert general.to_dict()["results"]["截止月"]["value"] == "2"
    assert general.steps is not None
    assert "一般规则适用" in next(s for s in general.steps if s.subject == "报送月").detail_zh


def test_two_exceptions_at_once_are_a_record_error() -> None:
    d = _one(trainrules.loads(EXCEPTIONS), {"年度": 2021, "项目类别": "试点"})
    assert d.status == "error"
    assert "两条例外同时成立" in d.reason_zh


def test_exception_target_and_type_are_checked() -> None:
    assert "E330" in _codes(EXCEPTIONS + '例外 年度 = 2020 当 项目类别 == "试点" 依据 X6-04\n')
    assert "E303" in _codes(EXCEPTIONS.replace("例外 报送月 = 3", '例外 报送月 = "三月"'))


# ---------- 不编码 and parameters ----------

PARAMS = (
    HEAD
    + """
假设 寒假研修学时 = 12 "寒假研修按 12 学时计。" 依据 G9
假设 合格线 = 72 "年度学时不少于 72。" 依据 G9
不编码 "学校组织的读书活动另行表彰。" 依据 X7-09 "七"
输入 教师 {
  已有学时: 数 0 至 100 依据 X7-01
}
结果 合计学时 = 已有学时 + 寒假研修学时 依据 X7-02 基于 寒假研修学时
合格 当 合计学时 不少于 合格线 依据 X7-03 基于 合格线
"""
)


def test_unencoded_clause_is_listed_without_a_warning() -> None:
    assert trainrules.checks(PARAMS) == []
    policy = trainrules.loads(PARAMS)
    [u] = policy.unencoded()
    assert (u.text, u.rule_ids, u.section) == ("学校组织的读书活动另行表彰。", ("X7-09",), "七")
    assert "E308" in _codes(PARAMS.replace('依据 X7-09 "七"', "基于 合格线"))


def test_params_override_assumption_values() -> None:
    policy = trainrules.loads(PARAMS)
    assert _one(policy, {"已有学时": "60"}).passed is True
    d = _one(policy, {"已有学时": "60"}, params={"寒假研修学时": "10"}, explain=True)
    assert d.passed is False
    assert d.to_dict()["results"]["合计学时"]["value"] == "70"
    assert d.steps is not None
    step = next(s for s in d.steps if s.subject == "合计学时")
    assert step.assumptions == (("寒假研修学时", "寒假研修按 12 学时计。（已用 --set 改为 10，原值 12）"),)
    changed = policy.with_params({"寒假研修学时": Decimal("10.5")})
    info = next(a for a in changed.assumptions() if a.name == "寒假研修学时")
    assert (info.value, info.overridden_from) == ("10.5", "12")
    assert changed.overrides == {"寒假研修学时": ("12", "10.5")}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"寒假学时": "1"}, "本策略没有名为“寒假学时”的假设：是不是“寒假研修学时”？"),
        ({"寒假研修学时": "abc"}, "假设“寒假研修学时”的值应为不小于 0 的数"),
        ({"寒假研修学时": "1 依据 X1"}, "假设“寒假研修学时”的值应为不小于 0 的数"),
        ({"寒假研修学时": "-3"}, "假设“寒假研修学时”的值应为不小于 0 的数"),
    ],
)
def test_params_are_validated(params: dict[str, object], message: str) -> None:
    with pytest.raises(trainrules.ParamError) as err:
        trainrules.loads(PARAMS).with_params(params)
    assert err.value.message_zh.startswith(message)


def test_params_are_checked_like_the_policy() -> None:
    with pytest.raises(trainrules.PolicyError) as err:
        trainrules.loads(PARAMS).with_params({"合格线": "500"})  # 100 + 12 can never reach 500
    assert [d.code for d in err.value.diagnostics] == ["E405"]


def test_cli_set_on_evaluate_and_explain(tmp_path: Path) -> None:
    policy = tmp_path / "p.policy"
    policy.write_text(PARAMS, encoding="utf-8")
    records = tmp_path / "r.json"
    records.write_text(json.dumps({"teachers": [{"id": "T1", "facts": {"已有学时": "60"}}]}), encoding="utf-8")
    out = tmp_path / "out.csv"
    run = CliRunner().invoke(main, ["evaluate", str(policy), str(records), "-o", str(out), "--set", "寒假研修学时=10"])
    assert run.exit_code == 0, run.output
    assert "假设 寒假研修学时 = 10（--set，原值 12）" in run.output
    text = out.read_text(encoding="utf-8-sig")
    assert "results.合计学时.value" in text.splitlines()[0]
    assert ",70," in text.splitlines()[1]
    run = CliRunner().invoke(main, ["explain", str(policy), str(records), "--id", "T1", "--set", "寒假研修学时=10"])
    assert "（已用 --set 改为 10，原值 12）" in run.output
    assert "本策略未编码的条文：" in run.output
    run = CliRunner().invoke(main, ["evaluate", str(policy), str(records), "-o", str(out), "--set", "寒假学时=10"])
    assert run.exit_code == 2
    assert "是不是“寒假研修学时”" in run.output
    run = CliRunner().invoke(main, ["check", str(policy), "--assumptions"])
    assert "1 条未编码的条文" in run.output
    assert "寒假研修学时 = 12" in run.output


# ---------- the invented shapes, checked by hand (tests/shapes/README.md) ----------


def _shape(name: str) -> list[Decision]:
    policy = trainrules.load(SHAPES / f"{name}.policy")
    assert policy.warnings == ()
    records = json.loads((SHAPES / f"{name}_records.json").read_text(encoding="utf-8"))["teachers"]
    return policy.evaluate(records).decisions


def test_shape_1_deductions_with_a_floor_and_a_knockout() -> None:
    a, b, c = _shape("1_deductions")
    got = [
        (d.to_dict()["results"]["扣分合计"]["value"], d.parts[0].points, d.total, d.passed, d.hours) for d in (a, b, c)
    ]
    assert got == [
        ("4", Decimal(16), Decimal(86), True, Decimal(40)),
        ("6", Decimal(14), Decimal(94), False, Decimal(0)),  # the knockout: 3 absences, total above the mark
        ("22", Decimal(0), Decimal(50), False, Decimal(0)),  # the floor: 20 − 22 → 0, never negative
    ]


def test_shape_2_bonus_above_a_target_banded_total() -> None:
    got = [
        (d.to_dict()["results"]["奖励分"]["value"], *d.to_dict()["results"]["考核总分"].values())
        for d in _shape("2_bonus_above_target")
    ]
    assert got == [("0", "80", "良好", True, None), ("6", "91", "优秀", True, None), ("10", "68.5", "合格", True, None)]


@pytest.mark.parametrize("name", ["1_deductions", "2_bonus_above_target"])
def test_shape_golden(name: str, golden: Golden) -> None:
    text = json.dumps([d.to_dict() for d in _shape(name)], ensure_ascii=False, indent=2) + "\n"
    golden(SHAPES / f"{name}_expected.json", text)


def test_cli_summary_and_columns_show_requirements(tmp_path: Path) -> None:
    policy = tmp_path / "p.policy"
    policy.write_text(REQUIREMENT, encoding="utf-8")
    records = tmp_path / "r.json"
    teachers = [
        {"id": "T1", "facts": {"总学时": "216", "校本学时": "96", "在编": True}},
        {"id": "T2", "facts": {"总学时": "250", "校本学时": "130", "在编": True}},
        {"id": "T3", "facts": {"总学时": "0", "校本学时": "0", "在编": False}},
    ]
    records.write_text(json.dumps({"teachers": teachers}), encoding="utf-8")
    out = tmp_path / "out.csv"
    run = CliRunner().invoke(main, ["evaluate", str(policy), str(records), "-o", str(out)])
    assert run.exit_code == 0, run.output
    assert "要求 周期培训：达到 1/2" in run.output  # T3 is outside its scope
    header, first, *_ = out.read_text(encoding="utf-8-sig").splitlines()
    cols = header.split(",")
    row = dict(zip(cols, first.split(","), strict=True))
    assert (row["requirements.周期培训.met"], row["requirements.周期培训.owed"]) == ("false", "24")
    assert row["requirements.周期培训.credited"] == "216"
    assert row["results.欠学时.value"] == "24"


def test_band_on_the_total_is_a_result() -> None:
    text = SCOPED.replace(
        "档次表 部分等第", "档次表 总评等第 依据 X3-06 {\n  优秀 90 至 100\n  其他 0 至 89.9\n}\n档次表 部分等第"
    )
    text += "结果 总评 = 总分 档次 总评等第 依据 X3-06\n"
    assert trainrules.checks(text) == []
    d = _one(trainrules.loads(text), {"角色": "班主任", "班会分": "18", "作业分": "75", "新教师": False})
    assert d.to_dict()["results"]["总评"] == {"value": "93", "band": "优秀", "applicable": True, "unit": None}
    assert "E402" in _codes(text.replace("  其他 0 至 89.9\n", "  其他 10 至 89.9\n"))  # 总分 reaches 0 … 100


def test_requirement_line_without_a_value_is_a_record_error() -> None:
    text = REQUIREMENT.replace("总学时: 数 0 至 1000 依据 X1-01", "总学时: 数 0 至 1000 可缺 依据 X1-01")
    d = _one(trainrules.loads(text), {"校本学时": "130", "在编": True})
    assert d.status == "error"
    assert "要求“周期培训”的“总学时”得不出数值：缺失" in d.reason_zh


def test_check_json_lists_assumption_values_and_unencoded_clauses(tmp_path: Path) -> None:
    policy = tmp_path / "p.policy"
    policy.write_text(PARAMS, encoding="utf-8")
    run = CliRunner().invoke(main, ["check", str(policy), "--assumptions", "--format", "json"])
    assert run.exit_code == 0, run.output
    [report] = json.loads(run.output)["files"]
    values = {a["name"]: a["value"] for a in report["assumptions"]}
    assert values == {"寒假研修学时": "12", "合格线": "72"}
    assert report["unencoded"] == [
        {"text": "学校组织的读书活动另行表彰。", "rule_ids": ["X7-09"], "section": "七", "line": 7}
    ]


def test_explain_searches_the_inputs_a_requirement_reads(requirement_policy: trainrules.Policy) -> None:
    raw = next(
        iter(
            trainrules.records.iter_records_from_dicts(
                [{"id": "T4", "facts": {"总学时": "232", "校本学时": "120", "在编": True}}]
            )
        )
    )
    ex = trainrules.explain(requirement_policy.evaluator(), raw)
    found = {c.input: c.value for c in ex.input_changes}
    assert found["总学时"] == "240.00"  # on the 0.01 grid; 8 short on the main line; 校本研训 is met
    assert found["在编"] == "否"  # outside the requirement's scope it is met
    text = trainrules.render_explanation(ex)
    assert "要求 周期培训: 已计 232，需 240，欠 8（未达到）" in text
    assert "总分将为" not in text  # the plan has no parts: no total to promise
