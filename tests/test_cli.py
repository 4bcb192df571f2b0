"""The command line: formats, exit codes, filters, atomic output."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cc312_schedule import example_study_path
from cc312_schedule.cli import main

EXAMPLE = str(example_study_path())
CSV_HEAD = ["subject_id", "visit", "kind", "study_day", "week", "target_date", "planned_date",
            "window_start", "window_end", "status", "dose_number", "regimen"]


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_plan_csv_covers_all_six_subjects_with_contract_columns() -> None:
    code, out, _ = run("plan", EXAMPLE, "--format", "csv", "--today", "2026-11-25")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0])[:12] == CSV_HEAD
    assert sorted({r["subject_id"] for r in rows}) == ["001", "002", "003", "004", "005", "006"]
    assert {r["kind"] for r in rows} == {"dose", "assessment", "review", "eot", "follow-up"}
    assert {"planned", "done", "missed", "overdue"} <= {r["status"] for r in rows}


def test_plan_subject_filter_and_json() -> None:
    code, out, _ = run("plan", EXAMPLE, "--format", "json", "--subject", "003", "--today",
                       "2026-11-25")
    doc = json.loads(out)
    assert code == 0 and [s["subject_id"] for s in doc["subjects"]] == ["003"]
    s = doc["subjects"][0]
    assert (s["doses_missed"], s["cap_date"], s["state"]) == (1, "2026-12-20", "continuing")


def test_unknown_subject_is_a_usage_error() -> None:
    code, out, err = run("plan", EXAMPLE, "--subject", "999")
    assert (code, out) == (2, "")
    assert "--subject: unknown subject: '999'" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan", EXAMPLE, "--today", "25/11/2026"], "write it as YYYY-MM-DD (2026-11-25)"),
        (["plan", EXAMPLE, "--assume", "Q3W"], "--assume: unknown regimen: 'Q3W'"),
        (["plan", EXAMPLE, "--format", "xml"], "invalid choice"),
        (["plan"], "the following arguments are required: STUDY"),
        (["plan", "/no/such/folder"], "no such study folder"),
        (["frobnicate"], "invalid choice"),
    ],
    ids=["bad-today", "bad-assume", "bad-format", "no-study", "no-folder", "bad-command"],
)
def test_usage_errors_exit_2_without_traceback(args: list[str], message: str) -> None:
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_strict_turns_warnings_into_exit_1_and_writes_nothing(
        tmp_path: Path, make_study: Callable[..., Path]) -> None:
    target = tmp_path / "plan.csv"
    code, _, err = run("plan", EXAMPLE, "--strict", "-o", str(target), "--today", "2026-11-25")
    assert code == 1 and not target.exists()
    assert "DecisionClippedWarning" in err
    quiet = make_study(study='name = "x"\n[calendar]\nenabled = false\n')
    assert run("plan", str(quiet), "--strict", "-o", str(target), "--today", "2026-03-01")[0] == 0
    assert target.exists()


def test_output_file_is_replaced_atomically(tmp_path: Path) -> None:
    target = tmp_path / "plan.csv"
    target.write_text("old\n")
    assert run("plan", EXAMPLE, "--format", "csv", "-o", str(target), "--today", "2026-11-25")[0] == 0
    assert target.read_text().startswith("subject_id,visit,kind")
    assert [p.name for p in tmp_path.iterdir()] == ["plan.csv"]  # no temporary file left


def test_output_into_missing_folder_is_refused(tmp_path: Path) -> None:
    code, _, err = run("plan", EXAMPLE, "-o", str(tmp_path / "nope" / "plan.csv"))
    assert code == 2 and "the folder does not exist" in err


def test_check_example_study() -> None:
    code, out, err = run("check", EXAMPLE)
    assert code == 0 and "6 subjects, 9 decisions" in out
    assert "warning: 004 W6D1: done on 2026-08-26, outside its window" in err
    assert run("check", EXAMPLE, "--strict")[0] == 1


def test_version_and_help_on_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from cc312_schedule.cli import build_parser

    assert run("--version")[0] == 0
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    commands = sorted(sub.choices)
    assert {"plan", "check", "next-slot", "ics", "xlsx", "import", "record", "decide"} <= set(commands)
    for command in ["", *commands]:
        assert run(*([command] if command else []), "--help")[0] == 0
        assert "usage: cc312-schedule" in capsys.readouterr().out


@pytest.mark.slow
def test_python_dash_m_and_no_pandas_for_csv() -> None:
    code = (f"import sys, runpy; sys.argv = ['cc312-schedule', 'plan', {EXAMPLE!r}, '--format',"
            " 'csv', '--today', '2026-11-25'];\n"
            "try:\n    runpy.run_module('cc312_schedule', run_name='__main__')\n"
            "except SystemExit as e:\n    assert e.code == 0\n"
            "assert 'pandas' not in sys.modules, 'plan --format csv must not import pandas'\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("subject_id,visit,kind")


def test_recorded_done_visit_reaches_the_plan(example_copy: Path) -> None:
    with (example_copy / "visits.csv").open("a", encoding="utf-8") as fh:
        fh.write("003,W21D1,2026-11-23,done,typed by the coordinator\n")
    code, out, _ = run("plan", str(example_copy), "--format", "csv", "--subject", "003",
                       "--today", "2026-11-25")
    assert code == 0
    row = next(r for r in csv.DictReader(io.StringIO(out)) if r["visit"] == "W21D1")
    assert (row["status"], row["actual_date"], row["note"]) == (
        "done", "2026-11-23", "typed by the coordinator")
