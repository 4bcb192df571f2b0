"""Issue 20, major 2 and its messages: an open quote that swallows a *short* row (one without
its trailing empty fields) passed the first fix; one line break in subjects.csv gave an error per
visit of every later subject; a quote's lines were named backwards ("from line 7 to line 3")."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from cc312_schedule.cli import main
from cc312_schedule.store.study import load_study
from conftest import copy_example_study


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def visits_short_row_swallowed(study: Path) -> str:
    """visits.csv: line 2's note opens a quote; line 3 lost its trailing empty note field; the
    quote closes on a new line 4. Today: 136 recorded visits instead of 137, exit 0."""
    path = study / "visits.csv"
    lines = _lines(path)
    lines[1] = lines[1].rstrip("\n") + '"late\n'
    lines[2] = lines[2].rstrip(",\n") + "\n"  # 001,W1D4,2026-05-07,done (no note field)
    lines.insert(3, 'BP 140/90"\n')
    path.write_text("".join(lines), encoding="utf-8")
    return "visits.csv"


def decisions_resume_swallowed(study: Path) -> str:
    """decisions.csv: a resume without a rationale swallowed by the hold's open rationale;
    today the subject stays on hold."""
    path = study / "decisions.csv"
    lines = _lines(path)
    lines[9] = '005,2026-11-02,hold,,,,Dr. Investigator A,"Grade 2 respiratory infection\n'
    lines += ["005,2026-11-16,resume,,,,Dr. Investigator A\n", 'resolved"\n']
    path.write_text("".join(lines), encoding="utf-8")
    return "decisions.csv"


CASES: list[tuple[str, Callable[[Path], str], str]] = [
    ("visits-short-row", visits_short_row_swallowed,
     "visits.csv:2: note: a quoted value opens on line 2 and swallows line 3, which looks "
     "like a row of its own"),
    ("decisions-resume-without-rationale", decisions_resume_swallowed,
     "decisions.csv:10: rationale: a quoted value opens on line 10 and swallows line 11, which "
     "looks like a row of its own"),
]


@pytest.mark.parametrize(("edit", "message"), [(e, m) for _, e, m in CASES],
                         ids=[i for i, _, _ in CASES])
def test_a_swallowed_short_row_is_an_error_naming_both_lines(tmp_path: Path,
                                                             edit: Callable[[Path], str],
                                                             message: str) -> None:
    study = copy_example_study(tmp_path / "s")
    name = edit(study)
    code, out, err = run("check", str(study))
    assert code == 2 and out == "", out
    assert message in err, err
    assert err.count("error:") == 1, err
    before = (study / name).read_bytes()  # and no writer appends after it
    code, _, err = run("record", str(study), "006", "D28", "--done", "2026-11-23", "--today",
                       "2026-11-30")
    assert code == 2 and (study / name).read_bytes() == before


# A note's or rationale's own lines are kept, commas and all, when none could be a row.
KEPT = [
    ("note-with-commas", "visits.csv", 2, '"late\nBP 140/90, HR 80, T 37.2"', "late\nBP 140/90, HR 80, T 37.2"),
    ("note-with-date-like-line", "visits.csv", 2, '"late\n2026-05-05 called back"', "late\n2026-05-05 called back"),
    ("note-line-like-a-visit-but-no-status", "visits.csv", 2, '"late\n001,W1D4,2026-05-07,tbc"',
     "late\n001,W1D4,2026-05-07,tbc"),
    ("rationale-three-lines", "decisions.csv", 2, '"a\nb, c\nd"', "a\nb, c\nd"),
]


@pytest.mark.parametrize(("file", "line", "value", "kept"), [k[1:] for k in KEPT],
                         ids=[k[0] for k in KEPT])
def test_a_multi_line_free_text_that_holds_no_row_is_kept(tmp_path: Path, file: str, line: int,
                                                          value: str, kept: str) -> None:
    study = copy_example_study(tmp_path / "s")
    path = study / file
    lines = _lines(path)
    cells = lines[line - 1].rstrip("\n").split(",")
    if file == "visits.csv":
        cells[-1] = value
    else:  # the rationale: everything after the 7th comma
        cells = [*cells[:7], value]
    lines[line - 1] = ",".join(cells) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    study_ = load_study(study)
    got = (study_.visits[0].note if file == "visits.csv" else study_.decisions[0].rationale)
    assert got == kept


def test_one_line_break_in_subjects_is_one_error(tmp_path: Path) -> None:
    """A quoted line break in subject 002's initials stops subjects.csv there: the visits and
    decisions of the subjects after it are not each reported as unknown (today: 94 errors)."""
    study = copy_example_study(tmp_path / "s")
    path = study / "subjects.csv"
    lines = _lines(path)
    lines[2] = lines[2].replace("LWJ", '"LW\nJ"')
    path.write_text("".join(lines), encoding="utf-8")
    code, _, err = run("check", str(study))
    assert code == 2
    assert err.count("error:") == 1, err
    assert "subjects.csv:3: initials: a quoted value runs from line 3 to line 4" in err
    assert "1 problem(s) found" in err


def test_the_quote_is_named_on_its_own_record_not_a_later_one(tmp_path: Path) -> None:
    """A visit name quoted over lines 2-3, and a legitimate two-line note on lines 7-8 after
    it: the error names lines 2 and 3 (today: "from line 8 to line 3")."""
    study = copy_example_study(tmp_path / "s")
    path = study / "visits.csv"
    lines = _lines(path)
    lines[1] = '001,"W1D1\n",2026-05-04,done,\n'
    lines[6] = lines[6].rstrip("\n") + '"a\nb"\n'
    path.write_text("".join(lines), encoding="utf-8")
    code, _, err = run("check", str(study))
    assert code == 2
    assert "visits.csv:2: visit: a quoted value runs from line 2 to line 3 " in err, err
