"""A study is a folder: ``study.toml``, ``subjects.csv``, ``decisions.csv``, ``visits.csv``.

Only ``study.toml`` and ``subjects.csv`` are required; a missing ``decisions.csv`` or
``visits.csv`` means "none yet". Subject ids stay strings ("001" keeps its zeros). Dates
are ISO ``YYYY-MM-DD``; anything else is refused with ``file:line`` and the fix.

>>> study = load_study(example_study_path())
>>> study.config.name, [s.subject_id for s in study.subjects][:3]
('CC312 example study', ['001', '002', '003'])
"""

from __future__ import annotations

import csv
import enum
import io
import re
import tomllib
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path

from .days import parse_iso_date
from .errors import InvalidStudyError, ScheduleError, StudyFileError
from .protocol import Protocol, _parse_hhmm, load_protocol
from .sitecal import CalendarConfig, SiteCalendar, load_site_calendar, parse_calendar_config

__all__ = [
    "Action",
    "Decision",
    "RecordStatus",
    "RecordedVisit",
    "Reminder",
    "SourceRef",
    "Study",
    "StudyConfig",
    "Subject",
    "example_study_path",
    "load_study",
    "parse_reminder",
]

LANGUAGES = ("en", "zh-CN")


class Action(enum.StrEnum):
    """What an investigator decided."""

    CONTINUE = "continue"
    STOP = "stop"
    HOLD = "hold"
    RESUME = "resume"


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

    >>> parse_reminder("16:00 the day before")
    Reminder(text='16:00 the day before', before=None, at=datetime.time(16, 0), days_before=1)
    >>> parse_reminder("90 minutes before").before
    datetime.timedelta(seconds=5400)
    """

    text: str
    before: timedelta | None = None
    at: time | None = None
    days_before: int = 0


DEFAULT_REMINDERS = ("16:00 the day before", "60 minutes before")
_REMINDER_RE = re.compile(
    r"(?:(?P<n>\d+) (?P<unit>minutes?|hours?) before"
    r"|(?P<at>\d{2}:\d{2}) (?:(?P<day>the day before|on the day)|(?P<days>\d+) days before))")


def parse_reminder(text: str) -> Reminder:
    """Parse one ``reminders`` entry; raise :class:`ValueError` naming the accepted forms.

    Forms: ``"N minutes before"``, ``"N hours before"``, ``"HH:MM the day before"``,
    ``"HH:MM N days before"``, ``"HH:MM on the day"``.

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
        return Reminder(text=text, before=timedelta(minutes=n) if m["unit"].startswith("minute")
                        else timedelta(hours=n))
    at = _parse_hhmm(m["at"])
    if at is None:
        raise ValueError(f"not a time HH:MM: {m['at']!r}")
    days = 1 if m["day"] == "the day before" else 0 if m["day"] else int(m["days"])
    return Reminder(text=text, at=at, days_before=days)


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
        raise KeyError(subject_id)

    def decisions_of(self, subject_id: str) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.subject_id == subject_id)

    def visits_of(self, subject_id: str) -> tuple[RecordedVisit, ...]:
        return tuple(v for v in self.visits if v.subject_id == subject_id)


def example_study_path(language: str = "en") -> Path:
    """The bundled 6-subject example study (from a wheel or a checkout); ``"zh-CN"``: the same
    study with its names, rationales and notes in Chinese and ``language = "zh-CN"``."""
    folder = "example-study-zh" if language == "zh-CN" else "example-study"
    return Path(__file__).parent / "templates" / folder  # see bundled_protocol_path


# --------------------------------------------------------------------------------------
# Loading

SUBJECT_COLUMNS = ("subject_id", "cohort", "dose_level", "first_dose_date")
SUBJECT_OPTIONAL = ("disease", "consent_date", "date_of_birth", "sex", "withdrawn_on")
DECISION_COLUMNS = ("subject_id", "decided_on", "action")
DECISION_OPTIONAL = ("regimen", "weeks", "until", "investigator", "rationale")
VISIT_COLUMNS = ("subject_id", "visit", "status")
VISIT_OPTIONAL = ("actual_date", "note",
                  # audit of corrections made with `import --amend` / `record --amend` (entries.py)
                  "amended_from", "amended_on", "amendment_note")


def load_study(folder: str | Path, *, protocol: Protocol | None = None) -> Study:
    """Load and validate a study folder; raise :class:`InvalidStudyError` listing every problem.

    ``protocol`` overrides the one named in ``study.toml`` (default: the bundled template).
    The decisions are checked against the protocol and each other (order, regimens, timing),
    so a study that loads can always be planned.
    """
    from .engine import check_decisions  # engine imports this module's types

    root = Path(folder)
    errors: list[ScheduleError] = []
    if not root.is_dir():
        raise InvalidStudyError([StudyFileError(
            "no such study folder", path=root,
            hint="give the folder that holds study.toml and subjects.csv")])
    config = _load_config(root / "study.toml", errors)
    if protocol is None and config is not None:
        ppath = None
        if config.protocol:
            ppath = Path(config.protocol)
            if not ppath.is_absolute():
                ppath = root / ppath
        try:
            protocol = load_protocol(ppath)
        except InvalidStudyError as exc:
            errors.extend(exc.errors)
    ids: set[str] = set()  # every id in subjects.csv, even on a bad row (no cascade of errors)
    subjects = _load_subjects(root / "subjects.csv", protocol, errors, ids)
    decisions = _load_decisions(root / "decisions.csv", ids, protocol, errors)
    visits = _load_visits(root / "visits.csv", ids, protocol, errors)
    if protocol is not None:
        by_id = {s.subject_id: s for s in subjects}
        decisions_of: dict[str, list[Decision]] = {}  # grouped once: linear in decisions
        for d in decisions:
            decisions_of.setdefault(d.subject_id, []).append(d)
        for sid in sorted(decisions_of):
            if sid in by_id:
                errors.extend(check_decisions(protocol, by_id[sid], decisions_of[sid]))
    calendar = None
    if config is not None and protocol is not None:
        calendar = load_site_calendar(root, config.calendar,
                                      _calendar_years(protocol, subjects), errors,
                                      language=config.language)
    if errors or config is None or protocol is None:
        raise InvalidStudyError(errors)
    return Study(config=config, protocol=protocol, subjects=tuple(subjects),
                 decisions=tuple(decisions), visits=tuple(visits), calendar=calendar,
                 folder=str(root))


def _calendar_years(protocol: Protocol, subjects: list[Subject]) -> range:
    """Every year a visit can fall in: first doses plus the cap and the longest follow-up."""
    firsts = [s.first_dose_date for s in subjects] or [protocol.start_date]
    tail = 7 * protocol.max_treatment_weeks + max(
        [protocol.eot_days_after_last_dose, *(f.days_after_last_dose for f in protocol.follow_up)])
    last = max(max(firsts) + timedelta(days=tail + 31), protocol.completion_date)
    return range(min(min(firsts), protocol.start_date).year, last.year + 1)


def _load_config(path: Path, errors: list[ScheduleError]) -> StudyConfig | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        errors.append(StudyFileError("missing study.toml", path=path,
                                     hint='create it with at least: name = "..."'))
        return None
    except tomllib.TOMLDecodeError as exc:
        errors.append(StudyFileError(f"not valid TOML: {exc}", path=path,
                                     hint="fix the TOML syntax"))
        return None
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(StudyFileError(f"cannot read: {exc}", path=path))
        return None
    before = len(errors)

    def err(key: str, message: str, value: object, hint: str | None = None) -> None:
        errors.append(StudyFileError(message, path=path, key=key, value=value, hint=hint))

    known = {"name", "protocol", "site", "timezone", "dosing_time", "language", "reminders",
             "calendar"}
    for k in data:
        if k not in known:
            import difflib  # only for a bad key: not on every run

            close = difflib.get_close_matches(k, known, n=1)
            err(k, "unknown key", data[k],
                f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(known))}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        err("name", "required: the study's name", name, 'add name = "..."')
    strs: dict[str, str] = {}
    for k in ("protocol", "site", "timezone", "dosing_time", "language"):
        if k in data:
            if not isinstance(data[k], str):
                err(k, "must be a string", data[k])
            else:
                strs[k] = data[k]
    tz = strs.get("timezone", "Asia/Shanghai")
    try:
        if "/" not in tz and tz != "UTC":
            raise zoneinfo.ZoneInfoNotFoundError(tz)
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        err("timezone", "not an IANA time zone name", tz, 'e.g. "Asia/Shanghai" or "Europe/Berlin"')
    dosing_time = None
    if "dosing_time" in strs:
        dosing_time = _parse_hhmm(strs["dosing_time"])
        if dosing_time is None:
            err("dosing_time", "must be a time HH:MM (24 h)", strs["dosing_time"], 'e.g. "09:00"')
    lang = strs.get("language", "en")
    if lang not in LANGUAGES:
        err("language", "unsupported language", lang, f"use one of {', '.join(LANGUAGES)}")
    reminders: list[Reminder] = []
    texts = data.get("reminders", list(DEFAULT_REMINDERS))
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        err("reminders", "must be a list of strings", texts,
            'e.g. reminders = ["16:00 the day before", "60 minutes before"], or [] for none')
    else:
        for text in texts:
            try:
                reminders.append(parse_reminder(text))
            except ValueError:
                err("reminders", "not a reminder", text,
                    'use "N minutes before", "N hours before", "HH:MM the day before", '
                    '"HH:MM N days before" or "HH:MM on the day"')
    calendar = parse_calendar_config(data.get("calendar"), path, errors)
    if len(errors) > before:
        return None
    return StudyConfig(name=str(name).strip(), protocol=strs.get("protocol"),
                       site=strs.get("site", ""), timezone=tz, dosing_time=dosing_time,
                       language=lang, reminders=tuple(reminders), calendar=calendar)


class _Rows:
    """Reads a CSV with a header; yields (line, row) and records errors with file:line."""

    def __init__(self, path: Path, required: tuple[str, ...], optional: tuple[str, ...],
                 errors: list[ScheduleError], *, extra_allowed: bool) -> None:
        self.path = path
        self.required = required
        self.optional = optional
        self.errors = errors
        self.extra_allowed = extra_allowed
        self.ok = True

    def error(self, line: int | None, column: str | None, message: str, value: object = None,
              hint: str | None = None, *, cls: type[StudyFileError] = StudyFileError) -> None:
        kw: dict[str, object] = {"path": self.path, "line": line, "column": column, "hint": hint}
        if value is not None:
            kw["value"] = value
        self.errors.append(cls(message, **kw))  # type: ignore[arg-type]
        self.ok = False

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        try:
            text = self.path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            self.error(None, None, "not UTF-8 text",
                       hint="save the file as CSV UTF-8 (Excel: 'CSV UTF-8 (Comma delimited)')")
            return
        except OSError as exc:
            self.error(None, None, f"cannot read: {exc.strerror}",
                       hint="check the file's permissions")
            return
        # newline="": only \n, \r and \r\n end a row; \x85 or U+2028 inside a note stay in it
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader)
        except StopIteration:
            self.error(1, None, "empty file", hint="the first line must be the header: "
                       + ",".join(self.required))
            return
        header = [h.strip() for h in header]
        known = set(self.required) | set(self.optional)
        for col in self.required:
            if col not in header:
                self.error(1, col, "missing column", hint="the header must include: "
                           + ",".join(self.required))
        for col in header:
            if col in known:
                continue
            import difflib  # only for a bad column: not on every run

            close = difflib.get_close_matches(col, known, n=1, cutoff=0.75)
            if close:
                self.error(1, col, "unknown column", hint=f"did you mean '{close[0]}'?")
            elif not self.extra_allowed:
                self.error(1, col, "unknown column",
                           hint="known columns: " + ",".join((*self.required, *self.optional)))
        dupes = sorted({c for c in header if header.count(c) > 1 and c})
        for col in dupes:
            self.error(1, col, "column appears twice", hint="keep one")
        if not self.ok:
            return
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self.error(reader.line_num, None, f"malformed CSV: {exc}")
                return
            line = reader.line_num
            if not any(c.strip() for c in row):
                continue
            if len(row) > len(header):
                self.error(line, None, f"{len(row)} fields but the header has {len(header)}",
                           hint="quote values that contain commas")
                continue
            yield line, {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}

    def date(self, line: int, row: dict[str, str], col: str, *, required: bool) -> date | None:
        text = row.get(col, "")
        if not text:
            if required:
                self.error(line, col, "missing date", hint="write it as YYYY-MM-DD")
            return None
        try:
            return parse_iso_date(text)
        except ValueError as exc:
            self.error(line, col, str(exc))
            return None


def _load_subjects(path: Path, protocol: Protocol | None, errors: list[ScheduleError],
                   ids: set[str]) -> list[Subject]:
    if not path.exists():
        errors.append(StudyFileError("missing subjects.csv", path=path,
                                     hint="create it with the header " + ",".join(SUBJECT_COLUMNS)))
        return []
    rows = _Rows(path, SUBJECT_COLUMNS, SUBJECT_OPTIONAL, errors, extra_allowed=True)
    subjects: list[Subject] = []
    seen: dict[str, int] = {}
    diseases = protocol.diseases if protocol else ()
    for line, row in rows:
        start = len(errors)
        sid = row["subject_id"]
        if not sid:
            rows.error(line, "subject_id", "missing subject id")
        elif sid in seen:
            rows.error(line, "subject_id", f"duplicate subject id (first on line {seen[sid]})", sid)
        else:
            seen[sid] = line
            ids.add(sid)
        for col in ("cohort", "dose_level"):
            if not row[col]:
                rows.error(line, col, f"missing {col.replace('_', ' ')}")
        first = rows.date(line, row, "first_dose_date", required=True)
        dates = {c: rows.date(line, row, c, required=False)
                 for c in ("consent_date", "date_of_birth", "withdrawn_on")}
        disease = row.get("disease", "") or None
        if disease and diseases and disease not in diseases:
            rows.error(line, "disease", "unknown disease code", disease,
                       hint=f"use one of {', '.join(diseases)} (protocol [disease_scores])")
        dob, consent = dates["date_of_birth"], dates["consent_date"]
        if dob and first and dob >= first:
            rows.error(line, "date_of_birth", "is not before the first dose", str(dob))
        if consent and first and consent > first:
            rows.error(line, "consent_date", "is after the first dose date", str(consent),
                       hint="consent must be signed before dosing")
        if len(errors) == start and first is not None:
            subjects.append(Subject(
                subject_id=sid, cohort=row["cohort"], dose_level=row["dose_level"],
                first_dose_date=first, disease=disease, consent_date=consent,
                date_of_birth=dob, sex=row.get("sex", "") or None,
                withdrawn_on=dates["withdrawn_on"], source=SourceRef(path=str(path), line=line)))
    return subjects


def _load_decisions(path: Path, ids: set[str], protocol: Protocol | None,
                    errors: list[ScheduleError]) -> list[Decision]:
    if not path.exists():
        return []
    rows = _Rows(path, DECISION_COLUMNS, DECISION_OPTIONAL, errors, extra_allowed=False)
    out: list[Decision] = []
    actions = ", ".join(a.value for a in Action)
    for line, row in rows:
        start = len(errors)
        sid = row["subject_id"]
        if sid not in ids:
            rows.error(line, "subject_id", "unknown subject", sid,
                       hint="add the subject to subjects.csv or fix the id")
        on = rows.date(line, row, "decided_on", required=True)
        until = rows.date(line, row, "until", required=False)
        try:
            action = Action(row["action"].lower())
        except ValueError:
            rows.error(line, "action", "unknown action", row["action"], hint=f"use one of {actions}")
            action = None
        regimen = row.get("regimen", "") or None
        if regimen and protocol and regimen not in protocol.regimen_codes:
            rows.error(line, "regimen", "not a regimen of the protocol", regimen,
                       hint=f"use one of {', '.join(protocol.regimen_codes)}")
        weeks: int | None = None
        if row.get("weeks"):
            try:
                weeks = int(row["weeks"])
                if weeks < 1:
                    raise ValueError
            except ValueError:
                rows.error(line, "weeks", "must be a whole number of weeks >= 1", row["weeks"])
        if weeks and until:
            rows.error(line, "until", "give either weeks or until, not both", str(until))
        if action is Action.CONTINUE and not regimen:
            rows.error(line, "regimen", "a continue decision needs a regimen",
                       hint="e.g. " + ", ".join(protocol.regimen_codes) if protocol else None)
        if action in (Action.STOP, Action.HOLD):
            for col in ("regimen", "weeks", "until"):
                if row.get(col):
                    rows.error(line, col, f"a {action} decision takes no {col}", row[col],
                               hint="leave the cell empty")
        if action is Action.RESUME and not regimen and (weeks or until):
            rows.error(line, "regimen", "weeks/until on a resume need a regimen",
                       hint="name the regimen, or leave weeks/until empty to restore the held one")
        if on and until and until < on:
            rows.error(line, "until", f"is before decided_on {on}", str(until))
        if not row.get("investigator"):
            rows.error(line, "investigator", "missing investigator",
                       hint="every decision names the investigator who made it")
        if len(errors) == start and on and action:
            out.append(Decision(subject_id=sid, decided_on=on, action=action, regimen=regimen,
                                weeks=weeks, until=until, investigator=row.get("investigator", ""),
                                rationale=row.get("rationale", ""),
                                source=SourceRef(path=str(path), line=line)))
    return out


def _load_visits(path: Path, ids: set[str], protocol: Protocol | None,
                 errors: list[ScheduleError]) -> list[RecordedVisit]:
    from .engine import unknown_visit_error, visit_kind

    if not path.exists():
        return []
    rows = _Rows(path, VISIT_COLUMNS, VISIT_OPTIONAL, errors, extra_allowed=False)
    out: list[RecordedVisit] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows:
        start = len(errors)
        sid, visit = row["subject_id"], row["visit"]
        if sid not in ids:
            rows.error(line, "subject_id", "unknown subject", sid,
                       hint="add the subject to subjects.csv or fix the id")
        if not visit:
            rows.error(line, "visit", "missing visit name", hint="e.g. W2D4, D28, EOT")
        elif protocol is not None and visit_kind(protocol, visit) is None:
            errors.append(unknown_visit_error(protocol, visit, SourceRef(path=str(path), line=line)))
        elif (sid, visit) in seen:
            rows.error(line, "visit", f"recorded twice (first on line {seen[sid, visit]})", visit,
                       hint="keep one row per subject and visit")
        else:
            seen[sid, visit] = line
        try:
            status = RecordStatus(row["status"].lower())
        except ValueError:
            rows.error(line, "status", "unknown status", row["status"], hint="use done or missed")
            status = None
        actual = rows.date(line, row, "actual_date", required=status is RecordStatus.DONE)
        if status is RecordStatus.MISSED and actual:
            rows.error(line, "actual_date", "a missed visit has no actual date", str(actual),
                       hint="leave it empty, or set status to done")
        if len(errors) == start and status:
            out.append(RecordedVisit(subject_id=sid, visit=visit, status=status, actual_date=actual,
                                     note=row.get("note", ""),
                                     source=SourceRef(path=str(path), line=line)))
    return out

