"""Golden calendars of the example study, reviewed as diffs.

Rewrite them with ``python tests/test_ics_golden.py`` (from the repository root), then review
``git diff tests/golden/ics``. They change whenever the example study, the protocol template
or the calendar format changes.
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import copy_example_study

GOLDEN = Path(__file__).parent / "golden" / "ics"
STAMP_1, STAMP_2 = "2026-11-25T08:00:00Z", "2026-11-26T08:00:00Z"
STOP_003 = "003,2026-11-26,stop,,,,Dr. Investigator A,AE\n"
CASES = ("subject-003.ics", "subject-003-after-stop.ics", "subject-006-zh-CN-assume-QW.ics")


def render() -> dict[str, bytes]:
    """Export the example study, add a stop for 003, export again; and a Chinese one."""
    from cc312_schedule.cli import main

    def run(*args: str) -> None:
        err = io.StringIO()
        assert main(["ics", *args], stdout=io.StringIO(), stderr=err) == 0, err.getvalue()

    out: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        study = Path(tmp) / "study"
        copy_example_study(study)
        run(str(study), "-o", f"{tmp}/a", "--generated-at", STAMP_1)
        out["subject-003.ics"] = Path(f"{tmp}/a/subject-003.ics").read_bytes()
        with (study / "decisions.csv").open("a", encoding="utf-8") as fh:
            fh.write(STOP_003)
        run(str(study), "-o", f"{tmp}/b", "--generated-at", STAMP_2)
        out["subject-003-after-stop.ics"] = Path(f"{tmp}/b/subject-003.ics").read_bytes()
        toml = study / "study.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace(
            'language = "en"', 'language = "zh-CN"'), encoding="utf-8")
        # --today fixes the day the assumed regimen may start from (never the past), else the
        # site's real today would move it
        run(str(study), "-o", f"{tmp}/c", "--subject", "006", "--assume", "QW",
            "--generated-at", STAMP_2, "--today", "2026-11-20")
        out["subject-006-zh-CN-assume-QW.ics"] = Path(f"{tmp}/c/subject-006.ics").read_bytes()
    return out


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    return render()


@pytest.mark.parametrize("name", CASES, ids=CASES)
def test_calendar_matches_golden(rendered: dict[str, bytes], name: str) -> None:
    assert rendered[name] == (GOLDEN / name).read_bytes(), \
        f"run `python tests/test_ics_golden.py` and review the diff of tests/golden/ics/{name}"


if __name__ == "__main__":
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for name, data in render().items():
        (GOLDEN / name).write_bytes(data)
        print(f"wrote {GOLDEN / name}", file=sys.stderr)
