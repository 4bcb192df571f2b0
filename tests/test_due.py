"""The nurses' due list (cc312-schedule due): the example study on fixed days, rows written out by hand.

The example study records visits up to 2026-11-19; after that its plan stands as planned:
003 (BIW to the cap) has REV-W20 and W21D1 on Monday 2026-11-23 (windows to 11-25 and 11-24)
and W21D4 on Thursday 11-26 (window to Friday 11-27); 006's D28 assessment (target Sunday
11-22) is planned Monday 11-23, window to 11-25, and its decision is pending; 005's REV-W12 is
planned Monday 11-30 (window 11-26…12-02). The site is closed on weekends.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cc312_schedule import example_study_path, load_study, plan_study
from cc312_schedule.cli import main
from cc312_schedule.core.errors import UsageError
from cc312_schedule.core.model import EventStatus
from cc312_schedule.reports.due import (
    DUE_COLUMNS,
    DueSection,
    plan_due,
    to_due_csv,
    to_due_json,
    to_due_table,
)

D = date.fromisoformat


@pytest.fixture(scope="module")
def example() -> Any:
    study = load_study(example_study_path())
    return study, plan_study(study)


def rows_of(example: Any, day: str) -> list[tuple[Any, ...]]:
    study, plan = example
    [d] = plan_due(study, plan, start=D(day)).days
    return [(r.section.value, r.subject_id, r.visit, str(r.planned_date), str(r.window_end),
             r.days_late) for r in d.rows]


# (section, subject, visit, planned date, last day of the window, days late); in a section by
# time, then subject: 003's W21D1 follows its REV-W20 on 11-23, so it starts at 11:00 (last)
DAYS = [
    pytest.param("2026-11-23", [
        ("today", "003", "REV-W20", "2026-11-23", "2026-11-25", None),
        ("today", "006", "D28", "2026-11-23", "2026-11-25", None),
        ("today", "003", "W21D1", "2026-11-23", "2026-11-24", None),   # 11:00: after REV-W20
        ("decision", "006", "D28", "2026-11-23", "2026-11-25", None),   # due today: not late
    ], id="dosing-day-with-a-decision-due"),
    pytest.param("2026-11-24", [
        # windows ending today (W21D1) or on the next open day, Wednesday (REV-W20, D28)
        ("closing", "003", "REV-W20", "2026-11-23", "2026-11-25", None),
        ("closing", "006", "D28", "2026-11-23", "2026-11-25", None),
        ("closing", "003", "W21D1", "2026-11-23", "2026-11-24", None),   # 11:00: after REV-W20
        ("decision", "006", "D28", "2026-11-23", "2026-11-25", None),  # its window is open
    ], id="windows-closing-tomorrow"),
    pytest.param("2026-11-27", [
        ("closing", "003", "W21D4", "2026-11-26", "2026-11-27", None),   # its last day
        ("overdue", "003", "REV-W20", "2026-11-23", "2026-11-25", 2),
        ("overdue", "006", "D28", "2026-11-23", "2026-11-25", 2),
        ("overdue", "003", "W21D1", "2026-11-23", "2026-11-24", 3),
        ("decision", "006", "D28", "2026-11-23", "2026-11-25", 2),  # as late as its visit
        # 005 REV-W12 (window open since 11-26, planned 11-30) is not listed before its day
    ], id="the-day-a-window-closes"),
    pytest.param("2026-11-28", [  # overdue: the longest overdue first, by planned date (issue 22)
        ("overdue", "003", "REV-W20", "2026-11-23", "2026-11-25", 3),
        ("overdue", "006", "D28", "2026-11-23", "2026-11-25", 3),
        ("overdue", "003", "W21D1", "2026-11-23", "2026-11-24", 4),
        ("overdue", "003", "W21D4", "2026-11-26", "2026-11-27", 1),
        ("decision", "006", "D28", "2026-11-23", "2026-11-25", 3),
    ], id="weekend"),
    pytest.param("2026-11-30", [
        ("today", "003", "W22D1", "2026-11-30", "2026-12-01", None),
        ("today", "005", "REV-W12", "2026-11-30", "2026-12-02", None),
        ("overdue", "003", "REV-W20", "2026-11-23", "2026-11-25", 5),
        ("overdue", "006", "D28", "2026-11-23", "2026-11-25", 5),
        ("overdue", "003", "W21D1", "2026-11-23", "2026-11-24", 6),
        ("overdue", "003", "W21D4", "2026-11-26", "2026-11-27", 3),
        ("decision", "006", "D28", "2026-11-23", "2026-11-25", 5),
    ], id="monday-after-the-weekend"),
]


@pytest.mark.parametrize(("day", "expected"), DAYS)
def test_due_list_of_the_example_study(example: Any, day: str, expected: list[Any]) -> None:
    assert rows_of(example, day) == expected


def test_still_in_window_and_closing_around_a_follow_up(example: Any) -> None:
    # Tuesday 2026-12-29: the FU windows (12-21…01-04) stay open past Wednesday; 005's REV-W16
    # (planned 12-28, window to 12-30) closes on the next open day
    rows = [r for r in rows_of(example, "2026-12-29") if r[0] in ("in-window", "closing")]
    assert rows == [
        ("in-window", "001", "FU2", "2026-12-28", "2027-01-04", None),
        ("in-window", "002", "FU3", "2026-12-28", "2027-01-04", None),
        ("closing", "005", "REV-W16", "2026-12-28", "2026-12-30", None),
    ]


def test_weekend_day_names_the_closure_and_counts(example: Any) -> None:
    study, plan = example
    [d] = plan_due(study, plan, start=D("2026-11-28")).days
    assert d.closed_reason == "weekend (Saturday)"
    assert {s.value: d.count(s) for s in DueSection} == {
        "today": 0, "in-window": 0, "closing": 0, "overdue": 4, "decision": 1}


def test_recorded_visit_of_the_day_is_listed_with_its_warning(example: Any) -> None:
    # 005's D28 was done on Sunday 2026-10-04, a closed day with no open day in its window
    study, plan = example
    [d] = plan_due(study, plan, start=D("2026-10-04")).days
    [row] = [r for r in d.rows if r.visit == "D28"]
    assert (row.section, row.subject_id, row.status) == (DueSection.TODAY, "005", EventStatus.DONE)
    assert [w.category for w in row.warnings] == ["ClosedDayConflictWarning"]
    assert "2026-10-04 falls on a closed day" in row.warnings[0].message


def test_capacity_warning_touches_the_days_visits(make_study: Any) -> None:
    folder = make_study(study='name = "cap"\n[calendar]\nmax_dosing_per_day = 1\n',
                        subjects="001,1,DL1,2026-03-02,SLE,,,\n002,1,DL1,2026-03-02,SLE,,,\n")
    study = load_study(folder)
    [d] = plan_due(study, plan_study(study), start=D("2026-03-02")).days
    assert [(r.subject_id, r.visit, [w.category for w in r.warnings]) for r in d.rows] == [
        ("001", "W1D1", ["CapacityWarning"]), ("002", "W1D1", ["CapacityWarning"])]
    assert "2 dosing visits, the site has 1 chairs" in to_due_table(plan_due(
        study, plan_study(study), start=D("2026-03-02")))


def test_provisional_visits_are_to_be_confirmed_and_never_overdue(example: Any) -> None:
    study, _ = example
    plan = plan_study(study, assume="QW", today=D("2026-11-30"))
    due = plan_due(study, plan, start=D("2026-11-30"), end=D("2027-01-31"))
    prov = [r for r in due.rows if r.status is EventStatus.PROVISIONAL]
    assert prov and {r.subject_id for r in prov} == {"006"}
    assert all(r.section is not DueSection.OVERDUE for r in prov)
    assert "to be confirmed" in to_due_table(due)


def test_range_counts_each_overdue_visit_once(example: Any) -> None:
    study, plan = example
    due = plan_due(study, plan, start=D("2026-11-27"), end=D("2026-11-30"))
    assert [d.day for d in due.days] == [D("2026-11-27"), D("2026-11-28"), D("2026-11-29"),
                                         D("2026-11-30")]
    # overdue over the range: REV-W20, W21D1, D28 (all four days), W21D4 (from Saturday)
    assert {s.value: due.count(s) for s in DueSection} == {
        "today": 2, "in-window": 0, "closing": 1, "overdue": 4, "decision": 1}


def test_no_identifying_value_and_no_disease_in_any_format(example: Any) -> None:
    study, plan = example
    due = plan_due(study, plan, start=D("2026-11-23"), end=D("2026-12-29"))
    for text in (to_due_table(due), to_due_csv(due), to_due_json(due)):
        # initials, birth and consent dates of subjects.csv, the disease and its score names
        for secret in ("ZXQ", "HMY", "SPF", "1979-12-01", "2026-06-15", "SLEDAI", "mRSS", "MMT-8",
                       "SSc", "IIM"):
            assert secret not in text
    assert "disease activity score" in to_due_table(due)


def test_csv_and_json_columns(example: Any) -> None:
    study, plan = example
    due = plan_due(study, plan, start=D("2026-11-30"))
    rows = list(csv.DictReader(io.StringIO(to_due_csv(due))))
    assert tuple(rows[0]) == DUE_COLUMNS
    assert rows[0] == {
        "day": "2026-11-30", "section": "today", "subject_id": "003", "cohort": "2",
        "dose_level": "DL2", "visit": "W22D1", "kind": "dose", "status": "planned",
        "planned_date": "2026-11-30", "time": "09:00", "window_start": "2026-11-29",
        "window_end": "2026-12-01", "dose_number": "43", "regimen": "BIW",
        "procedures": "vital signs", "days_late": "", "warnings": ""}
    doc = json.loads(to_due_json(due))
    assert doc["counts"] == {"today": 2, "in-window": 0, "closing": 0, "overdue": 4, "decision": 1}
    assert doc["days"][0]["rows"][-1]["section"] == "decision"


def test_chinese_labels() -> None:
    study = load_study(example_study_path())
    due = plan_due(study, plan_study(study), start=D("2026-11-28"), language="zh-CN")
    text = to_due_table(due)
    for label in ("每日访视清单", "2026-11-28（周六）", "中心停诊：周六", "已逾期（窗口期已过，未记录）",
                  "应决策", "定期评估（需决策）", "第42次给药", "生命体征"):
        assert label in text, label


# ---- the command line -------------------------------------------------------------------

def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(["--on", "2026-11-30", "--from", "2026-11-30", "--to", "2026-12-01"],
                 "--on: give either --on or --from/--to", id="on-and-range"),
    pytest.param(["--from", "2026-12-02", "--to", "2026-11-30"],
                 "--to: is before --from 2026-12-02: '2026-11-30' (give --to on or after --from)",
                 id="to-before-from"),
    pytest.param(["--from", "2026-01-01", "--to", "2027-01-01"],
                 "--to: the range from 2026-01-01 is over a year: '2027-01-01' "
                 "(list at most a year at a time: --to 2026-12-31 at the latest)", id="over-a-year"),
    pytest.param(["--from", "2026-11-30"], "--to: a range needs both --from and --to",
                 id="from-without-to"),
    pytest.param(["--on", "30/11/2026"], "write it as YYYY-MM-DD", id="not-iso"),
    pytest.param(["--format", "xlsx"], "invalid choice: 'xlsx'", id="bad-format"),
])
def test_bad_input_exits_2_and_writes_nothing(args: list[str], message: str, tmp_path: Path) -> None:
    out = tmp_path / "due.csv"
    code, _, err = run("due", str(example_study_path()), *args, "-o", str(out))
    assert code == 2 and message in err and "Traceback" not in err
    assert not out.exists() and not list(tmp_path.iterdir())


def test_a_year_exactly_is_accepted(example: Any) -> None:
    study, plan = example
    assert len(plan_due(study, plan, start=D("2028-01-01"), end=D("2028-12-31")).days) == 366
    with pytest.raises(UsageError, match="--to 2027-02-28 at the latest"):
        plan_due(study, plan, start=D("2026-03-01"), end=D("2027-03-01"))


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "html"])
def test_every_format_writes_its_file(fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"due.{fmt}"
    code, _, err = run("due", str(example_study_path()), "--on", "2026-11-30", "--format", fmt,
                       "-o", str(out), "--generated-at", "2026-11-30T00:00:00Z")
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert "W22D1" in text and "REV-W12" in text
    # same inputs, same bytes
    run("due", str(example_study_path()), "--on", "2026-11-30", "--format", fmt,
        "-o", str(tmp_path / "again"), "--generated-at", "2026-11-30T00:00:00Z")
    assert (tmp_path / "again").read_bytes() == out.read_bytes()


def test_default_day_is_today_at_the_site() -> None:
    code, out, _ = run("due", str(example_study_path()))
    assert code == 0 and out.startswith("CC312 example study · due list ")


@pytest.mark.parametrize(("day", "expected"), [
    pytest.param("2026-08-24", [], id="planned-day-nothing-due-done-later"),
    pytest.param("2026-08-26", [("today", "004", "W6D1", "done", ["WindowDeviationWarning"])],
                 id="done-day-with-its-deviation"),
])
def test_a_visit_done_late_is_listed_on_the_day_it_was_done(example: Any, day: str,
                                                            expected: list[Any]) -> None:
    # 004's W6D1: planned Monday 2026-08-24 (window 08-23…08-25), done Wednesday 08-26
    study, plan = example
    [d] = plan_due(study, plan, start=D(day)).days
    assert [(r.section.value, r.subject_id, r.visit, r.status.value, [w.category for w in r.warnings])
            for r in d.rows if r.subject_id == "004"] == expected


@pytest.mark.slow
def test_due_csv_imports_no_page_or_exporter_library() -> None:
    # the day list for scripts starts fast: Jinja2, WeasyPrint, Babel and pandas load only for pages
    import subprocess
    import sys

    code = ("import io, sys\nfrom cc312_schedule.cli import main\n"
            f"assert main(['due', {str(example_study_path())!r}, '--on', '2026-11-30', '--format', 'csv'],"
            " stdout=io.StringIO()) == 0\n"
            "print(sorted({m.split('.')[0] for m in sys.modules}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(eval(out.stdout.splitlines()[-1]))
    assert loaded.isdisjoint({"jinja2", "weasyprint", "babel", "pandas", "openpyxl", "icalendar"})


def test_a_site_closed_day_is_named_once_in_the_list_language(tmp_path: Path) -> None:
    # closed-days.csv's reason is the site's own words; "site closed" comes from the list's label
    from cc312_schedule import load_study, plan_study
    from cc312_schedule.reports.due import plan_due, to_due_table
    from conftest import copy_example_study

    study_dir = copy_example_study(tmp_path / "s")
    (study_dir / "closed-days.csv").write_text("date,status,reason\n2026-12-02,closed,药房盘点\n",
                                               encoding="utf-8")
    study = load_study(study_dir)
    day = date(2026, 12, 2)
    table = to_due_table(plan_due(study, plan_study(study, today=day), start=day, language="zh-CN"))
    assert "中心停诊：药房盘点" in table and "中心停诊：中心停诊" not in table
