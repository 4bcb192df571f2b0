"""Issue 20, major 5: resource use inside the documented limits. A 250 MB visits.csv made
``check`` take 155 s and 11.2 GB and print 11.4 million error lines. Now: after 20 errors of
one kind the rest are counted (memory stays bounded by the kinds, not the rows), and the CSV
limit is 64 MB (benchmarks/RESULTS.md has the time and memory at the limit)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from cc312_schedule.cli import main
from cc312_schedule.core.errors import InvalidStudyError, MoreErrors
from cc312_schedule.store.csvfile import ERRORS_SHOWN
from cc312_schedule.store.study import load_study
from conftest import copy_example_study


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


HEADER = "subject_id,visit,actual_date,status,note\n"
# rows: (label, a row repeated 5,000 times, the kinds of error each row has after the first)
ROWS = [
    ("unknown-status", "001,W1D1,2026-05-04,bogus,\n", 2),  # unknown status; recorded twice
    ("unknown-subject", "999,W1D1,2026-05-04,done,\n", 2),  # unknown subject; recorded twice
    ("bad-date", "001,W1D1,2026-02-30,done,\n", 2),  # not a date; recorded twice
]


@pytest.mark.parametrize(("row", "kinds"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_after_twenty_errors_of_a_kind_the_rest_are_counted(tmp_path: Path, row: str,
                                                            kinds: int) -> None:
    study = copy_example_study(tmp_path / "s")
    (study / "visits.csv").write_text(HEADER + row * 5000, encoding="utf-8")
    code, out, err = run("check", str(study))
    assert code == 2 and out == ""
    lines = err.splitlines()
    total = 5000 + 4999 if kinds == 2 else 5000
    assert lines[-1] == f"{total:,} problem(s) found; nothing written"
    assert len(lines) == kinds * (ERRORS_SHOWN + 1) + 1, len(lines)  # today: 9,999 + 1
    assert "visits.csv: visit: and 4,979 more errors like the ones above (not shown)" in err
    with pytest.raises(InvalidStudyError) as info:
        load_study(study)
    more = [e for e in info.value.errors if isinstance(e, MoreErrors)]
    assert len(info.value.errors) == kinds * (ERRORS_SHOWN + 1)
    assert info.value.total == total and sum(e.count for e in more) == total - kinds * ERRORS_SHOWN


def test_a_row_with_a_counted_error_is_still_refused(tmp_path: Path) -> None:
    """The 21st bad row of a kind is not printed, but it is not loaded either: a study with
    only counted errors still fails (the loader judges rows by its count, not the list)."""
    study = copy_example_study(tmp_path / "s")
    text = (study / "visits.csv").read_text(encoding="utf-8")
    rows = "".join(f"001,W{w}D1,2026-05-04,bogus,\n" for w in range(30, 60))
    (study / "visits.csv").write_text(text + rows, encoding="utf-8")
    with pytest.raises(InvalidStudyError) as info:
        load_study(study)
    assert info.value.total == 30


def test_a_csv_over_the_limit_is_refused_by_its_size(tmp_path: Path) -> None:
    study = copy_example_study(tmp_path / "s")
    path = study / "visits.csv"
    with open(path, "r+b") as fh:  # a sparse 65 MB file: no disk used
        fh.truncate(65 * 1024 * 1024)
    code, _, err = run("check", str(study))
    assert code == 2
    assert (f"visits.csv: cannot read: too large, {65 * 1024 * 1024:,} bytes (the limit is "
            "67,108,864)") in err, err
    assert os.path.getsize(path) == 65 * 1024 * 1024
