"""Rewrite the golden files from the current code: `make golden`, then review `git diff tests/golden`."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
TODAY = "2026-11-25"

#: golden file -> the CLI arguments that produce it (the study folder is added in front)
CASES = {
    "example-plan.csv": ["--format", "csv"],
    "example-plan.json": ["--format", "json"],
    "example-plan.txt": ["--format", "table"],
    "example-plan-assume-QW.csv": ["--format", "csv", "--assume", "QW"],
}


def render(args: list[str]) -> str:
    import io

    from cc312_schedule import example_study_path
    from cc312_schedule.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = main(["plan", str(example_study_path()), "--today", TODAY, *args], stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    # the example study's path differs per checkout: keep only its folder name
    return out.getvalue().replace(str(example_study_path()), "templates/example-study")


if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    for name, args in CASES.items():
        (GOLDEN / name).write_text(render(args), encoding="utf-8")
        print(f"wrote {GOLDEN / name}", file=sys.stderr)
