"""Hostile policies against the limits: the CPU time of "did you mean", the stack a policy at the depth limit needs.

    .venv/bin/python benchmarks/bench_limits.py hints    # the two pathological hint cases of issue 10, one process
    .venv/bin/python benchmarks/bench_limits.py stack    # lowest recursion limit that checks, loads and evaluates

``stack`` lowers ``sys.setrecursionlimit`` step by step (a binary search) for policies nested
exactly at the limit; docs/limits.md reports the figures.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import trainrules
from trainrules.limits import MAX_DEFINITION_DEPTH

HEAD = """方案 兰西县2019秋网本研修 {
  标题 "2019-2020第一学期教师网本研修计划"
  期间 2019-12-05 至 2019-12-31             依据 R004-01 "四、培训时间"
}
输入 教师 {
  作业数: 数 0 至 100                       依据 R004-07
}
"""


def long_names(n: int = 8000) -> str:
    """An unknown name of ``n`` characters beside a defined one of ``n``."""
    return HEAD + f"定义 {'甲' * n} = 作业数 依据 R1\n合格 当 {'乙' * n} 不少于 2 授予 36 学时 依据 R2\n"


def many_unknown(k: int = 1000, defs: int = 1000, width: int = 40) -> str:
    """``k`` unknown names among ``defs`` definitions, all ``width`` characters long."""
    defined = "".join(f"定义 d{i:0{width - 1}d} = 作业数 依据 R1\n" for i in range(defs))
    use = " + ".join(f"d{i:0{width - 1}d}" for i in range(defs))
    unknown = " + ".join(f"u{i:0{width - 1}d}" for i in range(k))
    return HEAD + defined + f"合格 当 {use} + {unknown} 不少于 2 授予 36 学时 依据 R2\n"


def hints() -> None:
    for label, text in (
        ("two 8,000-character names", long_names()),
        ("1,000 unknown 40-character names among 1,000 definitions", many_unknown()),
    ):
        start = time.process_time()
        diagnostics = trainrules.checks(text, name="hints.policy")
        took = time.process_time() - start
        print(f"{label}: {len(text.encode())} bytes, {len(diagnostics)} diagnostics, {took:.2f} s CPU")


def _defs(n: int, body: str, last: str = "作业数") -> str:
    chain = "".join(f"定义 y{i} = {body.format(f'y{i + 1}')} 依据 R1\n" for i in range(n))
    return chain + f"定义 y{n} = {last} 依据 R1\n"


def _cases() -> dict[str, tuple[str, dict[str, object]]]:
    depth = MAX_DEFINITION_DEPTH
    rule = "合格 当 y0 不少于 2 授予 36 学时 依据 R2\n"  # two levels above y0
    teacher: dict[str, object] = {"id": "T1", "school": "一中", "facts": {"作业数": "3"}}
    pad = (depth - 3) % 31
    cases = {
        "y = y' + 1": HEAD + _defs((depth - 3) // 2, "{} + 1", "-" * ((depth - 3) % 2) + "作业数") + rule,
        "y = 最小(y')": HEAD + _defs((depth - 3) // 2, "最小({})", "-" * ((depth - 3) % 2) + "作业数") + rule,
        "y = 四舍五入(y' + 1, 1)": HEAD + _defs((depth - 3) // 3, "四舍五入({} + 1, 1)") + rule,
        "30 negations each": HEAD + _defs((depth - 3) // 31, "-" * 30 + "{}", "-" * max(pad - 1, 0) + "作业数") + rule,
    }
    out = {name: (text, teacher) for name, text in cases.items()}
    n = (depth - 6) // 2  # items x0 … xn, each scored from the next: 2n + 5 levels
    items = "".join(
        f"  项目 x{i} 满分 1 依据 R1 {{\n    截止 2019-12-15 24:00 前\n"
        f"    得分 = {f'x{i + 1}' if i < n else '分数'} + 0\n  }}\n"
        for i in range(n + 1)
    )
    text = HEAD + f"部分 甲 满分 {n + 1} 依据 R1 {{\n{items}}}\n合格 当 x0 不少于 0 授予 36 学时 依据 R2\n"
    scored = {f"x{i}": {"submitted_at": "2019-12-10 10:00", "score": "0"} for i in range(n + 1)}
    out[f"items, each scored from the next ({2 * n + 5} levels)"] = (text, {**teacher, "items": scored})
    return out


def _needs(fn: Callable[[], bool]) -> int:
    """The lowest recursion limit under which ``fn`` succeeds."""
    base = sys.getrecursionlimit()
    lo, hi = 1, base
    while lo < hi:
        mid = (lo + hi) // 2
        sys.setrecursionlimit(max(mid, 1))
        try:
            ok = fn()
        except (RecursionError, trainrules.PolicyError):
            ok = False
        finally:
            sys.setrecursionlimit(base)
        lo, hi = (lo, mid) if ok else (mid + 1, hi)
    return lo


def _figures(text: str, teacher: dict[str, object]) -> tuple[int, int, int, int]:
    """Lowest recursion limits to check, load, evaluate and evaluate with explanations."""
    policy = trainrules.loads(text, name="d.policy")
    assert policy.evaluate([teacher]).decisions[0].status == "assessed"

    def checked() -> bool:
        return not any(d.code == "E113" for d in trainrules.checks(text, name="d.policy"))

    def evaluated(explain: bool) -> bool:
        return policy.evaluate([teacher], explain=explain).decisions[0].status == "assessed"

    return (
        _needs(checked),
        _needs(lambda: bool(trainrules.loads(text, name="d.policy"))),
        _needs(lambda: evaluated(False)),
        _needs(lambda: evaluated(True)),
    )


def stack() -> None:
    print(f"recursion limit {sys.getrecursionlimit()}, MAX_DEFINITION_DEPTH {MAX_DEFINITION_DEPTH}")
    for name, (text, teacher) in _cases().items():
        assert not any(d.severity is trainrules.Severity.ERROR for d in trainrules.checks(text, name="d.policy"))
        c, lo, e, x = _figures(text, teacher)
        print(f"{name:45s} check {c:4d}  load {lo:4d}  evaluate {e:4d}  explain {x:4d}")


if __name__ == "__main__":
    {"hints": hints, "stack": stack}[sys.argv[1] if len(sys.argv) > 1 else "stack"]()
