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

JSON, JSON Lines and CSV stream in constant memory; the xlsx writer streams the sheet
(openpyxl's write-only mode) into a scratch file beside the target and zips it when closed.
An xlsx sheet holds at most ``limits.MAX_XLSX_ROWS`` rows (Excel's 1,048,576, header
included): one more is refused with an :class:`OutputError` suggesting CSV or JSON Lines.

Temporary files are named ``.<target>.trainrules-<pid>.tmp`` (and the xlsx scratch file
``.<target>.trainrules-<pid>.sheet.xml``, or the workbook's scratch directory
``.<target>.trainrules-<pid>.d``), beside the target. A run killed outright
(``kill -9``, a power cut) cannot remove them; the next writer for the same target
removes those whose process is no longer alive (POSIX only: elsewhere they stay).
Any error while writing (a full disk, a file-size limit, an I/O error) is an
:class:`OutputError`; the temporary files are removed and the target is left as it was.

A target that exists and is a character device or a named pipe (``-o /dev/null``, a FIFO,
``/dev/stdout``) is never replaced: it is written directly, like standard output, and so **not
atomically** (a failure leaves what was already written; ``/dev/full`` fails with "no space
left"). The xlsx scratch files then go to the system's temporary directory. Any other existing
target that is not a regular file (a directory, a socket, a block device) is refused.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import errno
import io
import os
import re
import shutil
import stat
import sys
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Final, Literal, Self, TypeAlias

import orjson

from trainrules import limits
from trainrules.errors import BilingualError
from trainrules.values import decimal_text

__all__ = [
    "STDOUT",
    "OutputError",
    "OutputFormat",
    "ResultWriter",
    "direct_target",
    "flatten_row",
    "open_text",
    "open_writer",
    "output_format",
    "remove_stale_temporaries",
    "write_text_atomic",
]

OutputFormat: TypeAlias = Literal["json", "jsonl", "csv", "xlsx"]
_SUFFIXES: Final[Mapping[str, OutputFormat]] = {".json": "json", ".jsonl": "jsonl", ".csv": "csv", ".xlsx": "xlsx"}
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
_SHEET_TITLE: Final = "结果"
#: The path that means standard output.
STDOUT: Final = "-"
# The control characters an xlsx (XML 1.0) cell cannot hold; the same set openpyxl refuses.
_XLSX_ILLEGAL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class OutputError(BilingualError):
    """An output cannot be written as asked."""


#: Why a write failed, for the errors people meet (the rest use the system's own words).
_CAUSES: Final[Mapping[int, tuple[str, str]]] = {
    errno.ENOSPC: ("磁盘空间已满", "no space left on the device"),
    errno.EFBIG: ("超过了文件大小限制", "the file size limit was exceeded"),
    errno.EDQUOT: ("超过了磁盘配额", "the disk quota was exceeded"),
    errno.EROFS: ("文件系统只读", "the file system is read-only"),
    errno.EACCES: ("没有写入权限", "permission denied"),
    errno.EPIPE: ("读取的一方已关闭管道", "the reading end closed the pipe"),
}


def _write_failed(path: Path, exc: OSError) -> OutputError:
    """The error for a failed write: its cause, and that the earlier output is untouched."""
    zh, en = _CAUSES.get(exc.errno or 0, (exc.strerror or str(exc), exc.strerror or str(exc)))
    if str(path) == STDOUT:
        return OutputError(
            f"写入标准输出失败：{zh}；结果不完整",
            f"writing to standard output failed: {en}; the results are incomplete",
        )
    if _is_direct(path):
        return OutputError(
            f"写入 {path} 失败：{zh}；它是设备或管道，直接写入（非原子），结果不完整",
            f"writing {path} failed: {en}; it is a device or a pipe, written directly (not atomically), "
            "so the results are incomplete",
        )
    return OutputError(
        f"写入 {path} 失败：{zh}。未写出结果；原有的 {path.name}（如有）保持不变",
        f"writing {path} failed: {en}. No results were written; the existing {path.name} (if any) is unchanged",
    )


#: The temporary files a writer makes beside its target: ``.<target>.trainrules-<pid>[-<n>].<kind>``.
_TEMPORARY = re.compile(r"\.(?P<target>.+)\.trainrules-(?P<pid>[0-9]{1,10})(?:-[0-9]{1,6})?\.(?:tmp|sheet\.xml|d)")


def _alive(pid: int) -> bool:
    """Whether a process with this id exists (when unsure, it does: its files are then kept)."""
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)  # signal 0 sends nothing; it only checks that the process exists
    except ProcessLookupError:
        return False
    except OSError:  # it exists but belongs to someone else, or the check itself failed
        return True
    return True


def direct_target(target: str | os.PathLike[str]) -> bool:
    """Whether ``target`` is written directly, not replaced: it exists and is a character device or a named pipe
    (``/dev/null``, ``/dev/stdout``, a FIFO), through any symbolic links.

    Raises:
        OutputError: it exists and is neither a regular file nor one of those (a directory, a socket, a block device).
    """
    if str(target) == STDOUT:
        return False
    try:
        mode = os.stat(target).st_mode
    except OSError:  # does not exist (yet), or cannot be looked at: a new file, created beside it as usual
        return False
    if stat.S_ISREG(mode):
        return False
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return True
    if stat.S_ISDIR(mode):
        raise OutputError(f"{target} 是目录，不是文件", f"{target} is a directory, not a file")
    raise OutputError(
        f"{target} 不是普通文件（也不是字符设备或命名管道），不能写入或替换：换一个输出文件名",
        f"{target} is not a regular file (nor a character device or a named pipe), so it cannot be written "
        "or replaced: choose another output file",
    )


def _is_direct(path: Path) -> bool:
    try:
        return direct_target(path)
    except OutputError:
        return False


def remove_stale_temporaries(target: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files that killed runs left beside ``target``.

    Only files named like this module's temporary files *for this target*, whose process
    is no longer alive, are removed; anything else in the directory is left alone.

    Args:
        target: The output file.

    Returns:
        The files removed.
    """
    path = Path(target)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(path.parent if str(path.parent) else "."))
    except OSError:
        return removed
    for entry in entries:
        found = _TEMPORARY.fullmatch(entry.name)
        if found is None or found["target"] != path.name or _alive(int(found["pid"])):
            continue
        with contextlib.suppress(OSError):  # removed meanwhile, or not ours to remove: leave it
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            elif entry.is_dir(follow_symlinks=False) and entry.name.endswith(".d"):  # the workbook's scratch directory
                shutil.rmtree(entry.path)
                removed.append(Path(entry.path))
    return removed


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
        self._open = True
        #: The run's group findings and summary (JSON-ready), written after the rows: see :meth:`set_tail`.
        self._groups: Sequence[Mapping[str, object]] = ()
        self._run: Mapping[str, object] | None = None
        #: ``-``: the rows go straight to standard output (nothing to replace, nothing to remove).
        self._stdout = str(path) == STDOUT
        #: A character device or a named pipe: written directly (not atomically), never replaced.
        self._direct = direct_target(path)
        self._file: BinaryIO
        self._temp: Path | None
        #: Where scratch files are named from (``<base>.sheet.xml``, ``<base>.d``): the temporary file, or for
        #: a device or pipe a name in the system's temporary directory (never beside ``/dev/null``).
        self._scratch_base: Path
        if self._stdout:
            self._temp = None
            self._file = sys.stdout.buffer
            self._scratch_base = path
        elif self._direct:
            self._temp = None
            try:
                self._file = open(path, "wb", buffering=1 << 16)  # noqa: SIM115  # closed by close() or abort()
            except OSError as exc:
                raise _write_failed(path, exc) from exc
            self._scratch_base = Path(tempfile.gettempdir()) / f".{path.name}.trainrules-{os.getpid()}.tmp"
        else:
            remove_stale_temporaries(path)
            self._temp, descriptor = self._create_temporary(path)
            self._file = os.fdopen(descriptor, "wb")
            self._scratch_base = self._temp
        try:
            self._start()
        except BaseException as exc:
            self.abort()
            if isinstance(exc, OSError):
                raise _write_failed(path, exc) from exc
            raise

    @staticmethod
    def _create_temporary(path: Path) -> tuple[Path, int]:
        """Create ``.<target>.trainrules-<pid>.tmp`` (``-<n>`` added while that name is taken)."""
        for attempt in range(1000):
            serial = f"-{attempt}" if attempt else ""
            temp = path.with_name(f".{path.name}.trainrules-{os.getpid()}{serial}.tmp")
            try:
                # O_EXCL: never reuse a file someone else made; 0o666 lets the umask decide, as for any new file.
                return temp, os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                continue
            except OSError as exc:
                raise OutputError(
                    f"无法在 {path.parent} 中创建输出文件（{exc.strerror}）",
                    f"cannot create the output file in {path.parent} ({exc.strerror})",
                ) from exc
        raise OutputError(
            f"无法在 {path.parent} 中创建输出文件（临时文件名都已占用）",
            f"cannot create the output file in {path.parent} (every temporary name is taken)",
        )

    def _start(self) -> None:
        """Write whatever comes before the first row."""

    def _write_row(self, row: Mapping[str, object]) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        """Write whatever comes after the last row."""

    def set_tail(self, groups: Sequence[Mapping[str, object]], run: Mapping[str, object] | None) -> None:
        """Give the run's group findings and summary, written after the last row when the writer closes.

        JSON puts them in its envelope (``"groups"``, ``"run"``), JSON Lines as its last lines; CSV and
        the plain xlsx sheet have no place for them (``evaluate --summary FILE`` writes them beside).
        """
        self._groups = groups
        self._run = run

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
            self.abort()
            raise _write_failed(self.path, exc) from exc

    def close(self) -> None:
        """Finish the file, fsync it and move it onto the target.

        Raises:
            OutputError: The file could not be finished or moved; the target is then unchanged.
        """
        if not self._open:
            return
        if self._stdout:
            try:
                self._finish()
                self._file.flush()
            except OSError as exc:
                self._open = False
                raise _write_failed(self.path, exc) from exc
            self._open = False
            return
        try:
            self._finish()
            if not self._direct:  # a device or pipe has nothing to fsync, nothing to rename
                self._file.flush()
                os.fsync(self._file.fileno())
            self._file.close()
            if self._temp is not None and not self._direct:  # always, for a file (standard output returned above)
                os.replace(self._temp, self.path)
            self._open = False
        except BaseException as exc:
            self.abort()
            if isinstance(exc, OSError):
                raise _write_failed(self.path, exc) from exc
            raise
        if not self._direct:
            _sync_directory(self.path.parent)

    def abort(self) -> None:
        """Discard everything written; the target stays as it was. Never raises an OSError."""
        self._open = False
        if self._stdout:  # what went out is gone; a reader sees the JSON unfinished, or no run line
            with contextlib.suppress(Exception):  # nothing more can be done about a closed pipe
                self._discard()
                self._file.flush()
            return
        try:
            self._discard()
        finally:
            # Closing flushes what is buffered, which fails again on a full disk; the file is closed all the same.
            with contextlib.suppress(OSError):
                self._file.close()
            with contextlib.suppress(OSError):  # nothing more can be done; the next run removes it (stale)
                if self._temp is not None:
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


class _TextWriter(ResultWriter):
    """A whole text written at once (``explain -o``), with the writers' temporary files and errors."""

    def write_text(self, text: str) -> None:
        try:
            self._file.write(text.encode("utf-8"))
        except OSError as exc:
            self.abort()
            raise _write_failed(self.path, exc) from exc


def open_text(path: str | os.PathLike[str]) -> _TextWriter:
    """Open a writer for one whole text (``.write_text``), atomically like the others; use it in a ``with`` block.

    Opened before the text is made, it refuses an unwritable target (a directory, a missing directory, no
    permission) before any work; a block ended by an exception (Ctrl-C) leaves the earlier file as it was.

    Raises:
        OutputError: the target cannot be written.
    """
    direct_target(path)
    return _TextWriter(Path(path), None)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically: all of it, or the earlier file untouched.

    Raises:
        OutputError: the text could not be written (the message says why and that nothing changed).
    """
    with _TextWriter(Path(path), None) as out:
        out.write_text(text)


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
    """``{"decisions": [...], "groups": [...], "run": {...}}``: the decisions streamed, one per line, first."""

    _rows = 0

    def _start(self) -> None:
        self._file.write(b'{"decisions": [')

    def _write_row(self, row: Mapping[str, object]) -> None:
        data = _json_bytes(row)
        self._file.write(b",\n" if self._rows else b"\n")
        self._file.write(data)
        self._rows += 1

    def _finish(self) -> None:
        self._file.write(b"\n],\n" if self._rows else b"],\n")
        groups = b",\n".join(_json_bytes(g) for g in self._groups)
        self._file.write(b'"groups": [' + (b"\n" + groups + b"\n" if groups else b"") + b"],\n")
        run = b"null" if self._run is None else _json_bytes(self._run)
        self._file.write(b'"run": ' + run + b"}\n")


class _JsonlWriter(ResultWriter):
    """One decision per line, then one line per group finding, then the run summary as the last line."""

    def _write_row(self, row: Mapping[str, object]) -> None:
        self._file.write(_json_bytes(row) + b"\n")

    def _finish(self) -> None:
        for group in self._groups:
            self._file.write(_json_bytes(group) + b"\n")
        if self._run is not None:
            self._file.write(_json_bytes(self._run) + b"\n")


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


def _too_many_rows(path: Path) -> OutputError:
    most = limits.MAX_XLSX_ROWS
    return OutputError(
        f"{path.name}：结果超过 Excel 一张表的上限 {most:,} 行（含表头），Excel 无法打开；"
        "请改用 .csv 或 .jsonl 输出（-o 结果.csv）。未写出结果",
        f"{path.name}: the results exceed Excel's limit of {most:,} rows per sheet (header included), "
        "so Excel could not open the file; write .csv or .jsonl instead (-o results.csv). No results were written",
    )


class _XlsxWriter(ResultWriter):
    def _start(self) -> None:
        from openpyxl import Workbook
        from openpyxl.worksheet import _writer as sheet_writer

        self._rows = 1
        self._workbook: Any = Workbook(write_only=True)
        self._sheet: Any = self._workbook.create_sheet(_SHEET_TITLE)
        # openpyxl streams the sheet into a scratch file, by default in the system temp directory,
        # where a killed run leaves it for good. Give it one beside the target, named so that the
        # next run recognises it (private API: WriteOnlyWorksheet makes its WorksheetWriter lazily).
        scratch = self._scratch_base.with_suffix(".sheet.xml")  # open_writer refuses xlsx to stdout
        os.close(os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        self._scratch = scratch  # only now ours to remove
        sheet_writer.ALL_TEMP_FILES.append(str(scratch))  # openpyxl removes it at save (and at exit)
        self._sheet._writer = sheet_writer.WorksheetWriter(self._sheet, out=str(scratch))
        self._sheet._writer.write_top()
        self._sheet.append([_xlsx_cell(column) for column in self.columns])

    def _write_row(self, row: Mapping[str, object]) -> None:
        if self._rows >= limits.MAX_XLSX_ROWS:
            raise _too_many_rows(self.path)
        flat = flatten_row(row)
        self._sheet.append([_xlsx_cell(flat.get(column)) for column in self.columns])
        self._rows += 1

    def _finish(self) -> None:
        from openpyxl.writer.excel import ExcelWriter

        # openpyxl's save_workbook, except that a failure closes the archive: otherwise the zip
        # object, collected after the file is closed, raises from its finaliser.
        archive = zipfile.ZipFile(self._file, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._workbook.properties.modified = _dt.datetime.now(tz=_dt.UTC).replace(tzinfo=None)
        try:
            ExcelWriter(self._workbook, archive).save()
        except BaseException:
            with contextlib.suppress(Exception):  # the disk is full or gone: closing fails too, but lets go
                archive.close()
            raise

    def _discard(self) -> None:
        sheet = getattr(self, "_sheet", None)
        # Close only a sheet that has its writer: closing one without would make openpyxl start a scratch file.
        if sheet is not None and sheet._writer is not None and not sheet.closed:
            with contextlib.suppress(Exception):  # ends openpyxl's row generator, so collecting it raises nothing
                sheet.close()
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:
            from openpyxl.worksheet import _writer as sheet_writer

            with contextlib.suppress(OSError):
                scratch.unlink(missing_ok=True)
            with contextlib.suppress(ValueError):  # openpyxl already forgot it
                sheet_writer.ALL_TEMP_FILES.remove(str(scratch))


_WRITERS: Final[Mapping[OutputFormat, type[ResultWriter]]] = {
    "json": _JsonWriter,
    "jsonl": _JsonlWriter,
    "csv": _CsvWriter,
    "xlsx": _XlsxWriter,
}


def output_format(path: str | os.PathLike[str], fmt: str | None = None) -> OutputFormat:
    """The format to write: ``fmt`` when given, else the one the suffix names.

    Raises:
        OutputError: an unknown format; no ``fmt`` for ``-`` (standard output) or for a file without a known suffix.
    """
    if fmt is None:
        if str(path) == STDOUT:
            raise OutputError(
                "输出到标准输出（-o -）时请用 --format json、jsonl 或 csv 指明格式",
                "writing to standard output (-o -) needs --format json, jsonl or csv",
            )
        name = Path(path).name
        suffix = Path(path).suffix.lower()
        if suffix not in _SUFFIXES:
            raise OutputError(
                f"{name}：无法从扩展名判断输出格式（支持 .json、.jsonl、.csv、.xlsx，或用 --format 指明）",
                f"{name}: cannot tell the output format from the suffix (use .json, .jsonl, .csv or .xlsx, "
                "or give --format)",
            )
        return _SUFFIXES[suffix]
    if fmt not in _WRITERS:
        raise OutputError(f"未知的输出格式 {fmt!r}", f"unknown output format {fmt!r}")
    return fmt  # type: ignore[return-value]  # checked just above: one of the writers' formats


def open_writer(
    path: str | os.PathLike[str],
    fmt: OutputFormat | None = None,
    columns: Sequence[str] | None = None,
    *,
    rows: int | None = None,
) -> ResultWriter:
    """Open an atomic, streaming writer for result rows.

    Args:
        path: The target file; its directory must exist.
        fmt: ``json``, ``jsonl``, ``csv`` or ``xlsx``; inferred from the suffix when None.
        columns: The flat (dotted) column names, in order; required for csv and xlsx.
        rows: How many rows will be written, when known: an xlsx that could not hold them
            is refused now, before anything is written (else when the row past the limit comes).

    Returns:
        A writer to use in a ``with`` block.

    Raises:
        OutputError: Unknown format, missing columns, the target is a directory, more
            ``rows`` than an xlsx sheet holds, or the temporary file cannot be created.
    """
    target = Path(path)
    direct_target(target)  # refuses a directory (or a socket…) now
    fmt = output_format(path, fmt)
    if fmt == "xlsx" and str(path) == STDOUT:
        raise OutputError(
            "xlsx 是二进制压缩文件，不写到标准输出：请用 -o 结果.xlsx，或 -o - --format csv|json|jsonl",
            "an xlsx is a binary zip archive and is not written to standard output: use -o results.xlsx, "
            "or -o - --format csv|json|jsonl",
        )
    if fmt in ("csv", "xlsx") and not columns:
        raise OutputError(f"写出 {fmt} 需要给出列名", f"writing {fmt} needs a list of columns")
    if fmt == "xlsx" and rows is not None and rows + 1 > limits.MAX_XLSX_ROWS:
        raise _too_many_rows(target)
    return _WRITERS[fmt](target, columns)
