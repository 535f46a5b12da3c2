"""Laws of evaluation, checked with hypothesis on random valid records of the 004 and 000 policies."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st
from record_strategies import PLAN_000, PLAN_004, PlanSpec, bad_records, on_time_text, runs

import trainrules
from trainrules.explain import Change, explain
from trainrules.records import iter_records_from_dicts
from trainrules.results import Decision

ROOT = Path(__file__).resolve().parents[1]
_FORMAT = "%Y-%m-%d %H:%M:%S"
SPECS = pytest.mark.parametrize("spec", [PLAN_004, PLAN_000], ids=["004", "000"])
# Whole runs of several teachers cost more to generate than to evaluate: fewer, larger examples.
RUNS = settings(max_examples=60)


@functools.cache
def _policy(name: str) -> trainrules.Policy:
    return trainrules.load(ROOT / "policies" / f"{name}.policy")


def _one(spec: PlanSpec, teacher: dict[str, Any], schools: list[dict[str, Any]]) -> Decision:
    return _policy(spec.policy).evaluate([teacher], schools).decisions[0]


def _comparable(d: Decision) -> dict[str, object]:
    out = d.to_dict()
    del out["index"], out["location"]
    return out


def _scored_items(spec: PlanSpec) -> list[str]:
    return [i.name for i in spec.items if i.top is not None] + [spec.school_item]


def _school_of(teacher: dict[str, Any], schools: list[dict[str, Any]]) -> dict[str, Any]:
    return next(s for s in schools if s["school"] == teacher["school"])


def facts_of(teacher: dict[str, Any], schools: list[dict[str, Any]], spec: PlanSpec, name: str) -> object:
    """The school's facts when ``name`` is the item the school reports, else None."""
    return _school_of(teacher, schools)["facts"] if name == spec.school_item else None


@SPECS
@given(data=st.data())
def test_law_raising_a_score_never_lowers_the_total(spec: PlanSpec, data: st.DataObject) -> None:
    """Raising any one item's score (on its grading grid, up to its maximum) never lowers the total."""
    teachers, schools = data.draw(runs(spec, max_size=1, enrolled=True))
    teacher = teachers[0]
    name = data.draw(st.sampled_from(_scored_items(spec)))
    top = spec.school_top if name == spec.school_item else spec.item(name).top
    grid = Decimal("0.01") if name == spec.school_item else spec.item(name).grid
    item = teacher["items"].setdefault(name, {})
    # A score needs its submission time when the item has a deadline (else the record is an error).
    assume(name == spec.school_item or "submitted_at" in item)
    low = Decimal(item.get("score", "0"))
    steps = int((Decimal(top or 0) - low) / grid)
    higher = low + data.draw(st.integers(0, steps)) * grid
    before = _one(spec, teacher, schools)
    raised = copy.deepcopy(teacher)
    raised["items"][name]["score"] = str(higher)
    after = _one(spec, raised, schools)
    assert ("assessed", "assessed") == (before.status, after.status)
    assert before.total is not None
    assert after.total is not None
    assert after.total >= before.total


@SPECS
@given(data=st.data())
def test_law_late_or_missing_never_earns_more_than_on_time(spec: PlanSpec, data: st.DataObject) -> None:
    """The same item and score submitted late, or not at all, never totals more than submitted on time."""
    teachers, schools = data.draw(runs(spec, max_size=1, enrolled=True))
    teacher = teachers[0]
    name = data.draw(st.sampled_from(_scored_items(spec)))
    totals = {}
    for state in ("on_time", "late", "missing"):
        rec, sch = copy.deepcopy(teacher), copy.deepcopy(schools)
        if name == spec.school_item:
            facts = _school_of(rec, sch)["facts"]
            due = spec.results_by
            target = facts
            key = "成绩报送时间"
            rec["items"].setdefault(name, {}).setdefault("score", "0")
        else:
            item = spec.item(name)
            due = item.due
            target = rec["items"].setdefault(name, {})
            target.setdefault("score", "0")
            if item.has_length:  # on time without a length cannot be judged valid: an error, not a total
                target.setdefault("length", 600)
            key = "submitted_at"
        if state == "on_time":
            target[key] = (due - dt.timedelta(hours=1)).strftime(_FORMAT)
        elif state == "late":
            target[key] = due.strftime(_FORMAT)
        else:
            target.pop(key, None)
            if target is not facts_of(rec, sch, spec, name):  # nothing handed in: no score or length either
                target.pop("score", None)
                target.pop("length", None)
        d = _one(spec, rec, sch)
        assert "assessed" == d.status
        totals[state] = d.total
    assert totals["late"] <= totals["on_time"]
    assert totals["missing"] <= totals["on_time"]


@SPECS
@RUNS
@given(data=st.data())
def test_law_total_is_between_zero_and_the_maximum(spec: PlanSpec, data: st.DataObject) -> None:
    """0 <= total <= the policy's maximum, and every part and item stays within 0 and its own maximum."""
    teachers, schools = data.draw(runs(spec, max_size=6))
    policy = _policy(spec.policy)
    for d in policy.evaluate(teachers, schools):
        if d.status != "assessed":
            assert d.total is None
            continue
        assert d.total is not None
        assert Decimal(0) <= d.total <= policy.plan.max_total
        assert all(Decimal(0) <= p.points <= p.max_points for p in d.parts)
        assert all(Decimal(0) <= i.points <= (i.max_points or Decimal(0)) for i in d.items)


@SPECS
@RUNS
@given(data=st.data())
def test_law_every_record_gets_exactly_one_result_in_order(spec: PlanSpec, data: st.DataObject) -> None:
    """Good and bad records mixed: one decision per input, in input order; the bad ones are errors."""
    teachers, schools = data.draw(runs(spec, max_size=8))
    bad = data.draw(st.lists(bad_records(spec), max_size=4))
    mixed: list[tuple[bool, Any]] = [(True, t) for t in teachers]
    for record in bad:
        mixed.insert(data.draw(st.integers(0, len(mixed))), (False, record))
    results = _policy(spec.policy).evaluate([r for _, r in mixed], schools)
    assert len(mixed) == len(results)
    assert list(range(len(mixed))) == [d.index for d in results]
    assert [r.get("id") if isinstance(r, dict) else None for _, r in mixed] == [d.id for d in results]
    assert [good for good, _ in mixed] == [d.status != "error" for d in results]


@SPECS
@RUNS
@given(data=st.data())
def test_law_evaluation_is_repeatable_and_order_independent(spec: PlanSpec, data: st.DataObject) -> None:
    """Evaluating twice, or the same records in another order, gives the same decision per teacher."""
    teachers, schools = data.draw(runs(spec, max_size=8))
    policy = _policy(spec.policy)
    first = policy.evaluate(teachers, schools)
    again = policy.evaluate(teachers, schools)
    assert first.decisions == again.decisions
    assert [g.to_dict() for g in first.groups] == [g.to_dict() for g in again.groups]
    shuffled = list(teachers)
    random.Random(data.draw(st.integers(0, 2**32))).shuffle(shuffled)
    other = policy.evaluate(shuffled, schools)
    assert {d.id: _comparable(d) for d in first} == {d.id: _comparable(d) for d in other}
    assert [g.to_dict() for g in first.groups] == [g.to_dict() for g in other.groups]


@SPECS
@RUNS
@given(data=st.data())
def test_law_explanation_numbers_add_up(spec: PlanSpec, data: st.DataObject) -> None:
    """The parts add up to the total, each part to its items (or the scaled formula), and the steps agree."""
    teachers, schools = data.draw(runs(spec, max_size=4, enrolled=True))
    policy = _policy(spec.policy)
    for d in policy.evaluate(teachers, schools, explain=True):
        assert d.total is not None
        assert d.total == sum((p.points for p in d.parts), Decimal(0))
        for part in policy.plan.parts:
            result = next(p for p in d.parts if p.name == part.name)
            items = [d.item(it.name) for it in part.items]
            raw = sum((i.points for i in items), Decimal(0))
            if result.cancelled:
                assert (Decimal(0), {"cancelled"}) == (result.points, {i.timeliness for i in items})
            elif part.scaled:
                top = sum((it.max_points or Decimal(0) for it in part.items), Decimal(0))
                assert raw * part.max_points / top == result.points
            else:
                assert raw == result.points
        assert d.steps is not None
        shown = {(s.kind, s.subject): s.result for s in d.steps}
        assert str(d.total) == shown[("总分", "总分")]
        assert {("部分", p.name): str(p.points) for p in d.parts} == {k: v for k, v in shown.items() if k[0] == "部分"}
        assert {("项目", i.name): str(i.points) for i in d.items if i.timeliness != "cancelled"} == {
            k: v for k, v in shown.items() if k[0] == "项目"
        }


@SPECS
@RUNS
@given(data=st.data())
def test_law_fast_path_equals_explaining_path(spec: PlanSpec, data: st.DataObject) -> None:
    """``evaluate(recs)`` and ``evaluate(recs, explain=True)`` give equal decisions; only the latter has steps."""
    teachers, schools = data.draw(runs(spec, max_size=8))
    bad = data.draw(st.lists(bad_records(spec), max_size=2))
    records = teachers + bad
    policy = _policy(spec.policy)
    fast = policy.evaluate(records, schools)
    traced = policy.evaluate(records, schools, explain=True)
    assert fast.decisions == traced.decisions
    assert [d.to_dict() for d in fast] == [d.to_dict() for d in traced]
    assert {None} == {d.steps for d in fast}
    assert all(d.steps for d in traced if d.status != "error")


def _apply(spec: PlanSpec, teacher: dict[str, Any], schools: list[dict[str, Any]], change: Change) -> Decision:
    """The teacher's decision with ``change`` made real in the records: the item on time with that score."""
    rec, sch = copy.deepcopy(teacher), copy.deepcopy(schools)
    item = rec["items"].setdefault(change.item, {})
    item["score"] = str(change.score)
    if change.item == spec.school_item:
        _school_of(rec, sch)["facts"]["成绩报送时间"] = (spec.results_by - dt.timedelta(hours=1)).strftime(_FORMAT)
    else:
        item["submitted_at"] = on_time_text(spec.item(change.item))
        if change.needs_valid is not None:
            item["length"] = max(int(item.get("length", 0)), 600)
    return _one(spec, rec, sch)


@SPECS
@given(data=st.data())
def test_law_smallest_passing_changes_really_pass(spec: PlanSpec, data: st.DataObject) -> None:
    """A passing teacher is offered no change; each change offered to a failed one passes when applied,
    gives the promised total, and one grid step less would not pass."""
    teachers, schools = data.draw(runs(spec, max_size=1, enrolled=True))
    teacher = teachers[0]
    policy = _policy(spec.policy)
    ev = policy.evaluator(list(iter_records_from_dicts(schools)))
    raw = next(iter(iter_records_from_dicts([teacher])))
    ex = explain(ev, raw)  # type: ignore[arg-type]
    assert ex.decision == _one(spec, teacher, schools)
    event("passed" if ex.decision.passed else f"failed, {len(ex.changes)} change(s)")
    event(
        f"changes to {sorted(c.item for c in ex.changes)}; validity required: {any(c.needs_valid for c in ex.changes)}"
    )
    if ex.decision.passed:
        assert () == ex.changes
        assert ex.shortfall is None
        return
    assert ex.needed is not None
    assert ex.decision.total is not None
    assert ex.needed - ex.decision.total == ex.shortfall
    for change in ex.changes:
        after = _apply(spec, teacher, schools, change)
        assert (True, change.new_total) == (after.passed, after.total)
        grid = policy.plan.items[change.item].band_step or Decimal("0.01")
        assert grid == change.step
        if change.score >= grid:
            smaller = Change(
                change.item,
                change.score - grid,
                change.current_points,
                change.current_timeliness,
                None,
                change.needs_valid,
                grid,
            )
            assert not _apply(spec, teacher, schools, smaller).passed
    event(f"input changes: {len(ex.input_changes)}")
    for found in ex.input_changes:  # e.g. the school's plan sent in time: the cancelled part counts again
        rec, sch = copy.deepcopy(teacher), copy.deepcopy(schools)
        target = _school_of(rec, sch)["facts"] if found.school else rec.setdefault("facts", {})
        target[found.input.removeprefix("学校.")] = found.value
        after = _one(spec, rec, sch)
        assert (True, found.new_total) == (after.passed, after.total)
    assert all(s.searched for s in ex.searched)  # the shipped plans' pass rules read nothing unsearchable


_FORMULAS = ROOT / "tests" / "explain" / "formulas.policy"


@given(
    points=st.integers(0, 1000),
    video=st.decimals(0, 20, places=1),
    scores=st.tuples(st.integers(0, 30), st.integers(0, 10), st.integers(0, 20)),
    on_time=st.booleans(),
)
def test_law_formula_plan_fast_path_equals_explaining_path(
    points: int, video: Decimal, scores: tuple[int, int, int], on_time: bool
) -> None:
    """On the test plan of formulas, definitions and a computed grant: tracing changes no decision, every
    part and item stays within its maximum, and a failed teacher's offered input changes really pass."""
    policy = trainrules.load(_FORMULAS)
    teacher = {
        "id": "A",
        "school": "一中",
        "facts": {"拓展积分": str(points), "视频总时长": str(video)},
        "items": {
            "作业一": {"submitted_at": "2024-10-15 20:00" if on_time else "2024-10-16 00:00", "score": str(scores[0])},
            "评课": {"score": str(scores[1])},
            "校本": {"score": str(scores[2])},
        },
    }
    schools = [{"school": "一中", "facts": {"成绩报送时间": "2024-12-18 10:00"}}]
    fast = policy.evaluate([teacher], schools).decisions[0]
    traced = policy.evaluate([teacher], schools, explain=True).decisions[0]
    assert fast == traced
    assert fast.to_dict() == traced.to_dict()
    assert "assessed" == fast.status
    assert all(Decimal(0) <= p.points <= p.max_points for p in fast.parts)
    ex = explain(
        policy.evaluator(list(iter_records_from_dicts(schools))), next(iter(iter_records_from_dicts([teacher])))
    )  # type: ignore[arg-type]
    for change in ex.input_changes:
        changed = copy.deepcopy(teacher)
        changed["facts"][change.input] = change.value
        after = _one_policy(policy, changed, schools)
        assert (True, change.new_total) == (after.passed, after.total)


def _one_policy(policy: trainrules.Policy, teacher: dict[str, Any], schools: list[dict[str, Any]]) -> Decision:
    return policy.evaluate([teacher], schools).decisions[0]
