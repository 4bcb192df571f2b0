"""Reading the study folder's CSV files: a header, rows with their line numbers, located errors."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path

from ..core.days import parse_iso_date
from ..core.domain import study_span
from ..core.errors import MoreErrors, ScheduleError, StudyFileError
from ..core.fileio import CSV_LIMIT, InputFileError, read_input

__all__ = ["CONTROL", "ERRORS_SHOWN", "CsvRows", "control_problem", "read_text"]

_DIGITS = re.compile(r"\d+")


def _open_quote_line(lines: list[str], first: int) -> int | None:
    """The line where a quote that spans lines opened, in the CSV ``lines`` that start at line
    ``first`` (one record's lines, as the reader took them).

    The quote still open at the end of the lines if there is one, else the last quoted value
    that ran over a line break; ``None`` when no quoted value spans lines.
    """
    in_quote, at_start, opened, spanning = False, True, 0, None
    for n, line in enumerate(lines, start=first):
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


#: Control characters (C0 but tab and line feed, DEL, C1), refused in the values a calendar
#: or a page shows (a study's name and site, a cohort, a dose level, a closed day's reason):
#: a NUL or an escape would be written raw into the calendars, which strict parsers then
#: reject (a tab or a line break is escaped there: a two-line site address is kept). Free
#: text (notes, rationales) keeps them: it is never written to a calendar, and it is what
#: the user recorded.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: Errors of one kind (a file, a column, a message) printed before the rest are only counted.
ERRORS_SHOWN = 20


def control_problem(text: str) -> str | None:
    """What is wrong with a control character in ``text``, or ``None`` if it holds none.

    >>> control_problem("DL1"), control_problem("DL\\x001")
    (None, 'holds a control character (U+0000) at position 3')
    >>> control_problem("a\\x1b[31m"), control_problem("Ward 3\\nBldg. A\\tRoom 7")
    ('holds a control character (U+001B) at position 2', None)
    """
    m = CONTROL.search(text)
    if m is None:
        return None
    return f"holds a control character (U+{ord(m.group()):04X}) at position {m.start() + 1}"


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
                 multiline: tuple[str, ...] = (),
                 row_like: Mapping[str, re.Pattern[str]] | None = None,
                 plain: tuple[str, ...] = ()) -> None:
        self.path = path
        self.required = required
        self.optional = optional
        self.errors = errors
        self.extra_allowed = extra_allowed
        self.multiline = multiline  # free-text columns whose quoted values may hold line breaks
        self.row_like = row_like  # column -> what a row's value there looks like
        self.plain = plain  # columns shown in calendars: no control characters
        self.span = study_span(None)
        self.ok = True
        self.complete = False  # read to the end of the file (not stopped by a broken quote)
        self.count = 0  # errors found, the ones only counted included
        self._kinds: Counter[tuple[str | None, str]] = Counter()
        self._lines: list[str] = []  # the raw lines of the record being read

    def error(self, line: int | None, column: str | None, message: str, value: object = None,
              hint: str | None = None, *, cls: type[StudyFileError] = StudyFileError) -> None:
        self.ok = False
        self.count += 1
        kind = (column, _DIGITS.sub("#", message))
        self._kinds[kind] += 1
        if self._kinds[kind] > ERRORS_SHOWN:  # counted, not kept: memory stays bounded
            return
        kw: dict[str, object] = {"path": self.path, "line": line, "column": column, "hint": hint}
        if value is not None:
            kw["value"] = value
        self.errors.append(cls(message, **kw))  # type: ignore[arg-type]

    def _summarize(self) -> None:
        """One :class:`~.errors.MoreErrors` per kind with more than :data:`ERRORS_SHOWN`."""
        for (column, _), n in self._kinds.items():
            if n > ERRORS_SHOWN:
                self.errors.append(MoreErrors(n - ERRORS_SHOWN, path=self.path, column=column))

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        try:
            yield from self._rows()
        finally:
            self._summarize()

    def _read_lines(self, text: str) -> Iterator[str]:
        """The file's lines for the CSV reader, each kept until the record it ends is read."""
        for line in io.StringIO(text, newline=""):
            self._lines.append(line)
            yield line

    def _rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        text = read_text(self.path, self.errors, limit=CSV_LIMIT, encoding="utf-8-sig",
                          hint="save the file as CSV UTF-8 (Excel: 'CSV UTF-8 (Comma delimited)')")
        if text is None:
            self.ok = False
            return
        # newline="": only \n, \r and \r\n end a row; \x85 or U+2028 inside a note stay in it.
        # strict: a quote left open to the end of the file, or text after a closing quote, is
        # an error (the default reader silently swallows every row after a stray quote).
        reader = csv.reader(self._read_lines(text), strict=True)
        try:
            header = next(reader)
        except StopIteration:
            self.error(1, None, "empty file", hint="the first line must be the header: "
                       + ",".join(self.required))
            return
        except csv.Error as exc:
            self._malformed(1, reader.line_num, exc)
            return
        header = [h.strip() for h in header]
        self._check_header(header)
        if not self.ok:
            return
        multiline = set(self.multiline)
        start = reader.line_num
        while True:
            self._lines.clear()
            try:
                row = next(reader)
            except StopIteration:
                self.complete = True
                return
            except csv.Error as exc:
                self._malformed(start + 1, reader.line_num, exc)
                return
            first, line = start + 1, reader.line_num
            start = line
            if line > first and not self._spans_ok(first, line, header, row, multiline):
                return
            if not any(c.strip() for c in row):
                continue
            if len(row) > len(header):
                self.error(line, None, f"{len(row)} fields but the header has {len(header)}",
                           hint="quote values that contain commas")
                continue
            values = {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}
            bad = False
            for h in self.plain:
                problem = control_problem(values.get(h, ""))
                if problem:
                    self.error(line, h, problem, values[h], hint="delete it (a NUL, an escape or "
                               "another control character is never part of this value)")
                    bad = True
            if not bad:
                yield line, values

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

    def _malformed(self, first: int, last: int, exc: csv.Error) -> None:
        """A CSV syntax error: where the record began, and where a stray quote opened."""
        quote = _open_quote_line(self._lines, first)
        if "end of data" in str(exc) or "unexpected end" in str(exc):
            self.error(quote or first, None, "a quote (\") opens here and is never closed: every "
                       "line after it would be read as one value",
                       hint="close the quote, or delete the stray \" character")
        else:
            where = f" (the quote opened on line {quote})" if quote and quote != last else ""
            self.error(last, None, f"malformed CSV: {exc}{where}",
                       hint='a value with a quote must be written whole in quotes, its quotes '
                       'doubled: "said ""yes"""')

    def _spans_ok(self, first: int, last: int, header: list[str], row: list[str],
                  multiline: set[str]) -> bool:
        """A record over several lines: allowed only for a line break inside a free-text column
        (a note typed with line breaks), and only when no line it swallowed could be a row of
        its own (a full row, or a short one without its last empty fields); otherwise an error
        naming the line where the quote opened and the first line that looks like a row."""
        cols = [header[i] if i < len(header) else "?" for i, v in enumerate(row)
                if "\n" in v or "\r" in v]
        quote = _open_quote_line(self._lines, first) or first
        swallowed = next((n for n, text in enumerate(self._lines[quote - first + 1:],
                                                     start=quote + 1)
                          if self._looks_like_row(text, header)), None)
        if all(c in multiline for c in cols) and swallowed is None:
            return True
        if swallowed is not None:
            message = (f"a quoted value opens on line {quote} and swallows line {swallowed}, "
                       "which looks like a row of its own")
        else:
            message = f"a quoted value runs from line {quote} to line {last}"
        self.error(quote, cols[0] if cols else None, message,
                   hint="close the quote where the value ends (line breaks are allowed only "
                   "inside a quoted " + "/".join(sorted(multiline)) + " value)"
                   if multiline else "close the quote where the value ends")
        return False

    def _looks_like_row(self, text: str, header: list[str]) -> bool:
        """Whether one raw line could be a row of this file: as many fields as the header,
        or (a short row) a value in every required column that looks like one of that column."""
        try:
            fields = next(csv.reader([text.rstrip("\r\n")]), [])
        except csv.Error:
            return False
        if len(fields) >= len(header) >= 2:
            return True
        if not self.row_like:
            return False
        for col in self.required:
            i = header.index(col)
            if i >= len(fields):
                return False
            pattern = self.row_like.get(col)
            value = fields[i].strip()
            if not value or (pattern is not None and not pattern.fullmatch(value)):
                return False
        return True

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
