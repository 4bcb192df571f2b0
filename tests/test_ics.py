"""iCalendar export (issue 3): contents, time zones, updates in place, privacy, bad input.

Every produced file is parsed back with icalendar *and* with two independent parsers:
``ical`` (strict, pydantic) and ``vobject`` (which builds its time zones from our VTIMEZONE).
Expected dates and times are written by hand.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream

from cc312_schedule import InvalidStudyError, ScheduleError, load_study, plan_study
from cc312_schedule.calendars.ics import (
    STATE_FILE,
    IcsStateError,
    check_calendar,
    event_uid,
    load_ics_state,
    to_ics,
    write_ics,
)
from cc312_schedule.cli import main
from cc312_schedule.core.messages import DROPPED_FIELDS, LANGUAGES, MESSAGES, message
from conftest import copy_example_study

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
STOP_003 = "003,2026-11-26,stop,,,,Dr. Investigator A,AE\n"


# ---- helpers ------------------------------------------------------------------------------


@pytest.fixture
def study_dir(tmp_path: Path) -> Path:
    """A writable copy of the bundled example study."""
    dest = tmp_path / "study"
    copy_example_study(dest)
    return dest


def set_toml(folder: Path, **values: str) -> None:
    """Replace (or add) top-level keys of study.toml; values are TOML literals."""
    path = folder / "study.toml"
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines()
             if not any(re.match(rf"{k}(\.\w+)?\s*=", ln) for k in values)]  # site.name too
    lines += [f"{k} = {v}" for k, v in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def export(folder: Path, out: Path, at: datetime = T0, *args: str) -> int:
    err = io.StringIO()
    code = main(["ics", str(folder), "-o", str(out), "--generated-at", at.isoformat(), *args],
                stdout=io.StringIO(), stderr=err)
    assert code == 0, err.getvalue()
    return code


def events_of(path: Path) -> list[icalendar.Event]:
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return list(cal.walk("VEVENT"))


def by_visit(path: Path) -> dict[str, icalendar.Event]:
    """Events keyed by the visit name, read from the DESCRIPTION's "Visit:" line."""
    out = {}
    for ev in events_of(path):
        m = re.search(r"^Visit: (\S+)$", str(ev["DESCRIPTION"]), re.M)
        assert m, ev["DESCRIPTION"]
        out[m.group(1)] = ev
    return out


def calname(cal: icalendar.Calendar) -> str:
    """X-WR-CALNAME as text (icalendar does not know it is TEXT, so it leaves it escaped)."""
    raw = str(cal["X-WR-CALNAME"])
    return re.sub(r"\\([\\,;nN])", lambda m: "\n" if m[1] in "nN" else m[1], raw)


def unfolded(path: Path) -> str:
    return re.sub(r"\r\n[ \t]", "", path.read_bytes().decode("utf-8"))


def berlin_study(tmp_path: Path) -> Path:
    """Two subjects in Europe/Berlin whose W1D4 falls on a DST change (2026-03-29, 2026-10-25)."""
    dest = tmp_path / "berlin"
    dest.mkdir()
    (dest / "study.toml").write_text(
        'name = "Berlin DST study"\nsite = "Charité"\ntimezone = "Europe/Berlin"\n'
        'dosing_time = "09:00"\n'
        # planned on the Sundays themselves: no site calendar moving visits off weekends (and
        # nothing recorded, since done visits carry no reminder and the reminders are tested)
        "calendar = { enabled = false }\n", encoding="utf-8")
    (dest / "subjects.csv").write_text(
        "subject_id,cohort,dose_level,first_dose_date\n"
        "101,1,DL1,2026-03-26\n"  # W1D4 = Sunday 2026-03-29, clocks go forward at 02:00
        "102,1,DL1,2026-10-22\n",  # W1D4 = Sunday 2026-10-25, clocks go back at 03:00
        encoding="utf-8")
    return dest


# ---- the calendar as a whole ----------------------------------------------------------------


def test_files_and_calendar_properties(study_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "ics"
    export(study_dir, out)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["site.ics", "subject-001.ics", "subject-002.ics", "subject-003.ics",
                     "subject-004.ics", "subject-005.ics", "subject-006.ics"]
    cal = icalendar.Calendar.from_ical((out / "subject-003.ics").read_bytes())
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert "cc312-schedule" in str(cal["PRODID"])
    assert calname(cal) == "CC312 example study · subject 003 (cohort 2, DL2)"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert not cal.walk("VEVENT")[0].get("RRULE")
    assert (study_dir / STATE_FILE).is_file()


@pytest.mark.parametrize(("file", "events", "doses"), [
    ("subject-001.ics", 33, 24),  # 8 induction + 8 BIW + 8 Q2W; D28, 4 reviews, EOT, FU1-3
    ("subject-002.ics", 19, 13),  # 8 induction + 5 QW, then stopped; D28, REV-W8, EOT, FU1-3
    ("subject-003.ics", 57, 48),  # BIW to the cap: 2 x 24 doses (W3D1 missed, still listed)
    ("subject-004.ics", 28, 19),
    ("subject-005.ics", 16, 12),  # on hold: no dose after the hold
    ("subject-006.ics", 9, 8),  # induction + D28, awaiting a decision
    ("site.ics", 162, 124),
], ids=["001", "002", "003", "004", "005", "006", "site"])
def test_event_counts_per_subject(study_dir: Path, tmp_path: Path, file: str, events: int,
                                  doses: int) -> None:
    export(study_dir, tmp_path / "ics")
    path = tmp_path / "ics" / file
    text = path.read_text(encoding="utf-8")
    assert len(events_of(path)) == events
    assert len(IcsCalendarStream.calendar_from_ics(text).events) == events
    assert len(vobject.readOne(text).vevent_list) == events
    assert sum(1 for ev in events_of(path) if "· Dose " in str(ev["SUMMARY"])) == doses


@pytest.mark.parametrize(("visit", "summary", "start", "status"), [
    ("W6D4", "DONE: 003 · Dose 12 · W6D4 · DL2", datetime(2026, 8, 13, 9, 0), "CONFIRMED"),
    ("W3D1", "MISSED: 003 · Dose 5 · W3D1 · DL2", datetime(2026, 7, 20, 9, 0), "CONFIRMED"),
    ("W10D4", "DONE: 003 · Dose 20 · W10D4 · DL2", datetime(2026, 9, 11, 9, 0), "CONFIRMED"),
    ("D28", "DONE: 003 · D28 assessment · DL2", datetime(2026, 8, 3, 9, 0), "CONFIRMED"),
    # the first continuation dose, the same day as D28: after the assessment
    ("W5D1", "DONE: 003 · Dose 9 · W5D1 · DL2", datetime(2026, 8, 3, 11, 0), "CONFIRMED"),
    ("REV-W16", "DONE: 003 · REV-W16 review (decision due) · DL2", datetime(2026, 10, 26, 9, 0),
     "CONFIRMED"),  # done: the actual date counts
    ("W21D4", "003 · Dose 42 · W21D4 · DL2", datetime(2026, 11, 26, 9, 0), "CONFIRMED"),
    ("EOT", "003 · EOT end-of-treatment visit · DL2", datetime(2026, 12, 24, 9, 0),  # W24D4+7
     "CONFIRMED"),
], ids=["done", "missed", "done-late", "assessment", "dose-after-D28", "review", "planned", "eot"])
def test_summary_time_and_status(study_dir: Path, tmp_path: Path, visit: str, summary: str,
                                 start: datetime, status: str) -> None:
    export(study_dir, tmp_path / "ics")
    ev = by_visit(tmp_path / "ics" / "subject-003.ics")[visit]
    assert str(ev["SUMMARY"]) == summary
    assert ev.decoded("DTSTART").replace(tzinfo=None) == start
    assert str(ev.decoded("DTSTART").tzinfo) == "Asia/Shanghai"
    assert ev.decoded("DTEND") - ev.decoded("DTSTART") == timedelta(minutes=120)
    assert str(ev["STATUS"]) == status


def test_description_fields(study_dir: Path, tmp_path: Path) -> None:
    export(study_dir, tmp_path / "ics")
    ev = by_visit(tmp_path / "ics" / "subject-003.ics")["W21D4"]
    assert str(ev["DESCRIPTION"]).splitlines() == [
        "Cohort: 2", "Dose level: DL2", "Visit: W21D4", "Kind: dose", "Study day: 144",
        "Week: 21", "Target date: 2026-11-26", "Planned date: 2026-11-26",
        "Window: 2026-11-25 – 2026-11-27", "Procedures: vital signs",
        "Regimen: BIW (twice weekly, days 1 and 4)",
        "Status: planned"]
    assert str(ev["LOCATION"]) == "Deyang People's Hospital (德阳市人民医院)"


def test_visit_warning_in_description_without_local_paths(study_dir: Path, tmp_path: Path) -> None:
    export(study_dir, tmp_path / "ics")
    desc = str(by_visit(tmp_path / "ics" / "subject-004.ics")["W6D1"]["DESCRIPTION"])
    assert ("Warning: done on 2026-08-26, outside its window 2026-08-23…2026-08-25 "
            "(target 2026-08-24): protocol deviation") in desc
    assert str(tmp_path) not in unfolded(tmp_path / "ics" / "site.ics")


def test_provisional_doses_are_tentative(study_dir: Path, tmp_path: Path) -> None:
    # as of 2026-11-20 the assumed QW starts on day 29 (11-23); never before the day judged by
    export(study_dir, tmp_path / "ics", T0, "--assume", "QW", "--subject", "006",
           "--today", "2026-11-20")
    ev = by_visit(tmp_path / "ics" / "subject-006.ics")["W5D1"]
    assert str(ev["STATUS"]) == "TENTATIVE"
    assert str(ev["SUMMARY"]) == "PROVISIONAL: 006 · Dose 9 · W5D1 · DL3"
    assert ev.decoded("DTSTART").date() == date(2026, 11, 23)


def test_all_day_events(study_dir: Path, tmp_path: Path) -> None:
    export(study_dir, tmp_path / "ics", T0, "--all-day")
    ev = by_visit(tmp_path / "ics" / "subject-003.ics")["W21D4"]
    assert ev.decoded("DTSTART") == date(2026, 11, 26)
    assert ev.decoded("DTEND") == date(2026, 11, 27)
    text = unfolded(tmp_path / "ics" / "subject-003.ics")
    assert "DTSTART;VALUE=DATE:20261126" in text
    assert "VTIMEZONE" not in text  # no TZID is used
    strict = next(e for e in IcsCalendarStream.calendar_from_ics(text).events
                  if e.uid == str(ev["UID"]))
    assert (strict.dtstart, strict.dtend) == (date(2026, 11, 26), date(2026, 11, 27))
    # 16:00 the day before = 8 hours before the midnight that starts the day; "60 minutes
    # before" counts from the dosing time (09:00): 08:00 on the day, not 23:00 the night before
    assert [a.decoded("TRIGGER") for a in ev.walk("VALARM")] == [
        timedelta(hours=-8), timedelta(hours=8)]


# ---- time zones --------------------------------------------------------------------------------


@pytest.mark.parametrize(("file", "visit", "local", "utc_offset", "alarm_day_before"), [
    ("subject-101.ics", "W1D1", datetime(2026, 3, 26, 9, 0), timedelta(hours=1),
     timedelta(hours=-17)),
    ("subject-101.ics", "W1D4", datetime(2026, 3, 29, 9, 0), timedelta(hours=2),
     timedelta(hours=-16)),  # 16:00 CET Saturday is 16 elapsed hours before 09:00 CEST
    ("subject-102.ics", "W1D1", datetime(2026, 10, 22, 9, 0), timedelta(hours=2),
     timedelta(hours=-17)),
    ("subject-102.ics", "W1D4", datetime(2026, 10, 25, 9, 0), timedelta(hours=1),
     timedelta(hours=-18)),  # 16:00 CEST Saturday is 18 elapsed hours before 09:00 CET
], ids=["before-spring", "spring-forward-day", "before-autumn", "fall-back-day"])
def test_dst_change_in_berlin(tmp_path: Path, file: str, visit: str, local: datetime,
                              utc_offset: timedelta, alarm_day_before: timedelta) -> None:
    folder = berlin_study(tmp_path)
    export(folder, tmp_path / "ics")
    path = tmp_path / "ics" / file
    text = path.read_text(encoding="utf-8")
    # icalendar (IANA zone by name)
    ev = by_visit(path)[visit]
    start = ev.decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/Berlin"
    assert (start.replace(tzinfo=None), start.utcoffset()) == (local, utc_offset)
    assert [a.decoded("TRIGGER") for a in ev.walk("VALARM")] == [
        alarm_day_before, timedelta(hours=-1)]
    # our own VTIMEZONE, read by icalendar as a tzinfo
    vtz = icalendar.Calendar.from_ical(text).walk("VTIMEZONE")[0].to_tz()
    assert local.replace(tzinfo=vtz).utcoffset() == utc_offset
    # vobject builds its time zone from the VTIMEZONE too
    uid = str(ev["UID"])
    vev = next(v for v in vobject.readOne(text).vevent_list if v.uid.value == uid)
    assert vev.dtstart.value.utcoffset() == utc_offset
    assert vev.dtstart.value.replace(tzinfo=None) == local
    # ical (strict)
    iev = next(e for e in IcsCalendarStream.calendar_from_ics(text).events if e.uid == uid)
    assert iev.dtstart.utcoffset() == utc_offset


def test_vtimezone_observances_berlin(tmp_path: Path) -> None:
    folder = berlin_study(tmp_path)
    export(folder, tmp_path / "ics")
    text = unfolded(tmp_path / "ics" / "subject-101.ics")
    block = text[text.index("BEGIN:VTIMEZONE"):text.index("END:VTIMEZONE")]
    # RFC 5545: DTSTART is the local time before the change (02:00 CET, 03:00 CEST)
    assert "BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZNAME:CEST\r\n" \
           "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT" in block
    assert "BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZNAME:CET\r\n" \
           "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD" in block
    starts = re.findall(r"DTSTART:(\d{8}T\d{6})", block)
    assert starts == sorted(starts)
    assert starts[0] <= "20260101T000000" and starts[-1] >= "20261025T030000"


def test_shanghai_has_one_observance(study_dir: Path, tmp_path: Path) -> None:
    export(study_dir, tmp_path / "ics")
    cal = icalendar.Calendar.from_ical((tmp_path / "ics" / "site.ics").read_bytes())
    (vtz,) = cal.walk("VTIMEZONE")
    assert [(o.name, o["TZOFFSETTO"].to_ical()) for o in vtz.subcomponents] == [
        ("STANDARD", "+0800")]


def test_guard_refuses_what_icalendar_accepts() -> None:
    from zoneinfo import ZoneInfo

    def cal_with(**props: object) -> icalendar.Calendar:
        cal = icalendar.Calendar()
        ev = icalendar.Event()
        for k, v in props.items():
            ev.add(k, v)
        cal.add_component(ev)
        return cal

    start = datetime(2026, 3, 29, 9, 0)
    with pytest.raises(AssertionError, match="CANCELLED"):
        check_calendar(cal_with(dtstart=date(2026, 3, 29), dtend=date(2026, 3, 30),
                                status="CANCELED"))
    with pytest.raises(AssertionError, match="floating"):
        check_calendar(cal_with(dtstart=start, dtend=start + timedelta(hours=2)))
    with pytest.raises(AssertionError, match="IANA"):
        fixed = start.replace(tzinfo=UTC)
        check_calendar(cal_with(dtstart=fixed, dtend=fixed + timedelta(hours=2)))
    with pytest.raises(AssertionError, match="without a VTIMEZONE"):
        zoned = start.replace(tzinfo=ZoneInfo("Europe/Berlin"))
        check_calendar(cal_with(dtstart=zoned, dtend=zoned + timedelta(hours=2)))


def test_every_produced_time_is_zoned_or_a_date(study_dir: Path, tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    export(study_dir, tmp_path / "ics")
    for ev in events_of(tmp_path / "ics" / "site.ics"):
        for prop in ("DTSTART", "DTEND"):
            value = ev.decoded(prop)
            assert isinstance(value.tzinfo, ZoneInfo)
            assert value.tzinfo.key == "Asia/Shanghai"
    assert b"CANCELED" not in (tmp_path / "ics" / "site.ics").read_bytes()


# ---- updates in place ---------------------------------------------------------------------------


def test_stop_decision_cancels_removed_doses(study_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "ics"
    export(study_dir, out, T0)
    before = by_visit(out / "subject-003.ics")
    others_before = {f.name: f.read_bytes() for f in out.iterdir() if f.name != "subject-003.ics"}
    with (study_dir / "decisions.csv").open("a", encoding="utf-8") as fh:
        fh.write(STOP_003)
    export(study_dir, out, T1)
    after = by_visit(out / "subject-003.ics")
    # same UIDs for every visit; nothing duplicated
    assert {v: str(e["UID"]) for v, e in after.items()} == \
           {v: str(e["UID"]) for v, e in before.items()}
    cancelled = sorted((v for v, e in after.items() if str(e["STATUS"]) == "CANCELLED"),
                       key=lambda v: after[v].decoded("DTSTART"))
    assert cancelled == ["W21D4", "W22D1", "W22D4", "W23D1", "W23D4", "W24D1", "W24D4"]
    for v in cancelled:
        ev = after[v]
        assert ev["SEQUENCE"] == before[v]["SEQUENCE"] + 1 == 1
        assert ev.decoded("LAST-MODIFIED") == T1
        assert str(ev["SUMMARY"]).startswith("CANCELLED: 003 · Dose ")
        assert not ev.walk("VALARM")  # no reminder for a cancelled visit
    # EOT and follow-ups moved: updated; the rest unchanged
    changed = {v for v, e in after.items() if e["SEQUENCE"] != before[v]["SEQUENCE"]}
    assert changed == {*cancelled, "EOT", "FU1", "FU2", "FU3"}
    assert after["EOT"].decoded("DTSTART").date() == date(2026, 11, 30)
    for v in set(after) - changed:
        assert after[v]["SEQUENCE"] == 0
        assert after[v].decoded("LAST-MODIFIED") == T0
        assert after[v].decoded("DTSTAMP") == T1
    # the other subjects' events did not change (only DTSTAMP)
    for name, old in others_before.items():
        new = (out / name).read_bytes()
        if name != "site.ics":
            assert new == old.replace(b"DTSTAMP:20261125T080000Z", b"DTSTAMP:20261126T080000Z")
    # independent parser agrees
    text = (out / "subject-003.ics").read_text(encoding="utf-8")
    statuses = [e.status.value for e in IcsCalendarStream.calendar_from_ics(text).events]
    assert statuses.count("CANCELLED") == 7


def test_cancelled_events_stay_published_and_stable(study_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "ics"
    export(study_dir, out, T0)
    with (study_dir / "decisions.csv").open("a", encoding="utf-8") as fh:
        fh.write(STOP_003)
    export(study_dir, out, T1)
    second = (out / "subject-003.ics").read_bytes()
    export(study_dir, out, T1)  # same inputs, same state, same generated-at
    assert (out / "subject-003.ics").read_bytes() == second
    later = datetime(2026, 12, 1, tzinfo=UTC)
    export(study_dir, out, later)
    after = by_visit(out / "subject-003.ics")
    assert str(after["W24D4"]["STATUS"]) == "CANCELLED"
    assert after["W24D4"]["SEQUENCE"] == 1
    assert after["W24D4"].decoded("LAST-MODIFIED") == T1


def test_uid_stable_and_from_identity_only(study_dir: Path, tmp_path: Path) -> None:
    export(study_dir, tmp_path / "ics")
    ev = by_visit(tmp_path / "ics" / "subject-003.ics")["W6D4"]
    assert str(ev["UID"]) == event_uid("CC312 example study", "003", "W6D4")
    assert event_uid("CC312 example study", "003", "W6D4") == \
        "87f5f145-d212-5616-b4c4-3842cae7db5f"  # pinned: a new value duplicates events
    assert event_uid("CC312 example study", "003", "W6D1") != str(ev["UID"])


def test_events_sorted_by_date_then_uid(study_dir: Path, tmp_path: Path) -> None:
    export(study_dir, tmp_path / "ics")
    keys = [(ev.decoded("DTSTART").date(), str(ev["UID"]))
            for ev in events_of(tmp_path / "ics" / "site.ics")]
    assert keys == sorted(keys)


def test_subject_filter_keeps_other_subjects_state(study_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "ics"
    export(study_dir, out, T0)
    state = load_ics_state(study_dir / STATE_FILE)
    export(study_dir, tmp_path / "only", T1, "--subject", "006")
    assert sorted(p.name for p in (tmp_path / "only").iterdir()) == ["subject-006.ics"]
    assert load_ics_state(study_dir / STATE_FILE) == state  # nothing cancelled, nothing changed


def test_cohort_filter(study_dir: Path, tmp_path: Path) -> None:
    export(study_dir, tmp_path / "ics", T0, "--cohort", "2")
    assert sorted(p.name for p in (tmp_path / "ics").iterdir()) == [
        "subject-003.ics", "subject-004.ics"]


def test_stdout_writes_one_calendar(study_dir: Path) -> None:
    out = io.StringIO()
    code = main(["ics", str(study_dir), "-o", "-", "--subject", "003",
                 "--generated-at", "2026-11-25T08:00:00Z"], stdout=out, stderr=io.StringIO())
    assert code == 0
    cal = icalendar.Calendar.from_ical(out.getvalue())
    assert calname(cal) == "CC312 example study · subject 003 (cohort 2, DL2)"
    assert len(cal.walk("VEVENT")) == 57
    assert (study_dir / STATE_FILE).is_file()


def test_library_to_ics_is_pure(study_dir: Path) -> None:
    study = load_study(study_dir)
    plan = plan_study(study)
    a = to_ics(study, plan, generated_at=T0)
    assert a == to_ics(study, plan, generated_at=T0)
    assert not (study_dir / STATE_FILE).exists()
    with pytest.raises(ScheduleError, match="time zone"):
        to_ics(study, plan, generated_at=datetime(2026, 11, 25, 8, 0))


_DETERMINISM = """
import sys
from datetime import datetime, timezone
from cc312_schedule import load_study, plan_study
from cc312_schedule.calendars.ics import write_ics
study = load_study(sys.argv[1])
write_ics(study, plan_study(study), sys.argv[2],
          generated_at=datetime(2026, 11, 25, 8, tzinfo=timezone.utc),
          state_path=sys.argv[3])
"""


@pytest.mark.slow
def test_byte_identical_whatever_pythonhashseed(study_dir: Path, tmp_path: Path) -> None:
    results = []
    for seed in ("0", "4242"):
        out, state = tmp_path / f"out-{seed}", tmp_path / f"state-{seed}.json"
        for _ in range(2):  # the second run reads the first run's state
            subprocess.run([sys.executable, "-c", _DETERMINISM, str(study_dir), str(out),
                            str(state)], check=True, env={**os.environ, "PYTHONHASHSEED": seed})
        results.append(({p.name: p.read_bytes() for p in out.iterdir()}, state.read_bytes()))
    assert results[0] == results[1]


# ---- text, language, privacy ------------------------------------------------------------------

def test_special_text_round_trips(study_dir: Path, tmp_path: Path) -> None:
    # TOML basic strings: \" is a quote, \\ one backslash, \n a newline
    set_toml(study_dir, site=r'"Ward 3, Bldg. A; room \"7\"\\B\n德阳市人民医院"',
             name=r'"Study, one; two\\three"')
    site = 'Ward 3, Bldg. A; room "7"\\B\n德阳市人民医院'
    name = "Study, one; two\\three"
    assert load_study(study_dir).config.site == site
    export(study_dir, tmp_path / "ics")
    path = tmp_path / "ics" / "site.ics"
    text = path.read_text(encoding="utf-8")
    cal = icalendar.Calendar.from_ical(text)
    assert calname(cal).startswith(name + " · " + site)
    assert {str(e["LOCATION"]) for e in cal.walk("VEVENT")} == {site}
    assert {e.location for e in IcsCalendarStream.calendar_from_ics(text).events} == {site}
    assert {e.location.value for e in vobject.readOne(text).vevent_list} == {site}
    assert vobject.readOne(text).x_wr_calname.value.startswith(name + " · " + site)
    assert "DESCRIPTION:Cohort: 1\\nDose level: DL1\\n" in unfolded(path)


def test_chinese_labels(study_dir: Path, tmp_path: Path) -> None:
    set_toml(study_dir, language='"zh-CN"')
    export(study_dir, tmp_path / "ics")
    path = tmp_path / "ics" / "subject-003.ics"
    evs = by_visit_zh(path)
    assert str(evs["W6D4"]["SUMMARY"]) == "【已完成】003 · 第12次给药 · W6D4 · DL2"
    assert str(evs["W3D1"]["SUMMARY"]) == "【漏访】003 · 第5次给药 · W3D1 · DL2"
    assert str(evs["D28"]["SUMMARY"]) == "【已完成】003 · D28 继续治疗评估 · DL2"  # zh-CN-terms.md
    assert str(evs["EOT"]["SUMMARY"]) == "003 · EOT 治疗结束访视 · DL2"
    desc = str(evs["W21D4"]["DESCRIPTION"])
    for label in ("研究日：144", "理论访视日期：2026-11-26（周四）", "计划访视日期：2026-11-26（周四）",
                  "窗口期：2026-11-25（周三）至 2026-11-27（周五）", "给药方案：BIW（每周2次，第1、4天）",
                  "状态：已计划", "访视检查项目：生命体征"):
        assert label in desc
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    assert calname(cal) == "CC312 example study · 受试者 003（队列 2，DL2）"
    with (study_dir / "decisions.csv").open("a", encoding="utf-8") as fh:
        fh.write(STOP_003)
    export(study_dir, tmp_path / "ics", T1)
    assert str(by_visit_zh(path)["W24D4"]["SUMMARY"]) == "【已取消】003 · 第48次给药 · W24D4 · DL2"


def by_visit_zh(path: Path) -> dict[str, icalendar.Event]:
    out = {}
    for ev in events_of(path):
        m = re.search(r"^访视：(\S+)$", str(ev["DESCRIPTION"]), re.M)
        assert m
        out[m.group(1)] = ev
    return out


def test_message_catalogue_is_complete() -> None:
    for key, texts in MESSAGES.items():
        assert set(texts) == set(LANGUAGES), key
        fields_en = set(re.findall(r"{(\w+)}", texts["en"]))
        dropped = DROPPED_FIELDS.get((key, "zh-CN"), frozenset())  # on purpose (issue 22)
        if "{" in key or key.startswith(("err.", "hint.")):  # an error: may say {value} (issue 22)
            assert set(re.findall(r"{(\w+)}", texts["zh-CN"])) <= fields_en | {"value"}, key
            continue
        assert set(re.findall(r"{(\w+)}", texts["zh-CN"])) == fields_en - dropped, key
    assert message("zh-CN", "kind.follow-up") == "随访"


# Values that would identify a patient: each must never reach a calendar. The example's dates
# and sex codes are too short or too common to search for, so the copy gets unmistakable ones.
CANARIES = {
    "initials": ["ZXQ", "LWJ", "HMY", "CYT", "WGL", "SPF"],
    "date_of_birth": ["1961-01-17", "1962-02-13", "1963-03-19", "1964-04-23", "1965-05-29",
                      "1966-06-11"],
    "consent_date": ["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09",
                     "2026-01-12"],
    "sex": ["female-sex-canary", "male-sex-canary", "female-sex-canary", "female-sex-canary",
            "male-sex-canary", "male-sex-canary"],
    "disease": ["SLE", "IIM", "SSc", "SLE", "IIM", "SSc"],
}


def test_no_patient_identifying_data(study_dir: Path, tmp_path: Path) -> None:
    path = study_dir / "subjects.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    new = [rows[0]]
    for i, row in enumerate(rows[1:]):
        cells = row.split(",")
        for col, values in CANARIES.items():
            cells[header.index(col)] = values[i]
        new.append(",".join(cells))
    path.write_text("\n".join(new) + "\n", encoding="utf-8")
    assert "disease activity score (SLEDAI-2K)" in plan_study(load_study(study_dir)) \
        .subject("001").events[0].procedures  # the engine knows the disease ...
    export(study_dir, tmp_path / "ics", T0, "--assume", "QW")
    export(study_dir, tmp_path / "ics-day", T0, "--all-day")
    files = [*(tmp_path / "ics").iterdir(), *(tmp_path / "ics-day").iterdir()]
    assert len(files) == 14
    for f in files:
        text = unfolded(f)
        for col, values in CANARIES.items():
            for v in values:
                for form in {v, v.replace("-", "")}:  # ISO and iCal date forms
                    assert not re.search(rf"(?<![A-Za-z]){re.escape(form)}(?![A-Za-z])", text), \
                        f"{col} value {v!r} in {f.name}"
        assert "SLEDAI" not in text and "MMT-8" not in text and "mRSS" not in text  # ... we don't


# ---- bad input changes nothing ---------------------------------------------------------------


def snapshot(*folders: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p): (p.read_bytes(), p.stat().st_mtime_ns)
            for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("args", "error"), [
    (["--subject", "999"], "--subject: unknown subject: '999'"),  # not in subjects.csv
    (["--cohort", "9"], "--cohort: unknown cohort: '9'"),  # no such cohort
    (["--subject", "001", "--cohort", "2"], "no subject matches"),  # empty intersection
    (["--assume", "Q3W"], "Q3W"),  # not a regimen of the protocol
    (["--generated-at", "2026-11-25T08:00"], "needs a time zone"),  # floating DTSTAMP
    (["--generated-at", "yesterday"], "not an ISO date-time"),
], ids=["unknown-subject", "unknown-cohort", "no-match", "bad-regimen", "naive-stamp",
        "bad-stamp"])
def test_bad_arguments_change_nothing(study_dir: Path, tmp_path: Path, args: list[str],
                                      error: str) -> None:
    out = tmp_path / "ics"
    export(study_dir, out)
    before = snapshot(study_dir, out)
    err = io.StringIO()
    code = main(["ics", str(study_dir), "-o", str(out), "--generated-at",
                 "2026-11-26T08:00:00Z", *args], stdout=io.StringIO(), stderr=err)
    assert code == 2
    assert error in err.getvalue()
    assert "Traceback" not in err.getvalue()
    assert snapshot(study_dir, out) == before


def test_corrupt_state_file_changes_nothing(study_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "ics"
    export(study_dir, out)
    state = study_dir / STATE_FILE
    state.write_text(state.read_text(encoding="utf-8")[:500], encoding="utf-8")  # truncated
    before = snapshot(study_dir, out)
    err = io.StringIO()
    code = main(["ics", str(study_dir), "-o", str(out)], stdout=io.StringIO(), stderr=err)
    assert code == 2
    assert "corrupt calendar state file" in err.getvalue()
    assert STATE_FILE in err.getvalue() and "restore it from a backup" in err.getvalue()
    assert snapshot(study_dir, out) == before
    with pytest.raises(IcsStateError):
        load_ics_state(state)


def test_unwritable_output_folder_changes_nothing(study_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "ics"
    export(study_dir, out)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    before = snapshot(study_dir, out)
    err = io.StringIO()
    for target in (blocker, blocker / "sub"):  # root may write anywhere, but not into a file
        code = main(["ics", str(study_dir), "-o", str(target)], stdout=io.StringIO(), stderr=err)
        assert code == 2
        assert "cannot create the output folder" in err.getvalue()
    assert snapshot(study_dir, out) == before


def test_crash_mid_write_leaves_previous_files(study_dir: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "ics"
    export(study_dir, out)
    with (study_dir / "decisions.csv").open("a", encoding="utf-8") as fh:
        fh.write(STOP_003)
    before = snapshot(study_dir, out)
    real_fdopen = os.fdopen
    calls = {"n": 0}

    def failing_fdopen(fd: int, *a: object, **kw: object) -> object:
        calls["n"] += 1
        if calls["n"] == 4:
            os.close(fd)
            raise OSError(28, "No space left on device")
        return real_fdopen(fd, *a, **kw)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "fdopen", failing_fdopen)
    study = load_study(study_dir)
    with pytest.raises(ScheduleError, match="No space left"):
        write_ics(study, plan_study(study), out, generated_at=T1)
    monkeypatch.undo()
    assert snapshot(study_dir, out) == before
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(("reminders", "error"), [
    ('"16:00 the day before"', "must be a list of strings"),  # a string, not a list
    ('["1 day before"]', "not a reminder: '1 day before'"),  # days need a clock time
    ('["25:00 the day before"]', "not a reminder"),  # no such time
], ids=["not-a-list", "days-without-time", "bad-time"])
def test_bad_reminders_refused(study_dir: Path, reminders: str, error: str) -> None:
    set_toml(study_dir, reminders=reminders)
    with pytest.raises(InvalidStudyError, match=re.escape(error)) as info:
        load_study(study_dir)
    assert "reminders" in str(info.value)


def test_reminders_configurable(study_dir: Path, tmp_path: Path) -> None:
    set_toml(study_dir, reminders='["08:00 2 days before", "2 hours before", "07:30 on the day"]')
    export(study_dir, tmp_path / "ics")
    ev = by_visit(tmp_path / "ics" / "subject-003.ics")["W21D4"]  # 2026-11-26 09:00
    assert [a.decoded("TRIGGER") for a in ev.walk("VALARM")] == [
        timedelta(days=-2, hours=-1), timedelta(hours=-2), timedelta(minutes=-90)]
    set_toml(study_dir, reminders="[]")
    export(study_dir, tmp_path / "ics", T1)
    ev = by_visit(tmp_path / "ics" / "subject-003.ics")["W21D4"]
    assert not ev.walk("VALARM")
    assert ev["SEQUENCE"] == 1  # reminders are content: a change increments SEQUENCE


# ---- properties --------------------------------------------------------------------------------



def content(ev: icalendar.Event) -> bytes:
    """The event without DTSTAMP, SEQUENCE and LAST-MODIFIED."""
    ev = icalendar.Event.from_ical(ev.to_ical())
    for prop in ("DTSTAMP", "SEQUENCE", "LAST-MODIFIED"):
        ev.pop(prop)
    return bytes(ev.to_ical())


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stop=st.dates(min_value=date(2026, 8, 4),  # 003 has a decision on 08-03: one a day
                     max_value=date(2026, 12, 20)))
def test_any_stop_updates_in_place(tmp_path_factory: pytest.TempPathFactory,
                                   stop: date) -> None:
    """Whatever the stop date: the same UIDs, nothing lost, SEQUENCE +1 exactly where changed."""
    root = tmp_path_factory.mktemp("stop")
    folder = root / "study"
    copy_example_study(folder)
    study = load_study(folder)
    first = write_ics(study, plan_study(study), root / "ics", generated_at=T0)
    before = {str(e["UID"]): e for e in events_of(root / "ics" / "site.ics")}
    with (folder / "decisions.csv").open("a", encoding="utf-8") as fh:
        fh.write(f"003,{stop.isoformat()},stop,,,,Dr. Investigator A,AE\n")
    study = load_study(folder)
    second = write_ics(study, plan_study(study), root / "ics", generated_at=T1)
    after = {str(e["UID"]): e for e in events_of(root / "ics" / "site.ics")}
    assert set(after) == set(before)  # cancelled ones are kept, no new identities
    assert first.new == len(before) and second.new == 0
    for uid, ev in after.items():
        changed = ev.decoded("LAST-MODIFIED") == T1
        assert ev["SEQUENCE"] == before[uid]["SEQUENCE"] + changed
        assert changed == (content(ev) != content(before[uid]))
        if str(ev["STATUS"]) == "CANCELLED":
            assert str(ev["SUMMARY"]).startswith("CANCELLED: 003 ")
            assert ev.decoded("DTSTART").date() >= stop
    assert second.cancelled == sum(str(e["STATUS"]) == "CANCELLED" for e in after.values())


def test_hold_then_resume_reuses_the_cancelled_uid(study_dir: Path, tmp_path: Path) -> None:
    decisions = study_dir / "decisions.csv"
    full = decisions.read_text(encoding="utf-8")
    hold = "005,2026-11-02,hold,,,,Dr. Investigator A,Grade 2 respiratory infection; hold until resolved\n"
    assert hold in full
    decisions.write_text(full.replace(hold, ""), encoding="utf-8")
    out = tmp_path / "ics"
    export(study_dir, out, T0)  # 005 continues QW: W10D1 on 2026-11-09 is planned
    assert str(by_visit(out / "subject-005.ics")["W10D1"]["STATUS"]) == "CONFIRMED"
    decisions.write_text(full, encoding="utf-8")
    export(study_dir, out, T1)  # the hold removes it
    ev = by_visit(out / "subject-005.ics")["W10D1"]
    assert (str(ev["STATUS"]), ev["SEQUENCE"]) == ("CANCELLED", 1)
    with decisions.open("a", encoding="utf-8") as fh:
        fh.write("005,2026-11-05,resume,,,,Dr. Investigator A,Infection resolved\n")
    export(study_dir, out, datetime(2026, 11, 27, 8, 0, tzinfo=UTC))
    ev = by_visit(out / "subject-005.ics")["W10D1"]
    assert (str(ev["STATUS"]), ev["SEQUENCE"]) == ("CONFIRMED", 2)
    assert str(ev["SUMMARY"]) == "005 · Dose 13 · W10D1 · DL3"  # W9D1 (11-02) stays held


@pytest.mark.parametrize(("file", "dtstart", "dtend"), [
    # 02:30 does not exist on 2026-03-29: RFC 5545 readers take the offset before the gap
    # (+01:00), i.e. 03:30 CEST; the end is 2 elapsed hours later, 05:30 CEST.
    ("subject-101.ics", "20260329T023000", "20260329T053000"),
    # 02:30 happens twice on 2026-10-25: the first (CEST, +02:00) is meant; +2 h is 03:30 CET.
    ("subject-102.ics", "20261025T023000", "20261025T033000"),
], ids=["gap", "fold"])
def test_dosing_time_in_a_dst_gap_or_fold(tmp_path: Path, file: str, dtstart: str,
                                          dtend: str) -> None:
    folder = berlin_study(tmp_path)
    set_toml(folder, dosing_time='"02:30"')
    export(folder, tmp_path / "ics")
    path = tmp_path / "ics" / file
    assert f"DTSTART;TZID=Europe/Berlin:{dtstart}" in unfolded(path)
    assert f"DTEND;TZID=Europe/Berlin:{dtend}" in unfolded(path)
    ev = by_visit(path)["W1D4"]
    start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=2)


def test_subject_removed_from_the_study_is_cancelled_in_the_site_calendar(
        study_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "ics"
    export(study_dir, out, T0)
    for name in ("subjects.csv", "visits.csv", "decisions.csv"):  # 006 was entered by mistake
        path = study_dir / name
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(ln for ln in lines if not ln.startswith("006,")),
                        encoding="utf-8")
    # a published subject never vanishes silently: refused until retired on purpose (issue 9)
    assert main(["ics", str(study_dir), "-o", str(out), "--generated-at", T1.isoformat()],
                stdout=io.StringIO(), stderr=io.StringIO()) == 2
    export(study_dir, out, T1, "--retire", "006")
    site = [e for e in events_of(out / "site.ics") if "006 · " in str(e["SUMMARY"])]
    assert len(site) == 9
    assert {(str(e["STATUS"]), e["SEQUENCE"]) for e in site} == {("CANCELLED", 1)}
    own = events_of(out / "subject-006.ics")  # its own calendar: every event cancelled too
    assert {(str(e["STATUS"]), e["SEQUENCE"]) for e in own} == {("CANCELLED", 1)}
    assert len(own) == 9


def test_a_visit_left_on_a_closed_day_is_to_be_confirmed(study_dir: Path, tmp_path: Path) -> None:
    """003's W22D4 (Thu 12-03) with the site closed 12-02 … 12-04: no open day in its window,
    so it stays on 12-03 for the team to date, as the participant's schedule says: tentative,
    flagged, and no reminder to call the participant about a closed day (new-user trial)."""
    (study_dir / "closed-days.csv").write_text(
        "date,status,reason\n2026-12-02,closed,move\n2026-12-03,closed,move\n"
        "2026-12-04,closed,move\n", encoding="utf-8")
    export(study_dir, tmp_path / "ics", T0, "--subject", "003", "--today", "2026-11-25")
    events = by_visit(tmp_path / "ics" / "subject-003.ics")
    rows = {v: (str(events[v]["SUMMARY"]), str(events[v]["STATUS"]),
                bool(events[v].walk("VALARM"))) for v in ("W22D1", "W22D4")}
    assert rows == {
        "W22D1": ("003 · Dose 43 · W22D1 · DL2", "CONFIRMED", True),
        "W22D4": ("DATE TO BE CONFIRMED: 003 · Dose 44 · W22D4 · DL2", "TENTATIVE", False)}
