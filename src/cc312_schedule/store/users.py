"""The desk's users and API tokens: ``STUDY/.cc312-desk.sqlite3`` (SQLite, file mode 0600).

Tables: ``users`` (name, display name, role, Argon2id password hash, disabled flag, created,
last login), ``api_tokens`` (the SHA-256 of a token, never the token; its user, created, last
used) and ``sessions`` (the desk's logins: the SHA-256 of a session id, never the id; its
user, created, last seen, client address; :mod:`cc312_schedule.store.sessions`).

Policies:

* **Passwords** are hashed with Argon2id (``argon2-cffi``'s :class:`~argon2.PasswordHasher`,
  RFC 9106's parameters); never stored, logged or printed in clear. Shorter than
  :data:`MIN_PASSWORD` characters is refused. :func:`verify_password` takes as long for an
  unknown or disabled user as for a known one (a hash is always checked), and rehashes a
  hash made with weaker parameters.
* **Tokens** are ``secrets.token_urlsafe(32)`` (256 bits), shown once by :func:`new_token`;
  only their SHA-256 is stored (a token is random, so a fast hash suffices), found by that
  hash and compared again with :func:`hmac.compare_digest`. A disabled user's tokens stop
  working.
* **Sessions end with the user's access**: disabling a user deletes their sessions, a new
  password deletes their other sessions (in the same transaction as the change).
* **A coordinator stays**: the last enabled coordinator cannot be disabled (nobody could
  manage the users from the desk any more).
* **Audited.** Adding, disabling a user, a new password or token go to the audit trail
  (``file`` ``users``, ``subject_id`` empty, ``visit`` the user's name) under the study lock;
  a password appears there as ``(set)``, a token as the first 8 hex digits of its hash.
* **Roles** (:data:`ROLES`) and what each may do (:data:`PERMISSIONS`) are data here, below
  the desk and the command line.

>>> may("nurse", "record"), may("monitor", "record"), may("investigator", "decide")
(True, False, True)
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..core.errors import UsageError
from .audit import Actor, AuditChange, audited
from .study import load_config, study_folder_problem
from .studylock import study_lock

__all__ = [
    "DB_NAME",
    "MIN_PASSWORD",
    "PERMISSIONS",
    "ROLES",
    "User",
    "add_user",
    "connect",
    "disable_user",
    "enable_user",
    "list_users",
    "may",
    "new_token",
    "session_hash",
    "set_password",
    "token_label",
    "user_for_token",
    "verify_password",
]

DB_NAME = ".cc312-desk.sqlite3"
ROLES: Final = ("nurse", "investigator", "coordinator", "monitor")
#: what each role may do beyond seeing everything (issue 21, section 2)
PERMISSIONS: Final[Mapping[str, frozenset[str]]] = {
    "monitor": frozenset(),
    "nurse": frozenset({"record"}),
    "investigator": frozenset({"record", "decide"}),
    "coordinator": frozenset({"record", "import", "feeds", "users"}),
}
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # hashing a megabyte for every login attempt would be an easy way to stall the desk
SCHEMA_VERSION = 2  # 2: users.last_login, the sessions table (a version 1 file is upgraded)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_HASHER = PasswordHasher()  # Argon2id, RFC 9106 "low memory" parameters (t=3, m=64 MiB, p=4)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('nurse', 'investigator', 'coordinator', 'monitor')),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created TEXT NOT NULL,
    last_login TEXT
);
CREATE TABLE IF NOT EXISTS api_tokens (
    token_sha256 TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users (name),
    created TEXT NOT NULL,
    last_used TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    id_sha256 TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users (name),
    created TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user);
"""
#: from schema version 1 (issue 21's first desk) to 2: what the new version adds
_UPGRADE_1_TO_2 = "ALTER TABLE users ADD COLUMN last_login TEXT;"


def may(role: str, action: str) -> bool:
    """Whether ``role`` may ``action`` (record, decide, import, feeds, users); every role sees."""
    return action in PERMISSIONS.get(role, frozenset())


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    """A desk user as stored (never with the password hash)."""

    name: str
    display_name: str
    role: str
    disabled: bool
    created: str
    tokens: int = 0
    last_login: str = ""  # UTC, "2026-11-30T01:00:00Z"; "" before the first

    def actor(self, via: str) -> Actor:
        """This user as the audit trail's actor, by way of ``via`` (``desk`` or ``api``)."""
        return Actor(name=self.name, role=self.role, via=via)


# --------------------------------------------------------------------------------------
# the database file


def connect(folder: str | Path) -> sqlite3.Connection:
    """Open (creating it, mode 0600) the study's desk database; the tables exist after it.

    The file is created owner-only before SQLite opens it, and a looser mode found later is
    put back to 0600 (SQLite gives its journal the database's mode). A link or a special
    file under its name is refused.
    """
    path = Path(folder) / DB_NAME
    problem = study_folder_problem(folder)
    if problem is not None:
        raise UsageError(problem[0], path=folder, hint=problem[1])
    if not (Path(folder) / "study.toml").is_file():
        raise UsageError("not a study folder (no study.toml)", path=folder,
                         hint="give the folder that holds study.toml and subjects.csv")
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UsageError("the desk database is a symbolic link: refusing it", path=path,
                             hint="move the real file into the study folder") from None
        raise UsageError(f"cannot open the desk database: {exc.strerror}", path=path,
                         hint="the study folder must be writable") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UsageError("the desk database is not a regular file", path=path,
                             hint="remove it; it is created anew")
        if stat.S_IMODE(st.st_mode) != 0o600 and hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    conn = sqlite3.connect(path, timeout=10.0)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        version = _schema_version(conn)
        if version != str(SCHEMA_VERSION):  # new, or made by an earlier version: one transaction
            conn.execute("BEGIN IMMEDIATE")
            try:
                version = _schema_version(conn)  # another process may have done it meanwhile
                if version == "1":
                    conn.execute(_UPGRADE_1_TO_2)
                elif version not in (None, str(SCHEMA_VERSION)):
                    raise UsageError(f"the desk database has schema version {version}; this "
                                     f"version reads {SCHEMA_VERSION}", path=path,
                                     hint="use the cc312-schedule version that made it")
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
                             (str(SCHEMA_VERSION),))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise UsageError(f"cannot read the desk database: {exc}", path=path,
                         hint="restore it from a copy, or move it away to start anew") from None
    except BaseException:
        conn.close()
        raise
    return conn


def _schema_version(conn: sqlite3.Connection) -> str | None:
    """The file's schema version (None: a new, empty file)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone() is None:
        return None
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return str(row[0]) if row else None


@contextlib.contextmanager
def _db(folder: str | Path) -> Iterator[sqlite3.Connection]:
    conn = connect(folder)
    try:
        yield conn
    finally:
        conn.close()


def _now_text(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("the time must be timezone-aware (UTC)")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise UsageError("not a user name", key="NAME", value=name,
                         hint="letters, digits and . _ @ -, at most 64, e.g. li.na")
    return name


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"the password is too short: at least {MIN_PASSWORD} characters",
                         key="password", hint="choose a longer one (a few words work well)")
    if len(password) > MAX_PASSWORD:
        raise UsageError(f"the password is too long: at most {MAX_PASSWORD} characters",
                         key="password")


def _user(row: tuple[str, str, str, int, str, int, str | None]) -> User:
    name, display, role, disabled, created, tokens, last_login = row
    return User(name=name, display_name=display, role=role, disabled=bool(disabled),
                created=created, tokens=tokens, last_login=last_login or "")


_SELECT = ("SELECT name, display_name, role, disabled, created, "
           "(SELECT count(*) FROM api_tokens t WHERE t.user = users.name), last_login FROM users")


def _find(conn: sqlite3.Connection, name: str) -> User | None:
    row = conn.execute(f"{_SELECT} WHERE name = ?", (name,)).fetchone()
    return _user(row) if row else None


def _get(conn: sqlite3.Connection, name: str) -> User:
    user = _find(conn, name)
    if user is None:
        raise UsageError("no such user", key="NAME", value=name,
                         hint="'cc312-schedule users list STUDY' lists them")
    return user


# --------------------------------------------------------------------------------------
# changes (under the study lock, audited)


@contextlib.contextmanager
def _change(folder: str | Path, changes: list[AuditChange], *, actor: Actor,
            at: datetime) -> Iterator[sqlite3.Connection]:
    """The study lock, the audit entries, a transaction: the entries are taken back if the
    transaction fails."""
    tz = load_config(folder).timezone
    with study_lock(folder), _db(folder) as conn, \
            audited(folder, changes, actor=actor, at=at, timezone=tz), conn:
        yield conn


def _users_change(name: str, field: str, old: str, new: str, reason: str = "") -> AuditChange:
    return AuditChange(file="users", visit=name, field=field, old=old, new=new, reason=reason)


def add_user(folder: str | Path, name: str, *, role: str, password: str,
             display_name: str | None = None, actor: Actor, at: datetime,
             hasher: PasswordHasher = _HASHER) -> User:
    """Add a user with ``role`` (one of :data:`ROLES`); ``display_name`` defaults to ``name``
    (it is what a decision is signed with). Refuses a short password and a taken name."""
    _check_name(name)
    if role not in ROLES:
        raise UsageError("unknown role", key="--role", value=role, hint=f"one of {', '.join(ROLES)}")
    _check_password(password)
    display = (display_name or name).strip()
    if not display or len(display) > 200:
        raise UsageError("the display name must be 1 to 200 characters", key="--display-name",
                         value=display_name)
    with _db(folder) as conn:
        if _find(conn, name) is not None:
            raise UsageError("a user of that name exists", key="NAME", value=name,
                             hint="choose another name; 'users list STUDY' lists them")
    pw_hash = hasher.hash(password)
    created = _now_text(at)
    changes = [_users_change(name, "role", "", role), _users_change(name, "display_name", "", display),
               _users_change(name, "password", "", "(set)")]
    with _change(folder, changes, actor=actor, at=at) as conn:
        try:
            conn.execute("INSERT INTO users (name, display_name, role, password_hash, disabled, "
                         "created) VALUES (?, ?, ?, ?, 0, ?)", (name, display, role, pw_hash, created))
        except sqlite3.IntegrityError:
            raise UsageError("a user of that name exists", key="NAME", value=name) from None
    return User(name=name, display_name=display, role=role, disabled=False, created=created)


def set_password(folder: str | Path, name: str, password: str, *, actor: Actor, at: datetime,
                 keep_session: str | None = None, hasher: PasswordHasher = _HASHER) -> None:
    """Give ``name`` a new password (the old one stops working) and end their sessions on the
    desk, but for ``keep_session`` (the session id of a user changing their own password)."""
    _check_password(password)
    with _db(folder) as conn:
        user = _get(conn, name)
    pw_hash = hasher.hash(password)
    keep = session_hash(keep_session) if keep_session else ""
    with _change(folder, [_users_change(user.name, "password", "(set)", "(set)", "new password")],
                 actor=actor, at=at) as conn:
        conn.execute("UPDATE users SET password_hash = ? WHERE name = ?", (pw_hash, user.name))
        conn.execute("DELETE FROM sessions WHERE user = ? AND id_sha256 != ?", (user.name, keep))


def disable_user(folder: str | Path, name: str, *, actor: Actor, at: datetime) -> User:
    """Disable ``name``: no login, no token works, their desk sessions end at once. Nothing
    is deleted (the audit trail names them). Disabling a disabled user changes nothing; the
    last enabled coordinator is not disabled (add another first)."""
    with _db(folder) as conn:
        user = _get(conn, name)
    if user.disabled:
        return user
    with _change(folder, [_users_change(user.name, "disabled", "no", "yes")], actor=actor,
                 at=at) as conn:
        if user.role == "coordinator" and conn.execute(  # counted under the lock, in the transaction
                "SELECT count(*) FROM users WHERE role = 'coordinator' AND disabled = 0 AND "
                "name != ?", (user.name,)).fetchone()[0] == 0:
            raise UsageError("the last enabled coordinator cannot be disabled", key="NAME",
                             value=user.name, hint="add or enable another coordinator first")
        conn.execute("UPDATE users SET disabled = 1 WHERE name = ?", (user.name,))
        conn.execute("DELETE FROM sessions WHERE user = ?", (user.name,))
    return User(name=user.name, display_name=user.display_name, role=user.role, disabled=True,
                created=user.created, tokens=user.tokens, last_login=user.last_login)


def enable_user(folder: str | Path, name: str, *, actor: Actor, at: datetime) -> User:
    """Enable ``name`` again (their password and tokens work again; their old sessions stay
    ended). Enabling an enabled user changes nothing."""
    with _db(folder) as conn:
        user = _get(conn, name)
    if not user.disabled:
        return user
    with _change(folder, [_users_change(user.name, "disabled", "yes", "no")], actor=actor,
                 at=at) as conn:
        conn.execute("UPDATE users SET disabled = 0 WHERE name = ?", (user.name,))
    return User(name=user.name, display_name=user.display_name, role=user.role, disabled=False,
                created=user.created, tokens=user.tokens, last_login=user.last_login)


def new_token(folder: str | Path, name: str, *, actor: Actor, at: datetime) -> str:
    """A new API token for ``name`` (enabled), returned once; only its SHA-256 is kept."""
    with _db(folder) as conn:
        user = _get(conn, name)
    if user.disabled:
        raise UsageError("the user is disabled", key="NAME", value=name,
                         hint="a disabled user gets no token")
    token = secrets.token_urlsafe(32)
    digest = _token_hash(token)
    with _change(folder, [_users_change(user.name, "api_token", "", f"issued {digest[:8]}")],
                 actor=actor, at=at) as conn:
        conn.execute("INSERT INTO api_tokens VALUES (?, ?, ?, NULL)",
                     (digest, user.name, _now_text(at)))
    return token


# --------------------------------------------------------------------------------------
# reading


def list_users(folder: str | Path) -> tuple[User, ...]:
    """Every user, by name."""
    with _db(folder) as conn:
        return tuple(_user(r) for r in conn.execute(f"{_SELECT} ORDER BY name"))


#: checked when the user is unknown, so that a wrong name takes as long as a wrong password
_DUMMY_HASH: dict[int, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash made once per hasher (not on every call: that would double an unknown name's time)."""
    key = id(hasher)
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = hasher.hash(secrets.token_urlsafe(16))
    return _DUMMY_HASH[key]


def verify_password(folder: str | Path, name: str, password: str, *,
                    hasher: PasswordHasher = _HASHER) -> User | None:
    """The user if ``password`` is ``name``'s and the user is enabled, else None.

    Always checks one hash (a dummy one for an unknown name), so the time taken does not
    tell whether a name exists. A hash made with other parameters than ``hasher``'s is
    replaced by a new one on success.
    """
    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        return None
    with _db(folder) as conn:
        row = conn.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()
        stored = row[0] if row else _dummy_hash(hasher)
        try:
            hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        user = _get(conn, name)
        if user.disabled:
            return None
        if hasher.check_needs_rehash(stored):
            with conn:
                conn.execute("UPDATE users SET password_hash = ? WHERE name = ? AND "
                             "password_hash = ?", (hasher.hash(password), name, stored))
        return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def session_hash(session_id: str) -> str:
    """What the database keeps of a desk session's id: its SHA-256 (the id is 256 random bits,
    so a fast hash suffices; a copy of the file lets nobody in)."""
    return _token_hash(session_id)


def token_label(token: str) -> str:
    """How the audit trail names a token without telling it: the first 8 hex digits of its
    SHA-256, as ``users token`` wrote when issuing it ("issued 1a2b3c4d")."""
    return _token_hash(token)[:8]


def user_for_token(folder: str | Path, token: str, *, at: datetime | None = None) -> User | None:
    """The enabled user whose API token ``token`` is, else None; ``at`` is saved as the
    token's last use."""
    if not isinstance(token, str) or not 20 <= len(token) <= 200:
        return None
    digest = _token_hash(token)
    with _db(folder) as conn:
        row = conn.execute("SELECT token_sha256, user FROM api_tokens WHERE token_sha256 = ?",
                           (digest,)).fetchone()
        if row is None or not hmac.compare_digest(row[0], digest):
            return None
        user = _find(conn, row[1])
        if user is None or user.disabled:
            return None
        if at is not None:
            with conn:
                conn.execute("UPDATE api_tokens SET last_used = ? WHERE token_sha256 = ?",
                             (_now_text(at), digest))
        return user
