"""Issue 13: the workbook import under a moved header, a far cell and damaged parts."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cc312_schedule.cli import main
from conftest import copy_example_study

TODAY = "2026-11-30"


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def exported(tmp_path: Path) -> tuple[Path, Path]:
    study = copy_example_study(tmp_path / "s")
    path = tmp_path / "plan.xlsx"
    assert run("xlsx", str(study), "-o", str(path), "--today", TODAY,
               "--generated-at", "2026-11-30T08:00:00Z")[0] == 0
    return study, path


def _type_d28_for_006(path: Path, shift: int) -> None:
    wb = load_workbook(path)
    ws = wb["Visits"]
    header = [c.value for c in ws[2]]  # row 1 is the title
    col = header.index("Actual date") + 1
    for row in ws.iter_rows(min_row=3):
        if row[0].value == "006" and row[1].value == "D28":
            ws.cell(row=row[0].row, column=col, value="2026-11-23")
    ws.insert_rows(1, amount=shift)  # the header moves down below row `shift`
    wb.save(path)


def test_a_header_below_row_30_is_found(exported: tuple[Path, Path]) -> None:
    study, path = exported
    _type_d28_for_006(path, 40)
    code, out, err = run("import", str(study), str(path), "--today", TODAY)
    assert code == 0, err
    assert "+ D28 done 2026-11-23" in out  # the typed entry is seen, not "nothing to change"


def test_a_far_cell_is_refused_quickly_naming_it(exported: tuple[Path, Path]) -> None:
    study, path = exported
    wb = load_workbook(path)
    wb["Overview"]["XFD1048576"] = "x"
    wb.save(path)
    start = time.monotonic()
    code, _, err = run("import", str(study), str(path), "--today", TODAY)
    assert time.monotonic() - start < 30  # was: 512 GB allocated, abort (exit 134)
    assert code == 2
    assert "sheet 'Overview' is too large to import: its used area reaches XFD1048576" in err


def _rewrite(path: Path, edit: dict[str, bytes | None]) -> None:
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    for name, data in edit.items():
        if data is None:
            parts.pop(name)
        else:
            parts[name] = data
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)


@pytest.mark.parametrize("damage", ["missing-sheet", "truncated-sheet", "garbage-workbook-xml"])
def test_a_damaged_part_is_a_located_error(exported: tuple[Path, Path], damage: str) -> None:
    study, path = exported
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet2.xml")
    edit: dict[str, bytes | None] = {
        "missing-sheet": {"xl/worksheets/sheet2.xml": None},
        "truncated-sheet": {"xl/worksheets/sheet2.xml": sheet[: len(sheet) // 2]},
        "garbage-workbook-xml": {"xl/workbook.xml": b"<workbook><sheets><sheet"},
    }[damage]
    _rewrite(path, edit)
    code, _, err = run("import", str(study), str(path), "--today", TODAY)
    assert code == 2 and "Traceback" not in err
    assert f"{path}: cannot read the workbook" in err or f"{path}:" in err, err


def test_an_id_typed_as_a_number_is_shown_as_typed(exported: tuple[Path, Path]) -> None:
    study, path = exported
    wb = load_workbook(path)
    ws = wb["Visits"]
    header = [c.value for c in ws[2]]  # row 1 is the title
    col = header.index("Actual date") + 1
    for row in ws.iter_rows(min_row=3):
        if row[0].value == "006" and row[1].value == "D28":
            ws.cell(row=row[0].row, column=1, value=6)
            ws.cell(row=row[0].row, column=col, value="2026-11-23")
    wb.save(path)
    code, _, err = run("import", str(study), str(path), "--today", TODAY)
    assert code == 2
    assert "a subject id typed as a number (leading zeros are lost): 6 " in err and "6.0" not in err


def test_a_workbook_that_is_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    import os

    study = copy_example_study(tmp_path / "s")
    fifo = tmp_path / "plan.xlsx"
    os.mkfifo(fifo)
    start = time.monotonic()
    code, _, err = run("import", str(study), str(fifo), "--today", TODAY)
    assert code == 2 and "cannot read: not a regular file but a FIFO" in err
    assert time.monotonic() - start < 20
