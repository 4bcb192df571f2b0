"""The study's write lock: one writer of ``visits.csv`` / ``decisions.csv`` at a time."""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from ..core.errors import ScheduleError, UsageError
from ..core.fileio import open_no_follow, remove_stale_temporaries

__all__ = ["CALENDARS_LOCK_NAME", "LOCK_NAME", "StudyLockedError", "study_lock"]

LOCK_NAME = ".cc312-schedule.lock"
#: The calendars' own lock (``publish``, ``feed``): their state files, never the CSVs, so a
#: publish waiting on a slow server never keeps a nurse from recording (issue 20).
CALENDARS_LOCK_NAME = ".cc312-calendars.lock"


class StudyLockedError(ScheduleError):
    """Another writer holds the study's lock for longer than the wait allowed."""


@contextlib.contextmanager
def study_lock(folder: str | Path, *, timeout: float = 10.0,
               calendars: bool = False) -> Iterator[None]:
    """Hold the study's write lock (``STUDY/.cc312-schedule.lock``), waiting up to ``timeout`` s.

    An OS lock (``flock``; ``msvcrt.locking`` on Windows) on the lock file: released when the
    holder ends, even by a crash, so a stale lock file never blocks anyone. The lock file is
    opened without following a link (``O_NOFOLLOW``) and must be a regular file: a link or a
    FIFO planted under its name is refused, never written through. Once the lock is held, the
    temporaries of ``visits.csv`` / ``decisions.csv`` that a killed writer left are removed.

    Not the ``filelock`` library: its ``UnixFileLock`` opens the path with ``O_TRUNC`` and
    follows a symbolic link (truncating whatever the link points to), which this lock must not.

    ``calendars=True``: the calendars' lock (:data:`CALENDARS_LOCK_NAME`) instead, held by
    ``publish`` and ``feed`` around their state files and network I/O; the CSV writers do
    not wait for it.
    """
    path = Path(folder) / (CALENDARS_LOCK_NAME if calendars else LOCK_NAME)
    fd = open_no_follow(path, extra_flags=getattr(os, "O_NONBLOCK", 0), what="the lock file",
                        link_hint="delete the link (the lock file is created anew)")
    fh = os.fdopen(fd, "r+b", buffering=0)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_nlink > 1:
            raise UsageError("the lock file is not a regular file of its own", path=path,
                             hint="delete it (the lock file is created anew)")
    except BaseException:
        fh.close()
        raise
    deadline = time.monotonic() + timeout
    try:
        while not _try_lock(fh):
            if time.monotonic() >= deadline:
                fh.seek(0)
                holder = fh.read(200).decode("utf-8", "replace").strip() or "another process"
                raise StudyLockedError(
                    f"the study is being written by {holder}", path=path,
                    hint=f"waited {timeout:g} s; wait for the other import/record/decide to "
                    "finish, then run the command again")
            time.sleep(0.05)
        acquired = time.time()
        with contextlib.suppress(OSError):  # who holds it: information only (a full disk is fine)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()} since "
                      f"{datetime.now().isoformat(timespec='seconds')}".encode(), 0)
        if not calendars:
            remove_stale_temporaries(folder, ("visits.csv", "decisions.csv", ".cc312-audit-head"),
                                     older_than=acquired)
        yield
    finally:
        _unlock(fh)
        fh.close()


def _try_lock(fh: Any) -> bool:
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        try:
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _unlock(fh: Any) -> None:
    with contextlib.suppress(OSError):
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
