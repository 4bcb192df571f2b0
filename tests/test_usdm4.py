"""CDISC's own USDM library, usdm4 0.29 (Python 3.12, in .venv-cdisc: tests/setup-system.sh),
on our USDM export: it loads into usdm4's model (which refuses a Study.id that is not a UUID),
its Expander (what USDM viewers use to draw a schedule) computes the main timeline, and its
rules find nothing but what is answered in docs/data-managers.md.

usdm4 runs in its own interpreter through tools/cdisc_usdm4.py (it is GPL-3.0 and needs 3.12;
the package never imports it). In CI the environment must be there (no skip).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cc312_schedule import bundled_protocol_path, load_protocol
from cc312_schedule.cdisc.usdm import to_usdm_json
from cc312_schedule.core.protocol import load_protocol_text
from conftest import require_program

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def run_usdm4(tmp_path: Path, data: bytes) -> dict[str, Any]:
    python = require_program(str(ROOT / ".venv-cdisc" / "bin" / "python"),
                             what="usdm4 (.venv-cdisc)")
    path = tmp_path / "usdm.json"
    path.write_bytes(data)
    done = subprocess.run([python, str(ROOT / "tools" / "cdisc_usdm4.py"), str(path)],
                          capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return run_usdm4(tmp_path_factory.mktemp("usdm4"), to_usdm_json(load_protocol()))


def test_loads_into_usdm4(result: dict[str, Any]) -> None:
    assert (result["usdm4"], result["loaded"], result["load_errors"]) == ("0.29.0", True, 0)


def test_the_expander_computes_the_main_timeline(result: dict[str, Any]) -> None:
    # usdm4 counts the anchor's own value (P1D) for W1D1 only: its "day" is the timing's offset,
    # so W1D4 (study day 4, P3D after W1D1) is 3; the numbers below are usdm4's, written out.
    nodes = [(n["label"], n["day"]) for n in result["expander"]["nodes"]]
    assert nodes == [
        ("Screening", -1), ("Induction dose 1 (W1D1)", 1), ("Induction dose 2 (W1D4)", 3),
        ("Induction dose 3 (W2D1)", 7), ("Induction dose 4 (W2D4)", 10),
        ("Induction dose 5 (W3D1)", 14), ("Induction dose 6 (W3D4)", 17),
        ("Induction dose 7 (W4D1)", 21), ("Induction dose 8 (W4D4)", 24),
        ("Day 28 continuation assessment", 27), ("End of treatment", 31),
        ("Follow-up FU1", 52), ("Follow-up FU2", 108), ("Follow-up FU3", 192)]
    # the Expander evaluates only "day < n" conditions: the investigator's choice among the
    # regimens is "complex" to it, and it follows the default (stop): said once, nothing else
    assert result["expander"]["errors"] == ["Complex condition encountered, being ignored."]


def test_usdm4_rules_find_only_the_dose_the_record_does_not_state(result: dict[str, Any]) -> None:
    findings = [(f["rule"], f["level"], f["message"]) for f in result["rules"]["findings"]]
    # DDF00177 (a warning): the administrations name a route but no dose, because the registry
    # record publishes no amount and the template states none (docs/data-managers.md)
    assert findings == [("DDF00177", "Warning", "route is set but dose is missing")] * 4


def test_with_dose_amounts_usdm4_finds_nothing(tmp_path: Path) -> None:
    text = bundled_protocol_path().read_text(encoding="utf-8")
    for level, amount in (("1", "0.1"), ("2", "0.3"), ("3", "1.0")):
        text = text.replace(f'label = "Dose level {level}"',
                            f'label = "Dose level {level}"\namount = {amount}\nunit = "mg/kg"')
    result = run_usdm4(tmp_path, to_usdm_json(load_protocol_text(text)))
    assert result["loaded"] and result["rules"]["findings"] == []


def test_usdm4_refuses_a_study_id_that_is_not_a_uuid(tmp_path: Path) -> None:
    """The check can fail: the Study.id of the first version of the export."""
    doc = json.loads(to_usdm_json(load_protocol()))
    doc["study"]["id"] = "Study_1"
    result = run_usdm4(tmp_path, json.dumps(doc).encode("utf-8"))
    assert not result["loaded"] and result["load_errors"] == 1
