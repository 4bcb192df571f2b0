"""Issue 15: the Chinese example study (templates/example-study-zh, language zh-CN) through
every export: no English word from the catalogue's English side in any text a person reads.

Read by people: the calendars (names, summaries, descriptions, locations, reminders), every
visible cell, print header and footer of the workbook, and the plan's CSV, JSON and table
texts (reasons, procedures, notes, warning messages). Not read as text: codes in data columns
(``kind``, ``status``, the warning class), identifiers (subject ids, visit codes, dose levels,
regimen and disease codes, file locations) and the command line's own English labels of
``plan --format table`` (docs/coordinators.md "Languages").
"""

from __future__ import annotations

import csv
import io
import json
import re
import string
from datetime import UTC, date, datetime
from pathlib import Path

import icalendar
import openpyxl
import pytest

from cc312_schedule import example_study_path, load_study, plan_study
from cc312_schedule.calendars.ics import write_ics
from cc312_schedule.core.messages import MESSAGES
from cc312_schedule.reports.render import to_csv, to_json, to_table
from cc312_schedule.reports.xlsx import EXPORT_SHEET, to_xlsx

TODAY = date(2026, 11, 25)
AT = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
#: words of the English catalogue that are also identifiers or codes people read as such
IDENTIFIERS = {"pk", "eot", "cc312", "schedule", "biw", "qw", "q2w", "q4w", "cd19", "dl",
               "sledai", "mmt", "mrss", "w", "d", "s", "p", "n", "k", "fu", "b", "cc"}


def english_words() -> set[str]:
    words: set[str] = set()
    for texts in MESSAGES.values():
        literal = "".join(lit for lit, _, _, _ in string.Formatter().parse(texts["en"]))
        words |= {w.casefold() for w in re.findall(r"[A-Za-z]+", literal)}
    return words - IDENTIFIERS


def leaks(texts: list[str]) -> dict[str, list[str]]:
    """English catalogue words found in ``texts`` (identifiers and file locations removed)."""
    catalogue = english_words()
    found: dict[str, list[str]] = {}
    for text in texts:
        text = re.sub(r"\S*/\S*|[\w.-]+\.(?:csv|toml)(?::\d+)?", " ", text)  # files: decisions.csv:8
        text = re.sub(r"\b(?:[A-Z]+-?W?\d+(?:D\d+)?|DL\d+|S\d+|CD19\+)\b", " ", text)  # codes
        for w in re.findall(r"[A-Za-z]+", text):
            if w.casefold() in catalogue:
                found.setdefault(w, []).append(text[:90])
    return found


@pytest.fixture(scope="module")
def zh() -> tuple[object, object]:
    study = load_study(example_study_path("zh-CN"))
    assert study.config.language == "zh-CN"
    return study, plan_study(study, today=TODAY)


def test_the_catalogue_has_english_words_to_look_for() -> None:
    words = english_words()
    assert {"closed", "moved", "window", "weekend", "decision", "vital", "signs"} <= words
    assert leaks(["2026-11-22 closed: weekend (Sunday)"])  # the check finds a leak


def test_workbook(zh: tuple[object, object]) -> None:
    study, plan = zh
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx(study, plan, generated_at=AT)))  # type: ignore[arg-type]
    texts = []
    for ws in wb.worksheets:
        if ws.title == EXPORT_SHEET:  # hidden, language-independent: read by the import only
            continue
        texts.append(ws.title)
        texts += [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        texts += [ws.oddHeader.left.text or "", ws.oddHeader.right.text or "",
                  ws.oddFooter.center.text or ""]
        texts += [dv.formula1 or "" for dv in ws.data_validations.dataValidation]
        texts += [dv.error or "" for dv in ws.data_validations.dataValidation]
    assert leaks(texts) == {}
    assert any("停诊" in t for t in texts) and any("生命体征" in t for t in texts)


def test_calendars(zh: tuple[object, object], tmp_path: Path) -> None:
    study, plan = zh
    write_ics(study, plan, tmp_path, generated_at=AT)  # type: ignore[arg-type]
    texts = []
    for path in sorted(tmp_path.glob("*.ics")):
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        texts += [str(cal.get("X-WR-CALNAME", "")), str(cal.get("X-WR-CALDESC", ""))]
        for comp in cal.walk():
            if comp.name in ("VEVENT", "VALARM"):
                texts += [str(comp.get(k, "")) for k in ("SUMMARY", "DESCRIPTION", "LOCATION")]
    assert len(texts) > 100
    assert leaks(texts) == {}
    assert any("已调整至窗口期内最近的工作日" in t for t in texts)


def test_plan_csv_json_and_table(zh: tuple[object, object]) -> None:
    study, plan = zh
    lang = study.config.language  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(to_csv(plan, lang))))  # type: ignore[arg-type]
    texts = [r[c] for r in rows for c in ("reason", "procedures", "note")]
    doc = json.loads(to_json(plan, lang))  # type: ignore[arg-type]
    for s in doc["subjects"]:
        texts += [w["message"] for w in s["warnings"]]
        texts += [e[c] or "" for e in s["events"] for c in ("reason", "procedures", "note")]
    table = to_table(plan, lang)  # type: ignore[arg-type]
    texts += [line for line in table.splitlines() if line.lstrip().startswith((">", "!"))]
    assert leaks(texts) == {}
    moved = next(r for r in rows if r["reason_id"] == "r.moved")
    assert json.loads(moved["reason_fields"])["closed"]["id"] in ("closed.weekend", "closed.holiday")
    assert "停诊" in moved["reason"]
    warned = [w for s in doc["subjects"] for w in s["warnings"]]
    assert warned and all(w["id"].startswith("w.") and "fields" in w for w in warned)


def test_due_list_and_participant_schedule(zh: tuple[object, object]) -> None:
    """The day list (text, HTML) and a participant's schedule (HTML) of the Chinese study."""
    import html as htmllib

    from cc312_schedule.reports.due import plan_due, to_due_table
    from cc312_schedule.reports.handout import plan_handout
    from cc312_schedule.reports.pages import to_due_html, to_handout_html

    study, plan = zh
    due = plan_due(study, plan, start=date(2026, 9, 28), end=date(2026, 10, 9))  # type: ignore[arg-type]
    page = to_due_html(due)
    body = htmllib.unescape(re.sub(r"<(style|script)[^>]*>.*?</\1>|<[^>]+>", " ", page, flags=re.S))
    texts = [to_due_table(due), body]
    hand = to_handout_html(plan_handout(study, plan, "003", today=TODAY, generated=TODAY))  # type: ignore[arg-type]
    texts.append(htmllib.unescape(re.sub(r"<(style|script)[^>]*>.*?</\1>|<[^>]+>", " ", hand,
                                         flags=re.S)))
    assert leaks(texts) == {}
