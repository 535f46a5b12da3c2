"""Rough edges mended on the polish branch: one test (or a few) per mend, each failing before it."""

from __future__ import annotations

import trainrules

HEAD = '方案 示例 {\n  标题 "打磨"\n}\n'


def _one(text: str, record: dict[str, object]) -> trainrules.Decision:
    return trainrules.loads(HEAD + text, name="p.policy").evaluate([record]).decisions[0]


# ---------- 1. a plan that scores nothing has no total ----------

UNSCORED = (
    "输入 教师 {\n  学时: 数 0 至 100 依据 X1-01\n}\n"
    "部分 材料 依据 X1-02 {\n  项目 心得 不计分 依据 X1-03 {\n    截止 2024-10-15 24:00 前\n  }\n}\n"
    "结果 转化学时 = 学时 依据 X1-04\n"
    "要求 年度学时 依据 X1-05 {\n  须 转化学时 不少于 36\n}\n"
)


def test_a_plan_whose_items_are_all_unscored_has_no_total() -> None:
    d = _one(UNSCORED, {"id": "T1", "facts": {"学时": 30}})
    assert ("assessed", None, None, None) == (d.status, d.total, d.max_total, d.passed)
    assert "已评估：转化学时 30；要求 年度学时 未达到（欠 6）（本方案没有合格规则）" == d.reason_zh
    assert "assessed: 转化学时 30; requirement 年度学时 not met (6 owed) (the plan has no pass rule)" == d.reason_en
    met = _one(UNSCORED, {"id": "T2", "facts": {"学时": 40}})
    assert "已评估：转化学时 40；要求 年度学时 达到（本方案没有合格规则）" == met.reason_zh
    assert None is met.to_dict()["total"]


def test_a_plan_with_a_scored_item_still_has_a_total() -> None:
    text = UNSCORED.replace("项目 心得 不计分", "项目 心得 满分 10").replace("部分 材料", "部分 材料 满分 10")
    d = _one(text, {"id": "T1", "facts": {"学时": 30}, "items": {"心得": {"submitted_at": "2024-10-01", "score": 8}}})
    assert d.total is not None and "8" == str(d.total)
    assert d.reason_zh.startswith("已评分：总分 8")


def test_the_001_plan_reports_its_hours_not_a_total_of_0() -> None:
    from pathlib import Path

    from trainrules.records import read_records, read_schools

    root = Path(__file__).resolve().parents[1]
    records = root / "policies" / "examples" / "lanxi_2023_research-training" / "records.json"
    policy = trainrules.load(root / "policies" / "lanxi_2023_research-training.policy")
    for d in policy.evaluate(read_records(records), read_schools(records)):
        if d.status == "assessed":
            assert (None, None) == (d.total, d.max_total)
            assert d.reason_zh.startswith("已评估：") and "总分" not in d.reason_zh
            assert "要求 年度学时转化 " in d.reason_zh
