"""Issue 13: the fuzz suite, in CI. Every reader gets mutated input; never a traceback, never
a hang, never a silent row loss. ``CC312_FUZZ_CASES=N`` (study folders; a quarter as many
workbooks) runs more; ``python tests/fuzz_study.py --cases N`` runs it outside pytest."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fuzz_study import Tally, fuzz_study, fuzz_workbook

CASES = int(os.environ.get("CC312_FUZZ_CASES", "300"))
SEED = int(os.environ.get("CC312_FUZZ_SEED", "13"))


def _report(t: Tally) -> str:
    return "\n".join(t.failures()[:20])


def test_fuzzed_study_folders_never_traceback_hang_or_lose_rows(tmp_path: Path) -> None:
    t = fuzz_study(CASES, SEED, tmp_path)
    assert t.cases == CASES
    assert not t.failures(), _report(t)
    assert t.exits[2] > 0 and t.exits[0] > 0  # the mutator both breaks and keeps files valid


@pytest.mark.slow
def test_fuzzed_workbooks_never_traceback_or_hang(tmp_path: Path) -> None:
    t = fuzz_workbook(max(CASES // 4, 20), SEED, tmp_path)
    assert t.cases > 0
    assert not t.failures(), _report(t)
    assert t.exits[2] > 0 and t.exits[0] > 0


def test_the_row_loss_oracle_can_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The row-loss check itself reports a loader that drops a row (a check that cannot fail
    is none): here a loader that silently keeps one visit fewer than the file holds."""
    import dataclasses
    import shutil

    from cc312_schedule import example_study_path
    from cc312_schedule.store import study
    from fuzz_study import check_no_row_loss

    folder = tmp_path / "s"
    shutil.copytree(example_study_path(), folder)
    real = study.load_study
    monkeypatch.setattr(study, "load_study",
                        lambda f: dataclasses.replace(real(f), visits=real(f).visits[:-1]))
    t = Tally()
    check_no_row_loss(folder, t, "oracle")
    assert len(t.row_losses) == 1 and "visits.csv" in t.row_losses[0]
