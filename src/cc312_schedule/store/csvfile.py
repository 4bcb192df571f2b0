"""Reading the study folder's CSV files: a header, rows with their line numbers, located errors."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from ..core.days import parse_iso_date
from ..core.domain import study_span
from ..core.errors import ScheduleError, StudyFileError
from ..core.fileio import CSV_LIMIT, InputFileError, read_input

__all__ = ["CsvRows", "read_text"]


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _open_quote_line(text: str, first: int) -> int | None:
    """The line where a quote that spans lines opened, reading CSV from line ``first``.

    The quote still open at the end of the text if there is one, else the last quoted value
    that ran over a line break; ``None`` when no quoted value spans lines.
    """
    lines = _LINES.findall(text)
    in_quote, at_start, opened, spanning = False, True, 0, None
    for n, line in enumerate(lines[first - 1:], start=first):
        i = 0
        while i < len(line):
            c = line[i]
            if in_quote:
                if c == '"':
                    if line[i + 1:i + 2] == '"':
                        i += 1
                    else:
                        in_quote = False
                        if n != opened:
                            spanning = opened
            elif c == '"' and at_start:
                in_quote, opened = True, n
            at_start = not in_quote and c in ",\r\n"
            i += 1
    return opened if in_quote else spanning


def read_text(path: Path, errors: list[ScheduleError], *, limit: int, encoding: str,
               hint: str) -> str | None:
    """A study file's text, or ``None`` with an error naming the file (and the line of a bad byte)."""
    try:
        raw = read_input(path, limit=limit)
    except InputFileError as exc:
        errors.append(StudyFileError(exc.message, path=path, hint=exc.hint))
        return None
    except OSError as exc:
        errors.append(StudyFileError(f"cannot read: {exc.strerror}", path=path,
                                     hint="check the file's permissions"))
        return None
    head = raw[:2000]
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or head.count(b"\0") > len(head) // 4:
        errors.append(StudyFileError("not UTF-8 text: it looks like UTF-16", path=path, hint=hint))
        return None
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        errors.append(StudyFileError(f"not UTF-8 text: byte {raw[exc.start]:#04x} "
                                     f"is not valid here", path=path, line=line, hint=hint))
        return None


class CsvRows:
    """Reads a CSV with a header; yields (line, row) and records errors with file:line."""

    def __init__(self, path: Path, required: tuple[str, ...], optional: tuple[str, ...],
                 errors: list[ScheduleError], *, extra_allowed: bool,
                 multiline: tuple[str, ...] = ()) -> None:
        self.path = path
        self.required = required
        self.optional = optional
        self.errors = errors
        self.extra_allowed = extra_allowed
        self.multiline = multiline  # free-text columns whose quoted values may hold line breaks
        self.span = study_span(None)
        self.ok = True

    def error(self, line: int | None, column: str | None, message: str, value: object = None,
              hint: str | None = None, *, cls: type[StudyFileError] = StudyFileError) -> None:
        kw: dict[str, object] = {"path": self.path, "line": line, "column": column, "hint": hint}
        if value is not None:
            kw["value"] = value
        self.errors.append(cls(message, **kw))  # type: ignore[arg-type]
        self.ok = False

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        text = read_text(self.path, self.errors, limit=CSV_LIMIT, encoding="utf-8-sig",
                          hint="save the file as CSV UTF-8 (Excel: 'CSV UTF-8 (Comma delimited)')")
        if text is None:
            self.ok = False
            return
        # newline="": only \n, \r and \r\n end a row; \x85 or U+2028 inside a note stay in it.
        # strict: a quote left open to the end of the file, or text after a closing quote, is
        # an error (the default reader silently swallows every row after a stray quote).
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            header = next(reader)
        except StopIteration:
            self.error(1, None, "empty file", hint="the first line must be the header: "
                       + ",".join(self.required))
            return
        except csv.Error as exc:
            self._malformed(text, 1, reader.line_num, exc)
            return
        header = [h.strip() for h in header]
        self._check_header(header)
        if not self.ok:
            return
        multiline = set(self.multiline)
        start = reader.line_num
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self._malformed(text, start + 1, reader.line_num, exc)
                return
            first, line = start + 1, reader.line_num
            start = line
            if line > first and not self._spans_ok(text, first, line, header, row, multiline):
                return
            if not any(c.strip() for c in row):
                continue
            if len(row) > len(header):
                self.error(line, None, f"{len(row)} fields but the header has {len(header)}",
                           hint="quote values that contain commas")
                continue
            yield line, {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}

    def _check_header(self, header: list[str]) -> None:
        """Missing, unknown, empty and repeated header cells: one error per kind of problem."""
        from collections import Counter

        known = set(self.required) | set(self.optional)
        for col in self.required:
            if col not in header:
                self.error(1, col, "missing column", hint="the header must include: "
                           + ",".join(self.required))
        counts = Counter(header)
        empty = counts.pop("", 0)
        if empty and not self.extra_allowed:
            at = header.index("") + 1
            self.error(1, None, f"{empty} empty header cell{'s' if empty > 1 else ''} "
                       f"(the first is column {at})",
                       hint="delete the empty columns, or name them: "
                       + ",".join((*self.required, *self.optional)))
        unknown: list[str] = []
        suggested = 0
        for col in counts:  # each distinct name once: linear in the header's length
            if col in known:
                continue
            import difflib  # only for a bad column: not on every run

            close = difflib.get_close_matches(col, known, n=1, cutoff=0.75) if suggested < 5 else []
            if close:
                suggested += 1
                self.error(1, col, "unknown column", hint=f"did you mean '{close[0]}'?")
            elif not self.extra_allowed:
                unknown.append(col)
        if unknown:
            shown = ", ".join(repr(c) for c in unknown[:5]) + (", ..." if len(unknown) > 5 else "")
            self.error(1, None, f"{len(unknown)} unknown column{'s' if len(unknown) > 1 else ''}: "
                       f"{shown}",
                       hint="known columns: " + ",".join((*self.required, *self.optional)))
        dupes = sorted(c for c, n in counts.items() if n > 1)
        if len(dupes) == 1:
            self.error(1, dupes[0], f"column appears {counts[dupes[0]]} times", hint="keep one")
        elif dupes:
            shown = ", ".join(f"{c!r} ({counts[c]}x)" for c in dupes[:5])
            self.error(1, None, f"{len(dupes)} columns appear more than once: {shown}"
                       + (", ..." if len(dupes) > 5 else ""), hint="keep one of each")

    def _malformed(self, text: str, first: int, last: int, exc: csv.Error) -> None:
        """A CSV syntax error: where the record began, and where a stray quote opened."""
        quote = _open_quote_line(text, first)
        if "end of data" in str(exc) or "unexpected end" in str(exc):
            self.error(quote or first, None, "a quote (\") opens here and is never closed: every "
                       "line after it would be read as one value",
                       hint="close the quote, or delete the stray \" character")
        else:
            where = f" (the quote opened on line {quote})" if quote and quote != last else ""
            self.error(last, None, f"malformed CSV: {exc}{where}",
                       hint='a value with a quote must be written whole in quotes, its quotes '
                       'doubled: "said ""yes"""')

    def _spans_ok(self, text: str, first: int, last: int, header: list[str], row: list[str],
                  multiline: set[str]) -> bool:
        """A record over several lines: allowed only for a line break inside a free-text column
        (a note typed with line breaks), never when the text it swallowed looks like rows."""
        cols = [header[i] if i < len(header) else "?" for i, v in enumerate(row)
                if "\n" in v or "\r" in v]
        swallowed = max((line.count(",") for v in row for line in _LINE_BREAK.split(v)[1:]),
                        default=0)
        if all(c in multiline for c in cols) and swallowed < len(header) - 1:
            return True
        quote = _open_quote_line(text, first) or first
        self.error(quote, cols[0] if cols else None,
                   f"a quoted value runs from line {quote} to line {last}"
                   + (" and holds what look like rows" if swallowed >= len(header) - 1 else ""),
                   hint="close the quote where the value ends (line breaks are allowed only "
                   "inside a quoted " + "/".join(sorted(multiline)) + " value)"
                   if multiline else "close the quote where the value ends")
        return False

    def date(self, line: int, row: dict[str, str], col: str, *, required: bool) -> date | None:
        text = row.get(col, "")
        if not text:
            if required:
                self.error(line, col, "missing date", hint="write it as YYYY-MM-DD")
            return None
        try:
            day = parse_iso_date(text)
        except ValueError as exc:
            self.error(line, col, str(exc))
            return None
        lo, hi = self.span if col != "date_of_birth" else (date(1900, 1, 1), self.span[1])
        if not lo <= day <= hi:
            self.error(line, col, f"outside the study's span ({lo} to {hi})", text,
                       hint="check the year")
            return None
        return day
