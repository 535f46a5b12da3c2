"""A missing value never becomes a number or a verdict by default (review 11, findings 1, 2, 3, 3b).

A top-level teacher field in a record, an entry condition that reads a missing teacher value, a lookup
whose key has no row, and a group 计数 whose condition a missing value decides are each an error that
names the value, never a quiet 0, a dropped field or a false condition.
"""

from __future__ import annotations

import trainrules

HEAD = '方案 示例 {\n  标题 "缺失"\n}\n'


def _policy(text: str) -> trainrules.Policy:
    return trainrules.loads(HEAD + text, name="p.policy")


def _one(text: str, record: dict[str, object]) -> trainrules.Decision:
    return _policy(text).evaluate([record]).decisions[0]


# ---------- 3b: a group 计数 whose condition a missing value decides ----------

QUOTA = (
    "输入 教师 {\n  县: 文本 可缺 依据 X1\n  推荐: 是否 可缺 依据 X1\n  在编: 是否 可缺 依据 X1\n}\n"
    "核查 名额 按 县 要求 计数(推荐) 不超过 1 依据 X1\n"
)


def _quota(text: str, second: dict[str, object]) -> trainrules.GroupFinding:
    first = {"id": "T0", "facts": {"县": "甲", "推荐": True, "在编": True}}
    (g,) = _policy(text).evaluate([first, {"id": "T1", "facts": {"县": "甲", **second}}]).groups
    return g


def test_a_group_count_whose_condition_is_missing_is_undecided_naming_the_teacher() -> None:
    g = _quota(QUOTA, {})
    assert g.passed is None
    assert "编号 T1" in (g.error_zh or "") and "“推荐”缺失" in (g.error_zh or "")
    assert _quota(QUOTA, {"推荐": False}).passed is True


def test_a_group_count_is_decided_where_the_missing_value_does_not_decide_it() -> None:
    """Kleene: 推荐 且 在编 is false for a teacher not 在编, whatever 推荐 is; 有值 says what missing means."""
    both = QUOTA.replace("计数(推荐)", "计数(推荐 且 在编)")
    assert _quota(both, {"在编": False}).passed is True
    assert _quota(both, {"在编": True}).passed is None
    guarded = QUOTA.replace("计数(推荐)", "计数(有值(推荐) 且 推荐)")
    assert _quota(guarded, {}).passed is True
