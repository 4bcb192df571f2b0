"""The study's inputs as values: subjects, decisions, recorded visits, the study's settings.

Frozen value objects with no I/O; :mod:`cc312_schedule.store.study` reads them from a study folder.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from .errors import NotFoundError
from .messages import Text
from .opendays import CalendarConfig, SiteCalendar
from .protocol import Protocol, _parse_hhmm

__all__ = [
    "DEFAULT_REMINDERS",
    "MAX_REMINDER_DAYS",
    "SUBJECT_ID",
    "Action",
    "Decision",
    "RecordStatus",
    "RecordedVisit",
    "Reminder",
    "SourceRef",
    "Study",
    "StudyConfig",
    "Subject",
    "Withdrawal",
    "parse_refresh",
    "parse_reminder",
    "site_name",
    "study_span",
    "subject_hint",
    "subject_id_problem",
]


class Action(enum.StrEnum):
    """What an investigator decided."""

    CONTINUE = "continue"
    STOP = "stop"
    HOLD = "hold"
    RESUME = "resume"


class Withdrawal(enum.StrEnum):
    """What a withdrawal (``subjects.csv`` ``withdrawal``, with ``withdrawn_on``) ends.

    ``consent`` (the default, also for an empty cell): the participant withdrew consent, nothing
    is planned on or after the date. ``treatment``: the participant stops treatment but agrees
    to the early-termination (EOT) visit and the safety follow-up, which stay planned.
    """

    CONSENT = "consent"
    TREATMENT = "treatment"


class RecordStatus(enum.StrEnum):
    """What happened to a recorded visit."""

    DONE = "done"
    MISSED = "missed"


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceRef:
    """Where a row came from (file and 1-based line; the CSV header is line 1)."""

    path: str = "<library>"
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else self.path


@dataclass(frozen=True, slots=True, kw_only=True)
class Reminder:
    """A calendar reminder (iCal ``VALARM``) before each visit, from ``study.toml`` ``reminders``.

    Two kinds, with different meanings: ``before`` is a fixed time before the start of the
    visit ("60 minutes before"); ``at`` + ``days_before`` is a local clock time on an earlier
    day ("16:00 the day before"), which stays at 16:00 even across a daylight-saving change.
    With ``working_days`` the days are days the site is open ("16:00 the working day before":
    Friday for a Monday visit, the last day before a holiday for the day after it; review D7).

    >>> r = parse_reminder("16:00 the day before")
    >>> r.before, r.at, r.days_before, r.working_days
    (None, datetime.time(16, 0), 1, False)
    >>> parse_reminder("90 minutes before").before
    datetime.timedelta(seconds=5400)
    >>> parse_reminder("16:00 the working day before").working_days
    True
    """

    text: str
    before: timedelta | None = None
    at: time | None = None
    days_before: int = 0
    working_days: bool = False  # days_before counts the site's open days


#: The default: the nurse calls or messages the participant on the site's previous working
#: day (review D7), and a reminder an hour before.
DEFAULT_REMINDERS = ("16:00 the working day before", "60 minutes before")
#: A reminder further ahead than this (4 weeks) is a typo, and would not fit a date type.
MAX_REMINDER_DAYS = 28
_REMINDER_RE = re.compile(
    r"(?:(?P<n>\d+) (?P<unit>minutes?|hours?) before"
    r"|(?P<at>\d{2}:\d{2}) (?:(?P<day>the day before|on the day|the working day before)"
    r"|(?P<days>\d+) (?P<working>working )?days before))")


def parse_reminder(text: str) -> Reminder:
    """Parse one ``reminders`` entry; raise :class:`ValueError` naming the accepted forms.

    Forms: ``"N minutes before"``, ``"N hours before"``, ``"HH:MM the day before"``,
    ``"HH:MM N days before"``, ``"HH:MM on the day"``, ``"HH:MM the working day before"``,
    ``"HH:MM N working days before"`` (days the site is open).

    >>> parse_reminder("2 hours before").before
    datetime.timedelta(seconds=7200)
    >>> parse_reminder("07:30 on the day").days_before
    0
    >>> parse_reminder("1 day before")
    Traceback (most recent call last):
    ...
    ValueError: not a reminder: '1 day before'
    """
    m = _REMINDER_RE.fullmatch(" ".join(text.split()))
    if m is None:
        raise ValueError(f"not a reminder: {text!r}")
    if m["n"] is not None:
        n = int(m["n"])
        if n > (MAX_REMINDER_DAYS * 24 * 60 if m["unit"].startswith("minute")
                else MAX_REMINDER_DAYS * 24):
            raise ValueError(f"more than {MAX_REMINDER_DAYS} days before: {text!r}")
        return Reminder(text=text, before=timedelta(minutes=n) if m["unit"].startswith("minute")
                        else timedelta(hours=n))
    at = _parse_hhmm(m["at"])
    if at is None:
        raise ValueError(f"not a time HH:MM: {m['at']!r}")
    days = (1 if m["day"] in ("the day before", "the working day before") else 0 if m["day"]
            else int(m["days"]))
    if days > MAX_REMINDER_DAYS:
        raise ValueError(f"more than {MAX_REMINDER_DAYS} days before: {text!r}")
    working = m["day"] == "the working day before" or bool(m["working"])
    return Reminder(text=text, at=at, days_before=days, working_days=working)


@dataclass(frozen=True, slots=True, kw_only=True)
class StudyConfig:
    """``study.toml``: every key but ``name`` is optional."""

    name: str
    protocol: str | None = None
    site: str = ""
    timezone: str = "Asia/Shanghai"
    dosing_time: time | None = None
    language: str = "en"
    reminders: tuple[Reminder, ...] = tuple(parse_reminder(r) for r in DEFAULT_REMINDERS)
    calendar: CalendarConfig = field(default_factory=CalendarConfig)
    site_phone: str = ""  # [site] phone: the contact number printed on participants' schedules
    #: ``[site] name = { en = "...", zh-CN = "..." }``: the name per language (``site`` is the
    #: study language's); empty when one name serves every language
    site_names: tuple[tuple[str, str], ...] = ()
    #: how often subscribed calendars should be fetched again (``feed``): ``feed_refresh``
    feed_refresh: timedelta = timedelta(hours=1)


def site_name(config: StudyConfig, lang: str) -> str:
    """The site's name in ``lang``: its own name in that language when ``study.toml`` gives one
    per language, else the one name (review A12).

    >>> c = StudyConfig(name="x", site="Deyang People's Hospital",
    ...                 site_names=(("en", "Deyang People's Hospital"), ("zh-CN", "德阳市人民医院")))
    >>> site_name(c, "zh-CN"), site_name(StudyConfig(name="x", site="德阳市人民医院"), "en")
    ('德阳市人民医院', '德阳市人民医院')
    """
    return dict(config.site_names).get(lang, config.site)


_REFRESH = re.compile(r"(?P<n>[1-9][0-9]*) (?P<unit>minute|hour|day)s?")


def parse_refresh(text: str) -> timedelta:
    """Parse ``feed_refresh`` ("30 minutes", "1 hour", "2 hours", "1 day").

    >>> parse_refresh("90 minutes"), parse_refresh("1 day")
    (datetime.timedelta(seconds=5400), datetime.timedelta(days=1))
    """
    m = _REFRESH.fullmatch(text.strip())
    if not m:
        raise ValueError(f"not a refresh interval: {text!r}")
    return timedelta(**{m["unit"] + "s": int(m["n"])})


@dataclass(frozen=True, slots=True, kw_only=True)
class Subject:
    """A row of ``subjects.csv``. Only id, cohort and dose level ever leave the engine in exports."""

    subject_id: str
    cohort: str
    dose_level: str
    first_dose_date: date
    disease: str | None = None
    consent_date: date | None = None
    date_of_birth: date | None = None
    sex: str | None = None
    withdrawn_on: date | None = None
    withdrawal: Withdrawal = Withdrawal.CONSENT  # what the withdrawal ends (with withdrawn_on)
    source: SourceRef = field(default_factory=SourceRef, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """A row of ``decisions.csv``: an investigator's decision for one subject.

    ``weeks`` and ``until`` are mutually exclusive; with neither, a regimen runs to the cap.
    """

    subject_id: str
    decided_on: date
    action: Action
    regimen: str | None = None
    weeks: int | None = None
    until: date | None = None
    investigator: str = ""
    rationale: str = ""
    source: SourceRef = field(default_factory=SourceRef, compare=False)

    def details(self) -> tuple[Text, ...]:
        """What the decision gives beyond its action, as texts: the regimen, the weeks, the
        date until (the catalogue's ``decision.*``; how every output says a decision)."""
        return tuple(Text.of(f"decision.{k}", **{k: getattr(self, k)})
                     for k in ("regimen", "weeks", "until") if getattr(self, k))

    def describe(self) -> str:
        """``"continue QW for 8 weeks on 2026-05-04 (decisions.csv:3)"``-style text."""
        text = f"{self.action} "
        if self.regimen:
            text += f"{self.regimen} "
        if self.weeks:
            text += f"for {self.weeks} weeks "
        if self.until:
            text += f"until {self.until} "
        return text + f"on {self.decided_on} ({self.source})"


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedVisit:
    """A row of ``visits.csv``: a visit that happened (``done``) or did not (``missed``)."""

    subject_id: str
    visit: str
    status: RecordStatus
    actual_date: date | None = None
    note: str = ""
    source: SourceRef = field(default_factory=SourceRef, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Study:
    """Everything the engine needs about one study, validated."""

    config: StudyConfig
    protocol: Protocol
    subjects: tuple[Subject, ...]
    decisions: tuple[Decision, ...] = ()
    visits: tuple[RecordedVisit, ...] = ()
    calendar: SiteCalendar | None = None  # None: every day open, dates stay on their targets
    folder: str = field(default="", compare=False)

    def subject(self, subject_id: str) -> Subject:
        for s in self.subjects:
            if s.subject_id == subject_id:
                return s
        raise NotFoundError.among("subject", subject_id, (s.subject_id for s in self.subjects))

    def decisions_of(self, subject_id: str) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.subject_id == subject_id)

    def visits_of(self, subject_id: str) -> tuple[RecordedVisit, ...]:
        return tuple(v for v in self.visits if v.subject_id == subject_id)


#: One rule for a subject id, applied when the study is read: 1 to 40 ASCII letters, digits,
#: ``-``, ``_`` or ``.``, starting with a letter or digit. Every export can use it as it is
#: (a calendar's file name ``subject-<id>.ics``, a sheet cell, a CSV field, an iCal UID).
SUBJECT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


def subject_id_problem(text: str) -> str | None:
    """Why ``text`` is not a valid subject id, or ``None`` if it is.

    >>> subject_id_problem("CC312-001"), subject_id_problem("001 ")
    (None, 'only letters A-Z, digits and - _ . are allowed')
    >>> subject_id_problem("x" * 41)
    'longer than 40 characters'
    """
    if SUBJECT_ID.fullmatch(text):
        return None
    if len(text) > 40:
        return "longer than 40 characters"
    if text[:1] in ("-", ".", "_"):
        return "must start with a letter or a digit"
    return "only letters A-Z, digits and - _ . are allowed"


#: Years a study date may lie before the protocol's start or after its completion date.
SPAN_MARGIN_YEARS = 10


def study_span(protocol: Protocol | None) -> tuple[date, date]:
    """The dates a study file may hold: the protocol's start and completion dates widened by
    :data:`SPAN_MARGIN_YEARS` (without a protocol: 1990 to 2099). A date outside is a typo
    (a year 9999 would also overflow the plan's date arithmetic).
    """
    if protocol is None:
        return date(1990, 1, 1), date(2099, 12, 31)
    return (date(protocol.start_date.year - SPAN_MARGIN_YEARS, 1, 1),
            date(protocol.completion_date.year + SPAN_MARGIN_YEARS, 12, 31))


def subject_hint(given: str, known: Iterable[str]) -> str:
    """The hint for an unknown subject id ``given``: the known id it means when it lost its
    leading zeros (``3`` for ``003``, what a spreadsheet does to a number), else the known ids.

    >>> subject_hint("3", ["001", "003", "010"]), subject_hint("CC312-3", ["CC312-003"])
    ('did you mean 003?', 'did you mean CC312-003?')
    >>> subject_hint("099", ["001", "002"])
    'known subjects: 001, 002'
    """
    ids = sorted(known)
    head, digits = _split_number(given)
    if digits:
        same = [k for k in ids if _split_number(k)[0] == head and _split_number(k)[1]
                and int(_split_number(k)[1]) == int(digits) and k != given]
        if len(same) == 1:
            return f"did you mean {same[0]}?"
    return f"known subjects: {', '.join(ids)}"


def _split_number(text: str) -> tuple[str, str]:
    """(the text before its trailing digits, the trailing digits)."""
    stripped = text.rstrip("0123456789")
    return stripped, text[len(stripped):]

