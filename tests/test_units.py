"""Units (单位): declarations, quantities, unit-checked arithmetic, conversions in evaluation and explanation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trainrules
from trainrules.ir import Conversion
from trainrules.results import Decision
from trainrules.syntax import ast

HEAD = '方案 示例 {\n  标题 "示例"\n}\n'


def _codes(text: str) -> list[str]:
    """The codes a policy gets, without W601 (the examples leave fields unused)."""
    return [d.code for d in trainrules.checks(HEAD + text) if d.code != "W601"]


def _one(text: str, facts: dict[str, object], lists: dict[str, object] | None = None) -> Decision:
    policy = trainrules.loads(HEAD + text)
    record: dict[str, Any] = {"id": "T1", "facts": facts}
    if lists is not None:
        record["lists"] = lists
    return policy.evaluate([record]).decisions[0]


DAYS = """
单位 天 = 6 学时 依据 X1-01 "1 天 = 6 学时"
输入 教师 {
  学时: 数（学时） 0 至 1000 依据 X1-01
  天数: 数（天） 0 至 100 依据 X1-01
  备注: 数 0 至 100 可缺 依据 X1-01
}
"""


# ---------- parsing ----------


def test_quantities_and_unit_declarations_parse() -> None:
    policy = trainrules.loads(
        HEAD + DAYS + '结果 合计学时 = 学时 + 天数 依据 X1-02\n假设 一学期 = 90 天 "…" 依据 X1-03\n'
    )
    assert policy.checked is not None
    decls = policy.checked.module.decls
    unit = next(d for d in decls if isinstance(d, ast.UnitDecl))
    assert (unit.name, unit.factor, unit.base) == ("天", Decimal(6), "学时")
    fields = {d.name: d.unit for d in decls if isinstance(d, ast.InputField)}
    assert fields == {"学时": "学时", "天数": "天", "备注": None}
    assumption = next(d for d in decls if isinstance(d, ast.Assumption))
    assert assumption.unit == "天"
    assert isinstance(assumption.value, ast.Number)
    assert assumption.value.value == 90


def test_grant_keeps_parsing_as_a_quantity() -> None:
    policy = trainrules.loads(HEAD + DAYS + "合格 当 学时 不少于 60 授予 36 学时 依据 X1-01\n")
    assert policy.checked is not None
    outcome = next(d for d in policy.checked.module.decls if isinstance(d, ast.Outcome))
    assert isinstance(outcome.grant, ast.Quantity)
    assert outcome.grant.unit == "学时"
    assert policy.plan is not None
    assert policy.plan.unit == "学时"


def test_comparison_words_after_an_expression_are_not_units() -> None:
    assert _codes(DAYS + "结果 够 = 学时 不少于 30 依据 X1-02\n") == []


# ---------- evaluation ----------


def test_days_add_to_hours_after_conversion() -> None:
    d = _one(DAYS + "结果 合计学时 = 学时 + 天数 依据 X1-02\n", {"学时": "4", "天数": "5"})
    assert d.to_dict()["results"]["合计学时"] == {"value": "34", "band": None, "applicable": True, "unit": "学时"}


def test_quantity_converts_into_a_coarser_unit() -> None:
    d = _one(DAYS + "结果 折天 = 四舍五入((学时) 天, 0.1) 依据 X1-02\n", {"学时": "20", "天数": "0"})
    assert d.to_dict()["results"]["折天"]["value"] == "3.3"
    assert d.to_dict()["results"]["折天"]["unit"] == "天"


def test_requirement_line_reports_its_unit() -> None:
    text = DAYS + '要求 够数 依据 X1-02 "…" {\n  须 学时 + 天数 不少于 5 天\n}\n'
    d = _one(text, {"学时": "4", "天数": "5"})
    line = d.to_dict()["requirements"]["够数"]["lines"][0]
    assert (line["credited"], line["needed"], line["unit"], line["met"]) == ("34", "30", "学时", True)


def test_unit_divided_by_the_same_unit_is_plain() -> None:
    text = DAYS + "结果 比 = 天数 ÷ 学时 依据 X1-02\n"
    assert [c for c in _codes(text) if c.startswith("E")] == []
    d = _one(text, {"学时": "15", "天数": "5"})
    assert d.to_dict()["results"]["比"] == {"value": "2", "band": None, "applicable": True, "unit": None}


def test_credit_rate_per_category_from_a_table_with_a_unit() -> None:
    text = """
对照表 每学分学时（学时） 依据 X6-01 { 面授: 8  网络: 10 }
输入 教师 {
  记录: 列表 依据 X6-01 {
    类别: 标签 {面授, 网络}
    学时: 数（学时） 0 至 500
  }
}
定义 记录.学分 = 向下取整(学时 ÷ 每学分学时[类别], 0.5) 学分 依据 X6-01
结果 总学分 = 合计(记录.学分) 依据 X6-01
"""
    d = _one(text, {}, {"记录": [{"类别": "面授", "学时": "20"}, {"类别": "网络", "学时": "25"}]})
    assert d.to_dict()["results"]["总学分"] == {"value": "5.0", "band": None, "applicable": True, "unit": "学分"}


def test_explanation_shows_the_conversion_with_its_citation() -> None:
    text = DAYS + "结果 合计学时 = 学时 + 天数 依据 X1-02\n"
    policy = trainrules.loads(HEAD + text)
    raw = next(iter(trainrules.records.iter_records_from_dicts([{"id": "T1", "facts": {"学时": "4", "天数": "5"}}])))
    rendered = trainrules.render_explanation(trainrules.explain(policy.evaluator(), raw))
    assert "5 天 = 30 学时（单位 天 = 6 学时，依据 X1-01）" in rendered
    assert "结果 合计学时: 34 学时" in rendered


def test_chain_of_conversions_multiplies_factors() -> None:
    text = DAYS + '单位 周 = 5 天 依据 X1-01 "1 周 = 5 天"\n结果 周学时 = (2 周) 学时 依据 X1-02\n'
    d = _one(text, {"学时": "0", "天数": "0"})
    assert d.to_dict()["results"]["周学时"]["value"] == "60"


# ---------- errors ----------


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ('单位 天 = 8 学时 依据 X1-01 "again"\n', "E340"),  # declared twice
        ("单位 甲 = 2 乙 依据 X1-01\n单位 乙 = 3 甲 依据 X1-01\n", "E340"),  # a cycle
        ("单位 乙 = 0 学时 依据 X1-01\n", "E340"),  # a factor not above 0
        ("结果 甲 = 3 小时 依据 X1-02\n", "E341"),  # an unknown unit
        ("结果 甲 = 学时 + 3 学分 依据 X1-02\n", "E342"),  # unrelated bases
        ("结果 甲 = 学时 × 天数 依据 X1-02\n", "E342"),  # unit times unit
        ("结果 甲 = 学时 + 备注 依据 X1-02\n", "E343"),  # a unitless input mixed with a unit
        ("结果 甲 = 学时 不少于 备注 依据 X1-02\n", "E343"),
        ('结果 甲 = "文字" 学时 依据 X1-02\n', "E344"),  # a unit on a text
        ("单位 乙 = 2 学时\n", "E308"),  # a conversion is a ruling: it cites one
    ],
)
def test_unit_errors(extra: str, code: str) -> None:
    assert code in _codes(DAYS + extra)


def test_unknown_unit_suggests_the_near_unit() -> None:
    ds = trainrules.checks(HEAD + DAYS + "结果 甲 = 3 学吋 依据 X1-02\n")
    e341 = next(d for d in ds if d.code == "E341")
    assert "学时" in e341.hint


def test_glued_keyword_reads_as_an_unknown_unit_with_a_spacing_hint() -> None:
    ds = trainrules.checks(HEAD + DAYS + "合格 当 学时 不少于 60授予36学时 依据 X1-01\n")
    e341 = next(d for d in ds if d.code == "E341")
    assert "空格" in e341.hint
    assert "space" in e341.hint_en


def test_conversion_into_a_coarser_unit_without_rounding_warns() -> None:
    assert "W502" in _codes(DAYS + "结果 折天 = (学时) 天 依据 X1-02\n")
    assert "W502" not in _codes(DAYS + "结果 折天 = 四舍五入((学时) 天, 0.1) 依据 X1-02\n")


def test_a_unitless_literal_adapts() -> None:
    assert _codes(DAYS + "结果 甲 = 学时 + 2 依据 X1-02\n结果 乙 = 若 学时 > 1 则 天数 否则 0 依据 X1-02\n") == []


# ---------- laws ----------

_FACTORS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1000), places=2).filter(lambda d: d > 0)
_VALUES = st.decimals(min_value=Decimal(-(10**6)), max_value=Decimal(10**6), places=3)


@given(factor=_FACTORS, value=_VALUES)
def test_converting_there_and_back_is_exact(factor: Decimal, value: Decimal) -> None:
    decl = ast.UnitDecl(name="甲", factor=factor, base="乙", cite=ast.Citation(), span=None)  # type: ignore[arg-type]  # no source here
    there = Conversion("甲", "乙", factor, Decimal(1), (decl,))
    back = Conversion("乙", "甲", Decimal(1), factor, (decl,))
    assert back.apply(there.apply(value)) == value


ADDING = DAYS + "结果 甲 = 学时 + (备注) 天 依据 X1-02\n结果 乙 = 学时 + (6 × 备注) 学时 依据 X1-02\n"


@given(hours=st.decimals(0, 1000, places=2), days=st.decimals(0, 100, places=2))
def test_adding_days_equals_adding_six_times_as_many_hours(hours: Decimal, days: Decimal) -> None:
    policy = _POLICY.get("adding") or _POLICY.setdefault("adding", trainrules.loads(HEAD + ADDING))
    d = policy.evaluate([{"id": "T1", "facts": {"学时": str(hours), "天数": "0", "备注": str(days)}}]).decisions[0]
    results = d.to_dict()["results"]
    assert results["甲"]["value"] == results["乙"]["value"]
    assert Decimal(str(results["甲"]["value"])) == hours + 6 * days
    assert results["甲"]["unit"] == results["乙"]["unit"] == "学时"


_POLICY: dict[str, trainrules.Policy] = {}


def test_the_unit_after_a_grant_formula_is_the_whole_amounts() -> None:
    """``授予 备注 + 2 学时`` means (备注 + 2) 学时, as before units: the plain 备注 is not an E343."""
    text = DAYS + "合格 当 学时 不少于 0 授予 备注 + 2 学时 依据 X1-01\n"
    assert [c for c in _codes(text) if c.startswith("E")] == []
    d = _one(text, {"学时": "1", "天数": "0", "备注": "3"})
    assert (d.hours, d.unit) == (Decimal(5), "学时")


def test_bounds_follow_a_conversion() -> None:
    """The checker bounds a converted amount in the converted unit: 0 − 100 天 is −600 学时."""
    ds = trainrules.checks(HEAD + DAYS + "合格 当 学时 不少于 0 授予 (0 - 天数) 学时 依据 X1-01\n")
    e407 = next(d for d in ds if d.code == "E407")
    assert "-600" in e407.message


_EVEN_FACTORS = st.builds(
    lambda a, b, c: Decimal(2**a * 5**b).scaleb(-c), st.integers(0, 4), st.integers(0, 3), st.integers(0, 3)
)


@settings(max_examples=25, deadline=None)
@given(factor=_EVEN_FACTORS, value=st.decimals(min_value=0, max_value=1000, places=2))
def test_a_checked_round_trip_through_another_unit_is_exact(factor: Decimal, value: Decimal) -> None:
    """Through the checker's own conversions: (((x) 甲) 学时) is x exactly when the factor is exact both ways."""
    text = (
        f'单位 甲 = {factor} 学时 依据 X1-01 "…"\n'
        "输入 教师 {\n  x: 数（学时） 0 至 1000 依据 X1-01\n}\n"
        "结果 回 = ((x) 甲) 学时 依据 X1-02\n"
    )
    assert "W502" not in _codes(text)
    d = _one(text, {"x": str(value)})
    assert Decimal(str(d.to_dict()["results"]["回"]["value"])) == value


def test_an_exception_value_is_made_its_targets_unit() -> None:
    """``例外 需 = 2 天`` stands in for a definition in 学时: 12 学时, never a silent 2."""
    text = DAYS + "结果 需 = 学时 依据 X1-02\n例外 需 = 2 天 当 天数 > 3 依据 X1-03\n"
    d = _one(text, {"学时": "4", "天数": "5"})
    assert d.to_dict()["results"]["需"]["value"] == "12"
    assert "E343" in _codes(DAYS + "结果 需 = 学时 依据 X1-02\n例外 需 = 备注 当 天数 > 3 依据 X1-03\n")
