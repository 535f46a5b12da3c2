"""The checker's passes: names, types, citations, bands, points, period and unused declarations."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from trainrules.api import check, checks, load, loads
from trainrules.check import PASSES
from trainrules.check.bands import precision
from trainrules.check.names import did_you_mean
from trainrules.diagnostics import CATALOG, Diagnostic, Severity

REPO = Path(__file__).resolve().parents[1]
POLICIES = sorted((REPO / "policies").glob("*.policy"))

HEAD = """方案 兰西县2019秋网本研修 {
  标题 "2019-2020第一学期教师网本研修计划"
  期间 2019-12-05 至 2019-12-31             依据 R004-01 "四、培训时间"
}
"""


def _part(items: str, *, name: str = "网络研修", top: str = "20", extra: str = "") -> str:
    return f"部分 {name} 满分 {top}{extra} 依据 R004-04 {{\n{items}}}\n"


def _item(name: str = "队伍建设", top: str = "20", *stmts: str) -> str:
    body = "".join(f"    {s}\n" for s in ("截止 2019-12-15 24:00 前", *stmts))
    return f"  项目 {name} 满分 {top} 依据 R004-04 {{\n{body}  }}\n"


def _codes(text: str) -> list[str]:
    return [d.code for d in checks(text, name="p.policy")]


def _first(text: str, code: str) -> Diagnostic:
    return next(d for d in checks(text, name="p.policy") if d.code == code)


# ---------- the shipped policies ----------


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_shipped_policy_checks_clean(path: Path) -> None:
    """Each shipped policy has no diagnostic at all: no error and no warning."""
    assert [] == check(path)


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_shipped_policy_loads(path: Path) -> None:
    """Each shipped policy loads, in Asia/Shanghai, with no warnings kept."""
    policy = load(path)
    assert ("Asia/Shanghai", ()) == (policy.time_zone, policy.warnings)
    assert policy.title


def test_there_are_two_shipped_policies() -> None:
    """The two seed policies are where the tests expect them (the issue-11 ports add more beside them)."""
    seeds = {"lanxi_2019-2020_term1_online-school", "lanxi_2021-2022_term1_career-identity"}
    assert seeds <= {p.stem for p in POLICIES}


def test_passes_are_the_documented_concerns() -> None:
    """PASSES is one ordered tuple of check_<concern> functions."""
    names = [p.__name__ for p in PASSES]
    assert all(n.startswith("check_") for n in names)
    assert len(set(names)) == len(names)


def test_every_catalog_code_is_well_formed() -> None:
    """Codes are E1xx-E4xx errors or W5xx-W6xx warnings, with titles and messages in both languages."""
    for code, entry in CATALOG.items():
        assert (entry.severity is Severity.ERROR) == code.startswith("E"), code
        assert all((entry.title_zh, entry.title_en, entry.message_zh, entry.message_en)), code


# ---------- names ----------


def test_did_you_mean_ranks_by_edit_distance() -> None:
    """The closest names come first; names too far away are not suggested."""
    zh, en = did_you_mean("入班日期", ["入班时间", "作业数", "入班日"])
    assert "是不是“入班日”、“入班时间”？" == zh
    assert "did you mean '入班日', '入班时间'?" == en
    assert ("", "") == did_you_mean("校本成绩", ["队伍建设", "师德师风"])


def test_undefined_name_without_a_near_miss_has_no_suggestion() -> None:
    """An undefined name that resembles nothing gets E301 without a 'did you mean'."""
    d = _first(HEAD + "合格 当 毫不相干的名字 依据 R1\n", "E301")
    assert ("名称“毫不相干的名字”没有定义", "") == (d.message, d.hint)


def test_dotted_item_input_resolves() -> None:
    """`作业一.分数` names the score of an item from outside it."""
    text = HEAD + _part(_item()) + "合格 当 队伍建设.分数 不少于 12 依据 R1\n"
    assert [] == _codes(text)


def test_item_on_time_is_a_condition() -> None:
    """`队伍建设.按时` is a yes/no: fine with 且, an E303 compared with a number."""
    text = HEAD + _part(_item()) + "合格 当 队伍建设.按时 且 队伍建设 不少于 12 依据 R1\n"
    assert [] == _codes(text)
    d = _first(HEAD + _part(_item()) + "合格 当 队伍建设.按时 不少于 12 依据 R1\n", "E303")
    assert "是否" in d.message


def test_misspelt_item_status_suggests_on_time() -> None:
    """`队伍建设.按期` is E301 and the hint offers `队伍建设.按时`."""
    d = _first(HEAD + _part(_item()) + "合格 当 队伍建设.按期 依据 R1\n", "E301")
    assert "队伍建设.按时" in d.hint


def test_unknown_item_field_is_e301() -> None:
    """`队伍建设.成绩` is not an item input; the suggestion names the real one."""
    d = _first(HEAD + _part(_item()) + "合格 当 队伍建设.分值 不少于 12 依据 R1\n", "E301")
    assert "队伍建设.分值" in d.message
    assert "队伍建设.分数" in d.hint


def test_duplicate_name_across_kinds_is_e302() -> None:
    """A definition named like an item is E302 pointing at the item's line."""
    d = _first(HEAD + _part(_item()) + "定义 队伍建设 = 1\n", "E302")
    assert "“队伍建设”已在第 6 行定义" == d.message


def test_duplicate_builtin_name_reads_well() -> None:
    """Redefining a built-in field says so in words, not 'line （内置）'."""
    d = _first(HEAD + "定义 学校 = 1\n", "E302")
    assert ("“学校”已在内置名称中定义", "'学校' is already defined as a built-in name") == (d.message, d.message_en)


def test_second_plan_block_is_e302() -> None:
    """Two 方案 blocks are an E302 on the second one."""
    assert ["E302"] == _codes(HEAD + HEAD)


def test_missing_plan_block_is_e305() -> None:
    """A policy without a 方案 block is one E305 explaining what to write."""
    d = _first("定义 甲 = 1\n", "E305")
    assert "策略缺少“方案”块" == d.message
    assert ["E305"] == _codes("定义 甲 = 1\n")


# ---------- types ----------


@pytest.mark.parametrize(
    ("expr", "fragment"),
    [
        ("入职日期 晚于 2019", "“晚于”不能比较日期与数"),
        ("入班时间 早于 2019-12-08", "“早于”不能比较时刻与日期"),
        ("入班时间 + 1 不少于 2", "算术运算只能用于数，这里是时刻"),
        ("作业数", "合格条件应为是否，这里是数"),
        ("作业数 不少于 2 且 作业数", "“且”两边应为条件（是否），这里是数"),
        ("非 作业数", "“非”后应为是否，这里是数"),
        ("若 作业数 则 是否 否则 是否", "“若”后应为条件，这里是数"),
        ('作业数 不少于 (若 作业数 > 1 则 1 否则 "一")', "“则”与“否则”两个分支类型不同（数、文本）"),
        ('作业数 属于 [1, "二"]', "列表中的各项类型不一致"),
        ("最小(入班时间, 1) 不少于 1", "“最小”的参数应为数，这里是时刻"),
    ],
)
def test_type_mismatches_are_e303(expr: str, fragment: str) -> None:
    """Each kind of type mismatch is E303 with a message naming both types."""
    inputs = (
        "输入 教师 {\n  入班时间: 时刻 依据 R1\n  入职日期: 日期 依据 R1\n  作业数: 数 依据 R1\n"
        "  是否: 是否 依据 R1\n}\n"
    )
    diagnostics = checks(HEAD + inputs + f"合格 当 {expr} 依据 R1\n", name="p.policy")
    messages = [d.message for d in diagnostics if d.code == "E303"]
    assert any(fragment in m for m in messages), messages


@pytest.mark.parametrize(
    ("when", "words"), [("2024-11-03 01:30", "两种含义"), ("2024-03-10 02:30", "不存在")], ids=["fold", "gap"]
)
def test_deadline_in_a_dst_fold_or_gap_is_e202(when: str, words: str) -> None:
    """A wall time that happens twice (or never) in the plan's zone cannot be a deadline: E202 says which."""
    head = HEAD.replace(
        "  期间 2019-12-05 至 2019-12-31", '  时区 "America/New_York" 依据 G1\n  期间 2024-01-01 至 2024-12-31'
    )
    item = "  项目 作业 满分 20 依据 R1 {\n    截止 " + when + " 前 依据 R1\n  }\n"
    d = _first(head + _part(item), "E202")
    assert words in d.message
    assert "DST" in d.message_en


def test_instant_compared_with_instant_is_fine() -> None:
    """Instants compare with instants, numbers with numbers: no E303."""
    inputs = "输入 教师 {\n  入班时间: 时刻 依据 R1\n  作业数: 数 依据 R1\n}\n"
    assert [] == _codes(HEAD + inputs + "合格 当 入班时间 早于 2019-12-08 24:00 且 作业数 >= 2 依据 R1\n")


def test_circular_definition_is_one_e309() -> None:
    """Two definitions that use each other are one E309 naming the cycle."""
    text = HEAD + "定义 甲 = 乙 + 1\n定义 乙 = 甲 + 1\n合格 当 甲 > 1 依据 R1\n"
    diagnostics = [d for d in checks(text, name="p.policy") if d.code == "E309"]
    assert 1 == len(diagnostics)
    assert "甲 → 乙 → 甲" in diagnostics[0].message or "乙 → 甲 → 乙" in diagnostics[0].message


def test_self_reference_is_e309() -> None:
    """A definition that uses itself is E309."""
    assert "E309" in _codes(HEAD + "定义 甲 = 甲 + 1\n合格 当 甲 > 1 依据 R1\n")


def test_aggregates_need_a_group_check() -> None:
    """计数/合计/人数 outside 核查 … 按 … is E304; inside it, fine."""
    inputs = "输入 教师 {\n  作业数: 数 依据 R1\n}\n"
    assert "E304" in _codes(HEAD + inputs + "合格 当 人数() > 1 依据 R1\n")
    assert [] == _codes(HEAD + inputs + "核查 人数足够 按 学校 要求 计数(作业数 >= 2) 不少于 1 依据 R1\n")


def test_group_by_unknown_field_is_e301() -> None:
    """Grouping by a name that is not a teacher field is E301."""
    d = _first(HEAD + "核查 名额 按 学段名 要求 人数() > 0 依据 R1\n", "E301")
    assert "学段名" in d.message
    assert "学段" in d.hint


# ---------- citations ----------


@pytest.mark.parametrize(
    ("decl", "what"),
    [
        ('假设 日期截止 "…"\n', "假设“日期截止”"),
        ("合格 当 1 > 0\n", "合格规则"),
        ("证书 优秀证书 当 1 > 0\n", "证书“优秀证书”"),
        ("核查 名额 要求 1 > 0\n", "核查“名额”"),
        ("对象 {\n  参训 当 1 > 0\n}\n", "参训条件"),
        (_part("  项目 甲 满分 20 {\n    截止 2019-12-15 24:00 前\n  }\n"), "项目“甲”"),
    ],
)
def test_rules_without_citation_are_e308(decl: str, what: str) -> None:
    """Every rule needs 依据 with a rule id; the message names which rule lacks one."""
    messages = [d.message for d in checks(HEAD + decl, name="p.policy") if d.code == "E308"]
    assert f"{what}没有写“依据”" in messages


def test_relying_on_an_undeclared_assumption_is_e307() -> None:
    """基于 a name that is not a declared assumption is E307 on that name, with a suggestion."""
    text = HEAD + '假设 日期截止 "…" 依据 G2\n合格 当 1 > 0 依据 R1 基于 日期截至\n'
    d = _first(text, "E307")
    assert ("日期截至", "是不是“日期截止”？") == (d.span.text, d.hint)


# ---------- bands ----------

BANDS = """档次表 板块档次 依据 R004-05 {{
{rows}
}}
"""


def _bands(rows: str, top: str = "20") -> str:
    return HEAD + BANDS.format(rows=rows) + _part(_item("队伍建设", top, "档次 板块档次"), top=top)


def test_contiguous_bands_at_their_own_precision_are_clean() -> None:
    """优秀 18-20, 良好 12-17.9, 一般 6-11.9, 空档 0-5.9 leave no gap at step 0.1."""
    assert [] == _codes(_bands("  优秀 18 至 20\n  良好 12 至 17.9\n  一般 6 至 11.9\n  空档 0 至 5.9 记为 不合格"))


def test_undeclared_gap_is_e402_with_the_gap_to_declare() -> None:
    """良好 12-17.9 and 优秀 18.5-20 leave 17.9..18.5 uncovered: E402 suggests 空档 18.0 至 18.4."""
    d = _first(_bands("  优秀 18.5 至 20\n  良好 12 至 17.9\n  一般 0 至 11.9"), "E402")
    assert "17.9 与 18.5 之间的分数不属于任何档次" == d.message
    assert "空档 18.0 至 18.4" in d.hint


def test_declared_precision_reveals_a_gap() -> None:
    """With 精度 0.01, 17.9 and 18 are no longer adjacent: E402."""
    rows = "  优秀 18 至 20\n  良好 12 至 17.9\n  一般 0 至 11.9\n  精度 0.01"
    assert ["E402", "E402"] == _codes(_bands(rows))


def test_precision_defaults_to_the_finest_bound() -> None:
    """Without 精度, a table whose finest bound is 17.9 has step 0.1; with 17.95, 0.01."""
    table = loads(_bands("  优秀 18 至 20\n  良好 12 至 17.9\n  一般 0 至 11.9")).checked.band_tables["板块档次"]
    assert Decimal("0.1") == precision(table)
    table = loads(_bands("  优秀 17.96 至 20\n  良好 12 至 17.95\n  一般 0 至 11.99")).checked.band_tables["板块档次"]
    assert Decimal("0.01") == precision(table)


def test_overlapping_bands_are_e401() -> None:
    """良好 up to 18 and 优秀 from 18 share the score 18: E401."""
    d = _first(_bands("  优秀 18 至 20\n  良好 12 至 18\n  一般 0 至 11.9"), "E401")
    assert "档次“良好”与“优秀”重叠" in d.message


def test_band_above_the_item_maximum_is_e403() -> None:
    """A band reaching 25 on a 20-point item is E403."""
    d = _first(_bands("  优秀 18 至 25\n  良好 12 至 17.9\n  一般 0 至 11.9"), "E403")
    assert "超出“队伍建设”的范围 0 至 20" in d.message


def test_bands_must_reach_the_maximum() -> None:
    """Bands that stop at 18 on a 20-point item leave 18..20 uncovered: E402."""
    assert ["E402"] == _codes(_bands("  优秀 15 至 18\n  良好 0 至 14.9"))


# ---------- points ----------


def test_items_must_add_up_to_their_part() -> None:
    """Items of 30 + 30 in a part of 70 is E404 naming both sums."""
    text = HEAD + _part(_item("作业一", "30") + _item("作业二", "30"), top="70")
    d = _first(text, "E404")
    assert "“网络研修”各项目满分之和为 60，而部分满分为 70" == d.message


def test_scaled_part_need_not_add_up() -> None:
    """按比例折算: items of 50 + 50 in a part of 70 is fine."""
    text = HEAD + _part(_item("作业一", "50") + _item("作业二", "50"), top="70", extra=" 按比例折算")
    assert [] == _codes(text)


def test_parts_must_add_up_to_the_total() -> None:
    """A 总分 of 100 with one part of 20 is E404 on the 总分 line."""
    text = HEAD.replace("}\n", "  总分 100 依据 R1\n}\n") + _part(_item())
    d = _first(text, "E404")
    assert ("各部分满分之和为 20，而总分为 100", 4) == (d.message, d.span.line)


def test_part_score_above_its_maximum_is_e406() -> None:
    """A part score formula that can exceed the part's maximum is E406."""
    text = HEAD + _part(_item() + "  得分 = 队伍建设 × 2 依据 R1\n")
    assert ["E406"] == _codes(text)


@pytest.mark.parametrize(
    ("condition", "codes"),
    [
        ("总分 不少于 20", []),
        ("总分 不少于 21", ["E405"]),
        ("总分 高于 20", ["E405"]),
        ("总分 高于 19.9", []),
        ("网络研修 不少于 12 且 总分 不少于 120", ["E405"]),
        ("队伍建设 不少于 20", []),
        ("队伍建设 > 20", ["E405"]),
    ],
)
def test_pass_threshold_must_be_reachable(condition: str, codes: list[str]) -> None:
    """A pass mark above what can be reached (or strictly above the maximum) is E405."""
    assert codes == _codes(HEAD + _part(_item()) + f"合格 当 {condition} 依据 R1\n")


def test_late_points_above_the_maximum_are_e406() -> None:
    """逾期 得 30 on a 20-point item is E406."""
    d = _first(HEAD + _part(_item("队伍建设", "20", "逾期 得 30")), "E406")
    assert "“队伍建设”逾期的得分最高可达 30，超过满分 20" == d.message


# ---------- period ----------


@pytest.mark.parametrize(
    ("stmt", "codes"),
    [
        ("截止 2019-12-31 24:00 前", []),
        ("截止 2020-01-01 00:01 前", ["W501"]),
        ("开放 2019-12-05 00:00", []),
        ("开放 2019-12-04 23:59", ["W501"]),
    ],
)
def test_instants_outside_the_period_are_w501(stmt: str, codes: list[str]) -> None:
    """The period runs from 00:00 of its first day to 24:00 of its last; outside is W501."""
    items = f"  项目 甲 满分 20 依据 R1 {{\n    {stmt}\n  }}\n"
    if not stmt.startswith("截止"):
        items = items.replace("  }\n", "    截止 2019-12-15 24:00 前\n  }\n")
    assert codes == _codes(HEAD + _part(items))


def test_w501_names_what_the_instant_is() -> None:
    """W501 says whether it is a deadline, an opening time or an instant in a rule."""
    items = "  项目 甲 满分 20 依据 R1 {\n    开放 2019-12-01 00:00\n    截止 2020-01-15 24:00 前\n  }\n"
    inputs = "输入 教师 {\n  入班时间: 时刻 依据 R1\n}\n对象 {\n  参训 当 入班时间 早于 2020-02-01 00:00 依据 R1\n}\n"
    messages = [d.message for d in checks(HEAD + inputs + _part(items), name="p.policy") if d.code == "W501"]
    assert [
        "参训条件中的时刻 2020-02-01 00:00 不在方案期间 2019-12-05 至 2019-12-31 内",
        "“甲”的开放时刻 2019-12-01 00:00 不在方案期间 2019-12-05 至 2019-12-31 内",
        "“甲”的截止时刻 2020-01-16 00:00 不在方案期间 2019-12-05 至 2019-12-31 内",
    ] == messages


def test_warnings_alone_load() -> None:
    """W501 is a warning: the policy loads and keeps it."""
    policy = loads(HEAD + _part(_item("队伍建设", "20").replace("2019-12-15", "2020-01-15")), name="p.policy")
    assert ["W501"] == [d.code for d in policy.warnings]


# ---------- unused ----------


@pytest.mark.parametrize(
    ("decl", "kind"),
    [
        ("定义 未用 = 1\n", "定义“未用”"),
        ('假设 未用 "…" 依据 G2\n', "假设“未用”"),
        ("输入 教师 {\n  未用: 数 依据 R1\n}\n", "输入字段（教师）“未用”"),
        ("输入 学校 {\n  未用: 数 依据 R1\n}\n", "输入字段（学校）“未用”"),
        ("档次表 未用 依据 R1 {\n  优 0 至 20\n}\n", "档次表“未用”"),
        ("对照表 未用 依据 R1 {\n  甲: 1\n}\n", "对照表“未用”"),
    ],
)
def test_unused_declarations_are_w601(decl: str, kind: str) -> None:
    """Each kind of declaration nothing reads is W601, naming its kind."""
    assert [f"{kind}没有被任何规则使用"] == [d.message for d in checks(HEAD + decl, name="p.policy")]


def test_close_of_business_assumption_is_not_unused() -> None:
    """下班时间 is read by 下班前 deadlines, so it is never reported unused."""
    assert [] == _codes(HEAD + '假设 下班时间 = 17:00 "下班前指 17:00" 依据 G4\n')


def test_assumption_relied_on_is_used() -> None:
    """An assumption named in 基于 is used."""
    assert [] == _codes(HEAD + '假设 日期截止 "…" 依据 G2\n合格 当 1 > 0 依据 R1 基于 日期截止\n')


# ---------- duplicates inside a block ----------


@pytest.mark.parametrize(
    ("stmts", "name"),
    [
        (("截止 2019-12-22 24:00 前",), "截止"),
        (("逾期 得 0", "逾期 得 0"), "逾期"),
        (("提交时间 取自 学校.报送时间", "提交时间 取自 学校.报送时间"), "提交时间"),
    ],
)
def test_item_statement_twice_is_e306(stmts: tuple[str, ...], name: str) -> None:
    """A statement given twice in one item is E306 naming the whole keyword."""
    school = "输入 学校 {\n  报送时间: 时刻 依据 R1\n}\n"
    d = _first(HEAD + school + _part(_item("队伍建设", "20", *stmts)), "E306")
    assert f"“{name}”在同一块中出现了两次" == d.message


def test_part_score_twice_is_e306() -> None:
    """Two 得分 lines in one part are E306, not a silent choice of the last one."""
    text = HEAD + _part(_item() + "  得分 = 队伍建设 依据 R1\n  得分 = 队伍建设 依据 R1\n")
    assert ["E306"] == _codes(text)


def test_precision_twice_is_e306() -> None:
    """Two 精度 lines in one band table are E306."""
    assert "E306" in _codes(_bands("  精度 0.1\n  优秀 0 至 20\n  精度 0.01"))


# ---------- division (W502) ----------


@pytest.mark.parametrize(
    ("late", "warned"),
    [
        ("逾期 得 分数 / 3", True),
        ("逾期 得 分数 ÷ 0.3", True),
        ("逾期 得 分数 / 分数", True),
        ("逾期 得 分数 / 4", False),
        ("逾期 得 分数 / 0.8", False),
        ("逾期 得 分数 / 100", False),
        ("逾期 得 四舍五入(分数 / 3, 0.01)", False),
        ("逾期 得 最小(向下取整(分数 / 7), 20)", False),
    ],
)
def test_division_that_may_not_terminate_is_w502(late: str, warned: bool) -> None:
    """Dividing by anything but a literal of 2s and 5s warns, unless a rounding function says how to round."""
    text = HEAD + _part(_item("队伍建设", "20", late))
    assert warned == ("W502" in _codes(text))


@pytest.mark.parametrize(("tops", "part_top", "warned"), [(("30", "15"), "30", True), (("50", "50"), "70", False)])
def test_scaled_part_that_may_not_terminate_is_w502(tops: tuple[str, str], part_top: str, warned: bool) -> None:
    """按比例折算 multiplies by 满分 / (sum of the items' maxima): 30/45 does not terminate, 70/100 does."""
    items = _item("队伍建设", tops[0]) + _item("师德师风", tops[1])
    text = HEAD + _part(items, top=part_top, extra=" 按比例折算")
    assert warned == ("W502" in _codes(text))


@pytest.mark.parametrize("zone", ["localtime", "posixrules", "posix/Asia/Shanghai"])
def test_machine_dependent_zone_is_e204(zone: str) -> None:
    """A zone whose rules depend on the machine would score differently on another computer: E204."""
    text = HEAD.replace("  期间", f'  时区 "{zone}"\n  期间')
    assert "E204" in _codes(text)


@pytest.mark.parametrize(("digits", "codes"), [("١٠٠", ["E110"]), ("１００", []), ("100", [])])
def test_only_ascii_and_full_width_digits_are_numbers(digits: str, codes: list[str]) -> None:
    """Full-width digits are numbers as in records; other scripts' digits are not (as records refuse them)."""
    text = HEAD.replace("  期间", f"  总分 {digits}\n  期间") + _part(
        _item("队伍建设", "50") + _item("师德师风", "50"), top="100"
    )
    assert codes == [c for c in _codes(text) if c.startswith("E")]


@pytest.mark.parametrize(
    ("late", "flagged"), [("逾期 得 四舍五入(分数, 0)", True), ("逾期 得 四舍五入(分数, 0.5)", False)]
)
def test_rounding_step_of_zero_is_e304(late: str, flagged: bool) -> None:
    """A literal rounding step of 0 can never be computed: the checker says so before any teacher is scored."""
    d = [x for x in checks(HEAD + _part(_item("队伍建设", "20", late)), name="p.policy") if x.code == "E304"]
    assert flagged == bool(d)
    if flagged:
        assert "步长不能为 0" in d[0].message


def test_an_undefined_name_with_a_glued_keyword_says_where_the_space_goes() -> None:
    """`总分不少于60` lexes as one name (names may hold digits): E301 says to split it, not a spelling guess."""
    text = (REPO / "policies" / "lanxi_2019-2020_term1_online-school.policy").read_text(encoding="utf-8")
    assert "合格 当 总分 不少于 60" in text
    (d,) = [d for d in checks(text.replace("合格 当 总分 不少于 60", "合格 当 总分不少于60"), name="p.policy")]
    assert ("E301", "总分不少于60") == (d.code, d.span.text)
    assert "是不是想写“总分 不少于 60”？在“总分”和“不少于”之间加空格。" == d.hint
    assert "Did you mean '总分 不少于 60'?" in d.hint_en
