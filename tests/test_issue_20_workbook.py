"""Issue 20, major 3: the workbook's size guard, bypassed by cells and rows without ``r=""``
references (the reader then allocated 512 GiB and aborted, exit 134), held per sheet only (nine
sheets just under the limit: 66 s, 1.4 GB), and naming a near cell instead of the far one.

Each import runs in a child process with a 3 GB address-space limit: on the old guard the
reader aborts (or runs out of memory) there, not in the test process."""

from __future__ import annotations

import io
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cc312_schedule.cli import main
from conftest import copy_example_study

TODAY = "2026-11-30"
HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
        b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
TAIL = b"</sheetData></worksheet>"


def _cell(ref: str | None, value: int = 1) -> bytes:
    return (b'<c r="%s"><v>%d</v></c>' % (ref.encode(), value) if ref
            else b"<c><v>%d</v></c>" % value)


def _row(r: int | None, cells: bytes) -> bytes:
    return (b'<row r="%d">' % r if r else b"<row>") + cells + b"</row>"


# sheet XML bodies put in place of the exported Warnings sheet (and, for the workbook-wide
# limit, of the Decisions sheet too)
def no_refs_row() -> bytes:
    """A row of 16,384 cells without references, then a cell in the last row (36 KB)."""
    return _row(None, _cell(None) * 16384) + _row(1048576, _cell("A1048576"))


def no_refs_rows() -> bytes:
    """1,100 rows without references, each of 20,000 cells without references: 22 million."""
    return _row(None, _cell(None) * 20000) * 1100


def far_row_and_near_column() -> bytes:
    """A far cell in column A, and column Z filled near the top: the far one is A1048576."""
    return _row(5, _cell("Z5")) + _row(1048576, _cell("A1048576"))


def half_limit() -> bytes:
    """A sheet of 15 million cells' area (T750000, its <dimension> as Excel writes it, before
    the rows: ``ref|rows``): under the sheet limit, not twice over."""
    return b"A1:T750000|" + _row(1, _cell("A1")) + _row(750000, _cell("T750000"))


CASES = [
    ("row-of-cells-without-references", {"Warnings": no_refs_row()},
     "sheet 'Warnings' is too large to import: its used area reaches a row of 16,384 cells "
     "without cell references"),
    ("rows-and-cells-without-references", {"Warnings": no_refs_rows()},
     "sheet 'Warnings' is too large to import: its used area reaches a row of 20,000 cells "
     "without cell references (1,100 rows x 20,000 columns"),
    ("far-cell-named", {"Warnings": far_row_and_near_column()},
     "sheet 'Warnings' is too large to import: its used area reaches A1048576 (1,048,576 rows "
     "x 26 columns"),
    ("two-sheets-over-the-workbook-limit", {"Warnings": half_limit(), "Decisions": half_limit()},
     "the workbook is too large to import: its sheets' used areas hold 30,00"),
]


def _workbook(tmp_path: Path, study: Path, sheets: dict[str, bytes]) -> Path:
    book = tmp_path / "plan.xlsx"
    assert main(["xlsx", str(study), "-o", str(book), "--today", TODAY, "--generated-at",
                 "2026-11-30T08:00:00Z"], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    with zipfile.ZipFile(book) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
        workbook = z.read("xl/workbook.xml").decode()
    order = [n.split('"')[0] for n in workbook.split('<sheet name="')[1:]]
    for name, body in sheets.items():
        dim, rows = body.split(b"|", 1) if b"|" in body[:40] else (b"", body)
        parts[f"xl/worksheets/sheet{order.index(name) + 1}.xml"] = (
            HEAD + (b'<dimension ref="%s"/>' % dim if dim else b"") + b"<sheetData>" + rows + TAIL)
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
        for part, data in parts.items():
            z.writestr(part, data)
    return book


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


@pytest.mark.parametrize(("sheets", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_workbook_too_large_is_refused_before_the_reader_allocates(
        tmp_path: Path, sheets: dict[str, bytes], message: str) -> None:
    study = copy_example_study(tmp_path / "s")
    book = _workbook(tmp_path, study, sheets)
    r = subprocess.run([sys.executable, "-m", "cc312_schedule", "import", str(study), str(book),
                        "--today", TODAY], capture_output=True, text=True, timeout=120,
                       preexec_fn=_limit_memory, check=False)
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    assert message in r.stderr, r.stderr
    if "workbook is too large" in message:
        assert "('Decisions' 15,000,000 (to T750000), 'Warnings' 15,000,000 (to T750000)" \
            in r.stderr
    assert "panicked" not in r.stderr and "Traceback" not in r.stderr


def test_the_exported_workbook_still_imports(tmp_path: Path) -> None:
    """The bound is exact for what Excel and the export write: no false refusal."""
    study = copy_example_study(tmp_path / "s")
    book = _workbook(tmp_path, study, {})
    out, err = io.StringIO(), io.StringIO()
    assert main(["import", str(study), str(book), "--today", TODAY], stdout=out, stderr=err) == 0, \
        err.getvalue()
