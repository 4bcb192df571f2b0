"""Site capacity (infusion chairs per day) and staggered first doses, as pure rules.

* :func:`plan_balanced` moves dosing visits inside their windows until every day fits the
  site's ``max_dosing_per_day``, deterministically: days in date order; on a full day the visit
  with the most remaining choices (the widest remaining window) moves first, ties broken by
  subject id and visit name; it goes to the nearest open day with a free chair that keeps the
  minimum interval to the subject's neighbouring doses.
* :func:`with_capacity_warnings` reports each day still over capacity.
* :func:`check_stagger` and :func:`next_slot` apply the protocol's sentinel rule: within a
  cohort, each first dose at least ``stagger_days`` after the previous subject's.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from .errors import UsageError
from .model import EventKind, EventStatus, PlannedEvent, PlanWarning, StudyPlan, SubjectPlan
from .protocol import Protocol
from .sitecal import SiteCalendar
from .study import Study, Subject
from .warnings import CapacityWarning, ClosedDayConflictWarning, StaggerWarning

__all__ = ["Slot", "check_stagger", "dosing_load", "next_slot", "plan_balanced",
           "with_capacity_warnings"]

_MOVABLE = (EventStatus.PLANNED, EventStatus.PROVISIONAL)


def _occupies(e: PlannedEvent) -> bool:
    return e.kind is EventKind.DOSE and e.status is not EventStatus.MISSED


def dosing_load(plans: Iterable[SubjectPlan]) -> Counter[date]:
    """Dosing visits per day (done ones on their actual date, the rest on the planned date)."""
    return Counter(e.date for p in plans for e in p.events if _occupies(e))


def _options(e: PlannedEvent, doses: list[PlannedEvent], load: Counter[date], cap: int,
             calendar: SiteCalendar, min_interval: int) -> list[date]:
    i = doses.index(e)
    prev = doses[i - 1].date if i > 0 else None
    nxt = doses[i + 1].date if i + 1 < len(doses) else None
    out = []
    for d in calendar.candidates(e.target_date, e.window_start, e.window_end):
        if d == e.planned_date or not calendar.is_open(d) or load[d] >= cap:
            continue
        if (prev is not None and (d - prev).days < min_interval) or \
                (nxt is not None and (nxt - d).days < min_interval):
            continue
        out.append(d)
    return out


def plan_balanced(plan: StudyPlan, protocol: Protocol, calendar: SiteCalendar) -> StudyPlan:
    """Move dosing visits inside their windows so that no day exceeds the site's capacity.

    Pure and deterministic: the same plan gives the same moves. Visits that cannot move stay
    (and :func:`with_capacity_warnings` reports their day).
    """
    cap = calendar.max_dosing_per_day
    if not cap:
        return plan
    doses: dict[str, list[PlannedEvent]] = {
        p.subject_id: sorted((e for e in p.events if _occupies(e)), key=lambda e: e.target_date)
        for p in plan}
    load = dosing_load(plan)
    for day in sorted(d for d, n in load.items() if n > cap):
        while load[day] > cap:
            choices = []
            for sid in sorted(doses):
                for e in doses[sid]:
                    if e.date == day and e.status in _MOVABLE:
                        opts = _options(e, doses[sid], load, cap, calendar,
                                        protocol.min_interval_days)
                        if opts:
                            choices.append((-len(opts), sid, e.visit, e, opts))
            if not choices:
                break
            _, sid, _, e, opts = min(choices, key=lambda c: c[:3])
            moved = replace(e, planned_date=opts[0], reason=(
                (e.reason + "; " if e.reason else "")
                + f"{day} full ({cap} dosing visits): moved inside the window"))
            lst = doses[sid]
            lst[lst.index(e)] = moved
            load[day] -= 1
            load[opts[0]] += 1
    subjects = []
    for p in plan:
        new = {e.visit: e for e in doses[p.subject_id]}
        events = tuple(sorted((new.get(e.visit, e) for e in p.events),
                              key=lambda e: (e.date, e.kind is not EventKind.DOSE, e.visit)))
        subjects.append(replace(p, events=events))
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
                             message=f"{e.date}: {load[e.date]} dosing visits, the site has "
                             f"{cap} chairs; no day inside the window has room")
                 for e in p.events if _occupies(e) and e.date in over]
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


@dataclass(frozen=True, slots=True, kw_only=True)
class Slot:
    """The earliest allowed first-dose date for a new subject, and why."""

    first_dose: date
    doses: tuple[date, ...]  # the new subject's planned induction doses
    explanation: tuple[str, ...]

    def __str__(self) -> str:
        return "\n".join(self.explanation)


def next_slot(study: Study, cohort: str, *, after: date, horizon_days: int = 366,
              new_cohort: bool = False) -> Slot:
    """The earliest first-dose date on or after ``after`` for a new subject of ``cohort``:
    an open day, at least ``stagger_days`` from every first dose in the cohort, whose whole
    induction fits the site's capacity next to the current plan.

    ``cohort`` must be one of ``subjects.csv`` (a typo would otherwise get a slot free of any
    stagger), unless ``new_cohort`` says it is the first subject of a cohort not there yet."""
    from .engine import plan_study, plan_subject

    known = sorted({s.cohort for s in study.subjects})
    if new_cohort and cohort in known:
        raise UsageError("not a new cohort: it has subjects", key="--cohort", value=cohort,
                         hint="leave out --new-cohort to plan its next subject")
    if not new_cohort and cohort not in known:
        raise UsageError("unknown cohort", key="--cohort", value=cohort,
                         hint=f"known cohorts: {', '.join(known)}; for the first subject of a new "
                              "cohort add --new-cohort")
    protocol, calendar = study.protocol, study.calendar
    n = protocol.stagger_days
    cohort_firsts = sorted((s.first_dose_date, s.subject_id) for s in study.subjects
                           if s.cohort == cohort)
    lines: list[str] = []
    start = after
    if n and cohort_firsts:
        last, sid = max(cohort_firsts)
        if last + timedelta(days=n) > start:
            start = last + timedelta(days=n)
            lines.append(f"stagger: {sid} was first dosed on {last}; cohort {cohort} needs "
                         f"{n} days between first doses, so not before {start}")
    load = dosing_load(plan_study(study)) if calendar and calendar.max_dosing_per_day else Counter()
    cap = calendar.max_dosing_per_day if calendar else None
    skipped: list[str] = []
    for k in range(horizon_days):
        d = start + timedelta(days=k)
        why = None
        if calendar is not None and not calendar.is_open(d):
            why = f"closed ({calendar.closed_reason(d)})"
        elif n and any(abs((d - f).days) < n for f, _ in cohort_firsts):
            why = f"within {n} days of another cohort {cohort} first dose"
        else:
            probe = Subject(subject_id="(new)", cohort=cohort, dose_level="",
                            first_dose_date=d)
            plan = plan_subject(protocol, probe, calendar=calendar)
            doses = tuple(e.planned_date for e in plan.doses)
            conflicts = [w for w in plan.warnings if w.category is ClosedDayConflictWarning]
            full = [x for x in doses if cap and load[x] + 1 > cap]
            if conflicts:
                why = f"induction visit {conflicts[0].visit} has no open day in its window"
            elif full:
                why = f"induction dose on {full[0]} would exceed {cap} chairs"
            else:
                lines += skipped[:10]
                if len(skipped) > 10:
                    lines.append(f"… and {len(skipped) - 10} more day(s) skipped")
                text = f"chosen {d} ({d:%a}): the site is open"
                if cap:
                    text += f" and all {len(doses)} induction doses ({doses[0]} … {doses[-1]}) " \
                            f"fit {cap} chairs a day"
                lines.append(text)
                return Slot(first_dose=d, doses=doses, explanation=tuple(lines))
        skipped.append(f"{d} ({d:%a}): {why}")
    raise UsageError(f"no first-dose slot within {horizon_days} days of {start}", key="--cohort",
                     value=cohort, hint="check the site calendar and capacity")
