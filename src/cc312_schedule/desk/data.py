"""What the desk's pages show, computed from the study folder (no web framework here).

The study folder stays the record: :class:`StudyCache` re-reads it whenever one of its files
changed (their names, sizes, modification times and inodes: a ``record`` from the command line
while the desk runs shows on the next page load) and otherwise hands out the study and its plan
as they were computed last. Nothing here writes.

>>> from datetime import date
>>> import shutil, tempfile
>>> from cc312_schedule import example_study_path
>>> folder = shutil.copytree(example_study_path(), tempfile.mkdtemp() + "/study")
>>> cache = StudyCache(folder)
>>> study, plan = cache.planned(date(2026, 11, 30))
>>> cache.planned(date(2026, 11, 30))[1] is plan   # nothing changed: the same plan
True
>>> with open(folder + "/visits.csv", "a", encoding="utf-8") as f:
...     _ = f.write("003,W22D1,2026-11-30,done,\\n")
>>> cache.planned(date(2026, 11, 30))[1] is plan   # a file changed: planned again
False
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from ..core.domain import Action, Decision, SourceRef, Study
from ..core.errors import InvalidStudyError, ScheduleError
from ..core.model import EventKind, EventStatus, PlannedEvent, StudyPlan, SubjectPlan
from ..planning.capacity import dosing_load
from ..planning.engine import SubjectPlans, check_decisions, plan_study
from ..store.sitecal import CLOSED_DAYS_FILE
from ..store.study import load_study

__all__ = ["RegimenOption", "StudyCache", "TimelineMark", "next_visit",
           "regimen_options", "timeline"]

#: The files a study is read from (the protocol named in study.toml is added): the audit
#: trail, the users database, the calendar state and the lock never change the plan.
STUDY_FILES = ("study.toml", "subjects.csv", "decisions.csv", "visits.csv", CLOSED_DAYS_FILE)


class StudyCache:
    """The study and its plans, recomputed only when a file of the study changed.

    Thread-safe (the server answers requests on several threads). Plans are kept per
    ``today`` (at most a few days are asked for: today, tomorrow, a chosen date). Page loads
    that find the plan missing wait for one planning, then share it.

    ``memo`` keeps each subject's plan under its inputs (:class:`~.engine.SubjectPlans`): after
    a file changed, only the subjects whose rows changed are planned again, and the desk's
    writes (``record``, ``decide``, ``import`` with ``memo=``) check an entry against the
    plans made for the pages, planning only the subjects the entry touches.
    """

    def __init__(self, folder: str | Path, *, keep: int = 8) -> None:
        self.folder = Path(folder)
        self._keep = keep
        self._lock = threading.Lock()
        self._signature: tuple[tuple[str, int, int, int], ...] | None = None
        self._study: Study | None = None
        self._plans: dict[tuple[date | None, date | None], StudyPlan] = {}
        self.memo = SubjectPlans()

    def signature(self) -> tuple[tuple[str, int, int, int], ...]:
        """(name, size, mtime in ns, inode) of every study file, the protocol's included (a
        missing file counts too: ``visits.csv`` appearing is a change)."""
        paths = [self.folder / name for name in STUDY_FILES]
        proto = self._protocol_path(self._study)
        return tuple(sorted(_stat(p) for p in (*paths, *([proto] if proto else []))))

    def _protocol_path(self, study: Study | None) -> Path | None:
        if study is None or not study.config.protocol:
            return None
        proto = Path(study.config.protocol)
        return proto if proto.is_absolute() else self.folder / proto

    def study(self) -> Study:
        """The study as its files say now (read again only when one changed). A writer calls
        it under the study's lock (``record(..., reader=cache)``): no other writer can change
        the files then, and the signature says whether this process's last read still holds."""
        with self._lock:
            sig = self.signature()
            if self._study is None or sig != self._signature:
                self._load(sig)
            assert self._study is not None
            return self._study

    def reload(self) -> Study:
        """Read the study's files again, whatever their signature, and keep what was read (a
        writer's check, under the lock, that what it wrote loads: the pages then show it)."""
        with self._lock:
            return self._load(self.signature())

    def _load(self, sig: tuple[tuple[str, int, int, int], ...]) -> Study:
        # the signature is read before the files: a file changed while they are read is read
        # again at the next request (read after, that change would go unseen)
        study = load_study(self.folder)
        old, new = self._protocol_path(self._study), self._protocol_path(study)
        if new != old:  # the protocol's file is known now
            sig = tuple(sorted([*(e for e in sig if old is None or e[0] != str(old)),
                                *([_stat(new)] if new else [])]))
        self._study, self._plans, self._signature = study, {}, sig
        # each plan kept holds a plan per subject: room for those, and as many changed
        self.memo.max_entries = max(5_000, 2 * self._keep * len(study.subjects))
        return study

    def planned(self, today: date | None, *, as_of: date | None = None) -> tuple[Study, StudyPlan]:
        """The study and its plan as of ``today`` (``None``: no overdue marks; ``as_of``: the
        day the cap's passing is judged by, as the calendars' exports take it)."""
        key = (today, as_of or today)
        self.study()  # read again if a file changed
        with self._lock:
            study = self._study  # (or what a writer read since)
            assert study is not None
            plan = self._plans.get(key)
            if plan is None:
                plan = plan_study(study, today=today, as_of=as_of or today, memo=self.memo)
                if len(self._plans) >= self._keep:
                    self._plans.pop(next(iter(self._plans)))
                self._plans[key] = plan
            return study, plan


def _stat(path: Path) -> tuple[str, int, int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return (str(path), -1, 0, 0)
    return (str(path), st.st_size, st.st_mtime_ns, st.st_ino)


def next_visit(p: SubjectPlan) -> PlannedEvent | None:
    """The first visit with nothing recorded (overdue, planned or provisional)."""
    for e in p.events:
        if e.status in (EventStatus.OVERDUE, EventStatus.PLANNED, EventStatus.PROVISIONAL):
            return e
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineMark:
    """One visit on the subject's timeline picture: x in 0…1000, its status and kind."""

    x: float
    visit: str
    day: date
    status: str  # done, missed, planned, provisional, overdue
    kind: str
    dose: bool


def timeline(p: SubjectPlan, today: date | None) -> tuple[tuple[TimelineMark, ...], float | None,
                                                           date, date]:
    """The marks of the timeline, the x of ``today`` (None outside), and the span's ends."""
    if not p.events:
        first = p.subject.first_dose_date
        return (), None, first, first
    start = min(e.date for e in p.events)
    end = max(max(e.date for e in p.events), start + timedelta(days=1))
    width = (end - start).days

    def x(d: date) -> float:
        return round(1000 * (d - start).days / width, 1)

    marks = tuple(TimelineMark(x=x(e.date), visit=e.visit, day=e.date, status=e.status.value,
                               kind=e.kind.value, dose=e.kind is EventKind.DOSE)
                  for e in p.events)
    now = x(today) if today is not None and start <= today <= end else None
    return marks, now, start, end


@dataclass(frozen=True, slots=True, kw_only=True)
class RegimenOption:
    """What continuing on one regimen would mean for the subject (planned by the engine)."""

    regimen: str
    dose_dates: tuple[date, ...] = ()
    last_dose: date | None = None
    eot: date | None = None
    contraception_end: date | None = None
    busiest: tuple[date, int] | None = None  # the busiest of the dose days: (day, doses that day)
    capacity: int | None = None
    error: str = ""

    @property
    def doses(self) -> int:
        return len(self.dose_dates)


def regimen_options(study: Study, subject_id: str, *, on: date, today: date,
                    weeks: int | None = None, until: date | None = None,
                    regimens: Sequence[str] | None = None,
                    base: StudyPlan | None = None) -> tuple[RegimenOption, ...]:
    """Each regimen the protocol offers, as the engine plans it for a ``continue`` on ``on``.

    The subject is planned under each hypothetical decision (added to the recorded ones), so
    every rule of the engine applies (the cap, the site's closed days, windows, intervals).
    A decision the protocol refuses (before day 28, say) gives the refusal, not dates. The
    site's load counts the dosing visits of every other subject on each new dose day.
    ``base``: the study's plan as of ``today`` if the caller has it (the desk's cache), so that
    the whole study is not planned again for each look at the options.
    """
    if base is None:
        base = plan_study(study, today=today, as_of=today)
    others = dosing_load(p for p in base if p.subject_id != subject_id)
    cap = study.calendar.max_dosing_per_day if study.calendar is not None else None
    out = []
    for code in regimens or study.protocol.regimen_codes:
        d = Decision(subject_id=subject_id, decided_on=on, action=Action.CONTINUE, regimen=code,
                     weeks=weeks, until=until, source=SourceRef(path="<desk: compared>"))
        try:
            _check_hypothesis(study, d)
            sp = plan_study(replace(study, decisions=(*study.decisions, d)), today=today,
                            as_of=today, subject_ids=[subject_id]).subjects[0]
        except ScheduleError as exc:
            errors = exc.errors if isinstance(exc, InvalidStudyError) else [exc]
            out.append(RegimenOption(regimen=code, error="; ".join(str(e) for e in errors)))
            continue
        new = tuple(e.date for e in sp.doses
                    if e.status in (EventStatus.PLANNED, EventStatus.OVERDUE) and e.date >= on)
        eot = next((e.date for e in sp.events if e.kind is EventKind.EOT), None)
        busiest = max(((day, others[day] + 1) for day in new), key=lambda t: (t[1], -t[0].toordinal()),
                      default=None)
        out.append(RegimenOption(regimen=code, dose_dates=new, last_dose=sp.last_dose_date,
                                 eot=eot, contraception_end=sp.contraception_end,
                                 busiest=busiest, capacity=cap))
    return tuple(out)


def _check_hypothesis(study: Study, d: Decision) -> None:
    """Refuse a hypothetical decision the loader would refuse (order, day 28, regimen)."""
    subject = study.subject(d.subject_id)
    errors = check_decisions(study.protocol, subject, [*study.decisions_of(d.subject_id), d])
    if errors:
        raise InvalidStudyError(errors)
