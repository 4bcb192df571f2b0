"""Issue 10: one atomic writer (fileio.StagedFiles) for every output, with one set of guarantees:
new files get 0o666 less the umask (the calendars were 0o644 whatever the umask), a replaced
file keeps its bits, and a set is renamed together or not at all."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from cc312_schedule.cli import main
from cc312_schedule.core.fileio import StagedFiles
from conftest import copy_example_study


@pytest.fixture
def umask_027() -> Iterator[None]:
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize("command", [
    ["ics", "{study}", "-o", "{out}", "--generated-at", "2026-11-25T08:00:00Z"],
    ["sdtm", "{study}", "-o", "{out}", "--generated-at", "2026-11-25T08:00:00Z"],
    ["feed", "{study}", "-o", "{out}", "--generated-at", "2026-11-25T08:00:00Z"],
], ids=["ics", "sdtm", "feed"])
def test_new_output_files_follow_the_umask(tmp_path: Path, umask_027: None,
                                           command: list[str]) -> None:
    study = copy_example_study(tmp_path / "study")
    out = tmp_path / "out"
    args = [a.format(study=study, out=out) for a in command]
    assert main(args, stdout=io.StringIO(), stderr=io.StringIO()) == 0
    modes = {stat.S_IMODE(p.stat().st_mode) for p in out.iterdir() if p.suffix != ".html"}
    assert modes == {0o640}


def test_a_replaced_file_keeps_its_bits_and_a_failed_set_changes_nothing(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_bytes(b"old a")
    a.chmod(0o600)
    b.write_bytes(b"old b")

    def broken() -> Iterator[bytes]:
        yield b"half"
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError), StagedFiles() as files:
        files.stage(a, [b"new a"])
        files.stage(b, broken())
        files.commit()
    assert (a.read_bytes(), b.read_bytes()) == (b"old a", b"old b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]  # no temporaries
    with StagedFiles() as files:
        files.stage(a, [b"new a"])
        files.commit()
    assert a.read_bytes() == b"new a" and stat.S_IMODE(a.stat().st_mode) == 0o600
