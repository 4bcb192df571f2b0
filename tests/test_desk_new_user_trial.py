"""A new Chinese user's first trial of the desk on the zh-CN example study, finding by finding
(against a real ``cc312-schedule serve``, its today pinned to Monday 2026-11-30).

The example study that day: 003 W22D1 is planned today (window 11-29 .. 12-01); 006 D28
(planned Monday 11-23, window to Wednesday 11-25) and 003 W21D4 (planned Thursday 11-26,
window to Friday 11-27) are overdue; 003 W23D1 is planned Monday 12-07.
"""

from __future__ import annotations

import html
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from desk_support import PASSWORD, TODAY, Client, RunningDesk, running_desk
from test_issue_21_desk_browser import login

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def zh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDesk]:
    """The zh-CN example study, read only (a test that writes starts its own desk)."""
    with running_desk(tmp_path_factory.mktemp("desk-trial"), language="zh-CN") as d:
        yield d


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def _item(page: str, sid: str, visit: str) -> str:
    """The Today page's item of a visit (the first one listed: today's section before others)."""
    for item in re.findall(r'<li class="visit[^"]*">(.*?)</li>', page, re.S):
        if f'>{sid}</a>' in item and f"<strong>{visit}</strong>" in item:
            return str(item)
    raise AssertionError(f"{sid} {visit} is not listed")


# ---- 1. one tap must not record a protocol deviation ----------------------------------------

@pytest.mark.parametrize(("path", "sid", "visit", "value", "required"), [
    # today's list, a visit not overdue: one tap records it done today (the usual case)
    pytest.param("/", "003", "W22D1", "2026-11-30", False, id="today-planned-today"),
    # today's list, the window ended 11-25: the nurse types the day it was really done
    pytest.param("/", "006", "D28", "", True, id="today-overdue"),
    pytest.param("/", "003", "W21D4", "", True, id="today-overdue-since-friday"),
    # another day's list (the future, the past): no date is assumed
    pytest.param("/?on=2026-12-07", "003", "W23D1", "", True, id="a-future-day"),
    pytest.param("/?on=2026-11-27", "003", "W21D4", "", True, id="a-past-day"),
])
def test_the_actual_date_starts_empty_and_required_unless_done_today_in_window(
        zh: RunningDesk, path: str, sid: str, visit: str, value: str, required: bool) -> None:
    item = _item(zh.client("nurse").get(path).text, sid, visit)
    field = re.search(r'<input type="date" name="actual_date"[^>]*>', item)
    assert field, item
    assert re.search(r'value="([^"]*)"', field.group(0)).group(1) == value  # type: ignore[union-attr]
    assert (" required" in field.group(0)) is required
    # the missed button needs no date (its reason goes in the note): it skips the check
    assert re.search(r'value="missed"[^>]*formnovalidate', item)


@pytest.mark.parametrize(("fields", "flash", "row"), [
    pytest.param({"status": "done"}, "未保存：请填写实际访视日期", None, id="no-date-refused"),
    pytest.param({"status": "done", "actual_date": ""}, "未保存：请填写实际访视日期", None,
                 id="an-empty-date-refused"),
    pytest.param({"status": "done", "actual_date": "2026-11-26"}, "已记录", "006,D28,2026-11-26,done",
                 id="the-real-date-recorded"),
])
def test_the_server_refuses_done_without_the_date(tmp_path: Path, fields: dict[str, str],
                                                  flash: str, row: str | None) -> None:
    with running_desk(tmp_path, language="zh-CN") as d:
        c = d.client("nurse")
        before = (d.folder / "visits.csv").read_text(encoding="utf-8")
        answer = c.post_form("/visits", {"subject_id": "006", "visit": "D28", "next": "/", **fields})
        assert answer.status == 302
        words = text_of(c.get("/").text)
        assert flash in words
        after = (d.folder / "visits.csv").read_text(encoding="utf-8")
        if row is None:
            assert after == before
        else:
            assert after.splitlines()[-1].startswith(row)


@pytest.mark.parametrize(("day", "status", "label"), [
    # recorded done 11-27: listed on 11-27, its date the actual one
    pytest.param("2026-11-27", "done", "实际访视日期 2026-11-27（周五）", id="done-actual"),
    # not recorded: the planned date
    pytest.param("2026-11-26", None, "计划访视日期 2026-11-26（周四）", id="open-planned"),
])
def test_a_recorded_visit_shows_its_actual_date(tmp_path: Path, day: str, status: str | None,
                                                label: str) -> None:
    with running_desk(tmp_path, language="zh-CN") as d:
        c = d.client("nurse")
        if status:
            assert c.post_form("/visits", {"subject_id": "003", "visit": "W21D4", "next": "/",
                                           "status": status, "actual_date": day}).status == 302
        words = text_of(_item(c.get(f"/?on={day}").text, "003", "W21D4"))
        assert label in words


# ---- 2. no English (and no server path) on a Chinese page ----------------------------------

def test_a_signed_decision_is_confirmed_in_the_pages_language(tmp_path: Path) -> None:
    with running_desk(tmp_path, language="zh-CN") as d:
        c = d.client("investigator")
        form = {"decided_on": TODAY, "action": "continue", "regimen": "Q2W",
                "rationale": "耐受良好", "password": PASSWORD}
        assert c.post_form("/subjects/006/decide", form,
                           csrf_from="/subjects/006/decide").status == 302
        flashes = re.findall(r'<p class="flash[^"]*"[^>]*>([^<]*)</p>', c.get("/subjects/006").text)
        assert flashes == ["已签名：2026-11-30 继续治疗，Q2W"]


@pytest.mark.parametrize(("name", "shown"), [
    pytest.param("计划.xlsx", "未保存：计划.xlsx：无法读取工作簿：文件不存在或不是有效的 .xlsx 文件", id="its-own-name"),
    # a client that sends a whole path: its last part only
    pytest.param("uploads/chen/plan.xlsx", "未保存：plan.xlsx：无法读取工作簿", id="a-path"),
])
def test_a_bad_upload_says_why_in_chinese_with_its_own_name(
        zh: RunningDesk, name: str, shown: str) -> None:
    c = zh.client("coordinator")
    answer = c.post_form("/workbook/preview", {}, csrf_from="/workbook",
                         files={"workbook": (name, b"not a zip archive")})
    assert answer.status == 302
    page = c.get("/workbook").text
    flash = re.search(r'<p class="flash error"[^>]*>([^<]*)</p>', page)
    assert flash and html.unescape(flash.group(1)).startswith(shown), page[:2000]
    for leak in ("cc312-desk-uploads", tempfile.gettempdir(), "cannot read", "invalid Zip"):
        assert leak not in html.unescape(flash.group(1))


@pytest.mark.parametrize(("lang", "lines"), [
    # make_study adds the users from the command line: their entries, newest first
    pytest.param("zh-CN", ["用户 角色：→ 临床研究协调员", "用户 显示名：→ ", "用户 密码：→ （已设置）",
                           "用户 API 令牌：→ 已签发 "], id="zh-CN"),
    pytest.param("en", ["users role: → coordinator", "users password: → (set)",
                        "users API token: → issued "], id="en"),
])
def test_the_audit_trail_names_users_fields_and_values_in_the_pages_language(
        zh: RunningDesk, lang: str, lines: list[str]) -> None:
    c = zh.client("coordinator")
    assert c.post_form("/language", {"lang": lang}).status == 302
    cells = [re.sub(r"\s+", "", text_of(x))  # compared without spaces (tags leave some)
             for x in re.findall(r'<td class="what">(.*?)</td>', c.get("/audit").text, re.S)]
    for line in lines:
        assert any(cell.startswith(re.sub(r"\s+", "", line)) for cell in cells), (line, cells[:8])
    assert not any(w in " ".join(cells) for w in ("(set)", "→ nurse")) or lang == "en"


@pytest.mark.parametrize(("lang", "links"), [
    pytest.param("zh-CN", ["受试者访视安排表（PDF） · 中文版", "受试者访视安排表（PDF） · 英文版"], id="zh-CN"),
    pytest.param("en", ["Participant's schedule (PDF) · in English", "Participant's schedule (PDF) · in Chinese"],
                 id="en"),
])
def test_the_handout_links_name_their_language_in_the_pages_language(
        zh: RunningDesk, lang: str, links: list[str]) -> None:
    c = zh.client("nurse")
    assert c.post_form("/language", {"lang": lang}).status == 302
    page = c.get("/subjects/006").text
    found = [text_of(a) for a in re.findall(r'<a href="/subjects/006/schedule-[^"]+">(.*?)</a>', page)]
    assert sorted(found) == sorted(links)


def _conflict() -> object:
    """W21D4 recorded done on 2026-11-26 (visits.csv line 9); the workbook says missed."""
    from cc312_schedule.core.domain import RecordedVisit, RecordStatus, SourceRef
    from cc312_schedule.core.messages import Text
    from cc312_schedule.store.entry_values import Conflict, visit_state

    old = RecordedVisit(subject_id="003", visit="W21D4", status=RecordStatus.DONE,
                        actual_date=date(2026, 11, 26), source=SourceRef(path="visits.csv", line=9))
    new = RecordedVisit(subject_id="003", visit="W21D4", status=RecordStatus.MISSED)
    return Conflict(subject_id="003", where="计划表!D12", text=Text.of(
        "entries.conflict_visit", visit="W21D4", old=visit_state(old), source=str(old.source),
        new=visit_state(new), why=Text.of("entries.why_amend")))


@pytest.mark.parametrize(("lang", "expected"), [
    pytest.param("zh-CN", "计划表!D12：W21D4 已记录为 已完成 2026-11-26（visits.csv 第9行），本次录入为 漏访："
                 "未写入（请更正录入内容，或在“更正已有记录，原因”中填写原因后重新预览）", id="zh-CN"),
    pytest.param("en", "计划表!D12: W21D4 is recorded as done 2026-11-26 (visits.csv:9); the entry "
                 "says missed: not applied (correct the entry, or write the reason in \u201cCorrect "
                 "the recorded entry, because\u201d and preview again)", id="en"),
])
def test_an_import_conflict_points_to_the_pages_reason_field(lang: str, expected: str) -> None:
    from cc312_schedule.desk.pages import _conflict_text

    assert _conflict_text(lang, _conflict()) == expected  # type: ignore[arg-type]


# ---- 3. a phone (390 px) and a desk (1280 px) -----------------------------------------------

SHOTS = Path(os.environ.get("DESK_TRIAL_SHOTS", "")) if os.environ.get("DESK_TRIAL_SHOTS") else None


@pytest.mark.parametrize(("width", "tabs"), [
    # the coordinator's six tabs, 用户管理 last: each whole and on screen
    pytest.param(390, ["今日", "受试者", "工作簿", "导出", "稽查轨迹", "用户管理"], id="phone-390"),
    pytest.param(1280, ["今日", "受试者", "工作簿", "导出", "稽查轨迹", "用户管理"], id="desk-1280"),
])
def test_every_tab_is_whole_and_on_screen(browser: Any, zh: RunningDesk, width: int,
                                          tabs: list[str]) -> None:
    page = login(browser, zh, "coordinator", width=width)
    links = page.locator("header.top nav a")
    assert links.all_inner_texts() == tabs
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (tabs[i], box)
        assert box["y"] + box["height"] <= 900
    # nothing of the header sticks out to the right (no hidden sideways scrolling)
    assert page.evaluate("document.querySelector('header.top nav').scrollWidth") <= width
    if SHOTS:
        page.screenshot(path=str(SHOTS / f"today-{width}.png"))


@pytest.mark.parametrize("width", [pytest.param(390, id="phone-390"), pytest.param(1280, id="desk-1280")])
def test_a_refused_new_user_shows_its_error_without_scrolling(browser: Any, zh: RunningDesk,
                                                              width: int) -> None:
    page = login(browser, zh, "coordinator", width=width)
    page.goto(zh.base + "/users")
    form = page.locator("section.add-user form")
    form.locator("input[name=name]").fill("wang.fang")
    form.locator("input[name=password]").fill("ward seven night shift")
    form.locator("input[name=password2]").fill("ward seven night shifts")  # they differ
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    error = page.locator("section.add-user .flash.error")
    assert error.count() == 1
    box = error.bounding_box()
    assert page.evaluate("window.scrollY") == 0
    assert box is not None and box["y"] + box["height"] <= 900, box  # in sight, as the page opens
    # the form comes with it, filled as typed (but the passwords), above the list of users
    assert form.locator("input[name=name]").input_value() == "wang.fang"
    first_user = page.locator("li.user-card").first.bounding_box()
    assert first_user is not None and box["y"] < first_user["y"]
    if SHOTS:
        page.screenshot(path=str(SHOTS / f"users-error-{width}.png"), full_page=True)


def test_a_subjects_visits_are_cards_on_a_phone(browser: Any, zh: RunningDesk) -> None:
    """At 390 px each visit of 003 is a card: its actual date, note and window are on screen,
    each with its column's name, not in a table scrolled sideways (new-user trial)."""
    page = login(browser, zh, "nurse", width=390)
    page.goto(zh.base + "/subjects/003")
    table = page.locator("table.visits-table")
    assert page.evaluate("document.querySelector('table.visits-table').scrollWidth") <= 390
    missed = table.locator("tr", has_text="W3D1")
    assert missed.locator("td.note").inner_text() == "受试者发热，本次未给药，不予补给"
    first = table.locator("tbody tr").first
    # each shown value with its column's name before it (a CSS label: not in innerText)
    shown = first.locator("td[data-label]").evaluate_all(
        "tds => tds.filter(td => td.offsetHeight > 0).map(td => "
        "getComputedStyle(td, '::before').content + td.innerText)")
    assert shown == ['"实际访视日期："2026-07-06（周一）', '"访视类型："给药',
                     '"窗口期："仅限 7月6日（周一）当天']
    for td in first.locator("td").all():
        box = td.bounding_box()
        assert box is None or box["x"] + box["width"] <= 390, box


# ---- 4. the reminder list: the site's next open day after the day shown ---------------------

@pytest.mark.parametrize(("path", "heading", "due"), [
    pytest.param("/", "提醒名单：2026-12-01（周二）到访", None, id="monday-then-tuesday"),
    # Friday: Monday's participants (the weekend is closed)
    pytest.param("/?on=2026-12-04", "提醒名单：2026-12-07（周一）到访",
                 {("003", "W23D1"), ("004", "REV-W20"), ("004", "W21D1")}, id="friday-then-monday"),
    # Saturday shown: still Monday, not Sunday
    pytest.param("/?on=2026-12-05", "提醒名单：2026-12-07（周一）到访",
                 {("003", "W23D1"), ("004", "REV-W20"), ("004", "W21D1")}, id="saturday-then-monday"),
    pytest.param("/?on=2026-12-07", "提醒名单：2026-12-08（周二）到访", None, id="a-future-monday"),
    # the eve of National Day: the 8th (10-01 .. 10-07 closed)
    pytest.param("/?on=2026-09-30", "提醒名单：2026-10-08（周四）到访", None, id="national-day"),
    # Friday 10-09: the make-up working Saturday 10-10 is open
    pytest.param("/?on=2026-10-09", "提醒名单：2026-10-10（周六）到访", None, id="make-up-saturday"),
])
def test_the_reminder_list_is_for_the_next_open_day_after_the_day_shown(
        zh: RunningDesk, path: str, heading: str, due: set[tuple[str, str]] | None) -> None:
    page = zh.client("nurse").get(path).text
    section = re.search(r'<section class="calls">(.*?)</section>', page, re.S)
    assert section
    h2 = re.search(r"<h2>(.*?)</h2>", section.group(1), re.S)
    assert h2 and text_of(h2.group(1)) == heading
    if due is not None:
        rows = {(sid, visit) for sid, visit in re.findall(
            r'<tr><td><a href="[^"]+">([^<]+)</a></td><td>([^<]+)</td>', section.group(1))}
        assert rows == due


# ---- 5. a one-day window in the calendars' words --------------------------------------------

@pytest.mark.parametrize(("lang", "visit", "window"), [
    # 006's first dose, Monday 10-26: its window is that day only
    pytest.param("zh-CN", "W1D1", "仅限 10月26日（周一）当天", id="zh-one-day"),
    pytest.param("en", "W1D1", "Mon 26 Oct only", id="en-one-day"),
    # D28: planned 11-23, window Friday 11-20 .. Wednesday 11-25
    pytest.param("zh-CN", "D28", "11月20日（周五）至 11月25日（周三）", id="zh-a-range"),
])
def test_a_one_day_window_says_that_day_only(zh: RunningDesk, lang: str, visit: str,
                                             window: str) -> None:
    c = zh.client("nurse")
    assert c.post_form("/language", {"lang": lang}).status == 302
    page = c.get("/subjects/006").text
    rows = {text_of(cells[0]).split()[0]: text_of(cells[-1])
            for cells in (re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
                          for tr in re.findall(r'<tr class="status-[^"]*">(.*?)</tr>', page, re.S))}
    assert rows[visit] == window


def test_the_today_page_says_a_one_day_window_alike(zh: RunningDesk) -> None:
    # the first dose of 006 on its own day's list
    words = text_of(_item(zh.client("nurse").get("/?on=2026-10-26").text, "006", "W1D1"))
    assert "窗口期 仅限 2026-10-26（周一）当天" in words


# ---- 6. words: the Decide page's load, the login page --------------------------------------

def test_the_decide_page_names_the_sites_daily_dosing_count(zh: RunningDesk) -> None:
    page = zh.client("investigator").get("/subjects/006/decide").text
    labels = set(re.findall(r"<dt>([^<]*)</dt>", page))
    assert "中心单日最多给药例数" in labels and "中心给药负荷（最多）" not in labels


@pytest.mark.parametrize(("switch", "status", "title", "other"), [
    pytest.param(None, 200, "登录", "English", id="the-studys-language"),
    pytest.param("en", 302, "Log in", "中文", id="english-before-login"),
    pytest.param("zh-CN", 302, "登录", "English", id="chinese-again"),
    pytest.param("fr", 200, "登录", "English", id="an-unknown-language-changes-nothing"),
])
def test_the_login_page_names_the_study_and_switches_language(
        zh: RunningDesk, switch: str | None, status: int, title: str, other: str) -> None:
    c = Client(zh.base)
    if switch is not None:
        answer = c.get(f"/login?lang={switch}")
        assert answer.status == status
        assert status != 302 or answer.headers["Location"].endswith("/login")
    page = c.get("/login").text
    assert re.search(r"<h1>([^<]*)</h1>", page).group(1) == title  # type: ignore[union-attr]
    study = re.search(r'<p class="study-name">(.*?)</p>', page, re.S)
    assert study and text_of(study.group(1)) == "CC312 示例研究 德阳市人民医院"
    link = re.search(r'<p class="language"><a href="([^"]+)"[^>]*>([^<]+)</a>', page)
    assert link and link.group(2) == other
    # the switch is kept through the login (a fresh session keeps the language)
    assert c.login("nurse").status == 302
    assert (("Visits on" in c.get("/").text) is (title == "Log in"))


def test_the_login_page_escapes_the_studys_name(tmp_path: Path) -> None:
    with running_desk(tmp_path, language="zh-CN") as d:
        toml = d.folder / "study.toml"
        text = toml.read_text(encoding="utf-8")
        assert 'name = "CC312 示例研究"' in text
        toml.write_text(text.replace('name = "CC312 示例研究"', 'name = "CC312 <b>&amp;</b>"'),
                        encoding="utf-8")
        page = Client(d.base).get("/login").text
        assert "CC312 &lt;b&gt;&amp;amp;&lt;/b&gt;" in page and "<b>&amp;</b>" not in page


# ---- 7. the workbook's file name -------------------------------------------------------------

def test_the_downloaded_workbook_is_named_after_the_study_and_the_day(zh: RunningDesk) -> None:
    from urllib.parse import unquote

    answer = zh.client("nurse").get("/workbook/download")
    assert answer.status == 200
    disposition = answer.headers["Content-Disposition"]
    m = re.fullmatch(r"attachment; filename=\"([^\"]+)\"; filename\*=UTF-8''(\S+)", disposition)
    assert m, disposition
    assert m.group(1) == "CC312-plan-2026-11-30.xlsx"
    assert m.group(2).isascii() and unquote(m.group(2)) == "CC312-示例研究-plan-2026-11-30.xlsx"


@pytest.mark.parametrize(("name", "ascii_name", "typed"), [
    pytest.param("CC312 example study", "CC312-example-study-plan-2026-11-30.xlsx",
                 "CC312-example-study-plan-2026-11-30.xlsx", id="english"),
    pytest.param("CC312 示例研究", "CC312-plan-2026-11-30.xlsx", "CC312-示例研究-plan-2026-11-30.xlsx",
                 id="chinese"),
    pytest.param("示例研究", "study-plan-2026-11-30.xlsx", "示例研究-plan-2026-11-30.xlsx", id="no-ascii"),
    pytest.param('../x "y"\r\n', "x-y-plan-2026-11-30.xlsx", "x-y-plan-2026-11-30.xlsx",
                 id="no-path-quote-or-newline"),
])
def test_workbook_names(name: str, ascii_name: str, typed: str) -> None:
    from datetime import date

    from cc312_schedule.desk.pages import workbook_names

    assert workbook_names(name, date(2026, 11, 30)) == (ascii_name, typed)
