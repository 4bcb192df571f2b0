"""Issue 13, writes that follow links and special files (lock, -o, study files, temporaries)."""

from __future__ import annotations

import io
import os
import threading
import time
from pathlib import Path

import pytest

from cc312_schedule.cli import main
from cc312_schedule.core.fileio import remove_stale_temporaries, write_atomic
from conftest import copy_example_study

RECORD = ("006", "D28", "--done", "2026-11-23", "--today", "2026-11-30")


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_lock_file_symlink_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    study = copy_example_study(tmp_path / "s")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    (study / ".cc312-schedule.lock").symlink_to(victim)
    before = (study / "visits.csv").read_bytes()
    code, _, err = run("record", str(study), *RECORD)
    assert code == 2 and "the lock file is a symbolic link" in err
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert (study / "visits.csv").read_bytes() == before


def test_lock_file_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    study = copy_example_study(tmp_path / "s")
    os.mkfifo(study / ".cc312-schedule.lock")
    code, _, err = run("record", str(study), *RECORD)
    assert code == 2 and "the lock file is not a regular file" in err


def test_symlinked_visits_csv_is_written_through(tmp_path: Path) -> None:
    study = copy_example_study(tmp_path / "s")
    real = tmp_path / "shared" / "visits.csv"
    real.parent.mkdir()
    (study / "visits.csv").rename(real)
    (study / "visits.csv").symlink_to(real)
    code, _, err = run("record", str(study), *RECORD)
    assert code == 0, err
    assert (study / "visits.csv").is_symlink()  # the link stays
    assert real.read_text(encoding="utf-8").endswith("006,D28,2026-11-23,done,\n")  # its target got the row


def test_output_fifo_is_written_directly(tmp_path: Path) -> None:
    fifo = tmp_path / "plan.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    code, _, err = run("plan", "templates/example-study", "--format", "csv", "--today", "2026-11-30",
                       "-o", str(fifo))
    reader.join(10)
    assert code == 0, err
    assert fifo.is_fifo()  # not replaced by a regular file
    assert got and got[0].startswith(b"subject_id,")


@pytest.mark.parametrize("device", ["/dev/full", "/dev/null"], ids=["dev-full", "dev-null"])
def test_output_device_is_refused_not_replaced(device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"no {device} here")
    before = os.stat(device)
    code, _, err = run("plan", "templates/example-study", "--today", "2026-11-30", "-o", device)
    assert code == 2 and "will not replace a character device" in err
    assert Path(device).is_char_device() and os.stat(device).st_rdev == before.st_rdev


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder"])
def test_non_regular_input_file_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    study = copy_example_study(tmp_path / "s")
    (study / "visits.csv").unlink()
    if kind == "fifo":
        os.mkfifo(study / "visits.csv")
    elif kind == "dev-zero":
        (study / "visits.csv").symlink_to("/dev/zero")
    else:
        (study / "visits.csv").mkdir()
    start = time.monotonic()
    code, _, err = run("check", str(study))
    assert code == 2 and "visits.csv: cannot read: not a regular file" in err
    assert time.monotonic() - start < 20  # no hang (the fuzz suite bounds every case too)


def test_oversized_input_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import cc312_schedule.store.csvfile as csvfile  # the study's CSV reader

    monkeypatch.setattr(csvfile, "CSV_LIMIT", 1000)
    study = copy_example_study(tmp_path / "s")
    code, _, err = run("check", str(study))
    assert code == 2 and "visits.csv: cannot read: too large" in err


def test_stale_temporaries_of_a_killed_writer_are_removed(tmp_path: Path) -> None:
    study = copy_example_study(tmp_path / "s")
    stale = study / ".visits.csv.abc123.tmp"
    stale.write_text("half a file", encoding="utf-8")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    code, _, err = run("record", str(study), *RECORD)
    assert code == 0, err
    assert not stale.exists()


def test_a_held_temporary_is_kept(tmp_path: Path) -> None:
    import fcntl

    tmp = tmp_path / ".plan.csv.live.tmp"
    tmp.write_text("being written", encoding="utf-8")
    os.utime(tmp, (0, 0))
    with open(tmp, "rb") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        assert remove_stale_temporaries(tmp_path, ("plan.csv",)) == 0
        assert tmp.exists()
    assert remove_stale_temporaries(tmp_path, ("plan.csv",)) == 1  # released: stale now


def test_a_recent_temporary_is_kept(tmp_path: Path) -> None:
    (tmp_path / ".plan.csv.new.tmp").write_text("x", encoding="utf-8")
    write_atomic(tmp_path / "plan.csv", "data")
    assert (tmp_path / ".plan.csv.new.tmp").exists()


def test_ics_to_stdout_on_a_read_only_study_prints_nothing(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    import cc312_schedule.calendars.ics as ics

    def read_only(path: object, state: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(ics, "write_ics_state", read_only)  # as root, chmod would not stop it
    study = copy_example_study(tmp_path / "s")
    code, out, err = run("ics", str(study), "-o", "-", "--generated-at", "2026-11-30T08:00:00Z")
    assert code == 2 and out == ""
    assert "cannot save the calendar state: Read-only file system; nothing was published" in err


def test_stale_calendar_temporaries_are_removed_by_the_next_ics_run(tmp_path: Path) -> None:
    study = copy_example_study(tmp_path / "s")
    out = tmp_path / "ics"
    out.mkdir()
    stale = [out / ".subject-001.ics.k9k9k9.tmp", study / "..cc312-ics-state.json.k9k9k9.tmp"]
    for p in stale:
        p.write_text("killed mid-write", encoding="utf-8")
        os.utime(p, (time.time() - 3600,) * 2)
    code, _, err = run("ics", str(study), "-o", str(out), "--generated-at", "2026-11-30T08:00:00Z")
    assert code == 0, err
    assert not [p for p in stale if p.exists()]
    assert (out / "subject-001.ics").is_file()


def test_calendar_folder_links_are_written_through_and_fifos_refused(tmp_path: Path) -> None:
    study = copy_example_study(tmp_path / "s")
    out, shared = tmp_path / "ics", tmp_path / "shared"
    out.mkdir()
    shared.mkdir()
    (shared / "site.ics").write_text("old", encoding="utf-8")
    (out / "site.ics").symlink_to(shared / "site.ics")
    code, _, err = run("ics", str(study), "-o", str(out), "--generated-at", "2026-11-30T08:00:00Z")
    assert code == 0, err
    assert (out / "site.ics").is_symlink()
    assert (shared / "site.ics").read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")
    os.mkfifo(out / "subject-002.ics.fifo")
    (out / "subject-002.ics").unlink()
    os.rename(out / "subject-002.ics.fifo", out / "subject-002.ics")
    code, _, err = run("ics", str(study), "-o", str(out), "--generated-at", "2026-11-30T09:00:00Z")
    assert code == 2 and "subject-002.ics: will not replace a FIFO (named pipe)" in err
    assert (out / "subject-002.ics").is_fifo()
