"""The calendar engine: protocol + subject + decisions + recorded visits -> a dated plan.

Pure functions: no clock, no files, no globals ("today" is an argument). Only the standard
library and dateutil are imported here.

The policies, each shown on an awkward date:

* **Anchoring.** Protocol time stays anchored to study day 1. A dose given a day late does not
  shift later targets; a planned dose closer than the minimum interval to the previous actual
  dose is a :class:`MinimumIntervalWarning`, never a silent shift.
* **On or after.** A continue dated D plans the regimen's dosing days on or after D. Q2W/Q4W
  count their every-n-weeks phase from the week of the regimen's first dose.
* **Supersede.** A later decision replaces earlier ones for every day on or after its date.
  A review (or the Day 28 assessment) whose window had opened by the decision date is kept:
  it is the visit at which the decision was taken.
* **Cap.** No dose after study day 168, whatever the decisions say; a decision reaching past it
  is clipped with a :class:`DecisionClippedWarning` naming it. Holds do not extend it.
* **EOT and follow-up** are dated from the last dose (actual if recorded, else planned, after
  every move: closed days, capacity); EOT is never before a stop decision's date, and a
  follow-up falling on or before the EOT is done at the EOT. No move puts a dose on or after a
  stop, a hold or a withdrawal. The rules, each with its example: ``docs/rules.md``. The contraception end is last dose + 6 calendar months
  (``relativedelta``: 2026-08-31 + 6 months = 2027-02-28).

>>> from datetime import date
>>> from cc312_schedule import load_protocol, Subject
>>> p = load_protocol()
>>> s = Subject(subject_id="001", cohort="1", dose_level="DL1", first_dose_date=date(2026, 3, 2))
>>> plan = plan_subject(p, s)
>>> [(e.visit, e.target_date.isoformat()) for e in plan.doses][:3]
[('W1D1', '2026-03-02'), ('W1D4', '2026-03-05'), ('W2D1', '2026-03-09')]
>>> plan.outcome.value, plan.decision_due
('awaiting decision', datetime.date(2026, 3, 29))
"""

from __future__ import annotations

import enum
import re
import threading
import typing
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from ..core.days import StudyDay, Window, keeps_interval
from ..core.domain import (
    Action,
    Decision,
    RecordedVisit,
    RecordStatus,
    SourceRef,
    Study,
    Subject,
    Withdrawal,
    subject_hint,
)
from ..core.errors import DecisionError, InvalidStudyError, StudyFileError, UsageError
from ..core.messages import Text
from ..core.model import (
    KIND_ORDER,
    PENDING,
    EventKind,
    EventStatus,
    Outcome,
    PlannedEvent,
    PlanWarning,
    ProvisionalSummary,
    StudyPlan,
    SubjectPlan,
    SubjectState,
    event_order,
)
from ..core.opendays import SiteCalendar
from ..core.protocol import DISEASE_SCORE_ITEM, Protocol, Regimen
from ..core.warnings import (
    AfterStudyCompletionWarning,
    AgeEligibilityWarning,
    BeforeStudyStartWarning,
    CapBreachWarning,
    ClosedDayConflictWarning,
    DecisionClippedWarning,
    DecisionWithoutEffectWarning,
    LateEndOfTreatmentWarning,
    MinimumIntervalWarning,
    ProvisionalHolidaysWarning,
    RecordedVisitWarning,
    ScheduleWarning,
    SubjectDataWarning,
    WindowDeviationWarning,
)
from .capacity import balance_moves, with_capacity_warnings

__all__ = ["SubjectPlans", "check_decisions", "decision_row_problems", "plan_study", "plan_subject",
           "plans_by_day", "review_weeks", "visit_kind"]

_DOSE_NAME = re.compile(r"W([1-9]\d*)D([1-7])")
_REVIEW_NAME = re.compile(r"REV-W([1-9]\d*)(-[2-9])?")


class _Source(enum.Enum):
    INDUCTION = "induction"
    DECISION = "decision"
    PROVISIONAL = "provisional"


@dataclass(frozen=True, slots=True, kw_only=True)
class _Segment:
    """A stretch of dosing under one regimen: doses on its days from ``start`` to ``end``."""

    regimen: Regimen
    start: date  # first date a dose may be planned
    end: date  # last date a dose may be planned (inclusive)
    anchor_week: int  # phase of every-n-weeks regimens
    source: _Source


def visit_kind(protocol: Protocol, name: str) -> EventKind | None:
    """The kind of visit a name denotes, or ``None`` when the protocol has no such visit.

    >>> from cc312_schedule import load_protocol
    >>> p = load_protocol()
    >>> [visit_kind(p, n) for n in ("W6D4", "D28", "REV-W8", "EOT", "FU2", "W0D1", "V7")]
    [<EventKind.DOSE: 'dose'>, <EventKind.ASSESSMENT: 'assessment'>, <EventKind.REVIEW: 'review'>, <EventKind.EOT: 'eot'>, <EventKind.FOLLOW_UP: 'follow-up'>, None, None]
    """
    if _DOSE_NAME.fullmatch(name):
        return EventKind.DOSE
    if name == protocol.assessment_visit:
        return EventKind.ASSESSMENT
    if _REVIEW_NAME.fullmatch(name):
        return EventKind.REVIEW
    if name == protocol.eot_visit:
        return EventKind.EOT
    if any(f.visit == name for f in protocol.follow_up):
        return EventKind.FOLLOW_UP
    return None


def review_weeks(protocol: Protocol) -> range:
    """The weeks whose review (``REV-W<week>``, on the week's last day) the engine can plan: after
    the induction, ending before the cap date (no review on study day 168: no dose follows it,
    the cap ends the treatment). SDTM TV lists these. (A period ending on an ``until`` date
    inside the cap's week has its "decision due" review that day, an irregular visit.)"""
    last = (protocol.last_dose_day.value - 1) // 7  # the last week ending before the cap day
    return range(protocol.induction_weeks + 1, last + 1)


def _chooses_regimen(d: Decision) -> bool:
    return d.action is Action.CONTINUE or (d.action is Action.RESUME and d.regimen is not None)


def decision_row_problems(d: Decision, max_weeks: int) -> list[tuple[str, str, str]]:
    """The rules of one decision on its own, as (column, message, hint): the same for a row of
    ``decisions.csv`` (the study loader) and a row typed into the workbook (the import).

    Rules: weeks within the cap (``max_weeks``); weeks or until, not both; until not before
    the decision; stop and hold take no regimen, weeks or until; weeks/until on a resume need
    a regimen; every decision names its investigator. (A continue without a regimen is
    :func:`check_decisions`' to report, once.)
    """
    out: list[tuple[str, str, str]] = []
    if d.weeks is not None and d.weeks > max_weeks:
        out.append(("weeks", f"more than the protocol's cap of {max_weeks} weeks",
                    "a regimen runs at most to the cap; leave weeks empty to run to it"))
    if d.weeks is not None and d.until is not None:
        out.append(("until", "give either weeks or until, not both", "leave one of them empty"))
    if d.until is not None and d.until < d.decided_on:
        out.append(("until", f"is before the decision date {d.decided_on}",
                    "until is the last date a dose may be planned"))
    if d.action in (Action.STOP, Action.HOLD):
        for col in ("regimen", "weeks", "until"):
            if getattr(d, col) is not None:
                out.append((col, f"a {d.action} decision takes no {col}", "leave it empty"))
    if d.action is Action.RESUME and not d.regimen and (d.weeks or d.until):
        out.append(("regimen", "weeks/until on a resume need a regimen",
                    "name the regimen, or leave weeks/until empty to restore the held one"))
    if not d.investigator:
        out.append(("investigator", "missing investigator",
                    "every decision names the investigator who made it"))
    return out


def check_decisions(protocol: Protocol, subject: Subject,
                    decisions: Iterable[Decision]) -> list[DecisionError]:
    """Every reason the subject's decisions cannot be applied, each located at its CSV line.

    Rules: a regimen may be chosen (continue, or a resume naming one) only on or after the
    assessment's study day (the record's "After Day 28"), even when the assessment window
    opens earlier -- unless the protocol's ``[assessment] decisions_from = "window"`` accepts
    one from the window's first day (day 26); stop and hold are valid any time from the first dose;
    nothing follows a stop; a resume needs a hold before it; a continue during a hold must be
    a resume; two decisions on one day are ambiguous.
    """
    errors: list[DecisionError] = []
    day1 = subject.first_dose_date
    opens = protocol.regimen_decisions_open(day1)  # "After Day 28" (or the window, if chosen)

    def err(d: Decision, col: str, message: str, value: object, hint: str) -> None:
        kw: dict[str, object] = {} if value is None else {"value": value}  # no ": None"
        errors.append(DecisionError(f"subject {subject.subject_id}: {message}", path=d.source.path,
                                    line=d.source.line, column=col, hint=hint, **kw))

    by_day: dict[date, Decision] = {}
    ordered = sorted(decisions, key=lambda d: d.decided_on)
    for d in ordered:
        on = d.decided_on
        if on in by_day:
            err(d, "decided_on", f"a second decision on the same day (first: {by_day[on].source})",
                str(on), "keep one decision per subject and day")
            continue
        by_day[on] = d
        if d.regimen is not None and d.regimen not in protocol.regimen_codes:
            err(d, "regimen", "not a regimen of the protocol", d.regimen,
                f"use one of {', '.join(protocol.regimen_codes)}")
        if d.action is Action.CONTINUE and d.regimen is None:
            err(d, "regimen", "a continue decision needs a regimen", None,
                f"use one of {', '.join(protocol.regimen_codes)}")
        if on < day1:
            err(d, "decided_on", f"before the first dose {day1}", str(on),
                "a decision follows the first dose")
        elif _chooses_regimen(d) and on < opens:
            err(d, "decided_on",
                f"a regimen chosen before study day {StudyDay.of(day1, opens).value} ({opens}): "
                + protocol.decisions_from.rule(protocol.assessment_day),
                str(on), f"date the decision on or after {opens}, or use hold/stop")
        if subject.withdrawn_on and on >= subject.withdrawn_on:
            err(d, "decided_on", f"after the subject withdrew on {subject.withdrawn_on}", str(on),
                "remove the decision or correct withdrawn_on in subjects.csv")
    _check_sequence(list(by_day.values()), err)
    return errors


def _check_sequence(decisions: Sequence[Decision], err: _Err) -> None:
    """Nothing follows a stop; a resume needs a hold; a hold needs a resume before the next hold;
    a continue during a hold must be a resume (decisions in date order, one a day)."""
    stopped: Decision | None = None
    hold: Decision | None = None
    for d in decisions:
        if stopped is not None:
            err(d, "action", f"the subject was stopped on {stopped.decided_on} ({stopped.source}); "
                "nothing may follow a stop", str(d.action), "remove this decision")
            continue
        if d.action is Action.STOP:
            stopped = d
        elif d.action is Action.HOLD:
            if hold is not None:
                err(d, "action", f"already on hold since {hold.decided_on} ({hold.source})",
                    "hold", "record a resume before a new hold")
            hold = d
        elif d.action is Action.RESUME:
            if hold is None:
                err(d, "action", "resume without a hold before it", "resume",
                    "record the hold first, or use continue")
            hold = None
        elif d.action is Action.CONTINUE and hold is not None:
            err(d, "action", f"on hold since {hold.decided_on} ({hold.source})", "continue",
                "use resume with a regimen to end a hold")


class _Err(typing.Protocol):  # the signature of check_decisions's local ``err``
    def __call__(self, d: Decision, col: str, message: str, value: object, hint: str) -> None: ...


def plan_study(study: Study, *, assume: str | None = None, today: date | None = None,
               subject_ids: Sequence[str] | None = None, balance: bool | None = None,
               as_of: date | None = None, memo: SubjectPlans | None = None) -> StudyPlan:
    """Plan every subject of ``study`` (or only ``subject_ids``, in that order): the one
    function every output plans with, so that they all show the same dates.

    ``memo``: a :class:`SubjectPlans` shared between calls (the desk's): a subject whose own
    rows (and the balancer's moves for it) are what they were in an earlier call is not
    planned again. The plan is the same, with or without it.

    ``as_of`` (default: ``today``): the day by which the cap's passing is judged (a hold or a
    pending decision ends at the cap), for exports that mark nothing overdue (``today=None``)
    but must still show the EOT that the cap called for.

    The study's site calendar (``study.calendar``) moves visits off closed days inside their
    windows. With a capacity (``max_dosing_per_day``), dosing visits are balanced: moved
    inside their windows to fit (:func:`cc312_schedule.planning.capacity.balance_moves`), and
    everything derived from a moved dose (EOT, follow-ups, contraception end) follows its
    planned date, because each subject is planned again with the moves. ``balance``: ``None``
    (default) balances whenever the study sets a capacity; ``False`` shows the unbalanced plan
    (``--no-balance``). Days still over capacity carry a :class:`CapacityWarning`.
    """
    if subject_ids is not None:
        known = {s.subject_id for s in study.subjects}
        unknown = [s for s in subject_ids if s not in known]
        if unknown:
            raise UsageError("unknown subject", key="--subject", value=unknown[0],
                             hint=subject_hint(unknown[0], known))
        subjects = [study.subject(s) for s in dict.fromkeys(subject_ids)]
    else:
        subjects = list(study.subjects)
    decisions: dict[str, list[Decision]] = {}
    for d in study.decisions:
        decisions.setdefault(d.subject_id, []).append(d)
    visits: dict[str, list[RecordedVisit]] = {}
    for v in study.visits:
        visits.setdefault(v.subject_id, []).append(v)

    generation = memo.bind(study.protocol, study.calendar) if memo is not None else 0

    def one(s: Subject, moves: Mapping[str, tuple[date, Text]] | None = None) -> _Planned:
        decs, recs = decisions.get(s.subject_id, ()), visits.get(s.subject_id, ())
        if memo is not None:
            return memo.planned(generation, study.protocol, s, decs, recs, assume=assume,
                                today=today, calendar=study.calendar, as_of=as_of,
                                moves=moves or {})
        return _plan_one(study.protocol, s, decs, recs, assume=assume, today=today,
                         calendar=study.calendar, as_of=as_of, moves=moves or {})

    calendar = study.calendar
    capacity = calendar is not None and bool(calendar.max_dosing_per_day)
    # the site's chairs are shared: with a capacity, every subject is planned (and balanced),
    # then only the asked ones are returned, so that --subject shows the same dates
    everyone = list(study.subjects) if capacity else subjects
    planned = [one(s) for s in everyone]
    plans = tuple(p.plan for p in planned)
    plan = StudyPlan(study_name=study.config.name, subjects=plans, today=today, assume=assume)
    if calendar is not None and capacity:
        if balance is None or balance:
            latest = {(p.plan.subject_id, v): d for p in planned for v, d in p.latest.items()}
            moves = balance_moves(plan, study.protocol, calendar, latest)
            if moves:
                plans = tuple(one(s, moves[s.subject_id]).plan if s.subject_id in moves else p
                              for s, p in zip(everyone, plans, strict=True))
                plan = replace(plan, subjects=plans)
        plan = with_capacity_warnings(plan, calendar)
        if subject_ids is not None:
            plan = replace(plan, subjects=tuple(plan.subject(s.subject_id) for s in subjects))
    return plan


def plans_by_day(study: Study, *, assume: str | None = None,
                 balance: bool | None = None) -> Callable[[date], StudyPlan]:
    """The study's plan as of any day (``plan_study(study, today=day)``), for a range of days
    each judged as that day would be (``due --from/--to``). Days a plan cannot tell apart share
    one: what a day changes is which subjects' cap has passed and, under ``assume``, the day an
    assumed regimen starts from; the visits' statuses (and a record dated after the day,
    ``w.done_in_future``) the caller judges per day itself.
    """
    caps = [(s.subject_id, study.protocol.last_dose_day.on(s.first_dose_date))
            for s in study.subjects]
    cache: dict[tuple[object, ...], StudyPlan] = {}

    def plan_on(day: date) -> StudyPlan:
        key = (tuple(day > cap for _, cap in caps), day if assume is not None else None)
        if key not in cache:
            cache[key] = plan_study(study, assume=assume, today=day, balance=balance)
        return cache[key]

    return plan_on


def plan_subject(protocol: Protocol, subject: Subject, decisions: Iterable[Decision] = (),
                 visits: Iterable[RecordedVisit] = (), *, assume: str | None = None,
                 today: date | None = None, calendar: SiteCalendar | None = None,
                 as_of: date | None = None) -> SubjectPlan:
    """Plan one subject. Decisions and visits of other subjects are ignored.

    ``assume``: a regimen code; while awaiting a decision, plan a provisional continuation of it
    to the cap (status ``provisional``), starting on or after the pending assessment (or
    review) and ``today``. ``today``: marks overdue visits, sets ``state``, and ends a hold or
    a pending decision at the cap once the cap date has passed. ``calendar``: the site's
    closed days; a visit whose target is closed is planned on the nearest open day inside its
    window (``planned_date``, with the ``reason``), and a dose never closer than the minimum
    interval to its neighbours. Without it every day is open. ``as_of`` (default ``today``):
    the day by which the cap's passing is judged. (The site's capacity is a study's: see
    :func:`plan_study`.)
    """
    return _plan_one(protocol, subject, decisions, visits, assume=assume, today=today,
                     calendar=calendar, as_of=as_of, moves={}).plan


@dataclass(frozen=True, slots=True, kw_only=True)
class _Planned:
    plan: SubjectPlan
    latest: dict[str, date]  # dose visit -> the last day it may be planned on (stop, hold)


class _Key:
    """A memo key whose hash is computed once (the dictionary asks for it on every look-up)."""

    __slots__ = ("hash", "value")

    def __init__(self, value: tuple[object, ...]) -> None:
        self.value = value
        self.hash = hash(value)

    def __hash__(self) -> int:
        return self.hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and self.hash == other.hash and self.value == other.value


class SubjectPlans:
    """A memo of one subject's plans for :func:`plan_study` (``memo=``), shared by the calls
    of a long-running program (the desk), so that a change to one subject re-plans that one.

    A subject's plan is a pure function of the protocol, the site calendar, the subject's row,
    its own decisions and recorded visits (each with its source: warnings name their file and
    line), ``assume``, ``today``, the day the cap is judged by and the capacity balancer's moves
    for it. The memo keeps each plan under exactly those inputs, compared by value, so a hit
    is the plan that planning again would give; a different protocol or calendar empties it.
    The balancer itself (the one rule across subjects) runs on every call. At most
    ``max_entries`` plans are kept, the least recently used dropped first. Thread-safe.
    Holds no clock and reads no file.

    >>> from datetime import date
    >>> from cc312_schedule import example_study_path, load_study
    >>> study, memo = load_study(example_study_path()), SubjectPlans()
    >>> first = plan_study(study, today=date(2026, 11, 30), memo=memo)
    >>> again = plan_study(study, today=date(2026, 11, 30), memo=memo)
    >>> again == first == plan_study(study, today=date(2026, 11, 30)), memo.hits, memo.misses
    (True, 6, 6)
    """

    def __init__(self, max_entries: int = 20_000) -> None:
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        self._entries: OrderedDict[_Key, _Planned] = OrderedDict()
        self._rules: tuple[Protocol, str, SiteCalendar | None] | None = None
        self._generation = 0  # counts the times the memo was emptied for other rules

    def __len__(self) -> int:
        return len(self._entries)

    def bind(self, protocol: Protocol, calendar: SiteCalendar | None) -> int:
        """Empty the memo unless ``protocol`` and ``calendar`` equal the ones its plans were
        made with (the protocol's source too: messages name it); the generation to pass to
        :meth:`planned` (the memo is used only while no other rules emptied it since)."""
        with self._lock:
            if not self._same_rules(protocol, calendar):
                self._entries.clear()
                self._generation += 1
            self._rules = (protocol, protocol.source, calendar)
            return self._generation

    def _same_rules(self, protocol: Protocol, calendar: SiteCalendar | None) -> bool:
        rules = self._rules
        if rules is None:
            return False
        if rules[0] is protocol and rules[2] is calendar:
            return True
        return (rules[0], rules[1], rules[2]) == (protocol, protocol.source, calendar)

    def planned(self, generation: int, protocol: Protocol, subject: Subject,
                decisions: Sequence[Decision], visits: Sequence[RecordedVisit], *,
                assume: str | None, today: date | None, calendar: SiteCalendar | None,
                as_of: date | None, moves: Mapping[str, tuple[date, Text]]) -> _Planned:
        """``_plan_one`` of these inputs, from the memo when it holds them (``generation``:
        what :meth:`bind` gave for this protocol and calendar)."""
        key = _Key((subject, subject.source, tuple((d, d.source) for d in decisions),
                    tuple((v, v.source) for v in visits), assume, today,
                    as_of or today,  # _plan_one judges the cap by ``as_of or today``
                    tuple(sorted(moves.items()))))
        with self._lock:
            current = generation == self._generation
            found = self._entries.get(key) if current else None
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return found
        planned = _plan_one(protocol, subject, decisions, visits, assume=assume, today=today,
                            calendar=calendar, as_of=as_of, moves=moves)
        with self._lock:
            self.misses += 1
            if current and generation == self._generation:  # no other rules meanwhile
                self._entries[key] = planned
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return planned


def _plan_one(protocol: Protocol, subject: Subject, decisions: Iterable[Decision],
              visits: Iterable[RecordedVisit], *, assume: str | None, today: date | None,
              calendar: SiteCalendar | None, as_of: date | None,
              moves: Mapping[str, tuple[date, Text]]) -> _Planned:
    """:func:`plan_subject`, with the capacity balancer's ``moves`` (dose visit -> planned
    date and why) applied before anything is derived from the doses."""
    sid = subject.subject_id
    decs = sorted((d for d in decisions if d.subject_id == sid), key=lambda d: d.decided_on)
    # recorded visits in date order (a missed one by its name): warnings never follow file order
    recs = sorted((v for v in visits if v.subject_id == sid),
                  key=lambda v: (v.actual_date or date.max, v.visit))
    _validate_inputs(protocol, subject, decs, recs, assume)
    day1 = subject.first_dose_date
    cap_date = protocol.last_dose_day.on(day1)
    warns: list[PlanWarning] = []

    def warn(category: type[ScheduleWarning], message: Text, visit: str | None = None) -> None:
        warns.append(PlanWarning(category=category, subject_id=sid, message=str(message),
                                 visit=visit, text=message))

    if day1 < protocol.start_date:
        warn(BeforeStudyStartWarning, Text.of("w.before_start", first=day1,
                                              start=protocol.start_date), "W1D1")
    _check_subject_dates(subject, recs, warn)
    course = _apply_decisions(protocol, day1, cap_date, decs, warn)
    if _withdraws_from_treatment(subject) and course.stopped_on is None:
        assert subject.withdrawn_on is not None  # after the cap, the cap had ended treatment
        course.stop(protocol, day1, min(subject.withdrawn_on, cap_date + timedelta(days=1)))
    ending = _ending(protocol, subject, course, recs, cap_date, assume=assume,
                     as_of=as_of or today)
    if ending.provisional_start is not None and assume is not None:
        _assume_regimen(protocol, day1, cap_date, course, assume, ending.provisional_start)
    outcome = Outcome.WITHDRAWN if subject.withdrawn_on is not None else ending.outcome
    events, latest = _place_events(protocol, subject, course, ending, recs, calendar, moves, warn)
    final = _finish_events(protocol, events.values(), cap_date, today, warn)
    # a dose a withdrawal took out after it was moved off a closed day: its conflict is moot
    kept = {e.visit for e in final}
    warns[:] = [w for w in warns if w.category is not ClosedDayConflictWarning
                or w.visit is None or w.visit in kept]
    if calendar is not None:
        _check_provisional_holidays(calendar, final, warn)
    _check_age(protocol, subject, warn)
    _check_late_eot(protocol, final, warn)
    plan = _summarise(protocol, subject, final, outcome, cap_date, tuple(warns),
                      due_visit=None if subject.withdrawn_on else ending.due_visit, assume=assume)
    if today is not None:
        plan = replace(plan, state=_state(plan, course, today))
    return _Planned(plan=plan, latest=latest)


def _withdraws_from_treatment(subject: Subject) -> bool:
    """A withdrawal from treatment: treatment stops on the date, the early-termination (EOT)
    visit and the follow-up stay planned (after a dose; with none given or planned before the
    date, nothing follows). A withdrawal of consent (the default), or one dated before the
    first dose, keeps nothing on or after its date."""
    return (subject.withdrawn_on is not None and subject.withdrawal is Withdrawal.TREATMENT
            and subject.withdrawn_on >= subject.first_dose_date)


def _check_subject_dates(subject: Subject, recs: Sequence[RecordedVisit], warn: _Warn) -> None:
    """A withdrawal dated before the first dose, and a dose recorded before day 1."""
    day1 = subject.first_dose_date
    if subject.withdrawn_on is not None and subject.withdrawn_on < day1:
        warn(SubjectDataWarning, Text.of("w.withdrawn_before_first_dose",
                                         on=subject.withdrawn_on, first=day1))
    for v in recs:
        if (v.actual_date is not None and v.actual_date < day1
                and _DOSE_NAME.fullmatch(v.visit)):
            warn(RecordedVisitWarning, Text.of("w.dose_before_day1", date=v.actual_date,
                                               first=day1), v.visit)


def _check_late_eot(protocol: Protocol, events: Sequence[PlannedEvent], warn: _Warn) -> None:
    """An EOT planned more than ``eot.late_after_days`` after the last dose: a stop decision
    is probably missing (the subject is no longer dosed but nothing ended the treatment)."""
    last = _last_dose(events, provisional=True)
    eot = next((e for e in events if e.kind is EventKind.EOT), None)
    if last is None or eot is None or eot.status not in PENDING:
        return
    days = (eot.date - last).days
    if days > protocol.eot_late_after_days:
        warn(LateEndOfTreatmentWarning,
             Text.of("w.late_eot", date=eot.date, days=days, last=last,
                     limit=protocol.eot_late_after_days), eot.visit)


def _assume_regimen(protocol: Protocol, day1: date, cap_date: date, course: _Course,
                    assume: str, start: date) -> None:
    """``--assume``: the regimen provisionally from ``start`` to the cap, with its reviews."""
    seg = _start_regimen(protocol, day1, protocol.regimen(assume), start, weeks=None, until=None,
                         source=_Source.PROVISIONAL)
    seg = replace(seg, end=cap_date)
    course.segments.append(seg)
    course.reviews.update({r: True for r in _review_dates(protocol, day1, seg, cap_date)
                           if r not in course.reviews})


def _place_events(protocol: Protocol, subject: Subject, course: _Course, ending: _Ending,
                  recs: Sequence[RecordedVisit], calendar: SiteCalendar | None,
                  moves: Mapping[str, tuple[date, Text]], warn: _Warn
                  ) -> tuple[dict[str, PlannedEvent], dict[str, date]]:
    """Every visit dated: doses (recorded ones as recorded), moved off closed days and by the
    capacity balancer (never onto or after a stop, a hold or a withdrawal: ``latest``), nothing
    on or after a withdrawal (judged after the moves); then the assessment, reviews, EOT and
    follow-up, dated from the doses that remain. Returns the events and, per dose, the last
    day it may be planned on."""
    day1 = subject.first_dose_date
    cap_date = protocol.last_dose_day.on(day1)
    events = _dose_events(protocol, subject, course.segments, cap_date)
    by_visit = {v.visit: v for v in recs}
    cut = _cut_doses(protocol, subject, course, cap_date)
    for v in recs:
        if visit_kind(protocol, v.visit) is EventKind.DOSE:
            planned = events.get(v.visit)
            if planned is None and v.visit in cut and v.status is RecordStatus.DONE:
                e, on = cut[v.visit]  # given on (or before) the day of the stop or hold
                planned = e if v.actual_date is not None and v.actual_date <= on else None
            events[v.visit] = _record(protocol, subject, planned, v, warn)
    barriers = sorted({*(h for h, _ in course.holds), *filter(None, (
        course.stopped_on, subject.withdrawn_on))})
    latest: dict[str, date] = {}
    for name, e in events.items():
        barrier = next((b for b in barriers if b > e.target_date), None)
        if e.kind is EventKind.DOSE and barrier is not None:
            latest[name] = barrier - timedelta(days=1)
    if calendar is not None:
        _shift_doses(protocol, calendar, events, latest, warn)
    for name, (on, why) in moves.items():  # the balancer's, inside the window and the limits
        moved = events.get(name)
        if moved is not None and moved.status in PENDING and on <= latest.get(name, date.max):
            both = (Text.of("r.both", first=moved.reason_text, then=why) if moved.reason_text
                    else why)
            events[name] = replace(moved, planned_date=on, reason=str(both), reason_text=both)
    if subject.withdrawn_on is not None:  # after the moves: nothing moves onto the withdrawal
        _withdraw(events, by_visit, subject.withdrawn_on, warn,
                  doses_only=_withdraws_from_treatment(subject))
    names = _review_names(day1, course.reviews)
    for e in _other_events(protocol, subject, course, ending, events, names):
        if e.visit not in events:
            if calendar is not None:
                e = _shift(calendar, e, None, None, 0, warn)
            events[e.visit] = e
    for v in recs:
        if visit_kind(protocol, v.visit) is not EventKind.DOSE:
            events[v.visit] = _record(protocol, subject, events.get(v.visit), v, warn)
    if course.stopped_on is not None:  # a review or the assessment still to come after a stop
        for name, e in list(events.items()):
            if (e.kind in (EventKind.ASSESSMENT, EventKind.REVIEW) and e.status in PENDING
                    and e.planned_date > course.stopped_on):
                del events[name]
    if subject.withdrawn_on is not None:
        _withdraw(events, by_visit, subject.withdrawn_on, warn,
                  doses_only=_withdraws_from_treatment(subject))
    return events, latest


def _cut_doses(protocol: Protocol, subject: Subject, course: _Course,
               cap_date: date) -> dict[str, tuple[PlannedEvent, date]]:
    """The doses a stop or hold took out of the plan, each with the stop or hold date: one
    recorded as given on (or before) that day stays part of the plan, with its regimen."""
    out: dict[str, tuple[PlannedEvent, date]] = {}
    for tail, on in course.tails:
        for name, e in _dose_events(protocol, subject, [tail], cap_date).items():
            out.setdefault(name, (e, on))
    return out


def _review_names(day1: date, reviews: Iterable[date]) -> dict[date, str]:
    """Each review's visit name: ``REV-W<week>``; a second review in the same week (two
    periods ending in one week) is ``REV-W<week>-2``, so names stay unique per subject."""
    out: dict[date, str] = {}
    taken: set[str] = set()
    for r in sorted(reviews):
        base = f"REV-W{StudyDay.of(day1, r).week}"
        name, k = base, 1
        while name in taken:
            k += 1
            name = f"{base}-{k}"
        taken.add(name)
        out[r] = name
    return out


def _check_provisional_holidays(calendar: SiteCalendar, events: Iterable[PlannedEvent],
                                warn: _Warn) -> None:
    years = sorted({e.planned_date.year for e in events if e.status in PENDING}
                   & calendar.provisional_years)
    for y in years:
        warn(ProvisionalHolidaysWarning,
             Text.of("w.provisional_holidays", year=y, source=_source_text(calendar.source)))


def _validate_inputs(protocol: Protocol, subject: Subject, decs: Sequence[Decision],
                     recs: Sequence[RecordedVisit], assume: str | None) -> None:
    latest = date.max - timedelta(days=7 * protocol.max_treatment_weeks + 3660)
    if not date.min + timedelta(days=3660) <= subject.first_dose_date <= latest:
        raise UsageError("first dose date out of range", key="first_dose_date",
                         value=str(subject.first_dose_date),
                         hint="check the year: the plan and its follow-up must fit the calendar")
    problems = check_decisions(protocol, subject, decs)
    if problems:
        raise InvalidStudyError(problems)
    if assume is not None and assume not in protocol.regimen_codes:
        raise UsageError("unknown regimen", key="--assume", value=assume,
                         hint=f"use one of {', '.join(protocol.regimen_codes)}")
    for v in recs:
        if visit_kind(protocol, v.visit) is None:
            raise InvalidStudyError([unknown_visit_error(protocol, v.visit, v.source)])


@dataclass(slots=True)
class _Course:
    """What the decisions make of the treatment: dosing segments, reviews, stop and holds.

    Mutable only while :func:`_apply_decisions` builds it.
    """

    segments: list[_Segment]
    reviews: dict[date, bool] = field(default_factory=dict)  # review target -> provisional
    keep_assessment: bool = True
    stopped_on: date | None = None
    holds: list[tuple[date, date | None]] = field(default_factory=list)
    active: bool = True  # segments[-1] is still running
    interrupted: _Segment | None = None  # what the open hold interrupted
    last_decision: date | None = None
    # what a stop or hold cut off, with the stop's or hold's date
    tails: list[tuple[_Segment, date]] = field(default_factory=list)

    @property
    def on_hold(self) -> bool:
        return bool(self.holds) and self.holds[-1][1] is None

    def truncate(self, on: date, *, cut: bool = False) -> None:
        """End the running segment the day before ``on``; ``cut`` (a stop or hold) keeps what
        was cut off in :attr:`tails`."""
        last = self.segments[-1]
        if self.active and last.end >= on:
            if cut:
                self.tails.append((replace(last, start=max(on, last.start)), on))
            self.segments[-1] = replace(last, end=on - timedelta(days=1))

    def stop(self, protocol: Protocol, day1: date, on: date) -> None:
        """A stop (or a withdrawal from treatment) on ``on``: no dose from that day."""
        self.truncate(on, cut=True)
        self.drop_reviews_after(protocol, on)
        if protocol.assessment_window.around(protocol.assessment_day.on(day1))[0] > on:
            self.keep_assessment = False
        self.stopped_on = on
        self.active = False

    def drop_reviews_after(self, protocol: Protocol, on: date) -> None:
        for r in [r for r in self.reviews if protocol.review_window.around(r)[0] > on]:
            del self.reviews[r]


def _apply_decisions(protocol: Protocol, day1: date, cap_date: date, decs: Sequence[Decision],
                     warn: _Warn) -> _Course:
    """Decisions, in date order, turned into dosing segments, reviews, a stop and holds.

    A continue or resume dated after the cap date has no effect (a warning names it); a
    regimen chosen past the cap is clipped to it (a warning names the decision).
    """
    course = _Course(segments=[_Segment(
        regimen=protocol.induction, start=day1,
        end=StudyDay(7 * protocol.induction_weeks).on(day1), anchor_week=1,
        source=_Source.INDUCTION)])
    for d in decs:
        on = d.decided_on
        course.last_decision = on
        if d.action in (Action.CONTINUE, Action.RESUME) and on > cap_date:
            warn(DecisionWithoutEffectWarning,
                 Text.of("w.decision_after_cap", decision=_decision_text(d), cap=cap_date,
                         day=protocol.last_dose_day.value))
        elif _chooses_regimen(d):
            _continue(protocol, day1, cap_date, course, d, warn)
        elif d.action is Action.STOP:
            course.stop(protocol, day1, on)
        elif d.action is Action.HOLD:
            last = course.segments[-1]
            course.interrupted = (replace(last, start=on) if course.active and last.end >= on
                                  else None)
            course.truncate(on, cut=True)
            course.active = False
            course.holds.append((on, None))
        else:  # resume, restoring what the hold interrupted
            course.holds[-1] = (course.holds[-1][0], on)
            if course.interrupted is not None:
                course.segments.append(replace(course.interrupted,
                                               start=max(course.interrupted.start, on)))
                course.active = True
            course.interrupted = None
    return course


def _continue(protocol: Protocol, day1: date, cap_date: date, course: _Course, d: Decision,
              warn: _Warn) -> None:
    """A continue (or a resume naming a regimen): the regimen from its date, clipped at the cap."""
    assert d.regimen is not None
    on = d.decided_on
    course.truncate(on)
    course.drop_reviews_after(protocol, on)
    if course.on_hold:
        course.holds[-1] = (course.holds[-1][0], on)
    seg = _start_regimen(protocol, day1, protocol.regimen(d.regimen), on,
                         weeks=d.weeks, until=d.until, source=_Source.DECISION)
    if seg.end > cap_date:
        warn(DecisionClippedWarning,
             Text.of("w.decision_clipped", decision=_decision_text(d), cap=cap_date,
                     day=protocol.last_dose_day.value))
        seg = replace(seg, end=cap_date)
    if not _dose_days(seg, day1, protocol.last_dose_day):
        warn(DecisionWithoutEffectWarning,
             Text.of("w.decision_no_dose", decision=_decision_text(d), regimen=seg.regimen.code))
    course.segments.append(seg)
    course.active = True
    course.interrupted = None
    course.reviews.update({r: False for r in _review_dates(protocol, day1, seg, cap_date)})


@dataclass(frozen=True, slots=True, kw_only=True)
class _Ending:
    outcome: Outcome
    ended_on: date | None = None  # EOT floor: the stop date, or the day after the cap
    due_visit: tuple[str, date] | None = None  # (visit, target) whose decision is pending
    provisional_start: date | None = None  # where an assumed regimen may start


def _ending(protocol: Protocol, subject: Subject, course: _Course, recs: Sequence[RecordedVisit],
            cap_date: date, *, assume: str | None, as_of: date | None) -> _Ending:
    """How the treatment ends. The cap ends it: on hold or awaiting a decision once the cap
    date has passed (``as_of``, by default today, is after it), the EOT is planned as for a
    stop dated the day after the cap."""
    cap_passed = as_of is not None and as_of > cap_date
    if course.stopped_on is not None:
        return _Ending(outcome=Outcome.STOPPED, ended_on=course.stopped_on)
    if course.on_hold:
        if cap_passed:
            return _Ending(outcome=Outcome.CAP_REACHED, ended_on=cap_date + timedelta(days=1))
        return _Ending(outcome=Outcome.ON_HOLD)
    last_seg = course.segments[-1]
    if last_seg.end >= cap_date:
        return _Ending(outcome=Outcome.TO_CAP)
    if cap_passed:
        return _Ending(outcome=Outcome.CAP_REACHED, ended_on=cap_date + timedelta(days=1))
    day1 = subject.first_dose_date
    pending = [(name, r) for r, name in _review_names(day1, course.reviews).items()]
    if course.keep_assessment:
        pending.append((protocol.assessment_visit, protocol.assessment_day.on(day1)))
    due = max(pending, key=lambda p: p[1], default=None)
    if assume is None:
        return _Ending(outcome=Outcome.AWAITING_DECISION, due_visit=due)
    # the assumed regimen starts on or after: the end of the last period, the last decision,
    # the pending visit (its actual date if recorded) and the day judged by -- never the past
    starts = [last_seg.end + timedelta(days=1)]
    starts += [d for d in (course.last_decision, as_of) if d is not None]
    if due is not None:
        done = next((v.actual_date for v in recs if v.visit == due[0] and v.actual_date), None)
        starts.append(done or due[1])
    return _Ending(outcome=Outcome.PROVISIONAL, due_visit=due, provisional_start=max(starts))


def _dose_events(protocol: Protocol, subject: Subject, segments: Sequence[_Segment],
                 cap_date: date) -> dict[str, PlannedEvent]:
    """Every dosing day of every segment. A dose's window stays inside its segment (the
    decision that gives the dose, up to its ``until`` or the next decision) and before the
    cap date, so that a move off a closed day never plans a dose before it was decided or
    after the last date the decision covers."""
    day1 = subject.first_dose_date
    events: dict[str, PlannedEvent] = {}
    for seg in segments:
        for sd in _dose_days(seg, day1, protocol.last_dose_day):
            if sd.value == 1:
                window, procs = protocol.first_dose_window, protocol.procedures.first_dose
            elif seg.source is _Source.INDUCTION:
                window, procs = protocol.induction_window, protocol.procedures.induction_dose
            else:
                window, procs = protocol.continuation_window, protocol.procedures.continuation_dose
            e = _event(protocol, subject, sd.visit_name, EventKind.DOSE, sd.on(day1), window,
                       procs, provisional=seg.source is _Source.PROVISIONAL,
                       regimen=seg.regimen.code)
            events[sd.visit_name] = replace(e, window_start=max(e.window_start, seg.start),
                                            window_end=min(e.window_end, cap_date, seg.end))
    return events


def _last_dose(events: Iterable[PlannedEvent], *, provisional: bool) -> date | None:
    """The last dose given or planned (missed ones never count; provisional ones only if asked)."""
    return max((e.date for e in events if e.kind is EventKind.DOSE
                and e.status is not EventStatus.MISSED
                and (provisional or e.status is not EventStatus.PROVISIONAL)), default=None)


def _other_events(protocol: Protocol, subject: Subject, course: _Course, ending: _Ending,
                  doses: dict[str, PlannedEvent], names: dict[date, str]) -> list[PlannedEvent]:
    """The assessment, the reviews, and (once treatment ends) EOT and follow-up.

    EOT is the last dose + ``eot.days_after_last_dose``, never before the date treatment
    ended (a stop, a withdrawal from treatment, or the day after the cap); its window starts
    there at the earliest, and a follow-up's window after the EOT. The follow-ups look
    at the participant relative to the last exposure: with ``eot.follow_up_from = "last dose"``
    (the template's default) FUk = the last dose + its days, and a follow-up that falls on or
    before the EOT is folded into the EOT (done at that visit: the EOT's reason says so);
    with ``"eot"`` they keep their distance to a late EOT (FUk = EOT + its days - EOT's).
    """
    day1 = subject.first_dose_date
    out: list[PlannedEvent] = []
    if course.keep_assessment:
        out.append(_event(protocol, subject, protocol.assessment_visit, EventKind.ASSESSMENT,
                          protocol.assessment_day.on(day1), protocol.assessment_window,
                          protocol.procedures.assessment))
    for target, provisional in course.reviews.items():
        out.append(_event(protocol, subject, names[target], EventKind.REVIEW, target,
                          protocol.review_window, protocol.procedures.review,
                          provisional=provisional))
    if ending.outcome not in (Outcome.STOPPED, Outcome.TO_CAP, Outcome.PROVISIONAL,
                              Outcome.CAP_REACHED):
        return out
    provisional = ending.outcome is Outcome.PROVISIONAL
    last = _last_dose(doses.values(), provisional=True)
    if last is None and subject.withdrawn_on is not None:
        return out  # withdrawn before any dose: no EOT, no follow-up
    base = last or day1
    eot_days = protocol.eot_days_after_last_dose
    eot = base + timedelta(days=eot_days)
    if ending.ended_on is not None:
        eot = max(eot, ending.ended_on)
    follow_ups: list[PlannedEvent] = []
    folded: list[Text] = []
    for fu in protocol.follow_up:
        if protocol.follow_up_from == "eot":
            target = eot + timedelta(days=fu.days_after_last_dose - eot_days)
        else:
            target = base + timedelta(days=fu.days_after_last_dose)
        if target <= eot:
            folded.append(Text.of("r.folded", visit=fu.visit, target=target,
                                  days=fu.days_after_last_dose, last=base))
            continue
        fu_event = _event(protocol, subject, fu.visit, EventKind.FOLLOW_UP, target, fu.window,
                          protocol.procedures.follow_up, provisional=provisional)
        # after the EOT: a move off a closed day never plans a follow-up on or before it
        follow_ups.append(replace(fu_event, window_start=max(fu_event.window_start,
                                                             eot + timedelta(days=1))))
    end = _event(protocol, subject, protocol.eot_visit, EventKind.EOT, eot, protocol.eot_window,
                 protocol.procedures.eot, provisional=provisional)
    if ending.ended_on is not None:  # a move off a closed day keeps the floor too
        end = replace(end, window_start=max(end.window_start, ending.ended_on))
    if folded:
        why = folded[0]
        for t in folded[1:]:
            why = Text.of("r.both", first=why, then=t)
        end = replace(end, reason=str(why), reason_text=why)
    return [*out, end, *follow_ups]


def _finish_events(protocol: Protocol, events: Iterable[PlannedEvent], cap_date: date,
                   today: date | None, warn: _Warn) -> tuple[PlannedEvent, ...]:
    """Dose numbers, the completion-date flag, overdue, and the interval and cap checks."""
    numbered: list[PlannedEvent] = []
    n = 0
    for e in sorted(events, key=lambda e: (e.target_date, KIND_ORDER[e.kind], e.visit)):
        if e.kind is EventKind.DOSE:
            n += 1
            e = replace(e, dose_number=n)
        if e.date > protocol.completion_date:
            e = replace(e, after_completion=True)
            warn(AfterStudyCompletionWarning,
                 Text.of("w.after_completion", date=e.date, completion=protocol.completion_date),
                 e.visit)
        if today is not None and e.status is EventStatus.PLANNED and e.window_end < today:
            e = replace(e, status=EventStatus.OVERDUE)
        if e.kind is EventKind.DOSE and e.status is EventStatus.DONE and e.date > cap_date:
            warn(CapBreachWarning,
                 Text.of("w.cap_breach", date=e.date, cap=cap_date,
                         day=protocol.last_dose_day.value), e.visit)
        if today is not None and e.actual_date is not None and e.actual_date > today:
            warn(RecordedVisitWarning, Text.of("w.done_in_future", date=e.actual_date, today=today),
                 e.visit)
        numbered.append(e)
    _check_intervals(protocol, numbered, warn)
    return tuple(sorted(numbered, key=event_order))


def _summarise(protocol: Protocol, subject: Subject, events: tuple[PlannedEvent, ...],
               outcome: Outcome, cap_date: date, warns: tuple[PlanWarning, ...], *,
               due_visit: tuple[str, date] | None, assume: str | None) -> SubjectPlan:
    """The subject's summary: confirmed values only; provisional ones apart."""
    months = relativedelta(months=protocol.contraception_months)
    last = _last_dose(events, provisional=False)
    due = next((e for e in events if due_visit and e.visit == due_visit[0]), None)
    provisional = None
    if outcome is Outcome.PROVISIONAL and assume is not None:
        p_last = _last_dose(events, provisional=True)
        eot = [e.date for e in events if e.kind is EventKind.EOT]
        fus = [e.date for e in events if e.kind is EventKind.FOLLOW_UP]
        provisional = ProvisionalSummary(
            regimen=assume, last_dose_date=p_last,
            doses_planned=sum(1 for e in events if e.kind is EventKind.DOSE
                              and e.status is EventStatus.PROVISIONAL),
            eot_date=eot[0] if eot else None, follow_up_end=max(fus, default=None),
            contraception_end=p_last + months if p_last else None)
    return SubjectPlan(subject=subject, events=events, outcome=outcome, warnings=warns,
                       last_dose_date=last, cap_date=cap_date,
                       contraception_end=last + months if last else None,
                       decision_due=due.planned_date if due else None,
                       decision_due_visit=due.visit if due else None, provisional=provisional)



# --------------------------------------------------------------------------------------
# helpers


def _start_regimen(protocol: Protocol, day1: date, regimen: Regimen, on: date, *,
                   weeks: int | None, until: date | None, source: _Source) -> _Segment:
    """A regimen started on ``on``: its phase is the week of its first dosing day on or after it."""
    sd = StudyDay.of(day1, max(on, day1))
    # days_in_week is never empty, so the first dosing day is in this week or the next
    anchor = sd.week if sd.day_in_week <= regimen.days_in_week[-1] else sd.week + 1
    if weeks is not None:
        # beyond the cap is clipped anyway: bound it first, so 1,000,000 weeks cannot overflow
        weeks = min(weeks, protocol.max_treatment_weeks + 1)
        end = StudyDay(7 * (anchor + weeks - 1)).on(day1)
    elif until is not None:
        end = until
    else:
        end = protocol.last_dose_day.on(day1)
    return _Segment(regimen=regimen, start=on, end=end, anchor_week=anchor, source=source)


def _dose_days(seg: _Segment, day1: date, cap: StudyDay) -> list[StudyDay]:
    if seg.end < seg.start:
        return []
    first = StudyDay.of(day1, max(seg.start, day1))
    last = min(StudyDay.of(day1, seg.end), cap)
    return [sd for week in range(first.week, last.week + 1)
            for sd in seg.regimen.doses_in_week(week, seg.anchor_week) if first <= sd <= last]


def _review_dates(protocol: Protocol, day1: date, seg: _Segment, cap_date: date) -> list[date]:
    """Reviews every n weeks counted from the start of the regimen's first week, before the cap,
    plus a "decision due" review on the last day of a period that ends before the cap."""
    base = StudyDay.of_week(seg.anchor_week, 1).on(day1) - timedelta(days=1)
    step = timedelta(weeks=protocol.review_every_weeks)
    out = []
    r = base + step
    while r <= seg.end and r < cap_date:
        out.append(r)
        r += step
    if seg.end < cap_date and seg.end >= seg.start and seg.end not in out:
        out.append(seg.end)
    return out


def _procedures(protocol: Protocol, subject: Subject, items: tuple[str, ...]) -> tuple[str, ...]:
    score = protocol.disease_score(subject.disease)
    if score is None:
        return items
    return tuple(f"{DISEASE_SCORE_ITEM} ({score})" if i == DISEASE_SCORE_ITEM else i for i in items)


def _event(protocol: Protocol, subject: Subject, visit: str, kind: EventKind, target: date,
           window: Window, procedures: tuple[str, ...], *, provisional: bool = False,
           regimen: str | None = None) -> PlannedEvent:
    start, end = window.around(target)
    return PlannedEvent(
        subject_id=subject.subject_id, visit=visit, kind=kind,
        study_day=StudyDay.of(subject.first_dose_date, target), target_date=target,
        planned_date=target, window_start=start, window_end=end,
        status=EventStatus.PROVISIONAL if provisional else EventStatus.PLANNED,
        regimen=regimen, procedures=_procedures(protocol, subject, procedures))


def _record(protocol: Protocol, subject: Subject, event: PlannedEvent | None, rec: RecordedVisit,
            warn: _Warn) -> PlannedEvent:
    """Apply a recorded visit to its planned event (or keep it as an unplanned one)."""
    status = EventStatus.DONE if rec.status is RecordStatus.DONE else EventStatus.MISSED
    if event is None:
        kind = visit_kind(protocol, rec.visit)
        assert kind is not None
        m = _DOSE_NAME.fullmatch(rec.visit)
        if m:
            target = StudyDay.of_week(int(m.group(1)), int(m.group(2))).on(subject.first_dose_date)
        else:
            target = rec.actual_date or subject.first_dose_date
        warn(RecordedVisitWarning, Text.of("w.unplanned_record",
                                           status=Text.of(f"status.{rec.status.value}"),
                                           source=str(rec.source)), rec.visit)
        event = replace(_event(protocol, subject, rec.visit, kind, target, Window(), ()),
                        unplanned=True)
    deviation = False
    if rec.actual_date is not None and not (event.window_start <= rec.actual_date
                                            <= event.window_end) and not event.unplanned:
        deviation = True
        warn(WindowDeviationWarning,
             Text.of("w.window_deviation", actual=rec.actual_date, start=event.window_start,
                     end=event.window_end, target=event.target_date), rec.visit)
    return replace(event, status=status, actual_date=rec.actual_date, deviation=deviation,
                   note=rec.note)


def _withdraw(events: dict[str, PlannedEvent], recorded: dict[str, RecordedVisit], on: date,
              warn: _Warn, *, doses_only: bool = False) -> None:
    """Nothing planned on or after a withdrawal (a withdrawal from treatment: no dose; its EOT
    and follow-up stay); what was recorded stays, a dose or visit done after it is flagged."""
    for name, e in list(events.items()):
        if doses_only and e.kind is not EventKind.DOSE:
            continue
        if name in recorded:
            # a dose given on the day treatment is withdrawn came before it; after consent is
            # withdrawn, nothing may be done that day
            if e.status is EventStatus.DONE and (e.date > on if doses_only else e.date >= on):
                warn(RecordedVisitWarning, Text.of("w.after_withdrawal", date=e.date, on=on), name)
        elif e.planned_date >= on:
            del events[name]


def _shift(calendar: SiteCalendar, e: PlannedEvent, prev: date | None, nxt: date | None,
           min_interval: int, warn: _Warn, latest: date | None = None) -> PlannedEvent:
    """Move ``e`` off a closed target to the nearest open day of its window (policy: the
    calendar's ``prefer`` side first), keeping ``min_interval`` days from the neighbouring doses
    ``prev`` and ``nxt``, and never after ``latest`` (a dose before a stop, a hold or a
    withdrawal stays before it). When no day fits, the target stays and a conflict is reported.
    Recorded visits get their planned date too (what the site had planned); only the actual
    date says what happened."""
    if e.unplanned:
        return e
    closed = calendar.closed_text(e.target_date)
    if closed is None:
        return e
    ended = False
    skipped: date | None = None  # the nearest open day, too close to a neighbouring dose
    for d in calendar.candidates(e.target_date, e.window_start, e.window_end):
        if not calendar.is_open(d):
            continue
        if latest is not None and d > latest:
            ended = True
            continue
        if not keeps_interval(d, prev, nxt, gap=min_interval):
            skipped = skipped or d
            continue
        # onto a day usually closed (a make-up working day): the reason names it (review C14)
        onto = calendar.open_text(d)
        if onto is None:
            moved = (Text.of("r.moved", target=e.target_date, closed=closed) if skipped is None
                     else Text.of("r.moved_interval", target=e.target_date, closed=closed,
                                  skipped=skipped, gap=min_interval))
        else:
            moved = (Text.of("r.moved_open", target=e.target_date, closed=closed, day=d,
                             weekday=d, open=onto) if skipped is None
                     else Text.of("r.moved_interval_open", target=e.target_date, closed=closed,
                                  skipped=skipped, gap=min_interval, day=d, weekday=d, open=onto))
        return replace(e, planned_date=d, reason=str(moved), reason_text=moved)
    why: Text | str = (Text.of("why.interval") if skipped
                       else Text.of("why.ended", day=latest + timedelta(days=1))
                       if ended and latest is not None else "")
    if e.status in PENDING:  # what already happened needs no warning
        warn(ClosedDayConflictWarning,
             Text.of("w.closed_conflict", target=e.target_date, closed=closed,
                     start=e.window_start, end=e.window_end, why=why), e.visit)
    stays = Text.of("r.no_open_day", target=e.target_date, closed=closed, why=why)
    return replace(e, reason=str(stays), reason_text=stays)


def _shift_doses(protocol: Protocol, calendar: SiteCalendar, events: dict[str, PlannedEvent],
                 latest: Mapping[str, date], warn: _Warn) -> None:
    doses = sorted((e for e in events.values() if e.kind is EventKind.DOSE
                    and e.status is not EventStatus.MISSED), key=lambda e: e.target_date)
    prev: date | None = None
    for i, e in enumerate(doses):
        nxt = doses[i + 1] if i + 1 < len(doses) else None
        nxt_date = nxt.date if nxt is not None and calendar.is_open(nxt.target_date) else None
        e = _shift(calendar, e, prev, nxt_date, protocol.min_interval_days, warn,
                   latest.get(e.visit))
        events[e.visit] = e
        prev = e.date


def _check_intervals(protocol: Protocol, events: Sequence[PlannedEvent], warn: _Warn) -> None:
    """Doses closer than the minimum interval to a dose given, before or after it, and doses
    still to come dated on or before the day an earlier dose of the schedule was given (W2D1,
    target day 8, given on day 12: W2D4, planned on day 11, is flagged, naming W2D1).
    """
    gap = protocol.min_interval_days
    doses = [e for e in events if e.kind is EventKind.DOSE and e.status is not EventStatus.MISSED]
    given = sorted((e for e in doses if e.status is EventStatus.DONE), key=lambda e: e.date)
    for prev, cur in zip(given, given[1:], strict=False):
        days = (cur.date - prev.date).days
        if days < gap:
            warn(MinimumIntervalWarning,
                 Text.of("w.interval_given", date=cur.date, days=days, other=prev.visit,
                         other_date=prev.date, gap=gap), cur.visit)
    for e in doses:
        if e.status is EventStatus.DONE:
            continue
        for g in given:
            days = (e.date - g.date).days
            if abs(days) < gap:
                side = Text.of("side.after" if days >= 0 else "side.before")
                warn(MinimumIntervalWarning,
                     Text.of("w.interval_planned", date=e.date, days=abs(days), side=side,
                             other=g.visit, other_date=g.date, gap=gap), e.visit)
            elif g.target_date < e.target_date and e.date <= g.date:
                warn(MinimumIntervalWarning,
                     Text.of("w.out_of_order", date=e.date, given=g.date, other=g.visit), e.visit)


def _check_age(protocol: Protocol, subject: Subject, warn: _Warn) -> None:
    if subject.consent_date is None or subject.date_of_birth is None:
        return
    age = relativedelta(subject.consent_date, subject.date_of_birth).years
    if not protocol.age_min_years <= age <= protocol.age_max_years:
        warn(AgeEligibilityWarning,
             Text.of("w.age", age=age, consent=subject.consent_date, low=protocol.age_min_years,
                     high=protocol.age_max_years))


def _state(plan: SubjectPlan, course: _Course, today: date) -> SubjectState:
    s = plan.subject
    if s.withdrawn_on is not None and today >= s.withdrawn_on:
        return SubjectState.WITHDRAWN
    if today < s.first_dose_date:
        return SubjectState.NOT_STARTED
    ends = [e for e in plan.events if e.kind in (EventKind.EOT, EventKind.FOLLOW_UP)]
    stopped_on = course.stopped_on
    if ends and plan.outcome is not Outcome.PROVISIONAL:
        if today > max(e.date for e in ends):
            return SubjectState.COMPLETE
        eot = min(e.date for e in ends)
        if today >= eot or (plan.last_dose_date and today > plan.last_dose_date
                            and stopped_on is None):
            return SubjectState.IN_FOLLOW_UP
        if stopped_on is not None and today >= stopped_on:
            return SubjectState.STOPPED
    for start, end in course.holds:
        if start <= today and (end is None or today < end):
            return SubjectState.ON_HOLD
    for seg in course.segments:
        if seg.start <= today <= seg.end:
            if seg.source is _Source.INDUCTION:
                return SubjectState.IN_INDUCTION
            if seg.source is _Source.DECISION:
                return SubjectState.CONTINUING
    return SubjectState.AWAITING_DECISION


def unknown_visit_hint(protocol: Protocol, name: str) -> str:
    """What to write instead of a visit name the protocol does not know (one wording for the
    study loader, the engine and the workbook import): the right case if that is all, else the
    names the protocol knows."""
    if name.upper() != name and visit_kind(protocol, name.upper()) is not None:
        return f"did you mean {name.upper()}?"
    names = [protocol.assessment_visit, protocol.eot_visit, *(f.visit for f in protocol.follow_up)]
    return f"use a dose visit W<week>D<day> (e.g. W2D4), REV-W<week>, or one of {', '.join(names)}"


def unknown_visit_error(protocol: Protocol, name: str, source: SourceRef) -> StudyFileError:
    """The error for a recorded visit name the protocol does not know."""
    return StudyFileError("unknown visit", path=source.path, line=source.line, column="visit",
                          value=name, hint=unknown_visit_hint(protocol, name))


class _Warn(typing.Protocol):  # the signature of plan_subject's local ``warn``
    def __call__(self, category: type[ScheduleWarning], message: Text,
                 visit: str | None = None) -> None: ...


def _decision_text(d: Decision) -> Text:
    """A decision described (``Decision.describe()`` as a text): "continue QW for 8 weeks on
    2026-05-04 (decisions.csv:3)" / "2026-05-04 决策（继续治疗，QW，8周）（decisions.csv:3）"."""
    return Text.of("decision", action=Text.of(f"xlsx.action.{d.action.value}"),
                   details=d.details(), on=d.decided_on, source=str(d.source))


def _source_text(source: str) -> Text | str:
    """``holidays 0.109 CN`` (SiteCalendar.source) as a text for people; other sources as
    they are."""
    parts = source.split()
    if len(parts) == 3 and parts[0] == "holidays":
        return Text.of("source.holidays", version=parts[1], country=parts[2])
    return source
