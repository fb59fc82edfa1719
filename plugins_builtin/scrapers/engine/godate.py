"""Go's ``time.Parse`` for the layouts scrapers write in ``parseDate``.

Go layouts are examples of the reference time ``Mon Jan 2 15:04:05 MST 2006``: ``January 2, 2006``,
``2006-01-02``, ``02.01.2006``, ``Jan 2, 2006``, ``Monday, January 2, 2006``, ``2 Jan 2006 15:04``,
``01/02/06``, ``2006-01-02T15:04:05Z07:00``… This is a port of the layout tokenizer and of the parse
loop (``nextStdChunk``/``parse`` in Go's ``time/format.go``), including its quirks: month and day
names match case-insensitively, ``2``/``1``/``15`` take one or two digits while ``02``/``01`` need
exactly two, ``06`` is 1969–2068, a run of spaces in the layout matches one or more spaces, a second
fraction after the seconds is accepted even when the layout has none, leftover text is an error,
and a missing year is year 0. Scrapers only want the date, and Go formats the parsed wall clock, so
:func:`parse_go_date` returns ``YYYY-MM-DD`` of what was read (time and zone are validated, not
applied).
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["GoTimeParseError", "parse_go_date"]


class GoTimeParseError(ValueError):
    """The value does not match the layout (Go's ``*time.ParseError``)."""


# std chunk kinds
(
    LONG_MONTH,
    MONTH,
    NUM_MONTH,
    ZERO_MONTH,
    LONG_WEEKDAY,
    WEEKDAY,
    DAY,
    UNDER_DAY,
    ZERO_DAY,
    UNDER_YEAR_DAY,
    ZERO_YEAR_DAY,
    HOUR,
    HOUR12,
    ZERO_HOUR12,
    MINUTE,
    ZERO_MINUTE,
    SECOND,
    ZERO_SECOND,
    LONG_YEAR,
    YEAR,
    PM_UPPER,
    PM_LOWER,
    TZ,
    ISO_TZ,
    ISO_SECONDS_TZ,
    ISO_SHORT_TZ,
    ISO_COLON_TZ,
    ISO_COLON_SECONDS_TZ,
    NUM_TZ,
    NUM_SECONDS_TZ,
    NUM_SHORT_TZ,
    NUM_COLON_TZ,
    NUM_COLON_SECONDS_TZ,
    FRAC0,
    FRAC9,
) = range(1, 36)

_STD0X = {"1": ZERO_MONTH, "2": ZERO_DAY, "3": ZERO_HOUR12, "4": ZERO_MINUTE, "5": ZERO_SECOND, "6": YEAR}

LONG_DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
SHORT_DAY_NAMES = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
SHORT_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LONG_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DAYS_BEFORE = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365)


def _starts_lower(s: str) -> bool:
    return bool(s) and "a" <= s[0] <= "z"


def _is_digit(s: str, i: int) -> bool:
    return i < len(s) and "0" <= s[i] <= "9"


def _next_std_chunk(layout: str) -> tuple[str, int, int, str]:
    """Go's ``nextStdChunk``: (prefix, std kind, fraction digits, suffix)."""
    n = len(layout)
    for i, c in enumerate(layout):
        if c == "J":
            if layout.startswith("Jan", i):
                if layout.startswith("January", i):
                    return layout[:i], LONG_MONTH, 0, layout[i + 7 :]
                if not _starts_lower(layout[i + 3 :]):
                    return layout[:i], MONTH, 0, layout[i + 3 :]
        elif c == "M":
            if layout.startswith("Mon", i):
                if layout.startswith("Monday", i):
                    return layout[:i], LONG_WEEKDAY, 0, layout[i + 6 :]
                if not _starts_lower(layout[i + 3 :]):
                    return layout[:i], WEEKDAY, 0, layout[i + 3 :]
            if layout.startswith("MST", i):
                return layout[:i], TZ, 0, layout[i + 3 :]
        elif c == "0":
            if i + 1 < n and "1" <= layout[i + 1] <= "6":
                return layout[:i], _STD0X[layout[i + 1]], 0, layout[i + 2 :]
            if layout.startswith("002", i):
                return layout[:i], ZERO_YEAR_DAY, 0, layout[i + 3 :]
        elif c == "1":
            if i + 1 < n and layout[i + 1] == "5":
                return layout[:i], HOUR, 0, layout[i + 2 :]
            return layout[:i], NUM_MONTH, 0, layout[i + 1 :]
        elif c == "2":
            if layout.startswith("2006", i):
                return layout[:i], LONG_YEAR, 0, layout[i + 4 :]
            return layout[:i], DAY, 0, layout[i + 1 :]
        elif c == "_":
            if i + 1 < n and layout[i + 1] == "2":
                if layout.startswith("2006", i + 1):
                    return layout[: i + 1], LONG_YEAR, 0, layout[i + 5 :]
                return layout[:i], UNDER_DAY, 0, layout[i + 2 :]
            if layout.startswith("__2", i):
                return layout[:i], UNDER_YEAR_DAY, 0, layout[i + 3 :]
        elif c == "3":
            return layout[:i], HOUR12, 0, layout[i + 1 :]
        elif c == "4":
            return layout[:i], MINUTE, 0, layout[i + 1 :]
        elif c == "5":
            return layout[:i], SECOND, 0, layout[i + 1 :]
        elif c == "P":
            if i + 1 < n and layout[i + 1] == "M":
                return layout[:i], PM_UPPER, 0, layout[i + 2 :]
        elif c == "p":
            if i + 1 < n and layout[i + 1] == "m":
                return layout[:i], PM_LOWER, 0, layout[i + 2 :]
        elif c == "-":
            for token, kind in (
                ("-070000", NUM_SECONDS_TZ),
                ("-07:00:00", NUM_COLON_SECONDS_TZ),
                ("-0700", NUM_TZ),
                ("-07:00", NUM_COLON_TZ),
                ("-07", NUM_SHORT_TZ),
            ):
                if layout.startswith(token, i):
                    return layout[:i], kind, 0, layout[i + len(token) :]
        elif c == "Z":
            for token, kind in (
                ("Z070000", ISO_SECONDS_TZ),
                ("Z07:00:00", ISO_COLON_SECONDS_TZ),
                ("Z0700", ISO_TZ),
                ("Z07:00", ISO_COLON_TZ),
                ("Z07", ISO_SHORT_TZ),
            ):
                if layout.startswith(token, i):
                    return layout[:i], kind, 0, layout[i + len(token) :]
        elif c in ".," and i + 1 < n and layout[i + 1] in "09":
            ch = layout[i + 1]
            j = i + 1
            while j < n and layout[j] == ch:
                j += 1
            if not _is_digit(layout, j):
                return layout[:i], FRAC0 if ch == "0" else FRAC9, j - (i + 1), layout[j:]
    return layout, 0, 0, ""


@lru_cache(maxsize=512)
def _compile_layout(layout: str) -> tuple[tuple[str, int, int], ...]:
    """The layout as (literal prefix, std kind, fraction digits) steps; kind 0 ends it."""
    steps = []
    while True:
        prefix, std, digits, suffix = _next_std_chunk(layout)
        steps.append((prefix, std, digits))
        if std == 0:
            return tuple(steps)
        layout = suffix


def _cutspace(s: str) -> str:
    return s.lstrip(" ")


def _skip(value: str, prefix: str) -> str:
    while prefix:
        if prefix[0] == " ":
            if value and value[0] != " ":
                raise GoTimeParseError("bad literal")
            prefix = _cutspace(prefix)
            value = _cutspace(value)
            continue
        if not value or value[0] != prefix[0]:
            raise GoTimeParseError("bad literal")
        prefix = prefix[1:]
        value = value[1:]
    return value


def _getnum(value: str, fixed: bool) -> tuple[int, str]:
    if not _is_digit(value, 0):
        raise GoTimeParseError("bad number")
    if not _is_digit(value, 1):
        if fixed:
            raise GoTimeParseError("bad number")
        return int(value[0]), value[1:]
    return int(value[:2]), value[2:]


def _getnum3(value: str, fixed: bool) -> tuple[int, str]:
    n = 0
    i = 0
    while i < 3 and _is_digit(value, i):
        n = n * 10 + int(value[i])
        i += 1
    if i == 0 or (fixed and i != 3):
        raise GoTimeParseError("bad number")
    return n, value[i:]


def _lookup(table: tuple[str, ...], value: str) -> tuple[int, str]:
    for i, name in enumerate(table):
        if len(value) >= len(name) and value[: len(name)].lower() == name.lower():
            return i, value[len(name) :]
    raise GoTimeParseError("bad name")


def _atoi(s: str) -> int:
    neg = False
    if s and s[0] in "+-":
        neg = s[0] == "-"
        s = s[1:]
    if not s or not s.isascii() or not s.isdigit():
        raise GoTimeParseError("bad number")
    return -int(s) if neg else int(s)


def _parse_nanoseconds(value: str, nbytes: int) -> None:
    if not value or value[0] not in ".,":
        raise GoTimeParseError("bad fraction")
    if nbytes > 10:
        nbytes = 10
    digits = value[1:nbytes]
    if not digits or not digits.isascii() or not digits.isdigit():
        raise GoTimeParseError("bad fraction")


def _parse_time_zone(value: str) -> int:
    """Length of a zone abbreviation at the start of ``value`` (Go's ``parseTimeZone``), or 0."""
    if len(value) < 3:
        return 0
    if value.startswith(("ChST", "MeST")):
        return 4
    if value.startswith("GMT"):
        rest = value[3:]
        if not rest or rest[0] not in "+-":
            return 3
        j = 1
        while j < len(rest) and rest[j].isdigit():
            j += 1
        return 3 + (j if j > 1 else 0)
    if value[0] in "+-":
        j = 1
        while j < len(value) and value[j].isdigit():
            j += 1
        return j if j > 1 else 0
    n_upper = 0
    while n_upper < len(value) and "A" <= value[n_upper] <= "Z":
        n_upper += 1
    if n_upper == 3:
        return 3
    if n_upper == 4 and (value[3] == "T" or value.startswith("WIT")):
        return 4
    if n_upper == 5 and value[4] == "T":
        return 5
    return 0


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _days_in(month: int, year: int) -> int:
    if month == 2 and _is_leap(year):
        return 29
    return _DAYS_BEFORE[month] - _DAYS_BEFORE[month - 1]


def parse_go_date(layout: str, value: str) -> str:
    """Parse ``value`` with the Go ``layout`` and return ``YYYY-MM-DD``.

    Raises :class:`GoTimeParseError` where Go's ``time.Parse`` returns an error.
    """
    year = 0
    month = -1
    day = -1
    yday = -1
    steps = _compile_layout(layout)
    for idx, (prefix, std, digits) in enumerate(steps):
        value = _skip(value, prefix)
        if std == 0:
            if value:
                raise GoTimeParseError(f"extra text: {value!r}")
            break
        if std == YEAR:
            if len(value) < 2:
                raise GoTimeParseError("bad year")
            year = _atoi(value[:2])
            value = value[2:]
            year += 1900 if year >= 69 else 2000
        elif std == LONG_YEAR:
            if len(value) < 4 or not _is_digit(value, 0):
                raise GoTimeParseError("bad year")
            year = _atoi(value[:4])
            value = value[4:]
        elif std == MONTH:
            month, value = _lookup(SHORT_MONTH_NAMES, value)
            month += 1
        elif std == LONG_MONTH:
            month, value = _lookup(LONG_MONTH_NAMES, value)
            month += 1
        elif std in (NUM_MONTH, ZERO_MONTH):
            month, value = _getnum(value, std == ZERO_MONTH)
            if month <= 0 or month > 12:
                raise GoTimeParseError("month out of range")
        elif std == WEEKDAY:
            _, value = _lookup(SHORT_DAY_NAMES, value)
        elif std == LONG_WEEKDAY:
            _, value = _lookup(LONG_DAY_NAMES, value)
        elif std in (DAY, UNDER_DAY, ZERO_DAY):
            if std == UNDER_DAY and value.startswith(" "):
                value = value[1:]
            day, value = _getnum(value, std == ZERO_DAY)
        elif std in (UNDER_YEAR_DAY, ZERO_YEAR_DAY):
            for _ in range(2):
                if std == UNDER_YEAR_DAY and value.startswith(" "):
                    value = value[1:]
            yday, value = _getnum3(value, std == ZERO_YEAR_DAY)
        elif std == HOUR:
            hour, value = _getnum(value, False)
            if hour < 0 or hour >= 24:
                raise GoTimeParseError("hour out of range")
        elif std in (HOUR12, ZERO_HOUR12):
            hour, value = _getnum(value, std == ZERO_HOUR12)
            if hour < 0 or hour > 12:
                raise GoTimeParseError("hour out of range")
        elif std in (MINUTE, ZERO_MINUTE):
            minute, value = _getnum(value, std == ZERO_MINUTE)
            if minute < 0 or minute >= 60:
                raise GoTimeParseError("minute out of range")
        elif std in (SECOND, ZERO_SECOND):
            second, value = _getnum(value, std == ZERO_SECOND)
            if second < 0 or second >= 60:
                raise GoTimeParseError("second out of range")
            # a fraction the layout does not ask for is still consumed, unless one comes next
            fraction = len(value) >= 2 and value[0] in ".," and _is_digit(value, 1)
            if fraction and steps[idx + 1][1] not in (FRAC0, FRAC9):
                n = 2
                while n < len(value) and _is_digit(value, n):
                    n += 1
                _parse_nanoseconds(value, n)
                value = value[n:]
        elif std == PM_UPPER:
            if len(value) < 2:
                raise GoTimeParseError("bad AM/PM")
            p, value = value[:2], value[2:]
            if p not in ("AM", "PM"):
                raise GoTimeParseError("bad AM/PM")
        elif std == PM_LOWER:
            if len(value) < 2:
                raise GoTimeParseError("bad am/pm")
            p, value = value[:2], value[2:]
            if p not in ("am", "pm"):
                raise GoTimeParseError("bad am/pm")
        elif std in (ISO_TZ, ISO_SHORT_TZ, ISO_COLON_TZ, ISO_SECONDS_TZ, ISO_COLON_SECONDS_TZ) and value.startswith(
            "Z"
        ):
            value = value[1:]
        elif std in (
            ISO_TZ,
            ISO_SHORT_TZ,
            ISO_COLON_TZ,
            ISO_SECONDS_TZ,
            ISO_COLON_SECONDS_TZ,
            NUM_TZ,
            NUM_SHORT_TZ,
            NUM_COLON_TZ,
            NUM_SECONDS_TZ,
            NUM_COLON_SECONDS_TZ,
        ):
            value = _parse_numeric_zone(std, value)
        elif std == TZ:
            if value.startswith("UTC"):
                value = value[3:]
            else:
                n = _parse_time_zone(value)
                if n == 0:
                    raise GoTimeParseError("bad time zone")
                value = value[n:]
        elif std == FRAC0:
            ndigit = 1 + digits
            if len(value) < ndigit:
                raise GoTimeParseError("bad fraction")
            _parse_nanoseconds(value, ndigit)
            value = value[ndigit:]
        elif std == FRAC9:
            if len(value) < 2 or value[0] not in ".," or not _is_digit(value, 1):
                continue
            i = 0
            while i + 1 < len(value) and _is_digit(value, i + 1):
                i += 1
            _parse_nanoseconds(value, 1 + i)
            value = value[1 + i :]
    if yday >= 0:
        m = 0
        d = 0
        if _is_leap(year):
            if yday == 31 + 29:
                m, d = 2, 29
            elif yday > 31 + 29:
                yday -= 1
        if yday < 1 or yday > 365:
            raise GoTimeParseError("day-of-year out of range")
        if m == 0:
            m = (yday - 1) // 31 + 1
            if _DAYS_BEFORE[m] < yday:
                m += 1
            d = yday - _DAYS_BEFORE[m - 1]
        if month >= 0 and month != m:
            raise GoTimeParseError("day-of-year does not match month")
        month = m
        if day >= 0 and day != d:
            raise GoTimeParseError("day-of-year does not match day")
        day = d
    else:
        if month < 0:
            month = 1
        if day < 0:
            day = 1
    if day < 1 or day > _days_in(month, year):
        raise GoTimeParseError("day out of range")
    return f"{year:04d}-{month:02d}-{day:02d}"


def _parse_numeric_zone(std: int, value: str) -> str:
    if std in (ISO_COLON_TZ, NUM_COLON_TZ):
        if len(value) < 6 or value[3] != ":":
            raise GoTimeParseError("bad zone")
        sign, hh, mm, ss, value = value[0], value[1:3], value[4:6], "00", value[6:]
    elif std in (NUM_SHORT_TZ, ISO_SHORT_TZ):
        if len(value) < 3:
            raise GoTimeParseError("bad zone")
        sign, hh, mm, ss, value = value[0], value[1:3], "00", "00", value[3:]
    elif std in (ISO_COLON_SECONDS_TZ, NUM_COLON_SECONDS_TZ):
        if len(value) < 9 or value[3] != ":" or value[6] != ":":
            raise GoTimeParseError("bad zone")
        sign, hh, mm, ss, value = value[0], value[1:3], value[4:6], value[7:9], value[9:]
    elif std in (ISO_SECONDS_TZ, NUM_SECONDS_TZ):
        if len(value) < 7:
            raise GoTimeParseError("bad zone")
        sign, hh, mm, ss, value = value[0], value[1:3], value[3:5], value[5:7], value[7:]
    else:
        if len(value) < 5:
            raise GoTimeParseError("bad zone")
        sign, hh, mm, ss, value = value[0], value[1:3], value[3:5], "00", value[5:]
    hr, _ = _getnum(hh, True)
    mi, _ = _getnum(mm, True)
    se, _ = _getnum(ss, True)
    if hr > 24 or mi > 60 or se > 60:
        raise GoTimeParseError("time zone offset out of range")
    if sign not in "+-":
        raise GoTimeParseError("bad zone sign")
    return value
