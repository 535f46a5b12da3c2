"""Tests for trainrules.values: strict parsing of values from outside."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainrules import values
from trainrules.results import iso_instant
from trainrules.values import (
    MAX_INT,
    NUMBER_LIMITS,
    ValueProblem,
    decimal_text,
    parse_bool,
    parse_decimal,
    parse_instant,
    parse_int,
    parse_labels,
    parse_text,
)

SHANGHAI = "Asia/Shanghai"
NEW_YORK = "America/New_York"


# --- parse_decimal -----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("17.9", "17.9"),
        ("70.00", "70.00"),
        ("-0", "0"),
        ("-0.00", "0.00"),
        ("+3.50", "3.50"),
        (" 12 ", "12"),
        ("\u3000１７．９\u3000", "17.9"),
        ("－２", "-2"),
        ("0007", "7"),
        ("9" * 18, "9" * 18),
        ("1." + "0" * 10, "1." + "0" * 10),
        (5, "5"),
        (-5, "-5"),
        (Decimal("18.5"), "18.5"),
        (Decimal("1E+5"), "100000"),
        (Decimal("-0"), "0"),
    ],
)
def test_parse_decimal_accepts(raw: object, expected: str) -> None:
    """Plain decimal text, ints and finite Decimals are accepted, keeping their written scale."""
    assert expected == str(parse_decimal(raw))


@pytest.mark.parametrize(
    "raw",
    [
        "1e5",
        "1E5",
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "inf",
        " 1_000 ",
        "1,000",
        "1，000",
        "",
        "   ",
        "1.",
        ".5",
        "+",
        "--1",
        "0x10",
        "1e999999999",
        "1E-999999999",
        "9" * 19,
        "1." + "1" * 11,
        "1" * 5000,
        "٣",
        "①",
        "²",
        "1 000",
        "12abc",
        "17.9\n0",
        1.5,
        17.9,
        float("nan"),
        True,
        False,
        None,
        [1],
        10**18,
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("1e999999999"),
        Decimal("1e-999999999"),
        Decimal("1.00000000000000000000"),
    ],
)
def test_parse_decimal_rejects(raw: object) -> None:
    """Exponents, NaN, infinities, separators, floats, bools and out-of-range numbers are refused."""
    with pytest.raises(ValueProblem):
        parse_decimal(raw)


def test_parse_decimal_float_message() -> None:
    """A float is refused with a message saying to give text or an exact number."""
    with pytest.raises(ValueProblem) as info:
        parse_decimal(17.9)
    assert "text or an exact number" in info.value.message_en
    assert "文本或精确数字" in info.value.message_zh
    assert info.value.message_zh == str(info.value)


def test_parse_decimal_limits_are_the_constants() -> None:
    """The digit limits in force are the published NUMBER_LIMITS."""
    expected = (18, 10)
    assert expected == (NUMBER_LIMITS.integer_digits, NUMBER_LIMITS.fraction_digits)


@settings(deadline=None)
@given(st.text())
def test_parse_decimal_only_raises_value_problem(text: str) -> None:
    """Any text either parses to a finite Decimal or raises ValueProblem, nothing else."""
    try:
        value = parse_decimal(text)
    except ValueProblem:
        return
    assert True is value.is_finite()


@settings(deadline=None)
@given(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.decimals(),
        st.text(alphabet="0123456789.+-eE_ ,NaInfity０１．"),
        st.lists(st.integers(), max_size=2),
    )
)
def test_parse_decimal_any_value_only_raises_value_problem(raw: object) -> None:
    """Values of any type either parse or raise ValueProblem, nothing else."""
    try:
        value = parse_decimal(raw)
    except ValueProblem:
        return
    assert isinstance(value, Decimal)


@settings(deadline=None)
@given(
    st.integers(min_value=0, max_value=NUMBER_LIMITS.fraction_digits).flatmap(
        lambda places: st.decimals(
            min_value=-(10**NUMBER_LIMITS.integer_digits) + 1,
            max_value=10**NUMBER_LIMITS.integer_digits - 1,
            places=places,
            allow_nan=False,
            allow_infinity=False,
        )
    )
)
def test_parse_decimal_round_trips(value: Decimal) -> None:
    """Every in-range decimal comes back equal from its plain text (format "f"; str() may use exponents)."""
    assert value == parse_decimal(format(value, "f"))


# --- parse_int, parse_bool, parse_labels, parse_text ---------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), (" -3 ", -3), ("12.0", 12), (12, 12), (Decimal("7"), 7), (Decimal("7.00"), 7), (MAX_INT, MAX_INT)],
)
def test_parse_int_accepts(raw: object, expected: int) -> None:
    """Whole numbers as text, int or integral Decimal are accepted."""
    assert expected == parse_int(raw)


@pytest.mark.parametrize("raw", ["12.5", "1e3", MAX_INT + 1, "10000000000000", True, 1.0, None, "", "十二"])
def test_parse_int_rejects(raw: object) -> None:
    """Fractions, huge values, bools, floats and non-numbers are refused."""
    with pytest.raises(ValueProblem):
        parse_int(raw)


def test_parse_int_non_negative() -> None:
    """With non_negative, a negative whole number is refused."""
    with pytest.raises(ValueProblem):
        parse_int("-1", non_negative=True)
    expected = 0
    assert expected == parse_int("0", non_negative=True)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (True, True),
        (False, False),
        ("是", True),
        ("否", False),
        ("TRUE", True),
        (" false ", False),
        ("Yes", True),
        ("no", False),
        ("1", True),
        ("0", False),
        (1, True),
        (0, False),
    ],
)
def test_parse_bool_accepts(raw: object, expected: bool) -> None:
    """是/否, true/false, yes/no and 1/0 are yes/no values."""
    assert expected == parse_bool(raw)


@pytest.mark.parametrize("raw", ["对", "y", "", "2", 2, None, Decimal(1), "真"])
def test_parse_bool_rejects(raw: object) -> None:
    """Anything else is refused."""
    with pytest.raises(ValueProblem):
        parse_bool(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ()),
        ("", ()),
        ("新教材培训", ("新教材培训",)),
        ("a, b，c;d；e、f|g", ("a", "b", "c", "d", "e", "f", "g")),
        (" a ,, ;b ", ("a", "b")),
        (["x", " y ", ""], ("x", "y")),
        (("x",), ("x",)),
    ],
)
def test_parse_labels(raw: object, expected: tuple[str, ...]) -> None:
    """Labels come from lists or from text split on , ， ; ； 、 |, stripped, empties dropped."""
    assert expected == parse_labels(raw)


@pytest.mark.parametrize("raw", [5, ["a", 1], {"a": 1}, ["x" * 1001]])
def test_parse_labels_rejects(raw: object) -> None:
    """Non-text labels and over-long labels are refused."""
    with pytest.raises(ValueProblem):
        parse_labels(raw)


def test_parse_text() -> None:
    """Text is stripped, ints become their digits, other types and long text are refused."""
    expected = ("张三", "1001")
    assert expected == (parse_text("  张三 "), parse_text(1001))
    for bad in (True, 1.5, None, Decimal(1), "x" * 1001):
        with pytest.raises(ValueProblem):
            parse_text(bad)


# --- parse_instant -------------------------------------------------------------


def _in_zone(value: pendulum.DateTime, tz: str) -> str:
    """``tz`` when ``value`` shows the wall time and UTC offset that zone has at that instant, else why not."""
    there = value.in_timezone(tz)
    same = (there.naive(), there.utcoffset()) == (value.naive(), value.utcoffset())
    return tz if same else f"{value.isoformat()} is not wall time in {tz}"


def _wall(value: object, tz: str = SHANGHAI) -> tuple[str, str]:
    parsed = parse_instant(value, tz)
    return parsed.strftime("%Y-%m-%d %H:%M:%S.%f"), _in_zone(parsed, tz)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2019-12-15T16:30:00Z", "2019-12-16 00:30:00.000000"),
        ("2019-12-15T12:00:00+08:00", "2019-12-15 12:00:00.000000"),
        ("2019-12-15T12:00:00+0800", "2019-12-15 12:00:00.000000"),
        ("2019-12-15 04:00-05:00", "2019-12-15 17:00:00.000000"),
        ("2019-12-15 24:00", "2019-12-16 00:00:00.000000"),
        ("2019-12-15T24:00:00", "2019-12-16 00:00:00.000000"),
        ("2019-12-31 24:00", "2020-01-01 00:00:00.000000"),
        ("2019-12-15", "2019-12-15 00:00:00.000000"),
        ("2019-12-15 12:00", "2019-12-15 12:00:00.000000"),
        ("2019-12-15T12:00:30.25", "2019-12-15 12:00:30.250000"),
        ("2019/12/7", "2019-12-07 00:00:00.000000"),
        ("2019/12/07 9:05:01", "2019-12-07 09:05:01.000000"),
        ("2019年12月7日", "2019-12-07 00:00:00.000000"),
        ("2019年12月7日 9:00", "2019-12-07 09:00:00.000000"),
        ("2019年12月15日12:00:00", "2019-12-15 12:00:00.000000"),
        ("２０１９年１２月７日", "2019-12-07 00:00:00.000000"),
        ("2024-02-29", "2024-02-29 00:00:00.000000"),
        (dt.datetime(2019, 12, 7, 9, 0), "2019-12-07 09:00:00.000000"),  # noqa: DTZ001  # Excel cells are naive
        (dt.datetime(2019, 12, 15, 16, 30, tzinfo=dt.UTC), "2019-12-16 00:30:00.000000"),
        (dt.date(2019, 12, 7), "2019-12-07 00:00:00.000000"),
    ],
)
def test_parse_instant_accepts(raw: object, expected: str) -> None:
    """The listed forms give the stated wall time, always in the requested zone."""
    assert (expected, SHANGHAI) == _wall(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "2023-02-29",
        "2019-13-01",
        "2019-00-10",
        "2019-12-32",
        "2019-12-15 25:00",
        "2019-12-15 24:01",
        "2019-12-15T24:00:01",
        "2019-12-15 12:60",
        "2019-12-15 12:00:60",
        "2019-12-15T12:00:00+15:00",
        "2019-12-15T12:00:00+08:60",
        "2019-12-7",
        "12/07/2019",
        "07.12.2019",
        "2019-12-15 12:00 +08:00",
        "2019-12-15Z",
        "2019-12-15T12",
        "2019-12-15T12:00:00.1234567",
        "tomorrow",
        "12:00",
        "",
        "1899-12-31",
        "3000-01-01",
        "2019年13月1日",
        "2019年2月30日",
        20191215,
        None,
        1.5,
        dt.time(12, 0),
    ],
)
def test_parse_instant_rejects(raw: object) -> None:
    """Impossible dates and times, lenient or ambiguous forms and other types are refused."""
    with pytest.raises(ValueProblem):
        parse_instant(raw, SHANGHAI)


def test_parse_instant_dst_gap_is_a_problem() -> None:
    """A wall time skipped by DST is refused, not shifted."""
    with pytest.raises(ValueProblem) as info:
        parse_instant("2021-03-14 02:30", NEW_YORK)
    assert "DST gap" in info.value.message_en


def test_parse_instant_dst_fold_is_a_problem() -> None:
    """A wall time that occurs twice (DST fold) is refused, also from a naive datetime."""
    with pytest.raises(ValueProblem):
        parse_instant("2021-11-07 01:30", NEW_YORK)
    with pytest.raises(ValueProblem):
        parse_instant(dt.datetime(2021, 11, 7, 1, 30), NEW_YORK)  # noqa: DTZ001  # naive on purpose


def test_parse_instant_offset_form_skips_dst_question() -> None:
    """With an explicit offset there is no ambiguity, even inside a fold."""
    expected = ("2021-11-07 01:30:00.000000", NEW_YORK)
    assert expected == _wall("2021-11-07T01:30:00-05:00", NEW_YORK)


def test_parse_instant_unknown_zone() -> None:
    """An unknown time zone is a ValueProblem too."""
    for zone in ("Nowhere/City", "", "../etc/passwd", "+08:00"):
        with pytest.raises(ValueProblem):
            parse_instant("2019-12-15", zone)


@settings(deadline=None)
@given(st.text())
def test_parse_instant_only_raises_value_problem(text: str) -> None:
    """Any text either parses to an instant in the zone or raises ValueProblem, nothing else."""
    try:
        value = parse_instant(text, SHANGHAI)
    except ValueProblem:
        return
    expected = SHANGHAI
    assert expected == _in_zone(value, SHANGHAI)


@settings(deadline=None)
@given(st.from_regex(r"[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?", fullmatch=True))
def test_parse_instant_date_shaped_text_only_raises_value_problem(text: str) -> None:
    """Date-shaped text (most of it invalid) never raises anything but ValueProblem."""
    try:
        value = parse_instant(text, NEW_YORK)
    except ValueProblem:
        return
    expected = NEW_YORK
    assert expected == _in_zone(value, NEW_YORK)


def test_instants_in_a_fall_back_hour_order_by_the_real_moment() -> None:
    """05:31Z and 06:29Z are both 01:xx in New York on 2024-11-03 (EDT, then EST): the earlier stays earlier."""
    first, second = (parse_instant(t, NEW_YORK) for t in ("2024-11-03T05:31:00Z", "2024-11-03T06:29:00Z"))
    assert (True, "01:31", "01:29") == (first < second, first.strftime("%H:%M"), second.strftime("%H:%M"))
    deadline = parse_instant("2024-11-03T06:00:00Z", NEW_YORK)  # 01:00 EST, after the first, before the second
    assert (True, False) == (first < deadline, second < deadline)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("17.5", "17.5"),
        ("60.00", "60.00"),
        ("-0", "0"),
        ("-0.00", "0.00"),
        ("-3.5", "-3.5"),
        ("1E-10", "0.0000000001"),
        ("1E+2", "100"),
        ("0E+3", "0"),
        ("1E+50", "1E+50"),
    ],
)
def test_decimal_text_examples(value: str, expected: str) -> None:
    assert expected == decimal_text(Decimal(value))


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimal_text_is_plain_notation_of_the_same_value(value: Decimal) -> None:
    """The fast path and the general one agree: plain notation, the same value, never ``-0``."""
    text = decimal_text(value)
    if -40 <= value.adjusted() <= 40:
        assert "E" not in text
        assert Decimal(text) == value
        assert text == format(value.copy_abs() if value.is_zero() else value, "f")
    assert not (value.is_zero() and text.startswith("-"))


_FIRST = dt.datetime(1900, 1, 2)  # noqa: DTZ001 -- naive on purpose: wall times, read in each zone
_LAST = dt.datetime(2999, 12, 30)  # noqa: DTZ001 -- as above


@settings(max_examples=300)
@given(
    st.datetimes(min_value=_FIRST, max_value=_LAST),
    st.sampled_from(["Asia/Shanghai", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Europe/Dublin", "UTC"]),
)
def test_iso_instant_is_isoformat(moment: dt.datetime, zone: str) -> None:
    """The fast ISO writer of results gives exactly what ``isoformat`` gives, offsets with seconds included."""
    try:
        value = parse_instant(moment, zone)
    except ValueProblem:  # a wall time in a DST gap or fold
        return
    assert value.isoformat() == iso_instant(value)


@pytest.mark.parametrize("text", ["T1\u200b", "T1\x00", "\ufeffT1", "T\u202e1"])
def test_text_with_an_invisible_character_is_refused(text: str) -> None:
    """Zero-width, control and direction characters would make two ids that look alike differ: refused, named."""
    with pytest.raises(ValueProblem, match="U\\+"):
        parse_text(text)


def test_text_keeps_full_width_spaces() -> None:
    """A Chinese name typed with a full-width space (张　三) is text as it is."""
    assert "张\u3000三" == parse_text(" 张\u3000三 ")


def _instant_or_problem(read: Any, text: str) -> object:
    try:
        return read(text)
    except ValueProblem as exc:
        return ("problem", exc.message_en)


_FAST_SHAPED = st.builds(
    lambda y, mo, d, sep, h, mi, s: f"{y}-{mo}-{d}{sep}{h}:{mi}{s}",
    st.sampled_from(["2019", "1899", "2999", "3000", "0000", "20１9", "2O19"]),
    st.sampled_from(["12", "02", "13", "00", "1２"]),
    st.sampled_from(["14", "29", "30", "31", "00"]),
    st.sampled_from([" ", "T", "t", "_"]),
    st.sampled_from(["00", "20", "23", "24", "02", "+0"]),
    st.sampled_from(["00", "30", "59", "60", "+8"]),
    st.sampled_from(["", ":00", ":59", ":60", "+08", ".05", "Z00", ":5 "]),
)


@given(_FAST_SHAPED)
def test_fast_instant_path_agrees_with_the_full_reader(text: str) -> None:
    """parse_instant's fromisoformat shortcut gives exactly what the regular-expression reader gives, or its error."""
    zone = values._zone("Asia/Shanghai")
    fast = _instant_or_problem(lambda t: parse_instant(t, "Asia/Shanghai"), text)
    full = _instant_or_problem(lambda t: values._instant_from_text(values._text_of(t), t, zone), text)
    assert full == fast
