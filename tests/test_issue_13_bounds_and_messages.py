"""Issue 13: tracebacks on extreme numbers, bounded where read; quieter and more exact errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from cc312_schedule.cli import main
from conftest import copy_example_study

EX = "templates/example-study"


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("files", "message"), [
    ({"study.toml": 'name = "x"\nreminders = ["99999999999999 hours before"]\n'},
     "study.toml: reminders: more than 28 days before the visit: '99999999999999 hours before'"),
    ({"study.toml": 'name = "x"\nreminders = ["09:00 29 days before"]\n'},
     "reminders: more than 28 days before the visit"),
    ({"study.toml": "x = " + "[" * 100_000 + "\n"},
     "study.toml: not valid TOML: arrays or tables nested too deeply"),
    ({"study.toml": 'name = "x"\nsite = =\n'}, "study.toml:2: not valid TOML: Invalid value"),
    ({"subjects.csv": "subject_id,cohort,dose_level,first_dose_date\n001,1,DL1,9999-01-05\n"},
     "subjects.csv:2: first_dose_date: outside the study's span (2015-01-01 to 2037-12-31): '9999-01-05'"),
    ({"decisions.csv": "subject_id,decided_on,action,regimen,weeks,until,investigator,rationale\n"
                       "001,2026-03-29,continue,QW,1000000,,Dr. A,x\n"},
     "decisions.csv:2: weeks: more than the protocol's cap of 24 weeks: '1000000'"),
    ({"visits.csv": "subject_id,visit,actual_date,status,note\n001,w2d1,2026-03-09,done,\n"},
     "visits.csv:2: visit: unknown visit: 'w2d1' (did you mean W2D1?)"),
    ({"decisions.csv": "subject_id,decided_on,action,regimen,weeks,until,investigator,rationale\n"
                       "001,2026-03-29,continue,qw,,,Dr. A,x\n"},
     "decisions.csv:2: regimen: not a regimen of the protocol: 'qw' (did you mean QW?)"),
    ({"subjects.csv": "subject_id,cohort,dose_level,first_dose_date\n" + "9" * 41 + ",1,DL1,2026-03-02\n"},
     "subjects.csv:2: subject_id: not a valid subject id: longer than 40 characters"),
    ({"subjects.csv": "subject_id,cohort,dose_level,first_dose_date\n../x,1,DL1,2026-03-02\n"},
     "not a valid subject id: must start with a letter or a digit: '../x'"),
    # found by the fuzz suite (seed 3, case 8385): a week number too large for a date
    ({"visits.csv": "subject_id,visit,actual_date,status,note\n001,W399999999999999D1,2026-03-09,done,\n"},
     "visits.csv:2: visit: no such visit: its week is more than 52 weeks after the cap (week 24): 'W399999999999999D1'"),
    ({"visits.csv": "subject_id,visit,actual_date,status,note\n001,REV-W77,2026-03-09,done,\n"},
     "visits.csv:2: visit: no such visit: its week is more than 52 weeks after the cap (week 24): 'REV-W77'"),
], ids=["reminder-hours", "reminder-days", "deep-toml", "toml-line", "year-9999", "weeks-million",
        "visit-case", "regimen-case", "id-too-long", "id-path", "fuzz-seed3-case8385-huge-week",
        "review-week-77"])
def test_bad_value_is_a_located_error(make_study, files: dict[str, str], message: str) -> None:  # type: ignore[no-untyped-def]
    folder = make_study(files=files)
    code, out, err = run("check", str(folder))
    assert code == 2 and out == "" and "Traceback" not in err
    assert message in err, err


@pytest.mark.parametrize(("args", "message"), [
    (["decide", EX, "001", "continue", "--on", "2026-06-02", "--regimen", "QW", "--weeks", "1000000",
      "--investigator", "A", "--rationale", "x", "--today", "2026-11-30"],
     "argument --weeks: more than the protocol's cap: '1000000'"),
    (["decide", EX, "006", "continue", "--on", "2026-11-23", "--regimen", "QW", "--weeks", "30",
      "--investigator", "A", "--rationale", "x", "--today", "2026-11-30"],
     "--weeks: more than the protocol's cap of 24 weeks: 30"),
    (["next-slot", EX, "--cohort", "1", "--after", "9999-12-30"], "'9999-12-30' is outside 1990-2099"),
    (["next-slot", EX, "--cohort", "1", "--after", "2099-12-30"],
     "--after: outside the study's span (2015-01-01 to 2037-12-31): '2099-12-30'"),
    (["ics", EX, "-o", "-", "--generated-at", "9999-12-31T23:00:00-14:00"], "is outside 1990-2099"),
    (["xlsx", EX, "-o", "/tmp/x.xlsx", "--generated-at", "9999-12-31T23:00:00+14:00"], "is outside 1990-2099"),
    (["record", EX, "001", "W21D1", "--done", "23/11/2026"],
     "not an ISO date '23/11/2026': write it as YYYY-MM-DD (2026-11-23)"),
    (["record", EX, "006", "d28", "--done", "2026-11-23", "--today", "2026-11-30"],
     "VISIT: unknown visit: 'd28' (did you mean D28?)"),
    (["decide", EX, "006", "continue", "--on", "2026-11-23", "--regimen", "qw",
      "--investigator", "A", "--rationale", "x", "--today", "2026-11-30"], "(did you mean QW?)"),
], ids=["decide-weeks-million", "decide-weeks-over-cap", "next-slot-9999", "next-slot-2099",
        "ics-generated-at-9999", "xlsx-generated-at-9999", "done-day-first", "record-visit-case",
        "decide-regimen-case"])
def test_bad_argument_is_a_located_error(args: list[str], message: str) -> None:
    code, _, err = run(*args)
    assert code == 2 and "Traceback" not in err
    assert message in err, err


def test_continue_without_regimen_says_no_none(tmp_path: Path) -> None:
    study = copy_example_study(tmp_path / "s")
    code, _, err = run("decide", str(study), "006", "continue", "--on", "2026-11-23",
                       "--investigator", "A", "--rationale", "x", "--today", "2026-11-30")
    assert code == 2 and "a continue decision needs a regimen" in err
    assert ": None" not in err


@pytest.mark.parametrize(("subjects", "message"), [
    (b"\xff\xfes\x00u\x00b\x00", "subjects.csv: not UTF-8 text: it looks like UTF-16"),
    ("subject_id,cohort,dose_level,first_dose_date\n001,1,DL1,2026-03-02\n".encode("utf-16-le"),
     "subjects.csv: not UTF-8 text: it looks like UTF-16"),
    (b"subject_id,cohort,dose_level,first_dose_date\n001,1,DL1,2026-03-02\n002,1,D\xe9,2026-03-02\n",
     "subjects.csv:3: not UTF-8 text: byte 0xe9 is not valid here"),
    (b"subject_id,cohort,first_dose_date\n001,1,2026-03-02\n", "subjects.csv:1: dose_level: missing column"),
], ids=["utf16-bom", "utf16-no-bom", "bad-byte", "missing-column"])
def test_a_broken_subjects_csv_is_reported_once(tmp_path: Path, subjects: bytes, message: str) -> None:
    study = copy_example_study(tmp_path / "s")
    (study / "subjects.csv").write_bytes(subjects)
    code, _, err = run("check", str(study))
    assert code == 2 and message in err, err
    assert "unknown subject" not in err  # not 146 follow-on errors for the other files' rows
    assert err.count("error:") == 1


def test_header_problems_are_one_message_per_kind(make_study) -> None:  # type: ignore[no-untyped-def]
    header = "subject_id,visit,actual_date,status,note" + ",extra" * 20_000 + "," * 16_384
    folder = make_study(files={"visits.csv": header + "\n"})
    code, _, err = run("check", str(folder))
    assert code == 2
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 3, lines  # empty, unknown, repeated: each once, with its count
    assert "1: 16384 empty header cells (the first is column 20006)" in err
    assert "1: 1 unknown column: 'extra'" in err
    assert "1: extra: column appears 20000 times (keep one)" in err


def test_warnings_name_study_files_relative_to_the_folder(tmp_path: Path) -> None:
    a = copy_example_study(tmp_path / "one" / "study")
    b = copy_example_study(tmp_path / "two" / "other-name")
    outs = []
    for folder in (a, b):
        code, out, _ = run("plan", str(folder), "--format", "json", "--today", "2026-11-30")
        assert code == 0
        outs.append(out)
    assert outs[0] == outs[1]
    assert "(decisions.csv:8)" in outs[0] and str(tmp_path) not in outs[0]
    json.loads(outs[0])


def test_plan_csv_formula_text_policy(make_study) -> None:  # type: ignore[no-untyped-def]
    folder = make_study(subjects="001,=HYPERLINK(\"http://x\"),+cmd|x,2026-03-02,SLE,2026-02-01,1980-01-01,F\n")
    code, raw, _ = run("plan", str(folder), "--format", "csv", "--today", "2026-03-03")
    assert code == 0 and '"=HYPERLINK(""http://x"")",+cmd|x' in raw  # data for tools: unchanged
    code, safe, _ = run("plan", str(folder), "--format", "csv", "--today", "2026-03-03",
                        "--safe-for-spreadsheets")
    assert code == 0 and "\"'=HYPERLINK(\"\"http://x\"\")\",'+cmd|x" in safe


def test_table_does_not_repeat_the_state() -> None:
    code, out, _ = run("plan", EX, "--today", "2026-11-30")
    assert code == 0 and "awaiting decision · now awaiting decision" not in out
    assert "· awaiting decision\n" in out
