"""Dates, weekdays and times for people, in the study's language (Babel's CLDR data).

Data columns keep ISO dates (``2026-11-30``); these are for text a person reads. Babel is
imported inside the functions, so importing this module costs nothing.

>>> from datetime import UTC, date, datetime
>>> weekday("zh-CN", date(2026, 11, 30)), weekday("en", date(2026, 11, 30))
('周一', 'Mon')
>>> long_date("zh-CN", date(2026, 11, 30)), long_date("en", date(2026, 11, 30))
('2026年11月30日 星期一', 'Monday 30 November 2026')
>>> at = datetime(2026, 11, 30, 17, 22, tzinfo=UTC)   # already 1 December in Beijing
>>> local_time("zh-CN", at, "Asia/Shanghai"), local_time("en", at, "Asia/Shanghai")
('2026-12-01 01:22（北京时间）', '2026-12-01 01:22 (Beijing time)')
>>> local_time("en", at, "Europe/Berlin")
'2026-11-30 18:22 (Europe/Berlin)'
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from .messages import BABEL_LOCALES, MESSAGES, message, weekday_name

__all__ = ["babel_locale", "listed_date", "local_time", "long_date", "prose_date", "short_date",
           "weekday", "weekday_name", "window_text"]



def babel_locale(lang: str) -> str:
    """The Babel (CLDR) locale of a study language."""
    return BABEL_LOCALES[lang]


@cache
def _weekdays(lang: str) -> tuple[str, ...]:
    from babel.dates import format_date

    monday = date(2026, 11, 30)
    return tuple(format_date(date.fromordinal(monday.toordinal() + i), "EEE",
                             locale=babel_locale(lang)) for i in range(7))


def weekday(lang: str, day: date) -> str:
    """The short weekday name (周一 … 周日, Mon … Sun)."""
    return _weekdays(lang)[day.weekday()]


def prose_date(lang: str, day: date) -> str:
    """A date in running text (calendars): ISO, and in Chinese its weekday in full-width
    brackets, as the site writes them (zh-CN-terms.md).

    >>> prose_date("zh-CN", date(2026, 12, 1)), prose_date("en", date(2026, 12, 1))
    ('2026-12-01（周二）', '2026-12-01')
    """
    if lang == "zh-CN":
        return f"{day.isoformat()}（{weekday(lang, day)}）"
    return day.isoformat()


def document_date(lang: str, day: date) -> str:
    """A document's date (a version date, when it was made), without its weekday: Chinese
    documents write ``2026年12月4日`` (zh-CN review A11), English ones the ISO date.

    >>> document_date("zh-CN", date(2026, 12, 4)), document_date("en", date(2026, 12, 4))
    ('2026年12月4日', '2026-12-04')
    """
    if lang == "zh-CN":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def long_date(lang: str, day: date) -> str:
    """A date with its weekday as people write it: ``2026年11月30日 星期一``."""
    from babel.dates import format_date

    loc = babel_locale(lang)
    if lang == "zh-CN":  # CLDR's "full" runs the weekday on without a space
        return f"{format_date(day, 'long', locale=loc)} {format_date(day, 'EEEE', locale=loc)}"
    return str(format_date(day, "EEEE d MMMM y", locale=loc))  # day before month: no 11/30 vs 30/11


def zone_label(lang: str, zone: str) -> str:
    """How people call the study's time zone (北京时间); the IANA name where none is known."""
    key = f"tz.{zone}"
    return message(lang, key) if key in MESSAGES else zone


def local_time(lang: str, at: datetime, zone: str) -> str:
    """``at`` in the study's time zone, minutes, with the zone named: never UTC for people."""
    local = at.astimezone(ZoneInfo(zone))
    return message(lang, "time.local", when=f"{local:%Y-%m-%d %H:%M}", zone=zone_label(lang, zone))


def listed_date(lang: str, day: date) -> str:
    """A date in a list a person scans (the day list, the schedule), always with its weekday:
    ``2026-12-01（周二）`` or ``Tue 2026-12-01``.

    >>> listed_date("zh-CN", date(2026, 12, 1)), listed_date("en", date(2026, 12, 1))
    ('2026-12-01（周二）', 'Tue 2026-12-01')
    """
    if lang == "zh-CN":
        return f"{day.isoformat()}（{weekday(lang, day)}）"
    return f"{weekday(lang, day)} {day.isoformat()}"


def window_text(lang: str, start: date, end: date, say: Callable[[date], str]) -> str:
    """A visit's window in words, its dates as ``say`` writes them; a one-day window in the
    words the calendars use (review D5), wherever a window is shown.

    >>> day = date(2026, 10, 26)
    >>> window_text("zh-CN", day, day, lambda d: short_date("zh-CN", d, year_of=d))
    '仅限 10月26日（周一）当天'
    >>> window_text("en", date(2026, 10, 25), date(2026, 10, 27), date.isoformat)
    '2026-10-25 – 2026-10-27'
    """
    if start == end:
        return message(lang, "value.window.one", day=say(start))
    return message(lang, "value.window", start=say(start), end=say(end))


def short_date(lang: str, day: date, *, year_of: date | None = None,
               long_weekday: bool = False) -> str:
    """A short date with its weekday, the year only when it differs from ``year_of``'s;
    ``long_weekday``: the weekday in full in Chinese (星期二, the participant's schedule: one
    weekday style on the page, review A5).

    >>> short_date("zh-CN", date(2027, 1, 5), year_of=date(2026, 12, 31))
    '2027年1月5日（周二）'
    >>> short_date("zh-CN", date(2026, 12, 2), year_of=date(2026, 12, 3), long_weekday=True)
    '12月2日（星期三）'
    >>> short_date("en", date(2026, 12, 2), year_of=date(2026, 12, 3))
    'Wed 2 Dec'
    """
    with_year = year_of is None or year_of.year != day.year
    if lang == "zh-CN":
        if long_weekday:
            from babel.dates import format_date

            name = str(format_date(day, "EEEE", locale=babel_locale(lang)))
        else:
            name = weekday(lang, day)
        return f"{f'{day.year}年' if with_year else ''}{day.month}月{day.day}日（{name}）"
    from babel.dates import format_date

    return str(format_date(day, "EEE d MMM y" if with_year else "EEE d MMM", locale="en_GB"))
