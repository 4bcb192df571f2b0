"""Entries back in: what coordinators type into the workbook, what nurses record, into the study.

Three ways in, one path: :func:`import_workbook` (the Visits and Decisions sheets of a
coordinator's copy of the workbook), :func:`record` (one visit) and :func:`decide` (one
decision). Each builds entries, :func:`plan_entries` checks them against the protocol and the
plan and says what would change, and :func:`write_entries` writes ``visits.csv`` and
``decisions.csv``, under the study's lock, atomically.

Policies:

* **Nothing is lost.** A row already in ``visits.csv`` or ``decisions.csv`` is never
  dropped; an entry that contradicts it is a *conflict*, reported and not applied. Only
  ``amend=REASON`` corrects a recorded visit, and the old values go to the audit columns
  ``amended_from`` / ``amended_on`` / ``amendment_note`` (earlier corrections are kept,
  separated by `` | ``). Recorded decisions are never rewritten: a new decision supersedes.
* **All or nothing.** Every entry is checked before anything is written; one bad entry
  (named by its cell, ``Visits!P14``, or its argument) and nothing is written.
* **Only what was typed is an entry.** The workbook records (in a hidden sheet) what each
  Visits row's entry cells held when it was exported; a cell still holding that is not an
  entry, so a stale copy never reverts a correction recorded since its export. A workbook
  without that record (an older export, or the sheet deleted) cannot tell a typed cell from a
  stale one: its entries that contradict a recorded visit are conflicts even with ``amend``.
* **Notes.** An absent note keeps the recorded note; a note on a visit recorded without one
  is added (no conflict); a different note on a visit that has one is a conflict unless
  ``amend``. Text is compared as the workbook stores it (:func:`~.xlsx.clean_text`).
* **Only visits of the plan.** A visit not in the subject's current plan (with the decisions
  entered alongside), a done date before the first dose, and ``missed`` for a visit whose
  window has not opened yet (on ``today``) are refused.
* **Idempotent.** An entry equal to what is recorded changes nothing, so a second import of
  the same workbook is a no-op. A cleared cell is not a deletion.
* **One writer at a time.** Writers take ``STUDY/.cc312-schedule.lock`` (an OS file lock,
  released even if the process dies) and re-read the study under it, so two writers never
  lose each other's rows.

>>> from datetime import date
>>> entry = VisitEntry(subject_id="006", visit="D28", status=RecordStatus.DONE,
...                    actual_date=date(2026, 11, 22))
>>> entry.describe()
'D28 done 2026-11-22'
"""

from __future__ import annotations

import contextlib
import csv
import errno
import functools
import io
import os
import re
import stat
import time
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .days import parse_iso_date
from .engine import (
    check_decisions,
    decision_row_problems,
    plan_study,
    unknown_visit_hint,
    visit_kind,
)
from .errors import InvalidStudyError, ScheduleError, UsageError, WorkbookError
from .fileio import (
    WORKBOOK_LIMIT,
    InputFileError,
    StagedFiles,
    read_input,
    remove_stale_temporaries,
    write_atomic,
)
from .messages import LANGUAGES, LEGACY_TEXTS, message
from .study import Action, Decision, RecordedVisit, RecordStatus, SourceRef, Study, load_study
from .xlsx import EXPORT_COLUMNS, EXPORT_SHEET, clean_text

__all__ = [
    "AUDIT_COLUMNS",
    "LOCK_NAME",
    "Amendment",
    "Conflict",
    "DecisionEntry",
    "EntryPlan",
    "StudyLockedError",
    "VisitEntry",
    "WorkbookEntries",
    "decide",
    "import_workbook",
    "load_entries",
    "plan_entries",
    "record",
    "study_lock",
    "write_entries",
]

LOCK_NAME = ".cc312-schedule.lock"
#: visits.csv columns added (at the end) the first time a recorded visit is amended.
AUDIT_COLUMNS = ("amended_from", "amended_on", "amendment_note")
VISITS_HEADER = ("subject_id", "visit", "actual_date", "status", "note")
DECISIONS_HEADER = ("subject_id", "decided_on", "action", "regimen", "weeks", "until",
                    "investigator", "rationale")
#: The most cells (rows x columns of the used area) the import reads from one sheet: a
#: 10,000-subject export's Visits sheet has ~9 million. One stray value far away (XFD1048576)
#: would otherwise make the reader allocate the whole sheet (512 GB).
MAX_SHEET_CELLS = 20_000_000


class StudyLockedError(ScheduleError):
    """Another writer holds the study's lock for longer than the wait allowed."""


# --------------------------------------------------------------------------------------
# entries


@dataclass(frozen=True, slots=True, kw_only=True)
class VisitEntry:
    """A visit as typed in: ``status`` None means "only a note" (allowed on a recorded visit).

    ``note`` empty means "no note entered": the recorded note, if any, is kept.

    ``cells`` names where each field came from (``{"actual_date": "Visits!O14"}``), so an
    error can point at it; for the command line it names the argument (``--done``).
    """

    subject_id: str
    visit: str
    status: RecordStatus | None
    actual_date: date | None = None
    note: str = ""
    cells: Mapping[str, str] = field(default_factory=dict, compare=False)

    def describe(self) -> str:
        text = f"{self.visit} {self.status or 'note'}"
        if self.actual_date:
            text += f" {self.actual_date}"
        return text + (f" “{self.note}”" if self.note else "")


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionEntry:
    """A decision as typed in; ``cells`` as for :class:`VisitEntry`."""

    decision: Decision
    cells: Mapping[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkbookEntries:
    """Everything read from a workbook: the entries, and every cell that could not be read."""

    path: str
    visits: tuple[VisitEntry, ...] = ()
    decisions: tuple[DecisionEntry, ...] = ()
    errors: tuple[ScheduleError, ...] = ()
    #: whether every entry is known to be typed by the coordinator: True for the command line
    #: and for a workbook carrying its export record; False for one without (an older export,
    #: or the hidden sheet deleted), whose differing cells may be stale: never amended then.
    tracks_edits: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Amendment:
    """A recorded visit corrected with a reason; ``old`` goes to the audit columns."""

    old: RecordedVisit
    new: RecordedVisit
    reason: str
    on: date


@dataclass(frozen=True, slots=True, kw_only=True)
class Conflict:
    """An entry that contradicts a recorded row: reported, never applied."""

    subject_id: str
    message: str
    where: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryPlan:
    """What an import (or ``record``/``decide``) would change; :meth:`describe` prints it."""

    added_visits: tuple[RecordedVisit, ...] = ()
    #: recorded visits that had no note and get one (the new rows; written in place)
    added_notes: tuple[RecordedVisit, ...] = ()
    amendments: tuple[Amendment, ...] = ()
    added_decisions: tuple[Decision, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    warnings: tuple[str, ...] = ()
    unchanged: int = 0
    applied: bool = False

    @property
    def changes(self) -> int:
        return (len(self.added_visits) + len(self.added_notes) + len(self.amendments)
                + len(self.added_decisions))

    def describe(self) -> str:
        """A readable diff, per subject: ``+`` new, ``~`` amended, ``!`` conflict (not applied)."""
        lines: dict[str, list[str]] = {}
        for v in self.added_visits:
            lines.setdefault(v.subject_id, []).append(
                f"  + {_visit_text(v)}  ({v.source})")
        for v in self.added_notes:
            lines.setdefault(v.subject_id, []).append(
                f"  + {v.visit} note “{v.note}”  ({v.source})")
        for a in self.amendments:
            lines.setdefault(a.new.subject_id, []).append(
                f"  ~ {a.new.visit}: {_visit_text(a.old, name=False)} -> "
                f"{_visit_text(a.new, name=False)}  (amended: {a.reason}; {a.new.source})")
        for d in self.added_decisions:
            who = f" by {d.investigator}" if d.investigator else ""
            lines.setdefault(d.subject_id, []).append(
                f"  + decision: {d.describe().rsplit(' (', 1)[0]}{who}  ({d.source})")
        for c in self.conflicts:
            lines.setdefault(c.subject_id, []).append(f"  ! conflict: {c.message}  ({c.where})")
        out = []
        for sid in sorted(lines):
            out.append(f"subject {sid}")
            out.extend(lines[sid])
        out.extend(f"warning: {w}" for w in self.warnings)
        verb = "applied" if self.applied else "would apply"
        summary = (f"{self.changes} change(s) {verb}, {len(self.conflicts)} conflict(s) not applied, "
                   f"{self.unchanged} entr{'y' if self.unchanged == 1 else 'ies'} already recorded")
        if not self.changes and not self.conflicts:
            summary = f"nothing to change ({self.unchanged} entries already recorded)"
        out.append(summary)
        return "\n".join(out) + "\n"


def _visit_text(v: RecordedVisit, *, name: bool = True) -> str:
    text = f"{v.visit} " if name else ""
    text += str(v.status)
    if v.actual_date:
        text += f" {v.actual_date}"
    return text + (f" “{v.note}”" if v.note else "")


# --------------------------------------------------------------------------------------
# reading a workbook


@functools.cache
def _header_texts(col: str) -> frozenset[str]:
    """The header texts a column is found by: its label in every language, and its id."""
    texts = {_norm(message(lang, f"xlsx.col.{col}")) for lang in LANGUAGES}
    texts |= {_norm(t) for t in LEGACY_TEXTS.get(f"xlsx.col.{col}", ())}  # older workbooks
    return frozenset(texts | {_norm(col)})


_VISIT_COLS = ("subject", "visit", "actual_date", "status", "note")
_VISIT_ENTRY_COLS = ("actual_date", "status", "note")
#: Visits columns that are not entries: two of them with Subject and Visit make a sheet "look
#: like" the Visits sheet, so a missing entry header is an error, not a silently skipped sheet.
_VISIT_PLAN_COLS = ("kind", "study_day", "target_date", "planned_date", "window_start",
                    "window_end", "plan_status")
_DECISION_COLS = ("subject", "decided_on", "action", "regimen", "weeks", "until",
                  "investigator", "rationale")


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _choices(prefix: str, values: Sequence[str]) -> dict[str, str]:
    """Typed text (normalised) -> value, for each value's label in every language."""
    out = {_norm(v): v for v in values}
    for v in values:
        for lang in LANGUAGES:
            out[_norm(message(lang, f"{prefix}.{v}"))] = v
        for old in LEGACY_TEXTS.get(f"{prefix}.{v}", ()):  # workbooks handed out before
            out[_norm(old)] = v
    return out


def load_entries(path: str | Path) -> WorkbookEntries:
    """Read the entries of a workbook (the coordinator's copy of :func:`~.xlsx.to_xlsx`).

    Sheets are found by their header rows, not their names or positions: the Visits sheet is
    the one with Subject, Visit, Actual date, Status and Note headers; the Decisions sheet the
    one with Subject, Decided on and Action (headers in either language, any order, anywhere
    in the first rows). Extra sheets, extra columns, deleted or re-ordered rows and merged
    cells are fine. Dates must be date cells or ISO text (``2026-11-23``).

    Refused (:class:`UsageError`): two sheets with the Visits headers (or two with the
    Decisions headers), naming both; a sheet with Subject, Visit and the Visits plan columns
    but without an entry column's header, naming it. A formula in an entry cell is an error
    naming the cell (its value is not what anyone typed; openpyxl writes none at all).
    """
    from python_calamine import CalamineError

    p = Path(path)
    has_formula = _check_workbook_size(p)
    try:
        return _load_entries(p, has_formula)
    except (CalamineError, OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        if isinstance(exc, ScheduleError):
            raise
        raise UsageError(f"cannot read the workbook: {exc}", path=p,
                         hint="give an .xlsx file saved by Excel, WPS or LibreOffice; a "
                         "damaged one: open it and save it again") from None


def _load_entries(p: Path, has_formula: bool | None) -> WorkbookEntries:
    from python_calamine import CalamineWorkbook


    wb = CalamineWorkbook.from_path(str(p))
    errors: list[ScheduleError] = []
    found: dict[str, tuple[str, list[list[Any]], dict[str, int], int]] = {}
    exported: dict[tuple[str, str], tuple[str, str, str]] | None = None
    with wb:
        for name in wb.sheet_names:
            rows = _grid(wb.get_sheet_by_name(name))
            if name == EXPORT_SHEET:
                exported = _read_export_record(rows)
                continue
            for kind, required in (("visits", _VISIT_COLS), ("decisions", _DECISION_COLS[:3])):
                header = _find_header(rows, _VISIT_COLS if kind == "visits" else _DECISION_COLS,
                                      required)
                if header is None:
                    if kind == "visits":
                        _refuse_partial_visits(p, name, rows)
                    continue
                if kind in found:
                    label = message("en", f"xlsx.sheet.{kind}")
                    raise UsageError(
                        f"two sheets hold {label} entries: {found[kind][0]!r} and {name!r}",
                        path=p, hint=f"keep the entries in one {label} sheet: copy the ones "
                        "you need into it and delete the other sheet (or its header row)")
                found[kind] = (name, rows, *header)
    if "visits" not in found and "decisions" not in found:
        raise UsageError("no Visits or Decisions sheet found in the workbook", path=p,
                         hint="import a workbook written by 'cc312-schedule xlsx' (the header "
                         "rows Subject/Visit/Actual date/Status/Note must be kept)")
    entry_cols = {"visits": _VISIT_ENTRY_COLS, "decisions": _DECISION_COLS}
    formulas = _formula_cells(p, has_formula, {found[k][0]: {found[k][2][c] for c in entry_cols[k]
                                                if c in found[k][2]} for k in found})
    visits: list[VisitEntry] = []
    decisions: list[DecisionEntry] = []
    if "visits" in found:
        name = found["visits"][0]
        visits = _read_visits(p, *found["visits"], errors, formulas=formulas.get(name, set()),
                              exported=exported)
    if "decisions" in found:
        name = found["decisions"][0]
        decisions = _read_decisions(p, *found["decisions"], errors,
                                    formulas=formulas.get(name, set()))
    return WorkbookEntries(path=str(p), visits=tuple(visits), decisions=tuple(decisions),
                           errors=tuple(errors), tracks_edits=exported is not None)


def _refuse_partial_visits(path: Path, name: str, rows: list[list[Any]]) -> None:
    """A sheet with Subject, Visit and the plan columns but an entry header missing: refuse."""
    header = _find_header(rows, (*_VISIT_COLS, *_VISIT_PLAN_COLS), ("subject", "visit"))
    if header is None:
        return
    cols = header[0]
    if sum(c in cols for c in _VISIT_PLAN_COLS) < 2:
        return  # Subject and Visit alone: someone's own list, not our sheet
    missing = [message("en", f"xlsx.col.{c}") for c in _VISIT_ENTRY_COLS if c not in cols]
    raise UsageError(
        f"sheet {name!r} looks like the Visits sheet but has no "
        f"{' / '.join(missing)} column header (row {header[1] + 1})", path=path,
        hint="type the header back above its column (Actual date, Status, Note, in the "
        "workbook's language), or delete the sheet if it holds no entries")


def _read_export_record(rows: list[list[Any]]) -> dict[tuple[str, str], tuple[str, str, str]]:
    """The hidden sheet :data:`~.xlsx.EXPORT_SHEET`: (subject, visit) -> exported (date, status, note)."""

    if not rows:
        return {}
    idx = {str(h).strip(): i for i, h in enumerate(rows[0]) if h is not None}
    out: dict[tuple[str, str], tuple[str, str, str]] = {}
    for row in rows[1:]:
        values = [_cell_key(row[idx[c]]) if c in idx and idx[c] < len(row) else ""
                  for c in EXPORT_COLUMNS]
        if values[0] and values[1]:
            out[values[0], values[1]] = (values[2], values[3], values[4])
    return out


def _cell_key(value: Any) -> str:
    """A cell's value as text for comparing with the export record (dates as ISO text)."""
    if value is None:
        return ""
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[\s>/]")


def _formula_cells(path: Path, has_formula: bool | None,
                   columns: Mapping[str, set[int]]) -> dict[str, set[tuple[int, int]]]:
    """Sheet -> (row, column), 0-based, of formula cells in the given columns.

    python-calamine gives only a formula's cached value (none at all for a formula written by
    openpyxl), so the sheets' XML is searched for a formula element first (``has_formula``,
    found by :func:`_check_workbook_size` as it reads each sheet; ``None``: search here); only
    when one is there is the workbook read again with openpyxl (read-only) to find which
    cells hold one.
    """
    if has_formula is None:
        try:
            with zipfile.ZipFile(path) as z:
                if not any(_FORMULA_TAG.search(z.read(n)) for n in z.namelist()
                           if n.startswith("xl/worksheets/") and n.endswith(".xml")):
                    return {}
        except (zipfile.BadZipFile, OSError, KeyError):
            return {}  # not a zip (.xls, .ods): calamine read it; no formula check there
    elif not has_formula:
        return {}
    from openpyxl import load_workbook

    out: dict[str, set[tuple[int, int]]] = {}
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged part
        raise UsageError(f"cannot read the workbook: {type(exc).__name__}: {exc}", path=path,
                         hint="open it and save it again") from None
    try:
        for name, cols in columns.items():
            if not cols or name not in wb.sheetnames:
                continue
            ws = wb[name]
            lo, hi = min(cols) + 1, max(cols) + 1
            for row in ws.iter_rows(min_col=lo, max_col=hi):
                for cell in row:
                    if getattr(cell, "data_type", None) == "f" and cell.column - 1 in cols:
                        out.setdefault(name, set()).add((cell.row - 1, cell.column - 1))
    except Exception as exc:  # a damaged sheet part: its XML parser's own error kinds
        raise UsageError(f"cannot read the workbook: {type(exc).__name__}: {exc}", path=path,
                         hint="open it and save it again") from None
    finally:
        wb.close()
    return out


def _grid(sheet: Any) -> list[list[Any]]:
    """The sheet from A1 as a list of rows; a merged range repeats its value in every cell."""
    rows: list[list[Any]] = [list(r) for r in sheet.to_python(skip_empty_area=False)]
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ():
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            for c in range(c0, c1 + 1):
                if c < len(rows[r]):
                    rows[r][c] = value
    return rows


def _find_header(rows: list[list[Any]], columns: Sequence[str],
                 required: Sequence[str]) -> tuple[dict[str, int], int] | None:
    """The first row holding the headers of every ``required`` column, anywhere in the sheet
    (rows above it, a title or notes, are fine): ``({column: index}, row)``, or ``None``.

    Each distinct cell text is normalised once (a sheet repeats its values), so a sheet of
    20,000 rows without the header is read through in ~0.1 s."""
    by_text: dict[str, list[str]] = {}
    for col in columns:
        for t in _header_texts(col):
            by_text.setdefault(t, []).append(col)
    memo: dict[str, list[str]] = {}
    none: list[str] = []
    for r, row in enumerate(rows):
        cols: dict[str, int] = {}
        for c, value in enumerate(row):
            if type(value) is not str:
                continue
            found = memo.get(value)
            if found is None:
                found = memo[value] = by_text.get(_norm(value), none)
            for col in found:
                if col not in cols:
                    cols[col] = c
        if cols and all(c in cols for c in required):
            return cols, r
    return None


def _col_index(letters: bytes) -> int:
    """Spreadsheet letters -> 1-based column number (A -> 1, XFD -> 16384)."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


_SHEET_TAG = re.compile(rb'<(?:[A-Za-z0-9_]+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_REL_TAG = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"')
_REL_TAG2 = re.compile(rb'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')
_ROOT_TAG = re.compile(rb'(?:<\?xml[^>]*\?>\s*)?<([A-Za-z0-9_]+:)?worksheet\b')


def _check_workbook_size(path: Path) -> bool | None:
    """Refuse, before any sheet is read, a workbook that is too large to read safely: over
    :data:`~.fileio.WORKBOOK_LIMIT` on disk or unpacked, or a sheet whose used area (up to
    its farthest value) exceeds :data:`MAX_SHEET_CELLS` cells, naming the sheet and the cell.
    Not a zip (an .xls or .ods): only the size on disk is checked here.

    Returns whether a sheet holds a formula element (read in the same pass, for
    :func:`_formula_cells`), or ``None`` when that could not be told here.
    """
    import html

    try:
        st = os.stat(path)
    except OSError:
        return None  # the reader says what is wrong
    if not stat.S_ISREG(st.st_mode) or st.st_size > WORKBOOK_LIMIT:
        try:
            read_input(path, limit=WORKBOOK_LIMIT)
        except InputFileError as exc:
            raise UsageError(exc.message, path=path, hint=exc.hint) from None
        except OSError:
            return None
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    has_formula: bool | None = False
    with z:
        if sum(i.file_size for i in z.infolist()) > 4 * WORKBOOK_LIMIT:
            raise UsageError("the workbook unpacks to more than "
                             f"{4 * WORKBOOK_LIMIT:,} bytes: refusing to read it", path=path,
                             hint="is this the right file? Delete unused sheets and try again")
        names: dict[str, str] = {}
        try:
            rels = z.read("xl/_rels/workbook.xml.rels")
            targets = {i: t for i, t in _REL_TAG.findall(rels)}
            targets.update({i: t for t, i in _REL_TAG2.findall(rels)})
            for name, rid in _SHEET_TAG.findall(z.read("xl/workbook.xml")):
                target = targets.get(rid, b"").decode("utf-8", "replace").lstrip("/")
                part = target if target.startswith("xl/") else "xl/" + target
                names[part] = html.unescape(name.decode("utf-8", "replace"))
        except (KeyError, zipfile.BadZipFile, OSError, ValueError):
            pass  # the reader reports a damaged workbook
        for info in z.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            try:
                xml = z.read(info)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error):
                has_formula = None
                continue  # damaged: the reader reports it
            # the patterns start with a literal (the sheet's own namespace prefix, if any):
            # an optional prefix group would make each search ~6x slower
            m = _ROOT_TAG.match(xml)
            ns = re.escape(m.group(1)) if m and m.group(1) else b""
            if has_formula is False and re.search(b"<" + ns + rb"f[\s>/]", xml):
                has_formula = True
            rows = max((int(r) for r in re.findall(b"<" + ns + rb'row r="(\d+)"', xml)), default=0)
            rows = max(rows, xml.count(b"<" + ns + b"row"))  # rows without r="" count too
            if rows * 16384 <= MAX_SHEET_CELLS:
                continue  # no column could make it too large
            # only a column far enough right to exceed the limit matters: search for those
            # (3-letter columns for a sheet of 18,000 rows: a fast scan that finds none)
            letters = len(_col_letter(MAX_SHEET_CELLS // rows))
            far_cell = re.compile(b"<" + ns + rb'c r="([A-Z]{%d,3})(\d+)"[^>/]*>' % letters)
            wide = max(((_col_index(c), int(r)) for c, r in far_cell.findall(xml)),
                       default=(26, 0))
            if rows * wide[0] > MAX_SHEET_CELLS:
                sheet = names.get(info.filename, info.filename)
                far = f"{_col_letter(wide[0] - 1)}{wide[1]}" if wide[1] else f"row {rows}"
                raise UsageError(
                    f"sheet {sheet!r} is too large to import: its used area reaches "
                    f"{far} ({rows:,} rows x {wide[0]:,} columns, more than "
                    f"{MAX_SHEET_CELLS:,} cells)", path=path,
                    hint=f"delete what is far outside the table (e.g. {sheet}!{far}), or the "
                    "empty rows and columns after it, save, and import again")
    return has_formula


def _col_letter(c: int) -> str:
    """0-based column index -> spreadsheet letters (0 -> A, 26 -> AA).

    openpyxl.utils.get_column_letter does the same, but importing openpyxl takes 0.25-0.9 s
    here (issue 10, measured), and reading a workbook back uses calamine to avoid exactly that;
    every row's cell names go through this. tests/test_issue_10_libraries.py checks that both
    agree on every column up to XFD (Excel's last).
    """
    out = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        out = chr(65 + rem) + out
    return out


class _Cells:
    """Typed access to one row's cells; bad values become :class:`WorkbookError` entries."""

    def __init__(self, path: Path, sheet: str, row: list[Any], r: int, cols: dict[str, int],
                 errors: list[ScheduleError]) -> None:
        self.path, self.sheet, self.row, self.r, self.cols = path, sheet, row, r, cols
        self.errors = errors
        self.ok = True

    def ref(self, col: str) -> str:
        return f"{self.sheet}!{_col_letter(self.cols[col])}{self.r + 1}"

    def refs(self) -> dict[str, str]:
        return {c: self.ref(c) for c in self.cols}

    def raw(self, col: str) -> Any:
        c = self.cols.get(col)
        if c is None or c >= len(self.row):
            return None
        value = self.row[c]
        if isinstance(value, str) and not value.strip():
            return None
        return value

    def formula(self, cols: Sequence[str], formulas: Set[tuple[int, int]]) -> bool:
        """Report each of ``cols`` holding a formula; whether there was one."""
        found = False
        for col in cols:
            c = self.cols.get(col)
            if c is not None and (self.r, c) in formulas:
                self.error(col, "a formula in an entry cell", self.raw(col),
                           "type the value itself: text with a leading ' (e.g. '=x), a date "
                           "as a date or YYYY-MM-DD")
                found = True
        return found

    def error(self, col: str, msg: str, value: object, hint: str) -> None:
        self.errors.append(WorkbookError(msg, path=self.path, cell=self.ref(col), value=value,
                                         hint=hint))
        self.ok = False

    def text(self, col: str) -> str:
        value = self.raw(col)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, (datetime, date)):
            value = value.isoformat()
        return str(value).strip()

    def ident(self, col: str) -> str:
        """An identifier (subject id, visit name): text; a number has lost its leading zeros."""
        value = self.raw(col)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
                value = int(value)  # the cell shows 3, not 3.0
            self.error(col, "an id typed as a number (leading zeros are lost)", value,
                       "format the column as Text and type the id as in subjects.csv, e.g. 001")
            return ""
        return self.text(col)

    def day(self, col: str) -> date | None:
        value = self.raw(col)
        if value is None:
            return None
        if isinstance(value, datetime):
            if value.time() != datetime.min.time():
                self.error(col, "a date with a time of day", value.isoformat(),
                           "type the date alone, YYYY-MM-DD")
                return None
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return parse_iso_date(value)
            except ValueError as exc:
                self.error(col, str(exc), value, "type a date cell or YYYY-MM-DD text")
                return None
        self.error(col, "not a date", value,
                   "type the date as YYYY-MM-DD (a bare number is refused: which date is it?)")
        return None

    def choice(self, col: str, options: dict[str, str], hint: str) -> str | None:
        text = self.text(col)
        if not text:
            return None
        value = options.get(_norm(text))
        if value is None:
            self.error(col, "not one of the choices", text, hint)
        return value


def _read_visits(path: Path, sheet: str, rows: list[list[Any]], cols: dict[str, int],
                 header: int, errors: list[ScheduleError], *,
                 formulas: Set[tuple[int, int]] = frozenset(),
                 exported: Mapping[tuple[str, str], tuple[str, str, str]] | None = None,
                 ) -> list[VisitEntry]:
    """The Visits entries; with ``exported`` (the export record) only cells changed since."""

    statuses = _choices("xlsx.status", [s.value for s in RecordStatus])
    out: list[VisitEntry] = []
    for r in range(header + 1, len(rows)):
        cells = _Cells(path, sheet, rows[r], r, cols, errors)
        if cells.formula(_VISIT_ENTRY_COLS, formulas):
            continue
        if all(cells.raw(c) is None for c in _VISIT_ENTRY_COLS):
            continue  # nothing entered (an empty entry is never a deletion)
        sid, visit = cells.ident("subject"), cells.ident("visit")
        same_when = same_note = False
        if exported is not None and sid and visit:
            was_date, was_status, was_note = exported.get((sid, visit), ("", "", ""))
            status_key = _cell_key(cells.raw("status"))
            same_when = (_cell_key(cells.raw("actual_date")) == was_date
                         and statuses.get(_norm(status_key), status_key) == was_status)
            same_note = cells.text("note") == clean_text(was_note).strip()
        status_text = (None if same_when else
                       cells.choice("status", statuses, "choose done or missed from the list"))
        actual = None if same_when else cells.day("actual_date")
        note = "" if same_note else cells.text("note")
        if status_text is None and actual is None and not note and cells.ok:
            continue  # every cell as exported (or cleared): nothing entered
        if cells.ok and (not sid or not visit):
            cells.error("subject" if not sid else "visit", "an entry on a row without subject "
                        "and visit", cells.text("subject") or cells.text("visit"),
                        "keep the Subject and Visit cells of the row you type in")
        status = RecordStatus(status_text) if status_text else None
        if status is None and actual is not None:
            status = RecordStatus.DONE  # a date alone means done
        if status is RecordStatus.DONE and actual is None and cells.ok:
            cells.error("actual_date", "a done visit needs its actual date", None,
                        "type the date it was done, YYYY-MM-DD")
        if status is RecordStatus.MISSED and actual is not None:
            cells.error("actual_date", "a missed visit has no actual date", actual.isoformat(),
                        "clear the date, or set the status to done")
        if cells.ok:
            out.append(VisitEntry(subject_id=sid, visit=visit, status=status, actual_date=actual,
                                  note=note, cells=cells.refs()))
    return out


def _read_decisions(path: Path, sheet: str, rows: list[list[Any]], cols: dict[str, int],
                    header: int, errors: list[ScheduleError], *,
                    formulas: Set[tuple[int, int]] = frozenset(),
                    ) -> list[DecisionEntry]:
    actions = _choices("xlsx.action", [a.value for a in Action])
    out: list[DecisionEntry] = []
    entry_cols = [c for c in _DECISION_COLS if c != "subject"]
    for r in range(header + 1, len(rows)):
        cells = _Cells(path, sheet, rows[r], r, cols, errors)
        if cells.formula(_DECISION_COLS, formulas):
            continue
        if all(cells.raw(c) is None for c in entry_cols):
            continue  # the empty row left for a decision due, or a blank row
        sid = cells.ident("subject")
        on = cells.day("decided_on")
        action = cells.choice("action", actions, "choose continue, stop, hold or resume")
        regimen = cells.text("regimen") or None
        weeks: int | None = None
        wraw = cells.raw("weeks")
        if wraw is not None:
            try:
                wf = float(wraw) if not isinstance(wraw, bool) else float("nan")
                if not wf.is_integer() or wf < 1:
                    raise ValueError
                weeks = int(wf)
            except (TypeError, ValueError):
                cells.error("weeks", "must be a whole number of weeks >= 1", wraw,
                            "type a number such as 8, or leave it empty")
        until = cells.day("until")
        if cells.ok and not sid:
            cells.error("subject", "a decision without a subject", None, "type the subject id")
        if cells.ok and on is None:
            cells.error("decided_on", "a decision needs its date", None, "type YYYY-MM-DD")
        if cells.ok and action is None:
            cells.error("action", "a decision needs its action", None,
                        "choose continue, stop, hold or resume")
        if not cells.ok or on is None or action is None:
            continue
        decision = Decision(subject_id=sid, decided_on=on, action=Action(action), regimen=regimen,
                            weeks=weeks, until=until, investigator=cells.text("investigator"),
                            rationale=cells.text("rationale"),
                            source=SourceRef(path=f"{sheet}!", line=r + 1))
        out.append(DecisionEntry(decision=decision, cells=cells.refs()))
    return out


# --------------------------------------------------------------------------------------
# checking entries against the study


def plan_entries(study: Study, entries: WorkbookEntries, *, today: date,
                 amend: str | None = None) -> EntryPlan:
    """Check ``entries`` against the study and say what writing them would change (pure).

    Raise :class:`InvalidStudyError` listing every bad entry (nothing may be written then).
    ``today`` bounds entered dates (nothing in the future); ``amend`` (a reason) lets an entry
    correct a recorded visit instead of being a conflict (not for a workbook without its
    export record: ``entries.tracks_edits`` False).
    """

    protocol = study.protocol
    errors: list[ScheduleError] = list(entries.errors)
    subjects = {s.subject_id: s for s in study.subjects}
    recorded = {(v.subject_id, v.visit): v for v in study.visits}
    dpath = str(Path(study.folder) / "decisions.csv")

    def err(e: VisitEntry | DecisionEntry, col: str, msg: str, value: object, hint: str) -> None:
        cell = e.cells.get(col)
        kw: dict[str, Any] = {"value": value} if value is not None else {}  # no ": None"
        errors.append(WorkbookError(msg, path=entries.path if cell and "!" in cell else None,
                                    cell=cell, hint=hint, **kw))

    def check_date(e: VisitEntry | DecisionEntry, col: str, day: date | None) -> None:
        if day is None:
            return
        if not protocol.start_date <= day <= protocol.completion_date:
            err(e, col, f"outside the study ({protocol.start_date} … {protocol.completion_date})",
                day.isoformat(), "check the year and month")
        elif day > today:
            err(e, col, f"in the future (today is {today})", day.isoformat(),
                "enter what has happened; plan future visits in the plan, not here")

    def check_subject(e: VisitEntry | DecisionEntry, sid: str) -> bool:
        if sid not in subjects:
            err(e, "subject", "unknown subject", sid,
                f"use a subject id of subjects.csv ({', '.join(sorted(subjects))})")
            return False
        return True

    added: dict[tuple[str, str], RecordedVisit] = {}
    noted: list[RecordedVisit] = []
    to_place: list[tuple[VisitEntry, RecordedVisit | None]] = []  # checked against the plan
    amendments: list[Amendment] = []
    conflicts: list[Conflict] = []
    unchanged = 0
    seen: dict[tuple[str, str], VisitEntry] = {}
    for e in entries.visits:
        ok = check_subject(e, e.subject_id)
        if visit_kind(protocol, e.visit) is None:
            err(e, "visit", "unknown visit", e.visit, unknown_visit_hint(protocol, e.visit))
            ok = False
        check_date(e, "actual_date", e.actual_date)
        key = (e.subject_id, e.visit)
        if key in seen:
            if seen[key] != e:
                first = seen[key].cells.get("subject", "")
                err(e, "visit", f"entered twice, differently (first at {first})", e.visit,
                    "keep one entry per subject and visit")
            continue
        seen[key] = e
        if not ok:
            continue
        old = recorded.get(key)
        where = e.cells.get("status") or e.cells.get("actual_date") or e.cells.get("subject", "")
        if old is None:
            if e.status is None:
                err(e, "status", "a note on a visit with nothing recorded", e.note,
                    "choose done (with the date) or missed")
                continue
            added[key] = RecordedVisit(subject_id=e.subject_id, visit=e.visit, status=e.status,
                                       actual_date=e.actual_date, note=e.note,
                                       source=SourceRef(path=where))
            to_place.append((e, None))
            continue
        status = e.status or old.status
        actual = e.actual_date if e.status else old.actual_date
        same_when = (status, actual) == (old.status, old.actual_date)
        # an absent note keeps the recorded one; compared as the workbook stores text
        same_note = not e.note or e.note.strip() == clean_text(old.note).strip()
        new = RecordedVisit(subject_id=e.subject_id, visit=e.visit, status=status,
                            actual_date=actual, note=old.note if same_note else e.note,
                            source=old.source)
        if same_when and same_note:
            unchanged += 1
        elif same_when and not old.note:  # a note added to a visit recorded without one
            noted.append(replace(new, source=SourceRef(path=e.cells.get("note") or where)))
        elif amend and entries.tracks_edits:
            amendments.append(Amendment(old=old, new=new, reason=amend, on=today))
            to_place.append((e, old))
        else:
            why = ("correct the entry, or amend with a reason: --amend REASON" if not amend else
                   "this workbook has no record of what it was exported with (an older export, "
                   "or its hidden sheet deleted), so a stale cell cannot be told from a "
                   "correction: export a new workbook and type the correction there, or use "
                   "'record --amend'")
            conflicts.append(Conflict(
                subject_id=e.subject_id, where=where,
                message=f"{e.visit} is recorded as {_visit_text(old, name=False)} ({old.source}); "
                        f"the entry says {_visit_text(new, name=False)}: not applied ({why})"))

    new_decisions: list[DecisionEntry] = []
    existing = {(d.subject_id, d.decided_on): d for d in study.decisions}
    seen_d: dict[tuple[str, date], DecisionEntry] = {}
    for de in entries.decisions:
        d = de.decision
        if not check_subject(de, d.subject_id):
            continue
        check_date(de, "decided_on", d.decided_on)
        if d.weeks is not None and d.weeks < 1:
            err(de, "weeks", "must be a whole number of weeks >= 1", d.weeks,
                "give the number of weeks (e.g. 8), or leave it out to run to the cap")
        for col, msg, hint in decision_row_problems(d, protocol.max_treatment_weeks):
            value = getattr(d, col)
            err(de, col, msg, value.isoformat() if isinstance(value, date) else value, hint)
        key_d = (d.subject_id, d.decided_on)
        if key_d in seen_d:
            if seen_d[key_d].decision != d:
                err(de, "decided_on", "two different decisions for one subject on one day",
                    d.decided_on.isoformat(), "keep one decision per subject and day")
            continue
        seen_d[key_d] = de
        old_d = existing.get(key_d)
        if old_d is None:
            new_decisions.append(de)
        elif _same_decision(old_d, d):
            unchanged += 1
        else:
            conflicts.append(Conflict(
                subject_id=d.subject_id, where=de.cells.get("decided_on", ""),
                message=f"a different decision is recorded for {d.decided_on} ({old_d.source}: "
                        f"{old_d.describe().rsplit(' (', 1)[0]}): not applied (recorded decisions "
                        "are never rewritten; date a new decision to supersede it)"))

    # the whole decision sequence of each subject with new decisions, as the loader checks it
    by_source: dict[tuple[str | None, int | None], DecisionEntry] = {
        (de.decision.source.path, de.decision.source.line): de for de in new_decisions}
    for sid in sorted({de.decision.subject_id for de in new_decisions}):
        mine = [*study.decisions_of(sid), *(de.decision for de in new_decisions
                                            if de.decision.subject_id == sid)]
        for problem in check_decisions(protocol, subjects[sid], mine):
            de_hit = by_source.get((problem.path, problem.line))
            if de_hit is None:
                errors.append(problem)
                continue
            text = problem.message.removeprefix(f"subject {sid}: ")
            hint = problem.hint or ""
            if (problem.column == "regimen" and isinstance(problem.value, str)
                    and problem.value.upper() in protocol.regimen_codes):
                hint = f"did you mean {problem.value.upper()}?"
            err(de_hit, problem.column or "decided_on", text, problem.value, hint)
    if errors:
        raise InvalidStudyError(errors)

    # name the new decisions by their cells in the diff, then plan the result to find warnings
    added_decisions = tuple(
        replace(de.decision, source=SourceRef(path=de.cells.get("decided_on")
                                              or de.cells.get("subject") or dpath))
        for de in new_decisions)

    # visits of the plan only (with the decisions entered alongside), nothing before day 1,
    # nothing missed before its window opens
    if to_place:
        planned = plan_study(replace(study, decisions=study.decisions + added_decisions),
                             today=today, subject_ids=sorted({e.subject_id for e, _ in to_place}))
        for e, old in to_place:
            p = planned.subject(e.subject_id)
            events = {ev.visit: ev for ev in p.events if not ev.unplanned}
            ev = events.get(e.visit)
            day1 = p.subject.first_dose_date
            if old is None and ev is None:
                err(e, "visit", f"not in the current plan of subject {e.subject_id}", e.visit,
                    "record only visits of the plan ('cc312-schedule plan STUDY' lists them); "
                    "a dose beyond it needs the investigator's decision first (decide, or a "
                    "Decisions row)")
            if e.actual_date is not None and e.actual_date < day1:
                err(e, "actual_date", f"before the subject's first dose on {day1}",
                    e.actual_date.isoformat(), "check the date: nothing is done before day 1")
            if e.status is RecordStatus.MISSED and ev is not None and ev.window_start > today:
                err(e, "status", f"its window opens only on {ev.window_start} (today is {today})",
                    e.visit, "record a visit as missed once its window has opened")
        if errors:
            raise InvalidStudyError(errors)

    candidate = replace(
        study,
        visits=tuple(_amended(study.visits, amendments, noted)) + tuple(added.values()),
        decisions=study.decisions + added_decisions)
    warnings = _new_warnings(study, candidate, today)
    return EntryPlan(added_visits=tuple(added.values()), added_notes=tuple(noted),
                     amendments=tuple(amendments), added_decisions=added_decisions,
                     conflicts=tuple(conflicts), warnings=warnings, unchanged=unchanged)


def _same_decision(a: Decision, b: Decision) -> bool:
    return (a.action, a.regimen, a.weeks, a.until, a.investigator, a.rationale) == (
        b.action, b.regimen, b.weeks, b.until, b.investigator, b.rationale)


def _amended(visits: Sequence[RecordedVisit], amendments: Sequence[Amendment],
             noted: Sequence[RecordedVisit] = ()) -> Iterator[RecordedVisit]:
    by_key = {(a.old.subject_id, a.old.visit): a.new for a in amendments}
    by_key.update({(v.subject_id, v.visit): replace(v, source=old.source)
                   for old in visits for v in noted
                   if (old.subject_id, old.visit) == (v.subject_id, v.visit)})
    for v in visits:
        yield by_key.get((v.subject_id, v.visit), v)


def _new_warnings(before: Study, after: Study, today: date) -> tuple[str, ...]:
    """Plan warnings the entries add (a done date outside its window, a clipped decision...)."""

    old = {str(w) for w in plan_study(before, today=today).warnings}
    return tuple(str(w) for w in plan_study(after, today=today).warnings if str(w) not in old)


# --------------------------------------------------------------------------------------
# writing


@contextlib.contextmanager
def study_lock(folder: str | Path, *, timeout: float = 10.0) -> Iterator[None]:
    """Hold the study's write lock (``STUDY/.cc312-schedule.lock``), waiting up to ``timeout`` s.

    An OS lock (``flock``; ``msvcrt.locking`` on Windows) on the lock file: released when the
    holder ends, even by a crash, so a stale lock file never blocks anyone. The lock file is
    opened without following a link (``O_NOFOLLOW``) and must be a regular file: a link or a
    FIFO planted under its name is refused, never written through. Once the lock is held, the
    temporaries of ``visits.csv`` / ``decisions.csv`` that a killed writer left are removed.

    Not the ``filelock`` library: its ``UnixFileLock`` opens the path with ``O_TRUNC`` and
    follows a symbolic link (truncating whatever the link points to), which this lock must not.
    """
    path = Path(folder) / LOCK_NAME
    flags = (os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
             | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UsageError("the lock file is a symbolic link: refusing to write through it",
                             path=path, hint="delete the link (the lock file is created anew)"
                             ) from None
        raise UsageError(f"cannot create the lock file: {exc.strerror}", path=path,
                         hint="the study folder must be writable") from None
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
        remove_stale_temporaries(folder, ("visits.csv", "decisions.csv"), older_than=acquired)
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


def write_entries(folder: str | Path, plan: EntryPlan) -> EntryPlan:
    """Write ``plan``'s changes to ``visits.csv`` / ``decisions.csv`` (caller holds the lock).

    Existing rows keep their bytes; new rows are appended; an amended row is rewritten in
    place with its old values in the audit columns, a row given a note is rewritten in place.
    A column a value needs that the header lacks (``note``, ``rationale``, the audit columns...)
    is added at the end of the header, and every existing row gets an empty cell for it.
    Both files are staged and renamed together (:class:`~.fileio.StagedFiles`); if the result
    does not load, both are put back as they were.
    """

    root = Path(folder)
    vpath, dpath = root / "visits.csv", root / "decisions.csv"
    old_v = vpath.read_bytes() if vpath.exists() else None
    old_d = dpath.read_bytes() if dpath.exists() else None
    new_v = _edit_visits(old_v, plan.added_visits, plan.amendments, plan.added_notes)
    new_d = _append_rows(old_d, DECISIONS_HEADER, [_decision_row(d) for d in plan.added_decisions])
    changed = [(path, old, new) for path, old, new in ((dpath, old_d, new_d), (vpath, old_v, new_v))
               if new != old and new is not None]
    written: list[tuple[Path, bytes | None]] = []
    try:
        with StagedFiles() as files:  # both files renamed together, or neither
            for path, _, new in changed:
                files.stage(path, [new])
            files.commit()
        written = [(path, old) for path, old, _ in changed]
        load_study(root)
    except BaseException as exc:
        for path, old in written:  # put back what was replaced; the rest was never touched
            try:
                if old is None:
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()
                else:
                    write_atomic(path, old)
            except OSError as undo:
                raise UsageError(f"cannot write, and cannot put the file back: {undo.strerror}",
                                 path=path, hint="it holds the new rows: check it, free some "
                                 "space and run 'cc312-schedule check'") from None
        if isinstance(exc, OSError):
            what = exc.strerror or str(exc)
            hint = ("free some space on that disk, then run the command again"
                    if exc.errno in (errno.ENOSPC, errno.EDQUOT) else
                    "check that the study folder and its files are writable")
            raise UsageError(f"cannot write: {what}; nothing was changed",
                             path=exc.filename or root, hint=hint) from None
        raise
    return replace(plan, applied=True)


def _decision_row(d: Decision) -> dict[str, str]:
    return {"subject_id": d.subject_id, "decided_on": d.decided_on.isoformat(),
            "action": d.action.value, "regimen": d.regimen or "",
            "weeks": str(d.weeks) if d.weeks is not None else "",
            "until": d.until.isoformat() if d.until else "",
            "investigator": d.investigator, "rationale": d.rationale}


def _visit_row(v: RecordedVisit) -> dict[str, str]:
    return {"subject_id": v.subject_id, "visit": v.visit,
            "actual_date": v.actual_date.isoformat() if v.actual_date else "",
            "status": v.status.value, "note": v.note}


_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


class _CsvText:
    """A CSV file as text: its header, its records with their physical line spans."""

    def __init__(self, raw: bytes | None, default_header: Sequence[str]) -> None:
        text = raw.decode("utf-8-sig") if raw else ""
        self.bom = bool(raw and raw.startswith(b"\xef\xbb\xbf"))
        self.newline = "\r\n" if "\r\n" in text else "\n"
        # only \n, \r\n and \r end a line (as for the loader): a note keeps \x85 and U+2028
        self.lines = _LINES.findall(text)
        if self.lines and not self.lines[-1].endswith(("\n", "\r")):
            self.lines[-1] += self.newline
        if not self.lines:
            self.lines = [self.format(list(default_header))]
        reader = csv.reader(self.lines)
        self.header = [h.strip() for h in next(reader)]
        self.records: list[tuple[int, int, list[str]]] = []  # (first line, end line, fields)
        while True:
            start = reader.line_num
            try:
                row = next(reader)
            except StopIteration:
                break
            self.records.append((start, reader.line_num, row))

    def format(self, fields: Sequence[str]) -> str:
        # written with "\r\n" so that a field holding either \r or \n is quoted (the writer
        # quotes only its own terminator's characters: a lone \r went out bare and came back
        # as a line break), then ended with the file's own line ending
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerow(fields)
        return out.getvalue()[:-2] + self.newline

    def row(self, values: Mapping[str, str]) -> str:
        return self.format([values.get(h, "") for h in self.header])

    def ensure_columns(self, columns: Sequence[str]) -> None:
        """Add ``columns`` missing from the header at its end; existing rows get empty cells
        (a comma before their line ending; their bytes are otherwise kept)."""
        missing = [c for c in columns if c not in self.header]
        if not missing:
            return
        self.header += missing
        self.lines[0] = self.format(self.header)
        for _start, end, fields in self.records:
            if not fields:
                continue  # a blank line stays blank
            last = self.lines[end - 1]
            body = last.rstrip("\r\n")
            self.lines[end - 1] = body + "," * len(missing) + last[len(body):]

    def ensure_values(self, canonical: Sequence[str], rows: Sequence[Mapping[str, str]]) -> None:
        """Add the columns (in ``canonical`` order) that a non-empty value of ``rows`` needs."""
        self.ensure_columns([c for c in canonical if any(r.get(c) for r in rows)])

    def encode(self) -> bytes:
        return ("\ufeff" if self.bom else "").encode() + "".join(self.lines).encode("utf-8")


def _append_rows(raw: bytes | None, header: Sequence[str], rows: Sequence[Mapping[str, str]]) -> bytes | None:
    if not rows:
        return raw
    doc = _CsvText(raw, header)
    doc.ensure_values(header, rows)
    doc.lines.extend(doc.row(r) for r in rows)
    return doc.encode()


def _edit_visits(raw: bytes | None, added: Sequence[RecordedVisit],
                 amendments: Sequence[Amendment], noted: Sequence[RecordedVisit] = ()) -> bytes | None:
    if not added and not amendments and not noted:
        return raw
    doc = _CsvText(raw, VISITS_HEADER)
    new_rows = [_visit_row(v) for v in (*added, *noted, *(a.new for a in amendments))]
    doc.ensure_values(VISITS_HEADER, new_rows)
    if amendments:
        doc.ensure_columns(AUDIT_COLUMNS)
    if amendments or noted:
        idx = {h: i for i, h in enumerate(doc.header)}
        todo = {(a.old.subject_id, a.old.visit): a for a in amendments}
        notes = {(v.subject_id, v.visit): v.note for v in noted}
        for start, end, fields in reversed(doc.records):
            values = {h: (fields[i].strip() if i < len(fields) else "") for h, i in idx.items()}
            key = (values["subject_id"], values["visit"])
            if key in notes:
                values["note"] = notes[key]
                doc.lines[start:end] = [doc.row(values)]
            a = todo.get(key)
            if a is None:
                continue
            old = _visit_row(a.old)
            was = "; ".join(f"{k}={old[k]}" for k in ("status", "actual_date", "note") if old[k])
            values.update(_visit_row(a.new))
            for col, add in (("amended_from", was), ("amended_on", a.on.isoformat()),
                             ("amendment_note", a.reason)):
                values[col] = f"{values[col]} | {add}" if values.get(col) else add
            doc.lines[start:end] = [doc.row(values)]
    doc.lines.extend(doc.row(_visit_row(v)) for v in added)
    return doc.encode()


# --------------------------------------------------------------------------------------
# the three ways in


def import_workbook(folder: str | Path, workbook: str | Path, *, today: date, apply: bool = False,
                    amend: str | None = None, lock_timeout: float = 10.0) -> EntryPlan:
    """Import a coordinator's workbook: a dry run by default; ``apply=True`` writes.

    When applying, the study is re-read under its lock, so rows another writer added in the
    meantime are kept and compared against.
    """
    entries = load_entries(workbook)
    if not apply:
        return plan_entries(load_study(folder), entries, today=today, amend=amend)
    with study_lock(folder, timeout=lock_timeout):
        plan = plan_entries(load_study(folder), entries, today=today, amend=amend)
        return write_entries(folder, plan) if plan.changes else plan


def record(folder: str | Path, subject_id: str, visit: str, *, today: date,
           done: date | None = None, missed: bool = False, note: str = "",
           amend: str | None = None, lock_timeout: float = 10.0) -> EntryPlan:
    """Record one visit as done on ``done`` or as ``missed``, and write it (under the lock).

    A visit recorded differently already is an error unless ``amend`` gives the reason. An
    empty ``note`` keeps the recorded note; a note on a visit recorded without one is added.
    The visit must be in the subject's current plan (``missed`` only once its window has
    opened), and a done date not before the first dose.
    """
    if (done is None) == (not missed):
        raise UsageError("say either --done DATE or --missed", key="record",
                         hint="e.g. --done 2026-11-23, or --missed --note 'why'")
    entry = VisitEntry(subject_id=subject_id, visit=visit,
                       status=RecordStatus.MISSED if missed else RecordStatus.DONE,
                       actual_date=done, note=note,
                       cells={"subject": "SUBJECT", "visit": "VISIT", "actual_date": "--done",
                              "status": "--missed" if missed else "--done", "note": "--note"})
    return _write_one(folder, WorkbookEntries(path="<command line>", visits=(entry,)),
                      today=today, amend=amend, lock_timeout=lock_timeout)


def decide(folder: str | Path, subject_id: str, *, on: date, action: Action | str, today: date,
           regimen: str | None = None, weeks: int | None = None, until: date | None = None,
           investigator: str, rationale: str = "", lock_timeout: float = 10.0) -> EntryPlan:
    """Record one investigator decision and write it (under the lock), checked like an import."""
    try:
        act = Action(str(action).lower())
    except ValueError:
        raise UsageError("unknown action", key="ACTION", value=str(action),
                         hint="use continue, stop, hold or resume") from None
    d = Decision(subject_id=subject_id, decided_on=on, action=act, regimen=regimen, weeks=weeks,
                 until=until, investigator=investigator.strip(), rationale=rationale.strip(),
                 source=SourceRef(path="<command line>"))
    entry = DecisionEntry(decision=d, cells={
        "subject": "SUBJECT", "decided_on": "--on", "action": "ACTION", "regimen": "--regimen",
        "weeks": "--weeks", "until": "--until", "investigator": "--investigator",
        "rationale": "--rationale"})
    return _write_one(folder, WorkbookEntries(path="<command line>", decisions=(entry,)),
                      today=today, amend=None, lock_timeout=lock_timeout)


def _write_one(folder: str | Path, entries: WorkbookEntries, *, today: date, amend: str | None,
               lock_timeout: float) -> EntryPlan:
    with study_lock(folder, timeout=lock_timeout):
        plan = plan_entries(load_study(folder), entries, today=today, amend=amend)
        if plan.conflicts:
            c = plan.conflicts[0]
            raise UsageError(f"subject {c.subject_id}: {c.message}", hint=None)
        return write_entries(folder, plan) if plan.changes else plan
