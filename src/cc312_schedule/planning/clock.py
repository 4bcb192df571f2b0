"""The clock, read at the edge: today at the site, and the library's ``plan_study``.

The engine is pure: ``cc312_schedule.planning.engine.plan_study(study, today=...)`` judges dates only
by the ``today`` it is given, and with ``today=None`` judges none (no visit is overdue, no
subject has a ``state``). A person calling the library's ``plan_study(study)`` means "as of
now", as the command line does, so :func:`plan_study` here (exported as
``cc312_schedule.plan_study``) reads the clock once and hands the engine today's date in the
study's time zone (``study.toml`` ``timezone``: at 01:00 in Shanghai it is already the next
day, whatever the computer's zone). Pass ``today=date(...)`` for a reproducible plan, or
``today=None`` for the engine's date-free plan (what ``ics`` exports, so that calendars do not
change every day only because visits became overdue).

>>> from datetime import date
>>> from cc312_schedule import load_study, example_study_path, plan_study
>>> study = load_study(example_study_path())
>>> plan_study(study).today == today_at_site(study.config.timezone)
True
>>> plan_study(study).subject("003").state is not None, plan_study(study, today=None).subject("003").state
(True, None)
>>> plan_study(study, today=date(2026, 11, 25)).subject("003").state.value
'continuing'
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from . import engine

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the CLI starts fast)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Literal

    from ..core.domain import Study
    from ..core.model import StudyPlan

__all__ = ["SITE_TODAY", "plan_study", "today_at_site", "utc_now"]


class _Today(enum.Enum):
    SITE = "today in the study's time zone"


#: ``plan_study``'s default ``today``: the date at the site when it is called.
SITE_TODAY = _Today.SITE


def utc_now() -> datetime:
    """The time now, in UTC (the clock of the audit trail; writers take it as an argument)."""
    return datetime.now(UTC)


def today_at_site(timezone: str) -> date:
    """Today's date in the IANA ``timezone`` (the site's calendar day); reads the clock."""
    return datetime.now(ZoneInfo(timezone)).date()


def plan_study(study: Study, *, assume: str | None = None,
               today: date | Literal[_Today.SITE] | None = SITE_TODAY,
               subject_ids: Sequence[str] | None = None, balance: bool | None = None) -> StudyPlan:
    """Plan every subject of ``study`` as of ``today`` (default: today at the site).

    The engine's :func:`cc312_schedule.planning.engine.plan_study` with the command line's default for
    ``today``; every other argument is the engine's (``balance=None``: balanced whenever the
    study sets a capacity). ``today=None`` plans without a date.
    """
    if today is SITE_TODAY:
        today = today_at_site(study.config.timezone)
    return engine.plan_study(study, assume=assume, today=today, subject_ids=subject_ids,
                             balance=balance)
