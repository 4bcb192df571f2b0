"""docs/data-managers.md lists every SDTM variable with its label and type: the same as the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cc312_schedule.cdisc import domains, sdtm

DOC = Path(__file__).parent.parent / "docs" / "data-managers.md"
DOMAINS = ["TV", "TA", "TE", "TI", "TS", "DM", "SV", "SE", "EX", "DS", "DV"]


def documented(domain: str) -> list[tuple[str, str, str]]:
    text = DOC.read_text(encoding="utf-8")
    m = re.search(rf"^{domain}\n\n\| variable \| label \| type \|\n\|---\|---\|---\|\n((?:\|.*\n)+)",
                  text, re.MULTILINE)
    assert m, f"no variable table for {domain} in {DOC.name}"
    return [tuple(c.strip() for c in line.strip("|").split("|"))  # type: ignore[misc]
            for line in m.group(1).splitlines()]


@pytest.mark.parametrize("domain", DOMAINS, ids=DOMAINS)
def test_variable_table_matches_the_code(domain: str) -> None:
    variables = getattr(sdtm, f"{domain}_VARS", None) or getattr(domains, f"{domain}_VARS")
    assert documented(domain) == [(v.name, v.label, v.type) for v in variables]
