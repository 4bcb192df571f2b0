"""The desk's shared state and helpers: its configuration, the study cache, the users, the
page's language and texts (used by the application and every blueprint)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app, g, session

from ..core.messages import LANGUAGES, message
from ..planning.clock import today_at_site
from ..store.users import list_users, user_for_token, verify_password
from .auth import ROLES, DeskUser, LoginThrottle
from .data import StudyCache

__all__ = ["LOCK_WAIT", "RETRY_AFTER", "Desk", "DeskConfig", "desk", "language", "t"]

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
    max_upload_mb: int = 20
    secret_key: bytes | None = None  # default: random per process (a restart logs everyone out)
    lock_wait: float = LOCK_WAIT  # seconds a write waits for the study's lock, then 503


class Desk:
    """The state of one desk: its study folder, the plan cache, the login throttle."""

    def __init__(self, config: DeskConfig) -> None:
        self.config = config
        self.folder = config.folder
        self.cache = StudyCache(config.folder)
        self.throttle = LoginThrottle()

    def today(self) -> date:
        if self.config.today is not None:
            return self.config.today
        return today_at_site(self.cache.study().config.timezone)

    def user(self, name: str) -> DeskUser | None:
        """The enabled user called ``name`` (None: unknown or disabled)."""
        for u in list_users(self.folder):
            if u.name == name:
                return _desk_user(u)
        return None

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
