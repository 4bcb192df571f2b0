"""The examples of docs/nurses.md and docs/participants.md are run: each ``$ cc312-schedule ...``
line of a ``console`` block, whose output (stdout, then stderr) must be the lines that follow."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pytest

from cc312_schedule.cli import main
from conftest import copy_example_study

DOCS = Path(__file__).parents[1] / "docs"


def examples(page: str) -> list[tuple[str, str]]:
    text = (DOCS / page).read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, expected = chunk.partition("\n")
            out.append((command, expected))
    return out


CASES = [pytest.param(page, cmd, expected, id=f"{page}:{cmd.split()[1]}-{i}")
         for page in ("nurses.md", "participants.md")
         for i, (cmd, expected) in enumerate(examples(page))]


def test_every_page_has_examples() -> None:
    assert {c.values[0] for c in CASES} == {"nurses.md", "participants.md"}


@pytest.mark.parametrize(("page", "command", "expected"), CASES)
def test_documented_example(page: str, command: str, expected: str, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    study = copy_example_study(tmp_path / "templates" / "example-study")
    assert study.is_dir()
    monkeypatch.chdir(tmp_path)
    argv = shlex.split(command)
    assert argv[0] == "cc312-schedule"
    if "--on" in argv:  # the example is of that day ("on Monday 30 November"): it is today
        import datetime

        import cc312_schedule.cli as cli

        day = datetime.date.fromisoformat(argv[argv.index("--on") + 1])
        monkeypatch.setattr(cli, "_today_at_site", lambda zone: day)
    out, err = io.StringIO(), io.StringIO()
    assert main(argv[1:], stdout=out, stderr=err) == 0, err.getvalue()
    assert out.getvalue() + err.getvalue() == expected
    if "-o" in argv:
        assert (tmp_path / argv[argv.index("-o") + 1]).stat().st_size > 1000
