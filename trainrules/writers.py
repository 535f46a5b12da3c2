"""Writers: result rows out to JSON, JSON Lines, CSV and xlsx files, streamed and replaced atomically.

A writer writes into a temporary file in the target's directory; when its ``with`` block
ends without an exception the file is flushed, fsynced and ``os.replace``-d onto the
target, otherwise it is removed and the target is left untouched.

Rows are JSON-ready nested mappings (str, int, bool, None, Decimal, list, tuple, dict;
datetimes and dates are written as ISO 8601 text). Decimals are written without exponent
(``format(d, "f")``, so ``Decimal("70.00")`` is ``70.00``) and ``-0`` as ``0``:

* JSON and JSON Lines write every Decimal as a JSON **string** (``"70.00"``), which keeps
  it exact in every JSON consumer; non-ASCII text is written as UTF-8, not ``\\u`` escapes.
  JSON is one array written incrementally. (The JSON writers do not police floats: orjson
  writes them as numbers. Rows from trainrules never contain floats.)
* CSV (UTF-8 with BOM, for Excel) and xlsx (sheet ``结果``) take a ``columns`` list;
  nested rows are flattened with dotted keys (``items.作业一.points``), keys not in
  ``columns`` are left out and missing ones are empty; lists are joined with ``;``. Any
  text cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading ``'`` so no
  spreadsheet runs it as a formula (OWASP CSV injection); numbers are never changed.
  In xlsx, Decimals and ints are numeric cells so clerks can sum them (Excel holds 15
  significant digits); control characters that xlsx cannot hold become U+FFFD.

JSON, JSON Lines and CSV stream in constant memory; the xlsx writer holds the workbook
(openpyxl's write-only mode) until it is closed.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import io
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Final, Literal, Self, TypeAlias

import orjson

from trainrules.errors import BilingualError
from trainrules.values import decimal_text

__all__ = ["OutputError", "OutputFormat", "ResultWriter", "flatten_row", "open_writer"]

OutputFormat: TypeAlias = Literal["json", "jsonl", "csv", "xlsx"]
_SUFFIXES: Final[Mapping[str, OutputFormat]] = {".json": "json", ".jsonl": "jsonl", ".csv": "csv", ".xlsx": "xlsx"}
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
_SHEET_TITLE: Final = "结果"
# The control characters an xlsx (XML 1.0) cell cannot hold; the same set openpyxl refuses.
_XLSX_ILLEGAL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class OutputError(BilingualError):
    """An output cannot be written as asked."""


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise OutputError(f"不能写出非有限数 {value}", f"cannot write the non-finite number {value}")
    return decimal_text(value)


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, _dt.date):  # also datetime and pendulum's subclasses, which orjson refuses
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _neutralize(text: str) -> str:
    """Prefix a text cell that a spreadsheet would run as a formula with ``'``."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def flatten_row(row: Mapping[str, object]) -> dict[str, object]:
    """Flatten nested mappings into dotted keys (``{"items": {"a": {"points": 1}}}`` → ``items.a.points``).

    Args:
        row: A JSON-ready nested row.

    Returns:
        The flat row; lists and other values are left as they are.

    Raises:
        OutputError: Two paths flatten to the same key, or a key is not text.
    """
    flat: dict[str, object] = {}
    stack: list[tuple[str, Mapping[Any, object]]] = [("", row)]
    while stack:
        prefix, mapping = stack.pop()
        for key, value in mapping.items():
            if not isinstance(key, str | int) or isinstance(key, bool):
                raise OutputError(f"键必须是文本：{key!r}", f"keys must be text: {key!r}")
            name = f"{prefix}{key}"
            if isinstance(value, Mapping):
                stack.append((f"{name}.", value))
            elif name in flat:
                raise OutputError(f"列 {name} 出现了两次", f"column {name} occurs twice")
            else:
                flat[name] = value
    return flat


def _cell_text(value: object) -> str:
    """Text of one flat value for a CSV cell (before neutralization)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, str):
        return value
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(_cell_text(item) for item in value)
    raise OutputError(
        f"无法写出类型为 {type(value).__name__} 的值", f"cannot write a value of type {type(value).__name__}"
    )


def _csv_cell(value: object) -> str:
    text = _cell_text(value)
    if isinstance(value, str | list | tuple):
        return _neutralize(text)
    return text


def _xlsx_cell(value: object) -> object:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Decimal):
        _decimal_text(value)  # rejects NaN and infinities
        return value.copy_abs() if value.is_zero() else value
    text = _XLSX_ILLEGAL.sub("\ufffd", _cell_text(value))
    return text if isinstance(value, _dt.date) else _neutralize(text)


class ResultWriter:
    """Write result rows to one file atomically; use :func:`open_writer` and ``with``.

    Rows go to a temporary file in the target's directory. :meth:`close` (a ``with``
    block ending normally) makes it the target; :meth:`abort` (a ``with`` block ending
    with an exception) removes it and leaves the target as it was.
    """

    def __init__(self, path: Path, columns: Sequence[str] | None) -> None:
        self.path = path
        self.columns: tuple[str, ...] = tuple(columns) if columns is not None else ()
        self._temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        self._open = True
        try:
            # O_EXCL: never reuse a file someone else made; 0o666 lets the umask decide, as for any new file.
            descriptor = os.open(self._temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as exc:
            raise OutputError(
                f"无法在 {path.parent} 中创建输出文件（{exc.strerror}）",
                f"cannot create the output file in {path.parent} ({exc.strerror})",
            ) from exc
        self._file: BinaryIO = os.fdopen(descriptor, "wb")
        try:
            self._start()
        except BaseException:
            self.abort()
            raise

    def _start(self) -> None:
        """Write whatever comes before the first row."""

    def _write_row(self, row: Mapping[str, object]) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        """Write whatever comes after the last row."""

    def write(self, row: Mapping[str, object]) -> None:
        """Write one row.

        Args:
            row: A JSON-ready nested mapping.

        Raises:
            OutputError: The writer is closed, or the row holds a value that cannot be written.
        """
        if not self._open:
            raise OutputError("输出文件已关闭", "the output file is already closed")
        try:
            self._write_row(row)
        except OSError as exc:
            raise OutputError(
                f"写入 {self.path} 失败（{exc.strerror}）", f"writing {self.path} failed ({exc.strerror})"
            ) from exc

    def close(self) -> None:
        """Finish the file, fsync it and move it onto the target.

        Raises:
            OutputError: The file could not be finished or moved; the target is then unchanged.
        """
        if not self._open:
            return
        try:
            self._finish()
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            os.replace(self._temp, self.path)
            self._open = False
        except BaseException as exc:
            self.abort()
            if isinstance(exc, OSError):
                raise OutputError(
                    f"写入 {self.path} 失败（{exc.strerror}）", f"writing {self.path} failed ({exc.strerror})"
                ) from exc
            raise
        _sync_directory(self.path.parent)

    def abort(self) -> None:
        """Discard everything written; the target stays as it was."""
        self._open = False
        self._discard()
        self._file.close()
        self._temp.unlink(missing_ok=True)

    def _discard(self) -> None:
        """Release format-specific resources when aborting."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def _sync_directory(directory: Path) -> None:
    """Make the rename durable (POSIX); a no-op where directories cannot be opened."""
    if os.name != "posix":
        return
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems refuse fsync on directories; the rename itself already happened
    finally:
        os.close(descriptor)


def _json_bytes(row: Mapping[str, object]) -> bytes:
    try:
        return orjson.dumps(row, default=_json_default, option=orjson.OPT_NON_STR_KEYS)
    except (TypeError, OutputError) as exc:  # orjson wraps errors from default in its own TypeError
        raise OutputError(
            f"该行含有无法写成 JSON 的值（{exc}）", f"the row holds a value JSON cannot hold ({exc})"
        ) from exc


class _JsonWriter(ResultWriter):
    _rows = 0

    def _start(self) -> None:
        self._file.write(b"[")

    def _write_row(self, row: Mapping[str, object]) -> None:
        data = _json_bytes(row)
        self._file.write(b",\n" if self._rows else b"\n")
        self._file.write(data)
        self._rows += 1

    def _finish(self) -> None:
        self._file.write(b"\n]\n" if self._rows else b"]\n")


class _JsonlWriter(ResultWriter):
    def _write_row(self, row: Mapping[str, object]) -> None:
        self._file.write(_json_bytes(row) + b"\n")


class _CsvWriter(ResultWriter):
    def _start(self) -> None:
        self._text = io.TextIOWrapper(self._file, encoding="utf-8-sig", newline="", write_through=True)
        self._csv = csv.writer(self._text)
        self._csv.writerow([_neutralize(column) for column in self.columns])

    def _write_row(self, row: Mapping[str, object]) -> None:
        flat = flatten_row(row)
        self._csv.writerow([_csv_cell(flat.get(column)) for column in self.columns])

    def _finish(self) -> None:
        self._text.detach()  # flushes, and keeps self._file open for fsync

    def _discard(self) -> None:
        text = getattr(self, "_text", None)
        if text is not None:
            # Detach so that collecting the wrapper never touches the closed file.
            with contextlib.suppress(ValueError, OSError):  # already detached
                text.detach()


class _XlsxWriter(ResultWriter):
    def _start(self) -> None:
        from openpyxl import Workbook

        self._workbook: Any = Workbook(write_only=True)
        self._sheet: Any = self._workbook.create_sheet(_SHEET_TITLE)
        self._sheet.append([_xlsx_cell(column) for column in self.columns])

    def _write_row(self, row: Mapping[str, object]) -> None:
        flat = flatten_row(row)
        self._sheet.append([_xlsx_cell(flat.get(column)) for column in self.columns])

    def _finish(self) -> None:
        self._workbook.save(self._file)

    def _discard(self) -> None:
        # openpyxl streams the sheet into a file of its own in the system temp directory and
        # removes it only at save or interpreter exit; remove it now (private API, guarded).
        sheet = getattr(self, "_sheet", None)
        if sheet is None or sheet.closed:
            return
        with contextlib.suppress(Exception):  # best effort: openpyxl's own atexit hook removes it too
            sheet.close()  # ends openpyxl's row generator cleanly, so collecting it raises nothing
            sheet._writer.cleanup()


_WRITERS: Final[Mapping[OutputFormat, type[ResultWriter]]] = {
    "json": _JsonWriter,
    "jsonl": _JsonlWriter,
    "csv": _CsvWriter,
    "xlsx": _XlsxWriter,
}


def open_writer(
    path: str | os.PathLike[str], fmt: OutputFormat | None = None, columns: Sequence[str] | None = None
) -> ResultWriter:
    """Open an atomic, streaming writer for result rows.

    Args:
        path: The target file; its directory must exist.
        fmt: ``json``, ``jsonl``, ``csv`` or ``xlsx``; inferred from the suffix when None.
        columns: The flat (dotted) column names, in order; required for csv and xlsx.

    Returns:
        A writer to use in a ``with`` block.

    Raises:
        OutputError: Unknown format, missing columns, the target is a directory, or the
            temporary file cannot be created.
    """
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target} 是目录，不是文件", f"{target} is a directory, not a file")
    if fmt is None:
        suffix = target.suffix.lower()
        if suffix not in _SUFFIXES:
            raise OutputError(
                f"{target.name}：无法从扩展名判断输出格式（支持 .json、.jsonl、.csv、.xlsx）",
                f"{target.name}: cannot tell the output format from the suffix (use .json, .jsonl, .csv or .xlsx)",
            )
        fmt = _SUFFIXES[suffix]
    if fmt not in _WRITERS:
        raise OutputError(f"未知的输出格式 {fmt!r}", f"unknown output format {fmt!r}")
    if fmt in ("csv", "xlsx") and not columns:
        raise OutputError(f"写出 {fmt} 需要给出列名", f"writing {fmt} needs a list of columns")
    return _WRITERS[fmt](target, columns)
