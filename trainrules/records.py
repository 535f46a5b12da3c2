"""Records: read teacher and school records (JSON, JSON Lines, CSV, xlsx) into raw, unvalidated form.

Every record becomes a :class:`RawRecord` whose ``fields`` use the canonical flat keys
``id``, ``name``, ``school``, ``subject``, ``stage``, ``enrolled_at``, ``flags``,
``items.<item>.submitted_at|score|grade|length`` and ``facts.<name>`` (school records:
``school`` and ``facts.<name>``). Values stay raw (str, int, Decimal, bool, list, naive
datetime from Excel, None for an absent value); checking them against a policy happens
elsewhere, with :mod:`trainrules.values`. A record that cannot be read at all becomes a
:class:`ReadProblem`, so one bad line never stops the others: every input record yields
exactly one of the two. Problems with a whole file raise :class:`RecordsFileError`, and
:func:`read_records` raises them when called, before the first record is yielded.

JSON Lines and CSV are streamed: memory does not grow with the number of records. A JSON
number with a fraction is read as ``Decimal`` (never float); ``NaN`` and ``Infinity`` are
read as the Decimal of that name, so that validation refuses them naming their field.
xlsx files are read with openpyxl in read-only mode; openpyxl parses their XML with defusedxml when it is installed, and
reading refuses to start when it is not (``openpyxl.DEFUSEDXML`` is False), so entity
bombs are rejected; the declared uncompressed size is capped against zip bombs.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import os
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Final, Literal, TypeAlias

import attrs

from trainrules.errors import BilingualError

__all__ = [
    "ITEM_FIELDS",
    "MAX_JSON_FILE_BYTES",
    "MAX_LINE_CHARS",
    "MAX_XLSX_UNCOMPRESSED_BYTES",
    "TEACHER_FIELDS",
    "RawRecord",
    "ReadProblem",
    "RecordOrProblem",
    "RecordsFileError",
    "UncomputedFormula",
    "column_key",
    "iter_records_from_dicts",
    "read_records",
    "read_records_text",
    "read_schools",
]

TEACHER_FIELDS: Final = ("id", "name", "school", "subject", "stage", "enrolled_at", "flags")
ITEM_FIELDS: Final = ("submitted_at", "score", "grade", "length")
# Longest JSON line, CSV physical line or CSV cell, in characters ("1 MB").
MAX_LINE_CHARS: Final = 1 << 20
# A .json file is loaded whole, so it is capped; use JSON Lines for big inputs.
MAX_JSON_FILE_BYTES: Final = 256 << 20
# Sum of the uncompressed sizes an xlsx archive declares (zipfile never reads past them).
MAX_XLSX_UNCOMPRESSED_BYTES: Final = 512 << 20

_CHUNK: Final = 1 << 20
_NEWLINES: Final = ("\n", "\r")
_TEACHER_HEADERS: Final = {
    "编号": "id",
    "姓名": "name",
    "学校": "school",
    "学科": "subject",
    "学段": "stage",
    "入班时间": "enrolled_at",
    "标记": "flags",
} | {key: key for key in TEACHER_FIELDS}
_ITEM_HEADERS: Final = {
    "提交时间": "submitted_at",
    "分数": "score",
    "等级": "grade",
    "字数": "length",
} | {key: key for key in ITEM_FIELDS}
_TEACHER_SHEETS: Final = frozenset({"教师", "teachers"})
_SCHOOL_SHEETS: Final = frozenset({"学校", "schools"})

Kind: TypeAlias = Literal["teacher", "school"]
# What a reader looks for: teachers, the school part of a mixed file, or a file of schools only.
_Want: TypeAlias = Literal["teacher", "school", "school file"]


class RecordsFileError(BilingualError):
    """A whole input file cannot be read."""


@attrs.frozen
class RawRecord:
    """One record as read, keyed by canonical flat names, not yet validated.

    Attributes:
        index: 0-based position among the file's records of this kind.
        location: Where it came from: ``records.csv:12`` (line), ``roster.xlsx!教师:7``
            (sheet row), ``records.json#/teachers/3``, ``input[3]``.
        fields: Canonical key to raw value; None means absent. Treat it as read-only.
    """

    index: int
    location: str
    fields: Mapping[str, object] = attrs.field(hash=False)


@attrs.frozen
class ReadProblem:
    """A record that could not be read at all (broken JSON line, not an object, NaN...).

    Attributes:
        index: 0-based position among the file's records.
        location: Where it came from, as in :class:`RawRecord`.
        message_zh: The message in Chinese.
        message_en: The same message in English.
    """

    index: int
    location: str
    message_zh: str
    message_en: str


RecordOrProblem: TypeAlias = RawRecord | ReadProblem


class _Unreadable(Exception):
    """Internal: the current record cannot be read; becomes a ReadProblem."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


# --- keys --------------------------------------------------------------------


def column_key(header: str, *, school: bool = False) -> str:
    """Map a column header (Chinese or English) to its canonical key.

    ``编号`` → ``id`` ... ``标记`` → ``flags``; ``<item>.分数`` (or ``<item>.score``, or
    ``items.<item>.score``) → ``items.<item>.score``, likewise 提交时间/等级/字数;
    ``facts.X`` stays; any other ``X`` → ``facts.X``. For school records ``学校`` /
    ``school`` → ``school`` and everything else is a fact. The header is stripped and a
    full-width ``．`` counts as ``.``.

    Args:
        header: The header text.
        school: Map for a school record instead of a teacher record.

    Returns:
        The canonical key.
    """
    text = header.strip().replace("．", ".")
    if school:
        if text in ("学校", "school"):
            return "school"
        return text if text.startswith("facts.") else f"facts.{text}"
    if text in _TEACHER_HEADERS:
        return _TEACHER_HEADERS[text]
    if text.startswith("facts."):
        return text
    body = text.removeprefix("items.")
    item, dot, field = body.rpartition(".")
    if dot and item and field in _ITEM_HEADERS:
        return f"items.{item}.{_ITEM_HEADERS[field]}"
    if text.startswith("items."):
        return text  # an unknown item field: kept so the validator can name it
    return f"facts.{text}"


def _header_keys(cells: Sequence[object], kind: _Want, where: str) -> list[str]:
    """Canonical keys for a header row; trailing empty header cells are dropped."""
    texts: list[str] = []
    for cell in cells:
        if cell is None:
            texts.append("")
        elif isinstance(cell, str | int) and not isinstance(cell, bool):
            texts.append(str(cell).strip())
        else:
            raise RecordsFileError(f"{where}：表头必须是文本：{cell!r}", f"{where}: headers must be text: {cell!r}")
    while texts and not texts[-1]:
        texts.pop()
    if not texts:
        raise RecordsFileError(f"{where}：缺少表头行", f"{where}: the header row is missing")
    keys: list[str] = []
    first_header: dict[str, str] = {}
    for number, text in enumerate(texts, start=1):
        if not text:
            raise RecordsFileError(
                f"{where}：第 {number} 列表头为空", f"{where}: the header of column {number} is empty"
            )
        key = column_key(text, school=kind != "teacher")
        if key in first_header:
            raise RecordsFileError(
                f"{where}：表头“{first_header[key]}”与“{text}”重复（都表示 {key}）",
                f"{where}: headers {first_header[key]!r} and {text!r} both mean {key}",
            )
        first_header[key] = text
        keys.append(key)
    return keys


def _row_fields(keys: Sequence[str], cells: Sequence[object]) -> dict[str, object]:
    """Pair a data row with the header keys; empty cells become None."""
    extra = [cell for cell in cells[len(keys) :] if cell is not None]
    if extra:
        raise _Unreadable(
            f"该行有 {len(extra)} 个值在没有表头的列中",
            f"the row has {len(extra)} value(s) in columns without a header",
        )
    fields: dict[str, object] = dict.fromkeys(keys)
    for key, cell in zip(keys, cells, strict=False):
        fields[key] = cell
    return fields


# --- JSON --------------------------------------------------------------------


class _JsonObject(dict[str, object]):
    """A decoded JSON object in which some key occurs more than once."""

    duplicates: tuple[str, ...] = ()


def _json_int(text: str) -> int | Decimal:
    """A JSON integer; one too long for ``int`` (Python refuses over 4300 digits) is kept as a Decimal,
    so that only its field is refused (too many digits) instead of the whole file."""
    return int(text) if len(text) <= 4000 else Decimal(text)


def _json_fraction(text: str) -> Decimal | str:
    return text if "e" in text or "E" in text else Decimal(text)


#: A JSON escape of a UTF-16 surrogate (paired ones decode to one character; lone ones stay).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Decoder:
    """Decode JSON with every number exact: a fraction becomes a Decimal.

    A number with an exponent (``5E1``) is kept as its text, so that the field it stands in
    is refused like the string ``"5E1"`` (docs/records.md: no exponents), naming the field.

    ``NaN``, ``Infinity`` and ``-Infinity`` (not JSON, but Python and JavaScript write them)
    become the Decimal of that name: the validator refuses them as not finite, naming the field.

    :meth:`decode` also tells whether the value holds a duplicated key somewhere; only then
    does :func:`_check_json_values` walk it to find which record.
    One decoder serves one file, so the flag is never shared between threads.
    """

    def __init__(self) -> None:
        self.trouble = False
        self._decoder = json.JSONDecoder(
            parse_float=_json_fraction,
            parse_int=_json_int,
            parse_constant=Decimal,
            object_pairs_hook=self._pairs,
        )

    def decode(self, text: str) -> tuple[object, bool]:
        self.trouble = False
        value = self._decoder.decode(text)
        return value, self.trouble or ("\\u" in text and _SURROGATE_ESCAPE.search(text) is not None)

    def _pairs(self, items: list[tuple[str, object]]) -> dict[str, object]:
        obj = dict(items)
        if len(obj) == len(items):
            return obj
        self.trouble = True
        seen: set[str] = set()
        duplicates: list[str] = []
        for key, _ in items:
            if key in seen:
                duplicates.append(key)
            seen.add(key)
        marked = _JsonObject(items)
        marked.duplicates = tuple(duplicates)
        return marked


def _check_json_values(obj: object) -> None:
    """Reject duplicate keys and lone surrogates anywhere inside one record (iteratively)."""
    stack = [obj]
    while stack:
        value = stack.pop()
        if isinstance(value, str) and _SURROGATE.search(value):
            shown = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)[:40]
            raise _Unreadable(
                f"文本“{shown}”含有不成对的 Unicode 代理项（\\ud800–\\udfff），不是有效的文字",
                f"the text '{shown}' holds an unpaired Unicode surrogate (\\ud800-\\udfff), not valid text",
            )
        if isinstance(value, Mapping):
            stack.extend(value.keys())
        if isinstance(value, Mapping):
            if isinstance(value, _JsonObject) and value.duplicates:
                names = "、".join(value.duplicates)
                raise _Unreadable(f"JSON 对象中的键重复：{names}", f"duplicate key(s) in a JSON object: {names}")
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)


def _str_key(key: object) -> str:
    if type(key) is not str:
        raise _Unreadable(f"键必须是文本：{key!r}", f"keys must be text: {key!r}")
    return key


def _flatten(obj: Mapping[Any, object]) -> dict[str, object]:
    """Flatten a nested record (``items``, ``facts`` and ``lists`` objects) into canonical keys."""
    pairs: list[tuple[str, object]] = []
    for raw_key, value in obj.items():
        key = _str_key(raw_key)
        if key == "items" and isinstance(value, Mapping):
            for raw_item, sub in value.items():
                item = _str_key(raw_item)
                if isinstance(sub, Mapping):
                    pairs.extend((f"items.{item}.{_str_key(field)}", field_value) for field, field_value in sub.items())
                else:
                    pairs.append((f"items.{item}", sub))  # not an object: kept for the validator to report
        elif key == "facts" and isinstance(value, Mapping):
            pairs.extend((f"facts.{_str_key(name)}", fact) for name, fact in value.items())
        elif key == "lists" and isinstance(value, Mapping):  # each list stays one array of entry objects
            pairs.extend((f"lists.{_str_key(name)}", entries) for name, entries in value.items())
        else:
            pairs.append((key, value))  # unknown keys (and non-object items/facts) are kept as they are
    fields = dict(pairs)
    if len(fields) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Unreadable(f"字段 {key} 出现了两次", f"field {key} is given twice")
            seen.add(key)
    return fields


def _record(obj: object, index: int, location: str, *, troubled: bool = False) -> RecordOrProblem:
    """Turn one decoded object into a RawRecord, or a ReadProblem when it cannot be read."""
    try:
        if not isinstance(obj, Mapping):
            raise _Unreadable("记录必须是一个对象（{…}）", "a record must be an object ({...})")
        if troubled:
            _check_json_values(obj)
        return RawRecord(index, location, _flatten(obj))
    except _Unreadable as exc:
        return ReadProblem(index, location, exc.zh, exc.en)


def iter_records_from_dicts(objs: Iterable[Mapping[str, object]]) -> Iterator[RecordOrProblem]:
    """Flatten in-memory nested records, as the Python API receives them.

    Args:
        objs: Teacher (or school) records in the nested JSON shape.

    Yields:
        One RawRecord (located ``input[i]``) or ReadProblem per object.
    """
    for index, obj in enumerate(objs):
        yield _record(obj, index, f"input[{index}]")


def _json_document(text: str, where: str) -> tuple[object, bool]:
    try:
        return _Decoder().decode(text)
    except json.JSONDecodeError as exc:
        raise RecordsFileError(
            f"{where}：不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）",
            f"{where}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})",
        ) from exc
    except (ValueError, RecursionError) as exc:  # e.g. an integer with over 4300 digits, deep nesting
        raise RecordsFileError(f"{where}：不是有效的 JSON", f"{where}: not valid JSON ({exc})") from exc


def _json_part(doc: object, kind: _Want, where: str) -> tuple[list[object], str]:
    """Pick the teacher or school list out of a decoded .json document."""
    if isinstance(doc, list):  # an array is all teachers, or all schools in a file of schools
        return (doc if kind != "school" else []), f"{where}#/"
    if not isinstance(doc, dict):
        raise RecordsFileError(
            f"{where}：JSON 文件必须是记录数组，或含 teachers 的对象",
            f"{where}: a JSON file must be an array of records or an object with 'teachers'",
        )
    if isinstance(doc, _JsonObject):
        raise RecordsFileError(
            f"{where}：顶层键重复：{doc.duplicates}", f"{where}: duplicate top-level keys: {doc.duplicates}"
        )
    unknown = sorted(set(doc) - {"teachers", "schools"})
    if unknown:
        raise RecordsFileError(
            f"{where}：未知的顶层键 {unknown}（只允许 teachers、schools）",
            f"{where}: unknown top-level keys {unknown} (only 'teachers' and 'schools')",
        )
    key = "teachers" if kind == "teacher" else "schools"
    if key not in doc:
        if kind != "teacher":
            return [], f"{where}#/schools/"
        raise RecordsFileError(f"{where}：缺少 teachers 数组", f"{where}: the 'teachers' array is missing")
    part = doc[key]
    if not isinstance(part, list):
        raise RecordsFileError(f"{where}：{key} 必须是数组", f"{where}: '{key}' must be an array")
    return part, f"{where}#/{key}/"


def _json_records(decoded: tuple[object, bool], kind: _Want, where: str) -> Iterator[RecordOrProblem]:
    doc, troubled = decoded
    objs, prefix = _json_part(doc, kind, where)
    return (_record(obj, index, f"{prefix}{index}", troubled=troubled) for index, obj in enumerate(objs))


def _too_long(line: str) -> bool:
    return len(line) > MAX_LINE_CHARS and not line.endswith(_NEWLINES)


def _skip_rest_of_line(stream: IO[str]) -> None:
    while True:
        rest = stream.readline(_CHUNK)
        if not rest or rest.endswith(_NEWLINES):
            return


def _iter_jsonl(stream: IO[str], where: str, kind: _Want) -> Iterator[RecordOrProblem]:
    """Read JSON Lines one line at a time, yielding the records of the wanted kind.

    A line without ``"kind"``, and a line that cannot be read at all, is a teacher, or a
    school in a file of schools.
    """
    default: Kind = "school" if kind == "school file" else "teacher"
    wanted: Kind = "teacher" if kind == "teacher" else "school"
    index = 0
    line_no = 0
    decoder = _Decoder()

    def problem(zh: str, en: str) -> ReadProblem:
        nonlocal index
        index += 1
        return ReadProblem(index - 1, f"{where}:{line_no}", zh, en)

    while line := stream.readline(MAX_LINE_CHARS + 1):
        line_no += 1
        if _too_long(line):
            _skip_rest_of_line(stream)
            if wanted == default:
                yield problem(
                    f"该行超过 {MAX_LINE_CHARS} 个字符", f"the line is longer than {MAX_LINE_CHARS} characters"
                )
            continue
        text = line.strip(" \t\r\n")
        if not text:
            continue
        try:
            obj, troubled = decoder.decode(text)
        except json.JSONDecodeError as exc:
            if wanted == default:
                column = exc.colno + len(line) - len(line.lstrip(" \t\r\n"))
                yield problem(
                    f"该行不是有效的 JSON（第 {column} 列）",
                    f"the line is not valid JSON ({exc.msg} at column {column})",
                )
            continue
        except (ValueError, RecursionError) as exc:
            if wanted == default:
                yield problem("该行不是有效的 JSON", f"the line is not valid JSON ({exc})")
            continue
        line_kind = obj.get("kind") if isinstance(obj, Mapping) else None
        if line_kind not in (None, "teacher", "school"):
            if wanted == default:
                yield problem(
                    f"kind 必须是 teacher 或 school，而不是 {line_kind!r}",
                    f"kind must be 'teacher' or 'school', not {line_kind!r}",
                )
            continue
        if (line_kind or default) != wanted:
            continue
        if troubled and isinstance(obj, Mapping):
            try:
                _check_json_values(obj)  # before dropping "kind": the copy forgets duplicates
            except _Unreadable as exc:
                yield problem(exc.zh, exc.en)
                continue
        if isinstance(obj, Mapping) and "kind" in obj:
            obj = {key: value for key, value in obj.items() if key != "kind"}
        yield _record(obj, index, f"{where}:{line_no}")
        index += 1


# --- CSV ---------------------------------------------------------------------


def _allow_long_csv_cells() -> None:
    # The csv module's cell limit is process-wide (default 128 KiB); it is only ever raised here.
    if csv.field_size_limit() < MAX_LINE_CHARS:
        csv.field_size_limit(MAX_LINE_CHARS)


def _csv_lines(stream: IO[str], oversized: list[int]) -> Iterator[str]:
    """Feed physical lines to the csv module, cutting (and noting) any that are too long."""
    line_no = 0
    while line := stream.readline(MAX_LINE_CHARS + 1):
        line_no += 1
        if _too_long(line):
            _skip_rest_of_line(stream)
            oversized.append(line_no)
            line += "\n"
        yield line


def _csv_header(reader: Iterator[list[str]], oversized: list[int], kind: _Want, where: str) -> list[str]:
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise RecordsFileError(f"{where}：表头行无法读取", f"{where}: the header row cannot be read ({exc})") from exc
    if oversized:
        raise RecordsFileError(f"{where}：表头行过长", f"{where}: the header row is too long")
    return _header_keys(header or [], kind, where)


def _iter_csv(stream: IO[str], where: str, kind: _Want) -> Iterator[RecordOrProblem]:
    """Read CSV rows one at a time; blank rows (every cell empty) are skipped."""
    _allow_long_csv_cells()
    oversized: list[int] = []
    reader = csv.reader(_csv_lines(stream, oversized), strict=True)
    keys = _csv_header(reader, oversized, kind, where)
    index = 0
    while True:
        start = reader.line_num + 1
        location = f"{where}:{start}"
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if reader.line_num <= start:  # the error stayed on one line: the next line starts a new row
                yield ReadProblem(index, location, "该行不是有效的 CSV", f"the row is not valid CSV ({exc})")
                index += 1
                continue
            # Inside a quoted cell running over several lines there is no telling where rows
            # start again: stop, rather than read the rest as rows of garbage.
            yield ReadProblem(
                index,
                location,
                "从此行起不是有效的 CSV（可能有未闭合的引号），其后的内容未读取",
                f"the CSV is malformed from this row on (an unclosed quote?); the rest was not read ({exc})",
            )
            return
        too_long = bool(oversized) and oversized[0] <= reader.line_num
        while oversized and oversized[0] <= reader.line_num:
            oversized.pop(0)
        cells: list[object] = [cell if cell.strip() else None for cell in row]
        if not too_long and all(cell is None for cell in cells):
            continue
        found: RecordOrProblem
        try:
            if too_long:
                raise _Unreadable(
                    f"该行超过 {MAX_LINE_CHARS} 个字符", f"the row is longer than {MAX_LINE_CHARS} characters"
                )
            if len(cells) < len(keys):  # spreadsheets write every column: a short row has lost or merged cells
                raise _Unreadable(
                    f"该行只有 {len(cells)} 个值，而表头有 {len(keys)} 列（值可能错位）",
                    f"the row has {len(cells)} value(s) but the header has {len(keys)} columns (values may be shifted)",
                )
            found = RawRecord(index, location, _row_fields(keys, cells))
        except _Unreadable as exc:
            found = ReadProblem(index, location, exc.zh, exc.en)
        yield found
        index += 1


# --- xlsx --------------------------------------------------------------------


@contextlib.contextmanager
def _open_workbook(path: Path, where: str) -> Iterator[Any]:
    """Open a workbook read-only, after the safety checks; the file is closed on leaving."""
    import openpyxl  # imported here: only xlsx input needs it

    if not openpyxl.DEFUSEDXML:
        raise RecordsFileError(
            f"{where}：未启用 defusedxml，出于安全原因不读取 xlsx",
            f"{where}: defusedxml is not active, so xlsx files are not read (XML bomb protection)",
        )
    try:
        with zipfile.ZipFile(path) as archive:
            declared = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise RecordsFileError(f"{where}：不是有效的 xlsx 文件", f"{where}: not a valid xlsx file") from exc
    if declared > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise RecordsFileError(f"{where}：xlsx 解压后过大", f"{where}: the xlsx file is too large when uncompressed")
    # openpyxl gets an open file rather than the path: when it fails half-way it leaves the
    # file it opened itself unclosed, and here the ``with`` closes it either way.
    with path.open("rb") as stream:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it does not read
                workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for malformed files
            raise RecordsFileError(
                f"{where}：xlsx 文件无法读取", f"{where}: the xlsx file cannot be read ({exc})"
            ) from exc
        try:
            yield workbook
        finally:
            workbook.close()


def _sheet_name(names: Sequence[str], kind: _Want) -> str | None:
    def named(wanted: frozenset[str]) -> str | None:
        return next((name for name in names if name.strip().lower() in wanted), None)

    teachers, schools = named(_TEACHER_SHEETS), named(_SCHOOL_SHEETS)
    if kind == "teacher":
        return teachers or next((name for name in names if name != schools), None)
    if kind == "school" or schools is not None:
        return schools
    return next((name for name in names if name != teachers), None)


def _xlsx_cell(value: object) -> object:
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, float):
        return Decimal(repr(value))  # shortest round-trip text: 17.9 stays 17.9
    return value


def _xlsx_rows(workbook: Any, kind: _Want, where: str) -> tuple[str, Iterator[tuple[object, ...]], list[str]] | None:
    sheet = _sheet_name(list(workbook.sheetnames), kind)
    if sheet is None:
        return None
    worksheet = workbook[sheet]
    worksheet.reset_dimensions()  # the stored dimension may be wrong; read every cell there is
    rows: Iterator[tuple[object, ...]] = worksheet.iter_rows(values_only=True)
    try:
        header = next(rows, ())
    except Exception as exc:  # XML errors surface lazily from openpyxl
        raise RecordsFileError(f"{where}：xlsx 文件无法读取", f"{where}: the xlsx file cannot be read ({exc})") from exc
    return sheet, rows, _header_keys(header, kind, f"{where}!{sheet}")


#: A formula cell with no computed value: what a program (not Excel) wrote and nobody opened since.
_UNCOMPUTED = re.compile(rb'<c r="([A-Z]{1,3}[0-9]+)"[^>]*>\s*<f\b[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>|</c>)')
_MAX_UNCOMPUTED = 100_000


@attrs.frozen
class UncomputedFormula:
    """An xlsx cell holding a formula without its computed value (openpyxl alone would read it as empty)."""

    cell: str


def _uncomputed_cells(path: Path, member: str, where: str) -> frozenset[str]:
    """The cells of a sheet whose formula has no computed value, read in chunks (bounded)."""
    found: set[str] = set()
    tail = b""
    with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            text = tail + chunk
            if b"<f" in text:
                found.update(m.group(1).decode("ascii") for m in _UNCOMPUTED.finditer(text))
            if len(found) > _MAX_UNCOMPUTED:
                raise RecordsFileError(
                    f"{where}：大量公式没有计算结果：请在 Excel 中打开并保存后再用",
                    f"{where}: many formulas have no computed value: open and save the file in Excel first",
                )
            tail = text[-4096:]  # a cell cut at the chunk's end is whole in the next round (found twice: a set)
    return frozenset(found)


def _iter_xlsx(path: Path, where: str, kind: _Want) -> Iterator[RecordOrProblem]:
    from openpyxl.utils import get_column_letter  # only xlsx input needs openpyxl

    with _open_workbook(path, where) as workbook:
        opened = _xlsx_rows(workbook, kind, where)
        if opened is None:
            return
        sheet, rows, keys = opened
        member = workbook[sheet]._worksheet_path  # openpyxl keeps the sheet's part name only here
        uncomputed = _uncomputed_cells(path, member, where)
        index = 0
        row_no = 1
        while True:
            try:
                row = next(rows, None)
            except Exception as exc:  # XML errors surface lazily from openpyxl
                raise RecordsFileError(
                    f"{where}：xlsx 文件无法读取", f"{where}: the xlsx file cannot be read ({exc})"
                ) from exc
            if row is None:
                return
            row_no += 1
            cells = [_xlsx_cell(value) for value in row]
            if uncomputed:  # an empty cell that holds a formula Excel never computed
                refs = [f"{get_column_letter(i + 1)}{row_no}" for i in range(len(cells))]
                cells = [
                    UncomputedFormula(r) if c is None and r in uncomputed else c
                    for c, r in zip(cells, refs, strict=True)
                ]
            if all(cell is None for cell in cells):
                continue
            location = f"{where}!{sheet}:{row_no}"
            found: RecordOrProblem
            try:
                found = RawRecord(index, location, _row_fields(keys, cells))
            except _Unreadable as exc:
                found = ReadProblem(index, location, exc.zh, exc.en)
            yield found
            index += 1


# --- files -------------------------------------------------------------------

Format: TypeAlias = Literal["json", "jsonl", "csv", "xlsx"]
_SUFFIXES: Final[Mapping[str, Format]] = {".json": "json", ".jsonl": "jsonl", ".csv": "csv", ".xlsx": "xlsx"}


def _source(path: str | os.PathLike[str]) -> tuple[Path, Format, str]:
    """Check that ``path`` is a readable file of a known kind; return it, its format and name."""
    file = Path(path)
    where = file.name
    if not file.exists():
        raise RecordsFileError(f"找不到文件：{file}", f"file not found: {file}")
    if file.is_dir():
        raise RecordsFileError(f"{file} 是目录，不是文件", f"{file} is a directory, not a file")
    if not file.is_file():
        raise RecordsFileError(f"{file} 不是普通文件", f"{file} is not a regular file")
    suffix = file.suffix.lower()
    if suffix == ".xls":
        raise RecordsFileError(
            f"{where}：不支持旧的 .xls 格式，请另存为 .xlsx",
            f"{where}: old .xls files are not supported; save as .xlsx",
        )
    if suffix not in _SUFFIXES:
        raise RecordsFileError(
            f"{where}：不支持的文件类型（支持 .json、.jsonl、.csv、.xlsx）",
            f"{where}: unsupported file type (use .json, .jsonl, .csv or .xlsx)",
        )
    return file, _SUFFIXES[suffix], where


def _check_utf8(file: Path, where: str) -> None:
    """Check in one streamed pass that the whole file is UTF-8, before any record is read."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    try:
        with file.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                pending = len(decoder.getstate()[0])
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    line += chunk.count(b"\n", 0, max(exc.start - pending, 0))
                    raise _not_utf8(where, line) from exc
                line += chunk.count(b"\n")
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as exc:
                raise _not_utf8(where, line) from exc
    except OSError as exc:
        raise _os_error(where, exc) from exc


def _not_utf8(where: str, line: int) -> RecordsFileError:
    return RecordsFileError(
        f"{where}：第 {line} 行不是 UTF-8 编码（从 Excel 另存时请选择“CSV UTF-8”）",
        f"{where}: line {line} is not UTF-8 (when saving from Excel choose 'CSV UTF-8')",
    )


def _os_error(where: str, exc: OSError) -> RecordsFileError:
    return RecordsFileError(
        f"{where}：无法读取文件（{exc.strerror}）", f"{where}: cannot read the file ({exc.strerror})"
    )


def _read_json_file(file: Path, where: str) -> tuple[object, bool]:
    try:
        if file.stat().st_size > MAX_JSON_FILE_BYTES:
            raise RecordsFileError(
                f"{where}：JSON 文件过大，请改用 .jsonl", f"{where}: the JSON file is too large; use .jsonl instead"
            )
        data = file.read_bytes()
    except OSError as exc:
        raise _os_error(where, exc) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_utf8(where, 1 + data.count(b"\n", 0, exc.start)) from exc
    return _json_document(text, where)


_StreamReader: TypeAlias = Callable[[IO[str], str, _Want], Iterator[RecordOrProblem]]


def _streamed(file: Path, where: str, reader: _StreamReader, kind: _Want) -> Iterator[RecordOrProblem]:
    """Open ``file`` as UTF-8 text and run ``reader`` over it, closing it at the end."""
    try:
        with file.open(encoding="utf-8-sig", newline="") as stream:
            yield from reader(stream, where, kind)
    except UnicodeDecodeError as exc:  # only if the file changed after the UTF-8 check
        raise _not_utf8(where, 0) from exc
    except OSError as exc:
        raise _os_error(where, exc) from exc


def _read(path: str | os.PathLike[str], kind: _Want) -> Iterator[RecordOrProblem]:
    file, fmt, where = _source(path)
    if fmt == "json":
        return _json_records(_read_json_file(file, where), kind, where)
    if fmt == "xlsx":
        # Check the workbook, sheet and header now, so whole-file problems raise at call time.
        with _open_workbook(file, where) as workbook:
            _xlsx_rows(workbook, kind, where)
        return _iter_xlsx(file, where, kind)
    _check_utf8(file, where)
    if fmt == "csv":
        try:
            with file.open(encoding="utf-8-sig", newline="") as stream:
                _allow_long_csv_cells()
                oversized: list[int] = []
                _csv_header(csv.reader(_csv_lines(stream, oversized), strict=True), oversized, kind, where)
        except OSError as exc:
            raise _os_error(where, exc) from exc
        return _streamed(file, where, _iter_csv, kind)
    return _streamed(file, where, _iter_jsonl, kind)


def read_records(path: str | os.PathLike[str]) -> Iterator[RecordOrProblem]:
    """Read the teacher records of a file, one at a time.

    The format follows the suffix: ``.json`` (an array of records, or an object with
    ``teachers`` and optionally ``schools``), ``.jsonl`` (one object per line, blank lines
    skipped, ``"kind": "school"`` lines are schools), ``.csv`` (UTF-8 with or without BOM,
    header row required, blank rows skipped) or ``.xlsx`` (the sheet named 教师/teachers,
    else the first sheet not named 学校/schools; header in row 1). Whole-file problems are
    raised by this call, before iteration starts; afterwards only a file changed meanwhile
    can raise. In xlsx, date cells come as naive datetimes (openpyxl applies the workbook's
    1900 or 1904 epoch), floats as ``Decimal(repr(f))`` and formulas as their cached value
    (None when the file was never calculated).

    Args:
        path: The records file.

    Returns:
        An iterator of one RawRecord or ReadProblem per teacher record, in file order.

    Raises:
        RecordsFileError: Missing file, directory, unknown suffix, not UTF-8, a missing,
            empty or duplicated header, or a JSON document of the wrong shape.
    """
    return _read(path, "teacher")


def read_schools(path: str | os.PathLike[str], *, separate: bool = False) -> list[RecordOrProblem]:
    """Read the school records of a file.

    By default only school records that are marked as such are read, so this is safe to
    call on a teacher records file: a ``.json`` object's ``schools`` array, the ``.jsonl``
    lines with ``"kind": "school"``, the ``.xlsx`` sheet named 学校/schools; a ``.json``
    array or a workbook without such a sheet gives none. With ``separate=True`` the file
    holds school records only: a ``.json`` array is all schools, ``.jsonl`` lines without
    ``kind`` are schools (and unreadable lines are reported as schools), and an ``.xlsx``
    without a 学校/schools sheet is read from its first sheet not named 教师/teachers. A
    ``.csv`` holds one table, so every row is a school record either way. Headers: 学校 /
    school → ``school``, every other ``X`` → ``facts.X``.

    Args:
        path: The file holding school records.
        separate: The file is a file of school records only.

    Returns:
        One RawRecord or ReadProblem per school record.

    Raises:
        RecordsFileError: As for :func:`read_records`.
    """
    return list(_read(path, "school file" if separate else "school"))


def read_records_text(
    text: str,
    fmt: Literal["json", "jsonl", "csv"],
    *,
    kind: Kind = "teacher",
    separate: bool = False,
    name: str = "<text>",
) -> Iterator[RecordOrProblem]:
    """Read records from a string, as :func:`read_records` or :func:`read_schools` reads a file.

    Args:
        text: The whole input; a leading BOM is ignored.
        fmt: ``json``, ``jsonl`` or ``csv``.
        kind: ``teacher`` or ``school`` records.
        separate: For school records: the text holds school records only (see :func:`read_schools`).
        name: The name used in locations.

    Returns:
        An iterator of one RawRecord or ReadProblem per record.

    Raises:
        RecordsFileError: The text as a whole cannot be read (bad JSON document, bad header).
    """
    text = text.removeprefix("\ufeff")
    want: _Want = "school file" if kind == "school" and separate else kind
    if fmt == "json":
        return _json_records(_json_document(text, name), want, name)
    if fmt == "csv":
        _allow_long_csv_cells()
        oversized: list[int] = []
        _csv_header(
            csv.reader(_csv_lines(io.StringIO(text, newline=""), oversized), strict=True), oversized, want, name
        )
        return _iter_csv(io.StringIO(text, newline=""), name, want)
    return _iter_jsonl(io.StringIO(text, newline=""), name, want)
