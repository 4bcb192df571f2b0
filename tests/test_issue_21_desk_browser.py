"""Issue 21: the desk in a real browser (Playwright driving Debian's Chromium) against a real
``cc312-schedule serve``: the main path of each role, clicked as a person would."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desk_support import PASSWORD, TODAY, Client, RunningDesk, cli, running_desk

pytestmark = pytest.mark.slow


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[RunningDesk]:
    with running_desk(tmp_path) as d:
        yield d


def login(browser: Any, desk: RunningDesk, user: str, *, width: int = 390) -> Any:
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(desk.base + "/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(desk.base + "/")
    return page


def visits_rows(folder: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((folder / "visits.csv").read_text("utf-8"))))


def test_a_nurse_records_a_dose_on_the_today_page(browser: Any, desk: RunningDesk) -> None:
    page = login(browser, desk, "nurse")
    card = page.locator("li.visit", has=page.locator("strong", has_text="W22D1")).first
    card.locator("input[name=note]").fill("given, no reaction")
    card.locator("button", has_text="Record done").click()
    page.wait_for_load_state()
    assert "Recorded: 003 W22D1 done" in page.locator(".flash").first.inner_text()
    assert "done" in page.locator("li.visit", has=page.locator("strong", has_text="W22D1")).first.inner_text()
    row = [r for r in visits_rows(desk.folder) if (r["subject_id"], r["visit"]) == ("003", "W22D1")]
    assert row == [{**row[0], "actual_date": TODAY, "status": "done", "note": "given, no reaction"}]
    trail = cli("audit", "show", str(desk.folder), "--subject", "003")
    assert re.search(r"nurse \[nurse, desk\] visits.csv 003 W22D1 status: '' -> 'done'", trail.stdout)
    assert cli("audit", "verify", str(desk.folder)).returncode == 0
    page.goto(desk.base + "/audit?subject_id=003")
    assert "W22D1" in page.locator("table.audit").inner_text()
    # missed, with its reason
    page.goto(desk.base + "/")
    card = page.locator("li.visit", has=page.locator("strong", has_text="W21D4")).first
    card.locator("button", has_text="Record missed").click()  # without a reason: refused
    page.wait_for_load_state()
    assert "needs its reason" in page.locator(".flash.error").inner_text()
    card = page.locator("li.visit", has=page.locator("strong", has_text="W21D4")).first
    card.locator("input[name=note]").fill("patient in hospital")
    card.locator("button", has_text="Record missed").click()
    page.wait_for_load_state()
    assert [r["status"] for r in visits_rows(desk.folder) if r["visit"] == "W21D4"
            and r["subject_id"] == "003"] == ["missed"]


def test_an_investigator_compares_regimens_and_signs_and_the_feed_changes(
        browser: Any, desk: RunningDesk) -> None:
    anyone = Client(desk.base)
    feed_path = desk.api("nurse").get("/api/v1/subjects/006/feed").json()["url"][len(desk.base):]
    before = anyone.get(feed_path).text
    assert "W6D1" not in before  # awaiting the decision: no continuation doses yet
    page = login(browser, desk, "investigator", width=1280)
    page.goto(desk.base + "/subjects/006/decide")
    options = page.locator("article.option")
    assert options.count() == 4  # BIW, QW, Q2W, Q4W side by side
    doses = {options.nth(i).locator("h3").inner_text().split()[0]:
             int(options.nth(i).locator("dd.doses").inner_text()) for i in range(4)}
    assert doses["BIW"] > doses["QW"] > doses["Q2W"] > doses["Q4W"] > 0
    options.filter(has_text="QW (once weekly)").locator("a.choose").click()
    page.fill("textarea[name=rationale]", "B-cell depletion at Day 28; weekly")
    page.fill("input[name=password]", "not my password")
    page.click("section.sign button[type=submit]")
    assert "Wrong password" in page.locator(".flash.error").inner_text()
    assert "006,2026-11-30" not in (desk.folder / "decisions.csv").read_text("utf-8")
    page.fill("input[name=password]", PASSWORD)
    page.fill("textarea[name=rationale]", "B-cell depletion at Day 28; weekly")
    page.click("section.sign button[type=submit]")
    page.wait_for_url(re.compile(r".*/subjects/006$"))
    assert "Signed: continue QW" in page.locator(".flash").first.inner_text()
    last = (desk.folder / "decisions.csv").read_text("utf-8").splitlines()[-1]
    assert last == "006,2026-11-30,continue,QW,,,Dr. Investigator,B-cell depletion at Day 28; weekly"
    after = anyone.get(feed_path).text
    assert after != before and "W6D1" in after  # the weekly doses are in the subscribed calendar


def test_a_coordinator_uploads_a_filled_workbook_and_applies_it(
        browser: Any, desk: RunningDesk, tmp_path: Path) -> None:
    import openpyxl

    page = login(browser, desk, "coordinator", width=1280)
    page.goto(desk.base + "/workbook")
    with page.expect_download() as dl:
        page.locator("a", has_text="Download the current workbook").click()
    book = tmp_path / "plan.xlsx"
    dl.value.save_as(book)
    wb = openpyxl.load_workbook(book)
    ws = wb["Visits"]
    header = {c.value: c.column for c in ws[next(r for r in range(1, 10) if ws.cell(r, 1).value == "Subject")]}
    hrow = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Subject")
    for r in range(hrow + 1, ws.max_row + 1):
        if ws.cell(r, header["Subject"]).value == "003" and ws.cell(r, header["Visit"]).value == "W22D1":
            ws.cell(r, header["Actual date"]).value = TODAY
            ws.cell(r, header["Actual status"]).value = "done"
            ws.cell(r, header["Note"]).value = "from the workbook"
    wb.save(book)
    page.set_input_files("input[name=workbook]", str(book))
    page.locator("button", has_text="Preview").click()
    page.wait_for_load_state()
    new = page.locator("ul.new").inner_text()
    assert "003 W22D1 done 2026-11-30 from the workbook" in new  # status in the page's language
    assert "003,W22D1" not in (desk.folder / "visits.csv").read_text("utf-8")  # a preview writes nothing
    page.locator("button", has_text="Apply these changes").click()
    page.wait_for_load_state()
    assert "Imported: 1 change(s)." in page.locator(".flash").first.inner_text()
    assert "003,W22D1,2026-11-30,done,from the workbook" in (desk.folder / "visits.csv").read_text("utf-8")
    trail = cli("audit", "show", str(desk.folder), "--subject", "003").stdout
    assert "coordinator [coordinator, desk]" in trail


def test_a_monitor_sees_everything_and_cannot_write(browser: Any, desk: RunningDesk) -> None:
    page = login(browser, desk, "monitor")
    assert page.locator("li.visit").count() > 0
    assert page.locator("button", has_text="Record done").count() == 0
    page.goto(desk.base + "/subjects/006")
    assert page.locator("a", has_text="Decide").count() == 0
    assert page.locator("svg.timeline").count() == 1
    response = page.goto(desk.base + "/subjects/006/decide")
    assert response is not None and response.status == 403
    page.goto(desk.base + "/workbook")
    assert page.locator("input[name=workbook]").count() == 0
    # a form forged in the page (the button is not there): refused on the server
    status = page.evaluate("""async () => {
        const token = document.querySelector('input[name=csrf_token]').value;
        const body = new URLSearchParams({csrf_token: token, subject_id: '003', visit: 'W22D1',
                                          status: 'done', actual_date: '2026-11-30'});
        const r = await fetch('/visits', {method: 'POST', body, redirect: 'manual'});
        return r.status; }""")
    assert status == 403
    assert "003,W22D1" not in (desk.folder / "visits.csv").read_text("utf-8")


def test_the_desk_speaks_the_studys_language_and_switches(browser: Any, tmp_path: Path) -> None:
    with running_desk(tmp_path, language="zh-CN") as d:
        page = login(browser, d, "nurse")
        assert page.locator("nav").inner_text().split()[:2] == ["今日", "受试者"]
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        page.locator("button", has_text="English").click()
        page.wait_for_load_state()
        assert page.locator("nav").inner_text().split()[:2] == ["Today", "Subjects"]


def _inside(locator: Any, width: int) -> bool:
    """The element is shown and wholly inside the viewport's width (no sideways scrolling)."""
    box = locator.bounding_box()
    return box is not None and box["width"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= width


@pytest.mark.parametrize(("width", "cards"), [
    # a phone: each subject a card, nothing off to the right of the screen
    pytest.param(390, True, id="phone-390"),
    # a desk: the table with its header (the cards are for under 760 px only)
    pytest.param(1280, False, id="desktop-1280"),
])
def test_the_subjects_overview_and_the_audit_trail_read_on_a_phone(
        browser: Any, desk: RunningDesk, width: int, cards: bool) -> None:
    page = login(browser, desk, "monitor", width=width)
    page.goto(desk.base + "/subjects")
    assert page.locator("table.overview thead").is_visible() is not cards
    # 006 is awaiting its D28 decision (due Monday 11-23); 001 had its EOT on Monday 2026-10-12
    decision = page.locator("table.overview tr", has=page.locator("a", has_text="006")).locator("td").nth(4)
    eot = page.locator("table.overview tr", has=page.locator("a", has_text="001")).locator("td").nth(5)
    assert decision.inner_text() == "Mon 2026-11-23" and eot.inner_text() == "Mon 2026-10-12"
    assert _inside(decision, width) and _inside(eot, width)
    assert page.evaluate("document.querySelector('.scroll').scrollWidth"
                         " <= document.querySelector('.scroll').clientWidth")
    # the audit trail: what changed is on the screen (the users' accounts were made: lines)
    page.goto(desk.base + "/audit")
    assert page.locator("table.audit thead").is_visible() is not cards
    assert _inside(page.locator("table.audit td.what").first, width)
