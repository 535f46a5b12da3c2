"""Messages that name the fix, and the rules they guard: ordered labels of two vocabularies, ``--set`` units."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import trainrules

LEVELS = """方案 测 {{ 标题 "级别" }}
输入 教师 {{
  要求级别: 标签 {{{want}}} 依据 X1
  记录: 列表 依据 X1 {{
    学时: 数（学时） 0 至 500
    级别: 标签 {{校级 < 县级 < 市级 < 省级 < 国家级}}
  }}
}}
结果 a = 合计(记录.学时, 级别 不低于 要求级别) 依据 X1
结果 b = 合计(记录.学时, 要求级别 高于 级别) 依据 X1
"""


def _results(policy: trainrules.Policy, record: dict[str, Any]) -> dict[str, Any]:
    (d,) = policy.evaluate([record]).decisions
    assert not d.problems, d.problems
    return {r.name: r.value for r in d.results}


@pytest.mark.parametrize("want", ["县级 < 市级 < 省级 < 国家级", "县级 < 省级", "校级 < 县级 < 市级 < 省级 < 国家级"])
def test_ordered_labels_rank_alike_when_one_vocabulary_is_a_subsequence(want: str) -> None:
    policy = trainrules.loads(LEVELS.format(want=want))
    entries = [{"学时": 1, "级别": "校级"}, {"学时": 10, "级别": "县级"}, {"学时": 100, "级别": "省级"}]
    got = _results(policy, {"id": "A", "facts": {"要求级别": "县级"}, "记录": entries})
    assert got == {"a": Decimal(110), "b": Decimal(1)}


def test_ordered_labels_whose_orders_disagree_are_refused_with_both_vocabularies() -> None:
    d, _ = trainrules.checks(LEVELS.format(want="县级 < 省级 < 市级"))
    assert d.code == "E303"
    assert "{县级 < 省级 < 市级}" in d.message and "{校级 < 县级 < 市级 < 省级 < 国家级}" in d.message
    assert "同样的词、同样的次序" in d.hint
