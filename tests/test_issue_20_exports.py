"""Issue 20: the exports. A note with a line break broke every workbook export (major 1); the
workbook dropped rows past Excel's last one; ``due --format csv`` had no
``--safe-for-spreadsheets``; a full disk on an ``-o`` output did not say nothing was changed."""

from __future__ import annotations

import csv
import errno
import io
import os
from pathlib import Path

import pytest

from cc312_schedule.cli import main
from conftest import copy_example_study

TODAY = "2026-11-30"
STAMP = ("--generated-at", "2026-11-30T08:00:00Z")


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


NOTES = [
    ("newline", "late\nBP 140/90"),  # the case (Alt+Enter in Excel gives the same)
    ("crlf", "late\r\nBP 140/90"),
    ("chinese-two-lines", "迟到\n血压 140/90"),
    ("formula-like-two-lines", "=1+1\nnot a formula"),
]


@pytest.mark.parametrize("note", [n for _, n in NOTES], ids=[i for i, _ in NOTES])
def test_a_note_with_a_line_break_exports_and_reads_back(tmp_path: Path, note: str) -> None:
    from openpyxl import load_workbook

    study = copy_example_study(tmp_path / "s")
    code, _, err = run("record", str(study), "006", "D28", "--done", "2026-11-23", "--note", note,
                       "--today", TODAY)
    assert code == 0, err
    book = tmp_path / "plan.xlsx"
    code, _, err = run("xlsx", str(study), "-o", str(book), "--today", TODAY, *STAMP)
    assert code == 0, err  # today: TypeError ... multiple values for keyword argument 'text_wrap'
    ws = load_workbook(book)["Visits"]
    header = [c.value for c in ws[2]]
    row = next(r for r in ws.iter_rows(min_row=3)
               if (r[0].value, r[1].value) == ("006", "D28"))
    cell = row[header.index("Note")]
    assert cell.value.replace("_x000D_", "\r") == note  # openpyxl leaves \r escaped
    assert cell.alignment.wrap_text


def test_a_sheet_past_excels_last_row_is_refused_not_cut(tmp_path: Path) -> None:
    """The row limit is 1,048,576; a sheet that would need one more row is an error (today
    XlsxWriter drops the cell and the export says it wrote every visit)."""
    import xlsxwriter

    from cc312_schedule.core.errors import UsageError
    from cc312_schedule.planning.engine import plan_study
    from cc312_schedule.reports import xlsx
    from cc312_schedule.store.study import load_study

    study = load_study(copy_example_study(tmp_path / "s"))
    plan = plan_study(study, today=None)
    wb = xlsxwriter.Workbook(io.BytesIO(), {"constant_memory": True})
    ctx = xlsx._Context(study=study, plan=plan, lang="en", wb=wb, generated="x")
    sheet = xlsx._Sheet(ctx, "visits", (), [10.0])
    sheet.row = 1_048_575  # the last row (0-based) is written
    sheet.write_row([("last", {})])
    with pytest.raises(UsageError, match=r"needs more than 1,048,576 rows, Excel's limit"):
        sheet.write_row([("one too many", {})])
    wb.close()


def test_the_cli_refuses_a_workbook_over_the_row_limit(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The same through the command line, with the limit lowered to 100 rows (the example's
    Visits sheet has 164): exit 2, nothing written."""
    from cc312_schedule.reports import xlsx

    monkeypatch.setattr(xlsx, "EXCEL_MAX_ROWS", 100, raising=False)
    study = copy_example_study(tmp_path / "s")
    book = tmp_path / "plan.xlsx"
    code, _, err = run("xlsx", str(study), "-o", str(book), "--today", TODAY, *STAMP)
    assert code == 2, err
    assert "the Visits sheet needs more than 100 rows, Excel's limit; nothing was written" in err
    assert not book.exists()


def test_due_csv_safe_for_spreadsheets(tmp_path: Path) -> None:
    study = copy_example_study(tmp_path / "s")
    path = study / "subjects.csv"
    text = path.read_text(encoding="utf-8").replace("006,3,DL3", '006,"=HYPERLINK(""x"")",DL3')
    assert "HYPERLINK" in text
    path.write_text(text, encoding="utf-8")
    args = ("due", str(study), "--from", "2026-11-23", "--to", "2026-12-31", "--format", "csv")
    code, plain, err = run(*args)
    assert code == 0, err
    code, safe, err = run(*args, "--safe-for-spreadsheets")
    assert code == 0, err
    cohorts = {r["cohort"] for r in csv.DictReader(io.StringIO(safe))}
    assert "'=HYPERLINK(\"x\")" in cohorts and '=HYPERLINK("x")' not in cohorts
    assert '=HYPERLINK("x")' in {r["cohort"] for r in csv.DictReader(io.StringIO(plain))}


OUTPUTS = [
    ("xlsx", ["xlsx", "{study}", "-o", "{out}/plan.xlsx", "--today", TODAY, *STAMP]),
    ("plan-csv", ["plan", "{study}", "--format", "csv", "--today", TODAY, "-o", "{out}/plan.csv"]),
    ("due-html", ["due", "{study}", "--on", TODAY, "--format", "html", "-o", "{out}/due.html", *STAMP]),
    ("sdtm", ["sdtm", "{study}", "-o", "{out}/sdtm"]),
    ("ics", ["ics", "{study}", "-o", "{out}/ics", *STAMP]),
]


@pytest.mark.parametrize("args", [a for _, a in OUTPUTS], ids=[i for i, _ in OUTPUTS])
def test_a_full_disk_on_an_output_says_nothing_was_changed(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           args: list[str]) -> None:
    import cc312_schedule.core.fileio as fileio

    study = copy_example_study(tmp_path / "s")
    out = tmp_path / "out"
    (out / "sdtm").mkdir(parents=True)
    (out / "ics").mkdir()

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fileio.os, "fsync", no_space)
    code, _, err = run(*[a.format(study=study, out=out) for a in args])
    monkeypatch.undo()
    assert code == 2, err
    assert "cannot write: No space left on device; nothing was changed" in err, err
    assert "(free some space, then run the command again)" in err, err
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == []
