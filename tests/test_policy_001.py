"""Document 001 (兰西县 2023 年研培工作计划) as a working policy: every edge of its example records by name.

``policies/lanxi_2023_research-training.policy`` ports ``docs/design/drafts/001.policy`` to the built
language. The example records are ``policies/examples/lanxi_2023_research-training/records.json``; every
number below was worked out by hand in that folder's README.md. ``expected.json`` (decisions and group
findings) and ``explain-<id>.txt`` are goldens, rewritten only by ``pytest --update-goldens``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

import trainrules
from trainrules.explain import explain, render_explanation
from trainrules.records import RawRecord, read_records, read_schools
from trainrules.results import Decision, GroupFinding, Results

ROOT = Path(__file__).resolve().parents[1]
PLAN = "lanxi_2023_research-training"
POLICY = ROOT / "policies" / f"{PLAN}.policy"
EXAMPLES = ROOT / "policies" / "examples" / PLAN
RECORDS = EXAMPLES / "records.json"
INVENTORY = Path(__file__).resolve().parents[2] / "shared" / "spec" / "rule-inventory.md"
EXPLAINED = ("T02", "T03", "T04")
STEPS = ("寒假研修计入", "钉钉研培计入", "校本研培计入", "推门听课计入")
Golden = Callable[[Path, str], None]


@functools.cache
def _policy() -> trainrules.Policy:
    return trainrules.load(POLICY)


@functools.cache
def _results() -> Results:
    return _policy().evaluate(read_records(RECORDS), read_schools(RECORDS))


def _d(teacher_id: str) -> Decision:
    return _results().by_id(teacher_id)


def _result(teacher_id: str, name: str, decision: Decision | None = None) -> Decimal:
    r = (decision or _d(teacher_id)).to_dict()["results"][name]  # type: ignore[index]  # JSON form
    assert r["applicable"] is True
    return Decimal(r["value"])


def _requirement_line(decision: Decision) -> tuple[int, int, bool]:
    """The main line of 年度学时转化 as (credited, owed, met); the amounts are whole hours in these records."""
    line = decision.to_dict()["requirements"]["年度学时转化"]["lines"][0]  # type: ignore[index]  # JSON form
    credited, owed = Decimal(line["credited"]), Decimal(line["owed"])
    assert credited == int(credited)
    assert owed == int(owed)
    return int(credited), int(owed), bool(line["met"])


def _timeliness(teacher_id: str, item: str) -> str:
    return str(_d(teacher_id).to_dict()["items"][item]["timeliness"])  # type: ignore[index]  # JSON form


def _group(check: str, school: str, month: int | None = None) -> GroupFinding:
    (finding,) = [
        g
        for g in _results().groups
        if g.check == check
        and dict(g.group) == {"学校": school}
        and (month is None or dict(g.each) == {"月": str(month)})
    ]
    return finding


def _teacher_check(teacher_id: str, name: str) -> bool | None:
    checks = _d(teacher_id).to_dict()["checks"]
    assert isinstance(checks, list)
    (check,) = [c for c in checks if c["name"] == name]
    passed = check["passed"]
    assert passed is None or isinstance(passed, bool)
    return passed


# ---------- the policy ----------


def test_policy_loads_without_diagnostics() -> None:
    """The port checks clean: no error and no warning (every assumption and input is used)."""
    assert [] == [d.code for d in trainrules.check(POLICY)]


def test_policy_cites_every_r001_rule() -> None:
    """Every R001-* id of the rule inventory is cited; nothing outside R001-* and G1-G8 is."""
    if not INVENTORY.is_file():
        pytest.skip(f"rule inventory not found at {INVENTORY} (the shared spec lives beside the worktree)")
    ids = set(re.findall(r"^- (R001-\d+)", INVENTORY.read_text(encoding="utf-8"), flags=re.MULTILINE))
    assert len(ids) == 9
    cited = _policy().rule_ids()
    assert [] == sorted(ids - cited)
    assert [] == sorted(cited - ids - {f"G{n}" for n in range(1, 9)})


def test_assumptions_are_declared_and_relied_on() -> None:
    """The R001-09 hours and the other rulings are listable assumptions with values where the source is silent."""
    infos = {a.name: a for a in _policy().assumptions()}
    valued = ("寒假研修学时", "钉钉研培学时", "推门听课学时", "校本研培学时", "转化目标")
    assert {n: infos[n].value for n in valued} == {
        "寒假研修学时": "12",
        "钉钉研培学时": "6",
        "推门听课学时": "6",
        "校本研培学时": "12",
        "转化目标": "36",
    }
    for name in ("寒假研修学时", "钉钉研培学时", "推门听课学时"):
        assert infos[name].rule_ids == ("R001-09",)
    assert infos["四月三十一日更正"].rule_ids == ("R001-05",)
    assert infos["下班时间"].value is not None
    assert [] == [a.name for a in infos.values() if not a.relied_on_by]
    assert len(infos) == 20  # 听课材料由学校计数 is gone: 听课材料 is a school list; 未报考核按不合格 added
    assert {u.rule_ids for u in _policy().unencoded()} == {("R001-04",)}


def test_april_31_as_written_is_rejected() -> None:
    """Copying the source's '2023年4年31日' literally is E201 with the reason, not a silent window."""
    text = POLICY.read_text(encoding="utf-8").replace("[2023-03-01 至 2023-04-30]", "[2023-03-01 至 2023-04-31]")
    assert "2023-04-31" in text
    diags = trainrules.checks(text, name="001.policy")
    e201 = [d for d in diags if d.code == "E201"]
    assert len(e201) == 1
    assert "2023-04-31" in e201[0].message
    assert "30" in e201[0].message
    assert e201[0].span is not None
    assert e201[0].hint


# ---------- teachers ----------


def test_run_counts() -> None:
    """Six teachers: five assessed, one error (the bad entry); no pass rule, so no one passes or fails."""
    assert _results().counts() == {"assessed": 5, "not_enrolled": 0, "exempt": 0, "error": 1}
    assert all(d.passed is None for d in _results() if d.status == "assessed")


def test_t01_every_edge_on_time() -> None:
    """T01: 推门听课 on 2023-04-30 (corrected last day) counts; reflection of exactly 1000 at 23:59:59 is valid."""
    assert [_result("T01", n) for n in STEPS] == [12, 6, 12, 6]
    assert _result("T01", "转化学时") == 36
    assert _requirement_line(_d("T01")) == (36, 0, True)
    assert _timeliness("T01", "听课反思") == "on_time"
    assert _teacher_check("T01", "按时加入研培班级") is True


def test_t02_senior_high_with_a_county_visit_is_not_credited() -> None:
    """T02 (高中): its 县级 visit does not match 听课级别[高中] = 校级, so 推门听课 gives 0; 30 of 36, owes 6."""
    assert _result("T02", "推门听课计入") == 0
    assert _result("T02", "转化学时") == 30
    assert _requirement_line(_d("T02")) == (30, 6, False)


def test_t02_explanation_names_the_dropped_entry() -> None:
    """The filter step says why the entry did not count."""
    text = _explain_text("T02")
    assert "未计入 1 条：活动级别与学段不符 1 条（第 2 条：级别 县级）" in text
    assert "已计 30，需 36，欠 6（未达到）" in text


def test_t03_visit_the_day_after_the_window_and_late_joining() -> None:
    """T03 (小学): a visit on 2023-05-01 is a day after the window; joining 03-13 08:00 fails the check only."""
    assert _result("T03", "推门听课计入") == 0
    assert _requirement_line(_d("T03")) == (30, 6, False)
    assert _teacher_check("T03", "按时加入研培班级") is False
    assert "不在推门听课活动时间内" in _explain_text("T03")


def test_t04_kindergarten_999_characters_and_certificate_out_of_window() -> None:
    """T04 (幼儿园): certificate of 03-05 → 0; 999 characters → 钉钉 0; 不合格 → 0; 校级 visit → 6."""
    assert [_result("T04", n) for n in STEPS] == [0, 0, 0, 6]
    assert _requirement_line(_d("T04")) == (6, 30, False)
    assert _timeliness("T04", "学习心得") == "invalid"
    assert _teacher_check("T04", "按时加入研培班级") is True  # 03-12 23:00, before the end of the day (G2)


def test_t05_meets_the_target_and_set_overrides_the_winter_hours() -> None:
    """T05: 36 with the policy's values; with --set 寒假研修学时=10 it has 34 and owes 2."""
    assert _requirement_line(_d("T05")) == (36, 0, True)
    changed = _policy().evaluate(read_records(RECORDS), read_schools(RECORDS), params={"寒假研修学时": "10"})
    t05 = changed.by_id("T05")
    assert _result("T05", "寒假研修计入", t05) == 10
    assert _requirement_line(t05) == (34, 2, False)


def _t02_variant(change: Callable[[dict[str, object]], None]) -> Decision:
    """T02 with its 推门听课 entry at 校级 (as 高中 needs), then ``change`` applied, evaluated alone."""
    teacher = next(t for t in json.loads(RECORDS.read_text(encoding="utf-8"))["teachers"] if t["id"] == "T02")
    teacher["lists"]["活动记录"][1]["级别"] = "校级"
    change(teacher)
    schools = read_schools(RECORDS)
    return _policy().evaluate([teacher], schools).decisions[0]


def test_a_stage_missing_or_without_a_row_is_an_error_not_a_lost_visit() -> None:
    """学段 missing, or not one of the table's four, cannot say which visit counts: an error, not 6 hours lost."""
    assert _result("T02", "推门听课计入", _t02_variant(lambda t: None)) == 6
    odd = _t02_variant(lambda t: t.update(stage="职高"))
    assert odd.status == "error"
    assert "学段“职高”不在对照表“听课级别”中（有：初中、小学、高中、幼儿园）" in odd.problems[0].message_zh
    missing = _t02_variant(lambda t: t.pop("stage"))
    assert missing.status == "error"
    assert "学段缺失，无法查对照表“听课级别”" in missing.problems[0].message_zh


def test_an_unreported_school_result_counts_as_failed_by_a_stated_assumption() -> None:
    """No 校本考核: 校本研培计入 0, by the assumption 未报考核按不合格 (R001-04), which the step cites."""
    d = _t02_variant(lambda t: t["facts"].pop("校本考核"))  # type: ignore[attr-defined]  # a JSON object
    assert _result("T02", "校本研培计入", d) == 0
    infos = {a.name: a for a in _policy().assumptions()}
    assert infos["未报考核按不合格"].rule_ids == ("R001-04",)
    assert "结果 校本研培计入" in infos["未报考核按不合格"].relied_on_by


def test_t06_entry_without_level_is_an_error_naming_the_entry() -> None:
    """T06: the 推门听课 entry without 级别 breaks the list's 须 rule; the others still run."""
    d = _d("T06")
    assert d.status == "error"
    problems = d.to_dict()["problems"]
    assert isinstance(problems, list)
    (problem,) = problems
    assert problem["field"] == "lists.活动记录[2]"
    assert "推门听课记录须写明县级或校级" in problem["problem"]


# ---------- schools (group checks) ----------


def test_materials_1_to_5_close_of_business() -> None:
    """16:59 is on time; 17:00:00 exactly is late (下班时间 = 17:00, strict)."""
    assert _group("学校材料1至5", "一中").passed is True
    assert _group("学校材料1至5", "实验小学").passed is False
    assert _group("学校材料1至5", "城关幼儿园").passed is True


def test_stage_dependent_count_15_or_11() -> None:
    """一中 (中学) has 14 of 15 → fails; 实验小学 (小学) 11 of 11 → passes; 城关幼儿园 0 of 11 → fails.

    The counts come from each school's list 听课材料: 一中's 15th pack at 17:00:00 exactly is late (G4) and 实验小学's
    12th pack on 05-09 is late, 16:59:59 on 05-08 is on time; 城关幼儿园 has no list.
    """
    counted = "计数(听课材料, 上传时间 早于 2023-05-08 下班前)"
    assert [dict(_group("学校听课材料", s).values)[counted] for s in ("一中", "实验小学", "城关幼儿园")] == [
        "14",
        "11",
        "0",
    ]
    assert _group("学校听课材料", "一中").passed is False
    assert dict(_group("学校听课材料", "一中").values)["听课材料次数[学校.类别]"] == "15"
    assert _group("学校听课材料", "实验小学").passed is True
    assert dict(_group("学校听课材料", "实验小学").values)["听课材料次数[学校.类别]"] == "11"
    assert _group("学校听课材料", "城关幼儿园").passed is False


def test_last_friday_of_the_month() -> None:
    """一中: March pack on 03-31 20:00 (the last Friday) is on time; April's on 04-29 (a day after 04-28) is late."""
    # one check 逐 月 取自 序列(3, 7): one finding per school and month
    assert _group("学校月度上传", "一中", 3).passed is True
    assert _group("学校月度上传", "一中", 4).passed is False
    assert [_group("学校月度上传", "一中", m).passed for m in (5, 6, 7)] == [True, True, True]
    assert [_group("学校月度上传", "实验小学", m).passed for m in range(3, 8)] == [True] * 5
    assert [_group("学校月度上传", "城关幼儿园", m).passed for m in range(3, 8)] == [False] * 5
    months = [
        dict(g.each)["月"] for g in _results().groups if g.check == "学校月度上传" and dict(g.group)["学校"] == "一中"
    ]
    assert ["3", "4", "5", "6", "7"] == months  # in order, 10 would not sort before 3


def test_term_summary_close_of_business() -> None:
    """Material 8: 一中 at 17:00:00 is late; 实验小学 at 10:00 on time; 城关幼儿园 missing fails."""
    assert [_group("学校期末总结", s).passed for s in ("一中", "实验小学", "城关幼儿园")] == [False, True, False]


# ---------- goldens ----------


def _explain_text(teacher_id: str) -> str:
    ev = _policy().evaluator(read_schools(RECORDS))
    raw = next(r for r in read_records(RECORDS) if isinstance(r, RawRecord) and r.fields.get("id") == teacher_id)
    return render_explanation(explain(ev, raw), "zh") + "\n"


def test_expected_matches_golden(golden: Golden) -> None:
    """Every decision and group finding equals the reviewed ``expected.json``."""
    results = _results()
    doc = {"decisions": [d.to_dict() for d in results], "groups": [g.to_dict() for g in results.groups]}
    golden(EXAMPLES / "expected.json", json.dumps(doc, ensure_ascii=False, indent=2) + "\n")


@pytest.mark.parametrize("teacher_id", EXPLAINED)
def test_explanations_match_golden(teacher_id: str, golden: Golden) -> None:
    """The Chinese explanation of T02 (level mismatch), T03 (a day late, joined late) and T04 (several zeros)."""
    golden(EXAMPLES / f"explain-{teacher_id}.txt", _explain_text(teacher_id))
