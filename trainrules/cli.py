"""The command line (click): the only module that prints or exits."""

from __future__ import annotations

import os
import signal
import sys
from typing import Literal

import attrs
import click
import orjson

from trainrules.api import Policy, UnencodedInfo, analyse_file, iter_policy_files, load, orphan_problems
from trainrules.diagnostics import PolicyError, Severity
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
from trainrules.results import Decision, LineResult
from trainrules.values import ValueProblem, parse_text
from trainrules.workbook import WorkbookWriter, open_workbook
from trainrules.writers import OutputError, open_writer, write_text_atomic

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


_SET_HELP = "Use VALUE for the assumption NAME (假设 NAME = …) in this run: --set 寒假研修学时=10 (repeatable)."


_STRICT_HELP = "Refuse (exit 2) to score a policy that has any warning."
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
    row = d.to_dict(explanation=explanation)
    if tabular:  # numbers as numeric cells, so clerks can sum them in Excel; one language per sheet
        zh = lang == "zh"
        row.update(total=d.total, max_total=d.max_total, hours=d.hours)
        row["items"] = {i.name: {**i.to_dict(), "points": i.points} for i in d.items}
        row["parts"] = {p.name: {**p.to_dict(), "points": p.points} for p in d.parts}
        row["results"] = {r.name: {**r.to_dict(), "value": r.value} for r in d.results}
        row["requirements"] = {  # the main line's numbers; every line is in the json output
            r.name: {"met": r.met, **({} if not r.lines else _line_cells(r.lines[0]))} for r in d.requirements
        }
        messages = [(p.field, p.message_zh if zh else p.message_en) for p in d.problems]
        row["problems"] = ("；" if zh else "; ").join(f"{f}: {m}" if f else m for f, m in messages)
        yes, no, na = ("是", "否", "不适用") if zh else ("yes", "no", "not applicable")
        row["checks"] = ("；" if zh else "; ").join(
            f"{c.name}: {(yes if c.passed else no) if c.applicable else na}" for c in d.checks
        )
        if not zh:
            row["reason"] = d.reason_en
    return row


def _line_cells(line: LineResult) -> dict[str, object]:
    return {"credited": line.credited, "needed": line.needed, "owed": line.owed if line.owed is not None else line.over}


def _summary(
    decisions_by_school: dict[str, list[int]],
    counts: dict[str, int],
    lang: Lang,
    pass_rule: bool = True,
    *,
    sheet: str | None = None,
    warnings: int = 0,
) -> str:
    zh = lang == "zh"
    total = sum(counts.values())
    names = {"assessed": "已考核", "not_enrolled": "未参训", "exempt": "免修", "error": "记录有误"}
    parts = [f"{names[k] if zh else k} {v}" for k, v in counts.items()]
    lines = []
    if sheet is not None:
        lines.append(f"读取的工作表：{sheet}" if zh else f"sheet read: {sheet}")
    if warnings:
        lines.append(
            f"注意：方案有 {warnings} 个警告（见上），结果可能受其影响"
            if zh
            else f"note: the policy had {warnings} warning(s) (above); the results may be affected"
        )
    lines.append(
        (f"共 {total} 条记录：" if zh else f"{total} records: ") + ("，".join(parts) if zh else ", ".join(parts))
    )
    lines.append(f"  evaluated = {total - counts['error']}, errors = {counts['error']}, in = {total}")
    if not pass_rule:  # a score-only plan: no verdicts, so no pass rate
        lines.append(
            "本方案没有合格规则：只评分，不判合格，无合格率" if zh else "no pass rule: scored only, no pass rate"
        )
    elif decisions_by_school:
        lines.append("各校合格率（已考核者）：" if zh else "Pass rate by school (assessed teachers):")
        for school, (passed, assessed) in sorted(decisions_by_school.items()):
            rate = f"{100 * passed / assessed:.1f}%" if assessed else "—"
            lines.append(f"  {school}: {passed}/{assessed} {rate}")
    return "\n".join(lines)


@main.command("evaluate")
@click.argument("policy_path", metavar="POLICY")
@click.argument("records", metavar="RECORDS")
@click.option("-o", "--output", required=True, help="Results file: .json, .jsonl, .csv or .xlsx (written atomically).")
@click.option(
    "--schools", "schools_path", default=None, help="School records, if not in RECORDS (.json/.jsonl/.csv/.xlsx)."
)
@click.option(
    "--explain", "with_explanation", is_flag=True, help="Include each decision's derivation in json/jsonl output."
)
@click.option("--lang", type=_LANG, default="zh", help="Language of the engine's own words.")
@click.option("--strict", is_flag=True, help=_STRICT_HELP)
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE", help=_SET_HELP)
@click.option("--entries", "entry_files", multiple=True, metavar="LIST=FILE", help=_ENTRIES_HELP)
def evaluate_cmd(
    policy_path: str,
    records: str,
    output: str,
    schools_path: str | None,
    with_explanation: bool,
    lang: Lang,
    strict: bool,
    settings: tuple[str, ...] = (),
    entry_files: tuple[str, ...] = (),
) -> None:
    """Score every record of RECORDS under POLICY.

    The policy's warnings are printed on stderr first (``--strict``: refused, exit 2).
    Exit 0 all evaluated, 1 some records had errors, 2 unreadable (or a write failed:
    the previous output is kept), 130 interrupted (nothing written).
    """
    from tqdm import tqdm

    policy = _policy_for_scoring(policy_path, lang, strict, settings)
    inputs = (records, schools_path, policy_path, *(f.partition("=")[2] for f in entry_files))
    clash = next((p for p in inputs if p and _same_file(output, p)), None)
    if clash is not None:
        zh, en = (
            f"输出文件 {output} 就是输入文件 {clash}：换一个输出文件名",
            f"{output} is the input {clash}: choose another",
        )
        click.echo(f"错误: {zh}" if lang == "zh" else f"error: the output file {en}", err=True)
        sys.exit(2)
    counts = {"assessed": 0, "not_enrolled": 0, "exempt": 0, "error": 0}
    by_school: dict[str, list[int]] = {}
    req_counts: dict[str, list[int]] = {}
    previous = signal.signal(signal.SIGTERM, _interrupt)  # `kill`: clean up like Ctrl-C, leave no temporary file
    try:
        schools = _schools(records, schools_path)
        stream = read_records(records, lists=[spec.name for spec in policy.plan.lists])
        indexes = _entry_indexes(policy, records, stream, entry_files)
        tabular = output.lower().endswith(".csv")
        ev = policy.evaluator(schools)
        book = output.lower().endswith(".xlsx")  # the auditor's workbook (trainrules/workbook.py)
        opened = (
            open_workbook(output, policy, lang, ev, rows=stream.count, records_file=records)
            if book
            else open_writer(output, columns=_columns(policy) if tabular else None, rows=stream.count)
        )
        with opened as out:
            from trainrules.evaluate import Recorder

            feed = attach_entries(stream, indexes)
            decisions = ev.run(
                out.tap(feed) if isinstance(out, WorkbookWriter) else feed, Recorder if with_explanation else None
            )
            for d in tqdm(decisions, unit=" 条", file=sys.stderr, disable=not sys.stderr.isatty(), mininterval=0.5):
                out.write(d if book else _row(d, tabular, with_explanation, lang))
                counts[d.status] += 1
                for q in d.requirements:  # per requirement: met / applicable
                    tally = req_counts.setdefault(q.name, [0, 0])
                    tally[0] += q.met and q.applicable
                    tally[1] += q.applicable
                if d.status == "assessed" and d.passed is not None:
                    acc = by_school.setdefault(d.school or "（无学校）", [0, 0])
                    acc[0] += d.passed
                    acc[1] += 1
            if isinstance(out, WorkbookWriter):
                out.finish(ev.group_findings(), ev.school_read_problems, orphan_problems(indexes))
    except (RecordsFileError, OutputError) as exc:
        click.echo(
            f"{'错误' if lang == 'zh' else 'error'}: {exc.message_zh if lang == 'zh' else exc.message_en}", err=True
        )
        sys.exit(2)
    except KeyboardInterrupt:  # the writer has removed its temporary file; 130 is the shell's code for Ctrl-C
        click.echo("已中断，未写出结果" if lang == "zh" else "interrupted: no results written", err=True)
        sys.exit(130)
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo(
        _summary(
            by_school, counts, lang, policy.plan.outcome is not None, sheet=stream.sheet, warnings=len(policy.warnings)
        )
    )
    for name, (met_count, applicable) in req_counts.items():
        click.echo(
            f"要求 {name}：达到 {met_count}/{applicable}"
            if lang == "zh"
            else f"requirement {name}: met {met_count}/{applicable}"
        )
    for name, (old, new) in policy.overrides.items():
        click.echo(
            f"假设 {name} = {new}（--set，原值 {old}）"
            if lang == "zh"
            else f"assumption {name} = {new} (--set; was {old})"
        )
    for problem in ev.school_read_problems:  # school records that could not be used: say so, and exit 1
        counts["error"] += 1
        click.echo(
            f"{'学校记录' if lang == 'zh' else 'school record'} {problem.location}: "
            f"{problem.message_zh if lang == 'zh' else problem.message_en}",
            err=True,
        )
    counts["error"] += _report_orphans(indexes, lang)
    for g in ev.group_findings():
        group = "，".join(f"{k}={v}" for k, v in g.group)
        if g.error_zh:  # the check cannot be decided for this group: an error, like a bad record (exit 1)
            counts["error"] += 1
            click.echo(
                f"{'核查无法判定' if lang == 'zh' else 'check undecided'}: {g.check} [{group}] "
                f"{g.error_zh if lang == 'zh' else g.error_en} ({', '.join(g.rule_ids)})"
            )
        elif g.passed is not True:
            values = "，".join(f"{k}={v}" for k, v in g.values)
            click.echo(
                f"{'核查未通过' if lang == 'zh' else 'check failed'}: {g.check} [{group}] {values} "
                f"({', '.join(g.rule_ids)})"
            )
    click.echo(f"{'结果已写入' if lang == 'zh' else 'results written to'} {output}")
    sys.exit(1 if counts["error"] else 0)


def _interrupt(signum: int, frame: object) -> None:
    """Turn a termination request into the interruption that every ``with`` block cleans up after."""
    raise KeyboardInterrupt


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
@click.option(
    "--schools", "schools_path", default=None, help="School records, if not in RECORDS (.json/.jsonl/.csv/.xlsx)."
)
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
            data: object = [e.to_dict() for e in explained]
            if status is None and len(ids) == 1:
                data = explained[0].to_dict()
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
