"""What the engine returns: frozen plans, events and warnings (plain objects, no pandas).

Exporters (CSV, iCal, Excel) read these and never change them. A date has one meaning per field:
``target_date`` is where the protocol puts the visit; ``planned_date`` is where the site plans
it (today the same; the site-calendar work may move it inside the window); ``actual_date`` is
what happened.
"""

from __future__ import annotations

import enum
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .days import StudyDay
from .domain import Subject
from .errors import NotFoundError
from .messages import Text
from .warnings import ScheduleWarning

__all__ = [
    "KIND_ORDER",
    "PENDING",
    "EventKind",
    "EventStatus",
    "Outcome",
    "PlanWarning",
    "PlannedEvent",
    "ProvisionalSummary",
    "StudyPlan",
    "SubjectPlan",
    "SubjectState",
    "days_late",
    "event_order",
    "same_day_order",
    "visit_start",
]


class EventKind(enum.StrEnum):
    DOSE = "dose"
    ASSESSMENT = "assessment"  # the Day 28 continuation assessment
    REVIEW = "review"  # a "decision due" review during or at the end of a continuation
    EOT = "eot"
    FOLLOW_UP = "follow-up"


class EventStatus(enum.StrEnum):
    PLANNED = "planned"
    PROVISIONAL = "provisional"  # planned under --assume: never shown as confirmed
    DONE = "done"
    MISSED = "missed"
    OVERDUE = "overdue"  # planned, its window ended before "today", nothing recorded


#: Statuses of a visit with nothing recorded: the site may still move it inside its window.
PENDING = frozenset({EventStatus.PLANNED, EventStatus.PROVISIONAL, EventStatus.OVERDUE})

def days_late(day: date, window_end: date) -> int | None:
    """How late a visit (or the decision taken at it) is on ``day``: the days past its window's
    last day, ``None`` while the window is open. The one rule for "overdue by N days" on the
    day list, its printed page, its CSV and JSON, and the desk.

    >>> days_late(date(2026, 11, 30), date(2026, 11, 25))
    5
    >>> days_late(date(2026, 11, 25), date(2026, 11, 25)) is None  # its last day: not late
    True
    """
    late = (day - window_end).days
    return late if late > 0 else None


#: Same-day order of the kinds of visit (see :func:`event_order`): the assessment or review
#: where the investigator decides comes before the dose it may call for (D28, then W5D1).
KIND_ORDER = {k: i for i, k in enumerate(
    (EventKind.ASSESSMENT, EventKind.REVIEW, EventKind.DOSE, EventKind.EOT, EventKind.FOLLOW_UP))}


class Outcome(enum.StrEnum):
    """How the subject's plan ends, given the decisions so far.

    Independent of "today", but for :attr:`CAP_REACHED`: a hold or a pending decision ends
    at the cap only once the cap date has passed.
    """

    AWAITING_DECISION = "awaiting decision"
    ON_HOLD = "on hold"
    STOPPED = "stopped"
    WITHDRAWN = "withdrawn"
    TO_CAP = "treated to the cap"
    PROVISIONAL = "provisional to the cap"
    # on hold or awaiting a decision when the cap date passed ("today" after it): the cap ended
    # the treatment; EOT and follow-up are planned as for a stop dated the day after the cap
    CAP_REACHED = "treatment ended at the cap"


class SubjectState(enum.StrEnum):
    """Where the subject stands on a given day (needs "today")."""

    IN_INDUCTION = "in induction"
    AWAITING_DECISION = "awaiting decision"
    CONTINUING = "continuing"
    ON_HOLD = "on hold"
    STOPPED = "stopped"
    IN_FOLLOW_UP = "in follow-up"
    WITHDRAWN = "withdrawn"
    COMPLETE = "complete"
    NOT_STARTED = "not started"


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanWarning:
    """A warning about one subject (and maybe one visit); ``category`` is a warning class."""

    category: type[ScheduleWarning]
    subject_id: str
    message: str  # in English (the CLI's language); ``text`` renders it in any language
    visit: str | None = None
    text: Text | None = None  # the message as a catalogue text: id and fields

    def render(self, lang: str) -> str:
        """The message in ``lang`` (``en``, ``zh-CN``)."""
        return self.text.render(lang) if self.text is not None else self.message

    def __str__(self) -> str:
        where = f"{self.subject_id} {self.visit}" if self.visit else self.subject_id
        return f"{where}: {self.message} [{self.category.__name__}]"


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedEvent:
    """One visit of one subject: a dose, the assessment, a review, EOT or a follow-up."""

    subject_id: str
    visit: str
    kind: EventKind
    study_day: StudyDay
    target_date: date
    planned_date: date
    window_start: date
    window_end: date
    status: EventStatus
    dose_number: int | None = None
    regimen: str | None = None
    actual_date: date | None = None
    procedures: tuple[str, ...] = ()
    deviation: bool = False  # done outside its window
    after_completion: bool = False  # falls after the study completion date
    unplanned: bool = False  # recorded, but not part of the current plan
    note: str = ""
    reason: str = ""  # why planned_date differs from target_date (or could not): site calendar
    reason_text: Text | None = None  # the same, as a catalogue text (rendered in any language)

    @property
    def week(self) -> int:
        return self.study_day.week

    def reason_in(self, lang: str) -> str:
        """:attr:`reason` in ``lang`` (``en``, ``zh-CN``)."""
        return self.reason_text.render(lang) if self.reason_text is not None else self.reason

    @property
    def date(self) -> date:
        """The date that matters now: the actual date if done, else the planned date."""
        return self.actual_date or self.planned_date

    @property
    def is_dose(self) -> bool:
        return self.kind is EventKind.DOSE


def event_order(e: PlannedEvent) -> tuple[date, int, str, str]:
    """The one order of events everywhere (engine, capacity, exports): by the date that matters
    (actual, else planned), then the kind (on one day: the assessment, a review, the dose, EOT,
    the follow-ups), then the visit name, then the subject."""
    return (e.date, KIND_ORDER[e.kind], e.visit, e.subject_id)


def same_day_order(events: Iterable[PlannedEvent]) -> dict[str, tuple[str, ...]]:
    """For each visit that shares its date with another visit of the subject: that day's visits
    in order (:data:`KIND_ORDER`: the assessment or review before the dose it decides).

    One rule for every output that shows a time: the calendars, the day list, the participant's
    schedule — the first visit starts at the dosing time, the next when it ends.
    """
    by_day: dict[date, list[PlannedEvent]] = {}
    for e in events:
        by_day.setdefault(e.date, []).append(e)
    out: dict[str, tuple[str, ...]] = {}
    for same in by_day.values():
        if len(same) > 1:
            order = tuple(e.visit for e in sorted(same, key=event_order))
            for visit in order:
                out[visit] = order
    return out


def visit_start(at: time, duration_minutes: int, visit: str,
                day_order: dict[str, tuple[str, ...]]) -> time:
    """When ``visit`` starts: the dosing time, plus one visit's duration per visit before it on
    its day (D28 09:00, then W5D1 11:00 with 120-minute visits).

    >>> visit_start(time(9, 0), 120, "W5D1", {"W5D1": ("D28", "W5D1"), "D28": ("D28", "W5D1")})
    datetime.time(11, 0)
    """
    slot = day_order[visit].index(visit) if visit in day_order else 0
    start = datetime.combine(date(2000, 1, 1), at) + timedelta(minutes=slot * duration_minutes)
    return start.time()


@dataclass(frozen=True, slots=True, kw_only=True)
class ProvisionalSummary:
    """What the plan would be under ``--assume``: never part of the confirmed summary.

    Every value here derives from provisional doses (planned under an assumed regimen, no
    decision yet); outputs show it apart from the confirmed values, marked "provisional".
    """

    regimen: str  # the assumed regimen code
    doses_planned: int  # provisional doses still to come
    last_dose_date: date | None = None
    eot_date: date | None = None
    follow_up_end: date | None = None
    contraception_end: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SubjectPlan:
    """A subject's whole schedule, sorted by date.

    The summary values are **confirmed** ones: they never derive from provisional doses
    (those are in :attr:`provisional`, present only under ``--assume``).
    """

    subject: Subject
    events: tuple[PlannedEvent, ...]
    outcome: Outcome
    warnings: tuple[PlanWarning, ...] = ()
    last_dose_date: date | None = None  # last confirmed dose given or planned (actual if recorded)
    cap_date: date | None = None  # last date any dose may be given (study day 168)
    contraception_end: date | None = None  # last_dose_date + 6 calendar months
    decision_due: date | None = None  # planned date of the visit whose decision is pending
    decision_due_visit: str | None = None  # that visit (the assessment or a review)
    state: SubjectState | None = None  # only when planned with "today"
    provisional: ProvisionalSummary | None = None  # only under --assume

    @property
    def subject_id(self) -> str:
        return self.subject.subject_id

    @property
    def doses(self) -> tuple[PlannedEvent, ...]:
        return tuple(e for e in self.events if e.kind is EventKind.DOSE)

    def event(self, visit: str) -> PlannedEvent:
        for e in self.events:
            if e.visit == visit:
                return e
        raise NotFoundError.among("visit", visit, (e.visit for e in self.events))

    def count(self, status: EventStatus, kind: EventKind = EventKind.DOSE) -> int:
        return sum(1 for e in self.events if e.kind is kind and e.status is status)

    @property
    def doses_to_come(self) -> int:
        """Confirmed doses still to come: planned, not overdue (an overdue dose is to be
        recorded as done or missed; once the cap has ended the treatment, none is to come)."""
        return self.count(EventStatus.PLANNED)

    def current_regimen(self, today: date | None) -> str:
        """The regimen in force on ``today``: that of the next confirmed dose still to come on
        or after it (a decision taken today shows at once), else of the last dose given or
        planned on or before it, else of the first planned; without ``today``, the last dose's.
        Missed and provisional doses never count; "" when no dose has a regimen."""
        doses = [e for e in self.doses if e.regimen and e.status is not EventStatus.MISSED
                 and e.status is not EventStatus.PROVISIONAL]
        if today is not None:
            coming = [e for e in doses if e.status is EventStatus.PLANNED and e.date >= today]
            if coming:
                return coming[0].regimen or ""
        past = [e for e in doses if today is None or e.date <= today]
        chosen = past[-1] if past else (doses[0] if doses else None)
        return (chosen.regimen or "") if chosen else ""

    def next_visit(self, today: date | None) -> PlannedEvent | None:
        """The next visit nothing is recorded for and that is not overdue, on or after
        ``today`` (never a date in the past); without ``today``, the first such visit."""
        return next((e for e in self.events
                     if e.status in (EventStatus.PLANNED, EventStatus.PROVISIONAL)
                     and (today is None or e.date >= today)), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class StudyPlan:
    """Every subject's plan, in the order of ``subjects.csv``."""

    study_name: str
    subjects: tuple[SubjectPlan, ...]
    today: date | None = None
    assume: str | None = None

    def __iter__(self) -> Iterator[SubjectPlan]:
        return iter(self.subjects)

    def subject(self, subject_id: str) -> SubjectPlan:
        for p in self.subjects:
            if p.subject_id == subject_id:
                return p
        raise NotFoundError.among("subject", subject_id, (p.subject_id for p in self.subjects))

    @property
    def events(self) -> tuple[PlannedEvent, ...]:
        return tuple(e for p in self.subjects for e in p.events)

    @property
    def warnings(self) -> tuple[PlanWarning, ...]:
        return tuple(w for p in self.subjects for w in p.warnings)

    def emit_warnings(self) -> None:
        """Hand every warning to :mod:`warnings`, so ``filterwarnings`` applies to each class."""
        for w in self.warnings:
            warnings.warn(str(w), w.category, stacklevel=2)
