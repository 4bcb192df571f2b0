"""The example study's plan, compared with reviewed golden files (`make golden` rewrites them)."""

from __future__ import annotations

import pytest

from regenerate_golden import CASES, GOLDEN, render


@pytest.mark.parametrize("name", sorted(CASES), ids=sorted(CASES))
def test_example_plan_matches_golden(name: str) -> None:
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    assert render(CASES[name]) == expected, f"run `make golden` and review the diff of {name}"
