"""What a CalDAV server holds, read before a publish writes (see :mod:`.publish`).

A publish reads the server where its own records cannot be trusted: a calendar it has no
record of (the state file lost, or the server reached under another address), an object
whose ETag is no longer the one it recorded (a person or another copy of the study changed
it), an object stored under a resource name that is not ``<UID>.ics`` (a client that saved
one of our events under its own name). This module holds the pieces that need no network:
the REPORT bodies, the parsed objects, comparing an object with the event we would write
(ignoring ``DTSTAMP``, ``SEQUENCE`` and ``LAST-MODIFIED``, which change on every write),
naming what changed, and recovering what an object tells about a visit whose record was lost.

>>> ours = icalendar.Event.from_ical(
...     "BEGIN:VEVENT\\r\\nUID:u1\\r\\nDTSTART:20261126T010000Z\\r\\nSUMMARY:003 · Dose 42\\r\\n"
...     "SEQUENCE:1\\r\\nDTSTAMP:20261125T080000Z\\r\\nEND:VEVENT\\r\\n")
>>> theirs = icalendar.Event.from_ical(
...     "BEGIN:VEVENT\\r\\nUID:u1\\r\\nDTSTART:20261126T023000Z\\r\\nSUMMARY:003 · Dose 42\\r\\n"
...     "SEQUENCE:1\\r\\nDTSTAMP:20261127T080000Z\\r\\nEND:VEVENT\\r\\n")
>>> same_content(ours, theirs)
False
>>> what_changed(ours, theirs)
'DTSTART 2026-11-26 01:00:00+00:00 → 2026-11-26 02:30:00+00:00'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from xml.sax.saxutils import escape

import icalendar

from ..core.messages import MESSAGES, message
from ..core.model import EventKind
from .icsstate import PublishedEvent

__all__ = [
    "ServerObject",
    "by_uid_query",
    "calendar_query",
    "multiget",
    "parse_objects",
    "recover_event",
    "same_content",
    "what_changed",
]

#: Properties that change on every write of the same content, so never compared.
_VOLATILE: Final = frozenset({"DTSTAMP", "SEQUENCE", "LAST-MODIFIED", "CREATED"})
_PROPS: Final = "<d:prop><d:getetag/><c:calendar-data/></d:prop>"
_NS: Final = 'xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"'


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerObject:
    """One calendar object on the server: where, its ETag, and its one VEVENT."""

    href: str  # the path on the server
    etag: str
    uid: str
    sequence: int
    event: icalendar.Component

    @property
    def name(self) -> str:
        """The resource name (the last part of the path)."""
        return self.href.rstrip("/").rsplit("/", 1)[-1]

    @property
    def cancelled(self) -> bool:
        return str(self.event.get("STATUS", "")).upper() == "CANCELLED"


def calendar_query() -> str:
    """REPORT calendar-query (RFC 4791 7.8): every VEVENT object, with ETag and data."""
    return (f'<?xml version="1.0" encoding="utf-8"?><c:calendar-query {_NS}>{_PROPS}'
            '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/>'
            "</c:comp-filter></c:filter></c:calendar-query>")


def by_uid_query(uid: str) -> str:
    """REPORT calendar-query for the object holding ``uid`` (RFC 4791 9.7.5, exact match).

    >>> "<c:text-match collation=\\"i;octet\\">a&amp;b</c:text-match>" in by_uid_query("a&b")
    True
    """
    return (f'<?xml version="1.0" encoding="utf-8"?><c:calendar-query {_NS}>{_PROPS}'
            '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">'
            '<c:prop-filter name="UID"><c:text-match collation="i;octet">'
            f"{escape(uid)}</c:text-match></c:prop-filter></c:comp-filter></c:comp-filter>"
            "</c:filter></c:calendar-query>")


def multiget(hrefs: Iterable[str]) -> str:
    """REPORT calendar-multiget (RFC 4791 7.9) of the objects at ``hrefs``."""
    refs = "".join(f"<d:href>{escape(h)}</d:href>" for h in hrefs)
    return (f'<?xml version="1.0" encoding="utf-8"?><c:calendar-multiget {_NS}>{_PROPS}'
            f"{refs}</c:calendar-multiget>")


def parse_objects(props: Mapping[str, Mapping[str, object]]) -> list[ServerObject]:
    """The objects of a REPORT answer (``{href: {tag: text}}``, caldav's expand_simple_props);
    an object that is not one parsable VEVENT (a task, a broken file) is left out."""
    out = []
    for href, p in props.items():
        data = next((v for k, v in p.items() if k.endswith("calendar-data")), None)
        etag = next((v for k, v in p.items() if k.endswith("getetag")), None)
        if not data:
            continue
        try:
            cal = icalendar.Calendar.from_ical(str(data))
        except ValueError:
            continue
        events = [c for c in cal.walk("VEVENT") if "RECURRENCE-ID" not in c]
        if len(events) != 1 or "UID" not in events[0]:
            continue
        ev = events[0]
        try:
            seq = int(ev.get("SEQUENCE", 0))
        except (TypeError, ValueError):
            seq = 0
        out.append(ServerObject(href=href, etag=str(etag or ""), uid=str(ev["UID"]),
                                sequence=seq, event=ev))
    return out


def _canonical(ev: icalendar.Component) -> list[tuple[str, bytes]]:
    """The event's content as comparable pieces: each property but the volatile ones (as
    icalendar writes it again, so line folding does not matter), each alarm likewise."""
    out = []
    for name, value in ev.property_items(recursive=False):
        if name in _VOLATILE or name in ("BEGIN", "END"):
            continue
        out.append((name, _prop_bytes(name, value)))
    for alarm in ev.walk("VALARM"):
        out.append(("VALARM", b"|".join(_prop_bytes(n, v) for n, v in sorted(
            alarm.property_items(recursive=False), key=lambda kv: kv[0])
            if n not in ("BEGIN", "END"))))
    return sorted(out)


def _prop_bytes(name: str, value: object) -> bytes:
    to_ical = getattr(value, "to_ical", None)
    text = to_ical() if to_ical is not None else str(value).encode()
    params = getattr(value, "params", None)
    tzid = params.get("TZID", "") if params else ""
    return f"{name};{tzid}:".encode() + (text if isinstance(text, bytes) else str(text).encode())


def same_content(ours: icalendar.Component, theirs: icalendar.Component) -> bool:
    """True when the two events say the same, DTSTAMP, SEQUENCE and LAST-MODIFIED aside."""
    return _canonical(ours) == _canonical(theirs)


def _shown(value: object) -> str:
    dt = getattr(value, "dt", None)
    if isinstance(dt, datetime | date):
        return str(dt)
    text = str(getattr(value, "to_ical", lambda: value)())
    text = text[2:-1] if text.startswith("b'") else text
    return text if len(text) <= 60 else text[:57] + "..."


def what_changed(ours: icalendar.Component, theirs: icalendar.Component) -> str:
    """What the server's copy says differently: ``DTSTART a → b; SUMMARY; 1 alarm → 0``."""
    mine = {n: v for n, v in ours.property_items(recursive=False)
            if n not in _VOLATILE and n not in ("BEGIN", "END")}
    other = {n: v for n, v in theirs.property_items(recursive=False)
             if n not in _VOLATILE and n not in ("BEGIN", "END")}
    parts = []
    for name in sorted(mine.keys() | other.keys()):
        a, b = mine.get(name), other.get(name)
        if a is not None and b is not None and _prop_bytes(name, a) == _prop_bytes(name, b):
            continue
        if name in ("DTSTART", "DTEND", "STATUS"):
            parts.append(f"{name} {_shown(a) if a is not None else '(none)'} → "
                         f"{_shown(b) if b is not None else '(none)'}")
        else:
            parts.append(name if a is not None and b is not None
                         else f"{name} {'removed' if b is None else 'added'}")
    na, nb = len(ours.walk("VALARM")), len(theirs.walk("VALARM"))
    if na != nb:
        parts.append(f"{na} alarm(s) → {nb}")
    elif [_canonical_alarm(a) for a in ours.walk("VALARM")] != \
            [_canonical_alarm(a) for a in theirs.walk("VALARM")]:
        parts.append("alarms")
    return "; ".join(parts) or "formatting only"


def _canonical_alarm(alarm: icalendar.Component) -> list[bytes]:
    return sorted(_prop_bytes(n, v) for n, v in alarm.property_items(recursive=False)
                  if n not in ("BEGIN", "END"))


# ---- recovering a lost record from the object itself ----------------------------------------


#: How the calendars' summaries named a subject before issue 22 (S003; review C9 made it 003):
#: events published then are still recognised when a publish reads them back.
_SUBJECT_BEFORE_ISSUE_22: Final = "S{id}"


def _pattern(template: str) -> re.Pattern[str]:
    """A catalogue template as a regular expression, each ``{field}`` a named group."""
    out, pos = [], 0
    for m in re.finditer(r"\{(\w+)\}", template):
        out.append(re.escape(template[pos:m.start()]))
        out.append(f"(?P<{m.group(1)}>.+?)")
        pos = m.end()
    out.append(re.escape(template[pos:]))
    return re.compile("".join(out) + r"\Z", re.S)


def _fields(lang: str, description: str) -> dict[str, str]:
    """``{field key: value}`` of the description's ``Label: value`` lines."""
    line = _pattern(MESSAGES["value.line"][lang])
    labels = {message(lang, f"field.{k}"): k for k in ("cohort", "dose_level", "visit", "kind")}
    out = {}
    for text in description.splitlines():
        m = line.match(text)
        if m and m.group("label") in labels:
            out[labels[m.group("label")]] = m.group("value")
    return out


def recover_event(obj: ServerObject, *, lang: str, uid_of: object, zone: object,
                  dosing_time: time, duration: timedelta) -> PublishedEvent | None:
    """The record of a visit as ``obj`` (one of our events) shows it, or None if it is not
    recognisably ours: the subject, visit, kind, dose number, cohort and dose level are read
    back from the SUMMARY and DESCRIPTION our exports write (in the study's language), and
    accepted only if they give back the object's UID (``uid_of(subject_id, visit)``)."""
    summary = str(obj.event.get("SUMMARY", ""))
    flagged = _pattern(MESSAGES["summary.flagged"][lang]).match(summary)
    if flagged:
        summary = flagged.group("summary")
    fields = _fields(lang, str(obj.event.get("DESCRIPTION", "")))
    kinds = {message(lang, f"kind.{k.value}"): k for k in EventKind}
    if not {"cohort", "dose_level", "visit", "kind"} <= fields.keys() or \
            fields["kind"] not in kinds:
        return None
    kind = kinds[fields["kind"]]
    subject_pat = _pattern(MESSAGES["subject"][lang])
    dose = _pattern(MESSAGES["summary.dose"][lang]).match(summary)
    plain = _pattern(MESSAGES["summary.visit"][lang]).match(summary)
    m = dose if kind is EventKind.DOSE and dose else plain
    if m is None:
        return None
    # the subject as the summary shows it now (003), else as it did before issue 22 (S003):
    # the one whose UID is the object's
    ids = [sm.group("id") for sm in (subject_pat.match(m.group("subject")),
                                     _pattern(_SUBJECT_BEFORE_ISSUE_22).match(m.group("subject")))
           if sm is not None]
    if not ids:
        return None
    subject_id = next((i for i in ids if callable(uid_of) and uid_of(i, fields["visit"]) == obj.uid),
                      ids[0])
    number = None
    if kind is EventKind.DOSE and dose:
        try:
            number = int(dose.group("n"))
        except ValueError:
            return None
    if callable(uid_of) and uid_of(subject_id, fields["visit"]) != obj.uid:
        return None
    start = obj.event.decoded("DTSTART")
    slot = 0
    if isinstance(start, datetime):
        local = start.astimezone(zone) if zone is not None else start  # type: ignore[arg-type]
        on = local.date()
        gap = local.replace(tzinfo=None) - datetime.combine(on, dosing_time)
        if duration and gap > timedelta(0) and gap % duration == timedelta(0):
            slot = gap // duration
    else:
        on = start
    modified = obj.event.get("LAST-MODIFIED")
    last = modified.dt.astimezone(UTC) if modified is not None and isinstance(
        getattr(modified, "dt", None), datetime) else datetime.min.replace(tzinfo=UTC)
    return PublishedEvent(subject_id=subject_id, visit=fields["visit"], kind=kind,
                          dose_number=number, cohort=fields["cohort"],
                          dose_level=fields["dose_level"], on=on,
                          digest="server:" + obj.etag, sequence=obj.sequence,
                          last_modified=last, cancelled=obj.cancelled, slot=slot)
