"""Entries back in: workbook round trips, conflicts and amendments, invalid cells, the
coordinator's edits (extra sheets, deleted rows, re-ordered columns, merged cells, wrong types),
record/decide, the lock and atomic writes."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cc312_schedule import InvalidStudyError, load_study, plan_study
from cc312_schedule.cli import main
from cc312_schedule.core.errors import UsageError
from cc312_schedule.entries.writes import (
    StudyLockedError,
    decide,
    import_workbook,
    load_entries,
    record,
    study_lock,
)
from cc312_schedule.reports.xlsx import to_xlsx
from cc312_schedule.store.audit import read_audit, verify_audit

AT = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
TODAY = date(2026, 3, 30)

# 001 and 002 first dosed Monday 2026-03-02; 002 stopped on 2026-03-10.
# Targets (window): W2D1 03-09 (03-09…03-10), W2D4 03-12 (03-12…03-13), W3D1 03-16, D28 03-29 (03-27…04-01).
SUBJECTS = ("001,1,DL1,2026-03-02,SLE,2026-02-01,1980-01-01,F\n"
            "002,1,DL1,2026-03-02,IIM,2026-02-01,1975-05-05,M\n")
VISITS = ("001,W1D1,2026-03-02,done,\n"
          "001,W1D4,2026-03-05,done,\n"
          "002,W1D1,2026-03-02,done,\n")
DECISIONS = "002,2026-03-10,stop,,,,Dr. B,Infusion reaction\n"


@pytest.fixture
def study(make_study: Callable[..., Path]) -> Path:
    return make_study(study='name = "Entry test"\n', subjects=SUBJECTS, visits=VISITS,
                      decisions=DECISIONS)


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def export(folder: Path, *, lang: str | None = None, today: date = TODAY) -> Path:
    s = load_study(folder)
    if lang:
        s = replace(s, config=replace(s.config, language=lang))
    path = folder.parent / "plan.xlsx"
    path.write_bytes(to_xlsx(s, plan_study(s, today=today), generated_at=AT))
    return path


def put(cell: Any, value: object) -> None:
    """Type a value as a coordinator would: text that looks like a formula stays text."""
    cell.value = value
    if isinstance(value, str) and value[:1] in "=+-@":
        cell.data_type = "s"


def header_map(ws: Any, row: int = 2) -> dict[str, int]:
    return {c.value: c.column for c in ws[row] if c.value is not None}


def visit_row(ws: Any, subject: str, visit: str) -> int:
    cols = header_map(ws)
    sc, vc = cols.get("Subject", cols.get("受试者")), cols.get("Visit", cols.get("访视"))
    for r in range(3, ws.max_row + 1):
        if ws.cell(r, sc).value == subject and ws.cell(r, vc).value == visit:
            return r
    raise KeyError((subject, visit))


def fill(path: Path, visits: dict[tuple[str, str], dict[str, object]] | None = None,
         decisions: list[dict[str, object]] | None = None, *, sheets: tuple[int, int] = (1, 2),
         edit: Callable[[openpyxl.Workbook], None] | None = None) -> dict[str, int]:
    """Type entries into the workbook (by header text); return each entry's row number."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[sheets[0]]
    rows: dict[str, int] = {}
    cols = header_map(ws)
    for (sid, visit), values in (visits or {}).items():
        r = visit_row(ws, sid, visit)
        rows[f"{sid} {visit}"] = r
        for header, value in values.items():
            put(ws.cell(r, cols[header]), value)
    wd = wb.worksheets[sheets[1]]
    dcols = header_map(wd)
    for i, values in enumerate(decisions or ()):
        sid = next(iter(values.values()))  # the subject comes first
        r = next((r for r in range(3, wd.max_row + 1) if wd.cell(r, 1).value == sid
                  and wd.cell(r, 2).value is None), wd.max_row + 1)
        rows[f"decision {i}"] = r
        for header, value in values.items():
            put(wd.cell(r, dcols[header]), value)
    if edit is not None:
        edit(wb)
    wb.save(path)
    return rows


def snapshot(folder: Path) -> dict[str, bytes]:
    return {n: (folder / n).read_bytes() for n in ("visits.csv", "decisions.csv")}


# --------------------------------------------------------------------------------------
# the round trip


ENTRIES = {
    ("001", "W2D1"): {"Actual date": date(2026, 3, 9)},
    ("001", "W2D4"): {"Actual date": date(2026, 3, 14), "Note": "came a day late"},  # outside 03-12…03-13
    ("001", "W3D1"): {"Actual status": "missed", "Note": '=HYPERLINK("http://x","y")'},
}


def test_round_trip_dry_run_apply_plan_and_reexport(study: Path) -> None:
    path = export(study)
    rows = fill(path, ENTRIES)
    before = snapshot(study)

    code, out, err = run("import", str(study), str(path), "--today", "2026-03-30")
    assert code == 0, err
    assert out == (
        "subject 001\n"
        f"  + W2D1 done 2026-03-09  (Visits!M{rows['001 W2D1']})\n"
        f"  + W2D4 done 2026-03-14 “came a day late”  (Visits!M{rows['001 W2D4']})\n"
        f"  + W3D1 missed “=HYPERLINK(\"http://x\",\"y\")”  (Visits!M{rows['001 W3D1']})\n"
        "warning: 001 W2D4: done on 2026-03-14, outside its window 2026-03-12…2026-03-13 "
        "(target 2026-03-12): protocol deviation [WindowDeviationWarning]\n"
        "3 change(s) would apply, 0 conflict(s) not applied, 1 entry already recorded, nothing to write\n"
        "dry run: nothing written (add --apply to write)\n")
    assert snapshot(study) == before

    code, out, _ = run("import", str(study), str(path), "--today", "2026-03-30", "--apply")
    assert code == 0 and "3 change(s) applied" in out
    assert (study / "visits.csv").read_text().splitlines()[-3:] == [
        "001,W2D1,2026-03-09,done,",
        "001,W2D4,2026-03-14,done,came a day late",
        '001,W3D1,,missed,"=HYPERLINK(""http://x"",""y"")"',
    ]
    assert (study / "visits.csv").read_bytes().startswith(before["visits.csv"])  # rows kept as they were

    plan = plan_study(load_study(study), today=TODAY).subject("001")
    assert (plan.event("W2D1").status.value, plan.event("W2D1").actual_date) == ("done", date(2026, 3, 9))
    assert plan.event("W2D4").deviation
    assert plan.event("W3D1").status.value == "missed"

    # a second import of the same workbook changes nothing
    after = snapshot(study)
    code, out, _ = run("import", str(study), str(path), "--today", "2026-03-30", "--apply")
    assert (code, out) == (0, "nothing to change (4 entries already recorded)\n")  # 3 typed visits, 1 decision
    assert snapshot(study) == after

    # a re-export shows the entries
    wb = openpyxl.load_workbook(export(study))
    ws = wb["Visits"]
    cols = header_map(ws)
    r = visit_row(ws, "001", "W3D1")
    assert ws.cell(r, cols["Actual status"]).value == "missed"
    assert ws.cell(r, cols["Note"]).value == '=HYPERLINK("http://x","y")'
    assert ws.cell(r, cols["Note"]).data_type == "s"
    assert ws.cell(visit_row(ws, "001", "W2D1"), cols["Actual date"]).value == datetime(2026, 3, 9)


def test_decision_round_trip(study: Path) -> None:
    path = export(study)
    rows = fill(path, decisions=[{"Subject": "001", "Decided on": date(2026, 3, 29),
                                  "Action": "continue", "Regimen": "QW", "Weeks": 8,
                                  "Investigator": "+Dr. A", "Rationale": "@SUM(1)"}])
    wb = openpyxl.load_workbook(path)
    # the due row was used; D28's target 03-29 is a Sunday: the site plans it Monday 03-30
    assert wb["Decisions"].cell(rows["decision 0"], 9).value == datetime(2026, 3, 30)
    result = import_workbook(study, path, today=TODAY, apply=True)
    assert result.changes == 1 and result.applied
    assert (study / "decisions.csv").read_text().splitlines()[-1] == \
        "001,2026-03-29,continue,QW,8,,+Dr. A,@SUM(1)"
    plan = plan_study(load_study(study), today=TODAY).subject("001")
    assert (plan.event("W5D1").regimen, plan.event("W5D1").target_date) == ("QW", date(2026, 3, 30))
    assert plan.event("W12D1").target_date == date(2026, 5, 18)
    with pytest.raises(KeyError):
        plan.event("W13D1")  # 8 weeks: weeks 5-12
    again = import_workbook(study, path, today=TODAY, apply=True)
    assert (again.changes, again.unchanged, again.applied) == (0, 2, False)  # 2 decisions (the visits are as exported)


def test_zh_cn_workbook_round_trip(study: Path) -> None:
    path = export(study, lang="zh-CN")
    assert openpyxl.load_workbook(path).sheetnames == ["总览", "访视计划", "研究者决策", "时间轴", "警告",
                                                       "cc312-exported"]
    fill(path, {("001", "W2D1"): {"实际访视日期": date(2026, 3, 9)},
                ("001", "W3D1"): {"实际访视状态": "漏访", "备注": "外出"}},
         decisions=[{"受试者": "001", "决策日期": date(2026, 3, 29), "决策类型": "继续治疗", "给药方案": "QW",
                     "研究者": "王医生"}])
    result = import_workbook(study, path, today=TODAY)
    assert [(v.visit, v.status.value, v.actual_date) for v in result.added_visits] == [
        ("W2D1", "done", date(2026, 3, 9)), ("W3D1", "missed", None)]
    assert [(d.action.value, d.regimen, d.investigator) for d in result.added_decisions] == [
        ("continue", "QW", "王医生")]


def test_a_zh_cn_workbook_with_the_old_terms_still_imports(study: Path) -> None:
    """Workbooks handed out before the zh-CN glossary review (实际日期, 决策 继续 …) import."""
    path = export(study, lang="zh-CN")

    def old_headers(wb: openpyxl.Workbook) -> None:
        for ws in wb.worksheets[1:3]:
            for cell in ws[2]:
                old = {"实际访视日期": "实际日期", "决策类型": "决策", "持续周数": "周数",
                       "截止日期": "截至日期", "理论访视日期": "目标日期"}.get(cell.value)
                if old:
                    cell.value = old

    fill(path, edit=old_headers)
    fill(path, {("001", "W2D1"): {"实际日期": date(2026, 3, 9)}},
         decisions=[{"受试者": "001", "决策日期": date(2026, 3, 29), "决策": "继续", "给药方案": "QW",
                     "周数": 8, "研究者": "王医生"}])
    result = import_workbook(study, path, today=TODAY)
    assert [(v.visit, v.status.value, v.actual_date) for v in result.added_visits] == [
        ("W2D1", "done", date(2026, 3, 9))]
    assert [(d.action.value, d.regimen, d.weeks) for d in result.added_decisions] == [
        ("continue", "QW", 8)]


# --------------------------------------------------------------------------------------
# conflicts and amendments


def test_contradicting_entry_is_a_conflict_not_applied(study: Path) -> None:
    path = export(study)
    rows = fill(path, {("001", "W1D4"): {"Actual date": date(2026, 3, 6)},
                       ("001", "W2D1"): {"Actual date": date(2026, 3, 9)}})
    code, out, _ = run("import", str(study), str(path), "--today", "2026-03-30", "--apply")
    assert code == 1  # applied what it could; a conflict remains
    assert ("  ! conflict: W1D4 is recorded as done 2026-03-05 (visits.csv:3); the entry "
            "says done 2026-03-06: not applied (correct the entry, or amend with a reason: "
            f"--amend REASON)  (Visits!M{rows['001 W1D4']})") in out
    text = (study / "visits.csv").read_text()
    assert "001,W1D4,2026-03-05,done,\n" in text and "2026-03-06" not in text
    assert "001,W2D1,2026-03-09,done,\n" in text


def test_amend_keeps_the_old_value_in_the_audit_columns(study: Path) -> None:
    path = export(study)
    fill(path, {("001", "W1D4"): {"Actual date": date(2026, 3, 6), "Note": "date corrected"}})
    code, out, _ = run("import", str(study), str(path), "--today", "2026-03-30", "--apply",
                       "--amend", "transcription error, source document p.3")
    assert code == 0
    assert "~ W1D4: done 2026-03-05 -> done 2026-03-06 “date corrected”  (amended: transcription " \
        "error, source document p.3;" in out
    lines = (study / "visits.csv").read_text().splitlines()
    assert lines[0] == "subject_id,visit,actual_date,status,note,amended_from,amended_on,amendment_note"
    assert lines[1] == "001,W1D1,2026-03-02,done,,,,"  # other rows: only empty audit cells added
    assert lines[2] == ("001,W1D4,2026-03-06,done,date corrected,status=done; actual_date=2026-03-05,"
                        '2026-03-30,"transcription error, source document p.3"')
    assert load_study(study).visits[1].actual_date == date(2026, 3, 6)
    # the same import again: nothing left to amend
    assert import_workbook(study, path, today=TODAY, apply=True, amend="again").changes == 0


def test_a_cleared_entry_never_deletes_a_recorded_row(study: Path) -> None:
    path = export(study)
    fill(path, {("001", "W1D4"): {"Actual date": None, "Actual status": None}})
    before = snapshot(study)
    result = import_workbook(study, path, today=TODAY, apply=True)
    assert (result.changes, result.conflicts) == (0, ())
    assert snapshot(study) == before


def test_a_different_decision_on_a_recorded_day_is_a_conflict(study: Path) -> None:
    path = export(study)

    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb["Decisions"]
        put(ws.cell(3, 8), "Infusion reaction grade 3")  # the logged stop's rationale retyped

    fill(path, edit=edit)
    result = import_workbook(study, path, today=TODAY, apply=True)
    assert result.changes == 0
    assert [c.where for c in result.conflicts] == ["Decisions!B3"]
    assert "recorded decisions are never rewritten" in result.conflicts[0].message


# --------------------------------------------------------------------------------------
# invalid entries: every one names its cell, and nothing is written

INVALID_VISITS = [
    # (entry typed on 001 W2D1, column whose cell is named, expected message)
    ({"Actual date": date(2024, 1, 2)}, "Actual date",
     "outside the study (2025-09-30 … 2027-09-29): '2024-01-02' (check the year and month)"),
    ({"Actual date": date(2026, 3, 31)}, "Actual date",
     "in the future (today is 2026-03-30): '2026-03-31'"),
    ({"Actual date": "09/03/2026"}, "Actual date",
     "ambiguous date '09/03/2026': write it as YYYY-MM-DD (2026-03-09 or 2026-09-03, whichever is meant)"),
    ({"Actual date": 46090}, "Actual date", "not a date: 46090"),  # a serial: which date?
    ({"Actual date": datetime(2026, 3, 9, 14, 30)}, "Actual date", "a date with a time of day"),
    ({"Actual status": "missed", "Actual date": date(2026, 3, 9)}, "Actual date",
     "a missed visit has no actual date: '2026-03-09'"),
    ({"Actual status": "done"}, "Actual date", "a done visit needs its actual date"),
    ({"Actual status": "gone"}, "Actual status", "not one of the choices: 'gone' (choose from the list: done / missed (已完成、漏访))"),
    ({"Note": "only a note"}, "Actual status", "a note on a visit with nothing recorded"),
    ({"Subject": "009", "Actual date": date(2026, 3, 9)}, "Subject", "unknown subject: '009'"),
    ({"Subject": 1, "Actual date": date(2026, 3, 9)}, "Subject",
     "a subject id typed as a number (leading zeros are lost): 1"),
    ({"Visit": "W0D1", "Actual date": date(2026, 3, 9)}, "Visit", "unknown visit: 'W0D1'"),
    ({"Visit": 28, "Actual date": date(2026, 3, 9)}, "Visit",
     "a visit typed as a number: 28 (type the visit as the plan names it, e.g. W1D1, D28 or EOT)"),
]


@pytest.mark.parametrize(("entry", "column", "expected"), INVALID_VISITS,
                         ids=["before-study", "future", "ambiguous", "serial", "time-of-day",
                              "missed-with-date", "done-without-date", "bad-status", "note-only",
                              "unknown-subject", "numeric-subject", "unknown-visit",
                              "numeric-visit"])
def test_invalid_visit_entry_names_its_cell(study: Path, entry: dict[str, object], column: str,
                                            expected: str) -> None:
    path = export(study)
    rows = fill(path, {("001", "W2D1"): entry, ("001", "W2D4"): {"Actual date": date(2026, 3, 12)}})
    col = openpyxl.utils.get_column_letter(header_map(openpyxl.load_workbook(path)["Visits"])[column])
    before = snapshot(study)
    code, _, err = run("import", str(study), str(path), "--today", "2026-03-30", "--apply")
    assert code == 2
    assert f"error: {path}: Visits!{col}{rows['001 W2D1']}: {expected}" in err
    assert "nothing written" in err
    assert snapshot(study) == before  # the valid W2D4 entry was not written either


INVALID_DECISIONS = [
    ({"Subject": "001", "Decided on": date(2026, 3, 29), "Action": "continue", "Regimen": "QX",
      "Investigator": "Dr. A"}, "D", "not a regimen of the protocol: 'QX' (use one of BIW, QW, Q2W, Q4W)"),
    ({"Subject": "001", "Decided on": date(2026, 3, 20), "Action": "continue", "Regimen": "QW",
      "Investigator": "Dr. A"}, "B",
     "a regimen chosen before study day 28 (2026-03-29): the decision to continue is taken after Day 28: '2026-03-20'"),
    ({"Subject": "002", "Decided on": date(2026, 3, 29), "Action": "resume", "Investigator": "Dr. B"},
     "C", "the subject was stopped on 2026-03-10"),
    ({"Subject": "001", "Decided on": date(2026, 3, 29), "Action": "continue", "Regimen": "QW"},
     "G", "missing investigator"),
    ({"Subject": "001", "Decided on": date(2026, 3, 29), "Action": "continue", "Regimen": "QW",
      "Weeks": "eight", "Investigator": "Dr. A"}, "E", "must be a whole number of weeks >= 1: 'eight'"),
    ({"Subject": "001", "Decided on": date(2026, 3, 29), "Action": "stop", "Regimen": "QW",
      "Investigator": "Dr. A"}, "D", "a stop decision takes no regimen: 'QW'"),
    ({"Subject": "001", "Decided on": date(2026, 3, 29), "Action": "pause", "Investigator": "Dr. A"},
     "C", "not one of the choices: 'pause'"),
    ({"Subject": "001", "Action": "stop", "Investigator": "Dr. A"}, "B", "a decision needs its date"),
]


@pytest.mark.parametrize(("entry", "col", "expected"), INVALID_DECISIONS,
                         ids=["unknown-regimen", "before-day-28-window", "after-stop",
                              "no-investigator", "weeks-not-a-number", "stop-with-regimen",
                              "unknown-action", "no-date"])
def test_invalid_decision_entry_names_its_cell(study: Path, entry: dict[str, object], col: str,
                                               expected: str) -> None:
    path = export(study)
    rows = fill(path, decisions=[entry])
    before = snapshot(study)
    with pytest.raises(InvalidStudyError) as info:
        import_workbook(study, path, today=TODAY, apply=True)
    messages = [str(e) for e in info.value.errors]
    assert any(m.startswith(f"{path}: Decisions!{col}{rows['decision 0']}: ") and expected in m
               for m in messages), messages
    assert snapshot(study) == before


def test_every_bad_cell_is_reported_at_once(study: Path) -> None:
    path = export(study)
    fill(path, {("001", "W2D1"): {"Actual date": "yesterday"},
                ("001", "W2D4"): {"Actual status": "gone"},
                ("001", "W3D1"): {"Actual date": date(2027, 1, 1)}})
    with pytest.raises(InvalidStudyError) as info:
        import_workbook(study, path, today=TODAY)
    assert len(info.value.errors) == 3


# --------------------------------------------------------------------------------------
# the coordinator's copy


def _extra_sheets(wb: openpyxl.Workbook) -> None:
    notes = wb.create_sheet("My notes", 0)
    notes["A1"], notes["B1"] = "Subject", "Visit"  # a sheet that looks a little like ours
    notes["A2"], notes["B2"] = "001", "call the family"
    wb.copy_worksheet(wb["Overview"]).title = "Overview (2)"


def _delete_rows(wb: openpyxl.Workbook) -> None:
    ws = wb["Visits"]
    ws.delete_rows(visit_row(ws, "001", "W1D1"), 2)  # drop recorded rows: still never deleted


def _reorder_columns(wb: openpyxl.Workbook) -> None:
    ws = wb["Visits"]
    grid = [[c.value for c in row] for row in ws.iter_rows()]
    ws.delete_rows(1, ws.max_row)
    for r, row in enumerate(grid, start=1):
        for c, value in enumerate(reversed(row), start=1):
            put(ws.cell(r, c), value)
    ws.insert_rows(1)  # and the header row one further down
    ws.title = "Site visits"


def _merge_subject_cells(wb: openpyxl.Workbook) -> None:
    ws = wb["Visits"]
    r = visit_row(ws, "001", "W2D4")
    assert ws.cell(r + 1, 2).value == "W3D1" and ws.cell(r + 1, 1).value == "001"
    ws.merge_cells(start_row=r, start_column=1, end_row=r + 1, end_column=1)  # one Subject cell
    assert ws.cell(r + 1, 1).value is None
    put(ws.cell(r + 1, header_map(ws)["Actual date"]), date(2026, 3, 16))  # typed on the lower row


def _text_dates(wb: openpyxl.Workbook) -> None:
    ws = wb["Visits"]
    cols = header_map(ws)
    put(ws.cell(visit_row(ws, "001", "W2D4"), cols["Actual date"]), " 2026-03-12 ")


@pytest.mark.parametrize("edit", [_extra_sheets, _delete_rows, _reorder_columns,
                                  _merge_subject_cells, _text_dates],
                         ids=["extra-sheets", "deleted-rows", "reordered-columns", "merged-cells",
                              "iso-text-date"])
def test_the_coordinators_edits_are_tolerated(study: Path, edit: Callable[[openpyxl.Workbook], None]) -> None:
    path = export(study)
    fill(path, {("001", "W2D1"): {"Actual date": date(2026, 3, 9)},
                ("001", "W2D4"): {"Actual date": date(2026, 3, 12)}}, edit=edit)
    result = import_workbook(study, path, today=TODAY, apply=True)
    expected = [("001", "W2D1", date(2026, 3, 9)), ("001", "W2D4", date(2026, 3, 12))]
    if edit is _merge_subject_cells:
        expected.append(("001", "W3D1", date(2026, 3, 16)))
    assert [(v.subject_id, v.visit, v.actual_date) for v in result.added_visits] == expected
    assert result.conflicts == ()
    assert len(load_study(study).visits) == 3 + len(expected)


def test_a_workbook_without_our_sheets_is_refused(tmp_path: Path, study: Path) -> None:
    path = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "hello"
    wb.save(path)
    with pytest.raises(UsageError, match="no Visits or Decisions sheet"):
        load_entries(path)
    code, _, err = run("import", str(study), str(tmp_path / "missing.xlsx"), "--today", "2026-03-30")
    assert code == 2 and "cannot read the workbook" in err


# --------------------------------------------------------------------------------------
# record and decide


def test_record_done_missed_and_amend(study: Path) -> None:
    code, out, _ = run("record", str(study), "001", "W2D1", "--done", "2026-03-09", "--today", "2026-03-30")
    assert (code, out.splitlines()[1]) == (0, "  + W2D1 done 2026-03-09  (--done)")
    code, _, _ = run("record", str(study), "001", "W2D4", "--missed", "--note=-ill", "--today", "2026-03-30")
    assert code == 0
    assert (study / "visits.csv").read_text().splitlines()[-2:] == [
        "001,W2D1,2026-03-09,done,", "001,W2D4,,missed,-ill"]
    # the same again is a no-op; a different date is refused without --amend
    assert run("record", str(study), "001", "W2D1", "--done", "2026-03-09", "--today", "2026-03-30")[0] == 0
    code, _, err = run("record", str(study), "001", "W2D1", "--done", "2026-03-10", "--today", "2026-03-30")
    assert code == 2 and "W2D1 is recorded as done 2026-03-09" in err
    code, _, _ = run("record", str(study), "001", "W2D1", "--done", "2026-03-10", "--today", "2026-03-30",
                     "--amend", "wrong day typed")
    assert code == 0
    assert "001,W2D1,2026-03-10,done,,status=done; actual_date=2026-03-09,2026-03-30,wrong day typed" in \
        (study / "visits.csv").read_text()


@pytest.mark.parametrize(("args", "expected"), [
    (["009", "W2D1", "--done", "2026-03-09"], "error: SUBJECT: unknown subject: '009'"),
    (["001", "V7", "--done", "2026-03-09"], "error: VISIT: unknown visit: 'V7'"),
    (["001", "W2D1", "--done", "2026-04-09"], "error: --done: in the future (today is 2026-03-30)"),
    (["001", "W2D1", "--done", "09/03/2026"], "ambiguous date '09/03/2026'"),
    (["001", "W2D1"], "one of the arguments --done --missed is required"),
], ids=["unknown-subject", "unknown-visit", "future", "ambiguous", "neither"])
def test_record_errors(study: Path, args: list[str], expected: str) -> None:
    before = snapshot(study)
    code, _, err = run("record", str(study), *args, "--today", "2026-03-30")
    assert code == 2 and expected in err
    assert snapshot(study) == before


def test_decide(study: Path) -> None:
    code, out, err = run("decide", str(study), "001", "continue", "--on", "2026-03-29", "--regimen", "Q2W",
                         "--until", "2026-06-30", "--investigator", "Dr. A", "--rationale",
                         "=depleted, step down", "--today", "2026-03-30")
    assert code == 0, err
    assert "+ decision: continue Q2W until 2026-06-30 on 2026-03-29 by Dr. A  (--on)" in out
    assert (study / "decisions.csv").read_text().splitlines()[-1] == \
        '001,2026-03-29,continue,Q2W,,2026-06-30,Dr. A,"=depleted, step down"'
    # a hold dated before that continue would turn it into a continue during a hold: refused
    code, _, err = run("decide", str(study), "001", "hold", "--on", "2026-03-20", "--investigator", "Dr. A",
                       "--rationale", "x", "--today", "2026-03-30")
    assert code == 2 and "on hold since 2026-03-20 (<command line>): 'continue'" in err
    code, _, err = run("decide", str(study), "001", "hold", "--on", "2026-03-30", "--investigator", "Dr. A",
                       "--rationale", "x", "--today", "2026-03-30")
    assert code == 0, err
    code, _, err = run("decide", str(study), "002", "continue", "--on", "2026-03-29", "--regimen", "QW",
                       "--investigator", "Dr. B", "--rationale", "x", "--today", "2026-03-30")
    assert code == 2 and "ACTION: the subject was stopped on 2026-03-10" in err


def test_decide_library_refuses_an_unknown_action(study: Path) -> None:
    with pytest.raises(UsageError, match="unknown action"):
        decide(study, "001", on=TODAY, action="pause", today=TODAY, investigator="Dr. A")


# --------------------------------------------------------------------------------------
# one writer at a time; atomic writes


def test_concurrent_writers_lose_nothing(study: Path) -> None:
    visits = {"W2D1": date(2026, 3, 9), "W2D4": date(2026, 3, 12), "W3D1": date(2026, 3, 16),
              "W3D4": date(2026, 3, 19), "W4D1": date(2026, 3, 23), "W4D4": date(2026, 3, 26)}
    path = export(study)
    fill(path, {("001", "D28"): {"Actual date": date(2026, 3, 29)}},
         decisions=[{"Subject": "001", "Decided on": date(2026, 3, 29), "Action": "continue",
                     "Regimen": "QW", "Investigator": "Dr. A"}])
    errors: list[BaseException] = []
    start = threading.Barrier(len(visits) + 1)

    def work(fn: Callable[[], object]) -> None:
        try:
            start.wait()
            fn()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(lambda v=v, d=d: record(
        study, "001", v, done=d, today=TODAY, lock_timeout=30),)) for v, d in visits.items()]
    threads.append(threading.Thread(target=work, args=(lambda: import_workbook(
        study, path, today=TODAY, apply=True, lock_timeout=30),)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    s = load_study(study)
    assert {v.visit for v in s.visits_of("001")} == {"W1D1", "W1D4", "D28", *visits}
    assert [d.regimen for d in s.decisions_of("001")] == ["QW"]


@pytest.mark.slow
def test_concurrent_processes_lose_nothing(study: Path) -> None:
    cmds = [[sys.executable, "-m", "cc312_schedule", "record", str(study), "001", v, "--done", d,
             "--today", "2026-03-30"]
            for v, d in (("W2D1", "2026-03-09"), ("W2D4", "2026-03-12"), ("W3D1", "2026-03-16"),
                         ("W3D4", "2026-03-19"))]
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for c in cmds]
    results = [(*p.communicate(timeout=120), p.returncode) for p in procs]
    assert [r[2] for r in results] == [0, 0, 0, 0], results
    assert {v.visit for v in load_study(study).visits_of("001")} == {
        "W1D1", "W1D4", "W2D1", "W2D4", "W3D1", "W3D4"}


def test_a_held_lock_gives_a_clear_message(study: Path) -> None:
    with study_lock(study), pytest.raises(StudyLockedError) as info:
        record(study, "001", "W2D1", done=date(2026, 3, 9), today=TODAY, lock_timeout=0.2)
    text = str(info.value)
    assert text.startswith(f"{study / '.cc312-schedule.lock'}: the study is being written by pid ")
    assert "wait for the other import/record/decide to finish, then run the command again" in text
    record(study, "001", "W2D1", done=date(2026, 3, 9), today=TODAY)  # released: it works now


def test_an_interrupted_write_leaves_both_files_as_they_were(study: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from cc312_schedule.core.fileio import StagedFiles

    path = export(study)
    fill(path, {("001", "D28"): {"Actual date": date(2026, 3, 29)}},
         decisions=[{"Subject": "001", "Decided on": date(2026, 3, 29), "Action": "continue",
                     "Regimen": "QW", "Investigator": "Dr. A"}])
    before = snapshot(study)
    real = StagedFiles.stage
    calls: list[str] = []

    def flaky(self: StagedFiles, target: Any, pieces: Any) -> None:
        calls.append(Path(target).name)
        if Path(target).name == "visits.csv" and calls.count("visits.csv") == 1:
            raise KeyboardInterrupt  # the second file's write is interrupted
        real(self, target, pieces)

    monkeypatch.setattr(StagedFiles, "stage", flaky)
    with pytest.raises(KeyboardInterrupt):
        import_workbook(study, path, today=TODAY, apply=True)
    assert [c for c in calls if c != ".cc312-audit-head"][:2] == ["decisions.csv", "visits.csv"]
    assert snapshot(study) == before  # decisions.csv was staged, never renamed
    assert read_audit(study) == () and verify_audit(study) == []  # its audit entries taken back
    assert not [p.name for p in study.iterdir() if p.name.endswith(".tmp")]
    monkeypatch.setattr(StagedFiles, "stage", real)
    assert import_workbook(study, path, today=TODAY, apply=True).changes == 2  # a re-run completes


def test_files_keep_their_bom_and_line_endings(make_study: Callable[..., Path]) -> None:
    folder = make_study(subjects=SUBJECTS)
    (folder / "visits.csv").write_bytes(
        b"\xef\xbb\xbfsubject_id,visit,actual_date,status,note\r\n001,W1D1,2026-03-02,done,\r\n")
    record(folder, "001", "W1D4", done=date(2026, 3, 5), today=TODAY)
    assert (folder / "visits.csv").read_bytes() == (
        b"\xef\xbb\xbfsubject_id,visit,actual_date,status,note\r\n001,W1D1,2026-03-02,done,\r\n"
        b"001,W1D4,2026-03-05,done,\r\n")


def test_first_decision_creates_decisions_csv(make_study: Callable[..., Path]) -> None:
    folder = make_study(subjects=SUBJECTS)
    decide(folder, "001", on=date(2026, 3, 12), action="hold", today=TODAY, investigator="Dr. A",
           rationale="fever")
    assert (folder / "decisions.csv").read_text() == (
        "subject_id,decided_on,action,regimen,weeks,until,investigator,rationale\n"
        "001,2026-03-12,hold,,,,Dr. A,fever\n")


# --------------------------------------------------------------------------------------
# review findings on the round trip (one test, or table, per finding)

EXAMPLE_TODAY = ("--today", "2026-11-25")


def _drop_export_record(wb: openpyxl.Workbook) -> None:
    del wb["cc312-exported"]  # an older export, or the coordinator deleted the hidden sheet


# 006: W4D1 done 2026-11-16 (window …11-17), W4D4 done 2026-11-19 (window …11-20)
STALE_AMEND = [
    # (workbook edit, exit code, 006 W4D4 row after, 006 W4D1 row after, conflicts)
    (None, 0,
     "006,W4D4,2026-11-20,done,,status=done; actual_date=2026-11-19,2026-11-25,chart says 20th",
     "006,W4D1,2026-11-17,done,,status=done; actual_date=2026-11-16,2026-11-25,keyed wrong",
     0),
    (_drop_export_record, 1,  # cannot tell a stale cell from a typed one: conflicts, no amendment
     "006,W4D4,2026-11-20,done,,status=done; actual_date=2026-11-19,2026-11-25,chart says 20th",
     "006,W4D1,2026-11-16,done,,,,",
     2),
]


@pytest.mark.parametrize(("edit", "code", "w4d4", "w4d1", "conflicts"), STALE_AMEND,
                         ids=["with-export-record", "export-record-deleted"])
def test_finding_1_a_stale_workbook_never_reverts_a_newer_correction(
        example_copy: Path, edit: Callable[[openpyxl.Workbook], None] | None, code: int,
        w4d4: str, w4d1: str, conflicts: int) -> None:
    path = export(example_copy, today=date(2026, 11, 25))
    assert run("record", str(example_copy), "006", "W4D4", "--done", "2026-11-20",
               "--amend", "chart says 20th", *EXAMPLE_TODAY)[0] == 0
    # the stale copy, untouched: nothing to do
    if edit is None:
        assert import_workbook(example_copy, path, today=date(2026, 11, 25), amend="x").changes == 0
    fill(path, {("006", "W4D1"): {"Actual date": date(2026, 11, 17)}}, edit=edit)
    got, out, _ = run("import", str(example_copy), str(path), "--amend", "keyed wrong", "--apply",
                      *EXAMPLE_TODAY)
    assert got == code, out
    lines = (example_copy / "visits.csv").read_text().splitlines()
    assert [line for line in lines if line.startswith("006,W4D4,")] == [w4d4]
    assert [line for line in lines if line.startswith("006,W4D1,")] == [w4d1]
    assert out.count("! conflict") == conflicts
    if conflicts:
        assert "has no record of what it was exported with" in out


OPTIONAL_COLUMNS = [
    # (file, its text, command after STUDY, the file afterwards)
    ("visits.csv", "subject_id,visit,actual_date,status\n001,W1D1,2026-03-02,done\n",
     ["record", "001", "W1D4", "--done", "2026-03-05", "--note", "late bus"],
     "subject_id,visit,actual_date,status,note\n001,W1D1,2026-03-02,done,\n"
     "001,W1D4,2026-03-05,done,late bus\n"),
    ("visits.csv", "subject_id,visit,status,note\r\n001,W1D1,missed,\r\n",
     ["record", "001", "W1D4", "--done", "2026-03-05"],
     "subject_id,visit,status,note,actual_date\r\n001,W1D1,missed,,\r\n"
     "001,W1D4,done,,2026-03-05\r\n"),
    ("decisions.csv", "subject_id,decided_on,action,investigator\n001,2026-03-12,hold,Dr. A\n",
     ["decide", "001", "resume", "--on", "2026-03-29", "--regimen", "QW", "--weeks", "8",
      "--investigator", "Dr. A", "--rationale", "recovered"],
     "subject_id,decided_on,action,investigator,regimen,weeks,rationale\n"
     "001,2026-03-12,hold,Dr. A,,,\n001,2026-03-29,resume,Dr. A,QW,8,recovered\n"),
    ("decisions.csv", "subject_id,decided_on,action\n",
     ["decide", "001", "continue", "--on", "2026-03-29", "--regimen", "QW", "--until", "2026-05-01",
      "--investigator", "Dr. A", "--rationale", "depleted"],
     "subject_id,decided_on,action,regimen,until,investigator,rationale\n"
     "001,2026-03-29,continue,QW,2026-05-01,Dr. A,depleted\n"),
]


@pytest.mark.parametrize(("name", "text", "command", "expected"), OPTIONAL_COLUMNS,
                         ids=["visits-without-note", "visits-without-actual-date",
                              "decisions-without-regimen-weeks-rationale",
                              "decisions-header-only"])
def test_finding_2_a_value_for_a_missing_optional_column_adds_the_column(
        make_study: Callable[..., Path], name: str, text: str, command: list[str],
        expected: str) -> None:
    folder = make_study(files={name: text})
    code, _, err = run(command[0], str(folder), *command[1:], "--today", "2026-03-30")
    assert code == 0, err
    assert (folder / name).read_bytes() == expected.encode()
    load_study(folder)


NOTES_VISITS = ("001,W1D1,2026-03-02,done,first dose\n"
                "001,W1D4,2026-03-05,done,late bus\n"
                "001,W2D1,2026-03-09,done,\n")
NOTES = [
    # (record arguments, exit code, the visit's row afterwards)
    (["W1D4", "--done", "2026-03-05"], 0, "001,W1D4,2026-03-05,done,late bus"),  # note absent: kept
    (["W1D4", "--done", "2026-03-06", "--amend", "typo"], 0,
     "001,W1D4,2026-03-06,done,late bus,status=done; actual_date=2026-03-05; note=late bus,"
     "2026-03-30,typo"),
    (["W2D1", "--done", "2026-03-09", "--note", "arm bruise"], 0,
     "001,W2D1,2026-03-09,done,arm bruise"),  # a note added where there was none
    (["W1D4", "--done", "2026-03-05", "--note", "other"], 2, "001,W1D4,2026-03-05,done,late bus"),
    (["W1D4", "--done", "2026-03-05", "--note", "other", "--amend", "fix"], 0,
     "001,W1D4,2026-03-05,done,other,status=done; actual_date=2026-03-05; note=late bus,"
     "2026-03-30,fix"),
]


@pytest.mark.parametrize(("args", "code", "row"), NOTES,
                         ids=["same-visit-without-note", "amend-date-keeps-note", "note-added",
                              "different-note-conflict", "different-note-amended"])
def test_finding_3_an_absent_note_keeps_the_recorded_one(make_study: Callable[..., Path],
                                                         args: list[str], code: int, row: str) -> None:
    folder = make_study(visits=NOTES_VISITS)
    got, _, err = run("record", str(folder), "001", *args, "--today", "2026-03-30")
    assert got == code, err
    visit = args[0]
    lines = (folder / "visits.csv").read_text().splitlines()
    assert [line for line in lines if line.startswith(f"001,{visit},")] == [row]
    if code == 2:
        assert "W1D4 is recorded as done 2026-03-05 “late bus”" in err


def test_finding_3_a_note_typed_on_a_recorded_visit_without_one_is_added(
        make_study: Callable[..., Path]) -> None:
    folder = make_study(visits=NOTES_VISITS)
    path = export(folder)
    rows = fill(path, {("001", "W2D1"): {"Note": "arm bruise"}})
    code, out, _ = run("import", str(folder), str(path), "--apply", "--today", "2026-03-30")
    assert code == 0
    assert f"  + W2D1 note “arm bruise”  (Visits!N{rows['001 W2D1']})" in out
    assert (folder / "visits.csv").read_text() == (
        "subject_id,visit,actual_date,status,note\n" + NOTES_VISITS.replace(
            "001,W2D1,2026-03-09,done,\n", "001,W2D1,2026-03-09,done,arm bruise\n"))


# example study, today 2026-11-25: 006 (first dose 2026-10-26) is in induction, D28 not yet
# recorded; 003 continues BIW, W23D1's window opens 2026-12-06
UNPLANNED = [
    (["006", "W99D1", "--done", "2026-11-20"], "VISIT: not in the current plan of subject 006: 'W99D1'"),
    (["006", "W2D3", "--done", "2026-11-04"], "VISIT: not in the current plan of subject 006: 'W2D3'"),
    (["006", "REV-W3", "--done", "2026-11-20"], "VISIT: not in the current plan of subject 006: 'REV-W3'"),
    (["006", "EOT", "--done", "2026-11-20"], "VISIT: not in the current plan of subject 006: 'EOT'"),
    (["006", "W20D1", "--missed"], "VISIT: not in the current plan of subject 006: 'W20D1'"),
    (["003", "W23D1", "--missed"],
     "--missed: its window opens only on 2026-12-06 (today is 2026-11-25): 'W23D1'"),
    (["006", "D28", "--done", "2026-10-20"],
     "--done: before the subject's first dose on 2026-10-26: '2026-10-20'"),
]


@pytest.mark.parametrize(("args", "expected"), UNPLANNED,
                         ids=["beyond-the-cap", "no-such-dose-day", "review-in-induction",
                              "eot-in-induction", "dose-after-induction-missed",
                              "missed-before-window", "done-before-first-dose"])
def test_finding_4_a_visit_outside_the_plan_is_refused(example_copy: Path, args: list[str],
                                                        expected: str) -> None:
    before = snapshot(example_copy)
    code, _, err = run("record", str(example_copy), *args, *EXAMPLE_TODAY)
    assert code == 2
    assert f"error: {expected} (" in err
    assert snapshot(example_copy) == before


@pytest.mark.parametrize("weeks", ["0", "-2"], ids=["zero", "negative"])
def test_finding_5_decide_weeks_below_one_is_refused_naming_the_argument(study: Path,
                                                                         weeks: str) -> None:
    before = snapshot(study)
    code, _, err = run("decide", str(study), "001", "continue", "--on", "2026-03-29", "--regimen", "QW",
                       "--weeks", weeks, "--investigator", "Dr. A", "--rationale", "x",
                       "--today", "2026-03-30")
    assert code == 2
    assert f"error: --weeks: must be a whole number of weeks >= 1: {weeks}" in err
    assert snapshot(study) == before


WRITE_MODES = [
    # (mode of the file replaced, or None for a new file; umask; mode afterwards)
    (0o640, 0o022, 0o640),
    (0o664, 0o077, 0o664),
    (0o444, 0o022, 0o444),
    (None, 0o022, 0o644),
    (None, 0o002, 0o664),
]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
@pytest.mark.parametrize(("before", "umask", "after"), WRITE_MODES,
                         ids=["keeps-640", "keeps-664", "keeps-read-only", "new-umask-022",
                              "new-umask-002"])
def test_finding_6_write_atomic_keeps_permissions_and_syncs_the_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, before: int | None, umask: int,
        after: int) -> None:
    import os
    import stat

    import cc312_schedule.core.fileio as fileio

    target = tmp_path / "visits.csv"
    if before is not None:
        target.write_text("old\n")
        target.chmod(before)
    synced: list[bool] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        real_fsync(fd)

    monkeypatch.setattr(fileio.os, "fsync", fsync)
    old_mask = os.umask(umask)
    try:
        fileio.write_atomic(target, "new\n")
    finally:
        os.umask(old_mask)
    assert stat.S_IMODE(target.stat().st_mode) == after
    assert target.read_text() == "new\n"
    assert synced == [False, True]  # the file, then its folder after the rename


def _copy_visits_sheet(wb: openpyxl.Workbook) -> None:
    wb.copy_worksheet(wb["Visits"]).title = "Visits week 48"


def _lose_status_header(wb: openpyxl.Workbook) -> None:
    ws = wb["Visits"]
    ws.cell(2, header_map(ws)["Actual status"]).value = None


@pytest.mark.parametrize(("edit", "expected"), [
    (_copy_visits_sheet, "two sheets hold Visits entries: 'Visits' and 'Visits week 48' (keep the "
                         "entries in one Visits sheet"),
    (_lose_status_header, "sheet 'Visits' looks like the Visits sheet but has no Actual status column "
                          "header (row 2) (type the header back"),
], ids=["second-visits-sheet", "status-header-lost"])
def test_finding_7_an_ambiguous_or_broken_visits_sheet_is_refused(
        study: Path, edit: Callable[[openpyxl.Workbook], None], expected: str) -> None:
    path = export(study)
    fill(path, {("001", "W2D1"): {"Actual date": date(2026, 3, 9)}}, edit=edit)
    before = snapshot(study)
    code, _, err = run("import", str(study), str(path), "--apply", "--today", "2026-03-30")
    assert code == 2
    assert f"error: {path}: {expected}" in err
    assert snapshot(study) == before


def _formula(sheet: str, header: str, formula: str) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb[sheet]
        r = visit_row(ws, "001", "W2D1") if sheet == "Visits" else 4
        if sheet == "Decisions":
            put(ws.cell(r, 1), "001")
        ws.cell(r, header_map(ws)[header]).value = formula  # openpyxl: a formula, no cached value
    return edit


@pytest.mark.parametrize(("sheet", "header", "formula"), [
    ("Visits", "Actual date", "=DATE(2026,3,9)"),
    ("Visits", "Actual status", '="done"'),
    ("Visits", "Note", "=1+1"),
    ("Decisions", "Rationale", "=A1"),
], ids=["visit-date", "visit-status", "visit-note", "decision-rationale"])
def test_finding_8_a_formula_in_an_entry_cell_is_refused(study: Path, sheet: str, header: str,
                                                         formula: str) -> None:
    path = export(study)
    fill(path, edit=_formula(sheet, header, formula))
    ws = openpyxl.load_workbook(path)[sheet]
    r = visit_row(ws, "001", "W2D1") if sheet == "Visits" else 4
    cell = f"{sheet}!{openpyxl.utils.get_column_letter(header_map(ws)[header])}{r}"
    code, _, err = run("import", str(study), str(path), "--today", "2026-03-30")
    assert code == 2
    assert (f"error: {path}: {cell}: a formula in an entry cell: None (type the value itself: "
            "text with a leading ' (e.g. '=x), a date as a date or YYYY-MM-DD)") in err


@pytest.mark.parametrize("edit", [None, _drop_export_record], ids=["with-record", "without-record"])
def test_finding_9_an_untouched_note_with_a_control_character_is_not_a_change(
        make_study: Callable[..., Path], edit: Callable[[openpyxl.Workbook], None] | None) -> None:
    folder = make_study(visits="001,W1D1,2026-03-02,done,a\x01b\n", decisions="")
    path = export(folder)
    if edit is not None:
        fill(path, edit=edit)
    before = snapshot(folder)
    code, out, _ = run("import", str(folder), str(path), "--apply", "--today", "2026-03-30")
    assert (code, out.startswith("nothing to change")) == (0, True), out
    assert snapshot(folder) == before


def test_finding_2_added_columns_never_split_a_note_at_a_unicode_line_break(
        make_study: Callable[..., Path]) -> None:
    folder = make_study(visits="001,W1D1,2026-03-02,done,a\u2028b\x85c\n001,W1D4,2026-03-05,done,\n")
    record(folder, "001", "W1D4", done=date(2026, 3, 6), today=TODAY, amend="typo")
    assert (folder / "visits.csv").read_text(encoding="utf-8") == (
        "subject_id,visit,actual_date,status,note,amended_from,amended_on,amendment_note\n"
        "001,W1D1,2026-03-02,done,a\u2028b\x85c,,,\n"
        "001,W1D4,2026-03-06,done,,status=done; actual_date=2026-03-05,2026-03-30,typo\n")
    assert load_study(folder).visits[0].note == "a\u2028b\x85c"


# --------------------------------------------------------------------------------------
# issue 22 §5: the export record packs a subject's entries into few cells; a workbook handed
# out before (one row per visit, tests/data/xlsx/export-record-v1.xlsx, written by the
# exporter of commit 7b77cfa from the study below) is still read, row for row

OLD_RECORD = Path(__file__).parent / "data" / "xlsx" / "export-record-v1.xlsx"
OLD_RECORD_VISITS = ('001,W1D1,2026-03-02,done,"=1+1"\n'
                     '001,W1D4,2026-03-05,done,"say ""hi""; [x]"\n'
                     "001,W2D1,,missed,patient travelling\n"
                     "002,W1D1,2026-03-02,done,\n")


def _old_record_copy(tmp_path: Path) -> Path:
    path = tmp_path / "old.xlsx"
    path.write_bytes(OLD_RECORD.read_bytes())
    return path


RECORD_EDITS = [
    # (workbook, cells typed, the entries read: every other recorded row is as exported)
    ("old-layout", {}, []),
    ("old-layout", {("001", "W1D4"): {"Note": "say hi"}}, [("001", "W1D4", "say hi")]),
    ("old-layout", {("002", "W1D1"): {"Note": "late"}}, [("002", "W1D1", "late")]),
    ("new-layout", {}, []),
    ("new-layout", {("001", "W1D4"): {"Note": "say hi"}}, [("001", "W1D4", "say hi")]),
    ("new-layout", {("002", "W1D1"): {"Note": "late"}}, [("002", "W1D1", "late")]),
]


@pytest.mark.parametrize(("layout", "cells", "entries"), RECORD_EDITS,
                         ids=["old-untouched", "old-note-edited", "old-last-row-edited",
                              "new-untouched", "new-note-edited", "new-last-row-edited"])
def test_issue_22_the_export_record_of_either_layout_is_read_row_for_row(
        make_study: Callable[..., Path], tmp_path: Path, layout: str,
        cells: dict[tuple[str, str], dict[str, object]],
        entries: list[tuple[str, str, str]]) -> None:
    folder = make_study(study='name = "Entry test"\n', subjects=SUBJECTS,
                        visits=OLD_RECORD_VISITS, decisions=DECISIONS)
    path = _old_record_copy(tmp_path) if layout == "old-layout" else export(folder)
    record = openpyxl.load_workbook(path)["cc312-exported"]
    header = [c.value for c in record[1]]
    assert ("exported_entries" in header) == (layout == "new-layout")
    fill(path, cells)
    got = load_entries(path)
    assert got.tracks_edits
    # a row of the record lost would show its untouched entry cells as typed in
    assert [(v.subject_id, v.visit, v.note) for v in got.visits] == entries
    if not cells:
        assert import_workbook(folder, path, today=TODAY).changes == 0


def test_issue_22_the_new_export_record_packs_a_subject_into_one_row(
        make_study: Callable[..., Path]) -> None:
    folder = make_study(study='name = "Entry test"\n', subjects=SUBJECTS,
                        visits=OLD_RECORD_VISITS, decisions=DECISIONS)
    rows = [[c for c in r] for r in openpyxl.load_workbook(export(folder))["cc312-exported"]
            .iter_rows(values_only=True)]
    assert rows == [
        ["subject_id", "visit", "exported_actual_date", "exported_status", "exported_note",
         "exported_entries"],
        ["001", None, None, None, None,
         '[["W1D1","2026-03-02","done","=1+1"],["W1D4","2026-03-05","done","say \\"hi\\"; [x]"],'
         '["W2D1","","missed","patient travelling"]]'],
        ["002", None, None, None, None, '[["W1D1","2026-03-02","done",""]]'],
    ]


LONG_NOTES = [
    # (notes of 001's W1D1, W1D4 and W2D1, the record's rows for 001: packed cells, or a
    # visit's own row for an entry that alone does not fit into a cell)
    (["a" * 16_500, "b" * 16_500, "c"], ["packed", "packed"]),  # the second 16,500 overflows
    (["a" * 10_000, "b" * 10_000, "c" * 10_000], ["packed"]),
    (['"' * 20_000, "b", "c"], ["W1D1", "packed"]),  # 40,000 characters as JSON: a row of its own
]


@pytest.mark.parametrize(("notes", "forms"), LONG_NOTES, ids=["two-cells", "one-cell", "own-row"])
def test_issue_22_long_notes_stay_within_a_cell_and_round_trip(
        make_study: Callable[..., Path], notes: list[str], forms: list[str]) -> None:
    def quoted(note: str) -> str:
        return '"' + note.replace('"', '""') + '"'
    visits = (f"001,W1D1,2026-03-02,done,{quoted(notes[0])}\n"
              f"001,W1D4,2026-03-05,done,{quoted(notes[1])}\n"
              f"001,W2D1,,missed,{quoted(notes[2])}\n")
    folder = make_study(study='name = "Entry test"\n', subjects=SUBJECTS, visits=visits)
    path = export(folder)
    record = list(openpyxl.load_workbook(path)["cc312-exported"].iter_rows(values_only=True))
    assert [("packed" if r[5] else r[1]) for r in record[1:] if r[0] == "001"] == forms
    assert all(len(v) <= 32_767 for r in record for v in r if isinstance(v, str))
    got = load_entries(path)
    assert (got.tracks_edits, got.visits) == (True, ())


def test_issue_22_a_damaged_packed_cell_is_refused(make_study: Callable[..., Path]) -> None:
    folder = make_study(study='name = "Entry test"\n', subjects=SUBJECTS,
                        visits=OLD_RECORD_VISITS, decisions=DECISIONS)
    path = export(folder)

    def damage(wb: openpyxl.Workbook) -> None:
        wb["cc312-exported"]["F2"] = '[["W1D1","2026-03-02"]]'
    fill(path, edit=damage)
    with pytest.raises(UsageError, match="cc312-exported sheet is damaged"):
        load_entries(path)
