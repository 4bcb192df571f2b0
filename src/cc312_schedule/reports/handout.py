"""The participant's schedule: what a nurse prints and gives to the participant (pure model).

:func:`plan_handout` picks one subject's visits from ``today`` on out of a
:class:`~cc312_schedule.core.model.StudyPlan` and words them for the participant, in the protocol's
lay wording (``[participant]`` in the protocol template) and the chosen language. Rendering to
HTML and PDF is in :mod:`cc312_schedule.reports.pages`.

Nothing identifying but the study id: no name, birth date, sex or disease (the disease-specific
score is worded generically); a blank line lets the nurse write the name by hand. Provisional
visits (``--assume``, awaiting the investigator's decision) are kept apart as "to be confirmed".

The schedule never asks the participant to come on a day the site is closed: a visit left on a
closed day (no open day in its window, e.g. Chinese New Year's Eve) reads "date to be confirmed
by the study team" and shows no time or window (:attr:`HandoutVisit.date_to_confirm`). A dose
reads "Infusion" with its date, never "dose 19": dose numbers count missed doses, which is right
for the data and wrong for someone who received 18. When a visit falls in a year whose public
holidays are estimated (no official notice yet), the schedule says so
(:attr:`Handout.holidays_estimated`).

>>> from cc312_schedule import example_study_path, load_study, plan_study
>>> study = load_study(example_study_path())
>>> h = plan_handout(study, plan_study(study, today=date(2026, 12, 1)), "003",
...                  today=date(2026, 12, 1), generated=date(2026, 11, 30), language="zh-CN")
>>> [(v.when, v.visit) for v in h.visits][:2]   # W22D1's window is still open on 12-01
[('2026年11月30日 星期一（可于今天12月1日起到访）', 'W22D1'), ('2026年12月3日 星期四', 'W22D4')]
>>> h.visits[0].window, h.visits[1].label, h.visits[1].window
('请于今天到访', '输液', '12月2日（星期三）至 12月4日（星期五）')
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from ..core.domain import site_name, subject_hint
from ..core.errors import UsageError
from ..core.l10n import long_date, short_date
from ..core.messages import message
from ..core.model import (
    EventKind,
    EventStatus,
    Outcome,
    PlanWarning,
    StudyPlan,
    same_day_order,
    visit_start,
)
from ..core.opendays import days_between
from ..core.warnings import ScheduleWarning
from ..store.study import Study

__all__ = ["Handout", "HandoutVisit", "MissingContactWarning", "plan_handout"]


class MissingContactWarning(ScheduleWarning):
    """``study.toml`` has no ``[site] phone``: the schedule is printed with a blank to fill by hand."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HandoutVisit:
    """One visit as the participant reads it (texts already in the handout's language)."""

    day: date
    when: str  # the date in full with its weekday
    time: time
    visit: str
    kind: EventKind
    label: str  # the visit in a few words: "Infusion" (no dose number: it counts missed doses)
    what: str  # what happens at this kind of visit (the protocol's lay wording)
    procedures: tuple[str, ...]  # in plain words
    window_start: date  # the first day of the window the site is open
    window_end: date  # the last day of the window the site is open
    window: str  # "if you cannot come on this day": the sentence
    provisional: bool = False
    date_to_confirm: bool = False  # planned on a closed day: the study team gives the date
    late: bool = False  # planned before the schedule's first day, its window still open (A2)
    window_dates: tuple[str, ...] = ()  # the dates as written in ``window`` (kept on one line)


@dataclass(frozen=True, slots=True, kw_only=True)
class Handout:
    language: str
    title: str
    site: str
    phone: str  # "" when study.toml has none: printed as a blank
    subject_id: str
    today: date
    visits: tuple[HandoutVisit, ...]  # confirmed (planned) visits, by date
    to_be_confirmed: tuple[HandoutVisit, ...]  # provisional visits, by date
    contraception_end: date | None
    contraception_may_move: bool  # treatment not settled: the date moves with further doses
    protocol_id: str
    version: str  # of the lay wording ([participant] version)
    generated: date
    version_date: date | None = None  # [participant] version_date, when the file gives one
    warnings: tuple[PlanWarning, ...] = ()
    holidays_estimated: tuple[int, ...] = ()  # years of the visits shown whose holidays are estimated

    @property
    def legend(self) -> tuple[tuple[str, str], ...]:
        """Each kind of visit on the schedule once, with what happens at it: (kind, text)."""
        seen: dict[str, str] = {}
        for v in (*self.visits, *self.to_be_confirmed):
            seen.setdefault(v.kind.value, v.what)
        return tuple(seen.items())


def _day_month(lang: str, day: date) -> str:
    """``12月4日`` / ``4 December``: the day the schedule starts, inside a bracket (no weekday:
    a bracket in a bracket reads badly)."""
    if lang == "zh-CN":
        return f"{day.month}月{day.day}日"
    from babel.dates import format_date

    return str(format_date(day, "d MMMM", locale="en_GB"))


def plan_handout(study: Study, plan: StudyPlan, subject_id: str, *, today: date, generated: date,
                 language: str | None = None) -> Handout:
    """The participant's schedule of ``subject_id`` from ``today`` on.

    ``generated`` is the plan's generation date printed in the footer; ``language`` defaults
    to the study's. An unknown subject, or a protocol without ``[participant]`` wording, is a
    :class:`UsageError`.
    """
    lang = language or study.config.language
    wording = study.protocol.participant
    if wording is None:
        raise UsageError("the protocol has no [participant] wording", key="protocol",
                         value=study.protocol.source,
                         hint="copy the [participant] tables of the bundled templates/cc312.toml")
    try:
        sp = plan.subject(subject_id)
    except KeyError:
        raise UsageError("unknown subject", key="SUBJECT", value=subject_id,
                         hint=subject_hint(subject_id, (p.subject_id for p in plan))) from None
    at = study.config.dosing_time or study.protocol.dosing_time
    day_order = same_day_order(sp.events)  # two visits on one day follow each other
    confirmed: list[HandoutVisit] = []
    tbc: list[HandoutVisit] = []
    for e in sp.events:
        # from today on, and an earlier visit whose window is still open (it can still be done)
        if e.status not in (EventStatus.PLANNED, EventStatus.PROVISIONAL, EventStatus.OVERDUE) \
                or e.window_end < today:
            continue
        what = wording.visit(e.kind.value, lang)
        label = message(lang, f"handout.kind.{e.kind.value}")
        # The window as the participant can use it: its first and last days the site is open.
        cal = study.calendar
        closed = cal is not None and not cal.is_open(e.planned_date)
        open_days = [d for d in days_between(e.window_start, e.window_end)
                     if cal is None or cal.is_open(d) or d == e.planned_date]
        start, end = min(open_days), max(open_days)
        when = long_date(lang, e.planned_date)
        late = e.planned_date < today  # its window is still open: say from when (review A2)
        dates: tuple[str, ...] = ()
        if closed:  # never ask someone to come on a closed day: the team gives the date
            when = message(lang, "handout.date_tbc", date=when)
            window = message(lang, "handout.window.tbc")
        elif late:
            when = message(lang, "handout.date_late", date=when, today=_day_month(lang, today))
            left = [d for d in open_days if d >= today]
            if not left:  # today and the rest of the window are closed days
                window = message(lang, "handout.window.call")
            elif left == [today]:
                window = message(lang, "handout.window.today")
            else:
                dates = (short_date(lang, left[0], year_of=e.planned_date, long_weekday=True),
                         short_date(lang, end, year_of=e.planned_date, long_weekday=True))
                window = message(lang, "handout.window", start=dates[0], end=dates[1])
        elif start == end:
            window = message(lang, "handout.window.none")
        else:
            dates = (short_date(lang, start, year_of=e.planned_date, long_weekday=True),
                     short_date(lang, end, year_of=e.planned_date, long_weekday=True))
            window = message(lang, "handout.window", start=dates[0], end=dates[1])
        v = HandoutVisit(day=e.planned_date, when=when,
                         time=visit_start(at, study.protocol.dosing_duration_minutes, e.visit,
                                          day_order),
                         visit=e.visit, kind=e.kind, label=label, what=what,
                         procedures=tuple(dict.fromkeys(wording.procedure(i, lang)
                                                        for i in e.procedures)),
                         window_start=start, window_end=end, window=window,
                         provisional=e.status is EventStatus.PROVISIONAL,
                         date_to_confirm=closed, late=late and not closed, window_dates=dates)
        (tbc if v.provisional else confirmed).append(v)
    warnings: list[PlanWarning] = []
    phone = study.config.site_phone
    if not phone:
        warnings.append(PlanWarning(
            category=MissingContactWarning, subject_id=subject_id,
            message="study.toml has no [site] phone: the schedule has a blank to write the "
                    "study team's number by hand (add phone = \"...\" under [site])"))
    estimated = tuple(sorted({v.day.year for v in (*confirmed, *tbc)}
                             & (study.calendar.provisional_years if study.calendar else set())))
    unsettled = sp.outcome in (Outcome.AWAITING_DECISION, Outcome.ON_HOLD, Outcome.PROVISIONAL)
    return Handout(language=lang, title=wording.title(lang), site=site_name(study.config, lang),
                   phone=phone,
                   subject_id=subject_id, today=today, visits=tuple(confirmed),
                   to_be_confirmed=tuple(tbc), contraception_end=sp.contraception_end,
                   contraception_may_move=unsettled or bool(tbc),
                   protocol_id=f"{study.protocol.registry_id} / {study.protocol.protocol_id}",
                   version=wording.version, version_date=wording.version_date,
                   generated=generated, warnings=tuple(warnings),
                   holidays_estimated=estimated)
