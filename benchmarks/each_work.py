"""CPU time of one teacher whose ``逐`` aggregates over a list for each value (values × entries, MAX_EACH_WORK).

Review 11 finding 5: ``逐 月序 取自 序列(0, 999)`` with a 12-month window sum over 10,000 entries took 76 s for
one teacher. This prints the CPU time of one record for a few (values, entries) pairs, and whether the record
was evaluated or refused (an error for that record when values × entries exceeds ``MAX_EACH_WORK``)::

    .venv/bin/python benchmarks/each_work.py            # the default pairs
    .venv/bin/python benchmarks/each_work.py 1000 10000 # one pair
"""

from __future__ import annotations

import sys
import time

import trainrules
from trainrules import limits

POLICY = """方案 测 {{ 标题 "测" }}
假设 月末对齐 "取月末" 依据 X1
输入 教师 {{
  记录: 列表 依据 X1 {{
    日期: 日期
    学时: 数（学时） 0 至 500
  }}
}}
要求 窗 依据 X1 {{
  逐 月序 取自 序列(0, {last})
  须 合计(记录.学时, 日期 属于 [加月(2000-01-01, 月序) 至 加日(加月(2000-01-01, 月序 + 12), -1)]) 不超过 100
}}
合格 当 窗 授予 1 学时 依据 X1
"""


def one(values: int, entries: int) -> tuple[float, str]:
    """CPU seconds to evaluate one teacher, and its status (assessed or error)."""
    policy = trainrules.loads(POLICY.format(last=values - 1), name="each_work.policy")
    days = [f"{2000 + i // 365 % 80:04d}-{1 + i // 28 % 12:02d}-{1 + i % 28:02d}" for i in range(entries)]
    record = {"id": "T1", "school": "一中", "lists": {"记录": [{"日期": d, "学时": "1"} for d in days]}}
    start = time.process_time()
    decision = policy.evaluate([record]).decisions[0]
    return time.process_time() - start, decision.status


def main() -> None:
    pairs = (
        [(int(sys.argv[1]), int(sys.argv[2]))] if len(sys.argv) == 3 else [(37, 10_000), (50, 10_000), (1000, 10_000)]
    )
    bound = getattr(limits, "MAX_EACH_WORK", None)  # None: a version without the bound (for "before" figures)
    print(f"MAX_EACH_WORK = {bound:,}" if bound else "MAX_EACH_WORK: none")
    for values, entries in pairs:
        seconds, status = one(values, entries)
        print(f"{values:>5} values x {entries:>6} entries = {values * entries:>11,}: {seconds:7.2f} s CPU, {status}")


if __name__ == "__main__":
    main()
