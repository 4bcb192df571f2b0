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


#: Issue 9's clinical edges, one subject each (tests/studies/issue-9-edges/study.toml says which)
EDGES = HERE / "studies" / "issue-9-edges"
EDGES_TODAY = "2026-11-30"
CASES.update({
    "issue-9-edges-plan.txt": ["--study", str(EDGES), "--format", "table", "--today", EDGES_TODAY],
    "issue-9-edges-assume-QW.json": ["--study", str(EDGES), "--format", "json", "--today",
                                     EDGES_TODAY, "--assume", "QW"],
})


def render(args: list[str]) -> str:
    import io

    from cc312_schedule import example_study_path
    from cc312_schedule.cli import main

    study, today = str(example_study_path()), ["--today", TODAY]
    if args[:1] == ["--study"]:
        study, args, today = args[1], args[2:], []
    out, err = io.StringIO(), io.StringIO()
    code = main(["plan", study, *today, *args], stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    # the study's path differs per checkout: keep only the part inside the repository
    return (out.getvalue().replace(str(example_study_path()), "templates/example-study")
            .replace(str(EDGES), "tests/studies/issue-9-edges"))


if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    for name, args in CASES.items():
        (GOLDEN / name).write_text(render(args), encoding="utf-8")
        print(f"wrote {GOLDEN / name}", file=sys.stderr)
