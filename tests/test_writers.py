"""Tests for trainrules.writers: atomic, streamed result files."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
import threading
from decimal import Decimal
from pathlib import Path

import openpyxl
import pendulum
import pytest

from trainrules import limits, writers
from trainrules.writers import OutputError, flatten_row, open_writer

COLUMNS = ["id", "name", "total", "items.作业一.points", "items.作业一.late", "flags", "decided_at"]
ROWS = [
    {
        "id": "T0001",
        "name": "张三",
        "total": Decimal("70.00"),
        "items": {"作业一": {"points": Decimal("18.5"), "late": False}},
        "flags": ["新教材培训", "骨干"],
        "decided_at": pendulum.datetime(2019, 12, 16, 0, 30, tz="Asia/Shanghai"),
    },
    {"id": "T0002", "name": "李四", "total": Decimal("-1.5"), "items": {}, "flags": [], "decided_at": None},
]
FORMATS = ["out.json", "out.jsonl", "out.csv", "out.xlsx"]


class Boom(Exception):
    """Raised inside a with-block to test atomicity."""


def _write_then_fail(target: Path) -> None:
    with open_writer(target, columns=COLUMNS) as writer:
        writer.write(ROWS[0])
        raise Boom


# --- atomicity -----------------------------------------------------------------


@pytest.mark.parametrize("name", FORMATS)
def test_exception_leaves_target_unchanged(tmp_path: Path, name: str) -> None:
    """An exception inside the with-block leaves an existing target as it was, and no temp file behind."""
    target = tmp_path / name
    target.write_bytes(b"old contents")
    with pytest.raises(Boom):
        _write_then_fail(target)
    expected = (b"old contents", [name])
    assert expected == (target.read_bytes(), os.listdir(tmp_path))


@pytest.mark.parametrize("name", FORMATS)
def test_unwritable_value_leaves_target_unchanged(tmp_path: Path, name: str) -> None:
    """A value that cannot be written raises OutputError and rolls back like any exception."""
    target = tmp_path / name
    target.write_bytes(b"old contents")
    with pytest.raises(OutputError), open_writer(target, columns=["id"]) as writer:
        writer.write({"id": object()})
    expected = (b"old contents", [name])
    assert expected == (target.read_bytes(), os.listdir(tmp_path))


def test_xlsx_abort_removes_openpyxl_scratch_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Aborting an xlsx writer also removes the sheet's scratch file; none is ever made in the temp directory."""
    system_temp = tmp_path / "system-temp"  # private: other processes' openpyxl files do not show here
    system_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    target_dir = tmp_path / "out"
    target_dir.mkdir()
    with pytest.raises(Boom):
        _write_then_fail(target_dir / "out.xlsx")
    assert (os.listdir(target_dir), os.listdir(system_temp)) == ([], [])


def test_target_appears_only_on_close(tmp_path: Path) -> None:
    """Rows go to a temporary file on disk; the target exists only once the block ends."""
    target = tmp_path / "out.jsonl"
    with open_writer(target) as writer:
        for _ in range(2000):
            writer.write(ROWS[0])
        temporary = [path for path in tmp_path.iterdir() if path != target]
        during = (False, 1)
        assert during == (target.exists(), len(temporary))
        assert temporary[0].stat().st_size > 0  # streamed to disk, not held in memory
    expected = 2000
    assert expected == len(target.read_text(encoding="utf-8").splitlines())
    assert [target] == list(tmp_path.iterdir())


def test_success_replaces_existing_target(tmp_path: Path) -> None:
    """A block that ends normally replaces the old target."""
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    with open_writer(target) as writer:
        writer.write({"id": "T1"})
    expected = {"decisions": [{"id": "T1"}], "groups": [], "run": None}
    assert expected == json.loads(target.read_text(encoding="utf-8"))


# --- JSON and JSON Lines ---------------------------------------------------------


def test_json_keeps_decimals_exact(tmp_path: Path) -> None:
    """JSON output parses back, with every Decimal as its exact string and Chinese unescaped."""
    target = tmp_path / "out.json"
    with open_writer(target) as writer:
        for row in ROWS:
            writer.write(row)
    data = target.read_bytes()
    assert "张三".encode() in data
    expected = [
        {
            "id": "T0001",
            "name": "张三",
            "total": "70.00",
            "items": {"作业一": {"points": "18.5", "late": False}},
            "flags": ["新教材培训", "骨干"],
            "decided_at": "2019-12-16T00:30:00+08:00",
        },
        {"id": "T0002", "name": "李四", "total": "-1.5", "items": {}, "flags": [], "decided_at": None},
    ]
    assert expected == json.loads(data)["decisions"]


def test_json_empty_and_decimal_forms(tmp_path: Path) -> None:
    """No rows give an empty array; exponents are written out and -0 becomes 0."""
    empty = tmp_path / "empty.json"
    with open_writer(empty):
        pass
    nothing: list[object] = []
    assert nothing == json.loads(empty.read_text(encoding="utf-8"))["decisions"]
    target = tmp_path / "forms.json"
    with open_writer(target) as writer:
        writer.write({"a": Decimal("1E+5"), "b": Decimal("-0.00"), "c": Decimal("1E-7")})
    expected = [{"a": "100000", "b": "0.00", "c": "0.0000001"}]
    assert expected == json.loads(target.read_text(encoding="utf-8"))["decisions"]


def test_json_and_jsonl_write_the_tail_after_the_rows(tmp_path: Path) -> None:
    """The group findings and the run come after the decisions: JSON as its envelope's last keys, in the
    documented order, JSON Lines as its last lines (the run last)."""
    groups, run = [{"schema": "trainrules.group/1", "n": Decimal("1.50")}], {"schema": "trainrules.run/1"}
    for name in ("out.json", "out.jsonl"):
        with open_writer(tmp_path / name) as writer:
            writer.write({"id": "T1"})
            writer.set_tail(groups, run)
    text = (tmp_path / "out.json").read_text(encoding="utf-8")
    assert ["decisions", "groups", "run"] == list(json.loads(text))
    assert {"decisions": [{"id": "T1"}], "groups": [{"schema": "trainrules.group/1", "n": "1.50"}], "run": run} == (
        json.loads(text)
    )
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [{"id": "T1"}, {"schema": "trainrules.group/1", "n": "1.50"}, run] == lines


def test_jsonl_one_object_per_line(tmp_path: Path) -> None:
    """JSON Lines output has one object per line."""
    target = tmp_path / "out.jsonl"
    with open_writer(target) as writer:
        for row in ROWS:
            writer.write(row)
    lines = target.read_text(encoding="utf-8").splitlines()
    expected = ["T0001", "T0002"]
    assert expected == [json.loads(line)["id"] for line in lines]


def test_non_finite_decimal_is_refused(tmp_path: Path) -> None:
    """NaN and infinities cannot be written."""
    with pytest.raises(OutputError), open_writer(tmp_path / "out.json") as writer:
        writer.write({"a": Decimal("NaN")})
    nothing: list[str] = []
    assert nothing == os.listdir(tmp_path)


# --- CSV -------------------------------------------------------------------------


def test_csv_flattens_and_has_bom(tmp_path: Path) -> None:
    """CSV starts with a BOM, has the given header, dotted columns and lists joined with ;."""
    target = tmp_path / "out.csv"
    with open_writer(target, columns=COLUMNS) as writer:
        for row in ROWS:
            writer.write(row)
    data = target.read_bytes()
    bom = b"\xef\xbb\xbf"
    assert bom == data[:3]
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    expected = [
        COLUMNS,
        ["T0001", "张三", "70.00", "18.5", "false", "新教材培训;骨干", "2019-12-16T00:30:00+08:00"],
        ["T0002", "李四", "-1.5", "", "", "", ""],
    ]
    assert expected == rows


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        (["=a", "b"], "'=a;b"),
        ("张三", "张三"),
        ("a=b", "a=b"),
        (Decimal("-1.5"), "-1.5"),
        (-3, "-3"),
    ],
)
def test_csv_injection_neutralized(tmp_path: Path, value: object, expected: str) -> None:
    """Text cells that a spreadsheet would run get a leading quote; numbers stay numbers."""
    target = tmp_path / "out.csv"
    with open_writer(target, columns=["v"]) as writer:
        writer.write({"v": value})
    with target.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    assert [["v"], [expected]] == rows


def test_csv_needs_columns(tmp_path: Path) -> None:
    """CSV and xlsx writers refuse to open without columns."""
    for name in ("out.csv", "out.xlsx"):
        with pytest.raises(OutputError):
            open_writer(tmp_path / name)
    nothing: list[str] = []
    assert nothing == os.listdir(tmp_path)


# --- xlsx ------------------------------------------------------------------------


def test_xlsx_readable_by_openpyxl(tmp_path: Path) -> None:
    """xlsx output opens in openpyxl: sheet 结果, numbers as numeric cells, formulas neutralized."""
    target = tmp_path / "out.xlsx"
    with open_writer(target, columns=[*COLUMNS, "note"]) as writer:
        writer.write({**ROWS[0], "note": '=HYPERLINK("http://x")'})
        writer.write({**ROWS[1], "note": "bad\x01char"})
    workbook = openpyxl.load_workbook(target)
    try:
        sheet = workbook["结果"]
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        types = [cell.data_type for cell in sheet[2]]
    finally:
        workbook.close()
    expected = [
        [*COLUMNS, "note"],
        ["T0001", "张三", 70, 18.5, False, "新教材培训;骨干", "2019-12-16T00:30:00+08:00", '\'=HYPERLINK("http://x")'],
        ["T0002", "李四", -1.5, None, None, None, None, "bad\ufffdchar"],
    ]
    assert expected == rows
    expected_types = ["s", "s", "n", "n", "b", "s", "s", "s"]
    assert expected_types == types


# --- formats and flattening ------------------------------------------------------


def test_unknown_suffix_is_an_output_error(tmp_path: Path) -> None:
    """A suffix that names no format raises OutputError with both messages."""
    with pytest.raises(OutputError) as info:
        open_writer(tmp_path / "out.txt")
    assert ("扩展名" in info.value.message_zh, "suffix" in info.value.message_en) == (True, True)


def test_explicit_format_overrides_suffix(tmp_path: Path) -> None:
    """fmt= chooses the format whatever the suffix."""
    target = tmp_path / "out.txt"
    with open_writer(target, fmt="jsonl") as writer:
        writer.write({"a": 1})
    expected = '{"a":1}\n'
    assert expected == target.read_text(encoding="utf-8")


def test_flatten_row() -> None:
    """Nested mappings become dotted keys; clashing paths are refused."""
    expected = {"id": "T1", "items.a.points": 1, "items.b": [1, 2]}
    assert expected == flatten_row({"id": "T1", "items": {"a": {"points": 1}, "b": [1, 2]}})
    with pytest.raises(OutputError):
        flatten_row({"items.a": 1, "items": {"a": 2}})


@pytest.mark.parametrize("name", ["out", "out.json"])
def test_directory_target_says_it_is_a_directory(tmp_path: Path, name: str) -> None:
    """An existing directory as the output (with or without a suffix) is named as a directory."""
    target = tmp_path / name
    target.mkdir()
    with pytest.raises(OutputError) as info:
        open_writer(target)
    assert info.value.message_en.endswith("is a directory, not a file")


# --- write errors, temporary files, Excel's row limit (issue 10) -------------------------


class _FullDisk(io.FileIO):
    """A file on a disk that fills up after ``room`` bytes (ENOSPC from then on, also when flushing)."""

    room = 64

    def write(self, data: bytes) -> int:  # type: ignore[override]  # tests pass bytes
        size = len(memoryview(data))
        if size > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= size
        return super().write(data)


def _full_disk_fdopen(descriptor: int, mode: str = "rb") -> io.BufferedWriter:
    assert mode == "wb"
    return io.BufferedWriter(_FullDisk(descriptor, "wb"))


def _write_rows(target: Path, rows: list[dict[str, object]]) -> None:
    with open_writer(target, columns=COLUMNS) as writer:
        for row in rows:
            writer.write(row)


@pytest.mark.parametrize("name", FORMATS)
def test_full_disk_is_an_output_error_and_leaves_nothing(
    tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An OSError from the disk, at any stage, is an OutputError naming the cause; the old target stays, no temp."""
    target = tmp_path / name
    target.write_bytes(b"old contents")
    monkeypatch.setattr(writers.os, "fdopen", _full_disk_fdopen)
    with pytest.raises(OutputError) as caught:
        _write_rows(target, [ROWS[0]] * 200)
    assert "磁盘空间已满" in caught.value.message_zh
    assert "no space left" in caught.value.message_en
    expected = (b"old contents", [name])
    assert expected == (target.read_bytes(), os.listdir(tmp_path))


def test_failed_fsync_is_an_output_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An error at the very end (fsync) also leaves the old target and no temporary file."""
    target = tmp_path / "out.jsonl"
    target.write_bytes(b"old contents")

    def fail(descriptor: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(writers.os, "fsync", fail)
    with pytest.raises(OutputError, match="写入"), open_writer(target) as writer:
        writer.write(ROWS[1])
    expected = (b"old contents", ["out.jsonl"])
    assert expected == (target.read_bytes(), os.listdir(tmp_path))


_LIMITED_WRITE = """
import resource, sys
from decimal import Decimal
resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))
from trainrules.writers import OutputError, open_writer
try:
    with open_writer(sys.argv[1], columns=["id", "text"]) as writer:
        for i in range(5000):
            writer.write({"id": i, "text": "甲乙丙丁" * 10, "n": Decimal("1.5")})
except OutputError as exc:
    print(exc.message_en)
    sys.exit(2)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
@pytest.mark.parametrize("name", FORMATS)
def test_file_size_limit_in_a_subprocess(tmp_path: Path, name: str) -> None:
    """Past RLIMIT_FSIZE (EFBIG, as on a full disk) the writer says so, exits 2, and leaves only the old target."""
    target = tmp_path / name
    target.write_bytes(b"old contents")
    proc = subprocess.run(
        [sys.executable, "-c", _LIMITED_WRITE, str(target)], capture_output=True, text=True, check=False
    )
    assert (proc.returncode, proc.stderr) == (2, "")
    assert "the file size limit was exceeded" in proc.stdout
    expected = (b"old contents", [name])
    assert expected == (target.read_bytes(), os.listdir(tmp_path))


def _reaped() -> int:
    """The id of a process that has ended (a child that was waited for)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.skipif(os.name != "posix", reason="stale files are recognised by process id on POSIX only")
def test_stale_temporaries_of_dead_runs_are_removed(tmp_path: Path) -> None:
    """The next writer for a target removes the temporary files of dead runs for that target, nothing else."""
    dead = _reaped()
    stale = [tmp_path / f".out.xlsx.trainrules-{dead}.tmp", tmp_path / f".out.xlsx.trainrules-{dead}.sheet.xml"]
    kept = [
        tmp_path / f".out.xlsx.trainrules-{os.getppid()}.tmp",  # a live process: maybe writing right now
        tmp_path / f".other.xlsx.trainrules-{dead}.tmp",  # another target's
        tmp_path / "notes.tmp",
    ]
    for path in stale + kept:
        path.write_bytes(b"partial")
    with open_writer(tmp_path / "out.xlsx", columns=COLUMNS) as writer:
        writer.write(ROWS[0])
    assert sorted(os.listdir(tmp_path)) == sorted([p.name for p in kept] + ["out.xlsx"])


_SLOW_WRITE = """
import sys, time
from trainrules.writers import open_writer
with open_writer(sys.argv[1], columns=["id", "text"]) as writer:
    for i in range(1_000_000):
        writer.write({"id": i, "text": "甲乙丙丁" * 10})
        if i == 2000:
            print("writing", flush=True)
        if i > 2000:
            time.sleep(0.001)
"""


@pytest.mark.skipif(os.name != "posix", reason="kill -9 and stale-file recognition are POSIX")
@pytest.mark.parametrize("name", FORMATS)
def test_kill_9_during_write_then_next_run_cleans_up(tmp_path: Path, name: str) -> None:
    """kill -9 in the middle of a write leaves the old target and temporary files beside it (never in the
    system temp directory); the next run for the same target removes them."""
    target_dir = tmp_path / "out"
    target_dir.mkdir()
    target = target_dir / name
    target.write_bytes(b"old contents")
    system_temp = tmp_path / "system-temp"  # the child's own: other processes' files do not show here
    system_temp.mkdir()
    argv = [sys.executable, "-c", _SLOW_WRITE, str(target)]
    environment = {**os.environ, "TMPDIR": str(system_temp)}
    with subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=environment) as child:
        assert child.stdout is not None
        assert child.stdout.readline() == "writing\n"
        child.send_signal(signal.SIGKILL)
        child.wait()
    left = sorted(os.listdir(target_dir))
    assert target.read_bytes() == b"old contents"
    assert len(left) == (3 if name.endswith(".xlsx") else 2)
    assert all(f".{name}.trainrules-{child.pid}." in n for n in left if n != name)
    assert os.listdir(system_temp) == []
    with open_writer(target, columns=COLUMNS) as writer:
        writer.write(ROWS[1])
    assert os.listdir(target_dir) == [name]


def test_xlsx_scratch_file_is_beside_the_target(tmp_path: Path) -> None:
    """While an xlsx is written, openpyxl's scratch data is a named file beside the target, gone after close."""
    target = tmp_path / "out.xlsx"
    with open_writer(target, columns=COLUMNS) as writer:
        writer.write(ROWS[0])
        during = sorted(os.listdir(tmp_path))
    assert during == [f".out.xlsx.trainrules-{os.getpid()}.sheet.xml", f".out.xlsx.trainrules-{os.getpid()}.tmp"]
    assert os.listdir(tmp_path) == ["out.xlsx"]


def test_two_writers_for_one_target_in_one_process(tmp_path: Path) -> None:
    """A second writer for the same target while the first is open takes the next temporary name."""
    target = tmp_path / "out.jsonl"
    with open_writer(target) as first, open_writer(target) as second:
        first.write({"id": "first"})
        second.write({"id": "second"})
    assert target.read_text(encoding="utf-8") == '{"id":"first"}\n'


def test_xlsx_refuses_more_rows_than_excel_opens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows up to the limit (header included) are written; one more is refused, suggesting CSV or JSON Lines,
    and no partial file is left."""
    monkeypatch.setattr(limits, "MAX_XLSX_ROWS", 3)
    target = tmp_path / "out.xlsx"
    with open_writer(target, columns=COLUMNS) as writer:
        writer.write(ROWS[0])
        writer.write(ROWS[1])
    book = openpyxl.load_workbook(target, read_only=True)
    try:
        assert len(list(book["结果"].iter_rows())) == 3
    finally:
        book.close()
    target.unlink()
    with pytest.raises(OutputError) as caught:
        _write_rows(target, ROWS * 2)
    assert ".csv" in caught.value.message_zh
    assert ".jsonl" in caught.value.message_en
    assert "3" in caught.value.message_en
    assert os.listdir(tmp_path) == []


def test_xlsx_row_limit_is_excels() -> None:
    assert limits.MAX_XLSX_ROWS == 1_048_576


def test_xlsx_refuses_a_known_row_count_before_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the number of rows is known, an xlsx that cannot hold them is refused before any file is made."""
    monkeypatch.setattr(limits, "MAX_XLSX_ROWS", 3)
    with pytest.raises(OutputError, match=r"\.csv"):
        open_writer(tmp_path / "out.xlsx", columns=COLUMNS, rows=3)
    assert os.listdir(tmp_path) == []
    with open_writer(tmp_path / "out.xlsx", columns=COLUMNS, rows=2) as writer:  # header + 2 = 3 rows: fits
        writer.write(ROWS[0])
    with open_writer(tmp_path / "out.csv", columns=COLUMNS, rows=10**7) as writer:  # other formats: no limit
        writer.write(ROWS[0])


def test_xlsx_scratch_file_that_cannot_be_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the scratch file beside the target cannot be made, the writer says so and leaves nothing anywhere."""
    real_open = os.open
    system_temp = tmp_path / "system-temp"  # private: other processes' openpyxl files do not show here
    system_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    target_dir = tmp_path / "out"
    target_dir.mkdir()

    def no_scratch(path: str | os.PathLike[str], flags: int, mode: int = 0o777) -> int:
        if str(path).endswith(".sheet.xml"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_open(path, flags, mode)

    monkeypatch.setattr(writers.os, "open", no_scratch)
    with pytest.raises(OutputError, match="磁盘空间已满"):
        open_writer(target_dir / "out.xlsx", columns=COLUMNS)
    assert (os.listdir(target_dir), os.listdir(system_temp)) == ([], [])


def test_explain_output_on_a_full_disk_says_so_and_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`explain -o` writes through the writers: a full disk is the same bilingual message, the old file intact."""
    from trainrules.writers import OutputError, ResultWriter, write_text_atomic

    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system: the full-disk case cannot be simulated here")
    target = tmp_path / "explain.txt"
    target.write_text("old\n", encoding="utf-8")
    scratch = tmp_path / ".explain.txt.trainrules-1.tmp"
    scratch.write_bytes(b"")
    monkeypatch.setattr(
        ResultWriter, "_create_temporary", staticmethod(lambda path: (scratch, os.open("/dev/full", os.O_WRONLY)))
    )
    with pytest.raises(OutputError) as caught:
        write_text_atomic(target, "新的说明\n" * 1000)
    assert "磁盘空间已满" in caught.value.message_zh
    assert "保持不变" in caught.value.message_zh
    assert "no space left on the device" in caught.value.message_en
    assert "old\n" == target.read_text(encoding="utf-8")
    assert not scratch.exists()


# ---------- targets that are not regular files: devices and pipes are written directly, never replaced ----------


def _fake_null(tmp_path: Path) -> Path:
    """A character device node like /dev/null (1, 3), made in tmp_path (never in /dev); skip where mknod is refused."""
    node = tmp_path / "fakenull"
    assert str(node).startswith(str(tmp_path))
    assert not str(node).startswith("/dev")
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    return node


def _read_fifo(fifo: Path, into: list[bytes]) -> threading.Thread:
    def reader() -> None:
        with open(fifo, "rb") as f:
            into.append(f.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_a_character_device_is_written_not_replaced(tmp_path: Path, fmt: str) -> None:
    node = _fake_null(tmp_path)
    with open_writer(node, fmt, COLUMNS) as w:
        for row in ROWS:
            w.write(row)
    assert stat.S_ISCHR(os.stat(node).st_mode)  # still the device, not a regular file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fakenull"]  # no temporary left


def test_text_onto_a_device_and_the_workbook_scratch_not_beside_it(tmp_path: Path) -> None:
    node = _fake_null(tmp_path)
    writers.write_text_atomic(node, "<html>page</html>")
    with open_writer(node, "xlsx", COLUMNS) as w:
        w.write(ROWS[0])
    assert stat.S_ISCHR(os.stat(node).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fakenull"]


def test_a_named_pipe_gets_the_rows_and_stays_a_pipe(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    thread = _read_fifo(fifo, got)
    with open_writer(fifo, "jsonl") as w:
        for row in ROWS:
            w.write(row)
    thread.join(10)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    lines = got[0].decode("utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [r["id"] for r in ROWS]


def test_text_onto_a_named_pipe(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    thread = _read_fifo(fifo, got)
    writers.write_text_atomic(fifo, "报告")
    thread.join(10)
    assert got == ["报告".encode()]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_full_device_fails_with_no_space_left(tmp_path: Path) -> None:
    node = tmp_path / "fakefull"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 7))  # like /dev/full, but in tmp_path
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    with pytest.raises(OutputError) as caught:
        writers.write_text_atomic(node, "x" * 100_000)
    assert "磁盘空间已满" in caught.value.message_zh
    assert "not atomically" in caught.value.message_en
    assert stat.S_ISCHR(os.stat(node).st_mode)


def test_a_socket_or_a_directory_is_refused(tmp_path: Path) -> None:
    import socket

    with pytest.raises(OutputError, match="directory"):
        writers.write_text_atomic(tmp_path, "x")
    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(OutputError) as caught:
            open_writer(path, "jsonl")
    assert "不是普通文件" in caught.value.message_zh
    assert "not a regular file" in caught.value.message_en
