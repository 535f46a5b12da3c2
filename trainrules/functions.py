"""The language's functions: one table of names, arities, types and exact Decimal implementations."""

from __future__ import annotations

import datetime as _dt
import functools
import zoneinfo
from collections.abc import Callable, Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Protocol

import attrs
import pendulum

from trainrules.errors import ComputeError
from trainrules.limits import MAX_EACH_VALUES
from trainrules.values import MAX_YEAR, MIN_YEAR, DateWindow

__all__ = [
    "AGGREGATES",
    "CLAMP_ASSUMPTION",
    "FUNCTIONS",
    "LIST_AGGREGATES",
    "ROUNDING",
    "TIME_BOUNDS",
    "Function",
    "add_months",
    "add_years",
    "clamp_applies",
    "cycle_of",
    "list_source",
    "nth_weekday",
    "round_to",
    "sequence",
]


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
    #: Calendar functions: the type each argument may have ("日期|时刻" allows either); empty for the others.
    args: tuple[str, ...] = ()
    #: Calendar functions take the plan's zone first: ``impl(tz, *values)``.
    zoned: bool = False
    #: The explanation of one call: ``say(tz, values, result)`` gives (zh, en).
    say: Callable[..., tuple[str, str]] | None = None
    #: The function may move a day that the target month lacks to that month's last day (assumption 月末对齐).
    clamps: bool = False
    #: The validators of the arguments, by position (None: any value of the argument's type).
    checks: tuple[Callable[[object], object] | None, ...] = ()


def sequence(first: object, last: object) -> tuple[Decimal, ...]:
    """``序列(甲, 乙)``: the whole numbers from 甲 to 乙, both included; empty when 乙 < 甲.

    Both must be whole, and the run at most ``limits.MAX_EACH_VALUES`` long (a ComputeError otherwise).
    """
    ends = []
    for x, what, what_en in ((first, "序列的起点", "the start of 序列"), (last, "序列的终点", "the end of 序列")):
        if not isinstance(x, Decimal) or not x.is_finite() or x != x.to_integral_value():
            raise ComputeError(f"{what}应为整数，这里是 {x}", f"{what_en} must be a whole number, not {x}")
        ends.append(int(x))
    a, b = ends
    if b - a + 1 > MAX_EACH_VALUES:
        raise ComputeError(
            f"序列({a}, {b}) 有 {b - a + 1} 个值，多于上限 {MAX_EACH_VALUES}",
            f"序列({a}, {b}) has {b - a + 1} values, more than the limit {MAX_EACH_VALUES}",
        )
    return tuple(Decimal(n) for n in range(a, b + 1))


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


#: What 去重计数 can count the distinct values of: one value each (not a list of labels).
_DISTINCT_TYPES = "文本|数|日期|时刻|是否"

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
        Function(
            "序列", 2, 2, "数", "数列表", lambda a, b: sequence(a, b), "序列(甲, 乙)：甲 至 乙 的各个整数（含两端）"
        ),
        Function(
            "去重计数",
            1,
            2,
            "任意",
            "数",
            None,
            "去重计数(式[, 条件])：本组教师中（满足条件者）式的不同值的个数（只用于分组核查）",
            args=(_DISTINCT_TYPES, "是否"),
        ),
    )
}
#: Functions that range over the teachers of a group.
AGGREGATES = frozenset({"计数", "合计", "人数", "去重计数"})


# ---------- time: calendar functions (pure; pendulum in the plan's zone; never the clock) ----------

#: The assumption a policy declares when it adds years or months: a day the target month lacks
#: (02-29 in a common year, 31 in a 30-day month) becomes that month's last day.
CLAMP_ASSUMPTION = "月末对齐"
_WEEKDAY_ZH = ("一", "二", "三", "四", "五", "六", "日")
_WEEKDAY_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ORDINAL_EN = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}
_MONTH_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")  # fmt: skip
#: The most years, months and days a date may be moved by (beyond them the year leaves MIN_YEAR..MAX_YEAR).
_SPAN_YEARS = MAX_YEAR - MIN_YEAR + 1


def _whole(x: object, what: str, what_en: str, low: int, high: int) -> int:
    """``x`` as a whole number in ``low..high``, else a ComputeError naming the argument."""
    if not isinstance(x, Decimal) or not x.is_finite() or x != x.to_integral_value():
        raise ComputeError(f"{what}应为整数，这里是 {x}", f"{what_en} must be a whole number, not {x}")
    if not low <= x <= high:
        raise ComputeError(
            f"{what}应在 {low} 至 {high} 之间，这里是 {x}", f"{what_en} must be between {low} and {high}, not {x}"
        )
    return int(x)


def _year(x: object) -> int:
    return _whole(x, "年份", "the year", MIN_YEAR, MAX_YEAR)


def _month(x: object) -> int:
    return _whole(x, "月份", "the month", 1, 12)


def _weekday(x: object) -> int:
    return _whole(x, "星期（1 = 周一 … 7 = 周日）", "the weekday (1 = Monday … 7 = Sunday)", 1, 7)


def _ordinal(x: object) -> int:
    n = _whole(x, "序数（1 至 5，或 -1 表示最后一个）", "the ordinal (1 to 5, or -1 for the last)", -1, 5)
    if n == 0:
        raise ComputeError(
            "序数不能为 0：写 1 至 5，或 -1 表示最后一个", "the ordinal cannot be 0: 1 to 5, or -1 (last)"
        )
    return n


def _cycle_years(x: object) -> int:
    return _whole(x, "周期年数", "the cycle length in years", 1, _SPAN_YEARS)


def _years(x: object) -> int:
    return _whole(x, "年数", "the number of years", -_SPAN_YEARS, _SPAN_YEARS)


def _months(x: object) -> int:
    return _whole(x, "月数", "the number of months", -12 * _SPAN_YEARS, 12 * _SPAN_YEARS)


def _days(x: object) -> int:
    return _whole(x, "天数", "the number of days", -366 * _SPAN_YEARS, 366 * _SPAN_YEARS)


def _in_range(d: pendulum.Date, call: str) -> pendulum.Date:
    """``d`` when its year is in MIN_YEAR..MAX_YEAR, else a ComputeError naming the call."""
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        raise ComputeError(
            f"{call} 得到 {d.isoformat()}，年份不在 {MIN_YEAR} 至 {MAX_YEAR} 之间",
            f"{call} gives {d.isoformat()}, outside the years {MIN_YEAR} to {MAX_YEAR}",
        )
    return d


def _shift(d: pendulum.Date, call: str, **delta: int) -> pendulum.Date:
    """``d`` moved by whole years, months or days; a result outside the supported years is an error."""
    try:
        return _in_range(d.add(**delta), call)
    except (OverflowError, ValueError):  # beyond datetime's own years 1..9999
        raise ComputeError(
            f"{call} 超出 {MIN_YEAR} 至 {MAX_YEAR} 年", f"{call} leaves the years {MIN_YEAR} to {MAX_YEAR}"
        ) from None


@functools.lru_cache(maxsize=8)
def _zone(tz: str) -> zoneinfo.ZoneInfo:
    """The standard library's zone (pendulum's own conversion is several times slower)."""
    return zoneinfo.ZoneInfo(tz)


def _local_day(v: object, tz: str) -> pendulum.Date:
    """The calendar date of a date, or of an instant read in the zone ``tz``."""
    if isinstance(v, _dt.datetime):
        offset = v.utcoffset()
        if offset is None:  # records and the language only make instants with an offset
            raise ComputeError(f"时刻 {v} 没有时区", f"the instant {v} has no zone")
        zone = _zone(tz)
        utc = _dt.datetime(v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond, tzinfo=zone) - offset
        local = zone.fromutc(utc)  # the wall fields of utc are UTC's: fromutc reads them as such
        return pendulum.Date(local.year, local.month, local.day)
    if isinstance(v, pendulum.Date):
        return v
    raise ComputeError(f"{v} 不是日期", f"{v} is not a date")


def _window(v: object) -> DateWindow:
    if not isinstance(v, DateWindow):
        raise ComputeError(f"{v} 不是时段", f"{v} is not a window")
    return v


def add_years(d: pendulum.Date, n: int) -> pendulum.Date:
    """``d`` plus ``n`` years; 02-29 in a common year becomes 02-28 (assumption 月末对齐)."""
    return _shift(d, f"加年({d.isoformat()}, {n})", years=n)


def add_months(d: pendulum.Date, n: int) -> pendulum.Date:
    """``d`` plus ``n`` months; a day the target month lacks becomes its last day (assumption 月末对齐)."""
    return _shift(d, f"加月({d.isoformat()}, {n})", months=n)


def month_end(year: int, month: int) -> pendulum.Date:
    """The last day of a month (2024-02 → 2024-02-29)."""
    first = pendulum.Date(year, month, 1)
    return pendulum.Date(year, month, first.days_in_month)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> pendulum.Date:
    """The ``n``-th (1..5) or last (``n`` = -1) ``weekday`` (1 = Monday … 7 = Sunday) of a month.

    Raises:
        ComputeError: the month has no ``n``-th such weekday (a fifth Friday in most months).
    """
    last = month_end(year, month)
    if n == -1:
        return last.subtract(days=(last.isoweekday() - weekday) % 7)
    first = pendulum.Date(year, month, 1)
    day = 1 + (weekday - first.isoweekday()) % 7 + 7 * (n - 1)
    if day > last.day:
        raise ComputeError(
            f"{year} 年 {month} 月没有第 {n} 个星期{_WEEKDAY_ZH[weekday - 1]}",
            f"{_MONTH_EN[month - 1]} {year} has no {_ORDINAL_EN[n]} {_WEEKDAY_EN[weekday - 1]}",
        )
    return pendulum.Date(year, month, day)


def cycle_of(d: pendulum.Date, start: pendulum.Date, years: int) -> tuple[int, pendulum.Date, pendulum.Date]:
    """The ``years``-year cycle that ``d`` falls in, cycles aligned at ``start`` (also before it).

    Returns:
        (its number, 1 for the cycle that begins at ``start``, 0 for the one before, …; its first
        day; its last day). Cycle k begins at ``start`` plus (k - 1) × ``years`` years, counted
        from ``start`` each time, so a 02-29 start begins later cycles on 02-28 of common years.
    """

    def begin(k: int) -> pendulum.Date:
        return add_years(start, k * years)

    k = (d.year - start.year) // years
    while begin(k) > d:
        k -= 1
    while begin(k + 1) <= d:
        k += 1
    first = begin(k)
    last = _shift(begin(k + 1), f"周期止({d.isoformat()}, {start.isoformat()}, {years})", days=-1)
    return k + 1, first, last


def shown(v: object) -> str:
    """A calendar value as an explanation shows it (dates as ISO, instants to the minute)."""
    if isinstance(v, pendulum.DateTime):
        return v.format("YYYY-MM-DD HH:mm")
    if isinstance(v, pendulum.Date):
        return v.isoformat()
    return str(v)


def _en(v: object) -> str:
    """A window (or any value) as English text shows it."""
    return v.text_en() if isinstance(v, DateWindow) else shown(v)


def _clamped(d: pendulum.Date, result: pendulum.Date) -> tuple[str, str]:
    if result.day == d.day:
        return "", ""
    return (
        f"（{result.year} 年 {result.month} 月没有 {d.day} 日，按假设 {CLAMP_ASSUMPTION} 取该月最后一天）",
        f" ({_MONTH_EN[result.month - 1]} {result.year} has no day {d.day}: the month's last day, "
        f"by the assumption {CLAMP_ASSUMPTION})",
    )


def _cal(
    name: str,
    args: tuple[str, ...],
    result: str,
    impl: Callable[..., object],
    say: Callable[..., tuple[str, str]],
    doc: str,
    checks: tuple[Callable[[object], object] | None, ...] = (),
    clamps: bool = False,
) -> Function:
    return Function(name, len(args), len(args), "任意", result, impl, doc, args, True, say, clamps, checks)


_DAY = "日期|时刻"


def _years_window(tz: str, y: object) -> DateWindow:
    year = _year(y)
    return DateWindow(pendulum.Date(year, 1, 1), pendulum.Date(year, 12, 31))


def _first_year(tz: str, d: object) -> DateWindow:
    day = _local_day(d, tz)
    anniversary = add_years(day, 1)
    return DateWindow(day, anniversary.subtract(days=1))


def _rolling(tz: str, d: object, n: object) -> DateWindow:
    day = _local_day(d, tz)
    months = _whole(n, "月数", "the number of months", 1, 12 * _SPAN_YEARS)
    back = add_months(day, -months)
    return DateWindow(_shift(back, f"近月({day.isoformat()}, {months})", days=1), day)


def _cycle(tz: str, d: object, s: object, n: object) -> tuple[int, pendulum.Date, pendulum.Date]:
    return cycle_of(_local_day(d, tz), _local_day(s, tz), _cycle_years(n))


def _cycle_text(tz: str, v: list[object]) -> tuple[str, str]:
    k, first, last = _cycle(tz, *v)
    zh = f"{shown(v[0])} 在以 {shown(v[1])} 起算、每 {v[2]} 年一个的第 {k} 个周期 [{first} 至 {last}] 内"
    en = f"{shown(v[0])} is in cycle {k} [{first} to {last}] of {v[2]} years counted from {shown(v[1])}"
    return zh, en


def _wd(v: object) -> tuple[str, str]:
    i = int(v) - 1  # type: ignore[call-overload]  # a validated whole Decimal
    return f"星期{_WEEKDAY_ZH[i]}", _WEEKDAY_EN[i]


def _ord(v: object) -> tuple[str, str]:
    n = int(v)  # type: ignore[call-overload]  # a validated whole Decimal
    return ("最后一个" if n == -1 else f"第 {n} 个"), _ORDINAL_EN[n]


def _say_nth(y: object, m: object, wd: object, n: object, r: object) -> tuple[str, str]:
    (oz, oe), (wz, we) = _ord(n), _wd(wd)
    mi = int(m)  # type: ignore[call-overload]  # a validated whole Decimal
    return f"{shown(r)} 是 {y} 年 {m} 月{oz}{wz}", f"{shown(r)} is the {oe} {we} of {_MONTH_EN[mi - 1]} {y}"


TIME_FUNCTIONS: tuple[Function, ...] = (
    _cal(
        "年份", (_DAY,), "数",
        lambda tz, d: Decimal(_local_day(d, tz).year),
        lambda tz, v, r: (f"{shown(v[0])} 的年份是 {r}", f"the year of {shown(v[0])} is {r}"),
        "年份(日期或时刻)：公历年份（时刻按方案时区取当地日期）",
    ),
    _cal(
        "月份", (_DAY,), "数",
        lambda tz, d: Decimal(_local_day(d, tz).month),
        lambda tz, v, r: (f"{shown(v[0])} 的月份是 {r}", f"the month of {shown(v[0])} is {r}"),
        "月份(日期或时刻)：1 至 12",
    ),
    _cal(
        "星期", (_DAY,), "数",
        lambda tz, d: Decimal(_local_day(d, tz).isoweekday()),
        lambda tz, v, r: (f"{shown(v[0])} 是{_wd(r)[0]}", f"{shown(v[0])} is a {_wd(r)[1]}"),
        "星期(日期或时刻)：1 = 周一 … 7 = 周日",
    ),
    _cal(
        "年月", (_DAY,), "文本",
        lambda tz, d: _local_day(d, tz).format("YYYY-MM"),
        lambda tz, v, r: (f"{shown(v[0])} 属于 {r} 月", f"{shown(v[0])} is in the month {r}"),
        '年月(日期或时刻)：如 "2023-03"，用作按月分组的键',
    ),
    _cal(
        "当日", ("时刻",), "日期",
        lambda tz, t: _local_day(t, tz),
        lambda tz, v, r: (f"{shown(v[0])} 的当地日期是 {shown(r)}", f"the local date of {shown(v[0])} is {shown(r)}"),
        "当日(时刻)：时刻在方案时区的当地日期",
    ),
    _cal(
        "加年", ("日期", "数"), "日期",
        lambda tz, d, n: add_years(d, _years(n)),
        lambda tz, v, r: (f"{shown(v[0])} 加 {v[1]} 年 = {shown(r)}" + _clamped(v[0], r)[0],
                      f"{shown(v[0])} plus {v[1]} year(s) = {shown(r)}" + _clamped(v[0], r)[1]),
        "加年(日期, 年数)：02-29 加 1 年为 02-28（假设 月末对齐）",
        (None, _years),
        clamps=True,
    ),
    _cal(
        "加月", ("日期", "数"), "日期",
        lambda tz, d, n: add_months(d, _months(n)),
        lambda tz, v, r: (f"{shown(v[0])} 加 {v[1]} 个月 = {shown(r)}" + _clamped(v[0], r)[0],
                      f"{shown(v[0])} plus {v[1]} month(s) = {shown(r)}" + _clamped(v[0], r)[1]),
        "加月(日期, 月数)：01-31 加 1 个月为 02-28 或 02-29（假设 月末对齐）",
        (None, _months),
        clamps=True,
    ),
    _cal(
        "加日", ("日期", "数"), "日期",
        lambda tz, d, n: _shift(d, f"加日({shown(d)}, {n})", days=_days(n)),
        lambda tz, v, r: (f"{shown(v[0])} 加 {v[1]} 天 = {shown(r)}", f"{shown(v[0])} plus {v[1]} day(s) = {shown(r)}"),
        "加日(日期, 天数)：天数可为负",
        (None, _days),
    ),
    _cal(
        "相隔天数", ("日期", "日期"), "数",
        lambda tz, a, b: Decimal(b.toordinal() - a.toordinal()),
        lambda tz, v, r: (
            f"从 {shown(v[0])} 到 {shown(v[1])} 相隔 {r} 天",
            f"{shown(v[0])} to {shown(v[1])} is {r} day(s)",
        ),
        "相隔天数(甲, 乙)：从甲到乙的天数（乙早于甲时为负）",
    ),
    _cal(
        "月末", ("数", "数"), "日期",
        lambda tz, y, m: month_end(_year(y), _month(m)),
        lambda tz, v, r: (
            f"{v[0]} 年 {v[1]} 月的最后一天是 {shown(r)}",
            f"the last day of {v[0]}-{v[1]} is {shown(r)}",
        ),
        "月末(年, 月)：该月最后一天",
        (_year, _month),
    ),
    _cal(
        "月内星期", ("数", "数", "数", "数"), "日期",
        lambda tz, y, m, wd, n: nth_weekday(_year(y), _month(m), _weekday(wd), _ordinal(n)),
        lambda tz, v, r: _say_nth(v[0], v[1], v[2], v[3], r),
        "月内星期(年, 月, 星期, 序)：该月第 序 个星期几；序 -1 为最后一个（1 = 周一 … 7 = 周日）",
        (_year, _month, _weekday, _ordinal),
    ),
    _cal(
        "当月星期", (_DAY, "数", "数"), "日期",
        lambda tz, d, wd, n: nth_weekday(
            _local_day(d, tz).year, _local_day(d, tz).month, _weekday(wd), _ordinal(n)
        ),
        lambda tz, v, r: _say_nth(r.year, r.month, v[1], v[2], r),
        "当月星期(日期或时刻, 星期, 序)：该日期所在月的第 序 个星期几（每月的循环截止日）",
        (None, _weekday, _ordinal),
    ),
    _cal(
        "周期起", (_DAY, "日期", "数"), "日期",
        lambda tz, d, s, n: _cycle(tz, d, s, n)[1],
        lambda tz, v, r: _cycle_text(tz, v),
        "周期起(日期, 起点, 年数)：日期所在的 N 年周期的第一天（周期从起点起每 N 年一个，起点之前亦然）",
        (None, None, _cycle_years),
        clamps=True,
    ),
    _cal(
        "周期止", (_DAY, "日期", "数"), "日期",
        lambda tz, d, s, n: _cycle(tz, d, s, n)[2],
        lambda tz, v, r: _cycle_text(tz, v),
        "周期止(日期, 起点, 年数)：日期所在的 N 年周期的最后一天（含）",
        (None, None, _cycle_years),
        clamps=True,
    ),
    _cal(
        "周期序号", (_DAY, "日期", "数"), "数",
        lambda tz, d, s, n: Decimal(_cycle(tz, d, s, n)[0]),
        lambda tz, v, r: _cycle_text(tz, v),
        "周期序号(日期, 起点, 年数)：起点开始的周期为 1，其前一个为 0，依此类推",
        (None, None, _cycle_years),
        clamps=True,
    ),
    _cal(
        "周期", (_DAY, "日期", "数"), "时段",
        lambda tz, d, s, n: DateWindow(*_cycle(tz, d, s, n)[1:]),
        lambda tz, v, r: _cycle_text(tz, v),
        "周期(日期, 起点, 年数)：日期所在的 N 年周期，作为时段",
        (None, None, _cycle_years),
        clamps=True,
    ),
    _cal(
        "年度", ("数",), "时段",
        _years_window,
        lambda tz, v, r: (f"{v[0]} 年度 = {r}", f"the year {v[0]} = {_en(r)}"),
        "年度(年)：该公历年 [1 月 1 日 至 12 月 31 日]",
        (_year,),
    ),
    _cal(
        "首年", ("日期",), "时段",
        _first_year,
        lambda tz, v, r: (
            f"自 {shown(v[0])} 起的首年 = {r}（周年日 {shown(add_years(v[0], 1))} 不含）",
            f"the first year from {shown(v[0])} = {_en(r)} (the anniversary {shown(add_years(v[0], 1))} excluded)",
        ),
        "首年(日期)：[日期 至 周年日前一天]，周年日不含；02-29 的周年日为 02-28（假设 月末对齐）",
        clamps=True,
    ),
    _cal(
        "近月", ("日期", "数"), "时段",
        _rolling,
        lambda tz, v, r: (
            f"截至 {shown(v[0])} 的近 {v[1]} 个月 = {r}",
            f"the {v[1]} months up to {shown(v[0])} = {_en(r)}",
        ),
        "近月(基准日, N)：[基准日减 N 个月的次日 至 基准日]，两端都含",
        (None, lambda n: _whole(n, "月数", "the number of months", 1, 12 * _SPAN_YEARS)),
        clamps=True,
    ),
    _cal(
        "起", ("时段",), "日期",
        lambda tz, w: _window(w).start,
        lambda tz, v, r: (f"{v[0]} 的第一天是 {shown(r)}", f"the first day of {_en(v[0])} is {shown(r)}"),
        "起(时段)：时段的第一天（含）",
    ),
    _cal(
        "止", ("时段",), "日期",
        lambda tz, w: _window(w).end,
        lambda tz, v, r: (f"{v[0]} 的最后一天是 {shown(r)}", f"the last day of {_en(v[0])} is {shown(r)}"),
        "止(时段)：时段的最后一天（含）",
    ),
)  # fmt: skip
FUNCTIONS.update({f.name: f for f in TIME_FUNCTIONS})


def clamp_applies(name: str, values: list[object], result: object) -> bool:
    """Whether this call of a clamping function relied on the assumption 月末对齐 (for its explanation)."""
    if name in ("加年", "加月"):
        return (
            isinstance(result, pendulum.Date) and isinstance(values[0], pendulum.Date) and result.day != values[0].day
        )
    if name in ("周期起", "周期止", "周期序号", "周期"):
        start = values[1]
        return isinstance(start, pendulum.Date) and (start.month, start.day) == (2, 29)
    if name == "近月":
        return isinstance(values[0], pendulum.Date) and values[0].day > 28
    return name == "首年"  # the anniversary itself is defined by the assumption


#: What a numeric calendar function can return, for the checker's bounds.
TIME_BOUNDS: dict[str, tuple[int, int]] = {
    "年份": (MIN_YEAR, MAX_YEAR),
    "月份": (1, 12),
    "星期": (1, 7),
    "相隔天数": (-366 * _SPAN_YEARS, 366 * _SPAN_YEARS),
    "周期序号": (-_SPAN_YEARS, _SPAN_YEARS + 1),
}
#: Functions that range over the entries of a list or filter when their first argument names one
#: (``合计(培训记录.学时, 类别 == "集中")``); 最大/最小 of numbers and the group aggregates keep their meaning.
LIST_AGGREGATES = frozenset({"合计", "计数", "最大", "最小", "任一", "全部", "去重计数"})
#: The group key of ``核查 … 按 全体``: one group holding every assessed teacher of the run.
WHOLE_RUN = "全体"


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
