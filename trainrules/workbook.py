"""The auditor's workbook (``evaluate -o results.xlsx``): 汇总, 明细, 核查, 记录有误, 假设, in Chinese or English.

One :class:`WorkbookWriter` per run: :meth:`~WorkbookWriter.write` adds one teacher's row to 明细 as the
decisions stream by (the sheet goes to a scratch file, so memory does not grow with the number of
teachers); :meth:`~WorkbookWriter.close` takes the run's :class:`~trainrules.run.RunSummary` and writes
the other sheets, then zips the workbook into the writers' temporary file and renames it onto the
target (``writers.ResultWriter``: all of it, or the earlier file untouched).

Written with XlsxWriter in its ``constant_memory`` mode (benchmarks/bench_workbook.py compares it with
openpyxl's write-only mode): it writes each sheet's column widths when the sheet is closed, so the widths
fit every row written, not only the first ones. Every sheet: widths fitted to the content (CJK
characters count double, ``source.display_width``), the header row frozen and repeated on every printed
page, filters on (except 汇总, which is not one table), landscape, fitted to the page width.

Numbers are numeric cells holding the exact decimal text of the ``Decimal`` (``61.53`` is written as
``61.53``, never through a float); Excel keeps 15 significant digits, so a number with more is written
as its exact text instead of being rounded quietly. Text cells that a spreadsheet would run as a
formula get a leading ``'`` (``writers._neutralize``), and no string is ever read as a formula or a link.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from trainrules import limits
from trainrules.evaluate import aggregate_text
from trainrules.explain import Explanation, change_lines, explain
from trainrules.records import RawRecord, ReadProblem
from trainrules.results import STATUS_WORDS, TIMELINESS_WORDS, VERDICT_WORDS, Decision, GroupFinding
from trainrules.run import RunSummary, policy_info
from trainrules.source import display_width
from trainrules.values import decimal_text
from trainrules.writers import (
    _XLSX_ILLEGAL,
    OutputError,
    ResultWriter,
    _neutralize,
    _too_many_rows,
    _write_failed,
    direct_target,
)

if TYPE_CHECKING:
    from trainrules.api import Policy
    from trainrules.evaluate import Evaluator

__all__ = ["SHEETS", "WorkbookWriter", "open_workbook"]

Lang = Literal["zh", "en"]

#: The sheets, in order: (Chinese name, English name).
SHEETS: Final = (
    ("汇总", "Summary"),
    ("明细", "Teachers"),
    ("核查", "Checks"),
    ("记录有误", "Errors"),
    ("假设", "Assumptions"),
)
_WIDEST: Final = 80  # a column is never wider than this (long sentences wrap in the cell instead)
_EXCEL_DIGITS: Final = 15  # significant digits Excel keeps


def _cell(value: object) -> object:
    """The value as written: exact Decimals (as text past Excel's 15 digits), neutralised, cleaned text."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise OutputError(f"不能写出非有限数 {value}", f"cannot write the non-finite number {value}")
        if value.is_zero():
            return Decimal(0)
        if len(value.as_tuple().digits) > _EXCEL_DIGITS:
            return decimal_text(value)  # Excel would round it: keep it exact, as text
        return value
    return _neutralize(_XLSX_ILLEGAL.sub("\ufffd", str(value)))


class _Sheet:
    """One worksheet written row by row, remembering each column's widest cell."""

    def __init__(self, book: Any, name: str, formats: dict[str, Any], *, table: bool = True) -> None:
        self.sheet = book.add_worksheet(name)
        self.formats = formats
        self.table = table
        self.rows = 0
        self.columns = 0
        self.widths: list[int] = []
        self.percent: set[int] = set()

    def header(self, names: Sequence[str]) -> None:
        self.row(names, self.formats["header"])

    def row(self, values: Sequence[object], fmt: Any = None, *, percent: Iterable[int] = ()) -> None:
        if self.rows >= limits.MAX_XLSX_ROWS:
            raise OverflowError
        pct = set(percent)
        for col, raw in enumerate(values):
            value = _cell(raw)
            self._fit(col, value, col in pct)
            if value is None:
                continue
            if isinstance(value, Decimal | int) and not isinstance(value, bool):
                self.sheet.write_number(self.rows, col, value, self.formats["percent"] if col in pct else fmt)
            elif isinstance(value, bool):
                self.sheet.write_boolean(self.rows, col, value, fmt)
            else:
                self.sheet.write_string(self.rows, col, value, fmt)
        self.columns = max(self.columns, len(values))
        self.rows += 1

    def _fit(self, col: int, value: object, percent: bool) -> None:
        while len(self.widths) <= col:
            self.widths.append(0)
        if value is None:
            return
        if isinstance(value, Decimal):
            width = len(decimal_text(value)) + (3 if percent else 0)
        else:
            width = max((display_width(line) for line in str(value).splitlines()), default=0)
        if width > self.widths[col]:
            self.widths[col] = width

    def finish(self, freeze_columns: int = 0) -> None:
        """Widths, frozen header, filter and print settings (called before the workbook is closed)."""
        ws = self.sheet
        for col, width in enumerate(self.widths):
            wrap = width > _WIDEST
            ws.set_column(col, col, min(width, _WIDEST) + 2, self.formats["wrap"] if wrap else None)
        if self.rows:
            ws.freeze_panes(1, freeze_columns)
            ws.repeat_rows(0)
        if self.table and self.rows > 1 and self.columns:
            ws.autofilter(0, 0, self.rows - 1, self.columns - 1)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)  # one page wide, as many pages tall as it takes
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer("&C&P / &N")


class _Guard:
    """The temporary file as XlsxWriter sees it. Once the write is abandoned every call does nothing, so the
    zip archive that XlsxWriter leaves unclosed after an error (a full disk) can be collected later without
    touching the closed file (its finaliser would raise otherwise)."""

    def __init__(self, file: Any) -> None:
        self.file = file
        self.live = True
        self.pos = 0  # where the abandoned archive thinks it is

    def write(self, data: bytes) -> int:
        if self.live:
            return int(self.file.write(data))
        self.pos += len(data)
        return len(data)

    def tell(self) -> int:
        return int(self.file.tell()) if self.live else self.pos

    def seek(self, offset: int, whence: int = 0) -> int:
        if self.live:
            return int(self.file.seek(offset, whence))
        self.pos = offset if whence == 0 else self.pos + offset
        return self.pos

    def flush(self) -> None:
        if self.live:
            self.file.flush()

    def abandon(self) -> None:
        """Stop writing to the file (it is about to be closed and removed)."""
        if self.live:
            with contextlib.suppress(OSError, ValueError):  # closed already, or the disk is gone
                self.pos = int(self.file.tell())
            self.live = False


class WorkbookWriter(ResultWriter):
    """The auditor's workbook, written atomically; see the module docstring.

    Use :func:`open_workbook` in a ``with`` block; call :meth:`write` for every decision, in order,
    and :meth:`finish` with the run's summary before the block ends.
    """

    def __init__(
        self,
        path: Path,
        policy: Policy,
        lang: Lang = "zh",
        evaluator: Evaluator | None = None,
        changes_limit: int = limits.MAX_WORKBOOK_CHANGES,
        records_file: str | None = None,
    ) -> None:
        self.policy = policy
        self.lang: Lang = lang
        self.evaluator = evaluator
        self.changes_limit = changes_limit
        self.changes_done = 0
        self.changes_skipped = 0
        self._finished = False
        self._current: RawRecord | ReadProblem | None = None
        self._ex: Explanation | None = None
        self._columns = _columns(policy, lang)
        from trainrules import __version__

        #: The run as this writer saw it (every decision written is added); :meth:`finish` completes it.
        self.summary = RunSummary(policy_info(policy), __version__, records_file=records_file)
        self.summary.pass_rule = policy.plan.outcome is not None
        super().__init__(path, None)

    # ----- words -----
    def _w(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def _pick(self, pair: tuple[str, str]) -> str:
        return pair[0] if self.lang == "zh" else pair[1]

    # ----- the file -----
    def _start(self) -> None:
        import xlsxwriter

        scratch = self._scratch_base.with_suffix(".d")  # beside the temporary file (for a device: in /tmp)
        os.mkdir(scratch, 0o700)
        self._scratch = scratch  # only now ours to remove
        self._guard = _Guard(self._file)
        self._book: Any = xlsxwriter.Workbook(
            self._guard,
            {
                "constant_memory": True,  # one row in memory per sheet; the rest goes to the scratch directory
                "tmpdir": str(scratch),
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self._book.use_zip64()
        book = self._book
        formats = {
            "header": book.add_format({"bold": True, "bottom": 1, "bg_color": "#DDEBF7", "text_wrap": False}),
            "title": book.add_format({"bold": True, "font_size": 13}),
            "section": book.add_format({"bold": True, "bg_color": "#DDEBF7"}),
            "percent": book.add_format({"num_format": "0.00%"}),
            "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
            "bad": book.add_format({"font_color": "#9C0006"}),
        }
        names = [self._pick(pair) for pair in SHEETS]
        self._summary = _Sheet(book, names[0], formats, table=False)
        self._detail = _Sheet(book, names[1], formats)
        self._checks = _Sheet(book, names[2], formats)
        self._errors = _Sheet(book, names[3], formats)
        self._assumptions = _Sheet(book, names[4], formats)
        self._formats = formats
        self._detail.header([header for header, _ in self._columns])

    def tap(self, records: Iterable[RawRecord | ReadProblem]) -> Iterator[RawRecord | ReadProblem]:
        """Pass ``records`` on to the evaluator, remembering the one being decided: :meth:`write` needs a
        failed teacher's record to search the smallest changes that would pass."""
        for record in records:
            self._current = record
            yield record

    def write(self, row: Any) -> None:
        """Add one teacher (a :class:`Decision`) to 明细."""
        if not self._open:
            raise OutputError("输出文件已关闭", "the output file is already closed")
        d: Decision = row
        self.summary.add(d)
        self._ex = self.explanation(d)  # read by the 差额 and 最小改变 columns
        try:
            self._detail.row([value(d, self) for _, value in self._columns])
        except OverflowError:
            self.abort()
            raise _too_many_rows(self.path) from None
        except OSError as exc:
            self.abort()
            raise _write_failed(self.path, exc) from exc

    def finish(
        self,
        groups: Iterable[GroupFinding] = (),
        school_problems: Iterable[ReadProblem] = (),
        entry_problems: Iterable[ReadProblem] = (),
        *,
        summary: RunSummary | None = None,
    ) -> None:
        """Write 汇总, 核查, 记录有误 and 假设 (before the ``with`` block ends).

        Args:
            groups: the run's group findings (``Evaluator.group_findings()``).
            school_problems: school records that could not be used.
            entry_problems: entries whose teacher no record has.
            summary: a summary the caller filled itself (then the other arguments are not used); by default
                the one this writer filled from the decisions it wrote.
        """
        if summary is None:
            summary = self.summary
            summary.add_problems("school", school_problems)
            summary.add_problems("entry", entry_problems)
            summary.finish(groups)
        try:
            _write_summary(self, summary)
            _write_checks(self, summary.groups)
            _write_errors(self, summary)
            _write_assumptions(self)
        except OSError as exc:
            self.abort()
            raise _write_failed(self.path, exc) from exc
        self._finished = True

    def _finish(self) -> None:
        import xlsxwriter.exceptions

        if not self._finished:
            raise OutputError("工作簿缺少汇总（未调用 finish）", "the workbook has no summary (finish was not called)")
        self._detail.finish(freeze_columns=2)
        for sheet in (self._summary, self._checks, self._errors, self._assumptions):
            sheet.finish()
        try:
            self._book.close()
        except xlsxwriter.exceptions.FileCreateError as exc:  # XlsxWriter's wrapper of the OSError
            raise (exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else OSError(str(exc))) from exc
        self._remove_scratch()

    def _discard(self) -> None:
        guard = getattr(self, "_guard", None)
        if guard is not None:
            guard.abandon()
        book = getattr(self, "_book", None)
        if book is not None:
            for sheet in book.worksheets():  # close the row files XlsxWriter keeps open
                with contextlib.suppress(Exception):  # already closed, or the disk is gone: let go all the same
                    sheet._opt_close()
        self._remove_scratch()

    def _remove_scratch(self) -> None:
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)  # a later run removes what cannot be removed now

    # ----- the smallest changes -----
    def explanation(self, d: Decision) -> Explanation | None:
        """The shortfall and smallest changes for a failed teacher (None: not failed, or not searched)."""
        if d.status != "assessed" or d.passed is not False or self.evaluator is None:
            return None
        raw = self._current
        if not isinstance(raw, RawRecord) or raw.index != d.index:
            return None
        if self.changes_done >= self.changes_limit:
            self.changes_skipped += 1
            return None
        self.changes_done += 1
        return explain(self.evaluator, raw)


def open_workbook(
    path: str | os.PathLike[str],
    policy: Policy,
    lang: Lang = "zh",
    evaluator: Evaluator | None = None,
    *,
    rows: int | None = None,
    records_file: str | None = None,
    changes_limit: int = limits.MAX_WORKBOOK_CHANGES,
) -> WorkbookWriter:
    """Open the auditor's workbook for writing (atomically, like every writer).

    Args:
        path: the target ``.xlsx``; its directory must exist.
        policy: the policy of the run (its names become the headers).
        lang: the language of the headers and the engine's words (the policy's own names stay as written).
        evaluator: the run's evaluator; with it, 明细 gives each failed teacher's smallest passing changes
            (for the first ``changes_limit`` failed teachers; the rest say that they were not searched).
        rows: how many teachers will be written, when known: more than a sheet holds is refused now.
        records_file: the records file's name, for 汇总.
        changes_limit: how many failed teachers to search at most.

    Raises:
        OutputError: the target is a directory, more ``rows`` than a sheet holds, or the temporary file
            cannot be created.
    """
    target = Path(path)
    direct_target(target)  # refuses a directory (or a socket…) now; a device or a pipe is written directly
    if rows is not None and rows + 1 > limits.MAX_XLSX_ROWS:
        raise _too_many_rows(target)
    return WorkbookWriter(target, policy, lang, evaluator, changes_limit, records_file)


# ---------- 明细 ----------

Column = tuple[str, Callable[[Decision, WorkbookWriter], object]]


def _columns(policy: Policy, lang: Lang) -> list[Column]:
    """明细's columns: (header, value of one decision), from the policy's own names."""
    zh = lang == "zh"
    plan = policy.plan

    def w(a: str, b: str) -> str:
        return a if zh else b

    def word(pair: tuple[str, str]) -> str:
        return pair[0] if zh else pair[1]

    cols: list[Column] = [
        (w("编号", "id"), lambda d, _: d.id),
        (w("姓名", "name"), lambda d, _: d.name),
        (w("学校", "school"), lambda d, _: d.school),
        (w("学科", "subject"), lambda d, _: d.subject),
        (w("状态", "status"), lambda d, _: word(STATUS_WORDS[d.status])),
        (
            w("结论", "outcome"),
            lambda d, _: word(VERDICT_WORDS[d.passed]) if d.status == "assessed" else word(STATUS_WORDS[d.status]),
        ),
    ]

    def item_cols(name: str, scored: bool, banded: bool) -> list[Column]:
        def get(d: Decision) -> Any:
            return next((i for i in d.items if i.name == name), None)

        out: list[Column] = []
        if scored:
            out.append((f"{name} {w('得分', 'points')}", lambda d, _: (i := get(d)) and i.points))
        out.append(
            (
                f"{name} {w('按时', 'on time')}",
                lambda d, _: (i := get(d)) and word(TIMELINESS_WORDS.get(i.timeliness, (i.timeliness,) * 2)),
            )
        )
        if banded:
            out.append((f"{name} {w('档次', 'band')}", lambda d, _: (i := get(d)) and i.band))
        return out

    def part_cols(name: str, banded: bool) -> list[Column]:
        def get(d: Decision) -> Any:
            return next((p for p in d.parts if p.name == name), None)

        out: list[Column] = [(f"{name} {w('得分', 'points')}", lambda d, _: (p := get(d)) and _part_points(p, zh))]
        if banded:
            out.append((f"{name} {w('档次', 'band')}", lambda d, _: (p := get(d)) and p.band))
        return out

    for part in plan.parts:
        for it in part.items:
            cols += item_cols(it.name, it.max_points is not None, bool(it.bands) or bool(it.grades))
        cols += part_cols(part.name, part.grading is not None)
    if plan.parts:
        cols += [
            (w("总分", "total"), lambda d, _: d.total),
            (w("满分", "maximum"), lambda d, _: d.max_total),
        ]
    if plan.unit is not None:
        unit = plan.unit
        cols.append((w(f"认定{unit}", f"granted ({unit})"), lambda d, _: d.hours if d.status == "assessed" else None))
    if plan.certificates:
        cols.append((w("证书", "certificates"), lambda d, _: "、".join(d.certificates) or None))
    for c in plan.checks:
        cols.append((f"{c.name} {w('核查', 'check')}", _check_value(c.name, zh)))
    for r in plan.results:
        cols.append((f"{r.name} {w('结果', 'result')}", _result_value(r.name, zh)))
        if r.grading is not None:
            cols.append((f"{r.name} {w('档次', 'band')}", _result_band(r.name)))
    for q in plan.requirements.values():
        summed = w("（各值合计）", " (sum over values)") if q.each is not None else ""  # as 名称.已计/需/欠 read
        for line in q.lines:
            head = q.name if line.label is None else f"{q.name}·{line.label}"
            gap = w("欠", "owed") if line.op in (">=", ">") else w("超出", "over")
            cols += [
                (f"{head} {w('已计', 'credited')}{summed}", _line_value(q.name, line.label, 0)),
                (f"{head} {w('需', 'needed')}{summed}", _line_value(q.name, line.label, 1)),
                (f"{head} {gap}{summed}", _line_value(q.name, line.label, 2)),
            ]
        cols.append((f"{q.name} {w('达到', 'met')}", _requirement_met(q.name, zh)))
    cols += [
        (w("说明", "reason"), lambda d, _: d.reason_zh if zh else d.reason_en),
        (w("差额", "short by"), lambda d, book: _shortfall(d, book)),
        (w("最小改变（任一项即可合格）", "smallest changes (any one passes)"), lambda d, book: _changes(d, book)),
        (w("记录问题", "record problems"), lambda d, _: _problems(d, zh)),
        (w("位置", "location"), lambda d, _: d.location),
    ]
    return cols


def _part_points(p: Any, zh: bool) -> object:
    if p.cancelled:
        return "已取消" if zh else "cancelled"
    if not p.applicable:
        return "不适用" if zh else "not applicable"
    return p.points


def _yes_no(value: bool | None, zh: bool) -> str:
    if value is None:
        return "不适用" if zh else "not applicable"
    return ("是" if value else "否") if zh else ("yes" if value else "no")


def _check_value(name: str, zh: bool) -> Callable[[Decision, WorkbookWriter], object]:
    def get(d: Decision, _: WorkbookWriter) -> object:
        c = next((c for c in d.checks if c.name == name), None)
        return None if c is None else _yes_no(c.passed if c.applicable else None, zh)

    return get


def _result_value(name: str, zh: bool) -> Callable[[Decision, WorkbookWriter], object]:
    from trainrules.evaluate import fmt_value

    def get(d: Decision, _: WorkbookWriter) -> object:
        r = next((r for r in d.results if r.name == name), None)
        if r is None:
            return None
        if not r.applicable:
            return "不适用" if zh else "not applicable"
        if isinstance(r.value, Decimal):
            return r.value
        if isinstance(r.value, bool):
            return _yes_no(r.value, zh)
        return None if r.value is None else fmt_value(r.value)

    return get


def _result_band(name: str) -> Callable[[Decision, WorkbookWriter], object]:
    def get(d: Decision, _: WorkbookWriter) -> object:
        r = next((r for r in d.results if r.name == name), None)
        return None if r is None else r.band

    return get


def _line_value(name: str, label: str | None, n: int) -> Callable[[Decision, WorkbookWriter], object]:
    """Credited (0), needed (1) or owed/over (2) of a requirement line: with 逐 the sums over the values."""

    def get(d: Decision, _: WorkbookWriter) -> object:
        q = next((q for q in d.requirements if q.name == name), None)
        totals = None if q is None else q.totals(label)
        return None if totals is None else totals[n]

    return get


def _requirement_met(name: str, zh: bool) -> Callable[[Decision, WorkbookWriter], object]:
    def get(d: Decision, _: WorkbookWriter) -> object:
        q = next((q for q in d.requirements if q.name == name), None)
        if q is None:
            return None
        return _yes_no(q.met, zh) if q.applicable else ("不适用（视为达到）" if zh else "not applicable (met)")

    return get


def _problems(d: Decision, zh: bool) -> str | None:
    if not d.problems:
        return None
    sep = "；" if zh else "; "
    return sep.join(
        f"{p.field}: {p.message_zh if zh else p.message_en}" if p.field else (p.message_zh if zh else p.message_en)
        for p in d.problems
    )


def _shortfall(d: Decision, book: WorkbookWriter) -> object:
    return None if book._ex is None else book._ex.shortfall


def _changes(d: Decision, book: WorkbookWriter) -> object:
    ex = book._ex
    if d.status != "assessed" or d.passed is not False:
        return None
    zh = book.lang == "zh"
    if ex is None:
        if book.evaluator is None:
            return None
        return (
            f"未搜索（只为前 {book.changes_limit:,} 名不合格教师搜索）：用 trainrules explain --id {d.id} 查看"
            if zh
            else f"not searched (only the first {book.changes_limit:,} failed teachers are): "
            f"see trainrules explain --id {d.id}"
        )
    return ("；" if zh else "; ").join(change_lines(ex, book.lang))


# ---------- 汇总 ----------


def _write_summary(book: WorkbookWriter, s: RunSummary) -> None:
    sheet, f, w = book._summary, book._formats, book._w
    zh = book.lang == "zh"
    p = s.policy
    sheet.row([w("培训考核结果汇总", "Training assessment: summary")], f["title"])
    facts: list[tuple[str, object]] = [
        (w("方案", "plan"), p.title),
        (w("方案名称", "plan name"), p.name),
        (w("来源文件", "source document"), p.source_document),
        (w("期间", "period"), p.period),
        (w("方案文件", "policy file"), p.file),
        ("SHA-256", p.sha256),
        (w("时区", "time zone"), p.time_zone),
        (w("记录文件", "records file"), s.records_file),
        (w("工具版本", "tool version"), f"trainrules {s.tool_version}"),
        (w("开始时间（UTC）", "started (UTC)"), s.started_at),
        (w("结束时间（UTC）", "finished (UTC)"), s.finished_at),
        (
            w("方案警告", "policy warnings"),
            (f"{len(p.warnings)} 个（结果可能受其影响）" if zh else f"{len(p.warnings)} (the results may be affected)")
            if p.warnings
            else w("无", "none"),
        ),
    ]
    facts += [(w("警告", "warning"), line) for line in p.warnings]
    facts += [
        (w(f"假设 {n}（--set）", f"assumption {n} (--set)"), w(f"{new}（原值 {old}）", f"{new} (was {old})"))
        for n, old, new in p.overrides
    ]
    for key, value in facts:
        sheet.row([key, value])
    sheet.row([])

    sheet.row([w("记录数", "records"), w("人数", "count")], f["section"])
    evaluated = s.records_in - s.counts["error"]
    counts = [
        (w("读入教师记录", "teacher records in"), s.records_in),
        (w("已评估", "evaluated"), evaluated),
        *(
            (w("  其中 ", "  of which ") + book._pick(STATUS_WORDS[k]), s.counts[k])
            for k in ("assessed", "not_enrolled", "exempt")
        ),
        (w("记录有误（教师记录）", "record errors (teachers)"), s.counts["error"]),
        (w("无法使用的学校记录与条目", "unusable school records and entries"), len(s.errors) - s.counts["error"]),
        (w("无法判定的组核查", "group checks undecided"), s.undecided_groups),
    ]
    for key, value in counts:
        sheet.row([key, value])
    if s.pass_rule:
        sheet.row([w("合格", "passed"), s.passed])
        sheet.row([w("不合格", "not passed"), s.judged - s.passed])
        if s.pass_not_applicable:  # not failures: left out of the rate (RunSummary.pass_rate)
            sheet.row(
                [
                    w("合格规则不适用（不计入合格率）", "pass rule not applicable (not in the rate)"),
                    s.pass_not_applicable,
                ]
            )
        sheet.row([w("合格率（已考核者）", "pass rate (assessed)"), s.pass_rate], percent=[1])
    else:
        sheet.row([w("合格", "passed"), w("本方案没有合格规则：只评分，不判合格", "no pass rule: scored only")])
    if book.changes_skipped:
        sheet.row(
            [
                w("最小改变", "smallest changes"),
                w(
                    f"只为前 {book.changes_limit:,} 名不合格教师搜索，另有 {book.changes_skipped:,} 名未搜索",
                    f"searched for the first {book.changes_limit:,} failed teachers; {book.changes_skipped:,} not",
                ),
            ]
        )
    sheet.row([])

    if s.pass_rule:
        for title, table in ((w("学校", "school"), s.by_school), (w("学科", "subject"), s.by_subject)):
            sheet.row([title, w("已考核", "assessed"), w("合格", "passed"), w("合格率", "pass rate")], f["section"])
            for key, tally in sorted(table.items()):
                sheet.row([key, tally.assessed, tally.passed, tally.rate], percent=[3])
            sheet.row([])
    if s.requirements:
        sheet.row(
            [w("要求", "requirement"), w("适用", "applicable"), w("达到", "met"), w("达到率", "rate")], f["section"]
        )
        for key, tally in s.requirements.items():
            sheet.row([key, tally.assessed, tally.passed, tally.rate], percent=[3])
        sheet.row([])
    if s.totals:
        sheet.row([w("总分", "total"), w("人数", "teachers")], f["section"])
        for label, n in _distribution(s, book):
            sheet.row([label, n])
        sheet.row([])
    if s.counts["assessed"]:
        sheet.row(
            [w("失分原因（已考核者，可重复计）", "points lost to (assessed; may overlap)"), w("人数", "teachers")],
            f["section"],
        )
        for key, value in (
            (w("逾期", "lateness"), s.losses.late),
            (w("未提交", "missing work"), s.losses.missing),
            (w("提交无效", "invalid work"), s.losses.invalid),
            (w("学校逾期或未报送", "the school (late or not reported)"), s.losses.school),
        ):
            sheet.row([key, value])
        sheet.row([])
    if s.groups:
        passed = sum(1 for g in s.groups if g.passed is True)
        failed = sum(1 for g in s.groups if g.passed is False)
        sheet.row([w("组核查（见“核查”表）", "group checks (see Checks)"), w("组数", "groups")], f["section"])
        for key, value in (
            (w("通过", "passed"), passed),
            (w("未通过", "failed"), failed),
            (w("无法判定", "undecided"), s.undecided_groups),
        ):
            sheet.row([key, value])


def _distribution(s: RunSummary, book: WorkbookWriter) -> list[tuple[str, int]]:
    """Totals in bands of a tenth of the plan's maximum (10 points of 100), the last band closed."""
    top = book.policy.plan.max_total
    if top is None or top <= 0:
        top = max(s.totals)
    width = top / 10 if top > 0 else Decimal(1)
    counts = [0] * 10
    below = above = 0
    for total, n in s.totals.items():
        if total < 0:
            below += n
        elif total > top:
            above += n
        else:
            counts[min(int(total / width), 9)] += n
    out = [] if not below else [(book._w("低于 0", "below 0"), below)]
    for k in range(10):
        low, high = decimal_text(width * k), decimal_text(width * (k + 1))
        out.append((f"[{low}, {high}]" if k == 9 else f"[{low}, {high})", counts[k]))
    if above:
        out.append((book._w(f"高于 {decimal_text(top)}", f"above {decimal_text(top)}"), above))
    return out


# ---------- 核查 ----------


def _number(text: str) -> object:
    try:
        value = Decimal(text)
    except ArithmeticError:
        return text
    return value if value.is_finite() else text


def _is_number(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except ArithmeticError:
        return False


def _write_checks(book: WorkbookWriter, groups: Sequence[GroupFinding]) -> None:
    sheet, w = book._checks, book._w
    zh = book.lang == "zh"
    plan = book.policy.plan
    conditions = {c.name: c.cond.text for c in plan.group_checks}
    #: A bound written as a plain number (学校.培训课程数 不少于 2) is in no finding's values: the policy's own.
    literal = {
        c.name: c.cond.parts[1].text
        for c in plan.group_checks
        if c.cond.op in ("<", "<=", ">", ">=", "==") and len(c.cond.parts) == 2 and _is_number(c.cond.parts[1].text)
    }
    sheet.header(
        [
            w("核查", "check"),
            w("分组", "group"),
            w("结论", "outcome"),
            w("要求", "requirement"),
            w("依据", "rule"),
            w("条文", "clause"),
            w("计数", "count"),
            w("基数（已考核人数）", "base (teachers assessed)"),
            w("限度", "limit"),
            w("计入的教师", "teachers counted"),
            w("各项数值", "values"),
        ]
    )
    for g in groups:
        described = g.described or tuple((k, k, v) for k, v in g.values)
        labels = [(zh_label if zh else en_label, value) for zh_label, en_label, value in described]
        bounds = {label for label, _ in labels if label.split(" ", 1)[0] in _BOUND_WORDS}
        funcs = {aggregate_text(f, a, c): f for f, a, c in _aggregates(plan, g.check)}  # value label -> function
        counted = [v for k, v in g.values if funcs.get(k) == "计数"]
        base = next((v for k, v in g.values if funcs.get(k) == "人数"), None)
        limit = next((f"{label.split(' ', 1)[1]} = {value}" for label, value in labels if label in bounds), None)
        if limit is None and g.check in literal:
            limit = literal[g.check]
        named = []
        for (_, _, ids), total in zip(g.members, counted, strict=False):
            more = w(f" 等（共 {total} 人）", f" and more ({total} in all)") if str(len(ids)) != total else ""
            named.append(("、" if zh else ", ").join(ids) + more)
        outcome = (
            w("无法判定", "undecided")
            if g.passed is None
            else w("通过", "passed")
            if g.passed
            else w("未通过", "failed")
        )
        values = ("；" if zh else "; ").join(f"{label} {value}" for label, value in labels)
        if g.error_zh:
            values = (g.error_zh if zh else g.error_en) + (("；" if zh else "; ") + values if values else "")
        sheet.row(
            [
                g.check,
                ("，" if zh else ", ").join(f"{k}：{v}" if zh else f"{k}: {v}" for k, v in g.group),
                outcome,
                conditions.get(g.check),
                ", ".join(g.rule_ids),
                g.section,
                _number(counted[0]) if counted else None,
                None if base is None else _number(base),
                limit,
                ("；" if zh else "; ").join(n for n in named if n) or None,
                values or None,
            ],
            book._formats["bad"] if g.passed is not True else None,
        )


#: The words evaluate.py puts before the bound of a group check (上限 向下取整(5% × 7)).
_BOUND_WORDS: Final = frozenset(
    {"上限", "上限（不含）", "下限", "下限（不含）", "应为", "limit", "minimum", "required"}
)


def _aggregates(plan: Any, check: str) -> tuple[tuple[str, Any, Any], ...]:
    return next((c.aggregates for c in plan.group_checks if c.name == check), ())


# ---------- 记录有误 ----------


def _write_errors(book: WorkbookWriter, s: RunSummary) -> None:
    sheet, w = book._errors, book._w
    kinds = {"teacher": w("教师记录", "teacher"), "school": w("学校记录", "school"), "entry": w("条目", "entry")}
    sheet.header([w("类型", "kind"), w("位置", "location"), w("编号", "id"), w("字段", "field"), w("问题", "problem")])
    for e in s.errors:
        sheet.row(
            [
                kinds.get(e.kind, e.kind),
                e.location,
                e.id,
                ", ".join(e.fields) or None,
                e.message_zh if book.lang == "zh" else e.message_en,
            ]
        )


# ---------- 假设 ----------


def _write_assumptions(book: WorkbookWriter) -> None:
    sheet, w = book._assumptions, book._w
    sep = "、" if book.lang == "zh" else ", "
    sheet.header(
        [
            w("类型", "kind"),
            w("名称", "name"),
            w("取值", "value"),
            w("内容", "text"),
            w("依据", "rule"),
            w("使用它的规则", "rules that use it"),
            w("行", "line"),
        ]
    )
    for a in book.policy.assumptions():
        value = a.value
        if a.overridden_from is not None:
            value = w(f"{a.value}（--set，原值 {a.overridden_from}）", f"{a.value} (--set; was {a.overridden_from})")
        sheet.row(
            [
                w("假设", "assumption"),
                a.name,
                value,
                a.text,
                ", ".join(a.rule_ids),
                sep.join(a.relied_on_by) or None,
                a.line,
            ]
        )
    for u in book.policy.unencoded():
        rule = ", ".join(u.rule_ids) + (f"（{u.section}）" if u.section else "")
        sheet.row([w("不编码", "not encoded"), None, None, u.text, rule, None, u.line])
