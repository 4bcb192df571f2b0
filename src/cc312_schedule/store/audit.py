"""The audit trail: ``STUDY/audit.csv``, one line per changed field, chained by SHA-256.

Every change to the study's record (a visit recorded or amended, a decision, an import, a
user added or disabled) appends one entry per changed field: who (:class:`Actor`: the user,
their role and the way in: ``desk``, ``api``, ``cli`` or ``import``), when (UTC and the
site's time), what (file, subject, visit, field, old -> new) and why (the amendment's
reason). Nothing is ever rewritten or deleted; earlier lines keep their bytes.

**Why CSV.** A monitor opens it in Excel or LibreOffice, or reads it in any text editor,
without this tool (JSON Lines needs a program to read). The file starts with a UTF-8
byte-order mark so that Excel shows Chinese text correctly.

**One entry, one line.** A value's backslash, line feed and carriage return are written as
``\\\\``, ``\\n`` and ``\\r``, so that every entry is exactly one physical line (``sed``,
``grep`` and ``sha256sum`` work line by line) and a truncated last line is seen. A value
starting with ``=``, ``+``, ``-``, ``@``, a tab or ``'`` gets a leading ``'`` (a spreadsheet
shows it as text instead of running it as a formula). :func:`read_audit` undoes both.

**The chain.** Each entry's ``sha256`` is the SHA-256 (hex) of the entry's line up to the
comma before ``sha256`` (its UTF-8 bytes, so ``prev_sha256``, the previous entry's hash, is
part of what is hashed); the first entry's ``prev_sha256`` is 64 zeros. An edited line no
longer matches its hash; a deleted, inserted or moved line breaks ``seq`` (1, 2, 3...) and
the next line's ``prev_sha256``. The last entry's ``seq`` and hash are also kept in
``STUDY/.cc312-audit-head``, so that a deleted last line is seen too. (A chain of plain
hashes finds accidents and casual edits; someone who rewrites the whole file and the head
can forge it: keep copies, as with the study's other files.) By hand::

    sed -n 2p audit.csv | sed -E 's/,[0-9a-f]{64}$//' | tr -d '\\n' | sha256sum

>>> from datetime import datetime, UTC
>>> actor = Actor(name="li.na", role="nurse", via="desk")
>>> change = AuditChange(file="visits.csv", subject_id="003", visit="W6D4", field="status",
...                      old="", new="done")
>>> line = audit_line(seq=1, change=change, actor=actor, prev="0" * 64,
...                   at=datetime(2026, 12, 4, 17, 26, 51, tzinfo=UTC), timezone="Asia/Shanghai")
>>> print(line.rsplit(",", 2)[0])
1,2026-12-04T17:26:51Z,2026-12-05T01:26:51+08:00,li.na,nurse,desk,visits.csv,003,W6D4,status,,done,
>>> import hashlib
>>> line.rsplit(",", 1)[1].strip() == hashlib.sha256(line.rsplit(",", 1)[0].encode()).hexdigest()
True
"""

from __future__ import annotations

import contextlib
import csv
import errno
import getpass
import hashlib
import io
import os
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..core.errors import UsageError
from ..core.fileio import open_no_follow, write_atomic
from .entry_values import EntryPlan
from .study import Decision, RecordedVisit, load_config
from .studylock import LOCK_NAME

__all__ = [
    "AUDIT_HEADER",
    "AUDIT_NAME",
    "HEAD_NAME",
    "VIAS",
    "Actor",
    "AuditChange",
    "AuditEntry",
    "append_audit",
    "audit_line",
    "audited",
    "changes_of",
    "cli_actor",
    "read_audit",
    "verify_audit",
]

AUDIT_NAME = "audit.csv"
HEAD_NAME = ".cc312-audit-head"
AUDIT_HEADER = ("seq", "time_utc", "time_site", "user", "role", "via", "file", "subject_id",
                "visit", "field", "old", "new", "reason", "prev_sha256", "sha256")
#: the ways in: the web desk, its API, the command line, a workbook import
VIAS = ("desk", "api", "cli", "import")
GENESIS = "0" * 64
_BOM = "\ufeff"
_HEADER_LINE = ",".join(AUDIT_HEADER) + "\n"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_FORMULA_START = ("=", "+", "-", "@", "\t", "'")


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    """Who makes a change: ``name`` (the user, or the OS login on the command line), their
    ``role`` (nurse, investigator, coordinator, monitor; ``cli`` for the command line) and
    ``via`` (one of :data:`VIAS`).

    >>> Actor(name="wang", role="nurse", via="fax")
    Traceback (most recent call last):
    ...
    ValueError: via must be one of desk, api, cli, import, not 'fax'
    """

    name: str
    role: str
    via: str

    def __post_init__(self) -> None:
        if self.via not in VIAS:
            raise ValueError(f"via must be one of {', '.join(VIAS)}, not {self.via!r}")
        if not self.name.strip():
            raise ValueError("an actor needs a name")


def cli_actor(by: str | None, *, via: str = "cli") -> Actor:
    """The command line's actor: ``--by NAME``, else the OS login (role ``cli``).

    >>> cli_actor("zhang.wei")
    Actor(name='zhang.wei', role='cli', via='cli')
    """
    name = (by or "").strip()
    if not name:
        try:
            name = getpass.getuser()
        except (OSError, KeyError):  # no login name (a container without a passwd entry)
            name = f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return Actor(name=name, role="cli", via=via)


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditChange:
    """One changed field: ``old`` -> ``new`` in ``file`` (``""``: none), with ``reason``."""

    file: str
    subject_id: str = ""
    visit: str = ""
    field: str
    old: str = ""
    new: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """One line of the audit trail, as read back (values unescaped)."""

    seq: int
    time_utc: str
    time_site: str
    user: str
    role: str
    via: str
    file: str
    subject_id: str
    visit: str
    field: str
    old: str
    new: str
    reason: str
    prev_sha256: str
    sha256: str
    line: int


# --------------------------------------------------------------------------------------
# what an entry plan changes, field by field

_VISIT_FIELDS = ("status", "actual_date", "note")
_DECISION_FIELDS = ("action", "regimen", "weeks", "until", "investigator", "rationale")


def _visit_values(v: RecordedVisit | None) -> dict[str, str]:
    if v is None:
        return dict.fromkeys(_VISIT_FIELDS, "")
    return {"status": v.status.value, "actual_date": _iso(v.actual_date), "note": v.note}


def _decision_values(d: Decision) -> dict[str, str]:
    return {"action": d.action.value, "regimen": d.regimen or "",
            "weeks": "" if d.weeks is None else str(d.weeks), "until": _iso(d.until),
            "investigator": d.investigator, "rationale": d.rationale}


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def changes_of(plan: EntryPlan) -> tuple[AuditChange, ...]:
    """The fields ``plan`` changes: a new visit's or decision's non-empty fields (old ``""``),
    an amendment's changed fields (with its reason), a note added to a recorded visit.

    >>> from cc312_schedule.store.study import RecordStatus, SourceRef
    >>> v = RecordedVisit(subject_id="003", visit="D28", status=RecordStatus.DONE,
    ...                   actual_date=date(2026, 11, 22), source=SourceRef(path="x"))
    >>> [(c.field, c.old, c.new) for c in changes_of(EntryPlan(added_visits=(v,)))]
    [('status', '', 'done'), ('actual_date', '', '2026-11-22')]
    """
    out: list[AuditChange] = []

    def visit_changes(old: RecordedVisit | None, new: RecordedVisit, reason: str = "") -> None:
        before, after = _visit_values(old), _visit_values(new)
        out.extend(AuditChange(file="visits.csv", subject_id=new.subject_id, visit=new.visit,
                               field=f, old=before[f], new=after[f], reason=reason)
                   for f in _VISIT_FIELDS if before[f] != after[f])

    for v in plan.added_visits:
        visit_changes(None, v)
    for v in plan.added_notes:  # a recorded visit without a note gets one
        out.append(AuditChange(file="visits.csv", subject_id=v.subject_id, visit=v.visit,
                               field="note", old="", new=v.note))
    for a in plan.amendments:
        visit_changes(a.old, a.new, a.reason)
    for d in plan.added_decisions:
        values = _decision_values(d)
        out.extend(AuditChange(file="decisions.csv", subject_id=d.subject_id,
                               visit=d.decided_on.isoformat(), field=f, new=values[f])
                   for f in _DECISION_FIELDS if values[f])
    return tuple(out)


# --------------------------------------------------------------------------------------
# one line


def _escape(text: str) -> str:
    out = text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")
    return "'" + out if out.startswith(_FORMULA_START) else out


_ESCAPES = re.compile(r"\\(.)", re.DOTALL)


def _unescape(text: str) -> str:
    if text.startswith("'"):
        text = text[1:]
    if "\\" not in text:
        return text
    return _ESCAPES.sub(lambda m: {"n": "\n", "r": "\r"}.get(m[1], m[1]), text)


def _csv_line(fields: Sequence[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(fields)
    return buf.getvalue()[:-1]


def _utc_text(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def audit_line(*, seq: int, change: AuditChange, actor: Actor, prev: str, at: datetime,
               timezone: str) -> str:
    """One entry as its line (ending ``\\n``): the fields, then the SHA-256 of what precedes
    the last comma."""
    if at.tzinfo is None:
        raise ValueError("the audit time must be timezone-aware (UTC)")
    site = at.astimezone(ZoneInfo(timezone)).isoformat(timespec="seconds")
    body = _csv_line([str(seq), _utc_text(at), site, *(_escape(x) for x in (
        actor.name, actor.role, actor.via, change.file, change.subject_id, change.visit,
        change.field, change.old, change.new, change.reason)), prev])
    return f"{body},{_sha(body)}\n"


def _sha(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------
# appending


@dataclass(frozen=True, slots=True, kw_only=True)
class Appended:
    """What :func:`append_audit` wrote: enough to take it back (:func:`undo_append`)."""

    path: Path
    #: the file did not exist before (taking back removes it)
    created: bool
    size_before: int
    head_before: bytes | None
    first_seq: int
    count: int


def _open_trail(path: Path) -> int:
    return open_no_follow(path, extra_flags=os.O_APPEND, what="the audit trail",
                          link_hint="put the real audit.csv in the study folder")


def _tail(fd: int, size: int) -> bytes:
    """The file's last line (with its line end), or b"" for an empty file."""
    block = 8192
    while True:
        start = max(0, size - block)
        os.lseek(fd, start, os.SEEK_SET)  # not os.pread: Windows has none
        data = os.read(fd, size - start)
        cut = data.rfind(b"\n", 0, len(data) - 1)
        if cut >= 0 or start == 0:
            return data[cut + 1:]
        block *= 4


def _last_entry(path: Path, fd: int, size: int) -> tuple[int, str]:
    """(seq, sha256) of the last entry: (0, zeros) for a new file; refuses a damaged tail."""
    if size == 0:
        return 0, GENESIS
    last = _tail(fd, size)
    hint = ("run 'cc312-schedule audit verify STUDY', restore audit.csv from a copy; nothing "
            "was written")
    if not last.endswith(b"\n"):
        raise UsageError("the audit trail's last line is incomplete", path=path, hint=hint)
    text = last.decode("utf-8", "replace").lstrip(_BOM)
    if text == _HEADER_LINE:
        return 0, GENESIS
    fields = next(csv.reader([text.rstrip("\n")]), [])
    if len(fields) != len(AUDIT_HEADER) or not fields[0].isdigit() or not _HEX64.fullmatch(fields[-1]):
        raise UsageError("the audit trail's last line is not an entry", path=path, hint=hint)
    return int(fields[0]), fields[-1]


def append_audit(folder: str | Path, changes: Iterable[AuditChange], *, actor: Actor,
                 at: datetime, timezone: str | None = None) -> Appended:
    """Append one entry per change to ``STUDY/audit.csv``; the caller holds the study lock
    (:func:`~.studylock.study_lock`) around the change and this call (else ``RuntimeError``).

    ``at`` is the time of the change (aware; the caller reads the clock); ``timezone`` the
    site's (default: ``study.toml``'s). The lines are written with one ``write`` on a file
    opened for appending, then fsynced; earlier lines are never touched. A failed write is
    cut back to where it began. A trail whose last line is incomplete or not an entry is
    refused (nothing written): :func:`verify_audit` says what is wrong.
    """
    root = Path(folder)
    changes = tuple(changes)
    path = root / AUDIT_NAME
    head_path = root / HEAD_NAME
    if at.tzinfo is None:
        raise ValueError("the audit time must be timezone-aware (UTC)")
    _require_lock(root)
    tz = timezone or load_config(root).timezone
    created = not os.path.lexists(path)
    fd = _open_trail(path)
    try:
        size = os.fstat(fd).st_size
        seq, prev = _last_entry(path, fd, size)
        head_before = head_path.read_bytes() if head_path.exists() else None
        if not changes:
            if created:
                path.unlink()
            return Appended(path=path, created=False, size_before=size,
                            head_before=head_before, first_seq=seq + 1, count=0)
        lines = [] if size else [_BOM + _HEADER_LINE]
        for i, change in enumerate(changes, start=seq + 1):
            line = audit_line(seq=i, change=change, actor=actor, prev=prev, at=at, timezone=tz)
            prev = line[-65:-1]
            lines.append(line)
        raw = "".join(lines).encode("utf-8")
        try:
            written = os.write(fd, raw)
            if written != len(raw):
                raise OSError(errno.ENOSPC, "short write")
            os.fsync(fd)
            write_atomic(head_path, f"{seq + len(changes)} {prev}\n")
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)
                if created:
                    path.unlink()
            raise UsageError(f"cannot write the audit trail: {exc.strerror}; nothing was changed",
                             path=path, hint="free some space; the study folder must be writable"
                             ) from None
        return Appended(path=path, created=created, size_before=size, head_before=head_before,
                        first_seq=seq + 1, count=len(changes))
    finally:
        os.close(fd)


def _require_lock(root: Path) -> None:
    """Refuse to append unless the study's lock is held (by this caller, or the entries
    could interleave with another writer's and the change they record): a programming error."""
    if os.name == "nt":  # pragma: no cover - msvcrt locks are per process: cannot tell
        return
    import fcntl

    try:
        fd = os.open(root / LOCK_NAME, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        held = False
    else:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            held = True
        else:
            held = False
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
    if not held:
        raise RuntimeError("append_audit: hold the study's lock (study_lock(folder)) around the "
                           "change and its audit entries")


def undo_append(appended: Appended) -> None:
    """Take back what :func:`append_audit` wrote, when the change it records failed (the
    caller still holds the lock, so nothing was appended since)."""
    if not appended.count:
        return
    if appended.created:
        appended.path.unlink()
    else:
        with open(appended.path, "r+b") as fh:
            fh.truncate(appended.size_before)
            os.fsync(fh.fileno())
    head = appended.path.parent / HEAD_NAME
    if appended.head_before is None:
        with contextlib.suppress(FileNotFoundError):
            head.unlink()
    else:
        write_atomic(head, appended.head_before)


@contextlib.contextmanager
def audited(folder: str | Path, changes: Iterable[AuditChange], *, actor: Actor, at: datetime,
            timezone: str | None = None) -> Iterator[Appended]:
    """Append the entries, then run the block that makes the change; if it fails, the
    entries are taken back (the audit trail records only what happened). Under the lock."""
    appended = append_audit(folder, changes, actor=actor, at=at, timezone=timezone)
    try:
        yield appended
    except BaseException:
        try:
            undo_append(appended)
        except OSError as exc:
            raise UsageError(
                f"the change failed, and its audit entries (from seq {appended.first_seq}) "
                f"cannot be taken back: {exc.strerror}", path=appended.path,
                hint="the study's files were not changed: remove those last lines and the "
                "head's update by hand, then run 'cc312-schedule audit verify STUDY'") from exc
        raise


# --------------------------------------------------------------------------------------
# reading and verifying


def _raw_lines(folder: str | Path) -> Iterator[bytes]:
    """The trail's lines, each with its ``\n`` (the last one without, if it was cut), read as
    a stream: a trail of any length is read in constant memory. Only ``\n`` ends a line (a
    ``\r`` left by an editor stays in its line, and is reported). A FIFO, a device or a
    folder under the trail's name is refused without blocking."""
    path = Path(folder) / AUDIT_NAME
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
                     | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise UsageError(f"cannot read the audit trail: {exc.strerror}", path=path) from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UsageError("the audit trail is not a regular file", path=path,
                             hint="put the real audit.csv in the study folder")
        yield from fh  # a binary file's lines end at b"\n" only


def read_audit(folder: str | Path, *, subject_id: str | None = None,
               user: str | None = None) -> tuple[AuditEntry, ...]:
    """The audit trail's entries (oldest first), only ``subject_id``'s or ``user``'s if given.

    Lines that are not entries (see :func:`verify_audit`) are skipped here.
    """
    out = []
    # a line that cannot hold the wanted value is not parsed (the desk's subject page)
    needles = [_csv_line([_escape(v)]).encode("utf-8") for v in (subject_id, user) if v]
    for n, raw in enumerate(_raw_lines(folder), start=1):
        if n == 1 or not raw.endswith(b"\n") or not all(x in raw for x in needles):
            continue
        fields = next(csv.reader([raw.decode("utf-8", "replace").rstrip("\n")]), [])
        if len(fields) != len(AUDIT_HEADER) or not fields[0].isdigit():
            continue
        seq, utc, site, *text, prev, sha = fields
        who, role, via, file, sid, visit, field, old, new, reason = map(_unescape, text)
        if (subject_id is None or sid == subject_id) and (user is None or who == user):
            out.append(AuditEntry(seq=int(seq), time_utc=utc, time_site=site, user=who,
                                  role=role, via=via, file=file, subject_id=sid, visit=visit,
                                  field=field, old=old, new=new, reason=reason,
                                  prev_sha256=prev, sha256=sha, line=n))
    return tuple(out)


def verify_audit(folder: str | Path) -> list[str]:
    """Every problem of the audit trail, with its line number; an empty list: intact.

    Checks the header, that each line is a whole entry, that ``seq`` counts 1, 2, 3..., that
    each ``prev_sha256`` is the previous entry's ``sha256``, that each ``sha256`` matches
    its line, and that the last entry is the one ``.cc312-audit-head`` records.
    """
    root = Path(folder)
    problems: list[str] = []
    head = _read_head(root, problems)
    lines = _raw_lines(root)
    first = next(lines, None)
    if first is None:
        if head is not None and head[0] > 0:
            problems.append(f"{AUDIT_NAME} is missing or empty, but {HEAD_NAME} records "
                            f"{head[0]} entries")
        return problems
    if first.decode("utf-8", "replace").lstrip(_BOM) != _HEADER_LINE:
        problems.append(f"line 1: not the audit trail's header ({','.join(AUDIT_HEADER)})")
    seq, prev, n = 0, GENESIS, 1
    for n, raw in enumerate(lines, start=2):  # n: after the loop, the last line's number
        if not raw.endswith(b"\n"):
            problems.append(f"line {n}: incomplete (no line end): the file was cut short")
            break
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"line {n}: not UTF-8 text (edited with another encoding?)")
            seq, prev = seq + 1, "?"
            continue
        body, _, sha = text.rstrip("\n").rpartition(",")
        fields = next(csv.reader([text.rstrip("\n")]), [])
        if len(fields) != len(AUDIT_HEADER) or not fields[0].isdigit() or not _HEX64.fullmatch(sha):
            why = (f"{len(fields)} fields, {len(AUDIT_HEADER)} expected"
                   if len(fields) != len(AUDIT_HEADER) else
                   "its seq or sha256 is not as written: saved by another program?")
            problems.append(f"line {n}: not an audit entry ({why})")
            seq, prev = seq + 1, "?"
            continue
        got = int(fields[0])
        if got != seq + 1:
            problems.append(f"line {n}: seq {got} follows seq {seq} (a line deleted, inserted "
                            "or moved)")
        if fields[-2] != prev and prev != "?":
            problems.append(f"line {n}: prev_sha256 is not the sha256 of the entry before it "
                            "(a line deleted, inserted or moved, or the one before edited)")
        if _sha(body) != sha:
            problems.append(f"line {n}: sha256 does not match the line (the line was edited)")
        seq, prev = got, sha
    if head is not None and head[0] == seq and head[1] != prev:
        problems.append(f"line {n}: not the last entry {HEAD_NAME} records (the last "
                        "line was replaced)")
    elif head is not None and head[0] != seq:
        problems.append(f"{HEAD_NAME} records the last entry as seq {head[0]}, the file ends "
                        f"at seq {seq} (entries deleted from the end, or added by hand)")
    elif head is None and seq:
        problems.append(f"{HEAD_NAME} is missing (it records the last entry)")
    return problems


def _read_head(root: Path, problems: list[str]) -> tuple[int, str] | None:
    try:
        text = (root / HEAD_NAME).read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{HEAD_NAME}: cannot read it ({exc})")
        return None
    parts = text.split()
    if len(parts) != 2 or not parts[0].isdigit() or not _HEX64.fullmatch(parts[1]):
        problems.append(f"{HEAD_NAME}: not 'SEQ SHA256'")
        return None
    return int(parts[0]), parts[1]
