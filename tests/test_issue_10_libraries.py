"""Issue 10, item 4: libraries where we hand-wrote infrastructure.

* the holiday cache's folder comes from platformdirs (on Linux: $XDG_CACHE_HOME, else
  ~/.cache), still overridden by $CC312_SCHEDULE_CACHE_DIR (``off``: no cache);
* its key carries the holidays release as importlib.metadata reports it;
* the workbook reader's column letters stay hand-written (openpyxl's import is what the
  calamine reader avoids) and agree with openpyxl's get_column_letter on every column.
"""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import pytest
from openpyxl.utils import get_column_letter

from cc312_schedule.core.errors import ScheduleError
from cc312_schedule.entries import writes as entries
from cc312_schedule.store import sitecal
from cc312_schedule.store.sitecal import CalendarConfig, load_site_calendar


@pytest.mark.skipif(sys.platform != "linux", reason="the expected folders are Linux's (XDG)")
@pytest.mark.parametrize(("env", "expected"), [
    ({"CC312_SCHEDULE_CACHE_DIR": "/data/cache", "XDG_CACHE_HOME": "/xdg"}, "/data/cache"),
    ({"CC312_SCHEDULE_CACHE_DIR": "off", "XDG_CACHE_HOME": "/xdg"}, None),
    ({"XDG_CACHE_HOME": "/xdg"}, "/xdg/cc312-schedule"),
    ({"HOME": "/home/nurse"}, "/home/nurse/.cache/cc312-schedule"),
    ({"XDG_CACHE_HOME": "", "HOME": "/home/nurse"}, "/home/nurse/.cache/cc312-schedule"),
], ids=["override", "off", "xdg-cache-home", "home", "empty-xdg-is-unset"])
def test_cache_folder(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str | None) -> None:
    for name in ("CC312_SCHEDULE_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    folder = sitecal._cache_dir()
    assert (str(folder) if folder is not None else None) == expected


def test_the_release_is_the_installed_holidays_version() -> None:
    import holidays

    assert sitecal._holidays_release() == importlib.metadata.version("holidays") == holidays.__version__


def cached_files(tmp_path: Path) -> list[str]:
    errors: list[ScheduleError] = []
    load_site_calendar(tmp_path, CalendarConfig(), range(2026, 2028), errors)
    assert errors == []
    return sorted(p.name for p in (tmp_path / "cache").glob("holidays-*.json"))


def test_a_new_release_is_a_new_cache_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CC312_SCHEDULE_CACHE_DIR", str(tmp_path / "cache"))
    [first] = cached_files(tmp_path)
    assert cached_files(tmp_path) == [first]  # same release: the same entry, read back
    monkeypatch.setattr(sitecal, "_holidays_release", lambda: "999.0")
    assert len(cached_files(tmp_path)) == 2 and first in cached_files(tmp_path)
    monkeypatch.setattr(sitecal, "_holidays_release", lambda: None)  # unknown release: no cache
    assert len(cached_files(tmp_path)) == 2


@pytest.mark.parametrize(("index", "letters"), [
    (0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"), (701, "ZZ"), (702, "AAA"),
    (16383, "XFD"),
], ids=["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD-last-excel-column"])
def test_column_letters(index: int, letters: str) -> None:
    assert entries._col_letter(index) == letters


def test_column_letters_agree_with_openpyxl_on_every_column() -> None:
    assert [entries._col_letter(i) for i in range(16384)] == \
        [get_column_letter(i + 1) for i in range(16384)]
