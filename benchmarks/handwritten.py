"""Document 004's rules written by hand, as a yardstick for the engine.

:func:`score_004` takes one teacher record *as the engine's validator returns it*
(``Evaluator.validator.teacher(raw.fields)``: flat keys, Decimal scores, pendulum
instants in Asia/Shanghai, flags as a tuple) and the engine's validated school records
(``Evaluator.schools``: school name -> ``{"facts.计划报送时间": DateTime | None, ...}``),
so that both sides start from identical parsed values. It returns the status, total,
pass and hours (plus each module's band and the per-teacher check) and nothing else:
no reasons, no explanations.

The rules (policies/lanxi_2019-2020_term1_online-school.policy):

* enrolled: 入班时间 before 2019-12-08 24:00 (i.e. before 2019-12-09 00:00); a missing
  time is not enrolled. Not enrolled and any exemption flag -> ``exempt``, otherwise
  ``not_enrolled``.
* three online modules of 20 points, due 2019-12-15/22/29 24:00 (exclusive: the next
  day 00:00 is late); handing in before a module opens is on time. On time: the score
  counts and must fall in a band (优秀 18-20, 良好 12-17.9, 一般 6-11.9, 不合格 below 6);
  no score, or a score in no band, makes the record an ``error``. Late or missing: 0.
* school part (40): cancelled (0) unless the school's plan was sent before
  2019-12-13 24:00; otherwise 校本成绩 counts when the school's results were sent before
  2019-12-29 24:00 (late or never sent: 0); on time without a score is an ``error``.
* passed when total >= 60, granting 36 hours; the check 校本作业数 >= 2 is reported.
* a teacher whose school has no (valid) school record is an ``error``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pendulum

from trainrules.values import fixed_offset

__all__ = ["score_004"]

_TZ = "Asia/Shanghai"
_ZERO = Decimal(0)
_PASS = Decimal(60)
_HOURS = Decimal(36)
_NO_HOURS = Decimal(0)
# Instants as the engine's records carry them: with their own fixed UTC offset (trainrules.values), so
# that comparing a record's time with a constant takes Python's same-tzinfo fast path, as the engine's does.
_ENROL_BEFORE = fixed_offset(pendulum.datetime(2019, 12, 9, tz=_TZ))  # 2019-12-08 24:00
_PLAN_BEFORE = fixed_offset(pendulum.datetime(2019, 12, 14, tz=_TZ))  # 2019-12-13 24:00
_RESULTS_BEFORE = fixed_offset(pendulum.datetime(2019, 12, 30, tz=_TZ))  # 2019-12-29 24:00
_EXEMPT = frozenset({"国培送教", "校园长培训", "三学活动", "新教材培训", "新教师培训", "十三五已完成360学时"})
# (submitted_at key, score key, first late instant) per online module.
_MODULES = tuple(
    (f"items.{name}.submitted_at", f"items.{name}.score", fixed_offset(pendulum.datetime(2019, 12, day, tz=_TZ)))
    for name, day in (("队伍建设", 16), ("师德师风", 23), ("信息技术", 30))
)
# (low, high, label, high excluded): 空档 低于 6 holds every score below 6 (ruling R004-05).
_BANDS = (
    (Decimal(18), Decimal(20), "优秀", False),
    (Decimal(12), Decimal("17.9"), "良好", False),
    (Decimal(6), Decimal("11.9"), "一般", False),
    (Decimal(0), Decimal(6), "不合格", True),
)
_SCHOOL_SCORE = "items.校本成绩.score"
_PLAN_SENT = "facts.计划报送时间"
_RESULTS_SENT = "facts.成绩报送时间"
_ASSIGNMENTS = "facts.校本作业数"
_MIN_ASSIGNMENTS = Decimal(2)


def _error(why: str) -> dict[str, object]:
    return {"status": "error", "total": None, "passed": False, "hours": _NO_HOURS, "error": why}


def score_004(rec: Mapping[str, Any], schools: Mapping[str, Mapping[str, Any]]) -> dict[str, object]:
    """Score one validated teacher record under document 004.

    Args:
        rec: The validated record (flat keys, Decimal, pendulum.DateTime, tuple of flags).
        schools: Validated school records by school name.

    Returns:
        ``status`` (assessed, not_enrolled, exempt or error), ``total`` (Decimal or None),
        ``passed``, ``hours``; for assessed records also ``bands`` (one per online module,
        None unless on time) and ``check`` (校本作业数 >= 2).
    """
    school = schools.get(rec["school"])
    if school is None:
        return _error("school")
    enrolled_at = rec["enrolled_at"]
    if enrolled_at is None or not enrolled_at < _ENROL_BEFORE:
        flags = rec["flags"]
        if flags and not _EXEMPT.isdisjoint(flags):
            return {"status": "exempt", "total": None, "passed": False, "hours": _NO_HOURS}
        return {"status": "not_enrolled", "total": None, "passed": False, "hours": _NO_HOURS}
    total = _ZERO
    bands: list[str | None] = []
    for submitted_key, score_key, late_from in _MODULES:
        submitted = rec.get(submitted_key)
        if submitted is not None and submitted < late_from:
            score = rec.get(score_key)
            if not isinstance(score, Decimal):
                return _error(score_key)
            for low, high, label, high_open in _BANDS:
                if low <= score and (score < high if high_open else score <= high):
                    bands.append(label)
                    break
            else:
                return _error(score_key)
            total += score
        else:
            bands.append(None)  # late or missing: 0 points
    plan_sent = school[_PLAN_SENT]
    if plan_sent is not None and plan_sent < _PLAN_BEFORE:
        results_sent = school[_RESULTS_SENT]
        if results_sent is not None and results_sent < _RESULTS_BEFORE:
            score = rec.get(_SCHOOL_SCORE)
            if not isinstance(score, Decimal):
                return _error(_SCHOOL_SCORE)
            total += score
    passed = total >= _PASS
    assignments = rec.get(_ASSIGNMENTS)
    return {
        "status": "assessed",
        "total": total,
        "passed": passed,
        "hours": _HOURS if passed else _NO_HOURS,
        "bands": tuple(bands),
        "check": assignments is not None and assignments >= _MIN_ASSIGNMENTS,
    }
