"""RFC 5545 ``VTIMEZONE`` components built from the IANA zone data (:mod:`zoneinfo`).

Each observance is found from the zone itself, day by day and then to the second, so a
calendar carries the offsets its events were written in, whatever the zone's rules.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar

__all__ = ["ZoneTransition", "vtimezone", "zone_transitions"]


def vtimezone(tz: ZoneInfo, first: date, last: date) -> icalendar.Timezone:
    """A ``VTIMEZONE`` for ``tz`` from the zone data, valid from ``first`` to ``last``.

    Each observance's ``DTSTART`` is the local time *before* the change (RFC 5545 3.6.5):
    Berlin springs forward at 02:00 CET and falls back at 03:00 CEST.

    >>> from datetime import date
    >>> tz = vtimezone(ZoneInfo("Europe/Berlin"), date(2026, 1, 1), date(2026, 12, 31))
    >>> [(o.name, o["DTSTART"].to_ical().decode(), o["TZOFFSETTO"].to_ical())
    ...  for o in tz.subcomponents]
    [('STANDARD', '20260101T000000', '+0100'), ('DAYLIGHT', '20260329T020000', '+0200'),
     ('STANDARD', '20261025T030000', '+0100')]
    """
    vtz = icalendar.Timezone()
    vtz.add("tzid", tz.key)
    for t in zone_transitions(tz, first, last):
        o = icalendar.TimezoneDaylight() if t.dst else icalendar.TimezoneStandard()
        o.add("dtstart", t.local_start)
        o.add("tzoffsetfrom", t.offset_from)
        o.add("tzoffsetto", t.offset_to)
        o.add("tzname", t.name)
        vtz.add_component(o)
    return vtz


@dataclass(frozen=True, slots=True, kw_only=True)
class ZoneTransition:
    """One observance of a ``VTIMEZONE``: a change of UTC offset (or the zone at the start)."""

    local_start: datetime  # naive: the local wall time before the change
    offset_from: timedelta
    offset_to: timedelta
    name: str  # e.g. CEST
    dst: bool


@functools.lru_cache(maxsize=256)
def zone_transitions(tz: ZoneInfo, first: date, last: date) -> tuple[ZoneTransition, ...]:
    """The zone's state at ``first`` and every offset change up to ``last``, from the zone data.

    Cached: every subject's calendar of a study asks for the same few year ranges.

    >>> [(t.local_start.isoformat(), t.name)
    ...  for t in zone_transitions(ZoneInfo("Europe/Berlin"), date(2026, 1, 1), date(2026, 12, 31))]
    [('2026-01-01T00:00:00', 'CET'), ('2026-03-29T02:00:00', 'CEST'), ('2026-10-25T03:00:00', 'CET')]
    """
    out: list[ZoneTransition] = []

    def observance(at_utc: datetime, before: timedelta, after: timedelta) -> None:
        local = at_utc.astimezone(tz)
        out.append(ZoneTransition(local_start=(at_utc + before).replace(tzinfo=None),
                                  offset_from=before, offset_to=after,
                                  name=local.tzname() or tz.key, dst=bool(local.dst())))

    def offset(at: datetime) -> timedelta:
        off = at.astimezone(tz).utcoffset()
        assert off is not None
        return off

    start = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
    observance(start, offset(start), offset(start))
    day = start
    end = datetime.combine(last, time(0), tzinfo=tz).astimezone(UTC)
    while day < end:
        nxt = day + timedelta(days=1)
        if offset(nxt) != offset(day):
            lo, hi = day, nxt  # offset(lo) is the old one, offset(hi) the new one
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                lo, hi = (mid, hi) if offset(mid) == offset(day) else (lo, mid)
            hi = hi.replace(microsecond=0)
            observance(hi, offset(day), offset(hi))
        day = nxt
    return tuple(out)
