"""Messages that name the fix, and the rules they guard: ordered labels of two vocabularies, ``--set`` units."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import trainrules
from trainrules.cli import main

LEVELS = """方案 测 {{ 标题 "级别" }}
输入 教师 {{
  要求级别: 标签 {{{want}}} 依据 X1
  记录: 列表 依据 X1 {{
    学时: 数（学时） 0 至 500
    级别: 标签 {{校级 < 县级 < 市级 < 省级 < 国家级}}
  }}
}}
结果 a = 合计(记录.学时, 级别 不低于 要求级别) 依据 X1
结果 b = 合计(记录.学时, 要求级别 高于 级别) 依据 X1
"""


def _results(policy: trainrules.Policy, record: dict[str, Any]) -> dict[str, Any]:
    (d,) = policy.evaluate([record]).decisions
    assert not d.problems, d.problems
    return {r.name: r.value for r in d.results}


@pytest.mark.parametrize("want", ["县级 < 市级 < 省级 < 国家级", "县级 < 省级", "校级 < 县级 < 市级 < 省级 < 国家级"])
def test_ordered_labels_rank_alike_when_one_vocabulary_is_a_subsequence(want: str) -> None:
    policy = trainrules.loads(LEVELS.format(want=want))
    entries = [{"学时": 1, "级别": "校级"}, {"学时": 10, "级别": "县级"}, {"学时": 100, "级别": "省级"}]
    got = _results(policy, {"id": "A", "facts": {"要求级别": "县级"}, "记录": entries})
    assert got == {"a": Decimal(110), "b": Decimal(1)}


def test_ordered_labels_whose_orders_disagree_are_refused_with_both_vocabularies() -> None:
    d, _ = trainrules.checks(LEVELS.format(want="县级 < 省级 < 市级"))
    assert d.code == "E303"
    assert "{县级 < 省级 < 市级}" in d.message
    assert "{校级 < 县级 < 市级 < 省级 < 国家级}" in d.message
    assert "同样的词、同样的次序" in d.hint


UNITS = """方案 测 { 标题 "单位" }
单位 天 = 6 学时 依据 X1
单位 学分 = 10 学时 依据 X1
单位 篇
假设 年度上限 = 120 学时 "每年最多计 120 学时" 依据 X1
假设 比例 = 5% "比例" 依据 X1
假设 一学期 = 90 天 "一学期按 90 天计" 依据 X1
输入 教师 { 学时: 数（学时） 0 至 500  天数: 数（篇） 0 至 500 }
结果 计入 = 最小(学时, 年度上限) 依据 X1
结果 b = 计入 × 比例 依据 X1
结果 c = 天数 × 1 依据 X1
结果 d = (学时) 天 + 一学期 依据 X1
"""


@pytest.mark.parametrize(
    ("value", "used"),
    [("10", "10 学时"), ("10学时", "10 学时"), ("10 天", "60 学时"), ("1.5学分", "15 学时"), ("0.5 天", "3 学时")],
)
def test_a_unit_carrying_assumption_is_set_in_its_unit_or_one_that_converts(value: str, used: str) -> None:
    policy = trainrules.loads(UNITS).with_params({"年度上限": value})
    assert policy.overrides["年度上限"] == ("120 学时", used)
    (info,) = [a for a in policy.assumptions() if a.name == "年度上限"]
    assert (info.value, info.overridden_from) == (used, "120 学时")
    assert "（已用 --set 改为 " + used + "，原值 120 学时）" in info.text
    got = _results(policy, {"id": "A", "facts": {"学时": 200, "天数": 1}})
    assert got["计入"] == Decimal(used.split()[0])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"比例": "0.5"}, "假设“比例”是百分数，新值须带 %：写成 50% 或 0.5%（原值 5%）"),
        ({"比例": "5"}, "假设“比例”是百分数，新值须带 %：写成 5%（原值 5%）"),
        ({"比例": "abc"}, "假设“比例”的值应为百分数（如 50% 或 0.5%），这里是“abc”（原值 5%）"),
        ({"年度上限": "-5"}, "假设“年度上限”的值应为不小于 0 的数（如 12 或 12.5），按 学时 计，这里是“-5”"),
        ({"年度上限": "10x"}, "假设“年度上限”按 学时 计，“x”不是声明过的单位（写成 10 表示 10 学时）"),
        ({"年度上限": "2 篇"}, "假设“年度上限”按 学时 计，“2 篇”不能换算为 学时（写成 2 表示 2 学时）"),
        ({"一学期": "1 学时"}, "假设“一学期”按 天 计，1 学时 换算为 天 不是有限小数"),
    ],
)
def test_set_values_that_could_be_misread_are_refused_saying_how_to_write_them(
    params: dict[str, object], message: str
) -> None:
    with pytest.raises(trainrules.ParamError) as err:
        trainrules.loads(UNITS).with_params(params)
    assert err.value.message_zh.startswith(message)


def test_check_assumptions_lists_a_value_with_its_unit() -> None:
    by_name = {a.name: a.value for a in trainrules.loads(UNITS).assumptions()}
    assert by_name == {"年度上限": "120 学时", "比例": "5%", "一学期": "90 天"}


def test_a_percentage_with_its_sign_is_accepted() -> None:
    policy = trainrules.loads(UNITS).with_params({"比例": "50%"})
    assert policy.overrides["比例"] == ("5%", "50%")
    assert _results(policy, {"id": "A", "facts": {"学时": 100, "天数": 1}})["b"] == Decimal(50)


DATES = """方案 测 { 标题 "日期" 时区 "Asia/Shanghai" }
输入 教师 {
  记录: 列表 依据 X1 {
    日期: 日期
    学时: 数（学时） 0 至 500
  }
}
结果 a = 合计(记录.学时, 年份(日期) == 2022) 依据 X1
"""


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"日期": "20230401", "学时": 1}, "不是有效的日期（例：2019-12-15）：'20230401'"),
        ({"日期": "2023-04-31", "学时": 1}, "日期不存在（2023 年 4 月只有 30 天，最后一天是 2023-04-30）"),
        ({"日期": "2023-13-01", "学时": 1}, "日期不存在（没有 13 月）"),
        ({"日期": "2023-04-01", "学时": "1e2"}, "数值不能写成科学计数法，请写成普通小数，如 100：'1e2'"),
        ({"日期": "2023-04-01", "学时": "2.5E+1"}, "请写成普通小数，如 25："),
    ],
)
def test_a_bad_entry_value_says_how_to_write_it(entry: dict[str, object], problem: str) -> None:
    (d,) = trainrules.loads(DATES).evaluate([{"id": "A", "记录": [entry]}]).decisions
    assert len(d.problems) == 1
    assert problem in d.problems[0].message_zh


@pytest.mark.parametrize(
    ("value", "hours"),
    [("2022-03-02 13:30", Decimal(3)), ("2022-12-31T20:00:00+00:00", Decimal(0)), ("2021-12-31T20:00:00+00:00", 3)],
)
def test_a_date_field_takes_an_instants_local_date(value: str, hours: Decimal) -> None:
    """2022-12-31 20:00 UTC is 2023-01-01 in Shanghai: the local date counts, not the written one."""
    (d,) = trainrules.loads(DATES).evaluate([{"id": "A", "记录": [{"日期": value, "学时": 3}]}]).decisions
    assert not d.problems
    assert [r.value for r in d.results] == [hours]


def test_cli_lists_and_sets_an_assumption_in_its_unit(tmp_path: Path) -> None:
    policy = tmp_path / "u.policy"
    policy.write_text(UNITS, encoding="utf-8")
    records = tmp_path / "r.json"
    records.write_text('[{"id": "A", "facts": {"学时": 200, "天数": 1}}]', encoding="utf-8")
    listed = CliRunner().invoke(main, ["check", str(policy), "--assumptions"])
    assert "  - 年度上限 = 120 学时  [X1]" in listed.output
    out = tmp_path / "o.json"
    run = CliRunner().invoke(main, ["evaluate", str(policy), str(records), "-o", str(out), "--set", "年度上限=10天"])
    assert run.exit_code == 0, run.output
    assert "假设 年度上限 = 60 学时（--set，原值 120 学时）" in run.output
    refused = CliRunner().invoke(main, ["evaluate", str(policy), str(records), "-o", str(out), "--set", "比例=0.5"])
    assert refused.exit_code == 2
    assert "写成 50% 或 0.5%" in refused.output
