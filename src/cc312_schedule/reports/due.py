"""The nurses' day list: who comes, what is still open, what is overdue, which decisions are due.

:func:`plan_due` is pure: it reads a :class:`~cc312_schedule.core.model.StudyPlan` (never re-deriving
a date) and returns frozen rows, per day of a range, in five sections:

* ``today`` — visits on that day (the actual date if recorded, else the planned date), whatever
  their status, so a list printed in the evening shows what was done;
* ``in-window`` — visits planned on an earlier day, nothing recorded, whose window is still open
  after the next open day (they can still be done that day);
* ``closing`` — the same, but the window ends on that day or by the next open day of the site
  (a Friday list shows a window ending on Saturday, Sunday or Monday);
* ``overdue`` — the window ended before that day and nothing is recorded (as ``plan --today``);
* ``decision`` — subjects awaiting an investigator's decision whose decision visit is planned on
  or before that day: the date it is due and the visit it belongs to.

Each visit appears in one section only (today's first). Provisional visits (``--assume``) show as
"to be confirmed" and are never overdue. Warnings of the plan that name a listed visit come with it.
Only the subject id, cohort and dose level identify a subject; a disease-specific score name is
written as the generic item (it would name the disease).

>>> from cc312_schedule import example_study_path, load_study, plan_study
>>> study = load_study(example_study_path())
>>> due = plan_due(study, plan_study(study), start=date(2026, 11, 30))
>>> [(r.section.value, r.subject_id, r.visit) for r in due.days[0].rows][:3]
[('today', '003', 'W22D1'), ('today', '005', 'REV-W12'), ('overdue', '003', 'REV-W20')]
"""

from __future__ import annotations

import csv
import enum
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from ..core.domain import site_name
from ..core.errors import UsageError
from ..core.l10n import listed_date
from ..core.messages import Text, message, procedure, warning_label
from ..core.model import (
    EventKind,
    EventStatus,
    PlannedEvent,
    StudyPlan,
    SubjectPlan,
    days_late,
    same_day_order,
    visit_start,
)
from ..core.opendays import SiteCalendar
from ..core.protocol import DISEASE_SCORE_ITEM
from ..store.study import Study
from .render import spreadsheet_safe

__all__ = ["DUE_CODE_COLUMNS", "DUE_COLUMNS", "DueDay", "DueList", "DueRow", "DueSection", "DueWarning",
           "next_open_day", "plan_due", "to_due_csv", "to_due_json", "to_due_table"]

class DueSection(enum.StrEnum):
    TODAY = "today"
    IN_WINDOW = "in-window"
    CLOSING = "closing"
    OVERDUE = "overdue"
    DECISION = "decision"


_OPEN = (EventStatus.PLANNED, EventStatus.PROVISIONAL, EventStatus.OVERDUE)  # nothing recorded


@dataclass(frozen=True, slots=True, kw_only=True)
class DueWarning:
    """A warning of the plan about one listed visit (``category``: the warning class's name)."""

    subject_id: str
    visit: str
    category: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DueRow:
    """One visit (or, in ``decision``, one pending decision) on the list of one day.

    ``planned_date`` is the planned date (the actual date for a recorded ``today`` visit; the
    planned date of the decision visit in ``decision``). ``days_late``: days past the window's
    last day, of the visit (``overdue``) or of the decision visit (``decision``), ``None``
    while that window is open: one rule (:func:`~cc312_schedule.core.model.days_late`).
    """

    day: date
    section: DueSection
    subject_id: str
    cohort: str
    dose_level: str
    visit: str
    kind: EventKind
    status: EventStatus
    planned_date: date
    time: time
    window_start: date
    window_end: date
    dose_number: int | None = None
    regimen: str | None = None
    procedures: tuple[str, ...] = ()
    days_late: int | None = None
    warnings: tuple[DueWarning, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DueDay:
    day: date
    rows: tuple[DueRow, ...]
    closed_reason: str | None = None  # the site is closed that day (and why)
    # the site is open that day although it usually is not: 调休上班 (review C14)
    open_reason: str | None = None

    def section(self, section: DueSection) -> tuple[DueRow, ...]:
        return tuple(r for r in self.rows if r.section is section)

    def count(self, section: DueSection) -> int:
        return sum(1 for r in self.rows if r.section is section)

    @property
    def warnings(self) -> tuple[DueWarning, ...]:
        return tuple(dict.fromkeys(w for r in self.rows for w in r.warnings))


@dataclass(frozen=True, slots=True, kw_only=True)
class DueList:
    study_name: str
    site: str
    language: str
    start: date
    end: date
    days: tuple[DueDay, ...]
    timezone: str = "Asia/Shanghai"  # the study's: the page's generation time is said in it
    #: the real date at the site when the list was made (None: not known, the list is taken
    #: to be of today)
    today: date | None = None

    @property
    def other_days(self) -> bool:
        """Whether the list shows a day that is not today (a range, or one other day): its
        sections then say "that day" (当日访视), never "today" (今日访视)."""
        return self.start != self.end or (self.today is not None and self.start != self.today)

    @property
    def rows(self) -> tuple[DueRow, ...]:
        return tuple(r for d in self.days for r in d.rows)

    def count(self, section: DueSection) -> int:
        """Distinct visits (or decisions) in ``section`` over the range: an overdue visit listed
        on every day of a week counts once."""
        return len({(r.subject_id, r.visit) for d in self.days for r in d.rows if r.section is section})

    def __iter__(self) -> Iterator[DueDay]:
        return iter(self.days)


def plan_due(study: Study, plan: StudyPlan, *, start: date, end: date | None = None,
             language: str | None = None,
             plan_on: Callable[[date], StudyPlan] | None = None,
             today: date | None = None) -> DueList:
    """The due list of every day from ``start`` to ``end`` (both included; default: one day).

    ``plan`` is the study's plan (any ``today``: statuses are judged per day here).
    ``plan_on``: the study's plan as of a given day (the engine's ``plan_study`` with that
    ``today``); with it, each day of a range is judged as a one-day list of that day would be
    (a cap passing inside the range ends a hold there, and its EOT is listed).
    ``today``: the real date at the site (the clock, never the day a list is for). A visit
    recorded after it is flagged ("recorded as done on …, after today") on every day it is
    listed; a record dated after a listed day but not after ``today`` is no error (review C16:
    a past range flagged every visit done since). None: each day is judged as if it were
    today (a one-day list of today, as before).
    A range ending before it starts, or over a year (``end`` on or after ``start`` + 1 calendar
    year), is a :class:`UsageError`.

    >>> from cc312_schedule import example_study_path, load_study, plan_study
    >>> study = load_study(example_study_path())
    >>> plan_due(study, plan_study(study), start=date(2026, 12, 1), end=date(2026, 11, 30))
    Traceback (most recent call last):
    ...
    cc312_schedule.core.errors.UsageError: --to: is before --from 2026-12-01: '2026-11-30' (give...)
    """
    end = start if end is None else end
    if end < start:
        raise UsageError(f"is before --from {start}", key="--to", value=str(end),
                         hint="give --to on or after --from")
    latest = start + relativedelta(years=1) - timedelta(days=1)  # 29 Feb + 1 year: 28 Feb
    if end > latest:
        raise UsageError(f"the range from {start} is over a year", key="--to", value=str(end),
                         hint=f"list at most a year at a time: --to {latest} at the latest")
    n_days = (end - start).days + 1
    at = study.config.dosing_time or study.protocol.dosing_time
    cal = study.calendar
    lang = language or study.config.language
    duration = study.protocol.dosing_duration_minutes
    views: dict[int, _View] = {}
    days = []
    for i in range(n_days):
        day = start + timedelta(days=i)
        judged = plan_on(day) if plan_on is not None else plan
        view = views.get(id(judged))
        if view is None:
            view = views[id(judged)] = _View(judged, start, end, lang, today)
        nxt = next_open_day(cal, day)
        rows = []
        for p, e in view.relevant:
            section = _section(e, day, nxt)
            if section is not None:
                rows.append(_row(day, section, p, e, view.start_of(at, duration, p, e.visit),
                                 view.warnings))
        for p, pe in view.pending:
            assert p.decision_due is not None
            due = pe.planned_date if pe is not None else p.decision_due
            if due <= day:
                rows.append(_decision_row(
                    day, p, pe, due,
                    view.start_of(at, duration, p, pe.visit) if pe is not None else at,
                    view.warnings))
        if view.future:
            rows = [_with_future(r, view.future, day if today is None else today) for r in rows]
        order = list(DueSection)
        # overdue visits: the longest overdue first (by planned date), then as the others
        rows.sort(key=lambda r: (order.index(r.section),
                                 r.planned_date if r.section is DueSection.OVERDUE else day,
                                 r.time, r.subject_id, r.planned_date, r.visit))
        opened = cal.open_text(day) if cal is not None else None
        days.append(DueDay(day=day, rows=tuple(rows), closed_reason=_closed(cal, day, lang),
                           open_reason=opened.render(lang) if opened is not None else None))
    return DueList(study_name=study.config.name, site=site_name(study.config, lang),
                   language=lang, start=start, end=end, days=tuple(days),
                   timezone=study.config.timezone, today=today)


def _with_future(r: DueRow, future: dict[tuple[str, str], tuple[date, DueWarning]],
                 today: date) -> DueRow:
    """``r`` with the "recorded after today" warning when its record is dated after ``today``."""
    hit = future.get((r.subject_id, r.visit))
    if hit is None or hit[0] <= today:
        return r
    return replace(r, warnings=(*r.warnings, hit[1]))


class _View:
    """What the day list reads from one plan: the visits that can be due in the range, the
    pending decisions, the warnings by visit (in the list's language), the same-day order."""

    def __init__(self, plan: StudyPlan, start: date, end: date, lang: str,
                 today: date | None) -> None:
        self.warnings: dict[tuple[str, str], list[DueWarning]] = {}
        # "recorded after today" depends on the day judged: kept apart, shown while it holds
        self.future: dict[tuple[str, str], tuple[date, DueWarning]] = {}
        for w in plan.warnings:
            if w.visit is not None:
                dw = DueWarning(subject_id=w.subject_id, visit=w.visit,
                                category=w.category.__name__, message=w.render(lang))
                on = dict(w.text.fields).get("date") if w.text is not None else None
                if w.text is not None and w.text.id == "w.done_in_future" and isinstance(on, date):
                    if today is not None:  # said against the real today, not the list's day
                        dw = replace(dw, message=Text.of("w.done_in_future", date=on,
                                                         today=today).render(lang))
                    self.future[(w.subject_id, w.visit)] = (on, dw)
                else:
                    self.warnings.setdefault((w.subject_id, w.visit), []).append(dw)
        self.pending: list[tuple[SubjectPlan, PlannedEvent | None]] = [
            (p, _decision_event(p)) for p in plan if p.decision_due is not None]
        # Only visits that can be due in the range are looked at: linear in the plan, once.
        self.relevant = [(p, e) for p in plan for e in p.events
                         if (start <= e.date <= end) or (e.status in _OPEN and e.planned_date < end)]
        # two visits of a subject on one day follow each other, as in the calendars
        self.orders = {p.subject_id: same_day_order(p.events) for p in plan}

    def start_of(self, at: time, duration: int, p: SubjectPlan, visit: str) -> time:
        return visit_start(at, duration, visit, self.orders[p.subject_id])


def next_open_day(cal: SiteCalendar | None, day: date) -> date:
    """The site's next open day after ``day`` (:meth:`SiteCalendar.open_day_after`; without a
    site calendar, the next day): what a list's "closing" section looks to, and whose visits
    the desk's reminder list under a day's list names (one rule for both)."""
    return cal.open_day_after(day) if cal is not None else day + timedelta(days=1)


def _section(e: PlannedEvent, day: date, next_open: date) -> DueSection | None:
    if e.date == day:
        return DueSection.TODAY
    if e.status not in _OPEN or e.planned_date >= day:
        return None
    if e.window_end < day:
        return None if e.status is EventStatus.PROVISIONAL else DueSection.OVERDUE
    return DueSection.CLOSING if e.window_end <= next_open else DueSection.IN_WINDOW


def _decision_event(p: SubjectPlan) -> PlannedEvent | None:
    """The assessment or review whose decision is pending (matched on its target or planned date)."""
    for e in p.events:
        if e.kind in (EventKind.ASSESSMENT, EventKind.REVIEW) and p.decision_due in (
                e.target_date, e.planned_date):
            return e
    return None


def _procedures(items: Iterable[str]) -> tuple[str, ...]:
    # "disease activity score (SLEDAI-2K)" names the subject's disease: keep the generic item.
    return tuple(DISEASE_SCORE_ITEM if i.startswith(DISEASE_SCORE_ITEM + " (") else i for i in items)


def _row(day: date, section: DueSection, p: SubjectPlan, e: PlannedEvent, at: time,
         warnings: dict[tuple[str, str], list[DueWarning]]) -> DueRow:
    if section is DueSection.OVERDUE:
        status, late = EventStatus.OVERDUE, days_late(day, e.window_end)
    else:
        status = EventStatus.PLANNED if e.status is EventStatus.OVERDUE else e.status
        late = None
    return DueRow(day=day, section=section, subject_id=p.subject_id, cohort=p.subject.cohort,
                  dose_level=p.subject.dose_level, visit=e.visit, kind=e.kind, status=status,
                  planned_date=e.date, time=at, window_start=e.window_start,
                  window_end=e.window_end, dose_number=e.dose_number, regimen=e.regimen,
                  procedures=_procedures(e.procedures), days_late=late,
                  warnings=tuple(warnings.get((p.subject_id, e.visit), ())))


def _decision_row(day: date, p: SubjectPlan, e: PlannedEvent | None, due: date, at: time,
                  warnings: dict[tuple[str, str], list[DueWarning]]) -> DueRow:
    kind = e.kind if e is not None else EventKind.ASSESSMENT
    visit = e.visit if e is not None else ""
    return DueRow(day=day, section=DueSection.DECISION, subject_id=p.subject_id,
                  cohort=p.subject.cohort, dose_level=p.subject.dose_level, visit=visit, kind=kind,
                  status=e.status if e is not None and e.status is not EventStatus.OVERDUE
                  else EventStatus.PLANNED,
                  planned_date=due, time=at,
                  window_start=e.window_start if e is not None else due,
                  window_end=e.window_end if e is not None else due,
                  days_late=days_late(day, e.window_end if e is not None else due),
                  warnings=tuple(warnings.get((p.subject_id, visit), ())))


# --------------------------------------------------------------------------------------
# Rendering: CSV and JSON for other tools (codes, ISO dates), a table for people (labels)

#: The CSV's columns, in order (docs/nurses.md describes each).
DUE_COLUMNS = ("day", "section", "subject_id", "cohort", "dose_level", "visit", "kind", "status",
               "planned_date", "time", "window_start", "window_end", "dose_number", "regimen",
               "procedures", "days_late", "warnings")


def _values(r: DueRow) -> dict[str, Any]:
    return {
        "day": r.day.isoformat(), "section": r.section.value, "subject_id": r.subject_id,
        "cohort": r.cohort, "dose_level": r.dose_level, "visit": r.visit, "kind": r.kind.value,
        "status": r.status.value, "planned_date": r.planned_date.isoformat(),
        "time": r.time.strftime("%H:%M"), "window_start": r.window_start.isoformat(),
        "window_end": r.window_end.isoformat(), "dose_number": r.dose_number,
        "regimen": r.regimen, "procedures": list(r.procedures), "days_late": r.days_late,
        "warnings": [f"{w.category}: {w.message}" for w in r.warnings],
    }


#: The code columns a Chinese list's CSV repeats at its end, under their English names (C11).
DUE_CODE_COLUMNS = ("section", "kind", "status")


def to_due_csv(due: DueList, *, safe_for_spreadsheets: bool = False) -> str:
    """One row per listed visit or decision; lists (procedures, warnings) joined with ``"; "``.

    In English (``due.language``) the columns are :data:`DUE_COLUMNS` with codes and ISO dates,
    the form tools read. In Chinese the CSV is for people (review C11): the same columns with
    Chinese headers, sections, kinds, statuses, procedures and warning kinds, then the codes of
    section, kind and status again under their English names (:data:`DUE_CODE_COLUMNS`); a tool
    asks for the English form (``--language en``) or the JSON, codes in every language.

    Values are written as they are; with ``safe_for_spreadsheets=True`` (CLI
    ``--safe-for-spreadsheets``, as for ``plan``) text a spreadsheet would run as a formula
    gets a leading ``'`` (:func:`~.render.spreadsheet_safe`).
    """
    lang = due.language
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    codes = DUE_CODE_COLUMNS if lang != "en" else ()
    w.writerow([message(lang, f"due.csv.{c}") for c in DUE_COLUMNS] + list(codes))
    for r in due.rows:
        v = _values(r) if lang == "en" else _labels(lang, r, other_days=due.other_days)
        fields = [str(message(lang, "procedure.separator").join(v[c]) if isinstance(v[c], list)
                      else "" if v[c] is None else v[c]) for c in DUE_COLUMNS]
        fields += [r.section.value, r.kind.value, r.status.value][:len(codes)]
        w.writerow([spreadsheet_safe(f) for f in fields] if safe_for_spreadsheets else fields)
    return buf.getvalue()


def _labels(lang: str, r: DueRow, *, other_days: bool = False) -> dict[str, Any]:
    """A row's values for people in ``lang``: the codes of :func:`_values` as the page says them."""
    return {**_values(r),
            "section": section_label(lang, r.section, multi=other_days),
            "kind": message(lang, f"due.kind.{r.kind.value}"),
            "status": message(lang, f"due.status.{r.status.value}"),
            "procedures": [procedure(lang, i) for i in r.procedures],
            "warnings": [message(lang, "due.csv.warning", kind=warning_label(lang, w.category),
                                 text=w.message) for w in r.warnings]}


def to_due_json(due: DueList) -> str:
    """The study, the range, counts per section, then each day with its counts and rows."""
    def counts(of: Any) -> dict[str, int]:
        return {s.value: of.count(s) for s in DueSection}

    doc = {
        "study": due.study_name, "from": due.start.isoformat(), "to": due.end.isoformat(),
        "counts": counts(due),
        "days": [{"day": d.day.isoformat(), "closed": d.closed_reason, "open": d.open_reason,
                  "counts": counts(d),
                  "rows": [{k: v for k, v in _values(r).items() if k != "day"} for r in d.rows]}
                 for d in due.days],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _closed(cal: SiteCalendar | None, day: date, lang: str) -> str | None:
    """Why the site is closed on ``day``, in the list's language (None: open)."""
    why = cal.closed_text(day) if cal is not None else None
    if why is None:
        return None
    if why.id == "closed.site":  # the site's own reason: "site closed" is said once, by the list
        return str(dict(why.fields)["reason"])
    return why.render(lang)


def section_label(lang: str, section: DueSection, *, multi: bool = False) -> str:
    """A section's name; in a list of several days, or of one day that is not today
    (``multi``: :attr:`DueList.other_days`), the visits of each day are "that day's", never
    "today's" (review C7: 当日访视, not 今日访视), and so is a window that closes.

    >>> section_label("zh-CN", DueSection.TODAY), section_label("zh-CN", DueSection.TODAY, multi=True)
    ('今日访视', '当日访视')
    >>> section_label("zh-CN", DueSection.CLOSING, multi=True)
    '窗口期当日或下一工作日截止'
    """
    if multi and section in (DueSection.TODAY, DueSection.CLOSING):
        return message(lang, f"due.section.{section.value}.range")
    return message(lang, f"due.section.{section.value}")


def section_counts(lang: str, of: DueDay | DueList, *, multi: bool = False) -> str:
    """``visits today 2 · still in window … 0 · …`` in ``lang``."""
    return " · ".join(f"{section_label(lang, s, multi=multi)} {of.count(s)}" for s in DueSection)


def kind_label(lang: str, r: DueRow) -> str:
    """The kind of a listed visit; a dose with its number as the calendars write it (review
    C10: 第44次给药 in every staff output).

    >>> from datetime import time
    >>> row = DueRow(day=date(2026, 12, 3), section=DueSection.TODAY, subject_id="003",
    ...              cohort="2", dose_level="DL2", visit="W22D4", kind=EventKind.DOSE,
    ...              status=EventStatus.PLANNED, planned_date=date(2026, 12, 3), time=time(9),
    ...              window_start=date(2026, 12, 2), window_end=date(2026, 12, 4), dose_number=44)
    >>> kind_label("zh-CN", row), kind_label("en", row)
    ('第44次给药', 'dose 44')
    """
    if r.kind is EventKind.DOSE and r.dose_number is not None:
        return message(lang, "kind.dose_n", n=r.dose_number)
    return message(lang, f"due.kind.{r.kind.value}")


def warning_line(lang: str, w: DueWarning) -> str:
    """``005 W4D4：…【访视记录与计划不符】`` (full-width in Chinese, review C2)."""
    return message(lang, "due.warning_line", subject=message(lang, "subject", id=w.subject_id),
                   visit=w.visit, message=w.message, label=warning_label(lang, w.category))


def to_due_table(due: DueList) -> str:
    """The list as plain text for a terminal, labels in the list's language."""
    lang = due.language
    span = listed_date(lang, due.start) if due.start == due.end else message(
        lang, "due.span", start=listed_date(lang, due.start), end=listed_date(lang, due.end))
    out = [message(lang, "due.heading", study=due.study_name, span=span)]
    multi = due.start != due.end
    if multi:
        totals = message(lang, "due.totals_of", totals=message(lang, "due.totals"),
                         days=message(lang, "due.days", n=len(due.days)))
        out.append(message(lang, "due.colon", label=totals) + " "
                   + section_counts(lang, due, multi=True))
    for d in due.days:
        out.append("")
        head = f"== {listed_date(lang, d.day)}"
        if d.closed_reason:
            head += " · " + message(lang, "due.closed", reason=d.closed_reason)
        if d.open_reason:
            head += " · " + d.open_reason
        out.append(head + " ==")
        out.append(section_counts(lang, d, multi=due.other_days))
        if not d.rows:
            out.append("  " + message(lang, "due.nothing"))
        for s in DueSection:
            rows = d.section(s)
            if not rows:
                continue
            out.append("  " + message(lang, "due.colon",
                                      label=section_label(lang, s, multi=due.other_days)))
            for r in rows:
                when = (f"{message(lang, 'due.col.due')} {r.planned_date}" if s is DueSection.DECISION
                        else f"{r.time:%H:%M} {message(lang, 'due.col.planned')} {r.planned_date}")
                line = (f"    {r.subject_id}  {message(lang, 'due.col.cohort')} {r.cohort}  "
                        f"{r.dose_level}  {r.visit:<7} {kind_label(lang, r)} · {when} · "
                        f"{message(lang, 'due.col.last_day')} {r.window_end}")
                if r.status is not EventStatus.PLANNED and s is not DueSection.OVERDUE:
                    line += f" · {message(lang, f'due.status.{r.status.value}')}"
                if r.days_late:  # one form for a visit and a decision, as on the desk
                    line += f" · {message(lang, 'due.overdue_days', n=r.days_late)}"
                out.append(line)
                if r.procedures and s is not DueSection.DECISION:
                    sep = "、" if lang == "zh-CN" else ", "
                    out.append("      " + sep.join(procedure(lang, i) for i in r.procedures))
        if d.warnings:
            out.append("  " + message(lang, "due.colon", label=message(lang, "due.section.warning")))
            for w in d.warnings:
                out.append("    " + warning_line(lang, w))
    return "\n".join(out) + "\n"
