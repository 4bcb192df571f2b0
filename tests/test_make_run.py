"""`make run` and the README's command lines, as a person runs them (issue 10).

* `make run` writes every output under out/, works on a fresh copy of the bundled example
  (out/example-study) so nothing is written into templates/, and prints each warning once;
* the README's `cc312-schedule ...` lines on the example run as written once the virtual
  environment's bin folder is on PATH (what `. .venv/bin/activate` does).

Both use the environment running the tests as the Makefile's .venv (VENV=sys.prefix), with the
pip step replaced by a no-op: make test has just installed the package there.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "templates" / "example-study"
BIN = Path(sys.prefix) / "bin"
OUTPUTS = ["plan.csv", "plan.json", "plan.txt", "plan.xlsx", "ics/site.ics", "ics/subject-003.ics",
           "example-study/subjects.csv", "example-study/.cc312-ics-state.json",
           # issue 15: the Chinese example study's outputs, in Chinese
           "zh-CN/plan.csv", "zh-CN/plan.json", "zh-CN/plan.txt", "zh-CN/plan.xlsx",
           "zh-CN/ics/site.ics", "zh-CN/due.html", "zh-CN/handout-003.pdf",
           # issue 23: SDTM of the Chinese example with the default format (XPT and JSON)
           "zh-CN/sdtm/sv.xpt", "zh-CN/sdtm/sv.json", "zh-CN/sdtm/define.xml"]


def installed() -> None:
    if not (BIN / "cc312-schedule").is_file() or shutil.which("make") is None:
        pytest.skip("needs make and the package installed in a virtual environment (make test)")


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


def make_run(out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), "run", f"VENV={sys.prefix}",
         f"OUT={out}", "PIP_INSTALL=: pip install"],
        capture_output=True, text=True, timeout=300, check=False)


def test_make_run_writes_out_on_a_copy_and_warns_once(tmp_path: Path) -> None:
    installed()
    before = snapshot(EXAMPLE)
    out = tmp_path / "out"
    done = make_run(out)
    assert done.returncode == 0, done.stderr
    assert [f for f in OUTPUTS if not (out / f).is_file()] == []
    assert snapshot(EXAMPLE) == before  # no state, no lock, nothing touched in templates/
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings, done.stderr  # the example has warnings (a clipped decision, deviations)
    assert [w for w, n in Counter(warnings).items() if n > 1] == []
    assert f"the tool: {BIN}/cc312-schedule --help" in done.stdout

    # a second run starts again from the example: what the first run (or a person) left in
    # the copy is gone, and the calendars are published afresh
    (out / "example-study" / "scribble.txt").write_text("left over")
    again = make_run(out)
    assert again.returncode == 0, again.stderr
    assert not (out / "example-study" / "scribble.txt").exists()
    assert again.stderr.count("warning: ") == done.stderr.count("warning: ")


DOCS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))


def readme_example_lines() -> list[str]:
    """The command lines (in ```sh blocks) of the README and every page of docs/ that name the
    example study, not a placeholder."""
    text = "\n".join(path.read_text(encoding="utf-8") for path in DOCS)
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            command = line.split("  #")[0].strip()
            if command.startswith("cc312-schedule ") and "example-study" in command:
                lines.append(command)
    return lines


def test_the_readme_has_example_lines() -> None:
    assert "cc312-schedule ics out/example-study -o out/ics" in readme_example_lines()


@pytest.mark.parametrize("line", readme_example_lines())
def test_readme_line_runs_as_written_after_make_run(tmp_path: Path, line: str) -> None:
    """In a folder where `make run` has made out/example-study, with the venv's bin on PATH."""
    installed()
    shutil.copytree(EXAMPLE, tmp_path / "out" / "example-study",
                    ignore=shutil.ignore_patterns(".cc312-*"))
    (tmp_path / "templates").mkdir()
    shutil.copytree(EXAMPLE, tmp_path / "templates" / "example-study",
                    ignore=shutil.ignore_patterns(".cc312-*"))
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(line, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
