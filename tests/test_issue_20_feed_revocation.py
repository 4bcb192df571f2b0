"""Issue 20, major 4 (security): a feed address must stop working once it is rotated or its
subject is gone, even when the run that rotated it was interrupted. Every ``feed`` run removes
every file named like a token that is not a current token's."""

from __future__ import annotations

import errno
import io
import json
import os
from pathlib import Path

import pytest

from cc312_schedule.calendars.feed import TOKENS_FILE
from cc312_schedule.cli import main
from conftest import copy_example_study

STAMP = ("--generated-at", "2026-11-30T08:00:00Z", "--today", "2026-11-30")


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def tokens(study: Path) -> dict[str, str]:
    return dict(json.loads((study / TOKENS_FILE).read_text(encoding="utf-8"))["tokens"])


def served(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name.endswith(".ics")}


def current(study: Path) -> set[str]:
    return {f"{t}.ics" for t in tokens(study).values()}


def _fail_writing_calendars(monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    """The rotation's run fails once the new token is saved: a full disk, a kill, a folder
    that cannot be written (write_ics is where the calendars are written)."""
    import cc312_schedule.calendars.feed as feed

    def fail(*a: object, **k: object) -> object:
        if how == "kill":
            raise KeyboardInterrupt
        raise OSError(errno.ENOSPC if how == "full-disk" else errno.EACCES,
                      os.strerror(errno.ENOSPC if how == "full-disk" else errno.EACCES))

    monkeypatch.setattr(feed, "write_ics", fail)


@pytest.mark.parametrize("how", ["full-disk", "kill", "read-only-folder"])
def test_an_interrupted_rotation_still_revokes_the_old_address(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               how: str) -> None:
    study, out = copy_example_study(tmp_path / "s"), tmp_path / "feeds"
    assert run("feed", str(study), "-o", str(out), *STAMP)[0] == 0
    old = f"{tokens(study)['003']}.ics"
    assert old in served(out)
    _fail_writing_calendars(monkeypatch, how)
    try:
        code: int | None = run("feed", str(study), "-o", str(out), "--rotate", "003", *STAMP)[0]
    except KeyboardInterrupt:
        code = None
    assert code != 0  # the run failed as injected
    monkeypatch.undo()
    assert old not in served(out)  # revoked even though the run failed
    assert run("feed", str(study), "-o", str(out), *STAMP)[0] == 0
    assert served(out) == current(study) and old not in served(out)


def test_a_left_over_old_address_is_removed_by_the_next_run(tmp_path: Path) -> None:
    """A rotation killed after saving its token, before it deleted the old file (the state
    any older version, or a kill, leaves): the next plain run removes the old file."""
    study, out = copy_example_study(tmp_path / "s"), tmp_path / "feeds"
    assert run("feed", str(study), "-o", str(out), *STAMP)[0] == 0
    stale = "A" * 43 + ".ics"
    (out / stale).write_text("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", encoding="utf-8")
    (out / "notes.ics").write_text("not a feed\n", encoding="utf-8")  # not a token's name: kept
    assert run("feed", str(study), "-o", str(out), *STAMP)[0] == 0
    assert stale not in served(out)
    assert served(out) == current(study) | {"notes.ics"}
    assert (out / "index.html").exists()


def _remove_subject(study: Path, sid: str) -> None:
    for name in ("subjects.csv", "decisions.csv", "visits.csv"):
        path = study / name
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(x for x in lines if not x.startswith(f"{sid},")), encoding="utf-8")


def test_a_retired_subject_keeps_no_live_feed(tmp_path: Path) -> None:
    study, out = copy_example_study(tmp_path / "s"), tmp_path / "feeds"
    assert run("feed", str(study), "-o", str(out), *STAMP)[0] == 0
    old = f"{tokens(study)['006']}.ics"
    _remove_subject(study, "006")
    code, _, err = run("ics", str(study), "-o", str(tmp_path / "ics"), "--retire", "006", *STAMP)
    assert code == 0, err
    code, out_text, err = run("feed", str(study), "-o", str(out), *STAMP)
    assert code == 0, err
    assert old not in served(out) and "006" not in tokens(study)
    assert served(out) == current(study)
    assert "retired 1 old name(s)" in out_text


def test_rotate_accepts_a_retired_subject(tmp_path: Path) -> None:
    """Rotating a subject that is no longer in subjects.csv revokes its address (today: refused
    as an unknown subject, and its file stays served)."""
    study, out = copy_example_study(tmp_path / "s"), tmp_path / "feeds"
    assert run("feed", str(study), "-o", str(out), *STAMP)[0] == 0
    old = f"{tokens(study)['006']}.ics"
    _remove_subject(study, "006")
    assert run("ics", str(study), "-o", str(tmp_path / "ics"), "--retire", "006", *STAMP)[0] == 0
    code, _, err = run("feed", str(study), "-o", str(out), "--rotate", "006", *STAMP)
    assert code == 0, err
    assert old not in served(out) and "006" not in tokens(study)


def test_a_subject_never_published_is_still_unknown(tmp_path: Path) -> None:
    study, out = copy_example_study(tmp_path / "s"), tmp_path / "feeds"
    assert run("feed", str(study), "-o", str(out), *STAMP)[0] == 0
    code, _, err = run("feed", str(study), "-o", str(out), "--rotate", "999", *STAMP)
    assert code == 2 and "--rotate: unknown subject: '999'" in err
