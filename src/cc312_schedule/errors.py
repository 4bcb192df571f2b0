"""The errors of cc312-schedule: one base class, subclasses that carry where the bad input is.

Every error is a :class:`ScheduleError` (a :class:`ValueError`), so a caller catches one class.
Each carries the file, the line (or TOML key, or column) and the bad value, and its message
says what to do:

>>> err = StudyFileError("not an ISO date", path="subjects.csv", line=4, column="first_dose_date",
...                      value="03/04/2026", hint="write dates as YYYY-MM-DD, e.g. 2026-04-03")
>>> print(err)
subjects.csv:4: first_dose_date: not an ISO date: '03/04/2026' (write dates as YYYY-MM-DD, e.g. 2026-04-03)
>>> isinstance(err, ValueError), err.line, err.value
(True, 4, '03/04/2026')
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the CLI starts fast)
if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

__all__ = [
    "DecisionError",
    "InvalidStudyError",
    "ProtocolError",
    "ScheduleError",
    "StudyFileError",
    "UsageError",
    "WorkbookError",
]

_MISSING = object()


class ScheduleError(ValueError):
    """Base of every error this package raises for bad input.

    ``path``: the file; ``line``: 1-based line (header is line 1 in a CSV);
    ``key``: a TOML key path or a CSV column; ``value``: the offending value;
    ``hint``: what to do about it.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        key: str | None = None,
        value: object = _MISSING,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.key = key
        self.value = None if value is _MISSING else value
        self._has_value = value is not _MISSING
        self.hint = hint
        super().__init__(str(self))

    @property
    def location(self) -> str:
        """``file:line`` or ``file`` (empty when unknown)."""
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line is not None else self.path

    def with_path(self, path: str | Path) -> ScheduleError:
        """Return this error located in ``path`` (used as an error travels up)."""
        self.path = str(path)
        self.args = (str(self),)
        return self

    def __str__(self) -> str:
        parts = []
        if self.location:
            parts.append(self.location + ":")
        if self.key:
            parts.append(self.key + ":")
        text = self.message
        if self._has_value:
            text += f": {self.value!r}"
        if self.hint:
            text += f" ({self.hint})"
        parts.append(text)
        return " ".join(parts)


class ProtocolError(ScheduleError):
    """A protocol TOML file is malformed or inconsistent; ``key`` is the TOML key path."""


class StudyFileError(ScheduleError):
    """A study-folder file (study.toml or a CSV) holds a bad value; ``key`` is the column."""

    def __init__(self, message: str, *, column: str | None = None, **kw: object) -> None:
        key = column if column is not None else kw.pop("key", None)
        super().__init__(message, key=key, **kw)  # type: ignore[arg-type]

    @property
    def column(self) -> str | None:
        return self.key


class DecisionError(StudyFileError):
    """Investigator decisions that cannot be applied in the order given (e.g. a resume without a hold)."""


class UsageError(ScheduleError):
    """A command-line argument or a library argument is wrong."""


class WorkbookError(ScheduleError):
    """A cell of a coordinator's workbook holds a bad entry; ``key`` (alias ``cell``) is ``Visits!P14``.

    >>> print(WorkbookError("not a date", path="plan.xlsx", cell="Visits!P14", value="23/11/2026",
    ...                     hint="type it as YYYY-MM-DD"))
    plan.xlsx: Visits!P14: not a date: '23/11/2026' (type it as YYYY-MM-DD)
    """

    def __init__(self, message: str, *, cell: str | None = None, **kw: object) -> None:
        key = cell if cell is not None else kw.pop("key", None)
        super().__init__(message, key=key, **kw)  # type: ignore[arg-type]

    @property
    def cell(self) -> str | None:
        return self.key


class InvalidStudyError(ScheduleError):
    """Several problems at once: ``errors`` lists every one (``cc312-schedule check`` prints them all)."""

    def __init__(self, errors: Iterable[ScheduleError]) -> None:
        self.errors: tuple[ScheduleError, ...] = tuple(errors)
        n = len(self.errors)
        first = str(self.errors[0]) if self.errors else "no problems"
        more = f" (and {n - 1} more problem{'s' if n > 2 else ''})" if n > 1 else ""
        super().__init__(first + more)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)
