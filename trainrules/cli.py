"""The command line (click): the only module that prints or exits."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Any, Literal, NoReturn, Protocol

import attrs
import click
import orjson

from trainrules import schemas
from trainrules.api import Policy, UnencodedInfo, analyse_file, iter_policy_files, load, orphan_problems
from trainrules.diagnostics import PolicyError, Severity
from trainrules.evaluate import Evaluator
from trainrules.explain import Explanation, explain, render_explanation
from trainrules.limits import MAX_DIAGNOSTICS_SHOWN, MAX_ENTRIES_SHOWN
from trainrules.params import ParamError, parse_settings
from trainrules.records import (
    EntriesIndex,
    RawRecord,
    ReadProblem,
    RecordsFileError,
    RecordStream,
    attach_entries,
    read_entries,
    read_records,
    read_schools,
)
from trainrules.render import diagnostic_to_dict, render_text, summary_line
from trainrules.results import Decision, RequirementResult
from trainrules.run import RunSummary
from trainrules.values import ValueProblem, parse_text
from trainrules.workbook import WorkbookWriter, open_workbook
from trainrules.writers import (
    STDOUT,
    OutputError,
    OutputFormat,
    ResultWriter,
    open_text,
    open_writer,
    output_format,
    write_text_atomic,
)

__all__ = ["main"]

Lang = Literal["zh", "en"]
_LANG = click.Choice(["zh", "en"])
_FORMAT = click.Choice(["text", "json"])


def _dump(data: object) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2, default=str).decode("utf-8") + "\n")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="trainrules")
def main() -> None:
    """trainrules: teacher-training plans as checkable, executable policy."""


@main.command("check")
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=_FORMAT, default="text", help="text for people, json for editors and tools.")
@click.option(
    "--assumptions", is_flag=True, help="Also list each policy's assumptions (rulings the source does not state)."
)
@click.option("--lang", type=_LANG, default="zh", help="Language of the engine's own words.")
def check_cmd(paths: tuple[str, ...], fmt: str, assumptions: bool, lang: Lang) -> None:
    """Check policy files (or directories of them). Exit 0 clean, 1 only warnings, 2 errors."""
    worst = 0
    report = []
    for path in iter_policy_files(list(paths)):
        checked, diags = analyse_file(path)
        errors = any(d.severity is Severity.ERROR for d in diags)
        worst = max(worst, 2 if errors or checked is None else 1 if diags else 0)
        infos = []
        unencoded = []
        if assumptions and not errors and checked is not None:
            loaded = load(path)
            infos, unencoded = loaded.assumptions(), loaded.unencoded()
        if fmt == "json":
            report.append(
                {
                    "file": path,
                    "diagnostics": [diagnostic_to_dict(d) for d in diags],
                    "assumptions": [attrs.asdict(a) for a in infos] if assumptions else None,
                    "unencoded": [attrs.asdict(u) for u in unencoded] if assumptions else None,
                }
            )
            continue
        if diags:
            click.echo(render_text(diags, lang), err=False)
            click.echo("")
        click.echo(f"{path}: {summary_line(diags, lang)}")
        if assumptions and infos:
            click.echo(_assumptions_text(infos, lang))
        if assumptions and unencoded:
            click.echo(_unencoded_text(unencoded, lang))
    if fmt == "json":
        _dump({"schema": "trainrules.check/1", "files": report})
    sys.exit(worst)


@main.command("schema")
@click.argument("name", required=False, type=click.Choice(schemas.NAMES))
def schema_cmd(name: str | None) -> None:
    """Print the JSON Schema NAME of what evaluate writes (without NAME: list the names).

    decision, group and run describe one decision, one group finding and the run summary;
    results the JSON file, jsonl-line one line of a JSON Lines file, summary the --summary file.
    """
    if name is None:
        click.echo("\n".join(schemas.NAMES))
        return
    sys.stdout.write(schemas.text(name))


def _assumptions_text(infos: list, lang: Lang) -> str:  # type: ignore[type-arg]  # list of AssumptionInfo
    lines = [f"  {len(infos)} 条假设：" if lang == "zh" else f"  {len(infos)} assumption(s):"]
    for a in infos:
        ids = ", ".join(a.rule_ids)
        value = f" = {a.value}" if a.value else ""
        lines.append(
            f"  - {a.name}{value}  [{ids}]  ({'第' if lang == 'zh' else 'line '}{a.line}{'行' if lang == 'zh' else ''})"
        )
        lines.append(f"      {a.text}")
        if a.relied_on_by:
            head = "被依赖：" if lang == "zh" else "relied on by: "
            lines.append(f"      {head}{'、'.join(a.relied_on_by)}")
    return "\n".join(lines)


def _unencoded_text(infos: list[UnencodedInfo], lang: Lang) -> str:
    zh = lang == "zh"
    lines = [f"  {len(infos)} 条未编码的条文：" if zh else f"  {len(infos)} clause(s) not encoded:"]
    for u in infos:
        where = f"{'第' if zh else 'line '}{u.line}{'行' if zh else ''}"
        section = f" “{u.section}”" if u.section else ""
        lines.append(f"  - [{', '.join(u.rule_ids)}]{section}  ({where})")
        lines.append(f"      {u.text}")
    return "\n".join(lines)


def _load_or_exit(path: str, lang: Lang, settings: tuple[str, ...] = ()) -> Policy:
    try:
        return load(path).with_params(parse_settings(settings))
    except PolicyError as exc:
        click.echo(render_text(exc.diagnostics, lang), err=True)
        sys.exit(2)
    except ParamError as exc:
        click.echo(
            f"{'错误' if lang == 'zh' else 'error'}: {exc.message_zh if lang == 'zh' else exc.message_en}", err=True
        )
        sys.exit(2)


_SET_HELP = (
    "Use VALUE for the assumption NAME (假设 NAME = …) in this run: --set 寒假研修学时=10 (repeatable). A percentage"
    " needs its % (--set 折算=50%); a number is read in the assumption's unit (10 = 10 学时), or write a unit that"
    " converts (--set 年度上限=10天)."
)


_STRICT_HELP = "Refuse (exit 2) to score a policy that has any warning."
#: ``--schools``/``--groups``: the same option on every command that reads records.
_SCHOOLS_OPTION = click.option(
    "--schools",
    "--groups",
    "schools_path",
    default=None,
    help="School and other group records (县, 市…), if not in RECORDS (.json/.jsonl/.csv/.xlsx).",
)
_REPORT_HELP = "Also write the auditor's report: one self-contained HTML page (see `trainrules report`)."
_ENTRIES_HELP = (
    "A list's entries in long format, one row per entry with a 教师编号 column: LIST=FILE "
    "(.csv/.xlsx/.json/.jsonl; in an xlsx the sheet named LIST). Repeatable, one per list."
)


def _policy_for_scoring(path: str, lang: Lang, strict: bool, settings: tuple[str, ...] = ()) -> Policy:
    """Load the policy (with ``--set`` values); print its warnings on stderr as ``check`` does; with ``strict``,
    refuse to go on."""
    policy = _load_or_exit(path, lang, settings)
    if policy.warnings:
        click.echo(render_text(policy.warnings, lang), err=True)
        click.echo(f"{path}: {summary_line(policy.warnings, lang)}", err=True)
    if strict and policy.warnings:
        count = len(policy.warnings)
        click.echo(
            f"错误: 方案有 {count} 个警告，--strict 下不予评分：请先修正方案（trainrules check {path}）"
            if lang == "zh"
            else f"error: the policy has {count} warning(s), and --strict refuses to score it: "
            f"fix the policy first (trainrules check {path})",
            err=True,
        )
        sys.exit(2)
    return policy


def _schools(records: str, schools: str | None) -> list[RawRecord | ReadProblem]:
    if schools is not None:
        return read_schools(schools, separate=True)
    if records.lower().endswith((".json", ".jsonl", ".xlsx")):
        return read_schools(records)
    return []


def _columns(policy: Policy) -> list[str]:
    cols = [
        "index",
        "location",
        "id",
        "name",
        "school",
        "subject",
        "status",
        "total",
        "max_total",
        "passed",
        "hours",
        "unit",
        "reason",
    ]
    for part in policy.plan.parts:
        cols += [f"parts.{part.name}.points", f"parts.{part.name}.cancelled"]
        for it in part.items:
            cols += [f"items.{it.name}.points", f"items.{it.name}.timeliness", f"items.{it.name}.band"]
    for r in policy.plan.results:
        cols += [f"results.{r.name}.value"] + ([f"results.{r.name}.band"] if r.grading is not None else [])
    for name in policy.plan.requirements:
        cols += [f"requirements.{name}.{k}" for k in ("met", "credited", "needed", "owed")]
    return [*cols, "certificates", "checks", "problems"]


def _row(d: Decision, tabular: bool, explanation: bool, lang: Lang = "zh") -> dict[str, object]:
    row = d.to_dict(explanation=explanation and not tabular, lang=lang)
    if tabular:  # numbers as numeric cells, so clerks can sum them in Excel; one language per sheet
        zh = lang == "zh"
        row.update(total=d.total, max_total=d.max_total, hours=d.hours)
        row["items"] = {i.name: {**i.to_dict(lang, reasons=False), "points": i.points} for i in d.items}
        row["parts"] = {p.name: {**p.to_dict(lang, reasons=False), "points": p.points} for p in d.parts}
        row["results"] = {r.name: {**r.to_dict(), "value": r.value} for r in d.results}
        row["requirements"] = {  # the main line's numbers (with 逐 the sums over the values); every line is in the json
            r.name: {"met": r.met, **_requirement_cells(r)} for r in d.requirements
        }
        messages = [(p.field, p.message_zh if zh else p.message_en) for p in d.problems]
        row["problems"] = ("；" if zh else "; ").join(f"{f}: {m}" if f else m for f, m in messages)
        yes, no, na = ("是", "否", "不适用") if zh else ("yes", "no", "not applicable")
        row["checks"] = ("；" if zh else "; ").join(
            f"{c.name}: {(yes if c.passed else no) if c.applicable else na}" for c in d.checks
        )
    return row


def _requirement_cells(r: RequirementResult) -> dict[str, object]:
    """The main line's credited/needed/owed: with 逐 the sums over the values, the numbers 名称.已计/需/欠 read."""
    totals = r.totals()
    return {} if totals is None else dict(zip(("credited", "needed", "owed"), totals, strict=True))


class Sink(Protocol):
    """Where a run's decisions go: the results file, ``--summary``, the workbook, the report.

    Used as a context manager: a normal exit completes the output (atomically), an exception discards it.
    ``run_evaluation`` opens each from an opener ``(stream) -> Sink``: the results file (:func:`_open_results`,
    where an xlsx writer of its own plugs in), ``--summary`` (:class:`_SummaryFile`), and any other output
    is one more opener in ``evaluate_cmd``'s list.
    """

    def __enter__(self) -> Sink: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def add(self, d: Decision) -> None:
        """One decision, in input order."""

    def finish(self, run: RunSummary) -> None:
        """The finished run (its group findings in ``run.groups``), after the last decision."""


class _Rows:
    """One results file fed with decisions: each becomes a row (``Decision.to_dict`` in one language, or the
    flat cells of CSV and the plain xlsx sheet), and the run's group findings and summary follow the rows."""

    def __init__(self, writer: ResultWriter, tabular: bool, explanation: bool, lang: Lang) -> None:
        self.writer, self.tabular, self.explanation, self.lang = writer, tabular, explanation, lang

    def __enter__(self) -> _Rows:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.writer.__exit__(exc_type, exc, tb)

    def add(self, d: Decision) -> None:
        self.writer.write(_row(d, self.tabular, self.explanation, self.lang))

    def finish(self, run: RunSummary) -> None:
        self.writer.set_tail([g.to_dict(self.lang) for g in run.groups], run.to_dict())


class _Book:
    """The auditor's workbook (trainrules/workbook.py) as a sink: 明细 row by row, the other sheets from the run."""

    def __init__(self, writer: WorkbookWriter) -> None:
        self.writer = writer

    def __enter__(self) -> _Book:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.writer.__exit__(exc_type, exc, tb)

    def tap(self, records: Iterable[RawRecord | ReadProblem]) -> Iterator[RawRecord | ReadProblem]:
        """The records on their way to the evaluator (a failed teacher's smallest changes need its record)."""
        return self.writer.tap(records)

    def add(self, d: Decision) -> None:
        self.writer.write(d)

    def finish(self, run: RunSummary) -> None:
        self.writer.finish(summary=run)


def _open_results(
    output: str,
    fmt: OutputFormat | None,
    policy: Policy,
    explanation: bool,
    lang: Lang,
    rows: int | None,
    *,
    evaluator: Evaluator | None = None,
    records_file: str | None = None,
) -> Sink:
    """The results file: ``.json``/``.jsonl``/``.csv`` (or ``-`` with ``--format``), or the auditor's workbook
    ``.xlsx`` (trainrules/workbook.py), written atomically.

    ``rows``: how many records, when known (an xlsx that could not hold them is refused before anything is written).
    ``evaluator``: the run's, for the workbook's smallest passing changes of failed teachers.
    """
    fmt = output_format(output, fmt)
    if fmt == "xlsx" and output != STDOUT:  # to standard output: open_writer below refuses it, with the reason
        return _Book(open_workbook(output, policy, lang, evaluator, rows=rows, records_file=records_file))
    tabular = fmt in ("csv", "xlsx")
    writer = open_writer(output, fmt, columns=_columns(policy) if tabular else None, rows=rows)
    return _Rows(writer, tabular, explanation, lang)


def _progress(stream: RecordStream) -> Any:  # a tqdm bar (tqdm has no type information)
    """A progress bar on stderr, only when it is a terminal: by bytes of a .jsonl/.csv, by records of a .json."""
    from tqdm import tqdm

    quiet = not sys.stderr.isatty()
    if stream.size is not None:
        return tqdm(total=stream.size, unit="B", unit_scale=True, file=sys.stderr, disable=quiet, mininterval=0.5)
    return tqdm(total=stream.count, unit=" 条", file=sys.stderr, disable=quiet, mininterval=0.5)


def run_evaluation(
    policy: Policy,
    records: str,
    openers: list[Callable[[RecordStream, Evaluator], Sink]],
    *,
    schools_path: str | None = None,
    entry_files: tuple[str, ...] = (),
    explanation: bool = False,
    lang: Lang = "zh",
    records_name: str | None = None,
    say: Callable[[str], None] = click.echo,
) -> RunSummary:
    """Evaluate every record of ``records`` into the sinks ``openers`` open and one :class:`RunSummary`.

    Each opener is called with the record stream (``stream.count``: how many records, when known) for
    one sink (the results file, ``--summary``, …); each sink gets every decision (``add``), then the
    finished run (``finish``), then is closed; an exception (a write failure, Ctrl-C) aborts them
    all, so no output is left half written. Problems found on the way (unusable school records,
    entries without a teacher, undecided or failed group checks) are printed (the group findings with
    ``say``, the record-level ones on stderr); the caller prints the summary.

    Raises:
        RecordsFileError, OutputError: an input cannot be read or an output cannot be written.
    """
    stream = read_records(records, lists=[spec.name for spec in policy.plan.lists])
    indexes = _entry_indexes(policy, records, stream, entry_files)
    ev = policy.evaluator(_schools(records, schools_path))
    run = RunSummary.start(
        policy, records_file=records_name or records, records_sheet=stream.sheet, lang=lang, explanation=explanation
    )
    run.unused_columns = ev.unused_columns(stream.columns, os.path.basename(records_name or records))
    if run.unused_columns:
        sep = "、" if lang == "zh" else ", "
        click.echo(f"{'未使用的列：' if lang == 'zh' else 'unused columns: '}{sep.join(run.unused_columns)}", err=True)
    from trainrules.evaluate import Recorder

    with contextlib.ExitStack() as stack:
        sinks = [stack.enter_context(opener(stream, ev)) for opener in openers]
        bar = stack.enter_context(_progress(stream))
        by_bytes, done = stream.size is not None, 0
        feed: Iterable[RawRecord | ReadProblem] = attach_entries(stream, indexes)
        for sink in sinks:  # a sink that needs the records themselves (the workbook) sees them on their way
            tap = getattr(sink, "tap", None)
            if tap is not None:
                feed = tap(feed)
        for n, d in enumerate(ev.run(feed, Recorder if explanation else None), 1):
            for sink in sinks:
                sink.add(d)
            run.add(d)
            if not n % 256:
                position = stream.bytes_read() if by_bytes else n
                if position is not None and position > done:
                    bar.update(position - done)
                    done = position
        bar.update(max(0, (stream.size or 0 if by_bytes else run.records_in) - done))
        run.add_problems("school", ev.school_read_problems)
        run.add_problems("entry", orphan_problems(indexes))
        run.finish(ev.group_findings())
        for sink in sinks:
            sink.finish(run)
    zh = lang == "zh"
    for problem in ev.school_read_problems:  # school records that could not be used: say so, and exit 1
        click.echo(f"{'学校记录' if zh else 'school record'} {problem.location}: {_words(problem, lang)}", err=True)
    _report_orphans(indexes, lang)
    for g in run.groups:
        group = "，".join(f"{k}={v}" for k, v in g.group)
        if g.error_zh:  # the check cannot be decided for this group: an error, like a bad record (exit 1)
            say(
                f"{'核查无法判定' if zh else 'check undecided'}: {g.check} [{group}] "
                f"{g.error_zh if zh else g.error_en} ({', '.join(g.rule_ids)})"
            )
        elif g.passed is not True:
            values = ("，" if zh else "; ").join(f"{a if zh else b} {v}" for a, b, v in g.described) or "，".join(
                f"{k}={v}" for k, v in g.values
            )
            say(f"{'核查未通过' if zh else 'check failed'}: {g.check} [{group}] {values} ({', '.join(g.rule_ids)})")
    return run


def _words(error: ReadProblem | RecordsFileError | OutputError, lang: Lang) -> str:
    return error.message_zh if lang == "zh" else error.message_en


@contextlib.contextmanager
def _records_input(records: str, fmt: str | None) -> Iterator[str]:
    """The records file to read: ``records`` itself, or for ``-`` standard input copied to a private temporary
    file named ``stdin.<format>`` (the readers check a whole file before its first record), removed after."""
    if records != "-":
        yield records
        return
    if fmt is None:
        raise RecordsFileError(
            "从标准输入读取记录（-）时请用 --input-format（或 --format）指明格式：json、jsonl、csv 或 xlsx",
            "reading records from standard input (-) needs --input-format (or --format): json, jsonl, csv or xlsx",
        )
    with tempfile.TemporaryDirectory(prefix="trainrules-stdin-") as directory:
        path = os.path.join(directory, f"stdin.{fmt}")
        with open(path, "wb") as copy:
            shutil.copyfileobj(sys.stdin.buffer, copy, 1 << 20)
        yield path


_FORMATS = click.Choice(["json", "jsonl", "csv", "xlsx"])


@main.command("evaluate")
@click.argument("policy_path", metavar="POLICY")
@click.argument("records", metavar="RECORDS")
@click.option(
    "-o",
    "--output",
    required=True,
    help="Results file: .json, .jsonl, .csv or .xlsx (written atomically); - for standard output (with --format).",
)
@click.option(
    "--format",
    "fmt",
    type=_FORMATS,
    default=None,
    help="The results' format where -o has no suffix (-o -); also the records' format for RECORDS - "
    "unless --input-format says otherwise.",
)
@click.option(
    "--input-format", "input_fmt", type=_FORMATS, default=None, help="The records' format when RECORDS is - (stdin)."
)
@_SCHOOLS_OPTION
@click.option(
    "--summary",
    "summary_path",
    default=None,
    help="Also write the run summary and group findings to this JSON file (for CSV and xlsx results).",
)
@click.option(
    "--explain",
    "with_explanation",
    is_flag=True,
    help="Include each decision's derivation (and every item's reason) in json/jsonl output.",
)
@click.option("--lang", type=_LANG, default="zh", help="Language of the engine's own words, in outputs too.")
@click.option("--strict", is_flag=True, help=_STRICT_HELP)
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE", help=_SET_HELP)
@click.option("--entries", "entry_files", multiple=True, metavar="LIST=FILE", help=_ENTRIES_HELP)
@click.option("--report", "report_path", default=None, metavar="FILE.html", help=_REPORT_HELP)
def evaluate_cmd(
    policy_path: str,
    records: str,
    output: str,
    fmt: OutputFormat | None,
    input_fmt: str | None,
    schools_path: str | None,
    summary_path: str | None,
    with_explanation: bool,
    lang: Lang,
    strict: bool,
    settings: tuple[str, ...] = (),
    entry_files: tuple[str, ...] = (),
    report_path: str | None = None,
) -> None:
    """Score every record of RECORDS under POLICY.

    RECORDS - reads standard input and -o - writes standard output (give --format); the summary
    then goes to stderr. The policy's warnings are printed on stderr first (``--strict``: refused,
    exit 2). Exit 0 all evaluated, 1 some records had errors, 2 unreadable (or a write failed:
    the previous output is kept), 130 interrupted (nothing written).
    """
    zh = lang == "zh"
    to_stdout = output == STDOUT

    def say(text: str) -> None:  # the terminal summary: never mixed into results on stdout
        click.echo(text, err=to_stdout)

    policy = _policy_for_scoring(policy_path, lang, strict, settings)
    if report_path is not None:
        _refuse_input_as_output(report_path, (records, schools_path, policy_path, output, *entry_files), lang)
    inputs = (records, schools_path, policy_path, *(f.partition("=")[2] for f in entry_files))
    for target in (output, summary_path):
        clash = next((p for p in inputs if p and target and _same_file(target, p)), None)
        if clash is not None:
            zh_text, en_text = (
                f"输出文件 {target} 就是输入文件 {clash}：换一个输出文件名",
                f"{target} is the input {clash}: choose another",
            )
            click.echo(f"错误: {zh_text}" if zh else f"error: the output file {en_text}", err=True)
            sys.exit(2)
    if summary_path is not None and (
        summary_path == STDOUT or os.path.abspath(summary_path) == os.path.abspath(output)
    ):
        click.echo(
            f"错误: --summary 需要一个不同于结果文件的文件名（不能是 {summary_path}）"
            if zh
            else f"error: --summary needs a file other than the results (not {summary_path})",
            err=True,
        )
        sys.exit(2)
    _refuse_one_file_twice((("-o", output), ("--summary", summary_path), ("--report", report_path)), lang)
    if report_path is not None and report_path != STDOUT:  # refuse an unwritable page now, not after the results
        try:
            open_text(report_path).abort()  # creates the temporary file beside it, then removes it
        except OutputError as exc:
            click.echo(f"{'错误' if zh else 'error'}: {_words(exc, lang)}", err=True)
            sys.exit(2)
    previous = signal.signal(signal.SIGTERM, _interrupt)  # `kill`: clean up like Ctrl-C, leave no temporary file
    try:
        with _records_input(records, input_fmt or fmt) as path:
            openers: list[Callable[[RecordStream, Evaluator], Sink]] = [
                lambda stream, ev: _open_results(
                    output, fmt, policy, with_explanation, lang, rows=stream.count, evaluator=ev, records_file=records
                )
            ]
            if summary_path is not None:
                openers.append(lambda stream, ev: _SummaryFile(summary_path, lang))
            run = run_evaluation(
                policy,
                path,
                openers,
                schools_path=schools_path,
                entry_files=entry_files,
                explanation=with_explanation,
                lang=lang,
                records_name=records,
                say=say,
            )
    except (RecordsFileError, OutputError) as exc:
        click.echo(f"{'错误' if zh else 'error'}: {_words(exc, lang)}", err=True)
        if to_stdout:  # e.g. the reader of a pipe (| head) stopped: let the exit's flush of stdout go nowhere
            with contextlib.suppress(OSError, ValueError):  # stdout without a file descriptor: nothing to redirect
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(2)
    except KeyboardInterrupt:  # the writer has removed its temporary file; 130 is the shell's code for Ctrl-C
        click.echo("已中断，未写出结果" if zh else "interrupted: no results written", err=True)
        sys.exit(130)
    finally:
        signal.signal(signal.SIGTERM, previous)
    say(run.summary_text(lang))
    if run.records_in == 0:  # an empty file or a wrong sheet: say so rather than report a clean run of nothing
        click.echo(
            "注意：没有读到任何教师记录（文件为空，或只有表头？）"
            if zh
            else "note: no teacher records were read (an empty file, or only a header?)",
            err=True,
        )
    say(f"{'结果已写入' if zh else 'results written to'} {'标准输出' if to_stdout and zh else output}")
    if report_path is not None:  # the report evaluates (and explains) the records again, on its own
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            _write_report(
                policy,
                records,
                schools_path,
                entry_files,
                lang,
                report_path,
                quiet_stdout=to_stdout,
                count=run.records_in,
            )
        except KeyboardInterrupt:  # the results are written (said above); the earlier page is kept
            _interrupted_report(lang)
        finally:
            signal.signal(signal.SIGTERM, previous)
    sys.exit(1 if run.error_count else 0)


class _SummaryFile:
    """``--summary FILE``: the run's group findings and summary as one JSON document, written atomically."""

    def __init__(self, path: str, lang: Lang) -> None:
        self.path, self.lang, self.text = path, lang, ""

    def __enter__(self) -> _SummaryFile:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            write_text_atomic(self.path, self.text)

    def add(self, d: Decision) -> None:
        """Decisions are in the results file."""

    def finish(self, run: RunSummary) -> None:
        document = {"groups": [g.to_dict(self.lang) for g in run.groups], "run": run.to_dict()}
        self.text = orjson.dumps(document, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"


def _interrupt(signum: int, frame: object) -> None:
    """Turn a termination request into the interruption that every ``with`` block cleans up after."""
    raise KeyboardInterrupt


def _refuse_one_file_twice(outputs: tuple[tuple[str, str | None], ...], lang: Lang) -> None:
    """Exit 2 when two outputs name one file (the same path, or one file through links): the second would
    silently replace the first (``-o y.json --report y.json``)."""
    given = [(option, path) for option, path in outputs if path is not None]
    for i, (first, a) in enumerate(given):
        for second, b in given[i + 1 :]:
            if a == b or os.path.abspath(a) == os.path.abspath(b) or _same_file(a, b):
                click.echo(
                    f"错误: {first} 与 {second} 是同一个文件（{b}）：后写的会覆盖先写的，请换一个文件名"
                    if lang == "zh"
                    else f"error: {first} and {second} name the same file ({b}): the second would replace the first; "
                    "choose another name",
                    err=True,
                )
                sys.exit(2)


def _same_file(a: str, b: str) -> bool:
    """Whether two paths name one existing file (also through links), so writing one would destroy the other."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # either does not exist (yet): they cannot be the same file
        return False


def _record_id(record: RawRecord) -> str | None:
    """The record's id as evaluation reads it (text or a whole number), or None when it has none."""
    try:
        value = record.fields.get("id")
        return parse_text(value) or None if value is not None else None
    except ValueProblem:
        return None


#: ``explain --status``: the decisions to explain (failed: assessed under a pass rule and not passed).
_WANTED = click.Choice(["failed", "passed", "scored", "assessed", "not_enrolled", "exempt", "error"])


def _wanted(d: Decision, status: str) -> bool:
    if status == "failed":
        return d.status == "assessed" and d.passed is False
    if status == "passed":
        return d.status == "assessed" and d.passed is True
    if status == "scored":
        return d.status == "assessed" and d.passed is None
    return d.status == status


@main.command("explain")
@click.option("--strict", is_flag=True, help=_STRICT_HELP)
@click.argument("policy_path", metavar="POLICY")
@click.argument("records", metavar="RECORDS")
@click.option("--id", "teacher_ids", multiple=True, help="A teacher's id (编号); give it several times for several.")
@click.option(
    "--status", "status", type=_WANTED, default=None, help="Explain every teacher with this outcome (failed: 不合格)."
)
@_SCHOOLS_OPTION
@click.option("--format", "fmt", type=_FORMAT, default="text")
@click.option(
    "-o", "--output", default=None, help="Write the explanations to this file (atomically) instead of stdout."
)
@click.option(
    "--lang", type=_LANG, default="zh", help="Language of the engine's own words (the policy's labels stay Chinese)."
)
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE", help=_SET_HELP)
@click.option("--entries", "entry_files", multiple=True, metavar="LIST=FILE", help=_ENTRIES_HELP)
def explain_cmd(
    policy_path: str,
    records: str,
    teacher_ids: tuple[str, ...],
    status: str | None,
    schools_path: str | None,
    fmt: str,
    output: str | None,
    lang: Lang,
    strict: bool,
    settings: tuple[str, ...] = (),
    entry_files: tuple[str, ...] = (),
) -> None:
    """Explain teachers' decisions: outcome, shortfall, smallest passing changes, and the derivation.

    Give --id (one or more) and/or --status (all teachers with that outcome, among those ids if given).
    The policy's warnings are printed on stderr first (``--strict``: refused, exit 2).
    Exit 0, 1 when an explained record is an error, 2 when an id is not found or a file cannot be read.
    """
    zh = lang == "zh"
    if not teacher_ids and status is None:
        click.echo("请给出 --id 或 --status" if zh else "give --id or --status", err=True)
        sys.exit(2)
    policy = _policy_for_scoring(policy_path, lang, strict, settings)
    ids = [t.strip() for t in teacher_ids]
    explained: list[Explanation] = []
    try:
        if output is not None and any(_same_file(output, p) for p in (records, schools_path, policy_path) if p):
            raise OutputError(f"输出文件 {output} 就是输入文件", f"the output file {output} is an input file")
        ev = policy.evaluator(_schools(records, schools_path))
        stream = read_records(records, lists=[spec.name for spec in policy.plan.lists])
        every = list(attach_entries(stream, _entry_indexes(policy, records, stream, entry_files)))
        raws = [r for r in every if isinstance(r, RawRecord)]
        if status is not None:
            # A second evaluator tracks ids as evaluate does (a repeated id is an error there too).
            run = policy.evaluator(_schools(records, schools_path))
            for record in every:  # unreadable rows too: they are errors in evaluate
                d = run.decide(record)
                mine = not ids or (isinstance(record, RawRecord) and _record_id(record) in ids)
                if _wanted(d, status) and mine:
                    explained.append(Explanation(decision=d) if d.status == "error" else explain(ev, record))
        else:
            for teacher_id in ids:
                matches = [r for r in raws if _record_id(r) == teacher_id]
                if not matches:
                    click.echo(f"没有编号为 {teacher_id}的记录" if zh else f"no record with id {teacher_id}", err=True)
                    sys.exit(2)
                if len(matches) > 1:
                    where = ", ".join(r.location for r in matches)
                    click.echo(
                        f"注意：编号 {teacher_id} 出现 {len(matches)} 次（{where}）；"
                        "以下说明第一条，其余各条在 evaluate 中记为错误"
                        if zh
                        else f"note: the id {teacher_id} appears {len(matches)} times ({where}); explaining the first, "
                        "the others are errors in evaluate",
                        err=True,
                    )
                explained.append(explain(ev, matches[0]))
        if fmt == "json":
            data: object = [e.to_dict(lang) for e in explained]
            if status is None and len(ids) == 1:
                data = explained[0].to_dict(lang)
            text = orjson.dumps(data, option=orjson.OPT_INDENT_2, default=str).decode("utf-8") + "\n"
        else:
            text = "\n\n".join(render_explanation(e, lang) for e in explained) + ("\n" if explained else "")
        if output is not None:
            write_text_atomic(output, text)
        else:
            sys.stdout.write(text)
    except (RecordsFileError, OutputError) as exc:
        click.echo(f"{'错误' if zh else 'error'}: {exc.message_zh if zh else exc.message_en}", err=True)
        sys.exit(2)
    if status is not None or output is not None:
        click.echo(f"已说明 {len(explained)} 名教师" if zh else f"{len(explained)} teacher(s) explained", err=True)
    sys.exit(1 if any(e.decision.status == "error" for e in explained) else 0)


def _entry_indexes(
    policy: Policy, records: str, stream: RecordStream, entry_files: tuple[str, ...]
) -> list[EntriesIndex]:
    """Read each list's long-format entries: from ``--entries LIST=FILE``, else from the records workbook's
    sheet named after the list. A list that CSV/xlsx records leave without entries is refused (api)."""
    specs = {spec.name: spec for spec in policy.plan.lists}
    given: dict[str, EntriesIndex] = {}
    for option in entry_files:
        name, equals, path = (part.strip() for part in option.partition("="))
        if not equals or not name or not path:
            raise RecordsFileError(
                f"--entries 的写法是 列表名=文件（如 --entries 培训记录=events.csv），而不是“{option}”",
                f"--entries takes LIST=FILE (e.g. --entries 培训记录=events.csv), not {option!r}",
            )
        if name in given:
            raise RecordsFileError(f"--entries {name} 给了两次", f"--entries {name} is given twice")
        spec = specs.get(name)
        fields = [f.key for f in spec.fields] if spec is not None else None
        given[name] = read_entries(path, name, fields=fields) if spec is not None else EntriesIndex(name, path)
    for name, spec in specs.items():  # a sheet named after the list, in the teachers' own workbook
        if name not in given and stream.format == "xlsx" and name in (sheet.strip() for sheet in stream.sheets):
            given[name] = read_entries(records, name, fields=[f.key for f in spec.fields])
    return policy.entry_indexes(stream, given)


def _report_orphans(indexes: list[EntriesIndex], lang: Lang) -> int:
    """Print the entries whose teacher no record has (one line per teacher id); return how many entries."""
    problems = orphan_problems(indexes)
    zh = lang == "zh"
    for index in indexes:
        for shown, (teacher, locations) in enumerate(index.orphans()):
            if shown == MAX_DIAGNOSTICS_SHOWN:
                rest = len(index.orphans()) - shown
                click.echo(f"……另有 {rest} 个编号" if zh else f"... and {rest} more ids", err=True)
                break
            where = "、".join(locations[:MAX_ENTRIES_SHOWN]) + (
                f" 等 {len(locations)} 条" if len(locations) > MAX_ENTRIES_SHOWN else ""
            )
            click.echo(
                f"条目无所属教师: {index.list_name} {where}：编号 {teacher} 没有（可读的）教师记录"
                if zh
                else f"entries without a teacher: {index.list_name} {where}: no (readable) teacher record has the id "
                f"{teacher}",
                err=True,
            )
    return len(problems)


def _refuse_input_as_output(output: str, inputs: tuple[str | None, ...], lang: Lang) -> None:
    """Exit 2 when ``output`` names one of ``inputs`` (``LIST=FILE`` options count by their file), or when the
    records come from stdin (``-``): the report reads them a second time."""
    if inputs and inputs[0] == "-":
        click.echo(
            "错误: 报告要再读一遍记录：请给出记录文件，而不是 -（标准输入）"
            if lang == "zh"
            else "error: the report reads the records again: give a records file, not - (stdin)",
            err=True,
        )
        sys.exit(2)
    clash = next((p for p in inputs if p and _same_file(output, p.partition("=")[2] or p)), None)
    if clash is not None:
        click.echo(
            f"错误: 输出文件 {output} 就是输入文件 {clash}：换一个输出文件名"
            if lang == "zh"
            else f"error: the output file {output} is the input {clash}: choose another",
            err=True,
        )
        sys.exit(2)


def _write_report(
    policy: Policy,
    records: str,
    schools_path: str | None,
    entry_files: tuple[str, ...],
    lang: Lang,
    output: str,
    *,
    quiet_stdout: bool = False,
    count: int | None = None,
) -> int:
    """Evaluate and explain every record again and write the report page atomically; return the run's errors.

    The page's file is opened first, so an unwritable ``output`` is refused before any work. ``count``: how
    many records there are, when known (``evaluate`` has just counted them), for the progress bar.
    Exits 2 when a file cannot be read or the page cannot be written (nothing is written then);
    Ctrl-C propagates (the earlier page is kept).
    """
    from trainrules.report import collect

    zh = lang == "zh"
    try:
        with open_text(output) as page:
            schools = _schools(records, schools_path)
            stream = read_records(records, lists=[spec.name for spec in policy.plan.lists])
            indexes = _entry_indexes(policy, records, stream, entry_files)
            teachers = _report_progress(attach_entries(stream, indexes), stream, count or stream.count, lang)
            built = collect(policy, teachers, schools, records_file=records, lang=lang)
            built.summary.add_problems("entry", orphan_problems(indexes))
            page.write_text(built.render())
    except (RecordsFileError, OutputError) as exc:
        click.echo(f"{'错误' if zh else 'error'}: {_words(exc, lang)}", err=True)
        if output == STDOUT:  # the reader of a pipe (| head) stopped: let the exit's flush of stdout go nowhere
            with contextlib.suppress(OSError, ValueError):  # stdout without a file descriptor: nothing to redirect
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(2)
    shown = ("标准输出" if zh else "standard output") if output == STDOUT else output
    click.echo(f"{'报告已写入' if zh else 'report written to'} {shown}", err=quiet_stdout or output == STDOUT)
    return built.summary.error_count


def _report_progress(
    teachers: Iterable[RawRecord | ReadProblem], stream: RecordStream, count: int | None, lang: Lang
) -> Iterator[RawRecord | ReadProblem]:
    """The records on their way into the report, with a progress bar on stderr (a terminal only): by records
    when their number is known, else by bytes of the file; total, percentage and time left, labelled in ``lang``."""
    from tqdm import tqdm

    zh = lang == "zh"
    by_bytes = count is None and stream.size is not None
    bar = tqdm(
        total=stream.size if by_bytes else count,
        unit="B" if by_bytes else (" 条" if zh else " records"),
        unit_scale=by_bytes,
        desc="生成报告" if zh else "building the report",
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        mininterval=0.5,
    )
    with bar:
        done = n = 0
        for n, teacher in enumerate(teachers, 1):  # n is read after the loop too
            yield teacher
            position = stream.bytes_read() if by_bytes else n
            if position is not None and position - done >= (1 << 16 if by_bytes else 64):
                bar.update(position - done)
                done = position
        end = (stream.size or 0) if by_bytes else n
        bar.update(max(0, end - done))


def _interrupted_report(lang: Lang) -> NoReturn:
    click.echo("已中断，未写出报告" if lang == "zh" else "interrupted: no report written", err=True)
    sys.exit(130)


@main.command("report")
@click.argument("policy_path", metavar="POLICY")
@click.argument("records", metavar="RECORDS")
@click.option("-o", "--output", required=True, help="The report: one self-contained HTML page (written atomically).")
@click.option(
    "--schools", "schools_path", default=None, help="School records, if not in RECORDS (.json/.jsonl/.csv/.xlsx)."
)
@click.option("--lang", type=_LANG, default="zh", help="Language of the page and the explanations.")
@click.option("--strict", is_flag=True, help=_STRICT_HELP)
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE", help=_SET_HELP)
@click.option("--entries", "entry_files", multiple=True, metavar="LIST=FILE", help=_ENTRIES_HELP)
def report_cmd(
    policy_path: str,
    records: str,
    output: str,
    schools_path: str | None,
    lang: Lang,
    strict: bool,
    settings: tuple[str, ...] = (),
    entry_files: tuple[str, ...] = (),
) -> None:
    """Write the auditor's report of scoring RECORDS under POLICY: one self-contained HTML page.

    The plan and its assumptions, the run's numbers and charts, the group findings, the record
    errors, and every teacher's explanation (as `trainrules explain` gives it), found by id or name.
    Exit 0, 1 when some records had errors, 2 unreadable (or the page could not be written).
    """
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:  # Ctrl-C anywhere (loading the policy, reading, building the page) keeps the earlier page: 130
        policy = _policy_for_scoring(policy_path, lang, strict, settings)
        _refuse_input_as_output(output, (records, schools_path, policy_path, *entry_files), lang)
        errors = _write_report(policy, records, schools_path, entry_files, lang, output)
    except KeyboardInterrupt:
        _interrupted_report(lang)
    finally:
        signal.signal(signal.SIGTERM, previous)
    sys.exit(1 if errors else 0)
