"""Writing the calendars' files all or nothing, with the calendars' message when a folder
cannot be written (a full disk included)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..core.fileio import StagedFiles, cannot_write

__all__ = ["CalendarFiles"]


class CalendarFiles(StagedFiles):
    """:class:`~cc312_schedule.core.fileio.StagedFiles` with the calendars' message for a folder that
    cannot be written (a full disk included)."""

    def stage(self, path: str | Path, pieces: Iterable[bytes]) -> None:
        try:
            super().stage(path, pieces)
        except OSError as exc:
            raise cannot_write(exc, path=str(exc.filename or path)) from None

    def commit(self) -> tuple[Path, ...]:
        try:
            return super().commit()
        except OSError as exc:
            raise cannot_write(exc, path=str(exc.filename or "") or None) from None
