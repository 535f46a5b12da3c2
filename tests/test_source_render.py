"""Sources, spans and the renderer: 1-based positions, carets padded by display width, text and JSON forms."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from trainrules.api import checks, loads
from trainrules.diagnostics import Diagnostic, PolicyError, make
from trainrules.limits import MAX_DIAGNOSTICS_SHOWN
from trainrules.render import Shown, diagnostic_to_dict, render_one, render_text, summary_line
from trainrules.source import Source, display_width

HEAD = """方案 兰西县2019秋网本研修 {
  标题 "2019-2020第一学期教师网本研修计划"
  期间 2019-12-05 至 2019-12-31             依据 R004-01 "四、培训时间"
}
"""


def _one(text: str) -> Diagnostic:
    diagnostics = checks(text, name="p.policy")
    assert 1 == len(diagnostics), [d.code for d in diagnostics]
    return diagnostics[0]


# ---------- sources and spans ----------


def test_line_col_counts_code_points_from_one() -> None:
    """Offsets map to 1-based lines and 1-based code-point columns, Chinese characters counting one each."""
    src = Source(name="s", text="方案 甲 {\n  标题 “兰西”\n}")
    assert (1, 1) == src.line_col(0)
    assert (1, 4) == src.line_col(3)
    assert (2, 3) == src.line_col(src.text.index("标题"))
    assert (2, 6) == src.line_col(src.text.index("“"))
    assert (3, 1) == src.line_col(src.text.index("}"))


def test_line_col_clamps_offsets() -> None:
    """Offsets before the start or past the end are clamped instead of raising."""
    src = Source(name="s", text="ab\ncd")
    assert (1, 1) == src.line_col(-5)
    assert (2, 3) == src.line_col(99)


def test_line_text_drops_newline_and_carriage_return() -> None:
    """line_text gives a line without its newline, and without the CR of a Windows line ending."""
    src = Source(name="s", text="方案\r\n标题\r\n")
    assert ["方案", "标题", ""] == [src.line_text(n) for n in (1, 2, 3)]


def test_span_text_and_join() -> None:
    """A span covers [start, end) and join covers both spans."""
    src = Source(name="s", text="合格 当 总分 不少于 60")
    a, b = src.span(0, 2), src.span(8, 11)
    assert ("合格", "不少于") == (a.text, b.text)
    assert "合格 当 总分 不少于" == a.join(b).text
    assert (1, 9) == (b.line, b.column)


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("", 0),
        ("abc", 3),
        ("方案", 4),
        ("：，（）", 8),
        ("１２", 4),
        ("\u3000", 2),
        ("e\u0301", 1),
        ("R004-04 “五”", 12),
    ],
)
def test_display_width(text: str, width: int) -> None:
    """Wide and full-width characters take two cells, combining marks none, the rest (curly quotes too) one."""
    assert width == display_width(text)


# ---------- text rendering ----------


def test_caret_is_padded_by_display_width() -> None:
    """The caret sits under the bad character: Chinese characters before it count two cells each."""
    d = _one(HEAD + "合格 当 总分 不少于 60 @ 依据 R1\n")
    expected = "\n".join(
        [
            "p.policy:5:16: 错误 E110: 这里不能出现“@”",
            " 5 | 合格 当 总分 不少于 60 @ 依据 R1",
            "   | " + " " * 23 + "^",
        ]
    )
    assert render_one(d).startswith(expected + "\n  提示: 这里需要：")
    assert 23 == display_width("合格 当 总分 不少于 60 ")


def test_caret_under_a_wide_word_is_two_cells_per_character() -> None:
    """An unexpected Chinese word is underlined with two carets per character."""
    d = _one(HEAD + "部分 甲 满分 20 依据 R1 {\n  项目 乙 满分 20 依据 R1 {\n    截止 2019-12-15 24:00 之前\n  }\n}\n")
    lines = render_one(d).splitlines()
    assert " 7 |     截止 2019-12-15 24:00 之前" == lines[1]
    assert "   |     " + " " * display_width("截止 2019-12-15 24:00 ") + "^^^^" == lines[2]


def test_caret_after_a_tab() -> None:
    """A tab is shown as four spaces on both the source line and the caret line, so the caret stays aligned."""
    d = _one(HEAD + "合格 当\t总分 不少于 60 @ 依据 R1\n")
    lines = render_one(d).splitlines()
    assert " 5 | 合格 当    总分 不少于 60 @ 依据 R1" == lines[1]
    assert "   | " + " " * display_width("合格 当    总分 不少于 60 ") + "^" == lines[2]


def test_caret_after_full_width_punctuation() -> None:
    """Full-width punctuation before the error counts two cells."""
    d = _one(HEAD + "合格 当 最小（总分，60） 不少于 60 @\n")
    line, caret = render_one(d).splitlines()[1:3]
    assert caret.index("^") == display_width(line[: line.index("@")])


def test_gutter_grows_with_the_line_number() -> None:
    """On line 10 and beyond the gutter is wider, and the caret line's gutter matches it."""
    d = _one(HEAD + "\n" * 6 + "合格 当 总分 不少于 60 @\n")
    lines = render_one(d).splitlines()
    assert lines[1].startswith(" 11 | ")
    assert lines[2].startswith("    | ")


def test_caret_in_a_long_line_points_at_the_error() -> None:
    """On a long line only a window is shown, and the caret still sits under the bad character."""
    expr = " + ".join(["总分"] * 400)
    d = _one(HEAD + f"合格 当 {expr} 不少于 60 @\n")
    line, caret = render_one(d).splitlines()[1:3]
    gutter = line.index("|") + 2
    shown = line[gutter:]
    col = caret.index("^") - gutter
    assert len(shown) <= 100
    # the character at that display cell of the shown line is the '@'
    cells = 0
    for ch in shown:
        if cells == col:
            assert "@" == ch
            break
        cells += display_width(ch)
    else:
        pytest.fail("the caret is past the shown line")


def test_multi_line_span_is_underlined_to_the_end_of_its_first_line() -> None:
    """A span running over several lines is underlined from its start to the end of the first line."""
    text = HEAD + "部分 甲 满分 20 依据 R1 {\n  项目 乙 满分 10 依据 R1 {\n  }\n}\n"
    d = next(x for x in checks(text, name="p.policy") if x.code == "E404")
    lines = render_one(d).splitlines()
    assert " 5 | 部分 甲 满分 20 依据 R1 {" == lines[1]
    assert "   | " + "^" * display_width("部分 甲 满分 20 依据 R1 {") == lines[2]


def test_file_level_diagnostic_has_no_position() -> None:
    """A diagnostic without a span renders as `file: level CODE: message` and the hint, no source line."""
    d = make("E101", None, path="x.policy", file="x.policy", reason="文件不存在")
    assert (
        "x.policy: 错误 E101: 无法读取“x.policy”：文件不存在\n  提示: 请给出一个 UTF-8 编码的 .policy 文本文件。"
        == (render_one(d))
    )


def test_english_rendering() -> None:
    """`lang='en'` renders the English level, message and hint."""
    d = _one(HEAD + "合格 当 总分 不少于 60 @ 依据 R1\n")
    text = render_one(d, "en")
    assert text.startswith("p.policy:5:16: error E110: '@' cannot appear here\n")
    assert "\n  hint: expected here: " in text


def test_render_text_caps_the_number_shown() -> None:
    """At most MAX_DIAGNOSTICS_SHOWN diagnostics are rendered, then a line saying how many were left out."""
    defines = "".join(f"定义 未用{i} = 1\n" for i in range(MAX_DIAGNOSTICS_SHOWN + 7))
    diagnostics = checks(HEAD + defines, name="p.policy")
    assert MAX_DIAGNOSTICS_SHOWN + 7 == len(diagnostics)
    text = render_text(diagnostics)
    assert MAX_DIAGNOSTICS_SHOWN == text.count("W601")
    assert text.endswith("\n\n…… 另有 7 条未显示")
    assert render_text(diagnostics, "en").endswith("\n\n… and 7 more")


def test_summary_line() -> None:
    """The summary counts errors and warnings separately."""
    diagnostics = checks(HEAD + "定义 未用 = 1\n合格 当 未定义 依据 R1\n", name="p.policy")
    assert "1 个错误，1 个警告" == summary_line(diagnostics)
    assert "1 error(s), 1 warning(s)" == summary_line(diagnostics, "en")


def test_diagnostics_are_in_source_order() -> None:
    """Diagnostics come sorted by position, whichever pass found them."""
    text = HEAD + "定义 未用 = 1\n合格 当 未定义 依据 R1\n定义 甲 = 2019-02-30\n"
    diagnostics = checks(text, name="p.policy")
    starts = [d.span.start for d in diagnostics if d.span is not None]
    assert sorted(starts) == starts


# ---------- JSON ----------


def test_json_positions_are_one_based() -> None:
    """The JSON form gives 1-based line and column for the start and the (exclusive) end."""
    d = _one(HEAD + "合格 当 总分 不少于 60 @ 依据 R1\n")
    data = diagnostic_to_dict(d)
    assert {"start": {"line": 5, "column": 16}, "end": {"line": 5, "column": 17}} == data["span"]
    first = make("E115", Source(name="e.policy", text="").span(0, 0))
    assert {"start": {"line": 1, "column": 1}, "end": {"line": 1, "column": 1}} == diagnostic_to_dict(first)["span"]


def test_json_keys_and_values() -> None:
    """The JSON form has stable keys, the catalog title, both languages, and is serializable."""
    d = _one(HEAD + "合格 当 总分 不少于 60 @ 依据 R1\n")
    data = diagnostic_to_dict(d)
    assert ["code", "file", "hint", "hint_en", "message", "message_en", "severity", "span", "title"] == sorted(data)
    assert ("E110", "error", "语法错误：无法识别的字符", "p.policy") == (
        data["code"],
        data["severity"],
        data["title"],
        data["file"],
    )
    assert data == json.loads(json.dumps(data, ensure_ascii=False))


def test_json_file_level_span_is_null() -> None:
    """A diagnostic without a position has span null."""
    d = make("E101", None, path="x.policy", file="x.policy", reason="文件不存在")
    assert diagnostic_to_dict(d)["span"] is None


# ---------- PolicyError ----------


def test_policy_error_carries_diagnostics_and_renders_them() -> None:
    """load raises PolicyError whose .diagnostics are check's, and whose str() is the rendered text."""
    text = HEAD + "合格 当 总分 不少于 60 @ 依据 R1\n"
    with pytest.raises(PolicyError) as info:
        loads(text, name="p.policy")
    expected = [diagnostic_to_dict(d) for d in checks(text, name="p.policy")]
    assert expected == [diagnostic_to_dict(d) for d in info.value.diagnostics]
    assert render_text(info.value.diagnostics) == str(info.value)
    assert str(info.value).startswith("p.policy:5:16: 错误 E110:")


def test_policy_error_includes_warnings_beside_errors() -> None:
    """A PolicyError lists warnings too, so fixing the errors leaves no surprises."""
    with pytest.raises(PolicyError) as info:
        loads(HEAD + "定义 未用 = 1\n合格 当 未定义 依据 R1\n", name="p.policy")
    assert ["W601", "E301"] == [d.code for d in info.value.diagnostics]


def test_warnings_do_not_stop_loading() -> None:
    """A policy with only warnings loads, and keeps its warnings."""
    policy = loads(HEAD + "定义 未用 = 1\n", name="p.policy")
    assert ["W601"] == [d.code for d in policy.warnings]


def _imported(module: str) -> set[str]:
    """The trainrules modules a module imports anywhere in its text (at the top or inside a function)."""
    path = Path(__file__).resolve().parents[1] / (module.replace(".", "/") + ".py")
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return {n for n in names if n.startswith("trainrules")}


def test_imports_run_one_way_between_diagnostics_and_render() -> None:
    """diagnostics imports render (for PolicyError's text); render knows diagnostics only by the Shown protocol."""
    assert "trainrules.render" in _imported("trainrules.diagnostics")
    assert "trainrules.diagnostics" not in _imported("trainrules.render")


def test_a_diagnostic_is_what_the_renderer_shows() -> None:
    """Diagnostic satisfies render.Shown: the renderer reads its code, level, place, words and title."""
    d = make("E115", None, path="x.policy")
    shown: Shown = d
    assert "x.policy: 错误 E115: 文件中没有任何声明" == render_one(shown).splitlines()[0]
    assert "x.policy: error E115: the file declares nothing" == render_one(shown, "en").splitlines()[0]
    assert "1 个错误，0 个警告" == summary_line([shown])


def test_past_the_limit_errors_are_shown_before_warnings() -> None:
    """A thousand warnings before one error never hide the error in the rendered list."""
    from trainrules.api import checks
    from trainrules.render import render_text

    unused = "\n".join(f"定义 未用{i} = 1" for i in range(60))
    text = f'方案 甲 {{\n  标题 "t"\n}}\n{unused}\n合格 当 不存在的名字 不少于 1 依据 X1-01\n'
    diagnostics = checks(text, name="p.policy")
    assert diagnostics[-1].code == "E301"
    assert len(diagnostics) > 50
    rendered = render_text(diagnostics, "zh", limit=50)
    assert "错误 E301" in rendered
    assert rendered.count("警告 W601") == 49
