"""``feed``: the calendars under secret names, with refresh hints (no server needed here)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import icalendar
import pytest

from cc312_schedule.calendars.feed import TOKENS_FILE
from conftest import copy_example_study
from live_support import run

T0 = "2026-11-25T08:00:00Z"
IDS = ["001", "002", "003", "004", "005", "006"]


@pytest.fixture
def study(tmp_path: Path) -> Path:
    return copy_example_study(tmp_path / "study")


def feed(study: Path, out: Path, *extra: str) -> dict[str, str]:
    """Run ``feed``; {subject id or "site": file name} from its output."""
    code, stdout, err = run("feed", str(study), "-o", str(out), "--generated-at", T0, *extra)
    assert code == 0, err
    return dict(line.split("\t") for line in stdout.splitlines() if not line.startswith("#"))


def tokens(study: Path) -> dict[str, str]:
    data = json.loads((study / TOKENS_FILE).read_text(encoding="utf-8"))
    assert (data["format"], data["version"]) == ("cc312-schedule feed tokens", 1)
    tokens: dict[str, str] = data["tokens"]
    return tokens


def test_every_calendar_under_an_unguessable_name(study: Path, tmp_path: Path) -> None:
    names = feed(study, tmp_path / "feed")
    assert list(names) == ["site", *IDS]
    assert names == {who: f"{t}.ics" for who, t in tokens(study).items()}
    for who, name in names.items():
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}\.ics", name), name  # token_urlsafe(32)
        assert who not in name.removesuffix(".ics")
    assert len(set(names.values())) == 7
    assert sorted(p.name for p in (tmp_path / "feed").iterdir()) == sorted(
        [*names.values(), "index.html"])  # an index page: no folder listing of the names
    again = feed(study, tmp_path / "feed")
    assert again == names  # kept in the study folder


def test_a_second_study_gets_other_names(tmp_path: Path) -> None:
    a = feed(copy_example_study(tmp_path / "a"), tmp_path / "fa")
    b = feed(copy_example_study(tmp_path / "b"), tmp_path / "fb")
    assert not set(a.values()) & set(b.values())  # random, never derived from the subject id


@pytest.mark.parametrize("who", ["003", "site"])
def test_rotate_gives_one_calendar_a_new_name(study: Path, tmp_path: Path, who: str) -> None:
    out = tmp_path / "feed"
    before = feed(study, out)
    after = feed(study, out, "--rotate", who)
    assert after[who] != before[who]
    assert {k: v for k, v in after.items() if k != who} == {
        k: v for k, v in before.items() if k != who}
    assert not (out / before[who]).exists()  # the old address stops working
    assert (out / after[who]).exists()


def test_rotate_an_unknown_subject_is_refused(study: Path, tmp_path: Path) -> None:
    code, _, err = run("feed", str(study), "-o", str(tmp_path / "feed"), "--rotate", "999")
    assert code == 2
    assert err == ("error: --rotate: unknown subject: '999' (known: site, 001, 002, 003, 004, "
                   "005, 006)\n")
    assert not (study / TOKENS_FILE).exists()


@pytest.mark.parametrize(("setting", "expected"), [
    (None, "PT1H"),
    ('feed_refresh = "30 minutes"', "PT30M"),
    ('feed_refresh = "2 hours"', "PT2H"),
    ('feed_refresh = "1 day"', "P1D"),
], ids=["default-1-hour", "30-minutes", "2-hours", "1-day"])
def test_refresh_interval_from_study_toml(study: Path, tmp_path: Path, setting: str | None,
                                          expected: str) -> None:
    toml = study / "study.toml"
    lines = [ln for ln in toml.read_text(encoding="utf-8").splitlines()
             if not ln.startswith("feed_refresh")]
    toml.write_text("\n".join([*lines, setting or ""]) + "\n", encoding="utf-8")
    names = feed(study, tmp_path / "feed")
    for name in names.values():
        text = (tmp_path / "feed" / name).read_bytes().decode("utf-8")
        assert f"\r\nREFRESH-INTERVAL;VALUE=DURATION:{expected}\r\n" in text  # RFC 7986 5.7
        assert f"\r\nX-PUBLISHED-TTL:{expected}\r\n" in text


def test_bad_refresh_interval_is_refused(study: Path, tmp_path: Path) -> None:
    toml = study / "study.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('feed_refresh = "1 hour"',
                                                              'feed_refresh = "hourly"'),
                    encoding="utf-8")
    code, _, err = run("feed", str(study), "-o", str(tmp_path / "feed"))
    assert code == 2
    assert ("study.toml: feed_refresh: not a refresh interval: 'hourly' "
            '(e.g. "30 minutes", "1 hour" or "1 day")') in err
    assert not (tmp_path / "feed").exists() or not list((tmp_path / "feed").iterdir())


def test_the_same_events_as_the_ics_export(study: Path, tmp_path: Path) -> None:
    names = feed(study, tmp_path / "feed")
    code, _, err = run("ics", str(study), "-o", str(tmp_path / "ics"), "--generated-at", T0)
    assert code == 0, err

    def events(path: Path) -> list[bytes]:
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        return [ev.to_ical() for ev in cal.walk("VEVENT")]

    assert events(tmp_path / "feed" / names["003"]) == events(tmp_path / "ics" / "subject-003.ics")
    assert events(tmp_path / "feed" / names["site"]) == events(tmp_path / "ics" / "site.ics")
    assert len(events(tmp_path / "ics" / "site.ics")) == 162
