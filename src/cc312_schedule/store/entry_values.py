"""The values of entries back in: what was typed (:class:`VisitEntry`, :class:`DecisionEntry`,
:class:`WorkbookEntries`) and what writing it would change (:class:`EntryPlan`, with its
:class:`Amendment` and :class:`Conflict` rows). Plain frozen data; :mod:`.entries` makes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from ..core.errors import ScheduleError
from ..core.messages import Text, message, warning_label
from ..core.model import PlanWarning
from .study import Decision, RecordedVisit, RecordStatus

__all__ = ["Amendment", "Conflict", "DecisionEntry", "EntryPlan", "VisitEntry", "WorkbookEntries",
           "decision_said", "visit_state"]


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
    """An entry that contradicts a recorded row: reported, never applied.

    ``text`` says it as data (a catalogue id and its fields, nested texts for the states and
    the reason), so that it reads whole in any language: :meth:`render`; ``message`` is the
    English."""

    subject_id: str
    text: Text
    where: str

    @property
    def message(self) -> str:
        return str(self.text)

    def render(self, lang: str) -> str:
        return self.text.render(lang)


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryPlan:
    """What an import (or ``record``/``decide``) would change; :meth:`describe` prints it."""

    added_visits: tuple[RecordedVisit, ...] = ()
    #: recorded visits that had no note and get one (the new rows; written in place)
    added_notes: tuple[RecordedVisit, ...] = ()
    amendments: tuple[Amendment, ...] = ()
    added_decisions: tuple[Decision, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    warnings: tuple[PlanWarning, ...] = ()
    unchanged: int = 0
    applied: bool = False

    @property
    def changes(self) -> int:
        return (len(self.added_visits) + len(self.added_notes) + len(self.amendments)
                + len(self.added_decisions))

    def describe(self, lang: str = "en") -> str:
        """A readable diff, per subject: ``+`` new, ``~`` amended, ``!`` conflict (not applied),
        in ``lang`` (the frame, the statuses and the conflicts' texts)."""
        def t(key: str, **fields: object) -> str:
            return message(lang, f"entries.{key}", **fields)

        def line(key: str, **fields: object) -> str:  # a ``source`` file's row: 第8行 in Chinese
            return Text.of(f"entries.{key}", **fields).render(lang)

        lines: dict[str, list[str]] = {}
        for v in self.added_visits:
            lines.setdefault(v.subject_id, []).append(
                "  + " + line("line", text=_visit_text(v, lang=lang), source=str(v.source)))
        for v in self.added_notes:
            lines.setdefault(v.subject_id, []).append(
                "  + " + line("line", text=t("note", visit=v.visit, note=v.note),
                             source=str(v.source)))
        for a in self.amendments:
            lines.setdefault(a.new.subject_id, []).append(
                "  ~ " + line("line_amended", visit=a.new.visit,
                              old=_visit_text(a.old, name=False, lang=lang),
                              new=_visit_text(a.new, name=False, lang=lang),
                              why=t("amended", reason=a.reason), source=str(a.new.source)))
        for d in self.added_decisions:
            who = t("by", who=d.investigator) if d.investigator else ""
            lines.setdefault(d.subject_id, []).append(
                "  + " + line("line", text=t("decision", text=decision_text(d, lang)) + who,
                              source=str(d.source)))
        for c in self.conflicts:
            lines.setdefault(c.subject_id, []).append(
                "  ! " + line("line", text=t("conflict", text=c.render(lang)), source=c.where))
        out = []
        for sid in sorted(lines):
            out.append(t("subject", subject=sid))
            out.extend(lines[sid])
        for w in self.warnings:  # as the CLI's warning lines: the class name in English only
            where = f"{w.subject_id} {w.visit}" if w.visit else w.subject_id
            out.append(f"warning: {w}" if lang == "en" else message(
                lang, "cli.warning", where=where, text=w.render(lang),
                kind=warning_label(lang, w.category.__name__)))
        summary = t("applied" if self.applied else "would_apply", n=self.changes,
                    conflicts=len(self.conflicts), unchanged=self.unchanged,
                    entries=t("one" if self.unchanged == 1 else "many"))
        if not self.changes and not self.conflicts:
            summary = t("nothing", unchanged=self.unchanged)
        out.append(summary)
        return "\n".join(out) + "\n"


def decision_text(d: Decision, lang: str) -> str:
    """A decision without its source, in ``lang``: ``continue QW on 2026-12-05``,
    ``2026-12-05 继续治疗，QW`` (what an import's summary and the desk's pages say of it):
    :func:`decision_said`, rendered."""
    return decision_said(d).render(lang)


def _visit_text(v: RecordedVisit, *, name: bool = True, lang: str = "en") -> str:
    """:func:`visit_state` in ``lang``, after the visit's name unless ``name`` is false."""
    return (f"{v.visit} " if name else "") + visit_state(v).render(lang)


def visit_state(v: RecordedVisit) -> Text:
    """A recorded visit's status, date and note as a text: ``done 2026-12-02 “note”`` /
    ``已完成 2026-12-02 “note”`` (the visit's name not included)."""
    return Text.of("entries.state", status=Text.of(f"xlsx.status.{v.status}"),
                   day=Text.of("entries.state_day", day=v.actual_date) if v.actual_date else "",
                   note=Text.of("entries.state_note", note=v.note) if v.note else "")


def decision_said(d: Decision) -> Text:
    """A decision without its source, as a text: ``continue QW for 8 weeks on 2026-12-01`` /
    ``2026-12-01 继续治疗，QW，8周`` (:func:`decision_text` renders it)."""
    return Text.of("entries.decision_text", on=d.decided_on,
                   action=Text.of(f"xlsx.action.{d.action.value}"), details=d.details())
