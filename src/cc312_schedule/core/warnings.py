"""Warning classes: things the plan shows but does not refuse.

Each is a subclass of :class:`ScheduleWarning`, so ``warnings.filterwarnings`` (or ``-W``)
can silence or escalate one kind. The engine itself stays pure: it returns warnings as data
(:class:`cc312_schedule.core.model.PlanWarning`); :meth:`StudyPlan.emit_warnings` hands them to the
:mod:`warnings` machinery, and ``cc312-schedule ... --strict`` turns them into exit code 1.

>>> import warnings
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     warnings.warn("W6D4 clipped", DecisionClippedWarning)
>>> caught[0].category.__name__, issubclass(caught[0].category, ScheduleWarning)
('DecisionClippedWarning', True)
"""

from __future__ import annotations

__all__ = [
    "AfterStudyCompletionWarning",
    "AgeEligibilityWarning",
    "BeforeStudyStartWarning",
    "CapBreachWarning",
    "CapacityWarning",
    "ClosedDayConflictWarning",
    "DecisionClippedWarning",
    "DecisionWithoutEffectWarning",
    "LateEndOfTreatmentWarning",
    "MinimumIntervalWarning",
    "ProvisionalHolidaysWarning",
    "RecordedVisitWarning",
    "ScheduleWarning",
    "StaggerWarning",
    "SubjectDataWarning",
    "TransportTextWarning",
    "WindowDeviationWarning",
]


class ScheduleWarning(UserWarning):
    """Base class of every warning about a plan."""


class DecisionClippedWarning(ScheduleWarning):
    """A decision asked for dosing past the 24-week cap (study day 168); the excess was dropped."""


class DecisionWithoutEffectWarning(ScheduleWarning):
    """A decision plans no dose at all (its period ends before the regimen's first dosing day,
    or it is a continue or resume dated after the cap date)."""


class CapBreachWarning(ScheduleWarning):
    """A dose was recorded as given after the cap date (study day 168): kept as recorded."""


class BeforeStudyStartWarning(ScheduleWarning):
    """A subject's first dose is before the protocol's study start date."""


class MinimumIntervalWarning(ScheduleWarning):
    """A dose is closer than the minimum interval to a dose given (before or after it), or a
    planned dose falls on or before the date an earlier dose of the schedule was given."""


class WindowDeviationWarning(ScheduleWarning):
    """A visit was done outside its window: a protocol deviation."""


class AfterStudyCompletionWarning(ScheduleWarning):
    """A visit falls after the study completion date."""


class AgeEligibilityWarning(ScheduleWarning):
    """The subject's age on the consent date is outside the protocol's inclusive range."""


class RecordedVisitWarning(ScheduleWarning):
    """A recorded visit does not match the current plan (kept as recorded: nothing is dropped)."""


class ClosedDayConflictWarning(ScheduleWarning):
    """A visit's target is a closed day and its window has no open day that fits."""


class ProvisionalHolidaysWarning(ScheduleWarning):
    """Planned dates fall in a year whose official holiday notice the holidays package lacks."""


class CapacityWarning(ScheduleWarning):
    """More dosing visits on a day than the site has infusion chairs."""


class LateEndOfTreatmentWarning(ScheduleWarning):
    """An EOT is planned more than ``[eot] late_after_days`` (28) days after the last dose: the
    subject is no longer dosed but nothing ended the treatment; a stop decision is probably
    missing."""


class SubjectDataWarning(ScheduleWarning):
    """A row of ``subjects.csv`` contradicts the plan: a withdrawal dated before the first dose."""


class StaggerWarning(ScheduleWarning):
    """Two subjects of a cohort were first dosed closer together than the protocol allows."""


class TransportTextWarning(ScheduleWarning):
    """A non-ASCII free text (a Chinese note) is in the Dataset-JSON file; the SAS transport v5
    file, which holds ASCII only, has a placeholder naming that file."""
