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
* **Only what was typed is an entry.** The workbook records (in a hidden sheet) what each
  Visits row's entry cells held when it was exported; a cell still holding that is not an
  entry, so a stale copy never reverts a correction recorded since its export. A workbook
  without that record (an older export, or the sheet deleted) cannot tell a typed cell from a
  stale one: its entries that contradict a recorded visit are conflicts even with ``amend``.
* **Notes.** An absent note keeps the recorded note; a note on a visit recorded without one
  is added (no conflict); a different note on a visit that has one is a conflict unless
  ``amend``. Text is compared as the workbook stores it (:func:`~.xlsx.clean_text`).
* **Only visits of the plan.** A visit not in the subject's current plan (with the decisions
  entered alongside), a done date before the first dose, and ``missed`` for a visit whose
  window has not opened yet (on ``today``) are refused.
* **A missed visit says why.** An entry that records a visit as missed (new, or corrected to
  missed) without a note is refused, as on the desk; a row recorded so before stays.
* **Idempotent.** An entry equal to what is recorded changes nothing, so a second import of
  the same workbook is a no-op. A cleared cell is not a deletion.
* **Audited.** Every changed field is appended to ``STUDY/audit.csv`` (:mod:`.audit`): who
  (``actor``; the command line's ``--by`` or the OS login), when (``clock()``, read under the
  lock), old -> new and the amendment's reason, chained by SHA-256. The entries are appended
  first and taken back if the write fails, under the same lock.
* **One writer at a time.** Writers take ``STUDY/.cc312-schedule.lock`` (an OS file lock,
  released even if the process dies) and re-read the study under it, so two writers never
  lose each other's rows.

This module checks entries against the study (:func:`plan_entries`) and holds the three ways
in; the other jobs have their own modules, whose public names are importable from here too:
:mod:`.workbook_read` (finding the sheets, reading the cells, size bounds: :func:`load_entries`),
:mod:`.csvedit` (byte-preserving edits of the CSV files: :func:`write_entries`),
:mod:`.studylock` (:func:`study_lock`) and :mod:`.entry_values` (the entries and the plan).

>>> from datetime import date, datetime
>>> entry = VisitEntry(subject_id="006", visit="D28", status=RecordStatus.DONE,
...                    actual_date=date(2026, 11, 22))
>>> entry.describe()
'D28 done 2026-11-22'
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from ..core.domain import Subject, subject_hint
from ..core.errors import InvalidStudyError, ScheduleError, UsageError, WorkbookError
from ..core.messages import Text
from ..core.model import EventKind, PlanWarning
from ..planning.clock import utc_now
from ..planning.engine import (
    SubjectPlans,
    check_decisions,
    decision_row_problems,
    plan_study,
    unknown_visit_hint,
    visit_kind,
)
from ..store.audit import Actor, audited, changes_of, cli_actor
from ..store.csvedit import AUDIT_COLUMNS, write_entries
from ..store.csvedit import DECISIONS_HEADER as DECISIONS_HEADER
from ..store.csvedit import VISITS_HEADER as VISITS_HEADER
from ..store.entry_values import (
    Amendment,
    Conflict,
    DecisionEntry,
    EntryPlan,
    VisitEntry,
    WorkbookEntries,
    decision_said,
    visit_state,
)
from ..store.study import Action, Decision, RecordedVisit, RecordStatus, SourceRef, Study, load_study
from ..store.studylock import LOCK_NAME, StudyLockedError, study_lock
from ..store.workbook_layout import clean_text
from .workbook_read import MAX_SHEET_CELLS as MAX_SHEET_CELLS
from .workbook_read import _col_letter as _col_letter  # tests check it against openpyxl's
from .workbook_read import load_entries

__all__ = [
    "AUDIT_COLUMNS",
    "LOCK_NAME",
    "Actor",
    "Amendment",
    "Conflict",
    "DecisionEntry",
    "EntryConflictError",
    "EntryPlan",
    "StudyLockedError",
    "StudyReader",
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


class StudyReader(Protocol):
    """What a long-running writer (the desk's :class:`~.desk.data.StudyCache`) hands to
    :func:`record`, :func:`decide` and :func:`import_workbook` instead of reading the folder
    itself: called while the study's lock is held."""

    #: the subjects' plans made for its pages (:func:`plan_entries`'s ``memo``)
    memo: SubjectPlans

    def study(self) -> Study:
        """The study as its files say now (the one held when their signature is unchanged)."""
        ...

    def reload(self) -> Study:
        """Read the study's files again, whatever their signature (after a write: the
        check that what was written loads)."""
        ...


class EntryConflictError(UsageError):
    """``record``/``decide``: the entry contradicts a recorded row (``conflicts``); nothing
    was written. The desk answers it with 409, the command line as any usage error."""

    def __init__(self, text: Text, *, conflicts: tuple[Conflict, ...]) -> None:
        super().__init__(str(text), hint=None)
        self.text = text  # the message as data: core/messages.render_error says it in any language
        self.conflicts = conflicts


# --------------------------------------------------------------------------------------
# checking entries against the study


@dataclass(slots=True)
class _Check:
    """One run of :func:`plan_entries`: the study, the entries, and every bad entry found."""

    study: Study
    entries: WorkbookEntries
    today: date
    errors: list[ScheduleError]
    memo: SubjectPlans | None = None
    subjects: dict[str, Subject] = field(init=False)

    def __post_init__(self) -> None:
        self.subjects = {s.subject_id: s for s in self.study.subjects}

    def err(self, e: VisitEntry | DecisionEntry, col: str, msg: str, value: object,
            hint: str) -> None:
        cell = e.cells.get(col)
        kw: dict[str, Any] = {"value": value} if value is not None else {}  # no ": None"
        self.errors.append(WorkbookError(msg, path=self.entries.path if cell and "!" in cell
                                         else None, cell=cell, hint=hint, **kw))

    def check_date(self, e: VisitEntry | DecisionEntry, col: str, day: date | None) -> None:
        protocol, today = self.study.protocol, self.today
        if day is None:
            return
        if not protocol.start_date <= day <= protocol.completion_date:
            self.err(e, col, f"outside the study ({protocol.start_date} … "
                     f"{protocol.completion_date})", day.isoformat(), "check the year and month")
        elif day > today:
            self.err(e, col, f"in the future (today is {today})", day.isoformat(),
                     "enter what has happened; plan future visits in the plan, not here")

    def check_subject(self, e: VisitEntry | DecisionEntry, sid: str) -> bool:
        if sid not in self.subjects:
            hint = subject_hint(sid, self.subjects)
            self.err(e, "subject", "unknown subject", sid, hint if hint.startswith("did") else
                     f"use a subject id of subjects.csv ({', '.join(sorted(self.subjects))})")
            return False
        return True


@dataclass(slots=True)
class _Changes:
    """What the entries change, gathered entry by entry (frozen into an :class:`EntryPlan`)."""

    added: dict[tuple[str, str], RecordedVisit] = field(default_factory=dict)
    noted: list[RecordedVisit] = field(default_factory=list)
    #: new and amended visits, checked against the plan once the decisions are known
    to_place: list[tuple[VisitEntry, RecordedVisit | None]] = field(default_factory=list)
    amendments: list[Amendment] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    new_decisions: list[DecisionEntry] = field(default_factory=list)
    unchanged: int = 0
    #: visits to be recorded (or corrected to) missed without a reason in the note: refused,
    #: said with the plan's checks (a visit not in the plan is said first, as before)
    no_reason: list[VisitEntry] = field(default_factory=list)


def plan_entries(study: Study, entries: WorkbookEntries, *, today: date,
                 amend: str | None = None, memo: SubjectPlans | None = None) -> EntryPlan:
    """Check ``entries`` against the study and say what writing them would change (pure).

    Raise :class:`InvalidStudyError` listing every bad entry (nothing may be written then).
    ``today`` bounds entered dates (nothing in the future); ``amend`` (a reason) lets an entry
    correct a recorded visit instead of being a conflict (not for a workbook without its
    export record: ``entries.tracks_edits`` False). ``memo``: the plans of subjects planned
    before (:class:`~.engine.SubjectPlans`, the desk's), so that only the subjects the entries
    touch are planned again; the answer is the same without it.
    """

    chk = _Check(study=study, entries=entries, today=today, errors=list(entries.errors),
                 memo=memo)
    ch = _Changes()
    _check_visits(chk, ch, amend)
    _check_decisions(chk, ch)
    _check_decision_sequences(chk, ch.new_decisions)
    if chk.errors:
        raise InvalidStudyError(chk.errors)

    # name the new decisions by their cells in the diff, then plan the result to find warnings
    dpath = str(Path(study.folder) / "decisions.csv")
    added_decisions = tuple(
        replace(de.decision, source=SourceRef(path=de.cells.get("decided_on")
                                              or de.cells.get("subject") or dpath))
        for de in ch.new_decisions)
    if ch.to_place:
        _check_against_plan(chk, ch.to_place, added_decisions)
    for e in ch.no_reason:
        chk.err(e, "note", "a missed visit needs its reason in the note", None,
                "say why it did not happen: --note TEXT, or the Note column of the workbook")
    if chk.errors:
        raise InvalidStudyError(chk.errors)

    candidate = replace(
        study,
        visits=tuple(_amended(study.visits, ch.amendments, ch.noted)) + tuple(ch.added.values()),
        decisions=study.decisions + added_decisions)
    touched = ({v.subject_id for v in (*ch.added.values(), *ch.noted)}
               | {a.new.subject_id for a in ch.amendments}
               | {d.subject_id for d in added_decisions})
    warnings = _new_warnings(study, candidate, today, touched, memo)
    return EntryPlan(added_visits=tuple(ch.added.values()), added_notes=tuple(ch.noted),
                     amendments=tuple(ch.amendments), added_decisions=added_decisions,
                     conflicts=tuple(ch.conflicts), warnings=warnings, unchanged=ch.unchanged)


def _check_visits(chk: _Check, ch: _Changes, amend: str | None) -> None:
    """Each visit entry: known subject and visit, a date in the study, entered once; then
    compared with what is recorded."""
    protocol = chk.study.protocol
    recorded = {(v.subject_id, v.visit): v for v in chk.study.visits}
    seen: dict[tuple[str, str], VisitEntry] = {}
    for e in chk.entries.visits:
        ok = chk.check_subject(e, e.subject_id)
        if visit_kind(protocol, e.visit) is None:
            chk.err(e, "visit", "unknown visit", e.visit, unknown_visit_hint(protocol, e.visit))
            ok = False
        chk.check_date(e, "actual_date", e.actual_date)
        key = (e.subject_id, e.visit)
        if key in seen:
            if seen[key] != e:
                first = seen[key].cells.get("subject", "")
                chk.err(e, "visit", f"entered twice, differently (first at {first})", e.visit,
                        "keep one entry per subject and visit")
            continue
        seen[key] = e
        if ok:
            _compare_visit(chk, ch, e, recorded.get(key), amend)


def _compare_visit(chk: _Check, ch: _Changes, e: VisitEntry, old: RecordedVisit | None,
                   amend: str | None) -> None:
    """A new visit, a note added, an amendment, nothing, or a conflict."""
    key = (e.subject_id, e.visit)
    where = e.cells.get("status") or e.cells.get("actual_date") or e.cells.get("subject", "")
    if old is None:
        if e.status is None:
            chk.err(e, "status", "a note on a visit with nothing recorded", e.note,
                    "choose done (with the date) or missed")
            return
        if e.status is RecordStatus.MISSED and not e.note.strip():
            ch.no_reason.append(e)
        ch.added[key] = RecordedVisit(subject_id=e.subject_id, visit=e.visit, status=e.status,
                                      actual_date=e.actual_date, note=e.note,
                                      source=SourceRef(path=where))
        ch.to_place.append((e, None))
        return
    status = e.status or old.status
    actual = e.actual_date if e.status else old.actual_date
    same_when = (status, actual) == (old.status, old.actual_date)
    # an absent note keeps the recorded one; compared as the workbook stores text
    same_note = not e.note or e.note.strip() == clean_text(old.note).strip()
    new = RecordedVisit(subject_id=e.subject_id, visit=e.visit, status=status,
                        actual_date=actual, note=old.note if same_note else e.note,
                        source=old.source)
    if same_when and same_note:
        ch.unchanged += 1
    elif same_when and not old.note:  # a note added to a visit recorded without one
        ch.noted.append(replace(new, source=SourceRef(path=e.cells.get("note") or where)))
    elif amend and chk.entries.tracks_edits:
        if new.status is RecordStatus.MISSED and not new.note.strip():
            ch.no_reason.append(e)
        ch.amendments.append(Amendment(old=old, new=new, reason=amend, on=chk.today))
        ch.to_place.append((e, old))
    else:
        # what the entry says: its status and date (merged as above), and only the note typed
        # (the recorded note is not shown as if the user had entered it)
        entered = replace(new, note=e.note)
        ch.conflicts.append(Conflict(
            subject_id=e.subject_id, where=where,
            text=Text.of("entries.conflict_visit", visit=e.visit, old=visit_state(old),
                         source=str(old.source), new=visit_state(entered),
                         why=Text.of("entries.why_amend" if not amend
                                     else "entries.why_untracked"))))


def _check_decisions(chk: _Check, ch: _Changes) -> None:
    """Each decision entry on its own: new, already recorded, or a conflict."""
    protocol = chk.study.protocol
    existing = {(d.subject_id, d.decided_on): d for d in chk.study.decisions}
    seen_d: dict[tuple[str, date], DecisionEntry] = {}
    for de in chk.entries.decisions:
        d = de.decision
        if not chk.check_subject(de, d.subject_id):
            continue
        chk.check_date(de, "decided_on", d.decided_on)
        if d.weeks is not None and d.weeks < 1:
            chk.err(de, "weeks", "must be a whole number of weeks >= 1", d.weeks,
                    "give the number of weeks (e.g. 8), or leave it out to run to the cap")
        for col, msg, hint in decision_row_problems(d, protocol.max_treatment_weeks):
            value = getattr(d, col)
            chk.err(de, col, msg, value.isoformat() if isinstance(value, date) else value, hint)
        key_d = (d.subject_id, d.decided_on)
        if key_d in seen_d:
            if seen_d[key_d].decision != d:
                chk.err(de, "decided_on", "two different decisions for one subject on one day",
                        d.decided_on.isoformat(), "keep one decision per subject and day")
            continue
        seen_d[key_d] = de
        old_d = existing.get(key_d)
        if old_d is None:
            ch.new_decisions.append(de)
        elif _same_decision(old_d, d):
            ch.unchanged += 1
        else:
            ch.conflicts.append(Conflict(
                subject_id=d.subject_id, where=de.cells.get("decided_on", ""),
                text=Text.of("entries.conflict_decision", on=d.decided_on,
                             source=str(old_d.source), decision=decision_said(old_d))))


def _check_decision_sequences(chk: _Check, new_decisions: Sequence[DecisionEntry]) -> None:
    """The whole decision sequence of each subject with new decisions, as the loader checks it."""
    protocol = chk.study.protocol
    by_source: dict[tuple[str | None, int | None], DecisionEntry] = {
        (de.decision.source.path, de.decision.source.line): de for de in new_decisions}
    for sid in sorted({de.decision.subject_id for de in new_decisions}):
        mine = [*chk.study.decisions_of(sid), *(de.decision for de in new_decisions
                                                if de.decision.subject_id == sid)]
        for problem in check_decisions(protocol, chk.subjects[sid], mine):
            de_hit = by_source.get((problem.path, problem.line))
            if de_hit is None:
                chk.errors.append(problem)
                continue
            text = problem.message.removeprefix(f"subject {sid}: ")
            hint = problem.hint or ""
            if (problem.column == "regimen" and isinstance(problem.value, str)
                    and problem.value.upper() in protocol.regimen_codes):
                hint = f"did you mean {problem.value.upper()}?"
            chk.err(de_hit, problem.column or "decided_on", text, problem.value, hint)


def _check_against_plan(chk: _Check, to_place: Sequence[tuple[VisitEntry, RecordedVisit | None]],
                        added_decisions: tuple[Decision, ...]) -> None:
    """Visits of the plan only (with the decisions entered alongside), nothing before day 1,
    nothing missed before its window opens."""
    study, today = chk.study, chk.today
    # a dose entered as given, next to a stop or hold dated that day, is part of the plan: the
    # plan is made with the new given doses too (the engine keeps one given on the stop's day)
    given = tuple(RecordedVisit(subject_id=e.subject_id, visit=e.visit, status=RecordStatus.DONE,
                                actual_date=e.actual_date)
                  for e, old in to_place
                  if old is None and e.status is RecordStatus.DONE and e.actual_date is not None
                  and visit_kind(study.protocol, e.visit) is EventKind.DOSE)
    planned = plan_study(replace(study, decisions=study.decisions + added_decisions,
                                 visits=study.visits + given),
                         today=today, subject_ids=sorted({e.subject_id for e, _ in to_place}),
                         memo=chk.memo)
    for e, old in to_place:
        p = planned.subject(e.subject_id)
        events = {ev.visit: ev for ev in p.events if not ev.unplanned}
        ev = events.get(e.visit)
        day1 = p.subject.first_dose_date
        if old is None and ev is None:
            chk.err(e, "visit", f"not in the current plan of subject {e.subject_id}", e.visit,
                    "record only visits of the plan ('cc312-schedule plan STUDY' lists them); "
                    "a dose beyond it needs the investigator's decision first (decide, or a "
                    "Decisions row)")
        if e.actual_date is not None and e.actual_date < day1:
            chk.err(e, "actual_date", f"before the subject's first dose on {day1}",
                    e.actual_date.isoformat(), "check the date: nothing is done before day 1")
        if e.status is RecordStatus.MISSED and ev is not None and ev.window_start > today:
            chk.err(e, "status", f"its window opens only on {ev.window_start} (today is {today})",
                    e.visit, "record a visit as missed once its window has opened")

def _same_decision(a: Decision, b: Decision) -> bool:
    return (a.action, a.regimen, a.weeks, a.until, a.investigator, a.rationale) == (
        b.action, b.regimen, b.weeks, b.until, b.investigator, b.rationale)


def _amended(visits: Sequence[RecordedVisit], amendments: Sequence[Amendment],
             noted: Sequence[RecordedVisit] = ()) -> Iterator[RecordedVisit]:
    by_key = {(a.old.subject_id, a.old.visit): a.new for a in amendments}
    by_key.update({(v.subject_id, v.visit): replace(v, source=old.source)
                   for old in visits for v in noted
                   if (old.subject_id, old.visit) == (v.subject_id, v.visit)})
    for v in visits:
        yield by_key.get((v.subject_id, v.visit), v)


def _new_warnings(before: Study, after: Study, today: date, touched: set[str],
                  memo: SubjectPlans | None = None) -> tuple[PlanWarning, ...]:
    """Plan warnings the entries add (a done date outside its window, a clipped decision...),
    in the whole plan's order.

    Without a capacity each subject is planned from its own rows alone, so only the subjects
    whose rows the entries change (``touched``) can warn anew, and a warning names its subject
    first: those subjects are planned, before and after. With a capacity both studies are
    planned whole: an entry for one subject can move another subject's doses (the balancer)
    and put a day over capacity (a warning for everyone dosed that day). With ``memo``, the
    subjects whose rows did not change are not planned again."""

    cal = after.calendar
    ids = None
    if cal is None or not cal.max_dosing_per_day:
        ids = [s.subject_id for s in after.subjects if s.subject_id in touched]
        if not ids:
            return ()
    old = {str(w) for w in plan_study(before, today=today, subject_ids=ids, memo=memo).warnings}
    return tuple(w for w in plan_study(after, today=today, subject_ids=ids, memo=memo).warnings
                 if str(w) not in old)


# --------------------------------------------------------------------------------------
# the three ways in


def import_workbook(folder: str | Path, workbook: str | Path, *, today: date, apply: bool = False,
                    amend: str | None = None, lock_timeout: float = 10.0,
                    actor: Actor | None = None,
                    clock: Callable[[], datetime] = utc_now,
                    reader: StudyReader | None = None) -> EntryPlan:
    """Import a coordinator's workbook: a dry run by default; ``apply=True`` writes.

    When applying, the study is re-read under its lock, so rows another writer added in the
    meantime are kept and compared against. Each changed field goes to the audit trail as
    ``actor``'s (default: the OS login, ``via="import"``), at ``clock()`` read under the lock.
    ``reader``: the desk's study and plans (:class:`StudyReader`) instead of reading the folder.
    """
    entries = load_entries(workbook)
    memo = reader.memo if reader is not None else None
    if not apply:
        return plan_entries(_read(folder, reader), entries, today=today, amend=amend, memo=memo)
    with study_lock(folder, timeout=lock_timeout):
        study = _read(folder, reader)
        plan = plan_entries(study, entries, today=today, amend=amend, memo=memo)
        return _apply(folder, study, plan, actor or cli_actor(None, via="import"), clock,
                      reader=reader)


def _read(folder: str | Path, reader: StudyReader | None) -> Study:
    """The study as its files say now (under the lock, for a writer)."""
    return reader.study() if reader is not None else load_study(folder)


def _apply(folder: str | Path, study: Study, plan: EntryPlan, actor: Actor,
           clock: Callable[[], datetime], reason: str = "",
           reader: StudyReader | None = None) -> EntryPlan:
    """Write ``plan`` with its audit entries (the caller holds the lock): the entries first,
    taken back if the write fails, so the trail records exactly what was written. ``reason``
    goes to the entries that have none of their own (an amendment has its own)."""
    if not plan.changes:
        return plan
    changes = tuple(c if c.reason or not reason else replace(c, reason=reason)
                    for c in changes_of(plan))
    with audited(folder, changes, actor=actor, at=clock(),
                 timezone=study.config.timezone):
        return write_entries(folder, plan, reload=reader.reload if reader is not None else None)


def record(folder: str | Path, subject_id: str, visit: str, *, today: date,
           done: date | None = None, missed: bool = False, note: str = "",
           amend: str | None = None, lock_timeout: float = 10.0, actor: Actor | None = None,
           clock: Callable[[], datetime] = utc_now, reader: StudyReader | None = None) -> EntryPlan:
    """Record one visit as done on ``done`` or as ``missed``, and write it (under the lock).

    A visit recorded differently already is an error unless ``amend`` gives the reason. An
    empty ``note`` keeps the recorded note; a note on a visit recorded without one is added.
    The visit must be in the subject's current plan (``missed`` only once its window has
    opened, and with its reason in ``note``), and a done date not before the first dose. The
    audit trail gets one entry per changed field (old -> new, the amendment's reason) as
    ``actor``'s (default: the OS login).
    ``reader``: the desk's study and plans (:class:`StudyReader`) instead of reading the folder.
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
                      today=today, amend=amend, lock_timeout=lock_timeout, actor=actor,
                      clock=clock, reader=reader)


def decide(folder: str | Path, subject_id: str, *, on: date, action: Action | str, today: date,
           regimen: str | None = None, weeks: int | None = None, until: date | None = None,
           investigator: str, rationale: str = "", lock_timeout: float = 10.0,
           actor: Actor | None = None, clock: Callable[[], datetime] = utc_now,
           signature: str = "", reader: StudyReader | None = None) -> EntryPlan:
    """Record one investigator decision and write it (under the lock), checked like an import.

    ``investigator`` is the name written into ``decisions.csv`` (the desk passes the logged-in
    investigator's display name); ``actor`` who did it, for the audit trail (default: the OS
    login); ``signature`` the meaning of an electronic signature (the desk's "signed by ... as
    the investigator's decision"), written as the audit entries' reason; ``reader`` as for
    :func:`record`."""
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
                      today=today, amend=None, lock_timeout=lock_timeout, actor=actor,
                      clock=clock, reason=signature.strip(), reader=reader)


def _write_one(folder: str | Path, entries: WorkbookEntries, *, today: date, amend: str | None,
               lock_timeout: float, actor: Actor | None,
               clock: Callable[[], datetime], reason: str = "",
               reader: StudyReader | None = None) -> EntryPlan:
    with study_lock(folder, timeout=lock_timeout):
        study = _read(folder, reader)
        plan = plan_entries(study, entries, today=today, amend=amend,
                            memo=reader.memo if reader is not None else None)
        if plan.conflicts:
            c = plan.conflicts[0]
            raise EntryConflictError(Text.of("entries.conflict_of", subject=c.subject_id,
                                             text=c.text), conflicts=plan.conflicts)
        return _apply(folder, study, plan, actor or cli_actor(None), clock, reason, reader)
