"""Real calendar clients import our .ics files and list the doses on the right days and times.

* khal (PyPI, in ``.venv-khal``; honours VTIMEZONE, STATUS and SEQUENCE);
* calcurse (Debian package; ignores VTIMEZONE and STATUS, converts IANA TZIDs itself).

``tests/setup-system.sh`` installs both. In CI (``CI`` set) a missing client FAILS the test;
elsewhere it is skipped with the reason.
"""

from __future__ import annotations

import io
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cc312_schedule.cli import main
from conftest import copy_example_study, require_program

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
KHAL = ROOT / ".venv-khal" / "bin" / "khal"
T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def need(program: str, what: str) -> str:
    """The program's path; fail in CI, skip elsewhere, when it is missing."""
    return require_program(program, what=what)


def export(folder: Path, out: Path, at: datetime = T0, *args: str) -> None:
    err = io.StringIO()
    code = main(["ics", str(folder), "-o", str(out), "--generated-at", at.isoformat(), *args],
                stdout=io.StringIO(), stderr=err)
    assert code == 0, err.getvalue()


@pytest.fixture
def study_dir(tmp_path: Path) -> Path:
    dest = tmp_path / "study"
    copy_example_study(dest)
    return dest


def berlin_study(tmp_path: Path) -> Path:
    dest = tmp_path / "berlin"
    dest.mkdir()
    (dest / "study.toml").write_text(
        'name = "Berlin DST study"\ntimezone = "Europe/Berlin"\ndosing_time = "09:00"\n',
        encoding="utf-8")
    (dest / "subjects.csv").write_text(
        "subject_id,cohort,dose_level,first_dose_date\n101,1,DL1,2026-03-26\n", encoding="utf-8")
    (dest / "visits.csv").write_text(  # given on the Sunday the clocks go forward
        "subject_id,visit,actual_date,status\n101,W1D1,2026-03-26,done\n"
        "101,W1D4,2026-03-29,done\n", encoding="utf-8")
    return dest


# ---- khal ------------------------------------------------------------------------------------


class Khal:
    def __init__(self, root: Path, zone: str) -> None:
        self.exe = need(str(KHAL), "khal (in .venv-khal)")
        self.root = root
        (root / "cal").mkdir(parents=True)
        self.config = root / "config"
        self.config.write_text(
            f"[calendars]\n[[study]]\npath = {root / 'cal'}\ntype = calendar\n"
            "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
            "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
            f"local_timezone = {zone}\ndefault_timezone = {zone}\n"
            f"[default]\ndefault_calendar = study\n[sqlite]\npath = {root / 'khal.db'}\n",
            encoding="utf-8")

    def run(self, *args: str) -> str:
        env = {**os.environ, "HOME": str(self.root), "XDG_CONFIG_HOME": str(self.root),
               "XDG_DATA_HOME": str(self.root)}
        done = subprocess.run([self.exe, "-c", str(self.config), *args], capture_output=True,
                              text=True, env=env, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def import_(self, path: Path) -> None:
        self.run("import", "--batch", str(path))

    def list(self, start: str, end: str) -> list[str]:
        """'start|end|title|status' lines (day headings dropped)."""
        out = self.run("list", "--format", "{start}|{end}|{title}|{status}", "--day-format", "",
                       start, end)
        return [ln.rstrip() for ln in out.splitlines() if "|" in ln]


def test_khal_lists_doses_in_the_study_zone(study_dir: Path, tmp_path: Path) -> None:
    export(study_dir, tmp_path / "ics")
    khal = Khal(tmp_path / "khal", "Asia/Shanghai")
    khal.import_(tmp_path / "ics" / "subject-003.ics")
    assert khal.list("2026-11-26", "2026-12-01") == [
        "2026-11-26 09:00|2026-11-26 11:00|003 · Dose 42 · W21D4 · DL2|CONFIRMED",
        "2026-11-30 09:00|2026-11-30 11:00|003 · Dose 43 · W22D1 · DL2|CONFIRMED",
    ]
    assert len(khal.list("2026-07-01", "2027-12-31")) == 57


def test_khal_shows_the_update_after_a_stop(study_dir: Path, tmp_path: Path) -> None:
    export(study_dir, tmp_path / "ics", T0)
    khal = Khal(tmp_path / "khal", "Asia/Shanghai")
    khal.import_(tmp_path / "ics" / "subject-003.ics")
    with (study_dir / "decisions.csv").open("a", encoding="utf-8") as fh:
        fh.write("003,2026-11-26,stop,,,,Dr. Investigator A,AE\n")
    export(study_dir, tmp_path / "ics", T1)
    khal.import_(tmp_path / "ics" / "subject-003.ics")  # re-import: updates in place
    assert len(list((tmp_path / "khal" / "cal").glob("*.ics"))) == 57  # one per UID
    assert len(khal.list("2026-07-01", "2027-12-31")) == 57  # no duplicates
    assert khal.list("2026-11-26", "2026-12-01") == [
        "2026-11-26 09:00|2026-11-26 11:00|CANCELLED: 003 · Dose 42 · W21D4 · DL2|CANCELLED",
        "2026-11-30 09:00|2026-11-30 11:00|003 · EOT end-of-treatment visit · DL2|CONFIRMED",
        "2026-11-30 09:00|2026-11-30 11:00|CANCELLED: 003 · Dose 43 · W22D1 · DL2|CANCELLED",
    ]


@pytest.mark.parametrize(("zone", "expected"), [
    ("Europe/Berlin", ["2026-03-26 09:00|2026-03-26 11:00|DONE: 101 · Dose 1 · W1D1 · DL1|CONFIRMED",
                       "2026-03-29 09:00|2026-03-29 11:00|DONE: 101 · Dose 2 · W1D4 · DL1|CONFIRMED"]),
    # the same instants seen from UTC: +01:00 before the change, +02:00 on its day
    ("UTC", ["2026-03-26 08:00|2026-03-26 10:00|DONE: 101 · Dose 1 · W1D1 · DL1|CONFIRMED",
             "2026-03-29 07:00|2026-03-29 09:00|DONE: 101 · Dose 2 · W1D4 · DL1|CONFIRMED"]),
], ids=["berlin", "utc"])
def test_khal_dst_change(tmp_path: Path, zone: str, expected: list[str]) -> None:
    export(berlin_study(tmp_path), tmp_path / "ics")
    khal = Khal(tmp_path / "khal", zone)
    khal.import_(tmp_path / "ics" / "subject-101.ics")
    assert khal.list("2026-03-26", "2026-03-30") == expected


# ---- calcurse ---------------------------------------------------------------------------------


def calcurse(path: Path, data_dir: Path, zone: str, start: str, days: int) -> list[str]:
    """Import ``path`` into a fresh calcurse folder under TZ=zone; list 'start|end|summary'."""
    exe = need("calcurse", "calcurse")
    data_dir.mkdir()
    env = {**os.environ, "TZ": zone, "HOME": str(data_dir)}
    done = subprocess.run([exe, "-D", str(data_dir), "-i", str(path)], capture_output=True,
                          text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "0 skipped" in done.stdout, done.stdout
    done = subprocess.run(
        [exe, "-D", str(data_dir), "--input-datefmt", "4", "-Q", "--from", start,
         "--days", str(days), "--format-apt", "%(start:%Y-%m-%d %H:%M)|%(end:%H:%M)|%m\\n"],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return [ln for ln in done.stdout.splitlines() if "|" in ln]


def test_calcurse_lists_doses(study_dir: Path, tmp_path: Path) -> None:
    export(study_dir, tmp_path / "ics")
    assert calcurse(tmp_path / "ics" / "subject-003.ics", tmp_path / "cc", "Asia/Shanghai",
                    "2026-11-26", 5) == [
        "2026-11-26 09:00|11:00|003 · Dose 42 · W21D4 · DL2",
        "2026-11-30 09:00|11:00|003 · Dose 43 · W22D1 · DL2",
    ]


def test_calcurse_shows_cancelled_in_the_summary(study_dir: Path, tmp_path: Path) -> None:
    export(study_dir, tmp_path / "ics", T0)
    with (study_dir / "decisions.csv").open("a", encoding="utf-8") as fh:
        fh.write("003,2026-11-26,stop,,,,Dr. Investigator A,AE\n")
    export(study_dir, tmp_path / "ics", T1)
    # calcurse ignores STATUS: the SUMMARY has to say it
    assert calcurse(tmp_path / "ics" / "subject-003.ics", tmp_path / "cc", "Asia/Shanghai",
                    "2026-11-26", 1) == [
        "2026-11-26 09:00|11:00|CANCELLED: 003 · Dose 42 · W21D4 · DL2"]


@pytest.mark.parametrize(("zone", "expected"), [
    ("Europe/Berlin", ["2026-03-26 09:00|11:00|DONE: 101 · Dose 1 · W1D1 · DL1",
                       "2026-03-29 09:00|11:00|DONE: 101 · Dose 2 · W1D4 · DL1"]),
    ("UTC", ["2026-03-26 08:00|10:00|DONE: 101 · Dose 1 · W1D1 · DL1",
             "2026-03-29 07:00|09:00|DONE: 101 · Dose 2 · W1D4 · DL1"]),
], ids=["berlin", "utc"])
def test_calcurse_dst_change(tmp_path: Path, zone: str, expected: list[str]) -> None:
    export(berlin_study(tmp_path), tmp_path / "ics")
    assert calcurse(tmp_path / "ics" / "subject-101.ics", tmp_path / "cc", zone,
                    "2026-03-26", 4) == expected
