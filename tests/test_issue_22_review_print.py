"""Issue 22, section 3: the native CRC's review (shared/reference/zh-CN-review.md), the printed
and calendar items: the participant's schedule (A2, A3, A8-A10, A12, A14), the due list (C1,
C2, C5, C7, C8, C10, C16) and the calendars (D1, D4-D7). One row per item, the expected text
written out by hand from the review's proposal; each row fails on the text the review saw.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import icalendar
import pytest

from cc312_schedule import example_study_path, load_study
from cc312_schedule.calendars.ics import to_ics
from cc312_schedule.cli import main
from cc312_schedule.core.domain import parse_reminder
from cc312_schedule.core.messages import regimen_label
from cc312_schedule.planning.clock import plan_study
from cc312_schedule.planning.engine import plans_by_day
from cc312_schedule.reports.due import plan_due, to_due_table
from cc312_schedule.reports.handout import Handout, plan_handout
from cc312_schedule.reports.pages import to_due_html, to_handout_html

D = date.fromisoformat
ZH = Path(__file__).resolve().parents[1] / "templates" / "example-study-zh"


def handout(folder: Path | str, subject: str, today: str, lang: str | None = None,
            assume: str | None = None) -> Handout:
    study = load_study(folder)
    plan = plan_study(study, today=D(today), assume=assume)
    return plan_handout(study, plan, subject, today=D(today), generated=D(today), language=lang)


# ---- the participant's schedule -----------------------------------------------------------

@pytest.mark.parametrize(("lang", "today", "visit", "when", "window"), [
    # A2: W22D4 was planned on 12-03; its window closes on 12-04, the schedule's first day
    pytest.param("zh-CN", "2026-12-04", "W22D4", "2026年12月3日 星期四（可于今天12月4日起到访）",
                 "请于今天到访", id="A2-zh-window-closes-today"),
    pytest.param("en", "2026-12-04", "W22D4",
                 "Thursday 3 December 2026 (you can still come, from today 4 December)",
                 "please come today", id="A2-en-window-closes-today"),
    # FU1 planned Thu 2027-01-14, window 01-07 … 01-21: from Monday 01-18 on it is still open
    pytest.param("zh-CN", "2027-01-18", "FU1", "2027年1月14日 星期四（可于今天1月18日起到访）",
                 "1月18日（星期一）至 1月21日（星期四）", id="A2-zh-window-open-for-days"),
    # a visit planned on or after the first day reads as before
    pytest.param("zh-CN", "2026-12-04", "W23D1", "2026年12月7日 星期一",
                 "12月7日（星期一）至 12月8日（星期二）", id="A2-not-late"),
    pytest.param("zh-CN", "2026-12-07", "W23D1", "2026年12月7日 星期一",
                 "12月7日（星期一）至 12月8日（星期二）", id="A2-planned-on-the-first-day"),
])
def test_a2_a_row_dated_before_the_first_day_says_from_today(
        lang: str, today: str, visit: str, when: str, window: str) -> None:
    h = handout(ZH, "003", today, lang)
    [v] = [v for v in h.visits if v.visit == visit]
    assert (v.when, v.window) == (when, window)


def test_a2_the_late_row_wraps_on_the_page() -> None:
    page = to_handout_html(handout(ZH, "003", "2026-12-04"))
    assert '<td class="date late">2026年12月3日 星期四（可于今天12月4日起到访）</td>' in page


def test_a3_a_closed_day_is_never_a_day_to_come() -> None:
    # 2027-02-08 is 正月初三 (春节, estimated): 006's W16D1 under --assume QW
    h = handout(ZH, "006", "2026-12-04", assume="QW")
    [v] = [v for v in h.to_be_confirmed if v.visit == "W16D1"]
    assert (v.when, v.window, v.date_to_confirm) == (
        "具体日期由研究人员另行通知（原定2027年2月8日 星期一前后）",
        "当天研究中心停诊，研究人员会告知您到访日期", True)
    row = to_handout_html(h).split("原定2027年2月8日")[1].split("</tr>")[0]
    assert "请务必当天到访" not in row and "上午9:00" not in row


@pytest.mark.parametrize(("kind", "label", "text"), [
    # A8: the label is not said again as the text's first words; A9: 最后一次输液; A10: 输液
    pytest.param("dose", "输液", "静脉输液研究药物 CC312（约2小时）。", id="A10-dose"),
    pytest.param("eot", "治疗结束访视", "最后一次输液后的检查。", id="A8-A9-eot"),
    pytest.param("follow-up", "随访", "治疗结束后，了解您的身体情况。", id="A8-follow-up"),
])
def test_a8_to_a10_the_legend_in_plain_words(kind: str, label: str, text: str) -> None:
    h = handout(ZH, "003", "2026-12-04")
    assert dict(h.legend)[kind] == text
    page = to_handout_html(h)
    assert f'<td class="k">{label}</td><td>{text}</td>' in page


def test_a9_a10_no_clinical_jargon_on_the_chinese_page() -> None:
    page = to_handout_html(handout(ZH, "006", "2026-12-04", assume="QW"))
    assert "（最后一次输液后6个月）" in page
    assert "该日期取决于您最后一次输液的日期；如继续输液，日期将相应推后" in page
    assert "末次给药" not in page and "输注" not in page


def test_a8_the_review_legend_line_in_english() -> None:
    h = handout(example_study_path(), "006", "2026-12-04", "en", assume="QW")
    assert dict(h.legend)["review"] == ("The study doctor reviews how the treatment works and "
                                        "decides on the next weeks.")


@pytest.mark.parametrize(("lang", "site"), [
    pytest.param("zh-CN", "德阳市人民医院", id="A12-zh"),
    pytest.param("en", "Deyang People's Hospital (德阳市人民医院)", id="A12-en"),
])
def test_a12_the_site_is_named_in_the_schedules_language(lang: str, site: str) -> None:
    # the English example study gives [site] name per language
    h = handout(example_study_path(), "003", "2026-12-04", lang)
    assert h.site == site
    assert f'<td class="label">{"研究中心" if lang == "zh-CN" else "Study site"}</td><td>{site}</td>' \
        in to_handout_html(h).replace("&#39;", "'")


@pytest.mark.parametrize(("toml", "error"), [
    pytest.param('site.name = { fr = "Hôpital" }\n', "site.name.fr: unsupported language",
                 id="unknown-language"),
    pytest.param('site.name = { zh-CN = "" }\n', "site.name.zh-CN: must be a non-empty string",
                 id="empty"),
])
def test_a12_a_bad_site_name_table_is_refused(tmp_path: Path, toml: str, error: str) -> None:
    import shutil

    folder = tmp_path / "s"
    shutil.copytree(example_study_path(), folder)
    text = (folder / "study.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^site\.name = .*\n", toml, text)
    (folder / "study.toml").write_text(text, encoding="utf-8")
    err = io.StringIO()
    assert main(["check", str(folder)], stdout=io.StringIO(), stderr=err) == 2
    assert error in err.getvalue()


def test_a14_the_html_schedule_fits_a_phone() -> None:
    page = to_handout_html(handout(ZH, "003", "2026-12-04"))
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "@media screen { body { margin: 4mm;" in page


# ---- the due list ---------------------------------------------------------------------------

def zh_due(start: str, end: str | None = None, today: str | None = None) -> object:
    study = load_study(ZH)
    extra = {"today": D(today)} if today else {}
    return plan_due(study, plan_study(study, today=D(start)), start=D(start),
                    end=D(end) if end else None, plan_on=plans_by_day(study) if end else None,
                    **extra)


def test_c1_c5_the_study_once_in_the_footer_and_the_zone_named() -> None:
    page = to_due_html(zh_due("2026-12-04"),  # type: ignore[arg-type]
                       generated=datetime(2026, 12, 4, 15, 28, tzinfo=UTC))
    footer = re.search(r"@bottom-left \{ content: (\"[^\"]*\")", page)
    assert footer is not None and footer[1] == '"CC312 示例研究 · 每日访视清单 2026-12-04（周五）"'
    assert "生成于 2026-12-04 23:28（北京时间）" in page


@pytest.mark.parametrize("text", [
    pytest.param("<h3>窗口期今日或下一工作日截止（1）</h3>", id="C2-heading-count"),
    pytest.param("<h3>已逾期（窗口期已过，未记录）（6）</h3>", id="C2-overdue-count"),
    pytest.param('<td class="nw">第44次给药</td>', id="C8-C10-kind"),
    pytest.param('<td class="nw">2026-12-03（周四）</td><td class="nw">2026-12-04（周五）</td>',
                 id="C8-dates"),
    pytest.param('<td class="late nw">已逾期9天</td>', id="C8-status"),
])
def test_c2_c8_c10_the_page(text: str) -> None:
    assert text in to_due_html(zh_due("2026-12-04"))  # type: ignore[arg-type]


@pytest.mark.parametrize("line", [
    pytest.param("合计（共11天）： 当日访视 10 · ", id="C2-C7-totals"),
    pytest.param("  当日访视：", id="C2-C7-section"),
    pytest.param("    005  队列 3  DL3  W4D4    第8次给药 · 09:00", id="C10-dose"),
])
def test_c2_c7_c10_a_range_as_text(line: str) -> None:
    text = to_due_table(zh_due("2026-09-30", "2026-10-10"))  # type: ignore[arg-type]
    assert line in text
    assert "今日访视" not in text  # a range lists each day's visits, not today's


def test_c2_a_warning_line_in_full_width() -> None:
    text = to_due_table(zh_due("2026-09-30", "2026-10-10", today="2026-10-02"))  # type: ignore[arg-type]
    assert ("    005 D28：记录的完成日期 2026-10-04 晚于今日（2026-10-02）：请核对日期"
            "【访视记录与计划不符】") in text.splitlines()


@pytest.mark.parametrize(("clock", "flagged"), [
    # the review's run: a past range read on 2026-12-04, nothing recorded is in the future
    pytest.param("2026-12-04", [], id="C16-past-range-no-false-alarm"),
    # read on 2026-10-02: what is recorded on 10-04 and 10-05 is in the future, on every day
    pytest.param("2026-10-02", ["005 D28：记录的完成日期 2026-10-04 晚于今日（2026-10-02）",
                                "001 W23D1：记录的完成日期 2026-10-05 晚于今日（2026-10-02）",
                                "003 W14D1：记录的完成日期 2026-10-05 晚于今日（2026-10-02）"],
                 id="C16-judged-against-the-real-today"),
])
def test_c16_recorded_after_today_means_the_real_today(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clock: str, flagged: list[str]) -> None:
    import shutil

    from cc312_schedule.planning import clock as clock_module

    monkeypatch.setattr(clock_module, "today_at_site", lambda timezone: D(clock))
    folder = tmp_path / "zh"
    shutil.copytree(ZH, folder)
    out = io.StringIO()
    assert main(["due", str(folder), "--from", "2026-09-30", "--to", "2026-10-10"],
                stdout=out, stderr=io.StringIO()) == 0
    lines = [ln.strip() for ln in out.getvalue().splitlines() if "晚于今日" in ln]
    assert [ln.split("：请核对")[0] for ln in lines][:3] == flagged


# ---- the calendars --------------------------------------------------------------------------

def zh_events(today: str | None = None) -> dict[str, icalendar.Event]:
    study = load_study(ZH)
    plan = plan_study(study, today=D(today) if today else None)
    data = to_ics(study, plan, subject_ids=["003"],
                  generated_at=datetime(2026, 11, 26, 8, 0, tzinfo=UTC))
    cal = icalendar.Calendar.from_ical(data)
    return {str(e["DESCRIPTION"]).split("访视：")[1].split("\n")[0]: e for e in cal.walk("VEVENT")}


def test_d1_no_bracket_inside_a_bracket() -> None:
    assert regimen_label("zh-CN", "BIW") == "BIW（每周2次，第1、4天）"
    assert "给药方案：BIW（每周2次，第1、4天）" in str(zh_events()["W21D4"]["DESCRIPTION"])


def test_d4_overdue_in_the_title() -> None:
    ev = zh_events("2026-12-04")["REV-W20"]
    assert str(ev["SUMMARY"]) == "【已逾期】003 · REV-W20 定期评估（需决策） · DL2"


@pytest.mark.parametrize(("visit", "line"), [
    pytest.param("W1D1", "窗口期：仅限 2026-07-06（周一）当天", id="D5-one-day"),
    pytest.param("W21D4", "窗口期：2026-11-25（周三）至 2026-11-27（周五）", id="D5-several-days"),
    pytest.param("REV-W20", "当日顺序：先 REV-W20（定期评估），后 W21D1（给药）", id="D6-order"),
])
def test_d5_d6_description_lines(visit: str, line: str) -> None:
    assert line in str(zh_events()[visit]["DESCRIPTION"]).splitlines()


H = 3600


@pytest.mark.parametrize(("visit", "triggers", "first"), [
    # Monday 11-23 09:00: 16:00 on Friday 11-20 (65 h before), not Sunday 16:00 (17 h)
    pytest.param("REV-W20", [-65 * H, -1 * H],
                 "2026-11-23（周一）访视，请电话或微信提醒受试者：003 · REV-W20 定期评估（需决策） · DL2",
                 id="D7-monday"),
    # Thursday 12-03 09:00: Wednesday 16:00 as before
    pytest.param("W22D4", [-17 * H, -1 * H],
                 "2026-12-03（周四）访视，请电话或微信提醒受试者：003 · 第44次给药 · W22D4 · DL2",
                 id="D7-thursday"),
])
def test_d7_the_first_reminder_on_the_previous_working_day(
        visit: str, triggers: list[int], first: str) -> None:
    alarms = zh_events()[visit].walk("VALARM")
    assert [int(a["TRIGGER"].dt.total_seconds()) for a in alarms] == triggers
    assert str(alarms[0]["DESCRIPTION"]) == first
    assert str(alarms[1]["DESCRIPTION"]).startswith("提醒：003 · ")


@pytest.mark.parametrize(("day", "before"), [
    pytest.param("2026-12-07", "2026-12-04", id="monday-friday"),
    pytest.param("2026-10-08", "2026-09-30", id="after-national-day"),
    pytest.param("2026-10-12", "2026-10-10", id="make-up-saturday-is-a-working-day"),
    pytest.param("2026-12-03", "2026-12-02", id="thursday"),
])
def test_d7_the_previous_working_day_of_the_site(day: str, before: str) -> None:
    cal = load_study(ZH).calendar
    assert cal is not None and cal.open_day_before(D(day)) == D(before)


@pytest.mark.parametrize(("text", "days", "working"), [
    pytest.param("16:00 the working day before", 1, True, id="working-day"),
    pytest.param("16:00 2 working days before", 2, True, id="two-working-days"),
    pytest.param("16:00 the day before", 1, False, id="calendar-day-as-before"),
])
def test_d7_reminder_forms(text: str, days: int, working: bool) -> None:
    r = parse_reminder(text)
    assert (r.days_before, r.working_days) == (days, working)


def test_a6_a7_time_and_each_window_date_on_one_line() -> None:
    # seen on the printed page of this branch: 上午 / 9:00 and 12月8日 / （星期二） were split
    page = to_handout_html(handout(ZH, "003", "2026-12-04"))
    assert '<td class="time">上午9:00</td>' in page
    assert ('<td class="window"><span class="nw">12月7日（星期一）</span>至 '
            '<span class="nw">12月8日（星期二）</span></td>') in page
