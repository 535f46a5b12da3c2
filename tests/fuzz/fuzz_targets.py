"""Fuzz targets: policy text, and teacher records in each format (json, jsonl, csv, xlsx bytes).

Each target takes arbitrary bytes and must either finish or refuse the input the documented
way; anything else (a traceback, a RecursionError, an OSError) is a crash:

* ``policy``: checking the text gives diagnostics, never raises; they render as text and as
  dicts; a policy without errors loads and evaluates a few records (errors per record, no raise).
* ``json`` / ``jsonl`` / ``csv`` / ``xlsx``: reading the records either refuses the whole file
  with a :class:`RecordsFileError`, or yields one record or read problem per record; evaluating
  them under a shipped policy gives one decision per record, never raises.

The same functions run under hypothesis in CI (tests/fuzz/test_fuzz.py, a few seconds) and
under atheris, coverage-guided, for long runs (tests/fuzz/run.py; see tests/fuzz/README.md).
"""

from __future__ import annotations

import functools
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import trainrules
from trainrules.diagnostics import Diagnostic, Severity
from trainrules.records import RawRecord, ReadProblem, RecordsFileError, read_records, read_records_text, read_schools
from trainrules.render import diagnostic_to_dict, render_text

REPO = Path(__file__).resolve().parents[2]
POLICY_000 = REPO / "policies" / "lanxi_2021-2022_term1_career-identity.policy"
RECORDS_000 = REPO / "policies" / "examples" / "lanxi_2021-2022_term1_career-identity" / "records.json"

__all__ = ["TARGETS", "check_text", "load_text", "seeds"]


# The two adapters over the public API: once it separates paths from text, they are
# ``trainrules.checks(text)`` and ``trainrules.loads(text)`` (one line each to change).


def check_text(text: str) -> list[Diagnostic]:
    """Check policy *text*, never a path."""
    return trainrules.checks(text, name="fuzz.policy")


def load_text(text: str) -> trainrules.Policy:
    """Load policy *text*, never a path."""
    return trainrules.loads(text, name="fuzz.policy")


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


@functools.cache
def _policy() -> trainrules.Policy:
    return trainrules.load(POLICY_000)


_FEW_RECORDS: list[dict[str, Any]] = [
    {"id": "T1", "school": "一中", "enrolled_at": "2021-09-28 09:00", "items": {}},
    {"id": "T2", "items": {"作业一": {"submitted_at": "2021-10-20 15:00", "score": "50"}}, "facts": {"x": 1}},
]


def fuzz_policy(data: bytes) -> None:
    """Check arbitrary policy text; render the diagnostics; evaluate a policy that checks clean."""
    text = _text(data)
    diagnostics = check_text(text)
    render_text(diagnostics, "zh")
    render_text(diagnostics, "en")
    for d in diagnostics:
        diagnostic_to_dict(d)
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return
    policy = load_text(text)
    results = policy.evaluate(_FEW_RECORDS)
    assert len(results.decisions) == len(_FEW_RECORDS)


def _evaluate(found: Iterable[RawRecord | ReadProblem], schools: list[RawRecord | ReadProblem]) -> None:
    records = list(found)
    assert all(isinstance(r, RawRecord | ReadProblem) for r in records)
    results = _policy().evaluate(records, schools)
    assert len(results.decisions) == len(records)
    for decision in results.decisions:
        decision.to_dict(explanation=False)


def _text_records(data: bytes, fmt: str) -> None:
    text = _text(data)
    try:
        found = list(read_records_text(text, fmt))  # type: ignore[arg-type]  # json, jsonl or csv
        schools = list(read_records_text(text, fmt, kind="school")) if fmt != "csv" else []  # type: ignore[arg-type]
    except RecordsFileError:
        return
    _evaluate(found, schools)


def fuzz_json(data: bytes) -> None:
    _text_records(data, "json")


def fuzz_jsonl(data: bytes) -> None:
    _text_records(data, "jsonl")


def fuzz_csv(data: bytes) -> None:
    _text_records(data, "csv")


def fuzz_xlsx(data: bytes) -> None:
    """Read xlsx bytes from a file (openpyxl reads files), as ``evaluate`` does."""
    handle, name = tempfile.mkstemp(suffix=".xlsx")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        try:
            found = list(read_records(name))
            schools = read_schools(name)
        except RecordsFileError:
            return
        _evaluate(found, schools)
    finally:
        os.unlink(name)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "policy": fuzz_policy,
    "json": fuzz_json,
    "jsonl": fuzz_jsonl,
    "csv": fuzz_csv,
    "xlsx": fuzz_xlsx,
}

# --- seed inputs: the shipped policies and records, in every format ---------------------------

_CSV_SEED = (
    "编号,姓名,学校,入班时间,作业一.提交时间,作业一.分数,作业二.提交时间,作业二.分数,作业二.字数,校本成绩.分数,校本作业数\n"
    "T0001,张伟,兰西县第三中学,2021-09-28 09:00,2021-10-20 15:00,50,2021-11-18 20:00,50,1200,30,2\n"
    'T0002,"王,芳",兰西县第三中学,2021-09-28,2021/10/20 15:00,33.3,,,,23.31,\n'
)


def _xlsx_seed() -> bytes:
    import csv

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "教师"
    for row in csv.reader(io.StringIO(_CSV_SEED)):
        sheet.append([int(c) if c.isdigit() else c for c in row])
    schools = workbook.create_sheet("学校")
    schools.append(["学校", "培训课程数"])
    schools.append(["兰西县第三中学", 2])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@functools.cache
def seeds(target: str) -> tuple[bytes, ...]:
    """A few valid (and some nearly valid) inputs for ``target``, to start mutating from."""
    if target == "policy":
        files = sorted(REPO.glob("policies/*.policy")) + sorted((REPO / "tests" / "diagnostics").glob("*.policy"))
        return tuple(p.read_bytes() for p in files)
    # The example documents (an array of teachers, or an object with teachers and perhaps schools).
    documents = [
        d if isinstance(d, dict) else {"teachers": d}
        for d in (json.loads(p.read_bytes()) for p in sorted(REPO.glob("policies/examples/*/records.json")))
    ]
    if target == "json":
        return (*(json.dumps(d, ensure_ascii=False).encode() for d in documents), b"[]", b'{"teachers": []}')
    if target == "jsonl":
        lines = [
            json.dumps({**school, "kind": "school"}, ensure_ascii=False)
            for d in documents
            for school in d.get("schools", [])
        ]
        lines += [json.dumps(t, ensure_ascii=False) for d in documents for t in d["teachers"][:12]]
        return ("\n".join(lines).encode(), b'{"id": "T1"}\n')
    if target == "csv":
        return (_CSV_SEED.encode(), _CSV_SEED.encode("utf-8-sig"))
    if target == "xlsx":
        return (_xlsx_seed(),)
    raise KeyError(target)
