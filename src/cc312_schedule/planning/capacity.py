"""Site capacity (infusion chairs per day) and staggered first doses, as pure rules.

* :func:`balance_moves` moves dosing visits inside their windows until every day fits the
  site's ``max_dosing_per_day``, deterministically: days in date order; on a full day the visit
  with the most remaining choices (the widest remaining window) moves first, ties broken by
  subject id and visit name; it goes to the nearest open day with a free chair that keeps the
  minimum interval to the subject's neighbouring doses, never onto or after a stop, a hold or
  a withdrawal. The engine's ``plan_study`` applies the moves whenever the study sets a
  capacity, and plans each moved subject again so that EOT, follow-ups and contraception end
  follow the moved doses.
* :func:`with_capacity_warnings` reports each day still over capacity.
* :func:`check_stagger` applies the protocol's sentinel rule: within a cohort, each first dose
  at least ``stagger_days`` after the previous subject's (:mod:`cc312_schedule.planning.slots` proposes
  the next allowed first dose). :func:`stagger_note` is the one note ``check`` prints when the
  protocol sets none.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date

from ..core.days import keeps_interval
from ..core.domain import Study, Subject
from ..core.messages import Text
from ..core.model import (
    PENDING,
    EventKind,
    EventStatus,
    PlannedEvent,
    PlanWarning,
    StudyPlan,
    SubjectPlan,
    event_order,
)
from ..core.opendays import SiteCalendar
from ..core.protocol import Protocol
from ..core.warnings import CapacityWarning, StaggerWarning

__all__ = ["Moves", "balance_moves", "check_stagger", "dosing_load", "plan_balanced",
           "stagger_note", "with_capacity_warnings"]

def _occupies(e: PlannedEvent) -> bool:
    return e.kind is EventKind.DOSE and e.status is not EventStatus.MISSED


def dosing_load(plans: Iterable[SubjectPlan]) -> Counter[date]:
    """Dosing visits per day (done ones on their actual date, the rest on the planned date)."""
    return Counter(e.date for p in plans for e in p.events if _occupies(e))


def _options(e: PlannedEvent, doses: list[PlannedEvent], load: Counter[date], cap: int,
             calendar: SiteCalendar, min_interval: int, latest: date | None) -> list[date]:
    i = doses.index(e)
    prev = doses[i - 1].date if i > 0 else None
    nxt = doses[i + 1].date if i + 1 < len(doses) else None
    out = []
    for d in calendar.candidates(e.target_date, e.window_start, e.window_end):
        if d == e.planned_date or not calendar.is_open(d) or load[d] >= cap:
            continue
        if latest is not None and d > latest:  # never onto or after a stop, hold or withdrawal
            continue
        if not keeps_interval(d, prev, nxt, gap=min_interval):
            continue
        out.append(d)
    return out


Moves = dict[str, dict[str, tuple[date, Text]]]  # subject -> dose visit -> (planned date, why)


def balance_moves(plan: StudyPlan, protocol: Protocol, calendar: SiteCalendar,
                  latest: Mapping[tuple[str, str], date] | None = None) -> Moves:
    """The moves that make every day fit the site's capacity: for each subject, the dosing
    visits to move, each with its new planned date and why.

    Pure and deterministic: days in date order; on a full day the visit with the most remaining
    choices (the widest remaining window) moves first, ties broken by subject id and visit
    name; it goes to the nearest open day with a free chair that keeps the minimum interval to
    the subject's neighbouring doses, and never after ``latest[(subject, visit)]`` (the day
    before a stop, a hold or a withdrawal). Visits that cannot move stay
    (:func:`with_capacity_warnings` reports their day). The engine's ``plan_study`` plans each
    subject again with its moves, so that what derives from a dose follows it.
    """
    cap = calendar.max_dosing_per_day
    if not cap:
        return {}
    limits = latest or {}
    doses: dict[str, list[PlannedEvent]] = {
        p.subject_id: sorted((e for e in p.events if _occupies(e)), key=lambda e: e.target_date)
        for p in plan}
    load = dosing_load(plan)
    moves: Moves = {}
    for day in sorted(d for d, n in load.items() if n > cap):
        while load[day] > cap:
            choices = []
            for sid in sorted(doses):
                for e in doses[sid]:
                    if e.date == day and e.status in PENDING:
                        opts = _options(e, doses[sid], load, cap, calendar,
                                        protocol.min_interval_days, limits.get((sid, e.visit)))
                        if opts:
                            choices.append((-len(opts), sid, e.visit, e, opts))
            if not choices:
                break
            _, sid, _, e, opts = min(choices, key=lambda c: c[:3])
            why = Text.of("r.capacity", day=day, chairs=cap)
            lst = doses[sid]
            lst[lst.index(e)] = replace(e, planned_date=opts[0])
            moves.setdefault(sid, {})[e.visit] = (opts[0], why)
            load[day] -= 1
            load[opts[0]] += 1
    return moves


def plan_balanced(plan: StudyPlan, protocol: Protocol, calendar: SiteCalendar) -> StudyPlan:
    """``plan`` with :func:`balance_moves` applied to its dosing visits only (nothing derived
    from them follows: the engine's ``plan_study``, which every output uses, re-plans instead)."""
    moves = balance_moves(plan, protocol, calendar)
    subjects = []
    for p in plan:
        mine = moves.get(p.subject_id, {})
        events = []
        for e in p.events:
            if e.visit in mine:
                on, full = mine[e.visit]
                why = Text.of("r.both", first=e.reason_text, then=full) if e.reason_text else full
                e = replace(e, planned_date=on, reason=str(why), reason_text=why)
            events.append(e)
        subjects.append(replace(p, events=tuple(sorted(events, key=event_order))))
    return replace(plan, subjects=tuple(subjects))


def with_capacity_warnings(plan: StudyPlan, calendar: SiteCalendar) -> StudyPlan:
    """Add a :class:`CapacityWarning` to every subject dosed on a day over capacity."""
    cap = calendar.max_dosing_per_day
    if not cap:
        return plan
    load = dosing_load(plan)
    over = {d for d, n in load.items() if n > cap}
    if not over:
        return plan
    subjects = []
    for p in plan:
        extra = [PlanWarning(category=CapacityWarning, subject_id=p.subject_id, visit=e.visit,
                             message=str(t), text=t)
                 for e in p.events if _occupies(e) and e.date in over
                 for t in (Text.of("w.capacity", date=e.date, count=load[e.date], chairs=cap),)]
        subjects.append(replace(p, warnings=p.warnings + tuple(extra)) if extra else p)
    return replace(plan, subjects=tuple(subjects))


def check_stagger(study: Study) -> list[PlanWarning]:
    """Subjects first dosed fewer than ``stagger_days`` after the cohort's previous subject."""
    n = study.protocol.stagger_days
    out: list[PlanWarning] = []
    if not n:
        return out
    by_cohort: dict[str, list[Subject]] = defaultdict(list)
    for s in study.subjects:
        by_cohort[s.cohort].append(s)
    for cohort in sorted(by_cohort):
        subjects = sorted(by_cohort[cohort], key=lambda s: (s.first_dose_date, s.subject_id))
        for a, b in zip(subjects, subjects[1:], strict=False):
            gap = (b.first_dose_date - a.first_dose_date).days
            if gap < n:
                out.append(PlanWarning(
                    category=StaggerWarning, subject_id=b.subject_id, visit="W1D1",
                    message=f"first dose {b.first_dose_date} is {gap} day(s) after {a.subject_id}'s "
                    f"({a.first_dose_date}) in cohort {cohort}; the protocol asks for {n}"))
    return out


def stagger_note(study: Study) -> Text | None:
    """A note when the protocol sets no sentinel interval (``[enrolment] stagger_days = 0``):
    an early-phase multiple-ascending-dose study usually states one, so ``check`` says so,
    once per study (a note, not a warning: 0 is the template's documented default).

    >>> from cc312_schedule import load_study, example_study_path
    >>> print(stagger_note(load_study(example_study_path())).render("en"))  # doctest: +ELLIPSIS
    no sentinel interval is set ([enrolment] stagger_days = 0): ...
    """
    if study.protocol.stagger_days:
        return None
    return Text.of("note.no_stagger", setting="[enrolment] stagger_days = 0")
