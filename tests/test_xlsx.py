"""The coordinators' workbook, read back with openpyxl: sheets, headers, cell types, validations,
frozen panes, print set-up, timeline colours, hostile text, deterministic bytes."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from cc312_schedule import example_study_path, load_study, plan_study
from cc312_schedule.cli import main
from cc312_schedule.reports.xlsx import TIMELINE_MARKS, to_xlsx

AT = datetime(2026, 3, 20, 8, 30, tzinfo=UTC)
TODAY = date(2026, 3, 20)

# Hostile text a subject note, a rationale or an investigator's name might hold: each must be
# stored as a string cell, never as a formula (and read back exactly).
HOSTILE = [
    '=HYPERLINK("http://x","y")',  # a live link that could exfiltrate data
    "@SUM(1)",                     # Lotus-style formula prefix (Excel still evaluates it)
    "+1",                          # a sum
    "-2+3",                        # a negative number that is a formula
]

# A small study whose dates are known: 001 and 002 first dosed Monday 2026-03-02.
SUBJECTS = ("001,1,DL1,2026-03-02,SLE,2026-02-01,1980-01-01,F\n"
            "002,1,DL1,2026-03-02,IIM,2026-02-01,1975-05-05,M\n")
VISITS = ("001,W1D1,2026-03-02,done,\n"
          '001,W1D4,2026-03-05,done,"=HYPERLINK(""http://x"",""y"")"\n'
          "002,W1D1,2026-03-02,done,@SUM(1)\n"
          "002,W1D4,2026-03-05,done,+1\n")
DECISIONS = "002,2026-03-10,stop,,,,+1,-2+3\n"


@pytest.fixture
def small(make_study: Callable[..., Path]) -> Path:
    return make_study(study='name = "Small & test study"\nsite = "Ward 7"\n', subjects=SUBJECTS,
                      visits=VISITS, decisions=DECISIONS)


def export(folder: Path, *, today: date = TODAY, lang: str | None = None) -> openpyxl.Workbook:
    study = load_study(folder)
    if lang is not None:
        from dataclasses import replace
        study = replace(study, config=replace(study.config, language=lang))
    data = to_xlsx(study, plan_study(study, today=today), generated_at=AT)
    return openpyxl.load_workbook(io.BytesIO(data))


def headers(ws: Any) -> list[str]:
    return [c.value for c in ws[2] if c.value is not None]


def rows(ws: Any) -> list[dict[str, Any]]:
    hdr = [c.value for c in ws[2]]
    out = []
    for r in ws.iter_rows(min_row=3):
        values = {h: c for h, c in zip(hdr, r, strict=False) if h}
        if values.get(hdr[0]) is None or values[hdr[0]].value is None:
            break  # the table ends at its first empty row (the Overview's key follows)
        out.append(values)
    return out


@pytest.mark.parametrize(("lang", "names"), [
    ("en", ["Overview", "Visits", "Decisions", "Timeline", "Warnings"]),
    ("zh-CN", ["总览", "访视计划", "研究者决策", "时间轴", "警告"]),
], ids=["en", "zh-CN"])
def test_sheets_in_the_study_language(small: Path, lang: str, names: list[str]) -> None:
    wb = export(small, lang=lang)
    assert wb.sheetnames == [*names, "cc312-exported"]  # the export record: hidden, protected
    assert [ws.sheet_state for ws in wb] == ["visible"] * 5 + ["hidden"]
    assert wb["cc312-exported"].protection.sheet


@pytest.mark.parametrize(("sheet", "expected"), [
    ("Overview", ["Subject", "Cohort", "Dose level", "Disease", "Consent date", "First dose",
                  "Regimen", "Doses given",
                  "Doses missed", "Doses to come", "Next visit", "Next visit date", "Decision due",
                  "Last possible dose (day 168)", "EOT", "End of follow-up", "Contraception end",
                  "State", "Warnings"]),  # how many: the texts are on the Warnings sheet
    # issue 22: no Week, Regimen, Dose no. or Target date (in Kind and Moved from)
    ("Visits", ["Subject", "Visit", "Kind", "Study day", "Planned date", "Weekday",
                "Window start", "Window end", "Moved from (why)", "Procedures", "Plan status",
                "Actual date", "Actual status", "Note"]),
    ("Decisions", ["Subject", "Decided on", "Action", "Regimen", "Weeks", "Until", "Investigator",
                   "Rationale", "Decision due"]),
], ids=["overview", "visits", "decisions"])
def test_headers(small: Path, sheet: str, expected: list[str]) -> None:
    assert headers(export(small)[sheet]) == expected


def test_title_row_names_study_site_and_generation(small: Path) -> None:
    wb = export(small)
    for ws in wb.worksheets[:5]:
        title = ws["A1"].value
        assert title.startswith("Small & test study · ")
        # the study's time zone (Asia/Shanghai by default): 08:30 UTC is 16:30 in Beijing
        assert "Ward 7" in title and "generated 2026-03-20 16:30 (Beijing time)" in title
        assert "as of 2026-03-20" in title


@pytest.mark.parametrize(("visit", "column", "expected"), [
    ("W1D1", "Planned date", datetime(2026, 3, 2)),
    ("W2D4", "Planned date", datetime(2026, 3, 12)),
    ("W2D4", "Window start", datetime(2026, 3, 12)),
    ("W2D4", "Window end", datetime(2026, 3, 13)),
    ("D28", "Window start", datetime(2026, 3, 27)),
    ("D28", "Window end", datetime(2026, 4, 1)),
    ("W1D4", "Actual date", datetime(2026, 3, 5)),
], ids=lambda v: str(v))
def test_visit_dates_are_date_cells(small: Path, visit: str, column: str, expected: datetime) -> None:
    row = next(r for r in rows(export(small)["Visits"])
               if r["Subject"].value == "001" and r["Visit"].value == visit)
    cell = row[column]
    assert cell.is_date and cell.data_type == "d"
    assert cell.value == expected
    # the window beside the planned date: its month and day shown (issue 22), the date kept
    assert cell.number_format == ("mm-dd" if column.startswith("Window") else "yyyy-mm-dd")


def test_overview_row(small: Path) -> None:
    row = next(r for r in rows(export(small)["Overview"]) if r["Subject"].value == "001")
    values = {k: c.value for k, c in row.items()}
    assert values["First dose"] == datetime(2026, 3, 2)
    assert values["Regimen"] == "BIW"
    # issue 19: W2D1, W2D4 and W3D1 are overdue (windows ended 03-10, 03-13, 03-17), to be
    # recorded as done or missed, so not "still planned"; W3D4 (03-19, window to 03-20) is in
    # the past: the next visit is W4D1 on Monday 03-23
    assert (values["Doses given"], values["Doses missed"], values["Doses to come"]) == (2, 0, 3)
    assert values["Next visit"] == "W4D1"
    assert values["Next visit date"] == datetime(2026, 3, 23)
    assert values["Decision due"] == datetime(2026, 3, 30)  # D28 planned: its target 03-29 is a Sunday
    assert values["Last possible dose (day 168)"] == datetime(2026, 8, 16)
    assert values["State"] == "in induction"
    assert row["Decision due"].is_date


def test_subject_ids_stay_text(small: Path) -> None:
    wb = export(small)
    for sheet in ("Overview", "Visits", "Decisions"):
        for r in rows(wb[sheet]):
            assert r["Subject"].data_type == "s" and r["Subject"].value in {"001", "002"}


@pytest.mark.parametrize("text", HOSTILE, ids=["hyperlink", "at-sum", "plus", "minus"])
def test_hostile_text_is_stored_as_text(small: Path, text: str) -> None:
    wb = export(small)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value == text]
    assert cells, f"{text!r} not found in the workbook"
    for c in cells:
        assert c.data_type == "s"
        assert c.quotePrefix
    # and no cell anywhere holds a formula, except none at all
    assert not [c for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_hostile_text_in_the_raw_xml_is_never_a_formula(small: Path) -> None:
    study = load_study(small)
    data = to_xlsx(study, plan_study(study, today=TODAY), generated_at=AT)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert all("<f>" not in s for s in sheets)


def test_validations(small: Path) -> None:
    wb = export(small)
    visits = {(dv.type, dv.formula1, dv.formula2): str(dv.sqref)
              for dv in wb["Visits"].data_validations.dataValidation}
    last = wb["Visits"].max_row
    # 2025-09-30 and 2027-09-29 as spreadsheet day numbers (days since 1899-12-30)
    assert visits[("date", "45930", "46659")] == f"L3:L{last}"
    assert visits[("list", '"done,missed"', None)] == f"M3:M{last}"
    decisions = {(dv.type, dv.formula1): str(dv.sqref)
                 for dv in wb["Decisions"].data_validations.dataValidation}
    assert ("list", '"continue,stop,hold,resume"') in decisions
    assert ("list", '"BIW,QW,Q2W,Q4W"') in decisions  # the protocol's regimens
    assert ("whole", "1") in decisions
    assert [k for k in decisions if k[0] == "date"], "decided_on / until date checks"


def test_zh_cn_dropdowns_are_translated(small: Path) -> None:
    wb = export(small, lang="zh-CN")
    lists = {dv.formula1 for dv in wb["访视计划"].data_validations.dataValidation if dv.type == "list"}
    assert lists == {'"已完成,漏访"'}
    actions = {dv.formula1 for dv in wb["研究者决策"].data_validations.dataValidation
               if dv.type == "list"}
    assert '"继续治疗,停止治疗,暂停给药,恢复给药"' in actions  # zh-CN-terms.md


@pytest.mark.parametrize(("sheet", "pane"), [
    ("Overview", "C3"), ("Visits", "C3"), ("Decisions", "B3"), ("Warnings", "B3"),
], ids=["overview", "visits", "decisions", "warnings"])
def test_frozen_headers_filter_and_print_setup(small: Path, sheet: str, pane: str) -> None:
    ws = export(small)[sheet]
    assert ws.freeze_panes == pane
    assert ws.auto_filter.ref.startswith("A2:")
    assert ws.page_setup.orientation == "landscape"
    # fitToWidth left out means 1 (ECMA-376 default): one page wide, as many pages down as needed
    assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$2:$2"  # the header row; the title row on the first page
    # issue 22: no page header; the footer names the study once (the sheet: &A), when
    # generated, and the page of how many
    assert not ws.oddHeader.left.text and not ws.oddHeader.right.text
    assert ws.oddFooter.left.text == "Small && test study · &A"  # '&' escaped in header codes
    assert ws.oddFooter.center.text == "generated 2026-03-20 16:30 (Beijing time)"
    assert ws.oddFooter.left.font == "Microsoft YaHei,Regular" and ws.oddFooter.left.size == 10
    assert ws.oddFooter.right.text == "Page &P of &N"
    assert ws.column_dimensions["A"].width > 5


def test_timeline_prints_pages_across_at_full_size(small: Path) -> None:
    """Not shrunk to one page wide (48 weeks would print at ~5 pt): at 100 %, a page break
    after the cap week (24), the subject columns repeated on each page."""
    ws = export(small)["Timeline"]
    assert ws.freeze_panes == "D3"
    assert ws.sheet_properties.pageSetUpPr is None or not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_cols == "$A:$C" and ws.print_title_rows == "$2:$2"
    # a break after the cap week only when the weeks do not fit on one page across
    assert [b.id for b in ws.col_breaks.brk] in ([], [3 + 24])
    assert 80 <= (ws.page_setup.scale or 100) <= 100  # one page down when it fits at 80 % or more
    assert ws.page_setup.orientation == "landscape"


def test_overdue_conditional_formatting(small: Path) -> None:
    ws = export(small)["Visits"]
    rules = [(str(rng.sqref), r.formula) for rng, rs in ws.conditional_formatting._cf_rules.items()
             for r in rs]
    assert rules == [(f"A3:N{ws.max_row}", ['AND($L3="",$M3="",$H3<TODAY())']),
                     (f"L3:N{ws.max_row}", ['NOT(AND($L3="",$M3="",$H3<TODAY()))'])]


FILL = {m: "FF" + fg for m, fg, _ in TIMELINE_MARKS}


@pytest.mark.parametrize(("subject", "week", "mark", "text"), [
    ("001", 1, "dose_done", 2),        # W1D1, W1D4 given
    ("001", 2, "overdue", 2),          # W2D1 window ended 2026-03-10, nothing recorded
    ("001", 3, "overdue", 2),          # W3D1 window ended 2026-03-17
    ("001", 4, "decision", 2),         # D28 falls in week 4 (with W4D1, W4D4 planned)
    ("002", 2, "overdue", None),       # stopped 2026-03-10: W2D1 (03-09) still expected
    ("002", 3, "overdue", "EOT"),      # EOT = last dose planned (W2D1 03-09) + 7 = 03-16, window ended 03-19
    ("002", 6, "follow_up", "FU1"),    # FU1: 2026-04-06 + its window
], ids=lambda v: str(v))
def test_timeline_colours(small: Path, subject: str, week: int, mark: str, text: object) -> None:
    ws = export(small)["Timeline"]
    row = next(r for r in ws.iter_rows(min_row=3) if r[0].value == subject)
    cell = row[2 + week]
    assert cell.fill.fgColor.rgb == FILL[mark]
    if text is not None:
        assert cell.value == text


def test_timeline_marks_cap_today_and_legend(small: Path) -> None:
    ws = export(small)["Timeline"]
    hdr = [c.value for c in ws[2]]
    cap = hdr.index("W24") + 1
    assert ws.cell(2, cap).fill.fgColor.rgb == "FFC00000"
    row = next(r for r in ws.iter_rows(min_row=3) if r[0].value == "001")
    assert row[cap - 1].border.right.style == "thick"
    today_cell = row[2 + 3]  # 2026-03-20 is study day 19: week 3
    assert today_cell.border.left.style == "thick" and today_cell.border.left.color.rgb == "FF1565C0"
    texts = [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert "Legend" in texts and "dose missed" in texts and "overdue (nothing recorded)" in texts
    assert "week 24: the treatment cap (no dose after day 168)" in texts
    assert "the subject's current week (as of 2026-03-20)" in texts


def test_timeline_for_the_example_study() -> None:
    study = load_study(example_study_path())
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx(
        study, plan_study(study, today=date(2026, 11, 25)), generated_at=AT)))
    ws = wb["Timeline"]
    row = next(r for r in ws.iter_rows(min_row=3) if r[0].value == "003")
    assert row[2 + 3].fill.fgColor.rgb == FILL["dose_missed"]  # W3D1 missed (fever)
    assert row[2 + 2].fill.fgColor.rgb == FILL["dose_done"]
    assert {c.value for c in ws[2]} >= {f"W{w}" for w in range(1, 49)}


def test_same_inputs_same_bytes(small: Path) -> None:
    study = load_study(small)
    plan = plan_study(study, today=TODAY)
    a = to_xlsx(study, plan, generated_at=AT)
    b = to_xlsx(study, plan, generated_at=AT)
    assert a == b
    with zipfile.ZipFile(io.BytesIO(a)) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 3, 20, 8, 30, 0)}
        core = z.read("docProps/core.xml").decode()
    assert core.count("2026-03-20T08:30:00Z") == 2  # created and modified
    later = to_xlsx(study, plan, generated_at=datetime(2026, 3, 21, tzinfo=UTC))
    assert later != a


def test_generated_at_needs_a_time_zone(small: Path) -> None:
    study = load_study(small)
    with pytest.raises(ValueError, match="time zone"):
        to_xlsx(study, plan_study(study), generated_at=datetime(2026, 3, 20))


def test_cli_xlsx_writes_the_workbook(tmp_path: Path) -> None:
    out = tmp_path / "plan.xlsx"
    err = io.StringIO()
    code = main(["xlsx", str(example_study_path()), "-o", str(out), "--today", "2026-11-25",
                 "--generated-at", "2026-11-25T08:00:00Z"], stdout=io.StringIO(), stderr=err)
    assert code == 0, err.getvalue()
    first = out.read_bytes()
    assert openpyxl.load_workbook(out).sheetnames == ["Overview", "Visits", "Decisions", "Timeline",
                                                      "Warnings", "cc312-exported"]
    main(["xlsx", str(example_study_path()), "-o", str(out), "--today", "2026-11-25",
          "--generated-at", "2026-11-25T08:00:00Z"], stdout=io.StringIO(), stderr=io.StringIO())
    assert out.read_bytes() == first


def test_cli_xlsx_into_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    err = io.StringIO()
    code = main(["xlsx", str(example_study_path()), "-o", str(tmp_path / "no" / "plan.xlsx")],
                stdout=io.StringIO(), stderr=err)
    assert code == 2 and "the folder does not exist" in err.getvalue()


def test_every_workbook_label_has_both_languages_and_headers_are_unique() -> None:
    from cc312_schedule.core.messages import LANGUAGES, MESSAGES
    from cc312_schedule.reports.xlsx import DECISION_COLUMNS, OVERVIEW_COLUMNS, VISIT_COLUMNS

    keys = [k for k in MESSAGES if k.startswith("xlsx.")]
    assert keys and all(set(MESSAGES[k]) == set(LANGUAGES) for k in keys)
    for columns in (OVERVIEW_COLUMNS, VISIT_COLUMNS, DECISION_COLUMNS):
        for lang in LANGUAGES:
            texts = [MESSAGES[f"xlsx.col.{c.id}"][lang].casefold() for c in columns]
            assert len(set(texts)) == len(texts), (lang, texts)


def test_finding_10_every_decisions_subject_cell_is_formatted_as_text(small: Path) -> None:
    ws = export(small)["Decisions"]
    last_log_row = max(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value is not None)
    # the log, the rows left for decisions due, and the 50 spare rows below them
    formats = {ws.cell(r, 1).number_format for r in range(3, last_log_row + 51)}
    assert formats == {"@"}


def test_finding_1_the_export_records_what_each_entry_cell_held(small: Path) -> None:
    ws = export(small)["cc312-exported"]
    assert (ws.sheet_state, ws.protection.sheet) == ("hidden", True)
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["subject_id", "visit", "exported_actual_date", "exported_status",
                       "exported_note", "exported_entries"]
    # issue 22: a subject's entries packed into one cell, [visit, date, status, note] each
    assert all(r[1:5] == [None] * 4 for r in rows[1:])
    by_visit = {(r[0], e[0]): e[1:] for r in rows[1:] for e in json.loads(r[5])}
    assert by_visit["001", "W1D1"] == ["2026-03-02", "done", ""]
    assert by_visit["001", "W1D4"] == ["2026-03-05", "done", '=HYPERLINK("http://x","y")']
    # nothing recorded: the row is left out (the import reads a row not listed as empty
    # entry cells, tests/test_entries.py round trips), so a large plan's record stays small
    assert ("001", "W2D1") not in by_visit
    assert set(by_visit) == {("001", "W1D1"), ("001", "W1D4"), ("002", "W1D1"), ("002", "W1D4")}
    assert all(c.data_type == "s" for row in ws.iter_rows(min_row=2) for c in row
               if c.value is not None)


def test_the_workbook_is_streamed_in_constant_memory_mode(small: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 6: one code path that streams rows to disk whatever the size (10,000 subjects stay
    within 1 GB); issue 15: XlsxWriter's constant-memory mode, 3x openpyxl's write-only mode."""
    import xlsxwriter

    made: list[Any] = []
    init = xlsxwriter.Workbook.__init__

    def spy(self: Any, *args: Any, **kw: Any) -> None:
        init(self, *args, **kw)
        made.append(self)

    monkeypatch.setattr(xlsxwriter.Workbook, "__init__", spy)
    study = load_study(small)
    to_xlsx(study, plan_study(study, today=TODAY), generated_at=AT)
    assert [wb.constant_memory for wb in made] == [True]


@pytest.mark.parametrize("note", ["#N/A", "#DIV/0!", "=1+1", "-", "plain"])
def test_error_code_and_formula_like_notes_stay_text(make_study: Callable[..., Path], note: str) -> None:
    folder = make_study(subjects=SUBJECTS, visits=f'001,W1D1,2026-03-02,done,"{note}"\n')
    wb = export(folder)
    row = next(r for r in rows(wb["Visits"]) if r["Subject"].value == "001" and r["Visit"].value == "W1D1")
    assert (row["Note"].value, row["Note"].data_type) == (note, "s")
    assert row["Note"].quotePrefix == (note[0] in "=+-@")
    assert row["Note"].fill.fill_type is None  # an entry cell: yellow by the conditional format
    record = {r[0].value: r[5] for r in wb["cc312-exported"].iter_rows(min_row=2)}
    assert json.loads(record["001"].value)[0] == ["W1D1", "2026-03-02", "done", note]
    assert (record["001"].data_type, record["001"].number_format) == ("s", "@")


def test_entry_cells_are_filled_and_other_cells_are_not(small: Path) -> None:
    ws = export(small)["Visits"]
    hdr = [c.value for c in ws[2]]
    entry = {"Actual date", "Actual status", "Note"}
    assert {h for h in hdr if ws.cell(2, hdr.index(h) + 1).fill.fgColor.rgb == "FFFFF9C4"} == entry
    # the data rows' entry cells are yellow by one conditional format over the entry columns
    # (unless the row is overdue: the overdue rule's formula, negated), no cell is filled
    letters = "".join(get_column_letter(hdr.index(h) + 1) for h in sorted(entry, key=hdr.index))
    assert letters == "LMN"  # side by side: one range
    rules = {str(rng.sqref): [(r.formula, r.dxf.fill.bgColor.rgb if r.dxf.fill else None)
                              for r in rs]
             for rng, rs in ws.conditional_formatting._cf_rules.items()}
    assert rules[f"L3:N{ws.max_row}"] == [(['NOT(AND($L3="",$M3="",$H3<TODAY()))'], "FFFFF9C4")]
    for r in range(3, ws.max_row + 1):
        assert all(ws.cell(r, i).fill.fill_type is None for i in range(1, len(hdr) + 1)), r


def test_warnings_wrap_and_empty_cells_are_empty(small: Path) -> None:
    ws = export(small)["Overview"]
    for row in rows(ws):
        assert row["Disease"].value in {"SLE", "IIM"}
        warnings = row["Warnings"]
        if warnings.value and "\n" in warnings.value:
            assert warnings.alignment.wrap_text
    assert not [c for r in ws.iter_rows(min_row=3) for c in r if c.value == ""]


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_every_cell_style_names_the_one_font(lang: str) -> None:
    """Issue 15: a sans-serif font with Latin and CJK glyphs named in every style (no program
    falls back to a serif or shows boxes); the print header and footer name it too."""
    from cc312_schedule.reports.xlsx import FONT

    study = load_study(example_study_path(lang))
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx(study, plan_study(study, today=TODAY),
                                                   generated_at=AT)))
    fonts = {c.font.name for ws in wb for row in ws.iter_rows() for c in row}
    assert fonts == {FONT} == {"Microsoft YaHei"}
    assert {ws.oddFooter.center.font for ws in wb.worksheets[:5]} == {"Microsoft YaHei,Regular"}


# ---- zh-CN review B9, B16, B17 (issue 22) ------------------------------------------------


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "Diseases: SLE (systemic lupus erythematosus); IIM (idiopathic inflammatory myopathy)"),
    ("zh-CN", "疾病：SLE（系统性红斑狼疮）、IIM（特发性炎性肌病）"),
], ids=["en", "zh-CN"])
def test_b9_the_overview_names_its_diseases_below_the_codes(small: Path, lang: str,
                                                            expected: str) -> None:
    """The table keeps the codes (the names would take the page's width); one line below it,
    after an empty row, names the codes its subjects have (SSc: none here), in the protocol's
    order."""
    from cc312_schedule.core.messages import message

    ws = export(small, lang=lang).worksheets[0]
    subject, disease = message(lang, "xlsx.col.subject"), message(lang, "xlsx.col.disease")
    assert {r[subject].value: r[disease].value for r in rows(ws)} == {"001": "SLE", "002": "IIM"}
    below = [[c.value for c in r if c.value is not None] for r in ws.iter_rows(min_row=5)]
    assert below == [[], [expected]]  # rows 5 and 6: empty, then the key


def test_b9_every_disease_code_of_the_protocol_has_a_name() -> None:
    from cc312_schedule.core.messages import LANGUAGES, MESSAGES

    codes = load_study(example_study_path()).protocol.diseases
    assert codes == ("SLE", "IIM", "SSc")
    assert [MESSAGES[f"disease.{c}"]["zh-CN"] for c in codes] == ["系统性红斑狼疮", "特发性炎性肌病",
                                                                  "系统性硬化症"]  # zh-CN-terms.md
    assert all(set(MESSAGES[f"disease.{c}"]) == set(LANGUAGES) for c in codes)


@pytest.mark.parametrize(("lang", "charset"), [("en", None), ("zh-CN", "134")],
                         ids=["en", "zh-CN"])
def test_b16_every_font_is_named_not_the_theme_and_zh_cn_declares_gb2312(
        lang: str, charset: str | None) -> None:
    """Every font of styles.xml is Microsoft YaHei, sans-serif (family 2), never tied to the
    theme (``<scheme val="minor"/>`` makes Excel show the theme's Calibri / 宋体); a zh-CN
    workbook declares the GB2312 character set (134) in each."""
    import re

    study = load_study(example_study_path(lang))
    data = to_xlsx(study, plan_study(study, today=TODAY), generated_at=AT)
    styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").decode()
    fonts = re.findall(r"<font>(.*?)</font>", re.search(r"<fonts[^>]*>(.*?)</fonts>", styles).group(1))
    assert len(fonts) >= 3
    for font in fonts:
        assert '<name val="Microsoft YaHei"/>' in font and '<family val="2"/>' in font, font
        assert "<scheme" not in font, font
        assert re.findall(r'<charset val="(\d+)"/>', font) == ([charset] if charset else []), font


def _validations(data: bytes) -> dict[str, list[dict[str, str]]]:
    """Each sheet's dataValidation elements' attributes, by sheet name."""
    import re
    from xml.etree import ElementTree

    z = zipfile.ZipFile(io.BytesIO(data))
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels}
    out: dict[str, list[dict[str, str]]] = {}
    for sheet in book.find("m:sheets", ns) or []:
        path = "xl/" + target[sheet.get(f"{{{ns['r']}}}id")]
        xml = z.read(path).decode()
        out[sheet.get("name")] = [dict(re.findall(r'(\w+)="([^"]*)"', m))
                                  for m in re.findall(r"<dataValidation ([^>]*)>", xml)]
    return out


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", {("Visits", "list", "M"): ("Actual status", "Choose a value from the drop-down list"),
            ("Decisions", "list", "C"): ("Action", "Choose a value from the drop-down list"),
            ("Decisions", "list", "D"): ("Regimen", "Choose a value from the drop-down list"),
            ("Decisions", "whole", "E"): ("Weeks", "Enter a whole number from 1 to 24")}),
    ("zh-CN", {("访视计划", "list", "M"): ("实际访视状态", "请从下拉列表中选择"),
               ("研究者决策", "list", "C"): ("决策类型", "请从下拉列表中选择"),
               ("研究者决策", "list", "D"): ("给药方案", "请从下拉列表中选择"),
               ("研究者决策", "whole", "E"): ("持续周数", "请输入 1 至 24 之间的整数")}),
], ids=["en", "zh-CN"])
def test_b17_every_list_and_number_check_says_what_to_enter(
        small: Path, lang: str, expected: dict[tuple[str, str, str], tuple[str, str]]) -> None:
    """The list checks (status, action, regimen) and the weeks' whole-number check show an
    error title (the column's header) and text from the catalogue, not the program's generic
    message; every check (the dates' too) stops a wrong entry."""
    from dataclasses import replace

    study = load_study(small)
    study = replace(study, config=replace(study.config, language=lang))
    found = _validations(to_xlsx(study, plan_study(study, today=TODAY), generated_at=AT))
    got = {(sheet, v["type"], v["sqref"][0]): (v.get("errorTitle"), v.get("error"))
           for sheet, vs in found.items() for v in vs if v["type"] != "date"}
    assert got == expected
    every = [v for vs in found.values() for v in vs]
    assert len(every) == 7  # and 3 date checks, which had their texts already
    assert all(v["showErrorMessage"] == "1" and v["errorTitle"] and v["error"] for v in every)


# Issue 22 §5: the default style is top-aligned, so a table cell that needs nothing more is
# written without a style of its own (no ``s`` attribute), and still shows at the top of its
# (often taller) row; the Timeline's subject cells stay at the foot of theirs, as its
# upright visit names do. (header, the ``s`` attribute written?, vertical alignment shown)
@pytest.mark.parametrize(("sheet", "header", "styled", "vertical"), [
    ("Visits", "Visit", False, "top"),
    ("Visits", "Study day", False, "top"),
    ("Visits", "Weekday", False, "top"),
    ("Visits", "Subject", True, "top"),           # text format, so a re-typed 001 stays 001
    ("Visits", "Planned date", True, "top"),      # a date format
    ("Visits", "Procedures", True, "top"),        # wraps
    ("Overview", "Cohort", False, "top"),
    ("Timeline", "Subject", True, "bottom"),
    ("Timeline", "Regimen", True, "bottom"),
])
def test_cells_at_the_top_with_or_without_a_style_of_their_own(
        small: Path, sheet: str, header: str, styled: bool, vertical: str) -> None:
    study = load_study(small)
    data = to_xlsx(study, plan_study(study, today=TODAY), generated_at=AT)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[sheet]
    col = [c.value for c in ws[2]].index(header) + 1
    cell = ws.cell(3, col)
    assert cell.value not in (None, "")
    assert (cell.alignment.vertical or "bottom") == vertical
    index = wb.sheetnames.index(sheet) + 1
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read(f"xl/worksheets/sheet{index}.xml").decode()
    ref = f"{get_column_letter(col)}3"
    start = xml.index(f'<c r="{ref}"')
    assert (' s="' in xml[start:xml.index(">", start)]) is styled
