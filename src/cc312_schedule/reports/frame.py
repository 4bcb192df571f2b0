"""Plans as pandas DataFrames: one row per event, typed columns.

pandas is imported inside the functions, so importing this module costs nothing.

>>> from datetime import date
>>> from cc312_schedule import load_study, example_study_path, plan_study
>>> df = to_frame(plan_study(load_study(example_study_path()), today=date(2026, 11, 25)))
>>> df.dtypes[["target_date", "study_day", "dose_number", "kind", "status"]].astype(str).tolist()
['datetime64[s]', 'Int64', 'Int64', 'category', 'category']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.messages import procedures
from ..core.model import EventKind, EventStatus, PlannedEvent, StudyPlan, SubjectPlan

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PLAN_COLUMNS", "event_row", "to_frame"]

#: The plan's columns, in order; the first twelve are the CSV contract of ``plan --format csv``.
PLAN_COLUMNS = (
    "subject_id", "visit", "kind", "study_day", "week", "target_date", "planned_date",
    "window_start", "window_end", "status", "dose_number", "regimen", "reason",
    "actual_date", "cohort", "dose_level", "deviation", "after_completion", "unplanned",
    "procedures", "note", "reason_id", "reason_fields",
)
_DATES = ("target_date", "planned_date", "window_start", "window_end", "actual_date")
_INTS = ("study_day", "week", "dose_number")
_BOOLS = ("deviation", "after_completion", "unplanned")


def event_row(plan: SubjectPlan, e: PlannedEvent, lang: str = "en") -> dict[str, Any]:
    """One event as a flat dict of Python values, keyed by :data:`PLAN_COLUMNS`.

    ``reason`` and ``procedures`` are in ``lang``; ``reason_id`` and ``reason_fields`` (a JSON
    object: dates ISO, nested texts as ``{"id", "fields"}``) are the reason as data.
    """
    import json

    why = e.reason_text.as_json() if e.reason_text is not None else None
    return {
        "subject_id": e.subject_id, "visit": e.visit, "kind": e.kind.value,
        "study_day": e.study_day.value, "week": e.week, "target_date": e.target_date,
        "planned_date": e.planned_date, "window_start": e.window_start,
        "window_end": e.window_end, "status": e.status.value, "dose_number": e.dose_number,
        "regimen": e.regimen, "reason": e.reason_in(lang), "actual_date": e.actual_date,
        "cohort": plan.subject.cohort,
        "dose_level": plan.subject.dose_level, "deviation": e.deviation,
        "after_completion": e.after_completion, "unplanned": e.unplanned,
        "procedures": procedures(lang, e.procedures), "note": e.note,
        "reason_id": why["id"] if why else "",
        "reason_fields": json.dumps(why["fields"], ensure_ascii=False, sort_keys=True)
        if why else "",
    }


def to_frame(plan: StudyPlan | SubjectPlan, lang: str = "en") -> pd.DataFrame:
    """One row per event: dates as ``datetime64``, counts as ``Int64``, kind/status categorical;
    reasons and procedures in ``lang``."""
    import pandas as pd

    subjects = plan.subjects if isinstance(plan, StudyPlan) else (plan,)
    rows = [event_row(p, e, lang) for p in subjects for e in p.events]
    df = pd.DataFrame(rows, columns=list(PLAN_COLUMNS))
    for c in _DATES:
        df[c] = pd.to_datetime(df[c]).astype("datetime64[s]")
    for c in _INTS:
        df[c] = df[c].astype("Int64")
    for c in _BOOLS:
        df[c] = df[c].astype(bool)
    df["kind"] = pd.Categorical(df["kind"], categories=[k.value for k in EventKind])
    df["status"] = pd.Categorical(df["status"], categories=[s.value for s in EventStatus])
    for c in ("subject_id", "visit", "regimen", "reason", "cohort", "dose_level", "procedures",
              "note", "reason_id", "reason_fields"):
        df[c] = df[c].astype("string")
    return df
