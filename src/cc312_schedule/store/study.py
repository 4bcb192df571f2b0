"""A study is a folder: ``study.toml``, ``subjects.csv``, ``decisions.csv``, ``visits.csv``.

Only ``study.toml`` and ``subjects.csv`` are required; a missing ``decisions.csv`` or
``visits.csv`` means "none yet". Subject ids stay strings ("001" keeps its zeros). Dates
are ISO ``YYYY-MM-DD``; anything else is refused with ``file:line`` and the fix.

>>> study = load_study(example_study_path())
>>> study.config.name, [s.subject_id for s in study.subjects][:3]
('CC312 example study', ['001', '002', '003'])
"""

from __future__ import annotations

import re
import tomllib
import typing
import zoneinfo
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ..core.domain import (
    DEFAULT_REMINDERS,
    MAX_REMINDER_DAYS,
    SUBJECT_ID,
    Action,
    Decision,
    RecordedVisit,
    RecordStatus,
    Reminder,
    SourceRef,
    Study,
    StudyConfig,
    Subject,
    Withdrawal,
    parse_refresh,
    parse_reminder,
    study_span,
    subject_id_problem,
)
from ..core.errors import InvalidStudyError, ScheduleError, StudyFileError
from ..core.fileio import TOML_LIMIT
from ..core.messages import LANGUAGES
from ..core.protocol import Protocol, _parse_hhmm, load_protocol
from ..planning.engine import check_decisions, decision_row_problems, unknown_visit_hint, visit_kind
from .csvfile import CsvRows, control_problem, read_text
from .sitecal import load_site_calendar, parse_calendar_config

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
    "load_config",
    "load_study",
    "parse_refresh",
    "parse_reminder",
    "study_folder_problem",
]

def example_study_path(language: str = "en") -> Path:
    """The bundled 6-subject example study (from a wheel or a checkout); ``"zh-CN"``: the same
    study with its names, rationales and notes in Chinese and ``language = "zh-CN"``."""
    folder = "example-study-zh" if language == "zh-CN" else "example-study"
    return Path(__file__).parents[1] / "templates" / folder  # see bundled_protocol_path


# --------------------------------------------------------------------------------------
# Loading

SUBJECT_COLUMNS = ("subject_id", "cohort", "dose_level", "first_dose_date")
SUBJECT_OPTIONAL = ("disease", "consent_date", "date_of_birth", "sex", "withdrawn_on",
                    "withdrawal")
DECISION_COLUMNS = ("subject_id", "decided_on", "action")
DECISION_OPTIONAL = ("regimen", "weeks", "until", "investigator", "rationale")
VISIT_COLUMNS = ("subject_id", "visit", "status")
VISIT_OPTIONAL = ("actual_date", "note",
                  # audit of corrections made with `import --amend` / `record --amend` (entries.py)
                  "amended_from", "amended_on", "amendment_note")


# What a row's required values look like: a line inside a quoted note or rationale that
# has them is a row swallowed by an open quote (csvfile.CsvRows), not part of the text.
_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_VISIT_LIKE = {"subject_id": SUBJECT_ID, "visit": re.compile(r"[A-Za-z0-9-]+"),
               "status": re.compile("(?i)" + "|".join(s.value for s in RecordStatus))}
_DECISION_LIKE = {"subject_id": SUBJECT_ID, "decided_on": _DATE_LIKE,
                  "action": re.compile("(?i)" + "|".join(a.value for a in Action))}


def study_folder_problem(folder: str | Path) -> tuple[str, str] | None:
    """Why ``folder`` is no study folder (a message and a hint), or None when it is a folder.
    Given a file (``STUDY/subjects.csv``), it says so and names the folder to give instead
    when that one holds a ``study.toml`` (every command that takes a study folder asks here).

    >>> study_folder_problem(example_study_path() / "subjects.csv")[0]
    'this is a file, not the study folder'
    >>> study_folder_problem("/no/such/folder")[0]
    'no such study folder'
    """
    path = Path(folder)
    if path.is_dir():
        return None
    if path.exists():
        parent = path.parent
        hint = (f"give the study folder instead: {parent}" if (parent / "study.toml").is_file()
                else "give the folder that holds study.toml and subjects.csv")
        return "this is a file, not the study folder", hint
    return "no such study folder", "give the folder that holds study.toml and subjects.csv"


def load_study(folder: str | Path, *, protocol: Protocol | None = None) -> Study:
    """Load and validate a study folder; raise :class:`InvalidStudyError` listing every problem.

    ``protocol`` overrides the one named in ``study.toml`` (default: the bundled template).
    The decisions are checked against the protocol and each other (order, regimens, timing),
    so a study that loads can always be planned.
    """
    root = Path(folder)
    errors: list[ScheduleError] = []
    problem = study_folder_problem(root)
    if problem is not None:
        raise InvalidStudyError([StudyFileError(problem[0], path=root, hint=problem[1])],
                                path=root)
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
    subjects, complete = _load_subjects(root / "subjects.csv", protocol, errors, ids)
    # subjects.csv not read to its end (missing, bad encoding, a missing column, a broken
    # quote): its ids are unknown, so the other files' ids are not checked against it (one
    # cause, one error, not one per visit of every subject after the break)
    known: set[str] | None = ids if complete else None
    decisions = _load_decisions(root / "decisions.csv", known, protocol, errors)
    visits = _load_visits(root / "visits.csv", known, protocol, errors)
    resaved = _resaved_by_a_spreadsheet(str(root / "subjects.csv"), ids, errors)
    if resaved:  # one cause, one error each: not dozens of "unknown subject" lines
        raise InvalidStudyError(resaved, path=root)
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
        raise InvalidStudyError(errors, path=root)
    return Study(config=config, protocol=protocol, subjects=tuple(subjects),
                 decisions=tuple(decisions), visits=tuple(visits), calendar=calendar,
                 folder=str(root))


def load_config(folder: str | Path) -> StudyConfig:
    """Only ``study.toml`` of a study folder (its time zone, language...); raise
    :class:`InvalidStudyError` listing its problems. For writers that need the site's time
    zone without planning the whole study (the audit trail's user changes)."""
    errors: list[ScheduleError] = []
    config = _load_config(Path(folder) / "study.toml", errors)
    if config is None:
        raise InvalidStudyError(errors, path=Path(folder))
    return config


_SLASHED_DATE = re.compile(r"'?(\d{4})/(\d{1,2})/(\d{1,2})'?")


def _resaved_by_a_spreadsheet(spath: str, ids: set[str],
                              errors: list[ScheduleError]) -> list[ScheduleError]:
    """subjects.csv opened and saved again by a spreadsheet program (Excel, WPS) loses what
    the study needs in two ways, each found by its trace in ``errors`` and reported as one
    error naming the file (issue 22): the subject ids' leading zeros (``001`` saved as ``1``:
    the other files' ids are then all "unknown"), and the dates' ISO form (``2026-05-04``
    saved as ``2026/5/4`` in a Chinese locale). Nothing found: ``[]``."""
    found: list[ScheduleError] = []
    lost = sorted({str(e.value) for e in errors
                   if e.message == "unknown subject" and isinstance(e.value, str)
                   and e.value.isdigit() and e.value.startswith("0")
                   and e.value.lstrip("0") in ids})
    if lost:
        found.append(StudyFileError(
            "the subject ids lost their leading zeros (a spreadsheet program saved the file "
            f"and read {lost[0]} as the number {lost[0].lstrip('0')})", path=spath,
            column="subject_id", hint="write the ids as the other files do (e.g. "
            f"{lost[0]}); in Excel or WPS, format the column as Text before typing, or edit "
            "the file in a text editor"))
    slashed = [e for e in errors if e.path == spath and e.message.startswith("not an ISO date")
               and _SLASHED_DATE.search(e.message)]
    if slashed:
        m = _SLASHED_DATE.search(slashed[0].message)
        assert m is not None
        y, mo, d = (int(g) for g in m.groups())
        found.append(StudyFileError(
            f"{len(slashed)} date(s) are no longer ISO dates (a spreadsheet program saved the "
            f"file: {m.group(1)}/{m.group(2)}/{m.group(3)} instead of {y:04d}-{mo:02d}-{d:02d})",
            path=spath, hint="write every date as YYYY-MM-DD; in Excel or WPS, format the date "
            "columns as yyyy-mm-dd (or as Text) before saving, or edit the file in a text editor"))
    return found


def _calendar_years(protocol: Protocol, subjects: list[Subject]) -> range:
    """Every year a visit can fall in: first doses plus the cap and the longest follow-up."""
    firsts = [s.first_dose_date for s in subjects] or [protocol.start_date]
    tail = 7 * protocol.max_treatment_weeks + max(
        [protocol.eot_days_after_last_dose, *(f.days_after_last_dose for f in protocol.follow_up)])
    last = max(max(firsts) + timedelta(days=tail + 31), protocol.completion_date)
    return range(min(min(firsts), protocol.start_date).year, last.year + 1)


def toml_error(exc: tomllib.TOMLDecodeError) -> tuple[str, int | None]:
    """A TOML decode error's message without its position, and its 1-based line.

    >>> try:
    ...     tomllib.loads('name = "x"\\nsite = =\\n')
    ... except tomllib.TOMLDecodeError as exc:
    ...     toml_error(exc)
    ('Invalid value', 2)
    """
    text = str(exc)
    m = re.search(r"\s*\(at line (\d+), column \d+\)$", text)
    if m:
        return text[:m.start()], int(m.group(1))
    return re.sub(r"\s*\(at end of document\)$", " at the end of the file", text), None


_CONFIG_KEYS = ("name", "protocol", "site", "timezone", "dosing_time", "language", "reminders",
                "calendar", "feed_refresh")


def _load_config(path: Path, errors: list[ScheduleError]) -> StudyConfig | None:
    """Read ``study.toml``: every problem recorded with its key; None when any was found."""
    data = _read_toml(path, errors)
    if data is None:
        return None
    before = len(errors)

    def err(key: str, message: str, value: object, hint: str | None = None) -> None:
        errors.append(StudyFileError(message, path=path, key=key, value=value, hint=hint))

    for k in data:
        if k not in _CONFIG_KEYS:
            import difflib  # only for a bad key: not on every run

            close = difflib.get_close_matches(k, _CONFIG_KEYS, n=1)
            err(k, "unknown key", data[k], f"did you mean '{close[0]}'?" if close
                else f"known keys: {', '.join(sorted(_CONFIG_KEYS))}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        err("name", "required: the study's name", name, 'add name = "..."')
    site_phone, site_names = _site_table(data, err)
    strs: dict[str, str] = {}
    for k in ("protocol", "site", "timezone", "dosing_time", "language"):
        if k in data:
            if not isinstance(data[k], str):
                err(k, "must be a string", data[k])
            else:
                strs[k] = data[k]
    for key, value in (("name", name), ("site", strs.get("site")), ("site.phone", site_phone),
                       *((f"site.name.{k}", v) for k, v in site_names)):
        problem = control_problem(value) if isinstance(value, str) else None
        if problem:  # shown in every calendar: a NUL or an escape would break strict readers
            err(key, problem, value, "delete it (a NUL, an escape or another control "
                "character is never part of this value)")
    settings = _time_and_language(strs, err)
    if site_names:  # [site] name per language: the study's language is its site name
        strs["site"] = dict(site_names).get(settings["language"], site_names[0][1])
    reminders = _reminders(data.get("reminders", list(DEFAULT_REMINDERS)), err)
    calendar = parse_calendar_config(data.get("calendar"), path, errors)
    feed_refresh = _feed_refresh(data, err)
    if len(errors) > before:
        return None
    return StudyConfig(name=str(name).strip(), protocol=strs.get("protocol"),
                       site=strs.get("site", ""), reminders=reminders, calendar=calendar,
                       site_phone=site_phone, site_names=site_names, feed_refresh=feed_refresh,
                       **settings)


def _read_toml(path: Path, errors: list[ScheduleError]) -> dict[str, Any] | None:
    if not path.exists():
        errors.append(StudyFileError("missing study.toml", path=path,
                                     hint='create it with at least: name = "..."'))
        return None
    text = read_text(path, errors, limit=TOML_LIMIT, encoding="utf-8",
                     hint="save study.toml as UTF-8")
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line = toml_error(exc)
        line = line or text.count("\n") + 1
        errors.append(StudyFileError(f"not valid TOML: {message}", path=path, line=line,
                                     hint="fix the TOML syntax"))
    except RecursionError:
        errors.append(StudyFileError("not valid TOML: arrays or tables nested too deeply",
                                     path=path, hint="study.toml needs no nesting deeper than "
                                     "[calendar]; remove the nested brackets"))
    return None


def _site_table(data: dict[str, Any],
                err: _ConfigErr) -> tuple[str, tuple[tuple[str, str], ...]]:
    """``[site] name = "...", phone = "..."``: the name goes to ``site``; returns the phone and
    the name per language when ``name`` is a table ``{ en = "...", zh-CN = "..." }`` (review
    A12: a Chinese schedule of an English study names the site in Chinese)."""
    if not isinstance(data.get("site"), dict):
        return "", ()
    site_table = data.pop("site")
    for k in site_table:
        if k not in ("name", "phone"):
            err(f"site.{k}", "unknown key", site_table[k], "known keys: name, phone")
    names: tuple[tuple[str, str], ...] = ()
    if isinstance(site_table.get("name"), dict):
        table = site_table.pop("name")
        for k, v in table.items():
            if k not in LANGUAGES:
                err(f"site.name.{k}", "unsupported language", v,
                    f"use one of {', '.join(LANGUAGES)}")
            elif not isinstance(v, str) or not v.strip():
                err(f"site.name.{k}", "must be a non-empty string", v,
                    'e.g. name = { en = "Deyang People\'s Hospital", zh-CN = "德阳市人民医院" }')
        names = tuple((k, v.strip()) for k, v in table.items()
                      if k in LANGUAGES and isinstance(v, str) and v.strip())
    for k in ("name", "phone"):
        if k in site_table and not isinstance(site_table[k], str):
            err(f"site.{k}", "must be a string", site_table[k],
                'e.g. phone = "+86 838 000 0000"' if k == "phone" else
                'a name, or one per language: { en = "...", zh-CN = "..." }')
    if isinstance(site_table.get("name", ""), str):
        data["site"] = site_table.get("name", "")
    phone = site_table.get("phone", "")
    return (phone.strip() if isinstance(phone, str) else ""), names


def _time_and_language(strs: dict[str, str], err: _ConfigErr) -> dict[str, Any]:
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
    return {"timezone": tz, "dosing_time": dosing_time, "language": lang}


def _reminders(texts: Any, err: _ConfigErr) -> tuple[Reminder, ...]:
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        err("reminders", "must be a list of strings", texts,
            'e.g. reminders = ["16:00 the working day before", "60 minutes before"], or [] '
            'for none')
        return ()
    reminders: list[Reminder] = []
    for text in texts:
        try:
            reminders.append(parse_reminder(text))
        except ValueError as exc:
            if "days before:" in str(exc):
                err("reminders", f"more than {MAX_REMINDER_DAYS} days before the visit", text,
                    "a reminder is at most 4 weeks ahead")
                continue
            err("reminders", "not a reminder", text,
                'use "N minutes before", "N hours before", "HH:MM the working day before", '
                '"HH:MM N working days before", "HH:MM the day before", "HH:MM N days before" '
                'or "HH:MM on the day"')
    return tuple(reminders)


def _feed_refresh(data: dict[str, Any], err: _ConfigErr) -> timedelta:
    if "feed_refresh" not in data:
        return timedelta(hours=1)
    value = data["feed_refresh"]
    try:
        if not isinstance(value, str):
            raise ValueError
        return parse_refresh(value)
    except ValueError:
        err("feed_refresh", "not a refresh interval", value, 'e.g. "30 minutes", "1 hour" or "1 day"')
        return timedelta(hours=1)


class _ConfigErr(typing.Protocol):  # the signature of _load_config's local ``err``
    def __call__(self, key: str, message: str, value: object, hint: str | None = None) -> None: ...


def _load_subjects(path: Path, protocol: Protocol | None, errors: list[ScheduleError],
                   ids: set[str]) -> tuple[list[Subject], bool]:
    """The subjects, and whether the file was read to its end (so ``ids`` are all its ids)."""
    if not path.exists():
        errors.append(StudyFileError("missing subjects.csv", path=path,
                                     hint="create it with the header " + ",".join(SUBJECT_COLUMNS)))
        return [], False
    rows = CsvRows(path, SUBJECT_COLUMNS, SUBJECT_OPTIONAL, errors, extra_allowed=True,
                   plain=("cohort", "dose_level", "disease", "sex"))
    rows.span = study_span(protocol)
    subjects: list[Subject] = []
    seen: dict[str, int] = {}
    diseases = protocol.diseases if protocol else ()
    for line, row in rows:
        start = rows.count
        sid = row["subject_id"]
        problem = subject_id_problem(sid) if sid else None
        if not sid:
            rows.error(line, "subject_id", "missing subject id")
        elif problem:
            ids.add(sid)  # known, so the other files' rows of it are not reported again
            rows.error(line, "subject_id", f"not a valid subject id: {problem}", sid,
                       hint="e.g. 001 or CC312-001 (at most 40 characters)")
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
        withdrawal = _withdrawal(rows, line, row.get("withdrawal", ""), dates["withdrawn_on"])
        dob, consent = dates["date_of_birth"], dates["consent_date"]
        if dob and first and dob >= first:
            rows.error(line, "date_of_birth", "is not before the first dose", str(dob))
        if consent and first and consent > first:
            rows.error(line, "consent_date", "is after the first dose date", str(consent),
                       hint="consent must be signed before dosing")
        if rows.count == start and first is not None:
            subjects.append(Subject(
                subject_id=sid, cohort=row["cohort"], dose_level=row["dose_level"],
                first_dose_date=first, disease=disease, consent_date=consent,
                date_of_birth=dob, sex=row.get("sex", "") or None,
                withdrawn_on=dates["withdrawn_on"], withdrawal=withdrawal,
                source=SourceRef(path=path.name, line=line)))
    return subjects, rows.complete


def _withdrawal(rows: CsvRows, line: int, text: str, on: date | None) -> Withdrawal:
    """``withdrawal``: ``consent`` (default: nothing after the date) or ``treatment`` (the EOT
    and follow-up stay planned); it needs a ``withdrawn_on``."""
    text = text.strip().lower()
    if not text:
        return Withdrawal.CONSENT
    try:
        value = Withdrawal(text)
    except ValueError:
        rows.error(line, "withdrawal", "unknown withdrawal", text,
                   hint="use consent (nothing after the date) or treatment (EOT and follow-up "
                   "stay planned)")
        return Withdrawal.CONSENT
    if on is None:
        rows.error(line, "withdrawal", "a withdrawal needs its date", text,
                   hint="fill withdrawn_on, or leave withdrawal empty")
    return value


def _load_decisions(path: Path, ids: set[str] | None, protocol: Protocol | None,
                    errors: list[ScheduleError]) -> list[Decision]:
    if not path.exists():
        return []
    rows = CsvRows(path, DECISION_COLUMNS, DECISION_OPTIONAL, errors, extra_allowed=False,
                 multiline=("rationale",), row_like=_DECISION_LIKE)
    rows.span = study_span(protocol)
    max_weeks = protocol.max_treatment_weeks if protocol else 24
    out: list[Decision] = []
    actions = ", ".join(a.value for a in Action)
    for line, row in rows:
        start = rows.count
        sid = row["subject_id"]
        if ids is not None and sid not in ids:
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
                       hint=f"did you mean {regimen.upper()}?"
                       if regimen.upper() in protocol.regimen_codes
                       else f"use one of {', '.join(protocol.regimen_codes)}")
        weeks: int | None = None
        if row.get("weeks"):
            try:
                weeks = int(row["weeks"]) if row["weeks"].isascii() else 0
                if weeks < 1:
                    raise ValueError
            except ValueError:
                weeks = None
                rows.error(line, "weeks", "must be a whole number of weeks >= 1", row["weeks"])
        if on and action:
            d = Decision(subject_id=sid, decided_on=on, action=action, regimen=regimen,
                         weeks=weeks, until=until, investigator=row.get("investigator", ""))
            for col, message, hint in decision_row_problems(d, max_weeks):
                rows.error(line, col, message, row.get(col) or None, hint=hint)
        elif not row.get("investigator"):
            rows.error(line, "investigator", "missing investigator",
                       hint="every decision names the investigator who made it")
        if rows.count == start and on and action:
            out.append(Decision(subject_id=sid, decided_on=on, action=action, regimen=regimen,
                                weeks=weeks, until=until, investigator=row.get("investigator", ""),
                                rationale=row.get("rationale", ""),
                                source=SourceRef(path=path.name, line=line)))
    return out


#: A dose or review visit's week may lie at most this far after the cap (a visit recorded
#: there is reported as not part of the plan; a week further out is a typo, and its date
#: would overflow).
MAX_WEEKS_AFTER_CAP = 52
_VISIT_WEEK = re.compile(r"(?:REV-)?W(\d+)(?:D\d+)?")


def _load_visits(path: Path, ids: set[str] | None, protocol: Protocol | None,
                 errors: list[ScheduleError]) -> list[RecordedVisit]:

    if not path.exists():
        return []
    rows = CsvRows(path, VISIT_COLUMNS, VISIT_OPTIONAL, errors, extra_allowed=False,
                 multiline=("note", "amended_from", "amendment_note"), row_like=_VISIT_LIKE)
    rows.span = study_span(protocol)
    out: list[RecordedVisit] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows:
        start = rows.count
        sid, visit = row["subject_id"], row["visit"]
        if ids is not None and sid not in ids:
            rows.error(line, "subject_id", "unknown subject", sid,
                       hint="add the subject to subjects.csv or fix the id")
        if not visit:
            rows.error(line, "visit", "missing visit name", hint="e.g. W2D4, D28, EOT")
        elif protocol is not None and (far := _VISIT_WEEK.fullmatch(visit)) and \
                int(far.group(1)) > protocol.max_treatment_weeks + MAX_WEEKS_AFTER_CAP:
            rows.error(line, "visit", "no such visit: its week is more than "
                       f"{MAX_WEEKS_AFTER_CAP} weeks after the cap (week "
                       f"{protocol.max_treatment_weeks})", visit, hint="check the week number")
        elif protocol is not None and visit_kind(protocol, visit) is None:
            rows.error(line, "visit", "unknown visit", visit,
                       hint=unknown_visit_hint(protocol, visit))
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
        if rows.count == start and status:
            out.append(RecordedVisit(subject_id=sid, visit=visit, status=status, actual_date=actual,
                                     note=row.get("note", ""),
                                     source=SourceRef(path=path.name, line=line)))
    return out

