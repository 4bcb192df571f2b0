"""Issue 19, sections 1-4: one plan for every output, stops and holds, follow-up from the last
dose, withdrawals. Each rule a table of literal rows; every expected date worked out by hand.

Subject "001" (and "002") are first dosed on Monday 2026-03-02, so study day N is
2026-03-02 + (N - 1). Induction: W1D1 03-02, W1D4 03-05, W2D1 03-09, W2D4 03-12, W3D1 03-16,
W3D4 03-19, W4D1 03-23, W4D4 03-26; D28 03-29 (window 03-27 … 04-01); the cap, day 168, 08-16.
Follow-ups from the last dose L: FU1 = L + 28, FU2 = L + 84, FU3 = L + 168; EOT = L + 7, never
before a stop (or the day after the cap).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest

from cc312_schedule import (
    EventKind,
    EventStatus,
    Outcome,
    RecordedVisit,
    Study,
    StudyConfig,
    Subject,
    plan_subject,
)
from cc312_schedule.cdisc.sdtm import planned_visits, to_sdtm
from cc312_schedule.cli import main
from cc312_schedule.core.domain import Decision, Withdrawal
from cc312_schedule.core.errors import InvalidStudyError
from cc312_schedule.core.opendays import SiteCalendar
from cc312_schedule.core.protocol import bundled_protocol_path, load_protocol_text
from cc312_schedule.core.warnings import (
    CapacityWarning,
    ClosedDayConflictWarning,
    LateEndOfTreatmentWarning,
    RecordedVisitWarning,
    SubjectDataWarning,
)
from cc312_schedule.entries.writes import record
from cc312_schedule.planning.engine import plan_study
from cc312_schedule.store.study import load_study
from test_engine_rules import INDUCTION, SUBJECT, D, P, dec, rec

OPEN = SiteCalendar(weekend=())  # every day open: the dates stay hand-checkable
ONE_CHAIR = SiteCalendar(weekend=(), max_dosing_per_day=1)


def dates(plan, kind: EventKind) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(e.visit, e.planned_date.isoformat()) for e in plan.events if e.kind is kind]


def categories(plan) -> list[type]:  # type: ignore[no-untyped-def]
    return [w.category for w in plan.warnings]


def for_subject(sid: str, d: Decision) -> Decision:
    from dataclasses import replace

    return replace(d, subject_id=sid)


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


# ---- 1. one plan for every output: balancing is the study's ----------------------------------

A = Subject(subject_id="A", cohort="1", dose_level="DL1", first_dose_date=D("2026-03-02"))
B = Subject(subject_id="B", cohort="1", dose_level="DL1", first_dose_date=D("2026-03-02"))


def two_on_one_chair(stop_on: str = "2026-03-30") -> Study:
    """A and B start the same Monday; one infusion chair; both stopped on ``stop_on``."""
    return Study(config=StudyConfig(name="s"), protocol=P, subjects=(A, B),
                 decisions=(for_subject("A", dec(stop_on, "stop")),
                            for_subject("B", dec(stop_on, "stop", line=3))),
                 calendar=ONE_CHAIR)


# One chair, two subjects on the same days: on each full day both visits have one choice (the
# next day, windows -0/+1), so A (first by id) moves; W1D1 has no window and stays (warned).
# A's last dose W4D4 moves 03-26 -> 03-27: EOT 03-27 + 7 = 04-03, FU1 04-24, FU2 06-19,
# FU3 09-11, contraception 2026-09-27; B keeps the induction: EOT 04-02, contraception 09-26.
BALANCED = [
    pytest.param(None, "A", ["2026-03-02", "2026-03-06", "2026-03-10", "2026-03-13", "2026-03-17",
                             "2026-03-20", "2026-03-24", "2026-03-27"],
                 [("EOT", "2026-04-03")],
                 [("FU1", "2026-04-24"), ("FU2", "2026-06-19"), ("FU3", "2026-09-11")],
                 "2026-09-27", id="balanced-by-default-A-moves-and-its-EOT-follows"),
    pytest.param(None, "B", INDUCTION, [("EOT", "2026-04-02")],
                 [("FU1", "2026-04-23"), ("FU2", "2026-06-18"), ("FU3", "2026-09-10")],
                 "2026-09-26", id="balanced-by-default-B-stays"),
    pytest.param(False, "A", INDUCTION, [("EOT", "2026-04-02")],
                 [("FU1", "2026-04-23"), ("FU2", "2026-06-18"), ("FU3", "2026-09-10")],
                 "2026-09-26", id="no-balance-shows-the-plan-before-the-moves"),
]


@pytest.mark.parametrize(("balance", "sid", "doses", "eot", "fus", "contraception"), BALANCED)
def test_balancing_is_the_studys_and_what_derives_from_a_dose_follows_it(
        balance: bool | None, sid: str, doses: list[str], eot: list[tuple[str, str]],
        fus: list[tuple[str, str]], contraception: str) -> None:
    plan = plan_study(two_on_one_chair(), balance=balance).subject(sid)
    assert [e.planned_date.isoformat() for e in plan.doses] == doses
    assert dates(plan, EventKind.EOT) == eot
    assert dates(plan, EventKind.FOLLOW_UP) == fus
    assert plan.last_dose_date == D(doses[-1])
    assert plan.contraception_end == D(contraception)


def test_unbalanced_plan_warns_every_shared_day() -> None:
    plan = plan_study(two_on_one_chair(), balance=False)
    assert sorted({w.visit for w in plan.warnings if w.category is CapacityWarning}) == [
        "W1D1", "W1D4", "W2D1", "W2D4", "W3D1", "W3D4", "W4D1", "W4D4"]
    balanced = plan_study(two_on_one_chair())
    assert sorted({w.visit for w in balanced.warnings if w.category is CapacityWarning}) == ["W1D1"]


# The balancer never moves a dose onto or after a stop: stopped on 03-06 (day 5), W1D4's only
# other day is the stop date, so both stay on 03-05 (over capacity, warned); stopped on 03-07,
# A's W1D4 moves to 03-06 and A's EOT follows it (03-06 + 7 = 03-13; B: 03-05 + 7 = 03-12).
BALANCER_AND_STOP = [
    pytest.param("2026-03-06", "2026-03-05", "2026-03-12", True, id="stop-on-the-only-free-day"),
    pytest.param("2026-03-07", "2026-03-06", "2026-03-13", False, id="stop-the-day-after"),
]


@pytest.mark.parametrize(("stop_on", "a_w1d4", "a_eot", "over"), BALANCER_AND_STOP)
def test_the_balancer_never_moves_a_dose_onto_a_stop(stop_on: str, a_w1d4: str, a_eot: str,
                                                     over: bool) -> None:
    plan = plan_study(two_on_one_chair(stop_on))
    a = plan.subject("A")
    assert a.event("W1D4").planned_date == D(a_w1d4)
    assert a.event("EOT").planned_date == D(a_eot)
    assert ("W1D4" in {w.visit for w in plan.warnings if w.category is CapacityWarning}) is over


def _cli_study(make_study: Callable[..., Path]) -> Path:
    return make_study(
        study='name = "Two on one chair"\n[calendar]\nenabled = false\nmax_dosing_per_day = 1\n',
        subjects="A,1,DL1,2026-03-02,SLE,2026-02-01,1980-01-01,F\n"
                 "B,1,DL1,2026-03-02,SLE,2026-02-01,1980-01-01,F\n",
        decisions="A,2026-03-30,stop,,,,Dr. A,done\nB,2026-03-30,stop,,,,Dr. A,done\n")


def test_every_output_shows_the_balanced_dates(make_study: Callable[..., Path],
                                               tmp_path: Path) -> None:
    import icalendar

    folder = _cli_study(make_study)
    # plan (default: balanced), plan --no-balance
    code, out, err = _run("plan", str(folder), "--today", "2026-03-01", "--format", "csv",
                          "--subject", "A")
    assert code == 0, err
    rows = [r.split(",") for r in out.splitlines()]
    assert [(r[1], r[6]) for r in rows if r[1] in ("W4D4", "EOT", "FU1")] == [
        ("W4D4", "2026-03-27"), ("EOT", "2026-04-03"), ("FU1", "2026-04-24")]
    code, out, _ = _run("plan", str(folder), "--today", "2026-03-01", "--format", "csv",
                        "--subject", "A", "--no-balance", "-q")
    rows = [r.split(",") for r in out.splitlines()]
    assert [(r[1], r[6]) for r in rows if r[1] in ("W4D4", "EOT")] == [
        ("W4D4", "2026-03-26"), ("EOT", "2026-04-02")]
    # the nurses' calendar
    code, _, err = _run("ics", str(folder), "-o", str(tmp_path / "ics"), "--subject", "A",
                        "--generated-at", "2026-03-01T00:00:00Z", "--today", "2026-03-01")
    assert code == 0, err
    cal = icalendar.Calendar.from_ical((tmp_path / "ics" / "subject-A.ics").read_bytes())
    starts = sorted(e.decoded("DTSTART").date().isoformat() for e in cal.walk("VEVENT"))
    assert "2026-03-27" in starts and "2026-04-03" in starts
    assert "2026-03-26" not in starts and "2026-04-02" not in starts
    # the day list: A's EOT on 04-03, B's on 04-02
    code, out, err = _run("due", str(folder), "--on", "2026-04-03", "--format", "csv")
    assert code == 0, err
    assert [(r.split(",")[2], r.split(",")[5]) for r in out.splitlines()[1:]
            if r.split(",")[1] == "today"] == [("A", "EOT")]
    # the coordinators' workbook
    import openpyxl

    code, _, err = _run("xlsx", str(folder), "-o", str(tmp_path / "w.xlsx"), "--today",
                        "2026-03-01", "--generated-at", "2026-03-01T00:00:00Z")
    assert code == 0, err
    ws = openpyxl.load_workbook(tmp_path / "w.xlsx")["Visits"]
    head = [c.value for c in ws[2]]
    got = {(r[head.index("Subject")], r[head.index("Visit")]): r[head.index("Planned date")]
           for r in ws.iter_rows(min_row=3, values_only=True)}
    assert [got[("A", v)].date().isoformat() for v in ("W4D4", "EOT", "FU1")] == [
        "2026-03-27", "2026-04-03", "2026-04-24"]
    # the participant's schedule
    out_html = tmp_path / "a.html"
    code, _, err = _run("handout", str(folder), "A", "-o", str(out_html), "--today", "2026-03-01",
                        "--generated-at", "2026-03-01T00:00:00Z")
    assert code == 0, err
    html = out_html.read_text(encoding="utf-8")
    assert "Friday 27 March 2026" in html and "Thursday 26 March 2026" not in html  # W4D4
    assert "Friday 3 April 2026" in html and "Thursday 2 April 2026" not in html  # EOT


# ---- 1. one "today": due ranges judged day by day, sdtm --today ---------------------------

def _held_forever(make_study: Callable[..., Path], visits: str | None = None) -> Path:
    # induction, hold on 03-27 never lifted: the cap (08-16) ends the treatment, EOT 08-17
    return make_study(study='name = "Held"\n[calendar]\nenabled = false\n',
                      decisions="001,2026-03-27,hold,,,,Dr. A,infection\n", visits=visits)


@pytest.mark.parametrize("argv", [
    pytest.param(("--on", "2026-08-17"), id="due-on-the-day"),
    pytest.param(("--from", "2026-08-10", "--to", "2026-08-20"), id="a-range-from-before-the-cap"),
])
def test_due_range_judges_each_day_as_due_on_that_day(make_study: Callable[..., Path],
                                                      argv: tuple[str, ...]) -> None:
    folder = _held_forever(make_study)
    code, out, err = _run("due", str(folder), *argv, "--format", "csv")
    assert code == 0, err
    today = [(r.split(",")[0], r.split(",")[5]) for r in out.splitlines()[1:]
             if r.split(",")[1] == "today"]
    assert ("2026-08-17", "EOT") in today


@pytest.mark.parametrize("argv", [
    pytest.param(("--on", "2026-03-05"), id="due-on-the-day"),
    pytest.param(("--from", "2026-03-01", "--to", "2026-03-06"), id="a-range-from-before-it"),
])
def test_due_range_a_record_is_not_in_the_future_on_its_own_day(
        make_study: Callable[..., Path], argv: tuple[str, ...]) -> None:
    folder = make_study(study='name = "s"\n[calendar]\nenabled = false\n',
                        visits="001,W1D1,2026-03-02,done,\n001,W1D4,2026-03-05,done,\n")
    code, out, err = _run("due", str(folder), *argv, "--format", "csv")
    assert code == 0, err
    rows = [r.split(",") for r in out.splitlines()[1:]]
    assert [(r[0], r[5], r[-1]) for r in rows if r[5] == "W1D4"] == [("2026-03-05", "W1D4", "")]


@pytest.mark.parametrize(("today", "eot"), [
    pytest.param("2026-08-16", False, id="the-cap-day-the-hold-stands"),
    pytest.param("2026-08-17", True, id="after-the-cap-the-EOT-is-due"),
])
def test_check_today_judges_the_cap(make_study: Callable[..., Path], today: str,
                                    eot: bool) -> None:
    # hold never lifted, last dose 03-26: after the cap the EOT (08-17) is 144 days late
    folder = _held_forever(make_study)
    code, _, err = _run("check", str(folder), "--today", today)
    assert code == 0, err
    assert ("LateEndOfTreatmentWarning" in err) is eot


@pytest.mark.parametrize(("argv", "today"), [
    pytest.param(("--today", "2026-08-20"), D("2026-08-20"), id="given"),
    pytest.param((), None, id="default-today-at-the-site"),
])
def test_sdtm_plans_as_of_its_today(make_study: Callable[..., Path], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch, argv: tuple[str, ...],
                                    today: date | None) -> None:
    # sdtm plans through the engine with a day (the cap's passing is judged by it), like
    # every other command; without --today, today at the site
    import cc312_schedule.planning.engine as engine
    from cc312_schedule.planning.clock import today_at_site

    seen: list[date | None] = []
    real = engine.plan_study

    def spy(*args: object, **kw: object) -> object:
        seen.append(kw.get("today"))  # type: ignore[arg-type]
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "plan_study", spy)
    folder = _held_forever(make_study, visits="001,EOT,2026-08-18,done,\n")
    code, _, err = _run("sdtm", str(folder), "-o", str(tmp_path / "out"), "--format", "json",
                        *argv, "--generated-at", "2026-08-20T00:00:00Z")
    assert code == 0, err
    assert seen == [today or today_at_site("Asia/Shanghai")]


def test_sdtm_tv_lists_only_reviews_the_engine_can_plan() -> None:
    reviews = [(v.visit, v.visitdy) for v in planned_visits(P) if v.visit.startswith("REV-")]
    assert reviews[0] == ("REV-W5", 35) and reviews[-1] == ("REV-W23", 161)
    assert len(reviews) == 19


# ---- 2. stops and holds -------------------------------------------------------------------

CLOSED_0312 = SiteCalendar(weekend=(), closed={D("2026-03-12"): "site closed"})

# W2D4 (target Thursday 03-12, window 03-12 … 03-13) on a closed day; a stop or hold dated
# 03-13: the only other day of the window is the stop, so the dose stays on its closed target
# (a conflict to resolve) and the EOT counts from it: 03-12 + 7 = 03-19. Without the stop it
# moves to 03-13.
CLOSED_AND_STOP = [
    pytest.param([dec("2026-03-13", "stop")], "2026-03-12", "2026-03-19", True, id="stop"),
    pytest.param([dec("2026-03-13", "hold")], "2026-03-12", None, True, id="hold"),
    pytest.param([dec("2026-03-14", "stop")], "2026-03-13", "2026-03-20", False,
                 id="stop-the-day-after-the-window"),
]


@pytest.mark.parametrize(("decisions", "w2d4", "eot", "conflict"), CLOSED_AND_STOP)
def test_a_closed_day_move_never_lands_on_a_stop_or_hold(
        decisions: list[Decision], w2d4: str, eot: str | None, conflict: bool) -> None:
    plan = plan_subject(P, SUBJECT, decisions, calendar=CLOSED_0312)
    assert plan.event("W2D4").planned_date == D(w2d4)
    assert [d for _, d in dates(plan, EventKind.EOT)] == ([eot] if eot else [])
    assert (ClosedDayConflictWarning in categories(plan)) is conflict


# A dose given on the day of a stop or hold is part of the plan (regimen, dose number); given
# the day after, it is not.
GIVEN_ON_THE_DAY = [
    pytest.param("stop", "2026-03-12", True, "2026-03-19", id="stop-dose-given-that-day"),
    pytest.param("hold", "2026-03-12", True, None, id="hold-dose-given-that-day"),
    pytest.param("stop", "2026-03-13", False, "2026-03-20", id="stop-dose-given-the-day-after"),
]


@pytest.mark.parametrize(("action", "given", "planned", "eot"), GIVEN_ON_THE_DAY)
def test_a_dose_given_on_the_day_of_a_stop_or_hold_is_part_of_the_plan(
        action: str, given: str, planned: bool, eot: str | None) -> None:
    plan = plan_subject(P, SUBJECT, [dec("2026-03-12", action)], [rec("W2D4", "done", given)])
    w2d4 = plan.event("W2D4")
    assert w2d4.unplanned is not planned
    assert (w2d4.regimen, w2d4.dose_number) == (("BIW", 4) if planned else (None, 4))
    assert (RecordedVisitWarning in categories(plan)) is not planned
    assert plan.last_dose_date == D(given)
    assert [d for _, d in dates(plan, EventKind.EOT)] == ([eot] if eot else [])


def test_sdtm_gives_the_stop_day_dose_svpresp_and_exdosfrq() -> None:
    study = Study(config=StudyConfig(name="s"), protocol=P, subjects=(SUBJECT,),
                  decisions=(dec("2026-03-12", "stop"),),
                  visits=(rec("W2D4", "done", "2026-03-12"),))
    ds = {d.name: d for d in to_sdtm(study, plan_study(study))}
    sv = [ds["SV"].row_dict(i) for i in range(len(ds["SV"].rows))]
    ex = [ds["EX"].row_dict(i) for i in range(len(ds["EX"].rows))]
    assert [(r["VISIT"], r["SVPRESP"]) for r in sv] == [("W2D4", "Y")]
    assert [(r["VISIT"], r["EXDOSFRQ"], r["EXSTDTC"]) for r in ex] == [
        ("W2D4", "2 TIMES PER WEEK", "2026-03-12")]


def test_record_accepts_the_dose_given_on_the_day_of_the_stop(
        make_study: Callable[..., Path]) -> None:
    folder = make_study(study='name = "s"\n[calendar]\nenabled = false\n',
                        decisions="001,2026-03-12,stop,,,,Dr. A,toxicity\n")
    record(folder, "001", "W2D4", today=D("2026-03-12"), done=D("2026-03-12"))
    plan = plan_study(load_study(folder)).subject("001")
    assert (plan.event("W2D4").regimen, plan.event("W2D4").unplanned) == ("BIW", False)


@pytest.mark.parametrize(("given", "accepted"), [
    pytest.param("2026-03-12", True, id="dose-and-stop-the-same-day-accepted"),
    pytest.param("2026-03-13", False, id="dose-the-day-after-the-stop-refused"),
])
def test_the_workbook_import_accepts_the_dose_and_the_stop_typed_together(
        make_study: Callable[..., Path], given: str, accepted: bool) -> None:
    # both rows entered in one workbook (Visits: W2D4 done; Decisions: stop), as the import
    # reads them
    from cc312_schedule.core.domain import RecordStatus
    from cc312_schedule.entries.writes import plan_entries
    from cc312_schedule.store.entry_values import DecisionEntry, VisitEntry, WorkbookEntries

    folder = make_study(study='name = "s"\n[calendar]\nenabled = false\n')
    entries = WorkbookEntries(
        path="w.xlsx",
        visits=(VisitEntry(subject_id="001", visit="W2D4", status=RecordStatus.DONE,
                           actual_date=D(given)),),
        decisions=(DecisionEntry(decision=dec("2026-03-12", "stop")),))
    study = load_study(folder)
    if accepted:
        result = plan_entries(study, entries, today=D("2026-03-13"))
        assert [v.visit for v in result.added_visits] == ["W2D4"]
    else:
        with pytest.raises(InvalidStudyError, match="not in the current plan"):
            plan_entries(study, entries, today=D("2026-03-13"))


# QW from 03-30 (W5D1 … W8D1 04-20), REV-W8 on day 56 (04-26, window 04-23 … 04-29); stopped on
# 04-23: the review dated after the stop is gone; recorded as done on the stop's day, it stays.
# EOT = 04-20 + 7 = 04-27.
REVIEW_AFTER_STOP = [
    pytest.param("2026-04-23", [], [], id="review-after-the-stop-is-gone"),
    # stopped on REV-W8's own date: the review is the visit of the stop, kept
    pytest.param("2026-04-26", [], [("REV-W8", "2026-04-26")], id="review-on-the-stop-day-stays"),
    pytest.param("2026-04-23", [rec("REV-W8", "done", "2026-04-23")], [("REV-W8", "2026-04-26")],
                 id="review-done-on-the-stop-day-stays"),
]


@pytest.mark.parametrize(("stop_on", "visits", "reviews"), REVIEW_AFTER_STOP)
def test_a_review_after_a_stop_is_gone(stop_on: str, visits: list[RecordedVisit],
                                       reviews: list[tuple[str, str]]) -> None:
    plan = plan_subject(P, SUBJECT, [dec("2026-03-30", "continue", "QW"),
                                     dec(stop_on, "stop", line=3)], visits)
    assert dates(plan, EventKind.REVIEW) == reviews
    assert all(not e.unplanned for e in plan.events)
    assert dates(plan, EventKind.EOT) == [("EOT", "2026-04-27")]


def test_two_periods_ending_in_one_week_keep_their_reviews() -> None:
    # QW from 03-30 until 04-15 (day 45, week 7): review REV-W7 on 04-15 (window 04-12 … 04-18,
    # open on 04-13, so kept); BIW from 04-13 (W7D1) until 04-19 (day 49, week 7): its review is
    # REV-W7-2 on 04-19, the decision due
    plan = plan_subject(P, SUBJECT, [dec("2026-03-30", "continue", "QW", until="2026-04-15"),
                                     dec("2026-04-13", "continue", "BIW", until="2026-04-19",
                                         line=3)])
    assert dates(plan, EventKind.REVIEW) == [("REV-W7", "2026-04-15"), ("REV-W7-2", "2026-04-19")]
    assert (plan.decision_due, plan.decision_due_visit) == (D("2026-04-19"), "REV-W7-2")
    assert [e.planned_date.isoformat() for e in plan.doses][8:] == [
        "2026-03-30", "2026-04-06", "2026-04-13", "2026-04-16"]


def test_after_the_cap_ended_treatment_nothing_is_to_come() -> None:
    # QW for 4 weeks (last 04-20), then no decision; judged on 09-01, after the cap: 12 doses
    # overdue, none to come; EOT 08-17 overdue; the next visit is FU3 = 04-20 + 168 = 10-05
    plan = plan_subject(P, SUBJECT, [dec("2026-03-30", "continue", "QW", weeks=4)],
                        today=D("2026-09-01"))
    assert plan.outcome is Outcome.CAP_REACHED
    assert (plan.doses_to_come, plan.count(EventStatus.OVERDUE)) == (0, 12)
    nxt = plan.next_visit(D("2026-09-01"))
    assert nxt is not None and (nxt.visit, nxt.date) == ("FU3", D("2026-10-05"))


@pytest.mark.parametrize(("today", "to_come", "overdue", "next_visit"), [
    # W1D1 (03-02, no window) overdue on 03-05; W1D4 planned that very day is the next visit
    pytest.param("2026-03-05", 7, 1, ("W1D4", "2026-03-05"), id="a-visit-today-is-next"),
    # on 03-06 W1D4 (window to 03-06) is still to come but in the past: the next is W2D1
    pytest.param("2026-03-06", 7, 1, ("W2D1", "2026-03-09"), id="never-a-past-date"),
    pytest.param("2026-03-07", 6, 2, ("W2D1", "2026-03-09"), id="window-ended-overdue"),
])
def test_counts_and_next_visit_judged_by_today(today: str, to_come: int, overdue: int,
                                               next_visit: tuple[str, str]) -> None:
    plan = plan_subject(P, SUBJECT, today=D(today))
    assert (plan.doses_to_come, plan.count(EventStatus.OVERDUE)) == (to_come, overdue)
    nxt = plan.next_visit(D(today))
    assert nxt is not None and (nxt.visit, nxt.date.isoformat()) == next_visit


# ---- 3. follow-up from the last dose ---------------------------------------------------------

# Last dose W4D4 03-26 (no dose after a stop on 03-27 or later): FU1 04-23, FU2 06-18, FU3
# 09-10, each folded into the EOT when it falls on or before it. EOT 28 days after the last
# dose (04-23) is not late; 29 (04-24) is.
FOLLOW_UPS = [
    pytest.param("2026-03-27", "2026-04-02",
                 [("FU1", "2026-04-23"), ("FU2", "2026-06-18"), ("FU3", "2026-09-10")], [], False,
                 id="stop-after-the-last-dose"),
    pytest.param("2026-04-22", "2026-04-22",
                 [("FU1", "2026-04-23"), ("FU2", "2026-06-18"), ("FU3", "2026-09-10")], [], False,
                 id="EOT-the-day-before-FU1"),
    pytest.param("2026-04-23", "2026-04-23",
                 [("FU2", "2026-06-18"), ("FU3", "2026-09-10")], ["FU1"], False,
                 id="EOT-on-FU1-folds-it-28-days-not-late"),
    pytest.param("2026-04-24", "2026-04-24",
                 [("FU2", "2026-06-18"), ("FU3", "2026-09-10")], ["FU1"], True,
                 id="EOT-29-days-after-the-last-dose-is-late"),
    pytest.param("2026-06-18", "2026-06-18",
                 [("FU3", "2026-09-10")], ["FU1", "FU2"], True, id="EOT-on-FU2-folds-both"),
]


@pytest.mark.parametrize(("stop_on", "eot", "fus", "folded", "late"), FOLLOW_UPS)
def test_follow_ups_are_dated_from_the_last_dose(stop_on: str, eot: str,
                                                 fus: list[tuple[str, str]], folded: list[str],
                                                 late: bool) -> None:
    plan = plan_subject(P, SUBJECT, [dec(stop_on, "stop")])
    assert plan.last_dose_date == D("2026-03-26")
    assert dates(plan, EventKind.EOT) == [("EOT", eot)]
    assert dates(plan, EventKind.FOLLOW_UP) == fus
    reason = plan.event("EOT").reason
    assert [v for v in ("FU1", "FU2", "FU3") if v in reason] == folded
    assert (LateEndOfTreatmentWarning in categories(plan)) is late


def test_the_hold_the_cap_ended_folds_the_early_follow_ups() -> None:
    # hold on 03-27, never lifted; judged on 08-20: EOT 08-17 (day after the cap), 144 days after
    # the last dose 03-26 (5 + 30 + 31 + 30 + 31 + 17): late; FU1 and FU2 done at the EOT
    plan = plan_subject(P, SUBJECT, [dec("2026-03-27", "hold")], today=D("2026-08-20"))
    assert dates(plan, EventKind.EOT) == [("EOT", "2026-08-17")]
    assert dates(plan, EventKind.FOLLOW_UP) == [("FU3", "2026-09-10")]
    [late] = [w for w in plan.warnings if w.category is LateEndOfTreatmentWarning]
    assert "144 days after the last dose 2026-03-26" in late.message


def _anchored_to_eot() -> object:
    text = bundled_protocol_path().read_text(encoding="utf-8")
    old = 'follow_up_from = "last dose"'
    assert old in text
    return load_protocol_text(text.replace(old, 'follow_up_from = "eot"'))


def test_the_follow_up_anchor_is_a_template_key() -> None:
    # "eot": the follow-ups keep their distance to a late EOT (stop 05-01: FU1 = 05-01 + 21)
    protocol = _anchored_to_eot()
    plan = plan_subject(protocol, SUBJECT, [dec("2026-05-01", "stop")])  # type: ignore[arg-type]
    assert dates(plan, EventKind.FOLLOW_UP) == [
        ("FU1", "2026-05-22"), ("FU2", "2026-07-17"), ("FU3", "2026-10-09")]
    assert P.follow_up_from == "last dose" and P.eot_late_after_days == 28


def test_an_unknown_follow_up_anchor_is_refused() -> None:
    text = bundled_protocol_path().read_text(encoding="utf-8")
    with pytest.raises(Exception, match="follow_up_from"):
        load_protocol_text(text.replace('follow_up_from = "last dose"',
                                        'follow_up_from = "first dose"'))


# ---- 4. withdrawals -------------------------------------------------------------------------

def withdrawn(on: str, how: Withdrawal = Withdrawal.CONSENT, first: str = "2026-03-02") -> Subject:
    return Subject(subject_id="001", cohort="1", dose_level="DL1", first_dose_date=D(first),
                   withdrawn_on=D(on), withdrawal=how)


WITHDRAWALS = [
    # stopped 03-27 (EOT 04-02, FU1 04-23), consent withdrawn 06-01: what was due before stays
    pytest.param(withdrawn("2026-06-01"), [dec("2026-03-27", "stop")],
                 [("EOT", "2026-04-02"), ("FU1", "2026-04-23")],
                 id="consent-keeps-the-visits-due-before"),
    # awaiting the decision, consent withdrawn 04-15: D28 (03-29) stays, nothing after
    pytest.param(withdrawn("2026-04-15"), [], [("D28", "2026-03-29")],
                 id="consent-nothing-after-the-date"),
    # the same day, from treatment: treatment stops on 04-15, EOT (early termination) on 04-15
    # (03-26 + 7 = 04-02 is before it), safety follow-up from the last dose 03-26
    pytest.param(withdrawn("2026-04-15", Withdrawal.TREATMENT), [],
                 [("D28", "2026-03-29"), ("EOT", "2026-04-15"), ("FU1", "2026-04-23"),
                  ("FU2", "2026-06-18"), ("FU3", "2026-09-10")],
                 id="treatment-EOT-and-follow-up-stay"),
    # on hold from 03-27, never resumed; from treatment on 10-01, after the cap: the cap had
    # ended the treatment, EOT the day after it (08-17), FU3 = 03-26 + 168 = 09-10 (FU1, FU2
    # folded into the EOT), judged without a today
    pytest.param(withdrawn("2026-10-01", Withdrawal.TREATMENT), [dec("2026-03-27", "hold")],
                 [("D28", "2026-03-29"), ("EOT", "2026-08-17"), ("FU3", "2026-09-10")],
                 id="treatment-after-the-cap-ended-it"),
    # from treatment on 03-20 (during the induction): no dose from 03-20 (W3D4 03-19 is the last),
    # D28 dropped (its window opens 03-27), EOT 03-26, FU1 04-16, FU2 06-11, FU3 09-03
    pytest.param(withdrawn("2026-03-20", Withdrawal.TREATMENT), [],
                 [("EOT", "2026-03-26"), ("FU1", "2026-04-16"), ("FU2", "2026-06-11"),
                  ("FU3", "2026-09-03")],
                 id="treatment-during-the-induction"),
]


WITHDRAWN_ON_DAY_1 = [
    # from treatment on the first-dose day, W1D1 given that day: EOT 03-09 and the safety
    # follow-up from it: FU1 03-30, FU2 05-25, FU3 08-17; no warning
    pytest.param([rec("W1D1", "done", "2026-03-02")],
                 [("W1D1", "2026-03-02"), ("EOT", "2026-03-09"), ("FU1", "2026-03-30"),
                  ("FU2", "2026-05-25"), ("FU3", "2026-08-17")], id="dose-given-that-day"),
    # nothing given: nothing planned
    pytest.param([], [], id="nothing-given"),
]


@pytest.mark.parametrize(("visits", "events"), WITHDRAWN_ON_DAY_1)
def test_withdrawal_from_treatment_on_the_first_dose_day(
        visits: list[RecordedVisit], events: list[tuple[str, str]]) -> None:
    plan = plan_subject(P, withdrawn("2026-03-02", Withdrawal.TREATMENT), (), visits)
    assert [(e.visit, e.date.isoformat()) for e in plan.events] == events
    assert plan.warnings == ()


@pytest.mark.parametrize(("subject", "decisions", "others"), WITHDRAWALS)
def test_withdrawals(subject: Subject, decisions: list[Decision],
                     others: list[tuple[str, str]]) -> None:
    plan = plan_subject(P, subject, decisions)
    assert plan.outcome is Outcome.WITHDRAWN
    assert [(e.visit, e.planned_date.isoformat()) for e in plan.events
            if e.kind is not EventKind.DOSE] == others
    assert all(e.planned_date < subject.withdrawn_on for e in plan.doses)  # type: ignore[operator]
    assert plan.decision_due is None


def test_withdrawal_from_treatment_stops_the_doses() -> None:
    plan = plan_subject(P, withdrawn("2026-03-20", Withdrawal.TREATMENT))
    assert [e.planned_date.isoformat() for e in plan.doses] == INDUCTION[:6]
    assert plan.contraception_end == D("2026-09-19")  # last dose 03-19 + 6 months


@pytest.mark.parametrize(("subject", "visits", "category", "visit"), [
    pytest.param(withdrawn("2026-03-01"), [], SubjectDataWarning, None,
                 id="withdrawn-before-the-first-dose"),
    pytest.param(SUBJECT, [rec("W1D1", "done", "2026-03-01")], RecordedVisitWarning, "W1D1",
                 id="dose-recorded-before-day-1"),
])
def test_dates_before_day_1_are_warned(subject: Subject, visits: list[RecordedVisit],
                                       category: type, visit: str | None) -> None:
    plan = plan_subject(P, subject, (), visits)
    hits = [w for w in plan.warnings if w.category is category and w.visit == visit]
    assert len(hits) == 1 and "2026-03-01" in hits[0].message and "2026-03-02" in hits[0].message


def test_no_warning_for_a_withdrawal_on_the_first_dose_day() -> None:
    plan = plan_subject(P, withdrawn("2026-03-02"), (), [rec("W1D1", "done", "2026-03-02")])
    assert SubjectDataWarning not in categories(plan)


SUBJECTS = "subject_id,cohort,dose_level,first_dose_date,withdrawn_on,withdrawal\n"


@pytest.mark.parametrize(("row", "expected"), [
    pytest.param("001,1,DL1,2026-03-02,2026-04-15,treatment\n", Withdrawal.TREATMENT,
                 id="treatment"),
    pytest.param("001,1,DL1,2026-03-02,2026-04-15,consent\n", Withdrawal.CONSENT, id="consent"),
    pytest.param("001,1,DL1,2026-03-02,2026-04-15,\n", Withdrawal.CONSENT,
                 id="empty-is-consent-as-before"),
    pytest.param("001,1,DL1,2026-03-02,2026-04-15,sponsor\n", None, id="unknown-refused"),
    pytest.param("001,1,DL1,2026-03-02,,treatment\n", None, id="without-a-date-refused"),
])
def test_subjects_csv_withdrawal_column(tmp_path: Path, row: str,
                                        expected: Withdrawal | None) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "study.toml").write_text('name = "s"\n', encoding="utf-8")
    (folder / "subjects.csv").write_text(SUBJECTS + row, encoding="utf-8")
    if expected is None:
        with pytest.raises(InvalidStudyError, match="withdrawal"):
            load_study(folder)
    else:
        assert load_study(folder).subject("001").withdrawal is expected


# ---- 1. the cross-check: every output agrees with the plan, balancing on ----------------------

def test_the_example_study_on_one_chair_every_output_shows_the_plans_dates(
        tmp_path: Path) -> None:
    """The bundled example study with one infusion chair (balancing moves doses): the nurses'
    calendars, the workbook and the day list show each visit on the plan's date."""
    import icalendar
    import openpyxl

    from conftest import copy_example_study
    from test_issue_9_clinical_edges import _visit_of

    folder = copy_example_study(tmp_path / "ex")
    with (folder / "study.toml").open("a", encoding="utf-8") as f:
        f.write("\n[calendar]\nmax_dosing_per_day = 1\n")
    today = "2026-11-25"
    plan = plan_study(load_study(folder), today=D(today))
    moved = [(p.subject_id, e.visit) for p in plan for e in p.doses if "full" in e.reason]
    assert moved  # the chair is shared: balancing moved doses
    expected = {(p.subject_id, e.visit): e.date for p in plan for e in p.events}
    # calendars
    code, _, err = _run("ics", str(folder), "-o", str(tmp_path / "ics"), "--today", today,
                        "--generated-at", "2026-11-25T00:00:00Z")
    assert code == 0, err
    shown: dict[tuple[str, str], date] = {}
    for p in plan:
        cal = icalendar.Calendar.from_ical(
            (tmp_path / "ics" / f"subject-{p.subject_id}.ics").read_bytes())
        for ev in cal.walk("VEVENT"):
            if str(ev.get("STATUS", "")) != "CANCELLED":
                start = ev.decoded("DTSTART")
                day = start.date() if isinstance(start, datetime) else start
                shown[(p.subject_id, _visit_of(ev))] = day
    assert shown == expected
    # workbook: planned dates (the actual date of a recorded visit in its own column)
    code, _, err = _run("xlsx", str(folder), "-o", str(tmp_path / "w.xlsx"), "--today", today,
                        "--generated-at", "2026-11-25T00:00:00Z")
    assert code == 0, err
    ws = openpyxl.load_workbook(tmp_path / "w.xlsx")["Visits"]
    head = [c.value for c in ws[2]]
    planned = {(r[head.index("Subject")], r[head.index("Visit")]):
               r[head.index("Planned date")].date()
               for r in ws.iter_rows(min_row=3, values_only=True) if r[head.index("Subject")]}
    assert planned == {(p.subject_id, e.visit): e.planned_date for p in plan for e in p.events}
    # the day list of each moved dose's planned day lists it under "today"
    for sid, visit in moved:
        on = plan.subject(sid).event(visit).date.isoformat()
        code, out, err = _run("due", str(folder), "--on", on, "--format", "csv")
        assert code == 0, err
        assert any(r.split(",")[1:6:4] == ["today", visit] and r.split(",")[2] == sid
                   for r in out.splitlines()[1:]), (sid, visit, on)


# ---- 4. withdrawals in SDTM DS ---------------------------------------------------------------

DS_CASES = [
    # from treatment on 04-15: the treatment's disposition; the follow-ups done (EOT 04-15, FU1
    # 04-23, FU2 06-18, FU3 09-10), so the study's is COMPLETED on FU3
    pytest.param(Withdrawal.TREATMENT, [
        ("2026-02-01", "INFORMED CONSENT OBTAINED", None),
        ("2026-04-15", "WITHDRAWAL BY SUBJECT", "STUDY TREATMENT"),
        ("2026-09-10", "COMPLETED", "STUDY PARTICIPATION")], id="from-treatment"),
    # consent withdrawn on 04-15: the study's disposition, nothing about the treatment
    pytest.param(Withdrawal.CONSENT, [
        ("2026-02-01", "INFORMED CONSENT OBTAINED", None),
        ("2026-04-15", "WITHDRAWAL BY SUBJECT", "STUDY PARTICIPATION")], id="consent"),
]


@pytest.mark.parametrize(("how", "expected"), DS_CASES)
def test_sdtm_ds_tells_the_two_withdrawals_apart(
        how: Withdrawal, expected: list[tuple[str, str, str | None]]) -> None:
    from cc312_schedule.cdisc.domains import to_ds

    s = Subject(subject_id="001", cohort="1", dose_level="DL1", first_dose_date=D("2026-03-02"),
                consent_date=D("2026-02-01"), withdrawn_on=D("2026-04-15"), withdrawal=how)
    visits = [rec("W1D1", "done", "2026-03-02")]
    if how is Withdrawal.TREATMENT:
        visits += [rec(v, "done", on) for v, on in (("EOT", "2026-04-15"), ("FU1", "2026-04-23"),
                                                    ("FU2", "2026-06-18"), ("FU3", "2026-09-10"))]
    study = Study(config=StudyConfig(name="s"), protocol=P, subjects=(s,), visits=tuple(visits))
    ds = to_ds(study, plan_study(study), "CC312-I-003")
    rows = [ds.row_dict(i) for i in range(len(ds.rows))]
    assert [(r["DSSTDTC"], r["DSDECOD"], r["DSSCAT"]) for r in rows] == expected
