"""The next first-dose slot for a new subject: the sentinel (stagger) rule and the site's capacity.

Pure: plans the study and a probe subject with the engine, reads no clock and no files.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from ..core.domain import Study, Subject
from ..core.errors import UsageError
from ..core.messages import Text
from ..core.opendays import SiteCalendar
from ..core.warnings import ClosedDayConflictWarning
from .capacity import dosing_load
from .engine import plan_study, plan_subject

__all__ = ["Slot", "next_slot"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Slot:
    """The earliest allowed first-dose date for a new subject, and why: ``texts`` (catalogue
    texts, ids ``slot.*``, rendered in any language), ``explanation`` the same in English."""

    first_dose: date
    doses: tuple[date, ...]  # the new subject's planned induction doses
    texts: tuple[Text, ...]

    @property
    def explanation(self) -> tuple[str, ...]:
        return tuple(str(t) for t in self.texts)

    def __str__(self) -> str:
        return "\n".join(self.explanation)


def next_slot(study: Study, cohort: str, *, after: date, horizon_days: int = 366,
              new_cohort: bool = False) -> Slot:
    """The earliest first-dose date on or after ``after`` for a new subject of ``cohort``:
    an open day, at least ``stagger_days`` from every first dose in the cohort, whose whole
    induction fits the site's capacity next to the current plan.

    ``cohort`` must be one of ``subjects.csv`` (a typo would otherwise get a slot free of any
    stagger), unless ``new_cohort`` says it is the first subject of a cohort not there yet."""
    _check_cohort(study, cohort, new_cohort)
    calendar = study.calendar
    n = study.protocol.stagger_days
    cohort_firsts = sorted((s.first_dose_date, s.subject_id) for s in study.subjects
                           if s.cohort == cohort)
    lines: list[Text] = []
    start = after
    if n and cohort_firsts:
        last, sid = max(cohort_firsts)
        if last + timedelta(days=n) > start:
            start = last + timedelta(days=n)
            lines.append(Text.of("slot.stagger", subject=sid, day=last, cohort=cohort, n=n,
                                 start=start))
    load = dosing_load(plan_study(study)) if calendar and calendar.max_dosing_per_day else Counter()
    skipped: list[Text] = []
    for k in range(horizon_days):
        d = start + timedelta(days=k)
        why, doses = _why_not(study, cohort, d, [f for f, _ in cohort_firsts], load)
        if why is None:
            return Slot(first_dose=d, doses=doses,
                        texts=tuple(lines + _chosen(d, doses, skipped, calendar)))
        skipped.append(Text.of("slot.skipped", day=d, abbr=f"{d:%a}", why=why))
    raise UsageError(f"no first-dose slot within {horizon_days} days of {start}", key="--cohort",
                     value=cohort, hint="check the site calendar and capacity")


def _check_cohort(study: Study, cohort: str, new_cohort: bool) -> None:
    known = sorted({s.cohort for s in study.subjects})
    if new_cohort and cohort in known:
        raise UsageError("not a new cohort: it has subjects", key="--cohort", value=cohort,
                         hint="leave out --new-cohort to plan its next subject")
    if not new_cohort and cohort not in known:
        raise UsageError("unknown cohort", key="--cohort", value=cohort,
                         hint=f"known cohorts: {', '.join(known)}; for the first subject of a new "
                              "cohort add --new-cohort")


def _why_not(study: Study, cohort: str, d: date, firsts: list[date],
             load: Counter[date]) -> tuple[Text | None, tuple[date, ...]]:
    """Why ``d`` cannot be a first dose (None: it can), and the induction it would give."""
    protocol, calendar = study.protocol, study.calendar
    n = protocol.stagger_days
    if calendar is not None and not calendar.is_open(d):
        return Text.of("slot.closed", why=calendar.closed_text(d) or ""), ()
    if n and any(abs((d - f).days) < n for f in firsts):
        return Text.of("slot.stagger_conflict", n=n, cohort=cohort), ()
    probe = Subject(subject_id="(new)", cohort=cohort, dose_level="", first_dose_date=d)
    plan = plan_subject(protocol, probe, calendar=calendar)
    doses = tuple(e.planned_date for e in plan.doses)
    conflicts = [w for w in plan.warnings if w.category is ClosedDayConflictWarning]
    cap = calendar.max_dosing_per_day if calendar else None
    full = [x for x in doses if cap and load[x] + 1 > cap]
    if conflicts:
        return Text.of("slot.no_open_day", visit=conflicts[0].visit or ""), doses
    if full:
        return Text.of("slot.full", day=full[0], cap=cap), doses
    return None, doses


def _chosen(d: date, doses: tuple[date, ...], skipped: list[Text],
            calendar: SiteCalendar | None) -> list[Text]:
    lines = skipped[:10]
    if len(skipped) > 10:
        lines.append(Text.of("slot.more", n=len(skipped) - 10))
    cap = calendar.max_dosing_per_day if calendar else None
    fit = (Text.of("slot.fit", n=len(doses), first=doses[0], last=doses[-1], cap=cap)
           if cap else "")
    return [*lines, Text.of("slot.chosen", day=d, abbr=f"{d:%a}", fit=fit)]
