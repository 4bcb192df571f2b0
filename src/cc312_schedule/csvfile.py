"""Reading the study folder's CSV files: a header, rows with their line numbers, located errors."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from .days import parse_iso_date
from .errors import ScheduleError, StudyFileError

__all__ = ["CsvRows"]


class CsvRows:
    """Reads a CSV with a header; yields (line, row) and records errors with file:line."""

    def __init__(self, path: Path, required: tuple[str, ...], optional: tuple[str, ...],
                 errors: list[ScheduleError], *, extra_allowed: bool) -> None:
        self.path = path
        self.required = required
        self.optional = optional
        self.errors = errors
        self.extra_allowed = extra_allowed
        self.ok = True

    def error(self, line: int | None, column: str | None, message: str, value: object = None,
              hint: str | None = None, *, cls: type[StudyFileError] = StudyFileError) -> None:
        kw: dict[str, object] = {"path": self.path, "line": line, "column": column, "hint": hint}
        if value is not None:
            kw["value"] = value
        self.errors.append(cls(message, **kw))  # type: ignore[arg-type]
        self.ok = False

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        try:
            text = self.path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            self.error(None, None, "not UTF-8 text",
                       hint="save the file as CSV UTF-8 (Excel: 'CSV UTF-8 (Comma delimited)')")
            return
        except OSError as exc:
            self.error(None, None, f"cannot read: {exc.strerror}",
                       hint="check the file's permissions")
            return
        # newline="": only \n, \r and \r\n end a row; \x85 or U+2028 inside a note stay in it
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader)
        except StopIteration:
            self.error(1, None, "empty file", hint="the first line must be the header: "
                       + ",".join(self.required))
            return
        header = [h.strip() for h in header]
        known = set(self.required) | set(self.optional)
        for col in self.required:
            if col not in header:
                self.error(1, col, "missing column", hint="the header must include: "
                           + ",".join(self.required))
        for col in header:
            if col in known:
                continue
            import difflib  # only for a bad column: not on every run

            close = difflib.get_close_matches(col, known, n=1, cutoff=0.75)
            if close:
                self.error(1, col, "unknown column", hint=f"did you mean '{close[0]}'?")
            elif not self.extra_allowed:
                self.error(1, col, "unknown column",
                           hint="known columns: " + ",".join((*self.required, *self.optional)))
        dupes = sorted({c for c in header if header.count(c) > 1 and c})
        for col in dupes:
            self.error(1, col, "column appears twice", hint="keep one")
        if not self.ok:
            return
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self.error(reader.line_num, None, f"malformed CSV: {exc}")
                return
            line = reader.line_num
            if not any(c.strip() for c in row):
                continue
            if len(row) > len(header):
                self.error(line, None, f"{len(row)} fields but the header has {len(header)}",
                           hint="quote values that contain commas")
                continue
            yield line, {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}

    def date(self, line: int, row: dict[str, str], col: str, *, required: bool) -> date | None:
        text = row.get(col, "")
        if not text:
            if required:
                self.error(line, col, "missing date", hint="write it as YYYY-MM-DD")
            return None
        try:
            return parse_iso_date(text)
        except ValueError as exc:
            self.error(line, col, str(exc))
            return None
