"""Issue 21: the users page in a real browser (Playwright driving Debian's Chromium) against a
real ``cc312-schedule serve``: a coordinator adds a nurse, the nurse logs in on her phone, the
coordinator disables her, and her next page load is the login page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desk_support import RunningDesk, cli, running_desk
from test_issue_21_desk_browser import login

pytestmark = pytest.mark.slow

NEW_PASSWORD = "ward seven night shift"


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[RunningDesk]:
    with running_desk(tmp_path) as d:
        yield d


def test_a_coordinator_adds_a_nurse_then_disables_her(browser: Any, desk: RunningDesk) -> None:
    boss = login(browser, desk, "coordinator", width=1280)
    boss.locator("nav a", has_text="Users").click()
    boss.wait_for_url(desk.base + "/users")
    form = boss.locator("section.add-user form")
    form.locator("input[name=name]").fill("wang.fang")
    form.locator("input[name=display_name]").fill("王芳")
    form.locator("select[name=role]").select_option("nurse")
    form.locator("input[name=password]").fill(NEW_PASSWORD)
    form.locator("input[name=password2]").fill(NEW_PASSWORD)
    form.locator("button[type=submit]").click()
    boss.wait_for_url(desk.base + "/users")
    assert "Added wang.fang (nurse)." in boss.locator(".flash").first.inner_text()
    card = boss.locator("li.user-card", has=boss.locator(".uname", has_text="wang.fang"))
    assert "王芳" in card.inner_text() and "never" in card.inner_text()

    # the nurse logs in on her phone
    nurse = browser.new_context(viewport={"width": 390, "height": 900}).new_page()
    nurse.goto(desk.base + "/login")
    nurse.fill("input[name=username]", "wang.fang")
    nurse.fill("input[name=password]", NEW_PASSWORD)
    nurse.click("button[type=submit]")
    nurse.wait_for_url(desk.base + "/")
    assert "王芳" in nurse.locator(".who").inner_text()
    assert nurse.locator("nav a", has_text="Users").count() == 0
    response = nurse.goto(desk.base + "/users")
    assert response is not None and response.status == 403

    # the coordinator sees her session, and disables her
    boss.reload()
    card = boss.locator("li.user-card", has=boss.locator(".uname", has_text="wang.fang"))
    assert card.locator("dd.sessions").inner_text() == "1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", card.locator("dd.last-login").inner_text())
    card.locator("button.disable").click()
    boss.wait_for_url(desk.base + "/users")
    assert "wang.fang is disabled" in boss.locator(".flash").first.inner_text()
    card = boss.locator("li.user-card", has=boss.locator(".uname", has_text="wang.fang"))
    assert "disabled" in card.inner_text() and card.locator("button.enable").count() == 1

    # her next page load is the login page
    nurse.goto(desk.base + "/subjects")
    assert nurse.url == desk.base + "/login"
    assert nurse.locator("input[name=username]").count() == 1
    trail = cli("audit", "show", str(desk.folder)).stdout
    assert re.search(r"coordinator \[coordinator, desk\] users wang\.fang disabled: 'no' -> 'yes'", trail)
    assert cli("audit", "verify", str(desk.folder)).returncode == 0
    # and her password no longer opens the desk
    nurse.fill("input[name=username]", "wang.fang")
    nurse.fill("input[name=password]", NEW_PASSWORD)
    nurse.click("button[type=submit]")
    assert "Wrong user name or password" in nurse.locator(".flash.error").inner_text()
