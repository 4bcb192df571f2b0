"""Each engine rule as a table: inputs and the dates expected, written out by hand.

Subject "001" is first dosed on Monday 2026-03-02, so study day N is 2026-03-02 + (N - 1):
day 25 = 03-26, day 28 = 03-29, day 29 = 03-30, day 56 = 04-26, day 168 (the cap) = 08-16.
"""

from __future__ import annotations

from datetime import date

import pytest

from cc312_schedule import (
    Action,
    Decision,
    EventKind,
    EventStatus,
    InvalidStudyError,
    Outcome,
    RecordedVisit,
    RecordStatus,
    Subject,
    SubjectState,
    load_protocol,
    plan_subject,
)
from cc312_schedule.core.warnings import (
    AfterStudyCompletionWarning,
    AgeEligibilityWarning,
    DecisionClippedWarning,
    MinimumIntervalWarning,
    WindowDeviationWarning,
)
from cc312_schedule.store.study import SourceRef

P = load_protocol()
D = date.fromisoformat
SUBJECT = Subject(subject_id="001", cohort="1", dose_level="DL1", first_dose_date=D("2026-03-02"))
INDUCTION = ["2026-03-02", "2026-03-05", "2026-03-09", "2026-03-12",
             "2026-03-16", "2026-03-19", "2026-03-23", "2026-03-26"]


def dec(on: str, action: str, regimen: str | None = None, *, weeks: int | None = None,
        until: str | None = None, line: int = 2) -> Decision:
    return Decision(subject_id="001", decided_on=D(on), action=Action(action), regimen=regimen,
                    weeks=weeks, until=D(until) if until else None, investigator="Dr. A",
                    source=SourceRef(path="decisions.csv", line=line))


def rec(visit: str, status: str, on: str | None = None) -> RecordedVisit:
    return RecordedVisit(subject_id="001", visit=visit, status=RecordStatus(status),
                         actual_date=D(on) if on else None)


def dose_dates(plan) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.date.isoformat() for e in plan.doses if e.status is not EventStatus.MISSED]


def visit_dates(plan, kind: EventKind) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(e.visit, e.target_date.isoformat()) for e in plan.events if e.kind is kind]


# ---- decisions -> doses ------------------------------------------------------------------

DECISION_CASES = [
    pytest.param([], INDUCTION, Outcome.AWAITING_DECISION, id="no-decision-induction-only"),
    pytest.param(
        [dec("2026-03-30", "continue", "QW", weeks=4)],
        [*INDUCTION, "2026-03-30", "2026-04-06", "2026-04-13", "2026-04-20"],
        Outcome.AWAITING_DECISION, id="QW-4-weeks-then-awaiting"),
    pytest.param(
        # decided on day 30 (a Tuesday): the first Q2W day on or after it is W6D1 = day 36;
        # the every-2-weeks phase starts in week 6: days 36, 50, ..., 162
        [dec("2026-03-31", "continue", "Q2W")],
        [*INDUCTION, "2026-04-06", "2026-04-20", "2026-05-04", "2026-05-18", "2026-06-01",
         "2026-06-15", "2026-06-29", "2026-07-13", "2026-07-27", "2026-08-10"],
        Outcome.TO_CAP, id="Q2W-phase-from-first-dose-week"),
    pytest.param(
        # 30 weeks asked; the cap (day 168 = 08-16) keeps weeks 5, 9, 13, 17, 21 only
        [dec("2026-03-30", "continue", "Q4W", weeks=30)],
        [*INDUCTION, "2026-03-30", "2026-04-27", "2026-05-25", "2026-06-22", "2026-07-20"],
        Outcome.TO_CAP, id="Q4W-clipped-at-cap"),
    pytest.param(
        # until = day 45 (04-15): BIW days 29, 32, 36, 39, 43; day 46 is after until
        [dec("2026-03-30", "continue", "BIW", until="2026-04-15")],
        [*INDUCTION, "2026-03-30", "2026-04-02", "2026-04-06", "2026-04-09", "2026-04-13"],
        Outcome.AWAITING_DECISION, id="BIW-until"),
    pytest.param(
        # decided day 31 (W5D3): QW starts W6D1 = day 36; 2 weeks = weeks 6-7
        [dec("2026-04-01", "continue", "QW", weeks=2)],
        [*INDUCTION, "2026-04-06", "2026-04-13"],
        Outcome.AWAITING_DECISION, id="QW-weeks-count-from-first-dose-week"),
    pytest.param(
        # "After Day 28": a continue on day 28 itself (03-29, a Sunday) is allowed
        [dec("2026-03-29", "continue", "QW", weeks=1)],
        [*INDUCTION, "2026-03-30"],
        Outcome.AWAITING_DECISION, id="continue-on-day-28"),
    pytest.param(
        # stop on day 16: days 18, 22, 25 removed
        [dec("2026-03-17", "stop")],
        INDUCTION[:5], Outcome.STOPPED, id="stop-during-induction"),
    pytest.param(
        # hold day 9 .. resume day 17: days 11, 15 removed; induction restored from day 18
        [dec("2026-03-10", "hold"), dec("2026-03-18", "resume", line=3)],
        [*INDUCTION[:3], *INDUCTION[5:]], Outcome.AWAITING_DECISION, id="hold-resume-induction"),
    pytest.param(
        [dec("2026-03-10", "hold")],
        INDUCTION[:3], Outcome.ON_HOLD, id="hold-without-resume"),
    pytest.param(
        # QW weeks 5..; hold day 38 removes days 43, 50; resume day 52 (W8D3) restores QW from W9
        [dec("2026-03-30", "continue", "QW", weeks=6), dec("2026-04-08", "hold", line=3),
         dec("2026-04-23", "resume", line=4)],
        [*INDUCTION, "2026-03-30", "2026-04-06", "2026-04-27", "2026-05-04"],
        Outcome.AWAITING_DECISION, id="hold-resume-restores-regimen-same-end"),
    pytest.param(
        # resume naming Q4W on day 45 (W7D3): first dose W8D1 = day 50; phase weeks 8,12,...,24
        [dec("2026-03-30", "continue", "BIW", weeks=1), dec("2026-04-08", "hold", line=3),
         dec("2026-04-15", "resume", "Q4W", line=4)],
        [*INDUCTION, "2026-03-30", "2026-04-02", "2026-04-20", "2026-05-18", "2026-06-15",
         "2026-07-13", "2026-08-10"],
        Outcome.TO_CAP, id="resume-with-new-regimen"),
    pytest.param(
        # a later continue supersedes from its date: BIW to the cap replaced by QW from day 43
        [dec("2026-03-30", "continue", "BIW"), dec("2026-04-13", "continue", "QW", weeks=2, line=3)],
        [*INDUCTION, "2026-03-30", "2026-04-02", "2026-04-06", "2026-04-09", "2026-04-13",
         "2026-04-20"],
        Outcome.AWAITING_DECISION, id="later-decision-supersedes"),
]


@pytest.mark.parametrize(("decisions", "expected", "outcome"), DECISION_CASES)
def test_decisions_to_dose_dates(decisions: list[Decision], expected: list[str],
                                 outcome: Outcome) -> None:
    plan = plan_subject(P, SUBJECT, decisions)
    assert dose_dates(plan) == expected
    assert plan.outcome is outcome


def test_biw_to_cap_counts_48_doses_last_on_day_165() -> None:
    plan = plan_subject(P, SUBJECT, [dec("2026-03-30", "continue", "BIW")])
    assert len(plan.doses) == 48  # 8 induction + 20 weeks x 2
    assert plan.doses[-1].visit == "W24D4"
    assert plan.last_dose_date == D("2026-08-13")  # day 165
    assert plan.cap_date == D("2026-08-16")  # day 168


def test_dose_visit_names_and_numbers() -> None:
    plan = plan_subject(P, SUBJECT, [dec("2026-03-31", "continue", "Q2W")])
    assert [(e.dose_number, e.visit, e.regimen) for e in plan.doses[7:10]] == [
        (8, "W4D4", "BIW"), (9, "W6D1", "Q2W"), (10, "W8D1", "Q2W")]


def test_q2w_reviews_eot_follow_up_and_contraception() -> None:
    plan = plan_subject(P, SUBJECT, [dec("2026-03-31", "continue", "Q2W")])
    # reviews every 4 weeks from the start of week 6 (day 35): days 63, 91, 119, 147
    assert visit_dates(plan, EventKind.REVIEW) == [
        ("REV-W9", "2026-05-03"), ("REV-W13", "2026-05-31"), ("REV-W17", "2026-06-28"),
        ("REV-W21", "2026-07-26")]
    assert visit_dates(plan, EventKind.EOT) == [("EOT", "2026-08-17")]  # last dose 08-10 + 7
    assert visit_dates(plan, EventKind.FOLLOW_UP) == [
        ("FU1", "2026-09-07"), ("FU2", "2026-11-02"), ("FU3", "2027-01-25")]
    assert plan.contraception_end == D("2027-02-10")  # 08-10 + 6 calendar months


def test_contraception_end_clamps_month_end() -> None:
    # last dose 2026-08-31 + 6 calendar months = 2027-02-28 (no 31 February)
    s = Subject(subject_id="001", cohort="1", dose_level="DL1", first_dose_date=D("2026-08-27"))
    plan = plan_subject(P, s, [Decision(subject_id="001", decided_on=D("2026-08-28"),
                                        action=Action.STOP, investigator="Dr. A")],
                        [RecordedVisit(subject_id="001", visit="W1D4", status=RecordStatus.DONE,
                                       actual_date=D("2026-08-31"))])
    assert plan.last_dose_date == D("2026-08-31")
    assert plan.contraception_end == D("2027-02-28")


def test_awaiting_decision_after_weeks_has_decision_due_review() -> None:
    plan = plan_subject(P, SUBJECT, [dec("2026-03-30", "continue", "QW", weeks=4)])
    assert visit_dates(plan, EventKind.REVIEW) == [("REV-W8", "2026-04-26")]
    assert plan.decision_due == D("2026-04-26")
    assert visit_dates(plan, EventKind.EOT) == []


def test_until_period_gets_a_decision_due_review_on_its_last_day() -> None:
    plan = plan_subject(P, SUBJECT, [dec("2026-03-30", "continue", "BIW", until="2026-04-15")])
    assert visit_dates(plan, EventKind.REVIEW) == [("REV-W7", "2026-04-15")]


def test_stop_plans_eot_and_follow_up_and_drops_assessment() -> None:
    plan = plan_subject(P, SUBJECT, [dec("2026-03-17", "stop")])
    assert visit_dates(plan, EventKind.ASSESSMENT) == []  # its window opens on 03-27
    assert visit_dates(plan, EventKind.EOT) == [("EOT", "2026-03-23")]  # last dose 03-16 + 7
    assert visit_dates(plan, EventKind.FOLLOW_UP)[0] == ("FU1", "2026-04-13")


def test_eot_is_never_before_the_stop_decision() -> None:
    # awaiting since day 28; stopped on day 60 (05-01): last dose 03-26 + 7 = 04-02 < 05-01
    plan = plan_subject(P, SUBJECT, [dec("2026-05-01", "stop")])
    assert visit_dates(plan, EventKind.EOT) == [("EOT", "2026-05-01")]
    # the follow-ups are dated from the last dose (issue 19): FU1 = 03-26 + 28 = 04-23 falls
    # before the EOT, so it is folded into the EOT (its reason says so); FU2 = 03-26 + 84,
    # FU3 = 03-26 + 168
    assert visit_dates(plan, EventKind.FOLLOW_UP) == [
        ("FU2", "2026-06-18"), ("FU3", "2026-09-10")]
    assert "FU1" in plan.event("EOT").reason and "2026-04-23" in plan.event("EOT").reason
    assert plan.contraception_end == D("2026-09-26")  # still from the last dose 03-26


def test_clipped_decision_warns_naming_it() -> None:
    plan = plan_subject(P, SUBJECT, [dec("2026-03-30", "continue", "Q4W", weeks=30, line=7)])
    [w] = [w for w in plan.warnings if w.category is DecisionClippedWarning]
    assert "decisions.csv:7" in w.message and "2026-08-16" in w.message


def test_cap_is_absolute_and_holds_do_not_extend_it() -> None:
    plan = plan_subject(P, SUBJECT, [dec("2026-03-30", "continue", "BIW"),
                                     dec("2026-04-08", "hold", line=3),
                                     dec("2026-06-01", "resume", line=4)])
    assert plan.doses[-1].target_date == D("2026-08-13")  # W24D4, still day 165
    assert all(e.study_day.value <= 168 for e in plan.doses)


def test_assume_plans_provisional_to_cap() -> None:
    plan = plan_subject(P, SUBJECT, assume="QW")
    provisional = [e for e in plan.doses if e.status is EventStatus.PROVISIONAL]
    assert len(provisional) == 20  # weeks 5..24
    assert provisional[0].target_date == D("2026-03-30")
    assert provisional[-1].target_date == D("2026-08-10")  # W24D1
    assert plan.outcome is Outcome.PROVISIONAL
    assert plan.event("EOT").status is EventStatus.PROVISIONAL
    assert plan.event("D28").status is EventStatus.PLANNED  # the assessment itself is real
    assert all(e.status is EventStatus.PLANNED for e in plan.doses[:8])


def test_assume_does_not_touch_decided_subjects() -> None:
    decided = plan_subject(P, SUBJECT, [dec("2026-03-30", "continue", "BIW")])
    assert plan_subject(P, SUBJECT, [dec("2026-03-30", "continue", "BIW")],
                        assume="Q4W").events == decided.events


# ---- decisions that cannot be applied ----------------------------------------------------

BAD_DECISIONS = [
    pytest.param([dec("2026-03-20", "continue", "QW")], "before study day 28 (2026-03-29)",
                 id="regimen-before-day28-window"),
    # the D28 window opens on day 26 (03-27), but the record says "After Day 28"
    pytest.param([dec("2026-03-27", "continue", "QW")], "before study day 28 (2026-03-29)",
                 id="regimen-on-day-26-inside-window"),
    pytest.param([dec("2026-03-28", "continue", "QW")], "before study day 28 (2026-03-29)",
                 id="regimen-on-day-27-inside-window"),
    pytest.param([dec("2026-03-10", "hold"), dec("2026-03-28", "resume", "QW", line=3)],
                 "before study day 28 (2026-03-29)", id="resume-with-regimen-on-day-27"),
    pytest.param([dec("2026-03-30", "resume")], "resume without a hold", id="resume-without-hold"),
    pytest.param([dec("2026-03-17", "stop"), dec("2026-03-30", "continue", "QW", line=3)],
                 "nothing may follow a stop", id="continue-after-stop"),
    pytest.param([dec("2026-03-10", "hold"), dec("2026-03-30", "continue", "QW", line=3)],
                 "use resume", id="continue-during-hold"),
    pytest.param([dec("2026-03-10", "hold"), dec("2026-03-12", "hold", line=3)],
                 "already on hold", id="hold-twice"),
    pytest.param([dec("2026-03-30", "continue", "QW"), dec("2026-03-30", "stop", line=3)],
                 "same day", id="two-decisions-one-day"),
    pytest.param([dec("2026-03-01", "hold")], "before the first dose", id="before-first-dose"),
    pytest.param([dec("2026-03-30", "continue", "Q3W")], "not a regimen", id="unknown-regimen"),
]


@pytest.mark.parametrize(("decisions", "message"), BAD_DECISIONS)
def test_bad_decisions_are_refused_with_location(decisions: list[Decision], message: str) -> None:
    with pytest.raises(InvalidStudyError) as info:
        plan_subject(P, SUBJECT, decisions)
    assert message in str(info.value)
    assert "decisions.csv:" in str(info.value)


# ---- recorded visits -----------------------------------------------------------------------


def test_late_dose_keeps_later_targets_and_warns_on_interval() -> None:
    # W2D1 (target 03-09, window 03-09..03-10) given 03-11: deviation; W2D4 stays on 03-12,
    # one day after the actual dose: closer than the 2-day minimum interval
    plan = plan_subject(P, SUBJECT, visits=[rec("W1D1", "done", "2026-03-02"),
                                            rec("W2D1", "done", "2026-03-11")])
    assert plan.event("W2D1").deviation
    assert plan.event("W2D4").planned_date == D("2026-03-12")
    categories = {(w.category, w.visit) for w in plan.warnings}
    assert (WindowDeviationWarning, "W2D1") in categories
    assert (MinimumIntervalWarning, "W2D4") in categories


def test_dose_inside_window_is_no_deviation() -> None:
    plan = plan_subject(P, SUBJECT, visits=[rec("W2D1", "done", "2026-03-10")])
    assert not plan.event("W2D1").deviation
    assert plan.warnings == ()


def test_missed_dose_stays_missed_and_is_not_made_up() -> None:
    plan = plan_subject(P, SUBJECT, visits=[rec("W3D1", "missed")])
    assert plan.event("W3D1").status is EventStatus.MISSED
    assert len(plan.doses) == 8
    assert [e.dose_number for e in plan.doses] == [1, 2, 3, 4, 5, 6, 7, 8]


def test_eot_dates_from_actual_last_dose() -> None:
    plan = plan_subject(P, SUBJECT, [dec("2026-03-18", "stop")],
                        [rec("W3D1", "done", "2026-03-17")])
    assert plan.last_dose_date == D("2026-03-17")
    assert plan.event("EOT").target_date == D("2026-03-24")


def test_withdrawn_subject_has_nothing_planned_from_withdrawal() -> None:
    s = Subject(subject_id="001", cohort="1", dose_level="DL1", first_dose_date=D("2026-03-02"),
                withdrawn_on=D("2026-03-20"))
    plan = plan_subject(P, s, visits=[rec("W1D1", "done", "2026-03-02")])
    assert [e.visit for e in plan.events] == ["W1D1", "W1D4", "W2D1", "W2D4", "W3D1", "W3D4"]
    assert plan.outcome is Outcome.WITHDRAWN
    assert plan_subject(P, s, today=D("2026-03-21")).state is SubjectState.WITHDRAWN


def test_visits_after_study_completion_are_flagged() -> None:
    s = Subject(subject_id="001", cohort="1", dose_level="DL1", first_dose_date=D("2027-09-20"))
    plan = plan_subject(P, s)
    late = [e.visit for e in plan.events if e.after_completion]
    assert late == ["W2D4", "W3D1", "W3D4", "W4D1", "W4D4", "D28"]  # from day 11 = 2027-09-30
    assert any(w.category is AfterStudyCompletionWarning for w in plan.warnings)


@pytest.mark.parametrize(
    ("dob", "consent", "warns"),
    [
        ("2008-06-01", "2026-02-01", True),  # 17
        ("2008-02-01", "2026-02-01", False),  # 18 on the day
        ("1960-03-01", "2026-02-28", False),  # 65 (66 tomorrow)
        ("1960-03-01", "2026-03-01", True),  # 66 on the consent day
    ],
    ids=["aged-17", "18th-birthday", "65", "66th-birthday"],
)
def test_age_checked_on_consent_date(dob: str, consent: str, warns: bool) -> None:
    s = Subject(subject_id="001", cohort="1", dose_level="DL1", first_dose_date=D("2026-03-02"),
                date_of_birth=D(dob), consent_date=D(consent))
    plan = plan_subject(P, s)
    assert any(w.category is AgeEligibilityWarning for w in plan.warnings) is warns


def test_overdue_is_judged_by_today() -> None:
    plan = plan_subject(P, SUBJECT, visits=[rec("W1D1", "done", "2026-03-02")],
                        today=D("2026-03-11"))
    # W1D4 window ended 03-06, W2D1 window ended 03-10: overdue; W2D4 window 03-12..03-13
    assert [(e.visit, e.status.value) for e in plan.doses[:4]] == [
        ("W1D1", "done"), ("W1D4", "overdue"), ("W2D1", "overdue"), ("W2D4", "planned")]
    assert plan.state is SubjectState.IN_INDUCTION


def test_window_of_each_visit_type() -> None:
    plan = plan_subject(P, SUBJECT, [dec("2026-03-30", "continue", "QW", weeks=4)])
    windows = {e.visit: (e.window_start.isoformat(), e.window_end.isoformat())
               for e in plan.events}
    assert windows["W1D1"] == ("2026-03-02", "2026-03-02")  # no window for day 1
    assert windows["W1D4"] == ("2026-03-05", "2026-03-06")  # induction -0/+1
    assert windows["D28"] == ("2026-03-27", "2026-04-01")  # -2/+3
    # continuation -1/+1, but never before the decision that gives the dose (03-30, day 29)
    assert windows["W5D1"] == ("2026-03-30", "2026-03-31")
    assert windows["REV-W8"] == ("2026-04-23", "2026-04-29")  # -3/+3


def test_disease_score_in_procedures() -> None:
    s = Subject(subject_id="001", cohort="1", dose_level="DL1", first_dose_date=D("2026-03-02"),
                disease="SSc")
    assert "disease activity score (mRSS)" in plan_subject(P, s).event("W1D1").procedures


# The regimen in force (the workbook's Overview and Timeline, the desk's subject page): a
# decision taken today shows at once (new-user trial: "continue QW" signed on a Saturday still
# read Q4W, the regimen of the last dose). First dose Mon 03-02; Q4W from 03-30 (doses 03-30,
# 04-27, 05-25); QW decided on Sat 05-02 (doses from Mon 05-04).
@pytest.mark.parametrize(("decisions", "today", "regimen"), [
    pytest.param([], "2026-03-20", "BIW", id="induction"),
    pytest.param([("2026-03-30", "continue", "Q4W")], "2026-04-28", "Q4W", id="between-doses"),
    pytest.param([("2026-03-30", "continue", "Q4W"), ("2026-05-02", "continue", "QW")],
                 "2026-05-02", "QW", id="decided-today-no-dose-yet"),
    pytest.param([("2026-03-30", "continue", "Q4W"), ("2026-05-02", "continue", "QW")],
                 None, "QW", id="no-today-the-last-dose"),
    pytest.param([("2026-03-30", "continue", "Q4W"), ("2026-05-02", "stop", None)],
                 "2026-05-10", "Q4W", id="stopped-the-last-dose"),
])
def test_current_regimen(decisions: list[tuple[str, str, str | None]], today: str | None,
                         regimen: str) -> None:
    decs = [dec(on, action, reg, line=i + 2) for i, (on, action, reg) in enumerate(decisions)]
    plan = plan_subject(P, SUBJECT, decs, today=D(today) if today else None)
    assert plan.current_regimen(D(today) if today else None) == regimen
