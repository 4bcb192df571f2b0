"""Issue 13: a full disk in the study folder or the output folder: a located error, exit 2,
nothing changed. On a real full file system (a small tmpfs, when this process may mount one:
root, as in CI's container) and, everywhere, with ``os.write`` failing with ENOSPC in-process."""

from __future__ import annotations

import errno
import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from cc312_schedule.cli import main
from conftest import copy_example_study

TODAY = "2026-11-30"
RECORD = ("006", "D28", "--done", "2026-11-23", "--today", TODAY)
DECIDE = ("006", "continue", "--on", "2026-11-23", "--regimen", "QW", "--investigator", "Dr. A",
          "--rationale", "x", "--today", TODAY)


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()
            and not p.name.startswith(".cc312-schedule.lock")}


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs, filled to the last byte once the study is copied in."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root (the in-process twins still run)")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)],
                       capture_output=True, text=True, check=False)
    if r.returncode != 0:  # a container without CAP_SYS_ADMIN: the in-process twins still run
        pytest.skip(f"mounting a tmpfs is not allowed here: {r.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(mnt: Path) -> None:
    fd = os.open(mnt / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)


@pytest.mark.parametrize("command", ["record", "decide"])
def test_full_study_disk_changes_nothing(full_disk: Path, command: str) -> None:
    study = copy_example_study(full_disk / "s")
    run("check", str(study))
    _fill(full_disk)
    before = snapshot(study)
    args = RECORD if command == "record" else DECIDE
    code, _, err = run(command, str(study), *args)
    assert code == 2, err
    assert "No space left on device; nothing was changed" in err and "Traceback" not in err
    assert snapshot(study) == before
    assert not [p for p in study.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("what", ["ics", "xlsx", "plan"])
def test_full_output_disk_is_a_located_error(full_disk: Path, tmp_path: Path, what: str) -> None:
    study = copy_example_study(tmp_path / "s")
    _fill(full_disk)
    out = full_disk / ("ics" if what == "ics" else f"plan.{what}")
    args = {"ics": ["ics", str(study), "-o", str(out), "--generated-at", "2026-11-30T08:00:00Z"],
            "xlsx": ["xlsx", str(study), "-o", str(out), "--today", TODAY,
                     "--generated-at", "2026-11-30T08:00:00Z"],
            "plan": ["plan", str(study), "--today", TODAY, "-o", str(out)]}[what]
    code, _, err = run(*args)
    assert code == 2 and "No space left on device" in err and "Traceback" not in err, err
    assert not out.is_file()


@pytest.mark.parametrize("command", ["record", "decide"])
def test_enospc_in_process_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           command: str) -> None:
    """The same without a mount: every write to a temporary file fails with ENOSPC."""
    import cc312_schedule.core.fileio as fileio

    study = copy_example_study(tmp_path / "s")
    before = snapshot(study)
    real_fsync = os.fsync

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fileio.os, "fsync", no_space)
    args = RECORD if command == "record" else DECIDE
    code, _, err = run(command, str(study), *args)
    monkeypatch.setattr(fileio.os, "fsync", real_fsync)
    assert code == 2 and "No space left on device; nothing was changed" in err, err
    assert snapshot(study) == before


def test_enospc_in_import_apply_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from openpyxl import load_workbook

    import cc312_schedule.core.fileio as fileio

    study = copy_example_study(tmp_path / "s")
    book = tmp_path / "plan.xlsx"
    assert run("xlsx", str(study), "-o", str(book), "--today", TODAY,
               "--generated-at", "2026-11-30T08:00:00Z")[0] == 0
    wb = load_workbook(book)
    ws = wb["Visits"]
    header = [c.value for c in ws[2]]
    for row in ws.iter_rows(min_row=3):
        if row[0].value == "006" and row[1].value == "D28":
            ws.cell(row=row[0].row, column=header.index("Actual date") + 1, value="2026-11-23")
    wb.save(book)
    before = snapshot(study)

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fileio.os, "fsync", no_space)
    code, _, err = run("import", str(study), str(book), "--apply", "--today", TODAY)
    monkeypatch.undo()
    assert code == 2 and "No space left on device; nothing was changed" in err, err
    assert snapshot(study) == before
    assert run("import", str(study), str(book), "--apply", "--today", TODAY)[0] == 0  # space again
    assert snapshot(study) != before
