"""The auditor's workbook (issue 12, "The workbook"): read back cell by cell with openpyxl.

Goldens are JSON of every sheet's cell values (tests/workbook/*.json; ``pytest --update-goldens``
rewrites them, then review the diff); the run's times and the tool's version are masked.
"""

from __future__ import annotations

import json
import os
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

from tests.conftest import REPO, Golden
from trainrules import limits
from trainrules.api import load
from trainrules.cli import main
from trainrules.records import read_records, read_schools
from trainrules.results import STATUS_WORDS
from trainrules.workbook import SHEETS, open_workbook
from trainrules.writers import remove_stale_temporaries

EXAMPLES = REPO / "policies" / "examples"
GOLDENS = REPO / "tests" / "workbook"
SCORING = ["lanxi_2019-2020_term1_online-school", "lanxi_2021-2022_term1_career-identity"]
MASKED = {"开始时间（UTC）", "结束时间（UTC）", "工具版本", "started (UTC)", "finished (UTC)", "tool version"}


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _evaluate(name: str, out: Path, *extra: str) -> Result:
    """``trainrules evaluate`` of a shipped example, run from the repository root (relative paths)."""
    cwd = Path.cwd()
    os.chdir(REPO)
    try:
        return _run(
            "evaluate",
            f"policies/{name}.policy",
            f"policies/examples/{name}/records.json",
            "-o",
            out,
            *extra,
        )
    finally:
        os.chdir(cwd)


def _cells(path: Path) -> dict[str, list[list[Any]]]:
    book = openpyxl.load_workbook(path)
    try:
        return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}
    finally:
        book.close()


def _masked(sheets: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
    out = {}
    for title, rows in sheets.items():
        out[title] = [[row[0], "…"] if row and row[0] in MASKED else row for row in rows]
    return out


def _json(sheets: dict[str, list[list[Any]]]) -> str:
    """The cells as JSON, one row per line (numbers as openpyxl reads them: int or float)."""
    parts = []
    for title, rows in sheets.items():
        lines = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in rows)
        parts.append(f" {json.dumps(title, ensure_ascii=False)}: [\n{lines}\n ]")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _summary(sheets: dict[str, list[list[Any]]]) -> dict[str, Any]:
    """汇总's key-value rows (the first two columns)."""
    first = next(iter(sheets.values()))
    return {row[0]: row[1] for row in first if row and row[0] is not None and len(row) > 1}


@pytest.mark.parametrize("name", SCORING)
def test_golden_workbook(tmp_path: Path, name: str, golden: Golden) -> None:
    """Every cell of every sheet of the example's workbook, as a Chinese auditor reads it."""
    out = tmp_path / "results.xlsx"
    result = _evaluate(name, out)
    assert result.exit_code == 1, result.output  # the examples hold deliberately bad records
    sheets = _masked(_cells(out))
    assert [zh for zh, _ in SHEETS] == list(sheets)
    golden(GOLDENS / f"{name}.json", _json(sheets))


@pytest.mark.parametrize("name", SCORING)
def test_summary_counts_equal_the_decisions(tmp_path: Path, name: str) -> None:
    """汇总's counts are the decisions' (in = evaluated + errors), and 明细 has one row per record."""
    out = tmp_path / "results.xlsx"
    _evaluate(name, out)
    sheets = _cells(out)
    records = EXAMPLES / name / "records.json"
    policy = load(REPO / "policies" / f"{name}.policy")
    results = policy.evaluate(read_records(records), read_schools(records))
    counts = results.counts()
    summary = _summary(sheets)
    assert summary["读入教师记录"] == len(results.decisions) == len(sheets["明细"]) - 1
    assert summary["已评估"] + summary["记录有误（教师记录）"] == summary["读入教师记录"]
    assert summary["记录有误（教师记录）"] == counts["error"]
    for status in ("assessed", "not_enrolled", "exempt"):
        assert summary[f"  其中 {STATUS_WORDS[status][0]}"] == counts[status]
    passed = sum(1 for d in results if d.status == "assessed" and d.passed)
    assert summary["合格"] == passed
    assert summary["合格率（已考核者）"] == pytest.approx(passed / counts["assessed"], abs=0.00005)
    statuses = [row[4] for row in sheets["明细"][1:]]
    assert [STATUS_WORDS[d.status][0] for d in results] == statuses
    teacher_errors = [row for row in sheets["记录有误"][1:] if row[0] == "教师记录"]
    assert len(teacher_errors) == counts["error"]
    assert len(sheets["核查"]) - 1 == len(results.groups)


def test_failed_teacher_has_shortfall_and_smallest_change_in_words(tmp_path: Path) -> None:
    out = tmp_path / "results.xlsx"
    _evaluate(SCORING[1], out)
    detail = _cells(out)["明细"]
    header = detail[0]
    t5 = dict(zip(header, next(row for row in detail if row[0] == "T0005"), strict=True))
    assert t5["结论"] == "不合格"
    assert t5["总分"] == pytest.approx(61.53)
    assert t5["差额"] == pytest.approx(8.47)
    assert "“作业一”按时提交且得分不低于 12.10" in t5["最小改变（任一项即可合格）"]
    assert t5["作业一 按时"] == "逾期"
    assert t5["作业二 档次"] == "良好"
    t1 = dict(zip(header, detail[1], strict=True))
    assert (t1["结论"], t1["差额"], t1["最小改变（任一项即可合格）"]) == ("合格", None, None)


def test_numbers_are_exact_decimal_text_in_the_file(tmp_path: Path) -> None:
    """A Decimal is written as its own decimal text (61.53, 70.00), never through a float."""
    out = tmp_path / "results.xlsx"
    _evaluate(SCORING[1], out)
    with zipfile.ZipFile(out) as archive:
        detail = archive.read("xl/worksheets/sheet2.xml").decode("utf-8")
    assert "<v>61.53</v>" in detail
    assert "<v>70.00</v>" in detail
    assert "61.530000" not in detail


def test_group_findings_in_words_with_the_teachers_counted(tmp_path: Path) -> None:
    out = tmp_path / "results.xlsx"
    _evaluate(SCORING[1], out)
    checks = _cells(out)["核查"]
    header = checks[0]
    rows = [dict(zip(header, row, strict=True)) for row in checks[1:]]
    maths = next(r for r in rows if r["核查"] == "实地考核名额" and r["分组"] == "学科：数学")
    assert maths["结论"] == "未通过"
    assert (maths["计数"], maths["基数（已考核人数）"]) == (2, 7)
    assert maths["限度"] == "向下取整(5% × 7) = 0"
    assert maths["计入的教师"] == "T0023、T0032"
    assert "提交了“教学设计实地考核”的人数 2" in maths["各项数值"]
    assert maths["依据"] == "R000-08"
    assert {"通过", "未通过"} == {r["结论"] for r in rows}  # passing findings are listed too


def test_english_headers_and_values(tmp_path: Path) -> None:
    out = tmp_path / "results.xlsx"
    _evaluate(SCORING[1], out, "--lang", "en")
    sheets = _cells(out)
    assert [en for _, en in SHEETS] == list(sheets)
    header = sheets["Teachers"][0]
    assert header[:6] == ["id", "name", "school", "subject", "status", "outcome"]
    assert "作业一 points" in header
    assert "作业一 on time" in header
    t5 = dict(zip(header, next(row for row in sheets["Teachers"] if row[0] == "T0005"), strict=True))
    assert (t5["status"], t5["outcome"], t5["作业一 on time"]) == ("assessed", "not passed", "late")
    assert "'作业一' on time with at least 12.10" in t5["smallest changes (any one passes)"]
    assert _summary(sheets)["teacher records in"] == 34
    assert sheets["Errors"][0] == ["kind", "location", "id", "field", "problem"]


def test_formula_injection_is_neutralised(tmp_path: Path) -> None:
    policy = load(REPO / "policies" / f"{SCORING[0]}.policy")
    records = [
        {"id": '=HYPERLINK("http://x","a")', "name": "+1+1", "school": "@SUM(A1)", "subject": "-2"},
    ]
    out = tmp_path / "out.xlsx"
    with open_workbook(out, policy) as book:
        ev = policy.evaluator()
        for d in ev.run(book.tap(_raw(records))):
            book.write(d)
        book.finish(ev.group_findings())
    row = _cells(out)["明细"][1]
    assert row[:4] == ['\'=HYPERLINK("http://x","a")', "'+1+1", "'@SUM(A1)", "'-2"]
    with zipfile.ZipFile(out) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet2.xml").decode("utf-8")


def _raw(records: list[dict[str, object]]) -> Any:
    from trainrules.records import iter_records_from_dicts

    return iter_records_from_dicts(records)


def test_layout_widths_freeze_filter_print(tmp_path: Path) -> None:
    out = tmp_path / "results.xlsx"
    _evaluate(SCORING[1], out)
    book = openpyxl.load_workbook(out)
    try:
        for ws in book.worksheets:
            assert ws.freeze_panes == ("C2" if ws.title == "明细" else "A2"), ws.title
            assert ws.print_title_rows == "$1:$1", ws.title
            assert ws.page_setup.orientation == "landscape", ws.title
            assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
            assert ws.page_setup.fitToHeight == 0, ws.title  # one page wide, as many tall as it takes
            if ws.title != "汇总":  # 汇总 is not one table
                assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}", ws.title
        detail = book["明细"]
        header = [c.value for c in detail[1]]
        school = header.index("学校") + 1
        widest = max(len(str(c.value)) for c in detail[detail.cell(1, school).column_letter] if c.value)
        # CJK counts double: 兰西县远大镇中心学校 (10 characters) needs at least 20 columns of width
        assert detail.column_dimensions[detail.cell(1, school).column_letter].width >= 2 * widest
        assert detail.column_dimensions["A"].width < 20  # fitted, not one width for all
    finally:
        book.close()


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        (
            "district_2016-2020_13th-five-year-training",
            ("周期培训 已计", "周期培训 需", "周期培训 欠", "周期学分 结果"),
        ),
        ("lanxi_2023_research-training", ("年度学时转化 已计", "年度学时转化 欠", "转化学时 结果")),
        ("anhui_2021-2025_guopei", ("项目研修 已计", "项目研修 需", "项目研修 欠")),
    ],
)
def test_requirements_and_results_have_columns(tmp_path: Path, name: str, columns: tuple[str, ...]) -> None:
    """Plans with lists, requirements and results: 明细 has their columns, with numbers as numbers."""
    out = tmp_path / "results.xlsx"
    result = _evaluate(name, out)
    assert result.exit_code in (0, 1), result.output
    detail = _cells(out)["明细"]
    header = detail[0]
    for fragment in columns:
        assert any(fragment in h for h in header), (fragment, header)
    owed = [i for i, h in enumerate(header) if h.endswith((" 欠", " 已计"))]
    assert owed
    values = [row[i] for row in detail[1:] for i in owed if row[i] is not None]
    assert values
    assert all(isinstance(v, int | float) for v in values)


def test_changes_limit_says_what_was_not_searched(tmp_path: Path) -> None:
    name = SCORING[1]
    policy = load(REPO / "policies" / f"{name}.policy")
    records = EXAMPLES / name / "records.json"
    ev = policy.evaluator(read_schools(records))
    out = tmp_path / "out.xlsx"
    with open_workbook(out, policy, evaluator=ev, changes_limit=1) as book:
        for d in ev.run(book.tap(read_records(records))):
            book.write(d)
        book.finish(ev.group_findings())
    sheets = _cells(out)
    header = sheets["明细"][0]
    changes = [row[header.index("最小改变（任一项即可合格）")] for row in sheets["明细"][1:] if row[5] == "不合格"]
    assert "总分将为" in changes[0]
    assert all(c.startswith("未搜索（只为前 1 名不合格教师搜索）") for c in changes[1:])
    assert len(changes) > 2
    assert f"另有 {len(changes) - 1} 名未搜索" in _summary(sheets)["最小改变"]


def test_a_failed_write_leaves_the_target_and_no_scratch(tmp_path: Path) -> None:
    """An exception inside the block: the earlier file stays, no temporary file or scratch directory is left."""
    policy = load(REPO / "policies" / f"{SCORING[0]}.policy")
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"previous")

    def write_then_fail() -> None:
        with open_workbook(out, policy) as book:
            for d in policy.evaluator().run(_raw([{"id": "T1"}])):
                book.write(d)
            assert len(os.listdir(tmp_path)) == 3  # the target, the temporary file, the scratch directory
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert (out.read_bytes(), os.listdir(tmp_path)) == (b"previous", ["out.xlsx"])


def test_stale_scratch_directory_of_a_dead_run_is_removed(tmp_path: Path) -> None:
    dead = 2**22 + 12345  # above the usual pid_max of 4,194,304: no such process
    stale = tmp_path / f".out.xlsx.trainrules-{dead}.d"
    stale.mkdir()
    (stale / "tmpabc").write_text("rows", encoding="utf-8")
    assert remove_stale_temporaries(tmp_path / "out.xlsx") == [stale]
    assert os.listdir(tmp_path) == []


def test_too_many_teachers_for_a_sheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_XLSX_ROWS", 3)
    out = tmp_path / "out.xlsx"
    result = _evaluate(SCORING[1], out)
    assert result.exit_code == 2
    assert "3 行" in result.stderr
    assert os.listdir(tmp_path) == []


def test_decimal_past_excel_precision_is_exact_text() -> None:
    from trainrules.workbook import _cell

    assert _cell(Decimal("61.53")) == Decimal("61.53")
    assert _cell(Decimal("-0.00")) == Decimal(0)
    assert _cell(Decimal("1234567890.123456789")) == "1234567890.123456789"  # 19 digits: Excel would round


def test_set_overrides_are_in_the_summary_and_the_assumptions(tmp_path: Path) -> None:
    out = tmp_path / "results.xlsx"
    result = _evaluate("anhui_2021-2025_guopei", out, "--set", "一学期=100")
    assert result.exit_code in (0, 1), result.output
    sheets = _cells(out)
    assert _summary(sheets)["假设 一学期（--set）"] == "100 天（原值 90 天）"
    row = next(r for r in sheets["假设"] if r[1] == "一学期")
    assert (row[0], row[2]) == ("假设", "100 天（--set，原值 90 天）")
    assert "定义 需跟岗" in row[5]
    kinds = {r[0] for r in sheets["假设"][1:]}
    assert kinds == {"假设", "不编码"}  # the clauses the policy leaves out are listed too


def test_pass_rule_not_applicable_is_no_failure_in_the_summary(tmp_path: Path) -> None:
    """003: 15 of 21 assessed are outside the pass rule's 适用 当 scope: 汇总 counts them apart, rate 3/6."""
    out = tmp_path / "results.xlsx"
    _evaluate("anhui_2021-2025_guopei", out)
    summary = _summary(_cells(out))
    assert summary["合格"] == 3
    assert summary["不合格"] == 3
    assert summary["合格规则不适用（不计入合格率）"] == 15
    assert summary["合格率（已考核者）"] == 0.5
