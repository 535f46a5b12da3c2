"""Evaluating records: validation names the field, bad records never stop the run, every input format
gives the same decisions, and the ``evaluate`` / ``explain`` commands."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

import trainrules
from trainrules.cli import main
from trainrules.records import RawRecord, iter_records_from_dicts, read_records, read_schools
from trainrules.results import STATUS_WORDS, Decision

ROOT = Path(__file__).resolve().parents[1]
POLICY_004 = ROOT / "policies" / "lanxi_2019-2020_term1_online-school.policy"
POLICY_000 = ROOT / "policies" / "lanxi_2021-2022_term1_career-identity.policy"
EXAMPLES = ROOT / "policies" / "examples"
RECORDS_004 = EXAMPLES / "lanxi_2019-2020_term1_online-school" / "records.json"
RECORDS_000 = EXAMPLES / "lanxi_2021-2022_term1_career-identity" / "records.json"

SCHOOLS_004 = [
    {
        "school": "兰西县第一中学",
        "facts": {"计划报送时间": "2019-12-10 09:00", "成绩报送时间": "2019-12-27 16:00", "培训课程数": 3},
    }
]
SCHOOLS_000 = [
    {
        "school": "兰西县第三中学",
        "facts": {"计划报送时间": "2021-09-28 10:00", "成绩报送时间": "2021-11-04 16:00", "培训课程数": 3},
    }
]
TEACHER_004: dict[str, Any] = {
    "id": "T0101",
    "name": "张丽华",
    "school": "兰西县第一中学",
    "subject": "语文",
    "stage": "初中",
    "enrolled_at": "2019-12-06 10:15",
    "flags": [],
    "items": {
        "队伍建设": {"submitted_at": "2019-12-14 20:30", "score": "18"},
        "师德师风": {"submitted_at": "2019-12-21 19:05", "score": "17.9"},
        "信息技术": {"submitted_at": "2019-12-28 21:10", "score": "12"},
        "校本成绩": {"score": "30"},
    },
    "facts": {"校本作业数": 2},
}
TEACHER_000: dict[str, Any] = {
    "id": "T0201",
    "name": "王芳",
    "school": "兰西县第三中学",
    "subject": "数学",
    "enrolled_at": "2021-09-28 09:00",
    "items": {
        "作业一": {"submitted_at": "2021-10-20 15:00", "score": "33.3"},
        "作业二": {"submitted_at": "2021-11-18 20:00", "score": "33.4", "length": 1200},
        "校本成绩": {"score": "23.31"},
    },
    "facts": {"校本作业数": 2},
}


def _num(value: object) -> Decimal | None:
    """A total read back from JSON text or an Excel number cell, as an exact decimal."""
    return None if value is None else Decimal(str(value))


@pytest.fixture(scope="module")
def policy_004() -> trainrules.Policy:
    """The 004 policy (online + school-based, pass at 60)."""
    return trainrules.load(POLICY_004)


@pytest.fixture(scope="module")
def policy_000() -> trainrules.Policy:
    """The 000 policy (scaled county part, pass at 70)."""
    return trainrules.load(POLICY_000)


def _with(base: Mapping[str, Any], path: str, value: object) -> dict[str, Any]:
    """A deep copy of ``base`` with the dotted ``path`` set (``...`` as value deletes it)."""
    rec = copy.deepcopy(dict(base))
    *parents, last = path.split(".")
    node = rec
    for key in parents:
        node = node.setdefault(key, {})
    if value is ...:
        node.pop(last, None)
    else:
        node[last] = value
    return rec


def _no_location(d: Decision) -> dict[str, object]:
    out = d.to_dict()
    del out["location"]
    return out


# ---------- validation: each problem names its field ----------


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [
        ("id", ..., "id", "缺少编号"),
        ("name", ["张三"], "name", "应为文本"),
        ("enrolled_at", "2019-02-30 10:00", "enrolled_at", "入班时间"),
        ("flags", 5, "flags", "标记"),
        ("facts.校本作业数", "两篇", "facts.校本作业数", "校本作业数"),
        ("facts.校本作业数", 101, "facts.校本作业数", "超出范围"),
        ("items.队伍建设.score", "十八", "items.队伍建设.score", "队伍建设.分数"),
        ("items.队伍建设.score", 18.5, "items.队伍建设.score", "浮点数"),
        ("items.队伍建设.score", "20.5", "items.队伍建设.score", "超出 0 至 20"),
        ("items.队伍建设.score", "-0.5", "items.队伍建设.score", "超出 0 至 20"),
        ("items.队伍建设.score", "17.95", "items.队伍建设.score", "比档次表“板块档次”的精度 0.1 更细"),
        ("items.队伍建设.score", ..., "items.队伍建设.score", "没有分数"),
        ("items.队伍建设.submitted_at", "2019-12-15 24:30", "items.队伍建设.submitted_at", "队伍建设.提交时间"),
        ("items.队伍建设.length", -1, "items.队伍建设.length", "不能是负数"),
        ("items.队伍建设.comment", "好", "items.队伍建设.comment", "comment"),
        ("items.网络作业", {"score": 10}, "items.网络作业.score", "网络作业"),
        ("school", "兰西县平山镇中学", "school", "没有学校记录"),
    ],
)
def test_validation_problem_names_the_field(
    policy_004: trainrules.Policy, path: str, value: object, field: str, words: str
) -> None:
    """A record with one bad value is an error whose only problem names that field, in both languages."""
    d = policy_004.evaluate([_with(TEACHER_004, path, value)], SCHOOLS_004).decisions[0]
    assert ("error", [field]) == (d.status, [p.field for p in d.problems])
    assert words in d.problems[0].message_zh
    assert d.problems[0].message_en
    assert d.reason_zh == d.problems[0].message_zh


def test_validation_of_the_reflection_length(policy_000: trainrules.Policy) -> None:
    """000: a length that is not a whole number is an error on items.作业二.length."""
    d = policy_000.evaluate([_with(TEACHER_000, "items.作业二.length", "六百")], SCHOOLS_000).decisions[0]
    assert ("error", ["items.作业二.length"]) == (d.status, [p.field for p in d.problems])


def test_validation_reports_every_problem_of_a_record(policy_004: trainrules.Policy) -> None:
    """Several bad fields in one record are all reported, in record order."""
    rec = _with(_with(TEACHER_004, "enrolled_at", "昨天"), "items.师德师风.score", "21")
    d = policy_004.evaluate([rec], SCHOOLS_004).decisions[0]
    assert ["enrolled_at", "items.师德师风.score"] == [p.field for p in d.problems]


def test_empty_label_set_is_no_labels(policy_004: trainrules.Policy) -> None:
    """标记 (a 标签集) may be absent or blank, as a blank CSV cell is: it means no labels, not an error."""
    for value in (..., "", None):
        d = policy_004.evaluate([_with(TEACHER_004, "flags", value)], SCHOOLS_004).decisions[0]
        assert ("assessed", Decimal("77.9")) == (d.status, d.total)


def test_school_record_problems_reach_its_teachers(policy_004: trainrules.Policy) -> None:
    """A bad or duplicated school record makes each of its teachers an error naming the school field."""
    bad = [{"school": "兰西县第一中学", "facts": {"计划报送时间": "十二月十日"}}]
    d = policy_004.evaluate([TEACHER_004], bad).decisions[0]
    assert ("error", ["facts.计划报送时间"]) == (d.status, [p.field for p in d.problems])
    twice = SCHOOLS_004 + SCHOOLS_004
    d = policy_004.evaluate([TEACHER_004], twice).decisions[0]
    assert ("error", ["school"]) == (d.status, [p.field for p in d.problems])
    assert "多条学校记录" in d.problems[0].message_zh


def test_duplicate_id_is_an_error_on_the_second(policy_004: trainrules.Policy) -> None:
    """The first record with an id is evaluated; a later one with the same id is the error."""
    second = _with(TEACHER_004, "name", "韩梅梅")
    results = policy_004.evaluate([TEACHER_004, second], SCHOOLS_004)
    assert [("张丽华", "assessed", []), ("韩梅梅", "error", ["id"])] == [
        (d.name, d.status, [p.field for p in d.problems]) for d in results
    ]


# ---------- one bad record does not stop the others ----------


def test_bad_records_do_not_stop_the_run(policy_004: trainrules.Policy) -> None:
    """Good records around bad ones (bad value, not an object, unknown school) get the same decision as alone."""
    good = [_with(TEACHER_004, "id", f"T01{n:02d}") for n in range(3)]
    mixed: list[Any] = [
        good[0],
        _with(_with(TEACHER_004, "id", "T0198"), "items.队伍建设.score", "21"),
        ["不是对象"],
        good[1],
        _with(_with(TEACHER_004, "id", "T0199"), "school", "兰西县平山镇中学"),
        good[2],
    ]
    results = policy_004.evaluate(mixed, SCHOOLS_004)
    assert ["assessed", "error", "error", "assessed", "error", "assessed"] == [d.status for d in results]
    assert list(range(6)) == [d.index for d in results]
    alone = [policy_004.evaluate([g], SCHOOLS_004).decisions[0] for g in good]
    kept = [results.decisions[i] for i in (0, 3, 5)]
    assert [_no_location(d) | {"index": 0} for d in alone] == [_no_location(d) | {"index": 0} for d in kept]


def test_iter_evaluate_streams_the_same_decisions(policy_004: trainrules.Policy) -> None:
    """The streaming API yields exactly the decisions of ``evaluate``, one per record, in order."""
    records = list(read_records(RECORDS_004))
    schools = read_schools(RECORDS_004)
    assert policy_004.evaluate(records, schools).decisions == list(policy_004.iter_evaluate(records, schools))


# ---------- every input format gives the same decisions ----------

_HEADERS = {
    "id": "编号",
    "name": "姓名",
    "school": "学校",
    "subject": "学科",
    "stage": "学段",
    "enrolled_at": "入班时间",
}
_HEADERS |= {"flags": "标记"}
_ITEM_PARTS = {"submitted_at": "提交时间", "score": "分数", "grade": "等级", "length": "字数"}
_LOCAL_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def _header(key: str) -> str:
    """The Chinese column header of a canonical key (作业一.分数, 入班时间, 校本作业数)."""
    if key in _HEADERS:
        return _HEADERS[key]
    if key.startswith("items."):
        item, _, part = key.removeprefix("items.").rpartition(".")
        return f"{item}.{_ITEM_PARTS[part]}"
    return key.removeprefix("facts.")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(str(x) for x in value)
    return str(value)


def _excel(value: object) -> object:
    """A cell as a clerk's workbook holds it: numbers as numbers, local times as date cells."""
    if isinstance(value, list):
        return "、".join(str(x) for x in value)
    if isinstance(value, str) and _LOCAL_TIME.fullmatch(value):
        return dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007 -- Excel cells are naive wall time
    return value


def _example(path: Path, policy: trainrules.Policy) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The example's teachers (minus the NaN record, which CSV cannot hold, and the unknown-item one) and schools."""
    doc = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal, parse_constant=lambda _: None)
    keep = [
        t
        for t in doc["teachers"]
        if set(t.get("items", {})) <= set(policy.plan.items)
        and all(v.get("score", 0) is not None for v in t["items"].values())
    ]
    return keep, doc["schools"]


def _flat(records: list[dict[str, Any]]) -> list[dict[str, object]]:
    return [dict(r.fields) for r in iter_records_from_dicts(records) if isinstance(r, RawRecord)]


def _columns(rows: list[Mapping[str, object]]) -> list[str]:
    return list(dict.fromkeys(k for r in rows for k in r))


def _write_csv(path: Path, rows: list[Mapping[str, object]], school: bool = False) -> None:
    keys = _columns(rows)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow([("学校" if k == "school" else k.removeprefix("facts.")) if school else _header(k) for k in keys])
        w.writerows([_text(r.get(k)) for k in keys] for r in rows)


def _write_xlsx(path: Path, teachers: list[Mapping[str, object]], schools: list[Mapping[str, object]]) -> None:
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "教师"
    keys = _columns(teachers)
    sheet.append([_header(k) for k in keys])
    for r in teachers:
        sheet.append([_excel(r.get(k)) for k in keys])
    sheet = wb.create_sheet("学校")
    keys = _columns(schools)
    sheet.append(["学校" if k == "school" else k.removeprefix("facts.") for k in keys])
    for r in schools:
        sheet.append([_excel(r.get(k)) for k in keys])
    wb.save(path)


def _write_jsonl(path: Path, teachers: list[dict[str, Any]], schools: list[dict[str, Any]]) -> None:
    lines = [json.dumps(t, ensure_ascii=False, default=str) for t in teachers]
    lines += [json.dumps({"kind": "school", **s}, ensure_ascii=False, default=str) for s in schools]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("plan", ["004", "000"])
@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "xlsx"])
def test_every_format_gives_the_same_decisions(plan: str, fmt: str, tmp_path: Path) -> None:
    """The example data written as JSON, JSON Lines, CSV (Chinese headers) or xlsx is decided identically."""
    policy = trainrules.load(POLICY_004 if plan == "004" else POLICY_000)
    teachers, schools = _example(RECORDS_004 if plan == "004" else RECORDS_000, policy)
    expected = [_no_location(d) for d in policy.evaluate(teachers, schools)]
    flat_teachers, flat_schools = _flat(teachers), _flat(schools)
    if fmt == "json":
        path = school_path = tmp_path / "records.json"
        doc = {"teachers": teachers, "schools": schools}
        path.write_text(json.dumps(doc, ensure_ascii=False, default=str), encoding="utf-8")
    elif fmt == "jsonl":
        path = school_path = tmp_path / "records.jsonl"
        _write_jsonl(path, teachers, schools)
    elif fmt == "csv":
        path, school_path = tmp_path / "records.csv", tmp_path / "schools.csv"
        _write_csv(path, flat_teachers)
        _write_csv(school_path, flat_schools, school=True)
    else:
        path = school_path = tmp_path / "records.xlsx"
        _write_xlsx(path, flat_teachers, flat_schools)
    actual = [_no_location(d) for d in policy.evaluate(read_records(path), read_schools(school_path))]
    assert len(teachers) == len(actual)
    assert expected == actual


def test_csv_headers_in_chinese_are_read(policy_000: trainrules.Policy, tmp_path: Path) -> None:
    """A hand-written CSV with 编号,姓名,学校,学科,入班时间,作业一.提交时间,作业一.分数,作业二.字数… is evaluated."""
    teachers = tmp_path / "t.csv"
    teachers.write_text(
        "编号,姓名,学校,学科,入班时间,作业一.提交时间,作业一.分数,作业二.提交时间,作业二.分数,作业二.字数,校本成绩.分数\n"
        "T0201,王芳,兰西县第三中学,数学,2021-09-28 09:00,2021-10-22 11:59:59,33.3,2021-11-18 20:00,33.4,600,23.31\n"
        "T0202,李娜,兰西县第三中学,英语,2021-09-28 09:00,2021-10-22 12:00,45,2021-11-18 20:00,45,599,30\n",
        encoding="utf-8",
    )
    schools = tmp_path / "s.csv"
    schools.write_text(
        "学校,计划报送时间,成绩报送时间,培训课程数\n兰西县第三中学,2021-09-28,2021-11-04,3\n", encoding="utf-8"
    )
    results = policy_000.evaluate(read_records(teachers), read_schools(schools))
    assert [("T0201", Decimal("70.00"), True), ("T0202", Decimal("30"), False)] == [
        (d.id, d.total, d.passed) for d in results
    ]
    assert ["late", "invalid"] == [results.by_id("T0202").item(n).timeliness for n in ("作业一", "作业二")]


# ---------- the evaluate command ----------


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _golden_rows(records: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads((records.parent / "expected.json").read_text(encoding="utf-8"))
    return rows


def _compact(row: dict[str, Any], lang: str) -> dict[str, Any]:
    """A golden (bilingual) decision in the compact form of one language: ``*_en`` words replace the Chinese for
    ``en`` and are dropped, and items, parts and requirements lose their ``reason``."""
    words = {"reason": "reason_en", "problem": "problem_en"}
    out = {k: v for k, v in row.items() if k not in words.values()}
    if lang == "en":
        out.update({k: row[en] for k, en in words.items() if en in row})
    out["problems"] = [
        {"field": p["field"], "problem": p["problem_en"] if lang == "en" else p["problem"]} for p in row["problems"]
    ]
    for key in ("items", "parts", "requirements"):
        out[key] = {
            name: {k: v for k, v in value.items() if k not in ("reason", "reason_en")}
            for name, value in row[key].items()
        }
    return out


def _no_temp_files(directory: Path) -> bool:
    return not [p.name for p in directory.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("records", [RECORDS_004, RECORDS_000], ids=["004", "000"])
def test_evaluate_json_output_is_the_golden(records: Path, tmp_path: Path) -> None:
    """``evaluate -o x.json`` writes exactly the reviewed decisions (expected.json) in the compact form and exits 1.

    The compact form (``--lang zh``, the default) is the golden less its English words and less the reasons of
    items, parts and requirements; ``--lang en`` has the English words where the golden has ``*_en``.
    """
    policy = POLICY_004 if records == RECORDS_004 else POLICY_000
    out = tmp_path / "out.json"
    result = _run("evaluate", policy, records, "-o", out)
    assert 1 == result.exit_code
    assert [_compact(r, "zh") for r in _golden_rows(records)] == json.loads(out.read_text(encoding="utf-8"))[
        "decisions"
    ]
    result = _run("evaluate", policy, records, "-o", out, "--lang", "en")
    assert [_compact(r, "en") for r in _golden_rows(records)] == json.loads(out.read_text(encoding="utf-8"))[
        "decisions"
    ]
    assert _no_temp_files(tmp_path)


def test_evaluate_summary_accounts_for_every_record(tmp_path: Path) -> None:
    """The summary's in = evaluated + errors counts every record of the file; failed group checks are listed."""
    result = _run("evaluate", POLICY_004, RECORDS_004, "-o", tmp_path / "out.jsonl")
    assert "共 31 条记录：已考核 17，未参训 2，免修 1，记录有误 11" in result.stdout
    assert "  evaluated = 20, errors = 11, in = 31" in result.stdout
    assert "  兰西县第一中学: 6/9 66.7%" in result.stdout
    assert "核查未通过: 至少两项培训课程 [学校=兰西县临江镇中学]" in result.stdout
    result = _run("evaluate", POLICY_004, RECORDS_004, "-o", tmp_path / "out.jsonl", "--lang", "en")
    assert "31 records: assessed 17, not_enrolled 2, exempt 1, error 11" in result.stdout


@pytest.mark.parametrize("suffix", ["json", "jsonl", "csv", "xlsx"])
def test_evaluate_writes_one_row_per_record(suffix: str, tmp_path: Path) -> None:
    """Every output format holds one row per input record, in input order, and replaces the old file whole."""
    out = tmp_path / f"out.{suffix}"
    out.write_text("旧内容", encoding="utf-8")
    result = _run("evaluate", POLICY_000, RECORDS_000, "-o", out)
    assert 1 == result.exit_code
    golden = _golden_rows(RECORDS_000)
    if suffix == "json":
        decisions = json.loads(out.read_text(encoding="utf-8"))["decisions"]
        rows = [(r["id"], r["status"], r["total"]) for r in decisions]
    elif suffix == "jsonl":
        lines = out.read_text(encoding="utf-8").splitlines()
        decisions = [r for r in map(json.loads, lines) if r["schema"].startswith("trainrules.decision/")]
        rows = [(r["id"], r["status"], r["total"]) for r in decisions]
    elif suffix == "csv":
        with out.open(encoding="utf-8-sig", newline="") as f:
            table = list(csv.DictReader(f))
        rows = [(r["id"] or None, r["status"], r["total"] or None) for r in table]
        assert "兰西县第三中学" == table[1]["school"]
        assert ("late", "0") == (table[4]["items.作业一.timeliness"], table[4]["items.作业一.points"])
        assert "items.作业一.score: “作业一.分数”为 50.5，超出 0 至 50" == table[24]["problems"]
    else:
        workbook = openpyxl.load_workbook(out, read_only=True)
        try:  # a read-only workbook holds its file open until closed
            cells = list(workbook["明细"].iter_rows(values_only=True))  # the auditor's workbook (docs/workbook.md)
        finally:
            workbook.close()
        head = list(cells[0])
        status = {zh: code for code, (zh, _) in STATUS_WORDS.items()}
        # totals are numeric cells in Excel (so clerks can sum them): compare them as exact decimals
        rows = [(r[head.index("编号")], status[r[head.index("状态")]], _num(r[head.index("总分")])) for r in cells[1:]]
        golden = [{**r, "total": _num(r["total"])} for r in golden]
    assert [(r["id"], r["status"], r["total"]) for r in golden] == rows
    assert 34 == len(rows)
    assert _no_temp_files(tmp_path)


def test_evaluate_exit_0_when_every_record_is_evaluated(tmp_path: Path) -> None:
    """No record error: exit 0, errors = 0."""
    records = tmp_path / "ok.json"
    records.write_text(json.dumps({"teachers": [TEACHER_004], "schools": SCHOOLS_004}, ensure_ascii=False), "utf-8")
    result = _run("evaluate", POLICY_004, records, "-o", tmp_path / "out.json")
    assert 0 == result.exit_code
    assert "  evaluated = 1, errors = 0, in = 1" in result.stdout


def test_evaluate_schools_from_a_separate_file(tmp_path: Path) -> None:
    """CSV teachers with ``--schools schools.csv``: the school facts are used (no 'no school record' errors)."""
    teachers, schools = tmp_path / "t.csv", tmp_path / "s.csv"
    _write_csv(teachers, _flat([TEACHER_004]))
    _write_csv(schools, _flat(SCHOOLS_004), school=True)
    out = tmp_path / "out.json"
    result = _run("evaluate", POLICY_004, teachers, "--schools", schools, "-o", out)
    assert 0 == result.exit_code
    assert [("T0101", "assessed", "77.9")] == [
        (r["id"], r["status"], r["total"]) for r in json.loads(out.read_bytes())["decisions"]
    ]


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda d: (d / "nothing.policy", RECORDS_004), "文件不存在"),
        (lambda d: (_write(d / "bad.policy", "方案 {"), RECORDS_004), "bad.policy"),
        (lambda d: (POLICY_004, d / "missing.json"), "找不到文件"),
        (lambda d: (POLICY_004, _write(d / "broken.json", '{"teachers": [')), "不是有效的 JSON"),
        (lambda d: (POLICY_004, _write(d / "records.txt", "编号\nT1\n")), "不支持的文件类型"),
    ],
    ids=["no-policy", "bad-policy", "no-records", "broken-json", "unknown-suffix"],
)
def test_evaluate_exit_2_when_unreadable(make: Callable[[Path], tuple[Path, Path]], words: str, tmp_path: Path) -> None:
    """An unreadable policy or records file: exit 2 with a message, and the old output is left as it was."""
    policy, records = make(tmp_path)
    out = tmp_path / "out.json"
    out.write_text("旧内容", encoding="utf-8")
    result = _run("evaluate", policy, records, "-o", out)
    assert 2 == result.exit_code
    assert words in result.output
    assert "旧内容" == out.read_text(encoding="utf-8")
    assert _no_temp_files(tmp_path)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ---------- the explain command ----------


def test_explain_text_is_the_golden() -> None:
    """``explain --id T0003`` prints the reviewed explanation and exits 0."""
    result = _run("explain", POLICY_004, RECORDS_004, "--id", "T0003")
    assert 0 == result.exit_code
    assert (RECORDS_004.parent / "explain-T0003.txt").read_text(encoding="utf-8") == result.stdout


def test_explain_json() -> None:
    """``--format json`` gives the decision with its steps, the shortfall and the changes as data."""
    result = _run("explain", POLICY_004, RECORDS_004, "--id", "T0003", "--format", "json")
    data = json.loads(result.stdout)
    assert {"actual": "59", "needed": "60", "short_by": "1", "comparison": "总分 不少于 60"} == data["shortfall"]
    assert [
        ("信息技术", "15.0", "60.0"),
        ("师德师风", "16.0", "60.0"),
        ("校本成绩", "31.00", "60.00"),
        ("队伍建设", "1.0", "60.0"),
    ] == [(c["item"], c["at_least"], c["new_total"]) for c in data["changes"]]
    assert "late" == data["changes"][3]["current"]
    steps = data["decision"]["explanation"]
    assert ["参训", "项目", "项目", "项目", "部分", "取消", "项目", "部分", "总分", "合格", "核查"] == [
        s["kind"] for s in steps
    ]
    assert {"网络研修": "29", "校本研修": "30"} == steps[8]["inputs"]


def test_explain_in_english() -> None:
    """``--lang en`` words the engine's own text in English; the policy's labels stay Chinese."""
    result = _run("explain", POLICY_000, RECORDS_000, "--id", "T0005", "--lang", "en")
    assert 0 == result.exit_code
    lines = result.stdout.splitlines()
    assert "Teacher T0005 陈晨 (兰西县第三中学, 化学)" == lines[0]
    assert "Outcome: not passed; total 61.53 / 100" == lines[1]
    assert "Shortfall: 总分 不少于 70 fails: 61.53 < 70, 8.47 short" == lines[2]
    assert "  - '作业一' on time with at least 12.10 (now 0, late), total would be 70.00" == lines[4]
    assert "  1. [enrolment] 参训 → yes" in lines
    assert [] == [line for line in lines if "→ 是" in line or "→ 否" in line or "= 缺失" in line]


def test_explain_duplicate_id_says_which_record_it_explains(tmp_path: Path) -> None:
    """With an id given twice, explain names both places and explains the first (the later one is an error)."""
    data = json.loads(RECORDS_004.read_text(encoding="utf-8"))
    first = next(t for t in data["teachers"] if t["id"] == "T0003")
    data["teachers"].append({**first, "name": "重复"})
    records = tmp_path / "dup.json"
    records.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = _run("explain", POLICY_004, records, "--id", "T0003")
    assert 0 == result.exit_code
    assert "编号 T0003 出现 2 次" in result.stderr
    assert (RECORDS_004.parent / "explain-T0003.txt").read_text(encoding="utf-8") == result.stdout


def test_explain_matches_ids_as_evaluation_reads_them(tmp_path: Path) -> None:
    """A record without an id is not found by `--id None`; `--id " T0003 "` finds T0003."""
    records = tmp_path / "r.json"
    records.write_text(json.dumps({"teachers": [{**TEACHER_004, "id": None}]}, ensure_ascii=False), encoding="utf-8")
    result = _run("explain", POLICY_004, records, "--id", "None")
    assert (2, "没有编号为 None的记录") == (result.exit_code, result.stderr.strip())
    result = _run("explain", POLICY_004, RECORDS_004, "--id", " T0003 ")
    assert 0 == result.exit_code
    assert result.stdout.startswith("教师 T0003 ")


def test_explain_error_and_unknown_id() -> None:
    """An error record explains its problems and exits 1; an id not in the file exits 2."""
    result = _run("explain", POLICY_000, RECORDS_000, "--id", "T0025")
    assert 1 == result.exit_code
    assert (RECORDS_000.parent / "explain-T0025.txt").read_text(encoding="utf-8") == result.stdout
    result = _run("explain", POLICY_000, RECORDS_000, "--id", "T9999")
    assert 2 == result.exit_code
    assert "没有编号为 T9999的记录" in result.stderr


# ---------- item status (项目.按时) and cancelled parts read from elsewhere ----------

_STATUS_POLICY = """方案 测试 {
  标题 "测试"
  时区 "Asia/Shanghai" 依据 G1
  期间 2021-09-01 至 2021-12-31 依据 R1
}
输入 学校 {
  计划报送时间: 时刻 可缺 依据 R1
}
定义 校本先算 = 校本成绩
部分 县本 满分 50 依据 R1 {
  项目 作业 满分 50 依据 R1 {
    截止 2021-11-20 12:00 前 依据 R1
  }
}
部分 校本 满分 50 依据 R1 {
  取消 当 非 (学校.计划报送时间 早于 2021-09-30 24:00) 依据 R1
  项目 校本成绩 满分 50 依据 R1 {
    截止 2021-11-05 24:00 前 依据 R1
  }
}
证书 按时满分 当 作业.按时 且 作业.分数 == 50 依据 R1
核查 校本先算为零 要求 校本先算 == 0 依据 R1
合格 当 总分 不少于 60 依据 R1
"""


@pytest.mark.parametrize(
    ("submitted", "certificates"),
    [("2021-11-20 11:59:59", ("按时满分",)), ("2021-11-20 12:00:00", ()), (None, ())],
    ids=["on-time", "late", "missing"],
)
def test_item_on_time_reads_the_items_own_deadline(submitted: str | None, certificates: tuple[str, ...]) -> None:
    """`作业.按时` is true only for work in by its deadline, so a late 50 earns no certificate."""
    policy = trainrules.loads(_STATUS_POLICY)
    item: dict[str, object] = {} if submitted is None else {"submitted_at": submitted, "score": 50}
    teacher = {
        "id": "A",
        "school": "甲校",
        "items": {"作业": item, "校本成绩": {"submitted_at": "2021-11-01", "score": 40}},
    }
    school = {"school": "甲校", "facts": {"计划报送时间": "2021-09-01 10:00"}}
    d = policy.evaluate([teacher], [school], explain=True).decisions[0]
    assert ("assessed", certificates) == (d.status, d.certificates)
    step = next(s for s in d.steps or () if s.subject == "按时满分")
    assert ("作业.按时", "是" if certificates else "否") in step.inputs


def test_item_of_a_cancelled_part_read_first_is_cancelled_too() -> None:
    """A rule reading 校本成绩 before its part is scored (here: enrolment) sees the cancelled 0, as the part does."""
    policy = trainrules.loads(
        _STATUS_POLICY.replace(
            "定义 校本先算 = 校本成绩\n", "定义 校本先算 = 校本成绩\n对象 {\n  参训 当 校本先算 == 0 依据 R1\n}\n"
        )
    )
    teacher = {
        "id": "A",
        "school": "甲校",
        "items": {
            "作业": {"submitted_at": "2021-11-01", "score": 50},
            "校本成绩": {"submitted_at": "2021-11-01", "score": 40},
        },
    }
    late_plan = {"school": "甲校", "facts": {"计划报送时间": "2021-10-01 00:00"}}
    d = policy.evaluate([teacher], [late_plan]).decisions[0]
    assert ("cancelled", Decimal(0)) == (d.item("校本成绩").timeliness, d.item("校本成绩").points)
    assert (Decimal(50), (("校本先算为零", True),)) == (d.total, tuple((c.name, c.passed) for c in d.checks))


def test_tiny_scores_are_written_without_an_exponent(policy_004: trainrules.Policy) -> None:
    """0.0000000001 (10 decimals, allowed) stays 0.0000000001 in the JSON, the reason and the total, never 1E-10."""
    teacher = _with(TEACHER_004, "items.队伍建设.score", "0.0000000001")
    d = policy_004.evaluate([teacher], SCHOOLS_004).decisions[0]
    item = d.to_dict()["items"]
    assert isinstance(item, dict)
    assert "0.0000000001" == item["队伍建设"]["points"]
    assert "得 0.0000000001 分" in item["队伍建设"]["reason"]
    zero = policy_004.evaluate([_with(TEACHER_004, "items.队伍建设.score", "0.0000000")], SCHOOLS_004).decisions[0]
    assert "0.0000000" == zero.to_dict()["items"]["队伍建设"]["points"]  # type: ignore[index]  # JSON-shaped dict
    assert "E" not in d.reason_zh + str(d.to_dict()["total"])


def test_json_number_with_an_exponent_is_a_field_error(policy_004: trainrules.Policy, tmp_path: Path) -> None:
    """A score written as the JSON number 1.5E1 is refused for that record, naming the field (no exponents)."""
    line = json.dumps(TEACHER_004, ensure_ascii=False).replace('"score": "18"', '"score": 1.5E1')
    assert "1.5E1" in line
    path = tmp_path / "r.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    d = policy_004.evaluate(read_records(path), SCHOOLS_004).decisions[0]
    assert ("error", "items.队伍建设.score") == (d.status, d.problems[0].field)


_CSV_TEACHERS = (
    "编号,姓名,学校,学科,入班时间,作业一.提交时间,作业一.分数,作业二.提交时间,作业二.分数,作业二.字数,校本成绩.分数\n"
    "T0201,王芳,兰西县第三中学,数学,2021-09-28 09:00,2021-10-22 11:59:59,33.3,2021-11-18 20:00,33.4,600,23.31\n"
    "T0202,李娜,兰西县第三中学,英语,2021-09-28 09:00,2021-10-22 12:00,45,2021-11-18 20:00,55,900,30\n"
)


def test_csv_output_in_english(tmp_path: Path) -> None:
    """`--lang en` puts the English reason and problems in CSV cells (JSON always carries both)."""
    teachers = tmp_path / "t.csv"
    teachers.write_text(_CSV_TEACHERS, encoding="utf-8")
    schools = tmp_path / "s.csv"
    schools.write_text("学校,计划报送时间,成绩报送时间\n兰西县第三中学,2021-09-28,2021-11-04\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = _run("evaluate", POLICY_000, teachers, "--schools", schools, "-o", out, "--lang", "en")
    assert 1 == result.exit_code
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert "passed: total 70.00, 36 学时 granted" == rows[0]["reason"]
    assert rows[1]["problems"].startswith("items.作业二.score: '作业二.分数' is 55, outside 0 to 50")


def test_unusable_school_rows_are_reported(tmp_path: Path) -> None:
    """A school row that cannot be read is named on stderr with its line, and the run exits 1."""
    teachers = tmp_path / "t.csv"
    teachers.write_text(_CSV_TEACHERS, encoding="utf-8")
    schools = tmp_path / "s.csv"
    schools.write_text(
        "学校,计划报送时间,成绩报送时间\n兰西县第三中学,2021-09-28,2021-11-04,多余\n,2021-09-28,2021-11-04\n",
        encoding="utf-8",
    )
    result = _run("evaluate", POLICY_000, teachers, "--schools", schools, "-o", tmp_path / "o.json")
    assert 1 == result.exit_code
    assert "学校记录 s.csv:2: 该行有 1 个值在没有表头的列中" in result.stderr
    assert "学校记录 s.csv:3: 学校记录缺少学校名称" in result.stderr


def test_csv_without_schools_says_how_to_give_them(tmp_path: Path) -> None:
    """A policy that needs school facts, run on a CSV without --schools: each error says to use --schools."""
    teachers = tmp_path / "t.csv"
    teachers.write_text(_CSV_TEACHERS, encoding="utf-8")
    out = tmp_path / "o.json"
    result = _run("evaluate", POLICY_000, teachers, "-o", out)
    assert 1 == result.exit_code
    first = json.loads(out.read_bytes())["decisions"][0]["problems"][0]
    assert ("school", True) == (first["field"], "CSV 请用 --schools 给出学校记录文件" in first["problem"])


def test_results_carry_unusable_school_rows(policy_000: trainrules.Policy) -> None:
    """`Policy.evaluate` reports a school record without a school name in `Results.school_problems`."""
    schools = [*SCHOOLS_000, {"facts": {"计划报送时间": "2021-09-28 10:00"}}]
    results = policy_000.evaluate([TEACHER_000], schools)
    assert ["学校记录缺少学校名称，未使用"] == [p.message_zh for p in results.school_problems]
    assert ["assessed"] == [d.status for d in results]


def test_on_time_reflection_without_a_length_is_an_error(policy_000: trainrules.Policy) -> None:
    """作业二 on time with no 字数: its 有效 condition cannot be decided, so the record is an error, not a silent 0."""
    teacher = copy.deepcopy(TEACHER_000)
    del teacher["items"]["作业二"]["length"]
    d = policy_000.evaluate([teacher], SCHOOLS_000).decisions[0]
    assert ("error", ["items.作业二.length"]) == (d.status, [p.field for p in d.problems])
    assert "作业二.字数" in d.problems[0].message_zh
    late = _with(teacher, "items.作业二.submitted_at", "2021-11-20 12:00")  # late: validity is not asked
    assert ("assessed", "late") == (
        policy_000.evaluate([late], SCHOOLS_000).decisions[0].status,
        policy_000.evaluate([late], SCHOOLS_000).decisions[0].item("作业二").timeliness,
    )


def test_validity_that_handles_a_missing_input_itself_is_not_an_error() -> None:
    """`有效 当 取值(字数, 0) 不少于 600` says what a missing length means: invalid, no error."""
    text = POLICY_000.read_text(encoding="utf-8").replace("有效 当 字数 不少于 600", "有效 当 取值(字数, 0) 不少于 600")
    assert "取值(字数, 0)" in text
    policy = trainrules.loads(text)
    teacher = copy.deepcopy(TEACHER_000)
    del teacher["items"]["作业二"]["length"]
    d = policy.evaluate([teacher], SCHOOLS_000).decisions[0]
    assert ("assessed", "invalid") == (d.status, d.item("作业二").timeliness)


def _status_run(policy_text: str, work: dict[str, object]) -> Decision:
    teacher = {
        "id": "A",
        "school": "甲校",
        "items": {"作业": work, "校本成绩": {"submitted_at": "2021-11-01", "score": 40}},
    }
    school = {"school": "甲校", "facts": {"计划报送时间": "2021-09-01 10:00"}}
    return trainrules.loads(policy_text).evaluate([teacher], [school]).decisions[0]


def test_late_points_below_zero_at_run_time_are_an_error() -> None:
    """A late formula the checker cannot bound (分数 - 扣分) that gives -5 makes the record an error, not a -5."""
    text = _STATUS_POLICY.replace(
        "计划报送时间: 时刻 可缺 依据 R1\n}",
        "计划报送时间: 时刻 可缺 依据 R1\n}\n输入 教师 {\n  扣分: 数 可缺 依据 R1\n}",
    )
    text = text.replace(
        "截止 2021-11-20 12:00 前 依据 R1", "截止 2021-11-20 12:00 前 依据 R1\n    逾期 得 分数 - 扣分 依据 R1"
    )
    assert [] == [d.code for d in trainrules.checks(text) if d.severity.name == "ERROR"]
    policy = trainrules.loads(text)
    school = {"school": "甲校", "facts": {"计划报送时间": "2021-09-01 10:00"}}

    def late(deduction: int) -> Decision:
        work = {"submitted_at": "2021-11-21", "score": 40}
        teacher = {"id": "A", "school": "甲校", "facts": {"扣分": deduction}, "items": {"作业": work}}
        return policy.evaluate([teacher], [school]).decisions[0]

    assert Decimal(30) == late(10).item("作业").points
    d = late(45)
    assert ("error", ["items.作业.score"]) == (d.status, [p.field for p in d.problems])
    assert "“作业”的得分（分数 - 扣分）为 -5，超出 0 至 50：不予截断" == d.problems[0].message_zh


def test_hours_that_cannot_be_computed_are_an_error() -> None:
    """`授予 作业.字数 学时` with no length: the teacher passed but the hours are unknown, so the record is an error."""
    text = _STATUS_POLICY.replace(
        "合格 当 总分 不少于 60 依据 R1", "合格 当 总分 不少于 60 授予 作业.字数 学时 依据 R1"
    )
    assert "授予 作业.字数 学时" in text
    d = _status_run(text, {"submitted_at": "2021-11-01", "score": 50})
    assert "error" == d.status
    assert "授予的学时" in d.problems[0].message_zh
    assert Decimal(36) == _status_run(text, {"submitted_at": "2021-11-01", "score": 50, "length": 36}).hours


@pytest.mark.parametrize("which", ["records", "schools", "link"])
def test_evaluate_refuses_to_write_over_an_input(which: str, tmp_path: Path) -> None:
    """-o naming the records or schools file (or a link to it) exits 2 and leaves the input as it was."""
    records = tmp_path / "r.json"
    records.write_bytes(RECORDS_004.read_bytes())
    schools = tmp_path / "s.json"
    schools.write_text(json.dumps({"teachers": [], "schools": SCHOOLS_004}, ensure_ascii=False), encoding="utf-8")
    target = {"records": records, "schools": schools, "link": tmp_path / "link.json"}[which]
    if which == "link":
        target.symlink_to(records)
    before = records.read_bytes(), schools.read_bytes()
    result = _run("evaluate", POLICY_004, records, "--schools", schools, "-o", target)
    assert 2 == result.exit_code
    assert "就是输入文件" in result.output
    assert before == (records.read_bytes(), schools.read_bytes())


@pytest.mark.parametrize("name", ["typo.polcy", "a{b}.policy"])
def test_command_line_policy_is_always_a_path(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A mistyped policy path is E101 'file not found', never parsed as policy text."""
    monkeypatch.chdir(tmp_path)
    for args in (("check", name), ("evaluate", name, RECORDS_004, "-o", tmp_path / "out.json")):
        result = CliRunner().invoke(main, [str(a) for a in args])
        assert 2 == result.exit_code
        assert "E101" in result.output
        assert "文件不存在" in result.output
        assert "E111" not in result.output


def test_interrupted_run_exits_130_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C in the middle of a run: exit 130 (not 1, 'some records had errors'), no output, no temp file."""
    import trainrules.cli as cli

    real_row, calls = cli._row, []

    def row(*args: Any) -> dict[str, object]:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_row(*args)

    monkeypatch.setattr(cli, "_row", row)
    out = tmp_path / "out.json"
    result = _run("evaluate", POLICY_004, RECORDS_004, "-o", out)
    assert (130, False) == (result.exit_code, out.exists())
    assert _no_temp_files(tmp_path)


@pytest.mark.parametrize(
    ("late", "zh", "en"),
    [
        ("最小(分数 / 扣分, 50)", "除数为 0", "division by 0"),
        ("四舍五入(分数, 扣分)", "取整的步长 0 必须大于 0", "the rounding step 0 must be positive"),
    ],
)
def test_uncomputable_expression_is_a_record_error_in_both_languages(late: str, zh: str, en: str) -> None:
    """Dividing by 0 or rounding to a step of 0 makes that record an error, worded in Chinese and in English."""
    text = _STATUS_POLICY.replace(
        "计划报送时间: 时刻 可缺 依据 R1\n}",
        "计划报送时间: 时刻 可缺 依据 R1\n}\n输入 教师 {\n  扣分: 数 可缺 依据 R1\n}",
    )
    text = text.replace(
        "截止 2021-11-20 12:00 前 依据 R1", f"截止 2021-11-20 12:00 前 依据 R1\n    逾期 得 {late} 依据 R1"
    )
    teacher = {
        "id": "A",
        "school": "甲校",
        "facts": {"扣分": 0},
        "items": {"作业": {"submitted_at": "2021-11-21", "score": 40}},
    }
    school = {"school": "甲校", "facts": {"计划报送时间": "2021-09-01 10:00"}}
    d = trainrules.loads(text).evaluate([teacher], [school]).decisions[0]
    assert "error" == d.status
    assert (f"无法计算：{zh}", f"cannot compute: {en}") == (d.problems[0].message_zh, d.problems[0].message_en)


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [("items", [], "items"), ("facts", [], "facts"), ("items", {"队伍建设": "x"}, "items.队伍建设")],
)
def test_wrong_shaped_items_or_facts_name_the_field(
    policy_004: trainrules.Policy, key: str, value: object, field: str
) -> None:
    """`"items": []` or an item that is not an object is an error naming it, not a misleading missing score."""
    teacher = {**TEACHER_004, key: value}
    d = policy_004.evaluate([teacher], SCHOOLS_004).decisions[0]
    assert ("error", [field]) == (d.status, [p.field for p in d.problems])
    assert "应为对象" in d.problems[0].message_zh


def test_teacher_without_a_school_says_the_school_is_missing(policy_004: trainrules.Policy) -> None:
    """No school (an empty or merged Excel cell) reads "缺少学校", not a school record for the school “”."""
    teacher = {k: v for k, v in TEACHER_004.items() if k != "school"}
    d = policy_004.evaluate([teacher], SCHOOLS_004).decisions[0]
    assert ("error", ["school"]) == (d.status, [p.field for p in d.problems])
    assert "缺少学校，找不到学校记录" == d.problems[0].message_zh


def test_xlsx_formula_without_a_value_is_an_error_naming_the_cell(
    policy_004: trainrules.Policy, tmp_path: Path
) -> None:
    """A formula openpyxl wrote and Excel never computed is not read as an empty (missing) submission."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "教师"
    sheet.append(["编号", "学校", "入班时间", "队伍建设.提交时间", "队伍建设.分数", "备注"])
    sheet.append(["T1", "兰西县第一中学", "2019-12-06 10:15", "=NOW()", 18, "=1+1"])
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    d = policy_004.evaluate(read_records(path), SCHOOLS_004).decisions[0]
    assert ("error", ["items.队伍建设.submitted_at"]) == (d.status, [p.field for p in d.problems])
    assert "单元格 D2 的公式没有计算结果" in d.problems[0].message_zh


# ---------- issue 9: no silent wrong numbers, every number explained ----------

FORMULAS = ROOT / "tests" / "explain" / "formulas.policy"
FORMULA_RECORDS = ROOT / "tests" / "explain" / "formulas.json"


def _formulas(teacher_id: str) -> Any:
    from trainrules.explain import explain

    policy = trainrules.load(FORMULAS)
    ev = policy.evaluator(read_schools(FORMULA_RECORDS))
    raw = next(r for r in read_records(FORMULA_RECORDS) if isinstance(r, RawRecord) and r.fields["id"] == teacher_id)
    return explain(ev, raw)


def test_explanation_of_formulas_definitions_and_grant_is_the_golden(golden: Callable[[Path, str], None]) -> None:
    """The test plan's teacher T2 (passed, 48 hours) and T1 (short of video time): the reviewed explanations."""
    from trainrules.explain import render_explanation

    for teacher_id in ("T1", "T2"):
        golden(
            ROOT / "tests" / "explain" / f"formulas-{teacher_id}.txt", render_explanation(_formulas(teacher_id)) + "\n"
        )


def test_a_definition_step_shows_the_record_fields_it_read_and_its_assumption() -> None:
    """最小(向下取整(拓展积分 / 10), 40) = 39 comes with 拓展积分 = 395; the part formula reads 拓展分 = 39."""
    steps = _formulas("T1").decision.steps
    define = next(s for s in steps if s.kind == "定义" and s.subject == "拓展分")
    assert (("拓展积分", "395"),) == define.inputs
    assert "39" == define.result
    assert ["拓展折算"] == [name for name, _ in define.assumptions]
    part = next(s for s in steps if s.kind == "部分" and s.subject == "拓展")
    assert (("拓展分", "39"),) == part.inputs
    assert steps.index(define) < steps.index(part)


def test_a_granted_amount_has_its_derivation() -> None:
    """T2 passes with 97 and is granted 48 hours by the 授予 formula: a step shows the formula and 总分 = 97."""
    d = _formulas("T2").decision
    assert (True, Decimal("48")) == (d.passed, d.hours)
    grant = next(s for s in d.steps if s.kind == "授予")
    assert ("48", (("总分", "97"),)) == (grant.result, grant.inputs)
    assert "若 总分 不少于 90 则 48 否则 36 = 48" in grant.detail_zh


def test_a_failing_compound_condition_names_the_failing_part_with_its_value() -> None:
    """总分 不少于 60 且 视频达标 fails through 视频达标, whose step says 视频总时长 9.5 < 10."""
    steps = _formulas("T1").decision.steps
    rule = next(s for s in steps if s.kind == "合格")
    assert rule.detail_zh.endswith("不成立（视频达标 不成立）")
    define = next(s for s in steps if s.subject == "视频达标")
    assert "视频总时长 9.5 < 10" in define.detail_zh
    assert "视频总时长 9.5 < 10" in define.detail_en


def test_the_search_covers_every_input_of_the_pass_rule() -> None:
    """T1 is 0.5 hours of video short: the search finds 视频总时长 10 (it used to look at items only)."""
    ex = _formulas("T1")
    assert [("视频总时长", "9.5", "10.00", Decimal("90"))] == [
        (c.input, c.current, c.value, c.new_total) for c in ex.input_changes
    ]
    assert {"作业一", "评课", "校本", "拓展积分", "视频总时长"} == {s.input for s in ex.searched if s.searched}
    assert () == ex.changes  # no item score can make up for the video time


def test_an_input_that_was_not_searched_is_never_claimed_to_be_unhelpful(tmp_path: Path) -> None:
    """A pass rule reading a number without a declared range: the text lists it as not searched, no "no change"."""
    from trainrules.explain import explain, render_explanation

    text = FORMULAS.read_text(encoding="utf-8").replace("视频总时长: 数 0 至 20", "视频总时长: 数")
    policy = trainrules.load(_tmp_policy(tmp_path, text))
    ev = policy.evaluator(read_schools(FORMULA_RECORDS))
    raw = next(r for r in read_records(FORMULA_RECORDS) if isinstance(r, RawRecord) and r.fields["id"] == "T1")
    ex = explain(ev, raw)
    assert [("视频总时长", False)] == [(s.input, s.searched) for s in ex.searched if s.input == "视频总时长"]
    text = render_explanation(ex)
    assert "没有任何单项改变能使其合格。" not in text
    assert "未搜索：视频总时长（未声明取值范围）" in text


def _tmp_policy(directory: Path, text: str) -> Path:
    path = directory / "test.policy"
    path.write_text(text, encoding="utf-8")
    return path


def test_work_without_a_deadline_is_scored_without_a_time() -> None:
    """评课 has no deadline: its score counts with no submitted_at (it used to read "未提交，得 0 分")."""
    d = _formulas("T1").decision
    item = d.item("评课")
    assert ("on_time", Decimal("8"), None) == (item.timeliness, item.points, item.submitted_at)
    assert "无截止" in item.reason_zh
    assert "未提交" not in item.reason_zh


def test_a_score_without_a_time_where_there_is_a_deadline_is_an_error_naming_the_field() -> None:
    """T4's 作业一 has a score but no submitted_at, and 作业一 has a deadline: a record error, not 0 points."""
    d = _formulas("T4").decision
    assert "error" == d.status
    assert ["items.作业一.submitted_at"] == [p.field for p in d.problems]
    assert "缺少提交时间" in d.problems[0].message_zh


def test_lateness_of_a_school_reported_time_is_the_schools() -> None:
    """校本's time is the school's: the reason says the school reported late, and the change is the school's."""
    ex = _formulas("T3")
    assert ex.decision.item("校本").reason_zh.startswith("学校逾期报送（学校.成绩报送时间 2024-12-21 00:00:00")
    change = next(c for c in ex.changes if c.item == "校本")
    assert "学校.成绩报送时间" == change.school
    from trainrules.explain import render_explanation

    text = render_explanation(ex)
    assert "若学校按时报送“校本”（学校.成绩报送时间）且得分不低于 9.00" in text
    assert "“校本”按时提交" not in text


@pytest.mark.parametrize(
    ("teacher_id", "words"),
    [("T0011", "学校逾期报送（学校.成绩报送时间 2019-12-30 00:00:00"), ("T0012", "学校未报送（学校.成绩报送时间 缺失")],
)
def test_004_school_results_late_or_never_read_as_the_schools(teacher_id: str, words: str) -> None:
    """In 004 the school reports 校本成绩: its lateness or silence is worded as the school's, not the teacher's."""
    d = trainrules.load(POLICY_004).evaluate(read_records(RECORDS_004), read_schools(RECORDS_004)).by_id(teacher_id)
    assert d.item("校本成绩").reason_zh.startswith(words)


_FORMULA_PART = """
方案 乙 { 标题 "乙" 期间 2024-09-01 至 2024-12-31 }
输入 教师 { 篇数: 整数 依据 X1 }
部分 甲 满分 5 依据 X1 { 项目 作业 满分 5 依据 X1 { } }
部分 乙 满分 5 依据 X1 { 得分 = 10 - 篇数 × 2 }
"""


@pytest.mark.parametrize(("count", "shown"), [("8", "-6"), ("0", "10")])
def test_a_part_formula_outside_its_maximum_is_a_record_error_never_clamped(
    count: str, shown: str, tmp_path: Path
) -> None:
    """乙's formula gives 10 (of 5) or -6: an error naming the part and the value, the other teachers still scored."""
    policy = trainrules.load(_tmp_policy(tmp_path, _FORMULA_PART))
    teachers = [
        {"id": "A", "facts": {"篇数": count}, "items": {"作业": {"score": "4"}}},
        {"id": "B", "facts": {"篇数": "3"}, "items": {"作业": {"score": "4"}}},
    ]
    a, b = policy.evaluate(teachers).decisions
    assert "error" == a.status
    assert ["parts.乙.points"] == [p.field for p in a.problems]
    assert f"“乙”的得分（10 - 篇数 × 2）为 {shown}，超出 0 至 5" in a.problems[0].message_zh
    assert ("assessed", Decimal("8")) == (b.status, b.total)


_SCORE_ONLY = """
方案 丙 { 标题 "丙" 期间 2024-09-01 至 2024-12-31 总分 10 }
部分 甲 满分 10 依据 X1 { 项目 作业 满分 10 依据 X1 { } }
"""


def test_a_plan_without_a_pass_rule_scores_without_a_verdict(tmp_path: Path) -> None:
    """No 合格: a teacher with 10 of 10 is scored (passed is null), never "不合格"; no pass rate; no "no change"."""
    from trainrules.explain import explain, render_explanation

    path = tmp_path / "score-only.policy"
    path.write_text(_SCORE_ONLY, encoding="utf-8")
    records = tmp_path / "r.json"
    records.write_text(json.dumps({"teachers": [{"id": "A", "items": {"作业": {"score": "10"}}}]}), encoding="utf-8")
    policy = trainrules.load(path)
    d = policy.evaluate(read_records(records)).decisions[0]
    assert ("assessed", None, Decimal("10")) == (d.status, d.passed, d.total)
    assert d.reason_zh.startswith("已评分：总分 10")
    assert d.to_dict()["passed"] is None
    text = render_explanation(explain(policy.evaluator(), next(iter(read_records(records)))))  # type: ignore[arg-type]
    assert "结论: 已评分（本方案没有合格规则）; 总分 10 / 10" in text
    assert "不合格" not in text
    assert "合格" not in text.replace("本方案没有合格规则", "")
    result = _run("evaluate", path, records, "-o", tmp_path / "out.json")
    assert 0 == result.exit_code
    assert "本方案没有合格规则" in result.stdout
    assert "各校合格率" not in result.stdout


def test_explain_several_ids_and_a_status_filter_to_a_file(tmp_path: Path) -> None:
    """``--id`` twice explains both; ``--status failed`` every failed teacher; ``-o`` writes the file atomically."""
    result = _run("explain", POLICY_004, RECORDS_004, "--id", "T0003", "--id", "T0016")
    assert 0 == result.exit_code
    assert ["T0003", "T0016"] == re.findall(r"^教师 (\S+)", result.stdout, flags=re.MULTILINE)
    out = tmp_path / "failed.txt"
    result = _run("explain", POLICY_004, RECORDS_004, "--status", "failed", "-o", out)
    assert 0 == result.exit_code
    assert "" == result.stdout
    expected = [
        d.id
        for d in trainrules.load(POLICY_004).evaluate(read_records(RECORDS_004), read_schools(RECORDS_004))
        if d.status == "assessed" and not d.passed
    ]
    text = out.read_text(encoding="utf-8")
    assert expected == re.findall(r"^教师 (\S+)", text, flags=re.MULTILINE)
    assert len(expected) == 7
    assert _no_temp_files(tmp_path)
    result = _run("explain", POLICY_004, RECORDS_004, "--status", "failed", "--format", "json")
    assert expected == [e["decision"]["id"] for e in json.loads(result.stdout)]
    result = _run("explain", POLICY_004, RECORDS_004, "--status", "error", "-o", tmp_path / "errors.txt")
    assert 1 == result.exit_code
    assert 11 == (tmp_path / "errors.txt").read_text(encoding="utf-8").count("结论: 记录有误")


def test_an_item_without_points_that_no_rule_reads_is_left_out_of_the_text_not_the_data() -> None:
    """观摩 carries no points and nothing reads it: the text skips it; the decision and the JSON keep it."""
    from trainrules.explain import render_explanation

    ex = _formulas("T1")
    assert "missing" == ex.decision.item("观摩").timeliness
    assert any(s.subject == "观摩" for s in ex.decision.steps or ())
    assert "观摩" in ex.to_dict()["decision"]["items"]  # type: ignore[operator]
    assert "观摩" not in render_explanation(ex)


def test_a_change_to_work_without_a_deadline_asks_only_for_points() -> None:
    """评课 has no deadline: the change offered is its points, never "按时提交"; 作业一 and the school's 校本 differ."""
    from trainrules.explain import render_explanation

    text = render_explanation(_formulas("T5"))
    assert "  - “评课”得分不低于 6.00（现为 5 分，按时），总分将为 60.00" in text.splitlines()
    assert "  - “作业一”按时提交且得分不低于 21.00（现为 20 分，按时），总分将为 60.00" in text.splitlines()
    assert "  - 若“拓展积分”为 310.00（现为 300），总分将为 60" in text.splitlines()
