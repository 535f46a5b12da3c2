"""Lists per teacher (列表), per-entry definitions, aggregates over lists and named filters (筛选)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trainrules
from trainrules import entries
from trainrules.records import read_records
from trainrules.results import Decision

ROOT = Path(__file__).resolve().parents[1]
SHAPES = ROOT / "tests" / "shapes"

HEAD = """方案 甲 { 标题 "列表示例" 期间 2023-01-01 至 2023-12-31 }
"""
LIST = """输入 教师 {
  培训记录: 列表 按 记录号 依据 X1-01 {
    记录号: 文本 可缺
    学时: 数 0 至 500
    类别: 标签 {集中, 远程, 校本}
    级别: 标签 {校级 < 县级 < 市级}
    须 学时 > 0 否则 "学时须大于 0"
  }
}
"""
#: A policy that exercises every construct: per-entry definition, lookup by an entry field, a filter
#: with 凡/须/每…前/前, and the six aggregates.
POLICY = (
    HEAD
    + LIST
    + """
对照表 每学分学时 依据 X1-02 { 集中: 8  远程: 10  校本: 20 }
定义 培训记录.学分 = 向下取整(学时 / 每学分学时[类别], 0.5)     依据 X1-02 "半学分为单位"
筛选 有效 取自 培训记录 依据 X1-03 {
  凡 类别 != "校本"
  须 级别 不低于 "县级" 否则 "主办级别低于县级"
  每 记录号 前 1 按 学分
  前 3 按 学分
}
定义 有效学分 = 合计(有效.学分)                                   依据 X1-04
定义 远程条数 = 计数(培训记录, 类别 == "远程")                     依据 X1-04
定义 最长 = 取值(最大(培训记录.学时), 0)                           依据 X1-04
定义 最短集中 = 取值(最小(培训记录.学时, 类别 == "集中"), 0)        依据 X1-04
定义 有市级 = 任一(培训记录, 级别 == "市级")                        依据 X1-04
定义 全为集中 = 全部(培训记录, 类别 == "集中")                      依据 X1-04
合格 当 有效学分 >= 3 且 远程条数 >= 0 且 最长 >= 0 且 最短集中 >= 0 且 (有市级 或 全为集中) 依据 X1-05
"""
)


def entry(n: str, hours: int | str, kind: str = "集中", level: str = "县级") -> dict[str, object]:
    return {"记录号": n, "学时": hours, "类别": kind, "级别": level}


def teacher(tid: str, *es: dict[str, object]) -> dict[str, object]:
    return {"id": tid, "lists": {"培训记录": list(es)}}


def _policy(text: str = POLICY) -> trainrules.Policy:
    return trainrules.loads(text)


def run(records: list[dict[str, object]], text: str = POLICY, explain: bool = False) -> list[Decision]:
    return list(_policy(text).evaluate(records, explain=explain).decisions)


def steps_of(d: Decision, kind: str) -> dict[str, Any]:
    assert d.steps is not None
    return {s.subject: s for s in d.steps if s.kind == kind}


def codes(text: str) -> list[str]:
    return [d.code for d in trainrules.checks(text)]


def errors(text: str) -> list[str]:
    return [c for c in codes(text) if c.startswith("E")]


# ---------- parsing and checking ----------


def test_the_example_policy_checks_clean() -> None:
    assert codes(POLICY) == []


def test_list_field_colliding_with_a_teacher_name_is_e302() -> None:
    text = (
        HEAD
        + LIST.replace("输入 教师 {", "输入 教师 {\n  学时: 数 0 至 10 依据 X1-01")
        + ("合格 当 合计(培训记录.学时) >= 学时 依据 X1-05\n")
    )
    assert "E302" in codes(text)


def test_per_entry_definition_colliding_with_a_field_is_e302() -> None:
    text = HEAD + LIST + "定义 培训记录.学时 = 1 依据 X1-02\n合格 当 合计(培训记录.学时) >= 1 依据 X1-05\n"
    assert "E302" in codes(text)


def test_a_column_outside_an_aggregate_is_e311() -> None:
    assert "E311" in codes(HEAD + LIST + "合格 当 培训记录.学时 >= 1 依据 X1-05\n")


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        ("合计(培训记录) >= 1", "E304"),  # 合计 needs a column
        ("计数(培训记录.学时) >= 1", "E304"),  # 计数 counts entries
        ("任一(培训记录) ", "E304"),  # 任一 needs its condition
        ("合计(培训记录.学时, 学时) >= 1", "E303"),  # the condition is not yes/no
        ("合计(培训记录.类别) >= 1", "E303"),  # 合计 adds numbers
        ("合计(培训记录.学分) >= 1", "E301"),  # no such field
        ('计数(培训记录, 级别 不低于 "省级") >= 1', "E320"),  # a literal outside the entry field's vocabulary
    ],
)
def test_aggregate_misuse(rule: str, code: str) -> None:
    assert code in codes(HEAD + LIST + f"合格 当 {rule} 依据 X1-05\n")


def test_filter_diagnostics() -> None:
    base = HEAD + LIST + "合格 当 合计(甲.学时) >= 1 依据 X1-05\n"
    assert "E312" in codes(base + "筛选 甲 取自 没有 依据 X1-03 { 凡 学时 > 1 }\n")
    cyc = "筛选 甲 取自 乙 依据 X1-03 { 凡 学时 > 1 }\n筛选 乙 取自 甲 依据 X1-03 { 凡 学时 > 2 }\n"
    assert "E309" in codes(base + cyc)
    assert "E315" in codes(base + "筛选 甲 取自 培训记录 依据 X1-03 { 前 -1 按 学时 }\n")
    twice = '筛选 甲 取自 培训记录 依据 X1-03 { 须 学时 > 1 否则 "短" 须 学时 > 2 否则 "短" }\n'
    assert "W550" in codes(base + twice)


def test_unused_list_field_and_filter_are_w601() -> None:
    text = (
        HEAD
        + LIST.replace("    须 学时", "    备注: 文本 可缺\n    须 学时")
        + ("筛选 闲置 取自 培训记录 依据 X1-03 { 凡 学时 > 1 }\n合格 当 合计(培训记录.学时) >= 1 依据 X1-05\n")
    )
    found = [(d.code, d.message_en) for d in trainrules.checks(text)]
    assert any(c == "W601" and "备注" in m for c, m in found)
    assert any(c == "W601" and "闲置" in m for c, m in found)


def test_entry_definition_cycle_is_e309() -> None:
    text = (
        HEAD
        + LIST
        + (
            "定义 培训记录.甲 = 乙 + 1 依据 X1-02\n定义 培训记录.乙 = 甲 + 1 依据 X1-02\n"
            "合格 当 合计(培训记录.甲) >= 1 依据 X1-05\n"
        )
    )
    assert "E309" in codes(text)


def test_definition_on_a_filter_is_e314() -> None:
    text = (
        HEAD
        + LIST
        + (
            "筛选 甲 取自 培训记录 依据 X1-03 { 凡 学时 > 1 }\n定义 甲.分 = 1 依据 X1-02\n"
            "合格 当 合计(甲.学时) >= 1 依据 X1-05\n"
        )
    )
    assert "E314" in codes(text)


def test_uncapped_sum_into_an_item_is_out_of_bounds_with_max_entries() -> None:
    text = HEAD + LIST + "部分 甲 满分 10 依据 X1-05 { 得分 = 合计(培训记录.学时) }\n"
    found = [d for d in trainrules.checks(text) if d.code == "E407" or d.code == "E406"]
    assert found
    assert "10000" in found[0].message
    capped = HEAD + LIST + "部分 甲 满分 10 依据 X1-05 { 得分 = 最小(10, 合计(培训记录.学时)) }\n"
    assert errors(capped) == []


def test_group_aggregates_keep_their_meaning_and_nest_over_lists() -> None:
    text = (
        HEAD
        + LIST
        + ("核查 总量 按 学校 要求 合计(合计(培训记录.学时)) >= 10 且 计数(计数(培训记录) > 0) >= 1 依据 X1-06\n")
    )
    assert errors(text) == []
    pol = _policy(text)
    recs = [
        {**teacher("A", entry("1", 4), entry("2", 3)), "school": "一中"},
        {**teacher("B", entry("3", 4)), "school": "一中"},
    ]
    results = pol.evaluate(recs)
    assert [f.passed for f in results.groups] == [True]
    assert "合计(合计(培训记录.学时))" in dict(results.groups[0].values)
    assert dict(results.groups[0].values)["合计(合计(培训记录.学时))"] == "11"


def test_a_list_value_in_a_grouped_check_outside_an_aggregate_is_e310() -> None:
    assert "E310" in codes(HEAD + LIST + "核查 甲 按 学校 要求 计数(培训记录) >= 1 依据 X1-06\n")


# ---------- records and validation ----------


def test_every_entry_is_validated_and_other_teachers_still_run() -> None:
    bad = teacher("B", entry("1", 600), entry("2", 8, kind="集"), {"学时": 8, "类别": "集中", "级别": "省级"})
    good = teacher("A", entry("1", 16), entry("2", 24, level="市级"))
    a, b = run([good, bad])
    assert a.status == "assessed"
    assert b.status == "error"
    fields = [p.field for p in b.problems]
    assert fields == ["lists.培训记录[1].学时", "lists.培训记录[2].类别", "lists.培训记录[3].级别"]
    assert "培训记录第 1 条（记录号 1）的学时" in b.problems[0].message_zh
    assert "600" in b.problems[0].message_zh
    assert "是不是“集中”" in b.problems[1].message_zh
    assert "第 3 条" in b.problems[2].message_zh  # no 记录号: named by its position


def test_an_entry_rule_failing_is_a_record_error_naming_the_entry() -> None:
    (d,) = run([teacher("A", entry("E7", 0))])
    assert d.status == "error"
    assert d.problems[0].field == "lists.培训记录[1]"
    assert "学时须大于 0" in d.problems[0].message_zh
    assert "E7" in d.problems[0].message_zh


@pytest.mark.parametrize(
    ("value", "words"),
    [("16 小时", "条目数组"), ([1, 2], "应为对象")],
)
def test_a_list_of_the_wrong_shape_is_a_record_error(value: object, words: str) -> None:
    (d,) = run([{"id": "A", "lists": {"培训记录": value}}])
    assert d.status == "error"
    assert words in d.reason_zh


def test_too_many_entries_is_a_record_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entries, "MAX_ENTRIES", 3)
    (d, e) = run([teacher("A", *(entry(str(i), 8) for i in range(4))), teacher("B", entry("1", 8))])
    assert d.status == "error"
    assert "超过上限 3 条" in d.reason_zh
    assert e.status == "assessed"


def test_an_absent_list_is_empty_and_the_list_may_sit_under_its_own_name() -> None:
    a, b = run([{"id": "A"}, {"id": "B", "培训记录": [entry("1", 24)]}])
    assert a.status == b.status == "assessed"
    assert a.passed is False
    assert b.passed is True


def test_json_lines_carry_nested_lists(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    lines = [teacher("A", entry("1", 24)), teacher("B", entry("1", 8))]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    recs = list(read_records(path))
    decisions = list(_policy().evaluate(list(recs)).decisions)
    assert [d.passed for d in decisions] == [True, False]


# ---------- aggregates and per-entry definitions ----------


def _define(d: Decision, name: str) -> str:
    return str(steps_of(d, "定义")[name].result)


def test_aggregates_and_per_entry_definitions() -> None:
    recs = [
        teacher(
            "A",
            entry("1", 16),  # 集中 16 / 8 = 2 学分
            entry("2", 30, kind="远程", level="市级"),  # 30 / 10 = 3
            entry("3", 40, kind="校本"),  # 凡 类别 != 校本: not of the kind
            entry("4", 8, level="校级"),  # 须 级别 不低于 县级: dropped
        )
    ]
    (d,) = run(recs, explain=True)
    assert _define(d, "有效学分") == "5.0"  # credits in halves: 向下取整(…, 0.5)
    assert _define(d, "远程条数") == "1"
    assert _define(d, "最长") == "40"
    assert _define(d, "最短集中") == "8"
    assert _define(d, "有市级") == "是"
    assert _define(d, "全为集中") == "否"
    assert d.passed is True


def test_empty_lists_sum_to_zero_and_have_no_maximum() -> None:
    (d,) = run([{"id": "A", "lists": {"培训记录": []}}], explain=True)
    assert _define(d, "有效学分") == "0"
    assert _define(d, "最长") == "0"  # 最大 of none is missing; 取值 gives 0
    assert _define(d, "全为集中") == "是"  # all of none
    assert _define(d, "有市级") == "否"


def test_a_missing_value_inside_a_sum_is_a_record_error_naming_the_entry() -> None:
    text = (
        HEAD
        + LIST.replace("学时: 数 0 至 500", "学时: 数 0 至 500 可缺").replace(
            '    须 学时 > 0 否则 "学时须大于 0"\n', ""
        )
        + "合格 当 合计(培训记录.学时) >= 1 依据 X1-05\n"
    )
    (d,) = run([teacher("A", entry("1", 8), {"记录号": "E2", "类别": "集中", "级别": "县级"})], text)
    assert d.status == "error"
    assert "第 2 条（记录号 E2）" in d.reason_zh
    assert "学时" in d.reason_zh
    assert "缺失" in d.reason_zh


def test_a_per_entry_definition_may_read_teacher_names() -> None:
    text = (
        HEAD
        + LIST.replace("输入 教师 {", "输入 教师 {\n  系数: 数 0 至 2 依据 X1-01")
        + ("定义 培训记录.折算 = 学时 × 系数 依据 X1-02\n合格 当 合计(培训记录.折算) >= 10 依据 X1-05\n")
    )
    assert errors(text) == []
    recs = [{"id": "A", "facts": {"系数": "0.5"}, "lists": {"培训记录": [entry("1", 16)]}}]
    (d,) = run(recs, text)
    assert d.passed is False
    recs[0]["facts"] = {"系数": "1"}
    (d,) = run(recs, text)
    assert d.passed is True


# ---------- filters ----------


def test_filter_step_explains_kept_and_dropped_entries() -> None:
    recs = [
        teacher(
            "A",
            entry("E1", 16),
            entry("E2", 24, level="市级"),
            entry("E3", 40, kind="校本"),
            entry("E4", 40, level="校级"),
            entry("E2", 8, level="市级"),
        )
    ]
    (d,) = run(recs, explain=True)
    step = steps_of(d, "筛选")["有效"]
    assert step.result == "2"
    text = step.detail_zh
    assert "培训记录 5 条，计入 2 条" in text
    assert "不属此类 1 条" in text
    assert "主办级别低于县级 1 条（第 4 条（记录号 E4）：级别 校级）" in text
    assert "同一 记录号 只计 前 1 条（按 学分） 1 条（第 5 条（记录号 E2）：学分 1.0）" in text
    assert step.rule_ids == ("X1-03",)
    assert _define(d, "有效学分") == "5.0"


def test_untraced_evaluation_builds_no_entry_detail(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path pays nothing: without a tracer no dropped entry's values are read or formatted."""
    rec = teacher("A", entry("1", 16), entry("2", 8, level="校级"))

    def refuse(*args: object) -> object:
        raise AssertionError("entry detail built without a tracer")

    monkeypatch.setattr(entries, "_values", refuse)
    (d,) = run([rec])
    assert d.status == "assessed"
    assert d.steps is None
    with pytest.raises(AssertionError, match="without a tracer"):
        run([rec], explain=True)


def test_top_n_ascending_ties_and_computed_counts() -> None:
    text = (
        HEAD
        + LIST.replace("输入 教师 {", "输入 教师 {\n  名额: 数 0 至 5 依据 X1-01")
        + (
            "筛选 最短 取自 培训记录 依据 X1-03 { 前 名额 按 学时 升序 }\n"
            "定义 最短合计 = 合计(最短.学时) 依据 X1-04\n"
            "合格 当 最短合计 >= 0 依据 X1-05\n"
        )
    )
    assert errors(text) == []
    rec = {"id": "A", "facts": {"名额": "2"}, "lists": {"培训记录": [entry("a", 9), entry("b", 5), entry("c", 9)]}}
    (d,) = run([rec], text, explain=True)
    assert _define(d, "最短合计") == "14"  # 5 and the earlier 9 (a tie: input order)
    step = steps_of(d, "筛选")["最短"]
    assert "第 1 条（记录号 a）、第 2 条（记录号 b）" in step.detail_zh
    assert "按输入顺序" in step.detail_zh
    rec["facts"] = {"名额": "1.5"}
    (d,) = run([rec], text)
    assert d.status == "error"
    assert "不是不小于 0 的整数" in d.reason_zh


def test_top_n_by_an_ordered_label_ranks_by_the_vocabulary() -> None:
    text = (
        HEAD + LIST + ("筛选 最高 取自 培训记录 依据 X1-03 { 前 1 按 级别 }\n合格 当 合计(最高.学时) >= 0 依据 X1-05\n")
    )
    # 县级 < 市级 by rank, though "县级" > "市级" as texts
    rec = teacher("A", entry("1", 5, level="县级"), entry("2", 7, level="市级"))
    (d,) = run([rec], text, explain=True)
    assert "计入：第 2 条" in steps_of(d, "筛选")["最高"].detail_zh


# ---------- the shapes (tests/shapes/, results worked out by hand in expected.md) ----------


@pytest.mark.parametrize(
    ("shape", "totals"),
    [("3_best_of_award", {"A": "4", "B": "6.4", "C": "0"}), ("4_top_two_papers", {"A": "15", "B": "2", "C": "7"})],
)
def test_shapes_give_the_hand_checked_results(shape: str, totals: dict[str, str]) -> None:
    assert trainrules.check(SHAPES / f"{shape}.policy") == []
    pol = trainrules.load(SHAPES / f"{shape}.policy")
    recs = list(read_records(SHAPES / f"{shape}_records.json"))
    decisions = list(pol.evaluate(list(recs), explain=True).decisions)
    assert {d.id: str(d.total) for d in decisions} == totals


def test_shape_3_counts_awards_of_county_level_or_above_inside_the_year() -> None:
    pol = trainrules.load(SHAPES / "3_best_of_award.policy")
    recs = list(read_records(SHAPES / "3_best_of_award_records.json"))
    decisions = list(pol.evaluate(list(recs), explain=True).decisions)
    assert {d.id: _define(d, "县级以上获奖数") for d in decisions} == {"A": "2", "B": "1", "C": "0"}


# ---------- laws ----------

_LEVELS = ["校级", "县级", "市级"]
_KINDS = ["集中", "远程", "校本"]
entry_st = st.builds(
    lambda h, k, lv, n: {"记录号": f"N{n}", "学时": h, "类别": k, "级别": lv},
    st.integers(1, 500),
    st.sampled_from(_KINDS),
    st.sampled_from(_LEVELS),
    st.integers(0, 5),
)
LAWS = settings(max_examples=40, deadline=None)


def _credited(es: list[dict[str, object]]) -> Decimal:
    (d,) = run([teacher("A", *es)], explain=True)
    assert d.status == "assessed", d.reason_zh
    return Decimal(_define(d, "有效学分"))


def _credit(e: dict[str, object]) -> Decimal:
    """An entry's credits by hand: hours over the category's rate, down to a half credit."""
    per = {"集中": 8, "远程": 10, "校本": 20}[str(e["类别"])]
    return (Decimal(int(str(e["学时"]))) / per * 2).to_integral_value(rounding="ROUND_FLOOR") / 2


@LAWS
@given(es=st.lists(entry_st, max_size=8), extra=entry_st)
def test_law_a_qualifying_entry_never_lowers_the_sum(es: list[dict[str, object]], extra: dict[str, object]) -> None:
    """Adding an entry that passes every 须 never lowers 合计 over the filter (also with 前 N)."""
    extra = {**extra, "类别": "集中", "级别": "市级"}
    assert _credited([*es, extra]) >= _credited(es)


@LAWS
@given(es=st.lists(entry_st, max_size=8), extra=entry_st)
def test_law_an_entry_failing_the_filter_changes_nothing(es: list[dict[str, object]], extra: dict[str, object]) -> None:
    failing = {**extra, "级别": "校级"}
    other_kind = {**extra, "类别": "校本"}
    before = _credited(es)
    assert _credited([*es, failing]) == before
    assert _credited([failing, *es, other_kind]) == before


@LAWS
@given(es=st.lists(entry_st, max_size=8), data=st.data())
def test_law_permuting_entries_changes_nothing(es: list[dict[str, object]], data: st.DataObject) -> None:
    """Permuting entries changes no sum. With 前 N only tied sort values could depend on order; the
    sum of the top N is the same whichever of the tied entries is kept."""
    shuffled = list(data.draw(st.permutations(es)))
    (a,) = run([teacher("A", *es)], explain=True)
    (b,) = run([teacher("A", *shuffled)], explain=True)
    assert a.passed == b.passed
    assert {k: v.result for k, v in steps_of(a, "定义").items()} == {
        k: v.result for k, v in steps_of(b, "定义").items()
    }
    assert {k: v.result for k, v in steps_of(a, "筛选").items()} == {
        k: v.result for k, v in steps_of(b, "筛选").items()
    }


@LAWS
@given(es=st.lists(entry_st, max_size=8))
def test_law_credited_is_at_most_the_sum_of_the_entries(es: list[dict[str, object]]) -> None:
    assert _credited(es) <= sum((_credit(e) for e in es), Decimal(0))


def test_sorting_by_an_unordered_label_is_e303() -> None:
    text = HEAD + LIST + ("筛选 甲 取自 培训记录 依据 X1-03 { 前 1 按 类别 }\n合格 当 合计(甲.学时) >= 0 依据 X1-05\n")
    assert "E303" in codes(text)
    assert "E303" not in codes(text.replace("按 类别", "按 级别"))


def test_shape_4_filter_explanations_match_the_golden(golden: Any) -> None:
    """The 筛选 steps of shape 4 (dedup by title, then the top two), reviewed once and kept."""
    pol = trainrules.load(SHAPES / "4_top_two_papers.policy")
    recs = list(read_records(SHAPES / "4_top_two_papers_records.json"))
    lines = []
    for d in pol.evaluate(recs, explain=True).decisions:
        assert d.steps is not None
        for s in d.steps:
            if s.kind == "筛选":
                lines += [f"{d.id} {s.subject} → {s.result}", f"  {s.detail_zh}", f"  {s.detail_en}"]
    golden(SHAPES / "4_top_two_papers_filters.txt", "\n".join(lines) + "\n")


def test_cycles_through_aggregates_and_filters_are_e309_before_anything_recurses() -> None:
    via_aggregate = (
        HEAD
        + LIST
        + (
            "定义 总 = 合计(培训记录.分) 依据 X1-04\n"
            "定义 培训记录.分 = 学时 + 总 依据 X1-02\n"
            "合格 当 总 >= 1 依据 X1-05\n"
        )
    )
    assert "E309" in codes(via_aggregate)
    via_count = (
        HEAD
        + LIST
        + (
            "定义 名额 = 计数(甲) 依据 X1-04\n筛选 甲 取自 培训记录 依据 X1-03 { 前 名额 按 学时 }\n"
            "合格 当 名额 >= 1 依据 X1-05\n"
        )
    )
    assert "E309" in codes(via_count)


def test_a_long_chain_of_per_entry_definitions_is_e104_not_a_crash() -> None:
    chain = "".join(f"定义 培训记录.d{i} = d{i + 1} + 1 依据 X1-02\n" for i in range(200))
    text = HEAD + LIST + chain + "定义 培训记录.d200 = 学时 依据 X1-02\n合格 当 合计(培训记录.d0) >= 1 依据 X1-05\n"
    assert "E104" in codes(text)
    ok = (
        HEAD
        + LIST
        + chain[: chain.index("定义 培训记录.d50 ")]
        + ("定义 培训记录.d50 = 学时 依据 X1-02\n合格 当 合计(培训记录.d0) >= 1 依据 X1-05\n")
    )
    assert errors(ok) == []
    (d,) = run([teacher("A", entry("1", 5))], ok)
    assert d.passed is True


def test_per_entry_definitions_reading_one_another_twice_are_checked_once_each() -> None:
    """A chain where each definition reads the next twice: typing, bounds and evaluation stay linear."""
    chain = "".join(f"定义 培训记录.d{i} = d{i + 1} + d{i + 1} 依据 X1-02\n" for i in range(40))
    text = HEAD + LIST + chain + "定义 培训记录.d40 = 学时 依据 X1-02\n"
    text += "部分 甲 满分 10 依据 X1-05 { 得分 = 最小(10, 合计(培训记录.d0)) }\n"
    assert errors(text) == []
    (d,) = run([teacher("A", entry("1", 1))], text)
    assert d.total == Decimal(10)


def test_lookups_by_an_entry_field_are_checked_against_its_vocabulary() -> None:
    table = "对照表 每学分学时 依据 X1-02 { 集中: 8  远程: 10 }\n"
    text = (
        HEAD
        + LIST
        + table
        + ("定义 培训记录.学分 = 学时 / 每学分学时[类别] 依据 X1-02\n合格 当 合计(培训记录.学分) >= 1 依据 X1-05\n")
    )
    assert "E322" in codes(text)  # 校本 has no row
    assert "W502" in codes(text)  # a divisor from a table may not come out even: round it
    assert "E322" not in codes(text.replace("每学分学时[类别]", "取值(每学分学时[类别], 20)"))


def test_a_list_the_plan_does_not_have_or_a_lists_value_of_the_wrong_shape_is_an_error() -> None:
    """A misspelt list name would otherwise read as an empty list, and score silently low."""
    (d,) = run([{"id": "A", "lists": {"培训纪录": [entry("1", 8)]}}])
    assert d.status == "error"
    assert "本方案没有列表“培训纪录”" in d.reason_zh
    (d,) = run([{"id": "A", "lists": [entry("1", 8)]}])
    assert d.status == "error"
    assert "lists" in d.problems[0].field


def test_a_plan_without_lists_ignores_the_lists_of_a_shared_records_file() -> None:
    text = HEAD + "输入 教师 {\n  系数: 数 0 至 2 依据 X1-01\n}\n合格 当 系数 >= 1 依据 X1-05\n"
    (d,) = run([{"id": "A", "facts": {"系数": 1}, "lists": {"培训记录": [entry("1", 8)]}}], text)
    assert d.status == "assessed"


def test_entries_without_a_top_n_group_key_are_an_error_not_one_group() -> None:
    """Two entries without 记录号 are not one record: `每 记录号 前 1` cannot drop one of them silently."""
    (d,) = run(
        [
            {
                "id": "T1",
                "lists": {
                    "培训记录": [
                        {"学时": 16, "类别": "集中", "级别": "县级"},
                        {"学时": 16, "类别": "集中", "级别": "县级"},
                    ]
                },
            }
        ]
    )
    assert "error" == d.status
    assert "分组键（记录号）缺失" in (d.reason_zh or "")
