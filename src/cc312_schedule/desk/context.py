"""The desk's shared state and helpers: its configuration, the study cache, the users, the
page's language and texts (used by the application and every blueprint)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app, g, session

from ..core.messages import LANGUAGES, message
from ..planning.clock import today_at_site
from ..store.sessions import SessionRules, end_session, open_session, purge_sessions, session_user
from ..store.users import user_for_token, verify_password
from .auth import ROLES, DeskUser, LoginThrottle
from .data import StudyCache

__all__ = ["LOCK_WAIT", "RETRY_AFTER", "Desk", "DeskConfig", "desk", "language", "t"]

#: Seconds between two purges of expired session rows (and at the start)
PURGE_EVERY = 600.0

#: Seconds a write from the desk waits for the study's lock by default (``serve --lock-wait``;
#: the command line waits 10): a nurse's click rather waits for a colleague's write (a few
#: tenths of a second, a workbook import a few seconds) than fails; past it, the answer is 503
#: with ``Retry-After`` ("try again"), never a request left hanging.
LOCK_WAIT = 15.0
#: ``Retry-After`` (seconds) of that 503.
RETRY_AFTER = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class DeskConfig:
    """How the desk runs (``serve``'s options).

    ``today``: pins the site's today (demonstrations and tests); default: the date in the
    study's time zone at each request. ``behind_tls``: a TLS proxy (nginx) is in front:
    cookies get ``Secure`` and the proxy's ``X-Forwarded-Proto``/``-Host`` are trusted (one hop).
    """

    folder: Path
    today: date | None = None
    behind_tls: bool = False
    idle_minutes: int = 30
    session_hours: int = 12  # a session ends this long after its login, however busy
    max_upload_mb: int = 20
    secret_key: bytes | None = None  # default: random per process (a restart logs everyone out)
    lock_wait: float = LOCK_WAIT  # seconds a write waits for the study's lock, then 503


class Desk:
    """The state of one desk: its study folder, the plan cache, the login throttle, the rules
    of its sessions (rows of the users database, :mod:`cc312_schedule.store.sessions`)."""

    def __init__(self, config: DeskConfig) -> None:
        self.config = config
        self.folder = config.folder
        self.cache = StudyCache(config.folder)
        self.throttle = LoginThrottle()
        self.sessions = SessionRules(idle=timedelta(minutes=config.idle_minutes),
                                     lifetime=timedelta(hours=config.session_hours))
        self._purged = -PURGE_EVERY
        self._purge_lock = threading.Lock()

    def today(self) -> date:
        if self.config.today is not None:
            return self.config.today
        return today_at_site(self.cache.study().config.timezone)

    def session_user(self, session_id: str) -> DeskUser | None:
        """The user of the live session ``session_id`` (None: ended, expired, disabled)."""
        now = datetime.now(UTC)
        self.purge(now)
        u = session_user(self.folder, session_id, at=now, rules=self.sessions)
        user = _desk_user(u) if u is not None else None
        return replace(user, session_id=session_id) if user is not None else None

    def open_session(self, user: DeskUser, address: str) -> DeskUser | None:
        """``user`` (whose password was just checked) with a new session (None: disabled
        meanwhile)."""
        now = datetime.now(UTC)
        self.purge(now, force=True)
        session_id = open_session(self.folder, user.name, address=address, at=now)
        return replace(user, session_id=session_id) if session_id else None

    def end_session(self, session_id: str) -> None:
        if session_id:
            end_session(self.folder, session_id)

    def purge(self, now: datetime, *, force: bool = False) -> None:
        """Delete expired session rows, at most every :data:`PURGE_EVERY` seconds."""
        clock = time.monotonic()
        with self._purge_lock:
            if not force and clock - self._purged < PURGE_EVERY:
                return
            self._purged = clock
        purge_sessions(self.folder, at=now, rules=self.sessions)

    def login(self, name: str, password: str) -> DeskUser | None:
        u = verify_password(self.folder, name, password)
        return _desk_user(u) if u is not None else None

    def token_user(self, token: str) -> DeskUser | None:
        u = user_for_token(self.folder, token)
        return _desk_user(u) if u is not None else None


def _desk_user(u: Any) -> DeskUser | None:
    if getattr(u, "disabled", False) or u.role not in ROLES:
        return None
    return DeskUser(name=u.name, role=u.role, display_name=u.display_name or "")


def desk() -> Desk:
    value: Desk = current_app.extensions["cc312_desk"]
    return value


def language() -> str:
    """The page's language: the user's choice this session, else the study's (worked out once
    per request: a page calls this for every text)."""
    cached = g.get("desk_lang")
    if cached:
        return str(cached)
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        lang = str(chosen)
    else:
        try:
            lang = desk().cache.study().config.language
        except Exception:  # an unreadable study still shows its error page in a language
            lang = "en"
    g.desk_lang = lang
    return lang


def t(key: str, **fields: Any) -> str:
    """A catalogue text in the page's language."""
    return message(language(), key, **fields)
