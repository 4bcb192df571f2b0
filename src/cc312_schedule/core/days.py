"""Protocol time: study days, weeks, windows and strict ISO dates.

Study day 1 is the date of the first dose and **there is no day 0**: the day before day 1 is
day -1. Week n is study days 7n-6 ... 7n.

>>> from datetime import date
>>> day1 = date(2026, 3, 2)
>>> StudyDay.of(day1, date(2026, 3, 12))
StudyDay(11)
>>> StudyDay.of(day1, date(2026, 3, 1))   # the day before day 1 is day -1, not day 0
StudyDay(-1)
>>> StudyDay(11).week, StudyDay(11).day_in_week, StudyDay(11).visit_name
(2, 4, 'W2D4')
>>> StudyDay(-1).on(day1), StudyDay(1).on(day1)
(datetime.date(2026, 3, 1), datetime.date(2026, 3, 2))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["StudyDay", "Window", "keeps_interval", "parse_iso_date"]


@dataclass(frozen=True, slots=True, order=True)
class StudyDay:
    """A 1-based study day (never 0). Not a day offset: ``StudyDay(1)`` is the first-dose date."""

    value: int

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise TypeError(f"a study day is an int, not {self.value!r}")
        if self.value == 0:
            raise ValueError("there is no study day 0: the day before day 1 is day -1")

    def __repr__(self) -> str:
        return f"StudyDay({self.value})"

    def __str__(self) -> str:
        return f"Day {self.value}"

    def __int__(self) -> int:
        return self.value

    @classmethod
    def of(cls, day1: date, on: date) -> StudyDay:
        """The study day of date ``on`` for a subject first dosed on ``day1``."""
        delta = (on - day1).days
        return cls(delta + 1 if delta >= 0 else delta)

    @classmethod
    def of_week(cls, week: int, day_in_week: int) -> StudyDay:
        """``StudyDay.of_week(6, 4)`` is day 39 (W6D4).

        >>> StudyDay.of_week(6, 4)
        StudyDay(39)
        """
        if week < 1 or not 1 <= day_in_week <= 7:
            raise ValueError(f"no study day for week {week}, day {day_in_week}")
        return cls(7 * (week - 1) + day_in_week)

    def on(self, day1: date) -> date:
        """The calendar date of this study day."""
        offset = self.value - 1 if self.value > 0 else self.value
        return day1 + timedelta(days=offset)

    @property
    def week(self) -> int:
        """Protocol week: days 1..7 are week 1; days -7..-1 are week -1 (no week 0)."""
        if self.value > 0:
            return (self.value - 1) // 7 + 1
        return -((-self.value - 1) // 7 + 1)

    @property
    def day_in_week(self) -> int:
        """Day 1..7 within the protocol week (for positive study days)."""
        if self.value > 0:
            return (self.value - 1) % 7 + 1
        return 8 - ((-self.value - 1) % 7 + 1)

    @property
    def visit_name(self) -> str:
        """The dose-visit name of this day, ``W<week>D<day-in-week>``."""
        return f"W{self.week}D{self.day_in_week}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """Acceptable days before and after a target date, inclusive (``before=1, after=1`` is ±1 day).

    >>> Window(before=0, after=1).around(date(2026, 3, 31))
    (datetime.date(2026, 3, 31), datetime.date(2026, 4, 1))
    """

    before: int = 0
    after: int = 0

    def __post_init__(self) -> None:
        for name in ("before", "after"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ValueError(f"window {name} must be a whole number of days >= 0, not {v!r}")

    @property
    def width(self) -> int:
        return self.before + self.after

    def around(self, target: date) -> tuple[date, date]:
        return target - timedelta(days=self.before), target + timedelta(days=self.after)

    def __str__(self) -> str:
        return f"-{self.before}/+{self.after} d"


def keeps_interval(day: date, prev: date | None, nxt: date | None, *, gap: int) -> bool:
    """Whether a dose on ``day`` is at least ``gap`` days from the doses before and after it
    (the protocol's minimum interval); the one test the site calendar and capacity both use.

    >>> keeps_interval(date(2026, 3, 11), date(2026, 3, 9), date(2026, 3, 13), gap=2)
    True
    >>> keeps_interval(date(2026, 3, 10), date(2026, 3, 9), None, gap=2)
    False
    """
    return ((prev is None or (day - prev).days >= gap)
            and (nxt is None or (nxt - day).days >= gap))


_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_SERIAL = re.compile(r"\d{4,6}(\.\d+)?")
_SLASHED = re.compile(r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})")


def parse_iso_date(text: str) -> date:
    """Parse ``YYYY-MM-DD`` and nothing else; the error message says how to fix the value.

    Ambiguous forms are refused rather than guessed: ``03/04/2026`` is 3 April in China and
    4 March in the US, and a bare number is an Excel serial day count.

    >>> parse_iso_date("2026-03-04")
    datetime.date(2026, 3, 4)
    >>> parse_iso_date("03/04/2026")
    Traceback (most recent call last):
    ...
    ValueError: ambiguous date '03/04/2026': write it as YYYY-MM-DD (2026-03-04 or 2026-04-03, whichever is meant)
    >>> parse_iso_date("46085")
    Traceback (most recent call last):
    ...
    ValueError: '46085' looks like an Excel serial number, not a date: format the column as text and write YYYY-MM-DD
    >>> parse_iso_date("23/11/2026")
    Traceback (most recent call last):
    ...
    ValueError: not an ISO date '23/11/2026': write it as YYYY-MM-DD (2026-11-23)
    """
    s = text.strip()
    if _ISO.fullmatch(s):
        try:
            return date.fromisoformat(s)
        except ValueError:
            raise ValueError(f"no such date {s!r}: check the month and day") from None
    if _SERIAL.fullmatch(s):
        raise ValueError(
            f"{s!r} looks like an Excel serial number, not a date: "
            "format the column as text and write YYYY-MM-DD"
        )
    m = _SLASHED.fullmatch(s)
    if m:
        a, b, c = m.groups()
        if len(c) == 4:
            options = sorted(o for o in {f"{c}-{int(b):02d}-{int(a):02d}",
                                         f"{c}-{int(a):02d}-{int(b):02d}"} if _valid(o))
            if len(options) == 1:  # 23/11/2026 can only be 23 November: not ambiguous
                return _refuse(f"not an ISO date {s!r}: write it as YYYY-MM-DD ({options[0]})")
            if options:
                return _refuse(f"ambiguous date {s!r}: write it as YYYY-MM-DD "
                               f"({' or '.join(options)}, whichever is meant)")
    return _refuse(f"not an ISO date {s!r}: write it as YYYY-MM-DD, e.g. 2026-04-03")


def _valid(iso: str) -> bool:
    try:
        date.fromisoformat(iso)
    except ValueError:
        return False
    return True


def _refuse(message: str) -> date:
    raise ValueError(message)
