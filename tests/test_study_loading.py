"""The study folder: what loads, and every bad input refused with file:line (or key) and a fix."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from cc312_schedule import InvalidStudyError, load_study
from cc312_schedule.cli import main

S1 = "001,1,DL1,2026-03-02,SLE,2026-02-01,1980-01-01,F\n"


def test_optional_files_missing_means_none_yet(make_study: Callable[..., Path]) -> None:
    study = load_study(make_study())
    assert study.decisions == () and study.visits == ()
    assert study.config.timezone == "Asia/Shanghai"
    assert study.protocol.registry_id == "NCT07193810"


def test_subject_ids_stay_strings(make_study: Callable[..., Path]) -> None:
    study = load_study(make_study(subjects="007,1,DL1,2026-03-02,,,,\n"))
    assert study.subjects[0].subject_id == "007"


def test_excel_bom_and_extra_columns_are_accepted(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "study.toml").write_text('name = "x"\n', encoding="utf-8")
    (folder / "subjects.csv").write_text(
        "\ufeffsubject_id,cohort,dose_level,first_dose_date,initials\n001,1,DL1,2026-03-02,ABC\n",
        encoding="utf-8")
    assert load_study(folder).subjects[0].first_dose_date == date(2026, 3, 2)


def test_study_points_at_its_own_protocol(make_study: Callable[..., Path]) -> None:
    from cc312_schedule import bundled_protocol_path

    text = bundled_protocol_path().read_text(encoding="utf-8").replace(
        "max_treatment_weeks = 24", "max_treatment_weeks = 12")
    folder = make_study(study='name = "x"\nprotocol = "mine.toml"\n', files={"mine.toml": text})
    assert load_study(folder).protocol.last_dose_day.value == 84


# Each bad input: the files to write, then the location and words the message must contain.
BAD_INPUTS = [
    pytest.param({"subjects": "001,1,DL1,03/04/2026,,,,\n"},
                 "subjects.csv:2: first_dose_date: ambiguous date", id="slashed-date"),
    pytest.param({"subjects": "001,1,DL1,46085,,,,\n"},
                 "subjects.csv:2: first_dose_date: '46085' looks like an Excel serial",
                 id="excel-serial"),
    pytest.param({"subjects": S1 + "001,1,DL1,2026-03-09,,,,\n"},
                 "subjects.csv:3: subject_id: duplicate subject id (first on line 2)",
                 id="duplicate-subject"),
    pytest.param({"subjects": "001,1,DL1,2026-03-02,Lupus,,,\n"},
                 "subjects.csv:2: disease: unknown disease code: 'Lupus'", id="unknown-disease"),
    pytest.param({"subjects": "001,1,,2026-03-02,,,,\n"},
                 "subjects.csv:2: dose_level: missing dose level", id="missing-dose-level"),
    pytest.param({"files": {"subjects.csv": "subject_id,cohort,first_dose_date\n001,1,2026-03-02\n"}},
                 "subjects.csv:1: dose_level: missing column", id="missing-column"),
    pytest.param({"files": {"subjects.csv":
                            "subject_id,cohort,dose_level,first_dose_date,withdrawn\n"}},
                 "subjects.csv:1: withdrawn: unknown column (did you mean 'withdrawn_on'?)",
                 id="typo-in-column"),
    pytest.param({"decisions": "002,2026-03-30,continue,QW,,,Dr. A,\n"},
                 "decisions.csv:2: subject_id: unknown subject: '002'", id="decision-unknown-subject"),
    pytest.param({"decisions": "001,2026-03-30,extend,QW,,,Dr. A,\n"},
                 "decisions.csv:2: action: unknown action: 'extend'", id="unknown-action"),
    pytest.param({"decisions": "001,2026-03-30,continue,Q3W,,,Dr. A,\n"},
                 "decisions.csv:2: regimen: not a regimen of the protocol: 'Q3W'",
                 id="unknown-regimen"),
    pytest.param({"decisions": "001,2026-03-30,continue,QW,4,2026-05-01,Dr. A,\n"},
                 "decisions.csv:2: until: give either weeks or until, not both",
                 id="weeks-and-until"),
    pytest.param({"decisions": "001,2026-03-30,continue,,,,Dr. A,\n"},
                 "decisions.csv:2: regimen: subject 001: a continue decision needs a regimen (use one of BIW, QW, Q2W, Q4W)",
                 id="continue-without-regimen"),
    pytest.param({"decisions": "001,2026-03-30,continue,QW,0,,Dr. A,\n"},
                 "decisions.csv:2: weeks: must be a whole number of weeks >= 1", id="zero-weeks"),
    pytest.param({"decisions": "001,2026-03-30,stop,QW,,,Dr. A,\n"},
                 "decisions.csv:2: regimen: a stop decision takes no regimen", id="stop-with-regimen"),
    pytest.param({"decisions": "001,2026-03-30,continue,QW,,,,\n"},
                 "decisions.csv:2: investigator: missing investigator", id="no-investigator"),
    pytest.param({"decisions": "001,2026-03-20,continue,QW,,,Dr. A,\n"},
                 "decisions.csv:2: decided_on: subject 001: a regimen chosen before study day 28 "
                 "(2026-03-29)", id="continue-before-day-28"),
    pytest.param({"decisions": "001,2026-03-17,stop,,,,Dr. A,\n001,2026-03-30,continue,QW,,,Dr. A,\n"},
                 "decisions.csv:3: action: subject 001: the subject was stopped on 2026-03-17",
                 id="decision-after-stop"),
    pytest.param({"decisions": "001,2026-03-30,resume,,,,Dr. A,\n"},
                 "decisions.csv:2: action: subject 001: resume without a hold", id="resume-no-hold"),
    pytest.param({"visits": "001,W2D8,2026-03-09,done,\n"},
                 "visits.csv:2: visit: unknown visit: 'W2D8'", id="unknown-visit"),
    pytest.param({"visits": "001,W2D1,2026-03-09,given,\n"},
                 "visits.csv:2: status: unknown status: 'given' (use done or missed)",
                 id="unknown-status"),
    pytest.param({"visits": "001,W2D1,,done,\n"},
                 "visits.csv:2: actual_date: missing date", id="done-without-date"),
    pytest.param({"visits": "001,W2D1,2026-03-09,done,\n001,W2D1,2026-03-10,done,\n"},
                 "visits.csv:3: visit: recorded twice (first on line 2)", id="visit-twice"),
    pytest.param({"visits": "001,W2D1,2026-03-09,missed,\n"},
                 "visits.csv:2: actual_date: a missed visit has no actual date", id="missed-with-date"),
    pytest.param({"study": 'site = "x"\n'}, "study.toml: name: required", id="study-without-name"),
    pytest.param({"study": 'name = "x"\ntimezone = "China"\n'},
                 "study.toml: timezone: not an IANA time zone name: 'China'", id="bad-timezone"),
    pytest.param({"study": 'name = "x"\ntimezon = "Asia/Shanghai"\n'},
                 "study.toml: timezon: unknown key: 'Asia/Shanghai' (did you mean 'timezone'?)",
                 id="study-unknown-key"),
    pytest.param({"study": 'name = "x"\nprotocol = "missing.toml"\n'},
                 "missing.toml: cannot read the protocol file", id="protocol-file-missing"),
]


@pytest.mark.parametrize(("files", "expected"), BAD_INPUTS)
def test_bad_input_is_refused_with_location(make_study: Callable[..., Path], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str],
                                            files: dict[str, object], expected: str) -> None:
    folder = make_study(**files)
    with pytest.raises(InvalidStudyError) as info:
        load_study(folder)
    assert expected in str(info.value)
    # the CLI: exit 2, the same message, no traceback, nothing written
    out = tmp_path / "plan.csv"
    assert main(["plan", str(folder), "--format", "csv", "-o", str(out), "--today", "2026-03-01"]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert not out.exists()
    assert main(["check", str(folder)]) == 2


def test_check_reports_every_problem_at_once(make_study: Callable[..., Path],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_study(subjects="001,1,DL1,03/04/2026,,,,\n002,1,DL1,2026-03-02,Lupus,,,\n",
                        decisions="009,2026-03-30,continue,QW,,,Dr. A,\n",
                        visits="002,W9D9,2026-03-09,done,\n")
    assert main(["check", str(folder)]) == 2
    err = capsys.readouterr().err
    for where in ("subjects.csv:2: first_dose_date", "subjects.csv:3: disease",
                  "decisions.csv:2: subject_id", "visits.csv:2: visit"):
        assert where in err
    assert "4 problem(s) found" in err


def test_unusual_line_breaks_inside_a_quoted_note_stay_in_it(make_study: Callable[..., Path]) -> None:
    note = "fever\x85resolved\u2028next day"
    study = load_study(make_study(visits=f'001,W1D1,2026-03-02,done,"{note}"\n'))
    assert study.visits[0].note == note


def test_unreadable_file_is_an_error_not_a_traceback(make_study: Callable[..., Path],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    import os

    folder = make_study()
    (folder / "subjects.csv").chmod(0)
    if os.access(folder / "subjects.csv", os.R_OK):  # root reads anything: use a folder instead
        (folder / "subjects.csv").unlink()
        (folder / "subjects.csv").mkdir()
    assert main(["check", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "subjects.csv: cannot read" in err and "Traceback" not in err
