"""Lists per teacher read from long-format entry files (one row per entry, keyed by teacher id)."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

import trainrules
from trainrules.cli import main
from trainrules.records import RecordsFileError, read_entries, read_records
from trainrules.results import Decision

POLICY = """方案 甲 { 标题 "条目文件" 期间 2023-01-01 至 2023-12-31 }
输入 教师 {
  培训记录: 列表 按 记录号 依据 X1-01 {
    记录号: 文本 可缺
    学时: 数 0 至 500
    类别: 标签 {集中, 远程, 校本}
    须 学时 > 0 否则 "学时须大于 0"
  }
}
筛选 前二 取自 培训记录 依据 X1-03 { 凡 类别 != "校本"  前 2 按 学时 }
定义 总学时 = 合计(培训记录.学时)    依据 X1-04
定义 前二学时 = 合计(前二.学时)      依据 X1-04
合格 当 总学时 >= 10 且 前二学时 >= 0 依据 X1-05
"""
HEADER = ["教师编号", "记录号", "学时", "类别", "备注"]
#: T1's entries sit on rows 2 and 4, around one of T2's.
ROWS = [
    ["T1", "E1", "4", "集中", "第一次"],
    ["T2", "E2", "12", "远程", ""],
    ["T1", "E3", "6", "校本", ""],
]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, bom: bool = True) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    path.write_text(("\ufeff" if bom else "") + out.getvalue(), encoding="utf-8")
    return path


def teachers_csv(path: Path, ids: tuple[str, ...] = ("T1", "T2")) -> Path:
    path.write_text("\ufeff编号,姓名\r\n" + "".join(f"{t},教师{t}\r\n" for t in ids), encoding="utf-8")
    return path


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    wb.close()
    return path


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def results(path: Path) -> dict[str, dict[str, object]]:
    return {r["id"]: r for r in json.loads(path.read_text(encoding="utf-8"))["decisions"]}


def define(d: Decision, name: str) -> str:
    assert d.steps is not None
    return next(s.result for s in d.steps if s.kind == "定义" and s.subject == name)


# ---------- CSV and xlsx, in the CLI ----------


def test_csv_entries_with_chinese_headers_and_bom_are_attached(tmp_path: Path) -> None:
    (tmp_path / "p.policy").write_text(POLICY, encoding="utf-8")
    events = write_csv(tmp_path / "events.csv", ROWS)
    out = tmp_path / "out.json"
    res = run(
        "evaluate",
        tmp_path / "p.policy",
        teachers_csv(tmp_path / "t.csv"),
        "--entries",
        f"培训记录={events}",
        "-o",
        out,
    )
    assert res.exit_code == 0, res.output
    got = results(out)
    assert got["T1"]["passed"] is True
    assert got["T2"]["passed"] is True


def test_xlsx_entries_in_a_second_sheet_of_the_teachers_workbook(tmp_path: Path) -> None:
    (tmp_path / "p.policy").write_text(POLICY, encoding="utf-8")
    rows: list[list[object]] = [[r[0], r[1], int(r[2]), r[3]] for r in ROWS]
    rows[0][2] = 3  # T1: 3 + 6 < 10
    # the entries sheet comes first: it is never read as teachers
    book = workbook(tmp_path / "book.xlsx", {"培训记录": [HEADER[:4], *rows], "名单": [["编号"], ["T1"], ["T2"]]})
    out = tmp_path / "out.json"
    res = run("evaluate", tmp_path / "p.policy", book, "-o", out)
    assert res.exit_code == 0, res.output
    assert "读取的工作表：名单" in res.output
    got = results(out)
    assert got["T1"]["passed"] is False
    assert got["T2"]["passed"] is True


def test_xlsx_entries_file_separate_from_the_teachers(tmp_path: Path) -> None:
    policy = trainrules.loads(POLICY)
    book = workbook(
        tmp_path / "log.xlsx",
        {"其他": [["x"]], "培训记录": [["编号", "学时", "类别"], ["T1", 9, "集中"], ["T1", 1.5, "远程"]]},
    )
    index = read_entries(book, "培训记录")
    assert index.source == "log.xlsx!培训记录"
    assert index.count == 2
    (d,) = policy.evaluate([{"id": "T1"}], entries={"培训记录": index}, explain=True)
    assert define(d, "总学时") == "10.5"


def test_an_entry_whose_teacher_does_not_exist_is_reported_and_counted(tmp_path: Path) -> None:
    (tmp_path / "p.policy").write_text(POLICY, encoding="utf-8")
    events = write_csv(tmp_path / "events.csv", [*ROWS, ["T9", "E9", "8", "集中", ""]])
    out = tmp_path / "out.json"
    res = run(
        "evaluate",
        tmp_path / "p.policy",
        teachers_csv(tmp_path / "t.csv"),
        "--entries",
        f"培训记录={events}",
        "-o",
        out,
    )
    assert res.exit_code == 1
    assert "条目无所属教师: 培训记录 events.csv:5：编号 T9 没有（可读的）教师记录" in res.output
    assert set(results(out)) == {"T1", "T2"}  # the others are still scored
    api = trainrules.loads(POLICY).evaluate(
        read_records(tmp_path / "t.csv"), entries={"培训记录": read_entries(events, "培训记录")}
    )
    assert [(p.location, "T9" in p.message_zh) for p in api.entry_problems] == [("events.csv:5", True)]


def test_a_bad_entry_field_names_teacher_entry_field_and_location(tmp_path: Path) -> None:
    (tmp_path / "p.policy").write_text(POLICY, encoding="utf-8")
    events = write_csv(tmp_path / "events.csv", [*ROWS, ["T2", "E4", "600", "集中", ""]])
    out = tmp_path / "out.json"
    res = run(
        "evaluate",
        tmp_path / "p.policy",
        teachers_csv(tmp_path / "t.csv"),
        "--entries",
        f"培训记录={events}",
        "-o",
        out,
    )
    assert res.exit_code == 1
    got = results(out)
    assert got["T1"]["status"] == "assessed"
    t2 = got["T2"]
    assert t2["status"] == "error"
    (problem,) = t2["problems"]
    assert problem["field"] == "lists.培训记录[2].学时"
    assert "培训记录第 2 条（记录号 E4，events.csv:5）的学时" in problem["problem"]
    assert "600" in problem["problem"]


def test_entries_split_across_rows_keep_input_order_and_their_locations(tmp_path: Path) -> None:
    rows = [["T1", "A", "0", "集中", ""], ["T2", "B", "5", "集中", ""], ["T1", "C", "0", "远程", ""]]
    events = write_csv(tmp_path / "events.csv", rows)
    policy = trainrules.loads(POLICY)
    d1, d2 = policy.evaluate([{"id": "T1"}, {"id": "T2"}], entries={"培训记录": read_entries(events, "培训记录")})
    assert d1.status == "error"
    assert d2.status == "assessed"
    assert [p.field for p in d1.problems] == ["lists.培训记录[1]", "lists.培训记录[2]"]
    assert "（记录号 A，events.csv:2）" in d1.problems[0].message_zh
    assert "（记录号 C，events.csv:4）" in d1.problems[1].message_zh


def test_filter_ties_keep_the_earlier_row_and_explanations_name_locations(tmp_path: Path) -> None:
    rows = [
        ["T1", "A", "5", "集中", ""],
        ["T2", "B", "5", "集中", ""],
        ["T1", "C", "5", "远程", ""],
        ["T1", "D", "5", "集中", ""],
    ]
    events = write_csv(tmp_path / "events.csv", rows, bom=False)
    policy = trainrules.loads(POLICY)
    (d,) = policy.evaluate([{"id": "T1"}], entries={"培训记录": read_entries(events, "培训记录")}, explain=True)
    assert d.steps is not None
    (step,) = [s for s in d.steps if s.kind == "筛选"]
    # A, C and D tie on 学时: the first two rows of T1 are kept, the later one (row 5) is dropped
    assert "计入：第 1 条（记录号 A，events.csv:2）、第 2 条（记录号 C，events.csv:4）" in str(step)
    assert "第 3 条（记录号 D，events.csv:5）" in str(step)


# ---------- no silent empty lists ----------


def test_csv_records_for_a_plan_with_lists_and_no_entries_are_refused(tmp_path: Path) -> None:
    (tmp_path / "p.policy").write_text(POLICY, encoding="utf-8")
    out = tmp_path / "out.json"
    res = run("evaluate", tmp_path / "p.policy", teachers_csv(tmp_path / "t.csv"), "-o", out)
    assert res.exit_code == 2
    assert "列表“培训记录”" in res.output
    assert "--entries 培训记录=" in res.output
    assert "名为“培训记录”的工作表" in res.output
    assert not out.exists()
    res = run("evaluate", tmp_path / "p.policy", teachers_csv(tmp_path / "t.csv"), "-o", out, "--lang", "en")
    assert "--entries 培训记录=FILE" in res.output
    assert "a sheet named '培训记录'" in res.output
    book = workbook(tmp_path / "b.xlsx", {"教师": [["编号"], ["T1"]]})
    assert run("evaluate", tmp_path / "p.policy", book, "-o", out).exit_code == 2
    with pytest.raises(RecordsFileError, match="培训记录"):
        trainrules.loads(POLICY).evaluate(read_records(tmp_path / "t.csv"))


def test_json_records_that_omit_the_list_have_no_entries(tmp_path: Path) -> None:
    (d,) = trainrules.loads(POLICY).evaluate([{"id": "T1"}], explain=True)
    assert d.status == "assessed"
    assert define(d, "总学时") == "0"


def test_a_list_given_twice_for_one_teacher_is_an_error_for_that_teacher() -> None:
    policy = trainrules.loads(POLICY)
    nested = {"id": "T1", "lists": {"培训记录": [{"学时": 20, "类别": "集中"}]}}
    d1, d2 = policy.evaluate(
        [nested, {"id": "T2"}],
        entries={"培训记录": [{"编号": "T1", "学时": 1, "类别": "集中"}, {"编号": "T2", "学时": 10, "类别": "集中"}]},
    )
    assert d1.status == "error"
    assert "只能给一处" in d1.reason_zh
    assert d2.passed is True


# ---------- refused entries files ----------


@pytest.mark.parametrize(
    ("rows", "header", "words"),
    [
        ([["T1", "E1", "4"]], HEADER, "该行只有 3 个值"),  # its teacher cannot be trusted: refuse
        ([["", "E1", "4", "集中", ""]], HEADER, "缺少教师编号"),
        ([["T1", "E1", "4", "集中", ""]], ["人员", "记录号", "学时", "类别", "备注"], "没有教师编号列"),
    ],
)
def test_unattributable_rows_refuse_the_run(
    tmp_path: Path, rows: list[list[str]], header: list[str], words: str
) -> None:
    events = write_csv(tmp_path / "events.csv", rows, header)
    with pytest.raises(RecordsFileError, match=words):
        read_entries(events, "培训记录")
    (tmp_path / "p.policy").write_text(POLICY, encoding="utf-8")
    res = run(
        "evaluate",
        tmp_path / "p.policy",
        teachers_csv(tmp_path / "t.csv"),
        "--entries",
        f"培训记录={events}",
        "-o",
        tmp_path / "o.json",
    )
    assert res.exit_code == 2
    assert words in res.output


def test_bad_entries_options(tmp_path: Path) -> None:
    (tmp_path / "p.policy").write_text(POLICY, encoding="utf-8")
    t = teachers_csv(tmp_path / "t.csv")
    events = write_csv(tmp_path / "events.csv", ROWS)
    res = run("evaluate", tmp_path / "p.policy", t, "--entries", f"培训纪录={events}", "-o", tmp_path / "o.json")
    assert res.exit_code == 2
    assert "本方案没有列表“培训纪录”" in res.output
    res = run("evaluate", tmp_path / "p.policy", t, "--entries", str(events), "-o", tmp_path / "o.json")
    assert res.exit_code == 2
    assert "列表名=文件" in res.output
    res = run("evaluate", tmp_path / "p.policy", t, "--entries", f"培训记录={events}", "-o", events)
    assert res.exit_code == 2
    book = workbook(tmp_path / "b.xlsx", {"教师": [["编号"], ["T1"]]})
    with pytest.raises(RecordsFileError, match="没有名为“培训记录”的可见工作表"):
        read_entries(book, "培训记录")


def test_json_and_jsonl_long_format(tmp_path: Path) -> None:
    objs = [
        {"教师编号": "T1", "学时": "4", "类别": "集中"},
        {"教师编号": 2, "学时": 8, "类别": "远程"},
        {"教师编号": "T1", "学时": 6, "类别": "集中"},
    ]
    (tmp_path / "e.json").write_text(json.dumps(objs, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "e.jsonl").write_text("\n".join(json.dumps(o, ensure_ascii=False) for o in objs), encoding="utf-8")
    policy = trainrules.loads(POLICY)
    for name, where in (("e.json", "e.json#/2"), ("e.jsonl", "e.jsonl:3")):
        index = read_entries(tmp_path / name, "培训记录")
        d1, d2 = policy.evaluate([{"id": "T1"}, {"id": 2}], entries={"培训记录": index}, explain=True)
        assert (define(d1, "总学时"), define(d2, "总学时")) == ("10", "8")
        assert index.orphans() == []
        assert where in str(d1.steps)


def test_explain_reads_entries_too(tmp_path: Path) -> None:
    (tmp_path / "p.policy").write_text(POLICY, encoding="utf-8")
    events = write_csv(tmp_path / "events.csv", ROWS)
    res = run(
        "explain",
        tmp_path / "p.policy",
        teachers_csv(tmp_path / "t.csv"),
        "--id",
        "T1",
        "--entries",
        f"培训记录={events}",
    )
    assert res.exit_code == 0, res.output
    assert "第 1 条（记录号 E1，events.csv:2）" in res.output


# ---------- the law ----------

_entry = st.fixed_dictionaries(
    {
        "记录号": st.sampled_from(["", "E1", "E2"]),
        "学时": st.integers(0, 30).map(str),
        "类别": st.sampled_from(["集中", "远程", "校本"]),
    }
)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["T1", "T2", "T3"]), _entry), max_size=12))
def test_law_long_format_gives_the_same_decisions_as_nested_json(rows: list[tuple[str, dict[str, str]]]) -> None:
    policy = trainrules.loads(POLICY)
    ids = ["T1", "T2", "T3"]
    nested = [{"id": t, "lists": {"培训记录": [e for who, e in rows if who == t]}} for t in ids]
    with tempfile.TemporaryDirectory() as folder:
        events = write_csv(Path(folder) / "events.csv", [[t, e["记录号"], e["学时"], e["类别"], ""] for t, e in rows])
        long = policy.evaluate(
            [{"id": t} for t in ids], entries={"培训记录": read_entries(events, "培训记录")}, explain=True
        )
    short = policy.evaluate(nested, explain=True)
    assert long.entry_problems == []
    for a, b in zip(long.decisions, short.decisions, strict=True):
        assert (a.status, a.passed, [p.field for p in a.problems]) == (
            b.status,
            b.passed,
            [p.field for p in b.problems],
        )
        if a.status == "assessed":
            assert (define(a, "总学时"), define(a, "前二学时")) == (define(b, "总学时"), define(b, "前二学时"))


def test_entries_files_get_the_whole_file_checks_and_the_row_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    title = tmp_path / "title.csv"
    title.write_text("培训记录 2023\n教师编号,学时\nT1,4\n", encoding="utf-8")
    with pytest.raises(RecordsFileError, match="看起来是标题"):
        read_entries(title, "培训记录")
    monkeypatch.setattr("trainrules.limits.MAX_ENTRY_ROWS", 2)
    events = write_csv(tmp_path / "events.csv", ROWS)
    with pytest.raises(RecordsFileError, match="条目超过 2 行"):
        read_entries(events, "培训记录")
