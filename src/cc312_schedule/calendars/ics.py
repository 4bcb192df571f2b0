"""iCalendar (.ics) dosing calendars for study nurses: one per subject, one for the site.

Built with the icalendar library (imported only here), one ``VEVENT`` per visit, no
``RRULE``. The policies, each named:

* **Identity.** ``UID`` = uuid5 of (study name, subject id, visit name), never a date, so a
  re-export after a decision updates the event in the nurse's calendar instead of adding one.
* **What was published.** A state file in the study folder (:data:`STATE_FILE`) remembers, per
  UID, a hash of the event's content, its ``SEQUENCE`` and ``LAST-MODIFIED``. Changed content:
  ``SEQUENCE`` + 1 and ``LAST-MODIFIED`` = the generation time; unchanged: both kept.
* **Cancelled visits are kept.** A visit that was published but is no longer in the plan (doses
  removed by a stop or a hold, a review moved) is published as ``STATUS:CANCELLED`` with a
  higher ``SEQUENCE``, and *stays* in every later export (same SEQUENCE while unchanged), so a
  calendar that missed one import still learns of it, at the date and time it had (a dose
  after a review stays at 11:00). It carries no reminder, and its SUMMARY
  says so ("CANCELLED: ..."), because plain clients such as calcurse ignore ``STATUS``.
* **Time.** Timed events start at the site's dosing time (``study.toml`` ``dosing_time``, else
  the protocol's) in the study's IANA zone and last the protocol's duration of elapsed time;
  the calendar carries its own ``VTIMEZONE``, built from the zone data for whole calendar years
  around the events. A dosing time in a daylight-saving gap is written as is; RFC 5545 readers
  then take the offset before the gap (02:30 on 2026-03-29 in Berlin is 03:30 CEST).
  ``all_day`` writes ``VALUE=DATE`` events whose ``DTEND`` is the next day.
* **Reminders** (``study.toml`` ``reminders``): one ``VALARM`` each, as a trigger relative to
  the start; "16:00 the day before" is computed in local time, so on a daylight-saving day it
  is still 16:00. An all-day event starts at local midnight: its "N minutes before" counts
  from the visit's time (the dosing time), never ringing the night before. No reminder for a
  visit recorded done or missed, nor (with the plan's ``today``) one dated before today.
* **One day, several visits.** A subject's visits on one day follow each other, the deciding
  visit first (D28 or a review, then the dose, then EOT and follow-up): the n-th starts n
  durations after the dosing time, and each DESCRIPTION names the day's order.
* **Recorded visits say so.** SUMMARY starts "DONE: " or "MISSED: " once recorded (and
  "PROVISIONAL: ", "CANCELLED: "), so a past visit with nothing recorded looks different.
* **Privacy.** Only subject id, cohort and dose level leave the study: no names, initials,
  birth dates, sex, consent dates, free-text notes, and no disease (the disease-specific score
  is written as the generic "disease activity score", since the score names the disease).
* **Determinism.** ``DTSTAMP`` is ``generated_at`` (an argument); events are sorted by date,
  then UID; same inputs and state give the same bytes.
* **Speed and memory.** icalendar's serialization is the cost (docs/development.md "Performance"): each
  event is serialized once and the same bytes go into its subject's calendar and site.ics
  (a calendar is written as icalendar's head, events and end, byte-identical to
  ``Calendar.to_ical()``). :func:`write_ics` streams: a subject's calendar is written as soon
  as it is built, site.ics is assembled from a spool file, the state file event by event.

This module builds the events and the calendars; the state file is
:mod:`cc312_schedule.calendars.icsstate`'s, the ``VTIMEZONE``
:mod:`cc312_schedule.calendars.vtimezone`'s and the all-or-nothing writing
:mod:`cc312_schedule.calendars.icsfiles`' (their public names are importable from here too).

>>> from datetime import datetime, timezone
>>> from cc312_schedule import load_study, plan_study, example_study_path
>>> study = load_study(example_study_path())
>>> plan = plan_study(study, today=None)   # as `ics` without --today: nothing marked overdue
>>> data = to_ics(study, plan, subject_ids=["003"],
...               generated_at=datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc))
>>> lines = data.decode().splitlines()
>>> [line for line in lines if line.startswith("SUMMARY:003 · Dose 42")]
['SUMMARY:003 · Dose 42 · W21D4 · DL2']
>>> [line for line in lines if line.startswith("DTSTART;TZID")][:1]
['DTSTART;TZID=Asia/Shanghai:20260706T090000']
>>> event_uid("CC312 example study", "003", "W6D4")
'...-...-5...-...-...'
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import tempfile
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import BinaryIO, Final
from zoneinfo import ZoneInfo

import icalendar

from ..core.errors import InvalidStudyError, ScheduleError, StudyFileError, UsageError
from ..core.fileio import StagedFiles
from ..core.l10n import prose_date, window_text
from ..core.messages import Text, message, procedure, regimen_label
from ..core.model import EventKind, EventStatus, PlannedEvent, StudyPlan, SubjectPlan, same_day_order
from ..core.opendays import SiteCalendar
from ..core.protocol import DISEASE_SCORE_ITEM
from ..store.study import Reminder, Study
from .icsfiles import CalendarFiles
from .icsstate import (
    STATE_FILE,
    IcsState,
    IcsStateError,
    PublishedEvent,
    load_ics_state,
    state_json_pieces,
    state_path_of,
    to_state_json,
    write_ics_state,
)
from .vtimezone import ZoneTransition, vtimezone, zone_transitions

__all__ = [
    "STATE_FILE",
    "CalendarContents",
    "CalendarEvent",
    "EventCalendar",
    "EventCalendars",
    "IcsCounts",
    "IcsExport",
    "IcsState",
    "IcsStateError",
    "IcsWritten",
    "PublishedEvent",
    "ZoneTransition",
    "build_calendars",
    "calendar_contents",
    "check_calendar",
    "event_uid",
    "load_ics_state",
    "plan_calendars",
    "state_path_of",
    "to_ics",
    "to_state_json",
    "vtimezone",
    "write_ics",
    "write_ics_state",
    "zone_transitions",
]

#: Fixed namespace of the event UIDs (changing it would duplicate every nurse's events).
UID_NAMESPACE: Final = uuid.UUID("0c3e9a52-5f0b-4a43-9d55-1c2a6e0f3312")
PRODID: Final = "-//cc312-schedule//CC312 dosing calendar//EN"
SITE_FILE: Final = "site.ics"
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
#: iCal STATUS values we write. RFC 5545 spells it CANCELLED; "CANCELED" is refused.
_STATUSES: Final = frozenset({"TENTATIVE", "CONFIRMED", "CANCELLED"})


def event_uid(study_name: str, subject_id: str, visit: str) -> str:
    """The event's UID: uuid5 of study, subject and visit names (never a date)."""
    return str(uuid.uuid5(UID_NAMESPACE, "\x1f".join((study_name, subject_id, visit))))


# --------------------------------------------------------------------------------------
# Building calendars (pure)


@dataclass(frozen=True, slots=True, kw_only=True)
class IcsCounts:
    """What an export changed, and the state to record (shared by both results below)."""

    state: IcsState
    new: int = 0
    updated: int = 0
    cancelled: int = 0  # newly cancelled in this export
    unchanged: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class IcsExport(IcsCounts):
    """The result of :func:`plan_calendars`: calendars as bytes, and the state to record."""

    files: tuple[tuple[str, bytes], ...]  # (file name, calendar): each subject, then site.ics
    calendar: bytes  # the one calendar of the selection (the subject's if only one)


@dataclass(frozen=True, slots=True, kw_only=True)
class IcsWritten(IcsCounts):
    """The result of :func:`write_ics`: the files written (not their bytes), the state, counts."""

    paths: tuple[Path, ...]  # each subject's calendar, then site.ics when nothing was filtered


@dataclass(frozen=True, slots=True, kw_only=True)
class _Options:
    lang: str
    study_name: str
    site: str
    tz: ZoneInfo
    dosing_time: time
    duration: timedelta
    all_day: bool
    reminders: tuple[Reminder, ...]
    stamp: datetime
    folder: str
    today: date | None = None  # the plan's "today": visits before it carry no reminder
    calendar: SiteCalendar | None = None  # the site's open days ("the working day before")
    refresh: timedelta | None = None  # feeds: REFRESH-INTERVAL and X-PUBLISHED-TTL
    # days the site is open although it usually is not (调休上班, review C14): marked on the date
    open_days: Mapping[date, Text] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class _EventData:
    """One event's content as plain values: everything but DTSTAMP, SEQUENCE, LAST-MODIFIED."""

    uid: str
    on: date
    start: date | datetime
    end: date | datetime
    summary: str
    description: str
    location: str
    status: str  # TENTATIVE, CONFIRMED or CANCELLED
    alarms: tuple[tuple[timedelta, str], ...]  # (trigger relative to the start, text)
    digest: str  # sha256 of the above as JSON (see _event_data)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Built:
    uid: str
    on: date
    ical: bytes  # the serialized VEVENT, exactly as icalendar writes it inside a VCALENDAR
    published: PublishedEvent
    status: str  # "new", "updated", "cancelled", "unchanged"


@dataclass(frozen=True, slots=True, kw_only=True)
class _Calendars:
    """What :func:`_build` hands out: one subject's calendar, or the site's orphans."""

    subject: SubjectPlan | None  # None: events of subjects no longer in subjects.csv
    built: list[_Built]  # sorted by date, then UID
    retired: str | None = None  # a subject retired on purpose: its own calendar, all cancelled


def _options(study: Study, generated_at: datetime, all_day: bool, *, today: date | None = None,
             refresh: timedelta | None = None) -> _Options:
    if generated_at.tzinfo is None or generated_at.utcoffset() is None:
        raise UsageError("generated-at needs a time zone", key="--generated-at",
                         value=generated_at.isoformat(), hint="e.g. 2026-11-25T08:00:00Z")
    cfg = study.config
    return _Options(
        lang=cfg.language, study_name=cfg.name, site=cfg.site, tz=ZoneInfo(cfg.timezone),
        dosing_time=cfg.dosing_time or study.protocol.dosing_time,
        duration=timedelta(minutes=study.protocol.dosing_duration_minutes), all_day=all_day,
        reminders=cfg.reminders, stamp=generated_at.astimezone(UTC).replace(microsecond=0),
        folder=study.folder, today=today, refresh=refresh, calendar=study.calendar,
        open_days={d: t for d in (study.calendar.open_days if study.calendar else ())
                   if (t := study.calendar.open_text(d)) is not None} if study.calendar else {})


def vanished_subjects(study: Study, state: IcsState, *,
                      retire: Sequence[str] = ()) -> list[ScheduleError]:
    """Subjects whose calendars were published (an event not cancelled in ``state``) but that
    ``subjects.csv`` no longer has, unless retired on purpose (``retire``); and ``retire`` ids
    that cannot be retired. A subject never vanishes silently: its nurses follow its calendar.

    A spreadsheet that stripped leading zeros (``001`` saved as ``1``) is named as the likely
    cause.
    """
    present = {s.subject_id for s in study.subjects}
    live = {pub.subject_id for pub in state.events.values() if not pub.cancelled}
    published = {pub.subject_id for pub in state.events.values()}
    path = Path(study.folder or ".") / "subjects.csv"
    out: list[ScheduleError] = []
    for sid in sorted(live - present - set(retire)):
        stripped = sid.lstrip("0")
        hint = (f"restore the row of subject {sid}, or retire it on purpose with "
                f"`cc312-schedule ics STUDY -o DIR --retire {sid}` (its calendar is then "
                "rewritten with every event cancelled)")
        if stripped != sid and stripped in present:
            hint = (f"subjects.csv has {stripped!r}: a spreadsheet program may have stripped the "
                    f"leading zeros; restore {sid!r} (save the column as text)")
        out.append(StudyFileError(f"subject {sid} has published calendars but is missing from "
                                  "subjects.csv", path=path, column="subject_id", value=sid,
                                  hint=hint))
    for sid in retire:
        if sid in present:
            out.append(UsageError("subject is still in subjects.csv", key="--retire", value=sid,
                                  hint="remove its row first, or do not retire it"))
        elif sid not in published:
            out.append(UsageError("no calendar of this subject was ever published", key="--retire",
                                  value=sid, hint="check the subject id"))
    return out


def _check_vanished(study: Study, state: IcsState, retire: Sequence[str]) -> None:
    problems = vanished_subjects(study, state, retire=retire)
    if problems:
        raise InvalidStudyError(problems)


def _build(study: Study, selected: Sequence[SubjectPlan], state: IcsState,
           opts: _Options, retire: Sequence[str] = ()) -> Iterator[_Calendars]:
    """Each selected subject's events, one subject at a time (so a writer can stream them).

    Then each subject retired on purpose (``retire``): its own calendar, every event
    cancelled. Then, when every subject is selected, the events of subjects removed from
    subjects.csv (cancelled, for site.ics only).
    """
    by_subject: dict[str, list[tuple[str, PublishedEvent]]] = {}
    for uid, pub in sorted(state.events.items()):
        by_subject.setdefault(pub.subject_id, []).append((uid, pub))
    for sid in sorted(set(retire)):
        built = [_finish(_cancelled_event(uid, pub, opts), pub, pub, opts, cancelled=True)
                 for uid, pub in by_subject.get(sid, ())]
        built.sort(key=lambda b: (b.on, b.uid))
        yield _Calendars(subject=None, built=built, retired=sid)
    for sp in selected:
        built = []
        live = set()
        days = same_day_order(sp.events)
        for e in sp.events:
            uid = event_uid(opts.study_name, sp.subject_id, e.visit)
            live.add(uid)
            order = days.get(e.visit, ())
            built.append(_finish(_live_event(uid, sp, e, opts, order),
                                 _published_of(sp, e, order.index(e.visit) if order else 0),
                                 state.events.get(uid), opts))
        for uid, pub in by_subject.get(sp.subject_id, ()):
            if uid not in live:
                built.append(_finish(_cancelled_event(uid, pub, opts), pub, pub, opts,
                                     cancelled=True))
        built.sort(key=lambda b: (b.on, b.uid))
        yield _Calendars(subject=sp, built=built)
    if len(selected) == len(study.subjects):
        ids = {sp.subject_id for sp in selected} | set(retire)
        orphans = [_finish(_cancelled_event(uid, pub, opts), pub, pub, opts, cancelled=True)
                   for uid, pub in sorted(state.events.items()) if pub.subject_id not in ids]
        if orphans:
            orphans.sort(key=lambda b: (b.on, b.uid))
            yield _Calendars(subject=None, built=orphans)


#: Visits of one subject on one day, in the order they happen: the assessment or review that
#: decides first, then the dose, then end of treatment and follow-up.
def _subject_name(sp: SubjectPlan, opts: _Options) -> str:
    return message(opts.lang, "calendar.subject", study=opts.study_name,
                   subject=message(opts.lang, "subject", id=sp.subject_id),
                   cohort=sp.subject.cohort, dose_level=sp.subject.dose_level)


def _retired_name(cal: _Calendars, state: IcsState, opts: _Options) -> str:
    pub = next(p for p in state.events.values() if p.subject_id == cal.retired)
    return message(opts.lang, "calendar.subject", study=opts.study_name,
                   subject=message(opts.lang, "subject", id=pub.subject_id),
                   cohort=pub.cohort, dose_level=pub.dose_level)


def _combined_name(study: Study, selected: Sequence[SubjectPlan], opts: _Options) -> str:
    everyone = len(selected) == len(study.subjects)
    label = ("calendar.site" if everyone else "calendar.selection")
    subjects = ", ".join(message(opts.lang, "subject", id=sp.subject_id) for sp in selected)
    return message(opts.lang, label, study=opts.study_name, site=opts.site or "-",
                   subjects=subjects)


def _state_and_counts(state: IcsState, built: Iterable[_Built]) -> tuple[IcsState, dict[str, int]]:
    events = dict(state.events)
    counts = dict.fromkeys(("new", "updated", "cancelled", "unchanged"), 0)
    for b in built:
        events[b.uid] = b.published
        counts[b.status] += 1
    return IcsState(events=dict(sorted(events.items()))), counts


def plan_calendars(study: Study, plan: StudyPlan, *, generated_at: datetime,
                   state: IcsState | None = None, all_day: bool = False,
                   subject_ids: Sequence[str] | None = None,
                   cohorts: Sequence[str] | None = None, retire: Sequence[str] = (),
                   refresh: timedelta | None = None) -> IcsExport:
    """Build every calendar of the selection and the new state; pure (no clock, no files).

    ``generated_at`` (timezone-aware) becomes ``DTSTAMP`` and the ``LAST-MODIFIED`` of changed
    events. ``subject_ids`` and ``cohorts`` filter (both given: subjects in both). ``site.ics``
    (every subject) is among ``files`` only when nothing is filtered out, so a partial export
    never replaces the site calendar. A subject published before but missing from
    subjects.csv is refused (:func:`vanished_subjects`) unless ``retire`` names it.
    ``refresh``: as :func:`write_ics`'s (the desk serves feeds built here).
    """
    opts = _options(study, generated_at, all_day, today=plan.today, refresh=refresh)
    state = state or IcsState()
    selected = _select(study, plan, subject_ids, cohorts)
    _check_vanished(study, state, retire)
    everyone = len(selected) == len(study.subjects)
    files: list[tuple[str, bytes]] = []
    every: list[_Built] = []
    for cal in _build(study, selected, state, opts, retire):
        if cal.subject is not None:
            files.append((f"subject-{cal.subject.subject_id}.ics",
                          b"".join(_calendar(_subject_name(cal.subject, opts), cal.built, opts))))
        elif cal.retired is not None:
            files.append((f"subject-{cal.retired}.ics",
                          b"".join(_calendar(_retired_name(cal, state, opts), cal.built, opts))))
        every += cal.built
    new_state, counts = _state_and_counts(state, every)
    if len(selected) == 1 and not everyone:
        combined = files[0][1]
    else:
        every.sort(key=lambda b: (b.on, b.uid))
        combined = b"".join(_calendar(_combined_name(study, selected, opts), every, opts))
    if everyone:
        files.append((SITE_FILE, combined))
    return IcsExport(files=tuple(files), calendar=combined, state=new_state, **counts)


def to_ics(study: Study, plan: StudyPlan, *, generated_at: datetime, state: IcsState | None = None,
           all_day: bool = False, subject_ids: Sequence[str] | None = None,
           cohorts: Sequence[str] | None = None) -> bytes:
    """One calendar: every selected subject (the subject's own calendar if only one)."""
    return plan_calendars(study, plan, generated_at=generated_at, state=state, all_day=all_day,
                          subject_ids=subject_ids, cohorts=cohorts).calendar


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarEvent:
    """One event as the files carry it (CalDAV publishing stores each event on its own)."""

    uid: str
    on: date
    vevent: bytes  # the serialized VEVENT, the same bytes the .ics files carry
    published: PublishedEvent  # what to record: its digest, SEQUENCE, cancelled
    change: str  # against the state: "new", "updated", "cancelled" or "unchanged"


@dataclass(frozen=True, slots=True, kw_only=True)
class EventCalendar:
    """One calendar of :func:`build_calendars`: a subject's, or the site's (``subject_id`` "")."""

    subject_id: str
    name: str  # the display name (X-WR-CALNAME of the files)
    events: tuple[CalendarEvent, ...]  # sorted by date, then UID


@dataclass(frozen=True, slots=True, kw_only=True)
class EventCalendars(IcsCounts):
    """The calendars of :func:`build_calendars` and the state to record once published."""

    calendars: tuple[EventCalendar, ...]  # each selected subject, then the site
    _opts: _Options

    @property
    def zone(self) -> ZoneInfo:
        """The study's time zone (the calendars' ``VTIMEZONE``)."""
        return self._opts.tz

    def resource(self, event: CalendarEvent, name: str) -> bytes:
        """A ``VCALENDAR`` of one event (with its ``VTIMEZONE``): a CalDAV object resource."""
        return b"".join(_calendar_pieces(name, event.on, event.on, [event.vevent], self._opts,
                                         method=False))


def build_calendars(study: Study, plan: StudyPlan, *, generated_at: datetime,
                    state: IcsState | None = None, all_day: bool = False,
                    subject_ids: Sequence[str] | None = None,
                    retire: Sequence[str] = ()) -> EventCalendars:
    """The events of :func:`plan_calendars` grouped by calendar, for a server (pure).

    The same code path as the files (:func:`_build`, :func:`_finish`): the same UIDs,
    SEQUENCEs, cancelled events and reminders. The site calendar holds every selected
    subject's events (and, when every subject is selected, those of subjects removed from
    subjects.csv, cancelled). A subject retired on purpose (``retire``, as for
    :func:`plan_calendars`) gets its own calendar, every event cancelled.
    """
    opts = _options(study, generated_at, all_day, today=plan.today)
    state = state or IcsState()
    selected = _select(study, plan, subject_ids, None)
    _check_vanished(study, state, retire)
    calendars: list[EventCalendar] = []
    every: list[_Built] = []
    for cal in _build(study, selected, state, opts, retire):
        if cal.subject is not None:
            calendars.append(EventCalendar(
                subject_id=cal.subject.subject_id, name=_subject_name(cal.subject, opts),
                events=tuple(_event_of(b) for b in cal.built)))
        elif cal.retired is not None:  # its own calendar too, every event cancelled
            calendars.append(EventCalendar(
                subject_id=cal.retired, name=_retired_name(cal, state, opts),
                events=tuple(_event_of(b) for b in cal.built)))
        every += cal.built
    new_state, counts = _state_and_counts(state, every)
    every.sort(key=lambda b: (b.on, b.uid))
    calendars.append(EventCalendar(
        subject_id="", name=_combined_name(study, selected, opts),
        events=tuple(_event_of(b) for b in every)))
    return EventCalendars(calendars=tuple(calendars), state=new_state, _opts=opts, **counts)


def _event_of(b: _Built) -> CalendarEvent:
    return CalendarEvent(uid=b.uid, on=b.on, vevent=b.ical, published=b.published,
                         change=b.status)


def _select(study: Study, plan: StudyPlan, subject_ids: Sequence[str] | None,
            cohorts: Sequence[str] | None) -> list[SubjectPlan]:
    known = [sp.subject_id for sp in plan]
    for sid in subject_ids or ():
        if sid not in known:
            raise UsageError("unknown subject", key="--subject", value=sid,
                             hint=f"known subjects: {', '.join(known)}")
    all_cohorts = sorted({sp.subject.cohort for sp in plan})
    for c in cohorts or ():
        if c not in all_cohorts:
            raise UsageError("unknown cohort", key="--cohort", value=c,
                             hint=f"known cohorts: {', '.join(all_cohorts)}")
    selected = [sp for sp in plan
                if (subject_ids is None or sp.subject_id in subject_ids)
                and (cohorts is None or sp.subject.cohort in cohorts)]
    if not selected:
        raise UsageError("no subject matches both --subject and --cohort",
                         hint="drop one of the filters")
    for sp in selected:
        if not _SAFE_ID.fullmatch(sp.subject_id):
            raise UsageError("subject id cannot name a calendar file", key="subject_id",
                             value=sp.subject_id, hint="use letters, digits, '.', '_' or '-'")
    return selected


def _published_of(sp: SubjectPlan, e: PlannedEvent, slot: int = 0) -> PublishedEvent:
    return PublishedEvent(subject_id=sp.subject_id, visit=e.visit, kind=e.kind,
                          dose_number=e.dose_number, cohort=sp.subject.cohort,
                          dose_level=sp.subject.dose_level, on=e.date, digest="", sequence=0,
                          last_modified=datetime.min.replace(tzinfo=UTC), slot=slot)


def _summary(opts: _Options, subject_id: str, kind: EventKind, visit: str,
             dose_number: int | None, dose_level: str, flag: str | None) -> str:
    subject = message(opts.lang, "subject", id=subject_id)
    if kind is EventKind.DOSE and dose_number is not None:
        text = message(opts.lang, "summary.dose", subject=subject, n=dose_number, visit=visit,
                       dose_level=dose_level)
    else:
        text = message(opts.lang, "summary.visit", subject=subject, visit=visit,
                       kind=message(opts.lang, f"kind.{kind.value}"), dose_level=dose_level)
    if flag:
        text = message(opts.lang, "summary.flagged", flag=message(opts.lang, f"flag.{flag}"),
                       summary=text)
    return text


def _times(on: date, opts: _Options, slot: int = 0) -> tuple[date | datetime, date | datetime]:
    """Start and end; ``slot`` n > 0 (the n-th visit of the subject that day) starts n
    durations after the dosing time, so same-day visits follow each other."""
    if opts.all_day:
        return on, on + timedelta(days=1)
    # wall-clock arithmetic: the dosing time is written as is (even in a DST gap)
    start = datetime.combine(on, opts.dosing_time, tzinfo=opts.tz) + slot * opts.duration
    return start, (start.astimezone(UTC) + opts.duration).astimezone(opts.tz)


def _reminder_day(reminder: Reminder, on: date, opts: _Options) -> date:
    """The day a clock-time reminder rings: ``days_before`` calendar days before the visit, or
    with ``working_days`` the site's open days (the previous working day; without a site
    calendar every day is open, as for the planning)."""
    if reminder.working_days and reminder.days_before and opts.calendar is not None:
        return opts.calendar.open_day_before(on, reminder.days_before)
    return on - timedelta(days=reminder.days_before)


def _trigger(reminder: Reminder, on: date, start: date | datetime, opts: _Options,
             slot: int = 0) -> timedelta:
    """The alarm's offset from the event's start (negative: before).

    For an all-day event (which starts at local midnight) "N minutes before" counts from the
    site's dosing time on that day (plus the slot's offset), not from midnight: "60 minutes
    before" a 09:00 dosing time rings at 08:00, never at 23:00 the night before.
    """
    if not isinstance(start, datetime):
        midnight = datetime.combine(on, time(0))
        if reminder.before is not None:
            visit_time = datetime.combine(on, opts.dosing_time) + slot * opts.duration
            return visit_time - reminder.before - midnight
        assert reminder.at is not None
        return datetime.combine(_reminder_day(reminder, on, opts), reminder.at) - midnight
    if reminder.before is not None:
        return -reminder.before
    assert reminder.at is not None
    day = _reminder_day(reminder, on, opts)
    when = datetime.combine(day, reminder.at, tzinfo=opts.tz)
    return when.astimezone(UTC) - start.astimezone(UTC)


def _procedures(items: Iterable[str]) -> list[str]:
    # "disease activity score (SLEDAI-2K)" names the subject's disease: keep the generic item.
    return [DISEASE_SCORE_ITEM if i.startswith(DISEASE_SCORE_ITEM + " (") else i for i in items]


def _line(opts: _Options, key: str, value: object) -> str:
    return message(opts.lang, "value.line", label=message(opts.lang, f"field.{key}"), value=value)


def _marked_date(opts: _Options, day: date) -> str:
    """``2026-10-10（周六） · 调休上班``: a visit on a day the site usually is closed says why it
    is open (review C14); other days as prose dates."""
    why = opts.open_days.get(day)
    text = prose_date(opts.lang, day)
    return text if why is None else message(opts.lang, "value.open_day", date=text,
                                            open=why.render(opts.lang))


def _live_event(uid: str, sp: SubjectPlan, e: PlannedEvent, opts: _Options,
                day_order: tuple[str, ...] = ()) -> _EventData:
    lang = opts.lang
    flag = {EventStatus.PROVISIONAL: "provisional", EventStatus.MISSED: "missed",
            EventStatus.DONE: "done", EventStatus.OVERDUE: "overdue"}.get(e.status)
    # left on a closed day (no open day in its window): the study team gives the date, as the
    # participant's schedule says; tentative, and no reminder to call about a closed day
    to_confirm = (e.status in (EventStatus.PLANNED, EventStatus.PROVISIONAL)
                  and opts.calendar is not None and not opts.calendar.is_open(e.planned_date))
    if to_confirm and flag is None:
        flag = "tbc"
    summary = _summary(opts, sp.subject_id, e.kind, e.visit, e.dose_number,
                       sp.subject.dose_level, flag)
    none = message(lang, "value.none")
    lines = [
        _line(opts, "cohort", sp.subject.cohort),
        _line(opts, "dose_level", sp.subject.dose_level),
        _line(opts, "visit", e.visit),
        _line(opts, "kind", message(lang, f"kind.{e.kind.value}")),
        _line(opts, "study_day", e.study_day.value),
        _line(opts, "week", e.week),
        _line(opts, "target_date", prose_date(lang, e.target_date)),
        _line(opts, "planned_date", _marked_date(opts, e.planned_date)),
    ]
    if e.reason:  # the site calendar moved it (a closed day, capacity): dates only, no PII
        lines.append(_line(opts, "reason", e.reason_in(lang)))
    if e.actual_date is not None:
        lines.append(_line(opts, "actual_date", _marked_date(opts, e.actual_date)))
    if day_order:
        lines.append(_line(opts, "order", _order_text(lang, day_order, sp)))
    lines += [
        _line(opts, "window", _window_text(lang, e.window_start, e.window_end)),
        _line(opts, "procedures", message(lang, "procedure.list_separator").join(
            procedure(lang, p) for p in _procedures(e.procedures)) or none),
        _line(opts, "regimen", regimen_label(lang, e.regimen) if e.regimen else none),
        _line(opts, "status", message(lang, f"status.{e.status.value}")),
    ]
    folder = opts.folder.rstrip(os.sep) + os.sep if opts.folder else None
    for w in sp.warnings:
        if w.visit == e.visit:
            text = w.render(lang)
            text = text.replace(folder, "") if folder else text  # no local paths
            lines.append(_line(opts, "warning", text))
    status = "TENTATIVE" if e.status is EventStatus.PROVISIONAL or to_confirm else "CONFIRMED"
    # No reminder for what is behind the nurse: a visit recorded done or missed, or one
    # dated before the plan's "today" (given with --today).
    past = opts.today is not None and e.date < opts.today
    alarms = e.status not in (EventStatus.DONE, EventStatus.MISSED) and not past and not to_confirm
    slot = day_order.index(e.visit) if day_order else 0
    return _event_data(uid, e.date, summary, "\n".join(lines), status, opts, alarms=alarms,
                       slot=slot)


def _window_text(lang: str, start: date, end: date) -> str:
    """``2026-07-06（周一）至 2026-07-08（周三）``; a one-day window ``仅限 2026-07-06（周一）当天``
    (review D5)."""
    return window_text(lang, start, end, lambda d: prose_date(lang, d))


def _order_text(lang: str, day_order: tuple[str, ...], sp: SubjectPlan) -> str:
    """The day's visits in order, each with its kind (review D6):
    ``先 REV-W20（定期评估），后 W21D1（给药）`` / ``first REV-W20 (review), then W21D1 (dose)``."""
    kinds = {e.visit: e.kind for e in sp.events}
    items = [message(lang, "value.order.item", visit=v,
                     kind=message(lang, f"order.kind.{kinds[v].value}")) for v in day_order]
    words = ["value.order.first", *["value.order.then"] * (len(items) - 2), "value.order.last"]
    return message(lang, "value.order.sep").join(
        message(lang, w, item=i) for w, i in zip(words, items, strict=True))


def _cancelled_event(uid: str, pub: PublishedEvent,
                     opts: _Options) -> _EventData:
    summary = _summary(opts, pub.subject_id, pub.kind, pub.visit, pub.dose_number,
                       pub.dose_level, "cancelled")
    lines = [
        _line(opts, "cohort", pub.cohort),
        _line(opts, "dose_level", pub.dose_level),
        _line(opts, "visit", pub.visit),
        _line(opts, "kind", message(opts.lang, f"kind.{pub.kind.value}")),
        _line(opts, "planned_date", prose_date(opts.lang, pub.on)),
        _line(opts, "status", message(opts.lang, "status.cancelled")),
        message(opts.lang, "text.cancelled"),
    ]
    # at the time it had (pub.slot): a dose after a review stays at 11:00, not 09:00
    return _event_data(uid, pub.on, summary, "\n".join(lines), "CANCELLED", opts, alarms=False,
                       slot=pub.slot)


def _event_data(uid: str, on: date, summary: str, description: str, status: str,
                opts: _Options, *, alarms: bool, slot: int = 0) -> _EventData:
    """The event's content (all but DTSTAMP, SEQUENCE, LAST-MODIFIED) and its digest.

    The digest is a SHA-256 of the content as plain JSON, not of icalendar's output, so a new
    icalendar release that formats differently does not bump every SEQUENCE. What
    :func:`check_calendar` refuses cannot come out: the STATUS is checked here, once per
    event, and times are always in ``opts.tz`` (a ZoneInfo), whose VTIMEZONE every calendar
    with timed events carries (:func:`_calendar_pieces`); the tests run check_calendar on
    the exported calendars.
    """
    start, end = _times(on, opts, slot)
    if status not in _STATUSES:
        raise AssertionError(f"STATUS {status!r} (RFC 5545 spells CANCELLED)")
    pairs = [(_trigger(r, on, start, opts, slot), _alarm_text(r, on, summary, opts))
             for r in opts.reminders] if alarms else []
    content = {"uid": uid, "start": start.isoformat(), "end": end.isoformat(),
               "zone": "" if opts.all_day else opts.tz.key, "summary": summary,
               "description": description, "location": opts.site, "status": status,
               "alarms": [[t.total_seconds(), text] for t, text in pairs]}
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True).encode()
    return _EventData(uid=uid, on=on, start=start, end=end, summary=summary,
                      description=description, location=opts.site, status=status,
                      alarms=tuple(pairs), digest=hashlib.sha256(canonical).hexdigest())


def _alarm_text(reminder: Reminder, on: date, summary: str, opts: _Options) -> str:
    """What the reminder says: on an earlier day, the visit's date and "remind the participant"
    (the nurse calls or messages them, review D7); on the day, "Reminder: …"."""
    if reminder.at is not None and reminder.days_before > 0:
        return message(opts.lang, "alarm.ahead", day=prose_date(opts.lang, on), summary=summary)
    return message(opts.lang, "alarm", summary=summary)


def _to_event(d: _EventData, *, stamp: datetime, modified: datetime,
              sequence: int) -> icalendar.Event:
    """The ``VEVENT`` of ``d``, built with icalendar."""
    ev = icalendar.Event()
    ev.add("uid", d.uid)
    ev.add("dtstart", d.start)
    ev.add("dtend", d.end)
    ev.add("summary", d.summary)
    ev.add("description", d.description)
    if d.location:
        ev.add("location", d.location)
    ev.add("status", d.status)
    ev.add("transp", "OPAQUE")
    ev.add("class", "PRIVATE")
    for trigger, text in d.alarms:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", trigger)
        alarm.add("description", text)
        ev.add_component(alarm)
    ev.add("dtstamp", stamp)
    ev.add("last-modified", modified)
    ev.add("sequence", sequence)
    return ev


def _finish(d: _EventData, pub: PublishedEvent, prev: PublishedEvent | None, opts: _Options,
            *, cancelled: bool = False) -> _Built:
    if prev is None:
        seq, modified, status = 0, opts.stamp, "new"
    elif prev.digest == d.digest:
        seq, modified, status = prev.sequence, prev.last_modified, "unchanged"
    else:
        seq, modified = prev.sequence + 1, opts.stamp
        status = "cancelled" if cancelled else "updated"
    # Serialized once here: the subject's calendar and site.ics carry the same bytes.
    ical: bytes = _to_event(d, stamp=opts.stamp, modified=modified, sequence=seq).to_ical()
    published = PublishedEvent(
        subject_id=pub.subject_id, visit=pub.visit, kind=pub.kind, dose_number=pub.dose_number,
        cohort=pub.cohort, dose_level=pub.dose_level, on=pub.on, digest=d.digest, sequence=seq,
        last_modified=modified, cancelled=cancelled, slot=pub.slot)
    return _Built(uid=d.uid, on=pub.on, ical=ical, published=published, status=status)


_END: Final = b"END:VCALENDAR\r\n"


def _calendar(name: str, built: Sequence[_Built], opts: _Options) -> Iterator[bytes]:
    """A whole calendar of ``built`` (sorted), in pieces: see :func:`_calendar_pieces`."""
    first = min((b.on for b in built), default=None)
    last = max((b.on for b in built), default=None)
    return _calendar_pieces(name, first, last, (b.ical for b in built), opts)


def _calendar_pieces(name: str, first: date | None, last: date | None,
                     events: Iterable[bytes], opts: _Options, *,
                     method: bool = True) -> Iterator[bytes]:
    """A calendar written in pieces, each serialized by icalendar: the head, every event, the end.

    The head is icalendar's serialization of the calendar's properties and ``VTIMEZONE``
    without its ``END:VCALENDAR`` line, the events are each ``VEVENT``'s own serialization
    (what ``Calendar.to_ical`` writes for it, byte for byte), so the joined pieces equal
    ``Calendar.to_ical()`` of the whole calendar, but no calendar of every event is ever held
    in memory, and an event shared by two calendars is serialized once.
    ``first`` and ``last`` are the events' first and last dates (None: no events).
    ``method=False``: no ``METHOD`` (a CalDAV object resource must not have one, RFC 4791 4.1).
    """
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", "PUBLISH")
    # X- properties are not known to be TEXT: say so, or commas and newlines go out unescaped
    cal.add("x-wr-calname", icalendar.vText(name))
    cal.add("x-wr-caldesc", icalendar.vText(message(opts.lang, "calendar.description")))
    if opts.refresh is not None:  # a subscription feed (RFC 7986 section 5.7; Outlook's TTL)
        interval = icalendar.vDuration(opts.refresh)
        interval.params["VALUE"] = "DURATION"
        cal.add("refresh-interval", interval)
        cal.add("x-published-ttl", icalendar.vDuration(opts.refresh))
    if first is not None and last is not None and not opts.all_day:
        cal.add_component(vtimezone(opts.tz, date(first.year - 1, 12, 1),
                                    date(last.year + 1, 1, 31)))
    head: bytes = cal.to_ical()
    assert head.endswith(_END)
    yield head[:-len(_END)]
    yield from events
    yield _END



def check_calendar(cal: icalendar.Calendar) -> None:
    """Refuse what icalendar accepts silently: ``CANCELED``, floating times, fixed offsets.

    Raises :class:`AssertionError` (a bug in this module, not bad input). Every
    ``DTSTART``/``DTEND`` must be a date or a datetime in a :class:`ZoneInfo` zone whose
    ``VTIMEZONE`` the calendar carries; every ``STATUS`` one of TENTATIVE, CONFIRMED, CANCELLED.

    >>> from datetime import datetime, timezone, timedelta
    >>> cal = icalendar.Calendar()
    >>> ev = icalendar.Event()
    >>> ev.add("dtstart", datetime(2026, 3, 29, 9, tzinfo=timezone(timedelta(hours=2))))
    >>> cal.add_component(ev)
    >>> check_calendar(cal)
    Traceback (most recent call last):
    ...
    AssertionError: DTSTART 2026-03-29 09:00:00+02:00 is not in an IANA zone (ZoneInfo)
    """
    zones = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    for ev in cal.walk("VEVENT"):
        status = str(ev.get("STATUS", "CONFIRMED"))
        if status not in _STATUSES:
            raise AssertionError(f"STATUS {status!r} (RFC 5545 spells CANCELLED)")
        for prop in ("DTSTART", "DTEND"):
            if prop not in ev:
                raise AssertionError(f"event without {prop}")
            value = ev.decoded(prop)
            if not isinstance(value, datetime):
                continue
            if value.tzinfo is None:
                raise AssertionError(f"{prop} {value} is a floating (naive) time")
            if not isinstance(value.tzinfo, ZoneInfo):
                raise AssertionError(f"{prop} {value} is not in an IANA zone (ZoneInfo)")
            if value.tzinfo.key not in zones:
                raise AssertionError(f"{prop} uses TZID {value.tzinfo.key} without a VTIMEZONE")


# --------------------------------------------------------------------------------------
# Writing



def write_ics(study: Study, plan: StudyPlan, out_dir: str | Path, *, generated_at: datetime,
              all_day: bool = False, subject_ids: Sequence[str] | None = None,
              cohorts: Sequence[str] | None = None,
              state_path: str | Path | None = None, retire: Sequence[str] = (),
              refresh: timedelta | None = None,
              file_names: Mapping[str, str] | None = None) -> IcsWritten:
    """Write ``subject-<id>.ics`` per subject and ``site.ics``, then the state file.

    The same calendars as :func:`plan_calendars`, streamed: each subject's calendar goes to
    disk as soon as it is built, and site.ics is assembled from a spool of serialized events,
    so memory does not grow with the calendars' size (only the state does).

    All or nothing: every file is first written to a temporary name beside its target, then
    renamed, the state file last. Bad input, an unwritable folder or a corrupt state file
    raise a :class:`ScheduleError` and leave the previous calendars and state as they were.

    Feeds (:mod:`cc312_schedule.calendars.feed`) pass ``refresh`` (REFRESH-INTERVAL and
    X-PUBLISHED-TTL in every calendar) and ``file_names`` (subject id, or ``""`` for the
    site calendar, to a file name) instead of ``subject-<id>.ics`` and ``site.ics``.
    """
    spath = Path(state_path) if state_path is not None else state_path_of(study)
    state = load_ics_state(spath)
    opts = _options(study, generated_at, all_day, today=plan.today, refresh=refresh)
    selected = _select(study, plan, subject_ids, cohorts)
    _check_vanished(study, state, retire)
    everyone = len(selected) == len(study.subjects)
    out = _output_folder(out_dir)
    with CalendarFiles() as staging, tempfile.TemporaryFile(dir=out) as spool:
        site: list[_Spooled] | None = [] if everyone else None
        published = _stage_subjects(staging, out, _build(study, selected, state, opts, retire),
                                    state, opts, file_names, spool, site)
        if site is not None:
            staging.stage(out / (file_names[""] if file_names else SITE_FILE), _site_calendar(
                _combined_name(study, selected, opts), site, spool, opts))
        new_state, counts = _state_and_counts(state, published)
        staging.stage(spath, state_json_pieces(new_state))
        paths = staging.commit()
    return IcsWritten(paths=paths[:-1], state=new_state, **counts)


def _output_folder(out_dir: str | Path) -> Path:
    """The output folder, created if missing (a usage error if it cannot be)."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the output folder: {exc.strerror}", key="-o",
                         value=str(out), hint="choose a writable folder") from None
    return out


#: An event of site.ics in the spool: (date, UID, offset, length).
_Spooled = tuple[date, str, int, int]


def _stage_subjects(staging: StagedFiles, out: Path, calendars: Iterable[_Calendars],
                    state: IcsState, opts: _Options, file_names: Mapping[str, str] | None,
                    spool: BinaryIO, site: list[_Spooled] | None) -> list[_Built]:
    """Stage each subject's calendar as soon as it is built; spool its events for site.ics
    (``site`` None: no site.ics) and return what was published, without the bytes."""
    published: list[_Built] = []
    for cal in calendars:
        if cal.subject is not None:
            sid = cal.subject.subject_id
            staging.stage(out / (file_names[sid] if file_names else f"subject-{sid}.ics"),
                          _calendar(_subject_name(cal.subject, opts), cal.built, opts))
        elif cal.retired is not None:
            staging.stage(out / f"subject-{cal.retired}.ics",
                          _calendar(_retired_name(cal, state, opts), cal.built, opts))
        for b in cal.built:
            if site is not None:
                site.append((b.on, b.uid, spool.tell(), len(b.ical)))
                spool.write(b.ical)
            published.append(dataclasses.replace(b, ical=b""))  # drop the bytes
    return published


def _site_calendar(name: str, site: list[_Spooled], spool: BinaryIO,
                   opts: _Options) -> Iterator[bytes]:
    """site.ics in pieces: the spooled events read back by date, then UID."""
    site.sort()

    def events() -> Iterator[bytes]:
        for _, _, offset, length in site:
            spool.seek(offset)
            yield spool.read(length)

    first = site[0][0] if site else None
    last = max((i[0] for i in site), default=None)
    return _calendar_pieces(name, first, last, events(), opts)


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarContents:
    """What ``plan_calendars`` puts into every calendar, as plain values: for tools that rebuild
    the same events another way (``benchmarks/run.py``'s icalendar baseline) or inspect them.

    ``subjects`` holds (subject id, calendar name, events sorted by date then UID); ``site_name``
    names the site calendar; ``tz`` is the study's zone; ``stamp`` the DTSTAMP; ``lang`` the
    language of the calendars' texts."""

    subjects: tuple[tuple[str, str, tuple[_EventData, ...]], ...]
    site_name: str
    lang: str
    tz: ZoneInfo
    stamp: datetime


def calendar_contents(study: Study, plan: StudyPlan, *, generated_at: datetime,
                      all_day: bool = False) -> CalendarContents:
    """The events of every subject's calendar as the export builds them (pure).

    >>> from datetime import UTC, datetime
    >>> from cc312_schedule import example_study_path, load_study, plan_study
    >>> study = load_study(example_study_path())
    >>> c = calendar_contents(study, plan_study(study, today=None),
    ...                       generated_at=datetime(2026, 11, 25, 8, tzinfo=UTC))
    >>> sid, name, events = c.subjects[2]
    >>> sid, events[0].summary, str(c.tz)
    ('003', 'DONE: 003 · Dose 1 · W1D1 · DL2', 'Asia/Shanghai')
    """
    opts = _options(study, generated_at, all_day, today=plan.today)
    subjects = []
    for sp in plan:
        days = same_day_order(sp.events)
        data = sorted((_live_event(event_uid(opts.study_name, sp.subject_id, e.visit), sp, e, opts,
                                   days.get(e.visit, ())) for e in sp.events),
                      key=lambda d: (d.on, d.uid))
        subjects.append((sp.subject_id, _subject_name(sp, opts), tuple(data)))
    return CalendarContents(subjects=tuple(subjects), site_name=_combined_name(study, list(plan), opts),
                            lang=opts.lang, tz=opts.tz, stamp=opts.stamp)

