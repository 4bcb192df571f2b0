"""What the CDISC exports share: the trial's elements (USDM in usdm.py, SDTM in sdtm.py) and
the dataset model (SDTM builds it; xport.py and datasetjson.py write it).

One definition, so the USDM StudyElements and the SDTM TE/TA rows never disagree.

>>> from cc312_schedule import load_protocol
>>> [code for code, *_ in element_rules(load_protocol())]
['SCRN', 'IND', 'CBIW', 'CQW', 'CQ2W', 'CQ4W', 'FU']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..core.domain import SourceRef
from ..core.protocol import Protocol

__all__ = ["UNIT_CODES", "Dataset", "Variable", "continuation_element", "element_rules"]

# CDISC UNIT (C71620) submission values a dose level may use, with their NCI codes (the
# usdm4 CT cache, sdtmct 2026-03-27).
UNIT_CODES = {"mg": "C28253", "mg/kg": "C67401", "ug/kg": "C67396", "ug": "C48152",
              "mg/m2": "C67402"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Variable:
    """One SDTM variable: ``name`` (≤ 8), ``label`` (≤ 40), ``type`` Char or Num."""

    name: str
    label: str
    type: Literal["Char", "Num"] = "Char"
    kind: Literal["text", "date", "integer", "float"] = "text"  # for Dataset-JSON dataType

    @property
    def is_char(self) -> bool:
        return self.type == "Char"


@dataclass(frozen=True, slots=True, kw_only=True)
class Dataset:
    """A dataset: metadata, rows (tuples in variable order) and where each row came from.

    ``sources[i]`` maps a variable name (or ``"*"`` for the rest of the row) to the file and
    line its value came from, so a value that does not fit a format is reported there.
    """

    name: str
    label: str
    variables: tuple[Variable, ...]
    rows: tuple[tuple[Any, ...], ...]
    keys: tuple[str, ...] = ()
    sources: tuple[dict[str, SourceRef], ...] = field(default=(), compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables)

    def row_dict(self, i: int) -> dict[str, Any]:
        return dict(zip(self.names, self.rows[i], strict=True))

    def column(self, name: str) -> list[Any]:
        j = self.names.index(name)
        return [r[j] for r in self.rows]

    def source_of(self, i: int, variable: str) -> SourceRef:
        src = self.sources[i] if i < len(self.sources) else {}
        return src.get(variable) or src.get("*") or SourceRef()


def continuation_element(regimen_code: str) -> str:
    """The element code of a continuation on ``regimen_code``: ``C`` + the code (``CQ2W``)."""
    return f"C{regimen_code}"[:8]


def element_rules(p: Protocol) -> list[tuple[str, str, str, str]]:
    """The trial elements: (code, name, start rule, end rule), in their planned order: screening,
    the induction, one continuation element per regimen (so that a switch of regimen is a new
    element in SDTM SE), follow-up. Screening ends the day before the first dose."""
    ind_end = 7 * p.induction_weeks
    aday, cap = p.assessment_day.value, p.last_dose_day.value
    rules = [
        ("SCRN", "Screening", "Informed consent signed",
         "The day before the first dose of CC312 (study day -1)"),
        ("IND", f"Induction {p.induction_regimen}", "First dose of CC312 (study day 1)",
         f"The day before the first continuation dose, or before end of treatment (induction: "
         f"study days 1..{ind_end})"),
    ]
    for r in p.regimens:
        rules.append((continuation_element(r.code), f"Continuation {r.code}",
                      f"First dose of {r.code} ({r.cdisc_frequency or r.label}) chosen by the "
                      f"investigator after Day {aday}",
                      f"The day before a dose of another regimen, or before end of treatment (no "
                      f"dose after study day {cap})"))
    rules.append(("FU", "Follow-up",
                  f"End-of-treatment visit (last dose + {p.eot_days_after_last_dose} days)",
                  "Last follow-up visit"))
    return rules
