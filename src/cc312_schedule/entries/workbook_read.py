"""Reading a coordinator's workbook: finding its sheets by their headers, reading the entry
cells with python-calamine (and formulas with openpyxl, only when there is one), refusing a
workbook too large to read safely. :func:`load_entries` gives :class:`~.entry_values.WorkbookEntries`.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Mapping, Sequence, Set
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..core.days import parse_iso_date
from ..core.errors import ScheduleError, UsageError, WorkbookError
from ..core.fileio import WORKBOOK_LIMIT, InputFileError, read_input
from ..core.messages import LANGUAGES, LEGACY_TEXTS, message
from ..store.entry_values import DecisionEntry, VisitEntry, WorkbookEntries
from ..store.study import Action, Decision, RecordStatus, SourceRef
from ..store.workbook_layout import EXPORT_COLUMNS, EXPORT_ENTRIES, EXPORT_SHEET, clean_text, unpack_exported

__all__ = ["MAX_SHEET_CELLS", "MAX_WORKBOOK_CELLS", "load_entries"]

#: The most cells (rows x columns of the used area) the import reads from one sheet: a
#: 10,000-subject export's Visits sheet has ~9 million. One stray value far away (XFD1048576)
#: would otherwise make the reader allocate the whole sheet (512 GB).
MAX_SHEET_CELLS = 20_000_000
#: The most cells the import reads from all sheets together (a 10,000-subject export has
#: ~14 million: Visits, the export record, the timeline): nine sheets just under the sheet
#: limit took 66 s and 1.4 GB.
MAX_WORKBOOK_CELLS = 25_000_000


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


def _choice_hint(prefix: str, values: Sequence[str]) -> str:
    """The dropdown's choices as the workbook shows them, in every language (each listed as
    that language lists): ``choose from the list: done / missed (已完成、漏访)``; a Chinese
    run says the Chinese part alone (the catalogue's ``hint.choose from the list: …``)."""
    shown = [message(lang, "xlsx.list_separator").join(message(lang, f"{prefix}.{v}")
                                                       for v in values) for lang in LANGUAGES]
    return f"choose from the list: {shown[0]}" + "".join(f" ({t})" for t in shown[1:])


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
    """The hidden sheet :data:`~.xlsx.EXPORT_SHEET`: (subject, visit) -> exported (date, status,
    note), from rows of either form (a subject's packed entries, or one row per visit: the
    only form in a workbook written before 2026-12-05)."""

    if not rows:
        return {}
    idx = {str(h).strip(): i for i, h in enumerate(rows[0]) if h is not None}
    packed = idx.get(EXPORT_ENTRIES)
    out: dict[tuple[str, str], tuple[str, str, str]] = {}
    for row in rows[1:]:
        values = [_cell_key(row[idx[c]]) if c in idx and idx[c] < len(row) else ""
                  for c in EXPORT_COLUMNS]
        cell = row[packed] if packed is not None and packed < len(row) else None
        if values[0] and cell is not None and str(cell).strip():
            for visit, *entry in unpack_exported(str(cell)):
                if visit.strip():
                    out[values[0], visit.strip()] = (entry[0].strip(), entry[1].strip(),
                                                     entry[2].strip())
        elif values[0] and values[1]:
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
    if not _check_file_size(path):
        return None
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    has_formula: bool | None = False
    areas: list[tuple[str, int, str]] = []  # (sheet, cells of its used area, its far cell)
    with z:
        if sum(i.file_size for i in z.infolist()) > 4 * WORKBOOK_LIMIT:
            raise UsageError("the workbook unpacks to more than "
                             f"{4 * WORKBOOK_LIMIT:,} bytes: refusing to read it", path=path,
                             hint="is this the right file? Delete unused sheets and try again")
        names = _sheet_parts(z)
        for info in z.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            try:
                xml = z.read(info)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error):
                has_formula = None
                continue  # damaged: the reader reports it
            sheet = names.get(info.filename, info.filename)
            cells, far, formula = _check_sheet_size(path, sheet, xml,
                                                    find_formula=has_formula is False)
            areas.append((sheet, cells, far))
            if has_formula is False and formula:
                has_formula = True
    total = sum(cells for _, cells, _ in areas)
    if total > MAX_WORKBOOK_CELLS:
        areas.sort(key=lambda a: -a[1])
        shown = ", ".join(f"{sheet!r} {cells:,} (to {far})" for sheet, cells, far in areas[:4])
        raise UsageError(
            f"the workbook is too large to import: its sheets' used areas hold {total:,} "
            f"cells, more than {MAX_WORKBOOK_CELLS:,} ({shown})", path=path,
            hint="delete the sheets you added, and what is far outside the tables, save, "
            "and import again")
    return has_formula


def _check_file_size(path: Path) -> bool:
    """Refuse a file over :data:`~.fileio.WORKBOOK_LIMIT` (or not a regular file, read through
    the bounded reader); whether the zip checks may go on (False: the reader says what is wrong)."""
    try:
        st = os.stat(path)
    except OSError:
        return False  # the reader says what is wrong
    if not stat.S_ISREG(st.st_mode) or st.st_size > WORKBOOK_LIMIT:
        try:
            read_input(path, limit=WORKBOOK_LIMIT)
        except InputFileError as exc:
            raise UsageError(exc.message, path=path, hint=exc.hint) from None
        except OSError:
            return False
    return True


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet part (``xl/worksheets/sheet1.xml``) -> the sheet's name; empty when unreadable."""
    import html

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
    return names


def _check_sheet_size(path: Path, sheet: str, xml: bytes, *,
                      find_formula: bool) -> tuple[int, str, bool]:
    """Refuse a sheet whose used area exceeds :data:`MAX_SHEET_CELLS`, naming the far cell;
    the cells of its used area (an upper bound), its far cell, and whether it holds a formula
    element (searched for only when ``find_formula``).

    Every way a reader places a cell counts, so the bound holds before the reader allocates:
    a row's or a cell's ``r=""`` reference, a row without one (the row after the last), and a
    cell without one (the column after the last: a row of 16,384 such cells reaches XFD).
    """
    # the patterns start with a literal (the sheet's own namespace prefix, if any):
    # an optional prefix group would make each search ~6x slower
    m = _ROOT_TAG.match(xml)
    ns = re.escape(m.group(1)) if m and m.group(1) else b""
    formula = find_formula and re.search(b"<" + ns + rb"f[\s>/]", xml) is not None
    numbered = [int(r) for r in re.findall(b"<" + ns + rb'row\b[^>]*?\br="(\d+)"', xml)]
    unnumbered = len(re.findall(b"<" + ns + rb"row\b(?![^>]*?\br=)", xml))
    rows = max(numbered, default=0) + unnumbered
    # The columns: the sheet's <dimension> (exact in what Excel, WPS, LibreOffice and
    # XlsxWriter write) or Z, checked by one search for a cell reference beyond it; only
    # the cells beyond (none in such a sheet) are then read one by one. The same for rows.
    dim = re.search(b"<" + ns + rb'dimension\b[^>]*?\bref="[A-Z]*\d*:?([A-Z]{1,3})\d+"', xml)
    cols = _col_index(dim.group(1)) if dim and len(dim.group(1)) < 3 else 26
    far_col, far_col_row, far_row, far_row_col = 0, 0, 0, ""
    cell = b"<" + ns + b'c r="'
    if re.search(cell + _beyond(_col_letter(cols - 1), b"A-Z") + rb"\d", xml):
        for c, r in re.findall(cell + b"(" + _beyond(_col_letter(cols - 1), b"A-Z") + rb")(\d+)",
                               xml):
            if _col_index(c) > far_col:
                far_col, far_col_row = _col_index(c), int(r)
    if re.search(cell + rb"[A-Z]{1,3}" + _beyond(str(max(rows, 1)), b"0-9") + b'"', xml):
        for c, r in re.findall(cell + rb"([A-Z]{1,3})(" + _beyond(str(max(rows, 1)), b"0-9")
                               + b')"', xml):
            if int(r) > far_row:
                far_row, far_row_col = int(r), c.decode()
    # cells without r="": each takes the column after the one before it, in its row
    loose = re.compile(b"<" + ns + rb"c(?:\s(?![^>]*?\br=)[^>]*)?/?>")
    loose_cols = row_cols = 0
    if loose.search(xml):  # never in what a spreadsheet program writes: row by row here
        ref = re.compile(cell + rb"([A-Z]{1,3})\d")
        for row in xml.split(b"<" + ns + b"row")[1:]:
            n = len(loose.findall(row))
            loose_cols = max(loose_cols, n)
            row_cols = max(row_cols, n + max((_col_index(c) for c in ref.findall(row)),
                                             default=0))
    rows = max(rows, far_row)
    cols = max(cols, far_col, row_cols)
    cells = rows * cols
    # the cell to name: the one farthest out (a far column, or the last row's cell)
    if not far_row and rows:
        last = re.search(cell + rb"([A-Z]{1,3})" + str(rows).encode() + b'"', xml)
        far_row, far_row_col = (rows, last.group(1).decode()) if last else (0, "")
    spots = [(far_col * far_col_row, f"{_col_letter(far_col - 1)}{far_col_row}" if far_col
              else ""),
             (_col_index(far_row_col.encode()) * far_row, f"{far_row_col}{far_row}")]
    far = max(spots)[1] if max(spots)[0] else f"row {rows:,}"
    where = f"e.g. {sheet}!{far}" if far[0].isupper() and not far.startswith("row") else far
    if loose_cols > 26 and loose_cols >= far_col:
        far = where = f"a row of {loose_cols:,} cells without cell references"
    if cells > MAX_SHEET_CELLS:
        raise UsageError(
            f"sheet {sheet!r} is too large to import: its used area reaches {far} "
            f"({rows:,} rows x {cols:,} columns, more than {MAX_SHEET_CELLS:,} cells)",
            path=path, hint=f"delete what is far outside the table ({where}), or the empty "
            "rows and columns after it, save, and import again")
    return cells, far, formula


def _beyond(last: str, alphabet: bytes) -> bytes:
    """A regular expression for the column letters (``alphabet`` ``A-Z``) or row numbers
    (``0-9``, no leading zero) that come after ``last``: longer ones (up to 3 letters, 7
    digits), or as long and greater at the first place they differ.

    >>> import re
    >>> p = re.compile(_beyond("M", b"A-Z") + rb"\\Z")
    >>> [bool(p.match(c)) for c in (b"L", b"M", b"N", b"AA", b"XFD")]
    [False, False, True, True, True]
    >>> p = re.compile(_beyond("120", b"0-9") + rb"\\Z")
    >>> [bool(p.match(n)) for n in (b"99", b"120", b"121", b"130", b"200", b"1000")]
    [False, False, True, True, True, True]
    """
    top = alphabet[-1:].decode()
    longest = 3 if alphabet == b"A-Z" else 7
    lead = "[A-Z]" if alphabet == b"A-Z" else "[1-9]"
    alts = [f"{lead}{'[' + alphabet.decode() + ']'}{{{len(last)},{longest - 1}}}"] \
        if len(last) < longest else []
    for i, ch in enumerate(last):
        if ch < top:
            alts.append(re.escape(last[:i]) + f"[{chr(ord(ch) + 1)}-{top}]"
                        + f"[{alphabet.decode()}]" * (len(last) - i - 1))
    return ("(?:" + "|".join(alts) + ")").encode() if alts else b"(?!)"


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
            if col == "subject":
                self.error(col, "a subject id typed as a number (leading zeros are lost)",
                           value, "format the column as Text and type the id as in "
                           "subjects.csv, e.g. 001")
            else:
                self.error(col, "a visit typed as a number", value,
                           "type the visit as the plan names it, e.g. W1D1, D28 or EOT")
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
                       cells.choice("status", statuses,
                                    _choice_hint("xlsx.status", [s.value for s in RecordStatus])))
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
        action = cells.choice("action", actions,
                              _choice_hint("xlsx.action", [a.value for a in Action]))
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
