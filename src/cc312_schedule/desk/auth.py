"""Who may do what on the desk: the rights routes ask for, the logged-in user, the login throttle.

What each role may do is issue 21's table, kept as data with the users
(:data:`cc312_schedule.store.users.PERMISSIONS`); every route names the right it needs
(:class:`Right`) and the pages' ``require`` checks it on the server (a hidden button is never
the check).

>>> allowed("nurse", Right.RECORD), allowed("nurse", Right.DECIDE), allowed("monitor", Right.SEE)
(True, False, True)
>>> allowed("visitor", Right.SEE)
False
"""

from __future__ import annotations

import enum
import threading
import time
from collections import deque
from dataclasses import dataclass

from flask_login import UserMixin

from ..store.users import ROLES, may

__all__ = ["ROLES", "DeskUser", "LoginThrottle", "Right", "allowed"]


class Right(enum.StrEnum):
    SEE = "see"  # every role: every page and every export
    RECORD = "record"  # record a visit done or missed
    DECIDE = "decide"  # sign an investigator's decision
    IMPORT = "import"  # import a coordinator's workbook
    FEEDS = "feeds"  # give a subject's calendar a new address
    USERS = "users"  # manage users (command line: cc312-schedule users)


def allowed(role: str, right: Right) -> bool:
    """Whether ``role`` has ``right`` (every known role may see)."""
    if role not in ROLES:
        return False
    return right is Right.SEE or may(role, right.value)


@dataclass(frozen=True, slots=True, kw_only=True)
class DeskUser(UserMixin):  # type: ignore[misc]  # flask_login ships no type hints
    """The logged-in user as the desk sees them (from the users database, each request).

    ``session_id``: the desk session's id (:mod:`cc312_schedule.store.sessions`), what
    Flask-Login keeps in the signed cookie as this user's "id" (its alternative-token
    pattern): logging out, disabling the user or the idle timeout delete the session's row,
    and the cookie then names nobody. Empty for an API token's user (no session)."""

    name: str
    role: str
    display_name: str
    session_id: str = ""

    def get_id(self) -> str:
        if not self.session_id:
            raise ValueError("a user without a desk session cannot be logged in")
        return self.session_id

    def may(self, right: Right | str) -> bool:
        return allowed(self.role, Right(right))

    @property
    def signature_name(self) -> str:
        """The name written into decisions.csv and the audit trail."""
        return self.display_name or self.name


class LoginThrottle:
    """Refuse logins after ``limit`` failures within ``window`` seconds, for that long.

    Counted per user name (``limit``) and per client address (``address_limit``, higher: a
    ward behind one proxy address must not be locked out by one person's typing), so guessing
    one user's password from many addresses, or many users' from one address, is slowed down
    alike. In memory: one server process (waitress runs one), forgotten at a restart.

    >>> t = LoginThrottle(limit=2, address_limit=3, window=60, clock=lambda: 0.0)
    >>> t.fail("ann", "10.0.0.1"); t.blocked("ann", "10.0.0.9")
    0
    >>> t.fail("ann", "10.0.0.1"); t.blocked("ann", "10.0.0.9") > 0, t.blocked("bob", "10.0.0.1")
    (True, 0)
    >>> t.fail("cy", "10.0.0.1"); t.blocked("bob", "10.0.0.1") > 0
    True

    A password typed again inside a session (to sign a decision, or to change it) has its
    own count per user (:meth:`reentry_blocked`): others' failed logins, of that name or from
    that address, never stop a logged-in user from signing; the user's own wrong re-entries
    count toward the login's per-user limit too (a session left open is not a way to guess
    the password faster than at the login page).

    >>> t = LoginThrottle(limit=2, window=60, clock=lambda: 0.0)
    >>> t.fail("ann", "10.0.0.1"); t.fail("ann", "10.0.0.1"); t.reentry_blocked("ann")
    0
    >>> t.reentry_fail("bob"); t.reentry_fail("bob"); t.reentry_blocked("bob") > 0
    True
    >>> t.blocked("bob", "10.0.0.7") > 0  # and the login of that name
    True
    """

    def __init__(self, *, limit: int = 5, address_limit: int = 20, window: float = 900.0,
                 clock: object = None) -> None:
        self.limit, self.address_limit, self.window = limit, address_limit, window
        self._clock = clock or time.monotonic
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _now(self) -> float:
        return float(self._clock())  # type: ignore[operator]

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def blocked(self, user: str, address: str) -> int:
        """Seconds until a login of ``user`` from ``address`` is accepted again (0: now)."""
        now = self._now()
        with self._lock:
            waits = [int(q[0] + self.window - now) + 1
                     for q, limit in ((self._recent(f"u:{user.lower()}", now), self.limit),
                                      (self._recent(f"a:{address}", now), self.address_limit))
                     if len(q) >= limit]
        return max(waits, default=0)

    def fail(self, user: str, address: str) -> None:
        now = self._now()
        with self._lock:
            for key in (f"u:{user.lower()}", f"a:{address}"):
                self._recent(key, now).append(now)
            if len(self._fails) > 10_000:  # many distinct names: forget the quiet ones
                for key in [k for k, q in self._fails.items() if not q]:
                    del self._fails[key]

    def _wait(self, key: str, limit: int, now: float) -> int:
        q = self._recent(key, now)
        return int(q[0] + self.window - now) + 1 if len(q) >= limit else 0

    def reentry_blocked(self, user: str) -> int:
        """Seconds until ``user``'s password is accepted again inside a session (0: now)."""
        now = self._now()
        with self._lock:
            return self._wait(f"s:{user.lower()}", self.limit, now)

    def reentry_fail(self, user: str) -> None:
        now = self._now()
        with self._lock:
            for key in (f"s:{user.lower()}", f"u:{user.lower()}"):
                self._recent(key, now).append(now)

    def reentry_succeed(self, user: str) -> None:
        """A right re-entry clears the session's count only (not the login's: those failures
        may be someone else's)."""
        with self._lock:
            self._fails.pop(f"s:{user.lower()}", None)

    def succeed(self, user: str) -> None:
        with self._lock:
            self._fails.pop(f"u:{user.lower()}", None)
