"""The protocol template: the bundled file loads, and every malformed one names key and value."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cc312_schedule import InvalidStudyError, bundled_protocol_path, load_protocol
from cc312_schedule.cli import main
from cc312_schedule.core.protocol import load_protocol_text
from conftest import write_study

TEMPLATE = bundled_protocol_path().read_text(encoding="utf-8")


def test_bundled_template_values() -> None:
    p = load_protocol()
    assert [d.value for d in p.induction_days] == [1, 4, 8, 11, 15, 18, 22, 25]
    assert p.last_dose_day.value == 168
    assert p.assessment_day.value == 28
    assert {r.code: (r.days_in_week, r.every_weeks, r.nci_code) for r in p.regimens} == {
        "BIW": ((1, 4), 1, "C64497"), "QW": ((1,), 1, "C67069"),
        "Q2W": ((1,), 2, "C71127"), "Q4W": ((1,), 4, "C64529")}
    assert [(f.visit, f.days_after_last_dose) for f in p.follow_up] == [
        ("FU1", 28), ("FU2", 84), ("FU3", 168)]
    assert str(p.start_date) == "2025-09-30" and str(p.completion_date) == "2027-09-29"
    assert p.contraception_months == 6


def test_every_value_in_the_template_is_commented_with_its_source() -> None:
    # each key = value line of the template carries a comment, or sits under a commented block
    for n, line in enumerate(TEMPLATE.splitlines(), 1):
        if "=" in line and not line.lstrip().startswith("#") and "[record]" not in line \
                and "[default]" not in line:
            block = TEMPLATE.splitlines()[:n]
            assert any("[record]" in b or "[default]" in b for b in block[-12:]), line


# (replace this, with that) in the template -> the key and words the error must name
BAD = [
    pytest.param("window = { before = 0, after = 1 }", "window = { before = 2, after = 1 }",
                 "induction.window: window (-2/+1 d) is as wide as the 3-day gap to the next BIW dose",
                 id="window-wider-than-gap"),
    pytest.param('days_in_week = [1]\nevery_weeks = 1\ncdisc_frequency = "EVERY WEEK"',
                 'days_in_week = []\nevery_weeks = 1\ncdisc_frequency = "EVERY WEEK"',
                 "regimens.QW.days_in_week: a regimen needs at least one dosing day",
                 id="regimen-without-days"),
    pytest.param("max_treatment_weeks = 24", "max_treatment_weeks = 3",
                 "dosing.max_treatment_weeks: cap shorter than the induction (4 weeks): 3",
                 id="cap-shorter-than-induction"),
    pytest.param("min_interval_days = 2", "min_interval_days = 2\nmin_interval_hours = 48",
                 "dosing.min_interval_hours: unknown key: 48", id="unknown-key"),
    pytest.param("duration_minutes = 120", 'duration_minutes = "2h"',
                 "dosing.duration_minutes: must be an integer: '2h'", id="wrong-type"),
    pytest.param("weeks = 4 ", "weeks = true ", "induction.weeks: must be an integer: True",
                 id="bool-is-not-int"),
    pytest.param("schema_version = 1", "schema_version = 2",
                 "schema_version: unsupported version (this release reads 1): 2",
                 id="unknown-schema-version"),
    pytest.param('regimen = "BIW"', 'regimen = "TIW"',
                 "induction.regimen: not a regimen defined under [regimens]: 'TIW'",
                 id="unknown-induction-regimen"),
    pytest.param("study_day = 28", "study_day = 20",
                 "assessment.study_day: must come after the last induction dose (day 25): 20",
                 id="assessment-inside-induction"),
    pytest.param('time = "09:00"', 'time = "9am"', "dosing.time: must be a time HH:MM (24 h)",
                 id="bad-time"),
    pytest.param("start_date = 2025-09-30", 'start_date = "2025-09-30"',
                 "trial.start_date: must be a TOML date", id="quoted-date"),
    pytest.param("days_in_week = [1, 4]", "days_in_week = [4, 1]",
                 "regimens.BIW.days_in_week: days must be 1..7, ascending", id="days-unsorted"),
    pytest.param("[eot]", "[eot\n", "not valid TOML", id="toml-syntax"),
]


@pytest.mark.parametrize(("old", "new", "expected"), BAD)
def test_bad_protocol_names_key_and_value(old: str, new: str, expected: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert old in TEMPLATE
    with pytest.raises(InvalidStudyError) as info:
        load_protocol_text(TEMPLATE.replace(old, new, 1), source="bad.toml")
    assert expected in str(info.value) and "bad.toml" in str(info.value)
    # through the command line: exit 2, the same message, nothing written
    study = write_study(tmp_path / "s", study='name = "x"\nprotocol = "bad.toml"\n',
                        files={"bad.toml": TEMPLATE.replace(old, new, 1)})
    out = tmp_path / "plan.csv"
    assert main(["plan", str(study), "-o", str(out), "--today", "2026-03-01"]) == 2
    err = capsys.readouterr().err
    assert expected in err and "bad.toml" in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.slow
def test_template_ships_in_the_wheel(tmp_path: Path) -> None:
    root = Path(__file__).parents[1]
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path),
                    str(root)], check=True, capture_output=True)
    [wheel] = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "cc312_schedule/templates/cc312.toml" in names
    assert "cc312_schedule/templates/example-study/subjects.csv" in names
    assert {"cc312_schedule/reports/html/due.html.j2", "cc312_schedule/reports/html/handout.html.j2"} <= set(names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("import cc312_schedule as c; p = c.load_protocol(); s = c.load_study(c.example_study_path());"
            "assert 'site' in str(c.bundled_protocol_path()); print(p.registry_id, len(s.subjects))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["NCT07193810", "6"]
