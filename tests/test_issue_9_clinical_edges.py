"""Issue 9: the protocol's clinical edges, each a literal row (dates worked out by hand).

Subject "001" is first dosed on Monday 2026-03-02, so study day N is 2026-03-02 + (N - 1):
day 28 = Sun 03-29, day 29 = Mon 03-30, day 165 = Thu 08-13, the cap (day 168) = Sun 08-16,
day 169 = Mon 08-17. The follow-ups are EOT + 21, + 77 and + 161 days (last dose + 28 days,
12 weeks and 24 weeks, when the EOT is the last dose + 7).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import test_engine_rules as engine_rules
from cc312_schedule import (
    Decision,
    EventKind,
    EventStatus,
    Outcome,
    RecordedVisit,
    Subject,
    SubjectState,
    plan_subject,
)
from cc312_schedule.core.model import StudyPlan
from cc312_schedule.core.opendays import ShiftPreference, SiteCalendar
from cc312_schedule.core.protocol import Protocol, bundled_protocol_path, load_protocol_text
from cc312_schedule.core.warnings import (
    BeforeStudyStartWarning,
    CapBreachWarning,
    ClosedDayConflictWarning,
    DecisionClippedWarning,
    DecisionWithoutEffectWarning,
    MinimumIntervalWarning,
    RecordedVisitWarning,
    WindowDeviationWarning,
)
from cc312_schedule.reports.render import to_json, to_table
from test_engine_rules import (
    INDUCTION,
    SUBJECT,
    D,
    P,
    dec,
    dose_dates,
)

DAY1 = D("2026-03-02")
WEEKENDS = SiteCalendar()  # Saturday and Sunday closed, no holidays: dates stay hand-checkable


def rec(visit: str, status: str = "done", on: str | None = None) -> RecordedVisit:
    return engine_rules.rec(visit, status, on)


def warned(plan, category: type) -> list[tuple[str | None, str]]:  # type: ignore[no-untyped-def]
    return [(w.visit, w.message) for w in plan.warnings if w.category is category]


def day7_protocol() -> Protocol:
    """The CC312 template with the site's QW regimen dosing on day 7 of each week."""
    text = bundled_protocol_path().read_text(encoding="utf-8")
    old = 'label = "Once weekly (Day 1)"\ndays_in_week = [1]'
    assert old in text
    return load_protocol_text(text.replace(old, 'label = "Once weekly (Day 7)"\ndays_in_week = [7]'))


# ---- 1. the cap holds for planned dates ---------------------------------------------------

@pytest.mark.parametrize("prefer", [ShiftPreference.EARLIER, ShiftPreference.LATER],
                         ids=["prefer-earlier", "prefer-later"])
def test_day7_regimen_last_dose_on_a_closed_cap_day_is_never_planned_after_the_cap(
        prefer: ShiftPreference) -> None:
    # QW on day 7 from day 29: W5D7 = day 35 ... W24D7 = day 168 = Sunday 08-16 (the cap).
    # Its window (-1/+1: 08-15 … 08-17) is clipped at the cap to 08-15 … 08-16, a weekend:
    # no open day, so it stays on its target with a conflict, never on Monday 08-17.
    p = day7_protocol()
    plan = plan_subject(p, SUBJECT, [dec("2026-03-30", "continue", "QW")],
                        calendar=SiteCalendar(prefer=prefer))
    last = plan.event("W24D7")
    assert (last.target_date, last.planned_date) == (D("2026-08-16"), D("2026-08-16"))
    assert (last.window_start, last.window_end) == (D("2026-08-15"), D("2026-08-16"))
    assert plan.last_dose_date == D("2026-08-16") == plan.cap_date
    assert [v for v, _ in warned(plan, ClosedDayConflictWarning)][-1] == "W24D7"
    assert all(e.planned_date <= plan.cap_date and e.window_end <= plan.cap_date  # type: ignore[operator]
               for e in plan.doses)
    # W23D7 (Sunday 08-09, window 08-08 … 08-10) still moves to Monday 08-10, inside its window
    assert plan.event("W23D7").planned_date == D("2026-08-10")


def test_dose_window_is_clipped_at_the_cap() -> None:
    plan = plan_subject(day7_protocol(), SUBJECT, [dec("2026-03-30", "continue", "QW")])
    assert (plan.event("W24D7").window_start, plan.event("W24D7").window_end) == (
        D("2026-08-15"), D("2026-08-16"))
    assert (plan.event("W23D7").window_start, plan.event("W23D7").window_end) == (
        D("2026-08-08"), D("2026-08-10"))  # not clipped: it ends before the cap


CAP_BREACHES = [
    pytest.param(
        # W24D4 (target day 165, 08-13, window 08-12 … 08-14) given on day 169
        [dec("2026-03-30", "continue", "BIW")], [rec("W24D4", "done", "2026-08-17")],
        "W24D4", "given on 2026-08-17, after the cap date 2026-08-16",
        id="planned-dose-given-day-169"),
    pytest.param(
        # a dose the plan no longer has (stopped on day 50), recorded as given after the cap
        [dec("2026-03-30", "continue", "QW"), dec("2026-04-20", "stop", line=3)],
        [rec("W25D1", "done", "2026-08-17")],
        "W25D1", "given on 2026-08-17, after the cap date 2026-08-16",
        id="unplanned-dose-given-after-cap"),
]


@pytest.mark.parametrize(("decisions", "visits", "visit", "message"), CAP_BREACHES)
def test_dose_recorded_after_the_cap_is_a_cap_breach_and_stays_recorded(
        decisions: list[Decision], visits: list[RecordedVisit], visit: str, message: str) -> None:
    plan = plan_subject(P, SUBJECT, decisions, visits)
    [(v, text)] = warned(plan, CapBreachWarning)
    assert v == visit and message in text and "study day 168" in text
    e = plan.event(visit)
    assert (e.status, e.actual_date) == (EventStatus.DONE, D("2026-08-17"))  # kept as recorded
    assert warned(plan, WindowDeviationWarning) or warned(plan, RecordedVisitWarning)


def test_dose_given_on_the_cap_day_is_no_breach() -> None:
    p = day7_protocol()
    plan = plan_subject(p, SUBJECT, [dec("2026-03-30", "continue", "QW")],
                        [rec("W24D7", "done", "2026-08-16")])
    assert warned(plan, CapBreachWarning) == []


AFTER_CAP = [
    pytest.param(
        [dec("2026-03-30", "continue", "QW", weeks=4), dec("2026-08-17", "continue", "BIW", line=3)],
        "continue BIW on 2026-08-17 (decisions.csv:3)", id="continue-day-169"),
    pytest.param(
        [dec("2026-03-30", "continue", "QW"), dec("2026-04-08", "hold", line=3),
         dec("2026-08-20", "resume", line=4)],
        "resume on 2026-08-20 (decisions.csv:4)", id="resume-without-regimen-after-cap"),
    pytest.param(
        [dec("2026-03-30", "continue", "QW"), dec("2026-04-08", "hold", line=3),
         dec("2026-08-17", "resume", "Q2W", line=4)],
        "resume Q2W on 2026-08-17 (decisions.csv:4)", id="resume-with-regimen-day-169"),
]


@pytest.mark.parametrize(("decisions", "named"), AFTER_CAP)
def test_continue_or_resume_after_the_cap_has_no_effect_and_says_so(
        decisions: list[Decision], named: str) -> None:
    plan = plan_subject(P, SUBJECT, decisions)
    [(_, text)] = warned(plan, DecisionWithoutEffectWarning)
    assert named in text and "after the cap date 2026-08-16" in text and "no effect" in text
    assert all(e.date <= D("2026-08-16") for e in plan.doses)
    assert warned(plan, DecisionClippedWarning) == []


def test_continue_on_the_cap_day_is_not_after_the_cap() -> None:
    # dated day 168 itself: not "after the cap"; BIW has no dosing day left, so it plans nothing
    plan = plan_subject(P, SUBJECT, [dec("2026-03-30", "continue", "QW", weeks=4),
                                     dec("2026-08-16", "continue", "BIW", line=3)])
    [(_, text)] = warned(plan, DecisionWithoutEffectWarning)
    assert "plans no dose" in text


CAP_ENDS = [
    pytest.param(
        # BIW from day 29, hold on day 38 (04-08): last dose W6D1 04-06; never resumed
        # follow-ups from the last dose (issue 19): FU1 05-04 and FU2 06-29 fall before the EOT
        # (folded into it), FU3 = 04-06 + 168 = 09-21
        [dec("2026-03-30", "continue", "BIW"), dec("2026-04-08", "hold", line=3)],
        "2026-04-06", [("FU3", "2026-09-21")], id="on-hold-when-the-cap-passes"),
    pytest.param(
        # QW for 4 weeks (03-30 … 04-20), then awaiting a decision (REV-W8 on 04-26) forever
        # FU3 = 04-20 + 168 = 10-05; FU1 05-18 and FU2 07-13 are folded into the EOT
        [dec("2026-03-30", "continue", "QW", weeks=4)],
        "2026-04-20", [("FU3", "2026-10-05")], id="awaiting-decision-when-the-cap-passes"),
]


@pytest.mark.parametrize(("decisions", "last_dose", "fus"), CAP_ENDS)
def test_the_cap_ends_treatment_eot_as_for_a_stop_the_day_after_the_cap(
        decisions: list[Decision], last_dose: str, fus: list[tuple[str, str]]) -> None:
    plan = plan_subject(P, SUBJECT, decisions, today=D("2026-08-17"))  # day 169: the cap passed
    assert plan.outcome is Outcome.CAP_REACHED
    assert plan.last_dose_date == D(last_dose)
    eot = plan.event("EOT")
    assert eot.target_date == D("2026-08-17")  # the day after the cap, not last dose + 7
    assert [(e.visit, e.target_date.isoformat()) for e in plan.events
            if e.kind is EventKind.FOLLOW_UP] == fus
    assert plan.decision_due is None
    assert plan.state is SubjectState.IN_FOLLOW_UP


@pytest.mark.parametrize(("decisions", "last_dose", "fus"), CAP_ENDS)
def test_before_the_cap_passes_the_hold_or_the_pending_decision_stands(
        decisions: list[Decision], last_dose: str, fus: object) -> None:
    plan = plan_subject(P, SUBJECT, decisions, today=D("2026-08-16"))  # the cap day itself
    assert plan.outcome in (Outcome.ON_HOLD, Outcome.AWAITING_DECISION)
    assert [e for e in plan.events if e.kind is EventKind.EOT] == []


def test_long_hold_then_stop_follow_ups_never_before_the_eot() -> None:
    # induction, hold on day 26 (03-27), stop on day 120 (06-29): EOT = 06-29 (the stop); the
    # follow-ups are dated from the last dose 03-26 (issue 19): FU1 04-23 and FU2 06-18 fall
    # before the EOT and are done at it; FU3 = 03-26 + 168 = 09-10
    plan = plan_subject(P, SUBJECT, [dec("2026-03-27", "hold"), dec("2026-06-29", "stop", line=3)])
    eot = plan.event("EOT").target_date
    assert eot == D("2026-06-29")
    fus = [(e.visit, e.target_date.isoformat()) for e in plan.events if e.kind is EventKind.FOLLOW_UP]
    assert fus == [("FU3", "2026-09-10")]
    assert plan.contraception_end == D("2026-09-26")  # last dose 03-26 + 6 months


# ---- 2. doses given late or early ---------------------------------------------------------

INTERVALS = [
    pytest.param(
        # W2D1 (day 8) given on day 12 (03-13): W2D4, planned day 11 (03-12), is 1 day before it
        [rec("W2D1", "done", "2026-03-13")],
        [("W2D4", "planned on 2026-03-12, 1 day(s) before W2D1 was given on 2026-03-13")],
        id="late-dose-after-the-next-target"),
    pytest.param(
        # W2D1 given on day 13 (03-14): W2D4 (03-12) is 2 days before it: out of order
        [rec("W2D1", "done", "2026-03-14")],
        [("W2D4", "planned on 2026-03-12, on or before 2026-03-14 when the earlier dose W2D1 "
                  "was given")],
        id="planned-dose-on-or-before-an-earlier-dose-given-late"),
    pytest.param(
        # W1D4 given on day 7 (03-08): W2D1 (03-09) is 1 day after it
        [rec("W1D4", "done", "2026-03-08")],
        [("W2D1", "planned on 2026-03-09, 1 day(s) after W1D4 was given on 2026-03-08")],
        id="planned-dose-1-day-after-a-late-dose"),
    pytest.param(
        # W2D4 given early, on day 9 (03-10): W2D1 (03-09) is 1 day before it
        [rec("W2D4", "done", "2026-03-10")],
        [("W2D1", "planned on 2026-03-09, 1 day(s) before W2D4 was given on 2026-03-10")],
        id="planned-dose-1-day-before-an-early-dose"),
    pytest.param(
        # W1D4 given on day 6 (03-07): W2D1 (03-09) is exactly 2 days after: allowed
        [rec("W1D4", "done", "2026-03-07")], [], id="exactly-the-minimum-interval"),
]


@pytest.mark.parametrize(("visits", "expected"), INTERVALS)
def test_minimum_interval_against_any_dose_given(visits: list[RecordedVisit],
                                                 expected: list[tuple[str, str]]) -> None:
    plan = plan_subject(P, SUBJECT, visits=visits)
    got = warned(plan, MinimumIntervalWarning)
    assert [v for v, _ in got] == [v for v, _ in expected]
    for (_, text), (_, part) in zip(got, expected, strict=True):
        assert part in text


@pytest.mark.parametrize(
    ("first_dose", "warns"),
    [("2025-09-29", True), ("2025-09-30", False)],
    ids=["day-before-study-start", "on-study-start"])
def test_first_dose_before_the_study_start_date_warns(first_dose: str, warns: bool) -> None:
    s = Subject(subject_id="001", cohort="1", dose_level="DL1", first_dose_date=D(first_dose))
    got = warned(plan_subject(P, s), BeforeStudyStartWarning)
    assert bool(got) is warns
    if warns:
        assert got == [("W1D1", "first dose 2025-09-29 is before the study start date 2025-09-30")]


ASSUME_STARTS = [
    # no decision: QW from day 29 (03-30), unless today or the assessment is later
    pytest.param(None, [], "2026-03-30", id="no-today-from-day-29"),
    # today day 38 (04-08, W6D3): the first QW day on or after it is W7D1 = day 43 (04-13)
    pytest.param("2026-04-08", [], "2026-04-13", id="today-day-38"),
    # D28 done on day 31 (04-01): the first QW day on or after it is W6D1 = day 36 (04-06)
    pytest.param(None, [rec("D28", "done", "2026-04-01")], "2026-04-06", id="assessment-done-day-31"),
]


@pytest.mark.parametrize(("today", "visits", "first"), ASSUME_STARTS)
def test_assumed_regimen_never_starts_in_the_past(today: str | None, visits: list[RecordedVisit],
                                                  first: str) -> None:
    plan = plan_subject(P, SUBJECT, visits=visits, assume="QW",
                        today=D(today) if today else None)
    provisional = [e for e in plan.doses if e.status is EventStatus.PROVISIONAL]
    assert provisional[0].target_date == D(first)


# ---- 3. withdrawn subjects -------------------------------------------------------------

def test_withdrawal_summary_agrees_with_the_rows_that_remain() -> None:
    # first dose Thursday 03-05: W1D4 (day 4) is Sunday 03-08, window 03-08 … 03-09; Monday
    # 03-09 is the withdrawal date, so it is not moved there (issue 19): it stays due on the
    # closed Sunday, before the withdrawal, with a conflict, to be recorded done or missed
    s = Subject(subject_id="001", cohort="1", dose_level="DL1", first_dose_date=D("2026-03-05"),
                withdrawn_on=D("2026-03-09"))
    plan = plan_subject(P, s, visits=[rec("W1D1", "done", "2026-03-05")], calendar=WEEKENDS)
    assert [(e.visit, e.planned_date.isoformat()) for e in plan.events] == [
        ("W1D1", "2026-03-05"), ("W1D4", "2026-03-08")]
    assert [w.category for w in plan.warnings] == [ClosedDayConflictWarning]
    assert plan.last_dose_date == D("2026-03-08")
    assert plan.contraception_end == D("2026-09-08")
    assert plan.decision_due is None and plan.decision_due_visit is None


def test_withdrawn_after_the_assessment_has_no_decision_due() -> None:
    s = Subject(subject_id="001", cohort="1", dose_level="DL1", first_dose_date=DAY1,
                withdrawn_on=D("2026-03-31"))
    plan = plan_subject(P, s, visits=[rec("D28", "done", "2026-03-29")])
    assert plan.decision_due is None
    assert plan.last_dose_date == D("2026-03-26")


# ---- 4. provisional is never shown as confirmed ----------------------------------------------

def test_assumed_values_are_kept_apart_from_the_confirmed_summary() -> None:
    plan = plan_subject(P, SUBJECT, assume="QW")
    # confirmed: the induction only (last dose W4D4, 03-26)
    assert plan.last_dose_date == D("2026-03-26")
    assert plan.contraception_end == D("2026-09-26")
    v = plan.provisional
    assert v is not None
    assert (v.regimen, v.doses_planned) == ("QW", 20)  # W5D1 … W24D1
    assert v.last_dose_date == D("2026-08-10")  # W24D1, day 162
    assert v.eot_date == D("2026-08-17")  # + 7
    assert v.follow_up_end == D("2027-01-25")  # + 24 weeks
    assert v.contraception_end == D("2027-02-10")  # + 6 calendar months


def test_json_and_table_show_provisional_values_apart() -> None:
    plan = StudyPlan(study_name="s", subjects=(plan_subject(P, SUBJECT, assume="QW"),),
                     assume="QW")
    [subject] = json.loads(to_json(plan))["subjects"]
    assert subject["contraception_end"] == "2026-09-26"
    assert subject["doses_planned"] == 8  # the confirmed plan: the induction, nothing assumed
    assert subject["provisional"] == {
        "regimen": "QW", "doses_planned": 20, "last_dose_date": "2026-08-10",
        "eot": "2026-08-17", "follow_up_end": "2027-01-25", "contraception_end": "2027-02-10"}
    table = to_table(plan)
    assert "contraception until 2026-09-26" in table
    assert ("provisional (under --assume QW, not a decision): 20 more doses, last 2026-08-10; "
            "EOT 2026-08-17; follow-up until 2027-01-25; contraception until 2027-02-10") in table
    confirmed = StudyPlan(study_name="s", subjects=(plan_subject(P, SUBJECT),))
    assert json.loads(to_json(confirmed))["subjects"][0]["provisional"] is None


# ---- 5. the dates a user sees are the dates the site plans --------------------------------

def test_decision_due_is_the_planned_date_of_the_assessment() -> None:
    # D28 target: Sunday 03-29; Saturday is closed too, Monday 03-30 is the nearest open day
    plan = plan_subject(P, SUBJECT, calendar=WEEKENDS)
    assert plan.event("D28").planned_date == D("2026-03-30")
    assert (plan.decision_due, plan.decision_due_visit) == (D("2026-03-30"), "D28")


def test_decision_due_is_the_planned_date_of_the_review() -> None:
    # QW for 4 weeks from day 29: REV-W8 on Sunday 04-26 (window 04-23 … 04-29) -> Monday 04-27
    plan = plan_subject(P, SUBJECT, [dec("2026-03-30", "continue", "QW", weeks=4)],
                        calendar=WEEKENDS)
    assert (plan.decision_due, plan.decision_due_visit) == (D("2026-04-27"), "REV-W8")


# ---- 7. rules that had no test --------------------------------------------------------------

@pytest.mark.parametrize(
    ("stop_on", "visits", "keeps"),
    [("2026-03-27", [], False), ("2026-03-26", [], False),
     ("2026-03-27", [rec("D28", "done", "2026-03-27")], True)],
    ids=["stop-on-day-26-drops-D28-dated-after-it", "stop-on-day-25-drops-D28",
         "stop-on-day-26-D28-done-that-day-is-kept"])
def test_stop_on_the_day_the_assessment_window_opens_keeps_it(
        stop_on: str, visits: list[RecordedVisit], keeps: bool) -> None:
    # issue 19: an assessment or review still to come after a stop is gone; one recorded as
    # done (the visit at which the stop was decided) stays part of the plan
    plan = plan_subject(P, SUBJECT, [dec(stop_on, "stop")], visits)
    assert any(e.visit == "D28" and not e.unplanned for e in plan.events) is keeps


def test_visit_on_the_completion_date_is_not_flagged_the_day_after_is() -> None:
    s = Subject(subject_id="001", cohort="1", dose_level="DL1", first_dose_date=D("2027-09-29"))
    plan = plan_subject(P, s)
    assert plan.event("W1D1").after_completion is False  # 2027-09-29, the completion date
    assert plan.event("W1D4").after_completion is True  # 2027-10-02


@pytest.mark.parametrize(
    ("today", "status"),
    [("2026-03-06", EventStatus.PLANNED), ("2026-03-07", EventStatus.OVERDUE)],
    ids=["window-ends-today", "window-ended-yesterday"])
def test_overdue_only_once_the_window_has_ended(today: str, status: EventStatus) -> None:
    # W1D4: target 03-05, window 03-05 … 03-06
    plan = plan_subject(P, SUBJECT, visits=[rec("W1D1", "done", "2026-03-02")], today=D(today))
    assert plan.event("W1D4").status is status


def test_no_review_on_the_cap_day() -> None:
    # BIW from day 29 to the cap: reviews every 4 weeks from day 28: days 56, 84, 112, 140;
    # day 168 (the cap, 08-16) has none
    plan = plan_subject(P, SUBJECT, [dec("2026-03-30", "continue", "BIW")])
    assert [(e.visit, e.target_date.isoformat()) for e in plan.events
            if e.kind is EventKind.REVIEW] == [
        ("REV-W8", "2026-04-26"), ("REV-W12", "2026-05-24"), ("REV-W16", "2026-06-21"),
        ("REV-W20", "2026-07-19")]


@pytest.mark.parametrize(
    ("decision", "clipped"),
    [
        (dec("2026-03-30", "continue", "BIW", until="2026-08-16"), False),
        (dec("2026-03-30", "continue", "BIW", until="2026-08-17"), True),
        (dec("2026-03-30", "continue", "QW", weeks=20), False),  # weeks 5..24: ends day 168
        (dec("2026-03-30", "continue", "QW", weeks=21), True),  # ends day 175
    ],
    ids=["until-cap-day", "until-day-169", "20-weeks-to-cap-day", "21-weeks-past-cap"])
def test_decision_ending_exactly_on_the_cap_is_not_clipped(decision: Decision,
                                                          clipped: bool) -> None:
    plan = plan_subject(P, SUBJECT, [decision])
    assert bool(warned(plan, DecisionClippedWarning)) is clipped


def test_hold_resume_hold() -> None:
    # BIW from day 29; hold day 38 (04-08); resume day 50 (04-20); hold again day 64 (05-04)
    plan = plan_subject(P, SUBJECT, [dec("2026-03-30", "continue", "BIW"),
                                     dec("2026-04-08", "hold", line=3),
                                     dec("2026-04-20", "resume", line=4),
                                     dec("2026-05-04", "hold", line=5)], today=D("2026-05-10"))
    assert dose_dates(plan) == [*INDUCTION, "2026-03-30", "2026-04-02", "2026-04-06",
                           "2026-04-20", "2026-04-23", "2026-04-27", "2026-04-30"]
    assert plan.outcome is Outcome.ON_HOLD
    assert plan.state is SubjectState.ON_HOLD


# ---- 6. published subjects never vanish silently ----------------------------------------

def _run(*args: str) -> tuple[int, str, str]:
    import io

    from cc312_schedule.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _strip_leading_zeros_of_001(study: Path) -> None:
    """What a spreadsheet does to subjects.csv: 001 saved as 1 (its other rows go too here, so
    that only the id changes)."""
    for name in ("decisions.csv", "visits.csv"):
        lines = (study / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (study / name).write_text("".join(x for x in lines if not x.startswith("001,")),
                                  encoding="utf-8")
    subjects = (study / "subjects.csv").read_text(encoding="utf-8")
    (study / "subjects.csv").write_text(subjects.replace("\n001,", "\n1,"), encoding="utf-8")


def test_published_subject_missing_from_subjects_csv_is_refused(example_copy: Path,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "ics"
    stamp = "2026-11-25T08:00:00Z"
    assert _run("ics", str(example_copy), "-o", str(out), "--generated-at", stamp)[0] == 0
    state = (example_copy / ".cc312-ics-state.json").read_bytes()
    before = sorted(p.name for p in out.iterdir())
    _strip_leading_zeros_of_001(example_copy)
    for args in (["check", str(example_copy)],
                 ["ics", str(example_copy), "-o", str(out), "--generated-at", stamp],
                 ["ics", str(example_copy), "-o", "-", "--generated-at", stamp]):
        code, stdout, err = _run(*args)
        assert code == 2, args
        assert "subjects.csv: subject_id: subject 001 has published calendars but is missing" in err
        assert "subjects.csv has '1': a spreadsheet program may have stripped the leading zeros" in err
        assert "Traceback" not in err and stdout == ""
    assert (example_copy / ".cc312-ics-state.json").read_bytes() == state  # nothing changed
    assert sorted(p.name for p in out.iterdir()) == before


def test_retiring_a_subject_cancels_every_event_of_its_own_calendar(example_copy: Path,
                                                                   tmp_path: Path) -> None:
    import icalendar

    out = tmp_path / "ics"
    stamp = "2026-11-25T08:00:00Z"
    assert _run("ics", str(example_copy), "-o", str(out), "--generated-at", stamp)[0] == 0
    published = icalendar.Calendar.from_ical((out / "subject-001.ics").read_bytes()).walk("VEVENT")
    _strip_leading_zeros_of_001(example_copy)
    code, _, err = _run("ics", str(example_copy), "-o", str(out), "--generated-at",
                        "2026-11-26T08:00:00Z", "--retire", "001")
    assert code == 0, err
    events = icalendar.Calendar.from_ical((out / "subject-001.ics").read_bytes()).walk("VEVENT")
    assert {str(e["UID"]) for e in events} == {str(e["UID"]) for e in published}
    assert {str(e["STATUS"]) for e in events} == {"CANCELLED"}
    assert all(int(e["SEQUENCE"]) == int(p["SEQUENCE"]) + 1
               for e, p in zip(sorted(events, key=lambda e: str(e["UID"])),
                               sorted(published, key=lambda e: str(e["UID"])), strict=True))
    assert (out / "subject-1.ics").exists()
    # retired: later runs need no option, and check is satisfied
    assert _run("check", str(example_copy))[0] == 0
    assert _run("ics", str(example_copy), "-o", str(out), "--generated-at", stamp)[0] == 0


@pytest.mark.parametrize(("retire", "message"), [
    ("002", "--retire: subject is still in subjects.csv: '002'"),
    ("999", "--retire: no calendar of this subject was ever published: '999'"),
], ids=["still-present", "never-published"])
def test_retire_refuses_a_subject_it_cannot_retire(example_copy: Path, tmp_path: Path,
                                                   retire: str, message: str) -> None:
    code, _, err = _run("ics", str(example_copy), "-o", str(tmp_path / "ics"), "--generated-at",
                        "2026-11-25T08:00:00Z", "--retire", retire)
    assert code == 2 and message in err
    assert not (tmp_path / "ics").exists() or not list((tmp_path / "ics").iterdir())


# ---- the rules in the outputs: workbook, check, plan table ---------------------------------

def test_workbook_overview_marks_values_derived_from_assumed_doses(example_copy: Path) -> None:
    import io
    from datetime import UTC, datetime

    import openpyxl

    from cc312_schedule import load_study, plan_study
    from cc312_schedule.reports.xlsx import to_xlsx

    study = load_study(example_copy)
    plan = plan_study(study, assume="QW", today=D("2026-11-25"))
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx(study, plan, generated_at=datetime(
        2026, 11, 25, 8, tzinfo=UTC))))
    ws = wb["Overview"]
    head = {c.value: c.column for c in ws[2]}
    row = next(r for r in ws.iter_rows(min_row=3) if r[0].value == "006")
    for col in ("EOT", "End of follow-up", "Contraception end"):
        cell = row[head[col] - 1]
        assert cell.number_format.endswith('" (provisional)"'), col
        assert cell.fill.fgColor.rgb.endswith("E0E0E0"), col
    # 006: EOT = W24D1 (planned Tue 2027-04-06, Tomb-Sweeping Day moved it) + 7 = 2027-04-13
    assert row[head["EOT"] - 1].value == datetime(2027, 4, 13)
    assert row[head["Doses to come"] - 1].value == 0  # the assumed ones are not confirmed
    # 005 is on hold: nothing assumed, nothing marked
    row5 = next(r for r in ws.iter_rows(min_row=3) if r[0].value == "005")
    assert not row5[head["Contraception end"] - 1].number_format.endswith('(provisional)"')


def test_check_and_plan_show_the_cap_ending_a_hold(make_study: object) -> None:
    # 001: BIW from day 29, held on day 38 and never resumed; today is after the cap (08-16)
    study = make_study(  # type: ignore[operator]
        study='name = "Cap study"\n[calendar]\nenabled = false\n',
        decisions="001,2026-03-30,continue,BIW,,,Dr. A,\n001,2026-04-08,hold,,,,Dr. A,\n")
    code, out, err = _run("plan", str(study), "--today", "2026-08-20")
    assert code == 0, err
    assert "treatment ended at the cap" in out
    assert any(line.split()[:4] == ["EOT", "eot", "169", "2026-08-17"] for line in out.splitlines())
    code, out, err = _run("plan", str(study), "--today", "2026-08-20", "--format", "csv")
    rows = [r.split(",") for r in out.splitlines()]
    # follow-ups from the last dose W6D1 04-06 (issue 19): FU1 05-04 and FU2 06-29 are done at
    # the EOT; FU3 = 04-06 + 168 = 09-21
    assert [(r[1], r[5]) for r in rows if r[1] in ("EOT", "FU1", "FU2", "FU3")] == [
        ("EOT", "2026-08-17"), ("FU3", "2026-09-21")]


def test_one_event_order_balancing_moves_nothing_keeps_the_order() -> None:
    # stopped on day 33 (04-03): last dose W5D1 03-30 + 7 = EOT 04-06, and a review dated the
    # same day would sort by kind; capacity balancing that moves nothing must keep every order
    from cc312_schedule import Study, StudyConfig, plan_study

    s2 = Subject(subject_id="002", cohort="1", dose_level="DL1", first_dose_date=DAY1)
    study = Study(config=StudyConfig(name="s"), protocol=P, subjects=(SUBJECT, s2),
                  decisions=(dec("2026-03-30", "continue", "QW", weeks=4),),
                  calendar=SiteCalendar(weekend=(), max_dosing_per_day=10))
    plain = plan_study(study)
    balanced = plan_study(study, balance=True)
    assert [[e.visit for e in p.events] for p in balanced] == [[e.visit for e in p.events]
                                                                for p in plain]
    # on one day the assessment comes before the dose it may call for
    same_day = plan_subject(P, SUBJECT, [dec("2026-03-29", "continue", "QW")],
                            [rec("D28", "done", "2026-03-30"), rec("W5D1", "done", "2026-03-30")])
    names = [e.visit for e in same_day.events]
    assert names.index("D28") == names.index("W5D1") - 1


def test_engine_bounds_what_a_library_caller_gives() -> None:
    # a million weeks is clipped at the cap like any decision past it (no date overflow)
    plan = plan_subject(P, SUBJECT, [dec("2026-03-30", "continue", "QW", weeks=1_000_000)])
    assert plan.doses[-1].visit == "W24D1"
    assert [v for v, _ in warned(plan, DecisionClippedWarning)] == [None]
    # a first dose whose plan cannot fit the calendar is refused, naming it
    from cc312_schedule.core.errors import UsageError

    with pytest.raises(UsageError, match="first_dose_date: first dose date out of range: '9999-03-02'"):
        plan_subject(P, Subject(subject_id="001", cohort="1", dose_level="DL1",
                                first_dose_date=D("9999-03-02")))


def test_calendars_show_the_eot_the_cap_called_for_without_today(tmp_path: Path) -> None:
    # E04 of the edge study: BIW from day 29, held on day 38 and never resumed; the cap
    # (2026-08-16) has passed by the site's today (this test runs after 2026-11-30), so the
    # calendars carry EOT on 2026-08-17 and the follow-ups even though `ics` marks nothing overdue
    import shutil

    import icalendar

    study = Path(shutil.copytree(Path(__file__).parent / "studies" / "issue-9-edges",
                                 tmp_path / "edges"))
    code, _, err = _run("ics", str(study), "-o", str(tmp_path / "ics"), "--subject", "E04",
                        "--generated-at", "2026-12-01T00:00:00Z")
    assert code == 0, err
    cal = icalendar.Calendar.from_ical((tmp_path / "ics" / "subject-E04.ics").read_bytes())
    starts = {_visit_of(e): e.decoded("DTSTART")
              for e in cal.walk("VEVENT")}
    assert starts["EOT"].date() == D("2026-08-17")
    # follow-ups from the last dose W6D1 04-06 (issue 19): FU1 and FU2 are done at the EOT
    assert "FU1" not in starts and starts["FU3"].date() == D("2026-09-21")


def _visit_of(event: object) -> str:
    for line in str(event["DESCRIPTION"]).splitlines():  # type: ignore[index]
        if line.startswith("Visit: "):
            return line.removeprefix("Visit: ")
    raise AssertionError("no visit line")


def test_assumed_doses_never_before_the_day_judged_by_even_without_today() -> None:
    # calendars plan with today=None but as_of = the site's today: QW from 12-01 (day 31 of a
    # subject first dosed 11-01) starts on W6D1 = day 36 (12-06), not on day 29 in the past
    s = Subject(subject_id="001", cohort="1", dose_level="DL1", first_dose_date=D("2026-11-01"))
    plan = plan_subject(P, s, assume="QW", as_of=D("2026-12-01"))
    first = next(e for e in plan.doses if e.status is EventStatus.PROVISIONAL)
    assert (first.visit, first.target_date, first.dose_number) == ("W6D1", D("2026-12-06"), 9)


@pytest.mark.parametrize(("actual", "warns"), [("2026-03-06", False), ("2026-03-07", True)],
                         ids=["done-today", "done-tomorrow"])
def test_a_visit_recorded_as_done_after_today_is_flagged(actual: str, warns: bool) -> None:
    plan = plan_subject(P, SUBJECT, visits=[rec("W1D4", "done", actual)], today=D("2026-03-06"))
    got = warned(plan, RecordedVisitWarning)
    assert bool(got) is warns
    if warns:
        assert got == [("W1D4", "recorded as done on 2026-03-07, after today (2026-03-06): check the date")]
