"""cc312-schedule: dosing-schedule and visit planner for the CC312 trial (NCT07193810).

The engine (``plan_*``) is pure and imports only the standard library and dateutil;
``to_frame`` imports pandas only when called (the CLI starts fast without it).
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the CLI starts fast)
if TYPE_CHECKING:  # the names below, for type checkers and IDEs
    from typing import Any

    from .clock import plan_study
    from .days import StudyDay, Window, parse_iso_date
    from .engine import check_decisions, plan_subject, visit_kind
    from .errors import (
        DecisionError,
        InvalidStudyError,
        NotFoundError,
        ProtocolError,
        ScheduleError,
        StudyFileError,
        UsageError,
    )
    from .frame import to_frame
    from .model import (
        EventKind,
        EventStatus,
        Outcome,
        PlannedEvent,
        PlanWarning,
        StudyPlan,
        SubjectPlan,
        SubjectState,
    )
    from .protocol import Protocol, Regimen, bundled_protocol_path, load_protocol
    from .study import (
        Action,
        Decision,
        RecordedVisit,
        RecordStatus,
        Study,
        StudyConfig,
        Subject,
        example_study_path,
        load_study,
    )
    from .warnings import ScheduleWarning

#: Public name -> the module that defines it. Importing the package imports none of them:
#: ``cc312-schedule --help`` must not pay for the engine, and pandas/icalendar/openpyxl load only
#: in the exporters that need them (see the start-up figures in README "Performance").
_EXPORTS = {
    "Action": "study",
    "Decision": "study",
    "DecisionError": "errors",
    "EventKind": "model",
    "EventStatus": "model",
    "InvalidStudyError": "errors",
    "NotFoundError": "errors",
    "Outcome": "model",
    "PlanWarning": "model",
    "PlannedEvent": "model",
    "Protocol": "protocol",
    "ProtocolError": "errors",
    "RecordStatus": "study",
    "RecordedVisit": "study",
    "Regimen": "protocol",
    "ScheduleError": "errors",
    "ScheduleWarning": "warnings",
    "Study": "study",
    "StudyConfig": "study",
    "StudyDay": "days",
    "StudyFileError": "errors",
    "StudyPlan": "model",
    "Subject": "study",
    "SubjectPlan": "model",
    "SubjectState": "model",
    "UsageError": "errors",
    "Window": "days",
    "bundled_protocol_path": "protocol",
    "check_decisions": "engine",
    "example_study_path": "study",
    "load_protocol": "protocol",
    "load_study": "study",
    "parse_iso_date": "days",
    "plan_study": "clock",  # the engine's, with today defaulting to today at the site
    "plan_subject": "engine",
    "to_frame": "frame",
    "visit_kind": "engine",
}


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'cc312_schedule' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # the next access is a plain attribute
    return value


def __dir__() -> list[str]:
    """The public names and the module's dunders, not the helpers of this file (importlib,
    TYPE_CHECKING, annotations) nor whichever submodules happen to be imported."""
    return sorted({*__all__, *(n for n in globals() if n.startswith("__") and n.endswith("__"))})


__version__ = "0.1.0"

__all__ = [
    "Action",
    "Decision",
    "DecisionError",
    "EventKind",
    "EventStatus",
    "InvalidStudyError",
    "NotFoundError",
    "Outcome",
    "PlanWarning",
    "PlannedEvent",
    "Protocol",
    "ProtocolError",
    "RecordStatus",
    "RecordedVisit",
    "Regimen",
    "ScheduleError",
    "ScheduleWarning",
    "Study",
    "StudyConfig",
    "StudyDay",
    "StudyFileError",
    "StudyPlan",
    "Subject",
    "SubjectPlan",
    "SubjectState",
    "UsageError",
    "Window",
    "__version__",
    "bundled_protocol_path",
    "check_decisions",
    "example_study_path",
    "load_protocol",
    "load_study",
    "parse_iso_date",
    "plan_study",
    "plan_subject",
    "to_frame",
    "visit_kind",
]
