"""The law of bounds, with hypothesis: for any record, either the record is an error, or every item and part is
within 0 … its maximum and the total within 0 … the policy's total.

The records are drawn from the compiled plan itself (its declared fields, vocabularies, ranges, items and school
facts), mostly valid and sometimes not: out of range, outside a vocabulary, off a band table's precision, missing.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path
from typing import Any

import pendulum
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

import trainrules
from trainrules.compile import FieldSpec, ItemPlan
from trainrules.results import Decision

REPO = Path(__file__).resolve().parents[1]
#: Policies the checker passes without a diagnostic: the shipped ones and test ones whose formulas it bounds.
CLEAN = [
    REPO / "policies" / "lanxi_2019-2020_term1_online-school.policy",
    REPO / "policies" / "lanxi_2021-2022_term1_career-identity.policy",
    REPO / "tests" / "law_policies" / "bounded-formulas.policy",
]
#: A policy with a formula the checker cannot bound (W513): the law holds only by the run-time check.
UNBOUNDED = REPO / "tests" / "law_policies" / "unbounded-formula.policy"
_SCHOOL = "一中"
_FORMAT = "%Y-%m-%d %H:%M:%S"


@functools.cache
def _policy(path: Path) -> trainrules.Policy:
    return trainrules.load(path)


def _decimals(low: Decimal, high: Decimal, places: int = 2) -> st.SearchStrategy[str]:
    scale = 10**places
    lo, hi = int(low * scale), int(high * scale)
    return st.integers(lo, hi).map(lambda n: str(Decimal(n) / scale))


def _number(spec: FieldSpec, clean: bool) -> st.SearchStrategy[object]:
    whole = spec.type == "整数"
    if spec.low is None or spec.high is None:
        return st.integers(-200, 200)
    inside = st.integers(int(spec.low), int(spec.high)) if whole else _decimals(spec.low, spec.high)
    if clean:
        return inside
    return st.one_of(inside, st.sampled_from([spec.low - 1, spec.high + 1]).map(str))


def _instant(around: pendulum.DateTime) -> st.SearchStrategy[str]:
    return st.integers(-5 * 24 * 60, 5 * 24 * 60).map(lambda m: around.add(minutes=m).strftime(_FORMAT))


def _label(vocab: tuple[str, ...], clean: bool) -> st.SearchStrategy[str]:
    words = st.sampled_from(vocab or ("甲", "乙"))
    return words if clean else st.one_of(words, st.sampled_from(["省一等", "集中", "良"]))


def _field(spec: FieldSpec, around: pendulum.DateTime, clean: bool) -> st.SearchStrategy[object]:
    if spec.type in ("数", "整数"):
        value: st.SearchStrategy[object] = _number(spec, clean)
    elif spec.type == "标签":
        value = _label(spec.vocab, clean)
    elif spec.type == "标签集":
        value = st.lists(_label(spec.vocab, clean), max_size=3, unique=True)
    elif spec.type == "时刻":
        value = _instant(around)
    elif spec.type == "日期":
        value = _instant(around).map(lambda t: t[:10])
    elif spec.type == "是否":
        value = st.booleans()
    else:
        value = st.sampled_from(["甲", "乙", "语文"])
    if spec.optional:
        return st.one_of(st.none(), value)
    return value


def _score(it: ItemPlan, clean: bool) -> st.SearchStrategy[str]:
    top = it.max_points if it.max_points is not None else Decimal(10)
    on_grid = _decimals(Decimal(0), top, 1)
    return on_grid if clean else st.one_of(on_grid, _decimals(Decimal(-1), top + 2, 2))


@st.composite
def _item(draw: st.DrawFn, it: ItemPlan, around: pendulum.DateTime, clean: bool) -> dict[str, object]:
    out: dict[str, object] = {}
    due = it.deadline or around
    if draw(st.booleans()):
        out["submitted_at"] = draw(st.one_of(_instant(due), st.just(due.strftime(_FORMAT))))
    if (clean and "submitted_at" in out) or draw(st.integers(0, 3)):
        out["score"] = draw(_score(it, clean))
    if draw(st.booleans()):
        out["length"] = draw(st.integers(0, 2000))
    if draw(st.integers(0, 3)) == 0 and (it.grades or not clean):
        out["grade"] = draw(_label(it.grades, clean))
    return out


def _put(record: dict[str, Any], key: str, value: object) -> None:
    if value is None:
        return
    if key.startswith("facts."):
        record.setdefault("facts", {})[key[6:]] = value
    else:
        record[key] = value


@st.composite
def _records(draw: st.DrawFn, policy: trainrules.Policy) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    plan = policy.plan
    period = policy.checked.period
    start = pendulum.datetime(2024, 9, 1, tz=plan.tz)
    if period is not None:
        start = pendulum.datetime(period[0].year, period[0].month, period[0].day, tz=plan.tz)
    clean = draw(st.integers(0, 3)) > 0  # most records are valid; the rest may hold any slip
    teacher: dict[str, Any] = {"id": "T1", "school": _SCHOOL, "subject": "语文", "stage": "初中"}
    for spec in plan.teacher_fields:
        _put(teacher, spec.key, draw(_field(spec, start.add(days=1), clean)))
    teacher["items"] = {it.name: draw(_item(it, start.add(days=20), clean)) for it in plan.items.values()}
    school: dict[str, Any] = {"school": _SCHOOL}
    for spec in plan.school_fields:
        _put(school, spec.key, draw(_field(spec, start.add(days=10), clean)))
    return teacher, [school]


def _within_maxima(d: Decision) -> None:
    """The law's conclusion for one decision."""
    if d.status != "assessed":
        event(d.status)
        return
    event("assessed")
    for it in d.items:
        if it.max_points is not None:
            assert 0 <= it.points <= it.max_points, (it.name, it.points, it.max_points)
    for p in d.parts:
        assert 0 <= p.points <= p.max_points, (p.name, p.points, p.max_points)
    assert d.total is not None
    assert d.max_total is not None
    assert 0 <= d.total <= d.max_total, (d.total, d.max_total)


def test_the_law_policies_check_as_intended() -> None:
    """The clean policies have no diagnostic at all; the unbounded one only W513."""
    assert [[] for _ in CLEAN] == [trainrules.check(p) for p in CLEAN]
    assert ["W513"] == [d.code for d in trainrules.check(UNBOUNDED)]


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.stem)
@given(data=st.data())
def test_law_every_record_is_an_error_or_within_its_maxima(path: Path, data: st.DataObject) -> None:
    """For any record: an error, or every item and part in 0 … its maximum and the total in 0 … the policy's."""
    policy = _policy(path)
    teacher, schools = data.draw(_records(policy))
    _within_maxima(policy.evaluate([teacher], schools).decisions[0])


@given(count=st.integers(-1000, 1000))
def test_law_holds_for_an_unbounded_formula_by_the_runtime_check(count: int) -> None:
    """A formula the checker cannot bound (W513) keeps the law only through the run-time check of issue 9."""
    d = _policy(UNBOUNDED).evaluate([{"id": "T1", "facts": {"篇数": count}}]).decisions[0]
    _within_maxima(d)
