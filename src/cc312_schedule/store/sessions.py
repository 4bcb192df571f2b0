"""The desk's login sessions, kept as rows of the study's desk database (``sessions`` in
``STUDY/.cc312-desk.sqlite3``, :mod:`cc312_schedule.store.users`).

A session's id is ``secrets.token_urlsafe(32)`` (256 bits), made at the login and handed to
the browser once (Flask-Login puts it in Flask's signed session cookie: its "alternative
token", instead of the user's name). The database keeps only its SHA-256, the user, when it
began, when it was last seen and the client's address, so a copy of the file lets nobody in.

A session is valid while its row is there, its user is enabled, it was seen within
``idle`` and began within ``lifetime`` (:class:`SessionRules`). Ending one is deleting its row:
logging out, disabling the user, a new password (:func:`~cc312_schedule.store.users.set_password`),
the idle timeout or the lifetime. "Last seen" is written at most every ``touch`` (60 s) per
session, so a busy desk does not write the file on every page; the idle timeout is therefore
exact to within a minute. Expired rows are deleted by :func:`purge_sessions`.

No lock of the study's is taken: sessions are not study data and are not audited (the changes
that end them are). SQLite's own locking orders the writes of the desk's threads.

>>> rules = SessionRules(idle=timedelta(minutes=30), lifetime=timedelta(hours=12))
>>> rules.expired(created=datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
...               last_seen=datetime(2026, 11, 30, 8, 29, tzinfo=UTC),
...               at=datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
True
"""

from __future__ import annotations

import contextlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .users import User, connect, session_hash

__all__ = ["SessionRules", "end_session", "live_sessions", "open_session", "purge_sessions",
           "session_user"]

_TIME = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionRules:
    """How long a desk session lives: ``idle`` since it was last seen, ``lifetime`` since the
    login whatever the use; "last seen" is written at most every ``touch``."""

    idle: timedelta = timedelta(minutes=30)
    lifetime: timedelta = timedelta(hours=12)
    touch: timedelta = timedelta(seconds=60)

    def expired(self, *, created: datetime, last_seen: datetime, at: datetime) -> bool:
        return at - last_seen > self.idle or at - created > self.lifetime


def _text(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("the time must be timezone-aware (UTC)")
    return at.astimezone(UTC).strftime(_TIME)


def _time(text: str) -> datetime:
    return datetime.strptime(text, _TIME).replace(tzinfo=UTC)


def open_session(folder: str | Path, name: str, *, address: str, at: datetime) -> str | None:
    """A new session for the enabled user ``name``: its id (None: the user is unknown or was
    disabled meanwhile). The user's last login becomes ``at``."""
    session_id = secrets.token_urlsafe(32)
    now = _text(at)
    with contextlib.closing(connect(folder)) as conn, conn:
        added = conn.execute(
            "INSERT INTO sessions (id_sha256, user, created, last_seen, address) "
            "SELECT ?, name, ?, ?, ? FROM users WHERE name = ? AND disabled = 0",
            (session_hash(session_id), now, now, address[:64], name)).rowcount
        if not added:
            return None
        conn.execute("UPDATE users SET last_login = ? WHERE name = ?", (now, name))
    return session_id


def session_user(folder: str | Path, session_id: str, *, at: datetime,
                 rules: SessionRules) -> User | None:
    """The user of the live session ``session_id``, else None (unknown, ended, expired, or its
    user disabled; an expired session's row is deleted). Refreshes "last seen"."""
    if not isinstance(session_id, str) or not 20 <= len(session_id) <= 200:
        return None
    digest = session_hash(session_id)
    with contextlib.closing(connect(folder)) as conn:
        row = conn.execute(
            "SELECT s.id_sha256, s.created, s.last_seen, u.name, u.display_name, u.role, "
            "u.disabled, u.created, u.last_login FROM sessions s JOIN users u ON u.name = s.user "
            "WHERE s.id_sha256 = ?", (digest,)).fetchone()
        if row is None or not hmac.compare_digest(row[0], digest):
            return None
        created, last_seen = _time(row[1]), _time(row[2])
        if row[6] or rules.expired(created=created, last_seen=last_seen, at=at):
            with conn:
                conn.execute("DELETE FROM sessions WHERE id_sha256 = ?", (digest,))
            return None
        if at - last_seen >= rules.touch:
            with conn:
                conn.execute("UPDATE sessions SET last_seen = ? WHERE id_sha256 = ? AND "
                             "last_seen < ?", (_text(at), digest, _text(at)))
        return User(name=row[3], display_name=row[4], role=row[5], disabled=False,
                    created=row[7], last_login=row[8] or "")


def end_session(folder: str | Path, session_id: str) -> bool:
    """End the session ``session_id`` (logging out); whether it was live."""
    with contextlib.closing(connect(folder)) as conn, conn:
        return bool(conn.execute("DELETE FROM sessions WHERE id_sha256 = ?",
                                 (session_hash(session_id),)).rowcount)


def purge_sessions(folder: str | Path, *, at: datetime, rules: SessionRules) -> int:
    """Delete every expired session's row; how many."""
    idle_cut, life_cut = _text(at - rules.idle), _text(at - rules.lifetime)
    with contextlib.closing(connect(folder)) as conn, conn:
        return int(conn.execute("DELETE FROM sessions WHERE last_seen < ? OR created < ?",
                                (idle_cut, life_cut)).rowcount)


def live_sessions(folder: str | Path, *, at: datetime, rules: SessionRules) -> dict[str, int]:
    """How many live sessions each user has (users without any are left out)."""
    idle_cut, life_cut = _text(at - rules.idle), _text(at - rules.lifetime)
    with contextlib.closing(connect(folder)) as conn:
        return {name: int(n) for name, n in conn.execute(
            "SELECT s.user, count(*) FROM sessions s JOIN users u ON u.name = s.user "
            "WHERE u.disabled = 0 AND s.last_seen >= ? AND s.created >= ? GROUP BY s.user",
            (idle_cut, life_cut))}
