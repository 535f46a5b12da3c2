"""The evaluate and explain commands around their inputs and outputs (issue 10 points 5-9, issue 9 point 5):
the policy's warnings, failed writes, Excel's row limit, the sheet read."""

from __future__ import annotations

import errno
import io
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from trainrules import limits, writers
from trainrules.cli import main

REPO = Path(__file__).resolve().parents[1]
WARNED = REPO / "tests" / "diagnostics" / "W501-deadline-after-period.policy"
POLICY_000 = REPO / "policies" / "lanxi_2021-2022_term1_career-identity.policy"
RECORDS_000 = REPO / "policies" / "examples" / "lanxi_2021-2022_term1_career-identity" / "records.json"
TEACHER = {"id": "T1", "items": {"队伍建设": {"submitted_at": "2019-12-10 10:00", "score": "18"}}}


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _records(tmp_path: Path) -> Path:
    path = tmp_path / "records.json"
    path.write_text(json.dumps([TEACHER], ensure_ascii=False), encoding="utf-8")
    return path


# --- the policy's warnings when scoring (issue 9 point 5) ----------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_evaluate_prints_the_policys_warnings_first(tmp_path: Path, lang: str) -> None:
    out = tmp_path / "out.json"
    result = _run("evaluate", WARNED, _records(tmp_path), "-o", out, "--lang", lang)
    assert result.exit_code == 0
    assert "W501" in result.stderr
    assert "^^^" in result.stderr  # rendered as check renders it, with the caret
    note = "方案有 1 个警告" if lang == "zh" else "the policy had 1 warning(s)"
    assert note in result.stdout
    assert json.loads(out.read_text(encoding="utf-8"))["decisions"][0]["id"] == "T1"


def test_evaluate_strict_refuses_a_policy_with_warnings(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = _run("evaluate", WARNED, _records(tmp_path), "-o", out, "--strict")
    assert result.exit_code == 2
    assert "W501" in result.stderr
    assert "--strict 下不予评分" in result.stderr
    assert os.listdir(tmp_path) == ["records.json"]


def test_strict_scores_a_clean_policy(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = _run("evaluate", POLICY_000, RECORDS_000, "-o", out, "--strict")
    assert result.exit_code == 1  # the examples hold deliberately bad records
    assert "警告" not in result.stderr + result.stdout
    assert out.exists()


def test_explain_prints_warnings_and_strict_refuses(tmp_path: Path) -> None:
    records = _records(tmp_path)
    shown = _run("explain", WARNED, records, "--id", "T1")
    assert shown.exit_code == 0
    assert "W501" in shown.stderr
    assert "T1" in shown.stdout
    refused = _run("explain", "--strict", WARNED, records, "--id", "T1", "--lang", "en")
    assert refused.exit_code == 2
    assert "--strict refuses to score it" in refused.stderr
    assert refused.stdout == ""


# --- failed writes (issue 10 point 5) --------------------------------------------------------


class _FullDisk(io.FileIO):
    room = 1000

    def write(self, data: bytes) -> int:  # type: ignore[override]  # the writers pass bytes
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(data)
        return super().write(data)


@pytest.mark.parametrize("name", ["out.json", "out.jsonl", "out.csv", "out.xlsx"])
def test_evaluate_on_a_full_disk(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk: a clear message in both languages, exit 2, the previous output intact, no temporary file."""
    out = tmp_path / name
    out.write_bytes(b"previous results")
    monkeypatch.setattr(writers.os, "fdopen", lambda fd, mode: io.BufferedWriter(_FullDisk(fd, "wb")))
    zh = _run("evaluate", POLICY_000, RECORDS_000, "-o", out)
    en = _run("evaluate", POLICY_000, RECORDS_000, "-o", out, "--lang", "en")
    assert (zh.exit_code, en.exit_code) == (2, 2)
    assert "磁盘空间已满" in zh.stderr
    assert "保持不变" in zh.stderr
    assert "no space left on the device" in en.stderr
    assert "Traceback" not in zh.stderr + zh.stdout
    assert (out.read_bytes(), os.listdir(tmp_path)) == (b"previous results", [name])


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (10_000, 10_000))


@pytest.mark.skipif(os.name != "posix", reason="RLIMIT_FSIZE is POSIX")
@pytest.mark.parametrize("name", ["out.json", "out.xlsx"])
def test_evaluate_past_the_file_size_limit(tmp_path: Path, name: str) -> None:
    """The installed command under RLIMIT_FSIZE: exit 2 with the cause, the previous output kept, nothing left."""
    out = tmp_path / name
    out.write_bytes(b"previous results")
    proc = subprocess.run(
        [sys.executable, "-m", "trainrules", "evaluate", str(POLICY_000), str(RECORDS_000), "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=_limit_file_size,  # only sets a resource limit in the child
    )
    assert proc.returncode == 2, proc.stderr
    assert "超过了文件大小限制" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert (out.read_bytes(), os.listdir(tmp_path)) == (b"previous results", [name])


# --- Excel's row limit (issue 10 point 9) -----------------------------------------------------


def test_evaluate_refuses_more_rows_than_excel_opens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_XLSX_ROWS", 10)
    out = tmp_path / "out.xlsx"
    result = _run("evaluate", POLICY_000, RECORDS_000, "-o", out)
    assert result.exit_code == 2
    assert "10 行" in result.stderr
    assert ".csv 或 .jsonl" in result.stderr
    assert os.listdir(tmp_path) == []
    csv_out = tmp_path / "out.csv"
    assert _run("evaluate", POLICY_000, RECORDS_000, "-o", csv_out).exit_code == 1  # CSV has no such limit
    assert len(csv_out.read_text(encoding="utf-8-sig").splitlines()) > 10


# --- the sheet read (issue 10 point 6) ------------------------------------------------------


def test_evaluate_names_the_sheet_it_read(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    stale = workbook.active
    stale.title = "上学期"
    stale.append(["编号", "队伍建设.提交时间", "队伍建设.分数"])
    stale.append(["OLD", "2019-12-10 10:00", "1"])
    stale.sheet_state = "hidden"
    current = workbook.create_sheet("本学期")
    current.append(["编号", "队伍建设.提交时间", "队伍建设.分数"])
    current.append(["T1", "2019-12-10 10:00", "18"])
    records = tmp_path / "records.xlsx"
    workbook.save(records)
    out = tmp_path / "out.json"
    result = _run("evaluate", WARNED, records, "-o", out)
    assert result.exit_code == 0
    assert "读取的工作表：本学期" in result.stdout
    assert [row["id"] for row in json.loads(out.read_text(encoding="utf-8"))["decisions"]] == ["T1"]


# --- the report's outputs (issue 12 review) ----------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [["-o", "y.json", "--report", "y.json"], ["-o", "y.csv", "--summary", "s.json", "--report", "s.json"]],
)
def test_two_outputs_naming_one_file_are_refused(
    tmp_path: Path, options: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = _run("evaluate", POLICY_000, RECORDS_000, *options)
    assert result.exit_code == 2
    assert "是同一个文件" in result.stderr
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize("target", ["a-directory", "missing/page.html"])
def test_an_unwritable_report_is_refused_before_any_work(
    tmp_path: Path, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a-directory").mkdir()

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the records were evaluated before the output was checked")

    monkeypatch.setattr("trainrules.report.collect", never)
    result = _run("report", POLICY_000, RECORDS_000, "-o", tmp_path / target)
    assert result.exit_code == 2
    assert "目录" in result.stderr or "无法在" in result.stderr


@pytest.mark.parametrize("command", ["report", "evaluate"])
def test_ctrl_c_while_the_page_is_built_keeps_the_old_page(
    tmp_path: Path, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "page.html"
    page.write_text("old", encoding="utf-8")

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("trainrules.report.collect", interrupted)
    if command == "report":
        result = _run("report", POLICY_000, RECORDS_000, "-o", page)
    else:
        result = _run("evaluate", POLICY_000, RECORDS_000, "-o", tmp_path / "r.json", "--report", page)
    assert result.exit_code == 130
    assert "已中断，未写出报告" in result.stderr
    assert page.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["page.html", *(["r.json"] if command != "report" else [])]
    )


def test_the_report_into_a_closed_pipe_says_so_and_exits_2() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before the page is written (as `| head -c 10` soon after)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "trainrules", "report", str(POLICY_000), str(RECORDS_000), "-o", "-"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            check=False,
        )
    finally:
        os.close(write_end)
    assert proc.returncode == 2
    assert "写入标准输出失败：读取的一方已关闭管道" in proc.stderr.decode("utf-8")
    assert b"Traceback" not in proc.stderr


def test_the_report_progress_bar_has_a_total_and_a_label_in_the_language(monkeypatch: pytest.MonkeyPatch) -> None:
    from trainrules.cli import _report_progress
    from trainrules.records import read_records

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    for lang, label in (("zh", "生成报告"), ("en", "building the report")):
        screen = Terminal()
        monkeypatch.setattr(sys, "stderr", screen)
        stream = read_records(RECORDS_000)
        assert stream.count is not None
        passed = list(_report_progress(stream, stream, stream.count, lang))
        assert len(passed) == stream.count
        shown = screen.getvalue()
        assert label in shown
        assert f"{stream.count}/{stream.count}" in shown
        assert "100%" in shown


def test_the_report_to_stdout_is_the_page_alone() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "trainrules", "report", str(POLICY_000), str(RECORDS_000), "-o", "-"],
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 1  # the example holds bad records
    assert proc.stdout.rstrip().endswith(b"</html>")  # nothing of the terminal summary mixed in
    assert "报告已写入 标准输出" in proc.stderr.decode("utf-8")


def test_evaluate_refuses_an_unwritable_report_before_the_results(tmp_path: Path) -> None:
    results = tmp_path / "r.json"
    result = _run("evaluate", POLICY_000, RECORDS_000, "-o", results, "--report", tmp_path / "missing" / "page.html")
    assert result.exit_code == 2
    assert "无法在" in result.stderr
    assert not results.exists()  # nothing evaluated, nothing written


def test_a_run_of_no_records_says_so(tmp_path: Path) -> None:
    """An empty records file is not a clean run of nothing: the command says that it read no teacher."""
    records = tmp_path / "empty.jsonl"
    records.write_text("", encoding="utf-8")
    policy = Path(__file__).resolve().parents[1] / "policies" / "lanxi_2019-2020_term1_online-school.policy"
    result = CliRunner().invoke(main, ["evaluate", str(policy), str(records), "-o", str(tmp_path / "out.jsonl")])
    assert "没有读到任何教师记录" in result.output
