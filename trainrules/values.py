"""Values: strict parsing of record values that come from outside (files, API dicts) into exact values."""

from __future__ import annotations

import datetime as _dt
import functools
import re
import unicodedata
from decimal import Context, Decimal
from typing import Final

import attrs
import pendulum
from pendulum.tz import fixed_timezone
from pendulum.tz.exceptions import AmbiguousTime, NonExistingTime
from pendulum.tz.timezone import FixedTimezone

from trainrules.errors import BilingualError
from trainrules.limits import (
    MAX_RECORD_FIELD_CHARS,
    MAX_RECORD_FRACTION_DIGITS,
    MAX_RECORD_INTEGER_DIGITS,
    MAX_RECORD_LABELS,
    MAX_RECORD_WHOLE_NUMBER,
    YEARS,
)

__all__ = [
    "MAX_INT",
    "MAX_LABELS",
    "MAX_TEXT_LENGTH",
    "MAX_YEAR",
    "MIN_YEAR",
    "NUMBER_LIMITS",
    "DateWindow",
    "NumberLimits",
    "ValueProblem",
    "day_problem",
    "decimal_text",
    "fixed_offset",
    "parse_bool",
    "parse_date",
    "parse_decimal",
    "parse_instant",
    "parse_int",
    "parse_labels",
    "parse_text",
    "wall_instant",
]


@attrs.frozen
class NumberLimits:
    """The limits every number from outside must respect.

    Attributes:
        integer_digits: Most digits before the decimal point (leading zeros not counted).
        fraction_digits: Most digits after the decimal point (trailing zeros counted).
    """

    integer_digits: int = MAX_RECORD_INTEGER_DIGITS
    fraction_digits: int = MAX_RECORD_FRACTION_DIGITS


NUMBER_LIMITS: Final = NumberLimits()
MAX_INT: Final = MAX_RECORD_WHOLE_NUMBER
MAX_TEXT_LENGTH: Final = MAX_RECORD_FIELD_CHARS
MAX_LABELS: Final = MAX_RECORD_LABELS
MIN_YEAR, MAX_YEAR = YEARS

# Longest raw string examined at all; anything longer is rejected before any regex or Decimal work.
_MAX_RAW_CHARS: Final = 100
# Wide enough for 18 + 10 digits: arithmetic here never rounds.
_EXACT: Final = Context(prec=60)
# Deliberate, small normalization: full-width digits, point, signs, colon and slash only.
# (NFKC would also turn ① or ² into digits, which we do not want to accept.)
_FULL_WIDTH: Final = str.maketrans("０１２３４５６７８９．＋－：／", "0123456789.+-:/")

_DECIMAL_RE: Final = re.compile(r"[+-]?([0-9]+)(?:\.([0-9]+))?")
_ISO_RE: Final = re.compile(
    r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})-(?P<d>[0-9]{2})"
    r"(?:[ T](?P<h>[0-9]{2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:\.(?P<f>[0-9]{1,6}))?)?"
    r"(?P<z>Z|[+-][0-9]{2}:?[0-9]{2})?)?"
)
_SLASH_RE: Final = re.compile(
    r"(?P<y>[0-9]{4})/(?P<mo>[0-9]{1,2})/(?P<d>[0-9]{1,2})"
    r"(?: (?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2}))?)?"
)
_CHINESE_RE: Final = re.compile(
    r"(?P<y>[0-9]{4})年(?P<mo>[0-9]{1,2})月(?P<d>[0-9]{1,2})日"
    r"(?: ?(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2}))?)?"
)
_TRUE: Final = frozenset({"是", "true", "yes", "1"})
_FALSE: Final = frozenset({"否", "false", "no", "0"})
_LABEL_SPLIT_RE: Final = re.compile(r"[,，;；、|]")


class ValueProblem(BilingualError):
    """A value from outside that cannot be accepted."""


def _show(raw: object) -> str:
    """Return a short printable form of ``raw`` for messages (a Decimal as its digits or ``NaN``)."""
    if isinstance(raw, _dt.datetime | _dt.date):  # an Excel date cell where text or a number belongs
        text = raw.isoformat(sep=" ") if isinstance(raw, _dt.datetime) else raw.isoformat()
    else:
        text = str(raw) if isinstance(raw, Decimal) else repr(raw)
    return text if len(text) <= 40 else text[:37] + "..."


#: A number in exponent form (1e2, -2.5E+3), which JSON allows.
_EXPONENT_RE = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]+")


def _problem(zh: str, en: str, raw: object) -> ValueProblem:
    shown = _show(raw)
    return ValueProblem(f"{zh}：{shown}", f"{en}: {shown}")


def _text_of(raw: str) -> str:
    """Strip and normalize the few full-width characters we accept; reject very long text."""
    text = raw.strip()
    if len(text) > _MAX_RAW_CHARS:
        raise _problem("文本过长，不是有效的值", "text too long to be a valid value", raw)
    return text if text.isascii() else text.translate(_FULL_WIDTH)  # every character it maps is non-ASCII


def _check_decimal(value: Decimal, raw: object) -> Decimal:
    """Check a Decimal against NUMBER_LIMITS, normalize ``-0`` and positive exponents."""
    if not value.is_finite():
        raise _problem("数值必须是有限的数", "number must be finite", raw)
    if value.is_zero():
        value = value.copy_abs()
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):  # unreachable: finite decimals have an int exponent
        raise _problem("数值必须是有限的数", "number must be finite", raw)
    if -exponent > NUMBER_LIMITS.fraction_digits:
        raise _problem(
            f"小数位数不能超过 {NUMBER_LIMITS.fraction_digits} 位",
            f"at most {NUMBER_LIMITS.fraction_digits} digits after the point",
            raw,
        )
    if not value.is_zero() and value.adjusted() >= NUMBER_LIMITS.integer_digits:
        raise _problem(
            f"整数部分不能超过 {NUMBER_LIMITS.integer_digits} 位",
            f"at most {NUMBER_LIMITS.integer_digits} digits before the point",
            raw,
        )
    if exponent > 0:
        value = value.quantize(Decimal(1), context=_EXACT)
    return value


def parse_decimal(raw: object) -> Decimal:
    """Parse an exact decimal number.

    Accepts an ``int`` (not ``bool``), a finite ``Decimal``, or a string. A string is
    stripped of surrounding whitespace, full-width digits ``０-９``, ``．``, ``＋`` and
    ``－`` are replaced by their ASCII forms (deliberately, not by NFKC), and the result
    must then match ``[+-]?[0-9]+(\\.[0-9]+)?`` exactly: no ``_``, exponent, ``NaN``,
    ``Infinity`` or thousands separators. At most ``NUMBER_LIMITS.integer_digits``
    integer digits and ``NUMBER_LIMITS.fraction_digits`` fraction digits are allowed.
    The written scale is kept (``"70.00"`` stays ``70.00``); ``-0`` becomes ``0``; a
    Decimal with a positive exponent (``1E+5``) is returned in integer form.

    Args:
        raw: The value as it came from outside.

    Returns:
        The exact value.

    Raises:
        ValueProblem: ``raw`` is a float, a bool, another type, or not a valid number.
    """
    if isinstance(raw, bool):
        raise _problem("应为数值，而不是是/否", "expected a number, not a yes/no value", raw)
    if isinstance(raw, float):
        raise _problem(
            "数值必须以文本或精确数字给出（不能是浮点数）",
            "the value must be given as text or an exact number, not a float",
            raw,
        )
    if isinstance(raw, int):
        if abs(raw) >= 10**NUMBER_LIMITS.integer_digits:
            raise _problem(
                f"整数部分不能超过 {NUMBER_LIMITS.integer_digits} 位",
                f"at most {NUMBER_LIMITS.integer_digits} digits before the point",
                raw,
            )
        return Decimal(raw)
    if isinstance(raw, Decimal):
        return _check_decimal(raw, raw)
    if not isinstance(raw, str):
        raise _problem("应为数值", "expected a number", raw)
    match = _DECIMAL_RE.fullmatch(_text_of(raw))
    if match is None:
        if _EXPONENT_RE.fullmatch(_text_of(raw)):  # JSON allows 1e2; a record's numbers are plain decimals
            plain = Decimal(_text_of(raw))
            example = format(plain.normalize(), "f") if abs(plain.adjusted()) <= 12 else "100"
            raise _problem(
                f"数值不能写成科学计数法，请写成普通小数，如 {example}",
                f"a number in exponent form: write a plain decimal, such as {example}",
                raw,
            )
        raise _problem("不是有效的数值", "not a valid number", raw)
    whole, fraction = match.groups()
    if len(whole.lstrip("0")) > NUMBER_LIMITS.integer_digits:
        raise _problem(
            f"整数部分不能超过 {NUMBER_LIMITS.integer_digits} 位",
            f"at most {NUMBER_LIMITS.integer_digits} digits before the point",
            raw,
        )
    if fraction is not None and len(fraction) > NUMBER_LIMITS.fraction_digits:
        raise _problem(
            f"小数位数不能超过 {NUMBER_LIMITS.fraction_digits} 位",
            f"at most {NUMBER_LIMITS.fraction_digits} digits after the point",
            raw,
        )
    value = Decimal(match.group(0))
    return value.copy_abs() if value.is_zero() else value


def parse_int(raw: object, *, non_negative: bool = False) -> int:
    """Parse a whole number.

    Accepts an ``int`` (not ``bool``), an integral ``Decimal``, or a string that
    :func:`parse_decimal` accepts and whose value is integral (``"12"``, ``"12.0"``).

    Args:
        raw: The value as it came from outside.
        non_negative: Reject negative values too.

    Returns:
        The value, at most ``MAX_INT`` in absolute value.

    Raises:
        ValueProblem: Not a whole number, out of range, or negative when ``non_negative``.
    """
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    else:
        number = parse_decimal(raw)
        if number != number.to_integral_value(context=_EXACT):
            raise _problem("应为整数", "expected a whole number", raw)
        value = int(number)  # at most 18 digits: cheap
    if abs(value) > MAX_INT:
        raise _problem(f"整数不能超过 {MAX_INT}", f"whole numbers must not exceed {MAX_INT}", raw)
    if non_negative and value < 0:
        raise _problem("不能是负数", "must not be negative", raw)
    return value


def parse_bool(raw: object) -> bool:
    """Parse a yes/no value.

    Accepts ``True``/``False``, the ints ``1``/``0``, and the strings ``是``/``否``,
    ``true``/``false``, ``yes``/``no``, ``1``/``0`` (any case, surrounding whitespace ignored).

    Args:
        raw: The value as it came from outside.

    Returns:
        The truth value.

    Raises:
        ValueProblem: Any other value.
    """
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return raw == 1
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise _problem(
        "应为 是/否（true/false、yes/no、1/0）",
        "expected yes/no (是/否, true/false, 1/0)",
        raw,
    )


def parse_labels(raw: object) -> tuple[str, ...]:
    """Parse a list of labels.

    Accepts ``None`` or ``""`` (no labels), a list or tuple of strings, or one string
    split on any of ``,`` ``，`` ``;`` ``；`` ``、`` ``|``. Every label is stripped and empty
    labels are dropped; order and duplicates are kept.

    Args:
        raw: The value as it came from outside.

    Returns:
        The labels.

    Raises:
        ValueProblem: Not a string or list of strings, too many labels or a label too long.
    """
    if raw is None:
        return ()
    if isinstance(raw, str):
        if len(raw) > MAX_LABELS * (MAX_TEXT_LENGTH + 1):
            raise _problem("标签文本过长", "label text too long", raw)
        parts: list[object] = list(_LABEL_SPLIT_RE.split(raw))
    elif isinstance(raw, list | tuple):
        parts = list(raw)
    else:
        raise _problem("应为标签列表", "expected a list of labels", raw)
    labels: list[str] = []
    for part in parts:
        if not isinstance(part, str):
            raise _problem("标签必须是文本", "labels must be text", part)
        label = part.strip()
        if len(label) > MAX_TEXT_LENGTH:
            raise _problem(
                f"标签不能超过 {MAX_TEXT_LENGTH} 个字符", f"labels must not exceed {MAX_TEXT_LENGTH} characters", part
            )
        if label:
            labels.append(label)
    if len(labels) > MAX_LABELS:
        raise _problem(f"标签不能超过 {MAX_LABELS} 个", f"at most {MAX_LABELS} labels", raw)
    return tuple(labels)


def parse_text(raw: object) -> str:
    """Parse a text value such as a name or an id.

    Args:
        raw: A string (returned stripped) or an ``int`` (not ``bool``; returned as its digits).

    Returns:
        The text, at most ``MAX_TEXT_LENGTH`` characters.

    Raises:
        ValueProblem: Another type, or text that is too long.
    """
    if isinstance(raw, int) and not isinstance(raw, bool):
        if abs(raw) > MAX_INT:
            raise _problem("数字过大", "number too large", raw)
        return str(raw)
    if not isinstance(raw, str):
        raise _problem("应为文本", "expected text", raw)
    text = raw.strip()
    if not text.isprintable():  # rare: full-width spaces are fine, control and zero-width characters are not
        bad = next((ch for ch in text if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn")), None)
        if bad is not None:
            code = f"U+{ord(bad):04X}"
            raise _problem(
                f"含有看不见的字符 {code}（多半是复制带来的），请删去", f"holds the invisible character {code}", raw
            )
    if len(text) > MAX_TEXT_LENGTH:
        raise _problem(
            f"文本不能超过 {MAX_TEXT_LENGTH} 个字符", f"text must not exceed {MAX_TEXT_LENGTH} characters", raw
        )
    return text


@functools.lru_cache(maxsize=64)
def _zone(tz: str) -> pendulum.Timezone:
    try:
        zone = pendulum.timezone(tz)
    except ValueError as exc:  # InvalidTimezone and zoneinfo's key errors are ValueErrors
        raise _problem("未知时区", "unknown time zone", tz) from exc
    if not isinstance(zone, pendulum.Timezone):
        raise _problem("时区必须是 IANA 名称", "the time zone must be an IANA name", tz)
    return zone


def _check_year(value: _dt.datetime | _dt.date, raw: object) -> None:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise _problem(
            f"年份必须在 {MIN_YEAR} 到 {MAX_YEAR} 之间", f"the year must be between {MIN_YEAR} and {MAX_YEAR}", raw
        )


def decimal_text(value: Decimal) -> str:
    """A Decimal as people write it: ``1E-10`` is ``0.0000000001``, ``-0`` is ``0``, the scale is kept.

    Values beyond 10**±40 keep their exponent rather than print 40 zeros.
    """
    # The common case first (it runs dozens of times per output line): ``str`` already writes a
    # non-negative Decimal without an exponent exactly as ``format(value, "f")`` does.
    text = str(value)
    if "E" not in text and text[0] != "-":
        return text
    if value.is_zero():
        value = value.copy_abs()
    if value.is_finite() and -40 <= value.adjusted() <= 40:
        return format(value, "f")
    return str(value)


@functools.lru_cache(maxsize=256)
def _fixed(seconds: int) -> FixedTimezone:
    return fixed_timezone(seconds)


@functools.lru_cache(maxsize=256)
def _fixed_delta(offset: _dt.timedelta) -> FixedTimezone:
    return _fixed(int(offset.total_seconds()))


def fixed_offset(moment: _dt.datetime) -> pendulum.DateTime:
    """The same instant with its own UTC offset as its zone.

    Every instant the engine compares carries a fixed offset, never the named zone: Python
    compares two datetimes that share one tzinfo by their wall clocks, which orders the two
    passes through a daylight-saving fall-back hour wrongly. With fixed offsets, equal offsets
    compare by wall clock (correct) and different ones by UTC (correct).
    """
    offset = moment.utcoffset()
    if offset is None:  # unreachable: callers pass aware datetimes
        raise _problem("时刻缺少时区", "the instant has no time zone", moment)
    return pendulum.DateTime(
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
        moment.microsecond,
        tzinfo=_fixed(int(offset.total_seconds())),
    )


def wall_instant(tz: str, day: _dt.date, hour: int = 0, minute: int = 0, second: int = 0) -> pendulum.DateTime:
    """The instant of a wall time in the zone ``tz`` (``24:00`` already turned into the next day's 00:00).

    Raises:
        ValueProblem: an unknown zone, or a wall time that falls in a DST gap or fold.
    """
    return _local(_zone(tz), f"{day} {hour:02d}:{minute:02d}", day, hour, minute, second)


def _local(
    zone: pendulum.Timezone, raw: object, day: _dt.date, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0
) -> pendulum.DateTime:
    """Build a wall time in ``zone`` (as a fixed offset); a time that does not exist or is ambiguous is a problem."""
    y, mo, d = day.year, day.month, day.day
    offset = zone.utcoffset(_dt.datetime(y, mo, d, hour, minute, second, micro, tzinfo=zone))
    if offset is not None and offset == zone.utcoffset(
        _dt.datetime(y, mo, d, hour, minute, second, micro, tzinfo=zone, fold=1)
    ):
        # the common case: no DST transition at this wall time, so it exists and is unique
        return pendulum.DateTime(y, mo, d, hour, minute, second, micro, tzinfo=_fixed_delta(offset))
    try:
        return fixed_offset(
            pendulum.datetime(
                day.year, day.month, day.day, hour, minute, second, micro, tz=zone, raise_on_unknown_times=True
            )
        )
    except NonExistingTime as exc:
        raise _problem(
            f"该时刻在时区 {zone.name} 中不存在（夏令时跳过）",
            f"this local time does not exist in {zone.name} (DST gap)",
            raw,
        ) from exc
    except AmbiguousTime as exc:
        raise _problem(
            f"该时刻在时区 {zone.name} 中有两种含义（夏令时重叠）",
            f"this local time is ambiguous in {zone.name} (DST fold)",
            raw,
        ) from exc


def _offset_seconds(text: str, raw: object) -> int:
    if text == "Z":
        return 0
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 14 or minutes > 59:
        raise _problem("时区偏移无效", "invalid UTC offset", raw)
    return sign * (hours * 3600 + minutes * 60)


def parse_instant(raw: object, tz: str) -> pendulum.DateTime:
    """Parse an instant, returned in the time zone ``tz``.

    Accepts a ``datetime.datetime`` (naive: wall time in ``tz``, as Excel cells give;
    aware: converted to ``tz``), a ``datetime.date`` (midnight local), or a string in one
    of these forms (surrounding whitespace and full-width digits ignored)::

        YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]][Z|±HH:MM|±HHMM]]
        YYYY/M/D[ H:MM[:SS]]
        YYYY年M月D日[[ ]H:MM[:SS]]

    The calendar is checked (no 2023-02-29, no month 13); ``24:00`` (``24:00:00``) means
    00:00 of the next day; a string without an offset is wall time in ``tz``, one with an
    offset is converted. ``pendulum.parse`` is never used: it is lenient.

    Args:
        raw: The value as it came from outside.
        tz: An IANA time zone name such as ``Asia/Shanghai``.

    Returns:
        An aware DateTime in ``tz``.

    Raises:
        ValueProblem: Bad input, an unknown ``tz``, a year outside ``MIN_YEAR..MAX_YEAR``, or a
            local wall time that does not exist or is ambiguous in ``tz`` (DST gap or fold).
    """
    zone = _zone(tz)
    if isinstance(raw, _dt.datetime):
        if raw.utcoffset() is None:
            _check_year(raw, raw)
            return _local(zone, raw, raw.date(), raw.hour, raw.minute, raw.second, raw.microsecond)
        _check_year(raw, raw)  # before converting: near year 1 or 9999 conversion overflows
        converted = pendulum.instance(raw.astimezone(_dt.UTC)).in_timezone(zone)
        _check_year(converted, raw)
        return fixed_offset(converted)
    if isinstance(raw, _dt.date):
        _check_year(raw, raw)
        return _local(zone, raw, raw)
    if not isinstance(raw, str):
        raise _problem("应为日期时间", "expected a date and time", raw)
    text = _text_of(raw)
    if _PLAIN_INSTANT.fullmatch(text):
        # The common "2019-12-14 20:30[:00]": C's fromisoformat reads it several times faster than the
        # regular expressions. Anything it refuses or reads otherwise (24:00, an offset) goes the long way.
        try:
            naive = _dt.datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if naive.tzinfo is None and MIN_YEAR <= naive.year <= MAX_YEAR:
                return _local(zone, raw, naive.date(), naive.hour, naive.minute, naive.second)
    return _instant_from_text(text, raw, zone)


#: The common shape, "2019-12-14 20:30[:00]", that ``datetime.fromisoformat`` may read for the full reader.
_PLAIN_INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2})?")


def parse_date(raw: object, tz: str) -> _dt.date:
    """A 日期 value: a date, or an instant (text or a spreadsheet datetime) taken as its local date in ``tz``.

    An instant is accepted because a spreadsheet date cell is a datetime; one with an offset is converted into
    the plan's zone first (``2021-12-31T20:00:00+00:00`` is 2022-01-01 in Asia/Shanghai).
    """
    try:
        return parse_instant(raw, tz).date()
    except ValueProblem as exc:
        if exc.message_zh.startswith("不是有效的日期时间"):
            raise _problem("不是有效的日期（例：2019-12-15）", "not a valid date (e.g. 2019-12-15)", raw) from exc
        if exc.message_zh.startswith("应为日期时间"):
            raise _problem("应为日期", "expected a date", raw) from exc
        raise


def day_problem(year: int, month: int, day: int) -> tuple[str, str] | None:
    """Why year-month-day is no day of the calendar (in Chinese and English), or None when it is one."""
    if not 1 <= month <= 12:
        return f"没有 {month} 月", f"there is no month {month}"
    last = pendulum.Date(year, month, 1).days_in_month if MIN_YEAR <= year <= MAX_YEAR else 31
    if not 1 <= day <= last:
        return (
            f"{year} 年 {month} 月只有 {last} 天，最后一天是 {year}-{month:02d}-{last:02d}",
            f"{year}-{month:02d} has only {last} days, the last is {year}-{month:02d}-{last:02d}",
        )
    return None


def _instant_from_text(text: str, raw: object, zone: pendulum.Timezone) -> pendulum.DateTime:
    """The full reader of instants written as text (every accepted form; the reference for the fast path)."""
    match = _ISO_RE.fullmatch(text) or _SLASH_RE.fullmatch(text) or _CHINESE_RE.fullmatch(text)
    if match is None:
        raise _problem(
            "不是有效的日期时间（例：2019-12-15 12:00）", "not a valid date and time (e.g. 2019-12-15 12:00)", raw
        )
    parts = match.groupdict()
    year, month, day = int(parts["y"]), int(parts["mo"]), int(parts["d"])
    hour = int(parts["h"] or 0)
    minute = int(parts["mi"] or 0)
    second = int(parts.get("s") or 0)
    fraction = parts.get("f")
    micro = int(fraction.ljust(6, "0")) if fraction else 0
    reason = day_problem(year, month, day)
    if reason is not None:
        raise _problem(f"日期不存在（{reason[0]}）", f"no such date ({reason[1]})", raw)
    try:
        date = _dt.date(year, month, day)
    except ValueError as exc:  # a year outside what Python's dates hold
        raise _problem("日期不存在", "no such date", raw) from exc
    _check_year(date, raw)
    if hour == 24 and minute == 0 and second == 0 and micro == 0:
        hour = 0
        date += _dt.timedelta(days=1)
    elif hour > 23 or minute > 59 or second > 59:
        raise _problem("时刻无效", "no such time of day", raw)
    offset = parts.get("z")
    if offset is None:
        return _local(zone, raw, date, hour, minute, second, micro)
    fixed = fixed_timezone(_offset_seconds(offset, raw))
    moment = pendulum.datetime(date.year, date.month, date.day, hour, minute, second, micro, tz=fixed)
    converted = moment.in_timezone(zone)
    _check_year(converted, raw)
    return fixed_offset(converted)


@attrs.frozen
class DateWindow:
    """A window of whole days ``[start 至 end]``, both ends included.

    As instants in a zone it is half-open: from ``start`` 00:00 up to, but not including, the day
    after ``end`` 00:00. An instant belongs to it when its local date (in the plan's zone) does.
    """

    start: pendulum.Date
    end: pendulum.Date

    def holds(self, value: object, tz: str) -> bool:
        """Whether a date, or an instant read in the zone ``tz``, falls in the window."""
        if isinstance(value, pendulum.DateTime):
            value = value.in_timezone(tz).date()
        if not isinstance(value, _dt.date):
            return False
        return self.start <= value <= self.end

    def __str__(self) -> str:
        return f"[{self.start.isoformat()} 至 {self.end.isoformat()}]"

    def text_en(self) -> str:
        """The window in English: ``[2023-01-01 to 2023-12-31]``."""
        return f"[{self.start.isoformat()} to {self.end.isoformat()}]"
