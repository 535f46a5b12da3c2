"""Parsing and lowering: syntax errors in plain words, positions in Chinese text, literals, deadlines and instants."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lark import Lark
from lark.exceptions import UnexpectedInput

from trainrules.api import checks, loads
from trainrules.diagnostics import Collector, Diagnostic
from trainrules.limits import MAX_DIAGNOSTICS_SHOWN, MAX_NESTING, MAX_TOKENS
from trainrules.source import Source
from trainrules.syntax import ast
from trainrules.syntax.grammar import build_parser, describe_terminal, parser
from trainrules.syntax.parser import _check_size
from trainrules.syntax.prescan import prescan
from trainrules.syntax.slips import glued_hint, glued_splits

#: The syntax errors that say what the parser expected, and those that name a clerk's slip and its fix.
EXPECTED_CODES = {"E110", "E111", "E112"}
SLIP_CODES = {"E120", "E121", "E122", "E123", "E124"}
SYNTAX_CODES = EXPECTED_CODES | SLIP_CODES

HEAD = """方案 兰西县2019秋网本研修 {
  标题 "2019-2020第一学期教师网本研修计划"
  期间 2019-12-05 至 2019-12-31             依据 R004-01 "四、培训时间"
}
"""


def _item(*stmts: str, head: str = HEAD) -> str:
    body = "".join(f"    {s}\n" for s in stmts)
    return f"{head}部分 网络研修 满分 20 依据 R004-04 {{\n  项目 队伍建设 满分 20 依据 R004-04 {{\n{body}  }}\n}}\n"


def _deadline(text: str) -> ast.Deadline | None:
    return loads(text).checked.items["队伍建设"].deadline


def _only(diagnostics: list[Diagnostic]) -> Diagnostic:
    assert 1 == len(diagnostics), [d.code for d in diagnostics]
    return diagnostics[0]


# ---------- syntax errors in the author's words ----------

BROKEN = {
    "unexpected character": HEAD + "合格 当 总分 不少于 60 @ 依据 R1\n",
    "full-width semicolon": _item("截止 2019-12-15 24:00 前；逾期 得 0"),
    "之前 for 前": _item("截止 2019-12-15 24:00 之前"),
    "missing 授予": HEAD + "合格 当 总分 不少于 60 36 学时 依据 R1\n",
    "missing colon": HEAD + "输入 教师 {\n  作业数 整数\n}\n",
    "missing type": HEAD + "输入 教师 {\n  作业数: 依据 R1\n}\n",
    "unknown type": HEAD + "输入 教师 {\n  作业数: 小数\n}\n",
    "unclosed plan": '方案 甲 {\n  标题 "x"\n',
    "unclosed item": _item("截止 2019-12-15 24:00 前").rstrip("}\n") + "\n",
    "unclosed string": HEAD + '假设 甲 "没有右引号\n',
    "unclosed parenthesis": HEAD + "合格 当 (总分 不少于 60 依据 R1\n",
    "unclosed list": HEAD + "定义 名单 = [1, 2\n",
    "stray closing brace": HEAD + "}\n",
    "dangling operator": HEAD + "合格 当 总分 不少于 60 且\n",
    "rule id lower case": HEAD + "合格 当 总分 不少于 60 依据 r004-08\n",
    "citation without id": HEAD + "合格 当 总分 不少于 60 依据\n",
    "band without bounds": HEAD + "档次表 档 依据 R1 {\n  优秀 18\n}\n",
    "group by nothing": HEAD + "核查 名额 按 要求 1 > 0 依据 R1\n",
    "comma in group": HEAD + "核查 名额 按 学校 学时 要求 1 > 0 依据 R1\n",
    "if without else": HEAD + "定义 甲 = 若 总分 > 1 则 1\n",
    "double comparison": HEAD + "合格 当 1 < 总分 < 100 依据 R1\n",
    "date with slashes": _item("截止 2019/12/15 24:00 前"),
    "only a brace": "{",
    "only a name": "兰西县",
    "only a keyword": "方案",
}

#: Internal names the grammar uses, which a user must never see: named terminals with ASCII
#: names, lark's anonymous and end markers, and rule names.
_INTERNAL = sorted(
    {t.name for t in parser().terminals if t.name.isascii()}
    | {r.origin.name for r in parser().rules if isinstance(r.origin.name, str)}
    | {"$END", "__ANON", "__start"}
)
_INTERNAL_RE = re.compile("|".join(rf"(?<![A-Za-z_$]){re.escape(n)}(?![A-Za-z0-9_])" for n in _INTERNAL))


def _words(d: Diagnostic) -> str:
    return "\n".join((d.message, d.hint, d.message_en, d.hint_en))


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_syntax_errors_never_name_internal_terminals(case: str) -> None:
    """A syntax error's message and hint (zh and en) never show __ANON, $END, _COLON, RULE_ID or a rule name."""
    d = _only(checks(BROKEN[case], name="broken.policy"))
    assert d.code in SYNTAX_CODES
    assert [] == _INTERNAL_RE.findall(_words(d))


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_syntax_errors_say_what_was_expected(case: str) -> None:
    """Every syntax error says in words what the parser expected there (zh and en), or names the slip's fix."""
    d = _only(checks(BROKEN[case], name="broken.policy"))
    if d.code in SLIP_CODES:
        assert d.hint.strip()
        assert d.hint_en.strip()
        return
    assert d.hint.startswith("这里需要：")
    assert d.hint_en.startswith("expected here: ")
    assert len(d.hint) > len("这里需要：")


def test_internal_name_pattern_catches_internal_names() -> None:
    """The pattern the two tests above rely on does find internal names (so a pass means something)."""
    assert ["_COLON", "$END", "RULE_ID"] == _INTERNAL_RE.findall("需要 _COLON 或 $END 或 RULE_ID")
    assert [] == _INTERNAL_RE.findall("这里需要：名称、数值、规则编号（如 R004-04）、“:”、文件结尾")


def test_every_terminal_has_plain_words() -> None:
    """describe_terminal gives words for every terminal the parser can expect, never its name."""
    for t in parser().terminals:
        if t.name in ("WS", "COMMENT"):
            continue
        for lang in ("zh", "en"):
            words = describe_terminal(t.name, lang)
            assert words not in ("其他内容", "something else"), t.name
            assert [] == _INTERNAL_RE.findall(words), (t.name, words)
    assert "文件结尾" == describe_terminal("$END")


def test_expected_set_is_taken_before_reductions() -> None:
    """After `按 学校` the parser wants ',', 要求 or 逐: all are listed, not only what lark's reduced state allows."""
    d = _only(checks(BROKEN["comma in group"], name="b.policy"))
    assert "E111" == d.code
    assert "这里需要：“,”、“要求”、“逐”" == d.hint


def test_expected_set_lists_chinese_keywords() -> None:
    """Keywords (授予, 依据, …) are offered after a complete condition, not only operators and the end of file."""
    d = _only(checks(BROKEN["missing 授予"], name="b.policy"))
    assert "这里不能出现“36”" == d.message
    assert "“依据”" in d.hint
    assert "“+”或“-”" in d.hint


def test_expected_words_for_a_mistyped_deadline() -> None:
    """`24:00 之前` is answered with exactly the two ways a deadline can end."""
    d = _only(checks(BROKEN["之前 for 前"], name="b.policy"))
    assert ("E111", "这里不能出现“之前”", "这里需要：“前”、“及之前”") == (d.code, d.message, d.hint)
    assert "expected here: '前', '及之前'" == d.hint_en


def test_unclosed_block_names_the_open_block_and_what_can_follow() -> None:
    """At the end of the file an open block is named with its line, and everything that may follow is listed."""
    text = _item("截止 2019-12-15 24:00 前")
    text = text[: text.rindex("}")]  # drop the part's closing brace
    d = _only(checks(text, name="b.policy"))
    assert "E112" == d.code
    assert "（第 5 行）尚未闭合" in d.message
    assert "部分 网络研修 满分 20 依据 R004-04 {" in d.message
    assert "这里需要：“}”、“取消”、“得分”、“档次”、“适用”、“项目”" == d.hint


def test_unexpected_character_position_in_chinese_text() -> None:
    """Line and column count code points: the '@' after Chinese words is at line 5, column 16."""
    d = _only(checks(HEAD + "合格 当 总分 不少于 60 @ 依据 R1\n", name="b.policy"))
    assert ("E110", 5, 16) == (d.code, d.span.line, d.span.column)
    assert "这里不能出现“@”" == d.message


def test_unexpected_word_span_covers_the_word() -> None:
    """An unexpected word is underlined from its first to its last character."""
    d = _only(checks(BROKEN["之前 for 前"], name="b.policy"))
    assert "之前" == d.span.text
    assert (7, 25) == (d.span.line, d.span.column)


def test_syntax_error_after_crlf_lines() -> None:
    """Windows line endings do not shift columns: CR is not counted as a character of the line."""
    text = HEAD.replace("\n", "\r\n") + "合格 当 总分 不少于 60 @ 依据 R1\r\n"
    d = _only(checks(text, name="b.policy"))
    assert (5, 16) == (d.span.line, d.span.column)


# ---------- full-width punctuation ----------

ASCII_POLICY = """方案 甲 {
  标题 "x"
  期间 2019-12-05 至 2019-12-31 依据 R1
}
输入 教师 {
  作业数: 整数 0 至 9 依据 R2
}
部分 甲部 满分 20 依据 R3, R4 {
  项目 甲项 满分 20 依据 R3 {
    截止 2019-12-15 12:00 前 依据 R3
    得分 = 最小(分数, 20) 依据 R3
  }
}
核查 学校作业 按 学校, 学科 要求 计数(作业数 >= 2) 不少于 向下取整(5% × 人数()) 依据 R4
合格 当 (甲部 不少于 12) 且 作业数 >= 1 依据 R5
"""

FULL_WIDTH_POLICY = (
    ASCII_POLICY.replace("作业数: ", "作业数：")
    .replace("(", "（")
    .replace(")", "）")
    .replace(", ", "，")
    .replace("5%", "5％")
    .replace("  ", "\u3000")
)


def test_full_width_punctuation_parses_like_ascii() -> None:
    """：，（）％ and ideographic spaces give the same policy as ASCII punctuation and spaces."""
    assert {"（", "：", "，", "％", "\u3000"} <= set(FULL_WIDTH_POLICY)
    assert [] == checks(ASCII_POLICY)
    assert [] == checks(FULL_WIDTH_POLICY)
    assert loads(ASCII_POLICY).checked.module == loads(FULL_WIDTH_POLICY).checked.module


def test_full_width_colon_in_a_time() -> None:
    """`12：00` (full-width colon, as copied from the plan) is the same instant as `12:00`."""
    ascii_ = _deadline(_item("截止 2019-12-15 12:00 前"))
    full = _deadline(_item("截止 2019-12-15 12：00 前"))
    assert ascii_ is not None
    assert full is not None
    assert (ascii_.kind, ascii_.instant) == (full.kind, full.instant)


def test_chinese_date_form_equals_iso_form() -> None:
    """2019年12月15日 is the same date as 2019-12-15."""
    iso = _deadline(_item("截止 2019-12-15 24:00 前"))
    zh = _deadline(_item("截止 2019年12月15日 24:00 前"))
    assert iso is not None
    assert zh is not None
    assert iso.instant == zh.instant


# ---------- deadlines and instants ----------

SHANGHAI = "Asia/Shanghai"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2019-12-15 24:00 前", pendulum.datetime(2019, 12, 16, tz=SHANGHAI)),
        ("2019-12-31 24:00 前", pendulum.datetime(2020, 1, 1, tz=SHANGHAI)),
        ("2020-02-28 24:00 前", pendulum.datetime(2020, 2, 29, tz=SHANGHAI)),
        ("2019-02-28 24:00 前", pendulum.datetime(2019, 3, 1, tz=SHANGHAI)),
    ],
)
def test_24_00_is_next_day_midnight(written: str, expected: pendulum.DateTime) -> None:
    """`D 24:00` is 00:00 of the next day (ruling G2), across month, year and leap-day boundaries."""
    head = HEAD.replace("2019-12-05 至 2019-12-31", "2019-01-01 至 2020-12-31")
    d = _deadline(_item(f"截止 {written}", head=head))
    assert d is not None
    assert ("before", expected) == (d.kind, d.instant)


def test_24_00_in_an_expression_is_next_day_midnight() -> None:
    """An instant literal `2019-12-08 24:00` in a condition is 2019-12-09 00:00."""
    text = (
        HEAD + "输入 教师 {\n  入班时间: 时刻 依据 R1\n}\n对象 {\n  参训 当 入班时间 早于 2019-12-08 24:00 依据 R1\n}\n"
    )
    rule = next(d for d in loads(text).checked.module.decls if isinstance(d, ast.ScopeRule))
    assert isinstance(rule.cond, ast.Compare)
    assert isinstance(rule.cond.right, ast.InstantLit)
    assert pendulum.datetime(2019, 12, 9, tz=SHANGHAI) == rule.cond.right.value
    assert (24, 0) == (rule.cond.right.time.hour, rule.cond.right.time.minute)


def test_clock_time_before_is_strict() -> None:
    """`12:00 前` is strictly before 12:00 (ruling G3); `12:00 及之前` includes 12:00 itself."""
    before = _deadline(
        _item("截止 2021-10-22 12:00 前", head=HEAD.replace("2019-12-05 至 2019-12-31", "2021-09-27 至 2021-11-26"))
    )
    by = _deadline(
        _item("截止 2021-10-22 12:00 及之前", head=HEAD.replace("2019-12-05 至 2019-12-31", "2021-09-27 至 2021-11-26"))
    )
    assert before is not None
    assert by is not None
    noon = pendulum.datetime(2021, 10, 22, 12, tz=SHANGHAI)
    assert ("before", noon) == (before.kind, before.instant)
    assert ("by", noon) == (by.kind, by.instant)


def test_close_of_business_needs_the_assumption() -> None:
    """`下班前` without a declared 下班时间 is E305 on the deadline, with a hint naming ruling G4."""
    d = _only(checks(_item("截止 2019-12-20 下班前 依据 R1"), name="b.policy"))
    assert ("E305", "2019-12-20 下班前") == (d.code, d.span.text)
    assert "下班时间" in d.hint
    assert "G4" in d.hint


@pytest.mark.parametrize(("value", "hour", "minute"), [("17:00", 17, 0), ("16:30", 16, 30)])
def test_close_of_business_uses_the_declared_time(value: str, hour: int, minute: int) -> None:
    """With `假设 下班时间 = …` the deadline is strictly before that time on that day."""
    head = HEAD + f'假设 下班时间 = {value} "下班前指当地 {value}" 依据 G4\n'
    text = _item("截止 2019-12-20 下班前 依据 R1", head=head)
    assert [] == checks(text)
    d = _deadline(text)
    assert d is not None
    assert ("before", True) == (d.kind, d.close_of_business)
    assert pendulum.datetime(2019, 12, 20, hour, minute, tz=SHANGHAI) == d.instant


@pytest.mark.parametrize("written", ["2019-12-15 前", "2019-12-15", "2019年12月15日前"])
def test_date_only_deadline_is_e205(written: str) -> None:
    """A deadline with a date but no time is E205, and the hint spells out both readings (G2, G3)."""
    d = _only(checks(_item(f"截止 {written} 依据 R1"), name="b.policy"))
    assert "E205" == d.code
    assert "24:00 前" in d.hint
    assert "12:00 前" in d.hint


def test_time_zone_is_used_for_instants() -> None:
    """Instants are made in the policy's own time zone, and in Asia/Shanghai when it names none (G1)."""
    ny = HEAD.replace("  期间", '  时区 "America/New_York"\n  期间')
    d = _deadline(_item("截止 2019-12-15 12:00 前", head=ny))
    assert d is not None
    assert pendulum.datetime(2019, 12, 15, 12, tz="America/New_York") == d.instant
    assert "America/New_York" == loads(_item("截止 2019-12-15 12:00 前", head=ny)).time_zone
    assert SHANGHAI == loads(_item("截止 2019-12-15 12:00 前")).time_zone


# ---------- literals ----------


@pytest.mark.parametrize(
    ("date", "reason"),
    [
        ("2023-02-29", "2023 年 2 月只有 28 天，最后一天是 2023-02-28"),
        ("2100-02-29", "2100 年 2 月只有 28 天，最后一天是 2100-02-28"),
        ("2023-04-31", "2023 年 4 月只有 30 天，最后一天是 2023-04-30"),
        ("2023年4月31日", "2023 年 4 月只有 30 天，最后一天是 2023-04-30"),
        ("2019-13-01", "没有 13 月"),
        ("2019-00-10", "没有 0 月"),
        ("2019-12-00", "2019 年 12 月只有 31 天，最后一天是 2019-12-31"),
    ],
)
def test_impossible_dates_are_e201(date: str, reason: str) -> None:
    """A date that does not exist is E201 on the date itself, saying why."""
    d = _only(checks(_item(f"截止 {date} 24:00 前"), name="b.policy"))
    assert ("E201", date) == (d.code, d.span.text)
    assert d.message.endswith(reason)


def test_leap_day_is_a_date() -> None:
    """2024-02-29 exists."""
    head = HEAD.replace("2019-12-05 至 2019-12-31", "2024-02-01 至 2024-03-31")
    d = _deadline(_item("截止 2024-02-29 24:00 前", head=head))
    assert d is not None
    assert pendulum.datetime(2024, 3, 1, tz=SHANGHAI) == d.instant


@pytest.mark.parametrize(
    ("time", "reason"),
    [
        ("25:00", "一天没有 25 时"),
        ("24:30", "24 时只能写作 24:00（当日结束）"),
        ("24:00:01", "24 时只能写作 24:00（当日结束）"),
        ("12:60", "一小时没有 60 分"),
        ("12：60", "一小时没有 60 分"),
        ("12:30:60", "一分钟没有 60 秒"),
        ("99:99", "一天没有 99 时"),
    ],
)
def test_impossible_times_are_e202(time: str, reason: str) -> None:
    """A time of day that does not exist is E202 on the time itself, saying why."""
    d = _only(checks(_item(f"截止 2019-12-15 {time} 前"), name="b.policy"))
    assert ("E202", time) == (d.code, d.span.text)
    assert d.message.endswith(reason)


def test_numbers_are_exact_decimals() -> None:
    """Band bounds like 17.9 become Decimal('17.9'), never a float near it (G6)."""
    text = (
        HEAD
        + "档次表 档 依据 R1 {\n  优秀 18 至 20\n  良好 12 至 17.9\n  一般 0 至 11.9\n}\n"
        + _item("截止 2019-12-15 24:00 前", "档次 档", head="")
    )
    table = loads(text).checked.band_tables["档"]
    assert [Decimal("18"), Decimal("12"), Decimal("0")] == [b.low for b in table.bands]
    assert [Decimal("20"), Decimal("17.9"), Decimal("11.9")] == [b.high for b in table.bands]
    assert all(isinstance(b.high, Decimal) for b in table.bands)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("999999999999999", None),
        ("1000000000000000", "E203"),
        ("0.0000000001", None),
        ("0.00000000001", "E203"),
        ("000000000000000000020", None),
    ],
)
def test_number_limits(number: str, code: str | None) -> None:
    """Numbers have at most 15 integer and 10 fractional digits (leading zeros do not count); beyond is E203."""
    codes = [d.code for d in checks(HEAD + f"定义 甲 = {number}\n", name="n.policy")]
    assert ([code] if code else []) == [c for c in codes if c != "W601"]


def test_percent_is_a_fraction() -> None:
    """`5%` is the number 0.05, remembered as written."""
    text = HEAD + "定义 比例 = 5%\n合格 当 比例 < 1 依据 R1\n"
    define = next(d for d in loads(text).checked.module.decls if isinstance(d, ast.Define))
    assert isinstance(define.expr, ast.Number)
    assert (Decimal("0.05"), "5%", True) == (define.expr.value, define.expr.text, define.expr.percent)


def test_hash_inside_a_string_is_not_a_comment() -> None:
    """`#` inside quotes is text; after them it starts a comment."""
    text = HEAD.replace('标题 "2019-2020第一学期教师网本研修计划"', '标题 "第#1期" # 注释 "不是标题"')
    assert "第#1期" == loads(text).title


def test_curly_quotes_delimit_strings() -> None:
    """Chinese quotes “…” delimit text like ASCII quotes."""
    assert "网本研修" == loads(HEAD.replace('"2019-2020第一学期教师网本研修计划"', "“网本研修”")).title


# --- the parse-table cache ------------------------------------------------------

_POLICY_TEXT = (Path(__file__).parents[1] / "policies" / "lanxi_2019-2020_term1_online-school.policy").read_text(
    encoding="utf-8"
)


def _fresh_parser(monkeypatch: pytest.MonkeyPatch, cache_dir: str) -> Lark:
    monkeypatch.setenv("TRAINRULES_CACHE_DIR", cache_dir)
    return build_parser()


def test_parser_cache_is_written_once_and_then_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = _fresh_parser(monkeypatch, str(tmp_path))
    (cached,) = tmp_path.glob("policy-grammar-*.lark")
    written = cached.stat().st_mtime_ns
    loaded = _fresh_parser(monkeypatch, str(tmp_path))
    assert written == cached.stat().st_mtime_ns  # read, not rebuilt and rewritten
    assert built.parse(_POLICY_TEXT) == loaded.parse(_POLICY_TEXT)


def test_a_corrupt_parser_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reference = _fresh_parser(monkeypatch, str(tmp_path)).parse(_POLICY_TEXT)
    (cached,) = tmp_path.glob("policy-grammar-*.lark")
    cached.write_bytes(cached.read_bytes()[:200])  # e.g. another process stopped half-way through writing it
    assert reference == _fresh_parser(monkeypatch, str(tmp_path)).parse(_POLICY_TEXT)
    rewritten = cached.stat().st_mtime_ns
    assert cached.stat().st_size > 200
    assert reference == _fresh_parser(monkeypatch, str(tmp_path)).parse(_POLICY_TEXT)
    assert rewritten == cached.stat().st_mtime_ns  # the rewritten file is whole: it loads


@pytest.mark.parametrize("setting", ["off", " OFF ", "0"])
def test_parser_cache_can_be_turned_off(setting: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert _fresh_parser(monkeypatch, setting).parse(_POLICY_TEXT) is not None
    assert [] == list(tmp_path.iterdir())


def test_an_unusable_cache_directory_only_costs_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    tree = _fresh_parser(monkeypatch, str(blocker / "cache")).parse(_POLICY_TEXT)
    assert "start" == tree.data
    assert ["a-file"] == [p.name for p in tmp_path.iterdir()]


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_windows_and_old_mac_line_ends_give_the_right_line(newline: str) -> None:
    """A policy saved with CRLF or CR-only line ends reports the same line and column as with LF."""
    fixture = Path(__file__).parent / "diagnostics" / "E201-month-13.policy"
    text = fixture.read_text(encoding="utf-8")
    expected = [(d.code, d.span.line, d.span.column) for d in checks(text, name="p.policy") if d.span]
    converted = [
        (d.code, d.span.line, d.span.column) for d in checks(text.replace("\n", newline), name="p.policy") if d.span
    ]
    assert [("E201", 10, 8)] == expected
    assert expected == converted


# ---------- a clerk's slips, named with their fix ----------


def _one_syntax_error(text: str) -> Diagnostic:
    errors = [d for d in checks(text, name="slip.policy") if d.code in SYNTAX_CODES]
    assert 1 == len(errors), [(d.code, d.message) for d in errors]
    return errors[0]


@pytest.mark.parametrize(
    ("written", "word", "fix"),
    [
        ("合格 当 总分不少于 60 依据 R1", "总分不少于", "总分 不少于"),
        ("部分 网络研修满分 20 依据 R1 {\n}", "网络研修满分", "网络研修 满分"),
        ("合格 当 总分 不少于 60 且 作业数早于 2019-12-15 12:00 依据 R1", "作业数早于", "作业数 早于"),
    ],
)
def test_a_keyword_glued_to_a_name_is_e120_with_the_split(written: str, word: str, fix: str) -> None:
    """A keyword run into a name is one name to the lexer: E120 underlines the word and says where the space goes."""
    d = _one_syntax_error(HEAD + written + "\n")
    assert ("E120", word) == (d.code, d.span.text)
    assert f"是不是想写“{fix}”？" in d.hint
    assert f"Did you mean '{fix}'?" in d.hint_en


def test_a_keyword_glued_into_a_statement_word_is_e120() -> None:
    """`档次作业三档次` inside an item is `档次 作业三档次` (the example of the issue).

    The lexer reads the keyword glued to a name as one name only where a name may come next;
    after a citation's quoted section one may (a field of an input block), so there it is a slip.
    """
    d = _one_syntax_error(_item('截止 2019-12-15 24:00 前 依据 R1 "第一板块"', "档次作业三档次"))
    assert ("E120", "档次作业三档次") == (d.code, d.span.text)
    assert "“档次 作业三档次”" in d.hint


def test_a_number_glued_after_the_keyword_is_spaced_off_in_the_hint() -> None:
    """`逾期得0` reads on as `逾期 得0` (the lexer splits 得 from 0 there), but the hint writes it `逾期 得 0`."""
    d = _one_syntax_error(_item('截止 2019-12-15 24:00 前 依据 R1 "第一板块"', "逾期得0"))
    assert ("E120", "逾期得0") == (d.code, d.span.text)
    assert d.hint.startswith("是不是想写“逾期 得 0”？")


def test_a_split_the_grammar_would_refuse_is_not_suggested() -> None:
    """`得分率 = 1` in an item starts with 得分, but `得分 率 = 1` does not parse either: a plain E111, no guess."""
    d = _one_syntax_error(_item("得分率 = 1"))
    assert "E111" == d.code


@pytest.mark.parametrize(
    ("written", "char", "fixed"),
    [
        ("定义 甲 = 17．9", "．", "17.9"),
        ("定义 甲 = 17。9", "。", "17.9"),
        ("合格 当 总分 ＜ 60 依据 R1", "＜", "<"),
        ("合格 当 总分 ＞＝ 60 依据 R1", "＞", ">="),
        ("定义 甲 = 总分 － 1", "－", "-"),
        ("定义 甲 = ［1, 2］", "［", "[1,"),
        ("定义 甲 = 2019—12—15", "—", "2019-12-15"),
        ("合格 当 入班时间 早于 2019－12－15 12:00 依据 R1", "－", "2019-12-15"),
    ],
)
def test_a_full_width_character_is_e121_with_the_caret_on_it(written: str, char: str, fixed: str) -> None:
    """A full-width or look-alike sign is E121, underlined exactly, with the word as it should be written."""
    d = _one_syntax_error(HEAD + written + "\n")
    assert ("E121", char) == (d.code, d.span.text)
    assert f"改成“{fixed}”" in d.hint
    assert unicodedata.name(char) in d.message_en


def test_a_full_width_minus_in_a_deadline_date() -> None:
    """`截止 2019－12－15`: the caret is on the first full-width minus, not on the year the parser stopped at."""
    d = _one_syntax_error(_item("截止 2019－12－15 24:00 前"))
    assert ("E121", "－", 7, 12) == (d.code, d.span.text, d.span.line, d.span.column)
    assert "改成“2019-12-15”" in d.hint


@pytest.mark.parametrize(
    "written",
    ["合格 当 总分 不少于 2＃ 依据 R1", "合格 当 学校。计划报送时间 早于 2019-12-15 12:00 依据 R1"],
)
def test_a_look_alike_whose_ascii_form_would_change_the_meaning_is_not_suggested(written: str) -> None:
    """A ＃ glued to a number would turn the rest of the line into a comment, a 。 in a name is no decimal point."""
    assert "E121" != _one_syntax_error(HEAD + written + "\n").code


def test_a_full_width_hash_starts_a_comment() -> None:
    """＃ after a space, where a comment can start, is E121 with # as the fix."""
    d = _one_syntax_error(HEAD + "合格 当 总分 不少于 2 依据 R1 ＃ 注释\n")
    assert ("E121", "＃") == (d.code, d.span.text)


def test_a_look_alike_that_would_not_help_is_not_suggested() -> None:
    """A full-width sign where its ASCII form is no better either stays a plain syntax error."""
    d = _one_syntax_error(HEAD + "方案 乙 ｛\n}\n")
    assert "E121" == d.code  # ｛ for { does help
    d = _one_syntax_error(HEAD + "定义 甲 = 1 ！ 2\n")
    assert "E110" == d.code  # ! alone is no operator


@pytest.mark.parametrize(
    ("line", "quote", "closer", "column"),
    [
        ('  标题 "2019-2020第一学期教师网本研修计划', '"', '"', 6),
        ("  标题 “2019-2020第一学期教师网本研修计划", "“", "”", 6),
        ('  标题 "第一期 # 注释', '"', '"', 6),
    ],
)
def test_an_unclosed_quote_is_e122_at_the_end_of_its_line(line: str, quote: str, closer: str, column: int) -> None:
    """Text in quotes is one line: the caret is where the closing quote is missing, the message names the opening."""
    text = HEAD.replace('  标题 "2019-2020第一学期教师网本研修计划"', line)
    d = _one_syntax_error(text)
    assert ("E122", 2, len(line.rstrip()) + 1) == (d.code, d.span.line, d.span.column)
    assert f"第 2 行第 {column} 列的引号 {quote}" in d.message
    assert f"补上 {closer}" in d.hint


@pytest.mark.parametrize(
    ("written", "wrong", "fix"),
    [('“网本研修"', '"', "”"), ('"网本研修”', "”", '"'), ("“网本研修“", "“", "”")],
)
def test_quotes_that_do_not_pair_are_e123_on_the_wrong_one(written: str, wrong: str, fix: str) -> None:
    """A Chinese opening quote closed by an ASCII one (or the reverse): the caret is on the one to change."""
    text = HEAD.replace('"2019-2020第一学期教师网本研修计划"', written)
    d = _one_syntax_error(text)
    assert ("E123", wrong, 2) == (d.code, d.span.text, d.span.line)
    assert f"改成 {fix}" in d.hint


def test_a_block_left_open_before_the_next_declaration_is_e124() -> None:
    """The next declaration in the first column while a brace is open: E124 names the open block and its line."""
    text = _item("截止 2019-12-15 24:00 前")
    text = text[: text.rindex("}")] + "合格 当 总分 不少于 60 依据 R1\n"
    d = _one_syntax_error(text)
    assert ("E124", "合格", 9) == (d.code, d.span.text, d.span.line)
    assert "部分 网络研修 满分 20 依据 R004-04 {”（第 5 行）" in d.message


def test_the_glued_keyword_hint_hook_for_undefined_names() -> None:
    """glued_hint splits an undefined name at a keyword after a known name (the name check's hook)."""
    assert glued_hint("总分不少于60", {"总分"}) is not None
    assert "“总分 不少于 60”" in glued_hint("总分不少于60", {"总分"})[0]
    assert "“档次 作业三档次”" in glued_hint("档次作业三档次", {"作业三档次"})[0]
    assert glued_hint("不合格档", {"总分"}) is None
    assert [("档次", "作业三档次")] == [s for s in glued_splits("档次作业三档次") if s[0] == "档次"]


# ---------- several errors in one run ----------

THREE_ERRORS = """方案 兰西县2019秋网本研修 {
  标题 "2019-2020第一学期教师网本研修计划"
  期间 2019-12-05 至 2019-12-31 @           依据 R004-01
}

部分 网络研修 满分 20 依据 R004-04 {
  项目 队伍建设 满分 20 依据 R004-04 {
    截止 2019-12-15 24:00 之前              依据 R004-04
  }
}

定义 甲 = 1 依据 R1

合格 当 总分不少于 60 授予 36 学时   依据 R004-08
"""


def test_three_independent_syntax_errors_are_all_reported() -> None:
    """Three broken declarations give three errors, each at its own line, in one run; the sound one gives none."""
    diagnostics = checks(THREE_ERRORS, name="three.policy")
    assert [("E110", 3, 30), ("E111", 8, 25), ("E120", 14, 6)] == [
        (d.code, d.span.line, d.span.column) for d in diagnostics
    ]


def test_one_error_per_declaration() -> None:
    """Two slips in one declaration are reported once (the first): what follows a slip is not guessed at."""
    text = HEAD + "合格 当 总分 @ 60 @ 依据 R1\n定义 甲 = @\n"
    assert [("E110", 5), ("E110", 6)] == [(d.code, d.span.line) for d in checks(text, name="p.policy")]


def test_recovery_after_an_open_block_parses_the_declarations_after_it() -> None:
    """After E124 the declaration it points at is parsed as itself: its own error is the next one reported."""
    text = _item("截止 2019-12-15 24:00 前")
    text = text[: text.rindex("}")] + "合格 当 总分 不少于 60 依据 R1\n定义 甲 = 1 +\n"
    assert ["E124", "E112"] == [d.code for d in checks(text, name="p.policy")]


def test_recovery_stops_at_the_number_of_diagnostics_shown() -> None:
    """A file with more broken declarations than are shown reports as many as are shown, no more."""
    text = HEAD + "定义 甲 = @\n" * (MAX_DIAGNOSTICS_SHOWN + 10)
    assert ["E110"] * MAX_DIAGNOSTICS_SHOWN == [d.code for d in checks(text, name="p.policy")]


_SOUND = (
    "定义 甲 = 1 + 2 依据 R1",
    "合格 当 总分 不少于 60 授予 36 学时 依据 R1",
    '假设 日期截止 "只写日期的截止指当日结束前" 依据 G2',
    "核查 名额 要求 1 > 0 依据 R1",
    '证书 "优秀" 当 总分 不少于 90.5 依据 R1',
    "定义 乙 = 最小(1.5, 2) 依据 R1",
)


@st.composite
def _declarations(draw: st.DrawFn) -> tuple[str, set[int]]:
    """Sound one-line declarations, some broken by a slip at a random place; the lines that were broken."""
    lines, broken = [], set()
    for i, decl in enumerate(draw(st.lists(st.sampled_from(_SOUND), min_size=1, max_size=8))):
        slip = draw(st.sampled_from(["", "", "@", "drop", "glue", "．", "－", '"']))
        if slip:
            at = draw(st.integers(min_value=0, max_value=len(decl) - 1))
            if slip == "drop":
                decl = decl[:at] + decl[at + 1 :]
            elif slip == "glue":
                decl = decl.replace(" ", "", 1) if " " in decl[at:] else decl
                decl = decl[:at] + decl[at:].replace(" ", "", 1)
            else:
                decl = decl[:at] + slip + decl[at:]
            broken.add(HEAD.count("\n") + 1 + i)
        lines.append(decl)
    return HEAD + "\n".join(lines) + "\n", broken


@given(_declarations())
def test_law_recovery_reports_each_broken_declaration_at_most_once(case: tuple[str, set[int]]) -> None:
    """Never an exception; at most one syntax error per broken declaration, on its line or the next (no cascade)."""
    text, broken = case
    errors = [d for d in checks(text, name="law.policy") if d.code in SYNTAX_CODES]
    assert len(errors) <= len(broken)
    assert all(d.span.line in broken or d.span.line - 1 in broken for d in errors), [
        (d.code, d.span.line, d.message) for d in errors
    ]


# ---------- refused before parsing ----------


def test_too_many_tokens_is_e114_at_the_token_past_the_limit() -> None:
    """More tokens than MAX_TOKENS is E114 before parsing, with the caret where the limit is passed."""
    text = HEAD + "定义 名单 = [" + ",".join(["1"] * (MAX_TOKENS // 2 + 10)) + "]\n"
    (d,) = checks(text, name="big.policy")
    assert ("E114", 5) == (d.code, d.span.line)
    assert f"策略有超过 {MAX_TOKENS} 个词、数和符号" == d.message
    assert f"more than {MAX_TOKENS} tokens" in d.message_en


def test_an_if_ladder_is_e113_before_parsing() -> None:
    """Every 若 whose 否则 part has not ended encloses what follows: a long ladder is refused without parsing."""
    text = HEAD + "定义 甲 = " + "若 总分 > 1 则 1 否则 " * 5_000 + "0\n"
    source = Source(name="ladder.policy", text=text)
    out = Collector()
    assert not prescan(source, out)
    assert [("E113", 5)] == [(d.code, d.span.line) for d in out.items]


def test_sibling_ifs_do_not_add_up() -> None:
    """An if in the 则 part closes at its 否则 part's end: a hundred of them side by side are no deep nesting."""
    text = HEAD + "定义 甲 = 若 总分 > 1 则 1 否则 2\n" * 100
    assert prescan(Source(name="flat.policy", text=text), Collector())
    text = HEAD + "定义 甲 = [" + ", ".join(["若 总分 > 1 则 若 总分 > 2 则 1 否则 2 否则 3"] * 100) + "]\n"
    assert prescan(Source(name="flat.policy", text=text), Collector())


def test_deep_brackets_are_e113_before_parsing_at_the_bracket() -> None:
    """Brackets nested past the limit are E113 at the first bracket past it, found without parsing."""
    text = HEAD + "定义 甲 = " + "[" * 100 + "1" + "]" * 100 + "\n"
    (d,) = checks(text, name="deep.policy")
    assert ("E113", "[") == (d.code, d.span.text)
    assert len("定义 甲 = ") + MAX_NESTING + 1 == d.span.column


_WRAPPERS = (
    "[{}]",
    "最小({})",
    "最小(1, {})",
    "({})",
    "({} + 1)",
    "-{}",
    "- {}",
    "非 {}",
    "{}%",
    "(1 × {})",
    "若 甲 则 1 否则 {}",
    "若 {} 则 1 否则 2",
    "若 甲 则 {} 否则 2",
    "若 甲 则 若 乙 则 1 否则 2 否则 {}",
    "若 (若 甲 则 乙 否则 1) 则 1 否则 {}",
    "[若 甲 则 1 否则 2, {}]",
    "学校.甲 + {}",
)


@given(st.lists(st.sampled_from(_WRAPPERS), max_size=MAX_NESTING + 20), st.sampled_from(["1", "甲", "甲 > 1"]))
def test_law_what_the_pre_scan_refuses_the_parse_refuses(wrappers: list[str], leaf: str) -> None:
    """The pre-scan's nesting is a lower bound: what it refuses is refused after parsing too (or does not parse)."""
    expr = leaf
    for w in wrappers:
        expr = w.format(expr)
    source = Source(name="n.policy", text=HEAD + f"定义 乙 = {expr}\n")
    if prescan(source, Collector()):
        return
    try:
        tree = parser().parse(source.text)
    except UnexpectedInput:
        return
    after = Collector()
    assert not _check_size(source, tree, after)
    assert ["E113"] == [d.code for d in after.items]
