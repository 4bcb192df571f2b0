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
import shutil
import zipfile
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from .days import StudyDay
from .fileio import write_atomic
from .messages import MESSAGES, message
from .model import EventKind, EventStatus, PlannedEvent, StudyPlan, SubjectPlan, event_order
from .study import Study

if TYPE_CHECKING:
    from openpyxl.workbook import Workbook

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
# texts openpyxl would store as error values (openpyxl.cell.cell.ERROR_CODES): stored as text
_ERROR_CODES: Final = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))


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

    The workbook is streamed (openpyxl's write-only mode): each row is written out as it is
    made, so memory does not grow with the number of cells. Hence the order below: a sheet's
    panes, column widths and page properties are set before its first row, and its rows are
    appended top to bottom, each cell styled as it is made.
    """
    if generated_at.tzinfo is None:
        raise ValueError("generated_at needs a time zone, e.g. datetime(..., tzinfo=UTC)")
    from openpyxl import Workbook

    lang = study.config.language
    stamp = generated_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    wb = Workbook(write_only=True)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "cc312-schedule"
    wb.properties.lastModifiedBy = "cc312-schedule"
    wb.properties.title = _clean(study.config.name)
    ctx = _Context(study=study, plan=plan, lang=lang,
                   generated=f"{stamp:%Y-%m-%d %H:%M} UTC", style=_Styles.make())
    _overview(wb.create_sheet(message(lang, "xlsx.sheet.overview")), ctx)
    _visits(wb.create_sheet(message(lang, "xlsx.sheet.visits")), ctx)
    _decisions(wb.create_sheet(message(lang, "xlsx.sheet.decisions")), ctx)
    _timeline(wb.create_sheet(message(lang, "xlsx.sheet.timeline")), ctx)
    _export_record(wb.create_sheet(EXPORT_SHEET), ctx)
    return _save(wb, stamp)


def write_xlsx(path: str | Path, study: Study, plan: StudyPlan, *, generated_at: datetime) -> None:
    """Write :func:`to_xlsx` to ``path`` atomically (a temporary file, then a rename)."""

    write_atomic(path, to_xlsx(study, plan, generated_at=generated_at))


# --------------------------------------------------------------------------------------
# sheets


@dataclass(frozen=True, slots=True)
class _Styles:
    """The style objects of the workbook, made once (openpyxl shares equal ones anyway)."""

    header: Any
    entry: Any
    bold: Any
    title: Any
    center: Any
    cap_fill: Any
    cap_font: Any
    cap_border: Any
    today_border: Any
    marks: dict[str, tuple[Any, Any]]

    @staticmethod
    def make() -> _Styles:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        def fill(rgb: str) -> Any:
            return PatternFill("solid", start_color=rgb, end_color=rgb)

        today = Side(style="thick", color=_TODAY_COLOUR)
        return _Styles(
            header=fill(_HEADER_FILL), entry=fill(_ENTRY_FILL), bold=Font(bold=True),
            title=Font(bold=True, size=12), center=Alignment(horizontal="center"),
            cap_fill=fill(_CAP_COLOUR), cap_font=Font(bold=True, color="FFFFFF"),
            cap_border=Border(right=Side(style="thick", color=_CAP_COLOUR)),
            today_border=Border(left=today, right=today, top=today, bottom=today),
            marks={m: (fill(fg), Font(color=font)) for m, fg, font in TIMELINE_MARKS})


@dataclass(frozen=True, slots=True, kw_only=True)
class _Context:
    study: Study
    plan: StudyPlan
    lang: str
    generated: str
    style: _Styles

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


def _overview(ws: Any, ctx: _Context) -> None:
    _frame(ws, ctx, "overview", OVERVIEW_COLUMNS)
    today = ctx.plan.today
    for p in ctx.plan:
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
            "contraception_end": (p.provisional.contraception_end if p.provisional
                                  else p.contraception_end),
            "state": ctx.label("xlsx.state", p.state.value) if p.state else "",
            "warnings": "\n".join(str(w) for w in p.warnings),
        }
        provisional: set[str] = set()  # derived from --assume doses: marked like provisional visits
        if p.provisional is not None:
            provisional = {"eot", "follow_up_end", "contraception_end"}
        if nxt is not None and nxt.status is EventStatus.PROVISIONAL:
            provisional |= {"next_visit", "next_visit_date"}
        ws.append(_row(ws, ctx, OVERVIEW_COLUMNS, values, provisional=provisional))
    _filter(ws, OVERVIEW_COLUMNS, FIRST_ROW + len(ctx.plan.subjects) - 1)


def _visit_events(ctx: _Context) -> list[PlannedEvent]:
    return sorted(ctx.plan.events, key=event_order)


def _exported_entry(e: PlannedEvent) -> tuple[date | None, str, str]:
    """What a Visits row's entry cells are given: (actual date, status value, note)."""
    if e.status in (EventStatus.DONE, EventStatus.MISSED):
        return e.actual_date, e.status.value, e.note
    return None, "", ""


def _export_record(ws: Any, ctx: _Context) -> None:
    """The hidden sheet of what the Visits entry cells held (see :data:`EXPORT_SHEET`)."""
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
    ws.append(list(EXPORT_COLUMNS))
    for e in _visit_events(ctx):
        actual, status, note = _exported_entry(e)
        ws.append([_cell(ws, value, number_format="@")  # text, never a formula
                   for value in (e.subject_id, e.visit, actual.isoformat() if actual else "",
                                 status, note)])


def _visits(ws: Any, ctx: _Context) -> None:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill

    _frame(ws, ctx, "visits", VISIT_COLUMNS)
    weekdays = ctx.t("xlsx.weekdays").split(",")
    events = _visit_events(ctx)
    for e in events:
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
        ws.append(_row(ws, ctx, VISIT_COLUMNS, values))
    if not events:  # the entry cells of one empty row, as for every visit
        ws.append(_row(ws, ctx, VISIT_COLUMNS, {}))
    last = FIRST_ROW + max(len(events), 1) - 1
    _filter(ws, VISIT_COLUMNS, last)
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


def _decisions(ws: Any, ctx: _Context) -> None:
    _frame(ws, ctx, "decisions", DECISION_COLUMNS)
    rows: list[dict[str, object]] = [{
        "subject": d.subject_id, "decided_on": d.decided_on,
        "action": ctx.t(f"xlsx.action.{d.action.value}"), "regimen": d.regimen or "",
        "weeks": d.weeks, "until": d.until, "investigator": d.investigator,
        "rationale": d.rationale, "decision_due": None}
        for d in sorted(ctx.study.decisions, key=lambda d: (d.decided_on, d.subject_id))]
    # one empty row per subject whose decision is due
    rows += [{"subject": p.subject_id, "decision_due": p.decision_due}
             for p in ctx.plan if p.decision_due is not None]
    subject_col = [c.id for c in DECISION_COLUMNS].index("subject")
    for values in rows or [{}]:  # at least one row of entry cells
        cells = _row(ws, ctx, DECISION_COLUMNS, values)
        # Text, so a typed 006 keeps its zeros
        cells[subject_col] = _cell(ws, values.get("subject"), fill=ctx.style.entry,
                                   number_format="@")
        ws.append(cells)
    last = FIRST_ROW + max(len(rows), 1) - 1
    _filter(ws, DECISION_COLUMNS, last)
    end = last + SPARE_DECISION_ROWS
    for _ in range(last + 1, end + 1):  # the spare rows: only the subject cell, as text
        ws.append([*([None] * subject_col), _cell(ws, None, number_format="@")])
    col = {c.id: _letter(i) for i, c in enumerate(DECISION_COLUMNS, start=1)}
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
    ws.data_validations.append(dv)


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


def _timeline(ws: Any, ctx: _Context) -> None:
    from openpyxl.styles import Alignment

    st = ctx.style
    protocol = ctx.study.protocol
    cap_week = protocol.max_treatment_weeks
    last_week = max([cap_week, *(e.week for e in ctx.plan.events)])
    weeks = range(1, last_week + 1)
    fixed = (Column("subject", 9), Column("regimen", 9), Column("state", 16))
    columns = (*fixed, *(Column(f"w{w}", 4.5) for w in weeks))
    _sheet_setup(ws, ctx, columns, freeze=len(fixed) + 1)
    _title(ws, ctx, "timeline")
    week_header = Alignment(horizontal="center", text_rotation=90 if ctx.lang == "en" else 255)
    header = [_header_cell(ws, ctx, ctx.header(c)) for c in fixed]
    for w in weeks:
        cap = w == cap_week
        header.append(_cell(ws, ctx.t("xlsx.col.week_n", n=w), alignment=week_header,
                            font=st.cap_font if cap else st.bold,
                            fill=st.cap_fill if cap else st.header))
    ws.append(header)
    today = ctx.plan.today
    for p in ctx.plan:
        row = [_cell(ws, p.subject_id), _cell(ws, _current_regimen(p, today)),
               _cell(ws, ctx.label("xlsx.state", p.state.value) if p.state else "")]
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
            border = (st.today_border if w == today_week else
                      st.cap_border if w == cap_week else None)
            if w in marks:
                fill, font = st.marks[marks[w]]
                row.append(_cell(ws, doses[w] if w in doses else labels.get(w, ""), fill=fill,
                                 font=font, alignment=st.center, border=border))
            else:
                row.append(None if border is None else _cell(ws, None, border=border))
        ws.append(row)
    last = FIRST_ROW + max(len(ctx.plan.subjects), 1) - 1
    _filter(ws, columns, last)
    # the legend, below the subjects (after an empty row)
    for _ in range(FIRST_ROW + len(ctx.plan.subjects), last + 2):
        ws.append([])
    ws.append([_cell(ws, ctx.t("xlsx.legend"), font=st.bold)])
    for m, _fg, _font in TIMELINE_MARKS:
        fill, font = st.marks[m]
        ws.append([_cell(ws, None, fill=fill, font=font), _cell(ws, ctx.t(f"xlsx.legend.{m}"))])
    ws.append([_cell(ws, None, fill=st.cap_fill),
               _cell(ws, ctx.t("xlsx.legend.cap", week=cap_week, day=protocol.last_dose_day.value))])
    ws.append([_cell(ws, None, border=st.today_border),
               _cell(ws, ctx.t("xlsx.legend.today", today=today.isoformat() if today else "—"))])
    ws.append([None, _cell(ws, ctx.t("xlsx.legend.cell"))])


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


def _title(ws: Any, ctx: _Context, sheet: str) -> None:
    """Row 1: the study, the sheet, the site, when generated, as of when."""
    cfg = ctx.study.config
    parts = [ctx.t("xlsx.title", study=cfg.name, sheet=ctx.t(f"xlsx.sheet.{sheet}"))]
    if cfg.site:
        parts.append(cfg.site)
    parts.append(ctx.t("xlsx.generated", when=ctx.generated))
    if ctx.plan.today:
        parts.append(ctx.t("xlsx.today", today=ctx.plan.today.isoformat()))
    ws.append([_cell(ws, " · ".join(parts), font=ctx.style.title)])


def _header_cell(ws: Any, ctx: _Context, text: str, *, entry: bool = False) -> Any:
    st = ctx.style
    return _cell(ws, text, font=st.bold, fill=st.entry if entry else st.header, alignment=_wrap())


def _sheet_setup(ws: Any, ctx: _Context, columns: Sequence[Column], *, freeze: int) -> None:
    """Frozen panes, column widths and print set-up: before the first row is written."""
    ws.freeze_panes = f"{_letter(freeze)}{FIRST_ROW}"
    for i, c in enumerate(columns, start=1):
        ws.column_dimensions[_letter(i)].width = c.width
    _print_setup(ws, ctx)


def _frame(ws: Any, ctx: _Context, sheet: str, columns: Sequence[Column]) -> None:
    """Sheet set-up, title row and header row of a table sheet."""
    _sheet_setup(ws, ctx, columns, freeze=3 if sheet in ("visits", "overview") else 2)
    _title(ws, ctx, sheet)
    ws.append([_header_cell(ws, ctx, ctx.header(c), entry=c.entry) for c in columns])


def _print_setup(ws: Any, ctx: _Context) -> None:
    from openpyxl.worksheet.worksheet import Worksheet

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
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


def _filter(ws: Any, columns: Sequence[Column], last: int) -> None:
    ws.auto_filter.ref = f"A{HEADER_ROW}:{_letter(len(columns))}{last}"


def _row(ws: Any, ctx: _Context, columns: Sequence[Column], values: dict[str, object], *,
         provisional: Collection[str] = ()) -> list[Any]:
    """A data row for ``ws.append``: entry columns filled; the ``provisional`` columns in the
    provisional visits' colours, with the word "provisional" after the value."""
    entry = ctx.style.entry
    fill, font = ctx.style.marks["dose_provisional"]
    word = ctx.t("xlsx.status.provisional").replace('"', "")
    out = []
    for c in columns:
        v = values.get(c.id)
        if c.id in provisional and v not in (None, ""):
            if isinstance(v, date):
                out.append(_cell(ws, v, fill=fill, font=font,
                                 number_format=f'{DATE_FORMAT}" ({word})"'))
            else:
                out.append(_cell(ws, f"{v} ({word})", fill=fill, font=font))
        else:
            out.append(_cell(ws, v, fill=entry) if c.entry else _cell(ws, v))
    return out


def _cell(ws: Any, value: object, *, fill: Any = None, font: Any = None, alignment: Any = None,
          border: Any = None, number_format: str | None = None) -> Any:
    """A value for ``ws.append``: dates as date cells, text as text (never a formula), None or
    ``""`` as empty; a plain value where openpyxl needs no cell object, else a styled cell.
    """
    if value == "":
        value = None
    wrap = quote = False
    if isinstance(value, str):
        value = _clean(value)
        quote = is_formula_like(value)
        wrap = "\n" in value
        if not (quote or wrap or fill or font or alignment or border or number_format
                or value in _ERROR_CODES):
            return value
    elif isinstance(value, date):
        number_format = number_format or DATE_FORMAT
    elif not (fill or font or alignment or border or number_format):
        return value  # a number, or None: nothing to style
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str):
        cell.data_type = "s"  # even "=..." or "#N/A": text
        if quote:
            cell.quotePrefix = True
    if number_format:
        cell.number_format = number_format
    if wrap or alignment:
        cell.alignment = alignment or _wrap()
    if fill:
        cell.fill = fill
    if font:
        cell.font = font
    if border:
        cell.border = border
    return cell


@cache
def _wrap() -> Any:
    from openpyxl.styles import Alignment

    return Alignment(wrap_text=True, vertical="top")


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


def _date_validation(ws: Any, ctx: _Context, ref: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    p = ctx.study.protocol
    start, end = p.start_date, p.completion_date
    dv = DataValidation(type="date", operator="between",
                        formula1=f"DATE({start.year},{start.month},{start.day})",
                        formula2=f"DATE({end.year},{end.month},{end.day})", allow_blank=True,
                        showErrorMessage=True, errorTitle="Date",
                        error=f"{start.isoformat()} … {end.isoformat()} (YYYY-MM-DD)")
    dv.add(ref)
    ws.data_validations.append(dv)


def _list_validation(ws: Any, items: Iterable[str], ref: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(type="list", formula1='"' + ",".join(items) + '"', allow_blank=True,
                        showErrorMessage=True)
    dv.add(ref)
    ws.data_validations.append(dv)


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
            if info.filename == "docProps/core.xml":
                dst.writestr(member, core)
            else:  # member by member, in pieces: a sheet is never held whole, uncompressed
                with src.open(info) as fin, dst.open(member, "w") as fout:
                    shutil.copyfileobj(fin, fout, 1 << 20)
    return out.getvalue()
