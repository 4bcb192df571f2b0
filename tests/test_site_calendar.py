"""Site calendar: real Chinese holidays, adjusted working days, site overrides, shifts inside
windows, capacity balancing and staggered first doses. Every date below is written by hand."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date
from pathlib import Path

import holidays
import pytest

from cc312_schedule import (
    Action,
    Decision,
    EventStatus,
    Subject,
    load_protocol,
    load_study,
    plan_study,
    plan_subject,
)
from cc312_schedule.cli import main
from cc312_schedule.core.errors import ScheduleError
from cc312_schedule.core.warnings import (
    CapacityWarning,
    ClosedDayConflictWarning,
    ProvisionalHolidaysWarning,
)
from cc312_schedule.planning.capacity import plan_balanced
from cc312_schedule.planning.slots import next_slot
from cc312_schedule.store.sitecal import CalendarConfig, ShiftPreference, SiteCalendar, load_site_calendar

P = load_protocol()
D = date.fromisoformat


def calendar(tmp_path: Path, site_file: str | None = None, **config: object) -> SiteCalendar:
    if site_file is not None:
        (tmp_path / "closed-days.csv").write_text("date,status,reason\n" + site_file)
    errors: list[ScheduleError] = []
    cal = load_site_calendar(tmp_path, CalendarConfig(**config), range(2026, 2028),  # type: ignore[arg-type]
                             errors)
    assert errors == []
    return cal


@pytest.fixture
def cn(tmp_path: Path) -> SiteCalendar:
    return calendar(tmp_path)


# ---- closed and open days ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("day", "is_open"),
    [
        ("2026-01-01", False),  # New Year's Day (Thu)
        ("2026-01-02", False),  # bridge day off, made up on Sun 01-04
        ("2026-01-04", True),  # Sunday made a working day
        ("2026-02-14", True),  # Saturday made a working day (Spring Festival)
        ("2026-02-15", False),  # Sunday, first day of the Spring Festival break
        ("2026-02-16", False),  # Chinese New Year's Eve
        ("2026-02-20", False),
        ("2026-02-23", False),  # Monday off, made up on Sat 02-28
        ("2026-02-24", True),
        ("2026-02-28", True),  # Saturday made a working day
        ("2026-04-06", False),  # Tomb-Sweeping Day observed (Mon)
        ("2026-05-01", False),  # Labour Day
        ("2026-05-05", False),  # Labour Day break, made up on Sat 05-09
        ("2026-05-09", True),  # Saturday made a working day
        ("2026-09-20", True),  # Sunday made a working day (National Day)
        ("2026-10-01", False),  # National Day
        ("2026-10-04", False),  # Sunday inside the break
        ("2026-10-07", False),
        ("2026-10-08", True),
        ("2026-10-10", True),  # Saturday made a working day
        ("2026-10-11", False),  # an ordinary Sunday
        ("2027-02-05", False),  # Chinese New Year's Eve 2027 (estimated)
        ("2027-02-10", False),  # Spring Festival 2027 observed (estimated)
        ("2027-10-01", False),  # National Day 2027
        ("2027-10-05", False),  # National Day 2027 observed (estimated)
        ("2027-10-06", True),
    ],
    ids=lambda v: str(v),
)
def test_chinese_public_holidays_and_adjusted_working_days(cn: SiteCalendar, day: str,
                                                           is_open: bool) -> None:
    assert cn.is_open(D(day)) is is_open


def test_2027_is_provisional_until_the_package_has_its_notice(cn: SiteCalendar) -> None:
    notice_years = set(holidays.China(years=2026).special_public_holidays)
    assert 2026 in notice_years and 2026 not in cn.provisional_years
    assert (2027 in cn.provisional_years) is (2027 not in notice_years)


def test_site_file_overrides_both_ways(tmp_path: Path) -> None:
    cal = calendar(tmp_path, "2026-03-07,open,weekend clinic\n2026-03-09,closed,pharmacy inventory\n"
                             "2026-10-05,open,infusion unit open on the holiday\n")
    assert cal.is_open(D("2026-03-07"))  # a Saturday
    assert cal.closed_reason(D("2026-03-09")) == "site closed: pharmacy inventory"
    assert cal.is_open(D("2026-10-05"))  # National Day (observed), opened by the site


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("2026/03/09,closed,x\n", "closed-days.csv:2: date: not an ISO date"),
        ("2026-03-09,shut,x\n", "closed-days.csv:2: status: unknown status"),
        ("2026-03-09,closed,\n", "closed-days.csv:2: reason: missing reason"),
        ("2026-03-09,closed,a\n2026-03-09,open,b\n", "closed-days.csv:3: date: listed twice"),
    ],
    ids=["bad-date", "bad-status", "no-reason", "twice"],
)
def test_site_file_errors_name_file_and_line(make_study: Callable[..., Path], rows: str,
                                             message: str) -> None:
    folder = make_study(files={"closed-days.csv": "date,status,reason\n" + rows})
    with pytest.raises(ScheduleError, match=message.replace("/", ".")):
        load_study(folder)


# ---- shifting visits -----------------------------------------------------------------------

def subject(first: str) -> Subject:
    return Subject(subject_id="001", cohort="1", dose_level="DL1", first_dose_date=D(first))


def test_day_4_on_a_sunday_moves_to_monday(cn: SiteCalendar) -> None:
    plan = plan_subject(P, subject("2026-03-05"), calendar=cn)  # day 1 is a Thursday
    e = plan.event("W1D4")
    assert (e.target_date, e.planned_date) == (D("2026-03-08"), D("2026-03-09"))
    assert e.reason == ("2026-03-08 closed: weekend (Sunday); moved to the nearest open day "
                        "in the window")
    assert plan.event("W2D1").planned_date == D("2026-03-12")  # Thursday, unchanged


def test_national_day_dose_moves_inside_its_window(cn: SiteCalendar) -> None:
    decisions = [Decision(subject_id="001", decided_on=D("2026-08-03"), action=Action.CONTINUE,
                          regimen="BIW", investigator="Dr. A")]
    plan = plan_subject(P, subject("2026-07-06"), decisions, calendar=cn)
    w13d4 = plan.event("W13D4")  # day 88, Thursday 10-01, window 09-30 … 10-02
    assert (w13d4.target_date, w13d4.planned_date) == (D("2026-10-01"), D("2026-09-30"))
    w14d1 = plan.event("W14D1")  # Monday 10-05, window 10-04 … 10-06: all closed
    assert (w14d1.target_date, w14d1.planned_date) == (D("2026-10-05"), D("2026-10-05"))
    [w] = [w for w in plan.warnings if w.category is ClosedDayConflictWarning]
    assert w.visit == "W14D1"
    assert w.message == ("2026-10-05 falls on a closed day (National Day holiday); window "
                         "2026-10-04…2026-10-06 has no open day")
    assert "no open day in the window" in w14d1.reason


def test_induction_dose_in_spring_festival_has_no_open_day(cn: SiteCalendar) -> None:
    plan = plan_subject(P, subject("2026-02-05"), calendar=cn)
    e = plan.event("W2D4")  # day 11 = Sunday 02-15, window 02-15 … 02-16
    assert e.planned_date == D("2026-02-15")
    assert any(w.category is ClosedDayConflictWarning and w.visit == "W2D4" for w in plan.warnings)


def test_biw_pair_keeps_the_minimum_interval(tmp_path: Path) -> None:
    cal = calendar(tmp_path, "2026-03-30,closed,chair maintenance\n"
                             "2026-04-02,closed,staff training\n")
    decisions = [Decision(subject_id="001", decided_on=D("2026-03-30"), action=Action.CONTINUE,
                          regimen="BIW", investigator="Dr. A")]
    plan = plan_subject(P, subject("2026-03-02"), decisions, calendar=cal)
    planned = {v: plan.event(v).planned_date for v in ("W5D1", "W5D4", "W6D1")}
    assert planned == {
        "W5D1": D("2026-03-31"),  # Mon closed, Sun closed -> Tue
        "W5D4": D("2026-04-03"),  # Thu closed; Wed is 1 day after Tue -> Fri
        "W6D1": D("2026-04-07"),  # Tomb-Sweeping Day observed (Mon) and Sunday -> Tue
    }


@pytest.mark.parametrize(("prefer", "expected"), [("earlier", "2026-03-30"), ("later", "2026-04-01")],
                         ids=["earlier-first", "later-first"])
def test_shift_preference(tmp_path: Path, prefer: str, expected: str) -> None:
    cal = calendar(tmp_path, "2026-03-31,closed,audit\n", prefer=ShiftPreference(prefer))
    plan = plan_subject(P, subject("2026-03-04"), calendar=cal)  # D28 = Tuesday 03-31
    assert plan.event("D28").planned_date == D(expected)


def test_provisional_holidays_warn(cn: SiteCalendar) -> None:
    plan = plan_subject(P, subject("2027-01-04"), calendar=cn)
    msgs = [w.message for w in plan.warnings if w.category is ProvisionalHolidaysWarning]
    if 2027 in cn.provisional_years:
        assert len(msgs) == 1 and "2027" in msgs[0]
    else:
        assert msgs == []


def test_outputs_show_target_planned_and_reason(example_copy: Path) -> None:
    import io

    out = io.StringIO()
    assert main(["plan", str(example_copy), "--format", "csv", "--subject", "006",
                 "--today", "2026-11-25"], stdout=out, stderr=io.StringIO()) == 0
    line = next(r for r in out.getvalue().splitlines() if ",D28," in r)
    assert ",2026-11-22,2026-11-23," in line
    assert "2026-11-22 closed: weekend (Sunday)" in line


def test_same_plan_whatever_subject_row_order(example_copy: Path) -> None:
    study = load_study(example_copy)
    flipped = dataclasses.replace(study, subjects=tuple(reversed(study.subjects)))
    a = {p.subject_id: p for p in plan_study(study)}
    b = {p.subject_id: p for p in plan_study(flipped)}
    assert a == b


# ---- capacity --------------------------------------------------------------------------------

def test_balancing_moves_the_visit_with_the_widest_window(make_study: Callable[..., Path]) -> None:
    folder = make_study(
        study='name = "x"\n[calendar]\nmax_dosing_per_day = 1\n',
        subjects="A,1,DL1,2026-03-02,,,,\nB,1,DL1,2026-02-09,,,,\n",
        decisions="B,2026-03-08,continue,BIW,,,Dr. A,\n",  # decided at the Sunday clinic
        files={"closed-days.csv": "date,status,reason\n2026-03-08,open,weekend clinic\n"})
    study = load_study(folder)
    plan = plan_study(study, today=None)
    balanced = plan_balanced(plan, study.protocol, study.calendar)  # type: ignore[arg-type]
    moved = {(p.subject_id, e.visit): e.planned_date for p in balanced for e in p.doses
             if e.planned_date != e.target_date and e.target_date <= D("2026-03-09")}
    assert moved == {
        ("B", "W3D1"): D("2026-02-24"),  # not balancing: Mon 02-23 is a Spring Festival day off
        ("B", "W4D1"): D("2026-03-03"),  # 03-02: A's W1D1 has no window; B moves to Tue
        ("A", "W1D4"): D("2026-03-06"),  # 03-05: one choice each; tie -> A (subject id) moves
        ("B", "W5D1"): D("2026-03-08"),  # 03-09: B has 2 choices (Sun clinic, Tue), A has 1
    }
    assert plan_balanced(plan, study.protocol, study.calendar) == balanced  # type: ignore[arg-type]
    assert "full (1 dosing visits)" in balanced.subject("B").event("W5D1").reason


def test_balancing_never_moves_a_dose_before_its_decision(make_study: Callable[..., Path]) -> None:
    """The same two subjects, B's continuation decided on Monday 03-09: B's W5D1 (target
    03-09) may not move to the Sunday clinic before the decision, so its window is 03-09 …
    03-10 like A's W2D1: one choice each, the tie goes by subject id and A moves to Tuesday."""
    folder = make_study(
        study='name = "x"\n[calendar]\nmax_dosing_per_day = 1\n',
        subjects="A,1,DL1,2026-03-02,,,,\nB,1,DL1,2026-02-09,,,,\n",
        decisions="B,2026-03-09,continue,BIW,,,Dr. A,\n",
        files={"closed-days.csv": "date,status,reason\n2026-03-08,open,weekend clinic\n"})
    study = load_study(folder)
    balanced = plan_balanced(plan_study(study, today=None), study.protocol,
                             study.calendar)  # type: ignore[arg-type]
    w5d1 = balanced.subject("B").event("W5D1")
    assert (w5d1.window_start, w5d1.window_end, w5d1.planned_date) == (
        D("2026-03-09"), D("2026-03-10"), D("2026-03-09"))
    assert balanced.subject("A").event("W2D1").planned_date == D("2026-03-10")


def test_capacity_overflow_is_reported(make_study: Callable[..., Path]) -> None:
    folder = make_study(study='name = "x"\n[calendar]\nmax_dosing_per_day = 1\n',
                        subjects="A,1,DL1,2026-03-02,,,,\nB,1,DL1,2026-03-02,,,,\n")
    plan = plan_study(load_study(folder), balance=True)
    over = [(w.subject_id, w.visit) for w in plan.warnings if w.category is CapacityWarning]
    assert ("A", "W1D1") in over and ("B", "W1D1") in over  # day 1 has no window


# ---- staggered first doses ----------------------------------------------------------------

@pytest.fixture
def staggered(make_study: Callable[..., Path]) -> Path:
    from cc312_schedule import bundled_protocol_path

    text = bundled_protocol_path().read_text().replace("stagger_days = 0", "stagger_days = 7")
    return make_study(study='name = "x"\nprotocol = "p.toml"\n', files={"p.toml": text},
                      subjects="101,1,DL1,2026-09-21,,,,\n102,1,DL1,2026-09-24,,,,\n")


def test_check_reports_stagger_violation(staggered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(staggered), "--strict"]) == 1
    err = capsys.readouterr().err
    assert "102 W1D1: first dose 2026-09-24 is 3 day(s) after 101's (2026-09-21)" in err
    assert "StaggerWarning" in err


def test_next_slot_respects_stagger_and_closed_days(staggered: Path) -> None:
    slot = next_slot(load_study(staggered), "1", after=D("2026-09-25"))
    # 102 was first dosed on 09-24: not before 10-01; 10-01 … 10-07 is the National Day break
    assert slot.first_dose == D("2026-10-08")
    assert slot.explanation[0].startswith("stagger: 102 was first dosed on 2026-09-24")
    assert "2026-10-01 (Thu): closed (National Day holiday)" in slot.explanation
    assert slot.explanation[-1].startswith("chosen 2026-10-08 (Thu)")
    assert slot.doses[:2] == (D("2026-10-08"), D("2026-10-12"))  # W1D4 Sunday 10-11 -> Monday


def test_next_slot_cli(staggered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["next-slot", str(staggered), "--cohort", "1", "--after", "2026-09-25"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "2026-10-08"


def test_no_calendar_keeps_targets(make_study: Callable[..., Path]) -> None:
    folder = make_study(study='name = "x"\n[calendar]\nenabled = false\n',
                        subjects="001,1,DL1,2026-03-05,,,,\n")
    e = plan_study(load_study(folder), today=None).subject("001").event("W1D4")
    assert e.planned_date == e.target_date == D("2026-03-08") and e.status is EventStatus.PLANNED


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[calendar]\nprefer = "nearest"\n', "calendar.prefer: unknown preference"),
        ("[calendar]\nmax_dosing_per_day = 0\n", "calendar.max_dosing_per_day: must be a whole number >= 1"),
        ('[calendar]\ncountry = "XX"\n', "calendar.country: not known to the holidays package: 'XX'"),
        ('[calendar]\nsubdivision = "ZZ"\n', "calendar.subdivision: not known to the holidays package: 'ZZ'"),
        ('[calendar]\nweekend = ["Saturday", "Funday"]\n', "calendar.weekend: must be a list of weekday names"),
        ("[calendar]\nchairs = 3\n", "calendar.chairs: unknown key"),
    ],
    ids=["prefer", "capacity-zero", "country", "subdivision", "weekend", "unknown-key"],
)
def test_bad_calendar_config(make_study: Callable[..., Path], toml: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        load_study(make_study(study='name = "x"\n' + toml))


def test_workbook_shows_target_planned_and_reason(example_copy: Path) -> None:
    import io
    from datetime import datetime

    from openpyxl import load_workbook

    from cc312_schedule.reports.xlsx import to_xlsx

    study = load_study(example_copy)
    data = to_xlsx(study, plan_study(study, today=D("2026-11-25")),
                   generated_at=datetime(2026, 11, 25, 8, tzinfo=UTC))
    ws = load_workbook(io.BytesIO(data))["Visits"]
    header = [c.value for c in ws[2]]
    rows = [dict(zip(header, (c.value for c in row), strict=False)) for row in ws.iter_rows(min_row=3)]
    d28 = next(r for r in rows if r["Subject"] == "006" and r["Visit"] == "D28")
    assert d28["Planned date"].date() == D("2026-11-23")
    assert d28["Moved from (why)"] == "2026-11-22 closed: weekend (Sunday)"  # the target date


# ---- the public-holiday cache ----------------------------------------------------------------

def test_holiday_table_is_cached_and_the_cache_is_equivalent(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CC312_SCHEDULE_CACHE_DIR", str(tmp_path / "cache"))
    fresh = calendar(tmp_path)
    [cached_file] = (tmp_path / "cache").glob("holidays-*.json")
    again = calendar(tmp_path)  # read back from the cache
    assert (again.closed, again.open_days, again.provisional_years, again.source) == \
        (fresh.closed, fresh.open_days, fresh.provisional_years, fresh.source)
    cached_file.write_text("{not json")  # a corrupt cache is ignored and rewritten
    assert calendar(tmp_path).closed == fresh.closed
    monkeypatch.setenv("CC312_SCHEDULE_CACHE_DIR", "off")
    assert calendar(tmp_path).closed == fresh.closed


@pytest.mark.slow
def test_a_cached_plan_does_not_import_holidays(tmp_path: Path, example_copy: Path) -> None:
    import os
    import subprocess
    import sys

    code = ("import sys, io; from cc312_schedule.cli import main; "
            f"assert main(['plan', {str(example_copy)!r}, '--format', 'csv', '--today', "
            "'2026-11-25'], stdout=io.StringIO(), stderr=io.StringIO()) == 0; "
            "print('holidays' in sys.modules)")
    env = {**os.environ, "CC312_SCHEDULE_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=env, check=True).stdout.strip() for _ in range(2)]
    assert runs == ["True", "False"]  # the first run fills the cache, the second reads it
