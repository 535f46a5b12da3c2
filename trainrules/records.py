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
import itertools
import json
import os
import re
import sys
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Final, Literal, TypeAlias

import attrs

from trainrules import limits
from trainrules.errors import BilingualError
from trainrules.limits import MAX_JSON_FILE_BYTES, MAX_JSON_RECORD_CHARS, MAX_LINE_CHARS, MAX_XLSX_UNCOMPRESSED_BYTES

__all__ = [
    "ITEM_FIELDS",
    "MAX_JSON_FILE_BYTES",
    "MAX_LINE_CHARS",
    "MAX_XLSX_UNCOMPRESSED_BYTES",
    "TEACHER_FIELDS",
    "EntriesIndex",
    "LocatedEntry",
    "RawRecord",
    "ReadProblem",
    "RecordOrProblem",
    "RecordStream",
    "RecordsFileError",
    "UncomputedFormula",
    "attach_entries",
    "column_key",
    "entries_from_dicts",
    "iter_records_from_dicts",
    "read_entries",
    "read_records",
    "read_records_text",
    "read_schools",
]

TEACHER_FIELDS: Final = ("id", "name", "school", "subject", "stage", "enrolled_at", "flags")
ITEM_FIELDS: Final = ("submitted_at", "score", "grade", "length")

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
_Want: TypeAlias = Literal["teacher", "school", "school file", "entries"]


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


class RecordStream(Iterator[RecordOrProblem]):
    """The records of one file, read one at a time.

    Attributes:
        sheet: The name of the xlsx sheet read (chosen by name, else the first visible
            sheet); None for other formats, or when an xlsx has no sheet of this kind.
        count: How many records there are, when known before reading (a .json document,
            checked whole first); else None.
        format: The file's format (``json``, ``jsonl``, ``csv``, ``xlsx``), None for text.
        sheets: The visible sheets of an xlsx (empty for other formats).
    """

    def __init__(
        self, records: Iterator[RecordOrProblem], sheet: str | None = None, *, count: int | None = None
    ) -> None:
        self._records = records
        self.sheet = sheet
        self.count = count
        #: The file's format (json, jsonl, csv, xlsx); None for records given as text.
        self.format: str | None = None
        #: For an xlsx: its visible sheets (where entries sheets named after lists are looked for).
        self.sheets: tuple[str, ...] = ()
        #: The file's size in bytes, when ``bytes_read`` can tell how far reading has come (.jsonl, .csv).
        self.size: int | None = None
        #: For a .csv or .xlsx: the header's columns as canonical keys (``facts.备注``), in order; else empty.
        self.columns: tuple[str, ...] = ()
        self._opened: list[IO[str]] = []

    def bytes_read(self) -> int | None:
        """How many bytes of the file reading has consumed so far (read-ahead included), for a progress bar;
        None where not known (.json, .xlsx, text)."""
        if not self._opened or self._opened[0].closed:
            return None
        try:
            raw = getattr(self._opened[0], "buffer", None)  # the binary file under the text one
            return int(raw.tell()) if raw is not None else None
        except (OSError, ValueError):  # a pipe, or a file closed meanwhile
            return None

    def __next__(self) -> RecordOrProblem:
        return next(self._records)

    def close(self) -> None:
        """Stop reading and close the file (as a generator's ``close``)."""
        close = getattr(self._records, "close", None)
        if close is not None:
            close()


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
    ``facts.X`` stays; any other ``X`` → ``facts.X``. For school (group) records ``学校`` /
    ``school`` → ``school``, ``kind`` and ``key`` stay (a group record's kind and key), and
    everything else is a fact. The header is stripped and a
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
        if text in ("kind", "key"):  # a group record: its kind (县) and key (金寨县)
            return text
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


#: Characters that print as nothing (zero-width spaces and joiners, BOMs, direction marks): in a
#: header they make ``编号`` a different name that looks the same.
_INVISIBLE_NAMES: Final = {
    "\u200b": "零宽空格",
    "\u200c": "零宽不连字",
    "\u200d": "零宽连字",
    "\u2060": "零宽不换行",
    "\ufeff": "字节顺序标记（零宽不换行空格）",
}


def _check_invisible(text: str, number: int, where: str) -> None:
    """Refuse a header holding a character that cannot be seen, naming its code point and the column."""
    for char in text:
        if char in _INVISIBLE_NAMES or unicodedata.category(char) == "Cf":
            code = f"U+{ord(char):04X}"
            name_en = unicodedata.name(char, "invisible character").lower()
            name_zh = _INVISIBLE_NAMES.get(char, "不可见字符")
            shown = text.replace(char, "")
            raise RecordsFileError(
                f"{where}：第 {number} 列表头“{shown}”中含有看不见的字符 {code}（{name_zh}）：请在表头中删去它",
                f"{where}: the header of column {number} ({shown!r}) holds the invisible character {code} "
                f"({name_en}): delete it from the header",
            )


def _one_cell(cells: Sequence[object]) -> bool:
    """Whether a row has exactly one non-empty cell (a title, or a row whose separator was not understood)."""
    return sum(1 for cell in cells if cell is not None and str(cell).strip()) == 1


def _check_title_row(first: Sequence[object], second: Sequence[object], kind: _Want, where: str) -> None:
    """Refuse a title above the header: row 1 has one cell, and row 2 holds the headers (编号 / 学校 ...)."""
    title = next(str(cell).strip() for cell in first if cell is not None and str(cell).strip())
    if kind == "entries":  # an entries file's header holds the teacher's id column
        keys, wanted = {str(cell).strip() for cell in second if isinstance(cell, str)}, set(_ENTRY_TEACHER_HEADERS)
        plain = title not in wanted
    else:
        wanted = {"id", "name"} if kind == "teacher" else {"school"}
        keys = {column_key(str(cell), school=kind != "teacher") for cell in second if isinstance(cell, str)}
        plain = column_key(title, school=kind != "teacher").startswith("facts.")  # no header word
    if keys & wanted and plain:
        raise RecordsFileError(
            f"{where}：表头第 1 行“{title[:40]}”看起来是标题，表头应在第 2 行？请删去标题行，让表头位于第 1 行",
            f"{where}: row 1 ({title[:40]!r}) looks like a title, and the header is in row 2? "
            "Delete the title row so that the header is row 1",
        )


_SEPARATORS: Final = {";": ("分号", "semicolon"), "\t": ("制表符", "tab")}


def _check_separator(texts: Sequence[str], where: str) -> None:
    """Refuse a CSV that is separated by semicolons or tabs (read as one column), saying so."""
    if len([t for t in texts if t]) != 1:
        return
    for separator, (zh, en) in _SEPARATORS.items():
        if len([part for part in texts[0].split(separator) if part.strip()]) >= 2:
            raise RecordsFileError(
                f"{where}：这是以{zh}分隔的文件（表头只读出一列“{texts[0][:40]}”）；"
                "请另存为以逗号分隔的 CSV（Excel 中选择“CSV UTF-8（逗号分隔）”）",
                f"{where}: this file is separated by {en}s (the header reads as one column, {texts[0][:40]!r}); "
                "save it as comma-separated CSV (in Excel: 'CSV UTF-8 (Comma delimited)')",
            )


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
        _check_invisible(text, number, where)
        key = text if kind == "entries" else column_key(text, school=kind != "teacher")
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

    def raw_decode(self, text: str, start: int) -> tuple[object, int, bool]:
        """Decode the one value that starts at ``text[start]``; return it, where it ends, and the trouble flag."""
        self.trouble = False
        value, end = self._decoder.raw_decode(text, start)
        escaped = "\\u" in text[start:end] and _SURROGATE_ESCAPE.search(text, start, end) is not None
        return value, end, self.trouble or escaped

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
        if isinstance(obj, _Oversized):
            raise _Unreadable(
                f"该记录有 {obj.chars} 个字符，超过上限 {MAX_JSON_RECORD_CHARS}：请检查这条记录",
                f"the record has {obj.chars} characters, over the limit of {MAX_JSON_RECORD_CHARS}: check it",
            )
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


_JSON_SPACE: Final = " \t\r\n"


@attrs.frozen
class _Oversized:
    """A record of a .json document longer than the largest record read (skipped, refused on its own)."""

    chars: int


class _JsonWalker:
    """Walk one JSON document from a text stream, decoding one record at a time.

    The document's frame (the top-level array, or the object with ``teachers`` and
    ``schools`` arrays) is walked here; each element, and each key, is decoded by the exact
    :class:`_Decoder`. Only a chunk of text and one record are in memory at a time, so a
    large .json costs no more memory than JSON Lines. Invalid JSON raises
    :class:`RecordsFileError` with its line and column.
    """

    def __init__(self, stream: IO[str], where: str) -> None:
        self._stream = stream
        self._where = where
        self._decoder = _Decoder()
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._line = 1  # line number at the start of self._buf
        self._line_start = 0  # offset in self._buf where that line starts (negative: it began earlier)

    # --- low level ---------------------------------------------------------------

    def _fill(self) -> bool:
        """Read another chunk, dropping the text already walked; False at the end of the stream."""
        if self._eof:
            return False
        chunk = self._stream.read(_CHUNK)
        if not chunk:  # nothing moves: offsets into the buffer stay valid
            self._eof = True
            return False
        dropped = self._buf[: self._pos]
        newlines = dropped.count("\n")
        if newlines:
            self._line += newlines
            self._line_start = dropped.rfind("\n") + 1 - self._pos
        else:
            self._line_start -= self._pos
        self._buf = self._buf[self._pos :] + chunk
        self._pos = 0
        return True

    def _error(self, at: int, message: str) -> RecordsFileError:
        line = self._line + self._buf.count("\n", 0, at)
        last = self._buf.rfind("\n", 0, at)
        column = at - (last + 1 if last >= 0 else self._line_start) + 1
        return RecordsFileError(
            f"{self._where}：不是有效的 JSON（第 {line} 行第 {column} 列）",
            f"{self._where}: not valid JSON ({message} at line {line} column {column})",
        )

    def _peek(self) -> str:
        """The next character after white space ("" at the end)."""
        while True:
            while self._pos < len(self._buf) and self._buf[self._pos] in _JSON_SPACE:
                self._pos += 1
            if self._pos < len(self._buf) or not self._fill():
                return self._buf[self._pos] if self._pos < len(self._buf) else ""

    def _take(self, char: str, message: str) -> None:
        if self._peek() != char:
            raise self._error(self._pos, message)
        self._pos += 1

    def value(self) -> tuple[object, bool]:
        """Decode the next value (and whether it holds duplicate keys or escaped surrogates)."""
        self._peek()
        while True:
            try:
                value, end, troubled = self._decoder.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                # Perhaps the value goes on in the next chunk; past the largest record, it is skipped
                # (when its brackets close) and refused on its own, or the document is broken.
                if len(self._buf) - self._pos <= MAX_JSON_RECORD_CHARS and self._fill():
                    continue
                if len(self._buf) - self._pos > MAX_JSON_RECORD_CHARS:
                    start = self._pos
                    size = self._skip_value()
                    if size is not None:
                        return _Oversized(size), False
                    raise self._error(start, exc.msg) from exc
                raise self._error(exc.pos, exc.msg) from exc
            except (ValueError, RecursionError) as exc:  # e.g. nesting deeper than Python's stack
                raise RecordsFileError(
                    f"{self._where}：不是有效的 JSON", f"{self._where}: not valid JSON ({exc})"
                ) from exc
            if end == len(self._buf) and self._fill():  # a number may go on in the next chunk ("12" "34")
                continue
            self._pos = end
            return value, troubled

    def _skip_value(self) -> int | None:
        """Walk over the object, array or string that starts here without decoding it (bounded memory).

        Returns its length in characters, or None when the document ends before it closes.
        """
        opening = self._buf[self._pos]
        if opening not in '{["':
            return None
        depth, in_string, escaped, size = 0, False, False, 0
        while True:
            buf, i = self._buf, self._pos
            while i < len(buf):
                ch = buf[i]
                i += 1
                if in_string:
                    if escaped:
                        escaped = False
                    elif ch == "\\":
                        escaped = True
                    elif ch == '"':
                        in_string = False
                        if depth == 0:  # a lone string value ends here
                            size += i - self._pos
                            self._pos = i
                            return size
                elif ch == '"':
                    in_string = True
                elif ch in "{[":
                    depth += 1
                elif ch in "}]":
                    depth -= 1
                    if depth == 0:
                        size += i - self._pos
                        self._pos = i
                        return size
            size += i - self._pos
            self._pos = i
            if not self._fill():
                return None

    def array(self, name: str) -> Iterator[tuple[object, bool]]:
        """The elements of the array that starts here."""
        if self._peek() != "[":
            raise RecordsFileError(f"{self._where}：{name} 必须是数组", f"{self._where}: '{name}' must be an array")
        self._pos += 1
        if self._peek() == "]":
            self._pos += 1
            return
        while True:
            yield self.value()
            following = self._peek()
            self._pos += 1
            if following == "]":
                return
            if following != ",":
                raise self._error(self._pos - 1, "Expecting ',' delimiter")

    def end(self) -> None:
        if self._peek():
            raise self._error(self._pos, "Extra data")

    # --- the document ------------------------------------------------------------------

    def records(self, kind: _Want) -> Iterator[tuple[object, bool, str]]:
        """Every element of the wanted part, with its trouble flag and location; the rest is checked and skipped."""
        where = self._where
        first = self._peek()
        if first == "[":  # an array is all teachers, or all schools in a file of schools
            for index, (obj, troubled) in enumerate(self.array("")):
                if kind != "school":
                    yield obj, troubled, f"{where}#/{index}"
            self.end()
            return
        if first != "{" or kind == "entries":
            if first == "":
                raise self._error(self._pos, "Expecting value")
            if kind == "entries":
                raise RecordsFileError(
                    f'{where}：条目文件必须是条目数组（[{{"教师编号": …, …}}, …]）',
                    f'{where}: an entries JSON file must be an array of entries ([{{"教师编号": …, …}}, …])',
                )
            raise RecordsFileError(
                f"{where}：JSON 文件必须是记录数组，或含 teachers 的对象",
                f"{where}: a JSON file must be an array of records or an object with 'teachers'",
            )
        self._pos += 1
        wanted = ("teachers",) if kind == "teacher" else ("schools", "groups")  # groups: records of any group kind
        seen: set[str] = set()
        if self._peek() == "}":
            self._pos += 1
        else:
            while True:
                if self._peek() != '"':
                    raise self._error(self._pos, "Expecting property name enclosed in double quotes")
                key = str(self.value()[0])  # a JSON string: it decodes to str
                if key not in ("teachers", "schools", "groups"):
                    raise RecordsFileError(
                        f"{where}：未知的顶层键 ['{key}']（只允许 teachers、schools、groups）",
                        f"{where}: unknown top-level keys ['{key}'] (only 'teachers', 'schools' and 'groups')",
                    )
                if key in seen:
                    raise RecordsFileError(
                        f"{where}：顶层键重复：('{key}',)", f"{where}: duplicate top-level keys: ('{key}',)"
                    )
                seen.add(key)
                self._take(":", "Expecting ':' delimiter")
                for index, (obj, troubled) in enumerate(self.array(key)):
                    if key in wanted:
                        yield obj, troubled, f"{where}#/{key}/{index}"
                following = self._peek()
                self._pos += 1
                if following == "}":
                    break
                if following != ",":
                    raise self._error(self._pos - 1, "Expecting ',' delimiter")
        self.end()
        if kind == "teacher" and "teachers" not in seen:
            raise RecordsFileError(f"{where}：缺少 teachers 数组", f"{where}: the 'teachers' array is missing")


def _json_records(open_text: Callable[[], IO[str]], kind: _Want, where: str) -> RecordStream:
    """Check the whole document now (raising RecordsFileError), then read its records one at a time.

    Both passes stream: the first decodes each record and drops it (counting them), so that a
    broken end of the file is refused before the first record is used, as for every format.
    """
    count = 0
    with open_text() as stream:
        for _ in _JsonWalker(stream, where).records(kind):
            count += 1

    def read() -> Iterator[RecordOrProblem]:
        with open_text() as stream:
            for index, (obj, troubled, location) in enumerate(_JsonWalker(stream, where).records(kind)):
                yield _record(obj, index, location, troubled=troubled)

    return RecordStream(read(), count=count)


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
    wanted: Kind = "teacher" if kind in ("teacher", "entries") else "school"
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
        if line_kind is not None and (not isinstance(line_kind, str) or not line_kind.strip()):
            if wanted == default:
                yield problem(
                    f"kind 必须是 teacher、school 或组的类别（如 县），而不是 {line_kind!r}",
                    f"kind must be 'teacher', 'school' or a group's kind (such as 县), not {line_kind!r}",
                )
            continue
        # Any other kind (县, 市, …) is a group record: read with the schools, keeping its kind.
        if (default if line_kind is None else "teacher" if line_kind == "teacher" else "school") != wanted:
            continue
        if troubled and isinstance(obj, Mapping):
            try:
                _check_json_values(obj)  # before dropping "kind": the copy forgets duplicates
            except _Unreadable as exc:
                yield problem(exc.zh, exc.en)
                continue
        if isinstance(obj, Mapping) and obj.get("kind") in ("teacher", "school"):
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


def _csv_header(
    reader: Iterator[list[str]], oversized: list[int], kind: _Want, where: str, *, first_pass: bool = False
) -> list[str]:
    """Read the header row. On the first pass (which only checks) also look for a semicolon- or
    tab-separated file and a title row above the header, peeking at row 2."""
    try:
        header = next(reader, None)
        if oversized:
            raise RecordsFileError(f"{where}：表头行过长", f"{where}: the header row is too long")
        if first_pass and header:
            _check_separator(header, where)
            second = next(reader, None) if _one_cell(header) else None
            if second:
                _check_title_row(header, second, kind, where)
    except csv.Error as exc:
        raise RecordsFileError(f"{where}：表头行无法读取", f"{where}: the header row cannot be read ({exc})") from exc
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


#: What zipfile raises for a broken archive: a bad name's encoding (UnicodeDecodeError is a
#: ValueError), a truncated or corrupt member, an unsupported compression method.
_ZIP_ERRORS: Final = (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, zlib.error)

#: The parts of an xlsx that openpyxl's read-only mode streams: the worksheets.
_STREAMED_PART: Final = re.compile(r"xl/worksheets/[^/]+\.xml")


def _has_huge_text(path: Path, member: str, limit: int) -> bool:
    """Whether the XML part ``member`` holds a run of more than ``limit`` bytes without markup."""
    run = 0
    try:
        with zipfile.ZipFile(path) as archive, archive.open(member) as part:
            while chunk := part.read(1 << 20):
                pieces = chunk.split(b"<")
                if len(pieces) == 1:
                    run += len(chunk)
                else:
                    if run + len(pieces[0]) > limit or max(map(len, pieces[1:-1]), default=0) > limit:
                        return True
                    run = len(pieces[-1])
                if run > limit:
                    return True
    except _ZIP_ERRORS:
        return False  # a broken part is openpyxl's to refuse, with its own message
    return False


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
            parts = archive.infolist()
    except _ZIP_ERRORS as exc:
        raise RecordsFileError(f"{where}：不是有效的 xlsx 文件", f"{where}: not a valid xlsx file") from exc
    declared = sum(info.file_size for info in parts)
    if declared > limits.MAX_XLSX_UNCOMPRESSED_BYTES:
        most = limits.MAX_XLSX_UNCOMPRESSED_BYTES >> 20
        raise RecordsFileError(
            f"{where}：xlsx 解压后过大（超过 {most} MiB）：请另存为 CSV",
            f"{where}: the xlsx file is too large when uncompressed (over {most} MiB): save it as CSV",
        )
    # Worksheets are streamed; every other part (the shared strings above all) is parsed whole into memory.
    whole = sum(info.file_size for info in parts if not _STREAMED_PART.fullmatch(info.filename))
    if whole > limits.MAX_XLSX_WHOLE_PARTS_BYTES:
        most = limits.MAX_XLSX_WHOLE_PARTS_BYTES >> 20
        raise RecordsFileError(
            f"{where}：xlsx 中须整体读入的部分（共享字符串表、样式等）解压后超过 {most} MiB：请另存为 CSV",
            f"{where}: the parts of the xlsx that are read whole (the shared strings, styles ...) "
            f"exceed {most} MiB uncompressed: save it as CSV",
        )
    # A streamed worksheet is still parsed one XML text node at a time: one huge cell (a 450 MiB
    # inline string in a 464 KB file) would be held whole, several times over. Large sheets are
    # scanned for such a node first (cheap beside parsing them), and refused.
    for info in parts:
        limit = limits.MAX_XLSX_CELL_BYTES
        if (
            _STREAMED_PART.fullmatch(info.filename)
            and info.file_size > limit
            and _has_huge_text(path, info.filename, limit)
        ):
            size = f"{limit / (1 << 20):g}"
            raise RecordsFileError(
                f"{where}：工作表（{info.filename}）中有超过 {size} MiB 的单元格：请检查该文件，或另存为 CSV",
                f"{where}: a worksheet ({info.filename}) holds a cell over {size} MiB: check the file, "
                "or save it as CSV",
            )
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


def _sheet_name(names: Sequence[str], kind: _Want, skip: Collection[str] = ()) -> str | None:
    """The sheet to read among the visible worksheets ``names``: by name, else the first that fits.

    Sheets named in ``skip`` (the plan's lists, read as entries) are never read as teachers or schools.
    """
    names = [name for name in names if name.strip() not in skip]

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


def _visible_sheets(workbook: Any) -> list[str]:
    """The names of the worksheets a clerk can see: hidden and very hidden sheets (often stale) are never read."""
    return [ws.title for ws in workbook.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]


def _xlsx_rows(
    workbook: Any, kind: _Want, where: str, sheet_wanted: str | Collection[str] = ()
) -> tuple[str, Iterator[tuple[object, ...]], list[str]] | None:
    """Open the sheet to read: for entries the one named ``sheet_wanted``, else chosen by kind, skipping those named."""
    visible = _visible_sheets(workbook)
    if isinstance(sheet_wanted, str):
        sheet = next((name for name in visible if name.strip() == sheet_wanted), None)
        if sheet is None:
            shown = "、".join(visible)
            raise RecordsFileError(
                f"{where}：没有名为“{sheet_wanted}”的可见工作表（可见的工作表：{shown}）",
                f"{where}: the workbook has no visible sheet named '{sheet_wanted}' (visible sheets: {shown})",
            )
    else:
        sheet = _sheet_name(visible, kind, sheet_wanted)
    if sheet is None:
        if kind == "teacher":
            raise RecordsFileError(
                f"{where}：没有可见的工作表（隐藏的工作表不读取）",
                f"{where}: the workbook has no visible sheet (hidden sheets are not read)",
            )
        return None
    worksheet = workbook[sheet]
    worksheet.reset_dimensions()  # the stored dimension may be wrong; read every cell there is
    rows: Iterator[tuple[object, ...]] = worksheet.iter_rows(values_only=True)
    try:
        header = next(rows, ())
        second = next(rows, None) if _one_cell(header) else None
    except Exception as exc:  # XML errors surface lazily from openpyxl
        raise RecordsFileError(f"{where}：xlsx 文件无法读取", f"{where}: the xlsx file cannot be read ({exc})") from exc
    if second is not None:
        _check_title_row(header, second, kind, f"{where}!{sheet}")
        rows = itertools.chain([second], rows)
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
    try:
        return _uncomputed_in(path, member, where)
    except _ZIP_ERRORS as exc:
        raise RecordsFileError(f"{where}：xlsx 文件无法读取", f"{where}: the xlsx file cannot be read ({exc})") from exc


def _uncomputed_in(path: Path, member: str, where: str) -> frozenset[str]:
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


def _iter_xlsx(
    path: Path, where: str, kind: _Want, sheet_wanted: str | Collection[str] = ()
) -> Iterator[RecordOrProblem]:
    from openpyxl.utils import get_column_letter  # only xlsx input needs openpyxl

    with _open_workbook(path, where) as workbook:
        opened = _xlsx_rows(workbook, kind, where, sheet_wanted)
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


def _json_file(file: Path, where: str, kind: _Want) -> RecordStream:
    try:
        if file.stat().st_size > limits.MAX_JSON_FILE_BYTES:
            most = limits.MAX_JSON_FILE_BYTES >> 20
            raise RecordsFileError(
                f"{where}：JSON 文件过大（超过 {most} MiB），请改用 .jsonl",
                f"{where}: the JSON file is too large (over {most} MiB); use .jsonl instead",
            )
    except OSError as exc:
        raise _os_error(where, exc) from exc
    _check_utf8(file, where)

    def open_text() -> IO[str]:
        try:
            return file.open(encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise _os_error(where, exc) from exc

    return _json_records(open_text, kind, where)


_StreamReader: TypeAlias = Callable[[IO[str], str, _Want], Iterator[RecordOrProblem]]


def _streamed(
    file: Path, where: str, reader: _StreamReader, kind: _Want, opened: list[IO[str]] | None = None
) -> Iterator[RecordOrProblem]:
    """Open ``file`` as UTF-8 text and run ``reader`` over it, closing it at the end (``opened`` gets the file)."""
    try:
        with file.open(encoding="utf-8-sig", newline="") as stream:
            if opened is not None:
                opened.append(stream)
            yield from reader(stream, where, kind)
    except UnicodeDecodeError as exc:  # only if the file changed after the UTF-8 check
        raise _not_utf8(where, 0) from exc
    except OSError as exc:
        raise _os_error(where, exc) from exc


def _read(path: str | os.PathLike[str], kind: _Want, sheet_wanted: str | Collection[str] = ()) -> RecordStream:
    file, fmt, where = _source(path)
    if fmt == "json":
        stream = _json_file(file, where, kind)
        stream.format = fmt
        return stream
    if fmt == "xlsx":
        # Check the workbook, sheet and header now, so whole-file problems raise at call time.
        with _open_workbook(file, where) as workbook:
            opened = _xlsx_rows(workbook, kind, where, sheet_wanted)
            sheets = tuple(_visible_sheets(workbook))
        stream = RecordStream(_iter_xlsx(file, where, kind, sheet_wanted), opened[0] if opened else None)
        stream.format = fmt
        stream.sheets = sheets
        stream.columns = tuple(opened[2]) if opened else ()
        return stream
    _check_utf8(file, where)
    if fmt == "csv":
        try:
            with file.open(encoding="utf-8-sig", newline="") as text:
                _allow_long_csv_cells()
                oversized: list[int] = []
                columns = _csv_header(
                    csv.reader(_csv_lines(text, oversized), strict=True), oversized, kind, where, first_pass=True
                )
        except OSError as exc:
            raise _os_error(where, exc) from exc
        handles: list[IO[str]] = []
        stream = RecordStream(_streamed(file, where, _iter_csv, kind, handles))
        stream.columns = tuple(columns)
    else:
        handles = []
        stream = RecordStream(_streamed(file, where, _iter_jsonl, kind, handles))
    stream.format = fmt
    stream._opened = handles
    try:
        stream.size = file.stat().st_size
    except OSError:  # only for the progress bar: without a size it counts records
        stream.size = None
    return stream


def read_records(path: str | os.PathLike[str], *, lists: Collection[str] = ()) -> RecordStream:
    """Read the teacher records of a file, one at a time.

    The format follows the suffix: ``.json`` (an array of records, or an object with
    ``teachers`` and optionally ``schools``), ``.jsonl`` (one object per line, blank lines
    skipped, ``"kind": "school"`` lines are schools), ``.csv`` (UTF-8 with or without BOM,
    header row required, blank rows skipped) or ``.xlsx`` (the visible sheet named
    教师/teachers, else the first visible sheet not named 学校/schools; hidden sheets are
    never read; header in row 1; ``.sheet`` of the result names it). Whole-file problems are
    raised by this call, before iteration starts; afterwards only a file changed meanwhile
    can raise. In xlsx, date cells come as naive datetimes (openpyxl applies the workbook's
    1900 or 1904 epoch), floats as ``Decimal(repr(f))`` and formulas as their cached value
    (None when the file was never calculated).

    Args:
        path: The records file.
        lists: The plan's list names: an xlsx sheet so named holds entries (:func:`read_entries`)
            and is never read as teachers.

    Returns:
        An iterator of one RawRecord or ReadProblem per teacher record, in file order.

    Raises:
        RecordsFileError: Missing file, directory, unknown suffix, not UTF-8, a missing,
            empty, duplicated or invisible-character header, a title row above the header,
            a CSV separated by semicolons or tabs, an xlsx without a visible sheet, or a
            JSON document of the wrong shape.
    """
    return _read(path, "teacher", tuple(lists))


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
        return _json_records(lambda: io.StringIO(text, newline=""), want, name)
    if fmt == "csv":
        _allow_long_csv_cells()
        oversized: list[int] = []
        _csv_header(
            csv.reader(_csv_lines(io.StringIO(text, newline=""), oversized), strict=True),
            oversized,
            want,
            name,
            first_pass=True,
        )
        return _iter_csv(io.StringIO(text, newline=""), name, want)
    return _iter_jsonl(io.StringIO(text, newline=""), name, want)


# --- entries in long format --------------------------------------------------

#: Headers naming the teacher an entry belongs to, by preference: 教师编号 first, so that a list may
#: have a field of its own called 编号 (then the teacher's column must be headed 教师编号).
_ENTRY_TEACHER_HEADERS: Final = ("教师编号", "teacher_id", "编号", "id")
#: A location ending in a row number: ``events.csv:14``, ``book.xlsx!培训记录:7``, ``events.json#/3``.
_ROW_NUMBER: Final = re.compile(r"(.*\D)([1-9][0-9]{0,11}|0)")
#: How many unreadable rows an entries file's refusal names (the rest are counted).
_BAD_ROWS_SHOWN: Final = 5


class LocatedEntry(dict[str, object]):
    """One entry of a list read from a long-format file: its fields by name, and where it was read.

    ``location`` (``events.csv:14``, ``roster.xlsx!培训记录:7``) is shown with the entry in errors and
    explanations (``第 2 条（events.csv:14）``).
    """

    def __init__(self, fields: Mapping[str, object], location: str) -> None:
        super().__init__(fields)
        self.location = location


class EntriesIndex:
    """One list's entries in long format, grouped by teacher id in input order; each teacher's are taken once.

    Memory: each entry is kept as one tuple of its cells (its row number first), equal texts shared;
    about 230 bytes per entry of five short fields (benchmarks/README.md), capped by
    ``limits.MAX_ENTRY_ROWS`` rows per file. A teacher's entries are released when taken.

    Attributes:
        list_name: The list the entries belong to (培训记录).
        source: Where they were read (``events.csv``, ``roster.xlsx!培训记录``, ``input``).
        count: How many entries were read.
    """

    def __init__(self, list_name: str, source: str, columns: Sequence[str] | None = None) -> None:
        self.list_name = list_name
        self.source = source
        self.count = 0
        self._columns = tuple(columns) if columns is not None else None
        self._by_teacher: dict[str, list[tuple[object, ...]]] = {}
        self._prefix: str | None = None  # locations are this prefix and a row number, kept as an int

    def _place(self, location: str) -> object:
        """The location, as its row number when it has the index's prefix (``events.csv:`` + 14): less memory."""
        found = _ROW_NUMBER.fullmatch(location)
        if found is None:
            return location
        if self._prefix is None:
            self._prefix = found.group(1)
        return int(found.group(2)) if found.group(1) == self._prefix else location

    def _location(self, place: object) -> str:
        return place if isinstance(place, str) else f"{self._prefix}{place}"

    def add(self, teacher_id: str, location: str, fields: Mapping[str, object]) -> None:
        """Add one entry of the teacher ``teacher_id`` (after those added before)."""
        if self.count >= limits.MAX_ENTRY_ROWS:
            raise RecordsFileError(
                f"{self.source}：条目超过 {limits.MAX_ENTRY_ROWS} 行的上限：请按学校或县拆分后分别运行",
                f"{self.source}: more than {limits.MAX_ENTRY_ROWS} entry rows: split the run by school or county",
            )
        row: tuple[object, ...]
        place = self._place(location)
        if self._columns is None:
            row = (place, dict(fields))
        else:
            row = (place, *(_shared(fields.get(name)) for name in self._columns))
        self._by_teacher.setdefault(teacher_id, []).append(row)
        self.count += 1

    def take(self, teacher_id: str) -> tuple[LocatedEntry, ...]:
        """The teacher's entries in input order, removed from the index (a second call gives none)."""
        rows = self._by_teacher.pop(teacher_id, None)
        if not rows:
            return ()
        columns = self._columns
        if columns is None:
            return tuple(LocatedEntry(row[1], self._location(row[0])) for row in rows)  # type: ignore[arg-type]  # (location, dict) rows
        return tuple(LocatedEntry(dict(zip(columns, row[1:], strict=True)), self._location(row[0])) for row in rows)

    def orphans(self) -> list[tuple[str, tuple[str, ...]]]:
        """The entries no teacher took: each teacher id with its entries' locations, in input order."""
        return [(tid, tuple(self._location(row[0]) for row in rows)) for tid, rows in self._by_teacher.items()]


def _shared(value: object) -> object:
    """One copy of equal texts (类别 集中 on every row), so that a large index costs less memory."""
    return sys.intern(value) if type(value) is str else value


def _entry_teacher(fields: Mapping[str, object]) -> tuple[str | None, str | None]:
    """The header holding an entry's teacher id, and the id (None when absent or not usable text)."""
    from trainrules.values import ValueProblem, parse_text  # values does not import records: no cycle

    header = next((h for h in _ENTRY_TEACHER_HEADERS if h in fields), None)
    if header is None or fields[header] is None:
        return header, None
    try:
        return header, parse_text(fields[header]) or None
    except ValueProblem:
        return header, None


def read_entries(path: str | os.PathLike[str], list_name: str, *, fields: Sequence[str] | None = None) -> EntriesIndex:
    """Read one list's entries from a long-format file: one row (or JSON object) per entry.

    Each row names its teacher in a column headed 教师编号 (or ``teacher_id``; else 编号 or ``id``) and
    holds the entry's fields under headers that are the list's field names (记录号, 日期, 学时 …);
    other columns are ignored. ``.csv`` (UTF-8, with or without BOM), ``.xlsx`` (the visible sheet
    named after the list, e.g. 培训记录 — it may be the teachers' own workbook), ``.jsonl`` (one entry
    object per line) or ``.json`` (an array of entry objects). The whole file is read now, into an
    index by teacher id, keeping each entry's location.

    Args:
        path: The entries file.
        list_name: The list the entries belong to (the xlsx sheet's name).
        fields: Keep only these fields of each entry (the list's declared fields): less memory.

    Returns:
        The index; take a teacher's entries with :meth:`EntriesIndex.take`, or attach them to records
        with :func:`attach_entries`.

    Raises:
        RecordsFileError: As for :func:`read_records`; also a missing sheet, no teacher id column,
            more than ``MAX_ENTRY_ROWS`` rows, and rows that cannot be read or have no teacher id
            (their teacher is unknown, and scoring everyone without them could silently lower
            someone's hours: the run is refused, naming the rows).
    """
    stream = _read(path, "entries", list_name)
    where = Path(path).name
    index = EntriesIndex(list_name, f"{where}!{stream.sheet}" if stream.sheet else where, fields)
    bad: list[tuple[str, str, str]] = []
    count_bad = 0
    try:
        for record in stream:
            if isinstance(record, ReadProblem):
                count_bad += 1
                if len(bad) < _BAD_ROWS_SHOWN:
                    bad.append((record.location, record.message_zh, record.message_en))
                continue
            header, teacher = _entry_teacher(record.fields)
            if header is None and stream.format in ("csv", "xlsx"):
                raise RecordsFileError(
                    f"{index.source}：没有教师编号列（表头应为 教师编号、编号 或 id）",
                    f"{index.source}: no teacher id column (head it 教师编号, 编号 or id)",
                )
            if teacher is None:
                count_bad += 1
                if len(bad) < _BAD_ROWS_SHOWN:
                    bad.append((record.location, "缺少教师编号", "the teacher id is missing"))
                continue
            index.add(teacher, record.location, {k: v for k, v in record.fields.items() if k != header})
    finally:
        stream.close()
    if count_bad:
        shown_zh = "；".join(f"{loc} {zh}" for loc, zh, _ in bad)
        shown_en = "; ".join(f"{loc} {en}" for loc, _, en in bad)
        more = count_bad - len(bad)
        raise RecordsFileError(
            f"{index.source}：{count_bad} 行条目无法读取或缺少教师编号，无法交给所属教师（未评分，以免少计）："
            f"{shown_zh}{f'；另 {more} 行' if more else ''}。请修正这些行",
            f"{index.source}: {count_bad} entry row(s) cannot be read or have no teacher id, so they cannot be "
            f"given to their teacher (nothing was scored, lest someone be short): "
            f"{shown_en}{f'; and {more} more' if more else ''}. Fix these rows",
        )
    return index


def entries_from_dicts(
    list_name: str, rows: Iterable[Mapping[str, object]], *, fields: Sequence[str] | None = None
) -> EntriesIndex:
    """Index in-memory entries in long format, as :func:`read_entries` indexes a file.

    Each row is one entry: the teacher's id under 教师编号 (or 编号 / ``id``) and the entry's fields.
    Locations read ``entries[培训记录][i]`` (0-based).

    Raises:
        RecordsFileError: A row is not a mapping or has no teacher id.
    """
    index = EntriesIndex(list_name, f"entries[{list_name}]", fields)
    for i, row in enumerate(rows):
        location = f"entries[{list_name}][{i}]"
        if not isinstance(row, Mapping):
            raise RecordsFileError(f"{location}：条目应为对象", f"{location}: an entry must be a mapping")
        header, teacher = _entry_teacher(row)
        if teacher is None:
            raise RecordsFileError(
                f"{location}：缺少教师编号（教师编号、编号 或 id）",
                f"{location}: the teacher id (教师编号, 编号 or id) is missing",
            )
        index.add(teacher, location, {k: v for k, v in row.items() if k != header})
    return index


def attach_entries(records: Iterable[RecordOrProblem], indexes: Sequence[EntriesIndex]) -> Iterator[RecordOrProblem]:
    """Give each teacher record its entries from long-format indexes, under ``lists.<名称>``, in input order.

    A record that holds the same list nested as well becomes a ReadProblem (two sources for one
    list). Entries whose teacher id no record has stay in the indexes: report them with
    :meth:`EntriesIndex.orphans` once the records are used up.
    """
    from trainrules.values import ValueProblem, parse_text  # values does not import records: no cycle

    for record in records:
        if isinstance(record, RawRecord) and indexes:
            try:
                raw_id = record.fields.get("id")
                teacher = parse_text(raw_id) if raw_id is not None else None
            except ValueProblem:
                teacher = None
            added: dict[str, object] = {}
            for index in indexes if teacher else ():
                found = index.take(str(teacher))
                if not found:
                    continue
                name = index.list_name
                if any(record.fields.get(key) not in (None, "") for key in (f"lists.{name}", name)):
                    record = ReadProblem(
                        record.index,
                        record.location,
                        f"编号 {teacher} 的“{name}”既在记录中给出，又在 {index.source} 中给出：只能给一处",
                        f"the '{name}' of {teacher} is given both in the record and in {index.source}: give it once",
                    )
                    break
                added[f"lists.{name}"] = found
            if added and isinstance(record, RawRecord):
                record = attrs.evolve(record, fields={**record.fields, **added})
        yield record
