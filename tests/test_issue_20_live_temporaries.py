"""Issue 20: a live export's temporary file was removed as stale by a concurrent export after
60 s (its writer's lock on it ends when it is written; the rename comes after every other
file of the set is written). Staleness is judged by a lock the writer holds on the folder
until its renames are done, not by age alone."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cc312_schedule.core.fileio import StagedFiles, remove_stale_temporaries


def _age(path: Path, seconds: float = 3600) -> None:
    old = time.time() - seconds
    os.utime(path, (old, old))


@pytest.mark.parametrize("remover", ["same-process", "other-process"])
def test_a_finished_temporary_of_a_live_set_is_not_stale(tmp_path: Path, remover: str) -> None:
    with StagedFiles() as files:
        files.stage(tmp_path / "a.ics", [b"first"])
        (tmp,) = [p for p in tmp_path.iterdir() if p.name.startswith(".a.ics.")]
        _age(tmp)  # written an hour ago, unlocked, still waiting for the set's rename
        if remover == "same-process":
            assert remove_stale_temporaries(tmp_path, ("a.ics",)) == 0
        else:  # a concurrent export of the same folder
            code = ("import sys; from cc312_schedule.core.fileio import remove_stale_temporaries;"
                    "sys.exit(remove_stale_temporaries(sys.argv[1], ('a.ics',)))")
            assert subprocess.run([sys.executable, "-c", code, str(tmp_path)],
                                  check=False).returncode == 0
        assert tmp.exists()
        files.stage(tmp_path / "b.ics", [b"second"])
        files.commit()  # today: FileNotFoundError, the first temporary was removed
    assert (tmp_path / "a.ics").read_bytes() == b"first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ics", "b.ics"]


def test_a_killed_writers_temporary_is_still_removed(tmp_path: Path) -> None:
    """Once no writer holds the folder, an old unlocked temporary is a leftover: removed."""
    left = tmp_path / ".a.ics.abcd1234.tmp"
    left.write_bytes(b"half")
    _age(left)
    with StagedFiles() as files:
        files.stage(tmp_path / "a.ics", [b"new"])
        files.commit()
    assert not left.exists() and (tmp_path / "a.ics").read_bytes() == b"new"


def test_a_leftover_of_a_later_name_in_the_set_is_removed_after_the_commit(tmp_path: Path) -> None:
    left = tmp_path / ".b.ics.abcd1234.tmp"
    left.write_bytes(b"half")
    _age(left)
    with StagedFiles() as files:
        files.stage(tmp_path / "a.ics", [b"1"])
        files.stage(tmp_path / "b.ics", [b"2"])
        assert left.exists()  # the folder is ours until the renames are done
        files.commit()
    assert not left.exists()
