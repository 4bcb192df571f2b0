"""What the CDISC exports (USDM in usdm.py, SDTM in sdtm.py) share: the trial's elements.

One definition, so the USDM StudyElements and the SDTM TE/TA rows never disagree.

>>> from cc312_schedule import load_protocol
>>> [code for code, *_ in element_rules(load_protocol())]
['SCRN', 'IND', 'CONT', 'FU']
"""

from __future__ import annotations

from .protocol import Protocol

__all__ = ["element_rules"]


def element_rules(p: Protocol) -> list[tuple[str, str, str, str]]:
    """The trial elements: (code, name, start rule, end rule), in their planned order."""
    ind_end = 7 * p.induction_weeks
    return [
        ("SCRN", "Screening", "Informed consent signed", "First dose of CC312 (study day 1)"),
        ("IND", f"Induction {p.induction_regimen}", "First dose of CC312 (study day 1)",
         f"First continuation dose, or end of treatment (induction: study days 1..{ind_end})"),
        ("CONT", "Continuation", "First dose of the regimen chosen by the investigator after "
         f"Day {p.assessment_day.value}",
         f"End of treatment (no dose after study day {p.last_dose_day.value})"),
        ("FU", "Follow-up", f"End-of-treatment visit (last dose + {p.eot_days_after_last_dose} days)",
         "Last follow-up visit"),
    ]
