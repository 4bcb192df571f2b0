"""Issue 10, "Library edges": what a library user or a command-line user runs into at the edges.

* ``plan_study(study)`` without ``today`` plans as of today in the study's time zone, as the
  command line does; the clock is read in ``cc312_schedule.planning.clock``, never in the engine;
* ``plan.subject("7")`` (and ``event``, ``study.subject``) raise the package's error naming the
  known ids; ``InvalidStudyError.path`` is set; ``dir(cc312_schedule)`` shows the public names;
* ``xlsx -o plan.csv`` is refused; ``next-slot --cohort 9`` refuses an unknown cohort as
  ``ics --cohort 9`` does; ``plan --quiet`` prints no warnings.
"""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path

import pytest

import cc312_schedule
from cc312_schedule import (
    InvalidStudyError,
    NotFoundError,
    ScheduleError,
    example_study_path,
    load_study,
    plan_study,
)
from cc312_schedule.cli import main
from cc312_schedule.planning import clock, engine


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def freeze_clock(monkeypatch: pytest.MonkeyPatch, instant: datetime) -> None:
    class Frozen(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Frozen:
            value = instant.astimezone(tz)
            return cls.fromisoformat(value.isoformat())

    monkeypatch.setattr(clock, "datetime", Frozen)


# ---- plan_study's today ----------------------------------------------------------------------

@pytest.mark.parametrize(("tz", "instant", "today"), [
    ("Asia/Shanghai", datetime(2026, 11, 24, 17, 30, tzinfo=UTC), date(2026, 11, 25)),
    ("Asia/Shanghai", datetime(2026, 11, 24, 15, 59, tzinfo=UTC), date(2026, 11, 24)),
    ("Europe/Berlin", datetime(2026, 11, 24, 17, 30, tzinfo=UTC), date(2026, 11, 24)),
    ("America/New_York", datetime(2026, 11, 25, 3, 0, tzinfo=UTC), date(2026, 11, 24)),
], ids=["shanghai-01:30-is-already-the-25th", "shanghai-23:59-still-the-24th",
        "berlin-18:30", "new-york-22:00-still-the-24th"])
def test_plan_study_defaults_to_today_at_the_site(monkeypatch: pytest.MonkeyPatch, tz: str,
                                                  instant: datetime, today: date) -> None:
    freeze_clock(monkeypatch, instant)
    study = load_study(example_study_path())
    study = dataclasses.replace(study, config=dataclasses.replace(study.config, timezone=tz))
    plan = plan_study(study)
    assert plan.today == today
    assert plan == engine.plan_study(study, today=today)


def test_plan_study_default_gives_every_subject_a_state(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze_clock(monkeypatch, datetime(2026, 11, 25, 2, 0, tzinfo=UTC))  # 10:00 in Shanghai
    plan = plan_study(load_study(example_study_path()))
    assert {p.subject_id: p.state.value for p in plan if p.state is not None} == {
        "001": "in follow-up", "002": "in follow-up", "003": "continuing", "004": "continuing",
        "005": "on hold", "006": "awaiting decision"}


def test_today_none_and_the_engine_judge_no_date() -> None:
    study = load_study(example_study_path())
    assert [p.state for p in plan_study(study, today=None)] == [None] * 6
    assert engine.plan_study(study).today is None  # the engine never reads the clock
    assert plan_study(study, today=None) == engine.plan_study(study)


def test_plan_study_passes_every_argument_on() -> None:
    study = load_study(example_study_path())
    kw = {"assume": "QW", "today": date(2026, 11, 25), "subject_ids": ["006", "003"], "balance": True}
    assert plan_study(study, **kw) == engine.plan_study(study, **kw)  # type: ignore[arg-type]
    assert [p.subject_id for p in plan_study(study, subject_ids=["006", "003"])] == ["006", "003"]


def test_the_cli_reads_the_same_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze_clock(monkeypatch, datetime(2026, 11, 24, 17, 30, tzinfo=UTC))
    code, out, _ = run("plan", str(example_study_path()), "--format", "json", "--quiet")
    assert (code, json.loads(out)["today"]) == (0, "2026-11-25")


# ---- unknown ids -----------------------------------------------------------------------------

KNOWN = "known subjects: 001, 002, 003, 004, 005, 006"


@pytest.mark.parametrize(("lookup", "message"), [
    (lambda s, p: p.subject("7"), f"subject: unknown subject: '7' ({KNOWN})"),
    (lambda s, p: p.subject("03"), f"subject: unknown subject: '03' ({KNOWN})"),
    (lambda s, p: s.subject("7"), f"subject: unknown subject: '7' ({KNOWN})"),
    (lambda s, p: p.subject("001").event("W99D1"),
     "visit: unknown visit: 'W99D1' (known visits: W1D1, W1D4, W2D1, W2D4, W3D1, W3D4, W4D1, W4D4, "
     "D28, W5D1, W5D4, W6D1, W6D4, W7D1, W7D4, W8D1, W8D4, REV-W8, W9D1, W11D1, … and 13 more)"),
], ids=["plan-subject", "plan-subject-leading-zero", "study-subject", "subject-event"])
def test_unknown_id_names_the_known_ones(lookup: Callable[..., object], message: str) -> None:
    study = load_study(example_study_path())
    with pytest.raises(NotFoundError) as caught:
        lookup(study, plan_study(study, today=date(2026, 11, 25)))
    assert str(caught.value) == message
    assert isinstance(caught.value, ScheduleError) and isinstance(caught.value, KeyError)


def test_no_subjects_at_all() -> None:
    plan = dataclasses.replace(plan_study(load_study(example_study_path()), today=None), subjects=())
    with pytest.raises(NotFoundError, match=r"unknown subject: '7' \(there are no subjects\)"):
        plan.subject("7")


# ---- InvalidStudyError.path ------------------------------------------------------------------

def test_invalid_study_error_carries_the_study_folder(make_study: Callable[..., Path]) -> None:
    folder = make_study(subjects="001,1,DL1,2026-03-02,SLE,2026-02-01,1980-01-01,F\n"
                                 "002,1,DL1,03/04/2026,SLE,2026-02-01,1980-01-01,F\n")
    with pytest.raises(InvalidStudyError) as caught:
        load_study(folder)
    err = caught.value
    assert err.path == str(folder)
    assert [(e.path, e.line, e.key) for e in err.errors] == [
        (str(folder / "subjects.csv"), 3, "first_dose_date")]
    assert (err.line, err.key) == (3, "first_dose_date")  # the one problem's
    assert "ambiguous date '03/04/2026'" in str(err)


def test_invalid_study_error_for_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(InvalidStudyError) as caught:
        load_study(tmp_path / "nowhere")
    assert caught.value.path == str(tmp_path / "nowhere")


def test_invalid_study_error_with_several_problems(make_study: Callable[..., Path]) -> None:
    folder = make_study(subjects="001,1,DL1,2026-03-02,SLE,2026-02-01,1980-01-01,F\n"
                                 "002,1,DL1,03/04/2026,SLE,2026-02-01,1980-01-01,F\n"
                                 "003,1,DL1,2026-03-02,XYZ,2026-02-01,1980-01-01,F\n")
    with pytest.raises(InvalidStudyError) as caught:
        load_study(folder)
    err = caught.value
    assert (err.path, len(err.errors), err.line, err.key) == (str(folder), 2, None, None)


def test_invalid_study_error_elsewhere_takes_its_first_problems_file() -> None:
    err = InvalidStudyError([ScheduleError("a"), ScheduleError("b", path="x/decisions.csv", line=2)])
    assert err.path == "x/decisions.csv"
    assert InvalidStudyError([]).path is None


# ---- dir(cc312_schedule) ---------------------------------------------------------------------

def test_dir_shows_the_public_names_only() -> None:
    names = dir(cc312_schedule)
    public = [n for n in names if not n.startswith("_")]
    assert public == sorted(n for n in cc312_schedule.__all__ if not n.startswith("_"))
    assert not {"TYPE_CHECKING", "annotations", "importlib", "engine", "clock"} & set(names)
    assert "__version__" in names and "__doc__" in names
    for name in public:
        assert getattr(cc312_schedule, name) is not None


# ---- the command line ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["plan.csv", "plan.xls", "plan.xlsx.csv", "plan", "-"],
                         ids=["csv", "xls", "double-suffix", "no-suffix", "stdout"])
def test_xlsx_refuses_an_output_that_is_not_xlsx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 name: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("xlsx", str(example_study_path()), "-o", name)
    assert (code, out) == (2, "")
    assert err == (f"error: -o: the workbook must be written to a .xlsx file: {name!r} (name it e.g. "
                   "plan.xlsx; for a CSV use 'plan --format csv -o FILE')\n")
    assert list(tmp_path.iterdir()) == []


def test_xlsx_accepts_upper_case_suffix(tmp_path: Path) -> None:
    code, _, err = run("xlsx", str(example_study_path()), "-o", str(tmp_path / "PLAN.XLSX"),
                       "--today", "2026-11-25", "--generated-at", "2026-11-25T08:00:00Z")
    assert code == 0, err
    assert (tmp_path / "PLAN.XLSX").read_bytes()[:2] == b"PK"


@pytest.mark.parametrize(("args", "code", "first_line", "err"), [
    (["--cohort", "9"], 2, "",
     "error: --cohort: unknown cohort: '9' (known cohorts: 1, 2, 3; for the first subject of a new "
     "cohort add --new-cohort)\n"),
    (["--cohort", "9", "--new-cohort"], 0, "2026-11-26", ""),
    (["--cohort", "2", "--new-cohort"], 2, "",
     "error: --cohort: not a new cohort: it has subjects: '2' (leave out --new-cohort to plan its "
     "next subject)\n"),
    (["--cohort", "2"], 0, "2026-11-26", ""),
], ids=["unknown-cohort-refused", "new-cohort-accepted", "new-cohort-that-exists-refused",
        "known-cohort"])
def test_next_slot_cohort(example_copy: Path, args: list[str], code: int, first_line: str,
                          err: str) -> None:
    done = run("next-slot", str(example_copy), *args, "--after", "2026-11-26")
    assert (done[0], done[1].splitlines()[:1] or [""], done[2]) == (code, [first_line], err)


def test_ics_refuses_the_same_unknown_cohort(example_copy: Path, tmp_path: Path) -> None:
    code, _, err = run("ics", str(example_copy), "-o", str(tmp_path / "ics"), "--cohort", "9")
    assert (code, err) == (2, "error: --cohort: unknown cohort: '9' (known cohorts: 1, 2, 3)\n")


def test_plan_quiet(tmp_path: Path) -> None:
    loud = run("plan", str(example_study_path()), "--today", "2026-11-25", "--format", "csv")
    quiet = run("plan", str(example_study_path()), "--today", "2026-11-25", "--format", "csv", "-q")
    assert "warning: " in loud[2] and quiet[2] == ""
    assert (quiet[0], quiet[1]) == (loud[0], loud[1]) == (0, loud[1])
    target = tmp_path / "plan.csv"
    strict = run("plan", str(example_study_path()), "--today", "2026-11-25", "--quiet", "--strict",
                 "-o", str(target))
    n = loud[2].count("warning: ")
    assert strict == (1, "", f"{n} warning(s) under --strict: nothing written\n")
    assert not target.exists()
