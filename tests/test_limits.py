"""Hostile and oversized input: always diagnostics and a non-zero exit, never a traceback, never unbounded work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from trainrules.api import check, checks
from trainrules.diagnostics import Diagnostic, Severity
from trainrules.limits import MAX_NESTING, MAX_NODES, MAX_POLICY_BYTES
from trainrules.render import render_text

REPO = Path(__file__).resolve().parents[1]

HEAD = """方案 兰西县2019秋网本研修 {
  标题 "2019-2020第一学期教师网本研修计划"
  期间 2019-12-05 至 2019-12-31             依据 R004-01 "四、培训时间"
}
输入 教师 {
  作业数: 数 0 至 100                       依据 R004-07
}
"""
#: The line of HEAD's last line plus one: where a test's own declaration starts.
FIRST_LINE = HEAD.count("\n") + 1


def _outcome(expr: str) -> str:
    return f"{HEAD}合格 当 {expr} 授予 36 学时   依据 R004-08\n"


def _run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trainrules", "check", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=300,
        check=False,
        cwd=cwd,
    )


def _codes(diagnostics: list[Diagnostic]) -> list[str]:
    return [d.code for d in diagnostics]


def _exit_status(diagnostics: list[Diagnostic]) -> int:
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return 2
    return 1 if diagnostics else 0


# ---------- unreadable files (E101) ----------


def test_missing_file_is_e101(tmp_path: Path) -> None:
    """A missing file, a directory and a non-UTF-8 file are each one E101 without a position."""
    (tmp_path / "gbk.policy").write_bytes("方案 甲 {".encode("gbk"))
    for name, reason in (("missing.policy", "文件不存在"), ("", "这是一个目录"), ("gbk.policy", "UTF-8")):
        diagnostics = check(os.fspath(tmp_path / name) if name else tmp_path)
        assert ["E101"] == _codes(diagnostics)
        assert diagnostics[0].span is None
        assert reason in diagnostics[0].message


def test_non_utf8_byte_position_is_one_based(tmp_path: Path) -> None:
    """The E101 message for a non-UTF-8 file counts bytes from 1, as people do."""
    path = tmp_path / "latin.policy"
    path.write_bytes(b"ab\xff")
    assert "第 3 字节起不是 UTF-8 编码" in check(path)[0].message


def test_nul_in_path_is_e101_not_an_exception() -> None:
    """A path with a NUL character (which os.stat refuses with ValueError) is an E101."""
    assert ["E101"] == _codes(check("bad\x00name.policy"))


# ---------- size (E102, E114) ----------


def test_huge_file_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 50 MB file is refused with E102 by its size, without reading its bytes."""
    path = tmp_path / "huge.policy"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # a sparse file: 50 MB by size, nothing written
    read: list[str] = []
    original = Path.open

    def spy(self: Path, *args: object, **kwargs: object) -> object:
        read.append(self.name)
        return original(self, *args, **kwargs)  # type: ignore[arg-type]  # passes through whatever open gets

    monkeypatch.setattr(Path, "open", spy)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read the whole file"))
    diagnostics = check(path)
    assert ["E102"] == _codes(diagnostics)
    assert [] == read
    assert str(50 * 1024 * 1024) in diagnostics[0].message
    assert str(MAX_POLICY_BYTES) in diagnostics[0].message


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_endless_device_is_refused_after_the_limit() -> None:
    """A file whose size is unknown (/dev/zero reports 0 bytes) is read only up to the limit, then E102."""
    assert ["E102"] == _codes(check("/dev/zero"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_is_refused_without_waiting(tmp_path: Path) -> None:
    """A FIFO would block on open until someone writes: it is E101 at once, worded in both languages."""
    fifo = tmp_path / "p.policy"
    os.mkfifo(fifo)
    (d,) = check(fifo)
    assert ("E101", "it is not a regular file") == (d.code, d.message_en.rpartition(": ")[2])


def test_not_utf8_reason_is_english_in_english(tmp_path: Path) -> None:
    """E101's reason has an English wording too (no Chinese inside message_en)."""
    path = tmp_path / "bin.policy"
    path.write_bytes(b"\xff\xfe\x00garbage")
    (d,) = check(path)
    assert d.message_en.endswith("not UTF-8 from byte 1 on (save it as UTF-8)")
    assert "UTF-8 编码" in d.message


def test_oversized_text_is_e102() -> None:
    """Policy text (not a file) over the limit is refused with E102 before parsing."""
    assert ["E102"] == _codes(checks("#" * (MAX_POLICY_BYTES + 1) + "\n", name="big.policy"))


def test_too_many_nodes_is_e114(monkeypatch: pytest.MonkeyPatch) -> None:
    """A policy with more syntax nodes than the limit is refused with E114 (limit lowered to keep the test fast)."""
    # MAX_NODES + 1 one-character list items fit well under the byte limit, so E114 is reachable for real;
    # parsing that many takes tens of seconds, so the mechanism is tested against a lowered limit.
    assert 2 * (MAX_NODES + 1) < MAX_POLICY_BYTES
    monkeypatch.setattr("trainrules.syntax.parser.MAX_NODES", 1_000)
    text = HEAD + "定义 名单 = [" + ",".join(["1"] * 1_010) + "]\n"
    diagnostics = checks(text, name="big.policy")
    assert ["E114"] == _codes(diagnostics)
    assert "1000" in diagnostics[0].message
    assert ["W601", "W601"] == _codes(checks(HEAD + "定义 名单 = [" + ",".join(["1"] * 900) + "]\n", name="ok.policy"))


# ---------- text that is not a policy ----------


def test_control_character_is_e103() -> None:
    """A vertical tab pasted from a word processor is E103 at its exact line and column."""
    text = HEAD + "合格 当 作业数 不少于 2\x0b 依据 R004-08\n"
    diagnostics = checks(text, name="word.policy")
    assert ["E103"] == _codes(diagnostics)
    assert (FIRST_LINE, 15) == (diagnostics[0].span.line, diagnostics[0].span.column)
    assert "U+000B" in diagnostics[0].message


def test_empty_text_is_e115() -> None:
    """An empty policy file is one E115 (it declares nothing), not a crash."""
    assert ["E115"] == _codes(checks("", name="empty.policy"))


def test_empty_file_is_e115(tmp_path: Path) -> None:
    """An empty file on disk is one E115."""
    path = tmp_path / "empty.policy"
    path.write_bytes(b"")
    assert ["E115"] == _codes(check(path))


def test_binary_junk_is_one_diagnostic(tmp_path: Path) -> None:
    """Binary junk (not UTF-8, or UTF-8 with control characters) gives a single read or text error."""
    path = tmp_path / "junk.policy"
    path.write_bytes(bytes(range(256)) * 4)
    assert ["E101"] == _codes(check(path))
    path.write_bytes(b"\x00\x01\x02 abc")
    assert ["E103"] == _codes(check(path))


def test_bom_is_ignored(tmp_path: Path) -> None:
    """A UTF-8 byte order mark (Notepad, Excel) is dropped: the rest parses and columns start after it."""
    path = tmp_path / "bom.policy"
    path.write_bytes(b"\xef\xbb\xbf" + _outcome("作业数 不少于 @").encode("utf-8"))
    diagnostics = check(path)
    assert ["E110"] == _codes(diagnostics)
    assert (FIRST_LINE, 14) == (diagnostics[0].span.line, diagnostics[0].span.column)


# ---------- depth and length ----------


def test_deep_parentheses_do_not_crash() -> None:
    """10,000 nested parentheses parse without recursion (parentheses build no tree nodes)."""
    diagnostics = checks(_outcome("(" * 10_000 + "作业数" + ")" * 10_000 + " 不少于 2"), name="p.policy")
    assert [] == [d for d in diagnostics if d.severity is Severity.ERROR]


def test_unclosed_deep_parentheses_are_a_syntax_error() -> None:
    """10,000 opening parentheses never closed are one syntax error at the first unexpected word."""
    diagnostics = checks(_outcome("(" * 10_000 + "作业数 不少于 2"), name="p.policy")
    assert ["E111"] == _codes(diagnostics)
    assert FIRST_LINE == diagnostics[0].span.line


@pytest.mark.parametrize(
    ("label", "expr"),
    [
        ("unary minus", "-" * 10_000 + "作业数 不少于 2"),
        ("spaced unary minus", "- " * 10_000 + "作业数 不少于 2"),
        ("not", "非 " * 10_000 + "作业数 不少于 2"),
        ("nested calls", "最小(" * 10_000 + "作业数" + ")" * 10_000 + " 不少于 2"),
        ("nested lists", "作业数 属于 " + "[" * 10_000 + "1" + "]" * 10_000),
        ("if ladder", "若 作业数 不少于 1 则 " * 5_000 + "是" + " 否则 是" * 5_000),
        ("parenthesized sums", "(" * 5_000 + "作业数" + " + 1)" * 5_000 + " 不少于 2"),
    ],
)
def test_deep_nesting_is_e113(label: str, expr: str) -> None:
    """Nesting deeper than MAX_NESTING is one E113 on the policy's last line, whatever the construct."""
    diagnostics = checks(_outcome(expr), name="deep.policy")
    assert ["E113"] == _codes(diagnostics), label
    assert FIRST_LINE == diagnostics[0].span.line
    assert str(MAX_NESTING) in diagnostics[0].message


@pytest.mark.parametrize(
    ("label", "expr"),
    [
        ("sum", " + ".join(["作业数"] * 20_000) + " 不少于 2"),
        ("product", " × ".join(["作业数"] * 20_000) + " 不少于 2"),
        ("and", " 且 ".join(["作业数 不少于 2"] * 10_000)),
        ("or", " 或 ".join(["作业数 不少于 2"] * 10_000)),
    ],
)
def test_long_flat_chains_are_accepted(label: str, expr: str) -> None:
    """A 20,000-term chain is flat, not deep: it checks cleanly (no E113, no crash)."""
    assert [] == checks(_outcome(expr), name="long.policy"), label


def test_nesting_just_under_the_limit_is_accepted() -> None:
    """Ten nested calls are well under the limit and check cleanly."""
    assert [] == checks(_outcome("最小(" * 10 + "作业数" + ")" * 10 + " 不少于 2"), name="ok.policy")


def test_long_line_is_windowed_in_the_rendering() -> None:
    """A diagnostic on a 20,000-character line shows a window of the line, not all of it."""
    diagnostics = checks(_outcome(" + ".join(["作业数"] * 5_000) + " 不少于 @"), name="long.policy")
    assert ["E110"] == _codes(diagnostics)
    text = render_text(diagnostics)
    assert max(len(line) for line in text.splitlines()) < 300


# ---------- the command line ----------


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


CLI_CASES = {
    "binary junk": (bytes(range(256)) * 4, 2, False),
    "empty": (b"", 2, True),
    "non-UTF-8": ("方案 甲 {".encode("gbk"), 2, False),
    "control character": ("方案 甲 {\x0b}".encode(), 2, True),
    "deep parentheses unclosed": (_outcome("(" * 10_000 + "作业数 不少于 2").encode(), 2, True),
    "deep unary minus": (_outcome("-" * 10_000 + "作业数 不少于 2").encode(), 2, True),
    "long sum": (_outcome(" + ".join(["作业数"] * 10_000) + " 不少于 2").encode(), 0, False),
    "warning only": ((HEAD + "定义 多余 = 1\n合格 当 作业数 不少于 2 依据 R004-08\n").encode(), 1, True),
}


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_cli_exit_status_and_no_traceback(case: str, tmp_path: Path) -> None:
    """The CLI exits 0 clean, 1 warnings only, 2 errors; never a traceback; positions as file:line:col."""
    data, status, positioned = CLI_CASES[case]
    path = _write(tmp_path, "case.policy", data)
    proc = _run_cli("case.policy", cwd=tmp_path)
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output
    assert status == proc.returncode, output[-2000:]
    assert status == _exit_status(check(path))
    if status:
        codes = _codes(check(path))
        assert all(code in output for code in codes)
    if positioned:
        assert "case.policy:" in output
        span = next(d.span for d in check(path) if d.span is not None)
        assert f"case.policy:{span.line}:{span.column}:" in output


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_cli_unreadable_paths(kind: str, tmp_path: Path) -> None:
    """A missing file or an empty directory is E101 with exit status 2 and no traceback."""
    target = tmp_path / ("nope.policy" if kind == "missing" else "empty-dir")
    if kind == "directory":
        target.mkdir()
    proc = _run_cli(os.fspath(target))
    assert "Traceback" not in proc.stdout + proc.stderr
    assert 2 == proc.returncode
    assert "E101" in proc.stdout + proc.stderr


def test_cli_huge_file(tmp_path: Path) -> None:
    """A 50 MB file is E102 from the CLI with exit status 2."""
    path = tmp_path / "huge.policy"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    proc = _run_cli(os.fspath(path))
    assert "Traceback" not in proc.stdout + proc.stderr
    assert 2 == proc.returncode
    assert "E102" in proc.stdout


def test_cli_worst_status_over_several_files(tmp_path: Path) -> None:
    """Checking a clean, a warning-only and a broken file together exits with the worst status (2)."""
    clean = _write(tmp_path, "a.policy", _outcome("作业数 不少于 2").encode())
    warn = _write(tmp_path, "b.policy", (HEAD + "定义 多余 = 1\n合格 当 作业数 不少于 2 依据 R1\n").encode())
    assert 0 == _run_cli(os.fspath(clean)).returncode
    assert 1 == _run_cli(os.fspath(clean), os.fspath(warn)).returncode
    assert 2 == _run_cli(os.fspath(clean), os.fspath(warn), os.fspath(tmp_path / "missing.policy")).returncode
