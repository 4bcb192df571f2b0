"""Issue 20: the fuzz suite's new families, in CI (``CC312_FUZZ_CASES=N`` scales them):
short rows swallowed by an open quote, workbooks without cell references, control
characters in every text field, interrupted feed rotations. Never a traceback, a hang, a
silent row loss, a legitimate note refused, a control character in a calendar, or an old
feed address still served."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fuzz_study import Tally, fuzz_controls, fuzz_no_refs, fuzz_rotations, fuzz_swallowed

CASES = int(os.environ.get("CC312_FUZZ_CASES", "300"))
SEED = int(os.environ.get("CC312_FUZZ_SEED", "20"))

# (family, generator, cases as a share of CASES: the slower families run fewer)
FAMILIES: list[tuple[str, Callable[[int, int, Path], Tally], int]] = [
    ("swallowed-short-rows", fuzz_swallowed, max(CASES // 5, 10)),
    ("workbooks-without-cell-references", fuzz_no_refs, max(CASES // 75, 4)),
    ("control-characters", fuzz_controls, max(CASES // 20, 10)),
    ("interrupted-rotations", fuzz_rotations, max(CASES // 75, 4)),
]


@pytest.mark.parametrize(("fuzz", "cases"), [f[1:] for f in FAMILIES], ids=[f[0] for f in FAMILIES])
def test_issue_20_families(tmp_path: Path, fuzz: Callable[[int, int, Path], Tally],
                           cases: int) -> None:
    t = fuzz(cases, SEED, tmp_path)
    assert t.cases == cases
    assert not t.failures(), "\n".join(t.failures()[:20])
    assert sum(t.exits.values()) > 0
