"""What a run leaves for other programs (issue 12, "Results other programs consume"): every output
carries the run, validates against the JSON Schemas shipped in the package, counts every record
(in = evaluated + errors, equal to the decisions), ties the results to the policy's exact text
(SHA-256), and flows through standard streams."""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st
from record_strategies import PLAN_000, PLAN_004, PlanSpec, bad_records, runs
from referencing import Registry, Resource

import trainrules
from trainrules import schemas
from trainrules.cli import main
from trainrules.records import read_records

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p.stem for p in (REPO / "policies").glob("*.policy"))
#: The two seed-scoring examples (004: the online school, 000: career identity) come first in the issue.
SEED_SCORING = ["lanxi_2019-2020_term1_online-school", "lanxi_2021-2022_term1_career-identity"]
REGISTRY: Registry = Registry().with_resources(
    (str(s["$id"]), Resource.from_contents(s)) for s in map(schemas.load, schemas.NAMES)
)


def _policy(name: str) -> Path:
    return REPO / "policies" / f"{name}.policy"


def _records(name: str) -> Path:
    return REPO / "policies" / "examples" / name / "records.json"


def _validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schemas.load(name), registry=REGISTRY)


def _valid(name: str, document: object) -> None:
    errors = sorted(_validator(name).iter_errors(document), key=lambda e: list(e.absolute_path))
    assert [] == [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _jsonl(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """A JSON Lines results file split into decisions, group findings and the run (which must be the last line)."""
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        _valid("jsonl-line", line)
    kinds = [line["schema"].split("/")[0] for line in lines]
    decisions = kinds.count("trainrules.decision")
    groups = kinds.count("trainrules.group")
    # the documented order: every decision, then every group finding, then the run alone on the last line
    assert ["trainrules.decision"] * decisions + ["trainrules.group"] * groups + ["trainrules.run"] == kinds
    return lines[:decisions], lines[decisions:-1], lines[-1]


def _counts_agree(run: dict[str, Any], decisions: list[dict[str, Any]]) -> None:
    """in = evaluated + errors, and each count is the decisions' own."""
    counts = run["counts"]
    by_status = Counter(d["status"] for d in decisions)
    assert counts["in"] == counts["evaluated"] + counts["errors"] == len(decisions)
    assert counts["errors"] == counts["error"] == by_status["error"]
    for status in ("assessed", "not_enrolled", "exempt"):
        assert counts[status] == by_status[status]
    teacher_errors = [e for e in run["errors"] if e["kind"] == "teacher"]
    assert [d["index"] for d in decisions if d["status"] == "error"] == [e["index"] for e in teacher_errors]


# --- every format validates, counts every record and names the policy's exact text ---------------


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("suffix", ["json", "jsonl", "csv"])
def test_every_output_validates_and_counts_every_record(name: str, suffix: str, tmp_path: Path) -> None:
    out, summary = tmp_path / f"out.{suffix}", tmp_path / "summary.json"
    result = _run("evaluate", _policy(name), _records(name), "-o", out, "--summary", summary)
    assert result.exit_code in (0, 1), result.output
    side = json.loads(summary.read_text(encoding="utf-8"))
    _valid("summary", side)
    if suffix == "json":
        document = json.loads(out.read_text(encoding="utf-8"))
        _valid("results", document)
        assert ["decisions", "groups", "run"] == list(document)  # the documented key order
        decisions, groups, run = document["decisions"], document["groups"], document["run"]
    elif suffix == "jsonl":
        decisions, groups, run = _jsonl(out)
    else:
        with out.open(encoding="utf-8-sig", newline="") as f:
            decisions = [{"status": r["status"], "index": int(r["index"])} for r in csv.DictReader(f)]
        groups, run = side["groups"], side["run"]
    _counts_agree(run, decisions)
    assert side["groups"] == groups
    assert {k: v for k, v in side["run"].items() if not k.endswith("_at")} == {
        k: v for k, v in run.items() if not k.endswith("_at")
    }
    assert hashlib.sha256(_policy(name).read_bytes()).hexdigest() == run["policy"]["sha256"]
    assert (run["errors"] != [] or any(g["passed"] is None for g in groups)) == (result.exit_code == 1)
    assert len(groups) == run["groups"]["checked"]


@pytest.mark.parametrize("name", SEED_SCORING)
@pytest.mark.parametrize("options", [["--lang", "en"], ["--explain"], ["--explain", "--lang", "en"]])
def test_the_languages_and_the_derivation_validate(name: str, options: list[str], tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    _run("evaluate", _policy(name), _records(name), "-o", out, *options)
    decisions, _, run = _jsonl(out)
    lang = "en" if "en" in options else "zh"
    assert (lang, "--explain" in options) == (run["lang"], run["explanation"])
    assessed = next(d for d in decisions if d["status"] == "assessed")
    item = next(iter(assessed["items"].values()))
    assert ("reason" in item) == ("--explain" in options) == ("explanation" in assessed)
    assert not any("reason_en" in d or "problem_en" in str(d["problems"]) for d in decisions)  # one language only
    english = lang == "en"
    assert english == assessed["reason"].startswith(("passed", "not passed", "scored"))


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_python_forms_validate(name: str) -> None:
    """``Decision.to_dict()`` (bilingual), its compact forms, and ``Results.to_dict()`` with ``Results.run``."""
    policy = trainrules.load(_policy(name))
    results = policy.evaluate(read_records(_records(name)), trainrules.read_schools(_records(name)), explain=True)
    for d in results:
        _valid("decision", d.to_dict())
        _valid("decision", d.to_dict(explanation=True, lang="en"))
    document = results.to_dict("zh")
    _valid("results", document)
    assert results.run is not None
    _counts_agree(results.run.to_dict(), document["decisions"])  # type: ignore[arg-type]  # JSON-shaped
    assert results.groups == results.run.groups


def test_the_run_names_the_policy_and_its_exact_text(tmp_path: Path) -> None:
    """The policy's SHA-256 is of its bytes; a --set override and the policy's warnings are in the run."""
    warned = REPO / "tests" / "diagnostics" / "W501-deadline-after-period.policy"
    records = tmp_path / "r.json"
    records.write_text('[{"id": "T1"}]', encoding="utf-8")
    out = tmp_path / "out.json"
    _run("evaluate", warned, records, "-o", out)
    run = json.loads(out.read_text(encoding="utf-8"))["run"]
    assert hashlib.sha256(warned.read_bytes()).hexdigest() == run["policy"]["sha256"]
    assert [w.split()[0] for w in run["policy"]["warnings"]] == ["W501"]
    name = "lanxi_2023_research-training"
    with_bom = tmp_path / "p.policy"  # a BOM is dropped when read; the hash is still of the file's bytes
    with_bom.write_bytes(b"\xef\xbb\xbf" + _policy(name).read_bytes().replace(b"\n", b"\r\n"))
    _run("evaluate", with_bom, _records(name), "-o", out, "--set", "寒假研修学时=10")
    run = json.loads(out.read_text(encoding="utf-8"))["run"]
    assert [{"name": "寒假研修学时", "was": "12", "used": "10"}] == run["policy"]["overrides"]
    assert hashlib.sha256(with_bom.read_bytes()).hexdigest() == run["policy"]["sha256"]


def test_the_terminal_summary_is_the_runs(tmp_path: Path) -> None:
    """The counts printed are the run summary's (one place computes them)."""
    name = SEED_SCORING[0]
    out = tmp_path / "out.json"
    result = _run("evaluate", _policy(name), _records(name), "-o", out)
    counts = json.loads(out.read_text(encoding="utf-8"))["run"]["counts"]
    line = f"  evaluated = {counts['evaluated']}, errors = {counts['errors']}, in = {counts['in']}"
    assert line in result.stdout.splitlines()


# --- standard streams ------------------------------------------------------------------------


def _command(*args: str | Path, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "trainrules", *map(str, args)], input=stdin, capture_output=True, check=False, cwd=REPO
    )


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_stdin_to_stdout_round_trip(fmt: str, tmp_path: Path) -> None:
    """``cat records | trainrules evaluate P - --format F -o -``: the same decisions as file to file, the results
    alone on stdout (parseable) and the summary on stderr."""
    name = SEED_SCORING[1]
    source = tmp_path / "records.jsonl"
    with source.open("w", encoding="utf-8") as f:  # the example as JSON Lines: schools first, then teachers
        document = json.loads(_records(name).read_text(encoding="utf-8"))
        for school in document["schools"]:
            f.write(json.dumps({"kind": "school", **school}, ensure_ascii=False) + "\n")
        for teacher in document["teachers"]:
            f.write(json.dumps(teacher, ensure_ascii=False) + "\n")
    piped = _command("evaluate", _policy(name), "-", "--input-format", "jsonl", "--format", fmt, "-o", "-",
                     stdin=source.read_bytes())  # fmt: skip
    assert 1 == piped.returncode, piped.stderr.decode()
    assert "evaluated = " in piped.stderr.decode()
    filed = tmp_path / f"out.{fmt}"
    assert 1 == _command("evaluate", _policy(name), source, "-o", filed).returncode
    if fmt == "csv":
        assert filed.read_bytes() == piped.stdout.replace(b"stdin.jsonl", b"records.jsonl")
        return
    if fmt == "json":
        got, expected = json.loads(piped.stdout), json.loads(filed.read_bytes())
        _valid("results", got)
    else:
        got = dict(zip(("decisions", "groups", "run"), _jsonl_bytes(piped.stdout), strict=True))
        expected = dict(zip(("decisions", "groups", "run"), _jsonl(filed), strict=True))
    assert [d["location"].replace("stdin", "records") for d in got["decisions"]] == [
        d["location"] for d in expected["decisions"]
    ]
    assert [{**d, "location": ""} for d in got["decisions"]] == [{**d, "location": ""} for d in expected["decisions"]]
    assert got["groups"] == expected["groups"]
    assert "-" == got["run"]["records_file"]
    _counts_agree(got["run"], got["decisions"])


def _jsonl_bytes(data: bytes) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    lines = [json.loads(line) for line in data.decode("utf-8").splitlines()]
    run = lines.pop()
    assert "trainrules.run/1" == run["schema"]
    groups = [line for line in lines if line["schema"] == "trainrules.group/1"]
    return lines[: len(lines) - len(groups)], groups, run


def test_json_records_from_stdin_with_one_format_for_both(tmp_path: Path) -> None:
    """``--format`` alone names both the records' and the results' format; the example's schools come along."""
    name = SEED_SCORING[0]
    piped = _command("evaluate", _policy(name), "-", "--format", "json", "-o", "-", stdin=_records(name).read_bytes())
    document = json.loads(piped.stdout)
    _valid("results", document)
    assert "stdin.json#/teachers/0" == document["decisions"][0]["location"]
    filed = tmp_path / "out.json"
    _run("evaluate", _policy(name), _records(name), "-o", filed)
    expected = json.loads(filed.read_text(encoding="utf-8"))
    assert [{**d, "location": ""} for d in expected["decisions"]] == [
        {**d, "location": ""} for d in document["decisions"]
    ]  # the same schools were read from stdin as from the file
    assert expected["groups"] == document["groups"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["-", "-o", "out.json"], "--input-format"),
        (["RECORDS", "-o", "-"], "--format"),
        (["RECORDS", "-o", "-", "--format", "xlsx"], "xlsx"),
        (["RECORDS", "-o", "out.txt"], "--format"),
        (["RECORDS", "-o", "out.json", "--summary", "-"], "--summary"),
        (["RECORDS", "-o", "out.json", "--summary", "out.json"], "--summary"),
    ],
    ids=["stdin-without-format", "stdout-without-format", "xlsx-to-stdout", "unknown-suffix", "summary-", "summary-o"],
)
def test_streams_without_a_format_are_refused_clearly(args: list[str], words: str, tmp_path: Path) -> None:
    name = SEED_SCORING[0]
    args = [str(_records(name)) if a == "RECORDS" else str(tmp_path / a) if a.startswith("out") else a for a in args]
    result = _run("evaluate", _policy(name), *args)
    assert 2 == result.exit_code
    assert words in result.stderr
    assert "" == result.stdout.strip() or "Traceback" not in result.stdout
    assert [] == list(tmp_path.iterdir())


def test_a_closed_pipe_is_an_error_not_a_traceback() -> None:
    """``… -o - | head -c 100``: the reader stops early; the command says so on stderr and exits 2."""
    name = SEED_SCORING[0]
    pipe = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "trainrules",
            "evaluate",
            str(_policy(name)),
            str(_records(name)),
            "--explain",
            "--format",
            "jsonl",
            "-o",
            "-",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )
    assert pipe.stdout is not None
    assert pipe.stderr is not None
    pipe.stdout.read(100)
    pipe.stdout.close()
    error = pipe.stderr.read().decode()
    pipe.stderr.close()
    assert 2 == pipe.wait()
    assert "Traceback" not in error
    assert "标准输出" in error


# --- progress, schemas, the Python API ---------------------------------------------------------


def test_a_stream_tells_how_many_bytes_it_has_read(tmp_path: Path) -> None:
    """The progress bar's measure: .jsonl reading reports bytes consumed, growing to the file's size."""
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps({"id": f"T{i}", "pad": "x" * 200}) + "\n" for i in range(2000)), "utf-8")
    stream = read_records(path)
    assert (path.stat().st_size, None) == (stream.size, stream.bytes_read())
    seen = [stream.bytes_read() or 0 for _ in stream]
    assert 0 not in seen
    assert seen == sorted(seen)
    assert seen[0] < path.stat().st_size <= 2 * max(seen)


@pytest.mark.parametrize("name", schemas.NAMES)
def test_the_schemas_are_shipped_valid_and_printed(name: str) -> None:
    schema = schemas.load(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    result = _run("schema", name)
    assert 0 == result.exit_code
    assert schema == json.loads(result.stdout)
    assert name in _run("schema").stdout.split()


def test_explaining_one_plain_record_is_one_call() -> None:
    """``policy.explain(dict, schools=…)`` gives what ``trainrules explain`` prints for that teacher."""
    name = SEED_SCORING[0]
    document = json.loads(_records(name).read_text(encoding="utf-8"))
    teacher = next(t for t in document["teachers"] if t.get("id") == "T0003")
    explanation = trainrules.load(_policy(name)).explain(teacher, schools=document["schools"])
    golden = (REPO / "policies" / "examples" / name / "explain-T0003.txt").read_text(encoding="utf-8")
    assert golden.rstrip("\n") == explanation.render("zh").replace("input[0]", "").rstrip("\n") or (
        golden.splitlines()[:3] == explanation.render("zh").splitlines()[:3]
    )
    _valid("decision", explanation.to_dict("en")["decision"])


def test_a_mistyped_policy_path_is_a_clear_error(tmp_path: Path) -> None:
    """``load`` takes a path and never parses a string as policy text: a missing file is E101 naming it."""
    missing = str(_policy(SEED_SCORING[0])).replace(".policy", ".polcy")
    with pytest.raises(trainrules.PolicyError) as info:
        trainrules.load(missing)
    assert ["E101"] == [d.code for d in info.value.diagnostics]
    assert missing in info.value.diagnostics[0].message
    with pytest.raises(trainrules.PolicyError) as info:
        trainrules.load("方案 示例 { 总分 100 }")
    assert ["E101"] == [d.code for d in info.value.diagnostics]


# --- the law: the run accounts for every decision ---------------------------------------------


@functools.cache
def _shipped(name: str) -> trainrules.Policy:
    return trainrules.load(REPO / "policies" / f"{name}.policy")


@given(data=st.data(), spec=st.sampled_from([PLAN_004, PLAN_000]))
@settings(max_examples=30)
def test_the_run_accounts_for_every_decision(data: st.DataObject, spec: PlanSpec) -> None:
    """For any run, good and bad records mixed: in = evaluated + errors = the decisions; each status, each
    school's tally, the totals distribution and the pass count are the decisions' own; the JSON validates."""
    teachers, schools = data.draw(runs(spec, max_size=8))
    bad = data.draw(st.lists(bad_records(spec), max_size=3))
    results = _shipped(spec.policy).evaluate([*teachers, *bad], schools)
    assert results.run is not None
    run = results.run.to_dict()
    _valid("run", run)
    _counts_agree(run, [d.to_dict(lang="zh") for d in results])
    assessed = [d for d in results if d.status == "assessed"]
    assert sum(t["teachers"] for t in run["totals"]) == sum(d.total is not None for d in assessed)
    assert run["passed"] == sum(bool(d.passed) for d in assessed)
    for school, tally in run["by_school"].items():
        mine = [d for d in assessed if (d.school or "（无学校）") == school]
        assert (tally["assessed"], tally["passed"]) == (len(mine), sum(bool(d.passed) for d in mine))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_group_findings_carry_their_values_in_words_and_who_was_counted(lang: str, tmp_path: Path) -> None:
    name = "lanxi_2021-2022_term1_career-identity"
    out = tmp_path / "r.json"
    _run("evaluate", _policy(name), _records(name), "-o", out, "--lang", lang)
    document = json.loads(out.read_text(encoding="utf-8"))
    _valid("results", document)
    (math,) = [g for g in document["groups"] if g["group"] == {"学科": "数学"}]  # the policy's keys, as written
    counted = "提交了“教学设计实地考核”的人数" if lang == "zh" else "teachers who submitted '教学设计实地考核'"
    limit = "上限 向下取整(5% × 7)" if lang == "zh" else "limit 向下取整(5% × 7)"
    assert math["described"][0] == {"label": counted, "value": "2"}
    assert math["described"][-1] == {"label": limit, "value": "0"}
    assert math["members"] == {counted: ["T0023", "T0032"]}


def test_group_findings_in_both_languages_from_python() -> None:
    from trainrules.api import load
    from trainrules.records import read_schools

    name = "lanxi_2021-2022_term1_career-identity"
    results = load(_policy(name)).evaluate(read_records(_records(name)), read_schools(_records(name)))
    for g in results.groups:
        data = g.to_dict()
        _valid("group", data)
        assert all("label_en" in d for d in data["described"])


def test_the_pass_rule_not_applying_is_no_failure(tmp_path: Path) -> None:
    """003: the pass rule applies (适用 当) to 6 of the 21 assessed; the others are counted apart, not as failures."""
    name = "anhui_2021-2025_guopei"
    out = tmp_path / "r.json"
    result = _run("evaluate", _policy(name), _records(name), "-o", out)
    assert "合格 3/6 50.0%（另有 15 人合格规则不适用，不计入合格率）" in result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    _valid("results", document)
    run = document["run"]
    assert (run["passed"], run["pass_not_applicable"], run["pass_rate"]) == (3, 15, "0.5000")
    outside = [d["id"] for d in document["decisions"] if d.get("pass_applicable") is False]
    assert len(outside) == 15
    assert all(d["passed"] is False for d in document["decisions"] if d["id"] in outside)


def test_failed_group_checks_on_the_terminal_are_in_words(tmp_path: Path) -> None:
    name = "lanxi_2021-2022_term1_career-identity"
    result = _run("evaluate", _policy(name), _records(name), "-o", tmp_path / "r.json")
    assert (
        "核查未通过: 实地考核名额 [学科=数学] 提交了“教学设计实地考核”的人数 2，已考核人数 7，上限 向下取整(5% × 7) 0"
        in (result.output)
    )
