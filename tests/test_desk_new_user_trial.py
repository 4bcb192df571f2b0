"""A new Chinese user's first trial of the desk on the zh-CN example study, finding by finding
(against a real ``cc312-schedule serve``, its today pinned to Monday 2026-11-30).

The example study that day: 003 W22D1 is planned today (window 11-29 .. 12-01); 006 D28
(planned Monday 11-23, window to Wednesday 11-25) and 003 W21D4 (planned Thursday 11-26,
window to Friday 11-27) are overdue; 003 W23D1 is planned Monday 12-07.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from desk_support import RunningDesk, running_desk

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
