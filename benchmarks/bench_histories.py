"""Training histories at scale: document 002 (four-year cycle, 240 hours) with N teachers × E entries each.

Measures, in one process and in CPU time: evaluating every teacher (decisions only), evaluating with
explanations, and the size of a decision's JSON with and without its derivation.

    .venv/bin/python benchmarks/bench_histories.py --n 2000 --entries 50
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Iterator
from pathlib import Path

import trainrules

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "policies" / "district_2016-2020_13th-five-year-training.policy"
MODULES = ["师德修养", "教育基本理论素养", "学科教学专业知识与专业能力", "教育技术能力", "实验技能和创新教育能力"]
LEVELS = ["校级", "区级", "市级", "省级", "国家级"]


def teachers(n: int, entries: int, seed: int) -> Iterator[dict[str, object]]:
    """N synthetic teachers of document 002, each with ``entries`` training records over 2016–2021."""
    rnd = random.Random(seed)
    for i in range(n):
        rows = []
        for j in range(entries):
            kind = rnd.choice(["集中", "远程", "校本"])
            row: dict[str, object] = {
                "记录号": f"E{j}",
                "日期": f"{rnd.randint(2016, 2021)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                "学时": str(rnd.choice([2, 4, 6, 8, 12, 16])),
                "类别": kind,
                "模块": rnd.choice(MODULES),
                "专题": rnd.choice([[], ["班主任"], ["心理健康"]]),
                "考核合格": rnd.random() > 0.05,
            }
            if kind == "校本":
                row["学校认定"] = rnd.random() > 0.1
            else:
                row["主办"] = rnd.choice(LEVELS)
                row["机构认定"] = rnd.random() > 0.1
            rows.append(row)
        roles = rnd.choice([[], [], ["班主任"], ["专职培训者"]])
        yield {
            "id": f"T{i}",
            "name": f"教师{i}",
            "school": f"学校{i % 50}",
            "subject": "语文",
            "stage": "初中",
            "facts": {"在编": True, "角色": roles, "学历": "本科", "入职日期": "2015-09-01"},
            "lists": {"培训记录": rows},
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2)
    args = parser.parse_args()
    policy = trainrules.load(POLICY)
    records = list(teachers(args.n, args.entries, args.seed))
    for explain in (False, True, False, True):  # interleaved, so drift on a shared machine hits both alike
        start = time.process_time()
        results = policy.evaluate(records, explain=explain)
        cpu = time.process_time() - start
        sizes = [
            len(json.dumps(d.to_dict(lang="zh", explanation=explain), ensure_ascii=False).encode()) for d in results
        ]
        errors = sum(d.status == "error" for d in results)
        print(
            f"explain={explain!s:5} {args.n} teachers × {args.entries} entries: {cpu:.2f} s CPU, "
            f"{args.n / cpu:,.0f} teachers/s, {args.n * args.entries / cpu:,.0f} entries/s; "
            f"decision JSON {sum(sizes) / len(sizes):,.0f} B/teacher; errors {errors}"
        )


if __name__ == "__main__":
    main()
