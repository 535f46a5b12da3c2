"""The language's functions: one table of names, arities, types and exact Decimal implementations."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Protocol

import attrs

from trainrules.errors import ComputeError

__all__ = ["AGGREGATES", "FUNCTIONS", "LIST_AGGREGATES", "ROUNDING", "Function", "list_source", "round_to"]


def round_to(x: Decimal, step: Decimal, mode: str) -> Decimal:
    """Round ``x`` to a multiple of ``step`` with an explicit mode (floor, ceiling or half-up)."""
    if step <= 0:
        raise ComputeError(f"取整的步长 {step} 必须大于 0", f"the rounding step {step} must be positive")
    q = (x / step).quantize(Decimal(1), rounding=mode)
    return q * step


@attrs.frozen
class Function:
    """A function: how many arguments, their type, its result type, and how to compute it."""

    name: str
    min_args: int
    max_args: int | None
    arg_type: str  # "数" or "任意"
    result: str  # a type, or "同参数" (the first argument's type)
    impl: Callable[..., object] | None  # None for the ones the evaluator handles itself
    doc: str


def _min(*xs: Decimal) -> Decimal:
    return min(xs)


def _max(*xs: Decimal) -> Decimal:
    return max(xs)


#: The rounding functions: inside them the author has said how a quotient is rounded.
ROUNDING = frozenset({"向下取整", "向上取整", "四舍五入"})


def _rounder(mode: str) -> Callable[..., Decimal]:
    def f(x: Decimal, step: Decimal = Decimal(1)) -> Decimal:
        return round_to(x, step, mode)

    return f


FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in (
        Function("最小", 1, None, "数", "数", _min, "最小(a, b, …)：最小值"),
        Function("最大", 1, None, "数", "数", _max, "最大(a, b, …)：最大值"),
        Function("向下取整", 1, 2, "数", "数", _rounder(ROUND_FLOOR), "向下取整(x[, 步长])：不超过 x 的步长倍数"),
        Function("向上取整", 1, 2, "数", "数", _rounder(ROUND_CEILING), "向上取整(x[, 步长])：不小于 x 的步长倍数"),
        Function(
            "四舍五入", 1, 2, "数", "数", _rounder(ROUND_HALF_UP), "四舍五入(x[, 步长])：按步长四舍五入（半数进位）"
        ),
        Function("绝对值", 1, 1, "数", "数", abs, "绝对值(x)"),
        Function("有值", 1, 1, "任意", "是否", None, "有值(x)：x 已填写（不缺失）"),
        Function("缺失", 1, 1, "任意", "是否", None, "缺失(x)：x 未填写"),
        Function("取值", 2, 2, "任意", "同参数", None, "取值(x, 默认)：x 缺失时取默认值"),
        Function("计数", 1, 1, "是否", "数", None, "计数(条件)：本组中满足条件的教师人数（只用于分组核查）"),
        Function("合计", 1, 1, "数", "数", None, "合计(数值)：本组教师该值之和（只用于分组核查）"),
        Function("人数", 0, 0, "数", "数", None, "人数()：本组教师总数（只用于分组核查）"),
    )
}
#: Functions that range over the teachers of a group.
AGGREGATES = frozenset({"计数", "合计", "人数"})
#: Functions that range over the entries of a list or filter when their first argument names one
#: (``合计(培训记录.学时, 类别 == "集中")``); 最大/最小 of numbers and the group aggregates keep their meaning.
LIST_AGGREGATES = frozenset({"合计", "计数", "最大", "最小", "任一", "全部"})


class _Policy(Protocol):
    @property
    def lists(self) -> Mapping[str, object]: ...
    @property
    def filters(self) -> Mapping[str, object]: ...


def list_source(policy: _Policy, e: object) -> str | None:
    """The list or filter an aggregate's first argument names (``培训记录`` or ``培训记录.学时``), else None."""
    path = getattr(e, "path", None)
    if isinstance(path, tuple) and path and (path[0] in policy.lists or path[0] in policy.filters):
        return str(path[0])
    return None
