"""累计: a list column summed per group and capped, level by level in the written order (shapes 5 and 6)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trainrules
from trainrules.records import read_records
from trainrules.results import Decision

SHAPES = Path(__file__).resolve().parent / "shapes"

POLICY = """方案 甲 { 标题 "累计示例" }
对照表 类别上限 依据 X9-01 { 面授: 5  网络: 3 }
输入 教师 {
  学习记录: 列表 依据 X9-01 {
    日期: 日期
    类别: 标签 {面授, 网络}
    学分: 数 0 至 20
  }
}
累计 登记 = 学习记录.学分 依据 X9-02 {
  每 日期, 类别 至多 4                          依据 X9-02
  每 类别, 年份(日期) 至多 类别上限[类别]       依据 X9-02
  每 年份(日期) 至多 7                          依据 X9-02
  每 全体 至多 12                               依据 X9-02
}
定义 原计 = 合计(学习记录.学分)                 依据 X9-02
结果 登记学分 = 登记                            依据 X9-02
结果 原计学分 = 原计                            依据 X9-02
"""


def _pol(text: str = POLICY) -> trainrules.Policy:
    return trainrules.loads(text)


def _codes(text: str) -> list[str]:
    return [d.code for d in trainrules.checks(text)]


def _shape(name: str) -> list[Decision]:
    assert trainrules.check(SHAPES / f"{name}.policy") == []
    pol = trainrules.load(SHAPES / f"{name}.policy")
    return list(pol.evaluate(list(read_records(SHAPES / f"{name}_records.json")), explain=True).decisions)


def _res(d: Decision) -> dict[str, str]:
    return {r.name: str(r.value) for r in d.results}


def _req(d: Decision, name: str) -> Any:
    (r,) = [r for r in d.requirements if r.name == name]
    return r


def _step(d: Decision, kind: str, subject: str) -> Any:
    assert d.steps is not None
    (s,) = [s for s in d.steps if s.kind == kind and s.subject == subject]
    return s


# ---------- shapes ----------


def test_shape_5_caps_each_day_then_the_total() -> None:
    ds = {d.id: d for d in _shape("5_daily_cap_counter")}
    assert {k: _res(d)["视频得分"] for k, d in ds.items()} == {"A": "22", "B": "60", "C": "2"}
    a = _step(ds["A"], "累计", "观看积分")
    assert a.result == "11"
    # floor per entry first (50 → 2, 70 → 3): 03-01 holds 5, not 6; 03-02 holds 10, capped to 6
    assert "2024-03-02：记 10，上限 6，去掉 4" in a.detail_zh
    assert "其余 1 组未超过上限" in a.detail_zh
    b = _step(ds["B"], "累计", "观看积分")
    assert "每 日期 至多 6：去掉 30" in b.detail_zh
    assert "全体：记 60，上限 30，去掉 30" in b.detail_zh
    assert b.result == "30"
    assert dict(b.inputs)["封顶去掉"] == "60"


def test_shape_6_caps_per_category_and_year_then_per_year() -> None:
    ds = {d.id: d for d in _shape("6_credit_categories")}
    assert {k: _res(d)["登记学分合计"] for k, d in ds.items()} == {"A": "18.5", "B": "40", "C": "2.5"}
    req = {k: _req(d, "继续教育学分") for k, d in ds.items()}
    assert [req[k].met for k in "ABC"] == [False, True, False]
    assert str(req["A"].lines[0].owed) == "11.5"
    assert str(req["C"].lines[0].owed) == "27.5"
    assert str(req["A"].lines[1].credited) == "11.0"
    assert req["A"].lines[1].met
    assert str(req["C"].lines[1].owed) == "10"
    detail = _step(ds["A"], "累计", "登记学分").detail_zh
    assert "校本、2022：记 5.0，上限 3，去掉 2.0" in detail
    assert "网络、2022：记 6.0，上限 4，去掉 2.0" in detail
    assert "2022：记 12.0，上限 10，去掉 2.0" in detail
    assert "合计 18.5（各层共去掉 6.0）" in detail
    assert "未超过上限" in _step(ds["B"], "累计", "登记学分").detail_zh
    # the requirement's line says what the caps removed from what it credits
    line = _step(ds["A"], "要求", "继续教育学分").detail_zh
    assert line.endswith(
        "累计“登记学分”的上限：每 类别、年份(日期) 至多 类别年度上限[类别] 去掉 4.0，每 年份(日期) 至多 10 去掉 2.0"
    )
    assert "上限" not in _step(ds["B"], "要求", "继续教育学分").detail_zh.split("（达到）")[1]


# ---------- checking ----------


def test_the_example_checks_clean() -> None:
    assert _codes(POLICY) == []


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("学习记录.学分 依据", "学习记录.学时 依据", "E324"),  # no such column
        ("学习记录.学分 依据", "学习档案.学分 依据", "E312"),  # no such list
        ("每 日期, 类别 至多 4", "每 类别 至多 4", "E325"),  # level 2 reads 日期, which level 1 did not
        ("每 全体 至多 12", "每 全体 至多 -1", "E327"),
        ("每 年份(日期) 至多 7", "每 年份(日期) 至多 类别上限[类别]", "E326"),  # 类别 is not this level's key
        ("每 全体 至多 12", "每 [1, 2] 至多 12", "E303"),  # a list is no group key
        ("每 全体 至多 12", '每 全体 至多 "十二"', "E303"),  # a cap is a number
    ],
)
def test_bad_accumulations_are_check_errors(old: str, new: str, code: str) -> None:
    assert old in POLICY
    assert code in _codes(POLICY.replace(old, new))


def test_a_cap_reading_its_own_key_is_fine_and_the_total_is_bounded_by_the_outer_cap() -> None:
    text = POLICY + "部分 甲部 满分 12 依据 X9-03 { 得分 = 登记 }\n"
    assert _codes(text) == []  # 登记 ≤ 12 (每 全体 至多 12), so the part's score fits its maximum
    assert "E406" in _codes(text.replace("满分 12", "满分 11"))  # the score may exceed 11


def _teacher(*rows: tuple[str, str, str]) -> dict[str, object]:
    return {"id": "T", "lists": {"学习记录": [{"日期": d, "类别": k, "学分": v} for d, k, v in rows]}}


def _results(rows: list[tuple[str, str, str]], text: str = POLICY) -> dict[str, str]:
    (d,) = _pol(text).evaluate([_teacher(*rows)]).decisions
    assert d.problems == (), d.problems
    return _res(d)


def test_levels_that_do_not_nest_at_run_time_are_a_record_error() -> None:
    text = POLICY.replace("每 年份(日期) 至多 7", "每 月份(日期) 至多 7")  # 年份 → 月份 reads 日期 too, but splits
    assert _codes(text) == []  # the syntactic test cannot see it
    (d,) = _pol(text).evaluate([_teacher(("2023-01-01", "面授", "1"), ("2023-02-01", "面授", "1"))]).decisions
    assert d.status == "error"
    assert any("拆开" in p.message_zh for p in d.problems)


def test_a_cap_below_zero_at_run_time_is_a_record_error() -> None:
    text = POLICY.replace("每 全体 至多 12", "每 全体 至多 上限").replace(
        '方案 甲 { 标题 "累计示例" }', '方案 甲 { 标题 "累计示例" }\n假设 上限 = 12 "总上限" 依据 X9-02'
    )
    pol = _pol(text)
    assert _codes(text) == []
    rec = _teacher(("2023-01-01", "面授", "1"))
    (ok,) = pol.evaluate([rec]).decisions
    assert _res(ok)["登记学分"] == "1"
    (bad,) = _pol(text.replace("至多 上限", "至多 上限 - 20")).evaluate([rec]).decisions
    assert bad.status == "error"
    assert any("小于 0" in p.message_zh for p in bad.problems)


def test_no_entries_accumulate_to_zero() -> None:
    assert _results([])["登记学分"] == "0"


# ---------- laws ----------

row = st.tuples(
    st.sampled_from(["2022-03-01", "2022-03-02", "2023-05-01", "2023-05-02"]),
    st.sampled_from(["面授", "网络"]),
    st.integers(0, 40).map(lambda n: str(Decimal(n) / 2)),
)
LAWS = settings(max_examples=40, deadline=None)


@LAWS
@given(st.lists(row, max_size=10), row)
def test_adding_an_entry_never_lowers_the_total(rows: list[tuple[str, str, str]], extra: tuple[str, str, str]) -> None:
    before, after = _results(rows), _results([*rows, extra])
    assert Decimal(after["登记学分"]) >= Decimal(before["登记学分"])


@LAWS
@given(st.lists(row, max_size=10), st.randoms(use_true_random=False))
def test_permuting_entries_changes_nothing(rows: list[tuple[str, str, str]], rnd: Any) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert _results(rows) == _results(shuffled)


@LAWS
@given(st.lists(row, max_size=12))
def test_capped_total_within_raw_sum_and_every_cap_and_removed_plus_total_is_raw(
    rows: list[tuple[str, str, str]],
) -> None:
    (d,) = _pol().evaluate([_teacher(*rows)], explain=True).decisions
    total, raw = Decimal(_res(d)["登记学分"]), Decimal(_res(d)["原计学分"])
    assert 0 <= total <= raw
    assert total <= 12
    years = {r[0][:4] for r in rows}
    assert total <= 7 * len(years)
    s = _step(d, "累计", "登记")
    assert Decimal(dict(s.inputs)["封顶去掉"]) + total == raw == Decimal(dict(s.inputs)["原计"])


def test_a_cap_levels_citations_are_walked() -> None:
    """An assumption cited only on a 累计 level is relied on (no W601), and the level is listed as its user."""
    import trainrules

    text = (
        '方案 示例 {\n  标题 "累计引用"\n}\n'
        '假设 日上限 "每日至多 6 分" 依据 X5-09\n'
        "输入 教师 {\n  观看记录: 列表 依据 X5-01 {\n    日期: 日期\n    分钟: 整数 0 至 1440\n  }\n}\n"
        "累计 观看积分 = 观看记录.分钟 依据 X5-02 {\n  每 日期 至多 6 依据 X5-03 基于 日上限\n}\n"
        "结果 视频得分 = 观看积分 依据 X5-04\n"
    )
    assert [] == [d.code for d in trainrules.checks(text, name="p.policy")]
    (info,) = trainrules.loads(text, name="p.policy").assumptions()
    assert ("累计 观看积分·第 1 层",) == info.relied_on_by
    assert "X5-03" in trainrules.loads(text, name="p.policy").rule_ids()
