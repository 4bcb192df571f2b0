"""The calendars' state file: what the last export published, per event UID.

A JSON file in the study folder (:data:`STATE_FILE`) remembers, per UID, a hash of the event's
content, its ``SEQUENCE`` and ``LAST-MODIFIED``, and enough of the event to publish it again
as cancelled (see :mod:`cc312_schedule.calendars.ics`, "What was published"). Read with a bounded
reader, written atomically; a malformed file is an :class:`IcsStateError`, never an empty state.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Final

from ..core.errors import ScheduleError
from ..core.fileio import read_state
from ..core.model import EventKind
from ..store.study import Study
from .icsfiles import CalendarFiles

__all__ = [
    "STATE_FILE",
    "IcsState",
    "IcsStateError",
    "PublishedEvent",
    "load_ics_state",
    "state_json_pieces",
    "state_path_of",
    "to_state_json",
    "write_ics_state",
]

#: The state file's name, in the study folder.
STATE_FILE: Final = ".cc312-ics-state.json"
_STATE_FORMAT: Final = "cc312-schedule ics state"
_STATE_VERSION: Final = 1


class IcsStateError(ScheduleError):
    """The state file of published calendars is unreadable or malformed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishedEvent:
    """What was last published for one UID (enough to publish it again as cancelled)."""

    subject_id: str
    visit: str
    kind: EventKind
    dose_number: int | None
    cohort: str
    dose_level: str
    on: date  # the event's date when last published
    digest: str  # sha256 of the event without DTSTAMP, SEQUENCE and LAST-MODIFIED
    sequence: int
    last_modified: datetime  # UTC, whole seconds
    cancelled: bool = False
    #: the n-th visit of the subject that day (0: at the dosing time; 1: one duration later,
    #: e.g. the dose after a D28 review at 11:00), kept so a cancelled visit keeps its time
    slot: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class IcsState:
    """Every event ever published for a study, by UID (an empty state: nothing published yet)."""

    events: Mapping[str, PublishedEvent] = field(default_factory=dict)


def load_ics_state(path: str | Path) -> IcsState:
    """Read the state file; a missing file is an empty state, a malformed one an error."""
    p = Path(path)
    hint = ("restore it from a backup; deleting it restarts every SEQUENCE at 0, and calendars "
            "that already hold a higher SEQUENCE may then ignore updates")
    data = read_state(p, fmt=_STATE_FORMAT, version=_STATE_VERSION,
                      what="calendar state file", hint=hint, error=IcsStateError)
    if data is None:
        return IcsState()
    try:
        events = {}
        for uid, e in data["events"].items():
            events[str(uid)] = PublishedEvent(
                subject_id=str(e["subject_id"]), visit=str(e["visit"]), kind=EventKind(e["kind"]),
                dose_number=None if e["dose_number"] is None else int(e["dose_number"]),
                cohort=str(e["cohort"]), dose_level=str(e["dose_level"]),
                on=date.fromisoformat(e["on"]), digest=str(e["digest"]),
                sequence=int(e["sequence"]),
                last_modified=datetime.fromisoformat(e["last_modified"]).astimezone(UTC),
                cancelled=bool(e["cancelled"]), slot=int(e.get("slot", 0)))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IcsStateError(f"corrupt calendar state file ({type(exc).__name__}: {exc})",
                            path=p, hint=hint) from None
    return IcsState(events=events)


def to_state_json(state: IcsState) -> bytes:
    """The state file's bytes: JSON, keys sorted, UTF-8 (stable, diff-friendly).

    Exactly ``json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)`` plus a newline,
    written one event at a time by :func:`state_json_pieces` (so :func:`write_ics` never
    holds the whole document).

    >>> to_state_json(IcsState()).decode()
    '{\\n "events": {},\\n "format": "cc312-schedule ics state",\\n "version": 1\\n}\\n'
    """
    return b"".join(state_json_pieces(state))


def state_json_pieces(state: IcsState) -> Iterator[bytes]:
    def dumps(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)

    yield b'{\n "events": {'
    sep = ""
    for uid, e in sorted(state.events.items()):
        event = {
            "subject_id": e.subject_id, "visit": e.visit, "kind": e.kind.value,
            "dose_number": e.dose_number, "cohort": e.cohort, "dose_level": e.dose_level,
            "on": e.on.isoformat(), "digest": e.digest, "sequence": e.sequence,
            "last_modified": e.last_modified.astimezone(UTC).isoformat(),
            "cancelled": e.cancelled,
        }
        if e.slot:  # written only when not 0: older state files stay byte-identical
            event["slot"] = e.slot
        # nested two levels deep: indent every line of the event by two more spaces
        yield f"{sep}\n  {dumps(uid)}: {dumps(event).replace(chr(10), chr(10) + '  ')}".encode()
        sep = ","
    yield ("\n }" if sep else "}").encode()
    yield f',\n "format": {dumps(_STATE_FORMAT)},\n "version": {dumps(_STATE_VERSION)}\n}}\n'.encode()


def write_ics_state(path: str | Path, state: IcsState) -> None:
    """Write the state file atomically (a temporary file, then a rename)."""
    with CalendarFiles() as staging:
        staging.stage(Path(path), [to_state_json(state)])
        staging.commit()


def state_path_of(study: Study) -> Path:
    """Where the study's calendar state lives: ``<study folder>/.cc312-ics-state.json``."""
    return Path(study.folder or ".") / STATE_FILE
