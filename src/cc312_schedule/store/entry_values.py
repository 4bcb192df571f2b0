"""The values of entries back in: what was typed (:class:`VisitEntry`, :class:`DecisionEntry`,
:class:`WorkbookEntries`) and what writing it would change (:class:`EntryPlan`, with its
:class:`Amendment` and :class:`Conflict` rows). Plain frozen data; :mod:`.entries` makes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from ..core.errors import ScheduleError
from .study import Decision, RecordedVisit, RecordStatus

__all__ = ["Amendment", "Conflict", "DecisionEntry", "EntryPlan", "VisitEntry", "WorkbookEntries"]


@dataclass(frozen=True, slots=True, kw_only=True)
class VisitEntry:
    """A visit as typed in: ``status`` None means "only a note" (allowed on a recorded visit).

    ``note`` empty means "no note entered": the recorded note, if any, is kept.

    ``cells`` names where each field came from (``{"actual_date": "Visits!O14"}``), so an
    error can point at it; for the command line it names the argument (``--done``).
    """

    subject_id: str
    visit: str
    status: RecordStatus | None
    actual_date: date | None = None
    note: str = ""
    cells: Mapping[str, str] = field(default_factory=dict, compare=False)

    def describe(self) -> str:
        text = f"{self.visit} {self.status or 'note'}"
        if self.actual_date:
            text += f" {self.actual_date}"
        return text + (f" “{self.note}”" if self.note else "")


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionEntry:
    """A decision as typed in; ``cells`` as for :class:`VisitEntry`."""

    decision: Decision
    cells: Mapping[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkbookEntries:
    """Everything read from a workbook: the entries, and every cell that could not be read."""

    path: str
    visits: tuple[VisitEntry, ...] = ()
    decisions: tuple[DecisionEntry, ...] = ()
    errors: tuple[ScheduleError, ...] = ()
    #: whether every entry is known to be typed by the coordinator: True for the command line
    #: and for a workbook carrying its export record; False for one without (an older export,
    #: or the hidden sheet deleted), whose differing cells may be stale: never amended then.
    tracks_edits: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Amendment:
    """A recorded visit corrected with a reason; ``old`` goes to the audit columns."""

    old: RecordedVisit
    new: RecordedVisit
    reason: str
    on: date


@dataclass(frozen=True, slots=True, kw_only=True)
class Conflict:
    """An entry that contradicts a recorded row: reported, never applied."""

    subject_id: str
    message: str
    where: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryPlan:
    """What an import (or ``record``/``decide``) would change; :meth:`describe` prints it."""

    added_visits: tuple[RecordedVisit, ...] = ()
    #: recorded visits that had no note and get one (the new rows; written in place)
    added_notes: tuple[RecordedVisit, ...] = ()
    amendments: tuple[Amendment, ...] = ()
    added_decisions: tuple[Decision, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    warnings: tuple[str, ...] = ()
    unchanged: int = 0
    applied: bool = False

    @property
    def changes(self) -> int:
        return (len(self.added_visits) + len(self.added_notes) + len(self.amendments)
                + len(self.added_decisions))

    def describe(self) -> str:
        """A readable diff, per subject: ``+`` new, ``~`` amended, ``!`` conflict (not applied)."""
        lines: dict[str, list[str]] = {}
        for v in self.added_visits:
            lines.setdefault(v.subject_id, []).append(
                f"  + {_visit_text(v)}  ({v.source})")
        for v in self.added_notes:
            lines.setdefault(v.subject_id, []).append(
                f"  + {v.visit} note “{v.note}”  ({v.source})")
        for a in self.amendments:
            lines.setdefault(a.new.subject_id, []).append(
                f"  ~ {a.new.visit}: {_visit_text(a.old, name=False)} -> "
                f"{_visit_text(a.new, name=False)}  (amended: {a.reason}; {a.new.source})")
        for d in self.added_decisions:
            who = f" by {d.investigator}" if d.investigator else ""
            lines.setdefault(d.subject_id, []).append(
                f"  + decision: {d.describe().rsplit(' (', 1)[0]}{who}  ({d.source})")
        for c in self.conflicts:
            lines.setdefault(c.subject_id, []).append(f"  ! conflict: {c.message}  ({c.where})")
        out = []
        for sid in sorted(lines):
            out.append(f"subject {sid}")
            out.extend(lines[sid])
        out.extend(f"warning: {w}" for w in self.warnings)
        verb = "applied" if self.applied else "would apply"
        summary = (f"{self.changes} change(s) {verb}, {len(self.conflicts)} conflict(s) not applied, "
                   f"{self.unchanged} entr{'y' if self.unchanged == 1 else 'ies'} already recorded")
        if not self.changes and not self.conflicts:
            summary = f"nothing to change ({self.unchanged} entries already recorded)"
        out.append(summary)
        return "\n".join(out) + "\n"


def _visit_text(v: RecordedVisit, *, name: bool = True) -> str:
    text = f"{v.visit} " if name else ""
    text += str(v.status)
    if v.actual_date:
        text += f" {v.actual_date}"
    return text + (f" “{v.note}”" if v.note else "")
