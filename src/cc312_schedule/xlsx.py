"""The coordinators' workbook: Overview, Visits, Decisions and Timeline sheets (``.xlsx``).

openpyxl is imported inside the functions, so importing this module costs nothing. Every
label comes from :mod:`messages` in the study's language; every rule (regimens, the cap,
the study period, visit names) comes from the protocol and the plan, none is written here.

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
  for every Visits row, the actual date, status and note written into its entry cells. The
  import compares each entry cell with it: a cell still holding what was exported is not an
  entry, so a stale copy never reverts a correction recorded since.

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
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from .days import StudyDay
from .messages import MESSAGES, message
from .model import EventKind, EventStatus, PlannedEvent, StudyPlan, SubjectPlan
from .study import Study

if TYPE_CHECKING:
    from openpyxl.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "DECISION_COLUMNS",
    "ENTRY_STATUSES",
    "EXPORT_COLUMNS",
    "EXPORT_SHEET",
    "OVERVIEW_COLUMNS",
    "SHEETS",
    "TIMELINE_MARKS",
    "VISIT_COLUMNS",
    "Column",
    "clean_text",
    "is_formula_like",
    "timeline_marks",
    "to_xlsx",
    "write_xlsx",
]

#: Sheet ids, in workbook order; the names are ``messages`` ``xlsx.sheet.<id>``.
SHEETS: Final = ("overview", "visits", "decisions", "timeline")
#: Rows above the data: row 1 the title, row 2 the column headers (both frozen and printed on
#: every page). The import does not rely on this: it finds the header row by its texts.
TITLE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3
DATE_FORMAT: Final = "yyyy-mm-dd"
#: Statuses a coordinator may enter on the Visits sheet (the dropdown), as ``RecordStatus`` values.
ENTRY_STATUSES: Final = ("done", "missed")
#: Rows below the last decision that carry the Decisions sheet's dropdowns and date checks.
SPARE_DECISION_ROWS: Final = 50
#: The hidden, protected sheet recording what each Visits row's entry cells held when exported
#: (language-independent name and headers; one row per Visits row, all values text: the
#: actual date as ``YYYY-MM-DD``, the status as its ``RecordStatus`` value, the note as written).
EXPORT_SHEET: Final = "cc312-exported"
EXPORT_COLUMNS: Final = ("subject_id", "visit", "exported_actual_date", "exported_status",
                         "exported_note")


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a sheet: its id (header = ``messages`` ``xlsx.col.<id>``) and width."""

    id: str
    width: float
    entry: bool = False  # typed in by the coordinator; read back by the import


OVERVIEW_COLUMNS: Final = (
    Column("subject", 9), Column("cohort", 8), Column("dose_level", 10), Column("disease", 9),
    Column("first_dose", 12), Column("regimen", 10), Column("doses_given", 8),
    Column("doses_missed", 8), Column("doses_planned", 9), Column("next_visit", 10),
    Column("next_visit_date", 12), Column("decision_due", 12), Column("cap_date", 14),
    Column("eot", 12), Column("follow_up_end", 12), Column("contraception_end", 12),
    Column("state", 16), Column("warnings", 70),
)
VISIT_COLUMNS: Final = (
    Column("subject", 9), Column("visit", 9), Column("kind", 12), Column("regimen", 8),
    Column("dose_number", 7), Column("study_day", 8), Column("week", 7),
    Column("target_date", 12), Column("planned_date", 12), Column("window_start", 12),
    Column("window_end", 12), Column("weekday", 8), Column("date_reason", 36),
    Column("procedures", 40),
    Column("plan_status", 12), Column("actual_date", 12, entry=True),
    Column("status", 11, entry=True), Column("note", 40, entry=True),
)
DECISION_COLUMNS: Final = (
    Column("subject", 9, entry=True), Column("decided_on", 12, entry=True),
    Column("action", 10, entry=True), Column("regimen", 9, entry=True),
    Column("weeks", 7, entry=True), Column("until", 12, entry=True),
    Column("investigator", 22, entry=True), Column("rationale", 60, entry=True),
    Column("decision_due", 12),
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
# characters XML 1.0 cannot carry (openpyxl refuses them); replaced, never silently dropped
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet program would treat ``text`` as a formula if typed in.

    >>> [is_formula_like(t) for t in ("@SUM(1)", "+1", "\\tx", "\\rx", "a=b", "")]
    [True, True, True, True, False, False]
    """
    return text.startswith(_FORMULA_START)


def to_xlsx(study: Study, plan: StudyPlan, *, generated_at: datetime) -> bytes:
    """The workbook of ``plan`` (planned from ``study``) as ``.xlsx`` bytes.

    ``generated_at`` (time-zone aware) is printed in the headers and stored as the
    workbook's created/modified time; with the same inputs the bytes are the same.
    ``plan.today`` marks overdue visits and today's week on the timeline.
    """
    if generated_at.tzinfo is None:
        raise ValueError("generated_at needs a time zone, e.g. datetime(..., tzinfo=UTC)")
    from openpyxl import Workbook

    lang = study.config.language
    stamp = generated_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    wb = Workbook()
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "cc312-schedule"
    wb.properties.lastModifiedBy = "cc312-schedule"
    wb.properties.title = _clean(study.config.name)
    ctx = _Context(study=study, plan=plan, lang=lang,
                   generated=f"{stamp:%Y-%m-%d %H:%M} UTC")
    ws = wb.active
    assert ws is not None
    ws.title = message(lang, "xlsx.sheet.overview")
    _overview(ws, ctx)
    _visits(wb.create_sheet(message(lang, "xlsx.sheet.visits")), ctx)
    _decisions(wb.create_sheet(message(lang, "xlsx.sheet.decisions")), ctx)
    _timeline(wb.create_sheet(message(lang, "xlsx.sheet.timeline")), ctx)
    _export_record(wb.create_sheet(EXPORT_SHEET), ctx)
    return _save(wb, stamp)


def write_xlsx(path: str | Path, study: Study, plan: StudyPlan, *, generated_at: datetime) -> None:
    """Write :func:`to_xlsx` to ``path`` atomically (a temporary file, then a rename)."""
    from .fileio import write_atomic

    write_atomic(path, to_xlsx(study, plan, generated_at=generated_at))


# --------------------------------------------------------------------------------------
# sheets


@dataclass(frozen=True, slots=True, kw_only=True)
class _Context:
    study: Study
    plan: StudyPlan
    lang: str
    generated: str

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


def _overview(ws: Worksheet, ctx: _Context) -> None:
    _frame(ws, ctx, "overview", OVERVIEW_COLUMNS)
    today = ctx.plan.today
    for r, p in enumerate(ctx.plan, start=FIRST_ROW):
        nxt = _next_visit(p)
        fus = [e.date for e in p.events if e.kind is EventKind.FOLLOW_UP]
        eot = [e.date for e in p.events if e.kind is EventKind.EOT]
        still = sum(1 for e in p.doses if e.status in (EventStatus.PLANNED, EventStatus.PROVISIONAL,
                                                         EventStatus.OVERDUE))
        values: dict[str, object] = {
            "subject": p.subject_id, "cohort": p.subject.cohort,
            "dose_level": p.subject.dose_level, "disease": p.subject.disease or "",
            "first_dose": p.subject.first_dose_date, "regimen": _current_regimen(p, today),
            "doses_given": p.count(EventStatus.DONE), "doses_missed": p.count(EventStatus.MISSED),
            "doses_planned": still, "next_visit": nxt.visit if nxt else "",
            "next_visit_date": nxt.date if nxt else None, "decision_due": p.decision_due,
            "cap_date": p.cap_date, "eot": eot[0] if eot else None,
            "follow_up_end": max(fus) if fus else None,
            "contraception_end": p.contraception_end,
            "state": ctx.label("xlsx.state", p.state.value) if p.state else "",
            "warnings": "\n".join(str(w) for w in p.warnings),
        }
        _row(ws, r, OVERVIEW_COLUMNS, values)
    _finish(ws, OVERVIEW_COLUMNS, FIRST_ROW + len(ctx.plan.subjects) - 1)


def _visit_events(ctx: _Context) -> list[PlannedEvent]:
    order = {k: i for i, k in enumerate(EventKind)}
    return sorted(ctx.plan.events, key=lambda e: (e.date, e.subject_id, order[e.kind], e.visit))


def _exported_entry(e: PlannedEvent) -> tuple[date | None, str, str]:
    """What a Visits row's entry cells are given: (actual date, status value, note)."""
    if e.status in (EventStatus.DONE, EventStatus.MISSED):
        return e.actual_date, e.status.value, e.note
    return None, "", ""


def _export_record(ws: Worksheet, ctx: _Context) -> None:
    """The hidden sheet of what the Visits entry cells held (see :data:`EXPORT_SHEET`)."""
    for i, h in enumerate(EXPORT_COLUMNS, start=1):
        ws.cell(1, i).value = h
    for r, e in enumerate(_visit_events(ctx), start=2):
        actual, status, note = _exported_entry(e)
        for i, value in enumerate((e.subject_id, e.visit, actual.isoformat() if actual else "",
                                   status, note), start=1):
            _put(ws.cell(r, i), value).number_format = "@"  # text, never a formula
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


def _visits(ws: Worksheet, ctx: _Context) -> None:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill

    _frame(ws, ctx, "visits", VISIT_COLUMNS)
    weekdays = ctx.t("xlsx.weekdays").split(",")
    events = _visit_events(ctx)
    for r, e in enumerate(events, start=FIRST_ROW):
        actual, status, note = _exported_entry(e)
        values: dict[str, object] = {
            "subject": e.subject_id, "visit": e.visit, "kind": ctx.label("xlsx.kind", e.kind.value),
            "regimen": e.regimen or "", "dose_number": e.dose_number,
            "study_day": e.study_day.value, "week": e.week, "target_date": e.target_date,
            "planned_date": e.planned_date, "window_start": e.window_start,
            "window_end": e.window_end, "weekday": weekdays[e.date.weekday()],
            "date_reason": e.reason,
            "procedures": "; ".join(e.procedures),
            "plan_status": ctx.label("xlsx.status", e.status.value),
            "actual_date": actual,
            "status": ctx.label("xlsx.status", status) if status else "",
            "note": note,
        }
        _row(ws, r, VISIT_COLUMNS, values)
    last = FIRST_ROW + max(len(events), 1) - 1
    _finish(ws, VISIT_COLUMNS, last)
    col = {c.id: _letter(i) for i, c in enumerate(VISIT_COLUMNS, start=1)}
    _date_validation(ws, ctx, f"{col['actual_date']}{FIRST_ROW}:{col['actual_date']}{last}")
    _list_validation(ws, [ctx.t(f"xlsx.status.{s}") for s in ENTRY_STATUSES],
                     f"{col['status']}{FIRST_ROW}:{col['status']}{last}")
    # overdue, live: the window has ended (by the spreadsheet's clock) and nothing is entered
    rows = f"A{FIRST_ROW}:{_letter(len(VISIT_COLUMNS))}{last}"
    r0 = FIRST_ROW
    formula = (f'AND(${col["actual_date"]}{r0}="",${col["status"]}{r0}="",'
               f'${col["window_end"]}{r0}<TODAY())')
    ws.conditional_formatting.add(rows, FormulaRule(
        formula=[formula], fill=PatternFill("solid", start_color=_OVERDUE_FILL,
                                            end_color=_OVERDUE_FILL)))


def _decisions(ws: Worksheet, ctx: _Context) -> None:
    _frame(ws, ctx, "decisions", DECISION_COLUMNS)
    r = FIRST_ROW
    for d in sorted(ctx.study.decisions, key=lambda d: (d.decided_on, d.subject_id)):
        _row(ws, r, DECISION_COLUMNS, {
            "subject": d.subject_id, "decided_on": d.decided_on,
            "action": ctx.t(f"xlsx.action.{d.action.value}"), "regimen": d.regimen or "",
            "weeks": d.weeks, "until": d.until, "investigator": d.investigator,
            "rationale": d.rationale, "decision_due": None})
        r += 1
    for p in ctx.plan:  # one empty row per subject whose decision is due
        if p.decision_due is not None:
            _row(ws, r, DECISION_COLUMNS, {"subject": p.subject_id, "decision_due": p.decision_due})
            r += 1
    last = max(r - 1, FIRST_ROW)
    _finish(ws, DECISION_COLUMNS, last)
    col = {c.id: _letter(i) for i, c in enumerate(DECISION_COLUMNS, start=1)}
    end = last + SPARE_DECISION_ROWS
    subject_col = 1 + [c.id for c in DECISION_COLUMNS].index("subject")
    for row in range(FIRST_ROW, end + 1):  # Text, so a typed 006 keeps its zeros
        ws.cell(row, subject_col).number_format = "@"
    for c in ("decided_on", "until"):
        _date_validation(ws, ctx, f"{col[c]}{FIRST_ROW}:{col[c]}{end}")
    _list_validation(ws, [ctx.t(f"xlsx.action.{a}") for a in ("continue", "stop", "hold", "resume")],
                     f"{col['action']}{FIRST_ROW}:{col['action']}{end}")
    _list_validation(ws, list(ctx.study.protocol.regimen_codes),
                     f"{col['regimen']}{FIRST_ROW}:{col['regimen']}{end}")
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(type="whole", operator="between", formula1="1",
                        formula2=str(ctx.study.protocol.max_treatment_weeks), allow_blank=True,
                        showErrorMessage=True)
    dv.add(f"{col['weeks']}{FIRST_ROW}:{col['weeks']}{end}")
    ws.add_data_validation(dv)


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


def _timeline(ws: Worksheet, ctx: _Context) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    protocol = ctx.study.protocol
    cap_week = protocol.max_treatment_weeks
    last_week = max([cap_week, *(e.week for e in ctx.plan.events)])
    weeks = range(1, last_week + 1)
    fixed = (Column("subject", 9), Column("regimen", 9), Column("state", 16))
    columns = (*fixed, *(Column(f"w{w}", 4.5) for w in weeks))
    _title(ws, ctx, "timeline", len(columns))
    for i, c in enumerate(fixed, start=1):
        _header_cell(ws, i, ctx.header(c))
    for w in weeks:
        cell = _header_cell(ws, len(fixed) + w, ctx.t("xlsx.col.week_n", n=w))
        cell.alignment = Alignment(horizontal="center", text_rotation=90 if ctx.lang == "en" else 255)
        if w == cap_week:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", start_color=_CAP_COLOUR, end_color=_CAP_COLOUR)
    fills = {m: (PatternFill("solid", start_color=fg, end_color=fg), Font(color=font))
             for m, fg, font in TIMELINE_MARKS}
    cap_side = Side(style="thick", color=_CAP_COLOUR)
    today_side = Side(style="thick", color=_TODAY_COLOUR)
    today = ctx.plan.today
    r = FIRST_ROW
    for p in ctx.plan:
        _put(ws.cell(r, 1), p.subject_id)
        _put(ws.cell(r, 2), _current_regimen(p, today))
        _put(ws.cell(r, 3), ctx.label("xlsx.state", p.state.value) if p.state else "")
        marks = timeline_marks(p)
        doses: dict[int, int] = {}
        labels: dict[int, str] = {}
        for e in p.events:
            if e.is_dose and e.status is not EventStatus.MISSED:
                doses[e.week] = doses.get(e.week, 0) + 1
            elif not e.is_dose:
                labels.setdefault(e.week, e.visit)
        today_week = (StudyDay.of(p.subject.first_dose_date, today).week
                      if today is not None and today >= p.subject.first_dose_date else None)
        for w in weeks:
            cell = ws.cell(r, len(fixed) + w)
            if w in marks:
                fill, font = fills[marks[w]]
                cell.fill, cell.font = fill, font
                _put(cell, doses[w] if w in doses else labels.get(w, ""))
                cell.alignment = Alignment(horizontal="center")
            if w == today_week:
                cell.border = Border(left=today_side, right=today_side, top=today_side,
                                     bottom=today_side)
            elif w == cap_week:
                cell.border = Border(right=cap_side)
        r += 1
    last = max(r - 1, FIRST_ROW)
    ws.freeze_panes = ws.cell(FIRST_ROW, len(fixed) + 1)
    for i, c in enumerate(columns, start=1):
        ws.column_dimensions[_letter(i)].width = c.width
    ws.auto_filter.ref = f"A{HEADER_ROW}:{_letter(len(columns))}{last}"
    _print_setup(ws, ctx)
    # the legend, below the subjects
    r = last + 2
    _put(ws.cell(r, 1), ctx.t("xlsx.legend")).font = Font(bold=True)
    for m, _fg, _font in TIMELINE_MARKS:
        r += 1
        swatch = ws.cell(r, 1)
        swatch.fill, swatch.font = fills[m]
        _put(ws.cell(r, 2), ctx.t(f"xlsx.legend.{m}"))
    r += 1
    ws.cell(r, 1).fill = PatternFill("solid", start_color=_CAP_COLOUR, end_color=_CAP_COLOUR)
    _put(ws.cell(r, 2), ctx.t("xlsx.legend.cap", week=cap_week, day=protocol.last_dose_day.value))
    r += 1
    ws.cell(r, 1).border = Border(left=today_side, right=today_side, top=today_side,
                                  bottom=today_side)
    _put(ws.cell(r, 2), ctx.t("xlsx.legend.today", today=today.isoformat() if today else "—"))
    r += 1
    _put(ws.cell(r, 2), ctx.t("xlsx.legend.cell"))


# --------------------------------------------------------------------------------------
# helpers


def _next_visit(p: SubjectPlan) -> PlannedEvent | None:
    for e in p.events:
        if e.status in (EventStatus.OVERDUE, EventStatus.PLANNED, EventStatus.PROVISIONAL):
            return e
    return None


def _current_regimen(p: SubjectPlan, today: date | None) -> str:
    """The regimen of the last dose on or before ``today`` (else of the first dose planned)."""
    doses = [e for e in p.doses if e.regimen and e.status is not EventStatus.MISSED]
    past = [e for e in doses if today is None or e.date <= today]
    chosen = past[-1] if past else (doses[0] if doses else None)
    return chosen.regimen or "" if chosen else ""


def _title(ws: Worksheet, ctx: _Context, sheet: str, width: int) -> None:
    from openpyxl.styles import Font

    cfg = ctx.study.config
    parts = [ctx.t("xlsx.title", study=cfg.name, sheet=ctx.t(f"xlsx.sheet.{sheet}"))]
    if cfg.site:
        parts.append(cfg.site)
    parts.append(ctx.t("xlsx.generated", when=ctx.generated))
    if ctx.plan.today:
        parts.append(ctx.t("xlsx.today", today=ctx.plan.today.isoformat()))
    _put(ws.cell(TITLE_ROW, 1), " · ".join(parts)).font = Font(bold=True, size=12)


def _header_cell(ws: Worksheet, col: int, text: str) -> Any:
    from openpyxl.styles import Alignment, Font, PatternFill

    cell = _put(ws.cell(HEADER_ROW, col), text)
    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", start_color=_HEADER_FILL, end_color=_HEADER_FILL)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _frame(ws: Worksheet, ctx: _Context, sheet: str, columns: Sequence[Column]) -> None:
    """Title row, header row, frozen panes and print set-up of a table sheet."""
    from openpyxl.styles import PatternFill

    _title(ws, ctx, sheet, len(columns))
    for i, c in enumerate(columns, start=1):
        cell = _header_cell(ws, i, ctx.header(c))
        if c.entry:
            cell.fill = PatternFill("solid", start_color=_ENTRY_FILL, end_color=_ENTRY_FILL)
    ws.freeze_panes = ws.cell(FIRST_ROW, 3 if sheet in ("visits", "overview") else 2)
    _print_setup(ws, ctx)


def _print_setup(ws: Worksheet, ctx: _Context) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{TITLE_ROW}:{HEADER_ROW}"
    cfg = ctx.study.config
    ws.oddHeader.left.text = _header_text(cfg.name)
    ws.oddHeader.right.text = _header_text(ctx.t("xlsx.generated", when=ctx.generated))
    ws.oddFooter.center.text = "&P / &N"


def _header_text(text: str) -> str:
    return _clean(text).replace("&", "&&")


def _finish(ws: Worksheet, columns: Sequence[Column], last: int) -> None:
    from openpyxl.styles import PatternFill

    for i, c in enumerate(columns, start=1):
        ws.column_dimensions[_letter(i)].width = c.width
    ws.auto_filter.ref = f"A{HEADER_ROW}:{_letter(len(columns))}{last}"
    entry = PatternFill("solid", start_color=_ENTRY_FILL, end_color=_ENTRY_FILL)
    for i, c in enumerate(columns, start=1):
        if c.entry:
            for r in range(FIRST_ROW, last + 1):
                ws.cell(r, i).fill = entry


def _row(ws: Worksheet, r: int, columns: Sequence[Column], values: dict[str, object]) -> None:
    for i, c in enumerate(columns, start=1):
        _put(ws.cell(r, i), values.get(c.id))


def _put(cell: Any, value: object) -> Any:
    """Set a cell: dates as date cells, text as text (never a formula), None as empty."""
    from openpyxl.styles import Alignment

    if value is None or value == "":
        cell.value = None
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, str):
        text = _clean(value)
        cell.value = text
        cell.data_type = "s"
        if is_formula_like(text):
            cell.quotePrefix = True
        if "\n" in text:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    else:
        cell.value = value
    return cell


def clean_text(text: str) -> str:
    """``text`` as the workbook stores it: characters XML cannot carry become U+FFFD.

    The import compares recorded text with a cell through this, so an untouched note with a
    control character is not a change.

    >>> clean_text("a\\x01b"), clean_text("tab\\tkept")
    ('a\ufffdb', 'tab\\tkept')
    """
    return _ILLEGAL_XML.sub("\ufffd", text)


_clean = clean_text


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(i))


def _date_validation(ws: Worksheet, ctx: _Context, ref: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    p = ctx.study.protocol
    start, end = p.start_date, p.completion_date
    dv = DataValidation(type="date", operator="between",
                        formula1=f"DATE({start.year},{start.month},{start.day})",
                        formula2=f"DATE({end.year},{end.month},{end.day})", allow_blank=True,
                        showErrorMessage=True, errorTitle="Date",
                        error=f"{start.isoformat()} … {end.isoformat()} (YYYY-MM-DD)")
    dv.add(ref)
    ws.add_data_validation(dv)


def _list_validation(ws: Worksheet, items: Iterable[str], ref: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(type="list", formula1='"' + ",".join(items) + '"', allow_blank=True,
                        showErrorMessage=True)
    dv.add(ref)
    ws.add_data_validation(dv)


def _save(wb: Workbook, stamp: datetime) -> bytes:
    """Save, then re-zip with every member dated ``stamp`` (openpyxl dates them "now").

    openpyxl's save also sets the "modified" property to now: it is set back and
    ``docProps/core.xml`` rewritten.
    """
    from openpyxl.xml.functions import tostring

    raw = io.BytesIO()
    wb.save(raw)
    wb.properties.modified = stamp
    core = tostring(wb.properties.to_tree())
    out = io.BytesIO()
    when = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute,
            stamp.second - stamp.second % 2)
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=when)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            data = core if info.filename == "docProps/core.xml" else src.read(info.filename)
            dst.writestr(member, data)
    return out.getvalue()
