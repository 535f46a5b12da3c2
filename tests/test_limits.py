"""Hostile and oversized input: always diagnostics and a non-zero exit, never a traceback, never unbounded work."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from trainrules import limits
from trainrules.api import check, checks, load, loads
from trainrules.check.names import did_you_mean
from trainrules.diagnostics import Diagnostic, PolicyError, Severity
from trainrules.limits import (
    MAX_DEFINITION_DEPTH,
    MAX_DIAGNOSTICS_SHOWN,
    MAX_HINT_CANDIDATES,
    MAX_HINT_NAME_CHARS,
    MAX_NESTING,
    MAX_NODES,
    MAX_POLICY_BYTES,
)
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


# ---------- depth across definitions (E104) and cycles (E309) ----------


def _chain(depth: int) -> str:
    """A policy whose pass rule nests exactly ``depth`` levels across a chain of definitions.

    ``合格 当 y0 不少于 2`` is 2 levels above y0; each ``yI = yI+1 + 1`` is 2 above the next; the
    last definition is 作业数 under ``k`` negations: k + 1 levels.
    """
    hops, k = divmod(depth - 3, 2)
    defs = "".join(f"定义 y{i} = y{i + 1} + 1 依据 R1\n" for i in range(hops))
    defs += f"定义 y{hops} = {'-' * k}作业数 依据 R1\n"
    return HEAD + defs + "合格 当 y0 不少于 2 授予 36 学时 依据 R2\n"


def _item_chain(depth: int) -> str:
    """Items each scored from the next: ``合格 当 x0 不少于 0`` nests exactly ``depth`` levels (odd)."""
    n = (depth - 5) // 2  # x0 … xn; xn = 分数 + 0 is 2 levels, each xI = xI+1 + 0 two more, the rule 2 + 1 more
    assert depth == 2 * n + 5
    items = "".join(
        f"  项目 x{i} 满分 1 依据 R1 {{\n    截止 2019-12-15 24:00 前\n"
        f"    得分 = {f'x{i + 1}' if i < n else '分数'} + 0\n  }}\n"
        for i in range(n + 1)
    )
    part = f"部分 甲 满分 {n + 1} 依据 R1 {{\n{items}}}\n"
    return HEAD + part + "合格 当 x0 不少于 0 或 作业数 不少于 0 授予 36 学时 依据 R2\n"


def _teacher(n_items: int = 0, count: str = "3") -> dict[str, object]:
    items = {f"x{i}": {"submitted_at": "2019-12-10 10:00", "score": "0"} for i in range(n_items)}
    return {"id": "T1", "school": "一中", "facts": {"作业数": count}, "items": items}


def test_a_chain_exactly_at_the_limit_checks_loads_and_evaluates() -> None:
    """128 levels across 62 definitions: no diagnostic, loads, and evaluates on Python's own stack limit."""
    assert 1000 >= sys.getrecursionlimit()  # nothing here raised it: the default stack is what is tested
    text = _chain(MAX_DEFINITION_DEPTH)
    assert [] == checks(text, name="chain.policy")
    decision = loads(text, name="chain.policy").evaluate([_teacher()]).decisions[0]
    assert ("assessed", True) == (decision.status, decision.passed)


def test_items_chained_exactly_at_the_limit_evaluate() -> None:
    """Items scored from one another up to the limit evaluate too (an item costs more stack than a 定义)."""
    text = _item_chain(MAX_DEFINITION_DEPTH - 1)
    assert [] == checks(text, name="items.policy")
    n = (MAX_DEFINITION_DEPTH - 6) // 2 + 1
    decision = loads(text, name="items.policy").evaluate([_teacher(n)]).decisions[0]
    assert ("assessed", True) == (decision.status, decision.passed), decision.reason_en


@pytest.mark.parametrize("kind", ["definitions", "items"])
def test_evaluation_at_the_limit_leaves_most_of_the_stack(kind: str) -> None:
    """At the limit, evaluation fits in 400 frames above the caller: far from Python's default 1000."""
    if kind == "definitions":
        policy, teacher = loads(_chain(MAX_DEFINITION_DEPTH), name="p.policy"), _teacher()
    else:
        policy = loads(_item_chain(MAX_DEFINITION_DEPTH - 1), name="p.policy")
        teacher = _teacher((MAX_DEFINITION_DEPTH - 6) // 2 + 1)
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + 400)
    try:
        decision = policy.evaluate([teacher]).decisions[0]
    finally:
        sys.setrecursionlimit(previous)
    assert "assessed" == decision.status, decision.reason_en


@pytest.mark.parametrize("build", [_chain, _item_chain], ids=["definitions", "items"])
def test_one_level_past_the_limit_is_e104(build: Callable[[int], str]) -> None:
    """One level more is one E104 where the chain crosses the limit, with both depths; load refuses it."""
    text = build(MAX_DEFINITION_DEPTH + 1)
    (d,) = checks(text, name="deep.policy")
    assert "E104" == d.code
    assert f"超过上限 {MAX_DEFINITION_DEPTH} 层" in d.message
    assert f"over the limit of {MAX_DEFINITION_DEPTH}" in d.message_en
    assert d.span is not None
    assert d.span.text in ("y0", "x0")  # the pass rule is the one that goes over: at its reference
    assert "" not in (d.hint, d.hint_en)
    with pytest.raises(PolicyError) as caught:
        loads(text, name="deep.policy")
    assert ["E104"] == _codes(caught.value.diagnostics)


def _negations(k: int = 16, depth: int = 60) -> str:
    defs = "".join(f"定义 d{i} = {'-' * depth}{f'd{i + 1}' if i < k - 1 else '作业数'} 依据 R1\n" for i in range(k))
    return HEAD + defs + "合格 当 d0 不少于 2 授予 36 学时 依据 R2\n"


def _cycle(n: int) -> str:
    defs = "".join(f"定义 y{i} = y{(i + 1) % (n + 1)} + 1 依据 R1\n" for i in range(n + 1))
    return HEAD + defs + "合格 当 y0 不少于 2 授予 36 学时 依据 R2\n"


ISSUE_10 = {  # the reproducers of issue 10, point 1: each crashed with RecursionError
    "249 chained definitions": (_chain(2 * 249 + 3), "E104"),
    "a chain of 250 closing into a cycle": (_cycle(249), "E309"),
    "16 definitions of 60 nested negations": (_negations(), "E104"),
    "400 chained definitions": (_chain(2 * 400 + 3), "E104"),
}


@pytest.mark.parametrize("case", sorted(ISSUE_10))
def test_issue_10_reproducers_are_one_diagnostic(case: str, tmp_path: Path) -> None:
    """Each reproducer is one diagnostic from check, load and the CLI (exit 2), never a traceback."""
    text, code = ISSUE_10[case]
    path = tmp_path / "case.policy"
    path.write_text(text, encoding="utf-8")
    assert [code] == _codes(check(path))
    with pytest.raises(PolicyError):
        load(path)
    proc = _run_cli("case.policy", cwd=tmp_path)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert 2 == proc.returncode
    assert code in proc.stdout


def test_a_long_cycle_is_named_briefly() -> None:
    """E309 for a cycle of 250 definitions names its first and last links, not all 250."""
    (d,) = checks(_cycle(249), name="c.policy")
    assert "y1 → y2 → y3 → … → y0 → y1" in d.message
    assert len(d.message) < 100


def test_items_that_score_from_each_other_are_e309() -> None:
    """Two items scored from each other are a cycle at check time, not an error for every record."""
    items = (
        "  项目 A 满分 10 依据 R1 {\n    截止 2019-12-15 24:00 前\n    得分 = B + 1\n  }\n"
        "  项目 B 满分 10 依据 R1 {\n    截止 2019-12-15 24:00 前\n    得分 = A + 1\n  }\n"
    )
    text = HEAD + f"部分 甲 满分 20 依据 R1 {{\n{items}}}\n合格 当 总分 不少于 作业数 授予 36 学时 依据 R2\n"
    (d,) = checks(text, name="c.policy")
    assert "E309" == d.code
    assert "A → B → A" in d.message or "B → A → B" in d.message


def test_a_cancel_condition_reading_its_own_items_is_e309() -> None:
    """A part cancelled by a condition on its own item would need the item to decide the item: E309."""
    items = "  项目 A 满分 10 依据 R1 {\n    截止 2019-12-15 24:00 前\n  }\n"
    part = f"部分 甲 满分 10 依据 R1 {{\n  取消 当 A 小于 1 依据 R1\n{items}}}\n"
    text = HEAD + part + "合格 当 总分 不少于 作业数 授予 36 学时 依据 R2\n"
    assert ["E309"] == _codes(checks(text, name="c.policy"))


def test_an_error_inside_a_definition_is_reported_once() -> None:
    """A definition is typed once (in dependency order), so its unknown name is one E301, not one per use."""
    text = HEAD + "定义 甲 = 未定义名 + 1 依据 R1\n合格 当 甲 + 甲 不少于 作业数 授予 36 学时 依据 R2\n"
    assert ["E301"] == _codes(checks(text, name="p.policy"))


@st.composite
def _definition_dags(draw: st.DrawFn) -> list[tuple[int, tuple[int, ...]]]:
    """Definitions d0 … dm-1, each ``k`` negations of a sum of later definitions (or of 作业数) plus 1."""
    m = draw(st.integers(1, 10))
    return [
        (draw(st.integers(0, 60)), tuple(draw(st.sets(st.integers(i + 1, m - 1), max_size=2))) if i < m - 1 else ())
        for i in range(m)
    ]


@settings(max_examples=60)
@given(_definition_dags())
def test_e104_exactly_when_the_counted_depth_is_over_the_limit(dag: list[tuple[int, tuple[int, ...]]]) -> None:
    """Law: E104 is given exactly when some expression, with what it refers to, nests over the limit (counted
    here independently); every policy accepted evaluates on the default stack."""
    depth: dict[int, int] = {}
    for i in reversed(range(len(dag))):  # d_i = -…-(d_j + d_l + 1): k levels, the sum, then its terms
        k, refs = dag[i]
        depth[i] = k + 2 + max((depth[j] for j in refs), default=0)
    defs = "".join(
        f"定义 d{i} = {'-' * k}({' + '.join([*(f'd{j}' for j in sorted(refs)), '作业数'])} + 1) 依据 R1\n"
        for i, (k, refs) in enumerate(dag)
    )
    text = HEAD + defs + "合格 当 d0 不少于 2 或 作业数 不少于 0 授予 36 学时 依据 R2\n"
    deepest = max(3 + depth[0], *depth.values())  # inside 或, 不少于: d0 is three levels down
    errors = [d.code for d in checks(text, name="dag.policy") if d.severity is Severity.ERROR]
    event("refused" if errors else "accepted")
    assert (["E104"] if deepest > MAX_DEFINITION_DEPTH else []) == sorted(set(errors))
    if not errors:
        decision = loads(text, name="dag.policy").evaluate([_teacher()]).decisions[0]
        assert ("assessed", True) == (decision.status, decision.passed)


# ---------- "did you mean", bounded ----------


def test_no_hint_for_an_overlong_name() -> None:
    """A name over MAX_HINT_NAME_CHARS gets no hint, however close a candidate is."""
    long = "甲" * (MAX_HINT_NAME_CHARS + 1)
    assert ("", "") == did_you_mean(long, [long + "乙"])
    assert "是不是" in did_you_mean(long[:-1], [long[:-2] + "乙"])[0]


def test_no_hint_past_the_diagnostics_shown() -> None:
    """Once MAX_DIAGNOSTICS_SHOWN diagnostics are collected, hints are no longer computed."""
    assert did_you_mean("入班日期", ["入班时间"], shown=MAX_DIAGNOSTICS_SHOWN - 1)[0]
    assert ("", "") == did_you_mean("入班日期", ["入班时间"], shown=MAX_DIAGNOSTICS_SHOWN)


def test_no_hint_among_too_many_candidates() -> None:
    """More than MAX_HINT_CANDIDATES names of similar length are not compared: no hint."""
    many = [f"名{i:05d}" for i in range(MAX_HINT_CANDIDATES + 1)]
    assert ("", "") == did_you_mean("名0000x", many)
    assert did_you_mean("名0000x", many[:10])[0]


def test_a_thousand_unknown_names_get_at_most_the_shown_hints() -> None:
    """1,000 unknown names against 1,000 definitions: 1,000 E301, hints only for the first ones shown."""
    width = 40
    defined = "".join(f"定义 d{i:0{width - 1}d} = 作业数 依据 R1\n" for i in range(1000))
    use = " + ".join(f"d{i:0{width - 1}d}" for i in range(1000))
    unknown = " + ".join(f"u{i:0{width - 1}d}" for i in range(1000))
    text = HEAD + defined + f"合格 当 {use} + {unknown} 不少于 2 授予 36 学时 依据 R2\n"
    diagnostics = checks(text, name="many.policy")
    assert 1000 == _codes(diagnostics).count("E301")
    hinted = [d for d in diagnostics if d.hint.startswith("是不是")]
    assert 0 < len(hinted) <= MAX_DIAGNOSTICS_SHOWN
    assert diagnostics[0].hint.startswith("是不是“d")


# ---------- path or text ----------


def test_a_mistyped_path_is_e101_file_does_not_exist(tmp_path: Path) -> None:
    """load and check take a path only: a path that does not exist is E101, never parsed as text."""
    missing = tmp_path / "plan_typo"  # no .policy suffix: formerly guessed to be policy text
    (d,) = check(missing)
    assert ("E101", "文件不存在") == (d.code, d.message.rpartition("：")[2])
    assert "no such file" in d.message_en
    with pytest.raises(PolicyError) as caught:
        load(os.fspath(missing))
    assert ["E101"] == _codes(caught.value.diagnostics)


def test_a_path_without_the_policy_suffix_is_read(tmp_path: Path) -> None:
    """Any path is read as a file, whatever its name (the first line is never echoed as a parse error)."""
    path = tmp_path / "plan.txt"
    path.write_text(_outcome("作业数 不少于 2"), encoding="utf-8")
    assert [] == check(os.fspath(path))
    assert "2019-2020第一学期教师网本研修计划" == load(path).title


def test_long_text_is_never_a_path() -> None:
    """Text over 255 bytes goes to checks/loads as text; given to check as a path it is E101, not OSError."""
    text = _outcome(" + ".join(["作业数"] * 100) + " 不少于 2")
    assert len(text.encode()) > 255
    assert [] == checks(text, name="long.policy")
    assert loads(text, name="long.policy").title
    one_line = "合格 当 " + "作业数 + " * 100 + "1 不少于 2"
    (d,) = check(one_line)
    assert "E101" == d.code
    assert "trainrules.checks(text)" in d.message
    assert len(d.message) < 200  # the text is not echoed whole as a file name


def test_path_and_text_functions_refuse_the_wrong_kind() -> None:
    """Bytes are neither a path nor text: a TypeError that names the right function."""
    with pytest.raises(TypeError, match="loads/checks"):
        check(b"x.policy")  # type: ignore[arg-type]  # the wrong type on purpose
    with pytest.raises(TypeError, match="load/check"):
        checks(b"text")  # type: ignore[arg-type]  # the wrong type on purpose


def test_the_four_entry_points_are_exported() -> None:
    """trainrules exports load/loads/check/checks."""
    import trainrules

    assert {"load", "loads", "check", "checks"} <= set(trainrules.__all__)
    assert (loads, checks) == (trainrules.loads, trainrules.checks)


# ---------- group aggregates that cannot be computed ----------

GROUP = _outcome("作业数 不少于 0") + "核查 倒数 按 学校 要求 合计(1 / 作业数) 小于 5 依据 R3\n"
GROUP_RECORDS = [
    {"id": "T1", "school": "一中", "facts": {"作业数": "0"}},
    {"id": "T2", "school": "一中", "facts": {"作业数": "2"}},
    {"id": "T3", "school": "二中", "facts": {"作业数": "4"}},
]


def test_a_group_aggregate_dividing_by_zero_is_an_error_for_that_group() -> None:
    """合计(1 / 作业数) with a 作业数 of 0: that group's finding is undecided with an error naming record and
    expression; the other group is decided; every record keeps its own decision."""
    results = loads(GROUP, name="g.policy").evaluate(GROUP_RECORDS)
    assert ["assessed"] * 3 == [d.status for d in results]
    first, second = results.groups
    assert (("学校", "一中"),) == first.group
    assert first.passed is None
    assert "编号 T1 的记录：无法计算“合计(1 / 作业数)”：除数为 0" == first.error_zh
    assert "record T1: cannot compute '合计(1 / 作业数)': division by 0" == first.error_en
    assert {"合计(1 / 作业数)": "无法计算"} == dict(first.values)  # never a partial sum
    assert {"error": first.error_zh, "error_en": first.error_en} == {
        k: v for k, v in first.to_dict().items() if k.startswith("error")
    }
    assert (True, "", {"合计(1 / 作业数)": "0.25"}) == (second.passed, second.error_zh, dict(second.values))


def test_the_group_divisor_is_warned_at_check_time() -> None:
    """W503 where the aggregate's divisor can be 0 by its declared range; none when the range excludes 0."""
    assert "W503" in _codes(checks(GROUP, name="g.policy"))
    assert "W503" not in _codes(checks(GROUP.replace("数 0 至 100", "数 1 至 100"), name="g.policy"))
    assert "W503" in _codes(checks(GROUP.replace("数 0 至 100", "数"), name="g.policy"))


def test_cli_prints_the_group_error_and_exits_1(tmp_path: Path) -> None:
    """evaluate prints the undecided group with its error and exits 1; no traceback."""
    import json

    (tmp_path / "g.policy").write_text(GROUP, encoding="utf-8")
    (tmp_path / "r.json").write_text(json.dumps(GROUP_RECORDS, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "trainrules", "evaluate", "g.policy", "r.json", "-o", "out.jsonl", "--lang", "en"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert "Traceback" not in proc.stdout + proc.stderr
    assert 1 == proc.returncode, proc.stdout + proc.stderr
    line = "check undecided: 倒数 [学校=一中] record T1: cannot compute '合计(1 / 作业数)': division by 0 (R3)"
    assert line in proc.stdout.splitlines()


# ---------- the limits, in one place ----------


def test_every_limit_is_documented_with_its_value() -> None:
    """docs/limits.md names every limit in trainrules.limits; the README links it."""
    doc = (REPO / "docs" / "limits.md").read_text(encoding="utf-8")
    assert [] == [name for name in limits.__all__ if f"`{name}`" not in doc]
    assert "docs/limits.md" in (REPO / "README.md").read_text(encoding="utf-8")
    assert f"| {MAX_DEFINITION_DEPTH} levels |" in doc


def test_record_limits_match_where_they_are_enforced() -> None:
    """The record limits stated in trainrules.limits are the ones trainrules.records and .values enforce."""
    from trainrules import records, values

    assert limits.MAX_LINE_CHARS == records.MAX_LINE_CHARS
    assert limits.MAX_JSON_FILE_BYTES == records.MAX_JSON_FILE_BYTES
    assert limits.MAX_XLSX_UNCOMPRESSED_BYTES == records.MAX_XLSX_UNCOMPRESSED_BYTES
    assert limits.MAX_RECORD_WHOLE_NUMBER == values.MAX_INT
    assert limits.MAX_RECORD_LABELS == values.MAX_LABELS
    assert limits.YEARS == (values.MIN_YEAR, values.MAX_YEAR)
    assert (limits.MAX_RECORD_INTEGER_DIGITS, limits.MAX_RECORD_FRACTION_DIGITS) == (
        values.NUMBER_LIMITS.integer_digits,
        values.NUMBER_LIMITS.fraction_digits,
    )


def test_policy_number_digits_match_the_e203_check() -> None:
    """A number with MAX_POLICY_INTEGER_DIGITS digits is accepted and one more is E203 (likewise decimals)."""
    ok = "9" * limits.MAX_POLICY_INTEGER_DIGITS + "." + "9" * limits.MAX_POLICY_FRACTION_DIGITS

    def errors(number: str) -> list[str]:
        return [c for c in _codes(checks(HEAD + f"定义 甲 = {number}\n", name="n.policy")) if c != "W601"]

    assert ([], ["E203"], ["E203"]) == (errors(ok), errors("9" + ok), errors(ok + "9"))
