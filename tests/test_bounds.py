"""Issue 9, points 1 (check time), 3 and 6: points formulas bounded from the inputs, label vocabularies, band bounds."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from trainrules.api import check, checks, load
from trainrules.check import names
from trainrules.check.intervals import Bounder
from trainrules.diagnostics import Collector, Diagnostic
from trainrules.syntax import ast
from trainrules.syntax.lower import lower
from trainrules.syntax.parser import parse, source_from_text

REPO = Path(__file__).resolve().parents[1]
POLICY_004 = REPO / "policies" / "lanxi_2019-2020_term1_online-school.policy"
POLICY_000 = REPO / "policies" / "lanxi_2021-2022_term1_career-identity.policy"

HEAD = """方案 试 {
  标题 "试"
  期间 2024-09-01 至 2024-12-31
}
"""


def _diags(text: str) -> list[Diagnostic]:
    return checks(text, name="p.policy")


def _codes(text: str) -> list[str]:
    return [d.code for d in _diags(text)]


def _only(text: str, code: str) -> Diagnostic:
    found = [d for d in _diags(text) if d.code == code]
    assert 1 == len(found), [(d.code, d.message) for d in _diags(text)]
    return found[0]


def _part_formula(inputs: str, formula: str, top: str = "5", extra: str = "") -> str:
    return HEAD + f"输入 教师 {{\n{inputs}\n}}\n{extra}部分 乙 满分 {top} 依据 X1 {{\n  得分 = {formula} 依据 X1\n}}\n"


# ---------- point 1: bounds of points formulas ----------


def test_the_issue_formula_is_e406_with_its_derivation() -> None:
    """部分 乙 满分 5 { 得分 = 2 × 篇数 } with 篇数 0..50 checked clean before; now E406 shows how 100 arises."""
    d = _only(_part_formula("  篇数: 整数 0 至 50 依据 X1", "2 × 篇数"), "E406")
    assert "“乙”的得分最高可达 100，超过满分 5：2 × 篇数 ≤ 2 × 50 = 100（篇数的范围为 0 至 50）" == d.message
    assert "the score of '乙' can reach 100, over the maximum 5: 2 × 篇数 ≤ 2 × 50 = 100" in d.message_en
    assert "最小(…, 5)" in d.hint


@pytest.mark.parametrize(
    ("formula", "codes"),
    [
        ("最小(2 × 篇数, 5)", []),
        ("2 × 篇数 / 20", []),
        ("2 × 篇数 / 10", ["E406"]),
        ("若 篇数 > 2 则 5 否则 0", []),
        ("若 篇数 > 2 则 5 否则 篇数", ["E406"]),
        ("若 篇数 > 2 则 6 否则 篇数", ["E406"]),
        ("向下取整(篇数 / 10)", []),
        ("向上取整(篇数 / 10, 0.5)", []),
        ("四舍五入(篇数 × 0.11)", ["E406"]),
        ("篇数 × 10%", []),
        ("篇数 × 11%", ["E406"]),
        ("绝对值(篇数 - 55)", ["E406"]),
        ("绝对值(篇数 - 50) / 10", []),
        ("5 - 篇数", ["E407"]),
        ("最大(5 - 篇数, 0)", []),
        ("-篇数 + 5", ["E407"]),
        ("取值(篇数, 9) / 10", []),
        ("取值(篇数, 90) / 10", ["E406"]),
    ],
)
def test_formulas_are_bounded_through_every_construct(formula: str, codes: list[str]) -> None:
    """Interval arithmetic through × ÷ %, 若 (the hull of both branches, whatever the condition), rounding, 绝对值,
    取值; above 满分 is E406, below 0 E407."""
    assert codes == _codes(_part_formula("  篇数: 整数 0 至 50 依据 X1", formula))


def test_definitions_and_lookups_are_bounded() -> None:
    """A definition is followed down to the inputs; a lookup is bounded by its table's values."""
    extra = "定义 积分 = 篇数 × 8 + 奖励[等第] 依据 X1\n对照表 奖励 依据 X1 {\n  甲: 9\n  乙: 2\n}\n"
    text = _part_formula(
        "  篇数: 整数 0 至 50 依据 X1\n  等第: 标签 {甲, 乙} 依据 X1", "最小(向下取整(积分 / 10), 50)", "30", extra
    )
    d = _only(text, "E406")
    assert "最小(向下取整(积分 / 10), 50) ≤ 最小(向下取整(409 / 10), 50) = 40" in d.message
    assert "积分 ≤ 50 × 8 + 9 = 409" in d.message


def test_items_parts_and_scores_are_bounded_by_their_maximum() -> None:
    """Items and parts lie in 0..满分, 分数 too: a formula over them is bounded by the maxima."""
    items = "  项目 作业一 满分 50 依据 X1 { }\n  项目 作业二 满分 50 依据 X1 { }\n"
    text = HEAD + f"部分 县本 满分 70 依据 X1 {{\n{items}  得分 = 作业一 + 作业二 依据 X1\n}}\n"
    d = _only(text, "E406")
    assert "作业一 + 作业二 ≤ 50 + 50 = 100" in d.message
    scaled = text.replace("得分 = 作业一 + 作业二", "得分 = (作业一 + 作业二) × 70 / 100")
    assert [] == _codes(scaled)


@pytest.mark.parametrize(
    ("stmt", "code", "fragment"),
    [
        ("得分 = 分数 × 2", "E406", "“队伍建设”的得分最高可达 40"),
        ("逾期 得 分数 + 2", "E406", "“队伍建设”逾期的得分最高可达 22"),
        ("缺交 得 -1", "E407", "“队伍建设”缺交的得分最低可至 -1"),
        ("逾期 得 分数 × 50%", "", ""),
    ],
)
def test_item_formulas_are_bounded(stmt: str, code: str, fragment: str) -> None:
    """An item's 得分, 逾期 得 and 缺交 得 lie in 0..its 满分."""
    text = HEAD + f"部分 网络 满分 20 依据 X1 {{\n  项目 队伍建设 满分 20 依据 X1 {{\n    {stmt}\n  }}\n}}\n"
    if not code:
        assert [] == _codes(text)
        return
    assert fragment in _only(text, code).message


@pytest.mark.parametrize(
    ("inputs", "formula", "side", "why"),
    [
        ("  篇数: 整数 依据 X1", "2 × 篇数", "上限和下限", "输入“篇数”没有声明范围"),
        ("  篇数: 整数 依据 X1", "最小(2 × 篇数, 5)", "下限", "输入“篇数”没有声明范围"),
        ("  篇数: 整数 依据 X1", "最大(2 × 篇数, 0)", "上限", "输入“篇数”没有声明范围"),
        (
            "  篇数: 整数 0 至 50 依据 X1\n  天数: 整数 0 至 9 依据 X1",
            "篇数 / 天数",
            "上限和下限",
            "除数 天数 可能为 0",
        ),
    ],
)
def test_an_unknowable_bound_is_w513_naming_what_is_unbounded(inputs: str, formula: str, side: str, why: str) -> None:
    """An input without a range, or a divisor that may be 0, leaves an end unknown: W513 says which and why."""
    d = _only(_part_formula(inputs, formula), "W513")
    assert f"“乙”的得分的{side}无法确定：{why}" == d.message


def test_a_capped_and_floored_formula_is_clean_without_ranges() -> None:
    """最大(最小(…, 满分), 0) bounds both ends whatever the input: no warning."""
    assert [] == _codes(_part_formula("  篇数: 整数 依据 X1", "最大(最小(2 × 篇数, 5), 0)"))


def test_a_divisor_away_from_zero_is_bounded() -> None:
    """A divisor whose range excludes 0 divides the bound: 篇数 / 天数 ≤ 50 / 10."""
    text = _part_formula("  篇数: 整数 0 至 50 依据 X1\n  天数: 整数 10 至 20 依据 X1", "篇数 / 天数")
    assert [] == [c for c in _codes(text) if c != "W502"]


def test_a_negative_grant_is_e407() -> None:
    """The amount granted cannot go below 0."""
    text = _part_formula("  篇数: 整数 0 至 50 依据 X1", "0") + "合格 当 总分 不少于 0 授予 36 - 篇数 学时 依据 X1\n"
    assert "授予的数量最低可至 -14，低于 0：36 - 篇数 ≥ 36 - 50 = -14" in _only(text, "E407").message


def _checked(text: str) -> Any:
    out = Collector()
    source = source_from_text(text, "p.policy", out)
    assert source is not None
    tree = parse(source, out)
    assert tree is not None
    module = lower(source, tree, out)
    assert module is not None
    plan = names.single_plan(module, out)
    assert plan is not None
    return names.build(module, plan, out)


def test_a_long_chain_of_definitions_is_bounded_without_recursion() -> None:
    """Definitions are bounded in dependency order, one at a time: a chain of 3000 costs no recursion depth."""
    n = 3000
    defs = "定义 d0 = 篇数 依据 X1\n" + "".join(f"定义 d{i} = d{i - 1} + 1 依据 X1\n" for i in range(1, n))
    policy = _checked(HEAD + "输入 教师 {\n  篇数: 整数 0 至 5 依据 X1\n}\n" + defs)
    bound = Bounder(policy).defines[f"d{n - 1}"]
    assert bound is not None
    assert (Decimal(n - 1), Decimal(n + 4)) == (bound.lo.value, bound.hi.value)


def test_circular_definitions_stay_unbounded() -> None:
    """A cycle (E309 elsewhere) leaves its members unbounded rather than looping."""
    policy = _checked(HEAD + "定义 a = b + 1 依据 X1\n定义 b = a + 1 依据 X1\n")
    bounder = Bounder(policy)
    assert {"a", "b"} <= set(bounder.defines)
    assert bounder.defines["a"] is None or not bounder.defines["a"].hi.known


# ---------- point 6: band bounds ----------


def _bands(rows: str, top: str = "20") -> str:
    return (
        HEAD
        + f"档次表 档 依据 X1 {{\n{rows}\n}}\n"
        + f"部分 网络 满分 {top} 依据 X1 {{\n  项目 作业 满分 {top} 依据 X1 {{\n    档次 档\n  }}\n}}\n"
    )


@pytest.mark.parametrize(
    ("rows", "codes"),
    [
        ("  优秀 18 至 20\n  良好 12 至 17.9\n  一般 6 至 11.9\n  空档 低于 6 记为 不合格", []),
        ("  优秀 18 至 20\n  良好 12 至 低于 18\n  一般 6 至 低于 12\n  不合格 低于 6", []),
        ("  优秀 18 至 20\n  良好 12 至 低于 18\n  一般 6 至 不足 12\n  空档 0 至 不足 6", []),
        ("  优秀 18 至 20\n  良好 0 至 低于 18.1", ["E401"]),
        ("  优秀 18 至 20\n  良好 0 至 低于 17.9", ["E402"]),
        ("  优秀 18 至 低于 20\n  良好 0 至 低于 18", ["E402"]),
        ("  优秀 12 至 20\n  空档 低于 11 记为 差", ["E402"]),
    ],
)
def test_bands_bounded_exclusively(rows: str, codes: list[str]) -> None:
    """低于/不足 N excludes N: adjacent to a band starting at N; overlaps and holes are still found."""
    assert codes == _codes(_bands(rows))


def test_an_empty_exclusive_band_is_e408() -> None:
    """6 至 低于 6 holds no score."""
    assert (
        "“一般”的范围 6 至 低于 6 不含任何分数" == _only(_bands("  一般 6 至 低于 6\n  优秀 0 至 20"), "E408").message
    )


def _teacher_004(score: str) -> dict[str, Any]:
    return {
        "id": "T1",
        "school": "一中",
        "enrolled_at": "2019-12-07 09:00",
        "items": {"队伍建设": {"submitted_at": "2019-12-15 23:59:59", "score": score}},
    }


_SCHOOLS_004 = [{"school": "一中", "facts": {"计划报送时间": "2019-12-12 10:00"}}]


@pytest.mark.parametrize(("score", "band"), [("5.95", "不合格"), ("0", "不合格"), ("5.9", "不合格"), ("6", "一般")])
def test_004_every_on_time_score_below_6_is_graded_fail(score: str, band: str) -> None:
    """Ruling R004-05: every on-time score below 6, 5.95 included, is graded 不合格."""
    d = load(POLICY_004).evaluate([_teacher_004(score)], _SCHOOLS_004).decisions[0]
    assert ("assessed", band) == (d.status, d.to_dict()["items"]["队伍建设"]["band"])


def test_000_every_on_time_score_below_10_is_graded_fail() -> None:
    """Ruling R000-06: every on-time score of 作业二 below 10, 9.95 included, is graded 不合格."""
    teacher = {
        "id": "T1",
        "school": "一中",
        "enrolled_at": "2021-09-28 09:00",
        "items": {"作业二": {"submitted_at": "2021-11-18 20:00:00", "score": "9.95", "length": 1200}},
    }
    schools = [{"school": "一中", "facts": {"计划报送时间": "2021-09-29 10:00"}}]
    d = load(POLICY_000).evaluate([teacher], schools).decisions[0]
    assert ("assessed", "不合格") == (d.status, d.to_dict()["items"]["作业二"]["band"])


def test_a_score_finer_than_the_precision_says_so() -> None:
    """17.95 between 良好 (to 17.9) and 优秀 (from 18) is refused, naming the precision and the value."""
    d = load(POLICY_004).evaluate([_teacher_004("17.95")], _SCHOOLS_004).decisions[0]
    assert "error" == d.status
    assert "“队伍建设”的分数 17.95 比档次表“板块档次”的精度 0.1 更细，落在两档之间，无法定档" == d.reason_zh
    assert "items.队伍建设.score" == d.problems[0].field


def test_exclusive_bands_grade_any_precision(tmp_path: Path) -> None:
    """With 良好 12 至 低于 18, 17.95 and 17.999 are 良好 and 18 is 优秀."""
    text = POLICY_004.read_text(encoding="utf-8").replace("良好 12 至 17.9", "良好 12 至 低于 18")
    text = text.replace("一般 6 至 11.9", "一般 6 至 低于 12").replace("  精度 0.1\n", "")
    path = tmp_path / "exclusive.policy"
    path.write_text(text, encoding="utf-8")
    policy = load(path)
    for score, band in (("17.95", "良好"), ("17.999", "良好"), ("18", "优秀"), ("11.99", "一般")):
        d = policy.evaluate([_teacher_004(score)], _SCHOOLS_004).decisions[0]
        assert ("assessed", band) == (d.status, d.to_dict()["items"]["队伍建设"]["band"]), score


# ---------- point 3: label vocabularies ----------

_LABELS = """输入 教师 {
  获奖: 标签 {"省一等奖", "省二等奖", "市一等奖"} 依据 X1
  方式: 标签 {集中培训, 网络研修} 依据 X1
  学历: 标签 {专科 < 本科 < 研究生} 依据 X1
  专长: 标签集 {骨干, 新教师} 可缺 依据 X1
}
对照表 奖励 依据 X1 {
  "省一等奖": 10
  "省二等奖": 8
  市一等奖: 5
}
"""


def _label_policy(cond: str, formula: str = "奖励[获奖]") -> str:
    part = f"部分 乙 满分 10 依据 X1 {{\n  得分 = {formula} 依据 X1\n}}\n"
    return HEAD + _LABELS + part + f"合格 当 {cond} 依据 X1\n"


@pytest.mark.parametrize(
    ("cond", "code", "message", "hint"),
    [
        (
            '获奖 == "省一等"',
            "E320",
            "“省一等”不在“获奖”的词表中（省一等奖、省二等奖、市一等奖）",
            "是不是“省一等奖”？",
        ),
        ('方式 != "集中"', "E320", "“集中”不在“方式”的词表中（集中培训、网络研修）", "是不是“集中培训”？"),
        (
            '获奖 属于 ["省一等奖", "市一等"]',
            "E320",
            "“市一等”不在“获奖”的词表中（省一等奖、省二等奖、市一等奖）",
            "",
        ),
        ('专长 含 "骨千"', "E320", "“骨千”不在“专长”的词表中（骨干、新教师）", "是不是“骨干”？"),
        ('学历 不低于 "硕士"', "E320", "“硕士”不在“学历”的词表中（专科、本科、研究生）", ""),
    ],
)
def test_a_literal_outside_the_vocabulary_is_e320(cond: str, code: str, message: str, hint: str) -> None:
    """The == "优秀" typo: a text compared with a label must be one of its words."""
    d = _only(_label_policy(cond), code)
    assert message == d.message
    if hint:
        assert hint == d.hint


def test_words_of_the_vocabulary_check_clean() -> None:
    """Comparisons with words of the vocabulary, and a table with exactly its keys, are clean."""
    cond = '获奖 == "省一等奖" 且 方式 属于 ["集中培训"] 且 学历 不低于 "本科" 且 非 (专长 含 "新教师")'
    assert [] == _codes(_label_policy(cond))


def test_a_lookup_keyed_by_a_vocabulary_is_checked_for_unknown_and_missing_keys() -> None:
    """A key outside the vocabulary is E321 (with a did-you-mean), a word without a row E322, except under 取值."""
    text = _label_policy('获奖 == "省一等奖"').replace("  市一等奖: 5\n", "  市一等: 5\n")
    unknown = _only(text, "E321")
    assert "对照表“奖励”的键“市一等”不在“获奖”的词表中（省一等奖、省二等奖、市一等奖）" == unknown.message
    assert "是不是“市一等奖”？" == unknown.hint
    assert "对照表“奖励”按“获奖”查表，但缺少键 市一等奖" == _only(text, "E322").message
    defaulted = _label_policy('获奖 == "省一等奖"', "取值(奖励[获奖], 0)").replace("  市一等奖: 5\n", "")
    assert [] == [c for c in _codes(defaulted) if c != "W601"]  # 方式, 学历, 专长 are not read here


def test_a_vocabulary_on_a_number_and_a_repeated_word_are_e323() -> None:
    """Only labels have vocabularies, and each word appears once."""
    assert ["E323"] == _codes(HEAD + "输入 教师 {\n  篇数: 整数 {一, 二} 依据 X1\n}\n")
    assert ["E323"] == _codes(HEAD + "输入 教师 {\n  级别: 标签 {校级, 校级} 依据 X1\n}\n")


def test_ordering_an_unordered_label_is_e303_saying_how_to_order_it() -> None:
    """`方式 不低于 …` on an unordered vocabulary is a type error whose hint shows the ordered syntax."""
    d = _only(_label_policy('方式 不低于 "网络研修"'), "E303")
    assert "{甲 < 乙 < 丙}" in d.hint


def _run(tmp_path: Path, policy_text: str, facts: dict[str, Any]) -> Any:
    path = tmp_path / "labels.policy"
    path.write_text(policy_text, encoding="utf-8")
    record: dict[str, Any] = {"id": "T1", "facts": facts}
    return load(path).evaluate([record]).decisions[0]


def test_a_record_label_outside_the_vocabulary_is_a_record_error_with_did_you_mean(tmp_path: Path) -> None:
    """ "集中" for "集中培训" no longer earns 0 silently: the record is an error naming the field."""
    text = _label_policy('方式 == "集中培训"')
    d = _run(tmp_path, text, {"获奖": "省一等奖", "方式": "集中", "学历": "本科"})
    assert "error" == d.status
    assert "facts.方式" == d.problems[0].field
    assert "“方式”为“集中”，不在词表中（集中培训、网络研修）：是不是“集中培训”？" == d.reason_zh
    d = _run(tmp_path, text, {"获奖": "省一等奖", "方式": "集中培训", "学历": "本科", "专长": ["骨干", "新教"]})
    assert ("error", "facts.专长") == (d.status, d.problems[0].field)


@pytest.mark.parametrize(("degree", "passed"), [("专科", False), ("本科", True), ("研究生", True)])
def test_ordered_labels_compare_by_rank(tmp_path: Path, degree: str, passed: bool) -> None:
    """学历 不低于 "本科": by the vocabulary's order (研究生 sorts below 本科 as text, yet ranks above)."""
    d = _run(tmp_path, _label_policy('学历 不低于 "本科"'), {"获奖": "市一等奖", "方式": "网络研修", "学历": degree})
    assert ("assessed", passed) == (d.status, d.passed)


def test_an_items_grade_has_its_band_tables_labels() -> None:
    """作业二 uses 作业二档次: a grade compared with "优" is E320, and a recorded grade outside is a record error."""
    text = POLICY_000.read_text(encoding="utf-8") + '证书 作业二优秀 当 作业二.等级 == "优" 依据 R000-06\n'
    assert ["E320"] == _codes(text)
    teacher = {
        "id": "T1",
        "school": "一中",
        "enrolled_at": "2021-09-28 09:00",
        "items": {"作业二": {"submitted_at": "2021-11-18 20:00:00", "score": "40", "length": 1200, "grade": "良"}},
    }
    schools = [{"school": "一中", "facts": {"计划报送时间": "2021-09-29 10:00"}}]
    d = load(POLICY_000).evaluate([teacher], schools).decisions[0]
    assert ("error", "items.作业二.grade") == (d.status, d.problems[0].field)
    assert "不在词表中（优秀、良好、一般、不合格）" in d.reason_zh


def test_shipped_policies_have_no_diagnostic_for_this_issue() -> None:
    """Both shipped policies still check clean: their bands follow the rulings with 低于."""
    for path in (POLICY_004, POLICY_000):
        assert [] == check(path)
        bands = [d for d in load(path).checked.module.decls if isinstance(d, ast.BandTable)]
        assert [True] == [any(g.high_open for g in t.gaps) for t in bands]


def test_huge_ranges_are_bounded_without_an_arithmetic_error() -> None:
    """Bounds beyond 28 digits (a 15-digit range squared, then rounded) still give E406, never a traceback."""
    text = _part_formula("  篇数: 整数 0 至 999999999999999 依据 X1", "向下取整(篇数 × 篇数 / 0.001, 0.001)")
    assert ["E406"] == _codes(text)
