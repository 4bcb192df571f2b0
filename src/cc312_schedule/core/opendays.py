"""The site calendar as data: closed and open days, the weekend, the shift preference.

A pure lookup table (no files, no clock): :mod:`cc312_schedule.store.sitecal` builds it from the
holidays package and the study's ``closed-days.csv``; the engine asks it which days are open
and which days of a window to try first.

>>> from datetime import date
>>> cal = SiteCalendar(closed={date(2026, 10, 1): "National Day"},
...                    open_days={date(2026, 10, 10): "adjusted working day"})
>>> cal.closed_reason(date(2026, 10, 1)), cal.closed_reason(date(2026, 10, 4))
('National Day', 'weekend (Sunday)')
>>> cal.closed_reason(date(2026, 10, 10)) is None   # a Saturday made a working day
True
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from .messages import Text

__all__ = ["WEEKDAYS", "CalendarConfig", "ShiftPreference", "SiteCalendar", "days_between"]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def days_between(start: date, end: date) -> list[date]:
    """Every day from ``start`` to ``end``, both included (none when ``end`` is before ``start``).

    >>> [d.day for d in days_between(date(2026, 9, 29), date(2026, 10, 2))]
    [29, 30, 1, 2]
    >>> days_between(date(2026, 10, 2), date(2026, 10, 2)), days_between(date(2026, 10, 2), date(2026, 10, 1))
    ([datetime.date(2026, 10, 2)], [])
    """
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


class ShiftPreference(enum.StrEnum):
    """Which side of the target to try first when a visit must leave a closed day.

    Either way the nearest open day wins; the preference breaks ties at equal distance.
    With the window 2026-10-04 … 2026-10-06 around a closed Monday 10-05 and both neighbours
    open, ``earlier`` plans Sunday 10-04 and ``later`` plans Tuesday 10-06.
    """

    EARLIER = "earlier"
    LATER = "later"


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarConfig:
    """``study.toml [calendar]``: every key optional."""

    country: str = "CN"  # "" for no public holidays
    subdivision: str = ""
    weekend: tuple[int, ...] = (5, 6)  # Monday = 0
    prefer: ShiftPreference = ShiftPreference.EARLIER
    max_dosing_per_day: int | None = None  # infusion chairs; None: no limit
    enabled: bool = True  # false: every day open (the protocol's target dates as they are)


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteCalendar:
    """Closed and open days with their reasons; a pure lookup table."""

    # a public holiday's name (in the study's language), or a catalogue text (the site's own)
    closed: Mapping[date, str | Text] = field(default_factory=dict)
    open_days: Mapping[date, str | Text] = field(default_factory=dict)  # working despite the weekend
    weekend: tuple[int, ...] = (5, 6)
    prefer: ShiftPreference = ShiftPreference.EARLIER
    max_dosing_per_day: int | None = None
    provisional_years: frozenset[int] = frozenset()  # holidays estimated, no official notice yet
    source: str = ""

    def closed_reason(self, day: date) -> str | None:
        """Why the site is closed on ``day`` (in English), or ``None`` when it is open."""
        text = self.closed_text(day)
        return None if text is None else str(text)

    def closed_text(self, day: date) -> Text | None:
        """Why the site is closed on ``day``, as a catalogue text (rendered in any language).

        >>> SiteCalendar().closed_text(date(2026, 11, 22)).render("zh-CN")
        '周日'
        """
        if day in self.open_days:
            return None
        reason = self.closed.get(day)
        if isinstance(reason, Text):
            return reason
        if reason is not None:
            return Text.of("closed.holiday", name=reason)
        if day.weekday() in self.weekend:
            return Text.of("closed.weekend", weekday=day)
        return None

    def open_text(self, day: date) -> Text | None:
        """Why the site is open on ``day`` although it would not be (an official make-up working
        day, the site's own open day), or ``None``: staff see it beside the day (review C14).

        >>> cal = SiteCalendar(open_days={date(2026, 10, 10): Text.of("open.workday")})
        >>> cal.open_text(date(2026, 10, 10)).render("zh-CN"), cal.open_text(date(2026, 10, 9))
        ('调休上班', None)
        """
        reason = self.open_days.get(day)
        if reason is None or isinstance(reason, Text):
            return reason
        return Text.of("open.named", name=reason)

    def is_open(self, day: date) -> bool:
        return self.closed_reason(day) is None

    def open_day_before(self, day: date, n: int = 1) -> date:
        """The ``n``-th day before ``day`` that the site is open: where a reminder "the working
        day before" rings (review D7: a Monday visit is called about on Friday, not Sunday).
        Make-up working days count (a Saturday worked); a site closed for a whole year before
        ``day`` gives the calendar day ``n`` days before.

        >>> cal = SiteCalendar(closed={date(2026, 10, d): "National Day" for d in range(1, 8)})
        >>> cal.open_day_before(date(2026, 12, 7)), cal.open_day_before(date(2026, 10, 8))
        (datetime.date(2026, 12, 4), datetime.date(2026, 9, 30))
        >>> cal.open_day_before(date(2026, 12, 9), 2)
        datetime.date(2026, 12, 7)
        """
        found, d = 0, day
        for _ in range(366 + 7 * n):
            d -= timedelta(days=1)
            if self.is_open(d):
                found += 1
                if found == n:
                    return d
        return day - timedelta(days=n)

    def open_day_after(self, day: date) -> date:
        """The first day after ``day`` that the site is open: the day a list's "closing"
        section and the desk's reminder list look to (on Friday: Monday's visits; before
        National Day: the 8th). Make-up working days count; a site closed for the whole year
        after ``day`` gives the day after that year (no open day to wait for).

        >>> cal = SiteCalendar(closed={date(2026, 10, d): "National Day" for d in range(1, 8)})
        >>> cal.open_day_after(date(2026, 12, 4)), cal.open_day_after(date(2026, 9, 30))
        (datetime.date(2026, 12, 7), datetime.date(2026, 10, 8))
        """
        d = day + timedelta(days=1)
        for _ in range(366):
            if self.is_open(d):
                return d
            d += timedelta(days=1)
        return d

    def candidates(self, target: date, start: date, end: date) -> list[date]:
        """Days of the window ``start … end`` by distance from ``target``, the preferred side first.

        Every day of the window, open or not, once; a target outside the window works too.

        >>> cal = SiteCalendar(prefer=ShiftPreference.LATER)
        >>> [d.day for d in cal.candidates(date(2026, 10, 5), date(2026, 10, 4), date(2026, 10, 7))]
        [5, 6, 4, 7]
        >>> cal = SiteCalendar(prefer=ShiftPreference.EARLIER)
        >>> [d.day for d in cal.candidates(date(2026, 10, 5), date(2026, 10, 4), date(2026, 10, 7))]
        [5, 4, 6, 7]
        """
        later = self.prefer is ShiftPreference.LATER
        # at equal distance the preferred side first: (d < target) is False on the later side
        return sorted(days_between(start, end),
                      key=lambda d: (abs((d - target).days), (d < target) == later))
