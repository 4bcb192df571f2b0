"""Entries back in: what coordinators type into the workbook, what nurses record, into the study.

Three ways in, one path: :func:`import_workbook` (the Visits and Decisions sheets of a
coordinator's copy of the workbook), :func:`record` (one visit) and :func:`decide` (one
decision). Each builds entries, :func:`plan_entries` checks them against the protocol and the
plan and says what would change, and :func:`write_entries` writes ``visits.csv`` and
``decisions.csv``, under the study's lock, atomically.

Policies:

* **Nothing is lost.** A row already in ``visits.csv`` or ``decisions.csv`` is never
  dropped; an entry that contradicts it is a *conflict*, reported and not applied. Only
  ``amend=REASON`` corrects a recorded visit, and the old values go to the audit columns
  ``amended_from`` / ``amended_on`` / ``amendment_note`` (earlier corrections are kept,
  separated by `` | ``). Recorded decisions are never rewritten: a new decision supersedes.
* **All or nothing.** Every entry is checked before anything is written; one bad entry
  (named by its cell, ``Visits!P14``, or its argument) and nothing is written.
* **Idempotent.** An entry equal to what is recorded changes nothing, so a second import of
  the same workbook is a no-op. A cleared cell is not a deletion.
* **One writer at a time.** Writers take ``STUDY/.cc312-schedule.lock`` (an OS file lock,
  released even if the process dies) and re-read the study under it, so two writers never
  lose each other's rows.

>>> from datetime import date
>>> entry = VisitEntry(subject_id="006", visit="D28", status=RecordStatus.DONE,
...                    actual_date=date(2026, 11, 22))
>>> entry.describe()
'D28 done 2026-11-22'
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .days import parse_iso_date
from .errors import InvalidStudyError, ScheduleError, UsageError, WorkbookError
from .messages import LANGUAGES, message
from .study import Action, Decision, RecordedVisit, RecordStatus, SourceRef, Study, load_study

__all__ = [
    "AUDIT_COLUMNS",
    "LOCK_NAME",
    "Amendment",
    "Conflict",
    "DecisionEntry",
    "EntryPlan",
    "StudyLockedError",
    "VisitEntry",
    "WorkbookEntries",
    "decide",
    "import_workbook",
    "load_entries",
    "plan_entries",
    "record",
    "study_lock",
    "write_entries",
]

LOCK_NAME = ".cc312-schedule.lock"
#: visits.csv columns added (at the end) the first time a recorded visit is amended.
AUDIT_COLUMNS = ("amended_from", "amended_on", "amendment_note")
VISITS_HEADER = ("subject_id", "visit", "actual_date", "status", "note")
DECISIONS_HEADER = ("subject_id", "decided_on", "action", "regimen", "weeks", "until",
                    "investigator", "rationale")
#: how far down a sheet the header row is looked for
_HEADER_SCAN_ROWS = 30


class StudyLockedError(ScheduleError):
    """Another writer holds the study's lock for longer than the wait allowed."""


# --------------------------------------------------------------------------------------
# entries


@dataclass(frozen=True, slots=True, kw_only=True)
class VisitEntry:
    """A visit as typed in: ``status`` None means "only a note" (allowed on a recorded visit).

    ``cells`` names where each field came from (``{"actual_date": "Visits!O14"}``), so an
    error can point at it; for the command line it names the argument (``--done``).
    """

    subject_id: str
    visit: str
    status: RecordStatus | None
    actual_date: date | None = None
    note: str = ""
    cells: Mapping[str, str] = field(default_factory=dict, compare=False)

    def describe(self) -> str:
        text = f"{self.visit} {self.status or 'note'}"
        if self.actual_date:
            text += f" {self.actual_date}"
        return text + (f" “{self.note}”" if self.note else "")


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionEntry:
    """A decision as typed in; ``cells`` as for :class:`VisitEntry`."""

    decision: Decision
    cells: Mapping[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkbookEntries:
    """Everything read from a workbook: the entries, and every cell that could not be read."""

    path: str
    visits: tuple[VisitEntry, ...] = ()
    decisions: tuple[DecisionEntry, ...] = ()
    errors: tuple[ScheduleError, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Amendment:
    """A recorded visit corrected with a reason; ``old`` goes to the audit columns."""

    old: RecordedVisit
    new: RecordedVisit
    reason: str
    on: date


@dataclass(frozen=True, slots=True, kw_only=True)
class Conflict:
    """An entry that contradicts a recorded row: reported, never applied."""

    subject_id: str
    message: str
    where: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryPlan:
    """What an import (or ``record``/``decide``) would change; :meth:`describe` prints it."""

    added_visits: tuple[RecordedVisit, ...] = ()
    amendments: tuple[Amendment, ...] = ()
    added_decisions: tuple[Decision, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    warnings: tuple[str, ...] = ()
    unchanged: int = 0
    applied: bool = False

    @property
    def changes(self) -> int:
        return len(self.added_visits) + len(self.amendments) + len(self.added_decisions)

    def describe(self) -> str:
        """A readable diff, per subject: ``+`` new, ``~`` amended, ``!`` conflict (not applied)."""
        lines: dict[str, list[str]] = {}
        for v in self.added_visits:
            lines.setdefault(v.subject_id, []).append(
                f"  + {_visit_text(v)}  ({v.source})")
        for a in self.amendments:
            lines.setdefault(a.new.subject_id, []).append(
                f"  ~ {a.new.visit}: {_visit_text(a.old, name=False)} -> "
                f"{_visit_text(a.new, name=False)}  (amended: {a.reason}; {a.new.source})")
        for d in self.added_decisions:
            who = f" by {d.investigator}" if d.investigator else ""
            lines.setdefault(d.subject_id, []).append(
                f"  + decision: {d.describe().rsplit(' (', 1)[0]}{who}  ({d.source})")
        for c in self.conflicts:
            lines.setdefault(c.subject_id, []).append(f"  ! conflict: {c.message}  ({c.where})")
        out = []
        for sid in sorted(lines):
            out.append(f"subject {sid}")
            out.extend(lines[sid])
        out.extend(f"warning: {w}" for w in self.warnings)
        verb = "applied" if self.applied else "would apply"
        summary = (f"{self.changes} change(s) {verb}, {len(self.conflicts)} conflict(s) not applied, "
                   f"{self.unchanged} entr{'y' if self.unchanged == 1 else 'ies'} already recorded")
        if not self.changes and not self.conflicts:
            summary = f"nothing to change ({self.unchanged} entries already recorded)"
        out.append(summary)
        return "\n".join(out) + "\n"


def _visit_text(v: RecordedVisit, *, name: bool = True) -> str:
    text = f"{v.visit} " if name else ""
    text += str(v.status)
    if v.actual_date:
        text += f" {v.actual_date}"
    return text + (f" “{v.note}”" if v.note else "")


# --------------------------------------------------------------------------------------
# reading a workbook


@functools.cache
def _header_texts(col: str) -> frozenset[str]:
    """The header texts a column is found by: its label in every language, and its id."""
    texts = {_norm(message(lang, f"xlsx.col.{col}")) for lang in LANGUAGES}
    return frozenset(texts | {_norm(col)})


_VISIT_COLS = ("subject", "visit", "actual_date", "status", "note")
_DECISION_COLS = ("subject", "decided_on", "action", "regimen", "weeks", "until",
                  "investigator", "rationale")


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _choices(prefix: str, values: Sequence[str]) -> dict[str, str]:
    """Typed text (normalised) -> value, for each value's label in every language."""
    out = {_norm(v): v for v in values}
    for v in values:
        for lang in LANGUAGES:
            out[_norm(message(lang, f"{prefix}.{v}"))] = v
    return out


def load_entries(path: str | Path) -> WorkbookEntries:
    """Read the entries of a workbook (the coordinator's copy of :func:`~.xlsx.to_xlsx`).

    Sheets are found by their header rows, not their names or positions: the Visits sheet is
    the one with Subject, Visit, Actual date, Status and Note headers; the Decisions sheet the
    one with Subject, Decided on and Action (headers in either language, any order, anywhere
    in the first rows). Extra sheets, extra columns, deleted or re-ordered rows and merged
    cells are fine. Dates must be date cells or ISO text (``2026-11-23``).
    """
    from python_calamine import CalamineError, CalamineWorkbook

    p = Path(path)
    try:
        wb = CalamineWorkbook.from_path(str(p))
    except (CalamineError, OSError, ValueError) as exc:
        raise UsageError(f"cannot read the workbook: {exc}", path=p,
                         hint="give an .xlsx file saved by Excel, WPS or LibreOffice") from None
    errors: list[ScheduleError] = []
    found: dict[str, tuple[str, list[list[Any]], dict[str, int], int]] = {}
    with wb:
        preferred = {_norm(message(lang, f"xlsx.sheet.{s}")): s
                     for s in ("visits", "decisions") for lang in LANGUAGES}
        names = sorted(wb.sheet_names, key=lambda n: _norm(n) not in preferred)
        for name in names:
            sheet = wb.get_sheet_by_name(name)
            rows = _grid(sheet)
            for kind, required in (("visits", _VISIT_COLS), ("decisions", _DECISION_COLS[:3])):
                if kind in found:
                    continue
                header = _find_header(rows, _VISIT_COLS if kind == "visits" else _DECISION_COLS,
                                      required)
                if header is not None:
                    found[kind] = (name, rows, *header)
    if "visits" not in found and "decisions" not in found:
        raise UsageError("no Visits or Decisions sheet found in the workbook", path=p,
                         hint="import a workbook written by 'cc312-schedule xlsx' (the header "
                         "rows Subject/Visit/Actual date/Status/Note must be kept)")
    visits: list[VisitEntry] = []
    decisions: list[DecisionEntry] = []
    if "visits" in found:
        visits = _read_visits(p, *found["visits"], errors)
    if "decisions" in found:
        decisions = _read_decisions(p, *found["decisions"], errors)
    return WorkbookEntries(path=str(p), visits=tuple(visits), decisions=tuple(decisions),
                           errors=tuple(errors))


def _grid(sheet: Any) -> list[list[Any]]:
    """The sheet from A1 as a list of rows; a merged range repeats its value in every cell."""
    rows: list[list[Any]] = [list(r) for r in sheet.to_python(skip_empty_area=False)]
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ():
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            for c in range(c0, c1 + 1):
                if c < len(rows[r]):
                    rows[r][c] = value
    return rows


def _find_header(rows: list[list[Any]], columns: Sequence[str],
                 required: Sequence[str]) -> tuple[dict[str, int], int] | None:
    for r, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        cols: dict[str, int] = {}
        for c, value in enumerate(row):
            if not isinstance(value, str):
                continue
            text = _norm(value)
            for col in columns:
                if col not in cols and text in _header_texts(col):
                    cols[col] = c
        if all(c in cols for c in required):
            return cols, r
    return None


def _col_letter(c: int) -> str:
    """0-based column index -> spreadsheet letters (0 -> A, 26 -> AA)."""
    out = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        out = chr(65 + rem) + out
    return out


class _Cells:
    """Typed access to one row's cells; bad values become :class:`WorkbookError` entries."""

    def __init__(self, path: Path, sheet: str, row: list[Any], r: int, cols: dict[str, int],
                 errors: list[ScheduleError]) -> None:
        self.path, self.sheet, self.row, self.r, self.cols = path, sheet, row, r, cols
        self.errors = errors
        self.ok = True

    def ref(self, col: str) -> str:
        return f"{self.sheet}!{_col_letter(self.cols[col])}{self.r + 1}"

    def refs(self) -> dict[str, str]:
        return {c: self.ref(c) for c in self.cols}

    def raw(self, col: str) -> Any:
        c = self.cols.get(col)
        if c is None or c >= len(self.row):
            return None
        value = self.row[c]
        if isinstance(value, str) and not value.strip():
            return None
        return value

    def error(self, col: str, msg: str, value: object, hint: str) -> None:
        self.errors.append(WorkbookError(msg, path=self.path, cell=self.ref(col), value=value,
                                         hint=hint))
        self.ok = False

    def text(self, col: str) -> str:
        value = self.raw(col)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, (datetime, date)):
            value = value.isoformat()
        return str(value).strip()

    def ident(self, col: str) -> str:
        """An identifier (subject id, visit name): text; a number has lost its leading zeros."""
        value = self.raw(col)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.error(col, "an id typed as a number (leading zeros are lost)", value,
                       "format the column as Text and type the id as in subjects.csv, e.g. 001")
            return ""
        return self.text(col)

    def day(self, col: str) -> date | None:
        value = self.raw(col)
        if value is None:
            return None
        if isinstance(value, datetime):
            if value.time() != datetime.min.time():
                self.error(col, "a date with a time of day", value.isoformat(),
                           "type the date alone, YYYY-MM-DD")
                return None
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return parse_iso_date(value)
            except ValueError as exc:
                self.error(col, str(exc), value, "type a date cell or YYYY-MM-DD text")
                return None
        self.error(col, "not a date", value,
                   "type the date as YYYY-MM-DD (a bare number is refused: which date is it?)")
        return None

    def choice(self, col: str, options: dict[str, str], hint: str) -> str | None:
        text = self.text(col)
        if not text:
            return None
        value = options.get(_norm(text))
        if value is None:
            self.error(col, "not one of the choices", text, hint)
        return value


def _read_visits(path: Path, sheet: str, rows: list[list[Any]], cols: dict[str, int],
                 header: int, errors: list[ScheduleError]) -> list[VisitEntry]:
    statuses = _choices("xlsx.status", [s.value for s in RecordStatus])
    out: list[VisitEntry] = []
    for r in range(header + 1, len(rows)):
        cells = _Cells(path, sheet, rows[r], r, cols, errors)
        if all(cells.raw(c) is None for c in ("actual_date", "status", "note")):
            continue  # nothing entered (an empty entry is never a deletion)
        sid, visit = cells.ident("subject"), cells.ident("visit")
        status_text = cells.choice("status", statuses, "choose done or missed from the list")
        actual = cells.day("actual_date")
        note = cells.text("note")
        if cells.ok and (not sid or not visit):
            cells.error("subject" if not sid else "visit", "an entry on a row without subject "
                        "and visit", cells.text("subject") or cells.text("visit"),
                        "keep the Subject and Visit cells of the row you type in")
        status = RecordStatus(status_text) if status_text else None
        if status is None and actual is not None:
            status = RecordStatus.DONE  # a date alone means done
        if status is RecordStatus.DONE and actual is None and cells.ok:
            cells.error("actual_date", "a done visit needs its actual date", None,
                        "type the date it was done, YYYY-MM-DD")
        if status is RecordStatus.MISSED and actual is not None:
            cells.error("actual_date", "a missed visit has no actual date", actual.isoformat(),
                        "clear the date, or set the status to done")
        if cells.ok:
            out.append(VisitEntry(subject_id=sid, visit=visit, status=status, actual_date=actual,
                                  note=note, cells=cells.refs()))
    return out


def _read_decisions(path: Path, sheet: str, rows: list[list[Any]], cols: dict[str, int],
                    header: int, errors: list[ScheduleError]) -> list[DecisionEntry]:
    actions = _choices("xlsx.action", [a.value for a in Action])
    out: list[DecisionEntry] = []
    entry_cols = [c for c in _DECISION_COLS if c != "subject"]
    for r in range(header + 1, len(rows)):
        cells = _Cells(path, sheet, rows[r], r, cols, errors)
        if all(cells.raw(c) is None for c in entry_cols):
            continue  # the empty row left for a decision due, or a blank row
        sid = cells.ident("subject")
        on = cells.day("decided_on")
        action = cells.choice("action", actions, "choose continue, stop, hold or resume")
        regimen = cells.text("regimen") or None
        weeks: int | None = None
        wraw = cells.raw("weeks")
        if wraw is not None:
            try:
                wf = float(wraw) if not isinstance(wraw, bool) else float("nan")
                if not wf.is_integer() or wf < 1:
                    raise ValueError
                weeks = int(wf)
            except (TypeError, ValueError):
                cells.error("weeks", "must be a whole number of weeks >= 1", wraw,
                            "type a number such as 8, or leave it empty")
        until = cells.day("until")
        if cells.ok and not sid:
            cells.error("subject", "a decision without a subject", None, "type the subject id")
        if cells.ok and on is None:
            cells.error("decided_on", "a decision needs its date", None, "type YYYY-MM-DD")
        if cells.ok and action is None:
            cells.error("action", "a decision needs its action", None,
                        "choose continue, stop, hold or resume")
        if not cells.ok or on is None or action is None:
            continue
        decision = Decision(subject_id=sid, decided_on=on, action=Action(action), regimen=regimen,
                            weeks=weeks, until=until, investigator=cells.text("investigator"),
                            rationale=cells.text("rationale"),
                            source=SourceRef(path=f"{sheet}!", line=r + 1))
        out.append(DecisionEntry(decision=decision, cells=cells.refs()))
    return out


# --------------------------------------------------------------------------------------
# checking entries against the study


def plan_entries(study: Study, entries: WorkbookEntries, *, today: date,
                 amend: str | None = None) -> EntryPlan:
    """Check ``entries`` against the study and say what writing them would change (pure).

    Raise :class:`InvalidStudyError` listing every bad entry (nothing may be written then).
    ``today`` bounds entered dates (nothing in the future); ``amend`` (a reason) lets an entry
    correct a recorded visit instead of being a conflict.
    """
    from .engine import check_decisions, visit_kind

    protocol = study.protocol
    errors: list[ScheduleError] = list(entries.errors)
    subjects = {s.subject_id: s for s in study.subjects}
    recorded = {(v.subject_id, v.visit): v for v in study.visits}
    dpath = str(Path(study.folder) / "decisions.csv")

    def err(e: VisitEntry | DecisionEntry, col: str, msg: str, value: object, hint: str) -> None:
        cell = e.cells.get(col)
        errors.append(WorkbookError(msg, path=entries.path if cell and "!" in cell else None,
                                    cell=cell, value=value, hint=hint))

    def check_date(e: VisitEntry | DecisionEntry, col: str, day: date | None) -> None:
        if day is None:
            return
        if not protocol.start_date <= day <= protocol.completion_date:
            err(e, col, f"outside the study ({protocol.start_date} … {protocol.completion_date})",
                day.isoformat(), "check the year and month")
        elif day > today:
            err(e, col, f"in the future (today is {today})", day.isoformat(),
                "enter what has happened; plan future visits in the plan, not here")

    def check_subject(e: VisitEntry | DecisionEntry, sid: str) -> bool:
        if sid not in subjects:
            err(e, "subject", "unknown subject", sid,
                f"use a subject id of subjects.csv ({', '.join(sorted(subjects))})")
            return False
        return True

    added: dict[tuple[str, str], RecordedVisit] = {}
    amendments: list[Amendment] = []
    conflicts: list[Conflict] = []
    unchanged = 0
    seen: dict[tuple[str, str], VisitEntry] = {}
    for e in entries.visits:
        ok = check_subject(e, e.subject_id)
        if visit_kind(protocol, e.visit) is None:
            names = [protocol.assessment_visit, protocol.eot_visit, *(f.visit for f in protocol.follow_up)]
            err(e, "visit", "unknown visit", e.visit,
                f"use a dose visit W<week>D<day> (e.g. W2D4), REV-W<week>, or one of {', '.join(names)}")
            ok = False
        check_date(e, "actual_date", e.actual_date)
        key = (e.subject_id, e.visit)
        if key in seen:
            if seen[key] != e:
                first = seen[key].cells.get("subject", "")
                err(e, "visit", f"entered twice, differently (first at {first})", e.visit,
                    "keep one entry per subject and visit")
            continue
        seen[key] = e
        if not ok:
            continue
        old = recorded.get(key)
        where = e.cells.get("status") or e.cells.get("actual_date") or e.cells.get("subject", "")
        if old is None:
            if e.status is None:
                err(e, "status", "a note on a visit with nothing recorded", e.note,
                    "choose done (with the date) or missed")
                continue
            added[key] = RecordedVisit(subject_id=e.subject_id, visit=e.visit, status=e.status,
                                       actual_date=e.actual_date, note=e.note,
                                       source=SourceRef(path=where))
            continue
        new = RecordedVisit(
            subject_id=e.subject_id, visit=e.visit, status=e.status or old.status,
            actual_date=e.actual_date if e.status else old.actual_date, note=e.note,
            source=old.source)
        if (new.status, new.actual_date, new.note) == (old.status, old.actual_date, old.note):
            unchanged += 1
        elif amend:
            amendments.append(Amendment(old=old, new=new, reason=amend, on=today))
        else:
            conflicts.append(Conflict(
                subject_id=e.subject_id, where=where,
                message=f"{e.visit} is recorded as {_visit_text(old, name=False)} ({old.source}); "
                        f"the entry says {_visit_text(new, name=False)}: not applied "
                        "(correct the entry, or amend with a reason: --amend REASON)"))

    new_decisions: list[DecisionEntry] = []
    existing = {(d.subject_id, d.decided_on): d for d in study.decisions}
    seen_d: dict[tuple[str, date], DecisionEntry] = {}
    for de in entries.decisions:
        d = de.decision
        if not check_subject(de, d.subject_id):
            continue
        check_date(de, "decided_on", d.decided_on)
        if d.until is not None and d.until < d.decided_on:
            err(de, "until", f"is before the decision date {d.decided_on}", d.until.isoformat(),
                "until is the last date a dose may be planned")
        for msg, col, hint in _decision_rules(d, protocol.regimen_codes):
            err(de, col, msg, getattr(d, col, None) if col != "subject" else d.subject_id, hint)
        key_d = (d.subject_id, d.decided_on)
        if key_d in seen_d:
            if seen_d[key_d].decision != d:
                err(de, "decided_on", "two different decisions for one subject on one day",
                    d.decided_on.isoformat(), "keep one decision per subject and day")
            continue
        seen_d[key_d] = de
        old_d = existing.get(key_d)
        if old_d is None:
            new_decisions.append(de)
        elif _same_decision(old_d, d):
            unchanged += 1
        else:
            conflicts.append(Conflict(
                subject_id=d.subject_id, where=de.cells.get("decided_on", ""),
                message=f"a different decision is recorded for {d.decided_on} ({old_d.source}: "
                        f"{old_d.describe().rsplit(' (', 1)[0]}): not applied (recorded decisions "
                        "are never rewritten; date a new decision to supersede it)"))

    # the whole decision sequence of each subject with new decisions, as the loader checks it
    by_source: dict[tuple[str | None, int | None], DecisionEntry] = {
        (de.decision.source.path, de.decision.source.line): de for de in new_decisions}
    for sid in sorted({de.decision.subject_id for de in new_decisions}):
        mine = [*study.decisions_of(sid), *(de.decision for de in new_decisions
                                            if de.decision.subject_id == sid)]
        for problem in check_decisions(protocol, subjects[sid], mine):
            de_hit = by_source.get((problem.path, problem.line))
            if de_hit is None:
                errors.append(problem)
                continue
            text = problem.message.removeprefix(f"subject {sid}: ")
            err(de_hit, problem.column or "decided_on", text, problem.value, problem.hint or "")
    if errors:
        raise InvalidStudyError(errors)

    # name the new decisions by their cells in the diff, then plan the result to find warnings
    added_decisions = tuple(
        replace(de.decision, source=SourceRef(path=de.cells.get("decided_on")
                                              or de.cells.get("subject") or dpath))
        for de in new_decisions)
    candidate = replace(
        study,
        visits=tuple(_amended(study.visits, amendments)) + tuple(added.values()),
        decisions=study.decisions + added_decisions)
    warnings = _new_warnings(study, candidate, today)
    return EntryPlan(added_visits=tuple(added.values()), amendments=tuple(amendments),
                     added_decisions=added_decisions, conflicts=tuple(conflicts),
                     warnings=warnings, unchanged=unchanged)


def _decision_rules(d: Decision, regimens: Sequence[str]) -> list[tuple[str, str, str]]:
    """The per-row rules of decisions.csv (study.py's loader), for an entry: (message, column, hint)."""
    out: list[tuple[str, str, str]] = []
    if d.weeks and d.until:
        out.append(("give either weeks or until, not both", "until", "clear one of them"))
    if d.action in (Action.STOP, Action.HOLD):
        for col in ("regimen", "weeks", "until"):
            if getattr(d, col) is not None:
                out.append((f"a {d.action} decision takes no {col}", col, "clear the cell"))
    if d.action is Action.RESUME and not d.regimen and (d.weeks or d.until):
        out.append(("weeks/until on a resume need a regimen", "regimen",
                    "name the regimen, or clear weeks/until to restore the held one"))
    if not d.investigator:
        out.append(("missing investigator", "investigator",
                    "every decision names the investigator who made it"))
    return out


def _same_decision(a: Decision, b: Decision) -> bool:
    return (a.action, a.regimen, a.weeks, a.until, a.investigator, a.rationale) == (
        b.action, b.regimen, b.weeks, b.until, b.investigator, b.rationale)


def _amended(visits: Sequence[RecordedVisit], amendments: Sequence[Amendment]) -> Iterator[RecordedVisit]:
    by_key = {(a.old.subject_id, a.old.visit): a.new for a in amendments}
    for v in visits:
        yield by_key.get((v.subject_id, v.visit), v)


def _new_warnings(before: Study, after: Study, today: date) -> tuple[str, ...]:
    """Plan warnings the entries add (a done date outside its window, a clipped decision...)."""
    from .engine import plan_study

    old = {str(w) for w in plan_study(before, today=today).warnings}
    return tuple(str(w) for w in plan_study(after, today=today).warnings if str(w) not in old)


# --------------------------------------------------------------------------------------
# writing


@contextlib.contextmanager
def study_lock(folder: str | Path, *, timeout: float = 10.0) -> Iterator[None]:
    """Hold the study's write lock (``STUDY/.cc312-schedule.lock``), waiting up to ``timeout`` s.

    An OS lock (``flock``; ``msvcrt.locking`` on Windows) on the lock file: released when the
    holder ends, even by a crash, so a stale lock file never blocks anyone.
    """
    path = Path(folder) / LOCK_NAME
    try:
        fh = open(path, "a+b")  # noqa: SIM115 (held open for the lock's lifetime)
    except OSError as exc:
        raise UsageError(f"cannot create the lock file: {exc.strerror}", path=path,
                         hint="the study folder must be writable") from None
    deadline = time.monotonic() + timeout
    try:
        while not _try_lock(fh):
            if time.monotonic() >= deadline:
                fh.seek(0)
                holder = fh.read().decode("utf-8", "replace").strip() or "another process"
                raise StudyLockedError(
                    f"the study is being written by {holder}", path=path,
                    hint=f"waited {timeout:g} s; wait for the other import/record/decide to "
                    "finish, then run the command again")
            time.sleep(0.05)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {datetime.now().isoformat(timespec='seconds')}".encode())
        fh.flush()
        yield
    finally:
        _unlock(fh)
        fh.close()


def _try_lock(fh: Any) -> bool:
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        try:
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _unlock(fh: Any) -> None:
    with contextlib.suppress(OSError):
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def write_entries(folder: str | Path, plan: EntryPlan) -> EntryPlan:
    """Write ``plan``'s changes to ``visits.csv`` / ``decisions.csv`` (caller holds the lock).

    Existing rows keep their bytes; new rows are appended; an amended row is rewritten in
    place with its old values in the audit columns. Each file is replaced atomically; if the
    result does not load, both files are put back as they were.
    """
    from .fileio import write_atomic

    root = Path(folder)
    vpath, dpath = root / "visits.csv", root / "decisions.csv"
    old_v = vpath.read_bytes() if vpath.exists() else None
    old_d = dpath.read_bytes() if dpath.exists() else None
    new_v = _edit_visits(old_v, plan.added_visits, plan.amendments)
    new_d = _append_rows(old_d, DECISIONS_HEADER, [_decision_row(d) for d in plan.added_decisions])
    try:
        if new_d != old_d and new_d is not None:
            write_atomic(dpath, new_d)
        if new_v != old_v and new_v is not None:
            write_atomic(vpath, new_v)
        load_study(root)
    except BaseException:
        for path, old in ((dpath, old_d), (vpath, old_v)):
            if old is None:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            else:
                write_atomic(path, old)
        raise
    return replace(plan, applied=True)


def _decision_row(d: Decision) -> dict[str, str]:
    return {"subject_id": d.subject_id, "decided_on": d.decided_on.isoformat(),
            "action": d.action.value, "regimen": d.regimen or "",
            "weeks": str(d.weeks) if d.weeks else "", "until": d.until.isoformat() if d.until else "",
            "investigator": d.investigator, "rationale": d.rationale}


def _visit_row(v: RecordedVisit) -> dict[str, str]:
    return {"subject_id": v.subject_id, "visit": v.visit,
            "actual_date": v.actual_date.isoformat() if v.actual_date else "",
            "status": v.status.value, "note": v.note}


class _CsvText:
    """A CSV file as text: its header, its records with their physical line spans."""

    def __init__(self, raw: bytes | None, default_header: Sequence[str]) -> None:
        text = raw.decode("utf-8-sig") if raw else ""
        self.bom = bool(raw and raw.startswith(b"\xef\xbb\xbf"))
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.lines = text.splitlines(keepends=True)
        if self.lines and not self.lines[-1].endswith(("\n", "\r")):
            self.lines[-1] += self.newline
        if not self.lines:
            self.lines = [self.format(list(default_header))]
        reader = csv.reader(self.lines)
        self.header = [h.strip() for h in next(reader)]
        self.records: list[tuple[int, int, list[str]]] = []  # (first line, end line, fields)
        while True:
            start = reader.line_num
            try:
                row = next(reader)
            except StopIteration:
                break
            self.records.append((start, reader.line_num, row))

    def format(self, fields: Sequence[str]) -> str:
        out = io.StringIO()
        csv.writer(out, lineterminator=self.newline).writerow(fields)
        return out.getvalue()

    def row(self, values: Mapping[str, str]) -> str:
        return self.format([values.get(h, "") for h in self.header])

    def encode(self) -> bytes:
        return ("\ufeff" if self.bom else "").encode() + "".join(self.lines).encode("utf-8")


def _append_rows(raw: bytes | None, header: Sequence[str], rows: Sequence[Mapping[str, str]]) -> bytes | None:
    if not rows:
        return raw
    doc = _CsvText(raw, header)
    doc.lines.extend(doc.row(r) for r in rows)
    return doc.encode()


def _edit_visits(raw: bytes | None, added: Sequence[RecordedVisit],
                 amendments: Sequence[Amendment]) -> bytes | None:
    if not added and not amendments:
        return raw
    doc = _CsvText(raw, VISITS_HEADER)
    if amendments:
        missing = [c for c in AUDIT_COLUMNS if c not in doc.header]
        if missing:
            doc.header += missing
            doc.lines[0] = doc.format(doc.header)
        idx = {h: i for i, h in enumerate(doc.header)}
        todo = {(a.old.subject_id, a.old.visit): a for a in amendments}
        for start, end, fields in reversed(doc.records):
            values = {h: (fields[i].strip() if i < len(fields) else "") for h, i in idx.items()}
            a = todo.get((values["subject_id"], values["visit"]))
            if a is None:
                continue
            old = _visit_row(a.old)
            was = "; ".join(f"{k}={old[k]}" for k in ("status", "actual_date", "note") if old[k])
            values.update(_visit_row(a.new))
            for col, add in (("amended_from", was), ("amended_on", a.on.isoformat()),
                             ("amendment_note", a.reason)):
                values[col] = f"{values[col]} | {add}" if values.get(col) else add
            doc.lines[start:end] = [doc.row(values)]
    doc.lines.extend(doc.row(_visit_row(v)) for v in added)
    return doc.encode()


# --------------------------------------------------------------------------------------
# the three ways in


def import_workbook(folder: str | Path, workbook: str | Path, *, today: date, apply: bool = False,
                    amend: str | None = None, lock_timeout: float = 10.0) -> EntryPlan:
    """Import a coordinator's workbook: a dry run by default; ``apply=True`` writes.

    When applying, the study is re-read under its lock, so rows another writer added in the
    meantime are kept and compared against.
    """
    entries = load_entries(workbook)
    if not apply:
        return plan_entries(load_study(folder), entries, today=today, amend=amend)
    with study_lock(folder, timeout=lock_timeout):
        plan = plan_entries(load_study(folder), entries, today=today, amend=amend)
        return write_entries(folder, plan) if plan.changes else plan


def record(folder: str | Path, subject_id: str, visit: str, *, today: date,
           done: date | None = None, missed: bool = False, note: str = "",
           amend: str | None = None, lock_timeout: float = 10.0) -> EntryPlan:
    """Record one visit as done on ``done`` or as ``missed``, and write it (under the lock).

    A visit recorded differently already is an error unless ``amend`` gives the reason.
    """
    if (done is None) == (not missed):
        raise UsageError("say either --done DATE or --missed", key="record",
                         hint="e.g. --done 2026-11-23, or --missed --note 'why'")
    entry = VisitEntry(subject_id=subject_id, visit=visit,
                       status=RecordStatus.MISSED if missed else RecordStatus.DONE,
                       actual_date=done, note=note,
                       cells={"subject": "SUBJECT", "visit": "VISIT", "actual_date": "--done",
                              "status": "--missed" if missed else "--done", "note": "--note"})
    return _write_one(folder, WorkbookEntries(path="<command line>", visits=(entry,)),
                      today=today, amend=amend, lock_timeout=lock_timeout)


def decide(folder: str | Path, subject_id: str, *, on: date, action: Action | str, today: date,
           regimen: str | None = None, weeks: int | None = None, until: date | None = None,
           investigator: str, rationale: str = "", lock_timeout: float = 10.0) -> EntryPlan:
    """Record one investigator decision and write it (under the lock), checked like an import."""
    try:
        act = Action(str(action).lower())
    except ValueError:
        raise UsageError("unknown action", key="ACTION", value=str(action),
                         hint="use continue, stop, hold or resume") from None
    d = Decision(subject_id=subject_id, decided_on=on, action=act, regimen=regimen, weeks=weeks,
                 until=until, investigator=investigator.strip(), rationale=rationale.strip(),
                 source=SourceRef(path="<command line>"))
    entry = DecisionEntry(decision=d, cells={
        "subject": "SUBJECT", "decided_on": "--on", "action": "ACTION", "regimen": "--regimen",
        "weeks": "--weeks", "until": "--until", "investigator": "--investigator",
        "rationale": "--rationale"})
    return _write_one(folder, WorkbookEntries(path="<command line>", decisions=(entry,)),
                      today=today, amend=None, lock_timeout=lock_timeout)


def _write_one(folder: str | Path, entries: WorkbookEntries, *, today: date, amend: str | None,
               lock_timeout: float) -> EntryPlan:
    with study_lock(folder, timeout=lock_timeout):
        plan = plan_entries(load_study(folder), entries, today=today, amend=amend)
        if plan.conflicts:
            c = plan.conflicts[0]
            raise UsageError(f"subject {c.subject_id}: {c.message}", hint=None)
        return write_entries(folder, plan) if plan.changes else plan
