"""Writing the calendars' files all or nothing, with the calendars' message when a folder
cannot be written (a full disk included)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..core.errors import UsageError
from ..core.fileio import StagedFiles

__all__ = ["CalendarFiles"]


class CalendarFiles(StagedFiles):
    """:class:`~cc312_schedule.core.fileio.StagedFiles` with the calendars' message for a folder that
    cannot be written (a full disk included)."""

    def stage(self, path: str | Path, pieces: Iterable[bytes]) -> None:
        try:
            super().stage(path, pieces)
        except OSError as exc:
            raise UsageError(f"cannot write: {exc.strerror}", path=str(exc.filename or path),
                             hint="choose a writable folder") from None

    def commit(self) -> tuple[Path, ...]:
        try:
            return super().commit()
        except OSError as exc:
            raise UsageError(f"cannot write: {exc.strerror}", path=str(exc.filename or ""),
                             hint="choose a writable folder") from None
