"""A valid .json whose one record is very large: an error for that record, the others read (issue 10).

A record of more than ``MAX_JSON_RECORD_CHARS`` (here a 17 MiB ``name``) used to make the whole
file refused as "不是有效的 JSON": a false message, and the other records were never evaluated.
It is now skipped without being decoded and refused on its own, as JSON Lines does for a long line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trainrules.records import RawRecord, ReadProblem, RecordsFileError, read_records

BIG = 17 * (1 << 20)


def _write(path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write('{"teachers": [{"id": "A", "school": "一中", "name": "')
        out.write("a" * BIG)
        out.write('"}, ')
        out.write(json.dumps({"id": "B", "school": "一中"}))
        out.write("]}")


def test_a_valid_json_with_one_huge_record_is_not_called_invalid(tmp_path: Path) -> None:
    path = tmp_path / "records.json"
    _write(path)
    json.loads(path.read_text(encoding="utf-8"))  # the document really is valid JSON
    refusal: RecordsFileError | None = None
    entries: list[RawRecord | ReadProblem] = []
    try:
        entries = list(read_records(path))
    except RecordsFileError as exc:
        refusal = exc
    if refusal is not None:
        # A file-level refusal is acceptable only if it says what is wrong (a record too large), not "invalid JSON".
        assert "不是有效的 JSON" not in refusal.message_zh, refusal.message_zh
        return
    assert len(entries) == 2
    assert isinstance(entries[1], RawRecord)
    assert entries[1].fields.get("id") == "B"
    assert isinstance(entries[0], ReadProblem)
    assert "超过上限" in entries[0].message_zh
    assert entries[0].location.endswith("#/teachers/0")


def test_an_oversized_record_that_never_closes_is_invalid_json(tmp_path: Path) -> None:
    """Skipping an oversized record needs its brackets to close; a document cut inside it is broken."""
    path = tmp_path / "records.json"
    with path.open("w", encoding="utf-8") as out:
        out.write('{"teachers": [{"id": "A", "school": "一中", "name": "')
        out.write("a" * BIG)
    with pytest.raises(RecordsFileError) as caught:
        list(read_records(path))
    assert "不是有效的 JSON" in caught.value.message_zh


def _workbook(path: Path, rows: list[list[object]]) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "教师"
    for row in rows:
        ws.append(row)
    wb.save(path)
    wb.close()


def test_an_xlsx_cell_over_the_limit_refuses_the_file_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One huge cell would be held whole by the XML parser: a worksheet holding one is refused up front."""
    from trainrules import limits

    monkeypatch.setattr(limits, "MAX_XLSX_CELL_BYTES", 1 << 16)
    import re
    import zipfile

    plain = tmp_path / "plain.xlsx"
    _workbook(plain, [["编号", "学校", "姓名"], ["A", "一中", "x"], ["B", "一中", "b"]])
    path = tmp_path / "big-cell.xlsx"  # openpyxl writes shared strings: put the huge cell inline, as a bomb does
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                cell = '<c r="C2" t="inlineStr"><is><t>' + "a" * (1 << 17) + "</t></is></c>"
                data = re.sub(r'<c r="C2"[^>]*>.*?</c>', cell, data.decode(), flags=re.S).encode()
            out.writestr(item, data)
    with pytest.raises(RecordsFileError) as caught:
        list(read_records(path))
    assert "中有超过 0.0625 MiB 的单元格" in caught.value.message_zh
    assert "save it as CSV" in caught.value.message_en


def test_a_large_xlsx_of_small_cells_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan refuses a huge cell only: a worksheet larger than the limit made of small cells is read."""
    from trainrules import limits

    monkeypatch.setattr(limits, "MAX_XLSX_CELL_BYTES", 1 << 12)
    path = tmp_path / "many-rows.xlsx"
    _workbook(path, [["编号", "学校", "姓名"], *[[f"T{i}", "一中", f"教师{i}"] for i in range(400)]])
    assert 400 == sum(isinstance(r, RawRecord) for r in read_records(path))
