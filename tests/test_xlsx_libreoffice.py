"""The workbook opened by a real spreadsheet program: LibreOffice Calc, headless.

tests/setup-system.sh installs Debian's libreoffice-calc-nogui. In CI (``CI`` set) a missing
soffice is a failure, never a skip; elsewhere these tests skip with the reason.
"""

from __future__ import annotations

import csv
import re
import subprocess
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest

from cc312_schedule import example_study_path, load_study, plan_study
from cc312_schedule.reports.xlsx import write_xlsx
from conftest import require_program

pytestmark = pytest.mark.slow

AT = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
# every sheet to its own CSV (the last token, -1), UTF-8 (76), cells as shown (true)
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def soffice() -> str:
    return require_program("soffice", "libreoffice", what="LibreOffice (soffice)",
                           install="run 'sh tests/setup-system.sh' as root "
                                   "(Debian's libreoffice-calc-nogui)")


def convert(src: Path, to: str, outdir: Path) -> list[Path]:
    """Convert with a throw-away user profile, so parallel runs never share one."""
    profile = outdir / "lo-profile"
    outdir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", to, "--outdir", str(outdir), str(src)],
        capture_output=True, text=True, timeout=180, check=False)
    made = sorted(p for p in outdir.iterdir() if p.is_file() and p.stem.startswith(src.stem))
    assert proc.returncode == 0 and made, f"soffice failed: {proc.stdout}\n{proc.stderr}"
    return made


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    study = load_study(example_study_path())
    path = tmp_path_factory.mktemp("lo") / "plan.xlsx"
    write_xlsx(path, study, plan_study(study, today=date(2026, 11, 25)), generated_at=AT)
    return path


def test_all_sheets_open_and_dates_show_as_dates(workbook: Path, tmp_path: Path) -> None:
    files = {p.name: p for p in convert(workbook, CSV_FILTER, tmp_path)}
    assert set(files) == {"plan-Overview.csv", "plan-Visits.csv", "plan-Decisions.csv",
                          "plan-Timeline.csv", "plan-Warnings.csv",
                          "plan-cc312-exported.csv"}  # the hidden export record is a sheet too
    with files["plan-Visits.csv"].open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header = rows[1]
    assert header[:3] == ["Subject", "Visit", "Kind"]
    w1d1 = dict(zip(header, next(r for r in rows if r[:2] == ["001", "W1D1"]), strict=True))
    assert (w1d1["Planned date"], w1d1["Actual date"], w1d1["Actual status"]) == (
        "2026-05-04", "2026-05-04", "done")
    assert w1d1["Weekday"] == "Mon"
    with files["plan-Overview.csv"].open(encoding="utf-8") as fh:
        overview = list(csv.reader(fh))
    s003 = dict(zip(overview[1], next(r for r in overview if r[:1] == ["003"]), strict=True))
    assert s003["First dose"] == "2026-07-06"
    assert s003["Last possible dose (day 168)"] == "2026-12-20"


def test_dates_are_date_cells_for_libreoffice(workbook: Path, tmp_path: Path) -> None:
    """LibreOffice re-saves the workbook: its date cells must still be dates, not text."""
    (resaved,) = convert(workbook, "xlsx:Calc MS Excel 2007 XML", tmp_path / "out")
    ws = openpyxl.load_workbook(resaved)["Visits"]
    hdr = [c.value for c in ws[2]]
    row = next(r for r in ws.iter_rows(min_row=3) if r[0].value == "001" and r[1].value == "W1D1")
    for column in ("Planned date", "Window start", "Window end", "Actual date"):
        cell = row[hdr.index(column)]
        assert cell.is_date, column
        assert cell.value == datetime(2026, 5, 4)


def test_hostile_text_is_not_evaluated(make_study: Callable[..., Path], tmp_path: Path) -> None:
    folder = make_study(
        subjects="001,1,DL1,2026-03-02,SLE,2026-02-01,1980-01-01,F\n",
        visits='001,W1D1,2026-03-02,done,"=HYPERLINK(""http://x"",""y"")"\n'
               "001,W1D4,2026-03-05,done,@SUM(1)\n001,W2D1,2026-03-09,done,+1\n")
    study = load_study(folder)
    path = tmp_path / "hostile.xlsx"
    write_xlsx(path, study, plan_study(study, today=date(2026, 3, 20)), generated_at=AT)
    files = {p.name: p for p in convert(path, CSV_FILTER, tmp_path / "csv")}
    with files["hostile-Visits.csv"].open(encoding="utf-8") as fh:
        notes = {r[1]: r[-1] for r in csv.reader(fh) if r[:1] == ["001"]}
    assert notes["W1D1"] == '=HYPERLINK("http://x","y")'
    assert notes["W1D4"] == "@SUM(1)"
    assert notes["W2D1"] == "+1"


def test_prints_to_pdf(workbook: Path, tmp_path: Path) -> None:
    (pdf,) = convert(workbook, "pdf", tmp_path)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = re.findall(rb"/Type\s*/Page(?!s)", data)
    assert len(pages) >= 4  # a page per sheet at least
    boxes = {tuple(float(x) for x in m.split()) for m in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", data)}
    assert boxes and all(w > h for _, _, w, h in boxes)  # landscape A4: 842 x 595 points


def test_a_workbook_saved_by_libreoffice_imports(example_copy: Path, tmp_path: Path) -> None:
    """The coordinator types an entry, LibreOffice saves the workbook, the import reads it."""
    from cc312_schedule.entries.writes import import_workbook, load_entries

    study = load_study(example_copy)
    path = tmp_path / "plan.xlsx"
    write_xlsx(path, study, plan_study(study, today=date(2026, 11, 25)), generated_at=AT)
    wb = openpyxl.load_workbook(path)
    ws = wb["Visits"]
    hdr = [c.value for c in ws[2]]
    row = next(r for r in ws.iter_rows(min_row=3) if r[0].value == "006" and r[1].value == "D28")
    row[hdr.index("Actual date")].value = date(2026, 11, 22)
    row[hdr.index("Note")].value = "B-cell count sent"
    wb.save(path)
    (resaved,) = convert(path, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    assert load_entries(resaved).tracks_edits  # LibreOffice keeps the hidden export record
    result = import_workbook(example_copy, resaved, today=date(2026, 11, 25), apply=True)
    assert [(v.subject_id, v.visit, v.actual_date, v.note) for v in result.added_visits] == [
        ("006", "D28", date(2026, 11, 22), "B-cell count sent")]
    assert result.conflicts == ()
    d28 = plan_study(load_study(example_copy), today=date(2026, 11, 25)).subject("006").event("D28")
    assert (d28.status.value, d28.actual_date) == ("done", date(2026, 11, 22))
