"""Synthetic records for document 004 (兰西县 2019 秋 网本研修), deterministic by seed.

Usage::

    python benchmarks/generate.py N out.jsonl [--seed S] [--schools K]

writes K school lines (``"kind": "school"``, default 50) and then N teacher lines, one
JSON object per line, streamed (memory does not grow with N). The same N, K and seed
always give the same bytes.

The mix is meant to look like a real roll: most teachers enrol by 2019-12-08 24:00 and
hand in the three 20-point modules on time with one-decimal scores inside the bands,
some hand in late or not at all, a few are exempt (an exemption flag and not enrolled),
some are not enrolled, a few schools send their plan after 2019-12-13 24:00 (school part
cancelled) or their results after 2019-12-29 24:00 (school part 0), and a few boundary
times (``24:00``, before a module opens) are thrown in. About 0.5 % of teachers have no
school-part score although their school reported on time: the engine reports those as
record errors, which keeps the error path in the benchmark too.

The functions :func:`school_records` and :func:`iter_teachers` are also imported by the
benchmarks to build the same records in memory.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import itertools
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson

__all__ = [
    "DEFAULT_SCHOOLS",
    "DEFAULT_SEED",
    "iter_lines",
    "iter_teachers",
    "school_records",
    "source_fingerprint",
    "write_jsonl",
]

DEFAULT_SEED = 4
DEFAULT_SCHOOLS = 50

# Minutes are counted from 2019-12-01 00:00 local time (Asia/Shanghai); see _fmt.
_DAY = 1440
_HOUR = 60

EXEMPT_FLAGS = ("国培送教", "校园长培训", "三学活动", "新教材培训", "新教师培训", "十三五已完成360学时")
OTHER_FLAGS = ("班主任", "骨干教师", "教研组长", "农村教师")
SUBJECTS = ("语文", "数学", "英语", "物理", "化学", "生物", "历史", "地理", "政治", "音乐", "体育", "美术", "信息技术")
STAGES = ("小学", "初中", "高中")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红玲鹏辉建国志文亮晶宇"
TOWNS = (
    "兰西镇", "榆林镇", "临江镇", "平山镇", "红光镇", "远大镇", "康荣镇", "燎原乡", "北安乡",
    "长岗乡", "兰河乡", "红星乡", "奋斗乡", "长江乡", "星火乡", "城区", "开发区",
)  # fmt: skip
SCHOOL_KINDS = ("中心小学", "中学", "第二小学")

# The three online modules: (name, opens, due) in minutes; due is the first late minute (the next day 00:00).
MODULES = (
    ("队伍建设", 8 * _DAY, 15 * _DAY),  # opens 2019-12-09 00:00, due 2019-12-15 24:00
    ("师德师风", 15 * _DAY, 22 * _DAY),  # opens 2019-12-16 00:00, due 2019-12-22 24:00
    ("信息技术", 22 * _DAY, 29 * _DAY),  # opens 2019-12-23 00:00, due 2019-12-29 24:00
)
# The bands of document 004 in tenths of a point, with weights for on-time scores.
BANDS = ((180, 200, 45), (120, 179, 35), (60, 119, 15), (0, 59, 5))
_BAND_CUM = list(itertools.accumulate(w for _, _, w in BANDS))


def _fmt(minute: int) -> str:
    """Local wall time ``minute`` minutes after 2019-12-01 00:00, as ``YYYY-MM-DD HH:MM``."""
    day, rest = divmod(minute, _DAY)
    hour, mins = divmod(rest, _HOUR)
    if day < 31:
        return f"2019-12-{day + 1:02d} {hour:02d}:{mins:02d}"
    return f"2020-01-{day - 30:02d} {hour:02d}:{mins:02d}"


def _midnight_as_24(day_end: int) -> str:
    """``YYYY-MM-DD 24:00`` for the day that ends at minute ``day_end``."""
    return _fmt(day_end - _DAY)[:11] + "24:00"


def _tenths(value: int) -> str:
    return f"{value // 10}.{value % 10}"


def school_names(count: int) -> list[str]:
    """``count`` distinct school names (towns x kinds, numbered beyond that)."""
    names = [f"兰西县{town}{kind}" for kind in SCHOOL_KINDS for town in TOWNS]
    while len(names) < count:
        names.append(f"兰西县第{len(names) + 1}学校")
    return names[:count]


def school_records(rng: random.Random, count: int = DEFAULT_SCHOOLS) -> list[dict[str, object]]:
    """The school records (nested form, without ``kind``); a few late or missing plans and results."""
    out: list[dict[str, object]] = []
    for i, name in enumerate(school_names(count)):
        facts: dict[str, object] = {}
        u = rng.random()
        if i == 1:
            facts["计划报送时间"] = "2019-12-13 24:00"  # exactly at the cut-off: not before it, so cancelled
        elif u < 0.93:
            facts["计划报送时间"] = _fmt(rng.randrange(4 * _DAY + 9 * _HOUR, 13 * _DAY))
        elif u < 0.97:
            facts["计划报送时间"] = _fmt(rng.randrange(13 * _DAY, 18 * _DAY))  # late: school part cancelled
        # else: never sent (cancelled too)
        u = rng.random()
        if i == 2:
            facts["成绩报送时间"] = "2019-12-29 24:00"  # at the deadline: late
        elif u < 0.95:
            facts["成绩报送时间"] = _fmt(rng.randrange(23 * _DAY, 29 * _DAY))
        elif u < 0.98:
            facts["成绩报送时间"] = _fmt(rng.randrange(29 * _DAY, 34 * _DAY))  # late: school part 0
        # else: never reported (school part 0)
        facts["培训课程数"] = rng.choice((0, 1, 2, 2, 3, 3, 3, 4, 4, 5)) if rng.random() < 0.97 else None
        facts = {k: v for k, v in facts.items() if v is not None}
        out.append({"school": name, "facts": facts})
    return out


def _score(rng: random.Random) -> str:
    low, high, _ = rng.choices(BANDS, cum_weights=_BAND_CUM)[0]
    return _tenths(rng.randint(low, high))


def _module(rng: random.Random, opens: int, due: int) -> dict[str, str] | None:
    """One online module: on time (84 %), late (8 %) or missing (8 %)."""
    u = rng.random()
    if u < 0.84:
        v = rng.random()
        if v < 0.03:
            submitted = _fmt(rng.randrange(opens - 3 * _DAY, opens))  # before the module opened: on time
        elif v < 0.04:
            submitted = _midnight_as_24(due)  # "…15 24:00": the last on-time instant
        else:
            submitted = _fmt(rng.randrange(opens, due))
        return {"submitted_at": submitted, "score": _score(rng)}
    if u < 0.92:
        item = {"submitted_at": _fmt(rng.randrange(due, due + 5 * _DAY))}
        if rng.random() < 0.6:
            item["score"] = _score(rng)  # a late score is ignored: the module counts 0
        return item
    return None


def _teacher(i: int, rng: random.Random, schools: list[str]) -> dict[str, object]:
    r = rng.random
    rec: dict[str, object] = {
        "id": f"T{i:07d}",
        "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if r() < 0.6 else ""),
        "school": schools[rng.randrange(len(schools))],
        "subject": rng.choice(SUBJECTS),
        "stage": rng.choice(STAGES),
    }
    u = r()
    if u < 0.07:
        flags = [rng.choice(EXEMPT_FLAGS)] + ([rng.choice(OTHER_FLAGS)] if r() < 0.3 else [])
        enrol_rate = 0.3  # exemption is a permission: most who may skip do skip
    elif u < 0.20:
        flags = [rng.choice(OTHER_FLAGS)]
        enrol_rate = 0.93
    else:
        flags = []
        enrol_rate = 0.93
    v = r()
    if v < enrol_rate:
        if r() < 0.005:
            rec["enrolled_at"] = "2019-12-08 24:00"  # at the cut-off: not before it, so not enrolled
        else:
            rec["enrolled_at"] = _fmt(rng.randrange(4 * _DAY + 8 * _HOUR, 8 * _DAY))
        enrolled = True
    elif r() < 0.6:
        rec["enrolled_at"] = _fmt(rng.randrange(8 * _DAY, 15 * _DAY))  # enrolled too late
        enrolled = r() < 0.5  # some late joiners still hand work in; it is not assessed
    else:
        enrolled = False  # never enrolled: no time at all
    rec["flags"] = flags
    items: dict[str, object] = {}
    if enrolled:
        for name, opens, due in MODULES:
            item = _module(rng, opens, due)
            if item is not None:
                items[name] = item
        if r() >= 0.005:
            items["校本成绩"] = {"score": _tenths(min(400, max(0, int(rng.gauss(330, 45)))))}
    rec["items"] = items
    w = r()
    if w < 0.95:
        rec["facts"] = {"校本作业数": rng.choice((0, 1, 2, 2, 2, 3, 3, 4)) if w < 0.1 else rng.randint(2, 4)}
    return rec


def iter_teachers(n: int, rng: random.Random, schools: list[str]) -> Iterator[dict[str, object]]:
    """``n`` teacher records in nested form, ids ``T0000000`` upward."""
    for i in range(n):
        yield _teacher(i, rng, schools)


def iter_lines(n: int, seed: int = DEFAULT_SEED, schools: int = DEFAULT_SCHOOLS) -> Iterator[bytes]:
    """The JSONL lines (with trailing newline): school lines first, then ``n`` teacher lines."""
    rng = random.Random(seed)
    school_recs = school_records(rng, schools)
    dumps = orjson.dumps
    for s in school_recs:
        yield dumps({"kind": "school", **s}) + b"\n"
    names = [str(s["school"]) for s in school_recs]
    for rec in iter_teachers(n, rng, names):
        yield dumps(rec) + b"\n"


def write_jsonl(n: int, path: str | Path, seed: int = DEFAULT_SEED, schools: int = DEFAULT_SCHOOLS) -> None:
    """Write the JSONL file, streamed in batches."""
    batch: list[bytes] = []
    with Path(path).open("wb") as out:
        for line in iter_lines(n, seed, schools):
            batch.append(line)
            if len(batch) >= 10_000:
                out.write(b"".join(batch))
                batch.clear()
        out.write(b"".join(batch))


def source_fingerprint() -> str:
    """A short hash of the installed trainrules package's .py sources, to tie figures to the code measured."""
    spec = importlib.util.find_spec("trainrules")
    if spec is None or spec.origin is None:
        return "unknown"
    root = Path(spec.origin).parent
    digest = hashlib.sha256()
    for file in sorted(root.rglob("*.py")):
        digest.update(file.relative_to(root).as_posix().encode() + b"\0" + file.read_bytes())
    return f"{digest.hexdigest()[:12]} ({root})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("n", type=int, help="number of teacher records")
    parser.add_argument("out", help="output .jsonl file")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--schools", type=int, default=DEFAULT_SCHOOLS, help="number of school lines (default 50)")
    args = parser.parse_args(argv)
    if args.n < 0 or args.schools < 1:
        parser.error("N must be >= 0 and --schools >= 1")
    write_jsonl(args.n, args.out, args.seed, args.schools)
    print(f"wrote {args.schools} school lines and {args.n} teacher lines to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
