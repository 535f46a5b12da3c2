"""Tests for trainrules.records: reading teacher and school records into raw form."""

from __future__ import annotations

import datetime as dt
import json
import tracemalloc
import zipfile
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainrules import limits, records
from trainrules.records import (
    MAX_LINE_CHARS,
    RawRecord,
    ReadProblem,
    RecordOrProblem,
    RecordsFileError,
    UncomputedFormula,
    column_key,
    iter_records_from_dicts,
    read_records,
    read_records_text,
    read_schools,
)

NESTED = {
    "id": "T0001",
    "name": "张三",
    "school": "兰西一中",
    "subject": "语文",
    "stage": "初中",
    "enrolled_at": "2019-12-07T09:00:00",
    "flags": ["新教材培训"],
    "items": {"队伍建设": {"submitted_at": "2019-12-14T20:00:00", "score": "18.5", "length": 800}},
    "facts": {"校本作业数": 2},
}
FLAT = {
    "id": "T0001",
    "name": "张三",
    "school": "兰西一中",
    "subject": "语文",
    "stage": "初中",
    "enrolled_at": "2019-12-07T09:00:00",
    "flags": ["新教材培训"],
    "items.队伍建设.submitted_at": "2019-12-14T20:00:00",
    "items.队伍建设.score": "18.5",
    "items.队伍建设.length": 800,
    "facts.校本作业数": 2,
}
CSV_TEXT = (
    "编号,姓名,学校,学科,学段,入班时间,标记,队伍建设.提交时间,队伍建设．分数,队伍建设.字数,校本作业数\r\n"
    "T0001,张三,兰西一中,语文,初中,2019-12-07 09:00,新教材培训;骨干,2019-12-14 20:00,18.5,800,2\r\n"
    "T0002,李四,兰西二中,数学,小学,,,,,,\r\n"
)
CSV_FIRST = {
    "id": "T0001",
    "name": "张三",
    "school": "兰西一中",
    "subject": "语文",
    "stage": "初中",
    "enrolled_at": "2019-12-07 09:00",
    "flags": "新教材培训;骨干",
    "items.队伍建设.submitted_at": "2019-12-14 20:00",
    "items.队伍建设.score": "18.5",
    "items.队伍建设.length": "800",
    "facts.校本作业数": "2",
}


def _naive(*parts: int) -> dt.datetime:
    """A naive datetime, as Excel date cells hold them."""
    return dt.datetime(*parts)  # noqa: DTZ001  # naive on purpose: Excel stores wall times


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _fields(result: RecordOrProblem) -> Mapping[str, object]:
    assert isinstance(result, RawRecord), result
    return result.fields


def _message_en(result: RecordOrProblem) -> str:
    assert isinstance(result, ReadProblem), result
    return result.message_en


def _summary(results: list[RecordOrProblem]) -> list[tuple[str, int, str]]:
    return [(type(result).__name__, result.index, result.location) for result in results]


# --- keys ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("编号", "id"),
        (" 姓名 ", "name"),
        ("入班时间", "enrolled_at"),
        ("标记", "flags"),
        ("stage", "stage"),
        ("作业一.提交时间", "items.作业一.submitted_at"),
        ("作业一．分数", "items.作业一.score"),
        ("作业一.等级", "items.作业一.grade"),
        ("作业一.字数", "items.作业一.length"),
        ("作业一.score", "items.作业一.score"),
        ("items.作业一.score", "items.作业一.score"),
        ("items.作业一.备注", "items.作业一.备注"),
        ("facts.校本作业数", "facts.校本作业数"),
        ("校本作业数", "facts.校本作业数"),
        ("作业一.备注", "facts.作业一.备注"),
    ],
)
def test_column_key_for_teachers(header: str, expected: str) -> None:
    """Chinese and English headers map to the canonical teacher keys; others become facts."""
    assert expected == column_key(header)


@pytest.mark.parametrize(
    ("header", "expected"), [("学校", "school"), ("school", "school"), ("计划发送时间", "facts.计划发送时间")]
)
def test_column_key_for_schools(header: str, expected: str) -> None:
    """School headers: 学校 is the school, everything else a fact."""
    assert expected == column_key(header, school=True)


# --- CSV -----------------------------------------------------------------------


def test_csv_with_bom_and_chinese_headers(tmp_path: Path) -> None:
    """A CSV saved by Excel (BOM, CRLF, Chinese headers) reads into canonical keys, empty cells None."""
    path = _write(tmp_path / "records.csv", "\ufeff" + CSV_TEXT)
    results = list(read_records(path))
    expected = [
        RawRecord(0, "records.csv:2", CSV_FIRST),
        RawRecord(
            1,
            "records.csv:3",
            {key: None for key in CSV_FIRST}
            | {"id": "T0002", "name": "李四", "school": "兰西二中", "subject": "数学", "stage": "小学"},
        ),
    ]
    assert expected == results


def test_csv_without_bom(tmp_path: Path) -> None:
    """The same CSV without a BOM reads the same."""
    path = _write(tmp_path / "records.csv", CSV_TEXT)
    first = next(read_records(path))
    assert RawRecord(0, "records.csv:2", CSV_FIRST) == first


def test_csv_quoted_multiline_cell_and_blank_rows(tmp_path: Path) -> None:
    """Quoted cells may hold newlines; blank rows are skipped; locations give the starting line."""
    path = _write(tmp_path / "r.csv", '编号,姓名\n\nT1,"张\n三"\n,\nT2,李四\n')
    expected = [
        RawRecord(0, "r.csv:3", {"id": "T1", "name": "张\n三"}),
        RawRecord(1, "r.csv:6", {"id": "T2", "name": "李四"}),
    ]
    assert expected == list(read_records(path))


def test_csv_extra_cells_are_a_read_problem(tmp_path: Path) -> None:
    """A value in a column without a header makes that row a ReadProblem; the next row still comes."""
    path = _write(tmp_path / "r.csv", "编号,姓名,\nT1,a,,surplus\nT2,b\n")
    expected = [("ReadProblem", 0, "r.csv:2"), ("RawRecord", 1, "r.csv:3")]
    assert expected == _summary(list(read_records(path)))


def test_csv_cell_over_limit_is_a_read_problem(tmp_path: Path) -> None:
    """A cell longer than 1 MB makes its row a ReadProblem; the other rows still come."""
    path = _write(tmp_path / "r.csv", "编号,姓名\nT1,a\nT2," + "x" * (MAX_LINE_CHARS + 5) + "\nT3,c\n")
    expected = [("RawRecord", 0, "r.csv:2"), ("ReadProblem", 1, "r.csv:3"), ("RawRecord", 2, "r.csv:4")]
    assert expected == _summary(list(read_records(path)))


def test_csv_unclosed_quote_is_reported(tmp_path: Path) -> None:
    """An unclosed quote at the end is a ReadProblem, not a silently swallowed record."""
    path = _write(tmp_path / "r.csv", '编号,姓名\nT1,a\nT2,"b\nT3,c\n')
    results = list(read_records(path))
    expected = [("RawRecord", 0, "r.csv:2"), ("ReadProblem", 1, "r.csv:3")]
    assert expected == _summary(results)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("编号,编号\nT1,T2\n", "重复"),
        ("编号,id\nT1,T2\n", "重复"),
        ("编号,,姓名\nT1,,a\n", "表头为空"),
        ("", "缺少表头"),
        ("\n", "缺少表头"),
    ],
)
def test_csv_bad_header_is_a_file_error(tmp_path: Path, text: str, needle: str) -> None:
    """Duplicate, empty and missing headers raise RecordsFileError when read_records is called."""
    path = _write(tmp_path / "r.csv", text)
    with pytest.raises(RecordsFileError) as info:
        read_records(path)
    assert needle in info.value.message_zh


# --- JSON and JSON Lines -------------------------------------------------------


def test_jsonl_broken_line_in_the_middle(tmp_path: Path) -> None:
    """A broken JSON line is a ReadProblem with its line number; the lines around it still come."""
    lines = [json.dumps(NESTED, ensure_ascii=False), '{"id": "T0002", ', "", json.dumps({"id": "T0003"})]
    path = _write(tmp_path / "records.jsonl", "\n".join(lines) + "\n")
    results = list(read_records(path))
    expected = [
        ("RawRecord", 0, "records.jsonl:1"),
        ("ReadProblem", 1, "records.jsonl:2"),
        ("RawRecord", 2, "records.jsonl:4"),
    ]
    assert expected == _summary(results)
    expected_fields = FLAT
    assert expected_fields == _fields(results[0])
    assert "JSON" in _message_en(results[1])


def test_jsonl_numbers_are_exact(tmp_path: Path) -> None:
    """JSON fractions are Decimals, integers ints, never floats; an exponent is kept as text (refused later)."""
    path = _write(tmp_path / "r.jsonl", '{"id": "T1", "items": {"a": {"score": 17.9, "length": 800}}, "x": 1e2}\n')
    record = next(read_records(path))
    expected = {"id": "T1", "items.a.score": Decimal("17.9"), "items.a.length": 800, "x": "1e2"}
    assert expected == _fields(record)
    assert Decimal is type(_fields(record)["items.a.score"])


@pytest.mark.parametrize(
    "line",
    ['{"a": 1, "a": 2}', "[1, 2]", '"T1"', '{"kind": 3}'],
)
def test_jsonl_unreadable_records(line: str) -> None:
    """Duplicate keys, non-objects and kinds that are not texts are ReadProblems (a text kind such as 县 is a
    group record, read with the schools: tests/test_group_facts.py)."""
    results = list(read_records_text('{"id": "T0"}\n' + line + '\n{"id": "T2"}\n', "jsonl"))
    expected = [("RawRecord", 0, "<text>:1"), ("ReadProblem", 1, "<text>:2"), ("RawRecord", 2, "<text>:3")]
    assert expected == _summary(results)


def test_jsonl_long_line_is_a_read_problem() -> None:
    """A JSON line longer than 1 MB is a ReadProblem and reading goes on."""
    text = '{"id": "T1"}\n{"id": "' + "x" * MAX_LINE_CHARS + '"}\n{"id": "T3"}\n'
    expected = [("RawRecord", 0, "<text>:1"), ("ReadProblem", 1, "<text>:2"), ("RawRecord", 2, "<text>:3")]
    assert expected == _summary(list(read_records_text(text, "jsonl")))


def test_jsonl_school_lines(tmp_path: Path) -> None:
    """Lines with "kind": "school" are school records, read by read_schools and skipped by read_records."""
    text = (
        '{"id": "T1", "kind": "teacher"}\n'
        '{"kind": "school", "school": "兰西一中", "facts": {"计划发送时间": "2019-12-07"}}\n'
    )
    path = _write(tmp_path / "r.jsonl", text)
    assert [RawRecord(0, "r.jsonl:1", {"id": "T1"})] == list(read_records(path))
    expected = [RawRecord(0, "r.jsonl:2", {"school": "兰西一中", "facts.计划发送时间": "2019-12-07"})]
    assert expected == read_schools(path)


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_json_numbers_reach_their_field(tmp_path: Path, fmt: str, constant: str) -> None:
    """NaN/Infinity is read as that Decimal, so the record keeps its id and validation names the field."""
    bad = '{"id": "T2", "items": {"a": {"score": CONSTANT}}}'.replace("CONSTANT", constant)
    records = ['{"id": "T1"}', bad, '{"id": "T3"}']
    text = '{"teachers": [' + ", ".join(records) + "]}" if fmt == "json" else "\n".join(records)
    results = list(read_records(_write(tmp_path / f"records.{fmt}", text)))
    assert ["RawRecord"] * 3 == [type(r).__name__ for r in results]
    value = _fields(results[1])["items.a.score"]
    assert isinstance(value, Decimal)
    assert constant == str(value)


def test_json_array_and_schools(tmp_path: Path) -> None:
    """A .json array holds records; an object's schools part is read by read_schools."""
    array = _write(tmp_path / "a.json", json.dumps([NESTED, {"id": "T2", "新键": 1}], ensure_ascii=False))
    expected = [RawRecord(0, "a.json#/0", FLAT), RawRecord(1, "a.json#/1", {"id": "T2", "新键": 1})]
    assert expected == list(read_records(array))
    both = _write(tmp_path / "b.json", json.dumps({"teachers": [], "schools": [{"school": "一中", "facts": {"n": 1}}]}))
    assert [RawRecord(0, "b.json#/schools/0", {"school": "一中", "facts.n": 1})] == read_schools(both)


def test_read_schools_is_safe_on_a_teacher_file(tmp_path: Path) -> None:
    """By default read_schools reads only marked school records, so a teacher file gives none."""
    array = _write(tmp_path / "a.json", json.dumps([NESTED]))
    lines = _write(tmp_path / "a.jsonl", json.dumps(NESTED) + "\n{broken\n")
    workbook = openpyxl.Workbook()
    workbook.active.append(["编号", "姓名"])
    workbook.active.append(["T1", "张三"])
    sheet = tmp_path / "a.xlsx"
    workbook.save(sheet)
    expected: list[list[RecordOrProblem]] = [[], [], []]
    assert expected == [read_schools(array), read_schools(lines), read_schools(sheet)]


def test_read_schools_separate_file(tmp_path: Path) -> None:
    """With separate=True the whole file is school records, in every format."""
    school = {"school": "一中", "facts": {"n": 1}}
    flat = {"school": "一中", "facts.n": 1}
    array = _write(tmp_path / "s.json", json.dumps([school], ensure_ascii=False))
    lines = _write(tmp_path / "s.jsonl", json.dumps(school, ensure_ascii=False) + '\n{"kind": "teacher"}\n{\n')
    workbook = openpyxl.Workbook()
    workbook.active.append(["学校", "n"])
    workbook.active.append(["一中", 1])
    sheet = tmp_path / "s.xlsx"
    workbook.save(sheet)
    table = _write(tmp_path / "s.csv", "学校,n\n一中,1\n")
    expected = [
        [("RawRecord", 0, "s.json#/0")],
        [("RawRecord", 0, "s.jsonl:1"), ("ReadProblem", 1, "s.jsonl:3")],
        [("RawRecord", 0, "s.xlsx!Sheet:2")],
        [("RawRecord", 0, "s.csv:2")],
    ]
    results = [read_schools(path, separate=True) for path in (array, lines, sheet, table)]
    assert expected == [_summary(result) for result in results]
    assert [flat, flat, flat] == [_fields(result[0]) for result in results[:3]]


@pytest.mark.parametrize(
    "text",
    ['{"teacher": []}', '{"schools": []}', '{"teachers": {}}', "3", "NaN", '{"teachers": [], "teachers": []}', "[1,"],
)
def test_json_wrong_shape_is_a_file_error(tmp_path: Path, text: str) -> None:
    """A .json document that is not an array or an object with a teachers array raises RecordsFileError."""
    path = _write(tmp_path / "r.json", text)
    with pytest.raises(RecordsFileError):
        read_records(path)


def test_jsonl_streams_in_constant_memory(tmp_path: Path) -> None:
    """Reading 50,000 JSON lines keeps memory small: records are not accumulated."""
    line = json.dumps(NESTED, ensure_ascii=False) + "\n"
    path = tmp_path / "big.jsonl"
    with path.open("w", encoding="utf-8") as stream:
        stream.writelines(line for _ in range(50_000))
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_records(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    expected = 50_000
    assert expected == count
    assert peak < 8_000_000  # the records alone would take well over 50 MB


# --- in-memory -----------------------------------------------------------------


def test_iter_records_from_dicts() -> None:
    """In-memory nested dicts flatten like JSON; a non-mapping or a clash is a ReadProblem."""
    clash = {"items.a.score": 1, "items": {"a": {"score": 2}}}
    results = list(iter_records_from_dicts([NESTED, clash, 5]))  # type: ignore[list-item]
    assert RawRecord(0, "input[0]", FLAT) == results[0]
    expected = [("RawRecord", 0, "input[0]"), ("ReadProblem", 1, "input[1]"), ("ReadProblem", 2, "input[2]")]
    assert expected == _summary(results)


def test_unknown_top_level_keys_are_kept() -> None:
    """Unknown keys, and items or facts that are not objects, are kept for the validator to report."""
    record = next(iter_records_from_dicts([{"id": "T1", "colour": "red", "facts": 3, "items": {"a": 1}}]))
    expected = {"id": "T1", "colour": "red", "facts": 3, "items.a": 1}
    assert expected == _fields(record)


def test_every_record_yields_exactly_one() -> None:
    """Each non-blank JSON line gives one result, readable or not, with consecutive indexes."""
    lines = ['{"id": 1}', "{", "[]", '{"x": NaN}', "", '{"id": 2}', "nonsense"]
    results = list(read_records_text("\n".join(lines), "jsonl"))
    expected = list(range(6))
    assert expected == [result.index for result in results]


# --- xlsx ----------------------------------------------------------------------


def _workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    teachers = workbook.active
    teachers.title = "教师"
    teachers.append(["编号", "姓名", "入班时间", "队伍建设.分数", "队伍建设.字数", "标记", "公式"])
    teachers.append(["T0001", "张三", _naive(2019, 12, 7, 9, 0), 17.9, 800, "新教材培训", "=1+1"])
    teachers.append([None, None, None, None, None, None, None])
    teachers.append(["T0002", "李四", _naive(2019, 12, 8), None, None, None, None])
    schools = workbook.create_sheet("学校")
    schools.append(["学校", "计划发送时间"])
    schools.append(["兰西一中", _naive(2019, 12, 6, 18, 0)])
    workbook.save(path)
    return path


def test_xlsx_round_trip(tmp_path: Path) -> None:
    """An xlsx written by openpyxl reads back: dates as naive datetimes, floats as exact Decimals."""
    path = _workbook(tmp_path / "roster.xlsx")
    expected = [
        RawRecord(
            0,
            "roster.xlsx!教师:2",
            {
                "id": "T0001",
                "name": "张三",
                "enrolled_at": _naive(2019, 12, 7, 9, 0),
                "items.队伍建设.score": Decimal("17.9"),
                "items.队伍建设.length": 800,
                "flags": "新教材培训",
                "facts.公式": UncomputedFormula("G2"),  # a formula never calculated: no cached value to read
            },
        ),
        RawRecord(
            1,
            "roster.xlsx!教师:4",
            {
                "id": "T0002",
                "name": "李四",
                "enrolled_at": _naive(2019, 12, 8),
                "items.队伍建设.score": None,
                "items.队伍建设.length": None,
                "flags": None,
                "facts.公式": None,
            },
        ),
    ]
    assert expected == list(read_records(path))


def test_xlsx_school_sheet(tmp_path: Path) -> None:
    """The 学校 sheet holds the school records."""
    path = _workbook(tmp_path / "roster.xlsx")
    expected = [
        RawRecord(0, "roster.xlsx!学校:2", {"school": "兰西一中", "facts.计划发送时间": _naive(2019, 12, 6, 18)})
    ]
    assert expected == read_schools(path)


def test_xlsx_teacher_sheet_found_by_name(tmp_path: Path) -> None:
    """A sheet named teachers is used even when it is not the first one."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["这不是数据"])
    sheet = workbook.create_sheet("teachers")
    sheet.append(["id", "name"])
    sheet.append(["T1", "张三"])
    path = tmp_path / "w.xlsx"
    workbook.save(path)
    assert [RawRecord(0, "w.xlsx!teachers:2", {"id": "T1", "name": "张三"})] == list(read_records(path))


def test_xlsx_not_a_zip_is_a_file_error(tmp_path: Path) -> None:
    """A file named .xlsx that is not a workbook raises RecordsFileError."""
    path = _write(tmp_path / "fake.xlsx", "编号\nT1\n")
    with pytest.raises(RecordsFileError):
        read_records(path)


def test_xlsx_entity_bomb_is_refused(tmp_path: Path) -> None:
    """A worksheet declaring XML entities (a billion-laughs shape) is refused through defusedxml."""
    plain = _workbook(tmp_path / "plain.xlsx")
    bomb = tmp_path / "bomb.xlsx"
    entities = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(bomb, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8").replace("<t>", "<t>&b;", 1)
                data = (entities + text.removeprefix("<?xml version='1.0' encoding='UTF-8'?>")).encode("utf-8")
            target.writestr(info, data)
    with pytest.raises(RecordsFileError) as info:
        list(read_records(bomb))
    causes = []
    cause = info.value.__cause__
    while cause is not None:
        causes.append(type(cause).__name__)
        cause = cause.__cause__
    assert "EntitiesForbidden" in causes


def test_xlsx_declared_size_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A workbook whose parts declare more than the cap when uncompressed is refused (zip bombs)."""
    path = _workbook(tmp_path / "roster.xlsx")
    monkeypatch.setattr(limits, "MAX_XLSX_UNCOMPRESSED_BYTES", 1000)
    with pytest.raises(RecordsFileError) as info:
        read_records(path)
    assert "uncompressed" in info.value.message_en


def test_xlsx_needs_defusedxml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When openpyxl would parse without defusedxml, xlsx files are not read at all."""
    path = _workbook(tmp_path / "roster.xlsx")
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    with pytest.raises(RecordsFileError) as info:
        read_records(path)
    assert "defusedxml" in info.value.message_en


# --- files ---------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    """A missing file raises RecordsFileError naming it."""
    with pytest.raises(RecordsFileError) as info:
        read_records(tmp_path / "nope.csv")
    assert "nope.csv" in info.value.message_zh


def test_directory(tmp_path: Path) -> None:
    """A directory raises RecordsFileError."""
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(RecordsFileError) as info:
        read_records(tmp_path / "d.csv")
    assert "directory" in info.value.message_en


@pytest.mark.parametrize("name", ["r.csv", "r.jsonl", "r.json"])
def test_non_utf8_file(tmp_path: Path, name: str) -> None:
    """A GBK-encoded file raises RecordsFileError with the line, before any record is read."""
    text = '{"id": "T1"}\n{"name": "张三"}\n' if name.endswith(("jsonl", "json")) else "编号,姓名\nT1,张三\n"
    path = _write(tmp_path / name, text, encoding="gbk")
    with pytest.raises(RecordsFileError) as info:
        read_records(path)
    assert "UTF-8" in info.value.message_zh


@pytest.mark.parametrize("name", ["r.txt", "r.xls", "r"])
def test_unknown_extension(tmp_path: Path, name: str) -> None:
    """Unknown suffixes (and old .xls) raise RecordsFileError."""
    path = _write(tmp_path / name, "编号\nT1\n")
    with pytest.raises(RecordsFileError):
        read_records(path)


def test_read_records_text_formats() -> None:
    """read_records_text reads csv, jsonl and json text like the files."""
    expected = [RawRecord(0, "<text>:2", CSV_FIRST)]
    assert expected == list(read_records_text(CSV_TEXT, "csv"))[:1]
    assert [RawRecord(0, "<text>:1", FLAT)] == list(read_records_text(json.dumps(NESTED), "jsonl"))
    assert [RawRecord(0, "<text>#/0", FLAT)] == list(read_records_text(json.dumps([NESTED]), "json"))


def test_read_problem_carries_both_languages() -> None:
    """A ReadProblem has a Chinese and an English message."""
    problem = next(read_records_text("{", "jsonl"))
    assert isinstance(problem, ReadProblem)
    assert ("不是有效的 JSON" in problem.message_zh, "not valid JSON" in problem.message_en) == (True, True)


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_lone_surrogate_makes_only_its_record_unreadable(tmp_path: Path, fmt: str) -> None:
    """A lone \\ud800 (in a value or a key) cannot be written anywhere: that record is a ReadProblem; pairs are fine."""
    records = [
        '{"id": "T1", "name": "\\ud83d\\ude00"}',
        '{"id": "\\ud800"}',
        '{"id": "T3", "\\uDC80": 1}',
        '{"id": "T4"}',
    ]
    text = '{"teachers": [' + ", ".join(records) + "]}" if fmt == "json" else "\n".join(records)
    results = list(read_records(_write(tmp_path / f"records.{fmt}", text)))
    assert ["RawRecord", "ReadProblem", "ReadProblem", "RawRecord"] == [type(r).__name__ for r in results]
    assert "\U0001f600" == _fields(results[0])["name"]
    assert "\\ud800" in _message_en(results[1])


def test_huge_json_integer_reaches_its_field(tmp_path: Path) -> None:
    """An integer of 5000 digits (beyond Python's int-from-text limit) is read as a Decimal, not a broken file."""
    text = '{"teachers": [{"id": "T1", "items": {"a": {"score": 1' + "0" * 5000 + '}}}, {"id": "T2"}]}'
    results = list(read_records(_write(tmp_path / "records.json", text)))
    assert ["RawRecord", "RawRecord"] == [type(r).__name__ for r in results]
    assert Decimal("1E5000") == _fields(results[0])["items.a.score"]


def test_short_csv_row_is_a_read_problem(tmp_path: Path) -> None:
    """A CSV row with fewer values than the header (lost or merged cells) is refused rather than read shifted."""
    text = "id,name,school,subject\nT1,张三,兰西一中,语文\nT2,兰西一中\nT3,王五,兰西一中,数学\n"
    results = list(read_records(_write(tmp_path / "r.csv", text)))
    assert ["RawRecord", "ReadProblem", "RawRecord"] == [type(r).__name__ for r in results]
    assert "2 value(s) but the header has 4 columns" in _message_en(results[1])


# --- issue 10: the sheet read, and clear errors for common slips ---------------------------


def _book(path: Path, sheets: list[tuple[str, str, list[list[object]]]]) -> Path:
    """Write a workbook of (title, state, rows) sheets."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, state, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.sheet_state = state
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


STALE = [["编号", "姓名"], ["OLD1", "旧表"]]
CURRENT = [["编号", "姓名"], ["T1", "张三"]]


def _ids(stream: records.RecordStream) -> list[object]:
    return [r.fields["id"] for r in stream if isinstance(r, RawRecord)]


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_xlsx_hidden_first_sheet_is_not_read(tmp_path: Path, state: str) -> None:
    """A stale sheet the clerk hid is skipped: the first visible sheet is read, and the stream names it."""
    path = _book(tmp_path / "r.xlsx", [("旧表", state, STALE), ("本学期", "visible", CURRENT)])
    stream = read_records(path)
    assert (stream.sheet, _ids(stream)) == ("本学期", ["T1"])


def test_xlsx_sheet_by_name_before_position(tmp_path: Path) -> None:
    path = _book(tmp_path / "r.xlsx", [("说明", "visible", STALE), ("教师", "visible", CURRENT)])
    stream = read_records(path)
    assert (stream.sheet, _ids(stream)) == ("教师", ["T1"])


def test_xlsx_hidden_named_sheet_is_not_read(tmp_path: Path) -> None:
    """Even a sheet named 教师 is not read while hidden."""
    path = _book(tmp_path / "r.xlsx", [("教师", "hidden", STALE), ("Sheet2", "visible", CURRENT)])
    stream = read_records(path)
    assert (stream.sheet, _ids(stream)) == ("Sheet2", ["T1"])


def test_xlsx_hidden_school_sheet_is_not_read(tmp_path: Path) -> None:
    path = _book(tmp_path / "r.xlsx", [("教师", "visible", CURRENT), ("学校", "hidden", [["学校"], ["一中"]])])
    assert read_schools(path) == []


def test_xlsx_without_visible_sheet_is_refused(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.append(["编号"])
    workbook.create_sheet("可见").append(["编号"])  # openpyxl refuses to save with every sheet hidden...
    first.sheet_state = "hidden"
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    # ...so hide the second one in the saved XML itself
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    visible = 'name="可见"'.encode()
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(visible, visible + b' state="hidden"')
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    with pytest.raises(RecordsFileError):  # openpyxl itself refuses such a workbook (else: 没有可见的工作表)
        read_records(path)


def test_other_formats_name_no_sheet(tmp_path: Path) -> None:
    assert read_records(_write(tmp_path / "r.csv", "编号\nT1\n")).sheet is None


@pytest.mark.parametrize(("separator", "zh", "en"), [(";", "分号", "semicolon"), ("\t", "制表符", "tab")])
def test_csv_separated_by_semicolons_or_tabs(tmp_path: Path, separator: str, zh: str, en: str) -> None:
    path = _write(tmp_path / "r.csv", f"编号{separator}姓名{separator}学校\nT1{separator}张三{separator}一中\n")
    with pytest.raises(RecordsFileError) as caught:
        read_records(path)
    assert f"这是以{zh}分隔的文件" in caught.value.message_zh
    assert f"separated by {en}s" in caught.value.message_en


def test_csv_text_separated_by_semicolons() -> None:
    with pytest.raises(RecordsFileError, match="这是以分号分隔的文件"):
        read_records_text("编号;姓名\nT1;张三\n", "csv")


@pytest.mark.parametrize("char", ["\u200b", "\ufeff", "\u2060", "\u200d"])
def test_invisible_character_in_a_header(tmp_path: Path, char: str) -> None:
    """A zero-width character in 编号 is named by code point and column, in both languages."""
    path = _write(tmp_path / "r.csv", f"姓名,编{char}号\n张三,T1\n")
    with pytest.raises(RecordsFileError) as caught:
        read_records(path)
    code = f"U+{ord(char):04X}"
    assert f"第 2 列表头“编号”中含有看不见的字符 {code}" in caught.value.message_zh
    assert f"column 2 ('编号') holds the invisible character {code}" in caught.value.message_en


def test_invisible_character_in_an_xlsx_header(tmp_path: Path) -> None:
    path = _book(tmp_path / "r.xlsx", [("教师", "visible", [["\u200b编号"], ["T1"]])])
    with pytest.raises(RecordsFileError, match="U\\+200B（零宽空格）"):
        read_records(path)


def test_title_row_above_the_csv_header(tmp_path: Path) -> None:
    path = _write(tmp_path / "r.csv", "2021 年秋季培训成绩,,\n编号,姓名,学校\nT1,张三,一中\n")
    with pytest.raises(RecordsFileError) as caught:
        read_records(path)
    assert "表头第 1 行“2021 年秋季培训成绩”看起来是标题，表头应在第 2 行？" in caught.value.message_zh
    assert "looks like a title" in caught.value.message_en


def test_title_row_above_the_xlsx_header(tmp_path: Path) -> None:
    path = _book(tmp_path / "r.xlsx", [("教师", "visible", [["成绩汇总表"], *CURRENT])])
    with pytest.raises(RecordsFileError, match="看起来是标题，表头应在第 2 行"):
        read_records(path)


def test_title_row_above_a_school_header(tmp_path: Path) -> None:
    path = _write(tmp_path / "s.csv", "学校报送情况\n学校,计划报送时间\n一中,2019-12-01\n")
    with pytest.raises(RecordsFileError, match="看起来是标题"):
        read_schools(path, separate=True)


@pytest.mark.parametrize(
    "text",
    [
        "编号\nT1\nT2\n",  # one column: its first data row is not a header
        "学校\n编号\n",  # a header of one (unknown) column above a row naming 编号: 学校 is itself a header word
    ],
)
def test_single_column_files_are_not_titles(tmp_path: Path, text: str) -> None:
    records_read = list(read_records(_write(tmp_path / "r.csv", text)))
    assert all(isinstance(r, RawRecord) for r in records_read)


def test_one_column_xlsx_keeps_its_second_row(tmp_path: Path) -> None:
    """Peeking at row 2 (to look for a title row) loses no record."""
    path = _book(tmp_path / "r.xlsx", [("教师", "visible", [["编号"], ["T1"], ["T2"]])])
    stream = read_records(path)
    assert [(r.location, r.fields["id"]) for r in stream if isinstance(r, RawRecord)] == [
        ("r.xlsx!教师:2", "T1"),
        ("r.xlsx!教师:3", "T2"),
    ]


# --- .json documents are streamed (issue 10: memory bounds) ---------------------------------


def test_json_streams_in_constant_memory(tmp_path: Path) -> None:
    """Reading a .json of 20,000 records keeps memory small: the document is never held whole."""
    path = tmp_path / "big.json"
    record = json.dumps(NESTED, ensure_ascii=False)
    with path.open("w", encoding="utf-8") as stream:
        stream.write('{"schools": [], "teachers": [\n')
        stream.write(",\n".join(record for _ in range(20_000)))
        stream.write("\n]}\n")
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_records(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert peak < 20_000_000  # bounded by the 1 MiB chunk; the text with its records takes over 50 MB


_DOCUMENTS = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.decimals(allow_nan=False, places=2),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=8,
)


def _outcome(text: str, kind: str) -> object:
    try:
        found = list(read_records_text(text, "json", kind=kind))  # type: ignore[arg-type]
    except RecordsFileError as exc:
        return ("error", exc.message_en)
    return found


@given(
    teachers=st.lists(st.dictionaries(st.sampled_from(["id", "name", "x"]), _DOCUMENTS, max_size=3), max_size=4),
    spaces=st.sampled_from(["", " ", "\n", " \r\n\t "]),
    chunk=st.integers(1, 9),
    cut=st.integers(0, 400),
)
def test_json_read_in_small_chunks_equals_whole(
    teachers: list[dict[str, object]], spaces: str, chunk: int, cut: int
) -> None:
    """Whatever the chunk size, the streamed reader gives what one big chunk gives: the same records, or the
    same refusal (with the same line and column) for a document cut short anywhere."""
    body = json.dumps(teachers, default=str, ensure_ascii=False).replace(", ", "," + spaces)
    text = '{"schools": [],' + spaces + '"teachers": ' + body + spaces + "}"
    for candidate in (text, text[:cut]):
        whole = _outcome(candidate, "teacher")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(records, "_CHUNK", chunk)
            assert _outcome(candidate, "teacher") == whole


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [('{"teachers": [\n{"id": 1},\n{"id" 2}]}', 3, 7), ("[1,\n 2", 2, 3), ("", 1, 1), ('[{"id": 1}] x', 1, 13)],
)
def test_json_errors_give_line_and_column(text: str, line: int, column: int) -> None:
    with pytest.raises(RecordsFileError) as caught:
        read_records_text(text, "json")
    assert f"第 {line} 行第 {column} 列" in caught.value.message_zh


def test_json_whole_file_error_after_the_records_is_raised_first(tmp_path: Path) -> None:
    """A document broken at its end is refused when reading starts, before any record is used."""
    path = _write(tmp_path / "r.json", '{"teachers": [{"id": "T1"}], "note": 1}')
    with pytest.raises(RecordsFileError, match="未知的顶层键"):
        read_records(path)


def test_xlsx_parts_read_whole_are_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parts openpyxl parses whole (shared strings, styles ...) have their own, smaller cap; worksheets,
    which are streamed, do not count against it."""
    rows = [["编号", "备注"]] + [[f"T{i}", f"备注{i}" * 20] for i in range(200)]
    path = _book(tmp_path / "r.xlsx", [("教师", "visible", rows)])
    with zipfile.ZipFile(path) as archive:
        whole = sum(i.file_size for i in archive.infolist() if not i.filename.startswith("xl/worksheets/"))
    monkeypatch.setattr(limits, "MAX_XLSX_WHOLE_PARTS_BYTES", whole)
    assert len(list(read_records(path))) == 200
    monkeypatch.setattr(limits, "MAX_XLSX_WHOLE_PARTS_BYTES", whole - 1)
    with pytest.raises(RecordsFileError) as caught:
        read_records(path)
    assert "共享字符串表" in caught.value.message_zh
    assert "shared strings" in caught.value.message_en


def test_json_record_count_is_known_before_reading(tmp_path: Path) -> None:
    path = _write(tmp_path / "r.json", json.dumps({"teachers": [{"id": "T1"}, {"id": "T2"}], "schools": [{}]}))
    assert (read_records(path).count, len(read_schools(path))) == (2, 1)
    assert read_records(_write(tmp_path / "r.jsonl", '{"id": "T1"}\n')).count is None
