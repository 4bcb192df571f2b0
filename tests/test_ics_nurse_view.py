"""What a nurse sees in a calendar (files, feeds and CalDAV share the events): reminders that
never ring at night for all-day events, no reminder for what is behind her, D28 before the
first continuation dose, and recorded visits marked done.

The example study's subject 003 (timed events at 09:00 Asia/Shanghai, default reminders
"16:00 the day before" and "60 minutes before"); subject 006 awaits its D28 decision on
2026-11-23, so ``--assume QW`` (as of 2026-11-20) plans its first continuation dose (W5D1) on the same day.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from cc312_schedule.cli import main
from conftest import copy_example_study

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
H = timedelta(hours=1)


def export(folder: Path, out: Path, *args: str) -> None:
    err = io.StringIO()
    code = main(["ics", str(folder), "-o", str(out), "--generated-at", T0.isoformat(), *args],
                stdout=io.StringIO(), stderr=err)
    assert code == 0, err.getvalue()


def by_visit(path: Path) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    out = {}
    for ev in cal.walk("VEVENT"):
        for line in str(ev["DESCRIPTION"]).splitlines():
            if line.startswith("Visit: "):
                out[line.removeprefix("Visit: ")] = ev
    return out


def triggers(ev: icalendar.Event) -> list[timedelta]:
    return [a.decoded("TRIGGER") for a in ev.walk("VALARM")]


@pytest.fixture
def study(tmp_path: Path) -> Path:
    return copy_example_study(tmp_path / "study")


@pytest.mark.parametrize(("visit", "args", "expected"), [
    ("W21D4", (), [-17 * H, -1 * H]),  # planned 2026-11-26 09:00: 16:00 the day before, 08:00
    ("W6D4", (), []),  # recorded done
    ("W3D1", (), []),  # recorded missed
    ("W21D4", ("--today", "2026-11-26"), [-17 * H, -1 * H]),  # today: still ahead
    ("W21D4", ("--today", "2026-11-27"), []),  # in the past, nothing recorded
    ("EOT", ("--today", "2026-11-27"), [-17 * H, -1 * H]),  # 2026-12-24, ahead
], ids=["planned", "done", "missed", "on-today", "past", "future-with-today"])
def test_reminders_only_for_visits_ahead(study: Path, tmp_path: Path, visit: str,
                                         args: tuple[str, ...], expected: list[timedelta]) -> None:
    export(study, tmp_path / "ics", "--subject", "003", *args)
    assert triggers(by_visit(tmp_path / "ics" / "subject-003.ics")[visit]) == expected


@pytest.mark.parametrize(("visit", "start", "end", "alarms", "order"), [
    # Monday visits: the first reminder at 16:00 on Friday, the site's previous working day
    ("D28", datetime(2026, 11, 23, 9), datetime(2026, 11, 23, 11), [-65 * H, -1 * H],
     "Order on this day: first D28 (assessment), then W5D1 (dose)"),
    ("W5D1", datetime(2026, 11, 23, 11), datetime(2026, 11, 23, 13), [-67 * H, -1 * H],
     "Order on this day: first D28 (assessment), then W5D1 (dose)"),
    ("W6D1", datetime(2026, 11, 30, 9), datetime(2026, 11, 30, 11), [-65 * H, -1 * H], None),
], ids=["assessment-first", "dose-after", "other-day"])
def test_assessment_then_first_continuation_dose(study: Path, tmp_path: Path, visit: str,
                                                 start: datetime, end: datetime,
                                                 alarms: list[timedelta], order: str | None) -> None:
    export(study, tmp_path / "ics", "--subject", "006", "--assume", "QW", "--today", "2026-11-20")
    ev = by_visit(tmp_path / "ics" / "subject-006.ics")[visit]
    assert ev.decoded("DTSTART").replace(tzinfo=None) == start
    assert ev.decoded("DTEND").replace(tzinfo=None) == end
    assert triggers(ev) == alarms
    lines = str(ev["DESCRIPTION"]).splitlines()
    assert [ln for ln in lines if ln.startswith("Order on this day")] == ([order] if order else [])


@pytest.mark.parametrize(("visit", "alarms"), [
    # all-day events start at midnight: "60 minutes before" counts from the visit's time
    # Monday 2026-11-23: 16:00 on Friday 11-20, the working day before; 08:00 (09:00 - 60 min)
    ("D28", [-56 * H, 8 * H]),
    ("W5D1", [-56 * H, 10 * H]),  # the dose follows the assessment: 11:00 - 60 min
], ids=["assessment", "dose-after"])
def test_all_day_reminders_count_from_the_dosing_time(study: Path, tmp_path: Path, visit: str,
                                                     alarms: list[timedelta]) -> None:
    export(study, tmp_path / "ics", "--subject", "006", "--assume", "QW", "--all-day",
           "--today", "2026-11-20")
    ev = by_visit(tmp_path / "ics" / "subject-006.ics")[visit]
    assert triggers(ev) == alarms


@pytest.mark.parametrize(("visit", "summary"), [
    ("W1D1", "DONE: 003 · Dose 1 · W1D1 · DL2"),
    ("W3D1", "MISSED: 003 · Dose 5 · W3D1 · DL2"),
    ("W21D4", "003 · Dose 42 · W21D4 · DL2"),  # planned: no flag
], ids=["done", "missed", "planned"])
def test_recorded_visits_are_marked_in_the_summary(study: Path, tmp_path: Path, visit: str,
                                                   summary: str) -> None:
    export(study, tmp_path / "ics", "--subject", "003")
    assert str(by_visit(tmp_path / "ics" / "subject-003.ics")[visit]["SUMMARY"]) == summary
