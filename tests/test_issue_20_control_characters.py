"""Issue 20: NUL and escape characters in the study's name, site, a cohort, a dose level or a
closed day's reason were written raw into .ics files and feeds (the strict ``ical`` parser then
rejects the file). They are refused where the study is read; a tab or a line break (escaped in
calendars) and free text (notes, never in a calendar) are kept."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from cc312_schedule.cli import main
from cc312_schedule.store.study import load_study
from conftest import copy_example_study

STAMP = ("--generated-at", "2026-11-30T08:00:00Z", "--today", "2026-11-30")


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _toml(study: Path, key: str, escaped: str) -> None:
    path = study / "study.toml"
    text = re.sub(rf'(?m)^{re.escape(key)} = "', lambda m: f'{key} = "{escaped}',
                  path.read_text(encoding="utf-8"), count=1)
    path.write_text(text, encoding="utf-8")


def _site_name(study: Path, value: str) -> None:
    """``site.name = VALUE`` in place of the example's (a table of one name per language)."""
    path = study / "study.toml"
    text, n = re.subn(r"(?m)^site\.name = .*$", lambda m: f"site.name = {value}",
                      path.read_text(encoding="utf-8"), count=1)
    assert n == 1
    path.write_text(text, encoding="utf-8")


def _csv(study: Path, name: str, old: str, new: str) -> None:
    path = study / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


REFUSED = [
    # (id, edit, the error)
    ("name-nul", lambda s: _toml(s, "name", "\\u0000"),
     "study.toml: name: holds a control character (U+0000) at position 1"),
    ("site-escape", lambda s: _site_name(s, '"\\u001B[31m"'),
     "study.toml: site: holds a control character (U+001B) at position 1"),
    # one name per language (review A12): each is checked under its own key
    ("site-per-language-escape", lambda s: _site_name(s, '{ en = "x", zh-CN = "\\u001B[31m" }'),
     "study.toml: site.name.zh-CN: holds a control character (U+001B) at position 1"),
    ("phone-c1", lambda s: _toml(s, "site.phone", "+86\\u0085"),
     "study.toml: site.phone: holds a control character (U+0085) at position 4"),
    ("cohort-nul", lambda s: _csv(s, "subjects.csv", "006,3,DL3", "006,3\x00,DL3"),
     "subjects.csv:7: cohort: holds a control character (U+0000) at position 2"),
    ("dose-level-escape", lambda s: _csv(s, "subjects.csv", "006,3,DL3", "006,3,DL\x1b3"),
     "subjects.csv:7: dose_level: holds a control character (U+001B) at position 3"),
    ("closed-day-reason-bell", lambda s: (s / "closed-days.csv").write_text(
        "date,status,reason\n2026-12-02,closed,staff\x07day\n", encoding="utf-8"),
     "closed-days.csv:2: reason: holds a control character (U+0007) at position 6"),
]


@pytest.mark.parametrize(("edit", "message"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_a_control_character_where_calendars_show_it_is_refused(tmp_path: Path, edit: object,
                                                                message: str) -> None:
    study = copy_example_study(tmp_path / "s")
    edit(study)  # type: ignore[operator]
    code, _, err = run("check", str(study))
    assert code == 2, err  # today: exit 0, and the character goes into every calendar
    assert message in err, err
    out = tmp_path / "ics"
    assert run("ics", str(study), "-o", str(out), *STAMP)[0] == 2
    assert not out.exists() or not list(out.iterdir())


KEPT = [
    ("two-line-site", lambda s: _toml(s, "site.name", "Ward 3\\n"), "site"),
    ("tab-in-site", lambda s: _toml(s, "site.name", "Ward 3\\t"), "site"),
    ("note-with-a-control-character", lambda s: _csv(s, "visits.csv", "001,W1D1,2026-05-04,done,",
                                                      "001,W1D1,2026-05-04,done,a\x01b"), "note"),
]


@pytest.mark.parametrize("edit", [k[1] for k in KEPT], ids=[k[0] for k in KEPT])
def test_a_tab_a_line_break_and_free_text_are_kept(tmp_path: Path, edit: object) -> None:
    study = copy_example_study(tmp_path / "s")
    edit(study)  # type: ignore[operator]
    load_study(study)
    out = tmp_path / "ics"
    assert run("ics", str(study), "-o", str(out), *STAMP)[0] == 0
    for ics in out.glob("*.ics"):  # no raw control character, no bare line break
        assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)|(?<!\r)\n",
                             ics.read_bytes()), ics
