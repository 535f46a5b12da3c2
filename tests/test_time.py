"""Time (issue 11, C7): calendar functions at every edge, their laws, windows, and instants on computed dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

import trainrules
from trainrules.errors import ComputeError
from trainrules.functions import FUNCTIONS, add_months, add_years, cycle_of, month_end, nth_weekday
from trainrules.values import DateWindow

TZ = "Asia/Shanghai"
D = pendulum.Date


def call(name: str, *args: object) -> object:
    impl = FUNCTIONS[name].impl
    assert impl is not None
    return impl(TZ, *args)


def say(name: str, *args: object) -> tuple[str, str]:
    fn = FUNCTIONS[name]
    assert fn.say is not None
    return fn.say(TZ, list(args), call(name, *args))


# ---------- the nth / last weekday of a month ----------


@pytest.mark.parametrize(
    ("year", "month", "last_friday"),
    [
        (2022, 4, D(2022, 4, 29)),
        (2023, 3, D(2023, 3, 31)),  # five Fridays: the last is the fifth, on the month's last day
        (2023, 6, D(2023, 6, 30)),  # five Fridays
        (2023, 4, D(2023, 4, 28)),
        (2024, 2, D(2024, 2, 23)),  # leap February: the 29th is a Thursday
        (2020, 2, D(2020, 2, 28)),  # leap February: the 29th is a Saturday
        (2036, 2, D(2036, 2, 29)),  # leap February whose 29th is a Friday
        (2023, 2, D(2023, 2, 24)),
    ],
)
def test_last_friday(year: int, month: int, last_friday: pendulum.Date) -> None:
    assert nth_weekday(year, month, 5, -1) == last_friday
    assert call("月内星期", Decimal(year), Decimal(month), Decimal(5), Decimal(-1)) == last_friday


def test_fifth_friday_exists_only_in_some_months() -> None:
    assert nth_weekday(2023, 3, 5, 5) == D(2023, 3, 31)
    with pytest.raises(ComputeError, match="2023 年 4 月没有第 5 个星期五") as exc:
        nth_weekday(2023, 4, 5, 5)
    assert exc.value.message_en == "April 2023 has no fifth Friday"


def test_first_weekdays() -> None:
    assert nth_weekday(2023, 5, 1, 1) == D(2023, 5, 1)  # 2023-05-01 is a Monday
    assert nth_weekday(2023, 5, 7, 1) == D(2023, 5, 7)
    assert nth_weekday(2023, 5, 2, 2) == D(2023, 5, 9)


def test_last_friday_explained() -> None:
    zh, en = say("月内星期", Decimal(2022), Decimal(4), Decimal(5), Decimal(-1))
    assert zh == "2022-04-29 是 2022 年 4 月最后一个星期五"
    assert en == "2022-04-29 is the last Friday of April 2022"


def test_deadline_of_an_instants_month_reads_the_local_date() -> None:
    # 2023-03-31 17:00 UTC is 2023-04-01 01:00 in Shanghai: April's last Friday, not March's
    t = pendulum.datetime(2023, 3, 31, 17, 0, tz="UTC")
    assert call("当月星期", t, Decimal(5), Decimal(-1)) == D(2023, 4, 28)
    assert call("当月星期", t.in_timezone(TZ), Decimal(5), Decimal(-1)) == D(2023, 4, 28)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((2023, 13, 5, -1), "月份应在 1 至 12 之间"),
        ((2023, 3, 8, -1), "星期"),
        ((2023, 3, 0, -1), "星期"),
        ((2023, 3, 5, 0), "序数不能为 0"),
        ((2023, 3, 5, 6), "序数"),
        ((2023, 3, 5, -2), "序数"),
        ((3000, 3, 5, -1), "年份应在 1900 至 2999 之间"),
        ((Decimal("2023.5"), 3, 5, -1), "年份应为整数"),
    ],
)
def test_nth_weekday_refuses_bad_arguments(args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(ComputeError, match=message):
        call("月内星期", *(Decimal(a) for a in args))


# ---------- months, years, days ----------


def test_month_end() -> None:
    assert month_end(2024, 2) == D(2024, 2, 29)
    assert month_end(2023, 2) == D(2023, 2, 28)
    assert month_end(2100, 2) == D(2100, 2, 28)
    assert month_end(2000, 2) == D(2000, 2, 29)
    assert month_end(2023, 4) == D(2023, 4, 30)
    assert say("月末", Decimal(2024), Decimal(2))[0] == "2024 年 2 月的最后一天是 2024-02-29"


def test_adding_years_and_months_clamps_to_the_months_last_day() -> None:
    assert add_years(D(2020, 2, 29), 1) == D(2021, 2, 28)
    assert add_years(D(2020, 2, 29), 4) == D(2024, 2, 29)
    assert add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2023, 3, 31), -1) == D(2023, 2, 28)
    zh, en = say("加年", D(2020, 2, 29), Decimal(1))
    assert zh == "2020-02-29 加 1 年 = 2021-02-28（2021 年 2 月没有 29 日，按假设 月末对齐 取该月最后一天）"
    assert "月末对齐" in en
    assert say("加年", D(2020, 3, 1), Decimal(1))[0] == "2020-03-01 加 1 年 = 2021-03-01"


def test_dates_outside_the_supported_years_are_errors() -> None:
    with pytest.raises(ComputeError, match="2999"):
        call("加日", D(2999, 12, 31), Decimal(1))
    with pytest.raises(ComputeError, match="天数"):
        call("加日", D(2000, 1, 1), Decimal(10**9))
    with pytest.raises(ComputeError, match="1900"):
        call("加年", D(1900, 6, 1), Decimal(-1))


def test_day_parts_and_differences() -> None:
    assert call("年份", D(2023, 3, 5)) == Decimal(2023)
    assert call("月份", D(2023, 3, 5)) == Decimal(3)
    assert call("星期", D(2023, 3, 5)) == Decimal(7)  # a Sunday
    assert call("年月", D(2023, 3, 5)) == "2023-03"
    # an instant is read in the plan's zone: 2022-12-31 16:30 UTC is 2023-01-01 00:30 in Shanghai
    t = pendulum.datetime(2022, 12, 31, 16, 30, tz="UTC")
    assert call("年份", t) == Decimal(2023)
    assert call("当日", t) == D(2023, 1, 1)
    assert call("相隔天数", D(2020, 2, 28), D(2020, 3, 1)) == Decimal(2)
    assert call("相隔天数", D(2020, 3, 1), D(2020, 2, 28)) == Decimal(-2)


# ---------- periods as windows ----------


@pytest.mark.parametrize(
    ("day", "number", "first", "last"),
    [
        (D(2017, 1, 1), 1, D(2017, 1, 1), D(2020, 12, 31)),
        (D(2020, 12, 31), 1, D(2017, 1, 1), D(2020, 12, 31)),  # the cycle's last day
        (D(2021, 1, 1), 2, D(2021, 1, 1), D(2024, 12, 31)),  # the day after
        (D(2016, 12, 31), 0, D(2013, 1, 1), D(2016, 12, 31)),  # before the stated start
        (D(2008, 6, 1), -2, D(2005, 1, 1), D(2008, 12, 31)),
    ],
)
def test_four_year_cycle(day: pendulum.Date, number: int, first: pendulum.Date, last: pendulum.Date) -> None:
    assert cycle_of(day, D(2017, 1, 1), 4) == (number, first, last)
    assert call("周期序号", day, D(2017, 1, 1), Decimal(4)) == Decimal(number)
    assert call("周期起", day, D(2017, 1, 1), Decimal(4)) == first
    assert call("周期止", day, D(2017, 1, 1), Decimal(4)) == last
    assert call("周期", day, D(2017, 1, 1), Decimal(4)) == DateWindow(first, last)


def test_cycle_from_a_school_year_start() -> None:
    assert cycle_of(D(2020, 8, 31), D(2016, 9, 1), 4) == (1, D(2016, 9, 1), D(2020, 8, 31))
    assert cycle_of(D(2020, 9, 1), D(2016, 9, 1), 4) == (2, D(2020, 9, 1), D(2024, 8, 31))
    zh = say("周期序号", D(2020, 9, 1), D(2016, 9, 1), Decimal(4))[0]
    assert zh == "2020-09-01 在以 2016-09-01 起算、每 4 年一个的第 2 个周期 [2020-09-01 至 2024-08-31] 内"


def test_cycle_of_an_instant_uses_its_local_date() -> None:
    t = pendulum.datetime(2020, 12, 31, 16, 0, tz="UTC")  # 2021-01-01 00:00 in Shanghai
    assert call("周期序号", t, D(2017, 1, 1), Decimal(4)) == Decimal(2)


def test_cycle_length_must_be_positive() -> None:
    with pytest.raises(ComputeError, match="周期年数"):
        call("周期", D(2020, 1, 1), D(2017, 1, 1), Decimal(0))


def test_calendar_year() -> None:
    assert call("年度", Decimal(2024)) == DateWindow(D(2024, 1, 1), D(2024, 12, 31))


def test_first_year_after_a_start_date() -> None:
    w = call("首年", D(2020, 9, 1))
    assert w == DateWindow(D(2020, 9, 1), D(2021, 8, 31))
    assert isinstance(w, DateWindow)
    assert w.holds(D(2021, 8, 31), TZ)  # one day short of a year
    assert not w.holds(D(2021, 9, 1), TZ)  # exactly one year: the anniversary is outside
    assert not w.holds(D(2020, 8, 31), TZ)
    # a 02-29 start: the anniversary is 02-28 (assumption 月末对齐), so the first year ends on 02-27
    assert call("首年", D(2020, 2, 29)) == DateWindow(D(2020, 2, 29), D(2021, 2, 27))


def test_rolling_months() -> None:
    assert call("近月", D(2024, 6, 30), Decimal(12)) == DateWindow(D(2023, 7, 1), D(2024, 6, 30))
    assert call("近月", D(2024, 3, 31), Decimal(1)) == DateWindow(D(2024, 3, 1), D(2024, 3, 31))
    assert call("近月", D(2024, 2, 29), Decimal(12)) == DateWindow(D(2023, 3, 1), D(2024, 2, 29))
    with pytest.raises(ComputeError, match="月数"):
        call("近月", D(2024, 6, 30), Decimal(0))


def test_window_membership_of_instants_is_half_open_in_the_zone() -> None:
    w = DateWindow(D(2023, 1, 1), D(2023, 12, 31))
    assert w.holds(pendulum.datetime(2023, 1, 1, 0, 0, tz=TZ), TZ)
    assert w.holds(pendulum.datetime(2023, 12, 31, 23, 59, 59, tz=TZ), TZ)
    assert not w.holds(pendulum.datetime(2024, 1, 1, 0, 0, tz=TZ), TZ)
    assert not w.holds(pendulum.datetime(2023, 12, 31, 16, 0, tz="UTC"), TZ)  # 2024-01-01 00:00 local
    assert w.holds(pendulum.datetime(2022, 12, 31, 16, 0, tz="UTC"), TZ)  # 2023-01-01 00:00 local
    assert not w.holds(None, TZ)
    assert str(w) == "[2023-01-01 至 2023-12-31]"
    assert call("起", w) == D(2023, 1, 1)
    assert call("止", w) == D(2023, 12, 31)


# ---------- laws ----------

dates = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2900, 12, 31)).map(
    lambda d: D(d.year, d.month, d.day)
)


@given(dates, dates, st.integers(1, 10))
def test_a_date_is_in_exactly_one_cycle(day: pendulum.Date, start: pendulum.Date, years: int) -> None:
    k, first, last = cycle_of(day, start, years)
    assert first <= day <= last
    assert cycle_of(first, start, years) == (k, first, last)
    assert cycle_of(last, start, years) == (k, first, last)
    after = last.add(days=1)
    k2, first2, _ = cycle_of(after, start, years)
    assert (k2, first2) == (k + 1, after)
    before = first.subtract(days=1)
    assert cycle_of(before, start, years)[0] == k - 1
    assert add_years(start, (k - 1) * years) == first


@given(st.integers(1900, 2999), st.integers(1, 12), st.integers(1, 7))
def test_last_weekday_laws(year: int, month: int, weekday: int) -> None:
    d = nth_weekday(year, month, weekday, -1)
    assert d.isoweekday() == weekday
    assert (d.year, d.month) == (year, month)
    assert d.add(days=7).month != month
    first = nth_weekday(year, month, weekday, 1)
    assert first.day <= 7
    assert first.isoweekday() == weekday
    assert (d.day - first.day) % 7 == 0


@given(dates, dates, dates)
def test_window_membership_matches_the_ends(a: pendulum.Date, b: pendulum.Date, x: pendulum.Date) -> None:
    lo, hi = min(a, b), max(a, b)
    w = DateWindow(lo, hi)
    assert w.holds(x, TZ) == (lo <= x and x <= hi)


@given(dates, dates, dates, st.integers(0, 86399))
def test_instant_membership_is_start_midnight_to_next_midnight(
    a: pendulum.Date, b: pendulum.Date, x: pendulum.Date, seconds: int
) -> None:
    lo, hi = min(a, b), max(a, b)
    t = pendulum.datetime(x.year, x.month, x.day, tz=TZ).add(seconds=seconds)
    start = pendulum.datetime(lo.year, lo.month, lo.day, tz=TZ)
    end_day = hi.add(days=1)
    end = pendulum.datetime(end_day.year, end_day.month, end_day.day, tz=TZ)
    assert DateWindow(lo, hi).holds(t, TZ) == (start <= t < end)
    assert DateWindow(lo, hi).holds(t.in_timezone("UTC"), TZ) == (start <= t < end)


@given(dates, st.integers(-120, 120))
def test_adding_months_lands_in_the_right_month(day: pendulum.Date, n: int) -> None:
    r = add_months(day, n)
    assert (r.year * 12 + r.month) - (day.year * 12 + day.month) == n
    assert r.day == min(day.day, month_end(r.year, r.month).day)


# ---------- in policies ----------

HEAD = """方案 兰西县2023研培 {
  标题 "2023年县域研培工作方案"
  期间 2022-12-02 至 2023-07-31             依据 R001-01 "一、目标"
}
假设 下班时间 = 17:00 "下班前指当地 17:00" 依据 G4
假设 月末对齐 "加年、加月时，目标月没有的日子取该月最后一天" 依据 R002-02
"""


def run(body: str, facts: list[dict[str, Any]]) -> list[Any]:
    policy = trainrules.loads(HEAD + body)
    records = [{"id": f"T{i}", "name": f"教师{i}", "school": "一中", "facts": f} for i, f in enumerate(facts)]
    return list(policy.evaluate(records, explain=True).decisions)


def checks_of(d: Any) -> dict[str, bool | None]:
    return {c.name: c.passed for c in d.checks}


def test_the_last_friday_of_every_month_as_a_deadline() -> None:
    body = """输入 教师 {
  月报时间: 时刻                              依据 R001-08
}
核查 月报按时 要求 月报时间 早于 当月星期(月报时间, 5, -1) 24:00  依据 R001-08 "三、学校材料"
"""
    ds = run(
        body,
        [
            {"月报时间": "2023-03-31 23:59"},  # March's last Friday is the 31st (its fifth)
            {"月报时间": "2023-04-28 23:59"},  # April's is the 28th
            {"月报时间": "2023-04-29 00:00"},  # the day after April's deadline
            {"月报时间": "2023-02-25 09:00"},  # February's was the 24th
        ],
    )
    assert [checks_of(d)["月报按时"] for d in ds] == [True, True, False, False]
    steps = [s for s in ds[0].steps if s.kind == "日历"]
    assert [s.detail_zh for s in steps] == [
        "2023-03-31 是 2023 年 3 月最后一个星期五",
        "2023-03-31 24:00 = 2023-04-01 00:00（当日结束）",
    ]
    assert steps[0].inputs == (("月报时间", "2023-03-31 23:59"), ("5", "5"), ("-1", "-1"))
    assert steps[0].result == "2023-03-31"
    assert {(s.rule_ids, s.section) for s in steps} == {(("R001-08",), "三、学校材料")}


def test_close_of_business_anywhere_an_instant_is() -> None:
    body = """输入 教师 {
  材料时间: 时刻                              依据 R001-08
  通知日期: 日期                              依据 R001-08
}
核查 材料六 要求 材料时间 早于 2023-05-08 下班前                       依据 R001-08 "三、学校材料"
核查 次日下班前 要求 材料时间 早于 加日(通知日期, 1) 下班前          依据 R001-08 "三、学校材料"
"""
    ds = run(
        body,
        [
            {"材料时间": "2023-05-08 16:59", "通知日期": "2023-05-07"},
            {"材料时间": "2023-05-08 17:00", "通知日期": "2023-05-07"},  # 17:00 exactly is late (G3, G4)
        ],
    )
    assert [checks_of(d) for d in ds] == [
        {"材料六": True, "次日下班前": True},
        {"材料六": False, "次日下班前": False},
    ]
    step = next(s for s in ds[0].steps if s.kind == "日历" and s.subject == "时刻")
    assert step.detail_zh == "2023-05-08 下班前 = 2023-05-08 17:00"
    assert step.assumptions == (("下班时间", "下班前指当地 17:00"),)


def test_close_of_business_needs_its_assumption() -> None:
    text = """方案 甲 {
  标题 "t"
  期间 2023-01-01 至 2023-12-31
}
输入 教师 {
  日子: 日期 依据 X1-01
}
核查 乙 要求 日子 下班前 早于 2023-06-01 00:00 依据 X1-01
"""
    codes = [d.code for d in trainrules.checks(text)]
    assert "E305" in codes


def test_cycle_edges_and_the_plan_period() -> None:
    body = """输入 教师 {
  培训日期: 日期                              依据 R002-01
}
核查 本周期 要求 培训日期 属于 周期(2020-12-31, 2017-01-01, 4)  依据 R002-01
核查 在期间 要求 培训日期 属于 期间                              依据 R001-01
"""
    ds = run(body, [{"培训日期": "2020-12-31"}, {"培训日期": "2021-01-01"}, {"培训日期": "2023-07-31"}])
    assert [checks_of(d) for d in ds] == [
        {"本周期": True, "在期间": False},
        {"本周期": False, "在期间": False},
        {"本周期": False, "在期间": True},
    ]


def test_a_new_teacher_at_exactly_one_year() -> None:
    body = """输入 教师 {
  入职日期: 日期                              依据 R002-02
  培训日期: 日期                              依据 R002-02
}
核查 首年内 要求 培训日期 属于 首年(入职日期)  依据 R002-02
"""
    ds = run(
        body,
        [
            {"入职日期": "2022-09-01", "培训日期": "2023-08-31"},
            {"入职日期": "2022-09-01", "培训日期": "2023-09-01"},
            {"入职日期": "2020-02-29", "培训日期": "2021-02-28"},
        ],
    )
    assert [checks_of(d)["首年内"] for d in ds] == [True, False, False]
    step = next(s for s in ds[2].steps if s.kind == "日历")
    assert step.detail_zh == "自 2020-02-29 起的首年 = [2020-02-29 至 2021-02-27]（周年日 2021-02-28 不含）"
    assert step.assumptions == (("月末对齐", "加年、加月时，目标月没有的日子取该月最后一天"),)
    assert step.rule_ids == ("R002-02",)


def test_a_computed_date_that_does_not_exist_is_a_record_error() -> None:
    body = """输入 教师 {
  日子: 日期                                  依据 R001-08
}
核查 第五个周一之前 要求 日子 早于 月内星期(年份(日子), 月份(日子), 1, 5)  依据 R001-08
"""
    ds = run(body, [{"日子": "2023-02-10"}, {"日子": "2023-05-10"}])
    assert ds[0].status == "error"
    assert "2023 年 2 月没有第 5 个星期一" in ds[0].problems[0].message_zh
    assert ds[1].status != "error"
    assert checks_of(ds[1]) == {"第五个周一之前": True}  # 2023-05-29 is May's fifth Monday


def test_a_computed_window_that_runs_backwards_is_a_record_error() -> None:
    body = """输入 教师 {
  甲: 日期                                    依据 R001-08
  乙: 日期                                    依据 R001-08
}
核查 在内 要求 2023-03-01 属于 [甲 至 乙]  依据 R001-08
"""
    ds = run(body, [{"甲": "2023-04-01", "乙": "2023-02-01"}, {"甲": "2023-02-01", "乙": "2023-04-01"}])
    assert ds[0].status == "error"
    assert "晚于终点" in ds[0].problems[0].message_zh
    assert checks_of(ds[1]) == {"在内": True}


@pytest.mark.parametrize(
    ("body", "code", "fragment"),
    [
        ("核查 乙 要求 2023-03-01 属于 [1 至 2] 依据 X1-01", "E303", "两端应为日期"),
        ("核查 乙 要求 年份(3) == 2023 依据 X1-01", "E303", "第 1 个参数应为日期 或 时刻"),
        ("核查 乙 要求 (2023-03-01 12:00) 12:00 早于 2023-06-01 00:00 依据 X1-01", "E303", "当日"),
        ("核查 乙 要求 2023-03-01 属于 [2023-03-05 至 2023-03-01] 依据 X1-01", "E209", ""),
        ("核查 乙 要求 2023-03-01 早于 加年(2023-03-31, 1) 依据 X1-01", "E208", ""),
        ("核查 乙 要求 2023-03-01 早于 月末(2023, 0) 依据 X1-01", "E207", "月份"),
        ("核查 乙 要求 2023-03-01 属于 [2023-03-01 至 2023-04-31] 依据 X1-01", "E201", "最后一天是 2023-04-30"),
    ],
)
def test_checker_refuses(body: str, code: str, fragment: str) -> None:
    text = '方案 甲 {\n  标题 "t"\n  期间 2023-01-01 至 2023-12-31\n}\n' + body + "\n"
    found = [d for d in trainrules.checks(text) if d.code == code]
    assert found, [d.code for d in trainrules.checks(text)]
    assert fragment in found[0].message + found[0].hint


def test_written_dates_that_cannot_clamp_need_no_assumption() -> None:
    text = """方案 甲 {
  标题 "t"
  期间 2023-01-01 至 2023-12-31
}
核查 乙 要求 2023-03-01 属于 周期(2023-03-01, 2017-01-01, 4) 且 2023-03-01 早于 加年(2023-03-28, 1) 依据 X1-01
"""
    assert [d.code for d in trainrules.checks(text)] == []


def test_calendar_numbers_are_bounded() -> None:
    text = """方案 甲 {
  标题 "t"
  期间 2023-01-01 至 2023-12-31
}
输入 教师 {
  日子: 日期 依据 X1-01
}
部分 乙 满分 10 依据 X1-01 {
  得分 = 月份(日子)
}
"""
    found = [d for d in trainrules.checks(text) if d.code == "E406"]
    assert found
    assert "1 至 12" in found[0].message


@given(dates, st.integers(0, 86399), dates, st.integers(1, 6))
def test_an_instant_is_in_exactly_one_cycle(day: pendulum.Date, seconds: int, start: pendulum.Date, years: int) -> None:
    t = pendulum.datetime(day.year, day.month, day.day, tz=TZ).add(seconds=seconds).in_timezone("UTC")
    w = call("周期", t, start, Decimal(years))
    assert isinstance(w, DateWindow)
    assert w.holds(t, TZ)
    before = call("周期", w.start.subtract(days=1), start, Decimal(years))
    after = call("周期", w.end.add(days=1), start, Decimal(years))
    assert isinstance(before, DateWindow)
    assert isinstance(after, DateWindow)
    assert not before.holds(t, TZ)
    assert not after.holds(t, TZ)
    assert before.end.add(days=1) == w.start
    assert w.end.add(days=1) == after.start


def test_english_explanations_write_windows_in_english() -> None:
    assert say("年度", Decimal(2023))[1] == "the year 2023 = [2023-01-01 to 2023-12-31]"


_NAIVE_FROM = dt.datetime(1950, 1, 1)  # noqa: DTZ001  # hypothesis takes naive bounds and adds the zone itself
_NAIVE_TO = dt.datetime(2900, 1, 1)  # noqa: DTZ001  # likewise


@given(
    st.datetimes(min_value=_NAIVE_FROM, max_value=_NAIVE_TO, timezones=st.just(dt.UTC)),
    st.sampled_from(["Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata"]),
)
def test_the_local_date_of_an_instant_is_pendulums(moment: dt.datetime, tz: str) -> None:
    t = pendulum.instance(moment)
    local = t.in_timezone(tz)
    impl = FUNCTIONS["当日"].impl
    assert impl is not None
    assert impl(tz, t) == D(local.year, local.month, local.day)
