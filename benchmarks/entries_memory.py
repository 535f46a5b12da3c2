"""Peak memory and time of long-format entries: 100,000 teachers × 20 entries (2,000,000 rows).

Usage::

    python benchmarks/entries_memory.py [--teachers 100000] [--per 20] [--dir DIR]

Writes a teachers CSV and an entries CSV (教师编号, 记录号, 日期, 学时, 类别, 级别), then runs, each in a
fresh child process measured alone (``ru_maxrss`` of that child): ``index`` (``read_entries`` only: the
memory the index holds) and ``evaluate`` (``trainrules evaluate POLICY teachers.csv --entries
培训记录=events.csv -o out.jsonl``). Figures are reported in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

POLICY = """方案 甲 { 标题 "条目内存" 期间 2023-01-01 至 2023-12-31 }
输入 教师 {
  培训记录: 列表 按 记录号 依据 X1-01 {
    记录号: 文本
    日期: 日期
    学时: 数 0 至 500
    类别: 标签 {集中, 远程, 校本}
    级别: 标签 {校级 < 县级 < 市级}
  }
}
筛选 有效 取自 培训记录 依据 X1-03 { 凡 类别 != "校本"  须 级别 不低于 "县级" 否则 "级别低" }
定义 总学时 = 合计(有效.学时) 依据 X1-04
合格 当 总学时 >= 72 依据 X1-05
"""

CHILD = """
import resource, sys, time
from trainrules.records import read_entries
start = time.perf_counter()
index = read_entries(sys.argv[1], "培训记录", fields=["记录号", "日期", "学时", "类别", "级别"])
print(index.count, f"{time.perf_counter() - start:.1f}s", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def write(folder: Path, teachers: int, per: int) -> tuple[Path, Path, Path]:
    rng = random.Random(4)
    policy = folder / "p.policy"
    policy.write_text(POLICY, encoding="utf-8")
    tpath = folder / "teachers.csv"
    with tpath.open("w", encoding="utf-8-sig", newline="") as f:
        f.write("编号,姓名,学校\r\n")
        for t in range(teachers):
            f.write(f"T{t:06d},教师{t},学校{t % 500}\r\n")
    epath = folder / "events.csv"
    with epath.open("w", encoding="utf-8-sig", newline="") as f:
        f.write("教师编号,记录号,日期,学时,类别,级别,备注\r\n")
        n = 0
        for _ in range(per):  # round by round: a teacher's entries are spread over the whole file
            for t in range(teachers):
                n += 1
                day = f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                kind = rng.choice(["集中", "远程", "校本"])
                level = rng.choice(["校级", "县级", "市级"])
                f.write(f"T{t:06d},E{n},{day},{rng.randint(1, 40)},{kind},{level},\r\n")
    return policy, tpath, epath


def measure(cmd: list[str]) -> tuple[int, float, int]:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603 -- our own command line
    took = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    print(done.stdout.strip()[-300:], done.stderr.strip()[-300:], file=sys.stderr)
    return done.returncode, took, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--teachers", type=int, default=100_000)
    parser.add_argument("--per", type=int, default=20)
    parser.add_argument("--case", choices=["index", "evaluate"], default=None, help="run one case (in this process)")
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="trainrules-entries-"))
    folder.mkdir(parents=True, exist_ok=True)
    if args.case is None:
        write(folder, args.teachers, args.per)
        for case in ("index", "evaluate"):  # each in a wrapper of its own, so that ru_maxrss is that case's
            cmd = [sys.executable, __file__, "--case", case, "--dir", str(folder)]
            subprocess.run(cmd, check=False)  # noqa: S603 -- this script, run again
        return
    policy, tpath, epath = folder / "p.policy", folder / "teachers.csv", folder / "events.csv"
    size = epath.stat().st_size >> 20
    if args.case == "index":
        code, took, peak = measure([sys.executable, "-c", CHILD, str(epath)])
    else:
        out = folder / "out.jsonl"
        exe = [sys.executable, "-m", "trainrules", "evaluate", str(policy), str(tpath)]
        code, took, peak = measure([*exe, "--entries", f"培训记录={epath}", "-o", str(out)])
    print(f"{args.case}: exit {code}, {took:.1f} s, peak RSS {peak} MiB (entries file {size} MiB)")


if __name__ == "__main__":
    main()
