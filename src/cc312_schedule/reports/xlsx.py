"""The coordinators' workbook: Overview, Visits, Decisions, Timeline and Warnings sheets (``.xlsx``).

Written with XlsxWriter in its constant-memory mode (rows are streamed to disk as they are
made; measured 2.3-9.9x faster than openpyxl's write-only mode for the same content, see
``benchmarks/RESULTS.md``); XlsxWriter is imported inside the functions, so importing this
module costs nothing. Every label comes from :mod:`messages` in the study's language; every
rule (regimens, the cap, the study period, visit names) comes from the protocol and the plan.

Policies, each shown below:

* **Dates are dates**: every date is a spreadsheet date cell formatted ``yyyy-mm-dd``,
  never a string.
* **Text is text** (formula injection): a text that a spreadsheet would evaluate, one
  starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, is stored as a string
  cell with Excel's "quote prefix" style (what typing ``'=...`` does), so it shows as typed
  and is never evaluated; the import reads back exactly the text that was written.
* **Same inputs, same bytes**: the workbook's created/modified properties and every zip
  member's timestamp are ``generated_at``.
* **What was exported is recorded**: a hidden, protected sheet (:data:`EXPORT_SHEET`) keeps,
  for every Visits row whose entry cells were given something, the actual date, status and
  note written into them (a row not listed had them empty), packed as a JSON array per
  subject into as few cells as fit (issue 22: a row per visit was a fifth of the cells
  written; the import still reads that form). The import compares each entry
  cell with it: a cell still holding what was exported is not an entry, so a stale copy never
  reverts a correction recorded since.
* **Reads and prints well** (issue 15): one sans-serif font, :data:`FONT` (Microsoft YaHei,
  微软雅黑: Latin and CJK glyphs, shipped with Windows and Office for Mac, bundled with WPS,
  and mapped by LibreOffice to Noto Sans CJK / Source Han Sans), named in every cell style;
  column widths from the longest text of each column (CJK characters counted double), long
  texts wrapped in columns whose widths share what is left of the page; every row with
  wrapped text given the height its lines need (never left to the program to autofit);
  A4 landscape, fit to the page width, the sheet no wider than :data:`PAGE_UNITS` so the
  print never shrinks below about 8 pt; warnings on a sheet of their own, one row each.

>>> from datetime import UTC, date, datetime
>>> from cc312_schedule import load_study, example_study_path, plan_study
>>> study = load_study(example_study_path())
>>> plan = plan_study(study, today=date(2026, 11, 25))
>>> at = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
>>> data = to_xlsx(study, plan, generated_at=at)
>>> data == to_xlsx(study, plan, generated_at=at), data[:2]
(True, b'PK')
>>> is_formula_like("=HYPERLINK(\\"http://x\\",\\"y\\")"), is_formula_like("-"), is_formula_like("ok -1")
(True, True, False)
"""

from __future__ import annotations

import io
import struct
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import Any, Final, cast

from ..core.days import StudyDay
from ..core.errors import UsageError
from ..core.fileio import write_atomic
from ..core.l10n import local_time, weekday
from ..core.messages import MESSAGES, Text, message, procedures
from ..core.model import EventKind, EventStatus, PlannedEvent, StudyPlan, SubjectPlan, event_order
from ..store.study import Study
from ..store.workbook_layout import (
    ENTRY_STATUSES,
    EXPORT_COLUMNS,
    EXPORT_ENTRIES,
    EXPORT_SHEET,
    SHEETS,
    clean_text,
    pack_exported,
)

__all__ = [
    "DECISION_COLUMNS",
    "ENTRY_STATUSES",
    "EXPORT_COLUMNS",
    "EXPORT_SHEET",
    "FONT",
    "OVERVIEW_COLUMNS",
    "PAGE_UNITS",
    "SHEETS",
    "TIMELINE_MARKS",
    "VISIT_COLUMNS",
    "WARNING_COLUMNS",
    "Column",
    "clean_text",
    "header_word",
    "is_formula_like",
    "text_width",
    "timeline_marks",
    "to_xlsx",
    "wrapped_lines",
    "write_xlsx",
]

#: Rows above the data: row 1 the title, row 2 the column headers (both frozen and printed on
#: every page). The import does not rely on this: it finds the header row by its texts.
TITLE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3
DATE_FORMAT: Final = "yyyy-mm-dd"
#: Rows below the last decision that carry the Decisions sheet's dropdowns and date checks.
SPARE_DECISION_ROWS: Final = 50
#: The one font of every cell style, print header and footer (see the module's policies).
FONT: Final = "Microsoft YaHei"
FONT_SIZE: Final = 10
#: Points per line of wrapped text at FONT_SIZE (CJK fonts' line gap included), and padding.
LINE_PT: Final = 12.0  # a 10 pt Latin line: DejaVu Sans (LibreOffice) 11.6 pt, YaHei 13.2 less its gap
CJK_LINE_PT: Final = 14.5  # Noto Sans CJK 1.448 em
ROW_PAD_PT: Final = 1.0
DEFAULT_ROW_PT: Final = LINE_PT + ROW_PAD_PT
#: The widest a sheet may be, in column-width units as stored (the width of a digit; each
#: column also carries ~0.71 of the program's own padding, :data:`_COL_EXTRA`), so that fitting
#: it to the width of an A4 landscape page keeps 10 pt text at 8 pt or more: measured with
#: LibreOffice, 122-126 units print at 100 % on A4 landscape, so 122 / 0.8 = 152.5, less a
#: margin for the programs' rounding of widths to pixels.
PAGE_UNITS: Final = 155.0
_UNITS_AT_100: Final = 124.0
#: The printable height of an A4 landscape page at 100 % (595 pt less the margins), and the
#: least print scale (10 pt text printed at 8 pt).
_PAGE_HEIGHT_PT: Final = 595 - (0.35 + 0.5) * 72
LEAST_SCALE: Final = 0.8
_COL_EXTRA: Final = 0.71
_MARGIN_IN: Final = 0.2  # left/right page margin, inches (5 mm, within what printers print)
_PAD: Final = 0.3  # units added to a column's longest text (the programs pad cells themselves)
_DATE_WIDTH: Final = 9.2  # yyyy-mm-dd as LibreOffice prints it (measured: 9.16 digits)
_SHORT_DATE_WIDTH: Final = 4.6  # mm-dd
_DATE_PAD: Final = 0.0  # LibreOffice prints yyyy-mm-dd 9.16 digits wide; the column adds 0.71
_LONGEST_UNBROKEN: Final = 9.0  # a wrap column is made wide enough for words up to this long
_BOLD: Final = 1.0  # header text is regular (bold would be ~12 % wider): its fill marks it


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a sheet: its id (header = ``messages`` ``xlsx.col.<id>``) and sizing.

    ``width`` is the least width; a column of ``wrap`` text shares what the other columns
    leave of :data:`PAGE_UNITS` (in proportion to ``width``), never wider than its longest text.
    """

    id: str
    width: float
    entry: bool = False  # typed in by the coordinator; read back by the import
    wrap: bool = False
    whole: bool = False  # wrapped only between words, a CJK run a word (see header_word)


OVERVIEW_COLUMNS: Final = (
    Column("subject", 3), Column("cohort", 3), Column("dose_level", 3), Column("disease", 3),
    Column("consent_date", 8), Column("first_dose", 8), Column("regimen", 3), Column("doses_given", 3),
    Column("doses_missed", 3), Column("doses_planned", 3), Column("next_visit", 3),
    Column("next_visit_date", 8), Column("decision_due", 8), Column("cap_date", 8),
    Column("eot", 8), Column("follow_up_end", 8), Column("contraception_end", 8),
    Column("state", 8, wrap=True), Column("warnings", 3),
)
VISIT_COLUMNS: Final = (
    Column("subject", 3), Column("visit", 3), Column("kind", 4, wrap=True, whole=True),
    Column("study_day", 3), Column("planned_date", 8),
    Column("weekday", 3), Column("window_start", 4), Column("window_end", 4),
    Column("date_reason", 12, wrap=True), Column("procedures", 40, wrap=True),
    Column("plan_status", 3), Column("actual_date", 8, entry=True),
    Column("status", 3, entry=True), Column("note", 6, entry=True, wrap=True),
)
#: Visits columns whose dates show as ``mm-dd`` (the window, always within days of the
#: planned date shown in full beside it); the cells hold the whole date all the same.
SHORT_DATE_COLUMNS: Final = frozenset({"window_start", "window_end"})
SHORT_DATE_FORMAT: Final = "mm-dd"
DECISION_COLUMNS: Final = (
    Column("subject", 3, entry=True), Column("decided_on", 8, entry=True),
    Column("action", 3, entry=True), Column("regimen", 3, entry=True),
    Column("weeks", 3, entry=True), Column("until", 8, entry=True),
    Column("investigator", 12, entry=True, wrap=True),
    Column("rationale", 40, entry=True, wrap=True),
    Column("decision_due", 8),
)
WARNING_COLUMNS: Final = (
    Column("subject", 3), Column("visit", 3), Column("warning_kind", 10, wrap=True),
    Column("message", 80, wrap=True),
)

#: Timeline marks, in priority order: the first that applies to a week colours its cell.
#: (mark id, fill colour RGB, font colour RGB); the legend lists them in this order.
TIMELINE_MARKS: Final = (
    ("overdue", "FF9800", "000000"),
    ("dose_missed", "E53935", "FFFFFF"),
    ("decision", "FFD54F", "000000"),
    ("eot", "8E24AA", "FFFFFF"),
    ("dose_done", "2E7D32", "FFFFFF"),
    ("dose_planned", "90CAF9", "000000"),
    ("dose_provisional", "E0E0E0", "000000"),
    ("follow_up", "80CBC4", "000000"),
)
_CAP_COLOUR, _TODAY_COLOUR = "C00000", "1565C0"
_HEADER_FILL, _ENTRY_FILL, _OVERDUE_FILL = "DDEBF7", "FFF9C4", "FFCDD2"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet program would treat ``text`` as a formula if typed in.

    >>> [is_formula_like(t) for t in ("@SUM(1)", "+1", "\\tx", "\\rx", "a=b", "")]
    [True, True, True, True, False, False]
    """
    return text.startswith(_FORMULA_START)


# --------------------------------------------------------------------------------------
# measuring text


#: Widths in column units (the width of a digit) by kind of character, measured on the print
#: LibreOffice makes (DejaVu Sans for Latin, Noto Sans CJK for Chinese, standing in for
#: Microsoft YaHei, whose Latin is narrower: the estimate errs on the wide side for Excel).
_NARROW: Final = frozenset(" ijlt.,;:'!|()[]-fr/")
_WIDE: Final = frozenset("mwMW@%")
_SPACE: Final = 0.55
_CJK_UNITS: Final = 1.6  # a 10 pt CJK character is 10 pt wide: 1.57 digits of DejaVu Sans


@lru_cache(maxsize=1 << 16)
def text_width(text: str) -> float:
    """The width of one line of ``text`` in column-width units (the width of a digit).

    CJK (East Asian wide and full-width) characters count 1.6, wide letters (m, w, M, W)
    1.5, other upper-case letters 1.15, narrow letters, spaces and punctuation 0.55, other
    lower-case letters 0.95, digits 1. Computed once per distinct text (a cache).

    >>> text_width("W6D4"), text_width("受试者"), text_width("2026-11-30")
    (4.65, 4.8, 9.1)
    """
    total = 0.0
    for ch in text:
        if ch.isdigit():
            total += 1
        elif ch in _WIDE:
            total += 1.5
        elif ch.isupper():
            total += 1.15
        elif ch in _NARROW:
            total += 0.55
        elif ch.isascii():
            total += 0.95
        elif unicodedata.east_asian_width(ch) in "WF":
            total += _CJK_UNITS
        else:
            total += 1
    return round(total, 2)


def _tokens(line: str) -> Iterator[tuple[str, bool]]:
    """(token, space before it): words of Latin text; each CJK character a token of its own."""
    for i, word in enumerate(line.split(" ")):
        run = ""
        first = True
        for ch in word:
            if unicodedata.east_asian_width(ch) in "WF":
                if run:
                    yield run, i > 0 and first
                    first = False
                    run = ""
                yield ch, i > 0 and first
                first = False
            else:
                run += ch
        if run or first:
            yield run, i > 0 and first


@lru_cache(maxsize=1 << 16)
def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes in a wrapping cell ``width`` units wide (greedy, like the
    programs do; a word longer than the line is broken).

    >>> wrapped_lines("vital signs; safety labs; PK pre-dose", 14)
    3
    >>> wrapped_lines("生命体征；安全性实验室检查", 10), wrapped_lines("a\\nb", 40)
    (3, 2)
    """
    room = max(width + _COL_EXTRA - 0.5, 1.0)  # the column as drawn, less the cell padding
    lines = 0
    for para in text.split("\n"):
        lines += 1
        used = 0.0
        for token, spaced in _tokens(para):
            w = text_width(token)
            need = w + (_SPACE if spaced and used else 0)
            if used and used + need > room:
                lines += 1
                used = 0.0
                need = w
            while need > room:  # a word longer than a line
                lines += 1
                need -= room
            used += need
    return lines


@lru_cache(maxsize=1 << 16)
def _has_wide(text: str) -> bool:
    """Whether ``text`` has a CJK (East Asian wide or full-width) character."""
    return not text.isascii() and any(unicodedata.east_asian_width(ch) in "WF" for ch in text)


@lru_cache(maxsize=1 << 16)
def header_word(text: str) -> float:
    """The least width that shows header ``text`` with no word broken, Chinese words too: a
    header's run of CJK characters is one word (受试者 never 受试/者), broken only before
    a full-width bracket (最晚给药日期 / （第168天）).

    >>> header_word("受试者") == text_width("受试者"), header_word("Window start") == text_width("Window")
    (True, True)
    """
    parts = text.replace("（", " （").split()
    return max((text_width(p) for p in parts), default=0.0)


@lru_cache(maxsize=1 << 16)
def _longest_word(text: str) -> float:
    """The least width that shows ``text`` with no word broken (CJK may break anywhere)."""
    return max((text_width(t) for para in text.split("\n") for t, _ in _tokens(para)), default=0)


# --------------------------------------------------------------------------------------
# the workbook


def to_xlsx(study: Study, plan: StudyPlan, *, generated_at: datetime) -> bytes:
    """The workbook of ``plan`` (planned from ``study``) as ``.xlsx`` bytes.

    ``generated_at`` (time-zone aware) is printed (in the study's time zone) in the title and
    print headers and stored as the workbook's created/modified time; with the same inputs
    the bytes are the same. ``plan.today`` marks overdue visits and today's week on the
    timeline.
    """
    if generated_at.tzinfo is None:
        raise ValueError("generated_at needs a time zone, e.g. datetime(..., tzinfo=UTC)")
    import xlsxwriter

    cfg = study.config
    lang = cfg.language
    stamp = generated_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    raw = io.BytesIO()
    wb = xlsxwriter.Workbook(raw, {
        "constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
        "strings_to_urls": False, "default_date_format": DATE_FORMAT,
        "default_format_properties": _default_properties(lang)})
    wb.set_properties({"title": _clean(cfg.name), "author": "cc312-schedule",
                       "created": stamp})
    wb.set_custom_property("generator", "cc312-schedule")
    ctx = _Context(study=study, plan=plan, lang=lang, wb=wb,
                   generated=local_time(lang, generated_at, cfg.timezone))
    try:
        _overview(ctx)
        _visits(ctx)
        _decisions(ctx)
        _timeline(ctx)
        _warnings(ctx)
        _export_record(ctx)
    except BaseException:
        _discard(wb)
        raise
    wb.close()
    return _restamp(raw.getvalue(), stamp)


_MISSING: Final = object()

#: The GB2312 character set (Windows ``GB2312_CHARSET``): declared in a zh-CN workbook's font
#: so that programs pick the font's Simplified Chinese face (zh-CN review B16).
GB2312_CHARSET: Final = 134


#: What the workbook's default cell style adds to its font: text at the top of its cell (a
#: table's rows are as tall as their longest text). A cell that needs no more than the
#: default is written without a style of its own (XlsxWriter writes such a cell about a
#: fifth faster: no ``s`` attribute to look up and write).
_DEFAULT_ALIGNMENT: Final = {"valign": "top"}


def _default_properties(lang: str) -> dict[str, object]:
    """The workbook's default cell style: :func:`_font_properties` and
    :data:`_DEFAULT_ALIGNMENT`."""
    return {**_font_properties(lang), **_DEFAULT_ALIGNMENT}


def _font_properties(lang: str) -> dict[str, object]:
    """Every cell style's font: :data:`FONT` by name, never tied to the theme's font (XlsxWriter
    marks a format ``scheme="minor"``, which makes Excel show the theme's Calibri and 宋体
    instead, unless told otherwise), a swiss (sans-serif) family, and in a zh-CN workbook
    the GB2312 character set (zh-CN review B16)."""
    props: dict[str, object] = {"font_name": FONT, "font_size": FONT_SIZE, "font_scheme": "none",
                                "font_family": 2}
    if lang == "zh-CN":
        props["font_charset"] = GB2312_CHARSET
    return props


def _discard(wb: Any) -> None:
    """Close and remove the temporary files of a workbook left unfinished (an error): in
    constant-memory mode XlsxWriter streams each sheet's rows to one, removed only by close()."""
    import contextlib
    import os

    for ws in wb.worksheets():
        fh = getattr(ws, "row_data_fh", None)
        if fh is not None:
            with contextlib.suppress(OSError):
                fh.close()
            with contextlib.suppress(OSError, TypeError):
                os.unlink(getattr(ws, "row_data_filename", "") or fh.name)


def write_xlsx(path: str | Path, study: Study, plan: StudyPlan, *, generated_at: datetime) -> None:
    """Write :func:`to_xlsx` to ``path`` atomically (a temporary file, then a rename)."""
    write_atomic(path, to_xlsx(study, plan, generated_at=generated_at))


# --------------------------------------------------------------------------------------
# sheets


@dataclass(slots=True, kw_only=True)
class _Context:
    study: Study
    plan: StudyPlan
    lang: str
    wb: Any
    generated: str
    _formats: dict[tuple[tuple[str, object], ...], Any] = field(default_factory=dict)
    _by_id: dict[int, tuple[Mapping[str, object], Any]] = field(default_factory=dict)
    _dates_by_id: dict[int, tuple[Mapping[str, object], Any]] = field(default_factory=dict)

    def t(self, key: str, **fields: object) -> str:
        return message(self.lang, key, **fields)

    def label(self, prefix: str, value: str) -> str:
        """The label of an engine value (a state, kind, status); the value itself if none yet."""
        key = f"{prefix}.{value}"
        return self.t(key) if key in MESSAGES else value

    def header(self, c: Column) -> str:
        if c.id == "cap_date":
            return self.t("xlsx.col.cap_date", day=self.study.protocol.last_dose_day.value)
        return self.t(f"xlsx.col.{c.id}")

    def fmt(self, **props: object) -> Any:
        """The shared XlsxWriter format with these properties (made once); ``None`` (the
        workbook's default style) when they ask for nothing beyond :data:`_DEFAULT_ALIGNMENT`."""
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            plain = all(_DEFAULT_ALIGNMENT.get(k, _MISSING) == v for k, v in key)
            self._formats[key] = None if plain else self.wb.add_format(dict(props))
        return self._formats[key]

    def date_fmt(self, props: Mapping[str, object]) -> Any:
        """:meth:`fmt_of` for a date cell (``yyyy-mm-dd`` unless ``props`` name a format)."""
        found = self._dates_by_id.get(id(props))
        if found is None or found[0] is not props:
            found = self._dates_by_id[id(props)] = (
                props, self.fmt(**{"num_format": DATE_FORMAT, **props}))
        return found[1]

    def fmt_of(self, props: Mapping[str, object]) -> Any:
        """:meth:`fmt` of a properties mapping shared by many cells: looked up by identity."""
        found = self._by_id.get(id(props))
        if found is None or found[0] is not props:
            found = self._by_id[id(props)] = (props, self.fmt(**props))
        return found[1]


#: Excel's last row (1,048,576): a sheet that needs more is refused, never cut short
#: (XlsxWriter silently drops a cell written below it).
EXCEL_MAX_ROWS = 1_048_576

#: a cell to write: (value, XlsxWriter format properties)
_CellSpec = tuple[object, Mapping[str, object]] | None

_HEADER = {"text_wrap": True, "valign": "top", "bg_color": f"#{_HEADER_FILL}",
           "border": 1, "border_color": "#A6A6A6"}
_ENTRY = {"bg_color": f"#{_ENTRY_FILL}"}


class _Sheet:
    """A worksheet being streamed: rows in order, each given the height its wrapped text needs."""

    def __init__(self, ctx: _Context, sheet: str, columns: Sequence[Column],
                 widths: Sequence[float]) -> None:
        self.ctx = ctx
        self.name = ctx.t(f"xlsx.sheet.{sheet}") if sheet in SHEETS else sheet
        self.ws = ctx.wb.add_worksheet(self.name)
        self.columns = columns
        self.widths = list(widths)
        self.row = 0  # 0-based, the next row to write
        self.ws.set_default_row(DEFAULT_ROW_PT)
        for i, w in enumerate(self.widths):
            self.ws.set_column(i, i, w)

    def write_rows(self, rows: Iterable[Sequence[object]],
                   props: Sequence[Mapping[str, object]]) -> None:
        """Write rows of values whose cells take each column's ``props`` (as :meth:`write_row`
        would, with a column's formats looked up once and each distinct text of a column
        prepared and measured once)."""
        ctx = self.ctx
        ws = self.ws
        write_string, write_number = ws.write_string, ws.write_number  # looked up once
        serials: dict[object, int] = {}  # a plan's dates repeat: each converted once
        # per column: its place, format, date format, format of an empty cell (None: not
        # written), whether it wraps, its width, and its texts, each prepared and measured once
        # (text -> (as stored, whether it needs a format of its own, the row height it needs))
        columns: list[tuple[int, Any, Any, Any, bool, float, dict[object, _Prepared]]] = [
            (i, ctx.fmt_of(p) if p else None, ctx.date_fmt(p),
             None if not p or p.keys() <= _UNSEEN_WHEN_EMPTY else ctx.fmt_of(p),
             bool(p.get("text_wrap")), self.widths[i], {})
            for i, p in enumerate(props)]
        r = self.row
        for values in rows:
            if r >= EXCEL_MAX_ROWS:
                self.row = r
                self._too_many()
            need = 0.0
            for value, (i, fmt, date_fmt, blank, wrap, width, texts) in zip(values, columns,
                                                                             strict=True):
                kind = type(value)
                if kind is str and value:
                    found = texts.get(value)
                    if found is None:
                        text, special, newline = _prepared(cast(str, value))
                        height = _wrapped_height(text, width) if newline or wrap else 0.0
                        found = texts[value] = (text, special, height)
                    if found[2] > need:
                        need = found[2]
                    if found[1]:
                        _write_special(ctx, ws, r, i, found[0], props[i])
                    else:
                        write_string(r, i, found[0], fmt)
                elif kind is date:
                    serial = serials.get(value)
                    if serial is None:
                        serial = serials[value] = _serial(cast(date, value))
                    write_number(r, i, serial, date_fmt)
                elif kind is int:
                    write_number(r, i, value, fmt)
                elif value is None or value == "":
                    if blank is not None:
                        ws.write_blank(r, i, None, blank)
                else:
                    _write(ctx, ws, r, i, value, props[i])
            if need > DEFAULT_ROW_PT:  # the current row: not yet streamed out
                ws.set_row(r, need)
            r += 1
        self.row = r

    def _too_many(self) -> None:
        raise UsageError(f"the {self.name} sheet needs more than {EXCEL_MAX_ROWS:,} rows, "
                         "Excel's limit; nothing was written",
                         hint="export fewer subjects (a study folder per cohort), or use "
                         "'plan --format csv', which has no row limit")

    def write_row(self, cells: Sequence[_CellSpec],
                  height: float | None = None) -> None:
        """Write the next row: per column ``(value, format properties)`` or ``None``."""
        if self.row >= EXCEL_MAX_ROWS:
            self._too_many()
        need = height or 0.0
        r, ws, ctx, widths = self.row, self.ws, self.ctx, self.widths
        for i, cell in enumerate(cells):  # each cell once: the row's height is set after them
            if cell is None:
                continue
            value, props = cell
            kind = type(value)
            if kind is str and value:
                text, special, newline = _prepared(value)
                if newline or props.get("text_wrap"):
                    need = max(need, _wrapped_height(text, widths[i]))
                if special:
                    _write_special(ctx, ws, r, i, text, props)
                else:
                    ws.write_string(r, i, text, ctx.fmt_of(props) if props else None)
            elif kind is date:
                ws.write_number(r, i, _serial(value), ctx.date_fmt(props))
            else:
                _write(ctx, ws, r, i, value, props)
        if need > DEFAULT_ROW_PT:  # the current row: not yet streamed out (constant memory)
            ws.set_row(r, need)
        self.row += 1


#: a text as a row writes it: (as stored, whether it needs a format of its own, the height
#: in points its row needs, 0 for one line)
_Prepared = tuple[str, bool, float]


@lru_cache(maxsize=1 << 16)
def _prepared(value: str) -> tuple[str, bool, bool]:
    """(the text as stored, whether it needs a format of its own (formula-like or several
    lines, see :func:`_write_special`), whether it has several lines): once per distinct text."""
    text = _clean(value)
    newline = "\n" in text
    return text, newline or is_formula_like(text), newline


@lru_cache(maxsize=1 << 16)
def _wrapped_height(text: str, width: float) -> float:
    """The height in points a wrapping cell ``width`` units wide needs for ``text`` (0 for
    one line); CJK fonts' lines are taller than Latin ones."""
    lines = wrapped_lines(text, width)
    if lines <= 1:
        return 0.0
    return lines * (CJK_LINE_PT if _has_wide(text) else LINE_PT) + ROW_PAD_PT


_EPOCH: Final = date(1899, 12, 30)


@lru_cache(maxsize=1 << 16)
def _serial(day: date) -> int:
    """A date as the spreadsheet's day number (what XlsxWriter's ``write_datetime`` stores)."""
    return (day - _EPOCH).days


#: Cell properties that show nothing in an empty cell: such a cell is not written at all.
_UNSEEN_WHEN_EMPTY: Final = frozenset({"valign", "text_wrap"})


def _write_special(ctx: _Context, ws: Any, r: int, c: int, text: str,
                   props: Mapping[str, object]) -> None:
    """A text that a spreadsheet would evaluate (quote prefix) or of several lines (wrapped)."""
    extra: dict[str, object] = {}
    if is_formula_like(text):
        extra["quote_prefix"] = True
    if "\n" in text:
        extra.update(text_wrap=True, valign="top")
    ws.write_string(r, c, text, ctx.fmt(**{**props, **extra}))


def _write(ctx: _Context, ws: Any, r: int, c: int, value: object, props: Mapping[str, object]) -> None:
    """One cell: dates as date cells, text as text (never a formula), ``None``/``""`` empty."""
    if value == "":
        value = None
    if isinstance(value, str):
        text, special, _ = _prepared(value)
        if special:
            _write_special(ctx, ws, r, c, text, props)
        else:
            ws.write_string(r, c, text, ctx.fmt_of(props) if props else None)
    elif isinstance(value, date):
        ws.write_number(r, c, _serial(value), ctx.date_fmt(props))
    elif value is None:
        if props and not props.keys() <= _UNSEEN_WHEN_EMPTY:
            ws.write_blank(r, c, None, ctx.fmt_of(props))
    elif isinstance(value, int | float):
        ws.write_number(r, c, value, ctx.fmt_of(props) if props else None)
    else:
        raise TypeError(f"no cell for {type(value).__name__}")


def _cell_width(value: object) -> float:
    if value is None or value == "":
        return 0.0
    if isinstance(value, date):
        return _DATE_WIDTH
    if isinstance(value, str):
        return max(text_width(line) for line in _clean(value).split("\n"))
    return float(len(str(value)))


def _ordered(columns: Sequence[Column], rows: Iterable[Mapping[str, object]]
             ) -> Iterator[tuple[object, ...]]:
    """Rows given as {column id: value} as tuples of values in column order."""
    for values in rows:
        yield tuple(values.get(c.id) for c in columns)


def _layout(ctx: _Context, columns: Sequence[Column],
            rows: Callable[[], Iterable[Sequence[object]]],
            headers: Sequence[str]) -> list[float]:
    """Column widths: each fixed column as wide as its longest cell (its header's longest
    word at least); the wrap columns share what is left of :data:`PAGE_UNITS`. ``rows``
    gives each row's values in column order."""
    longest = [max(c.width, _BOLD * header_word(h)) for c, h in zip(columns, headers, strict=True)]
    spread = [i for i, c in enumerate(columns) if c.wrap and not c.whole]
    table = list(zip(*rows(), strict=True)) or [() for _ in columns]  # column by column
    values_of = [set(column) for column in table]  # distinct values only: measured once each
    together: Counter[tuple[str, ...]] = Counter()  # the spread columns' texts, row by row
    for key, n in Counter(zip(*(table[i] for i in spread), strict=True)).items():
        together[tuple(str(v or "") for v in key)] += n
    del table
    seen: list[set[object]] = [set() for _ in columns]
    for i, c in enumerate(columns):
        for v in values_of[i]:
            if v is not None and v != "" and not isinstance(v, date | int):
                seen[i].add(v)
            elif isinstance(v, date):
                short = c.id in SHORT_DATE_COLUMNS
                longest[i] = max(longest[i], _SHORT_DATE_WIDTH if short else _DATE_WIDTH)
            elif isinstance(v, int):
                longest[i] = max(longest[i], float(len(str(v))))
    # a column as wide as its dates needs no more than the programs' own cell padding
    dates_only = {i for i, c in enumerate(columns) if not seen[i] and not c.wrap
                  and longest[i] in (_DATE_WIDTH, _SHORT_DATE_WIDTH)}
    words = [0.0] * len(columns)  # a wrap column's longest word: never broken if it can help it
    for i, distinct in enumerate(seen):
        for v in distinct:
            longest[i] = max(longest[i], _cell_width(v))
            if columns[i].wrap and isinstance(v, str):
                words[i] = max(words[i], header_word(v) if columns[i].whole else _longest_word(v))
    pad = _PAD
    widths = [w + (_DATE_PAD if i in dates_only else pad) for i, w in enumerate(longest)]
    flex = [i for i, c in enumerate(columns) if c.wrap]
    least = {i: min(max(columns[i].width * 0.5, _BOLD * header_word(headers[i]) + pad, 6.0,
                        (words[i] if columns[i].whole else min(words[i], _LONGEST_UNBROKEN))
                        + pad), widths[i])  # a short column needs no more than its longest text
             for i in flex}
    room = PAGE_UNITS - _COL_EXTRA * len(columns) - sum(
        w for i, w in enumerate(widths) if i not in flex)
    most = {i: widths[i] for i in flex}
    for i in flex:
        widths[i] = least[i]
    # what is left goes to the wrap columns (a whole-word column, the kind, keeps its least):
    # of the ways to share it, the one whose rows are shortest in all (see _share)
    grow = [i for i in spread if most[i] > least[i]]
    for i, w in _share(grow, least, most, room - sum(widths[i] for i in flex), together,
                       [spread.index(i) for i in grow], weights=[columns[i].width for i in grow]):
        widths[i] = w
    left = room - sum(widths[i] for i in flex)
    over = -left
    for i in sorted(flex, key=lambda i: -widths[i]):  # still too wide: long words may break
        floor = max(_BOLD * header_word(headers[i]) + pad, 6.0,  # rather than the print shrink
                    words[i] + pad if columns[i].whole else 0.0)
        give = min(max(widths[i] - floor, 0.0), max(over, 0.0))
        widths[i] -= give
        over -= give
    return [round(w, 1) for w in widths]


_SHARE_STEPS: Final = 8  # widths tried per wrap column (all but the widest share)


def _share(cols: Sequence[int], least: Mapping[int, float], most: Mapping[int, float],
           spare: float, texts: Mapping[tuple[str, ...], int], at: Sequence[int], *,
           weights: Sequence[float]) -> list[tuple[int, float]]:
    """Widths for the wrap columns ``cols`` (each from its least up to its longest text),
    sharing ``spare`` units beyond their least: of a grid of ways to share it, the one with
    the least total row height over ``texts`` (the rows' texts of these columns, ``at`` their
    places in each key, with how many rows have them); ties go to the first tried. Each
    distinct text is measured once per width (:func:`wrapped_lines` is cached)."""
    if not cols or spare <= 0:
        return []
    filler = max(range(len(cols)), key=lambda k: (weights[k], -k))  # takes what is left
    others = [k for k in range(len(cols)) if k != filler]

    def grid(k: int) -> list[float]:
        top = min(most[cols[k]], least[cols[k]] + spare)
        step = (top - least[cols[k]]) / (_SHARE_STEPS - 1)
        return [round(least[cols[k]] + step * n, 1) for n in range(_SHARE_STEPS)] if step else [top]

    def height(ws: Sequence[float]) -> float:
        total = 0.0
        for key, n in texts.items():
            need = 0.0
            for k, w in enumerate(ws):
                text = key[at[k]]
                if text:
                    line = CJK_LINE_PT if _has_wide(text) else LINE_PT
                    need = max(need, wrapped_lines(text, w) * line)
            total += n * max(need + ROW_PAD_PT, DEFAULT_ROW_PT)
        return total

    best: tuple[float, list[float]] | None = None
    for tried in _product([grid(k) for k in others]):
        ws = [0.0] * len(cols)
        for k, w in zip(others, tried, strict=True):
            ws[k] = w
        rest = least[cols[filler]] + spare - sum(w - least[cols[k]] for k, w in zip(others, tried,
                                                                                   strict=True))
        if rest < least[cols[filler]] - 0.01:
            continue
        ws[filler] = min(rest, most[cols[filler]])
        score = height(ws)
        if best is None or score < best[0] - 0.01:
            best = (score, ws)
    return list(zip(cols, best[1], strict=True)) if best else []


def _product(grids: Sequence[Sequence[float]]) -> Iterator[tuple[float, ...]]:
    if not grids:
        yield ()
        return
    for first in grids[0]:
        for rest in _product(grids[1:]):
            yield (first, *rest)


def _title(ctx: _Context, sheet: _Sheet, name: str, *, span: int | None = None) -> None:
    """Row 1: the study, the sheet, the site, when generated, as of when; wrapped over the
    width of the table (merged; of its first ``span`` columns), its height from its lines."""
    cfg = ctx.study.config
    parts = [ctx.t("xlsx.title", study=cfg.name, sheet=ctx.t(f"xlsx.sheet.{name}"))]
    if cfg.site:
        parts.append(cfg.site)
    parts.append(ctx.t("xlsx.generated", when=ctx.generated))
    if ctx.plan.today:
        parts.append(ctx.t("xlsx.today", today=ctx.plan.today.isoformat()))
    text = _clean(" · ".join(parts))
    props = {"bold": True, "font_size": 12, "text_wrap": True, "valign": "top"}
    last = (span or len(sheet.widths)) - 1
    width = sum(sheet.widths[:last + 1])
    lines = wrapped_lines(text, width / 1.2)  # 12 pt: 1.2 units per character
    sheet.ws.set_row(0, max(lines * CJK_LINE_PT * 1.2 + 2 * ROW_PAD_PT, DEFAULT_ROW_PT))
    if last > 0:
        sheet.ws.merge_range(0, 0, 0, last, text, ctx.fmt(**props))
    else:
        sheet.ws.write_string(0, 0, text, ctx.fmt(**props))
    sheet.row = 1


def _header_row(ctx: _Context, sheet: _Sheet, headers: Sequence[str],
                entry: Sequence[bool]) -> None:
    cells = [(h, {**_HEADER, **(_ENTRY if e else {})}) for h, e in zip(headers, entry, strict=True)]
    # a line of Chinese is taller than a Latin one: the header row (bordered, filled) shows it
    sheet.write_row(cells, height=(CJK_LINE_PT + ROW_PAD_PT) if any(map(_has_wide, headers))
                    else None)


def _print_setup(ctx: _Context, sheet: _Sheet, *, freeze: int, fit: bool = True) -> None:
    """A4 landscape, narrow margins; the header row repeated on every page (the title row,
    which says the same as the footer, only on the first); no page header; the footer says
    the study once, the sheet, when it was generated and the page of how many."""
    ws = sheet.ws
    ws.freeze_panes(FIRST_ROW - 1, freeze - 1)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=_MARGIN_IN, right=_MARGIN_IN, top=0.35, bottom=0.5)
    if fit:
        ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER_ROW - 1, HEADER_ROW - 1)
    cfg = ctx.study.config
    font = f'&"{FONT},Regular"&{FONT_SIZE}'  # scaled with the sheet: 8 pt or more
    ws.set_footer(f"&L{font}{_header_text(cfg.name)} · &A"
                  f"&C{font}{_header_text(ctx.t('xlsx.generated', when=ctx.generated))}"
                  f"&R{font}{ctx.t('xlsx.footer')}", {"margin": 0.2})


#: Sheets the import reads back by their header texts (kept exactly as the catalogue's).
_READ_BACK: Final = frozenset({"visits", "decisions"})
_LAST_WORDS: Final = ("日期", "次数")


def _between_words(header: str) -> str:
    """A long Chinese header with a line break between its words, where Chinese headers
    end in a word of their own (…访视 / 日期, …给药 / 次数) or before a bracket, so that its
    column need not be as wide as the whole header (the Overview's 19 columns fit the page).

    >>> _between_words("治疗结束访视日期"), _between_words("最晚给药日期（研究第168天）")
    ('治疗结束访视\\n日期', '最晚给药\\n日期\\n（研究第168天）')
    >>> _between_words("受试者"), _between_words("First dose")
    ('受试者', 'First dose')
    """
    if header.isascii():
        return header
    head, bracket, rest = header.partition("（")
    for word in _LAST_WORDS:
        if head.endswith(word) and len(head) > len(word) + 2:
            head = f"{head[:-len(word)]}\n{word}"
            break
    return f"{head}\n（{rest}" if bracket else head


def _table(ctx: _Context, sheet_id: str, columns: Sequence[Column],
           rows: Callable[[], Iterable[Sequence[object]]], *, freeze: int) -> _Sheet:
    """A table sheet: layout from the rows (a first pass), title, headers, then the rows."""
    headers = [ctx.header(c) for c in columns]
    if sheet_id not in _READ_BACK:  # a sheet the import never reads may break its headers
        headers = [_between_words(h) for h in headers]
    sheet = _Sheet(ctx, sheet_id, columns, _layout(ctx, columns, rows, headers))
    _print_setup(ctx, sheet, freeze=freeze)
    _title(ctx, sheet, sheet_id)
    _header_row(ctx, sheet, headers, [c.entry for c in columns])
    return sheet


def _data_cells(columns: Sequence[Column], values: dict[str, object],
                special: Mapping[str, Mapping[str, object]] | None = None
                ) -> list[_CellSpec]:
    return _cells(columns, values, _column_props(tuple(columns), _frozen(special)))


def _cells(columns: Sequence[Column], values: dict[str, object],
           props: Sequence[Mapping[str, object]]) -> list[_CellSpec]:
    """A row's cells: each column's value with its properties (of :func:`_column_props`)."""
    return [(values.get(c.id), p) for c, p in zip(columns, props, strict=True)]


def _frozen(special: Mapping[str, Mapping[str, object]] | None
            ) -> tuple[tuple[str, tuple[tuple[str, object], ...]], ...]:
    return tuple((k, tuple(sorted(v.items()))) for k, v in sorted((special or {}).items()))


@lru_cache(maxsize=256)
def _column_props(columns: tuple[Column, ...],
                  special: tuple[tuple[str, tuple[tuple[str, object], ...]], ...]
                  ) -> tuple[Mapping[str, object], ...]:
    """Each data column's cell properties, made once per sheet and shared by its rows (so
    that the format behind them is looked up by identity, see _Context.fmt)."""
    extra = {k: dict(v) for k, v in special}
    out: list[Mapping[str, object]] = []
    for c in columns:
        props: dict[str, object] = {"valign": "top"}
        if c.wrap:
            props["text_wrap"] = True
        if c.entry:
            props.update(_ENTRY)
        props.update(extra.get(c.id, {}))
        out.append(props)
    return tuple(out)


def _overview_rows(ctx: _Context) -> Iterator[dict[str, object]]:
    today = ctx.plan.today
    for p in ctx.plan:
        nxt = p.next_visit(today)
        fus = [e.date for e in p.events if e.kind is EventKind.FOLLOW_UP]
        eot = [e.date for e in p.events if e.kind is EventKind.EOT]
        # confirmed doses only: the provisional ones are counted in the plan's provisional block
        still = p.doses_to_come
        yield {
            "subject": p.subject_id, "cohort": p.subject.cohort,
            "dose_level": p.subject.dose_level, "disease": p.subject.disease or "",
            "consent_date": p.subject.consent_date,  # a Chinese site checks it (issue 22)
            "first_dose": p.subject.first_dose_date, "regimen": p.current_regimen(today),
            "doses_given": p.count(EventStatus.DONE), "doses_missed": p.count(EventStatus.MISSED),
            "doses_planned": still, "next_visit": nxt.visit if nxt else "",
            "next_visit_date": nxt.date if nxt else None, "decision_due": p.decision_due,
            "cap_date": p.cap_date, "eot": eot[0] if eot else None,
            "follow_up_end": max(fus) if fus else None,
            "contraception_end": (p.provisional.contraception_end if p.provisional
                                  else p.contraception_end),
            "state": ctx.label("xlsx.state", p.state.value) if p.state else "",
            "warnings": len(p.warnings) or None,  # the texts: on the Warnings sheet
        }


def _disease_key(ctx: _Context) -> str:
    """The Overview's key to its disease codes, in the workbook's language (zh-CN review B9):
    ``疾病：SLE（系统性红斑狼疮）、IIM（特发性炎性肌病）``, the codes of its subjects in the
    protocol's order (a code the catalogue has no name for is left out); empty if none.
    The table keeps the codes: the names would take the room of the page's width."""
    used = {p.subject.disease for p in ctx.plan if p.subject.disease}
    order = [*ctx.study.protocol.diseases, *sorted(used - set(ctx.study.protocol.diseases))]
    items = [ctx.t("xlsx.disease", code=code, name=ctx.t(f"disease.{code}"))
             for code in order if code in used and f"disease.{code}" in MESSAGES]
    return ctx.t("xlsx.disease_key", items=ctx.t("xlsx.disease_sep").join(items)) if items else ""


def _provisional_columns(p: SubjectPlan, today: date | None) -> set[str]:
    """Overview columns derived from ``--assume`` doses: marked like provisional visits."""
    provisional: set[str] = set()
    if p.provisional is not None:
        provisional = {"eot", "follow_up_end", "contraception_end"}
    nxt = p.next_visit(today)
    if nxt is not None and nxt.status is EventStatus.PROVISIONAL:
        provisional |= {"next_visit", "next_visit_date"}
    return provisional


def _overview(ctx: _Context) -> None:
    rows = list(_overview_rows(ctx))  # made once: the layout measures them, then they are written
    sheet = _table(ctx, "overview", OVERVIEW_COLUMNS,
                   lambda: _ordered(OVERVIEW_COLUMNS, rows), freeze=3)
    fg, font = next((fg, font) for m, fg, font in TIMELINE_MARKS if m == "dose_provisional")
    word = ctx.t("xlsx.status.provisional").replace('"', "")
    for p, values in zip(ctx.plan, rows, strict=True):
        special: dict[str, Mapping[str, object]] = {"subject": {"num_format": "@"}}
        for c in _provisional_columns(p, ctx.plan.today):  # the value, then the word "provisional", greyed
            v = values.get(c)
            if v is None or v == "":
                continue
            special[c] = {"bg_color": f"#{fg}", "font_color": f"#{font}"}
            if isinstance(v, date):
                special[c] = {**special[c], "num_format": f'{DATE_FORMAT}" ({word})"'}
            else:
                values[c] = f"{v} ({word})"
        sheet.write_row(_data_cells(OVERVIEW_COLUMNS, values, special))
    _filter(sheet, FIRST_ROW + len(ctx.plan.subjects) - 1)
    key = _disease_key(ctx)
    if key:  # below the table, after an empty row; its text runs on over the empty cells
        sheet.row += 1
        sheet.write_row([(key, _FOOT)])  # one line: at the foot, as a row of default height


def _warning_rows(ctx: _Context) -> Iterator[dict[str, object]]:
    for p in ctx.plan:
        for w in p.warnings:
            yield {"subject": w.subject_id, "visit": w.visit or "",
                   "warning_kind": ctx.label("xlsx.warning", w.category.__name__),
                   "message": w.render(ctx.lang)}


def _warnings(ctx: _Context) -> None:
    sheet = _table(ctx, "warnings", WARNING_COLUMNS,
                   lambda: _ordered(WARNING_COLUMNS, _warning_rows(ctx)), freeze=2)
    n = 0
    for values in _warning_rows(ctx):
        sheet.write_row(_data_cells(WARNING_COLUMNS, values, {"subject": {"num_format": "@"}}))
        n += 1
    if not n:
        sheet.write_row([(ctx.t("xlsx.no_warnings"), _FOOT)])
    _filter(sheet, FIRST_ROW + max(n, 1) - 1)


def _visit_events(ctx: _Context) -> list[PlannedEvent]:
    return sorted(ctx.plan.events, key=event_order)


def _exported_entry(e: PlannedEvent) -> tuple[date | None, str, str]:
    """What a Visits row's entry cells are given: (actual date, status value, note)."""
    if e.status in (EventStatus.DONE, EventStatus.MISSED):
        return e.actual_date, e.status.value, e.note
    return None, "", ""


def _export_record(ctx: _Context) -> None:
    """The hidden sheet of what the Visits entry cells held (see :data:`EXPORT_SHEET`): each
    subject's entries packed into as few cells as fit (a row per subject for most plans)."""
    ws = ctx.wb.add_worksheet(EXPORT_SHEET)
    ws.hide()
    ws.protect()
    text = ctx.fmt(num_format="@")  # text, never a formula
    columns = (*EXPORT_COLUMNS, EXPORT_ENTRIES)
    ws.set_column(0, len(columns) - 1, None, text)  # empty cells too (never written)
    quoted = ctx.fmt(num_format="@", quote_prefix=True)
    for c, h in enumerate(columns):
        ws.write_string(0, c, h)
    r = 0
    # the import looks entries up by (subject, visit): any order, a subject on several rows
    for subject, events in groupby(ctx.plan.events, key=lambda e: e.subject_id):
        sid = _prepared(subject)[0]
        entries = []
        for e in events:
            actual, status, note = _exported_entry(e)
            if actual or status or note:  # a visit not listed had its entry cells empty
                entries.append((_prepared(e.visit)[0], actual.isoformat() if actual else "",
                                status, _prepared(note)[0] if note else ""))
        for packed in pack_exported(entries):
            r += 1
            ws.write_string(r, 0, sid, quoted if is_formula_like(sid) else text)
            if isinstance(packed, str):
                ws.write_string(r, len(columns) - 1, packed, text)
                continue
            for c, value in enumerate(packed, start=1):  # an entry too long for a packed cell
                if value:
                    ws.write_string(r, c, value, quoted if is_formula_like(value) else text)


def _visit_rows(ctx: _Context, events: Sequence[PlannedEvent]) -> list[tuple[object, ...]]:
    """The Visits rows, each a tuple of values in :data:`VISIT_COLUMNS` order (made once: the
    layout measures them, then they are written); a text many rows share is made once."""
    if tuple(c.id for c in VISIT_COLUMNS) != _VISIT_ORDER:
        raise AssertionError("VISIT_COLUMNS and _VISIT_ORDER disagree")
    lang = ctx.lang
    kinds: dict[tuple[int | None, EventKind], str] = {}
    procs: dict[tuple[str, ...], str] = {}
    days: dict[date, str] = {}
    labels: dict[str, str] = {}

    def label(value: str) -> str:
        if value not in labels:
            labels[value] = ctx.label("xlsx.status", value)
        return labels[value]

    rows: list[tuple[object, ...]] = []
    for e in events:
        actual, status, note = _exported_entry(e)
        kind_key = (e.dose_number if e.is_dose else None, e.kind)
        if kind_key not in kinds:
            kinds[kind_key] = _kind(ctx, e)
        if e.procedures not in procs:
            procs[e.procedures] = procedures(lang, e.procedures)
        if e.date not in days:
            days[e.date] = weekday(lang, e.date)
        rows.append((
            e.subject_id, e.visit, kinds[kind_key], e.study_day.value, e.planned_date,
            days[e.date], e.window_start, e.window_end,
            # why the planned date is not the target date: empty when it is (a visit left on
            # a closed day for want of an open one is on the Warnings sheet)
            _short_reason(ctx, e) if e.planned_date != e.target_date else "",
            procs[e.procedures], label(e.status.value),
            actual, label(status) if status else "", note))
    return rows


_VISIT_ORDER: Final = ("subject", "visit", "kind", "study_day", "planned_date", "weekday",
                       "window_start", "window_end", "date_reason", "procedures", "plan_status",
                       "actual_date", "status", "note")


#: The plan's date-change reasons as the Visits sheet words them: the target date and what
#: closed or was full (that the date moved inside the window is the column's meaning). The
#: target date has no column of its own: it is the planned date unless this column names it.
_SHORT_REASONS: Final = {"r.moved": "xlsx.r.moved", "r.no_open_day": "xlsx.r.no_open_day",
                         "r.capacity": "xlsx.r.capacity"}


def _short_reason(ctx: _Context, e: PlannedEvent) -> str:
    """Why ``e``'s planned date is not its target date, short (see :data:`_SHORT_REASONS`)."""
    return _shorten(e.reason_text).render(ctx.lang) if e.reason_text else e.reason


def _shorten(text: Text) -> Text:
    fields = tuple((k, _shorten(v) if isinstance(v, Text) else v) for k, v in text.fields)
    return Text(_SHORT_REASONS.get(text.id, text.id), fields)


def _kind(ctx: _Context, e: PlannedEvent) -> str:
    """The Visits sheet's kind: a dose with its number ("dose 12"; its regimen is the plan
    CSV's, the Overview's and the Timeline's: the room goes to the procedures)."""
    if e.is_dose and e.dose_number is not None:
        return ctx.t("xlsx.kind.dose_n", n=e.dose_number)
    return ctx.label("xlsx.kind", e.kind.value)


def _visits(ctx: _Context) -> None:
    events = _visit_events(ctx)
    visit_rows = _visit_rows(ctx, events)
    sheet = _table(ctx, "visits", VISIT_COLUMNS, lambda: visit_rows, freeze=3)
    text: dict[str, Mapping[str, object]] = {"subject": {"num_format": "@"}}
    text.update({c: {"num_format": SHORT_DATE_FORMAT} for c in SHORT_DATE_COLUMNS})
    # the entry cells' yellow is a conditional format over their columns (below): an empty
    # entry cell is not written at all (a quarter of the cells of a large plan)
    props = tuple({k: v for k, v in p.items() if k not in _ENTRY}
                  for p in _column_props(VISIT_COLUMNS, _frozen(text)))
    sheet.write_rows(visit_rows, props)
    if not events:  # the entry cells of one empty row, as for every visit
        sheet.write_row(_data_cells(VISIT_COLUMNS, {}))
    last = FIRST_ROW + max(len(events), 1) - 1
    _filter(sheet, last)
    col = {c.id: _letter(i) for i, c in enumerate(VISIT_COLUMNS, start=1)}
    ws = sheet.ws
    _date_validation(ctx, ws, f"{col['actual_date']}{FIRST_ROW}:{col['actual_date']}{last}")
    _list_validation(ctx, ws, [ctx.t(f"xlsx.status.{s}") for s in ENTRY_STATUSES],
                     f"{col['status']}{FIRST_ROW}:{col['status']}{last}", "status")
    # overdue, live: the window has ended (by the spreadsheet's clock) and nothing is entered
    rows = f"A{FIRST_ROW}:{_letter(len(VISIT_COLUMNS))}{last}"
    r0 = FIRST_ROW
    formula = (f'AND(${col["actual_date"]}{r0}="",${col["status"]}{r0}="",'
               f'${col["window_end"]}{r0}<TODAY())')
    ws.conditional_format(rows, {"type": "formula", "criteria": f"={formula}",
                                 "format": ctx.wb.add_format({"bg_color": f"#{_OVERDUE_FILL}"})})
    # the entry cells, yellow unless the row is overdue (one rule each way, never overlapping)
    entry = [i for i, c in enumerate(VISIT_COLUMNS, start=1) if c.entry]
    ws.conditional_format(f"{_letter(entry[0])}{FIRST_ROW}:{_letter(entry[-1])}{last}", {
        "type": "formula", "criteria": f"=NOT({formula})",
        "format": ctx.wb.add_format({"bg_color": f"#{_ENTRY_FILL}"})})


def _decision_rows(ctx: _Context) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [{
        "subject": d.subject_id, "decided_on": d.decided_on,
        "action": ctx.t(f"xlsx.action.{d.action.value}"), "regimen": d.regimen or "",
        "weeks": d.weeks, "until": d.until, "investigator": d.investigator,
        "rationale": d.rationale, "decision_due": None}
        for d in sorted(ctx.study.decisions, key=lambda d: (d.decided_on, d.subject_id))]
    # one empty row per subject whose decision is due
    rows += [{"subject": p.subject_id, "decision_due": p.decision_due}
             for p in ctx.plan if p.decision_due is not None]
    return rows


def _decisions(ctx: _Context) -> None:
    rows = _decision_rows(ctx)
    sheet = _table(ctx, "decisions", DECISION_COLUMNS, lambda: _ordered(DECISION_COLUMNS, rows),
                   freeze=2)
    text = {"subject": {"num_format": "@"}}  # text, so a typed 006 keeps its zeros
    for values in rows or [{}]:  # at least one row of entry cells
        sheet.write_row(_data_cells(DECISION_COLUMNS, values, text))
    last = FIRST_ROW + max(len(rows), 1) - 1
    _filter(sheet, last)
    end = last + SPARE_DECISION_ROWS
    for _ in range(last + 1, end + 1):  # the spare rows: only the subject cell, as text
        sheet.write_row([(None, {"num_format": "@"})])
    ws = sheet.ws
    col = {c.id: _letter(i) for i, c in enumerate(DECISION_COLUMNS, start=1)}
    for c in ("decided_on", "until"):
        _date_validation(ctx, ws, f"{col[c]}{FIRST_ROW}:{col[c]}{end}")
    _list_validation(ctx, ws,
                     [ctx.t(f"xlsx.action.{a}") for a in ("continue", "stop", "hold", "resume")],
                     f"{col['action']}{FIRST_ROW}:{col['action']}{end}", "action")
    _list_validation(ctx, ws, list(ctx.study.protocol.regimen_codes),
                     f"{col['regimen']}{FIRST_ROW}:{col['regimen']}{end}", "regimen")
    most = ctx.study.protocol.max_treatment_weeks
    ws.data_validation(f"{col['weeks']}{FIRST_ROW}:{col['weeks']}{end}", {
        "validate": "integer", "criteria": "between", "minimum": 1, "maximum": most,
        "ignore_blank": True, "error_title": _error_title(ctx, "weeks"),
        "error_message": ctx.t("xlsx.whole_error", least=1, most=most)})


def timeline_marks(p: SubjectPlan) -> dict[int, str]:
    """Week -> the mark that colours it (see :data:`TIMELINE_MARKS`); weeks with nothing are absent.

    >>> from datetime import date
    >>> from cc312_schedule import load_study, example_study_path, plan_study
    >>> plan = plan_study(load_study(example_study_path()), today=date(2026, 11, 25))
    >>> marks = timeline_marks(plan.subject("003"))
    >>> marks[2], marks[3], marks[4], marks[20], marks[21], marks[24], marks[25], marks[48]
    ('dose_done', 'dose_missed', 'decision', 'decision', 'overdue', 'dose_planned', 'eot', 'follow_up')

    Week 3 had a dose given and one missed: missed wins; week 20's review outranks its doses.
    """
    found: dict[int, set[str]] = {}
    for e in p.events:
        found.setdefault(e.week, set()).add(_mark(e))
    rank = {m: i for i, (m, _, _) in enumerate(TIMELINE_MARKS)}
    return {w: min(ms, key=rank.__getitem__) for w, ms in sorted(found.items())}


def _mark(e: PlannedEvent) -> str:
    if e.status is EventStatus.OVERDUE:
        return "overdue"
    if e.kind is EventKind.DOSE:
        return {EventStatus.DONE: "dose_done", EventStatus.MISSED: "dose_missed",
                EventStatus.PROVISIONAL: "dose_provisional"}.get(e.status, "dose_planned")
    if e.kind in (EventKind.ASSESSMENT, EventKind.REVIEW):
        return "decision"
    return "eot" if e.kind is EventKind.EOT else "follow_up"


def _timeline_cells(p: SubjectPlan) -> tuple[dict[int, str], dict[int, int | str]]:
    """Week -> mark, and week -> what its cell shows (the doses given or planned, else the
    first non-dose visit's name)."""
    marks = timeline_marks(p)
    doses: dict[int, int] = {}
    labels: dict[int, str] = {}
    for e in p.events:
        if e.is_dose and e.status is not EventStatus.MISSED:
            doses[e.week] = doses.get(e.week, 0) + 1
        elif not e.is_dose:
            labels.setdefault(e.week, e.visit)
    return marks, {w: doses[w] if w in doses else labels.get(w, "") for w in marks}


def _timeline(ctx: _Context) -> None:
    """Subjects down, study weeks across; printed at 100 % on as many pages across as the
    weeks need, the subject columns repeated on each (never shrunk to fit)."""
    protocol = ctx.study.protocol
    cap_week = protocol.max_treatment_weeks
    last_week = max([cap_week, *(e.week for e in ctx.plan.events)])
    weeks = range(1, last_week + 1)
    today = ctx.plan.today
    fixed = (Column("subject", 5), Column("regimen", 5), Column("state", 8))
    headers = [ctx.header(c) for c in fixed]

    fixed_rows = [{"subject": p.subject_id, "regimen": p.current_regimen(today),
                   "state": ctx.label("xlsx.state", p.state.value) if p.state else ""}
                  for p in ctx.plan]
    widths = _layout(ctx, fixed, lambda: _ordered(fixed, fixed_rows), headers)
    week_width = 2.4  # a dose count; a visit's name is turned upright in its cell
    cells_of = [_timeline_cells(p) for p in ctx.plan]  # (marks, shown) of each subject
    longest_label = max((text_width(v) for _, shown in cells_of for v in shown.values()
                         if isinstance(v, str)), default=0.0)
    label_height = longest_label * FONT_SIZE * 0.62 + 8
    week_headers = [ctx.t("xlsx.col.week_n", n=w) for w in weeks]
    sheet = _Sheet(ctx, "timeline", (*fixed, *(Column(f"w{w}", week_width) for w in weeks)),
                   [*widths, *([week_width] * len(weeks))])
    ws = sheet.ws
    _print_setup(ctx, sheet, freeze=len(fixed) + 1, fit=False)
    # printed on as few pages down as it can be at 80 % or more (the subjects and the legend
    # on one page when they fit), pages across at that scale with the subject columns
    # repeated, a page break after the cap week (treatment on the first page, EOT and
    # follow-up after) if the weeks fit, else sooner
    labelled = sum(1 for _, shown in cells_of if any(isinstance(v, str) and v
                                                      for v in shown.values()))
    tall = (3 * LINE_PT * 1.2 + max(text_width(h) for h in week_headers) * FONT_SIZE * 0.62 + 8
            + labelled * label_height + (len(ctx.plan.subjects) - labelled) * DEFAULT_ROW_PT
            + (len(TIMELINE_MARKS) + 5) * DEFAULT_ROW_PT)
    scale = min(max(_PAGE_HEIGHT_PT / tall, LEAST_SCALE), 1.0)
    ws.set_print_scale(int(scale * 100))
    per_page = max(int((_UNITS_AT_100 / (int(scale * 100) / 100) - sum(widths)
                        - _COL_EXTRA * len(widths)) // (week_width + _COL_EXTRA)), 1)
    if per_page >= cap_week:
        per_page = cap_week if len(weeks) > per_page else per_page
    ws.repeat_columns(0, len(fixed) - 1)
    ws.set_v_pagebreaks([len(fixed) + k for k in range(per_page, len(weeks), per_page)])
    _title(ctx, sheet, "timeline", span=len(fixed) + min(per_page, len(weeks)))
    _timeline_header(sheet, headers, week_headers, cap_week)
    # a subject's cells sit at the foot of its row, as the names turned upright do
    marks_style = {m: {"bg_color": f"#{fg}", "font_color": f"#{font}", "align": "center",
                       **_FOOT} for m, fg, font in TIMELINE_MARKS}
    today_border = {"border": 5, "border_color": f"#{_TODAY_COLOUR}", **_FOOT}
    cap_border = {"right": 5, "right_color": f"#{_CAP_COLOUR}", **_FOOT}
    text: Mapping[str, object] = {"num_format": "@", **_FOOT}
    plain: Mapping[str, object] = _FOOT
    # a week cell's properties: its mark's colours, the today or cap border, a name upright;
    # one mapping per combination, shared by the cells (its format looked up by identity)
    styles: dict[tuple[str | None, int, bool], Mapping[str, object]] = {}

    def style(mark: str | None, border: int, upright: bool) -> Mapping[str, object]:
        key = (mark, border, upright)
        if key not in styles:
            styles[key] = {**(marks_style[mark] if mark else {}),
                           **(today_border if border == 1 else cap_border if border == 2 else {}),
                           **({"rotation": 90} if upright else {})}
        return styles[key]

    for p, values, (marks, shown) in zip(ctx.plan, fixed_rows, cells_of, strict=True):
        row: list[_CellSpec] = [
            (values["subject"], text), (values["regimen"], plain), (values["state"], plain)]
        today_week = (StudyDay.of(p.subject.first_dose_date, today).week
                      if today is not None and today >= p.subject.first_dose_date else None)
        for w in weeks:
            border = 1 if w == today_week else 2 if w == cap_week else 0
            if w in marks:
                row.append((shown[w], style(marks[w], border,
                                            isinstance(shown[w], str) and bool(shown[w]))))
            else:
                row.append((None, style(None, border, False)) if border else None)
        labelled = any(isinstance(shown[w], str) and shown[w] for w in shown)
        sheet.write_row(row, height=label_height if labelled else None)
    last = FIRST_ROW + max(len(ctx.plan.subjects), 1) - 1
    _filter(sheet, last)
    sheet.row = last + 1  # the legend, below the subjects, after an empty row
    _timeline_legend(ctx, sheet, marks_style, today_border)


_FOOT: Final[Mapping[str, object]] = {"valign": "bottom"}


def _timeline_header(sheet: _Sheet, headers: list[str], week_headers: list[str],
                     cap_week: int) -> None:
    """The header row: the week headers turned upright, the row as tall as the longest."""
    rotated = max(text_width(h) for h in week_headers) * FONT_SIZE * 0.62 + 8
    cells: list[_CellSpec] = [(h, dict(_HEADER)) for h in headers]
    for w, h in enumerate(week_headers, start=1):
        props: dict[str, object] = {**_HEADER, "text_wrap": False, "rotation": 90,
                                    "align": "center", "valign": "bottom"}
        if w == cap_week:
            props.update(bg_color=f"#{_CAP_COLOUR}", font_color="#FFFFFF")
        cells.append((h, props))
    sheet.write_row(cells, height=rotated)


def _timeline_legend(ctx: _Context, sheet: _Sheet, marks_style: Mapping[str, Mapping[str, object]],
                     today_border: Mapping[str, object]) -> None:
    """The Timeline's legend: each mark's colour and meaning (texts overflow to the right)."""
    protocol, today = ctx.study.protocol, ctx.plan.today
    # one line each, at the foot of its row: a Chinese line is taller than the row's default
    # height, and top-aligned it would run into the row below
    sheet.write_row([(ctx.t("xlsx.legend"), {"bold": True, **_FOOT})])
    for m, _fg, _font in TIMELINE_MARKS:
        sheet.write_row([(None, marks_style[m]), (ctx.t(f"xlsx.legend.{m}"), _FOOT)])
    sheet.write_row([(None, {"bg_color": f"#{_CAP_COLOUR}", **_FOOT}),
                     (ctx.t("xlsx.legend.cap", week=protocol.max_treatment_weeks,
                            day=protocol.last_dose_day.value), _FOOT)])
    sheet.write_row([(None, today_border),
                     (ctx.t("xlsx.legend.today", today=today.isoformat() if today else "—"),
                      _FOOT)])
    sheet.write_row([None, (ctx.t("xlsx.legend.cell"), _FOOT)])


# --------------------------------------------------------------------------------------
# helpers


def _header_text(text: str) -> str:
    return _clean(text).replace("&", "&&")


def _filter(sheet: _Sheet, last: int) -> None:
    sheet.ws.autofilter(HEADER_ROW - 1, 0, last - 1, len(sheet.columns) - 1)


_clean = clean_text


def _letter(i: int) -> str:
    from xlsxwriter.utility import xl_col_to_name

    return str(xl_col_to_name(i - 1))


def _date_validation(ctx: _Context, ws: Any, ref: str) -> None:
    p = ctx.study.protocol
    start, end = p.start_date, p.completion_date
    ws.data_validation(ref, {
        "validate": "date", "criteria": "between",
        "minimum": datetime(start.year, start.month, start.day),
        "maximum": datetime(end.year, end.month, end.day), "ignore_blank": True,
        "error_title": ctx.t("xlsx.date_error.title"),
        "error_message": ctx.t("xlsx.date_error", start=start.isoformat(), end=end.isoformat())})


def _list_validation(ctx: _Context, ws: Any, items: Iterable[str], ref: str, column: str) -> None:
    """A drop-down list; a value not in it is refused with the column's header as the title
    and 「请从下拉列表中选择」 (zh-CN review B17), not the program's generic message."""
    ws.data_validation(ref, {"validate": "list", "source": list(items), "ignore_blank": True,
                             "error_title": _error_title(ctx, column),
                             "error_message": ctx.t("xlsx.list_error")})


def _error_title(ctx: _Context, column: str) -> str:
    """A validation message's title: the column's header (Excel takes at most 32 characters)."""
    return ctx.t(f"xlsx.col.{column}")[:32]


def _restamp(data: bytes, stamp: datetime) -> bytes:
    """Every zip member dated ``stamp`` (XlsxWriter dates them 1980-01-31): the two date
    fields of each member's local header and central-directory entry are rewritten in place
    (no member is decompressed or compressed again; the CRCs do not cover the dates)."""
    when = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute,
            stamp.second - stamp.second % 2)
    dos_time = (when[3] << 11) | (when[4] << 5) | (when[5] // 2)
    dos_date = ((when[0] - 1980) << 9) | (when[1] << 5) | when[2]
    fields = struct.pack("<HH", dos_time, dos_date)
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = z.infolist()
    end = data.rfind(b"PK\x05\x06")  # the end of the central directory (no zip comment)
    count, _size, at = struct.unpack_from("<HII", data, end + 10) if end >= 0 else (-1, 0, 0)
    if count != len(members):
        raise AssertionError("XlsxWriter wrote a zip this cannot restamp")
    for info in members:
        if data[info.header_offset:info.header_offset + 4] != b"PK\x03\x04":
            raise AssertionError(f"no local header for {info.filename}")
        out[info.header_offset + 10:info.header_offset + 14] = fields
    for _ in members:
        if data[at:at + 4] != b"PK\x01\x02":
            raise AssertionError("a damaged central directory")
        out[at + 12:at + 16] = fields
        name, extra, comment = struct.unpack_from("<HHH", data, at + 28)
        at += 46 + name + extra + comment
    return bytes(out)
