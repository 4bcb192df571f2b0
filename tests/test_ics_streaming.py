"""write_ics streams (one subject at a time, site.ics from a spool of serialized events) and
writes exactly what the pure plan_calendars builds in memory, which is exactly what icalendar
writes for the whole calendar at once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest

from cc312_schedule import load_study, plan_study
from cc312_schedule.calendars.ics import (
    check_calendar,
    load_ics_state,
    plan_calendars,
    state_path_of,
    to_state_json,
    write_ics,
)
from conftest import copy_example_study

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
T1 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("all_day", [False, True], ids=["timed", "all-day"])
def test_written_files_equal_the_pure_export(tmp_path: Path, all_day: bool) -> None:
    folder = copy_example_study(tmp_path / "study")
    study = load_study(folder)
    # a second export over a state with a stop since: updated and cancelled events too
    write_ics(study, plan_study(study), tmp_path / "first", generated_at=T0, all_day=all_day)
    with (folder / "decisions.csv").open("a", encoding="utf-8") as fh:
        fh.write("003,2026-08-20,stop,,,,Dr. Investigator A,benchmark test\n")
    study = load_study(folder)
    plan = plan_study(study)
    expected = plan_calendars(study, plan, generated_at=T1, all_day=all_day,
                              state=load_ics_state(state_path_of(study)))
    written = write_ics(study, plan, tmp_path / "out", generated_at=T1, all_day=all_day)
    assert written.cancelled == expected.cancelled > 0
    assert (written.new, written.updated, written.unchanged) == (
        expected.new, expected.updated, expected.unchanged)
    assert [p.name for p in written.paths] == [name for name, _ in expected.files]
    for name, data in expected.files:
        assert (tmp_path / "out" / name).read_bytes() == data, name


def test_pieces_equal_icalendars_own_serialization(tmp_path: Path) -> None:
    folder = copy_example_study(tmp_path / "study")
    study = load_study(folder)
    data = dict(plan_calendars(study, plan_study(study), generated_at=T0).files)["site.ics"]
    cal = icalendar.Calendar.from_ical(data)
    assert cal.to_ical() == data
    check_calendar(cal)  # checked per event while building; the whole calendar passes too


def test_state_json_written_piecewise_equals_one_json_dump(tmp_path: Path) -> None:
    folder = copy_example_study(tmp_path / "study")
    study = load_study(folder)
    state = plan_calendars(study, plan_study(study), generated_at=T0).state
    data = to_state_json(state)
    doc = json.loads(data)
    assert len(doc["events"]) == len(state.events) > 100
    assert data == (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()
