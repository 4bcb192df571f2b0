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
    from collections.abc import Callable, Iterable
    from pathlib import Path

__all__ = [
    "DecisionError",
    "InvalidStudyError",
    "MoreErrors",
    "NotFoundError",
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
    def has_value(self) -> bool:
        """Whether the error names a bad value (``None`` may be one)."""
        return self._has_value

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
        return self.render()

    def render(self, *, say: Callable[[str, str], str] | None = None, colon: str = ":",
               space: str = " ", brackets: tuple[str, str] = (" (", ")"),
               show_value: bool = True) -> str:
        """The error as one line: location, key, message, value, hint. ``str(error)`` is the
        English form; :func:`cc312_schedule.core.messages.render_error` passes another
        language's words (``say(kind, text)``, kind ``err``, ``hint`` or ``key``) and punctuation, and
        ``show_value=False`` when its words already hold the value.

        >>> UsageError("unknown subject", key="SUBJECT", value="3", hint="did you mean 003?").render()
        "SUBJECT: unknown subject: '3' (did you mean 003?)"
        """
        key = say("key", self.key) if say and self.key else self.key
        parts = [part + colon for part in (self.location, key) if part]
        text = say("err", self.message) if say else self.message
        if self._has_value and show_value:
            text += f"{colon}{space}{self.value!r}"
        if self.hint:
            text += f"{brackets[0]}{say('hint', self.hint) if say else self.hint}{brackets[1]}"
        parts.append(text)
        return space.join(parts)


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


class MoreErrors(StudyFileError):
    """Stands for ``count`` more errors of one kind in a file (a column), counted but not kept:
    a file with millions of bad rows is reported in a few lines and bounded memory.

    >>> print(MoreErrors(11_399_980, path="visits.csv", column="status"))
    visits.csv: status: and 11,399,980 more errors like the ones above (not shown)
    """

    def __init__(self, count: int, **kw: object) -> None:
        self.count = count
        super().__init__(f"and {count:,} more errors like the ones above (not shown)",
                         **kw)  # type: ignore[arg-type]


class DecisionError(StudyFileError):
    """Investigator decisions that cannot be applied in the order given (e.g. a resume without a hold)."""


class UsageError(ScheduleError):
    """A command-line argument or a library argument is wrong."""


class NotFoundError(UsageError, KeyError):
    """A lookup by id found nothing (``plan.subject("7")``, ``subject_plan.event("W99D1")``);
    the hint names the known ids. Also a :class:`KeyError`, as a mapping's lookup would be.

    >>> err = NotFoundError.among("subject", "7", ["001", "002"])
    >>> print(err)
    subject: unknown subject: '7' (known subjects: 001, 002)
    >>> isinstance(err, ScheduleError) and isinstance(err, KeyError)
    True
    >>> print(NotFoundError.among("visit", "W99D1", [f"W{w}D1" for w in range(1, 31)]))
    visit: unknown visit: 'W99D1' (known visits: W1D1, W2D1, ..., W19D1, W20D1, … and 10 more)
    """

    SHOWN = 20  # ids listed in the hint; a 10,000-subject study does not list them all

    @classmethod
    def among(cls, what: str, value: str, known: Iterable[str]) -> NotFoundError:
        ids = list(known)
        shown = ", ".join(ids[:cls.SHOWN])
        if len(ids) > cls.SHOWN:
            shown += f", … and {len(ids) - cls.SHOWN} more"
        return cls(f"unknown {what}", key=what, value=value,
                   hint=f"known {what}s: {shown}" if ids else f"there are no {what}s")


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
    """Several problems at once: ``errors`` lists every one (``cc312-schedule check`` prints them all).

    ``path`` is what was being read: the study folder for :func:`~cc312_schedule.load_study`,
    else the file of the first problem. With a single problem, ``line``, ``key`` and ``value``
    are that problem's; each of ``errors`` carries its own.

    >>> err = InvalidStudyError([StudyFileError("missing", path="s/subjects.csv", line=3, column="cohort"),
    ...                          StudyFileError("not a date", path="s/subjects.csv", line=5, value="x")])
    >>> err.path, err.line, len(err.errors)
    ('s/subjects.csv', None, 2)
    >>> InvalidStudyError(err.errors, path="s").path
    's'
    """

    def __init__(self, errors: Iterable[ScheduleError], *, path: str | Path | None = None) -> None:
        self.errors: tuple[ScheduleError, ...] = tuple(errors)
        n = len(self.errors)
        first = str(self.errors[0]) if self.errors else "no problems"
        more = f" (and {n - 1} more problem{'s' if n > 2 else ''})" if n > 1 else ""
        if path is None:
            paths = [e.path for e in self.errors if e.path is not None]
            path = paths[0] if paths else None
        super().__init__(first + more, path=path)
        if n == 1:
            only = self.errors[0]
            self.line, self.key, self.value, self._has_value = (
                only.line, only.key, only.value, only._has_value)

    @property
    def total(self) -> int:
        """How many problems: each of ``errors``, and every one a :class:`MoreErrors` counts."""
        return sum(e.count if isinstance(e, MoreErrors) else 1 for e in self.errors)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)
