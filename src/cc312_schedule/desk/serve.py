"""``cc312-schedule serve``: the desk under waitress, a production WSGI server.

waitress (pure Python, also on Windows) answers on ``host:port`` (127.0.0.1 by default: put
nginx with TLS in front for other machines, docs/desk.md). One line per request goes to the
log: time, client, user, method, path, status, bytes, milliseconds. Never the query string,
a header, a form field or a cookie; a feed's secret in its path is written as ``…``. SIGTERM
(systemd's stop) and Ctrl-C stop the server: requests in progress finish, then it exits 0.
"""

from __future__ import annotations

import logging
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any, TextIO

from ..calendars.feed import SITE, issue_tokens
from ..core.messages import message
from ..entries.writes import study_lock
from .app import create_app
from .context import DeskConfig

__all__ = ["PAGE_SLOTS", "PageGate", "RequestLog", "log_path", "serve"]

#: Pages (GET) computed at once; the other worker threads wait, asleep, so that a write holding
#: the study's lock shares the interpreter (one thread runs Python at a time) with at most
#: this many pages, not with every thread: writes stay short and the lock free.
PAGE_SLOTS = 2

_SECRET_PATH = re.compile(r"^/feeds/[^/]+\.ics$")


def log_path(path: str) -> str:
    """The request path as the log shows it: a feed's secret name hidden.

    >>> log_path("/feeds/Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4.ics")
    '/feeds/….ics'
    >>> log_path("/subjects/003")
    '/subjects/003'
    """
    return "/feeds/….ics" if _SECRET_PATH.match(path) else path


class RequestLog:
    """WSGI middleware writing one line per request to ``stream``."""

    def __init__(self, app: Callable[..., Iterable[bytes]], stream: TextIO) -> None:
        self.app, self.stream = app, stream

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        began = time.perf_counter()
        seen: dict[str, Any] = {"status": "-", "bytes": 0}

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"] = status.split(" ", 1)[0]
            return start_response(status, headers, exc_info) if exc_info else start_response(
                status, headers)

        body = self.app(environ, start)
        try:
            for chunk in body:
                seen["bytes"] += len(chunk)
                yield chunk
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
            user = environ.get("cc312.user", "-")
            ms = (time.perf_counter() - began) * 1000
            self.stream.write(
                f"{time.strftime('%Y-%m-%dT%H:%M:%S%z')} {environ.get('REMOTE_ADDR', '-')} {user} "
                f"{environ.get('REQUEST_METHOD', '-')} {log_path(environ.get('PATH_INFO', ''))} "
                f"{seen['status']} {seen['bytes']} {ms:.0f}ms\n")
            self.stream.flush()


class PageGate:
    """WSGI middleware: at most ``slots`` GET/HEAD requests at once (not the static files,
    ``/healthz``); POSTs (writes, logins) pass at once.

    Measured (benchmarks/RESULTS.md): with 8 threads all computing 1,000-subject pages, a write
    holding the study's lock got an eighth of the interpreter, so its ~0.25 s of work held the
    lock for seconds and the writes queued behind it until they gave up.
    """

    def __init__(self, app: Callable[..., Iterable[bytes]], slots: int) -> None:
        self.app, self.slots = app, threading.BoundedSemaphore(slots)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or path == "/healthz" \
                or path.startswith("/static/"):
            yield from self.app(environ, start_response)
            return
        with self.slots:
            body = self.app(environ, start_response)
            try:
                yield from body
            finally:
                close = getattr(body, "close", None)
                if close is not None:
                    close()


def serve(config: DeskConfig, *, host: str = "127.0.0.1", port: int = 8312, threads: int = 24,
          stream: TextIO | None = None, ready: Callable[[str], None] | None = None,
          page_slots: int = PAGE_SLOTS, lang: str = "en") -> int:
    """Run the desk until SIGTERM or Ctrl-C; return the exit code (0). ``page_slots``: pages
    computed at once (:class:`PageGate`); ``lang``: the language of its start and stop lines
    (the command line's)."""
    import waitress.server

    out = stream or sys.stderr
    app = create_app(config)
    # every calendar's secret address now, once: a page showing one never waits for the lock
    ids = [s.subject_id for s in app.extensions["cc312_desk"].cache.study().subjects]
    with study_lock(config.folder):
        issue_tokens(config.folder, [SITE, *ids])
    logging.getLogger("waitress").setLevel(logging.ERROR)  # its own lines name no request
    gated = PageGate(app, max(1, min(page_slots, threads - 1)))  # a thread left for writes
    server = waitress.server.create_server(
        RequestLog(gated, out), host=host, port=port, threads=threads, ident="cc312-desk",
        clear_untrusted_proxy_headers=True, max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 65536)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)

    previous = signal.signal(signal.SIGTERM, stop)
    address = f"http://{host}:{server.effective_port}/"
    out.write(message(lang, "cli.desk_serving", folder=config.folder, address=address) + "\n")
    out.flush()
    if ready is not None:
        ready(address)
    try:
        server.run()  # returns after SystemExit/KeyboardInterrupt, its workers shut down
    finally:
        server.close()
        signal.signal(signal.SIGTERM, previous)
        out.write(message(lang, "cli.desk_stopped") + "\n")
        out.flush()
    return 0
