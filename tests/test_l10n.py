"""Issue 15: outputs follow the study's ``language`` and time zone, never the machine's locale
or UTC: holiday names asked in the study's language (and cached per language), dates and
weekdays from Babel's CLDR data, generation times in the study's zone."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest

from cc312_schedule import example_study_path, load_study, plan_study
from cc312_schedule.core.l10n import local_time, long_date, weekday
from cc312_schedule.reports.xlsx import to_xlsx


def reasons(lang: str, env_lang: str, cache: str) -> set[str]:
    """The closed days' reasons of the example study's site calendar in ``lang``, built in a
    process whose locale is ``env_lang``."""
    code = ("import sys\n"
            "from cc312_schedule import example_study_path\n"
            "import cc312_schedule.store.sitecal as sc\n"
            "cal = sc.load_site_calendar(example_study_path(), sc.CalendarConfig(), range(2026, 2028),"
            " [], language=sys.argv[1])\n"
            "print('|'.join(sorted({cal.closed_text(d).render(sys.argv[1]) for d in cal.closed})))\n")
    env = {**os.environ, "LANG": env_lang, "LC_ALL": env_lang, "LANGUAGE": "",
           "CC312_SCHEDULE_CACHE_DIR": cache}
    out = subprocess.run([sys.executable, "-c", code, lang], capture_output=True, text=True,
                         env=env, check=True).stdout.strip()
    return set(out.split("|"))


@pytest.mark.slow
@pytest.mark.parametrize("cache", ["off", "shared"], ids=["no-cache", "shared-cache"])
def test_holiday_names_follow_the_study_language_not_the_locale(cache: str, tmp_path: Path) -> None:
    where = "off" if cache == "off" else str(tmp_path / "cache")
    # the Chinese run fills the cache first: the English study must still get English names
    zh = reasons("zh-CN", "C.UTF-8", where)
    en_c = reasons("en", "C.UTF-8", where)
    en_zh = reasons("en", "zh_CN.UTF-8", where)
    assert en_c == en_zh
    assert "National Day holiday" in en_c and "国庆节" not in en_c
    assert "国庆节假期" in zh and "National Day" not in zh
    assert not {r for r in zh if "补假" in r or "调休" in r}  # the package's names (review H2)


@pytest.mark.parametrize(("lang", "day", "short", "long"), [
    ("zh-CN", date(2026, 11, 30), "周一", "2026年11月30日 星期一"),
    ("zh-CN", date(2026, 12, 6), "周日", "2026年12月6日 星期日"),
    ("en", date(2026, 12, 1), "Tue", "Tuesday 1 December 2026"),
], ids=["zh-monday", "zh-sunday", "en-tuesday"])
def test_dates_and_weekdays_for_people(lang: str, day: date, short: str, long: str) -> None:
    assert (weekday(lang, day), long_date(lang, day)) == (short, long)


@pytest.mark.parametrize(("lang", "zone", "expected"), [
    ("zh-CN", "Asia/Shanghai", "2026-12-01 01:22（北京时间）"),  # still 30 November in UTC
    ("en", "Asia/Shanghai", "2026-12-01 01:22 (Beijing time)"),
    ("en", "Europe/Berlin", "2026-11-30 18:22 (Europe/Berlin)"),
], ids=["zh-beijing", "en-beijing", "en-berlin"])
def test_times_for_people_are_in_the_study_zone(lang: str, zone: str, expected: str) -> None:
    assert local_time(lang, datetime(2026, 11, 30, 17, 22, tzinfo=UTC), zone) == expected


def test_the_zh_cn_workbook_says_when_in_beijing_time() -> None:
    study = load_study(example_study_path())
    study = replace(study, config=replace(study.config, language="zh-CN"))
    data = to_xlsx(study, plan_study(study, today=date(2026, 11, 30)),
                   generated_at=datetime(2026, 11, 30, 17, 22, tzinfo=UTC))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    assert "生成于 2026-12-01 01:22（北京时间）" in ws["A1"].value
    assert ws.oddFooter.center.text == "生成于 2026-12-01 01:22（北京时间）"
    assert ws.oddFooter.right.text == "第 &P 页，共 &N 页"
    visits = wb.worksheets[1]
    hdr = [c.value for c in visits[2]]
    weekdays = {r[hdr.index("星期")].value for r in visits.iter_rows(min_row=3) if r[0].value}
    assert weekdays <= {"周一", "周二", "周三", "周四", "周五", "周六", "周日"} and "周一" in weekdays
