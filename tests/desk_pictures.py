"""Screenshots of every page of the site desk, at phone (390 px) and desktop (1280 px) width.

    .venv/bin/python tests/desk_pictures.py out/pictures/desk

starts ``cc312-schedule serve`` on a copy of the Chinese example study (the site's language)
with a user per role, records a visit and a decision so that the audit trail has lines, and
has Debian's Chromium (driven by Playwright) save ``<page>-<width>.png`` for each page, in
Chinese, plus the Today page in English, and the coordinator's workbook and users pages.
Part of `make pictures`; look at them.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).parent))

from conftest import CHROMIUM_ARGS as BROWSER_ARGS
from desk_support import PASSWORD, TODAY, running_desk

CHROMIUM_ARGS = [*BROWSER_ARGS, "--hide-scrollbars"]
PAGES = (("today", "/"), ("subjects", "/subjects"), ("subject", "/subjects/003"),
         ("subject-provisional", "/subjects/006"), ("decide", "/subjects/006/decide"),
         ("workbook", "/workbook"), ("exports", "/exports"), ("audit", "/audit"),
         ("password", "/password"), ("not-found", "/subjects/S999"))
WIDTHS = (390, 1280)


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "out/pictures/desk")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cc312-desk-pictures-") as tmp, \
            running_desk(Path(tmp), language="zh-CN") as desk, sync_playwright() as p:
        nurse = desk.api("nurse")
        nurse.post_json("/api/v1/visits", {"subject_id": "003", "visit": "W21D4", "status": "missed",
                                           "note": "受试者住院，未能到访"})
        desk.api("investigator").post_json("/api/v1/decisions", {
            "subject_id": "005", "decided_on": TODAY, "action": "resume", "regimen": "Q2W",
            "rationale": "感染已控制，恢复给药"})
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        written = []
        for width in WIDTHS:
            page = browser.new_context(viewport={"width": width, "height": 860},
                                       locale="zh-CN").new_page()
            page.goto(desk.base + "/login")
            page.screenshot(path=str(out / f"login-{width}.png"), full_page=True)
            page.fill("input[name=username]", "investigator")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(desk.base + "/")
            for name, path in PAGES:
                page.goto(desk.base + path)
                page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
                written.append(name)
            page.click("button.link >> nth=0")  # English
            page.goto(desk.base + "/")
            page.screenshot(path=str(out / f"today-en-{width}.png"), full_page=True)
            _coordinator(browser, desk.base, out, width, Path(tmp))
        browser.close()
    print(f"wrote {len(list(out.glob('*.png')))} pictures of the desk to {out}")
    return 0


def _fill(book: Path, subject: str, visit: str, day: str, note: str) -> None:
    """Type one visit done into the Chinese workbook's Visits sheet, as a coordinator would."""
    import openpyxl

    from cc312_schedule.core.messages import message

    def t(key: str) -> str:
        return message("zh-CN", key)

    wb = openpyxl.load_workbook(book)
    ws = wb[t("xlsx.sheet.visits")]
    hrow = next(r for r in range(1, 12) if ws.cell(r, 1).value == t("xlsx.col.subject"))
    col = {c.value: c.column for c in ws[hrow]}
    for r in range(hrow + 1, ws.max_row + 1):
        if (ws.cell(r, col[t("xlsx.col.subject")]).value, ws.cell(r, col[t("xlsx.col.visit")]).value) == (
                subject, visit):
            ws.cell(r, col[t("xlsx.col.actual_date")]).value = day
            ws.cell(r, col[t("xlsx.col.status")]).value = t("xlsx.status.done")
            ws.cell(r, col[t("xlsx.col.note")]).value = note
    wb.save(book)


def _coordinator(browser: object, base: str, out: Path, width: int, tmp: Path) -> None:
    """The workbook page as a coordinator sees it: the upload, then an import's preview."""
    page = browser.new_context(viewport={"width": width, "height": 860},  # type: ignore[attr-defined]
                               locale="zh-CN").new_page()
    page.goto(base + "/login")
    page.fill("input[name=username]", "coordinator")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    page.goto(base + "/users")  # the users page, then a new API token shown once
    page.screenshot(path=str(out / f"users-{width}.png"), full_page=True)
    page.locator("li.user-card", has=page.locator(".uname", has_text="nurse")).locator(
        "button.issue-token").click()
    page.wait_for_load_state()
    page.screenshot(path=str(out / f"users-token-{width}.png"), full_page=True)
    page.goto(base + "/workbook")
    page.screenshot(path=str(out / f"workbook-coordinator-{width}.png"), full_page=True)
    with page.expect_download() as dl:
        page.locator("a.button").first.click()
    book = tmp / f"plan-{width}.xlsx"
    dl.value.save_as(book)
    _fill(book, "003", "W22D1", TODAY, "已按时给药")
    page.set_input_files("input[name=workbook]", str(book))
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_load_state()
    page.screenshot(path=str(out / f"workbook-preview-{width}.png"), full_page=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
