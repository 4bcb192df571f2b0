"""Import boundaries (docs/development.md "Performance", house style 14), checked in a fresh interpreter.

Commands that do not need pandas, openpyxl or icalendar never import them (the CLI starts
fast), and the engine imports only the standard library and dateutil.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from cc312_schedule import example_study_path

pytestmark = pytest.mark.slow  # subprocesses

EXPORTERS = ("pandas", "openpyxl", "icalendar", "python_calamine")
ENGINE = ("core.days", "core.protocol", "core.domain", "core.opendays", "core.model",
          "planning.engine", "planning.capacity", "planning.slots", "store.study", "store.sitecal")


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code`` (top-level names)."""
    script = textwrap.dedent(code) + textwrap.dedent("""
        import json, sys
        print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    return set(json.loads(proc.stdout.splitlines()[-1]))


@pytest.mark.parametrize(("argv", "also_absent"), [
    (["--help"], ("holidays", "dateutil", "typing", "dataclasses", "pathlib")),
    (["plan", str(example_study_path()), "--format", "csv", "--today", "2026-11-25"], ()),
], ids=["help", "plan-csv"])
def test_cli_command_does_not_import_the_exporters(argv: list[str],
                                                    also_absent: tuple[str, ...]) -> None:
    loaded = modules_after(f"""
        import io
        from cc312_schedule.cli import main
        code = main({argv!r}, stdout=io.StringIO(), stderr=io.StringIO())
        assert code == 0, code
    """)
    assert loaded.isdisjoint(EXPORTERS + also_absent), sorted(
        loaded & {*EXPORTERS, *also_absent})


def test_help_does_not_import_the_engine() -> None:
    code = "import io\nfrom cc312_schedule.cli import main\nmain(['--help'], stdout=io.StringIO())\n"
    proc = subprocess.run([sys.executable, "-c", code + "import sys\nprint(sorted(m for m in "
                           "sys.modules if m.startswith('cc312_schedule')))"],
                          capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines()[-1] == (
        "['cc312_schedule', 'cc312_schedule.cli', 'cc312_schedule.core', 'cc312_schedule.core.errors']")


@pytest.mark.parametrize("module", ENGINE, ids=ENGINE)
def test_engine_module_imports_only_stdlib_and_dateutil(module: str) -> None:
    before = modules_after("")
    after = modules_after(f"import cc312_schedule.{module}")
    foreign = {m for m in after - before
               if m not in sys.stdlib_module_names and m not in ("cc312_schedule", "dateutil", "six")
               and not m.startswith("_sysconfigdata")}  # sysconfig's generated module (stdlib)
    assert not foreign, f"cc312_schedule.{module} imports {sorted(foreign)} at import time"
