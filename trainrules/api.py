"""The public entry points: read, parse, lower and check a policy, then load or report."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TypeGuard

import attrs

from trainrules.check import check_module
from trainrules.check.walk import citations
from trainrules.compile import Plan, compile_policy
from trainrules.diagnostics import Collector, Diagnostic, PolicyError, Severity
from trainrules.evaluate import Evaluator, Recorder
from trainrules.explain import Explanation
from trainrules.explain import explain as explain_record
from trainrules.ir import CheckedPolicy
from trainrules.params import ParamError, shown, substitute
from trainrules.records import (
    EntriesIndex,
    RawRecord,
    ReadProblem,
    RecordsFileError,
    RecordStream,
    attach_entries,
    entries_from_dicts,
    iter_records_from_dicts,
)
from trainrules.results import Decision, Results
from trainrules.run import RunSummary
from trainrules.source import Source
from trainrules.syntax.lower import lower
from trainrules.syntax.parser import parse, read_policy, source_from_text

__all__ = [
    "AssumptionInfo",
    "ParamError",
    "Policy",
    "UnencodedInfo",
    "analyse_file",
    "analyse_text",
    "check",
    "checks",
    "load",
    "loads",
]

PolicyPath = str | os.PathLike[str]
RecordsInput = Iterable[Mapping[str, object] | RawRecord | ReadProblem]
#: Entries in long format by list name: an index read with ``records.read_entries``, or rows (dicts).
EntriesInput = Mapping[str, EntriesIndex | Iterable[Mapping[str, object]]]


@attrs.frozen
class AssumptionInfo:
    """An assumption a policy declares: its ruling, its text and the rules that rely on it."""

    name: str
    text: str
    rule_ids: tuple[str, ...]
    value: str | None
    relied_on_by: tuple[str, ...]
    line: int
    #: The value written in the policy, when ``--set`` / ``with_params`` replaced it (``value`` is then the new one).
    overridden_from: str | None = None


@attrs.frozen
class UnencodedInfo:
    """A clause of the plan deliberately not encoded (``不编码``): its text and citation."""

    text: str
    rule_ids: tuple[str, ...]
    section: str | None
    line: int


@attrs.frozen(eq=False)
class Policy:
    """A checked, loadable policy. Build it with :func:`load` (a file) or :func:`loads` (text)."""

    checked: CheckedPolicy
    warnings: tuple[Diagnostic, ...]
    #: Assumption values replaced at evaluation: name -> (value in the policy, value used).
    overrides: Mapping[str, tuple[str, str]] = attrs.field(factory=dict)
    #: The policy as loaded, when :meth:`with_params` replaced values (``checked`` is then the changed text).
    original: Source | None = None
    plan: Plan = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "plan", compile_policy(self.checked))

    def with_params(self, params: Mapping[str, object]) -> Policy:
        """This policy with some assumption values replaced (``假设 名 = 值``), read and checked again.

        Args:
            params: assumption name -> new value (text as it would be written, or a Decimal/int).

        Returns:
            A new policy; ``overrides`` records what changed. The explanation of every rule that relies on a
            replaced assumption shows the new and the old value.

        Raises:
            ParamError: an unknown assumption, one without a value, or a value of the wrong kind.
            PolicyError: with the new values the policy no longer checks (e.g. the pass mark is unreachable).
        """
        if not params:
            return self
        text, changed = substitute(self.checked, params)
        checked, diagnostics = analyse_text(text, self.checked.module.span.source.name)
        policy = _policy(checked, diagnostics)
        return Policy(
            checked=policy.checked,
            warnings=policy.warnings,
            overrides={**self.overrides, **changed},
            original=self.original or self.checked.module.span.source,
        )

    def unencoded(self) -> list[UnencodedInfo]:
        """The clauses the policy declares deliberately not encoded (``不编码``)."""
        return [
            UnencodedInfo(text=u.text, rule_ids=u.cite.rule_ids, section=u.cite.section, line=u.span.line)
            for u in self.checked.unencoded
        ]

    def evaluator(self, schools: RecordsInput = ()) -> Evaluator:
        """A fresh evaluator for one run (it tracks ids to report duplicates)."""
        return Evaluator(self.plan, _raw(schools))

    def iter_evaluate(
        self,
        records: RecordsInput,
        schools: RecordsInput = (),
        *,
        explain: bool = False,
        params: Mapping[str, object] | None = None,
        entries: EntriesInput | None = None,
    ) -> Iterator[Decision]:
        """Evaluate records as a stream, one decision per input record, in input order.

        Args:
            records: teacher records: nested dicts (docs/records.md) or records read by ``trainrules.records``.
            schools: school and other group records (县, 市: docs/records.md), likewise.
            explain: record the derivation of each decision (``Decision.steps``).
            params: assumption values to use instead of the policy's (see :meth:`with_params`).
            entries: lists in long format (docs/records.md): list name → rows or ``read_entries`` index.
                Entries no record takes are not reported here: use :meth:`evaluate`, or the index's
                ``orphans()`` afterwards.

        Yields:
            One :class:`Decision` per record; a bad record yields an ``error`` decision.

        Raises:
            RecordsFileError: records read from CSV/xlsx for a plan with lists and no entries for one.
        """
        policy = self.with_params(params or {})
        indexes = policy.entry_indexes(records, entries)
        yield from policy.evaluator(schools).run(attach_entries(_raw(records), indexes), Recorder if explain else None)

    def evaluate(
        self,
        records: RecordsInput,
        schools: RecordsInput = (),
        *,
        explain: bool = False,
        params: Mapping[str, object] | None = None,
        entries: EntriesInput | None = None,
    ) -> Results:
        """Evaluate all records; group checks (核查 … 按 …) are evaluated over the whole run.

        Args:
            records: teacher records: nested dicts (docs/records.md) or records read by ``trainrules.records``.
            schools: school and other group records (县, 市: docs/records.md), likewise.
            explain: record the derivation of each decision (``Decision.steps``).
            params: assumption values to use instead of the policy's (see :meth:`with_params`).
            entries: lists in long format (docs/records.md): list name → rows (``{"教师编号": "T1",
                "学时": 8, …}``) or an index read with ``trainrules.records.read_entries``.

        Returns:
            The decisions, in input order, and the group findings; entries whose teacher no record
            has are ``entry_problems``.

        Raises:
            RecordsFileError: records read from CSV/xlsx for a plan with lists and no entries for one;
                an entries row without a teacher id.
        """
        policy = self.with_params(params or {})
        ev = policy.evaluator(schools)
        indexes = policy.entry_indexes(records, entries)
        decisions = list(ev.run(attach_entries(_raw(records), indexes), Recorder if explain else None))
        run = RunSummary.start(policy, explanation=explain)
        for d in decisions:
            run.add(d)
        school_problems, entry_problems = ev.school_read_problems, orphan_problems(indexes)
        run.add_problems("school", school_problems)
        run.add_problems("entry", entry_problems)
        run.finish(ev.group_findings())
        return Results(
            decisions=decisions,
            groups=run.groups,
            school_problems=school_problems,
            entry_problems=entry_problems,
            run=run,
        )

    def explain(
        self,
        record: Mapping[str, object] | RawRecord,
        schools: RecordsInput = (),
        *,
        params: Mapping[str, object] | None = None,
        entries: EntriesInput | None = None,
    ) -> Explanation:
        """Explain one teacher record: its decision with the derivation, the shortfall and the smallest changes.

        Args:
            record: one teacher record: a nested dict (docs/records.md) or a record read by ``trainrules.records``.
            schools: school records, as for :meth:`evaluate`.
            params: assumption values to use instead of the policy's (see :meth:`with_params`).
            entries: lists in long format, as for :meth:`evaluate` (only this teacher's entries are used).

        Returns:
            The :class:`~trainrules.explain.Explanation`; ``.render(lang)`` gives the text ``trainrules explain``
            prints, ``.to_dict(lang)`` its JSON form. A record that cannot be evaluated gives an explanation
            whose decision is an ``error`` naming the fields.
        """
        policy = self.with_params(params or {})
        indexes = policy.entry_indexes([record], entries)
        raw = next(attach_entries(_raw([record]), indexes))
        return explain_record(policy.evaluator(schools), raw)

    def entry_indexes(self, records: object, entries: EntriesInput | None) -> list[EntriesIndex]:
        """Index the entries given for each list, refusing a run whose lists would silently be empty.

        Raises:
            RecordsFileError: a list the plan does not have; or records read from CSV/xlsx (which
                cannot hold a list) while a list of the plan has no entries source.
        """
        given = dict(entries or {})
        names = [spec.name for spec in self.plan.lists]
        for name in given:
            if name not in names:
                raise RecordsFileError(
                    f"本方案没有列表“{name}”（方案的列表：{'、'.join(names) or '无'}）",
                    f"this plan has no list '{name}' (its lists: {', '.join(names) or 'none'})",
                )
        if isinstance(records, RecordStream) and records.format in ("csv", "xlsx"):
            own = {spec.name for spec in self.plan.lists if spec.owner == "教师"}  # a group's list: its record
            missing = [name for name in names if name not in given and name in own]
            if missing:
                raise silent_lists_error(missing[0], records.format)
        fields = {spec.name: [f.key for f in spec.fields] for spec in self.plan.lists}
        return [
            rows if isinstance(rows, EntriesIndex) else entries_from_dicts(name, rows, fields=fields[name])
            for name, rows in given.items()
        ]

    @property
    def name(self) -> str:
        """The plan's name (the 方案 block's label)."""
        return self.checked.plan.name

    @property
    def title(self) -> str:
        """The plan's title."""
        fact = self.checked.plan.fact("标题")
        return str(fact.values[0]) if fact else self.name

    @property
    def time_zone(self) -> str:
        """The time zone deadlines are read in (ruling G1 when the policy names none)."""
        return self.checked.tz

    def assumptions(self) -> list[AssumptionInfo]:
        """The assumptions the policy declares, each with the rules that rely on it."""
        users: dict[str, list[str]] = {}
        for cite, what in citations(self.checked):
            for name in cite.relies:
                users.setdefault(name, []).append(what)
        out = []
        for a in self.checked.assumptions.values():
            value = None
            if a.value is not None:
                value = shown(a, a.value.span.text) if a.value.span is not None else None
            out.append(
                AssumptionInfo(
                    name=a.name,
                    text=a.text,
                    rule_ids=a.cite.rule_ids,
                    value=value,
                    relied_on_by=tuple(users.get(a.name, ())),
                    line=a.span.line,
                    overridden_from=self.overrides[a.name][0] if a.name in self.overrides else None,
                )
            )
        return out

    def rule_ids(self) -> set[str]:
        """Every rule id the policy cites."""
        return {rid for cite, _ in citations(self.checked) for rid in cite.rule_ids}


def _raw(records: RecordsInput) -> Iterator[RawRecord | ReadProblem]:
    """Accept read records as they are and flatten nested dicts, keeping input order and positions."""
    for index, r in enumerate(records):
        if isinstance(r, RawRecord | ReadProblem):
            yield r
        else:
            for x in iter_records_from_dicts([r]):
                yield attrs.evolve(x, index=index, location=f"input[{index}]")


def _analyse(source: Source | None, out: Collector) -> tuple[CheckedPolicy | None, list[Diagnostic]]:
    checked = None
    if source is not None:
        tree = parse(source, out)
        module = lower(source, tree, out) if tree is not None else None
        if module is not None:
            checked = check_module(module, out)
    return checked, out.sorted()


def analyse_file(path: PolicyPath) -> tuple[CheckedPolicy | None, list[Diagnostic]]:
    """Read and check a policy file: the checked policy (None when it could not be built) and every diagnostic."""
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"a policy path is a str or os.PathLike, not {type(path).__name__}; for text use loads/checks")
    out = Collector()
    source = read_policy(path, out)
    if source is None and _looks_like_text(path) and not os.path.lexists(path):
        out = Collector()  # policy text given for a path: say so, without echoing the whole text as a file name
        shown = path.strip().splitlines()[0][:40] if path.strip() else ""
        out.add(
            "E101",
            None,
            path="<text>",
            file=f"{shown}…",
            reason="文件不存在；这像是策略文本而不是路径，文本请用 trainrules.checks(text) 或 trainrules.loads(text)",
            reason_en="no such file; this looks like policy text, not a path: "
            "for text use trainrules.checks(text) or trainrules.loads(text)",
        )
    return _analyse(source, out)


def _looks_like_text(path: PolicyPath) -> TypeGuard[str]:
    """A string no file name is likely to be (a line break, or a part over 255 bytes): policy text given as a path."""
    if not isinstance(path, str):
        return False
    return "\n" in path or any(len(part.encode("utf-8", "replace")) > 255 for part in re.split(r"[\\/]", path))


def analyse_text(text: str, name: str = "<text>") -> tuple[CheckedPolicy | None, list[Diagnostic]]:
    """Check policy text: the checked policy (None when it could not be built) and every diagnostic."""
    if not isinstance(text, str):
        raise TypeError(f"policy text is a str, not {type(text).__name__}; for a file use load/check")
    out = Collector()
    return _analyse(source_from_text(text, name, out), out)


def _policy(checked: CheckedPolicy | None, diagnostics: list[Diagnostic]) -> Policy:
    if checked is None or any(d.severity is Severity.ERROR for d in diagnostics):
        raise PolicyError(diagnostics)
    return Policy(checked=checked, warnings=tuple(diagnostics))


def check(path: PolicyPath) -> list[Diagnostic]:
    """Check a policy file; never raises for bad input (a missing file is E101).

    Args:
        path: the ``.policy`` file (a str or ``os.PathLike``). For policy text use :func:`checks`.

    Returns:
        Every diagnostic, errors and warnings, in source order.
    """
    return analyse_file(path)[1]


def checks(text: str, *, name: str = "<text>") -> list[Diagnostic]:
    """Check policy text; never raises for bad input.

    Args:
        text: the policy itself.
        name: the name diagnostics show for it (like a file name).

    Returns:
        Every diagnostic, errors and warnings, in source order.
    """
    return analyse_text(text, name)[1]


def load(path: PolicyPath) -> Policy:
    """Load a policy file.

    Args:
        path: the ``.policy`` file (a str or ``os.PathLike``). For policy text use :func:`loads`.

    Returns:
        The checked policy; warnings are kept on it.

    Raises:
        PolicyError: the policy has errors (a missing file is E101); ``.diagnostics`` lists them all.
    """
    return _policy(*analyse_file(path))


def loads(text: str, *, name: str = "<text>") -> Policy:
    """Load a policy from its text.

    Args:
        text: the policy itself.
        name: the name diagnostics show for it (like a file name).

    Returns:
        The checked policy; warnings are kept on it.

    Raises:
        PolicyError: the policy has errors; ``.diagnostics`` lists them all.
    """
    return _policy(*analyse_text(text, name))


def iter_policy_files(paths: list[str]) -> Iterator[str]:
    """Expand directories into the ``.policy`` files they hold (sorted); keep other paths as given."""
    for p in paths:
        if p and Path(p).is_dir() and any(Path(p).glob("*.policy")):
            yield from sorted(str(x) for x in Path(p).glob("*.policy"))
        else:
            yield p


def silent_lists_error(name: str, fmt: str) -> RecordsFileError:
    """Refuse to score a list from records that cannot hold one (every teacher would have none: zero hours)."""
    return RecordsFileError(
        f"方案声明了列表“{name}”，但 {fmt} 教师记录的单元格放不下列表，又没有给出条目：每位教师都会是 0 条。"
        f"请用 --entries {name}=文件（每行一条，含 教师编号 列）给出，或在同一工作簿中放一个名为“{name}”的工作表",
        f"the plan declares the list '{name}', but {fmt} teacher records cannot hold a list and no entries were "
        f"given: every teacher would have none. Give them with --entries {name}=FILE (one row per entry, with a "
        f"教师编号 column), or a sheet named '{name}' in the same workbook",
    )


def orphan_problems(indexes: Iterable[EntriesIndex]) -> list[ReadProblem]:
    """One problem per entry whose teacher id no teacher record has (after the run): reported, never dropped."""
    out: list[ReadProblem] = []
    for index in indexes:
        for teacher, locations in index.orphans():
            for location in locations:
                out.append(
                    ReadProblem(
                        len(out),
                        location,
                        f"“{index.list_name}”的条目属于编号 {teacher}，但没有（可读的）编号为 {teacher} 的教师记录",
                        f"an entry of '{index.list_name}' belongs to {teacher}, but no (readable) teacher record "
                        f"has that id",
                    )
                )
    return out
