"""The auditor's report: one self-contained HTML page of a run (``trainrules report``, ``evaluate --report``).

The page shows the plan and its assumptions, the run's numbers (from :class:`~trainrules.run.RunSummary`),
charts drawn here as inline SVG, the group findings and the record errors, and lets the reader
find any teacher's explanation (the same text as ``trainrules explain``) by id or name.

It stays small at 100,000 teachers: the explanations are not in the DOM. They are JSON arrays,
gzip-compressed in chunks of :data:`CHUNK_TEACHERS` teachers in input order (whatever the schools,
so the size per teacher does not depend on how the records are sorted) and base64-encoded into
inert ``<script type="application/octet-stream">`` elements; a compressed index of ids and names
says which chunk holds whom. A search decompresses the index and the
chunks it needs with the browser's ``DecompressionStream`` and shows the text with
``textContent``. All policy and record text goes through Jinja2's autoescaping.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Iterable, Sequence
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Literal

import attrs
import jinja2
import orjson

from trainrules import __version__
from trainrules.api import Policy
from trainrules.compile import Compiled, Plan
from trainrules.explain import Explanation, explain, render_explanation
from trainrules.functions import WHOLE_RUN
from trainrules.records import RawRecord, ReadProblem
from trainrules.results import Decision, GroupFinding
from trainrules.run import RunSummary, Tally, policy_info
from trainrules.values import decimal_text

__all__ = ["CHUNK_TEACHERS", "ReportBuilder", "collect", "pass_mark"]

Lang = Literal["zh", "en"]

#: Teachers' explanations per compressed chunk, in input order (the last chunk may hold fewer).
CHUNK_TEACHERS = 2000
#: Bars drawn per pass-rate chart; the page says how many more there are.
MAX_BARS = 200
#: Record errors listed on the page; the rest are counted (every one is in the results file).
MAX_ERRORS_SHOWN = 1000
#: Search results shown at once.
MAX_HITS = 20

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("trainrules", "templates"),
    autoescape=True,  # every policy and record string is escaped; nothing is marked safe
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

_W = {
    "title": ("培训考核报告", "Training assessment report"),
    "lang": ("zh-CN", "en"),
    "plan": ("方案", "The plan"),
    "name": ("名称", "name"),
    "plan_title": ("标题", "title"),
    "source": ("来源文件", "source document"),
    "period": ("期间", "period"),
    "file": ("方案文件", "policy file"),
    "sha": ("SHA-256", "SHA-256"),
    "zone": ("时区", "time zone"),
    "tool": ("工具版本", "tool version"),
    "records_file": ("记录文件", "records file"),
    "started": ("开始时间", "started"),
    "finished": ("结束时间", "finished"),
    "warnings": ("方案警告", "Policy warnings"),
    "overrides": ("本次运行改用的假设值（--set）", "Assumption values replaced for this run (--set)"),
    "was": ("原值", "was"),
    "used": ("改用", "used"),
    "assumptions": ("假设", "Assumptions"),
    "no_assumptions": ("本方案没有声明假设。", "The policy declares no assumptions."),
    "value": ("取值", "value"),
    "text": ("内容", "text"),
    "cites": ("依据", "per"),
    "relied": ("被依赖", "relied on by"),
    "line": ("行", "line"),
    "unencoded": ("未编码的条文（不编码）", "Clauses not encoded (不编码)"),
    "no_unencoded": ("本方案没有声明不编码的条文。", "The policy declares no clauses as not encoded."),
    "numbers": ("运行结果", "The run's numbers"),
    "in": ("读入记录", "records in"),
    "evaluated": ("已评定", "evaluated"),
    "errors": ("记录有误", "record errors"),
    "assessed": ("已考核", "assessed"),
    "not_enrolled": ("未参训", "not enrolled"),
    "exempt": ("免修", "exempt"),
    "passed": ("合格", "passed"),
    "pass_rate": ("合格率（已考核者）", "pass rate (of assessed)"),
    "pass_na": ("合格规则不适用（不计入合格率）", "pass rule not applicable (not in the rate)"),
    "failed_n": ("不合格", "not passed"),
    "no_pass_rule": ("本方案没有合格规则：只评分，不判合格，无合格率。", "No pass rule: scored only, no pass rate."),
    "other_errors": ("其他错误", "other errors"),
    "school_errors": ("不可用的学校记录", "unusable school records"),
    "entry_errors": ("无所属教师的条目", "entries without a teacher"),
    "undecided": ("无法判定的核查", "undecided group checks"),
    "totals": ("总分分布", "Distribution of totals"),
    "no_totals": ("没有已考核教师的总分。", "No totals of assessed teachers."),
    "no_points": (
        "本方案不计总分（没有计分部分）：考核的结果是下面的各项结果与要求。",
        "The plan scores no points (it has no scored parts): its outcomes are the results and requirements below.",
    ),
    "results": ("结果分布（已考核者）", "Results (assessed teachers)"),
    "unit": ("单位", "unit"),
    "sum": ("合计", "sum"),
    "min": ("最少", "least"),
    "max": ("最多", "most"),
    "mean": ("平均（两位小数）", "mean (2 places)"),
    "owed": ("尚欠（已考核且适用者；达到者计 0）", "Still owed (assessed teachers it applies to; 0 when met)"),
    "owing": ("欠者人数", "teachers owing"),
    "req_line": ("要求（行）", "requirement (line)"),
    "met_rate": ("达到率", "rate met"),
    "teachers": ("人数", "teachers"),
    "mark_line": ("合格线 {mark}（合格规则：{rule}）", "pass mark {mark} (pass rule: {rule})"),
    "no_mark": (
        "未画合格线：合格规则不是“总分 不少于 N”的形式（{rule}）。",
        "No pass mark drawn: the pass rule is not of the form 总分 不少于 N ({rule}).",
    ),
    "no_mark_rule": ("未画合格线：本方案没有合格规则。", "No pass mark drawn: the plan has no pass rule."),
    "by_school": ("各校合格率", "Pass rate per school"),
    "by_subject": ("各学科合格率", "Pass rate per subject"),
    "more_bars": (
        "另有 {n} 项未画出（只画合格率最低的 {k} 项，由低到高；"
        "全部见 JSON 结果或 --summary 文件的 by_school/by_subject）。",
        "{n} more not drawn (only the {k} lowest pass rates are drawn, lowest first; all are in the JSON results "
        "or the --summary file, by_school/by_subject).",
    ),
    "no_rates": ("没有可计算合格率的已考核教师。", "No assessed teachers with a pass verdict."),
    "losses": ("失分原因（已考核者，一人可计多项）", "Lost points (assessed teachers; one may count under several)"),
    "late": ("逾期提交", "late work"),
    "missing": ("缺交", "missing work"),
    "invalid": ("无效", "invalid work"),
    "school": ("学校原因（学校逾期或未报送）", "the school (reported late or not at all)"),
    "requirements": ("要求", "Requirements"),
    "met": ("达到", "met"),
    "applicable": ("适用", "applicable"),
    "groups": ("核查结果", "Group findings"),
    "no_groups": ("本方案没有群体核查。", "The plan has no group checks."),
    "check": ("核查", "check"),
    "group": ("分组", "group"),
    "result": ("结果", "result"),
    "figures": ("数值", "figures"),
    "counted": ("计入的教师", "teachers counted"),
    "held": ("通过", "held"),
    "failed": ("未通过", "failed"),
    "undecided_one": ("无法判定", "undecided"),
    "whole": ("全体", "everyone"),
    "record_errors": ("记录有误", "Record errors"),
    "no_errors": ("没有记录错误。", "No record errors."),
    "kind": ("类别", "kind"),
    "kind_teacher": ("教师记录", "teacher record"),
    "kind_school": ("学校记录", "school record"),
    "kind_entry": ("条目", "entry"),
    "location": ("位置", "location"),
    "id": ("编号", "id"),
    "fields": ("字段", "fields"),
    "problem": ("问题", "problem"),
    "more_errors": (
        "另有 {n} 条记录错误未列出（结果文件中有全部错误）。",
        "{n} more record errors are not listed (the results file has them all).",
    ),
    "explanations": ("教师说明", "Teachers' explanations"),
    "search_help": (
        "输入编号或姓名（或其一部分），显示与 trainrules explain 相同的说明。",
        "Type an id or a name (or part of one) to see the same explanation as trainrules explain.",
    ),
    "search": ("查找", "Search"),
    "noscript": ("查找说明需要启用 JavaScript。", "Searching the explanations needs JavaScript."),
    "searchable": ("可查找 {n} 名教师的说明。", "{n} teachers' explanations can be searched."),
}

#: Strings the page's script shows (kept here so both languages sit together).
_JS_WORDS = {
    "found": ("找到 {n} 名教师", "{n} teacher(s) found"),
    "first": (
        "找到 {n} 名教师，显示前 {k} 名：请把查找写得更具体",
        "{n} teachers found, the first {k} shown: narrow the search",
    ),
    "none": ("没有编号或姓名与“{q}”相符的教师", "No teacher's id or name matches “{q}”"),
    "empty": ("请输入编号或姓名", "Type an id or a name"),
    "loading": ("正在解压……", "Decompressing…"),
    "unsupported": (
        "此浏览器不支持 DecompressionStream，无法显示说明：请用较新的 Chrome、Edge、Firefox 或 Safari 打开",
        "This browser has no DecompressionStream, so explanations cannot be shown: open the page in a recent "
        "Chrome, Edge, Firefox or Safari",
    ),
    "failed": ("读取说明失败：{e}", "Could not read the explanations: {e}"),
}


def pass_mark(plan: Plan) -> Decimal | None:
    """The pass mark when the pass rule is ``总分 不少于 N`` with a literal number N, else None."""
    sides = plan.pass_sides
    if sides is None:
        return None
    left, op, right = sides
    if left.text.strip() != "总分" or op != ">=":
        return None
    try:
        mark = Decimal(right.text.strip())
    except InvalidOperation:
        return None
    return mark if mark.is_finite() else None


@attrs.define
class _Chunk:
    """The explanations of up to CHUNK_TEACHERS teachers, in input order, compressed as they come."""

    ids: list[str] = attrs.field(factory=list)
    names: list[str] = attrs.field(factory=list)
    parts: list[bytes] = attrs.field(factory=list)
    gzip: zlib._Compress = attrs.field(factory=lambda: zlib.compressobj(9, zlib.DEFLATED, 31))

    def add(self, teacher_id: str, name: str, text: str) -> None:
        self.parts.append(self.gzip.compress((b"," if self.ids else b"[") + orjson.dumps(text)))
        self.ids.append(teacher_id)
        self.names.append(name)

    def close(self) -> str:
        self.parts.append(self.gzip.compress(b"]" if self.ids else b"[]"))
        self.parts.append(self.gzip.flush())
        data = base64.b64encode(b"".join(self.parts)).decode("ascii")
        self.parts = []
        return data


def _gzip_b64(data: bytes) -> str:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    return base64.b64encode(packer.compress(data) + packer.flush()).decode("ascii")


@attrs.define
class ReportBuilder:
    """Collects a run for the report: the summary and every teacher's explanation, compressed as it goes.

    Feed it with :meth:`add` (a decision of the run and its explanation), then :meth:`render`.
    """

    policy: Policy
    summary: RunSummary
    lang: Lang = "zh"
    max_total: Decimal | None = None
    _open: _Chunk | None = None
    _done: list[tuple[_Chunk, str]] = attrs.field(factory=list)

    def add(self, d: Decision, ex: Explanation) -> None:
        """Account for one record: ``d`` is the run's decision, ``ex`` its explanation (as ``explain`` prints it)."""
        self.summary.add(d)
        if d.status == "assessed" and d.max_total is not None:
            self.max_total = d.max_total if self.max_total is None else max(self.max_total, d.max_total)
        if not d.id and not d.name:  # an unreadable row: listed under the record errors, nothing to search by
            return
        chunk = self._open
        if chunk is None:
            chunk = self._open = _Chunk()
        chunk.add(d.id or "", d.name or "", render_explanation(ex, self.lang))
        if len(chunk.ids) >= CHUNK_TEACHERS:
            self._done.append((chunk, chunk.close()))
            self._open = None

    def render(self) -> str:
        """The whole page (call after ``summary.finish``)."""
        if self._open is not None:
            self._done.append((self._open, self._open.close()))
            self._open = None
        chunks = self._done
        index: list[dict[str, object]] = [{"i": c.ids, "n": c.names} for c, _ in chunks]
        searchable = sum(len(c.ids) for c, _ in chunks)
        return _render(self.policy, self.summary, self.lang, self.max_total, index, [b for _, b in chunks], searchable)


def collect(
    policy: Policy,
    records: Iterable[RawRecord | ReadProblem],
    schools: Sequence[RawRecord | ReadProblem] = (),
    *,
    records_file: str | None = None,
    lang: Lang = "zh",
) -> ReportBuilder:
    """Evaluate and explain ``records`` under ``policy``; ``.render()`` the result for the page.

    Every record is decided once by a run evaluator (which tracks ids and feeds the group checks, as
    ``evaluate`` does) and explained by a second one (as ``explain`` does); a record the run refuses
    (a repeated id) is shown with the run's decision. List entries without a teacher are known only
    after the records are read: add them with ``builder.summary.add_problems("entry", ...)``.

    Args:
        policy: the loaded policy (with any ``--set`` values).
        records: teacher records (with their list entries attached), streamed.
        schools: the school records.
        records_file: the records file's name, for the page.
        lang: the language of the page and of the explanations.
    """
    run = policy.evaluator(schools)
    explainer = policy.evaluator(schools)
    summary = RunSummary(policy_info(policy), __version__, records_file=records_file)
    summary.pass_rule = policy.plan.outcome is not None
    builder = ReportBuilder(policy, summary, lang)
    for raw in records:
        decision = next(run.run((raw,)))
        ex = explain(explainer, raw)
        if decision.status == "error" and ex.decision.status != "error":  # refused by the run only (repeated id)
            ex = Explanation(decision=decision, unencoded=ex.unencoded)
        builder.add(decision, ex)
    summary.add_problems("school", run.school_read_problems)
    summary.finish(run.group_findings())
    return builder


# ---------- charts: geometry computed here, drawn by the template ----------

_CHART_W = 560  # the drawing width of a bar chart, in px
_HIST_W = 600
_HIST_H = 200


def _percent(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{decimal_text((rate * 100).quantize(Decimal('0.01')))}%"


def _rate_rows(table: dict[str, Tally]) -> list[dict[str, object]]:
    """The bars of a pass-rate chart, by name; with more than MAX_BARS, the MAX_BARS lowest rates (lowest first,
    so the schools that need attention are the ones drawn; the page counts the rest)."""
    rows = sorted(table.items())
    if len(rows) > MAX_BARS:
        rows = sorted(rows, key=lambda kv: (kv[1].rate is None, kv[1].rate or 0, kv[0]))
    return [
        {
            "key": key,
            "passed": t.passed,
            "assessed": t.assessed,
            "rate": "" if t.rate is None else str(t.rate),
            "percent": _percent(t.rate),
            "width": t.passed * _CHART_W // t.assessed if t.assessed else 0,
        }
        for key, t in rows[:MAX_BARS]
    ]


def _nice_width(span: Decimal) -> Decimal:
    """The smallest bin width of 1, 2 or 5 times a power of ten (from 0.01) giving at most 25 bins over ``span``."""
    for exponent in range(-2, 30):
        for mantissa in (1, 2, 5):
            width = Decimal(mantissa).scaleb(exponent)
            if span / width <= 25:
                return width
    return span  # beyond any real total: one bin


def _histogram(totals: dict[Decimal, int], max_total: Decimal | None, mark: Decimal | None) -> dict[str, object]:
    """Bins of the totals (exact Decimal edges), bar heights in px and the pass mark's x."""
    lo = min([Decimal(0), *totals])
    hi = max([Decimal(0), *totals, *([max_total] if max_total is not None else []), *([mark] if mark else [])])
    width = _nice_width(max(hi - lo, Decimal(1)))
    lo = (lo / width).to_integral_value(ROUND_FLOOR) * width
    count = max(1, int(((hi - lo) / width).to_integral_value(ROUND_FLOOR)) + (1 if (hi - lo) % width else 0))
    counts = [0] * count
    for total, n in totals.items():
        counts[min(int(((total - lo) / width).to_integral_value(ROUND_FLOOR)), count - 1)] += n
    bar = max(_HIST_W // count, 4)
    peak = max(counts) or 1
    bins = []
    for i, n in enumerate(counts):
        low = lo + i * width
        last = i == count - 1
        height = n * _HIST_H // peak if n else 0
        bins.append(
            {
                "x": i * bar,
                "w": bar - 1,
                "h": max(height, 1) if n else 0,
                "n": n,
                "low": decimal_text(low),
                "high": decimal_text(low + width),
                "closed": last,
                "label": i % max(1, count // 10) == 0,
            }
        )
    mark_x = None
    if mark is not None:
        mark_x = decimal_text(((mark - lo) / width * bar).quantize(Decimal("0.1")))
    return {
        "bins": bins,
        "width": count * bar,
        "height": _HIST_H,
        "peak": peak,
        "mark_x": mark_x,
        "end": decimal_text(lo + count * width),
    }


#: A group check's comparison in words: (zh, en) by operator.
_COMPARED = {
    "<": ("应少于", "must be below"),
    "<=": ("应不超过", "must be at most"),
    ">": ("应多于", "must be above"),
    ">=": ("应不少于", "must be at least"),
    "==": ("应等于", "must equal"),
    "!=": ("应不等于", "must differ from"),
}


def _condition_words(cond: Compiled | None, g: GroupFinding, lang: Lang) -> str:
    """The check's condition as written, and for a comparison both sides with their values in words:
    ``计数(…) 不超过 向下取整(5% × 人数())：提交了“X”的人数 2 应不超过 上限 向下取整(5% × 7) 0``."""
    if cond is None:
        return ""
    k = 0 if lang == "zh" else 1
    written = (f"条件：{cond.text}", f"condition: {cond.text}")[k]
    compared = _COMPARED.get(cond.op)
    if compared is None or len(cond.parts) != 2:
        return written
    values = dict(g.values)
    # described is values in words, in order (empty for findings made without it): by the value's label
    pairs = zip(g.described, g.values, strict=False)
    words = {value_label: (zh, en, value) for (zh, en, value), (value_label, _) in pairs}

    def side(part: Compiled) -> str:
        text = part.text.strip()
        if text in words:
            zh, en, value = words[text]
            return f"{(zh, en)[k]} {value}"
        return f"{text} {values[text]}" if text in values else text  # a literal bound (1000) is its own value

    return f"{written}{'：' if k == 0 else ': '}{side(cond.parts[0])} {compared[k]} {side(cond.parts[1])}"


def _more_members(g: GroupFinding, label_zh: str, shown: int, lang: Lang) -> str:
    """ "(另有 N 人未列出)" when the count is larger than the ids kept (limits.MAX_GROUP_MEMBERS_SHOWN)."""
    described = {zh: value for zh, _, value in g.described}
    try:
        more = int(described.get(label_zh, "")) - shown
    except ValueError:
        return ""
    if more <= 0:
        return ""
    return f"（另有 {more} 人未列出）" if lang == "zh" else f" ({more} more not listed)"


def _local_and_utc(instant: str | None, zone: str) -> str:
    """A run time in the plan's time zone, with its offset, then in UTC: ``2026-11-30T22:17:13+08:00 (UTC …)``."""
    if instant is None:
        return ""
    import pendulum

    try:  # ValueError: not an instant, or an unknown zone (pendulum's InvalidTimezone is one): shown as recorded
        parsed = pendulum.parse(instant)
        if not isinstance(parsed, pendulum.DateTime):
            return instant
        local = parsed.in_timezone(zone).isoformat()
    except ValueError:
        return instant
    return f"{local} (UTC {instant})"


def _render(
    policy: Policy,
    summary: RunSummary,
    lang: Lang,
    max_total: Decimal | None,
    index: list[dict[str, object]],
    chunks: list[str],
    searchable: int,
) -> str:
    k = 0 if lang == "zh" else 1
    words = {key: pair[k] for key, pair in _W.items()}
    js_words = {key: pair[k] for key, pair in _JS_WORDS.items()}
    run = summary.to_dict()
    outcome = policy.plan.outcome
    mark = pass_mark(policy.plan)
    if outcome is None:
        mark_note = words["no_mark_rule"]
    elif mark is None:
        mark_note = words["no_mark"].format(rule=outcome.cond.text)
    else:
        mark_note = words["mark_line"].format(mark=decimal_text(mark), rule=outcome.cond.text)
    assessed = summary.counts["assessed"]
    losses = [
        {"key": key, "label": words[key], "n": n, "width": n * _CHART_W // assessed if assessed else 0}
        for key, n in attrs.asdict(summary.losses).items()
    ]
    kinds = {"teacher": words["kind_teacher"], "school": words["kind_school"], "entry": words["kind_entry"]}
    errors = [
        {
            "kind": kinds.get(e.kind, e.kind),
            "location": e.location,
            "id": e.id or "",
            "fields": "、".join(e.fields) if lang == "zh" else ", ".join(e.fields),
            "message": e.message_zh if lang == "zh" else e.message_en,
        }
        for e in summary.errors[:MAX_ERRORS_SHOWN]
    ]
    conditions = {c.name: c.cond for c in policy.plan.group_checks}
    groups = [
        {
            "check": g.check,
            "group": ("，" if lang == "zh" else ", ").join(f"{a} = {b}" for a, b in g.group if a != WHOLE_RUN)
            or words["whole"],
            "state": "undecided" if g.error_zh else "held" if g.passed else "failed",
            "figures": [f"{zh if lang == 'zh' else en} {value}" for zh, en, value in g.described]
            or [f"{a} = {b}" for a, b in g.values],
            "condition": _condition_words(conditions.get(g.check), g, lang),
            "members": [
                (zh if lang == "zh" else en, ", ".join(sorted(ids)), _more_members(g, zh, len(ids), lang))
                for zh, en, ids in g.members
            ],
            "error": g.error_zh if lang == "zh" else g.error_en,
            "rule_ids": ", ".join(g.rule_ids),
            "section": g.section or "",
        }
        for g in summary.groups
    ]
    counts = run["counts"]
    assert isinstance(counts, dict)  # to_dict's documented shape
    times = {
        key: _local_and_utc(value, summary.policy.time_zone)
        for key, value in (("started", summary.started_at), ("finished", summary.finished_at))
    }
    page = _ENV.get_template("report.html.j2").render(
        times=times,
        w=words,
        lang=lang,
        run=run,
        counts=counts,
        info=summary.policy,
        summary=summary,
        pass_rate=_percent(summary.pass_rate) if summary.pass_rule else None,
        assumptions=policy.assumptions(),
        unencoded=policy.unencoded(),
        histogram=_histogram(summary.totals, max_total, mark) if summary.totals else None,
        no_points=not summary.totals and bool(summary.results or summary.requirements),
        results=[
            {
                "name": name,
                **spread.to_dict(),
                "unit": spread.unit or "",
                "histogram": _histogram(spread.values, None, None),
            }
            for name, spread in summary.results.items()
        ],
        owed=[
            {
                "name": name,
                **spread.to_dict(),
                "unit": spread.unit or "",
                "owing": spread.teachers - spread.values[Decimal(0)],
            }
            for name, spread in summary.owed.items()
        ],
        mark_note=mark_note,
        by_school=_rate_rows(summary.by_school),
        by_subject=_rate_rows(summary.by_subject),
        more_schools=max(0, len(summary.by_school) - MAX_BARS),
        more_subjects=max(0, len(summary.by_subject) - MAX_BARS),
        chart_w=_CHART_W,
        losses=losses,
        requirements=[
            {"name": name, "met": t.passed, "applicable": t.assessed, "percent": _percent(t.rate)}
            for name, t in summary.requirements.items()
        ],
        groups=groups,
        errors=errors,
        more_errors=max(0, len(summary.errors) - MAX_ERRORS_SHOWN),
        index=_gzip_b64(orjson.dumps(index)),
        chunks=chunks,
        searchable=searchable,
        js_words=js_words,
        max_hits=MAX_HITS,
        max_bars=MAX_BARS,
    )
    return page
