"""cc312-schedule: dosing-schedule and visit planner for the CC312 trial (NCT07193810).

The engine (``plan_*``) is pure and imports only the standard library and dateutil;
``to_frame`` imports pandas only when called (the CLI starts fast without it).
"""

from __future__ import annotations

from .days import StudyDay, Window, parse_iso_date
from .engine import check_decisions, plan_study, plan_subject, visit_kind
from .errors import (
    DecisionError,
    InvalidStudyError,
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

__version__ = "0.1.0"

__all__ = [
    "Action",
    "Decision",
    "DecisionError",
    "EventKind",
    "EventStatus",
    "InvalidStudyError",
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

