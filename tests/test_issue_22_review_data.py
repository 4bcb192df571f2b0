"""Issue 22, the native CRC's review (shared/reference/zh-CN-review.md), the items of the site
calendar, the subject's form, the due list's CSV and the Chinese example data:

* H2, H4, C15, B2: one name per public-holiday break (国庆节假期 for 2026-10-01 … 10-07), never
  the holidays package's 国庆节（补假）, 休息日（由 2026-09-20 调休）or 农历除夕; no nested brackets;
* H3: an estimated year's holidays say so in their name (春节假期（预估）);
* C14: a make-up working day is marked (调休上班) in the reasons and the day list;
* C9: the subject is 003 in every output (calendars included), with the calendars' UIDs unchanged
  and the former S003 still read back by publish;
* C11: the due list's CSV in Chinese for a Chinese study, the codes kept for tools;
* I1, I2: the Chinese example's note and rationale.

Every expected text and date below is written by hand.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from cc312_schedule import (
    Action,
    Decision,
    Subject,
    example_study_path,
    load_protocol,
    load_study,
    plan_study,
    plan_subject,
)
from cc312_schedule.calendars.ics import event_uid, to_ics
from cc312_schedule.calendars.serverview import ServerObject, recover_event
from cc312_schedule.cli import main
from cc312_schedule.core.errors import ScheduleError
from cc312_schedule.core.messages import Text
from cc312_schedule.core.opendays import SiteCalendar
from cc312_schedule.reports.due import DUE_COLUMNS, plan_due, to_due_csv, to_due_json, to_due_table
from cc312_schedule.store.sitecal import CalendarConfig, load_site_calendar

D = date.fromisoformat
ZH = example_study_path("zh-CN")
EN = example_study_path()


@pytest.fixture(scope="module")
def cn() -> SiteCalendar:
    errors: list[ScheduleError] = []
    cal = load_site_calendar(EN, CalendarConfig(), range(2025, 2028), errors)
    assert errors == []
    return cal


# ---- H2, H4, C15: the closed days' names -----------------------------------------------------

@pytest.mark.parametrize(("day", "zh", "en"), [
    # 2026 National Day: one label for the whole break (C15), whatever the package calls the day
    ("2026-10-01", "国庆节假期", "National Day holiday"),  # the holiday (Thu)
    ("2026-10-03", "国庆节假期", "National Day holiday"),  # the holiday on a Saturday
    ("2026-10-04", "国庆节假期", "National Day holiday"),  # a plain Sunday inside the break (was 周日)
    ("2026-10-05", "国庆节假期", "National Day holiday"),  # was 国庆节（补假）
    ("2026-10-06", "国庆节假期", "National Day holiday"),  # was 休息日（由 2026-09-20 调休）
    ("2026-10-07", "国庆节假期", "National Day holiday"),  # was 休息日（由 2026-10-10 调休）
    ("2026-05-04", "劳动节假期", "Labour Day holiday"),  # was 劳动节（补假） (H2, B2)
    ("2026-05-03", "劳动节假期", "Labour Day holiday"),  # the Sunday of 05-01 … 05-05
    ("2026-04-04", "清明节假期", "Qingming Festival holiday"),  # Saturday before 清明 (Sun) and 补假
    ("2026-04-06", "清明节假期", "Qingming Festival holiday"),  # was 清明节（补假）
    ("2026-02-15", "春节假期", "Spring Festival holiday"),  # the Sunday that opens 02-15 … 02-23
    ("2026-02-16", "春节假期", "Spring Festival holiday"),  # was 农历除夕 (H4)
    ("2026-02-23", "春节假期", "Spring Festival holiday"),  # the last swapped day off (Mon)
    ("2026-01-03", "元旦假期", "New Year's Day holiday"),  # 01-01 … 01-03; Sunday 01-04 works
    ("2026-06-21", "端午节假期", "Dragon Boat Festival holiday"),  # Fri 06-19 … Sun 06-21
    ("2026-09-27", "中秋节假期", "Mid-Autumn Festival holiday"),  # Fri 09-25 … Sun 09-27
    # two holidays in one break: 2025's notice, 国庆节、中秋节：10月1日至8日
    ("2025-10-06", "国庆节、中秋节假期", "National Day and Mid-Autumn Festival holiday"),
    ("2025-10-04", "国庆节、中秋节假期", "National Day and Mid-Autumn Festival holiday"),
    # a year without an official notice yet: the label says it is estimated (H3)
    ("2027-02-05", "春节假期（预估）", "Spring Festival holiday (estimated)"),  # was 农历除夕 (H4)
    ("2027-02-10", "春节假期（预估）", "Spring Festival holiday (estimated)"),  # was 春节（补假）
    ("2027-10-02", "国庆节假期（预估）", "National Day holiday (estimated)"),
    # an ordinary weekend stays the weekend
    ("2026-10-11", "周日", "weekend (Sunday)"),
    ("2026-09-19", "周六", "weekend (Saturday)"),
], ids=lambda v: str(v))
def test_closed_day_names(cn: SiteCalendar, day: str, zh: str, en: str) -> None:
    why = cn.closed_text(D(day))
    assert why is not None
    assert (why.render("zh-CN"), why.render("en")) == (zh, en)


@pytest.mark.parametrize(("day", "zh", "en"), [
    ("2026-09-20", "调休上班", "official make-up working day"),  # Sunday worked for National Day
    ("2026-10-10", "调休上班", "official make-up working day"),  # Saturday worked for National Day
    ("2026-02-14", "调休上班", "official make-up working day"),  # Saturday worked for 春节
    ("2026-10-09", None, None),  # an ordinary Friday: nothing to say
    ("2026-10-11", None, None),  # a closed Sunday: closed, not open
], ids=lambda v: str(v))
def test_make_up_working_days_are_named(cn: SiteCalendar, day: str, zh: str | None,
                                        en: str | None) -> None:
    why = cn.open_text(D(day))
    assert (why.render("zh-CN") if why else None, why.render("en") if why else None) == (zh, en)
    assert cn.is_open(D(day)) is (zh is not None or D(day).weekday() < 5)


def test_no_package_name_is_left_in_the_chinese_labels(cn: SiteCalendar) -> None:
    labels = {cn.closed_text(d).render("zh-CN") for d in cn.closed}  # type: ignore[union-attr]
    assert not [t for t in labels if re.search("补假|调休|农历|休息日", t)]


# ---- B2, C14: the reasons ------------------------------------------------------------------

def _zh_plan(assume: str | None = None) -> dict[tuple[str, str], str]:
    study = load_study(ZH)
    plan = plan_study(study, today=D("2026-12-04"), assume=assume)
    return {(p.subject_id, e.visit): e.reason_in("zh-CN") for p in plan for e in p.events
            if e.reason}


@pytest.mark.parametrize(("subject", "visit", "reason"), [
    # moved onto a Saturday worked for National Day: said so (C14)
    ("004", "REV-W12", "2026-10-11 周日停诊；已调整至 2026-10-10（周六，调休上班）"),
    ("001", "W1D1", "2026-05-04 劳动节假期停诊；窗口期内无可用工作日"),  # B2: was 劳动节（补假）停诊
    ("002", "FU2", "2026-10-05 国庆节假期停诊；已调整至窗口期内最近的工作日"),
    ("005", "D28", "2026-10-04 国庆节假期停诊；窗口期内无可用工作日"),  # was 周日停诊
    ("003", "REV-W12", "2026-09-27 中秋节假期停诊；已调整至窗口期内最近的工作日"),
], ids=lambda v: str(v))
def test_chinese_reasons(subject: str, visit: str, reason: str) -> None:
    assert _zh_plan()[(subject, visit)] == reason


def test_estimated_spring_festival_in_the_reason() -> None:
    assert _zh_plan("QW")[("006", "W16D1")] == "2027-02-08 春节假期（预估）停诊；窗口期内无可用工作日"


def test_no_nested_full_width_brackets_in_any_reason_or_warning() -> None:
    study = load_study(ZH)
    plan = plan_study(study, today=D("2026-12-04"), assume="QW")
    texts = [e.reason_in("zh-CN") for p in plan for e in p.events if e.reason]
    texts += [w.render("zh-CN") for w in plan.warnings]
    nested = re.compile(r"（[^）]*（")
    assert texts and [t for t in texts if nested.search(t)] == []


def test_english_reason_of_a_make_up_day() -> None:
    study = load_study(EN)
    [e] = [e for p in plan_study(study) for e in p.events
           if (p.subject_id, e.visit) == ("004", "REV-W12")]
    assert (e.target_date, e.planned_date) == (D("2026-10-11"), D("2026-10-10"))
    assert e.reason == ("2026-10-11 closed: weekend (Sunday); moved to 2026-10-10 (Saturday, "
                        "official make-up working day)")


def test_interval_move_onto_an_open_day_names_it() -> None:
    """W6D1 (Mon 04-06, closed) goes to Tue 04-07; W6D4 (Thu 04-09, closed): Wed 04-08 is one day
    after it (minimum 2), so Fri 04-10, a day the site opens on purpose, and the reason says so."""
    cal = SiteCalendar(closed={D("2026-04-06"): "A", D("2026-04-09"): "B"},
                       open_days={D("2026-04-10"): Text.of("open.site", reason="加开门诊")})
    subject = Subject(subject_id="101", cohort="1", dose_level="DL1", first_dose_date=D("2026-03-02"))
    decisions = [Decision(subject_id="101", decided_on=D("2026-03-30"), action=Action.CONTINUE,
                          regimen="BIW", investigator="Dr. A")]
    e = plan_subject(load_protocol(), subject, decisions, calendar=cal).event("W6D4")
    assert e.planned_date == D("2026-04-10")
    assert e.reason_text is not None
    assert e.reason_text.render("zh-CN") == (
        "2026-04-09 B停诊；较近的工作日 2026-04-08 与相邻给药间隔不足 2 天，已调整至 2026-04-10"
        "（周五，中心开诊：加开门诊），即窗口期内满足最小给药间隔的最近工作日")


def test_workbook_reason_names_the_make_up_day() -> None:
    from openpyxl import load_workbook

    from cc312_schedule.reports.xlsx import to_xlsx

    study = load_study(ZH)
    data = to_xlsx(study, plan_study(study, today=D("2026-12-04")),
                   generated_at=datetime(2026, 12, 4, 8, tzinfo=UTC))
    ws = load_workbook(io.BytesIO(data))["访视计划"]
    header = [c.value for c in ws[2]]
    rows = [dict(zip(header, (c.value for c in r), strict=False)) for r in ws.iter_rows(min_row=3)]
    [row] = [r for r in rows if (r["受试者"], r["访视"]) == ("004", "REV-W12")]
    assert row["计划日期调整原因"] == "2026-10-11 周日停诊；已调整至 2026-10-10（周六，调休上班）"


# ---- C14, C15 in the day list -------------------------------------------------------------

def _due_zh() -> str:
    study = load_study(ZH)
    return to_due_table(plan_due(study, plan_study(study), start=D("2026-10-05"),
                                 end=D("2026-10-11")))


@pytest.mark.parametrize("heading", [
    "== 2026-10-05（周一） · 中心停诊：国庆节假期 ==",
    "== 2026-10-06（周二） · 中心停诊：国庆节假期 ==",
    "== 2026-10-07（周三） · 中心停诊：国庆节假期 ==",
    "== 2026-10-08（周四） ==",
    "== 2026-10-10（周六） · 调休上班 ==",
    "== 2026-10-11（周日） · 中心停诊：周日 ==",
], ids=["10-05", "10-06", "10-07", "10-08", "10-10", "10-11"])
def test_day_list_headings(heading: str) -> None:
    assert heading in _due_zh().splitlines()


def test_day_list_json_and_page_mark_the_make_up_day() -> None:
    from cc312_schedule.reports.pages import to_due_html

    study = load_study(ZH)
    due = plan_due(study, plan_study(study), start=D("2026-10-09"), end=D("2026-10-10"))
    doc = json.loads(to_due_json(due))
    assert [(d["day"], d["closed"], d["open"]) for d in doc["days"]] == [
        ("2026-10-09", None, None), ("2026-10-10", None, "调休上班")]
    html = to_due_html(due)
    assert '<span class="open">· 调休上班</span>' in html
    assert '<td class="nw">004</td>' in html and "S004" not in html  # the subject as written (C9)


# ---- C9: one form of the subject ----------------------------------------------------------

def test_day_list_names_the_subject_as_written() -> None:
    lines = _due_zh().splitlines()
    assert "    004  队列 2  DL2  REV-W12 定期评估（需决策） · 09:00 计划访视日期 2026-10-10 · " \
           "窗口期止 2026-10-14 · 已完成" in lines
    assert not [ln for ln in lines if re.search(r"\bS\d{3}\b", ln)]


def test_calendar_summary_and_name_use_003_and_keep_the_uid() -> None:
    study = load_study(EN)
    data = to_ics(study, plan_study(study), subject_ids=["003"],
                  generated_at=datetime(2026, 11, 25, 8, tzinfo=UTC))
    cal = icalendar.Calendar.from_ical(data)
    # X-WR-CALNAME is left escaped by icalendar (it does not know it is TEXT)
    assert str(cal["X-WR-CALNAME"]) == "CC312 example study · subject 003 (cohort 2\\, DL2)"
    [ev] = [e for e in cal.walk("VEVENT") if "W6D4" in str(e["SUMMARY"])]
    assert str(ev["SUMMARY"]) == "DONE: 003 · Dose 12 · W6D4 · DL2"
    # the UID the calendars were first published with (tests/golden before issue 22): a changed
    # UID would make every subscribed calendar show each visit twice
    assert str(ev["UID"]) == "87f5f145-d212-5616-b4c4-3842cae7db5f"


@pytest.mark.parametrize("summary", [
    "003 · Dose 42 · W21D4 · DL2",  # as published now
    "S003 · Dose 42 · W21D4 · DL2",  # as published before issue 22 (review C9)
], ids=["now", "before-issue-22"])
def test_publish_reads_back_either_form_of_the_subject(summary: str) -> None:
    study = load_study(EN)
    name = study.config.name
    event = icalendar.Event.from_ical(
        "BEGIN:VEVENT\r\nUID:" + event_uid(name, "003", "W21D4") + "\r\n"
        "DTSTART;TZID=Asia/Shanghai:20261126T090000\r\nSUMMARY:" + summary + "\r\n"
        "DESCRIPTION:Cohort: 2\\nDose level: DL2\\nVisit: W21D4\\nKind: dose\r\n"
        "SEQUENCE:0\r\nEND:VEVENT\r\n")
    obj = ServerObject(href="/x/y.ics", etag='"e"', uid=str(event["UID"]), sequence=0, event=event)
    pub = recover_event(obj, lang="en", zone=ZoneInfo("Asia/Shanghai"), dosing_time=datetime.min.time()
                        .replace(hour=9), duration=timedelta(hours=2),
                        uid_of=lambda sid, visit: event_uid(name, sid, visit))
    assert pub is not None
    assert (pub.subject_id, pub.visit, pub.dose_number, pub.on) == ("003", "W21D4", 42, D("2026-11-26"))


# ---- C11: the due list's CSV in Chinese ----------------------------------------------------

def test_chinese_due_csv_for_people_with_codes_kept() -> None:
    study = load_study(ZH)
    due = plan_due(study, plan_study(study), start=D("2026-10-10"))
    rows = list(csv.reader(io.StringIO(to_due_csv(due))))
    assert rows == [
        ["日期", "类别", "受试者", "队列", "剂量组", "访视", "访视类型", "状态", "计划访视日期", "时间",
         "窗口期起", "窗口期止", "给药序号", "给药方案", "访视检查项目", "逾期天数", "警告",
         "section", "kind", "status"],
        ["2026-10-10", "今日访视", "004", "2", "DL2", "REV-W12", "定期评估（需决策）", "已完成",
         "2026-10-10", "09:00", "2026-10-08", "2026-10-14", "", "",
         "生命体征；安全性实验室检查；外周血B细胞（CD19+）计数；疾病活动度评分", "", "",
         "today", "review", "done"]]


def test_chinese_due_csv_names_warning_kinds_in_chinese() -> None:
    study = load_study(ZH)
    due = plan_due(study, plan_study(study), start=D("2026-10-04"))
    [row] = [r for r in csv.DictReader(io.StringIO(to_due_csv(due))) if r["访视"] == "D28"]
    assert row["警告"] == "【停诊日冲突】2026-10-04 国庆节假期停诊；窗口期 2026-10-02 至 2026-10-07 内无可用工作日"


def test_the_stable_form_for_tools_is_the_english_csv(tmp_path: Path) -> None:
    out = io.StringIO()
    assert main(["due", str(ZH), "--on", "2026-10-10", "--format", "csv", "--language", "en"],
                stdout=out, stderr=io.StringIO()) == 0
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == DUE_COLUMNS
    assert rows[1][:8] == ["2026-10-10", "today", "004", "2", "DL2", "REV-W12", "review", "done"]
    assert rows[1][14] == "vital signs; safety labs; B-cell (CD19+) count; disease activity score"


# ---- I1, I2: the Chinese example's texts ---------------------------------------------------

@pytest.mark.parametrize(("file", "line"), [
    ("visits.csv", "003,W3D1,,missed,受试者发热，本次未给药，不予补给"),  # I1: not 未补给药
    ("decisions.csv", "004,2026-08-17,continue,QW,8,,研究者乙,B细胞已清除；每周1次，8周后再评估"),  # I2
], ids=["I1", "I2"])
def test_chinese_example_texts(file: str, line: str) -> None:
    assert line in (ZH / file).read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize(("subject", "line"), [
    # done on its own target, a Sunday worked for National Day: no reason (B3), the date says it
    ("001", "计划访视日期：2026-09-20（周日） · 调休上班"),
    ("001", "实际访视日期：2026-09-20（周日） · 调休上班"),
    ("004", "计划访视日期：2026-10-10（周六） · 调休上班"),  # moved there from Sunday 10-11
    ("004", "理论访视日期：2026-10-11（周日）"),  # a closed Sunday: no mark
], ids=["001-planned", "001-actual", "004-planned", "004-target"])
def test_calendar_dates_on_make_up_days_are_marked(subject: str, line: str) -> None:
    study = load_study(ZH)
    data = to_ics(study, plan_study(study), subject_ids=[subject],
                  generated_at=datetime(2026, 12, 4, 8, tzinfo=UTC))
    cal = icalendar.Calendar.from_ical(data)
    lines = {ln for ev in cal.walk("VEVENT") for ln in str(ev["DESCRIPTION"]).splitlines()}
    assert line in lines
