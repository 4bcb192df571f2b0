"""cc312-schedule: dosing-schedule and visit planner for the CC312 trial (NCT07193810).

The engine (``plan_*``) is pure and imports only the standard library and dateutil;
``to_frame`` imports pandas only when called (the CLI starts fast without it).
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the CLI starts fast)
if TYPE_CHECKING:  # the names below, for type checkers and IDEs
    from typing import Any

    from .core.days import StudyDay, Window, parse_iso_date
    from .core.errors import (
        DecisionError,
        InvalidStudyError,
        NotFoundError,
        ProtocolError,
        ScheduleError,
        StudyFileError,
        UsageError,
    )
    from .core.model import (
        EventKind,
        EventStatus,
        Outcome,
        PlannedEvent,
        PlanWarning,
        StudyPlan,
        SubjectPlan,
        SubjectState,
    )
    from .core.protocol import Protocol, Regimen, bundled_protocol_path, load_protocol
    from .core.version import VERSION as __version__
    from .core.warnings import ScheduleWarning
    from .planning.clock import plan_study
    from .planning.engine import check_decisions, plan_subject, visit_kind
    from .reports.frame import to_frame
    from .store.study import (
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

#: Public name -> the module that defines it. Importing the package imports none of them:
#: ``cc312-schedule --help`` must not pay for the engine, and pandas/icalendar/openpyxl load only
#: in the exporters that need them (see the start-up figures in docs/development.md "Performance").
_EXPORTS = {
    "Action": "store.study",
    "Decision": "store.study",
    "DecisionError": "core.errors",
    "EventKind": "core.model",
    "EventStatus": "core.model",
    "InvalidStudyError": "core.errors",
    "NotFoundError": "core.errors",
    "Outcome": "core.model",
    "PlanWarning": "core.model",
    "PlannedEvent": "core.model",
    "Protocol": "core.protocol",
    "ProtocolError": "core.errors",
    "RecordStatus": "store.study",
    "RecordedVisit": "store.study",
    "Regimen": "core.protocol",
    "ScheduleError": "core.errors",
    "ScheduleWarning": "core.warnings",
    "Study": "store.study",
    "StudyConfig": "store.study",
    "StudyDay": "core.days",
    "StudyFileError": "core.errors",
    "StudyPlan": "core.model",
    "Subject": "store.study",
    "SubjectPlan": "core.model",
    "SubjectState": "core.model",
    "UsageError": "core.errors",
    "Window": "core.days",
    "bundled_protocol_path": "core.protocol",
    "check_decisions": "planning.engine",
    "example_study_path": "store.study",
    "load_protocol": "core.protocol",
    "load_study": "store.study",
    "parse_iso_date": "core.days",
    "plan_study": "planning.clock",  # the engine's, with today defaulting to today at the site
    "plan_subject": "planning.engine",
    "to_frame": "reports.frame",
    "visit_kind": "planning.engine",
    "__version__": "core.version",  # from the installed metadata
}


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'cc312_schedule' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f"{__name__}.{module}"),
                    "VERSION" if name == "__version__" else name)
    globals()[name] = value  # the next access is a plain attribute
    return value


def __dir__() -> list[str]:
    """The public names and the module's dunders, not the helpers of this file (importlib,
    TYPE_CHECKING, annotations) nor whichever submodules happen to be imported."""
    return sorted({*__all__, *(n for n in globals() if n.startswith("__") and n.endswith("__"))})



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
