"""Issue 22: first use without traps, and the workbook's two columns a coordinator misread.

Each trap of the issue is a case here: CSV for Excel with a byte-order mark; a Chinese PDF
refused without a Chinese font; a subjects.csv saved by a spreadsheet named as one cause; a
subject id without its zeros; ``due -o`` saying what it wrote; ``decide --help`` naming the
actions (and taking the workbook's Chinese words); the Visits sheet's reason empty when the
date did not move, its two status columns named apart.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest

from cc312_schedule import load_study, plan_study
from cc312_schedule.cli import main
from cc312_schedule.core.domain import subject_hint
from cc312_schedule.reports.xlsx import to_xlsx
from cc312_schedule.store.study import example_study_path

BOM = "\ufeff"


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def copy_of(lang: str, dest: Path) -> Path:
    return Path(shutil.copytree(example_study_path(lang), dest,
                                ignore=shutil.ignore_patterns(".cc312-*")))


@pytest.mark.parametrize(("lang", "args", "bom"), [
    ("zh-CN", ("due", "--on", "2026-11-25", "--format", "csv"), True),   # for people, Chinese
    ("en", ("due", "--on", "2026-11-25", "--format", "csv"), False),
    ("zh-CN", ("plan", "--format", "csv", "--today", "2026-11-25"), False),  # for tools
    ("zh-CN", ("plan", "--format", "csv", "--today", "2026-11-25", "--safe-for-spreadsheets"),
     True),                                                               # asked for Excel
], ids=["due-zh", "due-en", "plan-zh-for-tools", "plan-for-excel"])
def test_csv_for_people_starts_with_a_bom(tmp_path: Path, lang: str, args: tuple[str, ...],
                                          bom: bool) -> None:
    study = copy_of(lang, tmp_path / "study")
    out = tmp_path / "out.csv"
    code, _, _ = run(args[0], str(study), *args[1:], "-o", str(out))
    assert code == 0
    text = out.read_bytes().decode("utf-8")
    assert text.startswith(BOM) is bom
    next(csv.reader(io.StringIO(text.removeprefix(BOM))))  # still one CSV header


def test_a_chinese_pdf_without_a_chinese_font_is_refused(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """fontconfig pointed at an empty font folder: no PDF, one line naming the package."""
    if shutil.which("fc-list") is None:
        pytest.skip("fc-list (fontconfig) is not installed")
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><fontconfig><dir>{tmp_path / "none"}</dir>'
                    f'<cachedir>{tmp_path / "cache"}</cachedir></fontconfig>', encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    study = copy_of("zh-CN", tmp_path / "study")
    pdf = tmp_path / "h.pdf"
    code, _, err = run("handout", str(study), "003", "-o", str(pdf), "--today", "2026-11-25")
    assert code == 2 and not pdf.exists()
    assert err.count("\n") == 1 and "fonts-noto-cjk" in err and "方框" in err
    code, _, _ = run("handout", str(study), "003", "-o", str(tmp_path / "h.html"),
                     "--today", "2026-11-25")
    assert code == 0  # the HTML page: the browser's fonts


def _resave(study: Path, *, ids: bool, dates: bool) -> None:
    """subjects.csv as Excel or WPS saves it: ids as numbers, dates in the locale's form."""
    path = study / "subjects.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    for r in rows[1:]:
        if ids:
            r[0] = r[0].lstrip("0")
        if dates:
            r[:] = [re.sub(r"^(\d{4})-0?(\d{1,2})-0?(\d{1,2})$", r"\1/\2/\3", c) for c in r]
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


@pytest.mark.parametrize(("ids", "dates", "expected"), [
    (True, False, ["subject_id: the subject ids lost their leading zeros (a spreadsheet program "
                   "saved the file and read 001 as the number 1)"]),
    (False, True, ["18 date(s) are no longer ISO dates (a spreadsheet program saved the file: "
                   "2026/5/4 instead of 2026-05-04)"]),
    (True, True, ["subject_id: the subject ids lost their leading zeros",
                  "18 date(s) are no longer ISO dates"]),
], ids=["zeros", "dates", "both"])
def test_a_subjects_csv_saved_by_a_spreadsheet_is_one_error_per_cause(
        tmp_path: Path, ids: bool, dates: bool, expected: list[str]) -> None:
    study = copy_of("en", tmp_path / "study")
    _resave(study, ids=ids, dates=dates)
    code, _, err = run("--language", "en", "check", str(study))
    lines = err.splitlines()
    assert code == 2 and lines[-1] == f"{len(expected)} problem(s) found; nothing written"
    assert len(lines) == len(expected) + 1  # not 52-164 "unknown subject" lines
    for line, text in zip(lines, expected, strict=False):
        assert line.startswith(f"error: {study / 'subjects.csv'}: {text}")


@pytest.mark.parametrize(("given", "known", "hint"), [
    ("3", ["001", "002", "003"], "did you mean 003?"),
    ("03", ["001", "003"], "did you mean 003?"),
    ("CC312-7", ["CC312-007", "CC312-070"], "did you mean CC312-007?"),
    ("7", ["007", "0007"], "known subjects: 0007, 007"),      # two candidates: no guess
    ("099", ["001", "002"], "known subjects: 001, 002"),
    ("abc", ["001"], "known subjects: 001"),
], ids=["zeros", "one-zero", "prefixed", "ambiguous", "no-such", "not-a-number"])
def test_a_subject_id_without_its_zeros_suggests_the_right_one(given: str, known: list[str],
                                                               hint: str) -> None:
    assert subject_hint(given, known) == hint


@pytest.mark.parametrize("command", [
    ("handout", "{study}", "3", "-o", "{tmp}/h.html", "--today", "2026-11-25"),
    ("record", "{study}", "3", "W22D1", "--done", "2026-11-24", "--today", "2026-11-25"),
    ("plan", "{study}", "--subject", "3"),
], ids=["handout", "record", "plan"])
def test_every_command_suggests_the_id(tmp_path: Path, command: tuple[str, ...]) -> None:
    study = copy_of("en", tmp_path / "study")
    code, _, err = run("--language", "en",
                       *(a.format(study=study, tmp=tmp_path) for a in command))
    assert code == 2 and "did you mean 003?" in err, err


def test_decide_help_lists_the_actions_and_takes_chinese_words(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run("decide", "--help")  # argparse prints help to sys.stdout
    assert code == 0
    flat = " ".join(capsys.readouterr().out.split())  # argparse wraps the help
    assert all(a in flat for a in ("continue", "stop", "hold", "resume", "继续治疗", "暂停给药"))
    study = copy_of("zh-CN", tmp_path / "study")
    code, _, err = run("decide", str(study), "006", "继续治疗", "--on", "2026-11-25",
                       "--regimen", "QW", "--investigator", "研究者甲", "--rationale", "部分清除",
                       "--today", "2026-11-25")
    assert code == 0, err
    assert "006,2026-11-25,continue,QW" in (study / "decisions.csv").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def visits() -> tuple[list[str], list[tuple[object, ...]]]:
    study = load_study(example_study_path())
    data = to_xlsx(study, plan_study(study, today=date(2026, 11, 25)),
                   generated_at=datetime(2026, 11, 25, 8, tzinfo=UTC))
    ws = openpyxl.load_workbook(io.BytesIO(data))["Visits"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    return [str(h) for h in rows[0]], rows[1:]


@pytest.mark.parametrize(("subject", "visit", "reason"), [
    ("001", "W1D1", None),  # 2026-05-04 closed (Labor Day) but no open day: the date stayed
    ("001", "D28", "2026-05-31 closed: weekend (Sunday)"),  # moved to Monday 06-01
    ("001", "W2D1", None),  # an ordinary day
], ids=["closed-but-not-moved", "moved", "ordinary"])
def test_the_reason_is_empty_when_the_date_did_not_move(
        visits: tuple[list[str], list[tuple[object, ...]]], subject: str, visit: str,
        reason: str | None) -> None:
    header, rows = visits
    row = next(r for r in rows if r[0] == subject and r[1] == visit)
    assert row[header.index("Moved from (why)")] == reason


def test_the_two_status_columns_have_names_apart(
        visits: tuple[list[str], list[tuple[object, ...]]]) -> None:
    header, _ = visits
    assert {"Plan status", "Actual status"} <= set(header) and "Status" not in header


def test_the_overview_shows_the_consent_date() -> None:
    study = load_study(example_study_path("zh-CN"))
    data = to_xlsx(study, plan_study(study, today=date(2026, 11, 25)),
                   generated_at=datetime(2026, 11, 25, 8, tzinfo=UTC))
    ws = openpyxl.load_workbook(io.BytesIO(data))["总览"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    col = [str(h).replace("\n", "") for h in rows[0]].index("知情同意签署日期")  # 知情同意 / 签署日期
    assert next(r for r in rows if r[0] == "001")[col] == datetime(2026, 4, 13)  # subjects.csv
