"""Issue 13, data loss nobody sees: a stray quote in a study CSV, a carriage return in a note."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from cc312_schedule.cli import main
from cc312_schedule.store.study import load_study
from conftest import copy_example_study


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _edit_line(path: Path, n: int, suffix: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[n - 1] = lines[n - 1].rstrip("\n") + suffix + "\n"
    path.write_text("".join(lines), encoding="utf-8")


@pytest.mark.parametrize(("file", "line", "suffix", "message"), [
    # the case: a stray quote opens a note that runs to the end of the file
    ("visits.csv", 5, '"', "visits.csv:5: a quote (\") opens here and is never closed"),
    # a decisions.csv cut mid-quote (the old reader kept 1 of 9 decisions)
    ("decisions.csv", 3, "<cut>", "decisions.csv:3: a quote (\") opens here and is never closed"),
    # a quote closed rows later: the note would swallow rows 5..8
    ("visits.csv", 5, '"x', "visits.csv:5: "),
], ids=["visits-open-to-eof", "decisions-cut-mid-quote", "visits-closed-rows-later"])
def test_stray_quote_is_an_error_naming_its_line(tmp_path: Path, file: str, line: int, suffix: str,
                                                 message: str) -> None:
    study = copy_example_study(tmp_path / "s")
    if suffix == "<cut>":  # the file ends inside the quoted rationale of line 3
        text = (study / file).read_text(encoding="utf-8")
        lines = text.splitlines(keepends=True)
        cut = sum(map(len, lines[:line - 1])) + lines[line - 1].index('"') + 5
        (study / file).write_text(text[:cut], encoding="utf-8")
    else:
        _edit_line(study / file, line, suffix)
    if file == "visits.csv" and suffix == '"x':
        _edit_line(study / file, 8, '"')
    code, out, err = run("check", str(study))
    assert code == 2 and out == ""
    assert message in err, err
    # and a writer refuses to append after it (the old record swallowed the new row)
    before = (study / file).read_bytes()
    code, _, err = run("record", str(study), "006", "D28", "--done", "2026-11-23", "--today", "2026-11-30")
    assert code == 2 and (study / file).read_bytes() == before


def test_a_multi_line_note_in_quotes_is_kept(make_study) -> None:  # type: ignore[no-untyped-def]
    folder = make_study(visits='001,W1D1,2026-03-02,done,"first line\nsecond line"\n001,W1D4,2026-03-05,done,\n')
    study = load_study(folder)
    assert [v.note for v in study.visits] == ["first line\nsecond line", ""]


def test_a_line_break_outside_a_free_text_column_is_refused(make_study) -> None:  # type: ignore[no-untyped-def]
    folder = make_study(visits='001,"W1D1\n",2026-03-02,done,\n')
    code, _, err = run("check", str(folder))
    assert code == 2 and "visits.csv:2: visit: a quoted value runs from line 2 to line 3" in err


# every character class a note can hold, through `record --note` and back through the loader
NOTES = [
    ("plain", "given late, patient traffic"),
    ("comma", "a, b, c"),
    ("quote", 'said "fine"'),
    ("carriage-return", "line one\rline two"),
    ("newline", "line one\nline two"),
    ("crlf", "line one\r\nline two"),
    ("tab", "a\tb"),
    ("unicode-line-separators", "a\u2028b\x85c"),
    ("chinese", "患者迟到，已给药"),
    ("formula-like", "=HYPERLINK(\"x\")"),
    ("emoji", "ok \U0001F44D"),
]


@pytest.mark.parametrize(("name", "note"), NOTES, ids=[n for n, _ in NOTES])
def test_note_round_trip(tmp_path: Path, name: str, note: str) -> None:
    study = copy_example_study(tmp_path / "s")
    code, _, err = run("record", str(study), "006", "D28", "--done", "2026-11-23", "--note", note,
                       "--today", "2026-11-30")
    assert code == 0, err
    got = [v for v in load_study(study).visits if (v.subject_id, v.visit) == ("006", "D28")]
    assert [v.note for v in got] == [note]
