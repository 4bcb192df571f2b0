"""What ``publish`` checks before and around talking to a server (issue 20): the ``--url``
argument, the password file, an overall deadline, and the words for what a server answered
that is no CalDAV answer (a captive portal's page, a cut reply) or a 403 that is not a wrong
password. Kept apart from :mod:`.publish`, which does the exchange itself."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from ..core.errors import ScheduleError, UsageError

__all__ = ["PASSWORD_FILE_LIMIT", "REPLY_LIMIT", "DeadlineError", "ReplyTooLargeError",
           "bound_replies", "check_url", "deadline", "forbidden", "unreadable_reply"]

#: The password file is read as a study file is: a regular file, at most this many bytes
#: (``/dev/zero`` or a FIFO is refused at once instead of exhausting memory or blocking).
PASSWORD_FILE_LIMIT = 64 * 1024
#: The most one server reply may hold. The largest reply a publish asks for is a whole
#: calendar with its events (after lost state files): about 2 KB an event, so 128 MB is some
#: 60,000 events in one collection (a site calendar of 3,000 subjects; larger studies split it,
#: ``--site-calendar quarters``). A reply past it is refused while it is read, never held.
REPLY_LIMIT = 128 * 1024 * 1024


def check_url(url: str) -> None:
    """Refuse a ``--url`` that is no http(s) address of a host, before anything is read.

    >>> check_url("https://cal.example.org/dav/")
    >>> for url in ("http://[::1", "http://127.0.0.1:99999/", "cal.example.org", "https:///x"):
    ...     try:
    ...         check_url(url)
    ...     except UsageError as exc:
    ...         print(exc.message)
    not a valid address (Invalid IPv6 URL)
    not a valid address (the port must be 1-65535)
    not a valid address (it must start with https:// or http://)
    not a valid address (no server name)
    """
    def bad(why: str) -> UsageError:
        return UsageError(f"not a valid address ({why})", key="--url", value=url,
                          hint="e.g. https://cal.example.org/")

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        why = str(exc)
        raise bad("the port must be 1-65535" if "port" in why.lower() else why) from None
    if parts.scheme not in ("http", "https"):
        raise bad("it must start with https:// or http://")
    if not parts.hostname:
        raise bad("no server name")
    if port == 0:
        raise bad("the port must be 1-65535")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise bad("it holds a space or a control character")


@contextlib.contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Stop the block with a :class:`DeadlineError` after ``seconds``
    (``None`` or 0: no limit): a server that answers a byte at a time never ends a request's
    own timeout (which counts the time between bytes). Only in the main thread on a system
    with ``SIGALRM`` (elsewhere the block runs without the overall limit)."""
    usable = (seconds and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise _Expired  # not an Exception: no library's "except Exception" swallows it

    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, float(seconds or 0))
    try:
        yield
    except _Expired:
        raise DeadlineError(seconds) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


class _Expired(BaseException):
    pass


class DeadlineError(ScheduleError):
    """The publish ran past its overall time limit (``--timeout``)."""

    def __init__(self, seconds: float | None) -> None:
        super().__init__(f"no end after {seconds:g} s (the --timeout): the server answers too "
                         "slowly, or not at all", key="--timeout",
                         hint="nothing is lost: the next publish completes what this one did "
                         "not; give a larger --timeout for a first publish of a large study")


def unreadable_reply(exc: BaseException) -> str:
    """The words for a reply that is not a CalDAV answer (what the parser or the client
    raised on it): an HTML page, text, a cut or empty body."""
    return (f"the server's answer is not a CalDAV reply ({type(exc).__name__}): a captive "
            "portal, a proxy or a web page may have answered instead")


def forbidden(exc: BaseException) -> bool:
    """Whether a refusal is a 403 (the user may not do this) rather than a 401 (who is it?)."""
    return getattr(exc, "status", None) == 403


class ReplyTooLargeError(ScheduleError):
    """A server's reply was larger than :data:`REPLY_LIMIT`."""

    def __init__(self, url: str, limit: int) -> None:
        super().__init__(f"the server's reply is larger than {limit // (1024 * 1024)} MB: "
                         "refused while it was read", key="--url", value=url,
                         hint="check that --url is the CalDAV server (not a download); a site "
                         "calendar that large: publish with --site-calendar quarters")


def bound_replies(session: Any) -> None:
    """Make every reply of ``session`` (a requests-like session: caldav's niquests one) read
    in pieces and refused past :data:`REPLY_LIMIT`, before it is held whole: a response hook
    runs before the session reads the body, so it reads the body itself, bounded.

    >>> class Reply:
    ...     headers = {"Content-Length": str(3 * REPLY_LIMIT)}
    ...     url = "https://cal.example.org/x/"
    >>> class Session:
    ...     hooks: dict = {"response": []}
    >>> s = Session(); bound_replies(s)
    >>> try:
    ...     s.hooks["response"][0](Reply())
    ... except ReplyTooLargeError as exc:
    ...     print(exc.message)
    the server's reply is larger than 128 MB: refused while it was read
    """
    def bounded(reply: Any, *args: Any, **kwargs: Any) -> Any:
        limit = REPLY_LIMIT
        url = str(getattr(reply, "url", "") or "")
        length = str(reply.headers.get("Content-Length") or "")
        if length.isdigit() and int(length) > limit:
            _close(reply)
            raise ReplyTooLargeError(url, limit)
        if getattr(reply, "_content_consumed", True) is not False:
            return reply  # already read (a stream the session holds itself)
        pieces, size = [], 0
        for piece in reply.iter_content(1 << 16):
            size += len(piece)
            if size > limit:
                _close(reply)
                raise ReplyTooLargeError(url, limit)
            pieces.append(piece)
        reply._content = b"".join(pieces)
        reply._content_consumed = True
        return reply

    session.hooks.setdefault("response", []).append(bounded)


def _close(reply: Any) -> None:
    with contextlib.suppress(Exception):
        reply.close()

